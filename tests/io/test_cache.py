"""The result cache of `clr validate` and the bulk views: used when nothing changed, never
when anything a result depends on did, never when damaged, bypassed by --no-cache."""

from __future__ import annotations

import json
import marshal
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from clr.checks import validate
from clr.io import cache, yamlio
from clr.views import summary

CASE_IDS = ["CLR-2026-ABCDE", "CLR-2026-FGHJK", "CLR-2026-MNPQR"]
AS_OF = ["--as-of", "2026-03-02"]
RunCli = Callable[..., Result]


@pytest.fixture
def repo(case_repo: Path, write_tree: Callable[..., Path], valid_case: Callable[..., str]) -> Path:
    """Three valid cases."""
    write_tree(
        {f"cases/{case_id}/case.yaml": valid_case(id=case_id) for case_id in CASE_IDS},
        root=case_repo,
    )
    return case_repo


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The case files `clr validate` checks (rather than takes from the cache)."""
    seen: list[str] = []
    real = validate.check_case_file

    def counting(path: Path, *args: Any, **kwargs: Any) -> Any:
        seen.append(path.parent.name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(validate, "check_case_file", counting)
    return seen


@pytest.fixture
def read(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The case files read from disk."""
    seen: list[str] = []
    real = yamlio.read_bytes

    def counting(path: Path) -> bytes:
        if Path(path).name == "case.yaml":
            seen.append(Path(path).parent.name)
        return real(path)

    monkeypatch.setattr(yamlio, "read_bytes", counting)
    return seen


def validate_ok(run_cli: RunCli, repo: Path, *extra: str) -> str:
    result = run_cli(["validate", *AS_OF, *extra], cwd=repo)
    assert result.exit_code == 0, result.stdout + result.stderr
    return result.stdout


def test_a_second_run_checks_nothing_and_says_the_same(
    repo: Path, run_cli: RunCli, checked: list[str]
) -> None:
    first = validate_ok(run_cli, repo)
    assert sorted(checked) == CASE_IDS
    checked.clear()
    assert validate_ok(run_cli, repo) == first
    assert checked == []
    assert (repo / ".clr-cache" / ".gitignore").read_text(encoding="utf-8") == "*\n"


def test_no_cache_checks_everything(repo: Path, run_cli: RunCli, checked: list[str]) -> None:
    validate_ok(run_cli, repo)
    checked.clear()
    validate_ok(run_cli, repo, "--no-cache")
    assert sorted(checked) == CASE_IDS


def test_a_changed_case_is_checked_again_and_its_new_finding_shown(
    repo: Path, run_cli: RunCli, checked: list[str], valid_case: Callable[..., str]
) -> None:
    validate_ok(run_cli, repo)
    checked.clear()
    path = repo / "cases" / CASE_IDS[1] / "case.yaml"
    path.write_text(valid_case(id=CASE_IDS[1], child={"sex": "femal"}), encoding="utf-8")
    result = run_cli(["validate", *AS_OF], cwd=repo)
    assert result.exit_code == 1
    assert "CLR103" in result.stdout
    assert checked == [CASE_IDS[1]]


def test_settled_files_are_not_even_read_again(
    repo: Path,
    run_cli: RunCli,
    read: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Files changed in the last three seconds are read and hashed each time (their status
    # might not show a change made in the same clock tick); older ones only by status.
    validate_ok(run_cli, repo)
    read.clear()
    validate_ok(run_cli, repo)
    assert sorted(read) == CASE_IDS  # just written: status not trusted yet
    monkeypatch.setattr(cache, "SETTLED_NS", 0)
    validate_ok(run_cli, repo)  # records their status
    read.clear()
    validate_ok(run_cli, repo)
    assert read == []


def test_a_change_that_keeps_size_and_modification_time_is_seen(
    repo: Path,
    run_cli: RunCli,
    checked: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cache, "SETTLED_NS", 0)
    validate_ok(run_cli, repo)
    validate_ok(run_cli, repo)
    path = repo / "cases" / CASE_IDS[0] / "case.yaml"
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    changed = text.replace("sex: female", "sex: femal ")
    assert changed != text and len(changed) == len(text)
    path.write_text(changed, encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # as `touch -r` would
    checked.clear()
    result = run_cli(["validate", *AS_OF], cwd=repo)
    assert result.exit_code == 1 and "CLR103" in result.stdout
    assert checked == [CASE_IDS[0]]


@pytest.mark.parametrize("what", ["clr.yaml", "playbook", "schemas", "version", "code"])
def test_anything_a_result_depends_on_invalidates_the_cache(
    repo: Path,
    run_cli: RunCli,
    checked: list[str],
    monkeypatch: pytest.MonkeyPatch,
    what: str,
) -> None:
    validate_ok(run_cli, repo)
    checked.clear()
    if what == "clr.yaml":
        with (repo / "clr.yaml").open("a", encoding="utf-8") as config:
            config.write("# a comment is a change too\n")
    elif what == "playbook":
        book = repo / "playbooks" / "local.yaml"
        book.parent.mkdir()
        book.write_text("not: a playbook\n", encoding="utf-8")  # any file there counts
    elif what == "schemas":
        monkeypatch.setattr(cache, "_schemas_digest", lambda: "another schema")
    elif what == "version":
        monkeypatch.setattr(cache, "__version__", "99.0")
    else:
        monkeypatch.setattr(cache, "_code_digest", lambda: "another build of clr")
    run_cli(["validate", *AS_OF], cwd=repo)
    assert sorted(checked) == CASE_IDS


def test_a_new_day_keeps_results_that_do_not_depend_on_it(
    repo: Path, run_cli: RunCli, checked: list[str]
) -> None:
    first = validate_ok(run_cli, repo)
    checked.clear()
    for day in ("2026-03-03", "2026-03-02"):  # the cases' first deadline: 2026-03-03
        assert validate_ok(run_cli, repo, "--as-of", day) == first
    assert checked == []


def test_a_new_day_words_overdue_findings_from_the_cache(
    repo: Path, run_cli: RunCli, checked: list[str]
) -> None:
    # The cases' first deadline is 2026-03-03: from the next day on they are overdue, by one
    # more day each day. Their other findings do not change, so no case is checked again.
    validate_ok(run_cli, repo)
    checked.clear()
    seen: dict[str, set[str]] = {}
    for day in ("2026-03-04", "2026-03-09", "2026-04-30", "2026-03-04", "2026-03-02"):
        cached = run_cli(["validate", "--as-of", day, "--format", "json"], cwd=repo)
        assert checked == [], day
        fresh = run_cli(["validate", "--as-of", day, "--format", "json", "--no-cache"], cwd=repo)
        checked.clear()
        assert cached.stdout == fresh.stdout, day
        assert cached.exit_code == fresh.exit_code
        messages = [
            f["message"]
            for file in json.loads(cached.stdout)["files"]
            for f in file["findings"]
            if f["code"] == "CLR301"
        ]
        seen[day] = {m.split(":")[0] for m in messages}
    assert seen["2026-03-04"] == {"overdue by 1 day"}
    assert seen["2026-03-09"] >= {"overdue by 6 days"}
    assert seen["2026-04-30"] >= {"overdue by 58 days"}
    assert seen["2026-03-02"] == set()


def test_an_overdue_case_changed_is_checked_again(
    repo: Path, run_cli: RunCli, checked: list[str], valid_case: Callable[..., str]
) -> None:
    validate_ok(run_cli, repo, "--as-of", "2026-03-09")
    checked.clear()
    case = repo / "cases" / CASE_IDS[1] / "case.yaml"
    case.write_text(valid_case(id=CASE_IDS[1], stage="nowhere"), encoding="utf-8")
    result = run_cli(["validate", "--as-of", "2026-03-10", "--format", "json"], cwd=repo)
    assert checked == [CASE_IDS[1]]
    found = {
        f["code"]
        for file in json.loads(result.stdout)["files"]
        if CASE_IDS[1] in file["path"]
        for f in file["findings"]
    }
    assert "CLR301" not in found and found, found  # an error: deadlines are not worked out


def test_clr_yaml_is_checked_against_its_schema_whenever_it_changed(
    repo: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clr.checks import schemas

    checked_configs: list[str] = []
    real = schemas.check

    def counting(data: Any, path: str, schema: str = "case", **kwargs: Any) -> Any:
        if schema == "config":
            checked_configs.append(path)
        return real(data, path, schema, **kwargs)

    monkeypatch.setattr(schemas, "check", counting)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(repo.parent / "config"))  # no user key
    validate_ok(run_cli, repo, "--no-cache")
    assert not (repo / ".clr-cache" / "config.ok").exists()  # --no-cache: nothing noted
    validate_ok(run_cli, repo)
    assert len(checked_configs) == 2
    validate_ok(run_cli, repo)
    assert len(checked_configs) == 2  # noted as matching: not checked again
    with (repo / "clr.yaml").open("a", encoding="utf-8") as config:
        config.write("overdue: sometimes\n")
    result = run_cli(["validate", *AS_OF], cwd=repo)
    assert len(checked_configs) == 3
    assert result.exit_code != 0 and "CLR401" in result.stdout, result.stdout
    result = run_cli(["validate", *AS_OF], cwd=repo)  # a fault is never noted
    assert len(checked_configs) == 4 and "CLR401" in result.stdout


EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_results_from_the_cache_are_those_of_the_day_they_are_asked_for(
    tmp_path: Path, run_cli: RunCli, checked: list[str]
) -> None:
    # The examples have dates in the future of early days (CLR202, naming the day) and
    # deadlines that become overdue (CLR301, by so many days): every day, back and forth,
    # the cache must give what a run without it gives.
    (tmp_path / "clr.yaml").write_bytes((EXAMPLES / "clr.yaml").read_bytes())
    for case in (EXAMPLES / "cases").iterdir():
        (tmp_path / "cases" / case.name).mkdir(parents=True)
        for file in case.iterdir():
            (tmp_path / "cases" / case.name / file.name).write_bytes(file.read_bytes())
    days = ["2026-06-01", "2027-06-01", "2027-06-02", "2024-01-01", "2026-06-01", "2027-06-02"]
    codes: set[str] = set()
    for day in days:
        fresh = run_cli(
            ["validate", "--as-of", day, "--format", "json", "--no-cache"], cwd=tmp_path
        )
        cached = run_cli(["validate", "--as-of", day, "--format", "json"], cwd=tmp_path)
        assert cached.stdout == fresh.stdout, day
        assert cached.exit_code == fresh.exit_code
        doc = json.loads(cached.stdout)
        codes |= {f["code"] for file in doc["files"] for f in file["findings"]}
    assert {"CLR202", "CLR301"} <= codes
    checked.clear()
    run_cli(["validate", "--as-of", days[-1]], cwd=tmp_path)
    assert checked == []


def test_a_run_over_some_cases_keeps_the_others_results(
    repo: Path, run_cli: RunCli, checked: list[str]
) -> None:
    validate_ok(run_cli, repo)
    one = f"cases/{CASE_IDS[0]}"
    validate_ok(run_cli, repo, one)
    validate_ok(run_cli, repo, f"{one}/case.yaml")
    checked.clear()
    validate_ok(run_cli, repo)
    assert checked == []
    gone = repo / "cases" / CASE_IDS[2]
    (gone / "case.yaml").unlink()
    gone.rmdir()
    validate_ok(run_cli, repo)
    entries = cache.ResultCache(repo, "", "validate")
    raw = (repo / ".clr-cache" / "validate.results").read_bytes()
    names = marshal.loads(raw.partition(b"\n")[2])[0]
    assert sorted(names) == [f"cases/{case_id}/case.yaml" for case_id in CASE_IDS[:2]]
    assert entries.entries == {}  # another key: nothing trusted


@pytest.mark.parametrize(
    "damage", ["garbage", "flipped byte", "empty", "wrong shape", "a list", "a wrong day"]
)
def test_a_damaged_cache_is_never_trusted(
    repo: Path, run_cli: RunCli, checked: list[str], valid_case: Callable[..., str], damage: str
) -> None:
    validate_ok(run_cli, repo)
    # Make one case invalid, then damage the cache so that it would, if trusted, say the
    # case is fine (the entry for the old content is still there).
    store = repo / ".clr-cache" / "validate.results"
    data = store.read_bytes()
    if damage == "garbage":
        data = b"\x00\xff not a cache"
    elif damage == "flipped byte":
        data = data[:-3] + bytes([data[-3] ^ 1]) + data[-2:]
    elif damage == "empty":
        data = b""
    else:
        head, _, body = data.partition(b"\n")
        header = json.loads(head)
        columns = list(marshal.loads(body))
        if damage == "wrong shape":
            body = marshal.dumps((1, 2, 3))
        elif damage == "a list":  # marshal reads lists too; the cache holds none
            columns[2] = tuple(list(status) for status in columns[2])
            body = marshal.dumps(tuple(columns))
        else:  # a day that is not a whole number
            columns[3] = tuple(float(first) for first in columns[3])
            body = marshal.dumps(tuple(columns))
        header["checksum"] = cache.checksum(body)
        data = json.dumps(header).encode() + b"\n" + body
    store.write_bytes(data)
    checked.clear()
    result = run_cli(["validate", *AS_OF], cwd=repo)
    assert result.exit_code == 0, result.stdout
    assert sorted(checked) == CASE_IDS


def test_status_reads_summaries_of_unchanged_cases_from_its_cache(
    repo: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, valid_case: Callable[..., str]
) -> None:
    made: list[str] = []
    real = summary.summarise_loaded

    def counting(loaded: Any, *args: Any, **kwargs: Any) -> Any:
        made.append(str(loaded))
        return real(loaded, *args, **kwargs)

    monkeypatch.setattr(summary, "summarise_loaded", counting)
    first = run_cli(["status", "--format", "json", *AS_OF], cwd=repo)
    assert first.exit_code == 0 and len(made) == 3
    made.clear()
    again = run_cli(["status", "--format", "json", *AS_OF], cwd=repo)
    assert again.stdout == first.stdout and made == []
    path = repo / "cases" / CASE_IDS[2] / "case.yaml"
    path.write_text(valid_case(id=CASE_IDS[2], site={"name": "Factory 9"}), encoding="utf-8")
    changed = run_cli(["status", "--format", "json", *AS_OF], cwd=repo)
    assert len(made) == 1
    rows = {row["path"]: row for row in json.loads(changed.stdout)["cases"]}
    assert rows[f"cases/{CASE_IDS[2]}/case.yaml"]["site"] == "Factory 9", changed.stdout


def test_a_file_replaced_by_one_of_the_same_size_and_time_is_seen(
    repo: Path, run_cli: RunCli, checked: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache, "SETTLED_NS", 0)
    validate_ok(run_cli, repo)
    validate_ok(run_cli, repo)  # statuses recorded
    path = repo / "cases" / CASE_IDS[1] / "case.yaml"
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    changed = text.replace("sex: female", "sex: femal ")
    assert changed != text and len(changed) == len(text)
    new = path.with_name("new.yaml")
    new.write_text(changed, encoding="utf-8")
    os.utime(new, ns=(before.st_atime_ns, before.st_mtime_ns))
    new.replace(path)  # as an editor that writes a new file and renames it
    checked.clear()
    result = run_cli(["validate", *AS_OF], cwd=repo)
    assert result.exit_code == 1 and "CLR103" in result.stdout, result.stdout
    assert checked == [CASE_IDS[1]]


def test_a_case_folder_added_or_removed_after_a_warm_run_is_seen(
    repo: Path,
    run_cli: RunCli,
    checked: list[str],
    monkeypatch: pytest.MonkeyPatch,
    valid_case: Callable[..., str],
) -> None:
    from clr.repo import repository

    monkeypatch.setattr(cache, "SETTLED_NS", 0)
    monkeypatch.setattr(repository, "SETTLED_NS", -(10**18))  # every folder recorded clean
    validate_ok(run_cli, repo)
    validate_ok(run_cli, repo)
    added = repo / "cases" / "CLR-2026-STUVW"
    added.mkdir()
    (added / "case.yaml").write_text(
        valid_case(id="CLR-2026-STUVW", child={"sex": "femal"}), encoding="utf-8"
    )
    checked.clear()
    result = run_cli(["validate", *AS_OF], cwd=repo)
    assert result.exit_code == 1 and "CLR-2026-STUVW" in result.stdout, result.stdout
    assert checked == ["CLR-2026-STUVW"]
    (added / "case.yaml").unlink()
    result = run_cli(["validate", *AS_OF], cwd=repo)
    assert result.exit_code == 0 and "CLR403" in result.stdout, result.stdout  # no case file
    added.rmdir()
    assert "CLR-2026-STUVW" not in validate_ok(run_cli, repo)


def test_a_warm_run_says_what_the_playbooks_say_without_building_them(
    repo: Path, run_cli: RunCli, checked: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[Path | None] = []
    real = validate.repository_context

    def counting(root: Path | None, *args: Any, **kwargs: Any) -> Any:
        built.append(root)
        return real(root, *args, **kwargs)

    monkeypatch.setattr(validate, "repository_context", counting)
    monkeypatch.setattr(cache, "SETTLED_NS", 0)  # files just written are read: not here
    first = validate_ok(run_cli, repo)
    assert len(built) == 1
    built.clear()
    assert validate_ok(run_cli, repo) == first
    assert built == []  # nothing to check and the playbooks had no fault
    book = repo / "playbooks" / "local.yaml"
    book.parent.mkdir()
    book.write_text("not: a playbook\n", encoding="utf-8")
    faulty = run_cli(["validate", *AS_OF], cwd=repo)
    assert "playbooks/local.yaml" in faulty.stdout, faulty.stdout
    checked.clear()
    built.clear()
    again = run_cli(["validate", *AS_OF], cwd=repo)
    assert (again.stdout, again.exit_code) == (faulty.stdout, faulty.exit_code)
    assert checked == [] and len(built) == 1  # built again: its fault is said every time
