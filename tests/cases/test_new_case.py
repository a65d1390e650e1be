"""clr init and clr new-case: making a case repository and opening cases in it.

By flags in-process, without a terminal in a subprocess (never prompting, never hanging),
and in a real terminal with pexpect: prompts answered one by one, and Ctrl-C midway.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from helpers_workflow import (
    CASE_ID_RE,
    clr_executable,
    commit_all,
    describe,
    git,
    make_repo,
    run,
    subprocess_env,
)

AS_OF = "2026-03-02"

INIT_FILES = (
    "clr.yaml",
    ".gitignore",
    ".gitattributes",
    ".pre-commit-config.yaml",
    ".github/workflows/clr.yml",
    ".yamllint",
)

FULL_FLAGS = [
    "--site", "Sunrise Garments",
    "--supplier", "SUP-0042",
    "--country", "bd",
    "--sector", "garments",
    "--buyer", "Northwind Apparel",
    "--discovered", "2026-03-01",
    "--channel", "audit",
    "--work", "trimming threads",
    "--hazard", "needles",
    "--hazard", "long hours",
    "--hours", "60",
    "--night-work",
    "--pseudonym", "Child A",
    "--sex", "female",
    "--age", "13",
    "--age-basis", "appearance",
    "--by", "R. Ahmed",
    "--as-of", AS_OF,
]  # fmt: skip

MINIMAL_FLAGS = [
    "--site", "Sunrise Garments",
    "--country", "BD",
    "--channel", "hotline",
    "--pseudonym", "Child B",
    "--sex", "male",
    "--by", "R. Ahmed",
]  # fmt: skip


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "120")
    for name in ("CLR_USER", "CLR_NO_INPUT", "CLR_DEBUG", "PRE_COMMIT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in subprocess_env().items():
        if name.startswith("GIT_"):
            monkeypatch.setenv(name, value)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository made by ``clr init`` (with git); cwd is its root."""
    root = tmp_path / "cases-repo"
    result = run(["init", str(root), "--org", "Test Org", "--prefix", "TST", "--no-input"])
    assert result.exit_code == 0, describe(result)
    monkeypatch.chdir(root)
    return root


def case_folders(root: Path) -> list[str]:
    """Everything in cases/ but clr init's .gitkeep."""
    return sorted(p.name for p in (root / "cases").iterdir() if p.name != ".gitkeep")


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` outside .git, with its bytes."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts[:1]
    }


def new_case(*flags: str) -> str:
    result = run(["new-case", "--no-input", *flags])
    assert result.exit_code == 0, describe(result)
    case_id = result.stdout.strip()
    assert CASE_ID_RE.match(case_id), describe(result)
    return case_id


def run_exe(
    args: list[str], cwd: Path, *, stdin: Any = subprocess.DEVNULL, **env: str
) -> subprocess.CompletedProcess[str]:
    """The real ``clr`` executable, without a terminal, with a 20 s limit."""
    return subprocess.run(
        [clr_executable(), *args],
        cwd=cwd,
        stdin=stdin,
        capture_output=True,
        text=True,
        timeout=20,
        env=subprocess_env(**env),
    )


# --- clr init ------------------------------------------------------------------------------------


def test_init_makes_a_repository_and_says_what_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run(["init", "cases-2026", "--org", "Example Remediation Partners", "--prefix", "EXR"])
    assert result.exit_code == 0, describe(result)
    root = tmp_path / "cases-2026"
    for name in INIT_FILES:
        assert (root / name).is_file(), name
        assert f"created {Path('cases-2026') / name}" in result.stdout
    assert (root / "cases").is_dir()
    assert (root / ".git").is_dir()
    assert "initialised a git repository in cases-2026" in result.stdout
    assert "Next:" in result.stdout and "clr new-case" in result.stdout
    assert "cd cases-2026" in result.stdout
    config = yaml.safe_load((root / "clr.yaml").read_text(encoding="utf-8"))
    assert config["organisation"] == "Example Remediation Partners"
    assert config["id_prefix"] == "EXR"
    ignored = (root / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "identity.yaml" in ignored
    assert "eol=lf" in (root / ".gitattributes").read_text(encoding="utf-8")
    hooks = yaml.safe_load((root / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert hooks["repos"][0]["hooks"] == [{"id": "clr-validate"}]
    workflow = yaml.safe_load((root / ".github/workflows/clr.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["validate"]["steps"]
    assert any("clr validate" in str(step.get("run", "")) for step in steps)
    # Everything clr init made can be committed: nothing it made is ignored.
    status = git(root, "status", "--porcelain", "--ignored", "--untracked-files=all").stdout
    assert "!!" not in status
    for name in (*INIT_FILES, "cases/.gitkeep", ".clr/schemas/case.schema.json"):
        assert f"?? {name}" in status.splitlines(), name
    monkeypatch.chdir(root)
    validate = run(["validate"])
    assert validate.exit_code == 0, describe(validate)


def test_init_in_the_current_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run(["init", "--org", "Org", "--prefix", "AB", "--no-input"])
    assert result.exit_code == 0, describe(result)
    assert all((tmp_path / name).is_file() for name in INIT_FILES)
    assert (tmp_path / ".git").is_dir()


def test_init_inside_a_git_repository_does_not_start_another(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    git(tmp_path, "init", "-q")
    monkeypatch.chdir(tmp_path)
    result = run(["init", "sub", "--org", "Org", "--prefix", "AB", "--no-input"])
    assert result.exit_code == 0, describe(result)
    assert not (tmp_path / "sub" / ".git").exists()
    assert "initialised" not in result.stdout
    no_git = run(["init", str(tmp_path / "x"), "--org", "O", "--prefix", "AB", "--no-git"])
    assert no_git.exit_code == 0 and not (tmp_path / "x" / ".git").exists()


def test_init_by_absolute_path_inside_a_git_repository_does_not_nest(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    result = run(["init", str(tmp_path / "sub"), "--org", "Org", "--prefix", "AB", "--no-input"])
    assert result.exit_code == 0, describe(result)
    assert "initialised" not in result.stdout
    assert not (tmp_path / "sub" / ".git").exists()


def test_init_refuses_to_overwrite_without_force(repo: Path) -> None:
    config = repo / "clr.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "# my own note\n", encoding="utf-8")
    before = snapshot(repo)
    result = run(["init", str(repo), "--org", "Other", "--prefix", "OTH", "--no-input"])
    assert result.exit_code == 1, describe(result)
    assert "already has clr.yaml," in result.stderr
    assert "--force" in result.stderr and "nothing was changed" in result.stderr
    assert snapshot(repo) == before
    forced = run(["init", str(repo), "--org", "Other", "--prefix", "OTH", "--force"])
    assert forced.exit_code == 0, describe(forced)
    text = config.read_text(encoding="utf-8")
    assert "# my own note" not in text and "id_prefix: OTH" in text


def test_init_refuses_an_unknown_time_zone(tmp_path: Path) -> None:
    folder = tmp_path / "project"
    args = ["init", str(folder), "--org", "Org", "--prefix", "AB", "--no-git", "--no-input"]
    result = run([*args, "--timezone", "Europe/Londn"])
    assert result.exit_code == 1, describe(result)
    assert "--timezone: timezone 'Europe/Londn' is not a known IANA time zone" in result.stderr
    assert "hint: did you mean Europe/London" in result.stderr
    assert not folder.exists(), "nothing was made"
    good = run([*args, "--timezone", "Asia/Dhaka"])
    assert good.exit_code == 0, describe(good)
    assert "timezone: Asia/Dhaka" in (folder / "clr.yaml").read_text(encoding="utf-8")


def test_init_refuses_when_only_one_of_its_files_exists(tmp_path: Path) -> None:
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "clr.yaml").write_text("# mine\n", encoding="utf-8")
    result = run(["init", str(folder), "--org", "Org", "--prefix", "AB", "--no-input"])
    assert result.exit_code == 1, describe(result)
    assert "already has clr.yaml" in result.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["clr.yaml"], "nothing else was made"
    assert (folder / "clr.yaml").read_text(encoding="utf-8") == "# mine\n"


def test_init_adds_its_lines_to_an_existing_gitignore(tmp_path: Path) -> None:
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / ".gitignore").write_text("node_modules/\nidentity.yaml\n", encoding="utf-8")
    result = run(["init", str(folder), "--org", "Org", "--prefix", "AB", "--no-input"])
    assert result.exit_code == 0, describe(result)
    lines = (folder / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert lines[:2] == ["node_modules/", "identity.yaml"]
    assert lines.count("identity.yaml") == 1
    assert ".clr-cache/" in lines and "# Added by clr init" in lines


@pytest.mark.parametrize(
    ("flags", "needle"),
    [
        ([], "missing --organisation and --prefix"),
        (["--org", "Org"], "missing --prefix"),
        (["--prefix", "AB"], "missing --organisation"),
        (["--org", "Org", "--prefix", "ab"], "prefix 'ab' is not 2-12 upper-case letters"),
    ],
)
def test_init_without_values_fails_at_once(tmp_path: Path, flags: list[str], needle: str) -> None:
    result = run(["init", str(tmp_path / "r"), "--no-input", *flags])
    # A value missing from the command line is misuse (2); a wrong value is refused (1).
    assert result.exit_code == (2 if needle.startswith("missing") else 1), describe(result)
    assert needle in result.stderr
    assert not (tmp_path / "r" / "clr.yaml").exists()


def test_init_without_a_terminal_never_prompts(tmp_path: Path) -> None:
    proc = run_exe(["init", "r"], cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "error: missing --organisation and --prefix" in proc.stderr
    assert "?" not in proc.stdout
    assert not (tmp_path / "r" / "clr.yaml").exists()


# --- clr new-case by flags -----------------------------------------------------------------------


def test_new_case_by_flags_is_valid_at_once(repo: Path) -> None:
    result = run(["new-case", "--no-input", *FULL_FLAGS])
    assert result.exit_code == 0, describe(result)
    case_id = result.stdout.strip()
    assert result.stdout == case_id + "\n", "stdout is the id alone, for scripts"
    assert CASE_ID_RE.match(case_id) and case_id.startswith("TST-2026-")
    assert case_folders(repo) == [case_id]
    path = repo / "cases" / case_id / "case.yaml"
    assert f"created cases/{case_id}/case.yaml" in result.stderr
    # The first next actions, with their deadlines.
    assert "First things to do:" in result.stderr
    assert "report-triage (due 2026-03-02)" in result.stderr
    text = path.read_text(encoding="utf-8")
    first = text.splitlines()[0]
    schema_ref = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
    assert schema_ref, first
    schema = (path.parent / schema_ref.group(1)).resolve()
    assert schema.is_file() and schema.name == "case.schema.json"
    assert json.loads(schema.read_text(encoding="utf-8"))["title"] == "clr case"
    data = yaml.safe_load(text)
    assert data["id"] == case_id
    assert (data["stage"], data["track"], data["playbook"]) == (
        "reported",
        "underage",
        "child-labour",
    )
    assert data["opened"] == AS_OF
    assert data["site"] == {
        "name": "Sunrise Garments",
        "supplier_id": "SUP-0042",
        "country": "BD",
        "sector": "garments",
        "buyer": "Northwind Apparel",
    }
    assert data["child"] == {
        "pseudonym": "Child A",
        "sex": "female",
        "estimated_age": 13,
        "age_basis": "appearance",
    }
    assert data["discovery"] == {
        "date": "2026-03-01",
        "channel": "audit",
        "work": "trimming threads",
        "hazards": ["needles", "long hours"],
        "hours_per_week": 60,
        "night_work": True,
    }
    assert data["history"] == [
        {"at": f"{AS_OF}T12:00:00Z", "from": None, "to": "reported", "by": "R. Ahmed"}
    ]
    validate = run(["validate", "--as-of", AS_OF, "--strict"])
    assert validate.exit_code == 0, describe(validate)
    nxt = json.loads(run(["next", case_id, "--as-of", AS_OF, "--format", "json"]).stdout)
    assert nxt["stage"] == "reported" and nxt["next_stage"] == "identified"


def test_new_case_with_the_fewest_flags(repo: Path) -> None:
    case_id = new_case(*MINIMAL_FLAGS)
    data = yaml.safe_load((repo / "cases" / case_id / "case.yaml").read_text(encoding="utf-8"))
    assert data["stage"] == "reported"
    assert data["discovery"]["channel"] == "hotline"
    assert "estimated_age" not in data["child"]
    assert run(["validate"]).exit_code == 0


def test_clr_user_names_who_opens_the_case(repo: Path) -> None:
    flags = [f for f in MINIMAL_FLAGS if f not in ("--by", "R. Ahmed")]
    result = run(["new-case", "--no-input", *flags], env={"CLR_USER": "Env Person"})
    assert result.exit_code == 0, describe(result)
    text = (repo / "cases" / result.stdout.strip() / "case.yaml").read_text(encoding="utf-8")
    assert "by: Env Person" in text


def test_confirmed_case_starts_at_identified(repo: Path) -> None:
    refused = run(["new-case", "--no-input", "--confirmed", *MINIMAL_FLAGS])
    assert refused.exit_code == 2, describe(refused)
    assert "missing --supplier, --sector, --work, --age or --birth-date" in refused.stderr
    assert case_folders(repo) == []
    case_id = new_case(
        "--confirmed", *MINIMAL_FLAGS,
        "--supplier", "SUP-1", "--sector", "garments", "--work", "ironing",
        "--birth-date", "2013-05", "--as-of", AS_OF,
    )  # fmt: skip
    data = yaml.safe_load((repo / "cases" / case_id / "case.yaml").read_text(encoding="utf-8"))
    assert data["stage"] == "identified"
    assert data["child"]["birth_date"] == "2013-05"
    assert data["history"][0]["from"] is None and data["history"][0]["to"] == "identified"
    validate = run(["validate", "--as-of", AS_OF])
    assert validate.exit_code == 0, describe(validate)


@pytest.mark.parametrize(
    ("flags", "needle"),
    [
        ([], "missing --site, --country, --channel, --pseudonym, --sex, --by"),
        (["--site", "S", "--country", "BD"], "missing --channel, --pseudonym, --sex, --by"),
        (MINIMAL_FLAGS[:-2], "missing --by"),
    ],
)
def test_missing_values_with_no_input_fail_at_once(
    repo: Path, flags: list[str], needle: str
) -> None:
    result = run(["new-case", "--no-input", *flags])
    assert result.exit_code == 2, describe(result)
    assert result.stderr.startswith(f"error: {needle}\n"), describe(result)
    assert "--no-input" in result.stderr  # the hint says how to be asked instead
    assert result.stdout == ""
    assert case_folders(repo) == []


def test_clr_no_input_variable_works_like_the_flag(repo: Path) -> None:
    result = run(["new-case", "--site", "S"], env={"CLR_NO_INPUT": "1"})
    assert result.exit_code == 2, describe(result)
    assert "missing --country" in result.stderr


@pytest.mark.parametrize(
    ("flags", "needle"),
    [
        (["--country", "XX"], "--country 'XX' is not a country"),
        (["--country", "Bangldesh"], "did you mean Bangladesh (BD)?"),
        (["--sex", "femal"], "'femal' is not a valid sex"),
        (["--channel", "rumour"], "'rumour' is not a valid channel"),
        (["--track", "adult"], "'adult' is not a valid track"),
        (["--discovered", "2099-01-01"], "--discovered 2099-01-01 is in the future"),
        (["--discovered", "1 March"], "'--discovered': '1 March' is not a date"),
        (["--birth-date", "2013-13"], "--birth-date '2013-13' is not a date"),
        (["--sector", "Garments!"], "sector"),
    ],
)
def test_wrong_values_are_refused_and_nothing_is_made(
    repo: Path, flags: list[str], needle: str
) -> None:
    base = dict(zip(MINIMAL_FLAGS[::2], MINIMAL_FLAGS[1::2], strict=True))
    base.update(dict(zip(flags[::2], flags[1::2], strict=True)))
    args = [item for pair in base.items() for item in pair]
    result = run(["new-case", "--no-input", *args])
    # A date the command line cannot read is misuse (2), caught before anything else.
    assert result.exit_code == (2 if "1 March" in needle else 1), describe(result)
    assert needle in result.stderr, describe(result)
    assert case_folders(repo) == []


@pytest.mark.parametrize("country", ["Bangladesh", "bd", "BD", "bangladesh"])
def test_country_by_name_or_code_in_any_case(repo: Path, country: str) -> None:
    flags = list(MINIMAL_FLAGS)
    flags[flags.index("--country") + 1] = country
    case_id = new_case(*flags)
    text = (repo / "cases" / case_id / "case.yaml").read_text(encoding="utf-8")
    assert yaml.safe_load(text)["site"]["country"] == "BD"


def test_norway_is_written_as_a_string(repo: Path) -> None:
    flags = list(MINIMAL_FLAGS)
    flags[flags.index("--country") + 1] = "Norway"
    case_id = new_case(*flags)
    text = (repo / "cases" / case_id / "case.yaml").read_text(encoding="utf-8")
    assert yaml.safe_load(text)["site"]["country"] == "NO"  # not false


def test_contact_is_a_deprecated_alias_of_guardian_contact(repo: Path) -> None:
    import pyrage

    key = add_recipient(repo)
    result = run(["new-case", "--no-input", *MINIMAL_FLAGS, "--contact", "+880 1711 000000"])
    assert result.exit_code == 0, describe(result)
    assert "warning: --contact is deprecated" in result.stderr
    assert "--guardian-contact" in result.stderr
    assert "1711" not in result.stderr
    sealed = (repo / "cases" / result.stdout.strip() / "identity.yaml.age").read_bytes()
    kept = yaml.safe_load(pyrage.decrypt(sealed, [key]).decode("utf-8"))
    assert kept["guardian_contact"] == "+880 1711 000000"
    assert "contact" not in kept
    assert "--guardian-contact" in run(["new-case", "--help"]).stdout


def test_confirmed_needs_the_same_fields_by_flags_as_at_the_prompt(repo: Path) -> None:
    result = run(["new-case", "--no-input", "--confirmed", *MINIMAL_FLAGS])
    assert result.exit_code == 2, describe(result)
    assert "missing --supplier, --sector, --work, --age or --birth-date" in result.stderr
    # Unconfirmed, the supplier is optional with flags too (as at the prompt).
    assert new_case(*MINIMAL_FLAGS)


def test_new_case_outside_a_repository_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run(["new-case", "--no-input", *MINIMAL_FLAGS])
    assert result.exit_code == 1, describe(result)
    assert "is not inside a case repository (no clr.yaml found)" in result.stderr
    assert "clr init" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_new_case_in_a_repository_made_by_hand(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo(tmp_path / "plain")
    monkeypatch.chdir(root / "cases")  # from a sub-folder: the repository is found above
    case_id = new_case(*MINIMAL_FLAGS)
    assert (root / "cases" / case_id / "case.yaml").is_file()


# --- identity details ----------------------------------------------------------------------------


def add_recipient(root: Path) -> Any:
    """Make an age key pair, list its public key in clr.yaml; return the private key."""
    import pyrage

    key = pyrage.x25519.Identity.generate()
    config = root / "clr.yaml"
    text = config.read_text(encoding="utf-8").replace(
        "recipients: []", f"recipients:\n  - {key.to_public()}"
    )
    config.write_text(text, encoding="utf-8")
    return key


def test_identity_details_are_encrypted_never_in_the_case_file_or_in_plaintext(
    repo: Path,
) -> None:
    import pyrage

    key = add_recipient(repo)
    secrets = {
        "--name": "Amina Rahman",
        "--guardian-name": "Rahima Begum",
        "--guardian-contact": "+880 1711 000000",
        "--child-contact": "+880 1811 999999",
        "--address": "House 12, Road 5, Mirpur",
    }
    result = run(
        ["new-case", "--no-input", *MINIMAL_FLAGS, *[x for kv in secrets.items() for x in kv]]
    )
    assert result.exit_code == 0, describe(result)
    case_id = result.stdout.strip()
    folder = repo / "cases" / case_id
    case_text = (folder / "case.yaml").read_text(encoding="utf-8")
    for value in secrets.values():
        assert value not in case_text
        assert value not in result.stdout and value not in result.stderr
    for fragment in ("Amina", "Rahman", "1711", "Mirpur"):
        assert fragment not in case_text
    assert sorted(p.name for p in folder.iterdir()) == ["case.yaml", "identity.yaml.age"]
    sealed = (folder / "identity.yaml.age").read_bytes()
    assert sealed.startswith(b"-----BEGIN AGE ENCRYPTED FILE-----")
    for fragment in (b"Amina", b"1711", b"Mirpur"):
        assert fragment not in sealed
    kept = yaml.safe_load(pyrage.decrypt(sealed, [key]).decode("utf-8"))
    assert kept == {
        "case": case_id,
        "name": "Amina Rahman",
        "guardian_name": "Rahima Begum",
        "guardian_contact": "+880 1711 000000",
        "contact": "+880 1811 999999",
        "address": "House 12, Road 5, Mirpur",
    }
    assert "identity details encrypted to 1 recipient" in result.stderr
    status = git(repo, "status", "--porcelain", "--ignored", "--untracked-files=all").stdout
    assert f"?? cases/{case_id}/identity.yaml.age" in status.splitlines()
    assert run(["validate"]).exit_code == 0
    # Without identity details there is no identity file at all.
    other = new_case(*MINIMAL_FLAGS)
    assert sorted(p.name for p in (repo / "cases" / other).iterdir()) == ["case.yaml"]


def test_identity_details_without_recipients_are_refused_and_nothing_is_made(repo: Path) -> None:
    result = run(["new-case", "--no-input", *MINIMAL_FLAGS, "--name", "Amina Rahman"])
    assert result.exit_code == 1, describe(result)
    assert "no recipients are configured" in result.stderr
    assert "clr keygen" in result.stderr
    assert "Amina" not in result.stdout + result.stderr
    assert case_folders(repo) == []
    status = git(repo, "status", "--porcelain", "--ignored", "--untracked-files=all").stdout
    # (clr init's .clr/schemas/ holds identity.schema.json, for editors: no identity file.)
    assert not [x for x in status.splitlines() if "identity" in x and ".clr/schemas/" not in x]


# --- no terminal: never prompt, never hang -------------------------------------------------------


def test_without_a_terminal_new_case_never_prompts(repo: Path) -> None:
    started = time.monotonic()
    proc = run_exe(["new-case", "--site", "Sunrise"], cwd=repo)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("error: missing --country, --channel, --pseudonym, --sex, --by")
    assert "Country" not in proc.stdout + proc.stderr  # no prompt was shown
    assert "Traceback" not in proc.stderr
    assert time.monotonic() - started < 20
    assert case_folders(repo) == []


def test_closed_stdin_pipe_never_prompts(repo: Path) -> None:
    proc = subprocess.Popen(
        [clr_executable(), "new-case"],
        cwd=repo,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=subprocess_env(),
    )
    try:
        _out, err = proc.communicate(input="", timeout=20)  # stdin closed at once
    except subprocess.TimeoutExpired:  # pragma: no cover - the failure this test is for
        proc.kill()
        proc.communicate()
        pytest.fail("clr new-case waited for input on a closed pipe")
    assert proc.returncode == 2, err
    assert "error: missing --site" in err
    assert case_folders(repo) == []


def test_without_a_terminal_all_flags_make_the_case(repo: Path) -> None:
    proc = run_exe(["new-case", *MINIMAL_FLAGS], cwd=repo)  # no --no-input: not needed
    assert proc.returncode == 0, proc.stderr
    case_id = proc.stdout.strip()
    assert CASE_ID_RE.match(case_id)
    assert case_folders(repo) == [case_id]
    validate = run_exe(["validate"], cwd=repo)
    assert validate.returncode == 0, validate.stdout


def test_errors_from_the_executable_have_no_traceback(tmp_path: Path) -> None:
    proc = run_exe(["new-case", "--no-input", *MINIMAL_FLAGS], cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: ") and "hint: run 'clr init'" in proc.stderr
    assert "Traceback" not in proc.stderr


# --- two branches --------------------------------------------------------------------------------


def test_cases_made_on_two_branches_merge_without_conflict(repo: Path) -> None:
    add_recipient(repo)
    commit_all(repo, "Case repository")
    base = git(repo, "rev-parse", "--abbrev-ref", "HEAD").stdout.strip()
    git(repo, "checkout", "-q", "-b", "consultant-a")
    first = new_case(*MINIMAL_FLAGS, "--name", "Child One")
    commit_all(repo, "case a")
    git(repo, "checkout", "-q", base)
    git(repo, "checkout", "-q", "-b", "consultant-b")
    assert case_folders(repo) == []  # the encrypted identity file went with its case
    second = new_case(*MINIMAL_FLAGS)
    commit_all(repo, "case b")
    merged = git(repo, "merge", "--no-edit", "consultant-a", check=False)
    assert merged.returncode == 0, merged.stdout + merged.stderr
    assert "CONFLICT" not in merged.stdout
    assert first != second
    assert set(case_folders(repo)) == {first, second}
    for case_id in (first, second):
        assert git(repo, "ls-files", f"cases/{case_id}/case.yaml").stdout.strip()
    assert git(repo, "ls-files", f"cases/{first}/identity.yaml.age").stdout.strip()
    validate = run(["validate", "--strict"])
    assert validate.exit_code == 0, describe(validate)
    assert "2 cases checked" in validate.stdout


# --- a real terminal -----------------------------------------------------------------------------

try:
    import pexpect
except ImportError:  # pragma: no cover - pexpect is in the test extras
    pexpect = None

needs_pexpect = pytest.mark.skipif(pexpect is None, reason="pexpect is not installed")

DOWN = "\x1b[B"
TIMEOUT = 30


def spawn_new_case(root: Path) -> Any:
    # A real terminal answers prompt_toolkit's cursor position requests; pexpect does not,
    # and each unanswered request costs a second or so: turn them off.
    env = subprocess_env(TERM="xterm", COLUMNS="100", LINES="40", PROMPT_TOOLKIT_NO_CPR="1")
    env.pop("NO_COLOR", None)
    return pexpect.spawn(
        clr_executable(),
        ["new-case"],
        cwd=str(root),
        env=env,
        encoding="utf-8",
        timeout=TIMEOUT,
        dimensions=(40, 100),
    )


def answer(child: Any, prompt: str, keys: str, *, settle: bool = False) -> None:
    """Wait for a prompt, then type; ``settle`` waits for a menu to draw before Enter."""
    child.expect(prompt)
    if settle:
        child.send(keys)
        time.sleep(0.3)
        child.send("\r")
    else:
        child.send(keys)


@needs_pexpect
def test_new_case_in_a_real_terminal(repo: Path) -> None:
    child = spawn_new_case(repo)
    try:
        answer(child, r"Site \(factory, farm or cooperative\):", "Sunrise Garments\r")
        answer(child, r"Supplier id \(optional\):", "SUP-0042\r")
        answer(child, r"Country \(name or ISO code", "BD", settle=True)
        answer(child, r"Sector \(e\.g\. garments, cocoa; optional\):", "garments\r")
        answer(child, r"Buyer \(optional\):", "Northwind Apparel\r")
        answer(child, r"Day the child was found working \(YYYY-MM-DD\):", "\r")  # the default
        answer(child, r"How did the case come to light\?", DOWN, settle=True)
        answer(child, r"What was the child doing\? \(optional\):", "trimming threads\r")
        answer(child, r"Hazards seen, separated by commas", "needles, long hours\r")
        answer(child, r"Hours worked per week \(optional\):", "\r")
        answer(child, r"Night work\? y/n \(optional\):", "\r")
        answer(child, r"Pseudonym \(never the real name\)", "Child C\r")
        answer(child, r"Sex:", DOWN, settle=True)
        answer(child, r"Birth date, as far as known", "\r")
        answer(child, r"Estimated age in years \(optional\):", "13\r")
        answer(child, r"What does the age rest on\?", DOWN * 3, settle=True)
        answer(child, r"Track:", "", settle=True)
        answer(child, r"Your name \(for the history\):", "R. Ahmed\r")
        child.expect(r"Identity details \(names, contacts, address\) are not asked")
        child.expect(r"TST-\d{4}-[0-9A-Z]{7}")
        case_id = child.after
        child.expect("First things to do:")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0, child.before
    assert case_folders(repo) == [case_id]
    data = yaml.safe_load((repo / "cases" / case_id / "case.yaml").read_text(encoding="utf-8"))
    assert data["site"] == {
        "name": "Sunrise Garments",
        "supplier_id": "SUP-0042",
        "country": "BD",
        "sector": "garments",
        "buyer": "Northwind Apparel",
    }
    assert data["discovery"]["channel"] == "grievance_mechanism"
    assert data["discovery"]["work"] == "trimming threads"
    assert data["discovery"]["hazards"] == ["needles", "long hours"]
    assert data["discovery"]["date"] == data["opened"]  # the default date was accepted
    assert data["child"] == {
        "pseudonym": "Child C",
        "sex": "male",
        "estimated_age": 13,
        "age_basis": "school_record",
    }
    assert (data["track"], data["stage"]) == ("underage", "reported")
    assert data["history"][0]["by"] == "R. Ahmed"
    validate = run(["validate"])
    assert validate.exit_code == 0, describe(validate)


@needs_pexpect
def test_ctrl_c_in_the_prompts_leaves_nothing_behind(repo: Path) -> None:
    child = spawn_new_case(repo)
    try:
        answer(child, r"Site \(factory, farm or cooperative\):", "Sunrise Garments\r")
        answer(child, r"Supplier id \(optional\):", "SUP-0042\r")
        answer(child, r"Country \(name or ISO code", "BD", settle=True)
        answer(child, r"Sector", "garments\r")
        answer(child, r"Buyer", "\r")
        answer(child, r"Day the child was found working", "\r")
        answer(child, r"How did the case come to light\?", "", settle=True)
        child.expect(r"What was the child doing\?")
        child.sendintr()
        child.expect(pexpect.EOF)
        output = child.before
    finally:
        child.close(force=True)
    assert child.exitstatus == 130, (child.exitstatus, child.signalstatus, output)
    assert "Traceback" not in output
    assert "TST-" not in output
    assert sorted(p.name for p in (repo / "cases").iterdir()) == [".gitkeep"]


def spawn_clr(root: Path, *args: str) -> Any:
    env = subprocess_env(TERM="xterm", COLUMNS="100", LINES="40", PROMPT_TOOLKIT_NO_CPR="1")
    env.pop("NO_COLOR", None)
    return pexpect.spawn(
        clr_executable(),
        list(args),
        cwd=str(root),
        env=env,
        encoding="utf-8",
        timeout=TIMEOUT,
        dimensions=(40, 100),
    )


@needs_pexpect
@pytest.mark.slow
def test_new_case_prompts_for_identity_birth_date_hours_and_night_work(repo: Path) -> None:
    import pyrage

    key = add_recipient(repo)
    child = spawn_clr(repo, "new-case", "--confirmed")
    try:
        answer(child, r"Site \(factory, farm or cooperative\):", "Delta Dyeing\r")
        # Confirmed: the identified stage needs the supplier, so it is asked as required.
        child.expect(r"Supplier id:")
        child.send("\r")
        child.expect("required")
        child.send("SUP-7\r")
        answer(child, r"Country \(name or ISO code", "Bangldesh\r")
        child.expect(r"did you mean Bangladesh \(BD\)\?")
        child.send("\x15")  # Ctrl-U: clear the line
        child.send("bangladesh")
        time.sleep(0.3)
        child.send("\r")
        answer(child, r"Sector \(e\.g\. garments, cocoa\):", "textiles\r")
        answer(child, r"Buyer \(optional\):", "\r")
        answer(child, r"Day the child was found working", "\r")
        answer(child, r"How did the case come to light\?", "", settle=True)
        answer(child, r"What was the child doing\?:", "carrying dye drums\r")
        answer(child, r"Hazards seen", "chemicals\r")
        answer(child, r"Hours worked per week \(optional\):", "66\r")
        answer(child, r"Night work\? y/n \(optional\):", "y\r")
        answer(child, r"Pseudonym", "Worker B\r")
        answer(child, r"Sex:", DOWN, settle=True)
        answer(child, r"Birth date, as far as known", "2009-06\r")
        answer(child, r"Estimated age in years \(optional\):", "\r")
        answer(child, r"What does the age rest on\?", "", settle=True)
        answer(child, r"Track:", DOWN, settle=True)
        answer(child, r"Your name \(for the history\):", "R. Ahmed\r")
        child.expect(r"Identity details: encrypted, never in case\.yaml")
        answer(child, r"Child's full name \(encrypted, optional\):", "Karim Hossain\r")
        answer(child, r"Guardian's name \(encrypted, optional\):", "Rahima Begum\r")
        answer(child, r"Guardian's phone or other contact \(encrypted", "+880 1711 000000\r")
        answer(child, r"Address of the family \(encrypted, optional\):", "\r")
        child.expect(r"TST-\d{4}-[0-9A-Z]{7}")
        case_id = child.after
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0, child.before
    folder = repo / "cases" / case_id
    text = (folder / "case.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert data["stage"] == "identified" and data["track"] == "young-worker"
    assert data["site"]["country"] == "BD" and data["site"]["supplier_id"] == "SUP-7"
    assert data["child"]["birth_date"] == "2009-06" and "estimated_age" not in data["child"]
    assert data["discovery"]["hours_per_week"] == 66
    assert data["discovery"]["night_work"] is True
    for secret in ("Karim", "Rahima", "1711"):
        assert secret not in text
    kept = yaml.safe_load(pyrage.decrypt((folder / "identity.yaml.age").read_bytes(), [key]))
    assert kept == {
        "case": case_id,
        "name": "Karim Hossain",
        "guardian_name": "Rahima Begum",
        "guardian_contact": "+880 1711 000000",
    }


def test_new_case_values_are_checked_in_the_core_without_the_cli() -> None:
    import datetime as dt

    from clr.cases import newcase
    from clr.errors import ClrError

    base = {
        "site": "Sunrise Garments",
        "country": "bangladesh",
        "channel": "audit",
        "pseudonym": "Child A",
        "sex": "female",
        "by": "R. Ahmed",
        "age": 13,
        "birth_date": None,
        "discovered": "2026-11-20",
        "age_basis": None,
        "track": None,
    }
    enums = newcase.case_enums()
    values = dict(base)
    newcase.check_values(values, enums, dt.date(2026, 11, 21), confirmed=False)
    assert values["country"] == "BD"
    with pytest.raises(ClrError) as missing:
        newcase.check_values({**base, "site": None}, enums, dt.date(2026, 11, 21), True)
    assert "--site" in missing.value.message and "--supplier" in missing.value.message
    with pytest.raises(ClrError) as future:
        newcase.check_values(dict(base), enums, dt.date(2026, 11, 19), confirmed=False)
    assert "in the future" in future.value.message
