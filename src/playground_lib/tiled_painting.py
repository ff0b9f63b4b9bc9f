"""Painting a big label map at the generator's own scale: overlapping windows, blended with soft edges.

A generator learns what a pixel of grass or a slide looks like at the size it was trained at
(the bundled model and the official ADE20K model: 256 x 256 scenes). Painting a small
version of a 1280 x 960 map and enlarging it gives blur with coloured speckles. Instead every
pixel of the map is painted 1:1 (SPADE is fully convolutional, so nothing is resized): the map is
cut into overlapping windows, and the windows are blended where they overlap with weights that
fall towards each window's edge, which hides the seams.

How big a window? The training size fixes the scale of a pixel, not the window. Windows exactly
the training size repeat the habits a model has at fixed places of its training crops: the
earlier bundled model (128 px) put the same white wisps in the sky of every 128-px window, a lattice across the
whole map, and many small windows paint many pixels twice. So windows are as large as memory
comfortably allows (up to 1024 px a side) and sized to cover the map evenly. They exist at all
to keep memory bounded on a 3200 x 3200 map. Windows go to the generator in batches.

Edges: a generator paints a faint stripe some way inside any picture's edge (the earlier bundled
model: a light line about 50 px in, plain in the sky). So windows overlap by a whole training size and
blend only across the middle half of the overlap, where neither is near its edge; and the map is
painted with a margin of half a training size (the layout mirrored outwards), cut off afterwards.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .labels_to_image import LabelsToImage

BatchPainter = Callable[[np.ndarray], np.ndarray]
"""B x H x W ADE20K values -> B x H x W x 3 uint8 RGB: many windows in one call."""
LARGEST_WINDOW = 1024  # px a side: a few GB at most for the official model on a CPU or a T4
DEFAULT_WINDOW = 256  # for plain callables, which say nothing about their size
PIXELS_PER_BATCH = 1 << 20  # windows per generator call: about this many pixels


@dataclass(frozen=True)
class Windows:
    """How a painter covers a map: windows of at most ``largest`` px, overlapping by ``overlap`` px,
    sides a multiple of ``multiple`` (SPADE needs its upsampling factor, 32)."""

    paint: BatchPainter
    largest: int
    overlap: int
    multiple: int = 1


def window_starts(length: int, window: int, min_overlap: int) -> list[int]:
    """Start offsets of windows of ``window`` px covering ``length`` px, overlapping >= ``min_overlap``.

    The first window starts at 0, the last ends at ``length``, the rest are spread evenly.
    """
    if window <= 0 or length < window or not 0 <= min_overlap < window:
        raise ValueError(f"cannot cover {length} px with {window} px windows overlapping {min_overlap} px")
    if length == window:
        return [0]
    count = max(math.ceil((length - min_overlap) / (window - min_overlap)), 2)
    return [int(round(i * (length - window) / (count - 1))) for i in range(count)]


def even_windows(length: int, largest: int, overlap: int, multiple: int = 1) -> tuple[int, list[int]]:
    """(window, starts): the fewest equal windows of at most ``largest`` px covering ``length`` px.

    Windows overlap by at least ``overlap`` px and their side is a multiple of ``multiple``.
    """
    if length <= largest:
        return length, [0]
    if not 0 <= overlap < largest:
        raise ValueError(f"windows of {largest} px cannot overlap by {overlap} px")
    count = math.ceil((length - overlap) / (largest - overlap))
    window = min(math.ceil((length + (count - 1) * overlap) / count / multiple) * multiple, length)
    return window, window_starts(length, window, overlap)


def feather(height: int, width: int, overlap: int) -> np.ndarray:
    """Weights of one window: 1 inside; across the ``overlap`` px at each edge, nearly 0 for the
    outer quarter, rising linearly over the middle half, 1 for the inner quarter (never exactly 0).

    Where windows overlap, each pixel is a weighted mean, so a window's uncertain edge (where the
    network saw padding, not the scene) gives way to its neighbour's middle.
    """

    def profile(n: int) -> np.ndarray:
        distance = np.minimum(np.arange(n), np.arange(n - 1, -1, -1)).astype(np.float64) + 0.5
        return np.clip((distance - overlap / 4) / max(overlap / 2, 1), 1e-3, 1.0)

    return np.outer(profile(height), profile(width))


def window_painter(generator, window: int | None = None) -> Windows:
    """How ``generator`` paints a big map: a loaded SPADE generator or a plain callable.

    A loaded generator (anything with ``generate`` and ``config``) paints windows of up to
    ``window`` px (default 1024), overlapping by its training size, many per call. A plain
    ``generate(labels) -> rgb`` callable paints one window per call, up to ``window`` px (default 256).
    A generator that knows its own windows (the diffusion engine: its native size) says so with ``windows(window)``.
    """
    own_windows = getattr(generator, "windows", None)
    if callable(own_windows):
        return own_windows(window)
    config = getattr(generator, "config", None)
    if config is not None and hasattr(generator, "generate"):
        factor = config.upsampling_factor
        if window is not None and (window < factor or window % factor):
            raise ValueError(f"window {window}: this generator paints multiples of {factor} px")
        training = max(config.image_size)
        largest = window or max(LARGEST_WINDOW, training)
        overlap = min(training, largest // 2)
        return Windows(lambda batch: generator.generate(batch, batch_size=len(batch)), largest, overlap, factor)
    if not callable(generator):
        raise TypeError(f"a generator must be callable or have a generate method, got {type(generator).__name__}")
    return plain_windows(generator, window or DEFAULT_WINDOW)


def plain_windows(paint: LabelsToImage, largest: int) -> Windows:
    """Windows for a ``paint(labels) -> rgb`` that paints one window per call: up to ``largest`` px,
    a quarter overlapping."""
    return Windows(lambda batch: np.stack([np.asarray(paint(labels)) for labels in batch]), largest, largest // 4)


def paint_in_windows(
    layout: np.ndarray, windows: Windows, batch_size: int | None = None, progress: bool = True
) -> np.ndarray:
    """Paint ``layout`` (H x W ADE20K values) 1:1 in overlapping windows, blended with soft edges.

    The layout gets a mirrored margin of half the overlap (rounded to ``windows.multiple``), which
    is painted and cut off, so the generator's edge stripe falls outside the map.
    ``batch_size``: windows per call to the painter (default: about a million pixels' worth).
    """
    margin = windows.overlap // 2 // windows.multiple * windows.multiple
    padded = np.pad(layout, margin, mode="symmetric") if margin else layout
    painted = _paint_padded(padded, windows, batch_size, progress)
    return painted[margin : margin + layout.shape[0], margin : margin + layout.shape[1]]


def _paint_padded(layout: np.ndarray, windows: Windows, batch_size: int | None, progress: bool) -> np.ndarray:
    from tqdm.auto import tqdm

    height, width = layout.shape
    win_h, ys = even_windows(height, windows.largest, windows.overlap, windows.multiple)
    win_w, xs = even_windows(width, windows.largest, windows.overlap, windows.multiple)
    corners = [(y, x) for y in ys for x in xs]
    batch_size = batch_size or max(1, PIXELS_PER_BATCH // (win_h * win_w))
    weights = feather(win_h, win_w, windows.overlap)[..., None]
    total = np.zeros((height, width, 3), dtype=np.float64)
    weight_sum = np.zeros((height, width, 1), dtype=np.float64)
    with tqdm(total=len(corners), desc="Painting", unit="window", disable=not progress) as bar:
        for first in range(0, len(corners), batch_size):
            batch = corners[first : first + batch_size]
            crops = np.stack([layout[y : y + win_h, x : x + win_w] for y, x in batch])
            pictures = np.asarray(windows.paint(crops))
            if pictures.shape != (len(batch), win_h, win_w, 3):
                raise ValueError(
                    f"generator returned shape {pictures.shape} for {len(batch)} label maps of {win_h}x{win_w}; "
                    f"expected {(len(batch), win_h, win_w, 3)}"
                )
            for (y, x), picture in zip(batch, pictures):
                total[y : y + win_h, x : x + win_w] += picture * weights
                weight_sum[y : y + win_h, x : x + win_w] += weights
            bar.update(len(batch))
    return np.clip(np.rint(total / weight_sum), 0, 255).astype(np.uint8)
