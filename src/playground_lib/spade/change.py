"""What one class change does to a generated picture: where it moved, inside and outside the repaint.

A generator that repaints only where the sketch changed is reading the sketch; one that changes
everything is mostly following its noise. Notebook 05 measures this for grass -> sand.
"""

from __future__ import annotations

import numpy as np


def change_in_picture(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """Per-pixel colour change between two generated pictures, 0..1 (H x W)."""
    return np.abs(before.astype(np.float32) - after.astype(np.float32)).mean(axis=-1) / 255.0


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
