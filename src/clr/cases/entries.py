"""The entries ``clr visit`` and ``clr pay`` append to a case: their shape, in one place.

An entry holds what was given and nothing else (no empty keys), in the order the case
schema lists its fields, so that a recorded visit or payment reads like a hand-written one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any


def visit_entry(
    day: dt.date,
    method: str,
    *,
    working: bool,
    by: str | None = None,
    in_school: bool | None = None,
    attendance: float | None = None,
    hazardous_work: bool | None = None,
    stipend_received: bool | None = None,
    child_views: str | None = None,
    notes: str | None = None,
    safe_job: bool | None = None,
) -> dict[str, Any]:
    """A monitoring visit (``visits[]``).

    ``safe_job`` (young-worker track): the young worker was working in the agreed safe
    job, which is legal work and not child labour.
    """
    entry: dict[str, Any] = {"date": day.isoformat(), "method": method}
    if by:
        entry["by"] = by
    optional = {
        "in_school": in_school,
        "attendance_percent": attendance,
        "working": working,
        "hazardous_work": hazardous_work,
        "safe_job": safe_job,
        "stipend_received": stipend_received,
        "child_views": child_views,
        "notes": notes,
    }
    entry.update({k: v for k, v in optional.items() if v is not None})
    return entry


def amount_value(amount: float) -> int | float:
    """An amount as written in a case: ``4500``, not ``4500.0``."""
    return int(amount) if float(amount).is_integer() else amount


def payment_entry(
    day: dt.date,
    *,
    amount: float,
    currency: str,
    payer: str,
    purpose: str = "stipend",
    period: str | None = None,
    receipt: str | None = None,
    notes: str | None = None,
) -> dict[str, Any]:
    """A payment (``payments[]``): the currency in upper case, a whole amount as an integer."""
    entry: dict[str, Any] = {
        "date": day.isoformat(),
        "amount": amount_value(amount),
        "currency": currency.upper(),
        "payer": payer,
        "purpose": purpose,
    }
    optional = {"period": period, "receipt": receipt, "notes": notes}
    entry.update({k: v for k, v in optional.items() if v is not None})
    return entry


def recurrence_check_entry(
    day: dt.date,
    method: str,
    *,
    working: bool,
    by: str | None = None,
    rehired: bool | None = None,
    in_school: bool | None = None,
    notes: str | None = None,
) -> dict[str, Any]:
    """A check after closure that the child has not gone back to work (``recurrence_checks[]``)."""
    entry: dict[str, Any] = {"date": day.isoformat(), "method": method}
    if by:
        entry["by"] = by
    optional = {"working": working, "rehired": rehired, "in_school": in_school, "notes": notes}
    entry.update({k: v for k, v in optional.items() if v is not None})
    return entry
