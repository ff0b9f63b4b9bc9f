"""An error as one line of a message: what a participant reads instead of a traceback.

Library errors from torch, safetensors, diffusers or the hub can run to a page, or be empty (an
empty file). Every place that turns one into a sentence takes its first line here, so an empty
message never raises ``IndexError`` and a page never floods a notebook cell.
"""

from __future__ import annotations


def first_line(exc: BaseException, limit: int | None = None) -> str:
    """``Type: first line of the message`` (just ``Type`` when it is empty), cut to ``limit`` characters."""
    lines = str(exc).strip().splitlines()
    line = lines[0] if lines else ""
    if limit is not None and len(line) > limit:
        line = line[: limit - 3] + "..."
    return f"{type(exc).__name__}: {line}" if line else type(exc).__name__
