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
import re
from collections.abc import Iterable, Sequence
from typing import Any

from clr.errors import ClrError
from clr.i18n import N_, _, ngettext, numbers
from clr.model.case import Case, dig, items, money_value
from clr.model.dates import parse_date, parse_datetime
from clr.model.findings import said
from clr.model.playbook import Playbook
from clr.model.workflow import ActionState, Calendar, open_actions
from clr.repo.context import CaseContext
from clr.views.summary import CaseSummary, stipend_on_time, summarise

NONE = "–"
_BREAKING_SPACE = re.compile(r"[^\S\u00a0\u202f]+")


def md_cell(value: Any) -> str:
    """A value as the text of a Markdown table cell (pipes escaped, one line)."""
    if value is None or value == "":
        return NONE
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return numbers.number(value)
    # one line; a no-break space (a number's grouping, before a currency) stays
    text = _BREAKING_SPACE.sub(" ", str(value)).strip(" ")
    return text.replace("\\", "\\\\").replace("|", "\\|")


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A GitHub-flavoured Markdown table."""
    lines = [
        "| " + " | ".join(md_cell(h) for h in headers) + " |",
        "|" + "|".join("---" for _header in headers) + "|",
    ]
    lines += ["| " + " | ".join(md_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _money(amount: Any, currency: Any) -> str | None:
    if not isinstance(amount, int | float) or isinstance(amount, bool):
        return None
    if isinstance(amount, float) and amount.is_integer():
        amount = int(amount)
    return numbers.money(amount, str(currency or ""))


def _days(n: int) -> str:
    return ngettext("{count} day", "{count} days", n).format(count=n)


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
            said(N_("an investor sees aggregates only, never the report of a single case")),
            hint=said(N_("share 'clr stats --min-count 5' or 'clr export --for investor' instead")),
        )
    today = ctx.today
    info = summarise(data, path, ctx)
    name = data.get("playbook")
    book = ctx.playbooks.get(name) if isinstance(name, str) else None
    if audience == "supplier":
        return _supplier_report(data, info, book, ctx)
    buyer = audience == "buyer"
    intro = _(
        "As of {date}. Pseudonymous: from the case file only, without the "
        "child's pseudonym, birth date and free-text notes; the identity file is never read."
    )
    if buyer:
        intro = _(
            "As of {date}. For the buyer: pseudonymous case id, stage, dates, "
            "costs and outcomes, from the case file only; nothing that identifies the child "
            "or the family."
        )
    parts = [
        _("# Case {case}").format(case=info.id),
        intro.format(date=today.isoformat()),
        _("## Summary"),
        _summary(data, info, buyer=buyer),
        _("## Stage timeline"),
        _timeline(data, info, today, names=not buyer),
        _("## Plan"),
        _plan(data, family=not buyer),
        _("## Payments"),
        _payments(data),
        _("## Visits"),
        _visits(data),
        *_actions(data, book, ctx.calendar, today),
    ]
    if info.stage == "closed":
        parts += [_("## Closure"), _closure(data, family=not buyer)]
    if not buyer:
        parts += _overrides(data)
    return "\n\n".join(parts) + "\n"


def _overrides(data: dict[str, Any]) -> list[str]:
    from clr.views.consent import overrides

    found = overrides(data)
    if not found:
        return []
    rows = [(e.get("at"), e.get("by"), e.get("note")) for e in found]
    return [_("## Consent overrides"), markdown_table((_("When"), _("By"), _("Note")), rows)]


def _summary(data: dict[str, Any], info: CaseSummary, *, buyer: bool = False) -> str:
    site = info.site or NONE
    where = ", ".join(x for x in (info.sector, info.country) if x)
    if info.supplier:
        site += " " + _("(supplier {supplier})").format(supplier=info.supplier)
    if where:
        site += f", {where}"
    since = ""
    if info.stage_entered is not None:
        since = _(", since {date} ({days})").format(
            date=info.stage_entered, days=_days(info.days_in_stage or 0)
        )
    # Not the pseudonym: labels such as "Girl, 13, sewing line 4" narrow down who it is.
    child = "; ".join(
        x
        for x in (
            info.sex,
            _("age band {band} at discovery").format(band=info.age_band)
            if info.age is not None
            else None,
        )
        if isinstance(x, str)
    )
    found = info.discovered.isoformat() if info.discovered else NONE
    channel = dig(data, "discovery", "channel")
    if buyer:
        channel = None  # how it came to light can point at who reported it
    rows: list[tuple[str, Any]] = [
        (_("Stage"), f"{info.stage}{since}"),
        (_("Track"), info.track),
        (_("Playbook"), data.get("playbook")),
        (_("Site"), site),
        (_("Buyer"), info.buyer),
    ]
    if not buyer:
        rows.append((_("Child"), child))
    opened = None
    if info.opened:
        opened = _("{date} ({days} open)").format(date=info.opened, days=_days(info.days_open or 0))
    rows += [
        (_("Found"), f"{found} ({channel})" if isinstance(channel, str) else found),
        (_("Opened"), opened),
    ]
    if info.reopens:
        rows.append((_("Reopens"), info.reopens))
    escalated = dig(data, "flags", "escalated")
    if isinstance(escalated, dict) and not buyer:
        rows.append(
            (
                _("Escalated"),
                _("{reason} on {date}").format(
                    reason=escalated.get("reason"), date=escalated.get("date")
                ),
            )
        )
    rows += [
        (_("Overdue actions"), info.overdue),
        (_("Last visit"), info.last_visit.isoformat() if info.last_visit else None),
    ]
    return markdown_table((_("Field"), _("Value")), rows)


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
        return _("No stage moves recorded.")
    rows = []
    for i, (day, to, by) in enumerate(moves):
        following = moves[i + 1][0] if i + 1 < len(moves) else None
        days: Any = None
        if day is not None and following is not None:
            days = (following - day).days
        elif day is not None and i == len(moves) - 1 and to != "closed":
            days = _("{count} so far").format(count=(today - day).days)
        rows.append((to, day.isoformat() if day else None, days, by))
    headers = (_("Stage"), _("Entered"), _("Days in stage"), _("Moved by"))
    if not names:
        return markdown_table(headers[:3], [r[:3] for r in rows])
    return markdown_table(headers, rows)


def _plan(data: dict[str, Any], *, family: bool = True) -> str:
    plan = data.get("plan")
    if not isinstance(plan, dict):
        return _("No plan yet.")
    lines = []
    signed = [f"{s.get('party')} ({s.get('date')})" for s in items(plan.get("signed_by"))]
    when = plan.get("date_signed") or _("(not yet)")
    if signed:
        lines.append(_("Signed {date} by {parties}.").format(date=when, parties=", ".join(signed)))
    else:
        lines.append(_("Signed {date}.").format(date=when))
    stipend = plan.get("stipend")
    if isinstance(stipend, dict):
        lines.append(_stipend_text(stipend, payer=True) + ".")
    budget = plan.get("budget")
    if isinstance(budget, dict):
        amount = _money(budget.get("amount"), budget.get("currency"))
        lines.append(_("Budget: {amount}.").format(amount=amount))
    split = plan.get("cost_split")
    if isinstance(split, dict) and split:
        shares = ", ".join(f"{who} {md_cell(share)}%" for who, share in split.items())
        lines.append(_("Cost split: {shares}.").format(shares=shares))
    offer = plan.get("family_job_offer")
    if isinstance(offer, dict) and family:
        said = _answer(offer.get("accepted"))
        made = _("offered") if offer.get("offered") else _("not offered")
        lines.append(
            _("Child's job for an adult in the family: {offered}, {answer}.").format(
                offered=made, answer=said
            )
        )
    rehire = plan.get("rehire_commitment")
    if isinstance(rehire, dict) and rehire.get("committed"):
        lines.append(
            _("Supplier commits to re-hire the child at age {age}.").format(
                age=rehire.get("at_age")
            )
        )
    follow = [f for f in plan.get("follow_ups") or [] if isinstance(f, str)]
    if follow:
        lines.append(_("Planned follow-ups: {dates}.").format(dates=", ".join(follow)))
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
        headers = (_("Component"), _("Provider"), _("Start"), _("End"), _("Cost"))
        out += "\n\n" + markdown_table(headers, rows)
    return out


def _answer(answer: Any) -> str:
    """A family's answer to a job offer."""
    if answer is True:
        return _("accepted")
    return _("declined") if answer is False else _("no answer yet")


def _stipend_text(stipend: dict[str, Any], *, payer: bool) -> str:
    """A plan's stipend: amount, frequency, (payer,) first due, until (and the lost wage)."""
    amount = _money(stipend.get("amount"), stipend.get("currency"))
    frequency = stipend.get("frequency") or ""
    if payer:
        text = _("Stipend: {amount} {frequency}, paid by {payer}").format(
            amount=amount, frequency=frequency, payer=stipend.get("payer") or NONE
        )
    else:
        text = _("Stipend: {amount} {frequency}").format(amount=amount, frequency=frequency)
        text = text.rstrip()
    if stipend.get("first_due"):
        text += _(", first due {date}").format(date=stipend["first_due"])
    if stipend.get("until"):
        text += _(", until {date}").format(date=stipend["until"])
    wage = stipend.get("lost_wage")
    if payer and isinstance(wage, dict):
        text += _("; lost wage {amount}").format(
            amount=_money(wage.get("amount"), wage.get("currency"))
        )
    return text


def _payments(data: dict[str, Any]) -> str:
    case = Case(data)
    payments = case.payments
    if not payments:
        return _("No payments recorded.")
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
    headers = (_("Date"), _("Amount"), _("Payer"), _("Purpose"), _("Period"), _("On time"))
    table = markdown_table(headers, rows)
    totals = case.money_totals()
    total_text = "; ".join(numbers.money(money_value(t), c) for c, t in totals.items())
    payer_text = "; ".join(
        f"{payer} {numbers.money(money_value(t), c)}"
        for (payer, c), t in case.money_totals_by_payer().items()
    )
    total = _("Total: {total} (by payer: {by_payer}).").format(
        total=total_text, by_payer=payer_text
    )
    return f"{table}\n\n{total}"


def _visits(data: dict[str, Any]) -> str:
    visits = items(data.get("visits"))
    if not visits:
        return _("No visits recorded.")
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
    headers = (
        _("Date"),
        _("Method"),
        _("In school"),
        _("Working"),
        _("Hazardous work"),
        _("Stipend received"),
    )
    return markdown_table(headers, rows)


def _due_text(state: ActionState, today: dt.date) -> str:
    late = state.overdue_days(today)
    if late:
        return _("overdue by {days}").format(days=_days(late))
    if state.due is not None:
        return _("due in {days}").format(days=_days((state.due - today).days))
    if state.waiting_for:
        return _("due once {field} is recorded").format(field=state.waiting_for)
    return NONE


def _actions(
    data: dict[str, Any], book: Playbook | None, calendar: Calendar, today: dt.date
) -> list[str]:
    if data.get("stage") == "closed":
        return _after_closure(data, book, calendar, today)
    if book is None:
        return [_("## Open actions"), _("The case's playbook is unknown or invalid.")]
    todo = open_actions(data, book, calendar)
    overdue = [s for s in todo if s.action.required and s.overdue_days(today) > 0]
    out = [_("## Overdue actions")]
    if overdue:
        out.append(
            markdown_table(
                (_("Action"), _("Roles"), _("Due"), _("Late by"), _("What")),
                [
                    (
                        s.action.id,
                        ", ".join(s.action.roles),
                        s.due.isoformat() if s.due else None,
                        _days(s.overdue_days(today)),
                        s.action.text,
                    )
                    for s in overdue
                ],
            )
        )
    else:
        out.append(_("None."))
    out.append(_("## Open actions ({stage})").format(stage=data["stage"]))
    if not todo:
        out.append(_("Nothing open in this stage."))
        return out
    out.append(
        markdown_table(
            (_("Action"), _("Roles"), _("Required"), _("Due"), _("Status"), _("What")),
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
        _("## Checks after closure"),
        markdown_table(
            (_("Action"), _("Check"), _("Due"), _("Status")),
            [(s.action.id, s.label, s.due.isoformat() if s.due else None, _due_text(s, today))
             for s in todo],
        ),
    ]  # fmt: skip


def _closure(data: dict[str, Any], *, family: bool = True) -> str:
    """The closure's facts; the views of the child and the family only with ``family``."""
    closure = Case(data).closure
    rows: list[tuple[str, Any]] = [
        (_("Date"), closure.get("date")),
        (_("Reason"), closure.get("reason")),
        (_("Approved by"), closure.get("approved_by")),
        (_("Where the child is now"), closure.get("final_status")),
        (_("First check after closure"), closure.get("recurrence_check")),
    ]
    optional: list[tuple[str, Any]] = [
        (_("Referred to"), closure.get("referred_to")),
        (_("Duplicate of"), closure.get("duplicate_of")),
        (_("Young-worker plan"), closure.get("young_worker_plan")),
        (_("Continued in"), closure.get("continued_in")),
        (_("Refused by"), closure.get("refused_by")),
        (_("Contact attempts"), _attempts(closure.get("contact_attempts"))),
        (_("Referral"), _referral(closure.get("referral"))),
        (_("Not referred because"), closure.get("no_referral_reason")),
        (_("Re-hire check"), _rehire(closure.get("rehire_check"))),
        (_("Payments continued by"), closure.get("commitments_continued_by")),
        (_("Root causes"), ", ".join(c for c in items_of(data.get("root_causes")))),
        (_("Root causes waived"), closure.get("root_causes_waived")),
        (_("Reopened as"), data.get("reopened_as")),
    ]
    if family:
        optional += [
            (_("The child's view"), closure.get("child_views")),
            (_("The family's view"), closure.get("family_views")),
        ]
    rows += [(k, v) for k, v in optional if v not in (None, "")]
    out = markdown_table((_("Field"), _("Value")), rows)
    checks = items(data.get("recurrence_checks"))
    if checks:
        out += "\n\n" + markdown_table(
            (_("Check after closure"), _("Method"), _("Working"), _("Re-hired"), _("In school")),
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
    return _("{count}, {first} to {last}").format(count=len(attempts), first=days[0], last=days[-1])


def _referral(value: Any) -> str | None:
    if not isinstance(value, dict):
        return None
    return _("{reason} on {date}").format(reason=value.get("to"), date=value.get("date"))


def _rehire(value: Any) -> str | None:
    if not isinstance(value, dict):
        return None
    found = _("re-hired") if value.get("rehired") else _("not re-hired")
    return f"{value.get('date')}: {found}"


# --- for the supplier --------------------------------------------------------------------


def _supplier_report(
    data: dict[str, Any], info: CaseSummary, book: Playbook | None, ctx: CaseContext
) -> str:
    """What the supplier owes in one case; nothing about the child or the family."""
    today = ctx.today
    since = ""
    if info.stage_entered is not None:
        since = _(", since {date}").format(date=info.stage_entered)
    protection = Case(data).protection
    site = f"{info.site or NONE}"
    if info.supplier:
        site += " " + _("(supplier {supplier})").format(supplier=info.supplier)
    rows: list[tuple[str, Any]] = [
        (_("Stage"), f"{info.stage}{since}"),
        (_("Site"), site),
        (_("Buyer"), info.buyer),
        (_("Opened"), info.opened.isoformat() if info.opened else None),
        (_("Child removed from work"), protection.get("removed_from_work")),
        (_("Hazards removed"), protection.get("hazards_removed")),
        (_("Wages continued"), protection.get("wages_continued")),
        (_("Job kept open"), protection.get("job_kept_open")),
    ]
    intro = _(
        "As of {date}. For the supplier: what it owes in this case, its "
        "payments and its open actions; nothing about the child or the family."
    )
    parts = [
        _("# Case {case}").format(case=info.id),
        intro.format(date=today.isoformat()),
        _("## Summary"),
        markdown_table((_("Field"), _("Value")), rows),
        _("## What the supplier owes"),
        _supplier_duties(data),
        _("## Payments by the supplier"),
        _supplier_payments(data),
        *_supplier_actions(data, book, ctx.calendar, today),
    ]
    if info.stage == "closed":
        parts += [
            _("## Closure"),
            _("Closed on {date} ({reason}).").format(
                date=md_cell(dig(data, "closure", "date")),
                reason=md_cell(dig(data, "closure", "reason")),
            ),
        ]
    return "\n\n".join(parts) + "\n"


def _supplier_duties(data: dict[str, Any]) -> str:
    plan = Case(data).plan
    lines = []
    stipend = plan.get("stipend")
    if isinstance(stipend, dict) and stipend.get("payer") == "supplier":
        lines.append(_stipend_text(stipend, payer=False) + ".")
    split = plan.get("cost_split")
    if isinstance(split, dict) and "supplier" in split:
        share = md_cell(split["supplier"])
        budget = plan.get("budget")
        if isinstance(budget, dict):
            lines.append(
                _("Share of the plan's costs: {share}% of {budget}.").format(
                    share=share, budget=_money(budget.get("amount"), budget.get("currency"))
                )
            )
        else:
            lines.append(_("Share of the plan's costs: {share}%.").format(share=share))
    offer = plan.get("family_job_offer")
    if isinstance(offer, dict) and offer.get("offered"):
        said = _answer(offer.get("accepted"))
        lines.append(
            _("A job for an adult in the child's family: offered, {answer}.").format(answer=said)
        )
    rehire = plan.get("rehire_commitment")
    if isinstance(rehire, dict) and rehire.get("committed"):
        lines.append(_("Re-hire the child at age {age}.").format(age=rehire.get("at_age")))
    out = "\n".join(f"- {line}" for line in lines) or _("Nothing recorded yet.")
    fixes = items(dig(data, "implementation", "corrective_actions"))
    if fixes:
        table = markdown_table(
            (_("Corrective action"), _("Date"), _("Root cause")),
            [(f.get("action"), f.get("date"), f.get("cause")) for f in fixes],
        )
        out += "\n\n" + table
    return out


def _supplier_payments(data: dict[str, Any]) -> str:
    payments = [p for p in items(data.get("payments")) if p.get("payer") == "supplier"]
    if not payments:
        return _("No payments by the supplier recorded.")
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
    return markdown_table((_("Date"), _("Amount"), _("Purpose"), _("Period"), _("On time")), rows)


def _supplier_actions(
    data: dict[str, Any], book: Playbook | None, calendar: Calendar, today: dt.date
) -> list[str]:
    if data.get("stage") == "closed" or book is None:
        return []
    todo = [s for s in open_actions(data, book, calendar) if "supplier" in s.action.roles]
    out = [_("## Open actions for the supplier ({stage})").format(stage=data["stage"])]
    if not todo:
        out.append(_("Nothing open for the supplier in this stage."))
        return out
    out.append(
        markdown_table(
            (_("Action"), _("Required"), _("Due"), _("Status"), _("What")),
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
