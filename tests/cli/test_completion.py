"""Shell completion of clr's words, through Typer's completion protocol for bash, zsh and fish.

Each test runs clr as a shell's completion function does: ``_CLR_COMPLETE=complete_bash``
with ``COMP_WORDS``/``COMP_CWORD``, ``complete_zsh`` and ``complete_fish`` with
``_TYPER_COMPLETE_ARGS``, in a copy of the example repository.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from clr.model.playbook import load_playbook
from clr.model.vocabulary import CLOSURE_REASONS, STAGES

ROOT = Path(__file__).resolve().parents[2]
CASE = "EXR-2026-D2KFH"  # in_remediation, with items ticked in earlier stages


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("complete") / "examples"
    shutil.copytree(ROOT / "examples", target, ignore=shutil.ignore_patterns(".clr-cache"))
    return target


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("_CLR", "_TYPER", "COMP_"))}
    env.update(extra)
    return env


def complete(shell: str, line: str, cwd: Path) -> list[str]:
    """The values clr offers for the last word of ``line`` (a space at the end: a new word)."""
    if shell == "bash":
        words = line.split()
        cword = len(words) if line.endswith(" ") else len(words) - 1
        env = _env(_CLR_COMPLETE="complete_bash", COMP_WORDS=line, COMP_CWORD=str(cword))
    elif shell == "zsh":
        env = _env(_CLR_COMPLETE="complete_zsh", _TYPER_COMPLETE_ARGS=line)
    else:
        env = _env(
            _CLR_COMPLETE="complete_fish",
            _TYPER_COMPLETE_ARGS=line,
            _TYPER_COMPLETE_FISH_ACTION="get-args",
        )
    result = subprocess.run(
        [sys.executable, "-m", "clr"], cwd=cwd, env=env, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    out = result.stdout
    if shell == "bash":
        return [x for x in out.splitlines() if x]
    if shell == "zsh":
        if out.strip() == "_files":
            return []
        body = re.fullmatch(r"_arguments '\*: :\(\((.*)\)\)'\n?", out, re.S)
        assert body, out
        return [re.match(r'"((?:[^"\\]|\\.)*)"', x).group(1) for x in body.group(1).splitlines()]  # type: ignore[union-attr]
    return [x.split("\t")[0] for x in out.splitlines() if x]


SHELLS = ["bash", "zsh", "fish"]


def _ids(examples: Path) -> list[str]:
    return sorted(p.name for p in (examples / "cases").iterdir() if p.is_dir())


@pytest.mark.parametrize("shell", SHELLS)
def test_case_ids_come_from_the_repository(shell: str, examples: Path) -> None:
    ids = _ids(examples)
    assert complete(shell, "clr show ", examples) == ids
    assert complete(shell, "clr next exr-2026-d", examples) == [
        i for i in ids if i.startswith("EXR-2026-D")
    ]
    # Outside a repository: nothing, and no error.
    assert complete(shell, "clr show ", examples.parent) == []


@pytest.mark.parametrize("shell", SHELLS)
def test_stages_reasons_and_schema_names(shell: str, examples: Path) -> None:
    assert complete(shell, f"clr advance {CASE} --to ", examples) == list(STAGES)
    assert complete(shell, "clr playbook checklist mon", examples) == ["monitoring"]
    assert complete(shell, f"clr advance {CASE} --reason ", examples) == list(CLOSURE_REASONS)
    names = complete(shell, "clr schema stages/", examples)
    assert names == [f"stages/{s}" for s in sorted(STAGES)]


@pytest.mark.parametrize("shell", SHELLS)
def test_checklist_items_after_tick_case(shell: str, examples: Path) -> None:
    data = yaml.safe_load((examples / "cases" / CASE / "case.yaml").read_text(encoding="utf-8"))
    book = load_playbook(data["playbook"], examples)
    offered = complete(shell, f"clr tick {CASE} ", examples)
    ticked = set(data["checklist"])
    assert ticked and not ticked & set(offered)
    here = [a.id for a in book.stages[data["stage"]].actions if a.id not in ticked]
    assert here and offered[: len(here)] == here  # the case's own stage first
    assert complete(shell, f"clr tick {CASE} impl-en", examples) == ["impl-enrol"]


@pytest.mark.parametrize("shell", SHELLS)
def test_roles_of_the_playbook(shell: str, examples: Path) -> None:
    book = load_playbook("child-labour", examples)
    assert complete(shell, f"clr next {CASE} --role ", examples) == list(book.roles)
    assert complete(shell, "clr playbook show --role sup", examples) == ["supplier"]


def test_choices_and_options_still_complete(examples: Path) -> None:
    assert complete("bash", "clr status --format ", examples) == ["text", "json", "csv", "markdown"]
    assert "--group-by" in complete("bash", "clr stats --", examples)
    assert "--by" not in complete("bash", "clr stats --", examples)  # old spellings hidden
