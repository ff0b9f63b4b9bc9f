"""The one way this library writes labelme files: every shape checked first, the file written atomically.

The annotator, the synthetic scenes, the Blender renders and the COCO -> labelme conversion all
save through :func:`save_labelme`, so each file on disk passes :func:`.check.check_labelme` and a
participant never meets a file of ours that the conversion rejects later.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping, Sequence
from pathlib import Path, PureWindowsPath
from typing import Any

from ..fileio import write_bytes, write_json
from ..paths import resolve_inside
from .check import check_shape
from .format import FORMAT_VERSION, TOP_LEVEL_KEYS, LabelmeError, LabelmeFile, LabelmeShape


def save_labelme(
    path: str | os.PathLike,
    image_path: str | os.PathLike,
    image_size: tuple[int, int],
    shapes: Sequence[LabelmeShape | Mapping[str, Any]],
    flags: Mapping[str, bool] | None = None,
    image_data: bytes | None = None,
    other: Mapping[str, Any] | None = None,
) -> Path:
    """Write a labelme JSON file atomically; labelme 5.x to 7.x (``labelme.LabelFile``) open it.

    ``image_path``: the image, absolute or relative to the JSON file; it is stored relative to
    the JSON file's folder, as labelme does, and must lie in that folder (or below it).
    ``image_size``: ``(height, width)`` of the image as shown. ``shapes``: :class:`LabelmeShape`
    objects or labelme shape dicts (at least ``label`` and ``points``; ``shape_type`` defaults to
    ``"polygon"``). ``image_data``: raw image file bytes to embed (labelme's "save image data"
    option); by default none, which keeps files small. ``other``: top-level keys another tool
    stored (or our own provenance), written after labelme's.

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
    clashing = sorted(set(other or {}) & set(TOP_LEVEL_KEYS))
    if clashing:
        problems.append(f"{path}: extra keys {', '.join(clashing)} would overwrite labelme's own")
    out_shapes = []
    for index, shape in enumerate(shapes, start=1):
        raw = shape.to_labelme_dict() if isinstance(shape, LabelmeShape) else dict(shape)
        raw.setdefault("shape_type", "polygon")
        checked = check_shape(str(path), index, raw, height, width, None, problems)
        if checked is not None:
            out_shapes.append(checked.to_labelme_dict())
    if problems:
        raise LabelmeError(problems)
    payload = {
        "version": FORMAT_VERSION,
        "flags": dict(flags or {}),
        "shapes": out_shapes,
        "imagePath": relative,
        "imageData": None if image_data is None else base64.b64encode(image_data).decode("ascii"),
        "imageHeight": height,
        "imageWidth": width,
        **dict(other or {}),
    }
    return write_json(path, payload)


def write_embedded_image(item: LabelmeFile) -> Path | None:
    """Save an image that exists only as ``imageData`` beside the JSON file (as its imagePath says).

    COCO and SPADE folders refer to image *files*; labelme files saved with "save image data"
    and then moved may carry the only copy inside. Returns the path written, or None when the
    image file exists already.
    """
    if item.image_path is not None:
        return None
    target = resolve_inside(item.path.parent, item.image_name)
    if target is None:
        raise LabelmeError([f"{item.path}: imagePath {item.image_name!r} points outside the folder"])
    write_bytes(target, item.embedded_image())
    item.image_path = target
    return target
