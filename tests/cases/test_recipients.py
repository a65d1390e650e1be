"""Adding readers' public keys to clr.yaml without editing it: keygen --add, add-recipient.

* ``clr keygen --add`` in a new repository puts the printed public key under
  ``recipients`` and changes no other line of clr.yaml; a case opened next has an identity
  file that the new key opens, and ``clr validate`` finds nothing.
* ``clr identity add-recipient`` adds each key once, says which were already there, and
  names ``clr identity rekey`` when identity files were made before the change.
* A private key given by mistake is refused without printing any of it; a wrong key, a
  ``recipients`` that is not a list, or no repository: a message and an exit code, clr.yaml
  unchanged, no key file left behind by ``keygen --add`` outside a repository.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from clr.io import yamlio
from helpers_workflow import describe, run

AS_OF = "2026-03-02"
NEW_CASE = [
    "new-case", "--no-input",
    "--site", "Sunrise Garments",
    "--country", "BD",
    "--channel", "audit",
    "--pseudonym", "Child A",
    "--sex", "female",
    "--age", "13",
    "--by", "R. Ahmed",
    "--name", "Amina Rahman",
    "--as-of", AS_OF,
]  # fmt: skip


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository made by clr init, as the current folder; keys kept under tmp_path."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.delenv("CLR_IDENTITY_FILE", raising=False)
    root = tmp_path / "repo"
    made = run(["init", str(root), "--org", "Test Org", "--prefix", "TST", "--no-git"])
    assert made.exit_code == 0, describe(made)
    monkeypatch.chdir(root)
    return root


def recipients(root: Path) -> list[str]:
    data = yamlio.parse_bytes((root / "clr.yaml").read_bytes(), "clr.yaml").data
    assert isinstance(data, dict)
    return list(data.get("recipients") or [])


def other_lines(root: Path) -> list[str]:
    """clr.yaml's lines other than the recipients list."""
    lines = (root / "clr.yaml").read_text(encoding="utf-8").splitlines()
    return [
        line
        for line in lines
        if not line.startswith("recipients:") and not line.startswith("  - age1")
    ]


def keygen(tmp_path: Path, name: str, *extra: str) -> str:
    result = run(["keygen", "--output", str(tmp_path / name), *extra])
    assert result.exit_code == 0, describe(result)
    return result.stdout.strip()


def test_keygen_add_puts_the_key_in_clr_yaml_and_a_new_case_opens_with_it(
    repo: Path, tmp_path: Path
) -> None:
    before = other_lines(repo)
    public = keygen(tmp_path, "me.txt", "--add")
    assert public.startswith("age1")
    assert recipients(repo) == [public]
    assert other_lines(repo) == before  # comments and every other line as they were
    made = run(NEW_CASE)
    assert made.exit_code == 0, describe(made)
    case_id = made.stdout.strip().splitlines()[0]
    shown = run(["identity", "show", case_id, "--identity-file", str(tmp_path / "me.txt")])
    assert shown.exit_code == 0, describe(shown)
    assert "Amina Rahman" in shown.stdout
    checked = run(["validate", "--as-of", AS_OF])
    assert checked.exit_code == 0, describe(checked)


def test_add_recipient_adds_once_and_names_rekey_when_identities_exist(
    repo: Path, tmp_path: Path
) -> None:
    first = keygen(tmp_path, "first.txt", "--add")
    assert run(NEW_CASE).exit_code == 0
    second = keygen(tmp_path, "second.txt")
    added = run(["identity", "add-recipient", second])
    assert added.exit_code == 0, describe(added)
    assert recipients(repo) == [first, second]
    assert "1 identity file" in added.stderr and "clr identity rekey" in added.stderr
    assert f"\n  {second}\n" in added.stderr  # the key on a line of its own, whole
    assert all(len(line) <= 80 for line in added.stderr.splitlines() if "age1" in line)
    text = (repo / "clr.yaml").read_bytes()
    again = run(["identity", "add-recipient", second, first])
    assert again.exit_code == 0, describe(again)
    assert (repo / "clr.yaml").read_bytes() == text  # nothing new: the file is not rewritten
    assert again.stderr.count("already in recipients") == 2


def test_an_ssh_key_over_two_lines_is_added_as_one(repo: Path) -> None:
    key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGyXK3ZyRjPJtmQRdJ5ymlGBXHGBsoxh8Gc4XbWGqLpT"
    result = run(["identity", "add-recipient", key.replace(" ", "\n  ")])
    assert result.exit_code == 0, describe(result)
    assert recipients(repo) == [key]


@pytest.mark.parametrize(
    "secret",
    [
        "AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ",
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n",
    ],
)
def test_a_private_key_is_refused_without_printing_it(repo: Path, secret: str) -> None:
    before = (repo / "clr.yaml").read_bytes()
    result = run(["identity", "add-recipient", "--", secret])
    assert result.exit_code == 2, describe(result)
    assert "private key" in result.stderr
    assert "QQQQ" not in result.stderr and "b3Bl" not in result.stderr
    assert (repo / "clr.yaml").read_bytes() == before


def test_a_wrong_key_is_named_and_nothing_is_written(repo: Path) -> None:
    before = (repo / "clr.yaml").read_bytes()
    result = run(["identity", "add-recipient", "age1notakey"])
    assert result.exit_code == 2, describe(result)
    assert "age1notakey" in result.stderr and "hint:" in result.stderr
    assert "Traceback" not in result.stderr
    assert (repo / "clr.yaml").read_bytes() == before


def test_recipients_that_is_not_a_list_is_reported(repo: Path, tmp_path: Path) -> None:
    config = repo / "clr.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("recipients: []", "recipients: age1x"),
        encoding="utf-8",
    )
    before = config.read_bytes()
    public = keygen(tmp_path, "k.txt")
    result = run(["identity", "add-recipient", public])
    assert result.exit_code == 2, describe(result)
    assert "clr.yaml:25:" in result.stderr and "recipients must be a list" in result.stderr
    assert config.read_bytes() == before


def test_keygen_add_outside_a_repository_makes_no_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.chdir(empty)
    result = run(["keygen", "--output", str(tmp_path / "k.txt"), "--add"])
    assert result.exit_code == 1, describe(result)
    assert "clr init" in result.stderr
    assert not (tmp_path / "k.txt").exists()
