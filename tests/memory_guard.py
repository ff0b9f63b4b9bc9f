"""A cap on the test process's memory while bad input is converted: a runaway allocation fails fast.

Bad input once made the converters grow to 18.8 GB until the kernel killed them (a polygon
coordinate of 1e12); under a cap the same bug is a MemoryError or a crash of this one test,
not of the machine.
"""

from __future__ import annotations

import contextlib
import resource
from collections.abc import Iterator

HEADROOM = 3 * 2**30  # bytes beyond what the process has mapped already


@contextlib.contextmanager
def memory_limit(headroom: int = HEADROOM) -> Iterator[None]:
    """Limit the address space to what is mapped now plus ``headroom`` for the duration of the block."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/statm") as statm:
        mapped = int(statm.read().split()[0]) * resource.getpagesize()
    limit = mapped + headroom
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
