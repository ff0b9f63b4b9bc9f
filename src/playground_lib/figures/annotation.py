"""Pictures for notebooks 01 and 02 (annotating): shapes over photos, their label map, what careless ones cost."""

from __future__ import annotations

import os

import numpy as np

from ..labelme.check import read_labelme
from ..labelme.format import LabelmeFile, LabelmeShape
from ..labels import labels_to_colors, value_or_other
from .common import axes_grid, label_colour


def _read(json_path: str | os.PathLike) -> LabelmeFile:
    """The file as labelme opens it; points a little past the edge are drawn as labelme clips them."""
    return read_labelme(json_path, allow_outside=True)


def _draw_shapes(ax, item: LabelmeFile, alpha: float, edge=None, linewidth: float = 1.0) -> None:
    """Every shape over the photo: polygons filled, other types (rectangles, circles, masks) outlined by their pixels.

    ``edge``: one colour for every edge, else each shape's label colour.
    """
    from matplotlib.patches import Polygon

    for shape in item.shapes:
        colour = label_colour(shape.label)
        if shape.shape_type == "polygon":
            ax.add_patch(
                Polygon(
                    shape.points,
                    closed=True,
                    facecolor=(*colour, alpha),
                    edgecolor=colour if edge is None else edge,
                    linewidth=linewidth,
                )
            )
        else:
            mask = item.shape_mask(shape)
            ax.contour(mask, levels=[0.5], colors=[colour if edge is None else edge], linewidths=linewidth)


def show_annotation(json_path: str | os.PathLike, title: str | None = None):
    """Photo with its shapes drawn on, and the label map labelme makes of them (unknown labels: "other")."""
    item = _read(json_path)
    fig, (left, right) = axes_grid(2, 2, panel_size=5)
    left.imshow(item.load_image())
    _draw_shapes(left, item, alpha=0.25, edge="white", linewidth=1.5)
    left.set_title(f"{len(item.shapes)} shapes on {item.image_name}")
    classes, _ = item.label_maps({shape.label: value_or_other(shape.label) for shape in item.shapes})
    right.imshow(labels_to_colors(classes))
    right.set_title("the label map they make (ADE20K colours)")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def polygon_variants(points, coarse_points: int = 5) -> dict[str, list[list[float]]]:
    """A careful polygon, the same outline with only a few points, and a loose box around it."""
    pts = np.asarray(points, dtype=float)
    step = max(1, len(pts) // coarse_points)
    x0, y0 = pts.min(axis=0)
    x1, y1 = pts.max(axis=0)
    pad = 0.15 * max(x1 - x0, y1 - y0)
    box = [[x0 - pad, y0 - pad], [x1 + pad, y0 - pad], [x1 + pad, y1 + pad], [x0 - pad, y1 + pad]]
    return {"careful": pts.tolist(), "few points": pts[::step].tolist(), "loose box": box}


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

    item = _read(json_path)
    h, w = item.height, item.width
    candidates = [s for s in item.shapes if s.label == label and s.shape_type == "polygon"]
    if not candidates:
        raise ValueError(f"{json_path}: no polygon labelled {label!r}")

    def inside(shape: LabelmeShape) -> bool:  # an object cut by the picture's edge makes a poor example
        pts = np.asarray(shape.points)
        return bool(pts.min() > 1 and (pts[:, 0] < w - 1).all() and (pts[:, 1] < h - 1).all())

    target = max(candidates, key=lambda s: (inside(s), item.shape_mask(s).sum()))
    truth = item.shape_mask(target)
    picture = item.load_image()
    pts = np.asarray(target.points)
    (x0, y0), (x1, y1) = pts.min(axis=0), pts.max(axis=0)
    margin = 0.4 * max(x1 - x0, y1 - y0) + 4
    fig, axes = axes_grid(3, 3, panel_size=(11 / 3, 4))
    scores = {}
    for ax, (name, variant) in zip(axes, polygon_variants(target.points).items()):
        clipped = np.clip(np.asarray(variant), 0, [w, h]).tolist()
        scores[name] = _iou(item.shape_mask(LabelmeShape(label, clipped)), truth)
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


def show_labelme(item: LabelmeFile, ax=None, title: str | None = None):
    """A labelme file (read by ``labelme.check.read_labelme``) drawn as labelme shows it: photo + outlined shapes."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 5))
    ax.imshow(item.load_image())
    _draw_shapes(ax, item, alpha=0.35)
    ax.set_xlim(0, item.width)
    ax.set_ylim(item.height, 0)
    ax.axis("off")
    ax.set_title(title or f"{item.path.name}: {len(item.shapes)} shapes", fontsize=9)
    return ax.figure
