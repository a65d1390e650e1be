"""The fields clr writes for data protection are not mistaken for personal data."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from typer.testing import Result

from conftest import AS_OF, CASE_ID, CONFIG_TEXT, make_case_text


def test_fingerprints_erasure_date_and_age_band_are_not_read_as_free_text(
    tmp_path: Path, write_tree: Callable[..., Path], run_cli: Callable[..., Result]
) -> None:
    # hex digits can run long enough to look like a phone or an ID number
    digits = "v1:" + "4917612345678901" * 2
    root = write_tree(
        {
            "clr.yaml": CONFIG_TEXT,
            f"cases/{CASE_ID}/case.yaml": make_case_text(
                child={"age_band": "12-13"},
                privacy={"fingerprints": [digits], "erased": "2026-03-02"},
            ),
        },
        root=tmp_path / "repo",
    )
    result = run_cli(["validate", "--as-of", AS_OF, "--format", "json"], cwd=root)
    codes = [f["code"] for r in json.loads(result.stdout)["files"] for f in r["findings"]]
    assert codes == [], result.stdout
    # the same digits in a note are flagged: the lint is still on
    noted = make_case_text(discovery={"notes": f"call {digits[3:14]}"})
    (root / "cases" / CASE_ID / "case.yaml").write_text(noted, encoding="utf-8")
    result = run_cli(["validate", "--as-of", AS_OF, "--format", "json"], cwd=root)
    codes = [f["code"] for r in json.loads(result.stdout)["files"] for f in r["findings"]]
    assert "CLR503" in codes, result.stdout
