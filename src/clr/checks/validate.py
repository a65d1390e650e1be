"""Validating cases: every finding of every file, for people and for CI."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from clr import CASE_FORMAT
from clr.checks import privacy, rules, schemas
from clr.checks.results import FileReport, Report
from clr.errors import ClrError
from clr.io import yamlio
from clr.model import practice, stages
from clr.model.findings import Finding
from clr.model.playbook import Playbook, playbook_paths
from clr.model.workflow import overdue_findings
from clr.repo.context import CaseContext, repository_context
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
    loaded: yamlio.Loaded, path: Path, ctx: CaseContext, *, errors_only: bool = False
) -> list[Finding]:
    """Schema and rule findings for a parsed case, positions filled in.

    With ``errors_only`` warnings are left out before positions are worked out (finding a
    position parses the file again, with the slower reader that keeps positions).
    """
    data = loaded.data
    assert data is not None
    shown = loaded.path
    seen: set[tuple[str, str]] = set()
    findings = list(loaded.findings)
    outdated = _version_finding(data, shown)
    if outdated is not None:
        return [locate(loaded, f) for f in [*findings, outdated]]
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
    )
    findings += rules.check_case(data, shown, rule_ctx)
    findings += privacy.case_privacy_findings(data, shown, loaded.locate)
    if isinstance(name, str) and name not in ctx.playbooks:
        findings.append(
            Finding(
                shown,
                0,
                0,
                "CLR211",
                message=f"unknown playbook {name!r}",
                pointer="/playbook",
                hint=f"one of: {', '.join(sorted(ctx.playbooks))}, or add playbooks/{name}.yaml",
            )
        )
    plays = ctx.playbooks.get(name) if isinstance(name, str) else None
    if plays is not None and not any(f.severity == "error" for f in findings):
        findings += overdue_findings(
            data, shown, plays, ctx.calendar, ctx.today, ctx.config.overdue
        )
        findings += _unknown_ticks(data, shown, plays)
    return [locate(loaded, f) for f in findings if not errors_only or f.severity == "error"]


def _version_finding(data: dict[str, Any], path: str) -> Finding | None:
    version = data.get("schema_version")
    if type(version) is int and version == CASE_FORMAT:
        return None  # the usual case, without loading the migrations
    from clr.cases.migrate import CURRENT_VERSION, path_from, version_of

    version = version_of(data)
    if version is None or version == CURRENT_VERSION:
        return None
    if version > CURRENT_VERSION:
        return Finding(
            path,
            0,
            0,
            "CLR213",
            message=f"case format {version} is newer than this clr understands ({CURRENT_VERSION})",
            pointer="/schema_version",
            hint="upgrade clr",
        )
    if path_from(version) is None:
        return Finding(
            path,
            0,
            0,
            "CLR213",
            message=f"case format {version} is older than any clr can upgrade",
            pointer="/schema_version",
            hint=f"update the file by hand to format {CURRENT_VERSION}",
        )
    return Finding(
        path,
        0,
        0,
        "CLR213",
        message=f"case format {version} is out of date (current: {CURRENT_VERSION})",
        pointer="/schema_version",
        hint="run: clr migrate (add --dry-run to see the changes first)",
    )


def _unknown_ticks(data: dict[str, Any], path: str, playbook: Playbook) -> list[Finding]:
    checklist = data.get("checklist")
    if not isinstance(checklist, dict):
        return []
    return [
        Finding(
            path,
            0,
            0,
            "CLR215",
            "warning",
            message=f"checklist item {item!r} is not in playbook {playbook.name}",
            pointer=f"/checklist/{item}",
            hint="check the spelling: 'clr playbook show' lists the item ids",
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
    path: Path, ctx: CaseContext, raw: bytes | None = None, shown: str | None = None
) -> FileReport:
    """Read (unless ``raw`` is given) and check one case file; never raises for bad content."""
    shown = shown if shown is not None else display_path(path)
    loaded = yamlio.read_file(path, shown) if raw is None else yamlio.parse_bytes(raw, shown)
    report = FileReport(loaded.path)
    if loaded.data is None:
        report.findings = loaded.findings
        return report
    data: dict[str, Any] = loaded.data
    report.case_id = data.get("id") if isinstance(data.get("id"), str) else None
    report.stage = data.get("stage") if isinstance(data.get("stage"), str) else None
    report.findings = check_case_data(loaded, path, ctx)
    return report


def _targets(paths: Sequence[Path]) -> tuple[list[Path], list[Path], list[Path]]:
    """Sort the given paths into repository roots, case files, and missing paths."""
    roots: list[Path] = []
    files: list[Path] = []
    missing: list[Path] = []
    for path in paths:
        if not path.exists() and not path.is_symlink():
            missing.append(path)
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
    return roots, files, missing


def validate_paths(
    paths: Sequence[Path],
    *,
    today: dt.date,
    use_cache: bool = True,
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Validate case files, case folders and whole repositories.

    ``progress(done, total)`` is called as files that had to be checked are done.

    Raises:
        ClrError: a path does not exist.
    """
    roots, files, missing = _targets(paths)
    if missing:
        raise ClrError(
            f"no such file or folder: {', '.join(display_path(p) for p in missing)}",
            hint="give a case file, a case folder or a case repository",
        )
    report = Report()
    contexts: dict[Path | None, CaseContext] = {}

    def context_for(root: Path | None) -> CaseContext:
        if root not in contexts:
            config = Config()
            if root is not None:
                config, problems = read_config(root)
                if problems:
                    report.files.append(FileReport(problems[0].path, problems))
                    report.config_error = True
            contexts[root], playbook_reports = repository_context(root, today, config)
            report.files.extend(playbook_reports)
        return contexts[root]

    # (file, root, shown, cache name); for a repository's own cases these are plain joins.
    by_root: dict[Path | None, list[tuple[Path, str, str | None]]] = {}
    seen: set[str] = set()

    def add(file: Path, root: Path | None, shown: str, name: str | None) -> None:
        key = os.path.abspath(file)  # noqa: PTH100 - no system calls
        if key not in seen:
            seen.add(key)
            by_root.setdefault(root, []).append((file, shown, name))

    for root in roots:
        repo = Repository(root, context_for(root).config)
        scanned, temporary = repo.scan_all(use_cache=use_cache)
        layout = repo.layout_findings(scanned, temporary)
        if layout:
            report.files.extend(FileReport(f.path, [f]) for f in layout)
        here = os.getcwd()  # noqa: PTH109 - a string, once
        base = os.path.abspath(root)  # noqa: PTH100
        for case_id in scanned[0]:
            name = f"{CASES_DIR}/{case_id}/{CASE_FILE}"
            shown = display_path(f"{base}/{name}", here)
            add(root / CASES_DIR / case_id / CASE_FILE, root, shown, name)
    for file in files:
        file_root = find_root(file.parent)
        add(file, file_root, display_path(file), _cache_name(file, file_root))
    for file_root, group in by_root.items():
        report.files.extend(
            _check_group(
                group,
                file_root,
                context_for(file_root),
                use_cache=use_cache and not report.config_error,
                jobs=jobs,
                progress=progress,
            )
        )
    for root in roots:
        report.files.extend(privacy.repository_privacy_findings(root, report.files))
    report.files.extend(_duplicate_ids(report.files))
    report.files.sort(key=lambda r: r.path)
    return report


def _id_position(shown: str) -> tuple[int, int]:
    loaded = yamlio.read_file(Path(shown), shown)
    return loaded.locate("/id") if loaded.ok else (1, 1)


def _duplicate_ids(files: list[FileReport]) -> list[FileReport]:
    by_id: dict[str, list[FileReport]] = {}
    for report in files:
        if report.case_id:
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
                        message=f"case id {case_id} is used by {names}",
                        pointer="/id",
                        hint="each case needs its own id: make a new one for the copy",
                    )
                )
    return []


def _read(path: Path) -> bytes | None:
    try:
        return yamlio.read_bytes(path)
    except OSError:
        return None


def _check_chunk(
    items: list[tuple[Path, bytes | None, str]],
    ctx: CaseContext,
) -> list[FileReport]:
    return [check_case_file(path, ctx, raw, shown) for path, raw, shown in items]


def _check_group(
    files: list[tuple[Path, str, str | None]],
    root: Path | None,
    ctx: CaseContext,
    *,
    use_cache: bool,
    jobs: int | None,
    progress: Callable[[int, int], None] | None = None,
) -> list[FileReport]:
    """Check the case files of one repository, from the cache where nothing changed."""
    from clr.io import cache

    store = None
    if use_cache and root is not None:
        plays = [p for p in playbook_paths(root).values() if root in p.parents]
        store = cache.ResultCache(
            root, cache.context_key(root, plays, ctx.today.isoformat(), "validate")
        )
    results: list[FileReport | None] = [None] * len(files)
    todo: list[tuple[int, Path, bytes | None, str, str, str]] = []
    for i, (path, shown, name) in enumerate(files):
        content = file_status = ""
        if store is not None and name is not None:
            file_status = cache.status(path)  # before reading: a later change shows
            hit = store.get_unchanged(name, file_status)
            if hit is not None:
                results[i] = _from_cache(shown, hit)
                continue
        raw = _read(path)
        if store is not None and raw is not None and name is not None:
            content = cache.digest(raw)
            hit = store.get(name, content)
            if hit is not None:
                store.note_status(name, file_status)
                results[i] = _from_cache(shown, hit)
                continue
        todo.append((i, path, raw, shown, content, file_status))
    checked = _run([(path, raw, shown) for _, path, raw, shown, _, _ in todo], ctx, jobs, progress)
    for (i, _path, _raw, _shown, content, file_status), file_report in zip(
        todo, checked, strict=True
    ):
        results[i] = file_report
        name = files[i][2]
        if store is not None and content and name is not None:
            store.put(name, content, _to_cache(file_report), file_status)
    if store is not None:
        store.keep_only({name for _, _, name in files if name is not None})
        store.save()
    return [r for r in results if r is not None]


def _cache_name(path: Path, root: Path | None) -> str | None:
    # Lexical (no system calls): entries are keyed by content, so a link is safe too.
    if root is None:
        return None
    try:
        return Path(os.path.abspath(path)).relative_to(os.path.abspath(root)).as_posix()  # noqa: PTH100
    except ValueError:
        return None


def _run(
    items: list[tuple[Path, bytes | None, str]],
    ctx: CaseContext,
    jobs: int | None,
    progress: Callable[[int, int], None] | None = None,
) -> list[FileReport]:
    from clr.io.pool import run_chunks

    return run_chunks(_check_chunk, items, (ctx,), jobs, progress)


def _to_cache(report: FileReport) -> list[Any]:
    rows = [
        [f.line, f.col, f.code, f.severity, f.message, f.pointer, f.hint] for f in report.findings
    ]
    return [report.case_id, report.stage, rows]


def _from_cache(path: str, entry: list[Any]) -> FileReport:
    case_id, stage, rows = entry
    findings = [
        Finding(path, line, col, code, severity, message=message, pointer=pointer, hint=hint)
        for line, col, code, severity, message, pointer, hint in rows
    ]
    return FileReport(path, findings, case_id, stage)
