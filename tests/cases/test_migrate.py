"""clr migrate: the machinery, exercised with a test-only case format 0 and its migration."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clr.cases import migrate
from clr.cli import app

CASE_ID = "CLR-2026-MGR8T"
OLD_CASE = f"""\
# yaml-language-server: $schema=../../.clr/schemas/case.schema.json
schema_version: 0   # written by an old clr
id: {CASE_ID}
playbook: child-labour
track: underage
stage: reported
opened: "2026-03-02"
site:
  name: Sunrise Garments   # factory B
  country: BD
# the child, as format 0 called it
child_info:
  pseudonym: Child A
  gender: female
discovery:
  date: "2026-03-02"
  channel: audit
legacy_ref: OLD-17
history:
  - {{at: "2026-03-02T09:00:00Z", from: null, to: reported, by: R. Ahmed}}
# end of file
"""


def _format_0_to_1(doc, data):  # type: ignore[no-untyped-def]
    doc.rename(("child_info", "gender"), "sex")
    doc.rename(("child_info",), "child")
    doc.remove(("legacy_ref",))


@pytest.fixture
def old_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setitem(
        migrate.MIGRATIONS,
        0,
        migrate.Migration(0, "child_info is now child, gender is now sex", _format_0_to_1),
    )
    (tmp_path / "clr.yaml").write_text("schema_version: 1\norganisation: T\nid_prefix: CLR\n")
    case = tmp_path / "cases" / CASE_ID / "case.yaml"
    case.parent.mkdir(parents=True)
    case.write_text(OLD_CASE)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    return case


def run(args: list[str]):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, args, catch_exceptions=False)


def test_validate_says_the_file_needs_migrating(old_repo: Path) -> None:
    result = run(["validate", "--as-of", "2026-03-03", "--format", "json", "--no-cache"])
    assert result.exit_code == 1, result.output
    findings = json.loads(result.stdout)["files"][0]["findings"]
    assert [f["code"] for f in findings] == ["CLR213"]
    assert findings[0]["line"] == 2
    assert "clr migrate" in findings[0]["hint"]


def test_dry_run_shows_the_diff_and_writes_nothing(old_repo: Path) -> None:
    before = old_repo.read_bytes()
    result = run(["migrate", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "-schema_version: 0   # written by an old clr" in result.stdout
    assert "+schema_version: 1   # written by an old clr" in result.stdout
    assert "-legacy_ref: OLD-17" in result.stdout
    assert old_repo.read_bytes() == before


def test_migrate_upgrades_keeping_comments_and_the_result_validates(old_repo: Path) -> None:
    result = run(["migrate"])
    assert result.exit_code == 0, result.output
    text = old_repo.read_text()
    assert "schema_version: 1" in text
    assert "child:\n  pseudonym: Child A\n  sex: female\n" in text
    assert "legacy_ref" not in text
    for comment in (
        "# written by an old clr",
        "# factory B",
        "# the child, as format 0",
        "# end of file",
        "# yaml-language-server",
    ):
        assert comment in text
    check = run(["validate", "--as-of", "2026-03-02", "--no-cache"])
    assert check.exit_code == 0, check.output
    again = run(["migrate"])
    assert again.exit_code == 0
    assert "0 file(s) migrated" in again.stderr


def test_no_migration_path_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "clr.yaml").write_text("schema_version: 1\norganisation: T\nid_prefix: CLR\n")
    case = tmp_path / "cases" / CASE_ID / "case.yaml"
    case.parent.mkdir(parents=True)
    case.write_text(OLD_CASE)
    monkeypatch.chdir(tmp_path)
    before = case.read_bytes()
    result = run(["migrate"])
    assert result.exit_code == 1
    assert "cannot upgrade case format 0" in result.stderr
    assert case.read_bytes() == before
    check = run(["validate", "--format", "json", "--no-cache", "--as-of", "2026-03-03"])
    assert json.loads(check.stdout)["files"][0]["findings"][0]["code"] == "CLR213"


def test_a_newer_format_asks_to_upgrade_clr(old_repo: Path) -> None:
    old_repo.write_text(OLD_CASE.replace("schema_version: 0", "schema_version: 7"))
    result = run(["validate", "--format", "json", "--no-cache", "--as-of", "2026-03-03"])
    finding = json.loads(result.stdout)["files"][0]["findings"][0]
    assert finding["code"] == "CLR213" and finding["hint"] == "upgrade clr"


def test_clr_yaml_given_to_migrate_is_named_as_no_case(old_repo: Path) -> None:
    settings = old_repo.parents[2] / "clr.yaml"
    before = settings.read_bytes(), old_repo.read_bytes()
    result = run(["migrate", "clr.yaml"])
    assert result.exit_code == 0, result.output
    assert "clr.yaml: not a case file, nothing to migrate" in result.stderr
    assert (settings.read_bytes(), old_repo.read_bytes()) == before
