"""The rows and the JSON document of ``clr status``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from clr.views.summary import JSON_VERSION, CaseSummary

STATUS_COLUMNS: tuple[str, ...] = (
    "id",
    "path",
    "stage",
    "track",
    "site",
    "supplier",
    "buyer",
    "country",
    "sector",
    "sex",
    "age_band",
    "opened",
    "days_open",
    "stage_entered",
    "days_in_stage",
    "next_action",
    "next_due",
    "overdue",
    "overdue_actions",
    "last_visit",
    "closure_reason",
    "error",
)
"""The columns of ``clr status --format json|csv`` (a stable interface)."""


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def status_row(case: CaseSummary) -> dict[str, Any]:
    """One case as a ``clr status`` row (JSON types; lists stay lists)."""
    if not case.ok:
        row: dict[str, Any] = dict.fromkeys(STATUS_COLUMNS)
        row.update(path=case.path, error=case.error, overdue_actions=[])
        return row
    return {
        "id": case.id,
        "path": case.path,
        "stage": case.stage,
        "track": case.track,
        "site": case.site,
        "supplier": case.supplier,
        "buyer": case.buyer,
        "country": case.country,
        "sector": case.sector,
        "sex": case.sex,
        "age_band": case.age_band,
        "opened": _iso(case.opened),
        "days_open": case.days_open,
        "stage_entered": _iso(case.stage_entered),
        "days_in_stage": case.days_in_stage,
        "next_action": case.next_action,
        "next_due": _iso(case.next_due),
        "overdue": case.overdue,
        "overdue_actions": list(case.overdue_actions),
        "last_visit": _iso(case.last_visit),
        "closure_reason": case.closure_reason,
        "error": None,
    }


def status_document(cases: Sequence[CaseSummary], today: dt.date) -> dict[str, Any]:
    """The ``clr status --format json`` document."""
    from clr import __version__

    return {
        "version": JSON_VERSION,
        "tool": {"name": "clr", "version": __version__},
        "as_of": today.isoformat(),
        "count": len(cases),
        "failed": sum(not c.ok for c in cases),
        "cases": [status_row(c) for c in cases],
    }
