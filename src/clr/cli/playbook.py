"""clr playbook list / show / checklist: the process itself, by stage and role."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from clr.cli._common import (
    format_choices,
    format_name,
    format_option,
    stdout_console,
    wrap_text,
)
from clr.i18n import N_, _
from clr.model.playbook import load_playbook, playbook_paths
from clr.model.vocabulary import TRACKS
from clr.render import render, safe
from clr.repo.repository import display_path, find_root, read_config

playbook_app = typer.Typer(
    help="Read the playbooks: the process itself, by stage and by role.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


if TYPE_CHECKING:
    from clr.model.playbook import Action, ClosureRule, Playbook

    BookFormat = str
else:
    BookFormat = format_choices("playbook")

FormatOpt = Annotated[BookFormat, format_option("playbook")]
NameOpt = Annotated[
    str | None,
    typer.Option("--playbook", "-p", help="Playbook name (default: the repository's default)."),
]


def _load(name: str | None) -> Playbook:

    root = find_root(Path.cwd())
    default = read_config(root)[0].default_playbook if root else "child-labour"
    return load_playbook(name or default, root)


def _item_dict(action: Action) -> dict[str, Any]:
    return {
        "id": action.id,
        "kind": action.kind,
        "text": action.text,
        "roles": list(action.roles),
        "required": action.required,
        "gate": action.gate,
        "tracks": list(action.tracks),
        "due": action.due,
        "done_when": action.done_when,
        "sources": list(action.sources),
        "note": action.note or None,
    }


def due_words(due: dict[str, Any] | None) -> str:
    """A due rule in plain words."""
    if not due:
        return ""
    raw_unit = str(due.get("unit", ""))
    unit = _(UNITS[raw_unit]) if raw_unit in UNITS else raw_unit.replace("_", " ")
    anchor = _("entering this stage") if due.get("from") == "stage_entered" else due.get("from")
    if "within" in due:
        return _("within {count} {unit} of {anchor}").format(
            count=due["within"], unit=unit, anchor=anchor
        )
    if "every" in due:
        return _("every {count} {unit} from {anchor} ({done_by})").format(
            count=due["every"], unit=unit, anchor=anchor, done_by=due.get("done_by")
        )
    at = ", ".join(str(a) for a in due.get("at", []))
    return _("at {times} {unit} after {anchor} ({done_by})").format(
        times=at, unit=unit, anchor=anchor, done_by=due.get("done_by")
    )


# The units of a due rule, as words (the playbook's own values are machine words).
UNITS = {
    "hours": N_("hours"),
    "days": N_("days"),
    "working_days": N_("working days"),
    "weeks": N_("weeks"),
    "months": N_("months"),
}


@playbook_app.command("list")
def list_command(output_format: FormatOpt = "text") -> None:
    """List the playbooks available here (built-in and the repository's own).

    Example: clr playbook list
    """
    rows = []
    for name, path in playbook_paths(find_root(Path.cwd())).items():
        book = _load(name)
        rows.append(
            {"name": name, "title": book.title, "version": book.version, "path": display_path(path)}
        )
    if format_name("playbook", output_format) == "json":
        typer.echo(json.dumps({"version": 1, "playbooks": rows}, indent=2))
        return
    rows = safe.terminal_data(rows)  # a repository's playbook is text anyone can write
    if format_name("playbook", output_format) == "markdown":
        typer.echo(
            "| {} | {} | {} | {} |\n|---|---|---|---|".format(
                _("name"), _("title"), _("version"), _("file")
            )
        )
        for r in rows:
            typer.echo(f"| {r['name']} | {r['title']} | {r['version']} | {r['path']} |")
    else:
        for r in rows:
            typer.echo(
                f"{r['name']:<20} "
                + _("{title} (version {version}) — {file}").format(
                    title=r["title"], version=r["version"], file=r["path"]
                )
            )


@playbook_app.command("show")
def show_command(
    stage: Annotated[str | None, typer.Option("--stage", help="Only this stage.")] = None,
    role: Annotated[str | None, typer.Option("--role", help="Only this role's actions.")] = None,
    name: NameOpt = None,
    output_format: FormatOpt = "text",
) -> None:
    """Show a playbook: each stage's purpose, actions, deadlines, warnings and sources.

    Example: clr playbook show --stage protected --role supplier
    """
    book = _load(name)
    stages = _stages(book, stage)
    if format_name("playbook", output_format) == "json":
        typer.echo(
            render(
                "playbook",
                "json",
                {
                    "version": 1,
                    "playbook": book.name,
                    "title": book.title,
                    "playbook_version": book.version,
                    "readiness": [_item_dict(a) for a in book.readiness if a.for_role(role)]
                    if stage is None
                    else [],
                    "stages": [
                        {
                            "stage": s,
                            "purpose": book.stages[s].purpose,
                            "actions": [
                                _item_dict(a) for a in book.stages[s].actions if a.for_role(role)
                            ],
                            "warnings": [_item_dict(a) for a in book.stages[s].warnings],
                            "safeguarding": [_item_dict(a) for a in book.stages[s].safeguarding],
                        }
                        for s in stages
                    ],
                    "closure_reasons": [
                        _closure_dict(rule) for rule in book.closure_reasons.values()
                    ]
                    if "closed" in stages
                    else [],
                    "sources": book.sources,
                },
            ),
            nl=False,
        )
        return
    if format_name("playbook", output_format) == "markdown":
        typer.echo(safe.terminal(_markdown(book, stages, role), block=True), nl=False)
    else:
        typer.echo(wrap_text(safe.terminal(_text(book, stages, role), block=True)), nl=False)


def _closure_dict(rule: ClosureRule) -> dict[str, Any]:
    return {
        "reason": rule.reason,
        "text": rule.text,
        "from_stages": list(rule.from_stages) or None,
        "checklist": rule.checklist,
        "follow_ups": rule.follow_ups,
        "fields": list(rule.fields),
        "needs_note": rule.needs_note or None,
        "sources": list(rule.sources),
        "note": rule.note or None,
    }


def closure_words(rule: ClosureRule) -> str:
    """What closing for a reason takes, in plain words (its text aside)."""
    parts = [f"from {' or '.join(rule.from_stages)} only" if rule.from_stages else "any stage"]
    if rule.checklist:
        parts.append("that stage's checklist done")
    follow = rule.follow_ups
    if follow:
        times = sorted(follow["at"])
        anchor = "entering the stage" if follow["from"] == "stage_entered" else follow["from"]
        found = str(follow["found"]).replace("_", " ")
        visits = f"{len(times)} visit{'s in a row' if len(times) > 1 else ''} that found {found}"
        if any(times):
            at = " and ".join(f"{t:g}" for t in times)
            parts.append(f"{visits}, at least {at} {follow['unit']} after {anchor}")
        else:
            parts.append(f"{visits}, since {anchor}")
    parts += [f"{path} filled in" for path in rule.fields]
    if rule.needs_note:
        parts.append(f"a note: {rule.needs_note}")
    return "; ".join(parts)


def _stages(book: Playbook, stage: str | None) -> list[str]:
    if stage is None:
        return list(book.stages)
    if stage not in book.stages:
        raise typer.BadParameter(
            _("unknown stage {stage}; one of: {choices}").format(
                stage=repr(stage), choices=", ".join(book.stages)
            ),
            param_hint="--stage",
        )
    return [stage]


def _lines_for(action: Action) -> list[str]:
    tags = [", ".join(action.roles) or _("anyone")]
    if action.required:
        tags.append(_("required"))
    if action.gate:
        tags.append(_("checklist"))
    if set(action.tracks) != set(TRACKS):
        tags.append(_("track {tracks}").format(tracks="/".join(action.tracks)))
    when = due_words(action.due)
    out = [
        f"  - {action.id} ({'; '.join(tags)})" + (f" — {when}" if when else ""),
        f"      {action.text}",
    ]
    sources = _("source: {sources}").format(sources=", ".join(action.sources))
    out.append("      " + sources + (f"; {action.note}" if action.note else ""))
    return out


def _text(book: Playbook, stages: list[str], role: str | None) -> str:
    lines = [
        _("{title} (playbook {name}, version {version})").format(
            title=book.title, name=book.name, version=book.version
        ),
        "",
    ]
    if len(stages) > 1 and book.readiness:
        lines.append(_("BEFORE ANY CASE"))
        for a in book.readiness:
            if a.for_role(role):
                lines += _lines_for(a)
        lines.append("")
    for s in stages:
        plan = book.stages[s]
        lines.append(f"{s.upper()}: {plan.purpose}")
        for a in plan.actions:
            if a.for_role(role):
                lines += _lines_for(a)
        for w in plan.warnings:
            text = w.text.removeprefix("Do not ") if book.language == "en" else w.text
            lines.append("  ! " + _("Do not: {text}").format(text=text))
        for g in plan.safeguarding:
            lines.append("  * " + _("Safeguarding: {text}").format(text=g.text))
        if s == "closed" and book.closure_reasons:
            lines.append("  " + _("Closure reasons, and what closing for each takes:"))
            for rule in book.closure_reasons.values():
                sources = _("source: {sources}").format(sources=", ".join(rule.sources))
                lines += [
                    f"  - {rule.reason}: {closure_words(rule)}",
                    f"      {rule.text}",
                    "      " + sources + (f"; {rule.note}" if rule.note else ""),
                ]
        if s == "closed":
            lines += _closing_lines(book)
        lines.append("")
    return "\n".join(lines) + "\n"


def _closing_lines(book: Playbook) -> list[str]:
    """The playbook's closing rules (``closing``), for the closed stage's text."""
    from clr.model.closing import rules_in_words

    found = rules_in_words(book)
    if not found:
        return []
    lines = ["  Closing rules (clr advance --to closed checks them):"]
    for name, text, sources, note in found:
        lines += [
            f"  - {name}: {text}",
            f"      source: {', '.join(sources)}" + (f"; {note}" if note else ""),
        ]
    return lines


def _markdown(book: Playbook, stages: list[str], role: str | None) -> str:
    m = safe.markdown  # a repository's playbook is text anyone can write
    lines = [
        f"# {m(book.title)}",
        "",
        _("Playbook `{name}`, version {version}.").format(name=book.name, version=book.version),
        "",
    ]
    for s in stages:
        plan = book.stages[s]
        lines += [f"## {s}", "", m(plan.purpose), ""]
        for a in plan.actions:
            if not a.for_role(role):
                continue
            flags = " **(" + _("required") + ")**" if a.required else ""
            flags += " ☐ " + _("checklist") if a.gate else ""
            when = due_words(a.due)
            lines.append(
                f"- `{a.id}` — {m(a.text)}{flags}  \n  "
                + _("Who: {roles}").format(roles=", ".join(a.roles))
                + (". " + _("When: {when}").format(when=when) if when else "")
                + ". "
                + _("Source: {sources}.").format(sources=", ".join(a.sources))
            )
        for w in plan.warnings:
            lines.append(f"- ⚠ {m(w.text)}")
        for g in plan.safeguarding:
            lines.append(f"- 🛡 {m(g.text)}")
        if s == "closed" and book.closure_reasons:
            lines += ["", "### " + _("Closure reasons"), ""]
            for rule in book.closure_reasons.values():
                lines.append(
                    f"- `{rule.reason}` — {m(rule.text)}  \n  "
                    + _("Takes: {what}.").format(what=closure_words(rule))
                    + " "
                    + _("Source: {sources}.").format(sources=", ".join(rule.sources))
                )
        if s == "closed":
            from clr.model.closing import rules_in_words

            found = rules_in_words(book)
            if found:
                lines += ["", "### " + _("Closing rules"), ""]
            for name, text, sources, _note in found:
                lines.append(
                    f"- `{name}` — {m(text)}  \n  "
                    + _("Source: {sources}.").format(sources=m(", ".join(sources)))
                )
        lines.append("")
    lines += ["## " + _("Sources"), ""]
    for key, src in book.sources.items():
        url = f" {safe.link(src['url'], src['url'])}" if src.get("url") else ""
        lines.append(f"- **{m(key)}**: {m(src.get('title', ''))}{url}")
    return "\n".join(lines) + "\n"


@playbook_app.command("checklist")
def checklist_command(
    stage: Annotated[str, typer.Argument(help="The stage whose checklist to show.")],
    name: NameOpt = None,
    output_format: FormatOpt = "text",
) -> None:
    """Show the checklist items that must be done before a case leaves a stage.

    Example: clr playbook checklist protected
    """
    book = _load(name)
    _stages(book, stage)
    gates = book.stages[stage].gates
    if format_name("playbook", output_format) == "json":
        typer.echo(
            render(
                "playbook",
                "json",
                {
                    "version": 1,
                    "playbook": book.name,
                    "stage": stage,
                    "items": [_item_dict(a) for a in gates],
                },
            ),
            nl=False,
        )
    elif format_name("playbook", output_format) == "markdown":
        typer.echo(_("## Checklist: {stage}").format(stage=stage) + "\n")
        for a in gates:
            typer.echo(f"- [ ] `{safe.terminal(a.id)}` — {safe.markdown(a.text)}")
    else:
        console = stdout_console()
        console.print(
            _("Checklist to leave {stage} ({playbook}):").format(stage=stage, playbook=book.name),
            markup=False,
        )
        for a in gates:
            tracks = (
                ""
                if set(a.tracks) == set(TRACKS)
                else " " + _("[{tracks} only]").format(tracks="/".join(a.tracks))
            )
            shown = safe.terminal(f"{a.id}{tracks}: {a.text}")
            console.print(f"  [ ] {shown}", markup=False)


def register(app: typer.Typer) -> None:
    """Add the command group to the app."""
    app.add_typer(playbook_app, name="playbook")
