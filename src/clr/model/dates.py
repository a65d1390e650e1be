"""Dates as clr reads them: ISO text in, ``datetime.date`` out, never an exception."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from clr.model.findings import Said

_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


_DAYS: dict[str, dt.date | None] = {}
"""Texts read by :func:`parse_date` and their dates: a case holds dozens, mostly repeated."""
_MAX_DAYS = 20_000


def parse_date(value: object) -> dt.date | None:
    """Return the date of an ISO ``YYYY-MM-DD`` text (or of a date-time's date part), else None."""
    if not isinstance(value, str):
        return None
    day = _DAYS.get(value, _DAYS)
    if day is not _DAYS:
        return day  # type: ignore[return-value]
    try:
        day = dt.date.fromisoformat(value[:10]) if len(value) >= 10 else None
    except ValueError:
        day = None
    if len(value) <= 40 and len(_DAYS) < _MAX_DAYS:  # dates and date-times, not stray notes
        _DAYS[value] = day
    return day


def parse_datetime(value: object) -> dt.datetime | None:
    """Return an aware datetime for an ISO 8601 date-time text with a zone, else None."""
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def partial_bounds(value: object) -> tuple[dt.date, dt.date] | None:
    """Return the earliest and latest dates a partial date (YYYY, YYYY-MM, YYYY-MM-DD) allows."""
    if not isinstance(value, str):
        return None
    match = _PARTIAL.match(value)
    if match is None:
        return None
    year, month, day = match.groups()
    try:
        if day:
            exact = dt.date(int(year), int(month), int(day))
            return exact, exact
        if month:
            first = dt.date(int(year), int(month), 1)
            following = dt.date(int(year) + (int(month) == 12), int(month) % 12 + 1, 1)
            return first, following - dt.timedelta(days=1)
        return dt.date(int(year), 1, 1), dt.date(int(year), 12, 31)
    except ValueError:
        return None


def age_on(birth: dt.date, day: dt.date) -> int:
    """Return the age in whole years on ``day`` of someone born on ``birth``."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def add_months(day: dt.date, months: int) -> dt.date:
    """Return the same day ``months`` later, clipped to the end of shorter months."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate_day in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, candidate_day)
        except ValueError:
            continue
    raise ValueError(f"cannot add {months} months to {day}")  # pragma: no cover


def utc_now() -> dt.datetime:
    """This moment, in UTC: the one clock clr reads (a test may replace it)."""
    return dt.datetime.now(dt.timezone.utc)


def local_now(zone: str, now: dt.datetime | None = None) -> dt.datetime:
    """The moment ``now`` (default: this moment) as the time in the IANA time zone ``zone``.

    The result carries the zone's UTC offset at that moment, so its date is the date there.
    A zone that cannot be found gives the machine's own time.
    """
    stamp = (now or utc_now()).timestamp()
    if zone == "UTC":
        return dt.datetime.fromtimestamp(stamp, dt.timezone.utc)
    offset = _utc_offset(zone, stamp)
    if offset is None:
        return dt.datetime.fromtimestamp(stamp).astimezone()
    return dt.datetime.fromtimestamp(stamp, dt.timezone(dt.timedelta(seconds=offset)))


def today_in(zone: str, now: dt.datetime | None = None) -> dt.date:
    """The date at ``now`` (default: this moment) in the IANA time zone ``zone``.

    Deadlines are counted in the repository's zone: near midnight, a consultant's laptop
    in another zone would otherwise be a day early or late. A zone that cannot be found
    gives the machine's own date.
    """
    return local_now(zone, now).date()


def _utc_offset(zone: str, stamp: float) -> int | None:
    """The UTC offset in seconds of ``zone`` at the POSIX time ``stamp``; None if unknown."""
    import time

    found = _system_zone_file(zone) if hasattr(time, "tzset") else None
    if found is not None:
        # The C library's own time zone code: no zoneinfo to load (2 ms of every command).
        # The file's full path, not the name: TZDIR cannot send the C library elsewhere.
        import os

        before = os.environ.get("TZ")
        try:
            os.environ["TZ"] = ":" + found
            time.tzset()
            return time.localtime(stamp).tm_gmtoff
        finally:
            if before is None:
                os.environ.pop("TZ", None)
            else:
                os.environ["TZ"] = before
            time.tzset()
    try:
        import zoneinfo

        offset = dt.datetime.fromtimestamp(stamp, zoneinfo.ZoneInfo(zone)).utcoffset()
    except (ValueError, OSError, zoneinfo.ZoneInfoNotFoundError):
        return None
    return int(offset.total_seconds()) if offset is not None else None


def timezone_problem(name: str) -> tuple[Said, Said] | None:
    """Why ``name`` is not an IANA time zone clr can use, as (message, hint); None if it is.

    Both are worded (:class:`clr.model.findings.Said`): a finding keeps their English.

    Only the one name is looked up (never the list of every zone, which is slow). Where
    this machine has no time zone database at all, no name can be checked: None.
    """
    if name == "UTC":
        return None
    if _in_system_database(name):
        return None  # found without loading zoneinfo (2 ms on every command)
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        if not _zone_folders(""):
            return None
        from clr.i18n import N_
        from clr.model.findings import said

        shown = name if len(name) <= 60 else name[:57] + "..."
        return (
            said(N_("timezone {name} is not a known IANA time zone"), name=repr(shown)),
            _timezone_hint(name),
        )
    return None


def _in_system_database(name: str) -> bool:
    """True if the system's time zone database holds a zone file of this name."""
    return _system_zone_file(name) is not None


def _system_zone_file(name: str) -> str | None:
    """The path of the system's zone file of this name, or None if it has none."""
    from pathlib import Path

    from clr.io import files

    parts = name.split("/")
    plain = [p.replace("_", "").replace("-", "").replace("+", "") for p in parts]
    if not all(p and p.isalnum() and p.isascii() for p in plain):
        return None  # not a plain zone name: leave it to zoneinfo
    for folder in ("/usr/share/zoneinfo", "/usr/lib/zoneinfo", "/usr/share/lib/zoneinfo"):
        path = Path(folder).joinpath(*parts)
        try:
            if files.read_bytes(path, limit=4, truncate=True)[:4] == b"TZif":
                return str(path)
        except OSError:
            continue
    return None


def _timezone_hint(name: str) -> Said:
    import difflib

    from clr.i18n import N_
    from clr.model.findings import said

    if _is_region(name):
        zones = sorted(_zones_in(name))[:3]
        return said(
            N_("{name} is a region: name a zone in it, e.g. {zones}"),
            name=name,
            zones=", ".join(zones),
        )
    region, _, _ = name.rpartition("/")
    regions = [region]
    if region and not _is_region(region):
        regions = difflib.get_close_matches(region, sorted(_zones_in("", folders=True)), n=2)
    known = sorted(z for r in regions for z in _zones_in(r))
    close = [z for z in known if z.lower() == name.lower()] or difflib.get_close_matches(
        name, known, n=3, cutoff=0.6
    )
    if close:
        if len(close) == 1:
            return said(N_("did you mean {option}?"), option=close[0])
        keys = ("first", "second", "third")[: len(close)]
        asked = (
            N_("did you mean {first} or {second}?")
            if len(close) == 2
            else N_("did you mean {first} or {second} or {third}?")
        )
        return said(asked, **dict(zip(keys, close, strict=True)))
    return said(
        N_("write an IANA time zone name, e.g. Asia/Dhaka, Africa/Abidjan, Europe/London or UTC")
    )


def _is_region(name: str) -> bool:
    parts = name.split("/")
    return all(p and p[0].isupper() and "." not in p for p in parts) and bool(_zone_folders(name))


def _zone_folders(region: str) -> list[str]:
    """The folders of the time zone database for ``region`` (e.g. Europe) that exist here."""
    import os
    import zoneinfo

    found = [os.path.join(base, region) for base in zoneinfo.TZPATH]  # noqa: PTH118
    try:
        from importlib.resources import files

        found.append(str(files("tzdata").joinpath("zoneinfo", *region.split("/"))))
    except (ImportError, OSError, ValueError):
        pass
    try:
        return [folder for folder in found if os.path.isdir(folder)]  # noqa: PTH112
    except ValueError:  # a NUL in the name
        return []


def _zones_in(region: str, *, folders: bool = False) -> set[str]:
    """The zone names (or, with ``folders``, the sub-regions) in one region's folder."""
    import os

    names: set[str] = set()
    for folder in _zone_folders(region):
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    # Zone names start with a capital and hold no dot (zone.tab, tzdata.zi…).
                    zone = entry.name[:1].isupper() and "." not in entry.name
                    if zone and entry.is_dir() == folders:
                        names.add(f"{region}/{entry.name}" if region else entry.name)
        except OSError:
            continue
    return names
