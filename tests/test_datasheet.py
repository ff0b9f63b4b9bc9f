"""The datasheet's numbers, checked against datasets whose contents we know pixel for pixel."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from playground_lib import datasheet
from playground_lib.cli import main
from playground_lib.fileio import write_json, write_png
from playground_lib.labels import ade20k_value

GRASS, TREE, PERSON, SLIDE = (ade20k_value(n) for n in ("grass", "tree", "person", "plaything"))


def box(x0, y0, x1, y1):
    """A COCO polygon covering pixels x0..x1-1, y0..y1-1 exactly (pycocotools' rasteriser)."""
    return [[x0, y0, x1, y0, x1, y1, x0, y1]]


@pytest.fixture
def coco_file(tmp_path):
    from pycocotools import mask as mask_utils

    slide_mask = np.zeros((20, 30), dtype=np.uint8, order="F")
    slide_mask[15:20, 0:4] = 1  # 20 pixels, as RLE
    rle = mask_utils.encode(slide_mask)
    rle["counts"] = rle["counts"].decode("ascii")
    coco = {
        "images": [
            {"id": 1, "file_name": "scene_0001.png", "width": 10, "height": 10, "split": "train"},
            {"id": 2, "file_name": "photos/park.jpg", "width": 30, "height": 20, "split": "val"},
            {"id": 3, "file_name": "mine.png", "width": 10, "height": 10, "source": "synthetic (Blender)"},
        ],
        "categories": [
            {"id": 1, "name": "grass"},
            {"id": 2, "name": "tree"},
            {"id": 3, "name": "person"},
            {"id": 4, "name": "plaything"},
            {"id": 5, "name": "zebra crossing"},
        ],
        "annotations": [
            {"id": 1, "image_id": 1, "category_id": 1, "segmentation": box(0, 0, 10, 10), "iscrowd": 0},
            {
                "id": 2,
                "image_id": 1,
                "category_id": 2,
                "segmentation": box(0, 0, 5, 2),
                "iscrowd": 0,
            },  # on top: 10 px tree
            {"id": 3, "image_id": 2, "category_id": 3, "segmentation": box(10, 0, 12, 5), "iscrowd": 0},  # 10 px
            {"id": 4, "image_id": 2, "category_id": 3, "segmentation": box(20, 0, 22, 3), "iscrowd": 0},  # 6 px
            {"id": 5, "image_id": 2, "category_id": 4, "segmentation": rle, "iscrowd": 0},  # 20 px
            {"id": 6, "image_id": 2, "category_id": 0, "segmentation": box(0, 0, 2, 2), "iscrowd": 1},  # 4 px ignored
            {"id": 7, "image_id": 3, "category_id": 5, "segmentation": box(0, 0, 10, 1), "iscrowd": 0},  # 10 px
        ],
    }
    path = tmp_path / "set.json"
    path.write_text(json.dumps(coco))
    return path


def test_coco_numbers(coco_file):
    stats = datasheet.collect_stats(coco_file, progress=False)
    assert stats.images == 3 and stats.total_pixels == 100 + 600 + 100
    assert stats.sizes == {"10x10": 2, "30x20": 1}
    by_name = {c.name: c for c in stats.classes}
    assert (by_name["grass"].pixels, by_name["grass"].instances) == (90, 1)  # the tree painted over 10
    assert (by_name["tree"].pixels, by_name["person"].pixels, by_name["plaything"].pixels) == (10, 16, 20)
    assert by_name["person"].instances == 2 and by_name["zebra crossing"].value is None
    assert by_name["grass"].share == pytest.approx(90 / 800)
    assert stats.ignored_pixels == 4 and stats.unlabelled_pixels == 600 - 16 - 20 - 4 + 90
    assert (stats.images_with_people, stats.people) == (1, 2)
    assert stats.sources == {"synthetic (procedural)": 1, datasheet.PHOTO: 1, "synthetic (Blender)": 1}
    assert stats.synthetic == 2 and stats.splits == {"train": 1, "val": 1}
    assert [c.name for c in stats.classes][0] == "grass"  # sorted by pixels


def test_spade_folder_numbers(tmp_path):
    folder = tmp_path / "spade"
    labels_a = np.full((8, 12), GRASS, dtype=np.uint8)
    labels_a[0:2, 0:3] = TREE  # 6 px, instance 1
    labels_a[5:8, 9:12] = TREE  # 9 px, instance 2
    labels_a[4, 4] = 0  # one unlabelled pixel
    inst_a = np.zeros((8, 12), dtype=np.uint16)
    inst_a[0:2, 0:3], inst_a[5:8, 9:12] = 1, 2
    inst_a[0, 0] = 2  # a stray pixel does not make instance 2 a second class
    labels_b = np.full((4, 4), PERSON, dtype=np.uint8)
    inst_b = np.ones((4, 4), dtype=np.uint16)
    for stem, labels, inst in (("scene_0000", labels_a, inst_a), ("kid", labels_b, inst_b)):
        write_png(folder / "labels" / f"{stem}.png", labels)
        write_png(folder / "instances" / f"{stem}.png", inst)
        write_png(folder / "images" / f"{stem}.png", np.zeros(labels.shape + (3,), dtype=np.uint8))
    write_json(folder / "dataset.json", {"splits": {"train": ["scene_0000"], "val": ["kid"]}})
    stats = datasheet.collect_stats(folder, progress=False)
    by_name = {c.name: c for c in stats.classes}
    assert stats.images == 2 and stats.sizes == {"12x8": 1, "4x4": 1} and stats.total_pixels == 112
    assert (by_name["grass"].pixels, by_name["tree"].pixels, by_name["person"].pixels) == (96 - 16, 15, 16)
    assert (by_name["tree"].instances, by_name["grass"].instances, by_name["person"].instances) == (2, 0, 1)
    assert stats.unlabelled_pixels == 1 and (stats.images_with_people, stats.people) == (1, 1)
    assert stats.sources == {"synthetic (procedural)": 1, datasheet.PHOTO: 1}
    assert stats.splits == {"train": 1, "val": 1}


def test_datasheet_has_every_section_the_numbers_and_prompts(coco_file, tmp_path):
    path = datasheet.write_datasheet(coco_file, tmp_path / "out", name="Test playgrounds", progress=False)
    text = path.read_text()
    for title in (
        "Motivation",
        "Composition",
        "Collection process",
        "Preprocessing",
        "Uses",
        "Distribution",
        "Maintenance",
    ):
        assert re.search(rf"^## \d\. {title}", text, re.M), title
    assert "# Datasheet: Test playgrounds" in text
    assert "| person | 13 | 2.00 | 2 | 1 |" in text
    assert "1 of 3 images show people" in text and "consent" in text
    assert "2 synthetic, 1 photographed" in text
    assert text.count(datasheet.PROMPT) >= 15
    assert (tmp_path / "out" / "class_balance.png").stat().st_size > 1000
    assert json.loads((tmp_path / "out" / "datasheet_stats.json").read_text())["synthetic_images"] == 2


def test_bad_sources_are_named(tmp_path):
    (tmp_path / "x.json").write_text('{"images": []}')
    with pytest.raises(ValueError, match=r"x.json: not a COCO file"):
        datasheet.collect_stats(tmp_path / "x.json")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="empty: not a SPADE folder"):
        datasheet.collect_stats(tmp_path / "empty")
    assert main(["datasheet", str(tmp_path / "nothing"), "--out", str(tmp_path / "o")]) == 2


def test_cli(coco_file, tmp_path):
    assert main(["datasheet", str(coco_file), "--out", str(tmp_path / "sheet")]) == 0
    assert (tmp_path / "sheet" / "DATASHEET.md").is_file()


def test_coco_and_its_spade_folder_give_the_same_pixels(tmp_path):
    """The two routes count the same dataset: the same pixels per class, people and sources."""
    from playground_lib.coco.from_labelme import labelme_to_coco
    from playground_lib.coco.to_spade import coco_to_spade
    from playground_lib.synthetic import write_scenes

    write_scenes(tmp_path / "scenes", 3, size=48, seed=7, progress=False)
    coco = labelme_to_coco(tmp_path / "scenes", progress=False)
    write_json(tmp_path / "set.json", coco)
    coco_to_spade(tmp_path / "set.json", tmp_path / "scenes", tmp_path / "spade", progress=False)
    from_coco = datasheet.collect_stats(tmp_path / "set.json", progress=False)
    from_spade = datasheet.collect_stats(tmp_path / "spade", progress=False)
    # (a COCO object painted over entirely by later ones keeps its annotation but has no pixels left)
    assert {c.name: c.pixels for c in from_coco.classes if c.pixels} == {c.name: c.pixels for c in from_spade.classes}
    assert from_coco.images_with_people == from_spade.images_with_people
    assert from_coco.sources == from_spade.sources == {"synthetic (procedural)": 3}
    assert sum(from_spade.splits.values()) == 3


@pytest.mark.parametrize(
    "dataset_json, message",
    [
        ("[" * 100_000, r"dataset\.json: not valid JSON \(nested too deeply\)"),
        ('{"splits": [1]}', r'dataset\.json: "splits" must map each split to a list of names'),
        ("[]", r"dataset\.json: not a SPADE dataset\.json"),
    ],
)
def test_spade_folder_with_a_broken_dataset_json_is_named(tmp_path, capsys, dataset_json, message):
    write_png(tmp_path / "set" / "labels" / "a.png", np.zeros((4, 4), np.uint8))
    (tmp_path / "set" / "dataset.json").write_text(dataset_json)
    assert main(["datasheet", str(tmp_path / "set"), "--out", str(tmp_path / "out")]) == 2
    assert re.search(message, capsys.readouterr().err)
    assert not (tmp_path / "out").exists()


def test_the_library_refuses_an_output_under_a_file_before_any_work(tmp_path, monkeypatch):
    """A notebook calling write_datasheet or write_scenes hears it first, as the commands' users do."""
    from playground_lib import datasheet
    from playground_lib.fileio import OutputError
    from playground_lib.synthetic import write_scenes

    (tmp_path / "a_file").write_text("x")
    monkeypatch.setattr(datasheet, "collect_stats", lambda *a, **k: pytest.fail("counted before the check"))
    with pytest.raises(OutputError, match="a_file"):
        datasheet.write_datasheet(tmp_path / "nowhere.json", tmp_path / "a_file" / "sheet")
    with pytest.raises(OutputError, match="a_file"):
        write_scenes(tmp_path / "a_file" / "scenes", 2, size=32, progress=False)
