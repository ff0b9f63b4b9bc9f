"""The annotation pictures of notebooks 01 and 02 read labelme files the way the rest of the library does."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from playground_lib.figures.annotation import show_annotation, show_polygon_quality
from playground_lib.fileio import write_png
from playground_lib.labelme.format import LabelmeError, LabelmeShape, mask_shape
from playground_lib.labelme.write import save_labelme
from playground_lib.labels import ade20k_value, labels_to_colors
from playground_lib.paths import data_dir


@pytest.fixture
def every_kind_of_shape(tmp_path):
    """A 64x64 photo with a rectangle, a circle of a label no schema knows over it, a polygon and a mask."""
    write_png(tmp_path / "photo.png", np.full((64, 64, 3), 120, dtype=np.uint8))
    sand = np.zeros((64, 64), dtype=bool)
    sand[50:60, 50:60] = True
    shapes = [
        LabelmeShape("fence", [[5, 5], [40, 40]], "rectangle"),
        LabelmeShape("unicorn", [[30, 30], [36, 30]], "circle"),
        LabelmeShape("tree", [[45, 3], [62, 3], [62, 20]], "polygon"),
        mask_shape("sand", sand),
    ]
    return save_labelme(tmp_path / "photo.json", "photo.png", (64, 64), shapes)


def test_the_label_map_holds_every_shape_type_and_an_unknown_label_is_other(every_kind_of_shape):
    figure = show_annotation(every_kind_of_shape)
    shown = figure.axes[1].images[0].get_array()
    expected = np.zeros((64, 64), dtype=np.uint8)
    expected[10, 10] = ade20k_value("fence")  # inside the rectangle
    expected[30, 30] = 0  # the unknown label, drawn over the rectangle: "other", not the fence under it
    expected[8, 58] = ade20k_value("tree")
    expected[55, 55] = ade20k_value("sand")  # a mask shape
    for row, col in [(10, 10), (30, 30), (8, 58), (55, 55), (62, 2)]:
        assert (shown[row, col] == labels_to_colors(expected[row : row + 1, col : col + 1])[0, 0]).all(), (row, col)
    plt.close(figure)


def test_every_shape_is_outlined_on_the_photo(every_kind_of_shape):
    figure = show_annotation(every_kind_of_shape)
    photo = figure.axes[0]
    outlined = len(photo.patches) + sum(len(c.get_paths()) > 0 for c in photo.collections)
    assert outlined == 4
    assert "4 shapes" in photo.get_title()
    plt.close(figure)


def test_a_broken_file_is_named_with_what_is_wrong(every_kind_of_shape):
    (every_kind_of_shape.parent / "photo.png").unlink()
    with pytest.raises(LabelmeError, match=r"photo\.json: image 'photo\.png' not found"):
        show_annotation(every_kind_of_shape)


def test_careless_polygons_score_lower_on_a_bundled_scene():
    figure, scores = show_polygon_quality(data_dir() / "synthetic" / "scene_0000.json", "tree")
    assert list(scores) == ["careful", "few points", "loose box"]
    assert scores["careful"] > 0.95 > scores["few points"] > scores["loose box"]
    plt.close(figure)
