"""clr advance --no-input: the snippet it prints is pasteable, for every stage of both tracks.

A caseworker without a terminal (or a script) gets every missing fact as one YAML snippet:
pasting it, filling in the blanks and ticking the checklist items it names moves the case
on at the first try, and ``git diff`` shows only the new lines, then the move.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml
from record_support import fill, form_of, in_repo, new_repo, numstat, paste, removed_lines

from helpers_workflow import commit_all, describe

STEPS = [
    ("identified", "2026-01-05"),
    ("protected", "2026-01-06"),
    ("age_verified", "2026-01-08"),
    ("assessed", "2026-01-12"),
    ("plan_agreed", "2026-02-10"),
    ("in_remediation", "2026-02-15"),
    ("monitoring", "2026-03-05"),
]


def _advance(root: Path, case_id: str, as_of: str, *extra: str) -> object:
    return in_repo(
        root, ["advance", case_id, "--by", "R. Ahmed", "--as-of", as_of, "--no-input", *extra]
    )


def _supply(root: Path, case_id: str, path: Path, as_of: str, result: object, track: str) -> None:
    """Paste the snippet with its blanks filled, and tick what the error names."""
    stdout = result.stdout  # type: ignore[attr-defined]
    stderr = result.stderr  # type: ignore[attr-defined]
    if stdout.strip():
        yaml.safe_load(stdout)  # the snippet itself reads as YAML
        form = form_of(path, dt.date.fromisoformat(as_of))
        paste(path, fill(stdout, form, as_of, track))
        assert removed_lines(root) == [], "pasting only adds lines"
    for item in re.findall(rf"clr tick {case_id} (\S+) --by NAME", stderr):
        ticked = in_repo(root, ["tick", case_id, item, "--by", "R. Ahmed", "--as-of", as_of])
        assert ticked.exit_code == 0, describe(ticked)
    commit_all(root, "facts")


def _move(root: Path, case_id: str, path: Path, target: str, as_of: str, track: str,
          *extra: str) -> int:  # fmt: skip
    """Advance to ``target``; return the number of snippet rounds it took."""
    rounds = 0
    while True:
        result = _advance(root, case_id, as_of, *extra)
        if result.exit_code == 0:
            break
        assert rounds < 1, f"a second round was needed for {target}:\n{describe(result)}"
        assert result.exit_code == 1 and "Traceback" not in result.stderr, describe(result)
        assert numstat(root) == [], "a refused advance writes nothing"
        _supply(root, case_id, path, as_of, result, track)
        rounds += 1
    assert "moved from" in result.stderr and f"to {target}" in result.stderr, describe(result)
    removed = removed_lines(root)
    assert len(removed) == 1 and removed[0].startswith("stage: "), removed
    commit_all(root, f"to {target}")
    return rounds


def _visit(root: Path, case_id: str, day: str, *flags: str) -> None:
    result = in_repo(root, ["visit", case_id, "--method", "household", "--not-working",
                            "--date", day, "--by", "R. Ahmed", "--as-of", day, *flags])  # fmt: skip
    assert result.exit_code == 0, describe(result)
    commit_all(root, "visit")


@pytest.mark.slow
@pytest.mark.parametrize("track", ["underage", "young-worker"])
def test_the_no_input_snippet_moves_a_case_from_reported_to_closed(
    tmp_path: Path, track: str
) -> None:
    root = tmp_path / "repo"
    case_id, path = new_repo(root, track, "2026-01-05")
    for target, as_of in STEPS:
        _move(root, case_id, path, target, as_of, track)
    if track == "underage":
        _visit(root, case_id, "2026-04-06", "--in-school")
        _visit(root, case_id, "2026-07-06", "--in-school")
        extra = ("--reason", "no_longer_in_CL", "--approved-by", "M. Karim", "--root-cause", "debt")
        as_of = "2026-07-10"
    else:
        _visit(root, case_id, "2026-03-10", "--no-hazardous-work")
        extra = ("--reason", "hazard_removed", "--approved-by", "M. Karim", "--root-cause", "debt")
        as_of = "2026-03-12"
    _move(root, case_id, path, "closed", as_of, track, *extra)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["stage"] == "closed"
    validate = in_repo(root, ["validate", "--as-of", as_of])
    assert validate.exit_code == 0, describe(validate)


def test_the_snippet_names_every_field_of_a_missing_mapping(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    case_id, path = new_repo(root, "underage", "2026-01-05")
    _move(root, case_id, path, "identified", "2026-01-05", "underage")
    result = _advance(root, case_id, "2026-01-06")
    assert result.exit_code == 1
    snippet = yaml.safe_load(result.stdout)
    assert set(snippet["protection"]) == {"removed_from_work", "wages_continued", "safe_place"}
    assert snippet["protection"]["removed_from_work"] == "2026-01-06"  # --as-of
    assert "wages_continued" in result.stderr and "safe_place" in result.stderr
    assert f"clr set {case_id} " in result.stderr
    assert "protection.safe_place=TEXT" in result.stderr


def test_the_snippet_proposes_the_effective_minimum_age(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    case_id, path = new_repo(root, "underage", "2026-01-05")
    for target, as_of in STEPS[:2]:
        _move(root, case_id, path, target, as_of, "underage")
    result = _advance(root, case_id, "2026-01-08")
    assert result.exit_code == 1
    snippet = yaml.safe_load(result.stdout)
    from clr.model.ages import effective_minimum_age

    expected = effective_minimum_age("BD")
    assert snippet["age_verification"]["minimum_age"] == expected.age
    assert snippet["age_verification"]["minimum_age_decided_by"] == expected.decided_by
    assert "# verified: the age is proven" in result.stdout
    assert "# only when age_verification.result is verified" in result.stdout


def test_the_snippet_filled_in_goes_in_through_clr_set_from(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    case_id, path = new_repo(root, "underage", "2026-01-05")
    _move(root, case_id, path, "identified", "2026-01-05", "underage")
    result = _advance(root, case_id, "2026-01-06")
    assert result.exit_code == 1 and f"clr set {case_id} --from facts.yaml" in result.stderr
    form = form_of(path, dt.date(2026, 1, 6))
    (root / "facts.yaml").write_text(fill(result.stdout, form, "2026-01-06", "underage"), "utf-8")
    recorded = in_repo(root, ["set", case_id, "--from", "facts.yaml", "--as-of", "2026-01-06"])
    assert recorded.exit_code == 0, describe(recorded)
    assert removed_lines(root) == []
    moved = _advance(root, case_id, "2026-01-06")
    assert moved.exit_code == 0, describe(moved)
