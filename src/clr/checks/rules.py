"""Rules a JSON Schema cannot express: dates in order, history, ages and closure conditions.

Every function takes the parsed case (and what it needs to know) and returns findings
with JSON pointers; positions are added later, only for files that have findings.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from clr.i18n import N_
from clr.model import ages, hours, practice, stages
from clr.model.ages import age_at
from clr.model.case import dig
from clr.model.dates import add_months, parse_date, parse_datetime
from clr.model.findings import Finding, Said, Severity, join_pointer, pointer_to_path, said
from clr.model.record import Frozen


class RuleContext(Frozen):
    """What the rules need beyond the case itself."""

    today: dt.date
    folder: str | None
    minimum_age_overrides: Mapping[str, Mapping[str, int]]
    buyer_codes: Mapping[str, Mapping[str, int]]
    settings: Mapping[str, Mapping[str, Any]]
    """The rules of practice: defaults, the playbook's ``rules:``, clr.yaml's ``rules:``."""
    young_worker_hours: Mapping[str, Mapping[str, Any]]
    past_dates: list[dt.date] | None
    """If given, every past-fact date the rules compared with today is added to it."""

    def __init__(
        self,
        today: dt.date,
        folder: str | None = None,
        minimum_age_overrides: Mapping[str, Mapping[str, int]] | None = None,
        buyer_codes: Mapping[str, Mapping[str, int]] | None = None,
        settings: Mapping[str, Mapping[str, Any]] | None = None,
        young_worker_hours: Mapping[str, Mapping[str, Any]] | None = None,
        past_dates: list[dt.date] | None = None,
    ) -> None:
        minimum_age_overrides = minimum_age_overrides if minimum_age_overrides is not None else {}
        buyer_codes = buyer_codes if buyer_codes is not None else {}
        settings = settings if settings is not None else {}
        young_worker_hours = young_worker_hours if young_worker_hours is not None else {}
        self.__dict__.update(
            today=today,
            folder=folder,
            minimum_age_overrides=minimum_age_overrides,
            buyer_codes=buyer_codes,
            settings=settings,
            young_worker_hours=young_worker_hours,
            past_dates=past_dates,
        )


# The order in which a case's key dates must fall, with how people call them.
DATE_CHAIN: tuple[tuple[str, ...], ...] = (
    ("discovery", "date"),
    ("protection", "removed_from_work"),
    ("protection", "hazards_removed"),
    ("age_verification", "date"),
    ("assessment", "date"),
    ("plan", "date_signed"),
    ("implementation", "started"),
    ("closure", "date"),
)

# Dates that record something done: none may lie after today.
_PAST_FIELDS: tuple[tuple[str, ...], ...] = (
    ("opened",),
    *DATE_CHAIN,
    ("assessment", "family_contacted"),
    ("implementation", "enrolled", "date"),
    ("flags", "escalated", "date"),
)
_PAST_LISTS: tuple[tuple[str, str], ...] = (
    ("visits", "date"),
    ("payments", "date"),
    ("history", "at"),
    ("recurrence_checks", "date"),
)


def _finding(
    path: str,
    code: str,
    pointer: str,
    message: str | Said,
    hint: str | Said = "",
    severity: Severity = "error",
) -> Finding:
    """A finding of a rule; its message and hint worded by :func:`said`, or English only."""
    return Finding(
        path,
        0,
        0,
        code,
        severity,
        message=message if isinstance(message, str) else "",
        pointer=pointer,
        hint=hint if isinstance(hint, str) else "",
        worded=message if isinstance(message, Said) else None,
        hint_worded=hint if isinstance(hint, Said) else None,
    )


def dated_parts(data: dict[str, Any]) -> Iterator[tuple[Sequence[str | int], dt.date]]:
    """Yield (path parts, date) for every past-fact date in the case.

    The parts are made into a pointer only for the few dates that need one.
    """
    return iter(_dated_parts(data, {}, {}))


_Dated = list[tuple[int, dt.date]]
"""The dates of a list's entries: (index, date) for each entry with one."""


def _entry_dates(entries: Any, key: str) -> _Dated:
    if not isinstance(entries, list):
        return []
    out = []
    for i, entry in enumerate(entries):
        day = parse_date(entry.get(key)) if isinstance(entry, dict) else None
        if day is not None:
            out.append((i, day))
    return out


def _dated_parts(
    data: dict[str, Any],
    fields_read: dict[tuple[str, ...], dt.date | None],
    lists_read: dict[str, _Dated],
) -> list[tuple[Sequence[str | int], dt.date]]:
    """:func:`dated_parts`, with the fields and lists already read (by field, by list)."""
    out: list[tuple[Sequence[str | int], dt.date]] = []
    for fields in _PAST_FIELDS:
        day = fields_read[fields] if fields in fields_read else parse_date(dig(data, *fields))
        if day is not None:
            out.append((fields, day))
    for list_name, key in _PAST_LISTS:
        found = lists_read.get(list_name)
        if found is None:
            found = _entry_dates(data.get(list_name), key)
        out += [((list_name, i, key), day) for i, day in found]
    checklist = data.get("checklist")
    if isinstance(checklist, dict):
        for item, tick in checklist.items():
            day = parse_date(tick.get("done")) if isinstance(tick, dict) else None
            if day is not None:
                out.append((("checklist", item, "done"), day))
    consent = dig(data, "assessment", "consent")
    if isinstance(consent, dict):
        for who, purposes in consent.items():
            if isinstance(purposes, dict):
                for purpose, record in purposes.items():
                    day = parse_date(record.get("date")) if isinstance(record, dict) else None
                    if day is not None:
                        out.append((("assessment", "consent", who, purpose, "date"), day))
    return out


def check_dates(data: dict[str, Any], path: str, ctx: RuleContext) -> list[Finding]:
    """Dates in the order the process happens, and none in the future.

    Each date is read once: the process's dates, then those of the visits and payments,
    serve every test below.
    """
    out: list[Finding] = []
    previous: tuple[tuple[str, ...], dt.date] | None = None
    fields_read: dict[tuple[str, ...], dt.date | None] = {}
    for fields in DATE_CHAIN:
        day = fields_read[fields] = parse_date(dig(data, *fields))
        if day is None:
            continue
        if previous is not None and day < previous[1]:
            earlier = ".".join(previous[0])
            out.append(
                _finding(
                    path,
                    "CLR201",
                    join_pointer(fields),
                    said(
                        N_("{field} ({date}) is before {earlier} ({earlier_date})"),
                        field=".".join(fields),
                        date=day,
                        earlier=earlier,
                        earlier_date=previous[1],
                    ),
                    said(N_("the steps of a case happen in order: check both dates")),
                )
            )
        else:
            previous = (fields, day)
    lists_read = {name: _entry_dates(data.get(name), "date") for name in ("visits", "payments")}
    start = fields_read[("discovery", "date")]
    if start is not None:
        for list_name in ("visits", "payments"):
            for i, day in lists_read[list_name]:
                if day < start:
                    out.append(
                        _finding(
                            path,
                            "CLR201",
                            join_pointer([list_name, i, "date"]),
                            said(
                                N_("{field} ({date}) is before discovery.date ({start})"),
                                field=f"{list_name}[{i}].date",
                                date=day,
                                start=start,
                            ),
                        )
                    )
    closed = fields_read[("closure", "date")]
    if closed is not None:
        for list_name in ("visits", "payments"):
            for i, day in lists_read[list_name]:
                if day > closed:
                    out.append(
                        _finding(
                            path,
                            "CLR201",
                            join_pointer([list_name, i, "date"]),
                            said(
                                N_("{field} ({date}) is after closure.date ({closed})"),
                                field=f"{list_name}[{i}].date",
                                date=day,
                                closed=closed,
                            ),
                        )
                    )
    seen = ctx.past_dates
    today = ctx.today
    dated = _dated_parts(data, fields_read, lists_read)
    if seen is not None:
        seen += [day for _, day in dated]
    for parts, day in dated:
        if day > today:
            pointer = join_pointer(parts)
            out.append(
                _finding(
                    path,
                    "CLR202",
                    pointer,
                    said(
                        N_("{field} ({date}) is in the future (today is {today})"),
                        field=pointer_to_path(pointer),
                        date=day,
                        today=ctx.today,
                    ),
                    said(
                        N_(
                            "record facts once they have happened; planned dates go in "
                            "plan.follow_ups"
                        )
                    ),
                )
            )
    return out


def check_identity(data: dict[str, Any], path: str, ctx: RuleContext) -> list[Finding]:
    """The id matches the case's folder."""
    case_id = data.get("id")
    if ctx.folder is not None and isinstance(case_id, str) and case_id != ctx.folder:
        # ctx.folder is set only for cases/<folder>/case.yaml
        return [
            _finding(
                path,
                "CLR203",
                "/id",
                said(
                    N_("id {id} does not match its folder cases/{folder}/"),
                    id=case_id,
                    folder=ctx.folder,
                ),
                said(
                    N_(
                        "rename the folder to the id, or correct the id (ids never change once "
                        "given)"
                    )
                ),
            )
        ]
    return []


def check_history(data: dict[str, Any], path: str) -> list[Finding]:
    """History moves forward one stage at a time (or to closed) and ends at ``stage``.

    An entry whose ``from`` and ``to`` are the stage it follows is a note, not a move.
    """
    history = data.get("history")
    if not isinstance(history, list) or not history:
        return []
    out: list[Finding] = []
    previous_to: str | None = None
    previous_at: dt.datetime | None = None
    for i, entry in enumerate(history):
        if not isinstance(entry, dict):
            continue
        source, target = entry.get("from"), entry.get("to")
        if not isinstance(target, str) or target not in stages.STAGES:
            continue
        if i > 0 and source != previous_to:
            missing = _forward(previous_to, source)
            out.append(
                _finding(
                    path,
                    "CLR206",
                    join_pointer(["history", i, "from"]),
                    said(
                        N_(
                            "history[{index}] moves from {source}, but the entry before it ended "
                            "in "
                            "{previous}"
                        ),
                        index=i,
                        source=source,
                        previous=previous_to,
                    ),
                    _record_moves_hint(missing, before=True)
                    if missing
                    else said(
                        N_("history is appended by clr advance; restore the entries as they were")
                    ),
                )
            )
        elif i > 0 and source == target:
            pass  # a note entry (e.g. a consent override): no move
        elif not stages.is_allowed(source if isinstance(source, str) else None, target):
            why = (
                N_(
                    "history[{index}] moves from nothing to {target}: a case starts in reported or "
                    "identified"
                )
                if source is None
                else N_(
                    "history[{index}] moves from {source} to {target}: moves go forward one "
                    "stage at a time, or to closed"
                )
            )
            out.append(
                _finding(
                    path,
                    "CLR206",
                    join_pointer(["history", i, "to"]),
                    said(why, index=i, source=source or "nothing", target=target),
                    _move_hint(source, target),
                )
            )
        at = parse_datetime(entry.get("at"))
        if at is not None and previous_at is not None and at < previous_at:
            out.append(
                _finding(
                    path,
                    "CLR212",
                    join_pointer(["history", i, "at"]),
                    said(
                        N_("history[{index}].at ({at}) is earlier than the entry before it"),
                        index=i,
                        at=entry.get("at"),
                    ),
                )
            )
        previous_at = at or previous_at
        previous_to = target
    stage = data.get("stage")
    if isinstance(stage, str) and previous_to is not None and stage != previous_to:
        out.append(
            _finding(
                path,
                "CLR205",
                "/stage",
                said(
                    N_("stage is {stage} but the last history entry moves the case to {previous}"),
                    stage=stage,
                    previous=previous_to,
                ),
                said(N_("change stages with clr advance, which updates both together")),
            )
        )
    return out


def _forward(source: Any, target: Any) -> tuple[str, ...]:
    """The stages from ``source`` to a later ``target`` (both included; closing aside), else ()."""
    if source not in stages.STAGES or target not in stages.STAGES or target == "closed":
        return ()
    first, last = stages.index(source), stages.index(target)
    return stages.STAGES[first : last + 1] if last > first else ()


_RECORD_MOVES = {
    # (one move, before this entry): a msgid
    (True, True): N_(
        "record the missing move {moves} before this entry, with the time it happened; "
        "clr advance records each move this way, one stage at a time"
    ),
    (True, False): N_(
        "record the missing move {moves} in place of this entry, with the time it happened; "
        "clr advance records each move this way, one stage at a time"
    ),
    (False, True): N_(
        "record the missing moves before this entry, one entry per stage ({moves}), with "
        "the time each happened; clr advance records each move this way, one stage at a time"
    ),
    (False, False): N_(
        "record the missing moves in place of this entry, one entry per stage ({moves}), "
        "with the time each happened; clr advance records each move this way, one stage at "
        "a time"
    ),
}


def _record_moves_hint(path: tuple[str, ...], before: bool) -> Said:
    """Hint: write the moves along ``path`` into the history, one entry per stage."""
    moves = [f"{a} -> {b}" for a, b in itertools.pairwise(path)]
    return said(_RECORD_MOVES[(len(moves) == 1, before)], moves=", ".join(moves))


def _move_hint(source: Any, target: str) -> str | Said:
    """What to do about a history entry whose move is not allowed."""
    if source is None:
        return said(
            N_(
                "the first entry moves from null to reported (or identified), as clr new-case "
                "writes it"
            )
        )
    if source == "closed":
        return said(
            N_(
                "a closed case is never moved again: if the child was found working again, "
                "open a linked case with clr reopen"
            )
        )
    skipped = _forward(source, target)
    if len(skipped) > 2:
        return _record_moves_hint(skipped, before=False)
    if source not in stages.STAGES:
        return said(
            N_("'from' is {source}, not a stage: write the stage the entry before it ended in"),
            source=repr(source),
        )
    return said(
        N_(
            "a case never moves back a stage: remove this entry, or restore the entries as they "
            "were (git log -p shows them)"
        )
    )


def effective_minimum(
    data: dict[str, Any], ctx: RuleContext, work: str | None = None
) -> ages.MinimumAge | None:
    """The effective minimum age for this case's country, work and buyer, or None."""
    return ages.for_case(
        data, overrides=ctx.minimum_age_overrides, buyer_codes=ctx.buyer_codes, work=work
    )


def check_ages(data: dict[str, Any], path: str, ctx: RuleContext) -> list[Finding]:
    """The verified age fits the track, and the recorded minimum age is the effective one."""
    verification = data.get("age_verification")
    if not isinstance(verification, dict):
        return []
    out: list[Finding] = []
    minimum = effective_minimum(data, ctx)
    recorded = verification.get("minimum_age")
    if minimum is not None and isinstance(recorded, int) and recorded != minimum.age:
        out.append(
            _finding(
                path,
                "CLR208",
                "/age_verification/minimum_age",
                said(
                    N_("minimum_age is {recorded}, but the effective minimum age is {minimum}"),
                    recorded=recorded,
                    minimum=minimum.worded(),
                ),
                said(
                    N_(
                        "record the effective minimum age, or override the country's age in "
                        "clr.yaml "
                        "(minimum_ages) or the buyer's code (buyer_codes) if the table is wrong"
                    )
                ),
                "warning",
            )
        )
    decided = verification.get("minimum_age_decided_by")
    if (
        minimum is not None
        and isinstance(decided, str)
        and decided != minimum.decided_by
        and recorded == minimum.age
    ):
        out.append(
            _finding(
                path,
                "CLR208",
                "/age_verification/minimum_age_decided_by",
                said(
                    N_("minimum_age_decided_by is {decided}, but {minimum}"),
                    decided=decided,
                    minimum=minimum.worded(),
                ),
                said(N_("write minimum_age_decided_by: {who}"), who=minimum.decided_by),
                "warning",
            )
        )
    age = verification.get("verified_age")
    if verification.get("result") != "verified" or not isinstance(age, int) or minimum is None:
        return out
    if dig(data, "closure", "reason") == "adult_verified":
        return out
    track = data.get("track")
    general = minimum.age
    if track == "underage" and age >= general:
        out.append(
            _finding(
                path,
                "CLR207",
                "/age_verification/verified_age",
                said(
                    N_(
                        "verified age {age} is not below the minimum age ({minimum}), but the case "
                        "is on the underage track"
                    ),
                    age=age,
                    minimum=minimum.worded(),
                ),
                said(
                    N_(
                        "set track: young-worker (under 18: no hazardous work, no night work, "
                        "legal hours)"
                    )
                )
                if age < ADULT_AGE
                else said(N_("the worker is 18 or over: close the case as adult_verified")),
            )
        )
    elif track == "young-worker" and age < general:
        out.append(
            _finding(
                path,
                "CLR207",
                "/age_verification/verified_age",
                said(
                    N_(
                        "verified age {age} is below the minimum age ({minimum}): the child must "
                        "stop all work, on the underage track"
                    ),
                    age=age,
                    minimum=minimum.worded(),
                ),
                said(N_("set track: underage and make sure the child is removed from all work")),
            )
        )
    elif track == "young-worker" and age >= 18:
        out.append(
            _finding(
                path,
                "CLR207",
                "/age_verification/verified_age",
                said(N_("verified age {age} is 18 or over: not a child"), age=age),
                said(N_("close the case as adult_verified")),
            )
        )
    return out


def check_closure(data: dict[str, Any], path: str, ctx: RuleContext) -> list[Finding]:
    """The closure reason's own conditions hold."""
    closure = data.get("closure")
    if not isinstance(closure, dict):
        return []
    reason = closure.get("reason")
    closed = parse_date(closure.get("date"))
    if closed is None:
        return []
    out: list[Finding] = []
    pointer = "/closure/reason"
    erased = isinstance(data.get("privacy"), dict) and data["privacy"].get("erased") is not None
    # An erased case keeps an age band, not the birth date: the age was checked at closure.
    if reason in ("reached_min_age", "aged_out") and not erased:
        needed = 18
        if reason == "reached_min_age":
            minimum = effective_minimum(data, ctx)
            needed = minimum.age if minimum is not None else 15
        age = age_at(data, closed)
        if age is not None and age < needed:
            out.append(
                _finding(
                    path,
                    "CLR209",
                    pointer,
                    said(
                        N_(
                            "closure reason {reason} needs the child to be {needed} on {closed}, "
                            "but the child may be only {age}"
                        ),
                        reason=reason,
                        needed=needed,
                        closed=closed,
                        age=age,
                    ),
                    said(N_("check the birth date, or keep the case open until then")),
                )
            )
    if reason == "reached_min_age":
        start = parse_date(dig(data, "plan", "date_signed")) or parse_date(data.get("opened"))
        if start is not None and closed < add_months(start, 6):
            out.append(
                _finding(
                    path,
                    "CLR209",
                    pointer,
                    said(
                        N_(
                            "closure reason reached_min_age needs at least 6 months in the "
                            "programme; the plan started {start} and the case closes {closed}"
                        ),
                        start=start,
                        closed=closed,
                    ),
                    said(N_("keep the case in monitoring until six months have passed")),
                )
            )
    if reason == "no_longer_in_CL":
        visits = [v for v in data.get("visits") or [] if isinstance(v, dict)]
        last_two = visits[-2:]
        if len(last_two) == 2 and any(
            (v.get("working") is not False and v.get("safe_job") is not True)
            or v.get("hazardous_work") is True
            for v in last_two
        ):
            out.append(
                _finding(
                    path,
                    "CLR209",
                    pointer,
                    said(
                        N_(
                            "closure reason no_longer_in_CL needs no child labour at the last two "
                            "follow-up visits"
                        )
                    ),
                    said(N_("record two consecutive visits with working: false before closing")),
                )
            )
    if reason == "adult_verified":
        minimum = effective_minimum(data, ctx)
        age = dig(data, "age_verification", "verified_age")
        if minimum is not None and isinstance(age, int) and age < minimum.age:
            out.append(
                _finding(
                    path,
                    "CLR209",
                    pointer,
                    said(
                        N_(
                            "closure reason adult_verified, but the verified age {age} is below "
                            "the minimum age ({minimum})"
                        ),
                        age=age,
                        minimum=minimum.worded(),
                    ),
                    said(N_("this child is underage: keep the case open on the underage track")),
                )
            )
        elif isinstance(age, int) and age < ADULT_AGE:
            out.append(
                _finding(
                    path,
                    "CLR209",
                    pointer,
                    said(
                        N_(
                            "closure reason adult_verified, but the verified age {age} is under "
                            "{adult}: a young worker, not an adult"
                        ),
                        age=age,
                        adult=ADULT_AGE,
                    ),
                    said(
                        N_(
                            "keep the case open on the young-worker track (no hazardous work, no "
                            "night "
                            "work, legal hours); close as adult_verified only at 18 or over"
                        )
                    ),
                )
            )
    if reason == "duplicate" and closure.get("duplicate_of") == data.get("id"):
        out.append(
            _finding(
                path,
                "CLR209",
                "/closure/duplicate_of",
                said(N_("a case cannot duplicate itself")),
                said(N_("name the other case's id")),
            )
        )
    return out


def check_money(data: dict[str, Any], path: str) -> list[Finding]:
    """The cost split adds up to 100 %, and the stipend is not below the lost wage."""
    out: list[Finding] = []
    split = dig(data, "plan", "cost_split")
    if (
        isinstance(split, dict)
        and split
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in split.values())
    ):
        total = sum(split.values())
        if abs(total - 100) > 0.01:
            out.append(
                _finding(
                    path,
                    "CLR210",
                    "/plan/cost_split",
                    said(N_("plan.cost_split adds up to {total} %, not 100 %"), total=f"{total:g}"),
                    said(N_("give each party's share in percent so that they add up to 100")),
                )
            )
    stipend = dig(data, "plan", "stipend")
    if isinstance(stipend, dict):
        lost = stipend.get("lost_wage")
        amount = stipend.get("amount")
        if (
            isinstance(lost, dict)
            and isinstance(amount, int | float)
            and isinstance(lost.get("amount"), int | float)
            and lost.get("currency") == stipend.get("currency")
            and amount < lost["amount"]
        ):
            frequency = stipend.get("frequency")
            per = f" {frequency}" if isinstance(frequency, str) else ""
            out.append(
                _finding(
                    path,
                    "CLR214",
                    "/plan/stipend/amount",
                    said(
                        N_(
                            "the stipend ({stipend}) is below the child's lost wage ({wage}): a "
                            "top reason families drop out of remediation"
                        ),
                        stipend=f"{_number(amount)} {stipend.get('currency')}{per}",
                        wage=f"{_number(lost['amount'])} {lost.get('currency')}{per}",
                    ),
                    said(
                        N_(
                            "raise the stipend to at least the lost wage, or record why not in "
                            "plan notes"
                        )
                    ),
                    "warning",
                )
            )
    return out


def _number(value: float) -> str:
    """An amount as people write it: 7500, 1500000, 12.5 (never 1.5e+06)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value) if isinstance(value, int) else f"{value:f}".rstrip("0").rstrip(".")


# --- closing: checks after closure, and what "adult" means ------------------------------

ADULT_AGE = 18
"""From 18 a worker is not a child (C138 Art. 3, C182 Art. 2): adult_verified needs it."""


def check_recurrence_dates(data: dict[str, Any], path: str) -> list[Finding]:
    """Checks after closure come on or after the closure date (CLR201)."""
    closed = parse_date(dig(data, "closure", "date"))
    checks = data.get("recurrence_checks")
    if closed is None or not isinstance(checks, list):
        return []
    out = []
    for i, check in enumerate(checks):
        day = parse_date(check.get("date")) if isinstance(check, dict) else None
        if day is not None and day < closed:
            out.append(
                _finding(
                    path,
                    "CLR201",
                    join_pointer(["recurrence_checks", i, "date"]),
                    said(
                        N_("{field} ({date}) is before closure.date ({closed})"),
                        field=f"recurrence_checks[{i}].date",
                        date=day,
                        closed=closed,
                    ),
                    said(
                        N_(
                            "a check after closure comes after the case closed; a visit before it "
                            "goes in visits (clr visit)"
                        )
                    ),
                )
            )
    return out


def check_case(data: dict[str, Any], path: str, ctx: RuleContext) -> list[Finding]:
    """Run every rule on one case."""
    return [
        *check_identity(data, path, ctx),
        *check_dates(data, path, ctx),
        *check_history(data, path),
        *check_ages(data, path, ctx),
        *check_closure(data, path, ctx),
        *check_money(data, path),
        *check_interview(data, path, ctx),
        *check_young_worker(data, path, ctx),
        *check_recurrence_dates(data, path),
    ]


# --- Rules of practice: interview safeguards and the young-worker track (CLR240-CLR244) ---
# Each rule's value and severity come from ``ctx.settings`` (clr.model.practice: the
# defaults, the playbook's ``rules:`` with their sources, then clr.yaml's ``rules:``).


def _practice_finding(
    ctx: RuleContext,
    rule: str,
    path: str,
    code: str,
    pointer: str,
    message: str | Said,
    hint: str | Said,
) -> list[Finding]:
    level = practice.severity(ctx.settings, rule)
    if level == "off":
        return []
    shown: Severity = "error" if level == "error" else "warning"
    return [_finding(path, code, pointer, message, hint, shown)]


def check_interview(data: dict[str, Any], path: str, ctx: RuleContext) -> list[Finding]:
    """Two adults at the interview with the child, and a woman for a girl (STC-DK)."""
    interview = dig(data, "assessment", "interview")
    if not isinstance(interview, dict):
        return []
    out: list[Finding] = []
    needed = practice.value(ctx.settings, "interview_adults")
    adults = interview.get("adults_present")
    if isinstance(needed, int) and needed > 0:
        if not isinstance(adults, int):
            out += _practice_finding(
                ctx,
                "interview_adults",
                path,
                "CLR240",
                "/assessment/interview",
                said(
                    N_(
                        "the interview does not record how many adults were present (at least "
                        "{needed} must be)"
                    ),
                    needed=needed,
                ),
                said(N_("record {field}"), field="assessment.interview.adults_present"),
            )
        elif adults < needed:
            out += _practice_finding(
                ctx,
                "interview_adults",
                path,
                "CLR240",
                "/assessment/interview/adults_present",
                said(
                    N_(
                        "{count} adult at the interview with the child: at least {needed} must "
                        "be present"
                    ),
                    count=adults,
                    needed=needed,
                )
                if adults == 1
                else said(
                    N_(
                        "{count} adults at the interview with the child: at least {needed} "
                        "must be present"
                    ),
                    count=adults,
                    needed=needed,
                ),
                said(
                    N_(
                        "interview the child again with two adults present, or record why not "
                        "in assessment.notes"
                    )
                ),
            )
    woman = interview.get("woman_present")
    if (
        practice.value(ctx.settings, "interview_woman_for_girl") is True
        and dig(data, "child", "sex") == "female"
        and woman is not True
    ):
        out += _practice_finding(
            ctx,
            "interview_woman_for_girl",
            path,
            "CLR241",
            "/assessment/interview/woman_present" if woman is not None else "/assessment/interview",
            said(N_("the child is a girl and no woman was present at her interview"))
            if woman is False
            else said(
                N_(
                    "the child is a girl and it is not recorded that a woman was present at "
                    "her interview"
                )
            ),
            said(
                N_(
                    "a woman must be present when a girl is interviewed: record {field} once "
                    "one was"
                ),
                field="assessment.interview.woman_present: true",
            ),
        )
    return out


def _hours_fields(data: dict[str, Any]) -> Iterator[tuple[str, str, float]]:
    """(pointer, what, value) for each weekly or daily hours a young worker's new job has."""
    weekly = (
        ("/protection/new_hours_per_week", "protection.new_hours_per_week"),
        ("/plan/safe_job/hours_per_week", "plan.safe_job.hours_per_week"),
    )
    for pointer, what in weekly:
        value = dig(data, *what.split("."))
        if isinstance(value, int | float) and not isinstance(value, bool):
            yield pointer, what, float(value)


def check_young_worker(data: dict[str, Any], path: str, ctx: RuleContext) -> list[Finding]:
    """A young worker's new hours keep within the law, with no night work (CCR, ILO C1, C90)."""
    if data.get("track") != "young-worker":
        return []
    country = dig(data, "site", "country")
    legal = hours.legal_hours(country if isinstance(country, str) else None, ctx.young_worker_hours)
    hint = said(
        N_(
            "cut the hours to the legal limit, or correct the country's hours in clr.yaml "
            "(young_worker_hours) if the table is wrong"
        )
    )
    out: list[Finding] = []
    for pointer, what, value in _hours_fields(data):
        if value > legal.hours_per_week:
            out += _practice_finding(
                ctx,
                "young_worker_hours",
                path,
                "CLR242",
                pointer,
                said(
                    N_("{field} is {value}, over the legal hours: {legal}"),
                    field=what,
                    value=f"{value:g}",
                    legal=legal.explain(),
                ),
                hint,
            )
    job = dig(data, "plan", "safe_job")
    job = job if isinstance(job, dict) else {}
    day = job.get("hours_per_day")
    if legal.hours_per_day and isinstance(day, int | float) and day > legal.hours_per_day:
        out += _practice_finding(
            ctx,
            "young_worker_hours",
            path,
            "CLR242",
            "/plan/safe_job/hours_per_day",
            said(
                N_("{field} is {value}, over the legal hours: {legal}"),
                field="plan.safe_job.hours_per_day",
                value=f"{day:g}",
                legal=legal.explain(),
            ),
            hint,
        )
    if job.get("night_work") is True:
        out += _practice_finding(
            ctx,
            "young_worker_night_work",
            path,
            "CLR243",
            "/plan/safe_job/night_work",
            said(
                N_("the young worker's safe job has night work: no one under 18 may work at night")
            ),
            said(
                N_("move the young worker to a day shift and record {field}"),
                field="plan.safe_job.night_work: false",
            ),
        )
    elif hours.overlaps_night(job.get("shift"), legal.night):
        out += _practice_finding(
            ctx,
            "young_worker_night_work",
            path,
            "CLR243",
            "/plan/safe_job/shift",
            said(
                N_("the safe job's shift {shift} reaches into the night: {legal}"),
                shift=job.get("shift"),
                legal=legal.explain(),
            ),
            said(N_("move the shift out of the night hours")),
        )
    out += _visits_outside_safe_job(data, path, ctx)
    return out


def _visits_outside_safe_job(data: dict[str, Any], path: str, ctx: RuleContext) -> list[Finding]:
    """The last visit found the young worker outside the agreed safe job (CLR244)."""
    visits = [v for v in data.get("visits") or [] if isinstance(v, dict)]
    if not visits or visits[-1].get("safe_job") is not False:
        return []
    last = len(visits) - 1
    return _practice_finding(
        ctx,
        "safe_job_visits",
        path,
        "CLR244",
        f"/visits/{last}/safe_job",
        said(
            N_("the visit of {date} found the young worker outside the agreed safe job"),
            date=visits[-1].get("date"),
        ),
        said(N_("protect the young worker again as at the protected stage, and tell the buyer")),
    )
