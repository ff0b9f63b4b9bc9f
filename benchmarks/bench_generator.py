"""Fast (folded) SPADE inference vs the plain unfolded network, on identical weights, CPU.

Reference (issue 4): at 256x256 on CPU the fast path must be at least 3x faster than the plain
network with the same weights, and its outputs within 1e-3.

    .venv/bin/python benchmarks/bench_generator.py                 # random weights, official shape
    .venv/bin/python benchmarks/bench_generator.py \
        --weights ~/generative_playgrounds/weights/ade20k_pretrained/latest_net_G.pth

Runs are interleaved (plain, fast, plain, fast, ...) and the best of each is reported, because
other processes on a shared machine only ever make a run slower.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch
import torch.nn.functional as F

from playground_lib.paths import data_dir
from playground_lib.sketch import read_sketch
from playground_lib.spade import GeneratorConfig, one_hot
from playground_lib.spade.fast import FastSPADEGenerator
from playground_lib.spade.generator_file import read_generator
from playground_lib.spade.loading import build_plain
from playground_lib.spade.model import random_official_state_dict

REFERENCE_SPEEDUP = 3.0
REFERENCE_TOLERANCE = 1e-3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--weights", help="official latest_net_G.pth or our safetensors (default: random, official shape)"
    )
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1: steady on a shared machine)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    if args.weights:
        state, config, _ = read_generator(args.weights)
        source = args.weights
    else:
        config = GeneratorConfig()
        state, source = random_official_state_dict(config, seed=0), "random weights, official ADE20K shape"
    plain = build_plain(state, config)
    started = time.perf_counter()
    fast = FastSPADEGenerator.from_plain(plain)
    fold_s = time.perf_counter() - started
    print(f"generator: {source}; {sum(p.numel() for p in plain.parameters()) / 1e6:.1f} M parameters")
    print(f"CPU threads: {torch.get_num_threads()}; size {args.size}x{args.size}; folding took {fold_s:.2f} s")
    print(f"reference: fast >= {REFERENCE_SPEEDUP:.0f}x faster than plain, max |difference| <= {REFERENCE_TOLERANCE:g}")
    print()
    print(f"{'sketch':<18}{'plain s':>9}{'fast s':>9}{'speed-up':>10}{'max |diff|':>12}")
    speedups, diffs = [], []
    for path in sorted((data_dir() / "sketches").glob("*.png")):
        labels = torch.from_numpy(read_sketch(path).labels.astype(np.int64))[None]
        labels = F.interpolate(labels[:, None].float(), size=(args.size, args.size), mode="nearest")[:, 0].long()
        semantics = one_hot(labels, config.label_nc)
        if config.instance_edges:
            semantics = torch.cat([semantics, torch.zeros_like(semantics[:, :1])], dim=1)
        plain_times, fast_times = [], []
        for _ in range(args.repeats):
            with torch.inference_mode():
                started = time.perf_counter()
                expected = plain(semantics)
                plain_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            got = fast(labels)
            fast_times.append(time.perf_counter() - started)
        diff = float((got - expected).abs().max())
        speedup = min(plain_times) / min(fast_times)
        speedups.append(speedup)
        diffs.append(diff)
        print(f"{path.stem:<18}{min(plain_times):>9.2f}{min(fast_times):>9.2f}{speedup:>9.1f}x{diff:>12.1e}")
    print()
    print(
        f"median speed-up {statistics.median(speedups):.1f}x (reference >= {REFERENCE_SPEEDUP:.0f}x); "
        f"worst max |diff| {max(diffs):.1e} (reference <= {REFERENCE_TOLERANCE:g})"
    )


if __name__ == "__main__":
    main()
