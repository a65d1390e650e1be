"""clr identity show / edit / set / rekey / textconv, clr keygen, clr git-setup."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from clr.cases import identity, keystore
from clr.cli._common import format_choices, format_name, format_option, wrap_text
from clr.errors import ClrError
from clr.i18n import _, ngettext
from clr.render import render, safe

identity_app = typer.Typer(
    help=(
        "Read and change a child's encrypted identity file: show, edit, set, rekey.\n\n"
        "Who the child is (name, contacts, address, ID document, guardian) lives only in "
        "cases/<id>/identity.yaml.age, encrypted with age to the public keys under "
        "'recipients' in clr.yaml (and in the case's recipients.txt). Reading needs your "
        "private key file: --identity-file, CLR_IDENTITY_FILE or the default made by "
        "clr keygen; never a key on the command line.\n\n"
        "Example: clr identity show EXR-2026-7KQ3M"
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
)

CaseArg = Annotated[
    str, typer.Argument(help="A case id (or its start), a case folder or file.", show_default=False)
]
KeyFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--identity-file",
        "-i",
        metavar="PATH",
        help="Your private key file (default: $CLR_IDENTITY_FILE, else the file clr keygen "
        "makes). Never give a key itself.",
        show_default=False,
    ),
]


if TYPE_CHECKING:
    from clr.cases.identity import CaseIdentity
    from clr.repo.repository import Repository

    IdentityFormat = str
else:
    IdentityFormat = format_choices("identity")


def _case(ref: str) -> tuple[Repository, CaseIdentity]:
    """The repository and the identity file of a case."""
    from clr.repo import repository as repo

    candidate = Path(ref)
    if candidate.name == identity.IDENTITY_FILE or candidate.name in identity.PLAINTEXT_NAMES:
        ref = str(candidate.parent)
        candidate = candidate.parent
    repository = repo.open_repository(candidate if candidate.exists() else None)
    case_file = repo.find_case(repository, ref)
    return repository, keystore.case_identity(repository, case_file)


def _keys(identity_file: Path | None) -> list[Any]:

    return identity.load_keys(identity.key_path(identity_file))


def _shown(path: Path) -> str:
    from clr.repo.repository import display_path

    return display_path(path)


def show_command(
    case: CaseArg,
    identity_file: KeyFileOpt = None,
    field: Annotated[
        str | None, typer.Option("--field", help="Print only this field's value.")
    ] = None,
    output_format: Annotated[IdentityFormat, format_option("identity")] = "text",
) -> None:
    """Decrypt a case's identity file and print it.

    Prints to the terminal only what you ask for; nothing is written to disk.

    Example: clr identity show EXR-2026-7KQ3M --field contact
    """
    _sweep()
    _repository, ci = _case(case)
    raw = ci.read_raw()
    if raw is None and (ci.folder / "erasure.yaml").exists():
        raise ClrError(
            _(
                "the identity of {case} was erased: its key was destroyed, so no version "
                "of its identity file can be read any more"
            ).format(case=ci.case_id),
            hint=_("the erasure record is {file}").format(file=_shown(ci.folder / "erasure.yaml")),
        )
    if raw is None:
        raise ClrError(
            _("{case} has no identity file").format(case=ci.case_id),
            hint=_("add one: clr identity edit {case} (or clr identity set)").format(
                case=ci.case_id
            ),
        )
    data = ci.decrypt(_keys(identity_file), raw)
    if field is not None:
        if field not in (*identity.FIELDS, "case") and field not in data:
            raise typer.BadParameter(
                _("{field} is not an identity field; one of: {choices}").format(
                    field=repr(field), choices=", ".join(identity.FIELDS)
                ),
                param_hint="--field",
            )
        value = data.get(field)
        if value is not None:
            text = json.dumps(value) if isinstance(value, bool) else str(value)
            typer.echo(safe.terminal(text, block=True))
        return
    typer.echo(render("identity", format_name("identity", output_format), data), nl=False)


def edit_command(
    case: CaseArg,
    identity_file: KeyFileOpt = None,
    no_input: Annotated[
        bool,
        typer.Option(
            "--no-input", envvar="CLR_NO_INPUT", help="Never ask to edit again after a mistake."
        ),
    ] = False,
) -> None:
    """Edit a case's identity in your editor ($VISUAL or $EDITOR), then encrypt it again.

    The plaintext exists only in a private temporary file (readable by you alone, in
    memory where the system offers it) that is removed when the editor closes, also on
    Ctrl-C. The file is checked before it is encrypted; nothing changes if you save it
    unchanged or quit the editor with an error.

    Example: EDITOR=nano clr identity edit EXR-2026-7KQ3M
    """
    _sweep()
    repository, ci = _case(case)
    _refuse_erased(ci)
    identity.recipients_or_fail(ci.recipients)  # before anything is typed
    raw = ci.read_raw()
    keys = _keys(identity_file) if raw is not None else None
    data = ci.decrypt(keys or [], raw) if raw is not None else {"case": ci.case_id}
    ask = not no_input and sys.stdin.isatty() and sys.stderr.isatty()

    def again(error: Exception) -> bool:
        typer.echo(_("error: {message}").format(message=safe.terminal(error, block=True)), err=True)
        return ask and typer.confirm(_("Edit again?"), default=True, err=True)

    _text, new = identity.edit_text(
        identity.render(data, template=True), retry=again, case_id=ci.case_id
    )
    if new == identity.clean(data):
        typer.echo(_("no change; nothing was written"), err=True)
        return
    ci.write(new, expected=raw)
    _saved(ci)
    _fingerprints(repository, ci, new, keys, identity_file)


def _refuse_erased(ci: CaseIdentity) -> None:
    """An erased case gets no identity again (open a new case, linked, if needed)."""
    if (ci.folder / "erasure.yaml").exists():
        raise ClrError(
            _("the identity of {case} was erased; clr does not give it one again").format(
                case=ci.case_id
            ),
            hint=_("if the child is back in the programme, open a new case: clr reopen"),
        )


def _saved(ci: CaseIdentity) -> None:
    count = len(ci.recipients)
    if ci.store is not None:
        said = ngettext(
            "saved {file}, encrypted to its case key (readable by {count} recipient)",
            "saved {file}, encrypted to its case key (readable by {count} recipients)",
            count,
        )
    else:
        said = ngettext(
            "saved {file}, encrypted to {count} recipient",
            "saved {file}, encrypted to {count} recipients",
            count,
        )
    typer.echo(said.format(file=_shown(ci.path), count=count), err=True)


def _fingerprints(
    repository: Repository,
    ci: CaseIdentity,
    data: dict[str, Any],
    keys: list[Any] | None,
    identity_file: Path | None,
) -> None:
    """Update the case's keyed fingerprints after its name changed (best effort)."""
    from clr.cases import fingerprints

    if ci.store is None:
        return
    if keys is None:
        try:
            keys = _keys(identity_file)
        except ClrError:
            keys = None
    note = fingerprints.after_identity_change(repository, ci.folder / "case.yaml", data, keys)
    if note:
        typer.echo(note, err=True)


def set_command(
    case: CaseArg,
    name: Annotated[str | None, typer.Option("--name", help="The child's full name.")] = None,
    contact: Annotated[
        str | None, typer.Option("--contact", help="Phone number or other contact.")
    ] = None,
    address: Annotated[
        str | None, typer.Option("--address", help="Where the family lives.")
    ] = None,
    id_document_type: Annotated[
        str | None,
        typer.Option("--id-document-type", help="Type of ID document seen (never a copy)."),
    ] = None,
    id_document_number: Annotated[
        str | None, typer.Option("--id-document-number", help="Its number.")
    ] = None,
    guardian_name: Annotated[
        str | None, typer.Option("--guardian-name", help="The parent's or guardian's name.")
    ] = None,
    guardian_contact: Annotated[
        str | None,
        typer.Option("--guardian-contact", help="The parent's or guardian's contact."),
    ] = None,
    photos: Annotated[
        bool | None,
        typer.Option("--photos/--no-photos", help="Whether photos of the child exist."),
    ] = None,
    notes: Annotated[str | None, typer.Option("--note", help="Other private details.")] = None,
    clear: Annotated[
        list[str] | None,
        typer.Option("--clear", metavar="FIELD", help="Remove a field (repeatable)."),
    ] = None,
    identity_file: KeyFileOpt = None,
) -> None:
    """Set fields of a case's identity file by flags, and encrypt it again.

    Adding to an existing file needs your key (to read it first); making a new one needs
    only the recipients. Values given as flags stay in your shell's history: 'clr
    identity edit' avoids that.

    Example: clr identity set EXR-2026-7KQ3M --guardian-contact "+880 1711 000000"
    """
    given: dict[str, Any] = {
        "name": name,
        "contact": contact,
        "address": address,
        "id_document_type": id_document_type,
        "id_document_number": id_document_number,
        "guardian_name": guardian_name,
        "guardian_contact": guardian_contact,
        "photos": photos,
        "notes": notes,
    }
    changes = {k: v for k, v in given.items() if v is not None}
    for key in clear or []:
        if key not in identity.FIELDS and not key.startswith("x-"):
            raise typer.BadParameter(
                _("{field} is not an identity field; one of: {choices}").format(
                    field=repr(key), choices=", ".join(identity.FIELDS)
                ),
                param_hint="--clear",
            )
    if not changes and not clear:
        raise typer.BadParameter(_("say what to set: --name, --contact, … or --clear FIELD"))
    _sweep()
    repository, ci = _case(case)
    _refuse_erased(ci)
    identity.recipients_or_fail(ci.recipients)
    raw = ci.read_raw()
    keys = _keys(identity_file) if raw is not None else None
    data = ci.decrypt(keys or [], raw) if raw is not None else {"case": ci.case_id}
    new = {**data, **changes}
    for key in clear or []:
        new.pop(key, None)
    ci.write(new, expected=raw)
    _saved(ci)
    if "name" in changes or "name" in (clear or []):
        _fingerprints(repository, ci, new, keys, identity_file)
    fields = ", ".join([*changes, *(f"-{k}" for k in clear or [])])
    typer.echo(_("fields: {fields}").format(fields=fields), err=True)


def rekey_command(
    cases: Annotated[
        list[str] | None,
        typer.Argument(help="Cases to re-encrypt (default: every case).", show_default=False),
    ] = None,
    identity_file: KeyFileOpt = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "-n", help="Say what would be re-encrypted.")
    ] = False,
) -> None:
    """Encrypt every identity file again to the current recipients (after they changed).

    Run it after adding or removing a public key in clr.yaml or a case's recipients.txt.
    Someone removed can still read the versions already in git history.

    Example: clr identity rekey
    """
    from clr.repo import repository as repo

    _sweep()
    repository = repo.open_repository()
    keys = _keys(identity_file)
    files = [repo.find_case(repository, ref) for ref in cases] if cases else repository.case_files()

    def done(ci: Any) -> None:
        count = len(ci.recipients)
        if ci.store is not None:
            said = (
                ngettext(
                    "would re-encrypt the key of {case} ({count} recipient)",
                    "would re-encrypt the key of {case} ({count} recipients)",
                    count,
                )
                if dry_run
                else ngettext(
                    "re-encrypted the key of {case} ({count} recipient)",
                    "re-encrypted the key of {case} ({count} recipients)",
                    count,
                )
            )
        else:
            said = (
                ngettext(
                    "would re-encrypt {file} ({count} recipient)",
                    "would re-encrypt {file} ({count} recipients)",
                    count,
                )
                if dry_run
                else ngettext(
                    "re-encrypted {file} ({count} recipient)",
                    "re-encrypted {file} ({count} recipients)",
                    count,
                )
            )
        typer.echo(said.format(case=ci.case_id, file=_shown(ci.path), count=count))

    from clr.cases.keystore import open_store

    store = open_store(repository.root, repository.config.key_store)
    if store is not None:
        store.require()
        if not dry_run:
            store.reseal_secret(repository.config.recipients, keys)
    result = identity.rekey(
        repository.root,
        repository.config.recipients,
        files,
        keys,
        dry_run=dry_run,
        report=done,
        store=store,
    )
    for path in result.cleaned:
        typer.echo(
            _("removed {file}, left by an interrupted rekey").format(file=_shown(path)), err=True
        )
    for folder, message in result.failed:
        typer.echo(
            _("not re-encrypted: {problem}").format(
                problem=safe.terminal(f"{_shown(folder)}: {message}")
            ),
            err=True,
        )
    count = len(result.done)
    summary = (
        ngettext(
            "would re-encrypt {count} identity file",
            "would re-encrypt {count} identity files",
            count,
        )
        if dry_run
        else ngettext(
            "re-encrypted {count} identity file", "re-encrypted {count} identity files", count
        )
    ).format(count=count)
    skipped = len(result.skipped)
    if skipped:
        summary += ngettext(
            "; {count} already encrypted to its current recipients",
            "; {count} already encrypted to their current recipients",
            skipped,
        ).format(count=skipped)
    if result.failed:
        summary += _("; {count} failed").format(count=len(result.failed))
    typer.echo(summary, err=True)
    if count and not dry_run:
        typer.echo(
            _("note: keys removed from the recipients can still open the versions in git history"),
            err=True,
        )
    raise typer.Exit(1 if result.failed else 0)


def textconv_command(
    file: Annotated[
        Path, typer.Argument(help="An identity file (git passes it).", show_default=False)
    ],
    identity_file: KeyFileOpt = None,
) -> None:
    """Print an identity file decrypted, for git's diff driver (see clr git-setup).

    Never fails the diff: without your key, or for a file it cannot open, it prints one
    line saying so instead of the contents.

    Example: clr identity textconv cases/EXR-2026-7KQ3M/identity.yaml.age
    """
    from clr.cases import identity

    typer.echo(identity.textconv(file, identity_file, _store_keys(file)), nl=False)


def _store_keys(file: Path) -> Any:
    """For textconv: a finder of the key store's case key that opens a file, or None."""
    from clr.cases import keystore
    from clr.errors import ClrError
    from clr.repo import repository as repo

    # git hands over the working tree's file, or a temporary copy elsewhere (then the
    # repository is the current folder, where git runs the driver).
    in_case = (file.parent / "case.yaml").is_file()
    try:
        repository = repo.open_repository(file.parent if in_case else None)
    except ClrError:
        return None
    store = keystore.open_store(repository.root, repository.config.key_store)
    if store is None or not store.exists:
        return None
    case_id = file.parent.name if in_case else None

    def find(raw: bytes, keys: list[Any]) -> list[Any]:
        if case_id is not None and store.has(case_id):
            try:
                return [store.case_key(case_id, keys)]
            except ClrError:
                return []
        return keystore.keys_for_file(store, raw, keys)

    return find


def _sweep() -> None:
    """Remove the plaintext of identity edits that were killed, and say so."""
    from clr.cases import identity

    for folder in identity.sweep_private_folders():
        typer.echo(
            _("removed {folder}: the plaintext of a 'clr identity edit' that was killed").format(
                folder=folder
            ),
            err=True,
        )


def keygen_command(
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="PATH",
            help="Where to write the private key (default: $CLR_IDENTITY_FILE, else your "
            "configuration folder's clr/identity.txt).",
            show_default=False,
        ),
    ] = None,
    add: Annotated[
        bool,
        typer.Option(
            "--add",
            help="Also add the public key to 'recipients' in this repository's clr.yaml.",
        ),
    ] = False,
) -> None:
    """Make a key pair for reading identity files, and say what to do with the public key.

    The private key goes to a file only you can read (never overwritten); the public key
    is printed. Add it to 'recipients' in clr.yaml (--add does it, or 'clr identity
    add-recipient KEY' in the repository), and have someone who can already read the
    identity files run 'clr identity rekey'.

    Example: clr keygen --add
    """
    root = None
    if add:
        from clr.repo import repository as repo

        root = repo.open_repository().root  # before the key is made: no repository, no key
    made = identity.generate_key(identity.key_path(output))
    typer.echo(made.public)
    import shutil

    width = min(max(shutil.get_terminal_size().columns - 1, 40), 79)
    wrote = _(
        "wrote your private key to {file} (only you can read it). Keep a copy in a safe "
        "place: without it, nothing encrypted to it can be read."
    ).format(file=made.path)
    # Cut at spaces only: a path with a hyphen stays whole, to be copied.
    typer.echo(wrap_text(wrote, width), err=True)
    if root is not None:
        _add_recipients(root, [made.public], width)
        return
    typer.echo(_("Your public key is above; it is not secret. Next:"), err=True)
    typer.echo("  1. " + _("add it under 'recipients:' in clr.yaml:"), err=True)
    typer.echo(f"       - {made.public}", err=True)
    typer.echo(
        "     " + _("(or run: {command})").format(command="clr keygen --add"),
        err=True,
    )
    _rekey_step("  2. ", width)


def _rekey_step(prefix: str, width: int) -> None:
    step = _("commit that, and ask someone who can read the identity files to run: {command}")
    # The command stays whole on one line, to be copied: its spaces are held while wrapping.
    held = step.format(command="clr identity rekey".replace(" ", "\0"))
    typer.echo(wrap_text(prefix + held, width, hang=len(prefix)).replace("\0", " "), err=True)


def _add_recipients(root: Path, keys: list[str], width: int) -> None:
    """Add public keys to clr.yaml and say what is left to do."""
    from clr.cases import recipients

    done = recipients.add_recipients(root, keys)
    # Each key on a line of its own: an age key (62 characters) stays whole in 80 columns.
    for key in done.added:
        typer.echo(_("added to recipients in clr.yaml:") + f"\n  {key}", err=True)
    for key in done.present:
        typer.echo(_("already in recipients in clr.yaml:") + f"\n  {key}", err=True)
    if not done.added:
        return
    if done.identity_files:
        count = done.identity_files
        typer.echo(
            wrap_text(
                ngettext(
                    "{count} identity file is encrypted to the keys before this change.",
                    "{count} identity files are encrypted to the keys before this change.",
                    count,
                ).format(count=count),
                width,
            ),
            err=True,
        )
        _rekey_step("", width)
    else:
        typer.echo(
            wrap_text(
                _("commit clr.yaml: new identity files will be encrypted to this key too."),
                width,
            ),
            err=True,
        )


def add_recipient_command(
    keys: Annotated[
        list[str],
        typer.Argument(
            metavar="KEY...",
            help="Public keys (age1… from clr keygen, or ssh-ed25519 …), quoted if they "
            "hold spaces.",
            show_default=False,
        ),
    ],
) -> None:
    """Add public keys of people who may read identity files to recipients in clr.yaml.

    Each key is checked, added once, and clr.yaml keeps its comments and layout. Identity
    files made before stay encrypted to the keys before the change: someone who can read
    them then runs 'clr identity rekey'. A new user's 'clr keygen' prints the public key
    to give (e.g. 'clr keygen > my-key.pub').

    Example: clr identity add-recipient "$(cat new-user.pub)"
    """
    import shutil

    from clr.repo import repository as repo

    width = min(max(shutil.get_terminal_size().columns - 1, 40), 79)
    _add_recipients(repo.open_repository().root, keys, width)


identity_app.command("show")(show_command)
identity_app.command("edit")(edit_command)
identity_app.command("set")(set_command)
identity_app.command("rekey")(rekey_command)
identity_app.command("add-recipient")(add_recipient_command)
identity_app.command("textconv")(textconv_command)


def git_setup_command() -> None:
    """Set up git to show identity files decrypted in diffs, with your key.

    Writes to this repository's own git configuration (.git/config) a diff driver that
    runs 'clr identity textconv' on identity files, as the .gitattributes from clr init
    asks for. Without your key, git diff shows one line instead of the contents. Nothing
    decrypted is stored: git's textconv cache stays off.

    Example: clr git-setup
    """
    from clr.repo import gitops
    from clr.repo import repository as repo

    repository = repo.open_repository()
    done = gitops.setup_diff_driver(repository.root)
    typer.echo(
        _("git diff and git log -p now show identity files decrypted ({done})").format(done=done),
        err=True,
    )


def register(app: typer.Typer) -> None:
    """Add the commands to the app."""
    app.add_typer(identity_app, name="identity")
    app.command("keygen")(keygen_command)
    app.command("git-setup")(git_setup_command)
