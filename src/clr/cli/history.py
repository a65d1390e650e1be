"""clr history: every commit that changed a case, field by field, checked against its history."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from clr.cli._common import format_choices, format_name, format_option

if TYPE_CHECKING:
    HistoryFormat = str
else:
    HistoryFormat = format_choices("history")


def history_command(
    case: Annotated[
        str,
        typer.Argument(help="A case id (or its start), a case folder or file.", show_default=False),
    ],
    output_format: Annotated[HistoryFormat, format_option("history")] = "text",
) -> None:
    """Every commit that changed a case: who, when, signed or not, and each field's change.

    Follows the case file through renames. The case's own history entries are checked
    against the commits: a stage moved with no entry, or an entry dated after the commit
    that added it, is reported, and makes the exit code 1.

    Example: clr history EXR-2026-7KQ3M --format json
    """
    from clr.render import render
    from clr.repo import history as core
    from clr.repo.repository import find_case, open_repository

    candidate = Path(case)
    start = candidate.parent if candidate.exists() else None
    path = find_case(open_repository(start), case)
    found = core.case_history(path)
    if not found.commits:
        import sys

        sys.stderr.write(
            f"note: no commit holds {found.path} yet: its history starts with its first "
            "commit (git add, git commit)\n"
        )
    typer.echo(render("history", format_name("history", output_format), found), nl=False)
    raise typer.Exit(1 if found.disagreements else 0)


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("history")(history_command)
