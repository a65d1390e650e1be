"""clr form build / cases: phone forms for ODK and KoboToolbox, and their follow-up list."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from clr.cli._common import AsOf, parse_as_of
from clr.errors import ClrError
from clr.i18n import N_, _, ngettext
from clr.render import safe

if TYPE_CHECKING:
    from clr.model.playbook import Playbook

form_app = typer.Typer(
    help="Phone forms for ODK and KoboToolbox (XLSForm), and the list of cases they follow up."
    "\n\nclr form build writes the forms; clr form cases the list of open cases the follow-up "
    "forms pick from; clr import brings the submissions back (docs/field-capture.md)."
    "\n\nExample: clr form build --output forms",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def _playbook(name: str | None) -> Playbook:
    from clr.model.playbook import load_playbook
    from clr.repo.repository import find_root, read_config

    root = find_root(Path.cwd())
    default = read_config(root)[0].default_playbook if root else "child-labour"
    return load_playbook(name or default, root)


@form_app.command("build")
def build_command(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder to write the .xlsx forms to.")
    ] = Path("forms"),
    playbook: Annotated[
        str | None,
        typer.Option(
            "--playbook", "-p", help="Playbook of the checklist items (default: the repository's)."
        ),
    ] = None,
    public_key: Annotated[
        Path | None,
        typer.Option(
            "--public-key",
            help="An RSA public key (PEM): the new-case form, which asks for identity, is "
            "encrypted to it on the phone.",
        ),
    ] = None,
    submission_url: Annotated[
        str | None,
        typer.Option(
            "--submission-url", help="Where encrypted submissions go (with --public-key)."
        ),
    ] = None,
    only: Annotated[
        list[str] | None,
        typer.Option("--form", help="Build only this form id (repeat for more)."),
    ] = None,
) -> None:
    """Write XLSForms for ODK and KoboToolbox: a new case, stage facts, visit, payment, ticks.

    The forms ask what clr advance and clr set ask, with the same types, allowed values
    and limits. Follow-up forms pick the case from cases.csv (clr form cases), attached to
    the form. Upload each .xlsx to ODK Central or KoboToolbox; see docs/field-capture.md.

    Example: clr form build --output forms --public-key odk-public.pem
    """
    import clr
    from clr.io import files
    from clr.model import phoneforms
    from clr.render import xlsform
    from clr.repo.repository import display_path

    key = None
    if public_key is not None:
        try:
            raw = files.read_text(public_key, limit=64 * 1024)
        except (OSError, UnicodeDecodeError) as exc:
            reason = _(files.reason(exc) if isinstance(exc, OSError) else N_("it is not text"))
            raise ClrError(
                _("cannot read the public key {file}: {reason}").format(
                    file=public_key, reason=reason
                )
            ) from None
        key = xlsform.public_key_text(raw, display_path(public_key))
    elif submission_url:
        raise typer.BadParameter(_("goes with --public-key"), param_hint="--submission-url")
    forms = phoneforms.all_forms(_playbook(playbook))
    if only:
        known = {f.id for f in forms}
        unknown = [name for name in only if name not in known]
        if unknown:
            raise typer.BadParameter(
                _("{forms}: no such form; forms: {known}").format(
                    forms=", ".join(unknown), known=", ".join(sorted(known))
                ),
                param_hint="--form",
            )
        forms = [f for f in forms if f.id in only]
    written = xlsform.write_forms(
        forms,
        output,
        clr_version=clr.__version__,
        case_format=clr.CASE_FORMAT,
        public_key=key,
        submission_url=submission_url,
    )
    for path, form in zip(written, forms, strict=True):
        typer.echo(f"{display_path(path)}  {form.title}")
    if any(f.follow_up for f in forms):
        typer.echo(
            _(
                "Follow-up forms pick the case from cases.csv: make it with\n"
                "  clr form cases --output cases.csv\n"
                "and attach it to each of them (docs/field-capture.md)."
            ),
            err=True,
        )


@form_app.command("cases")
def cases_command(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Case folders or files (default: the repository's cases)."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write cases.csv here (default: print it)."),
    ] = None,
    as_of: AsOf = None,
) -> None:
    """Write the follow-up list (cases.csv) the follow-up forms pick a case from.

    One row per open case: its pseudonymous id, site and stage; never a name. Attach it
    to the visit, payment, checklist and stage forms (as the media file cases.csv).

    Example: clr form cases --output cases.csv
    """
    from clr.io import atomic
    from clr.repo.repository import display_path
    from clr.views import load
    from clr.views.export import csv_cell
    from clr.views.select import targets

    today = parse_as_of(as_of, paths[0] if paths else None)
    summaries = load.load_summaries(targets(paths), today)
    rows = [
        (c.id or "", c.site or "", c.stage or "")
        for c in summaries
        if c.ok and c.id and c.stage != "closed"
    ]
    from clr.render import xlsform

    text = xlsform.follow_up_csv(rows, csv_cell)
    failed = [c for c in summaries if not c.ok]
    for case in failed:
        said = _("{file} left out: {reason}").format(
            file=safe.terminal(case.path), reason=safe.terminal(case.error or "")
        )
        typer.echo(_("warning: {message}").format(message=said), err=True)
    if output is None:
        typer.echo(text, nl=False)
    else:
        atomic.write(output, text)
        typer.echo(
            ngettext("{file}: {count} open case", "{file}: {count} open cases", len(rows)).format(
                file=display_path(output), count=len(rows)
            ),
            err=True,
        )
    raise typer.Exit(1 if failed else 0)


def register(app: typer.Typer) -> None:
    """Add the command group to the app."""
    app.add_typer(form_app, name="form")
