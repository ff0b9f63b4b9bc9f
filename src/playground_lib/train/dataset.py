"""Training pairs (photo, label map, instance map) from a folder, with SPADE's augmentations.

Two folder layouts are read:

* a **SPADE folder** (made by ``playground_lib.coco.coco_to_spade``): ``images/``, ``labels/``
  (uint8 ADE20K values), optional ``instances/`` (uint16) and ``dataset.json`` with split lists;
* a **folder of synthetic scenes** as ``playground_lib.synthetic.write_scenes`` writes them:
  ``scene_0000.png``, ``scene_0000_label.png``, ``scene_0000_instance.png``.

Every label map is checked *before* training starts, so a stray value in one file out of 300 is
reported with its file name at once instead of as a CUDA assert an hour into a Colab session.
Augmentations are drawn from a seed the sampler hands over with each index: the same step of a
resumed run sees exactly the same crops and flips as an uninterrupted one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import numpy as np
import torch
from PIL import Image

from ..fileio import read_png
from ..labelme.image import as_rgb8
from ..labels import NUM_ADE20K_CLASSES
from ..spade.channels import FULL_NC, value_to_channel
from .config import TrainConfig

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp")


@dataclass(frozen=True)
class Sample:
    name: str
    image: Path
    label: Path
    instance: Path | None


class DatasetError(ValueError):
    """A problem with the training folder; the message names the file."""


# ----------------------------------------------------------------------------- discovery
def find_samples(root: str | Path, split: str = "train") -> list[Sample]:
    """The (image, label, instance) triples of a SPADE folder or a synthetic-scene folder."""
    root = Path(root)
    if not root.is_dir():
        raise DatasetError(f"{root}: training folder not found")
    if (root / "images").is_dir() and (root / "labels").is_dir():
        samples = _spade_folder(root, split)
    else:
        samples = _scene_folder(root)
    if not samples:
        raise DatasetError(
            f"{root}: no training pairs found: expected images/ + labels/ (a SPADE folder) "
            "or scene_0000.png + scene_0000_label.png files (synthetic scenes)"
        )
    return samples


def _inside(root: Path, candidate: Path, source: Path) -> Path:
    resolved = candidate.resolve()
    if not resolved.is_relative_to(root.resolve()):
        raise DatasetError(f"{source}: path {candidate} escapes the folder {root}")
    return resolved


def _by_stem(folder: Path) -> dict[str, Path]:
    if not folder.is_dir():
        return {}
    return {p.stem: p for p in sorted(folder.iterdir()) if p.suffix.lower() in IMAGE_SUFFIXES}


def _split_names(root: Path, split: str) -> list[str] | None:
    meta_path = root / "dataset.json"
    if not meta_path.exists():
        return None
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DatasetError(f"{meta_path}: not valid JSON ({exc})") from None
    splits = meta.get("splits", meta) if isinstance(meta, dict) else None
    if not isinstance(splits, dict) or split not in splits:
        known = sorted(k for k, v in (splits or {}).items() if isinstance(v, list))
        raise DatasetError(f"{meta_path}: no split {split!r} (splits found: {', '.join(known) or 'none'})")
    names = []
    for entry in splits[split]:
        if isinstance(entry, dict):
            entry = entry.get("name") or entry.get("image") or entry.get("file_name")
        if not isinstance(entry, str):
            raise DatasetError(f"{meta_path}: split {split!r} holds {entry!r}, expected file names")
        _inside(root / "images", root / "images" / entry, meta_path)
        names.append(Path(entry).stem)
    return names


def _spade_folder(root: Path, split: str) -> list[Sample]:
    images, labels, instances = _by_stem(root / "images"), _by_stem(root / "labels"), _by_stem(root / "instances")
    names = _split_names(root, split)
    if names is None:
        names = sorted(images)
    samples = []
    for name in names:
        if name not in images:
            raise DatasetError(f"{root / 'images'}: image {name!r} listed for split {split!r} is missing")
        if name not in labels:
            raise DatasetError(f"{root / 'labels'}: label map for {images[name].name} is missing")
        samples.append(Sample(name, images[name], labels[name], instances.get(name)))
    return samples


def _scene_folder(root: Path) -> list[Sample]:
    samples = []
    for label in sorted(root.glob("*_label.png")):
        stem = label.name[: -len("_label.png")]
        image = next((root / f"{stem}{s}" for s in IMAGE_SUFFIXES if (root / f"{stem}{s}").exists()), None)
        if image is None:
            raise DatasetError(f"{label}: no matching image {stem}.png beside it")
        instance = root / f"{stem}_instance.png"
        samples.append(Sample(stem, image, label, instance if instance.exists() else None))
    return samples


# ----------------------------------------------------------------------------- checking
def label_lookup(cfg: TrainConfig) -> np.ndarray:
    """(256,) int64 table: raw label value -> input channel; -1 marks values that are not allowed."""
    table = np.full(256, -1, dtype=np.int64)
    table[:FULL_NC] = value_to_channel(cfg.classes)
    if cfg.dontcare_value is not None:
        table[cfg.dontcare_value] = cfg.label_nc
    return table


def check_samples(samples: list[Sample], cfg: TrainConfig) -> dict[int, int]:
    """Read every label map once; raise naming each bad file. Returns pixel counts per raw value."""
    table = label_lookup(cfg)
    counts = np.zeros(256, dtype=np.int64)
    problems = []
    for s in samples:
        labels = _read_labels(s.label)
        bad = np.unique(labels[table[labels] < 0])
        if bad.size:
            problems.append(
                f"{s.label}: label values {bad.tolist()} out of range (allowed 0..{NUM_ADE20K_CLASSES}"
                + (f" and {cfg.dontcare_value} for don't-care" if cfg.dontcare_value is not None else "")
                + ")"
            )
        counts += np.bincount(labels.ravel(), minlength=256)[:256]
        if cfg.instance_edges and s.instance is None:
            problems.append(f"{s.image}: instance_edges is on but this image has no instance map")
        with Image.open(s.image) as im:
            size = im.size
        if size != (labels.shape[1], labels.shape[0]):
            problems.append(
                f"{s.label}: size {labels.shape[1]}x{labels.shape[0]} differs from its image "
                f"{s.image.name} ({size[0]}x{size[1]})"
            )
    if problems:
        shown = "\n  ".join(problems[:20]) + (f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else "")
        raise DatasetError(f"{len(problems)} problem(s) in the training data:\n  {shown}")
    return {int(v): int(c) for v, c in enumerate(counts) if c}


def _read_labels(path: Path) -> np.ndarray:
    labels = read_png(path)
    if labels.ndim != 2:
        raise DatasetError(
            f"{path}: a label map must be a single-channel PNG of class values, got shape {labels.shape}"
        )
    if labels.dtype != np.uint8:
        if labels.max() > 255:
            raise DatasetError(f"{path}: label values up to {labels.max()} do not fit the 0..255 range")
        labels = labels.astype(np.uint8)
    return labels


# ----------------------------------------------------------------------------- dataset
class SpadeDataset(torch.utils.data.Dataset):
    """Items are dicts: ``label`` (H,W long channel ids), ``instance`` (H,W long or zeros),
    ``image`` (3,H,W float in [-1,1]), ``index``.

    Indexing with ``(index, aug_seed)`` draws the crop and flip from that seed; a plain index
    means no random augmentation (a centre crop), which evaluation uses.
    """

    def __init__(self, cfg: TrainConfig, split: str | None = None, check: bool = True):
        self.cfg = cfg
        self.samples = find_samples(cfg.data_dir, split or cfg.split)
        self.class_pixels = check_samples(self.samples, cfg) if check else {}
        self.lookup = label_lookup(cfg)

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, key):
        index, aug_seed = key if isinstance(key, tuple) else (key, None)
        s = self.samples[index]
        rng = np.random.default_rng(aug_seed) if aug_seed is not None else None
        with Image.open(s.image) as im:
            image = as_rgb8(im, str(s.image))  # a 16-bit photo in a folder made elsewhere still trains right
        labels = Image.fromarray(_read_labels(s.label))
        instance = Image.fromarray(read_png(s.instance).astype(np.int32)) if s.instance is not None else None
        image, labels, instance = self._augment(image, labels, instance, rng)
        label_ids = torch.from_numpy(self.lookup[np.asarray(labels)])
        pixels = torch.from_numpy(np.asarray(image, dtype=np.float32)).permute(2, 0, 1) / 127.5 - 1.0
        inst = (
            torch.from_numpy(np.asarray(instance, dtype=np.int64))
            if instance is not None
            else torch.zeros_like(label_ids)
        )
        return {"label": label_ids, "instance": inst, "image": pixels, "index": index}

    def _augment(self, image, labels, instance, rng):
        """Resize the shorter side to load_size, crop crop_size, maybe flip: same for all three maps."""
        cfg = self.cfg
        w, h = image.size
        scale = cfg.load_size / min(w, h)
        size = (max(cfg.crop_size, round(w * scale)), max(cfg.crop_size, round(h * scale)))
        if size != (w, h):
            image = image.resize(size, Image.Resampling.BICUBIC)
            labels = labels.resize(size, Image.Resampling.NEAREST)  # nearest: a label is a class, never a blend
            instance = instance.resize(size, Image.Resampling.NEAREST) if instance is not None else None
        W, H = size
        if rng is None:
            x, y, flip = (W - cfg.crop_size) // 2, (H - cfg.crop_size) // 2, False
        else:
            x = int(rng.integers(0, W - cfg.crop_size + 1))
            y = int(rng.integers(0, H - cfg.crop_size + 1))
            flip = cfg.flip and bool(rng.random() < 0.5)
        box = (x, y, x + cfg.crop_size, y + cfg.crop_size)
        maps = [m.crop(box) if m is not None else None for m in (image, labels, instance)]
        if flip:
            maps = [m.transpose(Image.Transpose.FLIP_LEFT_RIGHT) if m is not None else None for m in maps]
        return maps


def collate(items: list[dict]) -> dict:
    return {
        "label": torch.stack([i["label"] for i in items]),
        "instance": torch.stack([i["instance"] for i in items]),
        "image": torch.stack([i["image"] for i in items]),
        "index": torch.tensor([i["index"] for i in items]),
    }


# ----------------------------------------------------------------------------- generator input
def instance_edges(instance: torch.Tensor) -> torch.Tensor:
    """(B,H,W) ids -> (B,1,H,W) float: 1 where a pixel touches a different instance (SPADE's edge map)."""
    edge = torch.zeros_like(instance, dtype=torch.bool)
    dx = instance[:, :, 1:] != instance[:, :, :-1]
    dy = instance[:, 1:, :] != instance[:, :-1, :]
    edge[:, :, 1:] |= dx
    edge[:, :, :-1] |= dx
    edge[:, 1:, :] |= dy
    edge[:, :-1, :] |= dy
    return edge.unsqueeze(1).float()


def semantics(batch: dict, cfg: TrainConfig) -> torch.Tensor:
    """The generator's input: one-hot labels (+ don't-care channel) (+ instance edges)."""
    label = batch["label"]
    channels = cfg.label_nc + int(cfg.dontcare_value is not None)
    onehot = torch.zeros(label.shape[0], channels, *label.shape[1:], device=label.device)
    onehot.scatter_(1, label.unsqueeze(1), 1.0)
    if cfg.instance_edges:
        onehot = torch.cat([onehot, instance_edges(batch["instance"]).to(onehot)], dim=1)
    return onehot


class StepBatches(torch.utils.data.Sampler):
    """Batches of ``(index, aug_seed)`` from a given step on, epoch after epoch.

    The order of an epoch comes from a ``DistributedSampler`` (one replica when not distributed)
    seeded with the run's seed and the epoch number, and each augmentation seed from
    (seed, epoch, index). So step ``s`` always sees the same images and crops, whether the run
    got there in one go or was resumed from a checkpoint; under DDP each rank sees its own share.
    """

    def __init__(
        self,
        dataset_len: int,
        batch_size: int,
        seed: int,
        start_step: int = 0,
        num_replicas: int = 1,
        rank: int = 0,
        total_steps: int | None = None,
    ):
        # The sampler only ever asks the "dataset" for its length: a range of indices is enough.
        indices = cast("torch.utils.data.Dataset[int]", range(dataset_len))
        self.sampler: torch.utils.data.DistributedSampler = torch.utils.data.DistributedSampler(
            indices, num_replicas=num_replicas, rank=rank, shuffle=True, seed=seed, drop_last=False
        )
        per_rank = len(self.sampler)
        if per_rank < batch_size:
            batch_size = per_rank  # a tiny set: one smaller batch per step rather than none
        self.batch_size = batch_size
        self.batches_per_epoch = per_rank // batch_size
        self.seed, self.start_step, self.total_steps = seed, start_step, total_steps

    def __len__(self) -> int:
        return max(0, (self.total_steps or 0) - self.start_step)

    def __iter__(self):
        step = self.start_step
        while self.total_steps is None or step < self.total_steps:
            epoch, position = divmod(step, self.batches_per_epoch)
            self.sampler.set_epoch(epoch)
            order = list(self.sampler)
            for b in range(position, self.batches_per_epoch):
                if self.total_steps is not None and step >= self.total_steps:
                    return
                chunk = order[b * self.batch_size : (b + 1) * self.batch_size]
                yield [(i, _aug_seed(self.seed, epoch, i)) for i in chunk]
                step += 1


def _aug_seed(seed: int, epoch: int, index: int) -> int:
    return int(np.random.SeedSequence([seed, epoch, index]).generate_state(1)[0])


def classes_in(data_dir: str | Path, split: str = "train") -> list[int]:
    """The ADE20K values that occur in a folder's label maps, with 0 (other) first: a compact class list."""
    return _classes_of(find_samples(data_dir, split), data_dir)


def _classes_of(samples: list[Sample], data_dir: str | Path) -> list[int]:
    values = {0}
    for s in samples:
        values |= set(np.unique(_read_labels(s.label)).tolist())
    bad = sorted(v for v in values if v > NUM_ADE20K_CLASSES)
    if bad:
        raise DatasetError(f"{data_dir}: label values {bad} are not ADE20K classes")
    return sorted(values)


def classes_in_every_split(data_dir: str | Path) -> tuple[list[int], list[int]]:
    """The classes of the training and validation pictures together, and those only validation has.

    A class missing from the model's list reaches it as "other" without a word; one that only the
    validation pictures hold gets a channel that training never fills, which the caller should say.
    Each label map is read once: a folder without separate splits gives its pictures to both.
    """
    training = find_samples(data_dir, "train")
    try:
        validation = find_samples(data_dir, "val")
    except DatasetError:  # no validation split (a set kept whole)
        validation = []
    trained = _classes_of(training, data_dir)
    seen = set(training)
    only_validation = [s for s in validation if s not in seen]
    validated = _classes_of(only_validation, data_dir) if only_validation else []
    return sorted(set(trained) | set(validated)), sorted(set(validated) - set(trained))
