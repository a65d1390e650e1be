"""One case at a glance: the documents of ``clr show`` and ``clr next``.

Both read one opened case and never change it. Their JSON documents (``version`` 1) are
a stable interface; the command line draws the same facts as text.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from clr.model import stages
from clr.model.case import Case, money_value
from clr.model.workflow import ActionState, move_blockers, open_actions

if TYPE_CHECKING:
    from clr.cases.caseops import CaseSession
    from clr.model.playbook import Action, StagePlan
    from clr.model.workflow import Blocker

JSON_VERSION = 1
"""Version of the JSON documents of ``clr show`` and ``clr next``."""


# --- clr show ---------------------------------------------------------------------------


class Glance:
    """Where one case stands: open and overdue actions, payments, visits.

    (Plain classes here, not dataclasses: ``clr next`` imports this module and must start
    fast.)
    """

    __slots__ = ("case", "data", "overdue", "payments", "todo", "totals", "visits")

    def __init__(
        self,
        data: dict[str, Any],
        case: Case,
        todo: list[ActionState],
        overdue: list[ActionState],
        payments: list[dict[str, Any]],
        totals: dict[str, int | float],
        visits: list[dict[str, Any]],
    ) -> None:
        self.data, self.case, self.todo, self.overdue = data, case, todo, overdue
        self.payments, self.visits = payments, visits
        self.totals = totals
        """Amount paid per currency, added up exactly (``Case.money_totals``)."""

    def document(self) -> dict[str, Any]:
        """The JSON document of ``clr show``."""
        data = self.data
        return {
            "version": JSON_VERSION,
            "id": data.get("id"),
            "stage": data.get("stage"),
            "track": data.get("track"),
            "site": data.get("site"),
            "child": {
                k: self.case.child.get(k)
                for k in ("pseudonym", "sex", "estimated_age", "birth_date")
            },
            "opened": data.get("opened"),
            "reopens": data.get("reopens"),
            "reopened_as": data.get("reopened_as"),
            "history": data.get("history"),
            "open_actions": len(self.todo),
            "overdue": len(self.overdue),
            "payments": {"count": len(self.payments), "totals": self.totals},
            "visits": {"count": len(self.visits), "last": self.visits[-1] if self.visits else None},
            "closure": data.get("closure"),
            "recurrence_checks": data.get("recurrence_checks") or [],
        }


def glance(session: CaseSession, today: dt.date) -> Glance:
    """One case at a glance (``clr show``).

    Raises:
        ClrError: the case's playbook is unknown or invalid.
    """
    data = session.data
    view = Case(data)
    todo = open_actions(data, session.playbook(), session.ctx.calendar)
    return Glance(
        data=data,
        case=view,
        todo=todo,
        overdue=[s for s in todo if s.overdue_days(today)],
        payments=view.payments,
        totals={c: money_value(t) for c, t in view.money_totals().items()},
        visits=view.visits,
    )


# --- clr next ---------------------------------------------------------------------------


class NextSteps:
    """What to do next for one case: open actions, what blocks the next move, the rules."""

    __slots__ = ("blockers", "data", "plan", "target", "today", "todo")

    def __init__(
        self,
        data: dict[str, Any],
        today: dt.date,
        todo: list[ActionState],
        target: str | None,
        blockers: list[Blocker],
        plan: StagePlan | None,
    ) -> None:
        self.data, self.today, self.todo = data, today, todo
        self.target = target
        """The stage after the current one (None when closed or unknown)."""
        self.blockers, self.plan = blockers, plan

    def rules(self, kind: str) -> list[Action]:
        """The stage's warnings or safeguarding rules for this case's track and sector."""
        found = getattr(self.plan, kind, ()) if self.plan is not None else ()
        return [w for w in found if w.applies_to_case(self.data)]

    def document(self) -> dict[str, Any]:
        """The JSON document of ``clr next``."""
        today = self.today
        return {
            "version": JSON_VERSION,
            "id": self.data.get("id"),
            "stage": str(self.data.get("stage")),
            "track": self.data.get("track"),
            "as_of": today.isoformat(),
            "next_stage": self.target,
            "actions": [
                {
                    "id": s.action.id,
                    "text": s.action.text,
                    "roles": list(s.action.roles),
                    "required": s.action.required,
                    "gate": s.action.gate,
                    "due": s.due.isoformat() if s.due else None,
                    "recurrence": s.label or None,
                    "overdue_days": s.overdue_days(today),
                    "waiting_for": s.waiting_for or None,
                    "stage": s.ahead or self.data.get("stage"),
                    "sources": list(s.action.sources),
                }
                for s in self.todo
            ],
            "warnings": [w.text for w in self.rules("warnings")],
            "safeguarding": [w.text for w in self.rules("safeguarding")],
            "blockers": [
                {"kind": b.kind, "message": b.message, "hint": b.hint} for b in self.blockers
            ],
        }


def next_steps(session: CaseSession, today: dt.date, *, role: str | None = None) -> NextSteps:
    """What to do next for a case (``clr next``), for one role or all.

    Raises:
        ClrError: the case's playbook is unknown or invalid.
    """
    data, book = session.data, session.playbook()
    calendar = session.ctx.calendar
    todo = open_actions(data, book, calendar, role=role, ahead=True)
    stage = str(data.get("stage"))
    target = stages.next_stage(stage) if stage in stages.STAGES else None
    config = session.ctx.config
    blockers = (
        move_blockers(
            data,
            target,
            book,
            calendar,
            age_overrides=config.minimum_ages,
            buyer_codes=config.buyer_codes,
        )
        if target
        else []
    )
    return NextSteps(
        data=data,
        today=today,
        todo=todo,
        target=target,
        blockers=blockers,
        plan=book.stages.get(stage),
    )
