"""Starting a training run from command-line flags, for ``playground train`` and for torchrun.

Both entry points take the same flags and build the trainer the same way; keeping that here,
inside the library, lets the DDP launcher (``train.ddp``) share it without importing the CLI.
"""

from __future__ import annotations

import argparse

from .config import TrainConfig

# flag -> TrainConfig field (None default = "not given": the config file or the default wins)
FLAGS = {
    "--data": ("data_dir", str),
    "--split": ("split", str),
    "--out": ("out_dir", str),
    "--steps": ("steps", int),
    "--batch-size": ("batch_size", int),
    "--load-size": ("load_size", int),
    "--crop-size": ("crop_size", int),
    "--ngf": ("ngf", int),
    "--ndf": ("ndf", int),
    "--num-d": ("num_D", int),
    "--lr-g": ("lr_g", float),
    "--lr-d": ("lr_d", float),
    "--lambda-feat": ("lambda_feat", float),
    "--ema-decay": ("ema_decay", float),
    "--seed": ("seed", int),
    "--device": ("device", str),
    "--threads": ("threads", int),
    "--workers": ("num_workers", int),
    "--sample-every": ("sample_every", int),
    "--checkpoint-every": ("checkpoint_every", int),
    "--finetune-from": ("finetune_from", str),
    "--dontcare": ("dontcare_value", int),
}
SWITCHES = ("instance_edges", "flip", "use_vgg", "amp", "progress")


class LaunchError(Exception):
    """Bad flags, config file or data folder: the launcher prints it as one line, not a traceback."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("config", nargs="?", help="a JSON or YAML file of TrainConfig settings (flags override it)")
    for flag, (field, kind) in FLAGS.items():
        parser.add_argument(flag, dest=field, type=kind, default=None, help=f"TrainConfig.{field}")
    parser.add_argument(
        "--classes",
        default=None,
        help="'all' (151 ADE20K channels, the default), 'auto' (a compact model of the classes in the data) "
        "or ADE20K values like 0,3,10,47",
    )
    parser.add_argument("--instance-edges", dest="instance_edges", action="store_const", const=True, default=None)
    parser.add_argument("--no-flip", dest="flip", action="store_const", const=False, default=None)
    parser.add_argument("--no-vgg", dest="use_vgg", action="store_const", const=False, default=None)
    parser.add_argument("--no-amp", dest="amp", action="store_const", const=False, default=None)
    parser.add_argument("--quiet", dest="progress", action="store_const", const=False, default=None)
    parser.add_argument("--resume", action="store_true", help="continue from the latest checkpoint in --out")
    parser.add_argument("--export", metavar="FILE.safetensors", help="also save the EMA generator (fp16) when done")


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    """A TrainConfig from the config file (if any) and the flags that were given."""
    return config_and_given(args)[0]


def config_and_given(args: argparse.Namespace) -> tuple[TrainConfig, set[str]]:
    """The TrainConfig, and the names of the settings the user gave (in the config file or as flags):
    on ``--resume`` those are the ones to check against the saved run."""
    from .config import settings_from_file
    from .dataset import DatasetError, classes_in

    try:
        cfg = TrainConfig.from_file(args.config) if args.config else TrainConfig()
        in_file = set(settings_from_file(args.config)) if args.config else set()
        changes = {field: getattr(args, field) for field, _ in FLAGS.values() if getattr(args, field) is not None}
        changes.update({field: getattr(args, field) for field in SWITCHES if getattr(args, field) is not None})
        if args.classes == "all":
            changes["classes"] = None
        elif args.classes == "auto":
            changes["classes"] = classes_in(changes.get("data_dir", cfg.data_dir), changes.get("split", cfg.split))
        elif args.classes is not None:
            changes["classes"] = _class_values(args.classes)
        return cfg.replace(**changes), in_file | set(changes)
    except (ValueError, FileNotFoundError, DatasetError) as exc:
        raise LaunchError(str(exc)) from None


def _class_values(text: str) -> list[int]:
    """``"3,10"`` -> [0, 3, 10]: "other" (0) is always a class, the model must be able to paint nothing."""
    try:
        return sorted({int(v) for v in text.split(",")} | {0})
    except ValueError:
        raise LaunchError(f"--classes: expected 'all', 'auto' or numbers like 0,3,10, got {text!r}") from None


def check_outputs(out_dir: str, export: str | None) -> None:
    """Refuse, before a model is built or a step trained, a run folder or export file that cannot be written."""
    from pathlib import Path

    from ..fileio import OutputError, check_output_file, check_output_folder

    check_output_folder(out_dir)
    checkpoints = Path(out_dir) / "checkpoints"
    if checkpoints.exists() and not checkpoints.is_dir():
        raise OutputError(f"{checkpoints}: is a file, not a folder (the run keeps its checkpoints there)")
    if export:
        check_output_file(export)


def make_trainer(
    args: argparse.Namespace,
    rank: int = 0,
    world_size: int = 1,
    local_rank: int = 0,
    config: tuple[TrainConfig, set[str]] | None = None,
):
    """A fresh Trainer, or with ``--resume`` the one saved in ``--out`` (refusing given settings it
    cannot apply), for one process of the run. ``config``: :func:`config_and_given` of ``args``
    when the caller has it already (building it reads the config file, and ``--classes auto``
    every label map of the split)."""
    from .checkpoint import has_checkpoint
    from .trainer import Trainer

    cfg, given = config or config_and_given(args)
    try:
        check_outputs(cfg.out_dir, getattr(args, "export", None))
        if args.resume and has_checkpoint(cfg.out_dir):
            asked = {name: getattr(cfg, name) for name in given if name != "out_dir"}
            asked["steps"] = cfg.steps
            return Trainer.resume(cfg.out_dir, rank, world_size, local_rank, **asked)
        return Trainer(cfg, rank, world_size, local_rank)
    except (ValueError, FileNotFoundError) as exc:
        raise LaunchError(str(exc)) from None
