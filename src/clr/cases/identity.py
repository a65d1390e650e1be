"""Identity files: who the child is, encrypted with age, kept apart from the case file.

A case's identity (name, contacts, address, ID document type and number, the guardian's
name and contact, whether photos exist, private notes) lives in
``cases/<id>/identity.yaml.age``: YAML, encrypted with `age <https://age-encryption.org>`_
(ASCII-armored) to the public keys listed under ``recipients`` in ``clr.yaml`` and, for
one case, in ``cases/<id>/recipients.txt`` (one key a line, as ``age -R`` reads it). The
standard ``age`` tool reads and writes the same files::

    age -d -i ~/.config/clr/identity.txt cases/<id>/identity.yaml.age

Plaintext is never written to disk by clr, except while the user edits it: then it is in
a private temporary file (mode 0600, in a folder only the user can open, in memory where
the system offers a place for that) that is removed afterwards, also on Ctrl-C.

Private keys are read from a file (``--identity-file``, ``CLR_IDENTITY_FILE`` or the
platform's configuration folder), never from a command-line flag or an environment
variable, and a key file that others may read is refused.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clr.errors import ClrError, ConfigError
from clr.i18n import N_, _
from clr.io import files
from clr.model.findings import Joined, Said, said

if TYPE_CHECKING:
    from typing import Protocol

    class KeyStore(Protocol):
        """What an identity file needs of the key store (``clr.cases.keystore``)."""

        @property
        def root(self) -> Path:
            """The store's folder."""

        def has(self, case_id: str) -> bool:
            """True if the case has a key."""

        def public(self, case_id: str) -> str | None:
            """The public half of the case's key."""

        def create(self, case_id: str, recipients: Sequence[str]) -> str:
            """Make a key for the case; its public half."""

        def case_key(self, case_id: str, keys: Sequence[Any]) -> Any:
            """The case's private key, opened with ``keys``."""

        def require(self) -> None:
            """Refuse a missing store."""

        def reseal(self, case_id: str, recipients: Sequence[str], keys: Sequence[Any]) -> None:
            """Encrypt the case's key again to ``recipients``."""

        def sealed_digest(self, case_id: str) -> str | None:
            """The digest of the case's sealed key."""


IDENTITY_FILE = "identity.yaml.age"
"""The encrypted identity file of a case, next to its case.yaml."""

RECIPIENTS_FILE = "recipients.txt"
"""Extra public keys for one case (``age -R`` format), next to its case.yaml."""

PLAINTEXT_NAMES = ("identity.yaml", "identity.yml")
"""Plaintext identity files: never made by clr, always a finding when git could see them."""

FIELDS = (
    "name",
    "contact",
    "address",
    "id_document_type",
    "id_document_number",
    "guardian_name",
    "guardian_contact",
    "photos",
    "notes",
)
"""The fields of an identity file (besides ``case``), in the order they are written."""

KEY_ENV = "CLR_IDENTITY_FILE"
"""The environment variable that holds the *path* of the user's key file (never a key)."""

KEY_NAME = "identity.txt"

ARMOR_BEGIN = b"-----BEGIN AGE ENCRYPTED FILE-----"
BINARY_BEGIN = b"age-encryption.org/v1"

SCHEMA_NAME = "identity"


# --- where the key is --------------------------------------------------------------------


def config_dir() -> Path:
    """Clr's folder in the platform's configuration folder."""
    home = Path.home()
    if sys.platform == "darwin":
        return home / "Library" / "Application Support" / "clr"
    if os.name == "nt":  # pragma: no cover - Windows
        base = os.environ.get("APPDATA")
        return (Path(base) if base else home / "AppData" / "Roaming") / "clr"
    base = os.environ.get("XDG_CONFIG_HOME")
    return (Path(base) if base and Path(base).is_absolute() else home / ".config") / "clr"


def default_key_path() -> Path:
    """Where ``clr keygen`` puts a key, and where clr looks for one by default."""
    return config_dir() / KEY_NAME


def key_path(given: Path | None = None) -> Path:
    """The key file to use: ``given``, else ``$CLR_IDENTITY_FILE``, else the default."""
    if given is not None:
        return given
    env = os.environ.get(KEY_ENV)
    return Path(env).expanduser() if env else default_key_path()


_read_regular = files.read_bytes  # for methods with a local named files
_KEY_LIMIT = 1024 * 1024
"""Largest key or recipients file read: a few hundred bytes a key."""

_NO_KEY_HINT = N_(
    "make one with 'clr keygen', and ask someone who can read the identity files to add "
    "its public key to 'recipients' in clr.yaml and run 'clr identity rekey'; or give the "
    "key file with --identity-file PATH or {env}=PATH"
)


def _no_key_hint() -> str:
    return _(_NO_KEY_HINT).format(env=KEY_ENV)


def check_private(path: Path) -> None:
    """Refuse a key file that other users may read or change.

    Raises:
        ClrError: the file is missing, not a file, or open to others.
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ClrError(said(N_("no key file at {file}"), file=path), hint=_no_key_hint()) from None
    except OSError as exc:
        raise ClrError(
            said(
                N_("cannot read the key file {file}: {reason}"),
                file=path,
                reason=exc.strerror or exc,
            )
        ) from None
    if not path.is_file():
        raise ClrError(said(N_("{file} is not a key file"), file=path), hint=_no_key_hint())
    if os.name == "posix" and info.st_mode & 0o077:
        raise ClrError(
            said(
                N_(
                    "the key file {file} can be read or changed by other users (mode {mode}); "
                    "clr does not use it"
                ),
                file=path,
                mode=f"{info.st_mode & 0o777:04o}",
            ),
            hint=said(
                N_(
                    "make it private: {command} (if others may have copied it, make a new key "
                    "with 'clr keygen' and have the files re-encrypted)"
                ),
                command=f"chmod 600 {shlex.quote(str(path))}",
            ),
        )


def load_keys(path: Path) -> list[Any]:
    """The age identities (private keys) in a key file, after checking it is private.

    The file may hold ``AGE-SECRET-KEY-1…`` lines (as ``age-keygen`` writes them, with
    ``#`` comments) or an unencrypted OpenSSH private key.

    Raises:
        ClrError: the file is missing, open to others, or holds no usable key.
    """
    import pyrage

    check_private(path)
    try:
        raw = files.read_bytes(path, limit=_KEY_LIMIT)
    except OSError as exc:
        raise ClrError(
            said(
                N_("cannot read the key file {file}: {reason}"),
                file=path,
                reason=said(files.reason(exc)),
            ),
            hint=said(files.hint(exc)),
        ) from None
    keys: list[Any] = []
    if b"-----BEGIN OPENSSH PRIVATE KEY-----" in raw:
        try:
            keys.append(pyrage.ssh.Identity.from_buffer(raw))
        except Exception:  # pyrage raises its own error types; never show the key
            raise ClrError(
                said(N_("the SSH key in {file} cannot be used"), file=path),
                hint=said(
                    N_("clr reads unencrypted ed25519 or RSA keys; or make an age key: clr keygen")
                ),
            ) from None
        return keys
    for number, line in enumerate(raw.decode("utf-8", "replace").splitlines(), 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        try:
            keys.append(pyrage.x25519.Identity.from_str(text))
        except Exception:
            raise ClrError(
                said(
                    N_("line {number} of the key file {file} is not an age secret key"),
                    number=number,
                    file=path,
                ),
                hint=said(
                    N_(
                        "a key file holds AGE-SECRET-KEY-1… lines, as 'clr keygen' or "
                        "'age-keygen' write them"
                    )
                ),
            ) from None
    if not keys:
        raise ClrError(said(N_("the key file {file} holds no key"), file=path), hint=_no_key_hint())
    return keys


# --- making a key ------------------------------------------------------------------------


@dataclass(frozen=True)
class NewKey:
    """A key file just written, and its public key."""

    path: Path
    public: str


def generate_key(path: Path, *, now: dt.datetime | None = None) -> NewKey:
    """Write a new age key file (mode 0600; its folder 0700 if made); never overwrite.

    The file is what ``age-keygen`` writes: ``# created:``, ``# public key:`` and the
    ``AGE-SECRET-KEY-1…`` line.

    Raises:
        ClrError: the file exists already, or cannot be written.
    """
    import pyrage

    key = pyrage.x25519.Identity.generate()
    public = str(key.to_public())
    moment = (now or dt.datetime.now(dt.timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ")
    text = f"# created: {moment}\n# public key: {public}\n{key}\n"
    from clr.errors import WriteConflict
    from clr.io import atomic

    exists = ClrError(
        said(
            N_(
                "{file} exists already: clr keygen never overwrites a key (whatever was "
                "encrypted to it could not be read any more)"
            ),
            file=path,
        ),
        hint=said(
            N_(
                "give another place with --output PATH; {command} prints the public key of the "
                "existing one"
            ),
            command=f"'age-keygen -y {shlex.quote(str(path))}'",
        ),
    )
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise ClrError(
            said(N_("cannot write {file}: {reason}"), file=path, reason=exc.strerror or exc)
        ) from None
    try:
        atomic.write(path, text, expected=atomic.ABSENT, mode=0o600)
    except WriteConflict:
        raise exists from None
    return NewKey(path, public)


# --- recipients --------------------------------------------------------------------------


def parse_recipient(text: str) -> Any:
    """A pyrage recipient for an ``age1…`` or ``ssh-ed25519``/``ssh-rsa`` public key.

    Raises:
        ValueError: not a public key clr can encrypt to.
    """
    import pyrage

    try:
        if text.startswith("age1"):
            return pyrage.x25519.Recipient.from_str(text)
        if text.startswith(("ssh-ed25519 ", "ssh-rsa ")):
            return pyrage.ssh.Recipient.from_str(text)
    except Exception:
        raise BadKey(said(N_("not a valid public key: {key}"), key=_short(text))) from None
    raise BadKey(said(N_("not an age or SSH public key: {key}"), key=_short(text)))


class BadKey(ValueError):
    """Not a public key clr can encrypt to: ``str()`` in English, ``words`` for a person."""

    def __init__(self, words: Said) -> None:
        super().__init__(words.english())
        self.words = words


def key_problem(exc: ValueError) -> str | Said:
    """What :func:`parse_recipient` said was wrong: words when it is a :class:`BadKey`."""
    return exc.words if isinstance(exc, BadKey) else str(exc)


def _short(text: str) -> str:
    return text if len(text) <= 24 else text[:20] + "…"


def case_recipients(config_recipients: Sequence[str], case_dir: Path) -> list[str]:
    """The public keys a case's identity is encrypted to: clr.yaml's, then the case's own.

    Raises:
        ConfigError: ``recipients.txt`` cannot be read or holds something that is not a key.
    """
    keys = [k.strip() for k in config_recipients if k.strip()]
    extra = case_dir / RECIPIENTS_FILE
    if os.path.lexists(extra):  # a pipe or a folder there is an error, not "no file"
        try:
            lines = files.read_text(extra, limit=_KEY_LIMIT).splitlines()
        except OSError as exc:
            raise ConfigError(
                said(
                    N_("cannot read {file}: {reason}"), file=extra, reason=said(files.reason(exc))
                ),
                hint=said(files.hint(exc)),
            ) from None
        except UnicodeDecodeError as exc:
            raise ConfigError(
                said(N_("cannot read {file}: {reason}"), file=extra, reason=exc)
            ) from None
        for number, line in enumerate(lines, 1):
            text = line.strip()
            if not text or text.startswith("#"):
                continue
            try:
                parse_recipient(text)
            except ValueError as exc:
                raise ConfigError(
                    Joined("", (f"{extra}:{number}: ", key_problem(exc))),
                    hint=said(
                        N_("one public key a line (age1… or ssh-ed25519 …); # starts a comment")
                    ),
                ) from None
            keys.append(text)
    return list(dict.fromkeys(keys))


_NO_RECIPIENTS_HINT = N_(
    "run 'clr keygen --add' to make a key pair and list its public key under 'recipients:' "
    "in clr.yaml (for each other person who may read identities: 'clr identity "
    "add-recipient KEY'), then try again"
)


def recipients_or_fail(recipients: Sequence[str]) -> list[Any]:
    """Parsed recipients, refusing an empty list.

    Raises:
        ClrError: no recipients.
        ConfigError: one is not a public key.
    """
    if not recipients:
        raise ClrError(
            said(
                N_(
                    "no recipients are configured, so identity details cannot be encrypted; "
                    "clr never keeps them in plaintext"
                )
            ),
            hint=said(_NO_RECIPIENTS_HINT),
        )
    out = []
    for text in recipients:
        try:
            out.append(parse_recipient(text))
        except ValueError as exc:
            raise ConfigError(
                said(N_("clr.yaml recipients: {problem}"), problem=key_problem(exc))
            ) from None
    return out


# --- the plaintext -----------------------------------------------------------------------

HEADER = (
    "# WHO THE CHILD IS. clr keeps this only encrypted (identity.yaml.age) and never\n"
    "# writes it to disk in plaintext. Fields: name, contact, address, id_document_type,\n"
    "# id_document_number, guardian_name, guardian_contact, photos (true/false: whether\n"
    "# photos exist; never the photos themselves), notes. Empty fields are left out.\n"
)


def clean(data: dict[str, Any]) -> dict[str, Any]:
    """The identity in its written order, without empty fields."""
    out: dict[str, Any] = {"case": data.get("case")}
    for key in (*FIELDS, *sorted(k for k in data if k not in FIELDS and k != "case")):
        value = data.get(key)
        if isinstance(value, str):
            value = value.strip()
        if value not in (None, ""):
            out[key] = value
    return out


def render(data: dict[str, Any], *, template: bool = False, header: bool = True) -> str:
    """The YAML text of an identity; with ``template``, empty fields are listed too."""
    from clr.io.splice import render_block

    body = clean(data)
    lines: list[str] = []
    for key in ("case", *FIELDS, *(k for k in body if k not in FIELDS and k != "case")):
        if key in body:
            lines += render_block({key: body[key]}, 0, '"', 2)
        elif template:
            lines.append(f"{key}:")
    return (HEADER if header else "") + "\n".join(lines) + "\n"


class IdentityInvalid(ClrError):
    """The identity text is not valid; the problems are listed in the message."""

    def __init__(
        self, message: Said, problems: Sequence[str | Said], hint: str | None = None
    ) -> None:
        super().__init__(Joined("\n", (message, *(Joined("", ("  ", p)) for p in problems))), hint)
        self.problems = [p if isinstance(p, str) else p.english() for p in problems]
        self.worded_problems = tuple(problems)


def parse(text: str, case_id: str, shown: str = "identity.yaml") -> dict[str, Any]:
    """Read identity YAML (from memory), check it against its schema and its case id.

    Raises:
        IdentityInvalid: it does not read as YAML, fails the schema or names another case.
    """
    from clr.checks import schemas
    from clr.io import yamlio

    loaded = yamlio.parse_text(text, shown)
    problems: list[str | Said] = [
        said(N_("line {line}: {problem}"), line=f.line, problem=f.worded or f.message)
        for f in loaded.findings
    ]
    if loaded.data is None:
        raise IdentityInvalid(
            said(N_("the identity is not valid YAML:")), problems or [said(N_("empty"))]
        )
    for finding in schemas.check(loaded.data, shown, SCHEMA_NAME):
        line, _ = loaded.locate(finding.pointer, key=finding.code == "CLR104")
        problems.append(
            said(N_("line {line}: {problem}"), line=line, problem=finding.worded or finding.message)
        )
    if not problems and loaded.data.get("case") != case_id:
        line, _ = loaded.locate("/case")
        problems.append(
            said(
                N_("line {line}: case must be {case} (the case this file belongs to)"),
                line=line,
                case=case_id,
            )
        )
    if problems:
        raise IdentityInvalid(said(N_("the identity is not valid; nothing was saved:")), problems)

    return clean(loaded.data)


def check(data: dict[str, Any], case_id: str) -> dict[str, Any]:
    """Check identity data (as a mapping) the way ``parse`` checks text.

    Raises:
        IdentityInvalid: it fails the schema or names another case.
    """
    return parse(render({**data, "case": case_id}), case_id)


# --- encrypting and decrypting -------------------------------------------------------------


def encrypt(data: dict[str, Any], case_id: str, recipients: Sequence[str]) -> bytes:
    """Check an identity and encrypt it (armored) to ``recipients``.

    Raises:
        IdentityInvalid: the identity fails its schema.
        ConfigError: no recipients, or one is not a public key.
    """
    import pyrage

    body = check(data, case_id)
    parsed = recipients_or_fail(recipients)
    out: bytes = pyrage.encrypt(render(body).encode("utf-8"), parsed, armored=True)
    return out


def looks_encrypted(raw: bytes) -> bool:
    """True if ``raw`` starts like an age file (armored or binary)."""
    return raw.lstrip()[: len(ARMOR_BEGIN)] == ARMOR_BEGIN or raw.startswith(BINARY_BEGIN)


def decrypt_text(raw: bytes, keys: Sequence[Any], shown: str) -> str:
    """The plaintext of an age file.

    Raises:
        ClrError: not an age file, or none of the keys opens it.
    """
    import pyrage

    if not looks_encrypted(raw):
        raise ClrError(
            said(N_("{file} is not an age-encrypted file"), file=shown),
            hint=said(N_("identity files are written by 'clr identity set/edit' or 'age -a'")),
        )
    try:
        plain: bytes = pyrage.decrypt(raw, list(keys))
    except Exception as exc:
        if "No matching keys" in str(exc):
            raise ClrError(
                said(
                    N_("your key cannot open {file}: it was not encrypted to your public key"),
                    file=shown,
                ),
                hint=said(
                    N_(
                        "ask someone who can read it to add your public key to 'recipients' in "
                        "clr.yaml (or to the case's recipients.txt) and run 'clr identity rekey'"
                    )
                ),
            ) from None
        raise ClrError(
            said(N_("{file} cannot be decrypted: it is damaged or not an age file"), file=shown)
        ) from None
    try:
        return plain.decode("utf-8")
    except UnicodeDecodeError:
        raise ClrError(
            said(N_("{file} does not hold UTF-8 text once decrypted"), file=shown)
        ) from None


# --- a case's identity file --------------------------------------------------------------


@dataclass
class CaseIdentity:
    """One case's identity file, as found on disk.

    With a key store (``store``), the file is encrypted to the case's own key, whose
    private half the store keeps encrypted to ``recipients``; without one, the file is
    encrypted to ``recipients`` directly (the format before key stores).
    """

    case_id: str
    folder: Path
    recipients: list[str]
    store: KeyStore | None = None

    @property
    def path(self) -> Path:
        """The encrypted file."""
        return self.folder / IDENTITY_FILE

    @property
    def exists(self) -> bool:
        """True if the case has an identity file."""
        return self.path.is_file()

    def read_raw(self) -> bytes | None:
        """The encrypted bytes, or None if there is no file."""
        try:
            return files.read_bytes(self.path)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise ClrError(
                said(
                    N_("cannot read {file}: {reason}"),
                    file=self.path,
                    reason=said(files.reason(exc)),
                ),
                hint=said(files.hint(exc)),
            ) from None

    def unlock(self, keys: Sequence[Any]) -> list[Any]:
        """The keys that open this case's identity: the user's, and the case's own key.

        Raises:
            ClrError: the case has a key in the store that the user's keys cannot open.
        """
        if self.store is not None and self.store.has(self.case_id):
            return [self.store.case_key(self.case_id, keys), *keys]
        return list(keys)

    def decrypt(self, keys: Sequence[Any], raw: bytes | None = None) -> dict[str, Any]:
        """The identity (empty but for ``case`` if there is no file yet).

        Raises:
            ClrError: the file cannot be decrypted or is not a valid identity.
        """
        raw = self.read_raw() if raw is None else raw
        if raw is None:
            return {"case": self.case_id}
        if self.store is not None and not self.store.has(self.case_id):
            self.store.require()
        try:
            text = decrypt_text(raw, self.unlock(keys), str(self.path))
        except ClrError as exc:
            if self.store is not None and "not encrypted to your public key" in exc.message:
                raise ClrError(
                    said(
                        N_(
                            "{file} cannot be opened: its case key is not in the key store "
                            "{folder}, and it was not encrypted to your key"
                        ),
                        file=self.path,
                        folder=self.store.root,
                    ),
                    hint=said(
                        N_(
                            "its identity was erased (see its erasure record), or the key "
                            "store is not the team's copy; 'clr migrate' moves older files to "
                            "case keys"
                        )
                    ),
                ) from None
            raise
        try:
            return parse(text, self.case_id, str(self.path))
        except IdentityInvalid as exc:
            raise ClrError(
                Joined(
                    "\n",
                    (
                        said(N_("{file} decrypts, but is not a valid identity:"), file=self.path),
                        *(f"  {p}" for p in exc.problems),
                    ),
                ),
                hint=said(
                    N_("correct it with: {command}"), command=f"clr identity edit {self.case_id}"
                ),
            ) from None

    def encryption_targets(self) -> list[str]:
        """The public keys the file is (to be) encrypted to: the case key, or the recipients.

        With a key store, a case without a key gets one (encrypted to ``recipients``).

        Raises:
            ClrError: the store is missing, or there are no recipients.
        """
        if self.store is None:
            return list(self.recipients)
        public = self.store.public(self.case_id)
        if public is None:
            public = self.store.create(self.case_id, self.recipients)
        return [public]

    def write(self, data: dict[str, Any], *, expected: bytes | None = None) -> None:
        """Encrypt ``data`` (to the case key, else the recipients) and replace the file.

        ``expected`` is the ciphertext read before the change: if the file changed
        meanwhile, nothing is written.

        Raises:
            IdentityInvalid, ConfigError, WriteConflict, CaseFileError.
        """
        from clr.io import atomic
        from clr.io.edit import locked

        check(data, self.case_id)
        recipients_or_fail(self.recipients)
        ciphertext = encrypt(data, self.case_id, self.encryption_targets())
        with locked(self.folder):
            # None: there was no file, and one that appeared meanwhile is never overwritten.
            wanted = atomic.ABSENT if expected is None else atomic.digest(expected)
            atomic.write(self.path, ciphertext, expected=wanted)


def case_identity(
    config_recipients: Sequence[str], case_file: Path, store: KeyStore | None = None
) -> CaseIdentity:
    """The identity file of the case whose case file is ``case_file``.

    Raises:
        ConfigError: the case's recipients.txt is unreadable or invalid.
    """
    folder = case_file.parent
    return CaseIdentity(folder.name, folder, case_recipients(config_recipients, folder), store)


# --- git's diff driver ------------------------------------------------------------------


def textconv(
    file: Path,
    key_file: Path | None = None,
    case_keys: Callable[[bytes, list[Any]], list[Any]] | None = None,
) -> str:
    """What ``git diff`` shows for an identity file: its plaintext, or one line saying why not.

    ``case_keys(raw, keys)`` adds the keys of the key store that may open ``raw`` (a file
    encrypted to its case's key). Never raises: a diff must not fail because a key is
    missing or a file is damaged.
    """
    try:
        raw = files.read_bytes(file)
    except OSError as exc:
        return "(clr: {})\n".format(
            _("cannot read this file: {reason}").format(reason=exc.strerror or exc)
        )
    if not looks_encrypted(raw):
        return raw.decode("utf-8", "replace")
    from clr.io.atomic import digest

    # The hash of the ciphertext, so that a diff without the key still shows a change.
    shown = _("identity file, encrypted ({digest})").format(digest=digest(raw)[:12])
    try:
        keys = load_keys(key_path(key_file))
        if case_keys is not None:
            keys = [*case_keys(raw, keys), *keys]
        return decrypt_text(raw, keys, file.name)
    except ClrError as exc:
        first = exc.text.splitlines()[0]
        return "(clr: {})\n".format(
            _("{file}; not shown: {reason}").format(file=shown, reason=first)
        )
    except Exception:  # never let the diff fail
        return "(clr: {})\n".format(_("{file}; it cannot be decrypted").format(file=shown))


# --- re-encrypting to a changed set of recipients ------------------------------------------

JOURNAL = "identity-recipients.json"
"""In ``.clr-cache/``: which identity file clr last encrypted to which set of recipients."""


def recipients_fingerprint(recipients: Sequence[str]) -> str:
    """A short hash of a set of public keys (order and repeats do not matter)."""
    import hashlib

    keys = sorted({k.strip() for k in recipients if k.strip()})
    return hashlib.sha256("\n".join(keys).encode()).hexdigest()[:32]


@dataclass
class RekeyResult:
    """What ``rekey`` did."""

    done: list[CaseIdentity]
    skipped: list[CaseIdentity]
    failed: list[tuple[Path, str]]
    cleaned: list[Path]


class _Journal:
    """The record that makes ``rekey`` resumable: file -> [ciphertext digest, recipients]."""

    def __init__(self, root: Path) -> None:
        import json

        self.path = root / ".clr-cache" / JOURNAL
        self.entries: dict[str, list[str]] = {}
        self.dirty = False
        try:
            loaded = json.loads(_read_regular(self.path))
            files = loaded.get("files") if loaded.get("format") == 1 else None
            if isinstance(files, dict):
                self.entries = {k: v for k, v in files.items() if isinstance(v, list)}
        except (OSError, ValueError, AttributeError):
            pass

    def save(self) -> None:
        import json

        from clr.io import atomic

        if not self.dirty:
            return
        with contextlib.suppress(OSError, ClrError):  # a lost journal only costs a redo
            self.path.parent.mkdir(exist_ok=True)
            ignore = self.path.parent / ".gitignore"
            if not ignore.exists():
                atomic.write(ignore, "*\n")
            atomic.write(self.path, json.dumps({"format": 1, "files": self.entries}))
            self.dirty = False


def rekey(
    root: Path,
    config_recipients: Sequence[str],
    case_files: Sequence[Path],
    keys: Sequence[Any],
    *,
    dry_run: bool = False,
    report: Callable[[CaseIdentity], None] | None = None,
    store: KeyStore | None = None,
) -> RekeyResult:
    """Encrypt every identity file of ``case_files`` again to its current recipients.

    With a key store, a case that has its own key keeps its identity file as it is, and
    its key in the store is encrypted again to the case's recipients instead; a case
    still encrypted to the recipients directly gets a key of its own.

    Resumable and idempotent: a file clr already encrypted to exactly the current set of
    recipients (recorded in ``.clr-cache/`` with the digest of what was written) is
    skipped, so a run that was killed is finished by running it again, and a second run
    changes nothing. Temporary files of a killed run are removed. ``report(ci)`` is
    called after each file re-encrypted.
    """
    from clr.io import atomic

    journal = _Journal(root)
    result = RekeyResult([], [], [], [])
    try:
        for number, case_file in enumerate(case_files, 1):
            try:
                ci = case_identity(config_recipients, case_file, store)
                if store is not None and store.has(ci.case_id):
                    if _reseal_case_key(store, ci, keys, journal, dry_run=dry_run):
                        result.skipped.append(ci)
                        continue
                    result.done.append(ci)
                    if report is not None:
                        report(ci)
                    continue
                if not dry_run:
                    for stale in atomic.stale_temporaries(ci.folder, IDENTITY_FILE):
                        with contextlib.suppress(OSError):
                            stale.unlink()
                            result.cleaned.append(stale)
                raw = ci.read_raw()
                if raw is None:
                    continue
                name = f"{ci.folder.parent.name}/{ci.folder.name}/{IDENTITY_FILE}"
                wanted = recipients_fingerprint(ci.recipients)
                if journal.entries.get(name) == [atomic.digest(raw), wanted]:
                    result.skipped.append(ci)
                    continue
                data = ci.decrypt(keys, raw)
                recipients_or_fail(ci.recipients)
                if not dry_run:
                    ci.write(data, expected=raw)
                    written = ci.read_raw()
                    if written is not None:
                        journal.entries[name] = [atomic.digest(written), wanted]
                        journal.dirty = True
            except ClrError as exc:
                result.failed.append((case_file.parent, exc.text.splitlines()[0]))
                continue
            result.done.append(ci)
            if report is not None:
                report(ci)
            if number % 50 == 0:
                journal.save()
    finally:
        journal.save()  # also on Ctrl-C: the next run skips what is done
    return result


def _reseal_case_key(
    store: KeyStore, ci: CaseIdentity, keys: Sequence[Any], journal: _Journal, *, dry_run: bool
) -> bool:
    """Encrypt a case's key in the store again to its recipients; True if it already was."""
    name = f"key-store/{ci.case_id}"
    wanted = recipients_fingerprint(ci.recipients)
    if journal.entries.get(name) == [store.sealed_digest(ci.case_id) or "", wanted]:
        return True
    store.case_key(ci.case_id, keys)  # fails now if the key cannot be opened
    recipients_or_fail(ci.recipients)
    if not dry_run:
        store.reseal(ci.case_id, ci.recipients, keys)
        journal.entries[name] = [store.sealed_digest(ci.case_id) or "", wanted]
        journal.dirty = True
    return False


# --- editing in a private temporary file ---------------------------------------------------


def private_folder() -> Path:
    """A place for a private temporary folder, in memory where the system offers one."""
    for candidate in (os.environ.get("XDG_RUNTIME_DIR"), "/dev/shm"):
        if candidate and Path(candidate).is_dir() and os.access(candidate, os.W_OK | os.X_OK):
            return Path(candidate)
    return Path(tempfile.gettempdir())


PRIVATE_PREFIX = "clr-identity-"
"""The start of the name of a private folder holding plaintext for the editor."""

LEGACY_AGE = 24 * 3600
"""Folders from clr versions that did not name their process are removed after a day."""


def sweep_private_folders(now: float | None = None) -> list[Path]:
    """Remove the private folders of ``clr identity edit`` runs that were killed.

    A run killed by SIGKILL (or a power cut with a disk-backed temporary folder) cannot
    remove the plaintext it gave the editor. Each folder carries its process id: a folder
    of the user's whose process no longer exists is shredded and removed. Returns them.
    """
    import time

    from clr.io.atomic import process_gone

    moment = time.time() if now is None else now
    places = {os.environ.get("XDG_RUNTIME_DIR") or "", "/dev/shm", tempfile.gettempdir()}
    uid = os.getuid() if hasattr(os, "getuid") else None
    removed: list[Path] = []
    for place in sorted(p for p in places if p):
        try:
            entries = list(os.scandir(place))
        except OSError:
            continue
        for entry in entries:
            if not entry.name.startswith(PRIVATE_PREFIX):
                continue
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if not entry.is_dir(follow_symlinks=False) or (uid is not None and info.st_uid != uid):
                continue
            pid_text = entry.name[len(PRIVATE_PREFIX) :].split("-", 1)[0]
            if pid_text.isdigit() and "-" in entry.name[len(PRIVATE_PREFIX) :]:
                stale = process_gone(int(pid_text))
            else:
                stale = moment - info.st_mtime > LEGACY_AGE
            if stale:
                shred_folder(Path(entry.path))
                if not os.path.lexists(entry.path):
                    removed.append(Path(entry.path))
    return removed


def editor_command() -> list[str]:
    """The user's editor: ``$VISUAL``, ``$EDITOR``, else ``vi`` (``notepad`` on Windows)."""
    chosen = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if chosen:
        return shlex.split(chosen, posix=os.name == "posix")
    return ["notepad"] if os.name == "nt" else ["vi"]


@contextlib.contextmanager
def _signals_interrupt() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into KeyboardInterrupt, so that clean-up code runs."""

    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    saved: list[tuple[int, Any]] = []
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is None:
            continue
        with contextlib.suppress(ValueError, OSError):  # not in the main thread
            saved.append((number, signal.signal(number, handler)))
    try:
        yield
    finally:
        for number, previous in saved:
            with contextlib.suppress(ValueError, OSError):
                signal.signal(number, previous)


@contextlib.contextmanager
def private_file(text: str, name: str = "identity.yaml") -> Iterator[Path]:
    """A file holding ``text``, readable only by the user, removed afterwards.

    The file (mode 0600) is in a new folder (mode 0700) that is removed with everything
    in it (editor swap files too) when the block ends, also on Ctrl-C, SIGTERM or SIGHUP.
    """
    with _signals_interrupt():
        # The process id in the name lets a later run remove the folder if this process is
        # killed (SIGKILL cannot be caught): see sweep_private_folders.
        prefix = f"{PRIVATE_PREFIX}{os.getpid()}-"
        folder = Path(tempfile.mkdtemp(prefix=prefix, dir=private_folder()))
        try:
            if os.name == "posix":
                folder.chmod(0o700)
            path = folder / name
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:  # atomic-writer: exempt
                handle.write(text)
            yield path
        finally:
            shred_folder(folder)


def shred_folder(folder: Path) -> None:
    """Overwrite the files in ``folder`` with zeros (best effort), then remove it."""
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError), open(entry.path, "r+b") as handle:  # noqa: PTH123
                    size = os.fstat(handle.fileno()).st_size
                    handle.write(b"\0" * size)
                    handle.flush()
                    os.fsync(handle.fileno())
    shutil.rmtree(folder, ignore_errors=True)


def run_editor(path: Path, command: Sequence[str] | None = None) -> None:
    """Open ``path`` in the user's editor and wait for it.

    Raises:
        ClrError: the editor cannot be started, or exits with an error.
    """
    argv = [*(command or editor_command()), str(path)]
    try:
        result = subprocess.run(argv, check=False)
    except FileNotFoundError:
        raise ClrError(
            said(N_("cannot start the editor {name}"), name=repr(argv[0])),
            hint=said(N_("set EDITOR (or VISUAL) to your editor, e.g. EDITOR=nano")),
        ) from None
    if result.returncode != 0:
        raise ClrError(
            said(
                N_("the editor exited with status {status}; nothing was saved"),
                status=result.returncode,
            )
        )


def edit_text(
    text: str, *, retry: Callable[[IdentityInvalid], bool] | None = None, case_id: str
) -> tuple[str, dict[str, Any]]:
    """Let the user edit identity ``text`` in their editor; return the new text and data.

    On invalid input, ``retry(error)`` decides whether to open the editor again (with the
    user's text); without it, the error is raised.

    Raises:
        IdentityInvalid: the edited text is not a valid identity (and no retry).
        ClrError: the editor failed.
    """
    with private_file(text, f"identity-{case_id}.yaml") as path:
        while True:
            run_editor(path)
            try:
                edited = files.read_text(path)
            except (OSError, UnicodeDecodeError) as exc:
                raise ClrError(
                    said(N_("cannot read back the edited file: {reason}"), reason=exc)
                ) from None

            try:
                return edited, parse(edited, case_id)
            except IdentityInvalid as exc:
                if retry is None or not retry(exc):
                    raise
