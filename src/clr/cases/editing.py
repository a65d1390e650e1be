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
from clr.io import yamlio
from clr.io.edit import locked, write_atomic
from clr.model import stages
from clr.model.findings import Finding
from clr.model.forms import Field, Form, FormContext, form_for, missing_fields, render_snippet

IDENTITY_FIELDS = ("id", "schema_version", "playbook", "opened", "stage", "history", "reopens")
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

SKELETON_START = "# --- clr edit: what the next stage needs (fill in, or leave as it is) ---"
SKELETON_END = "# --- end of what the next stage needs ---"
ERRORS_START = "# --- clr edit: the file was not saved; fix these and save again ---"
ERRORS_END = "# --- end of the errors (this block is removed on save) ---"


def skeleton(session: CaseSession) -> str:
    """The case's text with the next stage's missing fields as a commented block at the end."""
    text = session.doc.text
    target = target_of(session)
    if target is None:
        return text
    _, missing = pending(session, target)
    if not missing:
        return text
    body = render_snippet([f for f in missing if not f.when])
    lines = [SKELETON_START, f"# to move to {target}: uncomment a line and fill it in"]
    lines += [line if line.lstrip().startswith("#") else f"#{line}" for line in body.splitlines()]
    lines.append(SKELETON_END)
    sep = "" if text.endswith("\n") or not text else "\n"
    return f"{text}{sep}{chr(10).join(lines)}\n"


def strip_blocks(text: str) -> str:
    """Remove the error block at the top and the skeleton block, if the user left them."""
    text = _cut(text, ERRORS_START, ERRORS_END)
    return _cut(text, SKELETON_START, SKELETON_END, only_comments=True)


def _cut(text: str, start: str, end: str, *, only_comments: bool = False) -> str:
    lines = text.splitlines(keepends=True)
    try:
        first = next(i for i, line in enumerate(lines) if line.rstrip("\r\n") == start)
        last = next(i for i, line in enumerate(lines) if line.rstrip("\r\n") == end and i > first)
    except StopIteration:
        return text
    block = lines[first : last + 1]
    if only_comments:
        # Lines the user uncommented stay (they are the case's new facts); comments go.
        kept = [line for line in block if line.strip() and not line.lstrip().startswith("#")]
        return "".join(lines[:first] + kept + lines[last + 1 :])
    return "".join(lines[:first] + lines[last + 1 :])


def with_errors(text: str, errors: list[str]) -> str:
    """The draft with the errors as comments at the top, for the editor to show."""
    body = strip_blocks(text)
    block = [ERRORS_START, *(f"# {line}" for e in errors for line in e.splitlines()), ERRORS_END]
    return "\n".join(block) + "\n" + body


@dataclass
class DraftCheck:
    """What is wrong with an edited case: nothing (``ok``), or the problems to show."""

    text: str
    problems: list[str]

    @property
    def ok(self) -> bool:
        """True if the draft may be written."""
        return not self.problems


def check_draft(session: CaseSession, edited: str) -> DraftCheck:
    """Check what the user saved: a valid case in its current stage, identity unchanged."""
    text = strip_blocks(edited)
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
            problems.append(f"{key} cannot be changed here ({hint}); it was put back as it was")
    if "child" in loaded.data and isinstance(loaded.data["child"], dict):
        for key in ("name", "contact", "address", "phone"):
            if key in loaded.data["child"]:
                problems.append(
                    f"child.{key} is identity data: it never goes in case.yaml; "
                    f"use clr identity set {session.data.get('id')}"
                )
    if not problems:
        problems = [_say(f) for f in check_result(session, text)]
    return DraftCheck(text, problems)


def _say(f: Finding) -> str:
    where = f"line {f.line}: " if f.line else ""
    hint = f" ({f.hint})" if f.hint else ""
    return f"{where}{f.code} {f.message}{hint}"


def write_draft(session: CaseSession, text: str) -> str:
    """Write a checked draft over the case; return the diff."""
    diff = session.doc.diff(text)
    with locked(session.path.parent):
        write_atomic(session.path, text, expected_digest=session.doc.digest)
    return diff


def keep_draft(text: str, case_id: str) -> Path:
    """Keep a draft in a private file (0600) outside the repository; return its path."""
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", case_id) or "case"
    fd, name = tempfile.mkstemp(prefix=f"clr-edit-{safe}-", suffix=".yaml")
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, text.encode("utf-8"))
    finally:
        os.close(fd)
    return Path(name)
