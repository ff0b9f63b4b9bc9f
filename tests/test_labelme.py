"""labelme files: read every version and shape type as labelme does, report every problem, write what labelme opens."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import numpy as np
import pytest
from labelme_fixtures import write_labelme_set
from PIL import Image

from playground_lib import outlines
from playground_lib.fileio import write_png
from playground_lib.labelme import rasterize
from playground_lib.labelme.check import check_labelme, read_labelme
from playground_lib.labelme.format import SHAPE_TYPES, LabelmeError, LabelmeShape, mask_shape, mask_to_base64
from playground_lib.labelme.write import save_labelme

labelme = pytest.importorskip("labelme")

# pycocotools 2.0 with numpy 2 warns on every decode; not ours to fix.
pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)


def _image(folder: Path, name: str = "photo.png", size=(40, 60)) -> Path:
    rng = np.random.default_rng(0)
    return write_png(folder / name, rng.integers(0, 256, (*size, 3), dtype=np.uint8))


def _labelme(folder: Path, shapes, name="photo", image="photo.png", height=40, width=60, **extra) -> Path:
    doc = {
        "version": "5.5.0",
        "flags": {},
        "shapes": shapes,
        "imagePath": image,
        "imageData": None,
        "imageHeight": height,
        "imageWidth": width,
        **extra,
    }
    path = folder / f"{name}.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _poly(label="tree", points=((5, 5), (30, 6), (20, 30)), **extra):
    return {
        "label": label,
        "points": [list(p) for p in points],
        "group_id": None,
        "shape_type": "polygon",
        "flags": {},
        "description": "",
        **extra,
    }


def test_every_shape_type_rasterizes_as_labelmes_own_loader_and_rasterizer(tmp_path):
    paths = write_labelme_set(tmp_path, 10, size=(48, 64), seed=5)
    seen = set()
    for path in paths:
        ours = read_labelme(path)
        theirs = labelme.LabelFile(str(path))
        assert [s.label for s in ours.shapes] == [s["label"] for s in theirs.shapes]
        names = {s.label: i + 1 for i, s in enumerate(ours.shapes)}
        expected_cls, expected_ins = labelme.utils.shapes_to_label((48, 64), theirs.shapes, names)
        cls, ins = ours.label_maps(names)
        assert np.array_equal(cls, expected_cls), path.name
        assert np.array_equal(ins > 0, expected_ins > 0), path.name
        for ours_shape, their_shape in zip(ours.shapes, theirs.shapes):
            seen.add(ours_shape.shape_type)
            if their_shape["shape_type"] == "mask":
                np.testing.assert_array_equal(ours_shape.mask, their_shape["mask"])
            else:
                expected = labelme.utils.shape_to_mask((48, 64), their_shape["points"], their_shape["shape_type"])
                np.testing.assert_array_equal(ours.shape_mask(ours_shape), expected)
    assert seen == set(SHAPE_TYPES)


def test_old_labelme_3_file_with_embedded_image_and_no_size_is_read(tmp_path):
    buffer = io.BytesIO()
    Image.new("RGB", (30, 20), (10, 200, 30)).save(buffer, format="PNG")
    doc = {
        "imagePath": "gone.png",
        "imageData": base64.b64encode(buffer.getvalue()).decode(),
        "flags": {},
        "shapes": [{"label": "grass", "points": [[1, 1], [20, 2], [10, 15]], "line_color": None, "fill_color": None}],
        "lineColor": [0, 255, 0, 128],
        "fillColor": [255, 0, 0, 128],
    }
    path = tmp_path / "old.json"
    path.write_text(json.dumps(doc))
    item = read_labelme(path)
    assert (item.height, item.width) == (20, 30) and item.image_path is None
    assert item.shapes[0].shape_type == "polygon" and item.shapes[0].group_id is None
    assert item.shapes[0].other == {"line_color": None, "fill_color": None}
    assert item.load_image()[0, 0].tolist() == [10, 200, 30]


def test_flags_descriptions_groups_and_windows_paths_are_kept(tmp_path):
    (tmp_path / "sub").mkdir()
    _image(tmp_path / "sub")
    shape = _poly(group_id=3, flags={"occluded": True}, description="the big oak")
    path = _labelme(tmp_path, [shape], image="sub\\photo.png", flags={"night": False})
    item = read_labelme(path)
    assert item.image_path == (tmp_path / "sub" / "photo.png").resolve()
    assert item.flags == {"night": False}
    assert (item.shapes[0].group_id, item.shapes[0].flags, item.shapes[0].description) == (
        3,
        {"occluded": True},
        "the big oak",
    )


def test_exif_rotated_photo_is_measured_upright_as_labelme_shows_it(tmp_path):
    image = Image.new("RGB", (60, 40), (200, 10, 10))
    image.putpixel((0, 0), (0, 0, 255))
    exif = Image.Exif()
    exif[0x0112] = 6  # stored landscape, shown portrait (turned 90 degrees clockwise)
    image.save(tmp_path / "photo.jpg", exif=exif, quality=100)
    good = _labelme(tmp_path, [_poly(points=((1, 1), (30, 2), (20, 50)))], image="photo.jpg", height=60, width=40)
    item = read_labelme(good)
    assert (item.height, item.width) == (60, 40)
    assert item.load_image().shape == (60, 40, 3)
    assert labelme.LabelFile(str(good)).image_data  # labelme accepts the same size
    bad = _labelme(tmp_path, [], name="bad", image="photo.jpg", height=40, width=60)
    with pytest.raises(
        LabelmeError, match=r"bad\.json: image 'photo\.jpg' is 40x60 .* but imageWidth/imageHeight say 60x40"
    ):
        read_labelme(bad)


BAD_FILES = {
    "invalid JSON": (
        lambda d: (d / "photo.json").write_text('{"shapes": [', encoding="utf-8"),
        r"photo\.json: not valid JSON \(line 1",
    ),
    "missing image": (
        lambda d: _labelme(d, [_poly()], image="nowhere.png"),
        r"photo\.json: image 'nowhere\.png' not found",
    ),
    "size mismatch": (
        lambda d: _labelme(d, [_poly()], height=41),
        r"photo\.json: image 'photo\.png' is 60x40 .* say 60x41",
    ),
    "polygon with 2 points": (
        lambda d: _labelme(d, [_poly(points=((1, 1), (5, 5)))]),
        r"shape 1 \(tree\): a polygon needs at least 3 points, got 2",
    ),
    "rectangle with 3 points": (
        lambda d: _labelme(d, [_poly("bench", ((1, 1), (5, 5), (6, 6)), shape_type="rectangle")]),
        r"shape 1 \(bench\): a rectangle needs exactly 2 points, got 3",
    ),
    "NaN": (
        lambda d: (d / "photo.json").write_text(
            json.dumps(
                {
                    "shapes": [_poly(points=((1, 1), (float("nan"), 5), (6, 6)))],
                    "imagePath": "photo.png",
                    "imageHeight": 40,
                    "imageWidth": 60,
                }
            )
        ),
        r"shape 1 \(tree\): point 2 \(nan, 5\) is not a finite number",
    ),
    "negative": (
        lambda d: _labelme(d, [_poly(), _poly("sand", ((1, -2), (5, 5), (6, 1)))]),
        r"shape 2 \(sand\): point 1 \(1, -2\) lies outside the 60x40 image",
    ),
    "out of image": (
        lambda d: _labelme(d, [_poly(points=((1, 1), (61, 5), (62, 30)))]),
        r"shape 1 \(tree\): 2 of 3 points lie outside the 60x40 image .* e\.g\. point 2 \(61, 5\)",
    ),
    "escaping imagePath": (
        lambda d: _labelme(d, [_poly()], image="../photo.png"),
        r"imagePath '\.\./photo\.png' points outside the folder",
    ),
    "absolute imagePath": (
        lambda d: _labelme(d, [_poly()], image=str(d / "photo.png")),
        r"imagePath '/.*photo\.png' points outside the folder",
    ),
    "unknown shape type": (
        lambda d: _labelme(d, [_poly(shape_type="blob")]),
        r"shape 1 \(tree\): unknown shape_type 'blob'",
    ),
    "empty label": (lambda d: _labelme(d, [_poly("  ")]), r"shape 1 \(  \): label is missing or empty"),
    "group_id text": (
        lambda d: _labelme(d, [_poly(group_id="a")]),
        r"shape 1 \(tree\): group_id must be a whole number",
    ),
    "mask of wrong size": (
        lambda d: _labelme(
            d,
            [
                {
                    "label": "rock",
                    "points": [[2, 2], [9, 9]],
                    "shape_type": "mask",
                    "mask": mask_to_base64(np.ones((3, 3), bool)),
                }
            ],
        ),
        r"shape 1 \(rock\): mask is 3x3 pixels but its corners span 8x8",
    ),
    "not labelme": (lambda d: (d / "photo.json").write_text("[1, 2]"), r"photo\.json: not a labelme file"),
    "not UTF-8": (
        lambda d: (d / "photo.json").write_bytes(b'{"shapes": "\xe9t\xe9"}'),
        r"photo\.json: not a UTF-8 text file",
    ),
    "a directory named .json": (lambda d: (d / "photo.json").mkdir(), r"photo\.json: cannot be read"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_file_is_reported_with_file_shape_and_what_is_wrong(tmp_path, case):
    _image(tmp_path)
    make, message = BAD_FILES[case]
    made = make(tmp_path)
    path = made if isinstance(made, Path) else tmp_path / "photo.json"
    _, problems = check_labelme(path)
    assert problems and any(p.startswith(str(path)) for p in problems)
    assert any(__import__("re").search(message, p) for p in problems), problems


def test_every_problem_of_a_file_is_listed_not_just_the_first(tmp_path):
    _image(tmp_path)
    path = _labelme(
        tmp_path,
        [_poly(points=((1, 1), (2, 2))), _poly("sand"), _poly("x", ((1, 1), (2, 2), (99, 3)))],
        image="../x.png",
    )
    with pytest.raises(LabelmeError) as raised:
        read_labelme(path, labels=["tree", "sand"])
    text = "\n".join(raised.value.problems)
    assert len(raised.value.problems) == 4, text
    assert "shape 1 (tree): a polygon needs at least 3 points" in text
    assert "shape 3 (x): unknown label 'x'" in text and "shape 3 (x): point 3 (99, 3) lies outside" in text
    assert "points outside the folder" in text and "shape 2" not in text


def test_outside_points_can_be_allowed_and_are_clipped_like_labelme(tmp_path):
    _image(tmp_path)
    path = _labelme(tmp_path, [_poly(points=((-5, -5), (80, 3), (30, 50)))])
    item = read_labelme(path, allow_outside=True)
    expected = labelme.utils.shape_to_mask((40, 60), [[-5, -5], [80, 3], [30, 50]], "polygon")
    np.testing.assert_array_equal(item.shape_mask(item.shapes[0]), expected)


def test_save_labelme_writes_what_labelme_loads(tmp_path):
    _image(tmp_path)
    mask = np.zeros((40, 60), bool)
    mask[10:14, 20:27] = True
    mask[11, 22] = False
    shapes = [
        {"label": "tree", "points": [[5.5, 5.25], [30, 6], [20, 30]]},
        LabelmeShape("bench", [[1, 1], [10, 8]], "rectangle", group_id=2, flags={"broken": True}, description="green"),
        mask_shape("rock", mask),
    ]
    path = save_labelme(tmp_path / "photo.json", tmp_path / "photo.png", (40, 60), shapes, flags={"checked": True})
    loaded = labelme.LabelFile(str(path))
    assert loaded.image_path == "photo.png" and loaded.flags == {"checked": True}
    assert [s["label"] for s in loaded.shapes] == ["tree", "bench", "rock"]
    assert loaded.shapes[0]["points"] == [[5.5, 5.25], [30.0, 6.0], [20.0, 30.0]]
    assert (loaded.shapes[1]["group_id"], loaded.shapes[1]["flags"], loaded.shapes[1]["description"]) == (
        2,
        {"broken": True},
        "green",
    )
    np.testing.assert_array_equal(
        rasterize.place_mask_patch((40, 60), loaded.shapes[2]["points"], loaded.shapes[2]["mask"]), mask
    )
    assert read_labelme(path).shapes[2].mask.sum() == mask.sum()


def test_save_labelme_refuses_bad_shapes_and_writes_nothing(tmp_path):
    with pytest.raises(LabelmeError, match=r"out\.json: shape 2 \(sand\): a polygon needs at least 3 points, got 2"):
        save_labelme(
            tmp_path / "out.json", "photo.png", (40, 60), [_poly(), {"label": "sand", "points": [[1, 1], [3, 3]]}]
        )
    assert not (tmp_path / "out.json").exists() and not list(tmp_path.iterdir())
    (tmp_path / "sub").mkdir()
    with pytest.raises(LabelmeError, match=r"out\.json: image '.*photo\.png' is not in the JSON file's folder"):
        save_labelme(tmp_path / "sub" / "out.json", tmp_path / "photo.png", (40, 60), [_poly()])
    assert not (tmp_path / "sub" / "out.json").exists()


def test_traced_outlines_rasterize_back_exactly_in_both_tools():
    from pycocotools import mask as mask_utils

    rng = np.random.default_rng(7)
    checked = 0
    for _ in range(60):
        h, w = rng.integers(2, 24, 2)
        mask = rng.random((h, w)) < rng.uniform(0.2, 0.9)
        coco = outlines.coco_polygons(mask)
        labelme_points = outlines.labelme_polygons(mask)
        _, holes = outlines.crack_loops(mask)
        assert (coco is None) == bool(holes) == (labelme_points is None)
        if coco is None:
            continue
        checked += 1
        back = mask_utils.decode(mask_utils.merge(mask_utils.frPyObjects(coco, int(h), int(w)))).astype(bool)
        np.testing.assert_array_equal(back, mask)
        union = np.zeros_like(mask)
        for points in labelme_points:
            union |= rasterize.shape_to_mask((h, w), points, "polygon" if len(points) > 2 else "rectangle")
        np.testing.assert_array_equal(union, mask)
    assert checked > 20


def test_tracing_many_masks_at_once_equals_tracing_each():
    rng = np.random.default_rng(3)
    masks = [rng.random(tuple(rng.integers(1, 20, 2))) < 0.6 for _ in range(30)]
    assert outlines.coco_polygons_many(masks) == [outlines.coco_polygons(m) for m in masks]
    assert outlines.coco_polygons_many([]) == []
