"""Colour sketches from paint programs -> ADE20K label maps."""

import io

import numpy as np
import pytest
from PIL import Image, ImageFilter

from playground_lib.labels import ade20k_value, labels_to_colors
from playground_lib.sketch import SketchError, read_sketch, sketch_to_labels

GRASS, SKY, SAND, TREE = (ade20k_value(n) for n in ("grass", "sky", "sand", "tree"))


def _scene(size: int = 96) -> np.ndarray:
    labels = np.full((size, size), GRASS, np.uint8)
    labels[: size // 3] = SKY
    yy, xx = np.mgrid[:size, :size]
    labels[(yy - size * 0.7) ** 2 + (xx - size * 0.35) ** 2 < (size * 0.18) ** 2] = SAND
    labels[size // 4 : size // 2, size * 2 // 3 : size * 2 // 3 + 12] = TREE
    return labels


def test_exact_palette_colours_round_trip_untouched():
    labels = _scene()
    labels[50, 80] = SAND  # a one-pixel detail painted with an exact colour stays
    reading = sketch_to_labels(labels_to_colors(labels))
    assert np.array_equal(reading.labels, labels)
    assert reading.snapped == 0 and reading.cleaned == 0 and reading.unknown == []


def test_antialiased_edges_are_cleaned_to_neighbour_classes():
    labels = _scene(96)
    big = Image.fromarray(labels_to_colors(labels)).resize((384, 384), Image.NEAREST)
    soft = big.filter(ImageFilter.GaussianBlur(2.0)).resize((192, 192), Image.LANCZOS)
    reading = sketch_to_labels(np.asarray(soft))
    truth = np.asarray(Image.fromarray(labels).resize((192, 192), Image.NEAREST))
    assert reading.cleaned > 0  # blends existed and were filled in
    assert set(np.unique(reading.labels)) <= {GRASS, SKY, SAND, TREE}
    assert (reading.labels == truth).mean() > 0.985


def test_jpeg_noise_snaps_to_the_nearest_class_colour():
    labels = _scene(128)
    buffer = io.BytesIO()
    Image.fromarray(labels_to_colors(labels)).save(buffer, format="JPEG", quality=80)
    noisy = np.asarray(Image.open(buffer).convert("RGB"))
    reading = sketch_to_labels(noisy)
    assert reading.snapped > 1000
    assert (reading.labels == labels).mean() > 0.985
    assert set(np.unique(reading.labels)) <= {GRASS, SKY, SAND, TREE}


def test_unknown_colour_regions_are_reported_not_guessed(tmp_path):
    rgb = labels_to_colors(_scene()).copy()
    rgb[60:80, 10:30] = (250, 100, 180)  # pink: no class colour near it
    path = tmp_path / "odd.png"
    Image.fromarray(rgb).save(path)
    with pytest.raises(SketchError, match=r"odd\.png.*#fa64b4 \(400 px"):
        read_sketch(path)
    reading = read_sketch(path, on_unknown="other")
    assert (reading.labels[62:78, 12:28] == 0).all()
    assert reading.unknown[0].color == (250, 100, 180) and reading.unknown[0].pixels == 400
    assert "#fa64b4" in reading.summary()


def test_all_classes_widens_the_palette():
    car = ade20k_value("car")
    rgb = labels_to_colors(_scene()).copy()
    target = np.clip(labels_to_colors(np.array([[car]]))[0, 0].astype(int) + 3, 0, 255)
    rgb[10:30, 10:30] = target  # near car's colour, not exact
    with pytest.raises(SketchError):
        sketch_to_labels(rgb)
    assert (sketch_to_labels(rgb, classes="all").labels[12:28, 12:28] == car).all()


def test_transparent_background_is_other_and_bad_files_name_themselves(tmp_path):
    rgba = np.zeros((32, 32, 4), np.uint8)
    rgba[8:24, 8:24, :3] = labels_to_colors(np.array([[GRASS]]))[0, 0]
    rgba[8:24, 8:24, 3] = 255
    reading = sketch_to_labels(rgba)
    assert (reading.labels[8:24, 8:24] == GRASS).all() and reading.labels[0, 0] == 0
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not a png")
    with pytest.raises(SketchError, match="broken.png"):
        read_sketch(broken)


def test_bundled_sketches_and_replacing_a_class():
    from playground_lib.sketch import bundled_sketches, replace_class

    sketches = bundled_sketches()
    assert len(sketches) >= 3
    meadow = read_sketch(sketches[0]).labels
    assert (meadow == GRASS).any()
    swapped = replace_class(meadow, "grass", "sand")
    assert not (swapped == GRASS).any()
    assert np.array_equal(swapped == SAND, (meadow == GRASS) | (meadow == SAND))
    with pytest.raises(ValueError, match="no 'water'"):
        replace_class(meadow, "water", "sand")
