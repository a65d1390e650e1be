"""clr form build / clr form cases: XLSForms that pyxform converts, from the form model."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from clr.model import phoneforms, stages, vocabulary
from clr.model.playbook import load_playbook
from conftest import CONFIG_TEXT, make_case_text
from helpers_workflow import describe, run

pyxform = pytest.importorskip("pyxform.xls2xform")

CASE_ID = "CLR-2026-ABCDE"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    (root / "cases" / CASE_ID).mkdir(parents=True)
    (root / "clr.yaml").write_text(CONFIG_TEXT, encoding="utf-8")
    (root / "cases" / CASE_ID / "case.yaml").write_text(make_case_text(), encoding="utf-8")
    monkeypatch.chdir(root)
    return root


def _sheet(path: Path, name: str) -> list[dict[str, str]]:
    book = load_workbook(path, read_only=True)
    rows = list(book[name].iter_rows(values_only=True))
    header = [str(h) for h in rows[0]]
    return [{h: v for h, v in zip(header, row, strict=False) if v is not None} for row in rows[1:]]


def _survey(path: Path) -> dict[str, dict[str, str]]:
    return {r["name"]: r for r in _sheet(path, "survey") if "name" in r}


def _build(repo: Path, *extra: str) -> list[Path]:
    result = run(["form", "build", "--output", "forms", *extra])
    assert result.exit_code == 0, describe(result)
    return sorted((repo / "forms").glob("*.xlsx"))


def test_every_built_form_converts_with_pyxform_without_error_or_warning(repo: Path) -> None:
    built = _build(repo)
    expected = {f.id for f in phoneforms.all_forms(load_playbook("child-labour"))}
    assert {p.stem for p in built} == expected
    # a new case, a form for each stage after the first, a visit, a payment, ticks
    assert len(built) == 1 + (len(stages.STAGES) - 1) + 3
    for path in built:
        warnings: list[str] = []
        result = pyxform.convert(str(path), warnings=warnings)
        assert warnings == [], (path.name, warnings)
        assert f'id="{path.stem}"' in result.xform


def test_the_forms_carry_the_schema_types_enums_and_limits(repo: Path) -> None:
    _build(repo)
    visit = _survey(repo / "forms" / "clr_visit.xlsx")
    assert visit["method"]["type"] == "select_one method"
    assert visit["date"]["type"] == "date" and visit["date"]["required"] == "yes"
    assert visit["attendance_percent"]["type"] == "decimal"
    assert visit["attendance_percent"]["constraint"] == ". >= 0 and . <= 100"
    assert visit["working"]["type"] == "select_one yes_no"
    assert visit["case"]["type"] == "select_one_from_file cases.csv"
    choices = _sheet(repo / "forms" / "clr_visit.xlsx", "choices")
    methods = [c["name"] for c in choices if c["list_name"] == "method"]
    assert tuple(methods) == vocabulary.VISIT_METHODS
    assert all("label::English (en)" in c for c in choices)

    new = _survey(repo / "forms" / "clr_new_case.xlsx")
    age = new["child__estimated_age"]
    assert age["type"] == "integer" and age["constraint"] == ". >= 0 and . <= 25"
    assert "constraint_message::English (en)" in age
    assert age["relevant"] == "${confirmed} = 'yes'"
    assert new["site"]["type"] == "begin group"

    verified = _survey(repo / "forms" / "clr_stage_age_verified.xlsx")
    assert verified["age_verification__verified_age"]["relevant"] == (
        "${age_verification__result} = 'verified'"
    )
    assert verified["case"]["choice_filter"] == "stage = 'protected'"
    plan = _survey(repo / "forms" / "clr_stage_plan_agreed.xlsx")
    assert plan["plan__components"]["type"] == "begin repeat"

    settings = _sheet(repo / "forms" / "clr_visit.xlsx", "settings")[0]
    assert settings["form_id"] == "clr_visit"
    assert settings["version"].startswith("0.") and "-case1-" in settings["version"]
    assert settings["default_language"] == "English (en)"
    assert "public_key" not in settings


def test_no_choice_list_carries_a_name_and_identity_stays_in_its_group(repo: Path) -> None:
    _build(repo)
    for path in sorted((repo / "forms").glob("*.xlsx")):
        lists = {c["list_name"] for c in _sheet(path, "choices")}
        assert not any("name" in name or "identity" in name for name in lists), path.name
        survey = _sheet(path, "survey")
        identity = [r["name"] for r in survey if r.get("name", "").startswith("identity__")]
        if path.stem == "clr_new_case":
            assert identity == [f"identity__{k}" for k in phoneforms.IDENTITY_QUESTIONS]
        else:
            assert identity == []


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl to make an RSA key")
def test_public_key_goes_into_the_new_case_form_only(repo: Path, tmp_path: Path) -> None:
    private, public = tmp_path / "private.pem", tmp_path / "public.pem"
    subprocess.run(
        ["openssl", "genrsa", "-out", str(private), "2048"], check=True, capture_output=True
    )
    subprocess.run(
        ["openssl", "rsa", "-in", str(private), "-pubout", "-out", str(public)],
        check=True,
        capture_output=True,
    )
    _build(repo, "--public-key", str(public), "--submission-url", "https://example.org/submission")
    body = "".join(public.read_text().splitlines()[1:-1])
    new = _sheet(repo / "forms" / "clr_new_case.xlsx", "settings")[0]
    assert new["public_key"] == body
    assert new["submission_url"] == "https://example.org/submission"
    assert "public_key" not in _sheet(repo / "forms" / "clr_visit.xlsx", "settings")[0]
    warnings: list[str] = []
    result = pyxform.convert(str(repo / "forms" / "clr_new_case.xlsx"), warnings=warnings)
    assert warnings == [] and "base64RsaPublicKey" in result.xform


def test_a_private_key_or_other_text_is_refused_as_public_key(repo: Path) -> None:
    (repo / "key.pem").write_text("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
    result = run(["form", "build", "--output", "forms", "--public-key", "key.pem"])
    assert result.exit_code == 1, describe(result)
    assert "key.pem is not an RSA public key" in result.stderr
    assert not (repo / "forms").exists()


def test_an_unknown_form_id_is_a_usage_error(repo: Path) -> None:
    result = run(["form", "build", "--form", "clr_nothing"])
    assert result.exit_code == 2, describe(result)
    assert "clr_visit" in result.stderr


def test_form_cases_lists_open_cases_by_id_site_and_stage_never_a_name(repo: Path) -> None:
    closed = "CLR-2026-FGHJK"
    (repo / "cases" / closed).mkdir()
    (repo / "cases" / closed / "case.yaml").write_text(
        make_case_text(
            id=closed,
            stage="closed",
            closure={"date": "2026-03-02", "reason": "duplicate", "approved_by": "supervisor",
                     "duplicate_of": CASE_ID},
        ),
        encoding="utf-8",
    )  # fmt: skip
    result = run(["form", "cases", "--output", "cases.csv", "--as-of", "2026-03-02"])
    assert result.exit_code == 0, describe(result)
    lines = (repo / "cases.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "name,label,site,stage"
    assert lines[1:] == [f"{CASE_ID},{CASE_ID} · Factory 1 · reported,Factory 1,reported"]
    assert "Child A" not in "\n".join(lines)
    printed = run(["form", "cases", "--as-of", "2026-03-02"])
    assert printed.stdout.splitlines() == lines


def test_a_site_that_looks_like_a_formula_is_neutralised_in_cases_csv(repo: Path) -> None:
    case = repo / "cases" / CASE_ID / "case.yaml"
    case.write_text(make_case_text(site={"name": "=HYPERLINK(1)"}), encoding="utf-8")
    result = run(["form", "cases", "--as-of", "2026-03-02"])
    assert result.exit_code == 0, describe(result)
    assert ",'=HYPERLINK(1),reported" in result.stdout


@pytest.mark.slow
def test_every_built_form_passes_odk_validate(repo: Path) -> None:
    if shutil.which("java") is None:
        pytest.skip("ODK Validate needs java")
    for path in _build(repo):
        warnings: list[str] = []
        pyxform.convert(str(path), warnings=warnings, validate=True)
        assert warnings == [], (path.name, warnings)


def test_a_language_added_to_the_table_becomes_columns_pyxform_converts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clr.render import xlsform

    monkeypatch.setattr(xlsform, "LANGUAGES", (("English", "en"), ("Français", "fr")))
    monkeypatch.setattr(xlsform, "TRANSLATIONS", {"fr": {"Recorded by": "Saisi par"}})
    form = phoneforms.visit_form()
    path = tmp_path / "clr_visit.xlsx"
    path.write_bytes(xlsform.workbook(form, version="1"))
    survey = _survey(path)
    assert survey["by"]["label::Français (fr)"] == "Saisi par"
    assert survey["by"]["label::English (en)"] == "Recorded by"
    assert survey["date"]["label::Français (fr)"] == "Date"  # untranslated: English
    warnings: list[str] = []
    result = pyxform.convert(str(path), warnings=warnings)
    assert warnings == [] and 'lang="Français (fr)"' in result.xform


def test_the_forms_carry_every_language_of_clr_and_pyxform_converts_them(repo: Path) -> None:
    built = {p.stem: p for p in _build(repo)}
    survey = _survey(built["clr_visit"])
    by = survey["by"]
    assert by["label::English (en)"] == "Recorded by"
    assert by["label::French (fr)"] == "Saisi par"
    assert by["label::Spanish (es)"] == "Registrado por"
    assert by["label::Portuguese (pt)"] == "Registrado por"
    required = [r for r in survey.values() if "required_message::English (en)" in r]
    assert required and all(
        r["required_message::French (fr)"] == "Une réponse est nécessaire" for r in required
    )
    choices = [r for r in _sheet(built["clr_new_case"], "choices") if r["list_name"] == "yes_no"]
    assert [c["label::Spanish (es)"] for c in choices] == ["Sí", "No"]
    settings = _sheet(built["clr_visit"], "settings")[0]
    assert settings["default_language"] == "English (en)"
    warnings: list[str] = []
    result = pyxform.convert(str(built["clr_visit"]), warnings=warnings)
    assert warnings == []
    for language in ("English (en)", "French (fr)", "Spanish (es)", "Portuguese (pt)"):
        assert f'lang="{language}"' in result.xform
    assert "Saisi par" in result.xform and "Recorded by" in result.xform


def test_the_english_column_stays_english_whatever_language_clr_speaks(repo: Path) -> None:
    english = _survey(_build(repo)[0])
    result = run(["--lang", "fr", "form", "build", "--output", "forms-fr"])
    assert result.exit_code == 0, describe(result)
    first = sorted((repo / "forms-fr").glob("*.xlsx"))[0]
    assert _survey(first) == english


def test_every_hint_and_label_is_in_each_language_and_pyxform_converts_them(repo: Path) -> None:
    # hints are the schema's descriptions (and the playbook's roles), labels the fields'
    # names in words: each is worded in every language of the form, none left in English
    others = ("French (fr)", "Spanish (es)", "Portuguese (pt)")
    checked = 0
    for path in _build(repo):
        for row in _sheet(path, "survey"):
            for column in ("hint", "constraint_message"):
                english = row.get(f"{column}::English (en)")
                if english:
                    checked += 1
                    for language in others:
                        assert row[f"{column}::{language}"] != english, (path.name, row)
            english = row.get("label::English (en)")
            if english and not english.isupper():
                # a word may be the same in one language (Plan, Date): not in all three
                assert any(row[f"label::{language}"] != english for language in others), (
                    path.name,
                    row,
                )
        warnings: list[str] = []
        pyxform.convert(str(path), warnings=warnings)
        assert warnings == [], (path.name, warnings)
    assert checked > 50
    survey = _survey(repo / "forms" / "clr_stage_plan_agreed.xlsx")
    split = [
        r
        for name, r in survey.items()
        if name.startswith("plan__cost_split__") and "hint::English (en)" in r
    ]
    assert len(split) >= 3 and all(r["hint::French (fr)"] != r["hint::English (en)"] for r in split)


def test_choices_with_a_meaning_are_in_each_language_and_pyxform_converts_them(
    repo: Path,
) -> None:
    # "Buyer: The brand or purchaser: …": the value's words and the first sentence of its
    # meaning (a playbook's role or closure reason, a schema's words), in every language
    others = ("French (fr)", "Spanish (es)", "Portuguese (pt)")
    built = _build(repo)
    meant: list[dict[str, str]] = []
    for path in built:
        meant += [r for r in _sheet(path, "choices") if ": " in r.get("label::English (en)", "")]
        warnings: list[str] = []
        pyxform.convert(str(path), warnings=warnings)
        assert warnings == [], (path.name, warnings)
    lists = {r["list_name"] for r in meant}
    assert {"track", "closure__reason", "plan__signed_by__party"} <= lists, lists
    for row in meant:
        english = row["label::English (en)"]
        for language in others:
            assert ": " in row[f"label::{language}"] or " : " in row[f"label::{language}"]
            assert row[f"label::{language}"] != english, (language, row)
            # the meaning is not left in English (a value's word may be: Agent, Auditor)
            meaning = english.split(": ", 1)[1]
            assert not row[f"label::{language}"].endswith(meaning), (language, row)
    buyer = next(r for r in meant if r["name"] == "buyer")
    assert buyer["label::English (en)"].startswith("Buyer: The brand or purchaser")
    assert buyer["label::French (fr)"].startswith("Acheteur : ")
    assert buyer["label::Spanish (es)"].startswith("Comprador: ")
    # what clr speaks changes no column: the English stays English
    result = run(["--lang", "fr", "form", "build", "--output", "forms-fr"])
    assert result.exit_code == 0, describe(result)
    for path in built:
        assert _sheet(repo / "forms-fr" / path.name, "choices") == _sheet(path, "choices")
