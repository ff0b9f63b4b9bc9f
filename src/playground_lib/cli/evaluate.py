"""``playground evaluate``: score a generator by segmentation consistency (and FID when possible).

    playground evaluate --generator outputs/train/generator.safetensors \
        --train-data data/synthetic --eval-data held_out/
    playground evaluate --bundled            # the model shipped in the package, on fresh synthetic scenes

A small segmenter learns the classes from the real training images; the score is its mIoU on
images generated from the held-out label maps. FID is added when InceptionV3 weights are available.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from ._errors import UserError


def run(args: argparse.Namespace) -> int:
    import torch

    from ..spade.loading import BUNDLED_WEIGHTS, load_plain_generator
    from ..train.evaluate import evaluate_generator, load_folder

    if args.threads:
        torch.set_num_threads(args.threads)
    if args.bundled:
        args.generator = str(BUNDLED_WEIGHTS)
    if not args.generator:
        raise UserError(
            "give --generator FILE.safetensors (a generator file, e.g. from `playground train`) or --bundled"
        )
    if args.save_score and not args.generator.endswith(".safetensors"):
        raise UserError(f"{args.generator}: --save-score writes into a generator .safetensors file, not this one")
    try:
        generator = load_plain_generator(args.generator)
    except (FileNotFoundError, ValueError) as exc:
        raise UserError(str(exc)) from None
    size = args.size or generator.config.crop_size
    with tempfile.TemporaryDirectory() as tmp:
        train_dir, eval_dir = args.train_data, args.eval_data
        if train_dir is None:
            train_dir = _synthetic(Path(tmp) / "train", args.scenes, size, seed=0)
        if eval_dir is None:  # held out: seeds the training scenes never used
            eval_dir = _synthetic(Path(tmp) / "eval", args.eval_scenes, size, seed=100_000)
        try:
            train = load_folder(train_dir, size, args.split)
            held_out = load_folder(eval_dir, size, args.eval_split)
        except (FileNotFoundError, ValueError) as exc:
            raise UserError(str(exc)) from None
        report = evaluate_generator(generator, *train, *held_out, segmenter_steps=args.segmenter_steps, seed=args.seed)
    print(report.summary())
    if args.save_score:
        from ..spade.generator_file import add_generator_info

        evaluation = {
            **report.to_dict(),
            "command": "playground evaluate " + " ".join(args.argv_text),
            "segmenter_steps": args.segmenter_steps,
        }
        add_generator_info(args.generator, evaluation=evaluation)
        print(f"score written into {args.generator}")
    return 0


def _synthetic(folder: Path, n: int, size: int, seed: int) -> Path:
    from ..synthetic import write_scenes

    write_scenes(folder, n=n, size=size, seed=seed, progress=False)
    return folder


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "evaluate",
        help="score a trained generator (segmentation consistency, FID)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--generator", help="a generator file (.safetensors from `playground train`, or latest_net_G.pth)"
    )
    parser.add_argument("--bundled", action="store_true", help="evaluate the small model shipped in the package")
    parser.add_argument("--train-data", help="real images the judge segmenter learns from (default: synthetic scenes)")
    parser.add_argument("--eval-data", help="held-out real images and labels (default: unseen synthetic scenes)")
    parser.add_argument("--split", default="train")
    parser.add_argument("--eval-split", default="val")
    parser.add_argument(
        "--scenes", type=int, default=200, help="synthetic training scenes when --train-data is not given"
    )
    parser.add_argument(
        "--eval-scenes", type=int, default=48, help="synthetic held-out scenes when --eval-data is not given"
    )
    parser.add_argument("--size", type=int, default=None, help="image size (default: the generator's crop size)")
    parser.add_argument("--segmenter-steps", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument(
        "--save-score", action="store_true", help="store the score in the generator file (its metadata's info)"
    )
    parser.set_defaults(run=_with_argv(run))


def _with_argv(handler):
    import sys

    def wrapped(args):
        args.argv_text = sys.argv[2:] if len(sys.argv) > 2 else []
        return handler(args)

    return wrapped
