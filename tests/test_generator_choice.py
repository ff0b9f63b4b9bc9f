"""choose_generator: the user's weights, else the cached official model, else the bundled one; never quick mode."""

import pytest

from playground_lib import generator_choice, weights
from playground_lib.spade import GeneratorConfig, save_random_official_checkpoint


@pytest.fixture
def empty_cache(monkeypatch, tmp_path):
    monkeypatch.setenv(weights.CACHE_ENV, str(tmp_path / "empty-cache"))
    return tmp_path / "empty-cache"


def test_bundled_model_when_no_official_weights_are_cached(empty_cache, monkeypatch, capsys):
    monkeypatch.setenv("PLAYGROUND_QUICK", "1")  # the library does what it is asked, quick or not
    generator = generator_choice.choose_generator(allow_download=False)
    assert "bundled" in generator.description
    out = capsys.readouterr().out
    assert "Using the small bundled model" in out and "The official weights are not here" in out
    assert str(empty_cache) not in out and len(out.splitlines()) == 1  # a plain note, no alarming path


def test_cached_official_weights_come_first(empty_cache, capsys, monkeypatch):
    monkeypatch.setattr(weights, "OFFICIAL_CONFIG", GeneratorConfig(ngf=4))  # a small file plays the official one
    cached = empty_cache / "ade20k_pretrained" / weights.GENERATOR_FILE
    cached.parent.mkdir(parents=True)
    save_random_official_checkpoint(cached, GeneratorConfig(ngf=4), seed=0)
    generator = generator_choice.choose_generator()
    assert "official" in generator.description
    assert "Using the official NVlabs SPADE ADE20K generator" in capsys.readouterr().out


def test_given_weights_win_and_nothing_at_hand_is_an_error(empty_cache, monkeypatch, tmp_path):
    given = save_random_official_checkpoint(tmp_path / "mine.pth", GeneratorConfig(ngf=4), seed=1)
    assert generator_choice.choose_generator(given).description == "weights from mine.pth"
    monkeypatch.setattr(generator_choice, "BUNDLED_WEIGHTS", tmp_path / "absent.safetensors")
    with pytest.raises(FileNotFoundError, match="--weights PATH"):
        generator_choice.choose_generator(allow_download=False, names=weights.CLI_NAMES)
