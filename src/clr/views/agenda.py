"""The agenda of ``clr agenda``: due and overdue actions over many cases, grouped.

Each case is boiled down to a :class:`CaseAgenda` (its open actions that have a due date,
from the playbook's workflow, as ``clr next`` and ``clr status`` see them), cached like the
status summaries. The agenda then keeps the actions due by a horizon and groups them by
person, role, site or week.

The person of a case is its caseworker: who made the latest move in its ``history`` (the
``by`` of the last entry). Only case ids, sites and the playbook's own words reach the
agenda: never a child's pseudonym, name or contact.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from clr.io import yamlio
from clr.model.case import Case
from clr.model.workflow import open_actions
from clr.repo.context import CaseContext
from clr.repo.repository import CASE_FILE
from clr.views.summary import JSON_VERSION, UNKNOWN, load_problem

GROUPS: tuple[str, ...] = ("person", "role", "site", "week", "case")
"""What ``clr agenda --group-by`` groups by."""

UNASSIGNED = "(unassigned)"
NO_ROLE = "(no role)"

AGENDA_COLUMNS: tuple[str, ...] = (
    "person",
    "role",
    "case",
    "site",
    "stage",
    "action",
    "text",
    "due",
    "overdue_days",
    "required",
    "when",
)
"""The columns of ``clr agenda --format csv`` and the keys of a JSON item (stable)."""


@dataclass(frozen=True)
class Due:
    """One open action of a case with a due date."""

    action: str
    text: str
    roles: tuple[str, ...]
    due: dt.date
    required: bool
    label: str = ""  # "every 4 weeks", "at 3 months": the rule that set the date


@dataclass(frozen=True)
class CaseAgenda:
    """The dated open actions of one case; ``error`` is set for a case that failed to load."""

    path: str
    error: str | None = None
    id: str | None = None
    site: str | None = None
    person: str | None = None
    stage: str | None = None
    actions: tuple[Due, ...] = ()


@dataclass(frozen=True)
class Item:
    """One action on the agenda."""

    case: CaseAgenda
    due: Due

    def overdue_days(self, today: dt.date) -> int:
        """Days past the due date (0 if not yet due)."""
        return max(0, (today - self.due.due).days)


def summarise_agenda(path: Path, loaded: yamlio.Loaded, ctx: CaseContext) -> CaseAgenda:
    """The agenda of one parsed case file (an error agenda if the case cannot be used)."""
    problem = load_problem(loaded)
    data = loaded.data if problem is None else None
    if data is not None:
        case_id, name = data.get("id"), data.get("playbook")
        in_cases = path.name == CASE_FILE and path.parent.parent.name == "cases"
        if in_cases and case_id != path.parent.name:
            problem = f"id {case_id} does not match its folder (run clr validate)"
        elif name not in ctx.playbooks:
            problem = f"unknown playbook {name!r} (run clr validate)"
    book = ctx.playbooks.get(str(data.get("playbook"))) if data is not None else None
    if data is None or problem is not None or book is None:
        return CaseAgenda(loaded.path, error=problem or "its playbook cannot be read")
    case = Case(data)
    history = [e for e in case.history if isinstance(e, dict)]
    person = history[-1].get("by") if history else None
    site = case.site.get("name")
    dues = tuple(
        Due(
            s.action.id,
            s.action.text,
            s.action.roles,
            s.due,
            s.action.required,
            s.label,
        )
        for s in open_actions(data, book, ctx.calendar)
        if s.due is not None
    )
    return CaseAgenda(
        loaded.path,
        id=str(data["id"]),
        site=site if isinstance(site, str) and site else None,
        person=person if isinstance(person, str) and person else None,
        stage=str(data["stage"]),
        actions=dues,
    )


def _to_row(case: CaseAgenda) -> tuple[Any, ...]:
    actions = tuple(
        (d.action, d.text, tuple(d.roles), d.due.isoformat(), d.required, d.label)
        for d in case.actions
    )
    return (case.error, case.id, case.site, case.person, case.stage, actions)


def _from_row(path: str, row: Any, today: dt.date) -> CaseAgenda | None:
    """An agenda back from its cached row (an agenda does not change with the day)."""
    if not isinstance(row, tuple) or len(row) != 6 or not isinstance(row[5], tuple):
        return None
    try:
        actions = tuple(
            Due(a, t, tuple(r), dt.date.fromisoformat(d), bool(q), str(label))
            for a, t, r, d, q, label in row[5]
        )
    except (TypeError, ValueError):  # a damaged or foreign row: summarise again
        return None
    return CaseAgenda(path, row[0], row[1], row[2], row[3], row[4], actions)


def load_agendas(
    paths: Sequence[Path], today: dt.date, *, jobs: int | None = None, use_cache: bool = True
) -> list[CaseAgenda]:
    """The agenda of every case under ``paths``, failed ones included, by id then path.

    Raises:
        ClrError: a path does not exist.
        ConfigError: a repository's ``clr.yaml`` is invalid.
    """
    from clr.views.load import load_cached

    found = load_cached(
        paths,
        today,
        summarise_agenda,
        kind="agenda",
        to_row=_to_row,
        from_row=_from_row,
        jobs=jobs,
        use_cache=use_cache,
    )
    return sorted(found, key=lambda c: (c.error is not None, c.id or "", c.path))


def agenda_items(
    cases: Iterable[CaseAgenda],
    today: dt.date,
    *,
    days: int = 14,
    role: str | None = None,
    person: str | None = None,
    site: str | None = None,
) -> list[Item]:
    """The actions due on or before ``today + days`` (overdue ones included), soonest first.

    With ``role``, an action for several roles is listed for that role only.
    """
    horizon = today + dt.timedelta(days=days)
    out = [
        Item(case, due if role is None else replace(due, roles=(role,)))
        for case in cases
        if case.error is None
        and (person is None or (case.person or UNASSIGNED) == person)
        and (site is None or (case.site or UNKNOWN) == site)
        for due in case.actions
        if due.due <= horizon and (role is None or role in due.roles)
    ]
    return sorted(out, key=lambda i: (i.due.due, i.case.id or "", i.due.action))


def week_of(day: dt.date) -> str:
    """The ISO week of a day, e.g. ``2026-W45``."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def group_keys(item: Item, by: str) -> list[str]:
    """The groups an item belongs to (an action for two roles is under both)."""
    if by == "person":
        return [item.case.person or UNASSIGNED]
    if by == "role":
        return list(item.due.roles) or [NO_ROLE]
    if by == "site":
        return [item.case.site or UNKNOWN]
    if by == "week":
        return [week_of(item.due.due)]
    return [item.case.id or UNKNOWN]


def grouped(items: Iterable[Item], by: str) -> dict[str, list[Item]]:
    """Items by group, groups sorted by name (weeks in time order), items soonest first."""
    groups: dict[str, list[Item]] = {}
    for item in items:
        for key in group_keys(item, by):
            groups.setdefault(key, []).append(item)
    return {k: groups[k] for k in sorted(groups, key=lambda k: (k.startswith("("), k))}


def item_row(item: Item, today: dt.date, role: str | None = None) -> dict[str, Any]:
    """One item as a row of :data:`AGENDA_COLUMNS` (JSON types)."""
    return {
        "person": item.case.person or UNASSIGNED,
        "role": role if role is not None else ", ".join(item.due.roles),
        "case": item.case.id,
        "site": item.case.site,
        "stage": item.case.stage,
        "action": item.due.action,
        "text": item.due.text,
        "due": item.due.due.isoformat(),
        "overdue_days": item.overdue_days(today),
        "required": item.due.required,
        "when": item.due.label,
    }


def agenda_document(
    items: Sequence[Item], cases: Sequence[CaseAgenda], today: dt.date, days: int, by: str
) -> dict[str, Any]:
    """The ``clr agenda --format json`` document."""
    from clr import __version__

    return {
        "version": JSON_VERSION,
        "tool": {"name": "clr", "version": __version__},
        "as_of": today.isoformat(),
        "until": (today + dt.timedelta(days=days)).isoformat(),
        "group_by": by,
        "count": len(items),
        "overdue": sum(1 for i in items if i.overdue_days(today)),
        "failed": [{"path": c.path, "error": c.error} for c in cases if c.error is not None],
        "groups": [
            {"group": name, "items": [item_row(i, today) for i in members]}
            for name, members in grouped(items, by).items()
        ],
    }
