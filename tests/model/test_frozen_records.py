"""Records behave as the dataclasses they replace: equality, hashing, repr, frozenness, copies."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from typing import ClassVar

import pytest

from clr.model.findings import Finding, Said
from clr.model.record import Frozen, FrozenRecordError, Record, replace


class Point(Frozen):
    x: int
    y: int
    label: str
    tally: ClassVar[int] = 0
    _not_compared: ClassVar[frozenset[str]] = frozenset(("label",))
    _not_shown: ClassVar[frozenset[str]] = frozenset(("y",))

    def __init__(self, x: int, y: int = 0, label: str = "") -> None:
        self.__dict__.update(x=x, y=y, label=label)


class Bag(Record):
    items: list[int]

    def __init__(self, items: list[int] | None = None) -> None:
        self.items = items if items is not None else []


@dataclasses.dataclass(frozen=True)
class PointDC:
    x: int
    y: int = 0
    label: str = dataclasses.field(default="", compare=False)


class Point3(Point):
    z: int

    def __init__(self, x: int, y: int = 0, label: str = "", z: int = 0) -> None:
        super().__init__(x, y, label)
        self.__dict__["z"] = z


def test_fields_come_from_the_annotations_in_order_without_class_variables() -> None:
    assert Point._fields == ("x", "y", "label")
    assert Point3._fields == ("x", "y", "label", "z")
    assert Bag._fields == ("items",)


def test_equality_and_hash_are_by_the_compared_fields_like_a_dataclass() -> None:
    a, b, c = Point(1, 2, "a"), Point(1, 2, "b"), Point(1, 3, "a")
    assert (a == b, a == c) == (PointDC(1, 2, "a") == PointDC(1, 2, "b"), False)
    assert a != c and hash(a) == hash(b)
    assert len({a, b, c}) == 2
    assert a != (1, 2) and a != PointDC(1, 2, "a")
    assert Point3(1, 2) != Point(1, 2)  # another class, even a subclass, is never equal
    assert Point3(1, 2, z=1) != Point3(1, 2, z=2)


def test_repr_names_the_shown_fields() -> None:
    assert repr(Point(1, 2, "a")) == "Point(x=1, label='a')"
    assert repr(Bag([1])) == "Bag(items=[1])"


def test_a_frozen_record_cannot_change_and_a_record_can() -> None:
    p = Point(1)
    with pytest.raises(FrozenRecordError):
        p.x = 2  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del p.x
    assert p.x == 1
    bag = Bag()
    bag.items.append(1)
    bag.items = [2]
    assert bag == Bag([2]) and Bag() == Bag([]) and Bag().items is not Bag().items
    with pytest.raises(TypeError):
        hash(bag)


def test_replace_makes_a_new_record_through_init() -> None:
    p = Point(1, 2, "a")
    q = replace(p, y=5)
    assert (q.x, q.y, q.label, p.y) == (1, 5, "a", 2)
    with pytest.raises(TypeError, match="no field 'w'"):
        replace(p, w=1)


def test_records_survive_pickle_and_copy() -> None:
    p = Point3(1, 2, "a", z=3)
    for twin in (pickle.loads(pickle.dumps(p)), copy.copy(p), copy.deepcopy(p)):
        assert twin == p and twin.z == 3 and twin.label == "a"


def test_findings_compare_sort_and_word_as_before() -> None:
    worded = Said("{field} is missing", (("field", "site"),))
    f = Finding("a.yaml", 3, 1, "CLR101", worded=worded, hint="add it")
    assert f.message == "site is missing" and f.hint == "add it"
    assert f == Finding("a.yaml", 3, 1, "CLR101", message="another text")
    assert f != Finding("a.yaml", 3, 1, "CLR101", "warning")
    later = Finding("a.yaml", 10, 1, "CLR001")
    assert sorted([later, f]) == [f, later] and f < later and later >= f
    moved = f.at(7, 2)
    assert (moved.line, moved.col, moved.message, moved.worded) == (7, 2, f.message, worded)
    assert repr(Finding("a", 1, 2, "X")) == (
        "Finding(path='a', line=1, col=2, code='X', severity='error', message='', "
        "pointer='', hint='')"
    )


def _records_of_clr() -> list[type[Record]]:
    import importlib
    import pkgutil

    import clr

    for module in pkgutil.walk_packages(clr.__path__, "clr."):
        if not module.name.endswith(("__main__", "_entry")):
            importlib.import_module(module.name)

    def below(cls: type[Record]) -> list[type[Record]]:
        return [c for sub in cls.__subclasses__() for c in (sub, *below(sub))]

    return sorted(
        {c for c in below(Record) if c.__module__.startswith("clr.") and c._fields},
        key=lambda c: (c.__module__, c.__qualname__),
    )


RECORDS = _records_of_clr()
CLASS_DEFAULTS = {("Config", "timezone"), ("Config", "working_days")}  # read from the class


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: f"{c.__module__}.{c.__qualname__}")
def test_every_field_of_a_record_of_clr_is_set_by_its_init(cls: type[Record]) -> None:
    """A field added to the class but not to ``__init__`` would read as a class default."""
    import inspect

    params = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
    assert sorted(params) == sorted(cls._fields)
    source = inspect.getsource(cls.__init__)
    for name in cls._fields:
        assert f"{name}=" in source or f"self.{name} =" in source, name
        if (cls.__name__, name) not in CLASS_DEFAULTS:
            assert not any(name in k.__dict__ for k in cls.__mro__), f"{name} has a class default"


def test_the_records_of_clr_are_found() -> None:
    names = {c.__name__ for c in RECORDS}
    assert {"Finding", "Said", "Action", "ActionState", "Blocker", "Playbook"} <= names
