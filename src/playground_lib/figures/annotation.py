"""Pictures for notebooks 01 and 02 (annotating): polygons over photos, and what careless ones cost."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from ..annotator.figures import label_map_of, polygon_variants
from ..labelme import rasterize
from ..labelme.image import read_upright_rgb
from ..labels import labels_to_colors
from .common import axes_grid, label_colour


def _load(json_path: Path) -> tuple[dict, np.ndarray]:
    data = json.loads(Path(json_path).read_text(encoding="utf-8"))
    return data, read_upright_rgb(Path(json_path).parent / data["imagePath"])


def show_annotation(json_path: str | os.PathLike, title: str | None = None):
    """Photo with its polygons drawn on, and the label map labelme makes of them."""
    from matplotlib.patches import Polygon as PolygonPatch

    data, picture = _load(Path(json_path))
    fig, (left, right) = axes_grid(2, 2, panel_size=5)
    left.imshow(picture)
    for shape in data["shapes"]:
        if shape.get("shape_type", "polygon") == "polygon":
            left.add_patch(
                PolygonPatch(
                    shape["points"],
                    closed=True,
                    fill=True,
                    alpha=0.25,
                    facecolor=label_colour(shape["label"]),
                    edgecolor="white",
                    linewidth=1.5,
                )
            )
    left.set_title(f"{len(data['shapes'])} polygon(s) on {data['imagePath']}")
    right.imshow(labels_to_colors(label_map_of(data)))
    right.set_title("the label map they make (ADE20K colours)")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    union = np.logical_or(a, b).sum()
    return float(np.logical_and(a, b).sum() / union) if union else 1.0


def show_polygon_quality(json_path: str | os.PathLike, label: str = "tree"):
    """Draw a careful, a coarse and a loose polygon around the biggest ``label`` object; show IoU.

    IoU (intersection over union) is 1.0 when a polygon covers exactly the object's pixels;
    the ground truth here is the synthetic scene's own pixel-perfect polygon. Returns the figure
    and the scores, so the notebook can print them.
    """
    from matplotlib.patches import Polygon as PolygonPatch

    data, picture = _load(Path(json_path))
    h, w = data["imageHeight"], data["imageWidth"]
    candidates = [s for s in data["shapes"] if s["label"] == label and s.get("shape_type", "polygon") == "polygon"]
    if not candidates:
        raise ValueError(f"{json_path}: no polygon labelled {label!r}")

    def inside(shape):  # an object cut by the picture's edge makes a poor example
        pts = np.asarray(shape["points"])
        return bool(pts.min() > 1 and (pts[:, 0] < w - 1).all() and (pts[:, 1] < h - 1).all())

    target = max(candidates, key=lambda s: (inside(s), rasterize.shape_to_mask((h, w), s["points"], "polygon").sum()))
    truth = rasterize.shape_to_mask((h, w), target["points"], "polygon")
    pts = np.asarray(target["points"])
    (x0, y0), (x1, y1) = pts.min(axis=0), pts.max(axis=0)
    margin = 0.4 * max(x1 - x0, y1 - y0) + 4
    fig, axes = axes_grid(3, 3, panel_size=(11 / 3, 4))
    scores = {}
    for ax, (name, variant) in zip(axes, polygon_variants(target["points"]).items()):
        clipped = np.clip(np.asarray(variant), 0, [w, h]).tolist()
        scores[name] = _iou(rasterize.shape_to_mask((h, w), clipped, "polygon"), truth)
        ax.imshow(picture)
        ax.add_patch(
            PolygonPatch(
                clipped,
                closed=True,
                fill=True,
                alpha=0.35,
                facecolor=label_colour(label),
                edgecolor="yellow",
                linewidth=2,
            )
        )
        ax.plot(*np.asarray(clipped).T, "o", color="yellow", markersize=3)
        ax.set_xlim(max(x0 - margin, 0), min(x1 + margin, w))
        ax.set_ylim(min(y1 + margin, h), max(y0 - margin, 0))
        ax.set_title(f"{name}: {len(variant)} points, IoU {scores[name]:.2f}")
    fig.tight_layout()
    return fig, scores


def show_labelme(item, ax=None, title: str | None = None):
    """A labelme file (``annotate.LabelmeFile``) drawn as labelme shows it: photo + outlined shapes."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Polygon

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 5))
    ax.imshow(item.load_image())
    for shape in item.shapes:
        colour = label_colour(shape.label)
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
