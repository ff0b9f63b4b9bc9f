"""Pictures for the generation notebook: sketches beside results, and what one class change does."""

from __future__ import annotations

import numpy as np

from ..labels import labels_to_colors


def show_results(sketches: dict[str, np.ndarray], images: dict[str, np.ndarray]):
    """Each sketch (in class colours, with a legend) above the picture generated from it."""
    import matplotlib.pyplot as plt

    from ..overview import legend_for

    names = list(sketches)
    fig, axes = plt.subplots(2, len(names), figsize=(3.6 * len(names), 7.4), squeeze=False)
    for col, name in enumerate(names):
        top, bottom = axes[0, col], axes[1, col]
        top.imshow(labels_to_colors(sketches[name]), interpolation="nearest")
        top.set_title(f"sketch: {name}", fontsize=10)
        top.legend(handles=legend_for(sketches[name]), fontsize=7, loc="lower left", framealpha=0.8)
        bottom.imshow(images[name])
        bottom.set_title("generated", fontsize=10)
    for ax in axes.flat:
        ax.axis("off")
    fig.tight_layout()
    return fig


def change_in_picture(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """Per-pixel colour change between two generated pictures, 0..1 (H x W)."""
    diff = np.abs(before.astype(np.float32) - after.astype(np.float32)).mean(axis=-1) / 255.0
    return diff


def change_report(before_labels: np.ndarray, after_labels: np.ndarray, before: np.ndarray, after: np.ndarray) -> dict:
    """Shares (0..1): the repainted area, and the mean colour change inside and outside it."""
    import torch
    import torch.nn.functional as F

    diff = change_in_picture(before, after)
    repainted = before_labels != after_labels
    if repainted.shape != diff.shape:  # labels at sketch size, pictures at generation size
        mask = torch.from_numpy(repainted.astype(np.float32))[None, None]
        repainted = F.interpolate(mask, size=diff.shape, mode="nearest")[0, 0].numpy() > 0.5
    inside = float(diff[repainted].mean()) if repainted.any() else 0.0
    outside = float(diff[~repainted].mean()) if (~repainted).any() else 0.0
    return {"repainted share": float(repainted.mean()), "change inside": inside, "change outside": outside}


def show_change(before_labels, after_labels, before: np.ndarray, after: np.ndarray, title: str = ""):
    """Sketch and picture before and after one class change, and a heat map of what moved."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 5, figsize=(18, 3.9))
    panels = [
        (labels_to_colors(before_labels), "sketch before"),
        (before, "picture before"),
        (labels_to_colors(after_labels), "sketch after"),
        (after, "picture after"),
    ]
    for ax, (image, name) in zip(axes, panels):
        ax.imshow(image, interpolation="nearest")
        ax.set_title(name, fontsize=10)
    change = change_in_picture(before, after)
    top = max(0.05, float(np.percentile(change, 99)))  # scale to the biggest changes, never to noise
    heat = axes[4].imshow(change, cmap="magma", vmin=0, vmax=top)
    axes[4].set_title("where the picture changed", fontsize=10)
    fig.colorbar(heat, ax=axes[4], fraction=0.046)
    for ax in axes:
        ax.axis("off")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def show_spade_block(maps):
    """One SPADE layer on a real sketch (a :class:`.inspect.SpadeBlockMaps`): label map, the features
    before, after plain normalisation, γ, β, and after SPADE, all for one channel."""
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
