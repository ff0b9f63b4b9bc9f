"""One sketch through several generators, side by side: the picture, the time it took, how much of the sketch it kept.

A comparison a room can trust is run the same way for each engine: the same label map, a clock
around each call, and the same reader (``sketch_agreement``) measuring each picture. An engine
that cannot finish here (a CPU too slow for diffusion, say) is reported with its reason, not
left to crash the cell.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from .labels_to_image import LabelsToImage
from .sketch_agreement import Agreement, SketchReader, agreement


@dataclass(frozen=True)
class EngineResult:
    name: str
    picture: np.ndarray | None
    seconds: float
    agreement: Agreement | None
    problem: str = ""

    def summary(self) -> str:
        if self.picture is None:
            return f"{self.name}: no picture ({self.problem})"
        kept = f"; {self.agreement}" if self.agreement is not None else ""
        return f"{self.name}: {self.seconds:.1f} s{kept}"


def compare_engines(
    labels: np.ndarray, engines: dict[str, LabelsToImage | None], reader: SketchReader | None = None
) -> list[EngineResult]:
    """Paint ``labels`` with each engine (``None``: not available here) and measure each picture."""
    from .diffusion.engine import GenerationStopped

    results = []
    for name, engine in engines.items():
        if engine is None:
            results.append(EngineResult(name, None, 0.0, None, "not available here"))
            continue
        started = time.perf_counter()
        try:
            picture = np.asarray(engine(labels))
        except GenerationStopped as exc:
            results.append(EngineResult(name, None, time.perf_counter() - started, None, str(exc)))
            continue
        seconds = time.perf_counter() - started
        kept = agreement(labels, reader(picture)) if reader is not None else None
        results.append(EngineResult(name, picture, seconds, kept))
    return results
