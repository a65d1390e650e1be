"""clr validate and the playbook's closing rules: what "adult" means, checks after closure.

The closing move itself is tested through the CLI in tests/cases/test_closing_practice.py;
here, what validate says of a case file already closed (or about to be).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from clr.checks.results import Report
from clr.checks.validate import validate_paths
from clr.model.findings import Finding

CASE_ID = "CLR-2026-ABCDE"
CASE_PATH = f"cases/{CASE_ID}/case.yaml"
DAY = dt.date(2026, 4, 1)

Check = Callable[..., Report]


@pytest.fixture
def check(
    case_repo: Path, write_tree: Callable[..., Path], valid_case: Callable[..., str]
) -> Check:
    """``check(today=DAY, **overrides)``: write the case with overrides and validate the repo."""

    def run(today: dt.date = DAY, **overrides: Any) -> Report:
        write_tree({CASE_PATH: valid_case(**overrides)}, root=case_repo)
        return validate_paths([case_repo], today=today)

    return run


def of(report: Report, code: str) -> list[Finding]:
    return [f for f in report.findings if f.code == code]


def closed(reason: str, day: str = "2026-04-01", **closure: Any) -> dict[str, Any]:
    return {
        "stage": "closed",
        "history": [
            {"at": "2026-03-02T09:10:00Z", "from": None, "to": "reported", "by": "cw"},
            {"at": "2026-04-01T09:00:00Z", "from": "reported", "to": "closed", "by": "cw"},
        ],
        "closure": {"date": day, "reason": reason, "approved_by": "sup", **closure},
        "root_causes": ["household_poverty"],
    }


def verified(age: int, **extra: Any) -> dict[str, Any]:
    return {"date": "2026-03-02", "result": "verified", "verified_age": age, **extra}


@pytest.mark.parametrize(("age", "flagged"), [(14, True), (17, True), (18, False), (19, False)])
def test_adult_verified_needs_18_or_over(check: Check, age: int, flagged: bool) -> None:
    report = check(**closed("adult_verified"), track="young-worker", age_verification=verified(age))
    found = [f for f in of(report, "CLR209") if "not an adult" in f.message]
    assert bool(found) is flagged, report.findings
    if flagged:
        assert found[0].severity == "error" and "under 18" in found[0].message


def test_the_underage_track_at_the_minimum_age_is_told_young_worker_not_adult(
    check: Check,
) -> None:
    # Bangladesh: 14 is the minimum age; 14 is not an adult.
    report = check(age_verification=verified(14))
    hints = [f.hint for f in of(report, "CLR207")]
    assert hints and "young-worker" in hints[0] and "adult_verified" not in hints[0]
    report = check(age_verification=verified(19))
    hints = [f.hint for f in of(report, "CLR207")]
    assert hints and "adult_verified" in hints[0]


def test_a_check_after_closure_dated_before_closure_is_out_of_order(check: Check) -> None:
    report = check(
        **closed("refused"),
        recurrence_checks=[{"date": "2026-03-20", "method": "phone", "working": False}],
    )
    found = of(report, "CLR201")
    assert [f.pointer for f in found] == ["/recurrence_checks/0/date"]
    assert "before closure.date (2026-04-01)" in found[0].message


def test_a_closed_case_lacking_the_closing_rules_warns_and_stays_readable(check: Check) -> None:
    report = check(**closed("lost_contact", notes="moved"), today=dt.date(2026, 4, 2))
    found = {f.code: f for f in report.findings if f.code.startswith("CLR22")}
    assert set(found) == {"CLR221", "CLR223", "CLR224"}, report.findings
    assert all(f.severity == "warning" for f in found.values())
    assert "not known, so the child counts as under it" in found["CLR223"].message


def test_checks_after_closure_are_overdue_as_clr302(check: Check) -> None:
    facts = closed(
        "refused",
        notes="declined",
        refused_by="child",
        contact_attempts=[
            {"date": "2026-03-02", "method": "home_visit"},
            {"date": "2026-03-15", "method": "phone"},
            {"date": "2026-04-01", "method": "letter"},
        ],
        no_referral_reason="a report would put her at risk",
        rehire_check={"date": "2026-04-01", "rehired": False},
    )
    assert not of(check(**facts, today=dt.date(2026, 10, 1)), "CLR302")
    late = of(check(**facts, today=dt.date(2026, 10, 5)), "CLR302")
    assert len(late) == 1 and "due 2026-10-01" in late[0].message
    assert "clr follow-up" in late[0].hint
    moved = dict(facts, closure=dict(facts["closure"], recurrence_check="2026-11-01"))
    assert not of(check(**moved, today=dt.date(2026, 10, 5)), "CLR302")
    done = dict(
        facts,
        recurrence_checks=[{"date": "2026-09-30", "method": "household", "working": False}],
    )
    report = check(**done, today=dt.date(2026, 10, 5))
    assert not [f for f in report.findings if f.code[:5] in ("CLR30", "CLR22")], report.findings


def test_a_repository_playbook_without_checks_after_closure_has_none(
    check: Check, case_repo: Path
) -> None:
    source = Path(__file__).parents[2] / "playbooks" / "child-labour.yaml"
    book = yaml.safe_load(source.read_text(encoding="utf-8"))
    del book["closing"]["recurrence_checks"]
    (case_repo / "playbooks").mkdir(exist_ok=True)
    (case_repo / "playbooks" / "child-labour.yaml").write_text(yaml.safe_dump(book), "utf-8")
    report = check(**closed("refused", notes="declined"), today=dt.date(2027, 4, 1))
    assert not of(report, "CLR302"), report.findings
    assert of(report, "CLR221")  # the other rules stay
