"""Overfitting, made visible: the same measures on the pictures a model trains on and on pictures it never sees.

A generator trained on a handful of pictures can learn them by heart: its paintings of *those*
label maps come ever closer to the photos, while its paintings of new label maps stop improving
or get worse. Only the validation split (pictures kept out of training, see ``dataset.json``)
shows the difference, so :class:`SplitWatch` measures both while the trainer runs.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from ..own_data import OWN_PREFIX
from .dataset import DatasetError, SpadeDataset, collate, semantics
from .discriminator import judge_pairs
from .losses import feature_matching_loss
from .visuals import sample_grid

SPLITS = ("train", "val")
MEASURES = {"photo_distance": "distance to the photo", "G_feat": "feature matching"}  # key: its name in a plot


def split_batch(trainer, split: str, count: int = 4) -> dict | None:
    """Up to ``count`` pictures of a split, centre-cropped (no augmentation: the same every time);
    None when there is no such split (a set of one picture has no validation part, a folder of
    scenes has no splits at all).

    In a mixed set (``own_data.mix_training_set``) the training pictures shown are the participant's
    own, so that training and validation compare like with like.
    """
    if split != trainer.cfg.split and not (Path(trainer.cfg.data_dir) / "dataset.json").is_file():
        return None  # a folder of scenes has no splits: every "split" would be the training pictures
    try:
        dataset = SpadeDataset(dataclasses.replace(trainer.cfg, split=split), check=False)
    except DatasetError:
        return None
    own = [i for i, sample in enumerate(dataset.samples) if sample.name.startswith(OWN_PREFIX)]
    pool = np.array(own or range(len(dataset)))
    picks = pool[np.linspace(0, len(pool) - 1, min(count, len(pool))).round().astype(int)]
    return collate([dataset[int(i)] for i in np.unique(picks)])


@torch.no_grad()
def split_measures(trainer, batch: dict) -> dict[str, float]:
    """How far the EMA generator's paintings are from the photos: per pixel, and in the critic's eyes."""
    fake = trainer.generate(batch)
    real = batch["image"]
    sem = semantics({k: v.to(trainer.device) for k, v in batch.items()}, trainer.cfg)
    fake_scores, real_scores = judge_pairs(trainer.discriminator, sem, fake.to(trainer.device), real.to(trainer.device))
    return {
        "photo_distance": float((fake - real).abs().mean()),
        "G_feat": float(feature_matching_loss(real_scores, fake_scores, trainer.cfg.lambda_feat)),
    }


@dataclass
class SplitWatch:
    """Pass as ``Trainer.fit(on_step=...)``: every ``every`` steps, measures on both splits."""

    every: int
    count: int = 4
    records: list[dict[str, float]] = field(default_factory=list)
    _batches: dict[str, dict | None] = field(default_factory=dict)

    def __call__(self, trainer, record=None) -> None:
        if trainer.step % self.every == 0:
            self.measure(trainer)

    def measure(self, trainer) -> dict[str, float]:
        """Measure now (also usable on its own, after training)."""
        row: dict[str, float] = {"step": trainer.step}
        for split in SPLITS:
            if split not in self._batches:
                self._batches[split] = split_batch(trainer, split, self.count)
            batch = self._batches[split]
            if batch is None:
                continue
            for key, value in split_measures(trainer, batch).items():
                row[f"{split}_{key}"] = value
        self.records.append(row)
        return row

    def curves(self) -> tuple[list[float], dict[str, dict[str, list[float]]]]:
        """(steps, {measure's name: {split: its value at each step}}): what ``figures.training`` plots.

        A split without pictures (a set of one picture has no validation part) reads NaN, a gap in its curve.
        """
        if not self.records:
            raise ValueError("nothing measured yet: train with on_step=this watch, or call measure(trainer)")
        steps = [r["step"] for r in self.records]
        curves = {
            title: {split: [r.get(f"{split}_{key}", np.nan) for r in self.records] for split in SPLITS}
            for key, title in MEASURES.items()
        }
        return steps, curves


def split_samples(trainer, count: int = 3) -> dict[str, np.ndarray | None]:
    """Per split, a grid of label map | photo | painting for up to ``count`` of its pictures (None: no pictures).

    The same pictures every time (see :func:`split_batch`), painted by the EMA generator as it is now.
    """
    grids: dict[str, np.ndarray | None] = {}
    for split in SPLITS:
        batch = split_batch(trainer, split, count)
        if batch is None:
            grids[split] = None
            continue
        labels = trainer.channel_values()[batch["label"].numpy()]
        grids[split] = sample_grid(labels, batch["image"], trainer.generate(batch))
    return grids
