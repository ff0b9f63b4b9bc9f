"""The picture a segmentation ControlNet is shown: the label map in ADE20K's colours, at a size it can paint.

ControlNet's segmentation models learned from maps coloured by a segmenter's output, where class
k of 150 (0 = wall, counting from zero) takes the k-th colour of the ``color150`` palette. Our
label maps store ADE20K values, 1 = wall, with 0 for "other", and ``labels.palette()`` row v is
the colour of value v, so value v gets the (v-1)-th colour of the model's list: the same
colours, no shift (``tests/test_diffusion.py`` checks all 150 against the ControlNet's own list).

"Other" (0) has no class: the segmenter the model learned from never produced it. It is drawn
black, a colour no class has, so the model is never told that an unpainted patch is a wall; it
fills it as it sees fit.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image

from ..labels import labels_to_colors
from .settings import NATIVE_SIZE

LATENT_FACTOR = 8  # Stable Diffusion's autoencoder: one latent pixel per 8 x 8 picture pixels


def working_size(height: int, width: int, native: int = NATIVE_SIZE, largest: int = 2048) -> tuple[int, int]:
    """(height, width) to paint at: the shorter side brought up to ``native`` px when smaller (the
    model paints mush below its training size), both sides multiples of 8, the longer at most ``largest``."""
    if height < 1 or width < 1:
        raise ValueError(f"cannot paint an empty map ({height}x{width})")
    scale = min(max(1.0, native / min(height, width)), largest / max(height, width))

    def rounded(side: int) -> int:
        return max(LATENT_FACTOR, int(math.floor(side * scale / LATENT_FACTOR + 0.5)) * LATENT_FACTOR)

    return rounded(height), rounded(width)


def condition_image(labels: np.ndarray, size: tuple[int, int] | None = None) -> np.ndarray:
    """H x W ADE20K values -> the ControlNet's H' x W' x 3 uint8 condition image.

    ``size`` (height, width) defaults to ``working_size``; the map is resized with nearest
    neighbour, so every pixel keeps exactly one class colour.
    """
    labels = np.asarray(labels)
    if labels.ndim != 2:
        raise ValueError(f"expected one H x W label map, got shape {labels.shape}")
    height, width = size or working_size(*labels.shape)
    colors = labels_to_colors(labels)
    if (height, width) == labels.shape:
        return colors
    return np.asarray(Image.fromarray(colors).resize((width, height), Image.Resampling.NEAREST))
