"""Shell completion of clr's own words: case ids, stages, closure reasons, items, roles.

``_surface.tidy`` gives each parameter of every command its completer by what it means
(an argument ``CASE``, an option ``--stage``…), so that a new command gets them too. The
shells ask through Typer's completion protocol (``_CLR_COMPLETE=complete_bash`` and so on);
a completer never fails: whatever it cannot read, it offers nothing for.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

Completer = Callable[[Any, Any, str], list[Any]]


def _items(pairs: list[tuple[str, str]], incomplete: str) -> list[Any]:
    from typer._click.shell_completion import CompletionItem

    return [CompletionItem(value, help=help or None) for value, help in pairs
            if value.startswith(incomplete)]  # fmt: skip


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Nothing a completer reads may break the shell: any error offers nothing."""
    with contextlib.suppress(Exception):
        yield


def case_ids(ctx: Any, param: Any, incomplete: str) -> list[Any]:
    """The case ids of the repository around the current folder (case folders by name)."""
    from clr.model.ids import is_case_id
    from clr.repo.repository import find_root

    found: list[tuple[str, str]] = []
    with _quiet():
        root = find_root(Path.cwd())
        if root is not None:
            folders = sorted(p.name for p in (root / "cases").iterdir() if p.is_dir())
            found = [(name, "") for name in folders if is_case_id(name)]
    upper = incomplete.upper()
    return [item for item in _items(found, "") if item.value.startswith(upper)]


def stages(ctx: Any, param: Any, incomplete: str) -> list[Any]:
    """The stages, in order."""
    from clr.model.vocabulary import STAGES

    return _items([(s, "") for s in STAGES], incomplete)


def closure_reasons(ctx: Any, param: Any, incomplete: str) -> list[Any]:
    """The coded reasons for closing a case."""
    from clr.model.vocabulary import CLOSURE_REASONS

    return _items([(r, "") for r in CLOSURE_REASONS], incomplete)


def schema_names(ctx: Any, param: Any, incomplete: str) -> list[Any]:
    """The names ``clr schema`` takes."""
    from clr.io import resources

    names: list[str] = []
    with _quiet():
        names = resources.schema_names()
    return _items([(n, "") for n in names], incomplete)


def _playbook(ctx: Any) -> Any:
    """The playbook of the case on the command line, else the repository's default."""
    from clr.model.playbook import load_playbook
    from clr.repo.repository import open_repository

    repo = open_repository()
    chosen = [ctx.params.get(p.name) for p in ctx.command.params if "--playbook" in p.opts]
    name = next((c for c in chosen if isinstance(c, str)), repo.config.default_playbook)
    data = None
    with _quiet():  # a case not (yet) found: the default playbook
        data = _case_data(ctx)
    if data and isinstance(data.get("playbook"), str):
        name = data["playbook"]
    return load_playbook(name, repo.root)


def _case_data(ctx: Any) -> dict[str, Any] | None:
    """The case named on the command line (``tick CASE …``), as data; None without one."""
    from clr.io import files, yamlio
    from clr.repo.repository import find_case, open_repository

    ref = ctx.params.get("case")
    if not isinstance(ref, str) or not ref:
        return None
    path = find_case(open_repository(), ref)
    loaded = yamlio.parse_bytes(files.read_bytes(path, limit=yamlio.MAX_BYTES), str(path))
    return loaded.data if isinstance(loaded.data, dict) else None


def checklist_items(ctx: Any, param: Any, incomplete: str) -> list[Any]:
    """After ``tick CASE``: the items not yet ticked, those of the case's stage first."""
    pairs: list[tuple[str, str]] = []
    with _quiet():
        book = _playbook(ctx)
        data = _case_data(ctx) or {}
        ticked = data.get("checklist")
        done = ticked if isinstance(ticked, dict) else {}
        stage = data.get("stage")
        actions = [a for plan in book.stages.values() for a in plan.actions]
        actions = [*book.readiness, *actions]
        first = [a for a in actions if a.stage == stage]
        rest = [a for a in actions if a.stage != stage]
        pairs = [(a.id, _short(a.text)) for a in [*first, *rest] if a.id not in done]
    return _items(pairs, incomplete)


def roles(ctx: Any, param: Any, incomplete: str) -> list[Any]:
    """The roles of the playbook (of the case on the command line, else the default)."""
    pairs: list[tuple[str, str]] = []
    with _quiet():
        book = _playbook(ctx)
        pairs = [(role, _short(text)) for role, text in book.roles.items()]
    return _items(pairs, incomplete)


def playbook_names(ctx: Any, param: Any, incomplete: str) -> list[Any]:
    """The playbooks of this repository and clr's own."""
    from clr.model.playbook import playbook_paths
    from clr.repo.repository import find_root

    names: list[str] = []
    with _quiet():
        names = sorted(playbook_paths(find_root(Path.cwd())))
    return _items([(n, "") for n in names], incomplete)


def _short(text: str) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= 60 else line[:59] + "…"


def completer_for(command_path: str, param: Any) -> Completer | None:
    """The completer of a parameter, by what it means; None for the default (e.g. a choice)."""
    names = set(getattr(param, "opts", ())) | {param.name or ""}
    choices = getattr(param.type, "choices", None)
    if choices is not None and "--format" in names:
        from clr import render

        old = {name for kind in render.ALIASES.values() for name in kind}
        shown = [(str(getattr(c, "value", c)), "") for c in choices]
        shown = [pair for pair in shown if pair[0] not in old]  # old names work, unoffered
        return lambda ctx, param, incomplete: _items(shown, incomplete)
    if choices is not None:
        return None  # click completes a choice itself
    if names & {"case", "cases", "--case"}:
        return case_ids
    if names & {"--stage", "--to", "stage"}:
        return stages
    if "--reason" in names:
        return closure_reasons
    if "--role" in names:
        return roles
    if "--playbook" in names:
        return playbook_names
    if command_path == "tick" and "item" in names:
        return checklist_items
    if command_path == "schema" and "name" in names:
        return schema_names
    return None
