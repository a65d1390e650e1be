"""clr migrate: upgrade case files to the current case format."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from clr.i18n import _
from clr.render import safe


def migrate_command(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Case files, folders or repositories (default: this repository).",
            show_default=False,
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "-n", help="Show the changes as diffs; write nothing.")
    ] = False,
    identity_file: Annotated[
        Path | None,
        typer.Option(
            "--identity-file",
            "-i",
            metavar="PATH",
            help="Your private key file, to move identity files to case keys (default: "
            "$CLR_IDENTITY_FILE, else the file clr keygen makes).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Upgrade case files written for an older case format, keeping comments and layout.

    Each upgraded file is checked before it is written; a file that would not be valid is
    left as it was. With a key store (key_store in clr.yaml), identity files still
    encrypted to the recipients are encrypted again to keys of their own cases, which
    needs your key; a run cut short is finished by running it again. Exit 0 when
    everything is current, 1 if a file could not be upgraded.

    Example: clr migrate --dry-run
    """
    from clr.cases import migrate
    from clr.checks.validate import _settings_root, _targets
    from clr.errors import ClrError
    from clr.io import edit
    from clr.repo import repository as repo

    start = paths or [repo.open_repository().root]
    roots, files, missing, _settings = _targets(start)
    if missing:
        raise ClrError(
            _("no such file or folder: {paths}").format(paths=", ".join(map(str, missing)))
        )
    for given in start:
        if _settings_root(given) is not None:  # clr.yaml or a playbook: no case in it
            typer.echo(
                _("{file}: not a case file, nothing to migrate (clr validate checks it)").format(
                    file=repo.display_path(given)
                ),
                err=True,
            )
    for root in roots:
        files.extend(repo.Repository(root, repo.Config()).case_files())
    failed = upgraded = 0
    for path in files:
        shown = repo.display_path(path)
        try:
            doc = edit.open_document(path, shown)
        except ClrError as exc:
            said = _("{file}: skipped: {reason}").format(file=shown, reason=exc.text)
            typer.echo(safe.terminal(said, block=True), err=True)
            failed += 1
            continue
        version = migrate.version_of(doc.data)
        if version == migrate.CURRENT_VERSION:
            continue
        try:
            steps = migrate.migrate_document(doc)
            text = doc.render()
        except ValueError as exc:
            said = _("{file}: cannot migrate: {reason}").format(file=shown, reason=exc)
            typer.echo(safe.terminal(said, block=True), err=True)
            failed += 1
            continue
        problems = _check(path, text)
        if problems:
            typer.echo(
                _("{file}: not migrated, the result would be invalid:").format(file=shown),
                err=True,
            )
            for line in problems:
                typer.echo(f"  {safe.terminal(line)}", err=True)
            failed += 1
            continue
        if dry_run:
            typer.echo(safe.terminal(doc.diff(text), block=True))
        else:
            with edit.locked(path.parent):
                edit.write_atomic(path, text, expected_digest=doc.digest)
        upgraded += 1
        for step in steps:
            said = _("{file}: would migrate {step}") if dry_run else _("{file}: migrated {step}")
            typer.echo(said.format(file=shown, step=step), err=True)
    said = (
        _("{count} file(s) to migrate, {failed} failed.")
        if dry_run
        else _("{count} file(s) migrated, {failed} failed.")
    )
    typer.echo(said.format(count=upgraded, failed=failed), err=True)
    for root in roots:
        failed += _case_keys(root, identity_file, dry_run=dry_run)
    raise typer.Exit(1 if failed else 0)


def _case_keys(root: Path, identity_file: Path | None, *, dry_run: bool) -> int:
    """Move a repository's identity files to case keys; the number that failed."""
    from clr.cases import identity, keystore
    from clr.repo import repository as repo

    repository = repo.open_repository(root)
    store = keystore.open_store(repository.root, repository.config.key_store)
    if store is None:
        return 0
    store.require()
    files = repository.case_files()
    if not any((f.parent / identity.IDENTITY_FILE).is_file() for f in files):
        return 0
    from clr.errors import ClrError

    try:
        keys = identity.load_keys(identity.key_path(identity_file))
    except ClrError:
        if not any(keystore.needs_case_key(store, f.parent) for f in files):
            return 0  # nothing to move; a run cut short is found with a key at hand
        raise
    result = keystore.move_to_case_keys(repository, files, keys, dry_run=dry_run)
    for case_id, message in result.failed:
        said = _("{case}: not moved to a case key: {reason}").format(case=case_id, reason=message)
        typer.echo(safe.terminal(said), err=True)
    said = (
        _("{count} identity file(s) to move to case keys, {failed} failed.")
        if dry_run
        else _("{count} identity file(s) moved to case keys, {failed} failed.")
    ).format(count=len(result.moved), failed=len(result.failed))
    if result.moved and not dry_run:
        said += " " + _("Their earlier versions in git history stay encrypted to the recipients.")
    typer.echo(said, err=True)
    failed = len(result.failed)
    if not dry_run:
        from clr.cases import fingerprints

        done = fingerprints.refresh(repository, keys, repo.today(repository.root), files)
        for case_id, message in done.failed:
            said = _("{case}: fingerprints not written: {reason}").format(
                case=case_id, reason=message
            )
            typer.echo(safe.terminal(said), err=True)
        if done.changed:
            typer.echo(
                _("wrote the fingerprints of {count} case(s)").format(count=len(done.changed)),
                err=True,
            )
        failed += len(done.failed)
    return failed


def _check(path: Path, text: str) -> list[str]:
    from clr.checks.validate import check_case_data
    from clr.io import yamlio
    from clr.repo import repository as repo
    from clr.repo.context import repository_context

    root = repo.find_root(path)
    config = repo.read_config(root)[0] if root else None
    ctx, _problems = repository_context(root, repo.today(path), config)
    loaded = yamlio.parse_text(text, repo.display_path(path))
    return [
        f"{f.line}:{f.col}: {f.code} {f.text}"
        for f in check_case_data(loaded, path, ctx)
        if f.severity == "error" and f.code != "CLR202"
    ]


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("migrate")(migrate_command)
