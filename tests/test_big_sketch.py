"""A huge sketch costs what a small one does: it is shrunk (nearest) before its colours are read."""

from __future__ import annotations

import numpy as np
import pytest
from memory_guard import peak_kb_of_command

from playground_lib.fileio import read_png, write_png
from playground_lib.labels import ade20k_value, labels_to_colors
from playground_lib.sketch import read_sketch

BLOCK = 48  # 64 x 48 = 3072 pixels a side: reading it whole takes over a gigabyte


@pytest.fixture(scope="module")
def sketches(tmp_path_factory):
    """A 64 x 64 sketch of random class blocks, and the same drawing 48 times bigger."""
    folder = tmp_path_factory.mktemp("sketches")
    rng = np.random.default_rng(7)
    values = np.array([ade20k_value(name) for name in ("grass", "tree", "sky", "sand")])
    small = values[rng.integers(0, len(values), (64, 64))]
    big = np.kron(small, np.ones((BLOCK, BLOCK), dtype=small.dtype))
    write_png(folder / "small.png", labels_to_colors(small).astype(np.uint8))
    write_png(folder / "big.png", labels_to_colors(big).astype(np.uint8))
    return folder


def test_fit_width_shrinks_with_nearest_neighbour_and_keeps_the_classes(sketches):
    reading = read_sketch(sketches / "big.png", fit_width=64)
    np.testing.assert_array_equal(reading.labels, read_sketch(sketches / "small.png").labels)
    assert read_sketch(sketches / "small.png", fit_width=640).labels.shape == (64, 64)  # never enlarged


def _generate(sketch, out) -> int:
    """Peak memory (kB) of a ``playground generate`` process."""
    return peak_kb_of_command(["generate", str(sketch), str(out), "--bundled", "--size", "64"])


def test_a_huge_sketch_paints_the_same_picture_in_the_same_memory(sketches, tmp_path):
    small_peak = _generate(sketches / "small.png", tmp_path / "small.png")
    big_peak = _generate(sketches / "big.png", tmp_path / "big.png")
    np.testing.assert_array_equal(read_png(tmp_path / "big.png"), read_png(tmp_path / "small.png"))
    # The decoded 3072 x 3072 image itself is 28 MB; reading its colours at full size took 1.4 GB.
    assert big_peak < small_peak + 150_000, (small_peak, big_peak)
