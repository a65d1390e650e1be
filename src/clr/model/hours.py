"""Legal hours of young workers by country, and whether a job keeps within them.

The table ships as versioned data in ``clr/data/young-worker-hours.yaml``; a country not
in it gets the international floor (ILO C1 and C90). A repository's ``clr.yaml``
``young_worker_hours`` replaces a country's row.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

from clr.i18n import N_, Nn_
from clr.io import resources
from clr.model.findings import Said, said, said_n
from clr.model.record import Frozen

_TABLE_RESOURCE = "data/young-worker-hours.yaml"
_SPAN = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")


class LegalHours(Frozen):
    """The most a young worker may work in one country, and the night they may not work."""

    country: str
    hours_per_week: float
    hours_per_day: float | None
    night: str  # "HH:MM-HH:MM"
    source: str
    confidence: str

    def __init__(
        self,
        country: str,
        hours_per_week: float,
        hours_per_day: float | None,
        night: str,
        source: str,
        confidence: str,
    ) -> None:
        self.__dict__.update(
            country=country,
            hours_per_week=hours_per_week,
            hours_per_day=hours_per_day,
            night=night,
            source=source,
            confidence=confidence,
        )

    def explain(self) -> Said:
        """One line: the limits and where they come from, worded (the source as it is)."""
        week = self.hours_per_week
        count = int(week) if float(week).is_integer() else 2
        return said_n(
            Nn_(
                "{n} hour a week, {day} a day and no work {night} for a young worker in "
                "{country} ({source}; {confidence})",
                "{n} hours a week, {day} a day and no work {night} for a young worker in "
                "{country} ({source}; {confidence})",
            )
            if self.hours_per_day
            else Nn_(
                "{n} hour a week and no work {night} for a young worker in {country} "
                "({source}; {confidence})",
                "{n} hours a week and no work {night} for a young worker in {country} "
                "({source}; {confidence})",
            ),
            count,
            n=_num(week),
            day=_num(self.hours_per_day),
            night=self.night,
            country=self.country or said(N_("an unknown country")),
            source=_SOURCES.get(self.source) or self.source,
            confidence=said(_CONFIDENCE[self.confidence])
            if self.confidence in _CONFIDENCE
            else said(N_("confidence {value}"), value=self.confidence),
        )


_CONFIDENCE = {
    "high": N_("confidence high"),
    "medium": N_("confidence medium"),
    "low": N_("confidence low"),
    "floor": N_("confidence floor"),
    "repository": N_("confidence repository"),
}
"""How sure a row of the table is, in words (the values of ``confidence``)."""

_SOURCES = {
    "national law": said(N_("national law")),
    "the ILO floor, C1 and C90": said(N_("the ILO floor, C1 and C90")),
}
"""clr's own words for a source the table does not name (a law's name stays as it is)."""


def _num(value: float | None) -> str:
    return f"{value:g}" if value is not None else "?"


@functools.cache
def table() -> dict[str, Any]:
    """The bundled table (cached).

    Raises:
        TypeError: a part of the bundled file has the wrong form.
    """
    data = resources.data_table(_TABLE_RESOURCE)
    rows = [data.get("ilo"), *(data.get("countries") or {}).values()]
    for entry in rows:
        if not isinstance(entry, dict) or not isinstance(entry.get("hours_per_week"), int | float):
            raise TypeError(f"{_TABLE_RESOURCE}: every row needs hours_per_week")
        if span(entry.get("night")) is None:
            raise TypeError(f"{_TABLE_RESOURCE}: night must be HH:MM-HH:MM")
    return data


def span(text: object) -> tuple[int, int] | None:
    """Minutes after midnight of the start and end of ``HH:MM-HH:MM``, or None."""
    match = _SPAN.match(text) if isinstance(text, str) else None
    if match is None:
        return None
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    return h1 * 60 + m1, h2 * 60 + m2


def _minutes(start: int, end: int) -> set[int]:
    """The minutes of a day a span covers (across midnight when it ends before it starts)."""
    if end > start:
        return set(range(start, end))
    return set(range(start, 24 * 60)) | set(range(end))


def overlaps_night(shift: object, night: str) -> bool:
    """True if the shift ``HH:MM-HH:MM`` falls partly in the night span."""
    work, dark = span(shift), span(night)
    if work is None or dark is None:
        return False
    return bool(_minutes(*work) & _minutes(*dark))


def shift_hours(shift: object) -> float | None:
    """The length of a shift ``HH:MM-HH:MM`` in hours, or None."""
    work = span(shift)
    return None if work is None else len(_minutes(*work)) / 60


def legal_hours(
    country: str | None, overrides: Mapping[str, Mapping[str, Any]] | None = None
) -> LegalHours:
    """The legal hours of a young worker in ``country`` (the ILO floor when unknown)."""
    data = table()
    code = (country or "").strip().upper()
    override = (overrides or {}).get(code)
    row = data.get("countries", {}).get(code)
    if isinstance(override, Mapping):
        base = dict(row or data["ilo"])
        base.update(override)
        return _build(code, base, f"clr.yaml young_worker_hours.{code}", "repository")
    if isinstance(row, dict):
        return _build(code, row, str(row.get("law") or "national law"), str(row["confidence"]))
    ilo = data["ilo"]
    return _build(code, ilo, "the ILO floor, C1 and C90", "floor")


def _build(code: str, row: Mapping[str, Any], source: str, confidence: str) -> LegalHours:
    day = row.get("hours_per_day")
    return LegalHours(
        country=code,
        hours_per_week=float(row["hours_per_week"]),
        hours_per_day=float(day) if isinstance(day, int | float) else None,
        night=str(row.get("night") or table()["ilo"]["night"]),
        source=source,
        confidence=confidence,
    )
