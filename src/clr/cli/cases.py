"""clr init, new-case, show, reopen: making repositories and cases."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from clr.cli._common import (
    AsOf,
    check_date,
    format_choices,
    format_name,
    format_option,
    parse_as_of,
    stdout_console,
    text_width,
)
from clr.i18n import N_, _, ngettext, numbers
from clr.render import render, safe

if TYPE_CHECKING:
    from clr.cases.newcase import CarriedIdentity
    from clr.repo.repository import Repository

    CaseFormat = str
else:
    CaseFormat = format_choices("case")

NoInput = Annotated[
    bool,
    typer.Option(
        "--no-input",
        envvar="CLR_NO_INPUT",
        help="Never prompt: fail at once, naming the flags for missing values.",
    ),
]


def interactive(no_input: bool) -> bool:
    """True if clr may prompt: stdin is a terminal and prompts were not turned off."""
    return not no_input and sys.stdin.isatty() and not os.environ.get("PRE_COMMIT")


def init_command(
    directory: Annotated[Path, typer.Argument(help="Where to make the repository.")] = Path(),
    organisation: Annotated[
        str | None, typer.Option("--organisation", "--org", help="Your organisation's name.")
    ] = None,
    prefix: Annotated[
        str | None,
        typer.Option(
            "--prefix", help="Case id prefix: 2-12 upper-case letters or digits, e.g. CLR."
        ),
    ] = None,
    timezone: Annotated[
        str, typer.Option("--timezone", help="IANA time zone for deadlines.")
    ] = "UTC",
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing files.")] = False,
    no_git: Annotated[bool, typer.Option("--no-git", help="Do not run git init.")] = False,
    clr_source: Annotated[
        str | None,
        typer.Option(
            "--clr-source",
            metavar="URL",
            help="Git URL of clr's source, for the CI workflow and pre-commit to install "
            "clr from [default: where pip installed this clr from, if from git; else clr's "
            "own repository].",
        ),
    ] = None,
    clr_ref: Annotated[
        str | None,
        typer.Option(
            "--clr-ref",
            metavar="TAG",
            help="Tag or commit of clr to pin them to [default: the commit pip installed this "
            "clr from, if from git; else this clr's release tag].",
        ),
    ] = None,
    no_input: NoInput = False,
) -> None:
    """Make a case repository: clr.yaml, cases/, .gitignore, pre-commit and CI files.

    Runs git init where there is no repository yet; refuses to overwrite files unless --force.

    Example: clr init cases-2026 --org "Example Remediation Partners" --prefix EXR
    """
    import re

    from clr.errors import ClrError, MissingInput
    from clr.model.dates import timezone_problem
    from clr.repo.scaffold import (
        CLR_SOURCE,
        InitOptions,
        default_clr_ref,
        init_repository,
        installed_origin,
        source_problem,
    )

    ask = interactive(no_input)
    if organisation is None and ask:
        organisation = _ask_text(_("Organisation name:"), required=True)
    if prefix is None and ask:
        prefix = _ask_text(
            _("Case id prefix (e.g. CLR):"),
            default="CLR",
            check=lambda v: (
                bool(re.fullmatch(r"[A-Z][A-Z0-9]{1,11}", v))
                or _("2-12 upper-case letters or digits, starting with a letter")
            ),
        )
    missing = [
        flag
        for flag, value in (("--organisation", organisation), ("--prefix", prefix))
        if not value
    ]
    if missing:
        raise MissingInput(
            _("missing {flags}").format(flags=_(" and ").join(missing)),
            hint=_("give them as flags, or run in a terminal to be asked"),
        )
    assert organisation is not None and prefix is not None
    if not re.fullmatch(r"[A-Z][A-Z0-9]{1,11}", prefix):
        raise ClrError(
            _("prefix {prefix} is not 2-12 upper-case letters or digits").format(
                prefix=repr(prefix)
            ),
            hint=_("e.g. {example}").format(example="--prefix CLR"),
        )
    zone = timezone_problem(timezone)
    if zone is not None:
        raise ClrError(
            _("--timezone: {problem}; nothing was written").format(problem=zone[0].local()),
            hint=zone[1].local(),
        )
    if clr_source is None and clr_ref is None:
        origin = installed_origin()
        if origin is None:
            typer.echo(
                _(
                    "note: CI and pre-commit will install clr from {source} at {ref}; where "
                    "your organisation keeps its own copy, change the pip line in "
                    ".github/workflows/clr.yml and repo/rev in .pre-commit-config.yaml (or "
                    "give --clr-source and --clr-ref)"
                ).format(source=CLR_SOURCE, ref=default_clr_ref()),
                err=True,
            )
        else:
            clr_source, clr_ref = origin
    clr_source = clr_source or CLR_SOURCE
    clr_ref = clr_ref or default_clr_ref()
    pin = source_problem(clr_source, clr_ref)
    if pin is not None:
        # Command-line misuse: exit 2, as click does for a bad option value.
        raise typer.BadParameter(
            _("{problem}; nothing was written (e.g. {example})").format(
                problem=pin.local(),
                example="--clr-source https://git.example.org/tools/clr.git --clr-ref v0.1.0",
            )
        )
    directory.mkdir(parents=True, exist_ok=True)
    written, started_git = init_repository(
        directory,
        InitOptions(
            organisation=organisation,
            id_prefix=prefix,
            timezone=timezone,
            force=force,
            git=not no_git,
            clr_source=clr_source,
            clr_ref=clr_ref,
        ),
    )
    for path in written:
        typer.echo(_("created {file}").format(file=path))
    if started_git:
        typer.echo(_("initialised a git repository in {folder}").format(folder=directory))
    move = f"  cd {directory}\n" if directory.resolve() != Path.cwd().resolve() else ""
    typer.echo(
        "\n"
        + _("Next:")
        + "\n"
        + move
        + "  clr new-case            # "
        + _("open the first case")
        + "\n  pre-commit install      # "
        + _("check cases before each commit (optional)")
        + "\n  git add -A && git commit -m 'Case repository'"
    )


def _ask_text(message: str, *, default: str = "", required: bool = False, check: Any = None) -> str:
    import questionary

    def validate(value: str) -> bool | str:
        if required and not value.strip():
            return "required"
        if value and check is not None:
            result = check(value)
            return result if result is not True else True
        return True

    answer = questionary.text(message, default=default, validate=validate).unsafe_ask()
    return str(answer).strip()


def new_case_command(
    site: Annotated[str | None, typer.Option("--site", help="Site name or code.")] = None,
    supplier: Annotated[str | None, typer.Option("--supplier", help="Supplier id.")] = None,
    country: Annotated[
        str | None,
        typer.Option("--country", help="Country: ISO code (BD, bd) or English name (Bangladesh)."),
    ] = None,
    sector: Annotated[str | None, typer.Option("--sector", help="e.g. garments, cocoa.")] = None,
    buyer: Annotated[str | None, typer.Option("--buyer", help="The buyer (brand).")] = None,
    discovered: Annotated[
        str | None,
        typer.Option(
            "--discovered",
            metavar="DATE",
            callback=check_date,
            help="Day the child was found working (default: today).",
        ),
    ] = None,
    channel: Annotated[
        str | None,
        typer.Option("--channel", help="audit, hotline, clmrs_visit, grievance_mechanism, …"),
    ] = None,
    work: Annotated[str | None, typer.Option("--work", help="What the child was doing.")] = None,
    hazard: Annotated[
        list[str] | None, typer.Option("--hazard", help="A hazard seen (repeat for several).")
    ] = None,
    hours: Annotated[
        float | None, typer.Option("--hours", help="Hours worked per week.", min=0, max=168)
    ] = None,
    night_work: Annotated[bool | None, typer.Option("--night-work/--no-night-work")] = None,
    pseudonym: Annotated[
        str | None,
        typer.Option(
            "--pseudonym", help="A label that does not identify the child, e.g. 'Child A'."
        ),
    ] = None,
    sex: Annotated[
        str | None, typer.Option("--sex", help="female, male, other, undisclosed")
    ] = None,
    age: Annotated[
        int | None, typer.Option("--age", help="Estimated age in years.", min=0, max=25)
    ] = None,
    birth_date: Annotated[
        str | None,
        typer.Option(
            "--birth-date",
            metavar="DATE",
            help="YYYY, YYYY-MM or YYYY-MM-DD, as far as known.",
        ),
    ] = None,
    age_basis: Annotated[
        str | None,
        typer.Option("--age-basis", help="What the age rests on: school_record, appearance, …"),
    ] = None,
    track: Annotated[
        str | None, typer.Option("--track", help="underage (default) or young-worker.")
    ] = None,
    confirmed: Annotated[
        bool,
        typer.Option("--confirmed", help="The child is confirmed working: start at 'identified'."),
    ] = False,
    name: Annotated[
        str | None,
        typer.Option("--name", help="The child's real name: goes only to the identity file."),
    ] = None,
    guardian_name: Annotated[
        str | None,
        typer.Option(
            "--guardian-name", help="The parent's or guardian's name: identity file only."
        ),
    ] = None,
    guardian_contact: Annotated[
        str | None,
        typer.Option(
            "--guardian-contact", help="The guardian's phone or other contact: identity file only."
        ),
    ] = None,
    child_contact: Annotated[
        str | None,
        typer.Option(
            "--child-contact", help="The child's own phone or contact: identity file only."
        ),
    ] = None,
    contact: Annotated[
        str | None,
        typer.Option("--contact", help="Deprecated: the same as --guardian-contact.", hidden=True),
    ] = None,
    address: Annotated[
        str | None, typer.Option("--address", help="Where the family lives: identity file only.")
    ] = None,
    by: Annotated[str | None, typer.Option("--by", help="Who opens the case.")] = None,
    playbook: Annotated[str | None, typer.Option("--playbook", help="Playbook name.")] = None,
    as_of: AsOf = None,
    no_input: NoInput = False,
) -> None:
    """Open a new case, by prompts in a terminal or entirely by flags.

    With --no-input (or no terminal) nothing is asked: missing values fail at once, naming
    the flags; the same fields are optional in both ways. Names, contacts and addresses go
    only into the case's identity file, encrypted to the recipients in clr.yaml (refused if
    there are none: see clr keygen). --contact is an old name for --guardian-contact.

    Example: clr new-case --no-input --site "Sunrise Garments" --country BD --channel audit
    --pseudonym "Child A" --sex female --age 13 --by "R. Ahmed"
    """
    from clr.cases import caseops, newcase
    from clr.cases.newcase import NewCase, create_case
    from clr.errors import ClrError
    from clr.model import workflow
    from clr.repo import repository as repo

    today = parse_as_of(as_of)
    repository = repo.open_repository()
    enums = newcase.case_enums()
    values: dict[str, Any] = {
        "site": site,
        "supplier": supplier,
        "country": country,
        "sector": sector,
        "buyer": buyer,
        "discovered": discovered,
        "channel": channel,
        "work": work,
        "hazard": hazard,
        "hours": hours,
        "pseudonym": pseudonym,
        "sex": sex,
        "age": age,
        "birth_date": birth_date,
        "age_basis": age_basis,
        "track": track,
        "by": by or os.environ.get("CLR_USER"),
        "night_work": night_work,
    }
    if contact is not None:
        typer.echo(
            _(
                "warning: --contact is deprecated: it is the guardian's contact, "
                "now --guardian-contact (--child-contact for the child's own)"
            ),
            err=True,
        )
        if guardian_contact is not None and guardian_contact != contact:
            raise typer.BadParameter(
                _("give the guardian's contact once: --guardian-contact"), param_hint="--contact"
            )
        guardian_contact = contact
    private: dict[str, Any] = {
        "name": name,
        "guardian_name": guardian_name,
        "guardian_contact": guardian_contact,
        "contact": child_contact,
        "address": address,
    }
    if interactive(no_input):
        _prompt_missing(values, enums, today, confirmed)
        _prompt_identity(private, bool(repository.config.recipients))
    newcase.check_values(values, enums, today, confirmed)
    new = NewCase(
        site={
            "name": values["site"],
            "supplier_id": values["supplier"],
            "country": values["country"],
            "sector": values["sector"],
            "buyer": values["buyer"],
        },
        child={
            "pseudonym": values["pseudonym"],
            "sex": values["sex"],
            "birth_date": values["birth_date"],
            "estimated_age": values["age"],
            "age_basis": values["age_basis"],
        },
        discovery={
            "date": values["discovered"] or today.isoformat(),
            "channel": values["channel"],
            "work": values["work"],
            "hazards": list(values["hazard"] or []),
            "hours_per_week": _number(values["hours"]),
            "night_work": values["night_work"],
        },
        track=values["track"] or "underage",
        confirmed=confirmed,
        by=values["by"],
        playbook=playbook,
        identity={k: v for k, v in private.items() if v},
    )
    case_id, path = create_case(repository, new, today=today)
    typer.echo(case_id)
    typer.echo(_("created {file}").format(file=repo.display_path(path)), err=True)
    if new.identity:
        count = len(repository.config.recipients)
        typer.echo(
            ngettext(
                "identity details encrypted to {count} recipient in {file}",
                "identity details encrypted to {count} recipients in {file}",
                count,
            ).format(count=count, file=repo.display_path(path.parent / "identity.yaml.age")),
            err=True,
        )
        _new_fingerprints(repository, path, new.identity)
    session = caseops.open_case(case_id, today=today)
    try:
        todo = workflow.open_actions(session.data, session.playbook(), session.ctx.calendar)
    except ClrError:
        return
    typer.echo(_("First things to do:"), err=True)
    for state in todo[:6]:
        due = _("due {date}").format(date=state.due) if state.due else _("no deadline")
        shown = safe.terminal(
            _("{action} ({due}): {text}").format(
                action=state.action.id, due=due, text=state.action.text
            )
        )
        typer.echo(f"  - {shown}", err=True)


def _number(value: float | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def _prompt_missing(
    values: dict[str, Any], enums: dict[str, list[str]], today: dt.date, confirmed: bool
) -> None:
    import questionary

    from clr.cases import newcase
    from clr.model import countries
    from clr.model.dates import partial_bounds

    def is_date(v: str) -> bool | str:
        try:
            day = dt.date.fromisoformat(v)
        except ValueError:
            return _("write a date as YYYY-MM-DD")
        return True if day <= today else _("that date is in the future")

    def is_country(v: str) -> bool | str:
        return countries.find(v) is not None or countries.did_you_mean(v).local()

    def is_number(v: str) -> bool | str:
        try:
            return not v.strip() or 0 <= float(v) <= 168 or _("between 0 and 168")
        except ValueError:
            return _("a number of hours, e.g. 48 (or nothing)")

    def is_partial(v: str) -> bool | str:
        if not v.strip() or partial_bounds(v.strip()) is not None:
            return True
        return _("write YYYY, YYYY-MM or YYYY-MM-DD (or nothing)")

    def is_yes_no(v: str) -> bool | str:
        return v.strip().lower() in ("", "y", "yes", "n", "no") or _("y or n (or nothing)")

    def ask(key: str, question: Any) -> None:
        if values[key] in (None, ""):
            answer = question.unsafe_ask()
            values[key] = answer.strip() if isinstance(answer, str) else answer
            if values[key] == "":
                values[key] = None

    needed = set(newcase.needed_fields(confirmed))

    def text(key: str, label: str, optional: str = "") -> Any:
        """A text question: required when the case needs it, else marked optional."""
        if key in needed:
            return questionary.text(
                _("{label}:").format(label=_(label)),
                validate=lambda v: bool(v.strip()) or _("required"),
            )
        return questionary.text(
            _(optional) if optional else _("{label} (optional):").format(label=_(label))
        )

    ask("site", text("site", N_("Site (factory, farm or cooperative)")))
    ask("supplier", text("supplier", N_("Supplier id")))
    ask(
        "country",
        questionary.autocomplete(
            _("Country (name or ISO code, e.g. Bangladesh or BD):"),
            choices=[c.label for c in countries.countries().values()],
            validate=is_country,
        ),
    )
    if values["country"]:
        found = countries.find(values["country"])
        values["country"] = found.code if found else values["country"]
    ask(
        "sector",
        text(
            "sector",
            N_("Sector (e.g. garments, cocoa)"),
            N_("Sector (e.g. garments, cocoa; optional):"),
        ),
    )
    ask("buyer", questionary.text(_("Buyer (optional):")))
    ask(
        "discovered",
        questionary.text(
            _("Day the child was found working (YYYY-MM-DD):"),
            default=today.isoformat(),
            validate=is_date,
        ),
    )
    ask(
        "channel",
        questionary.select(_("How did the case come to light?"), choices=enums["channel"]),
    )
    ask(
        "work",
        text("work", N_("What was the child doing?"), N_("What was the child doing? (optional):")),
    )
    if values["hazard"] is None:
        hazards = questionary.text(_("Hazards seen, separated by commas (optional):")).unsafe_ask()
        values["hazard"] = [h.strip() for h in (hazards or "").split(",") if h.strip()]
    if values["hours"] is None:
        hours = questionary.text(_("Hours worked per week (optional):"), validate=is_number)
        answer = hours.unsafe_ask().strip()
        values["hours"] = float(answer) if answer else None
    if values["night_work"] is None:
        night = questionary.text(_("Night work? y/n (optional):"), validate=is_yes_no)
        answer = night.unsafe_ask().strip().lower()
        values["night_work"] = answer.startswith("y") if answer else None
    ask(
        "pseudonym",
        questionary.text(
            _("Pseudonym (never the real name), e.g. Child A:"),
            validate=lambda v: bool(v.strip()) or _("required"),
        ),
    )
    ask("sex", questionary.select(_("Sex:"), choices=enums["sex"]))
    if values["age"] is None and values["birth_date"] is None:
        ask(
            "birth_date",
            questionary.text(
                _("Birth date, as far as known (YYYY-MM-DD, optional):"), validate=is_partial
            ),
        )
    if values["age"] is None:
        age_needed = confirmed and not values["birth_date"]
        estimate = questionary.text(
            _("Estimated age in years:") if age_needed else _("Estimated age in years (optional):"),
            validate=lambda v: (
                (v.isdigit() and int(v) <= 25)
                or (not v and not age_needed)
                or (_("a whole number") if v or not age_needed else _("required (or a birth date)"))
            ),
        ).unsafe_ask()
        values["age"] = int(estimate) if estimate else None
    ask(
        "age_basis", questionary.select(_("What does the age rest on?"), choices=enums["age_basis"])
    )
    ask("track", questionary.select(_("Track:"), choices=enums["track"]))
    ask(
        "by",
        questionary.text(
            _("Your name (for the history):"), validate=lambda v: bool(v.strip()) or _("required")
        ),
    )


def _prompt_identity(private: dict[str, Any], can_encrypt: bool) -> None:
    """Ask for the identity details, which go only to the encrypted identity file."""
    import questionary

    if not can_encrypt:
        if not any(private.values()):
            typer.echo(
                _(
                    "Identity details (names, contacts, address) are not asked: clr.yaml lists "
                    "no recipients to encrypt them to (see clr keygen)."
                ),
                err=True,
            )
        return
    typer.echo(
        _("Identity details: encrypted, never in case.yaml (Enter skips a question)."), err=True
    )
    for key, label in (
        ("name", N_("Child's full name")),
        ("guardian_name", N_("Guardian's name")),
        ("guardian_contact", N_("Guardian's phone or other contact")),
        ("address", N_("Address of the family")),
    ):
        if not private.get(key):
            question = _("{label} (encrypted, optional):").format(label=_(label))
            answer = questionary.text(question).unsafe_ask()
            private[key] = answer.strip() or None


def show_command(
    case: Annotated[str, typer.Argument(help="A case id, folder or file.")],
    as_of: AsOf = None,
    output_format: Annotated[CaseFormat, format_option("case")] = "text",
) -> None:
    """Show one case at a glance: where it stands, its timeline, plan, money and visits.

    Example: clr show EXR-2026-7KQ3M
    """
    from clr.cases import caseops
    from clr.model.case import Case
    from clr.views.glance import glance

    today = parse_as_of(as_of, case)
    seen = glance(caseops.open_case(case, today=today), today)
    chosen = format_name("case", output_format)
    if chosen != "text":
        typer.echo(render("case", chosen, seen.document()), nl=False)
        return
    data, view, todo, overdue = seen.data, seen.case, seen.todo, seen.overdue
    payments, totals, visits = seen.payments, seen.totals, seen.visits
    from rich.text import Text

    console = stdout_console()
    data = safe.terminal_data(data)  # what is printed, controls and bidi marks shown
    view = Case(data)
    visits = view.visits
    site = view.site
    child = view.child
    _say(
        console, Text(f"{data.get('id')}  {data.get('stage')}  ({data.get('track')})", style="bold")
    )
    _say(
        console,
        Text(
            _("Site: {name} ({country}), sector {sector}, buyer {buyer}").format(
                name=site.get("name"),
                country=site.get("country"),
                sector=site.get("sector", "-"),
                buyer=site.get("buyer", "-"),
            )
        ),
    )
    _say(
        console,
        Text(
            _("Child: {pseudonym}, {sex}, age {age}").format(
                pseudonym=child.get("pseudonym"),
                sex=child.get("sex"),
                age=child.get("estimated_age", child.get("birth_date", "?")),
            )
        ),
    )
    _say(console, Text(_("Timeline:"), style="bold"))
    for entry in data.get("history") or []:
        if isinstance(entry, dict):
            note = f" — {entry['note']}" if entry.get("note") else ""
            moved = _("{at}  {source} → {target}  by {who}").format(
                at=entry.get("at"),
                source=entry.get("from") or _("new"),
                target=entry.get("to"),
                who=entry.get("by"),
            )
            _say(console, Text(f"  {moved}{note}"))
    _print_links_and_closure(console, data)
    money = ", ".join(numbers.money(v, safe.terminal(k)) for k, v in totals.items()) or _("none")
    _say(console, Text(_("Payments: {count} ({money})").format(count=len(payments), money=money)))
    last = visits[-1] if visits else None
    said = _("Visits: {count}").format(count=len(visits))
    if last:
        state = _("working") if last.get("working") else _("not working")
        said += ", " + _("last {date} ({state})").format(date=last.get("date"), state=state)
    _say(console, Text(said))
    _say(
        console,
        Text(
            _("Open actions: {count}, overdue: {overdue} ({command})").format(
                count=len(todo), overdue=len(overdue), command=f"clr next {data.get('id')}"
            ),
            style="bold red" if overdue else "",
        ),
    )


def _say(console: Any, text: Any) -> None:
    """Print a rich ``text`` wrapped at word ends to the terminal (whole on a pipe).

    A long site, note or closure fact goes on over more lines, indented two columns more
    than its first, rather than being cut by the terminal in the middle of a word.
    """
    from rich.text import Text

    columns = text_width()
    if columns is None:
        console.print(text)
        return
    indent = len(text.plain) - len(text.plain.lstrip(" "))
    body = text[indent:]
    width = max(20, columns - indent - 2)
    for i, line in enumerate(body.wrap(console, width)):
        line.rstrip()
        console.print(Text(" " * (indent + (2 if i else 0))) + line, soft_wrap=True)


_CLOSURE_FACTS: tuple[tuple[str, str], ...] = (
    ("final_status", N_("Where the child is now")),
    ("young_worker_plan", N_("Young-worker plan")),
    ("continued_in", N_("Continued in")),
    ("refused_by", N_("Refused by")),
    ("referred_to", N_("Referred to")),
    ("no_referral_reason", N_("Not referred because")),
    ("commitments_continued_by", N_("Payments continued by")),
    ("recurrence_check", N_("First check after closure")),
)
"""The closure's facts ``clr show`` prints: field and label (a msgid)."""


def _print_links_and_closure(console: Any, data: dict[str, Any]) -> None:
    """``clr show``: the reopening links, and the closure's facts (``data`` made safe)."""
    from rich.text import Text

    def say(text: str, style: str = "") -> None:
        _say(console, Text(text, style=style))

    if data.get("reopens"):
        say(_("Reopens: {case} (the child was found working again)").format(case=data["reopens"]))
    if data.get("reopened_as"):
        say(_("Reopened as: {case}").format(case=data["reopened_as"]), "bold")
    closure = data.get("closure")
    if not isinstance(closure, dict) or data.get("stage") != "closed":
        return
    say(
        _("Closed: {date} as {reason}, approved by {who}").format(
            date=closure.get("date"), reason=closure.get("reason"), who=closure.get("approved_by")
        ),
        "bold",
    )
    for key, label in _CLOSURE_FACTS:
        if closure.get(key):
            say("  " + _("{label}: {value}").format(label=_(label), value=closure[key]))
    referral = closure.get("referral")
    if isinstance(referral, dict):
        say(
            "  "
            + _("Referral: {to} on {date}").format(to=referral.get("to"), date=referral.get("date"))
        )
    checks = data.get("recurrence_checks")
    if isinstance(checks, list) and checks:
        last = checks[-1] if isinstance(checks[-1], dict) else {}
        found = _("working") if last.get("working") else _("not working")
        say(
            "  "
            + _("Checks after closure: {count}, last {date} ({state})").format(
                count=len(checks), date=last.get("date"), state=found
            )
        )


def reopen_command(
    case: Annotated[str, typer.Argument(help="The closed case.")],
    by: Annotated[str | None, typer.Option("--by", help="Who opens the new case.")] = None,
    discovered: Annotated[
        str | None,
        typer.Option(
            "--discovered",
            metavar="DATE",
            callback=check_date,
            help="Day the child was found working again (default: today).",
        ),
    ] = None,
    channel: Annotated[str | None, typer.Option("--channel", help="How it came to light.")] = None,
    work: Annotated[str | None, typer.Option("--work", help="What the child was doing.")] = None,
    identity_file: Annotated[
        Path | None,
        typer.Option(
            "--identity-file",
            "-i",
            metavar="PATH",
            help="Your private key file, to carry the closed case's identity file over "
            "(default: $CLR_IDENTITY_FILE, else the file clr keygen makes).",
            show_default=False,
        ),
    ] = None,
    no_identity: Annotated[
        bool,
        typer.Option(
            "--no-identity",
            help="Do not carry the closed case's identity file over (it stays in that case).",
        ),
    ] = False,
    as_of: AsOf = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", "-n", help="Show the new case and the link; create and change nothing."
        ),
    ] = False,
) -> None:
    """Open a new case for a child found working again, linked to the closed one.

    A closed case is never reopened in place: its history stays as it was, and it is
    reopened once (reopened_as names the new case; a second reopening is refused). The
    verified birth date comes over, and the age and the track are worked out from it on
    the day the child was found again. The child's identity file (and the case's
    recipients.txt) is carried over: decrypted in memory with your key and encrypted
    again for the new case, never written in plaintext. If your key cannot open it,
    nothing is created: give the key with --identity-file, or open the new case without
    it with --no-identity.

    Example: clr reopen EXR-2026-7KQ3M --by "R. Ahmed" --channel hotline
    """
    from clr.cases import caseops
    from clr.cases.newcase import (
        Carried,
        case_data,
        check_reopen,
        create_case,
        render_case,
        reopened_by,
        reopening,
    )
    from clr.errors import ClrError
    from clr.repo import repository as repo

    today = parse_as_of(as_of, case)
    if discovered is not None:
        try:
            dt.date.fromisoformat(discovered)
        except ValueError:
            raise typer.BadParameter(
                _("{value} is not a date; write YYYY-MM-DD").format(value=repr(discovered)),
                param_hint="--discovered",
            ) from None
    session = caseops.open_case(case, today=today)
    old = session.data
    who = by or os.environ.get("CLR_USER")
    repository = session.repo or repo.open_repository()
    check_reopen(old, who, reopened_by(repository, str(old.get("id"))))  # before any key
    carried = (
        None
        if no_identity or dry_run
        else _carried_identity(repository, session.path, identity_file)
    )
    said: list[Carried] = []
    new = reopening(
        old,
        by=who,
        today=today,
        discovered=discovered,
        channel=channel,
        work=work,
        carried=carried,
        minimum_ages=repository.config.minimum_ages,
        buyer_codes=repository.config.buyer_codes,
        said=said,
    )
    if dry_run:
        from clr.model.ids import new_case_id

        draft_id = new_case_id(repository.config.id_prefix, today.year, set())
        typer.echo(safe.terminal(render_case(case_data(draft_id, new, repository, today))))
        session.doc.set(("reopened_as",), draft_id)
        typer.echo(safe.terminal(caseops.commit(session, dry_run=True, what="link"), block=True))
        typer.echo(
            _("would create a case linked to {case} (its id is drawn when it is made)").format(
                case=old.get("id")
            ),
            err=True,
        )
        _say_carried(said, old)
        return
    case_id, path = create_case(repository, new, today=today)
    typer.echo(case_id)
    typer.echo(
        _("created {file}, linked to {case}").format(
            file=repo.display_path(path), case=old.get("id")
        ),
        err=True,
    )
    session.doc.set(("reopened_as",), case_id)
    try:
        caseops.commit(session, what="link to the new case")
        typer.echo(
            _("{case}: reopened_as {new} recorded").format(case=old.get("id"), new=case_id),
            err=True,
        )
    except ClrError as exc:
        typer.echo(
            _(
                "warning: could not record reopened_as: {new} in {case} ({reason}): add it by hand"
            ).format(new=case_id, case=session.shown, reason=exc.text.splitlines()[0]),
            err=True,
        )
    _say_carried(said, old)
    if carried is not None:
        count = len(carried.recipients)
        typer.echo(
            ngettext(
                "carried the identity file of {case} over, encrypted to {count} recipient "
                "in {file}",
                "carried the identity file of {case} over, encrypted to {count} recipients "
                "in {file}",
                count,
            ).format(
                case=old.get("id"),
                count=count,
                file=repo.display_path(path.parent / "identity.yaml.age"),
            ),
            err=True,
        )
        _new_fingerprints(repository, path, carried.identity)


def _new_fingerprints(repository: Repository, case_file: Path, data: dict[str, Any]) -> None:
    """Give a new case its keyed fingerprints, if a key store and your key are at hand."""
    from clr.cases import fingerprints, identity
    from clr.errors import ClrError

    if not data.get("name") or not repository.config.key_store:
        return
    try:
        keys = identity.load_keys(identity.key_path(None))
    except ClrError:
        keys = None
    note = fingerprints.after_identity_change(repository, case_file, data, keys)
    if note:
        typer.echo(note, err=True)


def _say_carried(said: list[Any], old: dict[str, Any]) -> None:
    """Tell what the new case carries over from the closed one (stderr)."""
    if not said:
        return
    carried = said[0]
    old_id = old.get("id")
    parts = ["site, child's pseudonym and sex, playbook"]
    if carried.birth_date:
        how = "verified" if carried.birth_date_verified else "as recorded"
        parts.append(f"birth date {carried.birth_date} ({how})")
    typer.echo(safe.terminal(f"carried over from {old_id}: {'; '.join(parts)}"), err=True)
    if carried.age is not None:
        typer.echo(
            safe.terminal(
                f"age {carried.age} on {carried.on}: track {carried.track} ({carried.track_reason})"
            ),
            err=True,
        )
    else:
        typer.echo(safe.terminal(f"track {carried.track} ({carried.track_reason})"), err=True)
    if carried.channel_carried:
        typer.echo(
            safe.terminal(
                f"channel {carried.channel}, as in {old_id}: give --channel to say how the "
                "child was found this time"
            ),
            err=True,
        )


def _carried_identity(
    repository: Repository, case_file: Path, key_file: Path | None
) -> CarriedIdentity | None:
    """The closed case's identity for clr reopen, or a refusal that says what to do."""
    from clr.cases.newcase import carry_identity
    from clr.errors import ClrError

    try:
        return carry_identity(repository, case_file, key_file)
    except ClrError as exc:
        first, *rest = exc.text.splitlines()
        raise ClrError(
            "\n".join(
                [
                    _(
                        "the identity file of {case} cannot be carried over to the new case; "
                        "nothing was created: {reason}"
                    ).format(case=case_file.parent.name, reason=first),
                    *rest,
                ]
            ),
            hint=(f"{exc.hint_text}; " if exc.hint_text else "")
            + _(
                "or open the new case without it: add --no-identity (the identity file stays "
                "in the closed case)"
            ),
        ) from None


def register(app: typer.Typer) -> None:
    """Add the commands to the app."""
    app.command("init")(init_command)
    app.command("new-case")(new_case_command)
    app.command("show")(show_command)
    app.command("reopen")(reopen_command)
