"""The two YAML readers agree on generated documents (quick here, long when marked slow)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml_fuzz

from clr.io import cache, yamlio

pytestmark = pytest.mark.skipif(not yamlio.FAST_PARSER, reason="fast parser not installed")


def test_quick_round_of_generated_documents_reads_the_same() -> None:
    count, found, fast = yaml_fuzz.run(seed=20260302, count=3000)
    assert fast > count // 10  # the fast reader is tried, not bypassed
    assert not found, "\n".join(f"{p.text!r}: {p.fast!r} != {p.strict!r}" for p in found[:5])


@pytest.mark.slow
def test_long_round_of_generated_documents_reads_the_same() -> None:
    count, found, _ = yaml_fuzz.run(seed=7, count=100_000)
    assert not found, f"{len(found)}/{count}: " + repr(found[0].text)


@pytest.mark.parametrize("indicator", yaml_fuzz.INDICATORS)
@pytest.mark.parametrize("end", ["", " ", "\n ", "  \n  "])
@pytest.mark.parametrize("line_end", yaml_fuzz.LINE_ENDS)
def test_block_scalar_last_in_a_file_without_a_final_line_break(
    indicator: str, end: str, line_end: str
) -> None:
    text = f"a: b{line_end}note: {indicator}{line_end}   x{line_end}   y{end}"
    text = text.replace("\n", line_end)
    assert yamlio.parse_text(text, "f").data == yamlio.parse_strict(text, "f").data


def test_the_readers_are_part_of_the_cache_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert yamlio.reader_key().startswith("yaml-rs ")  # name and version
    (tmp_path / "clr.yaml").write_text("schema_version: 1\n", encoding="utf-8")
    before = cache.context_key(tmp_path, [], "2026-03-02", "validate")
    monkeypatch.setattr(yamlio, "reader_key", lambda: "yaml-rs 9.9.9; libyaml")
    assert cache.context_key(tmp_path, [], "2026-03-02", "validate") != before


@pytest.mark.parametrize(
    "text",
    [
        'a:\n- ["x\\"", 1_000, "-\\""]\n',  # found by the long round: an escaped quote hid 1_000
        'a: ["\\"", 0123]\n',
        'a: {k: "\\\\", n: 1_0}\n',
    ],
)
def test_flow_collections_with_escaped_quotes_read_the_same(text: str) -> None:
    assert yamlio.parse_text(text, "f").data == yamlio.parse_strict(text, "f").data
