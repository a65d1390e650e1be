"""Reading ODK Central and KoboToolbox exports into one kind of submission."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clr.io.submissions import ExportError, read_export

EXPORTS = Path(__file__).parent.parent / "cases" / "field_exports"


def _read(name: str) -> list:
    return read_export(EXPORTS / name, name)


def test_odk_csv_group_headers_become_question_names() -> None:
    (sub,) = _read("odk_clr_stage_protected.csv")
    assert sub.tool == "odk" and sub.row == 2
    assert sub.instance_id == "uuid:2f9b8e31-7c4d-4e2a-9b5f-1a6c3d8e0f72"
    assert sub.answers["protection__safe_place"] == "home with the family"
    assert sub.answers["clr_form"] == "clr_stage_protected"
    assert sub.submitter == "field-officer-1" and sub.submitted.startswith("2026-03-02T09:41")
    assert "SubmitterName" not in sub.answers and "KEY" not in sub.answers


def test_odk_review_states_are_kept() -> None:
    subs = _read("odk_clr_visit.csv")
    assert [s.review for s in subs] == ["approved", "", "rejected"]
    assert [s.row for s in subs] == [2, 3, 4]


def test_odk_zip_repeats_are_tied_to_their_submission_by_parent_key() -> None:
    (sub,) = _read("odk_clr_stage_plan_agreed.zip")
    assert sub.source == "odk_clr_stage_plan_agreed.zip/clr_stage_plan_agreed.csv"
    assert [e["plan__components__type"] for e in sub.repeats["plan__components"]] == [
        "school",
        "stipend",
    ]
    assert [e["plan__signed_by__party"] for e in sub.repeats["plan__signed_by"]] == [
        "family",
        "supplier",
    ]
    assert sub.answers["plan__cost_split__buyer"] == "50"


def test_kobo_csv_with_semicolons_and_validation_status() -> None:
    subs = _read("kobo_clr_payment.csv")
    assert [s.tool for s in subs] == ["kobo"] * 3
    assert subs[0].instance_id == "uuid:8e1f4b2a-3c5d-4e6f-a7b8-9c0d1e2f3a4b"
    assert subs[0].answers["receipt"] == "R-0412"
    assert [s.review for s in subs] == ["approved", "", "rejected"]


def test_kobo_json_results() -> None:
    (sub,) = _read("kobo_clr_checklist.json")
    assert sub.instance_id == "uuid:b7c8d9e0-f1a2-4b3c-9d4e-5f6a7b8c9d0e"
    assert sub.answers["items"] == "report_triage"
    assert sub.submitter == "fieldteam" and sub.review == ""
    assert sub.repeats == {}  # _attachments, _tags, _notes are the tool's, not repeats


def test_kobo_uuid_without_instance_id_column(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text(json.dumps([{"clr_form": "clr_visit", "_uuid": "abc"}]), encoding="utf-8")
    (sub,) = read_export(path, "export.json")
    assert sub.instance_id == "uuid:abc"


def test_a_quoted_multiline_cell_keeps_the_row_numbers_right(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text(
        'SubmissionDate,notes,meta-instanceID\n2026-03-02,"two\nlines",uuid:a\n2026-03-02,,uuid:b\n',
        encoding="utf-8",
    )
    subs = read_export(path, "x.csv")
    assert [(s.row, s.instance_id) for s in subs] == [(2, "uuid:a"), (4, "uuid:b")]
    assert subs[0].answers["notes"] == "two\nlines"


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        ("x.csv", b"a,b\n1,2\n", "x.csv:1: not an ODK Central or KoboToolbox export"),
        ("x.csv", b"SubmissionDate,a\n1,2,3\n", "x.csv:2: more cells than the header"),
        ("x.csv", b"SubmissionDate\n\xff\n", "x.csv: not UTF-8 text"),
        ("x.json", b"{", "x.json:1: not valid JSON"),
        ("x.json", b'{"results": 3}', "not a KoboToolbox JSON export"),
        ("x.xlsx", b"not a workbook", "x.xlsx: not a readable XLSX file"),
        ("x.zip", b"PK\x03\x04", "x.zip: not a readable ZIP file"),
    ],
)
def test_a_broken_export_is_refused_naming_the_file(
    tmp_path: Path, name: str, raw: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(raw)
    with pytest.raises(ExportError) as caught:
        read_export(path, name)
    assert message in caught.value.message


def test_kobo_json_repeats_are_lists_of_group_paths(tmp_path: Path) -> None:
    record = {
        "clr_form": "clr_stage_plan_agreed",
        "plan/plan__date_signed": "2026-03-01",
        "plan/plan__components": [
            {"plan/plan__components/plan__components__type": "school"},
            {"plan/plan__components/plan__components__type": "stipend"},
        ],
        "meta/instanceID": "uuid:1",
        "_uuid": "1",
        "_validation_status": {"uid": "validation_status_on_hold"},
    }
    path = tmp_path / "data.json"
    path.write_text(json.dumps({"results": [record]}), encoding="utf-8")
    (sub,) = read_export(path, "data.json")
    assert sub.answers["plan__date_signed"] == "2026-03-01"
    assert sub.repeats["plan__components"] == [
        {"plan__components__type": "school"},
        {"plan__components__type": "stipend"},
    ]
    assert sub.review == "hasIssues"
