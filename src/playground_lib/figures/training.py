"""Pictures of a training run (notebook 06): the loss curves the trainer writes, its sample grids, and overfitting.

A GAN's losses go up and down without telling much on their own; the sample grid (label map |
real photo | generated, written by ``train.visuals``) is how people actually judge progress.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..fileio import read_png
from .common import axes_grid, save_figure, show_panels


def write_loss_curves(path: str | Path, history: list[dict[str, float]]) -> Path | None:
    """Plot every loss against the step (smoothed over a window) into a PNG; None without history.

    A bare ``Figure``, not pyplot: the trainer calls this from its loop, where no figure should
    reach a notebook's output or pyplot's memory.
    """
    if not history:
        return None
    from matplotlib.figure import Figure

    steps = np.array([h["step"] for h in history])
    keys = [k for k in history[0] if k != "step"]
    fig = Figure(figsize=(7, 3.5), dpi=100)
    ax = fig.add_subplot(1, 1, 1)
    window = max(1, len(history) // 50)
    for key in keys:
        values = np.array([h.get(key, np.nan) for h in history], dtype=float)
        if window > 1:
            values = np.convolve(values, np.ones(window) / window, mode="valid")
        ax.plot(steps[len(steps) - len(values) :], values, label=key)
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.legend(loc="upper right", fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return save_figure(fig, path)


def show_progress(out_dir: str | Path, grid_title: str = "label map | real | generated"):
    """The latest sample grid (label | real | generated, or what ``grid_title`` says) beside the loss curves."""
    out = Path(out_dir)
    panels = []
    if (out / "samples" / "latest.png").exists():
        panels.append((read_png(out / "samples" / "latest.png"), grid_title))
    if (out / "loss_curves.png").exists():
        panels.append((read_png(out / "loss_curves.png"), "losses"))
    if not panels:
        raise FileNotFoundError(f"{out}: no samples yet: train for at least sample_every steps")
    return show_panels(panels, panel_size=(5.0, 5.5), title_size=12)


def show_sample_history(out_dir: str | Path, count: int = 3):
    """A few saved grids from first to last: watch the generated column sharpen."""
    grids = sorted((Path(out_dir) / "samples").glob("step_*.png"))
    if not grids:
        raise FileNotFoundError(f"{out_dir}/samples: no sample grids yet")
    picks = [grids[int(i)] for i in np.unique(np.linspace(0, len(grids) - 1, count).round())]
    panels = [(read_png(p), f"after {int(p.stem.split('_')[1])} steps") for p in picks]
    return show_panels(panels, panel_size=(3.5, 3.85), title_size=12)


def show_split_curves(watch):
    """Train against validation, one panel per measure of a ``train.overfitting.SplitWatch``.

    Where the training curve keeps falling and the validation curve does not, the model is learning
    its pictures by heart.
    """
    import matplotlib.pyplot as plt

    steps, curves = watch.curves()
    fig, axes = plt.subplots(1, len(curves), figsize=(5 * len(curves), 3.5), squeeze=False)
    for ax, (title, by_split) in zip(axes.ravel(), curves.items()):
        for (split, values), style in zip(by_split.items(), ("-o", "--s")):
            ax.plot(steps, values, style, label=split)
        ax.set_title(title)
        ax.set_xlabel("step")
        ax.legend()
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def show_split_samples(grids: dict[str, np.ndarray | None]):
    """The grids of ``train.overfitting.split_samples`` side by side: training pictures left, validation right."""
    tallest = max((g.shape[0] / g.shape[1] for g in grids.values() if g is not None), default=1 / 3)
    fig, axes = axes_grid(len(grids), len(grids), panel_size=(6, 6.6 * tallest + 0.5))
    for ax, (split, grid) in zip(axes, grids.items()):
        if grid is None:
            ax.set_title(f"{split}: no pictures in this split")
            continue
        ax.imshow(grid)
        ax.set_title(f"{split}: label map | photo | generated")
    fig.tight_layout()
    return fig
