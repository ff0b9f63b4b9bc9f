"""The plain SPADE generator: official key layout, size, training, config round trip."""

import pytest
import torch

from playground_lib.spade import (
    GeneratorConfig,
    SPADEGenerator,
    count_parameters,
    one_hot,
    random_official_state_dict,
    save_random_official_checkpoint,
)

TINY = GeneratorConfig(label_nc=151, ngf=4, crop_size=64)


def test_official_size_and_key_layout():
    torch.manual_seed(0)
    generator = SPADEGenerator()
    # NVlabs prints "Total number of parameters: 96.5 million" for the ADE20K generator.
    assert count_parameters(generator) == pytest.approx(96.5e6, rel=2e-3)
    keys = set(generator.state_dict())
    for key in (
        "fc.weight",
        "fc.bias",
        "head_0.conv_0.weight_orig",
        "head_0.conv_0.weight_u",
        "head_0.conv_0.weight_v",
        "head_0.norm_0.param_free_norm.running_mean",
        "head_0.norm_0.param_free_norm.running_var",
        "head_0.norm_0.mlp_shared.0.weight",
        "head_0.norm_0.mlp_gamma.weight",
        "head_0.norm_0.mlp_beta.bias",
        "G_middle_1.norm_1.mlp_shared.0.bias",
        "up_0.conv_s.weight_orig",
        "up_0.norm_s.mlp_gamma.weight",
        "up_3.conv_1.weight_orig",
        "conv_img.weight",
    ):
        assert key in keys, key
    assert "head_0.conv_s.weight_orig" not in keys  # same width in and out: identity shortcut
    assert "up_0.conv_s.bias" not in keys
    assert not any(k.startswith("up_4") for k in keys)
    assert generator.state_dict()["fc.weight"].shape == (1024, 151, 3, 3)
    assert generator.state_dict()["up_3.norm_0.mlp_shared.0.weight"].shape == (128, 151, 3, 3)


def test_most_adds_up_4_and_instance_edges_add_a_channel():
    config = GeneratorConfig(label_nc=10, instance_edges=True, ngf=4, crop_size=128, num_upsampling_layers="most")
    generator = SPADEGenerator(config)
    assert config.semantic_nc == 11
    assert "up_4.conv_0.weight_orig" in generator.state_dict()
    out = generator.eval()(torch.zeros(1, 11, 128, 128))
    assert out.shape == (1, 3, 128, 128)


def test_random_checkpoint_loads_strict_with_weights_only(tmp_path):
    path = save_random_official_checkpoint(tmp_path / "latest_net_G.pth", TINY, seed=3)
    state = torch.load(path, weights_only=True)
    generator = SPADEGenerator(TINY)
    generator.load_state_dict(state, strict=True)
    assert torch.equal(
        generator.state_dict()["up_1.norm_1.param_free_norm.running_var"],
        state["up_1.norm_1.param_free_norm.running_var"],
    )
    assert not torch.allclose(state["up_1.norm_1.param_free_norm.running_var"], torch.ones(1))


def test_trains_with_gradients_and_outputs_in_range():
    torch.manual_seed(0)
    generator = SPADEGenerator(GeneratorConfig(label_nc=12, ngf=4, crop_size=64)).train()
    semantics = one_hot(torch.randint(0, 12, (2, 64, 64)), 12)
    image = generator(semantics)
    assert image.shape == (2, 3, 64, 64)
    assert image.abs().max() <= 1
    image.square().mean().backward()
    assert generator.up_3.norm_0.mlp_gamma.weight.grad.abs().sum() > 0
    assert generator.head_0.conv_0.weight_orig.grad.abs().sum() > 0


def test_eval_output_depends_on_labels_and_rejects_bad_sizes():
    generator = SPADEGenerator(TINY).eval()
    a = torch.zeros(1, 64, 64, dtype=torch.long)
    b = a.clone()
    b[:, 20:40, 20:40] = 9
    with torch.no_grad():
        out_a, out_b = generator(one_hot(a, 151)), generator(one_hot(b, 151))
    assert (out_a - out_b).abs().max() > 1e-3
    with pytest.raises(ValueError, match="multiple of 32"):
        generator(one_hot(torch.zeros(1, 40, 64, dtype=torch.long), 151))
    with pytest.raises(ValueError, match="0..150"):
        one_hot(torch.full((1, 4, 4), 151), 151)


def test_config_round_trip_and_errors():
    config = GeneratorConfig(label_nc=19, ngf=16, crop_size=256, aspect_ratio=2.0)
    assert GeneratorConfig.from_dict(config.to_dict()) == config
    assert config.latent_size == (4, 8)
    with pytest.raises(ValueError, match="bogus"):
        GeneratorConfig.from_dict({"bogus": 1}, source="model.json")
    with pytest.raises(ValueError, match="num_upsampling_layers"):
        GeneratorConfig(num_upsampling_layers="lots")


def test_random_state_dict_is_seeded():
    a = random_official_state_dict(TINY, seed=1)
    b = random_official_state_dict(TINY, seed=1)
    assert all(torch.equal(a[k], b[k]) for k in a)
