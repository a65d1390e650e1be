"""Run clr as ``python -m clr``."""

from clr._entry import main

main(prog_name="clr")
