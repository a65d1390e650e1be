"""SIGKILL at random moments of every writer of clr: each file is old or new, never a part.

One process imports clr and runs one command over and over, alternating between two
variants that write different contents to the same files (two cases' reports, two
organisations for ``clr init --force``, …); it is killed at a random moment, many times.
Afterwards every file the command writes is exactly what one of the variants writes (or
absent, before the first write), or for files whose bytes vary from run to run (encrypted
identity files, SQLite, the cache) it reads back whole. Only clr's temporary names may be
left over.
"""

from __future__ import annotations

import json
import marshal
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from reliability_support import AS_OF, CASE_ID, MINIMAL_CASE, clr_env, make_repo, run_clr

from clr.cases import identity
from clr.io import atomic, cache

OTHER_ID = "CLR-2026-FGHJK"
RUNS = 8

_LOOP = """
    import json, os, sys
    import clr._entry
    variants = json.loads(sys.argv[1])
    i = 0
    while True:
        sys.argv = ["clr", *[a.replace("{i}", str(i)) for a in variants[i % len(variants)]]]
        try:
            clr._entry.main(prog_name="clr")
        except SystemExit:
            pass
        i += 1
"""


def _repo(root: Path) -> Path:
    make_repo(root, MINIMAL_CASE)
    other = root / "cases" / OTHER_ID
    other.mkdir()
    text = MINIMAL_CASE.replace(CASE_ID, OTHER_ID).replace("Factory 1", "Factory 2")
    (other / "case.yaml").write_text(text + "notes: |\n" + "  x\n" * 2000, encoding="utf-8")
    return root


def _env(tmp_path: Path) -> dict[str, str]:
    runtime = tmp_path / "runtime"
    runtime.mkdir(exist_ok=True, mode=0o700)
    return clr_env(XDG_RUNTIME_DIR=str(runtime), HOME=str(tmp_path / "home"))


def _kill_loop(
    root: Path, variants: list[list[str]], env: dict[str, str], rng: random.Random
) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(_LOOP), json.dumps(variants)],
        cwd=root,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(rng.uniform(0.4, 2.0))
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)


def _references(tmp_path: Path, variants: list[list[str]], outputs: list[str]) -> list[set[bytes]]:
    """What each variant writes to each output, from uninterrupted runs."""
    seen: list[set[bytes]] = [set() for _ in outputs]
    for number, args in enumerate(variants):
        root = _repo(tmp_path / f"reference-{number}")
        result = run_clr([a.replace("{i}", "0") for a in args], root, env=_env(tmp_path))
        assert result.code in (0, 1), result.describe()
        for i, rel in enumerate(outputs):
            seen[i].add((root / rel).read_bytes())
        shutil.rmtree(root)
    return seen


def _only_clr_temporaries(root: Path) -> None:
    for path in root.rglob(".*"):
        if path.name in (".clr-cache", ".gitignore", ".gitattributes", ".gitkeep", ".yamllint"):
            continue
        if ".clr-cache" in path.parts or ".clr" in path.parts or ".github" in path.parts:
            continue
        if path.name.startswith(".pre-commit"):
            continue
        assert atomic.is_temporary(path.name) or atomic.is_temporary(path.parent.name), path


def _byte_writer(tmp_path: Path, variants: list[list[str]], outputs: list[str]) -> None:
    refs = _references(tmp_path, variants, outputs)
    rng = random.Random(len(outputs) * 7 + len(variants[0]))
    root = _repo(tmp_path / "repo")
    for _ in range(RUNS):
        _kill_loop(root, variants, _env(tmp_path), rng)
        for i, rel in enumerate(outputs):
            path = root / rel
            if path.exists():
                assert path.read_bytes() in refs[i], f"{rel}: partial or mixed after SIGKILL"
        _only_clr_temporaries(root)


INIT = ["init", ".", "--prefix", "CLR", "--force", "--no-git", "--no-input"]
# Case files named, not the repository: a leftover of a killed run would be a finding.
VALIDATE = ["validate", "--as-of", AS_OF, f"cases/{CASE_ID}/case.yaml", "--output", "v.out"]
REPORT = ["report", "{case}", "--as-of", AS_OF, "--output", "report.md"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("variants", "outputs"),
    [
        (
            [
                [a.replace("{case}", CASE_ID) for a in REPORT],
                [a.replace("{case}", OTHER_ID) for a in REPORT],
            ],
            ["report.md"],
        ),
        (
            [
                [*VALIDATE, "--format", "json"],
                # Not sarif or junit: they record the time of the run, so no two runs agree.
                [*VALIDATE, "--format", "gitlab"],
            ],
            ["v.out"],
        ),
        (
            [
                ["export", "--csv", "csv", f"cases/{CASE_ID}", "--as-of", AS_OF],
                ["export", "--csv", "csv", f"cases/{OTHER_ID}", "--as-of", AS_OF],
            ],
            ["csv/cases.csv", "csv/history.csv"],
        ),
        (
            [
                [*INIT, "--org", "One"],
                [*INIT, "--org", "Two Two Two"],
            ],
            ["clr.yaml", ".gitignore", ".pre-commit-config.yaml", ".clr/schemas/case.schema.json"],
        ),
    ],
    ids=["report-output", "validate-output", "export-csv", "init"],
)
def test_sigkill_leaves_each_output_old_or_new(
    tmp_path: Path, variants: list[list[str]], outputs: list[str]
) -> None:
    _byte_writer(tmp_path, variants, outputs)


def _readable_writer(
    tmp_path: Path, variants: list[list[str]], check: Callable[[Path], None], env: dict[str, str]
) -> None:
    rng = random.Random(len(variants[0]))
    root = _repo(tmp_path / "repo")
    check(root)  # also sets up what the command needs (recipients)
    for _ in range(RUNS):
        _kill_loop(root, variants, env, rng)
        check(root)
        _only_clr_temporaries(root)


@pytest.mark.slow
def test_sigkill_during_export_sqlite_leaves_a_whole_database(tmp_path: Path) -> None:
    variants = [
        ["export", "--sqlite", "out.db", f"cases/{CASE_ID}", "--as-of", AS_OF],
        ["export", "--sqlite", "out.db", f"cases/{OTHER_ID}", "--as-of", AS_OF],
    ]

    def check(root: Path) -> None:
        db = root / "out.db"
        if db.exists():
            with sqlite3.connect(db) as connection:
                assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
                ids = [r[0] for r in connection.execute("SELECT DISTINCT case_id FROM history")]
            assert ids in ([CASE_ID], [OTHER_ID]), ids

    _readable_writer(tmp_path, variants, check, _env(tmp_path))


@pytest.mark.slow
def test_sigkill_during_validate_leaves_a_whole_cache(tmp_path: Path) -> None:
    # --as-of changes the cache's key, so each run writes the whole cache again.
    variants = [["validate", "--as-of", AS_OF], ["validate", "--as-of", "2026-03-03"]]

    def check(root: Path) -> None:
        path = root / cache.CACHE_DIR / "validate.results"
        if path.exists():
            head, _, body = path.read_bytes().partition(b"\n")
            assert json.loads(head)["checksum"] == cache.checksum(body)
            marshal.loads(body)

    _readable_writer(tmp_path, variants, check, _env(tmp_path))


@pytest.mark.slow
def test_sigkill_during_new_case_leaves_whole_cases_only(tmp_path: Path) -> None:
    flags = ["--site", "S", "--country", "BD", "--channel", "audit", "--pseudonym", "P",
             "--sex", "male", "--by", "X", "--as-of", AS_OF, "--no-input"]  # fmt: skip
    variants = [["new-case", *flags]]

    def check(root: Path) -> None:
        result = run_clr(["validate", "--as-of", AS_OF, "--format", "json"], root)
        assert result.code == 0, result.describe()
        codes = {f["code"] for r in json.loads(result.stdout)["files"] for f in r["findings"]}
        assert codes <= {"CLR405"}, result.describe()

    _readable_writer(tmp_path, variants, check, _env(tmp_path))


@pytest.mark.slow
def test_sigkill_during_identity_set_leaves_a_whole_identity_file(tmp_path: Path) -> None:
    key = identity.generate_key(tmp_path / "keys" / "me.txt")
    env = {**_env(tmp_path), "CLR_IDENTITY_FILE": str(key.path)}
    variants = [
        ["identity", "set", CASE_ID, "--name", "Name One"],
        ["identity", "set", CASE_ID, "--name", "Name Two " + "y" * 3000],
    ]
    keys = identity.load_keys(key.path)

    def check(root: Path) -> None:
        config = root / "clr.yaml"
        if "recipients" not in config.read_text(encoding="utf-8"):
            with config.open("a", encoding="utf-8") as handle:
                handle.write(f"recipients:\n  - {key.public}\n")
        path = root / "cases" / CASE_ID / identity.IDENTITY_FILE
        if path.exists():
            text = identity.decrypt_text(path.read_bytes(), keys, str(path))
            assert "Name One" in text or "Name Two" in text

    _readable_writer(tmp_path, variants, check, env)


@pytest.mark.slow
def test_sigkill_during_keygen_leaves_no_partial_key(tmp_path: Path) -> None:
    variants = [["keygen", "--output", str(tmp_path / "keys" / "k{i}.txt")]]
    rng = random.Random(3)
    root = _repo(tmp_path / "repo")
    written = 0
    for run in range(RUNS):
        keys = tmp_path / "keys"
        shutil.rmtree(keys, ignore_errors=True)
        _kill_loop(root, variants, _env(tmp_path), rng)
        if not keys.is_dir():
            continue  # a busy machine: killed before the first key was begun
        for path in keys.glob("k*.txt"):
            lines = path.read_text(encoding="ascii").splitlines()
            assert len(lines) == 3 and lines[2].startswith("AGE-SECRET-KEY-1"), (run, lines)
            assert path.stat().st_mode & 0o777 == 0o600
            written += 1
        for path in keys.iterdir():
            assert path.name.startswith("k") or atomic.is_temporary(path.name), path
    assert written, "no run got as far as writing a key: the kills tested nothing"
