"""clr status, stats, report, export: views over many cases, for supervisors, buyers, scripts."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from clr.cli._common import (
    AsOf,
    EncryptToOpt,
    choices,
    forced_colour,
    format_choices,
    format_name,
    format_option,
    parse_as_of,
    stdout_console,
)
from clr.i18n import N_, _, ngettext
from clr.model import vocabulary
from clr.render import render, safe
from clr.views.select import targets

if TYPE_CHECKING:
    import datetime as dt

    from clr.views.filters import Filters
    from clr.views.summary import CaseSummary

    SortKey = str
    Audience = str
    GroupBy = str
    StatusFormat = str
    FiguresFormat = str
else:
    SortKey = choices("SortKey", vocabulary.SORT_KEYS)
    Audience = choices("Audience", vocabulary.AUDIENCES)
    GroupBy = choices("GroupBy", vocabulary.GROUP_FIELDS)
    StatusFormat = format_choices("status")
    FiguresFormat = format_choices("figures")


ForOpt = Annotated[
    Audience,
    typer.Option(
        "--for",
        help="Who it is for: caseworker (your team; the default), supplier (what it owes, "
        "needs the consent share_with_supplier of the guardian and, from the "
        "consent age, of the child), buyer (pseudonymous stages, "
        "dates, costs, outcomes; needs share_with_buyer) or investor (aggregates only).",
    ),
]
OverrideOpt = Annotated[
    str | None,
    typer.Option(
        "--override-consent",
        metavar="REASON",
        help="Share even where consent (the guardian's or the child's) does not cover it, "
        "for this reason; "
        "recorded in each such case's history (with --by) before anything is shared.",
    ),
]
ByOpt = Annotated[
    str | None,
    typer.Option("--by", help="Who overrides the consent (default: $CLR_USER)."),
]


Paths = Annotated[
    list[Path] | None,
    typer.Argument(
        help="Case repositories, case folders or case files (default: this repository).",
        show_default=False,
    ),
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
        help=f"Only cases in this stage (repeatable): {', '.join(vocabulary.STAGES)}.",
    ),
]
TrackOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--track",
        metavar="TRACK",
        help=f"Only this track: {' or '.join(vocabulary.TRACKS)} (repeatable).",
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
) -> Filters:
    from clr.views.filters import Filters

    for value in stage or []:
        if value not in vocabulary.STAGES:
            raise typer.BadParameter(
                _("{value} is not a stage; one of: {choices}").format(
                    value=repr(value), choices=", ".join(vocabulary.STAGES)
                ),
                param_hint="--stage",
            )
    for value in track or []:
        if value not in vocabulary.TRACKS:
            raise typer.BadParameter(
                _("{value} is not a track; one of: {choices}").format(
                    value=repr(value), choices=", ".join(vocabulary.TRACKS)
                ),
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


def _report_failed(cases: list[CaseSummary]) -> None:
    failed = [c for c in cases if not c.ok]
    if failed:
        said = ngettext(
            "{count} case file could not be read; run 'clr validate' for details",
            "{count} case files could not be read; run 'clr validate' for details",
            len(failed),
        ).format(count=len(failed))
        sys.stderr.write(_("error: {message}").format(message=said) + "\n")
    unplayed = sum(c.ok and c.playbook_missing for c in cases)
    if unplayed:
        said = ngettext(
            "{count} case names a playbook that is unknown or invalid: no next action or "
            "overdue count for it; run 'clr validate' for details",
            "{count} cases name a playbook that is unknown or invalid: no next action or "
            "overdue count for them; run 'clr validate' for details",
            unplayed,
        ).format(count=unplayed)
        sys.stderr.write(_("warning: {message}").format(message=said) + "\n")


# --- clr status -----------------------------------------------------------------------


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
    sort: Annotated[SortKey, typer.Option("--sort", "-s", help="Sort by this column.")] = "id",
    reverse: Annotated[bool, typer.Option("--reverse", "-r", help="Reverse the order.")] = False,
    output_format: Annotated[StatusFormat, format_option("status")] = "text",
    as_of: AsOf = None,
    jobs: Jobs = None,
) -> None:
    """One line per case: stage, days open, next action and its date, overdue actions.

    Cases whose file cannot be read are listed too, and make the exit code 1.
    The json and csv columns are a stable interface (docs/bulk-views.md).

    Example: clr status --overdue --sort overdue --reverse --format csv > overdue.csv
    """
    from clr.views import filters as filtering
    from clr.views import load

    today = parse_as_of(as_of, paths[0] if paths else None)
    filters = _filters(stage, track, country, supplier, buyer, sector, overdue, open_)
    cases = load.load_summaries(targets(paths), today, jobs=jobs)
    shown = filtering.sort_cases(filtering.filter_cases(cases, filters), str(sort), reverse=reverse)
    chosen = format_name("status", output_format)
    if chosen == "text":
        _status_table(shown, today)
    else:
        typer.echo(render("status", chosen, shown, today), nl=False)
    _report_failed(shown)
    raise typer.Exit(1 if any(not c.ok for c in shown) else 0)


_SHRINK = {"site": 12, "next_action": 14, "track": 8}
"""Status columns that give up width on a narrow terminal, in this order, down to this."""

_DROP = ("track", "country", "site", "next_action")
"""Status columns left out, in this order, when the terminal is narrower still (with a note)."""

_HEADERS = {"days_in_stage": "In\nstage", "last_visit": "Last\nvisit"}
"""Status titles on two lines in a terminal, so that the columns of numbers stay narrow."""


def _title(key: str, title: str) -> str:
    """A status column's title in the language in force (English ones on two lines)."""
    translated = _(title)
    return _HEADERS[key] if key in _HEADERS and translated == title else translated


def _fit(natural: dict[str, int], room: int) -> dict[str, int]:
    """Column widths that fit ``room`` (2 characters between columns).

    Long sites, actions and tracks are cut short first (they end in an ellipsis); if that
    is not enough, whole columns are left out. Ids, stages, dates and numbers never shrink:
    if they alone do not fit, the widths returned still do not fit (check with ``_width``).
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
    for key in ("next_action", "site", "track"):  # room a dropped column left: given back
        if key in widths and excess() < 0:
            widths[key] = min(natural[key], widths[key] - excess())
    return widths


def _width(widths: dict[str, int]) -> int:
    """The characters a row of the status table takes: its columns, 2 between each."""
    return sum(widths.values()) + 2 * (len(widths) - 1)


def _status_table(cases: list[CaseSummary], today: dt.date) -> None:
    from clr.render.tables import STATUS_TABLE, plain_table, status_cells

    ok = [c for c in cases if c.ok]
    failed = [c for c in cases if not c.ok]
    if not sys.stdout.isatty() and not forced_colour():
        if ok or not failed:
            typer.echo(plain_table([k for k, _ in STATUS_TABLE], [status_cells(c) for c in ok]))
        for case in failed:
            typer.echo(f"FAILED  {safe.terminal(case.path)}: {safe.terminal(case.error)}")
        return
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(
        title=_("Cases as of {date}").format(date=today.isoformat()),
        caption=_("Open and In stage: days"),
        title_justify="left",
        caption_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    rows = [status_cells(c) for c in ok]
    console = stdout_console()
    keys = [key for key, _ in STATUS_TABLE]
    titles = {key: _title(key, title) for key, title in STATUS_TABLE}
    natural = {
        key: max([*(len(line) for line in titles[key].split("\n")), *(len(r[i]) for r in rows)])
        for i, key in enumerate(keys)
    }
    widths = _fit(natural, console.width - 2)
    if _width(widths) > console.width - 2:
        _status_records(console, ok, rows, today)
    else:
        _status_columns(console, table, ok, rows, widths)
    left_out = [_(title).lower() for key, title in STATUS_TABLE if key not in widths]
    if left_out and _width(widths) <= console.width - 2:
        console.print(
            Text(
                _(
                    "Not shown at this width: {columns} (a wider terminal shows them, "
                    "as does --format csv)."
                ).format(columns=", ".join(left_out)),
                style="dim",
            ),
            soft_wrap=False,  # wrapped at spaces to the terminal
        )
    for case in failed:
        console.print(
            Text(
                f"FAILED  {safe.terminal(case.path)}: {safe.terminal(case.error)}", style="bold red"
            )
        )
    open_count = sum(not c.closed for c in ok)
    late = sum(c.overdue for c in ok)
    said = ngettext(
        "{count} case ({open} open, {closed} closed)",
        "{count} cases ({open} open, {closed} closed)",
        len(ok),
    ).format(count=len(ok), open=open_count, closed=len(ok) - open_count)
    said += ", " + ngettext("{count} overdue action", "{count} overdue actions", late).format(
        count=late
    )
    if failed:
        said += ", " + _("{count} could not be read").format(count=len(failed))
    console.print(
        Text(
            said,
            style="bold",
        )
    )


def _status_columns(
    console: Any, table: Any, ok: list[CaseSummary], rows: list[list[str]], widths: dict[str, int]
) -> None:
    """The status table, one line per case, in the columns that fit."""
    from clr.render.tables import STATUS_TABLE

    keys = [key for key, _ in STATUS_TABLE]
    for key, title in STATUS_TABLE:
        if key in widths:
            table.add_column(
                _title(key, title),
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


_STATUS_RECORD: tuple[tuple[str, str], ...] = (
    (N_("open (days)"), "days_open"),
    (N_("in stage (days)"), "days_in_stage"),
    (N_("next action"), "next_action"),
    (N_("due"), "next_due"),
    (N_("overdue"), "overdue"),
    (N_("last visit"), "last_visit"),
    (N_("site"), "site"),
)
"""The lines of a case in ``clr status`` on a narrow terminal: label (a msgid) and cell."""


def _status_records(
    console: Any, ok: list[CaseSummary], rows: list[list[str]], today: dt.date
) -> None:
    """The status of each case as a short block, for a terminal too narrow for the columns."""
    from rich.text import Text

    from clr.render.tables import STATUS_TABLE

    console.print(Text(_("Cases as of {date}").format(date=today.isoformat()), style="bold"))
    for case, cells in zip(ok, rows, strict=True):
        row = dict(zip((key for key, _ in STATUS_TABLE), cells, strict=True))
        style = "red" if case.overdue else ("dim" if case.closed else None)
        console.print()
        console.print(Text(f"{row['id']}  {row['stage']}", style=style or "bold"))
        for label, key in _STATUS_RECORD:
            text = _("{label}: {value}").format(label=_(label), value=row[key])
            console.print(Text(f"  {text}"), soft_wrap=False)


# --- clr stats ------------------------------------------------------------------------


def stats_command(
    paths: Paths = None,
    by: Annotated[
        GroupBy | None, typer.Option("--group-by", "-g", help="Group the figures by this field.")
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
    output_format: Annotated[FiguresFormat, format_option("figures")] = "text",
    as_of: AsOf = None,
    jobs: Jobs = None,
) -> None:
    """Figures over many cases, split by sex: funnel, speed, coverage, outcomes, money.

    Counts open cases by stage and overdue actions; gives median days in each stage and
    from discovery to each milestone; coverage (age verified, family reached, consent
    and assent, plan signed by all, two follow-ups); outcomes; closure reasons; money
    per currency and payer; root causes. --min-count 5 hides small figures before sharing.

    Example: clr stats --group-by buyer --min-count 5 --format markdown > kpis.md
    """
    from clr.views import figures, load
    from clr.views.filters import filter_cases

    today = parse_as_of(as_of, paths[0] if paths else None)
    filters = _filters(stage, track, country, supplier, buyer, sector, False, open_)
    cases = filter_cases(load.load_summaries(targets(paths), today, jobs=jobs), filters)
    if min_count > 0:
        _shared_ledger(targets(paths), [c.id or "" for c in cases if c.ok], min_count)
    from clr.views.monitoring import rounds_for

    rounds = rounds_for(targets(paths))
    doc = figures.stats_document(
        cases, today, by=str(by) if by else None, min_count=min_count, rounds=rounds
    )
    chosen = format_name("figures", output_format)
    if chosen == "text":
        _stats_table(safe.terminal_data(doc))
    else:
        typer.echo(render("figures", chosen, doc), nl=False)
    _report_failed(cases)
    raise typer.Exit(1 if doc["failed"] else 0)


def _stats_table(doc: dict[str, Any]) -> None:
    from clr.render.tables import figure_columns, figure_nodes, figure_title, figures_plain

    if not sys.stdout.isatty() and not forced_colour():
        typer.echo(figures_plain(doc))
    else:
        from rich.table import Table

        console = stdout_console()
        _stats_bars(doc, console)
        for node in figure_nodes(doc):
            title = figure_title(doc, node)
            if node["suppressed"]:
                console.print(_("{title}: suppressed (too few cases)").format(title=title))
                continue
            titles, rows, values = figure_columns(doc, node)
            table = Table(title=title, title_justify="left", title_style="bold")
            table.add_column(_("Figure"))
            for name in titles:
                table.add_column(name, justify="right")
            last_section = None
            for key, section, label in rows:
                if section != last_section:
                    table.add_row(section, *("" for _title in titles), style="bold")
                    last_section = section
                table.add_row("  " + label, *(v.get(key, "-") for v in values))
            console.print(table)
        from clr.render.tables import monitoring_plain

        if doc.get("monitoring"):
            console.print(monitoring_plain(doc), markup=False, highlight=False)
    for failed in doc["failed"]:
        typer.echo(_("FAILED  {file}: {error}").format(file=failed["path"], error=failed["error"]))


def _stats_bars(doc: dict[str, Any], console: Any) -> None:
    """The funnel and the closure mix as bars, on a terminal, before the tables."""
    from rich.text import Text

    from clr.render.tables import figure_bars

    for title, rows in figure_bars(doc, console.width - 2):
        console.print(Text(title, style="bold"))
        for label, bar, number in rows:
            line = Text(f"  {label}  ")
            line.append(bar, style="cyan")
            line.append(f" {number}")
            console.print(line, no_wrap=True, overflow="crop")
        console.print()


# --- clr report -----------------------------------------------------------------------


def report_command(
    case: Annotated[
        str,
        typer.Argument(help="A case id (or its start), a case folder or file.", show_default=False),
    ],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to this file.")
    ] = None,
    audience: ForOpt = "caseworker",
    override_consent: OverrideOpt = None,
    by: ByOpt = None,
    as_of: AsOf = None,
    encrypt_to: EncryptToOpt = None,
) -> None:
    """A Markdown report of one case: timeline, plan, payments, visits, open actions.

    Pseudonymous: it holds only what the case file holds, leaves out free-text notes and
    views, and never reads the identity file. --for says who it is for and so what it
    holds; a report for the buyer or the supplier is refused unless consent (the
    guardian's and, from the consent age, the child's) covers it (or --override-consent
    REASON, recorded in the case's history). An investor gets aggregates only, never one
    case.

    With --encrypt-to KEY|FILE the report is age-encrypted (armored, for e-mail) to that
    public key or the keys in that file, and --output gets the suffix .age.

    Example: clr report EXR-2026-7KQ3M --for buyer --output EXR-2026-7KQ3M.md
    """
    import os

    from clr.views import sharing

    sealed_for = sharing.recipients(encrypt_to) if encrypt_to is not None else None

    from clr.cases import caseops
    from clr.views import consent
    from clr.views import report as casereport

    today = parse_as_of(as_of, case)
    who = by or os.environ.get("CLR_USER")
    consent.check_override(override_consent, who)
    if audience == "investor":
        raise typer.BadParameter(
            _(
                "an investor sees aggregates only, never the report of a single case; "
                "share 'clr stats --min-count 5' or 'clr export --for investor'"
            ),
            param_hint="--for",
        )
    session = caseops.open_case(case, today=today)
    path, data, ctx = session.path, session.data, session.ctx
    from clr.repo.repository import display_path

    override = (
        consent.Override(str(audience), override_consent.strip(), who, "report")
        if override_consent is not None and who is not None
        else None
    )
    age = consent.consent_age_of(ctx, data)
    if consent.gate(path, data, str(audience), today=today, override=override, consent_age=age):
        shown_id = safe.terminal(data.get("id"))
        typer.echo(
            _("consent override recorded in the history of {case}").format(case=shown_id),
            err=True,
        )
        session = caseops.open_case(str(path), today=today)
        path, data, ctx = session.path, session.data, session.ctx
    # Every value Markdown-escaped: the report goes to buyers and suppliers.
    text = casereport.render_report(
        safe.markdown_data(data), safe.markdown(display_path(path)), ctx, str(audience)
    )
    if sealed_for is not None:
        if output is None:
            typer.echo(sharing.seal(text, sealed_for).decode("ascii"), nl=False)
            return
        output = sharing.write_sealed(output, text, sealed_for)
        count = len(sealed_for)
        typer.echo(
            ngettext(
                "wrote the report of {case} to {file}, encrypted to {count} recipient",
                "wrote the report of {case} to {file}, encrypted to {count} recipients",
                count,
            ).format(
                case=safe.terminal(data.get("id")),
                file=safe.terminal(display_path(output)),
                count=count,
            ),
            err=True,
        )
        return
    if output is None:
        typer.echo(text, nl=False)
        return
    from clr.io import atomic

    atomic.write(output, text)
    typer.echo(
        _("wrote the report of {case} to {file}").format(
            case=safe.terminal(data.get("id")), file=safe.terminal(display_path(output))
        ),
        err=True,
    )


# --- clr export -----------------------------------------------------------------------


def export_command(
    paths: Paths = None,
    sqlite: Annotated[
        Path | None, typer.Option("--sqlite", help="Write a SQLite database to this file.")
    ] = None,
    csv_dir: Annotated[
        Path | None, typer.Option("--csv", help="Write one CSV file per table into this folder.")
    ] = None,
    excel: Annotated[
        bool,
        typer.Option(
            "--excel",
            help="With --csv: CSV files for Excel (a UTF-8 byte order mark, CRLF line ends).",
        ),
    ] = False,
    audience: ForOpt = "caseworker",
    override_consent: OverrideOpt = None,
    by: ByOpt = None,
    as_of: AsOf = None,
    jobs: Jobs = None,
    encrypt_to: EncryptToOpt = None,
) -> None:
    """Export cases to SQLite and/or CSV: cases, history, visits, payments, checklist, actions.

    Identity files are never read; free-text notes and views are left out. --for says
    who it is for: a buyer or supplier export holds only the columns they may see, and
    only the cases whose guardian (and child, from the consent age) consented to sharing
    with them (it says how many were left out; --override-consent REASON includes them
    and records that in each one's history); an investor export holds figures only, small
    groups suppressed. CSV cells that a spreadsheet would run as a formula get a leading
    '. An existing database file is replaced. Cases that cannot be read are listed and
    make the exit code 1.

    With --encrypt-to KEY|FILE every file is age-encrypted (armored) to that public key
    or the keys in that file, and gets the suffix .age (cases.db.age, cases.csv.age); the
    plaintext never reaches the disk outside a private temporary folder.

    Example: clr export --for buyer --sqlite cases.db --csv export/
    """
    from clr.views import sharing

    sealed_for = sharing.recipients(encrypt_to) if encrypt_to is not None else None
    if sqlite is None and csv_dir is None:
        raise typer.BadParameter(_("say where to write: --sqlite FILE and/or --csv DIR"))
    if excel and csv_dir is None:
        raise typer.BadParameter(_("--excel shapes CSV files: give --csv DIR too"))
    import os

    from clr.repo.repository import display_path
    from clr.views import consent, export
    from clr.views.select import select

    today = parse_as_of(as_of, paths[0] if paths else None)
    who = by or os.environ.get("CLR_USER")
    consent.check_override(override_consent, who)
    selection = select(targets(paths), today)
    result = export.collect(selection, today, jobs=jobs)
    purpose = consent.needed(str(audience))
    missing = [c for c in result.cases if str(audience) not in c.covers]
    included: list[str] = []
    if missing and override_consent is not None:
        assert who is not None
        override = consent.Override(str(audience), override_consent.strip(), who, "export")
        shown = {Path(c.file): c.summary.path for c in missing}
        included, refused = consent.gate_many(
            [(Path(c.file), c.summary.id or "") for c in missing], override, today=today
        )
        for case_file, why in refused:
            typer.echo(
                _("not shared: {reason}").format(
                    reason=safe.terminal(f"{shown[case_file]}: {why}")
                ),
                err=True,
            )
        typer.echo(
            ngettext(
                "consent override recorded in the history of {count} case",
                "consent override recorded in the history of {count} cases",
                len(included),
            ).format(count=len(included)),
            err=True,
        )
    result = export.for_audience(result, str(audience), today, include=included)
    if result.left_out:
        count = len(result.left_out)
        typer.echo(
            ngettext(
                "left out {count} case whose guardian has not consented to {purpose}; "
                "--override-consent REASON --by NAME includes it and records it in its history",
                "left out {count} cases whose guardian has not consented to {purpose}; "
                "--override-consent REASON --by NAME includes them and records it in each "
                "one's history",
                count,
            ).format(count=count, purpose=purpose),
            err=True,
        )
    ledger = None
    if audience == "investor":
        shared = [c.summary.id or "" for c in result.cases]
        ledger = _shared_ledger(targets(paths), shared, consent.MIN_GROUP)
    counts = ", ".join(f"{name} {result.count(name)}" for name in result.columns if name != "meta")
    if sealed_for is not None:
        _export_sealed(result, sqlite, csv_dir, excel=excel, keys=sealed_for, counts=counts)
    if sqlite is not None and sealed_for is None:
        export.write_sqlite(result, sqlite)
        typer.echo(
            _("wrote {file}: {counts}").format(file=display_path(sqlite), counts=counts), err=True
        )
    if csv_dir is not None and sealed_for is None:
        export.write_csv(result, csv_dir, excel=excel)
        typer.echo(
            _("wrote {file}: {counts}").format(
                file=f"{display_path(csv_dir)}/*.csv", counts=counts
            ),
            err=True,
        )
    if ledger is not None:
        ledger.record(shared, str(audience), today)
        typer.echo(
            _("recorded what was shared in {file}").format(file=display_path(ledger.path)),
            err=True,
        )
    for failed in result.failed:
        typer.echo(
            _("not exported: {reason}").format(
                reason=safe.terminal(f"{failed.path}: {failed.error}")
            ),
            err=True,
        )
    raise typer.Exit(1 if result.failed else 0)


def _export_sealed(
    result: Any,
    sqlite: Path | None,
    csv_dir: Path | None,
    *,
    excel: bool,
    keys: list[str],
    counts: str,
) -> None:
    """Write the export's files encrypted to ``keys``, the plaintext only in a private folder."""
    from clr.io import files
    from clr.repo.repository import display_path
    from clr.views import export, sharing

    said = ngettext(
        "wrote {file}, encrypted to {count} recipient: {counts}",
        "wrote {file}, encrypted to {count} recipients: {counts}",
        len(keys),
    )
    if sqlite is not None:
        with sharing.private_workdir() as work:
            plain = work / "export.db"
            export.write_sqlite(result, plain)
            target = sharing.write_sealed(sqlite, files.read_bytes(plain), keys)
        typer.echo(said.format(file=display_path(target), count=len(keys), counts=counts), err=True)
    if csv_dir is not None:
        with sharing.private_workdir() as work:
            written = export.write_csv(result, work, excel=excel)
            csv_dir.mkdir(parents=True, exist_ok=True)
            for plain in written:
                sharing.write_sealed(csv_dir / plain.name, files.read_bytes(plain), keys)
        typer.echo(
            said.format(file=f"{display_path(csv_dir)}/*.csv.age", count=len(keys), counts=counts),
            err=True,
        )


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
        said = _(
            "not inside a case repository: this selection was not compared with "
            "earlier ones, nor recorded"
        )
        typer.echo(_("warning: {message}").format(message=said), err=True)
        return None
    ledger.check(ids, min_count)
    return ledger


def register(app: typer.Typer) -> None:
    """Add the commands to the app."""
    app.command("status")(status_command)
    app.command("stats")(stats_command)
    app.command("report")(report_command)
    app.command("export")(export_command)
