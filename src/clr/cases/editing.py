"""Recording the facts a stage needs: from a form's answers, or from an edited draft.

``pending`` says what a case lacks to reach a stage (the form model of
``clr.model.forms``); ``apply_answers`` records answers through the round-trip editor, so
only the lines of the new facts change; ``check_draft`` and ``skeleton`` serve ``clr
edit``: the case with the next stage's missing fields as a commented skeleton, and the
check of what the user saved.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clr.cases.caseops import CaseSession, check_result
from clr.errors import ClrError
from clr.i18n import N_, _
from clr.io import yamlio
from clr.io.edit import locked, write_atomic
from clr.model import stages
from clr.model.findings import Finding
from clr.model.forms import Field, Form, FormContext, form_for, missing_fields, render_snippet

IDENTITY_FIELDS = (
    "id",
    "schema_version",
    "playbook",
    "opened",
    "stage",
    "history",
    "reopens",
    "reopened_as",
)
"""Fields ``clr edit`` never lets change: the case's identity and its history."""


def form_context(session: CaseSession) -> FormContext:
    """The form context of an opened case: its day, playbook and age settings."""
    try:
        book = session.playbook()
    except ClrError:
        book = None
    config = session.ctx.config
    return FormContext(
        today=session.ctx.today,
        playbook=book,
        minimum_age_overrides=config.minimum_ages,
        buyer_codes=config.buyer_codes,
    )


def target_of(session: CaseSession, target: str | None = None) -> str | None:
    """The stage a case would move to (``target``, or its next stage)."""
    current = session.data.get("stage")
    if target is not None:
        return target
    return stages.next_stage(current) if isinstance(current, str) else None


def pending(session: CaseSession, target: str) -> tuple[Form, list[Field]]:
    """The form of ``target`` for the case with the session's edits, and what it lacks."""
    data = session.doc.expected()
    form = form_for(target, data, form_context(session))
    return form, missing_fields(form, data)


def apply_answers(session: CaseSession, answers: list[tuple[Field, Any]]) -> None:
    """Record answers in the case (not written yet): lists of entries are appended."""
    for f, value in answers:
        if f.kind == "list" and f.fields and isinstance(value, list):
            for entry in value:
                session.doc.append(f.path, _nest(entry))
        else:
            session.doc.set(f.path, value)


def tick(session: CaseSession, item: str, *, by: str) -> None:
    """Record a checklist item as done today (not written yet)."""
    session.doc.set(("checklist", item), {"done": session.ctx.today.isoformat(), "by": by})


def _nest(entry: dict[str, Any]) -> dict[str, Any]:
    """``{"cost.amount": 5}`` to ``{"cost": {"amount": 5}}``."""
    out: dict[str, Any] = {}
    for key, value in entry.items():
        node = out
        parts = key.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return out


# --- clr edit ---------------------------------------------------------------------------

# The lines clr edit adds (each starts with "#~ ", and is removed when the file is saved),
# in the language in force: see _line().
SKELETON_NOTE = N_("clr edit: the next stage needs the commented fields below; uncomment, fill in")
SKELETON_NOTE_ABOVE = N_(
    "clr edit: the next stage needs the commented fields above; uncomment, fill in"
)
TO_MOVE_TO = N_("(to move to {stage})")
ERRORS_START = N_("clr edit: the file was not saved; fix these and save again:")
ERRORS_END = N_("(these lines are removed when the file is saved)")


def _line(msgid: str, **fields: str) -> str:
    """One of clr edit's own lines, in the language in force."""
    return "#~ " + (_(msgid).format(**fields) if fields else _(msgid))


@dataclass
class Draft:
    """The text ``clr edit`` opens, and the skeleton lines it inserted (removed if untouched)."""

    text: str
    inserted: frozenset[str]


def skeleton(session: CaseSession) -> Draft:
    """The case's text with the next stage's missing fields inserted as commented lines.

    Fields under a top-level mapping the case already has go at the end of that mapping;
    the others at the end of the file. Every inserted line starts with ``#``; lines left
    as they are are removed on save, as ``git commit`` removes its template.
    """
    text = session.doc.text
    target = target_of(session)
    if target is None:
        return Draft(text, frozenset())
    _, missing = pending(session, target)
    missing = [f for f in missing if not f.when]
    if not missing:
        return Draft(text, frozenset())
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines()
    inserted: list[str] = []
    groups: dict[str, list[Field]] = {}
    for f in missing:
        groups.setdefault(f.path[0], []).append(f)
    tail: list[Field] = []
    for top, fields in reversed(list(groups.items())):
        where = _block_end(lines, top)
        if where is None or len(fields[0].path) == 1:
            tail = fields + tail
            continue
        body = render_snippet(fields).splitlines()[1:]  # without the "top:" line
        block = [_commented(line) for line in body]
        lines[where:where] = block
        inserted += block
    if tail:
        block = [_line(SKELETON_NOTE), _line(TO_MOVE_TO, stage=target)]
        block += [_commented(line) for line in render_snippet(tail).splitlines()]
        lines += block
        inserted += block
    else:
        lines.append(_line(SKELETON_NOTE_ABOVE))
        inserted.append(lines[-1])
    return Draft(newline.join(lines) + newline, frozenset(inserted))


def _commented(line: str) -> str:
    stripped = line.lstrip()
    pad = line[: len(line) - len(stripped)]
    return f"{pad}#{stripped}"


def _block_end(lines: list[str], key: str) -> int | None:
    """The index after the last line of the top-level mapping ``key:`` (None if absent)."""
    start = next((i for i, line in enumerate(lines) if line.rstrip() == f"{key}:"), None)
    if start is None:
        return None
    end = start + 1
    last = end
    while end < len(lines):
        line = lines[end]
        if line.strip() and not line[:1].isspace() and not line.startswith("#"):
            break
        if line.strip():
            last = end + 1
        end += 1
    return last


def strip_blocks(text: str, inserted: frozenset[str] = frozenset()) -> str:
    """Remove the error lines at the top and the skeleton lines the user left as they were."""
    lines = text.splitlines(keepends=True)
    kept = []
    in_errors = False
    for line in lines:
        bare = line.rstrip("\r\n")
        if bare in (f"#~ {ERRORS_START}", _line(ERRORS_START)):
            in_errors = True
            continue
        if in_errors:
            if bare in (f"#~ {ERRORS_END}", _line(ERRORS_END)):
                in_errors = False
            continue
        if bare in inserted or bare.startswith("#~ "):
            continue
        kept.append(line)
    return "".join(kept)


def with_errors(text: str, errors: list[str]) -> str:
    """The draft with the errors as comments at the top, for the editor to show."""
    body = strip_blocks(text)
    block = [_line(ERRORS_START), *(f"#~   {line}" for e in errors for line in e.splitlines())]
    return "\n".join([*block, _line(ERRORS_END)]) + "\n" + body


@dataclass
class DraftCheck:
    """What is wrong with an edited case: nothing (``ok``), or the problems to show."""

    text: str
    problems: list[str]

    @property
    def ok(self) -> bool:
        """True if the draft may be written."""
        return not self.problems


IDENTITY_KEYS = (
    "name",
    "contact",
    "address",
    "guardian_name",
    "guardian_contact",
    "id_document_number",
    "photos",
)
"""Keys of the encrypted identity file: never written in case.yaml."""


def check_draft(
    session: CaseSession, edited: str, inserted: frozenset[str] = frozenset()
) -> DraftCheck:
    """Check what the user saved: a valid case in its current stage, identity unchanged."""
    text = strip_blocks(edited, inserted)
    loaded = yamlio.parse_text(text, session.shown)
    if loaded.data is None or not isinstance(loaded.data, dict):
        return DraftCheck(text, [_say(f) for f in loaded.findings] or ["the file is not a case"])
    problems = []
    for key in IDENTITY_FIELDS:
        if loaded.data.get(key) != session.data.get(key):
            hint = (
                "clr advance moves a case"
                if key in ("stage", "history")
                else "the case's identity never changes"
            )
            problems.append(f"{key} cannot be changed with clr edit ({hint}): put it back")
    child = loaded.data.get("child")
    for where, mapping in (("", loaded.data), ("child.", child)):
        if not isinstance(mapping, dict):
            continue
        for key in IDENTITY_KEYS:
            if key in mapping:
                problems.append(
                    f"{where}{key} is identity data: it never goes in case.yaml; "
                    f"record it with: clr identity set {session.data.get('id')} "
                    f"--{key.replace('_', '-')} ..."
                )
    if not problems:
        problems = [_say(f) for f in check_result(session, text)]
    return DraftCheck(text, problems)


def _say(f: Finding) -> str:
    where = f"line {f.line}: " if f.line else ""
    hint = f" ({f.hint_text})" if f.hint else ""
    return f"{where}{f.code} {f.text}{hint}"


def write_draft(session: CaseSession, text: str) -> str:
    """Write a checked draft over the case; return the diff."""
    diff = session.doc.diff(text)
    with locked(session.path.parent):
        write_atomic(session.path, text, expected_digest=session.doc.digest)
    return diff


def keep_draft(text: str, case_id: str) -> Path:
    """Keep a draft in a private file (0600) outside the repository; return its path."""
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", case_id) or "case"
    # A new private file that nothing else reads until clr names it, so nothing to replace.
    fd, name = tempfile.mkstemp(prefix=f"clr-edit-{safe}-", suffix=".yaml")  # atomic-writer: exempt
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, text.encode("utf-8"))
    finally:
        os.close(fd)
    return Path(name)
