"""The default event background on this CPU: 40 x 30 tiles (1280 x 960 px) from the bundled sketches.

Reference: the way before painting 1:1, which painted a 341 x 256 layout (two 256-px windows) and
enlarged it 3.75x; it is timed here too (``paint_in_windows`` on the small layout plus the Lanczos
resize), so both numbers come from the same machine in the same minute. Also timed: the merge of
12 sketches by tidied vote and by raw vote.

Run: .venv/bin/python benchmarks/bench_event_background.py [--threads N]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from PIL import Image


def seconds(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's own)")
    args = parser.parse_args()
    import torch

    from playground_lib import event
    from playground_lib.paths import data_dir
    from playground_lib.sketch import bundled_sketches
    from playground_lib.spade.loading import load_generator
    from playground_lib.tiled_painting import Windows, paint_in_windows, window_painter

    if args.threads:
        torch.set_num_threads(args.threads)
    generator = load_generator(None)
    print(f"{generator.description}; torch threads {torch.get_num_threads()}")
    sketches = bundled_sketches()
    twelve = sketches + sorted((data_dir() / "synthetic").glob("*_label.png"))[:9]
    layout = event.merge_sketches(sketches, (40, 30))
    with tempfile.TemporaryDirectory() as tmp:
        default = seconds(lambda: event.make_background(sketches, Path(tmp) / "bg.png", generate=generator))
    print(f"default background (panels, 1:1, windows up to 1024 px), all steps: {default:.1f} s")

    def enlarged():
        small = event.resize_labels(layout, (341, 256), fit="stretch")
        windows = Windows(window_painter(generator).paint, largest=256, overlap=64, multiple=32)
        painted = paint_in_windows(small, windows, progress=False)
        Image.fromarray(painted).resize((1280, 960), Image.Resampling.LANCZOS)

    print(f"reference, painted at 341 x 256 and enlarged 3.75x: {seconds(enlarged):.1f} s")
    vote = seconds(lambda: event.merge_sketches(twelve, (40, 30), mode="vote"))
    raw = seconds(lambda: event.merge_sketches(twelve, (40, 30), mode="raw-vote"))
    print(f"merging 12 sketches: vote (tidied) {vote:.1f} s, raw vote {raw:.1f} s")


if __name__ == "__main__":
    main()
