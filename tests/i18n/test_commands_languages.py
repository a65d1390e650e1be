"""The messages of set, edit, form and migrate in each language, values kept as they are."""

from __future__ import annotations

from pathlib import Path

import pytest

from clr.cli import main
from conftest import AS_OF, CASE_ID


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(args=args)
    out, err = capsys.readouterr()
    return int(exit_.value.code or 0), out, err


@pytest.mark.parametrize(
    ("lang", "would", "usage"),
    [
        ("fr", f"{CASE_ID} : modifierait", "donnez des arguments CHEMIN=VALEUR"),
        ("es", f"{CASE_ID}: cambiaría", "indique argumentos RUTA=VALOR"),
        ("pt-BR", f"{CASE_ID}: alteraria", "informe argumentos CAMINHO=VALOR"),
    ],
)
def test_set_speaks_the_language(
    lang: str,
    would: str,
    usage: str,
    case_repo: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(case_repo)
    args = ["set", CASE_ID, "site.name=Factory 2", "--dry-run", "--as-of", AS_OF]
    code, out, err = _run(["--lang", lang, *args], capsys)
    assert code == 0, err
    assert would in err and "nothing was written" not in err
    assert "Factory 2" in out  # the change itself, as the file will hold it
    code, _out, err = _run(["--lang", lang, "set", CASE_ID, "--as-of", AS_OF], capsys)
    assert code == 2 and usage in err


def test_edit_without_an_editor_says_so_in_the_language(
    case_repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(case_repo)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    code, _out, err = _run(["--lang", "fr", "edit", CASE_ID, "--as-of", AS_OF], capsys)
    assert code == 1
    assert "erreur : pas d'éditeur : ni $VISUAL ni $EDITOR n'est défini" in err
    assert "export EDITOR=nano" in err and "set one" not in err


def test_form_and_migrate_speak_the_language(
    case_repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(case_repo)
    code, _out, err = _run(["--lang", "es", "form", "build", "--form", "nope"], capsys)
    assert code == 2
    assert "nope: no existe el formulario; formularios: clr_" in err
    code, _out, err = _run(["--lang", "pt-BR", "migrate", "--dry-run"], capsys)
    assert code == 0, err
    assert "0 arquivo(s) a migrar, 0 com falha." in err
    assert "to migrate" not in err


def test_keys_retention_and_erase_speak_the_language(
    case_repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(case_repo)
    code, out, err = _run(["--lang", "es", "keys", "status"], capsys)
    assert code == 0, err
    assert "sin almacén de claves" in out and "no key store" not in out
    code, _out, err = _run(["--lang", "fr", "keys", "init"], capsys)
    assert code == 1
    assert "clr.yaml ne nomme aucun magasin de clés" in err
    args = ["erase", CASE_ID, "--ground", "nope", "--approved-by", "A. Lead"]
    code, _out, err = _run(["--lang", "pt-BR", *args], capsys)
    assert code == 2
    assert "'nope' não é um fundamento; um de:" in err


def test_identity_speaks_the_language(
    case_repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(case_repo)
    code, _out, err = _run(["--lang", "es", "identity", "set", CASE_ID], capsys)
    assert code == 2
    assert "indique qué definir: --name, --contact, … o --clear CAMPO" in err
    code, _out, err = _run(["--lang", "fr", "identity", "show", CASE_ID], capsys)
    assert code == 1
    assert f"{CASE_ID} n'a pas de fichier d'identité" in err
    assert f"clr identity edit {CASE_ID}" in err and "add one" not in err


def test_follow_up_of_an_open_case_is_refused_in_the_language(
    case_repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(case_repo)
    args = ["follow-up", CASE_ID, "--method", "unannounced", "--not-working", "--not-rehired"]
    code, _out, err = _run(["--lang", "pt-BR", *args, "--by", "R. Ahmed", "--as-of", AS_OF], capsys)
    assert code == 1
    assert f"{CASE_ID} não está encerrado (etapa reported)" in err
    assert f"clr visit {CASE_ID} --method" in err and "instead" not in err


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("fr", "piste : rien n'a été modifié. Le YAML ci-dessus contient chaque fait manquant"),
        ("es", "pista: no se cambió nada. El YAML de arriba contiene cada dato que falta"),
        ("pt-BR", "dica: nada foi alterado. O YAML acima contém cada fato que falta"),
    ],
)
def test_advance_without_input_says_what_to_do_in_the_language(
    lang: str,
    said: str,
    case_repo: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(case_repo)
    args = ["advance", CASE_ID, "--no-input", "--by", "R. Ahmed", "--as-of", AS_OF]
    code, out, err = _run(["--lang", lang, *args], capsys)
    assert code == 1
    assert said in err and "nothing was changed" not in err
    assert f"clr set {CASE_ID} --from facts.yaml" in err  # commands stay as typed
    assert "site:" in out  # the YAML of the missing facts
