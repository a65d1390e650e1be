"""Two cases replayed through the command line: the young-worker track and its rules.

* A 16-year-old brushing solvent adhesive in a Vietnam footwear plant, moved to a safe
  job (the example case EXR-2026-P4ZR8, carried on from ``protected``).
* A 13-year-old girl in a Bangladesh garment finishing section, where the weekend is
  Friday (the example case EXR-2026-H9CSW, and a new case opened on a Thursday).

Each test shows one point through ``clr`` itself, on copies of the example cases in a
temporary repository.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from tests.helpers_workflow import describe, run

from clr.io import yamlio

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
VIETNAM = "EXR-2026-P4ZR8"
BANGLADESH = "EXR-2026-H9CSW"
FARM = "EXR-2026-R5YTE"  # a young worker in Vietnam, in_remediation, with a safe job
ASSESSED = "EXR-2026-XW2NA"  # a young worker whose case waits for its plan
AS_OF = "2026-11-20"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    (root / "cases").mkdir(parents=True)
    shutil.copy(EXAMPLES / "clr.yaml", root / "clr.yaml")
    for case in (VIETNAM, BANGLADESH, FARM, ASSESSED):
        shutil.copytree(EXAMPLES / "cases" / case, root / "cases" / case)
    monkeypatch.chdir(root)
    return root


def load(root: Path, case: str) -> dict:
    loaded = yamlio.read_file(root / "cases" / case / "case.yaml")
    assert loaded.data is not None
    return loaded.data


def ok(*args: str) -> str:
    result = run(list(args))
    assert result.exit_code == 0, describe(result)
    return result.stdout


def validate_codes(*extra: str) -> tuple[int, list[tuple[str, str, str]]]:
    result = run(["validate", ".", "--as-of", AS_OF, "--no-cache", "-f", "json", *extra])
    doc = json.loads(result.stdout)
    found = [
        (f["id"], finding["code"], finding["severity"])
        for f in doc["files"]
        for finding in f["findings"]
    ]
    return result.exit_code, found


def next_doc(case: str, as_of: str = AS_OF) -> dict:
    return json.loads(ok("next", case, "--as-of", as_of, "-f", "json"))


def edit(root: Path, case: str, old: str, new: str) -> None:
    path = root / "cases" / case / "case.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# --- stage order --------------------------------------------------------------------


def test_on_site_assessment_shows_with_its_deadline_before_age_verified(repo: Path) -> None:
    # The young worker's case is in protected; the 72-hour assessment belongs to
    # age_verified but its deadline runs from discovery (2026-11-10).
    doc = next_doc(VIETNAM, "2026-11-11")
    assert doc["stage"] == "protected"
    onsite = next(a for a in doc["actions"] if a["id"] == "age-onsite-assessment")
    assert (onsite["stage"], onsite["due"], onsite["overdue_days"]) == (
        "age_verified",
        "2026-11-13",
        0,
    )
    text = ok("next", VIETNAM, "--as-of", "2026-11-11")
    line = next(ln for ln in text.splitlines() if "age-onsite-assessment" in ln)
    assert "due 2026-11-13" in line and "for age_verified" in line
    # Nine days later it is overdue, and clr validate says so although the case has not
    # reached the stage yet.
    _, found = validate_codes()
    assert (VIETNAM, "CLR301", "warning") in found


def test_a_new_case_in_reported_shows_the_assessment_deadline(repo: Path) -> None:
    out = run(
        [
            "new-case",
            "--no-input",
            "--site",
            "Line 4",
            "--country",
            "BD",
            "--sector",
            "garments",
            "--discovered",
            "2026-01-08",
            "--channel",
            "audit",
            "--pseudonym",
            "Girl, 13, finishing",
            "--sex",
            "female",
            "--age",
            "13",
            "--by",
            "Desk officer",
            "--as-of",
            "2026-01-08",
        ]
    )
    assert out.exit_code == 0, describe(out)
    case = out.stdout.strip()
    doc = next_doc(case, "2026-01-08")
    assert doc["stage"] == "reported"
    due = {a["id"]: (a["stage"], a["due"]) for a in doc["actions"]}
    assert due["age-onsite-assessment"] == ("age_verified", "2026-01-11")
    # Working days follow Bangladesh's week: discovered on Thursday 8 January, the
    # parties are told within one working day; Friday is the weekend, so Saturday.
    assert due["protect-inform-parties"] == ("protected", "2026-01-10")


def test_clr_yaml_working_days_win_over_the_country_week(repo: Path) -> None:
    config = repo / "clr.yaml"
    config.write_text(
        config.read_text(encoding="utf-8") + "working_days: [mon, tue, wed, thu, fri]\n",
        encoding="utf-8",
    )
    out = run(
        [
            "new-case",
            "--no-input",
            "--site",
            "Line 4",
            "--country",
            "BD",
            "--discovered",
            "2026-01-08",
            "--channel",
            "audit",
            "--pseudonym",
            "Girl, 13",
            "--sex",
            "female",
            "--age",
            "13",
            "--by",
            "Desk officer",
            "--as-of",
            "2026-01-08",
        ]
    )
    assert out.exit_code == 0, describe(out)
    doc = next_doc(out.stdout.strip(), "2026-01-08")
    due = {a["id"]: a["due"] for a in doc["actions"]}
    assert due["protect-inform-parties"] == "2026-01-09"


# --- legal hours and the safe job ---------------------------------------------------------


def test_protection_at_60_hours_is_refused_for_a_vietnamese_young_worker(repo: Path) -> None:
    result = run(
        ["set", VIETNAM, "protection.new_hours_per_week=60", "--as-of", AS_OF],
    )
    assert result.exit_code == 1, describe(result)
    assert "CLR242" in result.stderr
    assert "40 hours a week" in result.stderr and "VN" in result.stderr
    assert load(repo, VIETNAM)["protection"]["new_hours_per_week"] == 40


def test_the_safe_job_is_asked_for_and_checked(repo: Path) -> None:
    edit(
        repo,
        VIETNAM,
        "checklist:\n",
        "plan:\n"
        "  safe_job:\n"
        "    tasks: [packing finished shoes]\n"
        "    hours_per_week: 48\n"
        '    shift: "14:00-23:00"\n'
        "    night_work: false\n"
        "    protective_equipment: []\n"
        "checklist:\n",
    )
    code, found = validate_codes()
    assert code == 1
    assert (VIETNAM, "CLR242", "error") in found  # 48 > 40 hours in Vietnam
    assert (VIETNAM, "CLR243", "error") in found  # the shift reaches past 22:00
    edit(repo, VIETNAM, "hours_per_week: 48", "hours_per_week: 40")
    edit(repo, VIETNAM, '"14:00-23:00"', '"07:30-16:30"')
    code, found = validate_codes()
    assert [f for f in found if f[0] == VIETNAM and f[1] in ("CLR242", "CLR243")] == []


def test_advance_asks_for_the_safe_job(repo: Path) -> None:
    result = run(["advance", ASSESSED, "--by", "R. Ahmed", "--as-of", AS_OF, "--no-input"])
    assert result.exit_code == 1, describe(result)
    for field in ("safe_job.tasks", "safe_job.hours_per_week", "safe_job.shift"):
        assert field in result.stderr
    assert "safe_job.night_work" in result.stderr
    assert "safe_job.protective_equipment" in result.stderr


def test_set_fills_the_safe_job_field_by_field(repo: Path) -> None:
    ok(
        "set",
        VIETNAM,
        "plan.safe_job.tasks=packing finished shoes",
        "plan.safe_job.hours_per_week=40",
        "plan.safe_job.shift=07:30-16:30",
        "plan.safe_job.night_work=false",
        "plan.safe_job.protective_equipment=gloves",
        "plan.safe_job.checked_by=T. Nguyen",
        "plan.safe_job.checked_on=2026-11-12",
        "--as-of",
        AS_OF,
    )
    job = load(repo, VIETNAM)["plan"]["safe_job"]
    assert job["hours_per_week"] == 40 and job["night_work"] is False
    assert job["checked_on"] == "2026-11-12"


def test_school_is_optional_for_a_young_worker_in_a_safe_job(repo: Path) -> None:
    # In remediation, the young worker's enrolment is optional and nothing waits for it.
    doc = next_doc(FARM)
    assert doc["track"] == "young-worker" and doc["stage"] == "in_remediation"
    ids = {a["id"]: a for a in doc["actions"]}
    assert "impl-enrol" not in ids
    assert ids["impl-training-young-worker"]["required"] is False
    # This plan chose a tailoring course, so its enrolment is still needed to move on.
    assert any("enrolled" in b["message"] for b in doc["blockers"])
    edit(repo, FARM, "    - type: vocational_training\n", "    - type: other\n")
    assert not any("enrolled" in b["message"] for b in next_doc(FARM)["blockers"])


def test_a_visit_records_the_safe_job_apart_from_child_labour(repo: Path) -> None:
    ok(
        "visit",
        VIETNAM,
        "--method",
        "unannounced",
        "--working",
        "--no-hazardous-work",
        "--safe-job",
        "--date",
        "2026-11-19",
        "--as-of",
        AS_OF,
    )
    visit = load(repo, VIETNAM)["visits"][-1]
    assert (visit["working"], visit["safe_job"], visit["hazardous_work"]) == (True, True, False)
    ok(
        "visit",
        VIETNAM,
        "--method",
        "announced",
        "--working",
        "--not-safe-job",
        "--date",
        "2026-11-20",
        "--as-of",
        AS_OF,
    )
    _, found = validate_codes()
    assert (VIETNAM, "CLR244", "warning") in found
    refused = run(["visit", BANGLADESH, "--method", "announced", "--not-working", "--safe-job"])
    assert refused.exit_code == 2
    assert "young worker" in refused.stderr


# --- consent ------------------------------------------------------------------------


def test_a_sixteen_year_old_s_own_consent_gates_the_buyer_report(repo: Path) -> None:
    edit(
        repo,
        VIETNAM,
        "checklist:\n",
        "assessment:\n"
        "  consent:\n"
        "    guardian:\n"
        '      share_with_buyer: {given: true, date: "2026-11-12"}\n'
        "checklist:\n",
    )
    refused = run(["report", VIETNAM, "--for", "buyer", "--as-of", AS_OF])
    assert refused.exit_code == 1, describe(refused)
    assert "own consent" in refused.stderr and "share_with_buyer" in refused.stderr
    edit(
        repo,
        VIETNAM,
        "checklist:\n",
        '    child:\n      share_with_buyer: {given: true, date: "2026-11-12"}\nchecklist:\n',
    )
    ok("report", VIETNAM, "--for", "buyer", "--as-of", AS_OF)


def test_a_younger_child_s_refused_assent_blocks_the_report(repo: Path) -> None:
    ok("report", BANGLADESH, "--for", "buyer", "--as-of", AS_OF)
    edit(
        repo,
        BANGLADESH,
        "    child:\n",
        '    child:\n      share_with_buyer: {given: false, date: "2026-11-01"}\n',
    )
    refused = run(["report", BANGLADESH, "--for", "buyer", "--as-of", AS_OF])
    assert refused.exit_code == 1
    assert "refused assent" in refused.stderr


# --- safeguarding ---------------------------------------------------------------------


def test_one_adult_and_no_woman_at_a_girl_s_interview_warn(repo: Path) -> None:
    edit(
        repo,
        BANGLADESH,
        "    adults_present: 2\n    woman_present: true",
        "    adults_present: 1\n    woman_present: false",
    )
    code, found = validate_codes()
    assert code == 0
    assert (BANGLADESH, "CLR240", "warning") in found
    assert (BANGLADESH, "CLR241", "warning") in found
    config = repo / "clr.yaml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + "rules:\n  interview_adults: {severity: error}\n"
        + "  interview_woman_for_girl: {severity: 'off'}\n",
        encoding="utf-8",
    )
    code, found = validate_codes()
    assert code == 1
    assert (BANGLADESH, "CLR240", "error") in found
    assert not [f for f in found if f[1] == "CLR241"]


# --- relevance ----------------------------------------------------------------------


def test_garment_cases_get_no_farm_items_and_visits_fulfil_their_item(repo: Path) -> None:
    # The girl's case had an unannounced visit and a school check: the item they fulfil
    # is done without a tick; a farm-only item never shows in a garment case.
    edit(repo, BANGLADESH, '  mon-unannounced-and-school: {done: "2026-05-19", by: R. Ahmed}\n', "")
    assert "mon-unannounced-and-school" not in load(repo, BANGLADESH)["checklist"]
    ids = {a["id"] for a in next_doc(BANGLADESH)["actions"]}
    assert "mon-unannounced-and-school" not in ids
    assert "mon-farm-follow-ups" not in ids
    edit(repo, BANGLADESH, "    method: school_check", "    method: household")
    todo = {a["id"]: a for a in next_doc(BANGLADESH)["actions"]}
    assert todo["mon-unannounced-and-school"]["recurrence"] == "by visits: school_check"
    ok(
        "visit",
        BANGLADESH,
        "--method",
        "school_check",
        "--not-working",
        "--date",
        "2026-11-20",
        "--as-of",
        AS_OF,
    )
    ids = {a["id"] for a in next_doc(BANGLADESH)["actions"]}
    assert "mon-unannounced-and-school" not in ids


def test_underage_cases_get_no_young_worker_warnings(repo: Path) -> None:
    warning = "Do not take a young worker who is over the minimum age out of work"
    assert any(w.startswith(warning) for w in next_doc(VIETNAM)["warnings"])
    edit(repo, VIETNAM, "track: young-worker", "track: underage")
    edit(
        repo,
        VIETNAM,
        "protection:\n",
        'protection:\n  removed_from_work: "2026-11-11"\n  safe_place: At home\n',
    )
    warnings = next_doc(VIETNAM)["warnings"]
    assert warnings and not any(w.startswith(warning) for w in warnings)
