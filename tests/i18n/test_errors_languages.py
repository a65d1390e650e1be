"""Errors raised by clr's core, printed in the language in force.

Each error is provoked through the CLI in English and in each language: the exit code is
the same, the English words the help pages are checked for (``tests/i18n/test_catalogues``)
are found in the English message and in no other. The message itself stays English for
``str(exc)``; only what clr prints is worded.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest
import yaml
from tests.i18n.test_catalogues import _english_words
from tests.i18n.test_messages import spawn_clr

from clr import i18n
from clr.cli import main
from clr.errors import ClrError
from clr.i18n import N_
from clr.io.edit import locked
from clr.model.findings import said
from conftest import AS_OF, CASE_ID

LANGS = ("fr", "es", "pt-BR")
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(args=args)
    out, err = capsys.readouterr()
    return int(exit_.value.code or 0), out, err


def _flat(text: str) -> str:
    return " ".join(text.split())


def _scenarios(repo: Path, tmp_path: Path) -> dict[str, list[str]]:
    """The command line of each error, its files made in ``tmp_path``."""
    key = tmp_path / "broken.key"
    key.write_text("this is not a key\n", encoding="utf-8")
    key.chmod(0o600)
    export = tmp_path / "submissions.csv"
    export.write_text("name,age\nA,12\n", encoding="utf-8")
    return {
        "case not found": ["next", "NOPE-1", "--as-of", AS_OF],
        "broken identity key": ["identity", "rekey", "--dry-run", "-i", str(key)],
        "import of a bad file": ["import", str(export), "--as-of", AS_OF],
        "erase of an unknown case": [
            *("erase", "NOPE-1", "--ground", "consent_withdrawn"),
            *("--approved-by", "A. Rahman", "--yes", "--as-of", AS_OF),
        ],
        "new case with a missing value": [
            *("new-case", "--no-input", "--site", "Factory 2", "--by", "R. Ahmed"),
        ],
        "set with wrong values": [
            *("set", CASE_ID, "site.countryx=BD", "child.estimated_age=twelve"),
            *("--as-of", AS_OF),
        ],
        "move to an unknown stage": [
            *("advance", CASE_ID, "--to", "nowhere", "--by", "R. Ahmed", "--as-of", AS_OF),
        ],
    }


@pytest.mark.parametrize("lang", LANGS)
def test_core_errors_are_printed_in_the_language_with_no_english_left(
    lang: str,
    case_repo: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(case_repo)
    monkeypatch.delenv("CLR_IDENTITY_FILE", raising=False)
    for name, args in _scenarios(case_repo, tmp_path).items():
        code_en, _out, english = _run(["--lang", "en", *args], capsys)
        code, _out, said_there = _run(["--lang", lang, *args], capsys)
        assert code_en in (1, 2), (name, english)
        assert code == code_en, (name, said_there)
        assert english.startswith("error: ") and _english_words(_flat(english), lang), (
            name,
            english,
        )
        assert said_there != english, (name, said_there)
        assert _english_words(_flat(said_there), lang) == [], (name, said_there)
        assert not re.search(r"\{\w+\}", said_there), (name, said_there)  # a field left unfilled


@pytest.mark.parametrize("lang", LANGS)
def test_a_write_conflict_is_printed_in_the_language(
    lang: str,
    case_repo: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(case_repo)
    folder = case_repo / "cases" / CASE_ID
    before = (folder / "case.yaml").read_bytes()
    args = ["set", CASE_ID, "site.name=Factory 2", "--as-of", AS_OF]
    with locked(folder):  # another clr command holds the case's folder
        code_en, _out, english = _run(["--lang", "en", *args], capsys)
        code, _out, err = _run(["--lang", lang, *args], capsys)
    assert code == code_en == 1
    assert "another clr command is changing" in english
    assert "another clr command" not in err and str(folder) in err
    assert _english_words(_flat(err), lang) == []
    assert (folder / "case.yaml").read_bytes() == before


def test_a_worded_error_keeps_its_english_for_logs_and_escapes_what_it_quotes(
    case_repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    error = ClrError(said(N_("no case at {ref}"), ref="X"), said(N_("nothing was changed")))
    assert (str(error), error.message) == ("no case at X", "no case at X")
    assert error.hint == "nothing was changed"
    with i18n.speaking("fr"):
        assert error.text == "aucun cas à X" and error.hint_text == "rien n'a été modifié"
    error.hint = "plain text"  # a hint replaced by text is printed as it is
    assert error.hint_text == "plain text"
    monkeypatch.chdir(case_repo)
    code, _out, err = _run(["--lang", "fr", "next", "NOPE\x1b[31m", "--as-of", AS_OF], capsys)
    assert code == 1
    assert "\x1b" not in err and "NOPE\\x1b[31m" in err and err.startswith("erreur : ")


EDITOR = r"""
import re, shutil, sys
draft = sys.argv[1]
shutil.copy(draft, {seen!r})  # what clr opened, kept to look at
lines = []
for line in open(draft, encoding="utf-8").read().splitlines():
    bare = line.lstrip()
    pad = line[: len(line) - len(bare)]
    if bare.startswith("##") or re.match(r"#[a-z_]", bare):  # uncomment what clr asks for
        line = pad + bare[1:]
    line = re.sub(r"^(\s*wages_continued:)(\s+#|$)", r"\1 true\2", line)
    line = re.sub(r"^(\s*safe_place:)(\s+#|$)", r"\1 home\2", line)
    lines.append(line)
open(draft, "w", encoding="utf-8").write("\n".join(lines) + "\n")
"""


def _edit(
    lang: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[str, str]:
    """clr edit of an example case in ``lang``, a caseworker filling in what it asks.

    Returns the draft clr opened and the case file it wrote.
    """
    repo = tmp_path / lang
    shutil.copytree(EXAMPLES, repo)
    seen = tmp_path / f"{lang}.seen.yaml"
    editor = tmp_path / f"{lang}-editor.py"
    editor.write_text(EDITOR.format(seen=str(seen)), encoding="utf-8")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.chdir(repo)
    code, _out, err = _run(
        ["--lang", lang, "edit", "EXR-2026-3HWDN", "--as-of", "2026-12-20"], capsys
    )
    assert code == 0, err
    case = repo / "cases" / "EXR-2026-3HWDN" / "case.yaml"
    return seen.read_text(encoding="utf-8"), case.read_text(encoding="utf-8")


def _without_comments(text: str) -> list[str]:
    return [
        ln.split("  #")[0].rstrip() for ln in text.splitlines() if not ln.lstrip().startswith("#")
    ]


def test_the_edit_snippet_in_french_is_read_back_as_in_english(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    draft_en, case_en = _edit("en", tmp_path, capsys, monkeypatch)
    draft_fr, case_fr = _edit("fr", tmp_path, capsys, monkeypatch)
    # The comments are French, the keys and values the same as in English.
    assert "uncomment" in draft_en and "uncomment" not in draft_fr
    assert "décommentez" in draft_fr and "(pour passer à protected)" in draft_fr
    assert '#removed_from_work: "2026-12-20"  # date AAAA-MM-JJ' in draft_fr
    assert draft_en != draft_fr
    inserted = draft_fr[draft_fr.index("#~ clr edit") :]
    inserted_en = draft_en[draft_en.index("#~ clr edit") :]
    assert _english_words(_flat(inserted_en), "fr")  # the checker finds English here
    assert _english_words(_flat(inserted), "fr") == []
    assert _without_comments(draft_en) == _without_comments(draft_fr)
    # clr edit read both back the same: the same facts, and the case moved on.
    assert yaml.safe_load(case_fr) == yaml.safe_load(case_en)
    data = yaml.safe_load(case_fr)
    assert data["protection"]["safe_place"] == "home"
    assert data["protection"]["wages_continued"] is True
    assert data["protection"]["removed_from_work"] == "2026-12-20"
    assert "#~" not in case_fr


def test_advance_frames_its_questions_in_the_language_in_a_real_terminal(tmp_path: Path) -> None:
    import pexpect

    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLES, repo)
    args = ["--lang", "fr", "advance", "EXR-2026-3HWDN", "--by", "A. Kouassi"]
    child = spawn_clr([*args, "--as-of", "2026-12-20"], repo, 120)
    try:
        child.expect("clr a besoin de ces faits")
        child.expect(r"Retiré du travail :.*Le jour où l'enfant a cessé tout travail")
        child.send("\r")  # the date clr proposes: --as-of
        child.expect(r"Salaire maintenu :")
        child.send("y")
        child.expect(r"Lieu sûr :")
        child.send("\r")  # no answer: clr says it is needed, in French
        child.expect("obligatoire")
        before = child.before
        child.send("home\r")
        child.expect("passé de identified à protected")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
    assert "required" not in before
    data = yaml.safe_load((repo / "cases" / "EXR-2026-3HWDN" / "case.yaml").read_text("utf-8"))
    assert data["protection"] == {
        "removed_from_work": "2026-12-20",
        "wages_continued": True,
        "safe_place": "home",
    }
