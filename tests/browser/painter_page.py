"""A painter open in a browser, as the defect checks drive it: a small notebook, the canvas, the kernel.

The notebook holds only a painter with a stand-in generator (numpy, a short sleep so "generating"
can be seen), so the same check runs in JupyterLab's venv and in the torch-free classic venv.
"""

from __future__ import annotations

import base64
from pathlib import Path

import numpy as np
from lab_session import WidgetPage, read_canvas_pixels, write_notebook

HARNESS_CELLS = [
    "Some text on the page, the kind a participant selects by accident while drawing.",
    """import time
import numpy as np
from playground_lib.labels import labels_to_colors
from playground_lib.painter import Painter

def stand_in_generator(labels):
    time.sleep(1.5)
    return (labels_to_colors(labels) // 2 + 64).astype(np.uint8)

painter = Painter(256, generate=stand_in_generator)
painter""",
]

CANVAS = "canvas.playground-painter-canvas, .playground-painter-canvas canvas"


def write_harness(path: Path) -> Path:
    return write_notebook(path, HARNESS_CELLS)


class PainterPage(WidgetPage):
    """The page, the kernel and the painter's canvas in page coordinates (label-map pixels are canvas pixels)."""

    def __init__(self, page, kernel, workdir: Path, front_end: str):
        super().__init__(page, kernel, workdir, front_end, CANVAS, "painter")
        self.height, self.width = self.ask("painter.labels.shape")

    def canvas_pixels(self) -> np.ndarray:
        """What the browser's canvas element holds, HxWx3, read in the page with getImageData."""
        return read_canvas_pixels(self.page, CANVAS)

    def shown_colors(self) -> np.ndarray:
        """What the kernel says the canvas must show, HxWx3."""
        shown = "painter.shown_colors()" if self.ask("hasattr(painter, 'shown_colors')") else "painter.pad.colors()"
        data = self.ask(f"__import__('base64').b64encode({shown}.tobytes()).decode()")
        return np.frombuffer(base64.b64decode(data), dtype=np.uint8).reshape(self.height, self.width, 3)
