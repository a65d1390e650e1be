"""clr dashboard: a static page of the portfolio's figures, for people without a terminal."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from clr.cli._common import AsOf, EncryptToOpt, choices, parse_as_of
from clr.cli.bulk import Jobs, Paths
from clr.render import safe
from clr.views.dashboard import DASHBOARD_AUDIENCES

if TYPE_CHECKING:
    DashboardAudience = str
else:
    DashboardAudience = choices("DashboardAudience", DASHBOARD_AUDIENCES)


def dashboard_command(
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="The folder to write the site to (made if needed); index.html is replaced.",
            show_default=False,
        ),
    ],
    paths: Paths = None,
    audience: Annotated[
        DashboardAudience,
        typer.Option(
            "--for",
            help="Who it is for: caseworker (your team; the default), buyer (only the cases "
            "whose guardian (and child, from the consent age) consented to sharing with the "
            "buyer, no split by sex) or "
            "investor (figures of fewer than 5 cases suppressed; no case id or name).",
        ),
    ] = "caseworker",
    min_count: Annotated[
        int,
        typer.Option(
            "--min-count",
            min=0,
            help="Hide every figure that rests on fewer cases than this (5 at least for "
            "an investor), and the figures that would give it away.",
        ),
    ] = 0,
    as_of: AsOf = None,
    jobs: Jobs = None,
    encrypt_to: EncryptToOpt = None,
) -> None:
    """A static web page of the figures: charts, the tables behind them, definitions.

    Writes OUTPUT/index.html: one file with its charts drawn in it, that opens offline
    (from a CI artifact, GitHub or GitLab Pages, or an e-mail attachment) and fetches
    nothing. Every number on it is a figure of 'clr stats --format json' over the same
    cases. --for buyer and --for investor share only what an export for them would: an
    investor's page holds no case id and no figure from fewer than 5 cases, and its
    selection is recorded in .clr/shared.jsonl as 'clr export --for investor' records it.

    With --encrypt-to KEY|FILE the page is age-encrypted (armored, for e-mail) to that
    public key or the keys in that file, and written as OUTPUT/index.html.age.

    Example: clr dashboard --for investor --output public/
    """
    from clr import __version__
    from clr.cli.bulk import _report_failed, _shared_ledger
    from clr.i18n import _, ngettext
    from clr.render import dashboard as page
    from clr.repo.repository import display_path
    from clr.views import dashboard, load, sharing
    from clr.views.select import targets

    dashboard.check_audience(str(audience))
    sealed_for = sharing.recipients(encrypt_to) if encrypt_to is not None else None
    today = parse_as_of(as_of, paths[0] if paths else None)
    cases = load.load_summaries(targets(paths), today, jobs=jobs)
    ledger = None
    shared: list[str] = []
    if audience == "investor":
        shared = [c.id or "" for c in dashboard.shared_cases(cases, "investor")]
        minimum = dashboard.effective_min_count("investor", min_count)
        ledger = _shared_ledger(targets(paths), shared, minimum)
    from clr.views.monitoring import rounds_for

    rounds = rounds_for(targets(paths))
    board = dashboard.build(
        cases, today, audience=str(audience), min_count=min_count, rounds=rounds
    )
    written = dashboard.write_site(page.site(board, __version__), output, sealed_for)
    shown = ", ".join(safe.terminal(display_path(p)) for p in written)
    count = board.stats["total"]["figures"]
    cases_text = (
        ngettext("{count} case", "{count} cases", count["cases"]).format(count=count["cases"])
        if count is not None
        else _("too few cases to show")
    )
    said = _("wrote {files}: {cases}, for {audience}").format(
        files=shown, cases=cases_text, audience=audience
    )
    if sealed_for is not None:
        said += ngettext(
            ", encrypted to {count} key", ", encrypted to {count} keys", len(sealed_for)
        ).format(count=len(sealed_for))
    typer.echo(said, err=True)
    if board.left_out:
        typer.echo(
            ngettext(
                "left out {count} case without consent to sharing with the buyer (the "
                "guardian's, and the child's from the consent age)",
                "left out {count} cases without consent to sharing with the buyer (the "
                "guardian's, and the child's from the consent age)",
                board.left_out,
            ).format(count=board.left_out),
            err=True,
        )
    if ledger is not None:
        ledger.record(shared, str(audience), today)
        typer.echo(
            _("recorded what was shared in {file}").format(file=display_path(ledger.path)),
            err=True,
        )
    _report_failed(cases)
    raise typer.Exit(1 if board.failed_count else 0)


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("dashboard")(dashboard_command)
