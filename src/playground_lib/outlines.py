"""Exact outlines: polygons that two different rasterizers turn back into the same pixels.

COCO and labelme disagree about where a pixel is. pycocotools treats pixel ``(x, y)`` as the
square ``[x, x+1] x [y, y+1]`` and fills it when the polygon covers its centre; labelme (PIL)
treats pixel ``(x, y)`` as the point ``(x, y)`` and fills it when the polygon *or its outline*
touches it. A labelme polygon copied into COCO unchanged therefore loses or gains a row of
pixels at its edges, and that is how converted datasets quietly stop matching their annotations.

So the conversions here never copy polygons across. They rasterize the shapes the way the
source tool does, then trace the pixels again for the target tool:

* :func:`coco_polygons` follows the pixel *edges* ("crack" outline, corners on whole numbers):
  pycocotools fills exactly the traced pixels.
* :func:`labelme_polygons` follows the *centres* of the boundary pixels: PIL fills exactly the
  traced pixels, outline included.

Both trace each 4-connected region separately. A region with a hole cannot be written as a
union of polygons, so both return ``None`` for it and the caller keeps an RLE / mask instead.
Callers check every result against the rasterizer (:mod:`playground_lib.coco` does) rather than
trusting the geometry above.
"""

from __future__ import annotations

import numpy as np

# Directions in image coordinates (y grows downwards): east, south, west, north.
_STEP = ((1, 0), (0, 1), (-1, 0), (0, -1))


def crack_loops(mask: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(outer loops, hole loops) of a boolean mask, as (K, 2) int arrays of corner points.

    Loops run with the region on their right-hand side (clockwise on screen); only the points
    where the direction changes are kept. Where two pixels touch only at a corner, the walk
    turns towards the region, so they end up in separate loops (4-connectivity).
    """
    mask = np.asarray(mask, dtype=bool)
    padded = np.pad(mask, 1)
    core = padded[1:-1, 1:-1]
    starts: dict[tuple[int, int], list[int]] = {}
    edges: list[tuple[int, int, int]] = []
    # Edge of a region pixel (y, x) next to background, with its start corner and direction.
    for direction, neighbour, (ox, oy) in (
        (0, padded[:-2, 1:-1], (0, 0)),   # top edge, walking east from the pixel's top-left corner
        (1, padded[1:-1, 2:], (1, 0)),    # right edge, walking south from the top-right corner
        (2, padded[2:, 1:-1], (1, 1)),    # bottom edge, walking west from the bottom-right corner
        (3, padded[1:-1, :-2], (0, 1)),   # left edge, walking north from the bottom-left corner
    ):
        ys, xs = np.nonzero(core & ~neighbour)
        for x, y in zip((xs + ox).tolist(), (ys + oy).tolist()):
            starts.setdefault((x, y), []).append(len(edges))
            edges.append((x, y, direction))
    used = bytearray(len(edges))
    outer: list[np.ndarray] = []
    holes: list[np.ndarray] = []
    for first in range(len(edges)):
        if used[first]:
            continue
        corners: list[tuple[int, int]] = []
        edge = first
        while not used[edge]:
            used[edge] = 1
            x, y, direction = edges[edge]
            dx, dy = _STEP[direction]
            end = (x + dx, y + dy)
            candidates = starts[end]
            if len(candidates) == 1:
                following = candidates[0]
            else:  # a corner shared by two diagonal pixels: turn right, towards this region
                by_direction = {edges[c][2]: c for c in candidates}
                following = next(by_direction[d] for d in ((direction + 1) % 4, direction, (direction + 3) % 4) if d in by_direction)
            if edges[following][2] != direction:
                corners.append(end)
            edge = following
        loop = np.asarray(corners, dtype=np.int64)
        (outer if _signed_area(loop) > 0 else holes).append(loop)
    return outer, holes


def _signed_area(loop: np.ndarray) -> float:
    x, y = loop[:, 0], loop[:, 1]
    return float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y)) / 2


def coco_polygons(mask: np.ndarray) -> list[list[float]] | None:
    """COCO polygon segmentation (``[[x0, y0, x1, y1, ...], ...]``) of a mask, or None if it has holes."""
    outer, holes = crack_loops(mask)
    if holes or not outer:
        return None
    return [loop.astype(float).ravel().tolist() for loop in outer]


# The region pixel at a corner where the walk turns: before/after the turn (see crack_loops).
_PIXEL_BEFORE = {0: (-1, 0), 1: (-1, -1), 2: (0, -1), 3: (0, 0)}  # arriving east/south/west/north
_INNER_PIXEL = {0: (0, 0), 1: (-1, 0), 2: (-1, -1), 3: (0, -1)}  # left turn: the pixel diagonal inside


def labelme_polygons(mask: np.ndarray) -> list[list[list[float]]] | None:
    """labelme point lists, one per region, that PIL fills back to exactly ``mask``.

    Regions of one or two pixels come back as two-point lists, meant as ``rectangle`` shapes
    (a polygon needs three points). None when the mask has a hole.
    """
    outer, holes = crack_loops(mask)
    if holes or not outer:
        return None
    shapes = []
    for loop in outer:
        incoming = np.roll(loop, 1, axis=0)
        points: list[tuple[int, int]] = []
        for (x, y), (px, py), (nx, ny) in zip(loop.tolist(), incoming.tolist(), np.roll(loop, -1, axis=0).tolist()):
            arriving = _direction(px, py, x, y)
            leaving = _direction(x, y, nx, ny)
            if leaving == (arriving + 1) % 4:  # right turn: the corner pixel itself
                ox, oy = _PIXEL_BEFORE[arriving]
            else:  # left turn: the pixel diagonally inside the corner
                ox, oy = _INNER_PIXEL[arriving]
            point = (x + ox, y + oy)
            if not points or points[-1] != point:
                points.append(point)
        while len(points) > 1 and points[0] == points[-1]:
            points.pop()
        points = _drop_collinear(points)
        if len(points) < 3:
            xs = [p[0] for p in points]
            ys = [p[1] for p in points]
            points = [(min(xs), min(ys)), (max(xs), max(ys))]
        shapes.append([[float(x), float(y)] for x, y in points])
    return shapes


def _direction(x0: int, y0: int, x1: int, y1: int) -> int:
    if y1 == y0:
        return 0 if x1 > x0 else 2
    return 1 if y1 > y0 else 3


def _drop_collinear(points: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Remove points in the middle of a straight run (never a run's turning point)."""
    if len(points) < 3:
        return points
    kept = []
    count = len(points)
    for i, (x, y) in enumerate(points):
        (ax, ay), (bx, by) = points[i - 1], points[(i + 1) % count]
        cross = (x - ax) * (by - y) - (y - ay) * (bx - x)
        forward = (x - ax) * (bx - x) + (y - ay) * (by - y)
        if cross != 0 or forward <= 0:
            kept.append((x, y))
    return kept
