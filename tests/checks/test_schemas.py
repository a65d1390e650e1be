"""Tests for the JSON Schemas and for clr.checks.schemas: verdicts and messages in plain words."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource

from clr.checks import schemas
from clr.io import resources
from clr.model.findings import CODES, Finding
from clr.model.stages import STAGES

SCHEMAS_DIR = Path(__file__).resolve().parents[2] / "schemas"
BASE_URI = "https://clr.invalid/schemas/"
SCHEMA_FILES = sorted(SCHEMAS_DIR.rglob("*.json"))

CaseData = Callable[..., dict[str, Any]]


def _load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def only(findings: list[Finding], code: str | None = None) -> Finding:
    assert len(findings) == 1, findings
    if code is not None:
        assert findings[0].code == code, findings
    return findings[0]


def check_case(data: dict[str, Any]) -> list[Finding]:
    """Findings of the base case schema and of the schema of the case's stage."""
    found = schemas.check(data, "case.yaml", "case")
    stage = data.get("stage")
    if stage in STAGES:
        found += schemas.check(data, "case.yaml", f"stages/{stage}", stage=stage)
    return found


# --- the schema files ------------------------------------------------------------------


def test_schema_files_are_found() -> None:
    names = {p.relative_to(SCHEMAS_DIR).as_posix() for p in SCHEMA_FILES}
    assert {"case.schema.json", "config.schema.json", "playbook.schema.json"} <= names
    assert len(SCHEMA_FILES) >= 3 + len(STAGES)


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.relative_to(SCHEMAS_DIR).as_posix())
def test_schema_passes_the_2020_12_metaschema(path: Path) -> None:
    schema = _load(path)
    assert schema.get("$schema") == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.relative_to(SCHEMAS_DIR).as_posix())
def test_schema_files_have_no_id_and_clr_knows_them_by_their_path(path: Path) -> None:
    # No $id: a tool resolves each file's $refs next to it (tests/checks/test_schema_resolution).
    assert "$id" not in _load(path)
    relative = path.relative_to(SCHEMAS_DIR).as_posix()
    loaded = resources.load_schema(relative.removesuffix(".schema.json"))
    assert loaded["$id"] == BASE_URI + relative


def test_every_stage_has_a_schema() -> None:
    for stage in STAGES:
        path = SCHEMAS_DIR / "stages" / f"{stage}.schema.json"
        assert path.is_file(), f"no schema for stage {stage}"
        assert stage in _load(path)["title"]
    assert len(STAGES) == 9
    stage_files = {p.name.removesuffix(".schema.json") for p in (SCHEMAS_DIR / "stages").iterdir()}
    assert stage_files == set(STAGES)


def _reference_validator(name: str) -> jsonschema.Draft202012Validator:
    def uri(path: Path) -> str:
        return BASE_URI + path.relative_to(SCHEMAS_DIR).as_posix()

    pairs = [(uri(p), Resource.from_contents(_load(p))) for p in SCHEMA_FILES]
    registry: Registry[Any] = Registry().with_resources(pairs)
    root = SCHEMAS_DIR / f"{name}.schema.json"
    return jsonschema.Draft202012Validator(
        {"$id": uri(root), **_load(root)},
        registry=registry,
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )


def test_minimal_case_passes_base_and_reported(case_data: CaseData) -> None:
    data = case_data()
    assert schemas.check(data, "case.yaml", "case") == []
    assert schemas.check(data, "case.yaml", "stages/reported", stage="reported") == []


def test_minimal_case_passes_the_reference_validator_too(case_data: CaseData) -> None:
    data = case_data()
    assert list(_reference_validator("case").iter_errors(data)) == []
    assert list(_reference_validator("stages/reported").iter_errors(data)) == []


@pytest.mark.parametrize(
    "overrides",
    [
        {"child": {"sex": "femal"}},
        {"site": {"country": "XX"}},
        {"opened": "2026-02-30"},
        {"colour": "red"},
        {"discovery": {"hours_per_week": "48"}},
    ],
)
def test_reference_validator_agrees_it_is_invalid(
    case_data: CaseData, overrides: dict[str, Any]
) -> None:
    data = case_data(**overrides)
    assert list(_reference_validator("case").iter_errors(data)) != []
    assert schemas.check(data, "case.yaml", "case") != []


def test_minimal_case_fails_the_next_stage(case_data: CaseData) -> None:
    found = check_case(case_data(stage="identified"))
    assert {f.code for f in found} <= {"CLR110", "CLR111"}
    assert {f.pointer for f in found} >= {"/site/supplier_id", "/site/sector", "/discovery/work"}


def test_every_code_has_a_title() -> None:
    assert all(code.startswith("CLR") and len(code) == 6 for code in CODES)
    assert all(title and title[0].isupper() for title in CODES.values())


# --- messages, one kind at a time --------------------------------------------------------


def test_missing_required_field(case_data: CaseData) -> None:
    finding = only(schemas.check(case_data(playbook=...), "case.yaml"), "CLR101")
    assert finding.pointer == "/playbook"
    assert "'playbook' is missing" in finding.message
    # The hint carries the field's description from the schema.
    assert "add 'playbook:'" in finding.hint
    assert "The playbook that guides this case" in finding.hint
    assert finding.path == "case.yaml"
    assert finding.severity == "error"


def test_missing_nested_field_names_its_parent(case_data: CaseData) -> None:
    data = case_data()
    del data["site"]["country"]
    finding = only(schemas.check(data, "case.yaml"), "CLR101")
    assert finding.pointer == "/site/country"
    assert "'country' is missing in site" in finding.message
    assert "ISO 3166-1" in finding.hint


def test_wrong_type_number_given_as_text(case_data: CaseData) -> None:
    found = schemas.check(case_data(discovery={"hours_per_week": "48"}), "case.yaml")
    finding = only(found, "CLR102")
    assert finding.pointer == "/discovery/hours_per_week"
    assert finding.message == 'discovery.hours_per_week must be a number, not "48"'


def test_wrong_type_yes_for_a_boolean(case_data: CaseData) -> None:
    # What `night_work: yes` reads as: the text "yes".
    found = schemas.check(case_data(discovery={"night_work": "yes"}), "case.yaml")
    finding = only(found, "CLR102")
    assert finding.pointer == "/discovery/night_work"
    assert "true or false" in finding.message
    assert "true or false" in finding.hint
    assert '"yes"' in finding.message


def test_wrong_type_number_for_text_hints_quotes(case_data: CaseData) -> None:
    finding = only(schemas.check(case_data(site={"name": 1234}), "case.yaml"), "CLR102")
    assert finding.message == "site.name must be text, not 1234"
    assert finding.hint == 'put it in quotes: "1234"'


def test_wrong_type_list_expected(case_data: CaseData) -> None:
    finding = only(schemas.check(case_data(discovery={"tasks": "sewing"}), "case.yaml"), "CLR102")
    assert "a list" in finding.message
    assert "- " in finding.hint


def test_enum_with_did_you_mean(case_data: CaseData) -> None:
    finding = only(schemas.check(case_data(child={"sex": "femal"}), "case.yaml"), "CLR103")
    assert finding.pointer == "/child/sex"
    assert '"femal" is not one of "female", "male", "other", "undisclosed"' in finding.message
    assert "did you mean female" in finding.hint


def test_enum_letter_case(case_data: CaseData) -> None:
    finding = only(schemas.check(case_data(child={"sex": "Female"}), "case.yaml"), "CLR103")
    assert finding.hint == "did you mean female? (letter case matters)"


def test_unknown_country_says_iso_3166(case_data: CaseData) -> None:
    finding = only(schemas.check(case_data(site={"country": "XX"}), "case.yaml"), "CLR103")
    assert finding.pointer == "/site/country"
    assert "ISO 3166" in finding.message
    assert '"XX"' in finding.message
    assert "BD" in finding.hint  # the example in the general hint


def test_lower_case_country_suggests_upper_case(case_data: CaseData) -> None:
    finding = only(schemas.check(case_data(site={"country": "bd"}), "case.yaml"), "CLR103")
    assert "ISO 3166" in finding.message
    assert "did you mean BD?" in finding.hint


def _with_stipend(case_data: CaseData, currency: str) -> dict[str, Any]:
    stipend = {"amount": 3000, "currency": currency, "frequency": "monthly", "payer": "buyer"}
    return case_data(plan={"stipend": stipend})


def test_unknown_currency_says_iso_4217(case_data: CaseData) -> None:
    found = schemas.check(_with_stipend(case_data, "XYZ"), "case.yaml")
    finding = only(found, "CLR103")
    assert finding.pointer == "/plan/stipend/currency"
    assert "ISO 4217" in finding.message
    assert "BDT" in finding.hint


def test_lower_case_currency_suggests_upper_case(case_data: CaseData) -> None:
    finding = only(schemas.check(_with_stipend(case_data, "bdt"), "case.yaml"), "CLR103")
    assert "did you mean BDT?" in finding.hint


def test_unknown_field_with_did_you_mean(case_data: CaseData) -> None:
    data = case_data()
    data["site"]["contry"] = data["site"].pop("country")
    found = schemas.check(data, "case.yaml")
    unknown = [f for f in found if f.code == "CLR104"]
    finding = only(unknown)
    assert finding.pointer == "/site/contry"
    assert finding.message == "unknown field 'contry' in site"
    assert finding.hint == "did you mean country?"
    # The real field is then missing, and said so.
    assert [f.pointer for f in found if f.code == "CLR101"] == ["/site/country"]


def test_unknown_top_level_field_without_a_close_match(case_data: CaseData) -> None:
    finding = only(schemas.check(case_data(favourite="red"), "case.yaml"), "CLR104")
    assert finding.pointer == "/favourite"
    assert finding.message == "unknown field 'favourite'"
    assert "x-" in finding.hint


def test_x_fields_are_allowed(case_data: CaseData) -> None:
    data = case_data(**{"x-region-code": 7, "site": {"x-internal": "a"}})
    assert schemas.check(data, "case.yaml") == []


def test_impossible_date_is_clr105(case_data: CaseData) -> None:
    finding = only(schemas.check(case_data(opened="2026-02-30"), "case.yaml"), "CLR105")
    assert finding.pointer == "/opened"
    assert finding.message == 'opened: "2026-02-30" is not a date'
    assert "YYYY-MM-DD" in finding.hint


def test_short_date_is_clr105(case_data: CaseData) -> None:
    found = schemas.check(case_data(opened="2026-3-2"), "case.yaml")
    assert found, "2026-3-2 must be refused"
    assert {f.code for f in found} == {"CLR105"}
    assert {f.pointer for f in found} == {"/opened"}
    assert any("YYYY-MM-DD" in f.hint for f in found)


def test_short_date_is_one_finding(case_data: CaseData) -> None:
    finding = only(schemas.check(case_data(opened="2026-3-2"), "case.yaml"), "CLR105")
    assert "YYYY-MM-DD" in finding.hint


def test_bad_case_id_form(case_data: CaseData) -> None:
    finding = only(schemas.check(case_data(id="clr-1"), "case.yaml"), "CLR105")
    assert finding.pointer == "/id"
    assert "does not have the expected form" in finding.message
    assert "CLR-2026-7KQ3M" in finding.hint


@pytest.mark.parametrize(
    ("overrides", "pointer", "words"),
    [
        ({"discovery": {"hours_per_week": 200}}, "/discovery/hours_per_week", "at most 168"),
        ({"discovery": {"hours_per_week": -1}}, "/discovery/hours_per_week", "at least 0"),
        ({"site": {"tier": 0}}, "/site/tier", "at least 1"),
        ({"child": {"estimated_age": 30}}, "/child/estimated_age", "at most 25"),
        ({"child": {"pseudonym": ""}}, "/child/pseudonym", "filled in"),
    ],
)
def test_out_of_range_is_clr106(
    case_data: CaseData, overrides: dict[str, Any], pointer: str, words: str
) -> None:
    finding = only(schemas.check(case_data(**overrides), "case.yaml"), "CLR106")
    assert finding.pointer == pointer
    assert words in finding.message


def test_repeated_list_entry_is_clr106(case_data: CaseData) -> None:
    data = case_data(related_cases=["CLR-2026-FGHJK", "CLR-2026-FGHJK"])
    finding = only(schemas.check(data, "case.yaml"), "CLR106")
    assert "twice" in finding.message


# --- stage requirements -----------------------------------------------------------------------


def _identified(case_data: CaseData, **overrides: Any) -> dict[str, Any]:
    return case_data(
        site={"supplier_id": "S-1", "sector": "garments"},
        child={"estimated_age": 13},
        discovery={"work": "sewing"},
        **overrides,
    )


def test_identified_case_passes_its_stage(case_data: CaseData) -> None:
    assert check_case(_identified(case_data, stage="identified")) == []


def test_protected_underage_without_safe_place(case_data: CaseData) -> None:
    data = _identified(
        case_data,
        stage="protected",
        protection={"removed_from_work": "2026-03-02", "wages_continued": True},
    )
    finding = only(check_case(data), "CLR110")
    assert finding.pointer == "/protection/safe_place"
    assert finding.message == (
        "'safe_place' is missing in protection for a case in stage protected"
    )
    assert "Where the child is kept safe" in finding.hint


def test_protected_young_worker_needs_hazards_removed_not_safe_place(
    case_data: CaseData,
) -> None:
    data = _identified(
        case_data,
        stage="protected",
        track="young-worker",
        protection={"wages_continued": True},
    )
    finding = only(check_case(data), "CLR110")
    assert finding.pointer == "/protection/hazards_removed"


def test_stage_any_of_requirement_uses_its_description(case_data: CaseData) -> None:
    data = _identified(case_data, stage="identified")
    del data["child"]["estimated_age"]
    finding = only(check_case(data), "CLR111")
    assert finding.pointer == "/child"
    assert "an estimated age (estimated_age) or a birth date (birth_date)" in finding.message
    assert "for a case in stage identified" in finding.message


def test_plan_agreed_without_the_family_signature(case_data: CaseData) -> None:
    data = case_data(stage="plan_agreed", plan={"signed_by": [{"party": "supplier", "date": "x"}]})
    found = schemas.check(data, "case.yaml", "stages/plan_agreed", stage="plan_agreed")
    signed = [f for f in found if f.pointer == "/plan/signed_by"]
    finding = only(signed)
    assert finding.code in ("CLR111", "CLR107")
    assert "signature by the family" in finding.message
    assert "for a case in stage plan_agreed" in finding.message


def test_plan_agreed_with_both_signatures_has_no_signature_finding(case_data: CaseData) -> None:
    signed = [
        {"party": "family", "date": "2026-03-10"},
        {"party": "supplier", "date": "2026-03-10"},
    ]
    data = case_data(stage="plan_agreed", plan={"signed_by": signed})
    found = schemas.check(data, "case.yaml", "stages/plan_agreed", stage="plan_agreed")
    assert found, "the rest of plan_agreed's requirements are still missing"
    assert not [f for f in found if f.pointer == "/plan/signed_by"]


def test_stage_const_mismatch_is_clr111(case_data: CaseData) -> None:
    closure = {"date": "2026-04-01", "reason": "hazard_removed", "approved_by": "supervisor"}
    data = case_data(stage="closed", protection={"hazards_removed": "2026-03-03"}, closure=closure)
    finding = only(check_case(data), "CLR111")
    assert finding.pointer == "/track"
    assert finding.message == 'track must be "young-worker" for a case in stage closed'


def test_closed_referred_needs_referred_to(case_data: CaseData) -> None:
    closure = {"date": "2026-04-01", "reason": "referred", "approved_by": "supervisor"}
    finding = only(check_case(case_data(stage="closed", closure=closure)), "CLR110")
    assert finding.pointer == "/closure/referred_to"


def test_skip_set_does_not_repeat_a_finding(case_data: CaseData) -> None:
    data = case_data(child={"sex": "femal"})
    seen: set[tuple[str, str]] = set()
    first = schemas.check(data, "case.yaml", "case", skip=seen)
    again = schemas.check(data, "case.yaml", "case", skip=seen)
    assert [f.code for f in first] == ["CLR103"]
    assert again == []


def test_config_schema_messages() -> None:
    found = schemas.check(
        {"schema_version": 1, "organisation": "T", "id_prefix": "clr", "colour": 1},
        "clr.yaml",
        "config",
    )
    assert sorted((f.code, f.pointer) for f in found) == [
        ("CLR104", "/colour"),
        ("CLR105", "/id_prefix"),
    ]
