"""The small model shipped in the package: size, metadata, and classes painted in their own colours."""

from __future__ import annotations

import json

import numpy as np
import torch

from playground_lib.labels import ade20k_value
from playground_lib.paths import PACKAGE_DIR
from playground_lib.synthetic import generate_scene

WEIGHTS = PACKAGE_DIR / "models" / "bundled_generator.safetensors"
META = WEIGHTS.with_suffix(".json")


def test_bundled_model_is_small_fp16_and_documented():
    from safetensors.torch import load_file

    assert WEIGHTS.stat().st_size <= 25 * 1024 * 1024
    assert all(v.dtype == torch.float16 for k, v in load_file(str(WEIGHTS)).items() if v.is_floating_point())
    meta = json.loads(META.read_text())
    assert meta["generator"]["label_nc"] == 151
    assert meta["steps"] > 0 and meta["training_seconds"] > 0 and "train_bundled_model.py" in meta["training_command"]
    assert 0 < meta["evaluation"]["segmentation_consistency_miou"] <= 1


def test_bundled_model_paints_each_class_in_its_own_colours():
    from playground_lib.train.evaluate import generate_from_labels, load_exported_generator

    torch.set_num_threads(1)
    seeds = (generate_scene(seed, 128) for seed in range(123_456, 123_556))  # far from the training scenes
    scene = next(s for s in seeds if {ade20k_value("sky"), ade20k_value("grass")} <= set(np.unique(s.labels).tolist()))
    labels = torch.from_numpy(scene.labels.astype(np.int64))[None]
    picture = generate_from_labels(load_exported_generator(WEIGHTS), labels)[0].permute(1, 2, 0).numpy()
    mean = lambda name: picture[scene.labels == ade20k_value(name)].mean(axis=0)  # noqa: E731  (r, g, b)
    sky, grass = mean("sky"), mean("grass")
    assert sky[2] > sky[0] and sky[2] > grass[2]  # sky: blue, bluer than grass
    assert grass[1] > grass[0] and grass[1] > grass[2]  # grass: green
    # and close to the real scene's colours, class by class (a blurry but faithful painting)
    real = scene.image.astype(np.float32) / 127.5 - 1
    assert np.abs(picture - real).mean() < 0.35
