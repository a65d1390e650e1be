"""Erasing a case's personal data: destroy its key, redact its free text, keep its figures.

Erasure (``clr erase`` for a request, ``clr retention apply`` when a retention period
ends) does, in this order:

1. writes the case file redacted: every free-text value replaced by ``[erased]``, the
   birth dates replaced by the band of the child's age at discovery (``child.age_band``),
   the keyed fingerprints removed, ``privacy.erased`` set and a history entry appended;
   the statistical skeleton stays (stages and their dates, outcomes, money, visits'
   dates and methods, the site);
2. writes the erasure record ``cases/<id>/erasure.yaml`` (no personal data: the case id,
   the date, the rule and its basis, who approved, the fingerprint of the destroyed key,
   the fields redacted and the commit the erasure was made on);
3. destroys the case's key in the key store, which makes every version of the identity
   file unreadable, the versions in git history too;
4. removes the identity file from the working tree.

Each step is written whole through the atomic writer, and the key is destroyed only once
the redacted case file is on disk: a run killed at any point leaves either the case as it
was with its key, or a redacted case whose key the next run (``clr erase`` again, or
``clr retention apply``) destroys.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clr.cases import identity
from clr.cases.caseops import CaseInvalid, CaseSession, check_result, history_time
from clr.cases.keystore import KeyStore, open_store
from clr.checks import privacy
from clr.errors import ClrError
from clr.i18n import N_
from clr.io import atomic, yamlio
from clr.io.edit import locked, write_atomic
from clr.io.splice import render_block
from clr.model.findings import join_pointer, said

ERASED = "[erased]"
"""What a redacted free-text value becomes."""

RECORD_FILE = "erasure.yaml"
"""The erasure record, next to the case file."""

GROUNDS = (
    "no_longer_necessary",
    "consent_withdrawn",
    "objection",
    "unlawful_processing",
    "legal_obligation",
    "child_data",
)
"""Grounds of a request for erasure (GDPR Art. 17(1) (a) to (f)), as ``clr erase`` takes them."""

KEEP_KEYS = frozenset({"site", "by", "recorded_by", "approved_by", "provider", "institution"})
"""Free-text keys that are not the child's data: the site and the staff who acted."""


@dataclass
class Record:
    """An erasure record (what ``erasure.yaml`` holds)."""

    case: str
    date: str
    rule: str
    basis: str
    approved_by: str
    key_fingerprint: str
    fields_redacted: list[str]
    commit: str
    notes: list[str] = field(default_factory=list)

    def as_data(self) -> dict[str, Any]:
        """The record as plain data, in its written order."""
        out: dict[str, Any] = {
            "case": self.case,
            "erased": self.date,
            "rule": self.rule,
            "basis": self.basis,
            "approved_by": self.approved_by,
            "key_fingerprint": self.key_fingerprint,
            "fields_redacted": list(self.fields_redacted),
            "commit": self.commit,
        }
        if self.notes:
            out["notes"] = list(self.notes)
        return out


def render_record(record: Record) -> str:
    """The text of ``erasure.yaml``."""
    head = (
        "# The erasure record of a case: what was erased, when, why and on whose approval.\n"
        "# It holds no personal data. Written by clr erase / clr retention apply.\n"
    )
    return head + "\n".join(render_block(record.as_data(), 0, '"', 2)) + "\n"


# --- what is redacted ------------------------------------------------------------------------


def redactions(data: dict[str, Any]) -> list[tuple[tuple[str | int, ...], Any]]:
    """The edits that redact a case: (path, new value), with None for "remove".

    Free text (any string under a key the privacy lint reads as text, except the site and
    the names of staff) becomes ``[erased]``; birth dates are removed (the age band is set
    by ``erase``); the keyed fingerprints are removed.
    """
    out: list[tuple[tuple[str | int, ...], Any]] = []

    def walk(value: Any, where: tuple[str | int, ...], text: bool) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(key, str) or key in KEEP_KEYS or key == "privacy":
                    continue
                if key in privacy.SKIP_KEYS:
                    if key == "birth_date" and item is not None:
                        out.append(((*where, key), None))
                    continue
                walk(item, (*where, key), True)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, (*where, i), text)
        elif isinstance(value, str) and text and value not in ("", ERASED):
            out.append((where, ERASED))

    walk({k: v for k, v in data.items() if k != "history"}, (), False)
    for i, entry in enumerate(data.get("history") or []):
        note = entry.get("note") if isinstance(entry, dict) else None
        if isinstance(note, str) and note != ERASED:
            out.append((("history", i, "note"), ERASED))
    fingerprints = (data.get("privacy") or {}).get("fingerprints")
    if fingerprints:
        out.append((("privacy", "fingerprints"), None))
    return out


def _set_path(data: Any, path: tuple[str | int, ...], value: Any) -> None:
    for key in path[:-1]:
        data = data[key]
    if value is None:
        del data[path[-1]]
    else:
        data[path[-1]] = value


def _age_band(data: dict[str, Any]) -> str | None:
    """The band of the child's age at discovery, as the figures count it."""
    from clr.views.summary import age_at_discovery, age_band

    age = age_at_discovery(data)
    return None if age is None else age_band(age)


def redacted_text(
    session: CaseSession, *, today: dt.date, by: str, note: str
) -> tuple[str, list[str]]:
    """The redacted case file's text, and the fields redacted (as dotted paths).

    A value the schema does not take as ``[erased]`` (a value from a fixed list, a code)
    is not free text: it is kept.

    Raises:
        CaseInvalid: the redacted case would not be valid.
    """
    edits = redactions(session.data)
    kept: set[str] = set()
    for _ in range(4):
        wanted = [(p, v) for p, v in edits if join_pointer(p) not in kept]
        text, fields = _redacted(session, wanted, today=today, by=by, note=note)
        errors = check_result(session, text)
        blamed = {f.pointer for f in errors} & {join_pointer(p) for p, v in wanted if v == ERASED}
        if not errors or not blamed:
            break
        kept |= blamed
    if errors:
        raise CaseInvalid(
            said(
                N_("the redacted {case} would not be valid; nothing was erased:"),
                case=session.shown,
            ),
            errors,
            hint=said(N_("fix the case first (clr validate), then erase it again")),
        )
    return text, fields


def _redacted(
    session: CaseSession,
    edits: list[tuple[tuple[str | int, ...], Any]],
    *,
    today: dt.date,
    by: str,
    note: str,
) -> tuple[str, list[str]]:
    import copy

    from clr.model.findings import pointer_to_path
    from clr.repo.scaffold import schema_line

    data = copy.deepcopy(session.data)
    band = _age_band(data)
    fields: list[str] = []
    for path, value in edits:
        _set_path(data, path, value)
        fields.append(pointer_to_path(join_pointer(path)))
    if band is not None and any(p[-1] == "birth_date" for p, _ in edits):
        data.setdefault("child", {})["age_band"] = band
    privacy_block = dict(data.get("privacy") or {})
    privacy_block["erased"] = today.isoformat()
    data["privacy"] = privacy_block
    stage = data.get("stage")
    zone = session.repo.config.timezone if session.repo else "UTC"
    data.setdefault("history", []).append(
        {"at": history_time(today, zone=zone), "from": stage, "to": stage, "by": by, "note": note}
    )
    # Written anew (not spliced): comments, which may hold personal data, go too; the
    # schema line for editors stays as it was.
    first = session.doc.text.split("\n", 1)[0]
    head = first if first.startswith("# yaml-language-server:") else schema_line()
    text = "\n".join([head, *render_block(data, 0, '"', 2)]) + "\n"
    return text, fields


# --- erasing -----------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What ``erase`` did."""

    record: Record
    resumed: bool
    key_destroyed: bool


def _head(root: Path) -> str:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--verify", "-q", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return "none"
    return done.stdout.strip() or "none"


def erase(
    session: CaseSession,
    *,
    today: dt.date,
    rule: str,
    basis: str,
    approved_by: str,
    store: KeyStore | None = None,
) -> Outcome:
    """Erase a case (see the module's description); resumes an erasure that was cut short.

    Raises:
        ClrError: the repository has no key store, or it is missing; the case file changed
            meanwhile; the redacted case would be invalid.
    """
    repo = session.repo
    if repo is None:
        raise ClrError(said(N_("{case} is not in a case repository"), case=session.shown))
    store = store or open_store(repo.root, repo.config.key_store)
    if store is None:
        raise ClrError(
            said(
                N_(
                    "this repository has no key store, so an identity cannot be erased: its "
                    "identity files are encrypted to the team's keys, and every version in git "
                    "history stays readable by them"
                )
            ),
            hint=said(
                N_(
                    "set key_store in clr.yaml, run 'clr keys init' and 'clr migrate' (see "
                    "docs/data-protection.md)"
                )
            ),
        )
    store.require()
    case_id = str(session.data.get("id"))
    folder = session.path.parent
    record_path = folder / RECORD_FILE
    already = (session.data.get("privacy") or {}).get("erased")
    public = store.public(case_id)
    fingerprint = "none"
    if public is not None:
        from clr.cases.keystore import key_fingerprint

        fingerprint = key_fingerprint(public)
    if already is None:
        note = f"identity erased: {rule}"
        text, fields = redacted_text(session, today=today, by=approved_by, note=note)
        with locked(folder):
            write_atomic(session.path, text, expected_digest=session.doc.digest)
        notes = []
        if public is None and (folder / identity.IDENTITY_FILE).exists():
            notes.append(
                "the identity file had no case key: its versions in git history stay "
                "readable by the keys it was encrypted to until the history is rewritten"
            )
        record = Record(
            case_id,
            today.isoformat(),
            rule,
            basis,
            approved_by,
            fingerprint,
            fields,
            _head(repo.root),
            notes,
        )
        atomic.write(record_path, render_record(record))
        resumed = False
    else:
        record = _read_record(record_path) or Record(
            case_id, str(already), rule, basis, approved_by, fingerprint, [], _head(repo.root)
        )
        if not record_path.exists():
            atomic.write(record_path, render_record(record))
        resumed = True
    # Only now, with the redacted case and its record on disk, is the key destroyed.
    destroyed = store.destroy(case_id)
    ci = identity.CaseIdentity(case_id, folder, [], store)
    if ci.exists:
        ci.path.unlink()
        atomic.fsync_folder(folder)
    return Outcome(record, resumed, destroyed is not None)


def _read_record(path: Path) -> Record | None:
    if not path.exists():
        return None
    loaded = yamlio.read_file(path, str(path))
    data = loaded.data
    if not isinstance(data, dict):
        return None
    return Record(
        str(data.get("case", "")),
        str(data.get("erased", "")),
        str(data.get("rule", "")),
        str(data.get("basis", "")),
        str(data.get("approved_by", "")),
        str(data.get("key_fingerprint", "")),
        [str(x) for x in data.get("fields_redacted") or []],
        str(data.get("commit", "")),
        [str(x) for x in data.get("notes") or []],
    )


# --- what git history still holds ------------------------------------------------------------


def readable_versions(root: Path, case_id: str, keys: list[Any]) -> tuple[int, int]:
    """(versions of the case's identity file in ``git log --all``, how many ``keys`` open).

    Every blob the identity file ever had, in every branch and tag, is tried with the
    keys. After erasure the answer should be (n, 0); a case whose early versions were
    encrypted to the team's keys (before ``clr migrate``) keeps those readable.
    """
    import pyrage

    rel = f"cases/{case_id}/{identity.IDENTITY_FILE}"
    try:
        listing = subprocess.run(
            ["git", "-C", str(root), "log", "--all", "--format=%H", "--", rel],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        return 0, 0
    blobs: set[str] = set()
    for commit in listing:
        found = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "-q", "--verify", f"{commit}:{rel}"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        if found:
            blobs.add(found)
    readable = 0
    for blob in sorted(blobs):
        raw = subprocess.run(
            ["git", "-C", str(root), "cat-file", "blob", blob], capture_output=True, check=True
        ).stdout
        try:
            pyrage.decrypt(raw, keys)
        except Exception:
            continue
        readable += 1
    return len(blobs), readable


def is_erased(data: dict[str, Any]) -> bool:
    """True if the case's identity was erased."""
    block = data.get("privacy")
    return isinstance(block, dict) and block.get("erased") is not None
