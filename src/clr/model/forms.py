"""The form of a stage: which facts a case needs to reach it, as plain data.

One model, derived from the stage schemas (``schemas/stages/*``), the base case schema
(labels, help, types, allowed values) and the playbook (the current stage's checklist, the
closure rules, the roles' and reasons' descriptions), for every way a fact gets into a
case: the questions of ``clr advance``, the skeleton of ``clr edit``, the snippet and the
``clr set`` line printed when something is missing, and (through :meth:`Form.as_dict`) a
phone form generator.

A missing mapping is expanded to its leaves: a form never says "add protection:" without
saying what goes in it.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from clr.i18n import N_, _, current, current_catalogue, ngettext
from clr.io import resources
from clr.model import ages, stages
from clr.model.case import dig
from clr.model.findings import Joined, Said, said, say

Path_ = tuple[str, ...]

# The playbook (clr.model.playbook.Playbook) is taken as it comes, without importing its
# module: that module reads its schema through clr.checks.schemas, which asks this one
# what a missing mapping needs.

_EDUCATION_WORDS = {"date": "date", "partial_date": "partial date"}


@dataclass(frozen=True)
class Choice:
    """One allowed value and what it means."""

    value: str
    help: str = ""
    words: Any = None  # the help in every language (a playbook's role), or None


@dataclass(frozen=True)
class Field:
    """One fact a form asks for.

    ``kind`` is one of ``text``, ``date``, ``partial_date``, ``integer``, ``number``,
    ``boolean``, ``enum``, ``list`` (of ``item``), ``shares`` (a mapping from the allowed
    keys in ``choices`` to numbers) or ``mapping`` (an open mapping).
    """

    path: Path_
    label: str
    help: str
    kind: str
    choices: tuple[Choice, ...] = ()
    item: Field | None = None  # for a list: what one entry is
    fields: tuple[Field, ...] = ()  # for a list of mappings: one entry's fields
    required: bool = True
    min_items: int = 0
    must_include: tuple[dict[str, Any], ...] = ()
    pattern: str = ""
    minimum: float | None = None
    maximum: float | None = None
    when: str = ""  # a condition on other answers, in words ("" = always)
    proposal: Any = None
    proposal_why: str = ""
    alternative: str = ""  # what may stand instead of it (a schema's description)
    proposal_words: Said | None = None  # proposal_why as words, where it has them

    @property
    def why_proposed(self) -> str:
        """Why clr proposes its value, in the language in force ("" for a date: today)."""
        if not self.proposal_why or self.proposal_why == TODAY:
            return ""
        if self.proposal_words is not None:
            return self.proposal_words.local()
        return _(self.proposal_why) if self.proposal_why == STAGE_NEEDS_IT else self.proposal_why

    @property
    def help_words(self) -> Said | None:
        """The help, worded in whatever language is in force when it is printed."""
        if not self.help:
            return None
        if self.alternative:
            alone = self.help.removesuffix(f" (or instead: {self.alternative})")
            return said(
                N_("{help} (or instead: {alternative})"),
                help=Said(alone),
                alternative=Said(self.alternative),
            )
        return Said(self.help)

    @property
    def dotted(self) -> str:
        """The field's dotted path, as ``clr set`` takes it."""
        return ".".join(self.path)

    def as_dict(self) -> dict[str, Any]:
        """The field as plain data (JSON-ready)."""
        out: dict[str, Any] = {
            "path": self.dotted,
            "label": self.label,
            "help": self.help,
            "type": self.kind,
            "required": self.required,
        }
        if self.choices:
            out["choices"] = [{"value": c.value, "help": c.help} for c in self.choices]
        if self.item is not None:
            out["item"] = self.item.as_dict()
        if self.fields:
            out["fields"] = [f.as_dict() for f in self.fields]
        for name in ("min_items", "pattern", "minimum", "maximum", "when", "proposal_why"):
            value = getattr(self, name)
            if value not in (0, "", None):
                out[name] = value
        if self.must_include:
            out["must_include"] = [dict(m) for m in self.must_include]
        if self.proposal is not None:
            out["proposal"] = self.proposal
        return out


@dataclass(frozen=True)
class Tick:
    """A checklist item of the current stage that must be ticked (it has no field)."""

    id: str
    text: str


@dataclass(frozen=True)
class Form:
    """What a case needs to move from ``source`` to ``stage``."""

    stage: str
    source: str
    track: str
    fields: tuple[Field, ...]
    ticks: tuple[Tick, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The form as plain data (JSON-ready), for a phone form generator and tests."""
        return {
            "version": 1,
            "stage": self.stage,
            "from": self.source,
            "track": self.track,
            "fields": [f.as_dict() for f in self.fields],
            "ticks": [{"id": t.id, "text": t.text} for t in self.ticks],
        }


@dataclass(frozen=True)
class FormContext:
    """What proposals need: the day, the playbook, the repository's age settings."""

    today: dt.date
    playbook: Any = None
    minimum_age_overrides: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    buyer_codes: Mapping[str, Mapping[str, int]] = field(default_factory=dict)


# --- the schemas ------------------------------------------------------------------------


@functools.cache
def _case_schema() -> dict[str, Any]:
    return resources.load_schema("case")


def _resolve(node: Any) -> dict[str, Any]:
    """Follow local ``$ref``s, keeping the node's own keys (its description wins)."""
    root = _case_schema()
    while isinstance(node, dict) and str(node.get("$ref", "")).startswith("#/"):
        target: Any = root
        for part in node["$ref"][2:].split("/"):
            target = target[part]
        merged = dict(target)
        merged.update({k: v for k, v in node.items() if k != "$ref"})
        node = merged
    return node if isinstance(node, dict) else {}


def _base_node(path: Path_) -> dict[str, Any]:
    """The base case schema's node for a path (``{}`` if the schema does not know it)."""
    node = _resolve(_case_schema())
    for part in path:
        props = node.get("properties", {})
        if part in props:
            node = _resolve(props[part])
        elif isinstance(node.get("additionalProperties"), dict):
            node = _resolve(node["additionalProperties"])
        elif part.isdigit() and "items" in node:
            node = _resolve(node["items"])
        else:
            return {}
    return node


def _order_key(path: Path_) -> tuple[int, ...]:
    """Where a field stands in the case schema: its fields come in the schema's order."""
    node = _resolve(_case_schema())
    out = []
    for part in path:
        props = list(node.get("properties", {}))
        out.append(props.index(part) if part in props else len(props))
        node = _resolve(node.get("properties", {}).get(part, node.get("additionalProperties")))
    return tuple(out)


@functools.cache
def _stage_schema(name: str) -> dict[str, Any]:
    return resources.load_schema(f"stages/{name}")


def _present(value: Any) -> bool:
    return value is not None and value != "" and value != [] and value != {}


@dataclass
class _Need:
    path: Path_
    when: str = ""
    min_items: int = 0
    must_include: list[dict[str, Any]] = field(default_factory=list)
    const: Any = None
    alternative: str = ""


_A_CONDITION = N_("a condition holds")
_WHEN_WORDS: dict[str, Said] = {_A_CONDITION: said(_A_CONDITION)}
"""The conditions of :func:`_condition` as words, by their English (``Field.when``)."""


def _condition(node: dict[str, Any], prefix: Path_) -> str:
    """Say an ``if`` in words (``result is verified``), for conditional fields.

    Returns the English; :func:`when_words` words it in the language in force.
    """
    words = _condition_words(node, prefix)
    if words is None:
        return ""
    text = words.english()
    _WHEN_WORDS[text] = words
    return text


def when_words(f: Field) -> Said | str:
    """A field's condition (``when``) in words, worded when printed."""
    return _WHEN_WORDS.get(f.when, f.when)


def _condition_words(node: dict[str, Any], prefix: Path_) -> Said | None:
    words: list[Said] = []
    for name, sub in node.get("properties", {}).items():
        if not isinstance(sub, dict):
            continue
        where = ".".join((*prefix, name))
        if "const" in sub:
            words.append(
                said(N_("{path} is {value}"), path=where, value=_yaml_scalar(sub["const"]))
            )
        elif "enum" in sub:
            values = ", ".join(str(v) for v in sub["enum"])
            words.append(said(N_("{path} is one of {values}"), path=where, values=values))
        elif "contains" in sub:
            inner = _condition_words(sub["contains"], (*prefix, name, "-"))
            words.append(
                said(N_("{path} has an entry where {condition}"), path=where, condition=inner or "")
            )
        else:
            found = _condition_words(sub, (*prefix, name))
            if found is not None:
                words.append(found)
    for name in node.get("required", []):
        if name not in node.get("properties", {}):
            words.append(said(N_("{path} is given"), path=".".join((*prefix, name))))
    if not words:
        return None
    out = words[0]
    for more in words[1:]:
        out = said(N_("{condition} and {more}"), condition=out, more=more)
    return out


@functools.cache
def _validator(schema_text: str) -> Any:
    import jsonschema_rs

    return jsonschema_rs.validator_for(json.loads(schema_text))


def _if_state(node: dict[str, Any], instance: Any) -> str:
    """``yes``, ``no`` or ``open`` (a value the condition reads is not given yet)."""
    if _validator(json.dumps(node, sort_keys=True)).is_valid(
        instance if instance is not None else {}
    ):
        return "yes"
    return "open" if _reads_missing(node, instance) else "no"


def _reads_missing(node: dict[str, Any], instance: Any) -> bool:
    if not isinstance(instance, dict):
        return True
    for name in node.get("required", []):
        if name not in instance:
            return True
    for name, sub in node.get("properties", {}).items():
        if (
            isinstance(sub, dict)
            and name in instance
            and sub.get("properties")
            and _reads_missing(sub, instance[name])
        ):
            return True
    return False


def _collect(
    node: Any, data: Any, path: Path_, needs: list[_Need], when: str, schema_file: str
) -> None:
    """Walk a stage schema, collecting what it requires of this case."""
    if not isinstance(node, dict):
        return
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.endswith(".schema.json") and not ref.startswith("#"):
        name = ref.rsplit("/", 1)[-1].removesuffix(".schema.json")
        _collect(_stage_schema(name), data, path, needs, when, name)
    for sub in node.get("allOf", []):
        _collect(sub, data, path, needs, when, schema_file)
    if "if" in node:
        state = _if_state(node["if"], data)
        if state == "yes" and "then" in node:
            _collect(node["then"], data, path, needs, when, schema_file)
        elif state == "open" and "then" in node:
            said = _condition(node["if"], path)
            _collect(node["then"], data, path, needs, said or _A_CONDITION, schema_file)
        elif state == "no" and "else" in node:
            _collect(node["else"], data, path, needs, when, schema_file)
    for name in node.get("required", []):
        needs.append(_Need((*path, name), when))
    if "anyOf" in node and not any(
        all(isinstance(data, dict) and k in data for k in alt.get("required", []))
        for alt in node["anyOf"]
    ):
        first = node["anyOf"][0].get("required", [])
        for name in first:
            needs.append(_Need((*path, name), when, alternative=str(node.get("description", ""))))
    if "minItems" in node:
        needs.append(_Need(path, when, min_items=int(node["minItems"])))
    if "contains" in node:
        wanted = node["contains"]
        item = {k: v.get("const") for k, v in wanted.get("properties", {}).items() if "const" in v}
        needs.append(_Need(path, when, must_include=[item]))
    if "const" in node:
        needs.append(_Need(path, when, const=node["const"]))
    for name, sub in node.get("properties", {}).items():
        child = data.get(name) if isinstance(data, dict) else None
        _collect(sub, child, (*path, name), needs, when, schema_file)


# --- fields from the base schema --------------------------------------------------------


def field_label(path: Path_) -> str:
    """A field's label, made from its name ("Safe place"); the catalogue translates it."""
    return path[-1].replace("_", " ").capitalize() if path else ""


def _choice_help(value: str, description: str, playbook: Any) -> str:
    if playbook is not None:
        if value in playbook.roles:
            return str(playbook.roles[value])
        rule = playbook.closure_reasons.get(value)
        if rule is not None:
            return str(rule.text)
    match = re.search(rf"(?:^|[;.]\s*){re.escape(value)}: ([^;]+)", description)
    return match.group(1).strip().rstrip(".") if match else ""


def _choice_words(value: str, help_text: str, playbook: Any) -> Any:
    """A choice's help in every language: the playbook's translations, or the catalogue's."""
    if playbook is not None:
        role = getattr(playbook, "role_words", {}).get(value)
        if role is not None:
            return role
        rule = playbook.closure_reasons.get(value)
        if rule is not None:
            return rule.words
    return Said(help_text) if help_text else None


def _kind(node: dict[str, Any]) -> str:
    if "enum" in node:
        return "enum"
    kind = node.get("type")
    if kind == "string":
        if node.get("format") == "date":
            return "date"
        if "partial_date" in str(node.get("description", "")) or str(
            node.get("pattern", "")
        ).startswith(r"^\d{4}(-(0[1-9]"):
            return "partial_date"
        return "text"
    if kind in ("integer", "number", "boolean"):
        return str(kind)
    if kind == "array":
        return "list"
    if kind == "object":
        names = _resolve(node.get("propertyNames", {}))
        extra = (
            _resolve(node.get("additionalProperties")) if node.get("additionalProperties") else {}
        )
        if "enum" in names and extra.get("type") in ("number", "integer"):
            return "shares"
        return "mapping"
    return "text"


def _field(path: Path_, node: dict[str, Any], playbook: Any, **extra: Any) -> Field:
    node = _resolve(node)
    kind = _kind(node)
    description = str(node.get("description", ""))
    choices: tuple[Choice, ...] = ()
    item: Field | None = None
    fields: tuple[Field, ...] = ()
    if kind == "enum":
        choices = tuple(
            Choice(str(v), help_, _choice_words(str(v), help_, playbook))
            for v in node["enum"]
            for help_ in (_choice_help(str(v), description, playbook),)
        )
    elif kind == "shares":
        keys = _resolve(node["propertyNames"])["enum"]
        choices = tuple(
            Choice(
                str(v),
                _choice_help(str(v), "", playbook),
                getattr(playbook, "role_words", {}).get(str(v)),
            )
            for v in keys
        )
    elif kind == "list":
        items = _resolve(node.get("items", {}))
        item = _field((*path, "-"), items, playbook, required=True)
        if item.kind == "mapping":
            fields = _item_fields(items, playbook)
    return Field(
        path=path,
        label=field_label(path),
        help=description,
        kind=kind,
        choices=choices,
        item=item,
        fields=fields,
        pattern=str(node.get("pattern", "")) if kind == "text" else "",
        minimum=node.get("minimum"),
        maximum=node.get("maximum"),
        min_items=int(node.get("minItems", 0)),
        **extra,
    )


def _item_fields(node: dict[str, Any], playbook: Any) -> tuple[Field, ...]:
    required = set(node.get("required", []))
    out = []
    for name, sub in node.get("properties", {}).items():
        sub = _resolve(sub)
        if _kind(sub) == "mapping" and "properties" in sub:
            for inner in _item_fields(sub, playbook):
                out.append(
                    Field(**{**inner.__dict__, "path": (name, *inner.path)})
                    if name in required
                    else Field(**{**inner.__dict__, "path": (name, *inner.path), "required": False})
                )
            continue
        out.append(_field((name,), sub, playbook, required=name in required))
    return tuple(out)


def _leaves(path: Path_, playbook: Any, data: Any, **extra: Any) -> list[Field]:
    """The fields to ask for ``path``: itself, or for a mapping its required leaves."""
    node = _base_node(path)
    kind = _kind(node) if node else "text"
    if kind != "mapping" or not node.get("properties"):
        return [_field(path, node, playbook, **extra)]
    out: list[Field] = []
    # A mapping that requires nothing (the interview's safeguards) is asked field by field.
    names = node.get("required") or list(node["properties"])
    for name in names:
        if not _present(dig(data, *path, name)):
            out += _leaves((*path, name), playbook, data, **extra)
    return out


def order_key(path: Path_) -> tuple[int, ...]:
    """Where a field stands in the case schema (to list fields in the schema's order)."""
    return _order_key(path)


def field_at(path: Path_, playbook: Any = None) -> Field:
    """The field the base case schema has at ``path`` (a list: with its entries' fields)."""
    return _field(path, _base_node(path), playbook)


# --- the form ---------------------------------------------------------------------------


def form_for(stage: str, case: dict[str, Any], context: FormContext) -> Form:
    """The form of what ``case`` needs to move to ``stage``, with proposals.

    It lists the fields the stage's schema requires (conditions on other fields decided on
    the case as it is; a condition on a value not given yet marks its fields with
    ``when``), the fields of the current stage's checklist items that say which field
    shows them done, the closure rule's fields and note, and the checklist items to tick.
    """
    if stage not in stages.STAGES:
        raise ValueError(f"unknown stage {stage!r}")
    data = copy.deepcopy(case)
    source = str(data.get("stage", ""))
    track = str(data.get("track", ""))
    book = context.playbook
    needs: list[_Need] = []
    _collect(_stage_schema(stage), dict(data, stage=stage), (), needs, "", stage)
    ticks: list[Tick] = []
    if book is not None and (stage != "closed" or _closure_checklist(data, book)):
        plan = book.stages.get(source)
        done = data.get("checklist") if isinstance(data.get("checklist"), dict) else {}
        for action in plan.gates if plan else ():
            if not action.applies_to_case(data) or action.id in (done or {}):
                continue
            if action.done_when:
                needs.append(_Need(tuple(action.done_when.split("."))))
            elif not (action.due or {}).get("done_by"):
                ticks.append(Tick(action.id, action.text))
    if stage == "closed" and book is not None:
        reason = dig(data, "closure", "reason")
        rule = book.closure_reasons.get(reason) if isinstance(reason, str) else None
        if rule is not None:
            needs += [_Need(tuple(f.split("."))) for f in rule.fields]
            if rule.needs_note:
                needs.append(_Need(("closure", "notes")))
    return Form(stage, source, track, tuple(_fields(needs, data, context)), tuple(ticks))


def _closure_checklist(data: dict[str, Any], book: Any) -> bool:
    reason = dig(data, "closure", "reason")
    rule = book.closure_reasons.get(reason) if isinstance(reason, str) else None
    return rule is not None and rule.checklist


def _fields(needs: list[_Need], data: dict[str, Any], context: FormContext) -> list[Field]:
    book = context.playbook
    paths = {n.path for n in needs if not n.min_items and not n.must_include and n.const is None}

    # A required path is kept only if its parent is required or present: a stage's nested
    # requirements apply once the mapping around them is there.
    def kept(path: Path_) -> bool:
        return all(path[:k] in paths or _present(dig(data, *path[:k])) for k in range(1, len(path)))

    by_path: dict[Path_, Field] = {}
    extras: dict[Path_, dict[str, Any]] = {}
    for need in needs:
        if not kept(need.path):
            continue
        slot = extras.setdefault(need.path, {"when": need.when, "must": [], "min": 0})
        if not need.when:
            slot["when"] = ""
        slot["must"] += need.must_include
        slot["min"] = max(slot["min"], need.min_items)
        if need.const is not None:
            slot["const"] = need.const
        if need.alternative:
            slot["alternative"] = need.alternative
    for path in list(extras):
        if any(other[: len(path)] == path and other != path for other in extras):
            node = _base_node(path)
            if _kind(node) == "mapping":
                for name in node.get("required", []):
                    extras.setdefault((*path, name), dict(extras[path], must=[], min=0))
    leaves: list[Path_] = []
    for path in extras:
        if any(other[: len(path)] == path and other != path for other in extras):
            continue  # a mapping whose leaves are listed themselves
        leaves.append(path)
    for path in leaves:
        slot = extras[path]
        # A value the stage fixes (consent given: true): asked only if it is not so.
        if (
            "const" in slot
            and not slot["must"]
            and not slot["min"]
            and dig(data, *path) == slot["const"]
        ):
            continue
        for f in _leaves(path, book, data, when=slot["when"]):
            overrides: dict[str, Any] = {}
            if f.path == path:
                if slot["min"]:
                    overrides["min_items"] = max(slot["min"], f.min_items)
                if slot["must"]:
                    overrides["must_include"] = tuple(slot["must"])
                if "alternative" in slot:
                    overrides["help"] = f"{f.help} (or instead: {slot['alternative']})"
                    overrides["alternative"] = slot["alternative"]
            if overrides:
                f = Field(**{**f.__dict__, **overrides})
            proposal, why = _propose(f, data, context, slot.get("const"))
            if proposal is not None:
                words = why if isinstance(why, Said) else None
                f = Field(
                    **{
                        **f.__dict__,
                        "proposal": proposal,
                        "proposal_why": why.english() if isinstance(why, Said) else why,
                        "proposal_words": words,
                    }
                )
            by_path.setdefault(f.path, f)
    return sorted(by_path.values(), key=lambda f: (bool(f.when), _order_key(f.path)))


STAGE_NEEDS_IT = N_("this stage needs it")
"""Why clr proposes a value the stage fixes (``Field.proposal_why``)."""
TODAY = "today (--as-of)"
"""Why clr proposes a date: it is the day of ``--as-of`` (not said in a comment)."""


def _propose(
    f: Field, data: dict[str, Any], context: FormContext, const: Any = None
) -> tuple[Any, str | Said]:
    """A value clr can compute or suggest for a field, and why."""
    today = context.today.isoformat()
    if const is not None and f.path[-1] != "track":
        return const, STAGE_NEEDS_IT
    if f.path in (
        ("age_verification", "minimum_age"),
        ("age_verification", "minimum_age_decided_by"),
    ):
        minimum = effective_minimum(data, context)
        if minimum is not None:
            value: Any = minimum.age if f.path[-1] == "minimum_age" else minimum.decided_by
            return value, minimum.worded()
        return None, ""
    if f.kind == "date":
        return today, TODAY
    if f.kind == "list" and f.fields:
        return _propose_items(f, data, context), ""
    return None, ""


def _propose_items(f: Field, data: dict[str, Any], context: FormContext) -> list[dict[str, Any]]:
    today = context.today.isoformat()
    base: dict[str, Any] = {}
    for sub in f.fields:
        if sub.required and sub.kind == "date":
            base[sub.dotted] = today
    if f.path == ("payments",):
        stipend = dig(data, "plan", "stipend") or {}
        if isinstance(stipend, dict):
            for key in ("amount", "currency", "payer"):
                if key in stipend:
                    base[key] = stipend[key]
            base["purpose"] = "stipend"
            base["period"] = today[:7]
    if f.must_include:
        return [dict(base, **m) for m in f.must_include]
    return [dict(base) for _ in range(max(f.min_items, 1))]


def effective_minimum(data: dict[str, Any], context: FormContext) -> ages.MinimumAge | None:
    """The effective minimum age for the case's country, work and buyer (CLR208's value)."""
    return ages.for_case(
        data, overrides=context.minimum_age_overrides, buyer_codes=context.buyer_codes
    )


def missing_fields(form: Form, case: dict[str, Any]) -> list[Field]:
    """The form's fields the case does not hold yet (lists: too few or lacking entries)."""
    out = []
    for f in form.fields:
        value = dig(case, *f.path)
        if f.kind == "list" and isinstance(value, list):
            if len(value) < f.min_items or not all(
                any(_matches(entry, m) for entry in value) for m in f.must_include
            ):
                out.append(f)
            continue
        if f.proposal is not None and f.proposal_why == STAGE_NEEDS_IT:
            if value != f.proposal:
                out.append(f)
            continue
        if not _present(value):
            out.append(f)
    return out


def _matches(entry: Any, wanted: dict[str, Any]) -> bool:
    return isinstance(entry, dict) and all(entry.get(k) == v for k, v in wanted.items())


# --- rendering --------------------------------------------------------------------------


def _yaml_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_ .-]*", text) and text.lower() not in (
        "yes", "no", "on", "off", "true", "false", "null", "y", "n",
    ):  # fmt: skip
        return text
    return json.dumps(text, ensure_ascii=False)


_KIND_WORDS = {
    "date": N_("date YYYY-MM-DD"),
    "partial_date": N_("YYYY, YYYY-MM or YYYY-MM-DD"),
    "integer": N_("whole number"),
    "number": N_("number"),
    "boolean": N_("true or false"),
    "text": N_("text"),
}
_ITEM_WORDS = {
    "date": N_("dates"),
    "partial_date": N_("partial dates"),
    "integer": N_("whole numbers"),
    "number": N_("numbers"),
    "boolean": N_("true or false values"),
    "text": N_("texts"),
    "mapping": N_("mappings"),
    "list": N_("lists"),
}


def _what_words(f: Field) -> Said:
    """What a field takes, worded in whatever language is in force when it is printed."""
    if f.kind == "enum":
        return said(N_("one of: {values}"), values=", ".join(c.value for c in f.choices))
    if f.kind == "shares":
        return said(
            N_("percent per party, adding up to 100, for: {values}"),
            values=", ".join(c.value for c in f.choices),
        )
    if f.kind == "list" and f.item is not None:
        if f.item.kind == "enum":
            return said(
                N_("a list of: {values}"), values=", ".join(c.value for c in f.item.choices)
            )
        if f.fields:
            return said(N_("a list of entries"))
        kind = _ITEM_WORDS.get(f.item.kind)
        return said(N_("a list of {what}"), what=said(kind) if kind else f.item.kind)
    return said(_KIND_WORDS.get(f.kind, _KIND_WORDS["text"]))


def _what(f: Field) -> str:
    """What a field takes, for a comment (in the language in force)."""
    return _what_words(f).local()


_GENERIC_HELP = ("A calendar date", "A party to remediation", "Free text.")


def _help(f: Field) -> str:
    """The help worth repeating in a snippet (not the generic words of a shared type).

    In the language in force (the schema's description, as the catalogue words it).
    """
    text = f.help.strip()
    if any(text.startswith(g) for g in _GENERIC_HELP) or (
        f.kind == "enum" and all(c.help for c in f.choices)
    ):
        return ""
    words = f.help_words
    return words.local().strip() if words is not None else text


def _choice_text(c: Choice) -> str:
    """A choice's help in the language in force (a playbook's own words, or the catalogue's)."""
    if c.words is not None and hasattr(c.words, "local"):
        return str(c.words.local())
    return Said(c.help).local() if c.help else ""


def _short_what(f: Field) -> str:
    if f.kind == "enum" and len(f.choices) > 20:
        return _("a code, see the line above")
    if f.kind == "enum" and len(f.choices) > 3:
        return _("one of the values above")
    if f.kind == "list" and f.item is not None and f.item.kind == "enum":
        return _("a list of the values above") if len(f.item.choices) > 6 else _what(f)
    return _what(f)


def _notes(f: Field, width: int) -> list[str]:
    """Comment lines to put above a field: its help, its choices, its condition."""
    import textwrap

    out: list[str] = []
    help_text = _help(f)
    if f.kind == "enum" and len(f.choices) > 20:
        help_text = help_text or ngettext(
            "one of {n} code", "one of {n} codes", len(f.choices)
        ).format(n=len(f.choices))
    if help_text:
        out += textwrap.wrap(help_text, width)
    choices = f.choices if f.kind == "enum" else ()
    choose = _("choose from: {values}")
    if f.kind == "list" and f.item is not None and f.item.kind == "enum":
        if len(f.item.choices) > 6:
            values = ", ".join(c.value for c in f.item.choices)
            out += textwrap.wrap(choose.format(values=values), width)
    elif 3 < len(choices) <= 20 and not any(c.help for c in choices):
        out += textwrap.wrap(choose.format(values=", ".join(c.value for c in choices)), width)
    elif len(choices) <= 20:
        for c in choices:
            text = f"{c.value}: {_choice_text(c)}" if c.help else c.value
            out += textwrap.wrap(text, width, subsequent_indent="  ")
    if f.why_proposed:
        out += textwrap.wrap(_("proposed by clr: {why}").format(why=f.why_proposed), width)
    if f.when:
        condition = say(when_words(f), current(), current_catalogue())
        out += textwrap.wrap(
            _("only when {condition}: uncomment it then").format(condition=condition), width
        )
    return out


def render_snippet(missing: list[Field], width: int = 80) -> str:
    """One YAML snippet holding every missing field, allowed values as comments.

    Proposed values are filled in; the rest is left empty for the user. Fields that only
    apply under a condition on an answer not given yet are commented out, saying when.
    Comments go on their own lines, wrapped to ``width`` columns.
    """
    tree: dict[str, Any] = {}
    for f in missing:
        node = tree
        for part in f.path[:-1]:
            node = node.setdefault(part, {})
        node[f.path[-1]] = f
    lines: list[str] = []
    _render_tree(tree, 0, lines, width)
    return "\n".join(lines) + "\n"


def _render_tree(tree: dict[str, Any], depth: int, lines: list[str], width: int) -> None:
    pad = "  " * depth
    for key, value in tree.items():
        if isinstance(value, dict):
            lines.append(f"{pad}{key}:")
            _render_tree(value, depth + 1, lines, width)
            continue
        f: Field = value
        mark = "# " if f.when else ""
        room = max(width - len(pad) - 2, 30)
        lines += [f"{pad}# {n}" for n in _notes(f, room)]
        if f.kind == "list" and f.fields:
            lines.append(f"{pad}{mark}{key}:  # {_short_what(f)}")
            entries = f.proposal if isinstance(f.proposal, list) else [{}]
            for entry in entries:
                first = True
                for sub in f.fields:
                    if not sub.required and sub.dotted not in entry:
                        continue
                    value_text = _yaml_scalar(entry.get(sub.dotted))
                    lead = "- " if first else "  "
                    first = False
                    text = f"{pad}{mark}  {lead}{sub.dotted}: {value_text}".rstrip()
                    lines.append(f"{text}  # {_short_what(sub)}")
            continue
        if f.kind == "list" and isinstance(f.proposal, list):
            lines.append(f"{pad}{mark}{key}:  # {_short_what(f)}")
            lines += [f"{pad}{mark}  - {_yaml_scalar(v)}" for v in f.proposal]
            continue
        shown = "" if f.proposal is None else _yaml_scalar(f.proposal)
        if f.kind == "list" and f.item is not None and f.item.kind == "enum" and not shown:
            shown = "[]"
        if f.kind == "shares" and not shown:
            shown = "{}"
        line = f"{pad}{mark}{key}: {shown}".rstrip()
        lines.append(f"{line}  # {_short_what(f)}")


def _placeholder(f: Field) -> str:
    if isinstance(f.proposal, str):
        return f.proposal
    if f.proposal is not None and not isinstance(f.proposal, list | dict):
        return _yaml_scalar(f.proposal)
    if f.kind == "enum":
        return "|".join(c.value for c in f.choices)
    return {
        "date": "YYYY-MM-DD",
        "partial_date": "YYYY-MM-DD",
        "integer": "N",
        "number": "N",
        "boolean": "true|false",
        "shares": "{}",
        "list": "[]",
    }.get(f.kind, "TEXT")


def render_set_command(case_path: str, missing: list[Field]) -> str:
    """The ``clr set`` command line that would supply the missing fields."""
    words = ["clr", "set", shlex.quote(case_path)]
    for f in missing:
        if f.when:
            continue
        if f.kind == "list" and f.fields:
            entries = f.proposal if isinstance(f.proposal, list) else [{}]
            for entry in entries:
                item = {
                    sub.dotted: entry.get(sub.dotted, _placeholder(sub))
                    for sub in f.fields
                    if sub.required or sub.dotted in entry
                }
                words.append(shlex.quote(f"{f.dotted}+={json.dumps(item, ensure_ascii=False)}"))
            continue
        words.append(shlex.quote(f"{f.dotted}={_placeholder(f)}"))
    return " ".join(words)


# --- what a finding names ---------------------------------------------------------------


def needed_under(path: Path_, data: Any, stage: str | None = None) -> list[Field]:
    """The leaves a mapping at ``path`` must hold (for ``stage``, or for every case).

    Used by the schema check, so that a missing mapping is one finding naming all its
    fields at once instead of one level of structure per round.
    """
    case = data if isinstance(data, dict) else {}
    if stage in stages.STAGES:
        try:
            form = form_for(str(stage), case, FormContext(today=dt.date(2000, 1, 1)))
        except Exception:
            form = None
        if form is not None:
            found = [
                f
                for f in form.fields
                if f.path[: len(path)] == path and f.path != path and not f.when
            ]
            if found:
                return found
    node = _base_node(path)
    if _kind(node) != "mapping" or not node.get("properties"):
        return []
    out: list[Field] = []
    for name in node.get("required", []):
        out += _leaves((*path, name), None, case)
    return out


def describe_fields(fields: list[Field], under: Path_ = ()) -> Joined:
    """``removed_from_work (YYYY-MM-DD), result (one of: verified, inconclusive)``, worded."""
    words: list[Joined] = []
    for f in fields:
        name = ".".join(f.path[len(under) :])
        what: str | Said = _what_words(f)
        if f.kind == "enum" and len(f.choices) > 12:
            what = said(N_("a code"))
        elif f.kind == "list" and f.fields:
            what = said(
                N_("a list of entries with {fields}"),
                fields=", ".join(s.dotted for s in f.fields if s.required),
            )
        elif f.kind == "date":
            what = said(N_("YYYY-MM-DD"))
        words.append(Joined("", (name, " (", what, ")")))
    return Joined(", ", tuple(words))
