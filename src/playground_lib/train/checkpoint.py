"""Checkpoints that survive a disconnect: all-or-nothing folders and a pointer file.

A checkpoint is a folder ``step_000500/`` holding the weights as safetensors (``generator``,
``generator_ema``, ``discriminator``) and ``state.pt``: optimiser moments, step, random-number
states, config and loss history (tensors and plain numbers only, read back with
``torch.load(weights_only=True)``). The folder is written under a temporary name and renamed in
one go; only then does ``latest.json`` (written atomically) point at it. A Colab runtime that
dies mid-save leaves the previous checkpoint intact and pointed to; the next save clears the
temporary folder it left. A checkpoint damaged afterwards (a truncated copy from Drive, a full
disk) is skipped with a warning by ``load_newest_intact``, which falls back to the one before.

A checkpoint proves itself: ``manifest.json`` keeps the SHA-256 of each file and the dtype and
shape of each weight, written with it. A file that no longer matches its digest, a tensor that is
not finite or not of its saved dtype and shape, a step that is not a non-negative whole number:
each makes the checkpoint "damaged", never a run that trains on silently from broken state.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors.torch import load as load_safetensors
from safetensors.torch import save as safetensors_bytes

from ..error_line import first_line
from ..fileio import new_folder_mode, output_failures, read_json, write_json

POINTER = "latest.json"
MANIFEST = "manifest.json"
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
        digests = {}
        with output_failures(final):  # written by Python one file at a time: a full disk is one line
            for name, tensors in weights.items():
                digests[f"{name}.safetensors"] = _write_hashed(
                    tmp / f"{name}.safetensors", safetensors_bytes(_contiguous(tensors))
                )
            buffer = io.BytesIO()
            torch.save(state, buffer)
            digests["state.pt"] = _write_hashed(tmp / "state.pt", buffer.getbuffer())
            del buffer
            manifest = {
                "step": step,
                "sha256": digests,
                "tensors": {name: _layout(tensors) for name, tensors in weights.items()},
            }
            write_json(tmp / MANIFEST, manifest)
        tmp.chmod(new_folder_mode())  # mkdtemp's 0700 would hide the run from the rest of a shared Drive
        if final.is_symlink() or final.is_file():
            final.unlink()
        elif final.exists():
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


def _write_hashed(path: Path, data: bytes | memoryview) -> str:
    """Write ``data`` to ``path``; its SHA-256, kept in the manifest (only one file's bytes are in memory at a time)."""
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def _layout(tensors: dict[str, torch.Tensor]) -> dict[str, list]:
    """Each tensor's dtype and shape, as saved: what a loaded file must still have."""
    return {key: [str(value.dtype).removeprefix("torch."), list(value.shape)] for key, value in tensors.items()}


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
    if (root / folder).is_symlink():
        raise CheckpointError(f"{root / folder}: is a symbolic link, not a checkpoint folder")
    path = (root / folder).resolve()
    if not path.is_relative_to(root.resolve()) or not path.is_dir():
        raise CheckpointError(f"{pointer}: points at {folder!r}, which is not a checkpoint folder inside {root}")
    return path


def load_checkpoint(folder: str | Path) -> tuple[dict[str, dict[str, torch.Tensor]], dict[str, Any]]:
    """Weights and state of one checkpoint folder, checked whole; ``CheckpointError`` names the damaged file."""
    folder = Path(folder)
    if folder.is_symlink():
        raise CheckpointError(f"{folder}: is a symbolic link, not a checkpoint folder")
    manifest = _read_manifest(folder)
    weights = {}
    for name in WEIGHT_FILES:
        path = folder / f"{name}.safetensors"
        data = _read_checked(path, manifest)
        try:
            weights[name] = load_safetensors(data)
        except Exception as exc:  # safetensors raises its own error type for truncated or foreign files
            raise CheckpointError(f"{path}: not a readable safetensors file ({first_line(exc)})") from None
        expected = manifest["tensors"].get(name) if manifest else None
        _check_weights(path, weights[name], expected)
    path = folder / "state.pt"
    data = _read_checked(path, manifest)
    try:
        state = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except Exception as exc:  # truncated zip, foreign pickle: torch raises several kinds
        raise CheckpointError(f"{path}: damaged ({first_line(exc)})") from None
    _check_state(path, state, manifest)
    return weights, state


def _read_manifest(folder: Path) -> dict | None:
    """The digests and layouts saved with the checkpoint; None for one written before they were kept."""
    path = folder / MANIFEST
    if not path.exists():
        return None
    try:
        manifest = read_json(path)
        if not (isinstance(manifest["sha256"], dict) and isinstance(manifest["tensors"], dict)):
            raise TypeError("sha256 and tensors must be objects")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CheckpointError(f"{path}: damaged ({first_line(exc)})") from None
    return manifest


def _read_checked(path: Path, manifest: dict | None) -> bytes:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CheckpointError(f"{path}: missing from the checkpoint") from None
    except OSError as exc:
        raise CheckpointError(f"{path}: cannot be read ({first_line(exc)})") from None
    if manifest is not None and hashlib.sha256(data).hexdigest() != manifest["sha256"].get(path.name):
        raise CheckpointError(f"{path}: damaged (its SHA-256 differs from the one saved with it)")
    return data


def _check_weights(path: Path, tensors: dict[str, torch.Tensor], expected: dict | None) -> None:
    if expected is not None and _layout(tensors) != expected:
        changed = sorted(set(expected).symmetric_difference(tensors)) or [
            k for k in tensors if _layout({k: tensors[k]})[k] != expected[k]
        ]
        raise CheckpointError(f"{path}: damaged ({changed[0]} is not of the dtype and shape saved)")
    for key, value in tensors.items():
        if not value.is_floating_point() and not key.endswith("num_batches_tracked"):
            raise CheckpointError(f"{path}: damaged ({key} holds {value.dtype} numbers, not floats)")
        if value.is_floating_point() and not torch.isfinite(value).all():
            raise CheckpointError(f"{path}: damaged ({key} holds NaN or infinite values)")


def _check_state(path: Path, state: Any, manifest: dict | None) -> None:
    missing = [k for k in STATE_KEYS if not isinstance(state, dict) or k not in state]
    if missing:
        raise CheckpointError(f"{path}: not a training state (missing {', '.join(missing)})")
    step = state["step"]
    if isinstance(step, bool) or not isinstance(step, int) or step < 0:
        raise CheckpointError(f"{path}: damaged (step should be a whole number >= 0, got {step!r})")
    if manifest is not None and manifest.get("step") != step:
        raise CheckpointError(f"{path}: damaged (step {step}, but the checkpoint was saved at {manifest.get('step')})")
    if not isinstance(state["config"], dict):
        raise CheckpointError(f"{path}: damaged (config is not a set of settings)")
    for where, value in _tensors_in(state):
        if value.is_floating_point() and not torch.isfinite(value).all():
            raise CheckpointError(f"{path}: damaged ({where} holds NaN or infinite values)")


def _tensors_in(value: Any, where: str = "state") -> list[tuple[str, torch.Tensor]]:
    """Every tensor inside nested dicts and lists, with where it sits (``opt_g.state.0.exp_avg``)."""
    if isinstance(value, torch.Tensor):
        return [(where, value)]
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list | tuple) else []
    return [found for key, item in items for found in _tensors_in(item, f"{where}.{key}")]


def load_modules(folder: str | Path, weights: dict[str, dict[str, torch.Tensor]], modules: dict[str, Any]) -> None:
    """Put each saved weight file into its module (``{"generator": net, ...}``); a misfit is a ``CheckpointError``
    naming the file (a damaged checkpoint, which resuming falls back from)."""
    for name, module in modules.items():
        try:
            module.load_state_dict(weights[name])
        except RuntimeError as exc:
            raise CheckpointError(f"{folder}/{name}.safetensors: does not fit this model ({first_line(exc)})") from None


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
    problems: list[str] = []
    for folder, weights, state in intact_checkpoints(out_dir, problems):
        warn_skipped(problems, folder)
        return folder, weights, state
    raise none_intact(out_dir, problems)


def intact_checkpoints(
    out_dir: str | Path, problems: list[str]
) -> Iterator[tuple[Path, dict[str, dict[str, torch.Tensor]], dict[str, Any]]]:
    """Each checkpoint that reads back whole, newest first; why each other one was skipped goes to ``problems``.

    A caller that finds more wrong with one (weights that do not fit the model) adds that to
    ``problems`` and asks for the next.
    """
    root = Path(out_dir) / "checkpoints"
    candidates: list[Path] = []
    try:
        pointed = latest_checkpoint(out_dir)
        if pointed is not None:
            candidates.append(pointed)
    except CheckpointError as exc:
        problems.append(str(exc))
    steps = sorted(
        (p if p.is_symlink() else p.resolve() for p in root.glob("step_*") if p.is_dir()),
        key=lambda p: p.name,
        reverse=True,
    )
    candidates += [p for p in steps if p not in candidates]
    for folder in candidates:
        try:
            weights, state = load_checkpoint(folder)
        except CheckpointError as exc:
            problems.append(str(exc))
            continue
        yield folder, weights, state


def warn_skipped(problems: list[str], folder: Path) -> None:
    if problems:
        warnings.warn(f"{'; '.join(problems)}. Resuming from the newest intact checkpoint, {folder}", stacklevel=3)


def none_intact(out_dir: str | Path, problems: list[str]) -> CheckpointError:
    root = Path(out_dir) / "checkpoints"
    if not problems:
        return CheckpointError(f"{root}: no checkpoint to resume from")
    return CheckpointError(f"{root}: no intact checkpoint to resume from: {'; '.join(problems)}")
