"""Blender scenes: the object-index pass becomes exact labels, instances and labelme mask shapes.

The render tests need ``.venv-blender`` (bpy). Where it is missing the fixture builds it with
``scripts/setup_blender_venv.sh`` and fails with the script's own words if that cannot work: no
silent skip.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

from playground_lib.fileio import read_png
from playground_lib.labelme.format import mask_from_base64, mask_shape
from playground_lib.labelme.rasterize import shapes_to_label
from playground_lib.labelme.write import save_labelme
from playground_lib.labels import ade20k_value, schema_label_map
from playground_lib.synthetic import blender

ROOT = Path(__file__).resolve().parents[1]
OBJECTS = {
    "1": {"label": "grass"},
    "2": {"label": "plaything"},
    "3": {"label": "tree"},
    "4": {"label": "plaything"},
    "5": {"label": "path"},
}


def rasterize(document: dict) -> tuple[np.ndarray, np.ndarray]:
    """What labelme makes of a JSON file: decode the mask shapes, paint them in order."""
    shapes = [dict(s, mask=mask_from_base64(s["mask"])) if s["shape_type"] == "mask" else s for s in document["shapes"]]
    return shapes_to_label((document["imageHeight"], document["imageWidth"]), shapes, schema_label_map())


def test_index_pass_becomes_exact_labels_instances_and_shapes(tmp_path):
    rng = np.random.default_rng(0)
    index = rng.integers(0, 6, (37, 53))  # ragged, speckled regions: the hardest case for polygons
    index[:, :5] = 4  # an object touching the border
    labels, instances, shapes = blender.index_to_annotations(index, OBJECTS)
    expected = np.array([ade20k_value("sky")] + [ade20k_value(OBJECTS[str(i)]["label"]) for i in range(1, 6)])[index]
    assert np.array_equal(labels, expected)
    # things are numbered 1.. in index order; stuff (grass, path, sky) has no instance
    assert np.array_equal(instances, np.array([0, 0, 1, 2, 3, 0])[index])
    assert [s.label for s in shapes] == ["sky", "grass", "plaything", "tree", "plaything", "path"]
    written = save_labelme(tmp_path / "x.json", "x.png", labels.shape, shapes)
    cls, ins = rasterize(json.loads(written.read_text()))  # through JSON, as a file would go
    assert np.array_equal(cls, labels)
    assert len(np.unique(ins)) == 6


def test_a_changed_label_map_no_longer_matches(rendered, tmp_path):
    import shutil

    from playground_lib.fileio import write_png

    paths, _ = rendered
    for suffix in (".json", ".png", "_label.png"):  # the reader checks the picture is there too
        shutil.copy(paths[0].with_name(paths[0].stem + suffix), tmp_path)
    labels = read_png(tmp_path / "blender_0000_label.png")
    labels[0, 0] = ade20k_value("rock")
    write_png(tmp_path / "blender_0000_label.png", labels)
    assert not blender.annotation_matches_labels(tmp_path / "blender_0000.json")


def test_index_pass_with_unknown_objects_or_bad_shape_is_refused():
    with pytest.raises(ValueError, match=r"indices \[9\]"):
        blender.index_to_annotations(np.array([[0, 9]]), OBJECTS)
    with pytest.raises(ValueError, match="2-D"):
        blender.index_to_annotations(np.zeros((2, 2, 2), dtype=int), OBJECTS)
    with pytest.raises(ValueError, match="empty"):
        mask_shape("tree", np.zeros((4, 4), dtype=bool))


def test_missing_blender_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setenv(blender.VENV_ENV, str(tmp_path / "nowhere" / "python"))
    with pytest.raises(blender.BlenderUnavailable, match="setup_blender_venv.sh"):
        blender.render_scenes(tmp_path, 1)
    assert not blender.blender_available()


@pytest.fixture(scope="module")
def blender_python():
    """The bpy interpreter; built with the setup script when missing, failing loudly if it cannot be."""
    try:
        return blender.blender_python()
    except blender.BlenderUnavailable:
        pass
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "setup_blender_venv.sh"), str(ROOT / blender.DEFAULT_VENV)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    if done.returncode != 0:
        pytest.fail(f"no bpy and scripts/setup_blender_venv.sh failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    blender._can_import_bpy.cache_clear()
    return blender.blender_python()


@pytest.fixture(scope="module")
def rendered(blender_python, tmp_path_factory):
    out = tmp_path_factory.mktemp("blender")
    paths = blender.render_scenes(out / "a", 2, size=(64, 48), seed=3, samples=4, progress=False, python=blender_python)
    again = blender.render_scenes(out / "b", 1, size=(64, 48), seed=3, samples=4, progress=False, python=blender_python)
    return paths, again


def test_tiny_render_gives_exact_annotations(rendered):
    paths, _ = rendered
    assert [p.name for p in paths] == ["blender_0000.json", "blender_0001.json"]
    for path in paths:
        document = json.loads(path.read_text())
        image = read_png(path.with_suffix(".png"))
        labels = read_png(path.with_name(path.stem + "_label.png"))
        instances = read_png(path.with_name(path.stem + "_instance.png"))
        assert image.shape == (48, 64, 3) and labels.shape == instances.shape == (48, 64)
        assert instances.dtype == np.uint16
        assert document["playground"]["source"] == blender.SOURCE_TAG and document["imagePath"] == path.stem + ".png"
        cls, _ = rasterize(document)
        assert np.array_equal(cls, labels), f"{path.name}: labelme does not paint back the label map"
        assert blender.annotation_matches_labels(path)
        present = {ade20k_value(n) for n in ("sky", "grass")}
        assert present <= set(np.unique(labels).tolist()), "every view shows sky and grass"
        assert instances[labels == ade20k_value("sky")].max() == 0
        # the index pass lines up with the picture (not upside down): sky is blue, grass is green
        sky, grass = image[labels == ade20k_value("sky")].mean(0), image[labels == ade20k_value("grass")].mean(0)
        assert sky[2] > sky[0] and grass[1] > grass[0] and grass[1] > grass[2]


def test_same_seed_same_scene(rendered):
    paths, again = rendered
    first = json.loads(paths[0].read_text())
    second = json.loads(again[0].read_text())
    assert first["shapes"] == second["shapes"]
    assert np.array_equal(read_png(paths[0].with_suffix(".png")), read_png(again[0].with_suffix(".png")))
    assert first["shapes"] != json.loads(paths[1].read_text())["shapes"]


def test_renders_pass_the_coco_round_trip(rendered):
    """The same COCO conversion as hand annotations: every annotation decodes to its exact mask."""
    from pycocotools import mask as mask_utils

    from playground_lib.coco.from_labelme import labelme_to_coco

    paths, _ = rendered
    coco = labelme_to_coco(paths[0].parent)
    names = {c["id"]: c["name"] for c in coco["categories"]}
    for image in coco["images"]:
        labels = read_png(paths[0].parent / (Path(image["file_name"]).stem + "_label.png"))
        painted = np.zeros(labels.shape, dtype=np.uint8)
        for ann in (a for a in coco["annotations"] if a["image_id"] == image["id"]):
            segmentation = ann["segmentation"]
            if isinstance(segmentation, list):
                segmentation = mask_utils.merge(mask_utils.frPyObjects(segmentation, image["height"], image["width"]))
            elif isinstance(segmentation["counts"], list):
                segmentation = mask_utils.frPyObjects(segmentation, image["height"], image["width"])
            painted[mask_utils.decode(segmentation).astype(bool)] = ade20k_value(names[ann["category_id"]])
        assert np.array_equal(painted, labels), image["file_name"]  # every pixel, sky included


def test_hurried_tracing_hurts_thin_things_most():
    labels = np.full((64, 64), ade20k_value("grass"), dtype=np.uint8)
    labels[:20] = ade20k_value("sky")
    labels[30:60, 10:12] = ade20k_value("pole")  # two pixels wide
    traced = blender.hurried_tracing(labels, click_every=8)
    assert traced.shape == labels.shape
    assert np.array_equal(blender.hurried_tracing(labels, 1), labels)
    errors = blender.tracing_errors(labels, traced)
    assert list(errors)[0] == "pole" and errors["pole"] == 1.0  # fell between the clicks
    assert errors["grass"] < 0.05 and errors["sky"] < 0.25


def test_availability_message_names_the_fix(tmp_path, monkeypatch):
    monkeypatch.setenv(blender.VENV_ENV, str(tmp_path / "python"))
    assert "setup_blender_venv.sh" in blender.availability_message()


def test_cli_explains_a_missing_blender(tmp_path, capsys):
    from playground_lib.cli import main

    assert main(["blender", "--out", str(tmp_path), "--python", str(tmp_path / "python")]) == 2
    assert "setup_blender_venv.sh" in capsys.readouterr().err
    assert main(["blender", "--out", str(tmp_path), "--size", "big"]) == 2


def test_cli_renders(blender_python, tmp_path):
    from playground_lib.cli import main

    assert (
        main(
            [
                "blender",
                "--out",
                str(tmp_path),
                "--n",
                "1",
                "--size",
                "40x30",
                "--samples",
                "2",
                "--python",
                str(blender_python),
            ]
        )
        == 0
    )
    assert read_png(tmp_path / "blender_0000_label.png").shape == (30, 40)


BUNDLED_RENDERS = sorted((ROOT / "data" / "blender").glob("blender_*.json"))


def test_bundled_renders_are_exact_and_small():
    """data/blender: for Colab, where Blender cannot run; labelme paints each back to its label map."""
    from playground_lib.bundled_samples import BLENDER_COUNT, BLENDER_SAMPLES, BLENDER_SIZE

    assert len(BUNDLED_RENDERS) == BLENDER_COUNT
    for path in BUNDLED_RENDERS:
        document = json.loads(path.read_text())
        assert (document["imageWidth"], document["imageHeight"]) == BLENDER_SIZE
        assert document["playground"]["samples"] == BLENDER_SAMPLES
        assert blender.annotation_matches_labels(path)
    assert sum(p.stat().st_size for p in (ROOT / "data" / "blender").iterdir()) < 400_000


def test_bundled_renders_are_reproduced_byte_for_byte(blender_python, tmp_path, monkeypatch):
    """``make data`` renders the same bytes again (its first scene, to keep the test short)."""
    from playground_lib.bundled_samples import BLENDER_SAMPLES, BLENDER_SIZE

    monkeypatch.setenv("PLAYGROUND_BLENDER_THREADS", "1")
    blender.render_scenes(tmp_path, 1, size=BLENDER_SIZE, samples=BLENDER_SAMPLES, seed=0, progress=False)
    for made in sorted(tmp_path.glob("blender_0000*")):
        assert made.read_bytes() == (ROOT / "data" / "blender" / made.name).read_bytes(), made.name
