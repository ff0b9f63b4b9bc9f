"""Pictures for notebooks 02 and 06 (labelme -> COCO -> SPADE): masks, class counts, SPADE samples, square crops.

Each takes plain data (COCO dicts, folders), draws into a new figure (or the ``ax`` it is given)
and returns the figure, so a notebook cell stays one call long.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .. import labels as schema
from .common import axes_grid, class_colour, show_panels


def _category_values(coco: Mapping[str, Any]) -> dict[int, int]:
    values = {}
    for category in coco["categories"]:
        value = category.get("ade20k_value")
        values[category["id"]] = int(schema.value_or_other(category["name"]) if value is None else value)
    return values


def overlay_masks(
    image: np.ndarray, masks: Sequence[np.ndarray], values: Sequence[int], alpha: float = 0.55
) -> np.ndarray:
    """The photo with each mask tinted in its class colour (later masks on top), HxWx3 uint8."""
    out = np.asarray(image, dtype=float)[..., :3].copy()
    for mask, value in zip(masks, values):
        out[mask] = (1 - alpha) * out[mask] + alpha * 255 * class_colour(value)
    return out.clip(0, 255).astype(np.uint8)


def show_coco_masks(
    coco: Mapping[str, Any],
    images_dir: str | os.PathLike,
    image_ids: Sequence[int] | None = None,
    columns: int = 3,
    outlines: bool = True,
):
    """Draw the masks of a COCO dict (decoded by pycocotools) over their images."""
    from ..coco.masks import annotation_mask
    from ..labelme.image import read_upright_rgb

    images = {image["id"]: image for image in coco["images"]}
    image_ids = list(image_ids if image_ids is not None else list(images)[:columns])
    values = _category_values(coco)
    names = {c["id"]: c["name"] for c in coco["categories"]}
    fig, axes = axes_grid(len(image_ids), columns, panel_size=4.2)
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
    from ..coco.masks import annotation_mask

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
    from ..coco.masks import annotation_mask
    from ..labelme.image import read_upright_rgb

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
    return show_panels(panels)


def show_class_counts(classes: Sequence[Mapping[str, Any]], key: str = "instances", ax=None, title: str | None = None):
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
        color=[class_colour(c["value"]) for c in rows],
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

    from ..fileio import read_png

    spade_dir = Path(spade_dir)
    if stems is None:
        splits = json.loads((spade_dir / "dataset.json").read_text(encoding="utf-8"))["splits"]
        stems = sorted(splits["train"] + splits["val"])[:count]
    panels = []
    rng = np.random.default_rng(0)
    for stem in stems:
        photo = next(p for p in (spade_dir / "images" / f"{stem}{s}" for s in (".png", ".jpg")) if p.exists())
        label_map = read_png(spade_dir / "labels" / f"{stem}.png")
        instances = read_png(spade_dir / "instances" / f"{stem}.png")
        colours = rng.integers(60, 256, (int(instances.max()) + 1, 3)).astype(np.uint8)
        colours[0] = 0
        panels += [
            (read_png(photo), f"{stem}"),
            (schema.labels_to_colors(label_map), "labels/"),
            (colours[instances], "instances/"),
        ]
    return show_panels(panels, columns=3, panel_size=2.6)


def show_square_crop(data_dir: str | Path, split: str = "val"):
    """A wide picture of the set with the middle square marked: what samples and scores see of it.

    The trainer learns on squares; a participant whose landscape photo seems to lose its sides in
    the validation samples should see why, on their own photo. Prints a line and returns None when
    every picture of the split is square.
    """
    from matplotlib.patches import Rectangle

    from ..labelme.image import read_upright_rgb, upright_size
    from ..train.dataset import find_samples

    for sample in find_samples(data_dir, split):
        height, width = upright_size(sample.image)  # the header: only the picture shown is decoded
        if height != width:
            break
    else:
        print(f"Every {split} picture in {data_dir} is square: nothing is cut.")
        return None
    picture = read_upright_rgb(sample.image)
    side = min(height, width)
    x, y = (width - side) // 2, (height - side) // 2
    print(
        f"{sample.image.name} is {width} x {height}: training takes a square of it (a different one each "
        f"step); samples and scores take the middle {side} x {side}, inside the yellow frame."
    )
    fig, (axes,) = axes_grid(1, 1, panel_size=(4.5 * width / height, 4.5))
    axes.imshow(picture)
    for left, right in ((0, x), (x + side, width)):
        if right > left:
            axes.add_patch(Rectangle((left - 0.5, -0.5), right - left, height, color="black", alpha=0.45, lw=0))
    for top, bottom in ((0, y), (y + side, height)):
        if bottom > top:
            axes.add_patch(Rectangle((-0.5, top - 0.5), width, bottom - top, color="black", alpha=0.45, lw=0))
    axes.add_patch(Rectangle((x - 0.5, y - 0.5), side, side, fill=False, edgecolor="yellow", lw=2.5))
    axes.set_title(f"{sample.image.name}: the middle square", fontsize=11)
    fig.tight_layout()
    return fig
