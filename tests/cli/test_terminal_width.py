"""Output in a real terminal of 80 and 120 columns, on a pipe, and with FORCE_COLOR.

The commands run in a pseudo-terminal (pexpect) of the given size, as a caseworker's
terminal: nothing may be cut that one needs whole (an id, a date, a number), text is cut
at spaces only, and no line is wider than the terminal.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest
from tests.cli.terminal_support import ANSI

ROOT = Path(__file__).resolve().parents[2]
AS_OF = "2026-12-01"
CASE = "EXR-2026-D2KFH"
CLOSED = "EXR-2025-4FJ7Z"  # long closure facts


def _env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("NO_COLOR", "FORCE_COLOR", "COLUMNS", "LINES", "CI", "GITHUB_ACTIONS")
    }
    env.update(TERM="xterm-256color", LANG="C.UTF-8", **extra)
    return env


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("width") / "examples"
    shutil.copytree(ROOT / "examples", target, ignore=shutil.ignore_patterns(".clr-cache"))
    return target


def _clr() -> str:
    found = Path(sys.executable).with_name("clr")
    assert found.exists(), found
    return str(found)


def in_terminal(args: list[str], cwd: Path, columns: int) -> list[str]:
    """The lines clr prints in a terminal ``columns`` wide, colour codes removed."""
    child = pexpect.spawn(
        _clr(), args, cwd=str(cwd), env=_env(), encoding="utf-8",
        dimensions=(60, columns), timeout=60,
    )  # fmt: skip
    out = child.read()
    child.close()
    assert child.exitstatus in (0, 1), out
    return ANSI.sub("", out.replace("\r\n", "\n")).split("\n")


def piped(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_clr(), *args], cwd=cwd, env=_env(**env), capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip


def _words(text: str) -> list[str]:
    return text.split()


@pytest.mark.parametrize("columns", [80, 120])
def test_status_never_cuts_an_id_a_date_or_a_number(examples: Path, columns: int) -> None:
    lines = in_terminal(["status", "--as-of", AS_OF], examples, columns)
    assert max(len(line) for line in lines) <= columns, "\n".join(lines)
    listed = piped(["status", "--as-of", AS_OF, "--format", "json"], examples).stdout
    cases = json.loads(listed)["cases"]
    assert len(cases) >= 10
    screen = "\n".join(lines)
    for case in cases:
        line = next((x for x in lines if case["id"] in x.split()), None)
        assert line is not None, f"{case['id']} is not shown whole:\n{screen}"
        words = line.split()
        assert case["stage"] in words, line
        for key in ("days_open", "days_in_stage", "overdue"):
            assert str(case[key]) in words, (key, line)
        for key in ("next_due", "last_visit"):
            if case.get(key):
                assert case[key] in words, (key, line)
    assert not re.search(r"[0-9]…", screen), screen  # no number or date cut short
    headers = next(x for x in lines if x.split()[:1] == ["ID"])
    assert "…" not in headers, headers
    if columns == 80:
        assert "Not shown at this width:" in screen
    assert re.search(r"15 cases \(10 open, 5 closed\)", screen)


def test_status_in_a_very_narrow_terminal_is_a_block_per_case(examples: Path) -> None:
    lines = in_terminal(["status", "--as-of", AS_OF], examples, 60)
    assert max(len(line) for line in lines) <= 60, "\n".join(lines)
    screen = "\n".join(lines)
    assert "…" not in screen
    ids = re.findall(r"^(EXR-\d{4}-[0-9A-Z]{5})  [a-z_]+$", screen, re.M)
    assert len(ids) == 15, screen
    assert "  next action: impl-monthly-stipend" in screen
    assert "  due: 2026-11-30" in screen


def test_status_on_a_pipe_is_one_line_per_case(examples: Path) -> None:
    out = piped(["status", "--as-of", AS_OF], examples, COLUMNS="80").stdout
    lines = out.splitlines()
    assert lines[0].split()[0] == "id"
    assert len(lines) == 1 + 15
    assert all(re.match(r"EXR-\d{4}-[0-9A-Z]{5} ", line) for line in lines[1:])
    assert any(len(line) > 80 for line in lines)  # not cut to fit, nor wrapped


@pytest.mark.parametrize("columns", [80, 120])
@pytest.mark.parametrize(
    "args",
    [
        ["next", CASE, "--as-of", AS_OF],
        ["playbook", "show"],
        ["playbook", "show", "--stage", "closed"],
        ["show", CLOSED, "--as-of", AS_OF],
        ["--lang", "fr", "show", CLOSED, "--as-of", AS_OF],
        ["validate", "--as-of", AS_OF],
    ],
)
def test_text_is_wrapped_at_spaces_to_the_terminal(
    examples: Path, columns: int, args: list[str]
) -> None:
    lines = in_terminal(args, examples, columns)
    whole = piped(args, examples).stdout
    assert max(len(line) for line in lines) <= columns, "\n".join(lines)
    assert max(len(line) for line in whole.splitlines()) > columns  # there was something to wrap
    # The same words in the same order: cut at spaces only, no word split or lost.
    assert _words("\n".join(lines)) == _words(whole)


@pytest.mark.parametrize(
    "args",
    [
        ["status", "--as-of", AS_OF],
        ["stats", "--as-of", AS_OF],
        ["next", CASE, "--as-of", AS_OF],
        ["show", CASE, "--as-of", AS_OF],
        ["validate", "--as-of", AS_OF],
    ],
)
def test_force_color_colours_a_pipe_and_no_color_wins(examples: Path, args: list[str]) -> None:
    assert "\x1b[" not in piped(args, examples).stdout
    assert "\x1b[" in piped(args, examples, FORCE_COLOR="1").stdout
    assert "\x1b[" not in piped(args, examples, FORCE_COLOR="1", NO_COLOR="1").stdout


@pytest.mark.parametrize("lang", ["fr", "es", "pt-BR"])
@pytest.mark.parametrize(
    "args",
    [
        ["show", CLOSED, "--as-of", AS_OF],
        ["next", CASE, "--as-of", AS_OF],
        ["status", "--as-of", AS_OF],
        ["stats", "--as-of", AS_OF],
        ["agenda", "--as-of", AS_OF, "--days", "30"],
        ["validate", "--as-of", AS_OF],
    ],
)
def test_every_language_fits_80_columns(examples: Path, lang: str, args: list[str]) -> None:
    """French, Spanish and Portuguese run longer than English: still no line over 80."""
    lines = in_terminal(["--lang", lang, *args], examples, 80)
    assert max(len(line) for line in lines) <= 80, "\n".join(lines)
    assert len(lines) > 5
    screen = "\n".join(lines)
    assert not re.search(r"[0-9]…", screen), screen  # no number or date cut short


def test_status_in_a_very_narrow_terminal_speaks_the_language(examples: Path) -> None:
    lines = in_terminal(["--lang", "fr", "status", "--as-of", AS_OF], examples, 60)
    assert max(len(line) for line in lines) <= 60, "\n".join(lines)
    screen = "\n".join(lines)
    assert "  prochaine action : impl-monthly-stipend" in screen
    assert "  échéance : 2026-11-30" in screen
    assert "next action" not in screen and "last visit" not in screen
