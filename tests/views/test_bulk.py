"""clr status, stats, report and export, through the CLI, over a small repository of cases
whose figures are worked out by hand below; plus consistency checks over examples/.

The fixture repository (as of 2026-06-30) holds seven cases:

    id   stage           track         sex     country buyer  supplier age band furthest
    A    monitoring      underage      female  BD      Acme   SUP-1    12-13    monitoring
    B    closed (no CL)  underage      male    BD      Acme   SUP-1    12-13    monitoring
    C    plan_agreed     young-worker  female  CI      Bolt   SUP-2    16-17    plan_agreed
    D    protected       underage      male    IN      Bolt   SUP-3    <12      protected
    E    reported        underage      female  GH      -      -        unknown  reported
    F    closed (lost)   young-worker  male    CI      Bolt   SUP-2    16-17    in_remediation
    G    identified      underage      male    BD      Acme   SUP-1    14-15    identified

G reopens B (the same child, found working again at the same supplier).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner, Result

import clr.cli
import clr.views.disclosure
import clr.views.export
import clr.views.figures
import clr.views.load
import clr.views.status
from clr.errors import ClrError
from clr.model import stages
from helpers_workflow import describe
from helpers_workflow import run as guarded_run

AS_OF = "2026-06-30"
ENV = {"NO_COLOR": "1", "COLUMNS": "120", "TERM": "dumb"}
ROOT = Path(__file__).resolve().parents[2]

A, B, C, D, E, F, G = (f"CLR-2026-{x * 4}{n}" for n, x in enumerate("ABCDEFG", 1))
SITE_D = '=HYPERLINK("http://example.invalid","click")'
SECRET = "Amina Secret-Name"
NOTE = "NOTE-NOT-FOR-BUYERS"


def history(*moves: tuple[str, str]) -> list[dict[str, Any]]:
    out, before = [], None
    for day, stage in moves:
        out.append({"at": f"{day}T10:00:00Z", "from": before, "to": stage, "by": "caseworker"})
        before = stage
    return out


def consent(day: str) -> dict[str, Any]:
    given = {"services": {"given": True, "date": day}}
    return {"guardian": given, "child": given}


def signed(day: str, *parties: str) -> list[dict[str, str]]:
    return [{"party": p, "date": day} for p in parties]


def stipend_payment(
    day: str, amount: int, currency: str, payer: str, period: str
) -> dict[str, Any]:
    return {
        "date": day,
        "amount": amount,
        "currency": currency,
        "payer": payer,
        "purpose": "stipend",
        "period": period,
    }


def visit(day: str, in_school: bool, working: bool, hazardous: bool = False) -> dict[str, Any]:
    return {
        "date": day,
        "method": "household",
        "in_school": in_school,
        "working": working,
        "hazardous_work": hazardous,
    }


def base(case_id: str, track: str, stage: str, sex: str, found: str, **rest: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "schema_version": 1,
        "id": case_id,
        "playbook": "child-labour",
        "track": track,
        "stage": stage,
        "opened": found,
        "child": {"pseudonym": f"Child {case_id[-5]}", "sex": sex},
        "discovery": {"date": found, "channel": "audit"},
    }
    for key, value in rest.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return data


ACME_SITE = {
    "name": "Factory North",
    "supplier_id": "SUP-1",
    "country": "BD",
    "sector": "garments",
    "buyer": "Acme",
}
FARM_EAST = {
    "name": "Farm East",
    "supplier_id": "SUP-2",
    "country": "CI",
    "sector": "cocoa",
    "buyer": "Bolt",
}

CASES: dict[str, dict[str, Any]] = {
    A: base(
        A,
        "underage",
        "monitoring",
        "female",
        "2026-01-05",
        site=ACME_SITE,
        child={"birth_date": "2012-03", "estimated_age": 13, "age_basis": "school_record"},
        discovery={"work": "sewing", "hours_per_week": 48, "notes": NOTE},
        protection={
            "removed_from_work": "2026-01-06",
            "safe_place": "home",
            "wages_continued": True,
            "informed": ["buyer", "provider"],
        },
        age_verification={
            "date": "2026-01-08",
            "methods": ["document_check"],
            "result": "verified",
            "verified_age": 13,
            "birth_date": "2012-03",
            "work": "general",
            "minimum_age": 14,
            "minimum_age_decided_by": "national_law",
        },
        assessment={
            "date": "2026-01-15",
            "family_contacted": "2026-01-10",
            "family_reachable": True,
            "child_views": "Wants to go back to school.",
            "needs": ["school_enrolment", "stipend"],
            "consent": consent("2026-01-15"),
        },
        plan={
            "date_signed": "2026-02-01",
            "components": [{"type": "school"}, {"type": "stipend"}],
            "signed_by": signed("2026-02-01", "family", "supplier", "buyer"),
            "cost_split": {"supplier": 70, "buyer": 30},
            "budget": {"amount": 60000, "currency": "BDT"},
            "stipend": {
                "amount": 4500,
                "currency": "BDT",
                "frequency": "monthly",
                "payer": "supplier",
                "first_due": "2026-02-20",
                "lost_wage": {"amount": 5000, "currency": "BDT"},
            },
            "family_job_offer": {"offered": True, "to": "mother", "accepted": True},
        },
        implementation={
            "started": "2026-02-10",
            "enrolled": {"date": "2026-02-12"},
            "corrective_actions": [
                {"date": "2026-02-15", "action": "HR trained in age checks", "cause": "forged_id"}
            ],
        },
        visits=[
            visit("2026-03-15", True, False),
            visit("2026-04-15", True, False),
            visit("2026-05-15", True, False),
        ],
        payments=[
            {
                "date": "2026-02-12",
                "amount": 3000,
                "currency": "BDT",
                "payer": "buyer",
                "purpose": "school_fees",
            },
            stipend_payment("2026-02-20", 4500, "BDT", "supplier", "2026-02"),  # on time
            stipend_payment("2026-04-03", 4500, "BDT", "supplier", "2026-03"),  # late
            stipend_payment("2026-04-25", 4500, "BDT", "supplier", "2026-04"),  # on time
        ],
        checklist={"mon-unannounced-and-school": {"done": "2026-04-15", "by": "caseworker"}},
        root_causes=["forged_id", "agent_recruitment"],
        history=history(
            ("2026-01-05", "reported"),
            ("2026-01-05", "identified"),
            ("2026-01-06", "protected"),
            ("2026-01-08", "age_verified"),
            ("2026-01-15", "assessed"),
            ("2026-02-01", "plan_agreed"),
            ("2026-02-10", "in_remediation"),
            ("2026-03-01", "monitoring"),
        ),
    ),
    B: base(
        B,
        "underage",
        "closed",
        "male",
        "2025-06-02",
        site=ACME_SITE,
        child={"birth_date": "2011-08", "estimated_age": 13},
        discovery={"work": "sewing", "hours_per_week": 50},
        protection={
            "removed_from_work": "2025-06-03",
            "safe_place": "home",
            "wages_continued": True,
        },
        age_verification={
            "date": "2025-06-05",
            "methods": ["document_check"],
            "result": "verified",
            "verified_age": 13,
            "minimum_age": 14,
            "minimum_age_decided_by": "national_law",
        },
        assessment={
            "date": "2025-06-12",
            "family_contacted": "2025-06-08",
            "family_reachable": True,
            "child_views": "Happy to study.",
            "needs": ["school_enrolment"],
            "consent": consent("2025-06-12"),
        },
        plan={
            "date_signed": "2025-07-01",
            "components": [{"type": "school"}, {"type": "stipend"}],
            "signed_by": signed("2025-07-01", "family", "supplier"),
            "cost_split": {"supplier": 100},
            "stipend": {
                "amount": 5000,
                "currency": "BDT",
                "frequency": "monthly",
                "payer": "supplier",
                "first_due": "2025-07-15",
                "lost_wage": {"amount": 5000, "currency": "BDT"},
            },
            "family_job_offer": {"offered": True, "to": "brother", "accepted": False},
        },
        implementation={"started": "2025-07-10", "enrolled": {"date": "2025-07-12"}},
        visits=[
            visit("2025-09-01", True, False),
            visit("2025-12-01", True, False),
            visit("2026-03-01", False, False),
        ],
        payments=[
            stipend_payment("2025-07-15", 5000, "BDT", "supplier", "2025-07"),  # on time
            stipend_payment("2025-08-31", 5000, "BDT", "supplier", "2025-08"),  # on time
            stipend_payment("2025-10-02", 5000, "BDT", "supplier", "2025-09"),  # late
        ],
        root_causes=["agent_recruitment"],
        closure={
            "date": "2026-03-10",
            "reason": "no_longer_in_CL",
            "approved_by": "supervisor",
            "recurrence_check": "2026-09-10",
        },
        history=history(
            ("2025-06-02", "reported"),
            ("2025-06-02", "identified"),
            ("2025-06-03", "protected"),
            ("2025-06-05", "age_verified"),
            ("2025-06-12", "assessed"),
            ("2025-07-01", "plan_agreed"),
            ("2025-07-10", "in_remediation"),
            ("2025-08-01", "monitoring"),
            ("2026-03-10", "closed"),
        ),
    ),
    C: base(
        C,
        "young-worker",
        "plan_agreed",
        "female",
        "2026-04-01",
        site=FARM_EAST,
        child={"birth_date": "2009-05-10", "estimated_age": 16},
        discovery={"work": "carrying pods", "hours_per_week": 50, "hazards": ["machetes"]},
        protection={"hazards_removed": "2026-04-02", "wages_continued": True},
        age_verification={
            "date": "2026-04-04",
            "methods": ["document_check"],
            "result": "verified",
            "verified_age": 16,
            "work": "general",
            "minimum_age": 16,
            "minimum_age_decided_by": "national_law",
        },
        assessment={
            "date": "2026-04-10",
            "family_contacted": "2026-04-05",
            "family_reachable": True,
            "child_views": "Wants training.",
            "needs": ["vocational_training", "stipend"],
            "consent": consent("2026-04-10"),
        },
        plan={
            "date_signed": "2026-05-01",
            "components": [{"type": "vocational_training"}, {"type": "stipend"}],
            "signed_by": signed("2026-05-01", "family", "supplier", "buyer"),
            "cost_split": {"buyer": 100},
            "budget": {"amount": 400000, "currency": "XOF"},
            "safe_job": {
                "tasks": ["sorting beans in the shade"],
                "hours_per_week": 30,
                "shift": "07:00-13:00",
                "night_work": False,
                "protective_equipment": [],
            },
            "stipend": {
                "amount": 30000,
                "currency": "XOF",
                "frequency": "monthly",
                "payer": "buyer",
                "first_due": "2026-05-15",
                "lost_wage": {"amount": 30000, "currency": "XOF"},
            },
        },
        root_causes=["household_poverty"],
        history=history(
            ("2026-04-01", "reported"),
            ("2026-04-01", "identified"),
            ("2026-04-02", "protected"),
            ("2026-04-04", "age_verified"),
            ("2026-04-10", "assessed"),
            ("2026-05-01", "plan_agreed"),
        ),
    ),
    D: base(
        D,
        "underage",
        "protected",
        "male",
        "2026-06-20",  # a Saturday: "one working day" later is Monday 2026-06-22
        site={
            "name": SITE_D,
            "supplier_id": "SUP-3",
            "country": "IN",
            "sector": "cotton seed",
            "buyer": "Bolt",
        },
        child={"estimated_age": 11, "age_basis": "appearance"},
        discovery={"work": "picking", "hours_per_week": 40},
        protection={
            "removed_from_work": "2026-06-20",
            "safe_place": "home",
            "wages_continued": True,
        },
        history=history(
            ("2026-06-20", "reported"), ("2026-06-20", "identified"), ("2026-06-21", "protected")
        ),
    ),
    E: base(
        E,
        "underage",
        "reported",
        "female",
        "2026-06-29",
        site={"name": "Farm West", "country": "GH"},
        discovery={"channel": "community_report"},
        history=history(("2026-06-29", "reported")),
    ),
    F: base(
        F,
        "young-worker",
        "closed",
        "male",
        "2025-10-01",
        site=FARM_EAST,
        child={"birth_date": "2008-02", "estimated_age": 17},
        discovery={"work": "spraying", "hours_per_week": 45, "hazards": ["pesticides"]},
        protection={"hazards_removed": "2025-10-02", "wages_continued": True},
        age_verification={
            "date": "2025-10-06",
            "methods": ["document_check"],
            "result": "verified",
            "verified_age": 17,
            "work": "general",
            "minimum_age": 16,
            "minimum_age_decided_by": "national_law",
        },
        assessment={
            "date": "2025-10-20",
            "family_contacted": "2025-10-10",
            "family_reachable": True,
            "child_views": "Wants a safe job.",
            "needs": ["vocational_training"],
            "consent": consent("2025-10-20"),
        },
        plan={
            "date_signed": "2025-11-10",
            "components": [{"type": "vocational_training"}, {"type": "stipend"}],
            "signed_by": signed("2025-11-10", "family", "supplier", "buyer"),
            "cost_split": {"buyer": 50, "supplier": 50},
            "stipend": {
                "amount": 25000,
                "currency": "XOF",
                "frequency": "monthly",
                "payer": "buyer",
                "first_due": "2025-11-28",
                "lost_wage": {"amount": 30000, "currency": "XOF"},
            },
        },
        implementation={
            "started": "2025-11-20",
            "corrective_actions": [
                {"date": "2025-11-25", "action": "Spraying by adults only", "cause": "other"}
            ],
        },
        visits=[
            {
                "date": "2025-12-15",
                "method": "unannounced",
                "in_school": False,
                "working": True,
                "hazardous_work": True,
            }
        ],
        payments=[
            {
                "date": "2025-11-21",
                "amount": 5000,
                "currency": "XOF",
                "payer": "family",
                "purpose": "transport",
            },
            stipend_payment("2025-11-28", 25000, "XOF", "buyer", "2025-11"),  # on time
            stipend_payment("2026-01-20", 25000, "XOF", "buyer", "2025-12"),  # late
        ],
        root_causes=["household_poverty", "school_access", "other"],
        closure={
            "date": "2026-02-01",
            "reason": "lost_contact",
            "approved_by": "supervisor",
            "notes": "The family moved away.",
            "recurrence_check": "2026-08-01",
            "contact_attempts": [
                {"date": "2025-12-20", "method": "home_visit"},
                {"date": "2026-01-10", "method": "phone"},
                {"date": "2026-01-30", "method": "through_community"},
            ],
        },
        history=history(
            ("2025-10-01", "reported"),
            ("2025-10-01", "identified"),
            ("2025-10-02", "protected"),
            ("2025-10-06", "age_verified"),
            ("2025-10-20", "assessed"),
            ("2025-11-10", "plan_agreed"),
            ("2025-11-20", "in_remediation"),
            ("2026-02-01", "closed"),
        ),
    ),
    G: base(
        G,
        "underage",
        "identified",
        "male",
        "2026-06-25",
        reopens=B,
        site=ACME_SITE,
        child={"birth_date": "2011-08", "estimated_age": 14},
        discovery={"work": "sewing", "hours_per_week": 48},
        history=history(("2026-06-25", "reported"), ("2026-06-25", "identified")),
    ),
}


class _NoAliases(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def write_repo(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "clr.yaml").write_text(
        "schema_version: 1\norganisation: Test\nid_prefix: CLR\n", encoding="utf-8"
    )
    for case_id, data in CASES.items():
        folder = root / "cases" / case_id
        folder.mkdir(parents=True)
        text = yaml.dump(data, Dumper=_NoAliases, sort_keys=False, allow_unicode=True)
        (folder / "case.yaml").write_text(text, encoding="utf-8")
    # An identity file that must never be read by any bulk view.
    (root / "cases" / A / "identity.yaml").write_text(f"name: {SECRET}\n", encoding="utf-8")
    return root


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = write_repo(tmp_path / "repo")
    monkeypatch.chdir(root)
    return root


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(clr.cli.app, [str(a) for a in args], env=ENV, catch_exceptions=False)


def as_json(*args: str | Path) -> Any:
    result = run(*args, "--format", "json", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def as_csv(*args: str | Path) -> list[dict[str, str]]:
    result = run(*args, "--format", "csv", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


# --- the fixture itself ------------------------------------------------------------------


def test_fixture_cases_are_valid(repo: Path) -> None:
    """The hand-made cases pass clr validate (overdue warnings and low stipends aside)."""
    result = run("validate", ".", "--as-of", AS_OF, "--format", "json", "--no-cache")
    doc = json.loads(result.stdout)
    codes = {f["code"] for file in doc["files"] for f in file["findings"]}
    assert codes <= {"CLR301", "CLR214"}, result.stdout


# --- clr status ----------------------------------------------------------------------------


def test_status_json_rows(repo: Path) -> None:
    doc = as_json("status")
    assert doc["version"] == 1
    assert doc["as_of"] == AS_OF
    assert doc["count"] == 7 and doc["failed"] == 0
    rows = {r["id"]: r for r in doc["cases"]}
    assert [r["id"] for r in doc["cases"]] == [A, B, C, D, E, F, G]
    assert list(doc["cases"][0]) == list(clr.views.status.STATUS_COLUMNS)
    # A: opened 2026-01-05, 176 days to 2026-06-30; in monitoring since 2026-03-01 (121 days).
    # Last stipend 2026-04-25 + 1 month = 2026-05-25 (36 days late); last visit 2026-05-15
    # + 30 days = 2026-06-14 (16 days late): two required actions overdue.
    assert rows[A] | {"path": None} == {
        "id": A,
        "path": None,
        "stage": "monitoring",
        "track": "underage",
        "site": "Factory North",
        "supplier": "SUP-1",
        "buyer": "Acme",
        "country": "BD",
        "sector": "garments",
        "sex": "female",
        "age_band": "12-13",
        "opened": "2026-01-05",
        "days_open": 176,
        "stage_entered": "2026-03-01",
        "days_in_stage": 121,
        "next_action": "mon-monthly-stipend",
        "next_due": "2026-05-25",
        "overdue": 2,
        "overdue_actions": ["mon-monthly-stipend", "mon-monthly-visit"],
        "last_visit": "2026-05-15",
        "closure_reason": None,
        "error": None,
    }
    assert rows[A]["path"] == f"cases/{A}/case.yaml"
    # B: closed 2026-03-10 after 281 days open; 112 days since closure; left to do: the
    # first check after closure (closure.recurrence_check).
    assert (
        rows[B]["days_open"],
        rows[B]["days_in_stage"],
        rows[B]["next_action"],
        rows[B]["next_due"],
    ) == (281, 112, "after-recurrence-check", "2026-09-10")
    assert rows[B]["closure_reason"] == "no_longer_in_CL"
    # C: every dated plan action is done; the first undated required one is next (school
    # or training is optional for a young worker in a safe job).
    assert (rows[C]["next_action"], rows[C]["next_due"], rows[C]["overdue"]) == (
        "plan-safe-job",
        None,
        0,
    )
    # D: found on Saturday 2026-06-20; informing the parties was due one working day later,
    # Monday 2026-06-22, and is 8 days late. Age band from the estimated age (11).
    assert (rows[D]["next_action"], rows[D]["next_due"], rows[D]["overdue_actions"]) == (
        "protect-inform-parties",
        "2026-06-22",
        ["protect-inform-parties"],
    )
    assert (rows[D]["days_open"], rows[D]["days_in_stage"], rows[D]["age_band"]) == (10, 9, "<12")
    # E: triage due within 24 hours of discovery (2026-06-29): due today, not overdue.
    assert (rows[E]["next_action"], rows[E]["next_due"], rows[E]["overdue"]) == (
        "report-triage",
        "2026-06-30",
        0,
    )
    assert (rows[E]["buyer"], rows[E]["supplier"], rows[E]["age_band"]) == (None, None, "(unknown)")
    # F: closed 2026-02-01, 123 days after opening on 2025-10-01; 149 days since.
    assert (rows[F]["days_open"], rows[F]["days_in_stage"]) == (123, 149)
    assert rows[F]["closure_reason"] == "lost_contact"
    # G: born 2011-08, 14 when found on 2026-06-25.
    assert (rows[G]["age_band"], rows[G]["next_action"], rows[G]["days_open"]) == (
        "14-15",
        "ident-flag-forged-id",
        5,
    )


def test_status_csv_is_the_json(repo: Path) -> None:
    rows = as_csv("status")
    doc = as_json("status")
    assert list(rows[0]) == list(clr.views.status.STATUS_COLUMNS)
    assert len(rows) == len(doc["cases"]) == 7
    for got, want in zip(rows, doc["cases"], strict=True):
        for key in clr.views.status.STATUS_COLUMNS:
            value = want[key]
            if value is None:
                expected = ""
            elif isinstance(value, list):
                expected = ";".join(value)
            elif key == "site" and value.startswith("="):
                expected = "'" + value  # neutralised against formula injection
            else:
                expected = str(value)
            assert got[key] == expected, (want["id"], key)
    assert rows[3]["site"] == "'" + SITE_D


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--overdue"], [A, D]),
        (["--stage", "monitoring", "--stage", "protected"], [A, D]),
        (["--track", "young-worker"], [C, F]),
        (["--country", "bd"], [A, B, G]),
        (["--supplier", "SUP-2"], [C, F]),
        (["--buyer", "Bolt"], [C, D, F]),
        (["--sector", "garments"], [A, B, G]),
        (["--closed"], [B, F]),
        (["--open"], [A, C, D, E, G]),
        (["--open", "--buyer", "Acme"], [A, G]),
        (["--sort", "overdue", "--reverse"], [A, D, B, C, E, F, G]),
        (["--sort", "next-due"], [A, D, E, F, B, C, G]),  # F, B: checks after closure
        (["--sort", "days-open", "--reverse"], [B, A, F, C, D, G, E]),
        (["--sort", "stage"], [E, G, D, C, A, B, F]),
        (["--reverse"], [G, F, E, D, C, B, A]),
    ],
)
def test_status_filters_and_sorting(repo: Path, args: list[str], expected: list[str]) -> None:
    assert [r["id"] for r in as_json("status", *args)["cases"]] == expected


def test_status_bad_filter_is_a_usage_error(repo: Path) -> None:
    result = run("status", "--stage", "finished")
    assert result.exit_code == 2
    assert "not a stage" in result.output


def test_status_table_is_plain_text_when_piped(repo: Path) -> None:
    result = run("status", "--as-of", AS_OF)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "id",
        "stage",
        "track",
        "site",
        "country",
        "days_open",
        "days_in_stage",
        "next_action",
        "next_due",
        "overdue",
        "last_visit",
    ]
    assert lines[1].split() == [
        A,
        "monitoring",
        "underage",
        "Factory",
        "North",
        "BD",
        "176",
        "121",
        "mon-monthly-stipend",
        "2026-05-25",
        "2",
        "2026-05-15",
    ]
    assert "\x1b[" not in result.stdout
    assert len(lines) == 8


def test_status_markdown(repo: Path) -> None:
    result = run("status", "--as-of", AS_OF, "--format", "markdown", "--closed")
    assert result.exit_code == 0
    assert "| ID | Stage | Track | Site | Country | Open | In stage |" in result.stdout
    assert f"| {B} | closed | underage | Factory North | BD | 281 | 112 |" in result.stdout


def test_status_lists_cases_that_fail_to_load(repo: Path) -> None:
    broken = repo / "cases" / "CLR-2026-HHHH8"
    broken.mkdir()
    (broken / "case.yaml").write_text("id: CLR-2026-HHHH8\nstage: [unclosed\n", encoding="utf-8")
    nostage = repo / "cases" / "CLR-2026-JJJJ9"
    nostage.mkdir()
    (nostage / "case.yaml").write_text("id: CLR-2026-JJJJ9\ntrack: underage\n", encoding="utf-8")
    result = run("status", "--as-of", AS_OF, "--format", "json", "--stage", "monitoring")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["failed"] == 2
    # Filters cannot tell what a broken case holds: it is always listed, last.
    assert [r["id"] for r in doc["cases"]] == [A, None, None]
    failed = {r["path"]: r["error"] for r in doc["cases"] if r["error"]}
    assert set(failed) == {"cases/CLR-2026-HHHH8/case.yaml", "cases/CLR-2026-JJJJ9/case.yaml"}
    assert failed["cases/CLR-2026-JJJJ9/case.yaml"] == "no stage (stage:)"
    assert "CLR003" in failed["cases/CLR-2026-HHHH8/case.yaml"]
    assert "could not be read" in result.stderr
    text = run("status", "--as-of", AS_OF)
    assert text.exit_code == 1
    assert "FAILED  cases/CLR-2026-JJJJ9/case.yaml: no stage (stage:)" in text.stdout
    rows = list(csv.DictReader(io.StringIO(run("status", "-f", "csv", "--as-of", AS_OF).stdout)))
    assert [r["error"] != "" for r in rows] == [False] * 7 + [True, True]
    stats = run("stats", "--as-of", AS_OF, "--format", "json")
    assert stats.exit_code == 1
    assert json.loads(stats.stdout)["total"]["figures"]["cases"] == 7
    assert len(json.loads(stats.stdout)["failed"]) == 2


def test_status_warns_of_an_unknown_playbook(repo: Path) -> None:
    path = repo / "cases" / E / "case.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("child-labour", "nope"), "utf-8")
    result = run("status", "--as-of", AS_OF, "--format", "json")
    # An unknown playbook is an error (CLR211) in validate: status counts the case as failed.
    assert result.exit_code == 1
    failed = [r for r in json.loads(result.stdout)["cases"] if r.get("error")]
    assert len(failed) == 1 and "unknown playbook 'nope'" in failed[0]["error"]


def test_status_outside_a_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ClrError, match="not inside a case repository"):
        run("status")
    with pytest.raises(ClrError, match="no such file"):
        run("status", "nowhere")


def test_status_of_a_case_folder_and_an_identity_file(repo: Path) -> None:
    doc = as_json("status", repo / "cases" / D)
    assert [r["id"] for r in doc["cases"]] == [D]
    with pytest.raises(ClrError, match="identity file"):
        run("status", repo / "cases" / A / "identity.yaml")


# --- clr stats -----------------------------------------------------------------------------

TOTAL = {
    "cases": 7,
    "open": 5,
    "closed": 2,
    # furthest stages: A, B monitoring; F in_remediation; C plan_agreed; D protected;
    # G identified; E reported.
    "funnel": {
        "reported": 7,
        "identified": 6,
        "protected": 5,
        "age_verified": 4,
        "assessed": 4,
        "plan_agreed": 4,
        "in_remediation": 3,
        "monitoring": 2,
        "closed": 2,
    },
    "open_by_stage": {
        "reported": 1,
        "identified": 1,
        "protected": 1,
        "age_verified": 0,
        "assessed": 0,
        "plan_agreed": 1,
        "in_remediation": 0,
        "monitoring": 1,
    },
    "overdue": {
        "actions": 3,
        "cases": 2,
        "by_action": {
            "mon-monthly-stipend": 1,
            "mon-monthly-visit": 1,
            "protect-inform-parties": 1,
        },
        # A's stipend (supplier, buyer) and visit (provider, community facilitator); D's
        # informing the parties (supplier).
        "by_role": {"buyer": 1, "community_facilitator": 1, "provider": 1, "supplier": 2},
    },
    "speed": {
        # Days from entering a stage to leaving it, over the cases that left it:
        "days_in_stage": {
            "reported": {"median": 0, "cases": 6},  # A B C D F G all 0
            "identified": {"median": 1, "cases": 5},  # A B C D F all 1
            "protected": {"median": 2, "cases": 4},  # 2 2 2 4
            "age_verified": {"median": 7, "cases": 4},  # 6 7 7 14
            "assessed": {"median": 20, "cases": 4},  # 17 19 21 21
            "plan_agreed": {"median": 9, "cases": 3},  # 9 9 10
            "in_remediation": {"median": 22, "cases": 3},  # 19 22 73
            "monitoring": {"median": 221, "cases": 1},  # B: 2025-08-01 to 2026-03-10
        },
        "days_from_discovery": {
            "protected": {"median": 1, "cases": 5},  # 0 1 1 1 1
            "age_verified": {"median": 3, "cases": 4},  # 3 3 3 5
            "plan_signed": {"median": 29.5, "cases": 4},  # 27 29 30 40
            "first_stipend": {"median": 46, "cases": 3},  # 43 46 58
            "closed": {"median": 202, "cases": 2},  # 123 281
        },
    },
    "coverage": {
        "age_verified": {"count": 4, "of": 4, "percent": 100.0},
        "family_reached": {"count": 4, "of": 4, "percent": 100.0},
        "consent_and_assent": {"count": 4, "of": 4, "percent": 100.0},
        # B was signed by the family and the supplier only: that is all a plan needs.
        "plan_signed_by_all": {"count": 4, "of": 4, "percent": 100.0},
        "at_least_one_support": {"count": 3, "of": 3, "percent": 100.0},
        "two_follow_ups": {"count": 2, "of": 2, "percent": 100.0},
    },
    "outcomes": {
        # Visited: A (in school), B (out of school at the last visit), F (not in school).
        "in_school_at_last_visit": {"count": 1, "of": 3, "percent": 33.3},
        "no_child_labour_last_two_visits": {"count": 2, "of": 2, "percent": 100.0},
        # F, a young worker, was found doing hazardous work.
        "refound_working": {"count": 1, "of": 3, "percent": 33.3},
        "reopened": {"count": 1, "of": 7, "percent": 14.3},
        "recurrence_same_supplier": {"count": 1, "of": 1, "percent": 100.0},
        "job_offered": {"count": 2, "of": 4, "percent": 50.0},
        "job_accepted": {"count": 1, "of": 2, "percent": 50.0},
    },
    "closure": {
        "by_reason": {
            "reached_min_age": 0,
            "no_longer_in_CL": 1,
            "aged_out": 0,
            "hazard_removed": 0,
            "referred": 0,
            "adult_verified": 0,
            "lost_contact": 1,
            "refused": 0,
            "duplicate": 0,
        },
        "lost_to_follow_up": {"count": 1, "of": 2, "percent": 50.0},
    },
    "money": {
        "payments": 10,
        # BDT: A 3,000 + 3 x 4,500 = 16,500; B 3 x 5,000 = 15,000. XOF: F 5,000 + 2 x 25,000.
        "total": {"BDT": 31500, "XOF": 55000},
        "per_case": {"BDT": 15750, "XOF": 55000},
        # Remediated: B alone (no_longer_in_CL), paid in BDT; F (XOF) closed lost_contact.
        "per_child_remediated": {"BDT": 31500, "XOF": None},
        "by_payer": {
            "buyer": {"BDT": 3000, "XOF": 50000},
            "family": {"XOF": 5000},
            "supplier": {"BDT": 28500},
        },
        # Stipends with a period: A on time, late, on time; B on time, on time (paid on the
        # last day of the month), late; F on time, late.
        "stipend_on_time": {"count": 5, "of": 8, "percent": 62.5},
        # A 4,500 < 5,000; B 5,000 = 5,000; C 30,000 = 30,000; F 25,000 < 30,000.
        "stipend_at_least_lost_wage": {"count": 2, "of": 4, "percent": 50.0},
    },
    "root_causes": {
        "by_cause": {
            "agent_recruitment": 2,
            "forged_id": 1,
            "household_poverty": 2,
            "other": 1,  # F: the cause its corrective action names (CLR227 asks for it)
            "school_access": 1,
        },
        # Of A, B, F (reached in_remediation): A and F have corrective actions.
        "corrective_action": {"count": 2, "of": 3, "percent": 66.7},
    },
    "sector": {
        # Every case was found after 2024-06-30, within the 24 months before the as-of date.
        "identified_24_months": 7,
        "ici_received_support": {"count": 3, "of": 7, "percent": 42.9},  # A, B, F paid
        # A and B visited at home, F unannounced.
        "ici_in_person_visit": {"count": 3, "of": 7, "percent": 42.9},
        "ici_two_follow_ups": {"count": 2, "of": 7, "percent": 28.6},  # A, B
        # Discovery to assessment: A 10, B 10, C 9, F 19 days; none within 3 days.
        "days_to_assessment": {"median": 10, "cases": 4},
        "assessed_within_72_hours": {"count": 0, "of": 4, "percent": 0.0},
        "forged_or_borrowed_id": {"count": 1, "of": 7, "percent": 14.3},  # A's root cause
        "recruited_by_agent": {"count": 0, "of": 0, "percent": None},
        "by_channel": {
            "audit": 6,
            "grievance_mechanism": 0,
            "hotline": 0,
            "clmrs_visit": 0,
            "community_report": 1,  # E
            "worker_report": 0,
            "supplier_self_report": 0,
            "labour_inspection": 0,
            "media": 0,
            "other": 0,
        },
    },
}


def test_stats_total_figures(repo: Path) -> None:
    doc = as_json("stats")
    assert doc["version"] == 1
    assert (doc["as_of"], doc["by"], doc["min_count"], doc["failed"]) == (AS_OF, None, 0, [])
    assert doc["total"]["suppressed"] is False
    assert doc["total"]["figures"] == TOTAL
    assert doc["groups"] == []


def test_stats_split_by_sex(repo: Path) -> None:
    by_sex = as_json("stats")["total"]["by_sex"]
    assert list(by_sex) == ["female", "male"]
    female, male = by_sex["female"]["figures"], by_sex["male"]["figures"]
    # female: A (monitoring), C (plan_agreed), E (reported)
    assert (female["cases"], female["open"], female["closed"]) == (3, 3, 0)
    assert female["funnel"] == {
        "reported": 3,
        "identified": 2,
        "protected": 2,
        "age_verified": 2,
        "assessed": 2,
        "plan_agreed": 2,
        "in_remediation": 1,
        "monitoring": 1,
        "closed": 0,
    }
    assert female["money"]["total"] == {"BDT": 16500}
    # male: B (closed), D (protected), F (closed), G (identified)
    assert (male["cases"], male["open"], male["closed"]) == (4, 2, 2)
    assert male["funnel"]["in_remediation"] == 2
    assert male["money"]["total"] == {"BDT": 15000, "XOF": 55000}
    assert male["overdue"]["actions"] == 1
    assert male["outcomes"]["refound_working"] == {"count": 1, "of": 2, "percent": 50.0}


def test_stats_by_buyer(repo: Path) -> None:
    doc = as_json("stats", "--group-by", "buyer")
    groups = {g["group"]: g["figures"] for g in doc["groups"]}
    assert list(groups) == ["(unknown)", "Acme", "Bolt"]
    acme, bolt = groups["Acme"], groups["Bolt"]
    assert (acme["cases"], acme["open"], acme["closed"]) == (3, 2, 1)
    assert acme["money"]["total"] == {"BDT": 31500}
    assert acme["outcomes"]["recurrence_same_supplier"]["count"] == 1
    assert acme["overdue"]["by_action"] == {"mon-monthly-stipend": 1, "mon-monthly-visit": 1}
    assert (
        bolt["cases"],
        bolt["open_by_stage"]["protected"],
        bolt["closure"]["by_reason"]["lost_contact"],
    ) == (3, 1, 1)
    assert bolt["money"]["by_payer"] == {"buyer": {"XOF": 50000}, "family": {"XOF": 5000}}
    assert groups["(unknown)"]["cases"] == 1
    assert doc["total"]["figures"] == TOTAL


def test_stats_by_age_band_in_band_order(repo: Path) -> None:
    doc = as_json("stats", "--group-by", "age-band")
    sizes = {g["group"]: g["figures"]["cases"] for g in doc["groups"]}
    assert list(sizes.items()) == [
        ("<12", 1),  # D
        ("12-13", 2),  # A, B
        ("14-15", 1),  # G
        ("16-17", 2),  # C, F
        ("(unknown)", 1),  # E
    ]


def test_stats_by_month_of_discovery_and_by_caseworker(repo: Path) -> None:
    doc = as_json("stats", "--group-by", "month")
    sizes = {g["group"]: g["figures"]["cases"] for g in doc["groups"]}
    # B 2025-06, F 2025-10, A 2026-01, C 2026-04; D, E and G 2026-06: in time order.
    assert list(sizes.items()) == [
        ("2025-06", 1),
        ("2025-10", 1),
        ("2026-01", 1),
        ("2026-04", 1),
        ("2026-06", 3),
    ]
    workers = as_json("stats", "--group-by", "caseworker")
    assert [(g["group"], g["figures"]["cases"]) for g in workers["groups"]] == [("caseworker", 7)]


def test_stats_min_count_suppresses_small_groups(repo: Path) -> None:
    doc = as_json("stats", "--group-by", "buyer", "--min-count", "2")
    state = {g["group"]: g["suppressed"] for g in doc["groups"]}
    # (unknown) has 1 case; alone it could be worked out from the total, so the smaller of
    # the others (Acme and Bolt tie at 3: the first) is suppressed too.
    assert state == {"(unknown)": True, "Acme": True, "Bolt": False}
    assert all(g["figures"] is None for g in doc["groups"] if g["suppressed"])
    bolt = next(g for g in doc["groups"] if g["group"] == "Bolt")
    # Bolt: 1 female (C), 2 male: the female split is hidden, so the male one is too.
    assert {k: v["suppressed"] for k, v in bolt["by_sex"].items()} == {
        "female": True,
        "male": True,
    }
    assert bolt["figures"]["cases"] == 3
    assert doc["total"]["figures"]["cases"] == 7
    everything = as_json("stats", "--group-by", "buyer", "--min-count", "8")
    assert everything["total"] == {"group": None, "suppressed": True, "figures": None, "by_sex": {}}
    assert everything["groups"] == []
    text = run("stats", "--group-by", "buyer", "--min-count", "2", "--as-of", AS_OF)
    assert "buyer: Acme: suppressed" in text.stdout


def test_stats_csv_is_the_json(repo: Path) -> None:
    doc = as_json("stats", "--group-by", "sex", "--min-count", "4")
    rows = as_csv("stats", "--group-by", "sex", "--min-count", "4")
    assert list(rows[0]) == list(clr.views.figures.STATS_CSV_COLUMNS)
    expected = []
    nodes = [("total", "", doc["total"])] + [("group", g["group"], g) for g in doc["groups"]]
    for scope, group, node in nodes:
        cells = [("all", node), *node["by_sex"].items()]
        for sex, cell in cells:
            if cell["suppressed"]:
                expected.append((scope, group, sex, "suppressed", "true"))
                continue
            for metric, value in clr.views.figures.flatten(cell["figures"]):
                if value is None or value == clr.views.disclosure.SUPPRESSED:
                    text = value or ""
                else:
                    text = str(int(value) if value == int(value) else value)
                expected.append((scope, group, sex, metric, text))
    got = [(r["scope"], r["group"], r["sex"], r["metric"], r["value"]) for r in rows]
    assert got == expected
    # female (3) < 4 is hidden; male (4) alone would give it away, so it is hidden too.
    assert ("total", "", "female", "suppressed", "true") in got
    assert ("total", "", "male", "suppressed", "true") in got
    assert ("total", "", "all", "cases", "7") in got
    # Only A and B were paid in BDT: fewer than 4 cases, so the total is hidden.
    assert ("total", "", "all", "money.total.BDT", "suppressed") in got
    assert ("group", "male", "all", "suppressed", "true") in got


def test_stats_table_and_markdown(repo: Path) -> None:
    text = run("stats", "--as-of", AS_OF)
    assert text.exit_code == 0
    lines = text.stdout.splitlines()
    assert lines[0] == "All cases"
    assert lines[1].split() == ["figure", "all", "female", "male"]
    assert "  plan signed by all" in text.stdout
    row = next(line for line in lines if line.strip().startswith("plan signed by all"))
    assert row.split()[4:] == ["4/4", "(100%)", "2/2", "(100%)", "2/2", "(100%)"]
    money = next(line for line in lines if line.strip().startswith("total: XOF"))
    assert money.split()[-3:] == ["55,000", "-", "55,000"]
    md = run("stats", "--as-of", AS_OF, "--format", "markdown", "--group-by", "track")
    assert md.exit_code == 0
    assert "## track: young-worker" in md.stdout
    assert "| stipend on time | 1/2 (50%) | - | 1/2 (50%) |" in md.stdout


def test_figures_do_not_depend_on_input_order(repo: Path) -> None:
    import datetime as dt

    cases = clr.views.load.load_summaries([repo], dt.date.fromisoformat(AS_OF), jobs=1)
    assert clr.views.figures.figures(cases) == clr.views.figures.figures(list(reversed(cases)))
    assert clr.views.figures.figures(cases) == TOTAL


def test_reading_in_several_processes_gives_the_same(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datetime as dt

    today = dt.date.fromisoformat(AS_OF)
    one = clr.views.load.load_summaries([repo], today, jobs=1)
    from clr.io import pool

    monkeypatch.setattr(pool, "PARALLEL_THRESHOLD", 2)
    assert clr.views.load.load_summaries([repo], today, jobs=2) == one


# --- clr report ----------------------------------------------------------------------------


def test_report_markdown(repo: Path) -> None:
    result = run("report", A, "--as-of", AS_OF)
    assert result.exit_code == 0
    text = result.stdout
    assert text.startswith(f"# Case {A}\n")
    assert "| Stage | monitoring, since 2026-03-01 (121 days) |" in text
    assert "| Site | Factory North (supplier SUP-1), garments, BD |" in text
    assert "| monitoring | 2026-03-01 | 121 so far | caseworker |" in text
    assert "| assessed | 2026-01-15 | 17 | caseworker |" in text
    assert (
        "- Signed 2026-02-01 by family (2026-02-01), supplier (2026-02-01), buyer (2026-02-01)."
        in text
    )
    assert "| 2026-04-03 | 4,500 BDT | supplier | stipend | 2026-03 | no |" in text
    assert "Total: 16,500 BDT (by payer: buyer 3,000 BDT; supplier 13,500 BDT)." in text
    assert "| 2026-05-15 | household | yes | no | no | – |" in text
    assert "| mon-monthly-stipend | supplier, buyer | 2026-05-25 | 36 days | Keep paying" in text
    assert (
        "| mon-monthly-visit | provider, community_facilitator | yes | 2026-06-14 "
        "| overdue by 16 days |"
    ) in text
    assert "| mon-unannounced-and-school |" not in text  # ticked
    assert "| Child | female; age band 12-13 at discovery |" in text
    # Pseudonymous: no identity file, no pseudonym, no free-text notes.
    assert SECRET not in text
    assert NOTE not in text
    assert "Child A" not in text and "2012-03" not in text
    assert "## Closure" not in text


def test_report_of_a_closed_case_to_a_file(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "b.md"
    result = run("report", B[:12], "--as-of", AS_OF, "--output", out)
    assert result.exit_code == 0
    assert result.stdout == ""
    text = out.read_text(encoding="utf-8")
    assert "| Reason | no_longer_in_CL |" in text
    assert "## Open actions" not in text
    assert "| closed | 2026-03-10 | – | caseworker |" in text


def test_report_never_reads_an_identity_file(repo: Path) -> None:
    with pytest.raises(ClrError, match="identity file"):
        run("report", f"cases/{A}/identity.yaml")


REPOSITORY_RULES = {
    # code: (text replaced in case E, by what, line of the finding, what the message says)
    "CLR203": (f"id: {E}", "id: CLR-2026-EEEE9", 2, "does not match its folder"),
    "CLR211": ("playbook: child-labour", "playbook: nope", 3, "unknown playbook 'nope'"),
}


def break_repository_rule(repo: Path, code: str) -> tuple[Path, str]:
    """Make case E break one repository rule; return its file and its new text."""
    old, new, _, _ = REPOSITORY_RULES[code]
    path = repo / "cases" / E / "case.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return path, text


@pytest.mark.parametrize("code", sorted(REPOSITORY_RULES))
def test_report_refuses_a_case_that_breaks_a_repository_rule_as_show_does(
    repo: Path, tmp_path: Path, code: str
) -> None:
    path, text = break_repository_rule(repo, code)
    _, _, line, says = REPOSITORY_RULES[code]
    out = tmp_path / "e.md"
    result = guarded_run(["report", E, "--as-of", AS_OF, "--output", out])
    assert result.exit_code == 1, describe(result)
    assert result.stdout == ""
    assert f"error: cases/{E}/case.yaml is not a valid case (1 error)" in result.stderr
    assert f"  cases/{E}/case.yaml:{line}:" in result.stderr
    assert f"{code} " in result.stderr and says in result.stderr
    assert f"hint: fix it first: clr validate cases/{E}/case.yaml" in result.stderr
    assert not out.exists()
    shown = guarded_run(["show", E, "--as-of", AS_OF])
    assert shown.exit_code == 1, describe(shown)
    assert f"{code} " in shown.stderr
    # Refused before any consent override is recorded in the case.
    consent_override = ["--for", "buyer", "--override-consent", "audit", "--by", "x"]
    overridden = guarded_run(["report", E, *consent_override, "--as-of", AS_OF])
    assert overridden.exit_code == 1, describe(overridden)
    assert path.read_text(encoding="utf-8") == text


def write_case(repo: Path, case_id: str, data: dict[str, Any]) -> Path:
    path = repo / "cases" / case_id / "case.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.dump(data, Dumper=_NoAliases, sort_keys=False), encoding="utf-8")
    return path


def test_report_refuses_a_case_with_any_error_as_show_does(repo: Path, tmp_path: Path) -> None:
    # A case that fits its schema but whose history ends in another stage than its own.
    data = {
        **CASES[E],
        "history": history(("2026-06-29", "reported"), ("2026-06-29", "identified")),
    }
    path = write_case(repo, E, data)
    text = path.read_text(encoding="utf-8")
    checked = guarded_run(["validate", f"cases/{E}", "--as-of", AS_OF])
    assert checked.exit_code == 1 and "CLR205" in checked.stdout, describe(checked)
    out = tmp_path / "e.md"
    for args in (["report", E, "--output", str(out)], ["show", E]):
        result = guarded_run([*args, "--as-of", AS_OF])
        assert result.exit_code == 1, describe(result)
        assert f"error: cases/{E}/case.yaml is not a valid case (1 error)" in result.stderr
        assert "CLR205" in result.stderr and result.stdout == ""
    assert not out.exists()
    assert path.read_text(encoding="utf-8") == text


@pytest.mark.parametrize("command", ["report", "show", "next"])
def test_a_case_command_never_reads_an_identity_file(repo: Path, command: str) -> None:
    result = guarded_run([command, f"cases/{A}/identity.yaml", "--as-of", AS_OF])
    assert result.exit_code == 1, describe(result)
    assert f"cases/{A}/identity.yaml is an identity file" in result.stderr
    assert SECRET not in result.stdout + result.stderr


@pytest.mark.parametrize("command", ["report", "show"])
def test_a_case_command_refuses_a_link_out_of_the_repository(
    repo: Path, tmp_path: Path, command: str
) -> None:
    outside = tmp_path / "elsewhere"
    write_case(outside, B, CASES[B])
    shutil.rmtree(repo / "cases" / B)
    (repo / "cases" / B).symlink_to(outside / "cases" / B, target_is_directory=True)
    result = guarded_run([command, B, "--as-of", AS_OF])
    assert result.exit_code == 1, describe(result)
    assert "leads outside the case repository" in result.stderr
    assert result.stdout == ""


# --- clr export ----------------------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(REPOSITORY_RULES))
def test_export_leaves_out_a_case_that_breaks_a_repository_rule_as_status_does(
    repo: Path, tmp_path: Path, code: str
) -> None:
    path, text = break_repository_rule(repo, code)
    says = REPOSITORY_RULES[code][3]
    out = tmp_path / "csv"
    result = guarded_run(["export", "--csv", out, "--as-of", AS_OF])
    assert result.exit_code == 1, describe(result)
    assert f"not exported: cases/{E}/case.yaml: " in result.stderr
    assert says in result.stderr
    with (out / "cases.csv").open(encoding="utf-8", newline="") as f:
        exported = [row["id"] for row in csv.DictReader(f)]
    assert exported == [A, B, C, D, F, G]
    with (out / "history.csv").open(encoding="utf-8", newline="") as f:
        assert not [row for row in csv.DictReader(f) if row["case_id"].startswith(E[:12])]
    status = run("status", "--as-of", AS_OF, "--format", "json")
    failed = [r["path"] for r in json.loads(status.stdout)["cases"] if r["error"]]
    assert failed == [f"cases/{E}/case.yaml"]
    # A buyer's export with a consent override neither includes nor changes the case.
    consent_override = ["--for", "buyer", "--override-consent", "audit", "--by", "x"]
    buyer = guarded_run(
        ["export", "--csv", tmp_path / "buyer", *consent_override, "--as-of", AS_OF]
    )
    assert buyer.exit_code == 1, describe(buyer)
    assert f"not exported: cases/{E}/case.yaml: " in buyer.stderr
    assert path.read_text(encoding="utf-8") == text


def test_export_sqlite(repo: Path, tmp_path: Path) -> None:
    db = tmp_path / "out.db"
    result = run("export", "--sqlite", db, "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert "cases 7" in result.stderr
    with sqlite3.connect(db) as con:
        count = {
            name: con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
            for name in ("cases", "history", "visits", "payments", "checklist", "root_causes")
        }
        # history: A 8, B 9, C 6, D 3, E 1, F 8, G 2; visits 3 + 3 + 1; payments 4 + 3 + 3
        assert count == {
            "cases": 7,
            "history": 37,
            "visits": 7,
            "payments": 10,
            "checklist": 1,
            "root_causes": 7,
        }
        assert con.execute(
            "SELECT currency, sum(amount) FROM payments GROUP BY currency ORDER BY currency"
        ).fetchall() == [("BDT", 31500.0), ("XOF", 55000.0)]
        assert con.execute(
            "SELECT case_id, action, due, overdue_days FROM actions "
            "WHERE required = 1 AND overdue_days > 0 ORDER BY case_id, due"
        ).fetchall() == [
            (A, "mon-monthly-stipend", "2026-05-25", 36),
            (A, "mon-monthly-visit", "2026-06-14", 16),
            (D, "protect-inform-parties", "2026-06-22", 8),
        ]
        assert con.execute(
            "SELECT furthest_stage, count(*) FROM cases GROUP BY 1 ORDER BY 1"
        ).fetchall() == [
            ("identified", 1),
            ("in_remediation", 1),
            ("monitoring", 2),
            ("plan_agreed", 1),
            ("protected", 1),
            ("reported", 1),
        ]
        assert con.execute("SELECT item, stage FROM checklist").fetchall() == [
            ("mon-unannounced-and-school", "monitoring")
        ]
        assert con.execute("SELECT sum(on_time), count(on_time) FROM payments").fetchone() == (5, 8)
        assert con.execute("SELECT site FROM cases WHERE id = ?", (D,)).fetchone() == (SITE_D,)
        assert dict(con.execute("SELECT key, value FROM meta")) == {
            "format_version": "1",
            "tool": "clr",
            "tool_version": clr.__version__,
            "as_of": AS_OF,
        }
        dump = "\n".join(con.iterdump())
    assert SECRET not in dump and NOTE not in dump and "Child A" not in dump
    # A second export replaces the database.
    assert run("export", "--sqlite", db, "--as-of", AS_OF).exit_code == 0
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT count(*) FROM cases").fetchone() == (7,)


def test_export_csv_neutralises_formulas(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "csv"
    result = run("export", "--csv", out, "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(f"{t}.csv" for t in clr.views.export.TABLES)
    with (out / "cases.csv").open(encoding="utf-8", newline="") as handle:
        cases = list(csv.DictReader(handle))
    assert [c["id"] for c in cases] == [A, B, C, D, E, F, G]
    site = next(c["site"] for c in cases if c["id"] == D)
    assert site == "'" + SITE_D
    assert next(c for c in cases if c["id"] == A)["overdue"] == "2"
    with (out / "payments.csv").open(encoding="utf-8", newline="") as handle:
        payments = list(csv.DictReader(handle))
    assert len(payments) == 10
    assert [p["on_time"] for p in payments if p["case_id"] == A] == ["", "true", "false", "true"]
    text = "".join(p.read_text(encoding="utf-8") for p in out.iterdir())
    assert SECRET not in text and NOTE not in text


def test_export_csv_for_excel_has_a_bom_and_crlf(repo: Path, tmp_path: Path) -> None:
    plain, excel = tmp_path / "plain", tmp_path / "excel"
    assert run("export", "--csv", plain, "--as-of", AS_OF).exit_code == 0
    result = run("export", "--csv", excel, "--excel", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in excel.iterdir()) == sorted(p.name for p in plain.iterdir())
    for path in sorted(excel.iterdir()):
        data = path.read_bytes()
        assert data.startswith(b"\xef\xbb\xbf"), path.name
        assert data.count(b"\n") == data.count(b"\r\n") > 0, path.name
        # The same rows as the plain export, once the mark and line ends are read as such.
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
        with (plain / path.name).open(encoding="utf-8", newline="") as handle:
            assert rows == list(csv.reader(handle)), path.name
        assert not (plain / path.name).read_bytes().startswith(b"\xef\xbb\xbf")


def test_export_excel_needs_csv(repo: Path, tmp_path: Path) -> None:
    result = run("export", "--sqlite", tmp_path / "x.db", "--excel", "--as-of", AS_OF)
    assert result.exit_code == 2
    assert "--csv" in result.output
    assert not (tmp_path / "x.db").exists()


def test_export_needs_a_target(repo: Path) -> None:
    result = run("export")
    assert result.exit_code == 2
    assert "--sqlite" in result.output


def test_export_leaves_out_broken_and_duplicate_cases(repo: Path, tmp_path: Path) -> None:
    copy = repo / "cases" / "CLR-2026-ZZZZ9"
    copy.mkdir()
    shutil.copy(repo / "cases" / A / "case.yaml", copy / "case.yaml")
    loose = repo / "loose" / "case.yaml"  # outside cases/: no folder for its id to match
    loose.parent.mkdir()
    shutil.copy(repo / "cases" / A / "case.yaml", loose)
    broken = repo / "cases" / "CLR-2026-HHHH8"
    broken.mkdir()
    (broken / "case.yaml").write_text("id: [\n", encoding="utf-8")
    db = tmp_path / "out.db"
    result = run("export", ".", "loose", "--sqlite", db, "--as-of", AS_OF)
    assert result.exit_code == 1
    assert f"not exported: loose/case.yaml: case id {A} is also used by" in result.stderr
    assert (
        f"not exported: cases/CLR-2026-ZZZZ9/case.yaml: id {A} does not match its folder"
        in result.stderr
    )
    assert "not exported: cases/CLR-2026-HHHH8/case.yaml" in result.stderr
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT path FROM cases WHERE id = ?", (A,)).fetchone() == (
            f"cases/{A}/case.yaml",
        )


# --- examples/ -----------------------------------------------------------------------------


def _example_repo(tmp_path: Path) -> Path:
    source = ROOT / "examples"
    if not (source / "clr.yaml").is_file() or not any((source / "cases").glob("*/case.yaml")):
        pytest.skip("examples/ has no case repository yet")
    target = tmp_path / "examples"
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(".clr-cache"))
    return target


def test_examples_are_consistent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _example_repo(tmp_path)
    monkeypatch.chdir(root)
    status = run("status", "--format", "json", "--as-of", AS_OF)
    doc = json.loads(status.stdout)
    ok = [r for r in doc["cases"] if r["error"] is None]
    assert status.exit_code == (1 if doc["failed"] else 0)
    stats = json.loads(run("stats", "--format", "json", "--as-of", AS_OF).stdout)
    figures = stats["total"]["figures"]
    assert figures["cases"] == len(ok)
    assert figures["closed"] == sum(r["stage"] == "closed" for r in ok)
    assert figures["overdue"]["actions"] == sum(r["overdue"] for r in ok)
    for stage, n in figures["open_by_stage"].items():
        assert n == sum(r["stage"] == stage for r in ok)
    # The funnel counts the cases whose furthest stage is that stage or later.
    out = tmp_path / "csv"
    assert run("export", "--csv", out, "--as-of", AS_OF).exit_code == status.exit_code
    with (out / "cases.csv").open(encoding="utf-8", newline="") as handle:
        furthest = [stages.index(c["furthest_stage"]) for c in csv.DictReader(handle)]
    for i, stage in enumerate(stages.STAGES[:-1]):
        assert figures["funnel"][stage] == sum(f >= i for f in furthest)
    # Splits by sex add up to the total.
    assert sum(v["figures"]["cases"] for v in stats["total"]["by_sex"].values()) == len(ok)
    # csv holds what json holds.
    rows = list(csv.DictReader(io.StringIO(run("status", "-f", "csv", "--as-of", AS_OF).stdout)))
    assert [r["id"] or None for r in rows] == [r["id"] for r in doc["cases"]]
    assert [r["stage"] or None for r in rows] == [r["stage"] for r in doc["cases"]]
    stats_rows = list(
        csv.DictReader(io.StringIO(run("stats", "-f", "csv", "--as-of", AS_OF).stdout))
    )
    total = {
        r["metric"]: r["value"] for r in stats_rows if r["scope"] == "total" and r["sex"] == "all"
    }
    assert total["cases"] == str(len(ok))
    assert len(total) == len(clr.views.figures.flatten(figures))
    # Every example case gets a report.
    for row in ok:
        report = run("report", row["id"], "--as-of", AS_OF)
        assert report.exit_code == 0
        assert report.stdout.startswith(f"# Case {row['id']}")


def test_every_column_is_documented() -> None:
    doc = (ROOT / "docs" / "bulk-views.md").read_text(encoding="utf-8")
    names = [*clr.views.status.STATUS_COLUMNS, *clr.views.figures.STATS_CSV_COLUMNS]
    names += [col for cols in clr.views.export.TABLES.values() for col, _ in cols]
    names += [f"{section}" for section in clr.views.figures.SECTION_TITLES]
    missing = sorted({n for n in names if f"`{n}`" not in doc and f"`{n}." not in doc})
    assert missing == []


def test_status_table_fits_the_terminal() -> None:
    from clr.cli.bulk import _fit
    from clr.render.tables import STATUS_TABLE as _STATUS_TABLE

    natural = dict.fromkeys((key for key, _ in _STATUS_TABLE), 10)
    natural.update(site=60, next_action=30, track=12)
    # Wide enough: nothing changes.
    assert _fit(natural, 500) == natural
    # Narrower: the site gives way first, then the action.
    room = sum(natural.values()) + 2 * (len(natural) - 1) - 50
    assert _fit(natural, room) == {**natural, "site": 12, "next_action": 28}
    # Narrower still: the track, country and site columns go, in that order. Cut down,
    # the 11 columns take 8 x 10 + 12 + 14 + 8 = 114 characters and 20 between them.
    assert list(_fit(natural, 125)) == [k for k in natural if k != "track"]
    assert list(_fit(natural, 100)) == [k for k in natural if k not in ("track", "country", "site")]


@pytest.mark.parametrize("command", ["status", "stats", "export"])
def test_an_invalid_clr_yaml_is_refused_even_with_no_case(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    from helpers_workflow import CONFIG_TEXT, make_repo

    root = make_repo(tmp_path / "repo", CONFIG_TEXT + "timezone: Europe\n")
    monkeypatch.chdir(root)
    args = [command, *(["--csv", str(tmp_path / "out")] if command == "export" else [])]
    result = guarded_run(args)
    assert result.exit_code == 2, describe(result)
    assert "clr.yaml:4:11" in result.stderr and "timezone 'Europe'" in result.stderr


def _dump(db: Path) -> list[str]:
    with sqlite3.connect(db) as con:
        return list(con.iterdump())


def test_export_from_the_cache_writes_the_same_database(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clr.views import export

    made: list[str] = []
    real = export.case_rows

    def counting(path: Path, *args: Any) -> Any:
        made.append(path.parent.name)
        return real(path, *args)

    monkeypatch.setattr(export, "case_rows", counting)
    first, second = tmp_path / "first.db", tmp_path / "second.db"
    assert run("export", "--sqlite", first, "--as-of", AS_OF).exit_code == 0
    assert len(made) == len(CASES)
    made.clear()
    assert run("export", "--sqlite", second, "--as-of", AS_OF).exit_code == 0
    assert made == []  # every case's rows from the cache
    assert _dump(second) == _dump(first)
    case = repo / "cases" / A / "case.yaml"
    case.write_text(case.read_text(encoding="utf-8") + "# reviewed\n", encoding="utf-8")
    third = tmp_path / "third.db"
    assert run("export", "--sqlite", third, "--as-of", AS_OF).exit_code == 0
    assert made == [A]
    assert _dump(third) == _dump(first)
