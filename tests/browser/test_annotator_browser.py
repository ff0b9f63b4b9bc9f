"""Real browser: click a polygon onto a practice picture in notebook 01, pick a label, save, load it in labelme.

The clicks are aimed at the canvas where it is when they are made (``WidgetPage``): JupyterLab 4
lays out the notebook's outputs above the canvas after it is scrolled to, and a position read
before that moved every click ~65 screen pixels (32 image pixels) up. The kernel itself receives
the pixel that was clicked.
"""

from __future__ import annotations

import pytest
from annotator_page import CANVAS, click_image, press, wait_for_status
from lab_session import WidgetPage, notebook_in_chromium

pytestmark = pytest.mark.browser

# Corners of the climbing frame in scene_0000 (image pixels of the 256x256 picture).
POLYGON = [(42.0, 120.0), (112.0, 120.0), (114.0, 198.0), (40.0, 198.0)]


def test_annotator_clicks_become_a_labelme_polygon(tmp_path):
    labelme = pytest.importorskip("labelme")
    with notebook_in_chromium("01_annotate_playgrounds.ipynb", tmp_path) as (page, kernel, workdir):
        p = WidgetPage(page, kernel, workdir, "lab", CANVAS, "annotator")  # the first annotator: practice
        assert p.ask("practice.session.image_path.name") == "scene_0000.png"
        page.locator(".playground-annotator-label select").first.select_option("plaything")
        p.bring_into_view()
        for x, y in POLYGON:
            click_image(p, x, y, "practice")
        p.shot("drawing")
        click_image(p, *POLYGON[0], "practice")  # back on the first point: closes the polygon
        press(p, "save")
        wait_for_status(p, "saved")
        p.shot("saved")
        state = p.ask("[[s.label, s.points] for s in practice.session.shapes]")
        saved = p.ask("str(practice.session.state.json_path)")  # in the working folder's practice folder
        label_file = labelme.LabelFile(filename=saved)

    assert "practice" in saved.split("/")
    assert len(state) == 1 and state[0][0] == "plaything"
    assert [s["label"] for s in label_file.shapes] == ["plaything"]
    shape = label_file.shapes[0]
    assert shape["shape_type"] == "polygon" and len(shape["points"]) == len(POLYGON)
    for (x, y), (ex, ey) in zip(shape["points"], POLYGON):
        assert abs(x - ex) <= 1.0 and abs(y - ey) <= 1.0, (shape["points"], POLYGON)
