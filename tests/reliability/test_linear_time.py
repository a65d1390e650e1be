"""Every pattern the personal-data lint runs over free text takes time linear in the text.

A note is free text of any length. A regular expression that rescans a long run of
characters from every position of it takes quadratic time: 100 KB of ``a.a.a.…@`` once
held ``clr validate`` for 19 seconds. For each pattern, inputs built to be its worst case
(long runs of what nearly matches, that then fail) are run at sizes n, 2n and 4n: the time
must about double with the size (a quadratic pattern quadruples it).

Time is CPU time of this process (the machine may be busy), each measurement repeats the
call until it takes long enough to be measured, and keeps the best of several rounds.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pytest

from clr.checks import privacy

# Near-miss building blocks, each repeated to the size wanted: characters of a pattern's
# classes, with what would complete a match left out.
NEAR_MISSES: dict[str, list[str]] = {
    "email": ["a.", "a", "x@a.", "a@a-", "a-", "@a.a", "a@"],
    "digits_run": ["1 ", "1-", "1)", "(1", "11", "1 1x", "1.", "00"],
    "phone_link": ["tel", "tel ", "wa.", "api.whatsapp.com/send"],
    "case_id": ["A", "AB-2026-", "A1", "A-2026-1", "AB-"],
    "uuid": ["a", "0", "a-", "12345678-", "12345678-1234-", "12345678-1234-1234-1234-12345"],
    "dateish": ["2026-1", "20", "12-12-", "1"],
    "date_token": ["2026-1", "20", "12-12-", "1"],
    "year": ["2", "20", "1"],
    "currency_after": [" ", "ABC", "A"],
    "currency_before": ["ABC ", " ", "A"],
    "amount": ["1", "1 000", "1,00"],
    "id_labelled": ["ID ", "ID: ", "nid ", "id is ", "passport no ", "ID 1 ", "1 ", "ID : : "],
    "id_shaped": ["A1", "AB", "1", "ABC-1"],
    "gps": [
        "1.1111 ",
        "1.1111",
        "1 ",
        "1°",
        "1° 1' ",
        "google.",
        "openstreetmap.org/",
        "///a",
        "///a.a",
        "2222",
        "1.1111 , ",
    ],
    "has_digit": ["a"],
    "interesting": ["1 ", "1-", "ma", "geo"],
    "five_digits": ["1 ", "1-", "11 ", "1(1"],
}

SIZE = 4_000  # characters: big enough for a quadratic pattern to show, small to stay fast
BIG = 32_000  # the slow variant: 4n = 128 KB, a long note
ROUNDS = 3
LINEAR = 3.0  # a linear pattern doubles (2.0); a quadratic one quadruples
SIZES = [
    pytest.param(SIZE, id="small"),
    pytest.param(BIG, id="big", marks=pytest.mark.slow),
]


def _cpu_time(call: Callable[[], object], loops: int) -> float:
    best = float("inf")
    for _ in range(ROUNDS):
        start = time.process_time()
        for _ in range(loops):
            call()
        best = min(best, time.process_time() - start)
    return best


def _loops_for(call: Callable[[], object], target: float) -> int:
    """How many calls take ``target`` seconds of CPU time (so that timer noise is small)."""
    loops = 1
    while loops < 100_000:
        start = time.process_time()
        for _ in range(loops):
            call()
        if time.process_time() - start >= target:
            return loops
        loops *= 4
    return loops


def growth(make: Callable[[int], Callable[[], object]], n: int) -> tuple[float, float]:
    """The ratios t(2n)/t(n) and t(4n)/t(2n); up to three tries if one looks too high."""
    ratios: list[tuple[float, float]] = []
    for _ in range(3):
        loops = _loops_for(make(n), 0.002 if n <= SIZE else 0.02)
        times = [_cpu_time(make(size), loops) for size in (n, 2 * n, 4 * n)]
        times = [max(t, 1e-6) for t in times]
        pair = (times[1] / times[0], times[2] / times[1])
        if max(pair) < LINEAR:
            return pair
        ratios.append(pair)
    return min(ratios, key=max)


def _text(unit: str, size: int, tail: str = "!") -> str:
    return unit * (size // len(unit)) + tail


def test_every_free_text_pattern_has_worst_cases_here() -> None:
    compiled = {name for name, value in vars(privacy).items() if isinstance(value, privacy._Lazy)}
    listed = {
        name
        for name, value in vars(privacy).items()
        if value in privacy.FREE_TEXT_PATTERNS.values()
    }
    assert compiled == listed, "a pattern is missing from privacy.FREE_TEXT_PATTERNS"
    assert set(privacy.FREE_TEXT_PATTERNS) == set(NEAR_MISSES)


def _cases() -> list[object]:
    """Each pattern's first worst case in the quick run; all of them, and big, when slow."""
    cases: list[object] = []
    for name, units in NEAR_MISSES.items():
        for i, unit in enumerate(units):
            quick = [] if i else [pytest.param(name, unit, SIZE, id=f"{name}-{unit}-small")]
            cases += quick
            cases.append(
                pytest.param(name, unit, BIG, id=f"{name}-{unit}-big", marks=pytest.mark.slow)
            )
    return cases


@pytest.mark.parametrize(("name", "unit", "n"), _cases())
def test_pattern_runs_in_linear_time(name: str, unit: str, n: int) -> None:
    pattern = privacy.FREE_TEXT_PATTERNS[name]

    def make(size: int) -> Callable[[], object]:
        text = _text(unit, size)
        return lambda: sum(1 for _ in pattern.finditer(text))

    ratios = growth(make, n)
    assert max(ratios) < LINEAR, f"{name} on {unit!r}: time grows by {ratios} as the text doubles"


SCAN_INPUTS = [
    ("a.", "@"),  # the note that held validate for 19 s
    ("x@a.", "!"),
    ("1 ", "x"),
    ("123456789; ", "!"),  # many digit runs: each one looked at the whole text before it
    ("01711555123 BDT ", "!"),
    ("tel:", "1"),
    ("EXR-2026-1234567 ", "!"),
    ("ID ", "1"),
    ("1.1111 ", "!"),
    ("0 1 7 ", "!"),
    ("＠a.", "!"),
    ("１ ", "!"),
]


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize(("unit", "tail"), SCAN_INPUTS)
def test_scanning_a_note_runs_in_linear_time(unit: str, tail: str, n: int) -> None:
    def make(size: int) -> Callable[[], object]:
        text = _text(unit, size, tail)
        return lambda: privacy.scan_text(text)

    ratios = growth(make, n)
    assert max(ratios) < LINEAR, f"scan_text on {unit!r}: time grows by {ratios}"


def test_names_run_in_linear_time() -> None:
    names = privacy._Names(
        {"name": "Amina Rahman", "guardian_name": "Rahima Begum", "id_document_number": "BR-20123"}
    )

    def make(size: int) -> Callable[[], object]:
        text = _text("Amina Rahma ", size)
        return lambda: names.found_in(text)

    ratios = growth(make, SIZE)
    assert max(ratios) < LINEAR, f"names: time grows by {ratios}"


def test_the_measure_sees_a_quadratic_pattern() -> None:
    """The test above can fail: the old e-mail pattern is caught by it."""
    old = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")

    def make(size: int) -> Callable[[], object]:
        text = _text("a.", size)
        return lambda: old.search(text)

    # One step of four times the size, best of several rounds each: a linear pattern takes
    # four times as long, a quadratic one sixteen; a busy machine blurs one doubling, not this.
    # Rounds alternate the two sizes, so that a slow spell of the machine hits both.
    small = large = float("inf")
    for _ in range(2):
        small = min(small, _cpu_time(make(SIZE), 1))
        large = min(large, _cpu_time(make(4 * SIZE), 1))
    assert large / max(small, 1e-6) > 8, (small, large)


@pytest.mark.parametrize("unit", ["\n", " \n", "\t\n", "language\n"])
def test_the_language_look_up_in_clr_yaml_is_linear(unit: str) -> None:
    """Every command reads clr.yaml for ``language:`` before it starts: blank lines must not
    make that search quadratic (``^\\s*`` once did: 40,000 blank lines took 28 s)."""
    from clr.cli._i18n import _LANGUAGE_KEY

    def make(size: int) -> Callable[[], object]:
        text = _text(unit, size, tail="x")
        return lambda: _LANGUAGE_KEY.search(text)

    ratios = growth(make, SIZE)
    assert max(ratios) < LINEAR, f"language key: time grows by {ratios}"


@pytest.mark.parametrize(
    "template", ["{value} is not one of {choices}.", "{value} is not in the range {range}."]
)
def test_a_usage_error_is_read_back_in_linear_time(template: str) -> None:
    """A usage error holds what the user typed; reading its fields back to translate it took
    minutes over an argument repeating the template's own words."""
    from clr.cli._i18n import _template_fields

    words = template.split("}", 1)[1].split("{", 1)[0]

    def make(size: int) -> Callable[[], object]:
        text = _text(words, size, tail="")
        return lambda: _template_fields(template, text)

    ratios = growth(make, SIZE)
    assert max(ratios) < LINEAR, f"{template}: time grows by {ratios}"
