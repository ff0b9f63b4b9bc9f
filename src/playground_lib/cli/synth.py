"""``playground synth``: draw synthetic playground scenes with exact labelme annotations."""

from __future__ import annotations

from pathlib import Path

MAX_SCENES = 100_000
MAX_SIZE = 4096


def register(subparsers) -> None:
    p = subparsers.add_parser("synth", help="draw synthetic playgrounds (image, label, instance PNGs + labelme JSON)")
    p.add_argument("--n", type=int, default=8, help="how many scenes (default 8)")
    p.add_argument("--size", type=int, default=256, help="side length in pixels (default 256)")
    p.add_argument("--seed", type=int, default=0, help="scene i uses seed SEED+i (default 0)")
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.set_defaults(run=run)


def run(args) -> int:
    from ..synthetic import write_scenes
    from ._options import in_range

    in_range("--n", args.n, 1, MAX_SCENES)
    in_range("--size", args.size, 16, MAX_SIZE, " pixels")  # 100,000 px would need 112 GiB for one scene
    in_range("--seed", args.seed, 0)
    written = write_scenes(args.out, args.n, size=args.size, seed=args.seed)
    print(f"wrote {len(written)} scenes to {args.out}")
    return 0
