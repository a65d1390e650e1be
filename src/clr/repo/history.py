"""A case's history from git: every commit that touched its file, field by field.

Each version of the case file is read from git (``git cat-file --batch``, one process for
all of them) with clr's own YAML reader and compared with the version before, field by
field: not a text diff, so moving a block or re-quoting a value is no change. The case's
own ``history`` list is then checked against the commits: a stage that moved with no
entry saying so, an entry dated after the commit that added it, entries rewritten.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clr.errors import ClrError
from clr.i18n import N_
from clr.io import yamlio
from clr.model.dates import parse_datetime
from clr.model.findings import said

SIGNATURES: dict[str, str] = {
    "G": "good",
    "B": "bad",
    "U": "good, unknown validity",
    "X": "good, expired",
    "Y": "good, expired key",
    "R": "good, revoked key",
    "E": "cannot be checked",
    "N": "none",
}
"""git's ``%G?`` letters, in words."""

_MISSING = object()


class HistoryError(ClrError):
    """git is missing, or the case file is not in a git repository."""


@dataclass(frozen=True)
class Change:
    """One field's change: ``old`` or ``new`` is ``None`` when absent (``kind`` says which)."""

    field: str  # a dotted path, list items as [i]: visits[2].date
    kind: str  # added, removed, changed
    old: Any = None
    new: Any = None


@dataclass(frozen=True)
class Disagreement:
    """Where the case's ``history`` list and its commits do not tell the same story."""

    commit: str
    kind: str  # move-without-entry, entry-after-commit, history-rewritten
    message: str


@dataclass(frozen=True)
class Commit:
    """One commit that touched the case file, and what it changed in the case."""

    sha: str
    author: str
    email: str
    date: dt.datetime
    signature: str  # git's %G? letter
    subject: str
    path: str  # the file's path in that commit
    status: str  # A, M, R (renamed), D, C
    renamed_from: str | None = None
    stage_before: str | None = None
    stage_after: str | None = None
    changes: tuple[Change, ...] = ()
    error: str | None = None  # this version could not be read

    @property
    def signature_text(self) -> str:
        """The signature status in words."""
        return SIGNATURES.get(self.signature, self.signature or "unknown")


@dataclass
class CaseHistory:
    """Every commit that touched a case file, oldest first, and the disagreements found."""

    case_id: str | None
    path: str
    commits: list[Commit] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)


def _git(top: Path, *args: str, stdin: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(
            ["git", "-C", str(top), *args], input=stdin, capture_output=True, check=False
        )
    except FileNotFoundError:
        raise HistoryError(
            said(N_("git is not installed")), hint=said(N_("install git to read a case's history"))
        ) from None
    if done.returncode != 0:
        message = (done.stderr.decode("utf-8", "replace").strip().splitlines() or ["failed"])[-1]
        raise HistoryError(
            f"git {args[0]}: {message}",
            hint=said(
                N_("the case repository must be a git repository (git init; git add; git commit)")
            ),
        )
    return done.stdout


def _toplevel(folder: Path) -> Path:
    try:
        out = _git(folder, "rev-parse", "--show-toplevel")
    except HistoryError:
        raise HistoryError(
            said(
                N_("{folder} is not in a git repository: clr history reads the case's commits"),
                folder=folder,
            ),
            hint=said(N_("keep the case repository in git (git init, then commit the cases)")),
        ) from None
    return Path(out.decode("utf-8").strip())


_HEAD = "\x1e"
_SEP = "\x1f"
_FORMAT = _SEP.join(("%H", "%an", "%ae", "%aI", "%G?", "%s"))


def _log(top: Path, rel: str) -> list[dict[str, Any]]:
    """Commits touching ``rel`` (renames followed), newest first, with the path in each."""
    out = _git(
        top,
        "log",
        "--follow",
        "--find-renames",
        "--name-status",
        "--no-color",
        "-z",
        f"--format={_HEAD}{_FORMAT}",
        "--",
        rel,
    ).decode("utf-8", "replace")
    commits = []
    for block in out.split(_HEAD)[1:]:
        head, _, rest = block.partition("\0")
        sha, author, email, date, sig, subject = head.split(_SEP, 5)
        fields = [f for f in rest.strip("\n\0").split("\0") if f]
        status, paths = (fields[0], fields[1:]) if fields else ("M", [rel])
        commits.append(
            {
                "sha": sha,
                "author": author,
                "email": email,
                "date": dt.datetime.fromisoformat(date),
                "signature": sig,
                "subject": subject,
                "status": status[:1],
                "path": paths[-1] if paths else rel,
                "renamed_from": paths[0] if status[:1] in "RC" and len(paths) > 1 else None,
            }
        )
    return commits


def _blobs(top: Path, specs: list[str]) -> list[bytes | None]:
    """The contents of ``REV:path`` specs, read by one ``git cat-file --batch``."""
    if not specs:
        return []
    out = _git(top, "cat-file", "--batch", stdin="".join(f"{s}\n" for s in specs).encode())
    found: list[bytes | None] = []
    at = 0
    for _ in specs:
        end = out.index(b"\n", at)
        header = out[at:end].split()
        at = end + 1
        if len(header) < 3 or header[1] != b"blob":
            found.append(None)
            continue
        size = int(header[2])
        found.append(out[at : at + size])
        at += size + 1
    return found


def case_history(path: Path) -> CaseHistory:
    """The history of the case file at ``path`` from git, oldest commit first.

    Raises:
        HistoryError: git is missing, or the file is not in a git repository.
    """
    top = _toplevel(path.parent)
    rel = path.resolve().relative_to(top.resolve()).as_posix()
    entries = list(reversed(_log(top, rel)))
    blobs = _blobs(top, [f"{e['sha']}:{e['path']}" for e in entries if e["status"] != "D"])
    contents = iter(blobs)
    before: dict[str, Any] | None = None
    commits: list[Commit] = []
    disagreements: list[Disagreement] = []
    case_id = None
    for entry in entries:
        raw = next(contents) if entry["status"] != "D" else None
        data: dict[str, Any] | None = None
        error = None
        if raw is not None:
            loaded = yamlio.parse_bytes(raw, f"{entry['sha'][:8]}:{entry['path']}")
            data = loaded.data
            if data is None:
                first = next((f for f in loaded.findings if f.severity == "error"), None)
                error = first.message if first else "cannot be read"
        elif entry["status"] != "D":
            error = "not found in this commit"
        if data is not None and isinstance(data.get("id"), str):
            case_id = data["id"]
        commit = Commit(
            sha=entry["sha"],
            author=entry["author"],
            email=entry["email"],
            date=entry["date"],
            signature=entry["signature"],
            subject=entry["subject"],
            path=entry["path"],
            status=entry["status"],
            renamed_from=entry["renamed_from"],
            stage_before=_stage(before),
            stage_after=_stage(data),
            changes=tuple(diff(before, data)) if error is None else (),
            error=error,
        )
        commits.append(commit)
        if error is None:
            disagreements += cross_check(commit, before, data)
            before = data
    return CaseHistory(case_id, rel, commits, disagreements)


def _stage(data: dict[str, Any] | None) -> str | None:
    stage = data.get("stage") if data is not None else None
    return stage if isinstance(stage, str) else None


def diff(old: Any, new: Any, where: str = "") -> list[Change]:
    """Field-level changes from ``old`` to ``new``: mappings by key, lists by position."""
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[Change] = []
        for key in [*old, *(k for k in new if k not in old)]:
            name = f"{where}.{key}" if where else str(key)
            out += _diff_value(old.get(key, _MISSING), new.get(key, _MISSING), name)
        return out
    if old is None and isinstance(new, dict):
        return diff({}, new, where)
    if new is None and isinstance(old, dict):
        return diff(old, {}, where)
    return _diff_value(old, new, where or "(whole file)")


def _diff_value(old: Any, new: Any, name: str) -> list[Change]:
    if old is _MISSING:
        return [Change(name, "added", None, new)]
    if new is _MISSING:
        return [Change(name, "removed", old, None)]
    if old == new and type(old) is type(new):
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        return diff(old, new, name)
    if isinstance(old, list) and isinstance(new, list):
        out: list[Change] = []
        for i in range(max(len(old), len(new))):
            out += _diff_value(
                old[i] if i < len(old) else _MISSING,
                new[i] if i < len(new) else _MISSING,
                f"{name}[{i}]",
            )
        return out
    return [Change(name, "changed", old, new)]


def _history(data: dict[str, Any] | None) -> list[Any]:
    entries = data.get("history") if data is not None else None
    return entries if isinstance(entries, list) else []


def cross_check(
    commit: Commit, before: dict[str, Any] | None, after: dict[str, Any] | None
) -> list[Disagreement]:
    """Where one commit and the case's own ``history`` entries disagree."""
    if after is None:
        return []
    out: list[Disagreement] = []
    old, new = _history(before), _history(after)
    short = commit.sha[:8]
    kept = len(old) <= len(new) and new[: len(old)] == old
    if not kept:
        out.append(
            Disagreement(
                commit.sha,
                "history-rewritten",
                f"commit {short} changed or removed history entries written before it; "
                "history is append-only",
            )
        )
    added = new[len(old) :] if kept else [e for e in new if e not in old]
    moved = commit.stage_after is not None and commit.stage_after != commit.stage_before
    if moved and not any(isinstance(e, dict) and e.get("to") == commit.stage_after for e in added):
        came = f"from {commit.stage_before} " if commit.stage_before else ""
        out.append(
            Disagreement(
                commit.sha,
                "move-without-entry",
                f"commit {short} moved the case {came}to {commit.stage_after}, and added no "
                "history entry for that move",
            )
        )
    for entry in added:
        at = parse_datetime(entry.get("at")) if isinstance(entry, dict) else None
        if at is not None and at > commit.date:
            out.append(
                Disagreement(
                    commit.sha,
                    "entry-after-commit",
                    f"the history entry to {entry.get('to')} is dated {entry.get('at')}, after "
                    f"commit {short} that added it ({commit.date.isoformat()})",
                )
            )
    return out


def history_document(history: CaseHistory) -> dict[str, Any]:
    """The ``clr history --format json`` document."""
    from clr import __version__

    return {
        "version": 1,
        "tool": {"name": "clr", "version": __version__},
        "case": history.case_id,
        "path": history.path,
        "commits": [
            {
                "sha": c.sha,
                "author": c.author,
                "email": c.email,
                "date": c.date.isoformat(),
                "signature": c.signature,
                "signature_text": c.signature_text,
                "subject": c.subject,
                "path": c.path,
                "status": c.status,
                "renamed_from": c.renamed_from,
                "stage_before": c.stage_before,
                "stage_after": c.stage_after,
                "error": c.error,
                "changes": [
                    {"field": ch.field, "kind": ch.kind, "old": ch.old, "new": ch.new}
                    for ch in c.changes
                ],
            }
            for c in history.commits
        ],
        "disagreements": [
            {"commit": d.commit, "kind": d.kind, "message": d.message}
            for d in history.disagreements
        ],
    }
