"""clr history: every commit that changed a case, field by field, checked against its history."""

from __future__ import annotations

import enum
import json
import textwrap
from pathlib import Path
from typing import Annotated, Any

import typer

WIDTH = 80
VALUE_WIDTH = 30


class HistoryFormat(str, enum.Enum):
    """Output formats of clr history."""

    text = "text"
    json = "json"


def history_command(
    case: Annotated[
        str,
        typer.Argument(help="A case id (or its start), a case folder or file.", show_default=False),
    ],
    output_format: Annotated[
        HistoryFormat, typer.Option("--format", "-f", help="text or json.")
    ] = HistoryFormat.text,
) -> None:
    """Every commit that changed a case: who, when, signed or not, and each field's change.

    Follows the case file through renames. The case's own history entries are checked
    against the commits: a stage moved with no entry, or an entry dated after the commit
    that added it, is reported, and makes the exit code 1.

    Example: clr history EXR-2026-7KQ3M --format json
    """
    from clr.repo import history as core
    from clr.repo.repository import find_case, open_repository

    candidate = Path(case)
    start = candidate.parent if candidate.exists() else None
    path = find_case(open_repository(start), case)
    found = core.case_history(path)
    if not found.commits:
        import sys

        sys.stderr.write(
            f"note: no commit holds {found.path} yet: its history starts with its first "
            "commit (git add, git commit)\n"
        )
    if output_format is HistoryFormat.json:
        doc = core.history_document(found)
        from clr.render import safe

        typer.echo(safe.json_text(json.dumps(doc, indent=2, ensure_ascii=False, default=str)))
    else:
        typer.echo(render_text(found), nl=False)
    raise typer.Exit(1 if found.disagreements else 0)


def _plain(value: object) -> str:
    from clr.render import safe

    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return safe.terminal(text)


def _short(value: object) -> str:
    text = _plain(value)
    return text if len(text) <= VALUE_WIDTH else text[: VALUE_WIDTH - 1] + "…"


def _wrap(text: str, indent: int) -> list[str]:
    pad = " " * indent
    return textwrap.wrap(text, WIDTH, initial_indent=pad, subsequent_indent=pad + "  ") or [pad]


def render_text(found: Any) -> str:
    """The history as text that fits 80 columns (values cut to 30 characters)."""
    count = len(found.commits)
    lines = [f"{_plain(found.case_id or '(no id)')}  {_plain(found.path)}  ({count} commits)"]
    for c in found.commits:
        lines.append("")
        head = (
            f"{c.sha[:10]}  {c.date.strftime('%Y-%m-%d %H:%M %z')}  {_plain(c.author)}"
            f"  signature: {c.signature_text}"
        )
        lines += _wrap(head, 0)
        lines += _wrap(_plain(c.subject), 2)
        if c.renamed_from:
            lines += _wrap(f"renamed from {_plain(c.renamed_from)}", 2)
        if c.error:
            lines += _wrap(f"cannot be read: {_plain(c.error)}", 2)
            continue
        if c.status == "D":
            lines.append("  deleted the case file")
            continue
        if c.stage_before is None and c.status != "D" and c is found.commits[0]:
            lines += _wrap(f"created, in stage {_plain(c.stage_after)}, {len(c.changes)} fields", 2)
            continue
        if c.stage_before != c.stage_after:
            lines += _wrap(f"stage: {_plain(c.stage_before)} → {_plain(c.stage_after)}", 2)
        for ch in c.changes:
            if ch.field == "stage":
                continue
            if ch.kind == "added":
                what = f"+ {_plain(ch.field)}: {_short(ch.new)}"
            elif ch.kind == "removed":
                what = f"- {_plain(ch.field)} (was {_short(ch.old)})"
            else:
                what = f"~ {_plain(ch.field)}: {_short(ch.old)} → {_short(ch.new)}"
            lines += _wrap(what, 2)
        if not c.changes and not c.renamed_from:
            lines.append("  no field changed (layout or comments only)")
    if found.disagreements:
        lines += ["", f"{len(found.disagreements)} disagreement(s) with the case's history:"]
        for d in found.disagreements:
            lines += _wrap(f"{d.kind}: {_plain(d.message)}", 2)
    return "\n".join(lines) + "\n"


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("history")(history_command)
