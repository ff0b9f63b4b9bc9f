"""The painter's logic: mouse events in, a label map out.

A :class:`Sketchpad` holds the sketch as a numpy label map of raw ADE20K values (uint8, 0 =
"other"), the same numbers the SPADE generator reads. Strokes are painted into that array with
PIL (discs joined by thick lines), fills grow over 4-connected pixels of one value, and undo/redo
keep whole copies (a 256x256 map is 64 KB). The widget only draws what this module decided, so
the label map never depends on reading pixels back from the browser, and every behaviour here
is tested without one.

**The eraser** paints the sketchpad's ``background`` value, which is also what a new or
cleared sketch is filled with. It defaults to "other" (0, black): erasing gives back the blank
canvas, and SPADE reads 0 as "no class here" rather than as a thing. Pass
``background="grass"`` (or any class) to start from, and erase back to, that class instead.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from ..labels import OTHER, ade20k_value, class_name, labels_to_colors, palette, playground_classes
from ..labels_to_image import LabelsToImage

TOOLS = ("brush", "fill", "eraser")
MAX_HISTORY = 50


@dataclass(frozen=True)
class PaletteEntry:
    name: str
    value: int
    color: tuple[int, int, int]


def sketch_palette(include_other: bool = True) -> list[PaletteEntry]:
    """The schema's classes in ADE20K colours, in the painter's order; "other" last."""
    entries = [PaletteEntry(c.name, c.ade20k_value, c.color) for c in playground_classes()]
    if include_other:
        r, g, b = (int(v) for v in palette()[OTHER])
        entries.append(PaletteEntry("other", OTHER, (r, g, b)))
    return entries


def to_value(label: str | int) -> int:
    """An ADE20K value from a class name, alias or value; a clear error otherwise."""
    if isinstance(label, (int, np.integer)) and not isinstance(label, bool):
        class_name(int(label))  # raises for values outside 0..150
        return int(label)
    return ade20k_value(str(label))


def flood_region(labels: np.ndarray, x: int, y: int) -> np.ndarray:
    """Boolean mask of the 4-connected region of equal value that contains pixel (x, y).

    Works on runs of equal pixels per row instead of pixel by pixel, so a fill of a whole
    256x256 sketch costs a few milliseconds in plain numpy.
    """
    h, w = labels.shape
    target = labels[y, x]
    same = labels == target
    # Runs of `same` per row: starts and (exclusive) ends.
    padded = np.zeros((h, w + 2), dtype=np.int8)
    padded[:, 1:-1] = same
    edges = np.diff(padded, axis=1)
    rows_s, starts = np.nonzero(edges == 1)
    rows_e, ends = np.nonzero(edges == -1)
    order_s, order_e = np.lexsort((starts, rows_s)), np.lexsort((ends, rows_e))
    rows, starts, ends = rows_s[order_s], starts[order_s], ends[order_e]
    first_run = np.searchsorted(rows, np.arange(h + 1))  # runs of row r are first_run[r]:first_run[r+1]
    run_of_seed = first_run[y] + np.searchsorted(starts[first_run[y] : first_run[y + 1]], x, side="right") - 1
    seen = np.zeros(len(rows), dtype=bool)
    seen[run_of_seed] = True
    stack = [run_of_seed]
    mask = np.zeros_like(same)
    while stack:
        run = stack.pop()
        r, s, e = rows[run], starts[run], ends[run]
        mask[r, s:e] = True
        for nr in (r - 1, r + 1):
            if 0 <= nr < h:
                lo, hi = first_run[nr], first_run[nr + 1]
                # runs of the neighbour row that overlap [s, e)
                a = lo + np.searchsorted(ends[lo:hi], s, side="right")
                b = lo + np.searchsorted(starts[lo:hi], e, side="left")
                for other in range(a, b):
                    if not seen[other]:
                        seen[other] = True
                        stack.append(other)
    return mask


class Sketchpad:
    """A label map you paint on: brush, fill, eraser, undo/redo, clear, PNG in and out.

    ``size``: an int (square) or (height, width). ``generate``: optional callable taking the
    HxW uint8 label map and returning an HxWx3 uint8 picture (SPADE's ``load_generator(...).generate``);
    injected, so the painter works and is tested without torch.
    """

    def __init__(
        self,
        size: int | tuple[int, int] = 256,
        generate: LabelsToImage | None = None,
        background: str | int = OTHER,
        brush_size: int = 12,
    ):
        height, width = (size, size) if isinstance(size, int) else (int(size[0]), int(size[1]))
        if height < 1 or width < 1:
            raise ValueError(f"a sketch needs a positive size, got {height}x{width}")
        self.background = to_value(background)
        self.labels = np.full((height, width), self.background, dtype=np.uint8)
        self.value = next(e.value for e in sketch_palette() if e.value != self.background)
        self.brush_size = int(brush_size)
        self.tool = "brush"
        self.generate_fn = generate
        self.result: np.ndarray | None = None
        self._undo: list[np.ndarray] = []
        self._redo: list[np.ndarray] = []
        self._last: tuple[float, float] | None = None  # pointer position while a stroke is down

    # ----------------------------------------------------------------- settings
    @property
    def shape(self) -> tuple[int, int]:
        return self.labels.shape

    def set_class(self, label: str | int) -> None:
        self.value = to_value(label)

    def set_tool(self, tool: str) -> None:
        if tool not in TOOLS:
            raise ValueError(f"unknown tool {tool!r}: choose one of {', '.join(TOOLS)}")
        self.tool = tool

    def set_brush_size(self, size: int) -> None:
        if int(size) < 1:
            raise ValueError(f"the brush size must be at least 1 pixel, got {size}")
        self.brush_size = int(size)

    @property
    def paint_value(self) -> int:
        return self.background if self.tool == "eraser" else self.value

    # ----------------------------------------------------------------- pointer events
    @property
    def drawing(self) -> bool:
        return self._last is not None

    def pointer_down(self, x: float, y: float) -> str:
        """Mouse pressed at label-map pixel (x, y): start a stroke, or fill with the fill tool."""
        if self.tool == "fill":
            self.fill(x, y)
            return "filled"
        self._remember()
        self._last = (float(x), float(y))
        self._dab(self._last, self._last)
        return "stroke"

    def pointer_move(self, x: float, y: float) -> tuple[tuple[float, float], tuple[float, float]] | None:
        """Mouse moved: paints the segment since the last position; returns it (for the view)."""
        if self._last is None:
            return None
        start, self._last = self._last, (float(x), float(y))
        self._dab(start, self._last)
        return start, self._last

    def pointer_up(self, x: float | None = None, y: float | None = None) -> bool:
        """Mouse released (or left the canvas): ends the stroke; True if one was going on."""
        if self._last is None:
            return False
        if x is not None and y is not None:
            self.pointer_move(x, y)
        self._last = None
        return True

    # ----------------------------------------------------------------- the same from code
    def paint_stroke(
        self, points: Sequence[Sequence[float]], label: str | int | None = None, size: int | None = None
    ) -> None:
        """Paint a stroke through ``points`` as a mouse drag would (brush or eraser)."""
        if not points:
            raise ValueError("a stroke needs at least one point")
        if label is not None:
            self.set_class(label)
        if size is not None:
            self.set_brush_size(size)
        if self.tool == "fill":
            self.tool = "brush"
        (x, y), *rest = points
        self.pointer_down(x, y)
        for x, y in rest:
            self.pointer_move(x, y)
        self.pointer_up()

    def fill(self, x: float, y: float, label: str | int | None = None) -> int:
        """Fill the region of one class around pixel (x, y); returns how many pixels changed."""
        if label is not None:
            self.set_class(label)
        col, row = int(np.floor(x)), int(np.floor(y))
        h, w = self.labels.shape
        if not (0 <= col < w and 0 <= row < h):
            raise ValueError(f"fill point ({x}, {y}) is outside the {w}x{h} sketch")
        value = self.value
        if self.labels[row, col] == value:
            return 0
        region = flood_region(self.labels, col, row)
        self._remember()
        self.labels[region] = value
        return int(region.sum())

    def clear(self) -> None:
        self._remember()
        self.labels[:] = self.background

    def undo(self) -> bool:
        if not self._undo:
            return False
        self._redo.append(self.labels.copy())
        self.labels = self._undo.pop()
        return True

    def redo(self) -> bool:
        if not self._redo:
            return False
        self._undo.append(self.labels.copy())
        self.labels = self._redo.pop()
        return True

    # ----------------------------------------------------------------- looking at it
    def is_blank(self) -> bool:
        return bool((self.labels == self.background).all())

    def colors(self) -> np.ndarray:
        """The sketch in ADE20K colours, HxWx3 uint8."""
        return labels_to_colors(self.labels)

    def class_counts(self) -> dict[str, int]:
        """Pixels per class name, largest first."""
        values, counts = np.unique(self.labels, return_counts=True)
        pairs = sorted(zip(values.tolist(), counts.tolist()), key=lambda vc: -vc[1])
        return {class_name(v): c for v, c in pairs}

    # ----------------------------------------------------------------- generating
    def generate(self) -> np.ndarray:
        """Run the injected generator on the label map; the picture is kept in ``result``."""
        if self.generate_fn is None:
            raise RuntimeError("this painter has no generator: pass generate=load_generator(None).generate")
        out = np.asarray(self.generate_fn(self.labels.copy()))
        if out.dtype != np.uint8 or out.ndim != 3 or out.shape[2] != 3:
            raise ValueError(f"the generator must return an HxWx3 uint8 picture, got {out.dtype} {out.shape}")
        self.result = out
        return out

    def side_by_side(self, gap: int = 8) -> np.ndarray:
        """Sketch and generated picture next to each other (the result resized to the sketch's height)."""
        sketch = self.colors()
        if self.result is None:
            return sketch
        result = self.result
        if result.shape[0] != sketch.shape[0]:
            h = sketch.shape[0]
            w = max(1, round(result.shape[1] * h / result.shape[0]))
            result = np.asarray(Image.fromarray(result).resize((w, h), Image.Resampling.BILINEAR))
        spacer = np.full((sketch.shape[0], gap, 3), 255, dtype=np.uint8)
        return np.concatenate([sketch, spacer, result], axis=1)

    # ----------------------------------------------------------------- files
    def save_png(self, path: str | os.PathLike) -> Path:
        """Save the sketch as a colour PNG in the ADE20K palette (what notebook 05 and the CLI read)."""
        from ..fileio import write_png

        return write_png(path, self.colors())

    def load_png(self, path: str | os.PathLike) -> str:
        """Load a colour sketch (undoable); returns a one-line summary of what was read.

        Sketches from any paint program work: soft edges snap to the nearest class colour and
        colours that match no class raise an error naming them (``playground_lib.sketch``). A
        different size is scaled to fit, nearest neighbour, so no class is invented.
        """
        from ..sketch import read_sketch

        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"{path}: sketch not found")
        reading = read_sketch(path)
        self.load_labels(reading.labels)
        return reading.summary()

    def load_image_bytes(self, data: bytes, name: str = "upload") -> str:
        """The same as :meth:`load_png` for the bytes of an uploaded file."""
        import io

        from ..sketch import read_sketch

        reading = read_sketch(io.BytesIO(data), name=name)
        self.load_labels(reading.labels)
        return reading.summary()

    def load_labels(self, labels: np.ndarray) -> None:
        """Replace the sketch with a label map (undoable); a different size is scaled to fit (nearest)."""
        labels = np.asarray(labels)
        if labels.ndim != 2:
            raise ValueError(f"a label map is HxW, got shape {labels.shape}")
        if labels.size and (labels.min() < 0 or labels.max() > 150):
            raise ValueError(f"label values must lie in 0..150, got {labels.min()}..{labels.max()}")
        labels = labels.astype(np.uint8)
        if labels.shape != self.labels.shape:
            h, w = self.labels.shape
            labels = np.asarray(Image.fromarray(labels).resize((w, h), Image.Resampling.NEAREST))
        self._remember()
        self.labels = labels.copy()

    # ----------------------------------------------------------------- internals
    def _remember(self) -> None:
        self._undo.append(self.labels.copy())
        del self._undo[:-MAX_HISTORY]
        self._redo.clear()

    def _dab(self, start: tuple[float, float], end: tuple[float, float]) -> None:
        """Paint a round-ended thick segment from start to end (a single disc when they coincide)."""
        h, w = self.labels.shape
        r = self.brush_size / 2.0
        x0, y0 = start
        x1, y1 = end
        # Work in the bounding box only: a stroke on a big canvas stays cheap.
        left, top = max(int(np.floor(min(x0, x1) - r)) - 1, 0), max(int(np.floor(min(y0, y1) - r)) - 1, 0)
        right, bottom = min(int(np.ceil(max(x0, x1) + r)) + 2, w), min(int(np.ceil(max(y0, y1) + r)) + 2, h)
        if left >= right or top >= bottom:
            return
        mask = Image.new("L", (right - left, bottom - top), 0)
        draw = ImageDraw.Draw(mask)
        # Pixel (i, j) covers [i, i+1): its centre is i + 0.5, so shift by half a pixel.
        ax, ay, bx, by = x0 - left - 0.5, y0 - top - 0.5, x1 - left - 0.5, y1 - top - 0.5
        if self.brush_size <= 1:
            draw.line([(ax, ay), (bx, by)], fill=1, width=1)
        else:
            draw.line([(ax, ay), (bx, by)], fill=1, width=self.brush_size)
            for cx, cy in ((ax, ay), (bx, by)):
                draw.ellipse([cx - r + 0.5, cy - r + 0.5, cx + r - 0.5, cy + r - 0.5], fill=1)
        region = np.asarray(mask, dtype=bool)
        self.labels[top:bottom, left:right][region] = self.paint_value
