"""Commands load lazily: clr --help builds none of them, a command builds only its module."""

from __future__ import annotations

import subprocess
import sys

import pytest

from clr.cli._registry import COMMANDS

PROBE = """
import sys
from clr.cli import main
try:
    main(args=sys.argv[1:])
except SystemExit:
    pass
print(",".join(sorted(m for m in sys.modules if m.startswith("clr.cli."))), file=sys.stderr)
"""


def _loaded(*args: str) -> tuple[str, set[str]]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        env={"COLUMNS": "80", "NO_COLOR": "1", "PATH": "/usr/bin:/bin"},
        timeout=60,
        check=False,
    )
    modules = set(proc.stderr.strip().splitlines()[-1].split(","))
    return proc.stdout, modules


def test_help_lists_every_command_without_importing_one() -> None:
    out, modules = _loaded("--help")
    assert modules <= {"clr.cli._registry", "clr.cli._common", "clr.cli._i18n"}, modules
    for name, (_, summary) in COMMANDS.items():
        assert f"  {name} " in out
        assert summary[:30] in out, name


@pytest.mark.parametrize("name", ["next", "status", "playbook"])
def test_a_command_imports_only_its_own_module(name: str) -> None:
    out, modules = _loaded(name, "--help")
    assert f"Usage: clr {name}" in out
    own = f"clr.cli.{COMMANDS[name][0]}"
    shared = {
        "clr.cli._registry",
        "clr.cli._common",
        "clr.cli._surface",
        "clr.cli._complete",
        "clr.cli._i18n",
    }
    assert modules - shared == {own}, modules
