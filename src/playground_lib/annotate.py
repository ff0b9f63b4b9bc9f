"""Reading, checking and writing labelme annotation files.

labelme (https://github.com/wkentaro/labelme) saves one JSON file per image. Its format has grown
over the years (3.x to 7.x): shape types ``polygon``, ``rectangle``, ``circle``, ``line``,
``linestrip``, ``point`` and ``mask`` (a base64 PNG cut to the box given by two points);
``group_id`` joins several shapes into one object; the image is found through ``imagePath``
(relative to the JSON file) and/or embedded as base64 ``imageData``. Old files lack ``flags``,
``description`` or ``group_id``; all of those are read here.

The experiment this series grew from stopped exactly at this step, with files that looked fine
and conversions that failed deep inside another tool. So :func:`check_labelme` looks at a file
*completely* before anything is converted and collects every problem as one line::

    FILE: shape N (label): what is wrong

(``N`` counts from 1, in the order labelme's shape list shows them). :func:`read_labelme` raises
:class:`LabelmeError` carrying all those lines.

Pixels come from :mod:`playground_lib.labelme_compat`, labelme's own rasterizer, so a mask made
here is the mask labelme itself would make. Images with an EXIF orientation are measured the way
labelme shows them (turned upright), which is the size labelme writes as ``imageHeight/Width``.

:func:`save_labelme` is the writer the in-notebook annotator calls: give it the image path, the
image size and the list of shapes and it writes a labelme-compatible JSON file atomically.
"""

from __future__ import annotations

import base64
import io
import json
import math
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PureWindowsPath
from typing import Any

import numpy as np
from PIL import Image

from . import labelme_compat
from .fileio import read_upright_rgb, write_json
from .paths import resolve_inside

IGNORE_LABEL = "__ignore__"
BACKGROUND_LABEL = "_background_"
LABELME_FORMAT_VERSION = "5.5.0"  # the version string we write: read by labelme 5.x to 7.x alike

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


class LabelmeError(ValueError):
    """A labelme file (or several) has problems; ``problems`` holds one line per problem."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(eq=False)
class LabelmeShape:
    """One labelme shape, checked. ``mask`` is the decoded boolean patch of a ``mask`` shape."""

    label: str
    points: list[list[float]]
    shape_type: str = "polygon"
    group_id: int | None = None
    flags: dict[str, bool] = field(default_factory=dict)
    description: str = ""
    mask: np.ndarray | None = None
    other: dict[str, Any] = field(default_factory=dict)
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
        source = io.BytesIO(self.image_data) if self.image_data is not None else self.image_path
        return read_upright_rgb(source)

    def write_embedded_image(self) -> Path | None:
        """Save an image that exists only as ``imageData`` beside the JSON file (as its imagePath says).

        COCO and SPADE folders refer to image *files*; labelme files saved with "save image data"
        and then moved may carry the only copy inside. Returns the path written, or None when the
        image file exists already.
        """
        if self.image_path is not None or self.image_data is None:
            return None
        from .fileio import write_bytes

        target = resolve_inside(self.path.parent, self.image_name)
        if target is None:
            raise LabelmeError([f"{self.path}: imagePath {self.image_name!r} points outside the folder"])
        write_bytes(target, self.image_data)
        self.image_path = target
        return target

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
            "line": labelme_compat.LINE_WIDTH,
            "linestrip": labelme_compat.LINE_WIDTH,
            "point": labelme_compat.POINT_RADIUS,
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
            return place_mask_patch(canvas, shape.points, shape.mask)
        return labelme_compat.shape_to_mask(canvas, shape.points, shape.shape_type)

    def label_maps(self, label_name_to_value: Mapping[str, int]) -> tuple[np.ndarray, np.ndarray]:
        """(class map, instance map) painted by labelme's own ``shapes_to_label``."""
        return labelme_compat.shapes_to_label(
            (self.height, self.width), [s.to_raster_dict() for s in self.shapes], dict(label_name_to_value)
        )


# ----------------------------------------------------------------------------- reading


def read_labelme(
    path: str | os.PathLike,
    labels: Iterable[str] | None = None,
    root: str | os.PathLike | None = None,
    allow_outside: bool = False,
) -> LabelmeFile:
    """Read and check one labelme file; raise :class:`LabelmeError` listing every problem.

    ``labels``: the allowed label names (``None`` accepts any non-empty label; the COCO
    conversion passes its own list). ``root``: the folder the image must stay inside
    (default: the JSON file's folder). ``allow_outside``: accept points beyond the image
    edges (labelme's rasterizer clips them); by default they are a problem, because labelme
    never places them there and they usually mean a wrong image size.
    """
    result, problems = check_labelme(path, labels=labels, root=root, allow_outside=allow_outside)
    if problems:
        raise LabelmeError(problems)
    assert result is not None
    return result


def check_labelme(
    path: str | os.PathLike,
    labels: Iterable[str] | Callable[[str], str | None] | None = None,
    root: str | os.PathLike | None = None,
    allow_outside: bool = False,
) -> tuple[LabelmeFile | None, list[str]]:
    """(the file, []) when it is fine, else (None or partial file, every problem found).

    ``labels``: allowed names, or a function returning what is wrong with a label (None if fine).
    """
    path = Path(path)
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [f"{name}: file not found"]
    except UnicodeDecodeError as exc:
        return None, [f"{name}: not a UTF-8 text file ({exc.reason} at byte {exc.start})"]
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, [f"{name}: not valid JSON (line {exc.lineno} column {exc.colno}: {exc.msg})"]
    if not isinstance(raw, dict) or "shapes" not in raw:
        return None, [f'{name}: not a labelme file (no "shapes" list at the top)']
    problems: list[str] = []
    allowed = labels if labels is None or callable(labels) else set(labels)

    height, width = _declared_size(name, raw, problems)
    image_path, image_name, image_data, actual = _find_image(
        name, path, raw, Path(root) if root else path.parent, problems
    )
    if actual is not None:
        if height is None and width is None:
            height, width = actual
        elif (height, width) != actual:
            problems.append(
                f"{name}: image {image_name!r} is {actual[1]}x{actual[0]} (width x height, as labelme shows it) "
                f"but imageWidth/imageHeight say {width}x{height}"
            )
    if height is None or width is None:
        if not any("imageHeight" in p or "image" in p for p in problems):
            problems.append(f"{name}: no imageHeight/imageWidth and no readable image to measure")
        return None, problems

    shapes_raw = raw["shapes"]
    shapes: list[LabelmeShape] = []
    if not isinstance(shapes_raw, list):
        problems.append(f'{name}: "shapes" must be a list, got {type(shapes_raw).__name__}')
        shapes_raw = []
    for index, shape_raw in enumerate(shapes_raw, start=1):
        shape = _check_shape(name, index, shape_raw, height, width, allowed, problems, allow_outside)
        if shape is not None:
            shapes.append(shape)

    flags = raw.get("flags") or {}
    if not isinstance(flags, dict):
        problems.append(f'{name}: "flags" must be an object of name: true/false')
        flags = {}
    known = {"version", "flags", "shapes", "imagePath", "imageData", "imageHeight", "imageWidth"}
    result = LabelmeFile(
        path=path,
        image_path=image_path,
        image_name=image_name,
        height=height,
        width=width,
        shapes=shapes,
        flags=dict(flags),
        version=raw.get("version"),
        image_data=image_data,
        other={k: v for k, v in raw.items() if k not in known},
    )
    return result, problems


def _declared_size(name: str, raw: dict, problems: list[str]) -> tuple[int | None, int | None]:
    size = []
    for key in ("imageHeight", "imageWidth"):
        value = raw.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value <= 0):
            problems.append(f"{name}: {key} must be a positive whole number, got {value!r}")
            value = None
        size.append(value)
    return size[0], size[1]


def _find_image(name: str, path: Path, raw: dict, root: Path, problems: list[str]):
    """(resolved image file or None, image name, embedded bytes or None, (h, w) as labelme shows it)."""
    image_path_raw = raw.get("imagePath")
    image_data_raw = raw.get("imageData")
    image_name = None
    resolved = None
    if image_path_raw is not None:
        if not isinstance(image_path_raw, str) or not image_path_raw.strip():
            problems.append(f"{name}: imagePath must be a file name, got {image_path_raw!r}")
        else:
            image_name = PureWindowsPath(image_path_raw).as_posix()  # labelme on Windows writes backslashes
            resolved = resolve_inside(path.parent, image_name, root)
            if resolved is None:
                problems.append(
                    f"{name}: imagePath {image_path_raw!r} points outside the folder {str(root)!r}; "
                    "keep images beside their JSON files"
                )
                image_name = None
    image_data = None
    if image_data_raw is not None:
        try:
            image_data = base64.b64decode(image_data_raw, validate=True)
        except Exception:
            problems.append(f"{name}: imageData is not valid base64")
    if image_data is not None:
        actual = _measure(name, io.BytesIO(image_data), "embedded imageData", problems)
        if resolved is not None and not resolved.is_file():
            resolved = None  # labelme itself uses the embedded copy then
        return resolved, image_name or f"{path.stem}.png", image_data, actual
    if image_name is None:
        if image_path_raw is None:
            problems.append(f"{name}: no imagePath and no imageData: which image is this?")
        return None, path.stem, None, None
    if not resolved.is_file():
        problems.append(f"{name}: image {image_name!r} not found (looked for {str(resolved)!r})")
        return None, image_name, None, None
    return resolved, image_name, None, _measure(name, resolved, repr(image_name), problems)


def _measure(name: str, source, what: str, problems: list[str]) -> tuple[int, int] | None:
    """(height, width) of an image as labelme displays it: EXIF rotations 5..8 swap the sides."""
    try:
        with Image.open(source) as image:
            width, height = image.size
            orientation = exif_orientation(image)
    except Exception as exc:  # PIL raises many kinds of errors for broken files
        problems.append(f"{name}: {what} is not a readable image ({exc})")
        return None
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    return height, width


def exif_orientation(image: Image.Image) -> int:
    """The EXIF orientation tag (1 = upright) without decoding the pixels where possible.

    PIL's ``getexif()`` decodes a whole PNG to look for an EXIF chunk after the pixel data;
    checking the chunk before it (where cameras and PIL put it) keeps a 1,000-file check fast.
    """
    if image.format == "PNG":
        data = image.info.get("exif")
        if not data:
            return 1
        exif = Image.Exif()
        exif.load(data)
        return int(exif.get(0x0112, 1) or 1)
    return int(image.getexif().get(0x0112, 1) or 1)


def _check_shape(
    name: str, index: int, raw: Any, height: int, width: int, allowed, problems: list[str], allow_outside: bool = False
) -> LabelmeShape | None:
    if not isinstance(raw, dict):
        problems.append(f"{name}: shape {index}: must be an object, got {type(raw).__name__}")
        return None
    label = raw.get("label")
    where = f"{name}: shape {index} ({label})"
    before = len(problems)
    if not isinstance(label, str) or not label.strip():
        problems.append(f"{where}: label is missing or empty")
    elif callable(allowed):
        complaint = allowed(label)
        if complaint:
            problems.append(f"{where}: {complaint}")
    elif allowed is not None and label not in allowed:
        problems.append(f"{where}: unknown label {label!r}; allowed labels: {', '.join(sorted(allowed))}")
    shape_type = raw.get("shape_type") or "polygon"  # labelme 3.x had no shape_type: polygons only
    if shape_type not in POINT_COUNTS:
        problems.append(f"{where}: unknown shape_type {shape_type!r} (expected one of {', '.join(POINT_COUNTS)})")
        return None
    points = _check_points(where, raw.get("points"), shape_type, height, width, problems, allow_outside)
    group_id = raw.get("group_id")
    if group_id is not None and (isinstance(group_id, bool) or not isinstance(group_id, int)):
        problems.append(f"{where}: group_id must be a whole number or null, got {group_id!r}")
    flags = raw.get("flags") or {}
    if not isinstance(flags, dict):
        problems.append(f"{where}: flags must be an object of name: true/false")
        flags = {}
    description = raw.get("description") or ""
    if not isinstance(description, str):
        problems.append(f"{where}: description must be text")
        description = str(description)
    mask = None
    if shape_type == "mask" and points is not None:
        mask = _check_mask(where, raw.get("mask"), points, height, width, problems)
    if len(problems) > before:
        return None
    known = {"label", "points", "group_id", "shape_type", "flags", "description", "mask"}
    return LabelmeShape(
        label=label,
        points=points,
        shape_type=shape_type,
        group_id=group_id,
        flags=dict(flags),
        description=description,
        mask=mask,
        other={k: v for k, v in raw.items() if k not in known},
        number=index,
    )


def _check_points(
    where: str, points: Any, shape_type: str, height: int, width: int, problems: list[str], allow_outside: bool = False
):
    if not isinstance(points, list) or not all(isinstance(p, (list, tuple)) and len(p) == 2 for p in points):
        problems.append(f"{where}: points must be a list of [x, y] pairs")
        return None
    fewest, most = POINT_COUNTS[shape_type]
    if len(points) < fewest or (most is not None and len(points) > most):
        wanted = f"exactly {fewest}" if fewest == most else f"at least {fewest}"
        problems.append(
            f"{where}: a {shape_type} needs {wanted} point{'s' if (most or 2) > 1 else ''}, got {len(points)}"
        )
    clean = []
    outside = []
    for number, (x, y) in enumerate(points, start=1):
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (x, y)):
            problems.append(f"{where}: point {number} ({x!r}, {y!r}) is not a pair of numbers")
            return None
        if not (math.isfinite(x) and math.isfinite(y)):
            problems.append(f"{where}: point {number} ({x}, {y}) is not a finite number (NaN or infinity)")
            return None
        if x < 0 or y < 0 or x > width or y > height:
            outside.append(f"point {number} ({x:g}, {y:g})")
        clean.append([float(x), float(y)])
    if outside and not allow_outside:
        bounds = f"the {width}x{height} image (x from 0 to {width}, y from 0 to {height})"
        if len(outside) == 1:
            problems.append(f"{where}: {outside[0]} lies outside {bounds}")
        else:
            problems.append(f"{where}: {len(outside)} of {len(points)} points lie outside {bounds}, e.g. {outside[0]}")
    return clean


def _check_mask(where: str, encoded: Any, points: list[list[float]], height: int, width: int, problems: list[str]):
    if not isinstance(encoded, str):
        problems.append(f"{where}: a mask shape needs its mask as a base64 PNG")
        return None
    try:
        with Image.open(io.BytesIO(base64.b64decode(encoded, validate=True))) as image:
            patch = np.asarray(image).astype(bool)
    except Exception:
        problems.append(f"{where}: mask is not a base64-encoded PNG")
        return None
    if patch.ndim == 3:
        patch = patch.any(axis=2)
    (x1, y1), (x2, y2) = points
    if not all(float(v).is_integer() for v in (x1, y1, x2, y2)):
        problems.append(f"{where}: mask corners must be whole pixels, got ({x1:g}, {y1:g}) and ({x2:g}, {y2:g})")
        return None
    expected = (int(y2) - int(y1) + 1, int(x2) - int(x1) + 1)
    if patch.shape != expected:
        problems.append(
            f"{where}: mask is {patch.shape[1]}x{patch.shape[0]} pixels but its corners span "
            f"{expected[1]}x{expected[0]}"
        )
        return None
    if x1 < 0 or y1 < 0 or x2 >= width or y2 >= height:
        problems.append(f"{where}: mask reaches past the {width}x{height} image")
        return None
    return patch


def place_mask_patch(img_shape: Sequence[int], points: Sequence[Sequence[float]], patch: np.ndarray) -> np.ndarray:
    """A mask shape's patch on a full-size canvas (checked shapes: whole-pixel corners inside the image).

    Every labelme version from 5.x to 7.x places such a patch at the same pixels.
    """
    mask = np.zeros(tuple(img_shape[:2]), dtype=bool)
    (x1, y1), _ = np.asarray(points).astype(int)
    part = mask[y1 : y1 + patch.shape[0], x1 : x1 + patch.shape[1]]
    part[...] = patch[: part.shape[0], : part.shape[1]]
    return mask


# ----------------------------------------------------------------------------- writing


def mask_to_base64(mask: np.ndarray) -> str:
    """A boolean patch as labelme stores it: a 1-bit PNG, base64 text."""
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(mask, dtype=bool)).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def mask_shape(
    label: str,
    mask: np.ndarray,
    group_id: int | None = None,
    description: str = "",
    flags: Mapping[str, bool] | None = None,
) -> LabelmeShape:
    """A labelme ``mask`` shape for a full-size boolean mask, cut to the mask's box."""
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


def save_labelme(
    path: str | os.PathLike,
    image_path: str | os.PathLike,
    image_size: tuple[int, int],
    shapes: Sequence[LabelmeShape | Mapping[str, Any]],
    flags: Mapping[str, bool] | None = None,
    image_data: bytes | None = None,
) -> Path:
    """Write a labelme JSON file atomically; labelme 5.x to 7.x (``labelme.LabelFile``) open it.

    ``image_path``: the image, absolute or relative to the JSON file; it is stored relative to
    the JSON file's folder, as labelme does, and must lie in that folder (or below it). ``image_size``: ``(height, width)`` of the image as
    shown. ``shapes``: :class:`LabelmeShape` objects or labelme shape dicts (at least ``label`` and
    ``points``; ``shape_type`` defaults to ``"polygon"``). ``image_data``: raw image file bytes to
    embed (labelme's "save image data" option); by default none, which keeps files small.

    Bad shapes raise :class:`LabelmeError` before anything is written, so a widget never leaves
    a file that the conversion would reject later.
    """
    path = Path(path)
    height, width = (int(v) for v in image_size)
    image_path = Path(image_path)
    relative = os.path.relpath(image_path, path.parent) if image_path.is_absolute() else str(image_path)
    relative = PureWindowsPath(relative).as_posix()
    problems: list[str] = []
    if resolve_inside(path.parent, relative) is None:
        problems.append(
            f"{path}: image {str(image_path)!r} is not in the JSON file's folder; save the JSON beside the "
            "image (the conversion refuses image paths that leave the folder)"
        )
    out_shapes = []
    for index, shape in enumerate(shapes, start=1):
        raw = shape.to_labelme_dict() if isinstance(shape, LabelmeShape) else dict(shape)
        raw.setdefault("shape_type", "polygon")
        checked = _check_shape(str(path), index, raw, height, width, None, problems)
        if checked is not None:
            out_shapes.append(checked.to_labelme_dict())
    if problems:
        raise LabelmeError(problems)
    payload = {
        "version": LABELME_FORMAT_VERSION,
        "flags": dict(flags or {}),
        "shapes": out_shapes,
        "imagePath": relative,
        "imageData": None if image_data is None else base64.b64encode(image_data).decode("ascii"),
        "imageHeight": height,
        "imageWidth": width,
    }
    return write_json(path, payload)


def labelme_file_to_dict(item: LabelmeFile) -> dict[str, Any]:
    """A checked file back to labelme's JSON form (what :func:`save_labelme` would write)."""
    return {
        "version": item.version or LABELME_FORMAT_VERSION,
        "flags": dict(item.flags),
        "shapes": [s.to_labelme_dict() for s in item.shapes],
        "imagePath": item.image_name,
        "imageData": None if item.image_data is None else base64.b64encode(item.image_data).decode("ascii"),
        "imageHeight": item.height,
        "imageWidth": item.width,
        **item.other,
    }


def copy_labelme_files(
    source_dir: str | os.PathLike, target_dir: str | os.PathLike, count: int | None = None
) -> list[Path]:
    """Copy the first ``count`` labelme files of a folder, each with its image, into another folder.

    For trying things on a copy (the notebooks break a file on purpose) or on a smaller set.
    """
    from .fileio import write_bytes

    source_dir, target_dir = Path(source_dir), Path(target_dir)
    copied = []
    for path in sorted(source_dir.glob("*.json"))[:count]:
        item = read_labelme(path, allow_outside=True)
        if item.image_path is not None:
            relative = item.image_path.relative_to(source_dir.resolve())
            write_bytes(target_dir / relative, item.image_path.read_bytes())
        copied.append(write_bytes(target_dir / path.name, path.read_bytes()))
    return copied
