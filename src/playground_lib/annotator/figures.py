"""Sample photos and polygon helpers for notebook 01 (annotating playgrounds).

Kept out of the notebook so that its cells stay a few lines long; its pictures are drawn by
``playground_lib.figures.annotation``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np

from ..labelme import rasterize
from ..labels import ade20k_value
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


def polygon_variants(points: list[list[float]], coarse_points: int = 5) -> dict[str, list[list[float]]]:
    """A careful polygon, the same outline with only a few points, and a loose box around it."""
    pts = np.asarray(points, dtype=float)
    step = max(1, len(pts) // coarse_points)
    x0, y0 = pts.min(axis=0)
    x1, y1 = pts.max(axis=0)
    pad = 0.15 * max(x1 - x0, y1 - y0)
    box = [[x0 - pad, y0 - pad], [x1 + pad, y0 - pad], [x1 + pad, y1 + pad], [x0 - pad, y1 + pad]]
    return {"careful": pts.tolist(), "few points": pts[::step].tolist(), "loose box": box}
