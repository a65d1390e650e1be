"""Shared CLI pieces: consoles, option types, the error boundary."""

from __future__ import annotations

import datetime as dt
import enum
import errno
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from clr import render
from clr.errors import ClrError
from clr.i18n import N_, _

if TYPE_CHECKING:
    from rich.console import Console


BUG_REPORT = N_("please report it with the command you ran (not your case data)")


def run_guarded(run: Callable[[], Any], debug: Callable[[], bool]) -> Any:
    """Run the app; turn ClrError, Ctrl-C and bugs into a message and an exit code."""
    try:
        return run()
    except ClrError as exc:
        fail(exc.text, exc.hint_text, exc.exit_code)
    except KeyboardInterrupt:
        _interrupted()
    except SystemExit as exc:
        if exc.code == 130:  # Typer turns Ctrl-C into exit 130, silently
            _interrupted()
        raise
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); nothing more to say.
        sys.stderr.close()
        raise SystemExit(1) from None
    except OSError as exc:
        if debug() or not _about_a_path(exc):
            raise
        from clr.io import files

        name = exc.filename2 if exc.filename2 is not None else exc.filename  # a rename: its target
        fail(
            _("cannot use {path}: {reason}").format(
                path=_shown_path(name), reason=_(files.reason(exc))
            ),
            _(files.hint(exc)),
        )
    except Exception as exc:
        if debug():
            raise
        name = type(exc).__name__
        sys.stderr.write(
            _("error: {message}").format(
                message=_(
                    "internal error ({name}); this is a bug in clr, not in your files."
                ).format(name=name)
            )
            + "\n"
            + _("hint: {hint}").format(
                hint=_("run again with --debug for the traceback, and {report}").format(
                    report=_(BUG_REPORT)
                )
            )
            + "\n"
        )
        raise SystemExit(2) from None


# What the file system says about a path the user gave (or a file in their repository):
# the user can act on it, clr's code is not at fault.
_PATH_ERRORS = frozenset(
    {
        errno.ENAMETOOLONG,
        errno.ELOOP,
        errno.EACCES,
        errno.EPERM,
        errno.ENOTDIR,
        errno.EISDIR,
        errno.ENOENT,
        errno.EROFS,
        errno.ENOSPC,
        errno.EFBIG,
        errno.EINVAL,
        errno.ENXIO,
        errno.EEXIST,
    }
)


def _about_a_path(exc: OSError) -> bool:
    return exc.filename is not None and exc.errno in _PATH_ERRORS


def _shown_path(name: object) -> str:
    """A path for a message: control characters made visible, a very long one shortened."""
    text = repr(name)[1:-1] if isinstance(name, str | bytes) else str(name)
    if len(text) > 80:
        text = f"{text[:40]}…{text[-20:]} ({len(text):,} characters)"
    return text


def _interrupted() -> NoReturn:
    sys.stderr.write("\n" + _("interrupted: clr stopped; no file is left half-written") + "\n")
    raise SystemExit(130) from None


def fail(message: str, hint: str | None = None, code: int = 1) -> NoReturn:
    """Print ``error: message`` (and a hint) to stderr and exit.

    Messages quote case values and paths: their control and bidi characters are shown.
    """
    from clr.render import safe

    err = sys.stderr
    err.write(_("error: {message}").format(message=safe.terminal(message, block=True)) + "\n")
    if hint:
        err.write(_("hint: {hint}").format(hint=safe.terminal(hint, block=True)) + "\n")
    raise SystemExit(code)


def parse_as_of(value: str | None, where: str | Path | None = None) -> dt.date:
    """Turn --as-of into a date; without it, today in the repository's time zone.

    The repository is the one holding ``where`` (a path), else the current folder's.
    """
    if value is None:
        from clr.repo.repository import today

        start = Path(where) if where is not None and Path(where).exists() else None
        return today(start)
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            _("{value} is not a date; write YYYY-MM-DD").format(value=repr(value))
        ) from None


def check_date(value: str | None) -> str | None:
    """An option's DATE (YYYY-MM-DD) checked as the command line is read: misuse exits 2."""
    if value is not None:
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            raise typer.BadParameter(
                _("{value} is not a date; write YYYY-MM-DD").format(value=repr(value))
            ) from None
    return value


AsOf = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="DATE",
        callback=check_date,
        help="Answer as if today were DATE (YYYY-MM-DD), for reproducible results.",
    ),
]


def paint(text: str, style: str = "") -> str:
    """``text`` styled ("bold", "dim", "bold red"...) when stdout is a colour terminal.

    On a pipe, in a file, with NO_COLOR or TERM=dumb the text comes back as it is (unless
    FORCE_COLOR asks for colour anyway). For
    commands that print a few styled lines and must start fast: no rich import.
    """
    if not style or not colour_stdout():
        return text
    words = style.split()
    colours = [w for w in words if w not in ("bold", "dim")]
    return typer.style(
        text,
        fg=colours[0] if colours else None,
        bold=True if "bold" in words else None,
        dim=True if "dim" in words else None,
    )


def _colour() -> bool:
    import os

    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return sys.stdout.isatty()


def forced_colour() -> bool:
    """True if FORCE_COLOR asks for colour even on a pipe (and NO_COLOR does not forbid it)."""
    import os

    return bool(os.environ.get("FORCE_COLOR")) and not os.environ.get("NO_COLOR")


def colour_stdout() -> bool:
    """True if stdout takes colour: a terminal (or FORCE_COLOR), without NO_COLOR."""
    return forced_colour() or _colour()


class Word(str, enum.Enum):
    """A choice of an option: a ``str`` that prints as its value."""

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)


def choices(name: str, values: tuple[str, ...]) -> type[enum.Enum]:
    """An option's fixed choices as the enum Typer wants, built from a tuple of words.

    The words come from one source (``clr.model.vocabulary``, ``clr.render``); a module
    types the option as ``str`` under ``TYPE_CHECKING`` (each member is a ``str``).
    """
    made: type[enum.Enum] = Word(name, [(v, v) for v in values])  # type: ignore[call-overload]
    return made


def format_choices(kind: str, *, extra: tuple[str, ...] = ()) -> type[enum.Enum]:
    """The ``--format`` choices of a kind of output: its formats in ``clr.render``, and aliases."""
    return choices(
        f"{kind.title()}Format", (*extra, *render.names(kind), *render.ALIASES.get(kind, {}))
    )


def format_option(
    kind: str, *, extra: tuple[str, ...] = (), envvar: str | None = None, note: str = ""
) -> Any:
    """The ``--format``/``-f`` option of a command, from ``clr.render``'s registry.

    Every command names its formats the same way: the choices (older names accepted, not
    listed) and a help that lists them, with a note on those that need one.
    """
    formats = render.RENDERER_BY_NAME[kind]
    words = [*extra, *(f"{r.name} ({r.note})" if r.note else r.name for r in formats.values())]
    listed = ", ".join(words[:-1]) + " or " + words[-1] if len(words) > 1 else words[0]
    return typer.Option(
        "--format",
        "-f",
        metavar="FORMAT",
        envvar=envvar,
        help=f"Output format: {listed}" + (f"; {note}." if note else "."),
    )


def format_name(kind: str, chosen: object) -> str:
    """The format chosen with ``--format``: an old name turned into its name, with a warning."""
    given = str(getattr(chosen, "value", chosen))
    name = render.canonical(kind, given)
    if name != given:
        sys.stderr.write(
            _(
                "warning: --format {given} is deprecated; write --format {name} "
                "(the old name will go in a later release)"
            ).format(given=given, name=name)
            + "\n"
        )
    return name


def stdout_console() -> Console:
    """A rich console for stdout (colour only on a terminal; NO_COLOR and TERM=dumb respected)."""
    import os

    from rich.console import Console

    if os.environ.get("NO_COLOR"):  # rich's own NO_COLOR keeps bold and dim: none at all
        return Console(highlight=False, soft_wrap=True, color_system=None)
    return Console(highlight=False, soft_wrap=True, force_terminal=forced_colour() or None)


def stderr_console() -> Console:
    """A rich console for stderr."""
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


_ANSI = "\x1b["
_BULLETS = ("- ", "* ", "! ")


def text_width() -> int | None:
    """The width to wrap text output at: the terminal's; None on a pipe (lines stay whole)."""
    import shutil

    if sys.stdout.isatty():
        return max(shutil.get_terminal_size().columns, 20)
    return None


def wrap_text(text: str, width: int | None = None, *, hang: int = 0) -> str:
    """``text`` with each long line cut at spaces to ``width`` (default: :func:`text_width`).

    A continued line keeps the line's indent (and hangs under the text of a ``- `` bullet),
    plus ``hang`` columns; colour codes take no width; a word longer than the line (a link)
    is never cut.
    """
    width = text_width() if width is None else width
    if width is None:
        return text
    return "\n".join(_wrap_line(line, width, hang) for line in text.split("\n"))


def _visible(word: str) -> int:
    import re

    return len(re.sub(r"\x1b\[[0-9;]*m", "", word)) if _ANSI in word else len(word)


def _wrap_line(line: str, width: int, more: int = 0) -> str:
    if _visible(line) <= width:
        return line
    body = line.lstrip(" ")
    indent = len(line) - len(body)
    hang = indent + more + (2 if body.startswith(_BULLETS) else 0)
    words = body.split(" ")
    out: list[str] = []
    current, used = " " * indent + words[0], indent + _visible(words[0])
    for word in words[1:]:
        size = _visible(word)
        if used + 1 + size > width and used > hang:
            out.append(current.rstrip(" "))
            current, used = " " * hang + word, hang + size
        else:
            current, used = f"{current} {word}", used + 1 + size
    out.append(current)
    return "\n".join(out)


EncryptToOpt = Annotated[
    str | None,
    typer.Option(
        "--encrypt-to",
        metavar="RECIPIENT|FILE",
        help="Encrypt the output with age (armored, for e-mail) to this public key (age1…, "
        "ssh-ed25519 …) or to the keys in this file, one a line; files get the suffix .age.",
        show_default=False,
    ),
]
