"""The participant's own photos: import (check + copy) and the canvas picture, for a 12-megapixel phone JPEG.

Reference: showing a photo used to decode it at full size (``read_upright_rgb``) and then shrink
it; :func:`playground_lib.annotator.photos.display_pixels` asks libjpeg for a reduced decode
(``Image.draft``) first. Both are printed side by side, with the time :func:`add_photos` takes to
check (decode every pixel) and copy one photo. Pictures are generated (seeded noise and shapes).

Run: .venv/bin/python benchmarks/bench_annotator_photos.py
"""

from __future__ import annotations

import io
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from playground_lib.annotator.photos import add_photos, display_pixels
from playground_lib.labelme.image import read_upright_rgb

WIDTH, HEIGHT = 4032, 3024  # a 12-megapixel phone photo
DISPLAY = (512, 384)
REPEATS = 5


def phone_jpeg() -> bytes:
    rng = np.random.default_rng(0)
    small = rng.integers(0, 255, size=(HEIGHT // 8, WIDTH // 8, 3), dtype=np.uint8)
    image = Image.fromarray(small).resize((WIDTH, HEIGHT), Image.Resampling.BILINEAR)
    exif = image.getexif()
    exif[0x0112] = 6  # portrait, as phones store it
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90, exif=exif)
    return buffer.getvalue()


def best_of(function) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    data = phone_jpeg()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        (path,), problems = add_photos({"IMG_0001.jpg": data}, folder)
        imported = time.perf_counter() - start
        assert not problems, problems
        size = (DISPLAY[1], DISPLAY[0])  # upright: portrait

        def full_then_shrink():
            Image.fromarray(read_upright_rgb(path)).resize(size, Image.Resampling.BILINEAR)

        before = best_of(full_then_shrink)
        after = best_of(lambda: display_pixels(path, size))
    print(f"photo: {WIDTH}x{HEIGHT} JPEG, {len(data) / 2**20:.1f} MB, EXIF orientation 6")
    print(f"add_photos (full decode check + atomic copy): {imported * 1000:.0f} ms")
    print(
        f"canvas picture {size[0]}x{size[1]}: display_pixels {after * 1000:.0f} ms "
        f"(reference: full decode then resize, {before * 1000:.0f} ms; best of {REPEATS})"
    )


if __name__ == "__main__":
    main()
