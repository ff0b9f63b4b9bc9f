"""Checkpoints that survive a disconnect: all-or-nothing folders and a pointer file.

A checkpoint is a folder ``step_000500/`` holding the weights as safetensors (``generator``,
``generator_ema``, ``discriminator``) and ``state.pt``: optimiser moments, step, random-number
states, config and loss history (tensors and plain numbers only, read back with
``torch.load(weights_only=True)``). The folder is written under a temporary name and renamed in
one go; only then does ``latest.json`` (written atomically) point at it. A Colab runtime that
dies mid-save leaves the previous checkpoint intact and pointed to; the next save clears the
temporary folder it left. A checkpoint damaged afterwards (a truncated copy from Drive, a full
disk) is skipped with a warning by ``load_newest_intact``, which falls back to the one before.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors.torch import load_file, save_file

from ..fileio import new_folder_mode, write_json

POINTER = "latest.json"
WEIGHT_FILES = ("generator", "generator_ema", "discriminator")
STATE_KEYS = ("step", "opt_g", "opt_d", "scaler_g", "scaler_d", "rng", "config")


class CheckpointError(ValueError):
    """A checkpoint that cannot be read back: names the file and what is wrong with it."""


def rng_state() -> dict[str, Any]:
    """Every random-number generator the trainer touches, as tensors and plain numbers."""
    state: dict[str, Any] = {"torch": torch.get_rng_state(), "python": _py_state(random.getstate())}
    kind, keys, pos, has_gauss, gauss = np.random.get_state(legacy=True)
    state["numpy"] = {
        "keys": torch.from_numpy(np.asarray(keys).astype(np.int64)),
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
    remove_unfinished_saves(root)
    final = root / f"step_{step:06d}"
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=root))
    try:
        for name, tensors in weights.items():
            save_file(_contiguous(tensors), str(tmp / f"{name}.safetensors"))
        torch.save(state, tmp / "state.pt")
        tmp.chmod(new_folder_mode())  # mkdtemp's 0700 would hide the run from the rest of a shared Drive
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


def remove_unfinished_saves(root: str | Path) -> None:
    """Delete the temporary folders of saves that were killed half-way (tens of MB each)."""
    for tmp in Path(root).glob(".step_*"):
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)


def has_checkpoint(out_dir: str | Path) -> bool:
    """Whether ``out_dir`` holds any checkpoint, intact or not (a pointer or a step folder)."""
    root = Path(out_dir) / "checkpoints"
    return (root / POINTER).exists() or any(p.is_dir() for p in root.glob("step_*"))


def latest_checkpoint(out_dir: str | Path) -> Path | None:
    """The folder ``latest.json`` points at, or None when the run has not saved one yet."""
    root = Path(out_dir) / "checkpoints"
    pointer = root / POINTER
    if not pointer.exists():
        return None
    try:
        folder = json.loads(pointer.read_text(encoding="utf-8"))["folder"]
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError) as exc:
        raise CheckpointError(f"{pointer}: not a checkpoint pointer ({type(exc).__name__}: {exc})") from None
    if not isinstance(folder, str) or not folder:
        raise CheckpointError(
            f"{pointer}: 'folder' should name a checkpoint folder like \"step_000500\", got {folder!r}"
        )
    path = (root / folder).resolve()
    if not path.is_relative_to(root.resolve()) or not path.is_dir():
        raise CheckpointError(f"{pointer}: points at {folder!r}, which is not a checkpoint folder inside {root}")
    return path


def load_checkpoint(folder: str | Path) -> tuple[dict[str, dict[str, torch.Tensor]], dict[str, Any]]:
    """Weights and state of one checkpoint folder; ``CheckpointError`` names the damaged file."""
    folder = Path(folder)
    weights = {}
    for name in WEIGHT_FILES:
        path = folder / f"{name}.safetensors"
        if not path.exists():
            raise CheckpointError(f"{path}: missing from the checkpoint")
        try:
            weights[name] = load_file(str(path))
        except Exception as exc:  # safetensors raises its own error type for truncated or foreign files
            raise CheckpointError(f"{path}: not a readable safetensors file ({exc})") from None
    path = folder / "state.pt"
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise CheckpointError(f"{path}: missing from the checkpoint") from None
    except Exception as exc:  # truncated zip, foreign pickle: torch raises several kinds
        raise CheckpointError(f"{path}: damaged ({type(exc).__name__}: {str(exc).splitlines()[0]})") from None
    missing = [k for k in STATE_KEYS if not isinstance(state, dict) or k not in state]
    if missing:
        raise CheckpointError(f"{path}: not a training state (missing {', '.join(missing)})")
    return weights, state


def load_modules(folder: str | Path, weights: dict[str, dict[str, torch.Tensor]], modules: dict[str, Any]) -> None:
    """Put each saved weight file into its module (``{"generator": net, ...}``); ValueError names a misfit."""
    for name, module in modules.items():
        try:
            module.load_state_dict(weights[name])
        except RuntimeError as exc:
            raise ValueError(
                f"{folder}/{name}.safetensors: does not fit this model ({str(exc).splitlines()[0]})"
            ) from None


def history_to_state(history: list[dict[str, float]]) -> dict[str, list[float]]:
    """Loss records (one dict per step) as columns of plain numbers, what ``state.pt`` can hold weights-only."""
    keys = history[0] if history else {}
    return {k: [h.get(k, float("nan")) for h in history] for k in keys}


def history_from_state(state: dict[str, Any]) -> list[dict[str, float]]:
    """The loss records back from a saved state's columns (``step`` as an int)."""
    columns = state.get("history") or {}
    keys = list(columns)
    rows = len(columns[keys[0]]) if keys else 0
    return [{k: (int(columns[k][i]) if k == "step" else float(columns[k][i])) for k in keys} for i in range(rows)]


def load_newest_intact(
    out_dir: str | Path,
) -> tuple[Path, dict[str, dict[str, torch.Tensor]], dict[str, Any]]:
    """The newest checkpoint that reads back whole: ``latest.json``'s, else the step folders, newest first.

    A damaged checkpoint must not end a run that has an intact one before it: each one skipped is
    reported in a warning naming the file, and ``CheckpointError`` lists them all when none is left.
    """
    root = Path(out_dir) / "checkpoints"
    problems: list[str] = []
    candidates: list[Path] = []
    try:
        pointed = latest_checkpoint(out_dir)
        if pointed is not None:
            candidates.append(pointed)
    except CheckpointError as exc:
        problems.append(str(exc))
    steps = sorted((p.resolve() for p in root.glob("step_*") if p.is_dir()), key=lambda p: p.name, reverse=True)
    candidates += [p for p in steps if p not in candidates]
    for folder in candidates:
        try:
            weights, state = load_checkpoint(folder)
        except CheckpointError as exc:
            problems.append(str(exc))
            continue
        if problems:
            warnings.warn(f"{'; '.join(problems)}. Resuming from the newest intact checkpoint, {folder}", stacklevel=2)
        return folder, weights, state
    if not problems:
        raise CheckpointError(f"{root}: no checkpoint to resume from")
    raise CheckpointError(f"{root}: no intact checkpoint to resume from: {'; '.join(problems)}")
