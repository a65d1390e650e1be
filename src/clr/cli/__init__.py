"""The clr command line: Typer app, one module per command group, one error boundary."""

from __future__ import annotations

import importlib
import os
import sys
from typing import Annotated, Any

import typer
import typer.main
from typer.core import TyperCommand, TyperGroup

from clr import __version__
from clr.cli import _i18n
from clr.cli._registry import COMMANDS


class LazyGroup(TyperGroup):
    """The root command: each command is built only when it is run (hatch's approach).

    ``clr next`` imports and builds ``next`` alone; ``clr --help`` lists every command
    from the table in ``_registry.py``, without importing any command module. Help texts
    are translated as each command is built (``_i18n.translate_command``).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _i18n.translate_command(self)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        """As click does, with the options typer adds after building (completion) translated."""
        _i18n.translate_command(self)
        super().format_help(ctx, formatter)

    def list_commands(self, ctx: Any) -> list[str]:  # ctx: a click Context (typer's own)
        """Every command of the table (and any registered directly)."""
        return list(dict.fromkeys([*COMMANDS, *self.commands]))

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        """The command ``cmd_name``, its module imported and its options built on first use."""
        built = super().get_command(ctx, cmd_name)
        if built is None and cmd_name in COMMANDS:
            built = self._build(ctx, cmd_name)
        if built is None or isinstance(built, _Listed):
            return built
        from clr.cli._surface import tidy

        return tidy(built, cmd_name)

    def _build(self, ctx: Any, cmd_name: str) -> Any:
        """Import the module of ``cmd_name`` and build that command alone."""
        single = make_app()
        register_module(single, COMMANDS[cmd_name][0])
        # Only the command asked for: a module holds up to five commands, and Typer builds
        # every registered command's options.
        single.registered_commands = [c for c in single.registered_commands if c.name == cmd_name]
        single.registered_groups = [g for g in single.registered_groups if g.name == cmd_name]
        command = typer.main.get_group(single).get_command(ctx, cmd_name)
        if command is not None:
            self.commands[cmd_name] = _i18n.translate_command(command)
        return command

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """As Typer does; for an unknown name, suggest a close one from the whole table."""
        if args and args[0] not in COMMANDS:
            for name in COMMANDS:
                self.commands.setdefault(name, _listed(name))
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """List every command with its summary from the table, none of them built."""
        saved = self.commands
        self.commands = {name: saved.get(name) or _listed(name) for name in self.list_commands(ctx)}
        try:
            super().format_commands(ctx, formatter)
        finally:
            self.commands = saved


class _Listed(TyperCommand):
    """A command as ``clr --help`` lists it, not built."""


def _listed(name: str) -> TyperCommand:
    """A command as ``clr --help`` lists it: its name and the summary of the table."""
    return _Listed(name=name, help=_i18n.text(COMMANDS[name][1]), add_help_option=False)


def make_app() -> typer.Typer:
    """The clr app: the root options (--version, --debug); commands load when they are run."""
    from clr.cli._common import forced_colour

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
        cls=LazyGroup,
        # FORCE_COLOR keeps colour on a pipe: click's echo would strip it otherwise.
        context_settings={"help_option_names": ["-h", "--help"], "color": forced_colour() or None},
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
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            metavar="LANG",
            help="The language to speak: en, fr, es or pt-BR (default: CLR_LANG, then "
            "language: in clr.yaml, then the locale).",
        ),
    ] = None,
) -> None:
    """Child labour remediation case management in plain files."""
    _DEBUG["on"] = debug or bool(os.environ.get("CLR_DEBUG"))


def register_module(target: typer.Typer, module: str) -> None:
    """Add the commands of ``clr.cli.<module>`` to an app."""
    importlib.import_module(f"clr.cli.{module}").register(target)


def full_app() -> typer.Typer:
    """The app with every command registered (for tests and tools that walk the commands)."""
    new = make_app()
    for module in dict.fromkeys(module for module, _ in COMMANDS.values()):
        register_module(new, module)
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
    undecodable = _undecodable(argv)
    if undecodable is not None:
        sys.stderr.write(
            f"error: argument {undecodable} is not UTF-8 text; nothing was changed\n"
            "hint: set your terminal and locale to UTF-8 (e.g. LANG=C.UTF-8), or retype it\n"
        )
        sys.exit(2)

    def run() -> Any:
        _i18n.speak(_i18n.choose(argv))
        return make_app()(prog_name=prog_name, args=argv)

    return run_guarded(run, debug=lambda: _DEBUG["on"] or "--debug" in argv)


def _undecodable(argv: list[str]) -> int | None:
    """The 1-based position of the first argument holding bytes that were not UTF-8, or None.

    Python hands such bytes over as lone surrogates (PEP 383); written to a file or encrypted
    they would fail deep inside a command, so they are refused at the door.
    """
    for number, arg in enumerate(argv, 1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            return number
    return None
