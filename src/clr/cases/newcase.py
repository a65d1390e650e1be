"""``clr new-case``: a new case folder, created whole or not at all."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clr.cases import identity
from clr.cases.caseops import CaseInvalid, history_time
from clr.checks.validate import check_case_data
from clr.errors import ClrError, MissingInput
from clr.io import atomic, files, yamlio
from clr.io.resources import load_schema
from clr.io.splice import render_block
from clr.model import countries
from clr.model.case import Case
from clr.model.dates import partial_bounds
from clr.model.ids import new_case_id
from clr.repo.context import repository_context
from clr.repo.repository import CASE_FILE, Repository, display_path
from clr.repo.scaffold import schema_line, write_schemas

IDENTITY_FILE = identity.IDENTITY_FILE

# Fields that identify a child: they never go into case.yaml.
IDENTITY_FIELDS = identity.FIELDS


@dataclass
class NewCase:
    """What a new case is made of (identity data is kept apart)."""

    site: dict[str, Any]
    child: dict[str, Any]
    discovery: dict[str, Any]
    track: str = "underage"
    confirmed: bool = False
    by: str = ""
    playbook: str | None = None
    identity: dict[str, Any] = field(default_factory=dict)
    reopens: str | None = None
    recipients: tuple[str, ...] | None = None
    """The public keys ``identity`` is encrypted to (default: those in clr.yaml)."""
    recipients_file: bytes | None = None
    """A ``recipients.txt`` for the new case's folder (carried over by clr reopen)."""
    history_extra: dict[str, Any] = field(default_factory=dict)
    """More keys (``x-…``) of the first history entry: the submission a case came from."""


@dataclass(frozen=True)
class CarriedIdentity:
    """A closed case's identity, decrypted in memory only, for the case that reopens it."""

    identity: dict[str, Any]
    recipients: tuple[str, ...]
    recipients_file: bytes | None


def carry_identity(
    repo: Repository, case_file: Path, key_file: Path | None
) -> CarriedIdentity | None:
    """The identity of the case ``case_file``, to encrypt again for a new, linked case.

    The identity file is decrypted in memory with the user's key (``key_file``, else
    ``$CLR_IDENTITY_FILE``, else the default) and never written anywhere in plaintext. The
    case's own ``recipients.txt`` comes along, so that the same people can read the new
    case's identity. None if the case has no identity file.

    Raises:
        ClrError: no key, the key cannot open the file, it is not a valid identity, or
            there is no recipient to encrypt it to.
        ConfigError: the case's recipients.txt is unreadable or invalid.
    """
    found = identity.case_identity(repo.config.recipients, case_file)
    raw = found.read_raw()
    if raw is None:
        return None
    data = found.decrypt(identity.load_keys(identity.key_path(key_file)), raw)
    identity.recipients_or_fail(found.recipients)
    extra = found.folder / identity.RECIPIENTS_FILE
    try:
        carried_keys = files.read_bytes(extra) if os.path.lexists(extra) else None
    except OSError as exc:
        raise ClrError(
            f"cannot read {display_path(extra)}: {files.reason(exc)}", hint=files.hint(exc)
        ) from None
    return CarriedIdentity(
        {k: v for k, v in data.items() if k != "case"}, tuple(found.recipients), carried_keys
    )


def case_data(case_id: str, new: NewCase, repo: Repository, today: dt.date) -> dict[str, Any]:
    """The case file's data, in the order people read it."""
    stage = "identified" if new.confirmed else "reported"
    link = {"reopens": new.reopens} if new.reopens else {}
    return {
        "schema_version": 1,
        "id": case_id,
        "playbook": new.playbook or repo.config.default_playbook,
        "track": new.track,
        "stage": stage,
        **link,
        "opened": today.isoformat(),
        "site": {k: v for k, v in new.site.items() if v not in (None, "")},
        "child": {k: v for k, v in new.child.items() if v not in (None, "")},
        "discovery": {k: v for k, v in new.discovery.items() if v not in (None, "", [])},
        "history": [
            {
                "at": history_time(today, zone=repo.config.timezone),
                "from": None,
                "to": stage,
                "by": new.by,
                **new.history_extra,
            }
        ],
    }


def render_case(data: dict[str, Any]) -> str:
    """The text of a new case file: the schema line, then block YAML."""
    header = [
        schema_line(),
        "# A child labour remediation case, pseudonymous: names, contacts and addresses",
        "# belong only in the encrypted identity file. 'clr next' says what to do next.",
    ]
    return "\n".join([*header, *render_block(data, 0, '"', 2)]) + "\n"


def prepare_case(repo: Repository, new: NewCase, *, today: dt.date) -> tuple[str, str]:
    """A new case's id (free in ``cases/``) and the text of its case file, checked.

    Raises:
        CaseInvalid: the new case would not be valid.
    """
    cases = repo.cases_dir
    taken = {p.name for p in cases.iterdir()} if cases.is_dir() else set()
    case_id = new_case_id(repo.config.id_prefix, today.year, taken)
    text = render_case(case_data(case_id, new, repo, today))
    target = cases / case_id / CASE_FILE
    ctx, _ = repository_context(repo.root, today, repo.config)
    loaded = yamlio.parse_text(text, display_path(target))
    errors = check_case_data(loaded, target, ctx, errors_only=True)
    if errors:
        raise CaseInvalid(
            "the new case would not be valid; nothing was created:",
            errors,
            hint="correct the values named above",
        )
    return case_id, text


def create_case(repo: Repository, new: NewCase, *, today: dt.date) -> tuple[str, Path]:
    """Create ``cases/<id>/`` with its case file (and identity file), atomically.

    The folder is built under a temporary name inside ``cases/`` and renamed into place,
    so an interruption leaves no half-made case. Identity details are encrypted in memory
    to the repository's recipients (or ``new.recipients``) and written only as
    ``identity.yaml.age``, with ``new.recipients_file`` as ``recipients.txt``: with no
    recipients configured they are refused, and nothing is created.

    Raises:
        CaseInvalid: the new case would not be valid (nothing is created).
        ConfigError: identity details were given, but no recipients are configured.
        IdentityInvalid: the identity details are not valid.
        ClrError: the folder cannot be written.
    """
    cases = repo.cases_dir
    recipients = list(repo.config.recipients if new.recipients is None else new.recipients)
    if new.identity:
        # Checked before anything is made: identity details are kept encrypted or not at all.
        identity.recipients_or_fail(recipients)
    try:
        cases.mkdir(exist_ok=True)
    except OSError as exc:
        raise ClrError(f"cannot create {display_path(cases)}: {exc.strerror or exc}") from None
    case_id, text = prepare_case(repo, new, today=today)
    target = cases / case_id
    # Encrypted in memory: the plaintext never reaches the disk.
    sealed = identity.encrypt(new.identity, case_id, recipients) if new.identity else None
    try:
        staging = Path(tempfile.mkdtemp(prefix=".new-case-", dir=cases))  # in TEMP_PATTERNS
    except OSError as exc:
        raise ClrError(
            f"cannot write in {display_path(cases)}: {exc.strerror or exc}",
            hint="check the folder's permissions",
        ) from None
    # The files are written (and flushed) in a hidden folder that is then renamed into
    # place: the case appears whole or not at all.
    try:
        staging.chmod(0o755)
        atomic.write(staging / CASE_FILE, text, expected=atomic.ABSENT)
        if sealed is not None:
            atomic.write(staging / IDENTITY_FILE, sealed, expected=atomic.ABSENT)
        if new.recipients_file is not None:
            atomic.write(
                staging / identity.RECIPIENTS_FILE, new.recipients_file, expected=atomic.ABSENT
            )
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    atomic.fsync_folder(cases)
    # The case's schema line points into .clr/schemas/: a repository made before clr wrote
    # them (or with the folder deleted) gets them now.
    write_schemas(repo.root, missing_only=True)
    return case_id, target / CASE_FILE


# --- clr reopen: what a new case carries over from the closed one -----------------------

CARRIED_CHILD_FIELDS = ("pseudonym", "sex", "birth_date", "estimated_age", "age_basis")
"""What of the child a reopened case keeps (the rest is found out again)."""


def check_reopen(old: dict[str, Any], by: str | None) -> None:
    """Refuse to reopen a case that is still open, or without a name for the history.

    Raises:
        ClrError: the case is still open, or nobody is named.
    """
    if old.get("stage") != "closed":
        raise ClrError(
            f"{old.get('id')} is still open (stage {old.get('stage')})",
            hint="record what happened in the open case instead",
        )
    if not by:
        raise MissingInput("say who opens the new case", hint="add --by NAME")


def reopening(
    old: dict[str, Any],
    *,
    by: str | None,
    today: dt.date,
    discovered: str | None = None,
    channel: str | None = None,
    work: str | None = None,
    carried: CarriedIdentity | None = None,
) -> NewCase:
    """The new case that reopens the closed case ``old``: its site, child, track, playbook.

    Raises:
        ClrError: the case is still open, or nobody is named.
    """
    check_reopen(old, by)
    assert by is not None
    previous = Case(old)
    child = {k: v for k, v in previous.child.items() if k in CARRIED_CHILD_FIELDS}
    discovery = {
        "date": discovered or today.isoformat(),
        "channel": channel or previous.discovery.get("channel", "other"),
        "work": work,
    }
    return NewCase(
        site=dict(previous.site),
        child=child,
        discovery=discovery,
        track=str(old.get("track")),
        by=by,
        playbook=str(old.get("playbook")),
        reopens=str(old.get("id")),
        identity=carried.identity if carried else {},
        recipients=carried.recipients if carried else None,
        recipients_file=carried.recipients_file if carried else None,
    )


def case_enums() -> dict[str, list[str]]:
    """The allowed values new-case checks its answers and flags against, from the schema."""
    props = load_schema("case")["properties"]
    return {
        "channel": props["discovery"]["properties"]["channel"]["enum"],
        "sex": props["child"]["properties"]["sex"]["enum"],
        "age_basis": props["child"]["properties"]["age_basis"]["enum"],
        "track": props["track"]["enum"],
    }


def needed_fields(confirmed: bool) -> list[str]:
    """The fields a new case must have: one list for the prompts and the flags."""
    needed = ["site", "country", "channel", "pseudonym", "sex", "by"]
    if confirmed:  # what the identified stage needs
        needed += ["supplier", "sector", "work"]
    return needed


FLAGS = {
    "site": "--site",
    "country": "--country",
    "channel": "--channel",
    "pseudonym": "--pseudonym",
    "sex": "--sex",
    "by": "--by",
    "supplier": "--supplier",
    "sector": "--sector",
    "work": "--work",
}


def check_values(
    values: dict[str, Any], enums: dict[str, list[str]], today: dt.date, confirmed: bool
) -> None:
    """Check a new case's values, from flags or answers; normalise the country to its code.

    Raises:
        ClrError: a required value is missing or a value is not allowed, naming the flag.
    """
    missing = [FLAGS[k] for k in needed_fields(confirmed) if not values.get(k)]
    if confirmed and values["age"] is None and not values["birth_date"]:
        missing.append("--age or --birth-date")
    if missing:
        raise MissingInput(
            f"missing {', '.join(missing)}",
            hint="give them as flags (clr new-case --help), or run in a terminal "
            "without --no-input to be asked",
        )
    if isinstance(values["country"], str):
        found = countries.find(values["country"])
        if found is None:
            raise ClrError(
                f"--country {values['country']!r} is not a country",
                hint=countries.did_you_mean(values["country"]),
            )
        values["country"] = found.code
    for key, enum in (
        ("channel", "channel"),
        ("sex", "sex"),
        ("age_basis", "age_basis"),
        ("track", "track"),
    ):
        if values.get(key) and values[key] not in enums[enum]:
            shown = ", ".join(enums[enum][:12]) + (" …" if len(enums[enum]) > 12 else "")
            raise ClrError(
                f"{values[key]!r} is not a valid {key.replace('_', ' ')}", hint=f"one of: {shown}"
            )
    if values["discovered"]:
        try:
            day = dt.date.fromisoformat(values["discovered"])
        except ValueError:
            raise ClrError(
                f"--discovered {values['discovered']!r} is not a date", hint="write YYYY-MM-DD"
            ) from None
        if day > today:
            raise ClrError(f"--discovered {day} is in the future")
    if values["birth_date"] and partial_bounds(values["birth_date"]) is None:
        raise ClrError(
            f"--birth-date {values['birth_date']!r} is not a date",
            hint="write YYYY, YYYY-MM or YYYY-MM-DD",
        )
