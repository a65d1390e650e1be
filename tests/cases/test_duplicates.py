"""The same child in two cases: found from the case files alone, or by names with a key."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml

from helpers_workflow import describe, run, subprocess_env

AS_OF = "2026-03-02"


def _flags(country: str = "BD", age: str = "12") -> list[str]:
    return [
        "--site", "Sunrise Garments", "--country", country, "--channel", "audit",
        "--pseudonym", "Child A", "--sex", "female", "--by", "R. Ahmed", "--as-of", AS_OF,
        "--age", age,
    ]  # fmt: skip


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    for name in ("CLR_IDENTITY_FILE", "CLR_KEY_STORE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in subprocess_env().items():
        if name.startswith("GIT_"):
            monkeypatch.setenv(name, value)
    key = tmp_path / "keys" / "a.txt"
    made = run(["keygen", "--output", str(key)])
    assert made.exit_code == 0, describe(made)
    monkeypatch.setenv("CLR_IDENTITY_FILE", str(key))
    root = tmp_path / "one"
    result = run(["init", str(root), "--org", "Test Org", "--prefix", "TST", "--no-input"])
    assert result.exit_code == 0, describe(result)
    config = root / "clr.yaml"
    text = config.read_text(encoding="utf-8")
    text = text[: text.index("recipients:")]
    config.write_text(
        text + f"recipients:\n  - {made.stdout.strip()}\nkey_store: ../shared-keys\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(root)
    assert run(["keys", "init"]).exit_code == 0
    return root


def new_case(name: str, *flags: str) -> str:
    result = run(["new-case", "--no-input", *_flags(*flags), "--name", name])
    assert result.exit_code == 0, describe(result)
    return result.stdout.strip()


def fingerprints_of(root: Path, case_id: str) -> list[str]:
    data = yaml.safe_load((root / "cases" / case_id / "case.yaml").read_text(encoding="utf-8"))
    return list(data.get("privacy", {}).get("fingerprints", []))


def test_the_same_child_in_two_scripts_is_reported_without_decrypting(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = new_case("রহিম উদ্দিন")
    second = new_case("Uddin Rahim")
    other = new_case("Karim Uddin")
    assert fingerprints_of(repo, first) == fingerprints_of(repo, second)
    assert fingerprints_of(repo, first) != fingerprints_of(repo, other)
    for case_id in (first, second):
        text = (repo / "cases" / case_id / "case.yaml").read_text(encoding="utf-8")
        assert "Rahim" not in text and "রহিম" not in text

    monkeypatch.setenv("CLR_IDENTITY_FILE", str(repo / "no-such-key"))  # nothing to decrypt with
    result = run(["duplicates", "--format", "json"])
    assert result.exit_code == 0, describe(result)
    doc = json.loads(result.stdout)
    assert [p["cases"] for p in doc["pairs"]] == [sorted([first, second])]
    assert doc["pairs"][0]["how"] == "fingerprint"
    text = run(["duplicates"]).stdout
    assert "Rahim" not in text and "রহিম" not in text
    assert first in text and second in text

    found = run(["validate", "--as-of", AS_OF, "--format", "json"])
    warned = {
        f["path"].split("/")[1]
        for report in json.loads(found.stdout)["files"]
        for f in report["findings"]
        if f["code"] == "CLR602"
    }
    assert warned == {first, second}


def test_a_case_that_names_the_other_is_not_reported(repo: Path) -> None:
    first = new_case("Nguyễn Thị Hương", "VN")
    second = new_case("Nguyen Thi Huong", "VN")
    case_file = repo / "cases" / second / "case.yaml"
    text = case_file.read_text(encoding="utf-8")
    case_file.write_text(text.replace("\nsite:", f"\nrelated_cases: [{first}]\nsite:", 1), "utf-8")
    doc = json.loads(run(["duplicates", "--format", "json"]).stdout)
    assert doc["pairs"] == []
    assert "CLR602" not in run(["validate", "--as-of", AS_OF, "--format", "json"]).stdout


def test_names_alike_are_found_with_a_key_and_across_repositories(
    repo: Path, tmp_path: Path
) -> None:
    first = new_case("Sumaiya Islam")
    # another repository sharing the key store (so the secret): a country office's
    other_root = tmp_path / "two"
    result = run(["init", str(other_root), "--org", "Test Org", "--prefix", "TWO", "--no-input"])
    assert result.exit_code == 0, describe(result)
    config = (
        (repo / "clr.yaml").read_text(encoding="utf-8").replace("id_prefix: TST", "id_prefix: TWO")
    )
    (other_root / "clr.yaml").write_text(config, encoding="utf-8")
    here = Path.cwd()
    os.chdir(other_root)
    try:
        copy = new_case("Islam Sumaiya")
        fuzzy = new_case("Sumaiya Islan", "BD", "13")  # a typo the fingerprint misses
    finally:
        os.chdir(here)
    doc = json.loads(run(["duplicates", str(other_root), "--format", "json"]).stdout)
    assert [p["cases"] for p in doc["pairs"]] == [sorted([first, copy])]
    found = json.loads(run(["duplicates", str(other_root), "--decrypt", "--format", "json"]).stdout)
    pairs = {tuple(p["cases"]): p for p in found["pairs"]}
    assert tuple(sorted([first, copy])) in pairs
    assert tuple(sorted([first, fuzzy])) in pairs
    assert pairs[tuple(sorted([first, fuzzy]))]["how"] == "name"
    assert 0.85 <= pairs[tuple(sorted([first, fuzzy]))]["score"] < 1


@pytest.mark.slow
def test_a_changed_case_is_read_again_after_the_fingerprints_were_remembered(repo: Path) -> None:
    """validate remembers each case file's fingerprints by its status; a change is seen."""
    import time

    first = new_case("Rahim Uddin")
    second = new_case("Karim Uddin")
    time.sleep(3.2)  # older than the settling time: the statuses are remembered
    assert "CLR602" not in run(["validate", "--as-of", AS_OF, "--format", "json"]).stdout
    assert (repo / ".clr-cache" / "privacy.json").exists()
    case_file = repo / "cases" / second / "case.yaml"
    text = case_file.read_text(encoding="utf-8")
    theirs = fingerprints_of(repo, first)
    ours = fingerprints_of(repo, second)
    for old, new in zip(ours, theirs, strict=False):
        text = text.replace(old, new)
    case_file.write_text(text, encoding="utf-8")
    assert "CLR602" in run(["validate", "--as-of", AS_OF, "--format", "json"]).stdout
