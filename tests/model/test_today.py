"""Today is the date in the case repository's time zone, not the machine's."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import zoneinfo
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from clr.cases.caseops import history_time
from clr.model import dates
from clr.model.dates import today_in
from clr.repo import repository as repo
from helpers_workflow import CONFIG_TEXT, clr_executable, describe, make_repo, run, subprocess_env

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
    # UTC+14 and UTC-11: one day apart, two in the hour from 10:00 to 11:00 UTC.
    apart = (seen["Pacific/Kiritimati"] - seen["Pacific/Pago_Pago"]).days
    assert apart in (1, 2), seen


# --- a fixed instant through the CLI ----------------------------------------------------------

NEW_CASE = [
    "new-case", "--no-input", "--site", "Sunrise Garments", "--supplier", "SUP-7",
    "--sector", "garments", "--country", "BD",
    "--channel", "audit", "--work", "trimming threads", "--hours", "48",
    "--pseudonym", "Child A", "--sex", "female", "--age", "13", "--by", "R. Ahmed",
]  # fmt: skip


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[dt.datetime], None]:
    """Set the moment clr takes for now (its one clock, clr.model.dates.utc_now)."""

    def set_now(moment: dt.datetime) -> None:
        monkeypatch.setattr(dates, "utc_now", lambda: moment)

    return set_now


def _zone_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, zone: str) -> Path:
    root = make_repo(tmp_path / "repo", CONFIG_TEXT + f"timezone: {zone}\n")
    monkeypatch.chdir(root)
    return root


@pytest.mark.parametrize(
    ("zone", "local_day", "overdue"),
    [
        ("Asia/Dhaka", "2026-03-04", 1),  # 01:30 on the 4th: the triage due on the 3rd is late
        ("Europe/Paris", "2026-03-03", 0),  # 20:30 on the 3rd: still due today
        ("America/Sao_Paulo", "2026-03-03", 0),  # 16:30 on the 3rd
    ],
)
def test_a_deadline_is_overdue_by_the_repository_date_not_the_machine_date(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clock: Callable[[dt.datetime], None],
    zone: str,
    local_day: str,
    overdue: int,
) -> None:
    root = _zone_repo(tmp_path, monkeypatch, zone)
    clock(dt.datetime(2026, 3, 3, 19, 30, tzinfo=dt.timezone.utc))
    made = run([*NEW_CASE, "--discovered", "2026-03-02"])
    assert made.exit_code == 0, describe(made)
    case_id = made.stdout.strip()
    case = yaml.safe_load((root / "cases" / case_id / "case.yaml").read_text(encoding="utf-8"))
    assert case["opened"] == local_day
    assert case["history"][0]["at"].startswith(local_day)

    shown = run(["next", case_id, "--format", "json"])
    assert shown.exit_code == 0, describe(shown)
    answer = json.loads(shown.stdout)
    assert answer["as_of"] == local_day
    triage = next(a for a in answer["actions"] if a["id"] == "report-triage")
    assert (triage["due"], triage["overdue_days"]) == ("2026-03-03", overdue)
    status = json.loads(run(["status", "--format", "json"]).stdout)
    assert status["as_of"] == local_day


def test_history_times_are_written_in_the_repository_zone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: Callable[[dt.datetime], None]
) -> None:
    # Samoa time (UTC-11): a case opened at 09:00 and moved on at 18:00 the same local day,
    # when it is already the next day in UTC. The move is written as 18:00 local time, after
    # the opening, on the repository's date.
    root = _zone_repo(tmp_path, monkeypatch, "Pacific/Pago_Pago")
    clock(dt.datetime(2026, 4, 30, 20, 0, tzinfo=dt.timezone.utc))
    made = run([*NEW_CASE, "--discovered", "2026-04-30"])
    assert made.exit_code == 0, describe(made)
    case_id = made.stdout.strip()
    path = root / "cases" / case_id / "case.yaml"
    clock(dt.datetime(2026, 5, 1, 5, 0, tzinfo=dt.timezone.utc))
    ticked = run(["tick", case_id, "report-triage", "--by", "R. Ahmed"])
    assert ticked.exit_code == 0, describe(ticked)
    moved = run(["advance", case_id, "--by", "R. Ahmed"])
    assert moved.exit_code == 0, describe(moved)
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert [h["at"] for h in case["history"]] == [
        "2026-04-30T09:00:00-11:00",
        "2026-04-30T18:00:00-11:00",
    ]
    assert case["checklist"]["report-triage"]["done"] == "2026-04-30"
    checked = run(["validate", "--strict"])
    assert checked.exit_code == 0, describe(checked)


def test_history_time_in_utc_and_for_an_earlier_day() -> None:
    moment = dt.datetime(2026, 5, 1, 5, 0, 7, 123, tzinfo=dt.timezone.utc)
    assert history_time(dt.date(2026, 5, 1), moment) == "2026-05-01T05:00:07Z"
    assert history_time(dt.date(2026, 5, 1), moment, zone="Asia/Kathmandu") == (
        "2026-05-01T10:45:07+05:45"
    )
    # An earlier --as-of date: midday of that day, whatever the zone.
    assert history_time(dt.date(2026, 4, 2), moment, zone="Asia/Dhaka") == "2026-04-02T12:00:00Z"
    assert history_time(dt.date(2026, 4, 30), moment, zone="Pacific/Pago_Pago") == (
        "2026-04-30T18:00:07-11:00"
    )


def test_a_repository_without_a_time_zone_counts_in_utc(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "plain")
    late = dt.datetime(2026, 5, 1, 23, 30, tzinfo=dt.timezone.utc)
    assert repo.time_zone(root) == "UTC"
    assert repo.today(root, late) == dt.date(2026, 5, 1)
    assert repo.time_zone(tmp_path) is None  # outside a repository: the machine's date


def test_the_c_library_is_not_sent_elsewhere_by_tzdir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZDIR", "/nonexistent")
    moment = dt.datetime(2026, 3, 3, 19, 30, tzinfo=dt.timezone.utc)
    assert today_in("Asia/Dhaka", moment) == dt.date(2026, 3, 4)
