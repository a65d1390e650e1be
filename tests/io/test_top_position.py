"""A finding on a top-level key is placed by reading the events only as far as that key.

``_libyaml.top_position`` must give exactly what composing the whole file gives
(``_libyaml.position``) wherever it answers: on every valid example case and on texts that
could mislead a reader of events (the key inside a nested mapping or a block scalar or a
multi-line quoted value, a flow root, a complex key, an alias or an anchor, non-ASCII text
before the key, comments and a document marker). Where it cannot be sure (a missing key, an
alias value, a root that is not a mapping) it answers None, and the whole file is composed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from clr.io import _libyaml, yamlio

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "cases"

TRICKY = [
    "a: &x {b: 1}\nstage: *x\n",
    "stage: &s reported\nother: *s\n",
    '# a comment\n---\nnote: "multi\n  stage: fake"\nstage: x\n',
    "é: ü\nnote: 'ça'\nstage: 'é'\n",
    "{stage: x, a: 1}\n",
    "{a: {stage: 1}, stage: 2}\n",
    "a:\n  stage: inner\nstage: outer\n",
    "a: [1, {stage: 2}, [stage]]\nstage: 3\n",
    "? [stage]\n: complex\nstage: plain\n",
    "? [a]\n: stage\nb: 1\n",  # a collection as a key: the scalar after it is a value
    "? {x: 1}\n: v\nstage: s\n",
    "a: |\n  stage: no\nstage: yes\n",
    "a: >-\n  stage: no\n  more\nstage:   yes   # why\n",
    "stage:\n",
    "stage:\n  - x\n",
    "'stage': quoted\n",
    "- a\n- b\n",
    "just text\n",
]


def _same(text: str, name: str) -> int:
    root = _libyaml.compose(text)
    answered = 0
    for key in (False, True):
        fast = _libyaml.top_position(text, name, key=key)
        if fast is not None:
            assert fast == _libyaml.position(root, "/" + name, key=key), (text, name, key)
            answered += 1
    return answered


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_texts_place_a_top_level_key_as_composing_does(text: str) -> None:
    for name in ("stage", "a", "note", "é", "missing"):
        _same(text, name)


def test_every_example_case_places_its_top_level_keys_as_composing_does() -> None:
    answered = 0
    for path in sorted(EXAMPLES.glob("*/case.yaml")):
        text = path.read_text(encoding="utf-8")
        data = yamlio.parse_bytes(path.read_bytes(), str(path)).data
        assert isinstance(data, dict)
        for name in [*data, "missing"]:
            answered += _same(text, str(name))
    assert answered > 100  # the fast path did answer, not only fall back


def test_it_declines_where_only_the_whole_tree_can_answer() -> None:
    assert _libyaml.top_position("a: 1\n", "stage") is None  # missing
    assert _libyaml.top_position("a: &x 1\nstage: *x\n", "stage") is None  # an alias
    assert _libyaml.top_position("- stage\n", "stage") is None  # not a mapping
    assert _libyaml.top_position("stage: [unclosed\n", "other") is None  # broken before


def test_a_loaded_file_places_an_overdue_finding_at_its_stage_line() -> None:
    text = "# comment\nid: CLR-2026-ABCDE\nnotes: |\n  stage: not this\nstage: monitoring\n"
    loaded = yamlio.parse_bytes(text.encode(), "case.yaml")
    assert loaded.locate("/stage") == (5, 8)
    assert loaded.locate("/stage", key=True) == (5, 1)
    assert loaded.locate("/notes/0") == (3, 1)  # deeper: composed, at the parent key
