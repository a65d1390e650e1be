"""The command line as a whole: help, listing, start-up imports, colour, completion."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import clr.cli
from clr.cli._registry import COMMANDS

ROOT = Path(__file__).resolve().parents[2]


def clr_run(
    *args: str,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    full = {
        k: v
        for k, v in os.environ.items()
        if k not in ("NO_COLOR", "FORCE_COLOR", "CI", "GITHUB_ACTIONS")
    }
    full.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "clr", *args],
        capture_output=True,
        text=True,
        env=full,
        cwd=cwd,
        timeout=60,
        check=False,
    )


def _commands() -> dict[str, object]:
    app = clr.cli.full_app()
    found: dict[str, object] = {c.name: c.callback for c in app.registered_commands}
    for group in app.registered_groups:
        found[group.name] = group.typer_instance
    return found


def test_every_command_is_registered_once_and_listed_in_the_registry() -> None:
    assert sorted(_commands()) == sorted(COMMANDS)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_registry_summary_matches_the_commands_own_help(name: str) -> None:
    target = _commands()[name]
    doc = target.info.help if hasattr(target, "info") else target.__doc__  # type: ignore[attr-defined]
    assert doc, f"{name} has no help"
    assert doc.strip().splitlines()[0] == COMMANDS[name][1]


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_help_with_an_example_and_is_in_the_readme(name: str) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"`clr {name}" in readme, f"clr {name} is not in the README's command table"
    result = clr_run(name, "--help", env={"COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    if name == "playbook":
        for sub in ("list", "show", "checklist"):
            sub_help = clr_run(name, sub, "--help", env={"COLUMNS": "200"})
            assert "Example: clr playbook" in sub_help.stdout, sub_help.stdout
    else:
        assert "Example: clr " in result.stdout, result.stdout


def test_top_level_help_lists_every_command() -> None:
    result = clr_run("--help", env={"COLUMNS": "200"})
    assert result.returncode == 0
    for name, (_, summary) in COMMANDS.items():
        assert re.search(
            rf"^\s+{re.escape(name)}\s+{re.escape(summary[:30])}", result.stdout, re.M
        ), name


def test_a_typo_gets_a_suggestion_and_exit_2() -> None:
    result = clr_run("nxt")
    assert result.returncode == 2
    assert "Did you mean 'next'?" in result.stderr


HEAVY = (
    "jsonschema_rs",
    "jsonschema",
    "ruamel",
    "questionary",
    "clr.checks.validate",
    "clr.checks.schemas",
    "clr.io.yamlio",
    "rich.console",
    "yaml",
)


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["validate", "--help"]])
def test_help_and_version_load_no_heavy_modules(args: list[str]) -> None:
    code = (
        "import sys\n"
        f"sys.argv = ['clr', *{args!r}]\n"
        "from clr._entry import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r} or m in {HEAVY!r}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    loaded = result.stdout.strip().splitlines()[-1]
    assert loaded == "[]", f"{args} loaded {loaded}"


ROOT = Path(__file__).resolve().parents[2]
WORKING = ("yaml", "ruamel", "questionary", "rich")


def test_next_and_advance_on_a_plain_case_load_no_yaml_parser_nor_rich(tmp_path: Path) -> None:
    # A case read by the fast parser, checked, and moved on by a top-level text edit:
    # neither PyYAML nor the round-trip library nor rich is needed (each costs start-up).
    import shutil

    (tmp_path / "cases").mkdir()
    shutil.copy(ROOT / "examples" / "clr.yaml", tmp_path / "clr.yaml")
    case_id = "EXR-2026-7KQ3M"
    shutil.copytree(ROOT / "examples" / "cases" / case_id, tmp_path / "cases" / case_id)
    before = (tmp_path / "cases" / case_id / "case.yaml").read_text(encoding="utf-8")
    for args in (["next", case_id], ["advance", case_id, "--by", "a staff member"]):
        code = (
            "import sys\n"
            f"sys.argv = ['clr', *{args!r}, '--as-of', '2026-11-20']\n"
            "from clr._entry import main\n"
            "try:\n    main()\nexcept SystemExit as exit:\n    assert not exit.code, exit\n"
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {WORKING!r}))"
        )
        result = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            cwd=tmp_path,
            env={**os.environ, "NO_COLOR": "1"},
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip().splitlines()[-1] == "[]", (args, result.stdout)
    after = (tmp_path / "cases" / case_id / "case.yaml").read_text(encoding="utf-8")
    assert "stage: identified" in after and after.startswith(before.split("stage:")[0])


def test_version_is_printed() -> None:
    result = clr_run("--version")
    assert result.returncode == 0
    assert re.fullmatch(r"clr \d+\.\d+\.\d+\n", result.stdout)


def test_completion_installs_for_the_users_shell(tmp_path: Path) -> None:
    # Typer finds the shell by looking at the processes above clr (shellingham), so run
    # clr from a real shell as a user would.
    exe = Path(sys.executable).parent / "clr"
    env = {**os.environ, "HOME": str(tmp_path), "SHELL": "/bin/bash"}
    result = subprocess.run(
        # A command after clr keeps bash from replacing itself with clr (exec), so that
        # bash stays the parent process typer looks for.
        ["bash", "-c", f"'{exe}' --install-completion; code=$?; exit $code"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert written, "no completion file was written"
    assert any("_CLR_COMPLETE" in p.read_text(encoding="utf-8") for p in written)


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_script_for_each_shell(shell: str) -> None:
    exe = Path(sys.executable).parent / "clr"
    env = {**os.environ, "_CLR_COMPLETE": f"source_{shell}"}
    shown = subprocess.run(
        [str(exe)], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert shown.returncode == 0, shown.stderr
    assert "_CLR_COMPLETE" in shown.stdout


def test_completion_completes_command_names(tmp_path: Path) -> None:
    exe = Path(sys.executable).parent / "clr"
    env = {
        **os.environ,
        "_CLR_COMPLETE": "complete_bash",
        "COMP_WORDS": "clr adv",
        "COMP_CWORD": "1",
    }
    result = subprocess.run(
        [str(exe)], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert "advance" in result.stdout


BAD_CASE = """\
schema_version: 1
id: CLR-2026-ABCDE
playbook: child-labour
track: underage
stage: reported
opened: "2026-03-02"
site: {name: S, country: XX}
child: {pseudonym: A, sex: female}
discovery: {date: "2026-03-02", channel: audit}
history:
  - {at: "2026-03-02T09:00:00Z", from: null, to: reported, by: R}
"""


@pytest.fixture
def bad_repo(tmp_path: Path) -> Path:
    (tmp_path / "clr.yaml").write_text("schema_version: 1\norganisation: T\nid_prefix: CLR\n")
    case = tmp_path / "cases" / "CLR-2026-ABCDE" / "case.yaml"
    case.parent.mkdir(parents=True)
    case.write_text(BAD_CASE)
    return tmp_path


ANSI = re.compile(r"\x1b\[[0-9;]*m")
COLOUR = re.compile(r"\x1b\[[0-9;]*3[0-9](;[0-9]+)*m|\x1b\[[0-9;]*;3[0-9]m")


def test_piped_output_has_no_escape_codes(bad_repo: Path) -> None:
    result = clr_run("validate", "--as-of", "2026-03-02", cwd=bad_repo)
    assert result.returncode == 1
    assert not ANSI.search(result.stdout)
    assert "CLR103" in result.stdout


def test_force_color_colours_and_no_color_wins(bad_repo: Path) -> None:
    forced = clr_run("validate", "--as-of", "2026-03-02", env={"FORCE_COLOR": "1"}, cwd=bad_repo)
    assert COLOUR.search(forced.stdout), repr(forced.stdout[:200])
    both = clr_run(
        "validate", "--as-of", "2026-03-02", env={"FORCE_COLOR": "1", "NO_COLOR": "1"}, cwd=bad_repo
    )
    assert not COLOUR.search(both.stdout), repr(both.stdout[:200])
    dumb = clr_run("validate", "--as-of", "2026-03-02", env={"TERM": "dumb"}, cwd=bad_repo)
    assert not ANSI.search(dumb.stdout)


def test_quiet_drops_the_summary(bad_repo: Path) -> None:
    loud = clr_run("validate", "--as-of", "2026-03-02", cwd=bad_repo)
    quiet = clr_run("validate", "--as-of", "2026-03-02", "--quiet", cwd=bad_repo)
    assert "Found 1 error" in loud.stdout
    assert "Found" not in quiet.stdout and "CLR103" in quiet.stdout


def test_auto_format_is_github_inside_github_actions(bad_repo: Path) -> None:
    inside = clr_run(
        "validate", "--as-of", "2026-03-02", env={"GITHUB_ACTIONS": "true"}, cwd=bad_repo
    )
    assert inside.stdout.startswith("::error file=cases/CLR-2026-ABCDE/case.yaml,line=7")
    outside = clr_run("validate", "--as-of", "2026-03-02", cwd=bad_repo)
    assert outside.stdout.startswith("cases/CLR-2026-ABCDE/case.yaml:7:")


def test_no_progress_bar_in_pipes_or_ci(bad_repo: Path) -> None:
    result = clr_run("validate", "--as-of", "2026-03-02", env={"CI": "true"}, cwd=bad_repo)
    assert "checking cases" not in result.stderr
    assert result.stderr == ""
