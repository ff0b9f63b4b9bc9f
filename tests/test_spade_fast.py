"""The folded fast path gives the plain network's numbers on identical weights."""

import pytest
import torch

from playground_lib.spade import GeneratorConfig, SPADEGenerator, fast, one_hot, random_official_state_dict
from playground_lib.spade.fast import FastSPADEGenerator


def _pair(config: GeneratorConfig, seed: int = 0):
    plain = SPADEGenerator(config)
    plain.load_state_dict(random_official_state_dict(config, seed))
    plain.eval()
    return plain, FastSPADEGenerator.from_plain(plain)


def _sketch(height: int, width: int, seed: int, label_nc: int = 151) -> torch.Tensor:
    """A few painted-looking regions: bands, a disc, a thin pole, a rectangle."""
    g = torch.Generator().manual_seed(seed)
    values = torch.randint(1, label_nc, (5,), generator=g)
    labels = torch.full((height, width), int(values[0]))
    labels[: height // 3] = values[1]
    yy, xx = torch.meshgrid(torch.arange(height), torch.arange(width), indexing="ij")
    disc = (yy - height * 0.6) ** 2 + (xx - width * 0.4) ** 2 < (min(height, width) * 0.2) ** 2
    labels[disc] = values[2]
    labels[height // 4 : height - 5, width * 3 // 4 : width * 3 // 4 + 1] = values[3]
    labels[-height // 5 :, : width // 5] = values[4]
    labels[0:3, 0:3] = 0  # "other" in a corner
    return labels


def _plain_output(plain, labels, label_nc):
    semantics = one_hot(labels, label_nc)
    if plain.config.instance_edges:
        semantics = torch.cat([semantics, torch.zeros_like(semantics[:, :1])], dim=1)
    with torch.no_grad():
        return plain(semantics)


@pytest.mark.parametrize(
    "config",
    [
        GeneratorConfig(ngf=8, crop_size=64),
        GeneratorConfig(ngf=4, crop_size=128, aspect_ratio=2.0, num_upsampling_layers="more"),
        GeneratorConfig(label_nc=20, instance_edges=True, ngf=4, crop_size=128, num_upsampling_layers="most"),
    ],
    ids=["official-shape", "more-wide", "most-edges"],
)
def test_fast_matches_plain(config):
    plain, quick = _pair(config)
    h, w = config.image_size
    labels = torch.stack([_sketch(h, w, 1, config.label_nc), _sketch(h, w, 2, config.label_nc)])
    expected = _plain_output(plain, labels, config.label_nc)
    got = quick(labels)
    assert got.shape == expected.shape
    assert (got - expected).abs().max() < 1e-4
    # The two images of the batch really differ: the batch is not collapsed.
    assert (got[0] - got[1]).abs().max() > 1e-3


def test_sparse_and_dense_paths_agree(monkeypatch):
    config = GeneratorConfig(ngf=4, crop_size=128)
    plain, quick = _pair(config, seed=5)
    labels = _sketch(128, 128, 7)[None]
    sparse = quick(labels)
    monkeypatch.setattr(fast, "DENSE_PIXELS", 10**9)
    dense = quick(labels)
    assert (sparse - dense).abs().max() < 1e-4
    monkeypatch.setattr(fast, "DENSE_PIXELS", 0)  # sparse everywhere, the latent grid too
    monkeypatch.setattr(fast, "DENSE_SHARE", 2.0)
    assert (quick(labels) - dense).abs().max() < 1e-4
    assert (sparse - _plain_output(plain, labels, 151)).abs().max() < 1e-4


def test_noise_labels_and_uniform_map():
    plain, quick = _pair(GeneratorConfig(ngf=4, crop_size=64), seed=3)
    noise = torch.randint(0, 151, (1, 64, 64), generator=torch.Generator().manual_seed(0))
    uniform = torch.full((1, 64, 64), 9)
    for labels in (noise, uniform):
        assert (quick(labels) - _plain_output(plain, labels, 151)).abs().max() < 1e-4


def test_other_sizes_than_training_and_bad_input():
    plain, quick = _pair(GeneratorConfig(ngf=4, crop_size=64))
    labels = _sketch(96, 160, 4)[None]
    assert (quick(labels) - _plain_output(plain, labels, 151)).abs().max() < 1e-4
    with pytest.raises(ValueError, match="multiple of 32"):
        quick(torch.zeros(1, 50, 64, dtype=torch.long))
    with pytest.raises(ValueError, match="0..150"):
        quick(torch.full((1, 64, 64), 151))


def test_distinct_rows_matches_torch_unique():
    g = torch.Generator().manual_seed(0)
    rows = torch.randint(0, 3, (500, 25), generator=g)
    rows[:, 20:] = 151
    reps, inverse = fast._distinct_rows(rows)
    expected = torch.unique(rows, dim=0)
    assert reps.shape == expected.shape
    assert torch.equal(reps[inverse], rows)  # every row maps to an identical representative
    assert torch.equal(torch.unique(reps, dim=0), expected)
