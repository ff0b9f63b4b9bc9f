"""The SPADE generator, laid out exactly like NVlabs/SPADE so the official ADE20K weights load.

Architecture after Park et al., "Semantic Image Synthesis with Spatially-Adaptive Normalization"
(CVPR 2019) and the layout of https://github.com/NVlabs/SPADE (``models/networks/generator.py``,
``architecture.py``, ``normalization.py``; CC BY-NC-SA 4.0). This is our own code: only the
module *names* follow NVlabs, because the state-dict keys of ``latest_net_G.pth`` are those names.

* ``fc``: a 3x3 conv on the label map shrunk to the latent grid (SPADE without its VAE);
* ``head_0``, ``G_middle_0/1``, ``up_0..up_3`` (+ ``up_4`` for "most"): SPADE residual blocks,
  with nearest-neighbour 2x upsampling between them;
* ``conv_img``: leaky ReLU, 3x3 conv to RGB, tanh.

Inside a block, ``conv_0/conv_1/conv_s`` carry spectral norm (``weight_orig``, ``weight_u``,
``weight_v``, from ``torch.nn.utils.spectral_norm``) and ``norm_0/norm_1/norm_s`` are SPADE layers:
a parameter-free batch norm (NVlabs' SyncBatchNorm stores the same keys as ``BatchNorm2d``), then a
per-pixel scale and shift predicted from the label map by ``mlp_shared.0`` -> ReLU ->
``mlp_gamma`` / ``mlp_beta``.

This plain version is the reference and the one that trains; ``playground_lib.spade.fast`` folds it
for quick inference.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.utils import spectral_norm

from .config import GeneratorConfig

SPADE_HIDDEN = 128  # "The dimension of the intermediate embedding space. Yes, hardcoded." (NVlabs)
LEAKY_SLOPE = 0.2


def one_hot(labels: Tensor, label_nc: int) -> Tensor:
    """(B, H, W) integer labels -> (B, label_nc, H, W) float one-hot, as SPADE's input.

    Values outside 0..label_nc-1 raise instead of silently wrapping to another class.
    """
    if labels.dim() != 3:
        raise ValueError(f"labels must be (B, H, W), got shape {tuple(labels.shape)}")
    labels = labels.long()
    if labels.numel():
        low, high = int(labels.min()), int(labels.max())
        if low < 0 or high >= label_nc:
            raise ValueError(f"label values must lie in 0..{label_nc - 1}, got {low}..{high}")
    out = torch.zeros(labels.shape[0], label_nc, *labels.shape[1:], dtype=torch.float32, device=labels.device)
    return out.scatter_(1, labels.unsqueeze(1), 1.0)


class SPADE(nn.Module):
    """Spatially-adaptive normalization: batch-normalise, then scale and shift per pixel from the labels."""

    def __init__(self, norm_nc: int, label_nc: int, hidden: int = SPADE_HIDDEN):
        super().__init__()
        self.param_free_norm = nn.BatchNorm2d(norm_nc, affine=False)
        self.mlp_shared = nn.Sequential(nn.Conv2d(label_nc, hidden, 3, padding=1), nn.ReLU())
        self.mlp_gamma = nn.Conv2d(hidden, norm_nc, 3, padding=1)
        self.mlp_beta = nn.Conv2d(hidden, norm_nc, 3, padding=1)

    def forward(self, x: Tensor, segmap: Tensor) -> Tensor:
        normalized = self.param_free_norm(x)
        segmap = F.interpolate(segmap, size=x.shape[2:], mode="nearest")
        actv = self.mlp_shared(segmap)
        return normalized * (1 + self.mlp_gamma(actv)) + self.mlp_beta(actv)


class SPADEResnetBlock(nn.Module):
    """Residual block: (SPADE -> leaky ReLU -> conv) twice, with a learned 1x1 shortcut when widths differ."""

    def __init__(self, fin: int, fout: int, semantic_nc: int):
        super().__init__()
        self.learned_shortcut = fin != fout
        fmiddle = min(fin, fout)
        self.conv_0 = spectral_norm(nn.Conv2d(fin, fmiddle, 3, padding=1))
        self.conv_1 = spectral_norm(nn.Conv2d(fmiddle, fout, 3, padding=1))
        if self.learned_shortcut:
            self.conv_s = spectral_norm(nn.Conv2d(fin, fout, 1, bias=False))
        self.norm_0 = SPADE(fin, semantic_nc)
        self.norm_1 = SPADE(fmiddle, semantic_nc)
        if self.learned_shortcut:
            self.norm_s = SPADE(fin, semantic_nc)

    def forward(self, x: Tensor, seg: Tensor) -> Tensor:
        x_s = self.conv_s(self.norm_s(x, seg)) if self.learned_shortcut else x
        dx = self.conv_0(F.leaky_relu(self.norm_0(x, seg), LEAKY_SLOPE))
        dx = self.conv_1(F.leaky_relu(self.norm_1(dx, seg), LEAKY_SLOPE))
        return x_s + dx


class SPADEGenerator(nn.Module):
    """The SPADE generator without VAE: one-hot label map in, RGB image in [-1, 1] out.

    Unlike NVlabs, the starting grid follows the *input* size (input size / 2**n_upsampling), so a
    model trained at 256 also paints 512x384; at the training size this is exactly NVlabs' grid.
    """

    def __init__(self, config: GeneratorConfig | None = None):
        super().__init__()
        self.config = config = config or GeneratorConfig()
        nf, snc = config.ngf, config.semantic_nc
        self.fc = nn.Conv2d(snc, 16 * nf, 3, padding=1)
        self.head_0 = SPADEResnetBlock(16 * nf, 16 * nf, snc)
        self.G_middle_0 = SPADEResnetBlock(16 * nf, 16 * nf, snc)
        self.G_middle_1 = SPADEResnetBlock(16 * nf, 16 * nf, snc)
        self.up_0 = SPADEResnetBlock(16 * nf, 8 * nf, snc)
        self.up_1 = SPADEResnetBlock(8 * nf, 4 * nf, snc)
        self.up_2 = SPADEResnetBlock(4 * nf, 2 * nf, snc)
        self.up_3 = SPADEResnetBlock(2 * nf, 1 * nf, snc)
        final_nc = nf
        if config.num_upsampling_layers == "most":
            self.up_4 = SPADEResnetBlock(nf, nf // 2, snc)
            final_nc = nf // 2
        self.conv_img = nn.Conv2d(final_nc, 3, 3, padding=1)
        settle_spectral_norms(self)

    def latent_size_for(self, height: int, width: int) -> tuple[int, int]:
        """The starting grid for an output of height x width (both multiples of the upsampling factor)."""
        factor = self.config.upsampling_factor
        if height % factor or width % factor or height < factor or width < factor:
            raise ValueError(
                f"image size {height}x{width} must be a positive multiple of {factor} "
                f"for a generator with {self.config.num_upsampling_layers!r} upsampling"
            )
        return height // factor, width // factor

    def forward(self, semantics: Tensor) -> Tensor:
        """(B, semantic_nc, H, W) one-hot (+ edge channel) -> (B, 3, H, W) in [-1, 1]."""
        if semantics.dim() != 4 or semantics.shape[1] != self.config.semantic_nc:
            raise ValueError(
                f"expected (B, {self.config.semantic_nc}, H, W) semantics, got shape {tuple(semantics.shape)}"
            )
        seg = semantics
        x = F.interpolate(seg, size=self.latent_size_for(*seg.shape[2:]))
        x = self.fc(x)
        x = self.head_0(x, seg)
        x = _up(x)
        x = self.G_middle_0(x, seg)
        if self.config.num_upsampling_layers in ("more", "most"):
            x = _up(x)
        x = self.G_middle_1(x, seg)
        for block in (self.up_0, self.up_1, self.up_2, self.up_3):
            x = block(_up(x), seg)
        if self.config.num_upsampling_layers == "most":
            x = self.up_4(_up(x), seg)
        x = self.conv_img(F.leaky_relu(x, LEAKY_SLOPE))
        return torch.tanh(x)


def _up(x: Tensor) -> Tensor:
    return F.interpolate(x, scale_factor=2, mode="nearest")


def spade_blocks(generator: SPADEGenerator) -> list[tuple[str, SPADEResnetBlock]]:
    """The residual blocks in the order the forward pass runs them."""
    names = ["head_0", "G_middle_0", "G_middle_1", "up_0", "up_1", "up_2", "up_3"]
    if generator.config.num_upsampling_layers == "most":
        names.append("up_4")
    return [(name, getattr(generator, name)) for name in names]


def tensor_attribute(module: nn.Module, name: str) -> Tensor:
    """A tensor that a hook or an optional buffer put on a module (spectral norm's ``weight_orig``,
    batch norm's running statistics): typed as a tensor, and a clear error if it is missing."""
    value = getattr(module, name, None)
    if not isinstance(value, Tensor):
        raise AttributeError(f"{type(module).__name__} has no tensor {name!r}")
    return value


@torch.no_grad()
def settle_spectral_norms(module: nn.Module, iterations: int = 15) -> None:
    """Run power iterations so every spectral norm's stored (u, v) match its weight.

    ``torch.nn.utils.spectral_norm`` starts from random u and v and only refines them during
    training forwards; in eval mode a fresh network would divide by a meaningless sigma. Running
    the iterations once here makes a freshly built (or randomly initialised) generator well scaled,
    just as a trained checkpoint is.
    """
    for sub in module.modules():
        if not hasattr(sub, "weight_orig"):
            continue
        weight = tensor_attribute(sub, "weight_orig").flatten(1)
        u, v = tensor_attribute(sub, "weight_u"), tensor_attribute(sub, "weight_v")
        for _ in range(iterations):
            v.copy_(F.normalize(weight.t() @ u, dim=0, eps=1e-12))
            u.copy_(F.normalize(weight @ v, dim=0, eps=1e-12))


def init_spade_weights(generator: nn.Module, gain: float = 0.02) -> None:
    """NVlabs' default initialisation (``--init_type xavier --init_variance 0.02``), for training from scratch.

    It works on any module of SPADE's (the generator and the discriminators alike): spectrally
    normed convolutions are initialised through their ``weight_orig``."""
    for sub in generator.modules():
        if isinstance(sub, nn.Conv2d):
            target = tensor_attribute(sub, "weight_orig") if hasattr(sub, "weight_orig") else sub.weight
            nn.init.xavier_normal_(target.data, gain=gain)
            if sub.bias is not None:
                nn.init.zeros_(sub.bias.data)
    settle_spectral_norms(generator)


def count_parameters(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


@torch.no_grad()
def random_official_state_dict(config: GeneratorConfig | None = None, seed: int = 0) -> dict[str, Tensor]:
    """A randomly initialised generator's state dict in the official ``latest_net_G.pth`` layout.

    Batch-norm statistics are randomised too (a fresh net has mean 0, variance 1, which would
    hide mistakes in folding them), and spectral norms are settled, as in a trained checkpoint.
    """
    torch.manual_seed(seed)
    generator = SPADEGenerator(config or GeneratorConfig())
    for sub in generator.modules():
        if isinstance(sub, nn.BatchNorm2d):
            tensor_attribute(sub, "running_mean").normal_(0.0, 0.5)
            tensor_attribute(sub, "running_var").uniform_(0.5, 2.0)
            tensor_attribute(sub, "num_batches_tracked").fill_(1000)
    return dict(generator.state_dict())  # detached tensors that outlive the module; no copy needed


def save_random_official_checkpoint(
    path: str | os.PathLike, config: GeneratorConfig | None = None, seed: int = 0
) -> Path:
    """Write a plain ``torch.save`` state dict laid out like the official file (for tests and demos)."""
    from ..fileio import atomic_path

    path = Path(path)
    with atomic_path(path) as tmp:
        torch.save(random_official_state_dict(config, seed), tmp)
    return path
