"""load_generator on every kind of file, generate() on maps and batches, and `playground generate`."""

import numpy as np
import pytest
import torch
from PIL import Image

from playground_lib.cli import main
from playground_lib.labels import ade20k_value, labels_to_colors
from playground_lib.spade import (
    GeneratorConfig,
    load_generator,
    loading,
    random_generator,
    random_official_state_dict,
    read_generator,
    save_generator,
    save_random_official_checkpoint,
)

TINY = GeneratorConfig(ngf=4)
GRASS, SAND, SKY = (ade20k_value(n) for n in ("grass", "sand", "sky"))


@pytest.fixture(scope="module")
def official_like(tmp_path_factory):
    return save_random_official_checkpoint(tmp_path_factory.mktemp("w") / "latest_net_G.pth", TINY, seed=4)


def _labels(size=64):
    labels = np.full((size, size), GRASS, np.uint8)
    labels[: size // 3] = SKY
    labels[size // 2 :, size // 4 : size // 2] = SAND
    return labels


def test_official_layout_loads_strict_and_generates(official_like):
    generator = load_generator(official_like)
    assert "official" in generator.description
    assert generator.config == TINY  # ngf read off the tensor shapes
    image = generator.generate(_labels())
    assert image.shape == (64, 64, 3) and image.dtype == np.uint8
    batch = generator.generate(np.stack([_labels(), np.full((64, 64), SAND, np.uint8)]))
    assert batch.shape == (2, 64, 64, 3)
    assert np.array_equal(batch[0], image)
    assert generator.generate(_labels()[::-1]).shape == (64, 64, 3)  # a flipped view
    assert np.abs(batch[0].astype(int) - batch[1]).max() > 0


def test_generate_matches_the_plain_network(official_like):
    from playground_lib.spade import one_hot

    state, config, _ = read_generator(official_like)
    plain = loading.build_plain(state, config)
    with torch.no_grad():
        expected = plain(one_hot(torch.from_numpy(_labels()).long()[None], 151))
    expected = ((expected.clamp(-1, 1) + 1) * 127.5).round()[0].permute(1, 2, 0).numpy()
    assert np.abs(load_generator(official_like).generate(_labels()) - expected).max() <= 1


def test_sizes_are_rounded_to_the_network_grid(official_like):
    generator = load_generator(official_like)
    assert generator.generate(_labels(50), size=128).shape == (128, 128, 3)
    wide = np.zeros((40, 90), np.uint8)
    assert generator.generate(wide).shape == (32, 96, 3)
    assert generator.generate(wide, size=(64, 160)).shape == (64, 160, 3)


def test_bad_files_and_labels_name_the_problem(tmp_path, official_like):
    state = torch.load(official_like, weights_only=True)
    del state["up_1.norm_0.mlp_beta.weight"]
    state["extra.weight"] = torch.zeros(1)
    broken = tmp_path / "broken.pth"
    torch.save(state, broken)
    with pytest.raises(ValueError, match=r"broken.pth.*missing keys \['up_1.norm_0.mlp_beta.weight'\].*extra.weight"):
        load_generator(broken)
    junk = tmp_path / "junk.pth"
    junk.write_bytes(b"junk")
    with pytest.raises(ValueError, match="junk.pth: not a readable"):
        load_generator(junk)
    generator = load_generator(official_like)
    with pytest.raises(ValueError, match=r"found \[151\]"):
        generator.generate(np.full((32, 32), 151))
    with pytest.raises(ValueError, match="integers"):
        generator.generate(np.zeros((32, 32), np.float32))


def test_config_from_the_file_metadata_and_bundled_path(tmp_path, monkeypatch):
    config = GeneratorConfig(ngf=4, crop_size=128, num_upsampling_layers="more")  # same tensors as "normal"
    weights = save_generator(
        tmp_path / "bundled_generator.safetensors", random_official_state_dict(config, seed=1), config, half=False
    )
    monkeypatch.setattr(loading, "BUNDLED_WEIGHTS", weights)
    generator = load_generator(None)
    assert generator.config.num_upsampling_layers == "more" and "bundled" in generator.description
    assert generator.generate(_labels(64)).shape == (64, 64, 3)
    monkeypatch.setattr(loading, "BUNDLED_WEIGHTS", tmp_path / "absent.safetensors")
    with pytest.raises(FileNotFoundError, match="bundled model is not part of this installation"):
        load_generator(None)


def test_compact_model_reads_ade20k_values_through_its_class_list(tmp_path):
    classes = [0, GRASS, SAND, SKY]
    config = GeneratorConfig(label_nc=4, ngf=4)
    path = save_generator(tmp_path / "compact.safetensors", random_official_state_dict(config, seed=2), config, classes)
    generator = load_generator(path)
    image = generator.generate(_labels())
    other = generator.generate(np.where(_labels() == SAND, 0, _labels()).astype(np.uint8))
    assert image.shape == (64, 64, 3) and np.abs(image.astype(int) - other).max() > 0


def test_cli_generate(tmp_path, official_like, capsys):
    sketch = tmp_path / "sketch.png"
    Image.fromarray(labels_to_colors(_labels(80))).save(sketch)
    out = tmp_path / "out" / "playground.png"
    assert main(["generate", str(sketch), str(out), "--weights", str(official_like), "--size", "64"]) == 0
    with Image.open(out) as image:
        assert image.size == (64, 64) and image.mode == "RGB"
    assert "grass" in capsys.readouterr().out
    odd = tmp_path / "odd.png"
    rgb = labels_to_colors(_labels(80)).copy()
    rgb[10:40, 10:40] = (250, 100, 180)
    Image.fromarray(rgb).save(odd)
    assert main(["generate", str(odd), str(tmp_path / "x.png"), "--weights", str(official_like)]) == 2
    assert "#fa64b4" in capsys.readouterr().err
    assert main(["generate", str(tmp_path / "none.png"), str(tmp_path / "x.png")]) == 2
    assert main(["generate", str(sketch), str(tmp_path / "x.png"), "--weights", str(tmp_path / "no.pth")]) == 2
    assert "no.pth: no such file" in capsys.readouterr().err


def test_random_generator_is_seeded():
    a = random_generator(seed=3).generate(_labels(32))
    b = random_generator(seed=3).generate(_labels(32))
    assert np.array_equal(a, b)


def test_change_report_separates_inside_from_outside():
    from playground_lib.spade.change import change_report

    before_labels = _labels(32)
    after_labels = np.where(before_labels == GRASS, SAND, before_labels)
    before = np.zeros((64, 64, 3), np.uint8)
    after = before.copy()
    grass_big = np.kron(before_labels == GRASS, np.ones((2, 2), bool))
    after[grass_big] = 255  # the picture changes exactly where the sketch did, at twice the size
    report = change_report(before_labels, after_labels, before, after)
    assert report["change inside"] == pytest.approx(1.0)
    assert report["change outside"] == pytest.approx(0.0)
    assert report["repainted share"] == pytest.approx((before_labels == GRASS).mean())


def test_plain_path_for_gpus_gives_the_same_picture(official_like):
    state, config, _ = read_generator(official_like)
    fast = loading.LoadedGenerator(loading.build_plain(state, config), "fast", device="cpu")
    plain = loading.LoadedGenerator(loading.build_plain(state, config), "plain", device="cpu", fast=False)
    assert fast.fast and not plain.fast
    batch = np.stack([_labels(), _labels()[::-1]])
    assert np.abs(fast.generate(batch).astype(int) - plain.generate(batch)).max() <= 1
    with pytest.raises(ValueError, match="runs on the CPU"):
        loading.LoadedGenerator(loading.build_plain(state, config), "x", device="cuda", fast=True)
