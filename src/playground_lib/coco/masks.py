"""COCO segmentations from masks and back: polygons when they are exact, RLE otherwise.

pycocotools fills a polygon by its own pixel convention, so a polygon traced around a mask is
kept only when pycocotools draws it back to exactly that mask; objects it cannot express (holes,
labelme ``mask`` shapes) are stored as RLE. ``area`` and ``bbox`` come from ``pycocotools.mask``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from pycocotools import mask as mask_utils

from .. import outlines


def annotation_rle(annotation: Mapping[str, Any], height: int, width: int) -> dict:
    """The annotation's mask as compressed RLE (what ``COCO.annToRLE`` does, without a COCO object)."""
    segmentation = annotation["segmentation"]
    if isinstance(segmentation, list):
        return mask_utils.merge(mask_utils.frPyObjects(segmentation, height, width))
    if isinstance(segmentation.get("counts"), list):
        return mask_utils.frPyObjects(segmentation, height, width)
    return {"size": segmentation["size"], "counts": _as_bytes(segmentation["counts"])}


def _as_bytes(counts) -> bytes:
    return counts.encode("ascii") if isinstance(counts, str) else counts


def annotation_mask(annotation: Mapping[str, Any], height: int, width: int) -> np.ndarray:
    return mask_utils.decode(annotation_rle(annotation, height, width)).astype(bool)


class ShiftedRle(dict):
    """The RLE of an annotation drawn inside its box, with the box's offset, for area and bbox."""

    def __init__(self, rle: dict, left: int, top: int):
        super().__init__(rle)
        self.left, self.top = left, top


def area_and_box(rle: dict) -> tuple[float, list[float]]:
    """COCO ``area`` and ``bbox`` from pycocotools (shifted back when the RLE covers a box only)."""
    x, y, w, h = (float(v) for v in mask_utils.toBbox(dict(rle)))
    if isinstance(rle, ShiftedRle):
        x, y = x + rle.left, y + rle.top
    return float(mask_utils.area(dict(rle))), [x, y, w, h]


def _encode(mask: np.ndarray) -> dict:
    return mask_utils.encode(np.asfortranarray(mask, dtype=np.uint8))


@dataclass
class DrawnObject:
    """One object's pixels: ``crop`` of the image at (top, left) holds all of them."""

    crop: np.ndarray
    top: int
    left: int
    mask: np.ndarray  # from the image's top-left corner, as far as the object reaches
    image_size: tuple[int, int]
    prefer_polygons: bool


def cut_out(
    mask: np.ndarray, prefer_polygons: bool, box: tuple[int, int, int, int] | None, image_size: tuple[int, int] | None
) -> DrawnObject | None:
    """Cut the object out (checking by count that ``box`` holds every pixel); None when empty."""
    total = np.count_nonzero(mask)
    if not total:
        return None
    if box is not None:
        top, left, bottom, right = box
        crop = mask[top:bottom, left:right]
        if np.count_nonzero(crop) == total:
            return DrawnObject(crop, top, left, mask, image_size or mask.shape, prefer_polygons)
    return DrawnObject(mask, 0, 0, mask, image_size or mask.shape, prefer_polygons)


def segmentations(objects: Sequence[DrawnObject]) -> list[tuple[list | dict, dict]]:
    """(segmentation, RLE) of each object: polygons traced all at once, each checked, else RLE."""
    traced = iter(outlines.coco_polygons_many([o.crop for o in objects if o.prefer_polygons]))
    results = []
    for item in objects:
        local = next(traced) if item.prefer_polygons else None
        if local is not None:
            drawn = mask_utils.merge(mask_utils.frPyObjects(local, item.crop.shape[0], item.crop.shape[1]))
            if drawn["counts"] == _encode(item.crop)["counts"]:
                if (item.left, item.top) != (0, 0):
                    local = [(np.asarray(p).reshape(-1, 2) + (item.left, item.top)).ravel().tolist() for p in local]
                results.append((local, ShiftedRle(drawn, item.left, item.top)))
                continue
        full = np.zeros(item.image_size, dtype=bool)
        full[: item.mask.shape[0], : item.mask.shape[1]] = item.mask
        exact = _encode(full)
        results.append(({"size": [int(v) for v in exact["size"]], "counts": exact["counts"].decode("ascii")}, exact))
    return results


def segmentation_for(
    mask: np.ndarray,
    prefer_polygons: bool = True,
    box: tuple[int, int, int, int] | None = None,
    image_size: tuple[int, int] | None = None,
) -> tuple[list | dict | None, dict | None]:
    """(COCO segmentation, its RLE): traced polygons when they rasterize back exactly, else RLE.

    ``mask`` covers the image from its top-left corner: all of it, or (with ``image_size``) the
    part that holds the object. ``box`` (top, left, bottom, right): where the pixels are, if the
    caller knows; it is checked by counting pixels, and work happens inside it only. The polygons
    are checked against the mask inside the box (moving whole-pixel corners is exact), so every
    annotation is checked at little cost. (None, None) for an empty mask.
    """
    drawn = cut_out(mask, prefer_polygons, box, image_size)
    if drawn is None:
        return None, None
    return segmentations([drawn])[0]
