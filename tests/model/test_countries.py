"""The country table: every schema code, found by code or name, with a did-you-mean."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from clr.io.resources import load_schema
from clr.model import countries

DATA = Path(countries.__file__).parents[1] / "data" / "countries.yaml"


def test_the_table_holds_exactly_the_schema_codes() -> None:
    schema_codes = load_schema("case")["$defs"]["country"]["enum"]
    assert list(countries.countries()) == sorted(schema_codes)
    assert len(schema_codes) == 249


def test_norway_stays_a_string_code() -> None:
    # A YAML 1.1 reader turns a bare NO into false; the file quotes it, and clr reads it.
    assert countries.countries()["NO"].name == "Norway"
    assert "NO" in yaml.safe_load(DATA.read_text(encoding="utf-8"))["countries"]
    found = countries.find("no")
    assert found is not None and found.code == "NO"


def test_every_name_finds_its_own_country() -> None:
    for code, country in countries.countries().items():
        for name in (country.name, *country.also, code, code.lower(), country.label):
            found = countries.find(name)
            assert found is not None and found.code == code, (name, found)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Bangladesh", "BD"),
        ("bd", "BD"),
        ("BD", "BD"),
        ("  bangladesh ", "BD"),
        ("ivory coast", "CI"),
        ("Cote d'Ivoire", "CI"),
        ("Turkey", "TR"),
        ("St. Lucia", "LC"),
        ("Bosnia & Herzegovina", "BA"),
        ("uk", "GB"),
    ],
)
def test_find_by_code_or_name(text: str, code: str) -> None:
    found = countries.find(text)
    assert found is not None and found.code == code


@pytest.mark.parametrize("text", ["Bangldesh", "Nowhere", "XX", "", "B"])
def test_unknown_text_is_not_a_country(text: str) -> None:
    assert countries.find(text) is None


def test_a_near_miss_gets_a_did_you_mean() -> None:
    assert [c.code for c in countries.suggest("Bangldesh")] == ["BD"]
    assert countries.did_you_mean("Bangldesh").english() == "did you mean Bangladesh (BD)?"
    assert "ISO code" in countries.did_you_mean("Qwertyuiop").english()


def test_names_are_unique() -> None:
    seen: dict[str, str] = {}
    for code, country in countries.countries().items():
        for name in (country.name, *country.also):
            key = countries._fold(name)
            assert seen.setdefault(key, code) == code, (name, seen[key], code)
