"""The annotator in a browser, as the checks drive it: click image pixels, press buttons, read the status, upload.

Shared by test_annotator_defects.py (one page per front end for all defect checks) and
test_annotator_own_photos.py (a page of its own: an annotator that starts from an empty folder).
"""

from __future__ import annotations

import io

import numpy as np
from lab_session import WidgetPage, read_canvas_pixels
from PIL import Image

CANVAS = "canvas.playground-annotator-canvas, .playground-annotator-canvas canvas"
STATUS = ".playground-annotator-status"


def click_image(p: WidgetPage, x: float, y: float, annotator: str = "annotator") -> None:
    """A click on image pixel (x, y) of the photo shown by the kernel's variable ``annotator``."""
    scale = p.ask(f"{annotator}.scale")
    p.page.mouse.click(*p.to_page(x * scale, y * scale))


def status(p: WidgetPage) -> str:
    return p.page.locator(STATUS).first.inner_text()


def wait_for_status(p: WidgetPage, text: str, timeout: float = 30_000) -> str:
    p.page.wait_for_function(
        "([s, t]) => document.querySelector(s).innerText.includes(t)", arg=[STATUS, text], timeout=timeout
    )
    return status(p)


def press(p: WidgetPage, button: str) -> None:
    p.page.locator(f"button.playground-annotator-{button}").first.click()


def choose_files(p: WidgetPage, files) -> None:
    """As a participant does: the Upload button, then the browser's file chooser."""
    with p.page.expect_file_chooser() as chooser:
        p.page.locator(".playground-annotator-upload").first.click()
    chooser.value.set_files([str(f) for f in files])


def photo(width: int, height: int, orientation: int | None = None) -> bytes:
    """A JPEG with a red top half (which way is up can be seen) and an optional EXIF orientation."""
    pixels = np.zeros((height, width, 3), dtype=np.uint8)
    pixels[: height // 2] = (210, 30, 30)
    pixels[height // 2 :] = (30, 120, 40)
    image = Image.fromarray(pixels)
    buffer = io.BytesIO()
    exif = image.getexif()
    if orientation:
        exif[0x0112] = orientation
    image.save(buffer, format="JPEG", quality=92, exif=exif)
    return buffer.getvalue()


def photo_on_canvas(p: WidgetPage) -> np.ndarray:
    """The photo layer of the canvas as the browser holds it, HxWx3."""
    return read_canvas_pixels(p.page, CANVAS)


def phone_sized_photo(seed: int) -> bytes:
    """A 12-megapixel JPEG of smoothed noise, about 7 MB: the size of a phone photo with a lot of detail."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 255, size=(750, 1000, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(small).resize((4000, 3000), Image.Resampling.BILINEAR).save(buffer, format="JPEG", quality=95)
    return buffer.getvalue()
