"""Numbers, percentages and money in each language; machine formats the same in all.

The symbols are CLDR's, copied into ``clr.i18n.numbers``; Babel (a development dependency)
answers for CLDR here, so that the table cannot drift from it.
"""

from __future__ import annotations

import shutil
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from babel import Locale
from babel import numbers as babel_numbers

from clr import i18n
from clr.cli import main
from clr.i18n import numbers

ROOT = Path(__file__).resolve().parents[2]
AS_OF = "2026-11-20"
BABEL = {"en": "en", "fr": "fr", "es": "es", "pt-BR": "pt_BR"}
VALUES = [0, 7, 12.5, 999, 1000, 1234.5, 9999, 10000, 12345.6, 999999, 1260000, 4200000.25]


def test_the_table_covers_every_language() -> None:
    assert set(numbers.SYMBOLS) == set(i18n.LANGUAGES) == set(BABEL)


@pytest.mark.parametrize("lang", list(BABEL))
def test_the_symbols_are_cldrs(lang: str) -> None:
    locale = Locale.parse(BABEL[lang])
    cldr = locale.number_symbols["latn"]
    ours = numbers.SYMBOLS[lang]
    assert (ours.decimal, ours.group) == (cldr["decimal"], cldr["group"])
    # the percent pattern: the number, then what CLDR writes after it
    pattern = locale.percent_formats[None].pattern
    assert ours.percent == "{number}" + pattern.split("0", 1)[-1].lstrip("0#,.")
    # the space CLDR puts between an amount and its currency sign (English: clr's own)
    if lang != "en":
        currency = locale.currency_formats["standard"].pattern
        between = currency.replace("¤", "").replace("#,##0.00", "")
        assert ours.money == "{number}" + between + "{currency}"


@pytest.mark.parametrize("lang", list(BABEL))
@pytest.mark.parametrize("value", VALUES)
def test_numbers_are_written_as_cldr_writes_them(lang: str, value: float) -> None:
    expected = babel_numbers.format_decimal(value, locale=BABEL[lang], decimal_quantization=False)
    if lang == "es" and abs(value) < 10000:
        # CLDR's es.xml: minimumGroupingDigits 2, which Babel does not carry: 1234 is not
        # grouped, 12.345 is
        expected = expected.replace(".", "")
    assert numbers.number(value, lang) == expected
    assert numbers.number(-value, lang) == ("-" + expected if value else expected)
    assert numbers.percent(value, lang) == babel_numbers.format_percent(
        value / 100, locale=BABEL[lang], decimal_quantization=False
    ).replace(".", "" if lang == "es" and abs(value) < 10000 else ".")


def test_the_examples_of_the_glossary() -> None:
    assert numbers.number(1234.5, "en") == "1,234.5"
    assert numbers.number(1234.5, "fr") == "1\u202f234,5"
    assert numbers.number(1234.5, "es") == "1234,5"
    assert numbers.number(12345.6, "es") == "12.345,6"
    assert numbers.number(1234.5, "pt-BR") == "1.234,5"
    assert numbers.number(Decimal("1234.50"), "pt-BR") == "1.234,50"
    assert numbers.number(3.0, "fr") == "3,0"  # the digits as Python writes them
    assert numbers.percent(45, "fr") == "45\u00a0%"
    assert numbers.percent(45.5, "es") == "45,5\u00a0%"
    assert numbers.percent(33.3, "pt-BR") == "33,3%"
    assert numbers.money(152700, "BDT", "en") == "152,700 BDT"
    assert numbers.money(152700, "BDT", "fr") == "152\u202f700\u00a0BDT"
    assert numbers.money(9050, "INR", "es") == "9050\u00a0INR"
    assert numbers.money(0.5, "", "pt-BR") == "0,5"


def test_the_language_in_force_is_the_default() -> None:
    i18n.activate("pt-BR")
    assert numbers.number(1234.5) == "1.234,5"
    i18n.activate("en")
    assert numbers.number(1234.5) == "1,234.5"


# --- through the CLI ---------------------------------------------------------------------


@pytest.fixture
def examples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "examples"
    shutil.copytree(ROOT / "examples", root, ignore=shutil.ignore_patterns(".clr-cache"))
    monkeypatch.chdir(root)
    monkeypatch.setenv("COLUMNS", "120")
    return root


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(args=args)
    out, err = capsys.readouterr()
    return int(exit_.value.code or 0), out, err


def _in_remediation(examples: Path) -> str:
    return next(
        p.parent.name
        for p in sorted(examples.glob("cases/*/case.yaml"))
        if "stage: in_remediation" in p.read_text(encoding="utf-8")
    )


@pytest.mark.parametrize(
    ("lang", "budget", "by_payer"),
    [
        ("en", "Budget: 230,000 INR.", "buyer 9,050 INR; supplier 13,000 INR"),
        ("fr", "Budget : 230\u202f000\u00a0INR.", "buyer 9\u202f050\u00a0INR"),
        ("es", "Presupuesto: 230.000\u00a0INR.", "buyer 9050\u00a0INR; supplier 13.000\u00a0INR"),
        ("pt-BR", "230.000\u00a0INR.", "buyer 9.050\u00a0INR; supplier 13.000\u00a0INR"),
    ],
)
def test_the_report_writes_money_in_the_language(
    lang: str, budget: str, by_payer: str, examples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = _in_remediation(examples)
    args = ["report", case, "--as-of", AS_OF, "--override-consent", "test", "--by", "t"]
    code, out, err = _run(["--lang", lang, *args], capsys)
    assert code == 0, err
    assert budget in out and by_payer in out


def test_show_writes_money_in_the_language(
    examples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = _in_remediation(examples)
    code, out, err = _run(["--lang", "fr", "show", case, "--as-of", AS_OF], capsys)
    assert code == 0, err
    assert "(22\u202f050\u00a0INR)" in out
    code, out, err = _run(["--lang", "en", "show", case, "--as-of", AS_OF], capsys)
    assert "(22,050 INR)" in out


def _dump(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return list(db.iterdump())


def test_machine_formats_are_byte_identical_in_english_and_french(
    examples: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs: dict[str, list[bytes | str | list[str]]] = {}
    for lang in ("en", "fr"):
        got: list[bytes | str | list[str]] = []
        for args in (
            ["stats", "--as-of", AS_OF, "--format", "json"],
            ["status", "--as-of", AS_OF, "--format", "json"],
            ["stats", "--as-of", AS_OF, "--format", "csv"],
        ):
            code, out, err = _run(["--lang", lang, *args], capsys)
            assert code == 0, err
            got.append(out)
        folder = tmp_path / f"export-{lang}"
        database = tmp_path / f"export-{lang}.sqlite"
        args = ["export", "--as-of", AS_OF, "--csv", str(folder), "--sqlite", str(database)]
        code, _out, err = _run(["--lang", lang, *args], capsys)
        assert code == 0, err
        got += [p.read_bytes() for p in sorted(folder.iterdir())]
        got.append(_dump(database))
        outputs[lang] = got
    assert outputs["en"] == outputs["fr"]
    # and the figures the French JSON holds are written in French in the tables
    assert '"BDT": 152700' in str(outputs["fr"][0])
    code, out, _err = _run(["--lang", "fr", "stats", "--as-of", AS_OF], capsys)
    assert "152\u202f700" in out
