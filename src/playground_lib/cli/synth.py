"""``playground synth``: draw synthetic playground scenes with exact labelme annotations."""

from __future__ import annotations

from pathlib import Path


def register(subparsers) -> None:
    p = subparsers.add_parser("synth", help="draw synthetic playgrounds (image, label, instance PNGs + labelme JSON)")
    p.add_argument("--n", type=int, default=8, help="how many scenes (default 8)")
    p.add_argument("--size", type=int, default=256, help="side length in pixels (default 256)")
    p.add_argument("--seed", type=int, default=0, help="scene i uses seed SEED+i (default 0)")
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.set_defaults(run=run)


def run(args) -> int:
    from ..synthetic import write_scenes
    from ._errors import UserError

    if args.n < 1:
        raise UserError(f"--n must be at least 1, got {args.n}")
    if args.size < 16:
        raise UserError(f"--size must be at least 16 pixels, got {args.size}")
    written = write_scenes(args.out, args.n, size=args.size, seed=args.seed)
    print(f"wrote {len(written)} scenes to {args.out}")
    return 0
