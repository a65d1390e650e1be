"""Validating cases: every finding of every file, for people and for CI."""

from __future__ import annotations

import datetime as dt
import functools
import operator
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clr import CASE_FORMAT
from clr.checks import privacy, retention, rules
from clr.checks.results import FileReport, Report
from clr.errors import ClrError
from clr.i18n import N_
from clr.io import yamlio
from clr.io.collection import collecting, no_collection
from clr.model import closing, practice, stages, workflow
from clr.model.findings import Finding, Said, finding, said
from clr.model.playbook import Playbook, playbook_paths
from clr.model.workflow import ActionState, overdue_findings
from clr.repo.context import CaseContext, repository_context

if TYPE_CHECKING:
    from clr.io import cache
from clr.repo.repository import (
    CASE_FILE,
    CASES_DIR,
    CONFIG_NAME,
    Config,
    Repository,
    display_path,
    find_root,
    read_config,
)


def check_case_data(
    loaded: yamlio.Loaded,
    path: Path,
    ctx: CaseContext,
    *,
    errors_only: bool = False,
    days: list[int] | None = None,
    deadlines: Deadlines | None = None,
) -> list[Finding]:
    """Schema and rule findings for a parsed case, positions filled in.

    With ``errors_only`` warnings are left out before positions are worked out (finding a
    position parses the file again, with the slower reader that keeps positions).
    ``days`` ([first, last], as ordinals) is narrowed to the days for which the findings
    would be the same as on ``ctx.today``, but for the overdue findings when ``deadlines``
    is given: the rules that depend on the day are those on dates in the future, on the
    retention period and on overdue deadlines. With ``deadlines`` the overdue findings are
    left out of what is returned and go to ``deadlines`` instead, one for each deadline
    that would be overdue on a later day (see :class:`Deadlines`).
    """
    data = loaded.data
    assert data is not None
    shown = loaded.path
    seen: set[tuple[str, str]] = set()
    findings = list(loaded.findings)
    outdated = _version_finding(data, shown)
    if outdated is not None:
        return [locate(loaded, f) for f in [*findings, outdated]]
    from clr.checks import schemas

    findings += schemas.check(data, shown, "case", skip=seen)
    stage = data.get("stage")
    if isinstance(stage, str) and stage in stages.STAGES:
        findings += schemas.check(data, shown, f"stages/{stage}", stage=stage, skip=seen)
    in_cases = path.name == CASE_FILE and path.parent.parent.name == "cases"
    folder = path.parent.name if in_cases else None
    name = data.get("playbook")
    book = ctx.playbooks.get(name) if isinstance(name, str) else None
    rule_ctx = rules.RuleContext(
        today=ctx.today,
        folder=folder,
        minimum_age_overrides=ctx.config.minimum_ages,
        buyer_codes=ctx.config.buyer_codes,
        settings=practice.merge(book.rules if book else None, ctx.config.rules),
        young_worker_hours=ctx.config.young_worker_hours,
        past_dates=[] if days is not None else None,
    )
    findings += rules.check_case(data, shown, rule_ctx)
    if days is not None:
        assert rule_ctx.past_dates is not None
        _narrow_to_dates(days, rule_ctx.past_dates, ctx.today)
    findings += privacy.case_privacy_findings(data, shown, loaded.locate)
    findings += retention.case_retention_findings(data, shown, ctx.config.retention, ctx.today)
    if days is not None and ctx.config.retention and data.get("closure"):
        # Whether a closed case is past its retention period depends on the day.
        days[0] = days[1] = ctx.today.toordinal()
    name = data.get("playbook")
    if isinstance(name, str) and name not in ctx.playbooks:
        findings.append(
            finding(
                shown,
                0,
                0,
                "CLR211",
                said(N_("unknown playbook {name}"), name=repr(name)),
                said(
                    N_("one of: {names}, or add {file}"),
                    names=", ".join(sorted(ctx.playbooks)),
                    file=f"playbooks/{name}.yaml",
                ),
                pointer="/playbook",
            )
        )
    plays = ctx.playbooks.get(name) if isinstance(name, str) else None
    if plays is not None and not any(f.severity == "error" for f in findings):
        states = workflow.open_actions(data, plays, ctx.calendar, ahead=True)
        if deadlines is None:
            findings += overdue_findings(
                data, shown, plays, ctx.calendar, ctx.today, ctx.config.overdue, states=states
            )
        else:
            deadlines.at = len(findings)
            deadlines.found = _deadline_findings(data, shown, plays, ctx, states)
        findings += _unknown_ticks(data, shown, plays)
        findings += closing.closing_findings(
            data,
            shown,
            plays,
            age_overrides=ctx.config.minimum_ages,
            buyer_codes=ctx.config.buyer_codes,
        )
        if days is not None and deadlines is None:
            _narrow_to_deadlines(days, states, ctx.today)
    if deadlines is not None:
        deadlines.found = [(due, locate(loaded, f)) for due, f in deadlines.found]
    return [locate(loaded, f) for f in findings if not errors_only or f.severity == "error"]


class Deadlines:
    """A case's overdue findings on any day: each with the day it is due.

    A finding is worded as on the day after its due date (overdue by one day); on a day
    ``d`` after that it stands at index ``at`` of the other findings, overdue by ``d - due``
    days (:func:`overdue_on`), as :func:`overdue_findings` words it on that day.
    """

    def __init__(self) -> None:
        self.at = 0
        self.found: list[tuple[int, Finding]] = []


def _deadline_findings(
    data: dict[str, Any],
    shown: str,
    plays: Playbook,
    ctx: CaseContext,
    states: list[ActionState],
) -> list[tuple[int, Finding]]:
    """The overdue finding of each required open action with a due date, as its first day."""
    out = []
    for state in states:
        if state.done or state.due is None or not state.action.required:
            continue
        try:
            after = state.due + dt.timedelta(days=1)
        except OverflowError:
            continue  # due on the last day there is: never overdue
        for found in overdue_findings(
            data, shown, plays, ctx.calendar, after, ctx.config.overdue, states=[state]
        ):
            out.append((state.due.toordinal(), found))
    return out


def overdue_on(due: int, found: Finding, day: int) -> Finding:
    """An overdue finding of :class:`Deadlines` (``day`` after ``due``), worded for ``day``."""
    worded = found.worded
    assert worded is not None and worded.fields[0][0] == "n"
    late = day - due
    return Finding(
        found.path,
        found.line,
        found.col,
        found.code,
        found.severity,
        pointer=found.pointer,
        hint=found.hint,
        worded=Said(worded.template, (("n", str(late)), *worded.fields[1:]), worded.plural, late),
        hint_worded=found.hint_worded,
    )


def with_overdue(findings: list[Finding], deadlines: Deadlines, day: int) -> list[Finding]:
    """``findings`` with the overdue findings of ``deadlines`` on ``day`` (an ordinal)."""
    late = [overdue_on(due, found, day) for due, found in deadlines.found if due < day]
    if not late:
        return findings
    return [*findings[: deadlines.at], *late, *findings[deadlines.at :]]


FOREVER = (1, dt.date.max.toordinal())
"""Days as ordinals: the widest span a result can hold for."""


def _narrow_to_dates(days: list[int], past: list[dt.date], today: dt.date) -> None:
    """Narrow ``days`` ([first, last] ordinal) to when the dated-facts rule answers the same.

    ``past`` are the past-fact dates the rule compared with today. A date after today is a
    finding that names today: it holds for today only. A date on or before today stays a
    non-finding for every later day.
    """
    if not past:
        return
    now = today.toordinal()
    latest = max(past).toordinal()
    if latest > now:
        days[0] = days[1] = now
    else:
        days[0] = max(days[0], latest)


def _narrow_to_deadlines(days: list[int], states: list[ActionState], today: dt.date) -> None:
    """Narrow ``days`` to when the overdue findings read the same.

    An overdue action names the days it is late by: it holds for today only. One not yet
    due stays so up to its due date.
    """
    now = today.toordinal()
    for state in states:
        if state.done or state.due is None or not state.action.required:
            continue
        due = state.due.toordinal()
        if due < now:
            days[0] = days[1] = now
            return
        days[1] = min(days[1], due)


def _version_finding(data: dict[str, Any], path: str) -> Finding | None:
    version = data.get("schema_version")
    if type(version) is int and version == CASE_FORMAT:
        return None  # the usual case, without loading the migrations
    from clr.cases.migrate import CURRENT_VERSION, path_from, version_of

    version = version_of(data)
    if version is None or version == CURRENT_VERSION:
        return None
    if version > CURRENT_VERSION:
        return finding(
            path,
            0,
            0,
            "CLR213",
            said(
                N_("case format {version} is newer than this clr understands ({current})"),
                version=version,
                current=CURRENT_VERSION,
            ),
            said(N_("upgrade clr")),
            pointer="/schema_version",
        )
    if path_from(version) is None:
        return finding(
            path,
            0,
            0,
            "CLR213",
            said(N_("case format {version} is older than any clr can upgrade"), version=version),
            said(N_("update the file by hand to format {current}"), current=CURRENT_VERSION),
            pointer="/schema_version",
        )
    return finding(
        path,
        0,
        0,
        "CLR213",
        said(
            N_("case format {version} is out of date (current: {current})"),
            version=version,
            current=CURRENT_VERSION,
        ),
        said(N_("run: clr migrate (add --dry-run to see the changes first)")),
        pointer="/schema_version",
    )


def _unknown_ticks(data: dict[str, Any], path: str, playbook: Playbook) -> list[Finding]:
    checklist = data.get("checklist")
    if not isinstance(checklist, dict):
        return []
    return [
        finding(
            path,
            0,
            0,
            "CLR215",
            said(
                N_("checklist item {item} is not in playbook {playbook}"),
                item=repr(item),
                playbook=playbook.name,
            ),
            said(N_("check the spelling: 'clr playbook show' lists the item ids")),
            severity="warning",
            pointer=f"/checklist/{item}",
        )
        for item in checklist
        if playbook.action(item) is None
    ]


def locate(loaded: yamlio.Loaded, finding: Finding) -> Finding:
    """Give a finding the line and column of its pointer, if it has none yet."""
    if finding.line or not loaded.text:
        return finding
    line, col = loaded.locate(finding.pointer, key=finding.code == "CLR104")
    return finding.at(line, col)


def check_case_file(
    path: Path,
    ctx: CaseContext,
    raw: bytes | None = None,
    shown: str | None = None,
    *,
    days: list[int] | None = None,
    deadlines: Deadlines | None = None,
) -> FileReport:
    """Read (unless ``raw`` is given) and check one case file; never raises for bad content.

    ``days``, ``deadlines``: see :func:`check_case_data`.
    """
    shown = shown if shown is not None else display_path(path)
    loaded = yamlio.read_file(path, shown) if raw is None else yamlio.parse_bytes(raw, shown)
    report = FileReport(loaded.path)
    if loaded.data is None:
        report.findings = loaded.findings
        return report
    data: dict[str, Any] = loaded.data
    report.case_id = data.get("id") if isinstance(data.get("id"), str) else None
    report.stage = data.get("stage") if isinstance(data.get("stage"), str) else None
    report.findings = check_case_data(loaded, path, ctx, days=days, deadlines=deadlines)
    return report


def _targets(paths: Sequence[Path]) -> tuple[list[Path], list[Path], list[Path], list[Path]]:
    """Sort the given paths into repository roots, case files and missing paths.

    The fourth list holds the repositories whose settings alone are asked for: their
    clr.yaml or a playbook file was given.
    """
    roots: list[Path] = []
    files: list[Path] = []
    missing: list[Path] = []
    settings: list[Path] = []
    for path in paths:
        if not path.exists() and not path.is_symlink():
            missing.append(path)
        elif (root := _settings_root(path)) is not None:
            settings.append(root)
        elif path.name == CASE_FILE:
            files.append(path)  # even if it is a folder or a pipe: reading it says what it is
        elif path.is_dir() and (path / CONFIG_NAME).is_file():
            roots.append(path)
        elif path.is_dir() and (path / CASE_FILE).is_file():
            files.append(path / CASE_FILE)
        elif path.is_dir():
            files.extend(sorted(path.rglob(CASE_FILE)))
        else:
            files.append(path)
    return roots, files, missing, settings


def _settings_root(path: Path) -> Path | None:
    """The repository whose clr.yaml, or playbook in playbooks/, ``path`` is (else None).

    Such a file is checked as what it is (settings, a playbook), not as a case.
    """
    if not path.is_file() or path.suffix not in (".yaml", ".yml"):
        return None
    folder = path.parent
    if path.name == CONFIG_NAME:
        return folder
    if folder.name == "playbooks" and (folder.parent / CONFIG_NAME).is_file():
        return folder.parent
    return None


def validate_paths(
    paths: Sequence[Path],
    *,
    today: dt.date,
    use_cache: bool = True,
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    shard: tuple[int, int] | None = None,
) -> Report:
    """Validate case files, case folders and whole repositories.

    ``progress(done, total)`` is called as files that had to be checked are done.

    ``shard`` (K, N) checks only the K-th of N parts of the case files (1-based), chosen by
    a hash of each file's path in its repository, so that N runs (a CI matrix) share the
    work. Findings about the repository as a whole (clr.yaml, playbooks, the layout,
    identity and key files) come with part 1; a case id used twice is reported on each
    holder by the part that holds it. Together the N reports hold exactly the findings of
    one run over everything.

    Raises:
        ClrError: a path does not exist.
    """
    with no_collection():
        return _validate_paths(
            paths, today=today, use_cache=use_cache, jobs=jobs, progress=progress, shard=shard
        )


def _validate_paths(
    paths: Sequence[Path],
    *,
    today: dt.date,
    use_cache: bool,
    jobs: int | None,
    progress: Callable[[int, int], None] | None,
    shard: tuple[int, int] | None,
) -> Report:
    roots, files, missing, settings = _targets(paths)
    if missing:
        raise ClrError(
            said(
                N_("no such file or folder: {paths}"),
                paths=", ".join(display_path(p) for p in missing),
            ),
            hint=said(N_("give a case file, a case folder or a case repository")),
        )
    report = Report()
    configs: dict[Path | None, Config] = {}
    contexts: dict[Path | None, tuple[CaseContext, bool]] = {}

    def config_for(root: Path | None) -> Config:
        if root not in configs:
            config = Config()
            if root is not None:
                config, problems = read_config(root, remember=use_cache)
                if problems:
                    report.files.append(FileReport(problems[0].path, problems))
                    report.config_error = True
            configs[root] = config
        return configs[root]

    def context_for(root: Path | None) -> tuple[CaseContext, bool]:
        """The context (its playbooks built: about 0.1 s) and whether they had no fault."""
        if root not in contexts:
            # Findings are a machine interface (codes, JSON, SARIF, JUnit, GitLab): they
            # quote the playbook in English whatever language clr speaks.
            ctx, playbook_reports = repository_context(root, today, config_for(root), "en")
            report.files.extend(playbook_reports)
            contexts[root] = ctx, not playbook_reports
        return contexts[root]

    # (file, root, shown, cache name); for a repository's own cases these are plain joins
    # of strings (10,000 Path objects and relative paths cost more than a warm run's cache).
    by_root: dict[Path | None, list[tuple[Path | str, str, str | None]]] = {}
    seen: set[str] = set()

    def add(file: Path | str, key: str, root: Path | None, shown: str, name: str | None) -> None:
        if key not in seen:
            seen.add(key)
            by_root.setdefault(root, []).append((file, shown, name))

    # git looks for plaintext identity files while the cases are checked; its answer is
    # read at the end. It is asked only about the folders that may hold one.
    asked: dict[Path, privacy.GitQuery] = {}
    settled: set[Path | None] = set()  # playbooks known without fault, and not built
    try:
        scanned_ids: dict[Path, list[str]] = {}
        for root in roots:
            repo = Repository(root, config_for(root))
            odd: list[str] = []
            scanned, temporary = repo.scan_all(
                use_cache=use_cache, watched=privacy.WATCHED_NAMES, odd=odd
            )
            asked[root] = privacy.GitQuery(root, odd)
            layout = repo.layout_findings(scanned, temporary)
            if layout:
                report.files.extend(FileReport(f.path, [f]) for f in layout)
            scanned_ids[root] = scanned[0]
            group = by_root.setdefault(root, [])
            if not seen:  # the usual case: one repository, its names all new
                group += _case_files(root, scanned[0])
                seen.update([str(full) for full, _, _ in group])
                continue
            for full, shown, name in _case_files(root, scanned[0]):
                add(full, full, root, shown, name)
        for file in files:
            file_root = find_root(file.parent)
            key = os.path.abspath(file)  # noqa: PTH100 - no system calls
            add(file, key, file_root, display_path(file), _cache_name(file, file_root))
        mine: set[int] = set()  # the case reports of this shard
        others: set[int] = set()  # stand-ins for the other shards' case files (their ids)
        for file_root, group in by_root.items():
            config_for(file_root)
            cached = use_cache and not report.config_error
            ours = (
                None
                if shard is None
                else [
                    in_shard(name if name is not None else shown, shard) for _, shown, name in group
                ]
            )
            checked, known = _check_group(
                group if ours is None else [f for f, our in zip(group, ours, strict=True) if our],
                file_root,
                functools.partial(context_for, file_root),
                today,
                use_cache=cached,
                jobs=jobs,
                progress=progress,
                whole=ours is None and file_root in roots,
            )
            if known:
                settled.add(file_root)
            mine.update(map(id, checked))
            if ours is None:
                report.files.extend(checked)
                continue
            stand_ins = _stand_ins([f for f, our in zip(group, ours, strict=True) if not our], jobs)
            others.update(map(id, stand_ins))
            ordered = iter(checked), iter(stand_ins)
            report.files.extend(next(ordered[0] if our else ordered[1]) for our in ours)
        for root in roots:
            report.files.extend(
                privacy.repository_privacy_findings(root, report.files, git=asked.pop(root))
            )
            config = config_for(root)
            found = retention.repository_findings(
                root, config, scanned_ids[root], use_cache=use_cache
            )
            if found:
                report.files.extend(_merge_reports(report.files, found))
    finally:
        for query in asked.values():
            query.cancel()
    for some_root in [*roots, *by_root, *settings]:
        if some_root not in contexts and some_root not in settled:
            context_for(some_root)  # the findings about its playbooks
    report.files.extend(_duplicate_ids(report.files))
    if shard is not None:
        first = shard[0] == 1
        report.files = [r for r in report.files if id(r) in mine or (first and id(r) not in others)]
    report.files.sort(key=operator.attrgetter("path"))
    return report


def _case_files(root: Path, ids: list[str]) -> Iterator[tuple[str, str, str]]:
    """The absolute path, shown path and cache name of each case file of a repository.

    Shown paths are relative to the current folder as :func:`display_path` makes them:
    worked out for one name and the others put in its place, which comes to the same
    wherever the current folder is, except inside ``cases/`` itself.
    """
    here = os.getcwd()  # noqa: PTH109 - a string, once
    base = os.path.abspath(root)  # noqa: PTH100
    base += "" if base.endswith("/") else "/"  # "/" itself: as os.path.join makes it
    cases = f"{base}{CASES_DIR}"
    tail = f"x/{CASE_FILE}"
    probe = display_path(f"{cases}/{tail}", here)
    head = probe[: -len(tail)]
    by_name = probe.endswith(tail) and head[-1:] in ("", "/")
    by_name = by_name and here != cases and not here.startswith(f"{cases}/")
    names = [f"{CASES_DIR}/{case_id}/{CASE_FILE}" for case_id in ids]
    fulls = [f"{base}{name}" for name in names]
    if by_name:
        shown = [f"{head}{case_id}/{CASE_FILE}" for case_id in ids]
    else:
        shown = [display_path(full, here) for full in fulls]
    return zip(fulls, shown, names, strict=True)


def _merge_reports(files: list[FileReport], new: list[FileReport]) -> list[FileReport]:
    """Add the findings of ``new`` to the reports of the same files; return the others."""
    by_path = {r.path: r for r in files}
    rest = []
    for report in new:
        holder = by_path.get(report.path)
        if holder is None:
            rest.append(report)
        else:
            holder.findings.extend(report.findings)
    return rest


def parse_shard(text: str) -> tuple[int, int]:
    """``K/N`` (1 <= K <= N) as (K, N).

    Raises:
        ValueError: it is not of that form, with a message saying what is expected.
    """
    k, sep, n = text.partition("/")
    if sep and k.strip().isdigit() and n.strip().isdigit():
        part, parts = int(k), int(n)
        if 1 <= part <= parts:
            return part, parts
    raise ValueError(f"{text!r} is not a shard: write K/N with 1 <= K <= N, e.g. 2/4")


def in_shard(name: str, shard: tuple[int, int]) -> bool:
    """Whether the file ``name`` (its path in its repository) belongs to shard (K, N)."""
    import hashlib

    number = int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big")
    return number % shard[1] == shard[0] - 1


def _ids_chunk(items: list[tuple[Path | str, str]]) -> list[str | None]:
    out: list[str | None] = []
    for path, shown in items:
        data = yamlio.read_file(Path(path), shown).data
        case_id = data.get("id") if data is not None else None
        out.append(case_id if isinstance(case_id, str) else None)
    return out


def _stand_ins(
    files: list[tuple[Path | str, str, str | None]], jobs: int | None
) -> list[FileReport]:
    """Reports without findings for case files of other shards, holding their case ids.

    A case id used twice is found only when every file's id is known.
    """
    from clr.io.pool import run_chunks

    with collecting():
        ids = run_chunks(_ids_chunk, [(path, shown) for path, shown, _ in files], (), jobs)
    return [
        FileReport(shown, [], case_id) for (_, shown, _), case_id in zip(files, ids, strict=True)
    ]


def _id_position(shown: str) -> tuple[int, int]:
    loaded = yamlio.read_file(Path(shown), shown)
    return loaded.locate("/id") if loaded.ok else (1, 1)


def _duplicate_ids(files: list[FileReport]) -> list[FileReport]:
    from collections import Counter

    ids = [report.case_id for report in files]
    if len(set(ids)) == len(ids):
        return []  # the usual case: no id twice (None at most once)
    counts = Counter(ids)
    twice = {case_id for case_id, n in counts.items() if n > 1 and case_id}
    by_id: dict[str, list[FileReport]] = {}
    for report in files:
        if report.case_id in twice:
            by_id.setdefault(report.case_id, []).append(report)
    for case_id, holders in by_id.items():
        if len(holders) > 1:
            names = ", ".join(r.path for r in holders)
            for holder in holders:
                line, col = _id_position(holder.path)
                holder.findings.append(
                    Finding(
                        holder.path,
                        line,
                        col,
                        "CLR204",
                        pointer="/id",
                        worded=said(N_("case id {id} is used by {files}"), id=case_id, files=names),
                        hint_worded=said(
                            N_("each case needs its own id: make a new one for the copy")
                        ),
                    )
                )
    return []


def _read(path: Path | str) -> bytes | None:
    try:
        return yamlio.read_bytes(path)
    except OSError:
        return None


Checked = tuple[FileReport | None, str, int, int, "Deadlines | None"]
"""A checked file: its report (None: its content is the cached one), content hash, days,
its deadlines (the report's findings are without the overdue ones)."""


def _check_chunk(items: list[tuple[Path | str, str, str, bool]], ctx: CaseContext) -> list[Checked]:
    """Read and check files (in a worker: the parent sends names, not contents).

    Each item is (path, shown, the content hash of its cached result or "", whether to hash
    the content); a file whose content is the cached one is not checked again.
    """
    from clr.io import cache

    out: list[Checked] = []
    for path, shown, known, hashing in items:
        raw = _read(path)
        content = cache.digest(raw) if hashing and raw is not None else ""
        if known and content == known:
            out.append((None, content, 0, 0, None))
            continue
        days = list(FOREVER)
        deadlines = Deadlines()
        report = check_case_file(Path(path), ctx, raw, shown, days=days, deadlines=deadlines)
        out.append((report, content, days[0], days[1], deadlines))
    return out


def _check_group(
    files: list[tuple[Path | str, str, str | None]],
    root: Path | None,
    context: Callable[[], tuple[CaseContext, bool]],
    today: dt.date,
    *,
    use_cache: bool,
    jobs: int | None,
    progress: Callable[[int, int], None] | None = None,
    whole: bool = False,
) -> tuple[list[FileReport], bool]:
    """Check the case files of one repository, from the cache where nothing changed.

    The cache's entries hold for a span of days (see :func:`check_case_data`) and keep
    each deadline's overdue finding apart, worded on the day it is read, so a new day
    does not make them stale. ``whole``: these are all of the repository's cases, and
    entries of other files are forgotten; a run over some of them keeps the others.

    ``context()`` builds the context (the playbooks) and says whether its playbooks had no
    fault; it is called only if a file is checked or the cache does not know that they had
    none. Returns the reports and whether ``context()`` was left uncalled so.
    """
    from clr.io import cache

    store = None
    day = today.toordinal()
    if use_cache and root is not None:
        # Every playbook, the bundled ones too: in a source checkout they are not among
        # clr's own files that the key covers.
        plays = list(playbook_paths(root).values())
        store = cache.ResultCache(root, cache.context_key(root, plays, "", "validate"))
    results: list[FileReport | None] = [None] * len(files)
    todo: list[tuple[int, Path | str, str, str, tuple[int, ...]]] = []
    _look_up(files, store, day, results, todo)
    checked = (
        _run(
            [
                (path, shown, known, store is not None and files[i][2] is not None)
                for i, path, shown, known, _ in todo
            ],
            context()[0],
            jobs,
            progress,
        )
        if todo
        else []
    )
    for (i, _path, shown, _known, status), (file_report, content, first, last, deadlines) in zip(
        todo, checked, strict=True
    ):
        name = files[i][2]
        if file_report is None:  # the content is the cached one
            assert store is not None and name is not None
            store.note_status(name, status)
            results[i] = _from_cache(shown, store.get(name, content, day), day)
            continue
        if store is not None and content and name is not None:
            store.put(name, content, _to_cache(file_report, deadlines), status, (first, last))
        if deadlines is not None:
            file_report.findings = with_overdue(file_report.findings, deadlines, day)
        results[i] = file_report
    untouched = False
    if store is None or todo or store.flags.get(PLAYBOOKS_FLAG) is not True:
        _, faultless = context()
        if store is not None:
            store.set_flag(PLAYBOOKS_FLAG, faultless)
    else:
        untouched = True  # no file to check, and the playbooks as they were: no fault
    if store is not None:
        if whole and (todo or len(store.entries) != len(files)):
            # (Every file found in the cache, as many entries as files: nothing to forget.)
            store.keep_only({name for _, _, name in files if name is not None})
        store.save()
    return [r for r in results if r is not None], untouched


def _look_up(
    files: list[tuple[Path | str, str, str | None]],
    store: cache.ResultCache | None,
    day: int,
    results: list[FileReport | None],
    todo: list[tuple[int, Path | str, str, str, tuple[int, ...]]],
) -> None:
    """Fill ``results`` from the cache; what it does not hold goes to ``todo``."""
    import stat

    if store is None:
        todo.extend((i, path, shown, "", ()) for i, (path, shown, _) in enumerate(files))
        return
    get, content_of = store.entries.get, store.content_of
    stat_of, regular = os.stat, stat.S_ISREG
    for i, (path, shown, name) in enumerate(files):
        if name is None:
            todo.append((i, path, shown, "", ()))
            continue
        try:  # cache.file_status, inline: before reading, so that a later change shows
            st = stat_of(path)
        except OSError:
            todo.append((i, path, shown, content_of(name, day), ()))
            continue
        status = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
        # ResultCache.get_unchanged, inline: 10,000 calls cost more than the look-ups. A
        # status is recorded only for a regular file, and another file cannot have it.
        entry = get(name)
        if entry is not None and entry[2] == status and entry[3] <= day <= entry[4]:
            result = entry[1]
            results[i] = (
                FileReport(shown, [], result[0], result[1])
                if not result[2] and day < result[3]
                else _from_cache(shown, result, day)
            )
            continue
        todo.append((i, path, shown, content_of(name, day), status if regular(st.st_mode) else ()))


PLAYBOOKS_FLAG = "playbooks-faultless"
"""The result cache's note that the playbooks of its context were checked without finding."""


def _cache_name(path: Path, root: Path | None) -> str | None:
    # Lexical (no system calls): entries are keyed by content, so a link is safe too.
    if root is None:
        return None
    try:
        return Path(os.path.abspath(path)).relative_to(os.path.abspath(root)).as_posix()  # noqa: PTH100
    except ValueError:
        return None


def _run(
    items: list[tuple[Path | str, str, str, bool]],
    ctx: CaseContext,
    jobs: int | None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Checked]:
    from clr.io.pool import run_chunks

    with collecting():
        return run_chunks(_check_chunk, items, (ctx,), jobs, progress)


NEVER_LATE = dt.date.max.toordinal() + 1
"""A cached result's first day with an overdue finding, for a case without deadlines."""


def _finding_row(f: Finding) -> list[Any]:
    return [
        *(f.line, f.col, f.code, f.severity, f.message, f.pointer, f.hint),
        f.worded.row() if f.worded else None,
        f.hint_worded.row() if f.hint_worded else None,
    ]


def _to_cache(report: FileReport, deadlines: Deadlines | None) -> cache.Result:
    """A report as the result cache keeps it.

    (case id, stage, findings, the first day with an overdue finding, the deadlines), the
    findings and deadlines as JSON text ("" for none).
    """
    import json

    rows = json.dumps([_finding_row(f) for f in report.findings]) if report.findings else ""
    if deadlines is None or not deadlines.found:
        return report.case_id, report.stage, rows, NEVER_LATE, ""
    late = [[due, _finding_row(f)] for due, f in deadlines.found]
    first = min(due for due, _ in deadlines.found) + 1
    return report.case_id, report.stage, rows, first, json.dumps([deadlines.at, late])


def _findings_from_rows(path: str, rows: list[Any]) -> list[Finding]:
    return [
        Finding(
            path,
            line,
            col,
            code,
            severity,
            message=message,
            pointer=pointer,
            hint=hint,
            worded=Said.from_row(worded),
            hint_worded=Said.from_row(hint_worded),
        )
        for line, col, code, severity, message, pointer, hint, worded, hint_worded in rows
    ]


def _from_cache(path: str, result: cache.Result, day: int) -> FileReport:
    """A report from the result cache (:func:`_to_cache`), its overdue findings as of ``day``."""
    import json

    case_id, stage, rows, late_from, late = result
    findings = _findings_from_rows(path, json.loads(rows)) if rows else []
    if day >= late_from:
        at, found = json.loads(late)
        deadlines = Deadlines()
        deadlines.at = at
        made = _findings_from_rows(path, [row for _, row in found])
        deadlines.found = [(due, f) for (due, _), f in zip(found, made, strict=True)]
        findings = with_overdue(findings, deadlines, day)
    return FileReport(path, findings, case_id, stage)
