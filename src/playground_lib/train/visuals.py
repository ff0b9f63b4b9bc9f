"""The sample grids a training run leaves behind (label map | real | generated), as arrays and PNGs.

A GAN's losses go up and down without telling much on their own; the sample grid is how people
actually judge progress, so the trainer writes one every ``sample_every`` steps and the notebook
shows the latest (``figures.training``, which also draws the loss curves).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from ..fileio import write_png
from ..labels import labels_to_colors


def to_uint8(images: torch.Tensor) -> np.ndarray:
    """(B,3,H,W) in [-1,1] -> (B,H,W,3) uint8."""
    x = ((images.detach().float().cpu().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
    return x.permute(0, 2, 3, 1).numpy()


def sample_grid(label_values: np.ndarray, real: torch.Tensor, fake: torch.Tensor, gap: int = 2) -> np.ndarray:
    """One row per sample: coloured label map | real | generated, on a white background."""
    return tile_grid(labels_to_colors(label_values), real, fake, gap)


def tile_grid(inputs: np.ndarray, real: torch.Tensor, fake: torch.Tensor, gap: int = 2) -> np.ndarray:
    """One row per sample: what the generator was given (BxHxWx3 uint8) | real | generated, on white."""
    real_px, fake_px = to_uint8(real), to_uint8(fake)
    b, h, w = inputs.shape[:3]
    grid = np.full((b * h + (b - 1) * gap, 3 * w + 2 * gap, 3), 255, dtype=np.uint8)
    for i in range(b):
        y = i * (h + gap)
        for j, tile in enumerate((inputs[i], real_px[i], fake_px[i])):
            grid[y : y + h, j * (w + gap) : j * (w + gap) + w] = tile
    return grid


def write_sample_grid(path: str | Path, label_values, real, fake) -> Path:
    return write_png(path, sample_grid(np.asarray(label_values), real, fake))
