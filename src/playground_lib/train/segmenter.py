"""A small segmentation network, trained on the real photos, that judges generated ones.

The segmentation-consistency score asks: "if a network that learned to recognise grass, sand
and slides on *real* playground photos looks at a *generated* image, does it find the classes
where the label map put them?" A small U-Net-like network is enough for that and trains in a
minute on a CPU, offline, with nothing downloaded. Its mIoU on held-out *real* photos is
reported beside the score as the ceiling the generator can reach.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F


def _block(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, padding=1, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
        nn.Conv2d(cout, cout, 3, padding=1, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class SmallSegmenter(nn.Module):
    """Three resolutions down, two up with skip connections; ``classes[i]`` is output channel i."""

    def __init__(self, classes: list[int], width: int = 16):
        super().__init__()
        self.classes = list(classes)
        self.enc1 = _block(3, width)
        self.enc2 = _block(width, 2 * width)
        self.enc3 = _block(2 * width, 4 * width)
        self.dec2 = _block(6 * width, 2 * width)
        self.dec1 = _block(3 * width, width)
        self.head = nn.Conv2d(width, len(classes), 1)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """(B,3,H,W) in [-1,1] -> (B,C,H,W) class scores (H, W multiples of 4)."""
        e1 = self.enc1(images)
        e2 = self.enc2(F.max_pool2d(e1, 2))
        e3 = self.enc3(F.max_pool2d(e2, 2))
        d2 = self.dec2(torch.cat([F.interpolate(e3, scale_factor=2, mode="bilinear", align_corners=False), e2], 1))
        d1 = self.dec1(torch.cat([F.interpolate(d2, scale_factor=2, mode="bilinear", align_corners=False), e1], 1))
        return self.head(d1)

    def lookup(self) -> torch.Tensor:
        """Raw label value -> output channel; values it never saw count as channel 0."""
        table = torch.zeros(256, dtype=torch.long)
        for channel, value in enumerate(self.classes):
            table[value] = channel
        return table

    @torch.no_grad()
    def predict(self, images: torch.Tensor, batch_size: int = 16) -> torch.Tensor:
        """(B,3,H,W) -> (B,H,W) raw label values."""
        self.eval()
        values = torch.tensor(self.classes)
        out = [values[self(images[i : i + batch_size]).argmax(1)] for i in range(0, len(images), batch_size)]
        return torch.cat(out)


def train_segmenter(
    images: torch.Tensor,
    labels: torch.Tensor,
    steps: int = 300,
    batch_size: int = 8,
    lr: float = 2e-3,
    seed: int = 0,
    width: int = 16,
    progress: bool = True,
) -> SmallSegmenter:
    """Fit on (N,3,H,W) images in [-1,1] and (N,H,W) raw label values; flips as augmentation."""
    from tqdm.auto import tqdm

    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    classes = sorted(set(torch.unique(labels).tolist()) | {0})
    model = SmallSegmenter(classes, width)
    targets = model.lookup()[labels.long()]
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(1, steps))
    model.train()
    for _ in tqdm(range(steps), desc="training the judge segmenter", disable=not progress, unit="step"):
        pick = torch.randint(0, len(images), (min(batch_size, len(images)),), generator=generator)
        x, y = images[pick], targets[pick]
        if torch.rand((), generator=generator) < 0.5:
            x, y = x.flip(-1), y.flip(-1)
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
    return model.eval()


def mean_iou(predicted: torch.Tensor, target: torch.Tensor) -> tuple[float, dict[int, float]]:
    """Mean intersection-over-union over the classes present in the target; also per class."""
    predicted_values, target_values = np.asarray(predicted).ravel(), np.asarray(target).ravel()
    per_class = {}
    for value in np.unique(target_values):
        p, t = predicted_values == value, target_values == value
        per_class[int(value)] = float((p & t).sum() / (p | t).sum())
    return (float(np.mean(list(per_class.values()))) if per_class else float("nan")), per_class
