"""COCO -> labelme, so a COCO set can be opened and edited in labelme.

Polygons become labelme polygons that labelme fills to the same pixels; RLE becomes ``mask``
shapes. COCO -> labelme -> COCO gives the same annotations (up to ids).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .. import outlines
from ..fileio import write_bytes
from ..labelme.format import IGNORE_LABEL, LabelmeShape, mask_shape
from ..labelme.rasterize import shape_to_mask
from ..labelme.write import save_labelme
from .categories import IGNORE_CATEGORY_ID
from .masks import annotation_mask
from .read import check_coco, load_coco, raise_if_problems


def coco_to_labelme(
    coco, images_dir: str | os.PathLike, out_dir: str | os.PathLike, progress: bool = True
) -> list[Path]:
    """Write one labelme file per COCO image into ``out_dir``, with a copy of the image beside it.

    Checks the whole set first and raises :class:`.read.CocoError` (every problem) before writing.
    """
    from tqdm.auto import tqdm

    coco, name = load_coco(coco)
    images, problems = check_coco(coco, images_dir, name)
    raise_if_problems(problems)
    categories = {c["id"]: c["name"] for c in coco["categories"]}
    out_dir = Path(out_dir)
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
        target_image = out_dir / image.path.name
        if target_image.resolve() != image.path.resolve():
            write_bytes(target_image, image.path.read_bytes())
        flags = dict(image.entry.get("flags", {}))
        target = out_dir / f"{image.path.stem}.json"
        written.append(save_labelme(target, image.path.name, (height, width), shapes, flags))
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
