"""CPU generation, side by side: NVlabs/SPADE's own generator, our plain copy, our folded fast path.

Reference (issue "Pictures worth showing, fast", part 3): on the official ADE20K layout at 256x256,
our fast path must be at least 3x faster than NVlabs' own network on identical weights, in the
same process with the same threads, and its picture within 1/255 of NVlabs' after rounding to
uint8. (Measured before this benchmark existed: 1.69x against NVlabs' code under load.)

    git -C <NVlabs/SPADE mirror> archive HEAD | tar -x -C /tmp/nvlabs_spade   # or any checkout
    PYTHONPATH=src python benchmarks/bench_generator_vs_nvlabs.py --nvlabs /tmp/nvlabs_spade
    ... --weights ~/.cache/generative_playgrounds/weights/ade20k_pretrained/latest_net_G.pth

NVlabs' modules are imported from that checkout at run time (see ``nvlabs_reference.py``); none of
their code is in this project. All three networks get the same state dict (official keys:
``weight_orig``/``weight_u``/``weight_v`` for spectral norm, so the effective weights agree).
Runs are interleaved (NVlabs, plain, fast, NVlabs, ...) for each thread count, and the best of
each is reported, because other processes on a shared machine only ever make a run slower. Both
wall-clock seconds and the process's CPU seconds are printed: on a crowded machine (load above
the core count) wall times swing by 2x from run to run, while CPU seconds still measure the work.
At 1 thread CPU seconds are the work itself; at more threads they also count OpenMP threads
spin-waiting through the fast path's serial steps (lookups, sorting), so there wall time is the
figure that matters, taken on an otherwise idle machine.

Measured (Nov 2026, this project's 2-core CPU, idle, torch 2.13 CPU, random official-shape weights,
the three bundled sketches, best of 3): fast/NVlabs 4.65x median (worst 4.46x) at 2 threads, 0.90-1.01 s
against 4.52-4.54 s; 4.64x median (worst 4.59x) at 1 thread, 1.68-1.77 s against 7.79-8.44 s; uint8
difference at most 1 everywhere.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))

from nvlabs_reference import nvlabs_generator, nvlabs_path

from playground_lib.paths import data_dir
from playground_lib.sketch import read_sketch
from playground_lib.spade import GeneratorConfig, one_hot
from playground_lib.spade.fast import FastSPADEGenerator, labels_to_image_array
from playground_lib.spade.generator_file import read_generator
from playground_lib.spade.loading import build_plain
from playground_lib.spade.model import random_official_state_dict

REFERENCE_SPEEDUP = 3.0  # fast vs NVlabs' own forward
REFERENCE_UINT8_DIFF = 1  # at most 1/255 after rounding to uint8
EARLIER_MEASURED = 1.69  # the figure the issue quotes, fast vs NVlabs, under load


def timed(network, inputs: torch.Tensor) -> tuple[float, float, torch.Tensor]:
    """(wall seconds, process CPU seconds, output). CPU seconds count the work done, whatever else runs."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = network(inputs)
    return time.perf_counter() - wall, time.process_time() - cpu, out


def sketch_inputs(path: Path, size: int, config: GeneratorConfig) -> tuple[torch.Tensor, torch.Tensor]:
    """(labels, one-hot semantics) for one bundled sketch at size x size."""
    labels = torch.from_numpy(read_sketch(path).labels.astype(np.int64))[None]
    labels = F.interpolate(labels[:, None].float(), size=(size, size), mode="nearest")[:, 0].long()
    semantics = one_hot(labels, config.label_nc)
    if config.instance_edges:
        semantics = torch.cat([semantics, torch.zeros_like(semantics[:, :1])], dim=1)
    return labels, semantics


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nvlabs", help="NVlabs/SPADE checkout (default: $NVLABS_SPADE)")
    parser.add_argument(
        "--weights", help="official latest_net_G.pth or our safetensors (default: random, official shape)"
    )
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=3, help="interleaved runs of each network (best is kept)")
    parser.add_argument("--threads", default="1,2", help="torch thread counts, comma-separated")
    parser.add_argument("--sketches", type=int, default=3, help="how many bundled sketches")
    args = parser.parse_args()
    checkout = nvlabs_path(args.nvlabs)
    if checkout is None:
        # `make bench` runs every benchmark without arguments: say what is missing, fail nothing.
        print("NVlabs/SPADE checkout not given: not run (--nvlabs PATH or $NVLABS_SPADE; see the docstring)")
        return

    if args.weights:
        state, config, _ = read_generator(args.weights)
        source = args.weights
    else:
        config = GeneratorConfig()
        state, source = random_official_state_dict(config, seed=0), "random weights, official ADE20K shape"
    reference = nvlabs_generator(checkout, config, state)
    plain = build_plain(state, config)
    fast = FastSPADEGenerator.from_plain(plain)
    print(f"generator: {source}; {sum(p.numel() for p in plain.parameters()) / 1e6:.1f} M parameters")
    print(f"NVlabs/SPADE: {checkout} (imported in this process); size {args.size}x{args.size}; best of {args.repeats}")
    print(
        f"reference: fast >= {REFERENCE_SPEEDUP:.0f}x faster than NVlabs' forward, uint8 difference <= "
        f"{REFERENCE_UINT8_DIFF}/255 (earlier measured: {EARLIER_MEASURED}x)"
    )
    sketches = sorted((data_dir() / "sketches").glob("*.png"))[: args.sketches]
    for threads in [int(t) for t in args.threads.split(",")]:
        torch.set_num_threads(threads)
        print()
        print(f"CPU threads: {torch.get_num_threads()}")
        header = (
            f"{'sketch':<16}{'NVlabs s':>9}{'plain s':>8}{'fast s':>7}{'fast/NV':>9}"
            f"{'NV cpu':>8}{'plain cpu':>10}{'fast cpu':>9}{'fast/NV':>9}{'uint8 diff':>11}"
        )
        print(header + f"   (reference: fast/NV >= {REFERENCE_SPEEDUP:.0f}x, diff <= {REFERENCE_UINT8_DIFF})")
        wall_speedups, cpu_speedups, worst = [], [], 0
        for path in sketches:
            labels, semantics = sketch_inputs(path, args.size, config)
            runs = {"nvlabs": (reference, semantics), "plain": (plain, semantics), "fast": (fast, labels)}
            wall: dict[str, list[float]] = {name: [] for name in runs}
            cpu: dict[str, list[float]] = {name: [] for name in runs}
            outputs = {}
            with torch.inference_mode():
                for _ in range(args.repeats):
                    for name, (network, inputs) in runs.items():
                        seconds, cpu_seconds, outputs[name] = timed(network, inputs)
                        wall[name].append(seconds)
                        cpu[name].append(cpu_seconds)
            diff = int(
                np.abs(
                    labels_to_image_array(outputs["fast"]).astype(int) - labels_to_image_array(outputs["nvlabs"])
                ).max()
            )
            w = {name: min(values) for name, values in wall.items()}
            c = {name: min(values) for name, values in cpu.items()}
            wall_speedups.append(w["nvlabs"] / w["fast"])
            cpu_speedups.append(c["nvlabs"] / c["fast"])
            worst = max(worst, diff)
            print(
                f"{path.stem:<16}{w['nvlabs']:>9.2f}{w['plain']:>8.2f}{w['fast']:>7.2f}{wall_speedups[-1]:>8.2f}x"
                f"{c['nvlabs']:>8.2f}{c['plain']:>10.2f}{c['fast']:>9.2f}{cpu_speedups[-1]:>8.2f}x{diff:>11d}"
            )
        for measure, speedups in (("wall", wall_speedups), ("CPU", cpu_speedups)):
            verdict = "meets" if min(speedups) >= REFERENCE_SPEEDUP and worst <= REFERENCE_UINT8_DIFF else "MISSES"
            print(
                f"{measure:>4} time: median fast/NVlabs {statistics.median(speedups):.2f}x, worst {min(speedups):.2f}x "
                f"(reference >= {REFERENCE_SPEEDUP:.0f}x); worst uint8 diff {worst} (reference <= "
                f"{REFERENCE_UINT8_DIFF}): {verdict} the reference at {threads} thread(s)"
            )


if __name__ == "__main__":
    main()
