"""``clr new-case``: a new case folder, created whole or not at all."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from clr.cases import identity, keystore
from clr.cases.caseops import CaseInvalid, history_time
from clr.checks.validate import check_case_data
from clr.errors import ClrError, MissingInput
from clr.i18n import N_
from clr.io import atomic, files, yamlio
from clr.io.resources import load_schema
from clr.io.splice import render_block
from clr.model import ages, countries
from clr.model.case import Case
from clr.model.dates import age_on, partial_bounds
from clr.model.findings import said
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
    found = keystore.case_identity(repo, case_file)
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
            said(
                N_("cannot read {file}: {reason}"),
                file=display_path(extra),
                reason=said(files.reason(exc)),
            ),
            hint=said(files.hint(exc)),
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
            said(N_("the new case would not be valid; nothing was created:")),
            errors,
            hint=said(N_("correct the values named above")),
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
        raise ClrError(
            said(
                N_("cannot create {folder}: {reason}"),
                folder=display_path(cases),
                reason=exc.strerror or exc,
            )
        ) from None
    case_id, text = prepare_case(repo, new, today=today)
    target = cases / case_id
    # Encrypted in memory: the plaintext never reaches the disk. With a key store, to a key
    # of the case's own (made now, its private half sealed to the recipients in the store).
    sealed = None
    if new.identity:
        from clr.cases.keystore import open_store

        identity.check(new.identity, case_id)
        store = open_store(repo.root, repo.config.key_store)
        extra = _recipients_in(new.recipients_file)
        targets = recipients + [k for k in extra if k not in recipients]
        if store is not None:
            targets = [store.create(case_id, targets)]
        sealed = identity.encrypt(new.identity, case_id, targets)
    try:
        staging = Path(tempfile.mkdtemp(prefix=".new-case-", dir=cases))  # in TEMP_PATTERNS
    except OSError as exc:
        raise ClrError(
            said(
                N_("cannot write in {folder}: {reason}"),
                folder=display_path(cases),
                reason=exc.strerror or exc,
            ),
            hint=said(N_("check the folder's permissions")),
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


def _recipients_in(raw: bytes | None) -> list[str]:
    """The public keys in a recipients.txt's bytes (comments and blank lines left out)."""
    if raw is None:
        return []
    lines = raw.decode("utf-8", "replace").splitlines()
    return [t.strip() for t in lines if t.strip() and not t.strip().startswith("#")]


# --- clr reopen: what a new case carries over from the closed one -----------------------

CARRIED_CHILD_FIELDS = ("pseudonym", "sex", "birth_date", "estimated_age", "age_basis")
"""What of the child a reopened case keeps (the rest is found out again)."""


def check_reopen(old: dict[str, Any], by: str | None, reopened_by: tuple[str, ...] = ()) -> None:
    """Refuse to reopen a case that is still open, already reopened, or without a name.

    ``reopened_by`` lists the cases that already say they reopen ``old`` (``reopens``).

    Raises:
        ClrError: the case is still open or already reopened, or nobody is named.
    """
    if old.get("stage") != "closed":
        raise ClrError(
            said(
                N_("{case} is still open (stage {stage})"),
                case=old.get("id"),
                stage=old.get("stage"),
            ),
            hint=said(N_("record what happened in the open case instead")),
        )
    already = [str(old["reopened_as"])] if old.get("reopened_as") else []
    already += [c for c in reopened_by if c not in already]
    if already:
        raise ClrError(
            said(
                N_("{case} was already reopened as {cases}: a closed case is reopened once"),
                case=old.get("id"),
                cases=", ".join(already),
            ),
            hint=said(
                N_(
                    "record what happened in {case}; if that case is closed too, reopen it "
                    "instead: clr reopen {case}"
                ),
                case=already[-1],
            ),
        )
    if not by:
        raise MissingInput(said(N_("say who opens the new case")), hint=said(N_("add --by NAME")))


def reopened_by(repo: Repository, case_id: str) -> tuple[str, ...]:
    """The cases of ``repo`` whose ``reopens`` names ``case_id`` (read as text, then parsed)."""
    found: list[str] = []
    for path in repo.case_files():
        try:
            text = files.read_text(path)
        except (OSError, UnicodeDecodeError):
            continue
        if case_id not in text or "reopens" not in text:
            continue
        loaded = yamlio.parse_text(text, display_path(path))
        if isinstance(loaded.data, dict) and loaded.data.get("reopens") == case_id:
            found.append(str(loaded.data.get("id", path.parent.name)))
    return tuple(found)


@dataclass(frozen=True)
class Carried:
    """What a reopened case carries over from the closed one, said to the user."""

    birth_date: str | None = None
    birth_date_verified: bool = False
    age: int | None = None
    on: dt.date | None = None
    track: str = ""
    track_reason: str = ""
    channel_carried: bool = False
    channel: str = ""


def _carried_child(
    old: dict[str, Any], day: dt.date, minimum: int | None
) -> tuple[dict[str, Any], str, Carried]:
    """The new case's child, its track worked out from the birth date, and what was carried.

    Raises:
        ClrError: the birth date makes the child 18 or over on ``day``.
    """
    previous = Case(old)
    child = {k: v for k, v in previous.child.items() if k in CARRIED_CHILD_FIELDS}
    verified = previous.age_verification.get("result") == "verified"
    birth = previous.age_verification.get("birth_date") if verified else None
    if isinstance(birth, str) and partial_bounds(birth) is not None:
        child["birth_date"] = birth
        documents = previous.age_verification.get("documents")
        kinds = (
            [d.get("type") for d in documents if isinstance(d, dict)]
            if isinstance(documents, list)
            else []
        )
        basis = next((k for k in kinds if k in case_enums()["age_basis"]), None)
        child["age_basis"] = basis or child.get("age_basis") or "other"
    birth = child.get("birth_date")
    bounds = partial_bounds(birth) if isinstance(birth, str) else None
    track = str(old.get("track"))
    if bounds is None:
        return child, track, Carried(track=track, track_reason="as in the closed case")
    age = age_on(bounds[1], day)
    child["estimated_age"] = age
    if age >= 18:
        raise ClrError(
            said(
                N_(
                    "the birth date {birth} makes the worker {age} on {day}: not a child, so "
                    "there is no child labour case to open"
                ),
                birth=birth,
                age=age,
                day=day,
            ),
            hint=said(
                N_(
                    "check the birth date in the closed case; record a concern about the "
                    "supplier elsewhere"
                )
            ),
        )
    if minimum is not None:
        track = "underage" if age < minimum else "young-worker"
        why = f"age {age} is {'below' if age < minimum else 'at or over'} the minimum age {minimum}"
    else:
        why = "the minimum age is not known: as in the closed case"
    return (
        child,
        track,
        Carried(
            birth_date=str(birth),
            birth_date_verified=verified and birth == previous.age_verification.get("birth_date"),
            age=age,
            on=day,
            track=track,
            track_reason=why,
        ),
    )


def reopening(
    old: dict[str, Any],
    *,
    by: str | None,
    today: dt.date,
    discovered: str | None = None,
    channel: str | None = None,
    work: str | None = None,
    carried: CarriedIdentity | None = None,
    minimum_ages: Any = None,
    buyer_codes: Any = None,
    said: list[Carried] | None = None,
) -> NewCase:
    """The new case that reopens the closed case ``old``: its site, child, track, playbook.

    The verified birth date comes over, and the age on the new discovery date and the
    track (underage or young-worker) are worked out from it against the minimum age
    (``minimum_ages``, ``buyer_codes``: clr.yaml). What was carried over is appended to
    ``said``, for the command to tell.

    Raises:
        ClrError: the case is still open, or nobody is named, or the child is now 18.
    """
    check_reopen(old, by)
    assert by is not None
    previous = Case(old)
    found = dt.date.fromisoformat(discovered) if discovered else today
    minimum = ages.for_case(
        {"site": previous.site},
        overrides=minimum_ages or {},
        buyer_codes=buyer_codes or {},
        work="general",
    )
    child, track, carried_facts = _carried_child(
        old, found, minimum.age if minimum is not None else None
    )
    discovery = {
        "date": found.isoformat(),
        "channel": channel or previous.discovery.get("channel", "other"),
        "work": work,
    }
    if said is not None:
        said.append(
            replace(
                carried_facts,
                channel=str(discovery["channel"]),
                channel_carried=channel is None,
            )
        )
    return NewCase(
        site=dict(previous.site),
        child=child,
        discovery=discovery,
        track=track,
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


_WHAT = {
    "channel": N_("channel"),
    "sex": N_("sex"),
    "age_basis": N_("age basis"),
    "track": N_("track"),
}
"""The values :func:`check_values` checks against a list, as a message names them."""


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
            said(N_("missing {fields}"), fields=", ".join(missing)),
            hint=said(
                N_(
                    "give them as flags (clr new-case --help), or run in a terminal without "
                    "--no-input to be asked"
                )
            ),
        )
    if isinstance(values["country"], str):
        found = countries.find(values["country"])
        if found is None:
            raise ClrError(
                said(N_("--country {value} is not a country"), value=repr(values["country"])),
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
                said(
                    N_("{value} is not a valid {what}"),
                    value=repr(values[key]),
                    what=said(_WHAT[key]),
                ),
                hint=said(N_("one of: {choices}"), choices=shown),
            )
    if values["discovered"]:
        try:
            day = dt.date.fromisoformat(values["discovered"])
        except ValueError:
            raise ClrError(
                said(
                    N_("{option} {value} is not a date"),
                    option="--discovered",
                    value=repr(values["discovered"]),
                ),
                hint=said(N_("write YYYY-MM-DD")),
            ) from None
        if day > today:
            raise ClrError(said(N_("--discovered {day} is in the future"), day=day))
    if values["birth_date"] and partial_bounds(values["birth_date"]) is None:
        raise ClrError(
            said(
                N_("{option} {value} is not a date"),
                option="--birth-date",
                value=repr(values["birth_date"]),
            ),
            hint=said(N_("write YYYY, YYYY-MM or YYYY-MM-DD")),
        )
