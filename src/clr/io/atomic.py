"""The one atomic writer: every file clr writes goes through here.

A write goes to a new temporary file beside the target (its name from ``TEMP_PATTERNS``,
so that git and ``clr validate`` know it), is flushed to disk, takes the mode of the file
it replaces, and is renamed over the target; then the folder is flushed too, so that the
rename survives a power cut. A crash or SIGKILL at any moment leaves the old file or the
new one, never a part of one (and at worst a temporary file, which ``clr validate``
reports). An exception or Ctrl-C removes the temporary file.

With ``expected`` (the digest of the bytes clr read), a file that changed meanwhile is
never overwritten. A check followed by a rename leaves a window in which an editor's save
can land and be lost; on Linux clr closes it: it *exchanges* the two files in one step
(``renameat2(RENAME_EXCHANGE)``), then checks that the file it displaced is the one it
read, and swaps them back if not. Elsewhere the check is made just before the rename.
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Final

from clr.errors import ClrError, WriteConflict
from clr.i18n import N_
from clr.model.findings import said

TEMP_PATTERNS: Final = (
    ".*.tmp",  # the writer's own: .<name>.<pid>.<random>.tmp (older clr: .<name>-<random>.tmp)
    ".new-case-*",  # a new case's folder while its files are written
    ".*.clr-new",  # clr init, before clr 0.3
    ".*.clr-tmp",  # validate --output, before clr 0.3
)
"""Every name clr gives a temporary file or folder (shell patterns, as .gitignore reads them)."""

ABSENT: Final = "absent"
"""``expected`` for a file that must not exist yet: an existing one is never replaced."""


def digest(raw: bytes) -> str:
    """Hash of file contents, to tell whether a file changed since it was read."""
    try:
        from _blake2 import blake2b  # hashlib's own BLAKE2, without loading OpenSSL (2 ms)
    except ImportError:  # pragma: no cover - another Python implementation
        from hashlib import blake2b
    return blake2b(raw, digest_size=16).hexdigest()


def temp_name(target: Path) -> Path:
    """A fresh temporary name beside ``target``; it matches ``TEMP_PATTERNS[0]``."""
    return target.with_name(f".{target.name}.{os.getpid()}.{os.urandom(6).hex()}.tmp")


_WRITER_TEMP = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.[0-9a-f]{12}\.tmp$")


def process_gone(pid: int) -> bool:
    """True if no process ``pid`` exists (False when unsure, or for this process)."""
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # another user's process, or no way to ask: assume it is alive
        return False
    return False


def stale_temporaries(folder: Path, name: str) -> list[Path]:
    """The writer's temporary files for ``folder/name`` whose process no longer exists."""
    out: list[Path] = []
    try:
        names = os.listdir(folder)  # noqa: PTH208
    except OSError:
        return out
    for entry in names:
        match = _WRITER_TEMP.match(entry)
        if match and match["name"] == name and process_gone(int(match["pid"])):
            out.append(folder / entry)
    return sorted(out)


def is_temporary(name: str) -> bool:
    """True if ``name`` (a file or folder name) is one clr gives its temporary files."""
    return name.startswith(".") and any(fnmatch.fnmatchcase(name, p) for p in TEMP_PATTERNS)


def write(
    path: Path,
    data: bytes | str,
    *,
    expected: str | None = None,
    mode: int | None = None,
    shown: str | None = None,
) -> None:
    """Replace (or create) ``path`` with ``data``, atomically and durably.

    ``expected``: the digest of the bytes read before (refuse if the file changed), or
    ``ABSENT`` (refuse if it exists); ``None`` writes whatever is there. ``mode``: the new
    file's mode (default: the replaced file's, else 0666 less the umask).

    Raises:
        WriteConflict: the file is not the one that was read.
        ClrError: the file or its folder cannot be written (permissions, full disk).
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data

    def fill(tmp: Path) -> None:
        fd = os.open(tmp, os.O_WRONLY | os.O_TRUNC | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)

    with replacing(path, expected=expected, mode=mode, shown=shown) as tmp:
        fill(tmp)


@contextlib.contextmanager
def replacing(
    path: Path,
    *,
    expected: str | None = None,
    mode: int | None = None,
    shown: str | None = None,
) -> Iterator[Path]:
    """Yield a new empty temporary file for the caller to fill; then put it at ``path``.

    For writers that need a file name (SQLite). When the block ends normally, the file is
    flushed to disk and moved into place as :func:`write` does; on any exception (Ctrl-C
    too) it is removed and ``path`` is left as it was.

    Raises:
        WriteConflict, ClrError: as :func:`write`.
    """
    name = shown or str(path)
    folder = path.parent
    if expected is not None:
        _check(path, expected, name)
    tmp = temp_name(path)
    try:
        keep = _mode_of(path) if mode is None else mode
        if keep is not None and path.exists() and not os.access(path, os.W_OK):
            raise PermissionError(13, "Permission denied")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
    except OSError as exc:
        hint = N_("check the file's and folder's permissions; nothing was changed")
        raise _failed(name, exc, hint) from None
    try:
        yield tmp
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        if os.name == "posix":
            os.chmod(tmp, _default_mode() if keep is None else keep)  # noqa: PTH101
        _move(tmp, path, expected, name)
    except OSError as exc:
        _remove(tmp)
        raise _failed(name, exc, N_("the file was left as it was (is the disk full?)")) from None
    except BaseException:
        _remove(tmp)
        raise
    fsync_folder(folder)


def _failed(name: str, exc: OSError, hint: str) -> ClrError:
    """``cannot write name: reason``; ``hint`` is a msgid (``N_``)."""
    reason = exc.strerror or str(exc)
    return ClrError(
        said(N_("cannot write {file}: {reason}"), file=name, reason=reason), hint=said(hint)
    )


def _remove(tmp: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(tmp)  # noqa: PTH108


def _mode_of(path: Path) -> int | None:
    try:
        return os.stat(path).st_mode & 0o7777  # noqa: PTH116
    except OSError:
        return None


def _default_mode() -> int:
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def _read_digest(path: Path) -> str | None:
    try:
        with open(path, "rb") as handle:  # noqa: PTH123
            return digest(handle.read())
    except FileNotFoundError:
        return None


def _conflict(name: str) -> WriteConflict:
    return WriteConflict(
        said(N_("{file} changed on disk after clr read it; nothing was written"), file=name),
        hint=said(N_("someone (or an editor) saved it meanwhile: check it, then run again")),
    )


def _check(path: Path, expected: str, name: str) -> None:
    if expected == ABSENT:
        if os.path.lexists(path):
            raise _check_absent_failed(name)
        return
    try:
        current = _read_digest(path)
    except OSError as exc:
        raise _failed(name, exc, N_("check the file's permissions; nothing was changed")) from None
    if current != expected:
        raise _conflict(name)


# --- the move --------------------------------------------------------------------------------

RENAME_NOREPLACE = 1
RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _no_renameat2(src: Path, dst: Path, flags: int) -> bool:
    return False


def _load_renameat2() -> Callable[[Path, Path, int], bool]:
    """``renameat2`` through ctypes on Linux; a stand-in that always declines elsewhere.

    The function returns True if it did the move, False if the system cannot (then the
    caller falls back), and raises OSError for a real failure (the file is gone, …).
    """
    if not sys.platform.startswith("linux"):
        return _no_renameat2
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        call = libc.renameat2
    except (ImportError, OSError, AttributeError):  # pragma: no cover - old C library
        return _no_renameat2
    call.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    call.restype = ctypes.c_int
    import errno

    unsupported = {errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP}

    def renameat2(src: Path, dst: Path, flags: int) -> bool:
        if call(_AT_FDCWD, os.fsencode(src), _AT_FDCWD, os.fsencode(dst), flags) == 0:
            return True
        number = ctypes.get_errno()
        if number in unsupported:
            return False  # a file system without the flag (some network ones): fall back
        raise OSError(number, os.strerror(number), str(src))

    return renameat2


_RENAMEAT2: list[Callable[[Path, Path, int], bool]] = []


def renameat2(src: Path, dst: Path, flags: int) -> bool:
    """Rename with Linux's flags; False where the system offers no such rename."""
    if not _RENAMEAT2:
        _RENAMEAT2.append(_load_renameat2())
    return _RENAMEAT2[0](src, dst, flags)


def _move(tmp: Path, path: Path, expected: str | None, name: str) -> None:
    """Put ``tmp`` at ``path``, never displacing a file other than the one expected."""
    if expected is None:
        tmp.replace(path)
        return
    if expected == ABSENT:
        try:
            if renameat2(tmp, path, RENAME_NOREPLACE):
                return
            os.link(tmp, path)  # fails if the name is taken, atomically, everywhere
        except FileExistsError:
            raise _check_absent_failed(name) from None
        _remove(tmp)
        return
    ours = _read_digest(tmp)
    try:
        exchanged = renameat2(tmp, path, RENAME_EXCHANGE)
    except FileNotFoundError:
        raise _conflict(name) from None  # the file was removed meanwhile
    if not exchanged:
        _check(path, expected, name)  # the narrow window stays where the system has no exchange
        tmp.replace(path)
        return
    # ``tmp`` now holds the file that was at ``path``: is it the one clr read?
    if _read_digest(tmp) != expected:
        _put_back(tmp, path, ours)
        raise _conflict(name)
    _remove(tmp)


def _put_back(tmp: Path, path: Path, unwanted: str | None) -> None:
    """Undo an exchange that displaced another save: that save goes back to ``path``.

    ``tmp`` holds the file that belongs at ``path``; ``path`` holds clr's write (digest
    ``unwanted``). A further save may land meanwhile, over clr's write: then *it* is the
    newest and belongs at ``path``, and the older one is what its writer replaced. So:
    exchange, and as long as what comes back is not the unwanted file, it was a newer save
    that must win; exchange again.
    """
    for _ in range(100):
        if not renameat2(tmp, path, RENAME_EXCHANGE):  # pragma: no cover - it worked before
            break
        back = _read_digest(tmp)
        if back == unwanted or back is None:
            break
        unwanted = _read_digest(path)  # the older save, put back a moment ago: replaced
    _remove(tmp)


def _check_absent_failed(name: str) -> WriteConflict:
    return WriteConflict(
        said(N_("{file} exists already; clr does not overwrite it"), file=name),
        hint=said(N_("someone made it meanwhile: check it, then run again")),
    )


def fsync_folder(folder: Path) -> None:
    """Flush a folder's entries (a rename, a new file) to disk; best effort."""
    if os.name != "posix":  # pragma: no cover - Windows cannot open a folder
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
