"""A cache of validation results for files that have not changed.

Each entry is keyed by the file's content hash; the whole cache by everything else the
result depends on: clr's version, the bundled schemas, the repository's playbooks and
``clr.yaml``, and for some kinds the day. Change any of them and the cache is not used.
Validation results instead record the span of days they hold for (deadlines and "no date
in the future" depend on the day): a new day keeps every result whose span reaches it.
The cache lives in ``.clr-cache/`` at the repository's root (``clr init`` keeps it out of
git), is written atomically, carries a checksum so a damaged file is never trusted, and
two clr processes may use it at once: the last to finish writes its view, and both views
are correct. A run over some of a repository's cases keeps the entries of the others.

Reading and hashing 10,000 files costs more than everything else a second run does, so an
entry also records the file's status (inode, size, modification and change times, as git's
index does). A file whose status is exactly as recorded is not read again. The change time
cannot be set back by tools such as ``touch``; a status is recorded only for a file last
modified and changed over three seconds before it was hashed, so that a change in the same
clock tick as the hashing can never hide behind an unchanged status.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
import operator
import os
import stat
import time
from pathlib import Path
from typing import Any

from clr import __version__, i18n
from clr.errors import ClrError
from clr.i18n import N_
from clr.io import files, resources, yamlio
from clr.model.findings import said

CACHE_DIR = ".clr-cache"
FORMAT = 4
CACHE_LIMIT = 512 * 1024 * 1024
"""Largest cache file read: entries for 10,000 cases take a few MiB."""
SETTLED_NS = 3_000_000_000
"""How long ago a file must have last changed for its status to be recorded."""

try:  # hashlib's blake2b without hashlib, which loads OpenSSL (4 ms of a warm run)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python built without it
    from hashlib import blake2b


def checksum(data: bytes) -> str:
    """The checksum of a cache file's body: finds damage, at a tenth of a hash's cost.

    (blake2b here is its reference code: about 20 instructions a byte, 0.1 s for the 26 MB
    of an export's rows.)
    """
    import zlib

    return f"crc32:{zlib.crc32(data):08x}:{len(data)}"


def digest(data: bytes) -> str:
    """The content hash used for cache entries."""
    return blake2b(data, digest_size=16).hexdigest()


def status(path: str | os.PathLike[str]) -> str:
    """The file's status as recorded in entries; "" if it is not a regular file."""
    try:
        st = os.stat(path)  # noqa: PTH116 - 10,000 calls: no Path objects
    except OSError:
        return ""
    if not stat.S_ISREG(st.st_mode):
        return ""
    return f"{st.st_ino}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}"


def settled(file_status: str) -> str:
    """The status to record: "" if the file changed too recently to trust its status.

    Both times count: some file systems (FAT on a USB stick) keep no change time and
    round modification times to two seconds.
    """
    if not file_status:
        return ""
    _, _, modified, changed = file_status.split(":")
    latest = max(int(modified), int(changed))
    return file_status if latest < time.time_ns() - SETTLED_NS else ""


@functools.cache
def _schemas_digest() -> str:
    h = blake2b(digest_size=16)
    for path in sorted(resources.schemas_dir().rglob("*.json")):
        h.update(path.name.encode())
        h.update(files.read_bytes(path))
    return h.hexdigest()


@functools.cache
def _code_digest() -> str:
    """Names, sizes and times of clr's own files: a changed rule invalidates the cache."""
    h = blake2b(digest_size=16)
    package = Path(__file__).parents[1]
    for folder, _, names in sorted(os.walk(package)):
        for name in sorted(names):
            if name.endswith((".py", ".yaml", ".json")):
                with contextlib.suppress(OSError):
                    st = os.stat(os.path.join(folder, name))  # noqa: PTH116, PTH118
                    h.update(f"{folder}/{name}:{st.st_size}:{st.st_mtime_ns}|".encode())
    return h.hexdigest()


def context_key(root: Path, playbook_files: list[Path], today: str, kind: str) -> str:
    """The key of everything a cached result depends on besides the file itself.

    ``today``: the day, for a kind whose results depend on it as a whole ("" if not).

    The YAML readers (names and versions) are part of it: a result cached under one reader
    is not trusted under another. So is the language clr speaks: a summary holds the
    playbook's texts in it.
    """
    h = blake2b(digest_size=16)
    h.update(f"{FORMAT}|{__version__}|{_code_digest()}|{kind}|{today}".encode())
    h.update(_schemas_digest().encode())
    h.update(f"|{yamlio.reader_key()}|{i18n.current()}|".encode())
    for path in [root / "clr.yaml", *sorted(playbook_files)]:
        h.update(str(path.name).encode())
        try:
            h.update(files.read_bytes(path))
        except OSError as exc:  # reading the file itself reports it; the key only differs
            h.update(f"<{exc.errno}>".encode())
    return h.hexdigest()


def _read(path: Path) -> bytes | None:
    """A cache file's bytes; None if missing, unreadable or oversized (work without it).

    A cache file that is not a regular file (a folder, a link, a fifo) is an error: clr
    would not write it so, and silently working around it would hide what made it.
    """
    try:
        return files.read_bytes(path, limit=CACHE_LIMIT, follow_symlinks=False)
    except (files.NotRegularFile, IsADirectoryError) as exc:
        raise ClrError(
            said(
                N_("cannot read the result cache {file}: {reason}"),
                file=path,
                reason=said(files.reason(exc)),
            ),
            hint=said(
                N_("remove it ({command}): clr builds the cache again"),
                command=f"rm -r {path.parent}",
            ),
        ) from None
    except OSError:
        return None


Result = tuple[Any, Any, str, int, str]
"""A validation result as :class:`ResultCache` keeps it."""


class ResultCache:
    """Validation results by file, for one repository and one context key.

    An entry is (content hash, result, status, first day, last day): the result holds on
    the days from first to last (date ordinals), and the status is the file's as
    :func:`file_status` gives it (() if not recorded). A result is (case id, stage,
    findings, a day, deadlines): findings and deadlines as JSON text ("" for none: most
    files), decoded only for the files that have some, and the deadlines only from the
    day given on (see ``clr.checks.validate``). The file is a header line (format, key,
    checksum of the rest) and the entries written by ``marshal`` in columns, as
    :class:`RowCache`'s: a warm run reads 10,000 entries in one call, and the shape of what
    it read is checked (strings, whole numbers, None and tuples of them only) before any of
    it is used.
    """

    def __init__(self, root: Path, key: str, kind: str = "validate") -> None:
        self.path = root / CACHE_DIR / f"{kind}.results"
        self.key = key
        self.entries: dict[str, tuple[str, Result, tuple[int, ...], int, int]] = {}
        self.flags: dict[str, Any] = {}
        """Facts about the whole context (e.g. that its playbooks were found without fault)."""
        self.dirty = False
        self._load()

    def _load(self) -> None:
        import marshal

        raw = _read(self.path)
        if raw is None:
            return  # missing, unreadable or oversized: work without it
        head, _, body = raw.partition(b"\n")
        try:
            header = json.loads(head)
            if (
                not isinstance(header, dict)
                or header.get("format") != FORMAT
                or header.get("key") != self.key
                or header.get("checksum") != checksum(body)
            ):
                return
            columns = marshal.loads(body)
        except (ValueError, EOFError, TypeError, RecursionError):
            return
        if type(columns) is not tuple or len(columns) != 10:
            return
        if not all(type(c) is tuple and len(c) == len(columns[0]) for c in columns):
            return
        names, digests, statuses, firsts, lasts, ids, stages, rows, late_from, late = columns
        if not {type(v) for c in (names, digests, rows, late) for v in c} <= {str}:
            return
        if not {type(v) for c in (firsts, lasts, late_from) for v in c} <= {int}:
            return
        if not (set(map(type, ids)) | set(map(type, stages))) <= {str, type(None)}:
            return
        if not plain(statuses):
            return
        results = zip(ids, stages, rows, late_from, late, strict=True)
        self.entries = dict(
            zip(names, zip(digests, results, statuses, firsts, lasts, strict=True), strict=True)
        )
        flags = header.get("flags")
        self.flags = flags if isinstance(flags, dict) else {}

    def set_flag(self, name: str, value: Any) -> None:
        """Record a fact about the whole context (saved with the entries)."""
        if self.flags.get(name) != value:
            self.flags[name] = value
            self.dirty = True

    def get(self, name: str, content_digest: str, day: int) -> Any:
        """The stored result for a file with this content, holding on ``day``, or None.

        ``day`` is a date's ordinal.
        """
        entry = self.entries.get(name)
        if entry is not None and entry[0] == content_digest and entry[3] <= day <= entry[4]:
            return entry[1]
        return None

    def content_of(self, name: str, day: int) -> str:
        """The content hash of the file's stored result holding on ``day``, or ""."""
        entry = self.entries.get(name)
        return entry[0] if entry is not None and entry[3] <= day <= entry[4] else ""

    def get_unchanged(self, name: str, status: tuple[int, ...], day: int) -> Any:
        """The stored result for a file whose status is as recorded, or None (read it)."""
        entry = self.entries.get(name)
        if status and entry is not None and entry[2] == status and entry[3] <= day <= entry[4]:
            return entry[1]
        return None

    def put(
        self,
        name: str,
        content_digest: str,
        result: Result,
        status: tuple[int, ...],
        days: tuple[int, int],
    ) -> None:
        """Store a result, with the file's status as it was before it was read.

        ``days`` (first, last, as date ordinals): the days the result holds for.
        """
        self.entries[name] = (content_digest, result, settled_status(status), *days)
        self.dirty = True

    def note_status(self, name: str, status: tuple[int, ...]) -> None:
        """Record the status of a file found unchanged by its content."""
        entry = self.entries.get(name)
        recorded = settled_status(status)
        if entry is not None and entry[2] != recorded:
            self.entries[name] = (entry[0], entry[1], recorded, entry[3], entry[4])
            self.dirty = True

    def keep_only(self, names: set[str]) -> None:
        """Forget files that are gone."""
        if len(names) == len(self.entries) and names.issuperset(self.entries):
            return
        for name in [n for n in self.entries if n not in names]:
            del self.entries[name]
            self.dirty = True

    def save(self) -> None:
        """Write the cache atomically; a cache that cannot be written is simply skipped."""
        if not self.dirty:
            return
        import marshal

        from clr.io import atomic

        values = self.entries.values()
        try:
            body = marshal.dumps(
                (
                    tuple(self.entries),
                    *(tuple(e[k] for e in values) for k in (0, 2, 3, 4)),
                    *(tuple(e[1][k] for e in values) for k in range(5)),
                )
            )
        except ValueError:  # a value marshal cannot write: no cache rather than a wrong one
            return
        header: dict[str, Any] = {"format": FORMAT, "key": self.key, "checksum": checksum(body)}
        if self.flags:
            header["flags"] = self.flags
        data = json.dumps(header).encode() + b"\n" + body
        with contextlib.suppress(OSError, ClrError):
            self.path.parent.mkdir(exist_ok=True)
            gitignore = self.path.parent / ".gitignore"
            if not gitignore.exists():
                atomic.write(gitignore, "*\n")
            atomic.write(self.path, data)


# --- the bulk views' rows -------------------------------------------------------------------

ROWS_FORMAT = 2
_PLAIN = frozenset({str, int, float, bool, type(None), tuple})
"""The only types a row of a :class:`RowCache` may hold (tuples of them too)."""


def plain(values: tuple[Any, ...]) -> bool:
    """True if ``values`` and every tuple in it hold only strings, numbers, None, tuples.

    One level of nesting at a time, each in one pass of C code (``map``, ``compress``):
    the rows of 10,000 cases hold about half a million values.
    """
    level: list[tuple[Any, ...]] = [values]
    while level:
        found = list(itertools.chain.from_iterable(level))
        kinds = list(map(type, found))
        distinct = set(kinds)
        if not distinct <= _PLAIN:
            return False
        if tuple not in distinct:
            return True
        level = list(itertools.compress(found, map(operator.is_, kinds, itertools.repeat(tuple))))
    return True


def file_status(path: str) -> tuple[int, ...]:
    """A file's status as a :class:`RowCache` records it: () if it is not a regular file."""
    try:
        st = os.stat(path)  # noqa: PTH116 - 10,000 calls: no Path objects
    except OSError:
        return ()
    if not stat.S_ISREG(st.st_mode):
        return ()
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def settled_status(status: tuple[int, ...]) -> tuple[int, ...]:
    """The status to record: () if the file changed too recently to trust it (``settled``)."""
    if not status:
        return ()
    return status if max(status[2], status[3]) < time.time_ns() - SETTLED_NS else ()


class RowCache:
    """The bulk views' rows by file (summaries, agendas, exports), for one context key.

    Rows are tuples of strings, numbers, None and tuples, kept with the file's content hash
    and status; none depends on the day, so the key has no day in it (the views work out
    what changes with the day when they read a row back). The file is a header line
    (format, key, checksum of the rest, as the validation cache) and the rows written by
    ``marshal`` in columns: names, content hashes, statuses, rows. ``marshal`` is several
    times faster to read than JSON, and reads back only plain values; the shape of what it
    reads is checked (plain types only, as :func:`plain`), and a file of another shape is
    not used, as a damaged one.
    """

    def __init__(self, root: Path, key: str, kind: str) -> None:
        self.path = root / CACHE_DIR / f"{kind}.rows"
        self.key = key
        self.entries: dict[str, tuple[str, tuple[int, ...], Any]] = {}
        self.dirty = False
        self._load()

    def _load(self) -> None:
        import marshal

        raw = _read(self.path)
        if raw is None:
            return
        head, _, body = raw.partition(b"\n")
        try:
            header = json.loads(head)
            if (
                not isinstance(header, dict)
                or header.get("format") != ROWS_FORMAT
                or header.get("key") != self.key
                or header.get("checksum") != checksum(body)
            ):
                return
            columns = marshal.loads(body)
        except (ValueError, EOFError, TypeError, RecursionError):
            return
        if type(columns) is not tuple or len(columns) != 4:
            return
        names, digests, statuses, rows = columns
        if not all(type(c) is tuple and len(c) == len(names) for c in columns):
            return
        if not (set(map(type, names)) | set(map(type, digests))) <= {str}:
            return
        if not plain(statuses) or not plain(rows):
            return
        self.entries = dict(zip(names, zip(digests, statuses, rows, strict=True), strict=True))

    def get(self, name: str, content_digest: str) -> Any:
        """The stored row of a file with this content, or None."""
        entry = self.entries.get(name)
        return entry[2] if entry is not None and entry[0] == content_digest else None

    def get_unchanged(self, name: str, status: tuple[int, ...]) -> Any:
        """The stored row of a file whose status is as recorded, or None (read it)."""
        entry = self.entries.get(name)
        return entry[2] if status and entry is not None and entry[1] == status else None

    def put(self, name: str, content_digest: str, row: Any, status: tuple[int, ...]) -> None:
        """Store a row, with the file's status as it was before it was read."""
        self.entries[name] = (content_digest, settled_status(status), row)
        self.dirty = True

    def note_status(self, name: str, status: tuple[int, ...]) -> None:
        """Record the status of a file found unchanged by its content."""
        entry = self.entries.get(name)
        recorded = settled_status(status)
        if entry is not None and entry[1] != recorded:
            self.entries[name] = (entry[0], recorded, entry[2])
            self.dirty = True

    def keep_only(self, names: set[str]) -> None:
        """Forget files that are gone."""
        if len(names) == len(self.entries) and names.issuperset(self.entries):
            return
        for name in [n for n in self.entries if n not in names]:
            del self.entries[name]
            self.dirty = True

    def save(self) -> None:
        """Write the cache atomically; a cache that cannot be written is simply skipped."""
        if not self.dirty:
            return
        import marshal

        from clr.io import atomic

        names = tuple(self.entries)
        values = self.entries.values()
        try:
            body = marshal.dumps(
                (
                    names,
                    tuple(e[0] for e in values),
                    tuple(e[1] for e in values),
                    tuple(e[2] for e in values),
                )
            )
        except ValueError:  # a value marshal cannot write: no cache rather than a wrong one
            return
        header = {"format": ROWS_FORMAT, "key": self.key, "checksum": checksum(body)}
        data = json.dumps(header).encode() + b"\n" + body
        with contextlib.suppress(OSError, ClrError):
            self.path.parent.mkdir(exist_ok=True)
            gitignore = self.path.parent / ".gitignore"
            if not gitignore.exists():
                atomic.write(gitignore, "*\n")
            atomic.write(self.path, data)
