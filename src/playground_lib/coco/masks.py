"""COCO segmentations from masks and back: polygons when they are exact, RLE otherwise.

pycocotools fills a polygon by its own pixel convention, so a polygon traced around a mask is
kept only when pycocotools draws it back to exactly that mask; objects it cannot express (holes,
labelme ``mask`` shapes) are stored as RLE. ``area`` and ``bbox`` come from ``pycocotools.mask``.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from pycocotools import mask as mask_utils

from .. import outlines

POLYGON_MARGIN = 1.0  # polygon points may lie this many image widths/heights beyond the edges (tools round outward)


def rle_counts(counts: str) -> list[int]:
    """The run lengths of a compressed COCO RLE string; ValueError when it is not one.

    The format (from the COCO API's ``maskApi``): each count is written in 5-bit groups, low
    bits first, one character ``chr(48 + group)`` per group with bit 0x20 set while more
    follow and bit 0x10 of the last group the sign; from the third count on, the value is
    the difference to the count two places before. Decoded here in Python so that a broken
    string is a message, not undefined behaviour in C.
    """
    values: list[int] = []
    position = 0
    while position < len(counts):
        value = shift = 0
        more = True
        while more:
            if position >= len(counts):
                raise ValueError("it ends in the middle of a number")
            code = ord(counts[position]) - 48
            if not 0 <= code < 64:
                raise ValueError(f"character {counts[position]!r} at {position} is not part of the alphabet")
            value |= (code & 0x1F) << shift
            more = bool(code & 0x20)
            position += 1
            shift += 5
            if not more and code & 0x10:
                value |= -1 << shift
        if len(values) > 2:
            value += values[-2]
        values.append(value)
    return values


def segmentation_problem(segmentation: Any, height: int, width: int) -> str | None:
    """What is wrong with a COCO segmentation for a ``height`` x ``width`` image, or None.

    Everything pycocotools would crash on, loop on or misread: polygons whose numbers are not
    finite or lie far outside the image (pycocotools walks every pixel of the way there), and
    RLEs whose counts are garbage or do not add up to the image.
    """
    if isinstance(segmentation, list):
        return _polygons_problem(segmentation, height, width)
    if isinstance(segmentation, dict):
        return _rle_problem(segmentation, height, width)
    return f"segmentation must be a list of polygons or an RLE object, got {type(segmentation).__name__}"


def _polygons_problem(polygons: list, height: int, width: int) -> str | None:
    longest = height * width + 16 * (height + width)  # an outline of pixels is never longer
    for number, polygon in enumerate(polygons, start=1):
        if not isinstance(polygon, list) or not all(_is_number(v) for v in polygon):
            return f"polygon {number} must be a list of numbers x1, y1, x2, y2, ..."
        if len(polygon) % 2:
            return f"polygon {number} has an odd count of numbers ({len(polygon)}); it needs x, y pairs"
        if len(polygon) < 6:
            return f"polygon {number} has {len(polygon) // 2} points; a polygon needs at least 3 (6 numbers)"
        try:
            points = np.asarray(polygon, dtype=np.float64).reshape(-1, 2)
        except OverflowError:  # a whole number of hundreds of digits
            return f"polygon {number} holds a number too large for a coordinate"
        finite = np.isfinite(points).all(axis=1)
        near = (
            np.abs(points - np.array([width, height]) / 2) <= (0.5 + POLYGON_MARGIN) * np.array([width, height])
        ).all(axis=1)
        for what, good in (("is not a finite number", finite), (f"lies far outside the {width}x{height} image", near)):
            if not good.all():
                index = int(np.argmin(good))
                x, y = polygon[2 * index], polygon[2 * index + 1]
                return f"polygon {number}, point {index + 1} ({x:g}, {y:g}) {what}"
        steps = np.abs(np.diff(points, axis=0, append=points[:1])).max(axis=1).sum()
        if steps > longest:
            return (
                f"polygon {number} is {steps:.0f} pixels long, more than an outline in a {width}x{height} image can be"
            )
    return None


def _rle_problem(rle: dict, height: int, width: int) -> str | None:
    size, counts = rle.get("size"), rle.get("counts")
    if not (isinstance(size, list) and len(size) == 2 and all(_is_whole(v) for v in size)):
        return f"the RLE needs a size [height, width], got {size!r}"
    if size != [height, width]:
        return f"the RLE is {size[1]}x{size[0]} (width x height) but its image is {width}x{height}"
    if isinstance(counts, str):
        try:
            runs = rle_counts(counts)
        except ValueError as exc:
            return f"RLE counts are not compressed COCO RLE ({exc})"
    elif isinstance(counts, list) and all(_is_whole(v) for v in counts):
        runs = counts
    else:
        return "RLE counts must be a compressed string or a list of whole numbers"
    if any(run < 0 for run in runs):
        return "the RLE counts hold a negative run length"
    if sum(runs) != height * width:
        return f"the RLE counts cover {sum(runs)} pixels, its {width}x{height} image has {height * width}"
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


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
    """The annotation's mask, HxW bool (a view of pycocotools' 0/1 bytes: no second copy of a large image)."""
    return _decode(annotation_rle(annotation, height, width)).view(bool)


def _decode(rle: dict) -> np.ndarray:
    """``pycocotools.mask.decode``, with a Ctrl-C during it delivered when it returns (microseconds later).

    pycocotools' ``__array__`` takes no ``copy`` argument, so numpy 2 calls it twice and warns in
    between; a KeyboardInterrupt raised in there comes out as a TypeError about ``copy`` (a traceback
    and exit 1 instead of "interrupted": 10 of 40 Ctrl-Cs sent to a loop of decodes). Blocking the
    signal with ``pthread_sigmask`` still let 8 of 60 through (the process's other threads take it),
    so the handler itself waits instead; ``tests/test_coco.py`` sends 24 and wants 24 interrupts.
    """
    with _interrupts_deferred():
        return mask_utils.decode(rle)


@contextlib.contextmanager
def _interrupts_deferred():
    """Hold SIGINT while the body runs, then hand it to the handler that was there before."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGINT) is None:
        yield  # only the main thread may set handlers; None: one set outside Python, which we could not restore
        return
    caught: list = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(frame))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if caught:
            if callable(previous):
                previous(signal.SIGINT, caught[0])  # Python's default handler raises KeyboardInterrupt
            elif previous == signal.SIG_DFL:
                signal.raise_signal(signal.SIGINT)


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
    results: list[tuple[list | dict, dict]] = []
    for item in objects:
        local: list | None = next(traced) if item.prefer_polygons else None
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
