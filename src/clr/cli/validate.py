"""clr validate: check case files, case folders and whole repositories."""

from __future__ import annotations

import contextlib
import enum
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from clr.cli._common import AsOf, parse_as_of, stdout_console


class Format(str, enum.Enum):
    """Output formats of clr validate."""

    auto = "auto"
    text = "text"
    concise = "concise"
    json = "json"
    github = "github"
    gitlab = "gitlab"
    sarif = "sarif"
    junit = "junit"


def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Case files, case folders or case repositories (default: this repository).",
            show_default=False,
        ),
    ] = None,
    output_format: Annotated[
        Format,
        typer.Option(
            "--format",
            "-f",
            envvar="CLR_OUTPUT_FORMAT",
            help="Output format; auto is github inside GitHub Actions, text elsewhere.",
        ),
    ] = Format.auto,
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
) -> None:
    """Check cases against the schema of their stage and clr's rules.

    Reports every finding of every file with file:line:col, a stable code, the field,
    a message and a hint. Exit 0 clean, 1 findings, 2 usage or clr.yaml error.

    Example: clr validate examples/ --format github
    """
    from clr.checks.validate import validate_paths
    from clr.render import reports as output
    from clr.repo import repository as repo

    today = parse_as_of(as_of, paths[0] if paths else None)
    targets = paths or [_current_repository(repo)]
    if changed is not None:
        from clr.repo.gitops import changed_case_files

        targets = changed_case_files(targets, changed)
    with _progress_bar(quiet) as progress:
        report = validate_paths(
            targets, today=today, use_cache=not no_cache, jobs=jobs, progress=progress
        )
    if since is not None:
        from clr.repo.gitops import history_findings

        history_findings(report, targets, since)
    chosen = output_format
    if chosen is Format.auto:
        chosen = Format.github if os.environ.get("GITHUB_ACTIONS") == "true" else Format.text
    renderers = {
        Format.json: output.render_json,
        Format.github: output.render_github,
        Format.gitlab: output.render_gitlab,
        Format.sarif: output.render_sarif,
        Format.junit: output.render_junit,
        Format.concise: output.render_concise,
    }
    if output_file is not None:
        if chosen is Format.text:
            chosen = Format.json
        _write_report(output_file, _safe_format(chosen, renderers[chosen](report)))
        if os.environ.get("GITHUB_ACTIONS") == "true":
            typer.echo(_safe_format(Format.github, output.render_github(report)))
        else:
            _render_text(report, quiet=quiet)
    elif chosen in renderers:
        text = _safe_format(chosen, renderers[chosen](report))
        if text:
            typer.echo(text)
    else:
        _render_text(report, quiet=quiet)
    code = report.exit_code(strict=strict)
    raise typer.Exit(0 if exit_zero and code == 1 else code)


def _safe_format(chosen: Format, text: str) -> str:
    """A machine format with no raw control or bidi character of a case value in it."""
    from clr.render import safe

    if chosen in (Format.json, Format.gitlab, Format.sarif):
        return safe.json_text(text)
    return safe.terminal(text, block=True)


@contextlib.contextmanager
def _progress_bar(quiet: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr for long runs in a terminal; never in pipes or CI."""
    import sys

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


def _current_repository(repo: Any) -> Path:
    root = repo.find_root(Path.cwd())
    if root is None:
        from clr.errors import NotARepository

        raise NotARepository(
            "this folder is not inside a case repository (no clr.yaml found)",
            hint="give the paths to check (clr validate cases/), or run 'clr init'",
        )
    return Path(root)


def _render_text(report: Any, *, quiet: bool) -> None:
    from rich.text import Text

    from clr.render import safe
    from clr.render.reports import summary_line

    console = stdout_console()
    if not console.is_terminal and not console.color_system:
        _render_plain(report, quiet=quiet)
        return
    style = {"error": "bold red", "warning": "yellow"}
    for file_report in report.files:
        if not file_report.findings:
            continue
        for f in sorted(file_report.findings):
            path = safe.terminal(f.path)
            where = f"{path}:{f.line}:{f.col}:" if f.line else f"{path}:"
            line = Text(where, style="bold")
            line.append(f" {f.severity}", style=style[f.severity])
            line.append(f" {f.code}", style="dim")
            line.append(f" {safe.terminal(f.message)}")
            console.print(line)
            if f.hint:
                console.print(Text(f"    hint: {safe.terminal(f.hint)}", style="cyan"))
        console.print()
    if not quiet:
        ok = not report.errors and not report.warnings
        console.print(Text(summary_line(report), style="green" if ok else "bold"))


def _render_plain(report: Any, *, quiet: bool) -> None:
    """The text format without rich: the same lines, much faster for many findings."""
    import sys

    from clr.render import safe
    from clr.render.reports import summary_line

    out = []
    for file_report in report.files:
        if not file_report.findings:
            continue
        for f in sorted(file_report.findings):
            path = safe.terminal(f.path)
            where = f"{path}:{f.line}:{f.col}:" if f.line else f"{path}:"
            out.append(f"{where} {f.severity} {f.code} {safe.terminal(f.message)}\n")
            if f.hint:
                out.append(f"    hint: {safe.terminal(f.hint)}\n")
        out.append("\n")
    if not quiet:
        out.append(summary_line(report) + "\n")
    sys.stdout.write("".join(out))


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("validate")(validate)
