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

import datetime as dt
import statistics
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from clr.i18n import N_, _, numbers
from clr.model import stages, vocabulary
from clr.model.case import money_share, money_totals_counted, money_value
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


def _ordered(tally: Mapping[str, int], order: Sequence[str] = ()) -> dict[str, int]:
    """Counts in a stable order: ``order``'s keys first (0 if absent), then the rest sorted."""
    out = {k: tally.get(k, 0) for k in order}
    for k in sorted(k for k in tally if k not in out):
        out[k] = tally[k]
    return out


_FUNNEL_LEVELS = tuple((s, stages.index(s)) for s in stages.STAGES if s != "closed")
_OPEN_STAGES = tuple(s for s in stages.STAGES if s != "closed")
_AGE_VERIFIED = stages.index("age_verified")
_ASSESSED = stages.index("assessed")
_PLAN_AGREED = stages.index("plan_agreed")
_MONITORING = stages.index("monitoring")


def figures(
    cases: Sequence[CaseSummary], suppliers: Mapping[str, str | None] | None = None
) -> dict[str, Any]:
    """The figures of a set of (loaded) cases.

    ``suppliers`` maps every known case id to its supplier, to tell whether a reopened
    case recurred at the same supplier (default: the cases given).

    Every figure is a count, an exact sum or a median, none depends on the order of the
    cases, and all are gathered in one pass over them: the dashboard asks for the figures
    of the whole portfolio, of each sex, month and caseworker.
    """
    cases = [c for c in cases if c.error is None]
    if suppliers is None:
        suppliers = {c.id or "": c.supplier for c in cases}
    n = len(cases)
    furthest: dict[int, int] = {}
    closed = lost = 0
    open_by_stage: dict[str, int] = {}
    by_reason: dict[str, int] = {}
    verified_of = verified = assessed_of = family = consent = agreed_of = signed = 0
    monitored = monitored_twice = 0
    stage_days: dict[str, list[int]] = {}
    milestone_days: dict[str, list[int]] = {}
    overdue_actions = overdue_cases = 0
    by_action: dict[str, int] = {}
    by_role: dict[str, int] = {}
    supported = supported_support = supported_corrective = 0
    visited = in_school = refound = twice = clear_two = 0
    reopened = recurred = offered = accepted = 0
    paid_by: dict[str, dict[tuple[str, float], int]] = {}  # payer: (currency, amount): n
    payment_count = 0
    per_currency: dict[str, int] = {}
    remediated_per: dict[str, int] = {}
    on_time: list[bool] = []
    compared = covers = 0
    recent = recent_support = recent_in_person = recent_twice = 0
    assessed: list[int] = []
    recorded_agent = by_agent = forged = 0
    by_cause: dict[str, int] = {}
    by_channel: dict[str, int] = {}
    for c in cases:
        level = c.furthest
        furthest[level] = furthest.get(level, 0) + 1
        if c.stage == "closed":
            closed += 1
            reason = c.closure_reason or UNKNOWN
            by_reason[reason] = by_reason.get(reason, 0) + 1
            lost += reason == "lost_contact"
        else:
            stage = c.stage or ""
            open_by_stage[stage] = open_by_stage.get(stage, 0) + 1
        visits = c.visits
        if level >= _AGE_VERIFIED:
            verified_of += 1
            verified += c.age_verified
        if level >= _ASSESSED:
            assessed_of += 1
            family += c.family_reached
            consent += c.consent_and_assent
        if level >= _PLAN_AGREED:
            agreed_of += 1
            signed += c.plan_signed_by_all
        if level >= _MONITORING:
            monitored += 1
            monitored_twice += visits >= 2
        if level >= _SUPPORT_STAGE:
            supported += 1
            supported_support += c.support
            supported_corrective += c.corrective_action
        for name, days in c.stage_days:
            if name in stage_days:
                stage_days[name].append(days)
            else:
                stage_days[name] = [days]
        for name, days in c.milestone_days:
            if name in milestone_days:
                milestone_days[name].append(days)
            else:
                milestone_days[name] = [days]
        if c.overdue_actions:
            overdue_cases += 1
            overdue_actions += len(c.overdue_actions)
            for action in c.overdue_actions:
                by_action[action] = by_action.get(action, 0) + 1
        for role in c.overdue_roles:
            by_role[role] = by_role.get(role, 0) + 1
        if visits >= 1:
            visited += 1
            in_school += c.in_school_at_last_visit is True
            refound += c.refound_working is True
            if visits >= 2:
                twice += 1
                clear_two += c.clear_last_two_visits is True
        if c.reopens:
            reopened += 1
            if c.reopens in suppliers and c.supplier and suppliers[c.reopens] == c.supplier:
                recurred += 1
        if c.job_offered:
            offered += 1
            accepted += c.job_accepted
        if c.payments:
            payment_count += len(c.payments)
            currencies = set()
            for currency, amount, payer, _ in c.payments:
                currencies.add(currency)
                counted = paid_by.get(payer)
                if counted is None:
                    counted = paid_by[payer] = {}
                key = (currency, amount)
                counted[key] = counted.get(key, 0) + 1
            for currency in currencies:
                per_currency[currency] = per_currency.get(currency, 0) + 1
            if c.stage == "closed" and c.closure_reason in REMEDIATED:
                for currency in currencies:
                    remediated_per[currency] = remediated_per.get(currency, 0) + 1
        if c.stipends_on_time:
            on_time.extend(c.stipends_on_time)
        if c.stipend_covers_wage is not None:
            compared += 1
            covers += c.stipend_covers_wage is True
        if c.recent:
            recent += 1
            recent_support += c.support
            recent_in_person += c.in_person_visits >= 1
            recent_twice += visits >= 2
        if c.assessment_days is not None:
            assessed.append(c.assessment_days)
        if c.recruited_by_agent is not None:
            recorded_agent += 1
            by_agent += c.recruited_by_agent is True
        forged += c.forged_id
        for cause in c.root_causes:
            by_cause[cause] = by_cause.get(cause, 0) + 1
        channel = c.channel or UNKNOWN
        by_channel[channel] = by_channel.get(channel, 0) + 1
    funnel = {s: sum(k for lv, k in furthest.items() if lv >= at) for s, at in _FUNNEL_LEVELS}
    funnel["closed"] = closed
    paid: dict[tuple[str, float], int] = {}
    for counted in paid_by.values():
        for key, times in counted.items():
            paid[key] = paid.get(key, 0) + times
    totals = money_totals_counted(paid)
    return {
        "cases": n,
        "open": n - closed,
        "closed": closed,
        "funnel": funnel,
        "open_by_stage": _ordered(open_by_stage, _OPEN_STAGES),
        "overdue": {
            "actions": overdue_actions,
            "cases": overdue_cases,
            "by_action": _ordered(by_action),
            "by_role": _ordered(by_role),
        },
        "speed": {
            "days_in_stage": {s: _median(stage_days.get(s, [])) for s in _OPEN_STAGES},
            "days_from_discovery": {m: _median(milestone_days.get(m, [])) for m in MILESTONES},
        },
        "coverage": {
            "age_verified": _share(verified, verified_of),
            "family_reached": _share(family, assessed_of),
            "consent_and_assent": _share(consent, assessed_of),
            "plan_signed_by_all": _share(signed, agreed_of),
            "at_least_one_support": _share(supported_support, supported),
            "two_follow_ups": _share(monitored_twice, monitored),
        },
        "outcomes": {
            "in_school_at_last_visit": _share(in_school, visited),
            "no_child_labour_last_two_visits": _share(clear_two, twice),
            "refound_working": _share(refound, visited),
            "reopened": _share(reopened, n),
            "recurrence_same_supplier": _share(recurred, reopened),
            "job_offered": _share(offered, agreed_of),
            "job_accepted": _share(accepted, offered),
        },
        "closure": {
            "by_reason": _ordered(by_reason, stages.CLOSURE_REASONS),
            "lost_to_follow_up": _share(lost, closed),
        },
        "money": {
            "payments": payment_count,
            "total": {cur: money_value(total) for cur, total in totals.items()},
            "per_case": {
                cur: money_share(total, per_currency[cur]) for cur, total in totals.items()
            },
            "per_child_remediated": {
                cur: money_share(total, remediated_per[cur]) if remediated_per.get(cur) else None
                for cur, total in totals.items()
            },
            "by_payer": {
                payer: {c: money_value(t) for c, t in money_totals_counted(paid_by[payer]).items()}
                for payer in sorted(paid_by)
            },
            "stipend_on_time": _share(sum(on_time), len(on_time)),
            "stipend_at_least_lost_wage": _share(covers, compared),
        },
        "root_causes": {
            "by_cause": _ordered(by_cause),
            "corrective_action": _share(supported_corrective, supported),
        },
        "sector": {
            "identified_24_months": recent,
            "ici_received_support": _share(recent_support, recent),
            "ici_in_person_visit": _share(recent_in_person, recent),
            "ici_two_follow_ups": _share(recent_twice, recent),
            "days_to_assessment": _median(assessed),
            "assessed_within_72_hours": _share(
                sum(d <= ASSESSMENT_DAYS for d in assessed), len(assessed)
            ),
            "forged_or_borrowed_id": _share(forged, n),
            "recruited_by_agent": _share(by_agent, recorded_agent),
            "by_channel": _ordered(by_channel, vocabulary.DISCOVERY_CHANNELS),
        },
    }


BRIEF: tuple[str, ...] = ("cases", "open", "closed", "overdue")
"""The figures ``brief_figures`` gives: what the dashboard shows of each month and caseworker."""


def brief_figures(
    cases: Sequence[CaseSummary], suppliers: Mapping[str, str | None] | None = None
) -> dict[str, Any]:
    """The figures named in ``BRIEF``, as ``figures`` gives them, without the others.

    ``suppliers`` is not needed (it is taken for the same call as ``figures``).
    """
    n = closed = actions = overdue = 0
    by_action: dict[str, int] = {}
    by_role: dict[str, int] = {}
    for c in cases:
        if c.error is not None:
            continue
        n += 1
        closed += c.stage == "closed"
        if c.overdue_actions:
            overdue += 1
            actions += len(c.overdue_actions)
            for action in c.overdue_actions:
                by_action[action] = by_action.get(action, 0) + 1
        for role in c.overdue_roles:
            by_role[role] = by_role.get(role, 0) + 1
    return {
        "cases": n,
        "open": n - closed,
        "closed": closed,
        "overdue": {
            "actions": actions,
            "cases": overdue,
            "by_action": _ordered(by_action),
            "by_role": _ordered(by_role),
        },
    }


def _copy(tree: dict[str, Any]) -> dict[str, Any]:
    """A copy of a tree of figures (mappings of numbers, text and None), deep."""
    return {k: _copy(v) if isinstance(v, dict) else v for k, v in tree.items()}


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
    brief: bool = False,
) -> dict[str, Any]:
    from clr.views.disclosure import too_small

    hidden = too_small(len(cases), min_count)  # not worth computing: it will not be shown
    figs: dict[str, Any] | None = None
    if brief and not hidden:
        figs = brief_figures(cases)
    elif not hidden and memo is not None:
        key = tuple(map(id, cases))
        if key not in memo:
            memo[key] = figures(cases, suppliers)
        figs = memo[key]
        if min_count > 0:  # suppression writes into the figures it shows
            figs = _copy(figs)
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
    brief_groups: bool = False,
) -> dict[str, Any]:
    """The ``clr stats --format json`` document: totals, groups, each split by sex.

    ``split_groups`` False leaves the groups unsplit (their own figures are the same
    without ``min_count``); ``memo``, shared between calls over the same summaries,
    computes the figures of the same set of cases once (the dashboard's three documents);
    ``brief_groups`` gives each group only the figures of ``BRIEF`` (without suppression:
    to decide what to hide, suppression needs every figure).

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
            _node(
                k,
                grouped[k],
                suppliers,
                members,
                min_count,
                split=split_groups,
                memo=memo,
                brief=brief_groups and min_count <= 0,
            )
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
    "cases": N_("cases"),
    "funnel": N_("funnel: cases that reached each stage"),
    "open_by_stage": N_("open cases by stage"),
    "overdue": N_("overdue required actions"),
    "speed": N_("speed: median days"),
    "coverage": N_("coverage"),
    "outcomes": N_("outcomes"),
    "closure": N_("closure"),
    "money": N_("money (per currency)"),
    "root_causes": N_("root causes"),
    "sector": N_("sector figures (ICI, CCRB, Fairtrade)"),
}
"""Section headings of the human-readable stats tables (msgids)."""

FIGURE_LABELS: dict[str, str] = {
    "cases": N_("cases"),
    "open": N_("open"),
    "closed": N_("closed"),
    "overdue.actions": N_("actions"),
    "overdue.cases": N_("cases"),
    "speed.days_in_stage": N_("days in stage"),
    "speed.days_from_discovery": N_("days from discovery"),
    "speed.days_from_discovery.plan_signed": N_("plan signed"),
    "speed.days_from_discovery.first_stipend": N_("first stipend"),
    "coverage.age_verified": N_("age verified"),
    "coverage.family_reached": N_("family reached"),
    "coverage.consent_and_assent": N_("consent and assent"),
    "coverage.plan_signed_by_all": N_("plan signed by all"),
    "coverage.at_least_one_support": N_("at least one support"),
    "coverage.two_follow_ups": N_("two follow-ups"),
    "outcomes.in_school_at_last_visit": N_("in school at last visit"),
    "outcomes.no_child_labour_last_two_visits": N_("no child labour at the last two visits"),
    "outcomes.refound_working": N_("found working again"),
    "outcomes.reopened": N_("reopened"),
    "outcomes.recurrence_same_supplier": N_("recurrence at the same supplier"),
    "outcomes.job_offered": N_("job offered"),
    "outcomes.job_accepted": N_("job accepted"),
    "closure.by_reason": N_("by reason"),
    "closure.lost_to_follow_up": N_("lost to follow-up"),
    "money.payments": N_("payments"),
    "money.total": N_("total"),
    "money.per_case": N_("per case"),
    "money.per_child_remediated": N_("per child remediated"),
    "money.by_payer": N_("by payer"),
    "money.stipend_on_time": N_("stipend on time"),
    "money.stipend_at_least_lost_wage": N_("stipend at least the lost wage"),
    "root_causes.by_cause": N_("by cause"),
    "root_causes.corrective_action": N_("corrective action"),
    "sector.identified_24_months": N_("identified in the past 24 months"),
    "sector.ici_received_support": N_("ICI: received support"),
    "sector.ici_in_person_visit": N_("ICI: visited in person"),
    "sector.ici_two_follow_ups": N_("ICI: two follow-up visits"),
    "sector.days_to_assessment": N_("days to assessment"),
    "sector.assessed_within_72_hours": N_("assessed within 72 hours"),
    "sector.forged_or_borrowed_id": N_("forged or borrowed ID"),
    "sector.recruited_by_agent": N_("recruited by a labour agent"),
    "sector.by_channel": N_("by channel"),
    "rounds": N_("rounds"),
    "households": N_("households visited"),
    "children": N_("children monitored"),
    "identified": N_("children identified in child labour"),
    "identification_rate": N_("identification rate"),
    "by_month": N_("by month"),
    "by_site": N_("by site"),
}
"""The labels of figures in the human-readable stats tables, by dotted path (msgids); a key
not here is a word of the case file (a stage, a reason, a currency) and stays as it is."""


def figure_label(path: Sequence[str]) -> str:
    """The label of the figure at ``path``, in the language in force."""
    parts = []
    for i, key in enumerate(path):
        known = FIGURE_LABELS.get(".".join(path[: i + 1]))
        if known is None and i == len(path) - 1 and path[0] in ("by_month", "by_site"):
            known = FIGURE_LABELS.get(key)  # a monitoring figure of one month or site
        parts.append(_(known) if known is not None else key.replace("_", " "))
    shown = parts[1:] if len(parts) > 1 else parts
    label = shown[0]
    for part in shown[1:]:  # "days in stage: reported", with the language's colon
        label = _("{label}: {value}").format(label=label, value=part)
    return label


_MEDIAN = {"median", "cases"}


def _whole(value: int | float) -> int | float:
    """``12`` for ``12.0``: a share or a median written without a needless ``.0``."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


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
        count, of = numbers.number(value["count"]), numbers.number(value["of"])
        return f"{count}/{of} ({numbers.percent(_whole(value['percent']))})"
    if isinstance(value, Mapping) and set(value) == {"median", "cases"}:
        if value["median"] is None:
            return "-"
        median = numbers.number(_whole(value["median"]))
        return f"{median} (n={numbers.number(value['cases'])})"
    if isinstance(value, Mapping):
        return None
    if value is None:
        return "-"
    return (
        numbers.number(value)
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
        title = SECTION_TITLES.get(section)
        rows.append(
            (".".join(path), section if title is None else _(title), figure_label(path), text)
        )

    for key, value in figs.items():
        walk([key], value)
    return rows
