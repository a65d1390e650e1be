"""One command-line surface: the rules every command follows, derived from the app itself.

The commands are found by walking the click command tree of ``clr.cli`` (the lazy group and
its subgroups), so a command or option added later is held to the same rules.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main
from tests.conftest import AS_OF, CASE_ID, CLI_ENV
from typer.core import TyperArgument
from typer.testing import Result

import clr.cli
from clr.cli._surface import RENAMED


def _tree() -> Iterator[tuple[str, Any]]:
    """Every command of the app with its path (``"playbook show"``), leaves and groups."""
    root = typer.main.get_command(clr.cli.full_app())

    def walk(command: Any, path: str, parent: Any) -> Iterator[tuple[str, Any]]:
        ctx = command.context_class(
            command, info_name=path.split()[-1] if path else "clr", parent=parent
        )
        if path:
            yield path, command
        if hasattr(command, "list_commands"):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                assert sub is not None, f"{path} {name} cannot be built"
                yield from walk(sub, f"{path} {name}".strip(), ctx)

    yield from walk(root, "", None)


COMMANDS = dict(_tree())
LEAVES = {path: cmd for path, cmd in COMMANDS.items() if not hasattr(cmd, "list_commands")}


def _options(command: Any) -> list[Any]:
    return [p for p in command.params if not isinstance(p, TyperArgument) and not p.hidden]


def _takes_value(option: Any) -> bool:
    return not option.is_flag and not option.count


def _ctx(command: Any) -> Any:
    return command.context_class(command, info_name=command.name)


def test_the_tree_holds_every_command_and_subcommand() -> None:
    assert {"status", "tick", "playbook show", "identity set", "schema"} <= set(LEAVES)
    assert len(LEAVES) > 25


def test_a_short_flag_means_the_same_everywhere() -> None:
    meaning: dict[str, set[str]] = defaultdict(set)
    where: dict[str, list[str]] = defaultdict(list)
    for path, command in COMMANDS.items():
        for option in _options(command):
            longs = [o for o in option.opts if o.startswith("--")]
            for short in (o for o in option.opts if not o.startswith("--")):
                meaning[short].update(longs)
                where[short].append(path)
    clashes = {short: sorted(longs) for short, longs in meaning.items() if len(longs) != 1}
    assert not clashes, f"short flags with several meanings: {clashes} ({dict(where)})"
    assert meaning["-f"] == {"--format"}


def test_note_by_and_group_by_are_spelled_one_way() -> None:
    for path, command in COMMANDS.items():
        for option in _options(command):
            assert "--notes" not in option.opts, f"clr {path}: --notes (write --note)"
            if "--by" in option.opts:
                assert not hasattr(option.type, "choices"), f"clr {path}: --by is a person"
            if "group" in (option.help or "").lower().split(" ")[:1]:
                assert "--group-by" in option.opts, f"clr {path}: grouping is --group-by"


def test_metavars_are_upper_case_words() -> None:
    bad = []
    for path, command in LEAVES.items():
        ctx = _ctx(command)
        for param in command.params:
            if getattr(param, "hidden", False):
                continue
            if isinstance(param, TyperArgument):
                shown = [param.make_metavar(ctx), param.make_metavar(ctx, usage=True)]
            elif _takes_value(param):
                shown = [param.make_metavar(ctx)]
            else:
                continue
            for text in shown:
                if text != text.upper() or re.search(r"[<>{}]", text):
                    bad.append(f"clr {path} {param.name}: {text}")
        usage = " ".join(command.collect_usage_pieces(ctx))
        if re.search(r"[<>{}]", usage) or re.search(r"[a-z]", usage):
            bad.append(f"clr {path} usage: {usage}")
    assert not bad, "\n".join(bad)


def _is_date_option(option: Any) -> bool:
    text = option.help or ""
    long = max(option.opts, key=len)
    return (
        "(default: today)" in text
        or "YYYY-MM-DD" in text
        or long.endswith("-date")
        or long in ("--date", "--as-of", "--discovered")
    )


DATE_OPTIONS = [
    (path, max(option.opts, key=len))
    for path, command in LEAVES.items()
    for option in _options(command)
    if _takes_value(option) and _is_date_option(option)
]


def test_date_options_are_found() -> None:
    assert {("tick", "--date"), ("new-case", "--discovered"), ("status", "--as-of")} <= set(
        DATE_OPTIONS
    )


@pytest.mark.parametrize(("path", "flag"), DATE_OPTIONS)
def test_every_date_option_takes_a_date_checked_as_usage(
    path: str, flag: str, run_cli: Callable[..., Result]
) -> None:
    option = next(o for o in _options(LEAVES[path]) if flag in o.opts)
    assert option.make_metavar(_ctx(LEAVES[path])) == "DATE"
    if flag == "--birth-date":  # a partial date (YYYY, YYYY-MM), checked with the case
        return
    result = run_cli([*path.split(), flag, "2026-02-30"])
    assert result.exit_code == 2, result.output
    assert "not a date" in result.output


FORMATTED = [
    path for path, command in LEAVES.items() if any("--format" in o.opts for o in command.params)
]


@pytest.mark.parametrize("path", FORMATTED)
def test_every_format_is_a_checked_choice(path: str, run_cli: Callable[..., Result]) -> None:
    option = next(o for o in LEAVES[path].params if "--format" in o.opts)
    assert hasattr(option.type, "choices")
    names = re.sub(r"\([^)]*\)", "", option.help or "").split(";")[0]  # notes dropped
    listed = re.findall(r"[a-z]+", names)
    for plain in ("table", "yaml", "plain"):
        assert plain not in listed, f"clr {path}: the plain format is called text"
    result = run_cli([*path.split(), "--format", "xml"])
    assert result.exit_code == 2, result.output
    assert "'xml' is not one of" in result.output


@pytest.mark.parametrize("path", sorted(LEAVES))
def test_wrong_usage_exits_2(path: str, run_cli: Callable[..., Result]) -> None:
    result = run_cli([*path.split(), "--no-such-option"])
    assert result.exit_code == 2, result.output
    assert "No such option" in result.output


def _subprocess(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if k not in ("CLR_USER", "FORCE_COLOR")}
    full.update(CLI_ENV)
    full.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "clr", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=full,
        timeout=60,
        check=False,
    )


def test_missing_required_input_exits_2(case_repo: Path) -> None:
    missing_by = _subprocess("tick", CASE_ID, "report-pass-on", "--as-of", AS_OF, cwd=case_repo)
    assert missing_by.returncode == 2, missing_by.stderr
    assert "hint: add --by" in missing_by.stderr
    missing_flags = _subprocess("new-case", "--no-input", "--site", "Mill", cwd=case_repo)
    assert missing_flags.returncode == 2, missing_flags.stderr
    assert "error: missing --country" in missing_flags.stderr


def test_old_spellings_are_hidden_but_still_work_with_a_warning(case_repo: Path) -> None:
    for path, renamed in RENAMED.items():
        visible = {o for option in _options(COMMANDS[path]) for o in option.opts}
        for old, new in renamed.items():
            assert old not in visible, f"clr {path} still lists {old}"
            assert new in visible, f"clr {path} has no {new}"
    new = _subprocess("stats", "--group-by", "sex", "--as-of", AS_OF, cwd=case_repo)
    old = _subprocess("stats", "--by", "sex", "--as-of", AS_OF, cwd=case_repo)
    assert new.returncode == old.returncode == 0, old.stderr
    assert old.stdout == new.stdout
    assert "--by is deprecated; write --group-by" in old.stderr
    assert "deprecated" not in new.stderr
    visit = _subprocess(
        "visit", CASE_ID, "--method", "phone", "--not-working", "--by", "ana",
        "--notes=reached the mother", "--as-of", AS_OF, cwd=case_repo,
    )  # fmt: skip
    assert visit.returncode == 0, visit.stderr
    assert "--notes is deprecated; write --note" in visit.stderr
    assert "notes: reached the mother" in (case_repo / "cases" / CASE_ID / "case.yaml").read_text()


def test_an_old_format_name_works_with_a_warning(case_repo: Path) -> None:
    old = _subprocess("status", "--format", "table", "--as-of", AS_OF, cwd=case_repo)
    new = _subprocess("status", "--format", "text", "--as-of", AS_OF, cwd=case_repo)
    assert old.returncode == new.returncode == 0
    assert old.stdout == new.stdout
    assert "--format table is deprecated; write --format text" in old.stderr
