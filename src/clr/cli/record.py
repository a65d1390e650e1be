"""What clr advance does when the stage needs facts the case lacks: ask, or say what to add."""

from __future__ import annotations

from typing import Any

import typer

from clr.cli._common import paint


def interactive(no_input: bool) -> bool:
    """True if clr may ask: stdin and stdout are terminals and asking was not turned off."""
    import os
    import sys

    return (
        not no_input
        and sys.stdin.isatty()
        and sys.stdout.isatty()
        and not os.environ.get("PRE_COMMIT")
    )


def record_missing(session: Any, blocked: Any, to: str | None, who: str, no_input: bool) -> bool:
    """Ask for what the move lacks and record the answers (unwritten); False if no form helps.

    Without a terminal (or with ``no_input``) nothing is asked: the missing facts are
    printed as one YAML snippet (stdout) and a ``clr set`` line (stderr), and clr exits 1.
    """
    from clr.cases import editing
    from clr.model.forms import render_set_command, render_snippet

    goal = editing.target_of(session, to)
    if goal is None:
        return False
    form, missing = editing.pending(session, goal)
    if not missing and not form.ticks:
        return False
    others = [b for b in blocked.blockers if b.kind not in ("field", "checklist")]
    case_id = str(session.data.get("id"))
    if not interactive(no_input):
        now = [f for f in missing if not f.when]
        typer.echo(
            f"{case_id} cannot move from {form.source} to {goal} yet: "
            f"{len(now)} fact{'s' if len(now) != 1 else ''} missing"
            + (f", {len(form.ticks)} checklist item(s) to tick" if form.ticks else "")
            + ".",
            err=True,
        )
        if missing:
            typer.echo(
                f"Add this to {session.shown} (keys already in the file: put the lines "
                "under them), fill in the blanks, and run clr advance again:",
                err=True,
            )
            typer.echo(render_snippet(missing), nl=False)
            typer.echo("or supply it with:", err=True)
            typer.echo("  " + render_set_command(case_id, missing), err=True)
        for t in form.ticks:
            typer.echo(f"checklist: {t.text}", err=True)
            typer.echo(f"  when done: clr tick {case_id} {t.id} --by NAME", err=True)
        for b in others:
            typer.echo(f"also: {b.message}" + (f" ({b.hint})" if b.hint else ""), err=True)
        raise typer.Exit(1)
    _ask(session, goal, who)
    return True


def _ask(session: Any, goal: str, who: str) -> None:
    """Ask until the form of ``goal`` has nothing left to ask; record each answer."""
    import questionary

    from clr.cases import editing
    from clr.cli.ask import ask_field

    typer.echo(
        paint(f"To move {session.data.get('id')} to {goal}, clr needs these facts:", "bold"),
        err=True,
    )
    asked: set[tuple[str, ...]] = set()
    ticked: set[str] = set()
    while True:
        form, missing = editing.pending(session, goal)
        todo = [f for f in missing if not f.when and f.path not in asked]
        if todo:
            f = todo[0]
            asked.add(f.path)
            editing.apply_answers(session, [(f, ask_field(f))])
            continue
        ticks = [t for t in form.ticks if t.id not in ticked]
        if not ticks:
            return
        t = ticks[0]
        ticked.add(t.id)
        if questionary.confirm(f"Checklist: {t.text} Done?", default=True).unsafe_ask():
            editing.tick(session, t.id, by=who)
