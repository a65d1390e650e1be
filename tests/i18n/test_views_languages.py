"""The views over many cases in each language: stats, status, the dashboard, export.

What a person reads (headings, table titles, labels, definitions) is translated; the
numbers, the words of the case file and every machine format stay the same in every
language.
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest

from clr import i18n
from clr.cli import main
from clr.i18n import numbers as i18n_numbers
from clr.model import vocabulary
from clr.render import dashboard
from clr.views import figures

ROOT = Path(__file__).resolve().parents[2]
AS_OF = "2026-11-20"
LANGUAGES = i18n.LANGUAGES[1:]


@pytest.fixture
def examples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "examples"
    shutil.copytree(ROOT / "examples", root, ignore=shutil.ignore_patterns(".clr-cache"))
    monkeypatch.chdir(root)
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.delenv("CLR_LANG", raising=False)
    return root


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(args=args)
    out, err = capsys.readouterr()
    return int(exit_.value.code or 0), out, err


def _translated(english: str, lang: str) -> str:
    i18n.activate(lang)
    try:
        return i18n.gettext(english)
    finally:
        i18n.activate("en")


def _english_left(texts: list[str], lang: str, shown: str) -> list[str]:
    """The English texts (translated differently in ``lang``) that ``shown`` still holds."""
    stages = {stage.replace("_", " ") for stage in vocabulary.STAGES}
    left = []
    for text in texts:
        if "{" in text or _translated(text, lang) == text or text in stages:
            continue  # (a stage is a word of the case file, shown as it is: a funnel's rows)
        if re.search(rf"(?<![\w.]){re.escape(text)}(?![\w.])", shown):
            left.append(text)
    return left


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_dashboard_is_a_page_in_the_language(
    lang: str, examples: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pages = {}
    for each in ("en", lang):
        out = tmp_path / f"site-{each}"
        code, _out, err = _run(
            ["--lang", each, "dashboard", "--as-of", AS_OF, "--output", str(out)], capsys
        )
        assert code == 0, err
        pages[each] = (out / "index.html").read_text(encoding="utf-8")
    page = pages[lang]
    assert f'<html lang="{lang}">' in page and '<html lang="en">' in pages["en"]
    headings = re.findall(r"<h2 [^>]*>([^<]*)</h2>", page)
    assert html.unescape(headings[0]) == _translated("Cases", lang)
    assert _translated("Funnel: cases that reached each stage", lang) in map(
        html.unescape, headings
    )
    text = html.unescape(re.sub(r"<[^>]+>", "\n", page))
    english = [*dashboard.LABELS.values(), *dashboard.DEFINITIONS.values()]
    english += figures.FIGURE_LABELS.values()
    assert _english_left(english, lang, text) == []
    # every number is the same figure, in the same place, in every language, written with
    # the language's separators
    data = re.compile(r'(<data value="([^"]*)"[^>]*>)([^<]*)</data>')
    shown, english_shown = data.findall(page), data.findall(pages["en"])
    assert [d[0] for d in shown] == [d[0] for d in english_shown]
    assert len(shown) > 100
    written = [(v, t) for _tag, v, t in shown if re.fullmatch(r"-?\d+(\.\d+)?", v)]
    assert len(written) > 100
    for value, number in written:
        assert html.unescape(number) == i18n_numbers.number(_parsed(value), lang), value
    if lang != "pt-BR":  # (100%, with no space, in Brazilian Portuguese)
        assert ">100,0</data>\xa0%)" in page and "</data>%)" not in page
    # words of the case file stay as they are
    assert "\nage verified\n" in text and "\nplan agreed\n" in text


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("output_format", ["text", "markdown"])
def test_stats_tables_speak_the_language(
    lang: str, output_format: str, examples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["stats", "--as-of", AS_OF, "--format", output_format]
    code, out, err = _run(["--lang", lang, *args], capsys)
    assert code == 0, err
    english = [*figures.SECTION_TITLES.values(), *figures.FIGURE_LABELS.values()]
    english += ["All cases", "Figure", "figure"]
    left = [
        t for t in _english_left(english, lang, out) if t not in ("total",)
    ]  # "total" is the same word in all four
    assert left == []
    assert _translated("funnel: cases that reached each stage", lang) in out
    colon = " : " if lang == "fr" else ": "  # (French puts a space before a colon)
    assert _translated("days in stage", lang) + colon + "age verified" in out  # a stage stays
    code, english_out, _err = _run(["--lang", "en", *args], capsys)
    assert english_out != out
    # the same figures, each written with the separators of the language
    assert _numbers_in(english_out, "en") == _numbers_in(out, lang)
    assert len(_numbers_in(out, lang)) > 100
    if lang == "fr":  # 152 700 BDT in all: grouped with a narrow no-break space
        assert "152\u202f700" in out and "152,700" not in out


def _numbers_in(text: str, lang: str) -> list[str]:
    """The numbers of ``text`` written in ``lang``, each as Python writes it."""
    symbols = i18n_numbers.symbols(lang)
    found = re.findall(rf"\d(?:[\d{re.escape(symbols.group + symbols.decimal)}]*\d)?", text)
    return [n.replace(symbols.group, "").replace(symbols.decimal, ".") for n in found]


def _parsed(value: str) -> int | float:
    return float(value) if "." in value else int(value)


@pytest.mark.parametrize("output_format", ["json", "csv"])
def test_stats_for_machines_are_the_same_in_every_language(
    output_format: str, examples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs = set()
    for lang in i18n.LANGUAGES:
        code, out, _err = _run(
            ["--lang", lang, "stats", "--as-of", AS_OF, "--format", output_format], capsys
        )
        assert code == 0
        outputs.add(out)
    assert len(outputs) == 1


def test_export_says_what_it_wrote_in_the_language(
    examples: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv_files = {}
    for lang in ("en", "es"):
        out = tmp_path / f"csv-{lang}"
        code, _out, err = _run(
            ["--lang", lang, "export", "--as-of", AS_OF, "--csv", str(out)], capsys
        )
        assert code == 0, err
        csv_files[lang] = {p.name: p.read_bytes() for p in sorted(out.iterdir())}
        if lang == "es":
            assert "escrito " in err and "wrote" not in err
    # CSV files are for machines: the same bytes in every language
    assert csv_files["en"].keys() == csv_files["es"].keys()
    assert csv_files["en"] == csv_files["es"]
    assert b"Decide whether the signal" in csv_files["es"]["actions.csv"]
    code, _out, err = _run(["--lang", "pt-BR", "export", "--as-of", AS_OF], capsys)
    assert code == 2
    assert "informe onde escrever: --sqlite ARQUIVO e/ou --csv PASTA" in err


REPORT_HEADINGS = [
    "## Summary",
    "## Stage timeline",
    "## Plan",
    "## Payments",
    "## Visits",
    "## Overdue actions",
    "## What the supplier owes",
    "## Payments by the supplier",
]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("audience", ["caseworker", "buyer", "supplier"])
def test_the_report_of_a_case_speaks_the_language(
    lang: str, audience: str, examples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # a case in remediation: a plan, payments, visits and open actions
    case = next(p.parent.name for p in sorted(examples.glob("cases/*/case.yaml"))
                if "stage: in_remediation" in p.read_text(encoding="utf-8"))  # fmt: skip
    args = ["report", case, "--as-of", AS_OF, "--for", audience, "--override-consent",
            "for the test", "--by", "tester"]  # fmt: skip
    code, out, err = _run(["--lang", lang, *args], capsys)
    assert code == 0, err
    code, english, err = _run(["--lang", "en", *args], capsys)
    assert code == 0, err
    headings = [line for line in english.splitlines() if line.startswith("#")]
    assert len(headings) >= 5
    lines = out.splitlines()
    for heading in headings:
        if _translated(heading, lang) != heading:  # ("## Plan" is French too)
            assert heading not in lines, heading
    for heading in REPORT_HEADINGS:
        if heading in english:
            assert _translated(heading, lang) in out
    table_heads = [line for line in english.splitlines() if line.startswith("| ")][:1]
    assert table_heads and table_heads[0] not in lines
    assert f"# {_translated('# Case {case}', lang)[2:].format(case=case)}" in out
    assert english.count("|") == out.count("|")  # the same tables, cell for cell
