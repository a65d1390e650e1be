"""Start-up of clr in instructions: ``--help``, ``next CASE`` and ``advance CASE``.

    python benchmarks/startup.py [--json OUT]

Each command runs once under ``valgrind --tool=callgrind``, which counts the instructions
of the process: the same count whatever else the machine is doing (wall time on a shared
machine swings with the load). The figures are ratios to ``python -c "import typer"``,
against the targets of benchmarks/README.md. Without valgrind the script says so and
exits 0 (benchmarks/run.py times the same commands in seconds).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as harness

TARGETS = {"--help": 1.3, "next": 2.0, "advance": 2.0}


def instructions(argv: list[str], cwd: Path) -> int:
    """The instructions one run of ``argv`` executes, as callgrind counts them."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        done = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *argv],
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        raise SystemExit(f"callgrind gave no count for {argv}: {done.stderr[-500:]}")
    return int(found.group(1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        print("valgrind is not installed: no instruction counts (apt-get install valgrind)")
        return 0
    python, clr = harness.venv_tool("python"), harness.venv_tool("clr")
    harness.compile_bytecode(python)
    repo = harness.one_case_repository()
    case = f"cases/{harness.ONE_CASE}/case.yaml"
    original = repo / f"{case}.orig"
    commands = {
        "import typer": [python, "-c", "import typer"],
        "--help": [clr, "--help"],
        "next": [clr, "next", case],
        "advance": [clr, "advance", case, "--by", "benchmark", "--as-of", "2026-11-20"],
    }
    counts = {}
    for name, command in commands.items():
        counts[name] = instructions(command, repo)
        shutil.copy2(original, repo / case)
    reference = counts["import typer"]
    print("| command | instructions | ratio to import typer | target |")
    print("|---|---:|---:|---|")
    print(f'| python -c "import typer" | {reference / 1e6:.0f} M | 1 | — |')
    for name, limit in TARGETS.items():
        ratio = counts[name] / reference
        status = "PASS" if ratio <= limit else "FAIL"
        label = f"clr {name}" + (" CASE" if name != "--help" else "")
        print(f"| {label} | {counts[name] / 1e6:.0f} M | {ratio:.2f}x | ≤ {limit}x: {status} |")
    if args.json:
        args.json.write_text(json.dumps(counts, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
