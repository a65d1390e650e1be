"""Messages a person reads, in each language; what a machine reads, in none."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from clr.cli import main
from conftest import AS_OF, CASE_ID


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(args=args)
    out, err = capsys.readouterr()
    return int(exit_.value.code or 0), out, err


@pytest.mark.parametrize(
    ("lang", "heading", "playbook_text"),
    [
        ("fr", "À faire :", "Décider si le signalement est crédible"),
        ("es", "Por hacer:", "Decidir si el aviso es creíble"),
        ("pt-BR", "A fazer:", "Decidir se o relato é crível"),
    ],
)
def test_next_speaks_the_language_with_the_playbook_in_it(
    lang: str,
    heading: str,
    playbook_text: str,
    case_repo: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(case_repo)
    monkeypatch.setenv("COLUMNS", "200")
    code, out, _ = _run(["--lang", lang, "next", CASE_ID, "--as-of", AS_OF], capsys)
    assert code == 0
    assert heading in out and playbook_text in out
    for english in ("To do:", "Do not:", "Safeguarding:", "Decide whether the signal"):
        assert english not in out
    # ids, stages and commands stay as they are: a person types them
    assert "report-triage" in out and "reported" in out


def test_a_confirmation_is_translated_and_its_values_kept(
    case_repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(case_repo)
    args = ["tick", CASE_ID, "report-triage", "--by", "R. Ahmed", "--dry-run", "--as-of", AS_OF]
    code, _, err = _run(["--lang", "es", *args], capsys)
    assert code == 0
    assert f"{CASE_ID}: marcaría report-triage" in err
    code, _, err = _run(["--lang", "en", *args], capsys)
    assert f"{CASE_ID}: would tick report-triage" in err


def test_json_keys_stay_english_while_texts_are_translated(
    case_repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    monkeypatch.chdir(case_repo)
    documents = {}
    for lang in ("en", "fr"):
        _, out, _ = _run(
            ["--lang", lang, "next", CASE_ID, "--as-of", AS_OF, "--format", "json"], capsys
        )
        documents[lang] = json.loads(out)

    def keys(node: object) -> set[str]:
        if isinstance(node, dict):
            return set(node) | {k for v in node.values() for k in keys(v)}
        if isinstance(node, list):
            return {k for v in node for k in keys(v)}
        return set()

    assert keys(documents["en"]) == keys(documents["fr"])
    assert json.dumps(documents["en"]) != json.dumps(documents["fr"])  # the playbook's texts


def test_errors_and_hints_are_introduced_in_the_language(
    case_repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(case_repo)
    args = ["tick", CASE_ID, "report-triage", "--as-of", AS_OF]
    monkeypatch.delenv("CLR_USER", raising=False)
    code, _, err = _run(["--lang", "pt-BR", *args], capsys)
    assert code == 2  # a usage error
    assert err == "erro: diga quem fez\ndica: acrescente --by NOME (ou defina CLR_USER)\n"
    code, _, err = _run(["--lang", "en", *args], capsys)
    assert err == "error: say who did it\nhint: add --by NAME (or set CLR_USER)\n"


@pytest.mark.parametrize("output_format", ["text", "markdown"])
def test_playbook_show_speaks_the_language(
    output_format: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = _run(["--lang", "fr", "playbook", "show", "--format", output_format], capsys)
    assert code == 0
    assert "Retirer immédiatement l'enfant de tout travail." in out
    assert "dans les 24 heures suivant discovery.date" in out
    for english in ("BEFORE ANY CASE", "within 24 hours", "required", "Source:", "Who:"):
        assert english not in out, english


def test_show_speaks_the_language(
    case_repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(case_repo)
    monkeypatch.setenv("COLUMNS", "200")
    code, out, _ = _run(["--lang", "es", "show", CASE_ID, "--as-of", AS_OF], capsys)
    assert code == 0
    assert "Sitio: Factory 1 (BD)" in out and "Cronología:" in out
    assert "nuevo → reported  por caseworker" in out
    assert f"(clr next {CASE_ID})" in out
    for english in ("Site:", "Timeline:", "Payments:", "Open actions:"):
        assert english not in out


def test_status_table_in_a_terminal_speaks_the_language(case_repo: Path) -> None:
    import sys

    import pexpect

    child = pexpect.spawn(
        sys.executable,
        ["-m", "clr", "--lang", "pt-BR", "status", "--as-of", AS_OF],
        cwd=str(case_repo),
        env={"PATH": "/usr/bin:/bin", "TERM": "xterm", "NO_COLOR": "1", "LANG": "C.UTF-8"},
        dimensions=(24, 160),
        encoding="utf-8",
        timeout=60,
    )
    out = child.read()
    child.close()
    assert "Casos em 2026-03-02" in out
    assert "Próxima ação" in out and "Etapa" in out
    # Portuguese counts zero as singular (CLDR), as its plural rule in the catalogue says
    assert "1 caso (1 abertos, 0 encerrados), 0 ação atrasada" in out
    assert "Cases as of" not in out and "Next action" not in out


@pytest.mark.parametrize("output_format", ["text", "markdown"])
def test_agenda_speaks_the_language(
    output_format: str,
    case_repo: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(case_repo)
    args = ["agenda", "--as-of", AS_OF, "--days", "7", "--format", output_format]
    code, out, _ = _run(["--lang", "fr", *args], capsys)
    assert code == 0
    assert "Décider si le signalement est crédible" in out
    assert "report-triage" in out and CASE_ID in out
    for english in ("due by", "as of", "Caseworker", "overdue", "Decide whether"):
        assert english not in out, english


def spawn_clr(args: list[str], cwd: Path, columns: int) -> Any:
    """``python -m clr ARGS`` in a real terminal of ``columns`` (pexpect), as a person runs it."""
    import sys

    import pexpect

    return pexpect.spawn(
        sys.executable,
        ["-m", "clr", *args],
        cwd=str(cwd),
        env={
            "PATH": "/usr/bin:/bin",
            "TERM": "xterm",
            "LANG": "C.UTF-8",
            "PROMPT_TOOLKIT_NO_CPR": "1",
        },
        dimensions=(40, columns),
        encoding="utf-8",
        timeout=30,
    )


def test_new_case_asks_in_the_language_in_a_real_terminal(case_repo: Path) -> None:
    import pexpect

    child = spawn_clr(["--lang", "fr", "new-case"], case_repo, 100)
    try:
        child.expect(r"Site \(usine, exploitation ou coopérative\) :")
        child.send("Usine du Sud\r")
        child.expect(r"Identifiant du fournisseur \(facultatif\) :")
        child.sendintr()
        child.expect("interrompu : clr s'est arrêté")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 130


def test_core_errors_are_translated(
    case_repo: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(case_repo)
    code, _, err = _run(["--lang", "fr", "next", "NOPE-1", "--as-of", AS_OF], capsys)
    assert code == 1
    assert err.startswith("erreur : aucun cas NOPE-1 dans cases")
    assert "piste : « clr status » liste les cas" in err
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    monkeypatch.chdir(outside)
    code, _, err = _run(["--lang", "es", "status"], capsys)
    assert code == 1
    assert "esta carpeta no está dentro de un repositorio de casos (no se encontró clr.yaml)" in err
