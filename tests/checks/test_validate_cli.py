"""Tests for `clr validate` and the clr command line, end to end."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

import clr
from clr.errors import ClrError, NotARepository

CASE_ID = "CLR-2026-ABCDE"
OTHER_ID = "CLR-2026-FGHJK"
CASE_PATH = f"cases/{CASE_ID}/case.yaml"
OTHER_PATH = f"cases/{OTHER_ID}/case.yaml"
AS_OF = ["--as-of", "2026-03-02"]

RunCli = Callable[..., Result]
WriteTree = Callable[..., Path]
ValidCase = Callable[..., str]


def show(result: Result) -> str:
    return f"exit {result.exit_code}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"


def run_module(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``python -m clr`` in a real process, through clr's own error boundary."""
    env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}
    env.pop("CLR_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "clr", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def all_findings(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for file in doc["files"] for f in file["findings"]]


@pytest.fixture
def two_bad_cases(case_repo: Path, write_tree: WriteTree, valid_case: ValidCase) -> Path:
    """The repository with two cases of three errors each."""
    write_tree(
        {
            CASE_PATH: valid_case(
                child={"sex": "femal"},  # CLR103
                discovery={"hours_per_week": "48"},  # CLR102
                favourite="red",  # CLR104
            ),
            OTHER_PATH: valid_case(
                id=OTHER_ID,
                opened="2026-02-30",  # CLR105
                discovery={"channel": "phone"},  # CLR103
                plan={"cost_split": {"buyer": 50, "supplier": 40}},  # CLR210
            ),
        },
        root=case_repo,
    )
    return case_repo


# --- clean and failing repositories ----------------------------------------------------------


def test_clean_repository(case_repo: Path, run_cli: RunCli) -> None:
    result = run_cli(["validate", *AS_OF], cwd=case_repo)
    assert result.exit_code == 0, show(result)
    assert result.stdout.strip() == "All good: 1 case checked, no findings."
    assert result.stderr == ""


def test_findings_exit_1_with_line_and_column(
    case_repo: Path, run_cli: RunCli, write_tree: WriteTree, valid_case: ValidCase
) -> None:
    write_tree({CASE_PATH: valid_case(child={"sex": "femal"})}, root=case_repo)
    result = run_cli(["validate", *AS_OF], cwd=case_repo)
    assert result.exit_code == 1, show(result)
    lines = result.stdout.splitlines()
    # child.sex is on line 12 of the minimal case; its value starts at column 8.
    assert lines[0].startswith(
        f'{CASE_PATH}:12:8: error CLR103 child.sex: "femal" is not one of'
    ), show(result)
    assert "hint: did you mean female or male?" in result.stdout
    assert lines[-1] == "Found 1 error and 0 warnings in 1 file (1 case checked)."


@pytest.mark.parametrize("name", ["site", "child", "discovery", "history", "opened", "track"])
def test_a_missing_required_field_is_one_finding(
    case_repo: Path, run_cli: RunCli, write_tree: WriteTree, valid_case: ValidCase, name: str
) -> None:
    """Required by every case and by the stage too: one CLR101, not also a CLR110."""
    write_tree({CASE_PATH: valid_case(**{name: ...})}, root=case_repo)
    result = run_cli(["validate", "--format", "json", "--no-cache", *AS_OF], cwd=case_repo)
    assert result.exit_code == 1, show(result)
    missing = [
        (f["code"], f["message"].split(":")[0], f["line"])
        for f in all_findings(json.loads(result.stdout))
        if f["pointer"] == f"/{name}"
    ]
    assert missing == [("CLR101", f"'{name}' is missing", 1)], show(result)
    text = run_cli(["validate", "--no-cache", *AS_OF], cwd=case_repo)
    assert text.stdout.count(f"'{name}' is missing") == 1, show(text)
    assert "CLR110" not in text.stdout


def test_yaml_error_shows_its_position(
    case_repo: Path, run_cli: RunCli, write_tree: WriteTree
) -> None:
    write_tree({CASE_PATH: "id: A\nstage: reported\nid: B\n"}, root=case_repo)
    result = run_cli(["validate", *AS_OF], cwd=case_repo)
    assert result.exit_code == 1, show(result)
    assert re.search(rf"^{CASE_PATH}:3:1: error CLR005 duplicate key 'id'", result.stdout, re.M)


def test_every_finding_of_every_file_is_reported(two_bad_cases: Path, run_cli: RunCli) -> None:
    result = run_cli(["validate", *AS_OF, "--format", "json"], cwd=two_bad_cases)
    assert result.exit_code == 1, show(result)
    doc = json.loads(result.stdout)
    by_path = {file["path"]: sorted(f["code"] for f in file["findings"]) for file in doc["files"]}
    assert by_path == {
        CASE_PATH: ["CLR102", "CLR103", "CLR104"],
        OTHER_PATH: ["CLR103", "CLR105", "CLR210"],
    }
    assert doc["summary"]["errors"] == 6


def test_every_finding_is_in_the_text_output(two_bad_cases: Path, run_cli: RunCli) -> None:
    result = run_cli(["validate", *AS_OF], cwd=two_bad_cases)
    assert result.exit_code == 1, show(result)
    rows = re.findall(r"^\S+:\d+:\d+: (error|warning) (CLR\d{3})", result.stdout, re.M)
    assert sorted(code for _, code in rows) == sorted(
        ["CLR102", "CLR103", "CLR104", "CLR103", "CLR105", "CLR210"]
    )
    assert CASE_PATH in result.stdout and OTHER_PATH in result.stdout
    assert "Found 6 errors and 0 warnings in 2 files (2 cases checked)." in result.stdout


# --- JSON --------------------------------------------------------------------------------------


def test_json_format(two_bad_cases: Path, run_cli: RunCli) -> None:
    result = run_cli(["validate", *AS_OF, "-f", "json"], cwd=two_bad_cases)
    assert result.exit_code == 1, show(result)
    doc = json.loads(result.stdout)
    assert doc["version"] == 1
    assert doc["tool"] == {"name": "clr", "version": clr.__version__}
    findings = all_findings(doc)
    summary = doc["summary"]
    assert summary["files"] == len(doc["files"]) == 2
    assert summary["cases"] == 2
    assert summary["files_with_findings"] == sum(bool(f["findings"]) for f in doc["files"])
    assert summary["errors"] == sum(f["severity"] == "error" for f in findings) == 6
    assert summary["warnings"] == sum(f["severity"] == "warning" for f in findings) == 0
    sex = next(f for f in findings if f["pointer"] == "/child/sex")
    assert sex == {
        "code": "CLR103",
        "title": "Value not allowed",
        "severity": "error",
        "path": CASE_PATH,
        "line": 12,
        "column": 8,
        "pointer": "/child/sex",
        "field": "child.sex",
        "message": 'child.sex: "femal" is not one of "female", "male", "other", "undisclosed"',
        "hint": "did you mean female or male?",
    }
    first = doc["files"][0]
    assert first["id"] == CASE_ID and first["stage"] == "reported"


def test_json_format_clean(case_repo: Path, run_cli: RunCli) -> None:
    result = run_cli(["validate", *AS_OF, "--format", "json"], cwd=case_repo)
    assert result.exit_code == 0, show(result)
    doc = json.loads(result.stdout)
    assert doc["summary"] == {
        "files": 1,
        "cases": 1,
        "files_with_findings": 0,
        "errors": 0,
        "warnings": 0,
    }
    assert doc["files"][0]["findings"] == []


# --- GitHub --------------------------------------------------------------------------------------


def test_github_format_escapes_properties_and_data(
    tmp_path: Path, run_cli: RunCli, write_tree: WriteTree, valid_case: ValidCase
) -> None:
    repo = "50%,a:b"
    write_tree(
        {
            f"{repo}/clr.yaml": "schema_version: 1\norganisation: Test\nid_prefix: CLR\n",
            f"{repo}/{CASE_PATH}": valid_case(plan={"cost_split": {"buyer": 50, "supplier": 40}}),
        }
    )
    result = run_cli(["validate", repo, *AS_OF, "--format", "github"], cwd=tmp_path)
    assert result.exit_code == 1, show(result)
    lines = result.stdout.splitlines()
    # One annotation, the full list in a log group, then the summary notice.
    assert len(lines) == 7, show(result)
    assert lines[1] == "::group::clr: every finding"
    # The group is plain text (not percent-escaped), its commands stopped while it lasts.
    token = lines[2].removeprefix("::stop-commands::")
    assert lines[2] != token and len(token) >= 16
    assert lines[3].startswith("50%,a:b/cases/CLR-2026-ABCDE/case.yaml:")
    assert "CLR210" in lines[3] and "90 %, not 100 %" in lines[3]
    assert lines[4] == f"::{token}::"
    assert lines[5] == "::endgroup::"
    error = lines[0]
    assert error.startswith(f"::error file=50%25%2Ca%3Ab/{CASE_PATH},line=")
    props, message = error.removeprefix("::error ").split("::", 1)
    assert re.fullmatch(
        rf"file=50%25%2Ca%3Ab/{CASE_PATH},line=\d+,col=\d+,"
        r"title=CLR210 Cost split does not add up to 100",
        props,
    )
    assert message == (
        "plan.cost_split adds up to 90 %25, not 100 %25"
        "%0Agive each party's share in percent so that they add up to 100"
    )
    summary = "Found 1 error and 0 warnings in 1 file (1 case checked)."
    assert lines[6] == f"::notice title=clr::{summary}"


def test_github_format_annotates_ten_per_level_and_lists_all(
    tmp_path: Path, run_cli: RunCli, write_tree: WriteTree, valid_case: ValidCase
) -> None:
    tree = {"clr.yaml": "schema_version: 1\norganisation: Test\nid_prefix: CLR\n"}
    for i in range(12):
        case_id = f"CLR-2026-AAA{i:02d}"
        tree[f"cases/{case_id}/case.yaml"] = valid_case(id=case_id, site={"country": "XX"})
    write_tree(tree)
    result = run_cli(["validate", *AS_OF, "--format", "github"], cwd=tmp_path)
    assert result.exit_code == 1, show(result)
    lines = result.stdout.splitlines()
    assert sum(line.startswith("::error ") for line in lines) == 10
    start = lines.index("::group::clr: every finding")
    end = lines.index("::endgroup::")
    listed = lines[start + 2 : end - 1]  # between stop-commands and its token
    assert len(listed) == 12
    assert all("CLR103" in line for line in listed)
    assert lines[-1].startswith("::notice title=clr::Found 12 errors")


def test_github_format_warning_and_whole_file_finding(case_repo: Path, run_cli: RunCli) -> None:
    (case_repo / "cases" / "CLR-2026-EMPTY").mkdir()
    result = run_cli(["validate", *AS_OF, "--format", "github"], cwd=case_repo)
    assert result.exit_code == 0, show(result)
    lines = result.stdout.splitlines()
    # A finding about a whole folder has no line= or col=.
    assert lines[0] == (
        "::warning file=cases/CLR-2026-EMPTY,title=CLR403 Folder in cases/ without a case file"
        "::folder CLR-2026-EMPTY/ in cases/ has no case.yaml"
        "%0Aremove the folder, or restore its case.yaml from git"
    )
    assert lines[-1].startswith("::notice title=clr::Found 0 errors and 1 warning")


def test_github_format_clean(case_repo: Path, run_cli: RunCli) -> None:
    result = run_cli(["validate", *AS_OF, "--format", "github"], cwd=case_repo)
    assert result.exit_code == 0, show(result)
    summary = "All good: 1 case checked, no findings."
    assert result.stdout.splitlines() == [f"::notice title=clr::{summary}"]


# --- which files ---------------------------------------------------------------------------------


def test_no_path_inside_a_repository_validates_it(
    case_repo: Path, run_cli: RunCli, write_tree: WriteTree, valid_case: ValidCase
) -> None:
    write_tree({OTHER_PATH: valid_case(id=OTHER_ID, child={"sex": "x"})}, root=case_repo)
    result = run_cli(["validate", *AS_OF], cwd=case_repo / "cases" / CASE_ID)
    assert result.exit_code == 1, show(result)
    # Both cases are checked, not only the one of the current folder.
    assert "(2 cases checked)" in result.stdout
    # Paths are shown relative to the current folder.
    shown = [
        line for line in result.stdout.splitlines() if line.startswith(f"../{OTHER_ID}/case.yaml:")
    ]
    assert len(shown) == 1, show(result)
    assert "CLR103" in result.stdout


def test_no_path_outside_a_repository(tmp_path: Path) -> None:
    proc = run_module(["validate", *AS_OF], cwd=tmp_path)
    assert proc.returncode == 1, proc
    assert proc.stderr.startswith("error: ")
    assert "clr.yaml" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""


def test_no_path_outside_a_repository_in_process(tmp_path: Path, run_cli: RunCli) -> None:
    # The app raises; clr.cli.main turns it into a message (tested above).
    with pytest.raises(NotARepository, match="not inside a case repository"):
        run_cli(["validate", *AS_OF], cwd=tmp_path)


def test_nonexistent_path(case_repo: Path) -> None:
    proc = run_module(["validate", "cases/nope", *AS_OF], cwd=case_repo)
    assert proc.returncode == 1, proc
    assert proc.stderr.startswith("error: no such file or folder: cases/nope")
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""


def test_nonexistent_path_among_good_ones_in_process(case_repo: Path, run_cli: RunCli) -> None:
    with pytest.raises(ClrError, match=r"missing\.yaml"):
        run_cli(["validate", CASE_PATH, "missing.yaml", *AS_OF], cwd=case_repo)


def test_broken_clr_yaml_exits_2(case_repo: Path, run_cli: RunCli, write_tree: WriteTree) -> None:
    write_tree(
        {"clr.yaml": "schema_version: 1\norganisation: Test\nid_prefix: CLR\ncolour: red\n"},
        root=case_repo,
    )
    result = run_cli(["validate", *AS_OF], cwd=case_repo)
    assert result.exit_code == 2, show(result)
    row = r"^clr\.yaml:4:\d+: error CLR401 clr\.yaml: unknown field 'colour'"
    assert re.search(row, result.stdout, re.M)
    assert "Found 1 error" in result.stdout


def test_clr_yaml_given_as_a_file_is_checked_as_settings_not_as_a_case(
    case_repo: Path, run_cli: RunCli, write_tree: WriteTree
) -> None:
    result = run_cli(["validate", "clr.yaml", *AS_OF], cwd=case_repo)
    assert result.exit_code == 0, show(result)
    assert "CLR101" not in result.stdout  # not read as a case missing its id and stage
    assert "0 cases checked" in result.stdout
    write_tree(
        {"clr.yaml": "schema_version: 1\norganisation: Test\nid_prefix: CLR\ncolour: red\n"},
        root=case_repo,
    )
    result = run_cli(["validate", "clr.yaml", *AS_OF], cwd=case_repo)
    assert result.exit_code == 2, show(result)
    assert re.search(r"^clr\.yaml:4:\d+: error CLR401", result.stdout, re.M)
    assert "CLR101" not in result.stdout


def test_a_playbook_given_as_a_file_is_checked_as_a_playbook(
    case_repo: Path, run_cli: RunCli, write_tree: WriteTree
) -> None:
    write_tree({"playbooks/ours.yaml": "name: ours\n"}, root=case_repo)
    result = run_cli(["validate", "playbooks/ours.yaml", *AS_OF], cwd=case_repo)
    assert result.exit_code != 0, show(result)
    assert "CLR402" in result.stdout and "CLR101" not in result.stdout


def test_unknown_field_in_clr_yaml_points_at_the_key(
    case_repo: Path, run_cli: RunCli, write_tree: WriteTree
) -> None:
    write_tree(
        {"clr.yaml": "schema_version: 1\norganisation: Test\nid_prefix: CLR\ncolour: red\n"},
        root=case_repo,
    )
    result = run_cli(["validate", *AS_OF, "-f", "json"], cwd=case_repo)
    assert result.exit_code == 2, show(result)
    finding = all_findings(json.loads(result.stdout))[0]
    assert (finding["line"], finding["column"]) == (4, 1)


@pytest.mark.parametrize(
    ("zone", "hint"),
    [
        ("Europe/Londn", "did you mean Europe/London"),
        ("europe/london", "did you mean Europe/London?"),
        ("Asia/Dhka", "did you mean Asia/Dhaka"),
        ("Dhaka", "write an IANA time zone name, e.g. Asia/Dhaka"),
        ("Europe", "Europe is a region: name a zone in it, e.g. Europe/"),
        ("../../etc/passwd", "write an IANA time zone name"),
        ("zone.tab", "write an IANA time zone name"),
    ],
)
def test_unknown_time_zone_in_clr_yaml(
    case_repo: Path, run_cli: RunCli, write_tree: WriteTree, zone: str, hint: str
) -> None:
    config = f"schema_version: 1\norganisation: Test\nid_prefix: CLR\ntimezone: {zone}\n"
    write_tree({"clr.yaml": config}, root=case_repo)
    result = run_cli(["validate", *AS_OF, "-f", "json"], cwd=case_repo)
    assert result.exit_code == 2, show(result)
    findings = all_findings(json.loads(result.stdout))
    assert [(f["path"], f["code"], f["line"], f["column"]) for f in findings] == [
        ("clr.yaml", "CLR401", 4, 11)
    ], show(result)
    message = f"clr.yaml: timezone {zone!r} is not a known IANA time zone"
    assert findings[0]["message"] == message
    assert hint in findings[0]["hint"]


@pytest.mark.parametrize("zone", ["Asia/Dhaka", "Africa/Abidjan", "UTC", "Etc/GMT+5"])
def test_known_time_zone_in_clr_yaml(
    case_repo: Path, run_cli: RunCli, write_tree: WriteTree, zone: str
) -> None:
    config = f"schema_version: 1\norganisation: Test\nid_prefix: CLR\ntimezone: {zone}\n"
    write_tree({"clr.yaml": config}, root=case_repo)
    result = run_cli(["validate", *AS_OF], cwd=case_repo)
    assert result.exit_code == 0, show(result)


def test_every_command_refuses_an_unknown_time_zone_without_a_traceback(
    case_repo: Path, write_tree: WriteTree, tmp_path: Path
) -> None:
    config = "schema_version: 1\norganisation: Test\nid_prefix: CLR\ntimezone: Europe/Londn\n"
    write_tree({"clr.yaml": config}, root=case_repo)
    before = (case_repo / CASE_PATH).read_bytes()
    for args in (
        ["show", CASE_ID],
        ["next", CASE_ID],
        ["advance", CASE_ID, "--by", "x"],
        ["status"],
        ["stats"],
        ["report", CASE_ID],
        ["export", "--csv", str(tmp_path / "out")],
    ):
        done = run_module([*args, *AS_OF], case_repo)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr
        assert "error: clr.yaml:4:11: clr.yaml: timezone 'Europe/Londn'" in done.stderr, args
        assert "hint: did you mean Europe/London" in done.stderr
    assert (case_repo / CASE_PATH).read_bytes() == before


def test_broken_clr_yaml_is_not_hidden_by_exit_zero(
    case_repo: Path, run_cli: RunCli, write_tree: WriteTree
) -> None:
    write_tree({"clr.yaml": "schema_version: 1\norganisation: Test\n"}, root=case_repo)
    result = run_cli(["validate", *AS_OF, "--exit-zero", "-f", "json"], cwd=case_repo)
    assert result.exit_code == 2, show(result)
    findings = all_findings(json.loads(result.stdout))
    assert [(f["path"], f["code"]) for f in findings] == [("clr.yaml", "CLR401")]
    assert "id_prefix" in findings[0]["message"]


def test_case_folder_as_path(
    case_repo: Path, run_cli: RunCli, write_tree: WriteTree, valid_case: ValidCase
) -> None:
    write_tree({OTHER_PATH: valid_case(id=OTHER_ID, child={"sex": "x"})}, root=case_repo)
    result = run_cli(["validate", f"cases/{CASE_ID}", *AS_OF], cwd=case_repo)
    assert result.exit_code == 0, show(result)
    assert result.stdout.strip() == "All good: 1 case checked, no findings."

    other = run_cli(["validate", f"cases/{OTHER_ID}", *AS_OF], cwd=case_repo)
    assert other.exit_code == 1, show(other)
    assert OTHER_PATH in other.stdout
    assert CASE_PATH not in other.stdout


def test_case_file_as_path(
    case_repo: Path, run_cli: RunCli, write_tree: WriteTree, valid_case: ValidCase
) -> None:
    write_tree({CASE_PATH: valid_case(site={"country": "bd"})}, root=case_repo)
    result = run_cli(["validate", CASE_PATH, *AS_OF, "-f", "json"], cwd=case_repo)
    assert result.exit_code == 1, show(result)
    doc = json.loads(result.stdout)
    assert [file["path"] for file in doc["files"]] == [CASE_PATH]
    assert [(f["code"], f["hint"]) for f in all_findings(doc)] == [
        ("CLR103", "did you mean BD? (letter case matters)")
    ]


def test_same_file_given_twice_is_checked_once(case_repo: Path, run_cli: RunCli) -> None:
    result = run_cli(["validate", CASE_PATH, f"cases/{CASE_ID}", ".", *AS_OF], cwd=case_repo)
    assert result.exit_code == 0, show(result)
    assert "1 case checked" in result.stdout


def test_folder_in_cases_without_case_file(case_repo: Path, run_cli: RunCli) -> None:
    (case_repo / "cases" / "CLR-2026-EMPTY").mkdir()
    result = run_cli(["validate", *AS_OF], cwd=case_repo)
    assert result.exit_code == 0, show(result)
    # A finding about a whole folder has no line and column.
    row = (
        r"^cases/CLR-2026-EMPTY: warning CLR403 folder CLR-2026-EMPTY/ in cases/ has no case\.yaml"
    )
    assert re.search(row, result.stdout, re.M)
    assert "Found 0 errors and 1 warning in 1 file (1 case checked)." in result.stdout


def test_strict_counts_warnings(case_repo: Path, run_cli: RunCli) -> None:
    (case_repo / "cases" / "CLR-2026-EMPTY").mkdir()
    result = run_cli(["validate", *AS_OF, "--strict"], cwd=case_repo)
    assert result.exit_code == 1, show(result)
    assert "CLR403" in result.stdout


def test_strict_on_a_clean_repository(case_repo: Path, run_cli: RunCli) -> None:
    result = run_cli(["validate", *AS_OF, "--strict"], cwd=case_repo)
    assert result.exit_code == 0, show(result)
    assert "All good" in result.stdout


def test_exit_zero_with_errors(two_bad_cases: Path, run_cli: RunCli) -> None:
    result = run_cli(["validate", *AS_OF, "--exit-zero"], cwd=two_bad_cases)
    assert result.exit_code == 0, show(result)
    assert "Found 6 errors" in result.stdout
    assert "CLR210" in result.stdout


def test_exit_zero_with_strict_warnings(case_repo: Path, run_cli: RunCli) -> None:
    (case_repo / "cases" / "CLR-2026-EMPTY").mkdir()
    result = run_cli(["validate", *AS_OF, "--strict", "--exit-zero"], cwd=case_repo)
    assert result.exit_code == 0, show(result)
    assert "CLR403" in result.stdout


def test_quiet_prints_no_summary(two_bad_cases: Path, run_cli: RunCli) -> None:
    result = run_cli(["validate", *AS_OF, "--quiet"], cwd=two_bad_cases)
    assert result.exit_code == 1, show(result)
    assert "CLR105" in result.stdout
    assert "Found" not in result.stdout


def test_overdue_actions_depend_on_as_of(case_repo: Path, run_cli: RunCli) -> None:
    result = run_cli(["validate", "--as-of", "2026-03-10"], cwd=case_repo)
    assert result.exit_code == 0, show(result)
    assert re.search(r"warning\s+CLR301\s+overdue by", result.stdout)


# --- options and the command line itself ---------------------------------------------------------


def test_bad_as_of_is_a_usage_error(case_repo: Path, run_cli: RunCli) -> None:
    result = run_cli(["validate", "--as-of", "2026-30-02"], cwd=case_repo)
    assert result.exit_code == 2, show(result)
    assert "YYYY-MM-DD" in result.stderr
    assert result.stdout == ""


def test_unknown_format_is_a_usage_error(case_repo: Path, run_cli: RunCli) -> None:
    result = run_cli(["validate", *AS_OF, "--format", "xml"], cwd=case_repo)
    assert result.exit_code == 2, show(result)
    assert "xml" in result.stderr
    assert result.stdout == ""


def test_version_via_python_m(tmp_path: Path) -> None:
    proc = run_module(["--version"], cwd=tmp_path)
    assert proc.returncode == 0, proc
    assert proc.stdout.strip() == f"clr {clr.__version__}"
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", clr.__version__)


def test_help_lists_validate(tmp_path: Path, run_cli: RunCli) -> None:
    result = run_cli(["--help"], cwd=tmp_path)
    assert result.exit_code == 0, show(result)
    assert re.search(r"^\s+validate\s+Check cases against the schema", result.stdout, re.M)


def test_validate_help_lists_its_options(tmp_path: Path, run_cli: RunCli) -> None:
    result = run_cli(["validate", "--help"], cwd=tmp_path)
    assert result.exit_code == 0, show(result)
    for option in ("--format", "--as-of", "--strict", "--exit-zero", "--quiet"):
        assert option in result.stdout
    for fmt in ("text", "json", "github"):
        assert fmt in result.stdout


def test_several_processes_give_the_same_report_in_the_same_order(
    two_bad_cases: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clr.io import pool

    args = ["validate", "--format", "json", "--no-cache", *AS_OF]
    one = run_cli([*args, "--jobs", "1"], cwd=two_bad_cases)
    monkeypatch.setattr(pool, "PARALLEL_THRESHOLD", 2)
    spawned: list[int] = []
    real = pool.run_chunks

    def watch(*a: Any, **k: Any) -> Any:
        spawned.append(1)
        return real(*a, **k)

    monkeypatch.setattr(pool, "run_chunks", watch)
    two = run_cli([*args, "--jobs", "2"], cwd=two_bad_cases)
    assert spawned and two.exit_code == one.exit_code == 1
    assert json.loads(two.stdout) == json.loads(one.stdout)


@pytest.mark.parametrize(
    "where", [".", "cases", f"cases/{CASE_ID}", "..", "elsewhere/deep/down/there"]
)
def test_a_case_file_is_named_relative_to_where_clr_runs(
    case_repo: Path, write_tree: WriteTree, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    # The paths of a repository's case files are joined as strings, the shown part worked
    # out once: from inside cases/ itself, from above and from far away they must read as
    # display_path makes them for each file.
    import datetime as dt

    from clr.checks.validate import validate_paths
    from clr.repo.repository import display_path

    write_tree({OTHER_PATH: "id: [\n"}, root=case_repo)
    cwd = (case_repo / where).resolve()
    cwd.mkdir(parents=True, exist_ok=True)
    monkeypatch.chdir(cwd)
    report = validate_paths([case_repo], today=dt.date(2026, 3, 2), use_cache=False)
    shown = {r.path for r in report.files if r.path.endswith("case.yaml")}
    expected = {display_path(case_repo / CASE_PATH), display_path(case_repo / OTHER_PATH)}
    assert shown == expected
    bad = next(r for r in report.files if r.path == display_path(case_repo / OTHER_PATH))
    assert bad.findings
