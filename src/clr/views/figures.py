"""The figures (KPIs) of a portfolio for ``clr stats``: totals, groups, splits by sex.

The figures are pure functions of the summaries and do not depend on the order in which
cases were read. Rules worth knowing (documented in docs/bulk-views.md):

* a case *reached* a stage if its furthest stage (from its history and current stage,
  closure aside) is that stage or a later one; the funnel counts those cases;
* coverage figures count among the cases that reached the stage where the item is due;
* money is never added across currencies: every total is per currency, an exact sum
  rounded half up to cents only when shown (``clr.model.case.money_totals``).
"""

from __future__ import annotations

import copy
import datetime as dt
import statistics
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from clr.model import stages, vocabulary
from clr.model.case import money_share, money_totals, money_value
from clr.model.vocabulary import AGE_BANDS, SEXES
from clr.views.summary import JSON_VERSION, REMEDIATED, UNKNOWN, CaseSummary

if TYPE_CHECKING:
    from clr.views.monitoring import Round

GROUP_FIELDS: dict[str, str] = {name: name.replace("-", "_") for name in vocabulary.GROUP_FIELDS}
"""``clr stats --by`` choices and the summary field each groups by."""

MILESTONES: tuple[str, ...] = (
    "protected",
    "age_verified",
    "plan_signed",
    "first_stipend",
    "closed",
)
"""Milestones whose distance in days from discovery ``clr stats`` reports."""
_SUPPORT_STAGE = stages.index("in_remediation")

ASSESSMENT_DAYS = 3
"""Days from discovery to the assessment that count as within 72 hours (dates, not times)."""


def _num(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 2)


def _share(count: int, of: int) -> dict[str, Any]:
    return {"count": count, "of": of, "percent": round(100 * count / of, 1) if of else None}


def _median(values: Sequence[int]) -> dict[str, Any]:
    return {
        "median": _num(statistics.median(values)) if values else None,
        "cases": len(values),
    }


def _counts(values: Iterable[str], order: Sequence[str] = ()) -> dict[str, int]:
    tally: dict[str, int] = dict.fromkeys(order, 0)
    for value in values:
        tally[value] = tally.get(value, 0) + 1
    extra = sorted(k for k in tally if k not in order)
    return {k: tally[k] for k in (*order, *extra)}


def _money(rows: Iterable[tuple[str, float]]) -> dict[str, int | float]:
    return {c: money_value(total) for c, total in money_totals(rows).items()}


def figures(
    cases: Sequence[CaseSummary], suppliers: Mapping[str, str | None] | None = None
) -> dict[str, Any]:
    """The figures of a set of (loaded) cases.

    ``suppliers`` maps every known case id to its supplier, to tell whether a reopened
    case recurred at the same supplier (default: the cases given).
    """
    cases = sorted((c for c in cases if c.ok), key=lambda c: (c.id or "", c.path))
    suppliers = suppliers if suppliers is not None else {c.id or "": c.supplier for c in cases}
    n = len(cases)

    def reached(stage: str) -> list[CaseSummary]:
        level = stages.index(stage)
        return [c for c in cases if c.furthest >= level]

    open_cases = [c for c in cases if not c.closed]
    closed = [c for c in cases if c.closed]
    furthest: dict[int, int] = {}
    for c in cases:
        furthest[c.furthest] = furthest.get(c.furthest, 0) + 1
    funnel = {
        s: sum(k for level, k in furthest.items() if level >= stages.index(s))
        for s in stages.STAGES
        if s != "closed"
    }
    funnel["closed"] = len(closed)
    at = {s: reached(s) for s in ("age_verified", "assessed", "plan_agreed", "monitoring")}
    stage_days: dict[str, list[int]] = {}
    for c in cases:
        for st, d in c.stage_days:
            stage_days.setdefault(st, []).append(d)
    milestone_days: dict[str, list[int]] = {}
    for c in cases:
        for name, d in c.milestone_days:
            milestone_days.setdefault(name, []).append(d)
    supported = [c for c in cases if c.furthest >= _SUPPORT_STAGE]
    visited = [c for c in cases if c.visits >= 1]
    twice = [c for c in cases if c.visits >= 2]
    reopened = [c for c in cases if c.reopens]
    recurred = [
        c
        for c in reopened
        if c.reopens in suppliers and c.supplier and suppliers[c.reopens or ""] == c.supplier
    ]
    offered = [c for c in cases if c.job_offered]
    payments = [p for c in cases for p in c.payments]
    per_currency: dict[str, int] = {}
    for c in cases:
        for currency in {p[0] for p in c.payments}:
            per_currency[currency] = per_currency.get(currency, 0) + 1
    totals = money_totals((p[0], p[1]) for p in payments)
    payers = sorted({p[2] for p in payments})
    on_time = [t for c in cases for t in c.stipends_on_time]
    compared = [c for c in cases if c.stipend_covers_wage is not None]
    lost = sum(c.closure_reason == "lost_contact" for c in closed)
    remediated_per: dict[str, int] = {}
    for c in closed:
        if c.closure_reason in REMEDIATED:
            for currency in {p[0] for p in c.payments}:
                remediated_per[currency] = remediated_per.get(currency, 0) + 1
    recent = [c for c in cases if c.recent]
    assessed = [c.assessment_days for c in cases if c.assessment_days is not None]
    recorded_agent = [c for c in cases if c.recruited_by_agent is not None]
    return {
        "cases": n,
        "open": len(open_cases),
        "closed": len(closed),
        "funnel": funnel,
        "open_by_stage": _counts(
            (c.stage or "" for c in open_cases), [s for s in stages.STAGES if s != "closed"]
        ),
        "overdue": {
            "actions": sum(c.overdue for c in cases),
            "cases": sum(bool(c.overdue) for c in cases),
            "by_action": _counts(a for c in cases for a in c.overdue_actions),
            "by_role": _counts(r for c in cases for r in c.overdue_roles),
        },
        "speed": {
            "days_in_stage": {
                s: _median(stage_days.get(s, [])) for s in stages.STAGES if s != "closed"
            },
            "days_from_discovery": {m: _median(milestone_days.get(m, [])) for m in MILESTONES},
        },
        "coverage": {
            "age_verified": _share(
                sum(c.age_verified for c in at["age_verified"]), len(at["age_verified"])
            ),
            "family_reached": _share(
                sum(c.family_reached for c in at["assessed"]), len(at["assessed"])
            ),
            "consent_and_assent": _share(
                sum(c.consent_and_assent for c in at["assessed"]), len(at["assessed"])
            ),
            "plan_signed_by_all": _share(
                sum(c.plan_signed_by_all for c in at["plan_agreed"]), len(at["plan_agreed"])
            ),
            "at_least_one_support": _share(sum(c.support for c in supported), len(supported)),
            "two_follow_ups": _share(
                sum(c.visits >= 2 for c in at["monitoring"]), len(at["monitoring"])
            ),
        },
        "outcomes": {
            "in_school_at_last_visit": _share(
                sum(c.in_school_at_last_visit is True for c in visited), len(visited)
            ),
            "no_child_labour_last_two_visits": _share(
                sum(c.clear_last_two_visits is True for c in twice), len(twice)
            ),
            "refound_working": _share(
                sum(c.refound_working is True for c in visited), len(visited)
            ),
            "reopened": _share(len(reopened), n),
            "recurrence_same_supplier": _share(len(recurred), len(reopened)),
            "job_offered": _share(len(offered), len(at["plan_agreed"])),
            "job_accepted": _share(sum(c.job_accepted for c in offered), len(offered)),
        },
        "closure": {
            "by_reason": _counts(
                (c.closure_reason or UNKNOWN for c in closed), stages.CLOSURE_REASONS
            ),
            "lost_to_follow_up": _share(lost, len(closed)),
        },
        "money": {
            "payments": len(payments),
            "total": {cur: money_value(total) for cur, total in totals.items()},
            "per_case": {
                cur: money_share(total, per_currency[cur]) for cur, total in totals.items()
            },
            "per_child_remediated": {
                cur: money_share(total, remediated_per[cur]) if remediated_per.get(cur) else None
                for cur, total in totals.items()
            },
            "by_payer": {
                payer: _money((p[0], p[1]) for p in payments if p[2] == payer) for payer in payers
            },
            "stipend_on_time": _share(sum(on_time), len(on_time)),
            "stipend_at_least_lost_wage": _share(
                sum(c.stipend_covers_wage is True for c in compared), len(compared)
            ),
        },
        "root_causes": {
            "by_cause": _counts(r for c in cases for r in c.root_causes),
            "corrective_action": _share(
                sum(c.corrective_action for c in supported), len(supported)
            ),
        },
        "sector": {
            "identified_24_months": len(recent),
            "ici_received_support": _share(sum(c.support for c in recent), len(recent)),
            "ici_in_person_visit": _share(
                sum(c.in_person_visits >= 1 for c in recent), len(recent)
            ),
            "ici_two_follow_ups": _share(sum(c.visits >= 2 for c in recent), len(recent)),
            "days_to_assessment": _median(assessed),
            "assessed_within_72_hours": _share(
                sum(d <= ASSESSMENT_DAYS for d in assessed), len(assessed)
            ),
            "forged_or_borrowed_id": _share(sum(c.forged_id for c in cases), n),
            "recruited_by_agent": _share(
                sum(c.recruited_by_agent is True for c in recorded_agent), len(recorded_agent)
            ),
            "by_channel": _counts(
                (c.channel or UNKNOWN for c in cases), vocabulary.DISCOVERY_CHANNELS
            ),
        },
    }


def group_key(case: CaseSummary, by: str) -> str:
    """The group of a case for ``clr stats --by`` (``UNKNOWN`` when not recorded)."""
    value = getattr(case, GROUP_FIELDS[by])
    return value if isinstance(value, str) and value else UNKNOWN


def _group_order(by: str, keys: Iterable[str]) -> list[str]:
    order = {"sex": SEXES, "age-band": AGE_BANDS, "track": stages.TRACKS}.get(by, ())
    present = set(keys)
    return [k for k in order if k in present] + sorted(present - set(order))


def _node(
    label: str | None,
    cases: Sequence[CaseSummary],
    suppliers: Mapping[str, str | None],
    members: dict[int, Sequence[CaseSummary]],
    min_count: int,
    *,
    split: bool = True,
    memo: dict[tuple[int, ...], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    from clr.views.disclosure import too_small

    hidden = too_small(len(cases), min_count)  # not worth computing: it will not be shown
    figs: dict[str, Any] | None = None
    if not hidden and memo is not None:
        key = tuple(map(id, cases))
        if key not in memo:
            memo[key] = figures(cases, suppliers)
        figs = copy.deepcopy(memo[key])  # suppression writes into the figures it shows
    elif not hidden:
        figs = figures(cases, suppliers)
    node: dict[str, Any] = {"suppressed": hidden, "figures": figs}
    if label is not None or split:
        node = {"group": label, **node}
    if split and hidden:
        node["by_sex"] = {}
    elif split:
        by_sex: dict[str, list[CaseSummary]] = {}
        for case in cases:
            by_sex.setdefault(group_key(case, "sex"), []).append(case)
        node["by_sex"] = {
            k: _node(None, by_sex[k], suppliers, members, min_count, split=False, memo=memo)
            for k in _group_order("sex", by_sex)
        }
    members[id(node)] = cases
    return node


def stats_document(
    cases: Sequence[CaseSummary],
    today: dt.date,
    *,
    by: str | None = None,
    min_count: int = 0,
    rounds: Sequence[Round] | None = None,
    split_groups: bool = True,
    memo: dict[tuple[int, ...], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The ``clr stats --format json`` document: totals, groups, each split by sex.

    ``split_groups`` False leaves the groups unsplit (their own figures are the same
    without ``min_count``); ``memo``, shared between calls over the same summaries,
    computes the figures of the same set of cases once (the dashboard's three documents).

    With ``rounds`` (the repository's register of monitoring rounds), ``monitoring`` holds
    the monitored population and the identification rate (``clr.views.monitoring``).

    With ``min_count``, every figure that could single out a child is suppressed
    (``clr.views.disclosure.protect``: small groups and splits, small counts, shares,
    medians and money figures, and the complementary figures that would give them away).
    """
    from clr import __version__
    from clr.views import disclosure

    loaded = [c for c in cases if c.ok]
    suppliers = {c.id or "": c.supplier for c in loaded}
    members: dict[int, Sequence[CaseSummary]] = {}
    total = _node(None, loaded, suppliers, members, min_count, memo=memo)
    groups: list[dict[str, Any]] = []
    if by is not None and not total["suppressed"]:
        keys = _group_order(by, (group_key(c, by) for c in loaded))
        grouped: dict[str, list[CaseSummary]] = {k: [] for k in keys}
        for case in loaded:
            grouped[group_key(case, by)].append(case)
        groups = [
            _node(k, grouped[k], suppliers, members, min_count, split=split_groups, memo=memo)
            for k in keys
        ]
    doc = {
        "version": JSON_VERSION,
        "tool": {"name": "clr", "version": __version__},
        "as_of": today.isoformat(),
        "by": by,
        "min_count": min_count,
        "failed": [{"path": c.path, "error": c.error} for c in cases if not c.ok],
        "total": total,
        "groups": groups,
        "monitoring": None,
    }
    disclosure.protect(doc, members, min_count)
    if rounds is not None and not total["suppressed"]:
        from clr.views.monitoring import monitoring_figures

        doc["monitoring"] = monitoring_figures(rounds, loaded, min_count)
    return doc


def flatten(figs: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """Nested figures as (dotted metric name, value) pairs, in document order."""
    out: list[tuple[str, Any]] = []
    for key, value in figs.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.extend(flatten(value, name + "."))
        else:
            out.append((name, value))
    return out


STATS_CSV_COLUMNS: tuple[str, ...] = ("scope", "group", "sex", "metric", "value")
"""The columns of ``clr stats --format csv`` (long format: one figure a row)."""


def stats_rows(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The stats document as long-format rows (see ``STATS_CSV_COLUMNS``).

    A suppressed group or split has one row with metric ``suppressed`` and value true.
    """
    rows: list[dict[str, Any]] = []

    def emit(scope: str, group: str, sex: str, node: Mapping[str, Any]) -> None:
        if node["suppressed"]:
            rows.append(dict(scope=scope, group=group, sex=sex, metric="suppressed", value=True))
            return
        for metric, value in flatten(node["figures"]):
            rows.append(dict(scope=scope, group=group, sex=sex, metric=metric, value=value))

    nodes = [("total", "", doc["total"])] + [("group", g["group"], g) for g in doc["groups"]]
    for scope, group, node in nodes:
        emit(scope, group, "all", node)
        for sex, child in node.get("by_sex", {}).items():
            emit(scope, group, sex, child)
    for metric, value in flatten(doc.get("monitoring") or {}):
        rows.append(dict(scope="monitoring", group="", sex="all", metric=metric, value=value))
    return rows


SECTION_TITLES: dict[str, str] = {
    "cases": "cases",
    "funnel": "funnel: cases that reached each stage",
    "open_by_stage": "open cases by stage",
    "overdue": "overdue required actions",
    "speed": "speed: median days",
    "coverage": "coverage",
    "outcomes": "outcomes",
    "closure": "closure",
    "money": "money (per currency)",
    "root_causes": "root causes",
    "sector": "sector figures (ICI, CCRB, Fairtrade)",
}
"""Section headings of the human-readable stats tables."""


_MEDIAN = {"median", "cases"}


def _display(path: list[str], value: Any) -> str | None:
    """The text of a figure whose shape is known, else None."""
    from clr.views.disclosure import SUPPRESSED

    if value == SUPPRESSED:
        return SUPPRESSED
    shaped = isinstance(value, Mapping) and set(value) in ({"count", "of", "percent"}, _MEDIAN)
    if shaped and SUPPRESSED in value.values():
        return SUPPRESSED
    if isinstance(value, Mapping) and set(value) == {"count", "of", "percent"}:
        if not value["of"]:
            return "-"
        return f"{value['count']}/{value['of']} ({value['percent']:g}%)"
    if isinstance(value, Mapping) and set(value) == {"median", "cases"}:
        if value["median"] is None:
            return "-"
        return f"{value['median']:g} (n={value['cases']})"
    if isinstance(value, Mapping):
        return None
    if value is None:
        return "-"
    return (
        f"{value:,}"
        if isinstance(value, int | float) and not isinstance(value, bool)
        else str(value)
    )


def display_rows(figs: Mapping[str, Any]) -> list[tuple[str, str, str, str]]:
    """Figures as human-readable rows: (key, section title, label, text)."""
    rows: list[tuple[str, str, str, str]] = []

    def walk(path: list[str], value: Any) -> None:
        text = _display(path, value)
        if text is None:
            for key, child in value.items():
                walk([*path, key], child)
            return
        section = path[0] if len(path) > 1 else "cases"
        label = ": ".join(p.replace("_", " ") for p in (path[1:] or path))
        rows.append((".".join(path), SECTION_TITLES.get(section, section), label, text))

    for key, value in figs.items():
        walk([key], value)
    return rows
