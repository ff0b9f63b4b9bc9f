"""The painter's lines mode: a black pen on white paper, for models that read line drawings (pix2pix).

Same canvas, same strokes, undo, fill and eraser as the colour painter: ``LinePad`` is a
``Sketchpad`` whose map holds two values, paper (the background, "other") and ink, and that shows,
saves, loads and generates from a drawing (HxW uint8, black 0 on white 255) instead of class
colours. ``LinePainter`` is the ``Painter`` around it with a single "pen" button. The model is
injected as a callable from a drawing to an HxWx3 uint8 picture, so nothing here imports torch.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..labels import OTHER
from .sketchpad import Sketchpad

INK_VALUE = 1  # any class value but the background: the map only tells ink from paper
PEN_SIZE = 3
PaintDrawing = Callable[[np.ndarray], np.ndarray]


class LinePad(Sketchpad):
    """A sketchpad of ink on paper; ``generate`` hands the model the drawing, black lines on white."""

    def __init__(self, size: int | tuple[int, int] = 256, paint: PaintDrawing | None = None, pen_size: int = PEN_SIZE):
        super().__init__(size, generate=None, background=OTHER, brush_size=pen_size)
        self.value = INK_VALUE
        if paint is not None:
            self.generate_fn = lambda labels: paint(self.line_drawing())

    def set_class(self, label: str | int) -> None:
        """There is one ink: any class chosen paints it."""
        self.value = INK_VALUE

    def line_drawing(self) -> np.ndarray:
        """HxW uint8: 0 where there is ink, 255 on the paper."""
        return np.where(self.labels == self.background, 255, 0).astype(np.uint8)

    def colors(self) -> np.ndarray:
        return np.repeat(self.line_drawing()[..., None], 3, axis=2)

    def class_counts(self) -> dict[str, int]:
        ink = int((self.labels != self.background).sum())
        return {"paper": self.labels.size - ink, "ink": ink}

    def save_png(self, path: str | os.PathLike) -> Path:
        """Save the drawing as a grey PNG (what `playground edges generate` reads)."""
        from ..fileio import write_png

        return write_png(path, self.line_drawing())

    def load_png(self, path: str | os.PathLike) -> str:
        """Load any picture as a drawing (dark = ink), scaled to fit; undoable."""
        from ..pix2pix.edges import read_drawing

        return self._load(read_drawing(path))

    def load_image_bytes(self, data: bytes, name: str = "upload") -> str:
        """An uploaded picture as a drawing, read as :meth:`load_png` reads a file."""
        from ..pix2pix.edges import read_drawing

        return self._load(read_drawing(io.BytesIO(data), name=name))

    def _load(self, drawing: np.ndarray) -> str:
        from PIL import Image

        h, w = self.labels.shape
        if drawing.shape != (h, w):
            drawing = np.asarray(Image.fromarray(drawing).resize((w, h), Image.Resampling.BOX))
        self.load_labels(np.where(drawing < 128, INK_VALUE, self.background).astype(np.uint8))
        return f"{(self.labels != self.background).mean():.0%} ink"


def line_painter(size: int | tuple[int, int] = 256, paint: PaintDrawing | None = None, **options):
    """A ``Painter`` in lines mode: black pen on white, one "pen" button, Generate calls ``paint(drawing)``.

    Imported on use, like the painter's widget (it needs ipywidgets and ipycanvas).
    """
    from .widget import Painter

    class LinePainter(Painter):
        def _class_buttons(self):
            import ipywidgets as widgets

            pen = widgets.Button(description="pen", tooltip="black ink", layout=widgets.Layout(width="auto"))
            pen.on_click(lambda _b: self._safely(self.choose_class, INK_VALUE, redraw=False))
            return {INK_VALUE: pen}

        def shown_colors(self) -> np.ndarray:
            return self.pad.colors()

        def pad_color(self) -> tuple[int, int, int]:
            return (255, 255, 255) if self.pad.paint_value == self.pad.background else (0, 0, 0)

        def _update_legend(self) -> None:
            ink = (self.pad.labels != self.pad.background).mean()
            self.legend.value = f"ink on {100 * ink:.1f}% of the paper"

        def value_name(self, value: int) -> str:
            return "black ink" if value == INK_VALUE else "paper"

    painter = LinePainter(size, **options)
    painter.pad = LinePad(size, paint=paint)
    painter.brush.value = PEN_SIZE
    painter.refresh()
    return painter
