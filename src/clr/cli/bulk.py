"""clr status, stats, report, export: views over many cases, for supervisors, buyers, scripts."""

from __future__ import annotations

import enum
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from clr.cli._common import AsOf, parse_as_of, stdout_console
from clr.render import safe


class TableFormat(str, enum.Enum):
    """Output formats of clr status and clr stats."""

    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


class SortKey(str, enum.Enum):
    """Sort keys of clr status."""

    id = "id"
    stage = "stage"
    track = "track"
    site = "site"
    country = "country"
    supplier = "supplier"
    buyer = "buyer"
    opened = "opened"
    days_open = "days-open"
    days_in_stage = "days-in-stage"
    next_due = "next-due"
    overdue = "overdue"
    last_visit = "last-visit"


class Audience(str, enum.Enum):
    """Who a report or an export is for (what it may hold, and which consent it needs)."""

    caseworker = "caseworker"
    supplier = "supplier"
    buyer = "buyer"
    investor = "investor"


ForOpt = Annotated[
    Audience,
    typer.Option(
        "--for",
        help="Who it is for: caseworker (your team; the default), supplier (what it owes, "
        "needs the guardian's consent share_with_supplier), buyer (pseudonymous stages, "
        "dates, costs, outcomes; needs share_with_buyer) or investor (aggregates only).",
    ),
]
OverrideOpt = Annotated[
    str | None,
    typer.Option(
        "--override-consent",
        metavar="REASON",
        help="Share even where the guardian's consent does not cover it, for this reason; "
        "recorded in each such case's history (with --by) before anything is shared.",
    ),
]
ByOpt = Annotated[
    str | None,
    typer.Option("--by", help="Who overrides the consent (default: $CLR_USER)."),
]


class GroupBy(str, enum.Enum):
    """What clr stats groups by."""

    buyer = "buyer"
    supplier = "supplier"
    country = "country"
    sector = "sector"
    sex = "sex"
    track = "track"
    age_band = "age-band"


Paths = Annotated[
    list[Path] | None,
    typer.Argument(
        help="Case repositories, case folders or case files (default: this repository).",
        show_default=False,
    ),
]
FormatOpt = Annotated[
    TableFormat,
    typer.Option("--format", "-f", help="table (plain text when piped), json, csv or markdown."),
]
Jobs = Annotated[
    int | None,
    typer.Option("--jobs", "-j", min=1, help="Processes to read with (default: one per core)."),
]
StageOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--stage",
        metavar="STAGE",
        help="Only cases in this stage (repeatable): reported, identified, protected, "
        "age_verified, assessed, plan_agreed, in_remediation, monitoring, closed.",
    ),
]
TrackOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--track", metavar="TRACK", help="Only this track: underage or young-worker (repeatable)."
    ),
]
CountryOpt = Annotated[
    list[str] | None,
    typer.Option("--country", metavar="CODE", help="Only this country code (repeatable)."),
]
SupplierOpt = Annotated[
    list[str] | None,
    typer.Option("--supplier", metavar="ID", help="Only this supplier id (repeatable)."),
]
BuyerOpt = Annotated[
    list[str] | None, typer.Option("--buyer", metavar="NAME", help="Only this buyer (repeatable).")
]
SectorOpt = Annotated[
    list[str] | None,
    typer.Option("--sector", metavar="SECTOR", help="Only this sector (repeatable)."),
]
OpenOpt = Annotated[
    bool | None,
    typer.Option(
        "--open/--closed", help="Only open cases, or only closed ones.", show_default=False
    ),
]


def _filters(
    stage: list[str] | None,
    track: list[str] | None,
    country: list[str] | None,
    supplier: list[str] | None,
    buyer: list[str] | None,
    sector: list[str] | None,
    overdue: bool,
    open_: bool | None,
) -> Any:
    from clr.model import stages
    from clr.views.filters import Filters

    for value in stage or []:
        if value not in stages.STAGES:
            raise typer.BadParameter(
                f"{value!r} is not a stage; one of: {', '.join(stages.STAGES)}",
                param_hint="--stage",
            )
    for value in track or []:
        if value not in stages.TRACKS:
            raise typer.BadParameter(
                f"{value!r} is not a track; one of: {', '.join(stages.TRACKS)}",
                param_hint="--track",
            )
    return Filters(
        stages=tuple(stage or ()),
        tracks=tuple(track or ()),
        countries=tuple(c.upper() for c in country or ()),
        suppliers=tuple(supplier or ()),
        buyers=tuple(buyer or ()),
        sectors=tuple(sector or ()),
        overdue=overdue,
        open=open_,
    )


def _targets(paths: list[Path] | None) -> list[Path]:
    if paths:
        return paths
    from clr.errors import NotARepository
    from clr.repo.repository import find_root

    root = find_root(Path.cwd())
    if root is None:
        raise NotARepository(
            "this folder is not inside a case repository (no clr.yaml found)",
            hint="give the case repository or the case files, or cd into the repository",
        )
    return [root]


def _report_failed(cases: list[Any]) -> None:
    failed = [c for c in cases if not c.ok]
    if failed:
        noun = "case file" if len(failed) == 1 else "case files"
        sys.stderr.write(
            f"error: {len(failed)} {noun} could not be read; run 'clr validate' for details\n"
        )
    unplayed = sum(c.ok and c.playbook_missing for c in cases)
    if unplayed:
        sys.stderr.write(
            f"warning: {unplayed} case{' names' if unplayed == 1 else 's name'} a playbook that is "
            "unknown or invalid: no next action or overdue count for them; "
            "run 'clr validate' for details\n"
        )


def _dash(value: Any) -> str:
    return "-" if value is None or value == "" else str(value)


def _plain_table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)
    ]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    for row in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)


# --- clr status -----------------------------------------------------------------------

_STATUS_TABLE = (
    ("id", "ID"),
    ("stage", "Stage"),
    ("track", "Track"),
    ("site", "Site"),
    ("country", "Country"),
    ("days_open", "Open"),
    ("days_in_stage", "In stage"),
    ("next_action", "Next action"),
    ("next_due", "Due"),
    ("overdue", "Overdue"),
    ("last_visit", "Last visit"),
)


def status_command(
    paths: Paths = None,
    stage: StageOpt = None,
    track: TrackOpt = None,
    country: CountryOpt = None,
    supplier: SupplierOpt = None,
    buyer: BuyerOpt = None,
    sector: SectorOpt = None,
    overdue: Annotated[
        bool, typer.Option("--overdue", help="Only cases with overdue required actions.")
    ] = False,
    open_: OpenOpt = None,
    sort: Annotated[SortKey, typer.Option("--sort", "-s", help="Sort by this column.")] = (
        SortKey.id
    ),
    reverse: Annotated[bool, typer.Option("--reverse", "-r", help="Reverse the order.")] = False,
    output_format: FormatOpt = TableFormat.table,
    as_of: AsOf = None,
    jobs: Jobs = None,
) -> None:
    """One line per case: stage, days open, next action and its date, overdue actions.

    Cases whose file cannot be read are listed too, and make the exit code 1.
    The json and csv columns are a stable interface (docs/bulk-views.md).

    Example: clr status --overdue --sort overdue --reverse --format csv > overdue.csv
    """
    from clr.views import filters as filtering
    from clr.views import load, status

    today = parse_as_of(as_of, paths[0] if paths else None)
    filters = _filters(stage, track, country, supplier, buyer, sector, overdue, open_)
    cases = load.load_summaries(_targets(paths), today, jobs=jobs)
    shown = filtering.sort_cases(
        filtering.filter_cases(cases, filters), sort.value, reverse=reverse
    )
    if output_format is TableFormat.json:
        typer.echo(_json_lines(status.status_document(shown, today)))
    elif output_format is TableFormat.csv:
        from clr.views.export import csv_text

        rows = [status.status_row(c) for c in shown]
        typer.echo(
            csv_text(status.STATUS_COLUMNS, ([r[k] for k in status.STATUS_COLUMNS] for r in rows)),
            nl=False,
        )
    elif output_format is TableFormat.markdown:
        typer.echo(_status_markdown(shown, today))
    else:
        _status_table(shown, today)
    _report_failed(shown)
    raise typer.Exit(1 if any(not c.ok for c in shown) else 0)


def _status_cells(case: Any) -> list[str]:
    from clr.views.status import status_row

    row = status_row(case)
    return [safe.terminal(_dash(row[key])) for key, _ in _STATUS_TABLE]


def _status_markdown(cases: list[Any], today: Any) -> str:
    from clr.views.report import markdown_table

    ok = [c for c in cases if c.ok]
    out = [f"# Case status as of {today.isoformat()}", ""]
    out.append(
        markdown_table(
            [title for _, title in _STATUS_TABLE],
            [[safe.markdown(cell) for cell in _status_cells(c)] for c in ok],
        )
    )
    failed = [c for c in cases if not c.ok]
    if failed:
        out += ["", "## Cases that could not be read", ""]
        out += [f"- {safe.markdown(c.path)}: {safe.markdown(c.error)}" for c in failed]
    return "\n".join(out)


_SHRINK = {"site": 12, "next_action": 14, "track": 8}
"""Status columns that give up width on a narrow terminal, in this order, down to this."""

_DROP = ("track", "country", "site")
"""Status columns left out, in this order, when the terminal is narrower still."""


def _fit(natural: dict[str, int], room: int) -> dict[str, int]:
    """Column widths that fit ``room`` (2 characters between columns).

    Long sites, actions and tracks are cut short first (they end in an ellipsis); if that
    is not enough, whole columns are left out. Ids, stages, dates and numbers never shrink.
    """
    widths = dict(natural)

    def excess() -> int:
        return sum(widths.values()) + 2 * (len(widths) - 1) - room

    for key, floor in _SHRINK.items():
        if excess() > 0:
            widths[key] = max(min(floor, widths[key]), widths[key] - excess())
    for key in _DROP:
        if excess() > 0:
            del widths[key]
    return widths


def _status_table(cases: list[Any], today: Any) -> None:
    ok = [c for c in cases if c.ok]
    failed = [c for c in cases if not c.ok]
    if not sys.stdout.isatty():
        if ok or not failed:
            typer.echo(_plain_table([k for k, _ in _STATUS_TABLE], [_status_cells(c) for c in ok]))
        for case in failed:
            typer.echo(f"FAILED  {safe.terminal(case.path)}: {safe.terminal(case.error)}")
        return
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(
        title=f"Cases as of {today.isoformat()}",
        caption="Open and In stage: days",
        title_justify="left",
        caption_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    rows = [_status_cells(c) for c in ok]
    console = stdout_console()
    keys = [key for key, _ in _STATUS_TABLE]
    natural = {
        key: max([len(title)] + [len(r[i]) for r in rows])
        for i, (key, title) in enumerate(_STATUS_TABLE)
    }
    widths = _fit(natural, console.width - 2)
    for key, title in _STATUS_TABLE:
        if key in widths:
            table.add_column(
                title,
                justify="right" if key in ("days_open", "days_in_stage", "overdue") else "left",
                no_wrap=True,  # one line per case: long sites and actions end in an ellipsis
                overflow="ellipsis",
                width=widths[key],
            )
    rows = [[cell for key, cell in zip(keys, r, strict=True) if key in widths] for r in rows]
    for case, cells in zip(ok, rows, strict=True):
        style = "red" if case.overdue else ("dim" if case.closed else None)
        table.add_row(*cells, style=style)
    console.print(table)
    for case in failed:
        console.print(
            Text(
                f"FAILED  {safe.terminal(case.path)}: {safe.terminal(case.error)}", style="bold red"
            )
        )
    open_count = sum(not c.closed for c in ok)
    late = sum(c.overdue for c in ok)
    console.print(
        Text(
            f"{len(ok)} cases ({open_count} open, {len(ok) - open_count} closed), "
            f"{late} overdue action{'' if late == 1 else 's'}"
            + (f", {len(failed)} could not be read" if failed else ""),
            style="bold",
        )
    )


# --- clr stats ------------------------------------------------------------------------


def stats_command(
    paths: Paths = None,
    by: Annotated[
        GroupBy | None, typer.Option("--by", help="Group the figures by this field.")
    ] = None,
    min_count: Annotated[
        int,
        typer.Option(
            "--min-count",
            min=0,
            help="For sharing: hide every figure that rests on fewer cases than this, and "
            "the figures that would give it away; refuse a selection that differs from one "
            "shared before (.clr/shared.jsonl) by fewer cases.",
        ),
    ] = 0,
    stage: StageOpt = None,
    track: TrackOpt = None,
    country: CountryOpt = None,
    supplier: SupplierOpt = None,
    buyer: BuyerOpt = None,
    sector: SectorOpt = None,
    open_: OpenOpt = None,
    output_format: FormatOpt = TableFormat.table,
    as_of: AsOf = None,
    jobs: Jobs = None,
) -> None:
    """Figures over many cases, split by sex: funnel, speed, coverage, outcomes, money.

    Counts open cases by stage and overdue actions; gives median days in each stage and
    from discovery to each milestone; coverage (age verified, family reached, consent
    and assent, plan signed by all, two follow-ups); outcomes; closure reasons; money
    per currency and payer; root causes. --min-count 5 hides small figures before sharing.

    Example: clr stats --by buyer --min-count 5 --format markdown > kpis.md
    """
    from clr.views import figures, load
    from clr.views.filters import filter_cases

    today = parse_as_of(as_of, paths[0] if paths else None)
    filters = _filters(stage, track, country, supplier, buyer, sector, False, open_)
    cases = filter_cases(load.load_summaries(_targets(paths), today, jobs=jobs), filters)
    if min_count > 0:
        _shared_ledger(_targets(paths), [c.id or "" for c in cases if c.ok], min_count)
    doc = figures.stats_document(cases, today, by=by.value if by else None, min_count=min_count)
    if output_format is TableFormat.json:
        typer.echo(safe.json_text(json.dumps(doc, indent=2, ensure_ascii=False)))
    elif output_format is TableFormat.csv:
        from clr.views.export import csv_text

        rows = figures.stats_rows(doc)
        typer.echo(
            csv_text(
                figures.STATS_CSV_COLUMNS, ([r[k] for k in figures.STATS_CSV_COLUMNS] for r in rows)
            ),
            nl=False,
        )
    elif output_format is TableFormat.markdown:
        typer.echo(_stats_markdown(safe.markdown_data(doc)))
    else:
        _stats_table(safe.terminal_data(doc))
    _report_failed(cases)
    raise typer.Exit(1 if doc["failed"] else 0)


def _node_title(doc: dict[str, Any], node: dict[str, Any]) -> str:
    if node is doc["total"]:
        return "All cases"
    return f"{doc['by']}: {node['group']}"


def _node_columns(
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
        suffix = " (suppressed)" if child["suppressed"] else ""
        titles.append(name + suffix)
        shown: dict[str, str] = {}
        if not child["suppressed"]:
            for key, section, label, text in display_rows(child["figures"]):
                order.setdefault(key, (section, label))
                shown[key] = text
        values.append(shown)
    rows = [(key, section, label) for key, (section, label) in order.items()]
    return titles, rows, values


def _stats_nodes(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [doc["total"], *doc["groups"]]


def _stats_markdown(doc: dict[str, Any]) -> str:
    from clr.views.report import markdown_table

    out = [f"# Case figures as of {doc['as_of']}"]
    if doc["min_count"]:
        out.append(f"Groups of fewer than {doc['min_count']} cases are suppressed.")
    for node in _stats_nodes(doc):
        out.append(f"## {_node_title(doc, node)}")
        if node["suppressed"]:
            out.append("Suppressed: too few cases.")
            continue
        titles, rows, values = _node_columns(doc, node)
        table_rows = []
        last_section = None
        for key, section, label in rows:
            if section != last_section:
                table_rows.append([f"**{section}**", *("" for _ in titles)])
                last_section = section
            table_rows.append([label, *(v.get(key, "-") for v in values)])
        out.append(markdown_table(["Figure", *titles], table_rows))
    if doc["failed"]:
        out.append("## Cases that could not be read")
        out.append("\n".join(f"- {f['path']}: {f['error']}" for f in doc["failed"]))
    return "\n\n".join(out)


def _stats_table(doc: dict[str, Any]) -> None:
    plain = not sys.stdout.isatty()
    console = None if plain else stdout_console()
    blocks = []
    for node in _stats_nodes(doc):
        title = _node_title(doc, node)
        if node["suppressed"]:
            blocks.append(f"{title}: suppressed (too few cases)")
            if console is not None:
                console.print(blocks[-1])
            continue
        titles, rows, values = _node_columns(doc, node)
        if plain:
            cells = []
            last_section = None
            for key, section, label in rows:
                if section != last_section:
                    cells.append([section, *("" for _ in titles)])
                    last_section = section
                cells.append(["  " + label, *(v.get(key, "-") for v in values)])
            blocks.append(f"{title}\n" + _plain_table(["figure", *titles], cells))
            continue
        from rich.table import Table

        table = Table(title=title, title_justify="left", title_style="bold")
        table.add_column("Figure")
        for name in titles:
            table.add_column(name, justify="right")
        last_section = None
        for key, section, label in rows:
            if section != last_section:
                table.add_row(section, *("" for _ in titles), style="bold")
                last_section = section
            table.add_row("  " + label, *(v.get(key, "-") for v in values))
        assert console is not None
        console.print(table)
    if plain:
        typer.echo("\n\n".join(blocks))
    for failed in doc["failed"]:
        typer.echo(f"FAILED  {failed['path']}: {failed['error']}")


# --- clr report -----------------------------------------------------------------------


def report_command(
    case: Annotated[
        str,
        typer.Argument(help="A case id (or its start), a case folder or file.", show_default=False),
    ],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to this file.")
    ] = None,
    audience: ForOpt = Audience.caseworker,
    override_consent: OverrideOpt = None,
    by: ByOpt = None,
    as_of: AsOf = None,
) -> None:
    """A Markdown report of one case: timeline, plan, payments, visits, open actions.

    Pseudonymous: it holds only what the case file holds, leaves out free-text notes and
    views, and never reads the identity file. --for says who it is for and so what it
    holds; a report for the buyer or the supplier is refused unless the guardian's consent
    covers it (or --override-consent REASON, recorded in the case's history). An investor
    gets aggregates only, never one case.

    Example: clr report EXR-2026-7KQ3M --for buyer --output EXR-2026-7KQ3M.md
    """
    import os

    from clr.cases import caseops
    from clr.errors import ClrError
    from clr.views import consent
    from clr.views import report as casereport

    today = parse_as_of(as_of, case)
    who = by or os.environ.get("CLR_USER")
    consent.check_override(override_consent, who)
    if audience is Audience.investor:
        raise typer.BadParameter(
            "an investor sees aggregates only, never the report of a single case; "
            "share 'clr stats --min-count 5' or 'clr export --for investor'",
            param_hint="--for",
        )
    session = caseops.open_case(case, today=today)
    path, data, ctx = session.path, session.data, session.ctx
    from clr.repo.repository import display_path

    purpose = consent.needed(audience.value)
    problem = consent.consent_problem(data, purpose, today) if purpose else None
    if problem is not None:
        if override_consent is None:
            raise ClrError(
                f"{data.get('id')}: not shared with the {audience.value}: {problem}",
                hint=consent.consent_hint(str(data.get("id")), purpose or ""),
            )
        assert who is not None
        consent.record_override(
            path,
            consent.Override(audience.value, override_consent.strip(), who, "report"),
            today=today,
        )
        shown = safe.terminal(data.get("id"))
        typer.echo(f"consent override recorded in the history of {shown}", err=True)
        session = caseops.open_case(str(path), today=today)
        path, data, ctx = session.path, session.data, session.ctx
    # Every value Markdown-escaped: the report goes to buyers and suppliers.
    text = casereport.render_report(
        safe.markdown_data(data), safe.markdown(display_path(path)), ctx, audience.value
    )
    if output is None:
        typer.echo(text, nl=False)
        return
    from clr.io import atomic

    atomic.write(output, text)
    shown = safe.terminal(f"{data.get('id')} to {display_path(output)}")
    typer.echo(f"wrote the report of {shown}", err=True)


# --- clr export -----------------------------------------------------------------------


def export_command(
    paths: Paths = None,
    sqlite: Annotated[
        Path | None, typer.Option("--sqlite", help="Write a SQLite database to this file.")
    ] = None,
    csv_dir: Annotated[
        Path | None, typer.Option("--csv", help="Write one CSV file per table into this folder.")
    ] = None,
    audience: ForOpt = Audience.caseworker,
    override_consent: OverrideOpt = None,
    by: ByOpt = None,
    as_of: AsOf = None,
    jobs: Jobs = None,
) -> None:
    """Export cases to SQLite and/or CSV: cases, history, visits, payments, checklist, actions.

    Identity files are never read; free-text notes and views are left out. --for says
    who it is for: a buyer or supplier export holds only the columns they may see, and
    only the cases whose guardian consented to sharing with them (it says how many were
    left out; --override-consent REASON includes them and records that in each one's
    history); an investor export holds figures only, small groups suppressed. CSV cells
    that a spreadsheet would run as a formula get a leading '. An existing database file
    is replaced. Cases that cannot be read are listed and make the exit code 1.

    Example: clr export --for buyer --sqlite cases.db --csv export/
    """
    if sqlite is None and csv_dir is None:
        raise typer.BadParameter("say where to write: --sqlite FILE and/or --csv DIR")
    import os

    from clr.errors import ClrError
    from clr.repo.repository import display_path
    from clr.views import consent, export
    from clr.views.select import select

    today = parse_as_of(as_of, paths[0] if paths else None)
    who = by or os.environ.get("CLR_USER")
    consent.check_override(override_consent, who)
    selection = select(_targets(paths), today)
    result = export.collect(selection, today, jobs=jobs)
    purpose = consent.needed(audience.value)
    missing = [c for c in result.cases if audience.value not in c.covers]
    included: list[str] = []
    if missing and override_consent is not None:
        assert who is not None
        override = consent.Override(audience.value, override_consent.strip(), who, "export")
        for case in missing:
            try:
                consent.record_override(Path(case.file), override, today=today)
            except ClrError as exc:  # not recorded: not shared
                first = exc.message.splitlines()[0]
                shown = safe.terminal(f"{case.summary.path}: {first}")
                typer.echo(f"not shared: {shown}", err=True)
                continue
            included.append(case.summary.id or "")
        typer.echo(
            f"consent override recorded in the history of {len(included)} "
            f"case{'' if len(included) == 1 else 's'}",
            err=True,
        )
    result = export.for_audience(result, audience.value, today, include=included)
    if result.left_out:
        count = len(result.left_out)
        typer.echo(
            f"left out {count} case{'' if count == 1 else 's'} whose guardian has not "
            f"consented to {purpose}; --override-consent REASON --by NAME includes them "
            "and records it in each one's history",
            err=True,
        )
    ledger = None
    if audience is Audience.investor:
        shared = [c.summary.id or "" for c in result.cases]
        ledger = _shared_ledger(_targets(paths), shared, consent.MIN_GROUP)
    counts = ", ".join(f"{name} {result.count(name)}" for name in result.columns if name != "meta")
    if sqlite is not None:
        export.write_sqlite(result, sqlite)
        typer.echo(f"wrote {display_path(sqlite)}: {counts}", err=True)
    if csv_dir is not None:
        export.write_csv(result, csv_dir)
        typer.echo(f"wrote {display_path(csv_dir)}/*.csv: {counts}", err=True)
    if ledger is not None:
        ledger.record(shared, audience.value, today)
        typer.echo(f"recorded what was shared in {display_path(ledger.path)}", err=True)
    for failed in result.failed:
        typer.echo(f"not exported: {safe.terminal(f'{failed.path}: {failed.error}')}", err=True)
    raise typer.Exit(1 if result.failed else 0)


def _shared_ledger(targets: list[Path], ids: list[str], min_count: int) -> Any:
    """The ledger to record this selection in, after checking it against earlier ones.

    None when nothing needs recording: the figures are all suppressed (too few cases), or
    the cases are outside any case repository (then there is nothing to compare with; a
    warning says so).
    """
    from clr.views import disclosure

    if len(ids) < min_count:
        return None
    ledger = disclosure.find_ledger(targets[0])
    if ledger is None:
        typer.echo(
            "warning: not inside a case repository: this selection was not compared with "
            "earlier ones, nor recorded",
            err=True,
        )
        return None
    ledger.check(ids, min_count)
    return ledger


def _json_lines(doc: dict[str, Any]) -> str:
    """JSON with one case per line: readable, diffable, and written by the fast C encoder."""
    cases = doc.get("cases")
    if not isinstance(cases, list):
        return safe.json_text(json.dumps(doc, indent=2, ensure_ascii=False))
    head = json.dumps({k: v for k, v in doc.items() if k != "cases"}, ensure_ascii=False)
    rows = ",\n".join("  " + json.dumps(row, ensure_ascii=False) for row in cases)
    text = head[:-1] + (', "cases": [\n' if len(head) > 2 else '"cases": [\n') + rows + "\n]}"
    return safe.json_text(text)


def register(app: typer.Typer) -> None:
    """Add the commands to the app."""
    app.command("status")(status_command)
    app.command("stats")(stats_command)
    app.command("report")(report_command)
    app.command("export")(export_command)
