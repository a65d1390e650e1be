"""The shape of the code: no import cycle between clr's modules, and a core without the CLI.

Every module under ``src/clr`` is parsed with ``ast``; every import counts, at module
level, inside functions and under ``TYPE_CHECKING`` alike (a lazy import only moves a cycle
to later). ``from clr.x import y`` is an import of ``clr.x.y`` when that is a module, else
of ``clr.x``.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"

CLI_LIBRARIES = ("typer", "rich", "click", "questionary")
"""What only the command-line layer (``clr.cli``) may import."""

ENTRY_POINTS = ("clr._entry", "clr.__main__")
"""The modules that start the CLI: they import it, nothing else outside it does."""


def module_names(src: Path) -> dict[str, Path]:
    """Every module under ``src/clr``, by its dotted name (a package by its own name)."""
    found: dict[str, Path] = {}
    for path in sorted((src / "clr").rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _is_package(name: str, modules: Mapping[str, Path]) -> bool:
    return name in modules and modules[name].name == "__init__.py"


def imports_of(name: str, modules: Mapping[str, Path]) -> Iterator[tuple[str, int]]:
    """Every (imported name, line) in module ``name``, clr modules resolved as such."""
    tree = ast.parse(modules[name].read_text(encoding="utf-8"), str(modules[name]))
    package = name if _is_package(name, modules) else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            for alias in node.names:
                full = f"{source}.{alias.name}"
                yield (full if full in modules else source), node.lineno


def import_graph(modules: Mapping[str, Path]) -> dict[str, dict[str, int]]:
    """For each clr module, the clr modules it imports (and the line of the first import)."""
    graph: dict[str, dict[str, int]] = {}
    for name in modules:
        edges: dict[str, int] = {}
        for target, line in imports_of(name, modules):
            if target in modules and target != name:
                edges.setdefault(target, line)
        graph[name] = edges
    return graph


def cycles(graph: Mapping[str, Mapping[str, int]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(start: str) -> None:
        # Iterative: the graph is small, but a recursion limit must not hide a cycle.
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))

    for name in sorted(graph):
        if name not in index:
            visit(name)
    return sorted(found)


def describe_cycle(component: list[str], graph: Mapping[str, Mapping[str, int]]) -> str:
    """One loop through a cycle's modules, each step with the line of its import."""
    members = set(component)
    path = [component[0]]
    while True:  # walk inside the component until a module comes round again
        here = path[-1]
        step = min(t for t in graph[here] if t in members)
        if step in path:
            loop = [*path[path.index(step) :], step]
            break
        path.append(step)
    steps = [f"{a} (line {graph[a][b]}) -> {b}" for a, b in itertools.pairwise(loop)]
    return " ; ".join(steps) + f"   [cycle of {len(component)}: {', '.join(component)}]"


def find_cycles(src: Path) -> list[str]:
    """A description of every import cycle among the modules under ``src/clr``."""
    modules = module_names(src)
    graph = import_graph(modules)
    return [describe_cycle(c, graph) for c in cycles(graph)]


def boundary_breaches(src: Path) -> list[str]:
    """Imports of the CLI or its libraries from a module outside ``clr.cli``."""
    modules = module_names(src)
    out = []
    for name in sorted(modules):
        if name == "clr.cli" or name.startswith("clr.cli."):
            continue
        for target, line in imports_of(name, modules):
            top = target.split(".")[0]
            is_cli = target == "clr.cli" or target.startswith("clr.cli.")
            if top in CLI_LIBRARIES or (is_cli and name not in ENTRY_POINTS):
                out.append(f"{modules[name].relative_to(src)}:{line}: imports {target}")
    return out


def test_there_is_no_import_cycle() -> None:
    found = find_cycles(SRC)
    assert found == [], "import cycles (lazy imports included):\n" + "\n".join(found)


def test_the_core_imports_neither_the_cli_nor_its_libraries() -> None:
    breaches = boundary_breaches(SRC)
    assert breaches == [], "\n".join(breaches)


def test_every_module_is_seen() -> None:
    modules = module_names(SRC)
    assert {"clr", "clr.cli", "clr.views.summary", "clr.io.yamlio"} <= set(modules)
    graph = import_graph(modules)
    # from clr.views import summary: the module, not the package
    assert "clr.views.summary" in graph["clr.views.load"]


def _tree(root: Path, files: Mapping[str, str]) -> Path:
    for name, text in files.items():
        path = root / "clr" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param(
            {"a.py": "from clr import b\n", "b.py": "import clr.a\n"},
            "clr.a, clr.b",
            id="module-level",
        ),
        pytest.param(
            {
                "a.py": "def f():\n    from clr.p.b import thing\n",
                "p/b.py": "from clr.p import c\n",
                "p/c.py": "def g():\n    from clr.a import f\n",
            },
            "clr.a, clr.p.b, clr.p.c",
            id="lazy-through-a-package",
        ),
        pytest.param(
            {
                "p/a.py": "from . import b\n",
                "p/b.py": (
                    "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .a import X\n"
                ),
            },
            "clr.p.a, clr.p.b",
            id="relative-and-type-checking",
        ),
        pytest.param(
            {"p/__init__.py": "from clr.p.a import X\n", "p/a.py": "from clr.p import Y\n"},
            "clr.p, clr.p.a",
            id="through-a-package-init",
        ),
    ],
)
def test_a_planted_cycle_is_found(tmp_path: Path, files: dict[str, str], expected: str) -> None:
    src = _tree(tmp_path, {"__init__.py": "", "p/__init__.py": "", **files})
    found = find_cycles(src)
    size = expected.count(",") + 1
    assert len(found) == 1 and found[0].endswith(f"[cycle of {size}: {expected}]")


def test_no_cycle_is_found_where_there_is_none(tmp_path: Path) -> None:
    src = _tree(
        tmp_path,
        {
            "__init__.py": "",
            "a.py": "from clr import b\nimport json\n",
            "b.py": "def f():\n    from clr.c import x\n",
            "c.py": "import clr\n",
        },
    )
    assert find_cycles(src) == []


def test_a_core_module_importing_the_cli_is_found(tmp_path: Path) -> None:
    src = _tree(
        tmp_path,
        {
            "__init__.py": "",
            "cli/__init__.py": "import typer\n",
            "_entry.py": "def main():\n    from clr.cli import main\n",
            "core.py": "def f():\n    import rich.console\n    from clr.cli import x\n",
        },
    )
    assert boundary_breaches(src) == [
        "clr/core.py:2: imports rich.console",
        "clr/core.py:3: imports clr.cli",
    ]
