"""The ``clr`` executable: answers ``--version`` at once, hands everything else to the CLI."""

from __future__ import annotations

import gc
import sys
from typing import Any


def main(prog_name: str = "clr") -> Any:
    """Run clr."""
    # Starting a command creates tens of thousands of objects that live to the end (modules,
    # classes, functions); the cyclic collector, run every 700 new objects, would walk them
    # again and again (4 % of `clr next`). Run it less often: reference counting still frees
    # at once everything that is not in a cycle.
    gc.set_threshold(50_000)
    if sys.argv[1:] == ["--version"]:
        from clr import __version__

        sys.stdout.write(f"clr {__version__}\n")
        return None
    from clr.cli import main as cli_main

    try:
        return cli_main(prog_name=prog_name)
    finally:
        # What is left is freed by the exit: without this the interpreter's last collection
        # walks every object once more (10,000 reports in a warm validate: 3 % of it).
        gc.freeze()
