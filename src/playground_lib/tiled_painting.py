"""Painting a big label map at the generator's own scale: overlapping windows, blended with soft edges.

A generator learns what a pixel of grass or a slide looks like at the size it was trained at
(the bundled model: 128 x 128 scenes; the official ADE20K model: 256 x 256). Painting a small
version of a 1280 x 960 map and enlarging it gives blur with coloured speckles. Instead every
pixel of the map is painted 1:1 (SPADE is fully convolutional, so nothing is resized): the map is
cut into overlapping windows, and the windows are blended where they overlap with weights that
fall towards each window's edge, which hides the seams.

How big a window? The training size fixes the scale of a pixel, not the window. Windows exactly
the training size repeat the habits a model has at fixed places of its training crops: the
bundled model puts the same white wisps in the sky of every 128-px window, a lattice across the
whole map. Windows several times the training size (4x by default: 512 px for the bundled model)
paint the same pixels without the lattice, with fewer pixels painted twice, in about half the
time; they exist at all to keep memory bounded on a 3200 x 3200 map. Windows go to the
generator in batches (about a million pixels a call): one call for many windows is faster.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from .labels_to_image import LabelsToImage

BatchPainter = Callable[[np.ndarray], np.ndarray]
"""B x H x W ADE20K values -> B x H x W x 3 uint8 RGB: many windows in one call."""
DEFAULT_WINDOW = 256  # for plain callables that do not say their size: the official model's
TRAINING_SIZES_PER_WINDOW = 4  # default window side, in training sizes (see above)
PIXELS_PER_BATCH = 1 << 20  # windows per generator call: about this many pixels


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


def feather(height: int, width: int | None = None) -> np.ndarray:
    """Weights of one window: 1 in the middle, falling linearly over the outer quarter (never zero).

    Where windows overlap, each pixel is a weighted mean, so a window's uncertain edge (where the
    network saw padding, not the scene) gives way to its neighbour's middle.
    """

    def ramp(n: int) -> np.ndarray:
        r = np.minimum(np.arange(n) + 1, np.arange(n, 0, -1)).astype(np.float64)
        return np.minimum(r / max(n / 4, 1), 1.0)

    return np.outer(ramp(height), ramp(height if width is None else width))


def window_painter(generator, window: int | None = None) -> tuple[BatchPainter, tuple[int, int]]:
    """(paint many windows at once, window (height, width)) for a generator or a plain callable.

    A loaded SPADE generator (anything with ``generate`` and ``config.image_size``) paints windows
    of ``window`` px (default: 4 x its training size) in batches. A plain ``generate(labels) -> rgb``
    callable paints one window per call, ``window`` px square (default 256).
    """
    config = getattr(generator, "config", None)
    if config is not None and hasattr(generator, "generate"):
        factor = config.upsampling_factor
        if window is not None and (window < factor or window % factor):
            raise ValueError(f"window {window}: this generator paints multiples of {factor} px")
        train_h, train_w = config.image_size
        scale = TRAINING_SIZES_PER_WINDOW
        size = (window, window) if window else (train_h * scale, train_w * scale)
        return (lambda batch: generator.generate(batch, batch_size=len(batch))), size
    if not callable(generator):
        raise TypeError(f"a generator must be callable or have a generate method, got {type(generator).__name__}")
    plain: LabelsToImage = generator
    side = window or DEFAULT_WINDOW
    return (lambda batch: np.stack([np.asarray(plain(labels)) for labels in batch])), (side, side)


def paint_in_windows(
    layout: np.ndarray,
    paint: BatchPainter,
    window: Sequence[int],
    overlap: int | None = None,
    batch_size: int | None = None,
    progress: bool = True,
) -> np.ndarray:
    """Paint ``layout`` (H x W ADE20K values) 1:1 in overlapping ``window`` = (h, w) windows, blended.

    ``overlap`` defaults to a quarter of the window; a map smaller than the window is painted whole.
    ``batch_size``: windows per call to ``paint`` (default: about a million pixels' worth).
    """
    from tqdm.auto import tqdm

    height, width = layout.shape
    win_h, win_w = min(int(window[0]), height), min(int(window[1]), width)
    ys = window_starts(height, win_h, win_h // 4 if overlap is None else min(overlap, win_h - 1))
    xs = window_starts(width, win_w, win_w // 4 if overlap is None else min(overlap, win_w - 1))
    corners = [(y, x) for y in ys for x in xs]
    batch_size = batch_size or max(1, PIXELS_PER_BATCH // (win_h * win_w))
    weights = feather(win_h, win_w)[..., None]
    total = np.zeros((height, width, 3), dtype=np.float64)
    weight_sum = np.zeros((height, width, 1), dtype=np.float64)
    with tqdm(total=len(corners), desc="Painting", unit="window", disable=not progress) as bar:
        for first in range(0, len(corners), batch_size):
            batch = corners[first : first + batch_size]
            crops = np.stack([layout[y : y + win_h, x : x + win_w] for y, x in batch])
            pictures = np.asarray(paint(crops))
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
