"""The CLI in the language in force: choosing it before click parses, and translating help.

Help texts are translated here, centrally, rather than in each command module: after a
command is built, :func:`translate_command` looks up its help, short help and each
parameter's help in the catalogue, paragraph by paragraph, with the English text as the
msgid (``python -m clr.i18n.update`` collects them the same way, from the built commands).

typer marks its own texts ("Options", "[required]", …) with the standard library's
``gettext.gettext``, bound at import time, which picks its language from the environment
alone; :func:`speak` points those names at clr's catalogue instead, so ``--lang`` decides
for them too (clr's catalogue holds their texts). typer runs its own copy of click
(``typer._click``), whose texts ("Usage:", "Error: …", "No such option: …") are plain
literals: :func:`speak` translates those where they are printed, matching the messages
against the templates in ``ERRORS``.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any

from clr import i18n
from clr.i18n import N_, _

# The texts of typer's copy of click that clr translates: help and usage headings, and the
# usage errors people meet (a template's {fields} match anything; {message} is translated
# again, for errors within errors).
USAGE = N_("Usage:")
HELP_OPTION = N_("Show this message and exit.")
ERROR = N_("Error: {message}")
TRY_HELP = N_("Try '{command} {option}' for help.")
ERRORS = (
    N_("No such option: {name}"),
    N_("No such option: {name} (Possible options: {options})"),
    N_("Missing argument {name}."),
    N_("Missing option {name}."),
    N_("Missing parameter {name}."),
    N_("Invalid value for {name}: {message}"),
    N_("Invalid value: {message}"),
    N_("Got unexpected extra argument(s) ({args})"),
    N_("Option {name} does not take a value."),
    N_("Option {name} requires an argument."),
    N_("Option {name} requires {count} arguments."),
    N_("{value} is not one of {choices}."),
    N_("{value} is not a valid integer."),
    N_("{value} is not a valid float."),
    N_("{value} is not a valid boolean."),
    N_("{value} is not in the range {range}."),
)

_LANGUAGE_KEY = re.compile(r"^[ \t]*[\"']?language[\"']?[ \t]*:", re.MULTILINE)
_ROOT_FLAGS = ("--debug", "--version", "-h", "--help")
_TRANSLATED = "_clr_translated"


def option_in(argv: list[str]) -> str | None:
    """The value of the root ``--lang`` option, given before the command name, or None."""
    args = iter(argv)
    for arg in args:
        if arg == "--lang":
            return next(args, "")
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
        if arg not in _ROOT_FLAGS:
            return None
    return None


def configured(start: Path | None = None) -> str | None:
    """``language:`` of the ``clr.yaml`` at or above the current folder, or None.

    The file is parsed only when a line of it starts with the key ``language``: every other
    command starts without reading YAML here. A file that cannot be read says nothing (the command
    itself reports what is wrong with it).
    """
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        path = folder / "clr.yaml"
        if not os.path.lexists(path):
            continue
        from clr.io import files

        try:
            text = files.read_text(path)
        except (OSError, UnicodeDecodeError):
            return None
        if _LANGUAGE_KEY.search(text) is None:
            return None
        from clr.io import yamlio

        data = yamlio.read_file(path).data
        value = data.get("language") if isinstance(data, dict) else None
        return value if isinstance(value, str) else None
    return None


def choose(argv: list[str]) -> str:
    """The language of this run, from the arguments, the environment, clr.yaml, the locale.

    Raises:
        ConfigError: ``--lang`` or ``CLR_LANG`` names a language clr does not speak.
    """
    option = option_in(argv)
    if option is not None or os.environ.get(i18n.ENV):
        return i18n.choose(option)
    return i18n.choose(None, configured=configured())


def speak(lang: str) -> None:
    """Speak ``lang`` from now on: clr's messages and click's and typer's own texts."""
    i18n.activate(lang)
    if lang == "en":
        return
    import gettext

    ours = {"_": (gettext.gettext, i18n.gettext), "ngettext": (gettext.ngettext, i18n.ngettext)}
    for name, module in list(sys.modules.items()):
        if module is None or name.split(".")[0] not in ("click", "typer"):
            continue
        for attribute, (theirs, replacement) in ours.items():
            if getattr(module, attribute, None) is theirs:
                setattr(module, attribute, replacement)
    _translate_typer_click()


def translate_error(message: str) -> str:
    """A usage error of typer's click in the language in force (as it is if not known)."""
    for template in ERRORS:
        fields = _template_fields(template, message)
        if fields is None:
            continue
        if "message" in fields:
            fields["message"] = translate_error(fields["message"])
        return _(template).format(**fields)
    return message


def _template_fields(template: str, message: str) -> dict[str, str] | None:
    """The fields of ``message`` if it is ``template`` filled in (each field not empty).

    Found with string searches, in time linear in the message (a message holds what the user
    typed: a lazy regular expression per field took minutes over a crafted argument). A field
    ends at the first place its following text stands, as ``(.+?)`` would.
    """
    parts = re.split(r"\{(\w+)\}", template)
    head, tail = parts[0], parts[-1]
    if not message.startswith(head) or not message.endswith(tail):
        return None
    end = len(message) - len(tail)
    pos = len(head)
    fields: dict[str, str] = {}
    for i in range(1, len(parts) - 1, 2):
        name, after = parts[i], parts[i + 1]
        stop = end if i == len(parts) - 2 else message.find(after, pos + 1, end)
        if stop <= pos:
            return None
        fields[name] = message[pos:stop]
        pos = stop + (0 if i == len(parts) - 2 else len(after))
    return fields


def _translate_typer_click() -> None:
    """Translate the literal texts of typer's copy of click where they are printed."""
    try:
        from typer._click import core, exceptions, formatting, utils
    except ImportError:  # a typer that uses click itself: its gettext names are set above
        return
    if getattr(formatting.HelpFormatter, _TRANSLATED, False):
        return

    write_usage = formatting.HelpFormatter.write_usage

    def translated_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        write_usage(self, prog, args, f"{_(USAGE)} " if prefix is None else prefix)

    get_help_option = core.Command.get_help_option

    def translated_help_option(self: Any, ctx: Any) -> Any:
        option = get_help_option(self, ctx)
        if option is not None and option.help == HELP_OPTION:
            option.help = _(HELP_OPTION)
        return option

    def show_error(self: Any, file: Any = None) -> None:
        file = file if file is not None else sys.stderr
        message = _(ERROR).format(message=translate_error(self.format_message()))
        utils.echo(message, file=file, color=getattr(self, "show_color", None))

    def show_usage_error(self: Any, file: Any = None) -> None:
        file = file if file is not None else sys.stderr
        ctx = self.ctx
        color = None
        if ctx is not None:
            hint = ""
            if ctx.command.get_help_option(ctx) is not None:
                hint = _(TRY_HELP).format(command=ctx.command_path, option=ctx.help_option_names[0])
                hint += "\n"
            color = ctx.color
            utils.echo(f"{ctx.get_usage()}\n{hint}", file=file, color=color)
        message = _(ERROR).format(message=translate_error(self.format_message()))
        utils.echo(message, file=file, color=color)

    formatting.HelpFormatter.write_usage = translated_usage  # type: ignore[method-assign]
    core.Command.get_help_option = translated_help_option  # type: ignore[method-assign]
    exceptions.ClickException.show = show_error  # type: ignore[method-assign]
    exceptions.UsageError.show = show_usage_error  # type: ignore[method-assign]
    setattr(formatting.HelpFormatter, _TRANSLATED, True)


def text(value: str | None) -> str | None:
    """A help text in the language in force, paragraph by paragraph."""
    if not value or i18n.current() == "en":
        return value
    return "\n\n".join(i18n.gettext(p) for p in value.split("\n\n"))


def paragraphs(value: str | None) -> list[str]:
    """The msgids of a help text: its paragraphs (what :func:`text` looks up)."""
    return [p for p in (value or "").split("\n\n") if p.strip()]


def translate_command(command: Any) -> Any:
    """Translate a built click command's help texts in place (and its subcommands'); returns it."""
    if i18n.current() == "en" or getattr(command, _TRANSLATED, None) == len(command.params):
        return command
    command.help = text(command.help)
    command.short_help = text(command.short_help)
    command.epilog = text(getattr(command, "epilog", None))
    for param in command.params:
        if getattr(param, "help", None):
            param.help = text(param.help)
    for sub in getattr(command, "commands", {}).values():
        translate_command(sub)
    setattr(command, _TRANSLATED, len(command.params))
    return command


def help_texts(command: Any) -> list[str]:
    """Every help msgid of a built click command and its subcommands (for the catalogue)."""
    found: list[str] = []
    for value in (command.help, command.short_help, getattr(command, "epilog", None)):
        found += paragraphs(value)
    for param in command.params:
        found += paragraphs(getattr(param, "help", None))
    for sub in getattr(command, "commands", {}).values():
        found += help_texts(sub)
    return found
