"""Asking for the facts a stage needs, question by question (clr advance in a terminal).

The questions follow the form model (``clr.model.forms``): a choice with descriptions for
a fixed set of values, boxes to tick for a list of them, one question after another for
the entries of a list, dates that default to ``--as-of``, and clr's proposals pre-filled.
After each answer the form is worked out again, so a question that depends on an answer
(the verified age once the result is "verified") comes right after it.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import typer

from clr.i18n import _, ngettext
from clr.model.forms import Field


def _tick(help_text: str) -> str:
    """The instruction of a list of boxes to tick."""
    return _("(space to tick, enter when done; {help})").format(help=help_text)


_PARTIAL = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")


def wrapped(text: str) -> str:
    """A question's text broken at spaces to fit the terminal (after questionary's '? ')."""
    import shutil
    import textwrap

    width = max(shutil.get_terminal_size().columns - 4, 30)
    return textwrap.fill(text, width=width, subsequent_indent="  ", break_on_hyphens=False)


def _title(f: Field, prefix: str = "") -> str:
    group = " › ".join(p.replace("_", " ") for p in f.path[:-1] if p != "-")
    where = f"{group} › " if group else ""
    return wrapped(prefix + where + _("{label}:").format(label=_(f.label)))


def _check_scalar(f: Field, text: str) -> bool | str:
    text = text.strip()
    if not text:
        return _("required")
    if f.kind == "date":
        try:
            dt.date.fromisoformat(text)
        except ValueError:
            return _("write a date as YYYY-MM-DD")
        return True
    if f.kind == "partial_date":
        return True if _PARTIAL.match(text) else _("write YYYY, YYYY-MM or YYYY-MM-DD")
    if f.kind in ("integer", "number"):
        try:
            value = int(text) if f.kind == "integer" else float(text)
        except ValueError:
            return _("a whole number") if f.kind == "integer" else _("a number")
        if f.minimum is not None and value < f.minimum:
            return _("at least {number}").format(number=f"{f.minimum:g}")
        if f.maximum is not None and value > f.maximum:
            return _("at most {number}").format(number=f"{f.maximum:g}")
        return True
    if f.pattern and not re.match(f.pattern, text):
        return _help(f) or _("not in the expected form")
    return True


def _help(f: Field) -> str:
    """The field's help in the language clr speaks (a schema's description)."""
    words = f.help_words
    return words.local() if words is not None else ""


def _convert(f: Field, text: str) -> Any:
    text = text.strip()
    if f.kind == "integer":
        return int(text)
    if f.kind == "number":
        value = float(text)
        return int(value) if value.is_integer() else value
    return text


def ask_field(f: Field, prefix: str = "") -> Any:
    """Ask one field; return its value (raises KeyboardInterrupt on Ctrl-C)."""
    import questionary

    title = _title(f, prefix)
    instruction = _help(f) if f.help and f.kind not in ("enum",) else None
    if f.kind == "date" and (not f.help or f.help.startswith("A calendar date")):
        instruction = "YYYY-MM-DD"
    if f.why_proposed:
        typer.echo(
            "  " + _("clr proposes {value}: {why}").format(value=f.proposal, why=f.why_proposed),
            err=True,
        )
    if f.kind == "enum":
        choices = [
            questionary.Choice(c.value, value=c.value, description=c.help or None)
            for c in f.choices
        ]
        default = f.proposal if f.proposal in [c.value for c in f.choices] else None
        if len(choices) > 20:
            return (
                questionary.autocomplete(
                    title,
                    choices=[c.value for c in f.choices],
                    default=str(default or ""),
                    validate=lambda v: (
                        v in [c.value for c in f.choices] or _("not an allowed value")
                    ),
                )
                .unsafe_ask()
                .strip()
            )
        return questionary.select(title, choices=choices, default=default).unsafe_ask()
    if f.kind == "boolean":
        default = f.proposal if isinstance(f.proposal, bool) else True
        if f.help:
            typer.echo(f"  {_help(f)}", err=True)
        return bool(questionary.confirm(title, default=default).unsafe_ask())
    if f.kind == "list" and f.item is not None and f.item.kind == "enum":
        options = [
            questionary.Choice(c.value, value=c.value, description=c.help or None)
            for c in f.item.choices
        ]
        least = max(f.min_items, 1)
        return list(
            questionary.checkbox(
                title,
                choices=options,
                instruction=_tick(_help(f)),
                validate=lambda v: (
                    len(v) >= least
                    or ngettext("tick at least {n}", "tick at least {n}", least).format(n=least)
                ),
            ).unsafe_ask()
        )
    if f.kind == "list" and f.fields:
        return _ask_entries(f)
    if f.kind == "list":
        answer = questionary.text(
            title,
            instruction=_("(separate entries by commas)"),
            validate=lambda v: bool(v.strip()) or _("required"),
        ).unsafe_ask()
        return [part.strip() for part in answer.split(",") if part.strip()]
    if f.kind == "shares":
        return _ask_shares(f)
    default = "" if f.proposal is None else str(f.proposal)
    answer = questionary.text(
        title,
        default=default,
        instruction=f"({instruction})" if instruction else None,
        validate=lambda v: _check_scalar(f, v),
    ).unsafe_ask()
    return _convert(f, answer)


def _ask_entries(f: Field) -> list[dict[str, Any]]:
    import questionary

    entries: list[dict[str, Any]] = []
    proposed = list(f.proposal) if isinstance(f.proposal, list) else []
    typer.echo(f"{_(f.label)}: {_help(f)}", err=True)
    while True:
        base = proposed.pop(0) if proposed else {}
        entry: dict[str, Any] = {}
        n = len(entries) + 1
        for sub in f.fields:
            if not sub.required:
                continue
            if sub.dotted in base and sub.kind == "enum" and f.must_include:
                entry[sub.dotted] = base[sub.dotted]  # what the stage needs: not asked
                typer.echo(f"  {_(f.label)} {n} › {_(sub.label)}: {base[sub.dotted]}", err=True)
                continue
            if sub.dotted in base:
                sub = Field(**{**sub.__dict__, "proposal": base[sub.dotted], "proposal_why": ""})
            entry[sub.dotted] = ask_field(sub, prefix=f"{_(f.label)} {n} › ")
        entries.append(entry)
        if proposed:
            continue
        if (
            len(entries) >= max(f.min_items, 1)
            and not questionary.confirm(
                _("Add another entry to {field}?").format(field=_(f.label).lower()),
                default=False,
            ).unsafe_ask()
        ):
            return entries


def _ask_shares(f: Field) -> dict[str, float]:
    import questionary

    while True:
        parties = questionary.checkbox(
            _title(f),
            choices=[c.value for c in f.choices],
            instruction=_tick(_help(f)),
            validate=lambda v: bool(v) or _("tick at least one"),
        ).unsafe_ask()
        shares: dict[str, float] = {}
        for party in parties:
            left = 100 - sum(shares.values())
            if party == parties[-1]:
                shares[party] = left
                typer.echo(f"  {party}: {left:g}%", err=True)
                continue
            answer = questionary.text(
                _("{party}: percent").format(party=party),
                validate=lambda v, most=left: _check_scalar(
                    Field(f.path, "", "", "number", minimum=0, maximum=most), v
                ),
            ).unsafe_ask()
            shares[party] = float(answer)
        if abs(sum(shares.values()) - 100) < 1e-9:
            return {k: int(v) if float(v).is_integer() else v for k, v in shares.items()}
        typer.echo(_("the shares must add up to 100; again:"), err=True)
