"""Train/val split of a COCO set: seeded, marked on each image, and one split as a COCO set of its own."""

from __future__ import annotations

from typing import Any

import numpy as np


def split_images(coco: dict[str, Any], train_fraction: float, seed: int = 0) -> dict[str, list[int]]:
    """Mark each image ``"split": "train"|"val"`` at random (seeded); return the id lists.

    With two or more images and 0 < fraction < 1, both parts get at least one image.
    """
    if not 0 < train_fraction <= 1:
        raise ValueError(f"the train fraction must lie in (0, 1], got {train_fraction}")
    ids = sorted(image["id"] for image in coco["images"])
    order = np.random.default_rng(seed).permutation(len(ids))
    n_train = int(round(train_fraction * len(ids)))
    if len(ids) >= 2 and train_fraction < 1:
        n_train = min(max(n_train, 1), len(ids) - 1)
    train = {ids[i] for i in order[:n_train]}
    for image in coco["images"]:
        image["split"] = "train" if image["id"] in train else "val"
    return {"train": sorted(train), "val": sorted(set(ids) - train)}


def subset(coco: dict[str, Any], split: str) -> dict[str, Any]:
    """The images (and their annotations) of one split, as a COCO dict of its own."""
    images = [image for image in coco["images"] if image.get("split") == split]
    keep = {image["id"] for image in images}
    return {**coco, "images": images, "annotations": [a for a in coco["annotations"] if a["image_id"] in keep]}
