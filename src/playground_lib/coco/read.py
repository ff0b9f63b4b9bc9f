"""Reading a COCO set and checking it against its images, every problem at once.

COCO files come from other tools too (CVAT, Roboflow, labelme2coco), so before any conversion
writes a file, :func:`check_coco` looks at every image entry and annotation and lists each
problem as ``FILE: image ID (NAME): what is wrong`` or ``FILE: annotation ID: what is wrong``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from ..labelme.image import upright_size
from ..paths import resolve_inside
from .categories import IGNORE_CATEGORY_ID
from .masks import annotation_rle


class CocoError(ValueError):
    """A COCO set has problems; ``problems`` holds one line per problem."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass
class CocoImage:
    entry: dict[str, Any]
    path: Path
    annotations: list[dict[str, Any]]


def load_coco(coco: str | os.PathLike | Mapping[str, Any]) -> tuple[dict[str, Any], str]:
    """(COCO dict, a name for messages) from a dict or a JSON file."""
    import json

    if isinstance(coco, Mapping):
        return dict(coco), "COCO"
    path = Path(coco)
    try:
        return json.loads(path.read_text(encoding="utf-8")), str(path)
    except FileNotFoundError:
        raise CocoError([f"{path}: file not found"]) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CocoError([f"{path}: not valid JSON ({exc})"]) from None


def check_coco(
    coco: Mapping[str, Any], images_dir: str | os.PathLike, name: str = "COCO"
) -> tuple[list[CocoImage], list[str]]:
    """Check a COCO set against its images: (images with their annotations, every problem)."""
    problems: list[str] = []
    folder = Path(images_dir)
    if not isinstance(coco, Mapping) or not all(
        isinstance(coco.get(k), list) for k in ("images", "annotations", "categories")
    ):
        return [], [f'{name}: not a COCO file (needs "images", "annotations" and "categories" lists)']
    if not folder.is_dir():
        return [], [f"{images_dir}: images folder not found"]
    category_ids = {c.get("id") for c in coco["categories"]}
    images: dict[Any, CocoImage] = {}
    stems: dict[str, str] = {}
    for entry in coco["images"]:
        file_name = entry.get("file_name")
        where = f"{name}: image {entry.get('id')} ({file_name})"
        if entry.get("id") in images:
            problems.append(f"{where}: image id {entry.get('id')} is used twice")
            continue
        if not isinstance(file_name, str) or not file_name:
            problems.append(f"{where}: file_name is missing")
            continue
        path = resolve_inside(folder, file_name)
        if path is None:
            problems.append(f"{where}: file_name {file_name!r} points outside the images folder {str(folder)!r}")
            continue
        stem = PurePosixPath(PureWindowsPath(file_name).as_posix()).stem
        if stem in stems:
            problems.append(f"{where}: another image ({stems[stem]}) has the same name {stem!r}; names must be unique")
            continue
        stems[stem] = file_name
        if not path.is_file():
            problems.append(f"{where}: image not found (looked for {str(path)!r})")
            continue
        try:
            size = upright_size(path)
        except (OSError, ValueError):
            problems.append(f"{where}: not a readable image")
            continue
        if size != (entry.get("height"), entry.get("width")):
            problems.append(
                f"{where}: image is {size[1]}x{size[0]} (width x height, upright) but the COCO file says "
                f"{entry.get('width')}x{entry.get('height')}"
            )
            continue
        images[entry["id"]] = CocoImage(entry, path, [])
    known_ids = {e.get("id") for e in coco["images"]}
    for annotation in coco["annotations"]:
        where = f"{name}: annotation {annotation.get('id')}"
        if annotation.get("image_id") not in known_ids:
            problems.append(f"{where}: image_id {annotation.get('image_id')} is not in the images list")
            continue
        crowd_ignore = annotation.get("category_id") == IGNORE_CATEGORY_ID and (
            annotation.get("iscrowd") or annotation.get("ignore")
        )
        if annotation.get("category_id") not in category_ids and not crowd_ignore:
            problems.append(f"{where}: category_id {annotation.get('category_id')} is not in the categories list")
            continue
        if "segmentation" not in annotation or not annotation["segmentation"]:
            problems.append(f"{where}: no segmentation (a box alone has no mask to convert)")
            continue
        image = images.get(annotation["image_id"])
        if image is None:
            continue  # its image already has a problem
        try:
            annotation_rle(annotation, image.entry["height"], image.entry["width"])
        except Exception as exc:
            problems.append(f"{where}: segmentation cannot be read ({exc})")
            continue
        image.annotations.append(annotation)
    return list(images.values()), problems


def raise_if_problems(problems: list[str]) -> None:
    """The conversions' rule: any problem stops them before they write anything."""
    if problems:
        raise CocoError(problems)
