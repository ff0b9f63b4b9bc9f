"""``playground edges``: pix2pix, the simplest form of the idea: line drawing in, picture out.

playground edges draw PICTURE.png EDGES.png                 # a picture's line drawing
playground edges train --out runs/lines [--minutes 8]       # learn from synthetic scenes (or --data SPADE_FOLDER)
playground edges train --out runs/lines --resume            # go on after an interruption
playground edges generate EDGES.png OUT.png --model runs/lines
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ._errors import UserError


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "edges",
        help="pix2pix: turn line drawings into playground pictures (draw, train, generate)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="edges_command", metavar="ACTION")
    sub.required = True

    draw = sub.add_parser("draw", help="the line drawing of a picture (black lines on white)")
    draw.add_argument("picture", type=Path, help="any picture file")
    draw.add_argument("out", type=Path, help="where to write the drawing (PNG)")
    draw.add_argument("--threshold", type=float, default=60.0, help="edge strength that makes a line (default 60)")
    draw.set_defaults(run=run_draw)

    train = sub.add_parser("train", help="train a small pix2pix on CPU within a time budget")
    train.add_argument("--out", type=Path, required=True, help="the run's folder (checkpoints, samples, model)")
    train.add_argument("--data", type=Path, help="a SPADE folder or scene folder (default: draw synthetic scenes)")
    train.add_argument("--minutes", type=float, help="training time (default 8)")
    train.add_argument("--size", type=int, help="picture side in pixels, a multiple of 16 (default 128)")
    train.add_argument("--steps", type=int, help="stop at this step even if time is left")
    train.add_argument("--scenes", dest="scene_count", type=int, help="synthetic scenes to draw (default 600)")
    train.add_argument("--ngf", type=int, help="generator width (default 32)")
    train.add_argument("--ndf", type=int, help="critic width (default 32)")
    train.add_argument("--batch", dest="batch_size", type=int, help="pairs per step (default 4)")
    train.add_argument("--sample-minutes", dest="sample_minutes", type=float, help="minutes between samples (2)")
    train.add_argument("--threads", type=int, help="CPU threads (default: torch's choice)")
    train.add_argument("--quiet", dest="progress", action="store_const", const=False, default=None)
    train.add_argument("--resume", action="store_true", help="continue the run saved in --out")
    train.set_defaults(run=run_train)

    generate = sub.add_parser("generate", help="paint a line drawing with a trained model")
    generate.add_argument("drawing", type=Path, help="black lines on white (any picture file)")
    generate.add_argument("out", type=Path, help="where to write the picture (PNG)")
    generate.add_argument("--model", type=Path, required=True, help="a run folder of `edges train` or its model file")
    generate.set_defaults(run=run_generate)


def _drawing(path: Path):
    from ..pix2pix.edges import DrawingError, read_drawing

    try:
        return read_drawing(path)
    except DrawingError as exc:
        raise UserError(str(exc)) from None


def run_draw(args) -> int:
    from ..error_line import first_line
    from ..fileio import check_output_file, write_png
    from ..labelme.image import read_upright_rgb
    from ..pix2pix.edges import edges_from_picture

    check_output_file(args.out)  # cli.main prints an OutputError as one line
    if not args.picture.is_file():
        raise UserError(f"{args.picture}: no such picture file")
    try:
        picture = read_upright_rgb(args.picture)  # turned upright, 16-bit kept: as every photo is read
    except Exception as exc:  # PIL raises many kinds of errors for files that are not pictures
        raise UserError(f"{args.picture}: not a readable picture ({first_line(exc)})") from None
    drawing = edges_from_picture(picture, args.threshold)
    write_png(args.out, drawing)
    print(f"wrote {args.out} ({drawing.shape[1]}x{drawing.shape[0]}, {(drawing == 0).mean():.0%} ink)")
    return 0


def run_train(args) -> int:
    from ..fileio import check_output_folder
    from ..pix2pix.train import Pix2PixConfig, Pix2PixTrainer
    from ..train.checkpoint import CheckpointError, has_checkpoint
    from ..train.dataset import DatasetError

    check_output_folder(args.out)  # before scenes are drawn or a minute of training is spent
    if args.data is not None and not args.data.is_dir():
        raise UserError(f"{args.data}: no such training folder")
    given = {
        name: getattr(args, name)
        for name in ("minutes", "size", "steps", "scene_count", "ngf", "ndf", "batch_size", "sample_minutes", "threads")
        if getattr(args, name) is not None
    }
    if args.progress is not None:
        given["progress"] = args.progress
    if args.data is not None:
        given["data"] = str(args.data)
    try:
        if has_checkpoint(args.out):
            if not args.resume:
                raise UserError(f"{args.out}: already holds a training run; pass --resume to go on, or another --out")
            trainer = Pix2PixTrainer.resume(args.out, **given)
        else:
            trainer = Pix2PixTrainer(Pix2PixConfig(out_dir=str(args.out), **given))
    except (ValueError, DatasetError, CheckpointError, FileNotFoundError) as exc:
        raise UserError(str(exc)) from None
    trainer.fit()
    print(f"trained to step {trainer.step}: samples in {args.out}/samples, model {args.out}/model.safetensors")
    return 0


def run_generate(args) -> int:
    from ..fileio import check_output_file, write_png
    from ..pix2pix.train import load_model, paint

    check_output_file(args.out)
    drawing = _drawing(args.drawing)
    try:
        generator, meta = load_model(args.model)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    picture = paint(generator, drawing, int(meta["size"]))
    write_png(args.out, picture)
    print(f"wrote {args.out} ({picture.shape[1]}x{picture.shape[0]})")
    return 0
