"""Reading a COCO set and checking it against its images, every problem at once.

COCO files come from other tools too (CVAT, Roboflow, labelme2coco), so before any conversion
writes a file, :func:`check_coco` looks at every image entry and annotation and lists each
problem as ``FILE: image ID (NAME): what is wrong`` or ``FILE: annotation ID: what is wrong``.
"""

from __future__ import annotations

import os
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from ..fileio import read_json
from ..labelme.image import decoded_upright_size
from ..paths import UnusablePath, resolve_inside
from .categories import IGNORE_CATEGORY_ID
from .masks import segmentation_problem

MAX_PIXELS = 2 * 89_478_485  # PIL refuses to open larger pictures (its decompression-bomb limit)


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
    """(COCO dict, a name for messages) from a dict or a JSON file.

    The JSON may be anything (a list, a number): :func:`check_coco` or :func:`coco_entries`
    says whether it is a COCO set.
    """
    if isinstance(coco, Mapping):
        return dict(coco), "COCO"
    path = Path(coco)
    try:
        return read_json(path), str(path)
    except FileNotFoundError:
        raise CocoError([f"{path}: file not found"]) from None
    except ValueError as exc:
        raise CocoError([f"{path}: {exc}"]) from None


@dataclass
class CocoEntries:
    """The entries of a COCO set whose shape and types are right, by id."""

    images: dict[int, dict[str, Any]]
    annotations: list[dict[str, Any]]  # each names a known image and category and has a readable segmentation
    categories: dict[int, dict[str, Any]]


def coco_entries(coco: Any, name: str = "COCO") -> tuple[CocoEntries, list[str]]:
    """Check the shape of every entry of a COCO set, without its images: (the good entries, every problem).

    JSON can hold anything, and each kind of thing once crashed a conversion halfway: entries
    that are not objects, ids that are strings, sizes that are not numbers, polygons with NaN
    or 1e12 (pycocotools then fills memory), RLEs of another size or with garbage counts.
    """
    empty = CocoEntries({}, [], {})
    if not isinstance(coco, Mapping) or not all(
        isinstance(coco.get(k), list) for k in ("images", "annotations", "categories")
    ):
        return empty, [f'{name}: not a COCO file (needs "images", "annotations" and "categories" lists)']
    problems: list[str] = []
    categories = _categories(coco["categories"], name, problems)
    images = _images(coco["images"], name, problems)
    known_images = {e.get("id") for e in coco["images"] if isinstance(e, Mapping) and isinstance(e.get("id"), Hashable)}
    annotations = []
    for index, annotation in enumerate(coco["annotations"], start=1):
        found = _annotation_problem(annotation, index, name, images, known_images, categories)
        if found:
            problems.append(found)
        else:
            annotations.append(annotation)
    return CocoEntries(images, annotations, categories), problems


def _is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _not_an_object(what: str, index: int, entry: Any, name: str) -> str | None:
    if isinstance(entry, dict):
        return None
    return f"{name}: {what} #{index} in the list: must be an object, got {type(entry).__name__}"


def _categories(entries: list, name: str, problems: list[str]) -> dict[int, dict[str, Any]]:
    categories: dict[int, dict[str, Any]] = {}
    for index, entry in enumerate(entries, start=1):
        wrong = _not_an_object("category", index, entry, name)
        if wrong:
            problems.append(wrong)
            continue
        where = f"{name}: category {entry.get('id')!r} ({entry.get('name')})"
        label = entry.get("name")
        if not _is_whole(entry.get("id")):
            problems.append(f"{where}: id must be a whole number, got {entry.get('id')!r}")
        elif entry["id"] in categories:
            problems.append(f"{where}: category id {entry['id']} is used twice")
        elif not isinstance(label, str) or not label.strip():
            problems.append(f"{where}: name must be a non-empty text, got {label!r}")
        else:
            categories[entry["id"]] = entry
    return categories


def _images(entries: list, name: str, problems: list[str]) -> dict[int, dict[str, Any]]:
    images: dict[int, dict[str, Any]] = {}
    for index, entry in enumerate(entries, start=1):
        wrong = _not_an_object("image", index, entry, name)
        if wrong:
            problems.append(wrong)
            continue
        where = f"{name}: image {entry.get('id')!r} ({entry.get('file_name')})"
        height, width = entry.get("height"), entry.get("width")
        if not _is_whole(entry.get("id")):
            problems.append(f"{where}: id must be a whole number, got {entry.get('id')!r}")
        elif entry["id"] in images:
            problems.append(f"{where}: image id {entry['id']} is used twice")
        elif not isinstance(entry.get("file_name"), str) or not entry["file_name"]:
            problems.append(f"{where}: file_name is missing")
        elif not (_is_whole(height) and _is_whole(width) and height > 0 and width > 0):
            problems.append(f"{where}: width and height must be positive whole numbers, got {width!r} and {height!r}")
        elif height * width > MAX_PIXELS:
            problems.append(
                f"{where}: {width}x{height} is more pixels than any image this library opens ({MAX_PIXELS})"
            )
        elif not isinstance(entry.get("flags", {}), dict):
            problems.append(f"{where}: flags must be an object of name: true/false")
        else:
            images[entry["id"]] = entry
    return images


def _annotation_problem(
    annotation: Any,
    index: int,
    name: str,
    images: Mapping[Any, dict[str, Any]],
    known_images: set,
    categories: Mapping[int, dict[str, Any]],
) -> str | None:
    """What is wrong with one annotation (the first thing found), or None."""
    wrong = _not_an_object("annotation", index, annotation, name)
    if wrong:
        return wrong
    where = f"{name}: annotation {annotation['id'] if _is_whole(annotation.get('id')) else f'#{index} in the list'}"
    image_id, category_id = annotation.get("image_id"), annotation.get("category_id")
    if "id" in annotation and not _is_whole(annotation["id"]):
        return f"{where}: id must be a whole number, got {annotation['id']!r}"
    if not isinstance(image_id, Hashable) or image_id not in known_images:
        return f"{where}: image_id {image_id!r} is not in the images list"
    for key in ("iscrowd", "ignore"):
        if annotation.get(key, 0) not in (0, 1):
            return f"{where}: {key} must be 0 or 1, got {annotation[key]!r}"
    crowd_ignore = category_id == IGNORE_CATEGORY_ID and (annotation.get("iscrowd") or annotation.get("ignore"))
    if not _is_whole(category_id) or (category_id not in categories and not crowd_ignore):
        return f"{where}: category_id {category_id!r} is not in the categories list"
    if not isinstance(annotation.get("flags", {}), dict):
        return f"{where}: flags must be an object of name: true/false"
    if not isinstance(annotation.get("description", ""), str):
        return f"{where}: description must be text"
    image = images.get(image_id)
    if image is None or not annotation.get("segmentation"):
        return None  # its image has a problem already; a box alone is counted, converting it is refused
    found = segmentation_problem(annotation["segmentation"], image["height"], image["width"])
    return f"{where}: {found}" if found else None


def check_coco(coco: Any, images_dir: str | os.PathLike, name: str = "COCO") -> tuple[list[CocoImage], list[str]]:
    """Check a COCO set against its images: (images with their annotations, every problem).

    Every entry is checked (:func:`coco_entries`) and every image decoded in full, so a
    conversion that starts never stops halfway.
    """
    entries, problems = coco_entries(coco, name)
    if not isinstance(coco, Mapping) or not isinstance(coco.get("images"), list):
        return [], problems
    folder = Path(images_dir)
    if not folder.is_dir():
        return [], [*problems, f"{images_dir}: images folder not found"]
    images: dict[int, CocoImage] = {}
    stems: dict[str, str] = {}
    for entry in entries.images.values():
        file_name = entry["file_name"]
        where = f"{name}: image {entry['id']} ({file_name})"
        try:
            path = resolve_inside(folder, file_name)
        except UnusablePath as exc:
            problems.append(f"{where}: file_name {exc}")
            continue
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
            size = decoded_upright_size(path)
        except (OSError, ValueError) as exc:
            problems.append(f"{where}: {exc}")
            continue
        if size != (entry["height"], entry["width"]):
            problems.append(
                f"{where}: image is {size[1]}x{size[0]} (width x height, upright) but the COCO file says "
                f"{entry['width']}x{entry['height']}"
            )
            continue
        images[entry["id"]] = CocoImage(entry, path, [])
    for annotation in entries.annotations:
        if not annotation.get("segmentation"):
            problems.append(
                f"{name}: annotation {annotation.get('id')}: no segmentation (a box alone has no mask to convert)"
            )
            continue
        image = images.get(annotation["image_id"])
        if image is not None:
            image.annotations.append(annotation)
    return list(images.values()), problems


def raise_if_problems(problems: list[str]) -> None:
    """The conversions' rule: any problem stops them before they write anything."""
    if problems:
        raise CocoError(problems)
