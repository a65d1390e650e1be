"""Pausing the garbage collector while many objects that are all kept are made.

A collection goes over every object made so far: reading the cached results of 10,000
cases set off several, a tenth of a warm run. :func:`no_collection` pauses it;
:func:`collecting` turns it back on inside a pause where garbage is made (parsing files),
and forked workers inherit the setting.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

_PAUSED: list[bool] = []
"""For each :func:`no_collection` in force, whether the collector was on before it."""


@contextlib.contextmanager
def no_collection() -> Iterator[None]:
    """No garbage collection while many objects that are all kept are made.

    Each collection goes over every object made so far: the cached results of 10,000
    cases set off several, a tenth of a warm run. Checking files turns it back on
    (:func:`collecting`): parsing makes garbage, and forked workers inherit the setting.
    """
    _PAUSED.append(gc.isenabled())
    gc.disable()
    try:
        yield
    finally:
        # They join the oldest generation (a freeze and a thaw: no walk over them), so
        # that the next young collection does not walk them all either.
        gc.freeze()
        gc.unfreeze()
        if _PAUSED.pop():
            gc.enable()


@contextlib.contextmanager
def collecting() -> Iterator[None]:
    """The collector as it was before :func:`no_collection`, while files are parsed."""
    resume = bool(_PAUSED) and _PAUSED[0] and not gc.isenabled()
    if resume:
        gc.enable()
    try:
        yield
    finally:
        if resume:
            gc.disable()
