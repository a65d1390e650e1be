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
from dataclasses import dataclass
from typing import Any

from clr.cases.caseops import CaseSession, commit
from clr.errors import ClrError
from clr.io import yamlio
from clr.io.resources import load_schema
from clr.model.case import dig
from clr.model.dates import partial_bounds

Path_ = tuple[str, ...]

# Written only by other commands: the hint names the one to use.
MANAGED = {
    "schema_version": "it is the case format's version: clr migrate changes it",
    "id": "a case id never changes",
    "stage": "the stage is moved by clr advance CASE (it checks what the stage needs)",
    "history": "the history is appended by clr advance",
    "checklist": "checklist items are ticked with clr tick CASE ITEM",
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

    def __init__(self, message: str, hint: str | None = None, *, exit_code: int = 1) -> None:
        super().__init__(message, hint)
        self.exit_code = exit_code


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
            f"{arg!r} is not PATH=VALUE",
            hint="e.g. clr set CASE protection.safe_place=home (PATH+=ITEM appends to a list)",
            exit_code=2,
        )
    append = key.endswith("+")
    key = key.removesuffix("+").strip()
    parts = tuple(key.split("."))
    if not key or any(not p for p in parts):
        raise SetError(
            f"{arg!r}: the path {key!r} is empty or has an empty part",
            hint="write dotted keys, e.g. assessment.interview.date=2026-01-10",
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
                f"{'.'.join(path)}: {where} is a list; clr set does not change its items "
                "one by one",
                hint=f"append with {where}+=ITEM, or give the whole list: {where}=[...]",
            )
        child = _child(node, key) if "object" in _types(node) or not _types(node) else None
        if child is None:
            where = ".".join(path[:depth]) or "the top of a case"
            allowed = _keys(node)
            close = difflib.get_close_matches(key, allowed, n=3, cutoff=0.6)
            if "object" not in _types(node):
                hint = f"{'.'.join(path[:depth])} holds a value, not named fields"
            else:
                hint = (f"did you mean {' or '.join(close)}? " if close else "") + (
                    f"fields of {where}: {', '.join(allowed)}" if allowed else ""
                )
            raise SetError(f"{'.'.join(path)}: {key!r} is not a field of {where}", hint=hint)
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
        f"{'.'.join(path)}: names, contacts, addresses and ID numbers never go into "
        "case.yaml; they belong in the case's encrypted identity file",
        hint=f"clr identity set {case_id} {flag}{value}   (or clr identity edit {case_id}, "
        "which keeps the value out of your shell history)",
    )


# --- typing a value -------------------------------------------------------------------


_TRUE = {"true", "yes", "y", "on", "1"}
_FALSE = {"false", "no", "n", "off", "0"}


def _shown(options: list[Any], limit: int = 12) -> str:
    texts = [str(o) for o in options]
    return ", ".join(texts[:limit]) + (f", … ({len(texts)} in all)" if len(texts) > limit else "")


def _describe(node: dict[str, Any]) -> str:
    enum = _enum(node)
    if enum:
        return f"one of: {_shown(enum)}"
    if node.get("format") == "date":
        return "a date, YYYY-MM-DD"
    if _is_partial_date(node):
        return "a date known to the year, month or day: YYYY, YYYY-MM or YYYY-MM-DD"
    kinds = _types(node) - {"null"}
    if kinds == {"integer"}:
        return "a whole number"
    if kinds == {"number"}:
        return "a number"
    if kinds == {"boolean"}:
        return "true or false"
    if "object" in kinds:
        keys = _keys(node)
        return "key=value pairs or a JSON object" + (
            f" (fields: {', '.join(keys)})" if keys else ""
        )
    if "array" in kinds:
        return "a JSON list, or items separated by commas"
    return "text"


def _enum_value(where: str, text: str, options: list[Any]) -> Any:
    if text in options:
        return text
    folded = [o for o in options if isinstance(o, str) and o.lower() == text.lower()]
    if len(folded) == 1:
        return folded[0]
    close = difflib.get_close_matches(text, [str(o) for o in options], n=3, cutoff=0.6)
    raise SetError(
        f"{where}: {text!r} is not an allowed value",
        hint=(f"did you mean {' or '.join(close)}? " if close else "")
        + f"allowed: {_shown(options, 40)}",
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
        return _type_data(where, node, _object_text(where, text))
    if "array" in kinds and not kinds & {"string"}:
        if text.startswith("["):
            items = _json(where, text)
        else:
            items = [part.strip() for part in text.split(",") if part.strip()]
        if not isinstance(items, list):
            raise SetError(f"{where}: not a list", hint=_describe(node))
        return _type_data(where, node, items)
    if kinds == {"boolean"}:
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise SetError(f"{where}: {text!r} is not true or false", hint="write true or false")
    if kinds <= {"integer", "number"} and kinds:
        try:
            number = float(text)
        except ValueError:
            number = None
        if number is None or number != number or number in (float("inf"), float("-inf")):
            raise SetError(f"{where}: {text!r} is not a number", hint=_describe(node))
        if number.is_integer():
            return int(number)
        if kinds == {"integer"}:
            raise SetError(f"{where}: {text!r} is not a whole number", hint=_describe(node))
        return number
    return _type_string(where, node, text)


def _type_string(where: str, node: dict[str, Any], text: str) -> str:
    if node.get("format") == "date":
        try:
            dt.date.fromisoformat(text)
        except ValueError:
            raise SetError(f"{where}: {text!r} is not a date", hint="write YYYY-MM-DD") from None
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise SetError(f"{where}: {text!r} is not a date", hint="write YYYY-MM-DD")
    elif _is_partial_date(node) and partial_bounds(text) is None:
        raise SetError(f"{where}: {text!r} is not a date", hint=_describe(node))
    return text


def _is_partial_date(node: dict[str, Any]) -> bool:
    return "pattern" in node and "YYYY, YYYY-MM" in str(node.get("description", ""))


def _type_data(where: str, node: dict[str, Any], value: Any) -> Any:
    """Check and type structured data (JSON, YAML, key=value groups) against ``node``."""
    kinds = _types(node) - {"null"}
    enum = _enum(node)
    if isinstance(value, dict):
        if kinds and "object" not in kinds:
            raise SetError(f"{where}: a mapping is not allowed here", hint=_describe(node))
        out: dict[str, Any] = {}
        for key, item in value.items():
            key = str(key)
            path = tuple(where.split(".")) if where else ()
            child = _child(node, key)
            if child is None:
                allowed = _keys(node)
                close = difflib.get_close_matches(key, allowed, n=3, cutoff=0.6)
                raise SetError(
                    f"{where}: {key!r} is not a field of {where or 'a case'}",
                    hint=(f"did you mean {' or '.join(close)}? " if close else "")
                    + (f"fields: {', '.join(allowed)}" if allowed else ""),
                )
            out[key] = _type_data(".".join((*path, key)), child, item)
        return out
    if isinstance(value, list):
        if kinds and "array" not in kinds:
            raise SetError(f"{where}: a list is not allowed here", hint=_describe(node))
        items = _resolve(node.get("items", {}))
        return [_type_data(f"{where}[{i}]", items, item) for i, item in enumerate(value)]
    if isinstance(value, str) and (enum is not None or kinds - {"string"}):
        return type_value(where, node, value)
    if enum is not None and value not in enum:
        return _enum_value(where, str(value), enum)
    if isinstance(value, bool) and kinds and "boolean" not in kinds:
        raise SetError(f"{where}: {value} is not allowed here", hint=_describe(node))
    if isinstance(value, float) and value.is_integer() and kinds & {"integer", "number"}:
        return int(value)
    return value


def _json(where: str, text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SetError(
            f"{where}: {text!r} is not valid JSON ({exc.msg}, column {exc.colno})",
            hint="quote the whole argument for the shell, e.g. 'plan.follow_ups=[\"2026-05-10\"]'",
        ) from None


def _object_text(where: str, text: str) -> dict[str, Any]:
    """A JSON object, or ``key=value,key=value`` (dotted keys nest) as a mapping."""
    if text.startswith("{"):
        value = _json(where, text)
        if not isinstance(value, dict):  # pragma: no cover - '{' starts an object
            raise SetError(f"{where}: not a mapping")
        return value
    out: dict[str, Any] = {}
    for pair in _split_pairs(text):
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise SetError(
                f"{where}: {pair!r} is not key=value",
                hint="write key=value,key=value (or a JSON object)",
            )
        node = out
        parts = key.strip().split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value.strip()
    return out


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
        raise SetError(f"{'.'.join(path)}: clr set does not write this", hint=MANAGED[path[0]])
    return schema_at(path)


def plan_assignments(session: CaseSession, assignments: list[Assignment]) -> list[str]:
    """Queue the edits of ``assignments`` on the session; return every problem (none: ok)."""
    case_id = str(session.data.get("id"))
    problems: list[str] = []
    for item in assignments:
        try:
            node = _check_path(item.path, case_id)
            if not item.text.strip():
                raise SetError(
                    f"{item.dotted}: no value given ({_describe(node)})",
                    hint="clr set records values; it does not remove a field",
                )
            if item.append:
                if "array" not in _types(node):
                    raise SetError(
                        f"{item.dotted}: += appends to a list, and this is not one",
                        hint=f"write {item.dotted}=VALUE ({_describe(node)})",
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
            problems.append(exc.message + (f"\n      {exc.hint}" if exc.hint else ""))
    return problems


def plan_removals(session: CaseSession, paths: list[str]) -> list[str]:
    """Queue the removal of each dotted path; return every problem (none: ok)."""
    case_id = str(session.data.get("id"))
    problems: list[str] = []
    for dotted in paths:
        path = tuple(dotted.split("."))
        try:
            if not dotted or any(not p for p in path):
                raise SetError(f"--unset {dotted!r}: not a dotted path", exit_code=2)
            _check_path(path, case_id)
            parent = dig(session.doc.expected(), *path[:-1]) if len(path) > 1 else None
            holder = session.doc.expected() if len(path) == 1 else parent
            if not isinstance(holder, dict) or path[-1] not in holder:
                raise SetError(f"{dotted}: the case has no such value to remove")
            session.doc.remove(path)
        except SetError as exc:
            if exc.exit_code == 2:
                raise
            problems.append(exc.message + (f"\n      {exc.hint}" if exc.hint else ""))
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
        where = f"{source}:{first.line}:{first.col}: {first.message}" if first else source
        raise SetError(
            f"{where}" if first else f"{source}: not a YAML or JSON mapping",
            hint="give a mapping of case fields, e.g. 'protection: {safe_place: home}'",
        )
    return loaded.data


def plan_fragment(session: CaseSession, fragment: dict[str, Any], source: str) -> list[str]:
    """Queue the merge of ``fragment`` into the case; return every problem found."""
    case_id = str(session.data.get("id"))
    problems: list[str] = []

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
            problems.append(
                f"{source}: " + exc.message + (f"\n      {exc.hint}" if exc.hint else "")
            )

    def check(path: Path_, value: Any) -> None:
        try:
            node = _check_path(path, case_id)
            if isinstance(value, dict) and value:
                for key, item in value.items():
                    check((*path, str(key)), item)
            else:
                _type_data(".".join(path), node, value)
        except SetError as exc:
            problems.append(
                f"{source}: " + exc.message + (f"\n      {exc.hint}" if exc.hint else "")
            )

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


def next_step(session: CaseSession) -> str:
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
        return f"ready to move to {target}: clr advance {case_id}"
    count = len(blockers)
    return f"{count} thing{'s' if count != 1 else ''} before {target}: clr next {case_id}"


def apply(session: CaseSession, problems: list[str], *, dry_run: bool) -> str:
    """Refuse with every problem, or check and write the queued edits; return a dry run's diff.

    Raises:
        SetError: a path or value was wrong (every one is named); nothing was written.
        CaseInvalid: the case would break its stage's schema or clr's rules.
    """
    if problems:
        count = len(problems)
        raise SetError(
            f"{count} problem{'s' if count != 1 else ''}; nothing was written:\n"
            + "\n".join(_wrapped(p) for p in problems),
            hint="clr schema case lists every field; clr next CASE says what the next stage needs",
        )
    if not session.doc.ops:
        return ""
    return commit(session, dry_run=dry_run, what="change")
