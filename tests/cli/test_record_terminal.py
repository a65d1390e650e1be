"""Carrying a case from reported to closed in a real terminal, answering clr's questions.

One underage and one young-worker case: every fact goes in through clr advance's
questions (and clr tick, visit where the playbook asks for them); no file is edited by
hand. After each step ``git diff`` shows only the new lines and the stage line. The number
of commands, of answers and of answers that took more than Enter are counted per stage
(the table in the README, section "Recording facts").
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from record_support import new_repo, removed_lines
from terminal_support import Terminal

from helpers_workflow import clr_executable, commit_all

pytestmark = pytest.mark.slow

REPLIES = {
    "Hours per week": "30\r",
    "Shift": "08:00-13:00\r",
    "Tasks": "packing\r",
    "Night work": "n",
    "Protective equipment": "gloves\r",
    "Safe place": "at home with her mother\r",
    "Child views": "wants to go back to school\r",
    "Adults present": "2\r",
    "Amount": "4500\r",
    "Currency": "BDT\r",
    "Add another": "n",
}

STEPS = [
    ("identified", "2026-01-05"),
    ("protected", "2026-01-06"),
    ("age_verified", "2026-01-08"),
    ("assessed", "2026-01-12"),
    ("plan_agreed", "2026-02-10"),
    ("in_remediation", "2026-02-15"),
    ("monitoring", "2026-03-05"),
]


def _step(term: Terminal, root: Path, args: list[str], replies: dict[str, str]) -> None:
    term.run(args, replies)
    removed = removed_lines(root)
    assert all(line.startswith("stage: ") for line in removed), removed
    assert len(removed) <= 1
    commit_all(root, " ".join(args[:2]))


@pytest.mark.parametrize("track", ["underage", "young-worker"])
def test_a_case_goes_from_reported_to_closed_by_answering_questions(
    tmp_path: Path, track: str
) -> None:
    root = tmp_path / "repo"
    case_id, path = new_repo(root, track, "2026-01-05")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLR_")}
    env.update(NO_COLOR="1", PROMPT_TOOLKIT_NO_CPR="1", CLR_USER="R. Ahmed", TERM="xterm",
               COLUMNS="120")  # fmt: skip
    term = Terminal(clr_executable(), root, env)
    replies = dict(REPLIES, **{"Verified age": "12\r" if track == "underage" else "16\r"})
    counts: list[tuple[str, int, int, int]] = []

    def stage(name: str, *commands: list[str]) -> None:
        before = (term.commands, term.answers, term.typed)
        for args in commands:
            _step(term, root, args, replies)
        counts.append((name, term.commands - before[0], term.answers - before[1],
                       term.typed - before[2]))  # fmt: skip

    for target, day in STEPS:
        stage(target, ["advance", case_id, "--as-of", day])
    if track == "underage":
        visit = ["visit", case_id, "--method", "household", "--not-working", "--in-school"]
        visits = [[*visit, "--date", day, "--as-of", day] for day in ("2026-04-06", "2026-07-06")]
        close = ["advance", case_id, "--to", "closed", "--reason", "no_longer_in_CL",
                 "--approved-by", "M. Karim", "--as-of", "2026-07-10",
                 "--root-cause", "household_poverty"]  # fmt: skip
    else:
        visit = ["visit", case_id, "--method", "household", "--not-working", "--no-hazardous-work"]
        visits = [[*visit, "--date", "2026-03-10", "--as-of", "2026-03-10"]]
        close = ["advance", case_id, "--to", "closed", "--reason", "hazard_removed",
                 "--approved-by", "M. Karim", "--as-of", "2026-03-12",
                 "--root-cause", "household_poverty"]  # fmt: skip
    stage("closed", *visits, close)
    text = path.read_text(encoding="utf-8")
    assert "stage: closed" in text
    table = "\n".join(f"| {track} | {n} | {c} | {a} | {t} |" for n, c, a, t in counts)
    print(f"\n{table}\n")  # the README's table comes from here (pytest -s)
    print("\n".join(term.transcript))
    assert all(c >= 1 for _, c, _, _ in counts)
