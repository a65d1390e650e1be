"""Possible pairs of cases about the same child (clr duplicates) as text and JSON."""

from __future__ import annotations

from typing import Any

from clr.render import safe

_HOW = {
    "fingerprint": "same keyed fingerprint",
    "name": "names alike once decrypted",
}


def duplicates_text(doc: dict[str, Any]) -> str:
    """One line per pair (case ids and how they met; never a name), then a summary."""
    lines = []
    for pair in doc["pairs"]:
        first, second = (safe.terminal(c) for c in pair["cases"])
        how = _HOW.get(pair["how"], pair["how"])
        score = f", score {pair['score']:.2f}" if pair["how"] == "name" else ""
        lines.append(f"{first}  {second}  {how}{score}")
    count = len(doc["pairs"])
    lines.append(
        f"{count} possible pair{'' if count == 1 else 's'} among {doc['cases_checked']} cases"
        + (
            "; check them and link the cases (related_cases) that are the same child"
            if count
            else ""
        )
    )
    unread = doc.get("not_decrypted") or []
    if unread:
        lines.append(f"not decrypted (your key cannot open them): {len(unread)} case(s)")
    return "\n".join(lines) + "\n"


def duplicates_json(doc: dict[str, Any]) -> str:
    """The pairs document as JSON."""
    from clr.render.tables import document_json

    return document_json(doc)
