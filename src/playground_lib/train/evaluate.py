"""How good is a generator? FID when Inception weights exist, segmentation consistency always.

* **FID** (Fréchet Inception Distance) compares the statistics of deep features of real and
  generated images. It needs InceptionV3 weights (``pytorch-fid`` or ``torch-fidelity``, which
  also pull in torchvision); offline or without them, ``fid_extractor()`` says why and FID is
  skipped. The Fréchet distance itself is implemented here, so any feature network can be used.
* **Segmentation consistency**: see ``segmenter``; works offline, on a CPU, in about a minute.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from ..spade.model import SPADEGenerator
from .segmenter import mean_iou, train_segmenter


# ----------------------------------------------------------------------------- Fréchet distance
def activation_statistics(features: np.ndarray | torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """Mean and covariance of (N, D) features, in float64."""
    f = np.asarray(features, dtype=np.float64)
    if f.ndim != 2 or f.shape[0] < 2:
        raise ValueError(f"need at least 2 feature vectors of shape (N, D), got {f.shape}")
    return f.mean(axis=0), np.cov(f, rowvar=False)


def _sqrt_psd(matrix: np.ndarray) -> np.ndarray:
    values, vectors = np.linalg.eigh((matrix + matrix.T) / 2)
    return (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T


def frechet_distance(mu1, sigma1, mu2, sigma2) -> float:
    """||mu1 - mu2||² + Tr(S1 + S2 - 2 (S1 S2)^½) between two Gaussians.

    Tr((S1 S2)^½) = Tr((A S2 A)^½) with A = S1^½: the matrix in the middle is symmetric
    positive semi-definite, so a symmetric eigen-decomposition gives it stably (no complex parts).
    """
    mu1, mu2 = np.atleast_1d(mu1).astype(np.float64), np.atleast_1d(mu2).astype(np.float64)
    s1, s2 = np.atleast_2d(sigma1).astype(np.float64), np.atleast_2d(sigma2).astype(np.float64)
    if mu1.shape != mu2.shape or s1.shape != s2.shape or s1.shape != (mu1.size, mu1.size):
        raise ValueError(f"mismatched statistics: means {mu1.shape}/{mu2.shape}, covariances {s1.shape}/{s2.shape}")
    a = _sqrt_psd(s1)
    middle = np.linalg.eigvalsh((a @ s2 @ a + (a @ s2 @ a).T) / 2)
    trace_sqrt = np.sqrt(np.clip(middle, 0, None)).sum()
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * trace_sqrt)


@torch.no_grad()
def features_of(
    extractor: Callable[[torch.Tensor], torch.Tensor], images: torch.Tensor, batch_size: int = 16
) -> np.ndarray:
    return torch.cat(
        [extractor(images[i : i + batch_size]).flatten(1).float().cpu() for i in range(0, len(images), batch_size)]
    ).numpy()


def fid(real: torch.Tensor, fake: torch.Tensor, extractor: Callable[[torch.Tensor], torch.Tensor]) -> float:
    """FID between two image sets (B,3,H,W in [-1,1]) under any feature extractor."""
    return frechet_distance(
        *activation_statistics(features_of(extractor, real)), *activation_statistics(features_of(extractor, fake))
    )


def fid_extractor() -> tuple[Callable | None, str]:
    """InceptionV3 pool features from pytorch-fid when it and its weights are here; else (None, why)."""
    if importlib.util.find_spec("pytorch_fid") is None:
        return None, (
            "FID skipped: it needs InceptionV3 weights from pytorch-fid (pip install pytorch-fid, which "
            "brings torchvision, then one download of the weights); the segmentation score works without it"
        )
    try:
        from pytorch_fid.inception import InceptionV3

        net = InceptionV3([InceptionV3.BLOCK_INDEX_BY_DIM[2048]]).eval()
    except Exception as exc:  # typically: offline and the weights are not cached
        return None, f"FID skipped: InceptionV3 weights could not be loaded ({type(exc).__name__}: {exc})"

    def extract(images: torch.Tensor) -> torch.Tensor:
        return net((images + 1) / 2)[0]

    return extract, "InceptionV3 (pytorch-fid)"


# ----------------------------------------------------------------------------- the report
@dataclass
class EvaluationReport:
    segmentation_miou_generated: float
    segmentation_miou_real: float
    per_class_generated: dict[int, float]
    images: int
    fid: float | None
    fid_note: str

    def to_dict(self) -> dict:
        return {
            "segmentation_consistency_miou": round(self.segmentation_miou_generated, 4),
            "segmenter_miou_on_real_images": round(self.segmentation_miou_real, 4),
            "per_class_iou_generated": {str(k): round(v, 4) for k, v in self.per_class_generated.items()},
            "evaluation_images": self.images,
            "fid": None if self.fid is None else round(self.fid, 3),
            "fid_note": self.fid_note,
        }

    def summary(self) -> str:
        fid_text = f"FID {self.fid:.2f}" if self.fid is not None else self.fid_note
        return (
            f"segmentation consistency (mIoU on generated images): {self.segmentation_miou_generated:.3f}  "
            f"(the judge scores {self.segmentation_miou_real:.3f} on real held-out images)\n{fid_text}"
        )


def load_folder(
    data_dir: str | Path, size: int, split: str = "train", limit: int | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Images (N,3,size,size in [-1,1]) and raw label values (N,size,size) of a training folder, centre-cropped."""
    from .config import TrainConfig
    from .dataset import SpadeDataset

    cfg = TrainConfig(data_dir=str(data_dir), split=split, load_size=size, crop_size=size)
    ds = SpadeDataset(cfg)
    n = len(ds) if limit is None else min(limit, len(ds))
    items = [ds[i] for i in range(n)]
    return torch.stack([i["image"] for i in items]), torch.stack([i["label"] for i in items])


def shrink(x: torch.Tensor, size: int) -> torch.Tensor:
    """Images (B,3,H,W) by area averaging, label maps (B,H,W) by nearest, to at most ``size`` pixels high."""
    from torch.nn import functional as F

    if x.shape[-2] <= size:
        return x
    width = round(x.shape[-1] * size / x.shape[-2])
    if x.dim() == 3:
        return F.interpolate(x[:, None].float(), size=(size, width), mode="nearest")[:, 0].to(x.dtype)
    return F.interpolate(x, size=(size, width), mode="area")


@torch.no_grad()
def generate_from_labels(generator: SPADEGenerator, labels: torch.Tensor, batch_size: int = 8) -> torch.Tensor:
    """Run a full-channel generator (channel = ADE20K value) on raw label maps."""
    from ..spade import one_hot

    generator.eval()
    nc = generator.config.label_nc
    out = [generator(one_hot(labels[i : i + batch_size], nc)).float() for i in range(0, len(labels), batch_size)]
    return torch.cat(out)


def evaluate_generator(
    generator: SPADEGenerator,
    train_images,
    train_labels,
    eval_images,
    eval_labels,
    segmenter_steps: int = 300,
    seed: int = 0,
    progress: bool = True,
    with_fid: bool = True,
    judge_size: int = 64,
) -> EvaluationReport:
    """Train the judge on real training images, then score generated images of the held-out label maps.

    The judge works at ``judge_size`` pixels (images area-averaged, labels nearest): a CPU trains it
    in a minute or two, at the price of ignoring details thinner than a pixel at that size.
    """
    fake = generate_from_labels(generator, eval_labels)
    small = lambda x: shrink(x, judge_size)  # noqa: E731
    judge = train_segmenter(
        small(train_images), small(train_labels), steps=segmenter_steps, seed=seed, progress=progress
    )
    miou_fake, per_class = mean_iou(judge.predict(small(fake)), small(eval_labels))
    miou_real, _ = mean_iou(judge.predict(small(eval_images)), small(eval_labels))
    fid_value, note = None, ""
    if with_fid:
        extractor, note = fid_extractor()
        if extractor is not None:
            fid_value = fid(eval_images, fake, extractor)
    return EvaluationReport(miou_fake, miou_real, per_class, len(eval_labels), fid_value, note)
