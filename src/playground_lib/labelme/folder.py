"""A folder of labelme files: which files it holds, and copying some of them with their images.

labelme keeps one JSON file beside each image; a "labelme set" is simply such a folder.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from ..fileio import write_bytes
from .check import read_labelme


def labelme_files(labelme_dir: str | os.PathLike, exclude: Iterable[str | os.PathLike] = ()) -> list[Path]:
    """The ``*.json`` files directly in ``labelme_dir``, sorted by name."""
    folder = Path(labelme_dir)
    if not folder.is_dir():
        raise ValueError(f"{folder}: not a folder")
    skip = {Path(p).resolve() for p in exclude}
    return sorted(p for p in folder.glob("*.json") if p.resolve() not in skip)


def copy_labelme_files(
    source_dir: str | os.PathLike, target_dir: str | os.PathLike, count: int | None = None, overwrite: bool = True
) -> list[Path]:
    """Copy the first ``count`` labelme files of a folder, each with its image, into another folder.

    For trying things on a copy (the notebooks break a file on purpose) or on a smaller set.
    ``overwrite=False`` skips a file whose name the target already has (with its image), so that a
    participant's work on that picture survives.
    """
    source_dir, target_dir = Path(source_dir), Path(target_dir)
    copied = []
    for path in sorted(source_dir.glob("*.json"))[:count]:
        if not overwrite and (target_dir / path.name).exists():
            continue
        item = read_labelme(path, allow_outside=True)
        if item.image_path is not None:
            relative = item.image_path.relative_to(source_dir.resolve())
            write_bytes(target_dir / relative, item.image_path.read_bytes())
        copied.append(write_bytes(target_dir / path.name, path.read_bytes()))
    return copied
