"""The pictures a training run leaves behind: sample grids and loss curves.

A GAN's losses go up and down without telling much on their own; the sample grid (label map |
real photo | generated) is how people actually judge progress, so the trainer writes one every
``sample_every`` steps and the notebook shows the latest.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from ..fileio import atomic_path, write_png
from ..labels import labels_to_colors


def to_uint8(images: torch.Tensor) -> np.ndarray:
    """(B,3,H,W) in [-1,1] -> (B,H,W,3) uint8."""
    x = ((images.detach().float().cpu().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
    return x.permute(0, 2, 3, 1).numpy()


def sample_grid(label_values: np.ndarray, real: torch.Tensor, fake: torch.Tensor, gap: int = 2) -> np.ndarray:
    """One row per sample: coloured label map | real | generated, on a white background."""
    colors = labels_to_colors(label_values)
    real_px, fake_px = to_uint8(real), to_uint8(fake)
    b, h, w = label_values.shape
    grid = np.full((b * h + (b - 1) * gap, 3 * w + 2 * gap, 3), 255, dtype=np.uint8)
    for i in range(b):
        y = i * (h + gap)
        for j, tile in enumerate((colors[i], real_px[i], fake_px[i])):
            grid[y : y + h, j * (w + gap) : j * (w + gap) + w] = tile
    return grid


def write_sample_grid(path: str | Path, label_values, real, fake) -> Path:
    return write_png(path, sample_grid(np.asarray(label_values), real, fake))


def write_loss_curves(path: str | Path, history: list[dict[str, float]]) -> Path | None:
    """Plot every loss against the step (smoothed over a window), saved atomically as PNG."""
    if not history:
        return None
    import matplotlib

    matplotlib.use("Agg", force=False)
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
    path = Path(path)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png")
    return path
