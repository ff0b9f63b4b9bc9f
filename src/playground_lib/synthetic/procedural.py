"""Procedural playground scenes drawn as labelme polygons, so image, label map and annotation agree.

Every object is a handful of polygons (a tree is a trunk and a crown, a person a head, body, arms
and legs). The polygons are painted back to front; the label map is rasterized from the very same
polygons with labelme's own rasterizer, so converting the labelme JSON back gives the label map
pixel for pixel. The RGB image is painted through the same masks with textures, shading and soft
shadows, so a model sees surfaces, not flat colour fills.

Same seed and size -> the same bytes, on any machine: all randomness comes from one
``numpy.random.Generator`` and all drawing is integer-exact.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from ..fileio import check_output_folder, write_png
from ..labelme.format import LabelmeShape
from ..labelme.rasterize import shape_to_mask
from ..labelme.write import save_labelme
from ..labels import ade20k_value

# Base colours (RGB 0..1) of each class in the rendered image; objects vary around them.
BASE_COLORS: dict[str, tuple[float, float, float]] = {
    "grass": (0.33, 0.58, 0.22),
    "earth": (0.52, 0.40, 0.27),
    "sand": (0.86, 0.76, 0.52),
    "path": (0.62, 0.58, 0.54),
    "hill": (0.36, 0.52, 0.30),
    "building": (0.70, 0.55, 0.45),
    "tree": (0.20, 0.45, 0.16),
    "fence": (0.55, 0.40, 0.26),
    "railing": (0.45, 0.47, 0.50),
    "pole": (0.40, 0.42, 0.45),
    "bench": (0.50, 0.33, 0.18),
    "person": (0.30, 0.32, 0.50),
    "plaything": (0.85, 0.20, 0.15),
    "plant": (0.25, 0.50, 0.20),
    "flower": (0.90, 0.35, 0.55),
    "water": (0.25, 0.45, 0.70),
    "rock": (0.50, 0.50, 0.50),
}
TRUNK_COLOR = (0.36, 0.25, 0.15)
PLAYTHING_COLORS = [(0.85, 0.20, 0.15), (0.95, 0.75, 0.10), (0.15, 0.40, 0.80), (0.20, 0.65, 0.35), (0.90, 0.45, 0.10)]
CLOTHES_COLORS = [
    (0.75, 0.20, 0.20),
    (0.20, 0.35, 0.70),
    (0.90, 0.70, 0.20),
    (0.30, 0.55, 0.35),
    (0.55, 0.30, 0.60),
    (0.15, 0.15, 0.18),
]
SKIN_COLORS = [(0.95, 0.80, 0.65), (0.80, 0.60, 0.45), (0.55, 0.38, 0.26), (0.40, 0.27, 0.18)]


@dataclass
class Part:
    """One polygon of an object, with the colour it is painted in."""

    points: list[list[float]]
    color: tuple[float, float, float]


@dataclass
class SceneObject:
    label: str
    parts: list[Part]
    base_y: float  # where it touches the ground: farther objects (smaller y) are drawn first
    shadow: tuple[float, float, float] | None = None  # (cx, cy, rx): a soft shadow on the ground


@dataclass
class Scene:
    """One synthetic playground: the picture, its label and instance maps, and its labelme shapes."""

    image: np.ndarray  # (H, W, 3) uint8
    labels: np.ndarray  # (H, W) uint8, raw ADE20K values
    instances: np.ndarray  # (H, W) uint16, 0 = none
    shapes: list[LabelmeShape] = field(default_factory=list)
    seed: int = 0

    @property
    def size(self) -> tuple[int, int]:
        return self.labels.shape  # (H, W)


# ----------------------------------------------------------------------------------------------
# Shapes


def _blob(
    cx: float, cy: float, rx: float, ry: float, rng: np.random.Generator, n: int = 20, wobble: float = 0.15
) -> list[list[float]]:
    """A closed organic outline (tree crowns, bushes, ponds): an ellipse with a few low waves."""
    phases = rng.uniform(0, 2 * math.pi, 3)
    amps = rng.uniform(0, wobble, 3)
    pts = []
    for i in range(n):
        t = 2 * math.pi * i / n
        r = 1 + sum(a * math.sin((k + 2) * t + p) for k, (a, p) in enumerate(zip(amps, phases)))
        pts.append([cx + rx * r * math.cos(t), cy + ry * r * math.sin(t)])
    return pts


def _rect(x0: float, y0: float, x1: float, y1: float) -> list[list[float]]:
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]


def _bar(x0: float, y0: float, x1: float, y1: float, width: float) -> list[list[float]]:
    """A straight bar of some thickness between two points (legs, rails, chains)."""
    dx, dy = x1 - x0, y1 - y0
    length = math.hypot(dx, dy) or 1.0
    nx, ny = -dy / length * width / 2, dx / length * width / 2
    return [[x0 + nx, y0 + ny], [x1 + nx, y1 + ny], [x1 - nx, y1 - ny], [x0 - nx, y0 - ny]]


def _jitter(color, rng, amount=0.08):
    return tuple(float(np.clip(c + rng.uniform(-amount, amount), 0, 1)) for c in color)


# ----------------------------------------------------------------------------------------------
# Objects: each returns a SceneObject standing at (x, y) with a height in pixels


def _tree(x, y, h, rng):
    trunk_w = h * rng.uniform(0.06, 0.1)
    crown_r = h * rng.uniform(0.28, 0.4)
    trunk = Part(_rect(x - trunk_w / 2, y - h * 0.55, x + trunk_w / 2, y), _jitter(TRUNK_COLOR, rng, 0.05))
    crown = Part(
        _blob(x, y - h + crown_r, crown_r * rng.uniform(0.8, 1.1), crown_r, rng, n=24, wobble=0.12),
        _jitter(BASE_COLORS["tree"], rng),
    )
    return SceneObject("tree", [trunk, crown], y, shadow=(x, y, crown_r * 0.9))


def _person(x, y, h, rng):
    skin, top, bottom = (
        SKIN_COLORS[rng.integers(len(SKIN_COLORS))],
        CLOTHES_COLORS[rng.integers(len(CLOTHES_COLORS))],
        CLOTHES_COLORS[rng.integers(len(CLOTHES_COLORS))],
    )
    head_r = h * 0.09
    shoulder, hip = y - h * 0.78, y - h * 0.45
    half = h * 0.13
    stride = h * rng.uniform(0.02, 0.12)
    arm_swing = h * rng.uniform(-0.1, 0.1)
    parts = [
        Part(_bar(x - half * 0.4, hip, x - stride, y, h * 0.08), bottom),
        Part(_bar(x + half * 0.4, hip, x + stride, y, h * 0.08), bottom),
        Part(
            [
                [x - half, shoulder],
                [x + half, shoulder],
                [x + half * 0.8, hip + h * 0.03],
                [x - half * 0.8, hip + h * 0.03],
            ],
            top,
        ),
        Part(_bar(x - half, shoulder + h * 0.02, x - half - h * 0.05 + arm_swing, hip, h * 0.06), top),
        Part(_bar(x + half, shoulder + h * 0.02, x + half + h * 0.05 - arm_swing, hip, h * 0.06), top),
        Part(_blob(x, shoulder - head_r * 1.1, head_r, head_r * 1.1, rng, n=14, wobble=0.03), skin),
    ]
    return SceneObject("person", parts, y, shadow=(x, y, h * 0.2))


def _slide(x, y, h, rng):
    color = PLAYTHING_COLORS[rng.integers(len(PLAYTHING_COLORS))]
    frame = _jitter((0.55, 0.57, 0.6), rng, 0.05)
    w = h * 0.35
    direction = 1 if rng.random() < 0.5 else -1
    top = y - h
    parts = [
        Part(_bar(x - w / 2, y, x - w / 2, top, h * 0.05), frame),
        Part(_bar(x + w / 2, y, x + w / 2, top, h * 0.05), frame),
    ]
    for k in range(1, 5):  # ladder rungs
        ry = y - h * k / 5
        parts.append(Part(_bar(x - w / 2, ry, x + w / 2, ry, h * 0.035), frame))
    parts.append(Part(_rect(x - w / 2 - h * 0.03, top - h * 0.06, x + w / 2 + h * 0.03, top), color))
    end = x + direction * h * 1.3
    edge = w / 2 * direction
    parts.append(
        Part(
            [
                [x + edge, top],
                [x + edge, top - h * 0.05],
                [end, y - h * 0.08],
                [end + direction * h * 0.12, y],
                [end, y],
            ],
            color,
        )
    )
    return SceneObject("plaything", parts, y, shadow=(x + direction * h * 0.5, y, h * 0.8))


def _swing(x, y, h, rng):
    frame = PLAYTHING_COLORS[rng.integers(len(PLAYTHING_COLORS))]
    seat_color = _jitter((0.15, 0.15, 0.17), rng, 0.05)
    span = h * rng.uniform(1.0, 1.5)
    top = y - h
    leg = h * 0.06
    parts = [
        Part(_bar(x - span / 2 - h * 0.2, y, x - span / 2, top, leg), frame),
        Part(_bar(x - span / 2 + h * 0.2, y, x - span / 2, top, leg), frame),
        Part(_bar(x + span / 2 - h * 0.2, y, x + span / 2, top, leg), frame),
        Part(_bar(x + span / 2 + h * 0.2, y, x + span / 2, top, leg), frame),
        Part(_rect(x - span / 2 - h * 0.04, top - h * 0.05, x + span / 2 + h * 0.04, top + h * 0.03), frame),
    ]
    for seat_x in (x - span / 5, x + span / 5):
        seat_y = y - h * 0.3
        for cx in (seat_x - h * 0.08, seat_x + h * 0.08):
            parts.append(Part(_bar(cx, top, cx, seat_y, max(1.2, h * 0.015)), seat_color))
        parts.append(Part(_rect(seat_x - h * 0.11, seat_y, seat_x + h * 0.11, seat_y + h * 0.05), seat_color))
    return SceneObject("plaything", parts, y, shadow=(x, y, span * 0.6))


def _climbing_frame(x, y, h, rng):
    color = PLAYTHING_COLORS[rng.integers(len(PLAYTHING_COLORS))]
    w = h * rng.uniform(0.8, 1.2)
    bar = h * 0.05
    parts = []
    for k in range(4):  # uprights
        px = x - w / 2 + w * k / 3
        parts.append(Part(_bar(px, y, px, y - h, bar), color))
    for k in range(1, 5):  # cross bars
        py = y - h * k / 4
        parts.append(Part(_bar(x - w / 2, py, x + w / 2, py, bar), color))
    parts.append(
        Part([[x - w / 2 - bar, y - h], [x, y - h * 1.3], [x + w / 2 + bar, y - h]], _jitter(color, rng, 0.15))
    )
    return SceneObject("plaything", parts, y, shadow=(x, y, w * 0.6))


def _bench(x, y, h, rng):
    wood = _jitter(BASE_COLORS["bench"], rng)
    metal = _jitter((0.25, 0.25, 0.27), rng, 0.04)
    w = h * rng.uniform(1.6, 2.2)
    seat_y = y - h * 0.45
    parts = [
        Part(_bar(x - w * 0.4, y, x - w * 0.4, seat_y, h * 0.08), metal),
        Part(_bar(x + w * 0.4, y, x + w * 0.4, seat_y, h * 0.08), metal),
        Part(_rect(x - w / 2, seat_y - h * 0.1, x + w / 2, seat_y), wood),
        Part(_rect(x - w / 2, y - h, x + w / 2, y - h * 0.72), wood),
        Part(_bar(x - w * 0.4, seat_y, x - w * 0.4, y - h * 0.72, h * 0.06), metal),
        Part(_bar(x + w * 0.4, seat_y, x + w * 0.4, y - h * 0.72, h * 0.06), metal),
    ]
    return SceneObject("bench", parts, y, shadow=(x, y, w * 0.5))


def _bush(x, y, h, rng, label):
    color = _jitter(BASE_COLORS[label], rng)
    return SceneObject(
        label, [Part(_blob(x, y - h * 0.45, h * rng.uniform(0.6, 1.0), h * 0.5, rng, n=16, wobble=0.2), color)], y
    )


def _rock(x, y, h, rng):
    return SceneObject(
        "rock",
        [
            Part(
                _blob(x, y - h * 0.35, h * 0.7, h * 0.4, rng, n=10, wobble=0.12), _jitter(BASE_COLORS["rock"], rng, 0.1)
            )
        ],
        y,
    )


def _lamp(x, y, h, rng):
    color = _jitter(BASE_COLORS["pole"], rng, 0.05)
    return SceneObject(
        "pole",
        [
            Part(_bar(x, y, x, y - h, max(1.5, h * 0.04)), color),
            Part(_rect(x - h * 0.06, y - h * 1.04, x + h * 0.06, y - h * 0.97), color),
        ],
        y,
    )


def _fence(y, x0, x1, h, rng, label="fence"):
    """A fence (wooden pickets) or a railing (metal bars) along the back of the play area."""
    color = _jitter(BASE_COLORS[label], rng)
    parts = []
    gap = h * (0.35 if label == "fence" else 0.5)
    n = max(2, int((x1 - x0) / gap))
    width = h * (0.12 if label == "fence" else 0.05)
    for k in range(n + 1):
        px = x0 + (x1 - x0) * k / n
        parts.append(Part(_bar(px, y, px, y - h, width), color))
    for frac in (0.3, 0.8):
        parts.append(Part(_bar(x0, y - h * frac, x1, y - h * frac, h * 0.07), color))
    return SceneObject(label, parts, y)


def _building(x, ground_y, w, h, rng):
    wall = _jitter(BASE_COLORS["building"], rng, 0.12)
    roof = _jitter((0.45, 0.25, 0.20), rng, 0.08)
    parts = [
        Part(_rect(x, ground_y - h, x + w, ground_y), wall),
        Part(
            [
                [x - w * 0.05, ground_y - h],
                [x + w / 2, ground_y - h - h * rng.uniform(0.2, 0.5)],
                [x + w * 1.05, ground_y - h],
            ],
            roof,
        ),
    ]
    return SceneObject("building", parts, ground_y)


# ----------------------------------------------------------------------------------------------
# Textures


def _value_noise(shape: tuple[int, int], cell: float, rng: np.random.Generator) -> np.ndarray:
    """Smooth noise in [-1, 1]: a coarse random grid scaled up with bicubic interpolation."""
    h, w = shape
    gh, gw = max(2, int(h / cell) + 2), max(2, int(w / cell) + 2)
    grid = rng.uniform(0, 255, (gh, gw)).astype(np.uint8)
    big = Image.fromarray(grid).resize((int(gw * cell), int(gh * cell)), Image.Resampling.BICUBIC)
    return np.asarray(big, dtype=np.float32)[:h, :w] / 127.5 - 1.0


def _fbm(shape, cell, rng, octaves=3):
    total = np.zeros(shape, dtype=np.float32)
    amp, norm = 1.0, 0.0
    for _ in range(octaves):
        total += amp * _value_noise(shape, max(cell, 1.0), rng)
        norm += amp
        amp *= 0.5
        cell /= 2
    return total / norm


TEXTURES: dict[str, tuple[float, float]] = {  # class -> (feature size as a fraction of the image, strength)
    "grass": (0.02, 0.22),
    "earth": (0.04, 0.18),
    "sand": (0.01, 0.10),
    "path": (0.015, 0.14),
    "hill": (0.08, 0.15),
    "tree": (0.03, 0.35),
    "plant": (0.03, 0.3),
    "flower": (0.02, 0.35),
    "building": (0.05, 0.08),
    "rock": (0.04, 0.2),
    "water": (0.06, 0.12),
}
DEFAULT_TEXTURE = (0.05, 0.06)


class _Textures:
    """Per-scene luminance fields, made once per class and shared by every shape of that class."""

    def __init__(self, shape, rng):
        self.shape, self.rng, self.cache = shape, rng, {}

    def __call__(self, label: str) -> np.ndarray:
        if label not in self.cache:
            feature, strength = TEXTURES.get(label, DEFAULT_TEXTURE)
            cell = max(1.0, feature * max(self.shape))
            self.cache[label] = 1.0 + strength * _fbm(self.shape, cell * 4, self.rng)
        return self.cache[label]


def _sky(shape, rng):
    h, w = shape
    top = np.array(_jitter((0.30, 0.55, 0.90), rng, 0.06), dtype=np.float32)
    bottom = np.array(_jitter((0.78, 0.86, 0.95), rng, 0.04), dtype=np.float32)
    t = np.linspace(0, 1, h, dtype=np.float32)[:, None, None] ** 0.8
    sky = top * (1 - t) + bottom * t
    sky = np.broadcast_to(sky, (h, w, 3)).copy()
    cover = rng.uniform(0.0, 0.5)
    clouds = _fbm(shape, max(h, w) / 4, rng, octaves=4)
    stretch = np.clip((clouds - (0.4 - cover)) * 3.0, 0, 1)[..., None]
    return sky * (1 - stretch) + np.float32(0.97) * stretch


# ----------------------------------------------------------------------------------------------
# Scene layout


def _layout(h: int, w: int, rng: np.random.Generator) -> tuple[list[SceneObject], float]:
    """Everything in the scene as objects in painting order (sky first, nearest last)."""
    horizon = h * rng.uniform(0.3, 0.48)
    objects: list[SceneObject] = [SceneObject("sky", [Part(_rect(0, 0, w, h), (0, 0, 0))], -1)]

    if rng.random() < 0.6:
        xs = np.linspace(0, w, 12)
        peak, centre, spread = h * rng.uniform(0.08, 0.2), rng.uniform(0, w), w * rng.uniform(0.3, 0.7)
        ys = horizon + 2 - peak * np.exp(-(((xs - centre) / spread) ** 2))
        pts = [[0.0, horizon + 2]] + [[float(x), float(y)] for x, y in zip(xs, ys)] + [[float(w), horizon + 2]]
        objects.append(SceneObject("hill", [Part(pts, _jitter(BASE_COLORS["hill"], rng))], -0.5))
    for _ in range(rng.integers(0, 3)):
        bw, bh = w * rng.uniform(0.12, 0.25), h * rng.uniform(0.08, 0.2)
        objects.append(_building(rng.uniform(-0.1, 0.9) * w, horizon + 1, bw, bh, rng))

    ground_label = "grass" if rng.random() < 0.8 else "earth"
    wave = rng.uniform(0, 2 * math.pi)
    ground = (
        [[0.0, horizon]]
        + [[w * k / 8, horizon + h * 0.01 * math.sin(wave + k)] for k in range(1, 8)]
        + [[float(w), horizon], [float(w), float(h)], [0.0, float(h)]]
    )
    objects.append(SceneObject(ground_label, [Part(ground, _jitter(BASE_COLORS[ground_label], rng, 0.05))], 0))

    flat: list[SceneObject] = []  # ground patches lie flat: drawn right after the ground
    if rng.random() < 0.8:
        x0, x1 = sorted(rng.uniform(0, w, 2))
        bend = rng.uniform(-0.2, 0.2) * w
        top_w, bottom_w = w * 0.04, w * rng.uniform(0.15, 0.3)
        mid = (x0 + x1) / 2
        pts = [
            [mid - top_w, horizon + 1],
            [mid + top_w, horizon + 1],
            [mid + bend + bottom_w, h],
            [mid + bend - bottom_w, h],
        ]
        flat.append(SceneObject("path", [Part(pts, _jitter(BASE_COLORS["path"], rng))], 0))
    if rng.random() < 0.7:
        cy = rng.uniform(horizon + (h - horizon) * 0.45, h * 0.95)
        flat.append(
            SceneObject(
                "sand",
                [
                    Part(
                        _blob(
                            rng.uniform(0.2, 0.8) * w,
                            cy,
                            w * rng.uniform(0.15, 0.3),
                            (cy - horizon) * 0.25,
                            rng,
                            n=20,
                            wobble=0.08,
                        ),
                        _jitter(BASE_COLORS["sand"], rng, 0.04),
                    )
                ],
                0,
            )
        )
    if rng.random() < 0.25:
        cy = rng.uniform(horizon + (h - horizon) * 0.2, horizon + (h - horizon) * 0.5)
        flat.append(
            SceneObject(
                "water",
                [
                    Part(
                        _blob(rng.uniform(0.1, 0.9) * w, cy, w * rng.uniform(0.08, 0.15), (cy - horizon) * 0.2, rng),
                        _jitter(BASE_COLORS["water"], rng, 0.05),
                    )
                ],
                0,
            )
        )
    objects.extend(flat)

    def depth_y(near: float, far: float) -> float:
        return horizon + (h - horizon) * rng.uniform(near, far)

    def scale(y: float) -> float:  # things nearer the bottom are bigger
        return 0.25 + 0.9 * (y - horizon) / (h - horizon)

    standing: list[SceneObject] = []
    if rng.random() < 0.7:
        fy = depth_y(0.08, 0.25)
        x0, x1 = sorted(rng.uniform(-0.1, 1.1, 2) * w)
        standing.append(
            _fence(
                fy, x0, max(x1, x0 + w * 0.3), h * 0.12 * scale(fy), rng, "fence" if rng.random() < 0.7 else "railing"
            )
        )
    for _ in range(rng.integers(1, 5)):
        y = depth_y(0.0, 0.35)
        standing.append(_tree(rng.uniform(0, w), y, h * rng.uniform(0.35, 0.55) * scale(y) * 1.6, rng))
    makers = [_slide, _swing, _climbing_frame]
    for _ in range(rng.integers(1, 4)):
        y = depth_y(0.25, 0.85)
        standing.append(makers[rng.integers(len(makers))](rng.uniform(0.1, 0.9) * w, y, h * 0.3 * scale(y), rng))
    for _ in range(rng.integers(0, 3)):
        y = depth_y(0.2, 0.9)
        standing.append(_bench(rng.uniform(0.05, 0.95) * w, y, h * 0.1 * scale(y), rng))
    for _ in range(rng.integers(0, 5)):
        y = depth_y(0.15, 1.0)
        standing.append(_person(rng.uniform(0.05, 0.95) * w, y, h * rng.uniform(0.18, 0.3) * scale(y), rng))
    for _ in range(rng.integers(0, 4)):
        y = depth_y(0.05, 1.0)
        kind = rng.random()
        x = rng.uniform(0, w)
        if kind < 0.4:
            standing.append(_bush(x, y, h * 0.06 * scale(y), rng, "plant"))
        elif kind < 0.7:
            standing.append(_bush(x, y, h * 0.03 * scale(y), rng, "flower"))
        elif kind < 0.85:
            standing.append(_rock(x, y, h * 0.05 * scale(y), rng))
        else:
            standing.append(_lamp(x, y, h * 0.4 * scale(y), rng))
    standing.sort(key=lambda o: o.base_y)
    return objects + standing, horizon


def _round_points(points: list[list[float]]) -> list[list[float]]:
    return [[round(float(x), 2), round(float(y), 2)] for x, y in points]


def _clip_to_image(points: list[list[float]], width: int, height: int) -> list[list[float]]:
    """Cut a polygon at the picture's edges (Sutherland-Hodgman), as labelme keeps points inside.

    Objects may stand half out of frame; their stored outline must still be one a person could
    have drawn in labelme, whose points never leave the image.
    """
    edges = (
        (lambda p: p[0] >= 0, lambda a, b: _cross_x(a, b, 0.0)),
        (lambda p: p[0] <= width, lambda a, b: _cross_x(a, b, float(width))),
        (lambda p: p[1] >= 0, lambda a, b: _cross_y(a, b, 0.0)),
        (lambda p: p[1] <= height, lambda a, b: _cross_y(a, b, float(height))),
    )
    for inside, cross in edges:
        if not points:
            break
        kept, previous = [], points[-1]
        for current in points:
            if inside(current):
                if not inside(previous):
                    kept.append(cross(previous, current))
                kept.append(current)
            elif inside(previous):
                kept.append(cross(previous, current))
            previous = current
        points = kept
    return points


def _cross_x(a, b, x):
    t = (x - a[0]) / (b[0] - a[0])
    return [x, a[1] + t * (b[1] - a[1])]


def _cross_y(a, b, y):
    t = (y - a[1]) / (b[1] - a[1])
    return [a[0] + t * (b[0] - a[0]), y]


def _shadow(image: np.ndarray, shadow, shape):
    cx, cy, rx = shadow
    mask = Image.new("L", (shape[1], shape[0]), 0)
    ImageDraw.Draw(mask).ellipse([cx - rx, cy - rx * 0.18, cx + rx, cy + rx * 0.18], fill=255)
    soft = np.asarray(mask, dtype=np.float32) / 255.0
    image *= (1 - 0.35 * soft)[..., None]


def generate_scene(seed: int, size: int | tuple[int, int] = 256) -> Scene:
    """Draw one playground. ``size`` is a side length or (height, width)."""
    h, w = (size, size) if isinstance(size, int) else (int(size[0]), int(size[1]))
    if h < 16 or w < 16:
        raise ValueError(f"scene size must be at least 16x16 pixels, got {h}x{w}")
    rng = np.random.default_rng(seed)
    objects, _ = _layout(h, w, rng)
    textures = _Textures((h, w), rng)

    image = np.zeros((h, w, 3), dtype=np.float32)
    labels = np.zeros((h, w), dtype=np.uint8)
    instances = np.zeros((h, w), dtype=np.uint16)
    shapes: list[LabelmeShape] = []
    rows = np.arange(h, dtype=np.float32)[:, None]
    for group_id, obj in enumerate(objects, start=1):
        value = ade20k_value(obj.label)
        if obj.shadow is not None:
            _shadow(image, obj.shadow, (h, w))
        for part in obj.parts:
            points = _round_points(_clip_to_image(part.points, w, h))
            if len(points) < 3:
                continue
            mask = shape_to_mask((h, w), points, "polygon")
            if not mask.any():
                continue
            shapes.append(LabelmeShape(obj.label, points, "polygon", group_id=group_id))
            labels[mask] = value
            instances[mask] = group_id
            if obj.label == "sky":
                image[mask] = _sky((h, w), rng)[mask]
                continue
            ys = np.nonzero(mask.any(axis=1))[0]
            top, bottom = float(ys[0]), float(ys[-1]) + 1
            shade = 1.08 - 0.2 * np.clip((rows - top) / max(bottom - top, 1.0), 0, 1)
            lum = textures(obj.label) * shade
            image[mask] = np.asarray(part.color, dtype=np.float32) * lum[mask][:, None]
    rgb = np.clip(image * 255.0 + 0.5, 0, 255).astype(np.uint8)
    return Scene(image=rgb, labels=labels, instances=instances, shapes=shapes, seed=seed)


# ----------------------------------------------------------------------------------------------
# Writing


def scene_stem(index: int) -> str:
    return f"scene_{index:04d}"


def write_scene(scene: Scene, out_dir: str | Path, stem: str) -> Path:
    """Write ``stem.png``, ``stem_label.png``, ``stem_instance.png`` and ``stem.json`` (labelme)."""
    out_dir = Path(out_dir)
    write_png(out_dir / f"{stem}.png", scene.image)
    write_png(out_dir / f"{stem}_label.png", scene.labels)
    write_png(out_dir / f"{stem}_instance.png", scene.instances)
    return save_labelme(out_dir / f"{stem}.json", f"{stem}.png", scene.size, scene.shapes, flags={"synthetic": True})


def write_scenes(
    out_dir: str | Path,
    n: int,
    size: int | tuple[int, int] = 256,
    seed: int = 0,
    progress: bool = True,
    on_scene: Callable[[int, Scene], None] | None = None,
) -> list[Path]:
    """Draw and write ``n`` scenes; scene ``i`` uses seed ``seed + i`` so any one can be redrawn alone.

    Scenes are independent, so they are drawn on every free core (``parallel``): a GPU machine's
    16 cores draw a training set in seconds instead of a minute. The files are the same either way.
    """
    from tqdm.auto import tqdm

    from ..parallel import map_on_all_cores

    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    check_output_folder(out_dir)  # before any scene is drawn, not in a drawing worker
    jobs = [(seed + i, size, str(out_dir), scene_stem(i), on_scene is not None) for i in range(n)]
    written = []
    drawn = map_on_all_cores(_draw_and_write, jobs)
    for i, (path, scene) in enumerate(
        tqdm(drawn, total=n, desc="drawing playgrounds", disable=not progress, unit="scene")
    ):
        written.append(path)
        if on_scene is not None:
            on_scene(i, scene)
    return written


def _draw_and_write(job: tuple) -> tuple[Path, Scene | None]:
    """One scene of ``write_scenes``, in a worker: the scene itself comes back only when the caller looks at it."""
    seed, size, out_dir, stem, keep = job
    scene = generate_scene(seed, size)
    return write_scene(scene, out_dir, stem), (scene if keep else None)
