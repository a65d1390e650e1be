"""Tests for clr.checks.rules, through real case files: what a JSON Schema cannot say."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from clr.checks.results import Report
from clr.checks.validate import validate_paths
from clr.model.findings import Finding
from clr.model.stages import STAGES

CASE_ID = "CLR-2026-ABCDE"
OTHER_ID = "CLR-2026-FGHJK"
CASE_PATH = f"cases/{CASE_ID}/case.yaml"
DAY = dt.date(2026, 3, 2)

Check = Callable[..., Report]


def show(result: Result) -> str:
    return f"exit {result.exit_code}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"


def of(report: Report, code: str) -> list[Finding]:
    return [f for f in report.findings if f.code == code]


def codes(report: Report) -> set[str]:
    return {f.code for f in report.findings}


def history(*stages: str) -> list[dict[str, Any]]:
    """History entries moving through ``stages`` from nothing, an hour apart."""
    entries = []
    previous = None
    for hour, stage in enumerate(stages):
        entries.append(
            {"at": f"2026-03-02T{hour:02d}:00:00Z", "from": previous, "to": stage, "by": "cw"}
        )
        previous = stage
    return entries


@pytest.fixture
def check(
    case_repo: Path, write_tree: Callable[..., Path], valid_case: Callable[..., str]
) -> Check:
    """``check(today=DAY, **overrides)``: write the case with overrides and validate the repo."""

    def run(today: dt.date = DAY, **overrides: Any) -> Report:
        write_tree({CASE_PATH: valid_case(**overrides)}, root=case_repo)
        return validate_paths([case_repo], today=today)

    return run


def test_minimal_case_has_no_findings(check: Check) -> None:
    report = check()
    assert report.findings == []
    assert report.cases == 1
    assert report.exit_code() == 0


# --- dates ---------------------------------------------------------------------------------


def test_dates_out_of_order(check: Check) -> None:
    report = check(
        protection={"removed_from_work": "2026-03-01"},
        today=dt.date(2026, 3, 10),
    )
    finding = of(report, "CLR201")
    assert len(finding) == 1, report.findings
    assert finding[0].pointer == "/protection/removed_from_work"
    assert "2026-03-01" in finding[0].message and "discovery.date" in finding[0].message
    assert finding[0].path.endswith(CASE_PATH)
    assert finding[0].line > 0
    assert report.exit_code() == 1


def test_visit_before_discovery(check: Check) -> None:
    visits = [{"date": "2026-02-20", "method": "household", "working": False}]
    report = check(visits=visits, today=dt.date(2026, 3, 10))
    assert [f.pointer for f in of(report, "CLR201")] == ["/visits/0/date"]


def test_each_visit_and_payment_date_is_held_to_discovery_closure_and_today(
    check: Check,
) -> None:
    # One reading of each date serves the three tests: a visit before discovery, a payment
    # after closure and dates after today are each found, with their pointers.
    visits = [
        {"date": "2026-02-20", "method": "household", "working": False},
        {"date": "2026-03-05", "method": "household", "working": False},
        "not a visit",
        {"date": "2026-04-01", "method": "household", "working": False},
    ]
    payments = [{"date": "2026-03-20", "amount": 10, "currency": "XOF", "payer": "supplier"}]
    report = check(
        visits=visits,
        payments=payments,
        closure={"date": "2026-03-10"},
        today=dt.date(2026, 3, 25),
    )
    assert [f.pointer for f in of(report, "CLR201")] == [
        "/visits/0/date",
        "/visits/3/date",
        "/payments/0/date",
    ]
    assert "before discovery.date" in of(report, "CLR201")[0].message
    assert "after closure.date" in of(report, "CLR201")[1].message
    assert [f.pointer for f in of(report, "CLR202")] == ["/visits/3/date"]


def test_dates_in_order_are_fine(check: Check) -> None:
    report = check(
        protection={"removed_from_work": "2026-03-02", "hazards_removed": "2026-03-03"},
        age_verification={"date": "2026-03-04"},
        today=dt.date(2026, 3, 4),
    )
    assert not of(report, "CLR201")


def test_future_date_with_as_of(
    case_repo: Path, run_cli: Callable[..., Result], tmp_path: Path
) -> None:
    result = run_cli(["validate", "--as-of", "2026-03-01", "--format", "json"], cwd=case_repo)
    assert result.exit_code == 1, show(result)
    doc = json.loads(result.stdout)
    future = [f for file in doc["files"] for f in file["findings"] if f["code"] == "CLR202"]
    pointers = {f["pointer"] for f in future}
    assert pointers == {"/opened", "/discovery/date", "/history/0/at"}
    opened = next(f for f in future if f["pointer"] == "/opened")
    assert "2026-03-02" in opened["message"] and "2026-03-01" in opened["message"]
    assert opened["line"] == 6  # where opened: is in the minimal case

    same_day = run_cli(["validate", "--as-of", "2026-03-02"], cwd=case_repo)
    assert same_day.exit_code == 0, show(same_day)
    assert "CLR202" not in same_day.stdout


# --- identity ----------------------------------------------------------------------------


def test_id_does_not_match_folder(
    case_repo: Path, write_tree: Callable[..., Path], valid_case: Callable[..., str]
) -> None:
    write_tree({f"cases/{OTHER_ID}/case.yaml": valid_case()}, root=case_repo)
    report = validate_paths([case_repo], today=DAY)
    mismatch = of(report, "CLR203")
    assert len(mismatch) == 1, report.findings
    assert mismatch[0].path.endswith(f"cases/{OTHER_ID}/case.yaml")
    assert OTHER_ID in mismatch[0].message and CASE_ID in mismatch[0].message
    assert mismatch[0].pointer == "/id"
    assert mismatch[0].line == 2  # the id: line


def test_duplicate_ids_are_reported_on_both_files(
    case_repo: Path, write_tree: Callable[..., Path], valid_case: Callable[..., str]
) -> None:
    write_tree({f"cases/{OTHER_ID}/case.yaml": valid_case()}, root=case_repo)
    report = validate_paths([case_repo], today=DAY)
    duplicates = of(report, "CLR204")
    assert sorted(Path(f.path).parent.name for f in duplicates) == [CASE_ID, OTHER_ID]
    for finding in duplicates:
        assert CASE_ID in finding.message and OTHER_ID in finding.message  # names both files
    assert report.exit_code() == 1


def test_duplicate_ids_across_separate_folders(
    tmp_path: Path, write_tree: Callable[..., Path], valid_case: Callable[..., str]
) -> None:
    write_tree({f"a/{CASE_ID}/case.yaml": valid_case(), f"b/{CASE_ID}/case.yaml": valid_case()})
    report = validate_paths([tmp_path / "a", tmp_path / "b"], today=DAY)
    duplicates = of(report, "CLR204")
    assert len(duplicates) == 2
    assert {Path(f.path).parts[-3] for f in duplicates} == {"a", "b"}
    assert codes(report) == {"CLR204"}


def test_duplicate_id_points_at_the_id_line(
    tmp_path: Path, write_tree: Callable[..., Path], valid_case: Callable[..., str]
) -> None:
    write_tree({f"a/{CASE_ID}/case.yaml": valid_case(), f"b/{CASE_ID}/case.yaml": valid_case()})
    report = validate_paths([tmp_path / "a", tmp_path / "b"], today=DAY)
    assert [(f.line, f.col) for f in of(report, "CLR204")] == [(2, 5), (2, 5)]


# --- history -------------------------------------------------------------------------------


def test_last_history_entry_disagrees_with_stage(check: Check) -> None:
    report = check(stage="identified")
    finding = of(report, "CLR205")
    assert len(finding) == 1
    assert finding[0].pointer == "/stage"
    assert "identified" in finding[0].message and "reported" in finding[0].message


def test_history_skipping_a_stage(check: Check) -> None:
    report = check(stage="protected", history=history("reported", "protected"))
    finding = of(report, "CLR206")
    assert [f.pointer for f in finding] == ["/history/1/to"]
    assert "reported to protected" in finding[0].message
    assert not of(report, "CLR205")


def test_history_moving_backwards(check: Check) -> None:
    report = check(history=history("reported", "identified", "reported"))
    finding = of(report, "CLR206")
    assert [f.pointer for f in finding] == ["/history/2/to"]
    assert "identified to reported" in finding[0].message


def test_history_from_does_not_follow_previous_entry(check: Check) -> None:
    entries = history("reported", "identified")
    entries[1]["from"] = "protected"
    report = check(stage="identified", history=entries)
    assert [f.pointer for f in of(report, "CLR206")] == ["/history/1/from"]


def test_history_must_start_at_reported_or_identified(check: Check) -> None:
    entries = history("protected")
    report = check(stage="protected", history=entries)
    finding = of(report, "CLR206")
    assert [f.pointer for f in finding] == ["/history/0/to"]
    assert "starts in reported or identified" in finding[0].message


def test_closed_case_cannot_move_on(check: Check) -> None:
    report = check(history=history("reported", "closed", "reported"))
    assert [f.pointer for f in of(report, "CLR206")] == ["/history/2/to"]


def test_history_one_step_at_a_time_is_fine(check: Check) -> None:
    report = check(stage="protected", history=history("reported", "identified", "protected"))
    assert not codes(report) & {"CLR205", "CLR206", "CLR212"}


@pytest.mark.parametrize("last", [s for s in STAGES if s != "closed"])
def test_closing_is_allowed_from_any_stage(check: Check, last: str) -> None:
    path = STAGES[: STAGES.index(last) + 1]
    closure = {
        "date": "2026-03-03",
        "reason": "referred",
        "referred_to": "social services",
        "approved_by": "supervisor",
    }
    report = check(
        stage="closed",
        history=history(*path, "closed"),
        closure=closure,
        today=dt.date(2026, 3, 3),
    )
    assert not codes(report) & {"CLR205", "CLR206"}
    assert report.errors == 0, report.findings


def test_history_times_out_of_order(check: Check) -> None:
    entries = history("reported", "identified")
    entries[1]["at"] = "2026-03-01T23:00:00Z"
    report = check(stage="identified", history=entries)
    assert [f.pointer for f in of(report, "CLR212")] == ["/history/1/at"]


def _without_identified() -> list[dict[str, Any]]:
    entries = history("reported", "identified", "protected")
    del entries[1]
    return entries


def _from_closed() -> list[dict[str, Any]]:
    return history("reported", "closed", "reported")


CLR206_HINTS = {
    # name: (stage, history, pointer, what the hint must say)
    "skips a stage": (
        "protected",
        history("reported", "protected"),
        "/history/1/to",
        "record the missing moves in place of this entry, one entry per stage "
        "(reported -> identified, identified -> protected), with the time each happened; "
        "clr advance records each move this way, one stage at a time",
    ),
    "skips two stages": (
        "age_verified",
        history("reported", "age_verified"),
        "/history/1/to",
        "(reported -> identified, identified -> protected, protected -> age_verified)",
    ),
    "a move was deleted": (
        "protected",
        _without_identified(),
        "/history/1/from",
        "record the missing move reported -> identified before this entry, with the time it "
        "happened; clr advance records each move this way",
    ),
    "moves back": (
        "reported",
        history("reported", "identified", "reported"),
        "/history/2/to",
        "a case never moves back a stage: remove this entry, or restore the entries",
    ),
    "moves on after closing": (
        "reported",
        _from_closed(),
        "/history/2/to",
        "a closed case is never moved again: if the child was found working again, open a "
        "linked case with clr reopen",
    ),
    "starts too late": (
        "protected",
        history("protected"),
        "/history/0/to",
        "the first entry moves from null to reported (or identified)",
    ),
}


@pytest.mark.parametrize("name", sorted(CLR206_HINTS))
def test_history_finding_says_what_to_do(
    case_repo: Path,
    run_cli: Callable[..., Result],
    write_tree: Callable[..., Path],
    valid_case: Callable[..., str],
    name: str,
) -> None:
    stage, entries, pointer, says = CLR206_HINTS[name]
    write_tree({CASE_PATH: valid_case(stage=stage, history=entries)}, root=case_repo)
    result = run_cli(["validate", "--as-of", "2026-03-02", "--format", "json"], cwd=case_repo)
    assert result.exit_code == 1, show(result)
    doc = json.loads(result.stdout)
    found = [f for file in doc["files"] for f in file["findings"] if f["code"] == "CLR206"]
    assert [f["pointer"] for f in found] == [pointer], show(result)
    assert says in found[0]["hint"]
    if name != "moves on after closing":
        assert "reopen" not in found[0]["hint"]


# --- ages ----------------------------------------------------------------------------------


def _verified(age: int, **extra: Any) -> dict[str, Any]:
    return {"date": "2026-03-02", "result": "verified", "verified_age": age, **extra}


def test_underage_track_with_verified_age_at_the_minimum(check: Check) -> None:
    # Bangladesh: the effective minimum age for general work is 14.
    report = check(age_verification=_verified(15))
    finding = of(report, "CLR207")
    assert len(finding) == 1
    assert finding[0].pointer == "/age_verification/verified_age"
    assert "underage track" in finding[0].message
    assert finding[0].severity == "error"


def test_young_worker_track_with_verified_age_below_the_minimum(check: Check) -> None:
    report = check(track="young-worker", age_verification=_verified(13))
    finding = of(report, "CLR207")
    assert len(finding) == 1
    assert "below the minimum age" in finding[0].message
    assert "underage" in finding[0].hint


def test_young_worker_track_aged_18_is_not_a_child(check: Check) -> None:
    report = check(track="young-worker", age_verification=_verified(18))
    assert ["18 or over" in f.message for f in of(report, "CLR207")] == [True]


@pytest.mark.parametrize(("track", "age"), [("underage", 13), ("young-worker", 16)])
def test_verified_age_that_fits_the_track(check: Check, track: str, age: int) -> None:
    report = check(track=track, age_verification=_verified(age))
    assert not of(report, "CLR207")


def test_inconclusive_verification_is_not_checked_against_the_track(check: Check) -> None:
    report = check(age_verification={"date": "2026-03-02", "result": "inconclusive"})
    assert not of(report, "CLR207")


def test_recorded_minimum_age_differs(check: Check) -> None:
    report = check(age_verification=_verified(12, minimum_age=15))
    finding = of(report, "CLR208")
    assert len(finding) == 1, report.findings
    assert finding[0].severity == "warning"
    assert finding[0].pointer == "/age_verification/minimum_age"
    assert "14" in finding[0].message and "15" in finding[0].message
    assert report.errors == 0
    assert report.exit_code() == 0
    assert report.exit_code(strict=True) == 1


def test_recorded_minimum_age_warning_exit_codes_in_the_cli(
    case_repo: Path,
    write_tree: Callable[..., Path],
    valid_case: Callable[..., str],
    run_cli: Callable[..., Result],
) -> None:
    write_tree(
        {CASE_PATH: valid_case(age_verification=_verified(12, minimum_age=15))}, root=case_repo
    )
    lenient = run_cli(["validate", "--as-of", "2026-03-02"], cwd=case_repo)
    assert lenient.exit_code == 0, show(lenient)
    assert "CLR208" in lenient.stdout
    assert "0 errors and 1 warning" in lenient.stdout

    strict = run_cli(["validate", "--as-of", "2026-03-02", "--strict"], cwd=case_repo)
    assert strict.exit_code == 1, show(strict)
    assert "CLR208" in strict.stdout


def test_recorded_minimum_age_that_matches(check: Check) -> None:
    report = check(age_verification=_verified(12, minimum_age=14))
    assert report.findings == []


def test_minimum_age_override_in_clr_yaml(
    case_repo: Path, write_tree: Callable[..., Path], valid_case: Callable[..., str]
) -> None:
    write_tree(
        {
            "clr.yaml": """
                schema_version: 1
                organisation: Test
                id_prefix: CLR
                minimum_ages:
                  BD: {general: 15}
            """,
            CASE_PATH: valid_case(age_verification=_verified(12, minimum_age=15)),
        },
        root=case_repo,
    )
    report = validate_paths([case_repo], today=DAY)
    assert report.findings == []


# --- closure -------------------------------------------------------------------------------


def _closed(reason: str, day: str = "2026-04-01", **closure: Any) -> dict[str, Any]:
    return {
        "stage": "closed",
        "history": history("reported", "closed"),
        "closure": {"date": day, "reason": reason, "approved_by": "sup", **closure},
    }


def _visit(day: str, working: bool) -> dict[str, Any]:
    return {"date": day, "method": "household", "working": working}


def test_no_longer_in_cl_with_the_last_visit_working(check: Check) -> None:
    report = check(
        **_closed("no_longer_in_CL"),
        visits=[_visit("2026-03-10", False), _visit("2026-03-30", True)],
        today=dt.date(2026, 4, 1),
    )
    finding = of(report, "CLR209")
    assert len(finding) == 1, report.findings
    assert finding[0].pointer == "/closure/reason"
    assert "last two" in finding[0].message


def test_no_longer_in_cl_with_two_visits_not_working(check: Check) -> None:
    report = check(
        **_closed("no_longer_in_CL"),
        visits=[_visit("2026-03-10", False), _visit("2026-03-30", False)],
        today=dt.date(2026, 4, 1),
    )
    assert not of(report, "CLR209")
    assert report.errors == 0, report.findings


def test_reached_min_age_too_early(check: Check) -> None:
    report = check(
        **_closed("reached_min_age"),
        age_verification=_verified(13),
        today=dt.date(2026, 4, 1),
    )
    messages = [f.message for f in of(report, "CLR209")]
    assert any("needs the child to be 14" in m and "only 13" in m for m in messages), messages
    assert any("6 months" in m for m in messages), messages


def test_reached_min_age_after_birthday_and_six_months(check: Check) -> None:
    report = check(
        **_closed("reached_min_age", day="2026-10-01"),
        child={"birth_date": "2012-05-01"},
        age_verification=_verified(13, birth_date="2012-05-01"),
        today=dt.date(2026, 10, 1),
    )
    assert not of(report, "CLR209"), report.findings


def test_adult_verified_below_the_minimum_age(check: Check) -> None:
    report = check(**_closed("adult_verified"), age_verification=_verified(12))
    finding = of(report, "CLR209")
    assert len(finding) == 1
    assert "adult_verified" in finding[0].message and "12" in finding[0].message


def test_duplicate_of_itself(check: Check) -> None:
    report = check(**_closed("duplicate", duplicate_of=CASE_ID), today=dt.date(2026, 4, 1))
    assert [f.pointer for f in of(report, "CLR209")] == ["/closure/duplicate_of"]


# --- money ---------------------------------------------------------------------------------


def test_cost_split_not_adding_up_to_100(check: Check) -> None:
    report = check(plan={"cost_split": {"buyer": 50, "supplier": 40}})
    finding = of(report, "CLR210")
    assert len(finding) == 1
    assert finding[0].pointer == "/plan/cost_split"
    assert "90" in finding[0].message
    assert report.exit_code() == 1


@pytest.mark.parametrize("split", [{"buyer": 100}, {"buyer": 33.3, "supplier": 66.7}])
def test_cost_split_adding_up_to_100(check: Check, split: dict[str, float]) -> None:
    report = check(plan={"cost_split": split})
    assert report.findings == []


def _stipend(amount: int, lost: int, lost_currency: str = "BDT") -> dict[str, Any]:
    return {
        "plan": {
            "stipend": {
                "amount": amount,
                "currency": "BDT",
                "frequency": "monthly",
                "payer": "buyer",
                "lost_wage": {"amount": lost, "currency": lost_currency},
            }
        }
    }


def test_stipend_below_lost_wage_is_a_warning(check: Check) -> None:
    report = check(**_stipend(2000, 3000))
    finding = of(report, "CLR214")
    assert len(finding) == 1
    assert finding[0].severity == "warning"
    assert finding[0].pointer == "/plan/stipend/amount"
    assert "2000" in finding[0].message and "3000" in finding[0].message
    assert report.exit_code() == 0
    assert report.exit_code(strict=True) == 1


def test_stipend_below_lost_wage_names_both_amounts_with_their_currency(
    case_repo: Path,
    run_cli: Callable[..., Result],
    write_tree: Callable[..., Path],
    valid_case: Callable[..., str],
) -> None:
    plan = _stipend(1_200_000, 1_500_000)
    plan["plan"]["stipend"].update(currency="UGX", lost_wage={"amount": 1.5e6, "currency": "UGX"})
    write_tree({CASE_PATH: valid_case(**plan)}, root=case_repo)
    result = run_cli(["validate", "--as-of", "2026-03-02", "--format", "json"], cwd=case_repo)
    doc = json.loads(result.stdout)
    found = [f for file in doc["files"] for f in file["findings"] if f["code"] == "CLR214"]
    assert [f["message"] for f in found] == [
        "the stipend (1200000 UGX monthly) is below the child's lost wage (1500000 UGX "
        "monthly): a top reason families drop out of remediation"
    ], show(result)


@pytest.mark.parametrize(("amount", "lost", "currency"), [(3000, 3000, "BDT"), (10, 3000, "USD")])
def test_stipend_not_compared_or_not_below(
    check: Check, amount: int, lost: int, currency: str
) -> None:
    report = check(**_stipend(amount, lost, currency))
    assert not of(report, "CLR214")
