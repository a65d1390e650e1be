"""The walkthrough of docs/recording.md, run as written: two cases, no hand edit.

The commands and the fragments they read are taken from the page itself, so the page cannot
drift from what clr does. Every command runs in a real git repository and is committed on
its own; after each, ``git diff`` must hold only the fields the command names (for
``clr advance``: the stage line, its history entry and the closure), every line of the file
before it must still be there, and the count of commands per stage must match the page's
table.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from helpers_workflow import (
    CASE_ID_RE,
    assert_in_order,
    commit_all,
    describe,
    git,
    run,
    subprocess_env,
)

DOC = Path(__file__).parents[2] / "docs" / "recording.md"

Path_ = tuple[str, ...]


@dataclass
class Walkthrough:
    """One case's script: its commands by stage, in order."""

    title: str
    steps: list[tuple[str, list[str]]] = field(default_factory=list)


def read_doc() -> tuple[list[Walkthrough], dict[str, str], list[list[str]]]:
    """The page's scripts, its fragments (file name -> text) and its count table."""
    text = DOC.read_text(encoding="utf-8")
    walks: list[Walkthrough] = []
    fragments: dict[str, str] = {}
    title = ""
    for match in re.finditer(r"^### ([^\n]+)$|^```(sh|yaml)\n(.*?)^```", text, re.M | re.S):
        if match.group(1):
            title = match.group(1)
            continue
        kind, body = match.group(2), match.group(3)
        if kind == "yaml":
            name = re.match(r"# file: (\S+)\n", body)
            if name:
                fragments[name.group(1)] = body
            continue
        if "# stage:" not in body:
            continue
        walk = Walkthrough(title)
        stage = ""
        for line in body.splitlines():
            if line.startswith("# stage:"):
                stage = line.removeprefix("# stage:").strip()
            elif line.strip():
                walk.steps.append((stage, shlex.split(line)))
        walks.append(walk)
    table = [
        [cell.strip() for cell in row.strip("|").split("|")]
        for row in text.split("<!-- counts:", 1)[1].splitlines()[2:]
        if row.startswith("|") and not row.startswith("|---")
    ]
    return walks, fragments, table


@pytest.fixture
def git_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("CLR_USER", "CLR_NO_INPUT", "CLR_DEBUG", "PRE_COMMIT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in subprocess_env().items():
        if name.startswith("GIT_"):
            monkeypatch.setenv(name, value)
    root = tmp_path / "cases-repo"
    result = run(["init", str(root), "--org", "Test Org", "--prefix", "TST", "--no-input"])
    assert result.exit_code == 0, describe(result)
    commit_all(root, "case repository")
    monkeypatch.chdir(root)
    return root


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def changed(before: Any, after: Any, where: Path_ = ()) -> list[Path_]:
    """The paths at which ``after`` differs from ``before`` (a whole list is one value)."""
    if isinstance(before, dict) and isinstance(after, dict):
        found: list[Path_] = []
        for key in sorted(set(before) | set(after), key=str):
            if before.get(key) != after.get(key):
                found += changed(before.get(key), after.get(key), (*where, str(key)))
        return found
    return [] if before == after else [where]


def leaves(data: Any, where: Path_ = ()) -> list[Path_]:
    if isinstance(data, dict) and data:
        return [p for key, value in data.items() for p in leaves(value, (*where, str(key)))]
    return [where]


def named_paths(args: list[str], fragments: dict[str, str], stdin: str | None) -> list[Path_]:
    """The fields a command says it records."""
    verb = args[0]
    if verb == "set":
        paths = [
            tuple(a.partition("=")[0].removesuffix("+").split("."))
            for a in args[2:]
            if "=" in a and not a.startswith("-")
        ]
        if "--from" in args:
            source = args[args.index("--from") + 1]
            text = stdin if source == "-" else fragments[source]
            paths += leaves(yaml.safe_load(text or ""))
        return paths
    if verb == "tick":
        return [("checklist", args[2])]
    if verb in ("visit", "pay"):
        return [("visits",) if verb == "visit" else ("payments",)]
    if verb == "advance":
        closing = "--to" in args and args[args.index("--to") + 1] == "closed"
        return [("stage",), ("history",), *([("closure",), ("root_causes",)] if closing else [])]
    raise AssertionError(f"no rule for clr {verb}")


def within(path: Path_, names: list[Path_]) -> bool:
    return any(path[: len(n)] == n or n[: len(path)] == path for n in names)


def diff_lines(root: Path) -> tuple[list[str], list[str]]:
    diff = git(root, "diff", "--no-color", "-U0").stdout
    removed = [ln[1:] for ln in diff.splitlines() if ln[:1] == "-" and not ln.startswith("---")]
    added = [ln[1:] for ln in diff.splitlines() if ln[:1] == "+" and not ln.startswith("+++")]
    return removed, added


def play(root: Path, walk: Walkthrough, fragments: dict[str, str]) -> dict[str, int]:
    """Run one script; check every step's diff; return the count of commands per stage."""
    counts: dict[str, int] = {}
    case_id = ""
    path = root
    for stage, words in walk.steps:
        counts[stage] = counts.get(stage, 0) + 1
        capture = words[0].startswith("CASE=$(")
        if capture:
            words = [words[0].removeprefix("CASE=$("), *words[1:]]
            words[-1] = words[-1].removesuffix(")")
        assert words[0] == "clr", words
        stdin = None
        if "<" in words:
            at = words.index("<")
            stdin = fragments[words[at + 1]]
            words = words[:at] + words[at + 2 :]
        args = [case_id if w == "$CASE" else w for w in words[1:]]
        before_text = path.read_text(encoding="utf-8") if case_id else ""
        before = load(path) if case_id else {}
        result = run(args, input=stdin)
        assert result.exit_code == 0, f"{shlex.join(words)}\n{describe(result)}"
        if capture:
            case_id = result.stdout.strip()
            assert CASE_ID_RE.match(case_id), describe(result)
            path = root / "cases" / case_id / "case.yaml"
            status = git(root, "status", "--porcelain", "--untracked-files=all").stdout
            assert status.splitlines() == [f"?? cases/{case_id}/case.yaml"], status
            commit_all(root, "new case")
            continue
        # Only this case's file changed, and only by the lines meant.
        numstat = git(root, "diff", "--numstat").stdout.splitlines()
        assert [line.split("\t")[2] for line in numstat] == [f"cases/{case_id}/case.yaml"], (
            args,
            numstat,
        )
        removed, added = diff_lines(root)
        old_stage = next(ln for ln in before_text.splitlines() if ln.startswith("stage:"))
        assert removed == ([old_stage] if args[0] == "advance" else []), (args, removed)
        assert added, args
        after_text = path.read_text(encoding="utf-8")
        kept = [ln for ln in before_text.splitlines() if ln != old_stage or args[0] != "advance"]
        assert_in_order(kept, after_text.splitlines())
        after = load(path)
        names = named_paths(args, fragments, stdin)
        moved = changed(before, after)
        assert moved, args
        stray = [p for p in moved if not within(p, names)]
        assert not stray, f"{shlex.join(words)} changed {stray}, not only {names}"
        for name in names:  # every fact named is in the case now
            node: Any = after
            for key in name:
                assert isinstance(node, dict) and key in node, (args, name)
                node = node[key]
        commit_all(root, shlex.join(words))
    final = load(path)
    assert final["stage"] == "closed"
    assert [h["to"] for h in final["history"]][-1] == "closed"
    validate = run(["validate", str(path), "--as-of", final["closure"]["date"]])
    assert validate.exit_code == 0, describe(validate)
    assert git(root, "status", "--porcelain").stdout == ""
    return counts


def test_the_page_holds_two_scripts_their_fragments_and_a_count_table() -> None:
    walks, fragments, table = read_doc()
    assert [w.title for w in walks] == ["An underage case", "A young worker"]
    assert set(fragments) >= {"age.yaml", "assessment.yaml", "plan.yaml", "young-plan.yaml"}
    assert table[0][0] == "reported" and table[-1][0] == "total"


@pytest.mark.slow  # some 250 git processes
def test_both_cases_walk_to_closed_with_clr_commands_alone(git_repo: Path) -> None:
    walks, fragments, table = read_doc()
    for name, text in fragments.items():
        (git_repo / name).write_text(text, encoding="utf-8")
    exclude = git_repo / ".git" / "info" / "exclude"
    exclude.parent.mkdir(exist_ok=True)
    exclude.write_text("\n".join(fragments) + "\n", encoding="utf-8")
    counts = [play(git_repo, walk, fragments) for walk in walks]
    # The page's table is what was run.
    expected = {row[0]: [int(row[1]), int(row[2])] for row in table}
    totals = expected.pop("total")
    got = {stage: [c.get(stage, 0) for c in counts] for stage in expected}
    assert got == expected
    assert [sum(c.values()) for c in counts] == totals
    assert set(counts[0]) == set(expected) == set(counts[1])
    # Every command was clr's own: no step wrote the case file another way.
    log = git(git_repo, "log", "--format=%s").stdout.splitlines()
    assert len(log) == sum(totals) + 1  # and the repository's first commit
