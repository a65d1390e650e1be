"""The formats of ``clr agenda``: text, JSON, a CSV worklist, an iCalendar feed, a digest.

Every format carries case ids, sites, caseworkers and the playbook's words only: no child's
pseudonym, name or contact (a calendar feed is often shared with phones and other apps).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

from clr.i18n import N_, _, ngettext
from clr.render import safe
from clr.views.agenda import (
    AGENDA_COLUMNS,
    CaseAgenda,
    Item,
    agenda_document,
    grouped,
    item_row,
    week_of,
)

WIDTH = 80
PRODID = "-//clr//agenda//EN"
UID_DOMAIN = "clr.agenda"
ALARM_BEFORE = dt.timedelta(days=1)


def plain(value: object) -> str:
    """``value`` as one line of text that prints as itself (controls shown as escapes)."""
    return "" if value is None else safe.terminal(value)


def wrap(text: str, indent: int, hang: int = 0, max_lines: int = 0) -> list[str]:
    """``text`` cut at spaces into lines of at most 80 columns (textwrap, ten times faster).

    The first line is indented by ``indent``, the others by ``indent + hang``; past
    ``max_lines`` the last line ends in `` [...]``.
    """
    out: list[str] = []
    pad = " " * indent
    while text:
        room = WIDTH - len(pad)
        if max_lines and len(out) == max_lines - 1 and len(text) > room:
            room -= 6
            cut = text.rfind(" ", 0, room + 1)
            out.append(pad + text[: cut if cut > 0 else room].rstrip() + " [...]")
            break
        if len(text) <= room:
            out.append(pad + text)
            break
        cut = text.rfind(" ", 0, room + 1)
        if cut <= 0:
            cut = room
        out.append(pad + text[:cut].rstrip())
        text = text[cut:].lstrip()
        pad = " " * (indent + hang)
    return out


# The words of --group-by, as headings (the option's values are machine words).
GROUPS = {
    "person": N_("person"),
    "role": N_("role"),
    "site": N_("site"),
    "week": N_("week"),
    "case": N_("case"),
}


def _when(item: Item, today: dt.date) -> str:
    late = item.overdue_days(today)
    if late:
        return _("overdue {days}d").format(days=late)
    if item.due.due == today:
        return _("due today")
    return _("in {days}d").format(days=(item.due.due - today).days)


def render_text(items: Sequence[Item], today: dt.date, by: str, days: int) -> str:
    """Groups of items, each item on lines that fit 80 columns."""
    until = today + dt.timedelta(days=days)
    if not items:
        return _("nothing due by {until} (as of {today})").format(until=until, today=today) + "\n"
    lines = [
        ngettext(
            "{count} action due by {until} ({overdue} overdue), as of {today}",
            "{count} actions due by {until} ({overdue} overdue), as of {today}",
            len(items),
        ).format(
            count=len(items),
            until=until,
            overdue=sum(1 for i in items if i.overdue_days(today)),
            today=today,
        )
    ]
    for name, members in grouped(items, by).items():
        label = plain(name)
        if by == "week":  # the days the week runs over
            monday = members[0].due.due - dt.timedelta(days=members[0].due.due.weekday())
            label += ", " + _("{start} to {end}").format(
                start=monday, end=monday + dt.timedelta(days=6)
            )
        lines += ["", f"{_(GROUPS.get(by, by))}: {label} ({len(members)})"]
        for item in members:
            mark = "" if item.due.required else " " + _("(optional)")
            head = (
                f"  {item.due.due}  {_when(item, today):<12} {plain(item.case.id)}"
                f"  {plain(item.due.action)}{mark}"
            )
            lines += wrap(head, 0, 28)
            where = [plain(item.case.site) or _("(no site)")]
            if by != "person":
                where.append(plain(item.case.person) or _("(unassigned)"))
            lines += wrap(f"{' · '.join(where)}: {plain(item.due.text)}", 14, max_lines=3)
    return "\n".join(lines) + "\n"


def render_json(
    items: Sequence[Item], cases: Sequence[CaseAgenda], today: dt.date, days: int, by: str
) -> str:
    """The JSON document (``version`` 1), indented."""
    text = json.dumps(agenda_document(items, cases, today, days, by), indent=2, ensure_ascii=False)
    return safe.json_text(text) + "\n"


def render_csv(items: Sequence[Item], today: dt.date) -> str:
    """A field worklist: one row per action and role (who, which case, where, what, by when)."""
    from clr.views.export import csv_text

    rows = []
    for item in items:
        for role in item.due.roles or ("",):
            row = item_row(item, today, role)
            # shown as escapes, like every other output: a worklist is opened in a terminal too
            rows.append([_cell(row[c]) for c in AGENDA_COLUMNS])
    return csv_text(AGENDA_COLUMNS, rows)


def _cell(value: object) -> object:
    return safe.terminal(value) if isinstance(value, str) else value


def uid(item: Item) -> str:
    """A UID that stays the same for the same action of the same case, feed after feed."""
    return f"{item.case.id}.{item.due.action}@{UID_DOMAIN}"


def render_ics(items: Sequence[Item], today: dt.date, name: str = "clr agenda") -> bytes:
    """An iCalendar (RFC 5545) feed: one all-day VEVENT per action, with a display alarm.

    An all-day event (not a VTODO) shows in every common calendar app. The event is on the
    due date; an overdue one says so in its summary. DTSTAMP is the day of the agenda, so the
    same cases on the same day give the same feed byte for byte.
    """
    import icalendar

    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    stamp = dt.datetime.combine(today, dt.time(0, 0), tzinfo=dt.timezone.utc)
    for item in items:
        late = item.overdue_days(today)
        event = icalendar.Event()
        event.add("uid", uid(item))
        event.add("dtstamp", stamp)
        event.add("dtstart", item.due.due)
        event.add("dtend", item.due.due + dt.timedelta(days=1))
        prefix = f"OVERDUE {late}d: " if late else ""
        event.add("summary", plain(f"{prefix}{item.case.id}: {item.due.action}"))
        details = [plain(item.due.text), f"case {plain(item.case.id)}"]
        if item.due.label:
            details.append(f"when: {plain(item.due.label)}")
        if item.case.person:
            details.append(f"caseworker: {plain(item.case.person)}")
        details.append(f"roles: {', '.join(item.due.roles) or '-'}")
        details.append(f"when done: clr next {plain(item.case.id)}")
        event.add("description", "\n".join(details))
        if item.case.site:
            event.add("location", plain(item.case.site))
        if item.due.roles:
            event.add("categories", list(item.due.roles))
        event.add("transp", "TRANSPARENT")
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", plain(f"{item.case.id}: {item.due.action}"))
        alarm.add("trigger", -ALARM_BEFORE)
        event.add_component(alarm)
        cal.add_component(event)
    data: bytes = cal.to_ical()
    return data


def render_digest(items: Sequence[Item], today: dt.date, days: int) -> str:
    """A weekly summary in Markdown, for e-mail or chat: counts, then each person's list."""
    until = today + dt.timedelta(days=days)
    overdue = [i for i in items if i.overdue_days(today)]
    lines = [
        "# " + _("Agenda, week {week}").format(week=week_of(today)),
        "",
        _("As of {today}: **{overdue} overdue**, **{due} due** by {until}.").format(
            today=today, overdue=len(overdue), due=len(items) - len(overdue), until=until
        ),
    ]
    if not items:
        return "\n".join([*lines, "", _("Nothing is due."), ""])
    heads = (_("Caseworker"), _("Overdue"), _("Due"), _("Cases"))
    lines += ["", "| " + " | ".join(heads) + " |", "|---|---:|---:|---:|"]
    people = grouped(items, "person")
    for name, members in people.items():
        late = sum(1 for i in members if i.overdue_days(today))
        cases = len({i.case.id for i in members})
        lines.append(f"| {_md(name)} | {late} | {len(members) - late} | {cases} |")
    for name, members in people.items():
        lines += ["", f"## {_md(name)}", ""]
        for item in members:
            late = item.overdue_days(today)
            when = _("due {date}").format(date=item.due.due)
            if late:
                overdue_days = ngettext("overdue {days} day", "overdue {days} days", late)
                when = f"**{overdue_days.format(days=late)}** ({when})"
            site = " " + _("at {site}").format(site=_md(item.case.site)) if item.case.site else ""
            lines.append(
                f"- {when}: {_md(item.case.id)}{site}, {_md(item.due.action)}: {_md(item.due.text)}"
            )
    return "\n".join(lines) + "\n"


def _md(value: object) -> str:
    """Text safe in a Markdown table cell or list item."""
    return safe.markdown("" if value is None else value)


# --- the registry's entry points: function(items, cases, today, days, by) -> str ---------


def agenda_text(
    items: Sequence[Item], cases: Sequence[CaseAgenda], today: dt.date, days: int, by: str
) -> str:
    """The text agenda, grouped by ``by``."""
    return render_text(items, today, by, days)


def agenda_json(
    items: Sequence[Item], cases: Sequence[CaseAgenda], today: dt.date, days: int, by: str
) -> str:
    """The JSON document."""
    return render_json(items, cases, today, days, by)


def agenda_csv(
    items: Sequence[Item], cases: Sequence[CaseAgenda], today: dt.date, days: int, by: str
) -> str:
    """The field worklist."""
    return render_csv(items, today)


def agenda_ics(
    items: Sequence[Item], cases: Sequence[CaseAgenda], today: dt.date, days: int, by: str
) -> str:
    """The iCalendar feed (CRLF line ends, as RFC 5545 wants)."""
    return render_ics(items, today).decode("utf-8")


def agenda_markdown(
    items: Sequence[Item], cases: Sequence[CaseAgenda], today: dt.date, days: int, by: str
) -> str:
    """The weekly digest in Markdown."""
    return render_digest(items, today, days)
