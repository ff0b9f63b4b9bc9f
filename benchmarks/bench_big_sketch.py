"""``playground generate`` on a huge sketch: peak memory and time against a small sketch.

Reference: the issue "Never crash, never half-write" (item 8): an 8000 x 8000 sketch took 9.3 GB and
60 s to make a 256-pixel picture, because its colours were read at full size. The sketch is now
shrunk (nearest neighbour) to the output width first. Each run is a fresh process, so the peak
includes importing torch and loading the bundled model (the small sketch's figure is that floor).

Run: .venv/bin/python benchmarks/bench_big_sketch.py [--side 8000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # measuring helpers live with the tests
from memory_guard import peak_kb_of_command

from playground_lib.fileio import write_png
from playground_lib.labels import ade20k_value, labels_to_colors


def sketch(path: Path, side: int, seed: int = 0) -> Path:
    """Random blocks of grass, tree, sky and sand, ``side`` pixels a side."""
    rng = np.random.default_rng(seed)
    values = np.array([ade20k_value(n) for n in ("grass", "tree", "sky", "sand")])
    small = values[rng.integers(0, len(values), (64, 64))]
    big = np.kron(small, np.ones((-(-side // 64),) * 2, dtype=small.dtype))[:side, :side]
    return write_png(path, labels_to_colors(big).astype(np.uint8))


def generate(path: Path, out: Path, size: int) -> tuple[float, float]:
    """Seconds and peak GB of one ``playground generate --bundled`` process."""
    argv = ["generate", str(path), str(out), "--bundled", "--size", str(size)]
    start = time.perf_counter()
    peak_kb = peak_kb_of_command(argv)
    return time.perf_counter() - start, peak_kb / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=8000)
    parser.add_argument("--size", type=int, default=256)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for side in (args.size, args.side):
            seconds, peak = generate(sketch(folder / f"s{side}.png", side), folder / f"out{side}.png", args.size)
            print(f"{side} x {side} sketch -> {args.size} px: {seconds:.1f} s, peak {peak:.2f} GB")
    print("reference (the issue, before the fix): 8000 x 8000 -> 256 px took 60 s and 9.3 GB")


if __name__ == "__main__":
    main()
