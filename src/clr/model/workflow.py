"""The case workflow: deadlines, what to do next, what blocks a move, and the moves.

Pure functions over case data and a playbook; the writing is done by ``clr.io.edit``.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from typing import Any

from clr.i18n import N_, Nn_
from clr.model import closing, stages
from clr.model.case import Case, dig
from clr.model.dates import add_months, parse_date, parse_datetime
from clr.model.findings import Finding, Joined, Said, Worded, said, said_n
from clr.model.playbook import Action, ClosureRule, Playbook
from clr.model.record import Frozen

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Calendar(Frozen):
    """Which days count as working days, for deadlines set in working days.

    With ``by_country`` (clr.yaml names no working days), each case follows the week of
    its site's country, else of the country of the repository's time zone ``zone``
    (``clr/data/weekends.yaml``); ``working_days`` is the week where neither is known.
    """

    working_days: frozenset[int]
    holidays: frozenset[dt.date]
    by_country: bool
    zone: str

    def __init__(
        self,
        working_days: frozenset[int] = frozenset(range(5)),
        holidays: frozenset[dt.date] = frozenset(),
        by_country: bool = False,
        zone: str = "",
    ) -> None:
        self.__dict__.update(
            working_days=working_days, holidays=holidays, by_country=by_country, zone=zone
        )

    @classmethod
    def from_config(
        cls,
        working_days: tuple[str, ...],
        holidays: tuple[str, ...],
        *,
        by_country: bool = False,
        zone: str = "",
    ) -> Calendar:
        """Build from clr.yaml's ``working_days`` and ``holidays``."""
        days = frozenset(WEEKDAYS.index(d) for d in working_days if d in WEEKDAYS)
        return cls(
            days or frozenset(range(5)),
            frozenset(d for d in (parse_date(h) for h in holidays) if d is not None),
            by_country,
            zone,
        )

    def for_case(self, data: dict[str, Any]) -> Calendar:
        """The calendar of one case: its country's week unless clr.yaml sets the week."""
        if not self.by_country:
            return self
        country = dig(data, "site", "country")
        found = _country_week(country if isinstance(country, str) else None, self.zone)
        if found is None:
            return Calendar(self.working_days, self.holidays)
        return Calendar(found, self.holidays)

    def is_working(self, day: dt.date) -> bool:
        """True if ``day`` is a working day."""
        return day.weekday() in self.working_days and day not in self.holidays

    def add(self, start: dt.date, amount: float, unit: str) -> dt.date:
        """The day ``amount`` ``unit`` after ``start`` (hours round up to whole days)."""
        if unit == "hours":
            return start + dt.timedelta(days=math.ceil(amount / 24))
        if unit == "days":
            return start + dt.timedelta(days=math.ceil(amount))
        if unit == "weeks":
            return start + dt.timedelta(weeks=amount)
        if unit == "months":
            return add_months(start, int(amount))
        if unit == "working_days":
            day, left = start, math.ceil(amount)
            while left > 0:
                day += dt.timedelta(days=1)
                if self.is_working(day):
                    left -= 1
            return day
        raise ValueError(f"unknown unit {unit!r}")


@functools.cache
def _country_week(country: str | None, zone: str) -> frozenset[int] | None:
    from clr.model import weeks

    days = weeks.working_days(country, zone or None)
    return frozenset(WEEKDAYS.index(d) for d in days) if days else None


class ActionState(Frozen):
    """Where one action stands for one case."""

    action: Action
    done: bool
    done_on: dt.date | None
    due: dt.date | None
    label: str
    waiting_for: str
    ahead: str
    """The later stage the action belongs to, when it shows before the case is there."""
    rule: Said | None
    """The rule that set the date, worded (``label`` is its English)."""

    def __init__(
        self,
        action: Action,
        done: bool,
        done_on: dt.date | None = None,
        due: dt.date | None = None,
        label: str = "",
        waiting_for: str = "",
        ahead: str = "",
        rule: Said | None = None,
    ) -> None:
        self.__dict__.update(
            action=action,
            done=done,
            done_on=done_on,
            due=due,
            label=label,
            waiting_for=waiting_for,
            ahead=ahead,
            rule=rule,
        )

    def overdue_days(self, today: dt.date) -> int:
        """Days past the due date (0 if not overdue, done or undated)."""
        if self.done or self.due is None or self.due >= today:
            return 0
        return (today - self.due).days


def stage_entered(data: dict[str, Any], stage: str) -> dt.date | None:
    """The day the case last entered ``stage``, from its history."""
    entered = None
    for entry in data.get("history") or []:
        if isinstance(entry, dict) and entry.get("to") == stage and entry.get("from") != stage:
            moment = parse_datetime(entry.get("at"))
            entered = moment.date() if moment else parse_date(entry.get("at")) or entered
    if entered is None and stage == data.get("stage") and stage in ("reported", "identified"):
        entered = parse_date(data.get("opened"))
    return entered


def _anchor(data: dict[str, Any], action: Action, source: str) -> dt.date | None:
    if source == "stage_entered":
        return stage_entered(data, action.stage)
    return parse_date(dig(data, *source.split(".")))


def _present(value: Any) -> bool:
    """True if a field shows the action done: ``false`` (e.g. wages not continued) does not."""
    return value is not False and value not in (None, "", [], {})


def action_state(data: dict[str, Any], action: Action, calendar: Calendar) -> ActionState:
    """Work out whether an action is done and when it is (next) due."""
    calendar = calendar.for_case(data)
    tick = Case(data).checklist.get(action.id)
    if isinstance(tick, dict):
        return ActionState(action, True, parse_date(tick.get("done")))
    due = action.due or {}
    source = due.get("from", "")
    if action.done_by_visits:
        methods = {
            v.get("method"): parse_date(v.get("date"))
            for v in data.get("visits") or []
            if isinstance(v, dict)
        }
        if all(m in methods for m in action.done_by_visits):
            days = [d for m in action.done_by_visits if (d := methods[m]) is not None]
            return ActionState(action, True, max(days) if days else None)
        missing = [m for m in action.done_by_visits if m not in methods]
        rule = said(N_("by visits: {methods}"), methods=", ".join(missing))
        return ActionState(action, False, label=rule.english(), rule=rule)
    if "within" in due or not due:
        if action.done_when and _present(dig(data, *action.done_when.split("."))):
            return ActionState(action, True, parse_date(dig(data, *action.done_when.split("."))))
        if not due:
            return ActionState(action, False)
        anchor = _anchor(data, action, source)
        if anchor is None:
            return ActionState(action, False, waiting_for=source)
        return ActionState(action, False, due=calendar.add(anchor, due["within"], due["unit"]))
    anchor = _anchor(data, action, source)
    if anchor is None:
        return ActionState(action, False, waiting_for=source)
    entries = sorted(
        d
        for d in (
            parse_date(e.get("date")) for e in data.get(due["done_by"]) or [] if isinstance(e, dict)
        )
        if d is not None and d >= anchor
    )
    if "every" in due:
        base = entries[-1] if entries else anchor
        following = calendar.add(base, due["every"], due["unit"])
        rule = _time(_EVERY, due["every"], due["unit"])
        last = entries[-1] if entries else None
        return ActionState(action, False, last, following, rule.english(), rule=rule)
    for k, offset in enumerate(sorted(due["at"])):
        if len(entries) <= k:
            rule = _time(_AT, offset, due["unit"])
            return ActionState(
                action,
                False,
                entries[-1] if entries else None,
                calendar.add(anchor, offset, due["unit"]),
                rule.english(),
                rule=rule,
            )
    return ActionState(action, True, entries[-1] if entries else None)


_EVERY = {
    "hours": Nn_("every {n} hour", "every {n} hours"),
    "days": Nn_("every {n} day", "every {n} days"),
    "working_days": Nn_("every {n} working day", "every {n} working days"),
    "weeks": Nn_("every {n} week", "every {n} weeks"),
    "months": Nn_("every {n} month", "every {n} months"),
}
_AT = {
    "hours": Nn_("at {n} hour", "at {n} hours"),
    "days": Nn_("at {n} day", "at {n} days"),
    "working_days": Nn_("at {n} working day", "at {n} working days"),
    "weeks": Nn_("at {n} week", "at {n} weeks"),
    "months": Nn_("at {n} month", "at {n} months"),
}
_AFTER_CLOSURE = {
    "hours": Nn_("{n} hour after closure", "{n} hours after closure"),
    "days": Nn_("{n} day after closure", "{n} days after closure"),
    "working_days": Nn_("{n} working day after closure", "{n} working days after closure"),
    "weeks": Nn_("{n} week after closure", "{n} weeks after closure"),
    "months": Nn_("{n} month after closure", "{n} months after closure"),
}


def _time(forms: dict[str, tuple[str, str]], amount: float, unit: str) -> Said:
    """``every 2 weeks``, ``at 6 months``: an amount of a playbook's unit, worded."""
    count = int(amount) if float(amount).is_integer() else 2
    return said_n(forms[unit], count, n=f"{amount:g}")


def stage_states(
    data: dict[str, Any],
    playbook: Playbook,
    calendar: Calendar,
    *,
    stage: str | None = None,
    role: str | None = None,
) -> list[ActionState]:
    """The state of every action of a stage (default: the case's) for the case's track."""
    name = stage or data.get("stage")
    if not isinstance(name, str) or name not in playbook.stages:
        return []
    calendar = calendar.for_case(data)  # once, not for each action
    track, sector = _scope(data)
    return [
        action_state(data, action, calendar)
        for action in playbook.stages[name].actions
        if action.applies_to(track, sector) and action.for_role(role)
    ]


def _scope(data: dict[str, Any]) -> tuple[str | None, str | None]:
    """The case's track and sector, as :meth:`Action.applies_to_case` reads them."""
    track = data.get("track")
    site = data.get("site")
    sector = site.get("sector") if isinstance(site, dict) else None
    return track if isinstance(track, str) else None, sector if isinstance(sector, str) else None


def open_actions(
    data: dict[str, Any],
    playbook: Playbook,
    calendar: Calendar,
    *,
    role: str | None = None,
    ahead: bool = False,
) -> list[ActionState]:
    """Actions of the current stage still to do, soonest due first (undated last).

    With ``ahead``, also those of later stages that are already due to be done
    (``ahead_actions``). A closed case has only the checks after closure (the playbook's
    ``closing``).
    """
    if data.get("stage") == "closed":
        return [s for s in recurrence_states(data, playbook, calendar) if s.action.for_role(role)]
    states = [s for s in stage_states(data, playbook, calendar, role=role) if not s.done]
    if ahead:
        states += ahead_actions(data, playbook, calendar, role=role)
    return sorted(
        states, key=lambda s: (s.due is None, s.due or dt.date.max, not s.action.required)
    )


def ahead_actions(
    data: dict[str, Any], playbook: Playbook, calendar: Calendar, *, role: str | None = None
) -> list[ActionState]:
    """Required actions of later stages that the case must see to before it gets there.

    Stage order: a deadline counted from a date of the case (the on-site age assessment
    within 72 hours of discovery) runs from that date, whatever the stage, so the action
    shows, with its deadline, from the start; and the next stage's checklist shows while
    the case is still in the stage before, so that the next move's needs are known.
    """
    current = data.get("stage")
    if not isinstance(current, str) or current not in stages.STAGES or current == "closed":
        return []
    following = stages.next_stage(current)
    out: list[ActionState] = []
    calendar = calendar.for_case(data)  # once, not for each action
    track, sector = _scope(data)
    for later in stages.STAGES[stages.index(current) + 1 :]:
        plan = playbook.stages.get(later)
        if later == "closed" or plan is None:
            break
        for action in plan.actions:
            if not action.required or not action.applies_to(track, sector):
                continue
            if not action.for_role(role):
                continue
            due = action.due or {}
            running = "within" in due and due.get("from") != "stage_entered"
            if not running and not (later == following and action.gate):
                continue
            state = action_state(data, action, calendar)
            if state.done or (running and state.due is None and later != following):
                continue
            out.append(
                ActionState(
                    action,
                    False,
                    state.done_on,
                    state.due,
                    state.label,
                    state.waiting_for,
                    ahead=later,
                    rule=state.rule,
                )
            )
    return out


def overdue_findings(
    data: dict[str, Any],
    path: str,
    playbook: Playbook,
    calendar: Calendar,
    today: dt.date,
    severity: str = "warning",
    *,
    states: list[ActionState] | None = None,
) -> list[Finding]:
    """Required actions of the current stage that are past due, as findings.

    ``states`` are the case's open actions if they have been worked out already.
    """
    out = []
    if states is None:
        states = open_actions(data, playbook, calendar, ahead=True)
    for state in states:
        late = state.overdue_days(today)
        if not state.action.required or late <= 0:
            continue
        what: list[str | Said] = [state.action.id]
        if state.rule is not None:
            what.append(said(N_("({rule})"), rule=state.rule))
        elif state.label:
            what.append(f"({state.label})")
        if state.ahead:
            what.append(said(N_("(for stage {stage})"), stage=state.ahead))
        out.append(
            Finding(
                path,
                0,
                0,
                "CLR302" if state.action.stage == "closed" else "CLR301",
                "error" if severity == "error" else "warning",
                pointer="/stage",
                worded=said_n(
                    Nn_(
                        "overdue by {n} day: {action}, due {due}: {text}",
                        "overdue by {n} days: {action}, due {due}: {text}",
                    ),
                    late,
                    action=Joined(" ", tuple(what)),
                    due=state.due,
                    text=state.action.words,
                ),
                hint_worded=record_said(state.action),
            )
        )
    return out


def record_said(action: Action, case_id: str = "CASE") -> Said:
    """How to mark an action as done, worded (``case_id``: the case, or CASE)."""
    due = action.due or {}
    if due.get("done_by") == closing.RECURRENCE_LIST:
        return said(
            N_("record the check: {command}"),
            command=f"clr follow-up {case_id} --date ... --method ... --not-working",
        )
    if due.get("done_by") == "visits":
        return said(
            N_("record the visit: {command}"),
            command=f"clr visit {case_id} --date ... --method ...",
        )
    if due.get("done_by") == "payments":
        return said(
            N_("record the payment: {command}"),
            command=f"clr pay {case_id} --amount ... --currency ... --payer ...",
        )
    command = f"clr tick {case_id} {action.id} --by NAME"
    if action.done_when:
        return said(
            N_("fill in {field}, or run: {command}"), field=action.done_when, command=command
        )
    return said(N_("when done, run: {command}"), command=command)


def how_to_record(action: Action) -> str:
    """Tell the user how to mark an action as done (in English)."""
    return record_said(action).english()


def recurrence_states(
    data: dict[str, Any], playbook: Playbook, calendar: Calendar
) -> list[ActionState]:
    """The next check after closure still to make, as an open action (none: all made)."""
    action = closing.recurrence_action(playbook)
    dues = closing.recurrence_dues(data, playbook, calendar.add)
    rule = playbook.closing.recurrence_checks
    if action is None or rule is None or not dues:
        return []
    made = closing.recurrences_made(data)
    if len(made) >= len(dues):
        return []
    k = len(made)
    which = said(N_("check {k} of {count}"), k=k + 1, count=len(dues))
    words = (
        said(
            N_("{check}, {when}"),
            check=which,
            when=_time(_AFTER_CLOSURE, rule.at[k], rule.unit),
        )
        if k < len(rule.at)
        else which
    )
    last = made[-1] if made else None
    return [ActionState(action, False, last, dues[k], words.english(), rule=words)]


class Blocker(Frozen, Worded):
    """Something that stops a case from moving to a stage.

    ``message`` and ``hint`` are English (the JSON of ``clr next``); ``worded`` and
    ``hint_worded``, where given, word them for a person (:attr:`text`, :attr:`hint_text`).
    """

    kind: str  # "field", "checklist", "move", "rule"
    message: str
    hint: str
    pointer: str
    worded: Said | None
    hint_worded: Said | None

    def __init__(
        self,
        kind: str,
        message: str,
        hint: str = "",
        pointer: str = "",
        worded: Said | None = None,
        hint_worded: Said | None = None,
    ) -> None:
        self.__dict__.update(
            kind=kind,
            message=message,
            hint=hint,
            pointer=pointer,
            worded=worded,
            hint_worded=hint_worded,
        )


def move_blockers(
    data: dict[str, Any],
    target: str,
    playbook: Playbook | None,
    calendar: Calendar,
    *,
    age_overrides: Any = None,
    buyer_codes: Any = None,
) -> list[Blocker]:
    """What stands between the case and ``target``: the move itself, checklist and fields.

    Closing a case also needs what the playbook's rule for its closure reason asks
    (``closure_reasons``): the stages it may close from, the stage's checklist, follow-up
    visits, fields, a note; and what its closing rules ask (``closing``: a young-worker
    plan, contact attempts, a referral, root causes…), judged against the minimum age
    worked out with ``age_overrides`` and ``buyer_codes`` (clr.yaml).
    """
    current = data.get("stage")
    if not isinstance(current, str) or current not in stages.STAGES:
        return [Blocker("move", f"the case's stage {current!r} is not a known stage")]
    if target not in stages.allowed_moves(current):
        if current == "closed":
            why = "a closed case is never reopened; open a new, linked case with clr reopen"
        elif stages.index(target) <= stages.index(current):
            why = "cases move forward only; history is never rewritten"
        else:
            why = f"cases move one stage at a time: next is {stages.next_stage(current)}"
        return [Blocker("move", f"cannot move from {current} to {target}: {why}")]
    rule = closure_rule(data, playbook) if target == "closed" else None
    stage_ok = rule is None or not rule.from_stages or current in rule.from_stages
    out: list[Blocker] = []
    if rule is not None and not stage_ok:
        out.append(_stage_blocker(data, rule, current))
    needs_checklist = target != "closed" or (rule is not None and rule.checklist)
    if playbook is not None and needs_checklist and stage_ok:
        for state in stage_states(data, playbook, calendar):
            if state.action.gate and not state.done:
                worded = said(
                    N_("checklist item {id} not done: {text}"),
                    id=state.action.id,
                    text=state.action.words,
                )
                hint = record_said(state.action, str(data.get("id", "CASE")))
                out.append(Blocker("checklist", worded.english(), hint.english(), "", worded, hint))
    if rule is not None:
        out += closure_blockers(data, rule, calendar, stage_ok=stage_ok)
    if target == "closed" and playbook is not None and stage_ok:
        minimum = closing.minimum_age(data, age_overrides, buyer_codes)
        out += [
            Blocker("rule", p.message, p.hint, p.pointer, p.worded, p.hint_worded)
            for p in closing.closure_problems(data, playbook, minimum=minimum)
            if p.blocks
        ]
    covered = tuple(b.pointer for b in out if b.pointer)
    if rule is not None and rule.follow_ups:
        covered += ("/visits",)  # the rule says more about visits than the schema
    candidate = dict(data, stage=target)
    seen: set[tuple[str, str]] = set()
    from clr.checks import schemas

    schemas.check(candidate, "", "case", skip=seen)
    for f in schemas.check(candidate, "", f"stages/{target}", stage=target, skip=seen):
        if not any(f.pointer == p or f.pointer.startswith(p + "/") for p in covered):
            out.append(Blocker("field", f.message, f.hint, f.pointer, f.worded, f.hint_worded))
    return out


def closure_rule(data: dict[str, Any], playbook: Playbook | None) -> ClosureRule | None:
    """The playbook's rule for the case's closure reason (closure.reason), if it has one."""
    closure = data.get("closure")
    reason = closure.get("reason") if isinstance(closure, dict) else None
    if playbook is None or not isinstance(reason, str):
        return None
    return playbook.closure_reasons.get(reason)


_FOUND = {
    "no_child_labour": (N_("no child labour"), "--not-working --no-hazardous-work"),
    "no_hazardous_work": (N_("no hazardous work"), "--no-hazardous-work"),
}

_AFTER = {
    "hours": Nn_("at least {n} hour after {named}", "at least {n} hours after {named}"),
    "days": Nn_("at least {n} day after {named}", "at least {n} days after {named}"),
    "working_days": Nn_(
        "at least {n} working day after {named}", "at least {n} working days after {named}"
    ),
    "weeks": Nn_("at least {n} week after {named}", "at least {n} weeks after {named}"),
    "months": Nn_("at least {n} month after {named}", "at least {n} months after {named}"),
}


def _either(names: tuple[str, ...] | list[str], joint: str) -> str | Said:
    """``a or b``, ``a and b``: several names worded (one is as it is)."""
    if len(names) == 1:
        return names[0]
    rest, last = ", ".join(names[:-1]), names[-1]
    if joint == "or":
        return said(N_("{names} or {last}"), names=rest, last=last)
    return said(N_("{names} and {last}"), names=rest, last=last)


def _rule_blocker(message: Said, hint: Said, pointer: str = "") -> Blocker:
    return Blocker("rule", message.english(), hint.english(), pointer, message, hint)


def _missing(visit: dict[str, Any], found: str) -> Said | None:
    """What a visit lacks to count as a follow-up that found ``found``; None if nothing."""
    if visit.get("hazardous_work") is True:
        return said(N_("found hazardous work"))
    if found == "no_hazardous_work":
        return (
            None
            if visit.get("hazardous_work") is False
            else said(N_("did not record hazardous_work"))
        )
    if visit.get("working") is not False and visit.get("safe_job") is not True:
        return said(N_("found the child working"))
    return None


def _stage_blocker(data: dict[str, Any], rule: ClosureRule, current: str) -> Blocker:
    allowed = _either(rule.from_stages, "or")
    return _rule_blocker(
        said(
            N_(
                "a case is closed as {reason} only from {stages}, and this one is in {stage}: "
                "{text}"
            ),
            reason=rule.reason,
            stages=allowed,
            stage=current,
            text=rule.words,
        ),
        said(
            N_(
                "carry the case on to {stages} first ({command} says what is left), or close "
                "it for a reason that fits now, such as lost_contact or refused, with --note"
            ),
            stages=allowed,
            command=f"clr next {data.get('id', 'CASE')}",
        ),
        "/stage",
    )


def closure_blockers(
    data: dict[str, Any], rule: ClosureRule, calendar: Calendar, *, stage_ok: bool = True
) -> list[Blocker]:
    """What the case lacks for its closure reason's rule: follow-up visits, fields, a note.

    Follow-ups are looked at only once the case is in a stage it may close from
    (``stage_ok``): they are counted from there.
    """
    out: list[Blocker] = []
    if rule.follow_ups and stage_ok:
        blocker = _follow_up_blocker(data, rule, calendar)
        if blocker is not None:
            out.append(blocker)
    for path in rule.fields:
        if not _present(dig(data, *path.split("."))):
            out.append(
                _rule_blocker(
                    said(
                        N_("closing as {reason} needs {field} filled in: {text}"),
                        reason=rule.reason,
                        field=path,
                        text=rule.words,
                    ),
                    said(N_("fill in {field} in the case file first"), field=path),
                    "/" + path.replace(".", "/"),
                )
            )
    closure = Case(data).closure
    if rule.needs_note and not _present(closure.get("notes")):
        out.append(
            _rule_blocker(
                said(
                    N_("closing as {reason} needs a note: {note}"),
                    reason=rule.reason,
                    note=rule.needs_note_words,
                ),
                said(
                    N_('add --note "..." saying so to the command (clr keeps it in closure.notes)')
                ),
                "/closure/notes",
            )
        )
    return out


def _follow_up_blocker(
    data: dict[str, Any], rule: ClosureRule, calendar: Calendar
) -> Blocker | None:
    calendar = calendar.for_case(data)
    follow = rule.follow_ups or {}
    times = sorted(follow["at"])
    unit, source = follow["unit"], follow["from"]
    what, flags = _FOUND.get(follow["found"], _FOUND["no_child_labour"])
    stage = str(data.get("stage"))
    named: str | Said
    if source == "stage_entered":
        start, named = stage_entered(data, stage), said(N_("the case entered {stage}"), stage=stage)
    else:
        start, named = parse_date(dig(data, *source.split("."))), source
    count = len(times)
    when: Said = (
        said(N_("on or after the day {named}"), named=named)
        if not any(times)
        else said_n(
            _AFTER[unit],
            int(times[-1]) if float(times[-1]).is_integer() else 2,
            n=_either([f"{t:g}" for t in times], "and"),
            named=named,
        )
    )
    if start is not None:
        when = said(N_("{when} ({day})"), when=when, day=start)
    need = said_n(
        Nn_(
            "closing as {reason} needs {n} follow-up visit that found {what}, {when}",
            "closing as {reason} needs {n} follow-up visits in a row that found {what}, {when}",
        ),
        count,
        reason=rule.reason,
        what=said(what),
        when=when,
    )
    record = said(
        N_("record each visit: {command}"),
        command=f"clr visit {data.get('id', 'CASE')} --date YYYY-MM-DD --method unannounced "
        + flags,
    )
    if start is None:
        return _rule_blocker(
            said(N_("{need}; {named} is not recorded"), need=need, named=named),
            said(N_("fill in {named} first"), named=named),
        )
    dated = [
        (day, v)
        for v in data.get("visits") or []
        if isinstance(v, dict) and (day := parse_date(v.get("date"))) is not None
    ]
    last = sorted(dated, key=lambda pair: pair[0])[-count:]
    if len(last) < count:
        have = said_n(Nn_("{n} visit", "{n} visits"), len(dated)) if dated else said(N_("no visit"))
        return _rule_blocker(
            said(N_("{need}; the case has {have}"), need=need, have=have), record, "/visits"
        )
    for day, visit in reversed(last):
        missing = _missing(visit, follow["found"])
        if missing is not None:
            return _rule_blocker(
                said(
                    N_("{need}; the visit of {day} {missing}"), need=need, day=day, missing=missing
                ),
                said(N_("keep following the child up; {record}"), record=record),
                "/visits",
            )
    dues = [calendar.add(start, offset, unit) for offset in times]
    for (day, _), due in zip(last, dues, strict=True):
        if day < due:
            return _rule_blocker(
                said(
                    N_("{need}; the visit of {day} came before {due}"), need=need, day=day, due=due
                ),
                said(
                    N_(
                        "keep the case in {stage} and follow the child up on or after {days}; "
                        "{record}"
                    ),
                    stage=stage,
                    days=_either([str(d) for d in dues], "and"),
                    record=record,
                ),
                "/visits",
            )
    return None
