"""Taking one SPADE layer apart gives back exactly what the layer computes, and shows the label map in γ and β."""

from __future__ import annotations

import numpy as np
import torch

from playground_lib.spade import GeneratorConfig, SPADEGenerator
from playground_lib.spade.inspect import semantics_for, spade_block_maps, uniform_sketches_after_normalisation
from playground_lib.spade.model import random_official_state_dict

CONFIG = GeneratorConfig(ngf=4)


def _generator() -> SPADEGenerator:
    plain = SPADEGenerator(CONFIG)
    plain.load_state_dict(random_official_state_dict(CONFIG, seed=5))
    return plain.eval()


def _two_halves(size: int = 64) -> np.ndarray:
    labels = np.full((size, size), 10, dtype=np.uint8)  # grass below
    labels[: size // 2] = 3  # sky above
    return labels


def test_the_parts_add_up_to_what_the_layer_outputs():
    plain, labels = _generator(), _two_halves()
    seen = []
    handle = plain.up_1.norm_0.register_forward_hook(lambda _m, _args, out: seen.append(out))
    maps = spade_block_maps(plain, labels, block="up_1")
    with torch.no_grad():
        plain(semantics_for(plain, labels))
    handle.remove()
    np.testing.assert_allclose(maps.features_out, seen[0][0].numpy(), atol=1e-5)
    np.testing.assert_allclose(maps.features_out, maps.normalized * (1 + maps.gamma) + maps.beta, atol=1e-5)
    assert maps.labels.shape == maps.gamma.shape[1:] == (16, 16)  # up_1 works at 1/4 of 64
    assert 0 <= maps.channel < maps.gamma.shape[0]


def test_gamma_and_beta_follow_the_label_map():
    maps = spade_block_maps(_generator(), _two_halves(), block="up_1")
    beta = maps.beta[maps.channel]
    sky, grass = beta[2:6, 4:12], beta[10:14, 4:12]  # inside each half, away from the edge between them
    assert np.ptp(sky) < 1e-5 and np.ptp(grass) < 1e-5  # one value per class
    assert abs(sky.mean() - grass.mean()) > 1e-3  # and different classes get different values


def test_plain_normalisation_forgets_a_uniform_sketch_and_spade_does_not():
    gap = uniform_sketches_after_normalisation(_generator(), (10, 47))
    assert gap["plain_norm"] < 1e-5
    assert gap["spade"] > 1e-3
    assert gap["plain_norm_channels"] == 0
    assert gap["spade_channels"] > gap["channels"] // 2


def test_labels_are_shrunk_to_the_size_asked():
    maps = spade_block_maps(_generator(), _two_halves(128), block="up_0", size=64)
    assert maps.labels.shape == (8, 8)
