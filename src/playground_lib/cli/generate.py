"""``playground generate SKETCH.png OUT.png``: paint a playground from a colour sketch with SPADE."""

from __future__ import annotations

from pathlib import Path


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "generate",
        help="generate a playground picture from a colour sketch (SPADE, official ADE20K weights or the bundled model)",
    )
    p.add_argument("sketch", type=Path, help="colour PNG painted with the ADE20K class colours")
    p.add_argument("out", type=Path, help="where to write the generated picture (PNG)")
    p.add_argument(
        "--weights",
        type=Path,
        help="latest_net_G.pth, a .safetensors from `playground weights`-style conversion, or checkpoints.tar.gz",
    )
    p.add_argument(
        "--size", type=int, default=256, help="output width in pixels, rounded to a multiple of 32 (default 256)"
    )
    p.add_argument(
        "--download", action="store_true", help="download the official ADE20K weights if they are not cached"
    )
    p.add_argument(
        "--bundled", action="store_true", help="use the small bundled model even if official weights are cached"
    )
    p.add_argument("--all-classes", action="store_true", help="snap off-palette colours to all 150 ADE20K classes")
    p.add_argument(
        "--unknown-as-other",
        action="store_true",
        help="paint colours that match no class as 'other' instead of stopping",
    )
    p.set_defaults(run=run)


def run(args) -> int:
    from ..fileio import OutputError, check_output_file, write_png
    from ..sketch import SketchError, read_sketch
    from ._errors import UserError

    if args.size < 32 or args.size > 2048:
        raise UserError(f"--size must be between 32 and 2048 pixels, got {args.size}")
    if not args.sketch.is_file():
        raise UserError(f"{args.sketch}: no such sketch file")
    try:
        check_output_file(args.out)  # before the generator loads and paints for a minute
    except OutputError as exc:
        raise UserError(str(exc)) from None
    try:
        reading = read_sketch(
            args.sketch,
            classes="all" if args.all_classes else "schema",
            on_unknown="other" if args.unknown_as_other else "error",
            fit_width=args.size,  # a huge sketch is shrunk (nearest) before its colours are read
        )
    except SketchError as exc:
        raise UserError(str(exc)) from None
    print(f"{args.sketch}: {reading.summary()}")

    generator = _generator(args, UserError)
    image = generator.generate(reading.labels, size=args.size)
    write_png(args.out, image)
    print(f"wrote {args.out} ({image.shape[1]}x{image.shape[0]})")
    return 0


def _generator(args, UserError):
    from .. import weights as official
    from ..generator_choice import choose_generator
    from ..spade import load_generator

    try:
        if args.bundled:
            return load_generator(None)
        if args.weights is not None:
            return choose_generator(args.weights)
        return choose_generator(allow_download=args.download)
    except official.WeightsUnavailable as exc:
        raise UserError(str(exc)) from None
    except (FileNotFoundError, ValueError) as exc:
        raise UserError(str(exc)) from None
