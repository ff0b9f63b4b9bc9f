"""``playground_lib.parallel``: the same results on any number of workers; workers only on free cores."""

from __future__ import annotations

import os

import pytest

from playground_lib import parallel


def _square(value: int) -> int:
    return value * value


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_results_come_back_in_order_on_any_number_of_workers(workers):
    items = list(range(5 * parallel.ITEMS_PER_WORKER))
    assert list(parallel.map_on_all_cores(_square, items, workers=workers)) == [v * v for v in items]


@pytest.mark.parametrize(("load", "expected"), [(0.0, 4), (1.0, 4), (2.0, 3), (3.6, 1), (9.0, 1)])
def test_free_cores_leaves_out_the_cores_other_work_keeps_busy(monkeypatch, load, expected):
    monkeypatch.setattr(parallel, "usable_cores", lambda: 4)
    monkeypatch.setattr(os, "getloadavg", lambda: (load, load, load))
    assert parallel.free_cores() == expected
