"""Identity files after a crash, and in git: leftovers swept, rekey resumable, diffs readable.

* ``clr identity edit`` killed with SIGKILL while the editor is open cannot remove the
  plaintext it gave the editor; the next identity command removes it and says so.
* ``clr identity rekey`` stopped midway is finished by running it again; files already
  encrypted to the current recipients are skipped, a second run changes nothing, and the
  temporary files of the killed run are removed.
* ``clr git-setup`` makes ``git diff`` and ``git log -p`` show identity files decrypted
  (with the key), and one line without it; the diff never fails.

Every subprocess gets its own ``XDG_RUNTIME_DIR``, ``HOME`` and key file.
"""

from __future__ import annotations

import os
import random
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from clr.cases import identity
from helpers_workflow import clr_executable, commit_all, describe, git, run, subprocess_env

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
    """No key, configuration or runtime folder of the person running the tests is used."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    for name in ("CLR_IDENTITY_FILE", "CLR_USER", "CLR_NO_INPUT", "VISUAL", "EDITOR"):
        monkeypatch.delenv(name, raising=False)
    for name, value in subprocess_env().items():
        if name.startswith("GIT_"):
            monkeypatch.setenv(name, value)


def make_key(path: Path) -> str:
    result = run(["keygen", "--output", str(path)])
    assert result.exit_code == 0, describe(result)
    return result.stdout.strip()


def set_recipients(root: Path, *publics: str) -> None:
    config = root / "clr.yaml"
    text = config.read_text(encoding="utf-8")
    start = text.index("recipients:")
    lines = "".join(f"\n  - {p}" for p in publics)
    config.write_text(text[:start] + f"recipients:{lines or ' []'}\n", encoding="utf-8")


@pytest.fixture
def key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:
    path = tmp_path / "keys" / "me.txt"
    public = make_key(path)
    monkeypatch.setenv("CLR_IDENTITY_FILE", str(path))
    return path, public


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key: tuple[Path, str]) -> Path:
    root = tmp_path / "cases-repo"
    result = run(["init", str(root), "--org", "Test Org", "--prefix", "TST", "--no-input"])
    assert result.exit_code == 0, describe(result)
    set_recipients(root, key[1])
    monkeypatch.chdir(root)
    return root


def new_case(*flags: str) -> str:
    result = run(["new-case", "--no-input", *MINIMAL, *flags])
    assert result.exit_code == 0, describe(result)
    return result.stdout.strip()


def env_for_subprocess() -> dict[str, str]:
    keep = ("HOME", "XDG_CONFIG_HOME", "XDG_RUNTIME_DIR", "TMPDIR", "CLR_IDENTITY_FILE")
    return subprocess_env(**{k: os.environ[k] for k in keep if k in os.environ})


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], check=True,
                          capture_output=True, text=True)  # fmt: skip
    return int(done.stdout)


# --- identity edit killed ---------------------------------------------------------------------

SLEEPING_EDITOR = """
import pathlib, sys, time
pathlib.Path(sys.argv[1]).write_text(sys.argv[2], encoding="utf-8")
time.sleep(60)
"""


def test_plaintext_of_a_killed_identity_edit_is_swept_by_the_next_command(
    repo: Path, tmp_path: Path
) -> None:
    case_id = new_case("--name", NAME)
    script = tmp_path / "editor.py"
    script.write_text(SLEEPING_EDITOR, encoding="utf-8")
    opened = tmp_path / "opened.txt"
    env = env_for_subprocess()
    env["EDITOR"] = f"{shlex.quote(sys.executable)} {shlex.quote(str(script))} {opened}"
    proc = subprocess.Popen(
        [clr_executable(), "identity", "edit", case_id],
        cwd=repo,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not opened.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert opened.exists(), "the editor was never started"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # clr and its editor: nothing can clean up
        proc.wait(timeout=10)
    runtime = tmp_path / "runtime"
    (left,) = list(runtime.iterdir())
    assert left.name.startswith(f"{identity.PRIVATE_PREFIX}{proc.pid}-")
    assert NAME in "".join(p.read_text(encoding="utf-8") for p in left.iterdir())
    # A live process's folder is never touched.
    alive = runtime / f"{identity.PRIVATE_PREFIX}{os.getpid()}-abc"
    alive.mkdir(mode=0o700)
    shown = subprocess.run(
        [clr_executable(), "identity", "show", case_id, "--field", "name"],
        cwd=repo,
        env=env_for_subprocess(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout == f"{NAME}\n"
    assert f"removed {left}" in shown.stderr and "killed" in shown.stderr, shown.stderr
    assert not left.exists()
    assert alive.exists()


def test_sweep_removes_only_dead_processes_folders(tmp_path: Path) -> None:
    runtime = tmp_path / "runtime"
    dead = runtime / f"{identity.PRIVATE_PREFIX}{_dead_pid()}-x1"
    mine = runtime / f"{identity.PRIVATE_PREFIX}{os.getpid()}-x2"
    legacy_new = runtime / f"{identity.PRIVATE_PREFIX}ab_cd12"
    legacy_old = runtime / f"{identity.PRIVATE_PREFIX}zz_9y8x"
    other = runtime / "something-else"
    for folder in (dead, mine, legacy_new, legacy_old, other):
        folder.mkdir()
        (folder / "identity.yaml").write_text(f"name: {NAME}\n", encoding="utf-8")
    old = time.time() - identity.LEGACY_AGE - 60
    os.utime(legacy_old, (old, old))
    removed = identity.sweep_private_folders()
    assert sorted(removed) == sorted([dead, legacy_old])
    assert sorted(p.name for p in runtime.iterdir()) == sorted(
        p.name for p in (mine, legacy_new, other)
    )


# --- rekey resumable and idempotent ------------------------------------------------------------


def test_rekey_stopped_midway_is_finished_by_a_rerun_and_a_third_run_changes_nothing(
    repo: Path, tmp_path: Path, key: tuple[Path, str]
) -> None:
    cases = [new_case("--name", f"{NAME} {n}") for n in range(4)]
    newcomer = tmp_path / "newcomer.txt"
    set_recipients(repo, key[1], make_key(newcomer))
    paths = [repo / "cases" / c / identity.IDENTITY_FILE for c in cases]
    # A run stopped after the first file, leaving a temporary file for the second.
    first = run(["identity", "rekey", cases[0]])
    assert first.exit_code == 0, describe(first)
    stray = paths[1].with_name(f".{identity.IDENTITY_FILE}.{_dead_pid()}.0a1b2c3d4e5f.tmp")
    stray.write_bytes(paths[1].read_bytes()[:40])
    after_first = paths[0].read_bytes()

    rerun = run(["identity", "rekey"])
    assert rerun.exit_code == 0, describe(rerun)
    assert "re-encrypted 3 identity files; 1 already encrypted" in rerun.stderr, describe(rerun)
    assert f"removed cases/{cases[1]}/{stray.name}" in rerun.stderr, describe(rerun)
    assert not stray.exists()
    assert paths[0].read_bytes() == after_first  # skipped: not encrypted once more
    for number, case_id in enumerate(cases):
        shown = run(["identity", "show", case_id, "-i", str(newcomer), "--field", "name"])
        assert shown.stdout == f"{NAME} {number}\n", describe(shown)

    before = [p.read_bytes() for p in paths]
    third = run(["identity", "rekey"])
    assert third.exit_code == 0, describe(third)
    assert "re-encrypted 0 identity files; 4 already encrypted" in third.stderr
    assert [p.read_bytes() for p in paths] == before
    # A file changed by hand since (here: encrypted again by identity set) is done again.
    assert run(["identity", "set", cases[2], "--note", "moved"]).exit_code == 0
    fourth = run(["identity", "rekey"])
    assert "re-encrypted 1 identity file; 3 already encrypted" in fourth.stderr
    # The record lives in .clr-cache/, which git never sees.
    status = git(repo, "status", "--porcelain", "--untracked-files=all").stdout
    assert ".clr-cache" not in status and ".tmp" not in status, status


@pytest.mark.slow
def test_rekey_killed_at_random_moments_then_rerun_leaves_every_file_readable(
    repo: Path, tmp_path: Path, key: tuple[Path, str]
) -> None:
    cases = [new_case("--name", f"{NAME} {n}") for n in range(12)]
    newcomer = tmp_path / "newcomer.txt"
    set_recipients(repo, key[1], make_key(newcomer))
    rng = random.Random(17)
    for _ in range(6):
        proc = subprocess.Popen(
            [clr_executable(), "identity", "rekey"],
            cwd=repo,
            env=env_for_subprocess(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.2, 1.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        for case_id in cases:  # every file whole, for the old or the new recipients
            raw = (repo / "cases" / case_id / identity.IDENTITY_FILE).read_bytes()
            assert identity.looks_encrypted(raw)
            identity.decrypt_text(raw, identity.load_keys(key[0]), case_id)
    final = run(["identity", "rekey"])
    assert final.exit_code == 0, describe(final)
    for number, case_id in enumerate(cases):
        shown = run(["identity", "show", case_id, "-i", str(newcomer), "--field", "name"])
        assert shown.stdout == f"{NAME} {number}\n", describe(shown)
    leftovers = [p for p in (repo / "cases").rglob(".*.tmp")]
    assert leftovers == []


# --- git-setup and textconv ---------------------------------------------------------------------


def test_git_setup_makes_git_diff_and_log_show_identity_files_decrypted(
    repo: Path, tmp_path: Path
) -> None:
    case_id = new_case("--name", NAME)
    commit_all(repo, "first")
    setup = run(["git-setup"])
    assert setup.exit_code == 0, describe(setup)
    assert git(repo, "config", "--local", "diff.age.cachetextconv").stdout.strip() == "false"
    assert run(["identity", "set", case_id, "--name", "Amina R. Rahman"]).exit_code == 0
    rel = f"cases/{case_id}/{identity.IDENTITY_FILE}"
    env = env_for_subprocess()
    diff = subprocess.run(
        ["git", "diff", "--", rel], cwd=repo, env=env, capture_output=True, text=True, check=True
    )
    assert f"-name: {NAME}\n" in diff.stdout and "+name: Amina R. Rahman\n" in diff.stdout, (
        diff.stdout + diff.stderr
    )
    assert "BEGIN AGE" not in diff.stdout
    commit_all(repo, "renamed")
    log = subprocess.run(
        ["git", "log", "-p", "--", rel], cwd=repo, env=env, capture_output=True, text=True,
        check=True,
    )  # fmt: skip
    assert f"+name: {NAME}\n" in log.stdout and "+name: Amina R. Rahman\n" in log.stdout
    # Without the key: one line instead of the contents, and git diff still succeeds.
    env["CLR_IDENTITY_FILE"] = str(tmp_path / "no-such-key.txt")
    blind = subprocess.run(
        ["git", "log", "-p", "-1", "--", rel], cwd=repo, env=env, capture_output=True,
        text=True, check=False,
    )  # fmt: skip
    assert blind.returncode == 0, blind.stderr
    lines = [line for line in blind.stdout.splitlines() if "clr: identity file" in line]
    assert len(lines) == 2 and lines[0][0] == "-" and lines[1][0] == "+", blind.stdout
    assert all("encrypted (" in line and "not shown: no key file at" in line for line in lines)
    assert NAME not in blind.stdout


def test_textconv_never_fails(repo: Path, tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.age"
    damaged.write_bytes(b"-----BEGIN AGE ENCRYPTED FILE-----\nnot really\n")
    result = run(["identity", "textconv", str(damaged)])
    assert result.exit_code == 0
    assert result.stdout.startswith("(clr: identity file, encrypted (")
    assert "not shown:" in result.stdout
    assert len(result.stdout.splitlines()) == 1
    missing = run(["identity", "textconv", str(tmp_path / "gone.age")])
    assert missing.exit_code == 0 and missing.stdout.startswith("(clr: cannot read")


def test_git_setup_outside_git_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "plain"
    result = run(["init", str(root), "--org", "O", "--prefix", "TST", "--no-input", "--no-git"])
    assert result.exit_code == 0, describe(result)
    monkeypatch.chdir(root)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    setup = run(["git-setup"])
    assert setup.exit_code == 1 and "not in a git repository" in setup.stderr, describe(setup)
    assert "Traceback" not in setup.stderr
