"""labelme -> COCO: a folder of labelme files to one COCO instance-segmentation dict, exactly.

Every file is checked before anything is converted. Categories come from
:mod:`.categories`; ``_background_`` shapes are skipped and ``__ignore__`` shapes become crowd
regions (``iscrowd: 1``, ``ignore: 1``, ``category_id: 0``). Each object (shapes sharing
``label`` and ``group_id``, as labelme groups them) becomes one annotation whose mask is labelme's
own rasterization, encoded by :mod:`.masks` so that ``annToMask`` gives back labelme's pixels.

Which pixels: labelme paints later shapes over earlier ones, so a sky rectangle drawn first
covers the whole frame in the file but only the sky you see in labelme's label map. By default an
annotation is the object's **visible region** (occlusion resolved in labelme's drawing order): the
annotations of an image never overlap, their ``area`` is the pixels you see, and any COCO tool,
painting them in any order, gets labelme's own label map. ``whole_shapes=True`` keeps each object
whole, layers included (``info.regions`` records which).

This module imports numpy, PIL and pycocotools only — never torch — so converting a dataset
starts in a fraction of a second on a laptop.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from ..labelme.check import check_labelme, read_labelme
from ..labelme.folder import labelme_files
from ..labelme.format import LabelmeError, LabelmeFile, LabelmeShape
from ..labelme.write import write_embedded_image
from ..parallel import map_on_all_cores
from .categories import IGNORE_CATEGORY_ID, Categories, make_categories
from .masks import DrawnObject, area_and_box, cut_out, segmentations
from .split import split_images


@dataclass
class Conversion:
    """What :func:`convert_labelme_dir` made: the COCO dict, and the problems of skipped files."""

    coco: dict[str, Any]
    problems: list[str]
    files: list[Path]


def check_labelme_dir(
    labelme_dir: str | os.PathLike,
    labels=None,
    exclude: Iterable[str | os.PathLike] = (),
    progress: bool = False,
    allow_outside: bool = False,
) -> tuple[list[LabelmeFile], list[str], Categories]:
    """Check every file in the folder: (good files, every problem, categories). Writes nothing.

    Files are checked on every core, each image decoded in full once. Embedded images
    (``imageData``) are dropped once checked, so memory follows the largest file, not the
    folder; :meth:`LabelmeFile.embedded_image` reads one again when it is needed.
    """
    from tqdm.auto import tqdm

    categories = make_categories(labels)
    folder = Path(labelme_dir)
    paths = labelme_files(folder, exclude)
    if not paths:
        return [], [f"{folder}: no labelme .json files in this folder"], categories
    good: list[LabelmeFile] = []
    problems: list[str] = []
    owners: dict[str, Path] = {}
    jobs = [(path, folder, categories, allow_outside) for path in paths]
    checked = map_on_all_cores(_check_one, jobs)
    for path, (item, found) in tqdm(
        zip(paths, checked), total=len(paths), desc="checking labelme files", disable=not progress, leave=False
    ):
        if item is not None:
            key = _image_key(folder, item)
            if key in owners:
                found.append(
                    f"{path}: image {item.image_name!r} is already used by {owners[key]}; "
                    "each image may have one annotation file"
                )
            else:
                owners[key] = path
        problems.extend(found)
        if item is not None and not found:
            good.append(item)
    return good, problems, categories


def _check_one(job: tuple[Path, Path, Categories, bool]) -> tuple[LabelmeFile | None, list[str]]:
    """One file checked (in a worker process): its image bytes stay in the file, not in memory."""
    path, folder, categories, allow_outside = job
    item, found = check_labelme(path, labels=categories.complaint, root=folder, allow_outside=allow_outside)
    if item is not None:
        item.image_data = None
    return item, found


def _convert_one(job: tuple[LabelmeFile, Categories, bool]) -> tuple[list[dict[str, Any]], list[str]]:
    """One checked file's annotations (in a worker process)."""
    return _annotations_of(*job)


def _image_key(folder: Path, item: LabelmeFile) -> str:
    if item.image_path is not None:
        return str(item.image_path)
    return str((folder / item.image_name).resolve())


def convert_labelme_dir(
    labelme_dir: str | os.PathLike,
    labels=None,
    split: float | None = None,
    seed: int = 0,
    skip_invalid: bool = False,
    exclude: Iterable[str | os.PathLike] = (),
    progress: bool = True,
    allow_outside: bool = False,
    extract_images: bool = False,
    whole_shapes: bool = False,
) -> Conversion:
    """Check the whole folder, then convert. Raises :class:`LabelmeError` (every problem) unless
    ``skip_invalid``, in which case the good files are converted and the problems returned.
    ``extract_images``: write images that exist only as embedded ``imageData`` beside their JSON.
    ``whole_shapes``: each object whole, not only its visible region (see the module docstring)."""
    from tqdm.auto import tqdm

    folder = Path(labelme_dir)
    good, problems, categories = check_labelme_dir(folder, labels, exclude, progress, allow_outside)
    if problems and not skip_invalid:
        raise LabelmeError(problems)
    converted = []
    drawn = map_on_all_cores(_convert_one, [(item, categories, whole_shapes) for item in good])
    for item, (made, empty) in tqdm(zip(good, drawn), total=len(good), desc="labelme -> COCO", disable=not progress):
        problems.extend(empty)  # found only by drawing: shapes that cover no pixel
        if not empty:
            converted.append((item, made))
    if problems and not skip_invalid:
        raise LabelmeError(problems)
    if not converted:
        raise LabelmeError(problems or [f"{folder}: no valid labelme files"])
    coco: dict[str, Any] = {
        "info": {
            "description": "converted from labelme by playground labelme2coco",
            "version": "1.0",
            "regions": "whole shapes" if whole_shapes else "visible",
        },
        "licenses": [],
        "images": [],
        "annotations": [],
        "categories": [dict(e) for e in categories.entries],
    }
    for item, made in converted:
        if extract_images:
            write_embedded_image(item)
        image_id = len(coco["images"]) + 1
        image = {
            "id": image_id,
            "file_name": _file_name(folder, item),
            "height": item.height,
            "width": item.width,
            "labelme_file": item.path.name,
        }
        if item.image_path is None:
            image["embedded"] = True  # only inside the labelme file: see extract_images
        if item.flags:
            image["flags"] = dict(item.flags)
        coco["images"].append(image)
        for annotation in made:
            annotation.update(id=len(coco["annotations"]) + 1, image_id=image_id)
            coco["annotations"].append(annotation)
    if split is not None:
        split_images(coco, split, seed)
    return Conversion(coco, problems, [item.path for item, _ in converted])


def labelme_to_coco(
    labelme_dir: str | os.PathLike,
    labels=None,
    split: float | None = None,
    seed: int = 0,
    progress: bool = True,
    allow_outside: bool = False,
    whole_shapes: bool = False,
) -> dict[str, Any]:
    """A folder of labelme files as one COCO dict; raises :class:`LabelmeError` listing every problem.

    ``labels``: None (the playground schema), a ``labels.txt`` path or a list of names.
    ``split``: fraction of images for training (each image gets ``"split": "train"|"val"``).
    ``allow_outside``: accept points beyond the image edges (see :func:`..labelme.check.read_labelme`);
    the COCO polygons are traced from the clipped pixels, so they never leave the image.
    ``whole_shapes``: each object whole, layers included, instead of the region labelme shows.
    """
    return convert_labelme_dir(
        labelme_dir, labels, split, seed, progress=progress, allow_outside=allow_outside, whole_shapes=whole_shapes
    ).coco


def _file_name(folder: Path, item: LabelmeFile) -> str:
    if item.image_path is not None:
        return item.image_path.relative_to(folder.resolve()).as_posix()
    return PurePosixPath(item.image_name).as_posix()


def _annotations_of(
    item: LabelmeFile, categories: Categories, whole_shapes: bool = False
) -> tuple[list[dict[str, Any]], list[str]]:
    """(one annotation per labelme object, problems): objects are (label, group_id), as labelme's
    shapes_to_label groups them; an object that covers no pixel is a problem (nothing to learn from).
    Each mask is the object's visible region, or with ``whole_shapes`` all its shapes' pixels."""
    drawn: list[tuple[Any, list[LabelmeShape], Any, DrawnObject]] = []
    empty = []
    owners = None if whole_shapes else item.object_map()
    for number, (label, shapes) in enumerate(item.objects(), 1):
        category = categories.resolve(label)
        if category == "background":
            continue
        boxes = [item.shape_box(shape) for shape in shapes]
        box = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
        canvas = (box[2], box[3])  # labelme draws the top-left part of the image that holds the object
        mask = owners[: canvas[0], : canvas[1]] == number if owners is not None else _whole(item, shapes, canvas)
        prefer_polygons = category != "ignore" and all(s.shape_type != "mask" for s in shapes)
        pixels = cut_out(mask, prefer_polygons, box, (item.height, item.width))
        if pixels is None and owners is not None and _whole(item, shapes, canvas).any():
            continue  # drawn, then covered entirely by later shapes: labelme shows none of it either
        if pixels is None:
            numbers = ", ".join(str(shape.number) for shape in shapes)
            empty.append(
                f"{item.path}: shape{'s' if len(shapes) > 1 else ''} {numbers} ({label}): covers no pixel of the "
                f"{item.width}x{item.height} image (all its points lie on the edge)"
            )
            continue
        drawn.append((label, shapes, category, pixels))
    annotations = []
    for (_, shapes, category, _), (segmentation, rle) in zip(drawn, segmentations([d[3] for d in drawn])):
        ignore = category == "ignore"
        annotation: dict[str, Any] = {
            "category_id": IGNORE_CATEGORY_ID if ignore else category,
            "segmentation": segmentation,
            **dict(zip(("area", "bbox"), area_and_box(rle))),
            "iscrowd": 1 if ignore else 0,
        }
        if ignore:
            annotation["ignore"] = 1
        descriptions = list(dict.fromkeys(s.description for s in shapes if s.description))
        if descriptions:
            annotation["description"] = "\n".join(descriptions)
        flags: dict[str, bool] = {}
        for shape in shapes:
            flags.update(shape.flags)
        if flags:
            annotation["flags"] = flags
        annotations.append(annotation)
    return annotations, empty


def _whole(item: LabelmeFile, shapes: list[LabelmeShape], canvas: tuple[int, int]) -> np.ndarray:
    """All the pixels of an object's shapes, hidden ones included, on the top-left ``canvas``."""
    mask = item.shape_mask(shapes[0], canvas)
    for shape in shapes[1:]:
        mask |= item.shape_mask(shape, canvas)
    return mask


def check_against_labelme(
    coco: Mapping[str, Any], labelme_dir: str | os.PathLike, allow_outside: bool = False
) -> tuple[int, int]:
    """(objects whose pycocotools mask equals labelme's pixels, objects): the conversion's promise, checked.

    Uses ``pycocotools.coco.COCO.annToMask`` on every annotation made by :func:`labelme_to_coco`
    and labelme's rasterization of the same object: what labelme shows of it (its pixels in
    labelme's instance map), or all its shapes' pixels when ``info.regions`` says "whole shapes".
    """
    import contextlib
    import io

    from pycocotools.coco import COCO

    with contextlib.redirect_stdout(io.StringIO()):  # pycocotools prints its progress
        api = COCO()
        api.dataset = dict(coco)
        api.createIndex()
    categories = make_categories([c["name"] for c in coco["categories"]])
    whole = coco.get("info", {}).get("regions") == "whole shapes"
    same = total = 0
    for image in coco["images"]:
        item = read_labelme(Path(labelme_dir) / image["labelme_file"], allow_outside=allow_outside)
        owners = None if whole else item.object_map()
        kept = [
            (number, shapes)
            for number, (label, shapes) in enumerate(item.objects(), 1)
            if categories.resolve(label) != "background" and (owners is None or (owners == number).any())
        ]
        for annotation, (number, shapes) in zip(api.loadAnns(api.getAnnIds(imgIds=[image["id"]])), kept):
            if owners is None:
                expected = np.any([item.shape_mask(shape) for shape in shapes], axis=0)
            else:
                expected = owners == number
            same += bool(np.array_equal(api.annToMask(annotation).astype(bool), expected))
            total += 1
    return same, total
