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

# A lattice corner sees four pixels: code = NW*1 + NE*2 + SW*4 + SE*8. For a corner where the
# outline turns, the direction it arrives in and leaves in (region kept on the right-hand side).
_TURNS = {
    1: (1, 2),
    2: (2, 3),
    4: (0, 1),
    8: (3, 0),  # one region pixel: convex corner
    14: (0, 3),
    13: (1, 0),
    11: (3, 2),
    7: (2, 1),  # three region pixels: concave corner
}
# Two diagonal pixels (codes 6 and 9) are two corners at once: arriving in d, leave turning right.
_SADDLES = {9: ((1, 2), (3, 0)), 6: ((0, 1), (2, 3))}


_ARRIVE = np.full(16, -1, dtype=np.int64)
_LEAVE = np.full(16, -1, dtype=np.int64)
for _code, (_arrive, _leave) in _TURNS.items():
    _ARRIVE[_code], _LEAVE[_code] = _arrive, _leave
for _code, ((_arrive, _leave), _) in _SADDLES.items():
    _ARRIVE[_code], _LEAVE[_code] = _arrive, _leave
_IS_CORNER = _ARRIVE >= 0
_IS_SADDLE = np.zeros(16, dtype=bool)
_IS_SADDLE[[6, 9]] = True


def crack_loops(mask: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(outer loops, hole loops) of a boolean mask, as (K, 2) int arrays of corner points.

    Loops run with the region on their right-hand side (clockwise on screen); only the points
    where the direction changes are kept. Where two pixels touch only at a corner, the walk
    turns towards the region, so they end up in separate loops (4-connectivity).

    Vectorised: corners are found with numpy, and the run leaving a corner eastwards ends at the
    next corner in the same row (southwards: the same column), so only corners are visited.
    """
    mask = np.asarray(mask, dtype=bool)
    rows = np.flatnonzero(mask.any(axis=1))
    if not len(rows):
        return [], []
    cols = np.flatnonzero(mask.any(axis=0))
    top, left = int(rows[0]), int(cols[0])
    crop = mask[top : rows[-1] + 1, left : cols[-1] + 1]
    padded = np.zeros((crop.shape[0] + 2, crop.shape[1] + 2), dtype=np.uint8)
    padded[1:-1, 1:-1] = crop
    code = padded[:-1, :-1] + 2 * padded[:-1, 1:] + 4 * padded[1:, :-1] + 8 * padded[1:, 1:]
    cy, cx = np.nonzero(_IS_CORNER[code])
    codes = code[cy, cx]
    count = len(codes)
    # One state per (corner, way of leaving it); a saddle corner (two diagonal pixels) has two.
    corner = np.arange(count)
    arrive, leave = _ARRIVE[codes], _LEAVE[codes]
    saddle_here = _IS_SADDLE[codes]
    if saddle_here.any():
        saddles = np.flatnonzero(saddle_here)
        second = np.asarray([_SADDLES[int(c)][1] for c in codes[saddles]], dtype=np.int64).reshape(-1, 2)
        corner = np.concatenate([corner, saddles])
        arrive = np.concatenate([arrive, second[:, 0]])
        leave = np.concatenate([leave, second[:, 1]])
    # Corners come in row-major order; the column-major order gives the vertical neighbours.
    by_column = np.lexsort((cy, cx))
    column_rank = np.empty_like(by_column)
    column_rank[by_column] = np.arange(count)
    target = corner + (leave == 0) - (leave == 2)
    vertical = (leave & 1) == 1
    target[vertical] = by_column[column_rank[corner[vertical]] + 2 - leave[vertical]]
    # The state at the target corner that is entered in this direction.
    state_of = np.full((count, 4), -1, dtype=np.int64)
    state_of[corner, arrive] = np.arange(len(corner))
    following = state_of[target, leave]
    order, starts = _cycles(following)
    chosen = corner[order]
    points = np.empty((len(chosen), 2), dtype=np.int64)
    points[:, 0] = cx[chosen]
    points[:, 0] += left
    points[:, 1] = cy[chosen]
    points[:, 1] += top
    loops = np.split(points, starts[1:]) if len(starts) > 1 else [points]
    outer: list[np.ndarray] = []
    holes: list[np.ndarray] = []
    for loop in loops:
        (outer if _signed_area(loop) > 0 else holes).append(loop)
    return outer, holes


def _cycles(following: np.ndarray) -> tuple[list[int], list[int]]:
    """Walk the cycles of a permutation: (states in walking order, where each cycle starts).

    Each cycle starts at its smallest state. (A numpy pointer-doubling version was tried: no
    faster for the few hundred corners of an outline.)
    """
    successor = following.tolist()
    seen = bytearray(len(successor))
    order: list[int] = []
    starts: list[int] = []
    first = seen.find(0)
    while first >= 0:
        starts.append(len(order))
        state = first
        while not seen[state]:
            seen[state] = 1
            order.append(state)
            state = successor[state]
        first = seen.find(0, first)
    return order, starts


def _signed_area(loop: np.ndarray) -> float:
    x, y = loop[:, 0], loop[:, 1]
    return float(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1]) + x[-1] * y[0] - x[0] * y[-1]) / 2


def coco_polygons(mask: np.ndarray, offset: tuple[int, int] = (0, 0)) -> list[list[int]] | None:
    """COCO polygon segmentation (``[[x0, y0, x1, y1, ...], ...]``) of a mask, or None if it has holes.

    ``offset`` (x, y) is added to every corner: for a mask cut out of a bigger image.
    """
    outer, holes = crack_loops(mask)
    if holes or not outer:
        return None
    if offset != (0, 0):
        outer = [loop + np.asarray(offset, dtype=np.int64) for loop in outer]
    return [loop.ravel().tolist() for loop in outer]


def coco_polygons_many(masks) -> list[list[list[int]] | None]:
    """:func:`coco_polygons` of several masks, traced in one go (same result, less overhead).

    The masks are laid side by side with a blank column between them, so no outline can join
    two of them; each loop goes back to the mask its corners lie in.
    """
    if not len(masks):
        return []
    widths = [m.shape[1] for m in masks]
    offsets = np.cumsum([0] + [w + 1 for w in widths[:-1]])
    mosaic = np.zeros((max(m.shape[0] for m in masks), int(offsets[-1]) + widths[-1]), dtype=bool)
    for mask, offset in zip(masks, offsets.tolist()):
        mosaic[: mask.shape[0], offset : offset + mask.shape[1]] = mask
    outer, holes = crack_loops(mosaic)
    found: list[list[list[int]]] = [[] for _ in masks]
    holed = set()
    for loop in holes:
        holed.add(int(np.searchsorted(offsets, loop[0, 0], side="right")) - 1)
    for loop in outer:
        owner = int(np.searchsorted(offsets, loop[0, 0], side="right")) - 1
        if owner not in holed:
            loop = loop - np.asarray([offsets[owner], 0])
            found[owner].append(loop.ravel().tolist())
    return [None if owner in holed or not loops else loops for owner, loops in enumerate(found)]


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
