"""Loading many cases: a function applied to every selected case file, in parallel.

The summaries of ``clr status`` and ``clr stats`` come with the repository's result cache:
a summary of an unchanged file is read back, not made again.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any, TypeVar

from clr.io import yamlio
from clr.repo.context import CaseContext
from clr.repo.repository import display_path
from clr.views import summary
from clr.views.filters import sort_cases
from clr.views.select import Selection, select
from clr.views.summary import CaseSummary

T = TypeVar("T")
Summariser = Callable[[Path, yamlio.Loaded, CaseContext], T]


def load(selection: Selection, summarise: Summariser[T], *, jobs: int | None = None) -> list[T]:
    """Apply ``summarise`` (a module-level function) to every selected case file.

    Over ``clr.io.pool.PARALLEL_THRESHOLD`` files the work is spread over processes (``jobs``,
    default one per core). The result is in the order of the selection.
    """
    out: list[T] = []
    for root, files in selection.groups.items():
        out.extend(_run(files, selection.contexts[root], summarise, jobs))
    return out


def _chunk(items: list[Path], ctx: CaseContext, summarise: Summariser[T]) -> list[T]:
    return [summarise(path, yamlio.read_file(path, display_path(path)), ctx) for path in items]


def _run(
    files: list[Path], ctx: CaseContext, summarise: Summariser[T], jobs: int | None
) -> list[T]:
    from clr.io.pool import run_chunks

    return run_chunks(_chunk, files, (ctx, summarise), jobs)


def load_summaries(
    paths: Sequence[Path], today: dt.date, *, jobs: int | None = None, use_cache: bool = True
) -> list[CaseSummary]:
    """Summaries of every case under ``paths``, failed ones included, sorted by id then path.

    Summaries of unchanged files come from the repository's result cache (``.clr-cache/``),
    keyed like validation results: content hash, clr version, schemas, playbooks, clr.yaml
    and the day.

    Raises:
        ClrError: a path does not exist.
        ConfigError: a repository's ``clr.yaml`` is invalid.
    """
    found = load_cached(
        paths,
        today,
        summary.summarise_loaded,
        kind="summary",
        to_row=_to_row,
        from_row=_from_row,
        jobs=jobs,
        use_cache=use_cache,
    )
    return sort_cases(found)


def load_cached(
    paths: Sequence[Path],
    today: dt.date,
    summarise: Summariser[T],
    *,
    kind: str,
    to_row: Callable[[T], Any],
    from_row: Callable[[str, Any], T | None],
    jobs: int | None = None,
    use_cache: bool = True,
) -> list[T]:
    """``summarise`` applied to every case under ``paths``, through the result cache ``kind``.

    ``to_row`` turns a result into JSON for the cache; ``from_row(shown_path, row)`` turns it
    back (None for a row of another shape: the case is summarised again). The result is in
    the order of the selection.

    Raises:
        ClrError: a path does not exist.
        ConfigError: a repository's ``clr.yaml`` is invalid.
    """
    return load_selection_cached(
        select(paths, today),
        today,
        summarise,
        kind=kind,
        to_row=to_row,
        from_row=from_row,
        jobs=jobs,
        use_cache=use_cache,
    )


def load_selection_cached(
    selection: Selection,
    today: dt.date,
    summarise: Summariser[T],
    *,
    kind: str,
    to_row: Callable[[T], Any],
    from_row: Callable[[str, Any], T | None],
    jobs: int | None = None,
    use_cache: bool = True,
) -> list[T]:
    """:func:`load_cached` over cases already selected."""
    from clr.io import cache
    from clr.model.playbook import playbook_paths

    out: list[T] = []
    for root, files in selection.groups.items():
        ctx = selection.contexts[root]
        if root is None or not use_cache:
            out.extend(_run(files, ctx, summarise, jobs))
            continue
        plays = [p for p in playbook_paths(root).values() if root in p.parents]
        store = cache.ResultCache(
            root, cache.context_key(root, plays, today.isoformat(), kind), kind=kind
        )
        base = os.path.abspath(root) + os.sep  # noqa: PTH100
        cwd = os.getcwd()  # noqa: PTH109
        found: list[T | None] = []
        misses: list[int] = []
        digests: dict[int, tuple[str, str, str]] = {}
        names = [_name_in(path, base) for path in files]
        shown_paths = shown_as(files, cwd)
        for i, path in enumerate(files):
            name = names[i]
            shown = shown_paths[i]
            file_status = cache.status(path)  # before reading: a later change shows
            hit = store.get_unchanged(name, file_status)
            cached = from_row(shown, hit) if hit is not None else None
            if cached is None:
                try:
                    content = cache.digest(yamlio.read_bytes(path))
                except OSError:
                    content = ""
                hit = store.get(name, content) if content else None
                cached = from_row(shown, hit) if hit is not None else None
                if cached is not None:
                    store.note_status(name, file_status)
            found.append(cached)
            if cached is None:
                misses.append(i)
                digests[i] = (name, content, file_status)
        made = _run([files[i] for i in misses], ctx, summarise, jobs)
        for i, fresh in zip(misses, made, strict=True):
            found[i] = fresh
            name, content, file_status = digests[i]
            if content:
                store.put(name, content, to_row(fresh), file_status)
        store.keep_only(set(names))
        store.save()
        out.extend(s for s in found if s is not None)
    return out


_FIELDS = tuple(f.name for f in fields(CaseSummary) if f.name != "path")
_DATE_FIELDS = frozenset(f.name for f in fields(CaseSummary) if "dt.date" in str(f.type))
_FLAT_TUPLES = frozenset(
    {"overdue_actions", "stipends_on_time", "root_causes", "shared_with", "overdue_roles"}
)
_NESTED_TUPLES = frozenset({"stage_days", "milestone_days", "payments"})


def shown_as(files: Sequence[Path], cwd: str) -> list[str]:
    """How each file is shown: as given if relative, else as ``display_path`` shows it.

    One ``relpath`` per folder of case folders rather than one per file (10,000 files):
    a file ``TOP/ID/NAME`` is shown as TOP is, followed by ``ID/NAME``.
    """
    sep = os.sep
    tops: dict[str, str] = {}
    out: list[str] = []
    for path in files:
        text = str(path)
        folder, name = os.path.split(text)
        top, case = os.path.split(folder)
        if not os.path.isabs(text):  # noqa: PTH117 - 10,000 paths
            out.append(text)
            continue
        if case in ("", ".", "..") or name in ("", ".", ".."):
            out.append(display_path(path, cwd))
            continue
        rel = tops.get(top)
        if rel is None:
            rel = tops[top] = os.path.relpath(top, cwd)
        shown = f"{case}{sep}{name}" if rel == "." else f"{rel}{sep}{case}{sep}{name}"
        out.append(display_path(path, cwd) if shown.startswith("../../../") else shown)
    return out


def _name_in(path: Path, base: str) -> str:
    """``path`` relative to a repository root (``base`` ends with a separator)."""
    full = os.path.abspath(path)  # noqa: PTH100
    return full[len(base) :] if full.startswith(base) else full


def _to_row(case: CaseSummary) -> list[Any]:
    """A summary as a JSON list, in field order (dates as ISO text)."""
    row = []
    for name in _FIELDS:
        value = getattr(case, name)
        row.append(value.isoformat() if isinstance(value, dt.date) else value)
    return row


_DATE_AT = tuple(i for i, name in enumerate(_FIELDS) if name in _DATE_FIELDS)
_FLAT_AT = tuple(i for i, name in enumerate(_FIELDS) if name in _FLAT_TUPLES)
_NESTED_AT = tuple(i for i, name in enumerate(_FIELDS) if name in _NESTED_TUPLES)
_from_iso = dt.date.fromisoformat
_new_summary = object.__new__


def _from_row(path: str, row: Any) -> CaseSummary | None:
    """A summary back from its cached row, or None if the row is not of this shape."""
    if not isinstance(row, list) or len(row) != len(_FIELDS):
        return None
    values = row.copy()  # 10,000 rows on every bulk view: positions, not names
    try:
        for i in _DATE_AT:
            if values[i]:
                values[i] = _from_iso(values[i])
        for i in _FLAT_AT:
            values[i] = tuple(values[i])
        for i in _NESTED_AT:
            values[i] = tuple(map(tuple, values[i]))
    except (TypeError, ValueError):  # a damaged or foreign row: summarise again
        return None
    # What the frozen dataclass's __init__ does for 44 fields (it checks nothing), at a
    # third of the cost: set the instance's attributes at once.
    summary = _new_summary(CaseSummary)
    attributes = summary.__dict__
    attributes["path"] = path
    attributes.update(zip(_FIELDS, values, strict=True))
    return summary


summary_to_row = _to_row
"""A case summary as a JSON list (for other cached views that hold one)."""
summary_from_row = _from_row
"""A case summary back from :data:`summary_to_row`'s list, or None."""
