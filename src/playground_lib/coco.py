"""labelme -> COCO -> SPADE: turning annotated photos into a training set, exactly.

Three conversions, each of which checks *everything* before it writes anything:

* :func:`labelme_to_coco` — a folder of labelme files to one COCO instance-segmentation dict.
  Categories come from the label schema (:mod:`playground_lib.labels`; aliases such as "slide"
  land in "plaything") or from a ``labels.txt`` (one name a line, ids from 1 in file order).
  ``_background_`` shapes are skipped; ``__ignore__`` shapes become crowd regions
  (``iscrowd: 1``, ``ignore: 1``, ``category_id: 0``) that evaluators and :func:`coco_to_spade`
  treat as "don't care". Each object (shapes sharing ``label`` and ``group_id``, as labelme
  groups them) becomes one annotation whose mask is labelme's own rasterization; its outline is
  traced again for pycocotools (:mod:`playground_lib.outlines`) and checked, so ``annToMask`` gives
  back labelme's pixels exactly. Objects that a union of polygons cannot express (holes) and
  labelme ``mask`` shapes are stored as RLE. ``area`` and ``bbox`` come from ``pycocotools.mask``.
* :func:`coco_to_labelme` — the reverse, so a COCO set can be opened and edited in labelme.
  Polygons become labelme polygons that labelme fills to the same pixels; RLE becomes ``mask``
  shapes. COCO -> labelme -> COCO gives the same annotations (up to ids).
* :func:`coco_to_spade` — a SPADE training folder::

      OUT/images/STEM.png|jpg     the photo, upright (EXIF orientation applied)
      OUT/labels/STEM.png         uint8, raw ADE20K value per pixel (0 = other)
      OUT/instances/STEM.png      uint16, 0 = none, 1..n = the image's objects in annotation order
      OUT/dataset.json            {"classes": [{"name", "value", "pixels", "instances"}, ...],
                                   "splits": {"train": [STEM, ...], "val": [...]}, "counts": {...}}

  One flat folder per kind, the same STEM for the three files of a sample, and the train/val
  split as lists in ``dataset.json`` (no ``train/`` and ``val/`` subfolders: moving a sample
  between splits never moves files). Later annotations paint over earlier ones, as labelme does.

This module imports numpy, PIL and pycocotools only — never torch — so converting a dataset
starts in a fraction of a second on a laptop.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

import numpy as np
from PIL import Image, ImageOps
from pycocotools import mask as mask_utils

from . import labelme_compat, outlines
from . import labels as schema
from .annotate import (
    BACKGROUND_LABEL,
    IGNORE_LABEL,
    LabelmeError,
    LabelmeFile,
    LabelmeShape,
    check_labelme,
    exif_orientation,
    labelme_file_to_dict,
    mask_shape,
)
from .fileio import write_bytes, write_json, write_png
from .paths import resolve_inside

IGNORE_CATEGORY_ID = 0
SPADE_IMAGE_SUFFIXES = {".png": ".png", ".jpg": ".jpg", ".jpeg": ".jpg"}


# ----------------------------------------------------------------------------- categories


@dataclass
class Categories:
    """Which labels exist, their COCO ids (from 1) and, where known, their ADE20K values."""

    entries: list[dict[str, Any]]
    by_label: dict[str, int] = field(default_factory=dict)  # exact label -> category id
    use_schema: bool = False

    def resolve(self, label: str) -> int | str | None:
        """Category id, ``"ignore"``, ``"background"``, or None for an unknown label."""
        if label.strip() == IGNORE_LABEL:
            return "ignore"
        if label.strip() in (BACKGROUND_LABEL,) or (
            self.use_schema and schema.canonical_name(label) in ("background", "other")
        ):
            return "background"
        if self.use_schema:
            return self.by_label.get(schema.canonical_name(label))
        return self.by_label.get(label)

    def complaint(self, label: str) -> str | None:
        """What is wrong with a label (None: fine), as check_labelme wants it."""
        if self.resolve(label) is None:
            return f"unknown label {label!r}: not in {self.describe()}"
        return None

    def describe(self) -> str:
        names = ", ".join(e["name"] for e in self.entries)
        return f"the label list ({names})" if not self.use_schema else f"the playground schema ({names}) or its aliases"


def read_labels_txt(path: str | os.PathLike) -> list[str]:
    """Names from a labelme-style ``labels.txt``: one a line, blank lines skipped."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise ValueError(f"{path}: labels file not found") from None
    names = [line.strip() for line in lines if line.strip()]
    seen: set[str] = set()
    for number, name in enumerate(names, start=1):
        if name in seen:
            raise ValueError(f"{path}: label {name!r} is listed twice")
        seen.add(name)
    if not [n for n in names if n not in (IGNORE_LABEL, BACKGROUND_LABEL)]:
        raise ValueError(f"{path}: no labels in it")
    return names


def make_categories(labels: str | os.PathLike | Sequence[str] | None = None) -> Categories:
    """The schema's classes (``labels=None``), a ``labels.txt`` path, or a list of names."""
    if labels is None:
        entries = [
            {"id": i, "name": c.name, "supercategory": "playground", "ade20k_value": c.ade20k_value}
            for i, c in enumerate(schema.playground_classes(), start=1)
        ]
        return Categories(entries, {e["name"]: e["id"] for e in entries}, use_schema=True)
    names = read_labels_txt(labels) if isinstance(labels, (str, os.PathLike)) else list(labels)
    entries = []
    for name in names:
        if name in (IGNORE_LABEL, BACKGROUND_LABEL):
            continue
        entry: dict[str, Any] = {"id": len(entries) + 1, "name": name, "supercategory": "playground"}
        try:
            entry["ade20k_value"] = schema.ade20k_value(name)
        except KeyError:
            pass  # fine for COCO; coco_to_spade asks for a value then
        entries.append(entry)
    return Categories(entries, {e["name"]: e["id"] for e in entries})


# ----------------------------------------------------------------------------- masks


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


class _Shifted(dict):
    """The RLE of an annotation drawn inside its box, with the box's offset, for area and bbox."""

    def __init__(self, rle: dict, left: int, top: int):
        super().__init__(rle)
        self.left, self.top = left, top


def _area_and_box(rle: dict) -> tuple[float, list[float]]:
    """COCO ``area`` and ``bbox`` from pycocotools (shifted back when the RLE covers a box only)."""
    x, y, w, h = (float(v) for v in mask_utils.toBbox(dict(rle)))
    if isinstance(rle, _Shifted):
        x, y = x + rle.left, y + rle.top
    return float(mask_utils.area(dict(rle))), [x, y, w, h]


def _encode(mask: np.ndarray) -> dict:
    return mask_utils.encode(np.asfortranarray(mask, dtype=np.uint8))


@dataclass
class _Drawn:
    """One object's pixels: ``crop`` of the image at (top, left) holds all of them."""

    crop: np.ndarray
    top: int
    left: int
    mask: np.ndarray  # from the image's top-left corner, as far as the object reaches
    image_size: tuple[int, int]
    prefer_polygons: bool


def _drawn(
    mask: np.ndarray, prefer_polygons: bool, box: tuple[int, int, int, int] | None, image_size: tuple[int, int] | None
) -> _Drawn | None:
    """Cut the object out (checking by count that ``box`` holds every pixel); None when empty."""
    total = np.count_nonzero(mask)
    if not total:
        return None
    if box is not None:
        top, left, bottom, right = box
        crop = mask[top:bottom, left:right]
        if np.count_nonzero(crop) == total:
            return _Drawn(crop, top, left, mask, image_size or mask.shape, prefer_polygons)
    return _Drawn(mask, 0, 0, mask, image_size or mask.shape, prefer_polygons)


def _segmentations(objects: Sequence[_Drawn]) -> list[tuple[list | dict, dict]]:
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
                results.append((local, _Shifted(drawn, item.left, item.top)))
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
    drawn = _drawn(mask, prefer_polygons, box, image_size)
    if drawn is None:
        return None, None
    return _segmentations([drawn])[0]


# ----------------------------------------------------------------------------- labelme -> COCO


@dataclass
class Conversion:
    """What :func:`convert_labelme_dir` made: the COCO dict, and the problems of skipped files."""

    coco: dict[str, Any]
    problems: list[str]
    files: list[Path]


def labelme_files(labelme_dir: str | os.PathLike, exclude: Iterable[str | os.PathLike] = ()) -> list[Path]:
    """The ``*.json`` files directly in ``labelme_dir``, sorted by name."""
    folder = Path(labelme_dir)
    if not folder.is_dir():
        raise ValueError(f"{folder}: not a folder")
    skip = {Path(p).resolve() for p in exclude}
    return sorted(p for p in folder.glob("*.json") if p.resolve() not in skip)


def check_labelme_dir(
    labelme_dir: str | os.PathLike,
    labels=None,
    exclude: Iterable[str | os.PathLike] = (),
    progress: bool = False,
    allow_outside: bool = False,
) -> tuple[list[LabelmeFile], list[str], Categories]:
    """Check every file in the folder: (good files, every problem, categories). Writes nothing."""
    from tqdm.auto import tqdm

    categories = make_categories(labels)
    folder = Path(labelme_dir)
    paths = labelme_files(folder, exclude)
    if not paths:
        return [], [f"{folder}: no labelme .json files in this folder"], categories
    good: list[LabelmeFile] = []
    problems: list[str] = []
    owners: dict[str, Path] = {}
    for path in tqdm(paths, desc="checking labelme files", disable=not progress, leave=False):
        item, found = check_labelme(path, labels=categories.complaint, root=folder, allow_outside=allow_outside)
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
) -> Conversion:
    """Check the whole folder, then convert. Raises :class:`LabelmeError` (every problem) unless
    ``skip_invalid``, in which case the good files are converted and the problems returned.
    ``extract_images``: write images that exist only as embedded ``imageData`` beside their JSON."""
    from tqdm.auto import tqdm

    folder = Path(labelme_dir)
    good, problems, categories = check_labelme_dir(folder, labels, exclude, progress, allow_outside)
    if problems and not skip_invalid:
        raise LabelmeError(problems)
    converted = []
    for item in tqdm(good, desc="labelme -> COCO", disable=not progress):
        annotations, empty = _annotations_of(item, categories)
        problems.extend(empty)  # found only by drawing: shapes that cover no pixel
        if not empty:
            converted.append((item, annotations))
    if problems and not skip_invalid:
        raise LabelmeError(problems)
    if not converted:
        raise LabelmeError(problems or [f"{folder}: no valid labelme files"])
    coco: dict[str, Any] = {
        "info": {"description": "converted from labelme by playground labelme2coco", "version": "1.0"},
        "licenses": [],
        "images": [],
        "annotations": [],
        "categories": [dict(e) for e in categories.entries],
    }
    for item, annotations in converted:
        if extract_images:
            item.write_embedded_image()
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
        for annotation in annotations:
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
) -> dict[str, Any]:
    """A folder of labelme files as one COCO dict; raises :class:`LabelmeError` listing every problem.

    ``labels``: None (the playground schema), a ``labels.txt`` path or a list of names.
    ``split``: fraction of images for training (each image gets ``"split": "train"|"val"``).
    ``allow_outside``: accept points beyond the image edges (see :func:`annotate.read_labelme`);
    the COCO polygons are traced from the clipped pixels, so they never leave the image.
    """
    return convert_labelme_dir(labelme_dir, labels, split, seed, progress=progress, allow_outside=allow_outside).coco


def _file_name(folder: Path, item: LabelmeFile) -> str:
    if item.image_path is not None:
        return item.image_path.relative_to(folder.resolve()).as_posix()
    return PurePosixPath(item.image_name).as_posix()


def _annotations_of(item: LabelmeFile, categories: Categories) -> tuple[list[dict[str, Any]], list[str]]:
    """(one annotation per labelme object, problems): objects are (label, group_id), as labelme's
    shapes_to_label groups them; an object that covers no pixel is a problem (nothing to learn from)."""
    objects: dict[Any, list[LabelmeShape]] = {}
    for number, shape in enumerate(item.shapes):
        key = (shape.label, number if shape.group_id is None else f"group {shape.group_id}")
        objects.setdefault(key, []).append(shape)
    drawn: list[tuple[Any, list[LabelmeShape], Any, _Drawn]] = []
    empty = []
    for (label, _), shapes in objects.items():
        category = categories.resolve(label)
        if category == "background":
            continue
        boxes = [item.shape_box(shape) for shape in shapes]
        box = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
        canvas = (box[2], box[3])  # labelme draws the top-left part of the image that holds the object
        mask = item.shape_mask(shapes[0], canvas)
        for shape in shapes[1:]:
            mask |= item.shape_mask(shape, canvas)
        prefer_polygons = category != "ignore" and all(s.shape_type != "mask" for s in shapes)
        pixels = _drawn(mask, prefer_polygons, box, (item.height, item.width))
        if pixels is None:
            numbers = ", ".join(str(shape.number) for shape in shapes)
            empty.append(
                f"{item.path}: shape{'s' if len(shapes) > 1 else ''} {numbers} ({label}): covers no pixel of the "
                f"{item.width}x{item.height} image (all its points lie on the edge)"
            )
            continue
        drawn.append((label, shapes, category, pixels))
    annotations = []
    for (label, shapes, category, _), (segmentation, rle) in zip(drawn, _segmentations([d[3] for d in drawn])):
        ignore = category == "ignore"
        annotation: dict[str, Any] = {
            "category_id": IGNORE_CATEGORY_ID if ignore else category,
            "segmentation": segmentation,
            **dict(zip(("area", "bbox"), _area_and_box(rle))),
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


def split_images(coco: dict[str, Any], train_fraction: float, seed: int = 0) -> dict[str, list[int]]:
    """Mark each image ``"split": "train"|"val"`` at random (seeded); return the id lists.

    With two or more images and 0 < fraction < 1, both parts get at least one image.
    """
    if not 0 < train_fraction <= 1:
        raise ValueError(f"the train fraction must lie in (0, 1], got {train_fraction}")
    ids = sorted(image["id"] for image in coco["images"])
    order = np.random.default_rng(seed).permutation(len(ids))
    n_train = int(round(train_fraction * len(ids)))
    if len(ids) >= 2 and train_fraction < 1:
        n_train = min(max(n_train, 1), len(ids) - 1)
    train = {ids[i] for i in order[:n_train]}
    for image in coco["images"]:
        image["split"] = "train" if image["id"] in train else "val"
    return {"train": sorted(train), "val": sorted(set(ids) - train)}


def subset(coco: dict[str, Any], split: str) -> dict[str, Any]:
    """The images (and their annotations) of one split, as a COCO dict of its own."""
    images = [image for image in coco["images"] if image.get("split") == split]
    keep = {image["id"] for image in images}
    return {**coco, "images": images, "annotations": [a for a in coco["annotations"] if a["image_id"] in keep]}


# ----------------------------------------------------------------------------- checking a COCO set


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
        raise LabelmeError([f"{path}: file not found"]) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise LabelmeError([f"{path}: not valid JSON ({exc})"]) from None


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
        size = _upright_size(path)
        if size is None:
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


def _upright_size(path: Path) -> tuple[int, int] | None:
    try:
        with Image.open(path) as image:
            width, height = image.size
            orientation = exif_orientation(image)
    except Exception:
        return None
    return (width, height) if orientation in (5, 6, 7, 8) else (height, width)


def _raise_if(problems: list[str]) -> None:
    if problems:
        raise LabelmeError(problems)


# ----------------------------------------------------------------------------- COCO -> labelme


def coco_to_labelme(
    coco, images_dir: str | os.PathLike, out_dir: str | os.PathLike, progress: bool = True
) -> list[Path]:
    """Write one labelme file per COCO image into ``out_dir``, with a copy of the image beside it.

    Checks the whole set first and raises :class:`LabelmeError` (every problem) before writing.
    """
    from tqdm.auto import tqdm

    coco, name = load_coco(coco)
    images, problems = check_coco(coco, images_dir, name)
    _raise_if(problems)
    categories = {c["id"]: c["name"] for c in coco["categories"]}
    out_dir = Path(out_dir)
    written = []
    for image in tqdm(images, desc="COCO -> labelme", disable=not progress):
        height, width = image.entry["height"], image.entry["width"]
        shapes: list[LabelmeShape] = []
        next_group = 1
        for annotation in image.annotations:
            crowd = annotation.get("category_id") == IGNORE_CATEGORY_ID or annotation.get("ignore")
            label = IGNORE_LABEL if crowd else categories[annotation["category_id"]]
            made, next_group = _labelme_shapes(annotation, label, height, width, next_group)
            shapes.extend(made)
        target_image = out_dir / image.path.name
        if target_image.resolve() != image.path.resolve():
            write_bytes(target_image, image.path.read_bytes())
        item = LabelmeFile(
            path=out_dir / f"{image.path.stem}.json",
            image_path=target_image,
            image_name=image.path.name,
            height=height,
            width=width,
            shapes=shapes,
            flags=dict(image.entry.get("flags", {})),
        )
        written.append(write_json(item.path, labelme_file_to_dict(item)))
    return written


def _labelme_shapes(annotation, label, height, width, next_group) -> tuple[list[LabelmeShape], int]:
    mask = annotation_mask(annotation, height, width)
    if not mask.any():
        return [], next_group
    description = annotation.get("description", "")
    flags = dict(annotation.get("flags", {}))
    if isinstance(annotation["segmentation"], list):
        point_lists = outlines.labelme_polygons(mask)
        if point_lists is not None:
            shapes = [
                LabelmeShape(
                    label=label,
                    points=points,
                    shape_type="polygon" if len(points) > 2 else "rectangle",
                    description=description,
                    flags=dict(flags),
                )
                for points in point_lists
            ]
            union = np.zeros_like(mask)
            for shape in shapes:
                union |= labelme_compat.shape_to_mask((height, width), shape.points, shape.shape_type)
            if np.array_equal(union, mask):
                if len(shapes) > 1:
                    for shape in shapes:
                        shape.group_id = next_group
                    next_group += 1
                return shapes, next_group
    return [mask_shape(label, mask, description=description, flags=flags)], next_group


# ----------------------------------------------------------------------------- COCO -> SPADE


def category_values(coco: Mapping[str, Any], name: str = "COCO") -> tuple[dict[int, int], list[str]]:
    """category id -> ADE20K value (from ``ade20k_value`` or the name), and the problems."""
    values: dict[int, int] = {}
    problems = []
    for category in coco["categories"]:
        value = category.get("ade20k_value")
        if value is None:
            try:
                value = schema.ade20k_value(str(category.get("name")))
            except KeyError:
                problems.append(
                    f"{name}: category {category.get('id')} ({category.get('name')}): no ADE20K value; "
                    'name it after an ADE20K class or alias, or add "ade20k_value"'
                )
                continue
        if not isinstance(value, int) or not 0 <= value <= schema.NUM_ADE20K_CLASSES:
            problems.append(
                f"{name}: category {category.get('id')} ({category.get('name')}): ade20k_value {value!r} "
                f"is not in 0..{schema.NUM_ADE20K_CLASSES}"
            )
            continue
        values[category["id"]] = value
    return values, problems


def coco_to_spade(
    coco,
    images_dir: str | os.PathLike,
    out_dir: str | os.PathLike,
    val_fraction: float = 0.2,
    seed: int = 0,
    progress: bool = True,
) -> Path:
    """Write the SPADE folder (layout in the module docstring); return the path of ``dataset.json``.

    The split comes from the images' ``"split"`` fields when every image has one, else it is
    drawn with ``seed`` (``val_fraction`` of the images for validation).
    """
    from tqdm.auto import tqdm

    coco, name = load_coco(coco)
    images, problems = check_coco(coco, images_dir, name)
    if not problems:
        values, problems = category_values(coco, name)
    _raise_if(problems)
    if not images:
        raise LabelmeError([f"{name}: no images"])
    out_dir = Path(out_dir)
    split_of = _splits(coco, images, val_fraction, seed)
    pixels = {c["id"]: 0 for c in coco["categories"]}
    instances = {c["id"]: 0 for c in coco["categories"]}
    other_pixels = 0
    for image in tqdm(images, desc="COCO -> SPADE", disable=not progress):
        height, width = image.entry["height"], image.entry["width"]
        label_map = np.zeros((height, width), dtype=np.uint8)
        instance_map = np.zeros((height, width), dtype=np.uint16)
        owner = np.full((height, width), -1, dtype=np.int64)  # which category each pixel ended up with
        count = 0
        for annotation in image.annotations:
            mask = annotation_mask(annotation, height, width)
            if annotation.get("category_id") == IGNORE_CATEGORY_ID or annotation.get("ignore"):
                label_map[mask], instance_map[mask], owner[mask] = 0, 0, -1
                continue
            count += 1
            label_map[mask] = values[annotation["category_id"]]
            instance_map[mask] = count
            owner[mask] = annotation["category_id"]
            instances[annotation["category_id"]] += 1
        ids, totals = np.unique(owner, return_counts=True)
        for category_id, total in zip(ids.tolist(), totals.tolist()):
            if category_id >= 0:
                pixels[category_id] += total
        other_pixels += int((label_map == 0).sum())
        stem = image.path.stem
        _write_spade_image(image.path, out_dir / "images", stem)
        write_png(out_dir / "labels" / f"{stem}.png", label_map)
        write_png(out_dir / "instances" / f"{stem}.png", instance_map)
    classes = [
        {"name": c["name"], "value": values[c["id"]], "pixels": pixels[c["id"]], "instances": instances[c["id"]]}
        for c in coco["categories"]
    ]
    splits = {
        "train": sorted(s for s, v in split_of.items() if v == "train"),
        "val": sorted(s for s, v in split_of.items() if v == "val"),
    }
    dataset = {
        "classes": classes,
        "splits": splits,
        "counts": {
            "images": len(images),
            "train": len(splits["train"]),
            "val": len(splits["val"]),
            "instances": sum(instances.values()),
            "other_pixels": other_pixels,
            "pixels": sum(i.entry["height"] * i.entry["width"] for i in images),
        },
        "layout": "images/STEM.png|jpg, labels/STEM.png (uint8 ADE20K values, 0 = other), "
        "instances/STEM.png (uint16, 0 = none)",
    }
    return write_json(out_dir / "dataset.json", dataset)


def _splits(coco, images: list[CocoImage], val_fraction: float, seed: int) -> dict[str, str]:
    if all(image.entry.get("split") in ("train", "val") for image in images):
        return {image.path.stem: image.entry["split"] for image in images}
    marked = {"images": [{"id": image.entry["id"]} for image in images]}
    split_images(marked, 1 - val_fraction, seed)
    by_id = {e["id"]: e["split"] for e in marked["images"]}
    return {image.path.stem: by_id[image.entry["id"]] for image in images}


def _write_spade_image(source: Path, folder: Path, stem: str) -> Path:
    """Copy the photo as it is when that is already upright PNG/JPEG; else save it upright as PNG."""
    suffix = SPADE_IMAGE_SUFFIXES.get(source.suffix.lower())
    with Image.open(source) as image:
        orientation = exif_orientation(image)
        fmt = image.format
        if suffix is not None and orientation == 1 and fmt in ("PNG", "JPEG"):
            target = folder / f"{stem}{suffix}"
            _remove_other_variants(folder, stem, target)
            return write_bytes(target, source.read_bytes())
        pixels = np.asarray(ImageOps.exif_transpose(image).convert("RGB"))
    target = folder / f"{stem}.png"
    _remove_other_variants(folder, stem, target)
    return write_png(target, pixels)


def _remove_other_variants(folder: Path, stem: str, keep: Path) -> None:
    """A rerun that changes a photo's format must not leave the old file beside the new one."""
    for suffix in (".png", ".jpg"):
        old = folder / f"{stem}{suffix}"
        if old != keep and old.exists():
            old.unlink()


def check_against_labelme(
    coco: Mapping[str, Any], labelme_dir: str | os.PathLike, allow_outside: bool = False
) -> tuple[int, int]:
    """(objects whose pycocotools mask equals labelme's pixels, objects): the conversion's promise, checked.

    Uses ``pycocotools.coco.COCO.annToMask`` on every annotation made by :func:`labelme_to_coco`
    and labelme's rasterization of the shapes of the same object.
    """
    import contextlib
    import io

    from pycocotools.coco import COCO

    from .annotate import read_labelme

    with contextlib.redirect_stdout(io.StringIO()):  # pycocotools prints its progress
        api = COCO()
        api.dataset = dict(coco)
        api.createIndex()
    categories = make_categories([c["name"] for c in coco["categories"]])
    same = total = 0
    for image in coco["images"]:
        item = read_labelme(Path(labelme_dir) / image["labelme_file"], allow_outside=allow_outside)
        objects: dict[Any, list[LabelmeShape]] = {}
        for number, shape in enumerate(item.shapes):
            key = (shape.label, number if shape.group_id is None else f"group {shape.group_id}")
            objects.setdefault(key, []).append(shape)
        kept = [shapes for (label, _), shapes in objects.items() if categories.resolve(label) != "background"]
        for annotation, shapes in zip(api.loadAnns(api.getAnnIds(imgIds=[image["id"]])), kept):
            expected = np.any([item.shape_mask(shape) for shape in shapes], axis=0)
            same += bool(np.array_equal(api.annToMask(annotation).astype(bool), expected))
            total += 1
    return same, total
