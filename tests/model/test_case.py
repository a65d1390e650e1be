"""The typed case view (clr.model.case): accessors, ``dig`` and the money rule."""

from __future__ import annotations

import ast
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from clr.model.case import Case, dig, items, money_share, money_totals, money_value
from conftest import make_case_data

SRC = Path(__file__).resolve().parents[2] / "src" / "clr"
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cases" / "EXR-2026-K3NMB"


def test_accessors_read_the_parsed_mapping_without_copying() -> None:
    data = yaml.safe_load((EXAMPLE / "case.yaml").read_text(encoding="utf-8"))
    case = Case(data)
    assert case.data is data
    assert (case.id, case.stage, case.track) == (data["id"], data["stage"], data["track"])
    assert case.opened == data["opened"] and case.playbook == data["playbook"]
    for name in (
        "site",
        "child",
        "discovery",
        "protection",
        "age_verification",
        "assessment",
        "plan",
        "implementation",
        "checklist",
    ):
        assert getattr(case, name) is data[name], name
    assert case.visits == data["visits"] and case.payments == data["payments"]
    assert case.history == data["history"]
    assert case.get("plan", "stipend", "amount") == data["plan"]["stipend"]["amount"]
    assert not case.closed


def test_a_malformed_case_reads_as_empty_parts() -> None:
    data: dict[str, Any] = make_case_data(
        child="a string",
        plan=["not", "a", "mapping"],
        visits={"not": "a list"},
        payments=[{"amount": 1, "currency": "USD"}, "junk", 3],
        root_causes=["poverty", 7],
    )
    case = Case(data)
    assert case.child == {} and case.plan == {} and case.closure == {}
    assert case.visits == []
    assert case.payments == [{"amount": 1, "currency": "USD"}]
    assert case.root_causes == ["poverty"]
    assert case.get("child", "sex") is None
    assert Case({}).id is None and Case({}).history == []


def test_dig_stops_at_anything_that_is_not_a_mapping() -> None:
    data = {"a": {"b": {"c": 1}, "list": [{"c": 2}]}, "s": "text"}
    assert dig(data, "a", "b", "c") == 1
    assert dig(data, "a", "b") == {"c": 1}
    assert dig(data, "a", "list", "c") is None
    assert dig(data, "s", "x") is None
    assert dig(data, "missing", "x") is None
    assert dig(None, "a") is None
    assert dig(data) is data
    assert items([{"a": 1}, None, "x", {"b": 2}]) == [{"a": 1}, {"b": 2}]
    assert items("not a list") == []


def test_money_totals_are_exact_per_currency_and_leave_out_what_is_not_money() -> None:
    pairs = [("USD", 35.7)] * 12 + [
        ("USD", 0.1),
        ("USD", 0.2),
        ("XOF", 150000),
        ("XOF", True),  # a bool is no amount
        ("EUR", float("nan")),
        ("EUR", float("inf")),
        (None, 5),  # no currency
        ("EUR", "12"),  # text is no amount
    ]
    totals = money_totals(pairs)
    assert list(totals) == ["USD", "XOF"]
    assert totals["USD"] == Decimal("35.7") * 12 + Decimal("0.3")
    assert totals["XOF"] == 150000
    assert money_totals(reversed(pairs)) == totals  # order does not matter
    assert sum(a for c, a in pairs[:14]) != float(totals["USD"])  # float sums drift


@pytest.mark.parametrize(
    ("total", "shown"),
    [
        ("428.4", 428.4),
        ("10.125", 10.13),  # half up, not to even
        ("10.135", 10.14),
        ("0.005", 0.01),
        ("0.004", 0),
        ("150000.0", 150000),
        ("1234567.89", 1234567.89),
    ],
)
def test_money_value_rounds_half_up_to_cents_only_when_shown(total: str, shown: float) -> None:
    value = money_value(Decimal(total))
    assert value == shown
    assert isinstance(value, int) == float(shown).is_integer()


def test_money_share_divides_the_exact_total() -> None:
    assert money_share(Decimal("100"), 3) == 33.33
    assert money_share(Decimal("0.05"), 2) == 0.03  # 0.025 half up


def test_a_case_adds_up_its_payments_per_currency_and_per_payer() -> None:
    pay = [
        {"amount": 35.7, "currency": "USD", "payer": "supplier"},
        {"amount": 0.1, "currency": "USD", "payer": "buyer"},
        {"amount": 0.2, "currency": "USD", "payer": "buyer"},
        {"amount": 10, "currency": "EUR", "payer": "buyer"},
    ]
    case = Case(make_case_data(payments=pay))
    assert case.money_totals() == {"EUR": Decimal(10), "USD": Decimal("36.0")}
    assert case.money_totals_by_payer() == {
        ("buyer", "EUR"): Decimal(10),
        ("buyer", "USD"): Decimal("0.3"),
        ("supplier", "USD"): Decimal("35.7"),
    }


def test_case_view_has_no_per_instance_dict() -> None:
    """Bulk views build a view per case: it holds one reference and nothing else."""
    case = Case({})
    assert not hasattr(case, "__dict__")
    with pytest.raises(AttributeError):
        case.extra = 1  # type: ignore[attr-defined]


def test_no_other_module_walks_nested_mappings_itself() -> None:
    """``dig`` is the one helper that walks a key path; no copy of it lives elsewhere."""
    copies = []
    for path in SRC.rglob("*.py"):
        if path == SRC / "model" / "case.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef):
                continue
            for loop in (n for n in ast.walk(node) if isinstance(n, ast.For)):
                rebinds = any(
                    isinstance(n, ast.Assign)
                    and any(isinstance(t, ast.Name) for t in n.targets)
                    and isinstance(n.value, ast.Call)
                    and isinstance(n.value.func, ast.Attribute)
                    and n.value.func.attr == "get"
                    and isinstance(n.value.func.value, ast.Name)
                    and any(
                        isinstance(t, ast.Name) and t.id == n.value.func.value.id for t in n.targets
                    )
                    for n in ast.walk(loop)
                )
                if rebinds:
                    copies.append(f"{path.relative_to(SRC)}:{node.name}")
    assert copies == []
