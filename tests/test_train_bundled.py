"""The small model shipped in the package: size, metadata, and classes painted in their own colours."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from playground_lib.labels import ade20k_value
from playground_lib.spade.generator_file import read_generator, read_generator_info
from playground_lib.spade.loading import BUNDLED_WEIGHTS as WEIGHTS
from playground_lib.synthetic import generate_scene, write_scenes

ROOT = Path(__file__).resolve().parents[1]


def test_bundled_model_is_small_fp16_and_documented():
    from safetensors.torch import load_file

    assert WEIGHTS.stat().st_size <= 25 * 1024 * 1024
    assert all(v.dtype == torch.float16 for k, v in load_file(str(WEIGHTS)).items() if v.is_floating_point())
    assert not WEIGHTS.with_suffix(".json").exists()  # everything travels inside the file
    _, config, classes = read_generator(WEIGHTS)
    # trained compact; shipped expanded to 151 channels, or compact with its class list (--compact)
    assert (config.label_nc == 151 and classes is None) or (classes is not None and config.label_nc == len(classes))
    meta = read_generator_info(WEIGHTS)
    assert "description" in meta and meta["training_config"]["classes"][0] == 0
    assert meta["steps"] > 0 and meta["training_seconds"] > 0 and "train_bundled_model.py" in meta["training_command"]
    assert 0 < meta["evaluation"]["segmentation_consistency_miou"] <= 1


def test_bundled_model_paints_each_class_in_its_own_colours():
    from playground_lib.spade.loading import load_plain_generator
    from playground_lib.train.evaluate import generate_from_labels

    torch.set_num_threads(1)
    seeds = (generate_scene(seed, 128) for seed in range(123_456, 123_556))  # far from the training scenes
    scene = next(s for s in seeds if {ade20k_value("sky"), ade20k_value("grass")} <= set(np.unique(s.labels).tolist()))
    labels = torch.from_numpy(scene.labels.astype(np.int64))[None]
    picture = generate_from_labels(load_plain_generator(WEIGHTS), labels)[0].permute(1, 2, 0).numpy()
    mean = lambda name: picture[scene.labels == ade20k_value(name)].mean(axis=0)  # noqa: E731  (r, g, b)
    sky, grass = mean("sky"), mean("grass")
    assert sky[2] > sky[0] and sky[2] > grass[2]  # sky: blue, bluer than grass
    assert grass[1] > grass[0] and grass[1] > grass[2]  # grass: green
    # and close to the real scene's colours, class by class (a blurry but faithful painting)
    real = scene.image.astype(np.float32) / 127.5 - 1
    assert np.abs(picture - real).mean() < 0.35


def test_training_script_reads_scenes_from_files_and_writes_a_measured_model_where_told(tmp_path):
    script = _training_script()
    write_scenes(tmp_path / "scenes", n=3, size=64, seed=0, progress=False)
    out = tmp_path / "model" / "generator.safetensors"
    out.parent.mkdir()
    argv = ["--data", str(tmp_path / "scenes"), "--work", str(tmp_path / "work"), "--out", str(out)]
    small = ["--size", "64", "--crop", "32", "--ngf", "4", "--batch", "2", "--minutes", "0", "--eval-layouts", "2"]
    assert script.main([*argv, *small, "--device", "cpu"]) == 0
    _, config, classes = read_generator(out)
    assert config.label_nc == 151 and classes is None and config.crop_size == 64  # the scenes' size, not the crop's
    meta = read_generator_info(out)
    assert meta["steps"] == 1 and meta["training_config"]["crop_size"] == 32 and meta["trained_on_crops_of"] == 32
    assert meta["training_hardware"].startswith("CPU") and "--data" in meta["training_command"]
    assert meta["quality"]["images"] == 2 and meta["quality"]["class_statistics_distance"] > 0


def test_a_compact_model_file_loads_as_the_same_pictures_for_any_consumer(tmp_path):
    """``--compact`` ships the class list instead of 151 input channels; evaluation (the plain network fed
    one-hot ADE20K maps) and the painter (ADE20K values through ``load_generator``) must paint the same."""
    from playground_lib.spade.loading import load_generator, load_plain_generator
    from playground_lib.train.evaluate import generate_from_labels

    script = _training_script()
    write_scenes(tmp_path / "scenes", n=3, size=64, seed=0, progress=False)
    out = tmp_path / "compact.safetensors"
    argv = ["--data", str(tmp_path / "scenes"), "--work", str(tmp_path / "work"), "--out", str(out), "--compact"]
    small = ["--size", "64", "--ngf", "4", "--batch", "1", "--minutes", "0", "--eval-layouts", "2", "--device", "cpu"]
    assert script.main([*argv, *small]) == 0
    _, config, classes = read_generator(out)
    assert classes == script.CLASSES and config.label_nc == len(classes)
    plain = load_plain_generator(out)
    assert plain.config.label_nc == 151
    labels = torch.from_numpy(generate_scene(7, 64).labels.astype(np.int64))[None]
    through_plain = generate_from_labels(plain, labels)[0].permute(1, 2, 0).numpy()
    through_painter = load_generator(out, device="cpu").generate(labels[0].numpy()).astype(np.float32) / 127.5 - 1
    assert np.abs(through_plain - through_painter).max() <= 2 / 255 + 1e-6
    assert through_plain.std() > 0  # a picture, not a constant


def _training_script():
    import importlib.util

    spec = importlib.util.spec_from_file_location("train_bundled_model", ROOT / "scripts" / "train_bundled_model.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    return script
