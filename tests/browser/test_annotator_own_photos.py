"""Real browser, both front ends: a participant who brings only their own photos starts from an empty folder.

Its own page (a separate module: the defect checks keep one page per front end open for the
whole of their module). Screenshots: outputs/browser/annotator_<front end>_empty_folder*.png.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from annotator_page import CANVAS, choose_files, click_image, photo, press, status, wait_for_status
from lab_session import FRONT_ENDS, WidgetPage, notebook_in_chromium, write_notebook
from PIL import Image

pytestmark = pytest.mark.browser

EMPTY_HARNESS = [
    "A participant who brings only their own photos.",
    """import os
from playground_lib.annotator import Annotator

os.makedirs("my_photos", exist_ok=True)
annotator = Annotator("my_photos", display=384)
annotator""",
]


@pytest.mark.parametrize("front_end", FRONT_ENDS)
def test_an_empty_folder_starts_and_takes_the_participants_photos(front_end, tmp_path):
    notebook = write_notebook(tmp_path / "annotator_empty.ipynb", EMPTY_HARNESS)
    with notebook_in_chromium(notebook, tmp_path / "session", front_end=front_end) as (page, kernel, workdir):
        p = WidgetPage(page, kernel, workdir, front_end, CANVAS, "annotator")
        assert "no photos yet" in status(p)
        page.mouse.click(*p.to_page(100, 100))  # a click on the empty canvas: nothing breaks
        p.settle()
        assert "no photos yet" in status(p) and "Error" not in status(p)
        p.shot("empty_folder")
        files = [tmp_path / "first.jpg", tmp_path / "second.png"]
        files[0].write_bytes(photo(640, 480))
        Image.fromarray(np.full((300, 200, 3), (40, 90, 200), dtype=np.uint8)).save(files[1])
        choose_files(p, files)
        shown = wait_for_status(p, "added 2 photo(s)")
        assert "1/2" in shown and "first.jpg" in shown, shown
        assert sorted(f.name for f in (workdir / "my_photos").iterdir()) == ["first.jpg", "second.png"]
        for x, y in [(20, 20), (600, 20), (600, 460)]:
            click_image(p, x, y)
        press(p, "next")
        wait_for_status(p, "2/2")
        saved = json.loads((workdir / "my_photos" / "first.json").read_text())
        assert (saved["imageWidth"], saved["imageHeight"]) == (640, 480) and len(saved["shapes"]) == 1
        p.shot("empty_folder_after_upload")
