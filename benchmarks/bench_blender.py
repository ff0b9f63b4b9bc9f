"""Blender synthetic scenes: install cost of .venv-blender and render time per scene on this CPU.

Reference: the issue's note that Cycles renders 128 x 128 at 16 samples in about 0.1 s headless on
CPU (the render alone, without building the scene). We time the whole job per scene: starting
Blender once, building each scene, rendering picture + index pass, and making label, instance and
labelme files. ``--install`` also times a fresh ``scripts/setup_blender_venv.sh`` in a temporary
folder (downloads bpy, about 1 GB on disk).

Run: .venv/bin/python benchmarks/bench_blender.py [--install]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def bench_install() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        venv = Path(tmp) / "venv-blender"
        start = time.perf_counter()
        subprocess.run(["bash", str(ROOT / "scripts" / "setup_blender_venv.sh"), str(venv)], check=True)
        seconds = time.perf_counter() - start
        print(
            f"install: {seconds:.0f} s, {folder_size(venv) / 1e6:.0f} MB on disk "
            f"(reference: the Makefile budget, 'a few hundred MB and under ~2 minutes')"
        )
        shutil.rmtree(venv)


def bench_render(n: int, size, samples: int, reference: str) -> None:
    from playground_lib.synthetic import blender

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        blender.render_scenes(tmp, n, size=size, samples=samples, seed=0, progress=False)
        seconds = time.perf_counter() - start
    w, h = (size, size) if isinstance(size, int) else size
    print(
        f"render {w}x{h}, {samples} samples: {seconds / n:.2f} s per scene over {n} scenes, "
        f"{seconds:.1f} s in all ({reference})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--install", action="store_true", help="also time a fresh bpy install (downloads ~400 MB)")
    args = parser.parse_args()
    from playground_lib.synthetic import blender

    if args.install:
        bench_install()
    if not blender.blender_available():
        print(blender.availability_message(), file=sys.stderr)
        return 1
    bench_render(8, 128, 16, "reference: ~0.1 s for the Cycles render alone")
    bench_render(4, (320, 240), 32, "the notebook's full-size setting")
    return 0


if __name__ == "__main__":
    sys.exit(main())
