"""clr agenda: due and overdue actions over many cases, as text, JSON, CSV, iCalendar."""

from __future__ import annotations

import enum
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from clr.cli._common import AsOf, format_choices, format_name, format_option, parse_as_of
from clr.views.select import targets

if TYPE_CHECKING:
    AgendaFormat = str
else:
    AgendaFormat = format_choices("agenda")


class AgendaGroup(str, enum.Enum):
    """What clr agenda groups by."""

    person = "person"
    role = "role"
    site = "site"
    week = "week"
    case = "case"


def agenda_command(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Case repositories, case folders or case files (default: this repository).",
            show_default=False,
        ),
    ] = None,
    group_by: Annotated[
        AgendaGroup,
        typer.Option(
            "--group-by",
            "-g",
            help="Group by person (the caseworker who last moved the case), role, site, "
            "week (ISO week of the due date) or case.",
        ),
    ] = AgendaGroup.person,
    days: Annotated[
        int,
        typer.Option(
            "--days",
            min=0,
            max=3660,
            help="Show what falls due within this many days (overdue always).",
        ),
    ] = 14,
    role: Annotated[
        str | None, typer.Option("--role", help="Only actions for this playbook role.")
    ] = None,
    person: Annotated[
        str | None, typer.Option("--person", help="Only cases of this caseworker.")
    ] = None,
    site: Annotated[str | None, typer.Option("--site", help="Only cases at this site.")] = None,
    output_format: Annotated[AgendaFormat, format_option("agenda")] = "text",
    digest: Annotated[
        bool,
        typer.Option("--digest", help="A weekly summary in Markdown, for e-mail or chat."),
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write to FILE (replaced whole, never half-written) instead of stdout.",
        ),
    ] = None,
    as_of: AsOf = None,
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", min=1, help="Processes to read with (default: one per core)."),
    ] = None,
) -> None:
    """Due and overdue actions over all cases, by person, role, site or week.

    Open actions and their due dates come from the playbook, as in clr next. The csv
    worklist, the ics feed and the digest carry case ids, never a child's name or pseudonym.

    Example: clr agenda --group-by site --days 7 --format csv > worklist.csv
    """
    from clr.render import render
    from clr.views import agenda

    name = format_name("agenda", output_format)
    if digest and name not in ("text", "markdown"):
        raise typer.BadParameter("--digest is Markdown: leave out --format", param_hint="--digest")
    today = parse_as_of(as_of, paths[0] if paths else None)
    cases = agenda.load_agendas(targets(paths), today, jobs=jobs)
    items = agenda.agenda_items(cases, today, days=days, role=role, person=person, site=site)
    chosen = "markdown" if digest else name
    data = render("agenda", chosen, items, cases, today, days, group_by.value).encode("utf-8")
    if output is not None:
        from clr.io import atomic

        atomic.write(output, data)
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    failed = [c for c in cases if c.error is not None]
    if failed:
        noun = "case file" if len(failed) == 1 else "case files"
        sys.stderr.write(
            f"error: {len(failed)} {noun} could not be read and are left out; "
            "run 'clr validate' for details\n"
        )
    raise typer.Exit(1 if failed else 0)


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("agenda")(agenda_command)
