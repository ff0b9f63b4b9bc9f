import hashlib
import json

import numpy as np
import pytest

from playground_lib import fileio, labels
from playground_lib.bundled_samples import SKETCH_NAMES, draw_example_sketch
from playground_lib.cli import main
from playground_lib.labelme import rasterize
from playground_lib.synthetic import generate_scene, write_scenes


def _digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_same_seed_same_bytes(tmp_path):
    write_scenes(tmp_path / "a", 3, size=96, seed=7, progress=False)
    write_scenes(tmp_path / "b", 3, size=96, seed=7, progress=False)
    write_scenes(tmp_path / "c", 3, size=96, seed=8, progress=False)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert _digest(tmp_path / "a") != _digest(tmp_path / "c")


def test_scenes_drawn_on_several_cores_are_the_same_files(tmp_path, monkeypatch):
    from playground_lib import parallel

    monkeypatch.setattr(parallel, "free_cores", lambda: 1)
    write_scenes(tmp_path / "one", 16, size=32, seed=3, progress=False)
    monkeypatch.setattr(parallel, "free_cores", lambda: 2)  # 16 scenes, 8 per worker: two processes
    shown = []
    write_scenes(tmp_path / "two", 16, size=32, seed=3, progress=False, on_scene=lambda i, s: shown.append((i, s.seed)))
    assert _digest(tmp_path / "one") == _digest(tmp_path / "two")
    assert shown == [(i, 3 + i) for i in range(16)]  # in order, and the scenes themselves came back


@pytest.mark.parametrize("seed", range(6))
def test_labelme_shapes_rasterize_back_to_the_label_and_instance_maps(seed):
    scene = generate_scene(seed, (120, 160))
    cls, ins = rasterize.shapes_to_label(
        scene.labels.shape, [s.to_raster_dict() for s in scene.shapes], labels.schema_label_map()
    )
    assert (cls == scene.labels).mean() >= 0.995
    assert np.array_equal(cls, scene.labels)  # exact by construction, not just close
    assert np.array_equal(ins, scene.instances)


def test_scenes_are_playgrounds_with_texture():
    seen = set()
    for seed in range(10):
        scene = generate_scene(seed, 128)
        seen |= set(np.unique(scene.labels).tolist())
        for value in np.unique(scene.labels):  # textured, not flat fills: big regions vary in colour
            region = scene.image[scene.labels == value]
            if len(region) > 500:
                assert region.std(axis=0).max() > 2.0, labels.class_name(int(value))
    for must in ("sky", "grass", "tree", "plaything", "person", "sand", "path"):
        assert labels.ade20k_value(must) in seen, must
    assert 0 not in seen  # every pixel gets a class


def test_cli_synth_writes_scenes_that_labelme_loads(tmp_path):
    assert main(["synth", "--n", "8", "--size", "64", "--out", str(tmp_path)]) == 0
    jsons = sorted(tmp_path.glob("scene_*.json"))
    assert len(jsons) == 8 and len(list(tmp_path.glob("*_label.png"))) == 8
    loaded = rasterize.load_with_labelme(jsons[0])
    assert loaded["shapes"] and loaded["image_path"] == "scene_0000.png"
    doc = json.loads(jsons[0].read_text())
    label_png = fileio.read_png(tmp_path / "scene_0000_label.png")
    cls, _ = rasterize.shapes_to_label(
        (doc["imageHeight"], doc["imageWidth"]), doc["shapes"], labels.schema_label_map()
    )
    assert np.array_equal(cls, label_png)
    assert fileio.read_png(tmp_path / "scene_0000_instance.png").dtype == np.uint16


def test_cli_synth_rejects_bad_sizes(tmp_path, capsys):
    assert main(["synth", "--n", "0", "--out", str(tmp_path / "x")]) == 2
    assert "--n must be between 1 and 100,000, got 0" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("name", SKETCH_NAMES)
def test_example_sketches_use_schema_classes(name):
    sketch = draw_example_sketch(name, 128)
    schema = {c.ade20k_value for c in labels.playground_classes()}
    assert set(np.unique(sketch).tolist()) <= schema
    assert len(np.unique(sketch)) >= 4


def test_outlines_stay_inside_the_picture_as_in_labelme():
    for seed in range(20):
        scene = generate_scene(seed, (64, 96))
        points = np.array([p for shape in scene.shapes for p in shape.points])
        assert points[:, 0].min() >= 0 and points[:, 0].max() <= 96
        assert points[:, 1].min() >= 0 and points[:, 1].max() <= 64
        assert all(len(shape.points) >= 3 for shape in scene.shapes)
