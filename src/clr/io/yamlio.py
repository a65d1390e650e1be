"""The one YAML reader of clr: strict, fast, and able to say where each value is.

Reading uses libyaml (PyYAML's ``CSafeLoader``) with JSON-safe rules:

* dates and times stay text (``2026-03-02`` is the string ``"2026-03-02"``);
* only ``true`` and ``false`` are booleans: ``NO`` (Norway), ``no``, ``yes``, ``on``,
  ``off``, ``y`` and ``n`` stay text;
* numbers are decimal only: ``0123`` stays text (no octal), ``1:30`` stays text
  (no sexagesimal), ``.inf`` and ``.nan`` stay text (JSON has no such numbers);
* a duplicate key, a key that is not text, a list or mapping reused through an alias,
  an empty file, several documents, a top level that is not a mapping, tabs, bytes that
  are not UTF-8 and files over ``MAX_BYTES`` are findings with a line and column.

Line and column numbers of values are worked out only when asked for (``Loaded.locate``),
so the fast path for the many files without findings pays nothing for them.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from clr.i18n import N_
from clr.io import files
from clr.model.findings import Finding, finding, said
from clr.model.record import Record

if TYPE_CHECKING:
    from yaml.nodes import Node

MAX_BYTES = 2 * 1024 * 1024
"""Largest file clr reads. A case file with years of visits is well under 200 KB."""

_BOM = b"\xef\xbb\xbf"


class Loaded(Record):
    """A YAML file as read: its text, its data (a mapping, or None) and reading findings."""

    path: str
    text: str
    data: dict[str, Any] | None
    findings: list[Finding]
    _root: Node | None
    _composed: bool

    _not_shown: ClassVar[frozenset[str]] = frozenset(("_root", "_composed"))

    def __init__(
        self,
        path: str,
        text: str,
        data: dict[str, Any] | None,
        findings: list[Finding] | None = None,
        _root: Node | None = None,
        _composed: bool = False,
    ) -> None:
        self.path = path
        self.text = text
        self.data = data
        self.findings = findings if findings is not None else []
        self._root = _root
        self._composed = _composed

    @property
    def ok(self) -> bool:
        """True if the file parsed into a mapping (findings may still exist)."""
        return self.data is not None

    def locate(self, pointer: str, *, key: bool = False) -> tuple[int, int]:
        """Return the 1-based (line, column) of the value at a JSON pointer.

        Where the value is missing, the position of its nearest existing parent's key is
        returned; with ``key=True`` the position of the key itself rather than its value.
        """
        from clr.io import _libyaml

        if not self._composed:
            if pointer.count("/") == 1 and "~" not in pointer:
                found = _libyaml.top_position(self.text, pointer[1:], key=key)
                if found is not None:
                    return found
            self._composed = True
            self._root = _libyaml.compose(self.text)
        return _libyaml.position(self._root, pointer, key=key)


def _position(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    col = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    return line, col


def parse_bytes(raw: bytes, path: str) -> Loaded:
    """Parse the bytes of a YAML file; never raises for bad content."""
    if len(raw) > MAX_BYTES:
        return Loaded(
            path,
            "",
            None,
            [
                finding(
                    path,
                    0,
                    0,
                    "CLR009",
                    said(
                        N_("file is {size} MiB, over clr's limit of {limit} MiB"),
                        size=f"{len(raw) / 1048576:.1f}",
                        limit=MAX_BYTES // 1048576,
                    ),
                    said(N_("a case file is normally under 100 KB: split out attachments or logs")),
                )
            ],
        )
    if raw.startswith(_BOM):
        raw = raw[len(_BOM) :]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _position(raw, exc.start)
        return Loaded(
            path,
            "",
            None,
            [
                finding(
                    path,
                    line,
                    col,
                    "CLR002",
                    said(N_("byte {byte} is not valid UTF-8"), byte=f"0x{raw[exc.start]:02x}"),
                    said(N_("save the file as UTF-8 (most editors: 'Save with encoding')")),
                )
            ],
        )
    return parse_text(text, path)


_yaml_rs: Any
try:  # a Rust YAML parser, about 10x faster than libyaml here (benchmarks/README.md)
    import yaml_rs as _yaml_rs
except ImportError:  # pragma: no cover - optional: libyaml alone is correct, only slower
    _yaml_rs = None

FAST_PARSER = _yaml_rs is not None and os.environ.get("CLR_YAML_PARSER", "") != "libyaml"
"""Whether the fast parser is used for files it reads exactly as the strict reader does."""


@functools.cache
def reader_key() -> str:
    """The readers in use, by name and version: part of the result cache's key.

    The two readers could read a file differently after an upgrade; a result cached under
    one must not be trusted under the other. PyYAML is not imported for this (14 ms, and
    most runs never need it): its installed files' sizes and times stand for its version.
    """
    import importlib.util

    fast = f"yaml-rs {_yaml_rs.__version__}" if FAST_PARSER else "no fast reader"
    strict = "libyaml"
    spec = importlib.util.find_spec("yaml")  # finds, does not import
    if spec is not None and spec.origin:
        with contextlib.suppress(OSError):
            st = os.stat(spec.origin)  # noqa: PTH116
            strict += f" (PyYAML {spec.origin}:{st.st_size}:{st.st_mtime_ns})"
    return f"{fast}; {strict}"


# Anything the fast parser could read differently from the strict reader sends a file to
# the strict reader: a file without a final line break (a block scalar ending it reads
# "x\n" through one and "x" through the other; a file of CR line ends is one), tabs, merge
# keys, anchors, aliases and tags, number forms the two read differently (leading zeros,
# underscores, hex, octal, binary, .5e3), characters YAML does not allow, empty block
# scalars, and flow collections holding more than plain words or going on over lines.
# Differential tests (tests/io/test_yaml_parsers.py) hold the two readers to the same data
# on every file the fast one accepts, and every short number-like word to this check; a
# differential fuzzer (tests/io/yaml_fuzz.py) generates documents of every block scalar
# indicator, line end and file end.
#
# The check runs on every file, so it looks with C-speed string searches rather than a
# Python loop over lines: each byte is mapped to a class (digits, letters, boundaries...)
# and the forms above become short substrings of the class string.
_ANCHOR_OR_TAG = re.compile(r"(?:^|[\s\[{,])[&*!][^\s,\]}]", re.M)


@functools.cache
def _not_allowed() -> re.Pattern[str]:
    """Characters YAML does not allow, line and paragraph separators, a stray BOM.

    Compiled on first use (7 ms): only text that is not plain printable needs it.
    """
    return re.compile(
        r"[^\x09\x0A\x0D\x20-\x7E\xA0-\u2027\u202A-\uD7FF\uE000-\uFEFE\uFF00-\uFFFD"
        r"\U00010000-\U0010FFFF]"
    )


def _class_table(classes: dict[str, str]) -> bytes:
    table = bytearray(b"a" * 256)  # letters, most punctuation, bytes of UTF-8 sequences
    for byte in [*range(0x20), 0x7F]:
        table[byte] = 0  # control characters (tab, LF and CR are set below)
    for chars, cls in classes.items():
        for char in chars:
            table[ord(char)] = ord(cls)
    return bytes(table)


_WORD_CLASSES = {
    " \t\n\r": " ",  # where a word may start
    "123456789": "9",
    "eE": "e",  # exponents
    "-+": "-",
    "&*!": "&",  # anchors, aliases, tags
}
# For one word: the exact forms that the fast parser reads as a number and the strict
# reader as text (the exhaustive test in tests/io/test_yaml_parsers.py holds them to it).
_CLASSES = _class_table({**_WORD_CLASSES, "0": "Z", "xXoObB": "x", "_": "_", ".": "."})
_ODD_NUMBER_FORMS = (
    *(f" {sign}Z{c}".encode() for sign in ("", "-") for c in "9Z_x"),  # 0123, -007, 0x1F
    *(f" {sign}_".encode() for sign in ("", "-")),  # _72, +_1
    *(f"{c}_".encode() for c in "9Z."),  # 1_000, 1.5_0, 1e1_0
    *(f"{c}e{sign}_".encode() for c in "9Z." for sign in ("", "-")),  # 1e_5, 1.e-_5
    *(f" {sign}.{c}".encode() for sign in ("", "-") for c in "9Z"),  # .5e3
)
# For a whole file: fewer, coarser forms (0 and . are one class), each found one holding
# a word that is then looked at as above.
_COARSE_CLASSES = _class_table({**_WORD_CLASSES, "0.": "S", "_": "_"})
_COARSE_FORMS = (
    *(f" {sign}{c}".encode() for sign in ("", "-") for c in "S_"),
    *(f"{c}{e}_".encode() for c in "9S" for e in ("", "e", "e-")),
)
_LEADING_FORMS = (b" S", b" -S")
"""The forms of ``_COARSE_FORMS`` without an underscore, searched in the class string."""
_UNDERSCORE_FORMS = re.compile(
    rb"_(?:(?<=[0-9.]_)|(?<=[0-9.][eE]_)|(?<=[0-9.][eE][-+]_)|(?<=[ \t\n\r]_)|(?<=[ \t\n\r][-+]_))"
)
"""The forms of ``_COARSE_FORMS`` with an underscore, found in the bytes themselves.

Every byte search over the class string reads the whole file; one search for the
underscore, rare in values, looking back from each, costs about as much as two of them
instead of six (tests/io/test_yaml_parsers.py holds it to the six forms).
"""
_BLOCK_TAIL = re.compile(r"[-+0-9]*[^\S\n]*(?:#[^\n]*)?(?:\n|$)")
# A flow collection opens only after a space, the start of the line or another flow
# indicator: "[PROP] text" in quotes is not one. Inside it, plain words (an apostrophe
# within a word, a # not after a space) are fine; anything else goes to the strict reader.
_FLOW_OPEN = r"(?:^|(?<=[\s\[{,:]))[\[{]"
_FIRST_OPENER = re.compile(_FLOW_OPEN)
_ODD_FLOW = re.compile(
    _FLOW_OPEN + r"(?:\"[^\"\n]*\"|[^\"\n])*?"
    r"(?:[?>|!&*%@`]|\s#|(?<=[\[{,])\s*'|:\s*'|:(?! )|\"[^\"\n]*$)"
    r"|" + _FLOW_OPEN + r"(?:\"[^\"\n]*\"|[^\"\n\]}])*$"
)
_FLOW_KEY = r"[A-Za-z_][A-Za-z0-9_-]*"
_FLOW_VALUE = (
    r'(?:"[^"\\\n#\[\]{}]*"'  # quoted
    r"|[^\W\d_][^\x00-\x1f\x7f\"\\#:,\[\]{}?>|!&*%@`]*"  # words from a letter on
    r"|0|[1-9][0-9]{0,15}|[1-9][0-9]{3}-[0-9]{2}-[0-9]{2})"  # whole numbers, dates
)


@functools.cache
def _plain_flow_line() -> re.Pattern[str]:
    """A line of one flow collection of keys, words, whole numbers and quoted text.

    The usual form in case files (``cost: {amount: 15000, currency: XOF}``): nothing in
    it is odd to :func:`_odd_flow` (tests/io/test_yaml_parsers.py holds it to that), which
    is not run on it. Words start with a letter and hold no quote, backslash, ``#``, colon,
    comma, bracket, indicator (``? > | ! & * % @`` and the backtick) or control character;
    quoted text no backslash, bracket or ``#``. Compiled on first use (1 ms).
    """
    return re.compile(
        rf" *(?:- )?(?:{_FLOW_KEY}: )?"
        rf"(?:\{{{_FLOW_KEY}: {_FLOW_VALUE}(?:, {_FLOW_KEY}: {_FLOW_VALUE})*\}}"
        rf"|\[{_FLOW_VALUE}(?:, {_FLOW_VALUE})*\]) *"
    )


_NUMBER_START = frozenset("0123456789+-._")
_QUOTED = re.compile(r'"[^"\n]*"')
_FLOW_SPLIT = re.compile(r"[\[\]{},]")
_MAX_FAST_DEPTH = 64
_INFINITIES = (float("inf"), float("-inf"))
_LEAVES = frozenset((str, bool, type(None)))


def _needs_strict(text: str) -> bool:
    """True if the fast parser may read this text differently from the strict reader."""
    if text[-1:] != "\n":
        return True  # no final line break: the readers end a last block scalar differently
    if "\t" in text or "<<" in text or text[:1] == "%" or "\n%" in text:
        return True  # tabs, merge keys, directives
    if not text.isascii() and (
        not text.replace("\n", "").replace("\r", "").isprintable() and _not_allowed().search(text)
    ):
        return True
    raw = text.encode("utf-8", "surrogatepass")
    classes = b" " + raw.translate(_COARSE_CLASSES)
    if b"\0" in classes:
        return True  # a control character
    if b" &" in classes and _has_anchor_or_tag(text):
        return True
    for form in _LEADING_FORMS:
        at = classes.find(form)
        while at >= 0:  # e.g. 0123, -007, .5e3; a value if it stands alone
            # ``at`` in the class string is the byte after the space in ``raw``.
            if _odd_line(raw, at):
                return True
            end = raw.find(b"\n", at)
            if end < 0:
                break
            at = classes.find(form, end + 1)
    # After the class string's first space: an underscore at the start of the file.
    if (raw[:1] == b"_" or raw[:2] in (b"-_", b"+_")) and _odd_line(raw, 0):
        return True
    for match in _UNDERSCORE_FORMS.finditer(raw):  # e.g. 1_000, _72, 1e_5
        if _odd_line(raw, match.start()):
            return True
    return _has_empty_block(text) or _has_odd_flow(text)


def _has_anchor_or_tag(text: str) -> bool:
    """Whether ``_ANCHOR_OR_TAG`` matches: a word starting with ``&``, ``*`` or ``!``.

    The same test, by searching for each of the three characters: the regular expression
    tries every position of the file (0.6 ms for a 7 KB file), this 0.01 ms.
    """
    size = len(text)
    for mark in "&*!":
        at = text.find(mark)
        while at >= 0:
            before = text[at - 1] if at else "\n"
            after = text[at + 1] if at + 1 < size else " "
            if (before.isspace() or before in "[{,") and not (after.isspace() or after in ",]}"):
                return True
            at = text.find(mark, at + 1)
    return False


def _odd_line(raw: bytes, at: int) -> bool:
    """Whether the value of the line holding byte ``at`` is an odd number form."""
    start = raw.rfind(b"\n", 0, at) + 1
    end = raw.find(b"\n", at)
    return _odd_value(raw[start : end if end >= 0 else len(raw)].decode("utf-8", "replace"))


def _has_empty_block(text: str) -> bool:
    """True if a block scalar (| or >) has no content lines: the two readers disagree."""
    for indicator in "|>":
        at = text.find(indicator)
        while at >= 0:
            if (at == 0 or text[at - 1].isspace()) and _BLOCK_TAIL.match(text, at + 1):
                line = text[text.rfind("\n", 0, at) + 1 : at]
                indent = len(line) - len(line.lstrip(" "))
                end = text.find("\n", at)
                while True:
                    if end < 0:
                        return True  # nothing follows
                    nxt = text.find("\n", end + 1)
                    following = text[end + 1 : nxt if nxt >= 0 else len(text)]
                    if following.strip():
                        if len(following) - len(following.lstrip(" ")) <= indent:
                            return True
                        break
                    end = nxt
            at = text.find(indicator, at + 1)
    return False


def _has_odd_flow(text: str) -> bool:
    """True if a line with a flow collection holds more than plain words and numbers."""
    plain = _plain_flow_line().fullmatch
    for opener in "[{":
        at = text.find(opener)
        while at >= 0:
            start = text.rfind("\n", 0, at) + 1
            end = text.find("\n", at)
            end = len(text) if end < 0 else end
            if not plain(text, start, end) and _odd_flow(text[start:end]):
                return True
            at = text.find(opener, end)
    return False


def _odd_flow(line: str) -> bool:
    code = line
    comment = line.find(" #")
    if comment >= 0 and '"' not in line[:comment] and "'" not in line[:comment]:
        code = line[:comment]  # a comment after the value, not part of it
    if "[" not in code and "{" not in code:
        return False
    if "\\" in code:
        return True  # an escape (\") would throw the quote matching below off
    # From the first opener only: the scan covers any nested ones, and searching from
    # each of thousands of openers on one line would take quadratic time.
    opener = _FIRST_OPENER.search(code)
    if opener is not None and _ODD_FLOW.match(code, opener.start()):
        return True
    bare = _QUOTED.sub("", code)
    if bare.count("[") + bare.count("{") != bare.count("]") + bare.count("}"):
        return True  # a flow collection going on over lines
    return any(_odd_word(item.rpartition(": ")[2].strip()) for item in _FLOW_SPLIT.split(bare))


def _odd_value(line: str) -> bool:
    """True if the line's value is one word that the fast parser may read as a number."""
    at = line.find(": ")
    if at >= 0:
        rest = line[at + 2 :].lstrip()
    else:
        rest = line.lstrip()
        while rest[:2] in ("- ", "? "):
            rest = rest[2:].lstrip()
    return _odd_word(rest.split(" #", 1)[0].strip())


def _odd_word(value: str) -> bool:
    """True if a whole scalar is one word that the fast parser only reads as a number."""
    if value[:1] not in _NUMBER_START or " " in value:
        return False  # several words are text to both readers ("at 09:30 during the visit")
    classes = b" " + value.encode("utf-8", "surrogatepass").translate(_CLASSES)
    return any(form in classes for form in _ODD_NUMBER_FORMS)


def _plain_json(data: Any) -> bool:
    """True if the data holds only what JSON can (text keys, finite numbers) and is shallow."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    leaves = _LEAVES
    while stack:
        value, depth = stack.pop()
        if depth > _MAX_FAST_DEPTH:
            return False
        if type(value) is dict:
            for key in value:
                if type(key) is not str:
                    return False
            value = value.values()
        depth += 1
        for item in value:
            kind = type(item)
            if kind is str or kind in leaves:
                continue
            if kind is dict or kind is list:
                stack.append((item, depth))
            elif kind is float:
                if item != item or item in _INFINITIES:
                    return False
            elif kind is int:
                if not -(2**63) <= item < 2**63:
                    return False
            else:
                return False
    return True


def _fast(text: str) -> dict[str, Any] | None:
    """The data by the fast parser, or None where only the strict reader may decide."""
    if _needs_strict(text):
        return None
    try:
        data = _yaml_rs.loads(text, parse_datetime=False)
    except Exception:  # any complaint: the strict reader gives the finding
        return None
    if type(data) is not dict or not data or not _plain_json(data):
        return None
    return data


def parse_text(text: str, path: str) -> Loaded:
    """Parse YAML text into a mapping, with findings; never raises for bad content."""
    if FAST_PARSER:
        data = _fast(text)
        if data is not None:
            return Loaded(path, text, data)
    return parse_strict(text, path)


def parse_trusted(text: str, path: str) -> Loaded:
    """Parse YAML that clr ships: by the fast parser at once, without the gate.

    The gate (:func:`_needs_strict`) stands for a test that cannot be run on a file clr
    has not seen: whether the two readers read it alike. For a file clr ships, that test
    is run by clr's own tests; the gate would cost more than the parse (126 KB of playbook:
    10 ms). Anything but a mapping goes to :func:`parse_text`.
    """
    if FAST_PARSER:
        try:
            data = _yaml_rs.loads(text, parse_datetime=False)
        except Exception:  # the reader below gives the finding
            data = None
        if type(data) is dict and data:
            return Loaded(path, text, data)
    return parse_text(text, path)


def parse_strict(text: str, path: str) -> Loaded:
    """Parse with the strict libyaml reader only (the reference behaviour)."""
    from clr.io import _libyaml

    data, findings = _libyaml.parse(text, path)
    return Loaded(path, text, data, findings)


def read_bytes(path: str | os.PathLike[str]) -> bytes:
    """The first ``MAX_BYTES + 1`` bytes of a regular file.

    Raises:
        OSError: it cannot be read, or is not a regular file (a folder, a pipe, a device:
            reading a pipe could wait for ever); see :func:`clr.io.files.read_bytes`.
    """
    return files.read_bytes(path, limit=MAX_BYTES, truncate=True)


def read_file(path: Path, display: str | None = None) -> Loaded:
    """Read and parse a YAML file; an unreadable file becomes a finding, not an exception."""
    shown = display if display is not None else str(path)
    try:
        raw = read_bytes(path)
    except OSError as exc:
        reason = files.reason(exc)
        hint = said(files.hint(exc))
        if isinstance(exc, IsADirectoryError):
            hint = said(N_("give the path of a case file or a case folder"))
        message = said(N_("cannot read: {reason}"), reason=said(reason))
        return Loaded(shown, "", None, [finding(shown, 0, 0, "CLR001", message, hint)])
    return parse_bytes(raw, shown)
