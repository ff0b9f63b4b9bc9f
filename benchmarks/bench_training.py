"""Training speed on this CPU: steps/s at 128² and 256², peak memory, and the bundled model's score.

    .venv/bin/python benchmarks/bench_training.py [--threads 1] [--steps 5] [--sizes 128 256]

Each size runs in its own process (so peak memory is that run's own), with the bundled model's
settings (compact classes, ngf 12, ndf 32, two critics, batch 1). Reference printed beside the
figures: the bundled model's own training log (steps and seconds in bundled_generator.safetensors' metadata).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

CLASSES = [0, 2, 3, 5, 10, 13, 14, 18, 22, 33, 35, 39, 47, 53, 67, 69, 70, 94, 109]


def one_run(size: int, steps: int, threads: int, ngf: int) -> dict:
    import torch

    torch.set_num_threads(threads)
    from playground_lib.synthetic import write_scenes
    from playground_lib.train import TrainConfig, Trainer

    with tempfile.TemporaryDirectory() as tmp:
        write_scenes(f"{tmp}/scenes", n=4, size=size, seed=0, progress=False)
        cfg = TrainConfig(
            data_dir=f"{tmp}/scenes",
            out_dir=f"{tmp}/run",
            load_size=size,
            crop_size=size,
            classes=CLASSES,
            ngf=ngf,
            ndf=32,
            batch_size=1,
            steps=steps + 2,
            sample_every=10**6,
            checkpoint_every=10**6,
            progress=False,
            use_vgg=False,
        )
        trainer = Trainer(cfg)
        trainer.fit(2)  # warm-up
        start = time.perf_counter()
        trainer.fit(steps + 2)
        seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"size": size, "steps_per_s": steps / seconds, "s_per_step": seconds / steps, "peak_rss_mb": peak_mb}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--ngf", type=int, default=12)
    ap.add_argument("--sizes", type=int, nargs="+", default=[128, 256])
    ap.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(one_run(args.child, args.steps, args.threads, args.ngf)))
        return 0
    print(
        f"SPADE training on CPU ({os.cpu_count()} cores, {args.threads} torch thread(s)), ngf {args.ngf}, "
        f"{len(CLASSES)} compact classes, ndf 32, 2 critics, batch 1, no VGG"
    )
    for size in args.sizes:
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                str(size),
                "--steps",
                str(args.steps),
                "--threads",
                str(args.threads),
                "--ngf",
                str(args.ngf),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"  {size}x{size}: {r['steps_per_s']:.3f} steps/s ({r['s_per_step']:.2f} s/step), "
            f"peak memory {r['peak_rss_mb']:.0f} MB"
        )
    from playground_lib.spade.generator_file import read_generator_info
    from playground_lib.spade.loading import BUNDLED_WEIGHTS

    if BUNDLED_WEIGHTS.exists():
        meta = read_generator_info(BUNDLED_WEIGHTS)
        steps, secs = meta.get("steps"), meta.get("training_seconds")
        print(
            f"reference: the bundled model trained {steps} steps in {secs / 60:.0f} min on this shared CPU "
            f"({steps / secs:.3f} steps/s, including samples and checkpoints)"
        )
        ev = meta.get("evaluation", {})
        if ev:
            print(
                "bundled model segmentation consistency: "
                f"mIoU {ev['segmentation_consistency_miou']:.3f} on generated images "
                f"(judge on real held-out images: {ev['segmenter_miou_on_real_images']:.3f})"
            )
            print(f"FID: {ev['fid']}" if ev.get("fid") is not None else ev.get("fid_note", ""))
    else:
        print(f"{BUNDLED_WEIGHTS} not found: train it with scripts/train_bundled_model.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())
