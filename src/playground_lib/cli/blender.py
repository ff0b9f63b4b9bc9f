"""``playground blender``: render 3-D playgrounds with exact labels (needs .venv-blender)."""

from __future__ import annotations

from pathlib import Path


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "blender", help="render 3-D playgrounds in Blender (image, label, instance PNGs + labelme JSON)"
    )
    p.add_argument("--n", type=int, default=4, help="how many scenes (default 4)")
    p.add_argument("--size", default="320x240", help="WIDTHxHEIGHT in pixels (default 320x240)")
    p.add_argument(
        "--samples", type=int, default=32, help="Cycles samples per pixel: more is less grainy and slower (default 32)"
    )
    p.add_argument("--seed", type=int, default=0, help="scene i uses seed SEED+i (default 0)")
    p.add_argument(
        "--python",
        type=Path,
        default=None,
        help="a Python with bpy (default: $PLAYGROUND_BLENDER_PYTHON or .venv-blender)",
    )
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.set_defaults(run=run)


def run(args) -> int:
    from ..synthetic import blender
    from ._errors import UserError

    try:
        width, height = (int(v) for v in args.size.lower().split("x"))
    except ValueError:
        raise UserError(f"--size {args.size!r}: write WIDTHxHEIGHT, e.g. 320x240") from None
    try:
        written = blender.render_scenes(
            args.out, args.n, size=(width, height), seed=args.seed, samples=args.samples, python=args.python
        )
    except (blender.BlenderUnavailable, ValueError) as exc:
        raise UserError(str(exc)) from None
    print(f"wrote {len(written)} rendered scenes to {args.out}")
    return 0
