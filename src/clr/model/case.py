"""The typed view of one case, and the one rule for adding up its money.

A case stays a plain mapping (it is one on disk and in the result cache): ``Case`` wraps
the parsed mapping without copying it, and each accessor looks its part up when asked.
An accessor never raises on a malformed case: a part that is missing or of the wrong
type reads as empty (``{}`` for a section, ``[]`` for a list, ``None`` for a value), so
views can read cases that the checks would fail. The raw mapping stays reachable as
``Case.data`` for the code that changes a case.

``dig`` is the one helper that walks nested mappings; nothing else in clr does.

Money (``money_totals``): an amount counts as the decimal number written in the case
file (an integer exactly, a float as the shortest decimal that reads back as the same
float, so ``35.70`` is 35.7 and ``0.1`` is 0.1). Payments without a currency code or
with an amount that is not a finite number are left out. Totals are exact
``decimal.Decimal`` sums per currency, never added across currencies; they are rounded
only when shown (``money_value``): half up to two places, a whole number without
decimals.
"""

from __future__ import annotations

import decimal
import math
from collections.abc import Iterable, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any

_EMPTY: Mapping[str, Any] = MappingProxyType({})
_CENT = Decimal("0.01")
_CONTEXT = decimal.Context(prec=60, rounding=decimal.ROUND_HALF_UP)


def dig(data: Any, *keys: str) -> Any:
    """The value at ``keys`` in nested mappings, or None where a step is not a mapping."""
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def items(value: Any) -> list[dict[str, Any]]:
    """The mapping entries of a list (a list of visits, payments …); [] if not a list."""
    return [x for x in value if isinstance(x, dict)] if isinstance(value, list) else []


def section(value: Any) -> Mapping[str, Any]:
    """``value`` if it is a mapping, else an empty one (never a copy)."""
    return value if isinstance(value, dict) else _EMPTY


def is_amount(value: Any) -> bool:
    """True if ``value`` is a finite number (not a bool), so it can be counted as money."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def amount_decimal(value: int | float) -> Decimal:
    """An amount as the decimal number written in the file (see the module's rule)."""
    return Decimal(value) if isinstance(value, int) else Decimal(repr(value))


def money_totals(payments: Iterable[tuple[Any, Any]]) -> dict[str, Decimal]:
    """Exact per-currency totals of ``(currency, amount)`` pairs, sorted by currency.

    Pairs whose currency is not a string or whose amount is not a finite number are
    left out (the module's rule). The totals are not rounded: see ``money_value``.
    """
    # Equal amounts are counted first and converted once: bulk views add up hundreds of
    # thousands of payments, most of them the same few stipends.
    counts: dict[tuple[str, int | float], int] = {}
    for currency, amount in payments:
        if isinstance(currency, str) and is_amount(amount):
            key = (currency, amount)
            counts[key] = counts.get(key, 0) + 1
    return money_totals_counted(counts)


def money_totals_counted(counts: Mapping[tuple[str, int | float], int]) -> dict[str, Decimal]:
    """``money_totals`` of payments already counted: how many of each (currency, amount).

    Every pair must be one ``money_totals`` keeps (a text currency, a finite amount).
    """
    sums: dict[str, Decimal] = {}
    for (currency, amount), n in counts.items():
        part = _CONTEXT.multiply(amount_decimal(amount), Decimal(n))
        sums[currency] = _CONTEXT.add(sums.get(currency, Decimal(0)), part)
    return {c: sums[c] for c in sorted(sums)}


def money_round(total: Decimal) -> Decimal:
    """``total`` rounded half up to two decimal places (cents)."""
    return _CONTEXT.quantize(total, _CENT)


def money_value(total: Decimal) -> int | float:
    """A total as shown: rounded half up to cents, an ``int`` when whole.

    The float of a two-place decimal prints back as those same digits, so JSON and text
    outputs show the same number.
    """
    rounded = money_round(total)
    if rounded == rounded.to_integral_value():
        return int(rounded)
    return float(rounded)


def money_share(total: Decimal, count: int) -> int | float:
    """``total`` divided by ``count``, shown as ``money_value`` shows a total."""
    return money_value(_CONTEXT.divide(total, Decimal(count)))


class Case:
    """A read-only view of one parsed case mapping (no copy; parts looked up when asked)."""

    __slots__ = ("data",)

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data

    def get(self, *keys: str) -> Any:
        """The value at ``keys`` (``dig``), e.g. ``case.get("plan", "stipend", "amount")``."""
        return dig(self.data, *keys)

    # --- top-level values -------------------------------------------------------------

    @property
    def id(self) -> Any:
        """The case id as written (normally a string)."""
        return self.data.get("id")

    @property
    def stage(self) -> Any:
        """The current stage as written."""
        return self.data.get("stage")

    @property
    def track(self) -> Any:
        """The track (``underage`` or ``young-worker``) as written."""
        return self.data.get("track")

    @property
    def opened(self) -> Any:
        """The day the case was opened, as written."""
        return self.data.get("opened")

    @property
    def playbook(self) -> Any:
        """The playbook's name as written."""
        return self.data.get("playbook")

    @property
    def reopens(self) -> Any:
        """The id of the closed case this one reopens, as written."""
        return self.data.get("reopens")

    @property
    def closed(self) -> bool:
        """True if the case is at the ``closed`` stage."""
        return self.data.get("stage") == "closed"

    # --- sections (mappings) ------------------------------------------------------------

    @property
    def site(self) -> Mapping[str, Any]:
        """Where the child was found: name, supplier, buyer, country, sector."""
        return section(self.data.get("site"))

    @property
    def child(self) -> Mapping[str, Any]:
        """The child: pseudonym, sex, estimated age, birth date."""
        return section(self.data.get("child"))

    @property
    def discovery(self) -> Mapping[str, Any]:
        """How and when the child was found working."""
        return section(self.data.get("discovery"))

    @property
    def flags(self) -> Mapping[str, Any]:
        """Emergency and escalation flags."""
        return section(self.data.get("flags"))

    @property
    def protection(self) -> Mapping[str, Any]:
        """Immediate protection: removal from work, hazards removed, wages continued."""
        return section(self.data.get("protection"))

    @property
    def age_verification(self) -> Mapping[str, Any]:
        """The age verification: date, result, verified and minimum ages."""
        return section(self.data.get("age_verification"))

    @property
    def assessment(self) -> Mapping[str, Any]:
        """The family assessment, consent and assent."""
        return section(self.data.get("assessment"))

    @property
    def plan(self) -> Mapping[str, Any]:
        """The remediation plan: components, stipend, budget, signatures."""
        return section(self.data.get("plan"))

    @property
    def implementation(self) -> Mapping[str, Any]:
        """The plan carried out: start, enrolment, referrals, corrective actions."""
        return section(self.data.get("implementation"))

    @property
    def closure(self) -> Mapping[str, Any]:
        """The closure: date, reason, recurrence check (may be present before closing)."""
        return section(self.data.get("closure"))

    @property
    def checklist(self) -> Mapping[str, Any]:
        """Ticked playbook items: item id to its tick."""
        return section(self.data.get("checklist"))

    # --- lists ------------------------------------------------------------------------

    @property
    def history(self) -> list[dict[str, Any]]:
        """The stage moves and notes, in file order (mapping entries only)."""
        return items(self.data.get("history"))

    @property
    def visits(self) -> list[dict[str, Any]]:
        """The follow-up visits, in file order (mapping entries only)."""
        return items(self.data.get("visits"))

    @property
    def payments(self) -> list[dict[str, Any]]:
        """The payments, in file order (mapping entries only)."""
        return items(self.data.get("payments"))

    @property
    def root_causes(self) -> list[str]:
        """The root causes recorded (string entries only)."""
        causes = self.data.get("root_causes")
        return [c for c in causes if isinstance(c, str)] if isinstance(causes, list) else []

    # --- money ------------------------------------------------------------------------

    def money_totals(self) -> dict[str, Decimal]:
        """Exact per-currency totals of the payments (``money_totals``)."""
        return money_totals((p.get("currency"), p.get("amount")) for p in self.payments)

    def money_totals_by_payer(self) -> dict[tuple[str, str], Decimal]:
        """Exact totals per (payer, currency), sorted; a missing payer reads ``None``."""
        by_payer: dict[str, list[tuple[Any, Any]]] = {}
        for p in self.payments:
            by_payer.setdefault(str(p.get("payer")), []).append(
                (p.get("currency"), p.get("amount"))
            )
        return {
            (payer, currency): total
            for payer in sorted(by_payer)
            for currency, total in money_totals(by_payer[payer]).items()
        }
