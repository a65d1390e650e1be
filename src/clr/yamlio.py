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

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clr.findings import Finding

if TYPE_CHECKING:
    from yaml.nodes import Node

MAX_BYTES = 2 * 1024 * 1024
"""Largest file clr reads. A case file with years of visits is well under 200 KB."""

MAX_MAPPING_PAIRS = 100_000
"""Most key/value pairs one document may expand to, merges included (merge-key bombs)."""

_BOM = b"\xef\xbb\xbf"


@dataclass
class Loaded:
    """A YAML file as read: its text, its data (a mapping, or None) and reading findings."""

    path: str
    text: str
    data: dict[str, Any] | None
    findings: list[Finding] = field(default_factory=list)
    _root: Node | None = field(default=None, repr=False)
    _composed: bool = field(default=False, repr=False)

    @property
    def ok(self) -> bool:
        """True if the file parsed into a mapping (findings may still exist)."""
        return self.data is not None

    def locate(self, pointer: str, *, key: bool = False) -> tuple[int, int]:
        """Return the 1-based (line, column) of the value at a JSON pointer.

        Where the value is missing, the position of its nearest existing parent's key is
        returned; with ``key=True`` the position of the key itself rather than its value.
        """
        from clr import _libyaml

        if not self._composed:
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
                Finding(
                    path,
                    0,
                    0,
                    "CLR009",
                    message=f"file is {len(raw) / 1048576:.1f} MiB, over clr's limit of "
                    f"{MAX_BYTES // 1048576} MiB",
                    hint="a case file is normally under 100 KB: split out attachments or logs",
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
                Finding(
                    path,
                    line,
                    col,
                    "CLR002",
                    message=f"byte 0x{raw[exc.start]:02x} is not valid UTF-8",
                    hint="save the file as UTF-8 (most editors: 'Save with encoding')",
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

# Anything the fast parser could read differently from the strict reader sends a file to
# the strict reader: tabs, merge keys, anchors, aliases and tags, number forms (leading
# zeros, underscores, hex, octal, .inf, .nan), characters YAML does not allow, and flow
# collections holding more than plain words or going on over lines. A differential test
# (tests/test_yaml_parsers.py) holds the two readers to the same data on every file the
# fast one accepts.
_ANCHOR_OR_TAG = re.compile(r"(?:^|[\s\[{,])[&*!][^\s,\]}]", re.M)
# Characters YAML does not allow, line and paragraph separators, a stray BOM, directives.
_NOT_ALLOWED = re.compile(
    r"[^\x09\x0A\x0D\x20-\x7E\xA0-\u2027\u202A-\uD7FF\uE000-\uFEFE\uFF00-\uFFFD"
    r"\U00010000-\U0010FFFF]|^%",
    re.M,
)
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
# A scalar that looks like a number: the two readers agree only on plain decimal forms.
_NUMBERISH = re.compile(
    r"[-+]?[\d_.]+(?:[eE][-+]?[\d_]+)?|[-+]?0[xXoObB]\w*|[-+]?\.(?:inf|nan|Inf|NaN|INF|NAN)"
)
_DECIMAL = re.compile(
    r"[-+]?(?:0|[1-9][0-9]*)(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|[-+]?\.[0-9]+(?:[eE][-+]?[0-9]+)?"
)
_BLOCK_START = re.compile(r"(?:^|\s)[|>][-+0-9]*\s*(?:#.*)?$")
_QUOTED = re.compile(r'"[^"\n]*"')
_FLOW_SPLIT = re.compile(r"[\[\]{},]")
_MAX_FAST_DEPTH = 64
_INFINITIES = (float("inf"), float("-inf"))


def _odd_number(scalar: str) -> bool:
    """True if the two readers may disagree on what this plain scalar is."""
    value = scalar.split(" #", 1)[0].strip()
    return bool(
        value
        and value[0] in "0123456789+-._"
        and _NUMBERISH.fullmatch(value)
        and not _DECIMAL.fullmatch(value)
    )


_NUMBER_START = frozenset("0123456789+-._")


def _needs_strict(text: str) -> bool:
    if "\t" in text or "<<" in text or _NOT_ALLOWED.search(text):
        return True
    if ("&" in text or "*" in text or "!" in text) and _ANCHOR_OR_TAG.search(text):
        return True
    block_indent = -1  # indentation of a line that opened a block scalar (| or >)
    for line in text.split("\n"):
        if block_indent >= 0 and line.strip():
            if len(line) - len(line.lstrip(" ")) <= block_indent:
                return True  # an empty block scalar: the two readers disagree on it
            block_indent = -1
        if _BLOCK_START.search(line):
            block_indent = len(line) - len(line.lstrip(" "))
            continue
        code = line
        if "[" in line or "{" in line:
            comment = line.find(" #")
            if comment >= 0 and '"' not in line[:comment] and "'" not in line[:comment]:
                code = line[:comment]  # a comment after the value, not part of it
        if "[" in code or "{" in code:
            # From the first opener only: the scan covers any nested ones, and searching
            # from each of thousands of openers on one line would take quadratic time.
            opener = _FIRST_OPENER.search(code)
            if opener is not None and _ODD_FLOW.match(code, opener.start()):
                return True
            bare = _QUOTED.sub("", code)
            if bare.count("[") + bare.count("{") != bare.count("]") + bare.count("}"):
                return True  # a flow collection going on over lines
            for item in _FLOW_SPLIT.split(code):
                if _odd_number(item.rpartition(": ")[2] if ": " in item else item):
                    return True
        at = line.find(": ")
        if at >= 0:
            rest = line[at + 2 :].lstrip()
        else:
            rest = line.lstrip()
            while rest[:2] in ("- ", "? "):
                rest = rest[2:].lstrip()
        # Keys that look like numbers come back as numbers: _plain_json sends them on.
        if rest[:1] in _NUMBER_START and rest and _odd_number(rest):
            return True
    return False


def _plain_json(data: Any) -> bool:
    """True if the data holds only what JSON can (text keys, finite numbers) and is shallow."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > _MAX_FAST_DEPTH:
            return False
        items = value.items() if type(value) is dict else enumerate(value)
        for key, item in items:
            if type(value) is dict and type(key) is not str:
                return False
            kind = type(item)
            if kind is dict or kind is list:
                stack.append((item, depth + 1))
            elif kind is float:
                if item != item or item in _INFINITIES:
                    return False
            elif kind is int:
                if not -(2**63) <= item < 2**63:
                    return False
            elif not (kind is str or kind is bool or item is None):
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


def parse_strict(text: str, path: str) -> Loaded:
    """Parse with the strict libyaml reader only (the reference behaviour)."""
    from clr import _libyaml

    return _libyaml.parse(text, path)


MAX_DEPTH = 100
"""Deepest nesting of lists and mappings clr reads (a case needs under 10)."""


def too_deep(data: Any) -> bool:
    """True if lists and mappings nest deeper than ``MAX_DEPTH``."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        children = value.values() if type(value) is dict else value
        stack.extend((c, depth + 1) for c in children if type(c) is dict or type(c) is list)
    return False


def read_bytes(path: Path) -> bytes:
    """The first ``MAX_BYTES + 1`` bytes of a regular file.

    Raises:
        OSError: it cannot be read, or is not a regular file (a folder, a pipe, a device:
            reading a pipe could wait for ever).
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
            raise OSError(21 if stat.S_ISDIR(info.st_mode) else 22, f"it is {kind}")
        chunks = []
        left = MAX_BYTES + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_file(path: Path, display: str | None = None) -> Loaded:
    """Read and parse a YAML file; an unreadable file becomes a finding, not an exception."""
    shown = display if display is not None else str(path)
    try:
        raw = read_bytes(path)
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        hint = "check that the file exists and that you may read it"
        if isinstance(exc, PermissionError):
            hint = "you may not read this file: check its permissions (ls -l)"
        elif isinstance(exc, IsADirectoryError):
            hint = "give the path of a case file or a case folder"
        return Loaded(
            shown,
            "",
            None,
            [Finding(shown, 0, 0, "CLR001", message=f"cannot read: {reason}", hint=hint)],
        )
    return parse_bytes(raw, shown)
