"""The retention plan (clr retention plan) as text, JSON and CSV."""

from __future__ import annotations

from typing import Any

from clr.render import safe

_WHAT = {
    "due": "due for erasure",
    "held": "due, but under legal hold",
    "unfinished": "erased, but its key is still in the key store",
    "kept": "kept",
    "erased": "erased",
}


def plan_text(doc: dict[str, Any]) -> str:
    """One line per case, then the counts."""
    lines = [
        f"Retention plan as of {doc['as_of']} (basis: {safe.terminal(doc.get('basis') or '')})"
    ]
    for row in doc["cases"]:
        due = f"due {row['due']}" if row.get("due") else ""
        closed = (
            f"closed {row['closed']} ({row['reason'] or 'no reason'})" if row.get("closed") else ""
        )
        hold = f"; hold: {row['legal_hold']}" if row.get("legal_hold") else ""
        parts = [p for p in (closed, due) if p]
        lines.append(
            safe.terminal(
                f"  {row['case']}  {_WHAT.get(row['status'], row['status'])}"
                + (f": {', '.join(parts)}" if parts else "")
                + hold
            )
        )
    counts = doc["counts"]
    summary = ", ".join(f"{counts[k]} {k}" for k in sorted(counts))
    lines.append(f"{len(doc['cases'])} listed ({summary or 'no cases'}).")
    for shown in doc.get("unreadable") or []:
        lines.append(safe.terminal(f"not read: {shown} (run clr validate)"))
    return "\n".join(lines) + "\n"


def plan_json(doc: dict[str, Any]) -> str:
    """The plan document as JSON."""
    from clr.render.tables import document_json

    return document_json(doc)


def plan_csv(doc: dict[str, Any]) -> str:
    """One CSV row per case listed."""
    from clr.views.export import csv_text
    from clr.views.retention import PLAN_COLUMNS

    return csv_text(PLAN_COLUMNS, ([row[k] for k in PLAN_COLUMNS] for row in doc["cases"]))
