"""How long drawing synthetic playgrounds takes: 1,000 scenes at 256x256 on this CPU.

Reference: a Blender Cycles render of a 128x128 scene with 16 samples on this CPU takes about
0.1 s per frame with an object-index pass (the project's measured fact, see issue 6); the
procedural generator is the fast path for workshops. Run: python benchmarks/bench_synthetic.py [N]
"""

from __future__ import annotations

import sys
import tempfile
import time

from playground_lib.synthetic import generate_scene, write_scenes


def main(n: int = 1000, size: int = 256) -> None:
    start = time.perf_counter()
    for seed in range(n):
        generate_scene(seed, size)
    draw = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        write_scenes(tmp, n, size=size, progress=False)
        total = time.perf_counter() - start
    print(f"procedural scenes at {size}x{size}: {n} drawn in {draw:.1f} s ({1000 * draw / n:.1f} ms/scene)")
    print(f"drawn and written (png x3 + labelme json): {total:.1f} s ({1000 * total / n:.1f} ms/scene)")
    print("reference: Blender Cycles, 128x128, 16 samples, CPU: ~100 ms/frame (render only)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
