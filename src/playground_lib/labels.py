"""The label schema: which classes a playground has, and how they map onto ADE20K.

Every label map in the series stores raw ADE20K values (1..150, 0 = "other/unknown"), the same
numbers the official SPADE ADE20K generator was trained on, so a sketch painted here, an
annotation converted from labelme and a synthetic scene can all go straight into that model.
Colours are ADE20K's standard 150-class palette (``color150``), so sketches look like the
ones in the SPADE and GauGAN papers.

Road and skyscraper share one colour (140, 140, 140) in that palette; when a colour is turned
back into a class, **road** wins, because a road can border a playground and a skyscraper is
rarely sketched in one.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .paths import package_file

OTHER = 0  # ADE20K's "other/unknown" value, fed to SPADE as its own channel
NUM_ADE20K_CLASSES = 150
OTHER_COLOR = (0, 0, 0)


@dataclass(frozen=True)
class ADEClass:
    value: int
    name: str
    color: tuple[int, int, int]


@lru_cache(maxsize=1)
def ade20k_classes() -> tuple[ADEClass, ...]:
    """All 150 ADE20K classes, in value order (value 1 first)."""
    rows = []
    with open(package_file("ade20k_150.csv"), newline="", encoding="utf-8") as f:
        lines = (line for line in f if not line.startswith("#"))
        for row in csv.DictReader(lines):
            rows.append(ADEClass(int(row["value"]), row["name"], (int(row["r"]), int(row["g"]), int(row["b"]))))
    assert [c.value for c in rows] == list(range(1, NUM_ADE20K_CLASSES + 1))
    return tuple(rows)


# The playground classes of the series, by their ADE20K names. Order = the painter's palette.
PLAYGROUND_CLASS_NAMES: tuple[str, ...] = (
    "sky",
    "tree",
    "grass",
    "sand",
    "earth",
    "path",
    "fence",
    "railing",
    "pole",
    "bench",
    "person",
    "plaything",
    "plant",
    "flower",
    "water",
    "rock",
    "building",
    "hill",
)

# Words people type in labelme for the same things; they map onto a schema class.
ALIASES: dict[str, str] = {
    "ground": "earth",
    "dirt": "earth",
    "soil": "earth",
    "toy": "plaything",
    "slide": "plaything",
    "swing": "plaything",
    "swings": "plaything",
    "climbing frame": "plaything",
    "climbing_frame": "plaything",
    "seesaw": "plaything",
    "roundabout": "plaything",
    "sandbox": "sand",
    "bush": "plant",
    "shrub": "plant",
    "people": "person",
    "child": "person",
    "house": "building",
    "pond": "water",
    "stone": "rock",
    "footpath": "path",
    "lamp post": "pole",
}


@dataclass(frozen=True)
class PlaygroundClass:
    name: str
    ade20k_value: int
    color: tuple[int, int, int]


@lru_cache(maxsize=1)
def _by_name() -> dict[str, ADEClass]:
    return {c.name: c for c in ade20k_classes()}


@lru_cache(maxsize=1)
def playground_classes() -> tuple[PlaygroundClass, ...]:
    by_name = _by_name()
    return tuple(PlaygroundClass(n, by_name[n].value, by_name[n].color) for n in PLAYGROUND_CLASS_NAMES)


def canonical_name(label: str) -> str:
    """A schema or ADE20K class name for what an annotator typed (case, spaces, aliases)."""
    key = " ".join(label.strip().lower().replace("_", " ").split())
    key = ALIASES.get(key, ALIASES.get(key.replace(" ", "_"), key))
    return key


def ade20k_value(label: str) -> int:
    """ADE20K value of a class name or alias; raises KeyError naming the label otherwise."""
    name = canonical_name(label)
    if name in ("other", "unknown", "_background_", "background"):
        return OTHER
    try:
        return _by_name()[name].value
    except KeyError:
        raise KeyError(f"unknown class {label!r}: not a playground class, alias or ADE20K class name") from None


def value_or_other(label: str) -> int:
    """ADE20K value of a label, ``OTHER`` when it names no class.

    For pictures of a file as it is: a label the schema does not know is shown as "other" rather than
    stopping the picture (the conversions, which must not guess, use :func:`ade20k_value` and refuse).
    """
    try:
        return ade20k_value(label)
    except KeyError:
        return OTHER


def class_name(value: int) -> str:
    if value == OTHER:
        return "other"
    if not 1 <= value <= NUM_ADE20K_CLASSES:
        raise ValueError(f"{value} is not an ADE20K value (0..{NUM_ADE20K_CLASSES})")
    return ade20k_classes()[value - 1].name


@lru_cache(maxsize=1)
def palette() -> np.ndarray:
    """(151, 3) uint8: row v is the colour of ADE20K value v; row 0 (other) is black."""
    table = np.zeros((NUM_ADE20K_CLASSES + 1, 3), dtype=np.uint8)
    for c in ade20k_classes():
        table[c.value] = c.color
    table.flags.writeable = False
    return table


def labels_to_colors(labels: np.ndarray) -> np.ndarray:
    """Colour a label map (HxW of ADE20K values) with the ADE20K palette -> HxWx3 uint8."""
    labels = np.asarray(labels)
    if labels.size and (labels.min() < 0 or labels.max() > NUM_ADE20K_CLASSES):
        raise ValueError(f"label values must lie in 0..{NUM_ADE20K_CLASSES}, got {labels.min()}..{labels.max()}")
    return palette()[labels.astype(np.intp)]


@lru_cache(maxsize=1)
def _color_lookup() -> dict[int, int]:
    lookup: dict[int, int] = {_pack(OTHER_COLOR): OTHER}
    for c in reversed(ade20k_classes()):  # reversed: the lower value (road over skyscraper) wins
        lookup[_pack(c.color)] = c.value
    return lookup


def _pack(rgb) -> int:
    r, g, b = (int(v) for v in rgb)
    return (r << 16) | (g << 8) | b


def color_to_value(rgb: tuple[int, int, int]) -> int:
    """The ADE20K value of an exact palette colour (road wins over skyscraper)."""
    try:
        return _color_lookup()[_pack(rgb)]
    except KeyError:
        raise KeyError(f"colour {tuple(rgb)} is not in the ADE20K palette") from None


def colors_to_labels(rgb: np.ndarray) -> np.ndarray:
    """Exact inverse of ``labels_to_colors``; colours off the palette raise, naming a few.

    For sketches from paint programs with soft edges, use ``playground_lib.sketch`` instead,
    which snaps to the nearest palette colour and reports what it could not place.
    """
    rgb = np.asarray(rgb)
    if rgb.ndim != 3 or rgb.shape[2] < 3:
        raise ValueError(f"expected an HxWx3 colour image, got shape {rgb.shape}")
    packed = (rgb[..., 0].astype(np.int64) << 16) | (rgb[..., 1].astype(np.int64) << 8) | rgb[..., 2]
    keys, inverse = np.unique(packed, return_inverse=True)
    lookup = _color_lookup()
    missing = [int(k) for k in keys if int(k) not in lookup]
    if missing:
        shown = ", ".join(str(((k >> 16) & 255, (k >> 8) & 255, k & 255)) for k in missing[:5])
        raise ValueError(f"{len(missing)} colour(s) are not in the ADE20K palette, e.g. {shown}")
    values = np.array([lookup[int(k)] for k in keys], dtype=np.uint8)
    return values[inverse.reshape(packed.shape)]


def schema_label_map() -> dict[str, int]:
    """labelme's ``label_name_to_value`` for the schema: class name -> ADE20K value."""
    return {"_background_": OTHER, **{c.name: c.ade20k_value for c in playground_classes()}}
