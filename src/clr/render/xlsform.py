"""XLSForms (``.xlsx``) for ODK and KoboToolbox, from clr's phone forms.

A form is three sheets, as the XLSForm standard (xlsform.org) lays them out: ``survey``
(one row per question, ``begin group``/``end group`` and ``begin repeat``/``end repeat``
around groups and repeats), ``choices`` (the allowed values of each ``select_one`` and
``select_multiple``) and ``settings`` (``form_title``, ``form_id``, ``version``,
``default_language`` and, for an encrypted form, ``public_key``).

Every text a person reads (labels, hints, constraint messages, choice labels) goes
through :func:`text_in`, one column per language of :data:`LANGUAGES`
(``label::English (en)``, ``label::French (fr)``, ``label::Spanish (es)``,
``label::Portuguese (pt)``), each from clr's gettext catalogue of that language (the English
text is the msgid; a text the catalogue does not hold is written in English).
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from clr.i18n import N_
from clr.model.findings import said
from clr.model.phoneforms import CASE_FIELD, PhoneForm, Question

LANGUAGES: tuple[tuple[str, str], ...] = (
    ("English", "en"),
    ("French", "fr"),
    ("Spanish", "es"),
    ("Portuguese", "pt"),
)
"""The languages of the forms, as ``(name, code)``; the first is the default."""

CATALOGUES: dict[str, str] = {"fr": "fr", "es": "es", "pt": "pt-BR"}
"""The language of clr's catalogue (``clr.i18n``) each form language's texts come from."""

TRANSLATIONS: dict[str, dict[str, str]] = {}
"""Texts in other languages than English that stand before the catalogue's, by language
code, then English text."""


def text_in(text: Any, code: str) -> str:
    """``text`` (English) in the language ``code``; English where there is no translation.

    ``text`` is a msgid, or words (:class:`clr.model.findings.Said`) worded in ``code``.
    """
    if not isinstance(text, str):
        lang = CATALOGUES.get(code)
        return str(text.say("en", None) if lang is None else text.say(lang, _catalogue(lang)))
    if code == "en" or not text:
        return text
    own = TRANSLATIONS.get(code, {}).get(text)
    if own is not None:
        return own
    lang = CATALOGUES.get(code)
    return text if lang is None else _catalogue(lang).gettext(text)


@functools.cache
def _catalogue(lang: str) -> Any:
    """The gettext catalogue of ``lang`` (read once: the forms hold every language)."""
    from clr import i18n

    return i18n.load(lang)


def _column(name: str, language: tuple[str, str]) -> str:
    return f"{name}::{language[0]} ({language[1]})"


def _texts(name: str, text: Any) -> dict[str, str]:
    return {_column(name, lang): text_in(text, lang[1]) for lang in LANGUAGES}


def survey_columns() -> list[str]:
    """The columns of the ``survey`` sheet: the texts once per language."""
    return [
        "type",
        "name",
        *(_column("label", lang) for lang in LANGUAGES),
        *(_column("hint", lang) for lang in LANGUAGES),
        "required",
        *(_column("required_message", lang) for lang in LANGUAGES),
        "relevant",
        "constraint",
        *(_column("constraint_message", lang) for lang in LANGUAGES),
        "calculation",
        "default",
        "appearance",
        "choice_filter",
    ]


def _rows(question: Question) -> list[dict[str, str]]:
    kind = question.type
    row: dict[str, str] = {"name": question.name}
    if question.label:
        row.update(_texts("label", question.label))
    if question.hint:
        row.update(_texts("hint", question.hint))
    for key in ("required", "relevant", "constraint", "calculation", "default", "appearance"):
        value = getattr(question, key)
        if value:
            row[key] = value
    if question.required:
        row.update(_texts("required_message", N_("An answer is needed")))
    if question.constraint_message:
        row.update(_texts("constraint_message", question.constraint_message))
    if question.choice_filter:
        row["choice_filter"] = question.choice_filter
    if kind in ("group", "repeat"):
        inner = [r for child in question.children for r in _rows(child)]
        has_repeat = any(child.type == "repeat" for child in question.children)
        if kind == "group" and not has_repeat:
            row["appearance"] = "field-list"
        return [{**row, "type": f"begin {kind}"}, *inner, {"type": f"end {kind}"}]
    return [{**row, "type": kind}]


def survey_rows(form: PhoneForm) -> list[dict[str, str]]:
    """The rows of the form's ``survey`` sheet."""
    return [row for q in form.questions for row in _rows(q)]


def choice_rows(form: PhoneForm) -> tuple[list[str], list[dict[str, str]]]:
    """The columns and rows of the form's ``choices`` sheet."""
    extra = sorted({col for cols in form.extra_choices.values() for col in cols})
    columns = ["list_name", "name", *(_column("label", lang) for lang in LANGUAGES), *extra]
    rows = []
    for list_name, values in form.choices.items():
        more = form.extra_choices.get(list_name, {})
        for index, (value, label) in enumerate(values):
            row = {"list_name": list_name, "name": value, **_texts("label", label)}
            for col, cells in more.items():
                row[col] = cells[index]
            rows.append(row)
    return columns, rows


def form_version(form: PhoneForm, clr_version: str, case_format: int) -> str:
    """``0.1.0-case1-<digest>``: clr's version, the case format and the form's content.

    ODK Central and KoboToolbox take a form again only under a new version: the digest
    changes whenever a question, a choice or a label does.
    """
    digest = hashlib.sha256(
        json.dumps([survey_rows(form), choice_rows(form)[1], form.title], sort_keys=True).encode()
    ).hexdigest()[:8]
    return f"{clr_version}-case{case_format}-{digest}"


def settings_row(
    form: PhoneForm,
    *,
    version: str,
    public_key: str | None = None,
    submission_url: str | None = None,
) -> dict[str, str]:
    """The one row of the ``settings`` sheet."""
    default = LANGUAGES[0]
    row = {
        "form_title": text_in(form.title, default[1]),
        "form_id": form.id,
        "version": version,
        "default_language": f"{default[0]} ({default[1]})",
        "instance_name": f"concat(${{{CASE_FIELD}}}, ' ', today())"
        if form.follow_up
        else "concat('new case ', today())",
    }
    if public_key:
        row["public_key"] = public_key
        if submission_url:
            row["submission_url"] = submission_url
    return row


def workbook(
    form: PhoneForm,
    *,
    version: str,
    public_key: str | None = None,
    submission_url: str | None = None,
) -> bytes:
    """The form as an ``.xlsx`` file's bytes (written with openpyxl)."""
    from openpyxl import Workbook

    book = Workbook()
    survey = book.active
    assert survey is not None
    survey.title = "survey"
    _fill(survey, survey_columns(), survey_rows(form))
    columns, rows = choice_rows(form)
    _fill(book.create_sheet("choices"), columns, rows)
    setting = settings_row(
        form, version=version, public_key=public_key, submission_url=submission_url
    )
    _fill(book.create_sheet("settings"), list(setting), [setting])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _fill(sheet: Any, columns: list[str], rows: Iterable[dict[str, str]]) -> None:
    sheet.append(columns)
    for row in rows:
        sheet.append([row.get(col, "") or None for col in columns])


# --- the follow-up list -----------------------------------------------------------------

FOLLOW_UP_COLUMNS = ("name", "label", "site", "stage")
"""The columns of ``cases.csv``: ``name`` is the case id (what a form records), ``label``
what the phone shows (id, site and stage), never a child's name or pseudonym."""


def follow_up_csv(cases: Sequence[tuple[str, str, str]], clean: Callable[[str], str]) -> str:
    """``cases.csv`` for the follow-up forms, from (id, site, stage) of each open case.

    ``clean`` makes a value safe for a spreadsheet cell (no formula).
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FOLLOW_UP_COLUMNS)
    for case_id, site, stage in cases:
        label = f"{case_id} · {site} · {stage.replace('_', ' ')}" if site else case_id
        writer.writerow([clean(case_id), clean(label), clean(site), clean(stage)])
    return out.getvalue()


# --- writing them -----------------------------------------------------------------------


def public_key_text(raw: str, source: str) -> str:
    """The base64 of an RSA public key (PEM, or base64 on one line), as ``public_key`` wants.

    Raises:
        ClrError: the text is not a public key in PEM or base64 form.
    """
    import base64
    import binascii

    from clr.errors import ClrError

    lines = [
        line.strip()
        for line in raw.strip().splitlines()
        if line.strip() and not line.startswith("-----")
    ]
    text = "".join(lines)
    try:
        der = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        der = b""
    if len(der) < 64 or der[0] != 0x30 or "PRIVATE" in raw:
        raise ClrError(
            said(N_("{file} is not an RSA public key"), file=source),
            hint=said(
                N_(
                    "ODK encrypts submissions to an RSA public key: make one with "
                    "'openssl genrsa -out private.pem 2048' and 'openssl rsa -in private.pem "
                    "-pubout -out public.pem', keep private.pem safe, and give public.pem"
                )
            ),
        )
    return text


def write_forms(
    forms: Sequence[PhoneForm],
    folder: Path,
    *,
    clr_version: str,
    case_format: int,
    public_key: str | None = None,
    submission_url: str | None = None,
) -> list[Path]:
    """Write each form as ``<folder>/<form id>.xlsx`` (atomically); return the paths.

    The public key goes into the new-case form, the one that asks for identity.
    """
    from clr.io import atomic

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for form in forms:
        key = public_key if form.kind == "new_case" else None
        data = workbook(
            form,
            version=form_version(form, clr_version, case_format),
            public_key=key,
            submission_url=submission_url if key else None,
        )
        path = folder / f"{form.id}.xlsx"
        atomic.write(path, data)
        written.append(path)
    return written
