"""Quick mode: the notebooks shrink sizes and step counts so the test suite runs them in seconds.

Set ``PLAYGROUND_QUICK=1`` (the notebook tests do). A notebook then calls ``pick(full, quick)``
for every size that matters, so its prose and calls stay the same in both modes.
"""

from __future__ import annotations

import os
from typing import TypeVar

T = TypeVar("T")
ENV_VAR = "PLAYGROUND_QUICK"


def is_quick() -> bool:
    return os.environ.get(ENV_VAR, "").strip().lower() not in ("", "0", "false", "no")


def pick(full: T, quick: T) -> T:
    """The full-size value for a participant, the tiny one under the test suite."""
    return quick if is_quick() else full
