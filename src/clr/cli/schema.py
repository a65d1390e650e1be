"""clr schema: print a bundled JSON Schema, for editors and other tools."""

from __future__ import annotations

from typing import Annotated

import typer


def schema_command(
    name: Annotated[
        str | None,
        typer.Argument(help="case, config, playbook or stages/<stage> (default: list them)."),
    ] = None,
) -> None:
    """Print one of clr's JSON Schemas (draft 2020-12), or list them.

    Example: clr schema case > case.schema.json
    """
    from clr.io import resources

    if name is None:
        for schema in resources.schema_names():
            typer.echo(schema)
        return
    typer.echo(resources.schema_text(name.removesuffix(".schema.json")), nl=False)


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("schema")(schema_command)
