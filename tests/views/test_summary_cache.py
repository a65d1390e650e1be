"""The bulk views' cache holds across days: what changes with the day is worked out when a
cached summary is read back, so a deadline never slips unnoticed because of the cache.

The examples hold a case (EXR-2026-H9CSW) whose monthly visit is due on 2026-11-19: from
the next day on it is overdue.
"""

from __future__ import annotations

import datetime as dt
import json
import marshal
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

import clr.cli
from clr.io import cache
from clr.views import consent, export, load, summary
from clr.views.select import select

ROOT = Path(__file__).resolve().parents[2]
DUE = dt.date(2026, 11, 19)
LATE = "EXR-2026-H9CSW"
ENV = {"NO_COLOR": "1", "COLUMNS": "120", "TERM": "dumb"}


def _examples(tmp_path: Path, name: str = "examples") -> Path:
    target = tmp_path / name
    shutil.copytree(
        ROOT / "examples", target, ignore=shutil.ignore_patterns("invalid", ".clr-cache")
    )
    return target


def run(*args: Any) -> Result:
    return CliRunner().invoke(clr.cli.app, [str(a) for a in args], env=ENV)


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The case files summarised (not read back from the cache), by folder name."""
    made: list[str] = []
    real = summary.summarise_loaded

    def counting(path: Path, *args: Any) -> Any:
        made.append(path.parent.name)
        return real(path, *args)

    monkeypatch.setattr(summary, "summarise_loaded", counting)
    monkeypatch.setattr(load.summary, "summarise_loaded", counting)
    monkeypatch.setattr(export, "summarise_loaded", counting)
    return made


def _outputs(repo: Path, day: dt.date, tmp_path: Path) -> dict[str, Any]:
    """status and stats as JSON, and the export's database, as of ``day``."""
    out: dict[str, Any] = {}
    for command in ("status", "stats"):
        result = run(command, repo, "--format", "json", "--as-of", day)
        assert result.exit_code == 0, result.output
        out[command] = result.stdout
    db = tmp_path / f"{repo.name}-{day}.db"
    result = run("export", repo, "--sqlite", db, "--as-of", day)
    assert result.exit_code == 0, result.output
    with sqlite3.connect(db) as con:
        out["export"] = list(con.iterdump())
    return out


def test_an_overdue_action_shows_the_next_day_from_a_warm_cache(
    tmp_path: Path, counted: list[str]
) -> None:
    warm = _examples(tmp_path, "warm")
    before = _outputs(warm, DUE, tmp_path)
    cases = len(list((warm / "cases").glob("*/case.yaml")))
    assert len(counted) == 2 * cases  # status and stats share a cache; export has its own
    row = next(r for r in json.loads(before["status"])["cases"] if r["id"] == LATE)
    assert row["next_due"] == DUE.isoformat() and row["overdue"] == 0
    counted.clear()
    after = _outputs(warm, DUE + dt.timedelta(days=1), tmp_path)
    assert counted == []  # every summary from the cache, on a new day
    row = next(r for r in json.loads(after["status"])["cases"] if r["id"] == LATE)
    assert row["overdue"] == 1 and row["overdue_actions"] == ["mon-monthly-visit"]
    assert row["days_open"] == 1 + next(
        r["days_open"] for r in json.loads(before["status"])["cases"] if r["id"] == LATE
    )
    stats = json.loads(after["stats"])["total"]["figures"]["overdue"]
    assert stats["by_action"].get("mon-monthly-visit", 0) >= 1
    late = [line for line in after["export"] if f"'{LATE}','mon-monthly-visit'" in line]
    assert len(late) == 1 and ",NULL,1,'Visit the child" in late[0]  # overdue by a day
    # Exactly what the repository without a cache gives on that day.
    shutil.rmtree(warm / cache.CACHE_DIR)
    assert _outputs(warm, DUE + dt.timedelta(days=1), tmp_path) == after
    assert counted


DAYS = [
    dt.date(2024, 1, 1),
    dt.date(2025, 6, 1),
    dt.date(2026, 2, 28),
    dt.date(2026, 11, 19),
    dt.date(2026, 11, 20),
    dt.date(2026, 12, 25),
    dt.date(2027, 3, 1),
    dt.date(2028, 2, 29),
    dt.date(2031, 7, 15),
]


def test_summaries_from_the_cache_equal_fresh_ones_on_every_day(tmp_path: Path) -> None:
    repo = _examples(tmp_path)
    for filled in (DAYS[3], DAYS[0], DAYS[-1]):
        load.load_summaries([repo], filled)  # the cache, as filled on one day
        for day in DAYS:
            cached = load.load_summaries([repo], day)
            fresh = load.load_summaries([repo], day, use_cache=False)
            assert cached == fresh, day
            rows = export.collect(select([repo], day), day)
            again = export.collect(select([repo], day), day, use_cache=False)
            assert rows.tables == again.tables, day
            assert [c.covers for c in rows.cases] == [c.covers for c in again.cases], day


def _case(child: dict[str, Any], consent_given: dict[str, Any]) -> dict[str, Any]:
    return {
        "child": child,
        "assessment": {"consent": consent_given},
    }


CONSENTS = [
    {},
    {"guardian": {"share_with_buyer": {"given": True, "date": "2026-03-01"}}},
    {
        "guardian": {"share_with_buyer": {"given": True, "date": "2026-03-01"}},
        "child": {"share_with_buyer": {"given": True, "date": "2026-09-10"}},
    },
    {
        "guardian": {"share_with_supplier": {"given": True, "date": "2025-12-31"}},
        "child": {"share_with_supplier": {"given": False, "date": "2026-01-15"}},
    },
]
CHILDREN = [
    {"birth_date": "2010-06-15"},
    {"birth_date": "2010-02-29"[:7]},  # a month only: the latest day it allows counts
    {"birth_date": "2008-02-29"},
    {"estimated_age": 15},
    {},
]


@pytest.mark.parametrize("given", CONSENTS)
@pytest.mark.parametrize("child", CHILDREN)
def test_consent_answers_the_same_on_every_day_it_is_steady(
    given: dict[str, Any], child: dict[str, Any]
) -> None:
    data = _case(child, given)
    for today in (dt.date(2026, 1, 1), dt.date(2026, 6, 15), dt.date(2026, 9, 10)):
        first, last = consent.steady_days(data, today)
        assert first <= today.toordinal() <= last
        expected = [consent.covers(data, a, today) for a in consent.AUDIENCES]
        span = range(max(first, today.toordinal() - 800), min(last, today.toordinal() + 800) + 1)
        for ordinal in span:
            day = dt.date.fromordinal(ordinal)
            assert [consent.covers(data, a, day) for a in consent.AUDIENCES] == expected, day


def test_sharing_stops_the_day_the_child_turns_sixteen_from_a_warm_cache(
    tmp_path: Path, counted: list[str]
) -> None:
    # EXR-2026-H9CSW: born in September 2012 (the latest day counts: the 30th), the
    # guardian's consent to share with the buyer, the child's not recorded: from the day
    # she turns sixteen her own consent is needed.
    repo = _examples(tmp_path)
    day_before, birthday = dt.date(2028, 9, 29), dt.date(2028, 9, 30)
    before = {c.id: c.shared_with for c in load.load_summaries([repo], day_before)}
    covers = {
        c.summary.id: c.covers for c in export.collect(select([repo], day_before), day_before).cases
    }
    assert "buyer" in before[LATE] and "buyer" in covers[LATE]
    counted.clear()
    after = load.load_summaries([repo], birthday)
    # Summarised again: its consent changes that day (and another's age goes up); the
    # others are read back from the cache.
    assert LATE in counted and len(counted) <= 2
    assert "buyer" not in next(c for c in after if c.id == LATE).shared_with
    assert after == load.load_summaries([repo], birthday, use_cache=False)
    rows = export.collect(select([repo], birthday), birthday)
    assert "buyer" not in next(c for c in rows.cases if c.summary.id == LATE).covers


def _write_rows(path: Path, key: str, body: bytes) -> None:
    header = {"format": cache.ROWS_FORMAT, "key": key, "checksum": cache.checksum(body)}
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(json.dumps(header).encode() + b"\n" + body)


@pytest.mark.parametrize(
    "body",
    [
        marshal.dumps((("a",), ("d",), ((),), ([1, 2],))),  # a list: not a plain row
        marshal.dumps((("a",), ("d",), ((),), ((frozenset({1}),),))),
        marshal.dumps((("a",), ("d",), ((),), ((compile("1", "x", "eval"),),))),
        marshal.dumps((("a", "b"), ("d",), ((),), ((),))),  # columns of other lengths
        marshal.dumps([("a",), ("d",), ((),), ((),)]),
        marshal.dumps(((1,), ("d",), ((),), ((),))),  # a name that is not text
        b"\x00\x01not marshal",
    ],
)
def test_a_cache_of_another_shape_is_not_used(tmp_path: Path, body: bytes) -> None:
    path = tmp_path / cache.CACHE_DIR / "summary.rows"
    _write_rows(path, "k", body)
    assert cache.RowCache(tmp_path, "k", "summary").entries == {}


def test_a_cache_of_plain_rows_is_read_back(tmp_path: Path) -> None:
    store = cache.RowCache(tmp_path, "k", "summary")
    store.put("cases/A/case.yaml", "d", ("x", 1, 2.5, None, True, (("y", 3),)), (1, 2, 3, 4))
    store.save()
    again = cache.RowCache(tmp_path, "k", "summary")
    assert again.get("cases/A/case.yaml", "d") == ("x", 1, 2.5, None, True, (("y", 3),))
    assert cache.RowCache(tmp_path, "other key", "summary").entries == {}


def test_status_over_a_damaged_cache_summarises_again(tmp_path: Path, counted: list[str]) -> None:
    repo = _examples(tmp_path)
    first = run("status", repo, "--format", "json", "--as-of", DUE)
    rows = repo / cache.CACHE_DIR / "summary.rows"
    data = bytearray(rows.read_bytes())
    data[-10] ^= 0xFF  # the checksum no longer matches
    rows.write_bytes(bytes(data))
    counted.clear()
    again = run("status", repo, "--format", "json", "--as-of", DUE)
    assert again.stdout == first.stdout
    assert len(counted) == len(list((repo / "cases").glob("*/case.yaml")))


def test_export_rows_of_another_shape_are_read_again(tmp_path: Path, counted: list[str]) -> None:
    repo = _examples(tmp_path)
    first = _outputs(repo, DUE, tmp_path)["export"]
    path = repo / cache.CACHE_DIR / "export.rows"
    key = json.loads(path.read_bytes().partition(b"\n")[0])["key"]
    store = cache.RowCache(repo, key, "export")
    name = f"cases/{LATE}/case.yaml"
    digest, status, (row, tables, covers) = store.entries[name]
    history = list(tables)
    history[1] = ("not a row",)  # the history table: rows are tuples
    store.entries[name] = (digest, status, (row, tuple(history), covers))
    store.dirty = True
    store.save()
    counted.clear()
    assert _outputs(repo, DUE, tmp_path)["export"] == first
    assert LATE in counted
