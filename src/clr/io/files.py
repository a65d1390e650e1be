"""The one way clr reads a file: regular files only, never waiting, never unbounded.

A named pipe (FIFO) opened for reading waits for a writer for ever; ``/dev/zero`` never
ends; a socket, a terminal or a tape drive can block or act when opened. Every file clr
reads (case files, ``clr.yaml``, playbooks, schemas, identity and key files, the result
cache, ``.gitignore``) goes through :func:`read_bytes`, which

* looks at the path first (``stat``) and refuses anything but a regular file before
  opening it, so a device is never opened;
* opens it with ``O_NONBLOCK`` (a pipe swapped in after that look cannot make ``open``
  wait) and, where asked, ``O_NOFOLLOW``;
* looks again at what it opened (``fstat``) and refuses anything but a regular file;
* reads at most ``limit`` bytes.

Refusals are :class:`OSError` subclasses with an ``errno`` and a ``strerror`` that say
what the path is ("it is a named pipe (FIFO), not a regular file"), so the callers'
existing ``except OSError`` turn them into messages naming the file.
"""

from __future__ import annotations

import errno
import os
import stat

from clr.i18n import N_

DEFAULT_LIMIT = 64 * 1024 * 1024
"""Largest file read by default: far over any file clr writes or expects."""

_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


class NotRegularFile(OSError):
    """The path is a pipe, a socket, a device or another kind of non-regular file."""


class FileTooLarge(OSError):
    """The file is larger than the reader's limit."""


def kind_of(mode: int) -> str:
    """What a file of this mode is, in words ("a named pipe (FIFO)", "a folder", …)."""
    if stat.S_ISDIR(mode):
        return "a folder"
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def _refuse(path: str | os.PathLike[str], mode: int) -> OSError:
    if stat.S_ISDIR(mode):
        return IsADirectoryError(errno.EISDIR, "it is a folder, not a file", os.fspath(path))
    return NotRegularFile(
        errno.EINVAL, f"it is {kind_of(mode)}, not a regular file", os.fspath(path)
    )


def read_bytes(
    path: str | os.PathLike[str],
    *,
    limit: int | None = DEFAULT_LIMIT,
    truncate: bool = False,
    follow_symlinks: bool = True,
) -> bytes:
    """The bytes of a regular file, read without ever waiting on a pipe or a device.

    Args:
        path: the file.
        limit: the most bytes to read (None: no limit).
        truncate: over ``limit``, return the first ``limit + 1`` bytes (the caller reports
            the size) rather than raise :class:`FileTooLarge`.
        follow_symlinks: False to refuse a symbolic link at ``path`` itself (ELOOP).

    Raises:
        OSError: it cannot be read (missing, no permission, a loop of links, a name too
            long), is a folder (:class:`IsADirectoryError`), is not a regular file
            (:class:`NotRegularFile`) or is over ``limit`` (:class:`FileTooLarge`).
    """
    info = os.stat(path, follow_symlinks=follow_symlinks)  # noqa: PTH116 - str paths too
    if not stat.S_ISREG(info.st_mode):
        if not follow_symlinks and stat.S_ISLNK(info.st_mode):
            why = "it is a symbolic link, which clr does not follow here"
            raise NotRegularFile(errno.ELOOP, why, os.fspath(path))
        raise _refuse(path, info.st_mode)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):  # swapped for a pipe or device since the stat
            raise _refuse(path, info.st_mode)
        chunks = []
        left = limit + 1 if limit is not None else -1
        while left != 0:
            chunk = os.read(fd, 1 << 20 if left < 0 else min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            if left > 0:
                left -= len(chunk)
        data = b"".join(chunks)
    finally:
        os.close(fd)
    if limit is not None and len(data) > limit and not truncate:
        raise FileTooLarge(
            errno.EFBIG,
            f"it is over clr's limit of {limit // 1048576 or 1} MiB for this file",
            os.fspath(path),
        )
    return data


def read_text(
    path: str | os.PathLike[str], *, limit: int | None = DEFAULT_LIMIT, encoding: str = "utf-8"
) -> str:
    """The text of a regular file (see :func:`read_bytes`).

    Raises:
        OSError: as :func:`read_bytes`.
        UnicodeDecodeError: the bytes are not text in ``encoding``.
    """
    return read_bytes(path, limit=limit).decode(encoding)


def is_regular(path: str | os.PathLike[str]) -> bool:
    """True if ``path`` is a regular file (following links); never opens it."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)  # noqa: PTH116
    except (OSError, ValueError):
        return False


def reason(exc: OSError) -> str:
    """Why a file could not be read, in words, for a message that names the file.

    clr's own words are msgids (``N_``): a message translates them with ``_()``; the
    system's own words (``strerror``) are kept as they are.
    """
    if isinstance(exc, (NotRegularFile, FileTooLarge, IsADirectoryError)) and exc.strerror:
        return exc.strerror
    if exc.errno == errno.ENAMETOOLONG:
        return N_("the name is too long for the file system")
    if exc.errno == errno.ELOOP:
        return N_("too many levels of symbolic links (a link that points back to itself?)")
    if exc.errno == errno.ENOTDIR:
        return N_("a part of the path is a file, not a folder")
    return exc.strerror or exc.__class__.__name__


def hint(exc: OSError) -> str:
    """What to do about a file that could not be read (a msgid: translate it with ``_()``)."""
    if isinstance(exc, PermissionError):
        return N_("you may not read this file: check its permissions (ls -l)")
    if isinstance(exc, IsADirectoryError):
        return N_("give the path of a file, not of a folder")
    if isinstance(exc, NotRegularFile):
        return N_("replace it with a regular file, or remove it")
    if isinstance(exc, FileTooLarge):
        return N_("check that this is the right file")
    if exc.errno in (errno.ENAMETOOLONG, errno.ELOOP, errno.ENOTDIR):
        return N_("check the path")
    return N_("check that the file exists and that you may read it")


__all__ = [
    "DEFAULT_LIMIT",
    "FileTooLarge",
    "NotRegularFile",
    "hint",
    "is_regular",
    "kind_of",
    "read_bytes",
    "read_text",
    "reason",
]
