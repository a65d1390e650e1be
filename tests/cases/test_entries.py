"""The shapes of the entries clr visit and clr pay append (cases.entries)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import jsonschema

from clr.cases.entries import payment_entry, visit_entry
from clr.io.resources import load_schema

DAY = dt.date(2026, 5, 4)


def _problems(visits: list[dict[str, Any]], payments: list[dict[str, Any]]) -> list[str]:
    case = load_schema("case")
    schema = {
        "$schema": case["$schema"],
        "$defs": case["$defs"],
        "type": "object",
        "properties": {k: case["properties"][k] for k in ("visits", "payments")},
    }
    validator = jsonschema.Draft202012Validator(schema)
    return [e.message for e in validator.iter_errors({"visits": visits, "payments": payments})]


def test_a_payment_holds_what_was_given_in_the_case_format() -> None:
    entry = payment_entry(DAY, amount=4500.0, currency="bdt", payer="supplier", receipt="R-1")
    assert entry == {
        "date": "2026-05-04",
        "amount": 4500,
        "currency": "BDT",
        "payer": "supplier",
        "purpose": "stipend",
        "receipt": "R-1",
    }
    assert isinstance(entry["amount"], int)
    assert payment_entry(DAY, amount=12.5, currency="USD", payer="buyer")["amount"] == 12.5
    assert _problems([], [entry]) == []


def test_a_visit_leaves_out_what_was_not_said_and_keeps_the_schema_order() -> None:
    entry = visit_entry(DAY, "unannounced", working=False, in_school=True, attendance=92.5)
    assert list(entry) == ["date", "method", "in_school", "attendance_percent", "working"]
    assert "by" not in entry
    with_by = visit_entry(DAY, "phone", working=True, by="R. Ahmed", notes="short call")
    assert list(with_by) == ["date", "method", "by", "working", "notes"]
    assert _problems([entry, with_by], []) == []
