"""Work over many case files, spread over the cores when there are enough of them."""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

PARALLEL_THRESHOLD = 300
"""Below this many files, one process is faster than starting a pool (measured)."""


def run_chunks(
    work: Callable[..., list[Result]],
    items: Sequence[Item],
    args: tuple[Any, ...],
    jobs: int | None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Result]:
    """``work(chunk, *args)`` over chunks of ``items``; the results in the items' order.

    ``work`` is a module-level function returning one result per item. Over
    ``PARALLEL_THRESHOLD`` items the chunks go to ``jobs`` processes (default: one per
    core); ``progress(done, total)`` is called as chunks finish.
    """
    total = len(items)
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers <= 1 or total < PARALLEL_THRESHOLD:
        if progress is None:
            return work(list(items), *args)
        done: list[Result] = []
        for item in items:
            done.extend(work([item], *args))
            progress(len(done), total)
        return done
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    size = max(50, total // (workers * 4))
    chunks = [list(items[i : i + size]) for i in range(0, total, size)]
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context(method),
        initializer=_quiet_worker,
    ) as pool:
        out: list[Result] = []
        with _sigint_held():
            # The workers are forked here. A Ctrl-C that lands inside a fork handler is
            # printed as "Exception ignored" and lost, and the run would go on to exit 0;
            # held back until the forks are done, it interrupts the run as anywhere else.
            parts = pool.map(work, chunks, *([arg] * len(chunks) for arg in args))
        for part in parts:
            out.extend(part)
            if progress is not None:
                progress(len(out), total)
        return out


@contextlib.contextmanager
def _sigint_held() -> Iterator[None]:
    """Hold SIGINT back (it stays pending) for the duration of the block."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def _quiet_worker() -> None:
    """Pool workers leave Ctrl-C to the main process, which reports it once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
