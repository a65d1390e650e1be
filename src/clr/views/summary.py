"""One case boiled down to a :class:`CaseSummary`: what ``clr status`` and ``clr stats`` use.

Summarising is fast and forgiving: each case file is parsed (not schema-validated: that is
``clr validate``'s job). A file that does not parse, or has no usable ``id`` or ``stage``,
becomes a summary with an ``error``: it is listed, never silently dropped.

Rules worth knowing (documented in docs/bulk-views.md):

* a stipend payment is on time if dated no later than the last day of the month it pays
  for (``period``), plus ``STIPEND_GRACE_DAYS``;
* age bands use the child's (lowest possible) age on the day of discovery.
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clr.io import yamlio
from clr.model import ages, stages
from clr.model.case import Case, dig, is_amount, items
from clr.model.dates import parse_date, parse_datetime, partial_bounds
from clr.model.vocabulary import PLAN_SIGNATORIES
from clr.model.workflow import open_actions, stage_entered
from clr.repo.context import CaseContext
from clr.repo.repository import CASE_FILE
from clr.views import consent

JSON_VERSION = 1
"""Version of the JSON documents of ``clr status`` and ``clr stats``."""

UNKNOWN = "(unknown)"
"""The group of cases that do not record the grouping field."""

STIPEND_GRACE_DAYS = 0
"""Days after the end of the month a stipend pays for, still counted as on time."""

PLAN_PARTIES: tuple[str, ...] = PLAN_SIGNATORIES
"""Who must sign a plan for it to count as signed by all parties (the child assents)."""


_DICT_FIELDS = (
    "site",
    "child",
    "discovery",
    "flags",
    "protection",
    "age_verification",
    "assessment",
    "plan",
    "implementation",
    "checklist",
    "closure",
)
_LIST_FIELDS = ("history", "visits", "payments", "root_causes")


@dataclass(frozen=True)
class CaseSummary:
    """What the bulk views need of one case; ``error`` is set for a case that failed to load.

    Dates are ``datetime.date``; ``None`` means not recorded (or not applicable).
    """

    path: str
    error: str | None = None
    id: str | None = None
    stage: str | None = None
    track: str | None = None
    site: str | None = None
    supplier: str | None = None
    buyer: str | None = None
    country: str | None = None
    sector: str | None = None
    sex: str | None = None
    age: int | None = None
    age_band: str = UNKNOWN
    opened: dt.date | None = None
    discovered: dt.date | None = None
    days_open: int | None = None
    stage_entered: dt.date | None = None
    days_in_stage: int | None = None
    next_action: str | None = None
    next_due: dt.date | None = None
    overdue_actions: tuple[str, ...] = ()
    last_visit: dt.date | None = None
    playbook_missing: bool = False
    # --- figures for clr stats
    furthest: int = 0
    closure_reason: str | None = None
    closure_date: dt.date | None = None
    stage_days: tuple[tuple[str, int], ...] = ()
    milestone_days: tuple[tuple[str, int], ...] = ()
    age_verified: bool = False
    family_reached: bool = False
    consent_and_assent: bool = False
    plan_signed_by_all: bool = False
    support: bool = False
    visits: int = 0
    in_school_at_last_visit: bool | None = None
    clear_last_two_visits: bool | None = None
    refound_working: bool | None = None
    reopens: str | None = None
    job_offered: bool = False
    job_accepted: bool = False
    # currency, amount as written (int or float), payer, purpose
    payments: tuple[tuple[str, float, str, str], ...] = ()
    stipends_on_time: tuple[bool, ...] = ()
    stipend_covers_wage: bool | None = None
    root_causes: tuple[str, ...] = ()
    corrective_action: bool = False
    # --- for the dashboard and the sector's figures
    shared_with: tuple[str, ...] = ()
    """The audiences (buyer, supplier) whose sharing the guardian's consent covers."""
    caseworker: str | None = None
    """Who made the latest move (the ``by`` of the last history entry), as the agenda."""
    month: str | None = None
    """The month of discovery (else of opening), ``YYYY-MM``."""
    channel: str | None = None
    recruited_by_agent: bool | None = None
    forged_id: bool = False
    assessment_days: int | None = None
    overdue_roles: tuple[str, ...] = ()
    recent: bool = False
    """Discovered (else opened) in the 24 months up to the as-of date (ICI's window)."""
    in_person_visits: int = 0
    # --- what the figures above that change with the day are worked out from
    deadlines: tuple[tuple[str, int, tuple[str, ...]], ...] = ()
    """The required open actions with a due date, soonest first: action id, the due date
    as an ordinal, roles. An action is overdue from the day after it is due."""
    steady: tuple[int, int] = consent.EVER
    """The days (ordinals, first and last) over which ``shared_with`` holds."""

    @property
    def ok(self) -> bool:
        """True if the case loaded."""
        return self.error is None

    @property
    def closed(self) -> bool:
        """True if the case is closed."""
        return self.stage == "closed"

    @property
    def overdue(self) -> int:
        """How many required actions of the current stage are past due."""
        return len(self.overdue_actions)


def load_problem(loaded: yamlio.Loaded) -> str | None:
    """Why a parsed case file cannot be summarised, or None if it can."""
    if loaded.data is None or any(f.severity == "error" for f in loaded.findings):
        first = next((f for f in loaded.findings if f.severity == "error"), None)
        if first is None:  # pragma: no cover - a file without data always has a finding
            return "cannot be read"
        where = f"line {first.line}: " if first.line else ""
        return f"{where}{first.message} ({first.code})"
    data = loaded.data
    case_id = data.get("id")
    if not isinstance(case_id, str) or not case_id:
        return "no case id (id:)"
    stage = data.get("stage")
    if not isinstance(stage, str) or stage not in stages.STAGES:
        return f"unknown stage {stage!r}" if stage is not None else "no stage (stage:)"
    for key in _DICT_FIELDS:
        if key in data and data[key] is not None and not isinstance(data[key], dict):
            return f"{key} is not a mapping (run clr validate)"
    for key in _LIST_FIELDS:
        if key in data and data[key] is not None and not isinstance(data[key], list):
            return f"{key} is not a list (run clr validate)"
    from clr.checks import schemas

    if not schemas.is_valid(data):
        return "the case fails its schema (run clr validate to see why)"
    return None


def summarise_loaded(path: Path, loaded: yamlio.Loaded, ctx: CaseContext) -> CaseSummary:
    """The summary of one parsed case file (an error summary if it cannot be used)."""
    problem = load_problem(loaded)
    if problem is None:
        assert loaded.data is not None
        case_id, book = loaded.data.get("id"), loaded.data.get("playbook")
        if (
            path.name == CASE_FILE
            and path.parent.parent.name == "cases"
            and (case_id != path.parent.name)
        ):
            problem = f"id {case_id} does not match its folder (run clr validate)"
        elif book not in ctx.playbooks:
            problem = f"unknown playbook {book!r} (run clr validate)"
    if problem is not None:
        return CaseSummary(loaded.path, error=problem)
    assert loaded.data is not None
    return summarise(loaded.data, loaded.path, ctx)


# --- one case ----------------------------------------------------------------------------


def _text(value: Any) -> str | None:
    if isinstance(value, str) and value:
        return value
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return str(value)
    return None


def band_floor(band: Any) -> int | None:
    """The lowest age in an age band written by ``age_band`` (``<12`` counts as 11)."""
    if not isinstance(band, str):
        return None
    if band == "<12":
        return 11
    head = band.rstrip("+").split("-", 1)[0]
    return int(head) if head.isdigit() else None


def age_band(age: int | None) -> str:
    """The band of an age in years (``UNKNOWN`` when not known)."""
    if age is None:
        return UNKNOWN
    if age < 12:
        return "<12"
    if age >= 18:
        return "18+"
    low = age - (age % 2)
    return f"{low}-{low + 1}"


def age_at_discovery(data: dict[str, Any]) -> int | None:
    """The child's lowest possible age on the day of discovery, else the estimated age.

    An erased case keeps only the band of that age (``child.age_band``): its lowest age,
    which falls in the same band, so the figures by age band stay as they were.
    """
    band = band_floor(dig(data, "child", "age_band"))
    if band is not None:
        return band
    day = parse_date(dig(data, "discovery", "date")) or parse_date(data.get("opened"))
    if day is not None:
        try:
            age = ages.age_at(data, day)
        except (TypeError, ValueError):
            age = None
        if age is not None and age >= 0:
            return age
    estimated = dig(data, "child", "estimated_age")
    return estimated if isinstance(estimated, int) and not isinstance(estimated, bool) else None


def furthest_stage(data: dict[str, Any]) -> int:
    """Index of the furthest stage (closure aside) the case reached, from history and stage."""
    best = 0
    stage = data.get("stage")
    if isinstance(stage, str) and stage in stages.STAGES and stage != "closed":
        best = stages.index(stage)
    for entry in items(data.get("history")):
        for key in ("from", "to"):
            value = entry.get(key)
            if isinstance(value, str) and value in stages.STAGES and value != "closed":
                best = max(best, stages.index(value))
    return best


def _moments(data: dict[str, Any]) -> list[tuple[dt.date, str]]:
    out = []
    for entry in items(data.get("history")):
        moment = parse_datetime(entry.get("at"))
        day = moment.date() if moment else parse_date(entry.get("at"))
        to = entry.get("to")
        if day is not None and isinstance(to, str) and entry.get("from") != to:  # not a note
            out.append((day, to))
    return out


def _stage_days(data: dict[str, Any]) -> tuple[tuple[str, int], ...]:
    """Days spent in each stage that the case has left (history order, as recorded)."""
    moves = _moments(data)
    out: dict[str, int] = {}
    for (entered, stage), (left, _) in itertools.pairwise(moves):
        if stage in stages.STAGES and left >= entered:
            out[stage] = (left - entered).days
    return tuple((s, out[s]) for s in stages.STAGES if s in out)


def _is_stipend(payment: dict[str, Any]) -> bool:
    return payment.get("purpose") in (None, "stipend")


def _month_end(period: Any) -> dt.date | None:
    if not isinstance(period, str) or len(period) != 7:
        return None
    bounds = partial_bounds(period)
    return bounds[1] if bounds else None


def stipend_on_time(payment: dict[str, Any]) -> bool | None:
    """True if a stipend payment is dated by the end of its period's month (plus grace).

    None when the payment has no ``period`` or no date, so it cannot be judged.
    """
    end = _month_end(payment.get("period"))
    paid = parse_date(payment.get("date"))
    if end is None or paid is None:
        return None
    return paid <= end + dt.timedelta(days=STIPEND_GRACE_DAYS)


def in_child_labour(visit: dict[str, Any], track: Any) -> bool:
    """True if a visit found child labour: hazardous work, or any work on the underage track.

    A young worker (over the minimum age) may work, in a safe job; only hazardous work counts.
    """
    if visit.get("hazardous_work") is True:
        return True
    return visit.get("working") is True and track != "young-worker"


def _milestones(data: dict[str, Any], found: dt.date | None) -> tuple[tuple[str, int], ...]:
    if found is None:
        return ()
    protected = [
        d
        for d in (
            parse_date(dig(data, "protection", "removed_from_work")),
            parse_date(dig(data, "protection", "hazards_removed")),
        )
        if d is not None
    ]
    stipends = [
        d
        for d in (parse_date(p.get("date")) for p in items(data.get("payments")) if _is_stipend(p))
        if d is not None
    ]
    days = {
        "protected": min(protected) if protected else None,
        "age_verified": parse_date(dig(data, "age_verification", "date")),
        "plan_signed": parse_date(dig(data, "plan", "date_signed")),
        "first_stipend": min(stipends) if stipends else None,
        "closed": parse_date(dig(data, "closure", "date"))
        if data.get("stage") == "closed"
        else None,
    }
    return tuple(
        (name, (day - found).days) for name, day in days.items() if day is not None and day >= found
    )


def _consent(data: dict[str, Any], who: str) -> bool:
    return dig(data, "assessment", "consent", who, "services", "given") is True


def _stipend_covers_wage(data: dict[str, Any]) -> bool | None:
    stipend = dig(data, "plan", "stipend")
    wage = dig(stipend, "lost_wage")
    if not isinstance(stipend, dict) or not isinstance(wage, dict):
        return None
    amount: Any = stipend.get("amount")
    lost: Any = wage.get("amount")
    if not is_amount(amount) or not is_amount(lost):
        return None
    if stipend.get("currency") != wage.get("currency"):
        return None
    return float(amount) >= float(lost)


REMEDIATED: frozenset[str] = frozenset(
    {"no_longer_in_CL", "hazard_removed", "reached_min_age", "aged_out"}
)
"""Closure reasons that count a child as remediated (no longer in child labour, or no
longer a child below the age for the work): the divisor of the cost per child remediated."""

FORGED_CAUSES = frozenset({"forged_id", "borrowed_id"})
"""Root causes that say the child was hired on someone else's or a false ID."""

IN_PERSON = frozenset({"announced", "unannounced", "school_check", "household"})
"""Visit methods that see the child in person (a phone call does not)."""

ICI_MONTHS = 24
"""The window of ICI's CLMRS core criteria: the past 24 months."""


def _months_before(day: dt.date, months: int) -> dt.date:
    month = day.year * 12 + day.month - 1 - months
    year, index = divmod(month, 12)
    last = calendar.monthrange(year, index + 1)[1]
    return dt.date(year, index + 1, min(day.day, last))


def _forged_id(data: dict[str, Any]) -> bool:
    if dig(data, "discovery", "id_document_seen", "suspected_forged") is True:
        return True
    if dig(data, "age_verification", "suspected_forged_id") is True:
        return True
    causes = data.get("root_causes")
    return isinstance(causes, list) and any(c in FORGED_CAUSES for c in causes)


def _bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def summarise(data: dict[str, Any], path: str, ctx: CaseContext) -> CaseSummary:
    """The summary of one case's data (which must have a string id and a known stage)."""
    case = Case(data)
    today = ctx.today
    stage = str(data["stage"])
    track = data.get("track")
    found = parse_date(case.discovery.get("date"))
    opened = parse_date(data.get("opened")) or found
    closed_on = parse_date(case.closure.get("date")) if stage == "closed" else None
    entered = stage_entered(data, stage) or (closed_on if stage == "closed" else None)
    until = closed_on or today
    book = ctx.playbooks.get(data["playbook"]) if isinstance(data.get("playbook"), str) else None
    todo = open_actions(data, book, ctx.calendar) if book is not None else []
    first = todo[0] if todo else None
    visits = sorted(
        ((d, i, v) for i, v in enumerate(case.visits) if (d := parse_date(v.get("date")))),
        key=lambda t: (t[0], t[1]),
    )
    payments = case.payments
    stipend_checks = [stipend_on_time(p) for p in payments if _is_stipend(p)]
    signed = {s.get("party") for s in items(case.plan.get("signed_by"))}
    age = age_at_discovery(data)
    moves = [e for e in items(data.get("history")) if isinstance(e, dict)]
    assessed = parse_date(case.assessment.get("date"))
    start = found or opened
    deadlines = tuple(
        (s.action.id, s.due.toordinal(), s.action.roles)
        for s in todo
        if s.action.required and not s.done and s.due is not None
    )
    overdue = overdue_of(deadlines, today.toordinal())
    return CaseSummary(
        path=path,
        id=str(data["id"]),
        stage=stage,
        track=_text(track),
        site=_text(case.site.get("name")),
        supplier=_text(case.site.get("supplier_id")),
        buyer=_text(case.site.get("buyer")),
        country=_text(case.site.get("country")),
        sector=_text(case.site.get("sector")),
        sex=_text(case.child.get("sex")),
        age=age,
        age_band=age_band(age),
        opened=opened,
        discovered=found,
        days_open=max(0, (until - opened).days) if opened is not None else None,
        stage_entered=entered,
        days_in_stage=max(0, (today - entered).days) if entered is not None else None,
        next_action=first.action.id if first else None,
        next_due=first.due if first else None,
        overdue_actions=tuple(action for action, _, _ in overdue),
        last_visit=visits[-1][0] if visits else None,
        playbook_missing=book is None,
        furthest=furthest_stage(data),
        closure_reason=_text(case.closure.get("reason")) if stage == "closed" else None,
        closure_date=closed_on,
        stage_days=_stage_days(data),
        milestone_days=_milestones(data, found),
        age_verified=case.age_verification.get("result") == "verified",
        family_reached=case.assessment.get("family_reachable") is True
        or parse_date(case.assessment.get("family_contacted")) is not None,
        consent_and_assent=_consent(data, "guardian") and _consent(data, "child"),
        plan_signed_by_all=all(p in signed for p in PLAN_PARTIES),
        support=bool(payments)
        or isinstance(case.implementation.get("enrolled"), dict)
        or bool(items(case.implementation.get("referrals"))),
        visits=len(visits),
        in_school_at_last_visit=(visits[-1][2].get("in_school") is True) if visits else None,
        clear_last_two_visits=(
            not any(in_child_labour(v, track) for _, _, v in visits[-2:])
            if len(visits) >= 2
            else None
        ),
        refound_working=any(in_child_labour(v, track) for _, _, v in visits) if visits else None,
        reopens=_text(data.get("reopens")),
        job_offered=case.get("plan", "family_job_offer", "offered") is True,
        job_accepted=case.get("plan", "family_job_offer", "accepted") is True,
        payments=tuple(
            (
                str(p["currency"]),
                p["amount"],
                _text(p.get("payer")) or UNKNOWN,
                _text(p.get("purpose")) or "stipend",
            )
            for p in payments
            if isinstance(p.get("currency"), str) and is_amount(p.get("amount"))
        ),
        stipends_on_time=tuple(c for c in stipend_checks if c is not None),
        stipend_covers_wage=_stipend_covers_wage(data),
        root_causes=tuple(sorted({c for c in data.get("root_causes") or [] if isinstance(c, str)})),
        corrective_action=bool(items(case.implementation.get("corrective_actions"))),
        shared_with=tuple(a for a in consent.PURPOSE_OF if consent.covers(data, a, today)),
        caseworker=_text(moves[-1].get("by")) if moves else None,
        month=start.isoformat()[:7] if start is not None else None,
        channel=_text(case.discovery.get("channel")),
        recruited_by_agent=_bool(case.discovery.get("recruited_by_agent")),
        forged_id=_forged_id(data),
        assessment_days=(assessed - found).days
        if assessed is not None and found is not None and assessed >= found
        else None,
        overdue_roles=roles_of(overdue),
        recent=start is not None and recent_since(today) < start <= today,
        in_person_visits=sum(v.get("method") in IN_PERSON for _, _, v in visits),
        deadlines=deadlines,
        steady=consent.steady_days(data, today),
    )


def overdue_of(
    deadlines: tuple[tuple[str, int, tuple[str, ...]], ...], today: int
) -> tuple[tuple[str, int, tuple[str, ...]], ...]:
    """The deadlines past on ``today`` (an ordinal): the action is overdue."""
    return tuple(d for d in deadlines if d[1] < today)


def roles_of(overdue: tuple[tuple[str, int, tuple[str, ...]], ...]) -> tuple[str, ...]:
    """The roles that overdue actions wait for, sorted."""
    return tuple(sorted({r for _, _, roles in overdue for r in roles})) if overdue else ()


def recent_since(today: dt.date) -> dt.date:
    """The day before ICI's window of ``ICI_MONTHS`` up to ``today`` starts."""
    return _months_before(today, ICI_MONTHS)
