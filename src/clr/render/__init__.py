"""Rendering: every output format, chosen by name from one registry.

``RENDERER_BY_NAME`` maps each kind of output (findings, case tables, figures, one case,
playbooks, identity files) to its formats by name, as check-jsonschema's reporters are.
Every command that offers ``--format`` lists its choices from here (the CLI builds the
option from ``names(kind)``), so a format added here is offered at once everywhere that
kind of output is.

Every renderer but those of findings returns its text with the final newline.
A renderer is named by ``"module:function"`` and imported only when it is used, so that
reading the registry costs nothing at start-up. A format whose target is None is the
terminal view the CLI draws itself (a rich table on a terminal); the core never imports rich.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, Final


class Renderer:
    """One output format of one kind of output.

    Attributes:
        name: The format's name, as ``--format`` takes it.
        target: ``"clr.render.module:function"``; None: drawn by the CLI on the terminal.
        note: A few words for the help, after the name.
    """

    __slots__ = ("name", "note", "target")

    # A plain class, not a dataclass: the registry is read on every start of clr, and
    # building a dataclass costs a millisecond.
    def __init__(self, name: str, target: str | None, note: str = "") -> None:
        self.name, self.target, self.note = name, target, note

    def load(self) -> Callable[..., str]:
        """The rendering function (imported on first use)."""
        if self.target is None:
            raise LookupError(f"{self.name} is drawn by the command line, not the core")
        module, _, function = self.target.partition(":")
        rendered: Callable[..., str] = getattr(importlib.import_module(module), function)
        return rendered


def _kind(*renderers: Renderer) -> dict[str, Renderer]:
    return {r.name: r for r in renderers}


_FINDINGS = "clr.render.reports"
_TABLES = "clr.render.tables"

RENDERER_BY_NAME: Final[dict[str, dict[str, Renderer]]] = {
    # Findings of clr validate: function(report) -> str (text: also quiet=, colour=).
    "findings": _kind(
        Renderer("text", f"{_FINDINGS}:render_text"),
        Renderer("concise", f"{_FINDINGS}:render_concise"),
        Renderer("json", f"{_FINDINGS}:render_json"),
        Renderer("github", f"{_FINDINGS}:render_github"),
        Renderer("gitlab", f"{_FINDINGS}:render_gitlab"),
        Renderer("sarif", f"{_FINDINGS}:render_sarif"),
        Renderer("junit", f"{_FINDINGS}:render_junit"),
    ),
    # One line per case (clr status): function(cases, today) -> str.
    "status": _kind(
        Renderer("text", None, "a table; plain text when piped"),
        Renderer("json", f"{_TABLES}:status_json"),
        Renderer("csv", f"{_TABLES}:status_csv"),
        Renderer("markdown", f"{_TABLES}:status_markdown"),
    ),
    # Figures over many cases (clr stats): function(document) -> str.
    "figures": _kind(
        Renderer("text", None, "a table; plain text when piped"),
        Renderer("json", f"{_TABLES}:document_json"),
        Renderer("csv", f"{_TABLES}:figures_csv"),
        Renderer("markdown", f"{_TABLES}:figures_markdown"),
    ),
    # One case at a glance (clr show, clr next): function(document) -> str.
    "case": _kind(
        Renderer("text", None),
        Renderer("json", f"{_TABLES}:document_json"),
    ),
    # Playbooks (clr playbook list, show, checklist): drawn per command.
    "playbook": _kind(
        Renderer("text", None),
        Renderer("json", f"{_TABLES}:document_json"),
        Renderer("markdown", None),
    ),
    # An identity file (clr identity show): function(document) -> str.
    "identity": _kind(
        Renderer("text", f"{_TABLES}:identity_yaml", "YAML"),
        Renderer("json", f"{_TABLES}:identity_json"),
    ),
    # Due actions over many cases (clr agenda): function(items, cases, today, days, by) -> str.
    "agenda": _kind(
        Renderer("text", "clr.render.agenda:agenda_text"),
        Renderer("json", "clr.render.agenda:agenda_json"),
        Renderer("csv", "clr.render.agenda:agenda_csv", "a field worklist"),
        Renderer("ics", "clr.render.agenda:agenda_ics", "an iCalendar feed"),
        Renderer("markdown", "clr.render.agenda:agenda_markdown", "the weekly digest"),
    ),
    # The retention plan (clr retention plan): function(document) -> str.
    "retention": _kind(
        Renderer("text", "clr.render.retention:plan_text"),
        Renderer("json", "clr.render.retention:plan_json"),
        Renderer("csv", "clr.render.retention:plan_csv"),
    ),
    # Possible pairs of cases about the same child (clr duplicates): function(document).
    "duplicates": _kind(
        Renderer("text", "clr.render.duplicates:duplicates_text"),
        Renderer("json", "clr.render.duplicates:duplicates_json"),
    ),
    # A case's commits (clr history): function(history) -> str.
    "history": _kind(
        Renderer("text", "clr.render.history:history_text"),
        Renderer("json", "clr.render.history:history_json"),
    ),
}
"""Each kind of output, and its formats by name."""

ALIASES: Final[dict[str, dict[str, str]]] = {
    "status": {"table": "text"},
    "figures": {"table": "text"},
    "identity": {"yaml": "text"},
}
"""Older format names still accepted (clr status and clr stats called their text ``table``)."""


def names(kind: str) -> tuple[str, ...]:
    """The format names of a kind of output, in the order the help lists them."""
    return tuple(RENDERER_BY_NAME[kind])


def canonical(kind: str, name: str) -> str:
    """The format's name, an alias turned into the name it stands for."""
    return ALIASES.get(kind, {}).get(name, name)


def renderer(kind: str, name: str) -> Renderer:
    """The renderer of a kind of output by its name (or an alias of it)."""
    return RENDERER_BY_NAME[kind][canonical(kind, name)]


def render(kind: str, name: str, *args: Any, **kwargs: Any) -> str:
    """Render with the named format of a kind of output."""
    return renderer(kind, name).load()(*args, **kwargs)
