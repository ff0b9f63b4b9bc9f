"""Pictures for notebook 04 (generate): sketches above their pictures, and what one class change does."""

from __future__ import annotations

import numpy as np

from ..labels import labels_to_colors
from .common import class_legend, show_panels


def show_results(sketches: dict[str, np.ndarray], images: dict[str, np.ndarray]):
    """Each sketch (in class colours, with a legend) above the picture generated from it."""
    names = list(sketches)
    panels = [(labels_to_colors(sketches[name]), f"sketch: {name}") for name in names]
    panels += [(images[name], "generated") for name in names]
    fig = show_panels(panels, columns=len(names), panel_size=(3.6, 3.7), title_size=10)
    for ax, name in zip(fig.axes, names):
        ax.legend(handles=class_legend(sketches[name]), fontsize=7, loc="lower left", framealpha=0.8)
    return fig


def show_change(before_labels, after_labels, before: np.ndarray, after: np.ndarray, title: str = ""):
    """Sketch and picture before and after one class change, and a heat map of what moved."""
    from ..spade.change import change_in_picture

    panels = [
        (labels_to_colors(before_labels), "sketch before"),
        (before, "picture before"),
        (labels_to_colors(after_labels), "sketch after"),
        (after, "picture after"),
        None,  # the heat map, drawn below with its colour bar
    ]
    fig = show_panels(panels, panel_size=(3.6, 3.9), title_size=10)
    heat_ax = fig.axes[4]
    change = change_in_picture(before, after)
    top = max(0.05, float(np.percentile(change, 99)))  # scale to the biggest changes, never to noise
    heat = heat_ax.imshow(change, cmap="magma", vmin=0, vmax=top)
    heat_ax.set_title("where the picture changed", fontsize=10)
    fig.colorbar(heat, ax=heat_ax, fraction=0.046)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
