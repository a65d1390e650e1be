"""Closing a case as a practitioner does, replayed through the CLI.

Two cases: a 13-year-old girl in a Bangladesh garment finishing section who turns 14 (the
example case EXR-2026-H9CSW, in monitoring), and a 12-year-old whose family refused the
remedy (a new case). Each shows one of the playbook's closing rules (``closing`` in
playbooks/child-labour.yaml): a young-worker plan at the minimum age, checks after closure
as deadlines, contact attempts, who refused, a referral and a re-hire check under the
minimum age, running payments, root causes, reopening and the closure facts as options.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from helpers_workflow import describe, run

EXAMPLES = Path(__file__).parents[2] / "examples"
AS_OF = "2026-11-20"
GIRL = "EXR-2026-H9CSW"  # underage, monitoring, BD garments, born 2012-09: 14 since September


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the example case repository; cwd is its root.

    The girl works in the finishing section, for a buyer whose code of conduct follows
    the law: her minimum age is Bangladesh's 14.
    """
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copy(EXAMPLES / "clr.yaml", root / "clr.yaml")
    shutil.copytree(EXAMPLES / "cases", root / "cases")
    monkeypatch.chdir(root)
    ok("set", GIRL, "discovery.work=Thread trimming in the finishing section",
       "site.buyer=Harbour & Hill", "age_verification.minimum_age=14",
       "age_verification.minimum_age_decided_by=national_law", "--as-of", AS_OF)  # fmt: skip
    return root


def load(root: Path, case_id: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(
        (root / "cases" / case_id / "case.yaml").read_text(encoding="utf-8")
    )
    return data


def ok(*args: str) -> Any:
    result = run(list(args))
    assert result.exit_code == 0, describe(result)
    return result


def refused(*args: str, path: Path | None = None) -> str:
    """Run clr; assert exit 1 with an error (and the case file unchanged); return stderr."""
    before = path.read_bytes() if path else b""
    result = run(list(args))
    assert result.exit_code == 1, describe(result)
    assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr
    if path is not None:
        assert path.read_bytes() == before, "a refused command changed the file"
    return str(result.stderr)


def codes(*args: str) -> list[str]:
    result = run(["validate", "--no-cache", "--format", "json", *args])
    doc = json.loads(result.stdout)
    return (
        [f["code"] for f in doc["files"] for f in f["findings"]]
        if "files" in doc
        else [f["code"] for f in doc["findings"]]
    )


def close_girl(*extra: str) -> list[str]:
    return ["advance", GIRL, "--to", "closed", "--reason", "reached_min_age", "--by",
            "R. Ahmed", "--approved-by", "N. Islam", "--as-of", AS_OF, "--note",
            "Job-back offer declined for now: she stays in school", *extra]  # fmt: skip


YOUNG_WORKER_PLAN = (
    "Stays in school to grade 8; before 18 only finishing work, no chemicals, day shifts, "
    "at most 42 hours a week, checked at each follow-up"
)


def closed_girl(root: Path) -> dict[str, Any]:
    """The girl's case closed at the minimum age with every closure fact by option."""
    ok("tick", GIRL, "mon-closure-check", "--by", "R. Ahmed", "--as-of", AS_OF)
    ok(*close_girl(
        "--young-worker-plan", YOUNG_WORKER_PLAN,
        "--final-status", "In grade 7 at the local girls' school",
        "--child-views", "Yes. I want to finish school first.",
        "--family-views", "Her mother is glad the stipend helped.",
    ))  # fmt: skip
    return load(root, GIRL)


# --- 1. reaching the minimum age is not the end ------------------------------------------------


def test_closing_at_the_minimum_age_under_18_needs_a_young_worker_plan(repo: Path) -> None:
    path = repo / "cases" / GIRL / "case.yaml"
    ok("tick", GIRL, "mon-closure-check", "--by", "R. Ahmed", "--as-of", AS_OF)
    stderr = refused(*close_girl(), path=path)
    assert "closing as reached_min_age, but the child is 14, under 18" in stderr
    assert "--young-worker-plan" in stderr and "track=young-worker" in stderr
    assert "[C138, C182, ILO-HD, CCR]" in stderr  # the rule names its sources
    ok(*close_girl("--young-worker-plan", YOUNG_WORKER_PLAN))
    case = load(repo, GIRL)
    assert case["stage"] == "closed"
    assert case["closure"]["young_worker_plan"] == YOUNG_WORKER_PLAN
    assert "CLR220" not in codes("--as-of", AS_OF)


def test_a_closed_case_without_the_plan_warns_on_validate(repo: Path) -> None:
    path = repo / "cases" / GIRL / "case.yaml"
    closed_girl(repo)
    text = path.read_text(encoding="utf-8")
    path.write_text(
        "\n".join(ln for ln in text.splitlines() if "young_worker_plan" not in ln) + "\n",
        encoding="utf-8",
    )
    result = run(["validate", "--no-cache", "--as-of", AS_OF, str(path)])
    assert result.exit_code == 0, describe(result)  # a warning: the case stays readable
    assert "CLR220" in result.stdout and "under 18" in result.stdout


def test_adult_verified_means_18_or_over(repo: Path) -> None:
    young = "EXR-2026-K3NMB"  # young worker, 16
    stderr = refused(
        "advance", young, "--to", "closed", "--reason", "adult_verified", "--by", "X",
        "--approved-by", "Y", "--as-of", AS_OF, "--root-causes-waived", "n/a",
    )  # fmt: skip
    assert "under 18: a young worker, not an adult" in stderr


# --- 2. checks after closure are deadlines --------------------------------------------------------


def test_checks_after_closure_are_deadlines_everywhere(repo: Path) -> None:
    case = closed_girl(repo)
    # The first check defaults to the playbook's: 6 months after closure.
    assert case["closure"]["recurrence_check"] == "2027-05-20"
    nxt = ok("next", GIRL, "--as-of", "2027-05-01").stdout
    assert "Checks after closure:" in nxt and "due 2027-05-20" in nxt
    assert "check 1 of 2, 6 months after closure" in nxt
    assert "Nothing is left to do" not in nxt
    late = ok("next", GIRL, "--as-of", "2027-06-01").stdout
    assert "OVERDUE by 12 days" in late
    status = ok("status", "--overdue", "--as-of", "2027-06-01", "--format", "csv").stdout
    rows = {r["id"]: r for r in csv.DictReader(status.splitlines())}
    assert rows[GIRL]["next_action"] == "after-recurrence-check"
    assert rows[GIRL]["next_due"] == "2027-05-20"
    agenda = ok("agenda", "--as-of", "2027-05-15", "--days", "14").stdout
    assert f"{GIRL}  after-recurrence-check" in agenda
    assert "CLR302" in codes("--as-of", "2027-06-01", f"cases/{GIRL}")
    report = ok("report", GIRL, "--as-of", "2027-06-01").stdout
    assert "## Checks after closure" in report and "2027-05-20" in report
    # Recording the check meets it; the next one is 12 months after closure.
    ok("follow-up", GIRL, "--method", "unannounced", "--not-working", "--not-rehired",
       "--in-school", "--date", "2027-05-25", "--by", "S. Akter",
       "--as-of", "2027-06-01")  # fmt: skip
    assert "CLR302" not in codes("--as-of", "2027-06-01", f"cases/{GIRL}")
    again = ok("next", GIRL, "--as-of", "2027-06-01").stdout
    assert "due 2027-11-20" in again and "check 2 of 2" in again
    ok("follow-up", GIRL, "--method", "supplier_records", "--not-working", "--date",
       "2027-11-22", "--by", "S. Akter", "--as-of", "2027-11-22")  # fmt: skip
    done = ok("next", GIRL, "--as-of", "2027-12-01").stdout
    assert "This case is closed. Nothing is left to do." in done
    checks = load(repo, GIRL)["recurrence_checks"]
    assert [c["date"] for c in checks] == ["2027-05-25", "2027-11-22"]
    assert checks[0] == {"date": "2027-05-25", "method": "unannounced", "by": "S. Akter",
                         "working": False, "rehired": False, "in_school": True}  # fmt: skip


def test_clr_yaml_changes_when_the_checks_are_due(repo: Path) -> None:
    config = repo / "clr.yaml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + "closing:\n  recurrence_checks: {at: [3, 6, 12], unit: months}\n",
        encoding="utf-8",
    )
    case = closed_girl(repo)
    assert case["closure"]["recurrence_check"] == "2027-02-20"
    assert "check 1 of 3" in ok("next", GIRL, "--as-of", "2027-01-01").stdout


def test_follow_up_is_for_closed_cases_and_visit_for_open_ones(repo: Path) -> None:
    open_case = "EXR-2026-K3NMB"
    stderr = refused("follow-up", open_case, "--method", "phone", "--not-working",
                     "--by", "X", "--as-of", AS_OF)  # fmt: skip
    assert "is not closed" in stderr and "clr visit" in stderr
    closed_girl(repo)
    stderr = refused("visit", GIRL, "--method", "phone", "--not-working", "--by", "X",
                     "--as-of", "2027-01-01")  # fmt: skip
    assert "clr follow-up" in stderr
    stderr = refused("follow-up", GIRL, "--method", "phone", "--not-working", "--by", "X",
                     "--date", "2026-11-01", "--as-of", "2027-01-01")  # fmt: skip
    assert "before the case closed (2026-11-20)" in stderr


# --- 6. reopen ------------------------------------------------------------------------------------


def test_reopen_links_both_ways_once_and_derives_the_track(repo: Path) -> None:
    closed_girl(repo)
    found = ok("follow-up", GIRL, "--method", "unannounced", "--working", "--date",
               "2027-05-25", "--by", "S. Akter", "--as-of", "2027-05-25")  # fmt: skip
    assert f"clr reopen {GIRL}" in found.stderr
    assert "CLR228" in codes("--as-of", "2027-05-25")
    before = sorted(p.name for p in (repo / "cases").iterdir())
    dry = ok("reopen", GIRL, "--by", "R. Ahmed", "--as-of", "2027-05-26", "--dry-run")
    assert "track: young-worker" in dry.stdout and "+reopened_as:" in dry.stdout
    assert sorted(p.name for p in (repo / "cases").iterdir()) == before
    assert "reopened_as" not in load(repo, GIRL)
    made = ok("reopen", GIRL, "--by", "R. Ahmed", "--as-of", "2027-05-26", "--no-identity")
    new_id = made.stdout.strip()
    assert "birth date 2012-09 (verified)" in made.stderr
    assert "age 14 on 2027-05-26: track young-worker" in made.stderr
    assert "channel audit, as in" in made.stderr and "--channel" in made.stderr
    new = load(repo, new_id)
    assert new["reopens"] == GIRL and new["track"] == "young-worker"
    assert new["child"]["birth_date"] == "2012-09" and new["child"]["estimated_age"] == 14
    assert load(repo, GIRL)["reopened_as"] == new_id
    assert "CLR228" not in codes("--as-of", "2027-05-26")
    shown = ok("show", GIRL, "--as-of", "2027-05-26").stdout
    assert f"Reopened as: {new_id}" in shown
    assert f"Reopens: {GIRL}" in ok("show", new_id, "--as-of", "2027-05-26").stdout
    twice = refused("reopen", GIRL, "--by", "R. Ahmed", "--as-of", "2027-05-27", "--no-identity")
    assert f"already reopened as {new_id}" in twice
    assert len(list((repo / "cases").iterdir())) == len(before) + 1


# --- 7. closure details and the buyer report ------------------------------------------------------


def test_every_closure_fact_is_an_option_and_the_buyer_report_prints_them(repo: Path) -> None:
    case = closed_girl(repo)
    assert case["closure"]["final_status"] == "In grade 7 at the local girls' school"
    assert case["closure"]["child_views"].startswith("Yes.")
    config = repo / "clr.yaml"
    consent = ok("set", GIRL, "--as-of", AS_OF, "--dry-run",
                 "assessment.consent.guardian.share_with_buyer.given=true")  # fmt: skip
    del consent  # the example's guardian already consented to sharing with the buyer
    report = run(["report", GIRL, "--for", "buyer", "--as-of", AS_OF])
    assert report.exit_code == 0, describe(report)
    assert "| Where the child is now | In grade 7 at the local girls' school |" in report.stdout
    assert "| Young-worker plan |" in report.stdout
    assert "The child's view" not in report.stdout  # the family's words stay with the team
    assert config.exists()


# --- 3. refused: contact attempts, who refused, referral, re-hire check ---------------------------

NEW_CASE = [
    "new-case", "--no-input", "--confirmed", "--site", "Lakeside Garments, finishing",
    "--country", "BD", "--channel", "audit", "--pseudonym", "Girl, 12, finishing",
    "--sex", "female", "--supplier", "LG-0042", "--sector", "garments",
    "--work", "Thread trimming", "--birth-date", "2013-08", "--by", "R. Ahmed",
    "--discovered", "2026-03-02", "--as-of", "2026-03-02",
]  # fmt: skip


def refuse(case_id: str, *extra: str, day: str = "2026-03-20") -> list[str]:
    return ["advance", case_id, "--to", "closed", "--reason", "refused", "--by", "R. Ahmed",
            "--approved-by", "Supervisor", "--as-of", day, "--note",
            "Offered school and a stipend; the father wants her wage", *extra]  # fmt: skip


def test_refused_by_the_family_of_a_12_year_old(repo: Path) -> None:
    case_id = ok(*NEW_CASE).stdout.strip()
    path = repo / "cases" / case_id / "case.yaml"
    # 18 days after discovery, nothing but a note: refused, naming everything missing.
    stderr = refused(*refuse(case_id), path=path)
    assert "needs at least 3 contact attempts over at least 30 days" in stderr
    assert "the case records no attempt" in stderr
    assert "needs who refused" in stderr and "--refused-by" in stderr
    assert "the child (12) is under the minimum age (14)" in stderr
    assert "--referral-to child_protection" in stderr and "--no-referral-reason" in stderr
    assert "check that the supplier has not re-hired the child" in stderr
    assert "no root cause recorded" in stderr
    # Three attempts, but within 18 days: still too few days.
    attempts = ["--contact-attempt", "2026-03-02:home_visit",
                "--contact-attempt", "2026-03-09:phone:no answer",
                "--contact-attempt", "2026-03-20:through_supplier"]  # fmt: skip
    stderr = refused(*refuse(case_id, *attempts), path=path)
    assert "the case records 3 attempts over 18 days" in stderr
    later = [*attempts[:4], "--contact-attempt", "2026-04-03:through_community"]
    facts = [*later, "--refused-by", "family", "--referral-to", "child_protection",
             "--referral-date", "2026-04-03", "--rehire-check", "2026-04-03",
             "--not-rehired", "--root-cause", "household_poverty"]  # fmt: skip
    ok(*refuse(case_id, *facts, day="2026-04-03"))
    closure = load(repo, case_id)["closure"]
    assert closure["refused_by"] == "family"
    assert [a["method"] for a in closure["contact_attempts"]] == [
        "home_visit",
        "phone",
        "through_community",
    ]
    assert closure["contact_attempts"][1]["result"] == "no answer"
    assert closure["referral"] == {"to": "child_protection", "date": "2026-04-03"}
    assert closure["rehire_check"] == {"date": "2026-04-03", "rehired": False}
    assert load(repo, case_id)["root_causes"] == ["household_poverty"]
    report = ok("report", case_id, "--as-of", "2026-04-03").stdout
    assert "| Refused by | family |" in report
    assert "| Referral | child_protection on 2026-04-03 |" in report
    assert "| Contact attempts | 3, 2026-03-02 to 2026-04-03 |" in report


def test_a_rehired_child_is_not_closed_and_a_reason_can_replace_the_referral(repo: Path) -> None:
    case_id = ok(*NEW_CASE).stdout.strip()
    path = repo / "cases" / case_id / "case.yaml"
    facts = ["--contact-attempt", "2026-03-02:home_visit", "--contact-attempt",
             "2026-03-20:phone", "--contact-attempt", "2026-04-03:letter",
             "--refused-by", "both", "--no-referral-reason",
             "The inspectorate would raid the home; the NGO follows her instead",
             "--root-cause", "debt", "--rehire-check", "2026-04-03"]  # fmt: skip
    stderr = refused(*refuse(case_id, *facts, "--rehired", day="2026-04-03"), path=path)
    assert "the supplier re-hired the child (2026-04-03)" in stderr
    ok(*refuse(case_id, *facts, "--not-rehired", day="2026-04-03"))
    assert load(repo, case_id)["closure"]["no_referral_reason"].startswith("The inspectorate")


def test_clr_yaml_changes_the_contact_attempts_and_bad_options_are_usage_errors(
    repo: Path,
) -> None:
    config = repo / "clr.yaml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + "closing:\n  contact_attempts: {at_least: 1, over_days: 0}\n",
        encoding="utf-8",
    )
    case_id = ok(*NEW_CASE).stdout.strip()
    bad = run(refuse(case_id, "--contact-attempt", "2026-03-02:pigeon"))
    assert bad.exit_code == 2 and "--contact-attempt" in bad.stderr, describe(bad)
    half = run(refuse(case_id, "--referral-to", "police"))
    assert half.exit_code == 2 and "--referral-date" in half.stderr, describe(half)
    ok(*refuse(case_id, "--contact-attempt", "2026-03-02:home_visit", "--refused-by", "child",
               "--referral-to", "labour_inspectorate", "--referral-date", "2026-03-20",
               "--rehire-check", "2026-03-20", "--not-rehired",
               "--root-causes-waived", "Not known: the family would not talk"))  # fmt: skip
    case = load(repo, case_id)
    assert case["closure"]["root_causes_waived"].startswith("Not known")
    assert "root_causes" not in case


# --- 4. running commitments; 5. root causes -------------------------------------------------------


def test_a_stipend_planned_past_closure_needs_who_continues_it(repo: Path) -> None:
    ok("set", GIRL, "plan.stipend.until=2027-11-02", "--as-of", AS_OF)
    ok("tick", GIRL, "mon-closure-check", "--by", "R. Ahmed", "--as-of", AS_OF)
    path = repo / "cases" / GIRL / "case.yaml"
    stderr = refused(*close_girl("--young-worker-plan", YOUNG_WORKER_PLAN), path=path)
    assert "a stipend planned until 2027-11-02" in stderr
    assert "--commitments-continued-by" in stderr
    moved = ok(*close_girl("--young-worker-plan", YOUNG_WORKER_PLAN,
                           "--commitments-continued-by",
                           "The supplier, to 2027-11 (MOU)"))  # fmt: skip
    assert "warning: a stipend planned until 2027-11-02, past the closure date" in moved.stderr
    assert "continued by: The supplier, to 2027-11 (MOU)" in moved.stderr


def test_root_causes_block_closing_and_reach_the_export(repo: Path, tmp_path: Path) -> None:
    other = "EXR-2026-D2KFH"  # a corrective action names weak_age_checks
    path = repo / "cases" / other / "case.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("root_causes:\n  - weak_age_checks\n", ""), encoding="utf-8")
    assert "CLR227" in codes("--as-of", AS_OF)
    stderr = refused(
        "advance", other, "--to", "closed", "--reason", "lost_contact", "--by", "X",
        "--approved-by", "Y", "--as-of", AS_OF, "--note", "moved away", path=path,
    )  # fmt: skip
    assert "no root cause recorded (step impl-fix-root-cause)" in stderr
    assert "the corrective actions name weak_age_checks" in stderr
    ok("set", other, "root_causes+=weak_age_checks", "--as-of", AS_OF)
    assert "CLR227" not in codes("--as-of", AS_OF)
    out = tmp_path / "csv"
    ok("export", "--as-of", AS_OF, "--csv", str(out))
    with (out / "root_causes.csv").open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["case_id"] == other]
    assert rows == [
        {"case_id": other, "cause": "weak_age_checks", "supplier": rows[0]["supplier"],
         "recorded": "1", "corrective_action": "1"}
    ]  # fmt: skip
    assert rows[0]["supplier"]


def test_playbook_show_names_each_closing_rule_and_its_sources(repo: Path) -> None:
    shown = ok("playbook", "show", "--stage", "closed").stdout
    assert "Closing rules (clr advance --to closed checks them):" in shown
    assert "- contact_attempts: Before closing as lost contact or refused" in shown
    assert "source: PROP, DOL, CCR" in shown
    markdown = ok("playbook", "show", "--stage", "closed", "--format", "markdown").stdout
    assert "### Closing rules" in markdown and "`root_causes`" in markdown
