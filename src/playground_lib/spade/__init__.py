"""SPADE (GauGAN) generator: the official ADE20K layout, a folded fast path for CPU, its file, and loading.

``from playground_lib.spade import load_generator``; ``load_generator(path).generate(labels)``
turns an HxW map of ADE20K values into an HxWx3 picture.
"""

from .config import OFFICIAL_ADE20K, GeneratorConfig
from .model import (
    SPADEGenerator,
    count_parameters,
    init_spade_weights,
    one_hot,
    random_official_state_dict,
    save_random_official_checkpoint,
)

__all__ = [
    "GeneratorConfig",
    "OFFICIAL_ADE20K",
    "SPADEGenerator",
    "count_parameters",
    "init_spade_weights",
    "one_hot",
    "random_official_state_dict",
    "save_random_official_checkpoint",
]

from .generator_file import read_generator, save_generator
from .loading import LoadedGenerator, load_generator, random_generator

__all__ += ["LoadedGenerator", "load_generator", "random_generator", "read_generator", "save_generator"]
