"""Which generator input channel reads which ADE20K value, and moving weights between class lists.

A generator's ``classes`` list says which ADE20K value each of its first input channels reads;
``None`` is the official layout, one channel per value (channel v reads value v, ``FULL_NC``
of them). Values missing from a compact list are painted as "other" (channel 0).

Only the layers that *read the label map* depend on the class channels: ``fc`` and every SPADE
layer's ``mlp_shared.0``. Since the input is one-hot, the weights of a full model for a class
missing from a compact model are simply the weights of the compact "other" channel, so:

* ``expand``: a compact model becomes an exactly equivalent 151-channel model (the bundled model
  trains compact for speed and ships expanded, so any sketch of ADE20K values goes straight in);
* ``compact``: the official ADE20K generator keeps just the channels of the classes you train on
  (fine-tuning a compact model from it).

Extra channels after the classes (don't-care, instance edges) are carried over unchanged.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import torch

from ..labels import NUM_ADE20K_CLASSES
from .config import GeneratorConfig

FULL_NC = NUM_ADE20K_CLASSES + 1  # "other" (0) and the 150 ADE20K classes


def value_to_channel(classes: list[int] | None) -> np.ndarray:
    """(FULL_NC,) int64 table, ADE20K value -> input channel: the one place a class list is read."""
    if classes is None:
        return np.arange(FULL_NC, dtype=np.int64)
    table = np.zeros(FULL_NC, dtype=np.int64)  # values left out fall back to "other" (channel 0)
    table[np.asarray(classes, dtype=np.int64)] = np.arange(len(classes))
    return table


def is_label_input(key: str) -> bool:
    return key == "fc.weight" or key.endswith("mlp_shared.0.weight")


def _check(key: str, weight: torch.Tensor, expected: int, source: str) -> None:
    if weight.dim() != 4 or weight.shape[1] < expected:
        raise ValueError(
            f"{source}: {key} has shape {tuple(weight.shape)}, expected at least {expected} input channels"
        )


def expand_state_dict(
    state: dict[str, torch.Tensor], classes: list[int], source: str = "state dict"
) -> dict[str, torch.Tensor]:
    """Compact (channel i = ADE20K value classes[i]) -> full (channel v = value v)."""
    lookup = torch.from_numpy(value_to_channel(classes))
    out = {}
    for key, weight in state.items():
        if is_label_input(key):
            _check(key, weight, len(classes), source)
            extra = weight[:, len(classes) :]
            weight = torch.cat([weight[:, lookup], extra], dim=1)
        out[key] = weight.clone()
    return out


def expand_generator(
    state: dict[str, torch.Tensor], config: GeneratorConfig, classes: list[int], source: str = "state dict"
) -> tuple[dict[str, torch.Tensor], GeneratorConfig]:
    """A compact generator's weights and config as the equivalent 151-channel model's (extra channels kept)."""
    extra = config.label_nc - len(classes)
    return expand_state_dict(state, classes, source), dataclasses.replace(config, label_nc=FULL_NC + extra)


def compact_state_dict(
    state: dict[str, torch.Tensor], classes: list[int], source: str = "state dict"
) -> dict[str, torch.Tensor]:
    """Full (channel v = ADE20K value v) -> compact (channel i = classes[i])."""
    index = torch.tensor(classes, dtype=torch.long)
    out = {}
    for key, weight in state.items():
        if is_label_input(key):
            _check(key, weight, FULL_NC, source)
            weight = torch.cat([weight[:, index], weight[:, FULL_NC:]], dim=1)
        out[key] = weight.clone()
    return out
