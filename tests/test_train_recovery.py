"""Training survives its own accidents: damaged checkpoints, killed saves, conflicting or impossible settings."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest
import torch

from playground_lib.cli import main
from playground_lib.train import TrainConfig, Trainer
from playground_lib.train import checkpoint as ckpt

torch.set_num_threads(1)


def tiny(folder, out, **changes) -> TrainConfig:
    values = {
        "data_dir": str(folder),
        "out_dir": str(out),
        "load_size": 32,
        "crop_size": 32,
        "ngf": 4,
        "ndf": 4,
        "num_D": 1,
        "n_layers_D": 2,
        "batch_size": 2,
        "steps": 4,
        "sample_every": 100,
        "checkpoint_every": 2,
        "progress": False,
        "use_vgg": False,
        "seed": 1,
    }
    values.update(changes)
    return TrainConfig(**values)


@pytest.fixture(scope="module")
def trained(scenes, tmp_path_factory):
    """A run with checkpoints at steps 2 and 4 (copied by each test before it damages anything)."""
    out = tmp_path_factory.mktemp("trained") / "run"
    Trainer(tiny(scenes, out)).fit()
    return out


@pytest.fixture
def run(trained, tmp_path):
    import shutil

    copy = tmp_path / "run"
    shutil.copytree(trained, copy)
    return copy


def _assert_resumed_from_step_2(trainer, run) -> None:
    """The trainer stands at step 2 with exactly the generator that checkpoint holds."""
    assert trainer.step == 2
    reference = ckpt.load_checkpoint(run / "checkpoints" / "step_000002")[0]["generator"]
    for key, value in trainer.generator.state_dict().items():
        assert torch.equal(value, reference[key])


def _truncate(path, keep: float = 0.5) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


@pytest.mark.parametrize("damaged", ["state.pt", "generator.safetensors", "discriminator.safetensors"])
def test_a_truncated_latest_checkpoint_falls_back_to_the_previous_one(run, damaged):
    _truncate(run / "checkpoints" / "step_000004" / damaged)
    with pytest.warns(UserWarning, match=rf"step_000004/{damaged}: .*newest intact checkpoint, .*step_000002"):
        trainer = Trainer.resume(run)
    _assert_resumed_from_step_2(trainer, run)
    trainer.fit(4)  # trains on and writes a whole step_000004 again
    assert ckpt.load_checkpoint(ckpt.latest_checkpoint(run))[1]["step"] == 4


def test_cli_resume_past_a_damaged_checkpoint(run, capsys):
    _truncate(run / "checkpoints" / "step_000004" / "state.pt")
    with pytest.warns(UserWarning, match="state.pt: damaged"):
        assert main(["train", "--out", str(run), "--resume", "--steps", "4"]) == 0
    assert "trained to step 4" in capsys.readouterr().out


def test_no_intact_checkpoint_is_one_clear_error(run, capsys):
    for step in ("step_000002", "step_000004"):
        _truncate(run / "checkpoints" / step / "state.pt", 0.1)
    with pytest.raises(ckpt.CheckpointError, match=r"no intact checkpoint to resume from: .*step_000004/state\.pt"):
        Trainer.resume(run)
    assert main(["train", "--out", str(run), "--resume"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "step_000002/state.pt: damaged" in err


def test_a_pointer_whose_folder_is_a_number(run, capsys):
    (run / "checkpoints" / "latest.json").write_text(json.dumps({"step": 4, "folder": 4}))
    with pytest.warns(UserWarning, match=r"latest\.json: 'folder' should name a checkpoint folder"):
        assert Trainer.resume(run).step == 4  # the step folders are still there
    for step in ("step_000002", "step_000004"):
        import shutil

        shutil.rmtree(run / "checkpoints" / step)
    assert main(["train", "--out", str(run), "--resume"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "'folder' should name a checkpoint folder" in err, err


def test_killed_saves_leave_no_temporary_folders_behind(run, scenes):
    leftover = run / "checkpoints" / ".step_000006.k1ll3d"
    leftover.mkdir()
    (leftover / "generator.safetensors").write_bytes(b"\0" * 1_000_000)
    Trainer.resume(run)
    assert not leftover.exists()
    leftover.mkdir()
    trainer = Trainer(tiny(scenes, run, steps=6))  # a fresh start over the same folder: its next save cleans up
    trainer.step = 4
    trainer.fit(6)
    assert sorted(p.name for p in (run / "checkpoints").iterdir()) == ["latest.json", "step_000004", "step_000006"]


def test_finished_checkpoint_folders_get_the_mode_mkdir_gives(scenes, tmp_path):
    old = os.umask(0o022)
    try:
        Trainer(tiny(scenes, tmp_path / "run", steps=2)).fit()
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "run" / "checkpoints" / "step_000002").stat().st_mode) == 0o755


def test_resume_with_a_setting_it_cannot_apply_is_refused(run, capsys):
    assert main(["train", "--out", str(run), "--resume", "--ngf", "8", "--steps", "6"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "keeps the settings it was started with" in err and "ngf 4 (saved) vs 8" in err, err
    assert ckpt.load_checkpoint(ckpt.latest_checkpoint(run))[1]["step"] == 4  # nothing trained
    assert main(["train", "--out", str(run), "--resume", "--ngf", "4", "--steps", "5", "--quiet"]) == 0


def test_start_or_resume_says_that_the_saved_settings_win(run, scenes):
    with pytest.warns(UserWarning, match=r"ngf 4 \(saved\) vs 16.*The saved settings win"):
        trainer = Trainer.start_or_resume(tiny(scenes, run, ngf=16, steps=6))
    assert trainer.cfg.ngf == 4 and trainer.cfg.steps == 6 and trainer.step == 4


@pytest.mark.parametrize("device", ["tpu", "cuda:x", "meta"])
def test_an_impossible_device_is_one_line(scenes, tmp_path, capsys, device):
    argv = ["train", "--data", str(scenes), "--out", str(tmp_path / "run"), "--device", device, "--no-vgg"]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"device {device!r}: training runs on auto, cpu" in err, err


# -- a checkpoint proves itself: digests, finite tensors of the saved dtypes and shapes --------------------
def _rewrite_weights(path, change) -> None:
    """Edit one weight file and save it again, as a well-formed safetensors file (only its content is wrong)."""
    from safetensors.torch import load_file, save_file

    tensors = load_file(str(path))
    save_file(change(tensors), str(path))


def _rewrite_state(path, change) -> None:
    state = torch.load(path, map_location="cpu", weights_only=True)
    change(state)
    torch.save(state, path)


def _flip_byte(path, where: float = 0.5) -> None:
    data = bytearray(path.read_bytes())
    data[int(len(data) * where)] ^= 0xFF
    path.write_bytes(bytes(data))


def _nan(tensors):
    return {k: torch.full_like(v, float("nan")) if v.is_floating_point() else v for k, v in tensors.items()}


def _int32(tensors):
    return {k: v.to(torch.int32) for k, v in tensors.items()}


def _wrong_shape(tensors):
    key = next(k for k, v in tensors.items() if v.ndim == 4)
    return {**tensors, key: torch.zeros(1, 1, 1, 1)}


DAMAGE = {
    "empty state.pt": lambda folder: (folder / "state.pt").write_bytes(b""),
    "NaN generator": lambda folder: _rewrite_weights(folder / "generator.safetensors", _nan),
    "int32 generator_ema": lambda folder: _rewrite_weights(folder / "generator_ema.safetensors", _int32),
    "wrong-shaped discriminator": lambda folder: _rewrite_weights(folder / "discriminator.safetensors", _wrong_shape),
    "a byte flipped in state.pt": lambda folder: _flip_byte(folder / "state.pt"),
    "a byte flipped in generator": lambda folder: _flip_byte(folder / "generator.safetensors", 0.9),
    "string step": lambda folder: _rewrite_state(folder / "state.pt", lambda s: s.update(step="4")),
    "negative step": lambda folder: _rewrite_state(folder / "state.pt", lambda s: s.update(step=-3)),
    "NaN optimiser moments": lambda folder: _rewrite_state(
        folder / "state.pt", lambda s: next(iter(s["opt_g"]["state"].values()))["exp_avg"].fill_(float("nan"))
    ),
}


SILENT_WITHOUT_DIGESTS = {"a byte flipped in state.pt", "a byte flipped in generator"}  # a weight's value changes


@pytest.mark.parametrize(
    ("damage", "with_digests"),
    [(d, True) for d in DAMAGE] + [(d, False) for d in DAMAGE if d not in SILENT_WITHOUT_DIGESTS],
)
def test_every_kind_of_damage_falls_back_to_the_intact_checkpoint(run, damage, with_digests):
    newest = run / "checkpoints" / "step_000004"
    if not with_digests:  # the content checks alone (a checkpoint written before digests) catch it too
        for folder in (newest, run / "checkpoints" / "step_000002"):
            (folder / ckpt.MANIFEST).unlink()
    DAMAGE[damage](newest)
    with pytest.warns(UserWarning, match=r"step_000004.*Resuming from the newest intact checkpoint, .*step_000002"):
        trainer = Trainer.resume(run)
    _assert_resumed_from_step_2(trainer, run)


def test_every_checkpoint_damaged_is_one_line_naming_each(run, capsys):
    (run / "checkpoints" / "step_000004" / "state.pt").write_bytes(b"")
    _rewrite_weights(run / "checkpoints" / "step_000002" / "generator.safetensors", _nan)
    assert main(["train", "--out", str(run), "--resume"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "no intact checkpoint" in err, err
    assert "step_000004/state.pt" in err and "step_000002/generator.safetensors" in err, err


def test_a_step_folder_that_is_a_symlink_is_skipped(run, tmp_path):
    newest = run / "checkpoints" / "step_000004"
    newest.rename(tmp_path / "elsewhere")
    newest.symlink_to(tmp_path / "elsewhere")
    with pytest.warns(UserWarning, match=r"step_000004: is a symbolic link"):
        trainer = Trainer.resume(run)
    assert trainer.step == 2
    trainer.fit(4)  # the next save replaces the link with a real folder
    assert (run / "checkpoints" / "step_000004").is_dir() and not (run / "checkpoints" / "step_000004").is_symlink()


def test_checkpoints_that_is_a_file_is_one_line(scenes, tmp_path, capsys):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "checkpoints").write_text("x")
    argv = ["train", "--data", str(scenes), "--out", str(tmp_path / "run"), "--resume", "--no-vgg"]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "checkpoints: is a file, not a folder" in err, err


# -- one training at a time in a run folder --------------------------------------------------------------
def _holder(run) -> subprocess.Popen:
    """Another process holding the run folder, as a training running in another terminal would."""
    code = (
        "import sys, time; from playground_lib.process_lock import hold\n"
        "with hold(sys.argv[1], 'training'):\n    print('held', flush=True); time.sleep(60)"
    )
    process = subprocess.Popen([sys.executable, "-c", code, str(run)], stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "held"
    return process


def test_a_second_training_in_the_same_run_folder_is_refused_naming_the_first(run, capsys):
    holder = _holder(run)
    try:
        before = sorted(p.name for p in (run / "checkpoints").iterdir())
        assert main(["train", "--out", str(run), "--resume", "--steps", "6", "--quiet"]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1, err
        assert "another training holds" in err and f"process {holder.pid}" in err and str(run) in err, err
        assert sorted(p.name for p in (run / "checkpoints").iterdir()) == before  # its saves untouched
    finally:
        holder.kill()
        holder.wait()
    # the holder died without letting go: its lock is stale, and the next training takes it over
    assert main(["train", "--out", str(run), "--resume", "--steps", "5", "--quiet"]) == 0
    assert not list(run.glob(".*.lock"))


def test_a_notebook_resuming_a_held_run_folder_is_refused_before_it_touches_the_saves(run, scenes):
    from playground_lib.process_lock import FolderLocked

    unfinished = run / "checkpoints" / ".step_000006.writing"  # the holder's save in progress
    unfinished.mkdir()
    holder = _holder(run)
    try:
        with pytest.raises(FolderLocked, match=rf"another training holds this folder \(process {holder.pid} "):
            Trainer.start_or_resume(tiny(scenes, run, steps=6))
        trainer = Trainer(tiny(scenes, run, steps=6))  # a fresh start over it: refused when it would train
        with pytest.raises(FolderLocked, match="another training holds this folder"):
            trainer.fit()
        assert unfinished.is_dir()
    finally:
        holder.kill()
        holder.wait()


def test_a_full_disk_during_a_checkpoint_save_is_one_line_and_leaves_no_half_save(tmp_path):
    """Under ``ulimit -f`` (as on a full disk) the save stops with OutputError naming it; nothing half-written."""
    code = (
        "import resource, sys, torch\n"
        "from playground_lib.train import checkpoint as ckpt\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (20000, 20000))\n"
        "weights = {n: {'w': torch.ones(100_000)} for n in ckpt.WEIGHT_FILES}\n"
        "try:\n"
        "    ckpt.save_checkpoint(sys.argv[1], 2, weights, {'step': 2})\n"
        "except ValueError as exc:\n"
        "    print(type(exc).__name__, exc)\n"
    )
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("OutputError ") and "file too large" in result.stdout, result.stdout
    assert sorted(p.name for p in (tmp_path / "checkpoints").iterdir()) == []
