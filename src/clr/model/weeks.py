"""Working weeks by country: which weekdays count as working days for a case's deadlines.

The table ships as versioned data in ``clr/data/weekends.yaml`` (weekly rest days per
country, with sources and confidence). A case follows the week of its site's country; a
case without one follows the country of the repository's time zone; Monday to Friday
where neither is in the table. A repository's ``clr.yaml`` ``working_days`` replaces the
table for every case.
"""

from __future__ import annotations

import functools
from typing import Any

from clr.io import resources

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TABLE_RESOURCE = "data/weekends.yaml"


@functools.cache
def table() -> dict[str, Any]:
    """The bundled table of weekends (cached).

    Raises:
        TypeError: a part of the bundled file has the wrong form.
    """
    data = resources.data_table(_TABLE_RESOURCE)
    countries = data.get("countries")
    if not isinstance(countries, dict):
        raise TypeError(f"{_TABLE_RESOURCE}: 'countries' must be a mapping")
    for code, row in countries.items():
        days = row.get("weekend") if isinstance(row, dict) else None
        if not isinstance(days, list) or not days or not set(days) <= set(WEEKDAYS):
            raise TypeError(f"{_TABLE_RESOURCE}: {code}.weekend must list weekdays")
    return data


def row(country: str) -> dict[str, Any] | None:
    """The table's row for an ISO country code (any case), or None."""
    found = table()["countries"].get(country.strip().upper())
    return found if isinstance(found, dict) else None


def country_of_zone(zone: str) -> str | None:
    """The country whose row lists the IANA time zone ``zone``, or None."""
    for code, entry in table()["countries"].items():
        if zone in (entry.get("zones") or ()):
            return str(code)
    return None


def working_days(country: str | None, zone: str | None = None) -> tuple[str, ...] | None:
    """The working weekdays of ``country`` (else of ``zone``'s country); None if unknown."""
    entry = row(country) if country else None
    if entry is None and zone:
        found = country_of_zone(zone)
        entry = row(found) if found else None
    if entry is None:
        return None
    return tuple(d for d in WEEKDAYS if d not in entry["weekend"])
