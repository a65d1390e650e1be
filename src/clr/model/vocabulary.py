"""clr's vocabulary: every fixed set of words, listed once.

The checks, the CLI's choices, the views and the tests read these tuples; none of them
spells a stage, a track or a sort key out again. Where a case's schema (``case.schema.json``)
holds an ``enum`` for the same field, the schema is the truth and ``tests/model/
test_vocabulary.py`` checks that the two agree (the tuples are written out here, not read
from the schema, so that ``clr next`` need not parse a JSON Schema to start).
"""

from __future__ import annotations

from typing import Final

# --- words of a case (each agrees with case.schema.json) ------------------------------

STAGES: Final[tuple[str, ...]] = (
    "reported",
    "identified",
    "protected",
    "age_verified",
    "assessed",
    "plan_agreed",
    "in_remediation",
    "monitoring",
    "closed",
)
"""The stages of a case, in process order (``$defs/stage``)."""

TRACKS: Final[tuple[str, ...]] = ("underage", "young-worker")
"""A case's track (``track``)."""

CLOSURE_REASONS: Final[tuple[str, ...]] = (
    "reached_min_age",
    "no_longer_in_CL",
    "aged_out",
    "hazard_removed",
    "referred",
    "adult_verified",
    "lost_contact",
    "refused",
    "duplicate",
)
"""Why a case was closed (``closure.reason``)."""

SEXES: Final[tuple[str, ...]] = ("female", "male", "other", "undisclosed")
"""The child's sex (``child.sex``); figures are split by it."""

ROLES: Final[tuple[str, ...]] = (
    "buyer",
    "agent",
    "supplier",
    "provider",
    "trade_union",
    "family",
    "child",
    "authorities",
    "community_facilitator",
    "auditor",
    "ngo",
    "school",
    "child_protection_officer",
)
"""A party to remediation (``$defs/role``: plan signatures, cost shares, the playbook)."""

PLAN_SIGNATORIES: Final[tuple[str, ...]] = ("family", "supplier")
"""Whose signatures a plan needs (the plan_agreed schema, the figures, the playbook's
plan-sign item); the buyer signs too where it pays a share, but the plan does not wait."""

VISIT_METHODS: Final[tuple[str, ...]] = (
    "announced",
    "unannounced",
    "phone",
    "school_check",
    "household",
)
"""How a monitoring visit was made (``visits[].method``)."""

# --- words of clr's views --------------------------------------------------------------

AGE_BANDS: Final[tuple[str, ...]] = ("<12", "12-13", "14-15", "16-17", "18+")
"""Age bands by the child's age on the day of discovery."""

AUDIENCES: Final[tuple[str, ...]] = ("caseworker", "supplier", "buyer", "investor")
"""Who a report or an export is for (``--for``)."""

SORT_KEYS: Final[tuple[str, ...]] = (
    "id",
    "stage",
    "track",
    "site",
    "country",
    "supplier",
    "buyer",
    "opened",
    "days-open",
    "days-in-stage",
    "next-due",
    "overdue",
    "last-visit",
)
"""``clr status --sort`` keys, in the order the help lists them."""

GROUP_FIELDS: Final[tuple[str, ...]] = (
    "buyer",
    "supplier",
    "country",
    "sector",
    "sex",
    "track",
    "age-band",
)
"""``clr stats --by`` choices, in the order the help lists them."""
