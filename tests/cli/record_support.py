"""Helpers for the record tests: a repository with one new case, and a snippet filler.

The filler plays a caseworker who pastes the snippet ``clr advance --no-input`` printed:
it fills each blank with a value of the field's type (found through the form model, not
by guessing from the text), uncomments the fields whose condition the answers meet, and
pastes the lines into the case file under the keys already there.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import yaml

from clr.model import forms
from clr.model.playbook import build, playbook_paths
from clr.model.stages import next_stage
from helpers_workflow import commit_all, describe, git, run

SAMPLES: dict[str, Any] = {
    "verified_age": 12,
    "family_reachable": True,
    "result": "verified",
    "hours_per_week": 60,
    "amount": 4500,
    "currency": "BDT",
    "payer": "supplier",
    "reason": "no_longer_in_CL",
    "cost_split": {"supplier": 100},
    "components": None,
    "type": "school",
}


def new_repo(root: Path, track: str, discovered: str) -> tuple[str, Path]:
    """A git case repository with one new case on ``track``; return its id and file."""
    result = run(["init", str(root), "--org", "Test Org", "--prefix", "TST"])
    assert result.exit_code == 0, describe(result)
    age = "13" if track == "underage" else "16"
    args = ["new-case", "--no-input", "--site", "Sunrise", "--supplier", "S-1", "--country",
            "BD", "--sector", "garments", "--channel", "audit", "--pseudonym", "Child A",
            "--sex", "female", "--age", age, "--by", "R. Ahmed", "--work", "sewing",
            "--track", track, "--discovered", discovered, "--as-of", discovered]  # fmt: skip
    with _cwd(root):
        result = run(args)
    assert result.exit_code == 0, describe(result)
    path = next((root / "cases").glob("*/case.yaml"))
    commit_all(root, "new case")
    return path.parent.name, path


class _cwd:
    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> None:
        import os

        self.old = Path.cwd()
        os.chdir(self.path)

    def __exit__(self, *exc: object) -> None:
        import os

        os.chdir(self.old)


def in_repo(root: Path, args: list[str]) -> Any:
    """Run clr in ``root``."""
    with _cwd(root):
        return run(args)


def form_of(path: Path, today: dt.date) -> forms.Form:
    """The form of the case's next stage, as clr computes it."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    book_path = playbook_paths(path.parents[2])["child-labour"]
    book = build(yaml.safe_load(book_path.read_text(encoding="utf-8")), str(book_path))
    target = next_stage(data["stage"])
    assert target is not None
    return forms.form_for(target, data, forms.FormContext(today=today, playbook=book))


SAFE_JOB: dict[str, Any] = {
    "tasks": ["packing"],
    "hours_per_week": 30,
    "shift": "08:00-13:00",
    "night_work": False,
    "protective_equipment": [],
}
"""Answers for a young worker's safe job: legal hours in Bangladesh, a day shift."""


def _sample(f: forms.Field, today: str, track: str) -> Any:
    name = f.path[-1]
    if f.path[:2] == ("plan", "safe_job") and name in SAFE_JOB:
        return SAFE_JOB[name]
    if name == "verified_age":
        return 12 if track == "underage" else 16
    if name in SAMPLES and SAMPLES[name] is not None:
        return SAMPLES[name]
    if f.proposal is not None:
        return f.proposal
    if f.kind == "enum":
        return f.choices[0].value
    if f.kind == "boolean":
        return True
    if f.kind in ("integer", "number"):
        return 5
    if f.kind == "date":
        return today
    if f.kind == "partial_date":
        return "2012"
    if f.kind == "list" and f.item is not None and f.item.kind == "enum":
        return [f.item.choices[0].value]
    if f.kind == "list":
        return ["noted"]
    if f.kind == "shares":
        return {f.choices[0].value: 100}
    return "noted"


_LINE = re.compile(r"^(?P<pad> *)(?P<mark># )?(?P<dash>- )?(?P<key>[A-Za-z_][\w.]*):(?P<rest>.*)$")


def fill(snippet: str, form: forms.Form, today: str, track: str) -> str:
    """Fill the blanks of a snippet; uncomment the conditional fields whose condition holds."""
    by_path = {f.dotted: f for f in form.fields}
    answers: dict[str, Any] = {}
    out: list[str] = []
    stack: list[tuple[int, str]] = []
    pending_when: str = ""
    current_list: forms.Field | None = None
    list_pad = 0
    for line in snippet.splitlines():
        stripped = line.strip()
        if stripped.startswith("# only when "):
            pending_when = stripped[len("# only when ") :].split(": uncomment")[0]
            continue
        match = _LINE.match(line)
        if stripped.startswith("#") and not (match and match.group("mark")):
            continue  # a help comment
        if match is None:
            out.append(line)
            continue
        pad = len(match.group("pad"))
        key = match.group("key")
        rest = match.group("rest").split("  #")[0].strip()
        commented = bool(match.group("mark"))
        if commented and not _holds(pending_when, answers):
            pending_when = ""
            continue
        pending_when = ""
        if current_list is not None and pad > list_pad:
            sub = next(s for s in current_list.fields if s.dotted == key)
            value = yaml.safe_load(rest) if rest else _sample(sub, today, track)
            out.append(f"{' ' * pad}{match.group('dash') or ''}{key}: {_dump(value)}")
            continue
        while stack and stack[-1][0] >= pad:
            stack.pop()
        dotted = ".".join([*(k for _, k in stack), key])
        f = by_path.get(dotted)
        stack.append((pad, key))
        if f is None:
            out.append(f"{' ' * pad}{key}:")
            current_list = None
            continue
        if f.kind == "list" and f.fields:
            current_list, list_pad = f, pad
            out.append(f"{' ' * pad}{key}:")
            continue
        current_list = None
        value = yaml.safe_load(rest) if rest not in ("", "[]", "{}") else _sample(f, today, track)
        answers[dotted] = value
        out.append(f"{' ' * pad}{key}: {_dump(value)}")
    return "\n".join(out) + "\n"


def _dump(value: Any) -> str:
    return (
        yaml.safe_dump(value, default_flow_style=True, width=1000)
        .strip()
        .removesuffix("...")
        .strip()
    )


def _holds(when: str, answers: dict[str, Any]) -> bool:
    match = re.fullmatch(r"([\w.]+) is (?:one of )?(.+)", when)
    if not match:
        return False
    value = answers.get(match.group(1))
    allowed = [yaml.safe_load(v.strip()) for v in match.group(2).split(",")]
    return value in allowed


def paste(path: Path, snippet: str) -> None:
    """Paste a snippet into the case: blocks of keys already there go under them."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[list[str]] = []
    for line in snippet.splitlines():
        if line and not line[0].isspace():
            blocks.append([line])
        elif blocks:
            blocks[-1].append(line)
    for block in blocks:
        key = block[0].rstrip(":")
        start = next((i for i, line in enumerate(lines) if line == f"{key}:"), None)
        if start is None:
            lines += block
            continue
        end = start + 1
        while end < len(lines) and (not lines[end] or lines[end][0].isspace()):
            end += 1
        lines[end:end] = block[1:]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def numstat(root: Path) -> list[tuple[int, int]]:
    """(added, removed) lines of the working tree against the last commit."""
    out = git(root, "diff", "--numstat").stdout.split("\n")
    return [(int(a), int(r)) for a, r, _ in (row.split("\t") for row in out if row)]


def removed_lines(root: Path) -> list[str]:
    """The lines ``git diff`` shows removed."""
    diff = git(root, "diff", "-U0").stdout.splitlines()
    return [d[1:] for d in diff if d.startswith("-") and not d.startswith("---")]
