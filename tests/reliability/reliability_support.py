"""Shared pieces of the reliability tests: repositories, running clr, a fork server.

Running ``python -m clr`` costs about 0.17 s of start-up (Python, Typer, Rich); the
corpus matrix runs well over a thousand commands, so most of them go through a *fork
server*: one Python process imports clr once, then forks a fresh child per command. Each
child is a real process with its own stdin (``/dev/null``), stdout, stderr, working
folder, environment and exit code, and it enters clr exactly where ``python -m clr``
does (``clr._entry.main``); only the imports are shared. ``test_corpus`` checks on a
sample that the fork server and ``python -m clr`` give the same exit codes and output,
and ``CLR_RELIABILITY_REAL=1`` runs the whole matrix with ``python -m clr`` instead.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

CASE_ID = "CLR-2026-ABCDE"
AS_OF = "2026-03-02"
CONFIG_TEXT = "schema_version: 1\norganisation: Test\nid_prefix: CLR\n"
CORPUS = Path(__file__).resolve().parent.parent / "corpus"

_DROPPED = ("CLR_", "GITHUB_", "CI", "PRE_COMMIT", "PYTHONBREAKPOINT", "FORCE_COLOR")


def clr_env(**extra: str) -> dict[str, str]:
    """The environment for every clr run: no colour, no CI or clr settings from outside."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_DROPPED)}
    env.update(NO_COLOR="1", COLUMNS="120", TERM="dumb", PYTHONDONTWRITEBYTECODE="1")
    env.update(extra)
    return env


def make_repo(root: Path, case: bytes | str | None = None, case_id: str = CASE_ID) -> Path:
    """A case repository at ``root``: clr.yaml and, if given, ``cases/<id>/case.yaml``."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "clr.yaml").write_text(CONFIG_TEXT, encoding="utf-8")
    (root / "cases").mkdir(exist_ok=True)
    if case is not None:
        folder = root / "cases" / case_id
        folder.mkdir()
        data = case.encode("utf-8") if isinstance(case, str) else case
        (folder / "case.yaml").write_bytes(data)
    return root


def case_path(root: Path, case_id: str = CASE_ID) -> Path:
    """Where the case file of ``case_id`` lives in the repository at ``root``."""
    return root / "cases" / case_id / "case.yaml"


def tree(root: Path) -> dict[str, bytes | None]:
    """Every file under ``root`` (relative path → bytes; None for folders and links)."""
    out: dict[str, bytes | None] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if rel.startswith(".clr-cache"):
            continue  # validate's result cache: allowed to change
        out[rel] = path.read_bytes() if path.is_file() and not path.is_symlink() else None
    return out


@dataclass
class Result:
    """How one clr run ended."""

    args: tuple[str, ...]
    code: int | None
    stdout: str
    stderr: str
    elapsed: float
    timed_out: bool = False
    # CPU time of the run and its children: a busy machine stretches the wall clock, not the
    # work, so limits on how much work an input may cost are checked against this.
    cpu: float = 0.0

    @property
    def output(self) -> str:
        """stdout and stderr together."""
        return self.stdout + self.stderr

    def describe(self) -> str:
        """Everything about the run, for assertion messages."""
        return (
            f"clr {' '.join(self.args)}: exit {self.code} in {self.elapsed:.2f} s"
            f" ({self.cpu:.2f} s of CPU)"
            f"{' (TIMED OUT)' if self.timed_out else ''}\n"
            f"--- stdout:\n{self.stdout[-3000:]}\n--- stderr:\n{self.stderr[-3000:]}"
        )


def run_clr(
    args: Sequence[str],
    cwd: Path,
    *,
    timeout: float = 10,
    env: dict[str, str] | None = None,
    **popen: object,
) -> Result:
    """Run ``python -m clr ARGS`` in ``cwd`` as a subprocess (stdin from /dev/null)."""
    start = time.monotonic()
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "clr", *args],
            cwd=cwd,
            env=env or clr_env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=False,
            **popen,  # type: ignore[arg-type]
        )
    except subprocess.TimeoutExpired as exc:
        return Result(
            tuple(args),
            None,
            _text(exc.stdout or b""),
            _text(exc.stderr or b""),
            time.monotonic() - start,
            timed_out=True,
        )
    return Result(
        tuple(args),
        done.returncode,
        _text(done.stdout),
        _text(done.stderr),
        time.monotonic() - start,
        cpu=_cpu(resource.getrusage(resource.RUSAGE_CHILDREN)) - _cpu(used),
    )


def _cpu(usage: resource.struct_rusage) -> float:
    return usage.ru_utime + usage.ru_stime


def _text(raw: bytes | str) -> str:
    return raw if isinstance(raw, str) else raw.decode("utf-8", "backslashreplace")


# --- the fork server ----------------------------------------------------------------------

_SERVER = r"""
import json, os, signal, sys, time, traceback
import clr._entry, clr.cli, clr.cli._common, clr.cases.caseops  # noqa
import clr.checks.validate, clr.views.load  # noqa
import clr.cli.cases, clr.cli.workflow, clr.cli.validate, clr.cli.migrate  # noqa
try:
    import clr.cli.bulk, clr.views.export, clr.views.report  # noqa
except ImportError:
    pass
control = os.fdopen(os.dup(1), "w", buffering=1)
devnull = os.open(os.devnull, os.O_RDWR)


def warm(folder, commands):
    # Run each command once in this process, output thrown away, so that the bundled
    # schemas and playbooks are loaded and compiled before the children are forked
    # (clr caches only bundled resources, never case files).
    saved = os.dup(1), os.dup(2)
    here = os.getcwd()
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    try:
        os.chdir(folder)
        for args in commands:
            sys.argv = ["clr", *args]
            try:
                clr._entry.main(prog_name="clr")
            except BaseException:
                pass
            sys.stdout.flush()
            sys.stderr.flush()
    finally:
        os.chdir(here)
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        os.close(saved[0])
        os.close(saved[1])
        clr.cli._DEBUG["on"] = False


setup = json.loads(sys.argv[1])
if setup.get("warm"):
    warm(setup["warm"], setup["commands"])
import gc
gc.collect()
gc.freeze()  # the children do not copy the parent's objects just to scan them
for line in sys.stdin:
    job = json.loads(line)
    out = os.open(job["out"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    err = os.open(job["err"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    sys.stdout.flush()
    sys.stderr.flush()
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.dup2(devnull, 0)
            os.dup2(out, 1)
            os.dup2(err, 2)
            sys.stdin = open(os.devnull)
            os.chdir(job["cwd"])
            os.environ.clear()
            os.environ.update(job["env"])
            sys.argv = ["clr", *job["args"]]
            if job.get("audit"):
                opened = open(job["audit"], "w", buffering=1)

                def hook(event, args, opened=opened):
                    if event == "open" and args and isinstance(args[0], (str, bytes)):
                        opened.write(os.path.abspath(os.fsdecode(args[0])) + "\n")

                sys.addaudithook(hook)
            try:
                clr._entry.main(prog_name="clr")
                code = 0
            except SystemExit as exc:
                if exc.code is None:
                    code = 0
                elif isinstance(exc.code, int):
                    code = exc.code
                else:
                    print(exc.code, file=sys.stderr)
                    code = 1
            except BaseException:
                traceback.print_exc()
                code = 1
        finally:
            try:
                sys.stdout.flush()
            except BaseException:
                pass
            try:
                sys.stderr.flush()
            except BaseException:
                pass
            os._exit(code & 0xFF)
    os.close(out)
    os.close(err)
    deadline = start + job["timeout"]
    timed_out = False
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            cpu = usage.ru_utime + usage.ru_stime
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            timed_out = True
            status = 0
            cpu = 0.0
            break
        time.sleep(0.001)
    elapsed = time.monotonic() - start
    code = None if timed_out else os.waitstatus_to_exitcode(status)
    answer = {"code": code, "elapsed": elapsed, "timed_out": timed_out, "cpu": cpu}
    control.write(json.dumps(answer) + "\n")
"""


class ForkServer:
    """One long-lived Python that forks a fresh child to run each clr command."""

    def __init__(self, warm_commands: Sequence[Sequence[str]] = ()) -> None:
        self._scratch = Path(tempfile.mkdtemp(prefix="clr-fork-"))
        setup: dict[str, object] = {}
        if warm_commands:
            warm = make_repo(self._scratch / "warm", MINIMAL_CASE)
            commands = [
                [a.replace("{export}", str(self._scratch / "export")) for a in c]
                for c in warm_commands
            ]
            setup = {"warm": str(warm), "commands": commands}
        self._proc = subprocess.Popen(
            [sys.executable, "-c", _SERVER, json.dumps(setup)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=clr_env(),
            text=True,
            bufsize=1,
        )
        self._lock = threading.Lock()
        self._count = 0

    def run(
        self,
        args: Sequence[str],
        cwd: Path,
        *,
        timeout: float = 10,
        env: dict[str, str] | None = None,
        audit: Path | None = None,
    ) -> Result:
        """Run ``clr ARGS`` in a forked child; same result shape as :func:`run_clr`.

        With ``audit``, the child writes the absolute path of every file it opens there
        (one a line, through a Python audit hook).
        """
        with self._lock:
            self._count += 1
            out = self._scratch / f"{self._count}.out"
            err = self._scratch / f"{self._count}.err"
            job = {
                "args": list(args),
                "cwd": str(cwd),
                "env": env or clr_env(),
                "out": str(out),
                "err": str(err),
                "timeout": timeout,
                "audit": str(audit) if audit else None,
            }
            assert self._proc.stdin is not None and self._proc.stdout is not None
            self._proc.stdin.write(json.dumps(job) + "\n")
            self._proc.stdin.flush()
            line = self._proc.stdout.readline()
        if not line:
            raise RuntimeError("the fork server died")
        answer = json.loads(line)
        result = Result(
            tuple(args),
            answer["code"],
            _text(out.read_bytes()),
            _text(err.read_bytes()),
            answer["elapsed"],
            timed_out=answer["timed_out"],
            cpu=answer["cpu"],
        )
        out.unlink()
        err.unlink()
        return result

    def close(self) -> None:
        """Stop the server and remove its scratch folder."""
        if self._proc.stdin is not None:
            self._proc.stdin.close()
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        if self._proc.stdout is not None:
            self._proc.stdout.close()
        shutil.rmtree(self._scratch, ignore_errors=True)


# --- cases ----------------------------------------------------------------------------------

MINIMAL_CASE = """\
# A minimal valid case in stage reported.
schema_version: 1
id: CLR-2026-ABCDE
playbook: child-labour
track: underage
stage: reported
opened: 2026-03-02
site:
  name: Factory 1
  country: BD
child:
  pseudonym: Child A
  sex: female
discovery:
  date: 2026-03-02
  channel: audit
history:
  - at: 2026-03-02T09:10:00Z
    from: null
    to: reported
    by: caseworker
"""

READY_CASE = """\
# A case in stage reported that holds everything stage identified needs.
schema_version: 1
id: CLR-2026-ABCDE
playbook: child-labour
track: underage  # the child is under the minimum age
stage: reported
opened: 2026-03-02
site:
  name: Factory 1
  supplier_id: SUP-1
  country: BD
  sector: garments
child:
  pseudonym: Child A
  sex: female
  estimated_age: 12
discovery:
  date: 2026-03-02
  channel: audit
  work: sewing buttons

# Each stage move, oldest first.
history:
  - at: 2026-03-02T09:10:00Z
    from: null
    to: reported
    by: caseworker
checklist:
  report-triage:
    done: 2026-03-02
    by: caseworker
"""
"""A case that ``clr advance --as-of 2026-03-02`` moves from reported to identified."""


def case_commands(outside: Path | str) -> list[tuple[str, list[str]]]:
    """Every clr command that reads a case, by a short name (``outside``: for exports)."""
    return [
        ("validate", ["validate"]),
        ("validate-json", ["validate", "--format", "json"]),
        ("validate-github", ["validate", "--format", "github"]),
        ("show", ["show", CASE_ID]),
        ("show-json", ["show", CASE_ID, "--format", "json"]),
        ("next", ["next", CASE_ID]),
        ("advance", ["advance", CASE_ID, "--by", "X"]),
        ("tick", ["tick", CASE_ID, "report-triage", "--by", "X"]),
        ("visit", ["visit", CASE_ID, "--method", "phone", "--not-working", "--by", "X"]),
        ("pay", ["pay", CASE_ID, "--amount", "1", "--currency", "BDT", "--payer", "supplier"]),
        ("follow-up", ["follow-up", CASE_ID, "--method", "phone", "--not-working", "--by", "X"]),
        ("reopen", ["reopen", CASE_ID, "--by", "X"]),
        ("status", ["status"]),
        ("stats", ["stats"]),
        ("report", ["report", CASE_ID]),
        ("export", ["export", "--csv", str(outside)]),
    ]
