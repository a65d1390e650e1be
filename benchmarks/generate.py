"""Write a synthetic, valid clr case repository for benchmarks.

    python benchmarks/generate.py OUT_DIR --cases N [--seed S] [--force]

The cases are varied and realistic (nested mappings and lists, YAML comments, multi-line
notes), spread over every stage and both tracks, and deterministic for a seed. They use
only dates from 2024-01-01 to 2026-10-31 and pass ``clr validate`` with no findings.
Standard library only: the YAML is written by hand so that it can carry comments.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ID_PREFIX = "BEN"
ID_YEAR = "2026"
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
FIRST_DAY = dt.date(2024, 1, 1)
LAST_DAY = dt.date(2026, 10, 31)
# Closure reasons after which checks are made, and that need contact attempts first
# (the playbook's closing rules).
RECHECK_REASONS = ("reached_min_age", "no_longer_in_CL", "hazard_removed", "referred",
                   "lost_contact", "refused")  # fmt: skip
CONTACT_REASONS = ("lost_contact", "refused")
ATTEMPTS = (38, 20, 3)  # days before closure: three attempts over 35 days

STAGES = (
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
REPORTED, IDENTIFIED, PROTECTED, AGE_VERIFIED, ASSESSED, PLAN_AGREED = range(6)
IN_REMEDIATION, MONITORING, CLOSED = 6, 7, 8

# ---------------------------------------------------------------------------------------
# Reference data. The minimum ages are what clr.model.ages.effective_minimum_age(country,
# "general") gives for the bundled table (national law, the ILO C138 floor of 15, or 14
# where a country declared it); the generator does not import clr.


@dataclass(frozen=True)
class Country:
    code: str
    weight: int
    minimum_age: int
    decided_by: str
    currency: str
    wage: tuple[int, int]  # a child's monthly wage range, in the local currency
    sectors: tuple[str, ...]
    regions: tuple[str, ...]
    languages: tuple[str, ...]


COUNTRIES: tuple[Country, ...] = (
    Country(
        "BD",
        14,
        14,
        "national_law",
        "BDT",
        (4500, 9000),
        ("garments", "leather", "footwear"),
        ("Dhaka", "Gazipur", "Narayanganj", "Chattogram"),
        ("bn",),
    ),
    Country(
        "IN",
        12,
        14,
        "national_law",
        "INR",
        (3500, 8000),
        ("garments", "cotton seed", "footwear", "home textiles"),
        ("Tamil Nadu", "Karnataka", "Gujarat", "Uttar Pradesh"),
        ("hi", "ta", "kn"),
    ),
    Country(
        "CI",
        11,
        16,
        "national_law",
        "XOF",
        (20000, 45000),
        ("cocoa", "rubber"),
        ("Soubré", "Daloa", "San-Pédro", "Duékoué"),
        ("fr", "bété", "baoulé"),
    ),
    Country(
        "GH",
        9,
        15,
        "national_law",
        "GHS",
        (250, 600),
        ("cocoa", "gold mining"),
        ("Ashanti", "Western North", "Eastern", "Bono"),
        ("tw", "en"),
    ),
    Country(
        "KH",
        6,
        15,
        "national_law",
        "KHR",
        (500000, 900000),
        ("garments", "bricks"),
        ("Phnom Penh", "Kandal", "Kampong Speu"),
        ("km",),
    ),
    Country(
        "VN",
        7,
        15,
        "national_law",
        "VND",
        (2500000, 5000000),
        ("electronics", "garments", "footwear"),
        ("Bac Ninh", "Binh Duong", "Dong Nai", "Hai Phong"),
        ("vi",),
    ),
    Country(
        "CN",
        8,
        16,
        "national_law",
        "CNY",
        (1800, 3500),
        ("electronics", "toys", "garments"),
        ("Guangdong", "Jiangsu", "Zhejiang", "Henan"),
        ("zh",),
    ),
    Country(
        "NO",
        2,
        15,
        "c138_floor",
        "NOK",
        (4000, 9000),
        ("seafood processing", "agriculture"),
        ("Vestland", "Nordland", "Troms"),
        ("no", "en"),
    ),
    Country(
        "PK",
        5,
        15,
        "national_law",
        "PKR",
        (9000, 18000),
        ("sports goods", "carpets", "surgical instruments"),
        ("Sialkot", "Punjab", "Sindh"),
        ("ur", "pa"),
    ),
    Country(
        "ID",
        4,
        15,
        "national_law",
        "IDR",
        (900000, 1800000),
        ("palm oil", "footwear"),
        ("Riau", "West Java", "Central Kalimantan"),
        ("id",),
    ),
    Country(
        "TH",
        3,
        15,
        "national_law",
        "THB",
        (3000, 6000),
        ("seafood processing", "sugar cane"),
        ("Samut Sakhon", "Songkhla"),
        ("th", "my"),
    ),
    Country(
        "TR",
        4,
        15,
        "national_law",
        "TRY",
        (4000, 9000),
        ("hazelnuts", "garments"),
        ("Ordu", "Giresun", "Istanbul"),
        ("tr", "ku", "ar"),
    ),
    Country(
        "ET",
        3,
        15,
        "national_law",
        "ETB",
        (1200, 2500),
        ("coffee", "textiles"),
        ("Sidama", "Hawassa", "Oromia"),
        ("am", "om"),
    ),
    Country(
        "MX",
        3,
        15,
        "national_law",
        "MXN",
        (1500, 3500),
        ("agriculture", "garments"),
        ("Sinaloa", "Jalisco", "Puebla"),
        ("es",),
    ),
    Country(
        "BR",
        3,
        16,
        "national_law",
        "BRL",
        (450, 900),
        ("coffee", "footwear"),
        ("Minas Gerais", "Rio Grande do Sul"),
        ("pt",),
    ),
    Country(
        "MM",
        2,
        14,
        "national_law",
        "MMK",
        (90000, 180000),
        ("garments",),
        ("Yangon", "Bago"),
        ("my",),
    ),
    Country(
        "LK",
        2,
        16,
        "national_law",
        "LKR",
        (12000, 25000),
        ("tea", "garments"),
        ("Nuwara Eliya", "Badulla"),
        ("si", "ta"),
    ),
    Country(
        "KE",
        2,
        16,
        "national_law",
        "KES",
        (3000, 7000),
        ("tea", "flowers"),
        ("Kericho", "Naivasha"),
        ("sw", "en"),
    ),
)

BUYERS = ("Northwind Apparel", "Fjord Outdoor", "Kestrel Electronics", "Sable Cocoa", "Atlas Home")
AGENTS = ("South Asia sourcing office", "Mekong Trade Services", "West Africa buying desk")
STAFF = (
    "caseworker BD-03",
    "caseworker IN-11",
    "caseworker CI-07",
    "field officer GH-02",
    "social worker VN-05",
    "case manager CN-01",
    "provider supervisor",
    "regional coordinator",
    "community facilitator 14",
    "buyer CSR manager",
)
APPROVERS = ("provider supervisor", "buyer CSR manager", "regional coordinator")
CHANNELS = (
    "audit",
    "grievance_mechanism",
    "hotline",
    "clmrs_visit",
    "community_report",
    "worker_report",
    "supplier_self_report",
    "labour_inspection",
)
REPORTERS = ("buyer", "agent", "provider", "community_facilitator", "trade_union", "supplier")
ID_TYPES = ("none", "national_id", "birth_certificate", "household_register", "employer_record")
ROOT_CAUSES = (
    "forged_id",
    "borrowed_id",
    "agent_recruitment",
    "childcare_gap",
    "weak_age_checks",
    "household_poverty",
    "school_access",
    "debt",
)
DIFFICULTIES = ("child_prefers_wage", "family_needs_income", "stipend_below_wage", "no_budget")
AGE_METHODS = ("document_check", "photo_comparison", "parent_interview", "school_record")
DOC_TYPES = ("birth_certificate", "national_id", "household_register", "school_record")
NEEDS = (
    "school_enrolment",
    "school_fees",
    "school_kit",
    "bridging_education",
    "vocational_training",
    "stipend",
    "adult_job",
    "health_care",
    "psychosocial_support",
    "birth_certificate",
    "transport_home",
)
EDUCATION = ("school", "non_formal_education", "bridging_course", "vocational_training")

TASKS = {
    "garments": ("trimming threads", "folding", "packing", "ironing", "carrying bundles"),
    "leather": ("sorting hides", "cutting", "carrying loads"),
    "footwear": ("gluing soles", "trimming", "packing boxes"),
    "home textiles": ("folding", "labelling", "carrying bundles"),
    "cotton seed": ("cross-pollination", "weeding", "spraying"),
    "cocoa": ("carrying pods", "weeding with a machete", "breaking pods", "spraying"),
    "rubber": ("tapping", "collecting latex", "carrying loads"),
    "gold mining": ("washing ore", "carrying sacks"),
    "bricks": ("moulding bricks", "carrying bricks", "stacking at the kiln"),
    "electronics": ("assembling parts", "soldering", "testing", "packing"),
    "toys": ("painting", "assembling", "packing"),
    "seafood processing": ("peeling shrimp", "gutting fish", "packing ice"),
    "agriculture": ("harvesting", "weeding", "sorting produce"),
    "sports goods": ("stitching balls", "cutting panels"),
    "carpets": ("knotting", "washing", "trimming"),
    "surgical instruments": ("polishing", "grinding"),
    "palm oil": ("collecting loose fruit", "carrying bunches"),
    "sugar cane": ("cutting cane", "loading trucks"),
    "hazelnuts": ("picking", "carrying sacks"),
    "coffee": ("picking cherries", "sorting beans", "carrying sacks"),
    "textiles": ("spinning", "carrying bales"),
    "tea": ("plucking tea", "carrying baskets"),
    "flowers": ("cutting stems", "packing", "spraying"),
}
HAZARDS = (
    "chemicals",
    "machinery",
    "heavy loads",
    "heat",
    "night work",
    "sharp tools",
    "dust",
    "long hours",
)
PROVIDERS = (
    "Child Rights Centre",
    "Bright Futures NGO",
    "Community Learning Trust",
    "Safe Steps Foundation",
)


# ---------------------------------------------------------------------------------------
# A small YAML writer with comments and block scalars.


@dataclass(frozen=True)
class Commented:
    """A scalar written with a trailing ``# comment``."""

    value: Any
    comment: str


@dataclass
class Section:
    """A mapping written with a comment line above each listed key."""

    items: dict[str, Any]
    comments: dict[str, str] = field(default_factory=dict)


_PLAIN = re.compile(r"^[A-Za-z][A-Za-z0-9 _.,/()'-]*[A-Za-z0-9).]$|^[A-Za-z]$")
_DATE_LIKE = re.compile(r"^\d{4}-\d{2}(-\d{2}(T\d{2}:\d{2}:\d{2}Z)?)?$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_RESERVED = {"true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"}


def scalar(value: Any) -> str:
    """Render one scalar in YAML flow form."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:g}" if value != int(value) else f"{value:.1f}"
    text = str(value)
    if _COUNTRY.match(text) or _DATE_LIKE.match(text):
        return text
    if (
        _PLAIN.match(text)
        and text.lower() not in _RESERVED
        and ": " not in text
        and " #" not in text
    ):
        return text
    return json.dumps(text, ensure_ascii=False)


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, dict | list | Section)


def emit(mapping: dict[str, Any] | Section, indent: int = 0) -> list[str]:
    """Render a mapping as block YAML lines."""
    section = mapping if isinstance(mapping, Section) else Section(mapping)
    pad = " " * indent
    lines: list[str] = []
    for key, value in section.items.items():
        if key in section.comments:
            lines.extend(f"{pad}# {c}" if c else "" for c in section.comments[key].split("\n"))
        lines.extend(_emit_pair(key, value, indent))
    return lines


def _emit_pair(key: str, value: Any, indent: int) -> list[str]:
    pad = " " * indent
    if isinstance(value, Commented):
        return [f"{pad}{key}: {scalar(value.value)}  # {value.comment}"]
    if isinstance(value, str) and "\n" in value:
        body = [f"{pad}  {line}" if line else "" for line in value.rstrip("\n").split("\n")]
        return [f"{pad}{key}: |", *body]
    if isinstance(value, dict | Section):
        items = value.items if isinstance(value, Section) else value
        if not items:
            return [f"{pad}{key}: {{}}"]
        return [f"{pad}{key}:", *emit(value, indent + 2)]
    if isinstance(value, list):
        return _emit_list(key, value, indent)
    return [f"{pad}{key}: {scalar(value)}"]


def _emit_list(key: str, items: list[Any], indent: int) -> list[str]:
    pad = " " * indent
    if not items:
        return [f"{pad}{key}: []"]
    simple = all(_is_scalar(i) and not isinstance(i, Commented) for i in items)
    if simple and not any("," in scalar(i) for i in items):
        flow = f"{pad}{key}: [{', '.join(scalar(i) for i in items)}]"
        if len(flow) <= 90:
            return [flow]
        return [f"{pad}{key}:", *(f"{pad}  - {scalar(i)}" for i in items)]
    if simple:
        return [f"{pad}{key}:", *(f"{pad}  - {scalar(i)}" for i in items)]
    lines = [f"{pad}{key}:"]
    for item in items:
        body = emit(item, indent + 4)
        lines.append(f"{pad}  - {body[0].lstrip()}")
        lines.extend(body[1:])
    return lines


def to_yaml(document: Section, header: str) -> str:
    """The whole file: a header comment, then the document."""
    head = [f"# {line}" if line else "#" for line in header.split("\n")]
    return "\n".join([*head, *emit(document)]) + "\n"


# ---------------------------------------------------------------------------------------
# Dates and ids.


def iso(day: dt.date) -> str:
    return day.isoformat()


def stamp(day: dt.date, rng: random.Random) -> str:
    return f"{iso(day)}T{rng.randint(7, 17):02d}:{rng.randint(0, 59):02d}:00Z"


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def make_ids(count: int, rng: random.Random) -> list[str]:
    """``count`` unique case ids in generation order."""
    seen: set[str] = set()
    ids: list[str] = []
    while len(ids) < count:
        tail = "".join(rng.choice(CROCKFORD) for _ in range(5))
        case_id = f"{ID_PREFIX}-{ID_YEAR}-{tail}"
        if case_id not in seen:
            seen.add(case_id)
            ids.append(case_id)
    return ids


# ---------------------------------------------------------------------------------------
# The plan of one case: which stage it reached, how, and when each step happened.


@dataclass
class Timeline:
    """Key days of a case, as offsets in days from discovery until shifted."""

    discovery: dt.date
    identified: dt.date
    protected: dt.date
    age_verified: dt.date
    family_contacted: dt.date
    assessed: dt.date
    plan_signed: dt.date
    started: dt.date
    monitoring: dt.date
    closed: dt.date
    birth: dt.date

    def shift(self, days: int) -> Timeline:
        delta = dt.timedelta(days=days)
        return Timeline(**{k: v + delta for k, v in self.__dict__.items()})


@dataclass
class Plan:
    """Everything decided about a case before its text is written."""

    case_id: str
    other_ids: list[str]
    rng: random.Random
    country: Country
    track: str
    sex: str
    stage: int  # the stage the case is in (CLOSED for closed cases)
    reached: int  # the last stage reached before closing (== stage when open)
    reason: str | None
    verified_age: int
    inconclusive: bool
    education: bool
    stipend: bool
    family_reachable: bool
    t: Timeline
    visits: list[dt.date] = field(default_factory=list)
    payments: list[dt.date] = field(default_factory=list)
    rechecks: list[dt.date] = field(default_factory=list)

    def has(self, stage: int) -> bool:
        return self.reached >= stage

    @property
    def last_day(self) -> dt.date:
        days = [self.t.discovery, *self.visits, *self.payments, *self.rechecks]
        days.append(self.t.closed if self.stage == CLOSED else self.stage_day(self.reached))
        return max(days)

    def stage_day(self, stage: int) -> dt.date:
        return (
            self.t.discovery,
            self.t.identified,
            self.t.protected,
            self.t.age_verified,
            self.t.assessed,
            self.t.plan_signed,
            self.t.started,
            self.t.monitoring,
            self.t.closed,
        )[stage]


CLOSE_FROM = {
    "duplicate": (REPORTED, IDENTIFIED),
    "adult_verified": (AGE_VERIFIED,),
    "referred": (PROTECTED, AGE_VERIFIED, ASSESSED),
    "lost_contact": (PLAN_AGREED, IN_REMEDIATION, MONITORING),
    "refused": (ASSESSED, PLAN_AGREED, IN_REMEDIATION),
    "reached_min_age": (MONITORING,),
    "aged_out": (MONITORING,),
    "no_longer_in_CL": (MONITORING,),
    "hazard_removed": (MONITORING,),
}


def choose_reason(rng: random.Random, track: str) -> str:
    if track == "underage":
        options = ["reached_min_age"] * 3 + ["no_longer_in_CL"] * 3
        options += ["duplicate", "adult_verified", "referred", "lost_contact", "refused"]
    else:
        options = ["aged_out"] * 2 + ["hazard_removed"] * 3 + ["no_longer_in_CL"] * 2
        options += ["duplicate", "referred", "lost_contact", "refused"]
    return rng.choice(options)


def choose_age(rng: random.Random, track: str, minimum: int, reason: str | None) -> int:
    if reason == "adult_verified":
        return rng.randint(18, 21)
    if reason == "reached_min_age":
        return minimum - 1
    if reason == "aged_out":
        return 17
    if track == "underage":
        return rng.randint(max(10, minimum - 4), minimum - 1)
    return rng.randint(minimum, 17)


def base_timeline(rng: random.Random, verified_age: int) -> Timeline:
    """Offsets from day 0 (the discovery), before the case is placed in the calendar."""
    d0 = dt.date(2000, 1, 1)
    identified = d0 + dt.timedelta(days=rng.randint(0, 1))
    protected = identified + dt.timedelta(days=rng.randint(0, 1))
    age_verified = protected + dt.timedelta(days=rng.randint(1, 3))
    family = age_verified + dt.timedelta(days=rng.randint(0, 4))
    assessed = family + dt.timedelta(days=rng.randint(1, 9))
    signed = assessed + dt.timedelta(days=rng.randint(7, 25))
    started = signed + dt.timedelta(days=rng.randint(2, 14))
    monitoring = started + dt.timedelta(days=rng.randint(25, 45))
    birth = add_years(age_verified, -verified_age) - dt.timedelta(days=rng.randint(1, 364))
    return Timeline(
        d0,
        identified,
        protected,
        age_verified,
        family,
        assessed,
        signed,
        started,
        monitoring,
        monitoring,
        birth,
    )


def closure_day(plan: Plan, minimum: int) -> dt.date:
    """The earliest sensible closing day for the case's reason (before shifting)."""
    t = plan.t
    base = plan.stage_day(plan.reached) + dt.timedelta(days=plan.rng.randint(3, 30))
    if plan.reason in ("reached_min_age", "aged_out"):
        age = minimum if plan.reason == "reached_min_age" else 18
        base = max(base, add_years(t.birth, age) + dt.timedelta(days=plan.rng.randint(5, 40)))
        # Three days more than six months: placing the case in the calendar shifts it, and
        # six months after the shifted signing can be up to three days more (months of 28
        # to 31 days); without them 4 of 30,000 cases closed a day short (CLR209).
        six_months = add_months(t.plan_signed, 6) + dt.timedelta(days=3)
        base = max(base, six_months + dt.timedelta(days=plan.rng.randint(1, 20)))
    if plan.reason in ("no_longer_in_CL", "hazard_removed"):
        base = max(base, t.monitoring + dt.timedelta(days=plan.rng.randint(65, 200)))
    if plan.reason in CONTACT_REASONS:
        # Three contact attempts over at least 30 days come before such a closure (CLR221).
        base = max(base, t.discovery + dt.timedelta(days=ATTEMPTS[0] + 2))
    return base


def monthly(start: dt.date, end: dt.date, rng: random.Random, jitter: int) -> list[dt.date]:
    """Days about a month apart from ``start`` up to ``end``."""
    days: list[dt.date] = []
    day = start
    while day <= end:
        days.append(day)
        day = add_months(start, len(days)) + dt.timedelta(days=rng.randint(0, jitter))
    return days


def fill_events(plan: Plan) -> None:
    """Visits and payments from the stage the case reached up to its last day."""
    t, rng = plan.t, plan.rng
    if plan.has(MONITORING):
        end = t.closed - dt.timedelta(days=2) if plan.stage == CLOSED else None
        if end is None:
            end = t.monitoring + dt.timedelta(days=30 * rng.randint(0, 3) + rng.randint(0, 20))
        plan.visits = monthly(t.monitoring + dt.timedelta(days=rng.randint(1, 6)), end, rng, 4)
        if plan.reason in ("no_longer_in_CL", "hazard_removed") and len(plan.visits) < 2:
            plan.visits.append(plan.visits[-1] + dt.timedelta(days=1))
    if plan.stage == CLOSED and plan.reason in RECHECK_REASONS:
        # The checks after closure (CLR302), made before they fall due: the first is due
        # 90 days after closure (closure.recurrence_check), the second 12 months after it.
        plan.rechecks = [
            t.closed + dt.timedelta(days=rng.randint(80, 90)),
            t.closed + dt.timedelta(days=rng.randint(330, 350)),
        ]
    if plan.has(IN_REMEDIATION):
        first = t.started + dt.timedelta(days=rng.randint(0, 8))
        if plan.stage == CLOSED:
            first = min(first, t.closed)
        last = max([first, *plan.visits])
        if plan.stage == CLOSED:
            last = max(first, min(last, t.closed))
        plan.payments = monthly(first, last, rng, 2) if plan.stipend else [first]


def make_plan(case_id: str, other_ids: list[str], rng: random.Random) -> Plan:
    country = rng.choices(COUNTRIES, weights=[c.weight for c in COUNTRIES])[0]
    track = "underage" if rng.random() < 0.62 else "young-worker"
    stage = rng.randrange(len(STAGES))
    reason = choose_reason(rng, track) if stage == CLOSED else None
    reached = rng.choice(CLOSE_FROM[reason]) if reason else stage
    age = choose_age(rng, track, country.minimum_age, reason)
    inconclusive = (
        track == "underage" and reason in (None, "referred", "lost_contact", "refused")
    ) and rng.random() < 0.08
    plan = Plan(
        case_id=case_id,
        other_ids=other_ids,
        rng=rng,
        country=country,
        track=track,
        sex=rng.choices(("female", "male", "undisclosed"), weights=(48, 48, 4))[0],
        stage=stage,
        reached=reached,
        reason=reason,
        verified_age=age,
        inconclusive=inconclusive,
        education=track == "underage" or rng.random() < 0.5,
        stipend=rng.random() < 0.85,
        family_reachable=rng.random() < 0.9,
        t=base_timeline(rng, age),
    )
    if stage == CLOSED:
        plan.t.closed = closure_day(plan, country.minimum_age)
    fill_events(plan)
    place_in_calendar(plan)
    return plan


def place_in_calendar(plan: Plan) -> None:
    """Shift the case so that all its days fall between FIRST_DAY and LAST_DAY."""
    span = (plan.last_day - plan.t.discovery).days
    room = (LAST_DAY - FIRST_DAY).days - span
    start = FIRST_DAY + dt.timedelta(days=plan.rng.randint(0, max(room, 0)))
    delta = start - plan.t.discovery
    plan.t = plan.t.shift(delta.days)
    plan.visits = [d + delta for d in plan.visits]
    plan.payments = [d + delta for d in plan.payments]
    plan.rechecks = [d + delta for d in plan.rechecks]


# ---------------------------------------------------------------------------------------
# Writing the sections.

NOTE_OPENINGS = (
    "Seen during the {channel} at the {sector} site.",
    "Reported through the {channel}; the supervisor confirmed the child was on shift.",
    "Flagged after the {channel}. Co-workers said the child had worked here for some weeks.",
)
NOTE_LINES = (
    "The child was calm and answered questions with a co-worker nearby.",
    "Management cooperated and agreed not to dismiss the child.",
    "The personnel file showed an ID that did not match the child's appearance.",
    "The line supervisor said the child was a relative of another worker.",
    "Payslips were kept for the child under another worker's number.",
    "No one at the site had been told how to check ages at hiring.",
    "The child asked whether they would still be paid; we said yes.",
    "A follow-up call is arranged with the agent for next week.",
    "The interview took place in a quiet room away from the production floor.",
    "The family lives about two hours away by bus.",
)


def text_block(rng: random.Random, first: str, lines: int) -> str:
    """A multi-line note, written as a ``|`` block."""
    body = [first, *rng.sample(NOTE_LINES, lines)]
    return "\n".join(body) + "\n"


def site(plan: Plan) -> Section:
    rng, c = plan.rng, plan.country
    sector = rng.choice(c.sectors)
    items: dict[str, Any] = {
        "name": f"{c.code}-{sector.split()[0].upper()}-{rng.randint(1, 400):03d}",
        "supplier_id": f"SUP-{c.code}-{rng.randint(1000, 9999)}",
        "country": c.code,
        "region": rng.choice(c.regions),
        "sector": sector,
        "buyer": rng.choice(BUYERS),
        "tier": Commented(rng.randint(1, 3), "1 = direct supplier"),
    }
    if rng.random() < 0.4:
        items["agent"] = rng.choice(AGENTS)
    if rng.random() < 0.3:
        items["x-audit-ref"] = f"AUD-{rng.randint(10000, 99999)}"
    return Section(items)


def child(plan: Plan) -> dict[str, Any]:
    rng = plan.rng
    items: dict[str, Any] = {
        "pseudonym": f"Child {rng.choice('ABCDEFGHJKLMNPQRSTUVWXYZ')}{rng.randint(1, 99)}",
        "sex": plan.sex,
    }
    if plan.has(IDENTIFIED) or rng.random() < 0.5:
        items["estimated_age"] = min(plan.verified_age + rng.choice((-1, 0, 0, 1)), 25)
        if rng.random() < 0.5:
            items["birth_date"] = str(plan.t.birth.year)
        items["age_basis"] = rng.choice(("worker_statement", "appearance", "employer_record"))
    items["lives_away_from_home"] = rng.random() < 0.35
    if rng.random() < 0.5:
        items["languages"] = rng.sample(plan.country.languages, 1)
    return items


def discovery(plan: Plan) -> dict[str, Any]:
    rng, c = plan.rng, plan.country
    sector = rng.choice(c.sectors)
    channel = rng.choice(CHANNELS)
    items: dict[str, Any] = {
        "date": iso(plan.t.discovery),
        "channel": channel,
        "reported_by": rng.choice(REPORTERS),
    }
    if plan.has(IDENTIFIED):
        tasks = TASKS[sector]
        items["work"] = f"{tasks[0]} in the {sector} {rng.choice(('unit', 'line', 'section'))}"
        items["tasks"] = rng.sample(tasks, min(len(tasks), rng.randint(1, 3)))
        items["hazards"] = rng.sample(HAZARDS, rng.randint(1, 3))
        hours = rng.choice((42, 48, 54, 60, 66))
        items["hours_per_week"] = Commented(hours, "from the time sheets")
        items["night_work"] = plan.track == "young-worker" and rng.random() < 0.5
        hired = max(plan.t.discovery - dt.timedelta(days=rng.randint(20, 300)), FIRST_DAY)
        items["hired"] = iso(hired)[:7]
        items["recruited_by_agent"] = rng.random() < 0.3
        items["id_document_seen"] = {
            "type": rng.choice(ID_TYPES),
            "suspected_forged": rng.random() < 0.3,
        }
    opening = rng.choice(NOTE_OPENINGS).format(channel=channel.replace("_", " "), sector=sector)
    items["notes"] = text_block(rng, opening, rng.randint(1, 3))
    return items


def flags(plan: Plan) -> dict[str, Any] | None:
    rng = plan.rng
    items: dict[str, Any] = {}
    if plan.has(PROTECTED) and rng.random() < 0.06:
        items["escalated"] = {
            "date": iso(plan.t.protected),
            "reason": rng.choice(("worst_forms", "trafficking", "forced_labour")),
            "reported_to": "labour inspectorate",
        }
    if rng.random() < 0.1:
        items["emergency"] = True
    if plan.has(ASSESSED):
        items["harassment_screened"] = True
    if plan.has(ASSESSED) and rng.random() < 0.35:
        items["difficulties"] = rng.sample(DIFFICULTIES, rng.randint(1, 2))
    return items or None


def protection(plan: Plan) -> dict[str, Any]:
    rng, t = plan.rng, plan.t
    items: dict[str, Any] = {}
    if plan.track == "underage":
        items["removed_from_work"] = iso(t.protected)
        items["safe_place"] = rng.choice(("home", "school", "provider's centre", "relative's home"))
    else:
        items["hazards_removed"] = iso(t.protected)
        items["new_hours_per_week"] = rng.choice((20, 24, 27))  # legal hours everywhere
    items["wages_continued"] = True
    items["job_kept_open"] = rng.random() < 0.7
    items["informed"] = rng.sample(["buyer", "agent", "provider", "supplier"], rng.randint(2, 4))
    items["notes"] = text_block(
        rng, "The child stopped the harmful work the same day and was not dismissed.", 1
    )
    return items


def age_verification(plan: Plan) -> Section:
    rng, t, c = plan.rng, plan.t, plan.country
    items: dict[str, Any] = {
        "date": iso(t.age_verified),
        "methods": rng.sample(AGE_METHODS, rng.randint(1, 3)),
        "documents": [
            {"type": d, "authentic": rng.choice(("yes", "yes", "unclear"))}
            for d in rng.sample(DOC_TYPES, rng.randint(1, 2))
        ],
        "suspected_forged_id": rng.random() < 0.3,
    }
    if plan.inconclusive:
        items["result"] = "inconclusive"
    else:
        items["result"] = "verified"
        items["verified_age"] = plan.verified_age
        items["birth_date"] = iso(t.birth)
    items["work"] = "general"
    items["minimum_age"] = c.minimum_age
    items["minimum_age_decided_by"] = c.decided_by
    items["notes"] = text_block(rng, "Documents checked with the school and the parents.", 1)
    comment = f"effective minimum age for {c.code}, general work ({c.decided_by})"
    return Section(items, {"minimum_age": comment})


def consent(rng: random.Random, day: dt.date, with_shares: bool) -> dict[str, Any]:
    purposes = ["services", "share_with_buyer"] if with_shares else ["services"]
    if with_shares and rng.random() < 0.6:
        purposes.pop()
    return {
        p: {
            "given": True,
            "date": iso(day),
            "how": rng.choice(("written", "verbal", "thumbprint")),
            "recorded_by": rng.choice(STAFF),
        }
        for p in purposes
    }


def assessment(plan: Plan) -> dict[str, Any]:
    rng, t, c = plan.rng, plan.t, plan.country
    items: dict[str, Any] = {"date": iso(t.assessed)}
    if plan.family_reachable:
        items["family_contacted"] = iso(t.family_contacted)
    items["family_reachable"] = plan.family_reachable
    items["interview"] = {
        "date": iso(t.assessed),
        "adults_present": rng.randint(2, 3),
        "woman_present": True,
        "guardian_present": plan.family_reachable,
        "same_sex_interviewer": rng.random() < 0.8,
    }
    who: dict[str, Any] = {}
    if plan.family_reachable:
        who["guardian"] = consent(rng, t.assessed, True)
    who["child"] = consent(rng, t.assessed, False)
    items["consent"] = who
    items["child_views"] = rng.choice(
        (
            "Wants to go back to school and keep helping the family.",
            "Would like vocational training in tailoring.",
            "Prefers to keep earning; agreed to try school with a stipend.",
        )
    )
    items["family_views"] = "Worried about the lost income; supports the plan if paid monthly."
    low, high = c.wage
    items["household"] = {
        "members": rng.randint(3, 9),
        "income_loss_per_month": {"amount": rng.randint(low, high), "currency": c.currency},
        "adult_job_seekers": rng.randint(0, 2),
    }
    items["schooling"] = {
        "last_grade": f"grade {rng.randint(3, 8)}",
        "out_of_school_since": str(max(t.discovery.year - rng.randint(0, 1), FIRST_DAY.year)),
        "wants_to_return": rng.random() < 0.75,
    }
    if rng.random() < 0.5:
        items["family_can_protect"] = True
    items["needs"] = rng.sample(NEEDS, rng.randint(2, 5))
    items["notes"] = text_block(rng, "Assessment held at the family home.", rng.randint(0, 2))
    return items


def plan_section(plan: Plan) -> Section:
    rng, t, c = plan.rng, plan.t, plan.country
    low, high = c.wage
    wage = rng.randint(low, high)
    components: list[dict[str, Any]] = []
    if plan.education:
        components.append(
            {
                "type": rng.choice(EDUCATION),
                "description": "Enrolment for the coming term, with fees and books paid.",
                "provider": rng.choice(PROVIDERS),
                "start": iso(t.started),
                "cost": {"amount": rng.randint(low, high) * 3, "currency": c.currency},
            }
        )
    if plan.stipend:
        components.append({"type": "stipend", "provider": "supplier"})
    components.append({"type": rng.choice(("health", "psychosocial", "school_kit"))})
    if plan.track == "young-worker":
        components.append({"type": "job_back", "description": "A safe job on the day shift."})
    items: dict[str, Any] = {"date_signed": iso(t.plan_signed), "components": components}
    if plan.stipend:
        items["stipend"] = {
            "amount": wage + rng.choice((0, 0, low // 10)),
            "currency": c.currency,
            "frequency": "monthly",
            "lost_wage": {"amount": wage, "currency": c.currency},
            "payer": rng.choice(("supplier", "buyer")),
            "first_due": iso(t.started),
        }
    items["budget"] = {"amount": wage * rng.randint(8, 20), "currency": c.currency}
    share = rng.choice((50, 60, 70, 100))
    split = {"buyer": share, "supplier": 100 - share} if share < 100 else {"buyer": 100}
    items["cost_split"] = split
    if plan.track == "underage":
        items["family_job_offer"] = {
            "offered": True,
            "to": rng.choice(("mother", "father", "older brother", "aunt")),
            "accepted": rng.random() < 0.6,
            "date": iso(t.plan_signed),
        }
        items["rehire_commitment"] = {"committed": True, "at_age": c.minimum_age}
    if plan.track == "young-worker":
        items["safe_job"] = {
            "tasks": ["packing on the day shift"],
            "hours_per_week": 24,
            "shift": "08:00-12:00",
            "night_work": False,
            "protective_equipment": [],
        }
    items["end_condition"] = "The child reaches the legal working age and is in school or work."
    items["follow_ups"] = [iso(min(add_months(t.plan_signed, m), LAST_DAY)) for m in (3, 6)]
    items["signed_by"] = [
        {"party": "family", "date": iso(t.plan_signed - dt.timedelta(days=rng.randint(0, 3)))},
        {"party": "supplier", "date": iso(t.plan_signed)},
        {"party": "provider", "date": iso(t.plan_signed)},
    ]
    items["child_views"] = "Happy with the plan; wants the stipend paid to the mother."
    return Section(items, {"cost_split": "shares in percent, adding up to 100"})


def implementation(plan: Plan) -> dict[str, Any]:
    rng, t = plan.rng, plan.t
    items: dict[str, Any] = {"started": iso(t.started)}
    if plan.education:
        items["enrolled"] = {
            "date": iso(min(t.started + dt.timedelta(days=rng.randint(0, 5)), plan.last_day)),
            "institution": f"{rng.choice(plan.country.regions)} {rng.choice(('school', 'centre'))}",
            "proof": f"enrolment letter {rng.randint(100, 999)}",
        }
    if rng.random() < 0.4:
        items["referrals"] = [
            {"date": iso(t.started), "service": "health check", "to": "district clinic"}
        ]
    items["corrective_actions"] = [
        {
            "date": iso(t.started),
            "action": "Age checks at hiring now include an original document and a photo match.",
            "cause": rng.choice(ROOT_CAUSES),
        }
    ]
    items["notes"] = text_block(rng, "The plan started on time.", 1)
    return items


def visits(plan: Plan) -> list[dict[str, Any]]:
    rng = plan.rng
    out = []
    for i, day in enumerate(plan.visits):
        late = i >= len(plan.visits) - 2
        working = not late and plan.reason is None and rng.random() < 0.05
        visit: dict[str, Any] = {
            "date": iso(day),
            "method": rng.choice(("announced", "unannounced", "school_check", "household")),
            "by": rng.choice(STAFF),
            "in_school": plan.education,
            "working": working,
            "hazardous_work": False,
        }
        if plan.education:
            visit["attendance_percent"] = rng.choice((70, 80, 85, 90, 95, 100))
        if plan.stipend:
            visit["stipend_received"] = True
        if rng.random() < 0.5:
            visit["child_views"] = "Likes the new class; wants to stay."
        out.append(visit)
    return out


def payments(plan: Plan) -> list[dict[str, Any]]:
    rng, c = plan.rng, plan.country
    out = []
    low, high = c.wage
    for day in plan.payments:
        if plan.stipend:
            amount, purpose = high, "stipend"
        else:
            amount, purpose = rng.randint(low, high), "school_fees"
        entry: dict[str, Any] = {
            "date": iso(day),
            "amount": amount,
            "currency": c.currency,
            "payer": "supplier",
            "purpose": purpose,
        }
        if purpose == "stipend":
            entry["period"] = iso(day)[:7]
        entry["receipt"] = f"TX-{rng.randint(100000, 999999)}"
        out.append(entry)
    return out


def closure(plan: Plan) -> dict[str, Any]:
    rng, t = plan.rng, plan.t
    reason = plan.reason
    items: dict[str, Any] = {
        "date": iso(t.closed),
        "reason": reason,
        "approved_by": rng.choice(APPROVERS),
        "final_status": rng.choice(("in school", "in legal work", "in training", "unknown")),
        "recurrence_check": iso(min(t.closed + dt.timedelta(days=90), LAST_DAY)),
    }
    if reason == "referred":
        items["referred_to"] = "district child protection services"
    if reason == "duplicate":
        items["duplicate_of"] = rng.choice(plan.other_ids)
    if reason in CONTACT_REASONS:
        items["notes"] = text_block(rng, f"Closed as {reason.replace('_', ' ')}.", 2)
        items["contact_attempts"] = [
            {"date": iso(t.closed - dt.timedelta(days=days)), "method": method}
            for days, method in zip(
                ATTEMPTS, ("home_visit", "phone", "through_community"), strict=True
            )
        ]
        items["referral"] = {
            "to": "child_protection",
            "date": iso(t.closed - dt.timedelta(days=2)),
        }
        items["rehire_check"] = {"date": iso(t.closed - dt.timedelta(days=1)), "rehired": False}
    if reason == "refused":
        items["refused_by"] = "family"
    if reason == "reached_min_age":
        items["young_worker_plan"] = (
            "Non-hazardous day work within the legal hours, school in the evening; "
            "the provider checks monthly until 18."
        )
    if reason not in ("duplicate", "lost_contact"):
        items["child_views"] = "The help was right for me."
    return items


# ---------------------------------------------------------------------------------------
# History and checklist.

# Checklist items without a done_when field (they count as done only when ticked), per
# stage, with their track (None = both) and whether a deadline applies to them.
TICKS: dict[int, tuple[tuple[str, str | None, bool], ...]] = {
    REPORTED: (
        ("report-check-ids-quietly", None, False),
        ("report-triage", None, True),
        ("report-pass-on", None, False),
    ),
    IDENTIFIED: (("ident-flag-childcare", None, False),),
    PROTECTED: (
        ("protect-get-contacts", None, False),
        ("protect-check-not-dismissed", None, False),
    ),
    AGE_VERIFIED: (
        ("age-onsite-assessment", None, True),
        ("age-consult-others", None, False),
        ("age-confirm-track", None, False),
    ),
    ASSESSED: (("assess-explain-options", None, False),),
    PLAN_AGREED: (
        ("plan-education", None, False),
        ("plan-safe-job", "young-worker", False),
        ("plan-supplier-pays", None, False),
    ),
    IN_REMEDIATION: (
        ("impl-monthly-stipend", None, True),
        ("impl-pay-fees", None, False),
        ("impl-adult-job", "underage", False),
        ("impl-safe-job", "young-worker", False),
    ),
    MONITORING: (
        ("mon-monthly-visit", None, True),
        ("mon-farm-follow-ups", None, True),
        ("mon-unannounced-and-school", None, False),
        ("mon-track-education", None, False),
        ("mon-young-worker-check", "young-worker", False),
        ("mon-monthly-stipend", None, True),
        ("mon-progress-updates", None, False),
        ("mon-closure-check", None, False),
    ),
    CLOSED: (("close-min-age-check", "underage", False),),
}


# Required items of later stages whose deadline runs from a date of the case (discovery,
# assessment, plan signed), whatever the stage: clr shows them, with their deadline, while
# the case is still in an earlier stage, so a case that has not moved on has done them.
AHEAD: dict[int, tuple[tuple[str, str | None], ...]] = {
    IDENTIFIED: (("ident-confirm-child-working", None), ("ident-record-work", None)),
    PROTECTED: (
        ("protect-remove-from-all-work", "underage"),
        ("protect-remove-hazards", "young-worker"),
        ("protect-inform-parties", None),
    ),
    AGE_VERIFIED: (("age-onsite-assessment", None), ("age-check-documents", None)),
    PLAN_AGREED: (("plan-draft", None), ("plan-sign", None)),
    IN_REMEDIATION: (("impl-first-stipend", None),),
}


def stage_path(plan: Plan) -> list[int]:
    path = list(range(plan.reached + 1))
    return [*path, CLOSED] if plan.stage == CLOSED else path


def history(plan: Plan) -> list[dict[str, Any]]:
    rng = plan.rng
    out: list[dict[str, Any]] = []
    previous: str | None = None
    for stage in stage_path(plan):
        entry: dict[str, Any] = {
            "at": stamp(plan.stage_day(stage), rng),
            "from": previous,
            "to": STAGES[stage],
            "by": rng.choice(STAFF),
        }
        if stage == CLOSED:
            entry["note"] = f"closed: {plan.reason}"
        out.append(entry)
        previous = STAGES[stage]
    # Same-day moves keep their order, a little apart.
    for i in range(1, len(out)):
        before = dt.datetime.fromisoformat(out[i - 1]["at"].replace("Z", "+00:00"))
        if out[i]["at"] <= out[i - 1]["at"]:
            later = before + dt.timedelta(minutes=rng.randint(5, 90))
            out[i]["at"] = later.strftime("%Y-%m-%dT%H:%M:00Z")
    return out


def checklist(plan: Plan) -> dict[str, Any]:
    rng = plan.rng
    ticks: dict[str, Any] = {}
    path = stage_path(plan)
    for k, stage in enumerate(path):
        current = k == len(path) - 1 and stage != CLOSED
        start = plan.stage_day(stage)
        end = plan.stage_day(path[k + 1]) if k + 1 < len(path) else plan.last_day
        for item, track, dated in TICKS[stage]:
            if track is not None and track != plan.track:
                continue
            if not dated and rng.random() < (0.6 if current else 0.5):
                continue
            done = min(start + dt.timedelta(days=rng.randint(0, 2)), end)
            tick: dict[str, Any] = {"done": iso(done), "by": rng.choice(STAFF)}
            if rng.random() < 0.08:
                tick["note"] = "done with the supplier's HR manager"
            ticks[item] = tick
    if plan.stage != CLOSED:
        start = plan.stage_day(path[-1])
        for stage in range(path[-1] + 1, CLOSED):
            for item, track in AHEAD.get(stage, ()):
                if item in ticks or (track is not None and track != plan.track):
                    continue
                done = min(start + dt.timedelta(days=rng.randint(0, 2)), plan.last_day)
                ticks[item] = {"done": iso(done), "by": rng.choice(STAFF)}
    return ticks


# ---------------------------------------------------------------------------------------
# The whole case.

COMMENTS = {
    "schema_version": "Synthetic benchmark case: every name and number here is made up.",
    "site": "--- Where the child was found",
    "child": "--- The child (pseudonymous: identity details live in the encrypted file)",
    "discovery": "--- How the case came to light",
    "flags": "--- Flags",
    "protection": "--- Protection: the child is safe and still paid",
    "age_verification": "--- Age verification",
    "assessment": "--- Assessment with the family and the child",
    "plan": "--- The remediation plan",
    "implementation": "--- Carrying out the plan",
    "visits": "--- Monitoring visits, oldest first",
    "payments": "--- Payments, oldest first",
    "closure": "--- Closure",
    "root_causes": "Why the child was working",
    "history": "--- Stage moves (written by clr advance)",
    "checklist": "--- Checklist ticks (written by clr tick)",
}


def case_document(plan: Plan) -> Section:
    rng = plan.rng
    doc: dict[str, Any] = {
        "schema_version": 1,
        "id": plan.case_id,
        "playbook": "child-labour",
        "track": plan.track,
        "stage": STAGES[plan.stage],
        "opened": iso(plan.t.discovery),
        "site": site(plan),
        "child": child(plan),
        "discovery": discovery(plan),
    }
    if rng.random() < 0.1:
        doc["related_cases"] = rng.sample(plan.other_ids, 1)
    doc["flags"] = flags(plan)
    if plan.has(PROTECTED):
        doc["protection"] = protection(plan)
    if plan.has(AGE_VERIFIED):
        doc["age_verification"] = age_verification(plan)
    if plan.has(ASSESSED):
        doc["assessment"] = assessment(plan)
    if plan.has(PLAN_AGREED):
        doc["plan"] = plan_section(plan)
    if plan.has(IN_REMEDIATION):
        doc["implementation"] = implementation(plan)
    if plan.visits:
        doc["visits"] = visits(plan)
    if plan.payments:
        doc["payments"] = payments(plan)
    if plan.stage == CLOSED:
        doc["closure"] = closure(plan)
    if plan.rechecks:
        doc["recurrence_checks"] = [
            {"date": iso(day), "method": "household", "working": False, "in_school": True}
            for day in plan.rechecks
        ]
    if plan.has(IDENTIFIED):
        causes = rng.sample(ROOT_CAUSES, rng.randint(1, 3))
        # The causes of the corrective actions at the supplier are root causes too (CLR227).
        for action in doc.get("implementation", {}).get("corrective_actions", []):
            if action["cause"] not in causes:
                causes.append(action["cause"])
        doc["root_causes"] = causes
    doc["history"] = history(plan)
    doc["checklist"] = checklist(plan)
    doc = {k: v for k, v in doc.items() if v is not None and v != {}}
    return Section(doc, COMMENTS)


def case_yaml(case_id: str, other_ids: list[str], rng: random.Random) -> str:
    plan = make_plan(case_id, other_ids, rng)
    header = f"Case {case_id}\nKept by clr: edit with care, and never write real names here."
    return to_yaml(case_document(plan), header)


CONFIG = """\
# clr case repository for benchmarks (synthetic data, generated by benchmarks/generate.py)
schema_version: 1
organisation: "Benchmark Remediation Network"
id_prefix: BEN
default_playbook: child-labour
timezone: Asia/Dhaka
"""


def generate(out: Path, count: int, seed: int, *, force: bool = False) -> list[str]:
    """Write ``out/clr.yaml`` and ``count`` cases; return the case ids."""
    cases = out / "cases"
    if cases.exists() and any(cases.iterdir()):
        if not force:
            raise SystemExit(f"{cases} is not empty (use --force to replace it)")
        shutil.rmtree(cases)
    cases.mkdir(parents=True, exist_ok=True)
    (out / "clr.yaml").write_text(CONFIG, encoding="utf-8")
    rng = random.Random(seed)
    ids = make_ids(count, rng)
    for i, case_id in enumerate(ids):
        others = [x for x in rng.sample(ids, min(3, len(ids))) if x != case_id] or [
            f"{ID_PREFIX}-2025-{CROCKFORD[i % 32]}0000"
        ]
        folder = cases / case_id
        folder.mkdir()
        case_rng = random.Random(f"{seed}:{case_id}")
        (folder / "case.yaml").write_text(case_yaml(case_id, others, case_rng), encoding="utf-8")
    return ids


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the case repository to write")
    parser.add_argument("--cases", type=int, required=True, help="how many cases")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--force", action="store_true", help="replace existing cases")
    args = parser.parse_args(argv)
    if args.cases < 1:
        parser.error("--cases must be at least 1")
    generate(args.out, args.cases, args.seed, force=args.force)
    print(f"wrote {args.cases} cases to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
