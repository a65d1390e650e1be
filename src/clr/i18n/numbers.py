"""Numbers, percentages and money as a person reads them in the language in force.

Only what a person reads passes through here: the text and Markdown tables of ``clr stats``,
``clr report``, the dashboard's page, ``clr show``. Machine formats (JSON, CSV, SQLite,
SARIF, …) write numbers as Python does, in every language, and never call these functions.

The symbols come from the Unicode CLDR (version 46, as Babel 2.19 ships it), copied here
so that clr needs no library at run time; ``tests/i18n/test_numbers.py`` compares this table
with Babel's answers so that it cannot drift:

* ``common/main/en.xml``: decimal ``.``, group ``,``, percent ``#,##0%``.
* ``common/main/fr.xml``: decimal ``,``, group U+202F (narrow no-break space), percent
  ``#,##0 %`` with U+00A0 (no-break space) before the sign.
* ``common/main/es.xml``: decimal ``,``, group ``.``, percent ``#,##0 %`` with U+00A0, and
  ``<minimumGroupingDigits>2</minimumGroupingDigits>``: a four-digit number is not grouped
  (``1234``, ``12.345``). Babel does not carry minimumGroupingDigits; the test checks the
  rest.
* ``common/main/pt.xml`` (Brazilian Portuguese): decimal ``,``, group ``.``, percent
  ``#,##0%``.

Money is written as the amount, then the currency code, in every language (``1 234,50
XOF``): the code is a word of the case file, and a column of amounts reads the same in every
language. Between the two, the space CLDR's currency pattern puts between number and sign
(U+00A0 in fr, es and pt; a plain space in English, as clr has always written it).

Dates are not here: clr writes them as ISO 8601 (``2026-03-02``) in every language
(``docs/glossary.md``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from clr.i18n import current

NBSP = "\u00a0"
NNBSP = "\u202f"


@dataclass(frozen=True)
class Symbols:
    """How one language writes a number (CLDR's ``latn`` number symbols and patterns)."""

    decimal: str
    group: str
    minimum_grouping: int
    """CLDR's minimumGroupingDigits: group only when the part before the first group
    separator would have at least this many digits (2: ``1234`` but ``12.345``)."""
    percent: str
    """The percent pattern, ``{number}`` standing for the number."""
    money: str
    """The pattern of an amount and its currency code."""


SYMBOLS: dict[str, Symbols] = {
    "en": Symbols(".", ",", 1, "{number}%", "{number} {currency}"),
    "fr": Symbols(",", NNBSP, 1, "{number}" + NBSP + "%", "{number}" + NBSP + "{currency}"),
    "es": Symbols(",", ".", 2, "{number}" + NBSP + "%", "{number}" + NBSP + "{currency}"),
    "pt-BR": Symbols(",", ".", 1, "{number}%", "{number}" + NBSP + "{currency}"),
}
"""The symbols of each language clr speaks (``clr.i18n.LANGUAGES``), from CLDR."""


def symbols(lang: str | None = None) -> Symbols:
    """The symbols of ``lang`` (the language in force when None)."""
    return SYMBOLS.get(lang or current(), SYMBOLS["en"])


def _plain(value: int | float | Decimal) -> str:
    """``value`` as Python writes it, with no grouping: ``-1234.5``, ``12``, ``12.0``."""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _grouped(digits: str, sym: Symbols) -> str:
    if len(digits) < 3 + sym.minimum_grouping:
        return digits
    head = len(digits) % 3 or 3
    groups = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return sym.group.join(groups)


def number(value: int | float | Decimal, lang: str | None = None) -> str:
    """``value`` with the decimal separator and digit grouping of ``lang``.

    The digits are Python's: ``1234.5`` is ``1,234.5`` in English, ``1 234,5`` in French
    (U+202F), ``1234,5`` in Spanish, ``1.234,5`` in Brazilian Portuguese. A value Python
    writes with an exponent or as ``nan``/``inf`` keeps its form, the decimal point
    changed.
    """
    sym = symbols(lang)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    text = _plain(value)
    sign = "-" if text.startswith("-") else ""
    text = text.lstrip("-")
    if "e" in text or "E" in text:
        return sign + text.replace(".", sym.decimal)
    whole, point, fraction = text.partition(".")
    return sign + _grouped(whole, sym) + (sym.decimal + fraction if point else "")


def percent(value: int | float, lang: str | None = None) -> str:
    """A percentage already multiplied by 100 (``45.5``): ``45.5%``, ``45,5 %`` (fr)."""
    return symbols(lang).percent.format(number=number(value, lang))


def money(amount: int | float | Decimal, currency: str, lang: str | None = None) -> str:
    """An amount and its currency code: ``1,234.5 USD``, ``1 234,5 USD`` (fr).

    ``currency`` is printed as it is given (escape it for the output first).
    """
    text = number(amount, lang)
    if not currency:
        return text
    return symbols(lang).money.format(number=text, currency=currency)
