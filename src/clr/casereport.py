"""A Markdown report of one case, for a buyer or a supervisor.

The report holds only what is in the case file: it never opens the identity file, and it
leaves out the child's pseudonym and birth date and free-text fields (notes, the child's
and family's views, descriptions), which may hold details a buyer should not see. Reports
tailored to an audience (``--for``) are planned, not built.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from clr import yamlio
from clr.dates import parse_date, parse_datetime
from clr.errors import CaseFileError, ClrError
from clr.playbook import Playbook
from clr.repo import display_path, find_case, find_root, open_repository
from clr.summary import (
    CaseSummary,
    context_for,
    is_identity_file,
    load_problem,
    stipend_on_time,
    summarise,
)
from clr.validate import CaseContext
from clr.workflow import ActionState, Calendar, open_actions

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


def _d(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _items(value: Any) -> list[dict[str, Any]]:
    return [x for x in value if isinstance(x, dict)] if isinstance(value, list) else []


def _money(amount: Any, currency: Any) -> str | None:
    if not isinstance(amount, int | float) or isinstance(amount, bool):
        return None
    return f"{md_cell(amount)} {currency or ''}".strip()


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def open_for_report(ref: str, today: dt.date) -> tuple[Path, dict[str, Any], CaseContext]:
    """Find and read a case by id, folder or file, with its repository's context.

    Raises:
        ClrError: no such case, or the path is an identity file.
        CaseFileError: the case file cannot be used.
    """
    candidate = Path(ref)
    root = find_root(candidate if candidate.exists() else Path.cwd())
    if root is None and not candidate.exists():
        open_repository(None)  # raises NotARepository with a clear message
    if root is not None:
        path = find_case(open_repository(root), ref)
    else:
        path = candidate / "case.yaml" if candidate.is_dir() else candidate
    if is_identity_file(path):
        raise ClrError(
            f"{display_path(path)} is an identity file: a report never reads it",
            hint="give the case id, its folder or its case.yaml",
        )
    loaded = yamlio.read_file(path, display_path(path))
    problem = load_problem(loaded)
    if problem is not None:
        raise CaseFileError(
            f"{loaded.path}: {problem}", hint="run 'clr validate' to see every problem"
        )
    assert loaded.data is not None
    return path, loaded.data, context_for(root, today)


def render_report(data: dict[str, Any], path: str, ctx: CaseContext) -> str:
    """The Markdown report of one case as of ``ctx.today``."""
    today = ctx.today
    info = summarise(data, path, ctx)
    name = data.get("playbook")
    book = ctx.playbooks.get(name) if isinstance(name, str) else None
    parts = [
        f"# Case {info.id}",
        f"As of {today.isoformat()}. Pseudonymous: from the case file only, without the "
        "child's pseudonym, birth date and free-text notes; the identity file is never read.",
        "## Summary",
        _summary(data, info),
        "## Stage timeline",
        _timeline(data, info, today),
        "## Plan",
        _plan(data),
        "## Payments",
        _payments(data),
        "## Visits",
        _visits(data),
        *_actions(data, book, ctx.calendar, today),
    ]
    if info.stage == "closed":
        parts += ["## Closure", _closure(data)]
    return "\n\n".join(parts) + "\n"


def _summary(data: dict[str, Any], info: CaseSummary) -> str:
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
    channel = _d(data, "discovery", "channel")
    rows: list[tuple[str, Any]] = [
        ("Stage", f"{info.stage}{since}"),
        ("Track", info.track),
        ("Playbook", data.get("playbook")),
        ("Site", site),
        ("Buyer", info.buyer),
        ("Child", child),
        ("Found", f"{found} ({channel})" if isinstance(channel, str) else found),
        (
            "Opened",
            f"{info.opened} ({_plural(info.days_open or 0, 'day')} open)" if info.opened else None,
        ),
    ]
    if info.reopens:
        rows.append(("Reopens", info.reopens))
    escalated = _d(data, "flags", "escalated")
    if isinstance(escalated, dict):
        rows.append(("Escalated", f"{escalated.get('reason')} on {escalated.get('date')}"))
    rows += [
        ("Overdue actions", info.overdue),
        ("Last visit", info.last_visit.isoformat() if info.last_visit else None),
    ]
    return markdown_table(("Field", "Value"), rows)


def _timeline(data: dict[str, Any], info: CaseSummary, today: dt.date) -> str:
    moves = []
    for entry in _items(data.get("history")):
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
    return markdown_table(("Stage", "Entered", "Days in stage", "Moved by"), rows)


def _plan(data: dict[str, Any]) -> str:
    plan = data.get("plan")
    if not isinstance(plan, dict):
        return "No plan yet."
    lines = []
    signed = [f"{s.get('party')} ({s.get('date')})" for s in _items(plan.get("signed_by"))]
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
    if isinstance(offer, dict):
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
    components = _items(plan.get("components"))
    if components:
        rows = [
            (
                c.get("type"),
                c.get("provider"),
                c.get("start"),
                c.get("end"),
                _money(_d(c, "cost", "amount"), _d(c, "cost", "currency")),
            )
            for c in components
        ]
        out += "\n\n" + markdown_table(("Component", "Provider", "Start", "End", "Cost"), rows)
    return out


def _payments(data: dict[str, Any]) -> str:
    payments = _items(data.get("payments"))
    if not payments:
        return "No payments recorded."
    rows = []
    totals: dict[tuple[str, str], list[float]] = {}
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
        amount = p.get("amount")
        if isinstance(amount, int | float) and not isinstance(amount, bool):
            key = (str(p.get("payer")), str(p.get("currency")))
            totals.setdefault(key, []).append(float(amount))
    table = markdown_table(("Date", "Amount", "Payer", "Purpose", "Period", "On time"), rows)
    by_currency: dict[str, float] = {}
    for (_, currency), amounts in totals.items():
        by_currency[currency] = by_currency.get(currency, 0.0) + math.fsum(amounts)
    total_text = "; ".join(f"{md_cell(by_currency[c])} {c}" for c in sorted(by_currency))
    payer_text = "; ".join(
        f"{payer} {md_cell(math.fsum(totals[(payer, c)]))} {c}" for payer, c in sorted(totals)
    )
    return f"{table}\n\nTotal: {total_text} (by payer: {payer_text})."


def _visits(data: dict[str, Any]) -> str:
    visits = _items(data.get("visits"))
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
        return []
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


def _closure(data: dict[str, Any]) -> str:
    closure = data.get("closure") if isinstance(data.get("closure"), dict) else {}
    assert isinstance(closure, dict)
    rows = [
        ("Date", closure.get("date")),
        ("Reason", closure.get("reason")),
        ("Approved by", closure.get("approved_by")),
        ("Where the child is now", closure.get("final_status")),
        ("Recurrence check", closure.get("recurrence_check")),
    ]
    if closure.get("referred_to"):
        rows.append(("Referred to", closure.get("referred_to")))
    if closure.get("duplicate_of"):
        rows.append(("Duplicate of", closure.get("duplicate_of")))
    return markdown_table(("Field", "Value"), rows)
