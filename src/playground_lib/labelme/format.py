"""What a labelme annotation file is: its version string, its shape types, its shapes and files.

labelme (https://github.com/wkentaro/labelme) saves one JSON file per image. Its format has grown
over the years (3.x to 7.x): shape types ``polygon``, ``rectangle``, ``circle``, ``line``,
``linestrip``, ``point`` and ``mask`` (a base64 PNG cut to the box given by two points);
``group_id`` joins several shapes into one object; the image is found through ``imagePath``
(relative to the JSON file) and/or embedded as base64 ``imageData``. Old files lack ``flags``,
``description`` or ``group_id``.

Every part of the library that makes or reads labelme shapes (the annotator, the synthetic
scenes, the COCO conversions) uses the types here, so a shape means the same thing everywhere;
:mod:`.check` reads files into them and :mod:`.write` is the one way back to disk.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from . import rasterize
from .image import read_upright_rgb

FORMAT_VERSION = "5.5.0"  # the version string we write: read by labelme 5.x to 7.x alike
IGNORE_LABEL = "__ignore__"  # labelme's labels.txt convention: a region nobody should learn from
BACKGROUND_LABEL = "_background_"  # labelme's labels.txt convention: the class of unlabelled pixels
TOP_LEVEL_KEYS = ("version", "flags", "shapes", "imagePath", "imageData", "imageHeight", "imageWidth")
SHAPE_KEYS = ("label", "points", "group_id", "description", "shape_type", "flags", "mask")

# How many points each shape type needs: (fewest, most); None = no upper bound.
POINT_COUNTS: dict[str, tuple[int, int | None]] = {
    "polygon": (3, None),
    "rectangle": (2, 2),
    "circle": (2, 2),
    "line": (2, 2),
    "linestrip": (2, None),
    "point": (1, 1),
    "mask": (2, 2),
}
SHAPE_TYPES = tuple(POINT_COUNTS)


class LabelmeError(ValueError):
    """A labelme file (or several) has problems; ``problems`` holds one line per problem."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(eq=False)
class LabelmeShape:
    """One labelme shape. ``mask`` is the decoded boolean patch of a ``mask`` shape."""

    label: str
    points: Sequence[Sequence[float]]
    shape_type: str = "polygon"
    group_id: int | None = None
    flags: dict[str, bool] = field(default_factory=dict)
    description: str = ""
    mask: np.ndarray | None = None
    other: dict[str, Any] = field(default_factory=dict)  # keys another tool added: kept as they are
    number: int = 0  # position in the file's shape list, from 1 (0: not read from a file)

    def to_labelme_dict(self) -> dict[str, Any]:
        """The shape as labelme writes it (a mask goes back to base64 PNG)."""
        out: dict[str, Any] = {
            "label": self.label,
            "points": [[float(x), float(y)] for x, y in self.points],
            "group_id": self.group_id,
            "description": self.description,
            "shape_type": self.shape_type,
            "flags": dict(self.flags),
            "mask": None if self.mask is None else mask_to_base64(self.mask),
        }
        out.update(self.other)
        return out

    def to_raster_dict(self) -> dict[str, Any]:
        """The form labelme's ``shapes_to_label`` wants (mask as a numpy array)."""
        return {
            "label": self.label,
            "points": self.points,
            "shape_type": self.shape_type,
            "group_id": self.group_id,
            "mask": self.mask,
        }


@dataclass
class LabelmeFile:
    """A labelme annotation that passed every check."""

    path: Path
    image_path: Path | None  # the image file on disk, resolved; None when only imageData exists
    image_name: str  # imagePath as written (posix), or the JSON's stem + .png for embedded images
    height: int
    width: int
    shapes: list[LabelmeShape]
    flags: dict[str, bool] = field(default_factory=dict)
    version: str | None = None
    image_data: bytes | None = None
    other: dict[str, Any] = field(default_factory=dict)

    def load_image(self) -> np.ndarray:
        """The image as labelme shows it (EXIF orientation applied), HxWx3 uint8."""
        if self.image_path is not None and self.image_data is None:
            return read_upright_rgb(self.image_path)
        return read_upright_rgb(io.BytesIO(self.embedded_image()))

    def embedded_image(self) -> bytes:
        """The image file's bytes stored inside the labelme file (``imageData``).

        A folder check drops them from memory once checked (a thousand embedded photos would
        need gigabytes), so they are read again from the file here.
        """
        if self.image_data is not None:
            return self.image_data
        from ..fileio import read_json

        raw = read_json(self.path)
        encoded = raw.get("imageData") if isinstance(raw, dict) else None
        if not isinstance(encoded, str):
            raise LabelmeError([f"{self.path}: imageData is gone (the file changed since it was checked)"])
        return base64.b64decode(encoded)

    def objects(self) -> list[tuple[str, list[LabelmeShape]]]:
        """(label, its shapes) per object, in order of first appearance.

        An object is what labelme's ``shapes_to_label`` paints as one instance: the shapes that
        share a label and a ``group_id``; a shape without ``group_id`` is an object on its own.
        """
        objects: dict[tuple[str, Any], list[LabelmeShape]] = {}
        for number, shape in enumerate(self.shapes):
            key = (shape.label, number if shape.group_id is None else f"group {shape.group_id}")
            objects.setdefault(key, []).append(shape)
        return [(label, shapes) for (label, _), shapes in objects.items()]

    def shape_box(self, shape: LabelmeShape) -> tuple[int, int, int, int]:
        """(top, left, bottom, right), bottom/right exclusive: a box surely holding the shape's pixels.

        Generous by a few pixels (line width, point radius); callers check it by counting.
        """
        if shape.shape_type == "circle":
            (cx, cy), (px, py) = shape.points
            radius = math.hypot(cx - px, cy - py)
            low, high = (cx - radius, cy - radius), (cx + radius, cy + radius)
        else:
            xs = [p[0] for p in shape.points]
            ys = [p[1] for p in shape.points]
            low, high = (min(xs), min(ys)), (max(xs), max(ys))
        margin = {
            "line": rasterize.LINE_WIDTH,
            "linestrip": rasterize.LINE_WIDTH,
            "point": rasterize.POINT_RADIUS,
        }.get(shape.shape_type, 0) + 2
        left, top = (max(int(math.floor(v)) - margin, 0) for v in low)
        right = min(int(math.ceil(high[0])) + margin + 1, self.width)
        bottom = min(int(math.ceil(high[1])) + margin + 1, self.height)
        return top, left, max(bottom, top), max(right, left)

    def shape_mask(self, shape: LabelmeShape, canvas: tuple[int, int] | None = None) -> np.ndarray:
        """Boolean mask of one shape, exactly as labelme rasterizes it.

        ``canvas`` (height, width): draw on the top-left part of the image only, which is all a
        caller needs when the shape lies inside it (see :meth:`shape_box`): drawing clips at the
        canvas edge and never depends on its size, so those pixels are labelme's, made faster.
        """
        canvas = (self.height, self.width) if canvas is None else canvas
        if shape.shape_type == "mask":
            if shape.mask is None:
                raise ValueError(f"{self.path}: a mask shape ({shape.label}) without its mask")
            return rasterize.place_mask_patch(canvas, shape.points, shape.mask)
        return rasterize.shape_to_mask(canvas, shape.points, shape.shape_type)

    def object_map(self) -> np.ndarray:
        """Which object each pixel shows, as labelme paints them: 1 + the index in :meth:`objects`, 0 for none.

        labelme paints shapes in file order, each over the ones before (a sky rectangle drawn first
        is covered by everything after it), so a pixel belongs to the object of the *last* shape
        covering it. This is labelme's own instance map, drawn shape by shape inside each shape's box.
        """
        owner_of = {id(shape): index for index, (_, shapes) in enumerate(self.objects(), 1) for shape in shapes}
        owners = np.zeros((self.height, self.width), dtype=np.uint16 if len(owner_of) < 2**16 else np.uint32)
        for shape in self.shapes:
            _, _, bottom, right = self.shape_box(shape)
            owners[:bottom, :right][self.shape_mask(shape, (bottom, right))] = owner_of[id(shape)]
        return owners

    def label_maps(self, label_name_to_value: Mapping[str, int]) -> tuple[np.ndarray, np.ndarray]:
        """(class map, instance map) painted by labelme's own ``shapes_to_label``."""
        return rasterize.shapes_to_label(
            (self.height, self.width), [s.to_raster_dict() for s in self.shapes], dict(label_name_to_value)
        )


def mask_to_base64(mask: np.ndarray) -> str:
    """A boolean patch as labelme stores it: a 1-bit PNG, base64 text."""
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(mask, dtype=bool)).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def mask_from_base64(encoded: str) -> np.ndarray:
    """The boolean patch of a mask shape, as labelme's loader decodes it on opening a file.

    Raises ValueError for text that is not a base64 PNG.
    """
    try:
        with Image.open(io.BytesIO(base64.b64decode(encoded, validate=True))) as image:
            patch = np.asarray(image).astype(bool)
    except Exception as exc:  # binascii and PIL raise many kinds of errors
        raise ValueError(f"mask is not a base64-encoded PNG ({exc})") from None
    return np.asarray(patch.any(axis=2) if patch.ndim == 3 else patch)


def mask_shape(
    label: str,
    mask: np.ndarray,
    group_id: int | None = None,
    description: str = "",
    flags: Mapping[str, bool] | None = None,
) -> LabelmeShape:
    """A labelme ``mask`` shape for a full-size boolean mask, cut to the mask's box.

    labelme pastes the patch at rows y1..y2 and columns x1..x2 (inclusive), so it rasterizes
    back to exactly ``mask``: no polygon approximation.
    """
    ys, xs = np.nonzero(mask)
    if not len(ys):
        raise ValueError(f"mask for {label!r} is empty")
    x1, y1, x2, y2 = int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())
    return LabelmeShape(
        label=label,
        points=[[float(x1), float(y1)], [float(x2), float(y2)]],
        shape_type="mask",
        group_id=group_id,
        description=description,
        flags=dict(flags or {}),
        mask=np.asarray(mask[y1 : y2 + 1, x1 : x2 + 1], dtype=bool),
    )
