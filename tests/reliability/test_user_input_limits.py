"""Input past the limits of Python or the file system is a user error, never "a bug in clr".

A 5,000-character CASE argument (a name too long for the file system), a path through a
loop of symbolic links or through a file, a folder where a file is to be written, a
number of 5,000 digits (past Python's limit on int conversion) or past the largest float:
each ends with exit 1 (or 2) and a message, on every path argument of every command.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from reliability_support import AS_OF, CASE_ID, MINIMAL_CASE, ForkServer, Result, make_repo

from clr.io import yamlio

LONG_NAME = "A" * 5000
DEEP_PATH = "a/" * 2100 + "x"  # over PATH_MAX (4,096 bytes)

# Commands with a path (or CASE) argument; {P} is the bad path.
COMMANDS = [
    ["show", "{P}"],
    ["next", "{P}"],
    ["report", "{P}"],
    ["advance", "{P}"],
    ["tick", "{P}", "report-triage", "--by", "Officer"],
    ["visit", "{P}", "--working"],
    ["reopen", "{P}"],
    ["identity", "show", "{P}"],
    ["validate", "{P}"],
    ["status", "{P}"],
    ["stats", "{P}"],
    ["export", "{P}", "--csv", "out"],
    ["migrate", "{P}"],
]
OUTPUTS = [  # files written (a link at the path itself is replaced, not followed)
    ["export", "--sqlite", "{P}"],
    ["report", CASE_ID, "-o", "{P}"],
    ["identity", "show", CASE_ID, "--identity-file", "{P}"],
]
BAD_PATHS = {
    "name-too-long": LONG_NAME,
    "path-too-long": DEEP_PATH,
    "link-loop": "loop/case.yaml",
    "self-link": "loop",
    "through-a-file": "clr.yaml/x",
    "a-folder": "cases",
}


@pytest.fixture(scope="module")
def run() -> Iterator[Callable[..., Result]]:
    server = ForkServer([["validate"], ["status"], ["show", CASE_ID]])
    yield server.run
    server.close()


def _repo(tmp_path: Path) -> Path:
    root = make_repo(tmp_path / "repo", MINIMAL_CASE)
    (root / "loop").symlink_to("loop")
    return root


def _check(result: Result) -> None:
    assert not result.timed_out, result.describe()
    assert "Traceback" not in result.output, result.describe()
    assert "internal error" not in result.output, result.describe()
    assert result.code in (1, 2), result.describe()
    assert result.output.strip(), result.describe()  # a message


@pytest.mark.parametrize("kind", sorted(BAD_PATHS))
def test_every_path_argument_past_the_file_systems_limits(
    tmp_path: Path, run: Callable[..., Result], kind: str
) -> None:
    root = _repo(tmp_path)
    before = (root / "cases" / CASE_ID / "case.yaml").read_bytes()
    # a folder is a fine thing to read cases from: only outputs refuse it
    templates = {"a-folder": OUTPUTS, "self-link": COMMANDS}.get(kind, [*COMMANDS, *OUTPUTS])
    for template in templates:
        args = [BAD_PATHS[kind] if a == "{P}" else a for a in template]
        result = run([*args, "--as-of", AS_OF] if args[0] != "identity" else args, root)
        _check(result)
        if template in COMMANDS:
            assert len(result.stderr) < 2000, result.describe()  # a long name is shortened
    assert (root / "cases" / CASE_ID / "case.yaml").read_bytes() == before


def test_a_long_case_argument_names_the_problem(tmp_path: Path, run: Callable[..., Result]) -> None:
    result = run(["show", LONG_NAME], _repo(tmp_path))
    _check(result)
    assert "too long" in result.stderr
    assert "5,000 characters" in result.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root may read any folder")
def test_an_unreadable_folder_is_a_user_error(tmp_path: Path, run: Callable[..., Result]) -> None:
    root = _repo(tmp_path)
    locked = root / "cases" / CASE_ID
    locked.chmod(0)
    try:
        for args in (["show", CASE_ID], ["validate"], ["status"], ["export", "--csv", "out"]):
            _check(run([*args, "--as-of", AS_OF], root))
    finally:
        locked.chmod(0o755)


NUMBERS = {
    "5000-digit-int": "1" * 5000,
    "5000-digit-negative-int": "-" + "9" * 5000,
    "5000-digit-float": "1" * 5000 + ".5",
    "float-past-the-largest": "1e999",
    "negative-float-past-the-largest": "-2e400",
}


@pytest.mark.parametrize("number", sorted(NUMBERS))
def test_huge_numbers_in_a_case_file_are_findings_at_their_line(
    tmp_path: Path, run: Callable[..., Result], number: str
) -> None:
    text = MINIMAL_CASE + f"notes: {NUMBERS[number]}\n"
    root = make_repo(tmp_path / "repo", text)
    line = text.count("\n")
    for args in (["validate"], ["show", CASE_ID], ["status"], ["export", "--csv", "out"]):
        result = run([*args, "--as-of", AS_OF], root)
        _check(result)
        assert "case.yaml" in result.output, result.describe()
    result = run(["validate", "--as-of", AS_OF], root)
    assert f"case.yaml:{line}:" in result.output, result.describe()
    assert "too large to read" in result.output, result.describe()


@pytest.mark.parametrize("number", sorted(NUMBERS))
def test_huge_numbers_given_as_text_are_a_user_error_or_written_quoted(
    tmp_path: Path, run: Callable[..., Result], number: str
) -> None:
    root = make_repo(tmp_path / "repo", MINIMAL_CASE)
    value = NUMBERS[number]
    for args in (
        ["tick", CASE_ID, "report-triage", "--by", "Officer", "--note", value],
        ["visit", CASE_ID, "--working", "--note", value],
    ):
        result = run([*args, "--as-of", AS_OF], root)
        if result.code != 0:
            _check(result)  # refused (the privacy lint sees an ID number): a clear error
            continue
        loaded = yamlio.read_file(root / "cases" / CASE_ID / "case.yaml")
        assert not loaded.findings, loaded.findings  # written: it reads back as the text
        assert value in str(loaded.data)


@pytest.mark.parametrize(
    "args",
    [
        ["identity", "set", CASE_ID, "--name", b"Ra\xffhima"],
        ["set", CASE_ID, b"discovery.work=sew\xe9ing"],
        ["new-case", "--no-input", "--site", b"Sunrise \xff", "--country", "BD"],
        ["validate", b"cases/\xff"],
    ],
    ids=["identity-set", "set", "new-case", "validate"],
)
def test_an_argument_that_is_not_utf8_is_refused_at_the_door(
    tmp_path: Path, args: list[str | bytes]
) -> None:
    import subprocess
    import sys

    root = make_repo(tmp_path / "repo", MINIMAL_CASE)
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    argv = [os.fsencode(sys.executable), b"-m", b"clr"] + [
        a if isinstance(a, bytes) else a.encode() for a in args
    ]
    result = subprocess.run(argv, cwd=root, capture_output=True, timeout=60, check=False)
    stderr = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 2, stderr
    assert "is not UTF-8 text" in stderr and "Traceback" not in stderr
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before
