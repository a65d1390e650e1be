"""clr edit: the case in $EDITOR with the next stage's fields as a skeleton; never invalid."""

from __future__ import annotations

import shutil
import stat
import sys
from pathlib import Path

import pytest
from record_support import in_repo, new_repo, removed_lines

from helpers_workflow import commit_all, describe, git

EDITOR = """\
import pathlib, sys
path = pathlib.Path(sys.argv[1])
log = pathlib.Path({log!r})
calls = len(list(log.parent.glob(log.name + ".*")))
text = path.read_text(encoding="utf-8")
(log.parent / f"{{log.name}}.{{calls}}").write_text(text, encoding="utf-8")
steps = {steps!r}
for old, new in steps[min(calls, len(steps) - 1)]:
    assert old in text, (old, text)
    text = text.replace(old, new)
path.write_text(text, encoding="utf-8")
"""


def _editor(tmp_path: Path, steps: list[list[tuple[str, str]]]) -> tuple[str, Path]:
    """A fake editor: on its n-th call it makes the n-th list of replacements."""
    log = tmp_path / "seen"
    script = tmp_path / "editor.py"
    script.write_text(EDITOR.format(log=str(log), steps=steps), encoding="utf-8")
    return f"{sys.executable} {script}", log


def _seen(log: Path) -> list[str]:
    return [
        log.parent.joinpath(f"{log.name}.{n}").read_text(encoding="utf-8")
        for n in range(len(list(log.parent.glob(log.name + ".*"))))
    ]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A repository with one identified case whose file holds a comment of the user."""
    root = tmp_path_factory.mktemp("edit") / "repo"
    case_id, path = new_repo(root, "underage", "2026-01-05")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  work: sewing\n", "  work: sewing  # seen by R.\n"), "utf-8")
    commit_all(root, "a comment of the user")
    tick = in_repo(root, ["tick", case_id, "report-triage", "--by", "R", "--as-of", "2026-01-05"])
    assert tick.exit_code == 0, describe(tick)
    moved = in_repo(root, ["advance", case_id, "--by", "R", "--as-of", "2026-01-05"])
    assert moved.exit_code == 0, describe(moved)
    commit_all(root, "identified")
    return root, case_id


@pytest.fixture
def repo(tmp_path: Path, template: tuple[Path, str]) -> tuple[Path, str, Path]:
    root = tmp_path / "repo"
    shutil.copytree(template[0], root, symlinks=True)
    case_id = template[1]
    return root, case_id, root / "cases" / case_id / "case.yaml"


def _edit(root: Path, case_id: str, editor: str, *extra: str) -> object:
    import os

    from helpers_workflow import run

    old = Path.cwd()
    os.chdir(root)
    try:
        return run(
            ["edit", case_id, "--as-of", "2026-01-06", *extra],
            env={"EDITOR": editor, "VISUAL": None},
        )
    finally:
        os.chdir(old)


def test_the_skeleton_is_filled_in_and_only_those_lines_change(
    tmp_path: Path, repo: tuple[Path, str, Path]
) -> None:
    root, case_id, path = repo
    editor, log = _editor(tmp_path, [[
        ("  #hours_per_week:  # number", "  hours_per_week: 60"),
        ("#protection:", "protection:"),
        ('  #removed_from_work: "2026-01-06"  # date YYYY-MM-DD',
         '  removed_from_work: "2026-01-06"'),
        ("  #wages_continued:  # true or false", "  wages_continued: true"),
        ("  #safe_place:  # text", "  safe_place: at home"),
    ]])  # fmt: skip
    result = _edit(root, case_id, editor)
    assert result.exit_code == 0, describe(result)
    shown = _seen(log)[0]
    assert "  #hours_per_week:  # number" in shown.split("history:")[0], "under discovery"
    assert "# The day the child stopped all work" in shown
    text = path.read_text(encoding="utf-8")
    assert "#" not in text.split("site:")[1].replace("# seen by R.", ""), "skeleton removed"
    assert "  work: sewing  # seen by R.\n  hours_per_week: 60\n" in text
    assert removed_lines(root) == []
    added = [
        d
        for d in git(root, "diff", "-U0").stdout.splitlines()
        if d.startswith("+") and not d.startswith("+++")
    ]
    assert added == ["+  hours_per_week: 60", "+protection:", '+  removed_from_work: "2026-01-06"',
                     "+  wages_continued: true", "+  safe_place: at home"]  # fmt: skip
    ok = in_repo(root, ["advance", case_id, "--by", "R", "--as-of", "2026-01-06", "--no-input"])
    assert ok.exit_code == 0, describe(ok)


def test_an_untouched_skeleton_changes_nothing(
    tmp_path: Path, repo: tuple[Path, str, Path]
) -> None:
    root, case_id, path = repo
    before = path.read_text(encoding="utf-8")
    editor, _ = _editor(tmp_path, [[]])
    result = _edit(root, case_id, editor)
    assert result.exit_code == 0, describe(result)
    assert "no change" in result.stderr
    assert path.read_text(encoding="utf-8") == before


def test_an_invalid_save_reopens_with_the_errors_at_the_top(
    tmp_path: Path, repo: tuple[Path, str, Path]
) -> None:
    root, case_id, path = repo
    editor, log = _editor(tmp_path, [
        [("  #hours_per_week:  # number", "  hours_per_week: lots")],
        [("  hours_per_week: lots", "  hours_per_week: 40")],
    ])  # fmt: skip
    result = _edit(root, case_id, editor)
    assert result.exit_code == 0, describe(result)
    second = _seen(log)[1]
    assert second.startswith("#~ clr edit: the file was not saved")
    assert "hours_per_week must be a number" in second.split("\n\n")[0]
    text = path.read_text(encoding="utf-8")
    assert "hours_per_week: 40" in text and "#~" not in text


@pytest.mark.parametrize("how", ["no-input", "quit unchanged"])
def test_a_draft_that_stays_invalid_is_kept_privately_and_nothing_is_written(
    tmp_path: Path, repo: tuple[Path, str, Path], how: str
) -> None:
    root, case_id, path = repo
    before = path.read_text(encoding="utf-8")
    editor, log = _editor(
        tmp_path, [[("  #hours_per_week:  # number", "  hours_per_week: lots")], []]
    )
    result = _edit(root, case_id, editor, *(["--no-input"] if how == "no-input" else []))
    assert result.exit_code == 1, describe(result)
    assert path.read_text(encoding="utf-8") == before
    assert len(_seen(log)) == (1 if how == "no-input" else 2)
    assert "Traceback" not in result.stderr
    kept = Path(result.stderr.split("your draft is kept in ")[1].split(" ")[0])
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert "hours_per_week: lots" in kept.read_text(encoding="utf-8")
    kept.unlink()


def test_identity_fields_are_refused(tmp_path: Path, repo: tuple[Path, str, Path]) -> None:
    root, case_id, path = repo
    before = path.read_text(encoding="utf-8")
    editor, _ = _editor(
        tmp_path, [[("  pseudonym: Child A\n", "  pseudonym: Child A\n  name: Real Name\n")]]
    )
    result = _edit(root, case_id, editor, "--no-input")
    assert result.exit_code == 1
    assert f"clr identity set {case_id} --name" in result.stderr
    assert path.read_text(encoding="utf-8") == before
    Path(result.stderr.split("your draft is kept in ")[1].split(" ")[0]).unlink()


def test_without_an_editor_it_says_what_to_set(repo: tuple[Path, str, Path]) -> None:
    root, case_id, _ = repo
    import os

    from helpers_workflow import run

    os.chdir(root)
    result = run(["edit", case_id], env={"EDITOR": None, "VISUAL": None})
    assert result.exit_code == 1 and "$EDITOR" in result.stderr
