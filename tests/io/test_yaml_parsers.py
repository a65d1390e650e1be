"""The fast YAML parser is used only where it reads exactly what the strict reader reads."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clr.io import yamlio

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples" / "cases").glob("*/case.yaml"))
DATA = [ROOT / "examples" / "clr.yaml", *sorted((ROOT / "playbooks").glob("*.yaml"))]
PIECES = [
    *":-[]{},#&*!'\"\n \t|>?%@`0123456789_.\\",
    "  ",
    "\n  ",
    ": ",
    "- ",
    "~",
    "null",
    "true",
    "0x",
    "1_0",
    ".inf",
    "<<",
    "&a ",
    "*a",
    "!!str ",
    "'s",
    " #",
    "[a, {b: c}]",
    "{a: [1, 2]}",
    '"[x]"',
]

pytestmark = pytest.mark.skipif(not yamlio.FAST_PARSER, reason="fast parser not installed")


def agree(text: str) -> None:
    fast = yamlio._fast(text)
    if fast is None:
        return
    strict = yamlio.parse_strict(text, "x")
    assert strict.findings == [], (text, strict.findings)
    assert strict.data == fast, text


def test_the_fast_parser_takes_the_example_cases_config_and_playbooks() -> None:
    # Apostrophes in words, comments after a flow collection, nested flow collections
    # and brackets inside quoted text are ordinary; none of them needs the strict reader.
    for path in [*EXAMPLES, *DATA]:
        text = path.read_text(encoding="utf-8")
        assert yamlio._fast(text) is not None, path
        agree(text)


@pytest.mark.parametrize(
    "text",
    [
        "k: {note: Father's phone, by: R. Ahmed}\n",
        "k: {}  # overrides: {BD: {general: 15}}\n",
        "k: {at: [3, 6], unit: months}\n",
        'k: "[PROP] not in the survey"\n',
        "k: [a#b, c]\n",
    ],
)
def test_ordinary_flow_and_quoted_text_take_the_fast_path(text: str) -> None:
    assert yamlio._fast(text) is not None
    agree(text)


@pytest.mark.parametrize(
    "text",
    [
        "k: ['quoted', b]\n",
        "k: {a: 'x'}\n",
        "k: [a #comment\n  , b]\n",
        "k: {a: [1, 2}\n",
        "k: [a, {b: c\n}]\n",
        "k: 'it''s' # {x\n",
    ],
)
def test_flow_forms_the_readers_may_differ_on_go_to_the_strict_reader(text: str) -> None:
    assert yamlio._fast(text) is None


@pytest.mark.slow  # thousands of mutations: about 10 s
def test_mutated_example_files_read_the_same_or_go_to_the_strict_reader() -> None:
    rng = random.Random(20261128)
    texts = [p.read_text(encoding="utf-8") for p in [*EXAMPLES, *DATA]]
    for _ in range(4000):
        text = rng.choice(texts)
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(text))
            if rng.random() < 0.4:
                text = text[:i] + text[i + 1 :]
            else:
                text = text[:i] + rng.choice(PIECES) + text[i:]
        agree(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("k: 0123\n", "0123"),
        ("k: 1_000\n", "1_000"),
        ("k: _72\n", "_72"),
        ("k: 0x1F\n", "0x1F"),
        ("k: .inf\n", ".inf"),
        ("k: NO\n", "NO"),
        ("k: 2026-03-02\n", "2026-03-02"),
        ("k: [?debt]\n", [{"debt": None}]),
        ("k: .5e3\n", ".5e3"),
        ("k: 1e1_0\n", "1e1_0"),
        ("k: [-.5E3, 0o17]\n", ["-.5E3", "0o17"]),
    ],
)
def test_forms_read_differently_by_the_two_parsers_follow_the_strict_reader(
    text: str, value: object
) -> None:
    assert yamlio.parse_text(text, "x").data == {"k": value}


NUMBER_CONTEXTS = [
    "k: {}\n",
    "- {}\n",
    "k: [a, {}]\n",
    "k: {{a: {}}}\n",
    'k: {{"a":{}}}\n',
    "k:\n  {}\n",
    "k: {} # c\n",
    "k: -{}\n",
    "k:   {}\r\n",
]


def test_every_short_number_like_word_reads_the_same_or_goes_to_the_strict_reader() -> None:
    # Every word of up to four characters made of digits, signs, dots, underscores and
    # the letters of exponents and of hex, octal and binary prefixes, in every place a
    # value can stand: the fast reader may take it only where both readers agree.
    import itertools

    checked = 0
    for size in range(1, 5):
        for chars in itertools.product("09_.ex-+", repeat=size):
            for context in NUMBER_CONTEXTS:
                text = context.format("".join(chars))
                if yamlio._fast(text) is not None:
                    agree(text)
                    checked += 1
    assert checked > 10_000  # the fast reader still takes most of them


def test_duplicate_keys_and_aliases_still_give_findings_through_parse_text() -> None:
    assert yamlio.parse_text("a: 1\na: 2\n", "x").findings[0].code == "CLR005"
    assert yamlio.parse_text("a: &x [1]\nb: *x\n", "x").findings[0].code == "CLR008"


scalars = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12),
    st.integers(-(10**6), 10**6),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
)
keys = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_-0123456789", min_size=1, max_size=8)
documents = st.dictionaries(
    keys,
    st.recursive(
        scalars,
        lambda c: st.lists(c, max_size=3) | st.dictionaries(keys, c, max_size=3),
        max_leaves=8,
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=300, deadline=None)
@given(documents, st.sampled_from([None, "'", '"']), st.booleans())
def test_random_documents_read_the_same(doc: dict, style: str | None, flow: bool) -> None:
    import yaml

    text = yaml.safe_dump(doc, default_style=style, default_flow_style=flow, allow_unicode=True)
    agree(text)


# The gate's shortcuts: each must answer exactly as the slower test it stands in for.

FLOW_KEYS = ["a", "b_c", "x-y", "done", "recorded_by"]
FLOW_VALUES = [
    "A. Kouassi",
    "Koné",
    "Father's",
    "true",
    "x y",
    "e",
    "NO",
    "a;b",
    "a/b (c)",
    "ß",
    "a~",
    "a=b",
    '"2025-10-28"',
    '"x, y"',
    '"it\'s"',
    '""',
    "0",
    "15000",
    "2025-10-14",
    "0123",
    "1_0",
    "-1",
    ".5",
    "1e5",
]
FLOW_NOISE = [*":-[]{},#&*!'\"\\ ?@|>%`\t", "\u00a0", "\u2028", "é", "１", "٣", " #", ": "]


@st.composite
def flow_lines(draw: st.DrawFn) -> str:
    values = st.sampled_from(FLOW_VALUES)
    if draw(st.booleans()):
        pairs = draw(st.lists(st.tuples(st.sampled_from(FLOW_KEYS), values), min_size=1))
        body = "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"
    else:
        body = "[" + ", ".join(draw(st.lists(values, min_size=1))) + "]"
    line = draw(st.sampled_from(["", "  ", "- ", "  - "]))
    line += draw(st.sampled_from(["", "k: ", "x-k: "])) + body + draw(st.sampled_from(["", " "]))
    for _ in range(draw(st.integers(0, 2))):
        at = draw(st.integers(0, len(line)))
        line = line[:at] + draw(st.sampled_from(FLOW_NOISE)) + line[at:]
    return line


@settings(max_examples=500, deadline=None)
@given(flow_lines())
def test_a_line_the_flow_shortcut_takes_is_never_odd(line: str) -> None:
    if yamlio._plain_flow_line().fullmatch(line):
        assert not yamlio._odd_flow(line), line


def test_the_usual_flow_lines_of_case_files_take_the_shortcut() -> None:
    for line in [
        "  cost: {amount: 15000, currency: XOF}",
        '    services: {given: true, date: "2025-10-28", how: thumbprint, recorded_by: A. Koné}',
        "  plan-sign: {done: 2025-11-18, by: F. Koné}",
        "  - [machete, heavy loads]",
    ]:
        assert yamlio._plain_flow_line().fullmatch(line), line
    for line in ["k: {a: 0123}", "k: {a: 'x'}", "k: [a #c, b]", "k: {a: [1]}", "k: {a: b\\c}"]:
        assert not yamlio._plain_flow_line().fullmatch(line), line


@settings(max_examples=800, deadline=None)
@given(st.text(alphabet="&*!a \n\t\r\x0b\x1c[]{},:\u00a0\u2028", max_size=10))
def test_the_anchor_search_answers_as_its_regular_expression(text: str) -> None:
    assert yamlio._has_anchor_or_tag(text) == bool(yamlio._ANCHOR_OR_TAG.search(text))


@settings(max_examples=800, deadline=None)
@given(st.text(alphabet="0159._eEaxX-+ \n\t\r", max_size=8))
def test_the_underscore_search_finds_the_class_forms_with_an_underscore(text: str) -> None:
    raw = text.encode()
    classes = b" " + raw.translate(yamlio._COARSE_CLASSES)
    by_class = any(form in classes for form in yamlio._COARSE_FORMS if b"_" in form)
    found = (
        bool(yamlio._UNDERSCORE_FORMS.search(raw))
        or raw[:1] == b"_"
        or raw[:2]
        in (
            b"-_",
            b"+_",
        )
    )
    assert found == by_class, text
    assert set(yamlio._LEADING_FORMS) == {f for f in yamlio._COARSE_FORMS if b"_" not in f}
