"""The prepared GPU-machine script, run end to end on a CPU with tiny settings: a lent GPU's minutes are
too few to spend on a typo, so every stage must have run here first."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from playground_lib.diffusion.engine import diffusion_installed
from playground_lib.spade.generator_file import read_generator, read_generator_info

ROOT = Path(__file__).resolve().parents[1]


def test_device_script_benchmarks_trains_and_leaves_a_compact_measured_model_in_out(tmp_path):
    out = tmp_path / "out"
    env = {
        **os.environ,
        "OUT": str(out),
        "WORK": str(tmp_path / "work"),
        "DEVICE": "cpu",
        "TRAIN_MINUTES": "0",
        "SCENES": "3",
        "NGF": "4",
        "BATCH": "2",
        "TRAIN_ARGS": "--size 64 --eval-layouts 2 --threads 1",
        "BENCH_ARGS": "--device cpu --size 64 --ngf 4 --ndf 4 --steps 1 --calls 1 --warmup 1 --repeats 1",
        "DIFFUSION_ARGS": "--tiny",
        "NVLABS": str(tmp_path / "no_nvlabs_here"),
        "PYTHON": sys.executable,
    }
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "device_run.sh")], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "device no CUDA device" in (out / "machine.txt").read_text()
    assert "s/step" in (out / "bench_gpu.txt").read_text()
    assert "exported" in (out / "train.txt").read_text()
    _, config, classes = read_generator(out / "bundled_generator.safetensors")
    assert classes is not None and config.label_nc == len(classes) and config.ngf == 4  # shipped compact
    assert read_generator_info(out / "bundled_generator.safetensors")["quality"]["images"] == 2
    assert (out / "samples.png").stat().st_size > 0
    diffusion = (out / "bench_diffusion.txt").read_text()
    assert ("tiny test pipeline" in diffusion and "64x64 picture" in diffusion) == diffusion_installed(), diffusion
    assert "not run" in diffusion or diffusion_installed()
