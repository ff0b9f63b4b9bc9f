"""Checkpoints that survive a disconnect: all-or-nothing folders and a pointer file.

A checkpoint is a folder ``step_000500/`` holding the weights as safetensors (``generator``,
``generator_ema``, ``discriminator``) and ``state.pt``: optimiser moments, step, random-number
states, config and loss history (tensors and plain numbers only, read back with
``torch.load(weights_only=True)``). The folder is written under a temporary name and renamed in
one go; only then does ``latest.json`` (written atomically) point at it. A Colab runtime that
dies mid-save leaves the previous checkpoint intact and pointed to.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors.torch import load_file, save_file

from ..fileio import write_json

POINTER = "latest.json"
WEIGHT_FILES = ("generator", "generator_ema", "discriminator")


def rng_state() -> dict[str, Any]:
    """Every random-number generator the trainer touches, as tensors and plain numbers."""
    state = {"torch": torch.get_rng_state(), "python": _py_state(random.getstate())}
    kind, keys, pos, has_gauss, gauss = np.random.get_state()
    state["numpy"] = {
        "keys": torch.from_numpy(keys.astype(np.int64)),
        "pos": int(pos),
        "has_gauss": int(has_gauss),
        "gauss": float(gauss),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    torch.set_rng_state(state["torch"])
    version, internal, gauss = state["python"]
    random.setstate((version, tuple(internal), gauss))
    n = state["numpy"]
    np.random.set_state(("MT19937", n["keys"].numpy().astype(np.uint32), n["pos"], n["has_gauss"], n["gauss"]))
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def _py_state(state):
    version, internal, gauss = state
    return [version, list(internal), gauss]


def _contiguous(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    return {k: v.detach().contiguous().cpu() for k, v in state.items()}


def save_checkpoint(
    out_dir: str | Path, step: int, weights: dict[str, dict[str, torch.Tensor]], state: dict[str, Any], keep: int = 2
) -> Path:
    """Write ``out_dir/checkpoints/step_NNNNNN`` all at once, point ``latest.json`` at it, prune old ones."""
    root = Path(out_dir) / "checkpoints"
    root.mkdir(parents=True, exist_ok=True)
    final = root / f"step_{step:06d}"
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=root))
    try:
        for name, tensors in weights.items():
            save_file(_contiguous(tensors), str(tmp / f"{name}.safetensors"))
        torch.save(state, tmp / "state.pt")
        if final.exists():
            shutil.rmtree(final)
        os.replace(tmp, final)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    write_json(root / POINTER, {"step": step, "folder": final.name})
    kept = sorted(p for p in root.glob("step_*") if p.is_dir())
    for old in kept[:-keep] if keep > 0 else []:
        shutil.rmtree(old, ignore_errors=True)
    return final


def latest_checkpoint(out_dir: str | Path) -> Path | None:
    """The folder ``latest.json`` points at, or None when the run has not saved one yet."""
    root = Path(out_dir) / "checkpoints"
    pointer = root / POINTER
    if not pointer.exists():
        return None
    try:
        folder = json.loads(pointer.read_text(encoding="utf-8"))["folder"]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise ValueError(f"{pointer}: not a checkpoint pointer ({exc})") from None
    path = (root / folder).resolve()
    if not path.is_relative_to(root.resolve()) or not path.is_dir():
        raise ValueError(f"{pointer}: points at {folder!r}, which is not a checkpoint folder inside {root}")
    return path


def load_checkpoint(folder: str | Path) -> tuple[dict[str, dict[str, torch.Tensor]], dict[str, Any]]:
    folder = Path(folder)
    weights = {}
    for name in WEIGHT_FILES:
        path = folder / f"{name}.safetensors"
        if not path.exists():
            raise FileNotFoundError(f"{path}: missing from the checkpoint")
        weights[name] = load_file(str(path))
    state = torch.load(folder / "state.pt", map_location="cpu", weights_only=True)
    return weights, state
