"""The losses SPADE trains with, and why each one is there.

* **Hinge GAN loss**: the critic is pushed to score real pairs above +1 and generated ones below
  -1, and stops caring once they are; the generator is pushed to raise the critic's score.
* **Feature matching**: the generated image should make the critic's *inner* layers respond as
  the real photo does. It steadies early training a lot (weight ``lambda_feat``, 10).
* **VGG perceptual loss** (optional): compare deep features of a VGG19 network trained on
  ImageNet. It needs torchvision and its downloaded weights; offline, training goes on without it
  and says so once.
"""

from __future__ import annotations

import importlib.util
import os

import torch
from torch import nn
from torch.nn import functional as F


def d_hinge_loss(real_scores: list[list[torch.Tensor]], fake_scores: list[list[torch.Tensor]]) -> torch.Tensor:
    """Critic loss, averaged over scales: mean(relu(1 - D(real))) + mean(relu(1 + D(fake)))."""
    per_scale = [
        F.relu(1.0 - real[-1]).mean() + F.relu(1.0 + fake[-1]).mean() for real, fake in zip(real_scores, fake_scores)
    ]
    return torch.stack(per_scale).mean()


def g_hinge_loss(fake_scores: list[list[torch.Tensor]]) -> torch.Tensor:
    """Generator's adversarial loss, averaged over scales: -mean(D(fake))."""
    return torch.stack([-fake[-1].mean() for fake in fake_scores]).mean()


def feature_matching_loss(real_scores, fake_scores, weight: float = 10.0) -> torch.Tensor:
    """L1 between the critic's inner features on real and generated pairs (score maps excluded)."""
    distances = [
        F.l1_loss(f, r.detach()) for real, fake in zip(real_scores, fake_scores) for r, f in zip(real[:-1], fake[:-1])
    ]
    return torch.stack(distances).sum() * weight / len(real_scores)


# ----------------------------------------------------------------------------- VGG (optional)
def vgg_unavailable_reason() -> str | None:
    """Why the VGG loss cannot run here, or None when it can (torchvision + cached weights)."""
    if importlib.util.find_spec("torchvision") is None:
        return "torchvision is not installed, so the VGG perceptual loss is off (training works without it)"
    try:
        from torchvision.models import VGG19_Weights
    except Exception as exc:  # old torchvision
        return f"this torchvision has no VGG19_Weights ({exc}); the VGG loss is off"
    hub = os.path.join(torch.hub.get_dir(), "checkpoints", os.path.basename(VGG19_Weights.IMAGENET1K_V1.url))
    if not os.path.exists(hub):
        return (
            f"VGG19 weights are not downloaded ({hub} missing), so the VGG loss is off; to turn it on, run "
            "torchvision.models.vgg19(weights='DEFAULT') once while online"
        )
    return None


class VGGLoss(nn.Module):
    """SPADE's perceptual loss: weighted L1 over five VGG19 relu layers (needs cached weights)."""

    LAYER_ENDS = (2, 7, 12, 21, 30)
    mean: torch.Tensor
    std: torch.Tensor
    WEIGHTS = (1.0 / 32, 1.0 / 16, 1.0 / 8, 1.0 / 4, 1.0)

    def __init__(self):
        super().__init__()
        from torchvision.models import VGG19_Weights, vgg19

        features = vgg19(weights=VGG19_Weights.IMAGENET1K_V1).features.eval()
        self.slices = nn.ModuleList()
        start = 0
        for end in self.LAYER_ENDS:
            self.slices.append(nn.Sequential(*[features[i] for i in range(start, end)]))
            start = end
        for p in self.parameters():
            p.requires_grad_(False)
        self.register_buffer("mean", torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1))

    def forward(self, fake: torch.Tensor, real: torch.Tensor) -> torch.Tensor:
        x = ((fake + 1) / 2 - self.mean) / self.std
        y = ((real + 1) / 2 - self.mean) / self.std
        distances = []
        for weight, block in zip(self.WEIGHTS, self.slices):
            x, y = block(x), block(y)
            distances.append(weight * F.l1_loss(x, y.detach()))
        return torch.stack(distances).sum()
