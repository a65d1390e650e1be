"""The key store: each case's own key, kept outside the case repository.

A case's identity file is encrypted to a key of its own (an age X25519 key pair). The
public half is kept in plaintext in the store; the private half is kept there encrypted
to the people who may read the case's identity (``recipients`` in ``clr.yaml`` and the
case's ``recipients.txt``). Destroying the private half makes every version of the
identity file unreadable, the versions in the git history of the case repository too:
that is what erasure does (crypto-shredding).

The store is a folder named by ``key_store`` in ``clr.yaml`` (relative to the repository,
or absolute), or by ``$CLR_KEY_STORE``. It must not be a git repository, nor inside one:
a key removed from a git repository stays in its history. Its layout::

    clr-key-store.txt      what this folder is (plaintext, no secret)
    secret.age             the secret of the keyed fingerprints, encrypted to the team
    cases/<id>.pub         the public half of the case's key
    cases/<id>.age         its private half, encrypted to the case's recipients

Every file is written through the atomic writer. A new key's public half is written
first and its private half second, and a key counts as there only once its private half
is: a run killed in between leaves a public half that the next run replaces.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clr.errors import ClrError, ConfigError, WriteConflict
from clr.i18n import N_
from clr.io import atomic, files
from clr.model.findings import said

if TYPE_CHECKING:
    from clr.cases.identity import CaseIdentity
    from clr.repo.repository import Repository

STORE_ENV = "CLR_KEY_STORE"
"""The environment variable that names the key store's folder (overrides clr.yaml)."""

MARK = "clr-key-store.txt"
SECRET = "secret.age"
CASES = "cases"

_MARK_TEXT = (
    "This folder is a clr key store: the keys of the identity files of a case repository.\n"
    "cases/<id>.age is a case's key, encrypted to the people who may read its identity;\n"
    "secret.age is the secret of the keyed fingerprints. Deleting a case's key erases its\n"
    "identity, in the git history too: use 'clr erase', never delete by hand.\n"
    "Never put this folder in git (a deleted key would stay in the history). Back it up\n"
    "with copies that expire (see docs/data-protection.md).\n"
)
_LIMIT = 64 * 1024


@dataclass(frozen=True)
class Destroyed:
    """A case key that was destroyed: its fingerprint (never the key)."""

    case_id: str
    fingerprint: str


def key_fingerprint(public: str) -> str:
    """A short, stable fingerprint of a public key, for records: ``sha256:`` and 16 hex."""
    import hashlib

    return "sha256:" + hashlib.sha256(public.strip().encode()).hexdigest()[:16]


def in_git(folder: Path) -> Path | None:
    """The git work tree ``folder`` is in (its top), or None."""
    here = folder.resolve()
    for candidate in (here, *here.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


@dataclass(frozen=True)
class KeyStore:
    """A key store folder."""

    root: Path

    # --- paths -------------------------------------------------------------------------

    def _public_path(self, case_id: str) -> Path:
        return self.root / CASES / f"{_safe(case_id)}.pub"

    def _private_path(self, case_id: str) -> Path:
        return self.root / CASES / f"{_safe(case_id)}.age"

    @property
    def exists(self) -> bool:
        """True if the folder is a key store (it holds the mark file)."""
        return (self.root / MARK).is_file()

    def require(self) -> None:
        """Refuse a missing store.

        Raises:
            ConfigError: the folder is not a key store.
        """
        if not self.exists:
            raise ConfigError(
                said(
                    N_("the key store {folder} is missing (no {mark} in it)"),
                    folder=self.root,
                    mark=MARK,
                ),
                hint=said(
                    N_(
                        "make it with 'clr keys init', or point key_store in clr.yaml (or {env}) "
                        "at the team's copy"
                    ),
                    env=f"${STORE_ENV}",
                ),
            )

    # --- making --------------------------------------------------------------------------

    def init(self, recipients: Sequence[str]) -> bool:
        """Make the store (folder, mark, fingerprint secret); False if it was there.

        Raises:
            ClrError: the folder is in a git work tree, or cannot be written.
        """
        from clr.cases import identity

        top = in_git(self.root.parent if not self.root.exists() else self.root)
        if top is not None:
            raise ClrError(
                said(
                    N_(
                        "the key store {folder} would be inside the git repository {top}: a key "
                        "deleted there stays in git's history, so erasure would erase nothing"
                    ),
                    folder=self.root,
                    top=top,
                ),
                hint=said(
                    N_(
                        "choose a folder outside every git repository (e.g. next to the case "
                        "repository) and set key_store in clr.yaml to it"
                    )
                ),
            )
        parsed = identity.recipients_or_fail(recipients)
        made = not self.exists
        try:
            (self.root / CASES).mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise ClrError(
                said(
                    N_("cannot make {folder}: {reason}"),
                    folder=self.root,
                    reason=exc.strerror or exc,
                )
            ) from None
        if made:
            atomic.write(self.root / MARK, _MARK_TEXT)
        if not (self.root / SECRET).is_file():
            import secrets

            import pyrage

            secret = secrets.token_hex(32) + "\n"
            sealed = pyrage.encrypt(secret.encode(), parsed, armored=True)
            atomic.write(self.root / SECRET, sealed, expected=atomic.ABSENT, mode=0o600)
        return made

    # --- case keys -----------------------------------------------------------------------

    def has(self, case_id: str) -> bool:
        """True if the case has a key in the store (its private half is there)."""
        return self._private_path(case_id).is_file()

    def public(self, case_id: str) -> str | None:
        """The public half of the case's key, or None if the case has no key."""
        if not self.has(case_id):
            return None
        try:
            text = files.read_text(self._public_path(case_id), limit=_LIMIT).strip()
        except (OSError, UnicodeDecodeError):
            return None
        return text or None

    def create(self, case_id: str, recipients: Sequence[str]) -> str:
        """Make a key for a case that has none; return its public half.

        Raises:
            ClrError: the store is missing, the case has a key already, or no recipients.
        """
        import pyrage

        from clr.cases import identity

        self.require()
        parsed = identity.recipients_or_fail(recipients)
        if self.has(case_id):
            raise ClrError(said(N_("{case} has a key in the key store already"), case=case_id))
        key = pyrage.x25519.Identity.generate()
        public = str(key.to_public())
        body = f"# case: {case_id}\n# public key: {public}\n{key}\n"
        sealed = pyrage.encrypt(body.encode(), parsed, armored=True)
        atomic.write(self._public_path(case_id), public + "\n")
        try:
            atomic.write(self._private_path(case_id), sealed, expected=atomic.ABSENT, mode=0o600)
        except WriteConflict:
            raise ClrError(
                said(N_("{case} has a key in the key store already"), case=case_id)
            ) from None
        atomic.fsync_folder(self.root / CASES)
        return public

    def _open(self, case_id: str, keys: Sequence[Any]) -> str:
        from clr.cases import identity

        path = self._private_path(case_id)
        try:
            raw = files.read_bytes(path, limit=_LIMIT)
        except FileNotFoundError:
            raise ClrError(
                said(
                    N_("{case} has no key in the key store {folder}"),
                    case=case_id,
                    folder=self.root,
                ),
                hint=said(N_("its identity was erased, or the key store is not the team's copy")),
            ) from None
        except OSError as exc:
            raise ClrError(
                said(N_("cannot read {file}: {reason}"), file=path, reason=said(files.reason(exc)))
            ) from None
        try:
            return identity.decrypt_text(raw, keys, str(path))
        except ClrError as exc:
            if "not encrypted to your public key" in exc.message:
                raise ClrError(
                    said(
                        N_("your key cannot open the key of {case} in the key store"), case=case_id
                    ),
                    hint=said(
                        N_(
                            "ask someone who can read it to add your public key to 'recipients' "
                            "in clr.yaml and run 'clr identity rekey'"
                        )
                    ),
                ) from None
            raise

    def case_key(self, case_id: str, keys: Sequence[Any]) -> Any:
        """The case's private key (a pyrage identity), opened with the user's ``keys``.

        Raises:
            ClrError: no key, or the user's keys cannot open it.
        """
        import pyrage

        for line in self._open(case_id, keys).splitlines():
            if line.startswith("AGE-SECRET-KEY-"):
                return pyrage.x25519.Identity.from_str(line.strip())
        raise ClrError(  # pragma: no cover
            said(N_("the key of {case} in the key store is damaged"), case=case_id)
        )

    def reseal(self, case_id: str, recipients: Sequence[str], keys: Sequence[Any]) -> None:
        """Encrypt the case's key again to ``recipients`` (after they changed).

        Raises:
            ClrError: no key, the user's keys cannot open it, or no recipients.
        """
        import pyrage

        from clr.cases import identity

        parsed = identity.recipients_or_fail(recipients)
        path = self._private_path(case_id)
        before = files.read_bytes(path, limit=_LIMIT)
        body = self._open(case_id, keys)
        sealed = pyrage.encrypt(body.encode(), parsed, armored=True)
        atomic.write(path, sealed, expected=atomic.digest(before), mode=0o600)

    def sealed_digest(self, case_id: str) -> str | None:
        """The digest of the case's sealed key (for rekey's journal), or None."""
        try:
            return atomic.digest(files.read_bytes(self._private_path(case_id), limit=_LIMIT))
        except OSError:
            return None

    def destroy(self, case_id: str) -> Destroyed | None:
        """Destroy the case's key: overwrite its private half, remove both halves.

        Returns the fingerprint of the key destroyed, or None if there was none.
        """
        public = self.public(case_id)
        private = self._private_path(case_id)
        if not os.path.lexists(private):
            return None
        with contextlib.suppress(OSError), open(private, "r+b") as handle:  # noqa: PTH123
            size = os.fstat(handle.fileno()).st_size
            handle.write(b"\0" * size)  # atomic-writer: exempt (shredding in place)
            handle.flush()
            os.fsync(handle.fileno())
        private.unlink()
        with contextlib.suppress(FileNotFoundError):
            self._public_path(case_id).unlink()
        atomic.fsync_folder(self.root / CASES)
        return Destroyed(case_id, key_fingerprint(public) if public else "unknown")

    def case_ids(self) -> list[str]:
        """The cases that have a key in the store."""
        try:
            names = os.listdir(self.root / CASES)  # noqa: PTH208
        except OSError:
            return []
        return sorted(n[:-4] for n in names if n.endswith(".age") and not n.startswith("."))

    # --- the fingerprint secret ----------------------------------------------------------

    def secret(self, keys: Sequence[Any]) -> bytes:
        """The secret of the keyed fingerprints, opened with the user's ``keys``.

        Raises:
            ClrError: the store or its secret is missing, or the keys cannot open it.
        """
        from clr.cases import identity

        self.require()
        path = self.root / SECRET
        try:
            raw = files.read_bytes(path, limit=_LIMIT)
        except OSError as exc:
            raise ClrError(
                said(N_("cannot read {file}: {reason}"), file=path, reason=said(files.reason(exc)))
            ) from None
        text = identity.decrypt_text(raw, keys, str(path)).strip()
        return bytes.fromhex(text)

    def reseal_secret(self, recipients: Sequence[str], keys: Sequence[Any]) -> None:
        """Encrypt the fingerprint secret again to ``recipients``."""
        import pyrage

        from clr.cases import identity

        parsed = identity.recipients_or_fail(recipients)
        path = self.root / SECRET
        before = files.read_bytes(path, limit=_LIMIT)
        plain = identity.decrypt_text(before, keys, str(path))
        sealed = pyrage.encrypt(plain.encode(), parsed, armored=True)
        atomic.write(path, sealed, expected=atomic.digest(before), mode=0o600)


def _safe(case_id: str) -> str:
    if not case_id or "/" in case_id or "\\" in case_id or case_id.startswith("."):
        raise ClrError(said(N_("{case} is not a case id"), case=repr(case_id)))
    return case_id


def store_path(root: Path, configured: str | None) -> Path | None:
    """Where the key store of the repository at ``root`` is: $CLR_KEY_STORE, else clr.yaml."""
    given = os.environ.get(STORE_ENV) or configured
    if not given:
        return None
    path = Path(given).expanduser()
    return path if path.is_absolute() else (root / path).resolve()


def open_store(root: Path, configured: str | None) -> KeyStore | None:
    """The repository's key store, or None if it has none configured."""
    path = store_path(root, configured)
    return KeyStore(path) if path is not None else None


def case_identity(repository: Repository, case_file: Path) -> CaseIdentity:
    """The identity file of a case of ``repository``, with the repository's key store.

    Raises:
        ConfigError: the case's recipients.txt is unreadable or invalid.
    """
    from clr.cases import identity

    store = open_store(repository.root, repository.config.key_store)
    return identity.case_identity(repository.config.recipients, case_file, store)


@dataclass
class Moved:
    """What ``move_to_case_keys`` did."""

    moved: list[str]
    failed: list[tuple[str, str]]


def needs_case_key(store: KeyStore, case_folder: Path) -> bool:
    """True if the case has an identity file but no key in the store (without decrypting)."""
    from clr.cases.identity import IDENTITY_FILE

    return (case_folder / IDENTITY_FILE).is_file() and not store.has(case_folder.name)


def move_to_case_keys(
    repository: Repository, case_files: Sequence[Path], keys: Sequence[Any], *, dry_run: bool
) -> Moved:
    """Encrypt identity files that are encrypted to the recipients to keys of their own.

    Resumable: a case whose key was made but whose file was not yet encrypted again (a
    run killed in between) is found by trying its file with the case key alone, and
    finished. The versions already in git history stay encrypted to the recipients.

    Raises:
        ClrError: the store is missing.
    """
    import pyrage

    store = open_store(repository.root, repository.config.key_store)
    if store is None:
        return Moved([], [])
    store.require()
    out = Moved([], [])
    for case_file in case_files:
        ci = case_identity(repository, case_file)
        raw = ci.read_raw()
        if raw is None:
            continue
        try:
            if store.has(ci.case_id):
                own = store.case_key(ci.case_id, keys)
                try:
                    pyrage.decrypt(raw, [own])
                    continue  # done already
                except Exception:  # not yet: still encrypted to the recipients
                    pass
            data = ci.decrypt(keys, raw)
            if not dry_run:
                ci.write(data, expected=raw)
        except ClrError as exc:
            out.failed.append((ci.case_id, exc.text.splitlines()[0]))
            continue
        out.moved.append(ci.case_id)
    return out


def keys_for_file(store: KeyStore, raw: bytes, keys: Sequence[Any], limit: int = 2000) -> list[Any]:
    """The case key that opens ``raw`` (an identity file of unknown case), found by trying.

    An age file does not say which key it is for, and git hands a diff driver a temporary
    copy, without the case's folder: every case key the user can open is tried, up to
    ``limit`` of them (empty if none opens it, or the store is larger).
    """
    import pyrage

    ids = store.case_ids()
    if len(ids) > limit:
        return []
    for case_id in ids:
        try:
            key = store.case_key(case_id, keys)
            pyrage.decrypt(raw, [key])
        except Exception:
            continue
        return [key]
    return []
