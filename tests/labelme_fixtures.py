"""Random labelme folders with every shape type, for the tests and the benchmark.

Real annotation sets mix everything labelme can draw; a converter that is only ever tried on
polygons breaks on the first rectangle. :func:`write_labelme_set` writes seeded images and
labelme files with polygons, rectangles, circles, lines, line strips, points, masks and grouped
shapes, labelled with schema classes, so a test can compare a conversion with labelme's own
rasterization on data that looks like a real folder.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from playground_lib.fileio import write_png
from playground_lib.labelme.format import SHAPE_TYPES, LabelmeShape, mask_shape
from playground_lib.labelme.write import save_labelme
from playground_lib.labels import PLAYGROUND_CLASS_NAMES


def random_shape(rng: np.random.Generator, shape_type: str, height: int, width: int, label: str) -> LabelmeShape:
    """One shape of the given type, inside the image, with fractional coordinates like labelme's."""

    def point(margin: float = 0.0) -> list[float]:
        return [float(rng.uniform(margin, width - margin)), float(rng.uniform(margin, height - margin))]

    if shape_type == "polygon":
        cx, cy = point(10)
        radius = rng.uniform(4, min(height, width) / 3)
        angles = np.sort(rng.uniform(0, 2 * np.pi, rng.integers(3, 12)))
        # Clipped one pixel inside the edge: a sliver clipped onto the edge itself would cover no pixel.
        points = [
            [
                float(np.clip(cx + radius * np.cos(a) * rng.uniform(0.5, 1), 0, width - 1)),
                float(np.clip(cy + radius * np.sin(a) * rng.uniform(0.5, 1), 0, height - 1)),
            ]
            for a in angles
        ]
        return LabelmeShape(label, points, "polygon")
    if shape_type == "rectangle":
        return LabelmeShape(label, [point(), point()], "rectangle")
    if shape_type == "circle":
        (cx, cy) = point(8)
        r = rng.uniform(2, min(cx, cy, width - cx, height - cy, 40))
        return LabelmeShape(label, [[cx, cy], [cx + r * 0.6, cy + r * 0.8]], "circle")
    if shape_type == "line":
        return LabelmeShape(label, [point(), point()], "line")
    if shape_type == "linestrip":
        return LabelmeShape(label, [point() for _ in range(rng.integers(2, 5))], "linestrip")
    if shape_type == "point":
        return LabelmeShape(label, [point()], "point")
    if shape_type == "mask":
        full = np.zeros((height, width), dtype=bool)
        x0, y0 = rng.integers(0, width - 8), rng.integers(0, height - 8)
        w, h = rng.integers(4, min(40, width - x0) + 1), rng.integers(4, min(40, height - y0) + 1)
        full[y0 : y0 + h, x0 : x0 + w] = rng.random((h, w)) < 0.7
        full[y0, x0] = full[y0 + h - 1, x0 + w - 1] = True
        return mask_shape(label, full)
    raise ValueError(f"unknown shape type {shape_type!r}")


def write_labelme_set(
    out_dir: str | os.PathLike,
    n: int,
    size: int | tuple[int, int] = 64,
    seed: int = 0,
    shape_types: Sequence[str] = SHAPE_TYPES,
    shapes_per_image: tuple[int, int] = (2, 7),
    labels: Sequence[str] = PLAYGROUND_CLASS_NAMES,
    groups: bool = True,
    noise: bool = True,
) -> list[Path]:
    """Write ``n`` images ``img_0000.png`` with labelme files ``img_0000.json``; return the JSON paths.

    ``noise=False`` paints each image one flat colour: small PNGs for the 1,000-image benchmark.
    """
    rng = np.random.default_rng(seed)
    height, width = (size, size) if isinstance(size, int) else size
    out_dir = Path(out_dir)
    paths = []
    for index in range(n):
        if noise:
            image = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
        else:
            image = np.broadcast_to(rng.integers(0, 256, 3, dtype=np.uint8), (height, width, 3))
        image_path = write_png(out_dir / f"img_{index:04d}.png", image)
        shapes = []
        for _ in range(rng.integers(*shapes_per_image)):
            shape = random_shape(rng, str(rng.choice(list(shape_types))), height, width, str(rng.choice(list(labels))))
            shapes.append(shape)
        if groups and len(shapes) >= 2 and rng.random() < 0.5:  # two shapes of one object
            shapes[-1].label = shapes[-2].label
            shapes[-1].group_id = shapes[-2].group_id = int(rng.integers(1, 5))
        paths.append(save_labelme(out_dir / f"img_{index:04d}.json", image_path.name, (height, width), shapes))
    return paths
