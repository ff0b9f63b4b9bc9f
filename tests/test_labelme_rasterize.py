"""Our fallback rasterizer must draw exactly what labelme draws, shape type by shape type."""

import numpy as np
import pytest

from playground_lib.labelme import rasterize

SHAPES = [
    ("polygon", [[3.2, 4.1], [40.7, 8.3], [30.5, 44.9], [6.0, 30.2]]),
    ("rectangle", [[50.6, 40.2], [10.1, 5.5]]),
    ("circle", [[30.0, 30.0], [41.5, 37.2]]),
    ("line", [[2.0, 2.0], [60.0, 50.0]]),
    ("linestrip", [[2.0, 60.0], [30.0, 10.0], [60.0, 55.0]]),
    ("point", [[12.5, 50.5]]),
]


def test_labelme_is_found():
    module, major = rasterize.labelme_utils()
    assert module is not None and major >= 6


@pytest.mark.parametrize("shape_type,points", SHAPES)
def test_fallback_matches_labelme(shape_type, points):
    ours = rasterize._draw_like_labelme((64, 64), points, shape_type)
    theirs = rasterize.shape_to_mask((64, 64), points, shape_type)
    assert ours.any()
    assert np.array_equal(ours, theirs)


def test_shapes_to_label_fallback_matches_labelme_with_groups_and_masks():
    patch = np.zeros((10, 12), bool)
    patch[2:8, 3:9] = True
    shapes = [
        {"label": "grass", "points": SHAPES[0][1], "shape_type": "polygon", "group_id": None},
        {"label": "tree", "points": SHAPES[1][1], "shape_type": "rectangle", "group_id": 1},
        {"label": "tree", "points": SHAPES[2][1], "shape_type": "circle", "group_id": 1},
        {"label": "sand", "points": [[40, 40], [51, 49]], "shape_type": "mask", "group_id": None, "mask": patch},
    ]
    names = {"_background_": 0, "grass": 10, "tree": 5, "sand": 47}
    cls_a, ins_a = rasterize.shapes_to_label((64, 64), shapes, names)
    cls_b, ins_b = rasterize._shapes_to_label_like_labelme((64, 64), shapes, names)
    assert np.array_equal(cls_a, cls_b) and np.array_equal(ins_a, ins_b)
    assert set(np.unique(cls_a)) == {0, 5, 10, 47}
    assert len(np.unique(ins_a)) == 4  # background + grass + one tree from two shapes + sand
