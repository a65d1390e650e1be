"""clr import: phone submissions (ODK Central, KoboToolbox) into cases, each once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from clr.cli._common import AsOf, paint, parse_as_of
from clr.render import safe


def import_command(
    exports: Annotated[
        list[Path],
        typer.Argument(
            help="Exports: ODK Central .csv or .zip, KoboToolbox .csv, .xlsx or .json.",
            show_default=False,
            metavar="FILE...",
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "-n", help="Show the changes as diffs; write nothing.")
    ] = False,
    as_of: AsOf = None,
) -> None:
    """Import phone submissions (ODK Central, KoboToolbox) into cases, each once.

    Submissions of the forms clr form build makes become new cases (identity answers go
    only to the encrypted identity file), stage facts, visits, payments and checklist
    ticks, checked as clr set and clr tick check them. Each submission's instance id is
    recorded in the case's history: importing the same export again changes nothing.
    Submissions rejected in review are skipped; one that would make a case invalid is
    refused (its row, instance id and reason are shown) while the others are imported,
    and clr exits 1.

    Example: clr import clr_visit.zip clr_payment.csv --dry-run
    """
    from clr.cases import importing
    from clr.io import submissions
    from clr.model.playbook import load_playbook
    from clr.repo.repository import display_path, open_repository

    repo = open_repository(Path.cwd())
    today = parse_as_of(as_of, Path.cwd())
    read: list[submissions.Submission] = []
    for path in exports:
        read += submissions.read_export(path, display_path(path))
    playbook = load_playbook(repo.config.default_playbook, repo.root)
    outcomes = importing.import_all(repo, read, today=today, playbook=playbook, dry_run=dry_run)
    for o in outcomes:
        if o.diff:
            typer.echo(safe.terminal(o.diff, block=True), nl=not o.diff.endswith("\n"))
        if o.status == importing.REFUSED:
            first, *rest = o.reason.splitlines() or [""]
            typer.echo(
                paint("refused", "bold red")
                + f" {safe.terminal(o.where)} ({safe.terminal(o.instance_id or 'no id')}): "
                + safe.terminal(first),
                err=True,
            )
            for line in rest:
                typer.echo(f"    {safe.terminal(line.strip())}", err=True)
    _summary(importing.summary(outcomes), dry_run)
    raise typer.Exit(1 if any(o.status == importing.REFUSED for o in outcomes) else 0)


def _summary(rows: list[tuple[str, dict[str, int]]], dry_run: bool) -> None:
    from clr.cases import importing

    heads = ("would import" if dry_run else "imported", "already", "rejected", "refused")
    width = max([len("form"), *(len(name) for name, _ in rows)])
    typer.echo(f"{'form':<{width}}  " + "  ".join(f"{h:>8}" for h in heads))
    for name, counts in rows:
        cells = "  ".join(
            f"{counts[s]:>{max(8, len(h))}}" for s, h in zip(importing.STATUSES, heads, strict=True)
        )
        line = f"{safe.terminal(name):<{width}}  {cells}"
        typer.echo(paint(line, "bold") if name == "total" else line)


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("import")(import_command)
