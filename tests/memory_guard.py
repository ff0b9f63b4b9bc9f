"""Memory in tests: a cap while bad input is converted (a runaway allocation fails fast), and the
peak of one ``playground`` command in a process of its own.

Bad input once made the converters grow to 18.8 GB until the kernel killed them (a polygon
coordinate of 1e12); under a cap the same bug is a MemoryError or a crash of this one test,
not of the machine.
"""

from __future__ import annotations

import contextlib
import resource
import subprocess
import sys
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


_PEAK_OF_CLI = """
import pathlib, resource, sys
from playground_lib.cli import main
rc = main(sys.argv[1:])
status = pathlib.Path("/proc/self/status")  # VmHWM: this process's own peak; ru_maxrss counts pages of its parent
lines = status.read_text().splitlines() if status.exists() else []
hwm = [line.split()[1] for line in lines if line.startswith("VmHWM")]
print("peak", hwm[0] if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
sys.exit(rc)
"""


def peak_kb_of_command(argv: list[str]) -> int:
    """Peak memory (kB) of ``playground ARGV`` run in a fresh process (which must succeed)."""
    result = subprocess.run([sys.executable, "-c", _PEAK_OF_CLI, *argv], capture_output=True, text=True, check=True)
    return int(result.stdout.split("peak")[-1])
