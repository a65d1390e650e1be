"""The formats of ``clr history``: text that fits 80 columns, and JSON (version 1)."""

from __future__ import annotations

import json
import textwrap

from clr.render import safe
from clr.repo.history import CaseHistory, history_document

WIDTH = 80
VALUE_WIDTH = 30


def history_json(found: CaseHistory) -> str:
    """The JSON document, indented, with unsafe characters written as escapes."""
    text = json.dumps(history_document(found), indent=2, ensure_ascii=False, default=str)
    return safe.json_text(text) + "\n"


def _plain(value: object) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return safe.terminal(text)


def _short(value: object) -> str:
    text = _plain(value)
    return text if len(text) <= VALUE_WIDTH else text[: VALUE_WIDTH - 1] + "…"


def _wrap(text: str, indent: int) -> list[str]:
    pad = " " * indent
    return textwrap.wrap(text, WIDTH, initial_indent=pad, subsequent_indent=pad + "  ") or [pad]


def history_text(found: CaseHistory) -> str:
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
