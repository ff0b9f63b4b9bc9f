"""Overfitting made visible: the same measures on training and validation pictures, like with like."""

from __future__ import annotations

import json

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from playground_lib import own_data
from playground_lib.figures.training import show_split_curves, show_split_samples
from playground_lib.train import TrainConfig, Trainer
from playground_lib.train.dataset import classes_in
from playground_lib.train.overfitting import SplitWatch, split_batch, split_samples


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    spade = own_data.ensure_spade_folder(count=4)
    return own_data.mix_training_set(spade, tmp_path_factory.mktemp("mixed") / "set", synthetic_count=3, size=32)


def _trainer(data, out) -> Trainer:
    torch.manual_seed(0)
    cfg = TrainConfig(
        data_dir=str(data), out_dir=str(out), classes=classes_in(data), crop_size=32, load_size=32, ngf=4, ndf=4,
        batch_size=2, steps=4, sample_every=100, checkpoint_every=100, use_vgg=False, progress=False,
    )  # fmt: skip
    return Trainer(cfg)


def test_watch_measures_both_splits_while_training(mixed, tmp_path):
    trainer = _trainer(mixed, tmp_path / "run")
    watch = SplitWatch(every=2, count=4)
    trainer.fit(on_step=watch)
    assert [r["step"] for r in watch.records] == [2, 4]
    for record in watch.records:
        assert set(record) == {"step"} | {f"{s}_{k}" for s in ("train", "val") for k in ("photo_distance", "G_feat")}
        assert all(np.isfinite(v) for v in record.values())
        assert 0 < record["train_photo_distance"] < 2  # pictures in [-1, 1]
    steps, curves = watch.curves()
    assert steps == [2, 4] and list(curves) == ["distance to the photo", "feature matching"]
    assert curves["distance to the photo"]["val"] == [r["val_photo_distance"] for r in watch.records]
    figure = show_split_curves(watch)
    assert [[line.get_label() for line in ax.lines] for ax in figure.axes] == [["train", "val"]] * 2
    plt.close(figure)


def test_curves_before_any_measure_say_what_to_do():
    with pytest.raises(ValueError, match="nothing measured yet"):
        SplitWatch(every=1).curves()


def test_training_pictures_shown_are_the_participants_own(mixed, tmp_path):
    trainer = _trainer(mixed, tmp_path / "run")
    splits = json.loads((mixed / "dataset.json").read_text())["splits"]
    batch = split_batch(trainer, "train", count=10)
    names = [trainer.dataset.samples[int(i)].name for i in batch["index"]]
    assert names and all(n.startswith(own_data.OWN_PREFIX) for n in names)
    assert len(names) == sum(n.startswith(own_data.OWN_PREFIX) for n in splits["train"])


def test_a_set_without_validation_pictures_is_measured_on_training_only(mixed, tmp_path):
    import shutil

    from playground_lib.synthetic import write_scenes

    no_val = tmp_path / "no_val"
    shutil.copytree(mixed, no_val)
    meta = json.loads((no_val / "dataset.json").read_text())
    meta["splits"]["val"] = []
    (no_val / "dataset.json").write_text(json.dumps(meta))
    write_scenes(tmp_path / "scenes", n=2, size=32, seed=0, progress=False)  # no splits at all
    for folder in (no_val, tmp_path / "scenes"):
        trainer = _trainer(folder, tmp_path / f"run_{folder.name}")
        assert split_batch(trainer, "val") is None
        watch = SplitWatch(every=1)
        record = watch.measure(trainer)
        assert "train_photo_distance" in record and "val_photo_distance" not in record
        assert np.isnan(watch.curves()[1]["feature matching"]["val"]).all()  # a gap, not a made-up value
        grids = split_samples(trainer, count=2)
        assert grids["val"] is None and grids["train"].shape == (2 * 32 + 2, 3 * 32 + 4, 3)
        figure = show_split_samples(grids)
        assert [ax.get_title() for ax in figure.axes] == [
            "train: label map | photo | generated",
            "val: no pictures in this split",
        ]
        plt.close(figure)
