"""The bundled example repository (examples/) and the invalid examples (examples/invalid/).

Everything goes through the command line, as a user would run it, with ``--as-of`` fixed
to the day the examples are written for and ``--no-cache`` so that no ``.clr-cache/`` is
left in the source tree.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

import clr.cli
from clr.io import yamlio
from clr.model import stages

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CACHES_BEFORE = sorted(EXAMPLES.rglob(".clr-cache"))
INVALID = EXAMPLES / "invalid"
AS_OF = "2026-11-20"
ENV = {"NO_COLOR": "1", "COLUMNS": "200", "TERM": "dumb"}

# The findings left in the valid examples: a monthly visit one day late (H9CSW), and
# deadlines counted from the day of discovery that run out before the case reaches their
# stage (stage order: the removal within 24 hours, the on-site age assessment within
# 72 hours, the first stipend within 30 days of the plan).
EXPECTED_WARNINGS = [
    ("examples/cases/EXR-2026-3HWDN/case.yaml", "CLR301"),
    ("examples/cases/EXR-2026-3HWDN/case.yaml", "CLR301"),
    ("examples/cases/EXR-2026-7KQ3M/case.yaml", "CLR301"),
    ("examples/cases/EXR-2026-7KQ3M/case.yaml", "CLR301"),
    ("examples/cases/EXR-2026-7KQ3M/case.yaml", "CLR301"),
    ("examples/cases/EXR-2026-H9CSW/case.yaml", "CLR301"),
    ("examples/cases/EXR-2026-M8VQT/case.yaml", "CLR301"),
    ("examples/cases/EXR-2026-P4ZR8/case.yaml", "CLR301"),
    ("examples/cases/EXR-2026-P4ZR8/case.yaml", "CLR301"),
]

# Exit codes other than 1 among the invalid examples.
EXIT_CODES = {
    "invalid-config": 2,
    "stipend-below-wage": 0,
    "overdue-action": 0,
    "past-retention": 0,
}

# Every kind of mistake the invalid examples must show.
REQUIRED_CODES = {
    "CLR002", "CLR004", "CLR005", "CLR006", "CLR007", "CLR008",
    "CLR101", "CLR102", "CLR103", "CLR104", "CLR105", "CLR106", "CLR110", "CLR111",
    "CLR201", "CLR202", "CLR203", "CLR204", "CLR205", "CLR206", "CLR207", "CLR209",
    "CLR210", "CLR211", "CLR214", "CLR301", "CLR401", "CLR601",
}  # fmt: skip

CASE_FILES = sorted(EXAMPLES.glob("cases/*/case.yaml"))
CASE_IDS = [path.parent.name for path in CASE_FILES]
INVALID_KINDS = sorted(path.parent.name for path in INVALID.glob("*/expected.txt"))


def run(monkeypatch: pytest.MonkeyPatch, cwd: Path, *args: str) -> Result:
    """Run clr in-process from ``cwd``; exceptions propagate."""
    monkeypatch.chdir(cwd)
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("CLR_OUTPUT_FORMAT", raising=False)
    return CliRunner().invoke(clr.cli.app, list(args), env=ENV, catch_exceptions=False)


def show(result: Result) -> str:
    return f"exit {result.exit_code}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"


def load(path: Path) -> dict[str, Any]:
    loaded = yamlio.read_file(path)
    assert loaded.data is not None, loaded.findings
    return loaded.data


# --- the valid examples ----------------------------------------------------------


def test_examples_validate_without_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    result = run(monkeypatch, ROOT, "validate", "examples/", "--as-of", AS_OF, "--no-cache")
    assert result.exit_code == 0, show(result)


def test_examples_warnings_are_exactly_the_expected_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    result = run(
        monkeypatch, ROOT, "validate", "examples/", "--as-of", AS_OF, "--no-cache", "-f", "json"
    )
    assert result.exit_code == 0, show(result)
    doc = json.loads(result.stdout)
    assert doc["summary"]["cases"] == len(CASE_FILES) == 15
    assert doc["summary"]["errors"] == 0
    assert doc["summary"]["warnings"] == len(EXPECTED_WARNINGS)
    found = [
        (file["path"], finding["code"], finding["severity"])
        for file in doc["files"]
        for finding in file["findings"]
    ]
    assert found == [(path, code, "warning") for path, code in EXPECTED_WARNINGS]


def test_the_tests_leave_no_cache_in_examples() -> None:
    # The README's quick start runs clr on examples/ and leaves a cache there (git ignores
    # it); the tests themselves must not add one.
    assert sorted(EXAMPLES.rglob(".clr-cache")) == CACHES_BEFORE, "a test wrote a .clr-cache/"


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_every_example_case_shows(monkeypatch: pytest.MonkeyPatch, case_id: str) -> None:
    result = run(monkeypatch, EXAMPLES, "show", case_id, "--as-of", AS_OF)
    assert result.exit_code == 0, show(result)
    assert case_id in result.stdout


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_every_example_case_has_a_next_step(monkeypatch: pytest.MonkeyPatch, case_id: str) -> None:
    result = run(monkeypatch, EXAMPLES, "next", case_id, "--as-of", AS_OF)
    assert result.exit_code == 0, show(result)
    assert case_id in result.stdout


def test_examples_cover_every_stage_and_both_tracks() -> None:
    cases = [load(path) for path in CASE_FILES]
    assert {case["stage"] for case in cases} == set(stages.STAGES)
    assert {case["track"] for case in cases} == set(stages.TRACKS)


def test_unquoted_norway_is_read_as_the_country_code() -> None:
    path = EXAMPLES / "cases" / "EXR-2026-XW2NA" / "case.yaml"
    assert "\n  country: NO\n" in path.read_text(encoding="utf-8")  # unquoted on purpose
    assert load(path)["site"]["country"] == "NO"  # a string, not YAML 1.1's false


def test_examples_include_cote_d_ivoire() -> None:
    assert "CI" in {load(path)["site"]["country"] for path in CASE_FILES}


def test_examples_readme_shows_how_to_validate() -> None:
    assert "clr validate examples/" in (EXAMPLES / "README.md").read_text(encoding="utf-8")


# --- the invalid examples ---------------------------------------------------------


def test_there_are_enough_invalid_examples() -> None:
    assert len(INVALID_KINDS) >= 20
    readme = (INVALID / "README.md").read_text(encoding="utf-8")
    for kind in INVALID_KINDS:
        assert f"`{kind}/`" in readme, f"{kind} is not described in examples/invalid/README.md"


def test_invalid_examples_cover_every_kind_of_mistake() -> None:
    codes = set()
    for kind in INVALID_KINDS:
        for line in (INVALID / kind / "expected.txt").read_text(encoding="utf-8").splitlines():
            codes.add(line.split(": ", 1)[1].split()[1])
    missing = sorted(REQUIRED_CODES - codes)
    assert not missing, missing


@pytest.mark.parametrize("kind", INVALID_KINDS)
def test_invalid_example_gives_its_expected_findings(
    monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    folder = INVALID / kind
    expected = (folder / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert expected, f"{kind}/expected.txt is empty"
    result = run(monkeypatch, folder, "validate", "--as-of", AS_OF, "--no-cache", "-f", "concise")
    assert result.stdout.splitlines() == expected, show(result)
    assert result.exit_code == EXIT_CODES.get(kind, 1), show(result)
    has_errors = any(" error CLR" in line for line in expected)
    assert has_errors == (result.exit_code != 0)
    assert not (folder / ".clr-cache").exists()
