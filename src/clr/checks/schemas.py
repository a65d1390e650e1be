"""JSON Schema validation of cases, playbooks and clr.yaml, with messages in plain words.

The engine is jsonschema-rs: it reports every error with the same verdicts as the
reference Python implementation, about 150 times faster (benchmarks/README.md). Its errors
are turned into findings here, with messages a caseworker can act on.
"""

from __future__ import annotations

import difflib
import functools
import json
from typing import Any

import jsonschema_rs

from clr.i18n import N_
from clr.io import resources
from clr.model.findings import Finding, Said, finding, join_pointer, pointer_to_path, said
from clr.model.stages import STAGES

_TYPE_WORDS = {
    "string": N_("text"),
    "integer": N_("a whole number"),
    "number": N_("a number"),
    "boolean": N_("true or false"),
    "object": N_("a mapping (key: value lines)"),
    "array": N_("a list"),
    "null": N_("empty"),
}
_FORMAT_WORDS = {
    "date": (N_("{field}: {value} is not a date"), N_("write it as YYYY-MM-DD, e.g. 2026-03-02")),
    "date-time": (
        N_("{field}: {value} is not a date and time"),
        N_("write it as e.g. 2026-03-02T09:10:00Z"),
    ),
}
_LIMIT_WORDS = {
    "minimum": N_("at least {limit}"),
    "maximum": N_("at most {limit}"),
    "exclusiveMinimum": N_("more than {limit}"),
    "exclusiveMaximum": N_("less than {limit}"),
    "minLength": N_("at least {limit} characters long"),
    "maxLength": N_("at most {limit} characters long"),
    "minItems": N_("a list of at least {limit} entries"),
    "maxItems": N_("a list of at most {limit} entries"),
    "minProperties": N_("given at least {limit} entries"),
    "maxProperties": N_("given at most {limit} entries"),
}


@functools.cache
def _registry() -> jsonschema_rs.Registry:
    pairs = []
    for name in resources.schema_names():
        schema = resources.load_schema(name)
        pairs.append((schema["$id"], schema))
    return jsonschema_rs.Registry(pairs)


@functools.cache
def validator(name: str) -> Any:
    """Return a compiled validator for a bundled schema (``case``, ``stages/closed``…)."""
    return jsonschema_rs.validator_for(
        resources.load_schema(name), registry=_registry(), validate_formats=True
    )


def is_valid(data: Any) -> bool:
    """True if a case meets the base schema and the schema of its own stage."""
    stage = data.get("stage") if isinstance(data, dict) else None
    try:
        if not validator("case").is_valid(data):
            return False
        return not (isinstance(stage, str) and stage in STAGES) or validator(
            f"stages/{stage}"
        ).is_valid(data)
    except ValueError:  # the validator gave up (absurd nesting)
        return False


def describe(value: Any) -> str:
    """Say what a value is, briefly, the way a person would (in English)."""
    return worded_value(value).english()


def worded_value(value: Any) -> Said:
    """Say what a value is, briefly: the value itself, or its kind worded in the language."""
    if value is None:
        return said(N_("empty"))
    if isinstance(value, bool):
        return said("{value}", value="true" if value else "false")
    if isinstance(value, str):
        shown = json.dumps(value if len(value) <= 40 else value[:37] + "...", ensure_ascii=False)
        return said("{value}", value=shown)
    if isinstance(value, int | float):
        return said("{value}", value=value)
    if isinstance(value, list):
        return said(N_("a list"))
    return said(N_("a mapping"))


def _subschema(root: dict[str, Any], path: list[str | int]) -> dict[str, Any] | None:
    node: Any = root
    for part in path:
        if isinstance(node, dict) and "$ref" in node and part not in node:
            ref = node["$ref"]
            if ref.startswith("#/"):
                node = _follow_local(root, ref)
            else:
                return None
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node if isinstance(node, dict) else None


def _follow_local(root: dict[str, Any], ref: str) -> Any:
    node: Any = root
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def _node_for(schema_names: tuple[str, ...], path: list[str | int]) -> dict[str, Any] | None:
    """Find the schema node an error points at; stage schemas nest by $ref, so try each."""
    for name in schema_names:
        node = _subschema(resources.load_schema(name), path)
        if node is not None:
            return node
    return None


@functools.cache
def _property_schema(pointer_parts: tuple[str, ...]) -> dict[str, Any] | None:
    """The base case schema's node for a field, following $refs, or None."""
    root = resources.load_schema("case")
    node: Any = root
    for part in pointer_parts:
        while isinstance(node, dict) and "$ref" in node and node["$ref"].startswith("#/"):
            node = _follow_local(root, node["$ref"])
        if not isinstance(node, dict):
            return None
        if part.isdigit() and "items" in node:
            node = node["items"]
        elif part in node.get("properties", {}):
            node = node["properties"][part]
        elif isinstance(node.get("additionalProperties"), dict):
            node = node["additionalProperties"]
        else:
            return None
    while isinstance(node, dict) and "$ref" in node and node["$ref"].startswith("#/"):
        merged = dict(_follow_local(root, node["$ref"]))
        merged.update({k: v for k, v in node.items() if k != "$ref"})
        node = merged
    return node if isinstance(node, dict) else None


def _suggest(word: str, options: list[Any]) -> Said | None:
    texts = [str(o) for o in options]
    for option in texts:
        if option.lower() == str(word).lower():
            return said(N_("did you mean {option}? (letter case matters)"), option=option)
    close = difflib.get_close_matches(str(word), texts, n=3, cutoff=0.6)
    if not close:
        return None
    if len(close) == 1:
        return said(N_("did you mean {option}?"), option=close[0])
    if len(close) == 2:
        return said(N_("did you mean {first} or {second}?"), first=close[0], second=close[1])
    return said(
        N_("did you mean {first} or {second} or {third}?"),
        first=close[0],
        second=close[1],
        third=close[2],
    )


def check(
    data: Any,
    path: str,
    schema: str = "case",
    *,
    stage: str | None = None,
    skip: set[tuple[str, str]] | None = None,
) -> list[Finding]:
    """Validate ``data`` against a bundled schema and return findings (positions unset).

    Args:
        data: The parsed document.
        path: The file, for the findings.
        schema: The schema's name (``case``, ``stages/<stage>``, ``playbook``, ``config``).
        stage: The stage whose requirements these are (changes codes and wording).
        skip: (pointer, message) pairs already reported, which are not repeated; a
            missing field is one finding, whichever schema required it first (a field
            that every case needs is CLR101, not also CLR110 for its stage).
    """
    findings: list[Finding] = []
    names = (schema, *(f"stages/{s}" for s in STAGES)) if stage else (schema,)
    try:
        errors = list(validator(schema).iter_errors(data))
    except ValueError as exc:  # e.g. recursion limit on absurd nesting
        return [
            finding(
                path,
                1,
                1,
                "CLR107",
                said(N_("the file cannot be checked: {problem}"), problem=exc),
                said(N_("simplify the file's structure")),
            )
        ]
    for error in errors:
        for found in _to_findings(error, data, path, names, stage):
            missing = found.code in _MISSING
            key = (found.pointer, "missing" if missing else found.message)
            if skip is not None:
                if key in skip:
                    continue
                skip.add(key)
            findings.append(found)
    return findings


def _needed(data: Any, path: tuple[str, ...], stage: str | None) -> str:
    """The fields a mapping at ``path`` needs, in words (list items: their entry's fields)."""
    from clr.model import forms

    key = tuple("-" if part.isdigit() else part for part in path)
    if "-" in key:
        listed = forms.needed_under(key[: key.index("-")], data, stage)
        for f in listed:
            if f.fields:
                wanted = [s for s in f.fields if s.required]
                return forms.describe_fields(wanted)
        node = _property_schema(path)
        if not node or "properties" not in node:
            return ""
        wanted = [
            forms._field((name,), node["properties"][name], None)
            for name in node.get("required", [])
        ]
        return forms.describe_fields(wanted)
    return forms.describe_fields(forms.needed_under(key, data, stage), key)


_MISSING_TEMPLATES: dict[tuple[bool, bool, bool], str] = {
    # (inside a mapping, for a stage, with the fields it needs): a msgid
    (False, False, False): N_("'{prop}' is missing"),
    (True, False, False): N_("'{prop}' is missing in {parent}"),
    (False, True, False): N_("'{prop}' is missing for a case in stage {stage}"),
    (True, True, False): N_("'{prop}' is missing in {parent} for a case in stage {stage}"),
    (False, False, True): N_("'{prop}' is missing: it needs {inside}"),
    (True, False, True): N_("'{prop}' is missing in {parent}: it needs {inside}"),
    (False, True, True): N_("'{prop}' is missing for a case in stage {stage}: it needs {inside}"),
    (True, True, True): N_(
        "'{prop}' is missing in {parent} for a case in stage {stage}: it needs {inside}"
    ),
}
"""The message of a missing field, by where it is missing (a msgid each)."""

_MISSING = ("CLR101", "CLR110")
"""The codes of a missing field: required by every case, or by the case's stage."""


def _to_findings(
    error: Any, data: Any, path: str, names: tuple[str, ...], stage: str | None
) -> list[Finding]:
    kind = error.kind.name
    details = error.kind.as_dict()
    parts = [str(p) for p in error.instance_path]
    pointer = join_pointer(parts)
    field_name = pointer_to_path(pointer)
    value = error.instance
    case_schema = names[0] == "case" or stage is not None

    def make(
        code: str, message: str | Said, hint: str | Said = "", where: str | None = None
    ) -> Finding:
        if stage and code.startswith("CLR1") and code not in ("CLR110",):
            code = "CLR111"
        return Finding(
            path,
            0,
            0,
            code,
            message=message if isinstance(message, str) else "",
            pointer=pointer if where is None else where,
            hint=hint if isinstance(hint, str) else "",
            worded=message if isinstance(message, Said) else None,
            hint_worded=hint if isinstance(hint, Said) else None,
        )

    if kind == "required":
        prop = details["property"]
        target = join_pointer([*parts, prop])
        described = _property_schema((*parts, prop)) if case_schema else None
        hint = (
            f"add '{prop}:' — {described['description']}"
            if described and "description" in described
            else f"add '{prop}:'"
        )
        code = "CLR110" if stage else "CLR101"
        inside = _needed(data, (*parts, prop), stage) if case_schema else ""
        missing = _MISSING_TEMPLATES[(bool(parts), bool(stage), bool(inside))]
        worded = said(missing, prop=prop, parent=field_name, stage=stage or "", inside=inside)
        if inside:
            hint = f"add '{prop}:' with these fields" + (
                f" — {described['description']}" if described and "description" in described else ""
            )
            return [make(code, worded, hint, target)]
        if described and case_schema:
            from clr.model import forms

            leaf = forms._field((prop,), described, None)
            if leaf.kind in ("enum", "list", "shares"):
                hint = f"add {forms.describe_fields([leaf])}" + (
                    f" — {described['description']}" if "description" in described else ""
                )
        return [make(code, worded, hint, target)]
    if kind == "additionalProperties":
        out = []
        node = _node_for(names, [*error.schema_path][:-1])
        known = sorted((node or {}).get("properties", {}))
        for name in details.get("unexpected", []):
            suggestion = _suggest(name, known)
            keep: str | Said = suggestion or said(
                N_("remove it, or start its name with 'x-' to keep your own data")
            )
            unknown = (
                said(N_("unknown field '{name}' in {parent}"), name=name, parent=field_name)
                if parts
                else said(N_("unknown field '{name}'"), name=name)
            )
            out.append(make("CLR104", unknown, keep, join_pointer([*parts, name])))
        return out
    if kind == "type":
        wanted = details.get("types") or [details.get("type")]
        words: Said | None = None
        for t in reversed(wanted):
            word = said(_TYPE_WORDS.get(str(t), str(t)))
            words = word if words is None else said(N_("{one} or {other}"), one=word, other=words)
        advice: str | Said = ""
        if "boolean" in wanted and isinstance(value, str):
            advice = said(N_("write true or false (yes/no, on/off are read as text)"))
        elif "string" in wanted and not isinstance(value, str | dict | list):
            advice = said(
                N_("put it in quotes: {quoted}"), quoted=f'"{describe(value).strip(chr(34))}"'
            )
        elif "array" in wanted and not isinstance(value, list):
            advice = said(N_("write each entry on its own line starting with '- '"))
        elif "object" in wanted and case_schema:
            inside = _needed(data, tuple(parts), stage)
            if inside:
                advice = said(N_("write it as key: value lines: {fields}"), fields=inside)
        return [
            make(
                "CLR102",
                said(
                    N_("{field} must be {words}, not {value}"),
                    field=field_name,
                    words=words or "",
                    value=worded_value(value),
                ),
                advice,
            )
        ]
    if kind in ("enum", "const"):
        options = details.get("options", [details.get("expected_value")])
        if kind == "const" and stage:
            return [
                make(
                    "CLR111",
                    said(
                        N_("{field} must be {value} for a case in stage {stage}"),
                        field=field_name,
                        value=worded_value(options[0]),
                        stage=stage,
                    ),
                    said(
                        N_("set {field}: {value} once that is so"),
                        field=field_name,
                        value=worded_value(options[0]),
                    ),
                )
            ]
        path_parts = [str(p) for p in error.schema_path]
        suggestion = _suggest(value, options) if isinstance(value, str) else None
        shown = describe(value)
        msg: Said
        hint_said: str | Said = suggestion or ""
        if "country" in path_parts:
            msg = said(
                N_("{field}: {value} is not an ISO 3166-1 alpha-2 country code"),
                field=field_name,
                value=shown,
            )
            hint_said = suggestion or said(
                N_("use the two-letter code in upper case, e.g. BD, CI, NO")
            )
        elif "currency" in path_parts:
            msg = said(
                N_("{field}: {value} is not an ISO 4217 currency code"),
                field=field_name,
                value=shown,
            )
            hint_said = suggestion or said(
                N_("use the three-letter code in upper case, e.g. BDT, XOF, USD")
            )
        elif len(options) <= 12:
            msg = said(
                N_("{field}: {value} is not one of {options}"),
                field=field_name,
                value=shown,
                options=", ".join(describe(o) for o in options),
            )
        else:
            msg = said(
                N_("{field}: {value} is not one of the {count} allowed values"),
                field=field_name,
                value=shown,
                count=len(options),
            )
        return [make("CLR103", msg, hint_said)]
    if kind == "format":
        fmt = str(details.get("format"))
        template, hint_template = _FORMAT_WORDS.get(
            fmt, (N_("{field}: {value} is not a valid {format}"), "")
        )
        return [
            make(
                "CLR105",
                said(template, field=field_name, value=worded_value(value), format=fmt),
                said(hint_template),
            )
        ]
    if kind == "pattern":
        described = _property_schema(tuple(parts)) if case_schema else None
        hint = described.get("description", "") if described else ""
        form = said(
            N_("{field}: {value} does not have the expected form"),
            field=field_name,
            value=describe(value),
        )
        return [make("CLR105", form, hint)]
    if kind in (
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "minProperties",
        "maxProperties",
    ):
        limit = details.get("limit")
        if kind == "minLength" and limit == 1:
            bound = said(N_("filled in"))
        elif kind == "minItems" and limit == 1:
            bound = said(N_("a list of at least 1 entry"))
        else:
            bound = said(_LIMIT_WORDS[kind], limit=limit)
        must = (
            said(
                N_("{field} must be {bound} for a case in stage {stage}"),
                field=field_name,
                bound=bound,
                stage=stage,
            )
            if stage
            else said(N_("{field} must be {bound}"), field=field_name, bound=bound)
        )
        return [make("CLR106", must, "")]
    if kind == "uniqueItems":
        return [
            make(
                "CLR106",
                said(N_("{field} lists the same entry twice"), field=field_name),
                said(N_("remove the repeat")),
            )
        ]
    if kind in ("contains", "anyOf"):
        node = _node_for(names, [*error.schema_path][:-1]) or {}
        wanted_text = node.get("description")
        if wanted_text:
            verb = "must include" if kind == "contains" else "needs"
            in_stage = f" for a case in stage {stage}" if stage else ""
            return [
                make(
                    "CLR107",
                    f"{field_name} {verb} {wanted_text}{in_stage}",
                    "add it to the case file",
                )
            ]
    if kind == "propertyNames":
        return [
            make(
                "CLR104",
                f"{field_name}: {error.message}",
                said(N_("check the spelling of the keys in this mapping")),
            )
        ]
    return [make("CLR107", f"{field_name}: {error.message}")]
