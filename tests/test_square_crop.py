"""Issue 20 item 4: a participant sees which part of a wide photo the samples and scores look at."""

from __future__ import annotations

import json

import numpy as np

from playground_lib.figures.coco import show_square_crop
from playground_lib.fileio import write_png


def _spade_folder(root, sizes):
    """A SPADE folder whose validation pictures have the given (width, height) sizes."""
    names = []
    for i, (width, height) in enumerate(sizes):
        write_png(root / "images" / f"photo_{i}.png", np.full((height, width, 3), 90, np.uint8))
        write_png(root / "labels" / f"photo_{i}.png", np.full((height, width), 2, np.uint8))
        names.append(f"photo_{i}.png")
    (root / "dataset.json").write_text(json.dumps({"splits": {"train": names, "val": names}}))
    return root


def test_a_wide_photo_is_shown_with_its_middle_square(tmp_path, capsys):
    import matplotlib.pyplot as plt

    folder = _spade_folder(tmp_path, [(64, 64), (120, 80)])
    fig = show_square_crop(folder)
    assert "photo_1.png is 120 x 80" in capsys.readouterr().out
    (frame,) = [p for p in fig.axes[0].patches if not p.get_fill()]
    assert frame.get_xy() == (19.5, -0.5) and frame.get_width() == frame.get_height() == 80
    assert len(fig.axes[0].patches) == 3  # the frame and the two shaded sides
    plt.close(fig)


def test_square_pictures_say_nothing_is_cut(tmp_path, capsys):
    folder = _spade_folder(tmp_path, [(64, 64), (48, 48)])
    assert show_square_crop(folder) is None
    assert "is square: nothing is cut" in capsys.readouterr().out
