"""Real browser, both front ends: the annotator's defects a workshop would hit, and the participant's own photos.

``lab`` is JupyterLab 4 + ipywidgets 8; ``classic`` is Notebook 6.5 + ipywidgets 7.7.1, the widget
stack Colab ships. One page per front end serves all checks, in order; screenshots of each state
go to outputs/browser/annotator_<front end>_<state>.png.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from annotator_page import (
    CANVAS,
    choose_files,
    click_image,
    phone_sized_photo,
    photo,
    photo_on_canvas,
    press,
    status,
    wait_for_status,
)
from lab_session import FRONT_ENDS, WidgetPage, drag, notebook_in_chromium, write_notebook

pytestmark = pytest.mark.browser

HARNESS = [
    "Some text on the page, the kind a participant selects by accident while clicking polygons.",
    """from playground_lib.annotator import Annotator
from playground_lib.own_data import copy_sample_images

annotator = Annotator(copy_sample_images("annotations", count=3), display=512)
annotator""",
]
EVENT_LOG_JS = """() => {
    window.__annotatorEvents = [];
    for (const name of ['dragstart', 'pointercancel', 'selectstart']) {
        document.addEventListener(name, (e) => window.__annotatorEvents.push(name), true);
    }
}"""
SIX_POINTS = [(40, 60), (120, 50), (200, 80), (210, 170), (120, 220), (50, 180)]  # image pixels, 256x256 scenes


@pytest.fixture(scope="module", params=FRONT_ENDS)
def annotator_page(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp(f"annotator-{request.param}")
    notebook = write_notebook(tmp / "annotator_harness.ipynb", HARNESS)
    with notebook_in_chromium(notebook, tmp / "session", front_end=request.param) as (page, kernel, workdir):
        p = WidgetPage(page, kernel, workdir, request.param, CANVAS, "annotator")
        page.evaluate(EVENT_LOG_JS)
        p.files = tmp / "files"
        p.files.mkdir()
        yield p


def fresh(p: WidgetPage, index: int = 0) -> None:
    p.run(f"annotator.go_to({index}); annotator.session.cancel_polygon(); annotator.refresh()")
    p.settle()


def test_a_press_beside_the_canvas_leaves_the_annotator_working(annotator_page):
    p = annotator_page
    fresh(p)
    box = p.canvas.bounding_box()
    y = box["y"] + box["height"] / 2
    for offset in (40, 70):  # beside the canvas, then on the cell's prompt
        drag(p.page, [(box["x"] - offset, y), (box["x"] + box["width"] / 2, y + 20)])
        p.settle()
        assert p.ask("annotator.session.current") == [], f"a drag from {offset} px away added points"
        assert p.page.evaluate("() => String(window.getSelection())").strip() == "", "the drag selected the page"
        # A press on the canvas that moves a little (as on a selection): one point, no native drag.
        scale = p.ask("annotator.scale")
        drag(p.page, [p.to_page(60 * scale, 60 * scale), p.to_page(90 * scale, 80 * scale)])
        for x, y_ in [(150, 60), (150, 150)]:
            click_image(p, x, y_)
        p.settle()
        points = p.ask("annotator.session.current")
        assert len(points) == 3, f"after a drag from {offset} px: {points}"
        for (x, y_), (ex, ey) in zip(points, [(60, 60), (150, 60), (150, 150)]):
            assert abs(x - ex) <= 1 and abs(y_ - ey) <= 1, points
        p.shot(f"after_drag_from_{offset}px")
        fresh(p)
    assert "dragstart" not in p.page.evaluate("() => window.__annotatorEvents")


def test_save_closes_an_open_polygon_says_so_and_the_message_stays(annotator_page):
    p = annotator_page
    fresh(p)
    p.page.locator(".playground-annotator-label select").first.select_option("plaything")
    for x, y in SIX_POINTS:
        click_image(p, x, y)
    p.settle()
    p.shot("six_points_open")
    press(p, "save")
    wait_for_status(p, "saved scene_0000.json")
    p.settle(1.5)  # a second refresh used to wipe the message
    shown = status(p)
    assert "saved scene_0000.json" in shown and "closed the open polygon (6 points, plaything)" in shown, shown
    p.shot("saved_after_closing")
    saved = json.loads((p.workdir / "annotations" / "scene_0000.json").read_text())
    assert [(s["label"], len(s["points"])) for s in saved["shapes"]] == [("plaything", 6)]
    for (x, y), (ex, ey) in zip(saved["shapes"][0]["points"], SIX_POINTS):
        assert abs(x - ex) <= 1 and abs(y - ey) <= 1


def test_two_points_are_kept_with_a_warning_when_moving_on(annotator_page):
    p = annotator_page
    fresh(p)
    click_image(p, 30, 30)
    click_image(p, 90, 30)
    p.settle()
    press(p, "next")
    shown = wait_for_status(p, "2/3")
    assert "2 points of an unfinished polygon are not saved" in shown, shown
    p.shot("next_with_two_points")
    press(p, "previous")
    wait_for_status(p, "1/3")
    p.settle()
    kept = p.ask("annotator.session.current")
    assert np.allclose(kept, [[30, 30], [90, 30]], atol=1), kept
    p.shot("two_points_back")
    fresh(p)


def test_previous_on_the_first_and_next_on_the_last_say_so(annotator_page):
    p = annotator_page
    fresh(p, 0)
    press(p, "previous")
    assert "this is the first photo (1 of 3)" in wait_for_status(p, "first photo")
    p.shot("previous_on_first")
    fresh(p, 2)
    press(p, "next")
    assert "this is the last photo (3 of 3)" in wait_for_status(p, "last photo")
    p.shot("next_on_last")


def test_ctrl_z_and_ctrl_shift_z_on_the_canvas(annotator_page):
    p = annotator_page
    fresh(p)
    click_image(p, 40, 200)
    click_image(p, 120, 200)
    p.settle()
    p.page.keyboard.press("Control+z")
    p.settle()
    assert len(p.ask("annotator.session.current")) == 1, "Ctrl+Z did not undo the last point"
    p.page.keyboard.press("Control+Shift+z")
    p.settle()
    assert len(p.ask("annotator.session.current")) == 2, "Ctrl+Shift+Z did not redo"
    p.shot("after_redo_key")
    fresh(p)


def test_own_photos_upload_and_folder_with_bad_files_named(annotator_page):
    p = annotator_page
    fresh(p)
    turned = p.files / "IMG_0042.jpg"
    turned.write_bytes(photo(1200, 800, orientation=6))  # a phone's portrait photo: 800 wide, 1200 high upright
    notes = p.files / "notes.txt"
    notes.write_text("not a photo")
    choose_files(p, [turned, notes])
    shown = wait_for_status(p, "added 1 photo")
    assert "IMG_0042.jpg" in shown and "notes.txt: not a picture Pillow can read" in shown, shown
    p.settle(1.0)
    assert p.ask("[annotator.session.state.width, annotator.session.state.height]") == [800, 1200]
    pixels = photo_on_canvas(p)
    assert pixels.shape == (512, 341, 3), pixels.shape
    assert pixels[:, -40:, 0].mean() > 150 and pixels[:, :40, 1].mean() > 90, "the photo is not shown upright"
    p.shot("uploaded_photo")
    for x, y in [(100, 100), (700, 100), (400, 1100)]:  # full-resolution pixels
        click_image(p, x, y)
    press(p, "save")
    wait_for_status(p, "saved IMG_0042.json")
    saved = json.loads((p.workdir / "annotations" / "IMG_0042.json").read_text())
    assert (saved["imageWidth"], saved["imageHeight"]) == (800, 1200)
    for (x, y), (ex, ey) in zip(saved["shapes"][0]["points"], [(100, 100), (700, 100), (400, 1100)]):
        assert abs(x - ex) <= 3 and abs(y - ey) <= 3, saved["shapes"][0]["points"]
    p.shot("uploaded_photo_annotated")
    choose_files(p, [turned])  # the same photo again: not copied twice, and said so
    assert "already here: IMG_0042.jpg" in wait_for_status(p, "already here")
    assert p.ask("len(annotator.session.image_paths)") == 4

    laptop = p.files / "laptop"
    laptop.mkdir()
    (laptop / "swing.jpg").write_bytes(photo(640, 480))
    (laptop / "cut.jpg").write_bytes(photo(640, 480)[:3000])
    p.page.locator(".playground-annotator-folder input").first.fill(str(laptop))
    press(p, "add")
    shown = wait_for_status(p, "added 1 photo")
    assert "swing.jpg" in shown and "cut.jpg: the file is cut short" in shown, shown
    assert p.ask("annotator.session.image_path.name") == "swing.jpg"
    p.shot("added_folder")


def test_an_upload_too_big_for_the_connection_is_stopped_with_a_message(annotator_page):
    # Without the page-side check, two phone photos (14 MB) in one upload closed the kernel's websocket
    # (tornado's 10 MiB limit): no files, no message, the button seemed dead.
    p = annotator_page
    fresh(p)
    big = [p.files / f"phone_{i}.jpg" for i in range(2)]
    for i, path in enumerate(big):
        path.write_bytes(phone_sized_photo(i))
    before = p.ask("len(annotator.session.image_paths)")
    choose_files(p, big)
    shown = wait_for_status(p, "one upload can carry here")
    assert re.search(r"These 2 files are 1\d\.\d MB together: more than the 9 MB", shown), shown
    p.shot("upload_too_big")
    small = p.files / "small.jpg"
    small.write_bytes(photo(320, 240))
    choose_files(p, [small])  # the connection is still there: a small upload right after works
    wait_for_status(p, "added 1 photo(s): small.jpg")
    assert p.ask("len(annotator.session.image_paths)") == before + 1
    assert "one upload can carry here" not in status(p)
