"""pix2pix: line drawings (from pictures and from label outlines), the U-Net, training that resumes,
the saved model, and `playground edges` with its bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from playground_lib.cli import main
from playground_lib.fileio import write_png
from playground_lib.pix2pix.edges import (
    DrawingError,
    boundaries,
    edges_from_labels,
    edges_from_picture,
    ink,
    read_drawing,
)
from playground_lib.pix2pix.model import UNet, UNetShape, depth_for
from playground_lib.pix2pix.train import (
    MODEL_FILE,
    Pix2PixConfig,
    Pix2PixTrainer,
    load_model,
    mean_l1,
    paint,
    unseen_pairs,
)
from playground_lib.synthetic.procedural import generate_scene

TINY = {"size": 32, "ngf": 4, "ndf": 4, "batch_size": 2, "scene_count": 6, "minutes": 5.0, "progress": False}


def _near(mask: np.ndarray, radius: int) -> np.ndarray:
    """Pixels within ``radius`` (square) of a True pixel."""
    padded = np.pad(mask, radius)
    h, w = mask.shape
    out = np.zeros_like(mask)
    for dy in range(2 * radius + 1):
        for dx in range(2 * radius + 1):
            out |= padded[dy : dy + h, dx : dx + w]
    return out


# ----------------------------------------------------------------------------- drawings
def test_label_outlines_are_exactly_where_the_class_changes():
    labels = np.zeros((6, 8), dtype=np.uint8)
    labels[2:4, 3:6] = 7
    drawing = edges_from_labels(labels)
    assert drawing.dtype == np.uint8 and set(np.unique(drawing)) == {0, 255}
    lines = drawing == 0
    assert lines[1, 3:6].all() and lines[3, 3:6].all() and lines[2:4, 2].all() and lines[2:4, 5].all()
    assert lines.sum() == boundaries(labels).sum() == 9
    assert (edges_from_labels(labels, width=3) == 0).sum() > lines.sum()


def test_picture_edges_are_deterministic_and_follow_the_label_outlines():
    precision, recall = [], []
    for seed in range(3):
        scene = generate_scene(seed, 128)
        drawing = edges_from_picture(scene.image)
        assert np.array_equal(drawing, edges_from_picture(scene.image.copy()))
        lines = drawing == 0
        outlines = boundaries(scene.labels) | boundaries(scene.instances)
        precision.append((lines & _near(outlines, 2)).sum() / lines.sum())
        recall.append((_near(lines, 2) & outlines).sum() / outlines.sum())
    assert np.mean(precision) > 0.75, precision  # measured 0.84: most lines are outlines, a few are texture
    assert np.mean(recall) > 0.9, recall  # measured 0.99: almost every outline is drawn


def test_a_flat_picture_has_no_lines_and_a_step_has_one_thin_line():
    flat = np.full((20, 20, 3), 120, dtype=np.uint8)
    assert (edges_from_picture(flat) == 255).all()
    step = flat.copy()
    step[:, 10:] = 250
    lines = edges_from_picture(step) == 0
    assert lines[:, 8:12].any(axis=1).all() and lines.sum(axis=1).max() <= 2


def test_read_drawing_makes_transparency_paper_and_names_bad_files(tmp_path):
    rgba = np.zeros((10, 20, 4), dtype=np.uint8)  # all transparent ...
    rgba[5, :, 3] = 255  # ... but one opaque black row
    Image.fromarray(rgba, "RGBA").save(tmp_path / "pen.png")
    drawing = read_drawing(tmp_path / "pen.png")
    assert drawing.shape == (10, 20) and (drawing[5] == 0).all() and (drawing[:5] == 255).all()
    assert read_drawing(tmp_path / "pen.png", size=10).shape == (5, 10)
    assert ink(drawing)[5].max() == 1.0 and ink(drawing)[0].max() == 0.0
    (tmp_path / "broken.png").write_bytes(b"\x89PNG not really")
    with pytest.raises(DrawingError, match="broken.png: not a readable picture"):
        read_drawing(tmp_path / "broken.png")
    with pytest.raises(DrawingError, match="missing.png: no such drawing file"):
        read_drawing(tmp_path / "missing.png")


# ----------------------------------------------------------------------------- model
def test_unet_keeps_the_size_and_paints_in_range():
    assert (depth_for(32), depth_for(64), depth_for(128), depth_for(1024)) == (3, 4, 5, 6)
    net = UNet(UNetShape(ngf=4, depth=3))
    out = net(torch.rand(2, 1, 32, 48))
    assert out.shape == (2, 3, 32, 48) and out.abs().max() <= 1


# ----------------------------------------------------------------------------- training
@pytest.fixture(scope="module")
def pairs():
    return unseen_pairs(6, 32, seed=0)


def _weights(trainer):
    return {k: v.clone() for k, v in trainer.generator.state_dict().items()}


def test_a_few_steps_train_save_and_resume_to_the_same_weights(tmp_path, pairs):
    straight = Pix2PixTrainer(Pix2PixConfig(out_dir=str(tmp_path / "a"), steps=4, **TINY), pairs=pairs)
    straight.fit()
    assert straight.step == 4 and (tmp_path / "a" / MODEL_FILE).exists()
    assert (tmp_path / "a" / "samples" / "latest.png").exists()

    first = Pix2PixTrainer(Pix2PixConfig(out_dir=str(tmp_path / "b"), steps=2, **TINY), pairs=pairs)
    first.fit()
    resumed = Pix2PixTrainer.resume(tmp_path / "b", pairs=pairs, steps=4)
    assert resumed.step == 2
    resumed.fit()
    assert resumed.step == 4 and len(resumed.history) == 4
    for name, value in _weights(straight).items():
        assert torch.equal(value, _weights(resumed)[name]), name


def test_resume_refuses_a_setting_that_shapes_the_model(tmp_path, pairs):
    Pix2PixTrainer(Pix2PixConfig(out_dir=str(tmp_path), steps=1, **TINY), pairs=pairs).fit()
    with pytest.raises(ValueError, match="ngf 4 \\(saved\\) vs 8"):
        Pix2PixTrainer.resume(tmp_path, pairs=pairs, ngf=8)


def test_the_saved_model_paints_any_drawing_at_its_training_scale(tmp_path, pairs):
    trainer = Pix2PixTrainer(Pix2PixConfig(out_dir=str(tmp_path), steps=2, **TINY), pairs=pairs)
    trainer.fit()
    generator, meta = load_model(tmp_path)
    assert meta["size"] == 32 and meta["steps"] == 2
    picture = paint(generator, np.full((100, 60), 255, dtype=np.uint8), meta["size"])
    assert picture.dtype == np.uint8 and picture.shape == (32, 16, 3)  # longer side 32, sides multiples of 8
    with torch.no_grad():
        same = trainer.generate(pairs.drawings[:2])
    assert mean_l1(same, generator(pairs.drawings[:2])) < 1e-3


def test_load_model_names_a_file_that_is_not_a_model(tmp_path):
    (tmp_path / "fake.safetensors").write_bytes(b"\x00" * 40)
    with pytest.raises(ValueError, match="fake.safetensors: not a pix2pix model file"):
        load_model(tmp_path / "fake.safetensors")
    with pytest.raises(ValueError, match="no trained model here"):
        load_model(tmp_path)


def test_training_draws_its_own_scenes_when_no_data_is_given(tmp_path):
    trainer = Pix2PixTrainer(Pix2PixConfig(out_dir=str(tmp_path), steps=1, **TINY))
    assert len(trainer.pairs) == 6 and len(list((tmp_path / "scenes").glob("*_label.png"))) == 6
    assert trainer.pairs.drawings.shape == (6, 1, 32, 32) and trainer.pairs.pictures.shape == (6, 3, 32, 32)


# ----------------------------------------------------------------------------- the command line
def _one_line_exit_2(capsys, argv) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    return err


def test_cli_draws_trains_resumes_and_generates(tmp_path, capsys):
    write_png(tmp_path / "scene.png", generate_scene(1, 64).image)
    assert main(["edges", "draw", str(tmp_path / "scene.png"), str(tmp_path / "lines.png")]) == 0
    assert read_drawing(tmp_path / "lines.png").shape == (64, 64)
    run = tmp_path / "run"
    flags = ["--size", "32", "--ngf", "4", "--ndf", "4", "--batch", "2", "--scenes", "4", "--quiet"]
    assert main(["edges", "train", "--out", str(run), "--steps", "2", *flags]) == 0
    err = _one_line_exit_2(capsys, ["edges", "train", "--out", str(run), "--steps", "3"])
    assert "already holds a training run; pass --resume" in err
    err = _one_line_exit_2(capsys, ["edges", "train", "--out", str(run), "--resume", "--ngf", "8"])
    assert "ngf 4 (saved) vs 8" in err
    assert main(["edges", "train", "--out", str(run), "--steps", "3", "--resume", "--quiet"]) == 0
    assert load_model(run)[1]["steps"] == 3
    assert main(["edges", "generate", str(tmp_path / "lines.png"), str(tmp_path / "out.png"), "--model", str(run)]) == 0
    assert np.asarray(Image.open(tmp_path / "out.png")).shape == (32, 32, 3)


def test_cli_bad_input_gets_one_line_and_writes_nothing(tmp_path, capsys):
    (tmp_path / "not_a_picture.png").write_text("hello")
    (tmp_path / "a_file").write_text("x")
    out = tmp_path / "out.png"
    cases = {
        ("edges", "draw", str(tmp_path / "missing.png"), str(out)): "missing.png: no such picture file",
        ("edges", "draw", str(tmp_path / "not_a_picture.png"), str(out)): "not a readable picture",
        ("edges", "draw", str(tmp_path / "not_a_picture.png"), str(tmp_path)): "is a folder",
        ("edges", "generate", str(tmp_path / "not_a_picture.png"), str(out), "--model", str(tmp_path)): (
            "not_a_picture.png: not a readable picture"
        ),
        ("edges", "train", "--out", str(tmp_path / "a_file" / "run")): "a_file is a file, not a folder",
        ("edges", "train", "--out", str(tmp_path / "run"), "--data", str(tmp_path / "nowhere")): "no such training",
        ("edges", "train", "--out", str(tmp_path / "run2"), "--size", "30", "--quiet"): "multiple of 16",
    }
    for argv, expected in cases.items():
        assert expected in _one_line_exit_2(capsys, list(argv)), argv
    assert not out.exists() and not (tmp_path / "run").exists()
    assert not list((tmp_path / "run2").glob("**/*.png"))  # refused before any scene was drawn


def test_training_reads_a_spade_folder(tmp_path, scenes):
    """A SPADE folder (images/, labels/, instances/) gives one pair per image, outlines from its maps."""
    import shutil

    for kind, suffix in (("images", ""), ("labels", "_label"), ("instances", "_instance")):
        (tmp_path / "spade" / kind).mkdir(parents=True)
        for label in sorted(scenes.glob("*_label.png")):
            stem = label.name[: -len("_label.png")]
            shutil.copy(scenes / f"{stem}{suffix}.png", tmp_path / "spade" / kind / f"{stem}.png")
    cfg = Pix2PixConfig(out_dir=str(tmp_path / "run"), data=str(tmp_path / "spade"), steps=1, **TINY)
    trainer = Pix2PixTrainer(cfg)
    assert len(trainer.pairs) == 4 and not (tmp_path / "run" / "scenes").exists()
    assert 0 < trainer.pairs.drawings.mean() < 0.5  # outlines, not a blank or a full page
    trainer.fit()
    assert trainer.step == 1


def test_a_16_bit_photo_keeps_its_brightness_in_training_pairs(tmp_path):
    """As the SPADE trainer reads it (labelme.image.as_rgb8): PIL's convert("RGB") made it white."""
    from playground_lib.pix2pix.train import pair_from_files

    grey = np.full((16, 16), 20000, dtype=np.uint16)  # a dark-ish 16-bit grey: 20000 >> 8 = 78
    Image.fromarray(grey).save(tmp_path / "photo.png")
    write_png(tmp_path / "labels.png", np.zeros((16, 16), dtype=np.uint8))
    _, picture = pair_from_files(tmp_path / "photo.png", tmp_path / "labels.png", None, 8)
    assert (picture == 78).all()
