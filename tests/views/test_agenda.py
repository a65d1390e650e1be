"""clr agenda through the CLI: text, JSON, the CSV worklist, the iCalendar feed, the digest.

The repository (as of 2026-03-09, looking 7 days ahead) holds, all in stage reported, where
the playbook's report-triage is due 24 hours after discovery:

    case  discovered  caseworker  site          report-triage
    A     2026-03-02  R. Ahmed    Factory 1     due 03-03: overdue 6 days
    B     2026-03-10  L. Wei      Farm 2        due 03-11: in 2 days
    C     2026-05-01  L. Wei      Farm 2        due 05-02: beyond the horizon
    D     2026-03-02  R. Ahmed    Factory 1     ticked: not on the agenda
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import icalendar
import pytest
import vobject
import yaml
from typer.testing import Result

from conftest import CONFIG_TEXT, make_case_text
from helpers_workflow import describe
from helpers_workflow import run as guarded_run

AS_OF = "2026-03-09"
A, B, C, D = "CLR-2026-AAAA1", "CLR-2026-BBBB2", "CLR-2026-CCCC3", "CLR-2026-DDDD4"
PSEUDONYM = "Amina-Pseudonym-Never-Shared"
ACTION = "report-triage"


def _case(case_id: str, found: str, by: str, site: str, **extra: Any) -> str:
    return make_case_text(
        id=case_id,
        opened=found,
        site={"name": site},
        child={"pseudonym": PSEUDONYM},
        discovery={"date": found},
        history=[{"at": f"{found}T09:00:00Z", "from": None, "to": "reported", "by": by}],
        **extra,
    )


@pytest.fixture
def repo(tmp_path: Path, write_tree: Callable[..., Path]) -> Path:
    root = tmp_path / "repo"
    ticked = {ACTION: {"done": "2026-03-02", "by": "R. Ahmed"}}
    write_tree(
        {
            "clr.yaml": CONFIG_TEXT,
            f"cases/{A}/case.yaml": _case(A, "2026-03-02", "R. Ahmed", "Factory 1"),
            f"cases/{B}/case.yaml": _case(B, "2026-03-10", "L. Wei", "Farm 2"),
            f"cases/{C}/case.yaml": _case(C, "2026-05-01", "L. Wei", "Farm 2"),
            f"cases/{D}/case.yaml": _case(
                D, "2026-03-02", "R. Ahmed", "Factory 1", checklist=ticked
            ),
        },
        root=root,
    )
    return root


def agenda(repo: Path, *args: str) -> Result:
    result = guarded_run(["agenda", repo, "--as-of", AS_OF, "--days", "7", *args])
    assert result.exit_code == 0, describe(result)
    return result


def test_text_groups_by_caseworker_and_fits_80_columns(repo: Path) -> None:
    out = agenda(repo).stdout
    lines = out.splitlines()
    assert lines[0] == "2 actions due by 2026-03-16 (1 overdue), as of 2026-03-09"
    # groups sorted by name: L. Wei before R. Ahmed
    wei, ahmed = lines.index("person: L. Wei (1)"), lines.index("person: R. Ahmed (1)")
    assert wei < ahmed
    assert "2026-03-11  in 2d" in lines[wei + 1] and B in lines[wei + 1]
    assert "2026-03-03  overdue 6d" in lines[ahmed + 1] and A in lines[ahmed + 1]
    assert C not in out and D not in out and PSEUDONYM not in out
    assert all(len(line) <= 80 for line in lines), out


def test_group_by_site_role_and_week(repo: Path) -> None:
    weeks = agenda(repo, "--group-by", "week").stdout.splitlines()
    assert "week: 2026-W10, 2026-03-02 to 2026-03-08 (1)" in weeks
    assert "week: 2026-W11, 2026-03-09 to 2026-03-15 (1)" in weeks
    by_site = agenda(repo, "--group-by", "site").stdout
    assert "site: Factory 1 (1)" in by_site and "site: Farm 2 (1)" in by_site
    by_role = json.loads(agenda(repo, "-g", "role", "--format", "json").stdout)
    assert [g["group"] for g in by_role["groups"]] == ["provider"]
    by_week = json.loads(agenda(repo, "-g", "week", "--format", "json").stdout)
    assert [(g["group"], [i["case"] for i in g["items"]]) for g in by_week["groups"]] == [
        ("2026-W10", [A]),
        ("2026-W11", [B]),
    ]


def test_json_document(repo: Path) -> None:
    doc = json.loads(agenda(repo, "--format", "json").stdout)
    assert doc["version"] == 1 and doc["as_of"] == AS_OF and doc["until"] == "2026-03-16"
    assert (doc["count"], doc["overdue"], doc["failed"]) == (2, 1, [])
    items = {i["case"]: i for g in doc["groups"] for i in g["items"]}
    assert set(items) == {A, B}
    assert items[A]["overdue_days"] == 6 and items[A]["due"] == "2026-03-03"
    assert items[B]["overdue_days"] == 0 and items[B]["person"] == "L. Wei"
    assert items[A]["action"] == ACTION and items[A]["required"] is True


def test_horizon_and_filters(repo: Path) -> None:
    far = json.loads(agenda(repo, "--format", "json", "--days", "60").stdout)
    assert {i["case"] for g in far["groups"] for i in g["items"]} == {A, B, C}
    only_wei = json.loads(agenda(repo, "--format", "json", "--person", "L. Wei").stdout)
    assert {i["case"] for g in only_wei["groups"] for i in g["items"]} == {B}
    nobody = json.loads(agenda(repo, "--format", "json", "--role", "buyer").stdout)
    assert nobody["count"] == 0


def test_csv_worklist_reads_back(repo: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(agenda(repo, "--format", "csv").stdout)))
    assert [(r["case"], r["site"], r["action"], r["due"], r["person"]) for r in rows] == [
        (A, "Factory 1", ACTION, "2026-03-03", "R. Ahmed"),
        (B, "Farm 2", ACTION, "2026-03-11", "L. Wei"),
    ]
    assert rows[0]["overdue_days"] == "6" and rows[0]["role"] == "provider"
    assert all(PSEUDONYM not in v for r in rows for v in r.values())


def _unfold(data: bytes) -> list[str]:
    """RFC 5545 section 3.1: every line ends in CRLF, at most 75 octets; unfold them."""
    assert data.endswith(b"\r\n")
    physical = data.split(b"\r\n")[:-1]
    assert all(len(line) <= 75 for line in physical)
    logical: list[str] = []
    for line in physical:
        if line[:1] in (b" ", b"\t"):
            logical[-1] += line[1:].decode("utf-8")
        else:
            logical.append(line.decode("utf-8"))
    return logical


def test_ics_feed_parses_back_with_two_parsers(repo: Path) -> None:
    data = agenda(repo, "--format", "ics").stdout_bytes
    assert PSEUDONYM.encode() not in data
    cal = icalendar.Calendar.from_ical(data)
    events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {f"{A}.{ACTION}@clr.agenda", f"{B}.{ACTION}@clr.agenda"}
    late = events[f"{A}.{ACTION}@clr.agenda"]
    assert late.decoded("dtstart") == dt.date(2026, 3, 3)
    assert str(late["summary"]).startswith(f"OVERDUE 6d: {A}")
    assert str(late["location"]) == "Factory 1"
    alarms = late.walk("VALARM")
    assert len(alarms) == 1 and alarms[0].decoded("trigger") == -dt.timedelta(days=1)
    # an independent parser, and the raw lines
    parsed = vobject.readOne(data.decode("utf-8"))
    starts = sorted((e.uid.value, e.dtstart.value) for e in parsed.vevent_list)
    assert starts == [
        (f"{A}.{ACTION}@clr.agenda", dt.date(2026, 3, 3)),
        (f"{B}.{ACTION}@clr.agenda", dt.date(2026, 3, 11)),
    ]
    assert all(len(e.valarm_list) == 1 for e in parsed.vevent_list)
    lines = _unfold(data)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert lines.count("BEGIN:VEVENT") == 2 and "VERSION:2.0" in lines


def test_ics_uids_are_stable_from_day_to_day(repo: Path) -> None:
    def uids(as_of: str) -> list[str]:
        result = guarded_run(["agenda", repo, "--as-of", as_of, "--days", "7", "-f", "ics"])
        cal = icalendar.Calendar.from_ical(result.stdout_bytes)
        return sorted(str(e["uid"]) for e in cal.walk("VEVENT"))

    assert uids("2026-03-09") == uids("2026-03-10")


def test_digest_is_markdown_per_caseworker(repo: Path) -> None:
    out = agenda(repo, "--digest").stdout
    assert out.startswith("# Agenda, week 2026-W11\n")
    assert "**1 overdue**, **1 due** by 2026-03-16" in out
    assert "| R. Ahmed | 1 | 0 | 1 |" in out and "| L. Wei | 0 | 1 | 1 |" in out
    assert "## R. Ahmed" in out and f": {A} at Factory 1, {ACTION}: " in out
    assert "- **overdue 6 days** (due 2026-03-03)" in out
    assert PSEUDONYM not in out


def test_output_file_and_cache_follows_changes(repo: Path, tmp_path: Path) -> None:
    target = tmp_path / "feed.ics"
    agenda(repo, "-f", "ics", "-o", str(target))
    first = icalendar.Calendar.from_ical(target.read_bytes())
    assert len(first.walk("VEVENT")) == 2
    assert (repo / ".clr-cache" / "agenda.rows").is_file()
    # tick A's item: the cached agenda of A must not be used again
    path = repo / "cases" / A / "case.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["checklist"] = {ACTION: {"done": "2026-03-08", "by": "R. Ahmed"}}
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    doc = json.loads(agenda(repo, "-f", "json").stdout)
    assert [i["case"] for g in doc["groups"] for i in g["items"]] == [B]


def test_unreadable_case_is_reported_and_the_rest_listed(repo: Path) -> None:
    (repo / "cases" / "CLR-2026-EEEE5").mkdir()
    (repo / "cases" / "CLR-2026-EEEE5" / "case.yaml").write_text("id: [unclosed\n")
    result = guarded_run(["agenda", repo, "--as-of", AS_OF, "--days", "7", "-f", "json"])
    assert result.exit_code == 1, describe(result)
    doc = json.loads(result.stdout)
    assert doc["count"] == 2 and len(doc["failed"]) == 1
    assert "could not be read" in result.stderr


def test_control_characters_do_not_reach_the_terminal(
    tmp_path: Path, write_tree: Callable[..., Path]
) -> None:
    root = tmp_path / "ctl"
    write_tree(
        {
            "clr.yaml": CONFIG_TEXT,
            f"cases/{A}/case.yaml": _case(A, "2026-03-02", "R.\x1b[31m Ahmed", "Fac\x07tory"),
        },
        root=root,
    )
    out = agenda(root, "-g", "site").stdout
    assert "\x1b" not in out and "\x07" not in out and "Fac\\x07tory" in out


def test_digest_with_another_format_is_misuse(repo: Path) -> None:
    result = guarded_run(["agenda", repo, "--digest", "--format", "csv"])
    assert result.exit_code == 2, describe(result)
    assert "--digest" in result.stderr


def test_init_offers_a_scheduled_feed_job_that_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "new"
    made = guarded_run(["init", root, "--org", "Org", "--prefix", "AB", "--no-input"])
    assert made.exit_code == 0, describe(made)
    text = (root / ".github" / "workflows" / "clr.yml").read_text(encoding="utf-8")
    assert "agenda" not in yaml.safe_load(text)["jobs"]  # optional: off until uncommented
    lines = [line[1:] if line.startswith("#  ") else line for line in text.splitlines()]
    on = lines.index("on:")
    lines.insert(on + 1, '  schedule: [{cron: "0 5 * * 1-5"}]')
    workflow = yaml.safe_load("\n".join(lines))
    # YAML 1.1 reads the key "on" as true
    assert workflow[True]["schedule"] == [{"cron": "0 5 * * 1-5"}]
    job = workflow["jobs"]["agenda"]
    assert job["if"] == "github.event_name == 'schedule'"
    runs = [step["run"] for step in job["steps"] if "run" in step]
    feed = next(r for r in runs if r.startswith("clr agenda") and "ics" in r)
    monkeypatch.chdir(root)  # the job's command, in the new repository
    result = guarded_run(feed.split()[1:])
    assert result.exit_code == 0, describe(result)
    cal = icalendar.Calendar.from_ical((root / "agenda.ics").read_bytes())
    assert cal.walk("VEVENT") == []


def test_wrap_cuts_at_spaces_within_80_columns_and_marks_what_is_left_out() -> None:
    from clr.render.agenda import wrap

    text = " ".join(f"word{i}" for i in range(60)) + " " + "x" * 100
    lines = wrap(text, 14, max_lines=3)
    assert len(lines) == 3 and lines[-1].endswith(" [...]")
    assert all(len(line) <= 80 and line.startswith(" " * 14) for line in lines)
    shown = " ".join(line.strip() for line in lines[:2]).split()
    assert shown == text.split()[: len(shown)] and len(shown) > 10
    long = wrap("y" * 200, 2, 2)
    assert [len(line) for line in long] == [80, 80, 50] and "".join(long).count("y") == 200


def test_days_beyond_ten_years_is_misuse(repo: Path) -> None:
    result = guarded_run(["agenda", repo, "--days", "100000000"])
    assert result.exit_code == 2, describe(result)
    assert "--days" in result.stderr


def test_an_action_for_several_roles_is_listed_under_the_role_asked_for() -> None:
    from clr.render.agenda import render_csv
    from clr.views.agenda import CaseAgenda, Due, agenda_items, grouped

    today = dt.date(2026, 3, 9)
    visit = Due("mon-visit", "Visit.", ("provider", "community_facilitator"), today, True)
    cases = [CaseAgenda("a", None, A, "Farm 2", "L. Wei", "monitoring", (visit,))]
    every = agenda_items(cases, today)
    assert list(grouped(every, "role")) == ["community_facilitator", "provider"]
    assert [r["role"] for r in csv.DictReader(io.StringIO(render_csv(every, today)))] == [
        "provider",
        "community_facilitator",
    ]
    only = agenda_items(cases, today, role="community_facilitator")
    assert list(grouped(only, "role")) == ["community_facilitator"]
    rows = list(csv.DictReader(io.StringIO(render_csv(only, today))))
    assert [(r["case"], r["role"]) for r in rows] == [(A, "community_facilitator")]
