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

DISCOVERY_CHANNELS: Final[tuple[str, ...]] = (
    "audit",
    "grievance_mechanism",
    "hotline",
    "clmrs_visit",
    "community_report",
    "worker_report",
    "supplier_self_report",
    "labour_inspection",
    "media",
    "other",
)
"""How a case came to light (``discovery.channel``)."""

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
    "caseworker",
    "month",
)
"""``clr stats --by`` choices, in the order the help lists them."""

# --- words of closing a case (each agrees with case.schema.json) ------------------------

REFUSED_BY: Final[tuple[str, ...]] = ("family", "child", "both")
"""Who declined the remedy (``closure.refused_by``)."""

CONTACT_METHODS: Final[tuple[str, ...]] = (
    "home_visit",
    "phone",
    "message",
    "letter",
    "through_supplier",
    "through_community",
    "through_school",
    "other",
)
"""How an attempt to reach the family was made (``closure.contact_attempts[].method``)."""

REFERRAL_AUTHORITIES: Final[tuple[str, ...]] = (
    "child_protection",
    "labour_inspectorate",
    "police",
    "social_services",
    "other",
)
"""Who a child is referred to at closure (``closure.referral.to``)."""

RECURRENCE_METHODS: Final[tuple[str, ...]] = (*VISIT_METHODS, "supplier_records")
"""How a check after closure was made (``recurrence_checks[].method``)."""

ROOT_CAUSES: Final[tuple[str, ...]] = (
    "forged_id",
    "borrowed_id",
    "agent_recruitment",
    "childcare_gap",
    "weak_age_checks",
    "household_poverty",
    "school_access",
    "debt",
    "other",
)
"""Why the child was working (``root_causes``)."""
