"""Train the small generator that ships inside the package (``playground_lib/models/``).

    .venv/bin/python scripts/train_bundled_model.py --minutes 60 --work outputs/bundled_training

Draws synthetic playground scenes at 128×128, trains a compact SPADE (ngf 12, only the 18
playground classes + "other" as input channels: several times cheaper on a CPU) for a wall-clock
budget, resuming from the work folder if it has checkpoints, then exports the EMA generator as
the equivalent full 151-channel model in fp16, a generator file whose metadata records the config,
command, steps and time (``spade.generator_file``). ``--export-only`` skips training. The
segmentation-consistency score is added by ``playground evaluate --bundled --save-score``.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path

import torch

from playground_lib.labels import playground_classes
from playground_lib.spade.loading import BUNDLED_WEIGHTS
from playground_lib.synthetic import write_scenes
from playground_lib.train import TrainConfig, Trainer
from playground_lib.train.checkpoint import latest_checkpoint

CLASSES = [0] + sorted(c.ade20k_value for c in playground_classes())


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", default="outputs/bundled_training")
    ap.add_argument("--minutes", type=float, default=60.0)
    ap.add_argument("--scenes", type=int, default=400)
    ap.add_argument("--size", type=int, default=128)
    ap.add_argument("--ngf", type=int, default=12)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--export-only", action="store_true")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    work = Path(args.work)
    scenes = work / "scenes"
    if not (scenes / f"scene_{args.scenes - 1:04d}_label.png").exists():
        write_scenes(scenes, n=args.scenes, size=args.size, seed=0)
    cfg = TrainConfig(
        data_dir=str(scenes),
        out_dir=str(work / "run"),
        load_size=args.size,
        crop_size=args.size,
        flip=True,
        classes=CLASSES,
        ngf=args.ngf,
        ndf=32,
        num_D=2,
        n_layers_D=4,
        batch_size=1,
        steps=10**6,
        ema_decay=0.999,
        use_vgg=False,
        seed=0,
        sample_every=100,
        checkpoint_every=100,
        threads=args.threads,
        progress=True,
    )
    if latest_checkpoint(cfg.out_dir) is not None:
        trainer = Trainer.resume(cfg.out_dir, threads=args.threads)
    else:
        trainer = Trainer(cfg)
    if not args.export_only:
        deadline = time.monotonic() + args.minutes * 60
        while time.monotonic() < deadline:
            trainer.fit(trainer.step + cfg.checkpoint_every)  # whole chunks: samples and checkpoints every 100 steps
        trainer.save()
        trainer.write_samples()
    info = {
        "description": "Small SPADE generator trained on CPU on procedural playground scenes "
        "(playground_lib.synthetic); trained compact on the playground classes, shipped as the equivalent "
        "151-channel model.",
        "training_command": "python scripts/train_bundled_model.py "
        + " ".join(shlex.quote(a) for a in (argv or sys.argv[1:])),
        "training_hardware": f"CPU, {args.threads} torch thread(s), shared machine",
        "vgg_loss": False,
    }
    out = trainer.export_generator(BUNDLED_WEIGHTS, half=True, expand=True, info=info)
    print(
        f"exported {out} ({out.stat().st_size / 1e6:.1f} MB) after {trainer.step} steps, {trainer.seconds / 60:.1f} min"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
