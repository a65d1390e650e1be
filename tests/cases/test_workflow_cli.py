"""The case workflow through the CLI: clr next, advance, tick, visit, pay, reopen, validate.

Every test works on a case repository in a temporary folder. The long walks at the end take
a hand-written case full of comments from ``reported`` to ``closed`` with clr commands alone
(filling in only what a caseworker types), committing to git after every step and checking
that each write changed only the lines it meant to.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from clr.errors import WriteConflict
from clr.io.edit import locked, open_document, write_atomic
from clr.model import vocabulary
from helpers_workflow import (
    assert_in_order,
    clr_executable,
    comment_lines,
    commit_all,
    describe,
    git,
    make_repo,
    run,
    subprocess_env,
)

UNDERAGE_ID = "TST-2026-W4K7B2M"
YOUNG_ID = "TST-2026-Y0VNG5W"

# A case as a caseworker writes it by hand: comments everywhere, four-space indentation
# in mappings, two-space list items, single and double quotes, blank lines, inline comments.
UNDERAGE_CASE = """\
# yaml-language-server: $schema=../../.clr/schemas/case.schema.json
# ----------------------------------------------------------------------
# Case file kept by hand by the caseworkers of Test Org.
# Every section has its own notes; clr must keep all of them.
# ----------------------------------------------------------------------

schema_version: 1
id: TST-2026-W4K7B2M        # given by the desk, never changes
playbook: child-labour      # the built-in playbook
track: underage             # below the minimum age for the work
stage: reported             # moved only by 'clr advance'
opened: '2026-01-05'

# Where the child was found.
site:
    name: 'Sunrise Garments, Unit 2'   # as written on the audit report
    country: BD
    # the buyer's own name for the brand
    buyer: "Northwind Apparel"

# The child, by pseudonym only: the real name is in identity.yaml.
child:
    pseudonym: 'Child A'
    sex: female   # recorded for the statistics

discovery:
    date: '2026-01-05'      # the day of the audit
    channel: audit
    # hazards the auditor wrote down
    hazards:
      - 'needles'
      - "long hours"

# The history is appended by clr; never edit it by hand.
history:
  - at: '2026-01-05T09:00:00Z'
    from: null
    to: reported
    by: 'Desk officer'
# (history ends here)

# Free notes for the team.
notes: 'Follow the buyer protocol of 2025.'   # keep it short
# End of file.
"""

YOUNG_CASE = """\
# yaml-language-server: $schema=../../.clr/schemas/case.schema.json
# A young worker found on the night shift; hand-written case.

schema_version: 1
id: TST-2026-Y0VNG5W   # desk id
playbook: child-labour
track: young-worker    # over the minimum age, under 18, hazardous work
stage: reported        # clr advance moves this
opened: "2026-02-02"

site:
  name: "Delta Dyeing"   # dye house
  country: BD

child:
  pseudonym: "Worker B"
  sex: male
  # age told by the worker himself
  estimated_age: 16
  age_basis: worker_statement

discovery:
  date: "2026-02-02"
  channel: worker_report   # via the union hotline
  night_work: true

history:
- at: "2026-02-02T08:00:00Z"   # opened by the desk
  from: null
  to: reported
  by: "Desk officer"

# last line: a comment
"""


# --- fixtures and helpers ------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "120")
    for name in ("CLR_USER", "CLR_NO_INPUT", "CLR_DEBUG", "PRE_COMMIT"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A case repository (no git) holding the hand-written underage case; cwd is its root."""
    root = make_repo(tmp_path / "repo")
    case = root / "cases" / UNDERAGE_ID / "case.yaml"
    case.parent.mkdir(parents=True)
    case.write_text(UNDERAGE_CASE, encoding="utf-8")
    monkeypatch.chdir(root)
    return root


def case_file(root: Path, case_id: str = UNDERAGE_ID) -> Path:
    return root / "cases" / case_id / "case.yaml"


def fill(path: Path, values: dict[tuple[str, ...], Any]) -> None:
    """Type values into a case as a caseworker would, with clr's own text editor."""
    doc = open_document(path)
    for where, value in values.items():
        doc.set(where, value)
    write_atomic(path, doc.render(), expected_digest=doc.digest)


def ok(args: list[str]) -> Any:
    """Run clr and assert it succeeded."""
    result = run(args)
    assert result.exit_code == 0, describe(result)
    return result


def refused(args: list[str], path: Path, *needles: str, code: int = 1) -> Any:
    """Run clr, assert exit ``code`` with ``needles`` on stderr and ``path`` byte-identical."""
    before = path.read_bytes()
    result = run(args)
    assert result.exit_code == code, describe(result)
    assert result.stderr.startswith("error: "), describe(result)
    for needle in needles:
        assert needle in result.stderr, f"{needle!r} not in\n{describe(result)}"
    assert path.read_bytes() == before, "a refused command changed the file"
    return result


def next_json(case: str, as_of: str, *extra: str) -> dict[str, Any]:
    result = ok(["next", case, "--as-of", as_of, "--format", "json", *extra])
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def blocker_messages(case: str, as_of: str) -> list[str]:
    return [b["message"] for b in next_json(case, as_of)["blockers"]]


def diff_lines(root: Path) -> tuple[list[str], list[str]]:
    """The removed and added lines of ``git diff`` (without the file headers)."""
    diff = git(root, "diff", "--no-color", "-U0").stdout
    removed = [
        ln[1:] for ln in diff.splitlines() if ln.startswith("-") and not ln.startswith("---")
    ]
    added = [ln[1:] for ln in diff.splitlines() if ln.startswith("+") and not ln.startswith("+++")]
    return removed, added


def numstat(root: Path) -> list[str]:
    return git(root, "diff", "--numstat").stdout.splitlines()


def stage_line(text: str) -> str:
    return next(line for line in text.splitlines() if line.startswith("stage:"))


# --- clr next ------------------------------------------------------------------------------------


def test_next_text_lists_open_actions_overdue_and_blockers(repo: Path) -> None:
    result = ok(["next", UNDERAGE_ID, "--as-of", "2026-01-09"])
    out = result.stdout
    assert out.startswith(f"{UNDERAGE_ID}  stage reported, track underage  (as of 2026-01-09)")
    # report-triage is due 24 hours after discovery (2026-01-06): 3 days late on the 9th.
    assert "OVERDUE by 3 days (due 2026-01-06) report-triage" in out
    # The signal is logged (discovery.channel is filled in): not listed as open.
    assert "report-log-signal" not in out
    assert "report-pass-on" in out and "report-check-ids-quietly" in out
    assert "Before it can move to identified:" in out
    blockers = out.split("Before it can move to identified:")[1]
    assert "checklist item report-triage not done" in blockers
    assert f"clr tick {UNDERAGE_ID} report-triage --by NAME" in blockers
    for missing in ("'supplier_id' is missing in site", "'sector' is missing in site"):
        assert missing in blockers
    assert "'work' is missing in discovery" in blockers
    assert "child needs an estimated age (estimated_age) or a birth date (birth_date)" in blockers


def test_next_is_coloured_on_a_terminal_and_plain_with_no_color_or_a_pipe(repo: Path) -> None:
    import pexpect

    args = ["next", UNDERAGE_ID, "--as-of", "2026-01-09"]
    env = subprocess_env(TERM="xterm")
    env.pop("NO_COLOR")
    on_terminal = pexpect.spawn(
        clr_executable(), args, cwd=str(repo), env=env, encoding="utf-8", timeout=20
    )
    screen = on_terminal.read()
    on_terminal.wait()
    assert "\x1b[31m\x1b[1mOVERDUE by 3 days\x1b[0m" in screen  # red and bold
    assert "report-triage" in screen
    no_color = pexpect.spawn(
        clr_executable(), args, cwd=str(repo), env={**env, "NO_COLOR": "1"}, encoding="utf-8"
    )
    assert "\x1b[" not in no_color.read()
    piped = subprocess.run(
        [clr_executable(), *args], cwd=repo, env=env, capture_output=True, text=True, check=True
    )
    assert "\x1b[" not in piped.stdout
    assert "OVERDUE by 3 days (due 2026-01-06) report-triage" in piped.stdout


def test_next_as_of_makes_the_answer_reproducible(repo: Path) -> None:
    first = ok(["next", UNDERAGE_ID, "--as-of", "2026-01-20"]).stdout
    again = ok(["next", UNDERAGE_ID, "--as-of", "2026-01-20"]).stdout
    assert first == again
    assert "OVERDUE by 14 days (due 2026-01-06)" in first
    on_time = ok(["next", UNDERAGE_ID, "--as-of", "2026-01-05"]).stdout
    assert "OVERDUE" not in on_time
    assert "due 2026-01-06 report-triage" in on_time
    one_day = ok(["next", UNDERAGE_ID, "--as-of", "2026-01-07"]).stdout
    assert "OVERDUE by 1 day (due 2026-01-06)" in one_day


def test_next_json_is_a_stable_structure(repo: Path) -> None:
    data = next_json(UNDERAGE_ID, "2026-01-09")
    assert data["version"] == 1
    assert (data["id"], data["stage"], data["track"]) == (UNDERAGE_ID, "reported", "underage")
    assert (data["as_of"], data["next_stage"]) == ("2026-01-09", "identified")
    actions = {a["id"]: a for a in data["actions"]}
    this_stage = {i for i, a in actions.items() if a["stage"] == "reported"}
    assert this_stage == {"report-triage", "report-check-ids-quietly", "report-pass-on"}
    # Stage order: the next stage's checklist, and later actions whose deadline already runs.
    ahead = {i: (a["stage"], a["due"]) for i, a in actions.items() if i not in this_stage}
    assert ahead["ident-confirm-child-working"] == ("identified", "2026-01-06")
    assert ahead["age-onsite-assessment"] == ("age_verified", "2026-01-08")
    triage = actions["report-triage"]
    assert triage["due"] == "2026-01-06"
    assert triage["overdue_days"] == 3
    assert triage["gate"] is True and triage["required"] is True
    assert actions["report-pass-on"]["due"] is None
    assert actions["report-pass-on"]["overdue_days"] == 0
    kinds = {(b["kind"], b["message"].split(":")[0]) for b in data["blockers"]}
    assert ("checklist", "checklist item report-triage not done") in kinds
    assert any(k == "field" and "supplier_id" in m for k, m in kinds)
    assert data["warnings"] and data["safeguarding"]


def test_next_role_filters_actions(repo: Path) -> None:
    def here(doc: dict) -> set[str]:
        return {a["id"] for a in doc["actions"] if a["stage"] == "reported"}

    everyone = here(next_json(UNDERAGE_ID, "2026-01-09"))
    agent = next_json(UNDERAGE_ID, "2026-01-09", "--role", "agent")
    assert {a["id"] for a in agent["actions"]} == {"report-pass-on"}
    provider = here(next_json(UNDERAGE_ID, "2026-01-09", "--role", "provider"))
    assert provider == {"report-triage", "report-check-ids-quietly"}
    assert provider | {"report-pass-on"} == everyone
    nobody = next_json(UNDERAGE_ID, "2026-01-09", "--role", "trade_union")
    assert nobody["actions"] == []
    text = ok(["next", UNDERAGE_ID, "--as-of", "2026-01-09", "--role", "agent"]).stdout
    assert "report-pass-on" in text and "report-triage  (" not in text


def test_case_argument_accepts_id_prefix_folder_and_file(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = repo / "cases" / UNDERAGE_ID
    for ref in (
        UNDERAGE_ID,
        "TST-2026-W4K",
        "tst-2026-w4k",
        str(folder),
        str(folder / "case.yaml"),
    ):
        data = next_json(ref, "2026-01-09")
        assert data["id"] == UNDERAGE_ID, ref
    # A relative folder path, and a path given from outside the repository.
    assert next_json(f"cases/{UNDERAGE_ID}", "2026-01-09")["id"] == UNDERAGE_ID
    monkeypatch.chdir(tmp_path)
    assert next_json(str(folder), "2026-01-09")["id"] == UNDERAGE_ID
    monkeypatch.chdir(repo)
    # A second case with the same prefix makes the prefix ambiguous.
    other = repo / "cases" / "TST-2026-W4K9999" / "case.yaml"
    other.parent.mkdir()
    other.write_text(UNDERAGE_CASE.replace(UNDERAGE_ID, "TST-2026-W4K9999"), encoding="utf-8")
    result = run(["next", "TST-2026-W4K", "--as-of", "2026-01-09"])
    assert result.exit_code == 1, describe(result)
    assert "matches 2 cases" in result.stderr
    missing = run(["next", "TST-2026-NOPE0", "--as-of", "2026-01-09"])
    assert missing.exit_code == 1, describe(missing)
    assert "error: no case TST-2026-NOPE0" in missing.stderr


def test_next_outside_a_repository_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run(["next", "TST-2026-W4K7B2M"])
    assert result.exit_code == 1, describe(result)
    assert "not inside a case repository" in result.stderr
    assert "Traceback" not in result.output


def test_bad_as_of_is_a_usage_error(repo: Path) -> None:
    result = run(["next", UNDERAGE_ID, "--as-of", "2026-13-01"])
    assert result.exit_code == 2, describe(result)
    assert "is not a date; write YYYY-MM-DD" in result.output


# --- clr advance ---------------------------------------------------------------------------------


def test_advance_blocked_lists_everything_missing_and_changes_nothing(repo: Path) -> None:
    path = case_file(repo)
    result = refused(
        ["advance", UNDERAGE_ID, "--by", "R. Ahmed", "--as-of", "2026-01-06"],
        path,
        f"{UNDERAGE_ID} cannot move from reported to identified yet:",
        "checklist item report-triage not done",
        "'supplier_id' is missing in site",
        "'sector' is missing in site",
        "'work' is missing in discovery",
        "nothing was changed",
        "clr set",
    )
    # stdout holds the missing facts as one YAML snippet, nested as in the case
    snippet = yaml.safe_load(result.stdout)
    assert set(snippet["site"]) == {"supplier_id", "sector"}
    assert set(snippet["discovery"]) >= {"work"}
    assert path.read_text(encoding="utf-8") == UNDERAGE_CASE


def test_advance_needs_to_know_who(repo: Path) -> None:
    path = case_file(repo)
    # Who did it is input the command line lacks: exit 2, as click does for a missing option.
    refused(
        ["advance", UNDERAGE_ID, "--as-of", "2026-01-06"], path, "say who did it", "--by", code=2
    )
    refused(["tick", UNDERAGE_ID, "report-triage", "--as-of", "2026-01-06"], path, "--by", code=2)


def test_clr_user_stands_in_for_by(repo: Path) -> None:
    result = run(
        ["tick", UNDERAGE_ID, "report-triage", "--as-of", "2026-01-06"],
        env={"CLR_USER": "Env Person"},
    )
    assert result.exit_code == 0, describe(result)
    text = case_file(repo).read_text(encoding="utf-8")
    assert "report-triage:" in text and "by: Env Person" in text


@pytest.mark.parametrize(
    ("target", "needle"),
    [
        ("protected", "cases move one stage at a time: next is identified"),
        ("monitoring", "cases move one stage at a time: next is identified"),
        ("reported", "cases move forward only"),
    ],
)
def test_advance_moves_one_stage_forward_only(repo: Path, target: str, needle: str) -> None:
    refused(
        ["advance", UNDERAGE_ID, "--to", target, "--by", "X", "--as-of", "2026-01-06"],
        case_file(repo),
        needle,
    )


def test_advance_to_unknown_stage_is_refused(repo: Path) -> None:
    result = refused(
        ["advance", UNDERAGE_ID, "--to", "finished", "--by", "X", "--as-of", "2026-01-06"],
        case_file(repo),
    )
    assert "finished" in result.stderr


def test_closing_needs_a_coded_reason_and_an_approver(repo: Path) -> None:
    path = case_file(repo)
    base = ["advance", UNDERAGE_ID, "--to", "closed", "--by", "X", "--as-of", "2026-01-06"]
    refused(
        [*base, "--approved-by", "Sup"], path, "closing a case needs a coded reason", "--reason"
    )
    refused([*base, "--reason", "duplicate"], path, "closing a case needs who approved it")
    refused(
        [*base, "--reason", "all_good", "--approved-by", "Sup"],
        path,
        "unknown closure reason 'all_good'",
        "reached_min_age",
    )
    refused(
        ["advance", UNDERAGE_ID, "--reason", "refused", "--by", "X", "--as-of", "2026-01-06"],
        path,
        "--reason and --approved-by are for closing a case",
    )


def test_closure_reason_conditions_must_apply(repo: Path) -> None:
    path = case_file(repo)
    base = ["advance", UNDERAGE_ID, "--to", "closed", "--by", "X", "--as-of", "2026-01-06"]
    # hazard_removed is for young workers whose hazards were removed.
    refused(
        [*base, "--reason", "hazard_removed", "--approved-by", "Sup"],
        path,
        "cannot move from reported to closed yet",
        'track must be "young-worker"',
        "'protection' is missing",
    )
    # no_longer_in_CL needs the case in monitoring (and its follow-up visits).
    refused(
        [*base, "--reason", "no_longer_in_CL", "--approved-by", "Sup"],
        path,
        "closed as no_longer_in_CL only from monitoring",
        "two follow-ups in a row, 3 and 6 months after the child was found",
    )
    # reached_min_age needs a verified age.
    refused(
        [*base, "--reason", "reached_min_age", "--approved-by", "Sup"], path, "age_verification"
    )
    # duplicate needs the other case's id; refused needs notes (--note fills them).
    refused([*base, "--reason", "duplicate", "--approved-by", "Sup"], path, "duplicate_of")


REFUSED_FACTS = [
    "--refused-by", "family", "--contact-attempt", "2025-12-05:home_visit",
    "--contact-attempt", "2025-12-20:phone", "--contact-attempt", "2026-01-05:through_supplier",
    "--referral-to", "child_protection", "--referral-date", "2026-01-05",
    "--rehire-check", "2026-01-05", "--not-rehired", "--root-causes-waived", "not known",
]  # fmt: skip
"""What the playbook's closing rules ask of a refusal (tests/cases/test_closing_practice.py)."""


def test_close_as_refused_from_the_first_stage(repo: Path) -> None:
    path = case_file(repo)
    ok(
        [
            "advance", UNDERAGE_ID, "--to", "closed", "--reason", "refused",
            "--approved-by", "Supervisor", "--note", "family declined all support",
            "--by", "R. Ahmed", "--as-of", "2026-01-06", *REFUSED_FACTS,
        ]
    )  # fmt: skip
    text = path.read_text(encoding="utf-8")
    assert stage_line(text).startswith("stage: closed ")
    assert "closure:" in text and "reason: refused" in text and "approved_by: Supervisor" in text
    assert "notes: family declined all support" in text
    unchanged = [ln for ln in comment_lines(UNDERAGE_CASE) if not ln.startswith("stage:")]
    assert_in_order(unchanged, text.splitlines())
    validate = run(["validate", "--as-of", "2026-01-06"])
    assert validate.exit_code == 0, describe(validate)


def test_dry_run_prints_the_diff_and_writes_nothing(repo: Path) -> None:
    path = case_file(repo)
    before = path.read_bytes()
    tick = ok(
        ["tick", UNDERAGE_ID, "report-triage", "--by", "R. Ahmed", "--date", "2026-01-05",
         "--as-of", "2026-01-06", "--dry-run"]
    )  # fmt: skip
    assert tick.stdout.startswith("--- a/") and f"{UNDERAGE_ID}/case.yaml\n+++ b/" in tick.stdout
    assert "+checklist:" in tick.stdout and "+  report-triage:" in tick.stdout
    assert "+    done: '2026-01-05'" in tick.stdout
    assert "would tick report-triage" in tick.stderr
    visit = ok(
        ["visit", UNDERAGE_ID, "--method", "phone", "--not-working", "--date", "2026-01-06",
         "--as-of", "2026-01-06", "-n"]
    )  # fmt: skip
    assert "+visits:" in visit.stdout and "would record the visit of 2026-01-06" in visit.stderr
    pay = ok(
        ["pay", UNDERAGE_ID, "--amount", "100", "--currency", "bdt", "--payer", "supplier",
         "--date", "2026-01-06", "--as-of", "2026-01-06", "--dry-run"]
    )  # fmt: skip
    assert "+payments:" in pay.stdout and "currency: BDT" in pay.stdout
    assert path.read_bytes() == before
    # A move that is possible, as a dry run.
    fill(path, {("site", "supplier_id"): "SUP-1", ("site", "sector"): "garments",
                ("discovery", "work"): "sewing", ("child", "estimated_age"): 13})  # fmt: skip
    ok(["tick", UNDERAGE_ID, "report-triage", "--by", "R. Ahmed", "--as-of", "2026-01-06"])
    before = path.read_bytes()
    move = ok(["advance", UNDERAGE_ID, "--by", "R. Ahmed", "--as-of", "2026-01-06", "--dry-run"])
    assert "-stage: reported" in move.stdout and "+stage: identified" in move.stdout
    assert "would move from reported to identified" in move.stderr
    assert path.read_bytes() == before


def test_dry_run_diff_names_the_file_as_git_does(repo: Path) -> None:
    git(repo, "init", "-q")
    commit_all(repo, "case")
    result = ok(["tick", UNDERAGE_ID, "report-triage", "--by", "X", "--as-of", "2026-01-06", "-n"])
    assert result.stdout.startswith(
        f"--- a/cases/{UNDERAGE_ID}/case.yaml\n+++ b/cases/{UNDERAGE_ID}/case.yaml\n"
    )
    (repo / "change.patch").write_text(result.stdout, encoding="utf-8")
    assert git(repo, "apply", "--check", "change.patch", check=False).returncode == 0


def test_dry_run_diff_applies_with_git_when_given_a_relative_path(repo: Path) -> None:
    git(repo, "init", "-q")
    commit_all(repo, "case")
    ref = f"cases/{UNDERAGE_ID}"
    result = ok(["tick", ref, "report-triage", "--by", "X", "--as-of", "2026-01-06", "-n"])
    patch = repo.parent / "change.patch"
    patch.write_text(result.stdout, encoding="utf-8")
    assert git(repo, "diff", "--numstat").stdout == ""  # the dry run wrote nothing
    applied = git(repo, "apply", str(patch), check=False)
    assert applied.returncode == 0, applied.stderr
    assert "report-triage:" in case_file(repo).read_text(encoding="utf-8")


def test_advance_changes_only_the_stage_line_and_new_history_lines(repo: Path) -> None:
    path = case_file(repo)
    fill(path, {("site", "supplier_id"): "SUP-1", ("site", "sector"): "garments",
                ("discovery", "work"): "sewing", ("child", "estimated_age"): 13})  # fmt: skip
    ok(["tick", UNDERAGE_ID, "report-triage", "--by", "R. Ahmed", "--as-of", "2026-01-06"])
    git(repo, "init", "-q")
    commit_all(repo, "hand-written case")
    ok(["advance", UNDERAGE_ID, "--by", "R. Ahmed", "--note", "confirmed at the site",
        "--as-of", "2026-01-06"])  # fmt: skip
    assert numstat(repo) == [f"6\t1\tcases/{UNDERAGE_ID}/case.yaml"]
    removed, added = diff_lines(repo)
    assert removed == ["stage: reported             # moved only by 'clr advance'"]
    assert added == [
        "stage: identified           # moved only by 'clr advance'",
        "  - at: '2026-01-06T12:00:00Z'",
        "    from: reported",
        "    to: identified",
        "    by: R. Ahmed",
        "    note: confirmed at the site",
    ]
    text = path.read_text(encoding="utf-8")
    # The new entry went at the end of the history, before the comment that follows it.
    assert "    note: confirmed at the site\n# (history ends here)\n" in text


# --- tick, visit, pay ----------------------------------------------------------------------------


def test_tick_unknown_item_suggests_the_right_one(repo: Path) -> None:
    path = case_file(repo)
    refused(
        ["tick", UNDERAGE_ID, "report-triag", "--by", "X", "--as-of", "2026-01-06"],
        path,
        "'report-triag' is not an item of playbook child-labour",
        "did you mean report-triage",
    )
    refused(
        ["tick", UNDERAGE_ID, "zzz-nothing", "--by", "X", "--as-of", "2026-01-06"],
        path,
        "'zzz-nothing' is not an item",
        "clr playbook show",
    )


def test_tick_records_once(repo: Path) -> None:
    path = case_file(repo)
    result = ok(
        ["tick", UNDERAGE_ID, "report-triage", "--by", "R. Ahmed", "--date", "2026-01-05",
         "--note", "credible, no immediate danger", "--as-of", "2026-01-06"]
    )  # fmt: skip
    assert f"{UNDERAGE_ID}: ticked report-triage" in result.stderr
    text = path.read_text(encoding="utf-8")
    head, tail = UNDERAGE_CASE.split("# End of file.\n")
    assert text.startswith(head) and text.endswith("# End of file.\n" + tail)
    added = text[len(head) : -len("# End of file.\n")]
    assert yaml.safe_load(added) == {
        "checklist": {
            "report-triage": {
                "done": "2026-01-05",
                "by": "R. Ahmed",
                "note": "credible, no immediate danger",
            }
        }
    }
    refused(
        ["tick", UNDERAGE_ID, "report-triage", "--by", "X", "--as-of", "2026-01-06"],
        path,
        "report-triage is already ticked",
    )
    # Ticking clears the blocker and the overdue item.
    data = next_json(UNDERAGE_ID, "2026-01-09")
    assert "report-triage" not in {a["id"] for a in data["actions"]}
    assert not any("report-triage" in b["message"] for b in data["blockers"])


def test_tick_date_in_the_future_is_refused(repo: Path) -> None:
    refused(
        ["tick", UNDERAGE_ID, "report-triage", "--by", "X", "--date", "2026-02-01",
         "--as-of", "2026-01-06"],
        case_file(repo),
        "is in the future",
        "nothing was written",
    )  # fmt: skip


def test_visit_and_pay_append_validated_entries(repo: Path) -> None:
    path = case_file(repo)
    ok(
        ["visit", UNDERAGE_ID, "--method", "unannounced", "--not-working", "--in-school",
         "--attendance", "92.5", "--stipend-received", "--date", "2026-01-20", "--by", "R. Ahmed",
         "--child-views", "I like school", "--as-of", "2026-01-21"]
    )  # fmt: skip
    ok(
        ["pay", UNDERAGE_ID, "--amount", "4500", "--currency", "BDT", "--payer", "supplier",
         "--date", "2026-01-20", "--period", "2026-01", "--receipt", "R-0412",
         "--as-of", "2026-01-21"]
    )  # fmt: skip
    result = ok(
        ["pay", UNDERAGE_ID, "--amount", "350.5", "--currency", "bdt", "--payer", "buyer",
         "--purpose", "school_fees", "--date", "2026-01-21", "--as-of", "2026-01-21"]
    )  # fmt: skip
    assert "recorded 350.5 BDT paid by buyer" in result.stderr
    text = path.read_text(encoding="utf-8")
    assert (
        "visits:\n"
        "  - date: '2026-01-20'\n"
        "    method: unannounced\n"
        "    by: R. Ahmed\n"
        "    in_school: true\n"
        "    attendance_percent: 92.5\n"
        "    working: false\n"
        "    stipend_received: true\n"
        "    child_views: I like school\n"
    ) in text
    assert (
        "payments:\n"
        "  - date: '2026-01-20'\n"
        "    amount: 4500\n"
        "    currency: BDT\n"
        "    payer: supplier\n"
        "    purpose: stipend\n"
        "    period: 2026-01\n"
        "    receipt: R-0412\n"
        "  - date: '2026-01-21'\n"
        "    amount: 350.5\n"
    ) in text
    assert_in_order(comment_lines(UNDERAGE_CASE), text.splitlines())
    assert run(["validate", "--as-of", "2026-01-21"]).exit_code == 0, "the case stays valid"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--currency", "QQQ", "--payer", "supplier"], "not an ISO 4217 currency code"),
        (["--currency", "BDT", "--payer", "landlord"], "payer"),
        (["--currency", "BDT", "--payer", "supplier", "--period", "2026-13"], "period"),
        (["--currency", "BDT", "--payer", "supplier", "--purpose", "bribe"], "purpose"),
    ],
)
def test_pay_never_writes_an_invalid_case(repo: Path, args: list[str], needle: str) -> None:
    refused(
        [
            "pay",
            UNDERAGE_ID,
            "--amount",
            "10",
            "--date",
            "2026-01-06",
            "--as-of",
            "2026-01-06",
            *args,
        ],
        case_file(repo),
        "would leave",
        "invalid; nothing was written",
        needle,
    )


def test_pay_refuses_the_no_currency_code(repo: Path) -> None:
    refused(
        ["pay", UNDERAGE_ID, "--amount", "10", "--currency", "XXX", "--payer", "supplier",
         "--date", "2026-01-06", "--as-of", "2026-01-06"],
        case_file(repo),
        "XXX",
    )  # fmt: skip


def test_pay_negative_amount_is_a_usage_error(repo: Path) -> None:
    path = case_file(repo)
    before = path.read_bytes()
    result = run(["pay", UNDERAGE_ID, "--amount", "-5", "--currency", "BDT", "--payer", "buyer"])
    assert result.exit_code == 2, describe(result)
    assert path.read_bytes() == before


def test_visit_before_discovery_is_refused(repo: Path) -> None:
    refused(
        ["visit", UNDERAGE_ID, "--method", "phone", "--working", "--date", "2026-01-01",
         "--as-of", "2026-01-06"],
        case_file(repo),
        "is before discovery.date",
    )  # fmt: skip


def test_closing_no_longer_in_cl_takes_monitoring_not_just_two_good_visits(repo: Path) -> None:
    # Two visits without work a fortnight after discovery do not make a case remediated:
    # no_longer_in_CL closes a case from monitoring only (tests/cases/test_closure_cli.py).
    path = case_file(repo)
    for day in ("2026-01-10", "2026-01-20"):
        ok(["visit", UNDERAGE_ID, "--method", "household", "--not-working", "--date", day,
            "--as-of", "2026-01-21"])  # fmt: skip
    close = ["advance", UNDERAGE_ID, "--to", "closed", "--reason", "no_longer_in_CL",
             "--approved-by", "Sup", "--by", "X", "--as-of", "2026-01-21"]  # fmt: skip
    result = refused(
        close,
        path,
        "cannot move from reported to closed yet",
        "a case is closed as no_longer_in_CL only from monitoring, and this one is in reported",
        "close it for a reason that fits now, such as lost_contact or refused, with --note",
        "nothing was changed",
    )
    assert result.stderr.count("\n  - ") == 1, "one blocker, the stage: " + result.stderr


def test_a_broken_case_file_is_a_clear_error_and_left_alone(repo: Path) -> None:
    path = case_file(repo)
    broken = UNDERAGE_CASE.replace("    country: BD\n", "    country: BD\n\tregion: x\n")
    path.write_text(broken, encoding="utf-8")
    for args in (
        ["tick", UNDERAGE_ID, "report-triage", "--by", "X"],
        ["advance", UNDERAGE_ID, "--by", "X"],
        ["pay", UNDERAGE_ID, "--amount", "1", "--currency", "BDT", "--payer", "buyer"],
    ):
        result = refused(args, path, f"cases/{UNDERAGE_ID}/case.yaml:")
        assert "Traceback" not in result.output
    assert path.read_text(encoding="utf-8") == broken


# --- safe writes ---------------------------------------------------------------------------------


def test_write_atomic_refuses_a_file_changed_after_it_was_read(repo: Path) -> None:
    path = case_file(repo)
    doc = open_document(path)
    doc.set(("stage",), "identified")
    new_text = doc.render()
    someone_else = UNDERAGE_CASE.replace("Follow the buyer", "Follow THE buyer")
    path.write_text(someone_else, encoding="utf-8")
    with pytest.raises(WriteConflict, match="changed on disk after clr read it"):
        write_atomic(path, new_text, expected_digest=doc.digest)
    assert path.read_text(encoding="utf-8") == someone_else
    assert sorted(p.name for p in path.parent.iterdir()) == ["case.yaml"], "no temp file left"
    # Unchanged: the same write goes through.
    doc = open_document(path)
    doc.set(("notes",), "changed by clr")
    write_atomic(path, doc.render(), expected_digest=doc.digest)
    notes = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.startswith("notes:")]
    assert len(notes) == 1 and notes[0].startswith("notes: changed by clr ")
    assert notes[0].endswith("   # keep it short")


def test_cli_refuses_to_write_when_the_file_changes_meanwhile(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import clr.cases.caseops as caseops

    path = case_file(repo)
    original_check = caseops.check_result
    someone_else = UNDERAGE_CASE.replace("keep it short", "edited in an editor meanwhile")

    def check_then_edit(session: Any, new_text: str) -> Any:
        found = original_check(session, new_text)
        path.write_text(someone_else, encoding="utf-8")  # an editor saves between read and write
        return found

    monkeypatch.setattr(caseops, "check_result", check_then_edit)
    result = run(["tick", UNDERAGE_ID, "report-triage", "--by", "X", "--as-of", "2026-01-06"])
    assert result.exit_code == 1, describe(result)
    assert "changed on disk after clr read it; nothing was written" in result.stderr
    assert path.read_text(encoding="utf-8") == someone_else


def test_advance_is_refused_while_another_clr_holds_the_lock(repo: Path) -> None:
    path = case_file(repo)
    fill(path, {("site", "supplier_id"): "SUP-1", ("site", "sector"): "garments",
                ("discovery", "work"): "sewing", ("child", "estimated_age"): 13})  # fmt: skip
    ok(["tick", UNDERAGE_ID, "report-triage", "--by", "X", "--as-of", "2026-01-06"])
    before = path.read_bytes()
    command = [clr_executable(), "advance", UNDERAGE_ID, "--by", "X", "--as-of", "2026-01-06"]
    with locked(path.parent):
        proc = subprocess.run(
            command, cwd=repo, env=subprocess_env(), capture_output=True, text=True, timeout=60
        )
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.startswith("error: another clr command is changing")
    assert "nothing was written" in proc.stderr and "Traceback" not in proc.stderr
    assert path.read_bytes() == before
    # Once the lock is released the same command goes through.
    proc = subprocess.run(command, cwd=repo, env=subprocess_env(), capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert stage_line(path.read_text(encoding="utf-8")).startswith("stage: identified")


def test_in_process_lock_conflict_is_refused_too(repo: Path) -> None:
    path = case_file(repo)
    with locked(path.parent):
        refused(
            ["tick", UNDERAGE_ID, "report-triage", "--by", "X", "--as-of", "2026-01-06"],
            path,
            "another clr command is changing",
            "wait for it to finish",
        )


@pytest.fixture
def read_only(request: pytest.FixtureRequest) -> Iterator[Callable[[Path], None]]:
    """``read_only(path)``: make a file unwritable, even for root (chattr +i), until teardown."""
    undo: list[Callable[[], None]] = []

    def make(path: Path) -> None:
        if os.geteuid() != 0:
            mode = path.stat().st_mode
            path.chmod(0o444)
            undo.append(lambda: path.chmod(mode))
            return
        chattr = shutil.which("chattr")
        if chattr is None:
            pytest.skip("running as root, which may write any file, and chattr is missing")
        done = subprocess.run([chattr, "+i", str(path)], capture_output=True, check=False)
        if done.returncode != 0:
            pytest.skip("running as root and this file system has no immutable flag")
        undo.append(lambda: subprocess.run([chattr, "-i", str(path)], check=True))
        if os.access(path, os.W_OK):  # pragma: no cover - depends on the kernel
            pytest.skip("running as root: an immutable file still counts as writable")

    yield make
    for step in reversed(undo):
        step()


def test_read_only_case_file_is_a_clear_error(repo: Path, read_only: Any) -> None:
    path = case_file(repo)
    read_only(path)
    result = refused(
        ["tick", UNDERAGE_ID, "report-triage", "--by", "X", "--as-of", "2026-01-06"],
        path,
        f"cannot write {path}",
        "Permission denied",
    )
    assert "nothing was changed" in result.stderr
    assert "Traceback" not in result.output
    assert sorted(p.name for p in path.parent.iterdir()) == ["case.yaml"], "no temp file left"
    assert path.read_text(encoding="utf-8") == UNDERAGE_CASE


# --- clr validate: deadlines ---------------------------------------------------------------------


def test_validate_reports_overdue_required_actions_as_clr301(repo: Path) -> None:
    early = run(["validate", "--as-of", "2026-01-05", "--format", "json"])
    assert early.exit_code == 0, describe(early)
    assert json.loads(early.stdout)["summary"]["warnings"] == 0
    late = run(["validate", "--as-of", "2026-01-09", "--format", "json"])
    assert late.exit_code == 0, describe(late)
    report = json.loads(late.stdout)
    every = [f for file in report["files"] for f in file["findings"]]
    # Later stages' deadlines counted from discovery run out too (stage order).
    findings = [f for f in every if "(for stage " not in f["message"]]
    assert any("age-onsite-assessment (for stage age_verified)" in f["message"] for f in every)
    assert {(f["code"], f["severity"]) for f in every} == {("CLR301", "warning")}
    assert [(f["code"], f["severity"]) for f in findings] == [("CLR301", "warning")]
    assert "overdue by 3 days: report-triage" in findings[0]["message"]
    assert "due 2026-01-06" in findings[0]["message"]
    assert "clr tick CASE report-triage" in findings[0]["hint"]
    text = run(["validate", "--as-of", "2026-01-09"])
    assert text.exit_code == 0 and "CLR301" in text.stdout and "warning" in text.stdout
    strict = run(["validate", "--as-of", "2026-01-09", "--strict"])
    assert strict.exit_code == 1, describe(strict)
    assert "CLR301" in strict.stdout
    # Ticking the item clears its warning.
    ok(["tick", UNDERAGE_ID, "report-triage", "--by", "X", "--date", "2026-01-06",
        "--as-of", "2026-01-09"])  # fmt: skip
    after = run(["validate", "--as-of", "2026-01-09", "--format", "json"])
    messages = [
        f["message"] for file in json.loads(after.stdout)["files"] for f in file["findings"]
    ]
    assert messages and not any("report-triage" in m for m in messages)


def test_validate_overdue_as_error_when_configured(repo: Path) -> None:
    config = repo / "clr.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "overdue: error\n", encoding="utf-8")
    result = run(["validate", "--as-of", "2026-01-09"])
    assert result.exit_code == 1, describe(result)
    assert "error" in result.stdout and "CLR301" in result.stdout


# --- closed cases --------------------------------------------------------------------------------


def _close_as_refused(repo: Path) -> None:
    ok(["advance", UNDERAGE_ID, "--to", "closed", "--reason", "refused", "--approved-by", "Sup",
        "--note", "the family said no", "--by", "X", "--as-of", "2026-01-06",
        *REFUSED_FACTS])  # fmt: skip


def test_a_closed_case_is_never_moved_again(repo: Path) -> None:
    _close_as_refused(repo)
    path = case_file(repo)
    refused(
        ["advance", UNDERAGE_ID, "--by", "X", "--as-of", "2026-01-07"],
        path,
        f"{UNDERAGE_ID} is closed: a closed case is never moved again",
        "clr reopen",
    )
    refused(
        ["advance", UNDERAGE_ID, "--to", "reported", "--by", "X", "--as-of", "2026-01-07"],
        path,
        "never reopened",
        "clr reopen",
    )
    text = ok(["next", UNDERAGE_ID, "--as-of", "2026-01-07"]).stdout
    # Closed: only the checks after closure are left (6 and 12 months after it).
    assert "Checks after closure:" in text and "due 2026-07-06" in text
    actions = next_json(UNDERAGE_ID, "2026-01-07")["actions"]
    assert [(a["id"], a["due"]) for a in actions] == [("after-recurrence-check", "2026-07-06")]


def test_reopen_makes_a_new_case_linked_to_the_old_one(repo: Path) -> None:
    path = case_file(repo)
    refused(["reopen", UNDERAGE_ID, "--by", "X", "--as-of", "2026-01-06"], path, "still open")
    _close_as_refused(repo)
    closed_text = path.read_text(encoding="utf-8")
    result = ok(["reopen", UNDERAGE_ID, "--by", "R. Ahmed", "--channel", "hotline",
                 "--discovered", "2026-03-01", "--as-of", "2026-03-02"])  # fmt: skip
    new_id = result.stdout.strip()
    assert new_id != UNDERAGE_ID and new_id.startswith("TST-2026-")
    assert f"linked to {UNDERAGE_ID}" in result.stderr
    # The closed case only gains the link to the new one.
    now = path.read_text(encoding="utf-8").splitlines()
    assert [ln for ln in now if ln not in closed_text.splitlines()] == [f"reopened_as: {new_id}"]
    assert len(now) == len(closed_text.splitlines()) + 1
    new_text = case_file(repo, new_id).read_text(encoding="utf-8")
    assert f"\nreopens: {UNDERAGE_ID}\n" in new_text
    assert "\nstage: reported\n" in new_text and "channel: hotline" in new_text
    assert "pseudonym: Child A" in new_text
    data = next_json(new_id, "2026-03-02")
    assert data["stage"] == "reported"
    validate = run(["validate", "--as-of", "2026-03-02"])
    assert validate.exit_code == 0, describe(validate)


# --- the whole way, with clr commands alone ------------------------------------------------------


class Walk:
    """Drive one case through the CLI in a git repository, checking every write."""

    def __init__(self, root: Path, case_id: str, original: str) -> None:
        self.root = root
        self.case_id = case_id
        self.path = case_file(root, case_id)
        self.original = original

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")

    def check_folder(self) -> None:
        assert sorted(p.name for p in self.path.parent.iterdir()) == ["case.yaml"]

    def type_in(self, values: dict[tuple[str, ...], Any]) -> None:
        """What a caseworker types into the file, committed on its own."""
        fill(self.path, values)
        commit_all(self.root, "caseworker edits")

    def record(self, args: list[str]) -> Any:
        """tick, visit or pay: only new lines are added, nothing else changes."""
        result = ok([args[0], self.case_id, *args[1:]])
        stats = numstat(self.root)
        assert len(stats) == 1 and stats[0].split("\t")[1] == "0", (args, stats)
        self.check_folder()
        commit_all(self.root, args[0])
        return result

    def blocked(self, as_of: str, *needles: str) -> None:
        refused(
            ["advance", self.case_id, "--by", "R. Ahmed", "--as-of", as_of], self.path, *needles
        )
        assert numstat(self.root) == []

    def advance(
        self, source: str, target: str, as_of: str, *extra: str, note: str = "", closure: int = 0
    ) -> list[str]:
        """Move the case; assert the diff is the stage line, ``closure`` lines and history."""
        old_stage = stage_line(self.text)
        args = ["advance", self.case_id, "--by", "R. Ahmed", "--as-of", as_of, *extra]
        result = ok([*args, "--note", note] if note else args)
        assert f"{self.case_id}: moved from {source} to {target}" in result.stderr
        removed, added = diff_lines(self.root)
        assert removed == [old_stage]
        new_stage = stage_line(self.text)
        assert new_stage.startswith(f"stage: {target}")
        assert new_stage.split("#")[1:] == old_stage.split("#")[1:], "inline comment kept"
        assert added[0] == new_stage
        rest = added[1:]
        start = next(i for i, line in enumerate(rest) if line.lstrip().startswith("- at: "))
        size = 5 if note else 4
        history = [line.strip().removeprefix("- ") for line in rest[start : start + size]]
        assert history[0].startswith("at: ") and f"{as_of}T12:00:00Z" in history[0]
        assert history[1:4] == [f"from: {source}", f"to: {target}", "by: R. Ahmed"]
        assert history[4:] == ([f"note: {note}"] if note else [])
        other = rest[:start] + rest[start + size :]
        assert len(other) == closure, other
        assert numstat(self.root) == [f"{len(added)}\t1\tcases/{self.case_id}/case.yaml"]
        self.check_folder()
        commit_all(self.root, f"move to {target}")
        return other

    def assert_original_kept(self) -> None:
        """Every line of the hand-written file but the stage line is still there, in order."""
        final = self.text.splitlines()
        kept = [line for line in self.original.splitlines() if not line.startswith("stage:")]
        assert_in_order(kept, final)
        assert_in_order([ln for ln in comment_lines(self.original) if ln in kept], final)
        assert final[0] == self.original.splitlines()[0]


@pytest.fixture
def git_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A case repository made by ``clr init`` (with git); cwd is its root."""
    for name, value in subprocess_env().items():
        if name.startswith("GIT_"):
            monkeypatch.setenv(name, value)
    root = tmp_path / "cases-repo"
    result = run(["init", str(root), "--org", "Test Org", "--prefix", "TST", "--no-input"])
    assert result.exit_code == 0, describe(result)
    assert (root / ".git").is_dir()
    monkeypatch.chdir(root)
    return root


def test_underage_case_walks_from_reported_to_closed(git_repo: Path) -> None:
    root = git_repo
    path = case_file(root)
    path.parent.mkdir(parents=True)
    path.write_text(UNDERAGE_CASE, encoding="utf-8")
    commit_all(root, "hand-written case")
    walk = Walk(root, UNDERAGE_ID, UNDERAGE_CASE)
    # The schema line of the hand-written case points at the copy clr init made.
    assert (path.parent / "../../.clr/schemas/case.schema.json").resolve().is_file()

    # reported -> identified --------------------------------------------------------------
    walk.blocked("2026-01-05", "checklist item report-triage not done", "'work' is missing")
    walk.record(["tick", "report-triage", "--by", "R. Ahmed", "--date", "2026-01-05",
                 "--as-of", "2026-01-05"])  # fmt: skip
    walk.blocked("2026-01-05", "'supplier_id' is missing", "'sector' is missing")
    walk.type_in(
        {
            ("site", "supplier_id"): "SUP-0042",
            ("site", "sector"): "garments",
            ("discovery", "work"): "trimming threads",
            ("child", "estimated_age"): 13,
            ("child", "age_basis"): "appearance",
        }
    )
    assert blocker_messages(UNDERAGE_ID, "2026-01-05") == []
    assert (
        "Ready to move to identified" in ok(["next", UNDERAGE_ID, "--as-of", "2026-01-05"]).stdout
    )
    walk.advance("reported", "identified", "2026-01-05", note="child seen at work")

    # identified -> protected -------------------------------------------------------------
    messages = blocker_messages(UNDERAGE_ID, "2026-01-06")
    assert any("ident-record-work not done" in m for m in messages)
    assert any("'protection' is missing" in m for m in messages)
    walk.blocked("2026-01-06", "ident-record-work", "protection")
    walk.type_in(
        {
            ("discovery", "hours_per_week"): 60,
            ("protection",): {
                "removed_from_work": "2026-01-06",
                "wages_continued": True,
                "safe_place": "at home with her mother",
            },
        }
    )
    walk.advance("identified", "protected", "2026-01-06")

    # protected -> age_verified -----------------------------------------------------------
    supplier = next_json(UNDERAGE_ID, "2026-01-07", "--role", "supplier")
    assert {a["id"] for a in supplier["actions"]} == {
        "protect-get-contacts",
        "protect-inform-parties",
    }
    inform = next(a for a in supplier["actions"] if a["id"] == "protect-inform-parties")
    assert (inform["due"], inform["overdue_days"]) == ("2026-01-06", 1)
    messages = blocker_messages(UNDERAGE_ID, "2026-01-07")
    assert any("protect-get-contacts not done" in m for m in messages)
    assert any("'age_verification' is missing" in m for m in messages)
    walk.record(["tick", "protect-get-contacts", "--by", "R. Ahmed", "--date", "2026-01-06",
                 "--as-of", "2026-01-07"])  # fmt: skip
    walk.type_in(
        {
            ("protection", "informed"): ["buyer", "provider"],
            ("age_verification",): {
                "date": "2026-01-08",
                "methods": ["document_check", "school_record"],
                "documents": [{"type": "school_record", "authentic": "yes"}],
                "result": "verified",
                "verified_age": 13,
                "birth_date": "2012-03",
                "work": "general",
                "minimum_age": 14,
                "minimum_age_decided_by": "national_law",
            },
        }
    )
    walk.advance("protected", "age_verified", "2026-01-08")

    # age_verified -> assessed ------------------------------------------------------------
    walk.blocked("2026-01-12", "age-onsite-assessment", "'assessment' is missing")
    walk.record(["tick", "age-onsite-assessment", "--by", "R. Ahmed", "--date", "2026-01-07",
                 "--as-of", "2026-01-12"])  # fmt: skip
    consent = {"services": {"given": True, "date": "2026-01-12", "how": "written"}}
    walk.type_in(
        {
            ("assessment",): {
                "date": "2026-01-12",
                "family_contacted": "2026-01-09",
                "family_reachable": True,
                "interview": {"date": "2026-01-10", "adults_present": 2, "woman_present": True},
                "child_views": "I want to go back to school.",
                "family_views": "We need the income.",
                "needs": ["school_enrolment", "stipend"],
                "consent": {"guardian": consent, "child": consent},
            },
            ("flags",): {"harassment_screened": True},
        }
    )
    walk.advance("age_verified", "assessed", "2026-01-12")

    # assessed -> plan_agreed -------------------------------------------------------------
    walk.blocked("2026-02-10", "'plan' is missing")
    walk.type_in(
        {
            ("plan",): {
                "date_signed": "2026-02-10",
                "components": [
                    {"type": "school", "description": "grade 6 at the local school"},
                    {"type": "stipend"},
                    {"type": "job_back"},
                ],
                "stipend": {
                    "amount": 4500,
                    "currency": "BDT",
                    "frequency": "monthly",
                    "payer": "supplier",
                    "first_due": "2026-03-01",
                    "lost_wage": {"amount": 4000, "currency": "BDT"},
                },
                "budget": {"amount": 80000, "currency": "BDT"},
                "cost_split": {"buyer": 60, "supplier": 40},
                "rehire_commitment": {"committed": True, "at_age": 14},
                "follow_ups": ["2026-05-10", "2026-08-10"],
                "signed_by": [
                    {"party": "family", "date": "2026-02-10"},
                    {"party": "supplier", "date": "2026-02-09"},
                    {"party": "buyer", "date": "2026-02-08"},
                ],
            }
        }
    )
    walk.advance("assessed", "plan_agreed", "2026-02-10", note="plan signed by all")

    # plan_agreed -> in_remediation -------------------------------------------------------
    walk.blocked("2026-02-15", "'implementation' is missing")
    walk.type_in({("implementation",): {"started": "2026-02-15"}})
    walk.advance("plan_agreed", "in_remediation", "2026-02-15")

    # in_remediation -> monitoring --------------------------------------------------------
    messages = blocker_messages(UNDERAGE_ID, "2026-03-05")
    assert any("impl-enrol not done" in m for m in messages)
    assert any("impl-first-stipend not done" in m for m in messages)
    walk.blocked("2026-03-05", "impl-first-stipend", "payments", "enrolled")
    walk.record(["pay", "--amount", "4500", "--currency", "BDT", "--payer", "supplier",
                 "--date", "2026-03-01", "--period", "2026-03", "--receipt", "R-0301",
                 "--as-of", "2026-03-05"])  # fmt: skip
    walk.type_in(
        {
            ("implementation", "enrolled"): {
                "date": "2026-03-02",
                "institution": "Government primary school",
                "proof": "enrolment letter",
            }
        }
    )
    walk.advance("in_remediation", "monitoring", "2026-03-05")

    # monitoring: visits and monthly stipends ---------------------------------------------
    for month, visit_day, method in (
        ("04", "2026-04-02", "unannounced"),
        ("05", "2026-05-04", "school_check"),
        ("06", "2026-06-03", "household"),
        ("07", "2026-07-02", "unannounced"),
        ("08", "2026-08-03", "announced"),
    ):
        walk.record(["pay", "--amount", "4500", "--currency", "BDT", "--payer", "supplier",
                     "--date", f"2026-{month}-01", "--period", f"2026-{month}",
                     "--receipt", f"R-{month}01", "--as-of", visit_day])  # fmt: skip
        walk.record(["visit", "--method", method, "--not-working", "--in-school",
                     "--no-hazardous-work", "--stipend-received", "--attendance", "90",
                     "--date", visit_day, "--by", "R. Ahmed", "--as-of", visit_day])  # fmt: skip
    late = next_json(UNDERAGE_ID, "2026-08-20")
    assert late["next_stage"] == "closed"
    assert all(a["overdue_days"] == 0 for a in late["actions"]), late["actions"]
    validate = run(["validate", "--as-of", "2026-08-20", "--strict"])
    assert validate.exit_code == 0, describe(validate)

    # Too early for reached_min_age: less than six months since the plan was signed.
    refused(
        ["advance", UNDERAGE_ID, "--to", "closed", "--reason", "reached_min_age",
         "--approved-by", "M. Karim", "--by", "R. Ahmed", "--note", "job-back declined",
         "--young-worker-plan", "school first", "--root-cause", "household_poverty",
         "--as-of", "2026-05-10"],
        walk.path,
        "nothing was written",
        "at least 6 months",
    )  # fmt: skip
    # Closing as reached_min_age takes a note on the job-back offer.
    refused(
        ["advance", UNDERAGE_ID, "--to", "closed", "--reason", "reached_min_age",
         "--approved-by", "M. Karim", "--by", "R. Ahmed", "--as-of", "2026-08-20"],
        walk.path,
        "closing as reached_min_age needs a note: whether the offer of the job back was "
        "honoured or declined",
        '--note "..."',
    )  # fmt: skip
    walk.record(["tick", "mon-closure-check", "--by", "R. Ahmed", "--date", "2026-08-18",
                 "--as-of", "2026-08-20"])  # fmt: skip
    walk.type_in(
        {
            ("closure",): {
                "final_status": "in school, job kept open",
                "child_views": "Yes, it was right for me.",
                "recurrence_check": "2027-02-20",
            }
        }
    )
    # At 14 she is still a child: the closure records her young-worker plan, and why she
    # was working (the playbook's closing rules).
    closure_lines = walk.advance(
        "monitoring",
        "closed",
        "2026-08-20",
        "--to", "closed", "--reason", "reached_min_age", "--approved-by", "M. Karim",
        "--young-worker-plan", "school first; before 18 only light day work, checked",
        "--root-cause", "household_poverty",
        note="reached 14; declined the job back, stays in school",
        closure=7,
    )  # fmt: skip
    assert [line.strip() for line in closure_lines] == [
        "date: '2026-08-20'",
        "reason: reached_min_age",
        "approved_by: M. Karim",
        "notes: reached 14; declined the job back, stays in school",
        "young_worker_plan: school first; before 18 only light day work, checked",
        "root_causes:",
        "- household_poverty",
    ]

    # closed ------------------------------------------------------------------------------
    final = walk.text
    assert "\nstage: closed               # moved only by 'clr advance'\n" in final
    walk.assert_original_kept()
    assert final.count("  - at: '") == 9  # the first entry and eight moves
    closed = ok(["next", UNDERAGE_ID, "--as-of", "2026-08-21"]).stdout
    assert "Checks after closure:" in closed and "due 2027-02-20" in closed
    refused(["advance", UNDERAGE_ID, "--by", "X", "--as-of", "2026-08-21"], walk.path, "clr reopen")
    for strictness in ([], ["--strict"]):
        validate = run(["validate", "--as-of", "2026-08-21", *strictness])
        assert validate.exit_code == 0, describe(validate)
    show = json.loads(ok(["show", UNDERAGE_ID, "--as-of", "2026-08-21", "--format", "json"]).stdout)
    assert show["stage"] == "closed" and show["payments"]["count"] == 6
    assert show["visits"]["count"] == 5
    assert [h["to"] for h in show["history"]] == list(vocabulary.STAGES)
    assert git(root, "status", "--porcelain").stdout == ""


def test_young_worker_walks_to_closed_hazard_removed(git_repo: Path) -> None:
    root = git_repo
    path = case_file(root, YOUNG_ID)
    path.parent.mkdir(parents=True)
    path.write_text(YOUNG_CASE, encoding="utf-8")
    commit_all(root, "hand-written young-worker case")
    walk = Walk(root, YOUNG_ID, YOUNG_CASE)

    walk.record(["tick", "report-triage", "--by", "R. Ahmed", "--as-of", "2026-02-02"])
    walk.type_in(
        {
            ("site", "supplier_id"): "SUP-7",
            ("site", "sector"): "textiles",
            ("discovery", "work"): "carrying dye drums at night",
        }
    )
    walk.advance("reported", "identified", "2026-02-02")
    walk.type_in({("discovery", "hours_per_week"): 66, ("protection",): {"wages_continued": True}})
    # The young-worker track needs the hazards removed, not all work stopped.
    messages = blocker_messages(YOUNG_ID, "2026-02-03")
    assert len(messages) == 1 and "'hazards_removed' is missing in protection" in messages[0]
    walk.type_in(
        {
            ("protection", "hazards_removed"): "2026-02-03",
            ("protection", "new_hours_per_week"): 30,
        }
    )
    walk.advance("identified", "protected", "2026-02-03")
    actions = {a["id"] for a in next_json(YOUNG_ID, "2026-02-04")["actions"]}
    assert "protect-remove-from-all-work" not in actions and "protect-safe-place" not in actions
    # A young worker is not closed as if the child had reached the minimum age.
    refused(
        ["advance", YOUNG_ID, "--to", "closed", "--reason", "reached_min_age",
         "--approved-by", "Buyer CSR", "--by", "R. Ahmed", "--note", "job kept",
         "--as-of", "2026-02-10"],
        path,
        "age_verification",
    )  # fmt: skip
    # Nor as remediated the week the hazards were removed: hazard_removed takes monitoring.
    close = ["advance", YOUNG_ID, "--to", "closed", "--reason", "hazard_removed",
             "--approved-by", "Buyer CSR", "--by", "R. Ahmed"]  # fmt: skip
    refused(
        [*close, "--as-of", "2026-02-10"],
        path,
        "cannot move from protected to closed yet",
        "closed as hazard_removed only from monitoring, and this one is in protected",
        f"clr next {YOUNG_ID}",
    )

    # protected -> ... -> monitoring: what a caseworker records for a young worker --------
    walk.record(["tick", "protect-get-contacts", "--by", "R. Ahmed", "--date", "2026-02-03",
                 "--as-of", "2026-02-10"])  # fmt: skip
    walk.type_in(
        {
            ("protection", "informed"): ["buyer", "provider"],
            ("age_verification",): {
                "date": "2026-02-10",
                "methods": ["document_check"],
                "documents": [{"type": "national_id", "authentic": "yes"}],
                "result": "verified",
                "verified_age": 16,
                "birth_date": "2009-06",
                "work": "general",
                "minimum_age": 14,
                "minimum_age_decided_by": "national_law",
            },
        }
    )
    walk.advance("protected", "age_verified", "2026-02-10")
    walk.record(["tick", "age-onsite-assessment", "--by", "R. Ahmed", "--date", "2026-02-04",
                 "--as-of", "2026-02-12"])  # fmt: skip
    consent = {"services": {"given": True, "date": "2026-02-12", "how": "written"}}
    walk.type_in(
        {
            ("assessment",): {
                "date": "2026-02-12",
                "family_contacted": "2026-02-11",
                "family_reachable": True,
                "interview": {"date": "2026-02-12", "adults_present": 2},
                "child_views": "I want to keep my job on the day shift.",
                "needs": ["other"],
                "consent": {"guardian": consent, "child": consent},
            },
            ("flags",): {"harassment_screened": True},
        }
    )
    walk.advance("age_verified", "assessed", "2026-02-12")
    walk.record(["tick", "plan-safe-job", "--by", "R. Ahmed", "--date", "2026-02-20",
                 "--as-of", "2026-02-20"])  # fmt: skip
    walk.type_in(
        {
            ("plan",): {
                "date_signed": "2026-02-20",
                "components": [{"type": "other", "description": "day-shift packing, 30 h"}],
                "safe_job": {
                    "tasks": ["packing finished cloth"],
                    "hours_per_week": 30,
                    "shift": "08:00-13:00",
                    "night_work": False,
                    "protective_equipment": [],
                },
                "budget": {"amount": 10000, "currency": "BDT"},
                "cost_split": {"supplier": 100},
                "follow_ups": ["2026-03-20"],
                "signed_by": [
                    {"party": "family", "date": "2026-02-20"},
                    {"party": "supplier", "date": "2026-02-20"},
                ],
            }
        }
    )
    walk.advance("assessed", "plan_agreed", "2026-02-20")
    walk.type_in({("implementation",): {"started": "2026-02-21"}})
    walk.advance("plan_agreed", "in_remediation", "2026-02-21")
    for item, note in (
        ("impl-safe-job", "day shift, packing, checked on the floor"),
        ("impl-enrol", "evening classes at the technical school"),
        ("impl-first-stipend", "no stipend: he keeps his full day-shift pay"),
    ):
        walk.record(["tick", item, "--by", "R. Ahmed", "--date", "2026-02-22", "--note", note,
                     "--as-of", "2026-02-22"])  # fmt: skip
    walk.type_in(
        {
            ("plan", "safe_job", "checked_by"): "R. Ahmed",
            ("plan", "safe_job", "checked_on"): "2026-02-22",
        }
    )
    walk.advance("in_remediation", "monitoring", "2026-02-23")

    # monitoring -> closed as hazard_removed -----------------------------------------------
    walk.record(["tick", "mon-closure-check", "--by", "R. Ahmed", "--date", "2026-03-24",
                 "--as-of", "2026-03-24"])  # fmt: skip
    refused(
        [*close, "--as-of", "2026-03-24"],
        path,
        "closing as hazard_removed needs 1 follow-up visit that found no hazardous work, "
        "on or after the day the case entered monitoring (2026-02-23); the case has no visit",
        f"clr visit {YOUNG_ID} --date YYYY-MM-DD --method unannounced --no-hazardous-work",
    )
    walk.record(["visit", "--method", "unannounced", "--working", "--no-hazardous-work",
                 "--date", "2026-03-24", "--by", "R. Ahmed", "--as-of", "2026-03-24"])  # fmt: skip
    closure_lines = walk.advance(
        "monitoring",
        "closed",
        "2026-03-25",
        *close[2:8],
        "--root-cause", "weak_age_checks",
        closure=7,
    )  # fmt: skip
    assert [line.strip() for line in closure_lines] == [
        "closure:",
        'date: "2026-03-25"',
        "reason: hazard_removed",
        "approved_by: Buyer CSR",
        'recurrence_check: "2026-09-25"',  # the playbook's first check after closure
        "root_causes:",
        "- weak_age_checks",
    ]
    walk.assert_original_kept()
    text = walk.text
    assert '\n- at: "2026-03-25T12:00:00Z"\n  from: monitoring\n  to: closed\n' in text
    validate = run(["validate", "--as-of", "2026-03-25"])
    assert validate.exit_code == 0, describe(validate)
