"""Helpers for the workflow and new-case CLI tests: an in-process runner, repos, git.

The runner invokes clr's Typer app in-process (fast) but through the same error boundary
as the ``clr`` executable (``clr.cli._common.run_guarded``), so a ``ClrError`` becomes
``error: ...`` on stderr and its exit code, exactly as a user sees it. Internal errors
(bugs) are re-raised so that a test fails with the traceback.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from unittest import mock

import typer.main
import typer.testing
from typer.testing import CliRunner, Result

import clr.cli
from clr.cli._common import run_guarded

CLI_ENV: dict[str, str | None] = {
    "NO_COLOR": "1",
    "COLUMNS": "120",
    "TERM": "dumb",
    "CLR_USER": None,
    "CLR_NO_INPUT": None,
    "CLR_DEBUG": None,
    "PRE_COMMIT": None,
}
"""The environment of every in-process run (None removes a variable)."""

UNSET_VARS = ("CLR_USER", "CLR_NO_INPUT", "CLR_DEBUG", "PRE_COMMIT")

CASE_ID_RE = re.compile(r"^[A-Z][A-Z0-9]{1,11}-\d{4}-[0-9A-HJKMNP-TV-Z]{5,8}$")


class _Guarded:
    """A click-compatible command: clr's Typer app behind clr's own error boundary."""

    name = "clr"

    def __init__(self) -> None:
        self.command = typer.main.get_command(clr.cli.app)

    def main(self, args: Sequence[str] = (), prog_name: str = "clr", **extra: Any) -> Any:
        return run_guarded(
            lambda: self.command.main(args=list(args), prog_name=prog_name, **extra),
            debug=lambda: True,  # a bug raises in the test instead of becoming exit 2
        )


def run(
    args: Sequence[str | Path],
    *,
    input: str | None = None,
    env: Mapping[str, str | None] | None = None,
) -> Result:
    """Run ``clr ARGS`` in-process; return the result (exit_code, stdout, stderr)."""
    full_env = dict(CLI_ENV)
    full_env.update(env or {})
    # Typer vendors click: its runner is told to run the guarded command instead of the app.
    with mock.patch.object(typer.testing, "_get_command", lambda _app: _Guarded()):
        return CliRunner().invoke(
            clr.cli.app,
            [str(a) for a in args],
            input=input,
            env=full_env,
            catch_exceptions=False,
        )


def describe(result: Result) -> str:
    """Everything about a result, for assertion messages."""
    return f"exit {result.exit_code}\n--- stdout:\n{result.stdout}\n--- stderr:\n{result.stderr}"


def clr_executable() -> str:
    """The venv's ``clr`` script."""
    beside = Path(sys.executable).parent / "clr"
    if beside.is_file():
        return str(beside)
    found = shutil.which("clr")
    assert found, "the clr executable is not installed"
    return found


def subprocess_env(**extra: str) -> dict[str, str]:
    """The environment for running the ``clr`` executable or git in a subprocess."""
    env = {k: v for k, v in os.environ.items() if k not in UNSET_VARS}
    env.update(
        NO_COLOR="1",
        COLUMNS="120",
        GIT_AUTHOR_NAME="Test",
        GIT_AUTHOR_EMAIL="test@example.invalid",
        GIT_COMMITTER_NAME="Test",
        GIT_COMMITTER_EMAIL="test@example.invalid",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
    )
    env.update(extra)
    return env


def git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run git in ``root`` with a fixed identity and no user configuration."""
    return subprocess.run(
        ["git", "-c", "commit.gpgsign=false", "-c", "core.autocrlf=false", *args],
        cwd=root,
        env=subprocess_env(),
        capture_output=True,
        text=True,
        check=check,
        timeout=60,
    )


def commit_all(root: Path, message: str = "step") -> None:
    """``git add -A && git commit`` in ``root``."""
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def comment_lines(text: str) -> list[str]:
    """Every line of ``text`` that holds a comment (whole-line or after a value)."""
    return [line for line in text.splitlines() if "#" in line]


def assert_in_order(needles: Sequence[str], haystack: Sequence[str]) -> None:
    """Assert every needle occurs in ``haystack`` as a whole item, in the same order."""
    position = 0
    for needle in needles:
        try:
            position = list(haystack).index(needle, position) + 1
        except ValueError:
            raise AssertionError(f"line {needle!r} is missing or out of order") from None


CONFIG_TEXT = """\
schema_version: 1
organisation: Test Org
id_prefix: TST
"""


def make_repo(root: Path, config: str = CONFIG_TEXT) -> Path:
    """A bare case repository (clr.yaml and cases/) at ``root``, without git."""
    (root / "cases").mkdir(parents=True, exist_ok=True)
    (root / "clr.yaml").write_text(config, encoding="utf-8")
    return root
