"""Finding the case files that some paths name, grouped by repository.

A path may be a case repository (its ``clr.yaml`` lists the cases), a case folder, a case
file, or any folder (searched for case files). Identity files are refused: the bulk views
never read them.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from clr.errors import ClrError, NotARepository
from clr.i18n import N_
from clr.model.findings import said
from clr.repo.context import CaseContext, repository_context
from clr.repo.repository import (
    CASE_FILE,
    CONFIG_NAME,
    Config,
    Repository,
    display_path,
    find_root,
    is_identity_file,
)


@dataclass
class Selection:
    """The case files named by some paths, grouped by repository root."""

    groups: dict[Path | None, list[Path]] = field(default_factory=dict)
    contexts: dict[Path | None, CaseContext] = field(default_factory=dict)


def select(paths: Sequence[Path], today: dt.date) -> Selection:
    """Find the case files named by ``paths`` (repositories, case folders, case files).

    Raises:
        ClrError: a path does not exist, or names an identity file.
        ConfigError: a repository's ``clr.yaml`` is invalid.
    """
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise ClrError(
            said(
                N_("no such file or folder: {paths}"),
                paths=", ".join(display_path(p) for p in missing),
            ),
            hint=said(N_("give a case file, a case folder or a case repository")),
        )
    work: list[tuple[Path, Path | None, str]] = []  # file, its repository, its full name
    roots: dict[str, Path | None] = {}
    repositories: list[Path | None] = []  # given as such: checked even without a case
    cwd = os.getcwd()  # noqa: PTH109
    for path in paths:
        # lexists, not is_file(): a clr.yaml that is a pipe or a folder is reported
        if path.is_dir() and os.path.lexists(path / CONFIG_NAME):
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
                said(
                    N_("{path} is an identity file: clr never reads it for a summary"),
                    path=display_path(path),
                ),
                hint=said(N_("give the case file (case.yaml) or its folder")),
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
        selection.contexts[root], _reports = repository_context(root, today)
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
        if top or os.path.lexists(folder / CONFIG_NAME):
            memo[key] = find_root(folder)
        else:
            memo[key] = _root_of(parent, memo)
    return memo[key]


def targets(paths: Sequence[Path] | None) -> list[Path]:
    """What a bulk view reads: the paths given, else the case repository around the cwd.

    Raises:
        NotARepository: no paths were given and the cwd is not inside a case repository.
    """
    if paths:
        return list(paths)
    root = find_root(Path.cwd())
    if root is None:
        raise NotARepository(
            said(N_("this folder is not inside a case repository (no clr.yaml found)")),
            hint=said(N_("give the case repository or the case files, or cd into the repository")),
        )
    return [root]
