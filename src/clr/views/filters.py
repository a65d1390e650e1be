"""Which cases ``clr status`` and ``clr stats`` keep, and the order ``clr status`` lists them in."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from clr.model import stages
from clr.views.summary import CaseSummary


@dataclass(frozen=True)
class Filters:
    """Which cases to keep; empty tuples and None keep everything."""

    stages: tuple[str, ...] = ()
    tracks: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    suppliers: tuple[str, ...] = ()
    buyers: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    overdue: bool = False
    open: bool | None = None  # True: open cases only; False: closed cases only

    def keep(self, case: CaseSummary) -> bool:
        """True if an (ok) case passes every filter; failed cases always pass."""
        if not case.ok:
            return True
        checks: list[tuple[tuple[str, ...], str | None, bool]] = [
            (self.stages, case.stage, False),
            (self.tracks, case.track, False),
            (self.countries, case.country, True),
            (self.suppliers, case.supplier, False),
            (self.buyers, case.buyer, False),
            (self.sectors, case.sector, False),
        ]
        for wanted, value, upper in checks:
            if wanted and (value is None or (value.upper() if upper else value) not in wanted):
                return False
        if self.overdue and not case.overdue:
            return False
        return self.open is None or self.open != case.closed


def filter_cases(cases: Iterable[CaseSummary], filters: Filters) -> list[CaseSummary]:
    """The cases that pass ``filters`` (cases that failed to load are always kept)."""
    return [c for c in cases if filters.keep(c)]


SORT_KEYS: dict[str, Callable[[CaseSummary], Any]] = {
    "id": lambda c: c.id,
    "stage": lambda c: stages.index(c.stage) if c.stage else None,
    "track": lambda c: c.track,
    "site": lambda c: c.site,
    "country": lambda c: c.country,
    "supplier": lambda c: c.supplier,
    "buyer": lambda c: c.buyer,
    "opened": lambda c: c.opened,
    "days-open": lambda c: c.days_open,
    "days-in-stage": lambda c: c.days_in_stage,
    "next-due": lambda c: c.next_due,
    "overdue": lambda c: c.overdue,
    "last-visit": lambda c: c.last_visit,
}
"""``clr status --sort`` keys."""


def sort_cases(
    cases: Iterable[CaseSummary], key: str = "id", *, reverse: bool = False
) -> list[CaseSummary]:
    """Sort by ``key`` then id and path; cases without a value, then failed cases, go last."""
    ordered = sorted(cases, key=lambda c: (c.id or "", c.path))
    get = SORT_KEYS[key]
    ok: list[CaseSummary] = []
    blank: list[CaseSummary] = []
    failed: list[CaseSummary] = []
    for c in ordered:
        (failed if c.error is not None else blank if get(c) is None else ok).append(c)
    if key != "id":
        ok.sort(key=get, reverse=reverse)  # stable: ties keep id order
    elif reverse:
        ok.reverse()
    return ok + blank + failed
