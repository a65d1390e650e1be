"""clr validate --shard K/N: the parts of a CI matrix together say what one run says."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

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
