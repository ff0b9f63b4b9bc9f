"""Generator weights on disk: one format we write, plus the official NVlabs file we read.

We write one kind of file, a ``.safetensors`` whose metadata carries everything needed to use the
weights, so that nothing can be lost or mismatched on the way to Drive or a colleague (a JSON file
beside the weights could be). The metadata is text to text, so each entry is JSON:

* ``generator_config``: the ``GeneratorConfig`` that rebuilds the network;
* ``classes``: the ADE20K value each class channel reads (``null``: the official layout, channel v
  reads value v; see ``channels``);
* ``info``: anything else worth keeping: a description, how it was trained, its scores.

The one other input is NVIDIA's ``latest_net_G.pth``: a plain state dict read with
``torch.load(weights_only=True)``, whose config is read off the tensor shapes. Neither path ever
unpickles code.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path
from typing import Any

import torch

from ..error_line import first_line
from ..labels import NUM_ADE20K_CLASSES
from ..safetensors_file import Shapes, State, read_safetensors, write_safetensors
from .channels import FULL_NC
from .config import GeneratorConfig

CONFIG_KEY = "generator_config"
CLASSES_KEY = "classes"
INFO_KEY = "info"


def save_generator(
    path: str | os.PathLike,
    state: State,
    config: GeneratorConfig,
    classes: list[int] | None = None,
    half: bool = True,
    info: dict[str, Any] | None = None,
) -> Path:
    """Write the one generator format, atomically (a crash leaves the old file or none).

    ``half``: floating tensors in float16, half the size; pictures differ by about 1e-3 from the
    float32 weights, which nobody can see. Otherwise float32. Counters stay integers.
    """
    path = Path(path)
    classes = None if classes is None else [int(v) for v in classes]
    _check_classes(classes, config, str(path))
    dtype = torch.float16 if half else torch.float32
    tensors = {k: (v.detach().to(dtype) if v.is_floating_point() else v.detach()) for k, v in state.items()}
    metadata = {CONFIG_KEY: _compact_json(config.to_dict()), CLASSES_KEY: _compact_json(classes)}
    metadata[INFO_KEY] = _compact_json(info or {})
    write_safetensors(path, tensors, metadata)
    return path


def read_generator(path: str | os.PathLike) -> tuple[State, GeneratorConfig, list[int] | None]:
    """Tensors (as stored: float16 in half files), config and class list of a generator file.

    Reads our ``.safetensors`` or the official ``latest_net_G.pth``; errors name the file.
    """
    path = Path(path)
    if path.suffix != ".safetensors":
        state = _read_official(path)
        return state, infer_config(state, str(path)), None
    state, metadata = read_safetensors(path)
    return (state, *_our_config(metadata, path))


def read_generator_shapes(path: str | os.PathLike) -> tuple[Shapes, GeneratorConfig, list[int] | None]:
    """Tensor shapes, config and class list of a generator file, reading as little of it as it can.

    Checking a kept file's structure on every use must not cost a second load of 390 MB: a
    ``.safetensors`` gives its shapes from its header, a zip-format ``.pth`` from its index (memory
    mapped, weights-only: the tensors' bytes are never read). Only a ``.pth`` in PyTorch's old
    format (before 1.6) is read whole.
    """
    path = Path(path)
    if path.suffix != ".safetensors":
        shapes = {key: tuple(value.shape) for key, value in _read_official(path, mapped=True).items()}
        return shapes, infer_config(shapes, str(path)), None
    shapes, metadata = read_safetensors(path, "shapes")
    return (shapes, *_our_config(metadata, path))


def _our_config(metadata: dict[str, str], path: Path) -> tuple[GeneratorConfig, list[int] | None]:
    """The config and class list our metadata holds, checked against each other; refuses foreign files."""
    config = GeneratorConfig.from_dict(_metadata_entry(metadata, CONFIG_KEY, path), f"{path} metadata")
    classes = json.loads(metadata.get(CLASSES_KEY, "null"))  # absent in fp16 copies made before classes were kept
    _check_classes(classes, config, str(path))
    return config, classes


def read_generator_info(path: str | os.PathLike) -> dict[str, Any]:
    """The ``info`` of one of our generator files (description, training, scores), without its tensors."""
    path = Path(path)
    _, metadata = read_safetensors(path, "none")
    _metadata_entry(metadata, CONFIG_KEY, path)  # refuses files that are not ours
    return json.loads(metadata.get(INFO_KEY, "{}"))


def add_generator_info(path: str | os.PathLike, **entries: Any) -> None:
    """Add or replace entries of a generator file's ``info`` (e.g. a new score); tensors are untouched."""
    path = Path(path)
    tensors, metadata = read_safetensors(path)
    _metadata_entry(metadata, CONFIG_KEY, path)
    metadata[INFO_KEY] = _compact_json({**json.loads(metadata.get(INFO_KEY, "{}")), **entries})
    write_safetensors(path, tensors, metadata)


def infer_config(state: State | Shapes, source: str = "state dict") -> GeneratorConfig:
    """Read ngf, the input channels and "most" off the tensor shapes (crop 256, square otherwise).

    ``state``: tensors, or their shapes. "normal" and "more" have the same tensors; the official
    ADE20K model is "normal".
    """
    fc_shape = tuple(getattr(state["fc.weight"], "shape", state["fc.weight"])) if "fc.weight" in state else ()
    if len(fc_shape) != 4:
        raise ValueError(f"{source}: no fc.weight conv: not a SPADE generator without VAE (official layout)")
    out_channels, semantic_nc = fc_shape[:2]
    edges = semantic_nc == FULL_NC + 1
    return GeneratorConfig(
        label_nc=semantic_nc - int(edges),
        instance_edges=edges,
        ngf=out_channels // 16,
        num_upsampling_layers="most" if any(k.startswith("up_4.") for k in state) else "normal",
    )


def _read_official(path: Path, mapped: bool = False) -> State:
    """The state dict of a ``.pth``, weights-only; ``mapped``: memory-mapped, for its shapes alone."""
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such weights file")
    # The old format cannot be mapped (it is read whole), and a file system may refuse a mapping: then read.
    tries = [True, False] if mapped and zipfile.is_zipfile(path) else [False]
    for mmap in tries:
        try:
            state = torch.load(path, map_location="cpu", weights_only=True, mmap=mmap)
            break
        except Exception as exc:
            if mmap:
                continue
            if isinstance(exc, OSError):  # the disk or Drive failed to read: the file may be fine
                raise OSError(f"{path}: could not be read ({exc.strerror or exc})") from exc
            raise ValueError(f"{path}: not a readable PyTorch weights file ({_load_failure(exc)})") from exc
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise ValueError(f"{path}: expected a plain state dict of tensors (like NVlabs' latest_net_G.pth)")
    return {key.removeprefix("module."): value for key, value in state.items()}  # saved from DataParallel


def _load_failure(exc: Exception) -> str:
    """Why ``torch.load`` refused a file, in a line: its own message is a page that even suggests
    turning the safety off."""
    text = str(exc)
    if "Unsupported global" in text or "weights_only" in text and "GLOBAL" in text:
        return "it holds code or objects other than tensors, so it was not loaded: loading it could run code"
    line = first_line(exc, 100)
    if "Weights only load failed" in line or line == type(exc).__name__:  # the latter: no message at all
        return "damaged or not a PyTorch file"
    return line


def _compact_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _metadata_entry(metadata: dict[str, str], key: str, path: Path) -> Any:
    if key not in metadata:
        sidecar = path.with_suffix(".json")
        older = (
            f"; {sidecar.name} beside it is the older layout (config in a JSON file), which is no longer read"
            if sidecar.is_file()
            else ""
        )
        raise ValueError(
            f"{path}: no '{key}' in its safetensors metadata, so it is not a generator file saved by "
            f"playground_lib{older}. Save it again with playground_lib.spade.generator_file.save_generator."
        )
    try:
        return json.loads(metadata[key])
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: metadata '{key}' is not valid JSON ({exc})") from None


def _check_classes(classes: Any, config: GeneratorConfig, source: str) -> None:
    """A class list must name distinct ADE20K values, no more than the model has channels for."""
    if classes is None:
        return
    if (
        not isinstance(classes, list)
        or not all(isinstance(v, int) and 0 <= v <= NUM_ADE20K_CLASSES for v in classes)
        or len(set(classes)) != len(classes)
    ):
        raise ValueError(f"{source}: classes must be distinct ADE20K values 0..{NUM_ADE20K_CLASSES}, got {classes!r}")
    if len(classes) > config.label_nc:
        raise ValueError(f"{source}: {len(classes)} classes listed for a {config.label_nc}-channel model")
