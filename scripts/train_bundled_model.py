"""Train the small generator that ships inside the package (``playground_lib/models/``), on CPU or CUDA.

    # a folder of scenes written beforehand (playground synth, Blender renders, ...) or drawn here:
    python scripts/train_bundled_model.py --draw 1000 --work outputs/bundled_training --minutes 90
    python scripts/train_bundled_model.py --data data/synthetic --device cuda --ngf 16 --batch 8 \\
        --minutes 20 --out src/playground_lib/models/bundled_generator.safetensors
    # continue from the model shipped today (a CPU can afford a fine-tune at 256², not a fresh start):
    python scripts/train_bundled_model.py --draw 1000 --finetune-from bundled --threads 1 --minutes 90

Trains a compact SPADE (only the 18 playground classes + "other" as input channels: several times
cheaper than 151) at 256² for a wall-clock budget, resuming from ``--work`` if it has checkpoints,
then exports the EMA generator in fp16 to ``--out`` as the equivalent 151-channel model, or compact
with ``--compact`` (the file records config, command, steps, time and hardware:
``spade.generator_file``) and measures it on
fixed unseen layouts (``train.quality``: gradient-energy ratio, per-class colour/texture distance,
paired L1), recording the figures in the file. ``--export-only`` skips training. The VGG
perceptual loss is used when torchvision and its VGG19 weights are present (``--vgg``); without
them the trainer says so and trains without it. The segmentation-consistency score is added by
``playground evaluate --generator OUT --save-score``.
"""

from __future__ import annotations

import argparse
import contextlib
import shlex
import sys
import time
from pathlib import Path

import torch

from playground_lib.labels import playground_classes
from playground_lib.spade.generator_file import add_generator_info
from playground_lib.spade.loading import BUNDLED_WEIGHTS
from playground_lib.synthetic import write_scenes
from playground_lib.train import TrainConfig, Trainer
from playground_lib.train.checkpoint import latest_checkpoint
from playground_lib.train.trainer import resolve_device

CLASSES = [0] + sorted(c.ade20k_value for c in playground_classes())


def parse(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", default="outputs/bundled_training", help="checkpoints, samples, drawn scenes")
    ap.add_argument("--data", help="a folder of scenes (or a SPADE folder) to train on")
    ap.add_argument("--draw", type=int, default=0, help="draw this many procedural scenes into WORK/scenes first")
    ap.add_argument("--out", help="where the generator file goes (default: WORK/bundled_generator.safetensors)")
    ap.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    ap.add_argument("--minutes", type=float, default=90.0)
    ap.add_argument("--size", type=int, default=256, help="scenes are read at this size")
    ap.add_argument(
        "--crop",
        type=int,
        help="train on random crops this big (default: the whole scene); the texture stays at --size's scale, "
        "each step costs (crop/size)² as much, and the generator, being convolutional, still paints whole scenes",
    )
    ap.add_argument("--ema", type=float, default=0.999, help="decay of the exported moving average of the weights")
    ap.add_argument("--ngf", type=int, default=12)
    ap.add_argument(
        "--compact",
        action="store_true",
        help="ship the compact model (its class list inside, expanded when loaded) instead of the 151-channel "
        "one: the label inputs then cost 19 channels, not 151, which is what lets ngf 16 fit in 25 MB",
    )
    ap.add_argument("--batch", type=int, default=2)
    ap.add_argument("--lr-g", type=float, default=1e-4)
    ap.add_argument("--lr-d", type=float, default=4e-4)
    ap.add_argument("--finetune-from", help="a generator file to start from, or 'bundled' for the shipped model")
    ap.add_argument("--vgg", action="store_true", help="perceptual loss (needs torchvision + VGG19 weights)")
    ap.add_argument("--threads", type=int, default=1, help="CPU threads for torch")
    ap.add_argument("--chunk", type=int, default=50, help="steps between checkpoints and sample grids")
    ap.add_argument("--eval-layouts", type=int, default=24, help="unseen layouts the exported model is measured on")
    ap.add_argument("--export-only", action="store_true")
    args = ap.parse_args(argv)
    if args.data is None and args.draw <= 0:
        ap.error("give --data FOLDER (scenes written beforehand) or --draw N (draw N procedural scenes)")
    if args.device == "cuda" and not torch.cuda.is_available():
        ap.error("--device cuda: no CUDA device is available here")
    return args


def data_folder(args: argparse.Namespace) -> Path:
    if args.data:
        folder = Path(args.data)
        if not folder.is_dir():
            raise SystemExit(f"error: --data {folder}: no such folder")
        return folder
    folder = Path(args.work) / "scenes"
    if not (folder / f"scene_{args.draw - 1:04d}_label.png").exists():
        write_scenes(folder, n=args.draw, size=args.size, seed=0)
    return folder


def config(args: argparse.Namespace, data: Path) -> TrainConfig:
    finetune = str(BUNDLED_WEIGHTS) if args.finetune_from == "bundled" else args.finetune_from
    return TrainConfig(
        data_dir=str(data),
        out_dir=str(Path(args.work) / "run"),
        load_size=args.size,
        crop_size=args.crop or args.size,
        flip=True,
        classes=CLASSES,
        ngf=args.ngf,
        ndf=32,
        num_D=2,
        n_layers_D=4,
        batch_size=args.batch,
        steps=10**6,
        lr_g=args.lr_g,
        lr_d=args.lr_d,
        ema_decay=args.ema,
        use_vgg=args.vgg,
        seed=0,
        device=args.device,
        sample_every=args.chunk,
        checkpoint_every=args.chunk,
        threads=args.threads,
        finetune_from=finetune,
        progress=True,
    )


class _BudgetSpent(Exception):
    """Raised between two steps when the wall-clock budget is spent: training stops mid-chunk."""


def train(trainer: Trainer, minutes: float) -> None:
    """Train until the wall-clock budget is spent, then checkpoint and write a sample grid."""
    deadline = time.monotonic() + minutes * 60

    def stop_when_spent(_trainer: Trainer, _record: dict) -> None:
        if time.monotonic() >= deadline:
            raise _BudgetSpent

    with contextlib.suppress(_BudgetSpent):
        trainer.fit(10**9, on_step=stop_when_spent)
    trainer.save()
    trainer.write_samples()


def declare_scene_size(path: Path, size: int) -> None:
    """Record ``size`` as the model's native size when it learnt on crops: the texture scale it paints is the
    scenes', and ``playground evaluate`` and the painter read the size from the file's config."""
    import dataclasses

    from playground_lib.spade.generator_file import read_generator, read_generator_info, save_generator

    state, config, classes = read_generator(path)
    if config.crop_size != size:
        info = {**read_generator_info(path), "trained_on_crops_of": config.crop_size}
        save_generator(path, state, dataclasses.replace(config, crop_size=size), classes, half=True, info=info)


def measure(path: Path, layouts: int, size: int) -> dict:
    from playground_lib.spade.loading import load_plain_generator
    from playground_lib.train.evaluate import generate_from_labels
    from playground_lib.train.quality import UNSEEN_SEED, quality_figures, unseen_layouts

    reals, labels = unseen_layouts(layouts, size)
    fakes = generate_from_labels(load_plain_generator(path), labels).clamp(-1, 1)
    return {**quality_figures(fakes, reals, labels), "layout_seeds_from": UNSEEN_SEED}


def main(argv=None) -> int:
    args = parse(argv)
    torch.set_num_threads(args.threads)
    work = Path(args.work)
    cfg = config(args, data_folder(args))
    if latest_checkpoint(cfg.out_dir) is not None:
        trainer = Trainer.resume(cfg.out_dir, threads=args.threads)
    else:
        trainer = Trainer(cfg)
    device = trainer.device
    if not args.export_only:
        train(trainer, args.minutes)
    hardware = (
        f"CUDA ({torch.cuda.get_device_name(device)})"
        if device.type == "cuda"
        else f"CPU, {args.threads} torch thread(s), shared machine"
    )
    info = {
        "description": "Small SPADE generator trained on procedural playground scenes (playground_lib.synthetic) "
        "at 256x256; trained compact on the playground classes, "
        + (
            "shipped compact (expanded when loaded)."
            if args.compact
            else "shipped as the equivalent 151-channel model."
        ),
        "training_command": "python scripts/train_bundled_model.py "
        + " ".join(shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:])),
        "training_hardware": hardware,
        "vgg_loss": trainer.vgg is not None,
        "vgg_note": trainer.vgg_note,
        "finetuned_from": cfg.finetune_from,
    }
    out = Path(args.out) if args.out else work / "bundled_generator.safetensors"
    trainer.export_generator(out, half=True, expand=not args.compact, info=info)
    declare_scene_size(out, args.size)
    quality = measure(out, args.eval_layouts, args.size)
    add_generator_info(out, quality=quality)
    print(
        f"exported {out} ({out.stat().st_size / 1e6:.1f} MB) after {trainer.step} steps"
        f" of batch {trainer.cfg.batch_size}, {trainer.seconds / 60:.1f} min on {resolve_device(args.device)}"
        f"; quality on unseen layouts: {quality}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
