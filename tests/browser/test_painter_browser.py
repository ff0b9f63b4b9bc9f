"""Real browser: in notebook 04, paint two strokes and a fill with the mouse, press Generate, check the label map."""

from __future__ import annotations

import pytest
from lab_session import drag, notebook_in_chromium, screenshot
from painter_page import PainterPage

pytestmark = pytest.mark.browser

GRASS_STROKE = [(30.0, 200.0), (120.0, 202.0), (225.0, 200.0)]  # sketch pixels of the 256x256 painter
TREE_STROKE = [(128.0, 60.0), (128.0, 230.0)]
FILL_AT = (20.0, 20.0)


def test_painter_strokes_and_fill_reach_the_python_label_map(tmp_path):
    with notebook_in_chromium("04_sketch_a_playground.ipynb", tmp_path) as (page, kernel, workdir):
        p = PainterPage(page, kernel, workdir, "lab")  # aims at the canvas where it is at each click
        to_page = p.to_page
        page.locator("button.playground-class-grass").first.click()
        drag(page, [to_page(*point) for point in GRASS_STROKE])
        page.locator("button.playground-class-tree").first.click()
        drag(page, [to_page(*point) for point in TREE_STROKE])
        screenshot(page, "painter_strokes.png", p.canvas)
        page.locator(".playground-painter-tool button", has_text="Fill").first.click()
        page.locator("button.playground-class-sky").first.click()
        page.mouse.click(*to_page(*FILL_AT))
        page.locator("button.playground-painter-generate").first.click()
        page.wait_for_function(
            "() => document.querySelector('.playground-painter-status').innerText.includes('generated')",
            timeout=180_000,
        )
        page.wait_for_function(
            "() => { const i = document.querySelector('img.playground-painter-result');"
            " return i && i.complete && i.naturalWidth > 0; }"
        )
        painter_area = page.locator(".playground-painter-canvas").first.locator(
            "xpath=ancestor::div[contains(@class,'jp-OutputArea-output')]"
        )
        screenshot(page, "painter_generated.png", painter_area.first)
        screenshot(page, "painter_page.png")
        state = p.ask(
            "{'counts': painter.class_counts(), 'row200': painter.labels[200].tolist(),"
            " 'col128': painter.labels[:, 128].tolist(), 'corner': int(painter.labels[5, 5]),"
            " 'has_result': painter.pad.result is not None}"
        )

    from playground_lib.labels import ade20k_value

    grass, tree, sky = ade20k_value("grass"), ade20k_value("tree"), ade20k_value("sky")
    row, col = state["row200"], state["col128"]
    assert all(v == grass for v in row[35:120]) and all(v == grass for v in row[136:220]), row
    assert all(v == tree for v in col[66:225]) and row[128] == tree, col  # the tree stroke crosses the grass
    assert row[2] == sky and col[2] == sky and state["corner"] == sky  # the fill reached the background
    assert set(state["counts"]) == {"sky", "grass", "tree"}, state["counts"]  # nothing left unpainted
    assert state["has_result"]
