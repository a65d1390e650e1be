"""Disclosure control of shared figures: differencing attacks on clr stats and investor exports.

Two kinds of test. Property tests build random portfolios (``CaseSummary`` objects) and
check the protected stats document against rules written here independently of
``clr.views.disclosure``: no visible figure rests on 1 to min_count - 1 cases, and no sum
of figures (sex splits and their group, groups and the total, the sums inside one column)
has exactly one hidden term, so that no hidden figure is a visible total minus visible
cells. Each sum is first checked to hold on the unprotected figures, so that the test
knows it is a real identity. CLI tests attack the example repository (each currency there
belongs to one country's cases) as an investor would: per-currency totals, medians,
hand-picked files, and two exports that differ by one case.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from typer.testing import Result

from clr.model import stages
from clr.model.vocabulary import AGE_BANDS, SEXES
from clr.views.disclosure import SUPPRESSED
from clr.views.figures import GROUP_FIELDS, group_key, stats_document
from clr.views.summary import CaseSummary
from helpers_workflow import clr_executable, describe, run

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
AS_OF = "2026-11-20"
TODAY = dt.date(2026, 11, 20)
OPEN_STAGES = [s for s in stages.STAGES if s != "closed"]

# --- random portfolios -----------------------------------------------------------------------

_payment = st.tuples(
    st.sampled_from(["BDT", "XOF", "INR"]),
    st.integers(1, 50_000).map(float),
    st.sampled_from(["buyer", "supplier", "family"]),
    st.sampled_from(["stipend", "school_fees"]),
)


@st.composite
def _case(draw: st.DrawFn, number: int) -> CaseSummary:
    closed = draw(st.booleans())
    furthest = draw(st.integers(0, len(OPEN_STAGES) - 1))
    stage = "closed" if closed else OPEN_STAGES[draw(st.integers(0, furthest))]
    days = st.integers(0, 400)
    return CaseSummary(
        path=f"cases/C{number}/case.yaml",
        id=f"C{number}",
        stage=stage,
        track=draw(st.sampled_from(stages.TRACKS)),
        supplier=draw(st.sampled_from(["S1", "S2", "S3", None])),
        buyer=draw(st.sampled_from(["Acme", "Bolt"])),
        country=draw(st.sampled_from(["BD", "CI", "IN"])),
        sector=draw(st.sampled_from(["cocoa", "garments"])),
        sex=draw(st.sampled_from([*SEXES[:2], SEXES[2], None])),
        age_band=draw(st.sampled_from(AGE_BANDS)),
        furthest=furthest,
        closure_reason=draw(st.sampled_from(stages.CLOSURE_REASONS[:4])) if closed else None,
        overdue_actions=tuple(draw(st.lists(st.sampled_from(["a", "b"]), max_size=2, unique=True))),
        stage_days=tuple((s, draw(days)) for s in OPEN_STAGES[: draw(st.integers(0, 3))]),
        milestone_days=(("protected", draw(days)),) if draw(st.booleans()) else (),
        age_verified=draw(st.booleans()),
        family_reached=draw(st.booleans()),
        consent_and_assent=draw(st.booleans()),
        plan_signed_by_all=draw(st.booleans()),
        support=draw(st.booleans()),
        visits=draw(st.integers(0, 3)),
        in_school_at_last_visit=draw(st.sampled_from([True, False, None])),
        clear_last_two_visits=draw(st.sampled_from([True, False, None])),
        refound_working=draw(st.sampled_from([True, False, None])),
        reopens=f"C{number - 1}" if number and draw(st.integers(0, 9)) == 0 else None,
        job_offered=draw(st.booleans()),
        job_accepted=draw(st.booleans()),
        payments=tuple(draw(st.lists(_payment, max_size=3))),
        stipends_on_time=tuple(draw(st.lists(st.booleans(), max_size=2))),
        stipend_covers_wage=draw(st.sampled_from([True, False, None])),
        root_causes=tuple(
            draw(st.lists(st.sampled_from(["poverty", "agent"]), max_size=2, unique=True))
        ),
        corrective_action=draw(st.booleans()),
        channel=draw(st.sampled_from(["audit", "hotline", None])),
        forged_id=draw(st.booleans()),
        recent=draw(st.booleans()),
        in_person_visits=draw(st.integers(0, 2)),
        assessment_days=draw(st.sampled_from([None, 1, 3, 9])),
    )


@st.composite
def portfolios(draw: st.DrawFn) -> list[CaseSummary]:
    size = draw(st.integers(0, 40))
    return [draw(_case(i)) for i in range(size)]


# --- the rules, written independently of clr.views.disclosure -------------------------------


def _columns(doc: Mapping[str, Any]) -> Iterator[tuple[str, str, Mapping[str, Any] | None]]:
    """Every column (group, sex) of a stats document, hidden ones included."""
    sexes = list(doc["total"].get("by_sex", {}))
    for group in [doc["total"], *doc["groups"]]:
        label = group["group"] or ""
        yield label, "all", group
        for sex in sexes:
            yield label, sex, group.get("by_sex", {}).get(sex)


def _leaves(figs: Mapping[str, Any], prefix: tuple[str, ...] = ()) -> Iterator[tuple[Any, Any]]:
    for key, value in figs.items():
        if isinstance(value, Mapping):
            yield from _leaves(value, (*prefix, key))
        else:
            yield (*prefix, key), value


class Cells:
    """The figures of a document by (group, sex, path); a hidden one is SUPPRESSED."""

    def __init__(self, doc: Mapping[str, Any]) -> None:
        self.values: dict[tuple[str, str, tuple[str, ...]], Any] = {}
        self.hidden_columns: set[tuple[str, str]] = set()
        self.present: set[tuple[str, str]] = set()
        for group, sex, node in _columns(doc):
            if node is None:
                # A sex missing from a shown group has no case; from a hidden group, unknown.
                continue
            self.present.add((group, sex))
            if node["suppressed"]:
                self.hidden_columns.add((group, sex))
                continue
            for path, value in _leaves(node["figures"]):
                self.values[group, sex, path] = value

    def get(self, group: str, sex: str, path: tuple[str, ...]) -> Any:
        if (group, sex) in self.hidden_columns or (group, "all") not in self.present:
            return SUPPRESSED  # hidden, or a group left out (when the total is hidden)
        if (group, sex) not in self.present:
            hidden_group = (group, "all") in self.hidden_columns
            return SUPPRESSED if hidden_group else 0
        return self.values.get((group, sex, path), 0)


def _additive(path: tuple[str, ...]) -> bool:
    ratio = "per_case" in path or "per_child_remediated" in path
    return path[-1] not in ("percent", "median") and not ratio


def sums(doc: Mapping[str, Any]) -> list[tuple[tuple[Any, ...], list[tuple[Any, ...]]]]:
    """Every identity total = sum(parts) between the figures of a (full) document."""
    cells = Cells(doc)
    groups = [g["group"] for g in doc["groups"]]
    sexes = list(doc["total"].get("by_sex", {}))
    paths = {p for (_, _, p) in cells.values if _additive(p)}
    out: list[tuple[tuple[Any, ...], list[tuple[Any, ...]]]] = []
    for path in paths:
        for group in ["", *groups]:
            out.append(((group, "all", path), [(group, s, path) for s in sexes]))
        if groups:
            for sex in ["all", *sexes]:
                out.append((("", sex, path), [(g, sex, path) for g in groups]))
    columns = {(g, s) for (g, s, _) in cells.values}
    for group, sex in columns:

        def under(*prefix: str, group: str = group, sex: str = sex) -> list[tuple[Any, ...]]:
            n = len(prefix)
            return [
                (group, sex, p)
                for (g, s, p) in cells.values
                if (g, s) == (group, sex) and p[:n] == prefix and len(p) == n + 1
            ]

        col = (group, sex)
        out.append(((*col, ("cases",)), [(*col, ("open",)), (*col, ("closed",))]))
        out.append(((*col, ("open",)), under("open_by_stage")))
        out.append(((*col, ("closed",)), under("closure", "by_reason")))
        out.append(((*col, ("cases",)), [(*col, ("funnel", "reported"))]))
        out.append(((*col, ("overdue", "actions")), under("overdue", "by_action")))
        out.append(((*col, ("cases",)), under("sector", "by_channel")))
        for currency in {p[2] for (g, s, p) in cells.values if p[:2] == ("money", "total")}:
            payers = {p[2] for (g, s, p) in cells.values if p[:2] == ("money", "by_payer")}
            parts = [(*col, ("money", "by_payer", payer, currency)) for payer in payers]
            out.append(((*col, ("money", "total", currency)), parts))
    return out


def _number(value: Any) -> float:
    return float(value)


def check_document(
    full: Mapping[str, Any],
    doc: Mapping[str, Any],
    cases: Sequence[CaseSummary],
    min_count: int,
) -> None:
    """No hidden figure is recoverable by one sum, and no visible one rests on few cases."""
    everything, shown = Cells(full), Cells(doc)
    for total, parts in sums(full):
        if not parts:
            continue
        whole = everything.get(*total)
        assert _number(whole) == pytest.approx(sum(_number(everything.get(*p)) for p in parts)), (
            total,
            parts,
        )
        if _number(whole) == 0:
            continue  # every term is zero: working one out tells of no child
        hidden = [c for c in (total, *parts) if shown.get(*c) == SUPPRESSED]
        assert len(hidden) != 1, f"{hidden[0]} = {total} minus the other visible terms"
    small = range(1, min_count)
    by = doc["by"]
    for (group, sex, path), value in shown.values.items():
        if value == SUPPRESSED or value is None:
            continue  # None: nothing to compute it over (no case), which describes no child
        members = [
            c
            for c in cases
            if (not group or group_key(c, by) == group) and sex in ("all", group_key(c, "sex"))
        ]
        if path[0] == "money":
            if "stipend_on_time" in path:
                support = sum(bool(c.stipends_on_time) for c in members)
            elif "stipend_at_least_lost_wage" in path:
                support = sum(c.stipend_covers_wage is not None for c in members)
            else:
                marks = set(path[1:])
                support = sum(
                    any(
                        all(mark in (p[0], p[2]) for mark in marks & {"BDT", "XOF", "INR"})
                        and all(mark == p[2] for mark in marks & {"buyer", "supplier", "family"})
                        for p in c.payments
                    )
                    for c in members
                )
            assert support not in small, (group, sex, path, value, support)
        elif path[-1] == "median":
            assert shown.values[group, sex, (*path[:-1], "cases")] not in small
        elif path[-1] == "count" and isinstance(value, int):
            of = shown.values[group, sex, (*path[:-1], "of")]
            assert value not in small and of != SUPPRESSED and of - value not in small
        elif isinstance(value, int) and not isinstance(value, bool):
            assert value not in small, (group, sex, path, value)


BY = [None, *GROUP_FIELDS]


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # shrinking these takes minutes
)
@pytest.mark.slow  # 50 random portfolios: 5 to 10 s
@given(portfolios(), st.sampled_from(BY), st.integers(2, 6))
@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")  # long reprs
def test_no_hidden_figure_is_a_visible_total_minus_visible_cells(
    cases: list[CaseSummary], by: str | None, min_count: int
) -> None:
    full = stats_document(cases, TODAY, by=by)
    doc = stats_document(cases, TODAY, by=by, min_count=min_count)
    check_document(full, doc, cases, min_count)
    # Suppression only hides: every figure left is the figure computed over all cases.
    computed = Cells(full).values
    for key, value in Cells(doc).values.items():
        if value != SUPPRESSED:
            assert computed[key] == value


def test_the_checker_catches_a_single_hidden_term() -> None:
    """The rules above find a leak when one is planted (so the property can fail)."""
    cases = [
        CaseSummary(path=f"c{i}", id=f"C{i}", stage="reported", sex="female" if i < 2 else "male")
        for i in range(9)
    ]
    full = stats_document(cases, TODAY)
    doc = stats_document(cases, TODAY, min_count=5)
    check_document(full, doc, cases, 5)
    assert doc["total"]["by_sex"]["female"]["suppressed"]
    assert doc["total"]["by_sex"]["male"]["suppressed"]  # 7 cases, hidden as the complement
    doc["total"]["by_sex"]["male"] = full["total"]["by_sex"]["male"]
    with pytest.raises(AssertionError, match="minus the other visible terms"):
        check_document(full, doc, cases, 5)


def test_one_currency_one_case_medians_over_one_case() -> None:
    """Twelve cases; one was paid in XOF, one left stage monitoring."""
    cases = [
        CaseSummary(
            path=f"c{i}",
            id=f"C{i}",
            stage="monitoring" if i else "closed",
            sex="female",
            furthest=stages.index("monitoring"),
            closure_reason=None if i else "no_longer_in_CL",
            stage_days=(("monitoring", 200),) if i == 0 else (("assessed", i),),
            payments=(("XOF", 30_000.0, "buyer", "stipend"),)
            if i == 0
            else (("BDT", 4500.0, "supplier", "stipend"),),
        )
        for i in range(12)
    ]
    full = stats_document(cases, TODAY)["total"]["figures"]
    figs = stats_document(cases, TODAY, min_count=5)["total"]["figures"]
    assert full["money"]["total"]["XOF"] == 30_000
    assert figs["money"]["total"] == {"BDT": 49_500, "XOF": SUPPRESSED}
    assert figs["money"]["per_case"]["XOF"] == SUPPRESSED
    assert figs["money"]["by_payer"]["buyer"]["XOF"] == SUPPRESSED
    assert full["speed"]["days_in_stage"]["monitoring"] == {"median": 200, "cases": 1}
    assert figs["speed"]["days_in_stage"]["monitoring"] == {
        "median": SUPPRESSED,
        "cases": SUPPRESSED,
    }
    assert figs["speed"]["days_in_stage"]["assessed"]["median"] == 6
    # One closed case: closed is hidden, and open (11 = 12 - closed) with it.
    assert (figs["cases"], figs["closed"], figs["open"]) == (12, SUPPRESSED, SUPPRESSED)
    # 11 of 12 in school would leave 1 out of school: a share is hidden when either side is small.
    assert full["outcomes"]["reopened"] == {"count": 0, "of": 12, "percent": 0.0}
    assert figs["outcomes"]["reopened"] == full["outcomes"]["reopened"]


def test_no_suppression_without_min_count() -> None:
    cases = [CaseSummary(path="c", id="C", stage="reported", sex="female")]
    doc = stats_document(cases, TODAY)
    assert f'"{SUPPRESSED}"' not in json.dumps(doc).replace('"suppressed": false', "")
    assert doc["total"]["figures"]["cases"] == 1


# --- through the CLI, on the example repository -----------------------------------------------


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


@pytest.fixture
def examples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "examples"
    shutil.copytree(EXAMPLES, root, ignore=shutil.ignore_patterns("invalid", ".clr-cache"))
    git(root, "init", "-q")
    monkeypatch.chdir(root)
    return root


def clr(*args: str | Path) -> Result:
    return run([*args, "--as-of", AS_OF])


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def case_files(root: Path) -> list[Path]:
    return sorted((root / "cases").glob("*/case.yaml"))


def test_investor_export_hides_what_one_case_pays_and_medians_of_one(
    examples: Path, tmp_path: Path
) -> None:
    everything = clr("export", "--csv", tmp_path / "all")
    assert everything.exit_code == 0, describe(everything)
    payers: dict[str, set[str]] = {}
    for row in read_csv(tmp_path / "all" / "payments.csv"):
        payers.setdefault(row["currency"], set()).add(row["case_id"])
    single = [cur for cur, ids in payers.items() if len(ids) < 5]
    assert single  # the example repository has currencies paid to fewer than five children
    result = clr("export", "--for", "investor", "--csv", tmp_path / "inv")
    assert result.exit_code == 0, describe(result)
    rows = {(r["sex"], r["metric"]): r["value"] for r in read_csv(tmp_path / "inv" / "figures.csv")}
    for (sex, metric), value in rows.items():
        parts = metric.split(".")
        if value == SUPPRESSED or sex != "all":
            continue
        if parts[0] == "money" and set(parts) & set(payers):
            currency = (set(parts) & set(payers)).pop()
            assert len(payers[currency]) >= 5, (metric, value)
        if parts[-1] == "median" and value:
            assert int(rows[sex, metric[: -len("median")] + "cases"]) >= 5, metric
        if parts[-1] in ("count", "of") or metric in ("cases", "open", "closed"):
            assert value == "0" or int(value) >= 5, (metric, value)
    for currency in single:
        assert rows["all", f"money.total.{currency}"] == SUPPRESSED


def test_stats_by_country_no_hidden_figure_follows_from_the_total(examples: Path) -> None:
    full = json.loads(clr("stats", "--group-by", "country", "--format", "json").stdout)
    result = clr("stats", "--group-by", "country", "--min-count", "5", "--format", "json")
    assert result.exit_code == 0, describe(result)
    doc = json.loads(result.stdout)
    countries = {g["group"]: g["suppressed"] for g in doc["groups"]}
    assert list(countries.values()).count(True) != 1
    # Every money figure per country rests on one country's cases: all hidden or gone.
    money = doc["total"]["figures"]["money"]["total"]
    assert money and set(money.values()) == {SUPPRESSED}
    text = clr("stats", "--group-by", "country", "--min-count", "5")
    assert text.exit_code == 0 and "total: XOF" in text.stdout
    line = next(x for x in text.stdout.splitlines() if "total: XOF" in x)
    assert line.split()[2] == SUPPRESSED
    # The rules of the property test hold on the real figures too.
    from clr.views.load import load_summaries

    cases = [c for c in load_summaries([examples], TODAY) if c.ok]
    check_document(full, doc, cases, 5)


def test_two_investor_exports_that_differ_by_one_case(examples: Path, tmp_path: Path) -> None:
    first = clr("export", "--for", "investor", "--csv", tmp_path / "first")
    assert first.exit_code == 0, describe(first)
    ledger = examples / ".clr" / "shared.jsonl"
    entries = [json.loads(x) for x in ledger.read_text().splitlines()]
    assert [(e["audience"], e["count"], e["date"]) for e in entries] == [("investor", 15, AS_OF)]
    assert "EXR-" not in ledger.read_text()  # digests of case ids, not the ids
    files = case_files(examples)
    out = tmp_path / "second"
    for left_out in (1, 2, 4):
        result = clr("export", *files[left_out:], "--for", "investor", "--csv", out)
        assert result.exit_code == 1, describe(result)
        assert f"differ by only {left_out} case" in result.stderr
        assert ".clr/shared.jsonl, line 1" in result.stderr and "Traceback" not in result.stderr
        assert not out.exists()
    again = clr("export", "--for", "investor", "--csv", tmp_path / "again")
    assert again.exit_code == 0, describe(again)  # the same cases: nothing new
    apart = clr("export", *files[5:], "--for", "investor", "--csv", out)
    assert apart.exit_code == 0, describe(apart)
    assert len(ledger.read_text().splitlines()) == 3
    # Adding one case to a shared selection is the same attack, the other way round.
    plus_one = clr("export", *files[4:], "--for", "investor", "--sqlite", tmp_path / "x.db")
    assert plus_one.exit_code == 1 and "differ by only" in plus_one.stderr
    assert not (tmp_path / "x.db").exists()
    # stats --min-count checks the same ledger; without --min-count it is for the team.
    stats = clr("stats", *files[1:], "--min-count", "5")
    assert stats.exit_code == 1 and "differ by only 1 case" in stats.stderr
    assert stats.stdout == ""
    assert clr("stats", *files[1:]).exit_code == 0


@pytest.mark.parametrize("picked", [1, 2, 3, 4])
def test_hand_picked_files_below_min_count_show_nothing(
    examples: Path, tmp_path: Path, picked: int
) -> None:
    files = case_files(examples)[:picked]
    result = clr("export", *files, "--for", "investor", "--csv", tmp_path / "inv")
    assert result.exit_code == 0, describe(result)
    assert read_csv(tmp_path / "inv" / "figures.csv") == [
        {"scope": "total", "group": "", "sex": "all", "metric": "suppressed", "value": "true"}
    ]
    assert not (examples / ".clr" / "shared.jsonl").exists()  # nothing shared, nothing recorded
    stats = clr("stats", *files, "--min-count", "5", "--format", "json", "--group-by", "country")
    assert json.loads(stats.stdout)["total"]["figures"] is None


def test_a_broken_ledger_is_a_clear_error(examples: Path, tmp_path: Path) -> None:
    ledger = examples / ".clr" / "shared.jsonl"
    ledger.parent.mkdir()
    ledger.write_text('{"date": "2026-01-01"}\n')
    result = clr("export", "--for", "investor", "--csv", tmp_path / "inv")
    assert result.exit_code == 1, describe(result)
    assert ".clr/shared.jsonl, line 1: not a record of clr's" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "inv").exists()
    ledger.unlink()
    os.mkfifo(ledger)
    fifo = subprocess.run(
        [
            clr_executable(),
            "export",
            "--for",
            "investor",
            "--csv",
            str(tmp_path / "inv"),
            "--as-of",
            AS_OF,
        ],
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert fifo.returncode == 1 and "shared.jsonl" in fifo.stderr, fifo.stderr


def test_outside_a_repository_the_export_says_it_was_not_compared(
    examples: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loose = tmp_path / "loose"
    loose.mkdir()
    for path in case_files(examples)[:6]:
        (loose / path.parent.name).mkdir()
        shutil.copy(path, loose / path.parent.name / "case.yaml")
    monkeypatch.chdir(tmp_path)
    result = clr("export", *sorted(loose.glob("*/case.yaml")), "--for", "investor", "--csv", "o")
    assert "was not compared with earlier ones" in result.stderr, describe(result)
