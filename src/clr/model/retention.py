"""Retention: when a closed case's personal data is due for erasure.

The policy is ``retention`` in ``clr.yaml``: years after the closure date, per closure
reason (``default`` for the others), the cases under legal hold, the basis of the
periods and who approves erasures. Only closed cases are ever due; a case is counted
from its closure date, as retention rules in case management usually are.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from clr.model.case import dig
from clr.model.dates import parse_date
from clr.model.record import Frozen

Status = Literal["open", "kept", "due", "held", "erased", "unfinished"]


class Due(Frozen):
    """Where one case stands against the retention policy."""

    case_id: str
    status: Status
    closed: dt.date | None
    reason: str | None
    years: float | None
    due: dt.date | None
    hold: str | None

    def __init__(
        self,
        case_id: str,
        status: Status,
        closed: dt.date | None = None,
        reason: str | None = None,
        years: float | None = None,
        due: dt.date | None = None,
        hold: str | None = None,
    ) -> None:
        self.__dict__.update(
            case_id=case_id,
            status=status,
            closed=closed,
            reason=reason,
            years=years,
            due=due,
            hold=hold,
        )

    @property
    def rule(self) -> str:
        """The rule that makes the case due, in words (for records; no personal data)."""
        years = "" if self.years is None else f"{self.years:g}"
        return f"retention: {years} years after closure ({self.reason or 'default'})"


def add_years(day: dt.date, years: float) -> dt.date:
    """``day`` plus ``years`` (whole years by the calendar; a fraction as 365.25-day years)."""
    whole = int(years)
    try:
        moved = day.replace(year=day.year + whole)
    except ValueError:  # 29 February in a year that has none
        moved = day.replace(year=day.year + whole, day=28)
    return moved + dt.timedelta(days=round((years - whole) * 365.25))


def years_for(policy: dict[str, Any], reason: str | None) -> float | None:
    """The years a case closed for ``reason`` is kept, or None if the policy has none."""
    table = policy.get("years_after_closure") or {}
    value = table.get(reason) if reason else None
    if value is None:
        value = table.get("default")
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def standing(
    policy: dict[str, Any], data: dict[str, Any], as_of: dt.date, *, has_key: bool = False
) -> Due:
    """Where a case stands on ``as_of``; ``has_key``: its key is still in the key store."""
    case_id = str(data.get("id", ""))
    block = data.get("privacy")
    if isinstance(block, dict) and block.get("erased") is not None:
        return Due(case_id, "unfinished" if has_key else "erased")
    closed = parse_date(dig(data, "closure", "date"))
    if data.get("stage") != "closed" or closed is None:
        return Due(case_id, "open")
    reason = dig(data, "closure", "reason")
    reason = reason if isinstance(reason, str) else None
    years = years_for(policy, reason)
    if years is None:
        return Due(case_id, "kept", closed, reason)
    due = add_years(closed, years)
    hold = (policy.get("legal_hold") or {}).get(case_id)
    if due > as_of:
        return Due(case_id, "kept", closed, reason, years, due, hold)
    return Due(case_id, "held" if hold else "due", closed, reason, years, due, hold)
