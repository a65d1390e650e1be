"""Countries by ISO 3166-1 alpha-2 code, found by code or English name.

The table ships as data in ``clr/data/countries.yaml`` (its sources are cited there). A
country is found by its code in any letter case (``bd``, ``BD``), by its name or another
usual name (``Bangladesh``, ``Ivory Coast``), ignoring letter case, accents and
punctuation; a near miss (``Bangldesh``) gets suggestions.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from clr.i18n import N_
from clr.io import files, yamlio
from clr.model.findings import Joined, Said, said

_RESOURCE = "data/countries.yaml"


@dataclass(frozen=True)
class Country:
    """One country (or territory) with an ISO 3166-1 alpha-2 code."""

    code: str
    name: str
    also: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """``Bangladesh (BD)``: for a prompt's choices."""
        return f"{self.name} ({self.code})"


def _fold(text: str) -> str:
    """Case, accents, spaces and punctuation ignored: ``Côte d'Ivoire`` -> ``cotedivoire``."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    plain = plain.casefold().replace("&", " and ").replace("saint ", "st ")
    plain = re.sub(r"\bst\.? ", "st ", plain)
    return re.sub(r"[^a-z0-9]+", "", plain)


@functools.cache
def countries() -> dict[str, Country]:
    """Every country by code, in code order (cached).

    Raises:
        TypeError: the bundled table is malformed (a packaging bug).
    """
    path = Path(__file__).parents[1].joinpath(*_RESOURCE.split("/"))
    loaded = yamlio.parse_text(files.read_text(path), _RESOURCE)
    if loaded.findings or not isinstance(loaded.data, dict):
        raise TypeError(f"{_RESOURCE}: not a valid table")
    table = loaded.data.get("countries")
    if not isinstance(table, dict):
        raise TypeError(f"{_RESOURCE}: 'countries' must be a mapping")
    found: dict[str, Country] = {}
    for code, entry in table.items():
        if not (isinstance(code, str) and re.fullmatch(r"[A-Z]{2}", code)):
            raise TypeError(f"{_RESOURCE}: {code!r} is not a two-letter code")
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise TypeError(f"{_RESOURCE}: {code} needs a name")
        also = entry.get("also") or []
        if not isinstance(also, list) or not all(isinstance(a, str) for a in also):
            raise TypeError(f"{_RESOURCE}: {code}: 'also' must be a list of names")
        found[code] = Country(code, entry["name"], tuple(also))
    return found


@functools.cache
def _by_name() -> dict[str, str]:
    index: dict[str, str] = {}
    for country in countries().values():
        for name in (country.name, *country.also):
            index.setdefault(_fold(name), country.code)
    return index


def find(text: str) -> Country | None:
    """The country ``text`` names (a code in any letter case, or a name); None if none."""
    raw = text.strip()
    table = countries()
    if raw.upper() in table and len(raw) == 2:
        return table[raw.upper()]
    code = _by_name().get(_fold(raw))
    if code is None:
        # "Bangladesh (BD)", as a prompt's choice reads
        match = re.fullmatch(r".*\(([A-Za-z]{2})\)", raw)
        code = match.group(1).upper() if match and match.group(1).upper() in table else None
    return table.get(code) if code else None


def suggest(text: str, limit: int = 3) -> list[Country]:
    """Countries whose name or code is close to ``text`` (for a did-you-mean)."""
    folded = _fold(text)
    index = _by_name()
    close = difflib.get_close_matches(folded, list(index), n=limit * 2, cutoff=0.7)
    seen: list[str] = []
    for name in close:
        if index[name] not in seen:
            seen.append(index[name])
    return [countries()[code] for code in seen[:limit]]


def did_you_mean(text: str) -> Said:
    """A hint for a country that was not found (words: ``.local()`` in the language)."""
    close = suggest(text)
    if close:
        return said(
            N_("did you mean {choices}?"),
            choices=Joined(" / ", tuple(c.label for c in close)),
        )
    return said(N_("give the country's name (e.g. Bangladesh) or its ISO code (e.g. BD)"))
