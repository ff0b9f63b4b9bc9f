"""Looking inside one SPADE block: the scale (γ) and shift (β) maps it makes from a label map.

SPADE's idea fits in one line, ``normalized * (1 + γ(labels)) + β(labels)``, but it is easier to
believe when seen: :func:`spade_block_maps` runs a generator on a real sketch, catches the
activations entering one block's first SPADE layer, and returns every stage of it as arrays.
:func:`uniform_sketches_after_normalisation` shows the reason for it: a normalisation that looks
only at the activations turns an all-grass and an all-sand sketch into the same zeros, while
SPADE's β keeps them apart (Park et al. 2019, section 3, make the same argument).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from .channels import value_to_channel
from .model import SPADE, SPADEGenerator, one_hot


@dataclass
class SpadeBlockMaps:
    """One SPADE layer at work; feature arrays are (channels, h, w) at the block's resolution."""

    block: str
    labels: np.ndarray  # ADE20K values, shrunk to (h, w) as the layer sees them
    features_in: np.ndarray  # what enters the layer
    normalized: np.ndarray  # after the parameter-free batch norm: the same for every label map layout
    gamma: np.ndarray  # per-pixel scale, predicted from the labels
    beta: np.ndarray  # per-pixel shift, predicted from the labels
    features_out: np.ndarray  # normalized * (1 + gamma) + beta
    channel: int  # the channel whose β changes most across the picture: the one worth showing


def semantics_for(plain: SPADEGenerator, labels: np.ndarray, classes: list[int] | None = None) -> torch.Tensor:
    """(1, semantic_nc, H, W) generator input for an ADE20K label map (values mapped onto the model's channels)."""
    channels = torch.from_numpy(value_to_channel(classes))[torch.from_numpy(np.asarray(labels, dtype=np.int64))]
    semantics = one_hot(channels[None], plain.config.label_nc)
    if plain.config.instance_edges:
        semantics = torch.cat([semantics, torch.zeros_like(semantics[:, :1])], dim=1)
    return semantics


def _shrink(labels: np.ndarray, width: int, factor: int) -> np.ndarray:
    height = max(factor, round(width * labels.shape[0] / labels.shape[1] / factor) * factor)
    width = max(factor, round(width / factor) * factor)
    rows = np.linspace(0, labels.shape[0] - 1, height).round().astype(int)
    cols = np.linspace(0, labels.shape[1] - 1, width).round().astype(int)
    return labels[rows][:, cols]


def _layer_parts(layer: SPADE, x: torch.Tensor, segmap: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """(normalized, γ, β) exactly as ``SPADE.forward`` computes them."""
    normalized = layer.param_free_norm(x)
    hidden = layer.mlp_shared(F.interpolate(segmap, size=x.shape[2:], mode="nearest"))
    return normalized, layer.mlp_gamma(hidden), layer.mlp_beta(hidden)


@torch.no_grad()
def spade_block_maps(
    plain: SPADEGenerator,
    labels: np.ndarray,
    classes: list[int] | None = None,
    block: str = "up_1",
    size: int | None = None,
) -> SpadeBlockMaps:
    """Run ``plain`` (eval mode) on ``labels`` and take apart the first SPADE layer of ``block``.

    ``size``: shrink a square-ish label map to this width first (nearest neighbour, rounded to what
    the network needs): the plain network is slow on a CPU, and the maps look the same.
    """
    if size is not None:
        labels = _shrink(np.asarray(labels), size, plain.config.upsampling_factor)
    layer: SPADE = getattr(plain, block).norm_0
    caught: list[tuple[torch.Tensor, torch.Tensor]] = []
    handle = layer.register_forward_pre_hook(lambda _module, args: caught.append((args[0], args[1])))
    try:
        plain.eval()(semantics_for(plain, labels, classes))
    finally:
        handle.remove()
    x, segmap = caught[0]
    normalized, gamma, beta = _layer_parts(layer, x, segmap)
    out = normalized * (1 + gamma) + beta
    h, w = x.shape[2:]
    rows = np.linspace(0, labels.shape[0] - 1, h).round().astype(int)
    cols = np.linspace(0, labels.shape[1] - 1, w).round().astype(int)
    spread = beta[0].flatten(1).std(dim=1)
    return SpadeBlockMaps(
        block=block,
        labels=np.asarray(labels)[rows][:, cols],
        features_in=x[0].numpy(),
        normalized=normalized[0].numpy(),
        gamma=gamma[0].numpy(),
        beta=beta[0].numpy(),
        features_out=out[0].numpy(),
        channel=int(spread.argmax()),
    )


@torch.no_grad()
def uniform_sketches_after_normalisation(
    plain: SPADEGenerator, values: tuple[int, int], classes: list[int] | None = None, size: int = 16
) -> dict[str, float]:
    """Two one-class sketches (e.g. all grass, all sand) through a conv layer and a normalisation.

    The conv is the generator's first (``fc``, without padding, so a uniform input gives a uniform
    output), the normalisation one that sees only the activations (per picture and channel).
    ``plain_norm``: the mean difference between the two afterwards: exactly 0, the class is
    forgotten. ``spade``: the same after SPADE's γ and β (the ``head_0`` block's first layer),
    which are computed from the label map and so still know which class it was.
    ``*_channels``: how many of the ``channels`` still tell the two apart (a mean difference over
    ``TELLS_APART``): a count reads plainly where a mean of tiny numbers reads as "both zero".
    """
    semantics = [semantics_for(plain, np.full((size, size), v), classes) for v in values]
    plain_norm = [F.instance_norm(F.conv2d(s, plain.fc.weight, plain.fc.bias)) for s in semantics]
    layer = plain.head_0.norm_0
    spade = []
    for normalized, s in zip(plain_norm, semantics):
        _, gamma, beta = _layer_parts(layer, normalized, s)
        spade.append(normalized * (1 + gamma) + beta)
    return {
        "plain_norm": float((plain_norm[0] - plain_norm[1]).abs().mean()),
        "spade": float((spade[0] - spade[1]).abs().mean()),
        "plain_norm_channels": _channels_apart(plain_norm),
        "spade_channels": _channels_apart(spade),
        "channels": int(spade[0].shape[1]),
    }


TELLS_APART = 1e-4  # far above float32 rounding of values near 1, far below what a trained layer puts between classes


def _channels_apart(pair: list[torch.Tensor]) -> int:
    per_channel = (pair[0] - pair[1]).abs().mean(dim=(0, 2, 3))
    return int((per_channel > TELLS_APART).sum())
