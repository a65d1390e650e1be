"""The retention plan: which closed cases are due, in text, JSON and CSV; validate warns."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
from pathlib import Path

import pytest
import yaml

from clr.model.retention import add_years, standing
from helpers_workflow import describe, run

ROOT = Path(__file__).resolve().parents[2]
POLICY = """\
retention:
  basis: "Safeguarding policy 4.2: five years after closure; duplicates one year"
  approver: Country director
  years_after_closure: {default: 5, duplicate: 1}
  legal_hold:
    EXR-2025-Q8WEG: court case pending
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "examples"
    shutil.copytree(ROOT / "examples", root, ignore=shutil.ignore_patterns("invalid", ".clr-cache"))
    with (root / "clr.yaml").open("a", encoding="utf-8") as handle:
        handle.write(POLICY)
    monkeypatch.chdir(root)
    return root


def closed_cases(root: Path) -> dict[str, dict[str, str]]:
    out = {}
    for path in sorted((root / "cases").glob("*/case.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if data["stage"] == "closed":
            out[data["id"]] = {k: str(v) for k, v in data["closure"].items()}
    return out


def test_plan_lists_the_cases_due_on_the_day_with_legal_hold_apart(repo: Path) -> None:
    closed = closed_cases(repo)
    as_of = dt.date(2031, 6, 1)
    expected = {}
    for case_id, closure in closed.items():
        years = 1 if closure["reason"] == "duplicate" else 5
        due = add_years(dt.date.fromisoformat(closure["date"]), years)
        if due <= as_of:
            expected[case_id] = "held" if case_id == "EXR-2025-Q8WEG" else "due"
    assert "due" in expected.values()
    result = run(["retention", "plan", "--as-of", as_of.isoformat(), "--format", "json"])
    assert result.exit_code == 0, describe(result)
    doc = json.loads(result.stdout)
    assert {r["case"]: r["status"] for r in doc["cases"]} == expected
    assert doc["basis"].startswith("Safeguarding policy 4.2")
    assert sum(doc["counts"].values()) == len(list(repo.glob("cases/*/case.yaml")))

    text = run(["retention", "plan", "--as-of", as_of.isoformat()]).stdout
    for case_id in expected:
        assert case_id in text
    assert "court case pending" in text
    assert max(len(line) for line in text.splitlines()) <= 80

    table = run(["retention", "plan", "--as-of", as_of.isoformat(), "--format", "csv"]).stdout
    rows = list(csv.DictReader(io.StringIO(table)))
    assert {r["case"]: r["status"] for r in rows} == expected
    assert all(r["due"] <= as_of.isoformat() for r in rows)


def test_nothing_is_due_before_the_first_period_ends(repo: Path) -> None:
    doc = json.loads(run(["retention", "plan", "--as-of", "2026-12-31", "-f", "json"]).stdout)
    durations = [r for r in doc["cases"] if r["status"] == "due"]
    # Only duplicates (one year) can be due within a year of the first closures.
    assert all(r["reason"] == "duplicate" for r in durations)


def test_validate_warns_for_a_case_past_its_period_but_not_one_on_hold(repo: Path) -> None:
    result = run(["validate", "--as-of", "2031-06-01", "--format", "json"])
    found = {
        (f["path"].split("/")[1], f["code"])
        for report in json.loads(result.stdout)["files"]
        for f in report["findings"]
    }
    due = {c for c, code in found if code == "CLR601"}
    plan = json.loads(run(["retention", "plan", "--as-of", "2031-06-01", "-f", "json"]).stdout)
    assert due == {r["case"] for r in plan["cases"] if r["status"] == "due"}
    assert "EXR-2025-Q8WEG" not in due
    early = run(["validate", "--as-of", "2026-10-01", "--format", "json"]).stdout
    assert "CLR601" not in early


def test_plan_without_a_policy_says_what_to_add(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "examples"
    shutil.copytree(ROOT / "examples", root, ignore=shutil.ignore_patterns("invalid", ".clr-cache"))
    monkeypatch.chdir(root)
    result = run(["retention", "plan"])
    assert result.exit_code == 2
    assert "no retention policy" in result.stderr


def test_a_bad_policy_is_a_config_error(repo: Path) -> None:
    config = repo / "clr.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("{default: 5, duplicate: 1}", "{duplicate: 1}"),
        encoding="utf-8",
    )
    result = run(["retention", "plan"])
    assert result.exit_code == 2, describe(result)
    assert "clr.yaml" in result.stderr


def test_the_due_date_counts_whole_years_from_closure() -> None:
    policy = {"years_after_closure": {"default": 2, "moved_away": 0.5}}
    case = {"id": "X", "stage": "closed", "closure": {"date": "2024-02-29", "reason": "remediated"}}
    assert standing(policy, case, dt.date(2026, 2, 27)).status == "kept"
    assert standing(policy, case, dt.date(2026, 2, 28)).status == "due"
    moved = {**case, "closure": {"date": "2024-01-01", "reason": "moved_away"}}
    assert standing(policy, moved, dt.date(2024, 7, 1)).due == dt.date(2024, 7, 2)
    assert (
        standing(policy, {"id": "Y", "stage": "monitoring"}, dt.date(2099, 1, 1)).status == "open"
    )
