"""The dashboard as a static page: HTML with inline CSS and inline SVG, no script.

One file, ``index.html``, that opens from a CI artifact, GitHub or GitLab Pages or an e-mail
attachment: nothing is fetched when it is shown (a Content-Security-Policy that allows no
source says so to the browser too). Each section has a heading, the figure's definition, a
chart (``clr.render.svg``) and the table behind the chart, with every number of the chart.

Every number on the page is the text of a figure of ``clr stats --format json``, and says
which: ``<data value="7" data-figure="funnel.reported" data-sex="all">7</data>`` in a
table, a ``<text class="value" data-figure=…>`` in a chart (``data-by`` and ``data-group``
for a breakdown). Every value from a case file (a caseworker's name, a payer, a currency)
is escaped by ``safe.html``.

Every heading and label comes from ``LABELS`` (a figure's or a word's name) and
``DEFINITIONS`` (what a section's figures mean), each text a message of the catalogue: the
page speaks the language in force (``<html lang>`` says which). Words of the case file (a
stage, a closure reason, a role, a sex) are machine words and stay as they are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from clr import i18n
from clr.i18n import N_, _, numbers
from clr.render.safe import html
from clr.render.svg import Chart, Value, bars

if TYPE_CHECKING:
    from clr.views.dashboard import Dashboard

SUPPRESSED = "suppressed"

FAILED_SHOWN = 100
"""The files that could not be read, listed by path on a page at most: the page stays
small whatever the repository holds (``clr validate`` lists every one)."""

LABELS: dict[str, str] = {
    # the page
    "page.title": N_("Case figures"),
    "page.as_of": N_("As of"),
    "page.cases": N_("cases"),
    "page.for": N_("For"),
    "page.audience.caseworker": N_("your team"),
    "page.audience.buyer": N_(
        "the buyer: cases whose guardian, and the child from the consent "
        "age, consented to sharing with the buyer"
    ),
    "page.audience.investor": N_("investors: figures only"),
    "page.min_count": N_("Every figure that rests on fewer than {n} cases reads “suppressed”."),
    "page.too_few": N_(
        "Too few cases to show any figure: every figure here would rest on fewer than {n} cases."
    ),
    "page.left_out": N_(
        "{n} cases are left out: the guardian, or the child from the consent age, "
        "has not consented to this sharing."
    ),
    "page.failed": N_("{n} case files could not be read and are not counted."),
    "page.failed_list": N_("Case files that could not be read"),
    "page.failed_more": N_("… and {n} more: 'clr validate' lists every one."),
    "page.contents": N_("Contents"),
    "page.made_by": N_(
        "Made by clr {version} from the case files; every number is a figure of "
        "“clr stats --format json” over the same cases."
    ),
    "page.none": N_("None."),
    "table.figure": N_("Figure"),
    "table.all": N_("all"),
    "table.chart_note": N_("The table below the chart holds the same numbers."),
    "value.none": "–",
    "value.suppressed": N_("suppressed"),
    "value.days": N_("days"),
    # sections
    "section.overview": N_("Cases"),
    "section.funnel": N_("Funnel: cases that reached each stage"),
    "section.open_by_stage": N_("Open cases by stage"),
    "section.days_in_stage": N_("Time in stage: median days"),
    "section.days_from_discovery": N_("Speed: median days from discovery"),
    "section.overdue_by_role": N_("Overdue actions by owner"),
    "section.overdue_by_action": N_("Overdue actions by action"),
    "section.coverage": N_("Coverage"),
    "section.outcomes": N_("Outcomes at follow-up visits"),
    "section.closure": N_("Closure mix"),
    "section.money": N_("Money per case, in {currency}"),
    "section.stipends": N_("Stipends"),
    "section.root_causes": N_("Root causes"),
    "section.ici": N_("ICI's CLMRS core criteria"),
    "section.ccrb": N_("Assessment, plans and hiring"),
    "section.channels": N_("How cases came to light"),
    "section.month": N_("Trends by month of discovery"),
    "section.closure_lost": N_("Lost to follow-up"),
    "section.corrective": N_("Corrective action at the supplier"),
    "section.ici_count": N_("Cases identified in the past 24 months"),
    "section.assessment_days": N_("Days from discovery to assessment"),
    "section.caseworker": N_("By caseworker"),
    # figures
    "cases": N_("cases"),
    "open": N_("open"),
    "closed": N_("closed"),
    "overdue.actions": N_("overdue actions"),
    "overdue.cases": N_("cases with an overdue action"),
    "closure.lost_to_follow_up": N_("lost to follow-up"),
    "money.total": N_("total paid"),
    "money.per_case": N_("per case paid"),
    "money.per_child_remediated": N_("per child remediated"),
    "money.payments": N_("payments"),
    "money.stipend_on_time": N_("stipend paid on time"),
    "money.stipend_at_least_lost_wage": N_("stipend at least the lost wage"),
    "root_causes.corrective_action": N_("corrective action at the supplier"),
    "sector.identified_24_months": N_("cases identified in the past 24 months"),
    "sector.ici_received_support": N_("received support"),
    "sector.ici_in_person_visit": N_("visited in person"),
    "sector.ici_two_follow_ups": N_("at least two follow-up visits"),
    "sector.days_to_assessment": N_("median days from discovery to assessment"),
    "sector.assessed_within_72_hours": N_("assessed within 72 hours"),
    "coverage.plan_signed_by_all": N_("plan accepted by all parties"),
    "sector.forged_or_borrowed_id": N_("forged or borrowed ID"),
    "sector.recruited_by_agent": N_("recruited by a labour agent"),
    "money.by_payer": N_("paid by {payer}"),
    "group.month": N_("month"),
    "section.monitoring": N_("Monitored population and identification rate"),
    "monitoring.rounds": N_("rounds"),
    "monitoring.households": N_("households visited"),
    "monitoring.children": N_("children monitored"),
    "monitoring.identified": N_("children identified in child labour"),
    "monitoring.rate": N_("identification rate"),
    "group.caseworker": N_("caseworker"),
}
"""Every heading and label of a page, by key (a msgid; a word of the vocabulary falls back to
itself with spaces for underscores)."""

DEFINITIONS: dict[str, str] = {
    "overview": N_("Cases read; open: not in stage closed; closed: in stage closed."),
    "funnel": N_(
        "A case reached a stage if its current stage or any stage in its history "
        "is that stage or a later one (closure aside); closed: cases that are closed."
    ),
    "open_by_stage": N_("Open cases by their current stage."),
    "days_in_stage": N_(
        "Median days from entering a stage to the next history entry, over the "
        "cases that left it; n: how many cases."
    ),
    "days_from_discovery": N_(
        "Median days from discovery.date to protection, age verification, "
        "the signed plan, the first stipend and closure."
    ),
    "overdue_by_role": N_(
        "Required actions of the current stage past their due date, by the "
        "role the playbook gives them to (an action of two roles counts for both)."
    ),
    "overdue_by_action": N_(
        "Required actions of the current stage past their due date, by action."
    ),
    "coverage": N_(
        "Shares among the cases that reached the stage where each item is due: age "
        "verified, family reached, the guardian's consent and the child's assent, the plan signed "
        "by the family, the supplier and the buyer, at least one support, at least two visits."
    ),
    "outcomes": N_(
        "Among cases with a visit: in school at the latest visit, child labour found at "
        "any visit; among cases with two visits: no child labour at the latest two; reopened "
        "cases; job offered to an adult of the family and accepted."
    ),
    "closure": N_("Closed cases by reason; lost to follow-up: closed as lost_contact."),
    "money": N_(
        "Payments in one currency (currencies are never added together): the total, the "
        "total divided by the cases paid in it, and by the cases closed as remediated "
        "(no_longer_in_CL, hazard_removed, reached_min_age, aged_out) paid in it."
    ),
    "stipends": N_(
        "Stipend payments with a period paid by the end of that month; plans whose "
        "stipend is at least the child's lost wage, in the same currency."
    ),
    "root_causes": N_(
        "Cases citing each root cause; share of cases in remediation with a "
        "corrective action at the supplier."
    ),
    "ici": N_(
        "The International Cocoa Initiative's core criteria of a child labour monitoring "
        "and remediation system, over cases identified in the past 24 months: support (a payment, "
        "an enrolment or a referral), a visit in person (not by phone), two follow-up visits."
    ),
    "ccrb": N_(
        "As The Centre for Child Rights and Business reports: days from discovery to "
        "assessment against its 72 hours (dates, so within 3 days), plans signed by every party, "
        "IDs suspected forged or borrowed, children brought in by a labour agent."
    ),
    "channels": N_("Cases by discovery.channel."),
    "monitoring": N_(
        "From the register of monitoring rounds (monitoring/rounds.yaml): households "
        "and children visited, per month of the round; children identified in child labour: cases "
        "found by a monitoring visit (discovery.channel clmrs_visit) at a site and in a month the "
        "register holds; the identification rate is those over the children monitored (ICI)."
    ),
    "month": N_(
        "Cases by the month they were discovered in, and how many of them are still "
        "open or closed now."
    ),
    "caseworker": N_(
        "Cases by whoever made their latest move, and the overdue actions among them."
    ),
}
"""What each section's figures mean (docs/bulk-views.md has each with its source), by key
(a msgid)."""


def label(key: str, **values: str) -> str:
    """The label of ``key`` in the language in force.

    A word without a label (of the case file) reads as itself, spaces for ``_``.
    """
    from clr.views.figures import FIGURE_LABELS

    text = LABELS.get(key) or FIGURE_LABELS.get(key)
    text = key.rsplit(".", 1)[-1].replace("_", " ") if text is None else _(text)
    return text.format(**values) if values else text


def definition(key: str) -> str:
    """What the figures of section ``key`` mean, in the language in force ("" if not said)."""
    text = DEFINITIONS.get(key)
    return "" if text is None else _(text)


# --- numbers ----------------------------------------------------------------------------


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def number_text(value: Any) -> str:
    """A figure as the page writes it: 1,234; 42.5; "suppressed"; "–" for none."""
    if value == SUPPRESSED:
        return label("value.suppressed")
    if not _is_number(value):
        return label("value.none")
    return numbers.number(value)


def _data(value: Any, attributes: Mapping[str, str], suffix: str = "") -> str:
    """A number in a table, tied to its figure."""
    attrs = "".join(f' {k}="{html(v)}"' for k, v in attributes.items())
    raw = html(value if _is_number(value) else ("" if value is None else value))
    return f'<data value="{raw}"{attrs}>{html(number_text(value))}</data>{suffix}'


# --- a figure in a column ---------------------------------------------------------------

Kind = str  # "count", "share", "median", "money"


def _leaf(kind: Kind) -> str:
    """Which part of a share or a median a bar draws."""
    return {"share": "percent", "median": "median"}.get(kind, "")


def _bar_value(value: Any, kind: Kind, attributes: dict[str, str], path: str) -> Value:
    leaf = _leaf(kind)
    if leaf and isinstance(value, Mapping):
        value = value.get(leaf)
        path = f"{path}.{leaf}"
    text = number_text(value)
    if kind == "share" and _is_number(value):
        text = numbers.percent(value)
    return Value(
        float(value) if _is_number(value) else None, text, {"data-figure": path, **attributes}
    )


def _percent_of(number: str) -> str:
    """A percentage pattern of the language around ``number`` (already marked up)."""
    before, _mark, after = numbers.symbols().percent.partition("{number}")
    return html(before) + number + html(after)


def _cell(value: Any, kind: Kind, attributes: dict[str, str], path: str) -> str:
    if kind == "share" and isinstance(value, Mapping):
        count = _data(value.get("count"), {"data-figure": f"{path}.count", **attributes})
        of = _data(value.get("of"), {"data-figure": f"{path}.of", **attributes})
        if not _is_number(value.get("percent")):  # nothing to divide by, or hidden
            return f"{count} / {of}"
        pct = _data(value.get("percent"), {"data-figure": f"{path}.percent", **attributes})
        return f"{count} / {of} ({_percent_of(pct)})"
    if kind == "median" and isinstance(value, Mapping):
        median = _data(value.get("median"), {"data-figure": f"{path}.median", **attributes})
        if not _is_number(value.get("median")):  # no case to take it over, or hidden
            return median
        cases = _data(value.get("cases"), {"data-figure": f"{path}.cases", **attributes})
        return f"{median} (n = {cases})"
    return _data(value, {"data-figure": path, **attributes})


# --- sections ---------------------------------------------------------------------------


class _Page:
    def __init__(self, board: Dashboard) -> None:
        self.board = board
        self.charts = 0
        self.sections: list[tuple[str, str, str]] = []  # ident, heading, html

    def columns(self) -> list[tuple[str, Mapping[str, Any] | None]]:
        total = self.board.stats["total"]
        out: list[tuple[str, Mapping[str, Any] | None]] = [("all", total)]
        if self.board.sex_split:
            out += list(total.get("by_sex", {}).items())
        return out

    def add(self, ident: str, heading: str, body: str) -> None:
        self.sections.append((ident, heading, body))

    def chart_id(self) -> str:
        self.charts += 1
        return f"chart{self.charts}"

    def figure_section(
        self,
        ident: str,
        heading: str,
        rows: Sequence[tuple[str, str]],
        kind: Kind,
        *,
        meaning: str | None = None,
    ) -> None:
        """A chart and a table of figures (rows: label, dotted path), a column per sex."""
        from clr.views.dashboard import figure

        if not rows:  # nothing to count (no overdue action, say)
            self.add(ident, heading, f"<p>{html(label('page.none'))}</p>")
            return
        rows = [(text, path) for text, path in rows if not self.board.hidden(path)]
        if not rows:
            return
        columns = self.columns()
        names = [label("table.all") if n == "all" else label(n) for n, _node in columns]
        values: list[list[Value]] = []
        cells: list[list[str]] = []
        for _text, path in rows:
            row_values, row_cells = [], []
            for sex, node in columns:
                attributes = {"data-sex": sex}
                value = SUPPRESSED if node is None or node["suppressed"] else figure(node, path)
                row_values.append(_bar_value(value, kind, attributes, path))
                row_cells.append(_cell(value, kind, attributes, path))
            values.append(row_values)
            cells.append(row_cells)
        chart = Chart(
            self.chart_id(),
            heading,
            definition(meaning or ident),
            [text for text, _path in rows],
            names,
            values,
            unit_max=100.0 if kind == "share" else None,
        )
        table = _table(heading, label("table.figure"), names, [t for t, _path in rows], cells)
        self.add(ident, heading, _body(definition(meaning or ident), chart, table))

    def breakdown_section(self, by: str, metrics: Sequence[str]) -> None:
        """A chart and a table of a few figures for each group of a breakdown."""
        from clr.views.dashboard import figure

        doc = self.board.breakdowns.get(by)
        if doc is None:
            return
        groups = doc["groups"]
        heading = label(f"section.{by}")
        if not groups:
            self.add(by, heading, f"<p>{html(label('page.none'))}</p>")
            return
        names = [label(m) for m in metrics]
        values: list[list[Value]] = []
        cells: list[list[str]] = []
        for group in groups:
            attributes = {"data-sex": "all", "data-by": by, "data-group": group["group"]}
            row_values, row_cells = [], []
            for metric in metrics:
                value = SUPPRESSED if group["suppressed"] else figure(group, metric)
                row_values.append(_bar_value(value, "count", attributes, metric))
                row_cells.append(_cell(value, "count", attributes, metric))
            values.append(row_values)
            cells.append(row_cells)
        categories = [str(g["group"]) for g in groups]
        chart = Chart(self.chart_id(), heading, definition(by), categories, names, values)
        table = _table(heading, label(f"group.{by}"), names, categories, cells)
        self.add(by, heading, _body(definition(by), chart, table))

    def monitoring_section(self) -> None:
        """The monitored population and the identification rate, by month of the round."""
        doc = self.board.stats.get("monitoring")
        if not doc:
            return
        heading = label("section.monitoring")
        metrics = ["rounds", "households", "children", "identified"]
        names = [label(f"monitoring.{m}") for m in metrics] + [label("monitoring.rate")]
        months = doc.get("by_month") or {}
        rows: list[tuple[str, str, dict[str, Any]]] = [(label("table.all"), "", doc)]
        rows += [(month, f"by_month.{month}.", block) for month, block in months.items()]
        values: list[list[Value]] = []
        cells: list[list[str]] = []
        for _text, prefix, block in rows:
            attributes = {"data-sex": "all", "data-by": "monitoring"}
            row_cells = [_cell(block[m], "count", attributes, f"{prefix}{m}") for m in metrics]
            rate = block["identification_rate"]
            row_cells.append(_cell(rate, "share", attributes, f"{prefix}identification_rate"))
            values.append([_bar_value(rate, "share", attributes, f"{prefix}identification_rate")])
            cells.append(row_cells)
        chart = Chart(
            self.chart_id(),
            heading,
            definition("monitoring"),
            [text for text, *_rest in rows],
            [label("monitoring.rate")],
            values,
            unit_max=max([v.number for row in values for v in row if v.number is not None] + [1.0]),
        )
        table = _table(heading, label("group.month"), names, [t for t, *_rest in rows], cells)
        self.add("monitoring", heading, _body(definition("monitoring"), chart, table))


def _table(
    caption: str, corner: str, columns: Sequence[str], rows: Sequence[str], cells: Sequence[Any]
) -> str:
    head = "".join(f'<th scope="col">{html(c)}</th>' for c in columns)
    body = "".join(
        f'<tr><th scope="row">{html(r)}</th>{"".join(f"<td>{c}</td>" for c in row)}</tr>'
        for r, row in zip(rows, cells, strict=True)
    )
    return (
        f'<div class="table"><table><caption>{html(caption)}</caption>'
        f'<thead><tr><th scope="col">{html(corner)}</th>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def _body(meaning: str, chart: Chart, table: str) -> str:
    return (
        f'<p class="definition">{html(meaning)}</p>'
        f"<figure>{bars(chart)}<figcaption>{html(chart.title)}. "
        f"{html(label('table.chart_note'))}</figcaption></figure>{table}"
    )


def _keys(board: Dashboard, path: str) -> list[str]:
    """The keys under a mapping of figures, over every column (all cases and each sex)."""
    from clr.views.dashboard import figure

    seen: dict[str, None] = {}
    total = board.stats["total"]
    for node in [total, *total.get("by_sex", {}).values()]:
        value = figure(node, path)
        if isinstance(value, Mapping):
            seen.update(dict.fromkeys(value))
    return list(seen)


def _rows(keys: Sequence[str], prefix: str) -> list[tuple[str, str]]:
    return [(label(f"{prefix}.{k}"), f"{prefix}.{k}") for k in keys]


def _named(paths: Sequence[str]) -> list[tuple[str, str]]:
    return [(label(p), p) for p in paths]


def _sections(page: _Page) -> None:
    """Every section, in page order."""
    board = page.board
    stage_keys = _keys(board, "funnel")
    page.figure_section(
        "overview",
        label("section.overview"),
        _named(["cases", "open", "closed", "overdue.cases", "overdue.actions"]),
        "count",
    )
    page.figure_section("funnel", label("section.funnel"), _rows(stage_keys, "funnel"), "count")
    page.figure_section(
        "open_by_stage",
        label("section.open_by_stage"),
        _rows(_keys(board, "open_by_stage"), "open_by_stage"),
        "count",
    )
    page.figure_section(
        "days_in_stage",
        label("section.days_in_stage"),
        _rows(_keys(board, "speed.days_in_stage"), "speed.days_in_stage"),
        "median",
    )
    page.figure_section(
        "days_from_discovery",
        label("section.days_from_discovery"),
        _rows(_keys(board, "speed.days_from_discovery"), "speed.days_from_discovery"),
        "median",
    )
    page.figure_section(
        "overdue_by_role",
        label("section.overdue_by_role"),
        _rows(_keys(board, "overdue.by_role"), "overdue.by_role"),
        "count",
    )
    page.figure_section(
        "overdue_by_action",
        label("section.overdue_by_action"),
        _rows(_keys(board, "overdue.by_action"), "overdue.by_action"),
        "count",
    )
    page.figure_section(
        "coverage", label("section.coverage"), _rows(_keys(board, "coverage"), "coverage"), "share"
    )
    page.figure_section(
        "outcomes", label("section.outcomes"), _rows(_keys(board, "outcomes"), "outcomes"), "share"
    )
    page.figure_section(
        "closure",
        label("section.closure"),
        _rows(_keys(board, "closure.by_reason"), "closure.by_reason"),
        "count",
    )
    page.figure_section(
        "closure_lost",
        label("section.closure_lost"),
        _named(["closure.lost_to_follow_up"]),
        "share",
        meaning="closure",
    )
    for index, currency in enumerate(_keys(board, "money.total"), 1):
        rows = [
            (label(f"money.{what}"), f"money.{what}.{currency}")
            for what in ("total", "per_case", "per_child_remediated")
        ]
        rows += [
            (label("money.by_payer", payer=payer), f"money.by_payer.{payer}.{currency}")
            for payer in _keys(board, "money.by_payer")
            if any(
                currency in _keys_of(node, f"money.by_payer.{payer}") for _s, node in page.columns()
            )
        ]
        page.figure_section(
            f"money{index}",
            label("section.money", currency=currency),
            rows,
            "money",
            meaning="money",
        )
    page.figure_section(
        "stipends",
        label("section.stipends"),
        _named(["money.stipend_on_time", "money.stipend_at_least_lost_wage"]),
        "share",
    )
    page.figure_section(
        "root_causes",
        label("section.root_causes"),
        _rows(_keys(board, "root_causes.by_cause"), "root_causes.by_cause"),
        "count",
    )
    page.figure_section(
        "corrective",
        label("section.corrective"),
        _named(["root_causes.corrective_action"]),
        "share",
        meaning="root_causes",
    )
    page.figure_section(
        "ici",
        label("section.ici"),
        _named(
            [
                "sector.ici_received_support",
                "sector.ici_in_person_visit",
                "sector.ici_two_follow_ups",
            ]
        ),
        "share",
    )
    page.figure_section(
        "ici_count",
        label("section.ici_count"),
        _named(["sector.identified_24_months"]),
        "count",
        meaning="ici",
    )
    page.figure_section(
        "ccrb",
        label("section.ccrb"),
        _named(
            [
                "sector.assessed_within_72_hours",
                "coverage.plan_signed_by_all",
                "sector.forged_or_borrowed_id",
                "sector.recruited_by_agent",
            ]
        ),
        "share",
    )
    page.figure_section(
        "assessment_days",
        label("section.assessment_days"),
        _named(["sector.days_to_assessment"]),
        "median",
        meaning="ccrb",
    )
    page.figure_section(
        "channels",
        label("section.channels"),
        _rows(_keys(board, "sector.by_channel"), "sector.by_channel"),
        "count",
    )
    page.monitoring_section()
    page.breakdown_section("month", ["cases", "open", "closed"])
    page.breakdown_section("caseworker", ["cases", "open", "overdue.actions"])


def _keys_of(node: Mapping[str, Any] | None, path: str) -> list[str]:
    from clr.views.dashboard import figure

    value = figure(node, path)
    return list(value) if isinstance(value, Mapping) else []


_STYLE = """
:root{color-scheme:light;--ink:#1a1a1a;--muted:#555;--line:#ccc}
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);
background:#fff;margin:0 auto;padding:1rem;max-width:62rem;line-height:1.45}
h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.25rem;margin:2rem 0 .3rem}
.meta,.definition,figcaption{color:var(--muted)}
nav ul{padding-left:1.2rem;columns:16rem}
figure{margin:.5rem 0}
svg.chart{width:100%;height:auto;max-width:34rem;display:block}
svg .label,svg .legend{fill:#1a1a1a}svg .value{fill:#333}
.table{overflow-x:auto}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-variant-numeric:tabular-nums}
caption{text-align:left;font-weight:600;padding:.2rem 0}
th,td{border-bottom:1px solid var(--line);padding:.25rem .6rem;text-align:right}
th[scope=row],thead th:first-child{text-align:left}
a{color:#0050a0}
@media (max-width:40rem){body{padding:.6rem}th,td{padding:.2rem .35rem}}
@media print{nav{display:none}section{break-inside:avoid}body{max-width:none}
a{color:inherit;text-decoration:none}}
"""


def page(board: Dashboard, version: str) -> str:
    """The dashboard's page: ``index.html``."""
    built = _Page(board)
    _sections(built)
    stats = board.stats
    total = stats["total"]
    count = total["figures"]["cases"] if total["figures"] is not None else SUPPRESSED
    notes = []
    if board.min_count:
        notes.append(label("page.min_count", n=str(board.min_count)))
    if board.left_out:
        notes.append(label("page.left_out", n=numbers.number(board.left_out)))
    if board.failed_count:
        notes.append(label("page.failed", n=numbers.number(board.failed_count)))
    meta = (
        f'<p class="meta">{html(label("page.as_of"))} '
        f'<time datetime="{html(stats["as_of"])}">{html(stats["as_of"])}</time> · '
        f"{_data(count, {'data-figure': 'cases', 'data-sex': 'all'})} "
        f"{html(label('page.cases'))} · {html(label('page.for'))} "
        f"{html(label('page.audience.' + board.audience))}</p>"
    )
    meta += "".join(f'<p class="meta">{html(n)}</p>' for n in notes)
    contents = "".join(
        f'<li><a href="#{ident}">{html(heading)}</a></li>'
        for ident, heading, *_rest in built.sections
    )
    sections = "".join(
        f'<section id="{ident}" aria-labelledby="{ident}-h">'
        f'<h2 id="{ident}-h">{html(heading)}</h2>{body}</section>'
        for ident, heading, body in built.sections
    )
    if total["suppressed"]:
        sections = f"<p>{html(label('page.too_few', n=str(board.min_count)))}</p>"
        contents = ""
    failed = ""
    if board.failed:
        items = "".join(f"<li>{html(path)}</li>" for path in board.failed[:FAILED_SHOWN])
        more = len(board.failed) - FAILED_SHOWN
        if more > 0:
            more_text = label("page.failed_more", n=numbers.number(more))
            items += f'<li class="more">{html(more_text)}</li>'
        failed = (
            f'<section id="failed" aria-labelledby="failed-h">'
            f'<h2 id="failed-h">{html(label("page.failed_list"))}</h2><ul>{items}</ul></section>'
        )
    title = html(label("page.title"))
    return (
        f'<!DOCTYPE html>\n<html lang="{i18n.current()}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'\">"
        '<meta name="referrer" content="no-referrer">'
        f"<title>{title} · {html(stats['as_of'])}</title><style>{_STYLE}</style></head>"
        f"<body><header><h1>{title}</h1>{meta}</header>"
        + (
            f'<nav aria-label="{html(label("page.contents"))}"><ul>{contents}</ul></nav>'
            if contents
            else ""
        )
        + f"<main>{sections}{failed}</main>"
        f'<footer><p class="meta">{html(label("page.made_by", version=version))}</p></footer>'
        "</body></html>\n"
    )


def site(board: Dashboard, version: str) -> dict[str, str]:
    """Every file of the dashboard, by name."""
    return {"index.html": page(board, version)}
