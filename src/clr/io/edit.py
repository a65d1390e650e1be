"""Editing a person's YAML: change only the lines meant, write atomically, never clobber.

Edits are made on the text itself (``clr.io.splice``): a value is replaced where it stands, a
list item is inserted after the list's last item in the style of the items already there, a
new key goes after its parent's last line. Comments, key order, quoting, blank lines and
indentation elsewhere are left exactly as they were, so ``git diff`` shows only the change.
Every result is parsed again and compared with the data it should hold; if they differ,
the round-trip library (ruamel.yaml) makes the edit instead, and if that also fails the
edit is refused. Nothing is written that does not read back as intended.

Writes go through the one atomic writer (``clr.io.atomic``), so a crash leaves either the
old or the new file, never a part of one. A write is refused if the file changed on disk
since it was read, or if another clr is editing it.
"""

from __future__ import annotations

import contextlib
import copy
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from clr.errors import CaseFileError, WriteConflict
from clr.i18n import N_
from clr.io import yamlio
from clr.model.findings import Joined, said
from clr.model.record import Record

Path_ = tuple[str, ...]


def _digest(raw: bytes) -> str:
    from clr.io.atomic import digest

    return digest(raw)


class Document(Record):
    """A YAML file opened for editing."""

    path: Path
    raw: bytes
    text: str
    data: dict[str, Any]
    ops: list[tuple[str, Path_, Any]]

    def __init__(
        self,
        path: Path,
        raw: bytes,
        text: str,
        data: dict[str, Any],
        ops: list[tuple[str, Path_, Any]] | None = None,
    ) -> None:
        self.path = path
        self.raw = raw
        self.text = text
        self.data = data
        self.ops = ops if ops is not None else []

    @property
    def digest(self) -> str:
        """Hash of the bytes as read (to detect changes made meanwhile)."""
        return _digest(self.raw)

    def set(self, path: Path_, value: Any) -> None:
        """Set the value at ``path`` (mapping keys), creating missing mappings."""
        self.ops.append(("set", path, value))

    def append(self, path: Path_, item: Any) -> None:
        """Append ``item`` to the list at ``path``, creating the list if missing."""
        self.ops.append(("append", path, item))

    def remove(self, path: Path_) -> None:
        """Remove the key at ``path`` (and its value)."""
        self.ops.append(("remove", path, None))

    def rename(self, path: Path_, new_name: str) -> None:
        """Rename the key at ``path``, keeping its value and place."""
        self.ops.append(("rename", path, new_name))

    def expected(self) -> dict[str, Any]:
        """The data the file should hold once the edits are made."""
        data = copy.deepcopy(self.data)
        for op, path, value in self.ops:
            parent = data
            for key in path[:-1]:
                if not isinstance(parent.get(key), dict):
                    if op in ("remove", "rename"):
                        break
                    parent[key] = {}
                parent = parent[key]
            else:
                _apply_op(parent, op, path[-1], value)
        return data

    def render(self) -> str:
        """The new text: surgical edits, or ruamel.yaml when those do not read back right."""
        from clr.io.splice import (
            CannotSplice,
            apply_ruamel,
            apply_text_edits,
            apply_top_edits,
            reads_as,
        )

        want = self.expected()
        for splicer in (apply_top_edits, apply_text_edits):
            try:
                text = splicer(self.text, self.ops)
            except CannotSplice:
                continue
            if reads_as(text, want):
                return text
        text = apply_ruamel(self.text, self.ops)
        if reads_as(text, want):
            return text
        raise CaseFileError(  # pragma: no cover - both editors failing is a bug
            said(
                N_("{file}: clr could not make this edit without changing other data"),
                file=self.path,
            ),
            hint=said(N_("make the change by hand; nothing was written")),
        )

    def diff(self, new_text: str) -> str:
        """A unified diff from the file as read to ``new_text``."""
        import difflib

        name = os.path.relpath(self.path)
        if name.startswith(".."):
            name = str(self.path).lstrip("/")
        return "".join(
            difflib.unified_diff(
                self.text.splitlines(keepends=True),
                new_text.splitlines(keepends=True),
                fromfile=f"a/{name}",
                tofile=f"b/{name}",
            )
        )


def _apply_op(parent: dict[str, Any], op: str, key: str, value: Any) -> None:
    """Apply one edit to plain data (what the file should hold afterwards)."""
    if op == "remove":
        parent.pop(key, None)
    elif op == "rename":
        if key in parent:
            items = list(parent.items())
            parent.clear()
            parent.update((value if k == key else k, v) for k, v in items)
    elif op == "set":
        parent[key] = copy.deepcopy(value)
    else:
        current = parent.get(key)
        if not isinstance(current, list):
            parent[key] = current = []
        current.append(copy.deepcopy(value))


def open_document(path: Path, display: str | None = None) -> Document:
    """Read a YAML mapping for editing.

    Raises:
        CaseFileError: the file cannot be read or is not a valid YAML mapping.
    """
    shown = display or str(path)
    try:
        raw = yamlio.read_bytes(path)  # refuses a folder or a pipe (reading one could hang)
    except OSError as exc:
        raise CaseFileError(
            said(N_("{file}: cannot read: {reason}"), file=shown, reason=exc.strerror or exc)
        ) from None
    loaded = yamlio.parse_bytes(raw, shown)
    if loaded.data is None or any(f.severity == "error" for f in loaded.findings):
        first = loaded.findings[0]
        raise CaseFileError(
            Joined("", (f"{shown}:{first.line}:{first.col}: ", first.worded or first.message)),
            hint=first.hint_worded
            or first.hint
            or said(N_("fix the file first (clr validate shows every problem)")),
        )
    text = raw.decode("utf-8-sig")
    return Document(path, raw, text, loaded.data)


# --- writing -------------------------------------------------------------------------------


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on a case folder, or fail at once if another clr holds it.

    Raises:
        WriteConflict: another clr process is editing a case in this folder.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory locks, rely on the hash check
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WriteConflict(
                said(
                    N_("another clr command is changing {folder} right now; nothing was written"),
                    folder=folder,
                ),
                hint=said(N_("wait for it to finish, then run your command again")),
            ) from None
        yield
    finally:
        os.close(fd)


def write_atomic(path: Path, text: str, *, expected_digest: str | None) -> None:
    """Replace ``path`` with ``text`` atomically, refusing if it changed since it was read.

    Raises:
        WriteConflict: the file on disk is no longer the one that was read.
        ClrError: the file or its folder cannot be written (permissions, full disk).
    """
    from clr.io import atomic

    atomic.write(path, text, expected=expected_digest)
