"""Time ``clr status``, ``stats``, ``agenda`` and ``dashboard`` as whole processes over cases.

    python benchmarks/bulk.py [--quick] [--sizes 1000,10000] [--runs N] [--jobs N] [--json OUT]

For each size it generates a case repository with benchmarks/generate.py (cached under
benchmarks/out/, shared with benchmarks/run.py), checks that ``clr status --format json``
lists every case, then times ``clr status DIR --format json`` and ``clr stats DIR --format
json``, ``clr agenda DIR --format json`` and ``clr dashboard DIR --output TMP`` warm (after
one untimed run, so the files are in the OS cache), and ``clr agenda`` cold too (its result
cache removed before each run). It prints a Markdown table with medians, the spread, peak
memory and the target for 10,000 cases (under 1 s; the dashboard under 2 s), and the size
of the dashboard's page (target: under 1 MB).

``--quick`` (for CI): 500 cases, one run of each command. The exit code is 0 unless a
command fails or gives a wrong answer: the timings are reported, not judged.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from subprocess import DEVNULL

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
OUT = BENCH / "out"
GENERATOR = BENCH / "generate.py"
SEED = 1
QUICK_SIZE = 500
TARGET_SIZE = 10_000
TARGET_SECONDS = 1.0
TARGET_SECONDS_FOR = {"dashboard": 2.0}
TARGET_PAGE_BYTES = 1_000_000
AS_OF = "2026-11-01"  # after the generator's last date, so every run answers the same
TIME = Path("/usr/bin/time")


@dataclass
class Row:
    command: str
    size: int
    median: float
    low: float
    high: float
    runs: int
    peak_mb: float | None
    target: str
    limit: float = TARGET_SECONDS


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def clr_executable() -> str:
    beside = Path(sys.executable).parent / "clr"
    found = str(beside) if beside.is_file() else shutil.which("clr")
    if not found:
        raise SystemExit("clr is not installed in this environment (pip install -e .)")
    return found


def generator_digest() -> str:
    return hashlib.blake2b(GENERATOR.read_bytes(), digest_size=8).hexdigest()


def ensure_repository(size: int, seed: int) -> Path:
    """The repository of ``size`` generated cases, made once (same layout as run.py)."""
    repo = OUT / f"repo-{size}-s{seed}"
    stamp = OUT / f"repo-{size}-s{seed}.stamp"
    wanted = f"{size} {seed} {generator_digest()}"
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == wanted and repo.is_dir():
        return repo
    log(f"generating {size:,} cases in {repo.relative_to(ROOT)}")
    OUT.mkdir(parents=True, exist_ok=True)
    stamp.unlink(missing_ok=True)
    shutil.rmtree(repo, ignore_errors=True)
    command = [sys.executable, str(GENERATOR), str(repo), "--cases", str(size)]
    subprocess.run([*command, "--seed", str(seed)], check=True)
    stamp.write_text(wanted, encoding="utf-8")
    return repo


def site_folder(repo: Path) -> Path:
    """Where the timed dashboard is written (beside the generated repository)."""
    return repo.parent / f"{repo.name}-dashboard"


def commands(clr: str, repo: Path, jobs: int | None) -> dict[str, list[str]]:
    extra = ["--as-of", AS_OF, *(["--jobs", str(jobs)] if jobs else [])]
    site = str(site_folder(repo))
    return {
        "status": [clr, "status", str(repo), "--format", "json", *extra],
        "stats": [clr, "stats", str(repo), "--format", "json", *extra],
        "agenda": [clr, "agenda", str(repo), "--format", "json", *extra],
        "dashboard": [clr, "dashboard", str(repo), "--output", site, *extra],
    }


def page_sizes(repo: Path) -> dict[str, int]:
    """The size in bytes of every file of the dashboard written last."""
    site = site_folder(repo)
    return {p.name: p.stat().st_size for p in sorted(site.iterdir()) if p.is_file()}


def check_answers(clr: str, repo: Path, size: int) -> None:
    """Stop unless clr status lists every case and clr stats counts them all."""
    argv = commands(clr, repo, None)
    status = subprocess.run(argv["status"], capture_output=True, text=True)
    stats = subprocess.run(argv["stats"], capture_output=True, text=True)
    for name, done in (("status", status), ("stats", stats)):
        if done.returncode != 0:
            raise SystemExit(f"clr {name} exited with {done.returncode}:\n{done.stderr[:2000]}")
    agenda = subprocess.run(argv["agenda"], capture_output=True, text=True)
    if agenda.returncode != 0 or json.loads(agenda.stdout)["failed"]:
        raise SystemExit(f"clr agenda exited with {agenda.returncode}:\n{agenda.stderr[:2000]}")
    dashboard = subprocess.run(argv["dashboard"], capture_output=True, text=True)
    if dashboard.returncode != 0 or not (site_folder(repo) / "index.html").is_file():
        raise SystemExit(f"clr dashboard exited with {dashboard.returncode}:\n{dashboard.stderr}")
    listed = json.loads(status.stdout)
    counted = json.loads(stats.stdout)["total"]["figures"]["cases"]
    if listed["count"] != size or listed["failed"] or counted != size:
        raise SystemExit(
            f"expected {size} cases; status listed {listed['count']} "
            f"({listed['failed']} failed), stats counted {counted}"
        )


def time_with_hyperfine(argv: list[str], runs: int) -> list[float]:
    with tempfile.TemporaryDirectory() as tmp:
        export = Path(tmp) / "out.json"
        command = ["hyperfine", "--runs", str(runs), "--warmup", "1", "--shell", "none"]
        command += ["--style", "none", "--export-json", str(export), subprocess.list2cmdline(argv)]
        subprocess.run(command, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        return [float(t) for t in json.loads(export.read_text())["results"][0]["times"]]


def time_with_loop(argv: list[str], runs: int) -> list[float]:
    times = []
    for i in range(runs + 1):  # the first run warms the OS file cache and is not counted
        start = time.perf_counter()
        # stderr too: clr dashboard says where it wrote the page
        subprocess.run(argv, check=True, cwd=ROOT, stdout=DEVNULL, stderr=DEVNULL)
        if i:
            times.append(time.perf_counter() - start)
    return times


def time_cold(argv: list[str], runs: int, cache_file: Path) -> list[float]:
    """Times of runs each started without the command's result cache."""
    times = []
    for _ in range(runs):
        cache_file.unlink(missing_ok=True)
        start = time.perf_counter()
        subprocess.run(argv, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return times


def peak_memory_mb(argv: list[str]) -> float | None:
    """Peak resident memory of the process and its children (GNU time's %M), or None."""
    if not TIME.exists():
        return None
    done = subprocess.run(
        [str(TIME), "-f", "%M", *argv], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        return int(done.stderr.strip().splitlines()[-1]) / 1024
    except (ValueError, IndexError):
        return None


PAGES: list[tuple[int, str, int]] = []
"""The dashboard's files measured: cases, file name, bytes."""


def measure(sizes: Sequence[int], runs: int | None, jobs: int | None) -> list[Row]:
    clr = clr_executable()
    use_hyperfine = shutil.which("hyperfine") is not None
    rows = []
    for size in sizes:
        repo = ensure_repository(size, SEED)
        check_answers(clr, repo, size)
        count = runs if runs is not None else (5 if size <= 1_000 else 3)
        for name, argv in commands(clr, repo, jobs).items():
            log(f"timing clr {name} over {size:,} cases ({count} runs)")
            times = (time_with_hyperfine if use_hyperfine else time_with_loop)(argv, count)
            limit = TARGET_SECONDS_FOR.get(name, TARGET_SECONDS)
            target = f"< {limit:g} s" if size == TARGET_SIZE else ""
            rows.append(
                Row(
                    f"clr {name} --output DIR"
                    if name == "dashboard"
                    else f"clr {name} --format json",
                    size,
                    statistics.median(times),
                    min(times),
                    max(times),
                    len(times),
                    peak_memory_mb(argv),
                    target,
                    limit,
                )
            )
        PAGES.extend((size, name, count) for name, count in page_sizes(repo).items())
        argv = commands(clr, repo, jobs)["agenda"]
        log(f"timing clr agenda cold over {size:,} cases ({count} runs)")
        times = time_cold(argv, count, repo / ".clr-cache" / "agenda.json")
        rows.append(
            Row(
                "clr agenda --format json (cold)",
                size,
                statistics.median(times),
                min(times),
                max(times),
                len(times),
                None,
                "",
            )
        )
    return rows


def markdown(rows: Sequence[Row]) -> str:
    lines = [
        "| command | cases | median | min – max | runs | peak memory | target |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        memory = f"{r.peak_mb:.0f} MB" if r.peak_mb is not None else "–"
        verdict = ""
        if r.target:
            verdict = f"{r.target}: {'met' if r.median < r.limit else 'not met'}"
        lines.append(
            f"| `{r.command}` | {r.size:,} | {r.median:.2f} s | {r.low:.2f} – {r.high:.2f} s "
            f"| {r.runs} | {memory} | {verdict} |"
        )
    for size, name, count in PAGES:
        verdict = "met" if count < TARGET_PAGE_BYTES else "not met"
        lines.append(
            f"| dashboard page `{name}` | {size:,} | {count / 1000:,.0f} KB | | | | "
            f"< {TARGET_PAGE_BYTES / 1_000_000:g} MB: {verdict} |"
        )
    machine = f"{platform.python_implementation()} {platform.python_version()}, "
    machine += f"{os.cpu_count()} CPUs, {platform.system()} {platform.release()}"
    return "\n".join(lines) + f"\n\n{machine}; warm OS file cache and result cache (.clr-cache/).\n"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="500 cases, one run (CI)")
    parser.add_argument("--sizes", help="comma-separated case counts (default 1000,10000)")
    parser.add_argument("--runs", type=int, help="timed runs per command (default 5, or 3)")
    parser.add_argument("--jobs", type=int, help="pass --jobs N to clr (default: one per core)")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.quick:
        sizes, runs = [QUICK_SIZE], 1
    else:
        sizes = [int(s) for s in (args.sizes or "1000,10000").split(",")]
        runs = args.runs
    rows = measure(sizes, runs, args.jobs)
    print(markdown(rows))
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in rows], indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
