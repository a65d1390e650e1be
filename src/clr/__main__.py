"""Run clr as ``python -m clr``."""

from clr.cli import main

main(prog_name="clr")
