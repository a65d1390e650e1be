"""The ``clr`` executable: answers ``--version`` at once, hands everything else to the CLI."""

from __future__ import annotations

import sys
from typing import Any


def main(prog_name: str = "clr") -> Any:
    """Run clr."""
    if sys.argv[1:] == ["--version"]:
        from clr import __version__

        sys.stdout.write(f"clr {__version__}\n")
        return None
    from clr.cli import main as cli_main

    return cli_main(prog_name=prog_name)
