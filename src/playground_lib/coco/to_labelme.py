"""COCO -> labelme, so a COCO set can be opened and edited in labelme.

Polygons become labelme polygons that labelme fills to the same pixels; RLE becomes ``mask``
shapes. COCO -> labelme -> COCO gives the same annotations (up to ids).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .. import outlines
from ..fileio import OutputError, atomic_folder, check_output_folder, write_bytes
from ..labelme.format import IGNORE_LABEL, LabelmeShape, mask_shape
from ..labelme.rasterize import shape_to_mask
from ..labelme.write import save_labelme
from .categories import IGNORE_CATEGORY_ID
from .masks import annotation_mask
from .read import check_coco, load_coco, raise_if_problems


def coco_to_labelme(
    coco, images_dir: str | os.PathLike, out_dir: str | os.PathLike, progress: bool = True, overwrite: bool = False
) -> list[Path]:
    """Write one labelme file per COCO image into ``out_dir``, with a copy of the image beside it.

    Checks the whole set first and raises :class:`.read.CocoError` (every problem) before writing.
    A folder that already holds files is someone's work: refused (``OutputError``) unless
    ``overwrite``, which writes into it, replacing files of the same names. All files are made in a
    folder beside ``out_dir`` first, so an interrupted run changes nothing.
    """
    check_labelme_destination(out_dir, overwrite)
    coco, name = load_coco(coco)
    images, problems = check_coco(coco, images_dir, name)
    raise_if_problems(problems)
    out_dir = Path(out_dir)
    with atomic_folder(out_dir, merge=True) as build:
        names = _write_labelme_files(coco, images, build, progress)
    return [out_dir / name for name in names]


def check_labelme_destination(out_dir: str | os.PathLike, overwrite: bool) -> Path:
    """Refuse, before any work, a folder that holds files (unless ``overwrite``) or cannot be written."""
    out_dir = check_output_folder(out_dir)
    entries = sorted(p.name for p in out_dir.iterdir()) if out_dir.is_dir() else []
    if entries and not overwrite:
        raise OutputError(
            f"{out_dir}: already holds files ({', '.join(entries[:3])}{', ...' if len(entries) > 3 else ''}); "
            "pass --overwrite (overwrite=True) to write into it, replacing files of the same names"
        )
    return out_dir


def _write_labelme_files(coco: dict, images, out_dir: Path, progress: bool) -> list[str]:
    from tqdm.auto import tqdm

    categories = {c["id"]: c["name"] for c in coco["categories"]}
    written = []
    for image in tqdm(images, desc="COCO -> labelme", disable=not progress):
        height, width = image.entry["height"], image.entry["width"]
        shapes: list[LabelmeShape] = []
        next_group = 1
        for annotation in image.annotations:
            crowd = annotation.get("category_id") == IGNORE_CATEGORY_ID or annotation.get("ignore")
            label = IGNORE_LABEL if crowd else categories[annotation["category_id"]]
            made, next_group = _labelme_shapes(annotation, label, height, width, next_group)
            shapes.extend(made)
        write_bytes(out_dir / image.path.name, image.path.read_bytes())
        flags = dict(image.entry.get("flags", {}))
        target = out_dir / f"{image.path.stem}.json"
        written.append(save_labelme(target, image.path.name, (height, width), shapes, flags).name)
    return written


def _labelme_shapes(annotation, label, height, width, next_group) -> tuple[list[LabelmeShape], int]:
    mask = annotation_mask(annotation, height, width)
    if not mask.any():
        return [], next_group
    description = annotation.get("description", "")
    flags = dict(annotation.get("flags", {}))
    if isinstance(annotation["segmentation"], list):
        point_lists = outlines.labelme_polygons(mask)
        if point_lists is not None:
            shapes = [
                LabelmeShape(
                    label=label,
                    points=points,
                    shape_type="polygon" if len(points) > 2 else "rectangle",
                    description=description,
                    flags=dict(flags),
                )
                for points in point_lists
            ]
            union = np.zeros_like(mask)
            for shape in shapes:
                union |= shape_to_mask((height, width), shape.points, shape.shape_type)
            if np.array_equal(union, mask):
                if len(shapes) > 1:
                    for shape in shapes:
                        shape.group_id = next_group
                    next_group += 1
                return shapes, next_group
    return [mask_shape(label, mask, description=description, flags=flags)], next_group
