"""The portfolio dashboard (``clr dashboard``): which figures a page shows, for whom.

The dashboard shows the figures of ``clr stats`` and nothing else: the documents here are
``clr.views.figures.stats_document`` over the same cases (all cases; by month of discovery;
by caseworker), so that every number on a page equals ``clr stats --format json`` for the
same cases and options. ``clr.render.dashboard`` draws them as HTML and SVG.

Audiences, as ``clr export``:

* ``caseworker`` (the default): every case; a breakdown by caseworker; the files that could
  not be read, by path.
* ``buyer``: only the cases whose guardian consented to sharing with the buyer, and what a
  buyer's export holds: no split by sex, no discovery channel or recruitment, no family job
  offer, no caseworker's name; a count of the files that could not be read.
* ``investor``: every case, each figure that rests on fewer than ``consent.MIN_GROUP`` cases
  suppressed (``clr.views.disclosure``), no case id, no path and no caseworker's name.

A supplier sees its own obligations case by case (``clr export --for supplier``); it gets
no dashboard.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clr.errors import ClrError
from clr.i18n import N_
from clr.model.findings import said
from clr.views import consent
from clr.views.summary import CaseSummary

if TYPE_CHECKING:
    from clr.views.monitoring import Round

DASHBOARD_AUDIENCES: tuple[str, ...] = ("caseworker", "buyer", "investor")
"""Who a dashboard can be for (``--for``)."""

HIDDEN_FOR: dict[str, tuple[str, ...]] = {
    "caseworker": (),
    "buyer": (
        "sector.by_channel",
        "sector.recruited_by_agent",
        "sector.forged_or_borrowed_id",
        "outcomes.job_offered",
        "outcomes.job_accepted",
    ),
    "investor": (),
}
"""Figures (dotted paths, and everything under them) a page for an audience leaves out:
those resting on columns its export does not hold."""

BREAKDOWNS: dict[str, tuple[str, ...]] = {
    "caseworker": ("month", "caseworker"),
    "buyer": ("month",),
    "investor": ("month",),
}
"""The ``clr stats --group-by`` breakdowns each audience's page shows."""

SEX_SPLIT: dict[str, bool] = {"caseworker": True, "buyer": False, "investor": True}
"""Whether a page shows each figure split by sex (a buyer's export holds no sex)."""


@dataclass
class Dashboard:
    """What a dashboard shows: the stats documents, and for whom."""

    audience: str
    today: dt.date
    min_count: int
    stats: dict[str, Any]
    """``clr stats --format json`` over the cases shown (``--min-count`` as here)."""
    breakdowns: dict[str, dict[str, Any]] = field(default_factory=dict)
    """``clr stats --group-by NAME --format json`` for each breakdown of the audience
    (without ``--min-count``, each group holds only the figures of ``figures.BRIEF``)."""
    left_out: int = 0
    """Cases left out because the guardian's consent does not cover the audience."""
    failed: list[str] = field(default_factory=list)
    """The files that could not be read (paths; empty for a page that may not show them)."""
    failed_count: int = 0

    @property
    def sex_split(self) -> bool:
        """True if the figures are shown split by sex."""
        return SEX_SPLIT[self.audience]

    def hidden(self, path: str) -> bool:
        """True if the figure at ``path`` (dotted) is left out for this audience."""
        return any(path == h or path.startswith(h + ".") for h in HIDDEN_FOR[self.audience])


def check_audience(audience: str) -> None:
    """Refuse an audience that gets no dashboard.

    Raises:
        ClrError: a supplier, or an unknown audience (exit 2).
    """
    consent.check_audience(audience)
    if audience not in DASHBOARD_AUDIENCES:
        error = ClrError(
            said(
                N_("a {audience} gets no dashboard: it sees its own obligations case by case"),
                audience=audience,
            ),
            hint=said(
                N_("use '{command}'; a dashboard is for {audiences}"),
                command=f"clr export --for {audience}",
                audiences=", ".join(DASHBOARD_AUDIENCES),
            ),
        )
        error.exit_code = 2
        raise error


def effective_min_count(audience: str, min_count: int) -> int:
    """The smallest number of cases a figure may rest on: at least 5 for an investor."""
    return max(min_count, consent.MIN_GROUP) if audience == "investor" else min_count


def shared_cases(cases: Sequence[CaseSummary], audience: str) -> list[CaseSummary]:
    """The loaded cases the audience may see (consent), in the order given."""
    purpose = consent.needed(audience)
    return [c for c in cases if c.ok and (purpose is None or audience in c.shared_with)]


def build(
    cases: Sequence[CaseSummary],
    today: dt.date,
    *,
    audience: str = "caseworker",
    min_count: int = 0,
    rounds: Sequence[Round] | None = None,
) -> Dashboard:
    """The dashboard of ``cases`` (failed ones included, to be counted) for ``audience``.

    ``rounds``: the register of monitoring rounds, for the identification rate (not on a
    buyer's page: it counts consented cases only, so the rate would be too low).
    """
    from clr.views.figures import stats_document

    check_audience(audience)
    minimum = effective_min_count(audience, min_count)
    shown = shared_cases(cases, audience)
    failed = [c for c in cases if not c.ok]
    left_out = sum(c.ok for c in cases) - len(shown)
    rounds = rounds if audience != "buyer" else None
    memo: dict[tuple[int, ...], dict[str, Any]] = {}
    selected = [*shown, *failed]
    stats = stats_document(selected, today, min_count=minimum, rounds=rounds, memo=memo)
    # Without suppression a group's own figures do not depend on its split by sex, or on
    # its other figures, which the page does not show: leave them out (the page shows a
    # few counts of each group: figures.BRIEF). With suppression they may (a hidden split
    # or figure hides others of its group), so the documents are clr stats' own, whole.
    breakdowns = {
        by: stats_document(
            selected,
            today,
            by=by,
            min_count=minimum,
            split_groups=minimum > 0,
            memo=memo,
            brief_groups=minimum == 0,
        )
        for by in BREAKDOWNS[audience]
    }
    return Dashboard(
        audience=audience,
        today=today,
        min_count=minimum,
        stats=stats,
        breakdowns=breakdowns,
        left_out=left_out,
        failed=[c.path for c in failed] if audience == "caseworker" else [],
        failed_count=len(failed),
    )


def figure(node: Mapping[str, Any] | None, path: str) -> Any:
    """The value at a dotted ``path`` of a node's figures (None when absent or hidden)."""
    if node is None or node.get("figures") is None:
        return None
    value: Any = node["figures"]
    for key in path.split("."):
        if not isinstance(value, Mapping) or key not in value:
            return None
        value = value[key]
    return value


def write_site(
    pages: Mapping[str, str], folder: Path, sealed_for: Sequence[str] | None = None
) -> list[Path]:
    """Write the site's files into ``folder`` (made if needed), each whole or not at all.

    The one place a dashboard is written: every file goes through ``clr.io.atomic``. With
    ``sealed_for`` (age public keys) each file is written encrypted to them, as NAME.age,
    and the plaintext never touches the disk.

    Raises:
        ClrError: ``folder`` is a file, or cannot be made or written.
    """
    from clr.io import atomic

    if folder.exists() and not folder.is_dir():
        raise ClrError(
            said(N_("{folder} is a file, not a folder"), folder=folder),
            hint=said(N_("give --output a folder (it is made if it does not exist)")),
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ClrError(
            said(
                N_("cannot make the folder {folder}: {reason}"),
                folder=folder,
                reason=exc.strerror or exc,
            ),
            hint=said(N_("choose a folder you can write to")),
        ) from exc
    written = []
    for name, text in pages.items():
        target = folder / name
        if sealed_for is not None:
            from clr.views import sharing

            target = sharing.write_sealed(target, text, list(sealed_for))
        else:
            atomic.write(target, text)
        written.append(target)
    return written
