"""Tidying a label map into regions a generator (and a person) can read: no confetti, no specks.

A per-pixel vote over many sketches leaves ragged edges and thousands of specks where sketches
disagree; a GAN paints each speck as a smear of its class. Two steps make the layout legible:

* a **majority filter** (each pixel takes the most common class around it) smooths edges and
  removes most specks. PIL's ``ModeFilter`` does exactly this in C on an 8-bit image.
* **small regions are absorbed**: a connected region (4-neighbours, one class) smaller than
  ``min_pixels`` takes the class of the larger neighbour it shares the longest border with.

Connected regions are found with numpy alone (a union-find over runs of one class along each
row, with hooking and pointer jumping), so the library needs no scipy.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter


def majority_filter(labels: np.ndarray, size: int = 9, passes: int = 1) -> np.ndarray:
    """Each pixel takes the most common class in the ``size`` x ``size`` square around it.

    A pixel whose neighbourhood has no repeated class keeps its own. ``size`` is odd, >= 3.
    """
    if size < 3 or size % 2 == 0:
        raise ValueError(f"majority filter size must be odd and at least 3, got {size}")
    image = Image.fromarray(np.ascontiguousarray(labels, dtype=np.uint8))
    for _ in range(passes):
        image = image.filter(ImageFilter.ModeFilter(size))
    return np.asarray(image)


def _equal_neighbour_pairs(labels: np.ndarray, equal: bool) -> tuple[np.ndarray, np.ndarray]:
    """Flat indices (a, b) of horizontally and vertically adjacent pixels whose labels are (not) equal."""
    index = np.arange(labels.size).reshape(labels.shape)
    same_right = labels[:, :-1] == labels[:, 1:]
    same_down = labels[:-1] == labels[1:]
    if not equal:
        same_right, same_down = ~same_right, ~same_down
    a = np.concatenate([index[:, :-1][same_right], index[:-1][same_down]])
    b = np.concatenate([index[:, 1:][same_right], index[1:][same_down]])
    return a, b


def connected_regions(labels: np.ndarray) -> tuple[np.ndarray, int]:
    """(region id of every pixel, number of regions): 4-connected pixels of one class share an id.

    Works on runs (stretches of one class along a row), far fewer than pixels: runs touching
    vertically with the same class are joined with a union-find. Ids follow each region's first pixel.
    """
    labels = np.asarray(labels)
    height, width = labels.shape
    starts = np.ones((height, width), dtype=bool)
    starts[:, 1:] = labels[:, 1:] != labels[:, :-1]
    run = np.cumsum(starts.ravel()).reshape(height, width) - 1
    same_down = labels[:-1] == labels[1:]
    count = int(run[-1, -1]) + 1
    pairs = np.unique(run[:-1][same_down] * np.int64(count) + run[1:][same_down])
    region_of_run = _union_find(count, pairs // count, pairs % count)
    roots, region_of_run = np.unique(region_of_run, return_inverse=True)
    return region_of_run[run], len(roots)


def _union_find(count: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The root (smallest member) of every node 0..count-1 once the pairs (a, b) are joined."""
    parent = np.arange(count)
    while a.size:
        # Every node points at its root here; join each pair's roots, the larger under the smaller.
        root_a, root_b = parent[a], parent[b]
        apart = root_a != root_b
        a, b, root_a, root_b = a[apart], b[apart], root_a[apart], root_b[apart]
        np.minimum.at(parent, np.maximum(root_a, root_b), np.minimum(root_a, root_b))
        while True:  # pointer jumping until every node points at its root again
            grand = parent[parent]
            if np.array_equal(grand, parent):
                break
            parent = grand
    return parent


def absorb_small_regions(labels: np.ndarray, min_pixels: int, max_rounds: int = 30) -> np.ndarray:
    """A copy where every region smaller than ``min_pixels`` has joined a neighbouring region.

    Each small region takes the class of the neighbour, among those larger than itself, that it
    shares the longest border with (a speck inside grass becomes grass). Merging only ever goes
    towards larger regions, so two specks never swap classes back and forth.
    """
    labels = np.array(labels, dtype=np.uint8, copy=True)
    for _ in range(max_rounds):
        ids, count = connected_regions(labels)
        sizes = np.bincount(ids.ravel(), minlength=count)
        if count == 1 or sizes.min() >= min_pixels:
            break
        region_class = np.zeros(count, dtype=np.uint8)
        region_class[ids.ravel()] = labels.ravel()
        # Rank regions by (size, id), so "larger" is strict even between equal sizes.
        rank = np.empty(count, dtype=np.int64)
        rank[np.lexsort((np.arange(count), sizes))] = np.arange(count)
        a, b = _equal_neighbour_pairs(labels, equal=False)
        region_a, region_b = ids.ravel()[a], ids.ravel()[b]
        small, big = np.concatenate([region_a, region_b]), np.concatenate([region_b, region_a])
        keep = (sizes[small] < min_pixels) & (rank[big] > rank[small])
        pairs, border = np.unique(small[keep] * np.int64(count) + big[keep], return_counts=True)
        if pairs.size == 0:
            break
        small_u, big_u = pairs // count, pairs % count
        order = np.lexsort((border, small_u))  # by small region, longest border last
        last = np.r_[small_u[order][1:] != small_u[order][:-1], True]
        chosen_small, chosen_big = small_u[order][last], big_u[order][last]
        region_class[chosen_small] = region_class[chosen_big]
        labels = region_class[ids]
    return labels


def tidy_labels(labels: np.ndarray, smooth: int = 9, min_pixels: int = 1024) -> np.ndarray:
    """Majority filter (``smooth`` px, 0 for none), then regions under ``min_pixels`` absorbed (0 for none)."""
    tidy = majority_filter(labels, smooth) if smooth else np.asarray(labels, dtype=np.uint8)
    return absorb_small_regions(tidy, min_pixels) if min_pixels > 0 else tidy
