"""The sketch party: everyone's sketches become one playground, the background of the next event.

Participants each paint a segmentation sketch. Here they are merged into one layout (a per-pixel
vote, or panels side by side), the layout is turned into a picture by a generator, and the picture
is exported as a Gather (gather.town) background:

* Gather maps are built from 32 x 32 px tiles, at most 3200 x 3200 px (100 x 100 tiles), and a
  background file must be under 3 MB ("Mapmaker: Background & Foreground" and "Sizes" in Gather's
  help centre, support.gather.town). We ask for a tile count (``40x30`` -> 1280 x 960 px) and
  make exactly that size.
* Generators work at one size (SPADE: 256 x 256). The layout is generated at a *working* size whose
  short side is the model size (times ``detail``), in overlapping model-size windows blended with
  soft edges, then resized to the map with Lanczos: no seams, no blocky pixels.
* The merged label map comes along as a guide for Gather's collision ("impassable") tiles: the
  dominant class of every tile, as JSON and as a picture.

The generator is any callable ``generate(labels) -> rgb`` (HxW ADE20K values -> HxWx3 uint8), so
the SPADE model (``playground_lib.spade``) or anything else can be plugged in and tests need none.
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from .fileio import write_bytes, write_json, write_png
from .labels import OTHER, ade20k_value, class_name, labels_to_colors
from .labels_to_image import LabelsToImage
from .sketch import read_sketch

TILE = 32  # Gather's tile, in pixels
GATHER_MAX_PIXELS = 3200  # per side
GATHER_MAX_BYTES = 3_000_000  # "maximum file size is 3 MB": stay under it whichever MB is meant
# Who wins a tied vote: small, important things before the ground they stand on.
DEFAULT_PRIORITY = (
    "person",
    "plaything",
    "bench",
    "pole",
    "railing",
    "fence",
    "tree",
    "flower",
    "plant",
    "rock",
    "water",
    "building",
    "sand",
    "path",
    "earth",
    "grass",
    "hill",
    "sky",
)
# Classes a Gather avatar should not walk through: suggested "impassable" tiles.
BLOCKING = ("tree", "fence", "railing", "building", "water", "rock", "pole", "plaything", "bench")
OFF_PALETTE_LIMIT = 0.05  # soft brush edges may be off-palette; more than this is not a sketch


# --------------------------------------------------------------------------------------------
# Tile maths
# --------------------------------------------------------------------------------------------


def parse_tiles(text: str) -> tuple[int, int]:
    """``"40x30"`` -> (40, 30) tiles (columns, rows), checked against Gather's 100 x 100 limit."""
    parts = str(text).lower().replace("×", "x").split("x")
    try:
        cols, rows = (int(p) for p in parts)
    except ValueError:
        raise ValueError(f"tiles {text!r}: write columns x rows, e.g. 40x30") from None
    return check_tiles((cols, rows))


def check_tiles(tiles: Sequence[int]) -> tuple[int, int]:
    cols, rows = (int(t) for t in tiles)
    limit = GATHER_MAX_PIXELS // TILE
    if not (1 <= cols <= limit and 1 <= rows <= limit):
        raise ValueError(f"tiles {cols}x{rows}: Gather maps have 1..{limit} tiles per side ({GATHER_MAX_PIXELS} px)")
    return cols, rows


def map_size(tiles: Sequence[int]) -> tuple[int, int]:
    """(width, height) in pixels of a map of ``tiles`` = (columns, rows)."""
    cols, rows = check_tiles(tiles)
    return cols * TILE, rows * TILE


def working_size(size_wh: Sequence[int], model_size: int, detail: float = 1.0) -> tuple[int, int]:
    """The size the generator paints at: short side = model_size x detail, the map's aspect kept."""
    width, height = size_wh
    short = max(int(round(model_size * detail)), model_size)
    if width >= height:
        return max(int(round(short * width / height)), short), short
    return short, max(int(round(short * height / width)), short)


def window_starts(length: int, window: int, min_overlap: int) -> list[int]:
    """Start offsets of windows of ``window`` px covering ``length`` px, overlapping >= ``min_overlap``.

    The first window starts at 0, the last ends at ``length``, the rest are spread evenly.
    """
    if window <= 0 or length < window or not 0 <= min_overlap < window:
        raise ValueError(f"cannot cover {length} px with {window} px windows overlapping {min_overlap} px")
    if length == window:
        return [0]
    count = math.ceil((length - min_overlap) / (window - min_overlap))
    count = max(count, 2)
    return [int(round(i * (length - window) / (count - 1))) for i in range(count)]


# --------------------------------------------------------------------------------------------
# Reading and merging sketches
# --------------------------------------------------------------------------------------------


def resize_labels(labels: np.ndarray, size_wh: Sequence[int], fit: str = "cover") -> np.ndarray:
    """Resize a label map with nearest neighbour (no invented classes at edges).

    ``fit="cover"`` keeps proportions and crops the centre; ``"stretch"`` fills the box exactly.
    """
    width, height = int(size_wh[0]), int(size_wh[1])
    labels = np.asarray(labels, dtype=np.uint8)
    if fit == "cover":
        h, w = labels.shape
        scale = max(width / w, height / h)
        crop_w, crop_h = min(w, max(1, round(width / scale))), min(h, max(1, round(height / scale)))
        x0, y0 = (w - crop_w) // 2, (h - crop_h) // 2
        labels = labels[y0 : y0 + crop_h, x0 : x0 + crop_w]
    elif fit != "stretch":
        raise ValueError(f"fit must be 'cover' or 'stretch', got {fit!r}")
    return np.asarray(Image.fromarray(labels).resize((width, height), Image.NEAREST))


def priority_values(priority: Sequence[str] = DEFAULT_PRIORITY) -> list[int]:
    return [ade20k_value(name) for name in priority]


def merge_by_vote(
    sketches: Sequence[np.ndarray], size_wh: Sequence[int], priority: Sequence[str] = DEFAULT_PRIORITY
) -> np.ndarray:
    """Each pixel takes the class most sketches painted there; ties go to the earlier class in ``priority``.

    Unpainted pixels ("other", 0) abstain, so one person's empty corner does not erase another's
    slide. Classes missing from ``priority`` rank after it, lowest value first.
    """
    if not sketches:
        raise ValueError("merge_by_vote: no sketches given")
    width, height = int(size_wh[0]), int(size_wh[1])
    maps = [resize_labels(s, (width, height)) for s in sketches]
    present = sorted(set().union(*(np.unique(m).tolist() for m in maps)) - {OTHER})
    if not present:
        return np.zeros((height, width), dtype=np.uint8)
    ordered = priority_values(priority)
    ranked = [v for v in ordered if v in present] + [v for v in present if v not in ordered]
    # One class at a time, in priority order: a class takes a pixel only with strictly more votes,
    # so ties stay with the earlier class. Memory stays at a few H x W arrays even for 30 sketches
    # on a 3200 x 3200 map.
    best = np.zeros((height, width), dtype=np.uint16)
    winner = np.full((height, width), OTHER, dtype=np.uint8)
    for value in ranked:
        votes = np.zeros((height, width), dtype=np.uint16)
        for m in maps:
            votes += m == value
        better = votes > best
        winner[better] = value
        best[better] = votes[better]
    return winner


def panel_grid(n: int, size_wh: Sequence[int], sketch_aspect: float = 4 / 3) -> tuple[int, int]:
    """(columns, rows) of panels for ``n`` sketches: cells shaped like the sketches, few empty cells."""
    if n < 1:
        raise ValueError("panel_grid: need at least one sketch")
    width, height = size_wh
    best = None
    for cols in range(1, n + 1):
        rows = math.ceil(n / cols)
        cell_aspect = (width / cols) / (height / rows)
        score = abs(math.log(cell_aspect / sketch_aspect)) + 0.15 * (cols * rows - n)
        if best is None or score < best[0]:
            best = (score, cols, rows)
    return best[1], best[2]


def merge_as_panels(sketches: Sequence[np.ndarray], tiles: Sequence[int], fill: str = "grass") -> np.ndarray:
    """Sketches side by side, each in a whole number of tiles so panel borders fall on tile edges."""
    cols_t, rows_t = check_tiles(tiles)
    width, height = cols_t * TILE, rows_t * TILE
    aspect = float(np.median([s.shape[1] / s.shape[0] for s in sketches])) if sketches else 1.0
    cols, rows = panel_grid(len(sketches), (width, height), aspect)
    if cols > cols_t or rows > rows_t:
        raise ValueError(
            f"{len(sketches)} sketches need {cols}x{rows} panels but the map has only "
            f"{cols_t}x{rows_t} tiles; ask for more tiles or merge by vote"
        )
    xs = [round(i * cols_t / cols) * TILE for i in range(cols + 1)]
    ys = [round(j * rows_t / rows) * TILE for j in range(rows + 1)]
    layout = np.full((height, width), ade20k_value(fill), dtype=np.uint8)
    for k, sketch in enumerate(sketches):
        r, c = divmod(k, cols)
        layout[ys[r] : ys[r + 1], xs[c] : xs[c + 1]] = resize_labels(sketch, (xs[c + 1] - xs[c], ys[r + 1] - ys[r]))
    return layout


# --------------------------------------------------------------------------------------------
# Generating at model size, blending windows, upscaling
# --------------------------------------------------------------------------------------------


def feather(window: int) -> np.ndarray:
    """Weights of one window: high in the middle, falling towards the edges (never zero)."""
    ramp = np.minimum(np.arange(window) + 1, np.arange(window, 0, -1)).astype(np.float64)
    ramp = np.minimum(ramp / (window / 4), 1.0)
    return np.outer(ramp, ramp)


def generate_tiled(
    layout: np.ndarray, generate: LabelsToImage, model_size: int, min_overlap: int | None = None, progress: bool = True
) -> np.ndarray:
    """Paint a layout at least ``model_size`` on each side in overlapping model-size windows.

    Each window is generated on its own and blended into the picture with soft edges, so a
    generator trained on 256 x 256 crops can paint a wide map without stretching anything.
    """
    from tqdm.auto import tqdm

    height, width = layout.shape
    overlap = model_size // 4 if min_overlap is None else min_overlap
    ys, xs = window_starts(height, model_size, overlap), window_starts(width, model_size, overlap)
    weights = feather(model_size)
    total = np.zeros((height, width, 3), dtype=np.float64)
    weight_sum = np.zeros((height, width, 1), dtype=np.float64)
    for y, x in tqdm([(y, x) for y in ys for x in xs], desc="Generating", unit="window", disable=not progress):
        crop = np.ascontiguousarray(layout[y : y + model_size, x : x + model_size])
        rgb = np.asarray(generate(crop))
        if rgb.shape != (model_size, model_size, 3):
            raise ValueError(
                f"generator returned shape {rgb.shape} for a {model_size}x{model_size} label map; "
                f"expected ({model_size}, {model_size}, 3)"
            )
        total[y : y + model_size, x : x + model_size] += rgb.astype(np.float64) * weights[..., None]
        weight_sum[y : y + model_size, x : x + model_size] += weights[..., None]
    return np.clip(np.rint(total / weight_sum), 0, 255).astype(np.uint8)


def palette_generator(labels: np.ndarray) -> np.ndarray:
    """A stand-in generator: the sketch's own colours, softly shaded. For tests and rehearsals only."""
    rgb = labels_to_colors(labels).astype(np.float64)
    h, w = labels.shape
    shade = 0.85 + 0.15 * np.cos(np.linspace(0, np.pi, h))[:, None] * np.ones((1, w))
    return np.clip(rgb * shade[..., None], 0, 255).astype(np.uint8)


# --------------------------------------------------------------------------------------------
# Gather export: PNG under the size limit, collision guide
# --------------------------------------------------------------------------------------------


def png_bytes_under(rgb: np.ndarray, max_bytes: int = GATHER_MAX_BYTES) -> tuple[bytes, str]:
    """PNG bytes of ``rgb`` no bigger than ``max_bytes``: full colour if it fits, else fewer colours.

    Returns (bytes, how): how is "rgb" or "N colours". Raises if even 16 colours do not fit.
    """
    image = Image.fromarray(np.ascontiguousarray(rgb[..., :3]), "RGB")
    data = _png(image)
    if len(data) <= max_bytes:
        return data, "rgb"
    for colours in (256, 128, 64, 32, 16):
        data = _png(image.quantize(colors=colours, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.FLOYDSTEINBERG))
        if len(data) <= max_bytes:
            return data, f"{colours} colours"
    raise ValueError(f"a {image.width}x{image.height} picture does not fit in {max_bytes} bytes even with 16 colours")


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def dominant_tiles(labels: np.ndarray, tile: int = TILE) -> np.ndarray:
    """(rows, cols) grid: the most common class in each tile (ties: the lower value)."""
    height, width = labels.shape
    if height % tile or width % tile:
        raise ValueError(f"label map {width}x{height} is not a whole number of {tile}-px tiles")
    rows, cols = height // tile, width // tile
    blocks = labels.reshape(rows, tile, cols, tile).transpose(0, 2, 1, 3).reshape(rows, cols, tile * tile)
    counts = np.zeros((rows, cols, 151), dtype=np.int32)
    for value in np.unique(blocks):
        counts[..., value] = (blocks == value).sum(-1)
    return counts.argmax(-1).astype(np.uint8)


def collision_guide(labels: np.ndarray, blocking: Sequence[str] = BLOCKING) -> dict:
    """What Gather's Mapmaker needs: per-tile dominant class and suggested impassable tiles."""
    grid = dominant_tiles(labels)
    blocking_values = [ade20k_value(name) for name in blocking]
    return {
        "tile_size": TILE,
        "cols": int(grid.shape[1]),
        "rows": int(grid.shape[0]),
        "legend": {str(int(v)): class_name(int(v)) for v in np.unique(grid)},
        "dominant_class": grid.tolist(),
        "impassable_classes": list(blocking),
        "impassable": np.isin(grid, blocking_values).astype(int).tolist(),
        "how_to_use": "In Gather's Mapmaker, stamp Impassable tile effects where impassable is 1 (row, column).",
    }


def guide_picture(background: np.ndarray, guide: dict) -> np.ndarray:
    """The background with impassable tiles tinted red and the 32-px grid drawn: place tiles by eye."""
    picture = background.astype(np.float64).copy()
    blocked = np.kron(np.asarray(guide["impassable"], dtype=bool), np.ones((TILE, TILE), dtype=bool))
    picture[blocked] = picture[blocked] * 0.5 + np.array([255, 0, 0]) * 0.5
    picture[::TILE, :] = picture[::TILE, :] * 0.6
    picture[:, ::TILE] = picture[:, ::TILE] * 0.6
    return picture.astype(np.uint8)


# --------------------------------------------------------------------------------------------
# The whole party
# --------------------------------------------------------------------------------------------


@dataclass
class Background:
    png: Path
    labels_png: Path
    guide_json: Path
    guide_png: Path
    size: tuple[int, int]  # (width, height) px
    tiles: tuple[int, int]  # (columns, rows)
    bytes: int
    encoding: str  # "rgb" or "N colours"
    layout: np.ndarray  # the merged label map at map size


def as_label_map(sketch) -> np.ndarray:
    """A sketch file, a label map, or anything with a ``labels`` map (a painter, a synthetic scene)."""
    if isinstance(sketch, (str, os.PathLike)):
        return read_sketch(sketch, max_off_palette=OFF_PALETTE_LIMIT).labels
    labels = np.asarray(getattr(sketch, "labels", sketch))
    if labels.ndim != 2 or labels.size == 0 or labels.min() < 0 or labels.max() > 150:
        raise ValueError(f"a sketch must be an HxW map of ADE20K values 0..150, got shape {labels.shape}")
    return labels.astype(np.uint8)


def merge_sketches(
    sketches: Sequence[np.ndarray], tiles: Sequence[int], mode: str = "vote", priority: Sequence[str] = DEFAULT_PRIORITY
) -> np.ndarray:
    """One label map at the map's size from many sketches (files, label maps, painters).

    ``mode``: ``"vote"`` or ``"panels"``.
    """
    if not sketches:
        raise ValueError("no sketches to merge")
    sketches = [as_label_map(s) for s in sketches]
    size = map_size(tiles)
    if mode == "vote":
        return merge_by_vote(sketches, size, priority)
    if mode == "panels":
        return merge_as_panels(sketches, tiles)
    raise ValueError(f"mode must be 'vote' or 'panels', got {mode!r}")


def make_background(
    sketches: Sequence,
    out_png: str | os.PathLike,
    tiles: Sequence[int] = (40, 30),
    generate: LabelsToImage | None = None,
    mode: str = "vote",
    model_size: int = 256,
    detail: float = 1.0,
    max_bytes: int = GATHER_MAX_BYTES,
    progress: bool = True,
) -> Background:
    """Sketch files (or label maps) -> a Gather background PNG, its label map and collision guide.

    Writes ``OUT.png`` (the background, exactly tiles x 32 px), ``OUT_labels.png`` (the merged
    layout in palette colours), ``OUT_tiles.json`` and ``OUT_tiles.png`` (the collision guide).
    ``generate`` defaults to ``palette_generator``; pass the SPADE generator for real pictures.
    """
    tiles = check_tiles(tiles)
    maps = [as_label_map(s) for s in sketches]
    layout = merge_sketches(maps, tiles, mode)
    width, height = map_size(tiles)
    work_w, work_h = working_size((width, height), model_size, detail)
    work_layout = resize_labels(layout, (work_w, work_h), fit="stretch")
    painted = generate_tiled(work_layout, generate or palette_generator, model_size, progress=progress)
    background = np.asarray(Image.fromarray(painted).resize((width, height), Image.LANCZOS))
    data, encoding = png_bytes_under(background, max_bytes)
    out_png = Path(out_png)
    stem = out_png.with_suffix("")
    write_bytes(out_png, data)
    labels_png = write_png(f"{stem}_labels.png", labels_to_colors(layout))
    guide = collision_guide(layout)
    guide_json = write_json(f"{stem}_tiles.json", guide, indent=None)
    guide_png = write_png(f"{stem}_tiles.png", guide_picture(background, guide))
    return Background(out_png, labels_png, guide_json, guide_png, (width, height), tiles, len(data), encoding, layout)
