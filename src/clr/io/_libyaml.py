"""The strict YAML reader: libyaml (PyYAML's ``CSafeLoader``) with JSON-safe rules.

The reference behaviour of ``clr.io.yamlio``, and the reader of every file the fast parser
leaves to it. Imported only when needed: commands whose files all take the fast path do
not pay for loading PyYAML.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from clr.i18n import N_
from clr.model.findings import Finding, Said, finding, said

if not getattr(yaml, "__with_libyaml__", False):  # pragma: no cover - depends on the install
    from clr.errors import ConfigError

    raise ConfigError(
        said(N_("PyYAML was installed without libyaml; clr needs it to read YAML safely")),
        hint=said(
            N_(
                "reinstall PyYAML from a wheel: "
                "pip install --force-reinstall --only-binary=:all: pyyaml"
            )
        ),
    )


_STR = "tag:yaml.org,2002:str"
_KINDS = {
    "int": N_("a number"),
    "float": N_("a number"),
    "bool": N_("true/false"),
    "null": N_("empty (null)"),
}
_MERGE = "tag:yaml.org,2002:merge"

MAX_MAPPING_PAIRS = 100_000
"""Most key/value pairs one document may expand to, merges included (merge-key bombs)."""

MAX_DEPTH = 100
"""Deepest nesting of lists and mappings clr reads (a case needs under 10)."""

Parsed = tuple[dict[str, Any] | None, list[Finding]]
"""What a text reads as: its data (a mapping, or None) and the findings of reading it."""


class _Refused(yaml.MarkedYAMLError):
    """A construct clr refuses to read; carries its own finding code and hint."""

    def __init__(self, code: str, problem: Said, mark: Any, hint: Said) -> None:
        super().__init__(problem=problem.english(), problem_mark=mark)
        self.code = code
        self.said = problem
        self.hint = hint


class _StrictLoader(yaml.CSafeLoader):
    """libyaml loader with JSON-safe scalars, duplicate-key and alias checks."""

    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012 - PyYAML's class-level registry

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.text = stream
        self.findings: list[tuple[str, int, int, Said, Said]] = []
        self.pair_budget = MAX_MAPPING_PAIRS

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        if node in self.constructed_objects and isinstance(node, MappingNode | SequenceNode):
            mark = node.start_mark
            anchor = re.compile(r"&([^\s,\[\]{}]+)").match(self.text, mark.index)
            reused = (
                said(
                    N_(
                        "the list or mapping of the anchor &{anchor} on line {line} is used "
                        "again through an alias"
                    ),
                    anchor=anchor.group(1),
                    line=mark.line + 1,
                )
                if anchor
                else said(N_("the list or mapping of an anchor is used again through an alias"))
            )
            use = _find_alias(self.text, anchor.group(1), mark.index) if anchor else None
            raise _Refused(
                "CLR008",
                reused,
                use or mark,
                said(
                    N_(
                        "write the values out in full; clr refuses reused lists and mappings "
                        "because they can make a small file expand to millions of values"
                    )
                ),
            )
        return super().construct_object(node, deep)

    def flatten_mapping(self, node: MappingNode) -> None:
        super().flatten_mapping(node)
        self.pair_budget -= len(node.value)
        if self.pair_budget < 0:
            raise _Refused(
                "CLR008",
                said(
                    N_("merge keys expand this file to more than {count} entries"),
                    count=f"{MAX_MAPPING_PAIRS:,}",
                ),
                node.start_mark,
                said(N_("write the values out in full instead of merging (<<) mappings")),
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
                self._note(
                    key_node, "CLR010", said(N_("a key must be text, not a list or mapping"))
                )
                continue
            key = key_node.value
            if key_node.tag != _STR:
                kind = _KINDS.get(key_node.tag.rsplit(":", 1)[-1], N_("a special value"))
                self._note(
                    key_node,
                    "CLR010",
                    said(
                        N_("the key {key} is read as {kind}, not as text"),
                        key=repr(key),
                        kind=said(kind),
                    ),
                    said(N_("quote it: {quoted}"), quoted=f"'{key}':"),
                )
            if index >= first_own:
                line = key_node.start_mark.line + 1
                if key in seen:
                    self._note(
                        key_node,
                        "CLR005",
                        said(
                            N_("duplicate key {key}: first on line {first}, again on line {line}"),
                            key=repr(key),
                            first=seen[key],
                            line=line,
                        ),
                        said(N_("keep one of them; YAML readers silently keep only the last")),
                    )
                else:
                    seen[key] = line
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping

    def _note(self, node: Node, code: str, message: Said, hint: Said | None = None) -> None:
        mark = node.start_mark
        self.findings.append((code, mark.line + 1, mark.column + 1, message, hint or Said("")))


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
        said(N_("the YAML tag {tag} is not supported in case files"), tag=node.tag),
        node.start_mark,
        said(_NO_TAGS),
    )


for _tag in ("timestamp",):
    _StrictLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _text_as_is)
for _tag in ("binary", "set", "omap", "pairs"):
    _StrictLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _refuse_tag)


def _number(loader: _StrictLoader, node: Node) -> Any:
    """An int or float; one too long or too large to read is a finding, kept as text.

    Python refuses to turn more than 4,300 digits into an int (a guard against slow
    conversions), and a float past 1.8e308 becomes infinity, which JSON has no form for.
    """
    text = str(loader.construct_scalar(node))  # type: ignore[arg-type]
    try:
        value: int | float = int(text) if node.tag.endswith(":int") else float(text)
    except ValueError:
        value = float("inf")
    if value in (float("inf"), float("-inf")):
        digits = sum(c.isdigit() for c in text)
        shown = text if len(text) <= 24 else f"{text[:12]}…{text[-6:]} ({digits:,} digits)"
        loader._note(
            node,
            "CLR003",
            said(N_("the number {number} is too large to read"), number=shown),
            said(N_("if it is text, put it in quotes; if it is a number, check it")),
        )
        return text
    return value


for _tag in ("int", "float"):
    _StrictLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _number)

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


def parse(text: str, path: str) -> Parsed:
    """Parse with the strict libyaml reader only (the reference behaviour)."""
    loader = _StrictLoader(text)
    try:
        data = loader.get_single_data()
    except _Refused as exc:
        return _failed(path, text, exc.code, exc, exc.said, exc.hint)
    except yaml.MarkedYAMLError as exc:
        problem = f"{exc.problem} {exc.context}"
        if "could not determine a constructor" in problem:
            tag = (exc.problem or "").rsplit("tag", 1)[-1].strip(" '!") or "?"
            return _failed(
                path,
                text,
                "CLR011",
                exc,
                said(N_("the YAML tag {tag} is not supported in case files"), tag=f"!{tag}"),
                said(_NO_TAGS),
            )
        if "expected a single document" in problem:
            return _failed(
                path,
                text,
                "CLR007",
                exc,
                said(N_("the file holds more than one YAML document")),
                said(N_("keep one case per file: remove the '---' line and what follows")),
            )
        if _is_tab(text, exc):
            return _failed(
                path,
                text,
                "CLR004",
                exc,
                said(N_("a tab character is used where YAML needs spaces")),
                said(N_("indent with spaces only (set your editor to insert spaces for tabs)")),
            )
        return _failed(path, text, "CLR003", exc, _plain_problem(exc), _hint_for(exc))
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        col = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        message = said(N_("the control character {char} is not allowed"), char=repr(char))
        hint = said(N_("remove it (it often comes from a copy-paste or a binary file)"))
        return _whole_file(path, text, [], "CLR003", message, hint, (line, col))
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        message = said(N_("a value cannot be read: {problem}"), problem=str(exc)[:120])
        hint = said(N_("check explicit tags such as !!int or !!float, and very long numbers"))
        return _whole_file(path, text, [], "CLR003", message, hint)
    except yaml.YAMLError as exc:
        return None, [finding(path, 1, 1, "CLR003", str(exc).split("\n", 1)[0])]
    finally:
        loader.dispose()
    findings = [
        finding(path, line, col, code, message, hint)
        for code, line, col, message, hint in loader.findings
    ]
    mapping_hint = said(_MAPPING_HINT)
    if data is None:
        empty = said(N_("the file is empty"))
        return _whole_file(path, text, findings, "CLR006", empty, mapping_hint)
    if not isinstance(data, dict):
        message = (
            said(N_("the top level is a list, not a mapping"))
            if isinstance(data, list)
            else said(
                N_("the top level is a single value ({kind}), not a mapping"),
                kind=type(data).__name__,
            )
        )
        return _whole_file(path, text, findings, "CLR006", message, mapping_hint)
    if too_deep(data):
        message = said(
            N_("lists and mappings are nested more than {depth} levels deep"), depth=MAX_DEPTH
        )
        hint = said(N_("no case needs that: flatten the structure"))
        return _whole_file(path, text, findings, "CLR003", message, hint)
    return data, findings


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


_MAPPING_HINT = N_("a case file is a mapping of fields such as 'id:' and 'stage:'")
_NO_TAGS = N_("remove the tag: case files hold plain text, numbers, true/false, lists and mappings")


def _whole_file(
    path: str,
    text: str,
    findings: list[Finding],
    code: str,
    message: Said,
    hint: Said,
    at: tuple[int, int] = (1, 1),
) -> Parsed:
    """The file refused as a whole: a finding (on its first line unless ``at``), no data."""
    findings.append(finding(path, at[0], at[1], code, message, hint))
    return None, findings


def compose(text: str) -> Node | None:
    """The node tree of a text (positions of values), or None if it does not parse."""
    try:
        return yaml.compose(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        return None


def top_position(text: str, name: str, *, key: bool = False) -> tuple[int, int] | None:
    """``position`` of the top-level key ``name``, read only as far as that key.

    Most findings of a file with any (an overdue action: ``/stage``) point at a key of the
    top mapping near its start; composing the whole file to find it costs as much as the
    rest of its check. The events are read up to the key instead. None where the answer
    needs the whole tree: the key is missing, or its value is an alias.
    """
    depth = 0
    expect_key = False  # in the top mapping: whether the next node there is a key
    events = yaml.parse(text, Loader=yaml.CSafeLoader)
    try:
        for event in events:
            if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                depth += 1
                if depth == 1:
                    if not isinstance(event, yaml.MappingStartEvent):
                        return None
                    expect_key = True
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                depth -= 1
                if depth == 0:
                    return None  # the top mapping ended without the key
                if depth == 1:
                    expect_key = not expect_key  # a collection, key or value, ended
            elif depth == 1 and isinstance(event, yaml.ScalarEvent | yaml.AliasEvent):
                if expect_key and isinstance(event, yaml.ScalarEvent) and event.value == name:
                    at = event if key else next(events)
                    if isinstance(at, yaml.AliasEvent) or at.start_mark is None:
                        return None  # composing places an alias at its anchor
                    return (at.start_mark.line + 1, at.start_mark.column + 1)
                expect_key = not expect_key
    except yaml.YAMLError:
        return None
    return None


def position(root: Node | None, pointer: str, *, key: bool = False) -> tuple[int, int]:
    """The 1-based (line, column) of the value at a JSON pointer (see ``Loaded.locate``)."""
    node: Node | None = root
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


def _failed(
    path: str,
    text: str,
    code: str,
    exc: yaml.MarkedYAMLError,
    message: str | Said,
    hint: Said,
) -> Parsed:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    return None, [finding(path, line, col, code, message, hint)]


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


def _hint_for(exc: yaml.MarkedYAMLError) -> Said:
    problem = exc.problem or ""
    if "mapping values are not allowed" in problem:
        return said(
            N_("a value holding ': ' must be quoted, e.g. {example}"), example='note: "time: 10:00"'
        )
    if "could not find expected ':'" in problem or "simple key" in problem:
        return said(N_("check the indentation and that each key ends with ':'"))
    if "found undefined alias" in problem:
        return said(N_("define the anchor (&name) before using it (*name), or write the value out"))
    if "exceeded maximum nesting depth" in problem:
        return said(
            N_("the file nests lists or mappings over 1,000 levels deep; no case needs that")
        )
    if "special characters are not allowed" in problem or "control characters" in problem:
        return said(N_("remove the control character (it may come from a copy-paste)"))
    return said(N_("check the YAML at this line; quoting the value often helps"))
