"""A painter open in a browser, as the defect checks drive it: a small notebook, the canvas, the kernel.

The notebook holds only a painter with a stand-in generator (numpy, a short sleep so "generating"
can be seen), so the same check runs in JupyterLab's venv and in the torch-free classic venv.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
from lab_session import read_canvas_pixels, run_in_kernel, screenshot

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
OUTPUT_AREA = "xpath=ancestor::div[contains(@class, 'jp-OutputArea-output') or contains(@class, 'output_subarea')][1]"


def write_harness(path: Path) -> Path:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(HARNESS_CELLS[0]), nbformat.v4.new_code_cell(HARNESS_CELLS[1])]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


class PainterPage:
    """The page, the kernel and the painter's canvas in page coordinates."""

    def __init__(self, page, kernel, workdir: Path, front_end: str):
        self.page, self.kernel, self.workdir, self.front_end = page, kernel, workdir, front_end
        self.canvas = page.locator(CANVAS).first
        self.canvas.wait_for()
        self.canvas.scroll_into_view_if_needed()
        self.height, self.width = self.ask("painter.labels.shape")

    def ask(self, expression: str):
        """The value of a Python expression in the page's kernel (JSON-able)."""
        return json.loads(run_in_kernel(self.kernel, f"import json as _j; print(_j.dumps({expression}))"))

    def run(self, code: str) -> str:
        return run_in_kernel(self.kernel, code)

    def to_page(self, x: float, y: float) -> tuple[float, float]:
        box = self.canvas.bounding_box()
        return box["x"] + x * box["width"] / self.width, box["y"] + y * box["height"] / self.height

    def canvas_pixels(self) -> np.ndarray:
        """What the browser's canvas element holds, HxWx3, read in the page with getImageData."""
        return read_canvas_pixels(self.page, CANVAS)

    def shown_colors(self) -> np.ndarray:
        """What the kernel says the canvas must show, HxWx3."""
        shown = "painter.shown_colors()" if self.ask("hasattr(painter, 'shown_colors')") else "painter.pad.colors()"
        data = self.ask(f"__import__('base64').b64encode({shown}.tobytes()).decode()")
        return np.frombuffer(base64.b64decode(data), dtype=np.uint8).reshape(self.height, self.width, 3)

    def settle(self, seconds: float = 0.6) -> None:
        """Let the kernel's answers to the last events reach the page."""
        self.run("pass")
        self.page.wait_for_timeout(seconds * 1000)

    def shot(self, name: str, whole_page: bool = False) -> Path:
        target = None if whole_page else self.canvas.locator(OUTPUT_AREA).first
        return screenshot(self.page, f"painter_{self.front_end}_{name}.png", target)
