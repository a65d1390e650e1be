"""Edits made on a YAML text itself, and values written so that YAML reads them back.

A value is replaced where it stands, a list item is inserted after the list's last item in
the style of the items already there, a new key goes after its parent's last line. What
cannot be spliced is left to the round-trip library (ruamel.yaml). ``clr.io.edit.Document``
checks every result against the data it should hold before anything is written.
"""

from __future__ import annotations

import io
import json
import re
from typing import TYPE_CHECKING, Any

from clr.io import yamlio

if TYPE_CHECKING:
    from yaml.nodes import Node

Path_ = tuple[str, ...]


# --- text splicing -------------------------------------------------------------------


class CannotSplice(Exception):
    """The text cannot be edited in place (e.g. a flow-style parent)."""


def reads_as(text: str, want: dict[str, Any]) -> bool:
    """True if ``text`` reads back, without errors, as exactly ``want``."""
    loaded = yamlio.parse_text(text, "")
    return loaded.data == want and not any(f.severity == "error" for f in loaded.findings)


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _quote_char(text: str) -> str:
    return "'" if text.count(": '") > text.count(': "') else '"'


_FLOW_UNSAFE = re.compile(r"[,\[\]{}]")


def render_scalar(value: Any, quote: str = '"', *, flow: bool = False) -> str:
    """Write a scalar so that YAML readers (strict or YAML 1.1) read it back unchanged."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    text = str(value)
    if any(ch in text for ch in "\n\r\t") or not text.isprintable():
        return json.dumps(text, ensure_ascii=False)
    if _plain_is_safe(text) and not (flow and _FLOW_UNSAFE.search(text)):
        return text
    if quote == "'":
        return "'" + text.replace("'", "''") + "'"
    return json.dumps(text, ensure_ascii=False)


# Words that YAML 1.1 readers (PyYAML's safe_load, many other tools) read as true, false
# or null.
_YAML11_WORDS = frozenset(["y", "n", "yes", "no", "on", "off", "true", "false", "null"])
# PyYAML's timestamp pattern (YAML 1.1): such text reads back as a date or a datetime.
_YAML11_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}"
    r"(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?"
)
_PLAIN_WORDS = re.compile(r"[A-Za-z][A-Za-z0-9 _.,/()'+-]*")


def _plain_is_safe(text: str) -> bool:
    if not text or text != text.strip() or text[0] in "!&*?|>'\"%@`#-[]{},:" or ": " in text:
        return (
            text[:1] == "-"
            and len(text) > 1
            and text[1] not in " -"
            and _plain_is_safe(text[1:])
            and not re.match(r"^-?[0-9.]", text)
        )
    if " #" in text or text.endswith(":"):
        return False
    if _PLAIN_WORDS.fullmatch(text) and text.lower() not in _YAML11_WORDS:
        return True  # words starting with a letter: text to every YAML reader
    if _YAML11_TIMESTAMP.fullmatch(text):
        return False  # a date or time to YAML 1.1 readers: quote it
    import yaml

    try:
        strict = yamlio.parse_text(f"k: {text}\n", "")
        loose = yaml.safe_load(f"k: {text}\n")
    except (yaml.YAMLError, ValueError):  # ValueError: an int of over 4,300 digits
        return False
    return not strict.findings and strict.data == {"k": text} and loose == {"k": text}


def _render_key(key: str) -> str:
    return (
        key
        if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", key) and _plain_is_safe(key)
        else json.dumps(key)
    )


def _render_flow(value: Any, quote: str) -> str:
    if isinstance(value, dict):
        inner = ", ".join(f"{_render_key(k)}: {_render_flow(v, quote)}" for k, v in value.items())
        return "{" + inner + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_render_flow(v, quote) for v in value) + "]"
    return render_scalar(value, quote, flow=True)


def render_block(value: dict[str, Any], indent: int, quote: str, seq: int) -> list[str]:
    """Render a mapping as block YAML lines at ``indent``, lists indented by ``seq``."""
    lines: list[str] = []
    pad = " " * indent
    for key, item in value.items():
        head = f"{pad}{_render_key(key)}:"
        if isinstance(item, dict) and item:
            lines.append(head)
            lines.extend(render_block(item, indent + 2, quote, seq))
        elif isinstance(item, list) and item:
            lines.append(head)
            for element in item:
                lines.extend(_render_item(element, indent + seq, quote, seq))
        elif isinstance(item, dict | list):
            lines.append(f"{head} {_render_flow(item, quote)}")
        else:
            lines.append(f"{head} {render_scalar(item, quote)}")
    return lines


def _render_item(item: Any, dash_col: int, quote: str, seq: int) -> list[str]:
    pad = " " * dash_col
    if isinstance(item, dict) and item:
        body = render_block(item, dash_col + 2, quote, seq)
        return [f"{pad}- {body[0].lstrip()}", *body[1:]]
    if isinstance(item, dict | list):
        return [f"{pad}- {_render_flow(item, quote)}"]
    return [f"{pad}- {render_scalar(item, quote)}"]


def _child(node: Node | None, key: str) -> tuple[Node, Node] | None:
    from yaml.nodes import MappingNode, ScalarNode

    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode) and key_node.value == key:
                return key_node, value_node
    return None


def _content_end(text: str, node: Node, key_node: Node | None = None) -> int:
    """Index just past the line holding the last character of ``node``'s content."""
    from yaml.nodes import ScalarNode

    if key_node is not None and isinstance(node, ScalarNode) and node.value == "":
        node = key_node  # an empty value: its marks may lie past the comments that follow
    node = _last_leaf(text, node)
    end = node.end_mark.index
    while end > node.start_mark.index and text[end - 1] in " \t\r\n":
        end -= 1
    newline = text.find("\n", end)
    return len(text) if newline == -1 else newline + 1


def _last_leaf(text: str, node: Node) -> Node:
    """The last scalar or flow collection of a node: block collections end past comments."""
    from yaml.nodes import MappingNode, ScalarNode, SequenceNode

    while isinstance(node, MappingNode | SequenceNode) and node.value and not _is_flow(text, node):
        if isinstance(node, MappingNode):
            key_node, value_node = node.value[-1]
            empty = isinstance(value_node, ScalarNode) and value_node.value == ""
            node = key_node if empty else value_node
        else:
            node = node.value[-1]
    return node


def _is_flow(text: str, node: Node) -> bool:
    return text[node.start_mark.index : node.start_mark.index + 1] in ("{", "[")


def apply_text_edits(text: str, ops: list[tuple[str, Path_, Any]]) -> str:
    """Make the edits on the text itself.

    Raises:
        CannotSplice: an edit cannot be made in place.
    """
    for op, path, value in ops:
        text = _splice(text, op, path, value)
    return text


def _splice(text: str, op: str, path: Path_, value: Any) -> str:
    from yaml.nodes import MappingNode, ScalarNode, SequenceNode

    nl, quote = _newline(text), _quote_char(text)
    import yaml

    root = yaml.compose(text, Loader=yaml.CSafeLoader)
    if not isinstance(root, MappingNode) or _is_flow(text, root):
        raise CannotSplice
    parent: Node = root
    for depth, key in enumerate(path[:-1]):
        found = _child(parent, key)
        if found is None and op in ("remove", "rename"):
            return text
        if found is None:
            rest = path[depth + 1 :]
            nested: Any = [value] if op == "append" else value
            for part in reversed(rest):
                nested = {part: nested}
            return _insert_key(text, parent, key, nested, nl, quote)
        if _is_empty(text, found[1]):
            nested = [value] if op == "append" else value
            for part in reversed(path[depth + 1 :]):
                nested = {part: nested}
            return _replace_with_block(text, found[0], found[1], nested, nl, quote)
        parent = found[1]
        if not isinstance(parent, MappingNode) or _is_flow(text, parent):
            raise CannotSplice
    key = path[-1]
    found = _child(parent, key)
    if op in ("remove", "rename"):
        if found is None:
            return text
        if op == "rename":
            key_node = found[0]
            return (
                text[: key_node.start_mark.index]
                + _render_key(str(value))
                + text[key_node.end_mark.index :]
            )
        assert isinstance(parent, MappingNode)
        if len(parent.value) < 2:
            raise CannotSplice
        start = text.rfind("\n", 0, found[0].start_mark.index) + 1
        if text[start : found[0].start_mark.index].strip():
            raise CannotSplice  # the key shares its line with something else
        return text[:start] + text[_content_end(text, found[1], found[0]) :]
    if found is None:
        return _insert_key(text, parent, key, [value] if op == "append" else value, nl, quote)
    key_node, node = found
    if op == "set":
        if (
            isinstance(value, dict | list)
            or not isinstance(node, ScalarNode)
            or node.style in ("|", ">")
        ):
            raise CannotSplice
        return _replace_scalar(text, node, render_scalar(value, quote))
    if _is_empty(text, node):
        return _replace_with_block(text, key_node, node, [value], nl, quote)
    if not isinstance(node, SequenceNode) or _is_flow(text, node):
        raise CannotSplice
    dash_col = node.start_mark.column
    last = node.value[-1]
    if isinstance(last, MappingNode) and _is_flow(text, last) and isinstance(value, dict):
        lines = [" " * dash_col + "- " + _render_flow(value, quote)]
    else:
        seq = _seq_indent(text, node, key_node)
        lines = _render_item(value, dash_col, quote, seq)
    at = _content_end(text, last)
    prefix = "" if text[:at].endswith("\n") or at == 0 else nl
    return text[:at] + prefix + nl.join(lines) + nl + text[at:]


def _seq_indent(text: str, seq_node: Node, key_node: Node) -> int:
    offset = seq_node.start_mark.column - key_node.start_mark.column
    return offset if offset > 0 else 2


def _is_empty(text: str, node: Node) -> bool:
    """True for ``{}``, ``[]`` and an empty (null) value, which can become a block."""
    from yaml.nodes import MappingNode, ScalarNode, SequenceNode

    if isinstance(node, ScalarNode):
        return node.value == "" and node.tag.endswith("null")
    return isinstance(node, MappingNode | SequenceNode) and not node.value and _is_flow(text, node)


def _replace_scalar(text: str, node: Node, rendered: str) -> str:
    """Replace a scalar, keeping an inline comment after it in its column."""
    start, end = node.start_mark.index, node.end_mark.index
    gap = re.match(r"[ \t]*(?=#)", text[end:])
    if gap is not None and gap.group(0):
        old = len(gap.group(0))
        spaces = max(min(old, 2), old + (end - start) - len(rendered))
        return text[:start] + rendered + " " * spaces + text[end + old :]
    return text[:start] + rendered + text[end:]


def _replace_with_block(
    text: str, key_node: Node, node: Node, value: Any, nl: str, quote: str
) -> str:
    col = key_node.start_mark.column
    lines: list[str] = []
    if isinstance(value, dict):
        lines = render_block(value, col + 2, quote, 2)
    else:
        for element in value:
            lines.extend(_render_item(element, col + 2, quote, 2))
    start = node.start_mark.index
    while start > 0 and text[start - 1] == " ":
        start -= 1
    return text[:start] + nl + nl.join(lines) + text[node.end_mark.index :]


def _insert_key(text: str, parent: Node, key: str, value: Any, nl: str, quote: str) -> str:
    from yaml.nodes import MappingNode

    assert isinstance(parent, MappingNode)
    if not parent.value:
        raise CannotSplice
    col = parent.value[0][0].start_mark.column
    lines = render_block({key: value}, col, quote, 2)
    at = _content_end(text, parent.value[-1][1], parent.value[-1][0])
    prefix = "" if text[:at].endswith("\n") else nl
    return text[:at] + prefix + nl.join(lines) + nl + text[at:]


# --- top-level edits without a YAML parser --------------------------------------------


_PLAIN_VALUE = re.compile(r"[^\s'\"|>\[{&*!%@`#][^#\n]*?")


def apply_top_edits(text: str, ops: list[tuple[str, Path_, Any]]) -> str:
    """Make edits of top-level keys (set a scalar, append to a block list) on the text.

    The keys are found by their lines alone: the commonest edits (a stage, a history
    entry) then need no YAML parser. The result is checked by the caller like any other.

    Raises:
        CannotSplice: an edit is of another kind, or the text is not laid out plainly.
    """
    for op, path, value in ops:
        if len(path) != 1 or op not in ("set", "append"):
            raise CannotSplice
        text = _top_edit(text, op, path[0], value)
    return text


def _top_edit(text: str, op: str, key: str, value: Any) -> str:
    nl, quote = _newline(text), _quote_char(text)
    found = list(re.finditer(rf"^{re.escape(key)}:(?=[ \r\n]|$)", text, re.M))
    if len(found) != 1 or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
        raise CannotSplice
    start = found[0].end()
    line_end = text.find("\n", start)
    line_end = len(text) if line_end < 0 else line_end
    rest = text[start:line_end].rstrip("\r")
    if op == "set":
        if isinstance(value, dict | list):
            raise CannotSplice
        match = re.fullmatch(r"( +)(" + _PLAIN_VALUE.pattern + r")( +#.*)?", rest)
        following = text[line_end + 1 : line_end + 2]
        if match is None or following in (" ", "\t"):
            raise CannotSplice  # a quoted, block or multi-line value: leave it to the parser
        at = start + match.start(2)
        old = match.group(2)
        rendered = render_scalar(value, quote)
        if match.group(3):
            old_gap = len(match.group(3)) - len(match.group(3).lstrip(" "))
            gap = max(min(old_gap, 2), old_gap + len(old) - len(rendered))
            return (
                text[:at]
                + rendered
                + " " * gap
                + match.group(3).lstrip(" ")
                + text[start + len(rest) :]
            )
        return text[:at] + rendered + text[at + len(old) :]
    if rest.strip() and not rest.strip().startswith("#"):
        raise CannotSplice  # a flow list or a scalar on the key's line
    lines = text[line_end + 1 :].split("\n")
    dash_col = -1
    last = -1  # index in lines of the last line of the list's content
    for i, line in enumerate(lines):
        bare = line.rstrip("\r")
        stripped = bare.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(bare) - len(stripped)
        if dash_col < 0:
            if not stripped.startswith("- ") or stripped.startswith(("- {", "- [")):
                raise CannotSplice
            dash_col = indent
        if indent < dash_col or (indent == dash_col and not stripped.startswith("- ")):
            break
        if indent == 0 and not stripped.startswith("- "):
            break
        last = i
    if last < 0:
        raise CannotSplice
    if any(
        line.lstrip(" ").startswith(("- {", "- ["))
        and len(line) - len(line.lstrip(" ")) == dash_col
        for line in lines[: last + 1]
    ):
        raise CannotSplice  # flow-style items: the parser's splicer matches their style
    seq = dash_col if dash_col > 0 else 2
    item = nl.join(_render_item(value, dash_col, quote, seq))
    head = text[: line_end + 1] + "\n".join(lines[: last + 1])
    tail = "\n".join(lines[last + 1 :])
    if last + 1 < len(lines):
        return head + "\n" + item + nl + tail
    return head + (nl if not head.endswith("\n") else "") + item + nl


# --- the round-trip library, for what cannot be spliced ---------------------------------


def apply_ruamel(text: str, ops: list[tuple[str, Path_, Any]]) -> str:
    """Make the edits with the round-trip library (keeps comments, may reflow)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.util import load_yaml_guess_indent

    _, indent, block_seq_indent = load_yaml_guess_indent(text)
    rt = YAML()
    rt.preserve_quotes = True
    rt.width = 4096
    mapping_indent = indent or 2
    offset = block_seq_indent or 0
    rt.indent(mapping=mapping_indent, sequence=max(mapping_indent, offset + 2), offset=offset)
    data = rt.load(text)
    for op, path, value in ops:
        parent = data
        for key in path[:-1]:
            if not isinstance(parent.get(key), dict):
                parent[key] = {}
            parent = parent[key]
        if op == "remove":
            parent.pop(path[-1], None)
        elif op == "rename":
            if path[-1] in parent:
                position = list(parent).index(path[-1])
                parent.insert(position, value, parent.pop(path[-1]))
        elif op == "set":
            parent[path[-1]] = value
        else:
            if not isinstance(parent.get(path[-1]), list):
                parent[path[-1]] = []
            parent[path[-1]].append(value)
    out = io.StringIO()
    rt.dump(data, out)
    return out.getvalue()
