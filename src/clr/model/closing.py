"""Closing a case and what follows it: the playbook's ``closing`` rules, as plain data.

What closing for a reason takes beyond ``closure_reasons`` (a young-worker plan at the
minimum age, contact attempts, who refused, a referral and a re-hire check for a child
under the minimum age, who continues running payments, root causes), and the checks
after closure that the child has not gone back to work. ``clr advance --to closed`` is
blocked by these problems; ``clr validate`` reports them on closed cases as warnings (a
case closed before a rule existed stays readable); the checks after closure are the
deadlines of a closed case in every view of due actions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from clr.i18n import N_, Nn_
from clr.model import ages
from clr.model.case import dig
from clr.model.dates import age_on, parse_date
from clr.model.findings import Finding, Joined, Said, said, said_n
from clr.model.playbook import CLOSING_RULES, Action, Playbook
from clr.model.record import Frozen

RECURRENCE_LIST = "recurrence_checks"
"""The case's list of checks after closure (appended by clr follow-up)."""

FEE_COMPONENTS = (
    "stipend",
    "school",
    "non_formal_education",
    "bridging_course",
    "vocational_training",
    "apprenticeship",
)
"""Plan components that are payments or fees running until their ``end``."""


class Problem(Frozen):
    """One thing a closure lacks: a finding for clr validate, a blocker for the move.

    Given as words (:func:`said`): ``worded`` and ``hint_worded`` word the message and the
    hint for a person in the language in force; :attr:`message` and :attr:`hint` are their
    English (what the machine formats print).
    """

    code: str
    pointer: str
    worded: Said
    hint_worded: Said
    blocks: bool

    def __init__(
        self, code: str, pointer: str, worded: Said, hint_worded: Said, blocks: bool = True
    ) -> None:
        self.__dict__.update(
            code=code, pointer=pointer, worded=worded, hint_worded=hint_worded, blocks=blocks
        )

    @property
    def message(self) -> str:
        """The message in English."""
        return self.worded.english()

    @property
    def hint(self) -> str:
        """The hint in English."""
        return self.hint_worded.english()


def child_age_on(data: dict[str, Any], day: dt.date) -> int | None:
    """The child's lowest possible age on ``day``: birth date, verified or estimated age."""
    age = ages.age_at(data, day)
    if age is not None:
        return age
    estimated = dig(data, "child", "estimated_age")
    found = parse_date(dig(data, "discovery", "date")) or parse_date(data.get("opened"))
    if isinstance(estimated, int) and found is not None:
        return estimated + max(0, age_on(found, day))
    return None


def minimum_age(
    data: dict[str, Any],
    overrides: Any = None,
    buyer_codes: Any = None,
) -> int | None:
    """The effective general minimum age for the case (country, clr.yaml, buyer code)."""
    found = ages.for_case(data, overrides=overrides or {}, buyer_codes=buyer_codes or {})
    return found.age if found is not None else None


def _closed_on(data: dict[str, Any], today: dt.date | None) -> dt.date | None:
    return parse_date(dig(data, "closure", "date")) or today


def _sources(rule: Any) -> str:
    return f" [{', '.join(rule.sources)}]" if rule.sources else ""


def closure_problems(
    data: dict[str, Any],
    book: Playbook,
    *,
    minimum: int | None,
    today: dt.date | None = None,
) -> list[Problem]:
    """What the case's closure lacks under the playbook's closing rules (``closing``).

    ``minimum`` is the effective minimum age for the case (None: unknown). A child whose
    age is not known is taken to be under it, as the protected stage treats a
    young-looking worker.
    """
    closure = dig(data, "closure")
    if not isinstance(closure, dict):
        return []
    reason = closure.get("reason")
    day = _closed_on(data, today)
    if not isinstance(reason, str) or day is None:
        return []
    rules = book.closing
    case_id = str(data.get("id", "CASE"))
    age = child_age_on(data, day)
    out: list[Problem] = []
    handover = rules.young_worker_handover
    if (
        reason == "reached_min_age"
        and handover is not None
        and (age is None or age < rules.adult_age)
        and not closure.get("young_worker_plan")
        and not closure.get("continued_in")
    ):
        who = (
            said(N_("the child is {age}"), age=age)
            if age is not None
            else said(N_("the child's age is not known"))
        )
        out.append(
            Problem(
                "CLR220",
                "/closure/young_worker_plan",
                said(
                    N_("closing as reached_min_age, but {who}, under {adult_age}: {text}{sources}"),
                    who=who,
                    adult_age=rules.adult_age,
                    text=handover.words,
                    sources=_sources(handover),
                ),
                said(
                    N_(
                        'record the plan: --young-worker-plan "job, hours, no night work, who '
                        'checks" (or keep the case open on the young-worker track: {command})'
                    ),
                    command=f"clr set {case_id} track=young-worker",
                ),
            )
        )
    attempts = rules.contact_attempts
    if attempts is not None and reason in attempts.reasons:
        problem = _attempts_problem(closure, attempts, reason)
        if problem is not None:
            out.append(problem)
    if reason == "refused" and rules.refusal is not None and not closure.get("refused_by"):
        out.append(
            Problem(
                "CLR222",
                "/closure/refused_by",
                said(
                    N_("closing as refused needs who refused: {text}{sources}"),
                    text=rules.refusal.words,
                    sources=_sources(rules.refusal),
                ),
                said(N_("add --refused-by family, child or both")),
            )
        )
    referral = rules.protection_referral
    under = age is None or minimum is None or age < minimum
    if referral is not None and reason in referral.reasons and under:
        out += _referral_problems(closure, referral, reason, age, minimum)
    commitments = running_commitments(data, day)
    if (
        commitments
        and rules.running_commitments is not None
        and not closure.get("commitments_continued_by")
    ):
        out.append(
            Problem(
                "CLR225",
                "/closure/commitments_continued_by",
                said(
                    N_("closing on {day} with {commitments}: {text}{sources}"),
                    day=day,
                    commitments=Joined(", ", tuple(commitments)),
                    text=rules.running_commitments.words,
                    sources=_sources(rules.running_commitments),
                ),
                said(N_('--commitments-continued-by "who pays, until when"')),
            )
        )
    causes = rules.root_causes
    if (
        causes is not None
        and (not causes.reasons or reason in causes.reasons)
        and not [c for c in data.get("root_causes") or [] if isinstance(c, str)]
        and not closure.get("root_causes_waived")
    ):
        found = corrective_causes(data)
        out.append(
            Problem(
                "CLR226",
                "/root_causes",
                said(
                    N_(
                        "closing as {reason} with no root cause recorded (step {step}): "
                        "{text}{sources}"
                    )
                    if causes.step
                    else N_("closing as {reason} with no root cause recorded: {text}{sources}"),
                    reason=reason,
                    step=causes.step,
                    text=causes.words,
                    sources=_sources(causes),
                ),
                said(
                    N_(
                        "add --root-cause CAUSE (once per cause; the corrective actions name "
                        '{causes}; or --root-causes-waived "why")'
                    ),
                    causes=", ".join(found),
                )
                if found
                else said(
                    N_('add --root-cause CAUSE (once per cause; or --root-causes-waived "why")')
                ),
                blocks=causes.blocks_closing,
            )
        )
    return out


def _attempts_problem(closure: dict[str, Any], rule: Any, reason: str) -> Problem | None:
    days = sorted(
        d
        for d in (
            parse_date(a.get("date"))
            for a in closure.get("contact_attempts") or []
            if isinstance(a, dict)
        )
        if d is not None
    )
    enough = len(days) >= rule.at_least
    spread = (days[-1] - days[0]).days if days else 0
    if enough and spread >= rule.over_days:
        return None
    have: Said = (
        said_n(Nn_("{n} attempt", "{n} attempts"), len(days)) if days else said(N_("no attempt"))
    )
    if days and enough:
        have = said(
            N_("{attempts} over {days}"),
            attempts=have,
            days=said_n(Nn_("{n} day", "{n} days"), spread),
        )
    return Problem(
        "CLR221",
        "/closure/contact_attempts",
        said(
            N_(
                "closing as {reason} needs {attempts} {days}; the case records {have}: "
                "{text}{sources}"
            ),
            reason=reason,
            attempts=said_n(
                Nn_("at least {n} contact attempt", "at least {n} contact attempts"),
                rule.at_least,
            ),
            days=said_n(Nn_("over at least {n} day", "over at least {n} days"), rule.over_days),
            have=have,
            text=rule.words,
            sources=_sources(rule),
        ),
        said(
            N_(
                "record each attempt: --contact-attempt YYYY-MM-DD:METHOD (home_visit, phone, "
                "message, letter, through_supplier, through_community, through_school, other)"
            )
        ),
    )


def _referral_problems(
    closure: dict[str, Any], rule: Any, reason: str, age: int | None, minimum: int | None
) -> list[Problem]:
    who = (
        said(N_("the child ({age}) is under the minimum age ({minimum})"), age=age, minimum=minimum)
        if age is not None and minimum is not None
        else said(
            N_("the child's age or the minimum age is not known, so the child counts as under it")
        )
    )
    out: list[Problem] = []
    if not isinstance(closure.get("referral"), dict) and not closure.get("no_referral_reason"):
        out.append(
            Problem(
                "CLR223",
                "/closure/referral",
                said(
                    N_("closing as {reason}, but {who}: {text}{sources}"),
                    reason=reason,
                    who=who,
                    text=rule.words,
                    sources=_sources(rule),
                ),
                said(
                    N_(
                        "add --referral-to child_protection (or labour_inspectorate, police, "
                        "social_services, other) --referral-date YYYY-MM-DD, or "
                        '--no-referral-reason "why"'
                    )
                ),
            )
        )
    check = closure.get("rehire_check")
    if not isinstance(check, dict):
        out.append(
            Problem(
                "CLR224",
                "/closure/rehire_check",
                said(
                    N_(
                        "closing as {reason}, but {who}: check that the supplier has not "
                        "re-hired the child{sources}"
                    ),
                    reason=reason,
                    who=who,
                    sources=_sources(rule),
                ),
                said(
                    N_(
                        "check the supplier's personnel files and payroll, then add "
                        "--rehire-check YYYY-MM-DD --not-rehired"
                    )
                ),
            )
        )
    elif check.get("rehired") is True:
        out.append(
            Problem(
                "CLR224",
                "/closure/rehire_check/rehired",
                said(
                    N_(
                        "the supplier re-hired the child ({date}): the child is working again, "
                        "under the minimum age"
                    ),
                    date=check.get("date"),
                ),
                said(
                    N_("do not close the case: protect the child again, as at the protected stage")
                ),
            )
        )
    return out


_PLANNED_UNTIL = {
    "stipend": N_("stipend planned until {day}"),
    "school": N_("school planned until {day}"),
    "non_formal_education": N_("non formal education planned until {day}"),
    "bridging_course": N_("bridging course planned until {day}"),
    "vocational_training": N_("vocational training planned until {day}"),
    "apprenticeship": N_("apprenticeship planned until {day}"),
}
"""A plan component running past closure, in words, by its type (``FEE_COMPONENTS``)."""


def running_commitments(data: dict[str, Any], day: dt.date) -> list[Said]:
    """Payments or fees the plan runs past ``day``, in words (e.g. "a stipend until …")."""
    out: list[Said] = []
    until = parse_date(dig(data, "plan", "stipend", "until"))
    if until is not None and until > day:
        out.append(said(N_("a stipend planned until {day}"), day=until))
    components = dig(data, "plan", "components")
    for item in components if isinstance(components, list) else []:
        if not isinstance(item, dict) or item.get("type") not in FEE_COMPONENTS:
            continue
        end = parse_date(item.get("end"))
        if end is not None and end > day and not (item.get("type") == "stipend" and until):
            out.append(said(_PLANNED_UNTIL[str(item.get("type"))], day=end))
    return out


def corrective_causes(data: dict[str, Any]) -> list[str]:
    """The causes named by the corrective actions at the supplier, in order, once each."""
    actions = dig(data, "implementation", "corrective_actions")
    found: list[str] = []
    for action in actions if isinstance(actions, list) else []:
        cause = action.get("cause") if isinstance(action, dict) else None
        if isinstance(cause, str) and cause not in found:
            found.append(cause)
    return found


def root_cause_problems(data: dict[str, Any]) -> list[Problem]:
    """Causes of corrective actions missing from ``root_causes`` (CLR227), any stage."""
    recorded = {c for c in data.get("root_causes") or [] if isinstance(c, str)}
    missing = [c for c in corrective_causes(data) if c not in recorded]
    if not missing:
        return []
    return [
        Problem(
            "CLR227",
            "/root_causes",
            said(
                N_(
                    "the corrective actions at the supplier name {causes}, which root_causes "
                    "does not list: figures and exports of root causes read root_causes"
                ),
                causes=", ".join(missing),
            ),
            said(
                N_("add them: {command}"),
                command="clr set "
                + str(data.get("id", "CASE"))
                + "".join(f" root_causes+={c}" for c in missing),
            ),
            blocks=False,
        )
    ]


def found_working_problems(data: dict[str, Any]) -> list[Problem]:
    """A check after closure found the child working, and no linked case follows (CLR228)."""
    if data.get("stage") != "closed" or data.get("reopened_as"):
        return []
    checks = data.get(RECURRENCE_LIST)
    for i, check in enumerate(checks if isinstance(checks, list) else []):
        if isinstance(check, dict) and (check.get("working") is True or check.get("rehired")):
            found = (
                N_(
                    "the check after closure of {date} found the child working, and no linked "
                    "case follows it up"
                )
                if check.get("working") is True
                else N_(
                    "the check after closure of {date} found the child re-hired by the "
                    "supplier, and no linked case follows it up"
                )
            )
            return [
                Problem(
                    "CLR228",
                    f"/{RECURRENCE_LIST}/{i}",
                    said(found, date=check.get("date")),
                    said(
                        N_("open a linked case: {command}"),
                        command=f"clr reopen {data.get('id', 'CASE')} --by NAME",
                    ),
                    blocks=False,
                )
            ]
    return []


def closing_findings(
    data: dict[str, Any],
    path: str,
    book: Playbook,
    *,
    age_overrides: Any = None,
    buyer_codes: Any = None,
) -> list[Finding]:
    """The closing rules' problems as findings for clr validate, all warnings.

    A closed case is never refused for them: a case closed before a rule existed stays
    readable (the closing move itself is blocked by them, see ``workflow.move_blockers``).
    """
    problems = [*root_cause_problems(data), *found_working_problems(data)]
    if data.get("stage") == "closed":
        minimum = minimum_age(data, age_overrides, buyer_codes)
        problems = [*closure_problems(data, book, minimum=minimum), *problems]
    return [
        Finding(
            path,
            0,
            0,
            p.code,
            "warning",
            message=p.message,
            pointer=p.pointer,
            hint=p.hint,
            worded=p.worded,
            hint_worded=p.hint_worded,
        )
        for p in problems
    ]


# --- checks after closure: deadlines of a closed case ------------------------------------


def recurrence_action(book: Playbook) -> Action | None:
    """The checks after closure as an action of the closed stage (None: no such rule)."""
    rule = book.closing.recurrence_checks
    if rule is None:
        return None
    return Action(
        id=rule.id,
        text=rule.text,
        stage="closed",
        roles=rule.roles,
        required=True,
        due={"at": list(rule.at), "unit": rule.unit, "from": "closure.date",
             "done_by": RECURRENCE_LIST},
        sources=rule.sources,
        note=rule.note,
        english=rule.english,
        texts=rule.texts,
    )  # fmt: skip


def recurrence_dues(
    data: dict[str, Any], book: Playbook, add: Callable[[dt.date, float, str], dt.date]
) -> list[dt.date]:
    """When each check after closure is due (``closure.recurrence_check`` moves the first).

    ``add`` counts a time from a day (the repository calendar's ``add``).
    """
    rule = book.closing.recurrence_checks
    closure = data.get("closure")
    if rule is None or not isinstance(closure, dict):
        return []
    if closure.get("reason") not in rule.reasons:
        return []
    closed = parse_date(closure.get("date"))
    if closed is None:
        return []
    dues = [add(closed, t, rule.unit) for t in rule.at]
    first = parse_date(closure.get("recurrence_check"))
    if first is not None and first >= closed and dues:
        dues[0] = first
    return sorted(dues)


def recurrences_made(data: dict[str, Any]) -> list[dt.date]:
    """The days of the checks after closure made so far, on or after the closure date."""
    closed = parse_date(dig(data, "closure", "date"))
    entries = data.get(RECURRENCE_LIST)
    return sorted(
        d
        for d in (
            parse_date(e.get("date"))
            for e in (entries if isinstance(entries, list) else [])
            if isinstance(e, dict)
        )
        if d is not None and closed is not None and d >= closed
    )


def rules_in_words(book: Playbook) -> list[tuple[str, str, tuple[str, ...], str]]:
    """The playbook's closing rules as (name, text, sources, note), for clr playbook show."""
    rules = book.closing
    out: list[tuple[str, str, tuple[str, ...], str]] = []
    for name in CLOSING_RULES:
        rule = getattr(rules, name)
        if rule is not None:
            out.append((name, rule.text, rule.sources, rule.note))
    return out
