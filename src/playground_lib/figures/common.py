"""The building blocks every figure shares: class colours, an axes grid, titled panels, saving.

Colours are always the ADE20K palette of :mod:`playground_lib.labels`, the colours SPADE sketches
use, so a tree is the same green in every picture of the series.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..fileio import atomic_path
from ..labels import ade20k_value, class_name, palette

UNKNOWN_LABEL_COLOUR = np.array([0.6, 0.6, 0.6])  # grey: a label outside the schema still shows

Panel = tuple[np.ndarray, str]  # a picture (HxWx3, or HxW for a colour map) and its title
PanelSize = float | tuple[float, float]


def class_colour(value: int) -> np.ndarray:
    """The palette colour of an ADE20K value as matplotlib wants it: RGB floats in 0..1."""
    return palette()[int(value)].astype(float) / 255


def label_colour(label: str) -> np.ndarray:
    """The palette colour of a label name or alias (grey when the schema does not know it)."""
    try:
        return class_colour(ade20k_value(label))
    except KeyError:
        return UNKNOWN_LABEL_COLOUR


def class_legend(labels: np.ndarray) -> list:
    """Legend handles for the classes present in a label map, in palette colours."""
    from matplotlib.patches import Patch

    return [Patch(color=tuple(class_colour(v).tolist()), label=class_name(int(v))) for v in np.unique(labels)]


def axes_grid(count: int, columns: int, panel_size: PanelSize = 3.2):
    """A figure with ``count`` panels, ``columns`` to a row, axes switched off: (figure, flat axes).

    Panels beyond ``count`` that fill the last row stay blank.
    """
    import matplotlib.pyplot as plt

    width, height = (panel_size, panel_size) if isinstance(panel_size, (int, float)) else panel_size
    columns = max(1, min(columns, count))
    rows = (count + columns - 1) // columns
    fig, axes = plt.subplots(rows, columns, figsize=(width * columns, height * rows), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    return fig, axes.ravel()


def show_panels(
    panels: Sequence[Panel | None], columns: int | None = None, panel_size: PanelSize = 3.6, title_size: int = 9
):
    """Pictures with their titles in a grid (one row unless ``columns`` says otherwise); None leaves a gap.

    The before/after and picture/labels rows of the series. Returns the figure; its ``axes`` follow
    the panels, so a caller can draw more onto one of them.
    """
    fig, axes = axes_grid(len(panels), columns or len(panels), panel_size)
    for ax, panel in zip(axes, panels):
        if panel is not None:
            picture, title = panel
            ax.imshow(picture, interpolation="nearest")
            ax.set_title(title, fontsize=title_size)
    fig.tight_layout()
    return fig


def save_figure(fig, destination: str | os.PathLike, dpi: int = 100, **savefig_options) -> Path:
    """Save a figure as PNG atomically, then let pyplot forget it.

    Atomic like every output of the library (a crash never leaves half a PNG). A figure made by
    pyplot stays in its memory, and in the notebook's output, until closed: saved pictures are
    files, not things to display. A bare ``Figure`` (no pyplot) is left alone.
    """
    destination = Path(destination)
    with atomic_path(destination) as tmp:
        fig.savefig(tmp, format="png", dpi=dpi, **savefig_options)
    if fig.canvas.manager is not None:
        import matplotlib.pyplot as plt

        plt.close(fig)
    return destination
