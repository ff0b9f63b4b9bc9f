"""Line drawings: the input side of pix2pix's pairs, computed here, with no downloaded edge detector.

A drawing is an HxW uint8 picture of black ink (0) on white paper (255), what a pen on paper or
the painter's lines mode gives. Two ways to make one:

* ``edges_from_labels``: the outline of every region of a label (and instance) map. Exact and
  clean, the way a person outlines things, so training pairs use it.
* ``edges_from_picture``: where the brightness changes sharply (a blurred Sobel gradient above a
  fixed threshold,
  thinned to its crest). It works on any photo, needs no labels, and on the synthetic scenes it lands
  on the region outlines (``tests/test_pix2pix.py`` checks how closely).

Both are plain numpy, so the same input gives the same bytes on every machine.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO

import numpy as np
from PIL import Image

from ..error_line import first_line

INK, PAPER = 0, 255


class DrawingError(ValueError):
    """A file that cannot be read as a drawing; the message names it."""


def _thicken(lines: np.ndarray, width: int) -> np.ndarray:
    """Grow 1-pixel lines to ``width`` pixels (square pen), so thin outlines survive downscaling."""
    out = lines.copy()
    for dy in range(-(width // 2), width - width // 2):
        for dx in range(-(width // 2), width - width // 2):
            out |= np.roll(np.roll(lines, dy, axis=0), dx, axis=1) & _inside_mask(lines.shape, dy, dx)
    return out


def _inside_mask(shape: tuple[int, int], dy: int, dx: int) -> np.ndarray:
    """Pixels that ``np.roll`` by (dy, dx) filled from inside the picture (no wrap-around)."""
    mask = np.ones(shape, dtype=bool)
    if dy > 0:
        mask[:dy] = False
    elif dy < 0:
        mask[dy:] = False
    if dx > 0:
        mask[:, :dx] = False
    elif dx < 0:
        mask[:, dx:] = False
    return mask


def boundaries(regions: np.ndarray) -> np.ndarray:
    """HxW bool: pixels whose right or lower neighbour belongs to another region."""
    regions = np.asarray(regions)
    out = np.zeros(regions.shape, dtype=bool)
    out[:, :-1] |= regions[:, :-1] != regions[:, 1:]
    out[:-1, :] |= regions[:-1, :] != regions[1:, :]
    return out


def edges_from_labels(labels: np.ndarray, instances: np.ndarray | None = None, width: int = 1) -> np.ndarray:
    """The outlines of a label map (and of its objects, when an instance map is given) as a drawing."""
    lines = boundaries(labels)
    if instances is not None:
        lines |= boundaries(instances)
    if width > 1:
        lines = _thicken(lines, width)
    return to_drawing(lines)


def _blur(grey: np.ndarray) -> np.ndarray:
    """A 5-tap binomial blur each way: quiets texture so that only outlines stay strong."""
    kernel = np.array([1, 4, 6, 4, 1], dtype=np.float32) / 16
    padded = np.pad(grey, 2, mode="edge")
    rows = sum(k * padded[:, i : i + grey.shape[1]] for i, k in enumerate(kernel))
    return sum(k * rows[i : i + grey.shape[0], :] for i, k in enumerate(kernel))


def _sobel(channel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    p = np.pad(_blur(channel), 1, mode="edge")
    gx = (p[:-2, 2:] + 2 * p[1:-1, 2:] + p[2:, 2:]) - (p[:-2, :-2] + 2 * p[1:-1, :-2] + p[2:, :-2])
    gy = (p[2:, :-2] + 2 * p[2:, 1:-1] + p[2:, 2:]) - (p[:-2, :-2] + 2 * p[:-2, 1:-1] + p[:-2, 2:])
    return gx, gy


def gradient(image: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(magnitude, gx, gy) of the blurred picture's Sobel gradient; per pixel the strongest colour channel wins."""
    image = np.asarray(image, dtype=np.float32)
    if image.ndim == 2:
        image = image[..., None]
    best = np.full(image.shape[:2], -1.0, dtype=np.float32)
    best_gx, best_gy = np.zeros_like(best), np.zeros_like(best)
    for c in range(image.shape[2]):
        gx, gy = _sobel(image[..., c])
        magnitude = np.hypot(gx, gy)
        stronger = magnitude > best
        best = np.where(stronger, magnitude, best)
        best_gx, best_gy = np.where(stronger, gx, best_gx), np.where(stronger, gy, best_gy)
    return best, best_gx, best_gy


def _ridges(magnitude: np.ndarray, gx: np.ndarray, gy: np.ndarray) -> np.ndarray:
    """Pixels at least as strong as both neighbours across the edge: a blurred band becomes a thin line."""
    p = np.pad(magnitude, 1, mode="constant")
    left, right, up, down = p[1:-1, :-2], p[1:-1, 2:], p[:-2, 1:-1], p[2:, 1:-1]
    across_x = np.abs(gx) >= np.abs(gy)
    return np.where(across_x, (magnitude >= left) & (magnitude >= right), (magnitude >= up) & (magnitude >= down))


def edges_from_picture(image: np.ndarray, threshold: float = 60.0) -> np.ndarray:
    """Where the picture changes sharply, as a drawing; ``threshold`` on the Sobel magnitude (0..1020)."""
    image = np.asarray(image)
    if image.ndim not in (2, 3) or image.dtype != np.uint8:
        raise ValueError(f"expected an HxW or HxWx3 uint8 picture, got {image.dtype} {image.shape}")
    magnitude, gx, gy = gradient(image[..., :3] if image.ndim == 3 else image)
    return to_drawing((magnitude > threshold) & _ridges(magnitude, gx, gy))


def to_drawing(lines: np.ndarray) -> np.ndarray:
    """HxW bool (True = a line) -> black ink on white paper, HxW uint8."""
    return np.where(lines, INK, PAPER).astype(np.uint8)


def ink(drawing: np.ndarray) -> np.ndarray:
    """HxW float32 in 0..1, 1 = ink: what the generator reads (dark pixels of any drawing are ink)."""
    drawing = np.asarray(drawing)
    if drawing.ndim == 3:
        drawing = drawing[..., :3].astype(np.float32).mean(axis=2)
    return 1.0 - drawing.astype(np.float32) / 255.0


def read_drawing(source: str | os.PathLike | IO[bytes], size: int | None = None, name: str | None = None) -> np.ndarray:
    """A drawing from any picture file or upload (grey, colour, transparent: transparent counts as paper).

    ``size``: the longer side is scaled to it (area average, so a thin pen line stays visible as grey).
    Raises ``DrawingError`` naming the file (or ``name``, for an upload) for anything that is not a
    readable picture.
    """
    if isinstance(source, (str, os.PathLike)):
        source = Path(source)
        if not source.is_file():
            raise DrawingError(f"{source}: no such drawing file")
    shown = name or str(source)
    try:
        with Image.open(source) as opened:
            opened.load()
            picture = opened.convert("RGBA")
    except Exception as exc:  # PIL raises many kinds of errors for files that are not pictures
        raise DrawingError(f"{shown}: not a readable picture ({first_line(exc)})") from None
    paper = Image.new("RGBA", picture.size, (255, 255, 255, 255))
    grey = Image.alpha_composite(paper, picture).convert("L")
    if size is not None and max(grey.size) != size:
        scale = size / max(grey.size)
        grey = grey.resize(
            (max(1, round(grey.width * scale)), max(1, round(grey.height * scale))), Image.Resampling.BOX
        )
    return np.asarray(grey).copy()
