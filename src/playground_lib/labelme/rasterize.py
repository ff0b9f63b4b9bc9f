"""How labelme turns shapes into pixels, and the one place that knows where labelme keeps that code.

labelme's own ``shape_to_mask``/``shapes_to_label`` are the reference for how a polygon becomes
pixels. PyPI serves labelme 6.x to Python 3.11, where they are public in ``labelme.utils``
with positional arguments, and 7.x to Python 3.12+, where they moved to the private
``labelme._utils`` with keyword-only arguments. Everything else in the library calls the two
functions below and never imports labelme directly.

Where labelme is not installed at all (a fresh Colab runtime before the first cell, a slim
environment), a drawing routine that follows the same PIL calls is used instead; the test
suite checks it pixel for pixel against labelme's.
"""

from __future__ import annotations

import math
import sys
import uuid
from collections.abc import Sequence
from functools import lru_cache
from types import ModuleType
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

LINE_WIDTH = 10  # labelme's default width for line/linestrip masks
POINT_RADIUS = 5  # labelme draws a point as a disc of this radius


@lru_cache(maxsize=1)
def labelme_utils() -> tuple[ModuleType | None, int]:
    """(module holding the rasterizer, labelme major version), or (None, 0) without labelme."""
    try:
        import labelme
    except ImportError:
        return None, 0
    major = int(str(getattr(labelme, "__version__", "0")).split(".")[0] or 0)
    for name in ("labelme.utils", "labelme._utils"):
        try:
            module = __import__(name, fromlist=["shape_to_mask"])
        except ImportError:
            continue
        if hasattr(module, "shape_to_mask"):
            return module, major
    return None, major


def load_with_labelme(path) -> dict[str, Any]:
    """Open a labelme JSON with labelme's *own* loader: {"image_path", "shapes", "flags"}.

    It is how we check that what we write is what labelme reads. labelme 6.x has the public
    ``LabelFile`` class; 7.x replaced it with the private ``read_label_file`` function.
    Raises RuntimeError where labelme is not installed.
    """
    try:
        from labelme._label_file import read_label_file  # labelme >= 7
    except ImportError:
        read_label_file = None
    if read_label_file is not None:
        loaded = read_label_file(filename=str(path))
        return {"image_path": loaded.image_path, "shapes": loaded.shapes, "flags": loaded.flags}
    try:
        from labelme import LabelFile  # labelme 3.x - 6.x
    except ImportError as exc:
        raise RuntimeError("labelme is not installed: pip install labelme") from exc
    loaded = LabelFile(str(path))
    image_path = getattr(loaded, "image_path", None) or loaded.imagePath
    return {"image_path": image_path, "shapes": loaded.shapes, "flags": loaded.flags}


def labelme_version() -> str | None:
    try:
        import labelme
    except ImportError:
        return None
    return str(getattr(labelme, "__version__", "unknown"))


def shape_to_mask(
    img_shape: Sequence[int], points: Sequence[Sequence[float]], shape_type: str | None = None
) -> np.ndarray:
    """Boolean mask of one shape, drawn exactly as labelme draws it."""
    module, major = labelme_utils()
    pts = [[float(x), float(y)] for x, y in points]
    if module is None:
        return _draw_like_labelme((int(img_shape[0]), int(img_shape[1])), pts, shape_type)
    if major >= 7:
        return module.shape_to_mask(tuple(img_shape[:2]), pts, shape_type=shape_type)
    return module.shape_to_mask(tuple(img_shape[:2]), pts, shape_type)


def shapes_to_label(
    img_shape: Sequence[int], shapes: list[dict[str, Any]], label_name_to_value: dict[str, int]
) -> tuple[np.ndarray, np.ndarray]:
    """(class map, instance map) of labelme shapes, painted in order as labelme paints them.

    ``mask`` shapes must carry their mask as a boolean numpy array under ``"mask"`` (labelme's
    loader decodes the base64 PNG into one).
    """
    module, major = labelme_utils()
    if module is None:
        return _shapes_to_label_like_labelme(tuple(img_shape[:2]), shapes, label_name_to_value)
    if major >= 7:
        return module.shapes_to_label(
            img_shape=tuple(img_shape[:2]), shapes=shapes, label_name_to_value=label_name_to_value
        )
    return module.shapes_to_label(tuple(img_shape[:2]), shapes, label_name_to_value)


def place_mask_patch(img_shape: Sequence[int], points: Sequence[Sequence[float]], patch: np.ndarray) -> np.ndarray:
    """A mask shape's patch on a full-size canvas (checked shapes: whole-pixel corners inside the image).

    Every labelme version from 5.x to 7.x places such a patch at the same pixels.
    """
    mask = np.zeros(tuple(img_shape[:2]), dtype=bool)
    (x1, y1), _ = np.asarray(points).astype(int)
    part = mask[y1 : y1 + patch.shape[0], x1 : x1 + patch.shape[1]]
    part[...] = patch[: part.shape[0], : part.shape[1]]
    return mask


def _draw_like_labelme(img_shape: tuple[int, int], points: list[list[float]], shape_type: str | None) -> np.ndarray:
    mask = Image.new("L", (img_shape[1], img_shape[0]), 0)
    draw = ImageDraw.Draw(mask)
    xy = [tuple(p) for p in points]
    if shape_type == "circle":
        (cx, cy), (px, py) = xy
        d = math.hypot(cx - px, cy - py)
        draw.ellipse([cx - d, cy - d, cx + d, cy + d], outline=1, fill=1)
    elif shape_type == "rectangle":
        (x0, y0), (x1, y1) = xy
        draw.rectangle([min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)], outline=1, fill=1)
    elif shape_type == "line":
        draw.line(xy=xy, fill=1, width=LINE_WIDTH)
    elif shape_type == "linestrip":
        # labelme 7 (what PyPI serves to Python 3.12+) rounds the joints; 6.x does not.
        draw.line(xy=xy, fill=1, width=LINE_WIDTH, joint="curve" if sys.version_info >= (3, 12) else None)
    elif shape_type == "point":
        ((cx, cy),) = xy
        draw.ellipse([cx - POINT_RADIUS, cy - POINT_RADIUS, cx + POINT_RADIUS, cy + POINT_RADIUS], outline=1, fill=1)
    elif shape_type in (None, "polygon"):
        draw.polygon(xy=xy, outline=1, fill=1)
    else:
        raise ValueError(f"shape_type={shape_type!r} is not supported")
    return np.array(mask, dtype=bool)


def _shapes_to_label_like_labelme(img_shape, shapes, label_name_to_value):
    cls = np.zeros(img_shape, dtype=np.int32)
    ins = np.zeros_like(cls)
    instances: list[tuple[str, Any]] = []
    for shape in shapes:
        group_id = shape.get("group_id")
        instance = (shape["label"], uuid.uuid1() if group_id is None else group_id)
        if instance not in instances:
            instances.append(instance)
        if shape.get("shape_type") == "mask":
            mask = np.zeros(img_shape, dtype=bool)
            (x1, y1), (x2, y2) = np.asarray(shape["points"]).round().astype(int)
            patch = shape["mask"]
            mask[max(y1, 0) : y1 + patch.shape[0], max(x1, 0) : x1 + patch.shape[1]] = patch[
                max(-y1, 0) : img_shape[0] - y1, max(-x1, 0) : img_shape[1] - x1
            ]
        else:
            mask = _draw_like_labelme(img_shape, shape["points"], shape.get("shape_type"))
        cls[mask] = label_name_to_value[shape["label"]]
        ins[mask] = instances.index(instance) + 1
    return cls, ins
