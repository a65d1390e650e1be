"""Formats for views over many cases and for documents: JSON, CSV, Markdown.

``clr status`` (a list of case summaries), ``clr stats`` (the figures document) and the
JSON of one case (``clr show``, ``clr next``, ``clr identity show``, the playbooks). Each
is registered by name in ``clr.render.RENDERER_BY_NAME``; the terminal tables are drawn by
the command line, from the same cells (``status_cells``, ``figure_columns``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from clr.i18n import N_, _, numbers
from clr.render import safe

if TYPE_CHECKING:
    import datetime as dt

    from clr.views.summary import CaseSummary

STATUS_TABLE: tuple[tuple[str, str], ...] = (
    ("id", N_("ID")),
    ("stage", N_("Stage")),
    ("track", N_("Track")),
    ("site", N_("Site")),
    ("country", N_("Country")),
    ("days_open", N_("Open")),
    ("days_in_stage", N_("In stage")),
    ("next_action", N_("Next action")),
    ("next_due", N_("Due")),
    ("overdue", N_("Overdue")),
    ("last_visit", N_("Last visit")),
)
"""The columns of the status table (terminal and Markdown): key and title (a msgid)."""


def document_json(doc: Any) -> str:
    """A document as indented JSON (non-ASCII kept as it is, but for unsafe characters)."""
    return safe.json_text(json.dumps(doc, indent=2, ensure_ascii=False)) + "\n"


def identity_yaml(doc: dict[str, Any]) -> str:
    """An identity file's fields as YAML, without the file's header comment."""
    from clr.cases.identity import render

    return safe.terminal(render(doc, header=False), block=True)


def identity_json(doc: dict[str, Any]) -> str:
    """An identity file's fields as JSON, after ``"version": 1`` like every JSON output."""
    # An identity field never has that name; a stray one must not hide the version.
    return document_json({"version": 1, **{k: v for k, v in doc.items() if k != "version"}})


def json_lines(doc: dict[str, Any]) -> str:
    """JSON with one case per line: readable, diffable, and written by the fast C encoder."""
    cases = doc.get("cases")
    if not isinstance(cases, list):
        return safe.json_text(json.dumps(doc, indent=2, ensure_ascii=False))
    head = json.dumps({k: v for k, v in doc.items() if k != "cases"}, ensure_ascii=False)
    rows = _rows_json(cases)
    text = head[:-1] + (', "cases": [\n' if len(head) > 2 else '"cases": [\n') + rows + "\n]}"
    return safe.json_text(text)


def _rows_json(rows: list[Any]) -> str:
    """``rows`` as JSON, one a line (two spaces in, a comma and a line break between).

    The rows are written in one call of the C encoder (10,000 rows: one call rather than
    10,000) and split where one ends and the next starts: ``}, {"`` can only stand there
    (in a string a quote is escaped), unless a row holds objects itself, which the count
    of those places tells.
    """
    if rows and all(type(row) is dict and row for row in rows):
        text = json.dumps(rows, ensure_ascii=False)[1:-1]
        if text.count('}, {"') == len(rows) - 1:
            return "  " + text.replace('}, {"', '},\n  {"')
    return ",\n".join("  " + json.dumps(row, ensure_ascii=False) for row in rows)


def dash(value: Any) -> str:
    """A table cell: ``-`` for nothing, a number as the language writes it."""
    if value is None or value == "":
        return "-"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return numbers.number(value)
    return str(value)


def plain_table(headers: list[str], rows: list[list[str]]) -> str:
    """Columns padded with spaces, for a pipe or a file."""
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)
    ]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    for row in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)


# --- clr status ------------------------------------------------------------------------


def status_cells(case: CaseSummary) -> list[str]:
    """The cells of a case's row in the status table, safe to print on a terminal."""
    from clr.views.status import status_row

    row = status_row(case)
    return [safe.terminal(dash(row[key])) for key, _title in STATUS_TABLE]


def status_json(cases: Sequence[CaseSummary], today: dt.date) -> str:
    """The status document as JSON, one case a line."""
    from clr.views.status import status_document

    return json_lines(status_document(list(cases), today)) + "\n"


def status_csv(cases: Sequence[CaseSummary], today: dt.date) -> str:
    """One CSV row per case, the stable columns of ``docs/bulk-views.md``."""
    from clr.views.export import csv_text
    from clr.views.status import STATUS_COLUMNS, status_row

    rows = [status_row(c) for c in cases]
    return csv_text(STATUS_COLUMNS, ([r[k] for k in STATUS_COLUMNS] for r in rows))


def status_markdown(cases: Sequence[CaseSummary], today: dt.date) -> str:
    """The status table in Markdown, with the cases that could not be read below it."""
    from clr.views.report import markdown_table

    ok = [c for c in cases if c.ok]
    out = [_("# Case status as of {date}").format(date=today.isoformat()), ""]
    out.append(
        markdown_table(
            [_(title) for _key, title in STATUS_TABLE],
            [[safe.markdown(cell) for cell in status_cells(c)] for c in ok],
        )
    )
    failed = [c for c in cases if not c.ok]
    if failed:
        out += ["", _("## Cases that could not be read"), ""]
        out += [f"- {safe.markdown(c.path)}: {safe.markdown(c.error)}" for c in failed]
    return "\n".join(out) + "\n"


# --- clr stats -------------------------------------------------------------------------


def figures_csv(doc: dict[str, Any]) -> str:
    """One CSV row per figure, group and sex."""
    from clr.views.export import csv_text
    from clr.views.figures import STATS_CSV_COLUMNS, stats_rows

    rows = stats_rows(doc)
    return csv_text(STATS_CSV_COLUMNS, ([r[k] for k in STATS_CSV_COLUMNS] for r in rows))


def figure_nodes(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """All cases, then each group."""
    return [doc["total"], *doc["groups"]]


def figure_title(doc: dict[str, Any], node: dict[str, Any]) -> str:
    """The title of a block of figures."""
    if node is doc["total"]:
        return _("All cases")
    return f"{doc['by']}: {node['group']}"


def figure_columns(
    doc: dict[str, Any], node: dict[str, Any]
) -> tuple[list[str], list[tuple[str, str, str]], list[dict[str, str]]]:
    """Column titles, the rows (key, section, label) and each column's values."""
    from clr.views.figures import display_rows

    columns: list[tuple[str, dict[str, Any]]] = [("all", node)]
    columns += list(node.get("by_sex", {}).items())
    titles = []
    values: list[dict[str, str]] = []
    order: dict[str, tuple[str, str]] = {}
    for name, child in columns:
        shown_name = _("all") if name == "all" else name  # a sex stays as the case file says
        suppressed = _("{column} (suppressed)").format(column=shown_name)
        titles.append(suppressed if child["suppressed"] else shown_name)
        shown: dict[str, str] = {}
        if not child["suppressed"]:
            for key, section, label, text in display_rows(child["figures"]):
                order.setdefault(key, (section, label))
                shown[key] = text
        values.append(shown)
    rows = [(key, section, label) for key, (section, label) in order.items()]
    return titles, rows, values


def figures_plain(doc: dict[str, Any]) -> str:
    """The figures as plain text tables, for a pipe or a file."""
    blocks = []
    for node in figure_nodes(doc):
        title = figure_title(doc, node)
        if node["suppressed"]:
            blocks.append(_("{title}: suppressed (too few cases)").format(title=title))
            continue
        titles, rows, values = figure_columns(doc, node)
        cells = []
        last_section = None
        for key, section, label in rows:
            if section != last_section:
                cells.append([section, *("" for _title in titles)])
                last_section = section
            cells.append(["  " + label, *(v.get(key, "-") for v in values)])
        blocks.append(f"{title}\n" + plain_table([_("figure"), *titles], cells))
    if doc.get("monitoring"):
        blocks.append(monitoring_plain(doc))
    return "\n\n".join(blocks)


MONITORING_TITLE = N_("monitoring rounds (monitoring/rounds.yaml)")


def monitoring_rows(doc: dict[str, Any]) -> list[list[str]]:
    """The monitored population and the identification rate as (figure, value) rows."""
    from clr.views.figures import display_rows

    rows = []
    for _key, _section, label, text in display_rows(doc["monitoring"]):
        rows.append([safe.terminal(label), text])
    return rows


def monitoring_plain(doc: dict[str, Any]) -> str:
    """The monitoring figures as a plain table."""
    headers = [_("figure"), _("value")]
    return f"{_(MONITORING_TITLE)}\n" + plain_table(headers, monitoring_rows(doc))


def figures_markdown(doc: dict[str, Any]) -> str:
    """The figures in Markdown: a table per group, sections in bold; every value escaped."""
    from clr.views.report import markdown_table

    doc = safe.markdown_data(doc)
    out = [_("# Case figures as of {date}").format(date=doc["as_of"])]
    if doc["min_count"]:
        out.append(
            _("Groups of fewer than {count} cases are suppressed.").format(count=doc["min_count"])
        )
    for node in figure_nodes(doc):
        out.append(f"## {figure_title(doc, node)}")
        if node["suppressed"]:
            out.append(_("Suppressed: too few cases."))
            continue
        titles, rows, values = figure_columns(doc, node)
        table_rows = []
        last_section = None
        for key, section, label in rows:
            if section != last_section:
                table_rows.append([f"**{section}**", *("" for _title in titles)])
                last_section = section
            table_rows.append([label, *(v.get(key, "-") for v in values)])
        out.append(markdown_table([_("Figure"), *titles], table_rows))
    if doc.get("monitoring"):
        out.append(f"## {_(MONITORING_TITLE)}")
        out.append(markdown_table([_("Figure"), _("Value")], monitoring_rows(doc)))
    if doc["failed"]:
        out.append(_("## Cases that could not be read"))
        out.append("\n".join(f"- {f['path']}: {f['error']}" for f in doc["failed"]))
    return "\n\n".join(out) + "\n"


BAR_SECTIONS: tuple[tuple[str, str], ...] = (
    ("funnel", N_("funnel: cases that reached each stage")),
    ("closure.by_reason", N_("closure mix: closed cases by reason")),
)
"""The figures ``clr stats`` draws as bars on a terminal: path and title (a msgid)."""


def figure_bars(
    doc: dict[str, Any], width: int, *, block: str = "█"
) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """The funnel and the closure mix of all cases as text bars that fit ``width`` columns.

    Each section is its title and rows of (label, bar, number as text); a suppressed or
    missing figure has no bar. Nothing when the figures of all cases are suppressed.
    """
    figs = doc["total"].get("figures")
    if figs is None:
        return []
    out = []
    for path, title in BAR_SECTIONS:
        values: Any = figs
        for key in path.split("."):
            values = values.get(key, {}) if isinstance(values, dict) else {}
        if not values:
            continue
        labels = [safe.terminal(k).replace("_", " ") for k in values]
        texts = [numbers.number(v) if isinstance(v, int) else str(v) for v in values.values()]
        label_width = max(len(s) for s in labels)
        text_width = max(len(s) for s in texts)
        room = max(4, width - label_width - text_width - 4)
        top = max([v for v in values.values() if isinstance(v, int)] + [1])
        rows = []
        for label, text, value in zip(labels, texts, values.values(), strict=True):
            size = round(room * value / top) if isinstance(value, int) else 0
            bar = block * max(size, 1 if isinstance(value, int) and value > 0 else 0)
            rows.append((label.ljust(label_width), bar, text.rjust(text_width)))
        out.append((_(title), rows))
    return out
