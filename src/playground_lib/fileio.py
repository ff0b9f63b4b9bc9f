"""Writing files so that nothing is ever half-written.

Every output of the library goes through a temporary file in the destination folder and an
atomic rename: a crash, a full disk or a Colab disconnect leaves either the old file or the new
one, never a truncated PNG or JSON that breaks the next notebook.
"""

from __future__ import annotations

import contextlib
import json
import os
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


def read_json(path: str | os.PathLike) -> Any:
    """A JSON file's content; ValueError with a one-line reason for anything that is not JSON.

    Files from other tools and other people can be anything: not UTF-8, cut short, nested a
    hundred thousand levels deep (Python's parser then runs out of recursion), a number of
    thousands of digits. Each becomes a message instead of a traceback. FileNotFoundError passes.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")  # a byte-order mark (some Windows editors) is fine
    except FileNotFoundError:
        raise
    except UnicodeDecodeError as exc:
        raise ValueError(f"not a UTF-8 text file ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise ValueError(f"cannot be read ({exc.strerror or exc})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON (line {exc.lineno} column {exc.colno}: {exc.msg})") from None
    except RecursionError:
        raise ValueError("not valid JSON (nested too deeply)") from None
    except ValueError as exc:  # a number of more than 4,300 digits
        raise ValueError(f"not valid JSON ({exc})") from None
