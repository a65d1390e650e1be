"""The form model: what a stage needs, derived from the schemas and the playbook."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from clr.io import resources
from clr.model import ages, forms
from clr.model.playbook import build

TODAY = dt.date(2026, 3, 2)


@pytest.fixture(scope="module")
def context() -> forms.FormContext:
    path = Path(resources.playbooks_dir()) / "child-labour.yaml"
    book = build(yaml.safe_load(path.read_text(encoding="utf-8")), str(path))
    return forms.FormContext(today=TODAY, playbook=book)


def case(track: str = "underage", stage: str = "identified", **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "schema_version": 1,
        "id": "TST-2026-ABCDE",
        "playbook": "child-labour",
        "track": track,
        "stage": stage,
        "opened": "2026-03-01",
        "site": {"name": "S", "supplier_id": "S1", "country": "BD", "sector": "garments"},
        "child": {"pseudonym": "Child A", "sex": "female", "estimated_age": 13},
        "discovery": {
            "date": "2026-03-01",
            "channel": "audit",
            "work": "sewing",
            "hours_per_week": 50,
        },
        "checklist": {},
        "history": [{"at": "2026-03-01T12:00:00Z", "from": None, "to": stage, "by": "X"}],
    }
    data.update(extra)
    return data


def paths(fields: list[forms.Field]) -> set[str]:
    return {f.dotted for f in fields if not f.when}


def test_a_missing_mapping_is_expanded_to_its_leaves_by_track(
    context: forms.FormContext,
) -> None:
    under = forms.form_for("protected", case("underage"), context)
    young = forms.form_for("protected", case("young-worker"), context)
    assert paths(forms.missing_fields(under, case())) >= {
        "protection.removed_from_work",
        "protection.wages_continued",
        "protection.safe_place",
    }
    assert "protection" not in paths(list(under.fields))
    young_paths = paths(forms.missing_fields(young, case("young-worker")))
    assert "protection.hazards_removed" in young_paths
    assert "protection.removed_from_work" not in young_paths


def test_types_labels_help_and_allowed_values_come_from_the_schema(
    context: forms.FormContext,
) -> None:
    form = forms.form_for("age_verified", case(stage="protected"), context)
    by = {f.dotted: f for f in form.fields}
    result = by["age_verification.result"]
    assert result.kind == "enum"
    assert [c.value for c in result.choices] == ["verified", "inconclusive"]
    assert result.choices[0].help == "the age is proven"
    assert by["age_verification.date"].kind == "date"
    assert by["age_verification.date"].proposal == "2026-03-02"  # --as-of
    methods = by["age_verification.methods"]
    assert methods.kind == "list" and methods.item is not None
    assert methods.item.kind == "enum" and "school_record" in [
        c.value for c in methods.item.choices
    ]
    assert methods.help == "How the age was checked."
    assert by["age_verification.minimum_age"].kind == "integer"
    assert by["age_verification.minimum_age"].label == "Minimum age"


def test_the_effective_minimum_age_is_proposed_with_what_decided_it(
    context: forms.FormContext,
) -> None:
    form = forms.form_for("age_verified", case(stage="protected"), context)
    by = {f.dotted: f for f in form.fields}
    expected = ages.effective_minimum_age("BD")
    assert by["age_verification.minimum_age"].proposal == expected.age
    assert by["age_verification.minimum_age_decided_by"].proposal == expected.decided_by
    assert by["age_verification.minimum_age"].proposal_why == expected.explain()
    coded = forms.FormContext(
        today=TODAY, playbook=context.playbook, buyer_codes={"Brand": {"general": 16}}
    )
    data = case(stage="protected", site={**case()["site"], "buyer": "Brand"})
    by = {f.dotted: f for f in forms.form_for("age_verified", data, coded).fields}
    assert by["age_verification.minimum_age"].proposal == 16
    assert by["age_verification.minimum_age_decided_by"].proposal == "buyer_code"


def test_a_condition_on_an_answer_marks_its_fields_until_it_is_given(
    context: forms.FormContext,
) -> None:
    data = case(stage="protected")
    by = {f.dotted: f for f in forms.form_for("age_verified", data, context).fields}
    assert by["age_verification.verified_age"].when == "age_verification.result is verified"
    data["age_verification"] = {"result": "verified"}
    by = {f.dotted: f for f in forms.form_for("age_verified", data, context).fields}
    assert by["age_verification.verified_age"].when == ""
    data["age_verification"] = {"result": "inconclusive"}
    assert "age_verification.verified_age" not in {
        f.dotted for f in forms.form_for("age_verified", data, context).fields
    }


def test_lists_of_entries_have_their_shape_and_the_stage_s_entries(
    context: forms.FormContext,
) -> None:
    form = forms.form_for("plan_agreed", case(stage="assessed"), context)
    signed = next(f for f in form.fields if f.dotted == "plan.signed_by")
    assert [s.dotted for s in signed.fields if s.required] == ["party", "date"]
    assert {"party": "family"} in signed.must_include
    assert {"party": "supplier"} in signed.must_include
    assert signed.proposal == [
        {"date": "2026-03-02", "party": "family"},
        {"date": "2026-03-02", "party": "supplier"},
    ]
    party = next(s for s in signed.fields if s.dotted == "party")
    family = next(c for c in party.choices if c.value == "family")
    assert family.help == context.playbook.roles["family"]  # type: ignore[union-attr]


def test_missing_fields_skips_what_the_case_holds(context: forms.FormContext) -> None:
    data = case()
    data["protection"] = {"wages_continued": False}
    missing = paths(forms.missing_fields(forms.form_for("protected", data, context), data))
    assert "protection.wages_continued" not in missing  # false is an answer
    assert "protection.safe_place" in missing


def test_the_current_stage_s_checklist_is_part_of_the_form(context: forms.FormContext) -> None:
    data = case(stage="reported")
    form = forms.form_for("identified", data, context)
    assert "report-triage" in [t.id for t in form.ticks]
    data["checklist"] = {"report-triage": {"done": "2026-03-01", "by": "X"}}
    assert "report-triage" not in [t.id for t in forms.form_for("identified", data, context).ticks]


def test_the_snippet_is_yaml_with_every_field_and_allowed_values_as_comments(
    context: forms.FormContext,
) -> None:
    data = case(stage="protected")
    missing = forms.missing_fields(forms.form_for("age_verified", data, context), data)
    text = forms.render_snippet(missing)
    parsed = yaml.safe_load(text)
    assert set(parsed["age_verification"]) == {
        "date", "methods", "result", "minimum_age", "minimum_age_decided_by",
    }  # fmt: skip
    assert "# verified: the age is proven" in text
    assert "# only when age_verification.result is verified" in text
    assert "# verified_age:" in text
    assert all(len(line) <= 80 for line in text.splitlines() if line.lstrip().startswith("#"))


def test_the_set_command_names_every_field(context: forms.FormContext) -> None:
    data = case()
    missing = forms.missing_fields(forms.form_for("protected", data, context), data)
    line = forms.render_set_command("TST-2026-ABCDE", missing)
    assert line.startswith("clr set TST-2026-ABCDE ")
    assert "protection.removed_from_work=2026-03-02" in line
    assert "'protection.wages_continued=true|false'" in line


def test_as_dict_is_plain_data_for_a_form_generator(context: forms.FormContext) -> None:
    form = forms.form_for("assessed", case(stage="age_verified"), context)
    plain = json.loads(json.dumps(form.as_dict()))
    assert plain["stage"] == "assessed" and plain["from"] == "age_verified"
    by = {f["path"]: f for f in plain["fields"]}
    assert by["assessment.family_reachable"]["type"] == "boolean"
    assert by["assessment.needs"]["type"] == "list"
    assert by["assessment.needs"]["item"]["type"] == "enum"
    assert by["assessment.family_contacted"]["when"] == "assessment.family_reachable is true"


def test_needed_under_names_the_fields_of_a_missing_mapping() -> None:
    fields = forms.needed_under(("plan",), case(stage="plan_agreed"), "plan_agreed")
    words = forms.describe_fields(fields, ("plan",)).english()
    for name in ("date_signed", "components", "cost_split", "signed_by"):
        assert name in words
