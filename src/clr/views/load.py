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
from clr.io.collection import no_collection
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
    keyed by content hash, clr version, schemas, playbooks and clr.yaml, not by the day:
    what changes with the day (days open, overdue actions, the 24-month window) is worked
    out from the cached dates when a summary is read back.

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


RowReader = Callable[[str, Any, dt.date], T | None]


def load_cached(
    paths: Sequence[Path],
    today: dt.date,
    summarise: Summariser[T],
    *,
    kind: str,
    to_row: Callable[[T], Any],
    from_row: RowReader[T],
    jobs: int | None = None,
    use_cache: bool = True,
) -> list[T]:
    """``summarise`` applied to every case under ``paths``, through the result cache ``kind``.

    ``to_row`` turns a result into a row for the cache (a tuple of strings, numbers, None
    and tuples) that does not depend on the day; ``from_row(shown_path, row, today)`` turns
    it back as of ``today`` (None for a row of another shape, or one that does not hold on
    ``today``: the case is summarised again). The result is in the order of the selection.

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
    from_row: RowReader[T],
    jobs: int | None = None,
    use_cache: bool = True,
) -> list[T]:
    """:func:`load_cached` over cases already selected."""
    from clr.model.playbook import playbook_paths

    out: list[T] = []
    for root, files in selection.groups.items():
        ctx = selection.contexts[root]
        if root is None or not use_cache:
            out.extend(_run(files, ctx, summarise, jobs))
            continue
        plays = [p for p in playbook_paths(root).values() if root in p.parents]
        with no_collection():
            found, misses, digests, store, names = _read_back(
                root, files, plays, today, kind, from_row
            )
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


def _read_back(
    root: Path,
    files: list[Path],
    plays: list[Path],
    today: dt.date,
    kind: str,
    from_row: RowReader[T],
) -> tuple[
    list[T | None],
    list[int],
    dict[int, tuple[str, str, tuple[int, ...]]],
    Any,
    list[str],
]:
    """What the cache holds of ``files``: each result (None: not cached), the misses."""
    from clr.io import cache

    store = cache.RowCache(root, cache.context_key(root, plays, "", kind), kind)
    base = os.path.abspath(root) + os.sep  # noqa: PTH100
    cwd = os.getcwd()  # noqa: PTH109
    found: list[T | None] = []
    misses: list[int] = []
    digests: dict[int, tuple[str, str, tuple[int, ...]]] = {}
    names = names_in(files, base)
    shown_paths = shown_as(files, cwd)
    entries = store.entries
    status_of = cache.file_status
    for i, path in enumerate(files):
        name = names[i]
        shown = shown_paths[i]
        file_status = status_of(str(path))  # before reading: a later change shows
        entry = entries.get(name)
        cached = (
            from_row(shown, entry[2], today)
            if file_status and entry is not None and entry[1] == file_status
            else None
        )
        if cached is None:
            try:
                content = cache.digest(yamlio.read_bytes(path))
            except OSError:
                content = ""
            hit = store.get(name, content) if content else None
            cached = from_row(shown, hit, today) if hit is not None else None
            if cached is not None:
                store.note_status(name, file_status)
        found.append(cached)
        if cached is None:
            misses.append(i)
            digests[i] = (name, content, file_status)
    return found, misses, digests, store, names


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
        top, case, name = _last_three(text)
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


def _last_three(text: str) -> tuple[str, str, str]:
    """(top, case, name) as two ``os.path.split`` give them.

    By one ``rsplit`` when the path has plain separators there (10,000 paths), else by
    ``os.path.split``.
    """
    sep = os.sep
    parts = text.rsplit(sep, 2)
    if len(parts) == 3 and os.altsep is None:
        top, case, name = parts
        if top and case and name and not top.endswith(sep):
            return top, case, name
    folder, name = os.path.split(text)
    top, case = os.path.split(folder)
    return top, case, name


def names_in(files: Sequence[Path], base: str) -> list[str]:
    """Each file relative to a repository root (``base``: its absolute path, a separator).

    As :func:`_name_in` gives it, with one ``abspath`` per folder of case folders rather
    than one per file.
    """
    sep = os.sep
    tops: dict[str, str] = {}
    out: list[str] = []
    for path in files:
        text = str(path)
        top, case, name = _last_three(text)
        if case in ("", ".", "..") or name in ("", ".", ".."):
            out.append(_name_in(path, base))
            continue
        prefix = tops.get(top)
        if prefix is None:
            full = os.path.abspath(top)  # noqa: PTH100
            full = full if full.endswith(sep) else full + sep
            prefix = tops[top] = full[len(base) :] if full.startswith(base) else full
        out.append(f"{prefix}{case}{sep}{name}")
    return out


def _name_in(path: Path, base: str) -> str:
    """``path`` relative to a repository root (``base`` ends with a separator)."""
    full = os.path.abspath(path)  # noqa: PTH100
    return full[len(base) :] if full.startswith(base) else full


# --- a summary as a row of the cache -------------------------------------------------------
#
# A row holds the summary's fields in order, but for those that change with the day; dates
# as ordinals (marshal writes no dates). Read back, the fields that change with the day are
# worked out as ``summary.summarise`` works them out, from the dates in the row:
#
# * days open: to the closure date, else to today; days in stage: from the stage's entry;
# * overdue actions and the roles they wait for: the deadlines due before today;
# * recent: discovered (else opened) in the 24 months up to today;
# * shared with: as summarised, if today is one of the days it holds for (``steady``);
#   else the row is not used and the case is summarised again.

_DAY_FIELDS = frozenset(
    {"days_open", "days_in_stage", "overdue_actions", "overdue_roles", "recent", "shared_with"}
)
_FIELDS = tuple(f.name for f in fields(CaseSummary) if f.name != "path")
_ROW_FIELDS = tuple(name for name in _FIELDS if name not in _DAY_FIELDS)
_DATE_FIELDS = frozenset(f.name for f in fields(CaseSummary) if "dt.date" in str(f.type))
_NESTED_TUPLES = frozenset({"stage_days", "milestone_days", "payments", "deadlines"})
_TUPLES = frozenset({"root_causes", "shared_with", "stipends_on_time", "steady", *_NESTED_TUPLES})
_DATE_AT = tuple(i for i, name in enumerate(_ROW_FIELDS) if name in _DATE_FIELDS)
_TUPLE_AT = tuple(i for i, name in enumerate(_ROW_FIELDS) if name in _TUPLES)
_AT = {name: i for i, name in enumerate(_ROW_FIELDS)}
_OPENED, _DISCOVERED, _ENTERED = _AT["opened"], _AT["discovered"], _AT["stage_entered"]
_CLOSED, _DEADLINES, _STEADY, _ERROR = (
    _AT["closure_date"],
    _AT["deadlines"],
    _AT["steady"],
    _AT["error"],
)
_new_summary = object.__new__
_from_ordinal = dt.date.fromordinal


def _to_row(case: CaseSummary) -> tuple[Any, ...]:
    """A summary as a cache row: its fields that do not change with the day, in order."""
    attributes = case.__dict__
    row = [attributes[name] for name in _ROW_FIELDS]
    for i in _DATE_AT:
        if row[i] is not None:
            row[i] = row[i].toordinal()
    return (*row, case.shared_with)


class _Days:
    """Date objects by ordinal, made once each (a few hundred days among 10,000 cases)."""

    def __init__(self) -> None:
        self.known: dict[int, dt.date] = {}

    def __call__(self, ordinal: int) -> dt.date:
        day = self.known.get(ordinal)
        if day is None:
            day = self.known[ordinal] = _from_ordinal(ordinal)
        return day


_days = _Days()
_RECENT: dict[dt.date, dt.date] = {}


def _from_row(path: str, row: Any, today: dt.date) -> CaseSummary | None:
    """A summary back from its cached row as of ``today``.

    None if the row is not of this shape or does not hold on ``today``.
    """
    if type(row) is not tuple or len(row) != len(_ROW_FIELDS) + 1:
        return None
    now = today.toordinal()
    try:
        first, last = row[_STEADY]
        if not first <= now <= last:
            return None
        values = list(row)
        day = _days
        for i in _DATE_AT:
            if values[i] is not None:
                values[i] = day(values[i])
        for i in _TUPLE_AT:
            if type(values[i]) is not tuple:
                return None
        if type(values[-1]) is not tuple:
            return None
        opened, entered = values[_OPENED], values[_ENTERED]
        start = values[_DISCOVERED] or opened
        overdue = summary.overdue_of(values[_DEADLINES], now) if values[_DEADLINES] else ()
        since = _RECENT.get(today)
        if since is None:
            since = _RECENT[today] = summary.recent_since(today)
        ok = values[_ERROR] is None
    except (TypeError, ValueError, OverflowError):  # a damaged or foreign row: summarise again
        return None
    # What the frozen dataclass's __init__ does for 50 fields (it checks nothing), at a
    # third of the cost: set the instance's attributes at once.
    made = _new_summary(CaseSummary)
    attributes = made.__dict__
    attributes["path"] = path
    attributes.update(zip(_ROW_FIELDS, values[:-1], strict=True))
    try:
        attributes["days_open"] = (
            max(0, ((values[_CLOSED] or today) - opened).days) if opened is not None else None
        )
        attributes["days_in_stage"] = (
            max(0, (today - entered).days) if entered is not None else None
        )
        attributes["overdue_actions"] = tuple(action for action, _, _ in overdue)
        attributes["overdue_roles"] = summary.roles_of(overdue)
        attributes["recent"] = ok and start is not None and since < start <= today
    except (TypeError, ValueError):
        return None
    attributes["shared_with"] = values[-1]
    return made


summary_to_row = _to_row
"""A case summary as a cache row (for other cached views that hold one)."""
summary_from_row = _from_row
"""A case summary back from :data:`summary_to_row`'s row as of a day, or None."""
