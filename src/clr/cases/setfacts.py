"""``clr set``: record facts in a case by dotted path, typed by the case schema.

``PATH=VALUE`` sets a value, ``PATH+=ITEM`` appends an item to a list; a fragment of YAML
or JSON (``--from``) is merged into the case. Every value is typed by the field's schema
(dates, whole numbers, numbers, true/false, fixed sets of values with a did-you-mean), and
the changed case is checked against the schema of its stage before anything is written:
the write goes through the same splicing editor as every other change, so comments and
layout survive and ``git diff`` shows only the lines meant.

Merging a fragment: mappings are merged key by key (a key the case lacks is added whole,
a key it has is merged into), list items are *appended* to the case's list (the lists of a
case are records: visits, payments, signatures, follow-ups; replacing one is
``clr set CASE PATH=[...]``), and any other value replaces the case's.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from clr.cases.caseops import CaseSession, commit
from clr.errors import ClrError, Words
from clr.i18n import N_, Nn_, current, current_catalogue
from clr.io import yamlio
from clr.io.resources import load_schema
from clr.model.case import dig
from clr.model.dates import partial_bounds
from clr.model.findings import Joined, Said, said, said_n, say

Path_ = tuple[str, ...]

# Written only by other commands: the hint names the one to use.
MANAGED = {
    "schema_version": N_("it is the case format's version: clr migrate changes it"),
    "id": N_("a case id never changes"),
    "stage": N_("the stage is moved by clr advance CASE (it checks what the stage needs)"),
    "history": N_("the history is appended by clr advance"),
    "checklist": N_("checklist items are ticked with clr tick CASE ITEM"),
}

# Fields of the encrypted identity file, as a caseworker might name them in a case path,
# and the ``clr identity set`` flag for each.
_IDENTITY_FLAGS = {
    "name": "--name",
    "full_name": "--name",
    "real_name": "--name",
    "contact": "--contact",
    "phone": "--contact",
    "address": "--address",
    "id_document_type": "--id-document-type",
    "id_document_number": "--id-document-number",
    "guardian_name": "--guardian-name",
    "guardian_contact": "--guardian-contact",
    "guardian_phone": "--guardian-contact",
    "photos": "--photos",
}
_PERSON_PARENTS = ("child", "guardian", "family", "parent", "identity")


class SetError(ClrError):
    """A path or value given to ``clr set`` is wrong; nothing was written."""

    def __init__(
        self, message: str | Words, hint: str | Words | None = None, *, exit_code: int = 1
    ) -> None:
        super().__init__(message, hint)
        self.exit_code = exit_code

    def problem(self, source: str = "") -> Joined:
        """The error as one problem of a list: its message, then its hint on the next line."""
        said_as = self.worded or self.message
        hint = self.hint_worded or self.hint
        parts = (f"{source}: " if source else "", said_as, *(("\n      ", hint) if hint else ()))
        return Joined("", parts)


class _Listed:
    """Problems as a list under a heading, each wrapped to an 80-column terminal.

    Wrapped when said, in the language it is said in (a translation is longer or shorter).
    """

    def __init__(self, head: Said, problems: Sequence[Any]) -> None:
        self.head = head
        self.problems = tuple(problems)

    def english(self) -> str:
        """In English."""
        return self._text("en", None)

    def local(self) -> str:
        """In the language in force."""
        return self._text(current(), current_catalogue())

    def _text(self, lang: str, texts: Any) -> str:
        lines = [say(self.head, lang, texts)]
        lines += [_wrapped(say(p, lang, texts)) for p in self.problems]
        return "\n".join(lines)


@dataclass(frozen=True)
class Assignment:
    """One ``PATH=VALUE`` or ``PATH+=ITEM`` from the command line."""

    path: Path_
    append: bool
    text: str

    @property
    def dotted(self) -> str:
        """The path as typed."""
        return ".".join(self.path)


def parse_assignment(arg: str) -> Assignment:
    """Split ``PATH=VALUE`` or ``PATH+=ITEM``.

    Raises:
        SetError: no ``=``, or an empty path or path part (exit code 2: a usage error).
    """
    key, sep, value = arg.partition("=")
    if not sep:
        raise SetError(
            said(N_("{arg} is not PATH=VALUE"), arg=repr(arg)),
            hint=said(
                N_("e.g. {example} (PATH+=ITEM appends to a list)"),
                example="clr set CASE protection.safe_place=home",
            ),
            exit_code=2,
        )
    append = key.endswith("+")
    key = key.removesuffix("+").strip()
    parts = tuple(key.split("."))
    if not key or any(not p for p in parts):
        raise SetError(
            said(
                N_("{arg}: the path {key} is empty or has an empty part"),
                arg=repr(arg),
                key=repr(key),
            ),
            hint=said(
                N_("write dotted keys, e.g. {example}"),
                example="assessment.interview.date=2026-01-10",
            ),
            exit_code=2,
        )
    return Assignment(parts, append, value)


# --- the schema of a path -------------------------------------------------------------


def _resolve(node: Any) -> dict[str, Any]:
    """Follow local ``$ref`` s (keeping the referring node's own keywords)."""
    root = load_schema("case")
    while isinstance(node, dict) and str(node.get("$ref", "")).startswith("#/"):
        target: Any = root
        for part in node["$ref"][2:].split("/"):
            target = target[part]
        merged = dict(target)
        merged.update({k: v for k, v in node.items() if k != "$ref"})
        node = merged
    return node if isinstance(node, dict) else {}


def _keys(node: dict[str, Any]) -> list[str]:
    names = list(node.get("properties", {}))
    enum = node.get("propertyNames", {}).get("enum")
    return names + [str(k) for k in enum or []]


def _child(node: dict[str, Any], key: str) -> dict[str, Any] | None:
    """The schema of ``key`` inside the mapping schema ``node``; None if not allowed."""
    if key in node.get("properties", {}):
        return _resolve(node["properties"][key])
    if key.startswith("x-") and node.get("patternProperties"):
        return {}
    names = node.get("propertyNames", {}).get("enum")
    if names is not None and key not in names:
        return None
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        return _resolve(extra)
    if extra is None and "properties" not in node and "type" not in node:
        return {}
    return None


def _types(node: dict[str, Any]) -> set[str]:
    kind = node.get("type")
    found = set(kind) if isinstance(kind, list) else {kind} if kind else set()
    for option in node.get("oneOf", []) + node.get("anyOf", []):
        found |= _types(_resolve(option))
    if "properties" in node or "additionalProperties" in node:
        found.add("object")
    if "items" in node:
        found.add("array")
    return found


def _enum(node: dict[str, Any]) -> list[Any] | None:
    if "enum" in node:
        return list(node["enum"])
    for option in node.get("oneOf", []):
        values = _resolve(option).get("enum")
        if values:
            return list(values)
    return None


def schema_at(path: Path_) -> dict[str, Any]:
    """The case schema's node for ``path``, its ``$ref`` s followed.

    Raises:
        SetError: no such field, with the keys allowed there and a did-you-mean.
    """
    node = _resolve(load_schema("case"))
    for depth, key in enumerate(path):
        if "array" in _types(node) and "object" not in _types(node):
            where = ".".join(path[:depth])
            raise SetError(
                said(
                    N_("{path}: {where} is a list; clr set does not change its items one by one"),
                    path=".".join(path),
                    where=where,
                ),
                hint=said(
                    N_("append with {append}, or give the whole list: {whole}"),
                    append=f"{where}+=ITEM",
                    whole=f"{where}=[...]",
                ),
            )
        child = _child(node, key) if "object" in _types(node) or not _types(node) else None
        if child is None:
            where_said = ".".join(path[:depth]) if depth else said(N_("the top of a case"))
            allowed = _keys(node)
            close = difflib.get_close_matches(key, allowed, n=3, cutoff=0.6)
            hint: Any
            if "object" not in _types(node):
                hint = said(
                    N_("{path} holds a value, not named fields"), path=".".join(path[:depth])
                )
            else:
                hint = _fields_hint(close, allowed, where_said)
            raise SetError(
                said(
                    N_("{path}: {key} is not a field of {where}"),
                    path=".".join(path),
                    key=repr(key),
                    where=where_said,
                ),
                hint=hint,
            )
        node = child
    return node


def refuse_identity(path: Path_, case_id: str) -> None:
    """Refuse a path that names a field of the encrypted identity file.

    Raises:
        SetError: the path is an identity field; the hint is the ``clr identity`` command.
    """
    key = path[-1].lower()
    parent = path[-2].lower() if len(path) > 1 else ""
    if len(path) > 2 or (parent and parent not in _PERSON_PARENTS):
        return
    if parent in ("guardian", "parent") and key in ("name", "contact", "phone"):
        key = f"guardian_{'contact' if key == 'phone' else key}"
    flag = _IDENTITY_FLAGS.get(key)
    if flag is None or (not parent and key not in _IDENTITY_FLAGS):
        return
    value = "" if flag == "--photos" else ' "..."'
    raise SetError(
        said(
            N_(
                "{path}: names, contacts, addresses and ID numbers never go into case.yaml; "
                "they belong in the case's encrypted identity file"
            ),
            path=".".join(path),
        ),
        hint=said(
            N_("{command}   (or {edit}, which keeps the value out of your shell history)"),
            command=f"clr identity set {case_id} {flag}{value}",
            edit=f"clr identity edit {case_id}",
        ),
    )


# --- typing a value -------------------------------------------------------------------


_TRUE = {"true", "yes", "y", "on", "1"}
_FALSE = {"false", "no", "n", "off", "0"}


def _shown(options: list[Any], limit: int = 12) -> str | Said:
    texts = [str(o) for o in options]
    if len(texts) <= limit:
        return ", ".join(texts)
    return said(
        N_("{values}, … ({count} in all)"), values=", ".join(texts[:limit]), count=len(texts)
    )


def _fields_hint(close: list[str], allowed: list[str], where: Any = None) -> Joined:
    """A did-you-mean and the fields allowed, each only when there is something to say."""
    parts: list[Any] = []
    if close:
        parts.append(said(N_("did you mean {choices}?"), choices=" / ".join(close)))
    if allowed and where is not None:
        parts.append(
            said(N_("fields of {where}: {fields}"), where=where, fields=", ".join(allowed))
        )
    elif allowed:
        parts.append(said(N_("fields: {fields}"), fields=", ".join(allowed)))
    return Joined(" ", tuple(parts))


def _describe(node: dict[str, Any]) -> Said:
    enum = _enum(node)
    if enum:
        return said(N_("one of: {choices}"), choices=_shown(enum))
    if node.get("format") == "date":
        return said(N_("a date, YYYY-MM-DD"))
    if _is_partial_date(node):
        return said(N_("a date known to the year, month or day: YYYY, YYYY-MM or YYYY-MM-DD"))
    kinds = _types(node) - {"null"}
    if kinds == {"integer"}:
        return said(N_("a whole number"))
    if kinds == {"number"}:
        return said(N_("a number"))
    if kinds == {"boolean"}:
        return said(N_("true or false"))
    if "object" in kinds:
        keys = _keys(node)
        if keys:
            return said(
                N_("key=value pairs or a JSON object (fields: {fields})"), fields=", ".join(keys)
            )
        return said(N_("key=value pairs or a JSON object"))
    if "array" in kinds:
        return said(N_("a JSON list, or items separated by commas"))
    return said(N_("text"))


def _enum_value(where: str, text: str, options: list[Any]) -> Any:
    if text in options:
        return text
    folded = [o for o in options if isinstance(o, str) and o.lower() == text.lower()]
    if len(folded) == 1:
        return folded[0]
    close = difflib.get_close_matches(text, [str(o) for o in options], n=3, cutoff=0.6)
    allowed = said(N_("allowed: {values}"), values=_shown(options, 40))
    raise SetError(
        said(N_("{path}: {value} is not an allowed value"), path=where, value=repr(text)),
        hint=Joined(" ", (said(N_("did you mean {choices}?"), choices=" / ".join(close)), allowed))
        if close
        else allowed,
    )


def type_value(where: str, node: dict[str, Any], raw: Any) -> Any:
    """``raw`` (text from the command line, or data) as the field ``node`` wants it.

    Raises:
        SetError: the value does not fit; the message names ``where`` and what is allowed.
    """
    kinds = _types(node) - {"null"}
    if not isinstance(raw, str):
        return _type_data(where, node, raw)
    text = raw.strip()
    enum = _enum(node)
    if enum is not None:
        return _enum_value(where, text, enum)
    if "object" in kinds and not kinds & {"string"}:
        return _type_data(where, node, _object_text(where, text, _keys(node)))
    if "array" in kinds and not kinds & {"string"}:
        if text.startswith("["):
            items = _json(where, text)
        else:
            items = [part.strip() for part in text.split(",") if part.strip()]
        if not isinstance(items, list):
            raise SetError(said(N_("{path}: not a list"), path=where), hint=_describe(node))
        return _type_data(where, node, items)
    if kinds == {"boolean"}:
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise SetError(
            said(N_("{path}: {value} is not true or false"), path=where, value=repr(text)),
            hint=said(N_("write true or false")),
        )
    if kinds <= {"integer", "number"} and kinds:
        try:
            number = float(text)
        except ValueError:
            number = None
        if number is None or number != number or number in (float("inf"), float("-inf")):
            raise SetError(
                said(N_("{path}: {value} is not a number"), path=where, value=repr(text)),
                hint=_describe(node),
            )
        if number.is_integer():
            return int(number)
        if kinds == {"integer"}:
            raise SetError(
                said(N_("{path}: {value} is not a whole number"), path=where, value=repr(text)),
                hint=_describe(node),
            )
        return number
    return _type_string(where, node, text)


def _type_string(where: str, node: dict[str, Any], text: str) -> str:
    if node.get("format") == "date":
        try:
            dt.date.fromisoformat(text)
        except ValueError:
            raise SetError(_not_a_date(where, text), hint=said(N_("write YYYY-MM-DD"))) from None
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise SetError(_not_a_date(where, text), hint=said(N_("write YYYY-MM-DD")))
    elif _is_partial_date(node) and partial_bounds(text) is None:
        raise SetError(_not_a_date(where, text), hint=_describe(node))
    return text


def _not_a_date(where: str, text: str) -> Said:
    return said(N_("{path}: {value} is not a date"), path=where, value=repr(text))


def _is_partial_date(node: dict[str, Any]) -> bool:
    return "pattern" in node and "YYYY, YYYY-MM" in str(node.get("description", ""))


def _type_data(where: str, node: dict[str, Any], value: Any) -> Any:
    """Check and type structured data (JSON, YAML, key=value groups) against ``node``."""
    kinds = _types(node) - {"null"}
    enum = _enum(node)
    if isinstance(value, dict):
        if kinds and "object" not in kinds:
            raise SetError(
                said(N_("{path}: a mapping is not allowed here"), path=where), hint=_describe(node)
            )
        out: dict[str, Any] = {}
        for key, item in value.items():
            key = str(key)
            path = tuple(where.split(".")) if where else ()
            child = _child(node, key)
            if child is None:
                allowed = _keys(node)
                close = difflib.get_close_matches(key, allowed, n=3, cutoff=0.6)
                raise SetError(
                    said(
                        N_("{path}: {key} is not a field of {where}"),
                        path=where,
                        key=repr(key),
                        where=where or said(N_("a case")),
                    ),
                    hint=_fields_hint(close, allowed),
                )
            out[key] = _type_data(".".join((*path, key)), child, item)
        return out
    if isinstance(value, list):
        if kinds and "array" not in kinds:
            raise SetError(
                said(N_("{path}: a list is not allowed here"), path=where), hint=_describe(node)
            )
        items = _resolve(node.get("items", {}))
        return [_type_data(f"{where}[{i}]", items, item) for i, item in enumerate(value)]
    if isinstance(value, str) and (enum is not None or kinds - {"string"}):
        return type_value(where, node, value)
    if enum is not None and value not in enum:
        return _enum_value(where, str(value), enum)
    if isinstance(value, bool) and kinds and "boolean" not in kinds:
        raise SetError(
            said(N_("{path}: {value} is not allowed here"), path=where, value=value),
            hint=_describe(node),
        )
    if isinstance(value, float) and value.is_integer() and kinds & {"integer", "number"}:
        return int(value)
    return value


def _json(where: str, text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SetError(
            said(
                N_("{path}: {value} is not valid JSON ({reason}, column {column})"),
                path=where,
                value=repr(text),
                reason=exc.msg,
                column=exc.colno,
            ),
            hint=said(
                N_("quote the whole argument for the shell, e.g. {example}"),
                example="'plan.follow_ups=[\"2026-05-10\"]'",
            ),
        ) from None


def _object_text(where: str, text: str, keys: Sequence[str] = ()) -> dict[str, Any]:
    """A JSON object, or ``key=value,key=value`` (dotted keys nest) as a mapping.

    ``keys`` are the mapping's fields, for the example a wrong value is answered with.
    """
    if text.startswith("{"):
        value = _json(where, text)
        if not isinstance(value, dict):  # pragma: no cover - '{' starts an object
            raise SetError(said(N_("{path}: not a mapping"), path=where))
        return value
    out: dict[str, Any] = {}
    for pair in _split_pairs(text):
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise SetError(
                said(N_("{path}: {value} is not key=value"), path=where, value=repr(pair)),
                hint=_pairs_hint(where, keys),
            )
        node = out
        parts = key.strip().split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value.strip()
    return out


def _pairs_hint(where: str, keys: Sequence[str]) -> Said:
    """How to write the mapping at ``where``: with its own fields when they are known.

    Inside a list item given as ``key=value`` pairs (``plan.components+=type=school,
    cost.amount=120``), a mapping's fields are dotted keys of the item.
    """
    if not keys:
        return said(N_("write key=value,key=value (or a JSON object)"))
    name = where.rpartition(".")[2]
    inside = "[]." in where
    example = ",".join(f"{name}.{k}=…" if inside else f"{k}=…" for k in keys[:3])
    return said(
        N_("{field} holds {fields}: write {example} (or a JSON object)"),
        field=name,
        fields=", ".join(keys),
        example=example,
    )


def _split_pairs(text: str) -> list[str]:
    """Split on commas, except inside quotes: ``a=1,b="x, y"``."""
    pairs: list[str] = []
    current, quote = "", ""
    for ch in text:
        if quote:
            if ch == quote:
                quote = ""
            else:
                current += ch
        elif ch in "\"'":
            quote = ch
        elif ch == ",":
            pairs.append(current)
            current = ""
        else:
            current += ch
    if current.strip():
        pairs.append(current)
    return [p.strip() for p in pairs if p.strip()]


# --- applying -------------------------------------------------------------------------


def _check_path(path: Path_, case_id: str) -> dict[str, Any]:
    refuse_identity(path, case_id)
    if path[0] in MANAGED:
        raise SetError(
            said(N_("{path}: clr set does not write this"), path=".".join(path)),
            hint=said(MANAGED[path[0]]),
        )
    return schema_at(path)


def plan_assignments(session: CaseSession, assignments: list[Assignment]) -> list[Joined]:
    """Queue the edits of ``assignments`` on the session; return every problem (none: ok)."""
    case_id = str(session.data.get("id"))
    problems: list[Joined] = []
    for item in assignments:
        try:
            node = _check_path(item.path, case_id)
            if not item.text.strip():
                raise SetError(
                    said(
                        N_("{path}: no value given ({what})"),
                        path=item.dotted,
                        what=_describe(node),
                    ),
                    hint=said(N_("clr set records values; it does not remove a field")),
                )
            if item.append:
                if "array" not in _types(node):
                    raise SetError(
                        said(
                            N_("{path}: += appends to a list, and this is not one"),
                            path=item.dotted,
                        ),
                        hint=said(
                            N_("write {assignment} ({what})"),
                            assignment=f"{item.dotted}=VALUE",
                            what=_describe(node),
                        ),
                    )
                items = _resolve(node.get("items", {}))
                raw: Any = item.text.strip()
                if "object" in _types(items):
                    raw = _object_text(item.dotted, raw)
                elif raw.startswith(("[", "{")):
                    raw = _json(item.dotted, raw)
                values = raw if isinstance(raw, list) else [raw]
                for value in values:
                    typed = type_value(f"{item.dotted}[]", items, value)
                    _append(session, item.path, typed)
            else:
                typed = type_value(item.dotted, node, item.text)
                _set_merged(session, item.path, typed, dig(session.doc.expected(), *item.path))
        except SetError as exc:
            problems.append(exc.problem())
    return problems


def plan_removals(session: CaseSession, paths: list[str]) -> list[Joined]:
    """Queue the removal of each dotted path; return every problem (none: ok)."""
    case_id = str(session.data.get("id"))
    problems: list[Joined] = []
    for dotted in paths:
        path = tuple(dotted.split("."))
        try:
            if not dotted or any(not p for p in path):
                raise SetError(
                    said(N_("--unset {path}: not a dotted path"), path=repr(dotted)), exit_code=2
                )
            _check_path(path, case_id)
            parent = dig(session.doc.expected(), *path[:-1]) if len(path) > 1 else None
            holder = session.doc.expected() if len(path) == 1 else parent
            if not isinstance(holder, dict) or path[-1] not in holder:
                raise SetError(
                    said(N_("{path}: the case has no such value to remove"), path=dotted)
                )
            session.doc.remove(path)
        except SetError as exc:
            if exc.exit_code == 2:
                raise
            problems.append(exc.problem())
    return problems


def _set_merged(session: CaseSession, path: Path_, value: Any, current: Any) -> None:
    """Set ``value``; a mapping given for a mapping the case has is merged into it."""
    if isinstance(value, dict) and isinstance(current, dict) and value:
        for key, item in value.items():
            _set_merged(session, (*path, key), item, current.get(key))
    else:
        session.doc.set(path, value)


def _append(session: CaseSession, path: Path_, value: Any) -> None:
    current = dig(session.doc.expected(), *path)
    if current is None:
        session.doc.set(path, [value])
    else:
        session.doc.append(path, value)


def read_fragment(text: str, source: str) -> dict[str, Any]:
    """A YAML or JSON fragment (JSON is YAML), read by clr's strict reader.

    Raises:
        SetError: not a mapping, or not valid YAML (the message names the line).
    """
    loaded = yamlio.parse_text(text, source)
    errors = [f for f in loaded.findings if f.severity == "error"]
    if errors or loaded.data is None:
        first = errors[0] if errors else None
        raise SetError(
            Joined("", (f"{source}:{first.line}:{first.col}: ", first.worded or first.message))
            if first
            else said(N_("{file}: not a YAML or JSON mapping"), file=source),
            hint=said(
                N_("give a mapping of case fields, e.g. {example}"),
                example="'protection: {safe_place: home}'",
            ),
        )
    return loaded.data


def plan_fragment(session: CaseSession, fragment: dict[str, Any], source: str) -> list[Joined]:
    """Queue the merge of ``fragment`` into the case; return every problem found.

    Each problem starts with ``source:`` (``exc.problem(source)``).
    """
    case_id = str(session.data.get("id"))
    problems: list[Joined] = []

    def merge(path: Path_, value: Any, current: Any) -> None:
        dotted = ".".join(path)
        try:
            node = _check_path(path, case_id)
            if isinstance(value, dict) and isinstance(current, dict) and value:
                for key, item in value.items():
                    merge((*path, str(key)), item, current.get(str(key)))
                return
            if isinstance(value, dict) and value:
                # A new mapping is added whole, once every field in it is right.
                before = len(problems)
                for key, item in value.items():
                    check((*path, str(key)), item)
                if len(problems) > before:
                    return
            typed = _type_data(dotted, node, value)
            if isinstance(typed, list) and isinstance(current, list):
                for item in typed:
                    session.doc.append(path, item)
            else:
                session.doc.set(path, typed)
        except SetError as exc:
            problems.append(exc.problem(source))

    def check(path: Path_, value: Any) -> None:
        try:
            node = _check_path(path, case_id)
            if isinstance(value, dict) and value:
                for key, item in value.items():
                    check((*path, str(key)), item)
            else:
                _type_data(".".join(path), node, value)
        except SetError as exc:
            problems.append(exc.problem(source))

    current = session.doc.expected()  # the case with the PATH=VALUE edits already made
    for key, value in fragment.items():
        merge((str(key),), value, current.get(str(key)))
    return problems


def _wrapped(problem: str, width: int = 79) -> str:
    """A problem as a list item, its hint indented, each wrapped to an 80-column terminal."""
    import textwrap

    first, _, hint = problem.partition("\n")
    lines = textwrap.wrap(first, width, initial_indent="  - ", subsequent_indent="    ")
    if hint.strip():
        lines += textwrap.wrap(
            hint.strip(), width, initial_indent="      ", subsequent_indent="      "
        )
    return "\n".join(lines)


def next_step(session: CaseSession) -> str | Said:
    """What the changed case still lacks for its next stage, in one line."""
    from clr.model import stages
    from clr.model.workflow import move_blockers

    data = session.doc.expected()
    stage = str(data.get("stage"))
    target = stages.next_stage(stage) if stage in stages.STAGES else None
    if target is None:
        return ""
    blockers = move_blockers(data, target, session.playbook(), session.ctx.calendar)
    case_id = data.get("id")
    if not blockers:
        return said(
            N_("ready to move to {stage}: {command}"),
            stage=target,
            command=f"clr advance {case_id}",
        )
    return said_n(
        Nn_("{n} thing before {stage}: {command}", "{n} things before {stage}: {command}"),
        len(blockers),
        stage=target,
        command=f"clr next {case_id}",
    )


def apply(session: CaseSession, problems: Sequence[Any], *, dry_run: bool) -> str:
    """Refuse with every problem, or check and write the queued edits; return a dry run's diff.

    Raises:
        SetError: a path or value was wrong (every one is named); nothing was written.
        CaseInvalid: the case would break its stage's schema or clr's rules.
    """
    if problems:
        head = said_n(
            Nn_("{n} problem; nothing was written:", "{n} problems; nothing was written:"),
            len(problems),
        )
        raise SetError(
            _Listed(head, problems),
            hint=said(
                N_(
                    "clr schema case lists every field; clr next CASE says what the next stage "
                    "needs"
                )
            ),
        )

    if not session.doc.ops:
        return ""
    return commit(session, dry_run=dry_run, what="change")
