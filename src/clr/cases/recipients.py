"""Adding a reader's public key to ``recipients`` in clr.yaml, without editing it by hand.

The key is checked (an ``age1…`` or SSH public key clr can encrypt to) and appended to the
list in place: comments, order and the rest of the file stay as they were, and the write is
atomic. Identity files already made stay encrypted to the keys they were made for until
someone who can read them runs ``clr identity rekey``; :class:`Added` says how many there
are.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from clr.cases.identity import IDENTITY_FILE, key_problem, parse_recipient
from clr.errors import ConfigError
from clr.i18n import N_
from clr.model.findings import said
from clr.model.record import Frozen
from clr.repo.repository import CONFIG_NAME, Config, Repository


class Added(Frozen):
    """What adding keys did: the keys added, those already listed, identity files to rekey."""

    added: tuple[str, ...]
    present: tuple[str, ...]
    identity_files: int

    def __init__(self, added: tuple[str, ...], present: tuple[str, ...], identity_files: int):
        self.__dict__.update(added=added, present=present, identity_files=identity_files)


def add_recipients(root: Path, keys: Sequence[str]) -> Added:
    """Append ``keys`` to ``recipients`` in ``root``'s clr.yaml (each once).

    Raises:
        ConfigError: a key is not a public key clr can encrypt to, or clr.yaml's
            ``recipients`` is not a list.
        ClrError: clr.yaml cannot be read or written (it changed meanwhile, permissions).
    """
    from clr.io import edit

    wanted: list[str] = []
    for key in keys:
        text = " ".join(key.split())  # an SSH key copied over two lines, or with a newline
        if "PRIVATE KEY" in text or text.upper().startswith("AGE-SECRET-KEY-"):
            raise ConfigError(  # said without quoting any of it: it is a secret
                said(N_("this is a private key: it must never be shared or written in clr.yaml")),
                hint=said(
                    N_(
                        "give the public key instead: the age1… line that 'clr keygen' printed "
                        "(also in the private key file, after '# public key:')"
                    )
                ),
            )
        try:
            parse_recipient(text)
        except ValueError as exc:
            raise ConfigError(
                key_problem(exc),
                hint=said(
                    N_(
                        "give the public key 'clr keygen' printed (age1…), or an ssh-ed25519 "
                        "or ssh-rsa public key; never a private key"
                    )
                ),
            ) from None
        if text not in wanted:
            wanted.append(text)
    path = root / CONFIG_NAME
    doc = edit.open_document(path, CONFIG_NAME)
    listed = doc.data.get("recipients")
    if listed is None:
        listed = []
    if not isinstance(listed, list):  # pragma: no cover - opening the repository refuses it
        raise ConfigError(
            said(N_("{file}: recipients is not a list"), file=CONFIG_NAME),
            hint=said(N_("make it a list of public keys, one '  - age1…' line each")),
        )
    present = tuple(k for k in wanted if k in listed)
    added = tuple(k for k in wanted if k not in listed)
    if added:
        for key in added:
            doc.append(("recipients",), key)
        with edit.locked(root):
            edit.write_atomic(path, doc.render(), expected_digest=doc.digest)
    return Added(added, present, count_identity_files(root))


def count_identity_files(root: Path) -> int:
    """How many of the cases ``clr identity rekey`` goes over have an identity file."""
    case_files = Repository(root, Config()).case_files()
    return sum(1 for f in case_files if os.path.lexists(f.with_name(IDENTITY_FILE)))
