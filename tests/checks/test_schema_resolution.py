"""clr's schemas as other tools find them: check-jsonschema, offline, with no base URI.

The schema files refer to each other by relative path, so a tool that reads a file resolves
its ``$ref``s next to it; ``clr schema --bundle`` gives one self-contained file; the
``$schema`` line of every case file clr writes (and of every example) names a file that
exists. Any attempt to fetch a schema over the network fails in these tests (a dead proxy).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "schemas"
EXAMPLE_CASES = sorted((ROOT / "examples" / "cases").glob("*/case.yaml"))
DEAD_PROXY = "http://127.0.0.1:9"
SCHEMA_LINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$")


def _offline() -> dict[str, str]:
    env = dict(os.environ)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        env[name] = DEAD_PROXY
    env.pop("NO_PROXY", None)
    env.pop("no_proxy", None)
    return env


def check_jsonschema(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("check-jsonschema")
    return subprocess.run(
        [str(exe), "--no-cache", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=_offline(),
        timeout=120,
        check=False,
    )


def clr(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in _offline().items() if not k.startswith("CLR_")}
    env.update(NO_COLOR="1", CLR_USER="tester")
    return subprocess.run(
        [sys.executable, "-m", "clr", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
        check=False,
    )


def _stage(case: Path) -> str:
    return str(yaml.safe_load(case.read_text(encoding="utf-8"))["stage"])


@pytest.mark.slow  # a dozen runs of check-jsonschema
def test_every_stage_schema_resolves_next_to_its_file(tmp_path: Path) -> None:
    by_stage: dict[str, list[Path]] = {}
    for case in EXAMPLE_CASES:
        by_stage.setdefault(_stage(case), []).append(case)
    assert len(by_stage) >= 6
    for stage, cases in by_stage.items():
        schema = SCHEMAS / "stages" / f"{stage}.schema.json"
        result = check_jsonschema("--schemafile", schema, *cases, cwd=tmp_path)
        assert result.returncode == 0, f"{stage}: {result.stdout}{result.stderr}"
    # A verdict, not a failure to resolve: a reported case is not closed.
    reported = by_stage["reported"][0]
    result = check_jsonschema(
        "--schemafile", SCHEMAS / "stages" / "closed.schema.json", reported, cwd=tmp_path
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "'closure' is a required property" in result.stdout


def test_the_config_schema_reaches_into_the_case_schema(tmp_path: Path) -> None:
    config = tmp_path / "clr.yaml"
    base = "schema_version: 1\norganisation: T\nid_prefix: CLR\nminimum_ages:\n"
    config.write_text(base + "  XX: {general: 15}\n")
    result = check_jsonschema("--schemafile", SCHEMAS / "config.schema.json", config, cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "XX" in result.stdout  # the country enum of case.schema.json was reached
    config.write_text(base + "  BD: {general: 15}\n")
    result = check_jsonschema("--schemafile", SCHEMAS / "config.schema.json", config, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def _refs(node: object) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


@pytest.mark.slow  # a dozen runs of check-jsonschema
def test_bundle_is_self_contained_and_judges_as_the_files_do(tmp_path: Path) -> None:
    from clr.io import resources

    names = clr("schema", cwd=tmp_path).stdout.split()
    assert "stages/closed" in names and "case" in names
    paths = []
    for name in names:
        bundled = resources.bundle_schema(name)
        assert "$id" not in bundled
        assert all(ref.startswith("#") for ref in _refs(bundled)), name
        path = tmp_path / f"{name.replace('/', '-')}.json"
        path.write_text(json.dumps(bundled), encoding="utf-8")
        paths.append(path)
    meta = check_jsonschema("--check-metaschema", *paths, cwd=tmp_path)
    assert meta.returncode == 0, meta.stdout
    # Through the command line, the bundle of the last stage judges as the stage files do.
    printed = clr("schema", "--bundle", "stages/closed", cwd=tmp_path)
    assert printed.returncode == 0, printed.stderr
    assert json.loads(printed.stdout) == resources.bundle_schema("stages/closed")
    closed = tmp_path / "stages-closed.json"
    beside = SCHEMAS / "stages" / "closed.schema.json"
    for wanted, cases in (
        (0, [c for c in EXAMPLE_CASES if _stage(c) == "closed"]),
        (1, [c for c in EXAMPLE_CASES if _stage(c) != "closed"]),
    ):
        assert cases
        for schema in (closed, beside):
            result = check_jsonschema("--schemafile", schema, *cases, cwd=tmp_path)
            assert result.returncode == wanted, result.stdout + result.stderr
            if wanted:
                assert result.stdout.count("'closure' is a required property") == len(cases)
    assert clr("schema", "--bundle", cwd=tmp_path).returncode == 2


def _schema_target(case: Path) -> Path:
    first = case.read_bytes().split(b"\n", 1)[0].decode("utf-8")
    found = SCHEMA_LINE.match(first)
    assert found, f"{case}: no schema line"
    return (case.parent / found.group(1)).resolve()


def test_every_example_case_names_a_schema_that_exists() -> None:
    cases = sorted((ROOT / "examples").rglob("cases/*/case.yaml"))
    assert len(cases) > 30
    for case in cases:
        assert _schema_target(case) == (SCHEMAS / "case.schema.json").resolve(), case


def test_new_case_writes_the_schemas_its_line_points_to(tmp_path: Path) -> None:
    made = clr("init", "repo", "--org", "T", "--prefix", "CLR", "--no-git", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    repo = tmp_path / "repo"
    written = {p.relative_to(repo).as_posix() for p in (repo / ".clr" / "schemas").rglob("*.json")}
    assert {".clr/schemas/case.schema.json", ".clr/schemas/stages/closed.schema.json"} <= written
    # A repository without them (made by an older clr, or the folder deleted).
    for path in sorted((repo / ".clr" / "schemas").rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    flags = ["--site", "S", "--country", "BD", "--channel", "audit", "--pseudonym", "Child A"]
    new = clr("new-case", "--no-input", *flags, "--sex", "female", "--by", "R", cwd=repo)
    assert new.returncode == 0, new.stderr
    case = repo / "cases" / new.stdout.strip() / "case.yaml"
    target = _schema_target(case)
    assert target == (repo / ".clr" / "schemas" / "case.schema.json").resolve()
    stage = target.parent / "stages" / "reported.schema.json"
    for schema in (target, stage):
        result = check_jsonschema("--schemafile", schema, case, cwd=repo)
        assert result.returncode == 0, result.stdout + result.stderr


def test_schema_write_refreshes_the_copies_after_an_upgrade(tmp_path: Path) -> None:
    made = clr("init", "repo", "--org", "T", "--prefix", "CLR", "--no-git", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    repo = tmp_path / "repo"
    old = repo / ".clr" / "schemas" / "stages" / "closed.schema.json"
    old.write_text('{"description": "from an older clr"}\n', encoding="utf-8")
    result = clr("schema", "--write", cwd=repo / "cases")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["wrote ../.clr/schemas/stages/closed.schema.json"]
    assert old.read_text(encoding="utf-8") == (SCHEMAS / "stages" / "closed.schema.json").read_text(
        encoding="utf-8"
    )
    again = clr("schema", "--write", cwd=repo)
    assert again.stdout.strip() == ".clr/schemas is up to date"
    outside = clr("schema", "--write", cwd=tmp_path)
    assert outside.returncode == 1 and "no clr.yaml found" in outside.stderr


@pytest.mark.parametrize("name", ["case", "stages/closed"])
def test_the_printed_schema_resolves_where_it_is_saved(tmp_path: Path, name: str) -> None:
    """``clr schema NAME > file`` in a folder of the other schemas: the documented use."""
    written = clr("init", "repo", "--org", "T", "--prefix", "CLR", "--no-git", cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    target = tmp_path / "repo" / ".clr" / "schemas" / f"{name}.schema.json"
    printed = clr("schema", name, cwd=tmp_path)
    assert printed.stdout == target.read_text(encoding="utf-8")
    case = next(c for c in EXAMPLE_CASES if _stage(c) == "closed")
    result = check_jsonschema("--schemafile", target, case, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow  # installs yaml-language-server with npm
def test_yaml_language_server_follows_the_schema_line(tmp_path: Path) -> None:
    """The editor's judge: a case's $schema line, and the stage schemas' relative $refs."""
    from tests.checks.lsp_support import diagnostics

    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed")
    tools = tmp_path / "node"
    installed = subprocess.run(
        [npm, "install", "--prefix", str(tools), "--no-audit", "--no-fund",
         "yaml-language-server@1"],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    if installed.returncode != 0:
        pytest.skip(f"yaml-language-server could not be installed: {installed.stderr[-300:]}")
    server = [str(tools / "node_modules" / ".bin" / "yaml-language-server"), "--stdio"]
    made = clr("init", "repo", "--org", "T", "--prefix", "CLR", "--no-git", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    repo = tmp_path / "repo"
    flags = ["--site", "S", "--country", "BD", "--channel", "audit", "--pseudonym", "Child A"]
    new = clr("new-case", "--no-input", *flags, "--sex", "female", "--by", "R", cwd=repo)
    assert new.returncode == 0, new.stderr
    case = repo / "cases" / new.stdout.strip() / "case.yaml"
    assert diagnostics(server, case) == []
    text = case.read_text(encoding="utf-8")
    case.write_text(text.replace("sex: female", "sex: femal"), encoding="utf-8")
    wrong = diagnostics(server, case)
    assert any("Value is not accepted" in m for m in wrong), wrong
    # Pointed at the closed stage: its own rule and, through its $ref, the reported stage's.
    closed = text.replace("case.schema.json", "stages/closed.schema.json", 1)
    case.write_text(closed.replace("discovery:", "discovered_by:", 1), encoding="utf-8")
    found = diagnostics(server, case)
    assert 'Missing property "closure".' in found
    assert 'Missing property "discovery".' in found
