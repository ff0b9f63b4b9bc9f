"""``playground background``: merge participants' sketches into a Gather (gather.town) background."""

from __future__ import annotations

from pathlib import Path

from ._diffusion import add_engine_options, engine_from, settings_from


def register(subparsers) -> None:
    p = subparsers.add_parser("background", help="merge sketches into a Gather background PNG + collision-tile guide")
    p.add_argument(
        "inputs",
        nargs="+",
        type=Path,
        metavar="SKETCH... OUT.png",
        help="sketch PNGs (ADE20K palette colours or label maps), then the output PNG",
    )
    p.add_argument(
        "--tiles", default="40x30", help="map size in 32-px tiles, columns x rows (default 40x30 = 1280x960 px)"
    )
    p.add_argument(
        "--mode",
        choices=("panels", "vote", "raw-vote"),
        default="panels",
        help="panels (default): sketches side by side, each whole; vote: every pixel takes the most painted "
        "class, smoothed, no region smaller than a tile; raw-vote: the vote unsmoothed",
    )
    p.add_argument(
        "--checkpoint",
        type=Path,
        default=None,
        help="paint with this SPADE generator file (default: the best at hand, official weights if cached, "
        "else the bundled model)",
    )
    p.add_argument(
        "--colours-only",
        action="store_true",
        help="no generator: the sketch colours, softly shaded (a quick preview of the layout)",
    )
    p.add_argument(
        "--window",
        type=int,
        default=None,
        help="paint (always 1:1) in windows of at most this many pixels a side (default 1024; less needs less memory)",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_engine_options(p)
    p.set_defaults(run=run)


def run(args) -> int:
    from .. import event
    from ..fileio import check_output_file
    from ._errors import UserError
    from ._options import in_range

    if len(args.inputs) < 2:
        raise UserError("give at least one sketch and then the output PNG")
    *sketches, out = args.inputs
    if out.suffix.lower() != ".png":
        raise UserError(f"{out}: the output must be a .png file (the last argument)")
    in_range("--window", args.window, 32, 4096, " pixels")  # a Gather map is at most 3,200 px a side
    check_output_file(out)  # before a generator paints for minutes
    missing = [str(s) for s in sketches if not s.is_file()]
    if missing:
        raise UserError(f"{missing[0]}: no such sketch file")
    try:
        tiles = event.parse_tiles(args.tiles)
        if args.colours_only and args.checkpoint:
            raise UserError("--colours-only paints without a generator: leave out --checkpoint")
        if args.engine == "diffusion" and (args.colours_only or args.checkpoint):
            raise UserError("--engine diffusion paints with its own models: leave out --colours-only and --checkpoint")
        if args.engine == "diffusion":
            settings_from(args)  # a bad knob is said before the models load
        maps = [event.as_label_map(sketch) for sketch in sketches]  # and a bad sketch too
        generate = engine_from(args) or (event.palette_generator if args.colours_only else _generator(args.checkpoint))
        result = event.make_background(
            maps, out, tiles, generate=generate, mode=args.mode, window=args.window, progress=not args.no_progress
        )
    except ValueError as exc:
        raise UserError(str(exc)) from None
    print(
        f"wrote {result.png} ({result.size[0]}x{result.size[1]} px = {tiles[0]}x{tiles[1]} tiles, "
        f"{result.bytes / 1e6:.2f} MB, {result.encoding}); guide: {result.guide_json}, {result.guide_png}"
    )
    return 0


def _generator(checkpoint: Path | None):
    """The SPADE generator: this file's, else the best at hand (torch is imported only here)."""
    from ._errors import UserError

    if checkpoint is not None and not checkpoint.is_file():
        raise UserError(f"{checkpoint}: no such checkpoint")
    from ..generator_choice import choose_generator
    from ..spade import load_generator

    try:
        generator = load_generator(checkpoint) if checkpoint is not None else choose_generator()
    except FileNotFoundError as exc:
        raise UserError(str(exc)) from None
    return generator
