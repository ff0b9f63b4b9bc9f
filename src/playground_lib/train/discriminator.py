"""SPADE's discriminator: PatchGAN critics at two (or more) scales.

Each critic looks at the label map and a photo side by side and answers, for every patch of
about 70×70 pixels, "real or generated?". A second critic sees the pair at half size, so one
judges fine texture and the other layout. Convolutions use spectral norm (keeps the critic from
overpowering the generator) followed by instance norm, as in Park et al., *Semantic Image
Synthesis with Spatially-Adaptive Normalization* (CVPR 2019). Written for this project from the
paper's description; parameter names follow the official layout so their checkpoints load.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F
from torch.nn.utils import spectral_norm


def _sn_instance(conv: nn.Conv2d) -> nn.Sequential:
    return nn.Sequential(spectral_norm(conv), nn.InstanceNorm2d(conv.out_channels, affine=False))


class PatchDiscriminator(nn.Module):
    """One critic: ``n_layers`` strided 4×4 convolutions ending in a map of real/fake scores."""

    def __init__(self, input_nc: int, ndf: int = 64, n_layers: int = 4):
        super().__init__()
        kw, pad = 4, 2
        nf = ndf
        layers = [[nn.Conv2d(input_nc, nf, kw, stride=2, padding=pad), nn.LeakyReLU(0.2, False)]]
        for n in range(1, n_layers):
            nf_prev, nf = nf, min(nf * 2, 512)
            stride = 1 if n == n_layers - 1 else 2
            layers.append(
                [_sn_instance(nn.Conv2d(nf_prev, nf, kw, stride=stride, padding=pad)), nn.LeakyReLU(0.2, False)]
            )
        layers.append([nn.Conv2d(nf, 1, kw, stride=1, padding=pad)])
        for i, seq in enumerate(layers):  # model0, model1, ... as in the official checkpoints
            self.add_module(f"model{i}", nn.Sequential(*seq))

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        """All intermediate feature maps (for feature matching); the last one is the score map."""
        features = []
        for layer in self.children():
            x = layer(x)
            features.append(x)
        return features


class MultiscaleDiscriminator(nn.Module):
    def __init__(self, input_nc: int, ndf: int = 64, n_layers: int = 4, num_D: int = 2):
        super().__init__()
        for i in range(num_D):
            self.add_module(f"discriminator_{i}", PatchDiscriminator(input_nc, ndf, n_layers))

    def forward(self, x: torch.Tensor) -> list[list[torch.Tensor]]:
        results = []
        for critic in self.children():
            results.append(critic(x))
            x = F.avg_pool2d(x, kernel_size=3, stride=2, padding=1, count_include_pad=False)
        return results


def judge_pairs(
    critic: nn.Module, semantics: torch.Tensor, fake: torch.Tensor, real: torch.Tensor
) -> tuple[list[list[torch.Tensor]], list[list[torch.Tensor]]]:
    """(scores of the generated pairs, scores of the real pairs): each picture beside its label map.

    The critic sees a label map and a picture together, so it can punish a picture that is
    realistic but ignores the map. Both kinds go through in one batch (one pass, same batch statistics).
    """
    scores = critic(torch.cat([torch.cat([semantics, fake], 1), torch.cat([semantics, real], 1)], 0))
    n = len(fake)
    return [[f[:n] for f in scale] for scale in scores], [[f[n:] for f in scale] for scale in scores]


def build_discriminator(cfg) -> MultiscaleDiscriminator:
    """Critics for a ``TrainConfig``: their input is the generator's input plus 3 colour channels."""
    return MultiscaleDiscriminator(cfg.semantic_nc + 3, cfg.ndf, cfg.n_layers_D, cfg.num_D)
