"""Training on several processes with DistributedDataParallel, started by ``torchrun``.

    torchrun --nproc_per_node 4 -m playground_lib.train.ddp --data DIR --out DIR --steps 20000
    torchrun --nproc_per_node 2 -m playground_lib.train.ddp --device cpu ...   # two CPU processes

Takes the same flags (or config file) as ``playground train``. Each process trains on its own
share of every epoch (a DistributedSampler); gradients are averaged by DDP (NCCL on GPUs, gloo on
CPU); batch norm is synchronised across GPUs. Only rank 0 writes samples and checkpoints, so a
resumed run (``--resume``) continues from them on any number of processes.
"""

from __future__ import annotations

import argparse
import os
import sys

import torch
import torch.distributed as dist


def main(argv: list[str] | None = None) -> int:
    from .launch import LaunchError, add_arguments, make_trainer

    parser = argparse.ArgumentParser(
        prog="python -m playground_lib.train.ddp",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser)
    args = parser.parse_args(argv)
    rank = int(os.environ.get("RANK", 0))
    world_size = int(os.environ.get("WORLD_SIZE", 1))
    local_rank = int(os.environ.get("LOCAL_RANK", 0))
    use_cuda = torch.cuda.is_available() and args.device in (None, "auto") or (args.device or "").startswith("cuda")
    if use_cuda:
        torch.cuda.set_device(local_rank)
    if world_size > 1:
        dist.init_process_group(backend="nccl" if use_cuda else "gloo")
    try:
        trainer = make_trainer(args, rank, world_size, local_rank)
        trainer.fit()
        if rank == 0:
            out = trainer.cfg.out_dir
            print(f"rank 0 of {world_size}: trained to step {trainer.step}; checkpoints in {out}/checkpoints")
            if args.export:
                trainer.export_generator(args.export)
    except LaunchError as exc:
        print(f"playground_lib.train.ddp: {exc}", file=sys.stderr)
        return 2
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()
    return 0


if __name__ == "__main__":
    sys.exit(main())
