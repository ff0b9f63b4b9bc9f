"""Everything one training run needs to know, in one dataclass.

The library never parses command-line flags: the CLI, the notebook and ``torchrun`` all build a
``TrainConfig`` and hand it to the trainer. The config travels inside every checkpoint, so a
resumed run (after a Colab disconnect) continues with exactly the settings it started with.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..labels import NUM_ADE20K_CLASSES
from ..settings import reject_unknown_keys

RUN_SETTINGS = frozenset(
    {"out_dir", "data_dir", "steps", "device", "threads", "num_workers", "progress"}
    | {"sample_every", "checkpoint_every", "keep_checkpoints", "num_samples"}
)
"""Settings a resumed run may change: where and how long it runs, not the model it trains (a Colab
session that copied the data to another path may resume from there)."""


@dataclass
class TrainConfig:
    # --- data ---------------------------------------------------------------------------
    data_dir: str = "data/synthetic"
    """A SPADE folder (images/, labels/, instances/, dataset.json) or a folder of synthetic scenes."""
    split: str = "train"
    """Which split of dataset.json to train on (a folder of scenes has no splits: all are used)."""
    out_dir: str = "outputs/train"
    """Checkpoints, sample grids and loss curves go here (a Google Drive folder in Colab)."""
    load_size: int = 286
    """Images are resized so their shorter side is this, then randomly cropped to ``crop_size``."""
    crop_size: int = 256
    flip: bool = True
    classes: list[int] | None = None
    """None: one channel per ADE20K value (151, channel = value), so fine-tuning the official
    ADE20K generator needs no remapping. A list of ADE20K values: a *compact* model whose
    channel i is ``classes[i]``; values not in the list go to channel 0 (``other``). Compact models
    are several times cheaper to train on a CPU; the list is saved with the model."""
    instance_edges: bool = False
    """Add the edges of instance maps as one more input channel (when instance maps exist)."""
    dontcare_value: int | None = None
    """A label value (e.g. 255) meaning "not annotated": it gets its own extra channel."""

    # --- model --------------------------------------------------------------------------
    ngf: int = 64
    ndf: int = 64
    num_D: int = 2
    n_layers_D: int = 4
    num_upsampling_layers: str = "normal"

    # --- optimisation -------------------------------------------------------------------
    batch_size: int = 1
    steps: int = 1000
    lr_g: float = 1e-4
    lr_d: float = 4e-4
    beta1: float = 0.0
    beta2: float = 0.9
    lambda_feat: float = 10.0
    lambda_vgg: float = 10.0
    use_vgg: bool = True
    """Perceptual loss with torchvision's VGG19 weights; when those are not available offline the
    trainer says so once and trains without it."""
    ema_decay: float = 0.999
    seed: int = 0
    amp: bool = True
    """Mixed precision, on CUDA only (ignored on CPU, where runs stay exactly repeatable)."""
    device: str = "auto"
    num_workers: int = 0
    threads: int | None = None
    """CPU threads for torch (None: leave torch's default)."""

    # --- outputs ------------------------------------------------------------------------
    sample_every: int = 100
    checkpoint_every: int = 100
    keep_checkpoints: int = 2
    num_samples: int = 4
    finetune_from: str | None = None
    """A generator checkpoint in the official SPADE layout (.pth or .safetensors) to start from."""
    progress: bool = True

    # ----------------------------------------------------------------------------------------
    @property
    def label_nc(self) -> int:
        return NUM_ADE20K_CLASSES + 1 if self.classes is None else len(self.classes)

    @property
    def semantic_nc(self) -> int:
        return self.label_nc + int(self.dontcare_value is not None) + int(self.instance_edges)

    def validate(self) -> TrainConfig:
        problems = _type_problems(self)
        if problems:  # ranges below compare numbers: a string there would be a TypeError
            raise ValueError("invalid training config: " + "; ".join(problems))
        problems += _range_problems(self)
        if self.crop_size < 16 or self.crop_size % 16:
            problems.append(f"crop_size must be a multiple of 16 (≥ 16), got {self.crop_size}")
        if self.load_size < self.crop_size:
            problems.append(f"load_size ({self.load_size}) must be ≥ crop_size ({self.crop_size})")
        factor = {"normal": 32, "more": 64, "most": 128}.get(self.num_upsampling_layers, 32)
        if self.crop_size <= factor and self.batch_size < 2:
            problems.append(
                f"crop_size {self.crop_size} starts the generator from a 1×1 grid, where batch norm "
                "needs batch_size ≥ 2 (or use a larger crop_size)"
            )
        if self.classes is not None:
            if not self.classes or self.classes[0] != 0:
                problems.append("classes must start with 0 (other), e.g. [0, 2, 3, 5]")
            if len(set(self.classes)) != len(self.classes) or not all(
                0 <= v <= NUM_ADE20K_CLASSES for v in self.classes
            ):
                problems.append(f"classes must be distinct ADE20K values 0..{NUM_ADE20K_CLASSES}")
        if self.dontcare_value is not None and self.dontcare_value <= NUM_ADE20K_CLASSES:
            problems.append(f"dontcare_value must be above {NUM_ADE20K_CLASSES}, got {self.dontcare_value}")
        if not 0.0 <= self.ema_decay < 1.0:
            problems.append("ema_decay must lie in [0, 1)")
        if problems:
            raise ValueError("invalid training config: " + "; ".join(problems))
        return self

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any], source: str = "config") -> TrainConfig:
        reject_unknown_keys(cls, values, source)
        return cls(**values).validate()

    @classmethod
    def from_file(cls, path: str | Path) -> TrainConfig:
        """Read a JSON or YAML file (YAML needs PyYAML, which labelme brings along)."""
        return cls.from_dict(settings_from_file(path), source=str(path))

    def replace(self, **changes: Any) -> TrainConfig:
        return dataclasses.replace(self, **changes).validate()


_KINDS = {
    "int": ((int,), "a whole number"),
    "float": ((int, float), "a number"),
    "str": ((str,), "text"),
    "bool": ((bool,), "true or false"),
}


def _type_problems(cfg: TrainConfig) -> list[str]:
    """Each setting of the wrong kind (``batch_size: "two"`` in a YAML file, ``steps: true``), named."""
    problems = []
    for field in dataclasses.fields(cfg):
        value = getattr(cfg, field.name)
        kind = str(field.type).split(" | ")[0]
        if value is None and str(field.type).endswith("| None"):
            continue
        if kind == "list[int]":
            ok = isinstance(value, list) and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
            what = "a list of whole numbers"
        else:
            types, what = _KINDS[kind]
            ok = isinstance(value, types) and (kind == "bool" or not isinstance(value, bool))
        if not ok:
            problems.append(f"{field.name} must be {what}, got {value!r}")
    return problems


_AT_LEAST = {
    "batch_size": 1,
    "steps": 0,
    "sample_every": 1,
    "checkpoint_every": 1,
    "num_workers": 0,
    "threads": 1,
    "seed": 0,
    "ngf": 1,
    "ndf": 1,
    "num_D": 1,
    "n_layers_D": 1,
    "keep_checkpoints": 0,
    "num_samples": 1,
}


_AT_MOST = {  # beyond these a model or batch needs more memory than any machine the series runs on
    "ngf": 256,
    "ndf": 256,
    "num_D": 8,
    "n_layers_D": 8,
    "crop_size": 8192,
    "load_size": 8192,
    "batch_size": 4096,
    "threads": 1024,
    "num_workers": 1024,
    "seed": 2**32 - 1,  # numpy's seeds end here
    "dontcare_value": 65535,
}


def _range_problems(cfg: TrainConfig) -> list[str]:
    problems = [
        f"{name} must be at least {low}, got {getattr(cfg, name)}"
        for name, low in _AT_LEAST.items()
        if getattr(cfg, name) is not None and getattr(cfg, name) < low
    ]
    problems += [
        f"{name} must be at most {high:,}, got {getattr(cfg, name):,}"
        for name, high in _AT_MOST.items()
        if getattr(cfg, name) is not None and getattr(cfg, name) > high
    ]
    for name in ("lr_g", "lr_d"):
        value = getattr(cfg, name)
        if not (math.isfinite(value) and value > 0):
            problems.append(f"{name} must be a number above 0, got {value}")
    for name in ("lambda_feat", "lambda_vgg", "beta1", "beta2"):
        value = getattr(cfg, name)
        if not (math.isfinite(value) and value >= 0):
            problems.append(f"{name} must be a number of at least 0, got {value}")
    return problems


def settings_from_file(path: str | Path) -> dict[str, Any]:
    """The settings a JSON or YAML file gives, unchecked (``TrainConfig.from_file`` checks them)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not a UTF-8 text file ({exc.reason} at byte {exc.start})") from None
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            import yaml
        except ImportError:
            raise ValueError(f"{path}: reading YAML needs PyYAML (pip install pyyaml), or use JSON") from None
        try:
            values = yaml.safe_load(text) or {}
        except yaml.YAMLError as exc:
            reason = " ".join(str(exc).split())
            raise ValueError(f"{path}: not valid YAML ({reason})") from None
    else:
        try:
            values = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(values, dict):
        raise ValueError(f"{path}: expected a mapping of settings, got {type(values).__name__}")
    return values


def resume_conflicts(saved: dict[str, Any], asked: dict[str, Any]) -> list[str]:
    """The settings in ``asked`` that differ from the ``saved`` config of a run, as "name saved -> asked".

    A resumed run keeps what shapes the model and its training (the saved config wins); only
    ``RUN_SETTINGS`` may change. This lists what a user asked for that cannot apply.
    """
    conflicts = []
    for key, value in asked.items():
        if key in RUN_SETTINGS or key not in saved:
            continue
        plain = list(value) if isinstance(value, tuple) else value
        if plain != saved[key]:
            conflicts.append(f"{key} {saved[key]!r} (saved) vs {plain!r}")
    return conflicts


def generator_config(cfg: TrainConfig):
    """The spade package's GeneratorConfig for this training run."""
    from ..spade import GeneratorConfig

    return GeneratorConfig(
        label_nc=cfg.semantic_nc - int(cfg.instance_edges),
        instance_edges=cfg.instance_edges,
        ngf=cfg.ngf,
        crop_size=cfg.crop_size,
        aspect_ratio=1.0,
        num_upsampling_layers=cfg.num_upsampling_layers,
    )
