"""Reading ``.po`` catalogues and compiling them to ``.mo``, with the standard library only.

Babel extracts and updates the catalogues (``python -m clr.i18n.update``, a development
tool); running clr needs only this: a ``.po`` read at start-up when no up-to-date ``.mo`` is
beside it (a source checkout), and the ``.mo`` files that a wheel build compiles.
"""

from __future__ import annotations

import gettext
import re
import struct
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Entry:
    """One message of a catalogue."""

    msgid: str
    msgstr: str = ""
    plural: str | None = None
    plurals: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def fuzzy(self) -> bool:
        """True when a translator has yet to check the translation."""
        return "fuzzy" in self.flags

    @property
    def translated(self) -> bool:
        """True when every form has a translation that is not fuzzy."""
        if self.fuzzy:
            return False
        if self.plural is not None:
            return bool(self.plurals) and all(self.plurals)
        return bool(self.msgstr)


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_ESCAPE = re.compile(r"\\(.)")


def _unquote(text: str) -> str:
    """The value of a quoted .po string, its C escapes (newline, tab, quote) undone."""
    text = text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise ValueError(f"{text!r} is not a quoted string")
    inner = text[1:-1]
    if "\\" not in inner:
        return inner
    return _ESCAPE.sub(lambda m: _ESCAPES.get(m.group(1), m.group(0)), inner)


def parse(text: str) -> list[Entry]:
    """The entries of a ``.po`` file, the header (msgid "") included; obsolete ones left out."""
    entries: list[Entry] = []
    flags: set[str] = set()
    current: Entry | None = None
    target = ""  # which string the continuation lines add to
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#,"):
            flags = {f.strip() for f in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        if line.startswith("msgid "):
            current = Entry(_unquote(line[6:]), flags=flags, line=number)
            entries.append(current)
            flags, target = set(), "msgid"
        elif current is None:
            raise ValueError(f"line {number}: {raw!r} comes before any msgid")
        elif line.startswith("msgid_plural "):
            current.plural, target = _unquote(line[13:]), "plural"
        elif line.startswith("msgstr["):
            index, _, rest = line[7:].partition("]")
            current.plurals.append(_unquote(rest.strip()))
            target = f"plurals{int(index)}"
        elif line.startswith("msgstr "):
            current.msgstr, target = _unquote(line[7:]), "msgstr"
        elif line.startswith('"'):
            more = _unquote(line)
            if target == "msgid":
                current.msgid += more
            elif target == "plural":
                current.plural = (current.plural or "") + more
            elif target == "msgstr":
                current.msgstr += more
            else:
                current.plurals[-1] += more
        else:
            raise ValueError(f"line {number}: {raw!r} is not a .po line")
    return entries


def messages(entries: list[Entry]) -> dict[str, str]:
    """The translated messages as a ``.mo`` holds them (fuzzy and untranslated ones left out).

    A plural message is keyed by its singular and plural joined by a NUL, its forms too.
    """
    out: dict[str, str] = {}
    for entry in entries:
        if entry.msgid == "":
            out[""] = entry.msgstr
        elif entry.translated:
            if entry.plural is not None:
                out[entry.msgid + "\0" + entry.plural] = "\0".join(entry.plurals)
            else:
                out[entry.msgid] = entry.msgstr
    return out


class Catalogue(gettext.GNUTranslations):
    """A catalogue built from parsed entries rather than from a ``.mo`` file."""

    def __init__(self, entries: list[Entry]) -> None:
        gettext.NullTranslations.__init__(self)
        self._catalog: dict[Any, str] = {}
        header = next((e.msgstr for e in entries if e.msgid == ""), "")
        self.plural = _plural_rule(header)
        for entry in entries:
            if not entry.msgid or not entry.translated:
                continue
            if entry.plural is not None:
                for i, form in enumerate(entry.plurals):
                    self._catalog[(entry.msgid, i)] = form
            else:
                self._catalog[entry.msgid] = entry.msgstr


def _plural_rule(header: str) -> Any:
    for line in header.splitlines():
        name, _, value = line.partition(":")
        if name.strip().lower() == "plural-forms":
            rule = value.split("plural=")[-1].strip().rstrip(";")
            return gettext.c2py(rule)
    return gettext.c2py("n != 1")


def translations(entries: list[Entry]) -> gettext.GNUTranslations:
    """A gettext translations object for the entries of a ``.po`` file."""
    return Catalogue(entries)


def compile_mo(entries: list[Entry]) -> bytes:
    """The bytes of a ``.mo`` file for the entries (GNU format, little-endian, no hash table)."""
    found = messages(entries)
    keys = sorted(found)
    ids = [k.encode("utf-8") for k in keys]
    strs = [found[k].encode("utf-8") for k in keys]
    count = len(keys)
    ids_start = 7 * 4 + 16 * count
    offsets: list[int] = []
    position = ids_start
    for data in ids:
        offsets += [len(data), position]
        position += len(data) + 1
    for data in strs:
        offsets += [len(data), position]
        position += len(data) + 1
    header = struct.pack("<7I", 0x950412DE, 0, count, 7 * 4, 7 * 4 + 8 * count, 0, 0)
    table = struct.pack(f"<{4 * count}I", *offsets)
    body = b"".join(d + b"\0" for d in ids) + b"".join(d + b"\0" for d in strs)
    return header + table + body
