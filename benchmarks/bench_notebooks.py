"""How long each notebook takes a participant with its own values (full mode), beside the suite's quick run.

    .venv/bin/python benchmarks/bench_notebooks.py [--only 03_lines_to_picture ...] [--quick-too]

The notebooks run in order in one working folder, as a participant's do (02 converts what 01
left, 06 trains on 02's set, 08 paints 04's sketch), headless on this machine's CPU and offline,
so 05 takes the fallback a room without the official weights gets. The reference beside each
full-mode time is the same notebook with the test suite's small values (``--quick-too``), which is
what CI pays. Every figure is printed with the load average, because other work slows all of them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from notebook_harness import execute_notebook  # noqa: E402


def run_series(names: list[str], quick: bool) -> dict[str, float]:
    """Seconds per notebook, the series run in order in one fresh working folder."""
    seconds = {}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for name in names:
            shutil.copy(ROOT / "notebooks" / f"{name}.ipynb", workdir / f"{name}.ipynb")
            started = time.perf_counter()
            execute_notebook(
                workdir / f"{name}.ipynb", workdir, timeout=3600, workspace=workdir / "workspace", quick=quick
            )
            seconds[name] = time.perf_counter() - started
            print(
                f"{name:40s} {'quick' if quick else 'full':5s} {seconds[name]:7.0f} s  (load {os.getloadavg()[0]:.1f})",
                flush=True,
            )
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="notebook names (default: all, in order)")
    parser.add_argument("--quick-too", action="store_true", help="also time the suite's quick run")
    args = parser.parse_args()
    names = args.only or sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    full = run_series(names, quick=False)
    quick = run_series(names, quick=True) if args.quick_too else {}
    print(f"\n{'notebook':40s} {'full':>8s} {'quick':>8s}")
    for name in names:
        q = f"{quick[name]:7.0f}s" if name in quick else "       -"
        print(f"{name:40s} {full[name]:7.0f}s {q}")
    print(f"{'all':40s} {sum(full.values()):7.0f}s", f"{sum(quick.values()):7.0f}s" if quick else "")


if __name__ == "__main__":
    main()
