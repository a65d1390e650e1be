"""Dates as clr reads them: ISO text in, ``datetime.date`` out, never an exception."""

from __future__ import annotations

import datetime as dt
import re

_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def parse_date(value: object) -> dt.date | None:
    """Return the date of an ISO ``YYYY-MM-DD`` text (or of a date-time's date part), else None."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def parse_datetime(value: object) -> dt.datetime | None:
    """Return an aware datetime for an ISO 8601 date-time text with a zone, else None."""
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def partial_bounds(value: object) -> tuple[dt.date, dt.date] | None:
    """Return the earliest and latest dates a partial date (YYYY, YYYY-MM, YYYY-MM-DD) allows."""
    if not isinstance(value, str):
        return None
    match = _PARTIAL.match(value)
    if match is None:
        return None
    year, month, day = match.groups()
    try:
        if day:
            exact = dt.date(int(year), int(month), int(day))
            return exact, exact
        if month:
            first = dt.date(int(year), int(month), 1)
            following = dt.date(int(year) + (int(month) == 12), int(month) % 12 + 1, 1)
            return first, following - dt.timedelta(days=1)
        return dt.date(int(year), 1, 1), dt.date(int(year), 12, 31)
    except ValueError:
        return None


def age_on(birth: dt.date, day: dt.date) -> int:
    """Return the age in whole years on ``day`` of someone born on ``birth``."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def add_months(day: dt.date, months: int) -> dt.date:
    """Return the same day ``months`` later, clipped to the end of shorter months."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate_day in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, candidate_day)
        except ValueError:
            continue
    raise ValueError(f"cannot add {months} months to {day}")  # pragma: no cover
