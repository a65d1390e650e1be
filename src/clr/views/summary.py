"""Many cases at once: one status row per case, and the figures (KPIs) of a portfolio.

Reading is fast and forgiving: each case file is parsed (not schema-validated: that is
``clr validate``'s job) and boiled down to a :class:`CaseSummary`, a small record with what
``clr status`` shows and what ``clr stats`` counts. A file that does not parse, or has no
usable ``id`` or ``stage``, becomes a summary with an ``error``: it is listed, never
silently dropped.

The figures are pure functions of the summaries and do not depend on the order in which
cases were read. Rules worth knowing (documented in docs/bulk-views.md):

* a case *reached* a stage if its furthest stage (from its history and current stage,
  closure aside) is that stage or a later one; the funnel counts those cases;
* coverage figures count among the cases that reached the stage where the item is due;
* a stipend payment is on time if dated no later than the last day of the month it pays
  for (``period``), plus ``STIPEND_GRACE_DAYS``;
* money is never added across currencies: every total is per currency;
* age bands use the child's (lowest possible) age on the day of discovery.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import os
import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar

from clr.checks import rules, schemas
from clr.checks.validate import CaseContext, repository_context
from clr.errors import ClrError, ConfigError
from clr.io import yamlio
from clr.model import stages
from clr.model.dates import parse_date, parse_datetime, partial_bounds
from clr.model.workflow import open_actions, stage_entered
from clr.repo.repository import (
    CASE_FILE,
    CONFIG_NAME,
    Config,
    Repository,
    display_path,
    find_root,
    read_config,
)

JSON_VERSION = 1
"""Version of the JSON documents of ``clr status`` and ``clr stats``."""

AGE_BANDS: tuple[str, ...] = ("<12", "12-13", "14-15", "16-17", "18+")
"""Age bands by the child's age on the day of discovery."""

UNKNOWN = "(unknown)"
"""The group of cases that do not record the grouping field."""

SEXES: tuple[str, ...] = ("female", "male", "other", "undisclosed")

STIPEND_GRACE_DAYS = 0
"""Days after the end of the month a stipend pays for, still counted as on time."""

PLAN_PARTIES: tuple[str, ...] = ("family", "supplier", "buyer")
"""Who must sign a plan for it to count as signed by all parties (the child assents)."""

GROUP_FIELDS: dict[str, str] = {
    "buyer": "buyer",
    "supplier": "supplier",
    "country": "country",
    "sector": "sector",
    "sex": "sex",
    "track": "track",
    "age-band": "age_band",
}
"""``clr stats --by`` choices and the summary field each groups by."""

MILESTONES: tuple[str, ...] = (
    "protected",
    "age_verified",
    "plan_signed",
    "first_stipend",
    "closed",
)
"""Milestones whose distance in days from discovery ``clr stats`` reports."""

_DICT_FIELDS = (
    "site",
    "child",
    "discovery",
    "flags",
    "protection",
    "age_verification",
    "assessment",
    "plan",
    "implementation",
    "checklist",
    "closure",
)
_LIST_FIELDS = ("history", "visits", "payments", "root_causes")
_SUPPORT_STAGE = stages.index("in_remediation")


@dataclass(frozen=True)
class CaseSummary:
    """What the bulk views need of one case; ``error`` is set for a case that failed to load.

    Dates are ``datetime.date``; ``None`` means not recorded (or not applicable).
    """

    path: str
    error: str | None = None
    id: str | None = None
    stage: str | None = None
    track: str | None = None
    site: str | None = None
    supplier: str | None = None
    buyer: str | None = None
    country: str | None = None
    sector: str | None = None
    sex: str | None = None
    age: int | None = None
    age_band: str = UNKNOWN
    opened: dt.date | None = None
    discovered: dt.date | None = None
    days_open: int | None = None
    stage_entered: dt.date | None = None
    days_in_stage: int | None = None
    next_action: str | None = None
    next_due: dt.date | None = None
    overdue_actions: tuple[str, ...] = ()
    last_visit: dt.date | None = None
    playbook_missing: bool = False
    # --- figures for clr stats
    furthest: int = 0
    closure_reason: str | None = None
    closure_date: dt.date | None = None
    stage_days: tuple[tuple[str, int], ...] = ()
    milestone_days: tuple[tuple[str, int], ...] = ()
    age_verified: bool = False
    family_reached: bool = False
    consent_and_assent: bool = False
    plan_signed_by_all: bool = False
    support: bool = False
    visits: int = 0
    in_school_at_last_visit: bool | None = None
    clear_last_two_visits: bool | None = None
    refound_working: bool | None = None
    reopens: str | None = None
    job_offered: bool = False
    job_accepted: bool = False
    payments: tuple[tuple[str, float, str, str], ...] = ()  # currency, amount, payer, purpose
    stipends_on_time: tuple[bool, ...] = ()
    stipend_covers_wage: bool | None = None
    root_causes: tuple[str, ...] = ()
    corrective_action: bool = False

    @property
    def ok(self) -> bool:
        """True if the case loaded."""
        return self.error is None

    @property
    def closed(self) -> bool:
        """True if the case is closed."""
        return self.stage == "closed"

    @property
    def overdue(self) -> int:
        """How many required actions of the current stage are past due."""
        return len(self.overdue_actions)


# --- reading many cases ----------------------------------------------------------------

T = TypeVar("T")
Summariser = Callable[[Path, yamlio.Loaded, CaseContext], T]


@dataclass
class Selection:
    """The case files named by some paths, grouped by repository root."""

    groups: dict[Path | None, list[Path]] = field(default_factory=dict)
    contexts: dict[Path | None, CaseContext] = field(default_factory=dict)


def is_identity_file(path: Path) -> bool:
    """True for a case's identity file (``identity.yaml``, ``identity.yaml.age``…)."""
    return path.name.startswith("identity.")


def select(paths: Sequence[Path], today: dt.date) -> Selection:
    """Find the case files named by ``paths`` (repositories, case folders, case files).

    Raises:
        ClrError: a path does not exist, or names an identity file.
        ConfigError: a repository's ``clr.yaml`` is invalid.
    """
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise ClrError(
            f"no such file or folder: {', '.join(display_path(p) for p in missing)}",
            hint="give a case file, a case folder or a case repository",
        )
    work: list[tuple[Path, Path | None, str]] = []  # file, its repository, its full name
    roots: dict[str, Path | None] = {}
    repositories: list[Path | None] = []  # given as such: checked even without a case
    cwd = os.getcwd()  # noqa: PTH109
    for path in paths:
        if path.is_dir() and (path / CONFIG_NAME).is_file():
            root = find_root(path)
            repositories.append(root)
            prefix = f"{path}{os.sep}cases{os.sep}"
            full = os.path.normcase(os.path.normpath(os.path.join(cwd, prefix)))  # noqa: PTH118
            work.extend(
                (
                    Path(f"{prefix}{case_id}{os.sep}{CASE_FILE}"),
                    root,
                    f"{full}{os.sep}{case_id}{os.sep}{CASE_FILE}",
                )
                for case_id in Repository(path, Config()).case_ids()
            )
            continue
        if path.is_dir():
            files = [path / CASE_FILE] if (path / CASE_FILE).is_file() else _find_cases(path)
        elif is_identity_file(path):
            raise ClrError(
                f"{display_path(path)} is an identity file: clr never reads it for a summary",
                hint="give the case file (case.yaml) or its folder",
            )
        else:
            files = [path]
        work.extend(
            (
                f,
                _root_of(f.parent, roots),
                # not resolve(): system calls per file add up over 10,000 files
                os.path.normcase(os.path.normpath(os.path.join(cwd, f))),  # noqa: PTH118
            )
            for f in files
        )
    selection = Selection()
    for root in repositories:
        selection.groups.setdefault(root, [])
    seen: set[str] = set()
    for file, root, key in work:
        if key not in seen:
            seen.add(key)
            selection.groups.setdefault(root, []).append(file)
    for root in selection.groups:
        selection.contexts[root] = context_for(root, today)
    return selection


def _find_cases(folder: Path) -> list[Path]:
    """Every case file under ``folder``, sorted (os.walk: much faster than rglob)."""
    found = []
    for here, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        if CASE_FILE in names:
            found.append(Path(here) / CASE_FILE)
    return sorted(found)


def _root_of(folder: Path, memo: dict[str, Path | None]) -> Path | None:
    """``find_root(folder)``, remembering the answer for every folder on the way up."""
    key = str(folder)
    if key not in memo:
        parent = folder.parent
        top = parent == folder or str(parent) in ("", ".")
        if top or (folder / CONFIG_NAME).is_file():
            memo[key] = find_root(folder)
        else:
            memo[key] = _root_of(parent, memo)
    return memo[key]


def context_for(root: Path | None, today: dt.date) -> CaseContext:
    """What summarising a repository's cases needs: its configuration and playbooks.

    Raises:
        ConfigError: the repository's ``clr.yaml`` is invalid.
    """
    config = Config()
    if root is not None:
        config, problems = read_config(root)
        if problems:
            first = problems[0]
            raise ConfigError(
                f"{first.path}:{first.line}:{first.col}: {first.message}",
                hint=first.hint or "run 'clr validate' to see every problem in clr.yaml",
            )
    ctx, _ = repository_context(root, today, config)
    return ctx


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
    from clr.io import cache
    from clr.model.playbook import playbook_paths

    selection = select(paths, today)
    out: list[CaseSummary] = []
    for root, files in selection.groups.items():
        ctx = selection.contexts[root]
        if root is None or not use_cache:
            out.extend(_run(files, ctx, summarise_loaded, jobs))
            continue
        plays = [p for p in playbook_paths(root).values() if root in p.parents]
        store = cache.ResultCache(
            root, cache.context_key(root, plays, today.isoformat(), "summary"), kind="summary"
        )
        base = os.path.abspath(root) + os.sep  # noqa: PTH100
        cwd = os.getcwd()  # noqa: PTH109
        found: list[CaseSummary | None] = []
        misses: list[int] = []
        digests: dict[int, tuple[str, str, str]] = {}
        names = [_name_in(path, base) for path in files]
        for i, path in enumerate(files):
            name = names[i]
            shown = str(path) if not path.is_absolute() else display_path(path, cwd)
            file_status = cache.status(path)  # before reading: a later change shows
            hit = store.get_unchanged(name, file_status)
            cached = _from_row(shown, hit) if hit is not None else None
            if cached is None:
                try:
                    content = cache.digest(yamlio.read_bytes(path))
                except OSError:
                    content = ""
                hit = store.get(name, content) if content else None
                cached = _from_row(shown, hit) if hit is not None else None
                if cached is not None:
                    store.note_status(name, file_status)
            found.append(cached)
            if cached is None:
                misses.append(i)
                digests[i] = (name, content, file_status)
        for i, summary in zip(
            misses, _run([files[i] for i in misses], ctx, summarise_loaded, jobs), strict=True
        ):
            found[i] = summary
            name, content, file_status = digests[i]
            if content:
                store.put(name, content, _to_row(summary), file_status)
        store.keep_only(set(names))
        store.save()
        out.extend(s for s in found if s is not None)
    return sort_cases(out)


_FIELDS = tuple(f.name for f in fields(CaseSummary) if f.name != "path")
_DATE_FIELDS = frozenset(f.name for f in fields(CaseSummary) if "dt.date" in str(f.type))
_FLAT_TUPLES = frozenset({"overdue_actions", "stipends_on_time", "root_causes"})
_NESTED_TUPLES = frozenset({"stage_days", "milestone_days", "payments"})


def _name_in(path: Path, base: str) -> str:
    """``path`` relative to a repository root (``base`` ends with a separator)."""
    full = os.path.abspath(path)  # noqa: PTH100
    return full[len(base) :] if full.startswith(base) else full


def _to_row(summary: CaseSummary) -> list[Any]:
    """A summary as a JSON list, in field order (dates as ISO text)."""
    row = []
    for name in _FIELDS:
        value = getattr(summary, name)
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


def load_problem(loaded: yamlio.Loaded) -> str | None:
    """Why a parsed case file cannot be summarised, or None if it can."""
    if loaded.data is None or any(f.severity == "error" for f in loaded.findings):
        first = next((f for f in loaded.findings if f.severity == "error"), None)
        if first is None:  # pragma: no cover - a file without data always has a finding
            return "cannot be read"
        where = f"line {first.line}: " if first.line else ""
        return f"{where}{first.message} ({first.code})"
    data = loaded.data
    case_id = data.get("id")
    if not isinstance(case_id, str) or not case_id:
        return "no case id (id:)"
    stage = data.get("stage")
    if not isinstance(stage, str) or stage not in stages.STAGES:
        return f"unknown stage {stage!r}" if stage is not None else "no stage (stage:)"
    for key in _DICT_FIELDS:
        if key in data and data[key] is not None and not isinstance(data[key], dict):
            return f"{key} is not a mapping (run clr validate)"
    for key in _LIST_FIELDS:
        if key in data and data[key] is not None and not isinstance(data[key], list):
            return f"{key} is not a list (run clr validate)"
    if not schemas.is_valid(data):
        return "the case fails its schema (run clr validate to see why)"
    return None


def summarise_loaded(path: Path, loaded: yamlio.Loaded, ctx: CaseContext) -> CaseSummary:
    """The summary of one parsed case file (an error summary if it cannot be used)."""
    problem = load_problem(loaded)
    if problem is None:
        assert loaded.data is not None
        case_id, book = loaded.data.get("id"), loaded.data.get("playbook")
        if (
            path.name == CASE_FILE
            and path.parent.parent.name == "cases"
            and (case_id != path.parent.name)
        ):
            problem = f"id {case_id} does not match its folder (run clr validate)"
        elif book not in ctx.playbooks:
            problem = f"unknown playbook {book!r} (run clr validate)"
    if problem is not None:
        return CaseSummary(loaded.path, error=problem)
    assert loaded.data is not None
    return summarise(loaded.data, loaded.path, ctx)


# --- one case ----------------------------------------------------------------------------


def _d(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _text(value: Any) -> str | None:
    if isinstance(value, str) and value:
        return value
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return str(value)
    return None


def _items(value: Any) -> list[dict[str, Any]]:
    return [x for x in value if isinstance(x, dict)] if isinstance(value, list) else []


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def age_band(age: int | None) -> str:
    """The band of an age in years (``UNKNOWN`` when not known)."""
    if age is None:
        return UNKNOWN
    if age < 12:
        return "<12"
    if age >= 18:
        return "18+"
    low = age - (age % 2)
    return f"{low}-{low + 1}"


def age_at_discovery(data: dict[str, Any]) -> int | None:
    """The child's lowest possible age on the day of discovery, else the estimated age."""
    day = parse_date(_d(data, "discovery", "date")) or parse_date(data.get("opened"))
    if day is not None:
        try:
            age = rules.age_at(data, day)
        except (TypeError, ValueError):
            age = None
        if age is not None and age >= 0:
            return age
    estimated = _d(data, "child", "estimated_age")
    return estimated if isinstance(estimated, int) and not isinstance(estimated, bool) else None


def furthest_stage(data: dict[str, Any]) -> int:
    """Index of the furthest stage (closure aside) the case reached, from history and stage."""
    best = 0
    stage = data.get("stage")
    if isinstance(stage, str) and stage in stages.STAGES and stage != "closed":
        best = stages.index(stage)
    for entry in _items(data.get("history")):
        for key in ("from", "to"):
            value = entry.get(key)
            if isinstance(value, str) and value in stages.STAGES and value != "closed":
                best = max(best, stages.index(value))
    return best


def _moments(data: dict[str, Any]) -> list[tuple[dt.date, str]]:
    out = []
    for entry in _items(data.get("history")):
        moment = parse_datetime(entry.get("at"))
        day = moment.date() if moment else parse_date(entry.get("at"))
        to = entry.get("to")
        if day is not None and isinstance(to, str) and entry.get("from") != to:  # not a note
            out.append((day, to))
    return out


def _stage_days(data: dict[str, Any]) -> tuple[tuple[str, int], ...]:
    """Days spent in each stage that the case has left (history order, as recorded)."""
    moves = _moments(data)
    out: dict[str, int] = {}
    for (entered, stage), (left, _) in itertools.pairwise(moves):
        if stage in stages.STAGES and left >= entered:
            out[stage] = (left - entered).days
    return tuple((s, out[s]) for s in stages.STAGES if s in out)


def _is_stipend(payment: dict[str, Any]) -> bool:
    return payment.get("purpose") in (None, "stipend")


def _month_end(period: Any) -> dt.date | None:
    if not isinstance(period, str) or len(period) != 7:
        return None
    bounds = partial_bounds(period)
    return bounds[1] if bounds else None


def stipend_on_time(payment: dict[str, Any]) -> bool | None:
    """True if a stipend payment is dated by the end of its period's month (plus grace).

    None when the payment has no ``period`` or no date, so it cannot be judged.
    """
    end = _month_end(payment.get("period"))
    paid = parse_date(payment.get("date"))
    if end is None or paid is None:
        return None
    return paid <= end + dt.timedelta(days=STIPEND_GRACE_DAYS)


def in_child_labour(visit: dict[str, Any], track: Any) -> bool:
    """True if a visit found child labour: hazardous work, or any work on the underage track.

    A young worker (over the minimum age) may work, in a safe job; only hazardous work counts.
    """
    if visit.get("hazardous_work") is True:
        return True
    return visit.get("working") is True and track != "young-worker"


def _milestones(data: dict[str, Any], found: dt.date | None) -> tuple[tuple[str, int], ...]:
    if found is None:
        return ()
    protected = [
        d
        for d in (
            parse_date(_d(data, "protection", "removed_from_work")),
            parse_date(_d(data, "protection", "hazards_removed")),
        )
        if d is not None
    ]
    stipends = [
        d
        for d in (parse_date(p.get("date")) for p in _items(data.get("payments")) if _is_stipend(p))
        if d is not None
    ]
    days = {
        "protected": min(protected) if protected else None,
        "age_verified": parse_date(_d(data, "age_verification", "date")),
        "plan_signed": parse_date(_d(data, "plan", "date_signed")),
        "first_stipend": min(stipends) if stipends else None,
        "closed": parse_date(_d(data, "closure", "date"))
        if data.get("stage") == "closed"
        else None,
    }
    return tuple(
        (name, (day - found).days) for name, day in days.items() if day is not None and day >= found
    )


def _consent(data: dict[str, Any], who: str) -> bool:
    return _d(data, "assessment", "consent", who, "services", "given") is True


def _stipend_covers_wage(data: dict[str, Any]) -> bool | None:
    stipend = _d(data, "plan", "stipend")
    wage = _d(stipend, "lost_wage")
    if not isinstance(stipend, dict) or not isinstance(wage, dict):
        return None
    amount: Any = stipend.get("amount")
    lost: Any = wage.get("amount")
    if not _is_number(amount) or not _is_number(lost):
        return None
    if stipend.get("currency") != wage.get("currency"):
        return None
    return float(amount) >= float(lost)


def summarise(data: dict[str, Any], path: str, ctx: CaseContext) -> CaseSummary:
    """The summary of one case's data (which must have a string id and a known stage)."""
    today = ctx.today
    stage = str(data["stage"])
    track = data.get("track")
    found = parse_date(_d(data, "discovery", "date"))
    opened = parse_date(data.get("opened")) or found
    closed_on = parse_date(_d(data, "closure", "date")) if stage == "closed" else None
    entered = stage_entered(data, stage) or (closed_on if stage == "closed" else None)
    until = closed_on or today
    book = ctx.playbooks.get(data["playbook"]) if isinstance(data.get("playbook"), str) else None
    todo = open_actions(data, book, ctx.calendar) if book is not None else []
    first = todo[0] if todo else None
    visits = sorted(
        (
            (d, i, v)
            for i, v in enumerate(_items(data.get("visits")))
            if (d := parse_date(v.get("date")))
        ),
        key=lambda t: (t[0], t[1]),
    )
    payments = _items(data.get("payments"))
    stipend_checks = [stipend_on_time(p) for p in payments if _is_stipend(p)]
    signed = {s.get("party") for s in _items(_d(data, "plan", "signed_by"))}
    age = age_at_discovery(data)
    return CaseSummary(
        path=path,
        id=str(data["id"]),
        stage=stage,
        track=_text(track),
        site=_text(_d(data, "site", "name")),
        supplier=_text(_d(data, "site", "supplier_id")),
        buyer=_text(_d(data, "site", "buyer")),
        country=_text(_d(data, "site", "country")),
        sector=_text(_d(data, "site", "sector")),
        sex=_text(_d(data, "child", "sex")),
        age=age,
        age_band=age_band(age),
        opened=opened,
        discovered=found,
        days_open=max(0, (until - opened).days) if opened is not None else None,
        stage_entered=entered,
        days_in_stage=max(0, (today - entered).days) if entered is not None else None,
        next_action=first.action.id if first else None,
        next_due=first.due if first else None,
        overdue_actions=tuple(
            s.action.id for s in todo if s.action.required and s.overdue_days(today) > 0
        ),
        last_visit=visits[-1][0] if visits else None,
        playbook_missing=book is None,
        furthest=furthest_stage(data),
        closure_reason=_text(_d(data, "closure", "reason")) if stage == "closed" else None,
        closure_date=closed_on,
        stage_days=_stage_days(data),
        milestone_days=_milestones(data, found),
        age_verified=_d(data, "age_verification", "result") == "verified",
        family_reached=_d(data, "assessment", "family_reachable") is True
        or parse_date(_d(data, "assessment", "family_contacted")) is not None,
        consent_and_assent=_consent(data, "guardian") and _consent(data, "child"),
        plan_signed_by_all=all(p in signed for p in PLAN_PARTIES),
        support=bool(payments)
        or isinstance(_d(data, "implementation", "enrolled"), dict)
        or bool(_items(_d(data, "implementation", "referrals"))),
        visits=len(visits),
        in_school_at_last_visit=(visits[-1][2].get("in_school") is True) if visits else None,
        clear_last_two_visits=(
            not any(in_child_labour(v, track) for _, _, v in visits[-2:])
            if len(visits) >= 2
            else None
        ),
        refound_working=any(in_child_labour(v, track) for _, _, v in visits) if visits else None,
        reopens=_text(data.get("reopens")),
        job_offered=_d(data, "plan", "family_job_offer", "offered") is True,
        job_accepted=_d(data, "plan", "family_job_offer", "accepted") is True,
        payments=tuple(
            (
                str(p["currency"]),
                float(p["amount"]),
                _text(p.get("payer")) or UNKNOWN,
                _text(p.get("purpose")) or "stipend",
            )
            for p in payments
            if isinstance(p.get("currency"), str) and _is_number(p.get("amount"))
        ),
        stipends_on_time=tuple(c for c in stipend_checks if c is not None),
        stipend_covers_wage=_stipend_covers_wage(data),
        root_causes=tuple(sorted({c for c in data.get("root_causes") or [] if isinstance(c, str)})),
        corrective_action=bool(_items(_d(data, "implementation", "corrective_actions"))),
    )


# --- status: selecting and sorting rows -------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """Which cases to keep; empty tuples and None keep everything."""

    stages: tuple[str, ...] = ()
    tracks: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    suppliers: tuple[str, ...] = ()
    buyers: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    overdue: bool = False
    open: bool | None = None  # True: open cases only; False: closed cases only

    def keep(self, case: CaseSummary) -> bool:
        """True if an (ok) case passes every filter; failed cases always pass."""
        if not case.ok:
            return True
        checks: list[tuple[tuple[str, ...], str | None, bool]] = [
            (self.stages, case.stage, False),
            (self.tracks, case.track, False),
            (self.countries, case.country, True),
            (self.suppliers, case.supplier, False),
            (self.buyers, case.buyer, False),
            (self.sectors, case.sector, False),
        ]
        for wanted, value, upper in checks:
            if wanted and (value is None or (value.upper() if upper else value) not in wanted):
                return False
        if self.overdue and not case.overdue:
            return False
        return self.open is None or self.open != case.closed


def filter_cases(cases: Iterable[CaseSummary], filters: Filters) -> list[CaseSummary]:
    """The cases that pass ``filters`` (cases that failed to load are always kept)."""
    return [c for c in cases if filters.keep(c)]


SORT_KEYS: dict[str, Callable[[CaseSummary], Any]] = {
    "id": lambda c: c.id,
    "stage": lambda c: stages.index(c.stage) if c.stage else None,
    "track": lambda c: c.track,
    "site": lambda c: c.site,
    "country": lambda c: c.country,
    "supplier": lambda c: c.supplier,
    "buyer": lambda c: c.buyer,
    "opened": lambda c: c.opened,
    "days-open": lambda c: c.days_open,
    "days-in-stage": lambda c: c.days_in_stage,
    "next-due": lambda c: c.next_due,
    "overdue": lambda c: c.overdue,
    "last-visit": lambda c: c.last_visit,
}
"""``clr status --sort`` keys."""


def sort_cases(
    cases: Iterable[CaseSummary], key: str = "id", *, reverse: bool = False
) -> list[CaseSummary]:
    """Sort by ``key`` then id and path; cases without a value, then failed cases, go last."""
    ordered = sorted(cases, key=lambda c: (c.id or "", c.path))
    get = SORT_KEYS[key]
    ok: list[CaseSummary] = []
    blank: list[CaseSummary] = []
    failed: list[CaseSummary] = []
    for c in ordered:
        (failed if c.error is not None else blank if get(c) is None else ok).append(c)
    if key != "id":
        ok.sort(key=get, reverse=reverse)  # stable: ties keep id order
    elif reverse:
        ok.reverse()
    return ok + blank + failed


STATUS_COLUMNS: tuple[str, ...] = (
    "id",
    "path",
    "stage",
    "track",
    "site",
    "supplier",
    "buyer",
    "country",
    "sector",
    "sex",
    "age_band",
    "opened",
    "days_open",
    "stage_entered",
    "days_in_stage",
    "next_action",
    "next_due",
    "overdue",
    "overdue_actions",
    "last_visit",
    "closure_reason",
    "error",
)
"""The columns of ``clr status --format json|csv`` (a stable interface)."""


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def status_row(case: CaseSummary) -> dict[str, Any]:
    """One case as a ``clr status`` row (JSON types; lists stay lists)."""
    if not case.ok:
        row: dict[str, Any] = dict.fromkeys(STATUS_COLUMNS)
        row.update(path=case.path, error=case.error, overdue_actions=[])
        return row
    return {
        "id": case.id,
        "path": case.path,
        "stage": case.stage,
        "track": case.track,
        "site": case.site,
        "supplier": case.supplier,
        "buyer": case.buyer,
        "country": case.country,
        "sector": case.sector,
        "sex": case.sex,
        "age_band": case.age_band,
        "opened": _iso(case.opened),
        "days_open": case.days_open,
        "stage_entered": _iso(case.stage_entered),
        "days_in_stage": case.days_in_stage,
        "next_action": case.next_action,
        "next_due": _iso(case.next_due),
        "overdue": case.overdue,
        "overdue_actions": list(case.overdue_actions),
        "last_visit": _iso(case.last_visit),
        "closure_reason": case.closure_reason,
        "error": None,
    }


def status_document(cases: Sequence[CaseSummary], today: dt.date) -> dict[str, Any]:
    """The ``clr status --format json`` document."""
    from clr import __version__

    return {
        "version": JSON_VERSION,
        "tool": {"name": "clr", "version": __version__},
        "as_of": today.isoformat(),
        "count": len(cases),
        "failed": sum(not c.ok for c in cases),
        "cases": [status_row(c) for c in cases],
    }


# --- stats: the figures ----------------------------------------------------------------


def _num(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 2)


def _share(count: int, of: int) -> dict[str, Any]:
    return {"count": count, "of": of, "percent": round(100 * count / of, 1) if of else None}


def _median(values: Sequence[int]) -> dict[str, Any]:
    return {
        "median": _num(statistics.median(values)) if values else None,
        "cases": len(values),
    }


def _counts(values: Iterable[str], order: Sequence[str] = ()) -> dict[str, int]:
    tally: dict[str, int] = dict.fromkeys(order, 0)
    for value in values:
        tally[value] = tally.get(value, 0) + 1
    extra = sorted(k for k in tally if k not in order)
    return {k: tally[k] for k in (*order, *extra)}


def _money(rows: Iterable[tuple[str, float]]) -> dict[str, int | float]:
    sums: dict[str, list[float]] = {}
    for currency, amount in rows:
        sums.setdefault(currency, []).append(amount)
    return {c: _num(math.fsum(sorted(v))) for c, v in sorted(sums.items())}


def figures(
    cases: Sequence[CaseSummary], suppliers: Mapping[str, str | None] | None = None
) -> dict[str, Any]:
    """The figures of a set of (loaded) cases.

    ``suppliers`` maps every known case id to its supplier, to tell whether a reopened
    case recurred at the same supplier (default: the cases given).
    """
    cases = sorted((c for c in cases if c.ok), key=lambda c: (c.id or "", c.path))
    suppliers = suppliers if suppliers is not None else {c.id or "": c.supplier for c in cases}
    n = len(cases)

    def reached(stage: str) -> list[CaseSummary]:
        level = stages.index(stage)
        return [c for c in cases if c.furthest >= level]

    open_cases = [c for c in cases if not c.closed]
    closed = [c for c in cases if c.closed]
    furthest: dict[int, int] = {}
    for c in cases:
        furthest[c.furthest] = furthest.get(c.furthest, 0) + 1
    funnel = {
        s: sum(k for level, k in furthest.items() if level >= stages.index(s))
        for s in stages.STAGES
        if s != "closed"
    }
    funnel["closed"] = len(closed)
    at = {s: reached(s) for s in ("age_verified", "assessed", "plan_agreed", "monitoring")}
    stage_days: dict[str, list[int]] = {}
    for c in cases:
        for st, d in c.stage_days:
            stage_days.setdefault(st, []).append(d)
    milestone_days: dict[str, list[int]] = {}
    for c in cases:
        for name, d in c.milestone_days:
            milestone_days.setdefault(name, []).append(d)
    supported = [c for c in cases if c.furthest >= _SUPPORT_STAGE]
    visited = [c for c in cases if c.visits >= 1]
    twice = [c for c in cases if c.visits >= 2]
    reopened = [c for c in cases if c.reopens]
    recurred = [
        c
        for c in reopened
        if c.reopens in suppliers and c.supplier and suppliers[c.reopens or ""] == c.supplier
    ]
    offered = [c for c in cases if c.job_offered]
    payments = [p for c in cases for p in c.payments]
    per_currency: dict[str, int] = {}
    for c in cases:
        for currency in {p[0] for p in c.payments}:
            per_currency[currency] = per_currency.get(currency, 0) + 1
    totals = _money((p[0], p[1]) for p in payments)
    payers = sorted({p[2] for p in payments})
    on_time = [t for c in cases for t in c.stipends_on_time]
    compared = [c for c in cases if c.stipend_covers_wage is not None]
    lost = sum(c.closure_reason == "lost_contact" for c in closed)
    return {
        "cases": n,
        "open": len(open_cases),
        "closed": len(closed),
        "funnel": funnel,
        "open_by_stage": _counts(
            (c.stage or "" for c in open_cases), [s for s in stages.STAGES if s != "closed"]
        ),
        "overdue": {
            "actions": sum(c.overdue for c in cases),
            "cases": sum(bool(c.overdue) for c in cases),
            "by_action": _counts(a for c in cases for a in c.overdue_actions),
        },
        "speed": {
            "days_in_stage": {
                s: _median(stage_days.get(s, [])) for s in stages.STAGES if s != "closed"
            },
            "days_from_discovery": {m: _median(milestone_days.get(m, [])) for m in MILESTONES},
        },
        "coverage": {
            "age_verified": _share(
                sum(c.age_verified for c in at["age_verified"]), len(at["age_verified"])
            ),
            "family_reached": _share(
                sum(c.family_reached for c in at["assessed"]), len(at["assessed"])
            ),
            "consent_and_assent": _share(
                sum(c.consent_and_assent for c in at["assessed"]), len(at["assessed"])
            ),
            "plan_signed_by_all": _share(
                sum(c.plan_signed_by_all for c in at["plan_agreed"]), len(at["plan_agreed"])
            ),
            "at_least_one_support": _share(sum(c.support for c in supported), len(supported)),
            "two_follow_ups": _share(
                sum(c.visits >= 2 for c in at["monitoring"]), len(at["monitoring"])
            ),
        },
        "outcomes": {
            "in_school_at_last_visit": _share(
                sum(c.in_school_at_last_visit is True for c in visited), len(visited)
            ),
            "no_child_labour_last_two_visits": _share(
                sum(c.clear_last_two_visits is True for c in twice), len(twice)
            ),
            "refound_working": _share(
                sum(c.refound_working is True for c in visited), len(visited)
            ),
            "reopened": _share(len(reopened), n),
            "recurrence_same_supplier": _share(len(recurred), len(reopened)),
            "job_offered": _share(len(offered), len(at["plan_agreed"])),
            "job_accepted": _share(sum(c.job_accepted for c in offered), len(offered)),
        },
        "closure": {
            "by_reason": _counts(
                (c.closure_reason or UNKNOWN for c in closed), stages.CLOSURE_REASONS
            ),
            "lost_to_follow_up": _share(lost, len(closed)),
        },
        "money": {
            "payments": len(payments),
            "total": totals,
            "per_case": {cur: _num(total / per_currency[cur]) for cur, total in totals.items()},
            "by_payer": {
                payer: _money((p[0], p[1]) for p in payments if p[2] == payer) for payer in payers
            },
            "stipend_on_time": _share(sum(on_time), len(on_time)),
            "stipend_at_least_lost_wage": _share(
                sum(c.stipend_covers_wage is True for c in compared), len(compared)
            ),
        },
        "root_causes": {
            "by_cause": _counts(r for c in cases for r in c.root_causes),
            "corrective_action": _share(
                sum(c.corrective_action for c in supported), len(supported)
            ),
        },
    }


def group_key(case: CaseSummary, by: str) -> str:
    """The group of a case for ``clr stats --by`` (``UNKNOWN`` when not recorded)."""
    value = getattr(case, GROUP_FIELDS[by])
    return value if isinstance(value, str) and value else UNKNOWN


def _group_order(by: str, keys: Iterable[str]) -> list[str]:
    order = {"sex": SEXES, "age-band": AGE_BANDS, "track": stages.TRACKS}.get(by, ())
    present = set(keys)
    return [k for k in order if k in present] + sorted(present - set(order))


def _node(
    label: str | None,
    cases: Sequence[CaseSummary],
    suppliers: Mapping[str, str | None],
    min_count: int,
    *,
    split: bool = True,
) -> dict[str, Any]:
    suppressed = len(cases) < min_count
    node: dict[str, Any] = {
        "suppressed": suppressed,
        "figures": None if suppressed else figures(cases, suppliers),
    }
    if label is not None or split:
        node = {"group": label, **node}
    if split:
        by_sex: dict[str, dict[str, Any]] = {}
        if not suppressed:
            members: dict[str, list[CaseSummary]] = {}
            for case in cases:
                members.setdefault(group_key(case, "sex"), []).append(case)
            keys = _group_order("sex", members)
            by_sex = {k: _node(None, members[k], suppliers, min_count, split=False) for k in keys}
            _complementary([by_sex[k] for k in keys], [len(members[k]) for k in keys])
        node["by_sex"] = by_sex
    return node


def _complementary(nodes: list[dict[str, Any]], sizes: list[int]) -> None:
    """If exactly one sibling is suppressed, suppress the smallest other one too.

    Otherwise the hidden figures could be worked out by subtracting the others from the
    total.
    """
    hidden = [i for i, node in enumerate(nodes) if node["suppressed"]]
    shown = [i for i, node in enumerate(nodes) if not node["suppressed"]]
    if len(hidden) == 1 and shown:
        smallest = min(shown, key=lambda i: (sizes[i], i))
        nodes[smallest]["suppressed"] = True
        nodes[smallest]["figures"] = None
        if "by_sex" in nodes[smallest]:
            nodes[smallest]["by_sex"] = {}


def stats_document(
    cases: Sequence[CaseSummary],
    today: dt.date,
    *,
    by: str | None = None,
    min_count: int = 0,
) -> dict[str, Any]:
    """The ``clr stats --format json`` document: totals, groups, each split by sex.

    A group (or sex split) with fewer than ``min_count`` cases is suppressed: its figures
    are null. When exactly one of a set of siblings is suppressed, the smallest other one
    is suppressed too, so that it cannot be found by subtraction.
    """
    from clr import __version__

    loaded = [c for c in cases if c.ok]
    suppliers = {c.id or "": c.supplier for c in loaded}
    total = _node(None, loaded, suppliers, min_count)
    groups: list[dict[str, Any]] = []
    if by is not None and not total["suppressed"]:
        keys = _group_order(by, (group_key(c, by) for c in loaded))
        members = {k: [c for c in loaded if group_key(c, by) == k] for k in keys}
        groups = [_node(k, members[k], suppliers, min_count) for k in keys]
        _complementary(groups, [len(members[k]) for k in keys])
    return {
        "version": JSON_VERSION,
        "tool": {"name": "clr", "version": __version__},
        "as_of": today.isoformat(),
        "by": by,
        "min_count": min_count,
        "failed": [{"path": c.path, "error": c.error} for c in cases if not c.ok],
        "total": total,
        "groups": groups,
    }


def flatten(figs: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """Nested figures as (dotted metric name, value) pairs, in document order."""
    out: list[tuple[str, Any]] = []
    for key, value in figs.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.extend(flatten(value, name + "."))
        else:
            out.append((name, value))
    return out


STATS_CSV_COLUMNS: tuple[str, ...] = ("scope", "group", "sex", "metric", "value")
"""The columns of ``clr stats --format csv`` (long format: one figure a row)."""


def stats_rows(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The stats document as long-format rows (see ``STATS_CSV_COLUMNS``).

    A suppressed group or split has one row with metric ``suppressed`` and value true.
    """
    rows: list[dict[str, Any]] = []

    def emit(scope: str, group: str, sex: str, node: Mapping[str, Any]) -> None:
        if node["suppressed"]:
            rows.append(dict(scope=scope, group=group, sex=sex, metric="suppressed", value=True))
            return
        for metric, value in flatten(node["figures"]):
            rows.append(dict(scope=scope, group=group, sex=sex, metric=metric, value=value))

    nodes = [("total", "", doc["total"])] + [("group", g["group"], g) for g in doc["groups"]]
    for scope, group, node in nodes:
        emit(scope, group, "all", node)
        for sex, child in node.get("by_sex", {}).items():
            emit(scope, group, sex, child)
    return rows


SECTION_TITLES: dict[str, str] = {
    "cases": "cases",
    "funnel": "funnel: cases that reached each stage",
    "open_by_stage": "open cases by stage",
    "overdue": "overdue required actions",
    "speed": "speed: median days",
    "coverage": "coverage",
    "outcomes": "outcomes",
    "closure": "closure",
    "money": "money (per currency)",
    "root_causes": "root causes",
}
"""Section headings of the human-readable stats tables."""


def _display(path: list[str], value: Any) -> str | None:
    """The text of a figure whose shape is known, else None."""
    if isinstance(value, Mapping) and set(value) == {"count", "of", "percent"}:
        if not value["of"]:
            return "-"
        return f"{value['count']}/{value['of']} ({value['percent']:g}%)"
    if isinstance(value, Mapping) and set(value) == {"median", "cases"}:
        if value["median"] is None:
            return "-"
        return f"{value['median']:g} (n={value['cases']})"
    if isinstance(value, Mapping):
        return None
    if value is None:
        return "-"
    return (
        f"{value:,}"
        if isinstance(value, int | float) and not isinstance(value, bool)
        else str(value)
    )


def display_rows(figs: Mapping[str, Any]) -> list[tuple[str, str, str, str]]:
    """Figures as human-readable rows: (key, section title, label, text)."""
    rows: list[tuple[str, str, str, str]] = []

    def walk(path: list[str], value: Any) -> None:
        text = _display(path, value)
        if text is None:
            for key, child in value.items():
                walk([*path, key], child)
            return
        section = path[0] if len(path) > 1 else "cases"
        label = ": ".join(p.replace("_", " ") for p in (path[1:] or path))
        rows.append((".".join(path), SECTION_TITLES.get(section, section), label, text))

    for key, value in figs.items():
        walk([key], value)
    return rows
