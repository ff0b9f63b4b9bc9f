"""How long a training run will take, measured on this machine rather than promised.

A step costs wildly different times on a Colab T4, a laptop and a 2-core cloud CPU (0.05 s to
8 s for the same small model), so no number written in a notebook is honest everywhere. The
clock times the first few steps of a run (after one warm-up step, which pays for memory
allocation) and says once what the whole run will cost.
"""

from __future__ import annotations

import time


def duration_text(seconds: float) -> str:
    """12 s, 4 minutes, 1.6 hours: the unit a person would use."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} minutes"
    return f"{seconds / 3600:.1f} hours"


def estimate_line(seconds_per_step: float, steps_left: int) -> str:
    """One sentence: the measured time per step and what the remaining steps will cost."""
    return (
        f"Measured {seconds_per_step:.2f} s per step on this machine: the {steps_left} steps left "
        f"will take about {duration_text(seconds_per_step * steps_left)}."
    )


class StepClock:
    """Call :meth:`tick` after every step; it returns the estimate once, after ``warmup + measured`` steps."""

    def __init__(self, total: int, warmup: int = 1, measured: int = 3, clock=time.perf_counter):
        self.total, self.warmup, self.measured, self.clock = total, warmup, measured, clock
        self.seen = 0
        self.started: float | None = None
        self.done = False

    def tick(self, step: int) -> str | None:
        """``step``: the step just finished. The estimate, the one time it is ready; else None."""
        self.seen += 1
        if self.done:
            return None
        if self.seen == self.warmup:
            self.started = self.clock()
            return None
        if self.started is None or self.seen < self.warmup + self.measured:
            return None
        self.done = True
        per_step = (self.clock() - self.started) / self.measured
        return estimate_line(per_step, max(self.total - step, 0))
