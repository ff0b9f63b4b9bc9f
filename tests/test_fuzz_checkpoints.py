"""Property-based fuzzing of checkpoint files: a resume is intact or a fallback with a warning, never silent.

Hypothesis damages the newest checkpoint of a tiny run: cuts a file short, flips bits, rewrites a
weight file (well formed) with NaN, infinite, integer or reshaped tensors, rewrites ``state.pt``
with another step, or edits the manifest. Reading the run back must then either give exactly the
newest checkpoint as it was saved (the damage changed nothing that matters, e.g. bits flipped
back) or fall back to the previous one with a warning naming the damaged file; any other
exception, or different weights without a warning, fails the test. Deterministic, 80 examples.
"""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from safetensors.torch import load_file, save_file

from playground_lib.train import TrainConfig, Trainer
from playground_lib.train import checkpoint as ckpt

torch.set_num_threads(1)
FUZZ = settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FILES = ["generator.safetensors", "generator_ema.safetensors", "discriminator.safetensors", "state.pt", "manifest.json"]


@pytest.fixture(scope="module")
def trained(scenes, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("fuzz_run") / "run"
    cfg = TrainConfig(
        data_dir=str(scenes), out_dir=str(out), load_size=32, crop_size=32, ngf=4, ndf=4, num_D=1, n_layers_D=2,
        batch_size=2, steps=4, sample_every=100, checkpoint_every=2, progress=False, use_vgg=False, seed=1,
    )  # fmt: skip
    Trainer(cfg).fit()
    return out


@pytest.fixture(scope="module")
def saved(trained) -> dict:
    root = trained / "checkpoints"
    return {name: ckpt.load_checkpoint(root / name)[0] for name in ("step_000004", "step_000002")}


def _edit_tensor(path: Path, key_index: int, kind: str) -> None:
    tensors = load_file(str(path))
    key = sorted(tensors)[key_index % len(tensors)]
    value = tensors[key]
    changed = {
        "nan": lambda: torch.full_like(value, float("nan")) if value.is_floating_point() else value + 1,
        "inf": lambda: torch.full_like(value, float("inf")) if value.is_floating_point() else value + 1,
        "int32": lambda: value.to(torch.int32),
        "float64": lambda: value.to(torch.float64),
        "reshape": lambda: value.reshape(-1),
        "shrink": lambda: value.flatten()[:-1] if value.numel() > 1 else torch.zeros(2),
        "drop": None,
    }[kind]
    if changed is None:
        del tensors[key]
    else:
        tensors[key] = changed().contiguous()
    save_file(tensors, str(path))


damages = st.one_of(
    st.tuples(st.just("truncate"), st.sampled_from(FILES), st.floats(0, 0.999)),
    st.tuples(st.just("flip"), st.sampled_from(FILES), st.lists(st.tuples(st.floats(0, 0.999), st.integers(0, 7)))),
    st.tuples(
        st.just("tensor"),
        st.sampled_from(FILES[:3]),
        st.tuples(
            st.integers(0, 10_000), st.sampled_from(["nan", "inf", "int32", "float64", "reshape", "shrink", "drop"])
        ),
    ),
    st.tuples(st.just("step"), st.just("state.pt"), st.sampled_from([-1, 0, 2, 3, 10**12, "4", 4.0, None, True])),
)


def _damage(folder: Path, damage) -> None:
    kind, name, how = damage
    path = folder / name
    if kind == "truncate":
        data = path.read_bytes()
        path.write_bytes(data[: int(len(data) * how)])
    elif kind == "flip":
        data = bytearray(path.read_bytes())
        for where, bit in how:
            data[int(len(data) * where)] ^= 1 << bit
        path.write_bytes(bytes(data))
    elif kind == "tensor":
        _edit_tensor(path, *how)
    else:
        state = torch.load(path, weights_only=True)
        state["step"] = how
        torch.save(state, path)


def _same(a: dict, b: dict) -> bool:
    return all(a[n].keys() == b[n].keys() and all(torch.equal(a[n][k], b[n][k]) for k in a[n]) for n in a)


@FUZZ
@given(damage=damages)
def test_any_damage_to_a_checkpoint_is_caught_or_harmless(trained, saved, tmp_path_factory, damage):
    run = tmp_path_factory.mktemp("damaged") / "run"
    shutil.copytree(trained / "checkpoints", run / "checkpoints")
    newest, previous = run / "checkpoints" / "step_000004", run / "checkpoints" / "step_000002"
    _damage(newest, damage)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        folder, weights, state = ckpt.load_newest_intact(run)
    messages = [str(w.message) for w in caught]
    if folder == newest:  # accepted: it must be exactly what was saved, and said nothing
        assert not messages and state["step"] == 4 and _same(weights, saved[newest.name]), damage
    else:
        assert folder == previous and state["step"] == 2 and _same(weights, saved[previous.name]), damage
        assert any("step_000004" in m and "newest intact checkpoint" in m for m in messages), messages
    shutil.rmtree(run.parent)
