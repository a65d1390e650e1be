"""clr validate --shard K/N: the parts of a CI matrix together say what one run says."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
AS_OF = "2026-11-20"


def clr(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "clr", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={"NO_COLOR": "1", "PATH": "/usr/bin:/bin", "HOME": str(cwd)},
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The examples' cases, every invalid example's cases and a bad playbook, in one place."""
    root = tmp_path_factory.mktemp("shards")
    shutil.copy(EXAMPLES / "clr.yaml", root / "clr.yaml")
    shutil.copytree(EXAMPLES / "cases", root / "cases")
    for case in sorted((EXAMPLES / "invalid").glob("*/cases/*")):
        target = root / "cases" / case.name
        if target.exists():  # the same folder name twice (the duplicate-id example)
            target = root / "cases" / f"{case.name[:-1]}{'Z' if case.name[-1] != 'Z' else 'Y'}"
        if not target.exists():
            shutil.copytree(case, target)
    (root / "playbooks").mkdir()
    (root / "playbooks" / "local.yaml").write_text("name: local\nstages: 3\n", encoding="utf-8")
    return root


def findings(doc: dict[str, object]) -> list[tuple[object, ...]]:
    files = doc["files"]
    assert isinstance(files, list)
    return sorted(
        (f["path"], f["line"], f["column"], f["code"], f["message"])
        for file in files
        for f in file["findings"]
    )


@pytest.mark.parametrize("parts", [2, 3])
def test_the_shards_together_give_exactly_the_findings_of_one_run(repo: Path, parts: int) -> None:
    whole = clr("validate", "--no-cache", "--as-of", AS_OF, "--format", "json", cwd=repo)
    assert whole.returncode == 1, whole.stderr
    expected = findings(json.loads(whole.stdout))
    codes = {row[3] for row in expected}
    assert {"CLR204", "CLR203", "CLR202", "CLR301"} <= codes  # duplicates across shards too
    together: list[tuple[object, ...]] = []
    sizes = []
    for k in range(1, parts + 1):
        shard = clr(
            "validate", "--as-of", AS_OF, "--shard", f"{k}/{parts}", "--format", "json", cwd=repo
        )
        assert shard.returncode in (0, 1), shard.stderr
        part = findings(json.loads(shard.stdout))
        sizes.append(len({row[0] for row in part}))
        together += part
    assert sorted(together) == expected
    assert all(size > 0 for size in sizes)  # the work is spread, not all in one part


def test_a_shard_is_the_same_every_time_and_reports_in_any_format(repo: Path) -> None:
    first = clr(
        "validate", "--no-cache", "--as-of", AS_OF, "--shard", "2/3", "-f", "json", cwd=repo
    )
    again = clr("validate", "--as-of", AS_OF, "--shard", "2/3", "--format", "json", cwd=repo)
    assert findings(json.loads(first.stdout)) == findings(json.loads(again.stdout))
    for fmt in ("sarif", "junit", "gitlab", "github"):
        done = clr("validate", "--as-of", AS_OF, "--shard", "2/3", "--format", fmt, cwd=repo)
        assert done.returncode == 1 and done.stdout.strip(), (fmt, done.stderr)


@pytest.mark.parametrize("bad", ["0/3", "4/3", "3", "a/b", "1/0"])
def test_a_shard_that_is_not_k_of_n_is_a_usage_error(repo: Path, bad: str) -> None:
    done = clr("validate", "--shard", bad, cwd=repo)
    assert done.returncode == 2
    assert "K/N" in done.stderr and "Traceback" not in done.stderr


def sarif_results(log: dict[str, Any]) -> list[tuple[object, ...]]:
    return sorted(
        (
            r["ruleId"],
            r["level"],
            loc["physicalLocation"]["artifactLocation"]["uri"],
            loc["physicalLocation"].get("region", {}).get("startLine"),
            r["message"]["text"],
        )
        for run in log["runs"]
        for r in run["results"]
        for loc in r["locations"]
    )


def junit_cases(root: ET.Element) -> list[tuple[object, ...]]:
    return sorted(
        (
            case.get("classname"),
            case.get("name"),
            tuple(
                sorted((child.tag, child.get("message") or "", child.text or "") for child in case)
            ),
        )
        for case in root.iter("testcase")
    )


def test_merged_sarif_runs_and_junit_suites_of_the_shards_are_one_run(repo: Path) -> None:
    """The merges docs/ci.md gives (every part's SARIF runs in one log, every part's JUnit
    test suites under one element) hold exactly what one run's report holds."""
    parts = 3
    whole_sarif = clr("validate", "--no-cache", "--as-of", AS_OF, "-f", "sarif", cwd=repo)
    whole_junit = clr("validate", "--as-of", AS_OF, "--format", "junit", cwd=repo)
    sarif_parts, junit_parts = [], []
    for k in range(1, parts + 1):
        shard = ["--as-of", AS_OF, "--shard", f"{k}/{parts}"]
        sarif_parts.append(json.loads(clr("validate", *shard, "-f", "sarif", cwd=repo).stdout))
        junit_parts.append(ET.fromstring(clr("validate", *shard, "-f", "junit", cwd=repo).stdout))
    # jq -s '{"$schema": .[0]["$schema"], version: .[0].version, runs: (map(.runs) | add)}'
    merged = {
        "$schema": sarif_parts[0]["$schema"],
        "version": sarif_parts[0]["version"],
        "runs": [run for log in sarif_parts for run in log["runs"]],
    }
    expected = sarif_results(json.loads(whole_sarif.stdout))
    assert len(expected) > 10 and sarif_results(merged) == expected
    suites = ET.Element("testsuites")
    for part in junit_parts:
        suites.extend(part.iter("testsuite"))
    assert len(list(suites)) == parts
    whole = ET.fromstring(whole_junit.stdout)
    assert junit_cases(suites) == junit_cases(whole)
    failures = sum(int(s.get("failures", "0")) for s in suites)
    assert failures == sum(int(s.get("failures", "0")) for s in whole.iter("testsuite")) > 0
