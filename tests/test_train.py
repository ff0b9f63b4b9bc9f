"""Training: data checks and augmentations, critics, losses, trainer, resume, fine-tuning, CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from playground_lib.fileio import write_json, write_png
from playground_lib.synthetic import write_scenes
from playground_lib.train import TrainConfig, Trainer
from playground_lib.train import checkpoint as ckpt
from playground_lib.train.dataset import (
    DatasetError,
    SpadeDataset,
    StepBatches,
    classes_in,
    collate,
    find_samples,
    instance_edges,
    semantics,
)
from playground_lib.train.discriminator import MultiscaleDiscriminator
from playground_lib.train.losses import d_hinge_loss, feature_matching_loss, g_hinge_loss, vgg_unavailable_reason

torch.set_num_threads(1)


def tiny(folder, out, **changes):
    values = {
        "data_dir": str(folder),
        "out_dir": str(out),
        "load_size": 36,
        "crop_size": 32,
        "ngf": 8,
        "ndf": 8,
        "num_D": 2,
        "n_layers_D": 3,
        "batch_size": 2,
        "steps": 4,
        "sample_every": 2,
        "checkpoint_every": 2,
        "progress": False,
        "use_vgg": False,
        "seed": 1,
    }
    values.update(changes)
    return TrainConfig(**values)


def spade_folder(root, labels_list, split=None):
    rng = np.random.default_rng(0)
    for i, labels in enumerate(labels_list):
        write_png(root / "images" / f"im{i}.png", rng.integers(0, 255, (*labels.shape, 3), dtype=np.uint8))
        write_png(root / "labels" / f"im{i}.png", labels)
        write_png(root / "instances" / f"im{i}.png", (labels.astype(np.uint16) * 7))
    if split is not None:
        write_json(root / "dataset.json", {"splits": split})
    return root


# ------------------------------------------------------------------------------ dataset
def test_scene_folder_and_spade_folder_are_both_read(scenes, tmp_path):
    assert [s.name for s in find_samples(scenes)] == [f"scene_{i:04d}" for i in range(4)]
    labels = np.full((20, 20), 3, np.uint8)
    root = spade_folder(tmp_path / "spade", [labels, labels, labels], {"train": ["im0.png", "im2.png"], "val": ["im1"]})
    assert [s.name for s in find_samples(root, "train")] == ["im0", "im2"]
    assert [s.name for s in find_samples(root, "val")] == ["im1"]
    with pytest.raises(DatasetError, match="no split 'test'"):
        find_samples(root, "test")


def test_split_entries_cannot_escape_the_folder(tmp_path):
    root = spade_folder(tmp_path / "spade", [np.zeros((8, 8), np.uint8)], {"train": ["../../etc/passwd"]})
    with pytest.raises(DatasetError, match="escapes"):
        find_samples(root, "train")


def test_out_of_range_labels_are_reported_with_the_file_before_training(tmp_path):
    good, bad = np.full((16, 16), 3, np.uint8), np.full((16, 16), 3, np.uint8)
    bad[0, 0] = 200
    root = spade_folder(tmp_path / "spade", [good, bad])
    cfg = TrainConfig(data_dir=str(root), load_size=16, crop_size=16, batch_size=2)
    with pytest.raises(DatasetError, match=r"im1\.png: label values \[200\] out of range"):
        SpadeDataset(cfg)
    # the same value is fine once it is declared as "don't care", and gets its own channel
    ds = SpadeDataset(cfg.replace(dontcare_value=200))
    sem = semantics(collate([ds[1]]), ds.cfg)
    assert sem.shape[1] == 152 and sem[0, 151, 0, 0] == 1 and sem[0, 3, 1, 1] == 1


def test_augmentations_move_image_and_labels_together(tmp_path):
    labels = np.zeros((40, 40), np.uint8)
    labels[:, :20] = 2  # left half building, right half other
    image = np.zeros((40, 40, 3), np.uint8)
    image[:, :20] = 255
    write_png(tmp_path / "s_label.png", labels)
    write_png(tmp_path / "s.png", image)
    cfg = TrainConfig(data_dir=str(tmp_path), load_size=48, crop_size=32, flip=True)
    ds = SpadeDataset(cfg)
    flips = 0
    for seed in range(12):
        item = ds[(0, seed)]
        white = item["image"][0] > 0
        building = item["label"] == 2
        assert set(torch.unique(item["label"]).tolist()) <= {0, 2}  # nearest: no blended class values
        assert (white == building).float().mean() > 0.95
        flips += int(building[:, -1].all())
    assert 0 < flips < 12  # both orientations occur
    assert torch.equal(ds[(0, 5)]["image"], ds[(0, 5)]["image"])  # the seed decides


def test_instance_edges_channel(scenes):
    inst = torch.zeros(1, 6, 6, dtype=torch.long)
    inst[0, :, 3:] = 4
    edges = instance_edges(inst)
    assert edges[0, 0, :, 2:4].eq(1).all() and edges[0, 0, :, :2].eq(0).all() and edges[0, 0, :, 4:].eq(0).all()
    cfg = TrainConfig(data_dir=str(scenes), load_size=48, crop_size=48, instance_edges=True)
    sem = semantics(collate([SpadeDataset(cfg)[0]]), cfg)
    assert sem.shape[1] == 152 and 0 < sem[:, -1].mean() < 0.5


def test_compact_classes_and_step_batches(scenes):
    classes = classes_in(scenes)
    assert classes[0] == 0 and len(classes) < 25
    cfg = TrainConfig(data_dir=str(scenes), load_size=48, crop_size=48, classes=classes)
    item = SpadeDataset(cfg)[0]
    assert int(item["label"].max()) < len(classes)
    whole = list(StepBatches(10, 3, seed=4, total_steps=7))
    assert list(StepBatches(10, 3, seed=4, start_step=4, total_steps=7)) == whole[4:]
    firsts = {b[0] for b in StepBatches(10, 3, seed=4, total_steps=3)}
    assert len(firsts) == 3  # an epoch does not repeat an image
    ranks = [
        {i for b in StepBatches(10, 5, seed=4, num_replicas=2, rank=r, total_steps=1) for i, _ in b} for r in (0, 1)
    ]
    assert not ranks[0] & ranks[1]


# ------------------------------------------------------------------------------ model pieces
def test_multiscale_discriminator_shapes_and_official_key_layout():
    d = MultiscaleDiscriminator(input_nc=6, ndf=8, n_layers=4, num_D=2)
    out = d(torch.randn(2, 6, 64, 64))
    assert len(out) == 2 and len(out[0]) == 5 and out[0][-1].shape[1] == 1
    assert out[1][-1].shape[-1] < out[0][-1].shape[-1]
    keys = d.state_dict().keys()
    assert "discriminator_0.model0.0.weight" in keys and "discriminator_1.model1.0.0.weight_orig" in keys


def test_hinge_and_feature_matching_losses():
    real = [[torch.zeros(1, 2), torch.full((1, 1), 2.0)]]
    fake = [[torch.ones(1, 2), torch.full((1, 1), -3.0)]]
    assert d_hinge_loss(real, fake).item() == 0.0  # both past the margin
    assert d_hinge_loss(fake, real).item() == pytest.approx(4.0 + 3.0)
    assert g_hinge_loss(fake).item() == pytest.approx(3.0)
    assert feature_matching_loss(real, fake, weight=10).item() == pytest.approx(10.0)
    assert feature_matching_loss(real, real).item() == 0.0


def test_vgg_loss_absence_is_explained():
    import importlib.util

    reason = vgg_unavailable_reason()
    if importlib.util.find_spec("torchvision") is None:
        assert "torchvision is not installed" in reason


# ------------------------------------------------------------------------------ trainer
def test_quick_training_writes_samples_curves_and_atomic_checkpoints(scenes, tmp_path):
    trainer = Trainer(tiny(scenes, tmp_path / "run"))
    history = trainer.fit()
    assert [h["step"] for h in history] == [1, 2, 3, 4] and all(np.isfinite(h["D"]) for h in history)
    out = tmp_path / "run"
    assert (out / "samples" / "step_000004.png").exists() and (out / "loss_curves.png").exists()
    folders = sorted(p.name for p in (out / "checkpoints").iterdir() if p.is_dir())
    assert folders == ["step_000002", "step_000004"]  # keep_checkpoints=2, no temporary folders left
    assert json.loads((out / "checkpoints" / "latest.json").read_text())["folder"] == "step_000004"
    state = torch.load(out / "checkpoints" / "step_000004" / "state.pt", weights_only=True)
    assert state["step"] == 4 and state["config"]["ngf"] == 8
    from playground_lib.fileio import read_png

    grid = read_png(out / "samples" / "latest.png")
    assert grid.shape == (4 * 32 + 3 * 2, 3 * 32 + 2 * 2, 3)
    with pytest.raises(ValueError, match="batch_size ≥ 2"):
        tiny(scenes, tmp_path, batch_size=1).validate()


def test_resume_gives_the_same_next_steps_as_an_uninterrupted_run(scenes, tmp_path):
    straight = Trainer(tiny(scenes, tmp_path / "a", checkpoint_every=100, sample_every=100))
    straight.fit(4)
    first = Trainer(tiny(scenes, tmp_path / "b", checkpoint_every=2, sample_every=100))
    first.fit(2)
    del first
    torch.manual_seed(12345)  # whatever happened in between must not matter
    resumed = Trainer.resume(tmp_path / "b")
    assert resumed.step == 2
    resumed.fit(4)
    assert [h["G_feat"] for h in resumed.history] == [h["G_feat"] for h in straight.history]
    for a, b in zip(straight.generator.state_dict().values(), resumed.generator.state_dict().values()):
        assert torch.equal(a, b)
    for a, b in zip(straight.generator_ema.parameters(), resumed.generator_ema.parameters()):
        assert torch.equal(a, b)


def test_a_short_run_on_one_image_learns_that_image(tmp_path):
    """Generator loss (judged by the same, final critics) goes down and the output moves to the photo."""
    import copy

    from playground_lib.train.dataset import semantics as to_semantics

    write_scenes(tmp_path / "one", n=1, size=64, seed=7, progress=False)
    cfg = tiny(
        tmp_path / "one",
        tmp_path / "run",
        load_size=64,
        crop_size=64,
        batch_size=1,
        flip=False,
        steps=60,
        sample_every=1000,
        checkpoint_every=1000,
        lr_g=1e-3,
        lr_d=1e-3,
        classes=classes_in(tmp_path / "one"),
    )
    trainer = Trainer(cfg)
    batch = collate([trainer.dataset[0]])
    sem, real = to_semantics(batch, cfg), batch["image"]
    untrained = copy.deepcopy(trainer.generator)
    trainer.fit()

    @torch.no_grad()
    def generator_loss(generator):
        generator.eval()
        fake = generator(sem)
        scores = trainer.discriminator(torch.cat([torch.cat([sem, fake], 1), torch.cat([sem, real], 1)]))
        fake_s, real_s = [[f[:1] for f in s] for s in scores], [[f[1:] for f in s] for s in scores]
        return (g_hinge_loss(fake_s) + feature_matching_loss(real_s, fake_s)).item(), (fake - real).abs().mean().item()

    (loss_before, l1_before), (loss_after, l1_after) = generator_loss(untrained), generator_loss(trainer.generator)
    assert loss_after < 0.8 * loss_before, (loss_before, loss_after)
    assert l1_after < 0.7 * l1_before, (l1_before, l1_after)


def test_finetune_from_an_official_layout_checkpoint(scenes, tmp_path):
    from playground_lib.spade import GeneratorConfig, save_random_official_checkpoint

    official = save_random_official_checkpoint(
        tmp_path / "latest_net_G.pth", GeneratorConfig(ngf=8, crop_size=32), seed=5
    )
    state = torch.load(official, weights_only=True)
    classes = classes_in(scenes)
    trainer = Trainer(tiny(scenes, tmp_path / "run", finetune_from=str(official), classes=classes))
    loaded = trainer.generator.state_dict()
    assert torch.equal(loaded["fc.weight"], state["fc.weight"][:, classes])  # class channels picked from 151
    assert torch.equal(loaded["up_3.conv_1.weight_orig"], state["up_3.conv_1.weight_orig"])
    with pytest.raises(ValueError, match="does not fit"):
        Trainer(tiny(scenes, tmp_path / "run2", finetune_from=str(official), ngf=4))


def test_export_is_fp16_full_channel_and_loads_back(scenes, tmp_path):
    from playground_lib.spade import read_generator
    from playground_lib.spade.generator_file import read_generator_info
    from playground_lib.spade.loading import load_plain_generator

    trainer = Trainer(tiny(scenes, tmp_path / "run", classes=classes_in(scenes), steps=1))
    trainer.fit()
    path = trainer.export_generator(tmp_path / "g.safetensors")
    model = load_plain_generator(path)
    _, config, classes = read_generator(path)
    assert model.config.label_nc == 151 and config.ngf == 8 and classes is None
    assert read_generator_info(path)["steps"] == 1
    from safetensors.torch import load_file

    assert load_file(str(path))["fc.weight"].dtype == torch.float16


def test_config_files_and_bad_settings(tmp_path):
    (tmp_path / "c.json").write_text(json.dumps({"ngf": 16, "crop_size": 64, "load_size": 64}))
    assert TrainConfig.from_file(tmp_path / "c.json").ngf == 16
    (tmp_path / "c.yaml").write_text("ngf: 8\nclasses: [0, 3]\n")
    assert TrainConfig.from_file(tmp_path / "c.yaml").label_nc == 2
    (tmp_path / "bad.json").write_text(json.dumps({"ngff": 16}))
    with pytest.raises(ValueError, match=r"bad\.json: unknown setting\(s\) ngff"):
        TrainConfig.from_file(tmp_path / "bad.json")
    with pytest.raises(ValueError, match="multiple of 16"):
        TrainConfig(crop_size=40, load_size=40).validate()


def test_cli_train_and_resume(scenes, tmp_path, capsys):
    from playground_lib.cli import main

    args = [
        "train",
        "--data",
        str(scenes),
        "--out",
        str(tmp_path / "run"),
        "--steps",
        "2",
        "--crop-size",
        "32",
        "--load-size",
        "32",
        "--batch-size",
        "2",
        "--ngf",
        "8",
        "--ndf",
        "8",
        "--classes",
        "auto",
        "--no-vgg",
        "--quiet",
    ]
    assert main(args) == 0
    assert main(args[:6] + ["3"] + args[7:] + ["--resume"]) == 0
    state = torch.load(ckpt.latest_checkpoint(tmp_path / "run") / "state.pt", weights_only=True)
    assert state["step"] == 3 and state["config"]["classes"][0] == 0
    assert main(["train", "--data", str(tmp_path / "nowhere")]) == 2
    assert "training folder not found" in capsys.readouterr().err


def test_reads_the_spade_folder_that_coco_to_spade_writes(scenes, tmp_path):
    from playground_lib.coco.from_labelme import labelme_to_coco
    from playground_lib.coco.to_spade import coco_to_spade
    from playground_lib.fileio import read_png

    coco_to_spade(labelme_to_coco(scenes, progress=False), scenes, tmp_path / "spade", progress=False)
    train, val = find_samples(tmp_path / "spade", "train"), find_samples(tmp_path / "spade", "val")
    assert len(train) + len(val) == 4 and train and val
    ds = SpadeDataset(TrainConfig(data_dir=str(tmp_path / "spade"), load_size=48, crop_size=48, batch_size=2))
    first = ds.samples[0]
    assert torch.equal(ds[0]["label"], torch.from_numpy(read_png(scenes / f"{first.name}_label.png").astype(np.int64)))


def test_classes_come_from_every_split_and_those_only_validation_has_are_named(tmp_path):
    """Own photos alone: sky, earth and a pole only in the validation photo must not become "other" silently."""
    from playground_lib.train.dataset import classes_in_every_split

    train = np.full((8, 8), 2, np.uint8)
    val = np.full((8, 8), 13, np.uint8)
    val[:2] = 3
    root = spade_folder(tmp_path / "set", [train, val], split={"train": ["im0.png"], "val": ["im1.png"]})
    classes, validation_only = classes_in_every_split(root)
    assert classes == [0, 2, 3, 13]
    assert validation_only == [3, 13]
    assert classes_in(root) == [0, 2]  # one split, as the CLI asks for


def test_classes_of_a_folder_without_validation_split(scenes):
    from playground_lib.train.dataset import classes_in_every_split

    assert classes_in_every_split(scenes) == (classes_in(scenes), [])
