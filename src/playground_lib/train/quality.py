"""Measures that can tell a striped generator from a clean one, offline and on a CPU.

Paired L1 to the rendered scene cannot: the procedural renderer picks random colours and textures,
so a picture in the right colours but the wrong shade is as "far" as a striped one (painting each
class its average colour scores about as well as a trained model). These measures look at what
stripes and smears change instead:

* ``gradient_energy_ratio``: mean squared difference between neighbouring pixels of the generated
  pictures over that of the real ones. Stripes and checkerboards push it above 1, blur below 1;
  a generator that imitates the scenes' texture sits near 1.
* ``class_statistics_distance``: for every class, the Fréchet distance between the Gaussians of
  per-pixel colour and local-gradient features of generated and real pixels of that class,
  averaged with the class's share of pixels as weight. Zero for identical sets; it grows when a
  class is painted in the wrong colours *or* with the wrong texture, and it needs no pretrained
  network (the Fréchet distance is the one FID uses, ``evaluate.frechet_distance``).
* ``paired_l1``: mean absolute difference on the 0–255 scale, kept as a guard, beside
  ``class_mean_painting``, the picture that paints every class its average real colour.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from .evaluate import frechet_distance

UNSEEN_SEED = 900_000
"""First seed of the fixed evaluation layouts: far from the training scenes (seeds from 0)."""


def _check_images(images: torch.Tensor, name: str) -> torch.Tensor:
    if images.dim() != 4 or images.shape[1] != 3:
        raise ValueError(f"{name} must be (B, 3, H, W) images in [-1, 1], got shape {tuple(images.shape)}")
    return images.float()


def _check_pair(fakes: torch.Tensor, reals: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    fakes, reals = _check_images(fakes, "fakes"), _check_images(reals, "reals")
    if fakes.shape != reals.shape:
        raise ValueError(f"fakes {tuple(fakes.shape)} and reals {tuple(reals.shape)} must have the same shape")
    return fakes, reals


def gradient_energy(images: torch.Tensor) -> float:
    """Mean over pixels and channels of the squared horizontal plus vertical neighbour differences."""
    images = _check_images(images, "images")
    dx = images[..., :, 1:] - images[..., :, :-1]
    dy = images[..., 1:, :] - images[..., :-1, :]
    return float((dx**2).mean() + (dy**2).mean())


def gradient_energy_ratio(fakes: torch.Tensor, reals: torch.Tensor) -> float:
    """Gradient energy of generated pictures over that of the real ones: > 1 stripes or noise, < 1 blur."""
    fakes, reals = _check_pair(fakes, reals)
    return gradient_energy(fakes) / max(gradient_energy(reals), 1e-12)


def _pixel_gradient_energy(images: torch.Tensor) -> torch.Tensor:
    """(B, H, W) squared neighbour differences at each pixel, summed over channels (zero on the first row/column)."""
    energy = torch.zeros(images.shape[0], *images.shape[2:])
    energy[..., :, 1:] += ((images[..., :, 1:] - images[..., :, :-1]) ** 2).sum(1)
    energy[..., 1:, :] += ((images[..., 1:, :] - images[..., :-1, :]) ** 2).sum(1)
    return energy


def gradient_energy_ratio_by_class(
    fakes: torch.Tensor, reals: torch.Tensor, labels: torch.Tensor, min_pixels: int = 64
) -> dict[int, float]:
    """The ratio class by class: stripes on thin structures (swings, ladders) hide in the whole-picture
    figure behind large smooth areas (grass painted without its texture), and show here."""
    fakes, reals = _check_pair(fakes, reals)
    fake_energy, real_energy = _pixel_gradient_energy(fakes), _pixel_gradient_energy(reals)
    ratios = {}
    for value in labels.unique().tolist():
        mask = labels == value
        if int(mask.sum()) >= min_pixels:
            ratios[int(value)] = float(fake_energy[mask].mean() / real_energy[mask].mean().clamp_min(1e-12))
    return ratios


def paired_l1(fakes: torch.Tensor, reals: torch.Tensor) -> float:
    """Mean absolute difference on the 0–255 scale between each picture and its rendered scene."""
    fakes, reals = _check_pair(fakes, reals)
    return float((fakes - reals).abs().mean() * 127.5)


def class_mean_painting(reals: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Every pixel painted with the average real colour of its class over the whole set: the L1 baseline."""
    reals = _check_images(reals, "reals")
    pixels = reals.permute(0, 2, 3, 1)  # (B, H, W, 3)
    painted = torch.empty_like(pixels)
    for value in labels.unique():
        mask = labels == value
        painted[mask] = pixels[mask].mean(dim=0)
    painted = painted.permute(0, 3, 1, 2)
    return painted


def pixel_features(images: torch.Tensor) -> torch.Tensor:
    """(B, H, W, 5) per-pixel features: R, G, B and the absolute horizontal and vertical luminance change."""
    images = _check_images(images, "images")
    luma = images.mean(dim=1)
    dx = torch.zeros_like(luma)
    dy = torch.zeros_like(luma)
    dx[..., :, 1:] = (luma[..., :, 1:] - luma[..., :, :-1]).abs()
    dy[..., 1:, :] = (luma[..., 1:, :] - luma[..., :-1, :]).abs()
    return torch.cat([images.permute(0, 2, 3, 1), dx[..., None], dy[..., None]], dim=-1)


def class_statistics_distance(
    fakes: torch.Tensor, reals: torch.Tensor, labels: torch.Tensor, min_pixels: int = 64
) -> float:
    """Pixel-share-weighted mean over classes of the Fréchet distance of colour-and-texture features.

    Both sets are painted from the same label maps (``labels``, (B, H, W)); classes with fewer
    than ``min_pixels`` pixels are left out (their covariance would be noise).
    """
    fakes, reals = _check_pair(fakes, reals)
    if labels.shape != (fakes.shape[0], *fakes.shape[2:]):
        raise ValueError(f"labels {tuple(labels.shape)} must be (B, H, W) matching the images {tuple(fakes.shape)}")
    fake_features, real_features = pixel_features(fakes), pixel_features(reals)
    total, weighted = 0, 0.0
    for value in labels.unique().tolist():
        mask = labels == value
        count = int(mask.sum())
        if count < min_pixels:
            continue
        f = fake_features[mask].double().numpy()
        r = real_features[mask].double().numpy()
        distance = frechet_distance(f.mean(0), np.cov(f, rowvar=False), r.mean(0), np.cov(r, rowvar=False))
        weighted += count * max(distance, 0.0)
        total += count
    if total == 0:
        raise ValueError(f"no class covers {min_pixels} pixels: too few or too small label maps")
    return weighted / total


def quality_figures(fakes: torch.Tensor, reals: torch.Tensor, labels: torch.Tensor) -> dict[str, Any]:
    """All the measures at once, rounded for metadata and benchmark tables."""
    return {
        "gradient_energy_ratio": round(gradient_energy_ratio(fakes, reals), 4),
        "class_statistics_distance": round(class_statistics_distance(fakes, reals, labels), 5),
        "gradient_energy_ratio_by_class": {
            str(k): round(v, 3) for k, v in gradient_energy_ratio_by_class(fakes, reals, labels).items()
        },
        "paired_l1": round(paired_l1(fakes, reals), 3),
        "paired_l1_class_mean_painting": round(paired_l1(class_mean_painting(reals, labels), reals), 3),
        "images": int(fakes.shape[0]),
        "size": int(fakes.shape[-1]),
    }


def unseen_layouts(n: int, size: int = 256, seed: int = UNSEEN_SEED) -> tuple[torch.Tensor, torch.Tensor]:
    """Rendered images (N, 3, size, size in [-1, 1]) and label maps (N, size, size) of fixed unseen scenes."""
    from ..synthetic import generate_scene

    scenes = [generate_scene(seed + i, size) for i in range(n)]
    images = torch.from_numpy(np.stack([s.image for s in scenes])).permute(0, 3, 1, 2).float() / 127.5 - 1
    labels = torch.from_numpy(np.stack([s.labels for s in scenes]).astype(np.int64))
    return images, labels
