"""clr keys, clr erase, clr retention plan / apply, clr duplicates."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from clr.cli._common import AsOf, format_choices, format_name, format_option, parse_as_of
from clr.errors import ClrError
from clr.i18n import _
from clr.render import render, safe

if TYPE_CHECKING:
    from clr.cases.keystore import KeyStore
    from clr.repo.repository import Repository

    RetentionFormat = str
    DuplicatesFormat = str
else:
    RetentionFormat = format_choices("retention")
    DuplicatesFormat = format_choices("duplicates")

KeyFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--identity-file",
        "-i",
        metavar="PATH",
        help="Your private key file (default: $CLR_IDENTITY_FILE, else the file clr keygen makes).",
        show_default=False,
    ),
]
YesOpt = Annotated[
    bool, typer.Option("--yes", "-y", help="Do it without asking (erasure cannot be undone).")
]
ApprovedBy = Annotated[
    str,
    typer.Option(
        "--approved-by",
        metavar="NAME",
        help="Who approved the erasure (recorded in the erasure record).",
        show_default=False,
    ),
]


def _repository() -> tuple[Repository, KeyStore | None]:
    from clr.cases.keystore import open_store
    from clr.repo import repository as repo

    repository = repo.open_repository()
    return repository, open_store(repository.root, repository.config.key_store)


def _user_keys(identity_file: Path | None, *, required: bool) -> list[Any] | None:
    from clr.cases import identity

    path = identity.key_path(identity_file)
    if not required and identity_file is None and not path.exists():
        return None
    try:
        return identity.load_keys(path)
    except ClrError:
        if required:
            raise
        return None


def _say(text: str) -> None:
    """A message on stderr, escaped and broken at spaces to fit the terminal (80 at most)."""
    import shutil
    import textwrap

    width = min(max(shutil.get_terminal_size().columns - 1, 40), 79)
    shown = safe.terminal(text)
    typer.echo(
        textwrap.fill(shown, width=width, subsequent_indent="  ", break_on_hyphens=False),
        err=True,
    )


def _confirm(what: str, yes: bool) -> None:
    if yes:
        return
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        raise typer.BadParameter(
            _("{what} cannot be undone: add --yes to do it").format(what=what), param_hint="--yes"
        )
    if not typer.confirm(
        _("{what}? This cannot be undone").format(what=what), default=False, err=True
    ):
        raise typer.Exit(1)


# --- clr keys ----------------------------------------------------------------------------

keys_app = typer.Typer(
    help=(
        "The key store: each case's own key, kept outside the case repository.\n\n"
        "With key_store set in clr.yaml, each identity file is encrypted to a key of its "
        "case's own; the key store keeps the private halves encrypted to the recipients. "
        "Erasing a case destroys its key. See docs/data-protection.md.\n\n"
        "Example: clr keys init"
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
)


def keys_init_command() -> None:
    """Make the key store named by key_store in clr.yaml (or $CLR_KEY_STORE).

    Makes the folder, its README and the secret of the keyed fingerprints (encrypted to
    the recipients in clr.yaml). Refuses a folder inside a git repository. Then run
    'clr migrate' to give existing identity files keys of their own.

    Example: clr keys init
    """
    repository, store = _repository()
    if store is None:
        raise ClrError(
            _("clr.yaml names no key store"),
            hint=_(
                "add a line 'key_store: ../<name>-keys' (a folder outside this repository) "
                "to clr.yaml, then run this again"
            ),
        )
    made = store.init(repository.config.recipients)
    said = _("made the key store {folder}") if made else _("checked the key store {folder}")
    _say(said.format(folder=store.root))
    _say(
        _(
            "next: run 'clr migrate' to give existing identity files keys of their own, and "
            "back the folder up (docs/data-protection.md says how)"
        )
    )


def keys_status_command() -> None:
    """Say where the key store is, and which cases have a key in it.

    Example: clr keys status
    """
    repository, store = _repository()
    if store is None:
        typer.echo(_("no key store: identity files are encrypted to the recipients directly"))
        return
    store.require()
    from clr.cases import identity

    have = set(store.case_ids())
    without = [
        f.parent.name
        for f in repository.case_files()
        if (f.parent / identity.IDENTITY_FILE).is_file() and f.parent.name not in have
    ]
    typer.echo(safe.terminal(_("key store: {folder}").format(folder=store.root)))
    typer.echo(_("cases with a key: {count}").format(count=len(have)))
    typer.echo(
        _("identity files without a case key (run clr migrate): {count}").format(count=len(without))
    )
    for case_id in without:
        typer.echo(safe.terminal(f"  {case_id}"))


keys_app.command("init")(keys_init_command)
keys_app.command("status")(keys_status_command)


# --- clr erase -----------------------------------------------------------------------------


def _erase_one(
    repository: Repository,
    store: KeyStore | None,
    ref: str,
    *,
    today: Any,
    rule: str,
    basis: str,
    approved_by: str,
    keys: list[Any] | None,
) -> None:
    from clr.cases import erasure
    from clr.cases.caseops import open_case
    from clr.views import duplicates

    session = open_case(ref, today=today, start=repository.root)
    related = duplicates.related_to(duplicates.load([repository]), str(session.data.get("id")))
    outcome = erasure.erase(
        session, today=today, rule=rule, basis=basis, approved_by=approved_by, store=store
    )
    record = outcome.record
    if outcome.key_destroyed:
        key = _("its key {fingerprint} destroyed").format(fingerprint=record.key_fingerprint)
    elif record.key_fingerprint == "none":
        key = _("it had no case key")
    else:
        key = _("its key was already destroyed")
    said = (
        _("finished erasing {case}: {count} field(s) redacted, {key}; record in {record}")
        if outcome.resumed
        else _("erased {case}: {count} field(s) redacted, {key}; record in {record}")
    )
    _say(
        said.format(
            case=record.case,
            count=len(record.fields_redacted),
            key=key,
            record=f"{record.case}/{erasure.RECORD_FILE}",
        )
    )
    for note in record.notes:
        _say(_("note: {note}").format(note=note))
    if related:
        _say(
            _(
                "note: {cases} may hold the same child's data (linked, or the same "
                "fingerprint); erase them too if the request or the rule covers them"
            ).format(cases=", ".join(related))
        )
    if keys is not None:
        total, readable = erasure.readable_versions(repository.root, record.case, keys)
        if readable:
            _say(
                _(
                    "warning: {readable} of {total} version(s) of its identity file in git "
                    "history still open with your key: they were written before the case had a "
                    "key of its own; only rewriting the history removes them (see "
                    "docs/data-protection.md)"
                ).format(readable=readable, total=total)
            )
        elif total:
            _say(
                _(
                    "checked: none of the {total} version(s) of its identity file in git "
                    "history opens with your key"
                ).format(total=total)
            )


def erase_command(
    case: Annotated[
        str, typer.Argument(help="A case id (or its start), folder or file.", show_default=False)
    ],
    ground: Annotated[
        str,
        typer.Option(
            "--ground",
            metavar="GROUND",
            help="The ground of the request: no_longer_necessary, consent_withdrawn, "
            "objection, unlawful_processing, legal_obligation or child_data.",
            show_default=False,
        ),
    ],
    approved_by: ApprovedBy,
    yes: YesOpt = False,
    identity_file: KeyFileOpt = None,
    as_of: AsOf = None,
) -> None:
    """Erase a child's personal data on request: destroy the case key, redact the case.

    Destroys the case's key in the key store (every version of its identity file, in git
    history too, can no longer be opened), replaces the free text of case.yaml by
    [erased], the birth date by an age band, and writes cases/<id>/erasure.yaml. Stages,
    dates, outcomes and money stay, so the figures still add up. Commit the result.

    Example: clr erase EXR-2026-7KQ3M --ground consent_withdrawn --approved-by "A. Rahman"
    """
    from clr.cases import erasure

    if ground not in erasure.GROUNDS:
        raise typer.BadParameter(
            _("{ground} is not a ground; one of: {choices}").format(
                ground=repr(ground), choices=", ".join(erasure.GROUNDS)
            ),
            param_hint="--ground",
        )
    if not approved_by.strip():
        raise typer.BadParameter(_("name who approved the erasure"), param_hint="--approved-by")
    repository, store = _repository()
    today = parse_as_of(as_of)
    _confirm(_("erase the personal data of {case}").format(case=case), yes)
    _erase_one(
        repository,
        store,
        case,
        today=today,
        rule=f"request: {ground}",
        basis=f"request for erasure, ground {ground} (GDPR Art. 17(1))",
        approved_by=approved_by,
        keys=_user_keys(identity_file, required=False),
    )


# --- clr retention -------------------------------------------------------------------------

retention_app = typer.Typer(
    help=(
        "Retention of closed cases: which are due for erasure, and erasing them.\n\n"
        "The policy is 'retention' in clr.yaml: years after closure per closure reason, "
        "cases under legal hold, the basis and who approves.\n\n"
        "Example: clr retention plan --as-of 2031-01-01"
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
)


def retention_plan_command(
    as_of: AsOf = None,
    everything: Annotated[
        bool, typer.Option("--all", help="List every closed case, also those kept or erased.")
    ] = False,
    output_format: Annotated[RetentionFormat, format_option("retention")] = "text",
) -> None:
    """List the closed cases due for erasure under the retention policy.

    A case is due once its closure date plus the years for its closure reason has come;
    one under legal hold is listed as held; an erasure cut short (its key still in the
    key store) as unfinished. Exit 0; the list is the answer.

    Example: clr retention plan --format csv > retention.csv
    """
    from clr.views import retention

    repository, store = _repository()
    today = parse_as_of(as_of)
    result = retention.plan(repository, today, store)
    doc = retention.plan_document(result, everything=everything)
    typer.echo(render("retention", format_name("retention", output_format), doc), nl=False)


def retention_apply_command(
    approved_by: ApprovedBy,
    as_of: AsOf = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "-n", help="Say what would be erased; change nothing.")
    ] = False,
    yes: YesOpt = False,
    identity_file: KeyFileOpt = None,
) -> None:
    """Erase every case due under the retention policy (and finish any erasure cut short).

    Each case is erased as 'clr erase' does, with the policy's rule and basis and your
    name as approver. Cases under legal hold are left. Commit the result.

    Example: clr retention apply --approved-by "Country director" --dry-run
    """
    from clr.views import retention

    repository, store = _repository()
    today = parse_as_of(as_of)
    result = retention.plan(repository, today, store)
    todo = result.with_status("due", "unfinished")
    held = result.with_status("held")
    for due in held:
        _say(_("kept {case}: legal hold ({hold})").format(case=due.case_id, hold=due.hold))
    if not todo:
        typer.echo(_("no case is due for erasure"), err=True)
        return
    if dry_run:
        for due in todo:
            said = _("would erase {case} ({rule})").format(case=due.case_id, rule=due.rule)
            typer.echo(safe.terminal(said))
        typer.echo(_("{count} case(s) would be erased").format(count=len(todo)), err=True)
        return
    _confirm(_("erase the personal data of {count} case(s)").format(count=len(todo)), yes)
    keys = _user_keys(identity_file, required=False)
    policy = result.policy
    failed = 0
    for due in todo:
        try:
            _erase_one(
                repository,
                store,
                due.case_id,
                today=today,
                rule=due.rule,
                basis=str(policy.get("basis")),
                approved_by=approved_by,
                keys=keys,
            )
        except ClrError as exc:
            failed += 1
            text = _("not erased: {case}: {reason}").format(case=due.case_id, reason=exc.text)
            typer.echo(safe.terminal(text, block=True), err=True)
    typer.echo(
        _("{count} case(s) erased, {failed} failed").format(
            count=len(todo) - failed, failed=failed
        ),
        err=True,
    )
    raise typer.Exit(1 if failed else 0)


retention_app.command("plan")(retention_plan_command)
retention_app.command("apply")(retention_apply_command)


# --- clr duplicates ------------------------------------------------------------------------


def duplicates_command(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Other case repositories to compare with (they must share the key store's "
            "secret).",
            show_default=False,
        ),
    ] = None,
    decrypt: Annotated[
        bool,
        typer.Option(
            "--decrypt",
            help="Also compare the decrypted names in memory (fuzzy), with your key.",
        ),
    ] = False,
    refresh: Annotated[
        bool,
        typer.Option(
            "--refresh",
            help="First write every case's fingerprints anew (needs your key and the key store).",
        ),
    ] = False,
    threshold: Annotated[
        float,
        typer.Option(
            "--threshold", min=0.5, max=1.0, help="How alike decrypted names must be (0.5-1)."
        ),
    ] = 0.85,
    identity_file: KeyFileOpt = None,
    output_format: Annotated[DuplicatesFormat, format_option("duplicates")] = "text",
    as_of: AsOf = None,
) -> None:
    """List pairs of cases that may be about the same child, without decrypting anything.

    Each case carries keyed fingerprints (privacy.fingerprints) of the child's normalised
    name, birth year and country; cases that share one are listed, unless one already
    names the other (reopens, related_cases, duplicate_of). With --decrypt, names are also
    compared in memory, so that spellings the fingerprint misses are found. Only case ids
    are printed, never names. Exit 0.

    Example: clr duplicates --decrypt ../other-country-cases
    """
    from clr.repo import repository as repo
    from clr.views import duplicates

    repository, _store = _repository()
    others = [repo.open_repository(p) for p in paths or []]
    keys = _user_keys(identity_file, required=True) if decrypt or refresh else None
    if refresh:
        from clr.cases import fingerprints

        assert keys is not None
        done = fingerprints.refresh(repository, keys, parse_as_of(as_of), repository.case_files())
        for case_id, message in done.failed:
            _say(
                _("{case}: fingerprints not written: {reason}").format(case=case_id, reason=message)
            )
        typer.echo(
            _("fingerprints written anew in {count} case(s), {unchanged} already current").format(
                count=len(done.changed), unchanged=done.unchanged
            ),
            err=True,
        )
    cases = duplicates.load([repository, *others])
    pairs = duplicates.fingerprint_pairs(cases)
    unread: list[str] = []
    if keys is not None and decrypt:
        named, unread = duplicates.name_pairs(cases, keys, threshold=threshold)
        known = {(p.first, p.second) for p in pairs}
        pairs += [p for p in named if (p.first, p.second) not in known]
    doc = duplicates.document(pairs, unread, len(cases))
    typer.echo(render("duplicates", format_name("duplicates", output_format), doc), nl=False)


def register(app: typer.Typer) -> None:
    """Add the commands to the app."""
    app.add_typer(keys_app, name="keys")
    app.add_typer(retention_app, name="retention")
    app.command("erase")(erase_command)
    app.command("duplicates")(duplicates_command)
