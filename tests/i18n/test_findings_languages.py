"""Findings in each language: worded for a person in text, English for every machine.

A finding keeps its English message and hint (what JSON, SARIF, JUnit, GitLab, GitHub and
the concise lines print, in every language, byte for byte) and, where its check words it
with ``said``, the msgid and fields that ``clr validate``'s text output translates.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
from pathlib import Path

import pytest

from clr import i18n
from clr.cli import main
from helpers_workflow import describe, git, run, subprocess_env

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


# --- every family of findings, made by real bad input ------------------------------------

NAME = "Amina Rahman"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str | None]]:
    """Example repositories each with one mistake, and a repository made by clr, broken.

    The repository made by clr init and clr new-case (in git, with a key) gets a child's
    name and a phone number in notes, an identity field in a case file, a plaintext
    identity file tracked by git, yes for a true/false field and a case folder without
    its case file.
    """
    base = tmp_path_factory.mktemp("broken")
    for name in (name for name in FAMILIES if name != "repo"):
        shutil.copytree(
            ROOT / "examples" / "invalid" / name,
            base / name,
            ignore=shutil.ignore_patterns(".clr-*"),
        )
    home = base / "home"
    home.mkdir()
    env: dict[str, str | None] = {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "CLR_IDENTITY_FILE": str(base / "key.txt"),
        "COLUMNS": "200",
        "CLR_LANG": None,
        "CLR_OUTPUT_FORMAT": None,
        "GITHUB_ACTIONS": None,
        **{k: v for k, v in subprocess_env().items() if k.startswith("GIT_")},
    }
    made = run(["keygen", "--output", str(base / "key.txt")], env=env)
    assert made.exit_code == 0, describe(made)
    repo = base / "repo"
    result = run(["init", str(repo), "--org", "Org", "--prefix", "ORG", "--no-input"], env=env)
    assert result.exit_code == 0, describe(result)
    _edit(repo / "clr.yaml", "recipients: []", f"recipients:\n  - {made.stdout.strip()}")
    with contextlib.chdir(repo):
        for _ in range(3):
            result = run(
                ["new-case", "--no-input", "--site", "Sunrise Garments", "--country", "BD",
                 "--channel", "audit", "--pseudonym", "Child A", "--sex", "female",
                 "--by", "R. Ahmed", "--name", NAME, "--discovered", "2026-11-02",
                 "--as-of", AS_OF],
                env=env,
            )  # fmt: skip
            assert result.exit_code == 0, describe(result)
    named, typed, identity = sorted((repo / "cases").glob("ORG-*"))
    _edit(
        named / "case.yaml",
        "  channel: audit\n",
        f"  channel: audit\n  notes: 'found with {NAME}, phone +880 1711 555 123'\n",
    )
    _edit(typed / "case.yaml", "  channel: audit\n", "  channel: audit\n  night_work: yes\n")
    _edit(identity / "case.yaml", "  sex: female\n", "  sex: female\n  surname: Rahman\n")
    (identity / "identity.yaml").write_text(f"name: {NAME}\n", encoding="utf-8")
    git(repo, "add", "-f", str(identity / "identity.yaml"))
    (repo / "cases" / "ORG-2026-EMPTY").mkdir()
    return base, env


# Folder under ``broken`` -> the codes of the families its bad input shows
FAMILIES = {
    "duplicate-key": ("CLR005",),
    "tab-indentation": ("CLR004",),
    "not-utf8": ("CLR002",),
    "out-of-range": ("CLR106",),
    "unknown-playbook": ("CLR211",),
    "invalid-config": ("CLR401",),
    "past-retention": ("CLR601",),
    "repo": ("CLR102", "CLR403", "CLR501", "CLR502", "CLR503", "CLR507"),
}
_OUTPUTS: dict[tuple[Path, str, str, str], tuple[int, str]] = {}


def _run_validate(
    broken: tuple[Path, dict[str, str | None]],
    folder: str,
    lang: str,
    output_format: str,
    capsys: pytest.CaptureFixture[str],
) -> tuple[int, str]:
    """``clr --lang LANG validate -f FORMAT`` in a folder of ``broken`` (each run once)."""
    base, env = broken
    key = (base, folder, lang, output_format)
    if key in _OUTPUTS:
        return _OUTPUTS[key]
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            if value is None:
                patch.delenv(name, raising=False)
            else:
                patch.setenv(name, value)
        patch.chdir(base / folder)
        with pytest.raises(SystemExit) as exit_:
            # (with the result cache: later runs read back the wording the first one kept)
            main(args=["--lang", lang, "validate", "--as-of", AS_OF, "-f", output_format])
    out, _err = capsys.readouterr()
    _OUTPUTS[key] = int(exit_.value.code or 0), out
    return _OUTPUTS[key]


@pytest.mark.parametrize("folder", FAMILIES)
def test_every_family_of_findings_is_worded_in_each_language(
    folder: str, broken: tuple[Path, dict[str, str | None]], capsys: pytest.CaptureFixture[str]
) -> None:
    exit_code, english = _run_validate(broken, folder, "en", "json", capsys)
    found: dict[str, dict[str, str]] = {}
    for file in json.loads(english)["files"]:
        for f in file["findings"]:
            found.setdefault(f["code"], f)  # the first, as in the text output
    for lang in LANGUAGES:
        lang_code, out = _run_validate(broken, folder, lang, "text", capsys)
        assert lang_code == exit_code
        assert not re.search(r"\{\w+\}", out), (lang, out)  # no placeholder left unfilled
        for code in FAMILIES[folder]:
            assert code in found, (code, english)
            message, hint = found[code]["message"], found[code].get("hint", "")
            lines = [line for line in out.splitlines() if f" {code} " in line]
            assert lines, (lang, code, out)
            assert message not in out, (lang, message)
            assert hint == "" or hint not in out, (lang, hint)
            # what a field holds (a key, a line, a path, a date, a number) is kept as it is
            values = re.findall(r"'[^']*'|\"[^\"]*\"|[\w.\[\]/+-]*[\d._/\[][\w.\[\]/+-]*", message)
            for value in values:
                assert value.strip("'\"") in lines[0], (lang, value, lines[0])


@pytest.mark.parametrize("output_format", ["json", "sarif", "junit", "gitlab", "github", "concise"])
def test_machine_formats_of_every_family_are_the_same_bytes_in_french(
    output_format: str,
    broken: tuple[Path, dict[str, str | None]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    clock = r'"(start|end)TimeUtc": "[^"]*"|\b(time|timestamp)="[^"]*"'
    for folder, codes in FAMILIES.items():
        english, french = (
            _run_validate(broken, folder, lang, output_format, capsys) for lang in ("en", "fr")
        )
        assert english[0] == french[0]
        assert re.sub(clock, "", english[1]) == re.sub(clock, "", french[1]), folder
        assert all(code in english[1] for code in codes), (folder, codes)
