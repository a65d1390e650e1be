"""The retention register: every closed case against the retention policy in clr.yaml."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from clr.cases.keystore import KeyStore, open_store
from clr.errors import ConfigError
from clr.i18n import N_
from clr.io import yamlio
from clr.model.findings import said
from clr.model.retention import Due, standing
from clr.repo.repository import Repository, display_path

PLAN_COLUMNS = ("case", "status", "closed", "reason", "years", "due", "legal_hold")
"""The columns of ``clr retention plan --format csv``, in order."""


@dataclass
class Plan:
    """Where every case stands on ``as_of``; ``unreadable``: case files that did not read."""

    as_of: dt.date
    policy: dict[str, Any]
    cases: list[Due] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)

    def with_status(self, *wanted: str) -> list[Due]:
        """The cases whose status is one of ``wanted``."""
        return [d for d in self.cases if d.status in wanted]


def policy_of(repository: Repository) -> dict[str, Any]:
    """The repository's retention policy.

    Raises:
        ConfigError: clr.yaml has none.
    """
    policy = repository.config.retention
    if not policy:
        raise ConfigError(
            said(N_("clr.yaml has no retention policy")),
            hint=said(
                N_(
                    "add 'retention:' with basis, approver and years_after_closure (see "
                    "docs/data-protection.md), then run this again"
                )
            ),
        )
    return policy


def plan(repository: Repository, as_of: dt.date, store: KeyStore | None = None) -> Plan:
    """Where every case of ``repository`` stands against its retention policy on ``as_of``.

    Raises:
        ConfigError: clr.yaml has no retention policy.
    """
    policy = policy_of(repository)
    if store is None:
        store = open_store(repository.root, repository.config.key_store)
    out = Plan(as_of, policy)
    for path in repository.case_files():
        loaded = yamlio.read_file(path, display_path(path))
        if not isinstance(loaded.data, dict):
            out.unreadable.append(display_path(path))
            continue
        case_id = str(loaded.data.get("id", path.parent.name))
        has_key = store is not None and store.has(case_id)
        out.cases.append(standing(policy, loaded.data, as_of, has_key=has_key))
    return out


def plan_document(result: Plan, *, everything: bool = False) -> dict[str, Any]:
    """The plan as plain data (what ``--format json`` prints)."""
    shown = (
        ("due", "held", "unfinished")
        if not everything
        else ("due", "held", "unfinished", "kept", "erased")
    )
    rows = [plan_row(d) for d in result.cases if d.status in shown]
    counts: dict[str, int] = {}
    for d in result.cases:
        counts[d.status] = counts.get(d.status, 0) + 1
    return {
        "version": 1,
        "as_of": result.as_of.isoformat(),
        "basis": result.policy.get("basis"),
        "approver": result.policy.get("approver"),
        "counts": counts,
        "cases": rows,
        "unreadable": result.unreadable,
    }


def plan_row(due: Due) -> dict[str, Any]:
    """One row of the plan."""
    return {
        "case": due.case_id,
        "status": due.status,
        "closed": due.closed.isoformat() if due.closed else None,
        "reason": due.reason,
        "years": due.years,
        "due": due.due.isoformat() if due.due else None,
        "legal_hold": due.hold,
    }
