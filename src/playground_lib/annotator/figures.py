"""Pictures and sample folders for notebook 01 (annotating playgrounds).

Kept out of the notebook so that its cells stay a few lines long, and out of the widget so that
the widget never imports matplotlib.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np

from ..labelme import rasterize
from ..labelme.image import read_upright_rgb
from ..labels import ade20k_value, labels_to_colors, palette
from ..paths import data_dir


def sample_images(count: int = 3) -> list[Path]:
    """The first ``count`` bundled synthetic playground photos (not their label maps)."""
    folder = data_dir() / "synthetic"
    images = sorted(p for p in folder.glob("scene_*.png") if not p.stem.endswith(("_label", "_instance")))
    if len(images) < count:
        raise FileNotFoundError(f"{folder}: expected at least {count} bundled scenes, found {len(images)}")
    return images[:count]


def copy_sample_images(dest: str | os.PathLike, count: int = 3, fresh: bool = False) -> Path:
    """Copy bundled photos into ``dest`` to annotate there (the bundled folder stays untouched).

    Photos already in ``dest`` are kept, and so are their annotations: running the notebook
    again never throws away your work. ``fresh=True`` empties the folder first (for demos).
    """
    dest = Path(dest)
    if fresh and dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True, exist_ok=True)
    for image in sample_images(count):
        if not (dest / image.name).exists():
            shutil.copyfile(image, dest / image.name)
    return dest


def _rgb(label: str) -> np.ndarray:
    try:
        return palette()[ade20k_value(label)] / 255.0
    except KeyError:
        return np.array([0.6, 0.6, 0.6])


def _load(json_path: Path) -> tuple[dict, np.ndarray]:
    data = json.loads(Path(json_path).read_text(encoding="utf-8"))
    return data, read_upright_rgb(Path(json_path).parent / data["imagePath"])


def label_map_of(data: dict) -> np.ndarray:
    """The ADE20K label map of a labelme dict, rasterized by labelme's own code (unknown labels -> 0)."""
    names = {s["label"] for s in data["shapes"]}
    values = {}
    for name in names:
        try:
            values[name] = ade20k_value(name)
        except KeyError:
            values[name] = 0
    shapes = [s for s in data["shapes"] if s.get("shape_type", "polygon") != "mask"]
    cls, _ = rasterize.shapes_to_label((data["imageHeight"], data["imageWidth"]), shapes, values)
    return cls.astype(np.uint8)


def show_annotation(json_path: str | os.PathLike, title: str | None = None):
    """Photo with its polygons drawn on, and the label map labelme makes of them."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Polygon as PolygonPatch

    data, picture = _load(Path(json_path))
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 5))
    left.imshow(picture)
    for shape in data["shapes"]:
        if shape.get("shape_type", "polygon") == "polygon":
            left.add_patch(
                PolygonPatch(
                    shape["points"],
                    closed=True,
                    fill=True,
                    alpha=0.25,
                    facecolor=_rgb(shape["label"]),
                    edgecolor="white",
                    linewidth=1.5,
                )
            )
    left.set_title(f"{len(data['shapes'])} polygon(s) on {data['imagePath']}")
    right.imshow(labels_to_colors(label_map_of(data)))
    right.set_title("the label map they make (ADE20K colours)")
    for ax in (left, right):
        ax.axis("off")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    union = np.logical_or(a, b).sum()
    return float(np.logical_and(a, b).sum() / union) if union else 1.0


def polygon_variants(points: list[list[float]], coarse_points: int = 5) -> dict[str, list[list[float]]]:
    """A careful polygon, the same outline with only a few points, and a loose box around it."""
    pts = np.asarray(points, dtype=float)
    step = max(1, len(pts) // coarse_points)
    x0, y0 = pts.min(axis=0)
    x1, y1 = pts.max(axis=0)
    pad = 0.15 * max(x1 - x0, y1 - y0)
    box = [[x0 - pad, y0 - pad], [x1 + pad, y0 - pad], [x1 + pad, y1 + pad], [x0 - pad, y1 + pad]]
    return {"careful": pts.tolist(), "few points": pts[::step].tolist(), "loose box": box}


def compare_polygon_quality(json_path: str | os.PathLike, label: str = "tree"):
    """Draw a careful, a coarse and a loose polygon around the biggest ``label`` object; show IoU.

    IoU (intersection over union) is 1.0 when a polygon covers exactly the object's pixels;
    the ground truth here is the synthetic scene's own pixel-perfect polygon.
    """
    import matplotlib.pyplot as plt
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
    fig, axes = plt.subplots(1, 3, figsize=(11, 4))
    scores = {}
    for ax, (name, variant) in zip(axes, polygon_variants(target["points"]).items()):
        clipped = np.clip(np.asarray(variant), 0, [w, h]).tolist()
        scores[name] = _iou(rasterize.shape_to_mask((h, w), clipped, "polygon"), truth)
        ax.imshow(picture)
        ax.add_patch(
            PolygonPatch(
                clipped, closed=True, fill=True, alpha=0.35, facecolor=_rgb(label), edgecolor="yellow", linewidth=2
            )
        )
        ax.plot(*np.asarray(clipped).T, "o", color="yellow", markersize=3)
        ax.set_xlim(max(x0 - margin, 0), min(x1 + margin, w))
        ax.set_ylim(min(y1 + margin, h), max(y0 - margin, 0))
        ax.set_title(f"{name}: {len(variant)} points, IoU {scores[name]:.2f}")
        ax.axis("off")
    fig.tight_layout()
    return fig, scores
