"""Encrypted sharing: reports and exports written age-encrypted for their recipients.

``--encrypt-to`` takes a public key (``age1…``, ``ssh-ed25519 …``) or a file of them (one a
line, ``#`` comments, as ``age -R`` reads it). The output is armored age, which the
recipient opens with ``age -d -i KEY FILE`` (or clr's own tools), and which can travel by
e-mail. A file clr writes encrypted gets the ``.age`` suffix. The plaintext of an export
exists only in a private temporary folder (mode 0700, in memory where the system has a
place for it) that is overwritten and removed afterwards, also on Ctrl-C.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from clr.cases import identity
from clr.errors import ClrError
from clr.i18n import N_
from clr.io import atomic, files
from clr.model.findings import Joined, said

SUFFIX = ".age"


class BadRecipient(ClrError):
    """``--encrypt-to`` is neither a public key nor a readable file of them."""

    exit_code = 2


def recipients(spec: str) -> list[str]:
    """The public keys ``spec`` names: itself, or the keys in the file it names.

    Raises:
        BadRecipient: not a key, no such file, or a line of the file is not a key.
    """
    text = spec.strip()
    if text.startswith(("age1", "ssh-ed25519 ", "ssh-rsa ")):
        try:
            identity.parse_recipient(text)
        except ValueError as exc:
            raise BadRecipient(Joined("", ("--encrypt-to: ", identity.key_problem(exc)))) from None
        return [text]
    path = Path(spec).expanduser()
    if not path.is_file():
        raise BadRecipient(
            said(
                N_(
                    "--encrypt-to: {value} is neither a public key (age1…, ssh-ed25519 …) "
                    "nor a file"
                ),
                value=repr(spec),
            ),
            hint=said(N_("give the recipient's public key, or a file with one key a line")),
        )
    try:
        lines = files.read_text(path, limit=1024 * 1024).splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise BadRecipient(
            said(N_("--encrypt-to: cannot read {file}: {reason}"), file=path, reason=exc)
        ) from None
    out = []
    for number, line in enumerate(lines, 1):
        key = line.strip()
        if not key or key.startswith("#"):
            continue
        try:
            identity.parse_recipient(key)
        except ValueError as exc:
            raise BadRecipient(
                Joined("", (f"{path}:{number}: ", identity.key_problem(exc))),
                hint=said(N_("one public key a line (age1… or ssh-ed25519 …); # starts a comment")),
            ) from None
        out.append(key)
    if not out:
        raise BadRecipient(said(N_("--encrypt-to: {file} holds no public key"), file=path))
    return out


def seal(data: bytes | str, keys: list[str]) -> bytes:
    """``data`` encrypted (armored) to ``keys``."""
    import pyrage

    raw = data.encode("utf-8") if isinstance(data, str) else data
    parsed = [identity.parse_recipient(k) for k in keys]
    out: bytes = pyrage.encrypt(raw, parsed, armored=True)
    return out


def sealed_path(path: Path) -> Path:
    """Where an encrypted copy of ``path`` goes: ``path`` itself if it ends in .age."""
    return path if path.name.endswith(SUFFIX) else path.with_name(path.name + SUFFIX)


def write_sealed(path: Path, data: bytes | str, keys: list[str]) -> Path:
    """Write ``data`` encrypted to ``keys`` at ``sealed_path(path)``; return that path."""
    target = sealed_path(path)
    atomic.write(target, seal(data, keys))
    return target


@contextlib.contextmanager
def private_workdir() -> Iterator[Path]:
    """A private temporary folder for plaintext that is overwritten and removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="clr-share-", dir=identity.private_folder()))
    try:
        if os.name == "posix":
            folder.chmod(0o700)
        yield folder
    finally:
        identity.shred_folder(folder)
