"""Phone forms: the questions of clr's field forms (ODK, KoboToolbox), as plain data.

Every question comes from the form model (:mod:`clr.model.forms`), so a phone form asks
for the same fields, with the same types, allowed values and limits, as ``clr advance``
and ``clr set``: one form for a new case (with the identity questions, which go only to
the encrypted identity file), one for the facts of each stage, one for a monitoring visit,
one for a payment and one for checklist items. ``clr.render.xlsform`` writes them as
XLSForms; ``clr.cases.importing`` maps the submissions back through the same questions.

A question's ``name`` is its case path joined by ``__`` (``protection__safe_place``):
unique in its form, a valid XML name, and never containing ``-`` or ``/``, the separators
ODK Central and KoboToolbox put between a group and a field in their exports.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from clr.i18n import N_
from clr.model import stages
from clr.model.findings import Said, Translated, said
from clr.model.forms import Field, FormContext, field_at, form_for, order_key

Path_ = tuple[str, ...]

CASES_FILE = "cases.csv"
"""The follow-up list a follow-up form picks its case from (``clr form cases``)."""

FORM_FIELD = "clr_form"
"""A hidden field of every form: the form's id, so that an export says which form it is."""

CASE_FIELD = "case"
"""The question of a follow-up form that picks the case (from ``cases.csv``)."""

BY_FIELD = "by"
DATE_FIELD = "date"

IDENTITY = "identity"
"""The first part of the path of an identity question: its answer goes to the identity file."""

# Written by clr itself, never asked on a phone.
_MANAGED = {"schema_version", "id", "playbook", "track", "stage", "opened", "history"}
# Recorded with their own forms (a visit, a payment), not with a stage's facts.
_OWN_FORMS = {"visits", "payments"}

IDENTITY_QUESTIONS = (
    "name",
    "contact",
    "address",
    "id_document_type",
    "id_document_number",
    "guardian_name",
    "guardian_contact",
)
"""The identity file's fields a new-case form asks (text; all optional)."""


@dataclass(frozen=True)
class Question:
    """One row of a form's survey sheet (a group or repeat holds ``children``).

    ``type`` is the XLSForm type (``text``, ``date``, ``integer``, ``decimal``,
    ``select_one LIST``, ``select_multiple LIST``, ``select_one_from_file cases.csv``,
    ``calculate``, ``group``, ``repeat``). ``path`` is the case path the answer goes to
    (``("identity", "name")`` for the identity file, ``()`` for a question that is not a
    case field); ``kind`` is the form model's kind of the field.
    """

    name: str
    type: str
    label: str = ""
    hint: Any = ""  # text (a msgid) or words (clr.model.findings.Said)
    path: Path_ = ()
    kind: str = "text"
    required: str = ""  # "yes", an XPath expression, or "" (optional)
    relevant: str = ""
    constraint: str = ""
    constraint_message: Any = ""  # text (a msgid) or words (clr.model.findings.Said)
    calculation: str = ""
    default: str = ""
    appearance: str = ""
    choice_filter: str = ""
    children: tuple[Question, ...] = ()

    def walk(self) -> list[Question]:
        """This question and every question inside it, depth first."""
        out = [self]
        for child in self.children:
            out += child.walk()
        return out


@dataclass(frozen=True)
class PhoneForm:
    """One form: its id, what it records, its questions and its choice lists."""

    id: str
    kind: str  # new_case, stage, visit, payment, checklist
    title: str
    questions: tuple[Question, ...]
    choices: dict[str, tuple[tuple[str, Any], ...]] = field(default_factory=dict)
    extra_choices: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    """Extra columns of a choice list (``stage`` of a checklist item), by list and column."""
    stage: str = ""  # a stage form: the stage whose facts it records

    def questions_flat(self) -> list[Question]:
        """Every question, groups and repeats included, in order."""
        out: list[Question] = []
        for q in self.questions:
            out += q.walk()
        return out

    def by_name(self) -> dict[str, Question]:
        """Every question by its name."""
        return {q.name: q for q in self.questions_flat()}

    @property
    def follow_up(self) -> bool:
        """True if the form picks an existing case from the follow-up list."""
        return self.kind != "new_case"


def name_of(path: Path_) -> str:
    """A case path as a question name: ``protection__safe_place``."""
    return "__".join(p for p in path if p != "-")


def _words(name: str) -> str:
    """``no_longer_in_CL`` as ``No longer in CL``: a name as words, its capitals kept."""
    text = name.replace("_", " ")
    return text[:1].upper() + text[1:]


# --- a field as questions ---------------------------------------------------------------


def _number(value: float) -> str:
    return f"{value:g}"


def _limits(f: Field) -> tuple[str, Said | str]:
    parts = []
    if f.minimum is not None:
        parts.append(f". >= {_number(f.minimum)}")
    if f.maximum is not None:
        parts.append(f". <= {_number(f.maximum)}")
    low = _number(f.minimum) if f.minimum is not None else None
    high = _number(f.maximum) if f.maximum is not None else None
    if low is not None and high is not None:
        words: Said | str = said(N_("At least {low} and at most {high}"), low=low, high=high)
    elif low is not None:
        words = said(N_("At least {low}"), low=low)
    elif high is not None:
        words = said(N_("At most {high}"), high=high)
    else:
        words = ""
    return " and ".join(parts), words


def _list_name(f: Field) -> str:
    return name_of(f.path) if f.path[-1] != "-" else name_of(f.path[:-1])


def questions_for(
    f: Field,
    choices: dict[str, tuple[tuple[str, Any], ...]],
    *,
    name: str | None = None,
    required: bool | None = None,
    relevant: str = "",
) -> list[Question]:
    """The questions that ask for the field ``f``; its choice lists are added to ``choices``.

    A list of entries becomes a repeat, shares a group of numbers, a list of allowed values
    a ``select_multiple``.
    """
    qname = name or name_of(f.path)
    need = "yes" if (f.required if required is None else required) else ""
    if f.kind == "shares" or (f.kind == "list" and f.fields):
        need = ""  # a group or repeat is not answered itself
    base: dict[str, Any] = {
        "name": qname,
        "label": f.label or _words(f.path[-1]),
        "hint": f.help_words or "",
        "path": f.path,
        "kind": f.kind,
        "required": need,
        "relevant": relevant,
    }
    if f.kind == "enum":
        listed = _add_choices(choices, qname, f)
        many = len(f.choices) > 20
        return [Question(type=f"select_one {listed}", appearance="minimal" if many else "", **base)]
    if f.kind == "boolean":
        choices.setdefault("yes_no", (("yes", N_("Yes")), ("no", N_("No"))))
        return [Question(type="select_one yes_no", **base)]
    if f.kind in ("integer", "number"):
        constraint, message = _limits(f)
        kind = "integer" if f.kind == "integer" else "decimal"
        return [Question(type=kind, constraint=constraint, constraint_message=message, **base)]
    if f.kind == "date":
        return [
            Question(
                type="date",
                constraint=". <= today()",
                constraint_message=N_("Not in the future"),
                **base,
            )
        ]
    if f.kind == "partial_date":
        pattern = r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$"
        return [
            Question(
                type="text",
                constraint=f"regex(., '{pattern}')",
                constraint_message=N_("YYYY, YYYY-MM or YYYY-MM-DD"),
                **base,
            )
        ]
    if f.kind == "shares":
        members = [
            Question(
                name=f"{qname}__{c.value}",
                type="decimal",
                label=_words(c.value),
                hint=c.words or c.help,
                path=(*f.path, c.value),
                kind="number",
                constraint=". >= 0 and . <= 100",
                constraint_message=N_("A percentage, 0 to 100"),
            )
            for c in f.choices
        ]
        return [Question(type="group", children=tuple(members), **base)]
    if f.kind == "list" and f.item is not None and f.fields:
        members = []
        for sub in f.fields:
            members += questions_for(sub, choices, name=f"{qname}__{name_of(sub.path)}")
        return [Question(type="repeat", children=tuple(members), **base)]
    if f.kind == "list" and f.item is not None and f.item.kind == "enum":
        listed = _add_choices(choices, qname, f.item)
        return [Question(type=f"select_multiple {listed}", **{**base, "kind": "list"})]
    if f.kind == "list":
        hint = (
            said(N_("{help} Separate entries with commas."), help=Said(f.help))
            if f.help
            else said(N_("Separate entries with commas."))
        )
        return [Question(type="text", **{**base, "hint": hint})]
    if f.pattern:
        pattern = f.pattern.replace("'", "")
        return [
            Question(
                type="text",
                constraint=f"regex(., '{pattern}')",
                constraint_message=f.help_words or N_("Not in the expected form"),
                **base,
            )
        ]
    return [Question(type="text", **base)]


def _add_choices(choices: dict[str, tuple[tuple[str, Any], ...]], name: str, f: Field) -> str:
    """Add the field's allowed values as a choice list (shared when the same); its name."""
    listed = tuple((c.value, _choice_label(f, c.value, c.help, c.words)) for c in f.choices)
    for existing, values in choices.items():
        if values == listed:
            return existing
    choices[name] = listed
    return name


def _choice_label(f: Field, value: str, help_text: str, meaning: Any = None) -> Any:
    """A choice's label: a country's name, a code as it is, words with their meaning.

    A label with a meaning is worded in each language of the form: the value's words from
    the catalogue, the meaning from ``meaning`` (the help in every language: a playbook's
    role or closure reason, a schema's words), the first sentence of it.
    """
    if f.path and f.path[-1] == "country":
        from clr.model import countries

        found = countries.countries().get(value)
        return found.name if found else value
    if value.isupper():
        return value
    words = _words(value)
    if not help_text or help_text.lower() == value:
        return words
    if meaning is None:
        return f"{words}: {_first_sentence(help_text)}"
    return said(N_("{value}: {meaning}"), value=Said(words), meaning=_first_of(meaning))


def _first_sentence(text: str) -> str:
    return re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]


def _first_of(meaning: Any) -> Any:
    """The first sentence of words in every language (a text the catalogue holds, or data)."""
    if isinstance(meaning, Translated):
        return Translated(
            _first_sentence(meaning.text),
            tuple((lang, _first_sentence(text)) for lang, text in meaning.texts),
        )
    if isinstance(meaning, Said) and not meaning.fields:
        return Said(_first_sentence(meaning.template))
    return meaning


# --- conditions -------------------------------------------------------------------------

_CLAUSE = re.compile(r"^(?P<path>[\w.]+) is (?:one of (?P<many>.+)|(?P<one>[\w.-]+))$")


def relevant_of(when: str, questions: dict[Path_, Question]) -> str | None:
    """An XLSForm ``relevant`` for a form model condition in words; None if not expressible.

    ``age_verification.result is verified`` becomes ``${age_verification__result} =
    'verified'``; a condition on a field the form does not ask is not expressible.
    """
    parts = []
    for clause in when.split(" and "):
        match = _CLAUSE.match(clause.strip())
        if not match:
            return None
        q = questions.get(tuple(match["path"].split(".")))
        if q is None:
            return None
        values = match["many"].split(", ") if match["many"] else [match["one"]]
        if q.kind == "boolean":
            values = ["yes" if v == "true" else "no" if v == "false" else v for v in values]
        tests = [f"${{{q.name}}} = '{v}'" for v in values]
        parts.append(tests[0] if len(tests) == 1 else "(" + " or ".join(tests) + ")")
    return " and ".join(parts)


# --- the forms --------------------------------------------------------------------------


def _grouped(questions: list[Question]) -> tuple[Question, ...]:
    """Questions grouped by the first part of their path, in order (one page per group)."""
    out: list[Question] = []
    groups: dict[str, list[Question]] = {}
    for q in questions:
        top = q.path[0] if len(q.path) > 1 else ""
        if not top:
            out.append(q)
            continue
        if top not in groups:
            groups[top] = []
            out.append(Question(name=top, type="group", label=_words(top)))
        groups[top].append(q)
    return tuple(
        Question(
            name=q.name, type="group", label=q.label, appearance="", children=tuple(groups[q.name])
        )
        if q.type == "group" and q.name in groups and not q.children
        else q
        for q in out
    )


def _form_field(form_id: str) -> Question:
    return Question(name=FORM_FIELD, type="calculate", calculation=f"'{form_id}'")


def _case_question(stage_filter: str = "") -> Question:
    return Question(
        name=CASE_FIELD,
        type=f"select_one_from_file {CASES_FILE}",
        label=N_("Case"),
        hint=N_("The case's pseudonymous id (the follow-up list holds no names)."),
        required="yes",
        appearance="search" if not stage_filter else "",
        choice_filter=f"stage = '{stage_filter}'" if stage_filter else "",
    )


def _by_question(required: bool) -> Question:
    return Question(
        name=BY_FIELD,
        type="text",
        label=N_("Recorded by"),
        hint=N_("Your name or role as your organisation records it (never the child's name)."),
        required="yes" if required else "",
    )


def _context(playbook: Any) -> FormContext:
    return FormContext(today=dt.date(2000, 1, 1), playbook=playbook)


def _stage_fields(stage: str, playbook: Any) -> list[Field]:
    """The fields a case needs to reach ``stage``, beyond those of the stage before.

    Closing asks the closure's fields, and those the closure reason makes necessary.
    """
    context = _context(playbook)
    if stage == "closed":
        wanted = form_for(stage, {"stage": "monitoring", "track": "underage"}, context).fields
        chosen = [f for f in wanted if f.path[0] == "closure" or f.when]
    else:
        index = stages.STAGES.index(stage)
        source = stages.STAGES[index - 1]
        earlier = stages.STAGES[index - 2] if index > 1 else None
        wanted = form_for(stage, {"stage": source, "track": "underage"}, context).fields
        before = {
            f.path
            for f in form_for(source, {"stage": earlier, "track": "underage"}, context).fields
        }
        chosen = [f for f in wanted if f.path not in before]
    return [f for f in chosen if f.path[0] not in _MANAGED and f.path[0] not in _OWN_FORMS]


def stage_form(stage: str, playbook: Any = None) -> PhoneForm:
    """The form of the facts a case needs to reach ``stage`` (picked from the list)."""
    choices: dict[str, tuple[tuple[str, Any], ...]] = {}
    fields = _stage_fields(stage, playbook)
    by_path: dict[Path_, Question] = {}
    asked: list[Question] = []
    for f in sorted(fields, key=lambda f: bool(f.when)):
        relevant = relevant_of(f.when, by_path) if f.when else ""
        required = None if relevant is not None else False
        for q in questions_for(f, choices, required=required, relevant=relevant or ""):
            by_path[q.path] = q
            asked.append(q)
    order = {f.path: i for i, f in enumerate(fields)}
    asked.sort(key=lambda q: order.get(q.path, len(order)))
    source = stages.STAGES[stages.STAGES.index(stage) - 1] if stage != "closed" else ""
    form_id = f"clr_stage_{stage}"
    questions = (
        _form_field(form_id),
        _case_question(source),
        *_grouped(asked),
    )
    return PhoneForm(
        form_id, "stage", f"Case facts for the {stage.replace('_', ' ')} stage", questions,
        choices, stage=stage,
    )  # fmt: skip


def _entry_form(form_id: str, kind: str, title: str, list_path: str, playbook: Any) -> PhoneForm:
    choices: dict[str, tuple[tuple[str, Any], ...]] = {}
    entry = field_at((list_path,), playbook)
    asked: list[Question] = []
    for sub in entry.fields:
        if sub.path == ("by",):
            asked.append(Question(**{**_by_question(False).__dict__, "path": ("by",)}))
            continue
        asked += questions_for(sub, choices, name=name_of(sub.path))
    questions = (_form_field(form_id), _case_question(), *asked)
    return PhoneForm(form_id, kind, title, questions, choices)


def visit_form(playbook: Any = None) -> PhoneForm:
    """A monitoring visit (``visits[]``), as ``clr visit`` records it."""
    return _entry_form("clr_visit", "visit", N_("Monitoring visit"), "visits", playbook)


def payment_form(playbook: Any = None) -> PhoneForm:
    """A payment with its receipt (``payments[]``), as ``clr pay`` records it."""
    return _entry_form("clr_payment", "payment", N_("Payment"), "payments", playbook)


def checklist_form(playbook: Any) -> PhoneForm:
    """Checklist items done (``checklist``), as ``clr tick`` records them.

    The items offered are those of the picked case's stage (a ``stage`` column of the
    choice list, filtered by the case's stage from the follow-up list).
    """
    items: list[tuple[str, str]] = []
    item_stages: list[str] = []
    if playbook is not None:
        for stage in stages.STAGES:
            plan = playbook.stages.get(stage)
            for action in plan.gates if plan else ():
                if action.done_when:
                    continue
                items.append((action.id.replace("-", "_"), action.text))
                item_stages.append(stage)
    questions = (
        _form_field("clr_checklist"),
        _case_question(),
        Question(
            name="case_stage",
            type="calculate",
            calculation=f"instance('{CASES_FILE.removesuffix('.csv')}')"
            f"/root/item[name=${{{CASE_FIELD}}}]/stage",
        ),
        Question(
            name="items",
            type="select_multiple checklist_items",
            label=N_("Checklist items done"),
            hint=N_("Tick only what was done; clr records each item once."),
            path=("checklist",),
            kind="list",
            required="yes",
            choice_filter="stage = ${case_stage}",
        ),
        Question(
            name=DATE_FIELD,
            type="date",
            label=N_("Done on"),
            path=("checklist", "-", "done"),
            kind="date",
            required="yes",
            default="today()",
            constraint=". <= today()",
            constraint_message=N_("Not in the future"),
        ),
        _by_question(required=True),
        Question(
            name="note",
            type="text",
            label=N_("Note"),
            hint=N_("Free text; no names or contacts."),
            path=("checklist", "-", "note"),
        ),
    )
    return PhoneForm(
        "clr_checklist",
        "checklist",
        N_("Checklist items done"),
        questions,
        {"checklist_items": tuple(items)},
        {"checklist_items": {"stage": tuple(item_stages)}},
    )


def checklist_item_id(name: str, playbook: Any) -> str | None:
    """The playbook item id of a checklist choice name (``-`` is ``_`` in a form)."""
    if playbook is None:
        return None
    for action in playbook.all_items():
        if action.id.replace("-", "_") == name or action.id == name:
            return str(action.id)
    return None


def new_case_form(playbook: Any = None) -> PhoneForm:
    """A new case: what ``clr new-case`` asks, and the identity questions apart."""
    choices: dict[str, tuple[tuple[str, Any], ...]] = {}
    context = _context(playbook)
    reported = form_for("reported", {"stage": None}, context).fields
    identified = form_for("identified", {"stage": "reported", "track": "underage"}, context)
    base = [f for f in reported if f.path[0] not in _MANAGED]
    known = {f.path for f in base}
    extra = [f for f in identified.fields if f.path not in known and f.path[0] not in _MANAGED]
    optional = [("child", "birth_date"), ("child", "age_basis"), ("site", "region")]
    asked: list[Question] = []
    track = field_at(("track",), playbook)
    asked += questions_for(track, choices)
    for f in base:
        asked += questions_for(f, choices)
    for path in optional:
        if path not in known and all(f.path != path for f in extra):
            asked += questions_for(field_at(path, playbook), choices, required=False)
    confirmed = Question(
        name="confirmed",
        type="select_one yes_no",
        label=N_("Confirmed at the site"),
        hint=N_(
            "Yes if the child was seen working and the site is known: the case starts "
            "at the identified stage."
        ),
        kind="boolean",
        required="yes",
    )
    choices.setdefault("yes_no", (("yes", N_("Yes")), ("no", N_("No"))))
    asked.append(confirmed)
    for f in extra:
        for q in questions_for(f, choices, required=False, relevant="${confirmed} = 'yes'"):
            asked.append(Question(**{**q.__dict__, "required": "yes"}))
    order = {path: i for i, path in enumerate(_schema_order(asked))}
    asked.sort(key=lambda q: order[q.path] if q.path else -1)
    identity = Question(
        name=IDENTITY,
        type="group",
        label=N_("Identity (kept encrypted, never in the case file)"),
        children=tuple(
            Question(
                name=f"{IDENTITY}__{key}",
                type="text",
                label=_words(key).replace("Id ", "ID "),
                hint=_identity_help(key),
                path=(IDENTITY, key),
            )
            for key in IDENTITY_QUESTIONS
        ),
    )
    questions = (
        _form_field("clr_new_case"),
        *_grouped(asked),
        identity,
        _by_question(required=True),
    )
    return PhoneForm("clr_new_case", "new_case", N_("New case"), questions, choices)


def _identity_help(key: str) -> str:
    from clr.io import resources

    node = resources.load_schema("identity").get("properties", {}).get(key, {})
    return str(node.get("description", ""))


def _schema_order(questions: list[Question]) -> list[Path_]:
    paths = [q.path for q in questions if q.path]
    return sorted(paths, key=lambda p: (p != ("track",), order_key(p)))


def all_forms(playbook: Any = None) -> list[PhoneForm]:
    """Every form clr builds: a new case, each stage's facts, a visit, a payment, ticks."""
    forms = [new_case_form(playbook)]
    forms += [stage_form(s, playbook) for s in stages.STAGES[1:]]
    forms += [visit_form(playbook), payment_form(playbook), checklist_form(playbook)]
    return forms


def form_by_id(form_id: str, playbook: Any = None) -> PhoneForm | None:
    """The form with this id (as an export's ``clr_form`` column names it), or None."""
    if form_id.startswith("clr_stage_"):
        stage = form_id.removeprefix("clr_stage_")
        return stage_form(stage, playbook) if stage in stages.STAGES[1:] else None
    makers = {
        "clr_new_case": new_case_form,
        "clr_visit": visit_form,
        "clr_payment": payment_form,
        "clr_checklist": checklist_form,
    }
    maker = makers.get(form_id)
    return maker(playbook) if maker else None
