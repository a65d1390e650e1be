"""What clr advance does when the stage needs facts the case lacks: ask, or say what to add."""

from __future__ import annotations

from typing import Any

import typer

from clr.cli._common import paint
from clr.i18n import _


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
    printed as one YAML snippet (stdout), the error names them and the ``clr set`` line
    that would supply them, and the caller re-raises it (exit 1).
    """
    from clr.cases import editing
    from clr.model.forms import render_set_command, render_snippet

    goal = editing.target_of(session, to)
    if goal is None:
        return False
    form, missing = editing.pending(session, goal)
    if not missing and not form.ticks:
        return False
    if any(b.kind == "move" for b in blocked.blockers):
        return False
    if not interactive(no_input):
        if not missing:
            return False
        typer.echo(render_snippet(missing), nl=False)
        command = render_set_command(str(session.data.get("id")), missing)
        case_id = str(session.data.get("id"))
        blocked.hint = _(
            "nothing was changed. The YAML above holds every missing fact: save it "
            "(clr advance {case} --no-input > facts.yaml), fill in the blanks and run "
            "clr set {case} --from facts.yaml (or add it to {file}), then clr "
            "advance again; or supply them with: {command}"
        ).format(case=case_id, file=session.shown, command=command)
        return False
    # What no answer can supply (the stage a reason closes from, follow-up visits): say
    # so at once rather than ask questions first.
    if any(
        b.kind == "rule" and "needs a note" not in b.message and "filled in" not in b.message
        for b in blocked.blockers
    ):
        return False
    _ask(session, goal, who)
    return True


def _ask(session: Any, goal: str, who: str) -> None:
    """Ask until the form of ``goal`` has nothing left to ask; record each answer."""
    import questionary

    from clr.cases import editing
    from clr.cli.ask import ask_field, wrapped

    typer.echo(
        paint(
            _("To move {case} to {stage}, clr needs these facts:").format(
                case=session.data.get("id"), stage=goal
            ),
            "bold",
        ),
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
        question = wrapped(_("Checklist: {text} Done?").format(text=t.text))
        if questionary.confirm(question, default=True).unsafe_ask():
            editing.tick(session, t.id, by=who)
