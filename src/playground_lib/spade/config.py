"""The shape of a SPADE generator: everything needed to rebuild it from a checkpoint.

The defaults are those of NVlabs/SPADE's official ADE20K model (``checkpoints/ade20k_pretrained``):
151 semantic channels (the 150 ADE20K classes plus "other" at value 0, because SPADE's ADE20K
loader feeds raw ADEChallenge values with ``contain_dontcare_label``), ``ngf`` 64, crop 256,
square images, ``normal`` upsampling, no VAE, no instance map. Smaller models that the training
notebooks make use the same class with other numbers, and travel as a JSON file beside their weights.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any

from ..settings import reject_unknown_keys

UPSAMPLING_LAYERS = {"normal": 5, "more": 6, "most": 7}


@dataclass
class GeneratorConfig:
    label_nc: int = 151  # semantic channels incl. "other": channel v is ADE20K value v
    instance_edges: bool = False  # one more input channel: SPADE's instance boundary map
    ngf: int = 64  # width of the last block; the first blocks are 16 * ngf wide
    crop_size: int = 256  # the width the model was trained at
    aspect_ratio: float = 1.0  # width / height
    num_upsampling_layers: str = "normal"  # "normal" | "more" | "most", as in SPADE

    def __post_init__(self) -> None:
        if self.num_upsampling_layers not in UPSAMPLING_LAYERS:
            raise ValueError(
                f"num_upsampling_layers must be one of {sorted(UPSAMPLING_LAYERS)}, got {self.num_upsampling_layers!r}"
            )
        if self.label_nc < 1 or self.ngf < 2 or self.crop_size < 1 or self.aspect_ratio <= 0:
            raise ValueError(f"impossible generator config: {self}")

    @property
    def semantic_nc(self) -> int:
        """Input channels of the generator: one per class, plus one for instance edges."""
        return self.label_nc + int(self.instance_edges)

    @property
    def upsampling_factor(self) -> int:
        """How much bigger the output is than the latent grid the network starts from."""
        return 2 ** UPSAMPLING_LAYERS[self.num_upsampling_layers]

    @property
    def latent_size(self) -> tuple[int, int]:
        """(height, width) of the starting grid at the training size, computed as SPADE does."""
        sw = self.crop_size // self.upsampling_factor
        sh = round(sw / self.aspect_ratio)
        return sh, sw

    @property
    def image_size(self) -> tuple[int, int]:
        """(height, width) of the images the model was trained on."""
        sh, sw = self.latent_size
        return sh * self.upsampling_factor, sw * self.upsampling_factor

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2) + "\n"

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "generator config") -> GeneratorConfig:
        """Rebuild a config, naming the source and the unknown keys when it does not fit."""
        reject_unknown_keys(cls, data, source)
        return cls(**data)


OFFICIAL_ADE20K = GeneratorConfig()
