"""Train your own GauGAN: dataset, critics, losses, trainer, DDP, evaluation.

``from playground_lib.train import TrainConfig, Trainer``. Most modules import torch; ``Trainer``
is loaded on first use so that ``train.launch`` (the flags of ``playground train``, read whenever
the ``playground`` command starts) and ``TrainConfig`` stay free of it.
"""

from .config import TrainConfig

__all__ = ["TrainConfig", "Trainer"]


def __getattr__(name: str):
    if name == "Trainer":
        from .trainer import Trainer

        return Trainer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
