"""clr set: record facts in a case by dotted path, or from a YAML or JSON fragment."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from clr.cli._common import AsOf, parse_as_of
from clr.i18n import _


def set_command(
    case: Annotated[str, typer.Argument(help="A case id (or its start), a case folder or file.")],
    assignments: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[PATH=VALUE | PATH+=ITEM]...",
            help="Dotted field paths with values; += appends an item to a list.",
            show_default=False,
        ),
    ] = None,
    from_file: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="FILE",
            help="Merge a YAML or JSON fragment from FILE ('-': standard input).",
        ),
    ] = None,
    unset: Annotated[
        list[str] | None,
        typer.Option(
            "--unset", metavar="PATH", help="Remove a field recorded by mistake (repeatable)."
        ),
    ] = None,
    as_of: AsOf = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "-n", help="Show the change as a diff; write nothing.")
    ] = False,
) -> None:
    """Record facts in a case: values typed by its schema, checked against its stage.

    PATH=VALUE sets a field (dates YYYY-MM-DD, numbers, true/false, allowed values with a
    did-you-mean); PATH+=ITEM appends to a list, an item given as JSON or as
    key=value,key=value. --from merges a fragment: mappings key by key, list items
    appended, other values replaced. --unset removes a field. A change that would leave
    the case invalid for its stage is refused, naming every problem. Names and contacts
    go with clr identity set.

    Example: clr set EXR-2026-7KQ3M protection.safe_place=home
    """
    from clr.cases import caseops, setfacts

    if not assignments and from_file is None and not unset:
        raise typer.BadParameter(
            _("give PATH=VALUE arguments, --from FILE or --unset PATH"), param_hint="PATH"
        )
    parsed = [setfacts.parse_assignment(a) for a in assignments or []]
    fragment = None
    if from_file is not None:
        source = "<stdin>" if from_file == "-" else from_file
        text = _read_source(from_file)
        fragment = setfacts.read_fragment(text, source)
    today = parse_as_of(as_of, case)
    session = caseops.open_case(case, today=today)
    problems = setfacts.plan_removals(session, list(unset or []))
    problems += setfacts.plan_assignments(session, parsed)
    if fragment is not None:
        problems += setfacts.plan_fragment(session, fragment, source)
    diff = setfacts.apply(session, problems, dry_run=dry_run)
    case_id = session.data.get("id")
    if not session.doc.ops:
        typer.echo(_("{case}: nothing to change").format(case=case_id), err=True)
    elif dry_run:
        from clr.render import safe

        typer.echo(safe.terminal(diff, block=True) if diff else _("(no change)"))
        typer.echo(
            _("{case}: would change {file}; nothing was written").format(
                case=case_id, file=session.shown
            ),
            err=True,
        )
    else:
        typer.echo(_("{case}: changed {file}").format(case=case_id, file=session.shown), err=True)
        step = setfacts.next_step(session)
        if step:
            from clr.render import safe

            shown = step if isinstance(step, str) else step.local()
            typer.echo(
                _("{case}: {next_step}").format(case=case_id, next_step=safe.terminal(shown)),
                err=True,
            )


def _read_source(name: str) -> str:
    from clr.errors import ClrError

    if name == "-":
        if sys.stdin.isatty():
            typer.echo(_("reading a YAML or JSON fragment; end it with Ctrl-D"), err=True)
        data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read()
        raw = data if isinstance(data, bytes) else data.encode("utf-8")
        shown = "<stdin>"
    else:
        from clr.io import files, yamlio

        path = Path(name)
        if not os.path.lexists(path):  # not is_file(): a pipe or a folder gets its own message
            raise ClrError(
                _("--from {file}: no such file").format(file=name),
                hint=_("give a YAML or JSON file, or -"),
            )
        try:
            raw = files.read_bytes(path, limit=yamlio.MAX_BYTES)
        except OSError as exc:
            raise ClrError(
                _("cannot read {file}: {reason}").format(file=name, reason=_(files.reason(exc))),
                hint=_(files.hint(exc)),
            ) from None
        shown = name
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ClrError(
            _("{file}: not UTF-8 text (byte {offset})").format(file=shown, offset=exc.start),
            hint=_("save the fragment as UTF-8"),
        ) from None


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("set")(set_command)
