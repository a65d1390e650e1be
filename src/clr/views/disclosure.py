"""Disclosure control for figures shared outside the team (``--min-count``, investors).

The figures of ``clr stats`` are computed over every case and group first
(``clr.views.figures``); ``protect`` then hides what could single out a child, in place:

* **primary suppression**: a group or sex split of fewer than ``min_count`` cases (its
  figures become null), and inside a shown group every figure that rests on 1 to
  ``min_count - 1`` cases: a count, a share whose count or whose remainder (``of - count``)
  is that small, a median over so few cases, a money figure (total, per case, by payer)
  paid to so few cases, and two successive stages of the funnel that differ by so few;
* **secondary (complementary) suppression**: wherever a figure is the sum of others (a
  group and its sex splits, the total and the groups, ``cases = open + closed``, open cases
  by stage, closures by reason, a currency's total and its payers), one hidden term would
  be the visible total minus the visible rest; so the smallest other term (not zero, if
  possible) is hidden too, and again until no sum has exactly one hidden term. When one of
  a set of sibling groups (or sex splits) is hidden whole, the smallest other one is hidden
  whole too.

A hidden figure is the text ``SUPPRESSED`` in place of its number (a share or a median keeps
its shape: ``{"count": "suppressed", "of": 12, "percent": "suppressed"}``).

``Ledger`` is the record of what was shared (``.clr/shared.jsonl`` in the case repository):
one line per export for an investor, with a fingerprint of the set of cases. A new
selection that differs from a recorded one by 1 to ``min_count - 1`` cases is refused: the
difference of the two sets of figures would describe those few children.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clr.errors import ClrError
from clr.i18n import N_, Nn_
from clr.model.findings import said, said_n
from clr.views.summary import REMEDIATED, CaseSummary

SUPPRESSED = "suppressed"
"""What a hidden figure reads in JSON, CSV and tables."""

Path_ = tuple[str, ...]
Cell = tuple[int, Path_]  # (slot, path of the figure)

# Kinds of figure.
_COUNT = "count"  # a number of cases (or of actions, one per case)
_SHARE_COUNT = "share.count"
_SHARE_OF = "share.of"
_PERCENT = "share.percent"
_MEDIAN = "median"
_MEDIAN_CASES = "median.cases"
_AMOUNT = "money"  # a sum of money, or a number of payments
_RATIO = "ratio"  # money per case: not a sum
_OTHER = "other"

_ADDITIVE = frozenset({_COUNT, _SHARE_COUNT, _SHARE_OF, _MEDIAN_CASES, _AMOUNT})
"""Kinds whose value over a group is the sum of its values over the parts of the group."""


def _kind(path: Path_, value: Any) -> str:
    if path[0] == "money":
        return _RATIO if "per_case" in path or "per_child_remediated" in path else _AMOUNT
    if isinstance(value, int) and not isinstance(value, bool):
        return _COUNT
    return _OTHER


def _leaves(figs: Mapping[str, Any], path: Path_ = ()) -> Iterator[tuple[Path_, Any, str]]:
    """Every figure as (path, value, kind), shares and medians taken apart."""
    for key, value in figs.items():
        here = (*path, key)
        if isinstance(value, Mapping) and set(value) == {"count", "of", "percent"}:
            yield (*here, "count"), value["count"], _SHARE_COUNT
            yield (*here, "of"), value["of"], _SHARE_OF
            yield (*here, "percent"), value["percent"], _PERCENT
        elif isinstance(value, Mapping) and set(value) == {"median", "cases"}:
            yield (*here, "median"), value["median"], _MEDIAN
            yield (*here, "cases"), value["cases"], _MEDIAN_CASES
        elif isinstance(value, Mapping):
            yield from _leaves(value, here)
        else:
            yield here, value, _kind(here, value)


@dataclass
class _Slot:
    """One column of figures: a group (or the total), all cases or one sex."""

    node: dict[str, Any]
    cases: Sequence[CaseSummary]
    values: dict[Path_, Any]
    kinds: dict[Path_, str]
    hidden_whole: bool = False


def _small(value: Any, min_count: int) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < min_count


class _Protector:
    def __init__(self, min_count: int) -> None:
        self.m = min_count
        self.slots: list[_Slot] = []
        self.hidden: set[Cell] = set()
        self.relations: list[tuple[Cell, list[Cell], int]] = []

    # --- slots ------------------------------------------------------------------------

    def add(self, node: dict[str, Any], cases: Sequence[CaseSummary]) -> int:
        values: dict[Path_, Any] = {}
        kinds: dict[Path_, str] = {}
        if not node["suppressed"] and node["figures"] is not None:
            for path, value, kind in _leaves(node["figures"]):
                values[path] = value
                kinds[path] = kind
        self.slots.append(_Slot(node, cases, values, kinds, node["suppressed"]))
        return len(self.slots) - 1

    def is_hidden(self, cell: Cell) -> bool:
        return self.slots[cell[0]].hidden_whole or cell in self.hidden

    def hide(self, cell: Cell) -> bool:
        if self.is_hidden(cell) or cell[1] not in self.slots[cell[0]].values:
            return False
        self.hidden.add(cell)
        return True

    # --- primary suppression --------------------------------------------------------------

    def primary(self, index: int) -> None:
        slot = self.slots[index]
        if slot.hidden_whole:
            return
        paid = _paid(slot.cases)
        currencies = {cur for cur, _ in paid if cur is not None}
        payers = {payer for _, payer in paid if payer is not None}
        remediated: dict[Any, int] | None = None  # each counted once, when first asked for
        on_time: int | None = None
        compared: int | None = None
        for path, value in slot.values.items():
            kind = slot.kinds[path]
            if kind == _MEDIAN:
                value = slot.values.get((*path[:-1], "cases"))  # a median rests on these
            if kind in (_COUNT, _SHARE_COUNT, _SHARE_OF, _MEDIAN, _MEDIAN_CASES) and _small(
                value, self.m
            ):
                self.hide((index, path))
            if path[0] != "money" or kind == _PERCENT:
                continue
            if "stipend_on_time" in path:
                if on_time is None:
                    on_time = sum(bool(c.stipends_on_time) for c in slot.cases)
                support = on_time
            elif "stipend_at_least_lost_wage" in path:
                if compared is None:
                    compared = sum(c.stipend_covers_wage is not None for c in slot.cases)
                support = compared
            else:
                currency = next((s for s in path if s in currencies), None)
                payer = next((s for s in path[1:] if s in payers), None)
                support = paid.get((currency, payer), 0)
                if "per_child_remediated" in path and not _small(support, self.m):
                    if remediated is None:
                        remediated = _remediated(slot.cases)
                    support = remediated.get(currency, 0)  # the divisor, not small either
            if _small(support, self.m):
                self.hide((index, path))

    # --- rules applied until nothing changes ----------------------------------------------

    def shares(self, index: int) -> bool:
        """A share's count is hidden with its ``of``, or when ``of - count`` is small."""
        slot = self.slots[index]
        changed = False
        if slot.hidden_whole:
            return False
        for path, kind in slot.kinds.items():
            if kind != _SHARE_COUNT:
                continue
            base = path[:-1]
            count, of = (index, path), (index, (*base, "of"))
            if self.is_hidden(of):
                changed |= self.hide(count)
            elif not self.is_hidden(count):
                rest = _number(slot.values[of[1]]) - _number(slot.values[path])
                if 0 < rest < self.m:
                    changed |= self.hide(count)
            if self.is_hidden(count):
                changed |= self.hide((index, (*base, "percent")))
        return changed

    def funnel(self, index: int) -> bool:
        """Two visible stages of the funnel may not differ by 1 to ``min_count - 1`` cases."""
        slot = self.slots[index]
        if slot.hidden_whole:
            return False
        changed = False
        last: Any = None
        for path, value in slot.values.items():
            if path[0] != "funnel" or path[-1] == "closed":
                continue
            cell = (index, path)
            if self.is_hidden(cell):
                continue
            if last is not None and _small(_number(last) - _number(value), self.m):
                changed |= self.hide(cell)
                continue
            last = value
        return changed

    def relation(self, total: Cell, parts: list[Cell], fixed: int) -> int:
        """Hide a second term of ``total = sum(parts)`` if exactly one is hidden.

        ``fixed`` terms more (in columns hidden whole) are hidden and not listed. Returns
        how many terms are hidden now (two or more: it stays so).
        """
        hidden = fixed + sum(self.is_hidden(c) for c in (total, *parts))
        if hidden != 1:
            return hidden
        candidates = [c for c in parts if not self.is_hidden(c) and c[1] in self.slots[c[0]].values]
        if not candidates:
            return 1 + self.hide(total)
        nonzero = [c for c in candidates if _number(self.value(c)) != 0]
        pool = nonzero or candidates
        return 1 + self.hide(min(pool, key=lambda c: _number(self.value(c))))

    def value(self, cell: Cell) -> Any:
        return self.slots[cell[0]].values.get(cell[1], 0)

    def settle(self) -> None:
        changed = True
        while changed:
            changed = False
            for index in range(len(self.slots)):
                changed |= self.shares(index)
                changed |= self.funnel(index)
            live = []
            for total, parts, fixed in self.relations:
                before = len(self.hidden)
                if self.relation(total, parts, fixed) < 2:
                    live.append((total, parts, fixed))
                changed |= len(self.hidden) != before
            self.relations = live  # two hidden terms stay hidden: such a sum is safe for good

    # --- relations ----------------------------------------------------------------------

    def sums_over(self, whole: int, parts: Sequence[int]) -> None:
        """``whole``'s additive figures are the sums of the ``parts``' ones."""
        fixed = sum(self.slots[p].hidden_whole for p in parts)
        if fixed >= 2:
            return  # every such sum already has two unknown terms
        parts = [p for p in parts if not self.slots[p].hidden_whole]
        paths: dict[Path_, None] = {}
        for index in (whole, *parts):
            slot = self.slots[index]
            for path, kind in slot.kinds.items():
                if kind in _ADDITIVE:
                    paths.setdefault(path)
        for path in paths:
            self.relations.append(((whole, path), [(p, path) for p in parts], fixed))

    def within(self, index: int) -> None:
        """The sums inside one column of figures."""
        slot = self.slots[index]
        if slot.hidden_whole:
            return
        paths = list(slot.values)

        def under(*prefix: str) -> list[Cell]:
            n = len(prefix)
            return [(index, p) for p in paths if p[:n] == prefix and len(p) == n + 1]

        rules: list[tuple[Path_, list[Cell]]] = [
            (("cases",), [(index, ("open",)), (index, ("closed",))]),
            (("open",), under("open_by_stage")),
            (("closed",), under("closure", "by_reason")),
            (("cases",), [(index, ("funnel", "reported"))]),
            (("closed",), [(index, ("funnel", "closed"))]),
            (("overdue", "actions"), under("overdue", "by_action")),
            (("cases",), under("sector", "by_channel")),
        ]
        # The same number under two names: hidden under one, hidden under both.
        for share, stage in _SAME_AS_FUNNEL.items():
            rules.append((("funnel", stage), [(index, (*share, "of"))]))
        rules.append((("cases",), [(index, ("outcomes", "reopened", "of"))]))
        rules.append((("closed",), [(index, ("closure", "lost_to_follow_up", "of"))]))
        payers: dict[str, list[Cell]] = {}  # by currency
        for path in paths:
            if path[:2] == ("money", "by_payer") and len(path) == 4:
                payers.setdefault(path[3], []).append((index, path))
        for path in paths:
            if path[:2] == ("money", "total") and len(path) == 3:
                rules.append((path, payers.get(path[2], [])))
        for total, parts in rules:
            if total in slot.values and parts and all(c[1] in slot.values for c in parts):
                self.relations.append(((index, total), parts, 0))

    # --- writing back ---------------------------------------------------------------------

    def write(self) -> None:
        for index, path in self.hidden:
            figs = self.slots[index].node["figures"]
            for key in path[:-1]:
                figs = figs[key]
            figs[path[-1]] = SUPPRESSED


_SAME_AS_FUNNEL: dict[Path_, str] = {
    ("coverage", "age_verified"): "age_verified",
    ("coverage", "family_reached"): "assessed",
    ("coverage", "consent_and_assent"): "assessed",
    ("coverage", "plan_signed_by_all"): "plan_agreed",
    ("coverage", "at_least_one_support"): "in_remediation",
    ("coverage", "two_follow_ups"): "monitoring",
    ("outcomes", "job_offered"): "plan_agreed",
    ("root_causes", "corrective_action"): "in_remediation",
}
"""Shares counted among the cases that reached a stage: their ``of`` is that funnel figure."""


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def _paid(cases: Sequence[CaseSummary]) -> dict[tuple[str | None, str | None], int]:
    """How many cases have a payment in each (currency, payer); None stands for any."""
    counts: dict[tuple[str | None, str | None], int] = {}
    for case in cases:
        if not case.payments:
            continue
        pairs = {(p[0], p[2]) for p in case.payments}
        keys: set[tuple[str | None, str | None]] = {(None, None), *pairs}
        keys.update((currency, None) for currency, _ in pairs)
        keys.update((None, payer) for _, payer in pairs)
        for key in keys:
            counts[key] = counts.get(key, 0) + 1
    return counts


def _remediated(cases: Sequence[CaseSummary]) -> dict[Any, int]:
    """How many cases closed as remediated have a payment in each currency."""
    counts: dict[Any, int] = {}
    for case in cases:
        if case.closure_reason in REMEDIATED and case.payments:
            for currency in {p[0] for p in case.payments}:
                counts[currency] = counts.get(currency, 0) + 1
    return counts


def too_small(cases: int, min_count: int) -> bool:
    """True if a group (or a sex split) of so many cases is hidden whole."""
    return cases < min_count


def _hide_node(node: dict[str, Any]) -> None:
    node["suppressed"] = True
    node["figures"] = None
    if "by_sex" in node:
        node["by_sex"] = {}


def _complementary(nodes: Sequence[dict[str, Any]], sizes: Sequence[int]) -> None:
    """If exactly one sibling is hidden whole, hide the smallest other one whole too."""
    hidden = [i for i, node in enumerate(nodes) if node["suppressed"]]
    shown = [i for i, node in enumerate(nodes) if not node["suppressed"]]
    if len(hidden) == 1 and shown:
        _hide_node(nodes[min(shown, key=lambda i: (sizes[i], i))])


def protect(
    doc: dict[str, Any],
    members: Mapping[int, Sequence[CaseSummary]],
    min_count: int,
) -> None:
    """Suppress, in place, every figure of a stats document that could single out a child.

    ``doc`` is the document of ``clr.views.figures.stats_document`` computed without
    suppression; ``members`` maps ``id(node)`` of every node (the total, each group, each
    sex split) to its cases. See the module's documentation for the rules.
    """
    if min_count <= 0:
        return
    total = doc["total"]

    def size(node: dict[str, Any]) -> int:
        return len(members[id(node)])

    def split(node: dict[str, Any]) -> None:
        if size(node) < min_count:
            _hide_node(node)
            return
        children = list(node.get("by_sex", {}).values())
        for child in children:
            if size(child) < min_count:
                _hide_node(child)
        _complementary(children, [size(c) for c in children])

    split(total)
    if total["suppressed"]:
        doc["groups"] = []
        return
    groups = doc["groups"]
    for group in groups:
        split(group)
    _complementary(groups, [size(g) for g in groups])

    guard = _Protector(min_count)
    columns: list[tuple[int, dict[str, int]]] = []
    for node in (total, *groups):
        whole = guard.add(node, members[id(node)])
        sexes = {
            sex: guard.add(child, members[id(child)])
            for sex, child in node.get("by_sex", {}).items()
        }
        columns.append((whole, sexes))
    for index in range(len(guard.slots)):
        guard.primary(index)
        guard.within(index)
    for whole, sexes in columns:
        if sexes:
            guard.sums_over(whole, list(sexes.values()))
    if groups:
        total_whole, total_sexes = columns[0]
        guard.sums_over(total_whole, [whole for whole, _ in columns[1:]])
        for sex, index in total_sexes.items():
            parts = []
            for (whole, sexes), group in zip(columns[1:], groups, strict=True):
                if sex in sexes:
                    parts.append(sexes[sex])
                elif group["suppressed"]:
                    parts.append(whole)  # hidden whole: its part is unknown
            guard.sums_over(index, parts)
    guard.settle()
    guard.write()


# --- the ledger of what was shared ------------------------------------------------------------

LEDGER = Path(".clr") / "shared.jsonl"
"""Where, in a case repository, clr records what it shared (one JSON object a line)."""


_PERSON = b"clr-shared"


def fingerprint(case_ids: Iterable[str]) -> tuple[str, list[bytes]]:
    """The digest of a set of case ids, and the short digest of each id (sorted)."""
    each = sorted(
        {hashlib.blake2b(i.encode(), digest_size=6, person=_PERSON).digest() for i in case_ids}
    )
    whole = hashlib.sha256(b"".join(each)).hexdigest()
    return whole, each


@dataclass(frozen=True)
class Entry:
    """One recorded sharing."""

    line: int
    date: str
    audience: str
    count: int
    digest: str
    cases: frozenset[bytes]


class Ledger:
    """The record of selections shared with an audience, in ``<repository>/.clr/shared.jsonl``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.path = root / LEDGER

    def entries(self) -> list[Entry]:
        """The entries recorded so far (none if the file does not exist).

        Raises:
            ClrError: the ledger exists but cannot be read or a line is not an entry.
        """
        from clr.io.yamlio import read_bytes

        try:
            raw = read_bytes(self.path)
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise ClrError(
                said(
                    N_("cannot read {file}: {reason}"), file=self.path, reason=exc.strerror or exc
                ),
                hint=said(N_("it records what was shared; it must be a regular file you can read")),
            ) from None
        out = []
        for number, text in enumerate(raw.decode("utf-8", "replace").splitlines(), 1):
            if not text.strip():
                continue
            try:
                item = json.loads(text)
                cases = base64.b64decode(item["cases"], validate=True)
                if len(cases) % 6:
                    raise ValueError("bad length")
                out.append(
                    Entry(
                        number,
                        str(item["date"]),
                        str(item["audience"]),
                        int(item["count"]),
                        str(item["fingerprint"]),
                        frozenset(cases[i : i + 6] for i in range(0, len(cases), 6)),
                    )
                )
            except (ValueError, KeyError, TypeError):
                raise ClrError(
                    said(
                        N_("{file}, line {line}: not a record of clr's"),
                        file=self.path,
                        line=number,
                    ),
                    hint=said(
                        N_(
                            "each line is a JSON object written by clr export --for investor; "
                            "restore the file from git (git checkout -- .clr/shared.jsonl)"
                        )
                    ),
                ) from None
        return out

    def check(self, case_ids: Iterable[str], min_count: int) -> None:
        """Refuse a selection that differs from a recorded one by 1 to ``min_count - 1`` cases.

        Raises:
            ClrError: the figures of this selection and of a recorded one would differ by
                too few children.
        """
        _, each = fingerprint(case_ids)
        mine = set(each)
        for entry in self.entries():
            differ = len(mine ^ entry.cases)
            if 0 < differ < min_count:
                raise ClrError(
                    said_n(
                        Nn_(
                            "refused: these {cases} cases differ by only {n} case from the "
                            "{shared} shared on {date} ({file}, line {line}); the difference of "
                            "the two sets of figures would describe that child",
                            "refused: these {cases} cases differ by only {n} cases from the "
                            "{shared} shared on {date} ({file}, line {line}); the difference of "
                            "the two sets of figures would describe those children",
                        ),
                        differ,
                        cases=len(mine),
                        shared=entry.count,
                        date=entry.date,
                        file=self.path.relative_to(self.root),
                        line=entry.line,
                    ),
                    hint=said(
                        N_(
                            "share the same cases again, or a selection that differs by at "
                            "least {count} cases"
                        ),
                        count=min_count,
                    ),
                )

    def record(self, case_ids: Iterable[str], audience: str, today: dt.date) -> None:
        """Append a line for this selection (the file is rewritten atomically)."""
        from clr.io.edit import write_atomic
        from clr.io.yamlio import read_bytes

        digest, each = fingerprint(case_ids)
        line = json.dumps(
            {
                "date": today.isoformat(),
                "audience": audience,
                "count": len(each),
                "fingerprint": digest,
                "cases": base64.b64encode(b"".join(each)).decode("ascii"),
            }
        )
        try:
            before = read_bytes(self.path).decode("utf-8", "replace")
        except FileNotFoundError:
            before = ""
        if before and not before.endswith("\n"):
            before += "\n"
        self.path.parent.mkdir(exist_ok=True)
        write_atomic(self.path, before + line + "\n", expected_digest=None)


def find_ledger(start: Path) -> Ledger | None:
    """The ledger of the case repository around ``start``, or None outside one."""
    from clr.repo.repository import find_root

    root = find_root(start if start.is_dir() else start.parent)
    return Ledger(root) if root is not None else None
