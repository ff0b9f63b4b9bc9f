"""``playground labelme2coco | coco2labelme | coco2spade``: every bad input is listed, exit 2, nothing written."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from labelme_fixtures import write_labelme_set
from memory_guard import memory_limit
from pycocotools.coco import COCO

from playground_lib.cli import main
from playground_lib.fileio import write_png
from playground_lib.labelme.write import save_labelme

# pycocotools 2.0 with numpy 2 warns on every decode; not ours to fix.
pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)


@pytest.fixture(scope="module")
def good_set(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("good")
    write_labelme_set(folder, 6, size=(32, 48), seed=21)
    return folder


@pytest.fixture
def folder(good_set, tmp_path) -> Path:
    copy = tmp_path / "labelme"
    shutil.copytree(good_set, copy)
    return copy


def _edit(path: Path, change) -> None:
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc))


def test_labelme2coco_writes_a_coco_file_pycocotools_loads(folder, tmp_path, capsys):
    out = tmp_path / "out" / "coco.json"
    assert main(["labelme2coco", str(folder), str(out), "--split", "0.5", "--quiet"]) == 0
    api = COCO(str(out))
    assert len(api.getImgIds()) == 6 and len(api.getAnnIds()) > 6
    assert len(json.loads((tmp_path / "out" / "coco_train.json").read_text())["images"]) == 3
    assert len(json.loads((tmp_path / "out" / "coco_val.json").read_text())["images"]) == 3
    assert "checked 6 file(s)" in capsys.readouterr().out


def test_second_run_into_the_labelme_folder_ignores_its_own_output(folder):
    out = folder / "coco.json"
    assert main(["labelme2coco", str(folder), str(out), "--quiet"]) == 0
    assert main(["labelme2coco", str(folder), str(out), "--quiet"]) == 0


def _polygon(points):
    return {"label": "tree", "points": points, "group_id": None, "shape_type": "polygon", "flags": {}}


BAD_INPUT = {
    "invalid JSON": (lambda d: (d / "img_0001.json").write_text("{not json"), r"img_0001\.json: not valid JSON"),
    "missing image": (lambda d: (d / "img_0002.png").unlink(), r"img_0002\.json: image 'img_0002\.png' not found"),
    "size mismatch": (
        lambda d: _edit(d / "img_0003.json", lambda doc: doc.update(imageWidth=50)),
        r"img_0003\.json: image 'img_0003\.png' is 48x32 .* say 50x32",
    ),
    "polygon with 2 points": (
        lambda d: _edit(d / "img_0000.json", lambda doc: doc["shapes"].insert(0, _polygon([[1, 1], [4, 4]]))),
        r"img_0000\.json: shape 1 \(tree\): a polygon needs at least 3 points, got 2",
    ),
    "rectangle with 1 point": (
        lambda d: _edit(
            d / "img_0000.json",
            lambda doc: doc["shapes"].append({"label": "bench", "points": [[1, 1]], "shape_type": "rectangle"}),
        ),
        r"img_0000\.json: shape \d+ \(bench\): a rectangle needs exactly 2 points, got 1",
    ),
    "unknown label": (
        lambda d: _edit(d / "img_0004.json", lambda doc: doc["shapes"][0].update(label="ufo")),
        r"img_0004\.json: shape 1 \(ufo\): unknown label 'ufo'",
    ),
    "NaN coordinate": (
        lambda d: _edit(
            d / "img_0000.json", lambda doc: doc["shapes"].insert(0, _polygon([[1, 1], [float("nan"), 4], [5, 5]]))
        ),
        r"img_0000\.json: shape 1 \(tree\): point 2 \(nan, 4\) is not a finite number",
    ),
    "negative coordinate": (
        lambda d: _edit(d / "img_0000.json", lambda doc: doc["shapes"].insert(0, _polygon([[1, 1], [-3, 4], [5, 5]]))),
        r"img_0000\.json: shape 1 \(tree\): point 2 \(-3, 4\) lies outside the 48x32 image",
    ),
    "out-of-image coordinate": (
        lambda d: _edit(d / "img_0000.json", lambda doc: doc["shapes"].insert(0, _polygon([[1, 1], [49, 4], [5, 5]]))),
        r"img_0000\.json: shape 1 \(tree\): point 2 \(49, 4\) lies outside the 48x32 image",
    ),
    "duplicate image": (
        lambda d: (d / "img_9999.json").write_text((d / "img_0005.json").read_text()),
        r"img_9999\.json: image 'img_0005\.png' is already used by .*img_0005\.json",
    ),
    "imagePath escapes": (
        lambda d: _edit(d / "img_0001.json", lambda doc: doc.update(imagePath="../../etc/passwd")),
        r"img_0001\.json: imagePath '\.\./\.\./etc/passwd' points outside the folder",
    ),
    "absolute imagePath": (
        lambda d: _edit(d / "img_0001.json", lambda doc: doc.update(imagePath=str(d / "img_0001.png"))),
        r"img_0001\.json: imagePath '/.*img_0001\.png' points outside the folder",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_labelme2coco_bad_input_exit_2_message_and_nothing_written(folder, tmp_path, capsys, case):
    make_bad, message = BAD_INPUT[case]
    make_bad(folder)
    out = tmp_path / "out" / "coco.json"
    assert main(["labelme2coco", str(folder), str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "problem(s) found, nothing was written" in err
    assert re.search(message, err), err
    assert not out.exists() and not (tmp_path / "out").exists()


def test_all_problems_of_all_files_are_printed_at_once(folder, tmp_path, capsys):
    for case in ("invalid JSON", "missing image", "unknown label", "negative coordinate"):
        BAD_INPUT[case][0](folder)
    assert main(["labelme2coco", str(folder), str(tmp_path / "c.json"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("playground labelme2coco: 4 problem(s) found")
    for case in ("invalid JSON", "missing image", "unknown label", "negative coordinate"):
        assert re.search(BAD_INPUT[case][1], err), case


def test_skip_invalid_converts_the_rest_and_writes_the_report_beside_the_output(folder, tmp_path):
    BAD_INPUT["unknown label"][0](folder)
    BAD_INPUT["invalid JSON"][0](folder)
    out = tmp_path / "coco.json"
    assert main(["labelme2coco", str(folder), str(out), "--skip-invalid", "--quiet"]) == 0
    coco = json.loads(out.read_text())
    assert [i["file_name"] for i in coco["images"]] == ["img_0000.png", "img_0002.png", "img_0003.png", "img_0005.png"]
    report = (tmp_path / "coco.problems.txt").read_text().splitlines()
    assert len(report) == 2 and "img_0001.json: not valid JSON" in report[0] and "shape 1 (ufo)" in report[1]


def test_labels_txt_option(folder, tmp_path, capsys):
    labels = tmp_path / "labels.txt"
    labels.write_text("__ignore__\n_background_\ntree\n")
    assert main(["labelme2coco", str(folder), str(tmp_path / "c.json"), "--labels", str(labels), "--quiet"]) == 2
    assert "not in the label list (tree)" in capsys.readouterr().err
    assert not (tmp_path / "c.json").exists()
    assert main(["labelme2coco", str(folder), str(tmp_path / "c.json"), "--labels", str(tmp_path / "none.txt")]) == 2
    assert "none.txt: labels file not found" in capsys.readouterr().err


def test_coco2labelme_and_coco2spade(folder, tmp_path, capsys):
    coco = tmp_path / "coco.json"
    assert main(["labelme2coco", str(folder), str(coco), "--quiet"]) == 0
    assert main(["coco2labelme", str(coco), str(folder), str(tmp_path / "edit"), "--quiet"]) == 0
    assert sorted(p.name for p in (tmp_path / "edit").glob("*.json")) == [f"img_{n:04d}.json" for n in range(6)]
    assert main(["coco2spade", str(coco), str(folder), str(tmp_path / "spade"), "--val", "0.5", "--quiet"]) == 0
    dataset = json.loads((tmp_path / "spade" / "dataset.json").read_text())
    assert dataset["counts"]["images"] == 6 and len(dataset["splits"]["val"]) == 3
    assert len(list((tmp_path / "spade" / "labels").glob("*.png"))) == 6
    assert "wrote 6 samples (3 train, 3 val" in capsys.readouterr().out


@pytest.mark.parametrize("command", ["coco2labelme", "coco2spade"])
def test_coco_commands_refuse_bad_input_and_write_nothing(folder, tmp_path, capsys, command):
    coco = tmp_path / "coco.json"
    assert main(["labelme2coco", str(folder), str(coco), "--quiet"]) == 0
    (folder / "img_0002.png").unlink()
    assert main([command, str(coco), str(folder), str(tmp_path / "out"), "--quiet"]) == 2
    assert re.search(r"coco\.json: image 3 \(img_0002\.png\): image not found", capsys.readouterr().err)
    coco.write_text("{broken")
    assert main([command, str(coco), str(folder), str(tmp_path / "out"), "--quiet"]) == 2
    assert "coco.json: not valid JSON" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_embedded_only_image_is_converted_and_can_be_extracted(tmp_path):
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (30, 20)).save(buffer, format="PNG")
    write_png(tmp_path / "other.png", np.zeros((20, 30, 3), np.uint8))
    save_labelme(
        tmp_path / "a.json",
        "a.png",
        (20, 30),
        [{"label": "rock", "points": [[1, 1], [9, 1], [5, 9]]}],
        image_data=buffer.getvalue(),
    )
    assert main(["labelme2coco", str(tmp_path), str(tmp_path / "out" / "c.json"), "--quiet"]) == 0
    image = json.loads((tmp_path / "out" / "c.json").read_text())["images"][0]
    assert image["file_name"] == "a.png" and image["embedded"] and not (tmp_path / "a.png").exists()
    assert main(["labelme2coco", str(tmp_path), str(tmp_path / "out" / "c.json"), "--quiet", "--extract-images"]) == 0
    assert (tmp_path / "a.png").read_bytes() == buffer.getvalue()
    assert "embedded" not in json.loads((tmp_path / "out" / "c.json").read_text())["images"][0]
    assert (
        main(["coco2spade", str(tmp_path / "out" / "c.json"), str(tmp_path), str(tmp_path / "spade"), "--quiet"]) == 0
    )


def test_shape_covering_no_pixel_is_reported(folder, tmp_path, capsys):
    _edit(folder / "img_0002.json", lambda doc: doc["shapes"].append(_polygon([[48, 1], [48, 9], [48, 20]])))
    assert main(["labelme2coco", str(folder), str(tmp_path / "c.json"), "--quiet"]) == 2
    assert re.search(r"img_0002\.json: shape \d+ \(tree\): covers no pixel of the 48x32 image", capsys.readouterr().err)
    assert not (tmp_path / "c.json").exists()
    assert main(["labelme2coco", str(folder), str(tmp_path / "c.json"), "--quiet", "--skip-invalid"]) == 0
    assert len(json.loads((tmp_path / "c.json").read_text())["images"]) == 5


def test_whole_shapes_option_and_a_fully_hidden_object(folder, tmp_path):
    """A shape painted over entirely is not in the visible annotations (labelme shows none of it),
    and is kept with --whole-shapes; visible annotations never add up to more than the image."""
    _edit(folder / "img_0001.json", lambda doc: doc["shapes"].insert(0, _polygon([[2, 2], [9, 2], [9, 9]])))
    _edit(
        folder / "img_0001.json",
        lambda doc: doc["shapes"].append({**_polygon([[0, 0], [47, 0], [47, 31], [0, 31]]), "label": "sky"}),
    )
    assert main(["labelme2coco", str(folder), str(tmp_path / "v.json"), "--quiet"]) == 0
    assert main(["labelme2coco", str(folder), str(tmp_path / "w.json"), "--quiet", "--whole-shapes"]) == 0
    visible, whole = (json.loads((tmp_path / name).read_text()) for name in ("v.json", "w.json"))
    assert (visible["info"]["regions"], whole["info"]["regions"]) == ("visible", "whole shapes")
    image = [i["id"] for i in visible["images"] if i["labelme_file"] == "img_0001.json"][0]
    shown = [a for a in visible["annotations"] if a["image_id"] == image]
    kept = [a for a in whole["annotations"] if a["image_id"] == image]
    assert len(shown) == 1 and shown[0]["area"] == 48 * 32  # the sky drawn last covers everything
    assert len(kept) > 2 and sum(a["area"] for a in kept) > 48 * 32


# --- Bad COCO input: every case is found before anything is written -------------------------------------


def _rle(mask: np.ndarray) -> dict:
    from pycocotools import mask as mask_utils

    encoded = mask_utils.encode(np.asfortranarray(mask, dtype=np.uint8))
    return {"size": [int(v) for v in encoded["size"]], "counts": encoded["counts"].decode("ascii")}


def _last_segmentation(segmentation):
    return lambda coco: coco["annotations"][-1].update(segmentation=segmentation)


def _string_category_ids(coco):
    coco["categories"][0]["id"] = str(coco["categories"][0]["id"])
    coco["annotations"][-1]["category_id"] = coco["categories"][0]["id"]


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])


BAD_COCO = {
    "garbage compressed RLE": (
        _last_segmentation({"size": [32, 48], "counts": "!!garbage~~"}),
        r"coco\.json: annotation \d+: RLE counts are not compressed COCO RLE",
    ),
    "RLE of the wrong size": (
        _last_segmentation(_rle(np.ones((10, 10), bool))),
        r"coco\.json: annotation \d+: the RLE is 10x10 \(width x height\) but its image is 48x32",
    ),
    "RLE counts that do not add up": (
        _last_segmentation({"size": [32, 48], "counts": [5, 5]}),
        r"coco\.json: annotation \d+: the RLE counts cover 10 pixels, its 48x32 image has 1536",
    ),
    "string category id": (
        _string_category_ids,
        r"coco\.json: category '\d+' \(\w+\): id must be a whole number, got '\d+'",
    ),
    "annotation that is not an object": (
        lambda coco: coco["annotations"].insert(1, 5),
        r"coco\.json: annotation #2 in the list: must be an object, got int",
    ),
    "image that is not an object": (
        lambda coco: coco["images"].append("img_0009.png"),
        r"coco\.json: image #7 in the list: must be an object, got str",
    ),
    "NaN polygon coordinate": (
        _last_segmentation([[1, 1, float("nan"), 4, 5, 5]]),
        r"coco\.json: annotation \d+: polygon 1, point 2 \(nan, 4\) is not a finite number",
    ),
    "infinite polygon coordinate": (
        _last_segmentation([[1, 1, float("inf"), 4, 5, 5]]),
        r"coco\.json: annotation \d+: polygon 1, point 2 \(inf, 4\) is not a finite number",
    ),
    "polygon coordinate 1e12": (
        _last_segmentation([[1, 1, 1e12, 4, 5, 5]]),
        r"coco\.json: annotation \d+: polygon 1, point 2 \(1e\+12, 4\) lies far outside the 48x32 image",
    ),
    "polygon of two points": (
        _last_segmentation([[1, 1, 9, 9]]),
        r"coco\.json: annotation \d+: polygon 1 has 2 points; a polygon needs at least 3 \(6 numbers\)",
    ),
    "image id that is text": (
        lambda coco: coco["images"][0].update(id="1"),
        r"coco\.json: image '1' \(img_0000\.png\): id must be a whole number, got '1'",
    ),
    "image width that is text": (
        lambda coco: coco["images"][0].update(width="48"),
        r"coco\.json: image 1 \(img_0000\.png\): width and height must be positive whole numbers, got '48' and 32",
    ),
    "category id used twice": (
        lambda coco: coco["categories"].append({**coco["categories"][0], "name": "other"}),
        r"coco\.json: category 1 \(other\): category id 1 is used twice",
    ),
    "category without a name": (
        lambda coco: coco["categories"][0].update(name=["tree"]),
        r"coco\.json: category 1 \(\['tree'\]\): name must be a non-empty text, got \['tree'\]",
    ),
    "iscrowd of 2": (
        lambda coco: coco["annotations"][0].update(iscrowd=2),
        r"coco\.json: annotation 1: iscrowd must be 0 or 1, got 2",
    ),
    "annotation flags that are a list": (
        lambda coco: coco["annotations"][0].update(flags=["x"]),
        r"coco\.json: annotation 1: flags must be an object of name: true/false",
    ),
    "segmentation that is a number": (
        _last_segmentation(5),
        r"coco\.json: annotation \d+: segmentation must be a list of polygons or an RLE object, got int",
    ),
    "box without a segmentation": (
        lambda coco: coco["annotations"][3].update(segmentation=[]),
        r"coco\.json: annotation 4: no segmentation \(a box alone has no mask to convert\)",
    ),
    "COCO file that is a list": (
        lambda coco: [coco],
        r'coco\.json: not a COCO file \(needs "images", "annotations" and "categories" lists\)',
    ),
}


@pytest.mark.parametrize("command", ["coco2spade", "coco2labelme", "datasheet"])
@pytest.mark.parametrize("case", sorted(BAD_COCO))
def test_bad_coco_exit_2_one_line_per_problem_and_nothing_written(folder, tmp_path, capsys, command, case):
    coco = tmp_path / "coco.json"
    assert main(["labelme2coco", str(folder), str(coco), "--quiet"]) == 0
    doc = json.loads(coco.read_text())
    change, message = BAD_COCO[case]
    coco.write_text(json.dumps(change(doc) or doc))
    capsys.readouterr()
    if command == "datasheet":
        argv = [command, str(coco), "--out", str(tmp_path / "out")]
        if case == "box without a segmentation":  # counted as an empty mask: boxes are common in COCO sets
            assert main(argv) == 0
            return
    else:
        argv = [command, str(coco), str(folder), str(tmp_path / "out"), "--quiet"]
    with memory_limit():  # a coordinate of 1e12 once grew the process to 18.8 GB
        assert main(argv) == 2
    err = capsys.readouterr().err
    assert re.search(message, err), err
    assert not (tmp_path / "out").exists()


def test_truncated_image_is_reported_by_every_converter(folder, tmp_path, capsys):
    coco = tmp_path / "coco.json"
    assert main(["labelme2coco", str(folder), str(coco), "--quiet"]) == 0
    _truncate(folder / "img_0004.png")
    for command in ("coco2spade", "coco2labelme"):
        assert main([command, str(coco), str(folder), str(tmp_path / "out"), "--quiet"]) == 2
        err = capsys.readouterr().err
        assert re.search(r"coco\.json: image 5 \(img_0004\.png\): not a readable image \(.*truncated", err), err
        assert not (tmp_path / "out").exists()
    assert main(["labelme2coco", str(folder), str(tmp_path / "again.json"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert re.search(r"img_0004\.json: 'img_0004\.png' is not a readable image \(.*truncated", err), err
    assert not (tmp_path / "again.json").exists()


def test_deeply_nested_json_is_a_message_not_a_traceback(folder, tmp_path, capsys):
    deep = "[" * 100_000 + "]" * 100_000
    coco = tmp_path / "coco.json"
    coco.write_text(deep)
    for command in ("coco2spade", "coco2labelme"):
        assert main([command, str(coco), str(folder), str(tmp_path / "out"), "--quiet"]) == 2
        assert "coco.json: not valid JSON (nested too deeply)" in capsys.readouterr().err
    assert main(["datasheet", str(coco), "--out", str(tmp_path / "out")]) == 2
    assert "coco.json: not valid JSON (nested too deeply)" in capsys.readouterr().err
    (folder / "img_0001.json").write_text(deep)
    assert main(["labelme2coco", str(folder), str(tmp_path / "c.json"), "--quiet"]) == 2
    assert "img_0001.json: not valid JSON (nested too deeply)" in capsys.readouterr().err
    assert not (tmp_path / "out").exists() and not (tmp_path / "c.json").exists()


def test_datasheet_of_a_coco_file_that_is_a_list(tmp_path, capsys):
    (tmp_path / "coco.json").write_text("[]")
    assert main(["datasheet", str(tmp_path / "coco.json"), "--out", str(tmp_path / "out")]) == 2
    assert re.search(r"coco\.json: not a COCO file", capsys.readouterr().err)
    assert not (tmp_path / "out").exists()


def test_labelme_shape_type_given_as_a_list(folder, tmp_path, capsys):
    _edit(folder / "img_0001.json", lambda doc: doc["shapes"][0].update(shape_type=["polygon"]))
    assert main(["labelme2coco", str(folder), str(tmp_path / "c.json"), "--quiet"]) == 2
    assert re.search(r"img_0001\.json: shape 1 \(\w+\): unknown shape_type \['polygon'\]", capsys.readouterr().err)
    assert not (tmp_path / "c.json").exists()


def test_embedded_image_of_another_size_than_the_image_file_is_reported(folder, tmp_path, capsys):
    import base64
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30)).save(buffer, format="PNG")
    _edit(folder / "img_0002.json", lambda doc: doc.update(imageData=base64.b64encode(buffer.getvalue()).decode()))
    assert main(["labelme2coco", str(folder), str(tmp_path / "c.json"), "--quiet"]) == 2
    assert re.search(
        r"img_0002\.json: the embedded imageData is 40x30 but the image file 'img_0002\.png' is 48x32",
        capsys.readouterr().err,
    )
    assert not (tmp_path / "c.json").exists()


def test_points_far_outside_are_refused_even_with_allow_outside(folder, tmp_path, capsys):
    _edit(folder / "img_0000.json", lambda doc: doc["shapes"].insert(0, _polygon([[1, 1], [1e12, 4], [5, 5]])))
    with memory_limit():
        code = main(["labelme2coco", str(folder), str(tmp_path / "c.json"), "--quiet", "--allow-outside"])
    assert code == 2
    assert re.search(
        r"img_0000\.json: shape 1 \(tree\): point 2 \(1e\+12, 4\) lies far outside", capsys.readouterr().err
    )
    assert not (tmp_path / "c.json").exists()
