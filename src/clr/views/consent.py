"""Consent as a rule: who may see what of a case, and what the guardian agreed to.

Audiences (DOMAIN: need to know):

* ``caseworker``: your own team. Everything a report or export holds; no consent needed
  (the identity file is still never read).
* ``supplier``: the actions and payments the supplier owes, no family details. Needs the
  guardian's consent ``share_with_supplier``.
* ``buyer``: pseudonymous case id, stage, dates, costs and outcomes. Needs the guardian's
  consent ``share_with_buyer``.
* ``investor``: aggregates only, groups of fewer than five cases suppressed; never a
  single case.

Consent is recorded per purpose at ``assessment.consent.guardian.<purpose>`` with
``given`` and ``date``, and the child's at ``assessment.consent.child.<purpose>``: from the
playbook's ``child_consent_age`` (16 by default) the child's own consent is needed too;
below it the child's assent is recorded, and a child's refusal blocks sharing. Sharing
without it is refused unless the user overrides it with a reason, which is recorded in the
case's history as a note entry (``from`` and ``to`` both the current stage) before
anything is shared.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clr.errors import ClrError, MissingInput
from clr.i18n import N_
from clr.model import ages
from clr.model.case import dig
from clr.model.dates import parse_date, partial_bounds
from clr.model.findings import said
from clr.model.vocabulary import AUDIENCES

__all__ = ["AUDIENCES"]  # the audiences are listed in clr.model.vocabulary

PURPOSES = (
    "services",
    "share_with_buyer",
    "share_with_supplier",
    "share_with_authorities",
    "research",
)
PURPOSE_OF = {"buyer": "share_with_buyer", "supplier": "share_with_supplier"}
"""The guardian's consent each audience needs (the others need none)."""

CHILD_CONSENT_AGE = 16
"""Default age from which the child's own consent is needed (playbook rule child_consent_age)."""

MIN_GROUP = 5
"""Smallest group shown to an investor: smaller counts are suppressed."""

OVERRIDE_PREFIX = "consent override"


def needed(audience: str) -> str | None:
    """The consent purpose sharing with ``audience`` needs, or None."""
    return PURPOSE_OF.get(audience)


def consent_problem(
    data: dict[str, Any], purpose: str, today: dt.date, consent_age: int = CHILD_CONSENT_AGE
) -> str | None:
    """Why the guardian's consent, or the child's, does not cover ``purpose`` (None if both do).

    From ``consent_age`` (the playbook's rule child_consent_age, 16 by default) the child's
    own consent is needed as well as the guardian's; below it the child's assent is
    recorded, and a child who refused it is not overruled by the guardian's consent.
    """
    problem = _guardian_problem(data, purpose, today)
    return problem if problem is not None else _child_problem(data, purpose, today, consent_age)


def child_age(data: dict[str, Any], today: dt.date) -> int | None:
    """The child's age today: from the birth date or verified age, else the estimate."""
    age = ages.age_at(data, today)
    estimated = dig(data, "child", "estimated_age")
    if age is None and isinstance(estimated, int) and not isinstance(estimated, bool):
        return estimated
    return age


def _child_problem(
    data: dict[str, Any], purpose: str, today: dt.date, consent_age: int
) -> str | None:
    age = child_age(data, today)
    own = age is not None and age >= consent_age
    word = "consent" if own else "assent"
    record = dig(data, "assessment", "consent", "child", purpose)
    given = record.get("given") if isinstance(record, dict) else None
    day = parse_date(record.get("date")) if isinstance(record, dict) else None
    if given is False:
        return f"the child refused {word} to {purpose}" + (f" on {day}" if day else "")
    if not own:
        return None  # the guardian's consent decides; the child did not object
    if given is not True:
        return (
            f"the child is {age}: from {consent_age} the child's own consent to {purpose} "
            "is needed as well as the guardian's, and it is not recorded as given"
        )
    if day is None:
        return f"the child's consent to {purpose} has no date"
    if day > today:
        return f"the child's consent to {purpose} is dated {day}, after {today}"
    return None


def _guardian_problem(data: dict[str, Any], purpose: str, today: dt.date) -> str | None:
    record = dig(data, "assessment", "consent", "guardian", purpose)
    if not isinstance(record, dict):
        return f"the guardian's consent to {purpose} is not recorded"
    given = record.get("given")
    day = parse_date(record.get("date"))
    if given is False:
        return f"the guardian refused consent to {purpose}" + (f" on {day}" if day else "")
    if given is not True:
        return f"the guardian's consent to {purpose} is not recorded as given"
    if day is None:
        return f"the guardian's consent to {purpose} has no date"
    if day > today:
        return f"the guardian's consent to {purpose} is dated {day}, after {today}"
    return None


def covers(
    data: dict[str, Any], audience: str, today: dt.date, consent_age: int = CHILD_CONSENT_AGE
) -> bool:
    """True if sharing this case with ``audience`` needs no consent, or has it."""
    purpose = needed(audience)
    return purpose is None or consent_problem(data, purpose, today, consent_age) is None


EVER = (1, dt.date.max.toordinal())
"""Days as ordinals: every day."""


def _anniversary(base: dt.date, year: int) -> dt.date:
    """The day of ``year`` on which someone born on ``base`` is a year older.

    1 March for 29 February in a common year, as ``clr.model.dates.age_on`` counts.
    """
    try:
        return base.replace(year=year)
    except ValueError:
        return dt.date(year, 3, 1)


def steady_days(data: dict[str, Any], today: dt.date) -> tuple[int, int]:
    """The days (first, last, as ordinals) around ``today`` on which consent answers the same.

    Every answer of :func:`consent_problem` (and so of :func:`covers`) stays what it is on
    ``today``. Its answers change only on the date of a recorded consent (a consent dated after the
    day is not yet given) and on the days the child's age goes up (the child's own consent
    counts from an age): the anniversaries of the date the age counts from (a birth date,
    else the date a verified age was found, as ``clr.model.ages.age_at``). The span stops
    short of each such day, so a summary cached with it is summarised again once it ends.
    """
    now = today.toordinal()
    first, last = EVER
    points: list[int] = []
    consent = dig(data, "assessment", "consent")
    if isinstance(consent, dict):
        for who in ("guardian", "child"):
            records = consent.get(who)
            if isinstance(records, dict):
                for record in records.values():
                    day = parse_date(record.get("date")) if isinstance(record, dict) else None
                    if day is not None:
                        points.append(day.toordinal())
    births = (dig(data, "age_verification", "birth_date"), dig(data, "child", "birth_date"))
    bases = [bounds[1] for bounds in map(partial_bounds, births) if bounds is not None]
    checked = parse_date(dig(data, "age_verification", "date"))
    if checked is not None:
        bases.append(checked)
    for base in bases:
        for year in range(max(1, today.year - 1), min(9999, today.year + 1) + 1):
            points.append(_anniversary(base, year).toordinal())
    for point in points:
        if point <= now:
            first = max(first, point)
        else:
            last = min(last, point - 1)
    return first, last


def consent_age_of(ctx: Any, data: dict[str, Any]) -> int:
    """The child's consent age for a case: the playbook's rule, as clr.yaml may change it."""
    from clr.model import practice

    name = data.get("playbook")
    book = ctx.playbooks.get(name) if isinstance(name, str) else None
    settings = practice.merge(book.rules if book is not None else None, ctx.config.rules)
    age = practice.value(settings, "child_consent_age")
    return age if isinstance(age, int) and not isinstance(age, bool) else CHILD_CONSENT_AGE


def consent_hint(case_id: str, purpose: str) -> str:
    """How to proceed when consent is missing."""
    return (
        f"record it once given (assessment.consent.guardian.{purpose} and, from the child's "
        f"consent age, assessment.consent.child.{purpose}: "
        "given: true, date: …); if the child's interest requires sharing anyway, add "
        "--override-consent REASON --by NAME: the override is recorded in the history of "
        f"{case_id}"
    )


def check_audience(audience: str) -> None:
    """Refuse an unknown audience.

    Raises:
        ClrError: not one of ``AUDIENCES`` (exit 2: wrong usage).
    """
    if audience not in AUDIENCES:
        error = ClrError(
            said(N_("unknown audience {audience}"), audience=repr(audience)),
            hint=said(N_("one of: {choices}"), choices=", ".join(AUDIENCES)),
        )
        error.exit_code = 2
        raise error


@dataclass(frozen=True)
class Override:
    """A decision to share without consent, to be recorded before sharing."""

    audience: str
    reason: str
    by: str
    what: str  # "report" or "export"

    def note(self, purpose: str) -> str:
        """The text of the history note."""
        return (
            f"{OVERRIDE_PREFIX}: {self.what} for the {self.audience} without the guardian's "
            f"consent to {purpose}; reason: {self.reason}"
        )


def check_override(reason: str | None, by: str | None) -> None:
    """An override needs a reason and a name.

    Raises:
        ClrError: the reason is empty or nobody is named.
    """
    if reason is not None and not reason.strip():
        raise ClrError(
            said(N_("--override-consent needs a reason")),
            hint=said(N_("e.g. {example}"), example='--override-consent "…"'),
        )
    if reason is not None and not (by and by.strip()):
        raise MissingInput(
            said(N_("say who overrides the consent: it is recorded in the case's history")),
            hint=said(N_("add --by NAME (or set CLR_USER)")),
        )


def record_override(case_file: Path, override: Override, *, today: dt.date) -> None:
    """Append the override to the case's history (a note entry), checked and written safely.

    Raises:
        ClrError: the case cannot be opened or written (it is invalid, or changed meanwhile).
    """
    from clr.cases import caseops

    purpose = needed(override.audience) or "share"
    session = caseops.open_case(str(case_file), today=today)
    stage = session.data.get("stage")
    entry = {
        "at": caseops.history_time(today, zone=session.ctx.config.timezone),
        "from": stage,
        "to": stage,
        "by": override.by,
        "note": override.note(purpose),
    }
    session.doc.append(("history",), entry)
    caseops.commit(session, what="consent override")


def gate(
    case_file: Path,
    data: dict[str, Any],
    audience: str,
    *,
    today: dt.date,
    override: Override | None = None,
    consent_age: int = CHILD_CONSENT_AGE,
) -> bool:
    """May this case be shared with ``audience``? The one consent gate of a single case.

    Sharing needs the guardian's consent to the audience's purpose; without it, an override
    (a reason and a name) is recorded in the case's history before anything is shared.
    Returns True if an override was recorded (the case file changed: read it again).

    Raises:
        ClrError: consent is missing and there is no override, or the override could not
            be recorded.
    """
    purpose = needed(audience)
    problem = consent_problem(data, purpose, today, consent_age) if purpose else None
    if problem is None:
        return False
    if override is None:
        raise ClrError(
            said(
                N_("{case}: not shared with the {audience}: {problem}"),
                case=data.get("id"),
                audience=audience,
                problem=problem,
            ),
            hint=said(
                N_(
                    "record it once given ({guardian} and, from the child's consent age, "
                    "{child}: given: true, date: …); if the child's interest requires sharing "
                    "anyway, add --override-consent REASON --by NAME: the override is recorded "
                    "in the history of {case}"
                ),
                guardian=f"assessment.consent.guardian.{purpose or ''}",
                child=f"assessment.consent.child.{purpose or ''}",
                case=data.get("id"),
            ),
        )
    record_override(case_file, override, today=today)
    return True


def gate_many(
    cases: Sequence[tuple[Path, str]], override: Override, *, today: dt.date
) -> tuple[list[str], list[tuple[Path, str]]]:
    """Record ``override`` in each case (file, id) shared without consent.

    Returns the ids of the cases it was recorded in (those may be shared) and, for each
    case it could not be recorded in (not to be shared), its file and why.
    """
    included: list[str] = []
    refused: list[tuple[Path, str]] = []
    for case_file, case_id in cases:
        try:
            record_override(case_file, override, today=today)
        except ClrError as exc:  # not recorded: not shared
            refused.append((case_file, exc.text.splitlines()[0]))
            continue
        included.append(case_id)
    return included, refused


def overrides(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The consent overrides recorded in a case's history."""
    history = data.get("history")
    if not isinstance(history, list):
        return []
    return [
        entry
        for entry in history
        if isinstance(entry, dict)
        and entry.get("from") == entry.get("to")
        and str(entry.get("note") or "").startswith(OVERRIDE_PREFIX)
    ]
