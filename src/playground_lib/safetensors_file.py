"""A ``.safetensors`` file with text metadata: the one way this library reads and writes one.

The SPADE generator file (``spade.generator_file``) and the pix2pix model (``pix2pix.train``)
both keep their weights this way, with what rebuilds the network in the metadata. Writing goes
through Python (``fileio.write_bytes``), atomically, so that a full disk is an ``OSError`` naming
the file rather than an error from inside safetensors' Rust code.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import torch

from .fileio import write_bytes

State = dict[str, torch.Tensor]
Shapes = dict[str, tuple[int, ...]]


def read_safetensors(
    path: str | os.PathLike, what: Literal["tensors", "shapes", "none"] = "tensors"
) -> tuple[dict, dict[str, str]]:
    """(tensors, or their shapes from the header alone, or nothing; metadata) of a file.

    Raises FileNotFoundError for a missing file and ValueError naming it for anything else.
    """
    from safetensors import safe_open

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such weights file")
    try:
        with safe_open(str(path), framework="pt") as f:
            metadata = dict(f.metadata() or {})
            keys = list(f.keys()) if what != "none" else []
            if what == "shapes":
                content: dict = {key: tuple(f.get_slice(key).get_shape()) for key in keys}
            else:
                content = {key: f.get_tensor(key) for key in keys}
    except Exception as exc:
        raise ValueError(f"{path}: not a readable safetensors file ({exc})") from exc
    return content, metadata


def write_safetensors(path: str | os.PathLike, tensors: State, metadata: dict[str, str]) -> Path:
    """Write tensors and metadata atomically (a crash leaves the old file or none)."""
    from safetensors.torch import save

    return write_bytes(path, save({k: v.contiguous() for k, v in tensors.items()}, metadata=metadata))
