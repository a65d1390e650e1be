"""Per-case keys and erasure: what is destroyed cannot be read, in git history either.

* With a key store, each identity file is encrypted to a key of its own case, whose
  private half the store keeps encrypted to the consultants; every consultant reads it.
* ``clr erase`` destroys that key: afterwards no version of the identity file in
  ``git log --all`` opens with any consultant's key, directly or through the store.
* The key is destroyed only after the redacted case file is written: an erasure cut short
  before that leaves the key and the identity readable, and one cut short after it is
  finished by running it again.
* Erasure keeps the figures: ``clr stats`` gives the same numbers before and after.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pyrage
import pytest
import yaml

from clr.cases import erasure, identity
from clr.cases.keystore import KeyStore
from helpers_workflow import commit_all, describe, git, run, subprocess_env

ROOT = Path(__file__).resolve().parents[2]
AS_OF = "2026-03-02"
NAME = "Amina Rahman"
MINIMAL = [
    "--site", "Sunrise Garments",
    "--country", "BD",
    "--channel", "audit",
    "--pseudonym", "Child A",
    "--sex", "female",
    "--by", "R. Ahmed",
    "--as-of", AS_OF,
]  # fmt: skip


@pytest.fixture(autouse=True)
def _private_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    for name in ("CLR_IDENTITY_FILE", "CLR_KEY_STORE", "CLR_USER", "VISUAL", "EDITOR"):
        monkeypatch.delenv(name, raising=False)
    for name, value in subprocess_env().items():
        if name.startswith("GIT_"):
            monkeypatch.setenv(name, value)


def make_key(path: Path) -> str:
    result = run(["keygen", "--output", str(path)])
    assert result.exit_code == 0, describe(result)
    return result.stdout.strip()


def add_config(root: Path, text: str) -> None:
    config = root / "clr.yaml"
    body = config.read_text(encoding="utf-8")
    if "recipients:" in body:
        body = body[: body.index("recipients:")]
    config.write_text(body + text, encoding="utf-8")


class Team:
    """Two consultants' keys, a case repository in git and its key store."""

    def __init__(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.keys = [tmp_path / "keys" / "a.txt", tmp_path / "keys" / "b.txt"]
        publics = [make_key(k) for k in self.keys]
        monkeypatch.setenv("CLR_IDENTITY_FILE", str(self.keys[0]))
        self.root = tmp_path / "cases-repo"
        self.store = KeyStore(tmp_path / "cases-keys")
        result = run(["init", str(self.root), "--org", "Test Org", "--prefix", "TST", "--no-input"])
        assert result.exit_code == 0, describe(result)
        lines = "".join(f"\n  - {p}" for p in publics)
        add_config(self.root, f"recipients:{lines}\nkey_store: ../cases-keys\n")
        monkeypatch.chdir(self.root)
        result = run(["keys", "init"])
        assert result.exit_code == 0, describe(result)
        if not (self.root / ".git").exists():
            git(self.root, "init", "-q")

    def consultant_keys(self) -> list[list[Any]]:
        return [identity.load_keys(k) for k in self.keys]


@pytest.fixture
def team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Team:
    return Team(tmp_path, monkeypatch)


def new_case(*flags: str) -> str:
    result = run(["new-case", "--no-input", *MINIMAL, *flags])
    assert result.exit_code == 0, describe(result)
    return result.stdout.strip()


def versions(root: Path, case_id: str) -> list[bytes]:
    """Every version of the case's identity file in ``git log --all``."""
    rel = f"cases/{case_id}/{identity.IDENTITY_FILE}"
    commits = git(root, "log", "--all", "--format=%H", "--", rel).stdout.split()
    blobs = set()
    for commit in commits:
        found = git(root, "rev-parse", "-q", "--verify", f"{commit}:{rel}", check=False)
        if found.returncode == 0:
            blobs.add(found.stdout.strip())
    return [
        subprocess.run(
            ["git", "cat-file", "blob", blob], cwd=root, capture_output=True, check=True
        ).stdout
        for blob in sorted(blobs)
    ]


def opens(raw: bytes, store: KeyStore, case_id: str, keys: list[Any]) -> bool:
    """True if ``keys`` open ``raw``, directly or through the case's key in the store."""
    tried = list(keys)
    if store.has(case_id):
        tried.insert(0, store.case_key(case_id, keys))
    try:
        pyrage.decrypt(raw, tried)
    except Exception:
        return False
    return True


# --- per-case keys ------------------------------------------------------------------------------


def test_identity_is_encrypted_to_its_case_key_which_every_consultant_can_open(
    team: Team,
) -> None:
    case_id = new_case("--name", NAME)
    raw = (team.root / "cases" / case_id / identity.IDENTITY_FILE).read_bytes()
    assert team.store.has(case_id)
    for keys in team.consultant_keys():
        with pytest.raises(pyrage.DecryptError):
            pyrage.decrypt(raw, keys)  # not to the consultants directly...
        assert opens(raw, team.store, case_id, keys)  # ...but through the case key
    for key_file in team.keys:
        shown = run(["identity", "show", case_id, "--field", "name", "-i", str(key_file)])
        assert shown.exit_code == 0, describe(shown)
        assert shown.stdout.strip() == NAME
    # the store holds no plaintext key
    assert b"AGE-SECRET-KEY" not in (team.store.root / "cases" / f"{case_id}.age").read_bytes()


def test_a_key_store_inside_a_git_repository_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    team = Team(tmp_path, monkeypatch)
    add_config(
        team.root,
        (team.root / "clr.yaml")
        .read_text(encoding="utf-8")[
            (team.root / "clr.yaml").read_text(encoding="utf-8").index("recipients:") :
        ]
        .replace("key_store: ../cases-keys", "key_store: keys-here"),
    )
    result = run(["keys", "init"])
    assert result.exit_code == 1, describe(result)
    assert "inside the git repository" in result.stderr
    assert not (team.root / "keys-here").exists()


# --- erasure in git history ---------------------------------------------------------------------


def test_after_erasure_no_version_in_git_history_opens_with_any_consultant_key(
    team: Team,
) -> None:
    case_id = new_case("--name", NAME, "--guardian-name", "Rahima Begum")
    commit_all(team.root, "new case")
    result = run(["identity", "set", case_id, "--contact", "+880 1711 000000"])
    assert result.exit_code == 0, describe(result)
    commit_all(team.root, "contact")
    git(team.root, "checkout", "-q", "-b", "side")
    result = run(["identity", "set", case_id, "--address", "Mirpur 10, Dhaka"])
    assert result.exit_code == 0, describe(result)
    commit_all(team.root, "address on a branch")
    git(team.root, "checkout", "-q", "-")
    history = versions(team.root, case_id)
    assert len(history) == 3
    for keys in team.consultant_keys():
        assert all(opens(raw, team.store, case_id, keys) for raw in history)

    result = run(
        ["erase", case_id, "--ground", "consent_withdrawn", "--approved-by", "M. Karim", "--yes",
         "--as-of", AS_OF]
    )  # fmt: skip
    assert result.exit_code == 0, describe(result)
    assert "none of the 3 version(s)" in result.stderr
    commit_all(team.root, "erase")

    history = versions(team.root, case_id)
    assert len(history) == 3  # the ciphertext is all still there...
    for keys in team.consultant_keys():
        assert not any(opens(raw, team.store, case_id, keys) for raw in history)  # ...unreadable
    assert not list(team.store.root.rglob(f"{case_id}*"))
    shown = run(["identity", "show", case_id])
    assert shown.exit_code == 1
    assert "was erased" in shown.stderr
    again = run(["identity", "set", case_id, "--name", NAME])
    assert again.exit_code == 1
    assert not (team.root / "cases" / case_id / identity.IDENTITY_FILE).exists()
    assert not team.store.has(case_id)
    # the erasure record holds no personal data, and names the destroyed key
    record_text = (team.root / "cases" / case_id / erasure.RECORD_FILE).read_text(encoding="utf-8")
    record = yaml.safe_load(record_text)
    assert record["case"] == case_id
    assert record["key_fingerprint"].startswith("sha256:")
    assert record["approved_by"] == "M. Karim"
    assert record["rule"] == "request: consent_withdrawn"
    assert len(record["commit"]) == 40
    for secret in (NAME, "Rahima", "1711", "Mirpur", "Child A"):
        assert secret not in record_text
    case = yaml.safe_load((team.root / "cases" / case_id / "case.yaml").read_text(encoding="utf-8"))
    assert case["child"]["pseudonym"] == erasure.ERASED
    assert case["privacy"]["erased"] == AS_OF
    assert case["history"][-1]["note"] == "identity erased: request: consent_withdrawn"
    assert run(["validate", "--as-of", AS_OF]).exit_code == 0


def test_erase_names_the_other_cases_that_may_hold_the_same_child(team: Team) -> None:
    first = new_case("--name", NAME, "--age", "12")
    second = new_case("--name", "Rahman Amina", "--age", "12")  # another case, same child
    third = new_case("--name", "Karim Uddin", "--age", "12")
    result = run(["erase", first, "--ground", "objection", "--approved-by", "M. K", "--yes"])
    assert result.exit_code == 0, describe(result)
    assert second in result.stderr
    assert third not in result.stderr


def test_erasure_without_a_key_store_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "plain"
    result = run(["init", str(root), "--org", "Test Org", "--prefix", "TST", "--no-input"])
    assert result.exit_code == 0, describe(result)
    monkeypatch.chdir(root)
    case_id = new_case()
    before = (root / "cases" / case_id / "case.yaml").read_bytes()
    result = run(["erase", case_id, "--ground", "objection", "--approved-by", "M. Karim", "--yes"])
    assert result.exit_code == 1, describe(result)
    assert "no key store" in result.stderr
    assert (root / "cases" / case_id / "case.yaml").read_bytes() == before


def test_erase_needs_a_known_ground_and_yes_without_a_terminal(team: Team) -> None:
    case_id = new_case("--name", NAME)
    wrong = run(["erase", case_id, "--ground", "boredom", "--approved-by", "M. Karim", "--yes"])
    assert wrong.exit_code == 2
    assert "consent_withdrawn" in wrong.stderr
    unasked = run(["erase", case_id, "--ground", "objection", "--approved-by", "M. Karim"])
    assert unasked.exit_code == 2
    assert "--yes" in unasked.stderr
    assert team.store.has(case_id)


# --- the order of the steps -------------------------------------------------------------------


def test_the_key_is_destroyed_only_after_the_redacted_case_is_on_disk(
    team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = new_case("--name", NAME)
    case_file = team.root / "cases" / case_id / "case.yaml"
    seen: dict[str, Any] = {}
    real = KeyStore.destroy

    def watching(self: KeyStore, which: str) -> Any:
        seen["case"] = yaml.safe_load(case_file.read_text(encoding="utf-8"))
        seen["record"] = (case_file.parent / erasure.RECORD_FILE).exists()
        return real(self, which)

    monkeypatch.setattr(KeyStore, "destroy", watching)
    result = run(["erase", case_id, "--ground", "objection", "--approved-by", "M. K", "--yes"])
    assert result.exit_code == 0, describe(result)
    assert seen["case"]["privacy"]["erased"]
    assert seen["case"]["child"]["pseudonym"] == erasure.ERASED
    assert seen["record"] is True


def test_an_erasure_killed_while_writing_the_case_keeps_the_key_and_the_case(
    team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = new_case("--name", NAME)
    case_file = team.root / "cases" / case_id / "case.yaml"
    before = case_file.read_bytes()

    def killed(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(erasure, "write_atomic", killed)
    result = run(["erase", case_id, "--ground", "objection", "--approved-by", "M. K", "--yes"])
    assert result.exit_code == 130, describe(result)
    assert case_file.read_bytes() == before
    assert team.store.has(case_id)
    shown = run(["identity", "show", case_id, "--field", "name"])
    assert shown.stdout.strip() == NAME


def test_an_erasure_cut_short_after_the_case_is_written_is_finished_by_running_it_again(
    team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = new_case("--name", NAME)
    with monkeypatch.context() as patch:

        def killed(self: KeyStore, which: str) -> None:
            raise KeyboardInterrupt

        patch.setattr(KeyStore, "destroy", killed)
        result = run(["erase", case_id, "--ground", "objection", "--approved-by", "M. K", "--yes"])
        assert result.exit_code == 130
    assert team.store.has(case_id)
    found = run(["validate", "--as-of", AS_OF, "--format", "json"])
    codes = [f["code"] for f in json.loads(found.stdout)["files"][0]["findings"]]
    assert "CLR603" in codes, found.stdout
    result = run(["erase", case_id, "--ground", "objection", "--approved-by", "M. K", "--yes"])
    assert result.exit_code == 0, describe(result)
    assert "finished erasing" in result.stderr
    assert not team.store.has(case_id)
    assert not (team.root / "cases" / case_id / identity.IDENTITY_FILE).exists()


# --- migrating a repository to per-case keys ------------------------------------------------------


def test_migrate_gives_identity_files_keys_of_their_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    team = Team(tmp_path, monkeypatch)
    config = team.root / "clr.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("key_store: ../cases-keys\n", ""), encoding="utf-8")
    case_id = new_case("--name", NAME)
    old = (team.root / "cases" / case_id / identity.IDENTITY_FILE).read_bytes()
    assert pyrage.decrypt(old, team.consultant_keys()[1])  # the old way: to the consultants
    config.write_text(text, encoding="utf-8")
    check = run(["validate", "--as-of", AS_OF, "--format", "json"])
    assert "CLR604" in check.stdout
    status = run(["keys", "status"])
    assert "without a case key (run clr migrate): 1" in status.stdout
    assert case_id in status.stdout
    result = run(["migrate"])
    assert result.exit_code == 0, describe(result)
    assert "1 identity file(s) moved to case keys" in result.stderr
    new = (team.root / "cases" / case_id / identity.IDENTITY_FILE).read_bytes()
    with pytest.raises(pyrage.DecryptError):
        pyrage.decrypt(new, team.consultant_keys()[1])
    assert opens(new, team.store, case_id, team.consultant_keys()[1])
    again = run(["migrate"])
    assert again.exit_code == 0
    assert "without a case key (run clr migrate): 0" in run(["keys", "status"]).stdout
    assert (team.root / "cases" / case_id / identity.IDENTITY_FILE).read_bytes() == new
    assert "CLR604" not in run(["validate", "--as-of", AS_OF, "--format", "json"]).stdout


def test_rekey_reseals_case_keys_and_leaves_identity_files_alone(
    team: Team, tmp_path: Path
) -> None:
    case_id = new_case("--name", NAME)
    path = team.root / "cases" / case_id / identity.IDENTITY_FILE
    before = path.read_bytes()
    third = tmp_path / "keys" / "c.txt"
    public = make_key(third)
    config = team.root / "clr.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("key_store:", f"  - {public}\nkey_store:"), encoding="utf-8")
    result = run(["identity", "rekey"])
    assert result.exit_code == 0, describe(result)
    assert path.read_bytes() == before
    shown = run(["identity", "show", case_id, "--field", "name", "-i", str(third)])
    assert shown.stdout.strip() == NAME, describe(shown)


# --- the figures stay --------------------------------------------------------------------------


def test_stats_add_up_the_same_after_the_closed_cases_are_erased(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "examples"
    shutil.copytree(ROOT / "examples", root, ignore=shutil.ignore_patterns("invalid", ".clr-cache"))
    key = tmp_path / "keys" / "a.txt"
    public = make_key(key)
    monkeypatch.setenv("CLR_IDENTITY_FILE", str(key))
    closed = [
        p.parent.name
        for p in sorted((root / "cases").glob("*/case.yaml"))
        if yaml.safe_load(p.read_text(encoding="utf-8"))["stage"] == "closed"
    ]
    assert len(closed) >= 3
    held, erased = closed[0], closed[1:]
    with (root / "clr.yaml").open("a", encoding="utf-8") as handle:
        handle.write(
            f"recipients:\n  - {public}\nkey_store: ../keys-store\n"
            "retention:\n  basis: Policy 4.2\n  approver: Country director\n"
            "  years_after_closure: {default: 5, duplicate: 1}\n"
            f"  legal_hold: {{{held}: court case pending}}\n"
        )
    monkeypatch.chdir(root)
    assert run(["keys", "init"]).exit_code == 0
    for case_id in closed:
        assert run(["identity", "set", case_id, "--name", NAME]).exit_code == 0
    as_of = "2032-01-01"
    before = json.loads(run(["stats", "--as-of", as_of, "--format", "json"]).stdout)
    plan = json.loads(run(["retention", "plan", "--as-of", as_of, "--format", "json"]).stdout)
    assert {r["case"]: r["status"] for r in plan["cases"]} == {
        **{c: "due" for c in erased},
        held: "held",
    }
    unchanged = {p: p.read_bytes() for p in (root / "cases").rglob("*") if p.is_file()}
    dry = run(["retention", "apply", "--approved-by", "Country director", "--dry-run",
               "--as-of", as_of])  # fmt: skip
    assert dry.exit_code == 0, describe(dry)
    assert sorted(line.split()[2] for line in dry.stdout.splitlines()) == erased
    assert {p: p.read_bytes() for p in (root / "cases").rglob("*") if p.is_file()} == unchanged
    result = run(["retention", "apply", "--approved-by", "Country director", "--yes",
                  "--as-of", as_of])  # fmt: skip
    assert result.exit_code == 0, describe(result)
    assert f"kept {held}: legal hold" in result.stderr
    after = json.loads(run(["stats", "--as-of", as_of, "--format", "json"]).stdout)
    assert after == before
    for case_id in erased:
        data = yaml.safe_load((root / "cases" / case_id / "case.yaml").read_text("utf-8"))
        assert "birth_date" not in data["child"]
        assert data["privacy"]["erased"] == as_of
        assert not (root / "cases" / case_id / identity.IDENTITY_FILE).exists()
    shown = run(["identity", "show", held, "--field", "name"])
    assert shown.stdout.strip() == NAME
    assert run(["validate", "--as-of", as_of]).exit_code == 0
    again = json.loads(run(["retention", "plan", "--as-of", as_of, "--format", "json"]).stdout)
    assert [r["case"] for r in again["cases"]] == [held]
    assert again["counts"]["erased"] == len(erased)


@pytest.mark.slow
def test_sigkill_at_any_moment_of_an_erasure_never_loses_a_key_still_needed(
    team: Team, tmp_path: Path
) -> None:
    """Killed at random moments: the key is gone only if the redacted case is on disk."""
    import os
    import random
    import signal
    import time

    from helpers_workflow import clr_executable

    case_id = new_case("--name", NAME)
    commit_all(team.root, "new case")
    pristine = tmp_path / "pristine"
    pristine.mkdir()
    shutil.copytree(team.root, pristine / "cases-repo", symlinks=True)
    shutil.copytree(team.store.root, pristine / "cases-keys")
    env = subprocess_env(
        HOME=os.environ["HOME"],
        XDG_CONFIG_HOME=os.environ["XDG_CONFIG_HOME"],
        CLR_IDENTITY_FILE=str(team.keys[0]),
    )
    command = [clr_executable(), "erase", case_id, "--ground", "objection",
               "--approved-by", "M. K", "--yes"]  # fmt: skip
    started = time.monotonic()
    subprocess.run(command, cwd=team.root, env=env, check=True, capture_output=True)
    whole = time.monotonic() - started
    rng = random.Random(7)
    outcomes = set()
    for attempt in range(12):
        place = tmp_path / f"try{attempt}"
        shutil.copytree(pristine, place, symlinks=True)
        root, store = place / "cases-repo", KeyStore(place / "cases-keys")
        case_file = root / "cases" / case_id / "case.yaml"
        before = case_file.read_bytes()
        proc = subprocess.Popen(command, cwd=root, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)  # fmt: skip
        time.sleep(rng.uniform(0.3, 1.3) * whole)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        data = yaml.safe_load(case_file.read_text(encoding="utf-8"))
        erased = erasure.is_erased(data)
        if not erased:
            assert case_file.read_bytes() == before
            assert store.has(case_id), "the key was destroyed before the case was redacted"
            assert (root / "cases" / case_id / identity.IDENTITY_FILE).exists()
        outcomes.add((erased, store.has(case_id)))
        again = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True)
        assert again.returncode == 0, again.stderr
        assert not store.has(case_id)
        assert erasure.is_erased(yaml.safe_load(case_file.read_text(encoding="utf-8")))
    print(f"states seen after SIGKILL (erased, key kept): {sorted(outcomes)}")


def test_git_log_shows_case_keyed_identity_files_decrypted_until_they_are_erased(
    team: Team,
) -> None:
    import os

    case_id = new_case("--name", NAME)
    commit_all(team.root, "first")
    assert run(["git-setup"]).exit_code == 0
    assert run(["identity", "set", case_id, "--name", "Amina R. Rahman"]).exit_code == 0
    commit_all(team.root, "renamed")
    rel = f"cases/{case_id}/{identity.IDENTITY_FILE}"
    env = subprocess_env(
        HOME=os.environ["HOME"],
        XDG_CONFIG_HOME=os.environ["XDG_CONFIG_HOME"],
        CLR_IDENTITY_FILE=str(team.keys[1]),
    )
    log = subprocess.run(["git", "log", "-p", "--", rel], cwd=team.root, env=env,
                         capture_output=True, text=True, check=True)  # fmt: skip
    assert f"+name: {NAME}\n" in log.stdout and "+name: Amina R. Rahman\n" in log.stdout
    result = run(["erase", case_id, "--ground", "objection", "--approved-by", "M. K", "--yes"])
    assert result.exit_code == 0, describe(result)
    commit_all(team.root, "erased")
    log = subprocess.run(["git", "log", "-p", "--", rel], cwd=team.root, env=env,
                         capture_output=True, text=True, check=True)  # fmt: skip
    assert NAME not in log.stdout and "Amina" not in log.stdout
    assert "clr: identity file, encrypted" in log.stdout


def test_erase_in_a_terminal_asks_first_and_no_changes_nothing(team: Team) -> None:
    import os

    import pexpect

    from helpers_workflow import clr_executable

    case_id = new_case("--name", NAME)
    case_file = team.root / "cases" / case_id / "case.yaml"
    before = case_file.read_bytes()
    env = subprocess_env(
        HOME=os.environ["HOME"],
        XDG_CONFIG_HOME=os.environ["XDG_CONFIG_HOME"],
        CLR_IDENTITY_FILE=str(team.keys[0]),
    )
    child = pexpect.spawn(
        clr_executable(),
        ["erase", case_id, "--ground", "objection", "--approved-by", "M. K"],
        cwd=str(team.root), env=env, encoding="utf-8", dimensions=(24, 80), timeout=60,
    )  # fmt: skip
    child.expect(r"cannot be undone \[y/N\]")
    child.sendline("n")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    assert case_file.read_bytes() == before
    assert team.store.has(case_id)
    child = pexpect.spawn(
        clr_executable(),
        ["erase", case_id, "--ground", "objection", "--approved-by", "M. K"],
        cwd=str(team.root), env=env, encoding="utf-8", dimensions=(24, 80), timeout=60,
    )  # fmt: skip
    child.expect(r"cannot be undone \[y/N\]")
    child.sendline("y")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert not team.store.has(case_id)


def test_the_name_lint_reads_identity_files_through_their_case_keys(team: Team) -> None:
    case_id = new_case("--name", NAME)
    case_file = team.root / "cases" / case_id / "case.yaml"
    text = case_file.read_text(encoding="utf-8")
    case_file.write_text(
        text.replace("\nsite:", f"\nnotes: Talked to {NAME} at the gate\nsite:", 1), "utf-8"
    )
    found = run(["validate", "--as-of", AS_OF, "--format", "json"])
    assert "CLR507" in found.stdout, found.stdout
    assert NAME not in found.stdout  # the finding masks the name


def test_erasing_a_migrated_case_says_its_older_versions_stay_readable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    team = Team(tmp_path, monkeypatch)
    config = team.root / "clr.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("key_store: ../cases-keys\n", ""), encoding="utf-8")
    case_id = new_case("--name", NAME)
    commit_all(team.root, "before key stores")
    config.write_text(text, encoding="utf-8")
    assert run(["migrate"]).exit_code == 0
    commit_all(team.root, "migrated")
    result = run(["erase", case_id, "--ground", "objection", "--approved-by", "M. K", "--yes"])
    assert result.exit_code == 0, describe(result)
    assert "1 of 2 version(s)" in " ".join(result.stderr.split())
    history = versions(team.root, case_id)
    readable = [
        raw for raw in history if opens(raw, team.store, case_id, team.consultant_keys()[0])
    ]
    assert len(history) == 2 and len(readable) == 1  # the version from before the migration


def test_erasing_an_identity_file_without_a_case_key_says_so_in_the_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    team = Team(tmp_path, monkeypatch)
    config = team.root / "clr.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("key_store: ../cases-keys\n", ""), encoding="utf-8")
    case_id = new_case("--name", NAME)
    commit_all(team.root, "before key stores")
    config.write_text(text, encoding="utf-8")  # a key store now, but no clr migrate
    result = run(["erase", case_id, "--ground", "objection", "--approved-by", "M. K", "--yes"])
    assert result.exit_code == 0, describe(result)
    flat = " ".join(result.stderr.split())
    assert "had no case key" in flat and "1 of 1 version(s)" in flat
    record = yaml.safe_load(
        (team.root / "cases" / case_id / erasure.RECORD_FILE).read_text("utf-8")
    )
    assert record["key_fingerprint"] == "none"
    assert "had no case key" in record["notes"][0]
