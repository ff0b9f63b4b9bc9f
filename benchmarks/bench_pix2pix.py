"""pix2pix after its default CPU training: does it paint unseen drawings better than a flat picture?

    .venv/bin/python benchmarks/bench_pix2pix.py --model RUN [--unseen 64] [--step-samples 20]
    .venv/bin/python benchmarks/bench_pix2pix.py --train RUN [--minutes 8] [--threads 2]   # train first
    .venv/bin/python benchmarks/bench_pix2pix.py      # (`make bench`) trains the default run in a temporary folder

On synthetic layouts no run trains on (seeds from 100,000), it prints the L1 distance (0..255
pixel units) of the generated pictures to the real renders beside the reference: the L1 of the
best flat picture, the training pairs' mean colour (what a model that ignores the drawing learns
first). It also times training steps with the run's settings (the median of ``--step-samples``
steps after two warm-up steps) and prints the run's own record: steps, training seconds and the
machine's load average while it ran, because other work on the machine slows every figure here.
It writes ``RUN/bench_unseen.png`` (drawing | real | generated) to look at.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path


def train(run: Path, minutes: float, threads: int) -> None:
    from playground_lib.pix2pix.train import Pix2PixConfig, Pix2PixTrainer

    started = time.perf_counter()
    trainer = Pix2PixTrainer.start_or_resume(Pix2PixConfig(out_dir=str(run), minutes=minutes, threads=threads))
    print(f"pairs ready after {time.perf_counter() - started:.0f} s (scenes drawn and read)")
    trainer.fit()
    print(
        f"default training: {trainer.step} steps, {trainer.seconds:.0f} s of training, "
        f"{time.perf_counter() - started:.0f} s in all; load average now {os.getloadavg()[0]:.2f}"
    )


def step_time(run: Path, samples: int) -> float:
    import torch

    from playground_lib.pix2pix.train import Pix2PixConfig, Pix2PixTrainer, unseen_pairs

    cfg = Pix2PixConfig.from_dict(json.loads((run / "config.json").read_text()))
    cfg.out_dir, cfg.progress = str(run / ".bench_steps"), False
    trainer = Pix2PixTrainer(cfg, pairs=unseen_pairs(16, cfg.size, seed=200_000))
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    for _ in range(2):
        trainer.train_step()
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        trainer.train_step()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, help="a run folder of `playground edges train`")
    parser.add_argument("--train", type=Path, help="train the default run into this folder first")
    parser.add_argument("--minutes", type=float, default=8.0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--unseen", type=int, default=64, help="unseen layouts to score (default 64)")
    parser.add_argument("--step-samples", type=int, default=20)
    args = parser.parse_args()
    if args.train is None and args.model is None:
        import tempfile

        args.train = Path(tempfile.mkdtemp(prefix="bench_pix2pix_")) / "run"
    run = args.train or args.model
    print(f"load average before: {os.getloadavg()[0]:.2f} (other work on this machine slows every figure)")
    if args.train:
        train(args.train, args.minutes, args.threads)

    import torch

    from playground_lib.fileio import write_png
    from playground_lib.pix2pix.train import load_model, mean_l1, sample_grid, unseen_pairs

    generator, meta = load_model(run)
    size = int(meta["size"])
    unseen = unseen_pairs(args.unseen, size)
    scenes = run / "scenes"
    training_mean = None
    if scenes.is_dir():
        from playground_lib.pix2pix.train import load_pairs

        training_mean = load_pairs(scenes, size).mean_colour()
    mean = training_mean if training_mean is not None else unseen.mean_colour()
    with torch.no_grad():
        generated = torch.cat([generator(unseen.drawings[i : i + 16]) for i in range(0, len(unseen), 16)])
    flat = mean[None, :, None, None].expand_as(unseen.pictures)
    model_l1, flat_l1 = mean_l1(generated, unseen.pictures), mean_l1(flat, unseen.pictures)
    write_png(run / "bench_unseen.png", sample_grid(unseen.drawings[:6], unseen.pictures[:6], generated[:6]))
    print(
        f"model: {meta.get('steps')} steps, {meta.get('training_seconds')} s of training, size {size}, {meta['shape']}"
    )
    print(
        f"L1 on {len(unseen)} unseen layouts (0..255): generated {model_l1:.1f}  |  reference, flat mean colour "
        f"({'training set' if training_mean is not None else 'unseen set'}): {flat_l1:.1f}  "
        f"->  {flat_l1 / model_l1:.2f}x better"
    )
    print(
        f"seconds per training step (median of {args.step_samples}): {step_time(run, args.step_samples):.3f}; "
        f"load average now {os.getloadavg()[0]:.2f}"
    )
    print(f"look at {run / 'bench_unseen.png'} (drawing | real | generated)")


if __name__ == "__main__":
    main()
