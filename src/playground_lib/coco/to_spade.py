"""COCO -> a SPADE training folder::

      OUT/images/STEM.png|jpg     the photo, upright (EXIF orientation applied)
      OUT/labels/STEM.png         uint8, raw ADE20K value per pixel (0 = other)
      OUT/instances/STEM.png      uint16, 0 = none, 1..n = the image's objects in annotation order
      OUT/dataset.json            {"classes": [{"name", "value", "pixels", "instances"}, ...],
                                   "splits": {"train": [STEM, ...], "val": [...]}, "counts": {...}}

One flat folder per kind, the same STEM for the three files of a sample, and the train/val
split as lists in ``dataset.json`` (no ``train/`` and ``val/`` subfolders: moving a sample
between splits never moves files). Later annotations paint over earlier ones, as labelme does.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageOps

from .. import labels as schema
from ..fileio import write_bytes, write_json, write_png
from ..labelme.image import exif_orientation
from .categories import IGNORE_CATEGORY_ID
from .masks import annotation_mask
from .read import CocoError, CocoImage, check_coco, load_coco, raise_if_problems
from .split import split_images

SPADE_IMAGE_SUFFIXES = {".png": ".png", ".jpg": ".jpg", ".jpeg": ".jpg"}


def category_values(coco: Mapping[str, Any], name: str = "COCO") -> tuple[dict[int, int], list[str]]:
    """category id -> ADE20K value (from ``ade20k_value`` or the name), and the problems."""
    values: dict[int, int] = {}
    problems = []
    for category in coco["categories"]:
        value = category.get("ade20k_value")
        if value is None:
            try:
                value = schema.ade20k_value(str(category.get("name")))
            except KeyError:
                problems.append(
                    f"{name}: category {category.get('id')} ({category.get('name')}): no ADE20K value; "
                    'name it after an ADE20K class or alias, or add "ade20k_value"'
                )
                continue
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= schema.NUM_ADE20K_CLASSES:
            problems.append(
                f"{name}: category {category.get('id')} ({category.get('name')}): ade20k_value {value!r} "
                f"is not in 0..{schema.NUM_ADE20K_CLASSES}"
            )
            continue
        values[category["id"]] = value
    return values, problems


def coco_to_spade(
    coco,
    images_dir: str | os.PathLike,
    out_dir: str | os.PathLike,
    val_fraction: float = 0.2,
    seed: int = 0,
    progress: bool = True,
) -> Path:
    """Write the SPADE folder (layout in the module docstring); return the path of ``dataset.json``.

    The split comes from the images' ``"split"`` fields when every image has one, else it is
    drawn with ``seed`` (``val_fraction`` of the images for validation).
    """
    from tqdm.auto import tqdm

    coco, name = load_coco(coco)
    images, problems = check_coco(coco, images_dir, name)
    if not problems:
        values, problems = category_values(coco, name)
    raise_if_problems(problems)
    if not images:
        raise CocoError([f"{name}: no images"])
    out_dir = Path(out_dir)
    split_of = _splits(coco, images, val_fraction, seed)
    pixels = {c["id"]: 0 for c in coco["categories"]}
    instances = {c["id"]: 0 for c in coco["categories"]}
    other_pixels = 0
    for image in tqdm(images, desc="COCO -> SPADE", disable=not progress):
        label_map, instance_map, owners = _paint(image, values)
        for category_id, total in zip(owners, _pixels_per_value(instance_map, len(owners) + 1)[1:].tolist()):
            pixels[category_id] += total
            instances[category_id] += 1
        other_pixels += int(_pixels_per_value(label_map, 1)[0])
        stem = image.path.stem
        _write_spade_image(image.path, out_dir / "images", stem)
        write_png(out_dir / "labels" / f"{stem}.png", label_map)
        write_png(out_dir / "instances" / f"{stem}.png", instance_map)
    classes = [
        {"name": c["name"], "value": values[c["id"]], "pixels": pixels[c["id"]], "instances": instances[c["id"]]}
        for c in coco["categories"]
    ]
    splits = {
        "train": sorted(s for s, v in split_of.items() if v == "train"),
        "val": sorted(s for s, v in split_of.items() if v == "val"),
    }
    dataset = {
        "classes": classes,
        "splits": splits,
        "counts": {
            "images": len(images),
            "train": len(splits["train"]),
            "val": len(splits["val"]),
            "instances": sum(instances.values()),
            "other_pixels": other_pixels,
            "pixels": sum(i.entry["height"] * i.entry["width"] for i in images),
        },
        "layout": "images/STEM.png|jpg, labels/STEM.png (uint8 ADE20K values, 0 = other), "
        "instances/STEM.png (uint16, 0 = none)",
    }
    return write_json(out_dir / "dataset.json", dataset)


def _paint(image: CocoImage, values: Mapping[int, int]) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """(label map, instance map, category id of each instance 1..n); later annotations on top.

    Two maps of the image's size and one mask at a time: memory follows the largest image.
    """
    height, width = image.entry["height"], image.entry["width"]
    label_map = np.zeros((height, width), dtype=np.uint8)
    instance_map = np.zeros((height, width), dtype=np.uint16)
    owners: list[int] = []
    for annotation in image.annotations:
        mask = annotation_mask(annotation, height, width)
        if annotation.get("category_id") == IGNORE_CATEGORY_ID or annotation.get("ignore"):
            label_map[mask], instance_map[mask] = 0, 0
            continue
        owners.append(annotation["category_id"])
        label_map[mask] = values[annotation["category_id"]]
        instance_map[mask] = len(owners)
    return label_map, instance_map, owners


def _pixels_per_value(array: np.ndarray, length: int) -> np.ndarray:
    """How many pixels hold each value 0..length-1 (and beyond), counted in strips to spare memory."""
    totals = np.zeros(length, dtype=np.int64)
    rows = max(1, 2**20 // max(array.shape[1], 1))
    for top in range(0, array.shape[0], rows):
        counted = np.bincount(array[top : top + rows].ravel(), minlength=length)
        totals[: min(length, len(counted))] += counted[:length]
    return totals


def _splits(coco, images: list[CocoImage], val_fraction: float, seed: int) -> dict[str, str]:
    if all(image.entry.get("split") in ("train", "val") for image in images):
        return {image.path.stem: image.entry["split"] for image in images}
    marked = {"images": [{"id": image.entry["id"]} for image in images]}
    split_images(marked, 1 - val_fraction, seed)
    by_id = {e["id"]: e["split"] for e in marked["images"]}
    return {image.path.stem: by_id[image.entry["id"]] for image in images}


def _write_spade_image(source: Path, folder: Path, stem: str) -> Path:
    """Copy the photo as it is when that is already upright PNG/JPEG; else save it upright as PNG."""
    suffix = SPADE_IMAGE_SUFFIXES.get(source.suffix.lower())
    with Image.open(source) as image:
        orientation = exif_orientation(image)
        fmt = image.format
        if suffix is not None and orientation == 1 and fmt in ("PNG", "JPEG"):
            target = folder / f"{stem}{suffix}"
            _remove_other_variants(folder, stem, target)
            return write_bytes(target, source.read_bytes())
        pixels = np.asarray(ImageOps.exif_transpose(image).convert("RGB"))
    target = folder / f"{stem}.png"
    _remove_other_variants(folder, stem, target)
    return write_png(target, pixels)


def _remove_other_variants(folder: Path, stem: str, keep: Path) -> None:
    """A rerun that changes a photo's format must not leave the old file beside the new one."""
    for suffix in (".png", ".jpg"):
        old = folder / f"{stem}{suffix}"
        if old != keep and old.exists():
            old.unlink()
