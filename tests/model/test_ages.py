"""Tests for clr.model.ages: the minimum-age table and the effective minimum age."""

from __future__ import annotations

import re
from importlib import resources
from typing import Any

import pytest
import yaml

from clr.model import ages
from clr.model.ages import effective_minimum_age

REQUIRED_ROW_KEYS = {
    "name",
    "general",
    "light_from",
    "hazardous",
    "c138_declared",
    "developing",
    "source",
    "source_keys",
    "as_of",
    "confidence",
    "note",
}
EXPECTED_COUNTRIES = {
    "BD", "IN", "PK", "CN", "VN", "KH", "MM", "ID", "TH", "LK", "TR", "ET", "CI",
    "GH", "UZ", "MX", "BR", "HN", "GT", "EG", "MA", "PH", "MY", "NP", "KE",
}  # fmt: skip


def _raw_text() -> str:
    return resources.files("clr").joinpath("data/minimum-ages.yaml").read_text(encoding="utf-8")


class _CoreBoolLoader(yaml.SafeLoader):
    """A safe loader where only true/false are booleans (YAML 1.2 style)."""


_CoreBoolLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_CoreBoolLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def _table() -> dict[str, Any]:
    data = yaml.safe_load(_raw_text())
    assert isinstance(data, dict)
    return data


# --- effective minimum age -------------------------------------------------


def test_bangladesh_general_tie_goes_to_national_law() -> None:
    result = effective_minimum_age("BD")
    assert result.age == 14
    assert result.c138_floor == 14  # Bangladesh declared 14
    assert result.national == 14
    assert result.decided_by == "national_law"
    assert result.country == "BD"
    assert result.work == "general"
    assert result.confidence == "high"
    assert result.table_version == ages.table_version()


def test_china_national_law_above_floor() -> None:
    result = effective_minimum_age("CN")
    assert (result.age, result.decided_by, result.c138_floor) == (
        16,
        "national_law",
        15,
    )


def test_country_code_is_case_insensitive() -> None:
    assert effective_minimum_age(" cn ").country == "CN"
    assert effective_minimum_age("cn").age == 16


def test_unknown_country_gets_c138_floor() -> None:
    result = effective_minimum_age("ZZ")
    assert result.age == 15
    assert result.decided_by == "c138_floor"
    assert result.national is None
    assert result.confidence == "unknown"
    assert "C138" in result.source


def test_floor_beats_national_law_when_no_transitional_declaration() -> None:
    # Vietnam declared 15 on ratifying C138: a national age of 14 would be below the floor.
    result = effective_minimum_age("VN", overrides={"VN": {"general": 14}})
    assert (result.age, result.decided_by, result.national) == (15, "c138_floor", 14)


@pytest.mark.parametrize(
    ("country", "declared", "ratified", "age"),
    [("IN", 14, "2017-06-13", 14), ("VN", 15, "2003-06-24", 15)],
)
def test_declared_c138_ages_set_the_floor(
    country: str, declared: int, ratified: str, age: int
) -> None:
    # India declared 14 when it ratified C138 in 2017, Vietnam 15 in 2003 (NORMLEX).
    row = ages.country_entry(country)
    assert row is not None
    assert (row["c138_declared"], row["c138_ratified"]) == (declared, ratified)
    assert row["developing"] is (declared == 14)
    assert effective_minimum_age(country).c138_floor == declared
    assert effective_minimum_age(country).age == age


def test_every_row_names_its_primary_source_and_when_it_was_checked() -> None:
    from clr.model.ages import _table

    table = _table()
    for code, row in table["countries"].items():
        assert row["primary_source"] in row["source_keys"], code
        assert "NORMLEX-C138" in row["source_keys"], code
        assert isinstance(row["checked"], str) and len(row["checked"]) == 10, code
        assert row["developing"] is (row["c138_declared"] == 14), code


def test_buyer_code_above_national_law() -> None:
    result = effective_minimum_age("BD", buyer_code={"general": 16})
    assert (result.age, result.decided_by, result.buyer_code) == (16, "buyer_code", 16)
    assert result.national == 14


def test_buyer_code_tie_loses_to_national_law() -> None:
    result = effective_minimum_age("CN", buyer_code={"general": 16})
    assert result.decided_by == "national_law"


def test_buyer_code_for_other_work_is_ignored() -> None:
    result = effective_minimum_age("BD", buyer_code={"hazardous": 18})
    assert result.buyer_code is None
    assert result.age == 14


def test_buyer_code_on_unknown_country() -> None:
    result = effective_minimum_age("ZZ", buyer_code={"general": 16})
    assert (result.age, result.decided_by) == (16, "buyer_code")


def test_repository_override_replaces_national_value() -> None:
    result = effective_minimum_age("PK", overrides={"PK": {"general": 16}})
    assert (result.age, result.decided_by, result.national) == (
        16,
        "repository_override",
        16,
    )
    assert "clr.yaml" in result.source


def test_repository_override_can_lower_national_but_not_floor() -> None:
    result = effective_minimum_age("CN", overrides={"cn": {"general": 14}})
    assert result.national == 14
    assert (result.age, result.decided_by) == (15, "c138_floor")


def test_repository_override_for_other_country_or_work_is_ignored() -> None:
    assert effective_minimum_age("CN", overrides={"BD": {"general": 17}}).age == 16
    result = effective_minimum_age("CN", overrides={"CN": {"light": 14}})
    assert (result.age, result.decided_by) == (16, "national_law")


def test_repository_override_for_unknown_country() -> None:
    result = effective_minimum_age("ZZ", overrides={"ZZ": {"general": 16}})
    assert (result.age, result.decided_by, result.national) == (
        16,
        "repository_override",
        16,
    )
    assert result.confidence == "unknown"


def test_hazardous_is_18() -> None:
    for code in ["BD", "CN", "ZZ"]:
        result = effective_minimum_age(code, "hazardous")
        assert result.age == 18
        assert result.c138_floor == 18


def test_hazardous_floor_beats_low_national_value() -> None:
    result = effective_minimum_age("NP", "hazardous")
    assert (result.age, result.decided_by, result.national) == (18, "c138_floor", 17)


def test_light_work_uses_light_from() -> None:
    result = effective_minimum_age("UZ", "light")
    assert (result.age, result.decided_by, result.national) == (15, "national_law", 15)


def test_light_work_without_national_value_uses_floor() -> None:
    developing = effective_minimum_age("BD", "light")
    assert (developing.age, developing.decided_by, developing.national) == (
        12,
        "c138_floor",
        None,
    )
    other = effective_minimum_age("CN", "light")
    assert (other.age, other.decided_by) == (13, "c138_floor")


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"buyer_code": {"general": "16"}}, TypeError, "whole number"),
        ({"buyer_code": {"general": True}}, TypeError, "whole number"),
        ({"overrides": {"BD": {"general": 16.5}}}, TypeError, "whole number"),
        ({"buyer_code": {"general": 160}}, ValueError, "between"),
        ({"buyer_code": {"hazardus": 18}}, ValueError, "unknown kind of work"),
        ({"overrides": {"BD": {"genral": 16}}}, ValueError, "unknown kind of work"),
    ],
)
def test_bad_caller_values_are_refused(
    kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        effective_minimum_age("BD", **kwargs)


def test_bad_work_or_country_is_refused() -> None:
    with pytest.raises(ValueError, match="kind of work"):
        effective_minimum_age("BD", "night")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="empty"):
        effective_minimum_age("  ")


# --- explain ---------------------------------------------------------------


def test_explain_names_national_law_and_floor() -> None:
    text = effective_minimum_age("BD").explain()
    assert text.startswith("14 for general work in BD: national law (USDOL")
    assert "ILO C138 floor of 14" in text
    assert text.endswith(".")


def test_explain_names_buyer_code() -> None:
    text = effective_minimum_age("BD", buyer_code={"general": 16}).explain()
    assert text.startswith("16 for general work in BD: the buyer code")
    assert "above national law (14)" in text


def test_explain_names_override_and_floor() -> None:
    text = effective_minimum_age("TH", overrides={"TH": {"general": 16}}).explain()
    assert "repository override" in text
    assert "above the ILO C138 floor of 15" in text


def test_explain_for_unknown_country() -> None:
    text = effective_minimum_age("ZZ").explain()
    assert text.startswith("15 for general work in ZZ: the ILO C138 floor")
    assert "no national-law value" in text


# --- table accessors -------------------------------------------------------


def test_known_countries_and_entry() -> None:
    assert set(ages.known_countries()) == EXPECTED_COUNTRIES
    assert ages.known_countries() == sorted(ages.known_countries())
    entry = ages.country_entry("bd")
    assert entry is not None
    assert entry["name"] == "Bangladesh"
    assert ages.country_entry("ZZ") is None


def test_country_entry_is_a_copy() -> None:
    entry = ages.country_entry("BD")
    assert entry is not None
    entry["general"] = 99
    assert effective_minimum_age("BD").national == 14


def test_table_version_is_a_string() -> None:
    version = ages.table_version()
    assert isinstance(version, str)
    assert version == _table()["version"]


# --- the data file itself --------------------------------------------------


def test_every_row_is_complete_and_cites_defined_sources() -> None:
    table = _table()
    sources = table["sources"]
    for key, source in sources.items():
        assert isinstance(source["title"], str) and source["title"], key
        assert source["url"] is None or source["url"].startswith(("http://", "https://")), key
    assert set(table["c138"]["source_keys"]) <= set(sources)
    countries = table["countries"]
    assert set(countries) == EXPECTED_COUNTRIES
    for code, row in countries.items():
        assert set(row) >= REQUIRED_ROW_KEYS, f"{code} lacks {REQUIRED_ROW_KEYS - set(row)}"
        assert isinstance(row["source"], str) and row["source"], code
        assert row["source_keys"], f"{code} cites no source key"
        for source_key in row["source_keys"]:
            assert source_key in sources, f"{code} cites undefined source {source_key!r}"
        assert row["confidence"] in {"high", "medium", "low"}, code
        assert isinstance(row["as_of"], str), code
        assert isinstance(row["note"], str), code
        assert isinstance(row["developing"], bool), code


def test_country_codes_and_age_values() -> None:
    for code, row in _table()["countries"].items():
        assert isinstance(code, str) and re.fullmatch(r"[A-Z]{2}", code), code
        for field in ("general", "light_from", "hazardous", "c138_declared"):
            value = row[field]
            if field in ("light_from", "c138_declared") and value is None:
                continue
            assert type(value) is int, f"{code}.{field} = {value!r}"
            assert 12 <= value <= 18, f"{code}.{field} = {value}"


def test_developing_only_where_14_was_declared() -> None:
    for code, row in _table()["countries"].items():
        if row["developing"]:
            assert row["c138_declared"] == 14, code


def test_file_parses_the_same_where_only_true_false_are_booleans() -> None:
    strict = yaml.load(_raw_text(), Loader=_CoreBoolLoader)
    assert strict == _table()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                assert isinstance(key, str), f"non-string key {key!r}"
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(strict)
