"""Closing a case through the CLI: what each closure reason needs before a case may close.

The rules are the playbook's ``closure_reasons``: closing as remediated (no_longer_in_CL,
hazard_removed) takes the monitoring stage, its checklist and follow-up visits late enough;
closing for what happened to the child or the case (lost_contact, refused, referred…) stays
possible at any stage, with a note. Every test works on a copy of the example repository
in a temporary folder, and a refused close must leave the case file byte for byte as it was.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from clr.io.edit import open_document, write_atomic
from helpers_workflow import describe, run

EXAMPLES = Path(__file__).parents[2] / "examples"
AS_OF = "2026-11-20"
UNDERAGE = "EXR-2026-H9CSW"  # underage, in monitoring, discovered 2026-02-16
YOUNG = "EXR-2026-K3NMB"  # young worker, in monitoring


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the example case repository; cwd is its root."""
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copy(EXAMPLES / "clr.yaml", root / "clr.yaml")
    shutil.copytree(EXAMPLES / "cases", root / "cases")
    monkeypatch.chdir(root)
    for name in ("CLR_USER", "CLR_NO_INPUT", "CLR_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    return root


def case_path(root: Path, case_id: str) -> Path:
    return root / "cases" / case_id / "case.yaml"


def load(root: Path, case_id: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(case_path(root, case_id).read_text(encoding="utf-8"))
    return data


# What the playbook's closing rules ask on top of each reason's own rule (contact attempts,
# who refused, a referral and a re-hire check, root causes); tests/cases/
# test_closing_practice.py tests those rules themselves.
UNREACHED = [
    "--contact-attempt", "2026-10-12:home_visit", "--contact-attempt", "2026-10-26:phone",
    "--contact-attempt", "2026-11-16:through_supplier", "--referral-to", "child_protection",
    "--referral-date", "2026-11-18", "--rehire-check", "2026-11-18", "--not-rehired",
]  # fmt: skip
CLOSING_FACTS = {
    "lost_contact": [*UNREACHED, "--root-causes-waived", "not known"],
    "refused": [*UNREACHED, "--refused-by", "family", "--root-causes-waived", "not known"],
    "referred": ["--root-causes-waived", "not known"],
}


def close(case_id: str, reason: str, *extra: str) -> list[str]:
    return ["advance", case_id, "--to", "closed", "--reason", reason, "--approved-by",
            "Supervisor", "--by", "R. Ahmed", "--as-of", AS_OF,
            *CLOSING_FACTS.get(reason, []), *extra]  # fmt: skip


def ok(args: list[str]) -> Any:
    result = run(args)
    assert result.exit_code == 0, describe(result)
    return result


def refused(args: list[str], path: Path, *needles: str) -> Any:
    """Run clr; assert exit 1, each needle on stderr, and the case file unchanged."""
    before = path.read_bytes()
    result = run(args)
    assert result.exit_code == 1, describe(result)
    assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr
    for needle in needles:
        assert needle in result.stderr, f"{needle!r} not in\n{describe(result)}"
    assert "hint: nothing was changed" in result.stderr, describe(result)
    assert path.read_bytes() == before, "a refused close changed the file"
    return result


def set_value(path: Path, where: tuple[str, ...], value: Any) -> None:
    """What a caseworker types into the case file."""
    doc = open_document(path)
    doc.set(where, value)
    write_atomic(path, doc.render(), expected_digest=doc.digest)


def visit(day: str, working: bool) -> dict[str, Any]:
    return {"date": day, "method": "household", "by": "S. Akter", "working": working}


# --- closing as remediated -----------------------------------------------------------------------


def test_no_longer_in_cl_needs_the_monitoring_checklist(repo: Path) -> None:
    path = case_path(repo, UNDERAGE)
    refused(
        close(UNDERAGE, "no_longer_in_CL"),
        path,
        f"{UNDERAGE} cannot move from monitoring to closed yet",
        "checklist item mon-closure-check not done",
        f"clr tick {UNDERAGE} mon-closure-check --by NAME",
    )
    ok(["tick", UNDERAGE, "mon-closure-check", "--by", "R. Ahmed", "--as-of", AS_OF])
    moved = ok(close(UNDERAGE, "no_longer_in_CL"))
    assert f"{UNDERAGE}: moved from monitoring to closed" in moved.stderr
    case = load(repo, UNDERAGE)
    assert case["stage"] == "closed"
    assert case["closure"] == {
        "date": AS_OF,
        "reason": "no_longer_in_CL",
        "approved_by": "Supervisor",
        "recurrence_check": "2027-05-20",  # the playbook's first check after closure
    }
    assert run(["validate", "--as-of", AS_OF]).exit_code == 0


def test_no_longer_in_cl_needs_two_late_enough_visits_without_work(repo: Path) -> None:
    path = case_path(repo, UNDERAGE)
    # Only the first two monthly visits: 2 and 3 months after discovery on 2026-02-16.
    set_value(path, ("visits",), [visit("2026-04-14", False), visit("2026-05-19", False)])
    ok(["tick", UNDERAGE, "mon-closure-check", "--by", "R. Ahmed", "--as-of", AS_OF])
    need = (
        "closing as no_longer_in_CL needs 2 follow-up visits in a row that found no child "
        "labour, at least 3 and 6 months after discovery.date (2026-02-16)"
    )
    refused(
        close(UNDERAGE, "no_longer_in_CL"),
        path,
        need + "; the visit of 2026-04-14 came before 2026-05-16",
        "keep the case in monitoring and follow the child up on or after 2026-05-16 and 2026-08-16",
    )
    ok(["visit", UNDERAGE, "--date", "2026-10-20", "--method", "household", "--working",
        "--as-of", AS_OF])  # fmt: skip
    refused(
        close(UNDERAGE, "no_longer_in_CL"),
        path,
        need + "; the visit of 2026-10-20 found the child working",
        f"clr visit {UNDERAGE} --date YYYY-MM-DD --method unannounced --not-working",
    )
    for day in ("2026-11-03", "2026-11-17"):
        ok(["visit", UNDERAGE, "--date", day, "--method", "unannounced", "--not-working",
            "--no-hazardous-work", "--as-of", AS_OF])  # fmt: skip
    ok(close(UNDERAGE, "no_longer_in_CL"))
    assert load(repo, UNDERAGE)["stage"] == "closed"


def test_no_longer_in_cl_with_no_visit_at_all(repo: Path) -> None:
    path = case_path(repo, UNDERAGE)
    set_value(path, ("visits",), [])
    result = refused(
        close(UNDERAGE, "no_longer_in_CL"),
        path,
        "checklist item mon-closure-check not done",
        "needs 2 follow-up visits in a row that found no child labour",
        "the case has no visit",
    )
    # The rule's own words on visits replace the schema's.
    assert "visits must be a list" not in result.stderr


def test_hazard_removed_needs_a_visit_without_hazardous_work_in_monitoring(repo: Path) -> None:
    path = case_path(repo, YOUNG)
    case = load(repo, YOUNG)
    assert case["track"] == "young-worker" and case["stage"] == "monitoring"
    ok(["tick", YOUNG, "mon-closure-check", "--by", "Z. Chen", "--as-of", AS_OF])
    # The last visit of the example case did not say whether there was hazardous work.
    set_value(path, ("visits",), [*case["visits"][:-1], visit("2026-10-27", True)])
    refused(
        close(YOUNG, "hazard_removed"),
        path,
        "closing as hazard_removed needs 1 follow-up visit that found no hazardous work, on or "
        "after the day the case entered monitoring",
        "the visit of 2026-10-27 did not record hazardous_work",
        "--no-hazardous-work",
    )
    ok(["visit", YOUNG, "--date", "2026-11-17", "--method", "unannounced", "--working",
        "--hazardous-work", "--as-of", AS_OF])  # fmt: skip
    refused(close(YOUNG, "hazard_removed"), path, "the visit of 2026-11-17 found hazardous work")
    ok(["visit", YOUNG, "--date", "2026-11-19", "--method", "unannounced", "--working",
        "--no-hazardous-work", "--as-of", AS_OF])  # fmt: skip
    ok(close(YOUNG, "hazard_removed"))
    assert load(repo, YOUNG)["closure"]["reason"] == "hazard_removed"


@pytest.mark.parametrize(
    ("case_id", "stage"),
    [("EXR-2026-P4ZR8", "protected"), ("EXR-2026-M8VQT", "plan_agreed")],
)
def test_remediated_closure_is_refused_before_monitoring(
    repo: Path, case_id: str, stage: str
) -> None:
    assert load(repo, case_id)["stage"] == stage
    for reason in ("no_longer_in_CL", "hazard_removed"):
        refused(
            close(case_id, reason),
            case_path(repo, case_id),
            f"a case is closed as {reason} only from monitoring, and this one is in {stage}",
            f"clr next {case_id}",
            "such as lost_contact or refused, with --note",
        )


# --- closing for what happened: any stage, with a note --------------------------------------------


@pytest.mark.parametrize(
    "case_id",
    ["EXR-2026-7KQ3M", "EXR-2026-P4ZR8", "EXR-2026-XW2NA", "EXR-2026-D2KFH", UNDERAGE],
)
def test_lost_contact_closes_from_any_stage_with_a_note(repo: Path, case_id: str) -> None:
    path = case_path(repo, case_id)
    stage = load(repo, case_id)["stage"]
    refused(
        close(case_id, "lost_contact"),
        path,
        "closing as lost_contact needs a note: what was tried to reach the child",
        '--note "..."',
    )
    note = "the family moved away; phone and the supplier's contacts tried for two weeks"
    moved = ok(close(case_id, "lost_contact", "--note", note))
    assert f"moved from {stage} to closed" in moved.stderr
    case = load(repo, case_id)
    assert case["closure"]["notes"] == note
    assert case["history"][-1]["note"] == note
    assert run(["validate", "--as-of", AS_OF, f"cases/{case_id}"]).exit_code == 0


def test_referred_needs_the_needs_assessed_referred_to_and_a_note(repo: Path) -> None:
    early = "EXR-2026-P4ZR8"  # protected: no needs assessment yet
    refused(
        close(early, "referred", "--note", "special needs"),
        case_path(repo, early),
        "closing as referred needs assessment.needs filled in",
    )
    case_id = "EXR-2026-XW2NA"  # assessed
    path = case_path(repo, case_id)
    set_value(path, ("closure",), {"referred_to": "District social services, disability unit"})
    refused(
        close(case_id, "referred"),
        path,
        "closing as referred needs a note: which need the referral answers",
    )
    note = "hearing support beyond what the factory can give; social worker visits monthly"
    ok(close(case_id, "referred", "--note", note))
    closure = load(repo, case_id)["closure"]
    assert (closure["reason"], closure["notes"]) == ("referred", note)


def test_refused_closes_the_first_stage_and_keeps_the_note(repo: Path) -> None:
    case_id = "EXR-2026-7KQ3M"  # reported
    path = case_path(repo, case_id)
    refused(close(case_id, "refused"), path, "closing as refused needs a note")
    ok(close(case_id, "refused", "--note", "the family declined every option"))
    assert load(repo, case_id)["closure"]["notes"] == "the family declined every option"


def test_a_repository_playbook_sets_its_own_closure_rules(repo: Path) -> None:
    # An organisation that lets a case close as refused only once the family was assessed.
    book = yaml.safe_load((Path(__file__).parents[2] / "playbooks/child-labour.yaml").read_text())
    book["closure_reasons"]["refused"]["from_stages"] = ["assessed", "plan_agreed"]
    (repo / "playbooks").mkdir()
    (repo / "playbooks" / "child-labour.yaml").write_text(yaml.safe_dump(book), encoding="utf-8")
    refused(
        close("EXR-2026-7KQ3M", "refused", "--note", "declined"),
        case_path(repo, "EXR-2026-7KQ3M"),
        "a case is closed as refused only from assessed or plan_agreed, and this one is in "
        "reported",
    )
    ok(close("EXR-2026-XW2NA", "refused", "--note", "declined"))
