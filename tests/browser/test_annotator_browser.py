"""Real browser: click a polygon onto a bundled picture in notebook 01, pick a label, save, load it in labelme."""

from __future__ import annotations

import json

import pytest
from lab_session import notebook_in_chromium, run_in_kernel, screenshot

pytestmark = pytest.mark.browser

# Corners of the climbing frame in scene_0000 (image pixels of the 256x256 picture).
POLYGON = [(42.0, 120.0), (112.0, 120.0), (114.0, 198.0), (40.0, 198.0)]


def test_annotator_clicks_become_a_labelme_polygon(tmp_path):
    labelme = pytest.importorskip("labelme")
    with notebook_in_chromium("01_annotate_playgrounds.ipynb", tmp_path) as (page, kernel, workdir):
        canvas = page.locator("canvas.playground-annotator-canvas, .playground-annotator-canvas canvas").first
        canvas.scroll_into_view_if_needed()
        box = canvas.bounding_box()
        # The picture is drawn at annotator.scale on a canvas that may be larger than the picture.
        width, height, scale = json.loads(
            run_in_kernel(
                kernel,
                "import json; print(json.dumps([annotator.canvas.width, annotator.canvas.height, annotator.scale]))",
            )
        )

        def to_page(x, y):
            return box["x"] + x * scale * box["width"] / width, box["y"] + y * scale * box["height"] / height

        page.locator(".playground-annotator-label select").first.select_option("plaything")
        for x, y in POLYGON:
            page.mouse.click(*to_page(x, y))
        screenshot(page, "annotator_drawing.png", canvas)
        page.mouse.click(*to_page(*POLYGON[0]))  # back on the first point: closes the polygon
        page.locator("button.playground-annotator-save").first.click()
        page.wait_for_function(
            "() => document.querySelector('.playground-annotator-status').innerText.includes('saved')"
        )
        screenshot(page, "annotator_saved.png")
        state = json.loads(
            run_in_kernel(kernel, "print(json.dumps([[s.label, s.points] for s in annotator.session.shapes]))")
        )
        saved = run_in_kernel(kernel, "print(annotator.session.state.json_path)").strip()  # in the working folder
        label_file = labelme.LabelFile(filename=str(saved))

    assert len(state) == 1 and state[0][0] == "plaything"
    assert [s["label"] for s in label_file.shapes] == ["plaything"]
    shape = label_file.shapes[0]
    assert shape["shape_type"] == "polygon" and len(shape["points"]) == len(POLYGON)
    for (x, y), (ex, ey) in zip(shape["points"], POLYGON):
        assert abs(x - ex) <= 1.0 and abs(y - ey) <= 1.0, (shape["points"], POLYGON)
