"""``playground demo``: the whole pipeline end to end on bundled data, CPU, offline (``make demo``)."""

from __future__ import annotations


def register(subparsers) -> None:
    p = subparsers.add_parser("demo", help="run the whole pipeline on bundled data and write pictures")
    p.add_argument("--out", default="outputs", help="output folder (default outputs/; pictures go to OUT/demo/)")
    p.add_argument("--quick", action="store_true", help="tiny sizes, a few seconds (what the tests run)")
    p.add_argument("--weights", default=None, help="official latest_net_G.pth or our .safetensors, if you have them")
    p.set_defaults(run=run)


def run(args) -> int:
    from ..demo import run_demo

    run_demo(args.out, quick=args.quick, weights=args.weights)
    return 0
