"""Train your own GauGAN: dataset, critics, losses, trainer, DDP, evaluation.

``from playground_lib.train import TrainConfig, Trainer``. Modules import torch, so this package
is only imported by the notebooks and commands that train.
"""

from .config import TrainConfig
from .trainer import Trainer

__all__ = ["TrainConfig", "Trainer"]
