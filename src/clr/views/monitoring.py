"""The register of monitoring rounds (``monitoring/rounds.yaml``) and the figures it gives.

A child labour monitoring system visits households site by site, month by month; the
children it finds working become cases, the many it finds not working do not. The number
monitored is the denominator of the identification rate (the International Cocoa
Initiative's "number and share of children identified in child labour"), so it is kept
in the case repository, one entry per site and month::

    schema_version: 1
    rounds:
      - site: Farm East      # site.name, as the cases write it
        month: 2026-03
        households: 120
        children: 310

A case is *identified by monitoring* if it came to light through a monitoring visit
(``discovery.channel: clmrs_visit``) at a site and in a month (of ``discovery.date``) that
the register holds. ``clr stats`` shows the rounds, households and children monitored, the
cases identified and the rate, with the totals by month and by site; the file is checked
against ``schemas/monitoring-rounds.schema.json`` and a mistake names the file and line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clr.errors import ClrError
from clr.i18n import N_
from clr.model.findings import Joined, Said, said
from clr.views.summary import CaseSummary

ROUNDS_FILE = Path("monitoring") / "rounds.yaml"
"""Where a case repository keeps its monitoring rounds."""

CHANNEL = "clmrs_visit"
"""The discovery channel of a case found by a monitoring visit."""


@dataclass(frozen=True)
class Round:
    """One site visited in one month."""

    site: str
    month: str
    households: int
    children: int


def _problem(shown: str, line: int, message: str | Said) -> ClrError:
    return ClrError(
        Joined("", (f"{shown}:{line}: ", message)),
        hint=said(
            N_(
                "each round needs site (as the cases name it), month (YYYY-MM), households "
                "and children (whole numbers); see docs/bulk-views.md, monitoring rounds"
            )
        ),
    )


def read_rounds(path: Path, shown: str | None = None) -> list[Round]:
    """The rounds of one register file.

    Raises:
        ClrError: the file cannot be read, is not valid YAML, breaks the schema, or holds
            the same site and month twice (the message names the file and the line).
    """
    from clr.checks import schemas
    from clr.io import yamlio

    shown = shown or str(path)
    try:
        loaded = yamlio.read_file(path, shown)
    except OSError as exc:
        raise ClrError(
            said(N_("cannot read {file}: {reason}"), file=shown, reason=exc.strerror or exc)
        ) from exc
    errors = [f for f in loaded.findings if f.severity == "error"]
    if loaded.data is None or errors:
        first = errors[0] if errors else None
        raise _problem(
            shown,
            first.line if first else 1,
            (first.worded or first.message) if first else said(N_("empty")),
        )
    data = loaded.data
    for finding in schemas.check(data, shown, "monitoring-rounds"):
        line, _ = loaded.locate(finding.pointer or "")
        raise _problem(shown, line, finding.worded or finding.message)
    rounds: list[Round] = []
    seen: dict[tuple[str, str], int] = {}
    for index, entry in enumerate(data["rounds"]):
        key = (entry["site"], entry["month"])
        if key in seen:
            line, _ = loaded.locate(f"/rounds/{index}")
            raise _problem(
                shown,
                line,
                said(
                    N_("{site} in {month} is already entry {number}; one entry per site and month"),
                    site=entry["site"],
                    month=entry["month"],
                    number=seen[key] + 1,
                ),
            )
        seen[key] = index
        rounds.append(Round(entry["site"], entry["month"], entry["households"], entry["children"]))
    return rounds


def load_rounds(roots: Iterable[Path | None]) -> list[Round] | None:
    """The rounds of every repository in ``roots`` that keeps a register (None if none does)."""
    from clr.repo.repository import display_path

    found: list[Round] | None = None
    for root in roots:
        if root is None:
            continue
        path = root / ROUNDS_FILE
        if path.is_file():
            found = (found or []) + read_rounds(path, display_path(path))
    return found


def rounds_for(targets: Iterable[Path]) -> list[Round] | None:
    """The rounds of the repositories the paths of a command are in (None: no register)."""
    from clr.repo.repository import find_root

    return load_rounds(dict.fromkeys(find_root(t) for t in targets))


def identified(case: CaseSummary, rounds: Sequence[Round]) -> Round | None:
    """The round that found a case, if it was found by one."""
    if not case.ok or case.channel != CHANNEL or case.site is None or case.month is None:
        return None
    return next((r for r in rounds if r.site == case.site and r.month == case.month), None)


def _rate(found: int, children: int) -> dict[str, Any]:
    percent = round(100 * found / children, 1) if children else None
    return {"count": found, "of": children, "percent": percent}


def _block(rounds: Sequence[Round], found: int) -> dict[str, Any]:
    children = sum(r.children for r in rounds)
    return {
        "rounds": len(rounds),
        "households": sum(r.households for r in rounds),
        "children": children,
        "identified": found,
        "identification_rate": _rate(found, children),
    }


def monitoring_figures(
    rounds: Sequence[Round], cases: Sequence[CaseSummary], min_count: int = 0
) -> dict[str, Any]:
    """The monitored population and the identification rate, in all and by month and site.

    With ``min_count``, a number of identified cases from 1 to ``min_count - 1`` (and the
    rate it gives) is suppressed, and the totals by month and by site are left out (one
    hidden month could be worked out from the total and the others).
    """
    from clr.views.disclosure import SUPPRESSED

    found: dict[Round, int] = {}
    for case in cases:
        hit = identified(case, rounds)
        if hit is not None:
            found[hit] = found.get(hit, 0) + 1

    def block(subset: Sequence[Round]) -> dict[str, Any]:
        out = _block(subset, sum(found.get(r, 0) for r in subset))
        if 0 < out["identified"] < min_count:
            out["identified"] = SUPPRESSED
            out["identification_rate"]["count"] = SUPPRESSED
            out["identification_rate"]["percent"] = SUPPRESSED
        return out

    doc = block(rounds)
    if min_count:
        return doc
    for key, field in (("by_month", "month"), ("by_site", "site")):
        values = sorted({getattr(r, field) for r in rounds})
        doc[key] = {v: block([r for r in rounds if getattr(r, field) == v]) for v in values}
    return doc
