"""clr show, next, advance, tick, visit, pay: working on one case."""

import datetime as dt
import os
from typing import TYPE_CHECKING, Annotated, Any

import typer

from clr.cases import caseops
from clr.cases.entries import payment_entry, recurrence_check_entry, visit_entry
from clr.cli._common import (
    AsOf,
    check_date,
    choices,
    format_choices,
    format_name,
    format_option,
    paint,
    parse_as_of,
    wrap_text,
)
from clr.errors import ClrError, MissingInput
from clr.i18n import _, ngettext
from clr.model import vocabulary
from clr.render import render, safe
from clr.views.glance import next_steps

CaseArg = Annotated[
    str, typer.Argument(help="A case id (or its start), a case folder or file.", show_default=False)
]
ByOpt = Annotated[
    str | None,
    typer.Option(
        "--by", help="Who did it (a staff name or role; default: $CLR_USER).", show_default=False
    ),
]
NoteOpt = Annotated[str | None, typer.Option("--note", help="A short note for the history.")]
DryRun = Annotated[
    bool, typer.Option("--dry-run", "-n", help="Show the change as a diff; write nothing.")
]


if TYPE_CHECKING:
    from clr.views.glance import NextSteps

    CaseFormat = str
    Method = str
    RefusedBy = str
    Authority = str
    RootCause = str
    CheckMethod = str
else:
    CaseFormat = format_choices("case")
    Method = choices("Method", vocabulary.VISIT_METHODS)
    RefusedBy = choices("RefusedBy", vocabulary.REFUSED_BY)
    Authority = choices("Authority", vocabulary.REFERRAL_AUTHORITIES)
    RootCause = choices("RootCause", vocabulary.ROOT_CAUSES)
    CheckMethod = choices("CheckMethod", vocabulary.RECURRENCE_METHODS)


def _closing_option(flag: str, text: str, *, date: bool = False) -> Any:
    """An option of ``advance`` for a closure fact (with --to closed)."""
    if date:
        return typer.Option(
            flag,
            metavar="DATE",
            callback=check_date,
            help=f"{text} (with --to closed)",
            rich_help_panel="Closing",
        )
    return typer.Option(flag, help=f"{text} (with --to closed)", rich_help_panel="Closing")


def _by(value: str | None) -> str:

    who = value or os.environ.get("CLR_USER")
    if not who:
        raise MissingInput(_("say who did it"), hint=_("add --by NAME (or set CLR_USER)"))
    return who


def _date(value: str | None, default: dt.date, flag: str = "--date") -> dt.date:
    if value is None:
        return default
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            _("{value} is not a date; write YYYY-MM-DD").format(value=repr(value)),
            param_hint=flag,
        ) from None


def _print_diff(diff: str, dry_run: bool) -> None:
    if dry_run:
        typer.echo(safe.terminal(diff, block=True) if diff else _("(no change)"))


def next_command(
    case: CaseArg,
    role: Annotated[str | None, typer.Option("--role", help="Only actions for this role.")] = None,
    as_of: AsOf = None,
    output_format: Annotated[CaseFormat, format_option("case")] = "text",
) -> None:
    """Say what to do next for a case: open actions, deadlines, overdue items, blockers.

    Example: clr next EXR-2026-7KQ3M --role supplier
    """
    today = parse_as_of(as_of, case)
    steps = next_steps(caseops.open_case(case, today=today), today, role=role)
    chosen = format_name("case", output_format)
    if chosen == "text":
        typer.echo(wrap_text(_next_text(steps)))
    else:
        typer.echo(render("case", chosen, steps.document()), nl=False)


def _next_text(steps: "NextSteps") -> str:
    todo, blockers, target = steps.todo, steps.blockers, steps.target
    today, plan = steps.today, steps.plan
    t = safe.terminal  # every value of the case or its playbook: controls and bidi shown
    lines: list[str] = []
    say = lines.append
    data = safe.terminal_data(steps.data)
    say(
        paint(f"{data.get('id')}", "bold")
        + "  "
        + _("stage {stage}, track {track}  (as of {today})").format(
            stage=data.get("stage"), track=data.get("track"), today=today
        )
    )
    if plan is not None and plan.purpose:
        say(paint(t(plan.purpose), "dim"))
    closed = data.get("stage") == "closed"
    if closed and not todo:
        say(_("This case is closed. Nothing is left to do."))
    else:
        say("")
        say(paint(_("Checks after closure:") if closed else _("To do:"), "bold"))
        if not todo:
            say("  " + _("nothing open in this stage"))
        for state in todo:
            late = state.overdue_days(today)
            line = "  "
            if late:
                overdue = ngettext("OVERDUE by {days} day", "OVERDUE by {days} days", late)
                line += paint(overdue.format(days=late), "bold red")
                line += " " + _("(due {date})").format(date=state.due) + " "
            elif state.due:
                line += paint(_("due {date}").format(date=state.due) + " ", "yellow")
            elif state.waiting_for:
                waiting = _("due once {field} is recorded").format(field=t(state.waiting_for))
                line += paint(waiting + " ", "dim")
            if state.label:
                when = state.rule.local() if state.rule is not None else state.label
                line += f"[{t(when)}] "
            if state.ahead:
                line += paint(_("for {stage}: ").format(stage=state.ahead), "dim")
            line += paint(t(state.action.id), "bold")
            tags = [t(", ".join(state.action.roles))]
            if state.action.required:
                tags.append(_("required"))
            if state.action.gate:
                tags.append(_("checklist"))
            line += paint(f"  ({', '.join(tags)})", "dim")
            say(line)
            say(f"      {t(state.action.text)}")
        if closed:
            command = f"clr follow-up {data.get('id')} --method ..."
            say(paint("  " + _("record each check: {command}").format(command=command), "cyan"))
        if steps.rules("warnings") and not closed:
            say("")
            say(paint(_("Do not:"), "bold"))
            for warning in steps.rules("warnings"):
                say(f"  - {t(warning.text)}")
        if steps.rules("safeguarding") and not closed:
            say("")
            say(paint(_("Safeguarding:"), "bold"))
            for rule in steps.rules("safeguarding"):
                say(f"  - {t(rule.text)}")
        if target:
            say("")
            if blockers:
                say(paint(_("Before it can move to {stage}:").format(stage=target), "bold"))
                for b in blockers:
                    say(f"  - {t(b.text)}")
                    if b.hint:
                        say(paint(f"      {t(b.hint_text)}", "cyan"))
                case_id = data.get("id")
                say(
                    paint(
                        _("Record them: {advance} asks for each, or {set}").format(
                            advance=f"clr advance {case_id} --by NAME",
                            set=f"clr set {case_id} FIELD=VALUE",
                        ),
                        "green",
                    )
                )
            else:
                say(
                    paint(
                        _("Ready to move to {stage}: {command}").format(
                            stage=target, command=f"clr advance {data.get('id')} --by NAME"
                        ),
                        "green",
                    )
                )
    return "\n".join(lines)


def advance_command(
    case: CaseArg,
    to: Annotated[
        str | None, typer.Option("--to", help="The stage to move to (default: next).")
    ] = None,
    by: ByOpt = None,
    note: NoteOpt = None,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Closure reason (with --to closed).")
    ] = None,
    approved_by: Annotated[
        str | None,
        typer.Option("--approved-by", help="Who approved the closure (with --to closed)."),
    ] = None,
    as_of: AsOf = None,
    dry_run: DryRun = False,
    no_input: Annotated[
        bool,
        typer.Option(
            "--no-input",
            envvar="CLR_NO_INPUT",
            help="Never ask: print what is missing as a YAML snippet and a clr set line.",
        ),
    ] = False,
    final_status: Annotated[
        str | None, _closing_option("--final-status", "Where the child is now.")
    ] = None,
    recurrence_check: Annotated[
        str | None,
        _closing_option(
            "--recurrence-check",
            "When the first check after closure is due, YYYY-MM-DD (default: the playbook's).",
            date=True,
        ),
    ] = None,
    referred_to: Annotated[
        str | None, _closing_option("--referred-to", "The service referred to (referred).")
    ] = None,
    duplicate_of: Annotated[
        str | None, _closing_option("--duplicate-of", "The case this one repeats (duplicate).")
    ] = None,
    child_views: Annotated[
        str | None, _closing_option("--child-views", "Was the remedy right? The child's answer.")
    ] = None,
    family_views: Annotated[
        str | None, _closing_option("--family-views", "The family's view at closure.")
    ] = None,
    young_worker_plan: Annotated[
        str | None,
        _closing_option(
            "--young-worker-plan",
            "reached_min_age under 18: the safe job, hours, no night work, who checks it.",
        ),
    ] = None,
    continued_in: Annotated[
        str | None,
        _closing_option("--continued-in", "The young-worker case that carries the child on."),
    ] = None,
    contact_attempt: Annotated[
        list[str] | None,
        _closing_option(
            "--contact-attempt",
            "An attempt to reach the family, DATE:METHOD[:RESULT]; repeat for each.",
        ),
    ] = None,
    refused_by: Annotated[
        RefusedBy | None, _closing_option("--refused-by", "Who refused (refused).")
    ] = None,
    referral_to: Annotated[
        Authority | None,
        _closing_option("--referral-to", "The authority the child was referred to."),
    ] = None,
    referral_date: Annotated[
        str | None, _closing_option("--referral-date", "When the referral was made.", date=True)
    ] = None,
    referral_reference: Annotated[
        str | None, _closing_option("--referral-reference", "The authority's reference.")
    ] = None,
    no_referral_reason: Annotated[
        str | None,
        _closing_option("--no-referral-reason", "Why the child was not referred."),
    ] = None,
    rehire_check: Annotated[
        str | None,
        _closing_option(
            "--rehire-check", "When the supplier's files were checked for the child.", date=True
        ),
    ] = None,
    rehired: Annotated[
        bool | None,
        _closing_option(
            "--rehired/--not-rehired", "What the re-hire check found (with --rehire-check)."
        ),
    ] = None,
    commitments_continued_by: Annotated[
        str | None,
        _closing_option(
            "--commitments-continued-by",
            "Who continues payments or fees planned past closure, until when.",
        ),
    ] = None,
    root_cause: Annotated[
        list[RootCause] | None,
        _closing_option("--root-cause", "Why the child was working; repeat for each cause."),
    ] = None,
    root_causes_waived: Annotated[
        str | None,
        _closing_option("--root-causes-waived", "Why no root cause is recorded."),
    ] = None,
) -> None:
    """Move a case to its next stage (or to closed), once it holds what that stage needs.

    In a terminal, clr asks for the facts the stage needs that the case lacks, question by
    question, shows the change and writes it once the case is valid. With --no-input (or
    without a terminal) it asks nothing: it prints everything missing as one YAML snippet
    to paste into the case (stdout) and the clr set line that would supply it, changes
    nothing and exits 1. Otherwise sets the stage and appends a history entry; only those
    lines of the file change.

    Closing needs what the playbook asks for the reason (clr playbook show --stage closed):
    no_longer_in_CL and hazard_removed close from monitoring, after its checklist and the
    follow-up visits; the other reasons close from any stage, most with a --note. The
    playbook's closing rules ask more: a young-worker plan at the minimum age under 18,
    contact attempts and who refused, a referral and a re-hire check for a child under
    the minimum age, who continues payments planned past closure, root causes. Every
    closure fact has its option (see docs/closing-a-case.md).

    Example: clr advance EXR-2026-7KQ3M --by "R. Ahmed" --note "age verified by school record"
    """
    today = parse_as_of(as_of, case)
    who = _by(by)
    facts = _closure_facts(
        {
            "final_status": final_status,
            "recurrence_check": _date(recurrence_check, today, "--recurrence-check").isoformat()
            if recurrence_check
            else None,
            "referred_to": referred_to,
            "duplicate_of": duplicate_of,
            "child_views": child_views,
            "family_views": family_views,
            "young_worker_plan": young_worker_plan,
            "continued_in": continued_in,
            "refused_by": str(refused_by) if refused_by else None,
            "no_referral_reason": no_referral_reason,
            "commitments_continued_by": commitments_continued_by,
            "root_causes_waived": root_causes_waived,
        },
        today,
        contact_attempt=contact_attempt or [],
        referral=(referral_to, referral_date, referral_reference),
        rehire=(rehire_check, rehired),
        causes=[str(c) for c in root_cause or []],
    )
    session = caseops.open_case(case, today=today)

    def move(preview: bool) -> tuple[str, str, str]:
        return caseops.advance(
            session,
            target=to,
            by=who,
            note=note,
            today=today,
            reason=reason,
            approved_by=approved_by,
            dry_run=preview,
            closure=facts,
        )

    try:
        source, target, diff = move(dry_run)
    except caseops.MoveBlocked as blocked:
        from clr.cli import record

        if not record.record_missing(session, blocked, to, who, no_input or dry_run):
            raise
        source, target, diff = move(True)
        typer.echo(diff)
        if not dry_run:
            caseops.commit(session, what=f"move to {target}")
    _print_diff(diff, dry_run)
    said = (
        _("{case}: would move from {source} to {target}")
        if dry_run
        else _("{case}: moved from {source} to {target}")
    )
    typer.echo(said.format(case=session.data.get("id"), source=source, target=target), err=True)
    if target == "closed":
        _closing_notices(session)


def _closure_facts(
    fields: dict[str, str | None],
    today: dt.date,
    *,
    contact_attempt: list[str],
    referral: tuple[str | None, str | None, str | None],
    rehire: tuple[str | None, bool | None],
    causes: list[str],
) -> caseops.ClosureFacts:
    """The closure facts given as options, checked (bad input: exit 2, naming the option)."""
    facts = caseops.ClosureFacts({k: v for k, v in fields.items() if v not in (None, "")})
    for raw in contact_attempt:
        day, _sep, rest = raw.partition(":")
        method, _sep, result = rest.partition(":")
        if method not in vocabulary.CONTACT_METHODS:
            raise typer.BadParameter(
                _("{value}: write DATE:METHOD[:RESULT], METHOD one of {choices}").format(
                    value=repr(raw), choices=", ".join(vocabulary.CONTACT_METHODS)
                ),
                param_hint="--contact-attempt",
            )
        entry = {"date": _date(day, today, "--contact-attempt").isoformat(), "method": method}
        if result:
            entry["result"] = result
        facts.contact_attempts.append(entry)
    to, when, reference = referral
    if to is not None or when is not None or reference is not None:
        if to is None or when is None:
            raise typer.BadParameter(
                _("a referral needs both --referral-to and --referral-date"),
                param_hint="--referral-to",
            )
        made: dict[str, Any] = {
            "to": str(to),
            "date": _date(when, today, "--referral-date").isoformat(),
        }
        if reference:
            made["reference"] = reference
        facts.fields["referral"] = made
    checked, rehired = rehire
    if checked is not None or rehired is not None:
        if checked is None or rehired is None:
            raise typer.BadParameter(
                _("a re-hire check needs --rehire-check DATE and --rehired or --not-rehired"),
                param_hint="--rehire-check",
            )
        facts.fields["rehire_check"] = {
            "date": _date(checked, today, "--rehire-check").isoformat(),
            "rehired": rehired,
        }
    facts.root_causes.extend(causes)
    return facts


def _closing_notices(session: caseops.CaseSession) -> None:
    """Say what goes on after closure: running payments, the checks after closure."""
    from clr.model import closing

    data = session.doc.expected()
    closure: dict[str, Any] = data.get("closure") or {}
    day = dt.date.fromisoformat(str(closure.get("date")))
    for what in closing.running_commitments(data, day):
        continued = closure.get("commitments_continued_by")
        message = _("{what}, past the closure date; continued by: {continued}").format(
            what=what.local(), continued=continued
        )
        typer.echo(safe.terminal(_("warning: {message}").format(message=message)), err=True)
    dues = closing.recurrence_dues(data, session.playbook(), session.ctx.calendar.add)
    if dues:
        typer.echo(
            _("checks after closure due {days}: record each with {command}").format(
                days=", ".join(str(d) for d in dues), command=f"clr follow-up {data.get('id')}"
            ),
            err=True,
        )


def tick_command(
    case: CaseArg,
    item: Annotated[str, typer.Argument(help="The playbook item's id (see clr next).")],
    by: ByOpt = None,
    date: Annotated[
        str | None,
        typer.Option(
            "--date",
            metavar="DATE",
            callback=check_date,
            help="When it was done (default: today).",
        ),
    ] = None,
    note: NoteOpt = None,
    as_of: AsOf = None,
    dry_run: DryRun = False,
) -> None:
    """Record a playbook checklist item as done.

    Example: clr tick EXR-2026-7KQ3M protect-remove-from-all-work --by "R. Ahmed"
    """
    today = parse_as_of(as_of, case)
    session = caseops.open_case(case, today=today)
    diff = caseops.tick(
        session, item, by=_by(by), day=_date(date, today), note=note, dry_run=dry_run
    )
    _print_diff(diff, dry_run)
    said = _("{case}: would tick {item}") if dry_run else _("{case}: ticked {item}")
    typer.echo(said.format(case=session.data.get("id"), item=item), err=True)


def visit_command(
    case: CaseArg,
    method: Annotated[Method, typer.Option("--method", help="How the visit was made.")],
    working: Annotated[
        bool, typer.Option("--working/--not-working", help="Was the child found working?")
    ],
    date: Annotated[
        str | None,
        typer.Option(
            "--date", metavar="DATE", callback=check_date, help="Visit date (default: today)."
        ),
    ] = None,
    in_school: Annotated[
        bool | None,
        typer.Option(
            "--in-school/--not-in-school", help="Does the child attend school or training?"
        ),
    ] = None,
    hazardous_work: Annotated[
        bool | None,
        typer.Option("--hazardous-work/--no-hazardous-work", help="Was the work hazardous?"),
    ] = None,
    stipend_received: Annotated[
        bool | None,
        typer.Option("--stipend-received/--stipend-missing", help="Did the last stipend arrive?"),
    ] = None,
    safe_job: Annotated[
        bool | None,
        typer.Option(
            "--safe-job/--not-safe-job",
            help="Young worker: working in the agreed safe job (legal work, not child labour)?",
        ),
    ] = None,
    attendance: Annotated[
        float | None,
        typer.Option("--attendance", help="School attendance in percent.", min=0, max=100),
    ] = None,
    by: ByOpt = None,
    child_views: Annotated[
        str | None, typer.Option("--child-views", help="What the child said.")
    ] = None,
    notes: Annotated[
        str | None, typer.Option("--note", help="A note (no names or contacts).")
    ] = None,
    as_of: AsOf = None,
    dry_run: DryRun = False,
) -> None:
    """Record a monitoring visit.

    Example: clr visit EXR-2026-7KQ3M --method unannounced --not-working --in-school
    """
    today = parse_as_of(as_of, case)
    session = caseops.open_case(case, today=today)
    if safe_job is not None and session.data.get("track") != "young-worker":
        raise typer.BadParameter(
            _(
                "a safe job is agreed for a young worker only; this case is on the {track} track"
            ).format(track=session.data.get("track")),
            param_hint="--safe-job",
        )
    if session.data.get("stage") == "closed":
        raise ClrError(
            _(
                "{case} is closed: a visit after closure is a check that the child has not "
                "gone back to work"
            ).format(case=session.data.get("id")),
            hint=_("record it with: {command}").format(
                command=f"clr follow-up {session.data.get('id')} --method ... "
                "--working/--not-working"
            ),
        )
    entry = visit_entry(
        _date(date, today),
        str(method),
        working=working,
        by=_by(by) if by or os.environ.get("CLR_USER") else None,
        in_school=in_school,
        attendance=attendance,
        hazardous_work=hazardous_work,
        stipend_received=stipend_received,
        child_views=child_views,
        notes=notes,
        safe_job=safe_job,
    )
    diff = caseops.append_entry(session, "visits", entry, dry_run=dry_run)
    _print_diff(diff, dry_run)
    said = (
        _("{case}: would record the visit of {date}")
        if dry_run
        else _("{case}: recorded the visit of {date}")
    )
    typer.echo(said.format(case=session.data.get("id"), date=entry["date"]), err=True)


def follow_up_command(
    case: CaseArg,
    method: Annotated[CheckMethod, typer.Option("--method", help="How the check was made.")],
    working: Annotated[
        bool,
        typer.Option("--working/--not-working", help="Was the child found in child labour?"),
    ],
    date: Annotated[
        str | None,
        typer.Option(
            "--date", metavar="DATE", callback=check_date, help="Check date (default: today)."
        ),
    ] = None,
    rehired: Annotated[
        bool | None,
        typer.Option("--rehired/--not-rehired", help="Had the supplier taken the child back on?"),
    ] = None,
    in_school: Annotated[
        bool | None,
        typer.Option(
            "--in-school/--not-in-school", help="Does the child attend school or training?"
        ),
    ] = None,
    by: ByOpt = None,
    notes: Annotated[
        str | None, typer.Option("--note", help="A note (no names or contacts).")
    ] = None,
    as_of: AsOf = None,
    dry_run: DryRun = False,
) -> None:
    """Record a check after closure that the child has not gone back to work.

    The playbook's checks after closure (default 6 and 12 months after the case closed)
    are deadlines of a closed case in clr next, status, agenda and validate (CLR302); each
    check recorded here meets the next one. A child found working again gets a new,
    linked case: clr reopen.

    Example: clr follow-up EXR-2025-4FJ7Z --method unannounced --not-working --not-rehired
    """
    today = parse_as_of(as_of, case)
    session = caseops.open_case(case, today=today)
    entry = recurrence_check_entry(
        _date(date, today),
        str(method),
        working=working,
        by=_by(by) if by or os.environ.get("CLR_USER") else None,
        rehired=rehired,
        in_school=in_school,
        notes=notes,
    )
    diff = caseops.record_follow_up(session, entry, dry_run=dry_run)
    _print_diff(diff, dry_run)
    case_id = session.data.get("id")
    said = (
        _("{case}: would record the check after closure of {date}")
        if dry_run
        else _("{case}: recorded the check after closure of {date}")
    )
    typer.echo(said.format(case=case_id, date=entry["date"]), err=True)
    if working or rehired:
        found = (
            _(
                "the child was found working: protect the child now and open a linked case: "
                "clr reopen {case} --by NAME"
            )
            if working
            else _(
                "the child was found re-hired: protect the child now and open a linked case: "
                "clr reopen {case} --by NAME"
            )
        )
        typer.echo(found.format(case=case_id), err=True)


def pay_command(
    case: CaseArg,
    amount: Annotated[float, typer.Option("--amount", help="Amount paid.", min=0)],
    currency: Annotated[str, typer.Option("--currency", help="ISO 4217 code, e.g. BDT.")],
    payer: Annotated[str, typer.Option("--payer", help="Who paid: buyer, supplier, provider…")],
    date: Annotated[
        str | None,
        typer.Option(
            "--date", metavar="DATE", callback=check_date, help="Payment date (default: today)."
        ),
    ] = None,
    purpose: Annotated[str, typer.Option("--purpose", help="stipend, school_fees, …")] = "stipend",
    period: Annotated[
        str | None, typer.Option("--period", metavar="MONTH", help="Month paid for, YYYY-MM.")
    ] = None,
    receipt: Annotated[str | None, typer.Option("--receipt", help="Receipt reference.")] = None,
    notes: Annotated[
        str | None, typer.Option("--note", help="A note (no names or contacts).")
    ] = None,
    as_of: AsOf = None,
    dry_run: DryRun = False,
) -> None:
    """Record a payment (stipend, fees, …) with its receipt.

    Example: clr pay EXR-2026-7KQ3M --amount 4500 --currency BDT --payer supplier --receipt R-0412
    """
    today = parse_as_of(as_of, case)
    session = caseops.open_case(case, today=today)
    entry = payment_entry(
        _date(date, today),
        amount=amount,
        currency=currency,
        payer=payer,
        purpose=purpose,
        period=period,
        receipt=receipt,
        notes=notes,
    )
    diff = caseops.append_entry(session, "payments", entry, dry_run=dry_run)
    _print_diff(diff, dry_run)
    said = (
        _("{case}: would record {amount} {currency} paid by {payer}")
        if dry_run
        else _("{case}: recorded {amount} {currency} paid by {payer}")
    )
    typer.echo(
        said.format(
            case=session.data.get("id"),
            amount=entry["amount"],
            currency=entry["currency"],
            payer=payer,
        ),
        err=True,
    )


def register(app: typer.Typer) -> None:
    """Add the commands to the app."""
    app.command("next")(next_command)
    app.command("advance")(advance_command)
    app.command("tick")(tick_command)
    app.command("visit")(visit_command)
    app.command("pay")(pay_command)
    app.command("follow-up")(follow_up_command)
