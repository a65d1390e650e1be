"""Exports of many cases: a SQLite database and CSV files with the same tables.

Only case files are read, never identity files; free-text fields (notes, views,
descriptions) and the child's pseudonym and birth date are left out. Tables (columns in
``TABLES``, documented in docs/bulk-views.md):

* ``meta``: the export's format version, clr's version and the as-of date;
* ``cases``: one row per case, with its status figures;
* ``history``, ``visits``, ``payments``, ``plan_components``: one row per list item;
* ``checklist``: ticked playbook items; ``actions``: the current stage's actions with
  their due dates, done or not; ``root_causes``: one row per case and cause.

CSV cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
``@``, ``|``, their full-width forms, a tab or a line break, also behind leading white
space, zero-width characters or a BOM) get a leading ``'``; a cell holding CR or LF is
quoted.

``for_audience`` cuts an export down to what one audience may see (``clr.views.consent``): a
buyer or a supplier gets only the cases whose guardian consented to sharing with them,
and only the tables and columns in ``AUDIENCE_COLUMNS``; an investor gets one
``figures`` table (``clr stats`` rows over all cases, groups of fewer than five cases
suppressed) and no case at all.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clr import __version__, i18n
from clr.io import yamlio
from clr.model.case import Case, dig, items
from clr.model.closing import corrective_causes
from clr.model.workflow import open_actions, stage_states
from clr.repo.context import CaseContext
from clr.views import consent
from clr.views.consent import AUDIENCES
from clr.views.load import load_selection_cached, summary_from_row, summary_to_row
from clr.views.select import Selection
from clr.views.summary import CaseSummary, stipend_on_time, summarise_loaded

FORMAT_VERSION = 1
"""Version of the exported tables; bumped when a column changes meaning or goes away."""

Column = tuple[str, str]  # name, SQLite type

TABLES: dict[str, tuple[Column, ...]] = {
    "meta": (("key", "TEXT PRIMARY KEY"), ("value", "TEXT")),
    "cases": (
        ("id", "TEXT PRIMARY KEY"),
        ("path", "TEXT"),
        ("playbook", "TEXT"),
        ("track", "TEXT"),
        ("stage", "TEXT"),
        ("furthest_stage", "TEXT"),
        ("opened", "TEXT"),
        ("reopens", "TEXT"),
        ("site", "TEXT"),
        ("supplier", "TEXT"),
        ("buyer", "TEXT"),
        ("agent", "TEXT"),
        ("country", "TEXT"),
        ("region", "TEXT"),
        ("sector", "TEXT"),
        ("tier", "INTEGER"),
        ("sex", "TEXT"),
        ("age_at_discovery", "INTEGER"),
        ("age_band", "TEXT"),
        ("discovery_date", "TEXT"),
        ("channel", "TEXT"),
        ("hours_per_week", "REAL"),
        ("night_work", "INTEGER"),
        ("recruited_by_agent", "INTEGER"),
        ("escalated_reason", "TEXT"),
        ("escalated_date", "TEXT"),
        ("emergency", "INTEGER"),
        ("removed_from_work", "TEXT"),
        ("hazards_removed", "TEXT"),
        ("wages_continued", "INTEGER"),
        ("age_verification_date", "TEXT"),
        ("age_result", "TEXT"),
        ("verified_age", "INTEGER"),
        ("minimum_age", "INTEGER"),
        ("minimum_age_decided_by", "TEXT"),
        ("assessment_date", "TEXT"),
        ("family_reachable", "INTEGER"),
        ("guardian_consent", "INTEGER"),
        ("child_assent", "INTEGER"),
        ("plan_signed", "TEXT"),
        ("signed_by", "TEXT"),
        ("stipend_amount", "REAL"),
        ("stipend_currency", "TEXT"),
        ("stipend_frequency", "TEXT"),
        ("stipend_payer", "TEXT"),
        ("lost_wage_amount", "REAL"),
        ("lost_wage_currency", "TEXT"),
        ("budget_amount", "REAL"),
        ("budget_currency", "TEXT"),
        ("implementation_started", "TEXT"),
        ("enrolled", "TEXT"),
        ("closure_date", "TEXT"),
        ("closure_reason", "TEXT"),
        ("recurrence_check", "TEXT"),
        ("root_causes", "TEXT"),
        ("stage_entered", "TEXT"),
        ("days_open", "INTEGER"),
        ("days_in_stage", "INTEGER"),
        ("next_action", "TEXT"),
        ("next_due", "TEXT"),
        ("overdue", "INTEGER"),
        ("last_visit", "TEXT"),
        ("visits", "INTEGER"),
        ("payments", "INTEGER"),
    ),
    "history": (
        ("case_id", "TEXT NOT NULL REFERENCES cases(id)"),
        ("seq", "INTEGER NOT NULL"),
        ("at", "TEXT"),
        ("from_stage", "TEXT"),
        ("to_stage", "TEXT"),
        ("moved_by", "TEXT"),
    ),
    "visits": (
        ("case_id", "TEXT NOT NULL REFERENCES cases(id)"),
        ("seq", "INTEGER NOT NULL"),
        ("date", "TEXT"),
        ("method", "TEXT"),
        ("visited_by", "TEXT"),
        ("in_school", "INTEGER"),
        ("attendance_percent", "REAL"),
        ("working", "INTEGER"),
        ("hazardous_work", "INTEGER"),
        ("stipend_received", "INTEGER"),
    ),
    "payments": (
        ("case_id", "TEXT NOT NULL REFERENCES cases(id)"),
        ("seq", "INTEGER NOT NULL"),
        ("date", "TEXT"),
        ("amount", "REAL"),
        ("currency", "TEXT"),
        ("payer", "TEXT"),
        ("purpose", "TEXT"),
        ("period", "TEXT"),
        ("receipt", "TEXT"),
        ("on_time", "INTEGER"),
    ),
    "plan_components": (
        ("case_id", "TEXT NOT NULL REFERENCES cases(id)"),
        ("seq", "INTEGER NOT NULL"),
        ("component", "TEXT"),
        ("provider", "TEXT"),
        ("start_date", "TEXT"),
        ("end_date", "TEXT"),
        ("cost_amount", "REAL"),
        ("cost_currency", "TEXT"),
    ),
    "checklist": (
        ("case_id", "TEXT NOT NULL REFERENCES cases(id)"),
        ("item", "TEXT NOT NULL"),
        ("stage", "TEXT"),
        ("done", "TEXT"),
        ("done_by", "TEXT"),
    ),
    "actions": (
        ("case_id", "TEXT NOT NULL REFERENCES cases(id)"),
        ("action", "TEXT NOT NULL"),
        ("stage", "TEXT"),
        ("roles", "TEXT"),
        ("required", "INTEGER"),
        ("gate", "INTEGER"),
        ("done", "INTEGER"),
        ("done_on", "TEXT"),
        ("due", "TEXT"),
        ("recurrence", "TEXT"),
        ("waiting_for", "TEXT"),
        ("overdue_days", "INTEGER"),
        ("text", "TEXT"),
    ),
    "root_causes": (
        ("case_id", "TEXT NOT NULL REFERENCES cases(id)"),
        ("cause", "TEXT NOT NULL"),
        ("supplier", "TEXT"),
        ("recorded", "INTEGER"),
        ("corrective_action", "INTEGER"),
    ),
    "recurrence_checks": (
        ("case_id", "TEXT NOT NULL REFERENCES cases(id)"),
        ("seq", "INTEGER NOT NULL"),
        ("date", "TEXT"),
        ("method", "TEXT"),
        ("working", "INTEGER"),
        ("rehired", "INTEGER"),
        ("in_school", "INTEGER"),
    ),
}
"""Every exported table and its columns (a stable interface)."""

_KEYS = {
    "history": ("case_id", "seq"),
    "visits": ("case_id", "seq"),
    "payments": ("case_id", "seq"),
    "plan_components": ("case_id", "seq"),
    "checklist": ("case_id", "item"),
    "actions": ("case_id", "action"),
    "root_causes": ("case_id", "cause"),
    "recurrence_checks": ("case_id", "seq"),
}

Row = tuple[Any, ...]


@dataclass
class CaseRows:
    """One case's rows for every table (``summary.error`` set if the case failed)."""

    summary: CaseSummary
    rows: dict[str, list[Row]] = field(default_factory=dict)
    file: str = ""
    covers: tuple[str, ...] = ()
    """The audiences the consent of the guardian and the child covers sharing this case with."""


@dataclass
class Export:
    """All rows to export, and the cases left out (with why)."""

    tables: dict[str, list[Row]]
    failed: list[CaseSummary]
    columns: dict[str, tuple[Column, ...]] = field(default_factory=lambda: dict(TABLES))
    cases: list[CaseRows] = field(default_factory=list)
    """The cases exported (for choosing by audience and consent)."""
    left_out: list[CaseRows] = field(default_factory=list)
    """Cases left out because the guardian's consent does not cover the audience."""

    def count(self, table: str) -> int:
        """How many rows a table has."""
        return len(self.tables[table])


def _str(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _real(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _bool(value: Any) -> int | None:
    return int(value) if isinstance(value, bool) else None


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _strs(value: Any) -> str | None:
    if not isinstance(value, list):
        return None
    return ";".join(str(v) for v in value if isinstance(v, str)) or None


def case_rows(path: Path, loaded: yamlio.Loaded, ctx: CaseContext) -> CaseRows:
    """Every table's rows for one parsed case file (for ``clr.views.load.load``).

    A case is left out (``summary.error`` set) where ``clr status`` fails it too: it
    cannot be read, fails its schema, or breaks a repository rule (an id that differs
    from its folder, an unknown playbook).
    """
    info = summarise_loaded(path, loaded, ctx)
    if not info.ok:
        return CaseRows(info)
    data = loaded.data
    assert data is not None
    cid = info.id
    rows: dict[str, list[Row]] = {name: [] for name in TABLES if name != "meta"}
    rows["cases"].append(_case_row(data, info))
    for i, h in enumerate(items(data.get("history")), 1):
        rows["history"].append(
            (cid, i, _str(h.get("at")), _str(h.get("from")), _str(h.get("to")), _str(h.get("by")))
        )
    for i, v in enumerate(items(data.get("visits")), 1):
        rows["visits"].append(
            (
                cid,
                i,
                _str(v.get("date")),
                _str(v.get("method")),
                _str(v.get("by")),
                _bool(v.get("in_school")),
                _real(v.get("attendance_percent")),
                _bool(v.get("working")),
                _bool(v.get("hazardous_work")),
                _bool(v.get("stipend_received")),
            )
        )
    for i, p in enumerate(items(data.get("payments")), 1):
        purpose = _str(p.get("purpose"))
        on_time = stipend_on_time(p) if purpose in (None, "stipend") else None
        rows["payments"].append(
            (
                cid,
                i,
                _str(p.get("date")),
                _real(p.get("amount")),
                _str(p.get("currency")),
                _str(p.get("payer")),
                purpose,
                _str(p.get("period")),
                _str(p.get("receipt")),
                _bool(on_time),
            )
        )
    for i, c in enumerate(items(dig(data, "plan", "components")), 1):
        rows["plan_components"].append(
            (
                cid,
                i,
                _str(c.get("type")),
                _str(c.get("provider")),
                _str(c.get("start")),
                _str(c.get("end")),
                _real(dig(c, "cost", "amount")),
                _str(dig(c, "cost", "currency")),
            )
        )
    name = data.get("playbook")
    book = ctx.playbooks.get(name) if isinstance(name, str) else None
    for item, tick in sorted(Case(data).checklist.items()):
        action = book.action(item) if book is not None else None
        rows["checklist"].append(
            (
                cid,
                str(item),
                action.stage if action is not None else None,
                _str(dig(tick, "done")),
                _str(dig(tick, "by")),
            )
        )
    if book is not None:
        for s in stage_states(data, book, ctx.calendar):
            rows["actions"].append(
                (
                    cid,
                    s.action.id,
                    s.action.stage,
                    ";".join(s.action.roles) or None,
                    int(s.action.required),
                    int(s.action.gate),
                    int(s.done),
                    _iso(s.done_on),
                    _iso(s.due),
                    s.label or None,
                    s.waiting_for or None,
                    s.overdue_days(ctx.today),
                    s.action.text,
                )
            )
        if data.get("stage") == "closed":
            for s in open_actions(data, book, ctx.calendar):  # the checks after closure
                rows["actions"].append(
                    (cid, s.action.id, s.action.stage, ";".join(s.action.roles) or None,
                     int(s.action.required), int(s.action.gate), int(s.done), _iso(s.done_on),
                     _iso(s.due), s.label or None, s.waiting_for or None,
                     s.overdue_days(ctx.today), s.action.text)
                )  # fmt: skip
    # Root causes per case and supplier: recorded in root_causes, or named by a corrective
    # action at the supplier (clr validate's CLR227 asks for them to be recorded too).
    fixed = corrective_causes(data)
    for cause in sorted({*info.root_causes, *fixed}):
        rows["root_causes"].append(
            (cid, cause, info.supplier, int(cause in info.root_causes), int(cause in fixed))
        )
    for i, check in enumerate(items(data.get("recurrence_checks")), start=1):
        rows["recurrence_checks"].append(
            (cid, i, _str(check.get("date")), _str(check.get("method")),
             _bool(check.get("working")), _bool(check.get("rehired")),
             _bool(check.get("in_school")))
        )  # fmt: skip
    age = consent.consent_age_of(ctx, data)
    covers = tuple(a for a in AUDIENCES if consent.covers(data, a, ctx.today, age))
    return CaseRows(info, rows, str(path), covers)


def _case_row(data: dict[str, Any], info: CaseSummary) -> Row:
    case = Case(data)
    from clr.model.stages import STAGES

    escalated = case.flags.get("escalated")
    stipend = case.plan.get("stipend")
    parties = (_str(s.get("party")) for s in items(case.plan.get("signed_by")))
    signed = sorted({p for p in parties if p})
    enrolled = case.get("implementation", "enrolled", "date")
    values: dict[str, Any] = {
        "id": info.id,
        "path": info.path,
        "playbook": _str(data.get("playbook")),
        "track": info.track,
        "stage": info.stage,
        "furthest_stage": STAGES[info.furthest],
        "opened": _iso(info.opened),
        "reopens": info.reopens,
        "site": info.site,
        "supplier": info.supplier,
        "buyer": info.buyer,
        "agent": _str(case.site.get("agent")),
        "country": info.country,
        "region": _str(case.site.get("region")),
        "sector": info.sector,
        "tier": _int(case.site.get("tier")),
        "sex": info.sex,
        "age_at_discovery": info.age,
        "age_band": info.age_band,
        "discovery_date": _iso(info.discovered),
        "channel": _str(case.discovery.get("channel")),
        "hours_per_week": _real(case.discovery.get("hours_per_week")),
        "night_work": _bool(case.discovery.get("night_work")),
        "recruited_by_agent": _bool(case.discovery.get("recruited_by_agent")),
        "escalated_reason": _str(dig(escalated, "reason")),
        "escalated_date": _str(dig(escalated, "date")),
        "emergency": _bool(case.flags.get("emergency")),
        "removed_from_work": _str(case.protection.get("removed_from_work")),
        "hazards_removed": _str(case.protection.get("hazards_removed")),
        "wages_continued": _bool(case.protection.get("wages_continued")),
        "age_verification_date": _str(case.age_verification.get("date")),
        "age_result": _str(case.age_verification.get("result")),
        "verified_age": _int(case.age_verification.get("verified_age")),
        "minimum_age": _int(case.age_verification.get("minimum_age")),
        "minimum_age_decided_by": _str(case.age_verification.get("minimum_age_decided_by")),
        "assessment_date": _str(case.assessment.get("date")),
        "family_reachable": _bool(case.assessment.get("family_reachable")),
        "guardian_consent": _bool(
            case.get("assessment", "consent", "guardian", "services", "given")
        ),
        "child_assent": _bool(case.get("assessment", "consent", "child", "services", "given")),
        "plan_signed": _str(case.plan.get("date_signed")),
        "signed_by": ";".join(signed) or None,
        "stipend_amount": _real(dig(stipend, "amount")),
        "stipend_currency": _str(dig(stipend, "currency")),
        "stipend_frequency": _str(dig(stipend, "frequency")),
        "stipend_payer": _str(dig(stipend, "payer")),
        "lost_wage_amount": _real(dig(stipend, "lost_wage", "amount")),
        "lost_wage_currency": _str(dig(stipend, "lost_wage", "currency")),
        "budget_amount": _real(case.get("plan", "budget", "amount")),
        "budget_currency": _str(case.get("plan", "budget", "currency")),
        "implementation_started": _str(case.implementation.get("started")),
        "enrolled": _str(enrolled),
        "closure_date": _iso(info.closure_date),
        "closure_reason": info.closure_reason,
        "recurrence_check": _str(case.closure.get("recurrence_check"))
        if info.stage == "closed"
        else None,
        "root_causes": ";".join(info.root_causes) or None,
        "stage_entered": _iso(info.stage_entered),
        "days_open": info.days_open,
        "days_in_stage": info.days_in_stage,
        "next_action": info.next_action,
        "next_due": _iso(info.next_due),
        "overdue": info.overdue,
        "last_visit": _iso(info.last_visit),
        "visits": len(case.visits),
        "payments": len(case.payments),
    }
    return tuple(values[name] for name, _ in TABLES["cases"])


def collect(
    selection: Selection, today: dt.date, *, jobs: int | None = None, use_cache: bool = True
) -> Export:
    """Read every selected case into table rows; a second case with the same id is left out.

    The rows of unchanged files come from the repository's result cache (``export``). The
    rows are a machine's: the same bytes in every language, the playbook's texts (an
    action's ``text``) in its English.
    """
    with i18n.speaking("en"):  # (the process pool's forked workers speak it too)
        results = load_selection_cached(
            selection,
            today,
            case_rows,
            kind="export",
            to_row=_rows_to_json,
            from_row=_rows_from_json,
            jobs=jobs,
            use_cache=use_cache,
        )
    for result, path in zip(
        results, (f for files in selection.groups.values() for f in files), strict=True
    ):
        result.file = str(path)  # as the case was given, whether read or cached
    results.sort(key=lambda r: (r.summary.id or "", r.summary.path))
    tables: dict[str, list[Row]] = {name: [] for name in TABLES}
    tables["meta"] = [
        ("format_version", str(FORMAT_VERSION)),
        ("tool", "clr"),
        ("tool_version", __version__),
        ("as_of", today.isoformat()),
    ]
    failed: list[CaseSummary] = []
    cases: list[CaseRows] = []
    first_path: dict[str, str] = {}
    for result in results:
        info = result.summary
        if not info.ok:
            failed.append(info)
            continue
        cid = info.id or ""
        if cid in first_path:
            failed.append(
                CaseSummary(info.path, error=f"case id {cid} is also used by {first_path[cid]}")
            )
            continue
        first_path[cid] = info.path
        cases.append(result)
        for name, rows in result.rows.items():
            tables[name].extend(rows)
    failed.sort(key=lambda c: c.path)
    return Export(tables, failed, cases=cases)


_CASE_TABLES = tuple(name for name in TABLES if name != "meta")
_CASE_AT = {name: i for i, (name, _) in enumerate(TABLES["cases"])}
_DAYS_OPEN, _DAYS_IN_STAGE, _OVERDUE = (
    _CASE_AT["days_open"],
    _CASE_AT["days_in_stage"],
    _CASE_AT["overdue"],
)
_ACTION_AT = {name: i for i, (name, _) in enumerate(TABLES["actions"])}
_DONE, _DUE, _OVERDUE_DAYS = _ACTION_AT["done"], _ACTION_AT["due"], _ACTION_AT["overdue_days"]


def _rows_to_json(case: CaseRows) -> tuple[Any, ...]:
    """A case's rows for the cache: the summary's row, each table's rows, the audiences.

    What changes with the day (days open and in stage, overdue counts and days, the
    audiences the consent covers) is worked out again when the rows are read back.
    """
    return (
        summary_to_row(case.summary),
        tuple(tuple(case.rows.get(name, ())) for name in _CASE_TABLES),
        case.covers,
    )


def _rows_from_json(path: str, entry: Any, today: dt.date) -> CaseRows | None:
    if type(entry) is not tuple or len(entry) != 3:
        return None
    row, tables, covers = entry
    info = summary_from_row(path, row, today)  # None too if the consent may have changed
    if info is None or type(tables) is not tuple or type(covers) is not tuple:
        return None
    if len(tables) != len(_CASE_TABLES):
        return None
    rows = dict(zip(_CASE_TABLES, map(list, tables), strict=True))
    if not info.ok:
        return CaseRows(info)
    try:
        cases = rows["cases"]
        if cases:
            values = list(cases[0])
            values[_DAYS_OPEN] = info.days_open
            values[_DAYS_IN_STAGE] = info.days_in_stage
            values[_OVERDUE] = info.overdue
            cases[0] = tuple(values)
        actions = rows["actions"]
        for i, action in enumerate(actions):
            due = action[_DUE]
            if due is not None and not action[_DONE]:
                late = max(0, (today - dt.date.fromisoformat(due)).days)
                if late != action[_OVERDUE_DAYS]:
                    values = list(action)
                    values[_OVERDUE_DAYS] = late
                    actions[i] = tuple(values)
    except (TypeError, ValueError, IndexError):  # a damaged or foreign row: read again
        return None
    return CaseRows(info, rows, path, covers)


# --- by audience ---------------------------------------------------------------------------

_ALL = ("*",)

AUDIENCE_COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "buyer": {
        "cases": (
            "id",
            "playbook",
            "track",
            "stage",
            "furthest_stage",
            "opened",
            "reopens",
            "site",
            "supplier",
            "buyer",
            "country",
            "sector",
            "tier",
            "discovery_date",
            "removed_from_work",
            "hazards_removed",
            "wages_continued",
            "age_verification_date",
            "age_result",
            "minimum_age",
            "minimum_age_decided_by",
            "assessment_date",
            "plan_signed",
            "signed_by",
            "stipend_amount",
            "stipend_currency",
            "stipend_frequency",
            "stipend_payer",
            "budget_amount",
            "budget_currency",
            "implementation_started",
            "enrolled",
            "closure_date",
            "closure_reason",
            "recurrence_check",
            "root_causes",
            "stage_entered",
            "days_open",
            "days_in_stage",
            "next_action",
            "next_due",
            "overdue",
            "last_visit",
            "visits",
            "payments",
        ),
        "history": ("case_id", "seq", "at", "from_stage", "to_stage"),
        "visits": (
            "case_id",
            "seq",
            "date",
            "method",
            "in_school",
            "attendance_percent",
            "working",
            "hazardous_work",
            "stipend_received",
        ),
        "payments": _ALL,
        "plan_components": _ALL,
        "checklist": ("case_id", "item", "stage", "done"),
        "actions": _ALL,
        "root_causes": _ALL,
        "recurrence_checks": _ALL,
    },
    "supplier": {
        "cases": (
            "id",
            "playbook",
            "track",
            "stage",
            "opened",
            "site",
            "supplier",
            "buyer",
            "country",
            "sector",
            "removed_from_work",
            "hazards_removed",
            "wages_continued",
            "plan_signed",
            "stipend_amount",
            "stipend_currency",
            "stipend_frequency",
            "stipend_payer",
            "implementation_started",
            "closure_date",
            "closure_reason",
            "stage_entered",
            "days_in_stage",
        ),
        "payments": _ALL,
        "actions": _ALL,
        "root_causes": _ALL,
    },
}
"""The tables and columns each outside audience gets (caseworkers get every one).

A buyer gets pseudonymous case ids, stages, dates, costs and outcomes: no sex, age,
discovery circumstances, escalation, consent, household or names of staff. A supplier
gets the actions and payments it owes: its own payments, the stipend only where it pays
it, the actions that name it; no visits or family details.
"""

FIGURES: tuple[Column, ...] = (
    ("scope", "TEXT"),
    ("group", "TEXT"),
    ("sex", "TEXT"),
    ("metric", "TEXT"),
    ("value", ""),
)
"""The one data table of an export for an investor: ``clr stats --format csv``'s rows."""


def for_audience(
    export: Export, audience: str, today: dt.date, *, include: Iterable[str] = ()
) -> Export:
    """The part of ``export`` that ``audience`` may see.

    Cases whose guardian's consent does not cover the audience are left out (and listed in
    ``left_out``), except those whose ids are in ``include`` (consent overridden, which the
    caller has recorded). An investor gets figures over all cases, groups of fewer than
    five suppressed, and no case.
    """
    consent.check_audience(audience)
    if audience == "caseworker":
        return export
    meta = [*export.tables["meta"], ("audience", audience)]
    if audience == "investor":
        from clr.views.figures import stats_document, stats_rows

        doc = stats_document([c.summary for c in export.cases], today, min_count=consent.MIN_GROUP)
        meta.append(("min_count", str(consent.MIN_GROUP)))
        figures = [tuple(r[c] for c, _ in FIGURES) for r in stats_rows(doc)]
        return Export(
            {"meta": meta, "figures": figures},
            export.failed,
            {"meta": TABLES["meta"], "figures": FIGURES},
            list(export.cases),
        )
    forced = set(include)
    kept = [c for c in export.cases if audience in c.covers or c.summary.id in forced]
    left = [c for c in export.cases if c not in kept]
    meta += [
        ("left_out_without_consent", str(len(left))),
        ("consent_overridden", str(sum(audience not in c.covers for c in kept))),
    ]
    wanted = AUDIENCE_COLUMNS[audience]
    columns: dict[str, tuple[Column, ...]] = {"meta": TABLES["meta"]}
    tables: dict[str, list[Row]] = {"meta": meta}
    for table, names in wanted.items():
        full = TABLES[table]
        index = [i for i, (col, _) in enumerate(full) if names == _ALL or col in names]
        columns[table] = tuple(full[i] for i in index)
        rows: list[Row] = []
        for case in kept:
            for row in case.rows.get(table, []):
                shown = _for_supplier(table, row) if audience == "supplier" else row
                if shown is not None:
                    rows.append(tuple(shown[i] for i in index))
        tables[table] = rows
    return Export(tables, export.failed, columns, kept, left)


_CASE_COLUMN = {name: i for i, (name, _) in enumerate(TABLES["cases"])}
_PAYER = [c for c, _ in TABLES["payments"]].index("payer")
_ROLES = [c for c, _ in TABLES["actions"]].index("roles")


def _for_supplier(table: str, row: Row) -> Row | None:
    """A row as the supplier may see it, or None if it is not the supplier's."""
    if table == "payments":
        return row if row[_PAYER] == "supplier" else None
    if table == "actions":
        return row if "supplier" in str(row[_ROLES] or "").split(";") else None
    if table == "cases" and row[_CASE_COLUMN["stipend_payer"]] != "supplier":
        hidden = {_CASE_COLUMN[c] for c in _CASE_COLUMN if c.startswith("stipend_")}
        return tuple(None if i in hidden else v for i, v in enumerate(row))
    return row


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def write_sqlite(export: Export, target: Path) -> None:
    """Write the export as a new SQLite database at ``target`` (replacing it atomically)."""
    from clr.io import atomic

    with atomic.replacing(target) as tmp:
        connection = sqlite3.connect(tmp)
        try:
            connection.execute("PRAGMA journal_mode = OFF")
            connection.execute("PRAGMA synchronous = OFF")
            for name, columns in export.columns.items():
                spec = [f"{_quote(col)} {kind}".rstrip() for col, kind in columns]
                if name in _KEYS:
                    spec.append(f"PRIMARY KEY ({', '.join(_quote(k) for k in _KEYS[name])})")
                connection.execute(f"CREATE TABLE {_quote(name)} ({', '.join(spec)})")
                marks = ", ".join("?" for _ in columns)
                connection.executemany(
                    f"INSERT INTO {_quote(name)} VALUES ({marks})", export.tables[name]
                )
            for name in (n for n in _KEYS if n in export.columns):
                connection.execute(
                    f"CREATE INDEX {_quote(name + '_case')} ON {_quote(name)} (case_id)"
                )
            connection.commit()
        finally:
            connection.close()


FORMULA_STARTS = ("=", "+", "-", "@", "|", "\t", "\r", "\n", "＝", "＋", "－", "＠")
"""Cell starts that make a spreadsheet run the cell as a formula (or a DDE link: ``|``).

The full-width forms are there because some spreadsheets fold them to ``= + - @``."""

_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u180e\u00ad")
"""Characters a spreadsheet may skip before a formula: zero-width ones, a BOM, a soft hyphen."""


def neutralise(text: str) -> str:
    """Prefix ``'`` to text a spreadsheet would otherwise run as a formula.

    The formula may hide behind leading spaces, no-break spaces and other white space,
    zero-width characters or a byte order mark.
    """
    at = 0
    while (
        at < len(text)
        and text[at] not in "\t\r\n"
        and (text[at].isspace() or text[at] in _INVISIBLE)
    ):
        at += 1
    return "'" + text if text.startswith(FORMULA_STARTS, at) else text


def csv_cell(value: Any) -> str:
    """A value as a CSV cell: empty for null, true/false, lists joined by ``;``, neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, list | tuple):
        return neutralise(";".join(str(v) for v in value))
    return neutralise(str(value))


def _csv_line(cells: Iterable[str], line_end: str = "\n") -> str:
    r"""One CSV record: a cell holding a comma, a quote, CR or LF is quoted.

    Not the csv module's writer: with ``\n`` line ends it leaves a lone CR unquoted, and a
    reader (a spreadsheet, or the csv module) then splits the row there.
    """
    out = []
    for cell in cells:
        if any(c in cell for c in ',"\r\n'):
            cell = '"' + cell.replace('"', '""') + '"'
        out.append(cell)
    return ",".join(out) + line_end


def csv_text(columns: Sequence[str], rows: Iterable[Sequence[Any]], *, line_end: str = "\n") -> str:
    r"""CSV text with a header line; every cell passed through ``csv_cell``.

    ``line_end`` ends each record (``\r\n`` for Excel); line breaks inside a quoted cell
    are kept as they are.
    """
    lines = [_csv_line(columns, line_end)]
    lines.extend(_csv_line([csv_cell(v) for v in row], line_end) for row in rows)
    return "".join(lines)


_FLAGS = frozenset(
    {
        "night_work",
        "recruited_by_agent",
        "emergency",
        "wages_continued",
        "family_reachable",
        "guardian_consent",
        "child_assent",
        "in_school",
        "working",
        "hazardous_work",
        "stipend_received",
        "on_time",
        "required",
        "gate",
        "done",
    }
)
"""Columns that hold true/false (0/1 in SQLite, true/false in CSV)."""


def _csv_values(flags: set[int], row: Row) -> list[Any]:
    return [bool(v) if i in flags and v is not None else v for i, v in enumerate(row)]


def write_csv(export: Export, folder: Path, *, excel: bool = False) -> list[Path]:
    """Write one ``<table>.csv`` per table into ``folder`` (made if needed); return them.

    With ``excel``, the files start with a UTF-8 byte order mark and end lines with CRLF, so
    that Excel opens them as UTF-8 (names with accents intact) on every platform.

    CSV files of clr's other tables in ``folder`` (from an export for another audience) are
    removed.
    """
    from clr.io import atomic

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, columns in export.columns.items():
        path = folder / f"{name}.csv"
        flags = {i for i, (col, kind) in enumerate(columns) if kind == "INTEGER" and col in _FLAGS}
        text = csv_text(
            [c for c, _ in columns],
            (_csv_values(flags, r) for r in export.tables[name]),
            line_end="\r\n" if excel else "\n",
        )
        # Excel reads CSV as UTF-8 only after a byte order mark.
        atomic.write(path, ("\ufeff" if excel else "") + text)
        written.append(path)
    for name in (*TABLES, "figures"):
        # A table of an earlier export for another audience must not go out with this one.
        if name not in export.columns:
            with contextlib.suppress(FileNotFoundError):
                (folder / f"{name}.csv").unlink()
    return written
