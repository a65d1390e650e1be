"""clr set: facts by dotted path or from a fragment, typed by the schema, checked by stage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from helpers_workflow import comment_lines, describe, make_repo, run

CASE_ID = "TST-2026-W4K7B2M"

CASE = """\
# A hand-kept case: every comment must survive clr set.
schema_version: 1
id: TST-2026-W4K7B2M        # given by the desk
playbook: child-labour
track: underage
stage: reported             # moved only by 'clr advance'
opened: '2026-01-05'

# Where the child was found.
site:
    name: 'Sunrise Garments'   # as on the audit report
    country: BD

child:
    pseudonym: 'Child A'
    sex: female   # for the statistics

discovery:
    date: '2026-01-05'      # the day of the audit
    channel: audit
    hazards:
      - 'needles'   # first hazard

history:
  - at: '2026-01-05T09:00:00Z'
    from: null
    to: reported
    by: 'Desk officer'
# End of file.
"""

AS_OF = ["--as-of", "2026-01-06"]


@pytest.fixture
def case(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = make_repo(tmp_path / "repo")
    path = root / "cases" / CASE_ID / "case.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(CASE, encoding="utf-8")
    monkeypatch.chdir(root)
    return path


def data(path: Path) -> dict:
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def set_ok(*args: str, input: str | None = None) -> str:
    result = run(["set", CASE_ID, *args, *AS_OF], input=input)
    assert result.exit_code == 0, describe(result)
    return result.stdout


def set_refused(path: Path, *args: str, code: int = 1, input: str | None = None) -> str:
    before = path.read_bytes()
    result = run(["set", CASE_ID, *args, *AS_OF], input=input)
    assert result.exit_code == code, describe(result)
    assert "Traceback" not in result.stderr
    assert path.read_bytes() == before, "a refused clr set changed the file"
    return " ".join(result.stderr.split())  # problems are wrapped to 80 columns


def test_values_are_typed_by_the_schema(case: Path) -> None:
    set_ok(
        "child.estimated_age=13",
        "discovery.hours_per_week=60.5",
        "discovery.night_work=yes",
        "child.birth_date=2012-03",
        "protection.removed_from_work=2026-01-06",
        "site.supplier_id=0042",
        "site.tier=2",
    )
    got = data(case)
    assert got["child"]["estimated_age"] == 13
    assert got["discovery"]["hours_per_week"] == 60.5
    assert got["discovery"]["night_work"] is True
    assert got["child"]["birth_date"] == "2012-03"
    assert str(got["protection"]["removed_from_work"]) == "2026-01-06"
    # A text field keeps digits as text (a YAML reader would make 0042 a number).
    assert got["site"]["supplier_id"] == "0042"
    assert got["site"]["tier"] == 2


@pytest.mark.parametrize(
    ("arg", "needles"),
    [
        ("child.estimated_age=thirteen", ["child.estimated_age", "not a number"]),
        ("child.estimated_age=13.5", ["child.estimated_age", "not a whole number"]),
        ("discovery.night_work=maybe", ["discovery.night_work", "true or false"]),
        ("discovery.date=2026-02-30", ["discovery.date", "not a date", "YYYY-MM-DD"]),
        ("child.birth_date=March 2012", ["child.birth_date", "YYYY, YYYY-MM or YYYY-MM-DD"]),
        ("child.age=13", ["'age' is not a field of child", "estimated_age"]),
        ("protection.safe_plce=home", ["did you mean safe_place?"]),
        ("nonsense=1", ["'nonsense' is not a field of the top of a case"]),
    ],
)
def test_bad_paths_and_values_name_the_path_and_what_is_allowed(
    case: Path, arg: str, needles: list[str]
) -> None:
    stderr = set_refused(case, arg)
    assert stderr.startswith("error: 1 problem; nothing was written"), stderr
    for needle in needles:
        assert needle in stderr, stderr


def test_enums_take_any_letter_case_and_offer_did_you_mean(case: Path) -> None:
    stderr = set_refused(case, "child.age_basis=scool_record")
    assert "'scool_record' is not an allowed value" in stderr
    assert "did you mean school_record?" in stderr
    assert "birth_certificate" in stderr  # the allowed values are listed
    set_ok("child.age_basis=School_Record")
    assert data(case)["child"]["age_basis"] == "school_record"


def test_plus_equals_appends_list_items(case: Path) -> None:
    set_ok("discovery.hazards+=dust", "protection.informed+=buyer", "protection.informed+=provider")
    got = data(case)
    assert got["discovery"]["hazards"] == ["needles", "dust"]
    assert got["protection"]["informed"] == ["buyer", "provider"]
    # An item of a list of mappings: key=value groups (typed) or JSON.
    set_ok(
        "age_verification.documents+=type=school_record,authentic=yes",
        'age_verification.documents+={"type": "national_id", "authentic": "unclear"}',
        "age_verification.methods+=document_check",
    )
    got = data(case)
    assert got["age_verification"]["documents"] == [
        {"type": "school_record", "authentic": "yes"},
        {"type": "national_id", "authentic": "unclear"},
    ]
    stderr = set_refused(case, "protection.informed+=byuer")
    assert "did you mean buyer?" in stderr
    stderr = set_refused(case, "child.sex+=female")
    assert "+= appends to a list" in stderr


def test_a_mapping_from_key_value_groups_with_nested_keys(case: Path) -> None:
    set_ok("plan.budget=amount=80000,currency=BDT")
    assert data(case)["plan"]["budget"] == {"amount": 80000, "currency": "BDT"}


def test_a_mapping_inside_a_list_item_is_answered_with_its_dotted_fields(case: Path) -> None:
    stderr = " ".join(set_refused(case, "plan.budget=80000").split())
    assert "budget holds amount, currency: write amount=…,currency=…" in stderr
    set_ok(
        "plan.components+=type=school,start=2026-04-01,end=2026-12-31,"
        "cost.amount=120,cost.currency=BDT"
    )
    assert data(case)["plan"]["components"][-1]["cost"] == {"amount": 120, "currency": "BDT"}
    stderr = " ".join(set_refused(case, "plan.components+=type=school,cost=120").split())
    assert "cost holds amount, currency: write cost.amount=…,cost.currency=…" in stderr


def test_from_file_merges_a_yaml_fragment(case: Path, tmp_path: Path) -> None:
    fragment = tmp_path / "protect.yaml"
    fragment.write_text(
        "protection:\n"
        "  removed_from_work: '2026-01-06'\n"
        "  wages_continued: true\n"
        "  safe_place: at home with her mother\n"
        "discovery:\n"
        "  hazards: [heat]      # appended to the case's list\n"
        "  work: trimming threads\n",
        encoding="utf-8",
    )
    set_ok("--from", str(fragment))
    got = data(case)
    assert got["protection"]["safe_place"] == "at home with her mother"
    assert got["protection"]["wages_continued"] is True
    assert got["discovery"]["hazards"] == ["needles", "heat"]
    assert got["discovery"]["work"] == "trimming threads"
    assert got["discovery"]["channel"] == "audit"  # merged, not replaced


def test_from_stdin_takes_json(case: Path) -> None:
    payload = {"site": {"supplier_id": "SUP-7", "sector": "garments"}}
    set_ok("--from", "-", input=json.dumps(payload))
    assert data(case)["site"] == {
        "name": "Sunrise Garments",
        "country": "BD",
        "supplier_id": "SUP-7",
        "sector": "garments",
    }


def test_from_names_every_bad_value_of_the_fragment(case: Path) -> None:
    stderr = set_refused(
        case, "--from", "-", input="protection:\n  informed: [buyer, provder]\n  safe_plce: x\n"
    )
    assert "2 problems" in stderr
    assert "<stdin>: protection.informed[1]: 'provder'" in stderr
    assert "did you mean safe_place?" in stderr


def test_from_a_broken_fragment_names_its_line(case: Path) -> None:
    stderr = set_refused(case, "--from", "-", input="protection:\n  safe_place: [home\n")
    assert stderr.startswith("error: <stdin>:"), stderr


def test_dry_run_shows_the_diff_and_writes_nothing(case: Path) -> None:
    before = case.read_bytes()
    out = set_ok("--dry-run", "protection.safe_place=home")
    assert "+protection:" in out and "+  safe_place: home" in out
    assert out.startswith(f"--- a/cases/{CASE_ID}/case.yaml")
    assert case.read_bytes() == before


def test_a_change_that_breaks_the_case_is_refused_naming_every_problem(case: Path) -> None:
    stderr = set_refused(
        case,
        "protection.removed_from_work=2026-02-01",  # after --as-of
        "plan.stipend=amount=4500,currency=BDT",  # frequency and payer missing
    )
    assert "would leave" in stderr and "nothing was written" in stderr
    assert "protection.removed_from_work (2026-02-01) is in the future" in stderr
    assert "'frequency' is missing in plan.stipend" in stderr
    assert "'payer' is missing in plan.stipend" in stderr


def test_every_bad_argument_is_named_at_once(case: Path) -> None:
    stderr = set_refused(
        case, "child.age=1", "discovery.night_work=maybe", "child.sex=femal", "stage=closed"
    )
    assert "4 problems" in stderr
    for needle in ("child.age", "discovery.night_work", "did you mean female", "clr advance"):
        assert needle in stderr


@pytest.mark.parametrize(
    ("arg", "flag"),
    [
        ("child.name=Ayesha", "--name"),
        ("name=Ayesha", "--name"),
        ("guardian.contact=+8801711000000", "--guardian-contact"),
        ("guardian_name=Rahima", "--guardian-name"),
        ("child.address=Mirpur 10", "--address"),
        ("child.contact=017", "--contact"),
    ],
)
def test_identity_fields_are_refused_with_the_identity_command(
    case: Path, arg: str, flag: str
) -> None:
    stderr = set_refused(case, arg)
    assert "never go into case.yaml" in stderr
    assert f"clr identity set {CASE_ID} {flag}" in stderr
    value = arg.partition("=")[2]
    assert value not in stderr, "the private value is echoed back"


def test_site_name_is_not_taken_for_an_identity_field(case: Path) -> None:
    set_ok("site.name=Sunrise Garments Unit 2")
    assert data(case)["site"]["name"] == "Sunrise Garments Unit 2"


def test_comments_and_layout_survive(case: Path) -> None:
    set_ok(
        "site.supplier_id=SUP-1",
        "discovery.hazards+=dust",
        "protection.safe_place=home",
        "child.sex=female",
    )
    text = case.read_text(encoding="utf-8")
    assert comment_lines(text) == comment_lines(CASE)
    assert "    name: 'Sunrise Garments'   # as on the audit report\n" in text
    assert "      - 'needles'   # first hazard\n      - dust\n" in text
    # Only new lines: every original line is still there, unchanged.
    for line in CASE.splitlines():
        assert line in text.splitlines()


@pytest.mark.parametrize(
    "args",
    [["nothing-to-set"], ["=value"], ["a..b=1"], []],
)
def test_usage_errors_exit_2(case: Path, args: list[str]) -> None:
    set_refused(case, *args, code=2)


def test_assignments_and_a_fragment_may_name_the_same_section(case: Path) -> None:
    # The fragment is merged into the case as the PATH=VALUE edits leave it: the document
    # appended first is kept, and the file is spliced, not rewritten.
    set_ok(
        "age_verification.documents+=type=national_id,authentic=yes",
        "--from",
        "-",
        input="age_verification:\n  result: verified\n  verified_age: 13\n",
    )
    got = data(case)["age_verification"]
    assert got == {
        "documents": [{"type": "national_id", "authentic": "yes"}],
        "result": "verified",
        "verified_age": 13,
    }
    assert comment_lines(case.read_text(encoding="utf-8")) == comment_lines(CASE)


def test_a_mapping_given_for_an_existing_mapping_is_merged(case: Path) -> None:
    set_ok("plan.stipend=amount=4500,currency=BDT,frequency=monthly,payer=supplier")
    set_ok("plan.stipend=amount=5000")
    assert data(case)["plan"]["stipend"] == {
        "amount": 5000,
        "currency": "BDT",
        "frequency": "monthly",
        "payer": "supplier",
    }


def test_says_what_the_next_stage_still_needs(case: Path) -> None:
    result = run(["set", CASE_ID, "site.sector=garments", *AS_OF])
    assert result.exit_code == 0, describe(result)
    assert f"{CASE_ID}: changed cases/{CASE_ID}/case.yaml" in result.stderr
    assert f"before identified: clr next {CASE_ID}" in result.stderr


def test_problems_fit_an_80_column_terminal(case: Path) -> None:
    set_refused(case, "child.age_basis=scool_record", "protection.safe_plce=x")
    stderr = run(["set", CASE_ID, "child.age_basis=scool_record", "protection.safe_plce=x"]).stderr
    problem_lines = [ln for ln in stderr.splitlines() if ln.startswith("  ")]
    assert problem_lines and all(len(ln) <= 80 for ln in problem_lines), stderr


def test_control_characters_never_reach_the_terminal(case: Path) -> None:
    stderr = set_refused(case, "child.sex=\x1b[31mred")
    assert "\x1b" not in stderr
    assert "\\x1b" in stderr


def test_an_empty_value_is_refused_not_written(case: Path) -> None:
    stderr = set_refused(case, "protection.safe_place=")
    assert "protection.safe_place: no value given" in stderr


def test_identity_fields_in_a_fragment_are_refused_too(case: Path) -> None:
    stderr = set_refused(
        case, "--from", "-", input="child:\n  name: Amina Rahman\n  estimated_age: 13\n"
    )
    assert "<stdin>: child.name" in stderr
    assert f"clr identity set {CASE_ID} --name" in stderr
    assert "Amina" not in stderr


def test_a_path_into_a_list_says_how_to_change_it(case: Path) -> None:
    stderr = set_refused(case, "discovery.hazards.0=dust")
    assert "discovery.hazards is a list" in stderr
    assert "discovery.hazards+=ITEM" in stderr


def test_unset_removes_a_field_recorded_by_mistake(case: Path) -> None:
    set_ok("protection.safe_place=home", "protection.wages_continued=true")
    set_ok("--unset", "protection.safe_place")
    assert data(case)["protection"] == {"wages_continued": True}
    assert comment_lines(case.read_text(encoding="utf-8")) == comment_lines(CASE)
    stderr = set_refused(case, "--unset", "protection.safe_place")
    assert "no such value to remove" in stderr


def test_unset_of_what_the_stage_needs_is_refused(case: Path) -> None:
    stderr = set_refused(case, "--unset", "discovery.channel")
    assert "would leave" in stderr and "'channel' is missing" in stderr
    stderr = set_refused(case, "--unset", "child.name")
    assert "clr identity set" in stderr
    set_refused(case, "--unset", "a..b", code=2)
