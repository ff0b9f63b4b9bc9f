"""COCO -> a SPADE training folder::

      OUT/images/STEM.png|jpg     the photo, upright (EXIF orientation applied)
      OUT/labels/STEM.png         uint8, raw ADE20K value per pixel (0 = other)
      OUT/instances/STEM.png      uint16, 0 = none, 1..n = the image's objects in annotation order
      OUT/dataset.json            {"classes": [{"name", "value", "pixels", "instances"}, ...],
                                   "splits": {"train": [STEM, ...], "val": [...]}, "counts": {...}}

The folder is built beside its destination and renamed into place when complete
(``fileio.atomic_folder``): an interrupted run leaves nothing, or the earlier folder untouched.
An earlier SPADE folder is replaced whole, so no sample of a previous run lingers; a folder that
holds anything else is never touched.

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
from ..fileio import OutputError, atomic_folder, check_output_folder, write_bytes, write_json, write_png
from ..labelme.image import as_rgb8, exif_orientation
from .categories import IGNORE_CATEGORY_ID
from .masks import annotation_mask
from .read import CocoError, CocoImage, check_coco, load_coco, raise_if_problems
from .split import split_images

SPADE_IMAGE_SUFFIXES = {".png": ".png", ".jpg": ".jpg", ".jpeg": ".jpg"}
SPADE_ENTRIES = {"images", "labels", "instances", "dataset.json"}


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
    overwrite: bool = True,
) -> Path:
    """Write the SPADE folder (layout in the module docstring); return the path of ``dataset.json``.

    The split comes from the images' ``"split"`` fields when every image has one, else it is
    drawn with ``seed`` (``val_fraction`` of the images for validation). ``overwrite``: replace
    an earlier SPADE folder at ``out_dir`` whole (a notebook run twice); without it, refuse.
    """
    from tqdm.auto import tqdm

    out_dir = check_spade_destination(out_dir, overwrite)
    coco, name = load_coco(coco)
    images, problems = check_coco(coco, images_dir, name)
    if not problems:
        values, problems = category_values(coco, name)
    raise_if_problems(problems)
    if not images:
        raise CocoError([f"{name}: no images"])
    split_of = _splits(coco, images, val_fraction, seed)
    pixels = {c["id"]: 0 for c in coco["categories"]}
    instances = {c["id"]: 0 for c in coco["categories"]}
    other_pixels = 0
    with atomic_folder(out_dir, replace=True) as build:
        for image in tqdm(images, desc="COCO -> SPADE", disable=not progress):
            other_pixels += _write_sample(image, values, build, pixels, instances)
        dataset = _summary(coco, images, values, pixels, instances, other_pixels, split_of)
        write_json(build / "dataset.json", dataset)
    return out_dir / "dataset.json"


def check_spade_destination(out_dir: str | os.PathLike, overwrite: bool) -> Path:
    """Refuse, before any work, a destination that is not ours to replace (or not writable)."""
    out_dir = Path(out_dir)
    if not out_dir.is_dir() or not any(out_dir.iterdir()):
        return check_output_folder(out_dir)
    entries = {p.name for p in out_dir.iterdir()}
    if not (out_dir / "dataset.json").is_file() or not entries <= SPADE_ENTRIES:
        raise OutputError(
            f"{out_dir}: not empty and not a SPADE folder (it holds {', '.join(sorted(entries)[:3])}"
            f"{', ...' if len(entries) > 3 else ''}); choose a new or empty folder"
        )
    if not overwrite:
        raise OutputError(
            f"{out_dir}: already holds a SPADE folder; pass --overwrite (overwrite=True) to replace it whole"
        )
    return check_output_folder(out_dir)


def _write_sample(image: CocoImage, values, build: Path, pixels: dict, instances: dict) -> int:
    """Write one sample's photo, label map and instance map; count its pixels and objects; return its "other" pixels."""
    label_map, instance_map, owners = _paint(image, values)
    for category_id, total in zip(owners, _pixels_per_value(instance_map, len(owners) + 1)[1:].tolist()):
        pixels[category_id] += total
        instances[category_id] += 1
    stem = image.path.stem
    _write_spade_image(image.path, build / "images", stem)
    write_png(build / "labels" / f"{stem}.png", label_map)
    write_png(build / "instances" / f"{stem}.png", instance_map)
    return int(_pixels_per_value(label_map, 1)[0])


def _summary(coco, images, values, pixels, instances, other_pixels, split_of) -> dict[str, Any]:
    """What ``dataset.json`` says: classes with their counts, the split, totals and the layout."""
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
    return dataset


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
        if suffix is not None and orientation == 1 and fmt in ("PNG", "JPEG") and image.mode in ("RGB", "L"):
            return write_bytes(folder / f"{stem}{suffix}", source.read_bytes())
        pixels = np.asarray(as_rgb8(ImageOps.exif_transpose(image), str(source)))
    return write_png(folder / f"{stem}.png", pixels)
