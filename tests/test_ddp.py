"""The trainer under torchrun: two CPU processes (gloo), DistributedDataParallel, one checkpoint writer."""

from __future__ import annotations

import os
import subprocess
import sys

import torch

from playground_lib.synthetic import write_scenes
from playground_lib.train.checkpoint import latest_checkpoint


def test_two_process_ddp_run_trains_and_checkpoints(tmp_path):
    write_scenes(tmp_path / "scenes", n=4, size=32, seed=2, progress=False)
    out = tmp_path / "run"
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc_per_node",
        "2",
        "-m",
        "playground_lib.train.ddp",
        "--data",
        str(tmp_path / "scenes"),
        "--out",
        str(out),
        "--steps",
        "2",
        "--batch-size",
        "2",
        "--crop-size",
        "32",
        "--load-size",
        "32",
        "--ngf",
        "8",
        "--ndf",
        "8",
        "--classes",
        "auto",
        "--device",
        "cpu",
        "--no-vgg",
        "--quiet",
        "--threads",
        "1",
    ]
    env = dict(os.environ, OMP_NUM_THREADS="1")
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=240, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "rank 0 of 2: trained to step 2" in result.stdout
    state = torch.load(latest_checkpoint(out) / "state.pt", weights_only=True)
    assert state["step"] == 2 and len(state["history"]["D"]) == 2
