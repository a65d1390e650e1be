"""Findings in each language: worded for a person in text, English for every machine.

A finding keeps its English message and hint (what JSON, SARIF, JUnit, GitLab, GitHub and
the concise lines print, in every language, byte for byte) and, where its check words it
with ``said``, the msgid and fields that ``clr validate``'s text output translates.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from clr import i18n
from clr.cli import main

ROOT = Path(__file__).resolve().parents[2]
AS_OF = "2026-11-20"
LANGUAGES = i18n.LANGUAGES[1:]


@pytest.fixture
def invalid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "invalid"
    for name in ("cost-split", "date-in-future", "closure-condition", "bad-enum-country",
                 "duplicate-id"):  # fmt: skip
        shutil.copytree(
            ROOT / "examples" / "invalid" / name,
            root / name,
            ignore=shutil.ignore_patterns(".clr-*"),
        )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("CLR_LANG", raising=False)
    monkeypatch.delenv("CLR_OUTPUT_FORMAT", raising=False)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return root


def _validate(lang: str, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_:
        main(args=["--lang", lang, "validate", "invalid", "--as-of", AS_OF, *args])
    out, _err = capsys.readouterr()
    return int(exit_.value.code or 0), out


@pytest.mark.parametrize(
    ("lang", "said", "hint"),
    [
        ("fr", "la somme de plan.cost_split fait 90 %, pas 100 %", "piste : donnez la part"),
        ("es", "plan.cost_split suma 90 %, no 100 %", "pista: indique la parte"),
        ("pt-BR", "plan.cost_split soma 90 %, não 100 %", "dica: informe a parte"),
    ],
)
def test_validate_words_findings_in_the_language(
    lang: str, said: str, hint: str, invalid: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, english = _validate("en", capsys, "--format", "text")
    assert code != 0
    assert "error CLR210 plan.cost_split adds up to 90 %, not 100 %" in english
    assert _validate(lang, capsys, "--format", "text")[0] == code
    out = _validate(lang, capsys, "--format", "text")[1]
    assert f"error CLR210 {said}" in out  # the code and severity stay as they are
    assert hint in out
    for english_text in (
        "adds up to 90 %",
        "is in the future (today is",
        "needs no child labour at the last two",
        "is not an ISO 3166-1 alpha-2 country code",
        "is used by",
        "each case needs its own id",
        "Found ",
    ):
        assert english_text in english and english_text not in out, english_text
    # the same findings, in the same order, at the same places
    where = [line.split(" ")[0] for line in english.splitlines() if ": error CLR" in line]
    assert where == [line.split(" ")[0] for line in out.splitlines() if ": error CLR" in line]


@pytest.mark.parametrize("output_format", ["json", "sarif", "junit", "gitlab", "github", "concise"])
def test_machine_formats_are_the_same_bytes_in_every_language(
    output_format: str, invalid: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs = {lang: _validate(lang, capsys, "--format", output_format) for lang in i18n.LANGUAGES}
    assert "plan.cost_split adds up to 90 %, not 100 %" in outputs["en"][1]
    # (SARIF and JUnit say when the run started and how long it took: the one thing that
    # differs between two runs)
    clock = r'"(start|end)TimeUtc": "[^"]*"|\b(time|timestamp)="[^"]*"'
    outputs = {lang: (code, re.sub(clock, "", out)) for lang, (code, out) in outputs.items()}
    assert len(set(outputs.values())) == 1, output_format


def test_cached_findings_are_worded_in_the_language_too(
    invalid: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # a case repository keeps its results in .clr-cache: a second run reads them back
    repo = invalid / "cost-split"
    for _run in range(2):
        with pytest.raises(SystemExit):
            main(args=["--lang", "es", "validate", str(repo), "--as-of", AS_OF])
        out, _err = capsys.readouterr()
        assert "plan.cost_split suma 90 %, no 100 %" in out
    assert (repo / ".clr-cache").is_dir()
