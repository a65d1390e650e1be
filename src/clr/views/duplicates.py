"""Possible pairs of cases about the same child, across one or more repositories.

Without a key: cases that share a keyed fingerprint (``privacy.fingerprints``), read
from the case files only; repositories compared together must share the key store's
secret. With a key: the names are decrypted in memory and compared by ``similarity``,
with the birth year within a year and the same country; names are never printed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clr.io import yamlio
from clr.model import fingerprint
from clr.model.case import dig
from clr.repo.repository import Repository, display_path


@dataclass(frozen=True)
class Pair:
    """Two cases that may be about the same child."""

    first: str
    second: str
    how: str
    """``fingerprint`` (equal keyed fingerprints) or ``name`` (names alike, decrypted)."""
    score: float = 1.0


def load(repositories: Sequence[Repository]) -> list[tuple[Repository, Path, dict[str, Any]]]:
    """Every readable case file of the repositories, with its data."""
    out = []
    for repository in repositories:
        for path in repository.case_files():
            loaded = yamlio.read_file(path, display_path(path))
            if isinstance(loaded.data, dict):
                out.append((repository, path, loaded.data))
    return out


def fingerprint_pairs(cases: list[tuple[Repository, Path, dict[str, Any]]]) -> list[Pair]:
    """Cases that share a fingerprint (nothing decrypted)."""
    return [Pair(a, b, "fingerprint") for a, b in fingerprint.pairs([c[2] for c in cases])]


def name_pairs(
    cases: list[tuple[Repository, Path, dict[str, Any]]],
    keys: Sequence[Any],
    *,
    threshold: float = 0.85,
) -> tuple[list[Pair], list[str]]:
    """Cases whose decrypted names are alike (and years and country agree); cases not read.

    The names are decrypted in memory, compared and dropped; only ids and scores leave.
    """
    from clr.cases.keystore import case_identity
    from clr.errors import ClrError

    people: list[tuple[dict[str, Any], str, int | None, Any]] = []
    unread: list[str] = []
    for repository, path, data in cases:
        try:
            ci = case_identity(repository, path)
            raw = ci.read_raw()
            if raw is None:
                continue
            name = ci.decrypt(keys, raw).get("name")
        except ClrError:
            unread.append(str(data.get("id", path.parent.name)))
            continue
        if isinstance(name, str) and name.strip():
            people.append((data, name, fingerprint.birth_year(data), dig(data, "site", "country")))
    found: list[Pair] = []
    for i, (first, name_a, year_a, country_a) in enumerate(people):
        for second, name_b, year_b, country_b in people[i + 1 :]:
            if country_a != country_b or fingerprint.linked(first, second):
                continue
            if year_a is not None and year_b is not None and abs(year_a - year_b) > 1:
                continue
            score = fingerprint.similarity(name_a, name_b)
            if score >= threshold:
                a, b = sorted((str(first.get("id")), str(second.get("id"))))
                found.append(Pair(a, b, "name", round(score, 2)))
    return sorted(found, key=lambda p: (p.first, p.second)), unread


def document(pairs: list[Pair], unread: list[str], checked: int) -> dict[str, Any]:
    """The pairs as plain data (what ``--format json`` prints)."""
    return {
        "version": 1,
        "cases_checked": checked,
        "pairs": [{"cases": [p.first, p.second], "how": p.how, "score": p.score} for p in pairs],
        "not_decrypted": unread,
    }


def related_to(cases: list[tuple[Repository, Path, dict[str, Any]]], case_id: str) -> list[str]:
    """Other cases that may hold the same child's data: linked either way, or a fingerprint.

    For an erasure: a request that covers the child covers these cases too.
    """
    this = next((c[2] for c in cases if c[2].get("id") == case_id), None)
    if this is None:
        return []
    mine = set(fingerprint.case_fingerprints(this))
    out = set()
    for _, _, data in cases:
        other = data.get("id")
        if other == case_id or not isinstance(other, str):
            continue
        if fingerprint.linked(this, data) or mine & set(fingerprint.case_fingerprints(data)):
            out.add(other)
    return sorted(out)
