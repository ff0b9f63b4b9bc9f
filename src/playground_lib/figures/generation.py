"""Pictures for notebook 05 (generate): sketches above their pictures, and what one class change does."""

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


def show_spade_block(maps):
    """One SPADE layer on a real sketch (a :class:`playground_lib.spade.inspect.SpadeBlockMaps`): the label
    map, the features before, after plain normalisation, γ, β, and after SPADE, all for one channel."""
    import matplotlib.pyplot as plt

    c = maps.channel
    panels = [
        (maps.features_in[c], "features in"),
        (maps.normalized[c], "normalised (plain batch norm)"),
        (maps.gamma[c], "γ: scale, from the labels"),
        (maps.beta[c], "β: shift, from the labels"),
        (maps.features_out[c], "out: normalised × (1 + γ) + β"),
    ]
    fig, axes = plt.subplots(1, 6, figsize=(19, 3.6))
    axes[0].imshow(labels_to_colors(maps.labels), interpolation="nearest")
    axes[0].set_title(f"label map at {maps.labels.shape[1]}×{maps.labels.shape[0]}", fontsize=10)
    for ax, (values, title) in zip(axes[1:], panels):
        limit = float(np.percentile(np.abs(values), 99)) or 1.0  # a few extreme pixels would wash out the rest
        image = ax.imshow(values, cmap="RdBu_r", vmin=-limit, vmax=limit, interpolation="nearest")
        ax.set_title(title, fontsize=10)
        fig.colorbar(image, ax=ax, fraction=0.046, pad=0.02)
    for ax in axes:
        ax.axis("off")
    fig.suptitle(f"block {maps.block}, channel {c} of {len(maps.gamma)}", fontsize=11)
    fig.tight_layout()
    return fig


def show_engines(labels: np.ndarray, results, condition: np.ndarray | None = None):
    """The sketch (and the condition image a ControlNet saw), then each engine's picture titled with
    its time and how much of the sketch it kept (``engine_comparison.EngineResult``)."""
    panels = [(labels_to_colors(labels), "your sketch")]
    if condition is not None:
        panels.append((condition, "what the ControlNet is shown"))
    blank = np.full(labels.shape + (3,), 235, dtype=np.uint8)
    for result in results:
        if result.picture is None:
            panels.append((blank, f"{result.name}\n(no picture here)"))
            continue
        kept = f", {100 * result.agreement.pixel_share:.0f}% of sketch kept" if result.agreement else ""
        panels.append((result.picture, f"{result.name}\n{result.seconds:.1f} s{kept}"))
    fig = show_panels(panels, columns=len(panels), panel_size=(3.6, 3.9), title_size=10)
    fig.axes[0].legend(handles=class_legend(labels), fontsize=7, loc="lower left", framealpha=0.8)
    return fig


def show_variations(labels: np.ndarray, pictures: dict[str, np.ndarray]):
    """One sketch painted several ways (seeds, words): the sketch first, then each picture under its title."""
    panels = [(labels_to_colors(labels), "the sketch")] + [(picture, title) for title, picture in pictures.items()]
    return show_panels(panels, columns=min(len(panels), 4), panel_size=(3.4, 3.6), title_size=9)
