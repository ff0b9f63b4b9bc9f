"""Writing files so that nothing is ever half-written.

Every output of the library goes through a temporary file in the destination folder and an
atomic rename: a crash, a full disk or a Colab disconnect leaves either the old file or the new
one, never a truncated PNG or JSON that breaks the next notebook.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image


@contextlib.contextmanager
def atomic_path(destination: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``destination``; rename it into place on success."""
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{destination.name}.", suffix=".tmp", dir=destination.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        tmp_path.chmod(_mode_for(destination))
        os.replace(tmp_path, destination)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


@contextlib.contextmanager
def atomic_dir(destination: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary folder beside ``destination``; on success it replaces ``destination`` whole.

    A folder that readers take as one thing (a training set) is never seen half-written; an old
    one stays until the new one is complete.
    """
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{destination.name}.", suffix=".tmp", dir=destination.parent))
    try:
        yield tmp
        tmp.chmod(0o777 & ~_umask())
        if destination.exists():
            old = destination.with_name(f".{destination.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(destination, old)
            os.replace(tmp, destination)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, destination)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


def _mode_for(destination: Path) -> int:
    """The mode a plain ``open(destination, "w")`` would leave: the old file's, else 0666 less the umask.

    ``mkstemp`` makes owner-only files, and the mode survives the rename: without this a dataset
    copied to a shared folder or served to a room would be unreadable to everyone else.
    """
    try:
        return stat.S_IMODE(destination.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_bytes(destination: str | os.PathLike, data: bytes) -> Path:
    with atomic_path(destination) as tmp:
        tmp.write_bytes(data)
    return Path(destination)


def write_text(destination: str | os.PathLike, text: str) -> Path:
    return write_bytes(destination, text.encode("utf-8"))


def write_json(destination: str | os.PathLike, obj: Any, indent: int | None = 2) -> Path:
    return write_text(destination, json.dumps(obj, indent=indent, ensure_ascii=False) + "\n")


def write_png(destination: str | os.PathLike, array: np.ndarray) -> Path:
    """Save an array as PNG: HxWx3 uint8 as RGB, HxW uint8 as L, HxW uint16 as 16-bit grey."""
    array = np.asarray(array)
    if array.dtype == np.uint16 and array.ndim != 2:
        raise ValueError(f"{destination}: 16-bit PNGs must be single-channel, got shape {array.shape}")
    if array.dtype not in (np.uint8, np.uint16):
        raise ValueError(f"{destination}: expected uint8 or uint16 pixels, got {array.dtype}")
    image = Image.fromarray(np.ascontiguousarray(array))
    with atomic_path(destination) as tmp:
        image.save(tmp, format="PNG", optimize=False)
    return Path(destination)


def read_png(path: str | os.PathLike) -> np.ndarray:
    """Read a label, instance or RGB PNG back to the array ``write_png`` was given."""
    path = Path(path)
    try:
        with Image.open(path) as image:
            if image.mode in ("I;16", "I;16B", "I"):
                return np.asarray(image).astype(np.uint16)
            if image.mode == "P":
                return np.asarray(image)
            if image.mode not in ("L", "RGB"):
                image = image.convert("RGB")
            return np.asarray(image).copy()
    except FileNotFoundError:
        raise
    except Exception as exc:  # PIL raises many kinds of errors for broken files
        raise ValueError(f"{path}: not a readable image ({exc})") from exc
