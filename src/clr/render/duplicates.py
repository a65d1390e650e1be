"""Possible pairs of cases about the same child (clr duplicates) as text and JSON."""

from __future__ import annotations

from typing import Any

from clr.i18n import N_, _, ngettext
from clr.render import safe

_HOW = {
    "fingerprint": N_("same keyed fingerprint"),
    "name": N_("names alike once decrypted"),
}


def duplicates_text(doc: dict[str, Any]) -> str:
    """One line per pair (case ids and how they met; never a name), then a summary."""
    lines = []
    for pair in doc["pairs"]:
        first, second = (safe.terminal(c) for c in pair["cases"])
        how = _(_HOW[pair["how"]]) if pair["how"] in _HOW else pair["how"]
        score = (
            _(", score {score}").format(score=f"{pair['score']:.2f}")
            if pair["how"] == "name"
            else ""
        )
        lines.append(f"{first}  {second}  {how}{score}")
    count, cases = len(doc["pairs"]), doc["cases_checked"]
    among = ngettext("among {count} case", "among {count} cases", cases).format(count=cases)
    lines.append(
        ngettext("{count} possible pair {among}", "{count} possible pairs {among}", count).format(
            count=count, among=among
        )
        + (
            _("; check them and link the cases (related_cases) that are the same child")
            if count
            else ""
        )
    )
    unread = doc.get("not_decrypted") or []
    if unread:
        lines.append(
            _("not decrypted (your key cannot open them): {count} case(s)").format(
                count=len(unread)
            )
        )
    return "\n".join(lines) + "\n"


def duplicates_json(doc: dict[str, Any]) -> str:
    """The pairs document as JSON."""
    from clr.render.tables import document_json

    return document_json(doc)
