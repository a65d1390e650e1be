"""clr import: ODK Central and KoboToolbox exports into cases, each submission once."""

from __future__ import annotations

import csv
import io
import shutil
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import Workbook

from clr.model import phoneforms
from clr.model.phoneforms import PhoneForm, Question
from clr.model.playbook import load_playbook
from conftest import CONFIG_TEXT, make_case_text
from helpers_workflow import describe, run

EXPORTS = Path(__file__).parent / "field_exports"
CASE_ID = "CLR-2026-ABCDE"
AS_OF = "2026-03-02"
SAMPLES = (
    "odk_clr_stage_protected.csv",
    "odk_clr_stage_plan_agreed.zip",
    "kobo_clr_payment.csv",
    "kobo_clr_checklist.json",
    "odk_clr_visit.csv",
)


def _case_text() -> str:
    return make_case_text(
        opened="2026-02-20",
        discovery={"date": "2026-02-20"},
        history=[
            {"at": "2026-02-20T09:10:00Z", "from": None, "to": "reported", "by": "caseworker"}
        ],
    )


def _make_repo(root: Path) -> Path:
    (root / "cases" / CASE_ID).mkdir(parents=True)
    (root / "clr.yaml").write_text(CONFIG_TEXT, encoding="utf-8")
    (root / "cases" / CASE_ID / "case.yaml").write_text(_case_text(), encoding="utf-8")
    return root


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = _make_repo(tmp_path / "repo")
    monkeypatch.chdir(root)
    return root


def _case(root: Path, case_id: str = CASE_ID) -> dict[str, Any]:
    return yaml.safe_load((root / "cases" / case_id / "case.yaml").read_text(encoding="utf-8"))


def _import(*args: str | Path) -> Any:
    return run(["import", *[str(a) for a in args], "--as-of", AS_OF])


def _summary(stdout: str) -> dict[str, list[int]]:
    rows = {}
    for line in stdout.splitlines():
        parts = line.split()
        if len(parts) == 5 and parts[1].isdigit():
            rows[parts[0]] = [int(p) for p in parts[1:]]
    return rows


# --- the sample exports -----------------------------------------------------------------


def test_odk_and_kobo_exports_become_facts_visits_payments_and_ticks(repo: Path) -> None:
    result = _import(*(EXPORTS / name for name in SAMPLES))
    assert result.exit_code == 1, describe(result)  # two submissions are refused
    case = _case(repo)
    assert case["protection"] == {
        "removed_from_work": "2026-02-21",
        "wages_continued": True,
        "safe_place": "home with the family",
    }
    assert case["discovery"]["hours_per_week"] == 48
    assert [c["type"] for c in case["plan"]["components"]] == ["school", "stipend"]
    assert case["plan"]["components"][1]["cost"] == {"amount": 4500, "currency": "BDT"}
    assert case["plan"]["cost_split"] == {"buyer": 50, "supplier": 50}
    assert [s["party"] for s in case["plan"]["signed_by"]] == ["family", "supplier"]
    assert case["assessment"]["interview"]["adults_present"] == 2
    assert case["payments"] == [
        {
            "date": "2026-03-01",
            "amount": 4500,
            "currency": "BDT",
            "payer": "supplier",
            "purpose": "stipend",
            "period": "2026-03",
            "receipt": "R-0412",
        }
    ]
    assert case["checklist"] == {"report-triage": {"done": "2026-03-02", "by": "R. Ahmed"}}
    assert case["visits"] == [
        {
            "date": "2026-03-02",
            "method": "unannounced",
            "by": "R. Ahmed",
            "in_school": True,
            "attendance_percent": 92,
            "working": False,
            "hazardous_work": False,
            "stipend_received": True,
            "child_views": "Likes school, wants to stay",
        }
    ]
    imported = [h["x-submission"] for h in case["history"] if "x-submission" in h]
    assert len(imported) == 5
    assert all(h["from"] == h["to"] == "reported" for h in case["history"][1:])
    assert _summary(result.stdout)["total"] == [5, 0, 2, 2]
    assert run(["validate", "--as-of", AS_OF]).exit_code == 0


def test_importing_the_same_exports_again_changes_nothing(repo: Path) -> None:
    _import(*(EXPORTS / name for name in SAMPLES))
    before = (repo / "cases" / CASE_ID / "case.yaml").read_bytes()
    again = _import(*(EXPORTS / name for name in SAMPLES))
    assert (repo / "cases" / CASE_ID / "case.yaml").read_bytes() == before
    assert _summary(again.stdout)["total"] == [0, 5, 2, 2]


def test_a_refused_submission_names_its_row_instance_and_reason_the_others_import(
    repo: Path,
) -> None:
    result = _import(EXPORTS / "odk_clr_visit.csv")
    assert result.exit_code == 1, describe(result)
    assert "odk_clr_visit.csv:3 (uuid:0d5b7c91-2f43-4c8e-b1d6-7e2a9c4f8b10)" in result.stderr
    assert "2026-04-20) is in the future" in result.stderr
    assert len(_case(repo)["visits"]) == 1  # row 2 imported; row 4 was rejected in review
    assert _summary(result.stdout)["clr_visit"] == [1, 0, 1, 1]
    assert "Traceback" not in result.stderr


def test_dry_run_shows_the_diffs_and_writes_nothing(repo: Path) -> None:
    before = (repo / "cases" / CASE_ID / "case.yaml").read_bytes()
    result = _import(EXPORTS / "kobo_clr_payment.csv", "--dry-run")
    assert (repo / "cases" / CASE_ID / "case.yaml").read_bytes() == before
    assert "+payments:" in result.stdout
    assert "+    receipt: R-0412" in result.stdout
    assert "would import" in result.stdout
    assert _summary(result.stdout)["clr_payment"] == [1, 0, 1, 1]


def test_a_closed_case_or_an_unknown_case_is_refused(repo: Path, tmp_path: Path) -> None:
    text = (EXPORTS / "odk_clr_visit.csv").read_text(encoding="utf-8")
    export = tmp_path / "visits.csv"
    export.write_text(text.replace(CASE_ID, "CLR-2026-ZZZZZ"), encoding="utf-8")
    result = _import(export)
    assert result.exit_code == 1
    assert "case CLR-2026-ZZZZZ" in result.stderr
    assert "visits" not in _case(repo)


def test_a_file_that_is_no_export_is_refused_naming_it(repo: Path) -> None:
    (repo / "notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    result = _import("notes.csv")
    assert result.exit_code == 1
    assert "notes.csv:1: not an ODK Central or KoboToolbox export" in result.stderr
    (repo / "broken.zip").write_bytes(b"PK\x03\x04 not really")
    result = _import("broken.zip")
    assert result.exit_code == 1 and "broken.zip: not a readable ZIP file" in result.stderr
    (repo / "export.txt").write_text("x", encoding="utf-8")
    result = _import("export.txt")
    assert result.exit_code == 1 and ".csv, .zip" in result.stderr


# --- writing exports as the tools do, from the forms --------------------------------------


def _columns(questions: tuple[Question, ...], sep: str, prefix: tuple[str, ...] = ()) -> list[str]:
    out: list[str] = []
    for q in questions:
        if q.type == "group":
            out += _columns(q.children, sep, (*prefix, q.name))
        elif q.type != "repeat":
            out.append(sep.join((*prefix, q.name)))
    return out


def odk_csv(form: PhoneForm, submissions: list[dict[str, str]]) -> str:
    """ODK Central's CSV export of ``submissions`` (answers by question name)."""
    heads = _columns(form.questions, "-")
    meta = [
        "meta-instanceID",
        "KEY",
        "SubmitterID",
        "SubmitterName",
        "AttachmentsPresent",
        "AttachmentsExpected",
        "Status",
        "ReviewState",
        "DeviceID",
        "Edits",
        "FormVersion",
    ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["SubmissionDate", *heads, *meta])
    for answers in submissions:
        instance = answers.get("instanceID") or f"uuid:{uuid.uuid4()}"
        row = ["2026-03-02T10:00:00.000Z"]
        row += [answers.get(h.rsplit("-", 1)[-1], "") for h in heads]
        row += [instance, instance, "5", "field-officer-1", "0", "0", "", "", "", "0", "1"]
        writer.writerow(row)
    return out.getvalue()


def kobo_xlsx(form: PhoneForm, submissions: list[dict[str, Any]]) -> bytes:
    """KoboToolbox's XLSX export: repeats on their own sheets, tied by ``_parent_index``."""
    book = Workbook()
    main = book.active
    assert main is not None
    main.title = form.title[:31]
    heads = _columns(form.questions, "/")
    main.append([*heads, "meta/instanceID", "_id", "_uuid", "_submission_time",
                 "_validation_status", "_submitted_by", "__version__", "_index"])  # fmt: skip
    repeats = [q for q in form.questions_flat() if q.type == "repeat"]
    sheets = {}
    for q in repeats:
        sheet = book.create_sheet(q.name[:31])
        sheet.append([*(f"{q.name}/{c.name}" for c in q.children), "_index",
                      "_parent_table_name", "_parent_index"])  # fmt: skip
        sheets[q.name] = sheet
    for index, answers in enumerate(submissions, 1):
        uid = str(uuid.uuid4())
        main.append([answers.get(h.rsplit("/", 1)[-1], "") for h in heads]
                    + [f"uuid:{uid}", index, uid, "2026-03-02T04:00:00", "", "fieldteam",
                       "vK9", index])  # fmt: skip
        for q in repeats:
            for n, entry in enumerate(answers.get(q.name, []), 1):
                sheets[q.name].append(
                    [entry.get(c.name, "") for c in q.children] + [n, form.title, index]
                )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def add_recipient(root: Path) -> Any:
    import pyrage

    key = pyrage.x25519.Identity.generate()
    config = root / "clr.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text + f"recipients:\n  - {key.to_public()}\n", encoding="utf-8")
    assert str(key.to_public()) in config.read_text(encoding="utf-8")
    return key


NEW_CASE = {
    "clr_form": "clr_new_case",
    "confirmed": "yes",
    "track": "underage",
    "site__name": "Farm 12",
    "site__supplier_id": "SUP-0042",
    "site__country": "GH",
    "site__sector": "cocoa",
    "child__pseudonym": "Child K",
    "child__sex": "male",
    "child__estimated_age": "13",
    "discovery__date": "2026-03-01",
    "discovery__channel": "clmrs_visit",
    "discovery__work": "carrying cocoa pods",
    "identity__name": "Kwame Mensah",
    "identity__guardian_name": "Ama Mensah",
    "identity__guardian_contact": "+233 24 000 0000",
    "by": "K. Owusu",
}


def _new_cases(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "cases").iterdir() if p.name != CASE_ID)


def test_a_kobo_xlsx_new_case_keeps_identity_only_in_the_encrypted_file(repo: Path) -> None:
    import pyrage

    key = add_recipient(repo)
    form = phoneforms.new_case_form()
    (repo / "new.xlsx").write_bytes(kobo_xlsx(form, [NEW_CASE]))
    result = _import("new.xlsx")
    assert result.exit_code == 0, describe(result)
    (case_id,) = _new_cases(repo)
    folder = repo / "cases" / case_id
    text = (folder / "case.yaml").read_text(encoding="utf-8")
    case = yaml.safe_load(text)
    assert case["stage"] == "identified"
    assert case["site"] == {"name": "Farm 12", "supplier_id": "SUP-0042", "country": "GH",
                            "sector": "cocoa"}  # fmt: skip
    assert case["child"] == {"pseudonym": "Child K", "sex": "male", "estimated_age": 13}
    assert case["history"][0]["by"] == "K. Owusu" and case["history"][0]["x-submission"]
    for secret in ("Kwame", "Mensah", "233 24"):
        assert secret not in text and secret not in result.stdout + result.stderr
    kept = yaml.safe_load(pyrage.decrypt((folder / "identity.yaml.age").read_bytes(), [key]))
    assert kept["name"] == "Kwame Mensah" and kept["guardian_contact"] == "+233 24 000 0000"
    again = _import("new.xlsx")
    assert again.exit_code == 0 and _new_cases(repo) == [case_id]
    assert _summary(again.stdout)["clr_new_case"] == [0, 1, 0, 0]


def test_identity_answers_without_recipients_are_refused_and_no_case_is_made(repo: Path) -> None:
    (repo / "new.csv").write_text(odk_csv(phoneforms.new_case_form(), [NEW_CASE]))
    result = _import("new.csv")
    assert result.exit_code == 1
    assert "new.csv:2" in result.stderr and "recipients" in result.stderr
    assert _new_cases(repo) == []
    assert "Kwame" not in result.stderr


def test_a_new_case_dry_run_shows_the_case_and_makes_nothing(repo: Path) -> None:
    answers = {k: v for k, v in NEW_CASE.items() if not k.startswith("identity__")}
    (repo / "new.csv").write_text(odk_csv(phoneforms.new_case_form(), [answers]))
    result = _import("new.csv", "--dry-run")
    assert result.exit_code == 0, describe(result)
    assert "+  pseudonym: Child K" in result.stdout
    assert _new_cases(repo) == []


def test_kobo_xlsx_repeats_become_list_entries(repo: Path) -> None:
    form = phoneforms.stage_form("plan_agreed")
    answers: dict[str, Any] = {
        "clr_form": form.id,
        "case": CASE_ID,
        "plan__date_signed": "2026-03-01",
        "plan__cost_split__buyer": "100",
        "plan__components": [
            {"plan__components__type": "school", "plan__components__start": "2026-03-05"}
        ],
        "plan__signed_by": [
            {"plan__signed_by__party": "family", "plan__signed_by__date": "2026-03-01"}
        ],
    }
    (repo / "plan.xlsx").write_bytes(kobo_xlsx(form, [answers]))
    result = _import("plan.xlsx")
    assert result.exit_code == 0, describe(result)
    plan = _case(repo)["plan"]
    assert plan["components"] == [{"type": "school", "start": "2026-03-05"}]
    assert plan["signed_by"] == [{"party": "family", "date": "2026-03-01"}]
    assert plan["cost_split"] == {"buyer": 100}


# --- the round trip -----------------------------------------------------------------------

ROUND_TRIP = [
    (
        "protected",
        {
            "discovery__hours_per_week": "48",
            "protection__removed_from_work": "2026-02-21",
            "protection__wages_continued": "yes",
            "protection__safe_place": "home",
        },
    ),
    (
        "age_verified",
        {
            "age_verification__date": "2026-02-25",
            "age_verification__methods": "document_check school_record",
            "age_verification__result": "verified",
            "age_verification__minimum_age": "15",
            "age_verification__minimum_age_decided_by": "national_law",
            "age_verification__verified_age": "13",
        },
    ),
]


def _set_args(form: PhoneForm, answers: dict[str, str]) -> list[str]:
    """The same answers as clr set PATH=VALUE arguments."""
    by_name = form.by_name()
    args = []
    for name, value in answers.items():
        q = by_name[name]
        if q.type.startswith("select_multiple"):
            value = ",".join(value.split())
        elif q.type == "select_one yes_no":
            value = {"yes": "true", "no": "false"}[value]
        args.append(f"{'.'.join(q.path)}={value}")
    return args


def test_form_submission_import_gives_the_case_clr_set_gives(tmp_path: Path, monkeypatch) -> None:
    by_form = _make_repo(tmp_path / "by_form")
    by_set = _make_repo(tmp_path / "by_set")
    for stage, answers in ROUND_TRIP:
        form = phoneforms.stage_form(stage, load_playbook("child-labour"))
        assert set(answers) <= set(form.by_name()), stage  # the form asks each of them
        monkeypatch.chdir(by_form)
        export = by_form / f"{stage}.csv"
        export.write_text(odk_csv(form, [{"clr_form": form.id, "case": CASE_ID, **answers}]))
        imported = _import(export)
        assert imported.exit_code == 0, describe(imported)
        monkeypatch.chdir(by_set)
        done = run(["set", CASE_ID, *_set_args(form, answers), "--as-of", AS_OF])
        assert done.exit_code == 0, describe(done)
    from_form, from_set = _case(by_form), _case(by_set)
    notes = [h for h in from_form.pop("history") if "x-submission" in h]
    assert len(notes) == len(ROUND_TRIP)
    from_set.pop("history")
    assert from_form == from_set
    assert from_form["age_verification"]["methods"] == ["document_check", "school_record"]


def test_a_select_multiple_answer_outside_the_choices_is_refused(repo: Path) -> None:
    form = phoneforms.stage_form("age_verified")
    answers = {"clr_form": form.id, "case": CASE_ID, **ROUND_TRIP[1][1]}
    answers["age_verification__methods"] = "document_check palm_reading"
    (repo / "age.csv").write_text(odk_csv(form, [answers]))
    result = _import("age.csv")
    assert result.exit_code == 1
    assert "palm_reading" in result.stderr and "age.csv:2" in result.stderr
    assert "age_verification" not in _case(repo)


def test_samples_are_left_untouched(repo: Path) -> None:
    copy = repo / "copy.zip"
    shutil.copy(EXPORTS / "odk_clr_stage_plan_agreed.zip", copy)
    _import(copy)
    with zipfile.ZipFile(copy) as archive:
        assert len(archive.namelist()) == 3


def test_answers_to_questions_the_form_no_longer_has_are_refused_not_dropped(
    repo: Path,
) -> None:
    text = (EXPORTS / "odk_clr_stage_protected.csv").read_text(encoding="utf-8")
    header, row = text.splitlines()
    export = repo / "old.csv"
    export.write_text(
        header.replace(",meta-instanceID", ",protection-protection__old_field,meta-instanceID")
        + "\n"
        + row.replace(",uuid:2f9b", ",kept somewhere,uuid:2f9b", 1)
        + "\n",
        encoding="utf-8",
    )
    result = _import(export)
    assert result.exit_code == 1, describe(result)
    assert "protection__old_field" in result.stderr
    assert "protection" not in _case(repo)


def test_a_visit_and_a_payment_from_phones_equal_clr_visit_and_clr_pay(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    by_form = _make_repo(tmp_path / "by_form")
    by_cli = _make_repo(tmp_path / "by_cli")
    visit = {"clr_form": "clr_visit", "case": CASE_ID, "date": "2026-03-01",
             "method": "school_check", "by": "R. Ahmed", "in_school": "yes",
             "attendance_percent": "87.5", "working": "no", "notes": "met the teacher"}  # fmt: skip
    pay = {"clr_form": "clr_payment", "case": CASE_ID, "date": "2026-03-01",
           "amount": "4500", "currency": "BDT", "payer": "supplier", "period": "2026-03",
           "receipt": "R-1"}  # fmt: skip
    monkeypatch.chdir(by_form)
    (by_form / "v.csv").write_text(odk_csv(phoneforms.visit_form(), [visit]))
    (by_form / "p.csv").write_text(odk_csv(phoneforms.payment_form(), [pay]))
    assert _import("v.csv", "p.csv").exit_code == 0
    monkeypatch.chdir(by_cli)
    done = run(["visit", CASE_ID, "--date", "2026-03-01", "--method", "school_check",
                "--by", "R. Ahmed", "--in-school", "--attendance", "87.5", "--not-working",
                "--note", "met the teacher", "--as-of", AS_OF])  # fmt: skip
    assert done.exit_code == 0, describe(done)
    done = run(["pay", CASE_ID, "--date", "2026-03-01", "--amount", "4500", "--currency", "BDT",
                "--payer", "supplier", "--period", "2026-03", "--receipt", "R-1",
                "--as-of", AS_OF])  # fmt: skip
    assert done.exit_code == 0, describe(done)
    from_form, from_cli = _case(by_form), _case(by_cli)
    assert from_form["visits"] == from_cli["visits"]
    assert from_form["payments"] == from_cli["payments"]


def test_a_tick_of_an_item_the_playbook_lacks_is_refused_and_a_done_item_kept(
    repo: Path, tmp_path: Path
) -> None:
    data = (EXPORTS / "kobo_clr_checklist.json").read_text(encoding="utf-8")
    assert _import(EXPORTS / "kobo_clr_checklist.json").exit_code == 0
    other = tmp_path / "other.json"
    other.write_text(
        data.replace("b7c8d9e0", "c7c8d9e0").replace('"report_triage"', '"report_triage dance"'),
        encoding="utf-8",
    )
    result = _import(other)
    assert result.exit_code == 1
    assert "'dance' is not an item of playbook child-labour" in result.stderr
    again = tmp_path / "again.json"
    again.write_text(
        data.replace("b7c8d9e0", "d7c8d9e0").replace('"2026-03-02"', '"2026-03-01"'),
        encoding="utf-8",
    )
    assert _import(again).exit_code == 0
    assert _case(repo)["checklist"] == {"report-triage": {"done": "2026-03-02", "by": "R. Ahmed"}}


def test_an_undecrypted_row_is_refused_and_control_characters_never_reach_the_terminal(
    repo: Path,
) -> None:
    form = phoneforms.visit_form()
    text = odk_csv(
        form,
        [
            {"clr_form": "clr_visit", "case": CASE_ID, "date": "2026-03-01",
             "method": "\x1b[31mred\x1b[0m", "working": "no"},
            {"clr_form": "clr_visit", "case": CASE_ID, "date": "2026-03-01",
             "method": "phone", "working": "no"},
        ],
    )  # fmt: skip
    lines = text.splitlines()
    cells = next(csv.reader([lines[2]]))
    cells[-5] = "not decrypted"  # Status
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(cells)
    (repo / "v.csv").write_text("\n".join([*lines[:2], out.getvalue()]), encoding="utf-8")
    result = _import("v.csv")
    assert result.exit_code == 1
    assert "\x1b" not in result.stderr + result.stdout
    assert "\\x1b[31mred" in result.stderr
    assert "v.csv:3" in result.stderr and "not decrypted" in result.stderr
    assert "visits" not in _case(repo)


def test_a_case_is_picked_by_its_whole_id_never_by_its_start(repo: Path, tmp_path: Path) -> None:
    text = (EXPORTS / "odk_clr_visit.csv").read_text(encoding="utf-8")
    export = tmp_path / "visits.csv"
    export.write_text(text.replace(CASE_ID, "CLR-2026-AB"), encoding="utf-8")
    result = _import(export)
    assert result.exit_code == 1
    assert "no case CLR-2026-AB" in result.stderr
    assert "visits" not in _case(repo)
