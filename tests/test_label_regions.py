"""Tidying label maps: connected regions, the majority filter, absorbing specks."""

from __future__ import annotations

from collections import deque

import numpy as np
import pytest

from playground_lib.label_regions import absorb_small_regions, connected_regions, majority_filter, tidy_labels


def regions_by_search(labels: np.ndarray) -> np.ndarray:
    """Reference: breadth-first search from every unvisited pixel, 4-neighbours of one class."""
    height, width = labels.shape
    ids = np.full(labels.shape, -1)
    count = 0
    for y0 in range(height):
        for x0 in range(width):
            if ids[y0, x0] >= 0:
                continue
            ids[y0, x0] = count
            queue = deque([(y0, x0)])
            while queue:
                y, x = queue.popleft()
                for ny, nx in ((y + 1, x), (y - 1, x), (y, x + 1), (y, x - 1)):
                    if 0 <= ny < height and 0 <= nx < width and ids[ny, nx] < 0 and labels[ny, nx] == labels[y, x]:
                        ids[ny, nx] = count
                        queue.append((ny, nx))
            count += 1
    return ids


@pytest.mark.parametrize("seed, classes", [(0, 2), (1, 3), (2, 6)])
def test_connected_regions_match_a_breadth_first_search(seed, classes):
    labels = np.random.default_rng(seed).integers(0, classes, (23, 31)).astype(np.uint8)
    ids, count = connected_regions(labels)
    expected = regions_by_search(labels)
    assert count == expected.max() + 1
    assert np.array_equal(ids, expected)  # same ids too: both number regions by their first pixel


def test_regions_touching_only_at_corners_stay_apart():
    checker = (np.indices((4, 4)).sum(0) % 2).astype(np.uint8)
    assert connected_regions(checker)[1] == 16
    hook = np.array([[1, 1, 1, 1], [0, 0, 0, 1], [1, 1, 0, 1], [1, 0, 0, 1], [1, 1, 1, 1]], dtype=np.uint8)
    ids, count = connected_regions(hook)  # the 1s wind round the 0s and meet again at (2, 1)
    assert count == 2 and ids[2, 1] == ids[0, 0] != ids[1, 0] == ids[3, 1]


def test_majority_filter_removes_specks_and_keeps_big_shapes():
    labels = np.zeros((40, 40), dtype=np.uint8)
    labels[10:30, 10:30] = 5
    labels[3, 3] = 7  # a speck
    smooth = majority_filter(labels, 5)
    assert smooth[3, 3] == 0 and (smooth[14:26, 14:26] == 5).all()
    with pytest.raises(ValueError, match="odd"):
        majority_filter(labels, 4)


def test_small_regions_join_the_neighbour_they_share_most_border_with():
    labels = np.full((30, 30), 1, dtype=np.uint8)
    labels[:, 20:] = 2
    labels[5:8, 5:8] = 3  # a speck inside class 1
    labels[10:14, 17:20] = 3  # against class 2: 4 px of border with it, 3 + 3 + 4 with class 1
    labels[20:22, 18:24] = 4  # straddling the border: 2 + 2 + 2 px with class 1, 4 + 4 + 2 with class 2
    tidy = absorb_small_regions(labels, min_pixels=20)
    assert (tidy[5:8, 5:8] == 1).all()
    assert (tidy[10:14, 17:20] == 1).all()
    assert (tidy[20:22, 18:24] == 2).all()
    assert np.array_equal(tidy[:, :17], np.full((30, 17), 1))
    ids, count = connected_regions(tidy)
    assert np.bincount(ids.ravel()).min() >= 20 and count == 2
    unchanged = absorb_small_regions(labels, min_pixels=1)
    assert np.array_equal(unchanged, labels)


def test_confetti_everywhere_still_ends_in_regions_of_the_minimum_size():
    confetti = np.random.default_rng(3).integers(0, 5, (64, 80)).astype(np.uint8)
    tidy = tidy_labels(confetti, smooth=0, min_pixels=50)
    sizes = np.bincount(connected_regions(tidy)[0].ravel())
    assert sizes.min() >= 50
    assert set(np.unique(tidy)) <= set(range(5))
