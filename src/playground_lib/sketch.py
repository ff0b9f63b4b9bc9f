"""Colour sketches from any paint program -> label maps of ADE20K values.

A sketch painted in Krita, Procreate, Photoshop or MS Paint is not a clean label map: brushes
anti-alias their edges into in-between colours, JPEG adds noise, a transparent background stays
unpainted. We read it in three steps:

1. **Snap** each colour to a class colour: exact ADE20K palette colours always count; other
   colours go to the nearest colour of the schema's classes (or all 150 with ``classes="all"``)
   when it is close (``max_distance``) and clearly closer than the second nearest.
2. **Clean edges**: colours that snap to nothing but lie within ``edge_width`` pixels of painted
   pixels are anti-aliasing; they take the majority class of their neighbours. Pixels of a class
   with at most one same-class neighbour (a blend that happened to look like a third class) do too.
3. **Report** the rest: colours that cover areas away from any edge are not guessed. By default
   they raise ``SketchError`` naming the file, the colours, their size and the nearest class;
   ``on_unknown="other"`` paints them as "other" (0) and still lists them.

Transparent pixels (alpha below 128) are "other": nothing was painted there. A grey (one-channel)
picture is a label map already and is read as it is.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image

from .labels import NUM_ADE20K_CLASSES, OTHER, _color_lookup, class_name, palette, playground_classes

UNRESOLVED = -1
GREY_MODES = ("L", "I;16", "I;16B", "I")  # one channel: the pixel values are the classes


class SketchError(ValueError):
    """A sketch holds colours that match no class: says which, where and what is nearest."""


@dataclass(frozen=True)
class UnknownColor:
    color: tuple[int, int, int]
    pixels: int
    nearest_class: str
    distance: float

    def describe(self) -> str:
        r, g, b = self.color
        nearest = f"nearest class {self.nearest_class!r} at distance {self.distance:.0f}"
        return f"#{r:02x}{g:02x}{b:02x} ({self.pixels} px, {nearest})"


@dataclass
class SketchReading:
    labels: np.ndarray  # (H, W) uint8 ADE20K values
    snapped: int = 0  # pixels whose colour was near, not equal to, a class colour
    cleaned: int = 0  # edge pixels that took their neighbours' class
    unknown: list[UnknownColor] = field(default_factory=list)

    def summary(self) -> str:
        values, counts = np.unique(self.labels, return_counts=True)
        share = ", ".join(f"{class_name(int(v))} {100 * c / self.labels.size:.0f}%" for v, c in zip(values, counts))
        text = f"{share}; {self.snapped} px snapped to the nearest class colour, {self.cleaned} edge px cleaned"
        if self.unknown:
            text += "; unknown colours painted as other: " + ", ".join(u.describe() for u in self.unknown)
        return text


def candidate_values(classes: str = "schema") -> np.ndarray:
    """ADE20K values that off-palette colours may snap to: "other" plus the schema's or all classes."""
    if classes == "schema":
        return np.array([OTHER] + [c.ade20k_value for c in playground_classes()])
    if classes == "all":
        return np.array(sorted(set(_color_lookup().values())))  # one value per colour (road over skyscraper)
    raise ValueError(f"classes must be 'schema' or 'all', got {classes!r}")


def read_sketch(
    source: str | os.PathLike | BinaryIO,
    classes: str = "schema",
    max_distance: float = 40.0,
    edge_width: int = 2,
    on_unknown: str = "error",
    max_off_palette: float | None = None,
    name: str | None = None,
) -> SketchReading:
    """Read a sketch file (a path, or an open file such as an upload) as a label map.

    A colour picture goes through :func:`sketch_to_labels`; a grey one is taken as the label map
    it already is (ADE20K values 0..150), which is what label-map PNGs are. Errors name the file
    (``name``, else the path), so a participant among thirty knows which sketch to fix.
    """
    name = name or str(getattr(source, "name", source))
    try:
        with Image.open(source) as image:
            image.load()
            if image.mode in GREY_MODES:
                return SketchReading(_grey_label_map(np.asarray(image), name))
            rgba = np.asarray(image.convert("RGBA"))
    except FileNotFoundError:
        raise
    except SketchError:
        raise
    except Exception as exc:  # PIL raises many kinds of errors for broken files
        raise SketchError(f"{name}: not a readable image ({exc})") from exc
    try:
        return sketch_to_labels(rgba, classes, max_distance, edge_width, on_unknown, max_off_palette)
    except SketchError as exc:
        raise SketchError(f"{name}: {exc}") from None


def _grey_label_map(values: np.ndarray, name: str) -> np.ndarray:
    if values.size and values.max() > NUM_ADE20K_CLASSES:
        raise SketchError(f"{name}: a grey sketch must hold ADE20K values 0..150, found up to {values.max()}")
    return values.astype(np.uint8)


def sketch_to_labels(
    rgb: np.ndarray,
    classes: str = "schema",
    max_distance: float = 40.0,
    edge_width: int = 2,
    on_unknown: str = "error",
    max_off_palette: float | None = None,
) -> SketchReading:
    """An H x W x 3 (or x 4 with alpha) uint8 sketch -> ``SketchReading``.

    ``max_off_palette`` (a share, 0..1) refuses pictures that are mostly not palette colours:
    where many sketches are read unattended (the event background), a photo passed by mistake
    should stop the run rather than be snapped into a plausible-looking layout.
    """
    if on_unknown not in ("error", "other"):
        raise ValueError(f"on_unknown must be 'error' or 'other', got {on_unknown!r}")
    rgb = np.asarray(rgb)
    if rgb.ndim != 3 or rgb.shape[2] not in (3, 4):
        raise SketchError(f"expected an H x W x 3 colour image, got shape {rgb.shape}")
    transparent = rgb[..., 3] < 128 if rgb.shape[2] == 4 else np.zeros(rgb.shape[:2], bool)
    colors = rgb[..., :3].astype(np.int64)
    packed = (colors[..., 0] << 16) | (colors[..., 1] << 8) | colors[..., 2]
    keys, inverse = np.unique(packed, return_inverse=True)
    inverse = inverse.reshape(packed.shape)
    key_rgb = np.stack([(keys >> 16) & 255, (keys >> 8) & 255, keys & 255], axis=1)
    candidates = candidate_values(classes)
    key_values, key_exact = _snap_colors(keys, key_rgb, candidates, max_distance)
    off_palette = float((~key_exact[inverse] & ~transparent).mean())
    if max_off_palette is not None and off_palette > max_off_palette:
        raise SketchError(
            f"{off_palette:.0%} of the pixels are not ADE20K palette colours; "
            "paint with the palette (playground_lib.labels.palette) or save a label map"
        )
    # Only exact colours of the candidate classes are sure to be meant; a noisy pixel can hit
    # another class's exact colour by chance, so those are cleaned like snapped ones when isolated.
    key_sure = key_exact & np.isin(key_values, candidates)

    labels = key_values[inverse]
    labels[transparent] = OTHER
    snapped = int((~key_exact[inverse] & (labels != UNRESOLVED) & ~transparent).sum())
    unsure = ~key_sure[inverse] & (labels != UNRESOLVED) & ~transparent
    labels, cleaned_isolated = _clean_isolated(labels, unsure)
    unresolved = labels == UNRESOLVED
    near_paint = _dilate(~unresolved, edge_width)
    interior = unresolved & ~near_paint
    unknown_ids = np.unique(inverse[interior])
    unknown = _describe_unknown(unknown_ids, inverse, key_rgb)
    if unknown and on_unknown == "error":
        raise SketchError(
            f"{len(unknown)} colour(s) match no class colour: "
            + "; ".join(u.describe() for u in unknown[:5])
            + ". Repaint them with palette colours, try classes='all', or pass on_unknown='other'."
        )
    labels[unresolved & np.isin(inverse, unknown_ids)] = OTHER  # the whole colour, edges included
    labels, cleaned_edges = _fill_from_neighbours(labels)
    return SketchReading(labels.astype(np.uint8), snapped, cleaned_isolated + cleaned_edges, unknown)


def _snap_colors(keys, key_rgb, candidates, max_distance):
    """Per distinct colour: its class (or UNRESOLVED) and whether it was an exact palette colour."""
    lookup = _color_lookup()
    values = np.full(len(keys), UNRESOLVED, dtype=np.int64)
    exact = np.zeros(len(keys), dtype=bool)
    for i, key in enumerate(keys.tolist()):
        if key in lookup:
            values[i], exact[i] = lookup[key], True
    rest = ~exact
    if rest.any() and len(candidates) > 1:
        cand_rgb = palette()[candidates].astype(np.float64)
        dist = np.sqrt(((key_rgb[rest, None, :] - cand_rgb[None]) ** 2).sum(-1))
        order = np.argsort(dist, axis=1)
        nearest = dist[np.arange(len(dist)), order[:, 0]]
        second = dist[np.arange(len(dist)), order[:, 1]]
        confident = (nearest <= max_distance) & (nearest < 0.5 * second)
        values[np.flatnonzero(rest)[confident]] = candidates[order[confident, 0]]
    return values, exact


def _neighbours(labels: np.ndarray, fill: int = UNRESOLVED) -> np.ndarray:
    """(H, W, 8): the 8 neighbours of every pixel, ``fill`` outside the image."""
    padded = np.pad(labels, 1, constant_values=fill)
    h, w = labels.shape
    shifts = [(dy, dx) for dy in (0, 1, 2) for dx in (0, 1, 2) if (dy, dx) != (1, 1)]
    return np.stack([padded[dy : dy + h, dx : dx + w] for dy, dx in shifts], axis=-1)


def _majority(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Most frequent valid value per row of (M, 8) neighbours (ties: first seen); and if any was valid."""
    valid = rows != UNRESOLVED
    same = (rows[:, :, None] == rows[:, None, :]) & valid[:, None, :] & valid[:, :, None]
    counts = same.sum(-1)
    best = counts.argmax(axis=1)
    return rows[np.arange(len(rows)), best], valid.any(axis=1)


def _clean_isolated(labels: np.ndarray, snapped: np.ndarray) -> tuple[np.ndarray, int]:
    """Snapped pixels with at most one same-class neighbour take their neighbours' majority.

    Only unsure pixels (snapped, or exact colours of classes outside the candidates): a blend of
    two colours can land near a third class and leave a thin line of it along the edge. Exact
    colours of the candidate classes are what the artist chose, so a one-pixel detail stays.
    """
    labels = labels.copy()
    nb = _neighbours(labels)
    same = (nb == labels[..., None]).sum(-1)
    isolated = snapped & (same <= 1) & (nb != UNRESOLVED).any(-1)
    ys, xs = np.nonzero(isolated)
    if len(ys) == 0:
        return labels, 0
    rows = nb[ys, xs]
    value, has = _majority(rows)
    support = (rows == value[:, None]).sum(-1)
    change = has & (support >= 3) & (value != labels[ys, xs])
    labels[ys[change], xs[change]] = value[change]
    return labels, int(change.sum())


def _dilate(mask: np.ndarray, steps: int) -> np.ndarray:
    out = mask.copy()
    for _ in range(steps):
        out = out | _neighbours(out.astype(np.int64), fill=0).any(-1)
    return out


def _fill_from_neighbours(labels: np.ndarray) -> tuple[np.ndarray, int]:
    """Unresolved pixels take the majority class of their resolved neighbours, from the edges in."""
    labels = labels.copy()
    filled = 0
    while True:
        ys, xs = np.nonzero(labels == UNRESOLVED)
        if len(ys) == 0:
            return labels, filled
        value, has = _majority(_neighbours(labels)[ys, xs])
        if not has.any():  # nothing painted at all
            labels[ys, xs] = OTHER
            return labels, filled
        labels[ys[has], xs[has]] = value[has]
        filled += int(has.sum())


def _describe_unknown(ids: np.ndarray, inverse: np.ndarray, key_rgb: np.ndarray) -> list[UnknownColor]:
    if len(ids) == 0:
        return []
    counts = np.bincount(inverse.reshape(-1), minlength=len(key_rgb))[ids]
    cand = candidate_values("all")
    cand_rgb = palette()[cand].astype(np.float64)
    out = []
    for i, count in sorted(zip(ids.tolist(), counts.tolist()), key=lambda t: -t[1]):
        color = key_rgb[i].astype(np.float64)
        dist = np.sqrt(((cand_rgb - color) ** 2).sum(-1))
        j = int(dist.argmin())
        out.append(
            UnknownColor(tuple(int(c) for c in key_rgb[i]), int(count), class_name(int(cand[j])), float(dist[j]))
        )
    return out


def bundled_sketches() -> list[Path]:
    """The colour sketches shipped with the library (``data/sketches``, ADE20K palette), as files.

    Files rather than label maps: the painter loads them, a paint program opens them, and
    :func:`read_sketch` turns any of them into labels.
    """
    from .paths import data_dir

    folder = data_dir() / "sketches"
    found = sorted(folder.glob("*.png"))
    if not found:
        raise FileNotFoundError(f"{folder}: no bundled sketches found")
    return found


def replace_class(labels: np.ndarray, old: str, new: str) -> np.ndarray:
    """A copy of a label map with every ``old`` pixel painted ``new`` (names or aliases)."""
    from .labels import ade20k_value

    old_value, new_value = ade20k_value(old), ade20k_value(new)
    labels = np.asarray(labels)
    if not (labels == old_value).any():
        raise ValueError(f"the sketch has no {old!r} to replace")
    out = labels.copy()
    out[labels == old_value] = new_value
    return out
