"""Work through many files on every core the machine lends us.

Checking and converting 1,000 labelme files is one independent job per file: on a laptop's
or Colab's two cores it takes half the time when both work. Small jobs stay in this process
(starting workers costs more than it saves), and so does everything on a one-core machine or
one whose cores other programs keep busy.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

ITEMS_PER_WORKER = 8  # below this many items per worker, one process is faster


def usable_cores() -> int:
    """The cores this process may run on (a container or ``taskset`` may lend fewer than the machine has)."""
    if hasattr(os, "sched_getaffinity"):
        return max(len(os.sched_getaffinity(0)), 1)
    return max(os.cpu_count() or 1, 1)


def free_cores() -> int:
    """The usable cores that other work is not keeping busy (at least one).

    Like ``make -l``: on a machine already loaded by other programs, extra workers only add the
    cost of starting them and passing results back. The load average counts this process too.
    """
    cores = usable_cores()
    try:
        busy = os.getloadavg()[0]
    except (AttributeError, OSError):  # Windows has no load average
        return cores
    return max(1, min(cores, round(cores - busy + 1)))


def map_on_all_cores(
    function: Callable[[Item], Result], items: Iterable[Item], workers: int | None = None
) -> Iterator[Result]:
    """``function(item)`` for every item, in order, in worker processes when that pays.

    ``workers``: how many (default: :func:`free_cores`).
    ``function`` must be a module-level function and items and results picklable. On Linux
    the workers are forked, so they start in milliseconds with every module already imported;
    elsewhere they are spawned, which costs an import of the library each, so more items are
    needed before it pays.
    """
    items = list(items)
    workers = free_cores() if workers is None else workers
    fork = sys.platform == "linux"
    workers = min(workers, len(items) // (ITEMS_PER_WORKER if fork else 16 * ITEMS_PER_WORKER))
    if workers < 2:
        yield from map(function, items)
        return
    context = multiprocessing.get_context("fork" if fork else None)
    chunk = max(1, min(16, len(items) // (4 * workers)))
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as executor:
        with warnings.catch_warnings():
            # Python 3.12+ warns about forking a process with threads; the workers only run ``function``.
            warnings.filterwarnings("ignore", message=".*fork.*", category=DeprecationWarning)
            results = executor.map(function, items, chunksize=chunk)
        yield from results
