"""Today is the date in the case repository's time zone, not the machine's."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import zoneinfo
from pathlib import Path

import pytest

from clr import repo
from clr.dates import today_in
from helpers_workflow import CONFIG_TEXT, clr_executable, make_repo, subprocess_env

ZONES = [
    "Asia/Dhaka",
    "Africa/Abidjan",
    "America/Sao_Paulo",
    "Europe/London",  # summer time
    "Australia/Adelaide",  # half-hour offset, southern summer time
    "Asia/Kathmandu",  # a 45-minute offset
    "Pacific/Kiritimati",  # UTC+14
    "Pacific/Pago_Pago",  # UTC-11
    "UTC",
]
MOMENTS = [
    dt.datetime(2026, 3, 29, 0, 59, tzinfo=dt.timezone.utc),  # London: an hour before BST
    dt.datetime(2026, 3, 29, 23, 30, tzinfo=dt.timezone.utc),
    dt.datetime(2026, 10, 3, 14, 45, tzinfo=dt.timezone.utc),
    dt.datetime(2026, 12, 31, 10, 0, tzinfo=dt.timezone.utc),
    dt.datetime(2026, 12, 31, 18, 20, tzinfo=dt.timezone.utc),
]


@pytest.mark.parametrize("zone", ZONES)
def test_today_in_a_zone_is_the_date_there(zone: str) -> None:
    before = os.environ.get("TZ")
    for moment in MOMENTS:
        assert today_in(zone, moment) == moment.astimezone(zoneinfo.ZoneInfo(zone)).date()
    assert os.environ.get("TZ") == before  # the process's own zone is left as it was


def test_a_repository_counts_days_in_its_own_zone(tmp_path: Path) -> None:
    east = make_repo(tmp_path / "east", CONFIG_TEXT + "timezone: Pacific/Kiritimati\n")
    west = make_repo(tmp_path / "west", CONFIG_TEXT + "timezone: Pacific/Pago_Pago\n")
    moment = dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.timezone.utc)
    assert repo.today(east / "cases", moment) == dt.date(2026, 5, 2)
    assert repo.today(west, moment) == dt.date(2026, 5, 1)
    assert repo.today(tmp_path, moment) == dt.date(2026, 5, 1)  # no repository: the machine's
    late = dt.datetime(2026, 5, 1, 5, 0, tzinfo=dt.timezone.utc)
    assert repo.today(west, late) == dt.date(2026, 4, 30)


def test_commands_answer_for_today_in_the_repository_zone(tmp_path: Path) -> None:
    # Two repositories 25 hours apart: at any moment at least one of them is not on the
    # machine's (UTC) date, and each command must give its own repository's date.
    seen = {}
    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):
        root = make_repo(tmp_path / zone.replace("/", "-"), CONFIG_TEXT + f"timezone: {zone}\n")
        before = dt.datetime.now(zoneinfo.ZoneInfo(zone)).date()
        done = subprocess.run(
            [clr_executable(), "status", "--format", "json"],
            cwd=root,
            env=subprocess_env(),
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        after = dt.datetime.now(zoneinfo.ZoneInfo(zone)).date()
        as_of = dt.date.fromisoformat(json.loads(done.stdout)["as_of"])
        assert as_of in (before, after), (zone, as_of, before)
        seen[zone] = as_of
    assert seen["Pacific/Kiritimati"] - seen["Pacific/Pago_Pago"] == dt.timedelta(days=1)
