"""The JSON of ``clr status`` is written in one call of the encoder and made safe for a
terminal in one pass: each gives exactly what writing row by row and searching every
character gives."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from clr.render import safe, tables

TEXT = st.text(
    alphabet=st.sampled_from(
        [
            "}",
            ",",
            " ",
            "{",
            '"',
            "\\",
            "a",
            "\x7f",
            "\x01",
            "\u202e",
            "é",
            "\n",
            "\t",
            "\r",
            "\U000e0041",
        ]
    )
)
VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)
ROWS = st.lists(st.dictionaries(TEXT, VALUE, max_size=4), max_size=5)


def _one_by_one(rows: list[Any]) -> str:
    return ",\n".join("  " + json.dumps(row, ensure_ascii=False) for row in rows)


@settings(max_examples=100, deadline=None)
@given(ROWS)
def test_rows_in_one_call_are_the_rows_one_by_one(rows: list[dict[str, Any]]) -> None:
    assert tables._rows_json(rows) == _one_by_one(rows)


def test_rows_that_look_like_row_boundaries_inside_strings() -> None:
    rows = [{"id": 'a}, {"b', "x": ['}, {"id": 1}']}, {"id": "c", "y": [{"n": 1}, {"m": 2}]}, {}]
    assert tables._rows_json(rows) == _one_by_one(rows)
    assert tables._rows_json(rows[:2]) == _one_by_one(rows[:2])


@settings(max_examples=100, deadline=None)
@given(TEXT)
def test_json_text_escapes_as_the_search_of_every_character(text: str) -> None:
    unsafe = safe._pattern("unsafe")
    expected = unsafe.sub(safe._json_escape, text) if unsafe.search(text) else text
    assert safe.json_text(text) == expected
