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
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from clr.findings import Finding

MAX_BYTES = 2 * 1024 * 1024
"""Largest file clr reads. A case file with years of visits is well under 200 KB."""

MAX_MAPPING_PAIRS = 100_000
"""Most key/value pairs one document may expand to, merges included (merge-key bombs)."""

if not getattr(yaml, "__with_libyaml__", False):  # pragma: no cover - depends on the install
    raise ImportError(
        "PyYAML was installed without libyaml; clr needs it for safe and fast reading. "
        "Reinstall PyYAML from a wheel: pip install --force-reinstall --only-binary=:all: pyyaml"
    )

_STR = "tag:yaml.org,2002:str"
_KINDS = {"int": "a number", "float": "a number", "bool": "true/false", "null": "empty (null)"}
_MERGE = "tag:yaml.org,2002:merge"
_BOM = b"\xef\xbb\xbf"


class _Refused(yaml.MarkedYAMLError):
    """A construct clr refuses to read; carries its own finding code and hint."""

    def __init__(self, code: str, problem: str, mark: Any, hint: str = "") -> None:
        super().__init__(problem=problem, problem_mark=mark)
        self.code = code
        self.hint = hint


class _StrictLoader(yaml.CSafeLoader):
    """libyaml loader with JSON-safe scalars, duplicate-key and alias checks."""

    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012 - PyYAML's class-level registry

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.text = stream
        self.findings: list[tuple[str, int, int, str, str]] = []
        self.pair_budget = MAX_MAPPING_PAIRS

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        if node in self.constructed_objects and isinstance(node, MappingNode | SequenceNode):
            mark = node.start_mark
            anchor = re.compile(r"&([^\s,\[\]{}]+)").match(self.text, mark.index)
            where = (
                f"the anchor &{anchor.group(1)} on line {mark.line + 1}" if anchor else "an anchor"
            )
            use = _find_alias(self.text, anchor.group(1), mark.index) if anchor else None
            raise _Refused(
                "CLR008",
                f"the list or mapping of {where} is used again through an alias",
                use or mark,
                "write the values out in full; clr refuses reused lists and mappings "
                "because they can make a small file expand to millions of values",
            )
        return super().construct_object(node, deep)

    def flatten_mapping(self, node: MappingNode) -> None:
        super().flatten_mapping(node)
        self.pair_budget -= len(node.value)
        if self.pair_budget < 0:
            raise _Refused(
                "CLR008",
                f"merge keys expand this file to more than {MAX_MAPPING_PAIRS:,} entries",
                node.start_mark,
                "write the values out in full instead of merging (<<) mappings",
            )

    def construct_mapping(self, node: Node, deep: bool = False) -> dict[Any, Any]:
        if not isinstance(node, MappingNode):
            raise yaml.constructor.ConstructorError(
                None, None, f"expected a mapping, found {type(node).__name__}", node.start_mark
            )
        own = sum(1 for key_node, _ in node.value if key_node.tag != _MERGE)
        self.flatten_mapping(node)
        first_own = len(node.value) - own
        mapping: dict[str, Any] = {}
        seen: dict[str, int] = {}
        for index, (key_node, value_node) in enumerate(node.value):
            if not isinstance(key_node, ScalarNode):
                self._note(key_node, "CLR010", "a key must be text, not a list or mapping", "")
                continue
            key = key_node.value
            if key_node.tag != _STR:
                kind = _KINDS.get(key_node.tag.rsplit(":", 1)[-1], "a special value")
                self._note(
                    key_node,
                    "CLR010",
                    f"the key {key!r} is read as {kind}, not as text",
                    f"quote it: '{key}':",
                )
            if index >= first_own:
                line = key_node.start_mark.line + 1
                if key in seen:
                    self._note(
                        key_node,
                        "CLR005",
                        f"duplicate key {key!r}: first on line {seen[key]}, again on line {line}",
                        "keep one of them; YAML readers silently keep only the last",
                    )
                else:
                    seen[key] = line
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping

    def _note(self, node: Node, code: str, message: str, hint: str) -> None:
        mark = node.start_mark
        self.findings.append((code, mark.line + 1, mark.column + 1, message, hint))


def _find_alias(text: str, name: str, after: int) -> Any:
    """Return a mark-like object for the first use of ``*name`` after ``after``, or None."""
    found = re.compile(r"\*" + re.escape(name) + r"(?![^\s,\]}])").search(text, after)
    if found is None:
        return None
    line = text.count("\n", 0, found.start())
    col = found.start() - (text.rfind("\n", 0, found.start()) + 1)
    return yaml.Mark("", found.start(), line, col, None, None)  # type: ignore[arg-type]


def _text_as_is(loader: yaml.SafeLoader, node: Node) -> Any:
    return loader.construct_scalar(node)  # type: ignore[arg-type]


def _refuse_tag(loader: yaml.SafeLoader, node: Node) -> Any:
    raise _Refused(
        "CLR011",
        f"the YAML tag {node.tag} is not supported in case files",
        node.start_mark,
        "remove the tag: case files hold plain text, numbers, true/false, lists and mappings",
    )


for _tag in ("timestamp",):
    _StrictLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _text_as_is)
for _tag in ("binary", "set", "omap", "pairs"):
    _StrictLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _refuse_tag)

_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789")
)
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:0|[1-9][0-9]*)(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?$|^[-+]?\.[0-9]+$"),
    list("-+0123456789."),
)
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)
_StrictLoader.add_implicit_resolver("tag:yaml.org,2002:merge", re.compile(r"^(?:<<)$"), ["<"])


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
        if not self._composed:
            self._composed = True
            try:
                self._root = yaml.compose(self.text, Loader=yaml.CSafeLoader)
            except yaml.YAMLError:
                self._root = None
        node: Node | None = self._root
        if node is None:
            return (1, 1)
        mark_node: Node = node
        parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
        for i, part in enumerate(parts):
            found: tuple[Node, Node] | None = None
            if isinstance(node, MappingNode):
                for key_node, value_node in node.value:
                    if isinstance(key_node, ScalarNode) and key_node.value == part:
                        found = (key_node, value_node)
            elif isinstance(node, SequenceNode) and part.isdigit() and int(part) < len(node.value):
                item = node.value[int(part)]
                found = (item, item)
            if found is None:
                break
            last = i == len(parts) - 1
            mark_node = found[0] if (last and key) else found[1]
            if not last and isinstance(found[1], ScalarNode):
                mark_node = found[0]
            node = found[1]
            if not last:
                # A missing child is reported at its parent's key.
                mark_node = found[0] if isinstance(node, MappingNode | SequenceNode) else mark_node
        return (mark_node.start_mark.line + 1, mark_node.start_mark.column + 1)


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
_ODD_FLOW = re.compile(
    r"[\[{](?:\"[^\"\n]*\"|[^\"\n])*?(?:[?>|!&*%@`#'{\[]|:(?! )|\"[^\"\n]*$)"
    r"|[\[{](?:\"[^\"\n]*\"|[^\"\n\]}])*$"
)
# A scalar that looks like a number: the two readers agree only on plain decimal forms.
_NUMBERISH = re.compile(
    r"[-+]?[\d_.]+(?:[eE][-+]?[\d_]+)?|[-+]?0[xXoObB]\w*|[-+]?\.(?:inf|nan|Inf|NaN|INF|NAN)"
)
_DECIMAL = re.compile(
    r"[-+]?(?:0|[1-9][0-9]*)(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|[-+]?\.[0-9]+(?:[eE][-+]?[0-9]+)?"
)
_BLOCK_START = re.compile(r"(?:^|\s)[|>][-+0-9]*\s*(?:#.*)?$")
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
        if "[" in line or "{" in line:
            if _ODD_FLOW.search(line):
                return True
            for item in _FLOW_SPLIT.split(line):
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
    loader = _StrictLoader(text)
    try:
        data = loader.get_single_data()
    except _Refused as exc:
        return _failed(path, text, exc.code, exc, exc.problem or "", exc.hint)
    except yaml.MarkedYAMLError as exc:
        problem = f"{exc.problem} {exc.context}"
        if "could not determine a constructor" in problem:
            tag = (exc.problem or "").rsplit("tag", 1)[-1].strip(" '!") or "?"
            return _failed(
                path,
                text,
                "CLR011",
                exc,
                f"the YAML tag !{tag} is not supported in case files",
                "remove the tag: case files hold plain text, numbers, true/false, lists and "
                "mappings",
            )
        if "expected a single document" in problem:
            return _failed(
                path,
                text,
                "CLR007",
                exc,
                "the file holds more than one YAML document",
                "keep one case per file: remove the '---' line and what follows",
            )
        if _is_tab(text, exc):
            return _failed(
                path,
                text,
                "CLR004",
                exc,
                "a tab character is used where YAML needs spaces",
                "indent with spaces only (set your editor to insert spaces for tabs)",
            )
        return _failed(path, text, "CLR003", exc, _plain_problem(exc), _hint_for(exc))
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        col = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        return Loaded(
            path,
            text,
            None,
            [
                Finding(
                    path,
                    line,
                    col,
                    "CLR003",
                    message=f"the control character {char!r} is not allowed",
                    hint="remove it (it often comes from a copy-paste or a binary file)",
                )
            ],
        )
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        return Loaded(
            path,
            text,
            None,
            [
                Finding(
                    path,
                    1,
                    1,
                    "CLR003",
                    message=f"a value cannot be read: {str(exc)[:120]}",
                    hint="check explicit tags such as !!int or !!float, and very long numbers",
                )
            ],
        )
    except yaml.YAMLError as exc:
        message = str(exc).split("\n", 1)[0]
        return Loaded(path, text, None, [Finding(path, 1, 1, "CLR003", message=message)])
    finally:
        loader.dispose()
    findings = [
        Finding(path, line, col, code, message=message, hint=hint)
        for code, line, col, message, hint in loader.findings
    ]
    if data is None:
        findings.append(
            Finding(
                path,
                1,
                1,
                "CLR006",
                message="the file is empty",
                hint="a case file is a mapping of fields such as 'id:' and 'stage:'",
            )
        )
        return Loaded(path, text, None, findings)
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a single value ({type(data).__name__})"
        findings.append(
            Finding(
                path,
                1,
                1,
                "CLR006",
                message=f"the top level is {kind}, not a mapping",
                hint="a case file is a mapping of fields such as 'id:' and 'stage:'",
            )
        )
        return Loaded(path, text, None, findings)
    if _too_deep(data):
        findings.append(
            Finding(
                path,
                1,
                1,
                "CLR003",
                message=f"lists and mappings are nested more than {MAX_DEPTH} levels deep",
                hint="no case needs that: flatten the structure",
            )
        )
        return Loaded(path, text, None, findings)
    return Loaded(path, text, data, findings)


MAX_DEPTH = 100
"""Deepest nesting of lists and mappings clr reads (a case needs under 10)."""


def _too_deep(data: Any) -> bool:
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        children = value.values() if type(value) is dict else value
        stack.extend((c, depth + 1) for c in children if type(c) is dict or type(c) is list)
    return False


def _failed(
    path: str, text: str, code: str, exc: yaml.MarkedYAMLError, message: str, hint: str
) -> Loaded:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    return Loaded(path, text, None, [Finding(path, line, col, code, message=message, hint=hint)])


def _is_tab(text: str, exc: yaml.MarkedYAMLError) -> bool:
    mark = exc.problem_mark
    if mark is None:
        return False
    line = text.split("\n")[mark.line] if mark.line < text.count("\n") + 1 else ""
    return "\t" in line[: mark.column + 1] or "tab" in (exc.problem or "")


def _plain_problem(exc: yaml.MarkedYAMLError) -> str:
    problem = (exc.problem or "").strip()
    context = (exc.context or "").strip()
    if context and problem:
        return f"{problem} ({context})"
    return problem or context or "invalid YAML"


def _hint_for(exc: yaml.MarkedYAMLError) -> str:
    problem = exc.problem or ""
    if "mapping values are not allowed" in problem:
        return "a value holding ': ' must be quoted, e.g. note: \"time: 10:00\""
    if "could not find expected ':'" in problem or "simple key" in problem:
        return "check the indentation and that each key ends with ':'"
    if "found undefined alias" in problem:
        return "define the anchor (&name) before using it (*name), or write the value out"
    if "exceeded maximum nesting depth" in problem:
        return "the file nests lists or mappings over 1,000 levels deep; no case needs that"
    if "special characters are not allowed" in problem or "control characters" in problem:
        return "remove the control character (it may come from a copy-paste)"
    return "check the YAML at this line; quoting the value often helps"


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
