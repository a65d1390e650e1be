"""One command-line surface: metavars, usage lines and the old spellings of options.

Every command passes through :func:`tidy` once it is built (``LazyGroup.get_command``), so a
command added anywhere follows the same rules without repeating them:

- metavars are upper-case words: ``TEXT``, ``INTEGER``, ``NUMBER``, ``PATH``, a choice's
  ``FORMAT``/``COLUMN``/… (its values listed in the help), an argument's name (``CASE``);
- an option renamed keeps its old spelling for a while: :data:`RENAMED` maps the old to the
  new one per command, the old one is rewritten before parsing and a warning goes to stderr;
- a parameter that takes a word of clr's (a case id, a stage, a closure reason, a role…)
  completes it in the shell (``_complete.completer_for``).

``tests/cli/test_surface.py`` walks every command and checks these rules and the others
(``-f`` is always ``--format``, ``--note`` not ``--notes``, ``--by`` is a person, dates take
``DATE``, every ``--format`` is a checked choice).
"""

from __future__ import annotations

import sys
from typing import Any

from typer.core import TyperArgument

from clr.i18n import _

RENAMED: dict[str, dict[str, str]] = {
    "init": {"-f": "--force"},
    "visit": {"--notes": "--note"},
    "pay": {"--notes": "--note"},
    "identity set": {"--notes": "--note"},
    "stats": {"--by": "--group-by"},
    "playbook show": {"-s": "--stage", "-r": "--role"},
}
"""Old spellings of options, by command path (without ``clr``): old -> new."""

# A choice's metavar: a word for what is chosen (the values are listed in the help).
_CHOICE_WORDS = {
    "--format": "FORMAT",
    "--sort": "COLUMN",
    "--group-by": "FIELD",
    "--for": "AUDIENCE",
}

# A type's metavar when an option names none.
_TYPE_WORDS = {
    "str": "TEXT",
    "text": "TEXT",
    "int": "INTEGER",
    "int range": "INTEGER",
    "integer": "INTEGER",
    "integer range": "INTEGER",
    "float": "NUMBER",
    "float range": "NUMBER",
    "path": "PATH",
    "filename": "PATH",
    "file": "PATH",
    "directory": "PATH",
}


class _Argument(TyperArgument):
    """An argument shown as its upper-case metavar: ``CASE``, ``[PATH]...``, never ``{case}``."""

    def make_metavar(self, ctx: Any, *, usage: bool = False) -> str:
        var = self.metavar or (self.name or "").upper()
        if usage and not self.required and not var.startswith("["):
            return f"[{var}]"
        return var


def tidy(command: Any, path: str = "") -> Any:
    """Give a built command (and its subcommands) clr's metavars and old spellings; once."""
    if getattr(command, "_clr_tidy", False):
        return command
    command._clr_tidy = True
    path = path or (command.name or "")
    command._clr_path = path
    from clr.cli._complete import completer_for

    for param in command.params:
        if getattr(param, "_custom_shell_complete", None) is None:
            param._custom_shell_complete = completer_for(path, param)
        if isinstance(param, TyperArgument):
            _tidy_argument(param)
        elif not getattr(param, "is_flag", False) and not getattr(param, "count", False):
            _tidy_option(param)
    if path in RENAMED:
        command.__class__ = _renaming(type(command))
        command._clr_renamed = RENAMED[path]
    for name, sub in getattr(command, "commands", {}).items():
        tidy(sub, f"{path} {name}")
    return command


def _tidy_argument(param: Any) -> None:
    if param.metavar is None:
        param.metavar = (param.name or "").upper() + ("..." if param.nargs != 1 else "")
    if type(param) is TyperArgument:
        param.__class__ = _Argument


def _tidy_option(param: Any) -> None:
    if param.metavar is not None:
        return
    values = getattr(param.type, "choices", None)
    if values is not None:
        long = max(param.opts, key=len)
        param.metavar = _CHOICE_WORDS.get(long, long.lstrip("-").replace("-", "_").upper())
        shown = [str(getattr(v, "value", v)) for v in values]
        help_text = param.help or ""
        missing = [v for v in shown if v not in help_text]
        if missing:
            param.help = (help_text.rstrip(".") + ": " if help_text else "") + (
                ", ".join(shown) + "."
            )
        return
    param.metavar = _TYPE_WORDS.get(param.type.name, param.type.name.upper())


_RENAMING: dict[type, type] = {}


def _renaming(base: type) -> type:
    """``base`` with old spellings of options rewritten before click parses them."""
    if base not in _RENAMING:

        def parse_args(self: Any, ctx: Any, args: list[str]) -> list[str]:
            return base.parse_args(self, ctx, _rewrite(self, args))  # type: ignore[attr-defined,no-any-return]

        _RENAMING[base] = type(base.__name__, (base,), {"parse_args": parse_args})
    return _RENAMING[base]


def _rewrite(command: Any, args: list[str]) -> list[str]:
    """The arguments with each old spelling of an option replaced by the new one (warned)."""
    renamed: dict[str, str] = command._clr_renamed
    takes_value = {
        opt
        for param in command.params
        if not isinstance(param, TyperArgument)
        and not getattr(param, "is_flag", False)
        and not getattr(param, "count", False)
        for opt in param.opts
    }
    out: list[str] = []
    tokens = iter(args)
    for token in tokens:
        if token == "--":
            out.append(token)
            out.extend(tokens)
            break
        name, sep, value = token.partition("=") if token.startswith("--") else (token, "", "")
        new = renamed.get(name)
        if new is not None:
            _warn(command, name, new)
            token = f"{new}{sep}{value}"
            name = new
        out.append(token)
        if name in takes_value and not sep:
            following = next(tokens, None)
            if following is not None:
                out.append(following)
    return out


def _warn(command: Any, old: str, new: str) -> None:
    sys.stderr.write(
        _(
            "warning: clr {command} {old} is deprecated; write {new} "
            "(the old spelling will go in a later release)"
        ).format(command=command._clr_path, old=old, new=new)
        + "\n"
    )
