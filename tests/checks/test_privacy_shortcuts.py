"""The personal-data lint's shortcuts answer exactly as the searches they stand in for.

A case file is checked for personal data by one walk over its values that builds no paths
(``_nothing_to_say``), and the strings worth a full scan are found in one pass over all of
them as bytes (``_interesting``). Both must miss nothing that the full walk and the
regular expression find: these properties hold them to that, on values made of the very
characters the searches turn on (digits of other scripts, the no-break space, NULs, the
markers), keys of every kind, and the site's name.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from clr.checks import privacy

_CHARS = st.sampled_from(
    [*"0123456789", *" ().-/", "\u00a0", "\0", "٣", "３", "é", "x", "@", "+", "°", "＠", "m", "a"]
)
_WORDS = st.sampled_from(["maps", "geo:", "///", "openstreetmap", "+44 20 7946 0958", "2026-03-02"])
_TEXT = st.lists(st.one_of(_CHARS, _WORDS), max_size=30).map("".join)

_KEYS = st.sampled_from(
    ["notes", "summary", "date", "id", "name", "Phone", "x-email", "site", "visits", "sector"]
)


def _values(depth: int) -> st.SearchStrategy[Any]:
    leaf = st.one_of(_TEXT, st.integers(-5, 10**6), st.booleans(), st.none(), st.floats(0, 9))
    if depth == 0:
        return leaf
    inner = _values(depth - 1)
    return st.one_of(
        leaf,
        st.lists(inner, max_size=4),
        st.dictionaries(_KEYS, inner, max_size=4),
    )


_CASES = st.fixed_dictionaries(
    {"id": st.just("CLR-2026-ABCDE")},
    optional={
        "site": st.dictionaries(_KEYS, _values(1), max_size=4),
        "notes": _TEXT,
        "visits": st.lists(st.dictionaries(_KEYS, _values(2), max_size=4), max_size=3),
        "assessment": st.dictionaries(_KEYS, _values(2), max_size=4),
    },
)


def _search_each(strings: list[str]) -> list[int]:
    return [i for i, text in enumerate(strings) if privacy._INTERESTING.search(text)]


@settings(max_examples=200, deadline=None)
@given(st.lists(_TEXT, max_size=12))
def test_strings_worth_scanning_are_those_the_expression_matches(strings: list[str]) -> None:
    assert privacy._interesting(strings) == _search_each(strings)


def test_strings_worth_scanning_near_misses() -> None:
    cases = [
        ["1234", "12 34", "1234 5"],  # four digits; five with a space
        ["1 2 3 4 5", "1  2345", "12--345"],  # one separator at a time, not two
        ["١٢٣٤٥", "１２３４５", "1\u00a02345"],  # other digits, the no-break space
        ["ééééé", "2026", "a\0b", "12345"],  # letters as bytes; a NUL in a string
        ["x", "", "00000"],
    ]
    for strings in cases:
        assert privacy._interesting(strings) == _search_each(strings), strings


@settings(max_examples=200, deadline=None)
@given(_CASES)
def test_the_shortcut_never_hides_a_finding(data: dict[str, Any]) -> None:
    full = privacy._privacy_findings(data, "case.yaml", None)
    if privacy._nothing_to_say(data):
        assert full == []
    assert privacy.case_privacy_findings(data, "case.yaml") == full


def test_the_shortcut_on_the_site_name_and_shared_mappings() -> None:
    site = {"name": "Plot 7", "sector": "cocoa"}
    plain = {"id": "CLR-2026-ABCDE", "site": site}
    assert privacy._nothing_to_say(plain)
    assert privacy.case_privacy_findings(plain, "case.yaml") == []
    # The same mapping also under another key: its name there is an identity field.
    shared = {"id": "CLR-2026-ABCDE", "site": site, "visits": [site]}
    assert not privacy._nothing_to_say(shared)
    codes = [f.code for f in privacy.case_privacy_findings(shared, "case.yaml")]
    assert codes == ["CLR502"]
    named = {"id": "CLR-2026-ABCDE", "visits": [{"name": "A child"}]}
    assert [f.code for f in privacy.case_privacy_findings(named, "case.yaml")] == ["CLR502"]
    phone = {"id": "CLR-2026-ABCDE", "notes": "call 0244 123 456 7"}
    assert not privacy._nothing_to_say(phone)
