"""How the painter shows classes on screen, apart from the ADE20K values it stores.

ADE20K's colours were chosen for 150 classes, not for telling a playground's 19 apart: path and
rock differ by 14 RGB units, bench and plant by 11, five classes are nearly the same red. The
painter can therefore draw with a *distinct* display palette: colours picked so that neighbours
in a playground look different and still read as what they are (blue sky, green grass, grey
path). Only the screen changes; the label map, Generate and the saved PNG keep ADE20K values.
"""

from __future__ import annotations

import numpy as np

from ..labels import ade20k_value, palette

DISTINCT_COLORS = {
    "sky": (135, 206, 250),
    "tree": (0, 100, 0),
    "grass": (124, 220, 90),
    "sand": (240, 215, 150),
    "earth": (139, 90, 43),
    "path": (160, 160, 160),
    "fence": (255, 140, 0),
    "railing": (255, 215, 0),
    "pole": (106, 61, 154),
    "bench": (90, 50, 20),
    "person": (255, 105, 180),
    "plaything": (220, 20, 60),
    "plant": (154, 205, 50),
    "flower": (255, 0, 255),
    "water": (0, 70, 200),
    "rock": (70, 70, 70),
    "building": (178, 34, 34),
    "hill": (200, 180, 0),
    "other": (0, 0, 0),
}


def display_palette(distinct: bool = False) -> np.ndarray:
    """(151, 3) uint8: the screen colour of every ADE20K value (classes outside the painter keep ADE20K's)."""
    table = palette().copy()
    if distinct:
        for name, color in DISTINCT_COLORS.items():
            table[ade20k_value(name)] = color
    return table


def hex_color(rgb) -> str:
    r, g, b = (int(c) for c in rgb)
    return f"#{r:02x}{g:02x}{b:02x}"


def relative_luminance(rgb) -> float:
    """WCAG 2 relative luminance of an sRGB colour (0 black .. 1 white)."""
    channels = np.asarray(rgb, dtype=float) / 255.0
    linear = np.where(channels <= 0.03928, channels / 12.92, ((channels + 0.055) / 1.055) ** 2.4)
    return float(0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2])


def contrast_ratio(a, b) -> float:
    """WCAG 2 contrast ratio between two colours (1 .. 21); 4.5 is the floor for normal text."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_color_on(background) -> tuple[int, int, int]:
    """Black or white, whichever reads better on ``background``."""
    black, white = (0, 0, 0), (255, 255, 255)
    return black if contrast_ratio(background, black) >= contrast_ratio(background, white) else white
