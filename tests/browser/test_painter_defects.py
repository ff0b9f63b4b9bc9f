"""Real browser, both front ends: the painter's defects a workshop would hit, each driven as a participant would.

``lab`` is JupyterLab 4 + ipywidgets 8; ``classic`` is Notebook 6.5 + ipywidgets 7.7.1, the widget
stack Colab ships. One page per front end serves all checks, in order; screenshots of each state
go to outputs/browser/painter_<front end>_<state>.png.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from lab_session import FRONT_ENDS, ROOT, drag, notebook_in_chromium
from painter_page import PainterPage, write_harness

pytestmark = pytest.mark.browser

PARK_PATH = ROOT / "data" / "sketches" / "park_path.png"
EVENT_LOG_JS = """() => {
    window.__painterEvents = [];
    for (const name of ['dragstart', 'pointercancel', 'selectstart']) {
        document.addEventListener(name, (e) => window.__painterEvents.push(name), true);
    }
}"""


@pytest.fixture(scope="module", params=FRONT_ENDS)
def painter_page(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp(f"painter-{request.param}")
    notebook = write_harness(tmp / "painter_harness.ipynb")
    with notebook_in_chromium(notebook, tmp / "session", front_end=request.param) as (page, kernel, workdir):
        painter = PainterPage(page, kernel, workdir, request.param)
        page.evaluate(EVENT_LOG_JS)
        yield painter


def fresh(p: PainterPage) -> None:
    p.run("painter.clear(); painter.tool.value = 'brush'; painter.brush.value = 12")
    p.canvas.scroll_into_view_if_needed()  # a button clicked below it may have scrolled it half out of view
    p.settle()


def test_the_canvas_shows_exactly_the_label_colours(painter_page):
    p = painter_page
    p.run(f"painter.load_png({str(PARK_PATH)!r})")
    p.settle(1.0)
    p.page.mouse.move(5, 5)  # the pointer off the canvas: no brush outline over the sketch
    p.settle()
    shown, expected = p.canvas_pixels(), p.shown_colors()
    p.shot("loaded_park_path")
    differing = int((shown != expected).any(axis=2).sum())
    colours = len(np.unique(shown.reshape(-1, 3), axis=0))
    classes = len(np.unique(p.ask("painter.labels.ravel().tolist()")))
    assert differing == 0, f"{differing} of {shown.shape[0] * shown.shape[1]} canvas pixels differ"
    assert colours == classes, (colours, classes)


def test_a_drag_from_beside_the_canvas_leaves_no_ghost_strokes(painter_page):
    p = painter_page
    fresh(p)
    box = p.canvas.bounding_box()
    y = box["y"] + box["height"] / 2
    for offset in (40, 70):  # beside the canvas, then on the cell's prompt
        drag(p.page, [(box["x"] - offset, y), (box["x"] + box["width"] / 2, y + 20)])
        p.settle()
        # Move across the canvas with no button held: nothing may be painted.
        p.page.mouse.move(*p.to_page(20, 30))
        p.page.mouse.move(*p.to_page(230, 40), steps=8)
        p.settle()
        assert p.ask("int((painter.labels != painter.pad.background).sum())") == 0, f"painted from {offset} px"
        # A press on the canvas now paints the whole stroke, not just its first move.
        drag(p.page, [p.to_page(30, 200), p.to_page(128, 200), p.to_page(225, 200)])
        p.settle()
        row = p.ask("painter.labels[200].tolist()")
        assert all(v != 0 for v in row[35:220]), f"stroke cut short after a press {offset} px away: {row}"
        assert not p.ask("painter.pad.drawing")
        assert p.page.evaluate("() => String(window.getSelection())").strip() == ""
        p.page.mouse.move(*p.to_page(20, 100))
        p.page.mouse.move(*p.to_page(230, 110), steps=8)
        p.settle()
        assert p.ask("int((painter.labels[90:120] != 0).sum())") == 0, "a move after the stroke painted"
        fresh(p)
    p.shot("after_drag_from_outside")
    assert "dragstart" not in p.page.evaluate("() => window.__painterEvents")


def highlight_pixels(png: bytes) -> int:
    """Pixels of a screenshot in Chromium's selection blue (the number box is otherwise black on white)."""
    import io

    from PIL import Image

    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    return int(((b > 150) & (b - r > 60) & (b - g > 30)).sum())


def test_a_drag_from_the_cell_margin_leaves_the_brush_size_unselected(painter_page):
    p = painter_page
    fresh(p)
    p.run("painter.brush.value = 37")  # a number found nowhere else on the page
    p.page.evaluate("() => window.getSelection().removeAllRanges()")
    number = p.page.locator(".playground-painter-brush-number input").first
    number.scroll_into_view_if_needed()
    painter = p.page.locator(".playground-painter").first.bounding_box()
    canvas = p.canvas.bounding_box()
    # Pressed on the cell's margin (JupyterLab's collapser bar, classic's prompt) beside the class buttons,
    # dragged down into the canvas: JupyterLab selected the slider's readout, an editable <div>.
    drag(p.page, [(painter["x"] - 70, painter["y"] + 20), (canvas["x"] + 100, canvas["y"] + 100)])
    p.settle()
    selected = p.page.evaluate("() => String(window.getSelection())")
    p.shot("drag_from_the_margin")
    assert "37" not in selected, f"the brush size was selected: {selected!r}"
    highlighted = highlight_pixels(number.screenshot())
    assert highlighted == 0, f"the brush size looks selected: {highlighted} pixels of selection blue over it"
    assert not p.ask("painter.pad.drawing")
    # A size can still be typed in.
    number.click()
    p.page.keyboard.press("Control+a")
    p.page.keyboard.type("20")
    p.page.keyboard.press("Enter")
    p.settle()
    assert p.ask("[painter.pad.brush_size, painter.brush.value]") == [20, 20]
    p.page.mouse.click(5, 5)


def test_a_cancelled_pointer_ends_the_stroke(painter_page):
    p = painter_page
    fresh(p)
    p.page.mouse.move(*p.to_page(30, 60))
    p.page.mouse.down()
    p.page.mouse.move(*p.to_page(80, 60), steps=4)
    p.settle()
    assert p.ask("painter.pad.drawing")
    p.page.evaluate(
        "(s) => document.querySelector(s).dispatchEvent(new PointerEvent('pointercancel', {bubbles: true}))",
        "canvas.playground-painter-canvas, .playground-painter-canvas canvas",
    )
    p.settle()
    assert not p.ask("painter.pad.drawing"), "the stroke survived a pointercancel"
    p.page.mouse.move(*p.to_page(200, 150), steps=6)  # still "held" for the browser, cancelled for us
    p.page.mouse.up()
    p.settle()
    assert p.ask("int((painter.labels[100:200] != 0).sum())") == 0


TEXT_OF_JS = """(e) => {
    const r = document.createRange();
    r.selectNodeContents(e);
    const b = r.getBoundingClientRect();
    return [{x: b.x, y: b.y, width: b.width, height: b.height}, parseFloat(getComputedStyle(e).fontSize)];
}"""


def assert_readable_over(p: PainterPage, words, picture) -> None:
    """The words are page text of at least 14 px, in the middle of the picture they stand on."""
    assert words.is_visible()
    outer = picture.bounding_box()
    inner, size = p.page.evaluate(TEXT_OF_JS, words.locator(".widget-html-content").first.element_handle())
    assert outer["x"] <= inner["x"] and inner["x"] + inner["width"] <= outer["x"] + outer["width"], (inner, outer)
    assert outer["y"] <= inner["y"] and inner["y"] + inner["height"] <= outer["y"] + outer["height"], (inner, outer)
    assert size >= 14, f"{size} px text"
    middle = outer["y"] + outer["height"] / 2
    assert abs(inner["y"] + inner["height"] / 2 - middle) < outer["height"] / 10, ("not in the middle", inner, outer)


def test_the_result_panel_tells_what_it_shows(painter_page):
    p = painter_page
    fresh(p)
    p.run("painter.pad.result = None; painter.refresh()")
    image = "img.playground-painter-result, .playground-painter-result img"
    p.settle()
    natural = p.page.evaluate(f"() => document.querySelector('{image}').naturalWidth")
    assert natural > 0, "a broken image before the first Generate"
    note = p.page.locator(".playground-painter-result-note").first
    assert "no picture yet" in note.inner_text()
    words = p.page.locator(".playground-painter-placeholder").first
    assert "Generate" in words.inner_text()
    assert_readable_over(p, words, p.page.locator(image).first)
    p.shot("result_placeholder")

    p.page.locator("button.playground-painter-generate").first.click()
    p.settle()
    assert "empty" in note.inner_text() and p.ask("painter.pad.result is None")
    assert "empty" in words.inner_text()
    assert_readable_over(p, words, p.page.locator(image).first)
    p.shot("result_empty_sketch")

    p.page.locator("button.playground-class-grass").first.click()
    drag(p.page, [p.to_page(20, 200), p.to_page(230, 200)])
    p.settle()
    p.page.locator("button.playground-painter-generate").first.click()
    p.page.wait_for_function(
        "() => { const b = document.querySelector('button.playground-painter-generate');"
        " return b.disabled && b.innerText.includes('Generating'); }",
        timeout=10_000,
    )
    p.shot("result_generating")
    started = time.time()
    p.page.wait_for_function(
        "() => !document.querySelector('button.playground-painter-generate').disabled", timeout=60_000
    )
    p.page.wait_for_function(
        "() => document.querySelector('.playground-painter-result-note').innerText.includes('up to date')"
    )
    print(f"{p.front_end}: Generate click -> picture shown in {time.time() - started + 0.0:.2f} s after 'Generating'")
    p.shot("result_generated")
    assert not words.is_visible(), "the placeholder's words stayed over the picture"

    drag(p.page, [p.to_page(128, 40), p.to_page(128, 120)])
    p.settle()
    assert "out of date" in note.inner_text()
    stale = p.page.evaluate(f"() => getComputedStyle(document.querySelector('{image}')).opacity")
    assert float(stale) < 1.0
    p.shot("result_stale")

    p.run("painter.path.value = 'no/such/sketch.png'")
    p.page.locator("button.playground-painter-load").first.click()
    p.settle()
    p.shot("failed_load")
    p.page.wait_for_function(
        "() => document.querySelector('.playground-painter-status').innerText.includes('not found')", timeout=10_000
    )
    status = p.page.locator(".playground-painter-status").first.inner_text()
    assert "not found" in status and "generated" not in status, status
    p.shot("failed_load")


def test_class_buttons_are_readable_and_upload_works(painter_page):
    p = painter_page
    fresh(p)
    contrasts = p.page.evaluate(
        """() => Array.from(document.querySelectorAll('button[class*="playground-class-"]')).map(b => {
            const s = getComputedStyle(b);
            return [b.innerText.trim(), s.color, s.backgroundColor];
        })"""
    )
    from playground_lib.painter.display import contrast_ratio

    def rgb(css):
        return tuple(int(float(v)) for v in css[css.index("(") + 1 : css.index(")")].split(",")[:3])

    poor = [(name, fg, bg) for name, fg, bg in contrasts if contrast_ratio(rgb(fg), rgb(bg)) < 4.5]
    assert len(contrasts) == 19 and not poor, poor
    p.shot("palette_buttons")

    def upload(path) -> None:  # as a participant does: the button, then the browser's file chooser
        with p.page.expect_file_chooser() as chooser:
            p.page.locator("text=Upload PNG").first.click()
        chooser.value.set_files(str(path))

    upload(PARK_PATH)
    p.page.wait_for_function(
        "() => document.querySelector('.playground-painter-status').innerText.includes('loaded park_path.png')",
        timeout=30_000,
    )
    assert set(p.ask("painter.class_counts()")) >= {"path", "grass"}
    p.run("painter.clear()")
    p.settle()
    assert p.ask("painter.pad.is_blank()")
    upload(PARK_PATH)  # the same file a second time loads again (ipywidgets 7 keeps the old value otherwise)
    deadline = time.time() + 30
    while p.ask("painter.pad.is_blank()") and time.time() < deadline:
        p.page.wait_for_timeout(500)
    assert "path" in p.ask("painter.class_counts()")
    p.shot("uploaded_twice")


def test_classes_that_look_alike_can_be_told_apart(painter_page):
    p = painter_page
    fresh(p)
    p.run(f"painter.load_png({str(PARK_PATH)!r})")
    p.settle()
    hover = p.page.locator(".playground-painter-hover").first
    value_at = p.ask("int(painter.labels[128, 128])")
    name_at = p.ask(f"__import__('playground_lib.labels', fromlist=['class_name']).class_name({value_at})")
    p.page.mouse.move(*p.to_page(120, 128))
    p.page.mouse.move(*p.to_page(128, 128), steps=3)
    p.settle()
    assert name_at in hover.inner_text()
    legend = p.page.locator(".playground-painter-legend").first.inner_text()
    assert "path" in legend and "grass" in legend
    labels_before = p.ask("painter.labels.sum().item()")
    p.page.locator(".playground-painter-distinct input").first.check()
    p.page.mouse.move(5, 5)
    p.settle(1.0)
    assert p.ask("painter.distinct") and p.ask("painter.labels.sum().item()") == labels_before
    assert (p.canvas_pixels() == p.shown_colors()).all()
    assert p.ask("tuple(int(c) for c in painter.shown_colors()[128, 128])") != p.ask(
        "tuple(int(c) for c in painter.pad.colors()[128, 128])"
    )
    p.shot("distinct_palette")
    saved = p.ask("str(painter.save_png('outputs/distinct.png'))")
    from PIL import Image

    from playground_lib.labels import palette

    colours = np.unique(np.asarray(Image.open(p.workdir / saved).convert("RGB")).reshape(-1, 3), axis=0)
    ade = {tuple(c) for c in palette().tolist()}
    assert all(tuple(c) in ade for c in colours.tolist()), "the saved PNG left the ADE20K palette"
    p.page.locator(".playground-painter-distinct input").first.uncheck()
    p.settle()


def test_keyboard_undo_redo_and_a_cursor_that_stays_off_the_sketch(painter_page):
    p = painter_page
    fresh(p)
    drag(p.page, [p.to_page(30, 60), p.to_page(200, 60)])
    p.settle()
    painted = p.ask("int((painter.labels != 0).sum())")
    assert painted > 0
    p.page.mouse.move(*p.to_page(128, 150))
    p.page.keyboard.press("Control+z")
    p.settle()
    assert p.ask("int((painter.labels != 0).sum())") == 0, "Ctrl+Z did not undo"
    p.page.keyboard.press("Control+Shift+z")
    p.settle()
    assert p.ask("int((painter.labels != 0).sum())") == painted, "Ctrl+Shift+Z did not redo"
    p.page.keyboard.press("Control+z")
    p.page.keyboard.press("Control+y")
    p.settle()
    assert p.ask("int((painter.labels != 0).sum())") == painted, "Ctrl+Y did not redo"
    p.page.mouse.move(*p.to_page(128, 160), steps=3)
    p.settle()
    with_cursor = p.canvas_pixels()
    p.shot("brush_cursor")
    assert (with_cursor != p.shown_colors()).any(axis=2).sum() > 0, "no brush outline under the pointer"
    assert p.ask("int((painter.labels != 0).sum())") == painted, "the outline reached the label map"
    p.page.mouse.move(5, 5)
    p.settle()
    assert (p.canvas_pixels() == p.shown_colors()).all(), "the outline stayed after the pointer left"


def test_the_painter_fits_a_laptop_screen(painter_page):
    p = painter_page
    p.page.set_viewport_size({"width": 1280, "height": 800})
    p.settle(1.0)
    result = p.page.locator("img.playground-painter-result, .playground-painter-result img").first
    result.scroll_into_view_if_needed()
    box = result.bounding_box()
    viewport = p.page.viewport_size
    p.shot("laptop_1280x800", whole_page=True)
    area = p.page.evaluate(
        "() => { const e = document.querySelector('.playground-painter'); const r = e.getBoundingClientRect();"
        " return [r.right, e.scrollWidth, e.clientWidth]; }"
    )
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], (box, viewport)
    assert area[1] <= area[2] + 1, f"the painter overflows its cell: {area}"
    p.page.set_viewport_size({"width": 1400, "height": 1000})
