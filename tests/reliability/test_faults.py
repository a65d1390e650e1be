"""Faults: killed writers, read-only files, a full disk, two writers at once, bugs, Ctrl-C.

* SIGKILL at random moments while clr writes: the case file is always exactly the old
  or exactly the new bytes; only ``.case.yaml.*.tmp`` files may be left over, and
  ``clr validate`` ignores them.
* A read-only file or folder, and a disk that takes no more bytes (``RLIMIT_FSIZE``):
  a clear error, exit 1, the file as it was, no temporary file left.
* Two ``clr advance`` at the same moment: one wins, the other is refused ("changed on
  disk" or "another clr"), the file holds exactly one new history entry.
* An unexpected exception: exit 2, a short message saying where to report it, no
  traceback and no data unless ``--debug``; local variables never. Ctrl-C: exit 130.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from reliability_support import (
    AS_OF,
    CASE_ID,
    MINIMAL_CASE,
    READY_CASE,
    Result,
    case_path,
    clr_env,
    make_repo,
    run_clr,
)

import clr.cli
from clr.io import yamlio

TMP_NAME = re.compile(r"^\.case\.yaml\..+\.tmp$")
SECRET = "Secret Child Name Zed"


def _big_case(marker: str, kib: int = 1024) -> str:
    """A valid case of about ``kib`` KiB whose notes are made of ``marker``."""
    line = (marker * 80)[:76]
    return MINIMAL_CASE + "notes: |\n" + f"  {line}\n" * (kib * 1024 // 80)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != "case.yaml")


def _driver(code: str) -> list[str]:
    """``python -c`` running ``code`` (dedented) with clr importable."""
    return [sys.executable, "-c", textwrap.dedent(code)]


# --- (a) SIGKILL at random moments ---------------------------------------------------------

_WRITER = """
    import sys
    from pathlib import Path
    from clr.io.edit import write_atomic

    path = Path(sys.argv[1])
    texts = [Path(name).read_text(encoding="utf-8") for name in sys.argv[2:4]]
    sys.stdout.write("ready\\n")
    sys.stdout.flush()
    i = 1
    while True:
        write_atomic(path, texts[i % 2], expected_digest=None)
        i += 1
"""


@pytest.mark.slow
def test_sigkill_during_write_atomic_leaves_the_old_or_the_new_file(tmp_path: Path) -> None:
    old, new = _big_case("o"), _big_case("n")
    (tmp_path / "old.txt").write_text(old, encoding="utf-8")
    (tmp_path / "new.txt").write_text(new, encoding="utf-8")
    root = make_repo(tmp_path / "repo", old)
    path = case_path(root)
    versions = {old.encode(), new.encode()}
    rng = random.Random(20260302)
    seen = set()
    for _run in range(40):
        proc = subprocess.Popen(
            [*_driver(_WRITER), str(path), str(tmp_path / "old.txt"), str(tmp_path / "new.txt")],
            stdout=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            env=clr_env(),
        )
        assert proc.stdout is not None
        assert proc.stdout.readline() == b"ready\n"
        time.sleep(rng.uniform(0, 0.05))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        proc.stdout.close()
        content = path.read_bytes()
        assert content in versions, f"partial file after SIGKILL: {len(content)} bytes"
        seen.add(content)
        strays = _leftovers(path.parent)
        assert all(TMP_NAME.match(name) for name in strays), strays
    # Temporary files are expected after SIGKILL (no handler can run); shown with -rP.
    print(f"temporary files left behind by 40 SIGKILLs: {len(_leftovers(path.parent))}")
    assert len(seen) == 2, "the kills never landed between two writes: make the case bigger"
    # Whatever the kills left behind, clr validate checks the case and names each leftover
    # (a warning: the case itself is whole).
    result = run_clr(["validate", "--as-of", AS_OF], root)
    assert result.code == 0, result.describe()
    for name in _leftovers(path.parent):
        assert f"{name}: CLR405" in result.output or name in result.output, result.describe()


@pytest.mark.slow
def test_sigkill_during_clr_visit_leaves_the_old_or_the_new_file(tmp_path: Path) -> None:
    old = _big_case("o", kib=512)
    args = ["visit", CASE_ID, "--method", "phone", "--not-working", "--by", "X"]
    args += ["--date", AS_OF, "--as-of", AS_OF]
    # The new version: what one uninterrupted run writes.
    reference = make_repo(tmp_path / "reference", old)
    done = run_clr(args, reference)
    assert done.code == 0, done.describe()
    new = case_path(reference).read_bytes()
    duration = done.elapsed
    rng = random.Random(7)
    outcomes = {"old": 0, "new": 0}
    for run in range(12):
        root = make_repo(tmp_path / f"run{run}", old)
        proc = subprocess.Popen(
            [sys.executable, "-m", "clr", *args],
            cwd=root,
            env=clr_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(duration * 0.5, duration * 1.05))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        content = case_path(root).read_bytes()
        assert content in (old.encode(), new), f"partial file after SIGKILL in run {run}"
        outcomes["old" if content == old.encode() else "new"] += 1
        strays = _leftovers(case_path(root).parent)
        assert all(TMP_NAME.match(name) for name in strays), strays
        shutil.rmtree(root)
    print(f"clr visit killed 12 times: file left old {outcomes['old']}, new {outcomes['new']}")


def test_validate_reports_temporary_files_left_by_a_killed_writer_and_visit_ignores_them(
    tmp_path: Path,
) -> None:
    root = make_repo(tmp_path / "repo", MINIMAL_CASE)
    folder = case_path(root).parent
    (folder / ".case.yaml.k3j9x_1a.tmp").write_text(MINIMAL_CASE[:200], encoding="utf-8")
    (folder / ".identity.yaml.age.4242.0a1b2c.tmp").write_bytes(b"")
    (root / "cases" / ".new-case-abc123").mkdir()
    (root / ".clr.yaml.77.ab.tmp").write_bytes(b"")
    (folder / "notes.tmp").write_bytes(b"")  # not a name clr uses: not reported
    result = run_clr(["validate", "--as-of", AS_OF, "--format", "json"], root)
    assert result.code == 0, result.describe()  # a warning: the case files are whole
    import json

    found = {
        (f["path"], f["findings"][0]["code"])
        for f in json.loads(result.stdout)["files"]
        if f["findings"]
    }
    where = f"cases/{CASE_ID}"
    assert found == {
        (f"{where}/.case.yaml.k3j9x_1a.tmp", "CLR405"),
        (f"{where}/.identity.yaml.age.4242.0a1b2c.tmp", "CLR405"),
        ("cases/.new-case-abc123", "CLR405"),
        (".clr.yaml.77.ab.tmp", "CLR405"),
    }, result.describe()
    strict = run_clr(["validate", "--as-of", AS_OF, "--strict"], root)
    assert strict.code == 1 and "CLR405" in strict.output, strict.describe()
    result = run_clr(["status", "--as-of", AS_OF], root)
    assert result.code == 0 and ".tmp" not in result.output, result.describe()
    visit = ["visit", CASE_ID, "--method", "phone", "--not-working", "--by", "X"]
    result = run_clr([*visit, "--as-of", AS_OF], root)
    assert result.code == 0, result.describe()


# --- (b) read-only file and folder -----------------------------------------------------------

VISIT = ["visit", CASE_ID, "--method", "phone", "--not-working", "--by", "X", "--as-of", AS_OF]


def _assert_clear_write_error(result: Result, path: Path, before: bytes) -> None:
    assert result.code == 1, result.describe()
    assert "Traceback" not in result.output, result.describe()
    assert "internal error" not in result.output, result.describe()
    assert "cannot write" in result.stderr or "ermission" in result.stderr, result.describe()
    assert "case.yaml" in result.stderr, result.describe()
    assert path.read_bytes() == before
    assert _leftovers(path.parent) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes files whatever their mode")
def test_read_only_file_and_folder_give_a_clear_error(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", MINIMAL_CASE)
    path = case_path(root)
    before = path.read_bytes()
    path.chmod(0o444)
    path.parent.chmod(0o555)
    try:
        _assert_clear_write_error(run_clr(VISIT, root), path, before)
    finally:
        path.parent.chmod(0o755)
        path.chmod(0o644)


@contextlib.contextmanager
def _immutable(target: Path) -> Iterator[None]:
    """``chattr +i``: not even root may change it (skip where the file system cannot)."""
    chattr = shutil.which("chattr")
    if chattr is None:
        pytest.skip("chattr is not installed")
    done = subprocess.run([chattr, "+i", str(target)], capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"chattr +i is not supported here: {done.stderr.decode().strip()}")
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", str(target)], capture_output=True, check=False)


@pytest.mark.parametrize("what", ["file", "folder"])
def test_immutable_file_or_folder_gives_a_clear_error_even_for_root(
    tmp_path: Path, what: str
) -> None:
    root = make_repo(tmp_path / "repo", MINIMAL_CASE)
    path = case_path(root)
    before = path.read_bytes()
    with _immutable(path if what == "file" else path.parent):
        result = run_clr(VISIT, root)
        _assert_clear_write_error(result, path, before)


_FAIL_AT = """
    import errno, os, sys
    from pathlib import Path
    where = sys.argv[1]
    real_open, real_replace = os.open, Path.replace

    def create(path, flags, *args, **kwargs):
        # The temporary file beside the case, made before the rename.
        if where == "create-temporary" and str(path).endswith(".tmp") and flags & os.O_CREAT:
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_open(path, flags, *args, **kwargs)

    def replace(self, target):
        if where == "rename":
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_replace(self, target)

    def exchange(src, dst, flags):
        raise PermissionError(errno.EACCES, "Permission denied")

    os.open = create
    Path.replace = replace
    if where == "rename":
        import clr.io.atomic

        clr.io.atomic.renameat2 = exchange  # the exchange that replaces a file on Linux
    sys.argv = ["clr", *sys.argv[2:]]
    from clr._entry import main
    main()
"""


@pytest.mark.parametrize("where", ["create-temporary", "rename"])
def test_permission_denied_while_writing_gives_a_clear_error(tmp_path: Path, where: str) -> None:
    """As root, chmod cannot make a folder read-only: the refusal is injected instead."""
    root = make_repo(tmp_path / "repo", MINIMAL_CASE)
    path = case_path(root)
    before = path.read_bytes()
    done = subprocess.run(
        [*_driver(_FAIL_AT), where, *VISIT],
        cwd=root,
        env=clr_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    result = Result(tuple(VISIT), done.returncode, done.stdout, done.stderr, 0.0)
    _assert_clear_write_error(result, path, before)


# --- (c) full disk -------------------------------------------------------------------------


def _small_files_only() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (1000, 1000))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def test_full_disk_gives_a_clear_error_and_leaves_the_file(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", _big_case("d", kib=8))
    path = case_path(root)
    before = path.read_bytes()
    result = run_clr(VISIT, root, preexec_fn=_small_files_only)
    _assert_clear_write_error(result, path, before)
    assert "too large" in result.stderr.lower() or "disk" in result.stderr.lower()


# --- (d) two writers at once ------------------------------------------------------------------

_AT_ONCE = """
    import os, sys
    import clr._entry, clr.cli, clr.cases.caseops, clr.cli.workflow  # noqa: F401 - warm up
    sys.stderr.write("ready\\n")
    sys.stderr.flush()
    sys.stdin.buffer.read(1)  # wait for the starting shot
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    sys.argv = ["clr", *sys.argv[1:]]
    clr._entry.main()
"""


@pytest.mark.slow
def test_two_advances_at_once_one_wins_the_other_is_refused(tmp_path: Path) -> None:
    args = ["advance", CASE_ID, "--by", "X", "--as-of", AS_OF]
    raced = attempts = 0
    while raced < 10:
        attempts += 1
        assert attempts <= 30, f"only {raced} of {attempts - 1} runs overlapped"
        root = make_repo(tmp_path / f"run{attempts}", READY_CASE)
        path = case_path(root)
        procs = [
            subprocess.Popen(
                [*_driver(_AT_ONCE), *args],
                cwd=root,
                env=clr_env(),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        for proc in procs:  # both have imported clr and wait
            assert proc.stderr is not None
            assert proc.stderr.readline() == "ready\n"
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("g")
            proc.stdin.close()
        results = []
        for proc in procs:
            assert proc.stdout is not None and proc.stderr is not None
            out, err = proc.stdout.read(), proc.stderr.read()
            proc.stdout.close()
            proc.stderr.close()
            results.append((proc.wait(timeout=30), out, err))
        codes = sorted(code for code, _, _ in results)
        data = yamlio.parse_bytes(path.read_bytes(), "case.yaml").data
        assert data is not None
        assert data["stage"] == "identified"
        assert len(data["history"]) == 2, "exactly one new history entry"
        assert [p.name for p in path.parent.iterdir()] == ["case.yaml"]
        assert codes == [0, 1], results
        loser = next(err for code, _, err in results if code == 1)
        assert "Traceback" not in loser
        if "cannot move from identified" in loser:
            continue  # the loser started after the winner had written: no race this time
        assert "changed on disk" in loser or "another clr" in loser, loser
        raced += 1
    check = run_clr(["validate", "--as-of", AS_OF], root)
    assert check.code == 0, check.describe()


# --- (e) the error boundary ---------------------------------------------------------------


@pytest.fixture
def repo_with_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = make_repo(tmp_path / "repo", MINIMAL_CASE.replace("Child A", SECRET))
    monkeypatch.chdir(root)
    for name, value in clr_env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("CLR_DEBUG", raising=False)
    clr.cli._DEBUG["on"] = False
    return root


def _boom(*_args: object, **_kwargs: object) -> None:
    child_name = SECRET  # a local variable holding personal data  # noqa: F841
    raise RuntimeError("secret-child-name")


@pytest.mark.parametrize(
    ("target", "args"),
    [
        ("clr.cases.caseops.open_case", ["show", CASE_ID]),
        ("clr.model.workflow.open_actions", ["next", CASE_ID, "--as-of", AS_OF]),
        ("clr.checks.validate.validate_paths", ["validate"]),
        ("clr.cases.caseops.advance", ["advance", CASE_ID, "--by", "X"]),
    ],
)
def test_unexpected_exception_is_a_short_message_with_exit_2(
    repo_with_secret: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    target: str,
    args: list[str],
) -> None:
    monkeypatch.setattr(target, _boom)
    with pytest.raises(SystemExit) as exit_info:
        clr.cli.main(args=args)
    assert exit_info.value.code == 2
    out, err = capsys.readouterr()
    assert "internal error" in err
    assert "RuntimeError" in err
    assert "report" in err and "--debug" in err
    for text in (out, err):
        assert "secret-child-name" not in text
        assert SECRET not in text
        assert "Traceback" not in text
    assert len(err.splitlines()) <= 3, err


def test_debug_shows_the_traceback(repo_with_secret: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("clr.cases.caseops.open_case", _boom)
    with pytest.raises(RuntimeError, match="secret-child-name"):
        clr.cli.main(args=["--debug", "show", CASE_ID])
    clr.cli._DEBUG["on"] = False


_BOOM_DRIVER = """
    import sys
    import clr.model.workflow

    def boom(*args, **kwargs):
        child_name = {secret!r}  # a local variable holding personal data
        raise RuntimeError("secret-child-name")

    clr.model.workflow.open_actions = boom
    sys.argv = ["clr", *sys.argv[1:]]
    from clr._entry import main
    main()
"""


@pytest.mark.parametrize("debug", ["none", "--debug", "CLR_DEBUG"])
def test_no_local_variables_in_any_output(tmp_path: Path, debug: str) -> None:
    """Even the --debug traceback names no local variable's value (e.g. the child's name)."""
    root = make_repo(tmp_path / "repo", MINIMAL_CASE.replace("Child A", SECRET))
    args = ["show", CASE_ID, "--as-of", AS_OF]
    env = clr_env()
    if debug == "--debug":
        args = ["--debug", *args]
    elif debug == "CLR_DEBUG":
        env["CLR_DEBUG"] = "1"
    done = subprocess.run(
        [*_driver(_BOOM_DRIVER.format(secret=SECRET)), *args],
        cwd=root,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    output = done.stdout + done.stderr
    # The driver's own source line may be quoted in a traceback: it is not a variable's value.
    quoted = f"child_name = {SECRET!r}"
    assert SECRET not in output.replace(quoted, ""), output
    if debug == "none":
        assert done.returncode == 2, output
        assert "Traceback" not in output and "secret-child-name" not in output, output
    else:
        assert done.returncode == 1, output
        assert "Traceback" in output and "RuntimeError: secret-child-name" in output, output


# --- Ctrl-C ------------------------------------------------------------------------------


def test_ctrl_c_at_a_new_case_prompt_exits_130(tmp_path: Path) -> None:
    pexpect = pytest.importorskip("pexpect")
    root = make_repo(tmp_path / "repo")
    env = clr_env(TERM="xterm")
    child = pexpect.spawn(
        sys.executable,
        ["-m", "clr", "new-case"],
        cwd=str(root),
        env=env,
        encoding="utf-8",
        timeout=20,
        dimensions=(40, 120),
    )
    child.expect("Site")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    output = child.before or ""
    assert child.exitstatus == 130, output
    assert "Traceback" not in output
    assert list((root / "cases").iterdir()) == []


_SLOW_VALIDATE = """
    import sys, time
    import clr.checks.validate

    real = clr.checks.validate.check_case_file

    def slow(*args, **kwargs):
        time.sleep(0.05)
        return real(*args, **kwargs)

    clr.checks.validate.check_case_file = slow
    sys.argv = ["clr", *sys.argv[1:]]
    from clr._entry import main
    main()
"""


@pytest.mark.parametrize(
    "jobs",
    [
        "1",
        "8",
    ],
)
def test_ctrl_c_during_a_long_validate_exits_130_without_traceback(
    tmp_path: Path, jobs: str
) -> None:
    root = make_repo(tmp_path / "repo")
    for i in range(300):
        case_id = f"CLR-2026-{i:05d}"
        folder = root / "cases" / case_id
        folder.mkdir()
        (folder / "case.yaml").write_text(MINIMAL_CASE.replace(CASE_ID, case_id))
    proc = subprocess.Popen(
        [*_driver(_SLOW_VALIDATE), "validate", "--no-cache", "--jobs", jobs, "-q"],
        cwd=root,
        env=clr_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's Ctrl-C reaches
        # A shell that starts jobs in the background ignores SIGINT for them; a terminal
        # user's clr does not.
        preexec_fn=_default_sigint,
    )
    time.sleep(1.5)  # well inside the run: 300 files at 50 ms each, at most 8 at a time
    assert proc.poll() is None, "validate finished before Ctrl-C"
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "Traceback" not in out + err, err
    assert err.strip().splitlines()[-1].startswith("interrupted: clr stopped"), err


def _default_sigint() -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


_CTRL_C_AT_FORK = """
    import os, signal, sys
    import clr.checks.validate

    fired = []

    def interrupt() -> None:
        # The Ctrl-C lands inside the parent's fork handlers, as it can when a user presses
        # it while the pool starts its workers.
        if not fired:
            fired.append(1)
            os.kill(os.getpid(), signal.SIGINT)

    os.register_at_fork(after_in_parent=interrupt)
    sys.argv = ["clr", *sys.argv[1:]]
    from clr._entry import main
    main()
"""


def test_ctrl_c_while_the_pool_forks_its_workers_is_not_lost(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    for i in range(300):
        case_id = f"CLR-2026-{i:05d}"
        folder = root / "cases" / case_id
        folder.mkdir()
        (folder / "case.yaml").write_text(MINIMAL_CASE.replace(CASE_ID, case_id))
    done = subprocess.run(
        [*_driver(_CTRL_C_AT_FORK), "validate", "--no-cache", "--jobs", "2", "-q"],
        cwd=root,
        env=clr_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_default_sigint,
    )
    assert done.returncode == 130, done.stderr
    assert "Exception ignored" not in done.stderr, done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("interrupted: clr stopped")


def test_a_temporary_file_in_a_folder_validate_saw_clean_is_still_reported(
    tmp_path: Path,
) -> None:
    """validate lists only case folders changed since it last saw them clean: a leftover
    changes the folder, so it is found however old the record is."""
    root = make_repo(tmp_path / "repo", MINIMAL_CASE)
    folder = case_path(root).parent
    old = time.time() - 3600
    os.utime(folder, (old, old))  # long settled: its time is recorded
    first = run_clr(["validate", "--as-of", AS_OF], root)
    assert first.code == 0 and "CLR405" not in first.output, first.describe()
    memo = root / ".clr-cache" / "folders.memo"
    assert CASE_ID.encode() in memo.read_bytes()
    (folder / ".case.yaml.4242.0a1b2c3d4e5f.tmp").write_bytes(b"half")
    second = run_clr(["validate", "--as-of", AS_OF], root)
    assert ".case.yaml.4242.0a1b2c3d4e5f.tmp" in second.output, second.describe()
    assert "CLR405" in second.output, second.describe()
