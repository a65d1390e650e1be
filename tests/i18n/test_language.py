"""Which language clr speaks: --lang, CLR_LANG, clr.yaml's language:, then the locale."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from clr import i18n
from clr.cli import _i18n
from clr.errors import ConfigError


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("fr", "fr"),
        ("fr_CI.UTF-8", "fr"),
        ("es-419", "es"),
        ("es_MX.utf8", "es"),
        ("pt-BR", "pt-BR"),
        ("pt_br", "pt-BR"),
        ("pt_MZ.UTF-8", "pt-BR"),
        ("en_GB", "en"),
        ("C", "en"),
        ("POSIX", "en"),
        ("de_DE", None),
        ("", None),
    ],
)
def test_language_names_are_normalised(value: str, expected: str | None) -> None:
    assert i18n.normalise(value) == expected


def test_the_option_wins_over_the_variable_the_file_and_the_locale() -> None:
    env = {"CLR_LANG": "es", "LANG": "pt_BR.UTF-8"}
    assert i18n.choose("fr", env, configured="es") == "fr"
    assert i18n.choose(None, env, configured="fr") == "es"
    assert i18n.choose(None, {"LANG": "pt_BR.UTF-8"}, configured="fr") == "fr"
    assert i18n.choose(None, {"LANG": "pt_BR.UTF-8"}) == "pt-BR"
    assert i18n.choose(None, {"LANGUAGE": "de:es", "LANG": "fr_FR"}) == "es"
    assert i18n.choose(None, {"LC_ALL": "de_DE.UTF-8", "LANG": "fr_FR"}) == "en"
    assert i18n.choose(None, {}) == "en"


@pytest.mark.parametrize("where", ["option", "variable"])
def test_a_language_clr_does_not_speak_is_refused(where: str) -> None:
    with pytest.raises(ConfigError) as caught:
        if where == "option":
            i18n.choose("klingon", {})
        else:
            i18n.choose(None, {"CLR_LANG": "klingon"})
    assert "klingon" in caught.value.message
    assert "pt-BR" in (caught.value.hint or "")


def test_the_root_option_is_found_before_the_command_only() -> None:
    assert _i18n.option_in(["--lang", "fr", "next", "X"]) == "fr"
    assert _i18n.option_in(["--debug", "--lang=es", "status"]) == "es"
    assert _i18n.option_in(["next", "--lang", "fr"]) is None
    assert _i18n.option_in([]) is None


def _clr(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("CLR_LANG", "LANGUAGE", "LC_ALL")}
    base.update({"LANG": "C.UTF-8", "COLUMNS": "100", "NO_COLOR": "1", **env})
    return subprocess.run(
        [sys.executable, "-m", "clr", *args],
        cwd=cwd,
        env=base,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_clr_yaml_language_is_used_and_the_variable_and_option_override_it(
    case_repo: Path,
) -> None:
    config = case_repo / "clr.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "language: es\n", encoding="utf-8")
    assert "Mostrar este mensaje" in _clr(["status", "--help"], case_repo).stdout
    assert "Afficher ce message" in _clr(["status", "--help"], case_repo, CLR_LANG="fr").stdout
    pt = _clr(["--lang", "pt-BR", "status", "--help"], case_repo).stdout
    assert "Mostrar esta mensagem" in pt
    assert "Show this message" in _clr(["--lang", "en", "status", "--help"], case_repo).stdout


def test_the_locale_chooses_when_nothing_else_does(tmp_path: Path) -> None:
    assert "Afficher la version" in _clr(["--help"], tmp_path, LANG="fr_CI.UTF-8").stdout
    assert "Print the version" in _clr(["--help"], tmp_path, LANG="de_DE.UTF-8").stdout


def test_a_bad_language_is_a_usage_error_naming_the_choices(tmp_path: Path) -> None:
    result = _clr(["--lang", "xx", "status"], tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("error: --lang 'xx' is not a language clr speaks")
    assert "en, fr, es, pt-BR" in result.stderr
    result = _clr(["status"], tmp_path, CLR_LANG="zz")
    assert result.returncode == 2
    assert "CLR_LANG 'zz'" in result.stderr


def test_usage_errors_are_translated(tmp_path: Path) -> None:
    result = _clr(["--lang", "fr", "next", "--bogus"], tmp_path)
    assert result.returncode == 2
    assert "Utilisation : clr next" in result.stderr
    assert "Erreur : Option inconnue : --bogus" in result.stderr
    result = _clr(["--lang", "es", "status", "--format", "xx"], tmp_path)
    assert "Error: Valor no válido para '--format' / '-f': 'xx' no es uno de" in result.stderr


def test_machine_formats_are_never_translated(case_repo: Path) -> None:
    args = ["validate", "--format", "json", "--strict", str(case_repo)]
    english = _clr(args, case_repo)
    for lang in ("fr", "es", "pt-BR"):
        translated = _clr(["--lang", lang, *args], case_repo)
        assert translated.returncode == english.returncode
        assert json.loads(translated.stdout) == json.loads(english.stdout)
