"""One output layer: every --format comes from clr.render's registry, and its renderers load."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import Result

import clr.cli
from clr import render
from clr.checks.results import FileReport, Report
from clr.model.findings import Finding
from clr.render.reports import render_text

RunCli = Callable[..., Result]
AS_OF = "2026-03-02"


def _commands(group: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    for name, cmd in group.commands.items():
        if hasattr(cmd, "commands"):
            yield from _commands(cmd, (*path, name))
        else:
            yield (*path, name), cmd


def _format_options() -> dict[tuple[str, ...], Any]:
    group = typer.main.get_command(clr.cli.full_app())
    found = {}
    for path, cmd in _commands(group):
        for param in cmd.params:
            if "--format" in getattr(param, "opts", ()):
                found[path] = param
    return found


def test_every_format_option_lists_a_kind_of_the_registry() -> None:
    options = _format_options()
    assert len(options) >= 9, sorted(options)
    for path, param in options.items():
        assert param.opts == ["--format", "-f"], path
        assert param.help.startswith("Output format: "), path
        choices = [c for c in param.type.choices if c != "auto"]
        kinds = [
            kind
            for kind in render.RENDERER_BY_NAME
            if choices == [*render.names(kind), *render.ALIASES.get(kind, {})]
        ]
        assert kinds, f"clr {' '.join(path)} --format {choices} is not a kind of clr.render"
        assert param.metavar == "FORMAT", path
        listed = re.sub(r"\([^)]*\)", "", param.help).split(";")[0].removeprefix("Output format: ")
        shown = re.findall(r"[a-z]+", listed.replace(" or ", ", "))
        assert [c for c in shown if c != "auto"] == list(render.names(kinds[0])), path


def test_every_renderer_of_the_core_loads() -> None:
    for kind, formats in render.RENDERER_BY_NAME.items():
        for name, renderer in formats.items():
            if renderer.target is not None:
                assert callable(renderer.load()), (kind, name)
            else:
                with pytest.raises(LookupError):
                    renderer.load()


def test_an_old_format_name_is_still_accepted(case_repo: Path, run_cli: RunCli) -> None:
    for command in ("status", "stats"):
        old = run_cli([command, "--as-of", AS_OF, "--format", "table"], cwd=case_repo)
        new = run_cli([command, "--as-of", AS_OF, "--format", "text"], cwd=case_repo)
        assert old.exit_code == new.exit_code == 0, old.output
        assert old.stdout == new.stdout
        assert "CLR-2026-ABCDE" in new.stdout or "All cases" in new.stdout


def test_an_unknown_format_is_a_usage_error_everywhere(case_repo: Path, run_cli: RunCli) -> None:
    for args in (["show", "CLR-2026-ABCDE"], ["next", "CLR-2026-ABCDE"], ["status"]):
        result = run_cli([*args, "--as-of", AS_OF, "--format", "xml"], cwd=case_repo)
        assert result.exit_code == 2, (args, result.output)
        assert result.stdout == ""


def _report() -> Report:
    finding = Finding(
        code="CLR001",
        severity="error",
        path="cases/X/case.yaml",
        line=3,
        col=5,
        message="bad\x1b[2Jvalue",
        hint="fix it",
    )
    return Report(files=[FileReport(path="cases/X/case.yaml", findings=[finding])])


def test_text_findings_in_colour_are_the_plain_lines_styled() -> None:
    report = _report()
    plain = render_text(report)
    coloured = render_text(report, colour=True)
    assert "\x1b[1;31merror\x1b[0m" in coloured
    assert "\x1b" not in plain  # the escape in the value is shown, not sent
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain
    assert plain.startswith(
        "cases/X/case.yaml:3:5: error CLR001 bad\\x1b[2Jvalue\n    hint: fix it\n"
    )
    assert render_text(report, quiet=True) == plain[: plain.index("\n\n") + 2]
