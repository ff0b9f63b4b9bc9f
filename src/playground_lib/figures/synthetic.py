"""Pictures for notebooks 00 and 07 (synthetic playgrounds): scenes with their masks, Blender renders,
and what a hurried annotator's tracing loses."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..fileio import read_png
from ..labels import labels_to_colors
from ..synthetic.blender import hurried_tracing
from .common import show_panels


def show_scenes(scenes, columns: int = 4, titles: Sequence[str] | None = None):
    """Each scene's picture above its label map, ``columns`` scenes to a row. Accepts Scene objects."""
    scenes = list(scenes)
    panels: list[tuple[np.ndarray, str] | None] = []
    for start in range(0, len(scenes), columns):
        block = scenes[start : start + columns]
        gap: list[tuple[np.ndarray, str] | None] = [None] * (columns - len(block))
        panels += [(s.image, titles[start + i] if titles else f"scene {start + i}") for i, s in enumerate(block)] + gap
        panels += [(labels_to_colors(s.labels), "") for s in block] + gap
    return show_panels(panels, columns=columns, panel_size=3, title_size=10)


def show_renders(json_paths, columns: int = 2):
    """Each Blender render beside its label map (ADE20K colours)."""
    panels = []
    for path in (Path(p) for p in json_paths):
        panels += [
            (read_png(path.with_suffix(".png")), path.stem),
            (labels_to_colors(read_png(path.with_name(path.stem + "_label.png"))), "label map (from the index pass)"),
        ]
    return show_panels(panels, columns=2 * columns, panel_size=(2, 1.6), title_size=8)


def show_hand_tracing(image, labels, click_every: int = 8):
    """Picture, exact mask, hurried tracing and the pixels it gets wrong (red)."""
    traced = hurried_tracing(labels, click_every)
    wrong = np.asarray(image, dtype=np.float64) * 0.35
    wrong[traced != labels] = (230, 30, 30)
    panels = [
        (image, "picture"),
        (labels_to_colors(labels), "exact (drawn by code)"),
        (labels_to_colors(traced), f"traced: a click every {click_every} px"),
        (wrong.astype(np.uint8), f"wrong pixels: {100 * (traced != labels).mean():.1f}%"),
    ]
    return show_panels(panels, panel_size=3.5)
