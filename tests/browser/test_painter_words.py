"""Real browser, both front ends: the painter with both engines, as a participant meets it in notebook 05.

A stand-in plays the diffusion engine (it has ``settings`` and paints a flat tint, after a pause),
so the check runs in the torch-free classic venv too. At 1280 x 800: choosing "Words + sketch"
shows the prompt box, typing reaches the engine, Generate paints with the words, and nothing
spills off the page. Screenshots: outputs/browser/painter_words_<front end>_*.png.
"""

from __future__ import annotations

import pytest
from lab_session import FRONT_ENDS, notebook_in_chromium, screenshot, write_notebook
from painter_page import PainterPage

pytestmark = pytest.mark.browser

CELLS = [
    "The painter with both engines: words + sketch.",
    """import time
import numpy as np
from playground_lib.diffusion.settings import DiffusionSettings
from playground_lib.labels import labels_to_colors
from playground_lib.painter import Painter
from playground_lib.painter.engine_choice import engine_choice

class StandInWords:
    settings = DiffusionSettings()
    seen = []
    def __call__(self, labels):
        time.sleep(1.0)
        self.seen.append((self.settings.prompt, self.settings.seed))
        return np.full(labels.shape + (3,), (200, 120, 40), dtype=np.uint8)

def stand_in_spade(labels):
    return (labels_to_colors(labels) // 2 + 64).astype(np.uint8)

words = StandInWords()
painter = Painter(256, generate=engine_choice(stand_in_spade, words))
painter""",
]


@pytest.mark.parametrize("front_end", FRONT_ENDS)
def test_words_reach_the_engine_and_the_painter_fits_a_laptop(front_end, tmp_path):
    notebook = write_notebook(tmp_path / "painter_words.ipynb", CELLS)
    with notebook_in_chromium(notebook, tmp_path / "session", front_end=front_end, viewport=(1280, 800)) as (
        page,
        kernel,
        workdir,
    ):
        p = PainterPage(page, kernel, workdir, front_end)
        prompt = page.locator(".playground-painter-engine textarea").first
        assert not prompt.is_visible()  # SPADE reads no words: no box to puzzle over
        page.locator(".playground-painter-engine button", has_text="Words + sketch").first.click()
        prompt.wait_for(state="visible")
        prompt.fill("a playground in the snow")
        seed = page.locator(".playground-painter-engine input[type=number]").first
        seed.fill("7")
        seed.press("Enter")
        # a real sketch: seven classes make a long "in the sketch" legend under the canvas
        p.run("from playground_lib.paths import data_dir")
        p.run("painter.load_png(data_dir() / 'sketches' / 'sandpit_swings.png')")
        page.locator("button.playground-class-grass").first.click()
        page.locator(".playground-painter-tool button", has_text="Fill").first.click()
        page.mouse.click(*p.to_page(20, 250))
        p.settle()
        page.locator("button.playground-painter-generate").first.click()
        page.wait_for_function(
            "() => document.querySelector('.playground-painter-status').innerText.includes('generated')",
            timeout=60_000,
        )
        if front_end == "lab":  # the file browser closed, as a participant would to make room
            page.evaluate(
                "() => window.jupyterapp && window.jupyterapp.commands.execute('application:toggle-left-area')"
            )
            if page.locator(".jp-FileBrowser").first.is_visible():
                page.keyboard.press("Control+b")
        p.settle()
        screenshot(page, f"painter_words_{front_end}_generated.png")
        canvas = p.canvas.bounding_box()
        result = page.locator("img.playground-painter-result, .playground-painter-result img").first.bounding_box()
        assert result["x"] >= canvas["x"] + canvas["width"] - 1 and result["y"] < canvas["y"] + canvas["height"], (
            f"the picture is not beside the sketch at 1280 x 800: canvas {canvas}, result {result}"
        )
        assert p.ask("words.seen") == [["a playground in the snow", 7]]
        area = page.evaluate(
            "() => { const e = document.querySelector('.playground-painter'); const r = e.getBoundingClientRect();"
            " return [r.right, e.scrollWidth, e.clientWidth]; }"
        )
        assert area[1] <= area[2] + 1, f"the painter overflows its cell: {area}"
        box = prompt.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 1280, box
