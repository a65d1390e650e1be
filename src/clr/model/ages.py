"""Minimum ages for work and the effective minimum age for a case.

The country table ships as versioned data in ``clr/data/minimum-ages.yaml``.
The effective minimum age is the highest of three values:

* national law (from the table, or the repository's ``minimum_ages``
  override in ``clr.yaml``, which replaces the table value),
* the ILO Minimum Age Convention (C138) floor: 15 for general work (14 where
  the country declared the Art. 2(4) transitional age), 13 for light work
  (12 transitional) and 18 for hazardous work,
* the buyer's code of conduct, when one is given.

The result records which of these decided it, so that a report can say why.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from typing import Any, Literal, get_args

from clr.i18n import N_
from clr.io import resources
from clr.model.case import dig
from clr.model.dates import age_on, parse_date, partial_bounds
from clr.model.findings import Joined, Said, said
from clr.model.record import Frozen

__all__ = [
    "DecidedBy",
    "MinimumAge",
    "WorkKind",
    "country_entry",
    "effective_minimum_age",
    "known_countries",
    "table_version",
]

WorkKind = Literal["general", "light", "hazardous"]
DecidedBy = Literal["national_law", "c138_floor", "buyer_code", "repository_override"]

_TABLE_RESOURCE = "data/minimum-ages.yaml"
_WORK_KINDS: tuple[str, ...] = get_args(WorkKind)
# Field of a country row that holds the national age for each kind of work.
_NATIONAL_FIELD: dict[str, str] = {
    "general": "general",
    "light": "light_from",
    "hazardous": "hazardous",
}
# Fields of the ``c138`` section: (normal floor, developing-country floor).
_C138_FIELDS: dict[str, tuple[str, str]] = {
    "general": ("general", "general_developing"),
    "light": ("light_work", "light_work_developing"),
    "hazardous": ("hazardous", "hazardous"),
}
# Sanity bounds for ages given by a repository or a buyer code.
_MIN_SANE_AGE = 1
_MAX_SANE_AGE = 25

_LABELS: dict[str, str] = {
    "national_law": N_("national law"),
    "repository_override": N_("the repository override"),
    "buyer_code": N_("the buyer code"),
    "c138_floor": N_("the ILO C138 floor"),
}
_WORK = {
    "general": N_("{age} for general work in {country}: {decided}"),
    "light": N_("{age} for light work in {country}: {decided}"),
    "hazardous": N_("{age} for hazardous work in {country}: {decided}"),
}
# How the effective age compares with another value: above, equal to, below.
_FLOOR = (
    N_("above the ILO C138 floor of {age}"),
    N_("equal to the ILO C138 floor of {age}"),
    N_("below the ILO C138 floor of {age}"),
)
_NATIONAL = (
    N_("above national law ({age})"),
    N_("equal to national law ({age})"),
    N_("below national law ({age})"),
)
_BUYER = (
    N_("above the buyer code ({age})"),
    N_("equal to the buyer code ({age})"),
    N_("below the buyer code ({age})"),
)


class MinimumAge(Frozen):
    """The effective minimum age for one country and kind of work.

    Attributes:
        age: The effective minimum age (the highest of the values below).
        decided_by: Which source gave that age. On a tie the order of
            preference is national law, repository override, buyer code,
            then the C138 floor.
        national: The national-law value used (the repository override when
            one is given), or None when no value is known.
        c138_floor: The ILO C138 floor for this country and kind of work.
        buyer_code: The buyer code's value, or None when none was given.
        country: The ISO 3166-1 alpha-2 country code, upper case.
        work: The kind of work.
        source: Plain text naming where the deciding value came from.
        confidence: Confidence of the bundled table row for this country
            ("high", "medium" or "low"), or "unknown" when the country is
            not in the table.
        table_version: Version string of the bundled table.
    """

    age: int
    decided_by: DecidedBy
    national: int | None
    c138_floor: int
    buyer_code: int | None
    country: str
    work: WorkKind
    source: str
    confidence: str
    table_version: str

    def __init__(
        self,
        age: int,
        decided_by: DecidedBy,
        national: int | None,
        c138_floor: int,
        buyer_code: int | None,
        country: str,
        work: WorkKind,
        source: str,
        confidence: str,
        table_version: str,
    ) -> None:
        self.__dict__.update(
            age=age,
            decided_by=decided_by,
            national=national,
            c138_floor=c138_floor,
            buyer_code=buyer_code,
            country=country,
            work=work,
            source=source,
            confidence=confidence,
            table_version=table_version,
        )

    def explain(self) -> str:
        """Say in one plain sentence why the effective minimum age is what it is.

        Returns:
            A sentence such as "14 for general work in BD: national law
            (USDOL 2019/2020 (NC)), equal to the ILO C138 floor of 14."
        """
        return self.worded().english()

    def worded(self) -> Said:
        """:meth:`explain`'s sentence as words, to be said in the reader's language.

        The country, the ages and the source are quoted as they are.
        """
        decided: Any = said(_LABELS[self.decided_by])
        if self.decided_by != "buyer_code":
            decided = Joined("", (decided, f" ({self.source})"))
        head = said(
            _WORK.get(self.work, _WORK["general"]),
            age=str(self.age),
            country=self.country,
            decided=decided,
        )
        others: list[Said] = []
        if self.decided_by != "c138_floor":
            others.append(
                said(_relation(self.age, self.c138_floor, _FLOOR), age=str(self.c138_floor))
            )
        if self.decided_by not in ("national_law", "repository_override"):
            if self.national is None:
                others.append(said(N_("no national-law value is on record")))
            else:
                others.append(
                    said(_relation(self.age, self.national, _NATIONAL), age=str(self.national))
                )
        if self.decided_by != "buyer_code" and self.buyer_code is not None:
            others.append(
                said(_relation(self.age, self.buyer_code, _BUYER), age=str(self.buyer_code))
            )
        if not others:
            return said(N_("{head}."), head=head)
        if len(others) == 1:
            return said(N_("{head}, {other}."), head=head, other=others[0])
        return said(
            N_("{head}, {others} and {last}."),
            head=head,
            others=Joined(", ", tuple(others[:-1])),
            last=others[-1],
        )


def _relation(age: int, other: int, words: tuple[str, str, str]) -> str:
    """Compare the effective age with another value, in words."""
    if age > other:
        return words[0]
    if age == other:
        return words[1]
    return words[2]  # cannot happen for a maximum, kept for safety


@functools.cache
def _table() -> dict[str, Any]:
    """Load and lightly check the bundled minimum-age table (cached).

    Returns:
        The parsed YAML document.

    Raises:
        TypeError: If a part of the bundled file has the wrong type.
    """
    data = resources.data_table(_TABLE_RESOURCE)
    if not isinstance(data.get("version"), str):
        raise TypeError(f"{_TABLE_RESOURCE}: 'version' must be a string")
    if not isinstance(data.get("countries"), dict):
        raise TypeError(f"{_TABLE_RESOURCE}: 'countries' must be a mapping")
    c138 = data.get("c138")
    if not isinstance(c138, dict):
        raise TypeError(f"{_TABLE_RESOURCE}: 'c138' must be a mapping")
    for normal, developing in _C138_FIELDS.values():
        for field in (normal, developing):
            if not _is_int(c138.get(field)):
                raise TypeError(f"{_TABLE_RESOURCE}: c138.{field} must be an integer")
    return data


def _is_int(value: object) -> bool:
    """Tell whether a value is a real integer (booleans excluded)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _countries() -> dict[str, dict[str, Any]]:
    """The ``countries`` section of the table."""
    countries: dict[str, dict[str, Any]] = _table()["countries"]
    return countries


def _normalise_country(country: str) -> str:
    """Strip and upper-case a country code, rejecting empty input."""
    code = country.strip().upper()
    if not code:
        raise ValueError("country code must not be empty")
    return code


def _checked_age(value: object, what: str) -> int:
    """Check that an age given by a caller is a plausible integer.

    Args:
        value: The value to check.
        what: Where it came from, for the error message.

    Returns:
        The value as an int.

    Raises:
        TypeError: If it is not an integer (booleans are refused too).
        ValueError: If it is outside a plausible range.
    """
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{what} must be a whole number of years, got {value!r}")
    if not _MIN_SANE_AGE <= value <= _MAX_SANE_AGE:
        raise ValueError(f"{what} must be between {_MIN_SANE_AGE} and {_MAX_SANE_AGE}, got {value}")
    return value


def _checked_work_mapping(mapping: Mapping[str, int], what: str) -> dict[str, int]:
    """Check a ``{work kind: age}`` mapping, rejecting unknown keys.

    Unknown keys are refused rather than ignored, so that a typo such as
    ``hazardus`` cannot silently lower a minimum age.
    """
    checked: dict[str, int] = {}
    for key, value in mapping.items():
        if key not in _WORK_KINDS:
            allowed = ", ".join(_WORK_KINDS)
            raise ValueError(f"{what}: unknown kind of work {key!r} (expected one of {allowed})")
        checked[key] = _checked_age(value, f"{what}.{key}")
    return checked


def table_version() -> str:
    """Return the version string of the bundled minimum-age table.

    Returns:
        The ``version`` field of ``minimum-ages.yaml``.
    """
    version: str = _table()["version"]
    return version


def country_entry(country: str) -> dict[str, object] | None:
    """Return the table row for a country.

    Args:
        country: ISO 3166-1 alpha-2 code, in any case.

    Returns:
        A copy of the row (name, general, light_from, hazardous,
        c138_declared, developing, source, as_of, confidence, note, ...),
        or None when the country is not in the table.
    """
    entry = _countries().get(_normalise_country(country))
    if entry is None:
        return None
    return {
        key: (list(value) if isinstance(value, list) else value) for key, value in entry.items()
    }


def known_countries() -> list[str]:
    """Return the country codes in the bundled table, sorted.

    Returns:
        Upper-case ISO 3166-1 alpha-2 codes.
    """
    return sorted(_countries())


def effective_minimum_age(
    country: str,
    work: WorkKind = "general",
    *,
    overrides: Mapping[str, Mapping[str, int]] | None = None,
    buyer_code: Mapping[str, int] | None = None,
) -> MinimumAge:
    """Work out the effective minimum age: max(national law, C138 floor, buyer code).

    Args:
        country: ISO 3166-1 alpha-2 code, in any case.
        work: "general", "light" or "hazardous".
        overrides: The repository's ``minimum_ages`` mapping from clr.yaml,
            ``{country: {general: int, light: int, hazardous: int}}`` (any
            subset). A value here replaces the table's national value.
        buyer_code: The buyer code's ages, ``{general: int, light: int,
            hazardous: int}`` (any subset).

    Returns:
        The effective minimum age and how it was decided.

    Raises:
        TypeError: If an override or buyer-code value is not an integer.
        ValueError: If the country code is empty, the kind of work is not
            known, or an override or buyer-code value is out of range or
            names an unknown kind of work.
    """
    if work not in _WORK_KINDS:
        raise ValueError(
            f"unknown kind of work {work!r} (expected one of {', '.join(_WORK_KINDS)})"
        )
    code = _normalise_country(country)
    table = _table()
    entry = _countries().get(code)

    # ILO C138 floor.
    developing = bool(entry.get("developing")) if entry is not None else False
    normal_field, developing_field = _C138_FIELDS[work]
    c138: dict[str, Any] = table["c138"]
    floor: int = c138[developing_field if developing else normal_field]
    floor_source = str(c138.get("source", "ILO C138"))
    if developing and work != "hazardous":
        floor_source += "; Art. 2(4) transitional floor for a country that declared 14"

    # National law, possibly replaced by the repository override.
    national: int | None = None
    national_by: DecidedBy = "national_law"
    national_source = ""
    if entry is not None:
        raw = entry.get(_NATIONAL_FIELD[work])
        if raw is not None:
            national = _checked_age(raw, f"{_TABLE_RESOURCE}: {code}.{_NATIONAL_FIELD[work]}")
            national_source = str(entry.get("source", "minimum-age table"))
    if overrides:
        for key, values in overrides.items():
            if _normalise_country(key) != code:
                continue
            checked = _checked_work_mapping(values, f"minimum_ages.{key}")
            if work in checked:
                national = checked[work]
                national_by = "repository_override"
                national_source = f"clr.yaml minimum_ages.{key}.{work}"

    # Buyer code.
    buyer: int | None = None
    if buyer_code:
        buyer = _checked_work_mapping(buyer_code, "buyer_code").get(work)

    # Highest value wins; ties go to the first in this order.
    candidates: list[tuple[DecidedBy, int | None, str]] = [
        (national_by, national, national_source),
        ("buyer_code", buyer, "buyer code of conduct"),
        ("c138_floor", floor, floor_source),
    ]
    age = max(value for _, value, _ in candidates if value is not None)
    decided_by, _, source = next(c for c in candidates if c[1] == age)

    confidence = str(entry.get("confidence", "unknown")) if entry is not None else "unknown"
    return MinimumAge(
        age=age,
        decided_by=decided_by,
        national=national,
        c138_floor=floor,
        buyer_code=buyer,
        country=code,
        work=work,
        source=source,
        confidence=confidence,
        table_version=table_version(),
    )


def for_case(
    data: Mapping[str, Any],
    *,
    overrides: Mapping[str, Mapping[str, int]],
    buyer_codes: Mapping[str, Mapping[str, int]],
    work: str | None = None,
) -> MinimumAge | None:
    """The effective minimum age for a case's country, work and buyer, or None if unknown.

    ``work`` (general, light, hazardous) defaults to the case's ``age_verification.work``.
    The check CLR208 and the value ``clr advance`` proposes both come from here.
    """
    country = dig(data, "site", "country")
    if not isinstance(country, str) or len(country) != 2:
        return None
    requested = work or dig(data, "age_verification", "work") or "general"
    kind: WorkKind = "general"
    if requested == "light":
        kind = "light"
    elif requested == "hazardous":
        kind = "hazardous"
    buyer = dig(data, "site", "buyer")
    code = buyer_codes.get(buyer) if isinstance(buyer, str) else None
    try:
        return effective_minimum_age(country, kind, overrides=overrides or None, buyer_code=code)
    except (ValueError, TypeError):
        return None


def age_at(data: dict[str, Any], day: dt.date) -> int | None:
    """The child's lowest possible age on ``day``, from the birth date or the verified age."""
    births = (dig(data, "age_verification", "birth_date"), dig(data, "child", "birth_date"))
    for source in births:
        bounds = partial_bounds(source)
        if bounds is not None:
            return age_on(bounds[1], day)
    verified = dig(data, "age_verification", "verified_age")
    checked = parse_date(dig(data, "age_verification", "date"))
    if isinstance(verified, int) and checked is not None:
        return verified + max(0, age_on(checked, day))
    return None
