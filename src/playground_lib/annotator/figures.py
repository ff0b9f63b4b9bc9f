"""Sample photos for notebook 01 (annotating playgrounds), kept out of the notebook so its cells stay short.

Its pictures are drawn by ``playground_lib.figures.annotation``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ..paths import data_dir


def sample_images(count: int = 3) -> list[Path]:
    """The first ``count`` bundled synthetic playground photos (not their label maps)."""
    folder = data_dir() / "synthetic"
    images = sorted(p for p in folder.glob("scene_*.png") if not p.stem.endswith(("_label", "_instance")))
    if len(images) < count:
        raise FileNotFoundError(f"{folder}: expected at least {count} bundled scenes, found {len(images)}")
    return images[:count]


def copy_sample_images(dest: str | os.PathLike, count: int = 3, fresh: bool = False) -> Path:
    """Copy bundled photos into ``dest`` to annotate there (the bundled folder stays untouched).

    Photos already in ``dest`` are kept, and so are their annotations: running the notebook
    again never throws away your work. ``fresh=True`` empties the folder first (for demos).
    """
    dest = Path(dest)
    if fresh and dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True, exist_ok=True)
    for image in sample_images(count):
        if not (dest / image.name).exists():
            shutil.copyfile(image, dest / image.name)
    return dest
