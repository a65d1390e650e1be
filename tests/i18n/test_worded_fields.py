"""Words inside a finding, worded when it is printed: playbook texts and schema descriptions.

An overdue action (CLR301, CLR302) carries the playbook's text of the action, and a missing
field names what the field needs ("a list of", "one of", "whole number") and the schema's
description of it. ``clr validate`` builds its findings once, in English (the machine
formats print them so); the text format, ``clr next`` and ``clr advance`` word them in the
language in force: the playbook's texts from its ``translations:``, the rest from the
catalogue.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from clr import i18n
from clr.checks import schemas
from clr.cli import main
from clr.model import stages
from clr.model.findings import Said
from conftest import make_case_data

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = i18n.LANGUAGES[1:]
AS_OF = "2026-11-20"

OVERDUE = {
    "fr": (
        "warning CLR301 en retard de 21 jours : age-onsite-assessment, échéance 2026-10-30 : "
        "Se rendre sur le site et faire l'évaluation sur place",
        "une fois fait, lancez : clr tick CASE age-onsite-assessment --by NAME",
    ),
    "es": (
        "warning CLR301 vencido hace 21 días: age-onsite-assessment, plazo 2026-10-30: "
        "Visitar el sitio y hacer la evaluación en el lugar",
        "una vez hecho, ejecute: clr tick CASE age-onsite-assessment --by NAME",
    ),
    "pt-BR": (
        "warning CLR301 atrasado há 21 dias: age-onsite-assessment, prazo 2026-10-30: "
        "Visitar o local e fazer a avaliação presencial",
        "quando feito, execute: clr tick CASE age-onsite-assessment --by NAME",
    ),
}
ENGLISH_ACTION = "Visit the site and make the on-site assessment"

# The frame words of a missing field's message and hint, in English.
FRAME = (
    "a list of",
    "one of",
    "whole number",
    "with these fields",
    "true or false",
    "a code",
    "percent per party",
    "add '",
    "add it",
    "it needs",
    "must include",
    "(text)",
    "(number)",
)


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_:
        main(args=list(args))
    out, err = capsys.readouterr()
    return int(exit_.value.code or 0), out + err


@pytest.fixture
def overdue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "overdue"
    shutil.copytree(
        ROOT / "examples" / "invalid" / "overdue-action",
        root,
        ignore=shutil.ignore_patterns(".clr-*"),
    )
    monkeypatch.chdir(root)
    monkeypatch.setenv("COLUMNS", "200")
    for name in ("CLR_LANG", "CLR_OUTPUT_FORMAT", "GITHUB_ACTIONS"):
        monkeypatch.delenv(name, raising=False)
    return root


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_overdue_action_is_worded_with_the_playbooks_translation(
    lang: str, overdue: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    english_code, english = _run(capsys, "validate", ".", "--as-of", AS_OF)
    assert "warning CLR301 overdue by 21 days: age-onsite-assessment" in english
    assert ENGLISH_ACTION in english
    # twice: the second run reads the findings back from the result cache
    for _run_again in range(2):
        code, out = _run(capsys, "--lang", lang, "validate", ".", "--as-of", AS_OF)
        message, hint = OVERDUE[lang]
        assert code == english_code
        assert message in out, out
        assert hint in out, out
        assert "overdue by" not in out and ENGLISH_ACTION not in out
        assert "when done" not in out
    assert (overdue / ".clr-cache").is_dir()


@pytest.mark.parametrize("output_format", ["json", "sarif", "junit", "gitlab", "github", "concise"])
def test_an_overdue_action_is_english_in_every_machine_format(
    output_format: str, overdue: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs = {
        lang: _run(
            capsys, "--lang", lang, "validate", ".", "--as-of", AS_OF, "--format", output_format
        )
        for lang in i18n.LANGUAGES
    }
    clock = r'"(start|end)TimeUtc": "[^"]*"|\b(time|timestamp)="[^"]*"'
    same = {lang: (code, re.sub(clock, "", out)) for lang, (code, out) in outputs.items()}
    assert len(set(same.values())) == 1, output_format
    assert ENGLISH_ACTION in outputs["fr"][1]
    assert "age-onsite-assessment" in outputs["fr"][1]


@pytest.mark.parametrize(
    ("lang", "overdue_words", "ahead"),
    [
        ("fr", "EN RETARD de 21 jours", "Se rendre sur le site"),
        ("es", "VENCIDO hace 21 días", "Visitar el sitio"),
        ("pt-BR", "ATRASADO há 21 dias", "Visitar o local"),
    ],
)
def test_clr_next_words_the_checklist_blocker_in_the_language(
    lang: str, overdue_words: str, ahead: str, overdue: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _run(capsys, "--lang", lang, "next", "EXR-2026-B6GJC", "--as-of", AS_OF)
    assert code == 0, out
    assert overdue_words in out
    blockers = out[out.index("age-onsite-assessment", out.index("\n\n", out.index(ahead))) :]
    assert ahead in blockers
    for english in ("checklist item", "not done", "when done, run", ENGLISH_ACTION):
        assert english not in out, english


@pytest.fixture
def examples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the example repository (without its invalid cases)."""
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "examples", root, ignore=shutil.ignore_patterns(".clr-*", "invalid"))
    monkeypatch.chdir(root)
    monkeypatch.setenv("COLUMNS", "200")
    for name in ("CLR_LANG", "CLR_OUTPUT_FORMAT", "GITHUB_ACTIONS"):
        monkeypatch.delenv(name, raising=False)
    return root


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("fr", ("vérification 2 sur 2, 12 mois après la clôture", "Vérifier que l'enfant")),
        ("es", ("comprobación 2 de 2, 12 meses después del cierre", "Comprobar que el niño")),
        ("pt-BR", ("verificação 2 de 2, 12 meses após o encerramento", "Verificar que a criança")),
    ],
)
def test_a_check_after_closure_is_worded_in_the_language(
    lang: str, words: tuple[str, ...], examples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case_path = "cases/EXR-2026-T7HBV/case.yaml"  # closed, its first check after closure made
    late = "2027-09-01"
    _code, english = _run(capsys, "validate", case_path, "--as-of", late)
    assert "CLR302 overdue by 21 days" in english
    assert "check 2 of 2, 12 months after closure" in english
    _code, out = _run(capsys, "--lang", lang, "validate", case_path, "--as-of", late)
    for word in words:
        assert word in out, out
    assert "after closure" not in out and "Check that the child" not in out
    _code, out = _run(capsys, "--lang", lang, "next", "EXR-2026-T7HBV", "--as-of", late)
    assert words[0] in out and "after closure" not in out


# --- the schema's words -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "needs", "described"),
    [
        (
            "fr",
            ("« plan » manque", "il faut", "une liste d'entrées avec", "pourcentage par partie"),
            "Le plan de remédiation chiffré, convenu avec la famille et l'enfant.",
        ),
        (
            "es",
            ("falta 'plan'", "una lista de entradas con", "porcentaje por parte"),
            "El plan de remediación con costos, acordado con la familia y el niño o la niña.",
        ),
        (
            "pt-BR",
            ("falta 'plan'", "uma lista de entradas com", "porcentagem por parte"),
            "O plano de remediação orçado, acordado com a família e a criança.",
        ),
    ],
)
def test_clr_next_lists_what_a_missing_plan_needs_in_the_language(
    lang: str,
    needs: tuple[str, ...],
    described: str,
    examples: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    case = "EXR-2026-XW2NA"  # in stage assessed: plan_agreed, next, needs a plan
    _code, english = _run(capsys, "next", case, "--as-of", AS_OF)
    assert "'plan' is missing" in english and "a list of entries with" in english
    assert "The costed remediation plan, agreed with the family and the child." in english
    _code, out = _run(capsys, "--lang", lang, "next", case, "--as-of", AS_OF)
    blockers = out[out.index(needs[0]) :]
    for word in needs:
        assert word in blockers, word
    assert described in blockers
    for english_word in FRAME:
        assert english_word not in blockers, english_word
    assert "The costed remediation plan" not in out
    # the field names and allowed values are machine words: as they are
    for name in ("date_signed", "components", "cost_split"):
        assert name in blockers


def _stage_findings(stage: str) -> list[Any]:
    """The schema's findings on a case in ``stage`` that has none of its stage's fields."""
    data = make_case_data(stage=stage)
    seen: set[tuple[str, str]] = set()
    found = schemas.check(data, "case.yaml", "case", skip=seen)
    found += schemas.check(data, "case.yaml", f"stages/{stage}", stage=stage, skip=seen)
    return found


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_english_frame_word_is_left_in_the_missing_field_findings(lang: str) -> None:
    findings = [f for stage in stages.STAGES for f in _stage_findings(stage)]
    missing = [f for f in findings if f.code in ("CLR101", "CLR110")]
    assert len(missing) > 10
    english = {f.message + f.hint for f in missing}
    assert any("a list of" in text for text in english)
    assert any("true or false" in text for text in english)
    assert any("with these fields" in text for text in english)
    i18n.activate(lang)
    for finding in missing:
        text = finding.text + " " + finding.hint_text
        left = [word for word in FRAME if word in text]
        assert not left, (left, text)
        if finding.hint:
            assert finding.hint_text != finding.hint, finding.hint


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_description_a_hint_quotes_is_translated(lang: str) -> None:
    # the hint of each missing field quotes its description: none is left in English
    quoted: set[str] = set()
    for stage in stages.STAGES:
        for finding in _stage_findings(stage):
            about = finding.hint_worded and dict(finding.hint_worded.fields).get("about")
            if isinstance(about, Said):
                quoted.add(about.template)
    assert len(quoted) > 5
    i18n.activate(lang)
    untranslated = [text for text in quoted if i18n.gettext(text) == text]
    assert not untranslated, untranslated


def test_a_description_clr_does_not_know_stays_in_english() -> None:
    # a repository's own text (not in the catalogue) is shown as it is, in any language
    own = schemas.described_as({"description": "Our own field: the {cooperative} id."})
    assert own is not None
    i18n.activate("fr")
    assert own.local() == own.english() == "Our own field: the {cooperative} id."
    known = schemas.described_as({"description": "The total budget committed."})
    assert known is not None and known.local() == "Le budget total engagé."
    assert schemas.described_as({}) is None


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_repository_playbook_without_translations_falls_back_to_english(
    lang: str, overdue: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = yaml.safe_load((ROOT / "playbooks" / "child-labour.yaml").read_text(encoding="utf-8"))
    del book["translations"]
    (overdue / "playbooks").mkdir()
    (overdue / "playbooks" / "child-labour.yaml").write_text(
        yaml.safe_dump(book, allow_unicode=True), encoding="utf-8"
    )
    _code, out = _run(capsys, "--lang", lang, "validate", ".", "--as-of", AS_OF)
    message, _hint = OVERDUE[lang]
    frame = message.split("age-onsite-assessment")[0]
    assert frame in out and ENGLISH_ACTION in out
