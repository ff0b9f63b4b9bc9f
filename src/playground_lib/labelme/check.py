"""Reading a labelme file and checking all of it before anything is converted.

The experiment this series grew from stopped exactly at this step, with files that looked fine
and conversions that failed deep inside another tool. So :func:`check_labelme` looks at a file
*completely* and collects every problem as one line::

    FILE: shape N (label): what is wrong

(``N`` counts from 1, in the order labelme's shape list shows them). :func:`read_labelme` raises
:class:`~.format.LabelmeError` carrying all those lines. Images with an EXIF orientation are
measured the way labelme shows them (turned upright), which is the size labelme writes as
``imageHeight/Width``.
"""

from __future__ import annotations

import base64
import io
import math
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath
from typing import Any

from ..fileio import read_json
from ..paths import UnusablePath, resolve_inside
from .format import POINT_COUNTS, SHAPE_KEYS, TOP_LEVEL_KEYS, LabelmeError, LabelmeFile, LabelmeShape, mask_from_base64
from .image import decoded_upright_size


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


@dataclass(frozen=True)
class Declared:
    """What a labelme file says of itself, read without the checks (which decode its picture).

    ``lists_shapes``: a file saved with no shape has nothing to convert, whatever else is wrong with
    it; one that cannot be read at all counts as listing some, so that the conversion reports what is
    wrong with it instead of quietly leaving it out. ``image_name``: the file name ``imagePath``
    gives, without its folders (None when there is none).
    """

    lists_shapes: bool
    image_name: str | None


def read_declared(path: str | os.PathLike) -> Declared:
    """A labelme file's :class:`Declared` fields: cheap enough to sort a folder before checking any of it."""
    try:
        raw = read_json(Path(path))
    except (OSError, ValueError):
        return Declared(True, None)
    if not isinstance(raw, dict):
        return Declared(True, None)
    image = raw.get("imagePath")
    image_name = PureWindowsPath(image).name if isinstance(image, str) and image.strip() else None
    return Declared(bool(raw.get("shapes")), image_name or None)


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
        raw = read_json(path)
    except FileNotFoundError:
        return None, [f"{name}: file not found"]
    except ValueError as exc:
        return None, [f"{name}: {exc}"]
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
        shape = check_shape(name, index, shape_raw, height, width, allowed, problems, allow_outside)
        if shape is not None:
            shapes.append(shape)

    flags = raw.get("flags") or {}
    if not isinstance(flags, dict):
        problems.append(f'{name}: "flags" must be an object of name: true/false')
        flags = {}
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
        other={k: v for k, v in raw.items() if k not in TOP_LEVEL_KEYS},
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
            try:
                resolved = resolve_inside(path.parent, image_name, root)
            except UnusablePath as exc:
                problems.append(f"{name}: imagePath {exc}")
                resolved, image_name = None, None
            else:
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
        actual = _measure_upright(name, io.BytesIO(image_data), "embedded imageData", problems)
        if resolved is not None and not resolved.is_file():
            resolved = None  # labelme itself uses the embedded copy then
        if resolved is not None and actual is not None:
            on_disk = _measure_upright(name, resolved, repr(image_name), problems)
            if on_disk is not None and on_disk != actual:
                problems.append(
                    f"{name}: the embedded imageData is {actual[1]}x{actual[0]} but the image file {image_name!r} is "
                    f"{on_disk[1]}x{on_disk[0]} (width x height); labelme shows the embedded one, the conversions "
                    "use the file: remove imageData or replace the file"
                )
        return resolved, image_name or f"{path.stem}.png", image_data, actual
    if image_name is None:
        if image_path_raw is None:
            problems.append(f"{name}: no imagePath and no imageData: which image is this?")
        return None, path.stem, None, None
    if resolved is None or not resolved.is_file():
        problems.append(f"{name}: image {image_name!r} not found (looked for {str(resolved)!r})")
        return None, image_name, None, None
    return resolved, image_name, None, _measure_upright(name, resolved, repr(image_name), problems)


def _measure_upright(name: str, source, what: str, problems: list[str]) -> tuple[int, int] | None:
    """(height, width) as labelme shows the image, or None with the reason added to ``problems``."""
    try:
        return decoded_upright_size(source)
    except (OSError, ValueError) as exc:
        reason = str(exc) if isinstance(exc, ValueError) else f"not a readable image ({exc})"
        problems.append(f"{name}: {what} is {reason}")
        return None


def check_shape(
    name: str, index: int, raw: Any, height: int, width: int, allowed, problems: list[str], allow_outside: bool = False
) -> LabelmeShape | None:
    """Check one shape as found in a file; add every problem to ``problems``; the shape if it has none.

    The writer runs the same check, so a file this library writes never fails a later read.
    """
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
    if not isinstance(shape_type, str) or shape_type not in POINT_COUNTS:
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
    if shape_type == "mask" and points is not None and len(problems) == before:
        mask = _check_mask(where, raw.get("mask"), points, height, width, problems)
    if len(problems) > before:
        return None
    assert isinstance(label, str)  # a missing or empty label is a problem above
    return LabelmeShape(
        label=label,
        points=points,
        shape_type=shape_type,
        group_id=group_id,
        flags=dict(flags),
        description=description,
        mask=mask,
        other={k: v for k, v in raw.items() if k not in SHAPE_KEYS},
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
        try:
            x, y = float(x), float(y)
        except OverflowError:  # a whole number of hundreds of digits
            problems.append(f"{where}: point {number} holds a number too large for a coordinate")
            return None
        if not (math.isfinite(x) and math.isfinite(y)):
            problems.append(f"{where}: point {number} ({x:g}, {y:g}) is not a finite number (NaN or infinity)")
            return None
        if x < 0 or y < 0 or x > width or y > height:
            outside.append(f"point {number} ({x:g}, {y:g})")
            if not (-width <= x <= 2 * width and -height <= y <= 2 * height):
                problems.append(
                    f"{where}: point {number} ({x:g}, {y:g}) lies far outside the {width}x{height} image "
                    "(more than its own size beyond an edge: drawing it would take forever)"
                )
                return None
        clean.append([x, y])
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
        patch = mask_from_base64(encoded)
    except ValueError:
        problems.append(f"{where}: mask is not a base64-encoded PNG")
        return None
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
