"""Pictures for notebook 04 (sketch a playground): the palette, a label map up close, results."""

from __future__ import annotations

import numpy as np

from ..labels import class_name, labels_to_colors
from ..painter.sketchpad import Sketchpad, sketch_palette
from .common import axes_grid, show_panels


def show_palette(columns: int = 4):
    """Every class of the painter's palette: its colour, name and ADE20K number."""
    import matplotlib.pyplot as plt

    entries = sketch_palette()
    rows = -(-len(entries) // columns)
    fig, ax = plt.subplots(figsize=(2.6 * columns, 0.5 * rows + 0.3))
    for i, e in enumerate(entries):
        r, c = divmod(i, columns)
        ax.add_patch(plt.Rectangle((c, rows - r - 1), 0.28, 0.8, color=np.asarray(e.color) / 255, ec="#666"))
        ax.text(c + 0.33, rows - r - 0.6, f"{e.name}  ({e.value})", va="center", fontsize=10)
    ax.set_xlim(0, columns)
    ax.set_ylim(0, rows)
    ax.axis("off")
    fig.tight_layout()
    return fig


def _interesting_window(labels: np.ndarray, size: int) -> tuple[int, int]:
    """Top-left corner of a size x size window where the most classes meet."""
    h, w = labels.shape
    best, best_yx = -1, (0, 0)
    step = max(1, size // 2)
    for y in range(0, max(1, h - size + 1), step):
        for x in range(0, max(1, w - size + 1), step):
            n = len(np.unique(labels[y : y + size, x : x + size]))
            if n > best:
                best, best_yx = n, (y, x)
    return best_yx


def show_label_map_up_close(labels: np.ndarray, window: int = 10, title: str = "a sketch"):
    """The sketch in colour, and a small window of it as the numbers SPADE actually reads."""
    import matplotlib.pyplot as plt

    labels = np.asarray(labels)
    window = min(window, *labels.shape)
    y, x = _interesting_window(labels, window)
    crop = labels[y : y + window, x : x + window]
    fig, (left, right) = axes_grid(2, 2, panel_size=(5.5, 5.2))
    left.imshow(labels_to_colors(labels))
    left.add_patch(plt.Rectangle((x - 0.5, y - 0.5), window, window, fill=False, ec="white", lw=2))
    left.set_title(f"{title}: colours for our eyes")
    right.imshow(labels_to_colors(crop))
    for (r, c), v in np.ndenumerate(crop):
        right.text(c, r, str(v), ha="center", va="center", fontsize=8, color="white" if v else "#ccc")
    names = ", ".join(f"{v} = {class_name(int(v))}" for v in np.unique(crop))
    right.set_title(f"the white square as numbers\n{names}", fontsize=10)
    fig.tight_layout()
    return fig


def show_sketch_and_result(pad: Sketchpad, title: str = ""):
    """Sketch and generated picture side by side, with the classes the sketch uses."""
    counts = pad.class_counts()
    share = ", ".join(f"{name} {100 * n / pad.labels.size:.0f}%" for name, n in list(counts.items())[:5])
    heading = (title + "\n" if title else "") + share
    return show_panels([(pad.side_by_side(), heading)], panel_size=(10, 5), title_size=10)
