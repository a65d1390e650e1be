"""Classes of plain values whose methods are written out, not generated as clr starts.

A dataclass writes the source of its methods (``__init__``, ``__eq__``, ``__repr__``,
``__hash__``, a frozen one's ``__setattr__`` and ``__delattr__``) and compiles it each time
the process starts: six to ten compilations per class, 1 to 9 million instructions each, and
``clr next`` used 26 of them (0.48x ``python -c "import typer"``). The classes on the paths
that must start fast write their ``__init__`` out instead (compiled once, into the
bytecode), and inherit the rest from :class:`Record` or :class:`Frozen`, which find the
fields in the class's annotations once, when the class is made.

The behaviour is a dataclass's: ``==`` compares the fields in order (only between
instances of the very same class), ``repr`` shows them as ``Name(field=value, ...)``, a
frozen record cannot be changed after ``__init__`` and hashes as the tuple of its fields,
and :func:`replace` makes a changed copy through ``__init__``. A class leaves fields out of
comparison or of ``repr`` by naming them in ``_not_compared`` or ``_not_shown``.
"""

from __future__ import annotations

import operator
from typing import Any, ClassVar, NoReturn, TypeVar

R = TypeVar("R", bound="Record")


class FrozenRecordError(AttributeError):
    """A field of a frozen record was assigned or deleted (as ``FrozenInstanceError``)."""


class Record:
    """Values compared and shown field by field; each subclass writes its ``__init__``.

    The fields are the annotations of the class (and of the records it extends) in order,
    ``ClassVar`` ones left out. Not hashable (a record that can change must not be a key).
    """

    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]] = ()
    _not_compared: ClassVar[frozenset[str]] = frozenset()
    _not_shown: ClassVar[frozenset[str]] = frozenset()
    _key: ClassVar[operator.attrgetter[Any]]
    _shown: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("__annotations__", {})  # noqa: RUF063 - inspect costs 4 ms
        added = tuple(
            name
            for name, kind in own.items()
            if not str(kind).startswith(("ClassVar", "typing.ClassVar"))
        )
        cls._fields = (*cls._fields, *(name for name in added if name not in cls._fields))
        compared = [name for name in cls._fields if name not in cls._not_compared]
        # attrgetter is no descriptor: self._key(self) calls it with the record alone.
        # Without fields, all records of a class are equal: the key is the class.
        cls._key = operator.attrgetter(*compared) if compared else operator.attrgetter("__class__")
        cls._shown = tuple(name for name in cls._fields if name not in cls._not_shown)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return bool(self._key(self) == self._key(other))

    __hash__ = None  # type: ignore[assignment]  # as a dataclass that can change

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._shown)
        return f"{self.__class__.__qualname__}({inner})"


class Frozen(Record):
    """A record that cannot change once made, and hashes by its compared fields.

    Its ``__init__`` sets the fields through ``self.__dict__`` (or :func:`init`).
    """

    __slots__ = ()

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(self._key(self))

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise FrozenRecordError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> NoReturn:
        raise FrozenRecordError(f"cannot delete field {name!r}")


def replace(record: R, /, **changes: Any) -> R:
    """A copy of ``record`` with ``changes``, made through its ``__init__``.

    Raises:
        TypeError: a change names no field of the record.
    """
    fields = record._fields
    for name in changes:
        if name not in fields:
            raise TypeError(f"{record.__class__.__qualname__} has no field {name!r}")
    values = {name: getattr(record, name) for name in fields}
    values.update(changes)
    return record.__class__(**values)
