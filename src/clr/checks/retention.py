"""Checks of data protection: retention periods, the same child twice, case keys.

* CLR601 (per case): a closed case is past its retention period (``retention`` in
  clr.yaml) and not under legal hold: its personal data is due for erasure.
* CLR602: two cases share a keyed fingerprint: they may be about the same child.
* CLR603: an erased case's key is still in the key store (an erasure cut short).
* CLR604: with a key store, an identity file has no key of its own (``clr migrate``).

CLR601 depends only on the case, clr.yaml and the day, so it is checked with the other
rules of a case (and cached with them). The others look across cases or at the key store:
they read the case files' bytes once and parse only the few that need it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

from clr.checks.results import FileReport
from clr.i18n import N_
from clr.io import files, yamlio
from clr.model.findings import Finding, finding, said
from clr.model.fingerprint import pairs
from clr.model.retention import standing
from clr.repo.repository import CASE_FILE, CASES_DIR, Config, display_path

_PRINT = re.compile(rb"v1:[0-9a-f]{32}")


def case_retention_findings(
    data: dict[str, Any], shown: str, policy: dict[str, Any] | None, today: dt.date
) -> list[Finding]:
    """CLR601 for one case, if the policy makes it due on ``today``."""
    if not policy:
        return []
    due = standing(policy, data, today)
    if due.status != "due":
        return []
    return [
        finding(
            shown,
            0,
            0,
            "CLR601",
            said(
                N_(
                    "past its retention period since {due} ({years} years after closure for "
                    "{reason}): its personal data is due for erasure"
                ),
                due=due.due,
                years=f"{due.years:g}",
                reason=due.reason,
            ),
            said(
                N_(
                    "{plan} lists what is due; {apply} erases it (or put it under legal_hold "
                    "in clr.yaml)"
                ),
                plan="clr retention plan",
                apply="clr retention apply --approved-by NAME",
            ),
            severity="warning",
            pointer="/closure/date",
        )
    ]


def repository_findings(
    root: Path, config: Config, case_ids: list[str], *, use_cache: bool = True
) -> list[FileReport]:
    """CLR602, CLR603 and CLR604 for a repository with a key store (none without one).

    ``use_cache``: remember what was read in ``.clr-cache/`` (and trust what is there).
    """
    from clr.cases.keystore import open_store

    store = open_store(root, config.key_store)
    if store is None or not store.exists:
        return []  # a missing store is said by the commands that need it
    from clr.cases.identity import IDENTITY_FILE
    from clr.io.cache import settled, status

    out: dict[str, list[Finding]] = {}
    printed: dict[str, str] = {}
    by_print: dict[str, list[str]] = {}
    memo = _load_memo(root) if use_cache else {}
    fresh: dict[str, list[Any]] = {}
    keyed = set(store.case_ids())  # one listing, not a probe per case
    base = os.path.join(root, CASES_DIR)  # noqa: PTH118 - strings: thousands of cases
    for case_id in case_ids:
        folder = os.path.join(base, case_id)  # noqa: PTH118
        name = os.path.join(folder, CASE_FILE)  # noqa: PTH118
        has_key = case_id in keyed
        if not has_key and os.path.isfile(os.path.join(folder, IDENTITY_FILE)):  # noqa: PTH113, PTH118
            shown = display_path(name)
            out.setdefault(shown, []).append(
                finding(
                    shown,
                    0,
                    0,
                    "CLR604",
                    said(
                        N_(
                            "the identity file is encrypted to the team's keys, not to a key of "
                            "the case's own: erasing it would leave it readable in git history"
                        )
                    ),
                    said(
                        N_("give it a case key: {command}"),
                        command="clr migrate --identity-file YOUR-KEY",
                    ),
                    severity="warning",
                )
            )
        seen = memo.get(case_id)
        now = status(name)
        if seen is not None and now and seen[0] == now:
            prints, erased = seen[1], seen[2]
        else:
            try:
                raw = files.read_bytes(name)
            except OSError:
                continue  # validating the file reports it
            prints = (
                sorted(p.decode() for p in _PRINT.findall(raw)) if b"fingerprints:" in raw else []
            )
            erased = b"erased:" in raw
            if settled(now):
                fresh[case_id] = [now, prints, erased]
        if seen is not None and case_id not in fresh and seen[0] == now:
            fresh[case_id] = seen
        if has_key and erased:
            shown = display_path(name)
            cut_short = _unfinished(Path(name), shown, case_id)
            if cut_short is not None:
                out.setdefault(shown, []).append(cut_short)
        if prints:
            printed[case_id] = name
            for value in prints:
                by_print.setdefault(value, []).append(case_id)
    if use_cache and fresh != memo:
        _save_memo(root, fresh)
    candidates = {c for ids in by_print.values() if len(ids) > 1 for c in ids}
    if candidates:
        _pairs(out, {c: printed[c] for c in sorted(candidates)})
    return [FileReport(shown, findings) for shown, findings in sorted(out.items())]


MEMO = "privacy.json"
"""In ``.clr-cache/``: each case file's fingerprints and erasure mark, by its status, so
that an unchanged file is not read again."""


def _load_memo(root: Path) -> dict[str, list[Any]]:
    import json

    try:
        loaded = json.loads(files.read_bytes(root / ".clr-cache" / MEMO, follow_symlinks=False))
    except (OSError, ValueError):
        return {}
    entries = (
        loaded.get("files") if isinstance(loaded, dict) and loaded.get("format") == 1 else None
    )
    if not isinstance(entries, dict):
        return {}
    return {k: v for k, v in entries.items() if isinstance(v, list) and len(v) == 3}


def _save_memo(root: Path, entries: dict[str, list[Any]]) -> None:
    import contextlib
    import json

    from clr.errors import ClrError
    from clr.io import atomic

    folder = root / ".clr-cache"
    with contextlib.suppress(OSError, ClrError):  # only a cache
        folder.mkdir(exist_ok=True)
        if not (folder / ".gitignore").exists():
            atomic.write(folder / ".gitignore", "*\n")
        atomic.write(folder / MEMO, json.dumps({"format": 1, "files": entries}))


def _unfinished(path: Path, shown: str, case_id: str) -> Finding | None:
    loaded = yamlio.read_file(path, shown)
    block = loaded.data.get("privacy") if isinstance(loaded.data, dict) else None
    if not isinstance(block, dict) or block.get("erased") is None:
        return None
    line, col = loaded.locate("/privacy/erased")
    return finding(
        shown,
        line,
        col,
        "CLR603",
        said(
            N_(
                "the case was erased, but its key is still in the key store: the erasure was "
                "cut short"
            )
        ),
        said(
            N_("finish it: {command} (with the same --ground and --approved-by) or {apply}"),
            command=f"clr erase {case_id}",
            apply="clr retention apply",
        ),
        pointer="/privacy/erased",
    )


def _pairs(out: dict[str, list[Finding]], candidates: dict[str, str]) -> None:
    """CLR602 on both cases of every pair that shares a fingerprint and is not linked."""
    loaded = {}
    for case_id, name in candidates.items():
        shown = display_path(name)
        read = yamlio.read_file(Path(name), shown)
        if isinstance(read.data, dict):
            loaded[case_id] = (shown, read)
    datas = [read.data for _, read in loaded.values() if read.data is not None]
    for first, second in pairs(datas):
        for this, other in ((first, second), (second, first)):
            if this not in loaded:
                continue
            shown, read = loaded[this]
            line, col = read.locate("/privacy/fingerprints")
            out.setdefault(shown, []).append(
                finding(
                    shown,
                    line,
                    col,
                    "CLR602",
                    said(
                        N_(
                            "possibly the same child as {other} (the same keyed fingerprint of "
                            "name, birth year and country)"
                        ),
                        other=other,
                    ),
                    said(
                        N_(
                            "compare them (clr duplicates --decrypt); if it is the same child, "
                            "add {other} to related_cases"
                        ),
                        other=other,
                    ),
                    severity="warning",
                    pointer="/privacy/fingerprints",
                )
            )
