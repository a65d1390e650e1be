"""Upgrading case files written for an older case format (``schema_version``).

A migration is a function that records edits on an open document (rename, remove, set,
append), so upgraded files keep their comments, quoting and layout. Migrations chain:
a file at version 1 is taken to 2, then to 3, up to ``CURRENT_VERSION``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from clr import CASE_FORMAT
from clr.io.edit import Document

CURRENT_VERSION = CASE_FORMAT
"""The case format this clr writes and checks (``schema_version``)."""


@dataclass(frozen=True)
class Migration:
    """How to take a case from ``source`` to ``source + 1``."""

    source: int
    describe: str
    apply: Callable[[Document, dict[str, Any]], None]


MIGRATIONS: dict[int, Migration] = {}
"""Migrations by the version they upgrade from. Version 1 is the first format: none yet."""


def version_of(data: dict[str, Any]) -> int | None:
    """The case format version a file declares, or None."""
    value = data.get("schema_version")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def path_from(version: int) -> list[Migration] | None:
    """The chain of migrations from ``version`` to the current one, or None if there is none."""
    chain = []
    while version < CURRENT_VERSION:
        step = MIGRATIONS.get(version)
        if step is None:
            return None
        chain.append(step)
        version += 1
    return chain


def migrate_document(doc: Document) -> list[str]:
    """Record on ``doc`` the edits that upgrade it; return what each step does.

    Raises:
        ValueError: the file has no version, a newer one, or no migration path.
    """
    version = version_of(doc.data)
    if version is None:
        raise ValueError("it has no schema_version")
    if version > CURRENT_VERSION:
        raise ValueError(
            f"it is for case format {version}, newer than this clr ({CURRENT_VERSION}): upgrade clr"
        )
    chain = path_from(version)
    if chain is None:
        raise ValueError(f"clr cannot upgrade case format {version}")
    done = []
    for step in chain:
        step.apply(doc, doc.expected())
        doc.set(("schema_version",), step.source + 1)
        done.append(f"{step.source} → {step.source + 1}: {step.describe}")
    return done
