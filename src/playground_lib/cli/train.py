"""``playground train``: train a SPADE generator on a SPADE folder or synthetic scenes.

playground train --data data/synthetic --out outputs/train --steps 2000 --crop-size 128 --ngf 16
playground train my_run.yaml --resume          # settings from a JSON/YAML file, flags override
torchrun --nproc_per_node 4 -m playground_lib.train.ddp --data ... --out ...   # several GPUs
"""

from __future__ import annotations

import argparse

from ._errors import UserError


def run(args: argparse.Namespace) -> int:
    from ..process_lock import FolderLocked, hold
    from ..train.launch import LaunchError, check_outputs, config_and_given, make_trainer

    try:
        config = config_and_given(args)
        out_dir = config[0].out_dir
        check_outputs(out_dir, args.export)
        with hold(out_dir, "training"):  # a second training here would delete this one's saves
            trainer = make_trainer(args, config=config)
            trainer.fit()
            out = trainer.cfg.out_dir
            print(f"trained to step {trainer.step}: samples in {out}/samples, checkpoints in {out}/checkpoints")
            if args.export:
                print(f"generator saved to {trainer.export_generator(args.export)}")
    except (LaunchError, FolderLocked) as exc:
        raise UserError(str(exc)) from None
    return 0


def register(subparsers) -> None:
    from ..train.launch import add_arguments

    parser = subparsers.add_parser(
        "train",
        help="train a SPADE (GauGAN) generator on your own playground set",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser)
    parser.set_defaults(run=run)
