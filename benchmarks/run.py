"""Time clr as whole processes, side by side with check-jsonschema and ``import typer``.

    python benchmarks/run.py [--quick] [--sizes 1000,10000] [--runs N] [--json OUT]

For each size it generates a case repository (cached under benchmarks/out/), then times
``clr validate`` (cold: no result cache; warm: nothing changed since the last run, when
clr has a cache), ``check-jsonschema`` over the same files and base schema, and the
start-up of ``clr --help``, ``clr --version``, ``clr next CASE`` and ``clr advance CASE``
(one example case) against ``python -c "import typer"``.
It prints a Markdown table with medians, ratios, peak memory and the targets.

``--quick`` (for CI): 500 cases, one run of each validate command; exits 1 when the cold
validate ratio or a start-up ratio is worse than three times its target (the warm figure is
left out: at a few hundred cases start-up dominates it). Otherwise the exit code is 0.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
OUT = BENCH / "out"
GENERATOR = BENCH / "generate.py"
SCHEMA = Path("schemas") / "case.schema.json"
BASELINE_VENV = OUT / "baseline-venv"
SEED = 1
QUICK_SIZE = 500
QUICK_MARGIN = 3.0
TARGET_SIZE = 10_000
ARGV_LIMIT = 1_500_000  # bytes of file names per check-jsonschema call (Linux allows ~2 MB)
TIME = Path("/usr/bin/time")


@dataclass(frozen=True)
class Target:
    """A figure's goal: a ratio to a reference command, or an absolute bound."""

    key: str
    label: str
    limit: float
    unit: str  # "x" (ratio) or "s" or "MB"
    ratio: bool = True


TARGETS = {
    "validate_cold": Target("validate_cold", "validate, cold", 0.10, "x"),
    "validate_warm": Target("validate_warm", "validate, nothing changed", 0.02, "x"),
    "validate_warm_abs": Target("validate_warm_abs", "validate, nothing changed", 1.0, "s", False),
    "help": Target("help", "clr --help", 1.3, "x"),
    "version": Target("version", "clr --version", 1.3, "x"),
    "next": Target("next", "clr next CASE", 2.0, "x"),
    "advance": Target("advance", "clr advance CASE", 2.0, "x"),
    "memory": Target("memory", "peak memory, validate", 300.0, "MB", False),
}


@dataclass
class Bench:
    """One command to time."""

    key: str
    label: str
    command: list[str]  # argv; a shell string when ``shell`` is true
    shell: bool = False
    warmup: int = 0
    runs: int = 1
    prepare: str = ""  # a shell command run before each run (not timed)

    @property
    def display(self) -> str:
        return self.command[0] if self.shell else shlex.join(self.command)


@dataclass
class Timing:
    """Whole-process wall-clock times of one command, in seconds."""

    median: float
    mean: float
    min: float
    max: float
    runs: int


@dataclass
class Row:
    """A line of the results table."""

    figure: str
    cases: int | None
    value: float
    unit: str  # "s" or "MB"
    ratio: float | None = None
    ratio_to: str = ""
    target: str = ""
    status: str = ""
    timing: Timing | None = None


@dataclass
class Tools:
    """The programs being compared."""

    python: str
    clr: str
    check_jsonschema: str
    baseline_python: str
    clib: bool
    hyperfine: str | None
    cache: bool


@dataclass
class Results:
    """Everything measured in one run."""

    rows: list[Row] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------
# Set-up: the tools, the baseline and the case repositories.


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def venv_tool(name: str) -> str:
    """A program from this interpreter's environment, else from PATH."""
    beside = Path(sys.executable).parent / name
    if beside.is_file():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} not found: activate the project's virtualenv first")
    return found


def interpreter_of(script: str) -> str:
    """The Python a console script runs with (from its #! line)."""
    try:
        first = Path(script).read_text(encoding="utf-8", errors="replace").splitlines()[0]
    except (OSError, IndexError):
        return sys.executable
    return first[2:].strip().split()[0] if first.startswith("#!") else sys.executable


def has_clib(python: str) -> bool:
    """True if ruamel.yaml in ``python`` has its C parser (package ruamel.yaml.clib)."""
    probe = "import _ruamel_yaml, ruamel.yaml.main as m; assert m.CParser is not None"
    return subprocess.run([python, "-c", probe], capture_output=True).returncode == 0


def check_jsonschema_version(python: str) -> str:
    probe = "import importlib.metadata as m; print(m.version('check-jsonschema'))"
    done = subprocess.run([python, "-c", probe], capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else ""


def make_baseline(version: str) -> Path | None:
    """A virtualenv under benchmarks/out/ with check-jsonschema and ruamel.yaml.clib."""
    log(f"setting up {BASELINE_VENV.relative_to(ROOT)} (check-jsonschema with ruamel.yaml.clib)")
    pinned = f"check-jsonschema=={version}" if version else "check-jsonschema"
    try:
        subprocess.run([sys.executable, "-m", "venv", str(BASELINE_VENV)], check=True)
        pip = [str(BASELINE_VENV / "bin" / "python"), "-m", "pip", "install", "-q"]
        subprocess.run([*pip, pinned, "ruamel.yaml.clib"], check=True)
    except (OSError, subprocess.CalledProcessError) as error:
        log(f"could not set up the baseline: {error}")
        return None
    return BASELINE_VENV / "bin" / "check-jsonschema"


def find_baseline(choice: str) -> str:
    """check-jsonschema to compare with: with ruamel.yaml.clib whenever it can be had."""
    if choice not in ("auto", "venv"):
        return choice
    installed = venv_tool("check-jsonschema")
    if has_clib(interpreter_of(installed)) or choice == "venv":
        return installed
    ready = BASELINE_VENV / "bin" / "check-jsonschema"
    if ready.is_file() and has_clib(str(BASELINE_VENV / "bin" / "python")):
        return str(ready)
    made = make_baseline(check_jsonschema_version(interpreter_of(installed)))
    return str(made) if made is not None else installed


def find_tools(args: argparse.Namespace) -> Tools:
    clr = venv_tool("clr")
    baseline = find_baseline(args.check_jsonschema)
    baseline_python = interpreter_of(baseline)
    hyperfine = None if args.no_hyperfine else shutil.which("hyperfine")
    return Tools(
        python=venv_tool("python"),
        clr=clr,
        check_jsonschema=baseline,
        baseline_python=baseline_python,
        clib=has_clib(baseline_python),
        hyperfine=hyperfine,
        cache=supports_cache(clr),
    )


def supports_cache(clr: str) -> bool:
    """True once ``clr validate`` has a result cache (it then offers --no-cache)."""
    done = subprocess.run([clr, "validate", "--help"], capture_output=True, text=True)
    return "--no-cache" in done.stdout


def generator_digest() -> str:
    return hashlib.blake2b(GENERATOR.read_bytes(), digest_size=8).hexdigest()


def ensure_repository(size: int, seed: int) -> Path:
    """The case repository for ``size`` cases, generated once and reused."""
    repo = OUT / f"repo-{size}-s{seed}"
    stamp = OUT / f"repo-{size}-s{seed}.stamp"
    wanted = f"{size} {seed} {generator_digest()}"
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == wanted and repo.is_dir():
        return repo
    log(f"generating {size:,} cases in {repo.relative_to(ROOT)}")
    stamp.unlink(missing_ok=True)
    shutil.rmtree(repo, ignore_errors=True)
    command = [sys.executable, str(GENERATOR), str(repo), "--cases", str(size)]
    subprocess.run([*command, "--seed", str(seed)], check=True)
    stamp.write_text(wanted, encoding="utf-8")
    return repo


def check_clean(tools: Tools, repo: Path) -> None:
    """Stop unless clr finds nothing at all in the generated cases (this run also fills
    the result cache for the warm figure)."""
    log(f"checking that clr finds nothing in {rel(repo)}")
    command = [tools.clr, "validate", "--strict", "--quiet", rel(repo)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        shown = "\n".join(done.stdout.splitlines()[:30])
        raise SystemExit(
            f"{shlex.join(command)} exited with {done.returncode}:\n{shown}\n"
            "the generated cases no longer pass clr validate: update benchmarks/generate.py"
        )


# ---------------------------------------------------------------------------------------
# The commands.


def rel(path: Path) -> str:
    """A path relative to the project (commands run there, which keeps argv short)."""
    return os.path.relpath(path, ROOT)


def case_globs(repo: Path) -> list[str]:
    """Shell globs for the case files, split so that no call passes more than ARGV_LIMIT."""
    names = sorted(p.name for p in (repo / "cases").iterdir() if (p / "case.yaml").is_file())
    size = sum(len(rel(repo / "cases" / n / "case.yaml")) + 1 for n in names)
    if size <= ARGV_LIMIT:
        return [f"{rel(repo)}/cases/*/case.yaml"]
    # Split by the id's first random character: BEN-2026-0*, BEN-2026-1*, ...
    heads = sorted({n[: n.rindex("-") + 2] for n in names})
    return [f"{rel(repo)}/cases/{head}*/case.yaml" for head in heads]


def check_jsonschema_command(tools: Tools, repo: Path) -> str:
    base = f"{shlex.quote(tools.check_jsonschema)} --schemafile {SCHEMA}"
    return " && ".join(f"{base} {glob}" for glob in case_globs(repo))


def validate_benches(tools: Tools, repo: Path, size: int, runs: int) -> list[Bench]:
    clr = shlex.quote(tools.clr)
    cold = (
        f"{clr} validate --no-cache {rel(repo)}" if tools.cache else f"{clr} validate {rel(repo)}"
    )
    benches = [
        Bench("validate_cold", "clr validate, cold", [cold], shell=True, runs=runs),
        Bench(
            "check_jsonschema",
            "check-jsonschema",
            [check_jsonschema_command(tools, repo)],
            shell=True,
            runs=runs,
        ),
    ]
    # Warm slot: "nothing changed since the last run". Needs the result cache, which clr
    # has once `clr validate --help` offers --no-cache; the warm-up run fills the cache.
    if tools.cache:
        warm = f"{clr} validate {rel(repo)}"
        benches.append(
            Bench("validate_warm", "clr validate, nothing changed", [warm], True, 1, runs)
        )
    return benches


ONE_CASE = "EXR-2026-7KQ3M"  # an example case in stage reported, ready to move on


def one_case_repository() -> Path:
    """A repository holding one example case, for clr next and clr advance."""
    repo = OUT / "one-case"
    shutil.rmtree(repo, ignore_errors=True)
    (repo / "cases").mkdir(parents=True)
    shutil.copy2(ROOT / "examples" / "clr.yaml", repo / "clr.yaml")
    shutil.copytree(ROOT / "examples" / "cases" / ONE_CASE, repo / "cases" / ONE_CASE)
    case = repo / "cases" / ONE_CASE / "case.yaml"
    shutil.copy2(case, case.with_name("case.yaml.orig"))
    return repo


def compile_bytecode(python: str) -> None:
    """Write clr's bytecode, as installing a package does (an editable install does not,
    and PYTHONDONTWRITEBYTECODE would leave every run compiling clr's source again)."""
    code = (
        "import clr, compileall, pathlib; "
        "compileall.compile_dir(pathlib.Path(clr.__file__).parent, quiet=1)"
    )
    subprocess.run([python, "-c", code], check=True)


def startup_benches(tools: Tools, runs: int) -> list[Bench]:
    repo = rel(one_case_repository())
    case = f"{repo}/cases/{ONE_CASE}/case.yaml"
    restore = f"cp {case}.orig {case}"
    advance = [tools.clr, "advance", case, "--by", "benchmark", "--as-of", "2026-11-20"]
    return [
        Bench("import_typer", "import typer", [tools.python, "-c", "import typer"], False, 1, runs),
        Bench("help", "clr --help", [tools.clr, "--help"], False, 1, runs),
        Bench("version", "clr --version", [tools.clr, "--version"], False, 1, runs),
        Bench("next", "clr next CASE", [tools.clr, "next", case], False, 1, runs),
        Bench("advance", "clr advance CASE", advance, False, 1, runs, prepare=restore),
    ]


# ---------------------------------------------------------------------------------------
# Timing: hyperfine when present, else a plain loop.


def run_hyperfine(hyperfine: str, benches: Sequence[Bench]) -> dict[str, Timing]:
    """Time benches that share warm-up, run count and shell use in one hyperfine call."""
    first = benches[0]
    with tempfile.TemporaryDirectory() as tmp:
        export = Path(tmp) / "hyperfine.json"
        command = [hyperfine, "--runs", str(first.runs), "--export-json", str(export)]
        command += ["--style", "basic"]
        if first.warmup:
            command += ["--warmup", str(first.warmup)]
        if not first.shell:
            command += ["--shell", "none"]
        if first.prepare:
            command += ["--prepare", first.prepare]
        for bench in benches:
            command += ["--command-name", bench.label, to_string(bench)]
        subprocess.run(command, check=True, cwd=ROOT, stdout=sys.stderr)
        data = json.loads(export.read_text(encoding="utf-8"))
    return {b.key: from_times(r["times"]) for b, r in zip(benches, data["results"], strict=True)}


def to_string(bench: Bench) -> str:
    return bench.command[0] if bench.shell else shlex.join(bench.command)


def from_times(times: Sequence[float]) -> Timing:
    return Timing(
        median=statistics.median(times),
        mean=statistics.fmean(times),
        min=min(times),
        max=max(times),
        runs=len(times),
    )


def run_loop(benches: Sequence[Bench]) -> dict[str, Timing]:
    """Time benches with time.perf_counter around subprocess (no hyperfine)."""
    out: dict[str, Timing] = {}
    for bench in benches:
        log(f"timing {bench.label} ({bench.runs} runs)")
        for _ in range(bench.warmup):
            once(bench)
        out[bench.key] = from_times([once(bench) for _ in range(bench.runs)])
    return out


def once(bench: Bench) -> float:
    if bench.prepare:
        subprocess.run(bench.prepare, shell=True, cwd=ROOT, check=True)
    start = time.perf_counter()
    done = subprocess.run(
        bench.command[0] if bench.shell else bench.command,
        shell=bench.shell,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{bench.display} exited with {done.returncode}")
    return elapsed


def measure(tools: Tools, benches: Sequence[Bench]) -> dict[str, Timing]:
    """Time benches in groups that share settings, keeping their order."""
    if tools.hyperfine is None:
        return run_loop(benches)
    out: dict[str, Timing] = {}
    group: list[Bench] = []
    for bench in [*benches, None]:
        same = group and bench is not None and same_settings(group[0], bench)
        if group and not same:
            out.update(run_hyperfine(tools.hyperfine, group))
            group = []
        if bench is not None:
            group.append(bench)
    return out


def same_settings(a: Bench, b: Bench) -> bool:
    return (a.shell, a.warmup, a.runs, a.prepare) == (b.shell, b.warmup, b.runs, b.prepare)


# ---------------------------------------------------------------------------------------
# Peak memory.


def peak_memory(command: list[str]) -> tuple[float, float | None]:
    """Peak memory in MB: RSS of the largest single process, and PSS of the process tree.

    The first comes from ``/usr/bin/time -f %M`` (else getrusage of a wrapper process): the
    largest process, not the sum of clr and its workers. The second samples the proportional
    set size (pages shared after fork counted once) of every process in the tree from /proc
    every 10 ms; None where there is no /proc.
    """
    if TIME.is_file():
        with tempfile.NamedTemporaryFile("r", suffix=".txt") as report:
            wrapped = [str(TIME), "-f", "%M", "-o", report.name, *command]
            tree = sample_tree(wrapped)
            largest = int(report.read().split()[-1]) / 1024
    else:
        probe = (
            "import resource, subprocess, sys; subprocess.run(sys.argv[1:], "
            "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
        )
        wrapper = [sys.executable, "-c", probe, *command]
        with tempfile.TemporaryFile("w+") as output:
            tree = sample_tree(wrapper, output)
            output.seek(0)
            largest = int(output.read().split()[-1]) / 1024
    return largest, tree


def sample_tree(command: list[str], stdout: Any = subprocess.DEVNULL) -> float | None:
    """Run ``command`` (a wrapper) and return the peak summed PSS of what it runs, in MB."""
    proc = subprocess.Popen(command, cwd=ROOT, stdout=stdout, stderr=subprocess.DEVNULL)
    peak = 0
    has_proc = Path("/proc/self/status").is_file()
    while proc.poll() is None:
        if has_proc:
            peak = max(peak, tree_memory(proc.pid))
        time.sleep(0.01)
    if proc.returncode != 0:
        raise SystemExit(f"{shlex.join(command)} exited with {proc.returncode}")
    return peak / 1024 if has_proc else None


def tree_memory(wrapper: int) -> int:
    """Summed PSS in KB of the descendants of ``wrapper`` (the wrapper left out)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            parent = parent_pid(entry)
            if parent is not None:
                children.setdefault(parent, []).append(int(entry.name))
    total, todo = 0, list(children.get(wrapper, []))
    while todo:
        pid = todo.pop()
        total += memory_kb(pid)
        todo.extend(children.get(pid, []))
    return total


def parent_pid(entry: Path) -> int | None:
    try:
        stat = (entry / "stat").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return int(stat[stat.rindex(")") + 2 :].split()[1])


def memory_kb(pid: int) -> int:
    """PSS of a process in KB (RSS where smaps_rollup is missing); 0 once it is gone."""
    for name, field_name in (("smaps_rollup", "Pss:"), ("status", "VmRSS:")):
        try:
            text = Path(f"/proc/{pid}/{name}").read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            continue
        except OSError:
            return 0
        for line in text.splitlines():
            if line.startswith(field_name):
                return int(line.split()[1])
    return 0


# ---------------------------------------------------------------------------------------
# Figures, ratios and targets.


def judge(value: float, target: Target, size: int | None, results: Results, quick: bool) -> str:
    """PASS or FAIL against the target; in quick mode, record ratios worse than 3x it."""
    ok = value <= target.limit
    if quick and target.ratio and value > target.limit * QUICK_MARGIN:
        where = f" at {size:,} cases" if size else ""
        results.failures.append(
            f"{target.label}{where}: {value:.3f}x, worse than {QUICK_MARGIN:g} x the target "
            f"of {target.limit:g}x"
        )
    return "PASS" if ok else "FAIL"


def target_text(target: Target, size: int | None) -> str:
    bound = f"≤ {target.limit:g}{'x' if target.ratio else ' ' + target.unit}"
    if size is not None and size != TARGET_SIZE and target.key.startswith(("validate", "memory")):
        return f"{bound} (set at {TARGET_SIZE:,})"
    return bound


def ratio_row(
    label: str, size: int | None, timing: Timing, reference: Timing, ref_name: str
) -> Row:
    return Row(
        label,
        size,
        timing.median,
        "s",
        ratio=timing.median / reference.median,
        ratio_to=ref_name,
        timing=timing,
    )


def size_rows(
    size: int,
    timings: dict[str, Timing],
    memory: tuple[float, float | None],
    results: Results,
    quick: bool,
) -> None:
    reference = timings["check_jsonschema"]
    rows = results.rows
    rows.append(Row("check-jsonschema", size, reference.median, "s", timing=reference))
    cold = ratio_row(
        "clr validate, cold",
        size,
        timings["validate_cold"],
        reference,
        "check-jsonschema",
    )
    cold.target = target_text(TARGETS["validate_cold"], size)
    cold.status = judge(cold.ratio or 0, TARGETS["validate_cold"], size, results, quick)
    rows.append(cold)
    if "validate_warm" in timings:
        warm = ratio_row(
            "clr validate, nothing changed",
            size,
            timings["validate_warm"],
            reference,
            "check-jsonschema",
        )
        warm.target = target_text(TARGETS["validate_warm"], size) + " and < 1 s"
        # Not part of the quick gate: at a few hundred cases start-up dominates the ratio.
        fast = judge(warm.value, TARGETS["validate_warm_abs"], size, results, False)
        small = judge(warm.ratio or 0, TARGETS["validate_warm"], size, results, False)
        warm.status = "PASS" if small == fast == "PASS" else "FAIL"
        rows.append(warm)
    largest, tree = memory
    rows.append(Row("peak RSS, clr validate (largest process)", size, largest, "MB"))
    if tree is not None:
        rows.append(Row("peak memory, clr validate (all processes, PSS)", size, tree, "MB"))
    rows[-1].target = target_text(TARGETS["memory"], size)
    rows[-1].status = judge(rows[-1].value, TARGETS["memory"], size, results, quick)


def startup_rows(timings: dict[str, Timing], results: Results, quick: bool) -> None:
    reference = timings["import_typer"]
    label = 'python -c "import typer"'
    results.rows.append(Row(label, None, reference.median, "s", timing=reference))
    for key in ("help", "version", "next", "advance"):
        row = ratio_row(TARGETS[key].label, None, timings[key], reference, "import typer")
        row.target = target_text(TARGETS[key], None)
        row.status = judge(row.ratio or 0, TARGETS[key], None, results, quick)
        results.rows.append(row)


def fmt_value(row: Row) -> str:
    if row.unit == "MB":
        return f"{row.value:.0f} MB"
    if row.value < 1:
        return f"{row.value * 1000:.0f} ms"
    return f"{row.value:.2f} s"


def fmt_spread(row: Row) -> str:
    if row.timing is None:
        return ""
    t = row.timing
    if t.max < 1:
        return f"{t.min * 1000:.0f}–{t.max * 1000:.0f} ms ({t.runs})"
    return f"{t.min:.2f}–{t.max:.2f} s ({t.runs})"


def markdown(results: Results) -> str:
    head = "| figure | cases | median | min–max (runs) | ratio | target | status |"
    lines = [head, "|---|---:|---:|---|---:|---|---|"]
    for row in results.rows:
        ratio = f"{row.ratio:.3f}x {row.ratio_to}" if row.ratio is not None else ""
        cases = f"{row.cases:,}" if row.cases else "—"
        lines.append(
            f"| {row.figure} | {cases} | {fmt_value(row)} | {fmt_spread(row)} | {ratio} "
            f"| {row.target} | {row.status} |"
        )
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------
# Main.


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="CI mode: 500 cases, 1 run each")
    parser.add_argument("--sizes", help="comma-separated case counts (default 1000,10000)")
    parser.add_argument("--runs", type=int, help="runs per validate command (default 5 / 3)")
    parser.add_argument(
        "--startup-runs", type=int, help="runs per start-up command (default 20, quick 5)"
    )
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    parser.add_argument("--seed", type=int, default=SEED, help="generator seed (default 1)")
    parser.add_argument(
        "--check-jsonschema",
        default="auto",
        help="check-jsonschema to compare with: 'auto' (default: one with ruamel.yaml.clib, "
        "set up in benchmarks/out/baseline-venv if needed), 'venv' (the one installed here), "
        "or a path",
    )
    parser.add_argument("--no-hyperfine", action="store_true", help="time with a Python loop")
    return parser.parse_args(argv)


def sizes_of(args: argparse.Namespace) -> list[int]:
    if args.sizes:
        return [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    return [QUICK_SIZE] if args.quick else [1000, TARGET_SIZE]


def runs_for(args: argparse.Namespace, size: int) -> int:
    if args.runs:
        return args.runs
    if args.quick:
        return 1
    return 5 if size <= 2000 else 3


def describe(tools: Tools, results: Results) -> None:
    clib = "yes" if tools.clib else "NO"
    results.notes += [
        f"machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        f"timer: {'hyperfine (' + tools.hyperfine + ')' if tools.hyperfine else 'Python loop'}",
        f"clr: {tools.clr}",
        f"check-jsonschema: {tools.check_jsonschema}",
        f"ruamel.yaml.clib importable by check-jsonschema's Python: {clib}",
        f"clr result cache: {'yes (cold runs use --no-cache)' if tools.cache else 'no'}",
    ]
    if not tools.clib:
        results.notes.append(
            "WARNING: check-jsonschema runs with pure-Python YAML (3-4x slower than with "
            "ruamel.yaml.clib), so the validate ratios look better than they are"
        )


def benchmark(args: argparse.Namespace) -> Results:
    tools = find_tools(args)
    results = Results()
    describe(tools, results)
    for note in results.notes:
        log(note)
    startup_runs = args.startup_runs or (5 if args.quick else 20)
    compile_bytecode(tools.python)
    startup_rows(measure(tools, startup_benches(tools, startup_runs)), results, args.quick)
    for size in sizes_of(args):
        repo = ensure_repository(size, args.seed)
        check_clean(tools, repo)
        benches = validate_benches(tools, repo, size, runs_for(args, size))
        timings = measure(tools, benches)
        log(f"peak memory of clr validate over {size:,} cases")
        memory_command = [tools.clr, "validate", rel(repo)]
        if tools.cache:
            memory_command.insert(2, "--no-cache")
        size_rows(size, timings, peak_memory(memory_command), results, args.quick)
    return results


def write_json(path: Path, results: Results) -> None:
    doc = {
        "notes": results.notes,
        "rows": [asdict(r) for r in results.rows],
        "failures": results.failures,
    }
    path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    results = benchmark(args)
    print("\n".join(f"- {n}" for n in results.notes))
    print()
    print(markdown(results))
    if args.json:
        write_json(args.json, results)
    if args.quick and results.failures:
        print("\nquick check failed:\n" + "\n".join(f"- {f}" for f in results.failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
