"""Property tests: reading never crashes, edits read back as meant, advance is all or nothing.

* Any JSON-like document, dumped to YAML in any style, and any jumble of YAML tokens: the
  reader returns data or findings and never raises; the fast and the strict reader agree.
* A valid case with comment lines added, and random ``set`` and ``append`` edits: the
  result reads back as exactly the data meant (``Document.expected``), every comment
  survives, and every line the edits did not target is still there, in order.
* ``advance`` on a random valid case: either it writes a case that ``clr validate``
  accepts (warnings allowed), or it raises a clr error and leaves the file byte for byte.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from reliability_support import CASE_ID, make_repo

from clr.cases import caseops
from clr.checks.validate import check_case_file
from clr.errors import ClrError
from clr.io import edit, splice, yamlio
from clr.model import stages
from clr.repo.context import repository_context

SCALE = float(os.environ.get("CLR_HYPOTHESIS_SCALE", "1"))
"""Multiplies every max_examples (e.g. 20 for a long search before a release)."""


def examples(n: int) -> int:
    """``n`` examples, scaled by $CLR_HYPOTHESIS_SCALE."""
    return max(1, int(n * SCALE))


SETTINGS = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --- strategies ----------------------------------------------------------------------------

# Printable text on one line: the generator inserts comment lines between lines, which is
# only safe if no value spans lines. Line and paragraph separators are excluded for that.
_CHARS = st.characters(
    blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\ufeff\x85"
)
TEXT = st.text(_CHARS, min_size=1, max_size=16)
WORDS = st.from_regex(r"[A-Za-z][A-Za-z0-9 .,'-]{0,15}[A-Za-z0-9]", fullmatch=True)
KEY = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)
SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=32).filter(lambda f: f == f),
    TEXT,
    st.sampled_from(["yes", "no", "on", "off", "~", "null", "0123", "1:30", "2026-03-02", ""]),
)
JSONISH = st.recursive(
    SCALAR,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.one_of(KEY, TEXT), inner, max_size=4)
    ),
    max_leaves=20,
)

_TOKENS = [
    "a", "b", "k", ":", ": ", "- ", "-", "[", "]", "{", "}", ",", "?", "#", " # c", "&x ",
    "*x", "<<", "<<: *x", "!!str ", "!!binary ", "!tag ", "|", ">", "'", '"', "\\", "\n",
    "\n  ", "\n    ", "\t", "---", "...", "%YAML 1.1", "%TAG ! tag:x,2000:", "@", "`", "%",
    "\ufeff", "\r\n", "\r", "\x00", "\x85", "\u2028", "é", "🙂", "0x1F", "1e999", "-.inf",
    ".nan", "true", "NO", "~", "null", "2026-03-02", "12:30:00", "0o17", "1_000",
]  # fmt: skip
# '!!int' and '!!float' on text are left out: they crash the strict reader, which the
# corpus pins down with strict xfails (int-tag-on-text.yaml).
YAMLISH = st.lists(st.sampled_from(_TOKENS), max_size=40).map("".join)


@st.composite
def yaml_dumps(draw: st.DrawFn, data: Any) -> str:
    """``data`` dumped by PyYAML in a random style."""
    return yaml.safe_dump(
        data,
        default_flow_style=draw(st.sampled_from([False, None, True])),
        allow_unicode=draw(st.booleans()),
        indent=draw(st.sampled_from([2, 4])),
        width=draw(st.sampled_from([20, 80, 10**6])),
        sort_keys=draw(st.booleans()),
    )


# --- reading never crashes -------------------------------------------------------------


@settings(SETTINGS, max_examples=examples(120))
@given(data=st.data(), doc=JSONISH)
def test_reading_any_dumped_document_never_raises(data: st.DataObject, doc: Any) -> None:
    text = data.draw(yaml_dumps(doc))
    loaded = yamlio.parse_text(text, "case.yaml")
    assert loaded.data is None or isinstance(loaded.data, dict)
    if loaded.data is None:
        assert loaded.findings
    raw = data.draw(st.sampled_from([b"", b"\xef\xbb\xbf"])) + text.encode("utf-8")
    yamlio.parse_bytes(raw.replace(b"\n", b"\r\n"), "case.yaml")


@settings(SETTINGS, max_examples=examples(250))
@given(text=st.one_of(YAMLISH, st.text(max_size=60)))
def test_reading_any_text_never_raises(text: str) -> None:
    loaded = yamlio.parse_text(text, "case.yaml")
    assert loaded.data is None or isinstance(loaded.data, dict)
    for finding in loaded.findings:
        assert finding.line >= 0 and finding.col >= 0 and finding.message
    yamlio.parse_bytes(text.encode("utf-8", "surrogatepass"), "case.yaml")


@pytest.mark.skipif(not hasattr(yamlio, "parse_strict"), reason="clr has one YAML reader")
@settings(SETTINGS, max_examples=examples(200))
@given(data=st.data(), doc=st.dictionaries(KEY, JSONISH, min_size=1, max_size=5))
def test_fast_and_strict_readers_return_the_same_data(data: st.DataObject, doc: Any) -> None:
    text = data.draw(st.one_of(yaml_dumps(doc), YAMLISH.map(lambda t: "k: " + t)))
    fast = yamlio.parse_text(text, "case.yaml")
    strict = yamlio.parse_strict(text, "case.yaml")
    assert fast.data == strict.data, text
    assert bool(fast.findings) == bool(strict.findings), text


@pytest.mark.skipif(not hasattr(yamlio, "parse_strict"), reason="clr has one YAML reader")
@pytest.mark.parametrize("text", ["k: |\n", "k: >\n", "k: |\n  \n", "k: |-", "? |\n\n"])
def test_fast_and_strict_readers_agree_on_empty_block_scalars(text: str) -> None:
    # The fast reader (yaml_rs) reads 'k: |' as {'k': '\n'}, libyaml as {'k': ''}: such
    # files go to the strict reader.
    fast = yamlio.parse_text(text, "case.yaml")
    strict = yamlio.parse_strict(text, "case.yaml")
    assert fast.data == strict.data


@pytest.mark.skipif(not hasattr(yamlio, "parse_strict"), reason="clr has one YAML reader")
@pytest.mark.parametrize(
    "text",
    ["k: \u2028\n", "k: a\u2029b\n", "k: x\n\u2028: y\n"],
    ids=["lone-line-separator", "paragraph-separator-in-value", "line-separator-as-key"],
)
def test_fast_and_strict_readers_agree_on_unicode_line_separators(text: str) -> None:
    fast = yamlio.parse_text(text, "case.yaml")
    strict = yamlio.parse_strict(text, "case.yaml")
    assert (fast.data, bool(fast.findings)) == (strict.data, bool(strict.findings))


# --- valid cases ------------------------------------------------------------------------

DATES = st.dates(dt.date(2026, 3, 2), dt.date(2026, 5, 31)).map(dt.date.isoformat)


@st.composite
def valid_cases(draw: st.DrawFn) -> dict[str, Any]:
    """A valid case in stage reported: the minimal case plus optional fields."""
    case: dict[str, Any] = {
        "schema_version": 1,
        "id": CASE_ID,
        "playbook": "child-labour",
        "track": draw(st.sampled_from(["underage", "young-worker"])),
        "stage": "reported",
        "opened": "2026-03-02",
        "site": {"name": draw(WORDS), "country": draw(st.sampled_from(["BD", "CI", "IN"]))},
        "child": {
            "pseudonym": draw(WORDS),
            "sex": draw(st.sampled_from(["female", "male", "other", "undisclosed"])),
        },
        "discovery": {"date": "2026-03-02", "channel": "audit"},
        "history": [
            {"at": "2026-03-02T09:10:00Z", "from": None, "to": "reported", "by": draw(WORDS)}
        ],
    }
    optional = {
        ("site", "supplier_id"): WORDS,
        ("site", "sector"): st.sampled_from(["garments", "cocoa", "footwear"]),
        ("site", "buyer"): WORDS,
        ("site", "region"): TEXT,
        ("child", "estimated_age"): st.integers(8, 13),
        ("child", "age_basis"): st.sampled_from(["school_record", "appearance"]),
        ("discovery", "work"): TEXT,
        ("discovery", "hazards"): st.lists(WORDS, min_size=1, max_size=3),
        ("discovery", "hours_per_week"): st.integers(1, 60),
        ("discovery", "night_work"): st.booleans(),
        ("notes",): TEXT,
        ("x-custom",): JSONISH,
        ("visits",): st.lists(
            st.fixed_dictionaries(
                {
                    "date": DATES,
                    "method": st.sampled_from(["phone", "household"]),
                    "working": st.booleans(),
                },
                optional={"notes": TEXT, "in_school": st.booleans()},
            ),
            min_size=1,
            max_size=3,
        ).map(lambda v: sorted(v, key=lambda x: x["date"])),
        ("payments",): st.lists(
            st.fixed_dictionaries(
                {
                    "date": DATES,
                    "amount": st.integers(0, 10**6),
                    "currency": st.sampled_from(["BDT", "XOF"]),
                    "payer": st.sampled_from(["supplier", "buyer"]),
                    "purpose": st.sampled_from(["stipend", "school_fees"]),
                }
            ),
            min_size=1,
            max_size=3,
        ).map(lambda v: sorted(v, key=lambda x: x["date"])),
        ("checklist",): st.just({"report-triage": {"done": "2026-03-02", "by": "caseworker"}}),
    }
    for path, strategy in optional.items():
        if draw(st.booleans()):
            parent = case
            for key in path[:-1]:
                parent = parent[key]
            parent[path[-1]] = draw(strategy)
    return case


def _comment(draw: st.DrawFn, n: int) -> str:
    return f"# note {n}: " + draw(st.text(_CHARS, max_size=12))


@st.composite
def commented_texts(draw: st.DrawFn, case: dict[str, Any]) -> tuple[str, list[str]]:
    """The case as block YAML with comment lines and inline comments added at random."""
    text = yaml.safe_dump(
        case,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=10**6,
        indent=draw(st.sampled_from([2, 4])),
    )
    out: list[str] = []
    comments: list[str] = []
    for line in text.splitlines():
        if draw(st.integers(0, 3)) == 0:
            comment = _comment(draw, len(comments))
            indent = " " * (len(line) - len(line.lstrip()))
            comments.append(comment)
            out.append(indent + comment)
        if draw(st.integers(0, 4)) == 0 and not line.rstrip().endswith("|"):
            comment = _comment(draw, len(comments))
            comments.append(comment)
            line = f"{line}  {comment}"
        out.append(line)
    if draw(st.booleans()):
        comments.append(_comment(draw, len(comments)))
        out.append(comments[-1])
    return "\n".join(out) + "\n", comments


def _scalar_paths(node: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Paths (mapping keys only) to scalar values."""
    if not isinstance(node, dict):
        return []
    out = []
    for key, value in node.items():
        if isinstance(value, dict):
            out += _scalar_paths(value, (*prefix, key))
        elif not isinstance(value, list):
            out.append((*prefix, key))
    return out


def _mapping_paths(node: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = [prefix]
    for key, value in node.items():
        if isinstance(value, dict) and value:
            out += _mapping_paths(value, (*prefix, key))
    return out


def _list_paths(node: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = []
    for key, value in node.items():
        if isinstance(value, dict):
            out += _list_paths(value, (*prefix, key))
        elif isinstance(value, list) and value:
            out.append((*prefix, key))
    return out


VALUE = st.one_of(
    SCALAR,
    st.dictionaries(KEY, SCALAR, min_size=1, max_size=3),
    st.lists(SCALAR, min_size=1, max_size=3),
)


@st.composite
def edits(draw: st.DrawFn, case: dict[str, Any]) -> list[tuple[str, tuple[str, ...], Any]]:
    """Random set/append operations that replace no list or mapping (so no comment may go)."""
    ops: list[tuple[str, tuple[str, ...], Any]] = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["set-scalar", "set-new", "append", "append-new"]))
        scalars, lists = _scalar_paths(case), _list_paths(case)
        if kind == "set-scalar" and scalars:
            ops.append(("set", draw(st.sampled_from(scalars)), draw(SCALAR)))
        elif kind == "append" and lists:
            ops.append(("append", draw(st.sampled_from(lists)), draw(VALUE)))
        else:
            parent = draw(st.sampled_from(_mapping_paths(case)))
            depth = draw(st.integers(1, 2))
            path = (*parent, *(f"x-new{len(ops)}-{i}" for i in range(depth)))
            if kind == "append-new":
                ops.append(("append", path, draw(VALUE)))
            else:
                ops.append(("set", path, draw(VALUE)))
        _apply(case, ops[-1])
    return ops


def _apply(case: dict[str, Any], op: tuple[str, tuple[str, ...], Any]) -> None:
    kind, path, value = op
    parent = case
    for key in path[:-1]:
        parent = parent.setdefault(key, {})
    if kind == "set":
        parent[path[-1]] = json.loads(json.dumps(value))
    else:
        parent.setdefault(path[-1], []).append(json.loads(json.dumps(value)))


def _target_lines(text: str, ops: list[tuple[str, tuple[str, ...], Any]]) -> set[int]:
    """0-based lines holding a scalar that a ``set`` replaces."""
    root = yaml.compose(text, Loader=yaml.CSafeLoader)
    lines = set()
    for kind, path, _ in ops:
        if kind != "set":
            continue
        node = root
        for key in path:
            found = None
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if key_node.value == key:
                        found = value_node
            node = found
            if node is None:
                break
        if node is not None:
            lines.add(node.start_mark.line)
    return lines


def _is_subsequence(needles: list[str], haystack: list[str]) -> str | None:
    """None if ``needles`` occur in ``haystack`` in order, else the first one missing."""
    position = 0
    for needle in needles:
        try:
            position = haystack.index(needle, position) + 1
        except ValueError:
            return needle
    return None


# --- write, then read ------------------------------------------------------------------


@settings(SETTINGS, max_examples=examples(80))
@given(data=st.data(), case=valid_cases())
def test_edits_read_back_as_meant_and_keep_comments_and_other_lines(
    data: st.DataObject, case: dict[str, Any]
) -> None:
    text, comments = data.draw(commented_texts(case))
    loaded = yamlio.parse_text(text, "case.yaml")
    # The generator's own check: comments changed nothing, and PyYAML wrote no key that clr
    # reads as a number (PyYAML leaves e.g. 0E0 unquoted).
    assume(loaded.data == case and not loaded.findings)
    event("with comments" if comments else "without comments")
    ops = data.draw(edits(json.loads(json.dumps(case))))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "case.yaml"
        path.write_text(text, encoding="utf-8")
        doc = edit.open_document(path)
        for kind, op_path, value in ops:
            getattr(doc, kind)(op_path, value)
        new_text = doc.render()
        try:
            spliced = splice.apply_text_edits(text, doc.ops) == new_text
        except Exception:
            spliced = False
        event("spliced in place" if spliced else "made by ruamel.yaml")
        edit.write_atomic(path, new_text, expected_digest=doc.digest)
        written = path.read_text(encoding="utf-8")
        assert sorted(p.name for p in Path(folder).iterdir()) == ["case.yaml"]
    assert written == new_text
    again = yamlio.parse_text(written, "case.yaml")
    assert again.data == doc.expected(), f"ops {ops}\n--- before\n{text}\n--- after\n{written}"
    assert not [f for f in again.findings if f.severity == "error"]
    lost = [c for c in comments if c not in written]
    assert not lost, f"comments lost: {lost}\nops {ops}\n--- before\n{text}\n--- after\n{written}"
    targets = _target_lines(text, ops)
    kept = [line for i, line in enumerate(text.splitlines()) if i not in targets]
    missing = _is_subsequence(kept, written.splitlines())
    assert missing is None, (
        f"line changed or moved: {missing!r}\nops {ops}\n--- before\n{text}\n--- after\n{written}"
    )


# --- advance: all or nothing -------------------------------------------------------------


@st.composite
def advance_cases(draw: st.DrawFn) -> dict[str, Any]:
    """A valid case, sometimes holding everything the next stage needs."""
    case = draw(valid_cases())
    if draw(st.integers(0, 3)):
        case["site"].update(supplier_id="SUP-1", sector="garments")
        case["child"]["estimated_age"] = 12
        case["discovery"]["work"] = "sewing"
        case["checklist"] = {"report-triage": {"done": "2026-03-02", "by": "caseworker"}}
    return case


@st.composite
def moves(draw: st.DrawFn) -> tuple[str | None, str | None, str | None, str | None]:
    """(target, reason, approved_by, note): mostly plain moves and closures, some nonsense."""
    note = draw(st.one_of(st.none(), TEXT))
    kind = draw(st.sampled_from(["next", "next", "close", "any"]))
    if kind == "next":
        return None, None, None, note
    if kind == "close":
        return "closed", draw(st.sampled_from(stages.CLOSURE_REASONS)), draw(WORDS), note
    return (
        draw(st.one_of(st.none(), st.sampled_from([*stages.STAGES, "nowhere"]))),
        draw(st.one_of(st.none(), st.sampled_from([*stages.CLOSURE_REASONS, "bogus"]))),
        draw(st.one_of(st.none(), WORDS)),
        note,
    )


@settings(SETTINGS, max_examples=examples(50))
@given(
    case=advance_cases(),
    data=st.data(),
    move=moves(),
    as_of=st.dates(dt.date(2026, 3, 2), dt.date(2027, 3, 1)),
)
def test_advance_writes_a_valid_case_or_nothing(
    case: dict[str, Any],
    data: st.DataObject,
    move: tuple[str | None, str | None, str | None, str | None],
    as_of: dt.date,
) -> None:
    target, reason, approved_by, note = move
    text, _ = data.draw(commented_texts(case))
    with tempfile.TemporaryDirectory() as folder:
        root = make_repo(Path(folder) / "repo", text)
        path = root / "cases" / CASE_ID / "case.yaml"
        ctx, _ = repository_context(root, as_of)
        before_report = check_case_file(path, ctx)
        assume(before_report.errors == 0)
        before = path.read_bytes()
        try:
            session = caseops.open_case(str(path), today=as_of)
            caseops.advance(
                session,
                target=target,
                by="tester",
                note=note,
                today=as_of,
                reason=reason,
                approved_by=approved_by,
            )
        except ClrError as exc:
            assert path.read_bytes() == before
            event(f"refused: {type(exc).__name__}")
            moved = False
        else:
            moved = True
        after = path.read_bytes()
        leftovers = [p.name for p in path.parent.iterdir() if p.name != "case.yaml"]
        assert not leftovers
        if not moved:
            return
        event("moved")
        assert after != before
        report = check_case_file(path, repository_context(root, as_of)[0])
        errors = [f"{f.code} {f.message}" for f in report.findings if f.severity == "error"]
        assert not errors, f"advance wrote an invalid case: {errors}\n{after.decode()}"
        new = yamlio.parse_bytes(after, "case.yaml").data
        assert new is not None
        old = yamlio.parse_bytes(before, "case.yaml").data
        assert old is not None
        assert new["history"][:-1] == old["history"]
        assert new["history"][-1]["to"] == new["stage"] != old["stage"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", new["history"][-1]["at"])


TOP_EDITS = [
    [("set", ("stage",), "identified")],
    [("set", ("track",), "young_worker"), ("set", ("stage",), "closed")],
    [("append", ("history",), {"at": "2026-11-20", "from": "a", "to": "b", "by": "R. Ahmed"})],
    [("append", ("visits",), {"date": "2026-11-20", "by": "a staff member", "note": "ok"})],
]


@pytest.mark.parametrize("ops", TOP_EDITS, ids=["stage", "two-sets", "history", "visits"])
def test_top_level_edits_without_a_parser_write_what_the_parser_splicer_writes(
    ops: list[tuple[str, tuple[str, ...], Any]],
) -> None:
    took = 0
    for path in sorted((Path(__file__).parents[2] / "examples" / "cases").glob("*/case.yaml")):
        plain = path.read_text(encoding="utf-8")
        # As written, with Windows line ends, and without a newline at the end.
        for text in (plain, plain.replace("\n", "\r\n"), plain.rstrip("\n")):
            try:
                quick = splice.apply_top_edits(text, ops)
            except splice.CannotSplice:
                continue
            took += 1
            assert quick == splice.apply_text_edits(text, ops), path
    assert took >= 9
