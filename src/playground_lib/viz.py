"""Pictures for the notebooks: masks over photos, class counts, dataset samples.

A small collection of independent plotting functions (matplotlib only, imported when called).
Each takes plain data (arrays, COCO dicts, folders), draws into a new figure or the ``ax`` it is
given, and returns the figure, so a notebook cell stays one call long. Colours are always the
ADE20K palette of :mod:`playground_lib.labels`, the colours SPADE sketches use, so a tree is the
same green in every picture of the series.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from . import labels as schema


def _color(value: int) -> np.ndarray:
    return schema.palette()[int(value)].astype(float) / 255


def _category_values(coco: Mapping[str, Any]) -> dict[int, int]:
    values = {}
    for category in coco["categories"]:
        value = category.get("ade20k_value")
        if value is None:
            try:
                value = schema.ade20k_value(category["name"])
            except KeyError:
                value = 0
        values[category["id"]] = int(value)
    return values


def _axes_grid(count: int, columns: int, size: float = 3.2):
    import matplotlib.pyplot as plt

    columns = max(1, min(columns, count))
    rows = (count + columns - 1) // columns
    fig, axes = plt.subplots(rows, columns, figsize=(size * columns, size * rows), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    return fig, axes.ravel()


def show_row(panels: Sequence[tuple[np.ndarray, str]], panel_size: float = 3.6, title_size: int = 9):
    """Pictures side by side, each with a title: the before/after and picture/labels rows of the series."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(panels), figsize=(panel_size * len(panels), panel_size), squeeze=False)
    for ax, (picture, title) in zip(axes[0], panels):
        ax.imshow(picture, interpolation="nearest")
        ax.set_title(title, fontsize=title_size)
        ax.axis("off")
    fig.tight_layout()
    return fig


def overlay_masks(
    image: np.ndarray, masks: Sequence[np.ndarray], values: Sequence[int], alpha: float = 0.55
) -> np.ndarray:
    """The photo with each mask tinted in its class colour (later masks on top), HxWx3 uint8."""
    out = np.asarray(image, dtype=float)[..., :3].copy()
    for mask, value in zip(masks, values):
        out[mask] = (1 - alpha) * out[mask] + alpha * 255 * _color(value)
    return out.clip(0, 255).astype(np.uint8)


def show_coco_masks(
    coco: Mapping[str, Any],
    images_dir: str | os.PathLike,
    image_ids: Sequence[int] | None = None,
    columns: int = 3,
    outlines: bool = True,
):
    """Draw the masks of a COCO dict (decoded by pycocotools) over their images."""
    from .coco.masks import annotation_mask
    from .labelme.image import read_upright_rgb

    images = {image["id"]: image for image in coco["images"]}
    image_ids = list(image_ids if image_ids is not None else list(images)[:columns])
    values = _category_values(coco)
    names = {c["id"]: c["name"] for c in coco["categories"]}
    fig, axes = _axes_grid(len(image_ids), columns, size=4.2)
    for ax, image_id in zip(axes, image_ids):
        entry = images[image_id]
        photo = read_upright_rgb(Path(images_dir) / entry["file_name"])
        annotations = [a for a in coco["annotations"] if a["image_id"] == image_id and not a.get("iscrowd")]
        masks = [annotation_mask(a, entry["height"], entry["width"]) for a in annotations]
        ax.imshow(overlay_masks(photo, masks, [values[a["category_id"]] for a in annotations]))
        if outlines:
            for mask in masks:
                ax.contour(mask, levels=[0.5], colors="white", linewidths=0.6)
        kinds = len({names[a["category_id"]] for a in annotations})
        ax.set_title(f"{Path(entry['file_name']).name}: {len(annotations)} objects, {kinds} classes", fontsize=9)
    fig.tight_layout()
    return fig


def area_sum(coco: Mapping[str, Any], image_id: int) -> float:
    """The annotations' areas of one image added up, as a multiple of the image (above 1: they overlap)."""
    image = next(i for i in coco["images"] if i["id"] == image_id)
    total = sum(a["area"] for a in coco["annotations"] if a["image_id"] == image_id)
    return total / (image["height"] * image["width"])


def _same_objects(whole: Mapping[str, Any], visible: Mapping[str, Any], entry: Mapping[str, Any]) -> list[tuple]:
    """(whole, visible) annotation pairs of one image: the same object, in both conversions' order.

    Objects hidden entirely have no visible annotation, so each visible one is matched to the next
    whole one of its class that contains it.
    """
    from .coco.masks import annotation_mask

    def mine(coco):
        return [a for a in coco["annotations"] if a["image_id"] == entry["id"]]

    layers, pairs = iter(mine(whole)), []
    for seen in mine(visible):
        seen_mask = annotation_mask(seen, entry["height"], entry["width"])
        for layer in layers:
            if layer["category_id"] == seen["category_id"]:
                layer_mask = annotation_mask(layer, entry["height"], entry["width"])
                if not (seen_mask & ~layer_mask).any():
                    pairs.append((layer, seen))
                    break
    return pairs


def show_layers_vs_visible(
    whole: Mapping[str, Any], visible: Mapping[str, Any], images_dir: str | os.PathLike, image_id: int = 1
):
    """The most hidden object of an image twice: as drawn (a whole layer) and as seen (its visible region).

    ``whole`` and ``visible``: the same folder converted with and without ``whole_shapes``.
    """
    from .coco.masks import annotation_mask
    from .labelme.image import read_upright_rgb

    entry = next(i for i in whole["images"] if i["id"] == image_id)
    photo = read_upright_rgb(Path(images_dir) / entry["file_name"])
    layer, seen = max(_same_objects(whole, visible, entry), key=lambda pair: pair[0]["area"] - pair[1]["area"])
    name = next(c["name"] for c in whole["categories"] if c["id"] == layer["category_id"])
    value = _category_values(whole)[layer["category_id"]]
    panels = [(photo, Path(entry["file_name"]).name)]
    for annotation, how in ((layer, "as drawn (a layer)"), (seen, "as seen (visible region)")):
        mask = annotation_mask(annotation, entry["height"], entry["width"])
        bbox = [round(v) for v in annotation["bbox"]]
        panels.append(
            (
                overlay_masks(photo, [mask], [value], alpha=0.7),
                f"{name} {how}\narea {annotation['area']:.0f}, bbox {bbox}",
            )
        )
    return show_row(panels)


def class_counts(classes: Sequence[Mapping[str, Any]], key: str = "instances", ax=None, title: str | None = None):
    """Horizontal bars of how many objects (or pixels) each class has, in the class colours.

    ``classes``: ``[{"name", "value", key: count}, ...]`` as in a SPADE ``dataset.json``; see
    :func:`coco_class_counts` for a COCO dict.
    """
    import matplotlib.pyplot as plt

    rows = sorted(classes, key=lambda c: c[key])
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 0.28 * len(rows) + 1))
    ax.barh(
        [c["name"] for c in rows],
        [c[key] for c in rows],
        color=[_color(c["value"]) for c in rows],
        edgecolor="black",
        linewidth=0.4,
    )
    ax.set_xlabel(f"{key} in the dataset")
    ax.set_title(title or f"{key.capitalize()} per class")
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    ax.figure.tight_layout()
    return ax.figure


def coco_class_counts(coco: Mapping[str, Any]) -> list[dict[str, Any]]:
    """``[{"name", "value", "instances", "pixels"}]`` of a COCO dict (crowd regions left out)."""
    values = _category_values(coco)
    counts = {
        c["id"]: {"name": c["name"], "value": values[c["id"]], "instances": 0, "pixels": 0} for c in coco["categories"]
    }
    for annotation in coco["annotations"]:
        if annotation.get("iscrowd") or annotation["category_id"] not in counts:
            continue
        counts[annotation["category_id"]]["instances"] += 1
        counts[annotation["category_id"]]["pixels"] += int(annotation.get("area", 0))
    return list(counts.values())


def show_spade_samples(spade_dir: str | os.PathLike, stems: Sequence[str] | None = None, count: int = 3):
    """Rows of photo | label map (ADE20K colours) | instance map from a SPADE folder."""
    import json

    from .fileio import read_png

    spade_dir = Path(spade_dir)
    if stems is None:
        splits = json.loads((spade_dir / "dataset.json").read_text(encoding="utf-8"))["splits"]
        stems = sorted(splits["train"] + splits["val"])[:count]
    fig, axes = _axes_grid(3 * len(stems), 3, size=2.6)
    rng = np.random.default_rng(0)
    for row, stem in enumerate(stems):
        photo = next(p for p in (spade_dir / "images" / f"{stem}{s}" for s in (".png", ".jpg")) if p.exists())
        label_map = read_png(spade_dir / "labels" / f"{stem}.png")
        instances = read_png(spade_dir / "instances" / f"{stem}.png")
        colours = rng.integers(60, 256, (int(instances.max()) + 1, 3)).astype(np.uint8)
        colours[0] = 0
        for column, (picture, title) in enumerate(
            (
                (read_png(photo), f"{stem}"),
                (schema.labels_to_colors(label_map), "labels/"),
                (colours[instances], "instances/"),
            )
        ):
            axes[3 * row + column].imshow(picture)
            axes[3 * row + column].set_title(title, fontsize=9)
    fig.tight_layout()
    return fig


def show_labelme(item, ax=None, title: str | None = None):
    """A labelme file (``annotate.LabelmeFile``) drawn as labelme shows it: photo + outlined shapes."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Polygon

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 5))
    ax.imshow(item.load_image())
    for shape in item.shapes:
        try:
            value = schema.ade20k_value(shape.label)
        except KeyError:
            value = 0
        colour = _color(value)
        if shape.shape_type == "polygon":
            ax.add_patch(Polygon(shape.points, closed=True, facecolor=(*colour, 0.35), edgecolor=colour, linewidth=1))
        else:
            mask = item.shape_mask(shape)
            ax.contour(mask, levels=[0.5], colors=[colour], linewidths=1)
    ax.set_xlim(0, item.width)
    ax.set_ylim(item.height, 0)
    ax.axis("off")
    ax.set_title(title or f"{item.path.name}: {len(item.shapes)} shapes", fontsize=9)
    return ax.figure
