"""CSV cells: a line break never splits a row, and no formula reaches a spreadsheet.

Every export (``export --csv``, ``status`` and ``stats`` as CSV) is read back with Python's
csv module (row count and values) and, where LibreOffice is installed, converted by it
to a spreadsheet and read back: each row must stay one row and each cell must be text,
never a formula.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

from clr.model.ids import ALPHABET
from clr.views.export import csv_cell, csv_text, neutralise
from conftest import AS_OF, CONFIG_TEXT, make_case_text

FORMULA = '=HYPERLINK("http://x","y")'
NASTY = [
    "plain site",
    "a\rb",
    "a\r=1+1",
    "a\r\n=1+1",
    "a\n@SUM(1)",
    "\r=1+1",
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(1)",
    "|calc!A1",
    "\t=1+1",
    " =1+1",
    "\u00a0=1+1",
    "\u200b=1+1",
    "\ufeff=1+1",
    "\u3000+1",
    " \u200b\u00a0@x",
    "＝1+1",
    "＋1",
    "－1",
    "＠x",
    FORMULA,
    'quote " inside',
    "comma, inside",
    "trailing\r",
]


def _ids(count: int) -> list[str]:
    return [f"CLR-2026-{ALPHABET[10 + i // 20]}{ALPHABET[i % 20 + 10]}AAA" for i in range(count)]


@pytest.fixture
def nasty_repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "cases").mkdir(parents=True)
    (root / "clr.yaml").write_text(CONFIG_TEXT, encoding="utf-8")
    for case_id, site in zip(_ids(len(NASTY)), NASTY, strict=True):
        folder = root / "cases" / case_id
        folder.mkdir()
        text = make_case_text(id=case_id, site={"name": site, "country": "BD"})
        (folder / "case.yaml").write_text(text, encoding="utf-8")
    return root


def _is_safe(cell: str) -> bool:
    """True if a spreadsheet reads the cell as text: no formula start after invisible chars."""
    return neutralise(cell) == cell or cell.startswith("'")


def _read(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("value", NASTY)
def test_a_cell_reads_back_as_written(value: str) -> None:
    text = csv_text(["id", "site"], [["x", value], ["y", "after"]])
    rows = _read(text)
    assert [r["id"] for r in rows] == ["x", "y"], repr(text)
    assert rows[0]["site"] == csv_cell(value)
    assert csv_cell(value).removeprefix("'") == value


@pytest.mark.parametrize("value", [v for v in NASTY if v.lstrip(" \u00a0\u200b\ufeff\u3000")[:1]])
def test_formula_starts_are_neutralised_behind_invisible_characters(value: str) -> None:
    start = value.lstrip(" \u00a0\u200b\ufeff\u3000")[0]
    expected = start in "=+-@|\t\r\n＝＋－＠"
    assert csv_cell(value).startswith("'") == expected, repr(value)


def test_ordinary_text_is_left_alone() -> None:
    for value in ("Factory 1", "a-b", "x=1", " leading space", "1+1", "e-mail@x"):
        assert csv_cell(value) == value


def test_export_rows_survive_carriage_returns(
    nasty_repo: Path, tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    out = tmp_path / "csv"
    result = run_cli(["export", "--csv", out, "--as-of", AS_OF], cwd=nasty_repo)
    assert result.exit_code == 0, result.output
    for path in sorted(out.glob("*.csv")):
        rows = _read(path.read_bytes().decode("utf-8"))
        for row in rows:
            assert None not in row, (path.name, row)  # no row with too many cells
            assert all(_is_safe(v) for v in row.values()), (path.name, row)
    with (out / "cases.csv").open(encoding="utf-8", newline="") as handle:
        cases = list(csv.DictReader(handle))
    assert len(cases) == len(NASTY)
    by_id = {r["id"]: r["site"] for r in cases}
    for case_id, site in zip(_ids(len(NASTY)), NASTY, strict=True):
        assert by_id[case_id] == csv_cell(site)


@pytest.mark.parametrize("command", [["status"], ["stats", "--group-by", "country"]])
def test_status_and_stats_csv_read_back(
    nasty_repo: Path, run_cli: Callable[..., Result], command: list[str]
) -> None:
    result = run_cli([*command, "--format", "csv", "--as-of", AS_OF], cwd=nasty_repo)
    assert result.exit_code in (0, 1), result.output
    rows = _read(result.stdout_bytes.decode("utf-8"))  # .stdout folds CRLF to LF
    assert rows
    for row in rows:
        assert None not in row, row
        assert all(_is_safe(v) for v in row.values()), row
    if command == ["status"]:
        assert len(rows) == len(NASTY)
        assert {r["site"] for r in rows} == {csv_cell(s) for s in NASTY}


def _libreoffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        pytest.skip("LibreOffice is not installed (a large install: not in CI)")
    return found


@pytest.mark.slow
def test_libreoffice_reads_every_row_as_text(
    nasty_repo: Path, tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    office = _libreoffice()
    out = tmp_path / "csv"
    result = run_cli(["export", "--csv", out, "--as-of", AS_OF], cwd=nasty_repo)
    assert result.exit_code == 0, result.output
    converted = tmp_path / "ods"
    done = subprocess.run(
        [
            office,
            "--headless",
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--infilter=CSV:44,34,76,1",
            "--convert-to",
            "ods",
            "--outdir",
            str(converted),
            str(out / "cases.csv"),
        ],
        capture_output=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(converted / "cases.ods") as ods:
        content = ods.read("content.xml").decode("utf-8")
    assert "table:formula" not in content  # no cell became a formula
    rows = content.split("<table:table-row")[1:]
    assert "<text:p>id</text:p>" in rows[0]  # the header
    # one row a case, each starting with its id: a row split by a line break would not
    starts = [row.split("</text:p>")[0].rsplit("<text:p>", 1)[-1] for row in rows[1:]]
    assert sorted(s for s in starts if s) == sorted(_ids(len(NASTY)))
