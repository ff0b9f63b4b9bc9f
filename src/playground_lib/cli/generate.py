"""``playground generate SKETCH.png OUT.png``: paint a playground from a colour sketch with SPADE."""

from __future__ import annotations

from pathlib import Path

from ._diffusion import add_engine_options, engine_from, settings_from


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "generate",
        help="generate a playground picture from a colour sketch (SPADE, official ADE20K weights or the bundled model; "
        "or words + sketch with --engine diffusion)",
    )
    p.add_argument("sketch", type=Path, help="colour PNG painted with the ADE20K class colours")
    p.add_argument("out", type=Path, help="where to write the generated picture (PNG)")
    p.add_argument(
        "--weights",
        type=Path,
        help="latest_net_G.pth, a generator .safetensors, checkpoints.tar.gz, or a folder holding one "
        "(default: $PLAYGROUND_SPADE_WEIGHTS)",
    )
    p.add_argument(
        "--weights-url",
        metavar="URL",
        help="a link to one of those (https://, or a Google Drive share link), downloaded once and kept "
        "(default: $PLAYGROUND_SPADE_WEIGHTS_URL)",
    )
    p.add_argument(
        "--size",
        type=int,
        default=None,
        help="output width in pixels, rounded to a multiple of 32 for SPADE (default 256), of 8 for diffusion "
        "(default: the shorter side 512 px)",
    )
    p.add_argument(
        "--download",
        action="store_true",
        help="download the official ADE20K weights from NVlabs' Google Drive if they are not cached",
    )
    p.add_argument(
        "--bundled", action="store_true", help="use the small bundled model even if official weights are cached"
    )
    p.add_argument("--all-classes", action="store_true", help="snap off-palette colours to all 150 ADE20K classes")
    p.add_argument(
        "--condition-out",
        type=Path,
        default=None,
        help="with --engine diffusion: also write the exact condition image the ControlNet is shown (PNG)",
    )
    add_engine_options(p)
    p.add_argument(
        "--unknown-as-other",
        action="store_true",
        help="paint colours that match no class as 'other' instead of stopping",
    )
    p.set_defaults(run=run)


def run(args) -> int:
    from ..fileio import check_output_file, write_png
    from ..sketch import SketchError, read_sketch
    from ._errors import UserError
    from ._options import in_range

    in_range("--size", args.size, 32, 2048, " pixels")
    if not args.sketch.is_file():
        raise UserError(f"{args.sketch}: no such sketch file")
    if args.condition_out is not None and args.engine != "diffusion":
        raise UserError("--condition-out writes what the ControlNet is shown: it needs --engine diffusion")
    for path in (args.out, args.condition_out):  # before the generator loads and paints for a minute
        if path is not None:
            check_output_file(path)  # cli.main prints an OutputError as one line
    if args.engine == "diffusion":
        if args.weights or args.weights_url or args.bundled or args.download:
            raise UserError(
                "--weights, --weights-url, --bundled and --download choose SPADE weights: not with --engine diffusion"
            )
        settings_from(args)  # a bad knob is said before any work
    try:
        reading = read_sketch(
            args.sketch,
            classes="all" if args.all_classes else "schema",
            on_unknown="other" if args.unknown_as_other else "error",
            # a huge sketch is shrunk (nearest) before its colours are read
            fit_width=args.size or (1024 if args.engine == "diffusion" else 256),
        )
    except SketchError as exc:
        raise UserError(str(exc)) from None
    print(f"{args.sketch}: {reading.summary()}")
    engine = engine_from(args)  # None for SPADE; a missing extra or model stops here, in one paragraph
    if engine is not None:
        image = _paint_with_words(engine, reading.labels, args)
    else:
        image = _generator(args, UserError).generate(reading.labels, size=args.size or 256)
    write_png(args.out, image)
    print(f"wrote {args.out} ({image.shape[1]}x{image.shape[0]})")
    return 0


def _paint_with_words(engine, labels, args):
    from ..diffusion.engine import GenerationStopped
    from ..fileio import write_png
    from ._errors import UserError

    print(f"Using {engine.description}: {engine.settings.prompt!r}, seed {engine.settings.seed}.")
    try:
        image = engine.paint(labels, size=args.size)
    except GenerationStopped as exc:
        raise UserError(str(exc)) from None
    if args.condition_out is not None:
        write_png(args.condition_out, engine.last_condition)
        print(f"wrote {args.condition_out}: the condition image the ControlNet was shown")
    return image


def _generator(args, UserError):
    from .. import weights as official
    from ..generator_choice import choose_generator
    from ..spade import load_generator

    try:
        if args.bundled:
            return load_generator(None)
        return choose_generator(
            args.weights, args.download, args.weights_url, names=official.CLI_NAMES, fall_back=False
        )
    except (official.WeightsUnavailable, OSError, ValueError) as exc:
        raise UserError(str(exc)) from None
