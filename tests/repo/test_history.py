"""clr history over real git repositories: commits with set author dates, a rename, a stage
moved without a history entry and an entry dated after its commit."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import CONFIG_TEXT, make_case_data
from helpers_workflow import describe, subprocess_env
from helpers_workflow import run as guarded_run

OLD, NEW = "CLR-2026-AAAA1", "CLR-2026-AAAA2"


def git(root: Path, *args: str, author: str = "Test", date: str | None = None) -> str:
    env = subprocess_env(GIT_AUTHOR_NAME=author, GIT_AUTHOR_EMAIL="team@example.invalid")
    if date:
        env["GIT_AUTHOR_DATE"] = date
    done = subprocess.run(
        ["git", "-c", "commit.gpgsign=false", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def write(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def commit(root: Path, message: str, author: str, date: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message, author=author, date=date)


def entry(at: str, before: str | None, after: str) -> dict[str, Any]:
    return {"at": at, "from": before, "to": after, "by": "R. Ahmed"}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    (root / "clr.yaml").write_text(CONFIG_TEXT, encoding="utf-8")
    first = entry("2026-03-02T09:10:00Z", None, "reported")
    data = make_case_data(id=OLD, history=[first])
    write(root / "cases" / OLD / "case.yaml", data)
    commit(root, "Open the case", "L. Wei", "2026-03-02T10:00:00Z")
    data["stage"] = "identified"
    data["discovery"]["hours_per_week"] = 40
    data["history"].append(entry("2026-03-03T11:00:00Z", "reported", "identified"))
    write(root / "cases" / OLD / "case.yaml", data)
    commit(root, "Identified", "R. Ahmed", "2026-03-03T12:00:00Z")
    return root


def extend(root: Path) -> Path:
    """Rename the case, move it without a history entry, add an entry dated too late."""
    git(root, "mv", f"cases/{OLD}", f"cases/{NEW}")
    path = root / "cases" / NEW / "case.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["id"] = NEW
    write(path, data)
    commit(root, "Fix the case id", "L. Wei", "2026-03-04T09:00:00Z")
    data["stage"] = "protected"
    write(path, data)
    commit(root, "Protected", "R. Ahmed", "2026-03-05T09:00:00Z")
    data["history"].append(entry("2026-03-07T08:00:00Z", "identified", "protected"))
    write(path, data)
    commit(root, "Add the move", "R. Ahmed", "2026-03-06T08:00:00Z")
    return path


def history_json(case: Path) -> tuple[int, dict[str, Any]]:
    result = guarded_run(["history", case, "--format", "json"])
    assert result.exit_code in (0, 1), describe(result)
    return result.exit_code, json.loads(result.stdout)


def test_commits_with_authors_dates_and_field_changes(repo: Path) -> None:
    code, doc = history_json(repo / "cases" / OLD)
    assert code == 0 and doc["version"] == 1 and doc["case"] == OLD
    assert doc["disagreements"] == []
    commits = doc["commits"]
    assert [(c["author"], c["date"], c["subject"]) for c in commits] == [
        ("L. Wei", "2026-03-02T10:00:00+00:00", "Open the case"),
        ("R. Ahmed", "2026-03-03T12:00:00+00:00", "Identified"),
    ]
    assert all(c["signature"] == "N" and c["signature_text"] == "none" for c in commits)
    assert (commits[1]["stage_before"], commits[1]["stage_after"]) == ("reported", "identified")
    changes = {c["field"]: c for c in commits[1]["changes"]}
    assert set(changes) == {"stage", "discovery.hours_per_week", "history[1]"}
    assert changes["stage"] == {
        "field": "stage",
        "kind": "changed",
        "old": "reported",
        "new": "identified",
    }
    assert changes["discovery.hours_per_week"]["kind"] == "added"
    assert changes["discovery.hours_per_week"]["new"] == 40


def test_follows_renames_and_reports_disagreements(repo: Path) -> None:
    path = extend(repo)
    code, doc = history_json(path)
    assert code == 1
    commits = doc["commits"]
    assert [c["subject"] for c in commits] == [
        "Open the case",
        "Identified",
        "Fix the case id",
        "Protected",
        "Add the move",
    ]
    renamed = commits[2]
    assert renamed["status"] == "R"
    assert renamed["renamed_from"] == f"cases/{OLD}/case.yaml"
    assert renamed["path"] == f"cases/{NEW}/case.yaml"
    assert renamed["changes"] == [{"field": "id", "kind": "changed", "old": OLD, "new": NEW}]
    found = [(d["commit"], d["kind"]) for d in doc["disagreements"]]
    assert found == [
        (commits[3]["sha"], "move-without-entry"),
        (commits[4]["sha"], "entry-after-commit"),
    ]


def test_text_fits_80_columns(repo: Path) -> None:
    path = extend(repo)
    result = guarded_run(["history", path])
    assert result.exit_code == 1, describe(result)
    lines = result.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines), result.stdout
    assert "  stage: reported → identified" in lines
    assert "  + discovery.hours_per_week: 40" in lines
    assert f"  renamed from cases/{OLD}/case.yaml" in lines
    assert "2 disagreement(s) with the case's history:" in lines


def test_layout_only_change_is_no_field_change(repo: Path) -> None:
    path = repo / "cases" / OLD / "case.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text("# a comment\n" + text.replace("stage: identified", "stage: 'identified'"))
    commit(repo, "Layout", "L. Wei", "2026-03-04T09:00:00Z")
    code, doc = history_json(path)
    assert code == 0 and doc["commits"][-1]["changes"] == []


def test_history_entry_rewritten(repo: Path) -> None:
    path = repo / "cases" / OLD / "case.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["history"][0]["by"] = "someone else"
    write(path, data)
    commit(repo, "Rewrite", "L. Wei", "2026-03-04T09:00:00Z")
    code, doc = history_json(path)
    assert code == 1
    assert [d["kind"] for d in doc["disagreements"]] == ["history-rewritten"]


def test_outside_git_is_a_clear_error(tmp_path: Path) -> None:
    root = tmp_path / "nogit"
    (root / "cases" / OLD).mkdir(parents=True)
    (root / "clr.yaml").write_text(CONFIG_TEXT, encoding="utf-8")
    write(root / "cases" / OLD / "case.yaml", make_case_data(id=OLD))
    result = guarded_run(["history", root / "cases" / OLD])
    assert result.exit_code == 1, describe(result)
    assert "is not in a git repository" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="needs ssh-keygen")
def test_signature_status_of_a_signed_commit(repo: Path, tmp_path: Path) -> None:
    key = tmp_path / "signing-key"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "team", "-f", str(key)],
        check=True,
        capture_output=True,
    )
    public = (tmp_path / "signing-key.pub").read_text(encoding="utf-8").strip()
    signers = tmp_path / "allowed_signers"
    signers.write_text(f"team@example.invalid {public}\n", encoding="utf-8")
    for name, value in (
        ("gpg.format", "ssh"),
        ("user.signingkey", str(key)),
        ("gpg.ssh.allowedSignersFile", str(signers)),
    ):
        git(repo, "config", name, value)
    path = repo / "cases" / OLD / "case.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["discovery"]["hours_per_week"] = 48
    write(path, data)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-S", "-m", "Signed", author="R. Ahmed", date="2026-03-04T09:00:00Z")
    _, doc = history_json(path)
    assert [(c["subject"], c["signature"]) for c in doc["commits"]] == [
        ("Open the case", "N"),
        ("Identified", "N"),
        ("Signed", "G"),
    ]
    assert doc["commits"][-1]["signature_text"] == "good"


def test_control_characters_in_values_and_authors_are_shown_as_escapes(repo: Path) -> None:
    path = repo / "cases" / OLD / "case.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["site"]["name"] = "Factory\x1b[2J\u202e 1"
    write(path, data)
    commit(repo, "Site\x1b]0;owned\x07", "R.\x1b[31m Ahmed", "2026-03-04T09:00:00Z")
    for args in ([], ["--format", "json"]):
        result = guarded_run(["history", path, *args])
        assert result.exit_code == 0, describe(result)
        raw = [ch for ch in result.stdout if ch in "\x1b\x07\u202e"]
        assert raw == [], result.stdout
    text = guarded_run(["history", path]).stdout
    assert "  ~ site.name: Factory 1 → Factory\\x1b[2J\\u202e 1" in text.splitlines()
    doc = json.loads(guarded_run(["history", path, "--format", "json"]).stdout)
    assert doc["commits"][-1]["changes"][0]["new"] == "Factory\x1b[2J\u202e 1"


def test_a_case_never_committed_has_no_commits_and_says_so(repo: Path) -> None:
    new = repo / "cases" / NEW / "case.yaml"
    write(new, make_case_data(id=NEW))
    result = guarded_run(["history", new.parent, "--format", "json"])
    assert result.exit_code == 0, describe(result)
    assert json.loads(result.stdout)["commits"] == []
    assert f"no commit holds cases/{NEW}/case.yaml yet" in result.stderr
