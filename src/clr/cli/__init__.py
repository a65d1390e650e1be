"""The clr command line: Typer app, one module per command group, one error boundary."""

from __future__ import annotations

import os
import sys
from typing import Annotated, Any

import typer

from clr import __version__


def make_app() -> typer.Typer:
    """A clr app with the root options (--version, --debug) and no commands yet."""
    new = typer.Typer(
        name="clr",
        help=(
            "Child labour remediation case management in plain files.\n\n"
            "Each case is a YAML file in a git repository; clr checks it against the schema "
            "of its stage, says what to do next and by when, records each step, and "
            "summarises many cases at once."
        ),
        no_args_is_help=True,
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    new.callback()(_root)
    return new


_DEBUG = {"on": False}


def _version(value: bool) -> None:
    if value:
        typer.echo(f"clr {__version__}")
        raise typer.Exit()


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


def register_module(target: typer.Typer, module: str) -> None:
    """Add the commands of ``clr.cli.<module>`` to an app."""
    import importlib

    importlib.import_module(f"clr.cli.{module}").register(target)


def full_app() -> typer.Typer:
    """The app with every command (for tests, shell completion and unknown input)."""
    from clr.cli._registry import COMMANDS

    new = make_app()
    for module in dict.fromkeys(module for module, _ in COMMANDS.values()):
        register_module(new, module)
    return new


def _listing_app() -> typer.Typer:
    """An app for ``clr --help``: every command by name and summary, no options built."""
    from clr.cli._registry import COMMANDS

    new = make_app()
    for name, (_, summary) in COMMANDS.items():
        new.command(name, help=summary, add_help_option=False)(_placeholder)
    return new


def _placeholder() -> None:  # pragma: no cover - only listed in help, never run
    """Listed in the help; running a command builds the real one."""


def _app_for(argv: list[str]) -> typer.Typer:
    """The smallest app that handles ``argv`` exactly as the full app would."""
    from clr.cli._registry import COMMANDS

    if any(key.endswith("_COMPLETE") for key in os.environ):
        return full_app()
    words = [a for a in argv if not a.startswith("-")]
    if not words:
        return _listing_app() if not argv or set(argv) & {"-h", "--help"} else full_app()
    entry = COMMANDS.get(words[0])
    if entry is None:
        return _listing_app()
    new = make_app()
    register_module(new, entry[0])
    # Only the command asked for: Typer builds every registered command's options on each
    # run, and a module holds up to five commands.
    commands = [c for c in new.registered_commands if c.name == words[0]]
    groups = [g for g in new.registered_groups if g.name == words[0]]
    if commands or groups:
        new.registered_commands, new.registered_groups = commands, groups
    return new


def __getattr__(name: str) -> Any:
    # ``clr.cli.app`` (the full app) is built on first use, not on import.
    if name == "app":
        built = full_app()
        globals()["app"] = built
        return built
    raise AttributeError(name)


def main(prog_name: str = "clr", args: list[str] | None = None) -> Any:
    """Run clr: the one error boundary around every command."""
    from clr.cli._common import run_guarded

    argv = list(sys.argv[1:] if args is None else args)
    if argv == ["--version"]:
        sys.stdout.write(f"clr {__version__}\n")
        return None
    return run_guarded(
        lambda: _app_for(argv)(prog_name=prog_name, args=argv),
        debug=lambda: _DEBUG["on"] or "--debug" in argv,
    )
