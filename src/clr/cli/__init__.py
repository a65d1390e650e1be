"""The clr command line: Typer app, one module per command group, one error boundary."""

from __future__ import annotations

import os
import sys
from typing import Annotated, Any

import typer

from clr import __version__

app = typer.Typer(
    name="clr",
    help=(
        "Child labour remediation case management in plain files.\n\n"
        "Each case is a YAML file in a git repository; clr checks it against the schema of "
        "its stage, says what to do next and by when, records each step, and summarises "
        "many cases at once."
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

_DEBUG = {"on": False}


def _version(value: bool) -> None:
    if value:
        typer.echo(f"clr {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = None,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the full traceback of an internal error.")
    ] = False,
) -> None:
    """Child labour remediation case management in plain files."""
    _DEBUG["on"] = debug or bool(os.environ.get("CLR_DEBUG"))


def _register() -> None:
    from clr.cli import bulk as _bulk
    from clr.cli import cases as _cases
    from clr.cli import migrate as _migrate
    from clr.cli import playbook as _playbook
    from clr.cli import schema as _schema
    from clr.cli import validate as _validate
    from clr.cli import workflow as _workflow

    _cases.register(app)
    _validate.register(app)
    _workflow.register(app)
    _playbook.register(app)
    _schema.register(app)
    _migrate.register(app)

    _bulk.register(app)


_register()


def main(prog_name: str = "clr", args: list[str] | None = None) -> Any:
    """Run clr: the one error boundary around every command."""
    from clr.cli._common import run_guarded

    return run_guarded(
        lambda: app(prog_name=prog_name, args=args),
        debug=lambda: _DEBUG["on"] or "--debug" in (args if args is not None else sys.argv),
    )
