r"""Case values made safe to print: on a terminal, in Markdown, in JSON.

A case file is text anyone with the repository can write, and YAML's escapes put any
character in a value: ``"\e[2J"`` clears a screen, ``"\e]0;…\a"`` sets a terminal's
title, U+202E turns the rest of a line right to left, ``<script>`` and
``[x](javascript:…)`` run in whatever shows a Markdown report. Every command that prints
a value of a case passes it through one of these functions first:

* ``terminal``: control characters (C0, DEL, C1), bidirectional and other invisible
  format characters (U+200E/F, U+202A–202E, U+2066–2069, U+061C, U+FEFF …) and line or
  paragraph separators are shown as escapes (``\x1b``, ``\u202e``), never sent raw. Line
  breaks and tabs are kept only where the caller prints a block of text.
* ``markdown``: the same, line breaks as spaces, and the characters Markdown or HTML give
  a meaning (``< > & * [ ] | ` \ ~``) written as character references, which every
  Markdown renderer shows as the character itself; ``javascript:`` and the like lose
  their colon. ``link`` keeps a link only with a safe scheme.
* ``json_text``: a JSON document with the same characters written as ``\uXXXX`` (still the
  same JSON value; control characters proper are escaped by ``json.dumps`` already).

``terminal_data`` and ``markdown_data`` apply them to every string (keys too) of a parsed
case, for renderers that print many of its values. Zero-width joiner and non-joiner
(U+200C/D) stay: Bangla, Persian and emoji need them, and they hide nothing.
"""

from __future__ import annotations

import functools
import re
from typing import Any

# C0 but tab and line feed; DEL and C1; the format characters (Unicode category Cf) but
# ZWNJ/ZWJ; line and paragraph separators; lone surrogates (bytes that were not UTF-8).
_UNSAFE_CLASS = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f"
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    "\u200b\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f"
    "\ufeff\ufff9-\ufffb\ud800-\udfff"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
_SOURCES = {
    "unsafe": f"[{_UNSAFE_CLASS}]",
    "unsafe_line": f"[{_UNSAFE_CLASS}\t\n]",
    "line_breaks": r"[ \t]*(?:\r\n|[\r\n\x0b\x0c\x85\u2028\u2029])[ \t]*",
    "script_scheme": r"(?i)\b(javascript|vbscript|livescript)(\s*):",
}


@functools.cache
def _pattern(name: str) -> re.Pattern[str]:
    """A pattern, compiled on first use.

    The two classes of unsafe characters cost 12 million instructions to compile (0.05x
    the start of a command), and most text, being printable, never needs them (see
    :func:`terminal`).
    """
    return re.compile(_SOURCES[name])


_MARKDOWN = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    "\\": "&#92;",
    "`": "&#96;",
    "*": "&#42;",
    "[": "&#91;",
    "]": "&#93;",
    "|": "&#124;",
    "~": "&#126;",
}
_SOURCES["markdown_special"] = "[" + re.escape("".join(_MARKDOWN)) + "]"
_SAFE_SCHEMES = ("http://", "https://", "mailto:")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def terminal(value: object, *, block: bool = False) -> str:
    """``value`` as text that prints as itself: controls and bidi marks shown as escapes.

    ``block``: the caller prints a block of text, so line feeds and tabs stay.
    """
    text = value if isinstance(value, str) else str(value)
    # Every unsafe character is one str.isprintable() refuses (tests/render/test_safe.py):
    # printable text, most of it, is shown as it is without a search.
    if text.isprintable() or (block and text.replace("\n", "").replace("\t", "").isprintable()):
        return text
    pattern = _pattern("unsafe" if block else "unsafe_line")
    return pattern.sub(_visible, text) if pattern.search(text) else text


def markdown(value: object) -> str:
    """``value`` as inline Markdown text that shows as itself, on one line."""
    text = value if isinstance(value, str) else str(value)
    text = _pattern("line_breaks").sub(" ", text)
    text = _pattern("markdown_special").sub(lambda m: _MARKDOWN[m.group(0)], text)
    # then the escapes, whose backslash is followed by a letter: Markdown shows it as is
    text = terminal(text)
    return _pattern("script_scheme").sub(r"\1\2&#58;", text)


def link(text: object, url: object) -> str:
    """A Markdown link to ``url`` if its scheme is http, https or mailto; else the text."""
    target = str(url).strip()
    shown = markdown(text)
    if target.lower().startswith(_SAFE_SCHEMES) and not _pattern("unsafe").search(target):
        escaped = target.replace("(", "%28").replace(")", "%29").replace(" ", "%20")
        escaped = escaped.replace("<", "%3C").replace(">", "%3E")
        return f"[{shown}]({escaped})"
    return shown


def html(value: object) -> str:
    """``value`` as HTML text (for formats that embed it)."""
    import html as _html

    return _html.escape(terminal(value), quote=True)


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def json_text(text: str) -> str:
    r"""A JSON document with bidi, DEL, C1 and format characters written as ``\uXXXX``.

    They can only be inside strings (JSON's own syntax is ASCII), so the document means
    the same; it just no longer sends them to a terminal raw.
    """
    if text.isascii() and not text.encode("ascii").translate(None, _ASCII_SAFE):
        return text  # the usual case, in two passes of C code over the whole text
    if text.replace("\n", "").isprintable():
        return text
    unsafe = _pattern("unsafe")
    return unsafe.sub(_json_escape, text) if unsafe.search(text) else text


_ASCII_SAFE = bytes(range(0x20, 0x7F)) + b"\t\n"
"""The ASCII characters ``json_text`` leaves as they are."""


def _deep(value: Any, convert: Any) -> Any:
    if isinstance(value, str):
        return convert(value)
    if isinstance(value, dict):
        return {
            convert(k) if isinstance(k, str) else k: _deep(v, convert) for k, v in value.items()
        }
    if isinstance(value, list):
        return [_deep(v, convert) for v in value]
    return value


def terminal_data(data: Any) -> Any:
    """A copy of parsed case data with every string made safe by ``terminal``."""
    return _deep(data, terminal)


def markdown_data(data: Any) -> Any:
    """A copy of parsed case data with every string made safe by ``markdown``."""
    return _deep(data, markdown)
