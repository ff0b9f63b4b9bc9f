"""The sketch party: tile maths, merging, tiled generation and the Gather export, on odd inputs."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from playground_lib import event
from playground_lib.cli import main
from playground_lib.labels import ade20k_value, labels_to_colors

GRASS, TREE, SLIDE, SAND = (ade20k_value(n) for n in ("grass", "tree", "plaything", "sand"))


def sketch(h, w, seed, classes=(GRASS, TREE, SLIDE, SAND)):
    """A blocky random sketch: rectangles of playground classes on grass."""
    rng = np.random.default_rng(seed)
    labels = np.full((h, w), GRASS, dtype=np.uint8)
    for _ in range(4):
        y, x = rng.integers(0, h), rng.integers(0, w)
        labels[y : y + h // 3, x : x + w // 3] = rng.choice(classes)
    return labels


def test_tiles_parse_to_gather_pixel_sizes():
    assert event.parse_tiles("40x30") == (40, 30)
    assert event.map_size(event.parse_tiles("40X30")) == (1280, 960)
    assert event.map_size((1, 1)) == (32, 32)
    assert event.map_size((100, 100)) == (3200, 3200)
    for bad in ("40", "0x3", "101x2", "axb", "3x4x5"):
        with pytest.raises(ValueError, match="tiles"):
            event.parse_tiles(bad)


@pytest.mark.parametrize(
    "size, expected",
    [((1280, 960), (341, 256)), ((960, 1280), (256, 341)), ((32, 32), (256, 256)), ((3200, 96), (8533, 256))],
)
def test_working_size_keeps_the_aspect_with_the_model_size_as_short_side(size, expected):
    assert event.working_size(size, 256) == expected


@pytest.mark.parametrize(
    "length, window, overlap",
    [(256, 256, 64), (257, 256, 64), (341, 256, 64), (1000, 256, 64), (8533, 256, 0), (300, 100, 99)],
)
def test_windows_cover_everything_with_the_overlap_asked(length, window, overlap):
    starts = event.window_starts(length, window, overlap)
    assert starts[0] == 0 and starts[-1] + window == length
    covered = np.zeros(length, dtype=bool)
    for s in starts:
        covered[s : s + window] = True
    assert covered.all()
    assert all(b - a <= window - overlap for a, b in zip(starts, starts[1:]))
    with pytest.raises(ValueError):
        event.window_starts(window - 1, window, overlap)


def test_vote_takes_the_majority_and_breaks_ties_by_priority():
    a = np.array([[TREE, SLIDE, 0]], dtype=np.uint8)
    b = np.array([[TREE, GRASS, 0]], dtype=np.uint8)
    c = np.array([[GRASS, 0, 0]], dtype=np.uint8)
    merged = event.merge_by_vote([a, b, c], (3, 1))
    assert merged.tolist() == [
        [TREE, SLIDE, 0]
    ]  # 2 trees beat 1 grass; slide ties grass and wins; nobody painted the last
    grass_first = event.merge_by_vote([a, b, c], (3, 1), priority=("grass", "plaything"))
    assert grass_first[0, 1] == GRASS


def test_vote_merges_one_or_thirty_sketches_of_different_sizes():
    one = event.merge_sketches([sketch(48, 64, 0)], (7, 5))
    assert one.shape == (160, 224)
    assert set(np.unique(one)) <= {GRASS, TREE, SLIDE, SAND}
    sizes = [(48 + 7 * i, 64 + 13 * (i % 5)) for i in range(30)]
    thirty = event.merge_sketches([sketch(h, w, i) for i, (h, w) in enumerate(sizes)], (40, 30))
    assert thirty.shape == (960, 1280) and thirty.dtype == np.uint8
    largest = event.merge_sketches([sketch(48, 64, 0), sketch(100, 30, 1)], (100, 100))  # Gather's biggest map
    assert largest.shape == (3200, 3200)


def test_panels_put_every_sketch_on_whole_tiles():
    sketches = [np.full((30 + i, 40 + 2 * i), value, dtype=np.uint8) for i, value in enumerate(range(101, 131))]
    layout = event.merge_sketches(sketches, (40, 30), mode="panels")
    assert layout.shape == (960, 1280)
    assert set(range(101, 131)) <= set(np.unique(layout).tolist())  # every participant is in it
    tiles = event.dominant_tiles(layout)
    for value in range(101, 131):  # each panel is a block of whole tiles with nothing else in them
        ys, xs = np.nonzero(layout == value)
        assert ys.min() % 32 == 0 and xs.min() % 32 == 0 and (ys.max() + 1) % 32 == 0 and (xs.max() + 1) % 32 == 0
        assert (tiles == value).sum() * 32 * 32 == (layout == value).sum()
    single = event.merge_sketches([sketches[0]], (3, 2), mode="panels")
    assert (single == 101).all()
    with pytest.raises(ValueError, match="tiles"):
        event.merge_sketches(sketches, (4, 3), mode="panels")


def test_tiled_generation_is_seamless_when_windows_agree():
    layout = event.resize_labels(sketch(90, 120, 3), (341, 256), fit="stretch")
    calls = []

    def generate(labels):
        calls.append(labels.shape)
        return labels_to_colors(labels)

    painted = event.generate_tiled(layout, generate, 256, progress=False)
    assert np.array_equal(painted, labels_to_colors(layout))  # blending never invents colours
    assert calls == [(256, 256)] * 2
    with pytest.raises(ValueError, match="generator returned"):
        event.generate_tiled(layout, lambda labels: np.zeros((10, 10, 3), np.uint8), 256, progress=False)


def test_png_stays_under_the_byte_limit_or_says_why():
    noise = np.random.default_rng(0).integers(0, 256, (512, 512, 3), dtype=np.uint8)
    data, how = event.png_bytes_under(noise, max_bytes=400_000)
    assert len(data) <= 400_000 and how.endswith("colours")
    flat = np.zeros((512, 512, 3), dtype=np.uint8)
    assert event.png_bytes_under(flat)[1] == "rgb"
    with pytest.raises(ValueError, match="does not fit"):
        event.png_bytes_under(noise, max_bytes=1_000)


def test_dominant_tiles_and_guide():
    labels = np.full((64, 96), GRASS, dtype=np.uint8)
    labels[:32, :32] = TREE
    labels[32:, 64:] = SAND
    labels[32:40, 64:] = TREE  # a quarter of a tile: sand still dominates
    guide = event.collision_guide(labels)
    assert guide["cols"] == 3 and guide["rows"] == 2
    assert guide["dominant_class"] == [[TREE, GRASS, GRASS], [GRASS, GRASS, SAND]]
    assert guide["impassable"] == [[1, 0, 0], [0, 0, 0]]
    with pytest.raises(ValueError, match="tiles"):
        event.dominant_tiles(labels[:50])


def test_sketch_files_in_colour_grey_and_soft_edges(tmp_path):
    labels = sketch(40, 50, 1)
    Image.fromarray(labels_to_colors(labels)).save(tmp_path / "colour.png")
    Image.fromarray(labels).save(tmp_path / "grey.png")
    soft = labels_to_colors(labels).copy()
    soft[0, :10] += 3  # a brush's soft edge: a few pixels off the palette
    Image.fromarray(soft).save(tmp_path / "soft.png")
    for name in ("colour", "grey", "soft"):
        assert np.array_equal(event.as_label_map(tmp_path / f"{name}.png"), labels), name
    indexed = Image.fromarray(labels_to_colors(labels)).quantize(colors=8, method=Image.Quantize.MEDIANCUT)
    indexed.save(tmp_path / "indexed.png")  # "P" mode: palette indices are not class values
    assert np.array_equal(event.as_label_map(tmp_path / "indexed.png"), labels)
    (tmp_path / "broken.png").write_bytes(b"not a png")
    with pytest.raises(ValueError, match="broken.png"):
        event.as_label_map(tmp_path / "broken.png")
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (20, 20, 3), dtype=np.uint8)).save(tmp_path / "photo.png")
    with pytest.raises(ValueError, match="photo.png"):
        event.as_label_map(tmp_path / "photo.png")


@pytest.mark.parametrize("tiles, n", [((7, 5), 1), ((40, 30), 3), ((9, 13), 30)])
def test_background_has_the_requested_tiles(tmp_path, tiles, n):
    files = []
    for i in range(n):
        path = tmp_path / f"s{i}.png"
        Image.fromarray(labels_to_colors(sketch(30 + 11 * i, 50 + 3 * i, i))).save(path)
        files.append(path)
    result = event.make_background(files, tmp_path / "out" / "bg.png", tiles, model_size=64, progress=False)
    width, height = tiles[0] * 32, tiles[1] * 32
    with Image.open(result.png) as image:
        assert image.size == (width, height)
    assert result.png.stat().st_size == result.bytes <= event.GATHER_MAX_BYTES
    guide = json.loads(result.guide_json.read_text())
    assert (guide["cols"], guide["rows"]) == tiles
    assert np.asarray(guide["dominant_class"]).shape == (tiles[1], tiles[0])
    with Image.open(result.labels_png) as image, Image.open(result.guide_png) as guide_image:
        assert image.size == guide_image.size == (width, height)


def test_painter_like_objects_and_bad_maps():
    class Painted:  # what a painter session or a synthetic Scene offers
        labels = sketch(20, 30, 2)

    result = event.merge_sketches([Painted(), Painted.labels], (2, 2))
    assert result.shape == (64, 64)
    with pytest.raises(ValueError, match="HxW"):
        event.as_label_map(np.zeros((4, 4, 3)))


def test_cli_writes_a_background_and_rejects_bad_input(tmp_path, capsys):
    path = tmp_path / "a.png"
    Image.fromarray(labels_to_colors(sketch(48, 64, 0))).save(path)
    assert (
        main(["background", str(path), str(path), str(tmp_path / "bg.png"), "--tiles", "5x4", "--model-size", "64"])
        == 0
    )
    with Image.open(tmp_path / "bg.png") as image:
        assert image.size == (160, 128)
    assert main(["background", str(path), str(tmp_path / "bg.png"), "--tiles", "500x4"]) == 2
    assert "tiles" in capsys.readouterr().err
    assert main(["background", str(tmp_path / "missing.png"), str(tmp_path / "bg.png")]) == 2


def test_cli_paints_with_a_spade_checkpoint(tmp_path):
    """--checkpoint loads a generator file through playground_lib.spade (a tiny random one here)."""
    from playground_lib.spade import GeneratorConfig, save_random_official_checkpoint

    checkpoint = save_random_official_checkpoint(tmp_path / "tiny_net_G.pth", GeneratorConfig(ngf=4))
    path = tmp_path / "a.png"
    Image.fromarray(labels_to_colors(sketch(48, 64, 0))).save(path)
    assert (
        main(
            [
                "background",
                str(path),
                str(tmp_path / "bg.png"),
                "--tiles",
                "3x2",
                "--model-size",
                "64",
                "--checkpoint",
                str(checkpoint),
            ]
        )
        == 0
    )
    painted = np.asarray(Image.open(tmp_path / "bg.png"))
    assert painted.shape == (64, 96, 3) and painted.std() > 0
    assert main(["background", str(path), str(tmp_path / "bg.png"), "--checkpoint", str(tmp_path / "none.pth")]) == 2
