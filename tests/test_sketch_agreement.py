"""The measure of how much of the sketch a picture keeps: exact on known maps, and the reader loads offline."""

from __future__ import annotations

import numpy as np
import pytest

from playground_lib.labels import OTHER, ade20k_value
from playground_lib.sketch_agreement import ReaderUnavailable, agreement, load_reader

GRASS, SKY, SAND = (ade20k_value(n) for n in ("grass", "sky", "sand"))


def test_agreement_counts_sketched_pixels_and_leaves_other_out():
    sketch = np.full((4, 4), GRASS, dtype=np.uint8)
    sketch[:2] = SKY
    sketch[0, 0] = OTHER  # asks for nothing: never counted
    read = sketch.copy()
    read[0, 0] = SAND
    read[3, :2] = SAND  # 2 of the 15 sketched pixels read wrong
    result = agreement(sketch, read)
    assert result.pixel_share == pytest.approx(13 / 15)
    assert result.per_class[SKY] == pytest.approx(1.0)
    assert result.per_class[GRASS] == pytest.approx(6 / 8)
    assert result.mean_iou == pytest.approx((1.0 + 6 / 8) / 2)
    assert "87% of the sketched pixels" in str(result)


def test_agreement_refuses_mismatched_or_empty_maps():
    with pytest.raises(ValueError, match="must match"):
        agreement(np.ones((2, 2), np.uint8), np.ones((3, 2), np.uint8))
    with pytest.raises(ValueError, match="nothing to read back"):
        agreement(np.zeros((2, 2), np.uint8), np.zeros((2, 2), np.uint8))


def test_reader_loads_from_a_folder_and_reads_ade20k_values(tiny_reader):
    reader = load_reader(tiny_reader)
    picture = np.random.default_rng(0).integers(0, 256, (40, 60, 3), dtype=np.uint8)
    read = reader(picture)
    assert read.shape == (40, 60) and read.dtype == np.uint8
    assert read.min() >= 1 and read.max() <= 150
    assert np.array_equal(read, reader(picture))


def test_reader_offline_is_one_line(monkeypatch, tmp_path):
    with pytest.raises(ReaderUnavailable, match="nobody-here/no-reader") as info:
        load_reader("nobody-here/no-reader")
    assert "\n" not in str(info.value)
    with pytest.raises(ReaderUnavailable, match="no config.json"):
        load_reader(tmp_path)
    with pytest.raises(ReaderUnavailable, match="no-such-drive/segmenter: no such folder"):  # not sent to the hub
        load_reader(str(tmp_path / "no-such-drive" / "segmenter"))
