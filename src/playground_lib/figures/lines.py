"""Pictures for the lines-to-picture notebook (pix2pix): drawings beside pictures, and a run's progress."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .common import show_panels
from .training import show_progress


def _rgb(picture: np.ndarray) -> np.ndarray:
    """A grey drawing as RGB, so it shows black on white rather than in a colour map."""
    picture = np.asarray(picture)
    return np.repeat(picture[..., None], 3, axis=2) if picture.ndim == 2 else picture


def show_side_by_side(pictures: Sequence[np.ndarray], titles: Sequence[str], columns: int | None = None):
    """Drawings, pictures and label maps in a row (or ``columns`` to a row), each with its title."""
    return show_panels([(_rgb(p), t) for p, t in zip(pictures, titles)], columns=columns, panel_size=3.2)


def show_lines_progress(out_dir: str | Path):
    """The latest sample grid of a pix2pix run (drawing | real | generated) beside its loss curves."""
    return show_progress(out_dir, grid_title="drawing | real | generated")
