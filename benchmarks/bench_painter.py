"""How fast the painter answers the mouse, on CPU, next to the references it is compared with.

- one mouse-move segment painted into the label map (budget: a 60 Hz frame, 16.7 ms);
- a bucket fill of a whole 256x256 / 1024x1024 sketch with our run-based flood fill, next to
  Pillow's ``ImageDraw.floodfill`` (the obvious library alternative, pixel by pixel in Python);
- the colour image the canvas is redrawn from after each stroke, and the message ipycanvas sends
  for it: RGBA as PNG (lossless, what the painter sends) next to RGB as JPEG (ipycanvas's lossy
  default for RGB, which smeared the class colours).

Run: python benchmarks/bench_painter.py
"""

from __future__ import annotations

import time

import numpy as np
from ipycanvas.utils import binary_image
from PIL import Image, ImageDraw

from playground_lib.painter import Sketchpad, flood_region
from playground_lib.painter.widget import opaque_rgba


def best_of(fn, repeat=5, number=1) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - start) / number)
    return min(times)


def sketch_with_strokes(size: int) -> Sketchpad:
    pad = Sketchpad(size)
    rng = np.random.default_rng(0)
    for label in ("grass", "tree", "sand", "path", "plaything"):
        points = rng.uniform(0, size, size=(6, 2)).tolist()
        pad.paint_stroke(points, label, size=max(3, size // 25))
    return pad


def main() -> None:
    print(f"{'what':<44}{'ours':>12}{'reference':>14}")
    for size in (256, 1024):
        pad = sketch_with_strokes(size)
        pad.set_class("tree")
        pad.set_brush_size(max(3, size // 20))
        pad.pointer_down(size / 4, size / 4)
        # A brisk drag: about 8 display pixels per mouse event, back and forth across the sketch.
        step = 8 * size / 448
        xs = iter(size / 4 + (np.abs((np.arange(10_000) * step) % size - size / 2)))
        move = best_of(lambda: pad.pointer_move(next(xs), size / 3), number=200)
        pad.pointer_up()
        print(f"{f'stroke segment, {size}x{size}':<44}{move * 1e3:>10.3f}ms{'16.7 ms frame':>14}")

        labels = pad.labels.copy()
        ours = best_of(lambda: flood_region(labels, 0, 0), repeat=3)

        def pil_fill():
            image = Image.fromarray(labels).copy()
            ImageDraw.floodfill(image, (0, 0), 255)
            return image

        reference = best_of(pil_fill, repeat=1 if size > 256 else 3)
        assert np.array_equal(np.asarray(pil_fill()) == 255, flood_region(labels, 0, 0)), "fills disagree"
        print(
            f"{f'bucket fill of the background, {size}x{size}':<44}{ours * 1e3:>10.2f}ms{reference * 1e3:>12.1f}ms"
            f"  (Pillow floodfill, {reference / ours:.0f}x slower)"
        )
        redraw = best_of(pad.colors, repeat=5)
        print(f"{f'colour image for the canvas, {size}x{size}':<44}{redraw * 1e3:>10.2f}ms")
        colors = pad.colors()
        png = best_of(lambda c=colors: binary_image(opaque_rgba(c)), repeat=3)
        jpeg = best_of(lambda c=colors: binary_image(c), repeat=3)
        png_kb, jpeg_kb = len(binary_image(opaque_rgba(colors))) / 1024, len(binary_image(colors)) / 1024
        print(
            f"{f'canvas message, RGBA->PNG, {size}x{size}':<44}{png * 1e3:>10.2f}ms{jpeg * 1e3:>12.2f}ms"
            f"  (RGB->JPEG; {png_kb:.0f} KB vs {jpeg_kb:.0f} KB)"
        )


if __name__ == "__main__":
    main()
