"""Repository checks of data protection: retention periods, case keys, erasures cut short.

* CLR602: two cases share a keyed fingerprint: they may be about the same child.
* CLR601: a closed case is past its retention period (``retention`` in clr.yaml) and not
  under legal hold: its personal data is due for erasure (``clr retention apply``).
* CLR603: an erased case's key is still in the key store (an erasure cut short).
* CLR604: with a key store, an identity file has no key of its own (``clr migrate``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from clr.checks.results import FileReport
from clr.io import yamlio
from clr.model.findings import Finding
from clr.model.fingerprint import case_fingerprints, pairs
from clr.model.retention import standing
from clr.repo.repository import CASE_FILE, CASES_DIR, Config, display_path


def retention_findings(
    root: Path, config: Config, today: dt.date, case_ids: list[str]
) -> list[FileReport]:
    """The CLR6xx findings of a repository's cases (none without a policy or key store)."""
    from clr.cases.identity import IDENTITY_FILE
    from clr.cases.keystore import open_store

    store = open_store(root, config.key_store)
    if store is not None and not store.exists:
        store = None  # a missing store is said by the commands that need it
    policy = config.retention
    if not policy and store is None:
        return []
    out: list[FileReport] = []
    printed: list[tuple[dict[str, object], str, tuple[int, int]]] = []
    for case_id in case_ids:
        path = root / CASES_DIR / case_id / CASE_FILE
        shown = display_path(path)
        findings: list[Finding] = []
        has_key = store is not None and store.has(case_id)
        if store is not None and not has_key and (path.parent / IDENTITY_FILE).is_file():
            findings.append(
                Finding(
                    shown,
                    0,
                    0,
                    "CLR604",
                    "warning",
                    message="the identity file is encrypted to the team's keys, not to a key "
                    "of the case's own: erasing it would leave it readable in git history",
                    hint="give it a case key: clr migrate --identity-file YOUR-KEY",
                )
            )
        if policy or store is not None:
            loaded = yamlio.read_file(path, shown)
            data = loaded.data if isinstance(loaded.data, dict) else None
            if data is not None and case_fingerprints(data):
                printed.append((data, shown, loaded.locate("/privacy/fingerprints")))
            if data is not None:
                due = standing(policy or {}, data, today, has_key=has_key)
                if due.status == "due" and policy:
                    line, col = loaded.locate("/closure/date")
                    findings.append(
                        Finding(
                            shown,
                            line,
                            col,
                            "CLR601",
                            "warning",
                            message=f"past its retention period since {due.due} "
                            f"({due.years:g} years after closure for {due.reason}): its "
                            "personal data is due for erasure",
                            pointer="/closure/date",
                            hint="clr retention plan lists what is due; clr retention apply "
                            "--approved-by NAME erases it (or put it under legal_hold)",
                        )
                    )
                if due.status == "unfinished":
                    line, col = loaded.locate("/privacy/erased")
                    findings.append(
                        Finding(
                            shown,
                            line,
                            col,
                            "CLR603",
                            message="the case was erased, but its key is still in the key "
                            "store: the erasure was cut short",
                            pointer="/privacy/erased",
                            hint=f"finish it: clr erase {case_id} (with the same --ground and "
                            "--approved-by) or clr retention apply",
                        )
                    )
        if findings:
            out.append(FileReport(shown, findings))
    out += _pairs(printed)
    return out


def _pairs(printed: list[tuple[dict[str, object], str, tuple[int, int]]]) -> list[FileReport]:
    """CLR602 on both cases of every pair that shares a fingerprint."""
    where = {str(data.get("id")): (shown, at) for data, shown, at in printed}
    found: dict[str, list[Finding]] = {}
    for first, second in pairs([p[0] for p in printed]):
        for this, other in ((first, second), (second, first)):
            shown, (line, col) = where[this]
            found.setdefault(shown, []).append(
                Finding(
                    shown,
                    line,
                    col,
                    "CLR602",
                    "warning",
                    message=f"possibly the same child as {other} (the same keyed fingerprint "
                    "of name, birth year and country)",
                    pointer="/privacy/fingerprints",
                    hint=f"compare them (clr duplicates --decrypt); if it is the same child, "
                    f"add {other} to related_cases",
                )
            )
    return [FileReport(shown, findings) for shown, findings in sorted(found.items())]
