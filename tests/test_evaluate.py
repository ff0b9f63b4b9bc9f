"""Evaluation: our Fréchet distance, FID with a small feature network, the segmenter judge, the CLI."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from playground_lib.train.evaluate import (
    activation_statistics,
    fid,
    fid_extractor,
    frechet_distance,
    shrink,
)
from playground_lib.train.segmenter import mean_iou, train_segmenter

torch.set_num_threads(1)


def test_frechet_distance_matches_the_closed_form_for_diagonal_covariances():
    mu1, mu2 = np.array([0.0, 1.0, 2.0]), np.array([1.0, 1.0, 0.0])
    a, b = np.array([1.0, 4.0, 9.0]), np.array([4.0, 1.0, 1.0])
    expected = ((mu1 - mu2) ** 2).sum() + (a + b - 2 * np.sqrt(a * b)).sum()
    assert frechet_distance(mu1, np.diag(a), mu2, np.diag(b)) == pytest.approx(expected, rel=1e-9)


def test_frechet_distance_is_zero_for_equal_and_invariant_under_rotation():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(200, 5)), rng.normal(size=(200, 5)) * 2 + 1
    s1, s2 = activation_statistics(x), activation_statistics(y)
    assert abs(frechet_distance(*s1, *s1)) < 1e-8
    q, _ = np.linalg.qr(rng.normal(size=(5, 5)))
    rotated = frechet_distance(*activation_statistics(x @ q), *activation_statistics(y @ q))
    assert rotated == pytest.approx(frechet_distance(*s1, *s2), rel=1e-8)
    with pytest.raises(ValueError, match="mismatched"):
        frechet_distance(s1[0], s1[1], s2[0][:3], s2[1])


def test_fid_with_a_small_feature_network_tells_near_from_far():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(3, 8, 3, stride=2), nn.ReLU(), nn.AdaptiveAvgPool2d(1)).eval()
    real = torch.rand(64, 3, 16, 16) * 2 - 1
    near = (real + 0.05 * torch.randn_like(real)).clamp(-1, 1)
    far = torch.rand(64, 3, 16, 16) * 0.5 - 1  # dark images
    assert 0 <= fid(real, near, net) < fid(real, far, net)


def test_fid_without_inception_says_why():
    import importlib.util

    extractor, note = fid_extractor()
    if importlib.util.find_spec("pytorch_fid") is None:
        assert extractor is None and "pytorch-fid" in note


def test_mean_iou_and_the_segmenter_judge():
    miou, per_class = mean_iou(np.array([1, 1, 2, 2]), np.array([1, 2, 2, 2]))
    assert per_class == {1: 0.5, 2: pytest.approx(2 / 3)} and miou == pytest.approx((0.5 + 2 / 3) / 2)
    # colour tells the class: a judge trained briefly must read it back
    g = torch.Generator().manual_seed(0)
    blocks = torch.where(torch.rand(16, 4, 4, generator=g) < 0.5, 3, 10)
    labels = blocks.repeat_interleave(4, 1).repeat_interleave(4, 2)
    images = (
        torch.stack([(labels == 3).float(), (labels == 10).float(), torch.zeros_like(labels, dtype=torch.float)], 1) * 2
        - 1
    )
    judge = train_segmenter(images, labels, steps=60, batch_size=4, progress=False)
    assert judge.classes == [0, 3, 10]
    assert mean_iou(judge.predict(images), labels)[0] > 0.9
    assert shrink(labels, 8).shape == (16, 8, 8) and shrink(images, 8).shape == (16, 3, 8, 8)


def test_cli_evaluate_scores_an_exported_generator(tmp_path, capsys):
    from playground_lib.cli import main
    from playground_lib.spade import GeneratorConfig, SPADEGenerator, save_generator
    from playground_lib.spade.generator_file import read_generator_info
    from playground_lib.spade.loading import load_plain_generator
    from playground_lib.synthetic import write_scenes

    torch.manual_seed(0)
    model = SPADEGenerator(GeneratorConfig(label_nc=151, ngf=4, crop_size=64))
    save_generator(tmp_path / "g.safetensors", model.state_dict(), model.config, half=True)
    assert load_plain_generator(tmp_path / "g.safetensors").config.ngf == 4
    write_scenes(tmp_path / "train", n=4, size=64, seed=0, progress=False)
    write_scenes(tmp_path / "eval", n=2, size=64, seed=99, progress=False)
    code = main(
        [
            "evaluate",
            "--generator",
            str(tmp_path / "g.safetensors"),
            "--train-data",
            str(tmp_path / "train"),
            "--eval-data",
            str(tmp_path / "eval"),
            "--segmenter-steps",
            "5",
            "--save-score",
        ]
    )
    assert code == 0
    assert "segmentation consistency" in capsys.readouterr().out
    score = read_generator_info(tmp_path / "g.safetensors")["evaluation"]["segmentation_consistency_miou"]
    assert 0.0 <= score <= 1.0
    assert main(["evaluate", "--generator", str(tmp_path / "missing.safetensors")]) == 2


def test_the_judge_scores_the_participants_validation_photos_when_there_are_any(tmp_path):
    from playground_lib.fileio import write_json, write_png
    from playground_lib.train.notebook import held_out_pairs

    rng = np.random.default_rng(0)
    own = tmp_path / "own"
    for i, value in enumerate((2, 13)):
        write_png(own / "images" / f"im{i}.png", rng.integers(0, 255, (20, 30, 3), dtype=np.uint8))
        write_png(own / "labels" / f"im{i}.png", np.full((20, 30), value, np.uint8))
    write_json(own / "dataset.json", {"splits": {"train": ["im0.png"], "val": ["im1.png"]}})
    images, labels, what = held_out_pairs(own, 16, scene_count=2, scene_folder=tmp_path / "scenes")
    assert what == "your 1 validation picture" and images.shape == (1, 3, 16, 16)
    assert set(labels.unique().tolist()) == {13} and not (tmp_path / "scenes").exists()

    write_json(own / "dataset.json", {"splits": {"train": ["im0.png", "im1.png"], "val": []}})
    images, labels, what = held_out_pairs(own, 16, scene_count=2, scene_folder=tmp_path / "scenes")
    assert what.startswith("2 synthetic scenes") and images.shape == (2, 3, 16, 16)
