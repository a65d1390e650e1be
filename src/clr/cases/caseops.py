"""Changing a case: open it, record a step, check the result, write it safely."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from clr.checks.validate import check_case_data
from clr.errors import CaseFileError, ClrError, TransitionError
from clr.i18n import N_, Nn_
from clr.io import yamlio
from clr.io.edit import Document, locked, open_document, write_atomic
from clr.model import closing, stages
from clr.model.case import Case
from clr.model.dates import local_now
from clr.model.findings import Finding, Joined, Said, said
from clr.model.playbook import Playbook
from clr.model.record import Record
from clr.model.workflow import Blocker, Calendar, move_blockers
from clr.repo.context import CaseContext, repository_context
from clr.repo.repository import (
    CASE_FILE,
    Repository,
    display_path,
    find_case,
    find_root,
    is_identity_file,
    open_repository,
)


class CaseInvalid(CaseFileError):
    """The change would leave the case invalid; nothing was written."""

    def __init__(
        self, message: str | Said, findings: list[Finding], hint: str | Said | None = None
    ) -> None:
        lines = [
            message,
            *(
                Joined("", (f"  {f.path}:{f.line}:{f.col}: {f.code} ", f.worded or f.message))
                for f in findings
            ),
        ]
        super().__init__(Joined("\n", tuple(lines)), hint)
        self.findings = findings


class MoveBlocked(TransitionError):
    """The case cannot move yet; the blockers say why."""

    def __init__(self, message: str | Said, blockers: list[Blocker]) -> None:
        lines: list[str | Said | Joined] = [message]
        for b in blockers:
            lines.append(Joined("", ("  - ", b.worded or b.message)))
            if b.hint:
                lines.append(Joined("", ("      ", b.hint_worded or b.hint)))
        super().__init__(Joined("\n", tuple(lines)), said(N_("nothing was changed")))
        self.blockers = blockers


class CaseSession(Record):
    """One case opened for reading or changing, with its repository's context."""

    path: Path
    doc: Document
    ctx: CaseContext
    repo: Repository | None

    def __init__(
        self, path: Path, doc: Document, ctx: CaseContext, repo: Repository | None
    ) -> None:
        self.path = path
        self.doc = doc
        self.ctx = ctx
        self.repo = repo

    @property
    def data(self) -> dict[str, Any]:
        """The case as read."""
        return self.doc.data

    @property
    def shown(self) -> str:
        """The case file's path as shown to the user."""
        return display_path(self.path)

    def playbook(self) -> Playbook:
        """The case's playbook.

        Raises:
            ClrError: the playbook is unknown or invalid.
        """
        name = self.data.get("playbook")
        book = self.ctx.playbooks.get(name) if isinstance(name, str) else None
        if book is None:
            raise ClrError(
                said(
                    N_("{case}: playbook {name} is unknown or invalid"),
                    case=self.shown,
                    name=repr(name),
                ),
                hint=said(
                    N_("run 'clr validate' for details; 'clr playbook list' lists playbooks")
                ),
            )
        return book


def open_case(ref: str, *, today: dt.date, start: Path | None = None) -> CaseSession:
    """Open a case by id, folder or file: the one way a command reads one case.

    One safety policy for every command, whether it shows, reports on or changes the case:

    * the case is found in the repository around it (or around ``start``, by default the
      current folder); outside a repository only an existing case file or folder is read;
    * an identity file is never opened as a case;
    * a case reached through a link that leads outside the repository is refused;
    * the file must read as a YAML mapping;
    * a case with errors is refused: clr never works from, reports on or writes over a
      case it cannot trust (dates after ``today`` are left to a change's own check, which
      names them).

    Raises:
        ClrError: no such case, not in a repository, an identity file, or a link that
            leads outside the repository.
        ConfigError: the repository's ``clr.yaml`` is invalid.
        CaseFileError: the case file cannot be read (``CaseInvalid``: it has errors).
    """
    candidate = Path(ref)
    root = find_root(candidate if candidate.exists() else (start or Path.cwd()))
    repo = open_repository(root) if root is not None else None
    if repo is None and not candidate.exists():
        open_repository(start)  # raises NotARepository with a clear message
    path = (
        find_case(repo, ref)
        if repo is not None
        else (candidate / CASE_FILE if candidate.is_dir() else candidate)
    )
    ctx, _reports = repository_context(
        repo.root if repo else None, today, repo.config if repo else None
    )
    if is_identity_file(path):
        raise ClrError(
            said(
                N_("{path} is an identity file: clr never reads it as a case"),
                path=display_path(path),
            ),
            hint=said(N_("give the case id, its folder or its case.yaml")),
        )
    # realpath, not resolve(): a link loop is a file that cannot be read, not a crash.
    if repo is not None and repo.root.resolve() not in Path(os.path.realpath(path)).parents:
        raise ClrError(
            said(
                N_("{path} leads outside the case repository (a link to {target})"),
                path=display_path(path),
                target=Path(os.path.realpath(path)).parent,
            ),
            hint=said(
                N_(
                    "clr works only on cases inside the repository: replace the link by the "
                    "case folder itself"
                )
            ),
        )
    session = CaseSession(path, open_document(path, display_path(path)), ctx, repo)
    errors = [f for f in check_result(session, session.doc.text) if f.code != "CLR202"]
    if errors:
        raise CaseInvalid(
            Said(
                _NOT_VALID[0],
                (("case", session.shown), ("count", str(len(errors)))),
                _NOT_VALID[1],
                len(errors),
            ),
            errors[:10],
            hint=said(N_("fix it first: {command}"), command=f"clr validate {session.shown}"),
        )
    return session


def check_result(session: CaseSession, new_text: str) -> list[Finding]:
    """Errors the changed case would have (warnings are allowed)."""
    loaded = yamlio.parse_text(new_text, session.shown)
    if loaded.data is None:  # pragma: no cover - the editor only writes what reads back
        return loaded.findings
    return check_case_data(loaded, session.path, session.ctx, errors_only=True)


_NOT_VALID = Nn_(
    "{case} is not a valid case ({count} error); clr works only on valid cases:",
    "{case} is not a valid case ({count} errors); clr works only on valid cases:",
)
_LEAVES_INVALID = {
    "change": N_("this change would leave {case} invalid; nothing was written:"),
    "import": N_("this import would leave {case} invalid; nothing was written:"),
    "tick": N_("this tick would leave {case} invalid; nothing was written:"),
    "visit": N_("this visit would leave {case} invalid; nothing was written:"),
    "payment": N_("this payment would leave {case} invalid; nothing was written:"),
    "check after closure": N_(
        "this check after closure would leave {case} invalid; nothing was written:"
    ),
    "consent override": N_(
        "this consent override would leave {case} invalid; nothing was written:"
    ),
    "link to the new case": N_(
        "this link to the new case would leave {case} invalid; nothing was written:"
    ),
    "fingerprint update": N_(
        "this fingerprint update would leave {case} invalid; nothing was written:"
    ),
}


def _leaves_invalid(what: str, case: str) -> Said:
    """That this change would leave the case invalid, worded for each kind of change."""
    if what.startswith("move to "):
        return said(
            N_("this move to {stage} would leave {case} invalid; nothing was written:"),
            stage=what.removeprefix("move to "),
            case=case,
        )
    template = _LEAVES_INVALID.get(what)
    if template is None:
        return said(
            N_("this {what} would leave {case} invalid; nothing was written:"), what=what, case=case
        )
    return said(template, case=case)


def commit(session: CaseSession, *, dry_run: bool = False, what: str = "change") -> str:
    """Check and write the session's edits; with ``dry_run`` write nothing, return the diff.

    Raises:
        CaseInvalid: the result would not be a valid case (nothing is written).
        WriteConflict: the file changed meanwhile, or another clr is writing it.
    """
    new_text = session.doc.render()
    errors = check_result(session, new_text)
    if errors:
        before = check_result(session, session.doc.text)
        hint = said(
            N_(
                "the case already had these problems: fix them first (clr validate shows "
                "every problem), then try again"
            )
            if before
            else N_("the values given, or the date, do not fit the case: correct them, try again")
        )
        raise CaseInvalid(_leaves_invalid(what, session.shown), errors, hint=hint)
    if dry_run:
        return session.doc.diff(new_text)
    with locked(session.path.parent):
        write_atomic(session.path, new_text, expected_digest=session.doc.digest)
    return ""


def history_time(today: dt.date, now: dt.datetime | None = None, *, zone: str = "UTC") -> str:
    """The time stamp for a history entry: now, or midday of an earlier --as-of date.

    Now is written as the time in the repository's time zone ``zone``, with its UTC offset
    (``2026-03-02T23:30:00+06:00``; ``Z`` for UTC): its date is the day the repository
    counts in, which a UTC time would put a day early or late near midnight.
    """
    moment = local_now(zone, now).replace(microsecond=0)
    if today < moment.date():
        return f"{today.isoformat()}T12:00:00Z"
    return moment.isoformat().replace("+00:00", "Z")


def advance(
    session: CaseSession,
    *,
    target: str | None,
    by: str,
    note: str | None,
    today: dt.date,
    reason: str | None = None,
    approved_by: str | None = None,
    dry_run: bool = False,
    closure: ClosureFacts | None = None,
) -> tuple[str, str, str]:
    """Move a case to the next stage (or ``target``); return (from, to, diff of a dry run).

    ``closure`` holds the closure's other facts (``clr advance --to closed`` options).

    Raises:
        MoveBlocked: the case is not ready; nothing was written.
        TransitionError: the move is not allowed.
    """
    data = session.data
    current = data.get("stage")
    if not isinstance(current, str) or current not in stages.STAGES:
        raise TransitionError(
            said(N_("{case}: unknown stage {stage}"), case=session.shown, stage=repr(current))
        )
    if target is not None and target not in stages.STAGES:
        raise TransitionError(
            said(N_("unknown stage {stage}"), stage=repr(target)),
            hint=said(N_("one of: {choices}"), choices=", ".join(stages.STAGES)),
        )
    goal = target or stages.next_stage(current)
    if goal is None:
        raise TransitionError(
            said(N_("{case} is closed: a closed case is never moved again"), case=data.get("id")),
            hint=said(N_("if the child was found working again, open a linked case: clr reopen")),
        )
    if goal == "closed":
        _fill_closure(session.doc, data, today, reason, approved_by, note, session.playbook())
        if closure is not None:
            closure.record(session.doc, data, today, session.playbook(), session.ctx.calendar)
    elif reason or approved_by or (closure is not None and closure.given()):
        raise TransitionError(
            said(
                N_(
                    "--reason and --approved-by are for closing a case (--to closed), as are the "
                    "other closure options"
                )
            )
        )
    preview = session.doc.expected()
    config = session.ctx.config
    blockers = move_blockers(
        preview,
        goal,
        session.playbook(),
        session.ctx.calendar,
        age_overrides=config.minimum_ages,
        buyer_codes=config.buyer_codes,
    )
    if blockers:
        raise MoveBlocked(
            said(
                N_("{case} cannot move from {source} to {target} yet:"),
                case=data.get("id"),
                source=current,
                target=goal,
            ),
            blockers,
        )
    entry: dict[str, Any] = {
        "at": history_time(today, zone=session.ctx.config.timezone),
        "from": current,
        "to": goal,
        "by": by,
    }
    if note:
        entry["note"] = note
    session.doc.set(("stage",), goal)
    session.doc.append(("history",), entry)
    return current, goal, commit(session, dry_run=dry_run, what=f"move to {goal}")


class ClosureFacts(Record):
    """The closure's facts beyond reason, approval and note, as ``clr advance`` options.

    Each one given is written to ``closure`` (or, for root causes, to ``root_causes``), so
    that no closure needs a hand edit.
    """

    fields: dict[str, Any]
    """closure.<key>: value (final_status, recurrence_check, referred_to, referral, …)."""
    contact_attempts: list[dict[str, Any]]
    root_causes: list[str]

    def __init__(
        self,
        fields: dict[str, Any] | None = None,
        contact_attempts: list[dict[str, Any]] | None = None,
        root_causes: list[str] | None = None,
    ) -> None:
        self.fields = fields if fields is not None else {}
        self.contact_attempts = contact_attempts if contact_attempts is not None else []
        self.root_causes = root_causes if root_causes is not None else []

    def given(self) -> bool:
        """True if any fact was given."""
        return bool(self.fields or self.contact_attempts or self.root_causes)

    def record(
        self,
        doc: Document,
        data: dict[str, Any],
        today: dt.date,
        book: Playbook,
        calendar: Calendar,
    ) -> None:
        """Write the facts into the document (not yet to disk)."""
        for key, value in self.fields.items():
            doc.set(("closure", key), value)
        held = (
            Case(doc.expected()).closure.get("contact_attempts") if self.contact_attempts else None
        )
        for entry in self.contact_attempts:
            if entry not in (held or []):
                doc.append(("closure", "contact_attempts"), entry)
        # What the document holds now: the facts may be recorded again after questions.
        causes = doc.expected().get("root_causes") if self.root_causes else None
        recorded = [c for c in causes or [] if isinstance(c, str)]
        for cause in self.root_causes:
            if cause not in recorded:
                doc.append(("root_causes",), cause)
                recorded.append(cause)
        if "recurrence_check" not in self.fields and "recurrence_check" not in Case(data).closure:
            # The first check after closure, from the playbook, unless one was given.
            dues = closing.recurrence_dues(doc.expected(), book, calendar.add)
            if dues:
                doc.set(("closure", "recurrence_check"), dues[0].isoformat())


def _fill_closure(
    doc: Document,
    data: dict[str, Any],
    today: dt.date,
    reason: str | None,
    approved_by: str | None,
    note: str | None,
    book: Playbook,
) -> None:
    closure = Case(data).closure
    if reason is None and "reason" not in closure:
        raise TransitionError(
            said(N_("closing a case needs a coded reason")),
            hint=said(
                N_("add --reason (one of: {choices})"), choices=", ".join(stages.CLOSURE_REASONS)
            ),
        )
    if approved_by is None and "approved_by" not in closure:
        raise TransitionError(
            said(N_("closing a case needs who approved it")),
            hint=said(N_("add --approved-by NAME (a supervisor or the buyer)")),
        )
    if reason is not None and reason not in stages.CLOSURE_REASONS:
        raise TransitionError(
            said(N_("unknown closure reason {reason}"), reason=repr(reason)),
            hint=said(N_("one of: {choices}"), choices=", ".join(stages.CLOSURE_REASONS)),
        )
    if "date" not in closure:
        doc.set(("closure", "date"), today.isoformat())
    if reason is not None:
        doc.set(("closure", "reason"), reason)
    if approved_by is not None:
        doc.set(("closure", "approved_by"), approved_by)
    chosen = reason or closure.get("reason")
    rule = book.closure_reasons.get(chosen) if isinstance(chosen, str) else None
    # The closed stage's schema asks lost_contact and refused for notes, whatever the playbook.
    wants_note = chosen in ("lost_contact", "refused") or (rule is not None and rule.needs_note)
    if note and "notes" not in closure and wants_note:
        doc.set(("closure", "notes"), note)


def tick(
    session: CaseSession,
    item: str,
    *,
    by: str,
    day: dt.date,
    note: str | None,
    dry_run: bool = False,
) -> str:
    """Record a playbook checklist item as done; return the diff.

    Raises:
        ClrError: the item is not in the case's playbook, or it is already ticked.
    """
    book = session.playbook()
    if book.action(item) is None:
        import difflib

        ids = [a.id for a in book.all_items()]
        close = difflib.get_close_matches(item, ids, n=3)
        raise ClrError(
            said(N_("{item} is not an item of playbook {name}"), item=repr(item), name=book.name),
            hint=said(N_("did you mean {choices}?"), choices=" / ".join(close))
            if close
            else said(N_("clr playbook show lists the item ids")),
        )
    ticks = session.data.get("checklist")
    if isinstance(ticks, dict) and item in ticks:
        raise ClrError(
            said(N_("{item} is already ticked ({tick})"), item=item, tick=ticks[item]),
            hint=said(N_("ticks are not changed by clr; edit the file if it is wrong")),
        )
    entry: dict[str, Any] = {"done": day.isoformat(), "by": by}
    if note:
        entry["note"] = note
    session.doc.set(("checklist", item), entry)
    return commit(session, dry_run=dry_run, what="tick")


def append_entry(
    session: CaseSession, list_name: str, entry: dict[str, Any], *, dry_run: bool = False
) -> str:
    """Append a visit or payment; return the diff."""
    session.doc.append((list_name,), entry)
    return commit(session, dry_run=dry_run, what=list_name[:-1])


def record_follow_up(session: CaseSession, entry: dict[str, Any], *, dry_run: bool = False) -> str:
    """Append a check after closure (``recurrence_checks``); return the diff.

    Raises:
        ClrError: the case is not closed (a visit of an open case is a monitoring visit).
    """
    data = session.data
    if data.get("stage") != "closed":
        raise ClrError(
            said(
                N_(
                    "{case} is not closed (stage {stage}): checks after closure are for closed "
                    "cases"
                ),
                case=data.get("id"),
                stage=data.get("stage"),
            ),
            hint=said(
                N_("record a monitoring visit instead: clr visit {case} --method ..."),
                case=data.get("id"),
            ),
        )
    closed = Case(data).closure.get("date")
    if isinstance(closed, str) and entry["date"] < closed:
        raise ClrError(
            said(
                N_("the check of {date} is before the case closed ({closed})"),
                date=entry["date"],
                closed=closed,
            ),
            hint=said(N_("give the day the check was made with --date YYYY-MM-DD")),
        )
    session.doc.append((closing.RECURRENCE_LIST,), entry)
    return commit(session, dry_run=dry_run, what="check after closure")
