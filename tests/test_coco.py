"""labelme -> COCO -> masks equals labelme's rasterization; COCO -> labelme -> COCO is the identity; SPADE folder."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from labelme_fixtures import write_labelme_set
from pycocotools.coco import COCO

from playground_lib.coco import from_labelme, split, to_labelme, to_spade
from playground_lib.coco.read import CocoError
from playground_lib.fileio import read_png, write_png
from playground_lib.labelme import rasterize
from playground_lib.labelme.check import read_labelme
from playground_lib.labelme.format import LabelmeError
from playground_lib.labelme.write import save_labelme
from playground_lib.labels import schema_label_map
from playground_lib.paths import data_dir

SIZE = (40, 56)

# pycocotools 2.0 with numpy 2 warns on every decode; not ours to fix.
pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)


@pytest.fixture(scope="module")
def labelme_set(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("labelme")
    write_labelme_set(folder, 12, size=SIZE, seed=11)
    return folder


@pytest.fixture(scope="module")
def converted(labelme_set) -> dict:
    return from_labelme.labelme_to_coco(labelme_set, progress=False)


def _objects(item):
    """labelme's grouping: shapes with the same (label, group_id) are one object, in first-seen order."""
    objects: dict = {}
    for number, shape in enumerate(item.shapes):
        objects.setdefault((shape.label, number if shape.group_id is None else ("g", shape.group_id)), []).append(shape)
    return list(objects.values())


def _pycocotools(coco: dict, tmp_path: Path) -> COCO:
    path = tmp_path / "coco.json"
    path.write_text(json.dumps(coco))
    return COCO(str(path))


def test_whole_shapes_keep_every_objects_full_rasterization(labelme_set, tmp_path):
    converted = from_labelme.labelme_to_coco(labelme_set, progress=False, whole_shapes=True)
    assert converted["info"]["regions"] == "whole shapes"
    api = _pycocotools(converted, tmp_path)
    shape_types = set()
    for image in converted["images"]:
        item = read_labelme(labelme_set / image["labelme_file"])
        annotations = api.loadAnns(api.getAnnIds(imgIds=[image["id"]]))
        objects = _objects(item)
        assert len(annotations) == len(objects)
        for annotation, shapes in zip(annotations, objects):
            expected = np.zeros(SIZE, bool)
            for shape in shapes:
                expected |= item.shape_mask(shape)
                shape_types.add(shape.shape_type)
            np.testing.assert_array_equal(api.annToMask(annotation).astype(bool), expected)
            assert annotation["area"] == expected.sum()
            ys, xs = np.nonzero(expected)
            assert annotation["bbox"] == [xs.min(), ys.min(), xs.max() - xs.min() + 1, ys.max() - ys.min() + 1]
            assert (
                annotation["category_id"]
                == [c["id"] for c in converted["categories"] if c["name"] == shapes[0].label][0]
            )
            is_rle = isinstance(annotation["segmentation"], dict)
            if any(s.shape_type == "mask" for s in shapes):
                assert is_rle
    assert shape_types == {"polygon", "rectangle", "circle", "line", "linestrip", "point", "mask"}
    assert (
        sum(isinstance(a["segmentation"], list) for a in converted["annotations"]) > len(converted["annotations"]) // 2
    )


def test_visible_regions_do_not_overlap_and_paint_labelmes_own_maps_in_any_order(labelme_set, converted, tmp_path):
    """labelme paints later shapes over earlier ones; each COCO annotation is what stays visible of its object."""
    assert converted["info"]["regions"] == "visible"
    api = _pycocotools(converted, tmp_path)
    values = schema_label_map()
    names = {c["id"]: c["name"] for c in converted["categories"]}
    rng = np.random.default_rng(0)
    overlapped = 0
    for image in converted["images"]:
        item = read_labelme(labelme_set / image["labelme_file"])
        annotations = api.loadAnns(api.getAnnIds(imgIds=[image["id"]]))
        masks = [api.annToMask(a).astype(bool) for a in annotations]
        assert np.sum(masks, axis=0).max() <= 1  # no pixel belongs to two annotations
        assert sum(a["area"] for a in annotations) <= SIZE[0] * SIZE[1]
        whole = [np.any([item.shape_mask(s) for s in shapes], axis=0) for shapes in _objects(item)]
        overlapped += sum(int(w.sum() > m.sum()) for w, m in zip(whole, masks))
        for annotation, mask in zip(annotations, masks):
            assert annotation["area"] == mask.sum()
            ys, xs = np.nonzero(mask)
            assert annotation["bbox"] == [xs.min(), ys.min(), xs.max() - xs.min() + 1, ys.max() - ys.min() + 1]
        expected_cls, expected_ins = item.label_maps(values)
        for _ in range(3):  # any painting order gives labelme's own label and instance maps
            cls, ins = np.zeros(SIZE, np.int32), np.zeros(SIZE, np.int32)
            for index in rng.permutation(len(annotations)):
                cls[masks[index]] = values[names[annotations[index]["category_id"]]]
                ins[masks[index]] = index + 1
            np.testing.assert_array_equal(cls, expected_cls)
            np.testing.assert_array_equal(ins, expected_ins)
    assert overlapped > 5  # the fixtures do overlap: the test would notice whole shapes


def test_sky_drawn_first_is_only_the_sky_you_see(tmp_path):
    """The bundled scenes draw the sky as a full-frame rectangle first, everything else on top."""
    item = read_labelme(data_dir() / "synthetic" / "scene_0000.json")
    visible = from_labelme.labelme_to_coco(data_dir() / "synthetic", progress=False)
    whole = from_labelme.labelme_to_coco(data_dir() / "synthetic", progress=False, whole_shapes=True)
    pixels = item.height * item.width
    first = [a for a in visible["annotations"] if a["image_id"] == 1]
    first_whole = [a for a in whole["annotations"] if a["image_id"] == 1]
    assert sum(a["area"] for a in first_whole) > 1.5 * pixels  # layers add up to more than the picture
    assert sum(a["area"] for a in first) <= pixels
    assert first_whole[0]["bbox"] == [0.0, 0.0, float(item.width), float(item.height)]
    assert first[0]["area"] < first_whole[0]["area"]
    same, total = from_labelme.check_against_labelme(visible, data_dir() / "synthetic")
    assert same == total == len(visible["annotations"])
    same, total = from_labelme.check_against_labelme(whole, data_dir() / "synthetic")
    assert same == total


def test_categories_start_at_one_with_ade20k_values_and_images_are_listed(converted):
    assert [c["id"] for c in converted["categories"]] == list(range(1, 19))
    values = schema_label_map()
    assert all(c["ade20k_value"] == values[c["name"]] for c in converted["categories"])
    assert [i["file_name"] for i in converted["images"]] == [f"img_{n:04d}.png" for n in range(12)]
    assert all((i["height"], i["width"]) == SIZE for i in converted["images"])


def test_labels_txt_ids_ignore_and_background(tmp_path):
    write_png(tmp_path / "a.png", np.zeros((20, 30, 3), np.uint8))
    shapes = [
        {"label": "slide", "points": [[1, 1], [10, 1], [5, 9]]},
        {"label": "_background_", "points": [[0, 0], [29, 0], [29, 19]]},
        {"label": "__ignore__", "points": [[12, 2], [20, 8]], "shape_type": "rectangle"},
        {"label": "car", "points": [[2, 12], [8, 18]], "shape_type": "rectangle"},
    ]
    save_labelme(tmp_path / "a.json", "a.png", (20, 30), shapes)
    (tmp_path / "labels.txt").write_text("__ignore__\n_background_\nslide\ncar\n")
    coco = from_labelme.labelme_to_coco(tmp_path, labels=tmp_path / "labels.txt", progress=False)
    assert [(c["id"], c["name"]) for c in coco["categories"]] == [(1, "slide"), (2, "car")]
    assert coco["categories"][0]["ade20k_value"] == schema_label_map()["plaything"]
    kinds = [(a["category_id"], a["iscrowd"], a.get("ignore", 0)) for a in coco["annotations"]]
    assert kinds == [(1, 0, 0), (0, 1, 1), (2, 0, 0)]
    assert isinstance(coco["annotations"][1]["segmentation"], dict)  # crowd regions are RLE, as COCO wants
    (tmp_path / "labels.txt").write_text("slide\n")
    with pytest.raises(
        LabelmeError, match=r"a\.json: shape 4 \(car\): unknown label 'car': not in the label list \(slide\)"
    ):
        from_labelme.labelme_to_coco(tmp_path, labels=tmp_path / "labels.txt", progress=False)


def test_aliases_map_onto_schema_classes(tmp_path):
    write_png(tmp_path / "a.png", np.zeros((20, 30, 3), np.uint8))
    save_labelme(tmp_path / "a.json", "a.png", (20, 30), [{"label": "Swings", "points": [[1, 1], [10, 1], [5, 9]]}])
    coco = from_labelme.labelme_to_coco(tmp_path, progress=False)
    names = {c["id"]: c["name"] for c in coco["categories"]}
    assert names[coco["annotations"][0]["category_id"]] == "plaything"


def test_split_is_seeded_and_covers_every_image(labelme_set):
    first = from_labelme.labelme_to_coco(labelme_set, split=0.75, seed=3, progress=False)
    again = from_labelme.labelme_to_coco(labelme_set, split=0.75, seed=3, progress=False)
    other = from_labelme.labelme_to_coco(labelme_set, split=0.75, seed=4, progress=False)
    splits = [i["split"] for i in first["images"]]
    assert splits == [i["split"] for i in again["images"]] != [i["split"] for i in other["images"]]
    assert splits.count("train") == 9 and splits.count("val") == 3
    train, val = split.subset(first, "train"), split.subset(first, "val")
    assert len(train["annotations"]) + len(val["annotations"]) == len(first["annotations"])


def _normalised(coco: dict) -> list:
    """The dataset without its ids: per image (sorted by file name) its annotations in order."""
    names = {c["id"]: c["name"] for c in coco["categories"]}
    out = []
    for image in coco["images"]:
        annotations = [
            {
                **{k: v for k, v in a.items() if k not in ("id", "image_id", "category_id")},
                "category": names.get(a["category_id"]),
            }
            for a in coco["annotations"]
            if a["image_id"] == image["id"]
        ]
        out.append((image["file_name"], image["height"], image["width"], annotations))
    return sorted(out, key=lambda row: row[0])


def test_coco_to_labelme_to_coco_is_identical_up_to_ids(labelme_set, converted, tmp_path):
    written = to_labelme.coco_to_labelme(converted, labelme_set, tmp_path / "edit", progress=False)
    assert len(written) == 12 and (tmp_path / "edit" / "img_0000.png").is_file()
    import labelme

    for path in written:  # labelme's own loader opens every file
        assert labelme.LabelFile(str(path)).shapes is not None
    back = from_labelme.labelme_to_coco(tmp_path / "edit", progress=False)
    assert _normalised(back) == _normalised(converted)


def test_spade_folder_matches_labelmes_label_and_instance_maps(labelme_set, converted, tmp_path):
    out = tmp_path / "spade"
    dataset_path = to_spade.coco_to_spade(converted, labelme_set, out, val_fraction=0.25, seed=1, progress=False)
    dataset = json.loads(dataset_path.read_text())
    values = schema_label_map()
    for image in converted["images"]:
        stem = Path(image["file_name"]).stem
        item = read_labelme(labelme_set / image["labelme_file"])
        expected_cls, expected_ins = rasterize.shapes_to_label(SIZE, [s.to_raster_dict() for s in item.shapes], values)
        labels, instances = read_png(out / "labels" / f"{stem}.png"), read_png(out / "instances" / f"{stem}.png")
        assert labels.dtype == np.uint8 and instances.dtype == np.uint16
        np.testing.assert_array_equal(labels, expected_cls)
        np.testing.assert_array_equal(instances, expected_ins)
        assert (out / "images" / f"{stem}.png").read_bytes() == (labelme_set / image["file_name"]).read_bytes()
    assert sorted(dataset["splits"]["train"] + dataset["splits"]["val"]) == [f"img_{n:04d}" for n in range(12)]
    assert len(dataset["splits"]["val"]) == 3
    by_name = {c["name"]: c for c in dataset["classes"]}
    assert (
        sum(c["instances"] for c in dataset["classes"])
        == dataset["counts"]["instances"]
        == len(converted["annotations"])
    )
    total_labelled = sum(int((read_png(p) > 0).sum()) for p in (out / "labels").glob("*.png"))
    assert sum(c["pixels"] for c in dataset["classes"]) == total_labelled
    assert by_name["tree"]["value"] == values["tree"]


def test_spade_uses_the_coco_split_when_there_is_one(labelme_set, tmp_path):
    coco = from_labelme.labelme_to_coco(labelme_set, split=0.5, seed=2, progress=False)
    dataset = json.loads(to_spade.coco_to_spade(coco, labelme_set, tmp_path, progress=False).read_text())
    assert dataset["splits"]["val"] == sorted(Path(i["file_name"]).stem for i in coco["images"] if i["split"] == "val")


def _coco_case(labelme_set, converted, tmp_path, case):
    coco = json.loads(json.dumps(converted))
    images = tmp_path / "images"
    images.mkdir()
    for image in coco["images"][:3]:
        (images / image["file_name"]).write_bytes((labelme_set / image["file_name"]).read_bytes())
    coco["images"] = coco["images"][:3]
    coco["annotations"] = [a for a in coco["annotations"] if a["image_id"] <= 3]
    if case == "missing image":
        (images / "img_0001.png").unlink()
    elif case == "size mismatch":
        coco["images"][0]["height"] = 41
    elif case == "escaping file_name":
        coco["images"][2]["file_name"] = "../img_0002.png"
    elif case == "duplicate name":
        write_png(images / "img_0000.jpg", np.zeros((*SIZE, 3), np.uint8))
        coco["images"].append({"id": 99, "file_name": "img_0000.jpg", "height": SIZE[0], "width": SIZE[1]})
    elif case == "unknown category":
        coco["annotations"][0]["category_id"] = 77
    elif case == "unknown image":
        coco["annotations"][0]["image_id"] = 55
    return coco, images


COCO_CASES = {
    "missing image": r"COCO: image 2 \(img_0001\.png\): image not found",
    "size mismatch": r"COCO: image 1 \(img_0000\.png\): image is 56x40 .* but the COCO file says 56x41",
    "escaping file_name": (
        r"COCO: image 3 \(\.\./img_0002\.png\): file_name '\.\./img_0002\.png' points outside the images folder"
    ),
    "duplicate name": r"COCO: image 99 \(img_0000\.jpg\): another image \(img_0000\.png\) has the same name 'img_0000'",
    "unknown category": r"COCO: annotation \d+: category_id 77 is not in the categories list",
    "unknown image": r"COCO: annotation \d+: image_id 55 is not in the images list",
}


@pytest.mark.parametrize("case", sorted(COCO_CASES))
@pytest.mark.parametrize("target", ["spade", "labelme"])
def test_bad_coco_is_refused_before_anything_is_written(labelme_set, converted, tmp_path, case, target):
    coco, images = _coco_case(labelme_set, converted, tmp_path, case)
    convert = to_spade.coco_to_spade if target == "spade" else to_labelme.coco_to_labelme
    with pytest.raises(CocoError, match=COCO_CASES[case]):
        convert(coco, images, tmp_path / "out", progress=False)
    assert not (tmp_path / "out").exists()


def test_category_without_ade20k_value_is_refused_for_spade(tmp_path):
    write_png(tmp_path / "a.png", np.zeros((20, 30, 3), np.uint8))
    save_labelme(tmp_path / "a.json", "a.png", (20, 30), [{"label": "spaceship", "points": [[1, 1], [10, 1], [5, 9]]}])
    coco = from_labelme.labelme_to_coco(tmp_path, labels=["spaceship"], progress=False)
    with pytest.raises(CocoError, match=r"category 1 \(spaceship\): no ADE20K value"):
        to_spade.coco_to_spade(coco, tmp_path, tmp_path / "out", progress=False)
    assert not (tmp_path / "out").exists()


def test_bundled_synthetic_set_round_trips_to_its_own_label_maps(tmp_path):
    folder = data_dir() / "synthetic"
    coco = from_labelme.labelme_to_coco(folder, progress=False)
    assert len(coco["images"]) == len(list(folder.glob("*.json"))) >= 3
    same, total = from_labelme.check_against_labelme(coco, folder)
    assert same == total == len(coco["annotations"]) > 0
    to_spade.coco_to_spade(coco, folder, tmp_path, progress=False)
    for image in coco["images"][:6]:
        stem = Path(image["file_name"]).stem
        np.testing.assert_array_equal(
            read_png(tmp_path / "labels" / f"{stem}.png"), read_png(folder / f"{stem}_label.png")
        )
        ours, theirs = read_png(tmp_path / "instances" / f"{stem}.png"), read_png(folder / f"{stem}_instance.png")
        pairs = set(zip(ours.ravel().tolist(), theirs.ravel().tolist()))  # same partition of the pixels
        assert len(pairs) == len(np.unique(ours)) == len(np.unique(theirs))


def test_conversion_never_imports_torch(labelme_set, tmp_path):
    code = (
        "import sys; from playground_lib.cli import main; "
        f"rc = main(['labelme2coco', {str(labelme_set)!r}, {str(tmp_path / 'c.json')!r}, '--quiet']); "
        f"rc |= main(['coco2spade', {str(tmp_path / 'c.json')!r}, {str(labelme_set)!r}, "
        f"{str(tmp_path / 's')!r}, '--quiet']); "
        "assert rc == 0; assert 'torch' not in sys.modules, 'torch was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)


def test_same_coco_without_labelme_installed(labelme_set, converted, monkeypatch):
    """A fresh Colab runtime may lack labelme: the fallback rasterizer must give the same dataset."""
    monkeypatch.setattr(rasterize, "labelme_utils", lambda: (None, 0))
    assert from_labelme.labelme_to_coco(labelme_set, progress=False) == converted


def test_conversion_on_two_cores_equals_one_core_and_keeps_no_image_bytes(tmp_path, monkeypatch):
    from playground_lib import parallel

    write_labelme_set(tmp_path, 2 * parallel.ITEMS_PER_WORKER + 3, size=(24, 32), seed=8)
    results = {}
    for cores in (1, 2):
        monkeypatch.setattr(parallel, "free_cores", lambda cores=cores: cores)
        results[cores] = from_labelme.labelme_to_coco(tmp_path, progress=False)
        good, problems, _ = from_labelme.check_labelme_dir(tmp_path)
        assert not problems and len(good) == 2 * parallel.ITEMS_PER_WORKER + 3
        assert all(item.image_data is None for item in good)
    assert results[1] == results[2]


DECODE_UNTIL_INTERRUPTED = r"""
import sys
import numpy as np
from pycocotools import mask as mask_utils
from playground_lib.coco.masks import annotation_mask

mask = np.zeros((64, 64), np.uint8, order="F")
mask[10:30, 5:50] = 1
rle = mask_utils.encode(mask)
annotation = {"segmentation": {"size": rle["size"], "counts": rle["counts"].decode()}, "iscrowd": 1}
for _ in range(int(sys.argv[1])):
    print("decoding", flush=True)
    try:
        while True:
            annotation_mask(annotation, 64, 64)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
    except TypeError as error:  # what numpy 2 made of an interrupt inside pycocotools' decode
        print(f"TypeError: {error}", flush=True)
"""


def test_ctrl_c_while_decoding_masks_is_an_interrupt_not_a_type_error():
    """A Ctrl-C that lands inside pycocotools' decode must stay a KeyboardInterrupt (so ``coco2spade``
    says "interrupted" and leaves nothing), not turn into numpy's TypeError about ``copy``."""
    import random
    import signal
    import time

    trials = 24
    rng = random.Random(5)
    child = subprocess.Popen(
        [sys.executable, "-c", DECODE_UNTIL_INTERRUPTED, str(trials)], stdout=subprocess.PIPE, text=True
    )
    outcomes = []
    try:
        for _ in range(trials):
            assert child.stdout.readline().strip() == "decoding"
            time.sleep(rng.uniform(0.005, 0.03))
            child.send_signal(signal.SIGINT)
            outcomes.append(child.stdout.readline().strip())
        assert child.wait(timeout=60) == 0
    finally:
        child.kill()
    assert outcomes == ["interrupted"] * trials, [o for o in outcomes if o != "interrupted"][:3]
