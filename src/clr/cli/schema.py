"""clr schema: print a bundled JSON Schema, for editors and other tools."""

from __future__ import annotations

from typing import Annotated

import typer

from clr.i18n import _


def schema_command(
    name: Annotated[
        str | None,
        typer.Argument(
            metavar="[NAME]",
            help="case, config, identity, playbook or stages/<stage> (default: list them).",
        ),
    ] = None,
    bundle: Annotated[
        bool,
        typer.Option(
            "--bundle",
            help="Print the schema self-contained: every schema it refers to inside it.",
        ),
    ] = False,
    write: Annotated[
        bool,
        typer.Option(
            "--write",
            help="Write (or refresh, after an upgrade of clr) every schema into this "
            "repository's .clr/schemas/, where case files' $schema lines point.",
        ),
    ] = False,
) -> None:
    """Print one of clr's JSON Schemas (draft 2020-12), or list them.

    The files refer to each other by relative path ($ref), so that a tool resolves them
    next to each other; --bundle gives one file that needs no other.

    Example: clr schema --bundle stages/closed > closed.schema.json
    """
    import json

    from clr.io import resources

    if write:
        _write(name)
        return
    if name is None:
        if bundle:
            raise typer.BadParameter("--bundle needs the NAME of a schema", param_hint="NAME")
        for schema in resources.schema_names():
            typer.echo(schema)
        return
    name = name.removesuffix(".schema.json")
    if bundle:
        typer.echo(json.dumps(resources.bundle_schema(name), indent=2, ensure_ascii=False))
        return
    typer.echo(resources.schema_text(name), nl=False)


def _write(name: str | None) -> None:
    from pathlib import Path

    from clr.errors import NotARepository
    from clr.repo.repository import display_path, find_root
    from clr.repo.scaffold import SCHEMA_DIR, write_schemas

    if name is not None:
        raise typer.BadParameter(_("--write writes every schema; give no NAME"), param_hint="NAME")
    root = find_root(Path.cwd())
    if root is None:
        raise NotARepository(
            _("this folder is not inside a case repository (no clr.yaml found)"),
            hint=_("run it in a case repository, or make one with clr init"),
        )
    written = write_schemas(root)
    for path in written:
        typer.echo(_("wrote {file}").format(file=display_path(path)))
    if not written:
        typer.echo(_("{folder} is up to date").format(folder=display_path(root / SCHEMA_DIR)))


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("schema")(schema_command)
