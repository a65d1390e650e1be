"""Privacy: encrypted identity files, keys, the personal-data lint, consent and audiences.

Identity files are checked against the real ``age`` tool both ways (Debian's ``age``,
installed by ``.ci/run``). The leak hunt at the end runs a whole case through clr and
then looks for the child's name and phone number in every git object, report and export.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import marshal
import os
import shlex
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from clr.cases import identity
from clr.checks import privacy
from clr.io import yamlio
from clr.views import consent
from helpers_workflow import (
    clr_executable,
    commit_all,
    describe,
    git,
    run,
    subprocess_env,
)

AS_OF = "2026-03-02"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NAME = "Amina Rahman"
PHONE = "+880 1711 555 123"

MINIMAL = [
    "--site", "Sunrise Garments",
    "--country", "BD",
    "--channel", "audit",
    "--pseudonym", "Child A",
    "--sex", "female",
    "--by", "R. Ahmed",
    "--as-of", AS_OF,
]  # fmt: skip

needs_age = pytest.mark.skipif(shutil.which("age") is None, reason="the age tool is not installed")


@pytest.fixture(autouse=True)
def _private_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No key or configuration of the person running the tests is ever used."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    for name in ("CLR_IDENTITY_FILE", "CLR_USER", "CLR_NO_INPUT", "VISUAL", "EDITOR"):
        monkeypatch.delenv(name, raising=False)
    for name, value in subprocess_env().items():
        if name.startswith("GIT_"):
            monkeypatch.setenv(name, value)


class Key:
    """A key file made by clr keygen, and its public key."""

    def __init__(self, path: Path) -> None:
        result = run(["keygen", "--output", str(path)])
        assert result.exit_code == 0, describe(result)
        self.path = path
        self.public = result.stdout.strip()

    def load(self) -> list[Any]:
        return identity.load_keys(self.path)


@pytest.fixture
def key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Key:
    made = Key(tmp_path / "keys" / "me.txt")
    monkeypatch.setenv("CLR_IDENTITY_FILE", str(made.path))
    return made


def set_recipients(root: Path, *publics: str) -> None:
    config = root / "clr.yaml"
    text = config.read_text(encoding="utf-8")
    start = text.index("recipients:")
    lines = "".join(f"\n  - {p}" for p in publics)
    config.write_text(text[:start] + f"recipients:{lines or ' []'}\n", encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key: Key) -> Path:
    """A repository made by clr init (with git), the key as its one recipient; cwd is it."""
    root = tmp_path / "cases-repo"
    result = run(["init", str(root), "--org", "Test Org", "--prefix", "TST", "--no-input"])
    assert result.exit_code == 0, describe(result)
    set_recipients(root, key.public)
    monkeypatch.chdir(root)
    return root


def new_case(*flags: str) -> str:
    result = run(["new-case", "--no-input", *MINIMAL, *flags])
    assert result.exit_code == 0, describe(result)
    return result.stdout.strip()


def validate_codes(*args: str) -> tuple[int, list[dict[str, Any]]]:
    result = run(["validate", "--as-of", AS_OF, "--no-cache", "--format", "json", *args])
    doc = json.loads(result.stdout)
    return result.exit_code, [f for file in doc["files"] for f in file["findings"]]


def codes_of(findings: list[dict[str, Any]]) -> set[str]:
    return {f["code"] for f in findings}


def edit_case(root: Path, case_id: str, old: str, new: str) -> None:
    path = root / "cases" / case_id / "case.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# --- keys -------------------------------------------------------------------------------------


def test_keygen_writes_a_private_key_file_and_prints_the_public_key(tmp_path: Path) -> None:
    result = run(["keygen"])
    assert result.exit_code == 0, describe(result)
    path = identity.default_key_path()
    if sys.platform.startswith("linux"):
        assert path == tmp_path / "home" / ".config" / "clr" / "identity.txt"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    public = result.stdout.strip()
    assert public.startswith("age1") and len(public) == 62
    lines = path.read_text(encoding="ascii").splitlines()
    assert lines[0].startswith("# created: ")
    assert lines[1] == f"# public key: {public}"
    assert lines[2].startswith("AGE-SECRET-KEY-1")
    assert "AGE-SECRET-KEY" not in result.stdout + result.stderr
    assert "recipients" in result.stderr and "clr identity rekey" in result.stderr
    # Never overwritten.
    again = run(["keygen"])
    assert again.exit_code == 1
    assert "exists already" in again.stderr
    assert path.read_text(encoding="ascii").splitlines() == lines


@needs_age
def test_keygen_key_is_what_age_keygen_reads(tmp_path: Path) -> None:
    made = Key(tmp_path / "k.txt")
    shown = subprocess.run(
        ["age-keygen", "-y", str(made.path)], capture_output=True, text=True, check=True
    )
    assert shown.stdout.strip() == made.public


def test_key_path_comes_from_the_flag_the_environment_or_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert identity.key_path() == identity.default_key_path()
    monkeypatch.setenv("CLR_IDENTITY_FILE", str(tmp_path / "env.txt"))
    assert identity.key_path() == tmp_path / "env.txt"
    assert identity.key_path(tmp_path / "flag.txt") == tmp_path / "flag.txt"


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644, 0o660])
def test_a_key_file_others_can_read_is_refused(repo: Path, key: Key, mode: int) -> None:
    case_id = new_case("--name", NAME)
    key.path.chmod(mode)
    result = run(["identity", "show", case_id])
    assert result.exit_code == 1
    assert "can be read or changed by other users" in result.stderr
    assert "chmod 600" in result.stderr
    assert NAME not in result.stdout
    key.path.chmod(0o600)
    assert run(["identity", "show", case_id]).exit_code == 0


def test_no_key_file_says_how_to_get_one(repo: Path, key: Key) -> None:
    case_id = new_case("--name", NAME)
    result = run(["identity", "show", case_id, "--identity-file", str(repo / "nope.txt")])
    assert result.exit_code == 1
    assert "no key file at" in result.stderr and "clr keygen" in result.stderr


# --- age interoperability ---------------------------------------------------------------------


@needs_age
def test_age_decrypts_what_clr_encrypts(repo: Path, key: Key) -> None:
    case_id = new_case("--name", NAME, "--child-contact", PHONE)
    path = repo / "cases" / case_id / identity.IDENTITY_FILE
    assert path.read_bytes().startswith(b"-----BEGIN AGE ENCRYPTED FILE-----\n")
    plain = subprocess.run(
        ["age", "-d", "-i", str(key.path), str(path)], capture_output=True, check=True
    ).stdout.decode("utf-8")
    assert yaml.safe_load(plain) == {"case": case_id, "name": NAME, "contact": PHONE}


@needs_age
def test_clr_decrypts_what_age_encrypts_with_an_age_keygen_key(repo: Path, tmp_path: Path) -> None:
    made = tmp_path / "age-key.txt"
    subprocess.run(["age-keygen", "-o", str(made)], capture_output=True, check=True)
    made.chmod(0o600)
    public = subprocess.run(
        ["age-keygen", "-y", str(made)], capture_output=True, text=True, check=True
    ).stdout.strip()
    case_id = new_case()
    folder = repo / "cases" / case_id
    plain = f"case: {case_id}\nname: {NAME}\nguardian_contact: '{PHONE}'\nphotos: false\n"
    subprocess.run(
        ["age", "-a", "-r", public, "-o", str(folder / identity.IDENTITY_FILE)],
        input=plain.encode(),
        check=True,
    )
    result = run(["identity", "show", case_id, "--identity-file", str(made), "-f", "json"])
    assert result.exit_code == 0, describe(result)
    assert json.loads(result.stdout) == {
        "version": 1,
        "case": case_id,
        "name": NAME,
        "guardian_contact": PHONE,
        "photos": False,
    }
    # Binary (not armored) age files are read too.
    subprocess.run(
        ["age", "-r", public, "-o", str(folder / identity.IDENTITY_FILE)],
        input=plain.encode(),
        check=True,
    )
    shown = run(["identity", "show", case_id, "-i", str(made), "--field", "name"])
    assert shown.stdout == f"{NAME}\n"


def test_a_key_that_is_not_a_recipient_cannot_read(repo: Path, tmp_path: Path) -> None:
    case_id = new_case("--name", NAME)
    other = Key(tmp_path / "other.txt")
    result = run(["identity", "show", case_id, "-i", str(other.path)])
    assert result.exit_code == 1
    assert "not encrypted to your public key" in result.stderr
    assert "clr identity rekey" in result.stderr


# --- identity set / show / edit ---------------------------------------------------------------


def test_identity_set_show_and_clear(repo: Path, key: Key) -> None:
    case_id = new_case()
    assert not (repo / "cases" / case_id / identity.IDENTITY_FILE).exists()
    made = run(["identity", "set", case_id, "--name", NAME, "--guardian-contact", PHONE])
    assert made.exit_code == 0, describe(made)
    assert NAME not in made.stdout + made.stderr and PHONE not in made.stdout + made.stderr
    assert "fields: name, guardian_contact" in made.stderr
    more = run(
        ["identity", "set", case_id, "--id-document-type", "birth certificate", "--no-photos"]
    )
    assert more.exit_code == 0, describe(more)
    shown = run(["identity", "show", case_id])
    assert yaml.safe_load(shown.stdout) == {
        "case": case_id,
        "name": NAME,
        "id_document_type": "birth certificate",
        "guardian_contact": PHONE,
        "photos": False,
    }
    cleared = run(["identity", "set", case_id, "--clear", "guardian_contact"])
    assert cleared.exit_code == 0, describe(cleared)
    field = run(["identity", "show", case_id, "--field", "guardian_contact"])
    assert field.exit_code == 0 and field.stdout == ""
    wrong = run(["identity", "set", case_id, "--clear", "shoe_size"])
    assert wrong.exit_code == 2
    nothing = run(["identity", "set", case_id])
    assert nothing.exit_code == 2


def test_identity_set_on_an_existing_file_needs_the_key(repo: Path, key: Key) -> None:
    case_id = new_case("--name", NAME)
    before = (repo / "cases" / case_id / identity.IDENTITY_FILE).read_bytes()
    key.path.rename(key.path.with_suffix(".gone"))
    result = run(["identity", "set", case_id, "--contact", PHONE])
    assert result.exit_code == 1 and "no key file" in result.stderr
    assert (repo / "cases" / case_id / identity.IDENTITY_FILE).read_bytes() == before


def test_identity_values_are_checked_before_encrypting(repo: Path) -> None:
    case_id = new_case()
    result = run(["identity", "set", case_id, "--name", "x" * 2001])
    assert result.exit_code == 1
    assert "not valid" in result.stderr
    assert not (repo / "cases" / case_id / identity.IDENTITY_FILE).exists()


def test_identity_commands_without_recipients_refuse(repo: Path) -> None:
    case_id = new_case()
    set_recipients(repo)
    result = run(["identity", "set", case_id, "--name", NAME])
    assert result.exit_code == 1
    assert "no recipients are configured" in result.stderr
    assert not any(p.name.startswith("identity") for p in (repo / "cases" / case_id).iterdir())


EDITOR = r"""
import json, os, signal, stat, sys, time
path = sys.argv[1]
info = {
    "path": path,
    "mode": stat.S_IMODE(os.stat(path).st_mode),
    "dir_mode": stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode),
    "had_name": "Amina Rahman" in open(path, encoding="utf-8").read(),
}
with open(os.environ["EDIT_LOG"], "a", encoding="utf-8") as log:
    log.write(json.dumps(info) + "\n")
action = os.environ.get("EDIT_ACTION", "rename")
text = open(path, encoding="utf-8").read()
if action == "rename":
    text = text.replace("name: Amina Rahman", "name: Amina R. Rahman")
    text = text.replace("address:", "address: House 12, Road 5")
elif action == "invalid":
    text += "shoe_size: 38\n"
elif action in ("SIGINT", "SIGTERM"):
    os.kill(os.getppid(), getattr(signal, action))
    time.sleep(30)
elif action == "fail":
    sys.exit(3)
with open(path, "w", encoding="utf-8") as handle:
    handle.write(text)
"""


@pytest.fixture
def editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    script = tmp_path / "editor.py"
    script.write_text(EDITOR, encoding="utf-8")
    log = tmp_path / "edit-log.jsonl"
    monkeypatch.setenv("EDITOR", f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}")
    monkeypatch.setenv("EDIT_LOG", str(log))
    return log


def edits(log: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


def test_identity_edit_in_a_private_temporary_file_that_is_removed(
    repo: Path, key: Key, editor: Path, tmp_path: Path
) -> None:
    case_id = new_case("--name", NAME)
    result = run(["identity", "edit", case_id])
    assert result.exit_code == 0, describe(result)
    (seen,) = edits(editor)
    assert seen["mode"] == 0o600 and seen["dir_mode"] == 0o700 and seen["had_name"]
    temp = Path(seen["path"])
    assert temp.parent.parent == tmp_path / "runtime"  # in memory where the system offers it
    assert not temp.exists() and not temp.parent.exists()
    assert list((tmp_path / "runtime").iterdir()) == []
    shown = yaml.safe_load(run(["identity", "show", case_id]).stdout)
    assert shown == {"case": case_id, "name": "Amina R. Rahman", "address": "House 12, Road 5"}
    assert not any("Amina" in p.read_text(errors="replace") for p in repo.rglob("*.yaml"))


def test_identity_edit_unchanged_or_invalid_writes_nothing(
    repo: Path, key: Key, editor: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = new_case("--name", NAME)
    path = repo / "cases" / case_id / identity.IDENTITY_FILE
    before = path.read_bytes()
    monkeypatch.setenv("EDIT_ACTION", "unchanged")
    same = run(["identity", "edit", case_id])
    assert same.exit_code == 0 and "no change" in same.stderr
    monkeypatch.setenv("EDIT_ACTION", "invalid")
    bad = run(["identity", "edit", case_id, "--no-input"])
    assert bad.exit_code == 1
    assert "shoe_size" in bad.stderr and "nothing was saved" in bad.stderr
    monkeypatch.setenv("EDIT_ACTION", "fail")
    failed = run(["identity", "edit", case_id])
    assert failed.exit_code == 1 and "exited with status 3" in failed.stderr
    assert path.read_bytes() == before
    for seen in edits(editor):
        assert not Path(seen["path"]).parent.exists()


@pytest.mark.parametrize("sig", ["SIGINT", "SIGTERM"])
def test_identity_edit_interrupted_removes_the_plaintext(
    repo: Path, key: Key, editor: Path, tmp_path: Path, sig: str
) -> None:
    case_id = new_case("--name", NAME)
    before = (repo / "cases" / case_id / identity.IDENTITY_FILE).read_bytes()
    env = {
        k: v
        for k, v in os.environ.items()
        if k in ("HOME", "XDG_CONFIG_HOME", "XDG_RUNTIME_DIR", "CLR_IDENTITY_FILE", "EDITOR")
        or k == "EDIT_LOG"
    }
    proc = subprocess.run(
        [clr_executable(), "identity", "edit", case_id],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=60,
        env=subprocess_env(**env, EDIT_ACTION=sig),
        stdin=subprocess.DEVNULL,
        # A shell that starts jobs in the background ignores SIGINT for them; a user's does not.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert proc.returncode == 130, proc.stderr
    assert "Traceback" not in proc.stderr
    (seen,) = edits(editor)
    assert seen["had_name"]
    assert not Path(seen["path"]).exists() and not Path(seen["path"]).parent.exists()
    assert list((tmp_path / "runtime").iterdir()) == []
    assert (repo / "cases" / case_id / identity.IDENTITY_FILE).read_bytes() == before


def test_private_file_is_removed_when_the_block_raises(tmp_path: Path) -> None:
    with pytest.raises(KeyboardInterrupt), identity.private_file("secret") as path:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        folder = path.parent
        raise KeyboardInterrupt
    assert not folder.exists()


# --- rekey ------------------------------------------------------------------------------------


def test_rekey_after_adding_a_recipient(repo: Path, key: Key, tmp_path: Path) -> None:
    first = new_case("--name", NAME)
    second = new_case("--name", "Karim Uddin", "--child-contact", PHONE)
    bare = new_case()
    commit_all(repo, "cases")
    newcomer = Key(tmp_path / "newcomer.txt")
    paths = {c: repo / "cases" / c / identity.IDENTITY_FILE for c in (first, second)}
    before = {c: p.read_bytes() for c, p in paths.items()}
    cases_before = {c: (repo / "cases" / c / "case.yaml").read_bytes() for c in (first, second)}
    denied = run(["identity", "show", first, "-i", str(newcomer.path)])
    assert denied.exit_code == 1
    set_recipients(repo, key.public, newcomer.public)
    dry = run(["identity", "rekey", "--dry-run"])
    assert dry.exit_code == 0 and "would re-encrypt 2 identity files" in dry.stderr
    assert {c: p.read_bytes() for c, p in paths.items()} == before
    result = run(["identity", "rekey"])
    assert result.exit_code == 0, describe(result)
    assert "re-encrypted 2 identity files" in result.stderr
    assert "git history" in result.stderr
    for case_id, path in paths.items():
        assert path.read_bytes() != before[case_id]
        assert (repo / "cases" / case_id / "case.yaml").read_bytes() == cases_before[case_id]
    for who in (key, newcomer):
        shown = run(["identity", "show", first, "-i", str(who.path), "--field", "name"])
        assert shown.stdout == f"{NAME}\n", describe(shown)
    assert not (repo / "cases" / bare / identity.IDENTITY_FILE).exists()
    changed = git(repo, "status", "--porcelain").stdout.splitlines()
    assert sorted(line[3:] for line in changed) == sorted(
        ["clr.yaml", *(f"cases/{c}/{identity.IDENTITY_FILE}" for c in (first, second))]
    )


def test_per_case_recipients_file(repo: Path, key: Key, tmp_path: Path) -> None:
    case_id = new_case("--name", NAME)
    local = Key(tmp_path / "local.txt")
    (repo / "cases" / case_id / identity.RECIPIENTS_FILE).write_text(
        f"# the NGO's case worker for this child\n{local.public}\n", encoding="utf-8"
    )
    assert run(["identity", "rekey", case_id]).exit_code == 0
    shown = run(["identity", "show", case_id, "-i", str(local.path), "--field", "name"])
    assert shown.stdout == f"{NAME}\n"
    (repo / "cases" / case_id / identity.RECIPIENTS_FILE).write_text("not-a-key\n")
    bad = run(["identity", "set", case_id, "--note", "x"])
    assert bad.exit_code == 2 and "recipients.txt:1" in bad.stderr


def test_rekey_reports_files_it_cannot_open(repo: Path, key: Key, tmp_path: Path) -> None:
    mine = new_case("--name", NAME)
    theirs = new_case()
    other = Key(tmp_path / "other.txt")
    (repo / "cases" / theirs / identity.RECIPIENTS_FILE).write_text(other.public + "\n")
    set_recipients(repo)
    assert run(["identity", "set", theirs, "--name", "X Y", "-i", str(other.path)]).exit_code == 0
    set_recipients(repo, key.public)
    result = run(["identity", "rekey"])
    assert result.exit_code == 1
    assert f"not re-encrypted: cases/{theirs}" in result.stderr
    assert "re-encrypted 1 identity file; 1 failed" in result.stderr
    assert run(["identity", "show", mine, "--field", "name"]).stdout == f"{NAME}\n"


# --- new-case -----------------------------------------------------------------------------------


def test_new_case_with_identity_and_no_recipients_is_refused(repo: Path) -> None:
    set_recipients(repo)
    result = run(["new-case", "--no-input", *MINIMAL, "--name", NAME])
    assert result.exit_code == 1
    assert "no recipients are configured" in result.stderr and "clr keygen" in result.stderr
    assert [p.name for p in (repo / "cases").iterdir()] == [".gitkeep"]


# --- reopen ------------------------------------------------------------------------------------


REFUSAL_FACTS = [
    "--reason", "refused", "--refused-by", "family", "--approved-by", "Sup", "--note", "no",
    "--contact-attempt", "2026-03-02:home_visit", "--contact-attempt", "2026-03-16:phone",
    "--contact-attempt", "2026-04-02:through_supplier", "--referral-to", "child_protection",
    "--referral-date", "2026-04-02", "--rehire-check", "2026-04-02", "--not-rehired",
    "--root-cause", "household_poverty",
]  # fmt: skip
"""What closing as refused a child of unknown age takes (the playbook's closing rules)."""


def closed_case(*flags: str) -> str:
    """A case opened on AS_OF (with ``flags``) and closed as refused a month later."""
    case_id = new_case(*flags)
    closing = ["--to", "closed", *REFUSAL_FACTS]
    closed = run(["advance", case_id, *closing, "--by", "X", "--as-of", "2026-04-03"])
    assert closed.exit_code == 0, describe(closed)
    return case_id


def reopen(case_id: str, *flags: str) -> Any:
    return run(["reopen", case_id, "--by", "R. Ahmed", "--as-of", "2026-04-04", *flags])


def files_holding(root: Path, *secrets: str) -> list[str]:
    """Every file under ``root`` whose bytes hold one of ``secrets`` (git objects included)."""
    found = []
    for path in root.rglob("*"):
        if path.is_file() and any(s.encode("utf-8") in path.read_bytes() for s in secrets):
            found.append(str(path.relative_to(root)))
    return found


def test_reopen_carries_the_identity_file_encrypted_for_the_new_case(
    repo: Path, key: Key, tmp_path: Path
) -> None:
    old = closed_case("--name", NAME, "--child-contact", PHONE, "--address", "Mirpur 10")
    local = Key(tmp_path / "local.txt")
    extra = f"# the NGO's case worker for this child\n{local.public}\n"
    (repo / "cases" / old / identity.RECIPIENTS_FILE).write_text(extra, encoding="utf-8")
    assert run(["identity", "rekey", old]).exit_code == 0
    commit_all(repo, "closed case")
    old_files = {p.name: p.read_bytes() for p in (repo / "cases" / old).iterdir()}
    result = reopen(old)
    assert result.exit_code == 0, describe(result)
    new = result.stdout.strip()
    assert f"carried the identity file of {old} over, encrypted to 2 recipients" in result.stderr
    assert NAME not in result.stdout + result.stderr
    folder = repo / "cases" / new
    assert sorted(p.name for p in folder.iterdir()) == [
        "case.yaml",
        identity.IDENTITY_FILE,
        identity.RECIPIENTS_FILE,
    ]
    assert (folder / identity.IDENTITY_FILE).read_bytes().startswith(b"-----BEGIN AGE ENCRYPTED")
    assert (folder / identity.RECIPIENTS_FILE).read_text(encoding="utf-8") == extra
    expected = {"version": 1, "case": new, "name": NAME, "contact": PHONE, "address": "Mirpur 10"}
    for who in (key, local):
        shown = run(["identity", "show", new, "-i", str(who.path), "--format", "json"])
        assert shown.exit_code == 0, describe(shown)
        assert json.loads(shown.stdout) == expected
    # The closed case is as it was but for the link to the new one, and the plaintext is
    # nowhere on disk.
    old_files["case.yaml"] += f"reopened_as: {new}\n".encode()
    assert {p.name: p.read_bytes() for p in (repo / "cases" / old).iterdir()} == old_files
    assert files_holding(tmp_path, NAME, PHONE) == []
    # The new case's own file from now on: a change there leaves the closed case's alone.
    assert run(["identity", "set", new, "--contact", "+880 1711 000 000"]).exit_code == 0
    assert run(["identity", "show", old, "--field", "contact"]).stdout == f"{PHONE}\n"
    code, findings = validate_codes("--as-of", "2026-04-04")
    assert code == 0, findings


def test_reopen_refuses_when_the_identity_cannot_be_carried_over(
    repo: Path, key: Key, tmp_path: Path
) -> None:
    old = closed_case("--name", NAME)
    before = sorted(p.name for p in (repo / "cases").iterdir())
    stranger = Key(tmp_path / "stranger.txt")
    denied = reopen(old, "--identity-file", str(stranger.path))
    assert denied.exit_code == 1, describe(denied)
    assert f"the identity file of {old} cannot be carried over" in denied.stderr
    assert "nothing was created" in denied.stderr
    assert "not encrypted to your public key" in denied.stderr
    assert "--no-identity" in denied.stderr
    key.path.rename(key.path.with_suffix(".gone"))
    no_key = reopen(old)
    assert no_key.exit_code == 1, describe(no_key)
    assert "no key file at" in no_key.stderr and "clr keygen" in no_key.stderr
    assert "Traceback" not in denied.stderr + no_key.stderr
    assert sorted(p.name for p in (repo / "cases").iterdir()) == before
    without = reopen(old, "--no-identity")
    assert without.exit_code == 0, describe(without)
    new = without.stdout.strip()
    assert sorted(p.name for p in (repo / "cases" / new).iterdir()) == ["case.yaml"]


def test_reopen_of_a_case_without_an_identity_file_needs_no_key(repo: Path, key: Key) -> None:
    old = closed_case()
    key.path.unlink()
    result = reopen(old)
    assert result.exit_code == 0, describe(result)
    new = result.stdout.strip()
    assert "identity" not in result.stderr
    assert sorted(p.name for p in (repo / "cases" / new).iterdir()) == ["case.yaml"]


def test_init_ignores_plaintext_identity_files_and_keys(repo: Path) -> None:
    ignored = (repo / ".gitignore").read_text(encoding="utf-8").splitlines()
    for line in ("identity.yaml", "identity.yml", "*.decrypted", "identity.txt", "*.key"):
        assert line in ignored
    assert "identity.yaml.age" not in ignored


# --- the personal-data lint ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("Call the mother on +880 1711 555 123 after five", ["phone"]),
        ("mother's phone 01711-555123", ["phone"]),
        ("reach him at (021) 555-1234", ["phone"]),
        ("Ghana number 0244 123 456", ["phone"]),
        ("Côte d'Ivoire: 07 08 09 10 11", ["phone"]),
        ("write to amina.rahman@example.org", ["email"]),
        ("NID 1995 2612 3456 789", ["id"]),
        ("her ID: 123456789", ["id"]),
        ("passport no. A1234567", ["id"]),
        ("birth certificate number 20120312345", ["id"]),
        ("Ghana card GHA-123456789-0", ["id"]),
        ("the house is at 23.8103, 90.4125", ["gps"]),
        ("farm at 5°21'N 4°01'W", ["gps"]),
        ("https://maps.google.com/?q=23.81,90.41", ["gps"]),
        ("plus code 8FVC9G8F+6X", ["gps"]),
    ],
)
def test_personal_data_in_free_text_is_found(text: str, kinds: list[str]) -> None:
    assert privacy.scan_text(text) == kinds


@pytest.mark.parametrize(
    "text",
    [
        "2026-03-02",
        "paid 4,500 BDT on 2026-04-03 (receipt RCPT-0412)",
        "stipend of 13,500 BDT a month",
        "budget 1 250 000 XOF",
        "125000 XOF",
        "85% attendance; 92 % in May",
        "case EXR-2026-7KQ3M reopens EXR-2025-4FJ7Z",
        "between 2026-03-02 and 2026-04-01",
        "visits on 2026-03-02 2026-04-01",
        "shift from 13:40 to 22:00",
        "worked 2019-2021, grades 3-4-5-6-7-8-9-10",
        "audits in 2024 2025 2026",
        "supplier NWA-BD-0212, PO 4500012345 BDT",
        "ISO 9001:2015 audit",
        "birth certificate 2012-03-05 seen at the school",
        "the ID card was seen on 2026-03-02",
        "income loss 12000 per month",
        "3.5 km from the factory, 12.5, 13.25",
        "Tel: none given",
    ],
)
def test_ordinary_text_is_not_personal_data(text: str) -> None:
    assert privacy.scan_text(text) == []


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        # glued to a link: the run is preceded by ':' or '/'
        ("tel:+8801711555123", ["phone"]),
        ("<a href='tel:01711555123'>call</a>", ["phone"]),
        ("TEL:01711-555123", ["phone"]),
        ("https://wa.me/8801711555123", ["phone"]),
        ("whatsapp:+2250708091011", ["phone"]),
        ("api.whatsapp.com/send?phone=8801711555123", ["phone"]),
        # read out digit by digit
        ("0 1 7 1 1 5 5 5 1 2 3", ["phone"]),
        ("+880 1 7 1 1 5 5 5 1 2 3", ["phone"]),
        ("0-1-7-1-1-5-5-5-1-2-3", ["phone"]),
        # a number that is not an amount, beside a currency
        ("bKash 01711-555123 BDT 500", ["phone"]),
        ("sent to 01711555123 BDT", ["phone"]),
        ("+8801711555123 USD", ["phone"]),
        ("BDT +880 1711 555123", ["phone"]),
        # full-width and compatibility forms
        ("write to amina＠example.org", ["email"]),
        ("write to amina﹫example.org", ["email"]),
        ("call ０１７１１５５５１２３", ["phone"]),
        # a case id does not hide what is beside it
        ("Duplicate of EXR-2026-11MB4R, mother on 01711555123", ["phone"]),
        ("EXR-2026-7KQ3M: amina.r@example.org", ["email"]),
        # nor does a submission's instance id
        ("uuid:a8d09269-5359-4616-9761-92cf032035e9 mother on 01711555123", ["phone"]),
        # a near-UUID is read as the digits it holds
        ("a8d09269-5359-4616-9761-92cf032035e9-1", ["phone"]),
    ],
)
def test_disguised_personal_data_is_found(text: str, kinds: list[str]) -> None:
    assert privacy.scan_text(text) == kinds


@pytest.mark.parametrize(
    "text",
    [
        # case ids, whatever digits follow the year
        "Duplicate of EXR-2026-11MB4R",
        "Duplicate of EXR-2026-9172345",
        "reopens EXR-2025-1234567 and EXR-2026-7654321",
        "see TST-2026-00000000",
        # submission instance ids (ODK, KoboToolbox), however many digits they hold
        "x-submission: uuid:a8d09269-5359-4616-9761-92cf032035e9",
        "uuid:12345678-1234-4234-8234-123456789012",
        # links and words that are not phone numbers
        "Tel: none given; wa.me/ link not sent",
        "tel: ask the welfare officer",
        "telephone call on 2026-03-02 at 13:40",
        # small numbers in a row, and amounts beside a currency
        "grades 3-4-5-6-7-8-9-10",
        "scores 1 2 3 4 5",
        "paid 1500000000 UGX",
        "BDT 4,500,000,000 in total",
        "PO 4500012345 BDT",
        "1 500 000 000 VND",
        # e-mail near misses
        "a.a.a.a.a@",
        "ask @welfare on the notice board",
        "user@localhost",
        "meet at 10 @ the school",
        # full-width text that is not personal data
        "paid ４，５００ BDT",
    ],
)
def test_near_misses_are_not_personal_data(text: str) -> None:
    assert privacy.scan_text(text) == []


def test_the_examples_have_no_privacy_findings() -> None:
    result = run(["validate", str(EXAMPLES), "--as-of", "2026-11-20", "--no-cache", "-f", "json"])
    assert result.exit_code == 0, result.stdout
    found = [f for file in json.loads(result.stdout)["files"] for f in file["findings"]]
    assert not [f for f in found if f["code"].startswith("CLR5")]


def test_identity_fields_in_the_case_file(repo: Path) -> None:
    case_id = new_case()
    edit_case(repo, case_id, "  pseudonym: Child A\n", "  pseudonym: Child A\n  name: A R\n")
    edit_case(
        repo, case_id, "discovery:\n", "x-family:\n  phone: '1'\n  Address: '2'\ndiscovery:\n"
    )
    code, found = validate_codes()
    assert code == 1
    ours = sorted((f["field"], f["line"]) for f in found if f["code"] == "CLR502")
    assert [field for field, _ in ours] == ["child.name", "x-family.Address", "x-family.phone"]
    assert all(line > 0 for _, line in ours)
    message = next(f for f in found if f["code"] == "CLR502")
    assert f"clr identity edit {case_id}" in message["hint"]
    assert "A R" not in json.dumps(found)
    # The site's name is not a person's name.
    edit_case(repo, case_id, "  name: A R\n", "")
    edit_case(repo, case_id, "x-family:\n  phone: '1'\n  Address: '2'\n", "")
    assert validate_codes() == (0, [])


@pytest.mark.parametrize(
    ("note", "code"),
    [
        ("The mother can be called on 01711-555123", "CLR503"),
        ("Contact the uncle at uncle.karim@example.com", "CLR504"),
        ("Her NID is 1995 2612 3456 789", "CLR505"),
        ("The family lives at 23.81031, 90.41252", "CLR506"),
    ],
)
def test_personal_data_in_notes_fails_validation(repo: Path, note: str, code: str) -> None:
    case_id = new_case()
    edit_case(repo, case_id, "  channel: audit\n", f"  channel: audit\n  notes: '{note}'\n")
    exit_code, found = validate_codes()
    assert exit_code == 1
    (finding,) = found
    assert finding["code"] == code and finding["field"] == "discovery.notes"
    assert finding["line"] > 0 and finding["hint"]
    assert note.split()[-1] not in finding["message"] + finding["hint"]


def test_a_tracked_plaintext_identity_file_fails_validation(repo: Path) -> None:
    case_id = new_case()
    plain = repo / "cases" / case_id / "identity.yaml"
    plain.write_text(f"name: {NAME}\n", encoding="utf-8")
    assert validate_codes() == (0, [])  # ignored by clr init's .gitignore
    git(repo, "add", "-f", str(plain))
    code, found = validate_codes()
    assert code == 1
    (finding,) = found
    assert finding["code"] == "CLR501" and finding["path"] == f"cases/{case_id}/identity.yaml"
    assert "tracked by git" in finding["message"] and "git rm --cached" in finding["hint"]
    assert NAME not in json.dumps(found)


def test_a_plaintext_identity_file_git_does_not_ignore_fails_validation(repo: Path) -> None:
    case_id = new_case()
    (repo / ".gitignore").write_text("node_modules/\n", encoding="utf-8")
    (repo / "cases" / case_id / "identity.yml").write_text(f"name: {NAME}\n")
    code, found = validate_codes()
    assert code == 1
    assert [(f["code"], f["path"]) for f in found] == [("CLR501", f"cases/{case_id}/identity.yml")]
    assert "not ignored by git" in found[0]["message"]


def test_a_private_key_in_the_repository_fails_validation(repo: Path, key: Key) -> None:
    shutil.copy(key.path, repo / "keys.txt")
    assert validate_codes() == (0, [])  # ignored
    git(repo, "add", "-f", "keys.txt")
    code, found = validate_codes()
    assert code == 1 and codes_of(found) == {"CLR508"}


def test_outside_git_plaintext_files_are_not_looked_for(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    shutil.copytree(EXAMPLES, root, ignore=shutil.ignore_patterns("invalid"))
    (root / "cases" / "EXR-2026-W0ZAK" / "identity.yaml").write_text("name: X\n")
    result = run(["validate", str(root), "--as-of", "2026-11-20", "--no-cache", "-q"])
    assert "CLR501" not in result.stdout


def test_a_name_from_the_identity_file_in_the_case_file(
    repo: Path, key: Key, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = new_case("--name", NAME, "--child-contact", PHONE)
    run(["identity", "set", case_id, "--id-document-number", "BR-20123"])
    edit_case(repo, case_id, "  pseudonym: Child A\n", "  pseudonym: Amina, 13\n")
    edit_case(repo, case_id, "  channel: audit\n", "  channel: audit\n  notes: 'cert BR-20123'\n")
    code, found = validate_codes()
    assert code == 1
    named = sorted(f["field"] for f in found if f["code"] == "CLR507")
    assert named == ["child.pseudonym", "discovery.notes"]
    assert "Amina" not in json.dumps(found) and "20123" not in json.dumps(found)
    # Without the key, nothing to compare with: the names are not looked for.
    monkeypatch.delenv("CLR_IDENTITY_FILE")
    assert validate_codes() == (0, [])
    # A key file others can read is reported, not used.
    monkeypatch.setenv("CLR_IDENTITY_FILE", str(key.path))
    key.path.chmod(0o644)
    code, found = validate_codes()
    assert code == 0 and codes_of(found) == {"CLR509"}


def test_names_match_whole_words_and_say_what_matched_masked(repo: Path, key: Key) -> None:
    case_id = new_case("--name", NAME)
    result = run(["identity", "set", case_id, "--guardian-name", "Rahima Begum (mother)"])
    assert result.exit_code == 0, describe(result)
    # Kinship words, titles and parts of words are not names.
    note = "The mother and the father agreed; Mrs Rahimabadi, an aunt, called. Aminah came."
    edit_case(repo, case_id, "  channel: audit\n", f"  channel: audit\n  notes: '{note}'\n")
    code, found = validate_codes()
    assert (code, found) == (0, []), found
    # A name in a staff field, a site field or a note is found, and shown masked.
    edit_case(repo, case_id, "by: R. Ahmed", "by: Rahima Begum")
    edit_case(repo, case_id, "  country: BD\n", "  country: BD\n  region: Amina Rahman's village\n")
    edit_case(repo, case_id, note, "Rahima said yes")
    code, found = validate_codes()
    assert code == 1
    named = {f["field"]: f["message"] for f in found if f["code"] == "CLR507"}
    assert set(named) == {"history[0].by", "site.region", "discovery.notes"}, found
    assert "(R***a B***m)" in named["history[0].by"]
    assert "(A***a R***n)" in named["site.region"]
    assert "(R***a)" in named["discovery.notes"]
    dumped = json.dumps(found)
    assert "Rahima" not in dumped and "Begum" not in dumped and "Amina" not in dumped


def test_a_staff_member_sharing_one_word_with_the_family_is_no_finding(
    repo: Path, key: Key
) -> None:
    case_id = new_case("--name", NAME, "--by", "Nasrin Rahman")
    edit_case(repo, case_id, "  channel: audit\n", "  channel: audit\n  notes: 'Seen by N.'\n")
    assert validate_codes() == (0, [])
    edit_case(repo, case_id, "Seen by N.", "Rahman was told")
    code, found = validate_codes()
    assert code == 1 and [f["field"] for f in found] == ["discovery.notes"]


def test_privacy_lint_cost_per_case_is_small() -> None:
    import time

    files = sorted(EXAMPLES.glob("cases/*/case.yaml"))
    data = [yamlio.read_file(p, str(p)).data for p in files]
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for d in data:
            assert d is not None
            privacy.case_privacy_findings(d, "x")
        best = min(best, time.perf_counter() - start)
    assert best / len(data) < 0.002  # seconds: generous, for slow CI machines


# --- consent ------------------------------------------------------------------------------------


@pytest.fixture
def examples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the example repository, as a git repository; cwd is it."""
    root = tmp_path / "examples"
    shutil.copytree(EXAMPLES, root, ignore=shutil.ignore_patterns("invalid", ".clr-cache"))
    git(root, "init", "-q")
    commit_all(root, "examples")
    monkeypatch.chdir(root)
    return root


CONSENTED = "EXR-2026-H9CSW"  # share_with_buyer given; monitoring; supplier pays
REFUSED = "EXR-2026-XW2NA"  # share_with_buyer refused
SILENT = "EXR-2026-P4ZR8"  # no consent recorded
EXAMPLES_AS_OF = "2026-11-20"


def report(*args: str) -> Any:
    return run(["report", *args, "--as-of", EXAMPLES_AS_OF])


def test_report_for_the_buyer_needs_consent(examples: Path) -> None:
    before = (examples / "cases" / SILENT / "case.yaml").read_bytes()
    for case_id, why in ((SILENT, "is not recorded"), (REFUSED, "refused consent")):
        result = report(case_id, "--for", "buyer")
        assert result.exit_code == 1, describe(result)
        assert f"{case_id}: not shared with the buyer" in result.stderr
        assert why in result.stderr and "--override-consent" in result.stderr
        assert result.stdout == ""
    assert (examples / "cases" / SILENT / "case.yaml").read_bytes() == before
    assert report(CONSENTED, "--for", "buyer").exit_code == 0
    assert report(CONSENTED, "--for", "supplier").exit_code == 1  # not share_with_supplier
    assert report(SILENT).exit_code == 0  # for the caseworker: no consent needed


def test_report_for_an_investor_is_refused(examples: Path) -> None:
    result = report(CONSENTED, "--for", "investor")
    assert result.exit_code == 2 and "aggregates only" in result.stderr


def test_override_consent_is_recorded_in_the_history(examples: Path) -> None:
    needs_who = report(SILENT, "--for", "buyer", "--override-consent", "the buyer funds it")
    # Who overrides is input the command line lacks: usage, exit 2.
    assert needs_who.exit_code == 2 and "--by" in needs_who.stderr
    next_before = run(["next", SILENT, "--as-of", EXAMPLES_AS_OF, "--format", "json"]).stdout
    result = report(
        SILENT, "--for", "buyer", "--override-consent", "the buyer funds it", "--by", "M. Diallo"
    )
    assert result.exit_code == 0, describe(result)
    assert "consent override recorded" in result.stderr
    assert result.stdout.startswith(f"# Case {SILENT}\n")
    data = yaml.safe_load((examples / "cases" / SILENT / "case.yaml").read_text())
    entry = data["history"][-1]
    assert entry["from"] == entry["to"] == data["stage"] == "protected"
    assert entry["by"] == "M. Diallo"
    assert entry["note"].startswith("consent override: report for the buyer")
    assert "share_with_buyer" in entry["note"] and "the buyer funds it" in entry["note"]
    # The note is not a move: the case stays valid, and its deadlines did not move.
    assert run(["validate", "--as-of", EXAMPLES_AS_OF, "--no-cache"]).exit_code == 0
    next_after = run(["next", SILENT, "--as-of", EXAMPLES_AS_OF, "--format", "json"]).stdout
    assert next_after == next_before
    diff = git(examples, "diff", "--numstat").stdout.split()
    assert diff[:2] == ["5", "0"]  # five lines added, nothing else touched
    # The caseworker's report lists the override; its timeline does not show it as a move.
    text = report(SILENT).stdout
    assert "## Consent overrides" in text and "the buyer funds it" in text
    assert "| protected | " in text and text.count("| protected |") == 1


def test_history_note_entries_are_valid(case_data: Any) -> None:
    from clr.checks import rules

    data = case_data()
    data["history"].append(
        {"at": "2026-03-02T10:00:00Z", "from": "reported", "to": "reported", "by": "X", "note": "n"}
    )
    assert rules.check_history(data, "case.yaml") == []
    data["history"][0]["from"] = "reported"  # a first entry always starts from null
    assert [f.code for f in rules.check_history(data, "case.yaml")] == ["CLR206"]


# --- audiences ----------------------------------------------------------------------------------


def test_buyer_report_holds_no_family_details(examples: Path) -> None:
    caseworker = report(CONSENTED).stdout
    buyer = report(CONSENTED, "--for", "buyer").stdout
    assert "| Child | female" in caseworker and "| Child |" not in buyer
    assert "Moved by" in caseworker and "Moved by" not in buyer
    assert "job for an adult in the family" in caseworker
    assert "job for an adult" not in buyer
    assert "## Payments" in buyer and "## Visits" in buyer and "## Plan" in buyer
    data = yaml.safe_load((examples / "cases" / CONSENTED / "case.yaml").read_text())
    for text in (caseworker, buyer):
        assert data["child"]["pseudonym"] not in text
        for note in ("child_views", "family_views"):
            assert data["assessment"][note][:30] not in text


def test_supplier_report_holds_what_the_supplier_owes(examples: Path) -> None:
    edit_case(
        examples,
        CONSENTED,
        "      share_with_buyer:",
        '      share_with_supplier: {given: true, date: "2026-02-24"}\n      share_with_buyer:',
    )
    result = report(CONSENTED, "--for", "supplier")
    assert result.exit_code == 0, describe(result)
    text = result.stdout
    assert "## What the supplier owes" in text and "## Payments by the supplier" in text
    assert "| Child |" not in text and "## Visits" not in text and "sex" not in text
    assert "buyer |" not in text.split("## Payments by the supplier")[1].split("##")[0]
    data = yaml.safe_load((examples / "cases" / CONSENTED / "case.yaml").read_text())
    by_supplier = [p for p in data["payments"] if p["payer"] == "supplier"]
    assert len(by_supplier) < len(data["payments"])
    section = text.split("## Payments by the supplier")[1].split("##")[0]
    rows = [line for line in section.splitlines() if line.startswith("| 20")]
    assert len(rows) == len(by_supplier)
    for p in by_supplier:
        assert f"| {p['date']} |" in section


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def export(*args: str) -> Any:
    return run(["export", *args, "--as-of", EXAMPLES_AS_OF])


def test_export_for_the_buyer_only_consented_cases_and_columns(
    examples: Path, tmp_path: Path
) -> None:
    everything = export("--csv", str(tmp_path / "all"))
    assert everything.exit_code == 0
    total = len(read_csv(tmp_path / "all" / "cases.csv"))
    out = tmp_path / "buyer"
    result = export("--for", "buyer", "--csv", str(out), "--sqlite", str(tmp_path / "b.db"))
    assert result.exit_code == 0, describe(result)
    rows = read_csv(out / "cases.csv")
    day = dt.date.fromisoformat(EXAMPLES_AS_OF)
    consented = {
        p.parent.name
        for p in (examples / "cases").glob("*/case.yaml")
        if consent.covers(yamlio.read_file(p).data or {}, "buyer", day)
    }
    assert {r["id"] for r in rows} == consented and 0 < len(consented) < total
    assert f"left out {total - len(consented)} cases" in result.stderr
    for column in ("sex", "age_at_discovery", "age_band", "escalated_reason", "path", "region"):
        assert column not in rows[0]
    assert "moved_by" not in read_csv(out / "history.csv")[0]
    assert "visited_by" not in read_csv(out / "visits.csv")[0]
    meta = {r["key"]: r["value"] for r in read_csv(out / "meta.csv")}
    assert meta["audience"] == "buyer"
    assert meta["left_out_without_consent"] == str(total - len(consented))
    with sqlite3.connect(tmp_path / "b.db") as con:
        columns = [r[1] for r in con.execute("PRAGMA table_info(cases)")]
        assert "sex" not in columns
        assert con.execute("SELECT count(*) FROM cases").fetchone()[0] == len(consented)


def test_export_override_includes_every_case_and_records_it(examples: Path, tmp_path: Path) -> None:
    result = export(
        "--for", "buyer", "--csv", str(tmp_path / "out"),
        "--override-consent", "quarterly review with the buyer's remediation lead",
        "--by", "R. Ahmed",
    )  # fmt: skip
    assert result.exit_code == 0, describe(result)
    rows = read_csv(tmp_path / "out" / "cases.csv")
    assert len(rows) == 15
    assert "left out" not in result.stderr
    changed = sorted(
        line.split("/")[1] for line in git(examples, "diff", "--name-only").stdout.splitlines()
    )
    assert SILENT in changed and REFUSED in changed and CONSENTED not in changed
    for case_id in changed:
        data = yaml.safe_load((examples / "cases" / case_id / "case.yaml").read_text())
        assert consent.overrides(data)[-1]["by"] == "R. Ahmed"
    assert run(["validate", "--as-of", EXAMPLES_AS_OF, "--no-cache"]).exit_code == 0


def test_export_for_the_supplier_and_the_investor(examples: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert export("--csv", str(out)).exit_code == 0
    assert (out / "visits.csv").exists()
    edit_case(
        examples,
        CONSENTED,
        "      share_with_buyer:",
        '      share_with_supplier: {given: true, date: "2026-02-24"}\n      share_with_buyer:',
    )
    supplier = export("--for", "supplier", "--csv", str(out))
    assert supplier.exit_code == 0, describe(supplier)
    assert "left out 14 cases" in supplier.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "actions.csv",
        "cases.csv",
        "meta.csv",
        "payments.csv",
        "root_causes.csv",
    ]  # the earlier export's other tables are gone
    assert {r["payer"] for r in read_csv(out / "payments.csv")} == {"supplier"}
    assert all("supplier" in r["roles"].split(";") for r in read_csv(out / "actions.csv"))
    investor = export("--for", "investor", "--csv", str(out))
    assert investor.exit_code == 0, describe(investor)
    assert sorted(p.name for p in out.iterdir()) == ["figures.csv", "meta.csv"]
    figures = read_csv(out / "figures.csv")
    assert {r["scope"] for r in figures} == {"total"}
    cases = next(r for r in figures if r["metric"] == "cases" and r["sex"] == "all")
    assert cases["value"] == "15"
    # Groups (here: sexes) of fewer than five cases are suppressed.
    for row in figures:
        if row["metric"] == "suppressed":
            assert row["value"] == "true"


# --- the leak hunt --------------------------------------------------------------------------------


def test_leak_hunt_nothing_outside_the_encrypted_file_holds_the_child(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A whole scenario; then the name and the phone number are looked for everywhere."""
    key = Key(tmp_path / "keys" / "consultant.txt")
    monkeypatch.setenv("CLR_IDENTITY_FILE", str(key.path))
    monkeypatch.chdir(tmp_path)
    root = tmp_path / "leak-repo"
    assert run(["init", str(root), "--org", "Test Org", "--prefix", "TST"]).exit_code == 0
    set_recipients(root, key.public)
    monkeypatch.chdir(root)
    made = run(
        ["new-case", "--no-input", "--site", "Sunrise Garments", "--supplier", "SUP-1",
         "--country", "BD", "--sector", "garments", "--buyer", "Northwind", "--channel",
         "audit", "--work", "sewing", "--pseudonym", "Child A", "--sex", "female", "--age",
         "13", "--by", "R. Ahmed", "--name", NAME, "--child-contact", PHONE, "--as-of", AS_OF]
    )  # fmt: skip
    assert made.exit_code == 0, describe(made)
    case_id = made.stdout.strip()
    outputs = [made.stdout + made.stderr]
    steps = [
        ["identity", "set", case_id, "--guardian-name", "Rahima Begum"],
        ["tick", case_id, "report-triage", "--by", "R. Ahmed", "--as-of", AS_OF],
        ["advance", case_id, "--by", "R. Ahmed", "--as-of", AS_OF],
        ["report", case_id, "--for", "buyer", "--output", str(tmp_path / "buyer.md"),
         "--override-consent", "buyer funds the plan", "--by", "R. Ahmed", "--as-of", AS_OF],
        ["report", case_id, "--output", str(tmp_path / "team.md"), "--as-of", AS_OF],
        ["export", "--sqlite", str(tmp_path / "all.db"), "--csv", str(tmp_path / "csv"),
         "--as-of", AS_OF],
        ["export", "--for", "buyer", "--csv", str(tmp_path / "buyer-csv"), "--as-of", AS_OF],
        ["export", "--for", "investor", "--csv", str(tmp_path / "inv-csv"), "--as-of", AS_OF],
        ["status", "--as-of", AS_OF, "--format", "json"],
        ["show", case_id, "--as-of", AS_OF],
        ["validate", "--as-of", AS_OF],
    ]  # fmt: skip
    for args in steps:
        result = run(args)
        assert result.exit_code == 0, describe(result)
        outputs.append(result.stdout + result.stderr)
    commit_all(root, "a case, start to identified")
    assert run(["identity", "show", case_id, "--field", "name"]).stdout == f"{NAME}\n"

    needles = [NAME, "Amina", "Rahman", "Rahima", PHONE, "1711 555", "1711555123", "555 123"]
    blobs: dict[str, bytes] = {}
    objects = git(root, "rev-list", "--all", "--objects").stdout.splitlines()
    for sha in {line.split()[0] for line in objects if line.strip()}:
        kind = git(root, "cat-file", "-t", sha).stdout.strip()
        blobs[f"git {kind} {sha}"] = subprocess.run(
            ["git", "cat-file", "-p", sha], cwd=root, capture_output=True, check=True
        ).stdout
    assert any(b"-----BEGIN AGE ENCRYPTED FILE-----" in b for b in blobs.values())
    for path in [*tmp_path.rglob("*")]:
        if path.is_file() and not path.is_relative_to(key.path.parent):
            blobs[str(path)] = path.read_bytes()
    with sqlite3.connect(tmp_path / "all.db") as con:
        for (table,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            dump = repr(con.execute(f'SELECT * FROM "{table}"').fetchall())
            blobs[f"sqlite {table}"] = dump.encode()
    for i, text in enumerate(outputs):
        blobs[f"output {i}"] = text.encode()
    digits_only = "8801711555123"
    leaks = []
    for where, raw in blobs.items():
        text = raw.decode("utf-8", "replace")
        squeezed = "".join(ch for ch in text if ch.isdigit())
        leaks += [(where, n) for n in needles if n in text]
        if digits_only in squeezed and "AGE ENCRYPTED" not in text:
            leaks.append((where, "digits"))
    assert leaks == [], leaks
    assert (tmp_path / "buyer.md").read_text().startswith(f"# Case {case_id}")
    assert list((tmp_path / "runtime").iterdir()) == []


def test_git_is_asked_only_where_a_plaintext_file_may_be_and_misses_none(repo: Path) -> None:
    """validate asks git about untracked files only in case folders that hold something
    besides plain files (and outside cases/): a file added deep in a folder, whose case
    folder's time does not change, is still found, as is one in each other place."""
    first, second = new_case(), new_case()
    (repo / ".gitignore").write_text("node_modules/\n", encoding="utf-8")
    deep = repo / "cases" / first / "attachments" / "scans"
    deep.mkdir(parents=True)
    odd_name = repo / "cases" / "W[1]*?"
    (odd_name / "sub").mkdir(parents=True)
    (repo / "notes" / "2026").mkdir(parents=True)
    old = dt.datetime(2026, 1, 1).timestamp()
    for folder in (repo / "cases").iterdir():
        os.utime(folder, (old, old))  # settled: recorded as seen
    result = run(["validate", "--as-of", AS_OF, "-q"])
    raw = (repo / ".clr-cache" / "folders.memo").read_bytes()
    folders = marshal.loads(raw.partition(b"\n")[2])[2]  # (format, watched, folders, times)
    assert second in folders and first not in folders, folders
    plain = [
        deep / "scan.decrypted",  # under a sub-folder: its case folder's time is as it was
        repo / "cases" / second / "identity.yml",  # in a folder recorded as seen
        odd_name / "sub" / "identity.yaml",
        repo / "cases" / ".trash" / "old" / "identity.yaml",
        repo / "cases" / "loose.identity.yaml",
        repo / "notes" / "2026" / "b.identity.yaml",
        repo / "identity.yml",
    ]
    for path in plain:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"name: {NAME}\n", encoding="utf-8")
    (repo / "cases" / first / "attachments" / "scan.pdf.txt").write_text("x\n")
    expected = sorted(str(p.relative_to(repo)) for p in plain)
    for args in ([], ["--no-cache"]):
        result = run(["validate", "--as-of", AS_OF, "--format", "json", *args])
        doc = json.loads(result.stdout)
        found = sorted(
            f["path"] for file in doc["files"] for f in file["findings"] if f["code"] == "CLR501"
        )
        assert found == expected, (args, describe(result))
    # Told that nothing in cases/ may hold one, git looks only outside it.
    outside, problem = privacy.GitQuery(repo, []).answer()
    assert problem is None
    assert [p for p, _ in outside] == ["identity.yml", "notes/2026/b.identity.yaml"]


def test_git_answer_asked_for_after_a_long_check_is_still_read(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cold check of many cases outlasts git's time limit; git, long done, is read."""
    (repo / ".gitignore").write_text("node_modules/\n", encoding="utf-8")
    (repo / "identity.yml").write_text(f"name: {NAME}\n", encoding="utf-8")
    query = privacy.GitQuery(repo, [])
    monkeypatch.setattr(privacy, "GIT_TIMEOUT", 0)  # as if the checks took longer
    found, problem = query.answer()
    assert problem is None
    assert found == [("identity.yml", False)]
