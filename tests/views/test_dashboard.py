"""clr dashboard, through the CLI: the page shows the figures of clr stats and nothing else.

Over a generated repository (benchmarks/generate.py: every stage, several currencies,
sites, months and caseworkers), every number on the page is read back from the HTML and
compared with ``clr stats --format json`` over the same cases; an investor's page holds
no case id and no caseworker's name; a buyer's page only consented cases.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from collections.abc import Mapping
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import Result

from clr.views import consent as clr_consent
from helpers_workflow import describe
from helpers_workflow import run as guarded_run

ROOT = Path(__file__).resolve().parents[2]
AS_OF = "2026-11-20"
ENV = {"NO_COLOR": "1", "COLUMNS": "100", "TERM": "dumb"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated repository of 60 cases (made once; tests copy it when they change it)."""
    root = tmp_path_factory.mktemp("dashboard") / "repo"
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate.py"), str(root), "--cases", "60"],
        check=True,
        capture_output=True,
    )
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    return root


@pytest.fixture
def repo(corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    import shutil

    root = tmp_path / "repo"
    shutil.copytree(corpus, root, ignore=shutil.ignore_patterns(".clr-cache"))
    monkeypatch.chdir(root)
    return root


def run(*args: str | Path) -> Result:
    return guarded_run(list(args), env=ENV)


def stats(*args: str) -> dict[str, Any]:
    result = run("stats", "--format", "json", "--as-of", AS_OF, *args)
    assert result.exit_code == 0, describe(result)
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def build(out: Path, *args: str) -> str:
    result = run("dashboard", "--output", out, "--as-of", AS_OF, *args)
    assert result.exit_code == 0, describe(result)
    return (out / "index.html").read_text(encoding="utf-8")


class Page(HTMLParser):
    """The numbers of a page: each ``data-figure`` element with its text, and any digit
    written in a table cell or a chart's value outside such an element."""

    VOID = ("meta", "rect", "br")

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.figures: list[tuple[dict[str, str], str]] = []
        self.stray: list[str] = []
        self.tags: list[str] = []
        self.open: list[tuple[int, dict[str, str], list[str]]] = []
        self.cells: list[int] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            return
        attributes = {k: v or "" for k, v in attrs}
        depth = len(self.tags)
        self.tags.append(tag)
        if tag == "td" or (tag == "text" and attributes.get("class") == "value"):
            self.cells.append(depth)
        if "data-figure" in attributes:
            self.open.append((depth, attributes, []))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        assert self.tags and self.tags[-1] == tag, (self.tags[-3:], tag)
        self.tags.pop()
        depth = len(self.tags)
        if self.open and self.open[-1][0] == depth:
            _, attributes, parts = self.open.pop()
            self.figures.append((attributes, "".join(parts)))
        if self.cells and self.cells[-1] == depth:
            self.cells.pop()

    def handle_data(self, data: str) -> None:
        if self.open:
            self.open[-1][2].append(data)
        elif self.cells and re.search(r"\d", data):
            self.stray.append(data)


def node_of(docs: Mapping[str, Mapping[str, Any]], attributes: Mapping[str, str]) -> Any:
    if attributes.get("data-by") == "monitoring":
        return {"suppressed": False, "figures": docs[""]["monitoring"]}
    doc = docs[attributes.get("data-by", "")]
    node = doc["total"]
    if "data-group" in attributes:
        node = next(g for g in doc["groups"] if g["group"] == attributes["data-group"])
    if attributes["data-sex"] != "all":
        node = node["by_sex"][attributes["data-sex"]]
    return node


def expected_value(node: Mapping[str, Any], path: str) -> Any:
    if node["suppressed"]:
        return "suppressed"
    value: Any = node["figures"]
    for key in path.split("."):
        if key not in value:
            return None  # not in this column (no payment in that currency, say): "–"
        value = value[key]
    return value


def shown(value: Any) -> str:
    if value == "suppressed":
        return "suppressed"
    if value is None:
        return "–"
    return f"{value:,}"


def check_numbers(html_text: str, docs: Mapping[str, Mapping[str, Any]]) -> int:
    page = Page(html_text)
    assert page.tags == [], page.tags[-3:]
    assert page.stray == [], "numbers on the page that are not tied to a figure"
    for attributes, text in page.figures:
        value = expected_value(node_of(docs, attributes), attributes["data-figure"])
        if isinstance(value, Mapping):  # a share or a median of a suppressed column
            value = "suppressed"
        assert text.removesuffix("%") == shown(value), (attributes, text, value)
        if "value" in attributes and isinstance(value, int | float):
            assert float(attributes["value"]) == value
    return len(page.figures)


def test_every_number_on_the_page_is_a_figure_of_clr_stats(repo: Path, tmp_path: Path) -> None:
    text = build(tmp_path / "site")
    docs = {
        "": stats(),
        "month": stats("--group-by", "month"),
        "caseworker": stats("--group-by", "caseworker"),
    }
    checked = check_numbers(text, docs)
    assert checked > 500
    page = Page(text)
    figures = {a["data-figure"] for a, _ in page.figures}
    # the charts the issue asks for, and the sector's figures
    for path in (
        "funnel.reported",
        "open_by_stage.monitoring",
        "speed.days_in_stage.assessed.median",
        "outcomes.in_school_at_last_visit.percent",
        "closure.by_reason.no_longer_in_CL",
        "sector.ici_two_follow_ups.percent",
        "sector.assessed_within_72_hours.count",
        "sector.by_channel.audit",
    ):
        assert path in figures, path
    assert any(f.startswith("money.per_case.") for f in figures)
    assert "overdue_by_role" in re.findall(r'<section id="([^"]+)"', text)
    assert {a.get("data-by") for a, _ in page.figures} >= {"month", "caseworker"}
    assert {a["data-sex"] for a, _ in page.figures} >= {"all", "female", "male"}


def test_a_table_behind_every_chart_and_text_alternatives(repo: Path, tmp_path: Path) -> None:
    text = build(tmp_path / "site")
    charts = re.findall(r"<svg [^>]*>", text)
    assert charts and all('role="img"' in c and "aria-labelledby" in c for c in charts)
    assert len(re.findall(r"<title id=", text)) == len(charts)
    assert len(re.findall(r"<desc id=", text)) == len(charts)
    assert text.count("<table>") == len(charts)
    assert text.count("<caption>") == len(charts)
    assert '<th scope="row">' in text and '<th scope="col">' in text
    assert '<html lang="en">' in text and text.count("<h1>") == 1
    assert text.count("<section ") == text.count("<h2 ")
    assert 'name="viewport"' in text and "@media print" in text
    assert f'<time datetime="{AS_OF}">' in text
    # nothing is fetched: no script, no link to anything outside the page
    assert "<script" not in text and "<link" not in text and "src=" not in text
    assert re.findall(r'href="([^"]*)"', text) and all(
        h.startswith("#") for h in re.findall(r'href="([^"]*)"', text)
    )
    assert "default-src 'none'" in text


def _case_ids(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "cases").iterdir() if p.is_dir())


def _people(root: Path) -> set[str]:
    names: set[str] = set()
    for path in (root / "cases").glob("*/case.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        names.update(e["by"] for e in data.get("history") or [] if e.get("by"))
    return names


def test_an_investor_page_holds_no_case_id_and_no_small_figure(repo: Path, tmp_path: Path) -> None:
    text = build(tmp_path / "site", "--for", "investor")
    ids = _case_ids(repo)
    assert ids
    for case_id in ids:
        assert case_id not in text
    people = _people(repo)
    assert people
    for name in people:
        assert f">{name}<" not in text and f'"{name}"' not in text
    assert "cases/" not in text
    docs = {
        "": stats("--min-count", "5"),
        "month": stats("--group-by", "month", "--min-count", "5"),
    }
    check_numbers(text, docs)
    page = Page(text)
    assert "caseworker" not in {a.get("data-by") for a, _ in page.figures}
    for attributes, shown_text in page.figures:
        path = attributes["data-figure"]
        if path.endswith((".count", ".of", ".cases")) or path.startswith(("funnel.", "open")):
            number = shown_text.replace(",", "")
            assert not number.isdigit() or int(number) == 0 or int(number) >= 5, attributes
    assert "suppressed" in text
    ledger = repo / ".clr" / "shared.jsonl"
    assert json.loads(ledger.read_text(encoding="utf-8").splitlines()[-1])["count"] == len(ids)


def test_an_investor_page_is_refused_for_a_selection_a_few_cases_off_an_earlier_one(
    repo: Path, tmp_path: Path
) -> None:
    build(tmp_path / "all", "--for", "investor")
    folders = sorted(p for p in (repo / "cases").iterdir() if p.is_dir())
    result = run(
        "dashboard", *folders[1:], "--for", "investor", "--output", tmp_path / "less",
        "--as-of", AS_OF,
    )  # fmt: skip
    assert result.exit_code == 1, describe(result)
    assert "shared.jsonl" in result.stderr
    assert not (tmp_path / "less").exists()


def _consents(path: Path) -> bool:
    """The guardian consented and, from 16, the child too (refused assent counts against)."""
    # Dates as clr reads them (strings), so that the child's age comes from the birth date.
    data = json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))
    consent = (data.get("assessment") or {}).get("consent") or {}
    share = (consent.get("guardian") or {}).get("share_with_buyer") or {}
    if not (share.get("given") is True and str(share.get("date", "9999")) <= AS_OF):
        return False
    child = (consent.get("child") or {}).get("share_with_buyer") or {}
    if child.get("given") is False:
        return False
    age = clr_consent.child_age(data, dt.date.fromisoformat(AS_OF))
    if age is not None and age >= 16:
        return child.get("given") is True and str(child.get("date", "9999")) <= AS_OF
    return True


def test_a_buyer_page_shows_only_consented_cases_and_no_split_by_sex(
    repo: Path, tmp_path: Path
) -> None:
    result = run("dashboard", "--for", "buyer", "--output", tmp_path / "site", "--as-of", AS_OF)
    assert result.exit_code == 0, describe(result)
    text = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    consented = [p.parent for p in sorted((repo / "cases").glob("*/case.yaml")) if _consents(p)]
    assert 0 < len(consented) < len(_case_ids(repo))
    left = len(_case_ids(repo)) - len(consented)
    assert f"left out {left} case" in result.stderr
    folders = [str(p) for p in consented]
    docs = {"": stats(*folders), "month": stats(*folders, "--group-by", "month")}
    check_numbers(text, docs)
    page = Page(text)
    assert {a["data-sex"] for a, _ in page.figures} == {"all"}
    assert not any(a["data-figure"].startswith("sector.by_channel") for a, _ in page.figures)
    assert "caseworker" not in {a.get("data-by") for a, _ in page.figures}


def test_values_from_case_files_are_escaped(repo: Path, tmp_path: Path) -> None:
    case = sorted((repo / "cases").glob("*/case.yaml"))[0]
    lines = case.read_text(encoding="utf-8").splitlines(keepends=True)
    start = lines.index("history:\n")
    end = next(i for i in range(start + 1, len(lines)) if lines[i][:1].isalpha())
    last = max(i for i in range(start, end) if lines[i].strip().startswith("by:"))
    indent = lines[last][: len(lines[last]) - len(lines[last].lstrip())]
    lines[last] = indent + "by: '<script>alert(\"x\")</script>'\n"
    case.write_text("".join(lines), encoding="utf-8")
    text = build(tmp_path / "site")
    assert "<script" not in text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text
    Page(text)  # still well nested


def test_a_case_that_cannot_be_read_is_listed_for_the_team_and_counted_for_others(
    repo: Path, tmp_path: Path
) -> None:
    broken = sorted((repo / "cases").glob("*/case.yaml"))[0]
    broken.write_text("id: [unclosed\n", encoding="utf-8")
    result = run("dashboard", "--output", tmp_path / "team", "--as-of", AS_OF)
    assert result.exit_code == 1
    assert "could not be read" in result.stderr
    team = (tmp_path / "team" / "index.html").read_text(encoding="utf-8")
    assert broken.parent.name in team
    result = run("dashboard", "--for", "investor", "--output", tmp_path / "inv", "--as-of", AS_OF)
    assert result.exit_code == 1
    investor = (tmp_path / "inv" / "index.html").read_text(encoding="utf-8")
    assert broken.parent.name not in investor
    assert "1 case files could not be read" in investor


def test_wrong_use_is_refused_and_writes_nothing(repo: Path, tmp_path: Path) -> None:
    result = run("dashboard", "--for", "supplier", "--output", tmp_path / "s", "--as-of", AS_OF)
    assert result.exit_code == 2
    assert not (tmp_path / "s").exists()
    missing = run("dashboard", "--as-of", AS_OF)
    assert missing.exit_code == 2 and "--output" in missing.stderr
    a_file = tmp_path / "file"
    a_file.write_text("keep\n", encoding="utf-8")
    result = run("dashboard", "--output", a_file, "--as-of", AS_OF)
    assert result.exit_code == 1
    assert "is a file, not a folder" in result.stderr
    assert "Traceback" not in result.output
    assert a_file.read_text(encoding="utf-8") == "keep\n"


def test_too_few_cases_for_an_investor_show_nothing(tmp_path: Path) -> None:
    root = tmp_path / "few"
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate.py"), str(root), "--cases", "3"],
        check=True,
        capture_output=True,
    )
    result = run("dashboard", root, "--for", "investor", "--output", tmp_path / "s")
    assert result.exit_code == 0, describe(result)
    text = (tmp_path / "s" / "index.html").read_text(encoding="utf-8")
    assert "<svg" not in text and "<table" not in text
    assert "Too few cases to show any figure" in text
    for case_id in _case_ids(root):
        assert case_id not in text


def test_stats_draws_bars_on_a_terminal_and_plain_tables_off_it(repo: Path) -> None:
    import os

    import pexpect

    clr_bin = str(Path(sys.executable).with_name("clr"))
    env = {**os.environ, "COLUMNS": "80", "LINES": "40", "TERM": "xterm", "NO_COLOR": "1"}
    child = pexpect.spawn(
        clr_bin,
        ["stats", "--as-of", AS_OF],
        cwd=str(repo),
        env=env,
        dimensions=(40, 80),
        encoding="utf-8",
        timeout=60,
    )
    screen = child.read()
    child.close()
    assert child.exitstatus == 0, screen
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in screen.splitlines()]
    funnel = lines.index("funnel: cases that reached each stage")
    reported = lines[funnel + 1]
    assert reported.split()[0] == "reported" and "█" in reported
    total = stats()["total"]["figures"]
    assert reported.split()[-1] == str(total["funnel"]["reported"])
    # the longest bar is the largest figure, and the bars shrink down the funnel (closed
    # aside: a case may close from any stage)
    widths = [lines[funnel + 1 + i].count("█") for i in range(len(total["funnel"]) - 1)]
    assert widths == sorted(widths, reverse=True) and widths[0] > 40
    assert all(len(line) <= 80 for line in lines)
    assert "closure mix: closed cases by reason" in lines
    piped = run("stats", "--as-of", AS_OF)
    assert piped.exit_code == 0
    assert "█" not in piped.stdout and piped.stdout.startswith("All cases")


# --- the register of monitoring rounds --------------------------------------------------


def _found_by_monitoring(root: Path) -> list[tuple[str, str]]:
    """(site, month of discovery) of every case found by a monitoring visit, read here."""
    out = []
    for path in sorted((root / "cases").glob("*/case.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if data["discovery"].get("channel") == "clmrs_visit":
            out.append((data["site"]["name"], str(data["discovery"]["date"])[:7]))
    return out


def write_rounds(root: Path, rounds: list[dict[str, Any]]) -> Path:
    path = root / "monitoring" / "rounds.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(yaml.safe_dump({"schema_version": 1, "rounds": rounds}), encoding="utf-8")
    return path


def test_the_identification_rate_divides_cases_found_by_children_monitored(
    repo: Path, tmp_path: Path
) -> None:
    found = _found_by_monitoring(repo)
    assert len(found) >= 2
    (site_a, month_a), (site_b, month_b) = found[0], found[1]
    rounds = [
        {"site": site_a, "month": month_a, "households": 40, "children": 95},
        {"site": site_b, "month": month_b, "households": 60, "children": 150},
        {"site": "Farm Nowhere", "month": month_b, "households": 10, "children": 20},
        # the right site, a month without a case found there
        {"site": site_a, "month": "2019-01", "households": 5, "children": 9},
    ]
    write_rounds(repo, rounds)
    monitoring = stats()["monitoring"]
    hits = sum(
        (r["site"], r["month"]) == pair for r in rounds for pair in found
    )  # cases found by each round, counted here from the case files
    assert (monitoring["rounds"], monitoring["households"], monitoring["children"]) == (
        4,
        115,
        274,
    )
    assert monitoring["identified"] == hits
    assert monitoring["identification_rate"] == {
        "count": hits,
        "of": 274,
        "percent": round(100 * hits / 274, 1),
    }
    assert monitoring["by_site"]["Farm Nowhere"]["identified"] == 0
    assert sum(m["children"] for m in monitoring["by_month"].values()) == 274
    text = build(tmp_path / "site")
    assert 'id="monitoring"' in text
    docs = {
        "": stats(),
        "month": stats("--group-by", "month"),
        "caseworker": stats("--group-by", "caseworker"),
    }
    check_numbers(text, docs)
    csv_rows = run("stats", "--format", "csv", "--as-of", AS_OF).stdout.splitlines()
    assert "monitoring,,all,children,274" in csv_rows
    investor = stats("--min-count", "5")["monitoring"]
    assert "by_month" not in investor and "by_site" not in investor
    assert investor["identified"] == ("suppressed" if 0 < hits < 5 else hits)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("schema_version: 1\nrounds:\n  - site: A\n    month: 2026-13\n    households: 1\n"
         "    children: 2\n", 4, "month"),
        ("schema_version: 1\nrounds:\n  - site: A\n    month: 2026-01\n    households: -1\n"
         "    children: 2\n", 5, "households"),
        ("schema_version: 1\nrounds:\n  - {site: A, month: 2026-01, households: 1, children: 2}\n"
         "  - {site: A, month: 2026-01, households: 3, children: 4}\n", 4, "already entry 1"),
        ("schema_version: 1\nrounds: [\n", 3, ""),
    ],
    ids=["bad-month", "negative", "twice", "not-yaml"],
)  # fmt: skip
def test_a_wrong_register_names_the_file_and_line(
    repo: Path, text: str, line: int, words: str
) -> None:
    path = repo / "monitoring" / "rounds.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    result = run("stats", "--as-of", AS_OF)
    assert result.exit_code == 1
    assert f"error: monitoring/rounds.yaml:{line}: " in result.stderr, result.stderr
    assert words in result.stderr and "Traceback" not in result.output


def test_the_brief_figures_of_a_group_are_its_full_figures(repo: Path) -> None:
    """A breakdown without suppression holds only the counts the page shows of each group:
    they must be the very figures ``clr stats --group-by`` gives that group."""
    import datetime as dt
    from dataclasses import replace

    from clr.views import figures, load
    from clr.views.summary import CaseSummary

    today = dt.date.fromisoformat(AS_OF)
    loaded = load.load_summaries([repo], today)
    # the generated cases have no overdue action: give some of them one or two
    cases = [
        replace(c, overdue_actions=("visit", "plan")[: i % 3], overdue_roles=("caseworker",))
        if i % 3
        else c
        for i, c in enumerate(loaded)
    ]
    broken = CaseSummary(path="x/case.yaml", error="cannot be read")
    for by in ("month", "caseworker", "sex"):
        full = figures.stats_document([*cases, broken], today, by=by)
        brief = figures.stats_document([*cases, broken], today, by=by, brief_groups=True)
        assert brief["total"] == full["total"]
        assert [g["group"] for g in brief["groups"]] == [g["group"] for g in full["groups"]]
        for short, whole in zip(brief["groups"], full["groups"], strict=True):
            assert set(short["figures"]) == set(figures.BRIEF)
            assert short["figures"] == {k: whole["figures"][k] for k in figures.BRIEF}
    suppressed = figures.stats_document(cases, today, by="month", min_count=5, brief_groups=True)
    assert suppressed == figures.stats_document(cases, today, by="month", min_count=5)


def test_a_page_lists_a_hundred_unreadable_files_at_most(repo: Path, tmp_path: Path) -> None:
    from clr.render.dashboard import FAILED_SHOWN

    broken = FAILED_SHOWN + 25
    for i in range(broken):
        folder = repo / "cases" / f"BEN-2026-Z{i:04d}"
        folder.mkdir()
        (folder / "case.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    result = run("dashboard", "--output", tmp_path / "site", "--as-of", AS_OF)
    assert result.exit_code == 1
    text = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    listed = re.search(r'<section id="failed".*?</section>', text, re.S)
    assert listed is not None
    assert listed.group(0).count("BEN-2026-Z") == FAILED_SHOWN
    assert f"{broken:,} case files could not be read" in text
    assert "and 25 more: &#x27;clr validate&#x27; lists every one" in text
