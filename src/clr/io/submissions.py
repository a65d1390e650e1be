"""Reading phone submissions as ODK Central and KoboToolbox export them.

ODK Central exports a form's submissions as CSV (one row a submission, the fields of a
group named ``group-field``, ``SubmissionDate`` first, then the fields, ``meta-instanceID``,
``KEY``, ``SubmitterID``, ``SubmitterName``, …, ``ReviewState``) or as a ZIP of CSVs: the
submissions in ``<form id>.csv`` and each repeat group in ``<form id>-<repeat>.csv``, its
rows tied to their submission by ``PARENT_KEY``. KoboToolbox exports CSV (``;`` or ``,``
between cells) and XLSX with ``group/field`` headers, ``_uuid``, ``_submission_time``,
``_validation_status``, repeat groups on sheets of their own (``_parent_index`` pointing to
the ``_index`` of their submission), and JSON (a ``results`` list, repeats as lists).

Every format is read into the same :class:`Submission`: answers by question name (the last
part of a header), repeats by repeat name, and what the tool says about the submission.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clr.errors import ClrError
from clr.i18n import N_
from clr.io import files
from clr.model.findings import said

LIMIT = 256 * 1024 * 1024
"""The largest export read (a quarter of a GiB)."""

ODK_META = {
    "SubmissionDate",
    "KEY",
    "PARENT_KEY",
    "SubmitterID",
    "SubmitterName",
    "AttachmentsPresent",
    "AttachmentsExpected",
    "Status",
    "ReviewState",
    "DeviceID",
    "Edits",
    "FormVersion",
}


@dataclass
class Submission:
    """One submission, whatever the tool and format it came in."""

    source: str  # the file, as shown
    row: int  # its line (CSV), row (XLSX) or position (JSON), from 1
    tool: str  # "odk" or "kobo"
    instance_id: str = ""
    answers: dict[str, str] = field(default_factory=dict)
    repeats: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    submitted: str = ""
    submitter: str = ""
    review: str = ""  # "", approved, rejected, hasIssues, edited
    status: str = ""  # ODK: "not decrypted", "missing encrypted form data"

    @property
    def where(self) -> str:
        """``file:row``, for messages."""
        return f"{self.source}:{self.row}"


class ExportError(ClrError):
    """An export clr cannot read (its format, not one submission)."""


def _name(header: str) -> str:
    """A header's question name: the part after the last group separator."""
    return header.replace("/", "-").rsplit("-", 1)[-1]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _answers(record: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for header, value in record.items():
        if header is None or header in ODK_META or header.startswith("_"):
            continue
        name = _name(header)
        if name not in out:  # a select_multiple's split columns come after its own
            out[name] = _text(value)
    return out


def _kobo_review(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("uid", "")
    text = _text(value).lower()
    if "not_approved" in text or "not approved" in text:
        return "rejected"
    if "on_hold" in text or "on hold" in text:
        return "hasIssues"
    return "approved" if "approved" in text else ""


def _odk(source: str, row: int, record: dict[str, Any]) -> Submission:
    answers = _answers(record)
    return Submission(
        source=source,
        row=row,
        tool="odk",
        instance_id=answers.get("instanceID") or _text(record.get("KEY")),
        answers=answers,
        submitted=_text(record.get("SubmissionDate")),
        submitter=_text(record.get("SubmitterName")),
        review=_text(record.get("ReviewState")),
        status=_text(record.get("Status")),
    )


def _kobo(source: str, row: int, record: dict[str, Any]) -> Submission:
    answers = _answers(record)
    uuid = _text(record.get("_uuid"))
    instance = answers.get("instanceID") or (f"uuid:{uuid}" if uuid else "")
    return Submission(
        source=source,
        row=row,
        tool="kobo",
        instance_id=instance,
        answers=answers,
        submitted=_text(record.get("_submission_time")),
        submitter=_text(record.get("_submitted_by")),
        review=_kobo_review(record.get("_validation_status")),
    )


# --- CSV --------------------------------------------------------------------------------


def _csv_records(text: str, source: str) -> list[tuple[int, dict[str, str]]]:
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    out = []
    start = 2
    try:
        for record in reader:
            if None in record:
                raise ExportError(
                    said(
                        N_("{where}: more cells than the header has columns"),
                        where=f"{source}:{start}",
                    ),
                    hint=said(N_("export the submissions again from ODK Central or KoboToolbox")),
                )
            out.append((start, record))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ExportError(
            said(
                N_("{where}: not a CSV file ({reason})"),
                where=f"{source}:{reader.line_num}",
                reason=exc,
            )
        ) from None
    return out


def _from_csv(text: str, source: str) -> list[Submission]:
    records = _csv_records(text, source)
    header = text.split("\n", 1)[0]
    if "SubmissionDate" in header or "meta-instanceID" in header:
        return [_odk(source, row, record) for row, record in records]
    if "_uuid" in header or "meta/instanceID" in header:
        return [_kobo(source, row, record) for row, record in records]
    raise ExportError(
        said(
            N_(
                "{where}: not an ODK Central or KoboToolbox export (no SubmissionDate, "
                "meta-instanceID or _uuid column)"
            ),
            where=f"{source}:1",
        ),
        hint=said(
            N_("export the submissions of a form built by clr form build as CSV, ZIP, XLSX or JSON")
        ),
    )


# --- ODK Central ZIP --------------------------------------------------------------------


def _from_zip(raw: bytes, source: str) -> list[Submission]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        names = [n for n in archive.namelist() if n.lower().endswith(".csv")]
        texts = {n: _decode(archive.read(n), f"{source}/{n}") for n in names}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError) as exc:
        raise ExportError(
            said(N_("{file}: not a readable ZIP file ({reason})"), file=source, reason=exc)
        ) from None
    main = [n for n in names if "SubmissionDate" in texts[n].split("\n", 1)[0]]
    if len(main) != 1:
        raise ExportError(
            said(
                N_("{file}: no submissions CSV (with SubmissionDate) in the ZIP file"), file=source
            ),
            hint=said(N_("give the ZIP ODK Central exports (Download all submissions)")),
        )
    base = main[0].removesuffix(".csv")
    subs = _from_csv(texts[main[0]], f"{source}/{main[0]}")
    by_key = {s.instance_id: s for s in subs}
    for name in names:
        if name == main[0] or not name.startswith(f"{base}-"):
            continue
        repeat = name.removeprefix(f"{base}-").removesuffix(".csv").split("~", 1)[0]
        for _, record in _csv_records(texts[name], f"{source}/{name}"):
            parent = by_key.get(_text(record.get("PARENT_KEY")))
            if parent is not None:
                parent.repeats.setdefault(repeat, []).append(_answers(record))
    return subs


# --- KoboToolbox XLSX and JSON ----------------------------------------------------------


def _from_xlsx(raw: bytes, source: str) -> list[Submission]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ExportError(
            said(
                N_("{file}: not a readable XLSX file ({reason})"),
                file=source,
                reason=type(exc).__name__,
            )
        ) from None
    sheets = []
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        if not rows:
            continue
        header = [_text(h) for h in rows[0]]
        sheets.append(
            (
                sheet.title,
                [(i + 2, dict(zip(header, r, strict=False))) for i, r in enumerate(rows[1:])],
            )
        )
    if not sheets:
        raise ExportError(said(N_("{file}: the workbook is empty"), file=source))
    _, main_rows = sheets[0]
    subs = []
    by_index: dict[str, Submission] = {}
    for row, record in main_rows:
        if all(v in (None, "") for v in record.values()):
            continue
        sub = _kobo(source, row, record)
        subs.append(sub)
        by_index[_text(record.get("_index"))] = sub
    for title, rows_ in sheets[1:]:
        for _, record in rows_:
            parent = by_index.get(_text(record.get("_parent_index")))
            if parent is not None:
                parent.repeats.setdefault(_name(title), []).append(_answers(record))
    return subs


def _from_json(text: str, source: str) -> list[Submission]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ExportError(
            said(
                N_("{where}: not valid JSON ({reason})"),
                where=f"{source}:{exc.lineno}",
                reason=exc.msg,
            )
        ) from None
    results = data.get("results") if isinstance(data, dict) else data
    if not isinstance(results, list) or not all(isinstance(r, dict) for r in results):
        raise ExportError(
            said(
                N_(
                    "{file}: not a KoboToolbox JSON export (a list of submissions, or 'results' "
                    "holding one)"
                ),
                file=source,
            )
        )
    subs = []
    for index, record in enumerate(results, 1):
        flat = {k: v for k, v in record.items() if not isinstance(v, list)}
        sub = _kobo(source, index, flat)
        for key, value in record.items():
            if isinstance(value, list) and not key.startswith("_"):
                sub.repeats[_name(key)] = [
                    _answers(entry) for entry in value if isinstance(entry, dict)
                ]
        subs.append(sub)
    return subs


# --- any file ---------------------------------------------------------------------------


def _decode(raw: bytes, source: str) -> str:
    try:
        return raw.decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError as exc:
        raise ExportError(
            said(N_("{file}: not UTF-8 text (byte {offset})"), file=source, offset=exc.start),
            hint=said(N_("export again from ODK Central or KoboToolbox, which write UTF-8")),
        ) from None


def read_export(path: Path, shown: str) -> list[Submission]:
    """The submissions in an export file (``.csv``, ``.zip``, ``.xlsx`` or ``.json``).

    Raises:
        ExportError: the file is not an export clr reads.
        OSError: the file cannot be read.
    """
    raw = files.read_bytes(path, limit=LIMIT)
    suffix = path.suffix.lower()
    if suffix == ".zip" or (raw.startswith(b"PK\x03\x04") and suffix != ".xlsx"):
        return _from_zip(raw, shown)
    if suffix == ".xlsx":
        return _from_xlsx(raw, shown)
    if suffix == ".json":
        return _from_json(_decode(raw, shown), shown)
    if suffix == ".csv":
        return _from_csv(_decode(raw, shown), shown)
    raise ExportError(
        said(
            N_(
                "{file}: clr reads exports as .csv, .zip (ODK Central), .xlsx or .json "
                "(KoboToolbox)"
            ),
            file=shown,
        ),
    )
