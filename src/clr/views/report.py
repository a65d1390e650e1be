"""A Markdown report of one case, for one audience (``clr report --for``).

Every report holds only what is in the case file: it never opens the identity file, and
it leaves out the child's pseudonym and birth date and free-text fields (notes, the
child's and family's views, descriptions). What else it shows depends on the audience
(``clr.views.consent``):

* ``caseworker`` (the default, for your own team): summary, timeline with who moved the
  case, plan, payments, visits, open actions, closure, consent overrides.
* ``buyer``: pseudonymous case id, stage, dates, costs and outcomes: no sex, age,
  discovery channel, escalation, family job offer or names of staff.
* ``supplier``: what the supplier owes (stipend it pays, its share of the costs, re-hiring,
  corrective actions), its payments and its open actions; no family details.

An investor sees aggregates only (``clr stats``, ``clr export --for investor``), never a
single case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from clr.errors import ClrError
from clr.model.case import Case, dig, items, money_value
from clr.model.dates import parse_date, parse_datetime
from clr.model.playbook import Playbook
from clr.model.workflow import ActionState, Calendar, open_actions
from clr.repo.context import CaseContext
from clr.views.summary import CaseSummary, stipend_on_time, summarise

NONE = "–"


def md_cell(value: Any) -> str:
    """A value as the text of a Markdown table cell (pipes escaped, one line)."""
    if value is None or value == "":
        return NONE
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:,}"
    text = " ".join(str(value).split())
    return text.replace("\\", "\\\\").replace("|", "\\|")


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A GitHub-flavoured Markdown table."""
    lines = [
        "| " + " | ".join(md_cell(h) for h in headers) + " |",
        "|" + "|".join("---" for _ in headers) + "|",
    ]
    lines += ["| " + " | ".join(md_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _money(amount: Any, currency: Any) -> str | None:
    if not isinstance(amount, int | float) or isinstance(amount, bool):
        return None
    return f"{md_cell(amount)} {currency or ''}".strip()


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def render_report(
    data: dict[str, Any], path: str, ctx: CaseContext, audience: str = "caseworker"
) -> str:
    """The Markdown report of one case as of ``ctx.today``, for ``audience``.

    Raises:
        ClrError: the audience is unknown, or is an investor (aggregates only).
    """
    from clr.views.consent import check_audience

    check_audience(audience)
    if audience == "investor":
        raise ClrError(
            "an investor sees aggregates only, never the report of a single case",
            hint="share 'clr stats --min-count 5' or 'clr export --for investor' instead",
        )
    today = ctx.today
    info = summarise(data, path, ctx)
    name = data.get("playbook")
    book = ctx.playbooks.get(name) if isinstance(name, str) else None
    if audience == "supplier":
        return _supplier_report(data, info, book, ctx)
    buyer = audience == "buyer"
    intro = (
        f"As of {today.isoformat()}. Pseudonymous: from the case file only, without the "
        "child's pseudonym, birth date and free-text notes; the identity file is never read."
    )
    if buyer:
        intro = (
            f"As of {today.isoformat()}. For the buyer: pseudonymous case id, stage, dates, "
            "costs and outcomes, from the case file only; nothing that identifies the child "
            "or the family."
        )
    parts = [
        f"# Case {info.id}",
        intro,
        "## Summary",
        _summary(data, info, buyer=buyer),
        "## Stage timeline",
        _timeline(data, info, today, names=not buyer),
        "## Plan",
        _plan(data, family=not buyer),
        "## Payments",
        _payments(data),
        "## Visits",
        _visits(data),
        *_actions(data, book, ctx.calendar, today),
    ]
    if info.stage == "closed":
        parts += ["## Closure", _closure(data, family=not buyer)]
    if not buyer:
        parts += _overrides(data)
    return "\n\n".join(parts) + "\n"


def _overrides(data: dict[str, Any]) -> list[str]:
    from clr.views.consent import overrides

    found = overrides(data)
    if not found:
        return []
    rows = [(e.get("at"), e.get("by"), e.get("note")) for e in found]
    return ["## Consent overrides", markdown_table(("When", "By", "Note"), rows)]


def _summary(data: dict[str, Any], info: CaseSummary, *, buyer: bool = False) -> str:
    site = info.site or NONE
    where = ", ".join(x for x in (info.sector, info.country) if x)
    if info.supplier:
        site += f" (supplier {info.supplier})"
    if where:
        site += f", {where}"
    since = ""
    if info.stage_entered is not None:
        since = f", since {info.stage_entered} ({_plural(info.days_in_stage or 0, 'day')})"
    # Not the pseudonym: labels such as "Girl, 13, sewing line 4" narrow down who it is.
    child = "; ".join(
        x
        for x in (
            info.sex,
            f"age band {info.age_band} at discovery" if info.age is not None else None,
        )
        if isinstance(x, str)
    )
    found = info.discovered.isoformat() if info.discovered else NONE
    channel = dig(data, "discovery", "channel")
    if buyer:
        channel = None  # how it came to light can point at who reported it
    rows: list[tuple[str, Any]] = [
        ("Stage", f"{info.stage}{since}"),
        ("Track", info.track),
        ("Playbook", data.get("playbook")),
        ("Site", site),
        ("Buyer", info.buyer),
    ]
    if not buyer:
        rows.append(("Child", child))
    rows += [
        ("Found", f"{found} ({channel})" if isinstance(channel, str) else found),
        (
            "Opened",
            f"{info.opened} ({_plural(info.days_open or 0, 'day')} open)" if info.opened else None,
        ),
    ]
    if info.reopens:
        rows.append(("Reopens", info.reopens))
    escalated = dig(data, "flags", "escalated")
    if isinstance(escalated, dict) and not buyer:
        rows.append(("Escalated", f"{escalated.get('reason')} on {escalated.get('date')}"))
    rows += [
        ("Overdue actions", info.overdue),
        ("Last visit", info.last_visit.isoformat() if info.last_visit else None),
    ]
    return markdown_table(("Field", "Value"), rows)


def _timeline(
    data: dict[str, Any], info: CaseSummary, today: dt.date, *, names: bool = True
) -> str:
    moves = []
    for entry in items(data.get("history")):
        if entry.get("from") == entry.get("to"):
            continue  # a note (e.g. a consent override), not a move
        moment = parse_datetime(entry.get("at"))
        day = moment.date() if moment else parse_date(entry.get("at"))
        moves.append((day, entry.get("to"), entry.get("by")))
    if not moves:
        return "No stage moves recorded."
    rows = []
    for i, (day, to, by) in enumerate(moves):
        following = moves[i + 1][0] if i + 1 < len(moves) else None
        days: Any = None
        if day is not None and following is not None:
            days = (following - day).days
        elif day is not None and i == len(moves) - 1 and to != "closed":
            days = f"{(today - day).days} so far"
        rows.append((to, day.isoformat() if day else None, days, by))
    if not names:
        return markdown_table(("Stage", "Entered", "Days in stage"), [r[:3] for r in rows])
    return markdown_table(("Stage", "Entered", "Days in stage", "Moved by"), rows)


def _plan(data: dict[str, Any], *, family: bool = True) -> str:
    plan = data.get("plan")
    if not isinstance(plan, dict):
        return "No plan yet."
    lines = []
    signed = [f"{s.get('party')} ({s.get('date')})" for s in items(plan.get("signed_by"))]
    lines.append(
        f"Signed {plan.get('date_signed') or '(not yet)'}"
        + (f" by {', '.join(signed)}." if signed else ".")
    )
    stipend = plan.get("stipend")
    if isinstance(stipend, dict):
        text = (
            f"Stipend: {_money(stipend.get('amount'), stipend.get('currency'))} "
            f"{stipend.get('frequency') or ''}, paid by {stipend.get('payer') or NONE}"
        )
        if stipend.get("first_due"):
            text += f", first due {stipend['first_due']}"
        if stipend.get("until"):
            text += f", until {stipend['until']}"
        wage = stipend.get("lost_wage")
        if isinstance(wage, dict):
            text += f"; lost wage {_money(wage.get('amount'), wage.get('currency'))}"
        lines.append(text + ".")
    budget = plan.get("budget")
    if isinstance(budget, dict):
        lines.append(f"Budget: {_money(budget.get('amount'), budget.get('currency'))}.")
    split = plan.get("cost_split")
    if isinstance(split, dict) and split:
        shares = ", ".join(f"{who} {md_cell(share)}%" for who, share in split.items())
        lines.append(f"Cost split: {shares}.")
    offer = plan.get("family_job_offer")
    if isinstance(offer, dict) and family:
        answer = offer.get("accepted")
        said = "accepted" if answer is True else "declined" if answer is False else "no answer yet"
        made = "offered" if offer.get("offered") else "not offered"
        lines.append(f"Child's job for an adult in the family: {made}, {said}.")
    rehire = plan.get("rehire_commitment")
    if isinstance(rehire, dict) and rehire.get("committed"):
        lines.append(f"Supplier commits to re-hire the child at age {rehire.get('at_age')}.")
    follow = [f for f in plan.get("follow_ups") or [] if isinstance(f, str)]
    if follow:
        lines.append(f"Planned follow-ups: {', '.join(follow)}.")
    out = "\n".join(f"- {line}" for line in lines)
    components = items(plan.get("components"))
    if components:
        rows = [
            (
                c.get("type"),
                c.get("provider"),
                c.get("start"),
                c.get("end"),
                _money(dig(c, "cost", "amount"), dig(c, "cost", "currency")),
            )
            for c in components
        ]
        out += "\n\n" + markdown_table(("Component", "Provider", "Start", "End", "Cost"), rows)
    return out


def _payments(data: dict[str, Any]) -> str:
    case = Case(data)
    payments = case.payments
    if not payments:
        return "No payments recorded."
    rows = []
    for p in payments:
        purpose = p.get("purpose") or "stipend"
        on_time = stipend_on_time(p) if purpose == "stipend" else None
        rows.append(
            (
                p.get("date"),
                _money(p.get("amount"), p.get("currency")),
                p.get("payer"),
                purpose,
                p.get("period"),
                on_time,
            )
        )
    table = markdown_table(("Date", "Amount", "Payer", "Purpose", "Period", "On time"), rows)
    totals = case.money_totals()
    total_text = "; ".join(f"{md_cell(money_value(t))} {c}" for c, t in totals.items())
    payer_text = "; ".join(
        f"{payer} {md_cell(money_value(t))} {c}"
        for (payer, c), t in case.money_totals_by_payer().items()
    )
    return f"{table}\n\nTotal: {total_text} (by payer: {payer_text})."


def _visits(data: dict[str, Any]) -> str:
    visits = items(data.get("visits"))
    if not visits:
        return "No visits recorded."
    rows = [
        (
            v.get("date"),
            v.get("method"),
            v.get("in_school"),
            v.get("working"),
            v.get("hazardous_work"),
            v.get("stipend_received"),
        )
        for v in visits
    ]
    headers = ("Date", "Method", "In school", "Working", "Hazardous work", "Stipend received")
    return markdown_table(headers, rows)


def _due_text(state: ActionState, today: dt.date) -> str:
    late = state.overdue_days(today)
    if late:
        return f"overdue by {_plural(late, 'day')}"
    if state.due is not None:
        return f"due in {_plural((state.due - today).days, 'day')}"
    if state.waiting_for:
        return f"due once {state.waiting_for} is recorded"
    return NONE


def _actions(
    data: dict[str, Any], book: Playbook | None, calendar: Calendar, today: dt.date
) -> list[str]:
    if data.get("stage") == "closed":
        return _after_closure(data, book, calendar, today)
    if book is None:
        return ["## Open actions", "The case's playbook is unknown or invalid."]
    todo = open_actions(data, book, calendar)
    overdue = [s for s in todo if s.action.required and s.overdue_days(today) > 0]
    out = ["## Overdue actions"]
    if overdue:
        out.append(
            markdown_table(
                ("Action", "Roles", "Due", "Late by", "What"),
                [
                    (
                        s.action.id,
                        ", ".join(s.action.roles),
                        s.due.isoformat() if s.due else None,
                        _plural(s.overdue_days(today), "day"),
                        s.action.text,
                    )
                    for s in overdue
                ],
            )
        )
    else:
        out.append("None.")
    out.append(f"## Open actions ({data['stage']})")
    if not todo:
        out.append("Nothing open in this stage.")
        return out
    out.append(
        markdown_table(
            ("Action", "Roles", "Required", "Due", "Status", "What"),
            [
                (
                    s.action.id,
                    ", ".join(s.action.roles),
                    s.action.required,
                    s.due.isoformat() if s.due else None,
                    _due_text(s, today),
                    s.action.text,
                )
                for s in todo
            ],
        )
    )
    return out


def _after_closure(
    data: dict[str, Any], book: Playbook | None, calendar: Calendar, today: dt.date
) -> list[str]:
    """A closed case's checks after closure still to make (the playbook's closing rules)."""
    todo = open_actions(data, book, calendar) if book is not None else []
    if not todo:
        return []
    return [
        "## Checks after closure",
        markdown_table(
            ("Action", "Check", "Due", "Status"),
            [(s.action.id, s.label, s.due.isoformat() if s.due else None, _due_text(s, today))
             for s in todo],
        ),
    ]  # fmt: skip


def _closure(data: dict[str, Any], *, family: bool = True) -> str:
    """The closure's facts; the views of the child and the family only with ``family``."""
    closure = Case(data).closure
    rows: list[tuple[str, Any]] = [
        ("Date", closure.get("date")),
        ("Reason", closure.get("reason")),
        ("Approved by", closure.get("approved_by")),
        ("Where the child is now", closure.get("final_status")),
        ("First check after closure", closure.get("recurrence_check")),
    ]
    optional: list[tuple[str, Any]] = [
        ("Referred to", closure.get("referred_to")),
        ("Duplicate of", closure.get("duplicate_of")),
        ("Young-worker plan", closure.get("young_worker_plan")),
        ("Continued in", closure.get("continued_in")),
        ("Refused by", closure.get("refused_by")),
        ("Contact attempts", _attempts(closure.get("contact_attempts"))),
        ("Referral", _referral(closure.get("referral"))),
        ("Not referred because", closure.get("no_referral_reason")),
        ("Re-hire check", _rehire(closure.get("rehire_check"))),
        ("Payments continued by", closure.get("commitments_continued_by")),
        ("Root causes", ", ".join(c for c in items_of(data.get("root_causes")))),
        ("Root causes waived", closure.get("root_causes_waived")),
        ("Reopened as", data.get("reopened_as")),
    ]
    if family:
        optional += [
            ("The child's view", closure.get("child_views")),
            ("The family's view", closure.get("family_views")),
        ]
    rows += [(k, v) for k, v in optional if v not in (None, "")]
    out = markdown_table(("Field", "Value"), rows)
    checks = items(data.get("recurrence_checks"))
    if checks:
        out += "\n\n" + markdown_table(
            ("Check after closure", "Method", "Working", "Re-hired", "In school"),
            [
                (c.get("date"), c.get("method"), c.get("working"), c.get("rehired"),
                 c.get("in_school"))
                for c in checks
            ],
        )  # fmt: skip
    return out


def items_of(value: Any) -> list[str]:
    """The text items of a list (root causes), others left out."""
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _attempts(value: Any) -> str | None:
    attempts = [a for a in value if isinstance(a, dict)] if isinstance(value, list) else []
    if not attempts:
        return None
    days = [str(a.get("date")) for a in attempts]
    return f"{len(attempts)}, {days[0]} to {days[-1]}"


def _referral(value: Any) -> str | None:
    if not isinstance(value, dict):
        return None
    return f"{value.get('to')} on {value.get('date')}"


def _rehire(value: Any) -> str | None:
    if not isinstance(value, dict):
        return None
    found = "re-hired" if value.get("rehired") else "not re-hired"
    return f"{value.get('date')}: {found}"


# --- for the supplier --------------------------------------------------------------------


def _supplier_report(
    data: dict[str, Any], info: CaseSummary, book: Playbook | None, ctx: CaseContext
) -> str:
    """What the supplier owes in one case; nothing about the child or the family."""
    today = ctx.today
    since = ""
    if info.stage_entered is not None:
        since = f", since {info.stage_entered}"
    protection = Case(data).protection
    rows: list[tuple[str, Any]] = [
        ("Stage", f"{info.stage}{since}"),
        (
            "Site",
            f"{info.site or NONE}" + (f" (supplier {info.supplier})" if info.supplier else ""),
        ),
        ("Buyer", info.buyer),
        ("Opened", info.opened.isoformat() if info.opened else None),
        ("Child removed from work", protection.get("removed_from_work")),
        ("Hazards removed", protection.get("hazards_removed")),
        ("Wages continued", protection.get("wages_continued")),
        ("Job kept open", protection.get("job_kept_open")),
    ]
    parts = [
        f"# Case {info.id}",
        f"As of {today.isoformat()}. For the supplier: what it owes in this case, its "
        "payments and its open actions; nothing about the child or the family.",
        "## Summary",
        markdown_table(("Field", "Value"), rows),
        "## What the supplier owes",
        _supplier_duties(data),
        "## Payments by the supplier",
        _supplier_payments(data),
        *_supplier_actions(data, book, ctx.calendar, today),
    ]
    if info.stage == "closed":
        parts += [
            "## Closure",
            f"Closed on {md_cell(dig(data, 'closure', 'date'))} "
            f"({md_cell(dig(data, 'closure', 'reason'))}).",
        ]
    return "\n\n".join(parts) + "\n"


def _supplier_duties(data: dict[str, Any]) -> str:
    plan = Case(data).plan
    lines = []
    stipend = plan.get("stipend")
    if isinstance(stipend, dict) and stipend.get("payer") == "supplier":
        text = (
            f"Stipend: {_money(stipend.get('amount'), stipend.get('currency'))} "
            f"{stipend.get('frequency') or ''}".rstrip()
        )
        if stipend.get("first_due"):
            text += f", first due {stipend['first_due']}"
        if stipend.get("until"):
            text += f", until {stipend['until']}"
        lines.append(text + ".")
    split = plan.get("cost_split")
    if isinstance(split, dict) and "supplier" in split:
        share = f"Share of the plan's costs: {md_cell(split['supplier'])}%"
        budget = plan.get("budget")
        if isinstance(budget, dict):
            share += f" of {_money(budget.get('amount'), budget.get('currency'))}"
        lines.append(share + ".")
    offer = plan.get("family_job_offer")
    if isinstance(offer, dict) and offer.get("offered"):
        answer = offer.get("accepted")
        said = "accepted" if answer is True else "declined" if answer is False else "no answer yet"
        lines.append(f"A job for an adult in the child's family: offered, {said}.")
    rehire = plan.get("rehire_commitment")
    if isinstance(rehire, dict) and rehire.get("committed"):
        lines.append(f"Re-hire the child at age {rehire.get('at_age')}.")
    out = "\n".join(f"- {line}" for line in lines) or "Nothing recorded yet."
    fixes = items(dig(data, "implementation", "corrective_actions"))
    if fixes:
        table = markdown_table(
            ("Corrective action", "Date", "Root cause"),
            [(f.get("action"), f.get("date"), f.get("cause")) for f in fixes],
        )
        out += "\n\n" + table
    return out


def _supplier_payments(data: dict[str, Any]) -> str:
    payments = [p for p in items(data.get("payments")) if p.get("payer") == "supplier"]
    if not payments:
        return "No payments by the supplier recorded."
    rows = []
    for p in payments:
        purpose = p.get("purpose") or "stipend"
        on_time = stipend_on_time(p) if purpose == "stipend" else None
        rows.append(
            (
                p.get("date"),
                _money(p.get("amount"), p.get("currency")),
                purpose,
                p.get("period"),
                on_time,
            )
        )
    return markdown_table(("Date", "Amount", "Purpose", "Period", "On time"), rows)


def _supplier_actions(
    data: dict[str, Any], book: Playbook | None, calendar: Calendar, today: dt.date
) -> list[str]:
    if data.get("stage") == "closed" or book is None:
        return []
    todo = [s for s in open_actions(data, book, calendar) if "supplier" in s.action.roles]
    out = [f"## Open actions for the supplier ({data['stage']})"]
    if not todo:
        out.append("Nothing open for the supplier in this stage.")
        return out
    out.append(
        markdown_table(
            ("Action", "Required", "Due", "Status", "What"),
            [
                (
                    s.action.id,
                    s.action.required,
                    s.due.isoformat() if s.due else None,
                    _due_text(s, today),
                    s.action.text,
                )
                for s in todo
            ],
        )
    )
    return out
