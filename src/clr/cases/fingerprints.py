"""Writing each case's keyed fingerprints (``privacy.fingerprints``) into its case file.

The fingerprint needs the child's name (from the identity file, so a key) and the key
store's secret; the case file gets only the fingerprints. ``refresh`` brings every case
up to date: after ``clr migrate``, and whenever names were changed without a key store
at hand. ``clr identity set`` and ``edit`` update the case they change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clr.cases.caseops import commit, open_case
from clr.cases.keystore import KeyStore, case_identity, open_store
from clr.errors import ClrError
from clr.i18n import N_, _
from clr.model import fingerprint
from clr.model.findings import said
from clr.repo.repository import Repository


@dataclass
class Refreshed:
    """What ``refresh`` did: cases changed, unchanged, and those that failed (and why)."""

    changed: list[str] = field(default_factory=list)
    unchanged: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)


def wanted(data: dict[str, Any], name: str | None, secret: bytes) -> list[str]:
    """The fingerprints a case should carry, for the child's ``name``."""
    if not name:
        return []
    from clr.model.case import dig

    country = dig(data, "site", "country")
    return fingerprint.fingerprints(
        secret, name, fingerprint.birth_year(data), country if isinstance(country, str) else None
    )


def update_case(
    repository: Repository, case_file: Path, name: str | None, secret: bytes, today: dt.date
) -> bool:
    """Write the case's fingerprints if they changed; True if the file was written.

    Raises:
        ClrError: the case cannot be opened or written.
    """
    from clr.cases.erasure import is_erased

    session = open_case(str(case_file), today=today, start=repository.root)
    if is_erased(session.data):
        return False
    new = wanted(session.data, name, secret)
    if new == fingerprint.case_fingerprints(session.data):
        return False
    if new:
        session.doc.set(("privacy", "fingerprints"), new)
    elif isinstance(session.data.get("privacy"), dict) and len(session.data["privacy"]) == 1:
        session.doc.remove(("privacy",))
    else:
        session.doc.remove(("privacy", "fingerprints"))
    commit(session, what="fingerprint update")
    return True


def secret_of(repository: Repository, keys: Sequence[Any]) -> tuple[KeyStore, bytes]:
    """The repository's key store and the fingerprint secret in it.

    Raises:
        ClrError: no key store, or the keys cannot open its secret.
    """
    store = open_store(repository.root, repository.config.key_store)
    if store is None:
        raise ClrError(
            said(
                N_("this repository has no key store, which keeps the secret of the fingerprints")
            ),
            hint=said(
                N_("set key_store in clr.yaml and run 'clr keys init' (docs/data-protection.md)")
            ),
        )

    return store, store.secret(keys)


def refresh(
    repository: Repository, keys: Sequence[Any], today: dt.date, case_files: Sequence[Path]
) -> Refreshed:
    """Bring the fingerprints of ``case_files`` up to date (needs a key that reads them).

    Raises:
        ClrError: no key store, or the keys cannot open its secret.
    """
    _, secret = secret_of(repository, keys)
    out = Refreshed()
    for case_file in case_files:
        case_id = case_file.parent.name
        try:
            ci = case_identity(repository, case_file)
            raw = ci.read_raw()
            name = None
            if raw is not None:
                name = ci.decrypt(keys, raw).get("name")
            if update_case(repository, case_file, name, secret, today):
                out.changed.append(case_id)
            else:
                out.unchanged += 1
        except ClrError as exc:
            out.failed.append((case_id, exc.text.splitlines()[0]))
    return out


def after_identity_change(
    repository: Repository, case_file: Path, data: dict[str, Any], keys: Sequence[Any] | None
) -> str | None:
    """Update a case's fingerprints after its identity changed; a note for the user, or None.

    Best effort: without a key store, or a key that opens its secret, nothing is done and
    the note says how to catch up.
    """
    store = open_store(repository.root, repository.config.key_store)
    if store is None or not store.exists:
        return None
    if keys is None:
        return _("fingerprints not updated (no key at hand): run 'clr duplicates --refresh'")
    try:
        secret = store.secret(keys)
        from clr.repo.repository import today as today_of

        if update_case(repository, case_file, data.get("name"), secret, today_of(case_file)):
            return _("updated the case's fingerprints (privacy.fingerprints in case.yaml)")
    except ClrError as exc:
        return _("fingerprints not updated: {reason}").format(reason=exc.text.splitlines()[0])
    return None
