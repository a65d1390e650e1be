"""clr validate: check case files, case folders and whole repositories."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from clr.cli._common import (
    AsOf,
    colour_stdout,
    format_choices,
    format_name,
    format_option,
    parse_as_of,
    wrap_text,
)
from clr.errors import NotARepository
from clr.i18n import _

if TYPE_CHECKING:
    from types import ModuleType

    from clr.checks.results import Report

    FindingsFormat = str
else:
    FindingsFormat = format_choices("findings", extra=("auto",))


def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Case files, case folders or case repositories (default: this repository).",
            show_default=False,
        ),
    ] = None,
    output_format: Annotated[
        FindingsFormat,
        format_option(
            "findings",
            extra=("auto",),
            envvar="CLR_OUTPUT_FORMAT",
            note="auto is github inside GitHub Actions, text elsewhere",
        ),
    ] = "auto",
    output_file: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write the report in --format to FILE; the terminal still gets text.",
        ),
    ] = None,
    changed: Annotated[
        str | None,
        typer.Option(
            "--changed",
            metavar="REV",
            help="Check only cases changed since the git revision REV (e.g. origin/main).",
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="REV",
            help="Also check that no stage moved back and no history entry was rewritten "
            "since REV.",
        ),
    ] = None,
    as_of: AsOf = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Count warnings as errors (exit 1).")
    ] = False,
    exit_zero: Annotated[
        bool, typer.Option("--exit-zero", help="Exit 0 even when there are findings.")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print only the findings, no summary.")
    ] = False,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Check every file again, ignoring .clr-cache/.")
    ] = False,
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", min=1, help="Processes to use (default: one per core)."),
    ] = None,
    shard: Annotated[
        str | None,
        typer.Option(
            "--shard",
            metavar="K/N",
            help="Check only part K of N of the cases (a CI matrix); the N reports together "
            "hold the findings of one run.",
        ),
    ] = None,
) -> None:
    """Check cases against the schema of their stage and clr's rules.

    Reports every finding of every file with file:line:col, a stable code, the field,
    a message and a hint. Exit 0 clean, 1 findings, 2 usage or clr.yaml error.

    Example: clr validate examples/ --format github
    """
    from clr.checks.validate import parse_shard, validate_paths
    from clr.render import render
    from clr.repo import repository as repo

    part = None
    if shard is not None:
        try:
            part = parse_shard(shard)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="'--shard'") from None
    today = parse_as_of(as_of, paths[0] if paths else None)
    targets = paths or [_current_repository(repo)]
    if changed is not None:
        from clr.repo.gitops import changed_case_files

        targets = changed_case_files(targets, changed)
    with _progress_bar(quiet) as progress:
        report = validate_paths(
            targets,
            today=today,
            use_cache=not no_cache,
            jobs=jobs,
            progress=progress,
            shard=part,
        )
    if since is not None:
        from clr.repo.gitops import history_findings

        history_findings(report, targets, since, part)
    report.strict = strict
    chosen = format_name("findings", output_format)
    if chosen == "auto":
        chosen = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    if output_file is not None:
        written = "json" if chosen == "text" else chosen
        _write_report(output_file, _safe_format(written, render("findings", written, report)))
        if os.environ.get("GITHUB_ACTIONS") == "true":
            typer.echo(_safe_format("github", render("findings", "github", report)))
        else:
            _print_text(report, quiet=quiet)
    elif chosen == "text":
        _print_text(report, quiet=quiet)
    else:
        text = _safe_format(chosen, render("findings", chosen, report))
        if text:
            typer.echo(text)
    code = report.exit_code(strict=strict)
    raise typer.Exit(0 if exit_zero and code == 1 else code)


def _safe_format(chosen: str, text: str) -> str:
    """A machine format with no raw control or bidi character of a case value in it."""
    from clr.render import safe

    if chosen in ("json", "gitlab", "sarif"):
        return safe.json_text(text)
    return safe.terminal(text, block=True)


@contextlib.contextmanager
def _progress_bar(quiet: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr for long runs in a terminal; never in pipes or CI."""
    if quiet or not sys.stderr.isatty() or os.environ.get("CI") or os.environ.get("TERM") == "dumb":
        yield None
        return
    state: dict[str, Any] = {}

    def update(done: int, total: int) -> None:
        if total < PROGRESS_MIN_FILES:
            return
        if "bar" not in state:
            from rich.progress import Progress

            from clr.cli._common import stderr_console

            state["bar"] = Progress(console=stderr_console(), transient=True)
            state["bar"].start()
            state["task"] = state["bar"].add_task("checking cases", total=total)
        state["bar"].update(state["task"], completed=done)

    try:
        yield update
    finally:
        if "bar" in state:
            state["bar"].stop()


PROGRESS_MIN_FILES = 200


def _write_report(path: Path, text: str) -> None:
    from clr.io import atomic

    atomic.write(path, text + "\n")


def _current_repository(repo: ModuleType) -> Path:
    root = repo.find_root(Path.cwd())
    if root is None:
        raise NotARepository(
            _("this folder is not inside a case repository (no clr.yaml found)"),
            hint=_("give the paths to check (clr validate cases/), or run 'clr init'"),
        )
    return Path(root)


def _print_text(report: Report, *, quiet: bool) -> None:
    from clr.render.reports import render_text

    # in a terminal, a long finding or hint goes on under itself, cut at spaces (editors and
    # CI read the one-line form from a pipe)
    text = render_text(report, quiet=quiet, colour=colour_stdout())
    sys.stdout.write(wrap_text(text, hang=4))


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("validate")(validate)
