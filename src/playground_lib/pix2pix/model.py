"""pix2pix's two networks, small enough to train on a laptop CPU in minutes.

* ``UNet``: the generator. It shrinks the drawing step by step to a few pixels (what is where,
  roughly) and grows it back, and at every size it is handed the encoder's features of that size
  directly (the skip connections), so the thin lines of the drawing reach the output unblurred.
  Isola et al., *Image-to-Image Translation with Conditional Adversarial Networks* (CVPR 2017).
  Upsampling is nearest-neighbour then a 3x3 convolution, which avoids the checkerboard pattern
  transposed convolutions leave in a short training.
* The critic is the library's PatchGAN (``train.discriminator``, the one SPADE trains with): it
  sees drawing and picture side by side and scores every patch real or generated.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn

from ..train.discriminator import MultiscaleDiscriminator

DRAWING_CHANNELS = 1  # ink, 0..1


@dataclass(frozen=True)
class UNetShape:
    """What a saved generator needs to be rebuilt: its width and how many times it halves the picture."""

    ngf: int = 16
    depth: int = 4

    def to_dict(self) -> dict[str, int]:
        return asdict(self)

    @property
    def multiple(self) -> int:
        """Input sides must be a multiple of this (each level halves the picture)."""
        return 2**self.depth


def depth_for(size: int, smallest: int = 4, most: int = 6) -> int:
    """Halve ``size`` until about ``smallest`` pixels are left (64 -> 4 levels, 128 -> 5), at most ``most``."""
    depth = 0
    while size // 2 >= smallest and depth < most:
        size //= 2
        depth += 1
    return max(depth, 1)


def _down(cin: int, cout: int, norm: bool) -> nn.Sequential:
    layers: list[nn.Module] = [nn.Conv2d(cin, cout, 4, stride=2, padding=1)]
    if norm:
        layers.append(nn.InstanceNorm2d(cout, affine=True))
    layers.append(nn.LeakyReLU(0.2))
    return nn.Sequential(*layers)


def _up(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Upsample(scale_factor=2, mode="nearest"),
        nn.Conv2d(cin, cout, 3, padding=1),
        nn.InstanceNorm2d(cout, affine=True),
        nn.ReLU(),
    )


class UNet(nn.Module):
    """Drawing (B,1,H,W, ink 0..1) -> picture (B,3,H,W, -1..1); H and W multiples of ``2**depth``."""

    def __init__(self, shape: UNetShape):
        super().__init__()
        self.shape = shape
        widths = [min(shape.ngf * 2**i, shape.ngf * 8) for i in range(shape.depth)]
        self.downs = nn.ModuleList(
            _down(DRAWING_CHANNELS if i == 0 else widths[i - 1], w, norm=0 < i < shape.depth - 1)
            for i, w in enumerate(widths)
        )
        ups = []
        for i in reversed(range(1, shape.depth)):
            cin = widths[i] if i == shape.depth - 1 else widths[i] * 2
            ups.append(_up(cin, widths[i - 1]))
        self.ups = nn.ModuleList(ups)
        self.to_picture = nn.Sequential(
            nn.Upsample(scale_factor=2, mode="nearest"),
            nn.Conv2d(widths[0] * 2 if shape.depth > 1 else widths[0], shape.ngf, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(shape.ngf, 3, 3, padding=1),
            nn.Tanh(),
        )

    def forward(self, drawing: torch.Tensor) -> torch.Tensor:
        skips = []
        x = drawing
        for down in self.downs:
            x = down(x)
            skips.append(x)
        skips.pop()  # the innermost features are x itself
        for up in self.ups:
            x = torch.cat([up(x), skips.pop()], 1)
        return self.to_picture(x)


def build_critic(ndf: int) -> MultiscaleDiscriminator:
    """One PatchGAN critic of three strided layers (patches of about 34x34 pixels: right for 64-128 px pictures)."""
    return MultiscaleDiscriminator(DRAWING_CHANNELS + 3, ndf, n_layers=3, num_D=1)


def init_weights(module: nn.Module, gain: float = 0.02) -> None:
    """pix2pix's initialisation: convolutions from N(0, 0.02), norms at scale 1 (spectral norm: its ``weight_orig``)."""
    for sub in module.modules():
        if isinstance(sub, nn.Conv2d):
            weight = getattr(sub, "weight_orig", sub.weight)
            nn.init.normal_(weight.data, 0.0, gain)
            if sub.bias is not None:
                nn.init.zeros_(sub.bias.data)
        elif isinstance(sub, nn.InstanceNorm2d) and sub.affine:
            nn.init.normal_(sub.weight.data, 1.0, gain)
            nn.init.zeros_(sub.bias.data)
