"""The retention plan (clr retention plan) as text, JSON and CSV."""

from __future__ import annotations

from typing import Any

from clr.render import safe


def plan_text(doc: dict[str, Any]) -> str:
    """A table of the cases listed (80 columns), the legal holds under their case, counts."""
    import textwrap

    lines = [f"Retention plan as of {doc['as_of']}"]
    basis = safe.terminal(f"Basis: {doc.get('basis') or '(none)'}")
    lines += textwrap.wrap(basis, 78, subsequent_indent="  ")
    if doc["cases"]:
        lines.append(f"{'CASE':<17}{'STATUS':<12}{'CLOSED':<12}{'REASON':<20}DUE")
    for row in doc["cases"]:
        reason = safe.terminal(row.get("reason") or "")
        lines.append(
            f"{safe.terminal(row['case']):<17}{row['status']:<12}{row.get('closed') or '':<12}"
            f"{reason[:19]:<20}{row.get('due') or ''}".rstrip()
        )
        if row.get("legal_hold"):
            hold = safe.terminal(f"legal hold: {row['legal_hold']}")
            lines += textwrap.wrap(hold, 78, initial_indent=" " * 17, subsequent_indent=" " * 19)
        if row["status"] == "unfinished":
            lines.append(" " * 17 + "erased, but its key is still in the key store: run apply")
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
