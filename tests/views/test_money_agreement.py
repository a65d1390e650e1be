"""``clr show``, ``clr report``, ``clr stats`` and ``clr export`` agree on money to the last digit.

Every example case, and one added case whose amounts are awkward for binary floats
(twelve stipends of 35.70, 0.1 + 0.2, an amount that rounds half up, a large amount),
is run through the four commands; each one's per-currency totals must equal the total
worked out here from the case file's text, by the one documented rule (clr.model.case):
exact decimal sums of the amounts as written, rounded half up to cents when shown.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import sqlite3
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

import clr.cli

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
AS_OF = "2026-11-20"
ENV = {"NO_COLOR": "1", "COLUMNS": "120", "TERM": "dumb"}
AWKWARD = "EXR-2026-MNY7Q"
AWKWARD_PAYMENTS = [("2026-05-10", "35.70", "USD", "supplier", "stipend")] * 12 + [
    ("2026-05-11", "0.1", "USD", "buyer", "transport"),
    ("2026-05-12", "0.2", "USD", "buyer", "transport"),
    ("2026-05-13", "10.125", "EUR", "buyer", "school_fees"),
    ("2026-05-14", "1234567.89", "KHR", "supplier", "school_kit"),
]


def _awkward_case_text() -> str:
    text = (EXAMPLES / "cases" / "EXR-2026-K3NMB" / "case.yaml").read_text(encoding="utf-8")
    text = text.replace("EXR-2026-K3NMB", AWKWARD)
    head, _, rest = text.partition("\npayments:\n")
    assert rest, "the example case has no payments to replace"
    tail = rest[re.search(r"^\S", rest, re.M).start() :]  # type: ignore[union-attr]
    lines = [
        f'  - date: "{day}"\n    amount: {amount}\n    currency: {currency}\n'
        f"    payer: {payer}\n    purpose: {purpose}\n"
        for day, amount, currency, payer, purpose in AWKWARD_PAYMENTS
    ]
    return head + "\npayments:\n" + "".join(lines) + tail


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("money") / "repo"
    root.mkdir()
    shutil.copy(EXAMPLES / "clr.yaml", root / "clr.yaml")
    shutil.copytree(EXAMPLES / "cases", root / "cases")
    (root / "cases" / AWKWARD).mkdir()
    (root / "cases" / AWKWARD / "case.yaml").write_text(_awkward_case_text(), encoding="utf-8")
    return root


def _run(repo: Path, *args: str) -> str:
    result = CliRunner().invoke(clr.cli.app, list(args), env=ENV)
    assert result.exit_code == 0, (args, result.output, result.exception)
    return result.stdout


def _shown(total: Decimal) -> Decimal:
    """A total as the documented rule shows it: half up to cents, no trailing zeros."""
    rounded = total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return (
        rounded.to_integral_value()
        if rounded == rounded.to_integral_value()
        else rounded.normalize()
    )


def _written_totals(case_file: Path) -> dict[str, Decimal]:
    """Per-currency sums of the amounts as the case file's text writes them."""
    data = yaml.safe_load(case_file.read_text(encoding="utf-8"))
    sums: dict[str, Decimal] = {}
    for p in data.get("payments") or []:
        sums[p["currency"]] = sums.get(p["currency"], Decimal(0)) + Decimal(str(p["amount"]))
    return sums


def _numbers(mapping: dict[str, Any]) -> dict[str, Decimal]:
    """JSON numbers as the decimals their text shows (no float arithmetic)."""
    return {k: Decimal(repr(v)) for k, v in mapping.items()}


def _report_totals(markdown: str) -> dict[str, Decimal]:
    match = re.search(r"^Total: (.*) \(by payer: .*\)\.$", markdown, re.M)
    assert match, markdown
    out = {}
    for part in match.group(1).split("; "):
        number, currency = part.rsplit(" ", 1)
        out[currency] = Decimal(number.replace(",", ""))
    return out


def _summed(rows: Iterable[tuple[str, str, Decimal]]) -> dict[str, dict[str, Decimal]]:
    out: dict[str, dict[str, Decimal]] = {}
    for case_id, currency, amount in rows:
        per = out.setdefault(case_id, {})
        per[currency] = per.get(currency, Decimal(0)) + amount
    return out


def _case_ids(repo: Path) -> list[str]:
    return sorted(p.name for p in (repo / "cases").iterdir() if (p / "case.yaml").is_file())


def test_the_awkward_case_breaks_binary_float_sums() -> None:
    """The added case is one where float sums differ from the written amounts' sum."""
    amounts = [float(a) for _, a, c, _, _ in AWKWARD_PAYMENTS if c == "USD"]
    naive = 0.0
    for a in amounts:
        naive += a
    exact = sum((Decimal(a) for _, a, c, _, _ in AWKWARD_PAYMENTS if c == "USD"), Decimal(0))
    assert Decimal(repr(naive)) != exact
    assert Decimal(repr(sum(amounts[:12]))) != Decimal("35.70") * 12


def _exported(repo: Path) -> tuple[dict[str, dict[str, Decimal]], dict[str, dict[str, Decimal]]]:
    """Exact per-case, per-currency sums of the exported payments: (CSV, SQLite)."""
    csv_dir, db = repo.parent / "csv", repo.parent / "cases.db"
    if not db.exists():
        _run(
            repo, "export", str(repo), "--csv", str(csv_dir), "--sqlite", str(db), "--as-of", AS_OF
        )
    with (csv_dir / "payments.csv").open(encoding="utf-8", newline="") as f:
        from_csv = _summed(
            (r["case_id"], r["currency"], Decimal(r["amount"])) for r in csv.DictReader(f)
        )
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT case_id, currency, amount FROM payments").fetchall()
    return from_csv, _summed((c, cur, Decimal(repr(a))) for c, cur, a in rows)


def _assert_agree(repo: Path, case_ids: Iterable[str]) -> int:
    """Check every case's totals in all four commands; return how many cases have money."""
    from_csv, from_sqlite = _exported(repo)
    with_money = 0
    for case_id in case_ids:
        folder = str(repo / "cases" / case_id)
        written = _written_totals(repo / "cases" / case_id / "case.yaml")
        expected = {c: _shown(t) for c, t in sorted(written.items())}
        shown = json.loads(_run(repo, "show", folder, "--format", "json", "--as-of", AS_OF))
        stats = json.loads(
            _run(repo, "stats", folder, "--format", "json", "--as-of", AS_OF, "--jobs", "1")
        )
        report = _run(repo, "report", folder, "--as-of", AS_OF)
        assert _numbers(shown["payments"]["totals"]) == expected, case_id
        assert _numbers(stats["total"]["figures"]["money"]["total"]) == expected, case_id
        exported = {c: _shown(t) for c, t in sorted(from_csv.get(case_id, {}).items())}
        assert exported == expected, case_id
        in_db = {c: _shown(t) for c, t in sorted(from_sqlite.get(case_id, {}).items())}
        assert in_db == expected, case_id
        if written:
            with_money += 1
            assert _report_totals(report) == expected, case_id
        else:
            assert "No payments recorded." in report
    return with_money


def test_show_report_stats_and_export_agree_on_the_awkward_case(repo: Path) -> None:
    assert _assert_agree(repo, [AWKWARD, "EXR-2026-K3NMB"]) == 2


@pytest.mark.slow
def test_show_report_stats_and_export_agree_on_every_example(repo: Path) -> None:
    ids = _case_ids(repo)
    assert AWKWARD in ids and len(ids) > 10
    assert _assert_agree(repo, ids) >= 5


def test_the_awkward_case_shows_the_written_sums(repo: Path) -> None:
    """12 × 35.70 is 428.40 (plus 0.1 + 0.2), and 10.125 rounds half up to 10.13."""
    shown = json.loads(
        _run(repo, "show", str(repo / "cases" / AWKWARD), "--format", "json", "--as-of", AS_OF)
    )
    totals = shown["payments"]["totals"]
    usd = Decimal("35.70") * 12 + Decimal("0.1") + Decimal("0.2")
    assert repr(totals["USD"]) == str(usd.normalize())
    assert repr(totals["EUR"]) == str(Decimal("10.125").quantize(Decimal("0.01"), ROUND_HALF_UP))
    assert totals["KHR"] == float("1234567.89")
    report = _run(repo, "report", str(repo / "cases" / AWKWARD), "--as-of", AS_OF)
    assert "1,234,567.89 KHR" in report
    text = _run(repo, "show", str(repo / "cases" / AWKWARD), "--as-of", AS_OF)
    listed = ", ".join(f"{v:,} {c}" for c, v in sorted(totals.items()))
    assert f"Payments: {len(AWKWARD_PAYMENTS)} ({listed})" in text, text
    assert "1,234,567.89 KHR" in text  # not 1.23457e+06, and grouped as the report is


def test_stats_over_the_whole_repository_match_the_export(repo: Path) -> None:
    """Portfolio totals and per-payer totals equal the exported payments, summed exactly."""
    stats = json.loads(
        _run(repo, "stats", str(repo), "--format", "json", "--as-of", AS_OF, "--jobs", "1")
    )
    money = stats["total"]["figures"]["money"]
    csv_dir = repo.parent / "csv-all"
    _run(repo, "export", str(repo), "--csv", str(csv_dir), "--as-of", AS_OF)
    with (csv_dir / "payments.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    totals = _summed(("all", r["currency"], Decimal(r["amount"])) for r in rows)["all"]
    assert _numbers(money["total"]) == {c: _shown(t) for c, t in sorted(totals.items())}
    by_payer = _summed((r["payer"], r["currency"], Decimal(r["amount"])) for r in rows)
    assert {p: _numbers(v) for p, v in money["by_payer"].items()} == {
        p: {c: _shown(t) for c, t in sorted(v.items())} for p, v in by_payer.items()
    }
