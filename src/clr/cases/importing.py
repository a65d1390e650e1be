"""``clr import``: phone submissions into cases, each once, through clr's own writers.

A submission of a form built by ``clr form build`` (the form's id is in its hidden
``clr_form`` field) is mapped back through the same questions (:mod:`clr.model.phoneforms`)
to what ``clr new-case``, ``clr set``, ``clr visit``, ``clr pay`` and ``clr tick`` write:

* a new case is made by :func:`clr.cases.newcase.create_case` (its identity answers go
  only into the encrypted identity file);
* stage facts, visits and payments are merged as ``clr set --from`` merges a fragment
  (:func:`clr.cases.setfacts.plan_fragment`: typed by the case schema, lists appended);
* checklist items are ticked as ``clr tick`` ticks them.

Each change is checked against the case's stage and written by the round-trip editor and
the atomic writer, or refused as a whole. The submission's instance id goes into the
case's history (``x-submission`` of a note entry, or of a new case's first entry), and a
submission whose id a case already holds is not imported again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from clr.cases import caseops, setfacts
from clr.errors import ClrError
from clr.i18n import N_, _
from clr.io import yamlio
from clr.io.submissions import Submission
from clr.model import phoneforms
from clr.model.findings import Joined, said
from clr.model.phoneforms import PhoneForm, Question
from clr.repo.repository import Repository, display_path, find_case

SUBMISSION_KEY = "x-submission"
"""The key of a history entry that holds the instance id of the submission it imported."""

IMPORTED = "imported"
ALREADY = "already imported"
REJECTED = "rejected in review"
REFUSED = "refused"
STATUSES = (IMPORTED, ALREADY, REJECTED, REFUSED)


@dataclass
class Outcome:
    """What became of one submission."""

    where: str  # file:row
    instance_id: str
    form: str
    status: str
    case: str = ""
    reason: str = ""
    diff: str = ""


def imported_ids(repo: Repository) -> set[str]:
    """The instance ids of every submission the repository's cases hold already."""
    found: set[str] = set()
    for path in repo.case_files():
        loaded = yamlio.read_file(path, display_path(path))
        history = loaded.data.get("history") if isinstance(loaded.data, dict) else None
        for entry in history if isinstance(history, list) else ():
            if isinstance(entry, dict) and entry.get(SUBMISSION_KEY):
                found.add(str(entry[SUBMISSION_KEY]))
    return found


class Refused(ClrError):
    """This submission cannot be imported (the others go on)."""


# --- answers as case values -------------------------------------------------------------


def _value(q: Question, raw: str) -> Any:
    """An answer as ``clr set`` would take it (still text: the case schema types it)."""
    if q.type.startswith("select_multiple"):
        return raw.split()
    if q.kind == "list":
        return [part.strip() for part in raw.split(",") if part.strip()]
    return raw


def _put(tree: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = tree
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node[path[-1]] = value


def _entries(q: Question, sub: Submission) -> list[dict[str, Any]]:
    out = []
    for answers in sub.repeats.get(q.name, []):
        entry: dict[str, Any] = {}
        for child in q.children:
            raw = answers.get(child.name, "")
            if raw and child.path:
                _put(entry, child.path, _value(child, raw))
        if entry:
            out.append(entry)
    return out


def fragment(form: PhoneForm, sub: Submission) -> dict[str, Any]:
    """The case fields a submission's answers give, nested as in a case file."""
    tree: dict[str, Any] = {}

    def walk(questions: Iterable[Question]) -> None:
        for q in questions:
            if q.type == "repeat":
                entries = _entries(q, sub)
                if entries:
                    _put(tree, q.path, entries)
            elif q.type == "group":
                walk(q.children)
            elif q.path and q.path[0] != phoneforms.IDENTITY:
                raw = sub.answers.get(q.name, "")
                if raw:
                    _put(tree, q.path, _value(q, raw))

    walk(form.questions)
    return tree


def _who(sub: Submission) -> str:
    return sub.answers.get(phoneforms.BY_FIELD) or sub.submitter or "clr import"


def _note(sub: Submission, form: PhoneForm) -> str:
    tool = "ODK" if sub.tool == "odk" else "KoboToolbox"
    return f"imported {form.title.lower()} from {tool} (submission {sub.instance_id})"


# --- one submission ---------------------------------------------------------------------


def _problem(problem: Joined, where: str) -> str:
    """One problem of ``clr set``'s, on one line, in the language in force."""
    text = problem.local().removeprefix(f"{where}: ")
    return text.replace("\n      ", " (") + (")" if "\n" in text else "")


def _history_note(session: caseops.CaseSession, sub: Submission, form: PhoneForm) -> None:
    stage = session.data.get("stage")
    session.doc.append(
        ("history",),
        {
            "at": caseops.history_time(session.ctx.today, zone=session.ctx.config.timezone),
            "from": stage,
            "to": stage,
            "by": _who(sub),
            "note": _note(sub, form),
            SUBMISSION_KEY: sub.instance_id,
        },
    )


def _follow_up(
    repo: Repository, form: PhoneForm, sub: Submission, today: dt.date, dry_run: bool
) -> tuple[str, str]:
    case_id = sub.answers.get(phoneforms.CASE_FIELD, "")
    if not case_id:
        raise Refused(said(N_("no case picked (the 'case' answer is empty)")))
    try:
        path = find_case(repo, case_id)
    except ClrError as exc:
        raise Refused(
            said(N_("case {case}: {problem}"), case=case_id, problem=exc.worded or exc.message)
        ) from None
    if path.parent.name != case_id:  # clr's commands take the start of an id; a form, never
        raise Refused(said(N_("no case {case} (a form records a whole case id)"), case=case_id))
    session = caseops.open_case(str(path), today=today)
    if session.data.get("stage") == "closed":
        raise Refused(said(N_("{case} is closed: a closed case takes no more facts"), case=case_id))
    if form.kind == "checklist":
        _ticks(session, sub)
    else:
        facts = fragment(form, sub)
        if form.kind == "payment":
            facts.setdefault("purpose", "stipend")  # as clr pay records it
        if form.kind == "visit" and "by" not in facts and sub.submitter:
            facts = {"date": facts.pop("date", None), "method": facts.pop("method", None),
                     "by": sub.submitter, **facts}  # fmt: skip
        if form.kind in ("visit", "payment"):
            facts = {"visits" if form.kind == "visit" else "payments": [facts]}
        if not facts:
            raise Refused(said(N_("the submission holds no answers")))
        problems = setfacts.plan_fragment(session, facts, sub.where)
        if problems:
            raise Refused("; ".join(_problem(p, sub.where) for p in problems))
    _history_note(session, sub, form)
    diff = caseops.commit(session, dry_run=dry_run, what="import")
    return str(session.data.get("id")), diff


def _ticks(session: caseops.CaseSession, sub: Submission) -> None:
    book = session.playbook()
    names = sub.answers.get("items", "").split()
    if not names:
        raise Refused(said(N_("no checklist item ticked")))
    done = sub.answers.get(phoneforms.DATE_FIELD) or session.ctx.today.isoformat()
    who = sub.answers.get(phoneforms.BY_FIELD) or sub.submitter
    if not who:
        raise Refused(said(N_("no 'by': say who did it")))
    ticked = (
        session.data.get("checklist") if isinstance(session.data.get("checklist"), dict) else {}
    )
    for name in names:
        item = phoneforms.checklist_item_id(name, book)
        if item is None:
            raise Refused(
                said(
                    N_("{item} is not an item of playbook {name}"), item=repr(name), name=book.name
                )
            )
        if item in (ticked or {}):
            continue
        entry: dict[str, Any] = {"done": done, "by": who}
        if sub.answers.get("note"):
            entry["note"] = sub.answers["note"]
        session.doc.set(("checklist", item), entry)


def _new_case(
    repo: Repository, form: PhoneForm, sub: Submission, today: dt.date, dry_run: bool
) -> tuple[str, str]:
    from clr.cases import newcase

    facts = fragment(form, sub)
    typed: dict[str, Any] = {}
    for q in form.questions_flat():
        if not q.path or q.path[0] == phoneforms.IDENTITY or q.type in ("group", "repeat"):
            continue
        value = _dig(facts, q.path)
        if value is None:
            continue
        try:
            node = setfacts.schema_at(q.path)
            _put(typed, q.path, setfacts.type_value(".".join(q.path), node, value))
        except setfacts.SetError as exc:
            raise Refused(exc.worded or exc.message) from None
    identity = {
        q.path[1]: sub.answers[q.name]
        for q in form.questions_flat()
        if q.path[:1] == (phoneforms.IDENTITY,) and sub.answers.get(q.name)
    }
    by = sub.answers.get(phoneforms.BY_FIELD) or sub.submitter
    if not by:
        raise Refused(said(N_("no 'by': say who opened the case")))
    new = newcase.NewCase(
        site=typed.get("site", {}),
        child=typed.get("child", {}),
        discovery=typed.get("discovery", {}),
        track=str(typed.get("track") or "underage"),
        confirmed=sub.answers.get("confirmed", "").lower() in ("yes", "true", "1"),
        by=by,
        playbook=repo.config.default_playbook,
        identity=identity,
        history_extra={SUBMISSION_KEY: sub.instance_id},
    )
    if dry_run:
        case_id, text = newcase.prepare_case(repo, new, today=today)
        if identity:
            from clr.cases import identity as identity_files

            identity_files.recipients_or_fail(list(repo.config.recipients))
        shown = display_path(repo.cases_dir / case_id / "case.yaml")
        lines = [f"+++ {shown} (new)", *(f"+{line}" for line in text.splitlines())]
        if identity:
            lines.append(f"+ (and its encrypted identity file: {len(identity)} answers)")
        return case_id, "\n".join(lines) + "\n"
    case_id, _ = newcase.create_case(repo, new, today=today)
    return case_id, ""


def _dig(tree: dict[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = tree
    for part in path:
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def import_one(
    repo: Repository,
    sub: Submission,
    *,
    today: dt.date,
    done: set[str],
    playbook: Any,
    dry_run: bool = False,
    forms: dict[str, PhoneForm | None] | None = None,
) -> Outcome:
    """Import one submission; what became of it (never raises for the submission's fault).

    ``done`` holds the instance ids imported already (this one is added); ``forms`` keeps
    the forms built so far, by id, for the next submissions.
    """
    forms = {} if forms is None else forms
    form_id = sub.answers.get(phoneforms.FORM_FIELD, "")
    outcome = Outcome(sub.where, sub.instance_id, form_id or "?", REFUSED)
    if not sub.instance_id:
        outcome.reason = _("no instance id (meta-instanceID, KEY or _uuid)")
        return outcome
    if sub.instance_id in done:
        outcome.status = ALREADY
        return outcome
    if sub.review == "rejected":
        outcome.status = REJECTED
        return outcome
    if sub.status:
        outcome.reason = _(
            "{status} (ODK Central could not decrypt it: give it the passphrase)"
        ).format(status=sub.status)
        return outcome
    if form_id not in forms:
        forms[form_id] = phoneforms.form_by_id(form_id, playbook) if form_id else None
    form = forms[form_id]
    if form is None:
        outcome.reason = (
            _("form {form} is not one clr builds").format(form=repr(form_id))
            if form_id
            else _("no clr_form column: not a form built by clr form build")
        )
        return outcome
    unknown = sorted(
        name for name, value in sub.answers.items() if value and "__" in name
        and name not in form.by_name()
    )  # fmt: skip
    if unknown:
        outcome.reason = _(
            "answers to questions the form {form} no longer has: {names} (the form was built "
            "by another clr or playbook: record them with clr set, and upload the forms clr "
            "form build makes now)"
        ).format(form=form_id, names=", ".join(unknown))

        return outcome
    try:
        if form.kind == "new_case":
            outcome.case, outcome.diff = _new_case(repo, form, sub, today, dry_run)
        else:
            outcome.case, outcome.diff = _follow_up(repo, form, sub, today, dry_run)
    except ClrError as exc:
        outcome.reason = exc.text
        return outcome
    outcome.status = IMPORTED
    done.add(sub.instance_id)
    return outcome


def import_all(
    repo: Repository,
    submissions: Iterable[Submission],
    *,
    today: dt.date,
    playbook: Any,
    dry_run: bool = False,
) -> list[Outcome]:
    """Import submissions in order; one outcome each (a refused one does not stop the rest)."""
    done = imported_ids(repo)
    forms: dict[str, PhoneForm | None] = {}
    return [
        import_one(
            repo, sub, today=today, done=done, playbook=playbook, dry_run=dry_run, forms=forms
        )
        for sub in submissions
    ]


def summary(outcomes: list[Outcome]) -> list[tuple[str, dict[str, int]]]:
    """Counts by form and status, and a total row."""
    rows: dict[str, dict[str, int]] = {}
    for o in outcomes:
        counts = rows.setdefault(o.form, dict.fromkeys(STATUSES, 0))
        counts[o.status] += 1
    total = dict.fromkeys(STATUSES, 0)
    for counts in rows.values():
        for key, value in counts.items():
            total[key] += value
    return [*sorted(rows.items()), ("total", total)]
