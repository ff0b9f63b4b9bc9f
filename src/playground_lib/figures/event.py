"""Pictures for notebook 08 (the sketch party): everyone's sketches, and the background they became."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..event import Background
from ..fileio import read_png
from ..labels import labels_to_colors
from .common import show_panels


def show_label_maps(maps: Sequence[np.ndarray], titles: Sequence[str] | None = None, columns: int = 4):
    """Label maps in ADE20K colours, in a grid."""
    panels = [(labels_to_colors(m), titles[k] if titles else f"sketch {k + 1}") for k, m in enumerate(maps)]
    return show_panels(panels, columns=columns, panel_size=(3.2, 2.6))


def show_background(result: Background):
    """The background, its layout and the collision guide, side by side."""
    panels = [
        (read_png(result.png), f"background {result.size[0]}x{result.size[1]} px, {result.bytes / 1e6:.2f} MB"),
        (read_png(result.labels_png), "merged layout"),
        (read_png(result.guide_png), f"{result.tiles[0]}x{result.tiles[1]} tiles, red = impassable"),
    ]
    return show_panels(panels, panel_size=5.0, title_size=10)


def show_detail(result: Background, size: int = 256):
    """A ``size`` px square from the middle of the background, at 1:1 next to its layout.

    Matplotlib shrinks a whole 1280 x 960 picture to fit the page; this is what one sees in Gather.
    """
    picture, layout = read_png(result.png), read_png(result.labels_png)
    height, width = picture.shape[:2]
    side = min(size, height, width)
    y, x = (height - side) // 2, (width - side) // 2
    box = (slice(y, y + side), slice(x, x + side))
    panels = [(picture[box], f"1:1 detail, {side} x {side} px"), (layout[box], "its layout")]
    return show_panels(panels, panel_size=side / 64)
