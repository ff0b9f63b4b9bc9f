"""The one generator file format: config, classes and info travel inside the safetensors; old layouts are refused."""

import json

import pytest
import torch

from playground_lib.spade import GeneratorConfig, random_official_state_dict, save_random_official_checkpoint
from playground_lib.spade.generator_file import (
    add_generator_info,
    read_generator,
    read_generator_info,
    save_generator,
)

COMPACT = GeneratorConfig(label_nc=4, ngf=4, crop_size=128, num_upsampling_layers="more")
CLASSES = [0, 9, 13, 47]


def test_round_trip_keeps_config_classes_and_info_in_half_precision(tmp_path):
    state = random_official_state_dict(COMPACT, seed=0)
    path = save_generator(tmp_path / "g.safetensors", state, COMPACT, CLASSES, half=True, info={"steps": 7})
    assert not path.with_suffix(".json").exists()  # nothing travels beside the file
    read, config, classes = read_generator(path)
    assert config == COMPACT and classes == CLASSES and read_generator_info(path) == {"steps": 7}
    assert read.keys() == state.keys()
    for key, value in state.items():
        if value.is_floating_point():
            assert read[key].dtype == torch.float16
            assert torch.equal(read[key], value.half())
        else:
            assert read[key].dtype == value.dtype and torch.equal(read[key], value)


def test_full_precision_and_the_official_layout(tmp_path):
    state = random_official_state_dict(GeneratorConfig(ngf=4), seed=1)
    path = save_generator(tmp_path / "g.safetensors", state, GeneratorConfig(ngf=4), half=False)
    read, config, classes = read_generator(path)
    assert classes is None and config == GeneratorConfig(ngf=4)
    assert all(torch.equal(read[k], v) for k, v in state.items())
    official = save_random_official_checkpoint(tmp_path / "latest_net_G.pth", GeneratorConfig(ngf=4), seed=1)
    read, config, classes = read_generator(official)  # the official .pth: config off the tensor shapes
    assert classes is None and config == GeneratorConfig(ngf=4)
    assert all(torch.equal(read[k], v) for k, v in state.items())


def test_adding_info_keeps_the_tensors(tmp_path):
    state = random_official_state_dict(COMPACT, seed=2)
    path = save_generator(tmp_path / "g.safetensors", state, COMPACT, CLASSES, info={"steps": 7})
    before = path.read_bytes()
    add_generator_info(path, evaluation={"miou": 0.5})
    assert read_generator_info(path) == {"steps": 7, "evaluation": {"miou": 0.5}}
    read, config, classes = read_generator(path)
    assert config == COMPACT and classes == CLASSES
    assert all(torch.equal(read[k], v.half() if v.is_floating_point() else v) for k, v in state.items())
    assert len(path.read_bytes()) > len(before)


def test_the_older_json_sidecar_layout_is_refused_naming_the_file(tmp_path):
    from safetensors.torch import save_file

    state = random_official_state_dict(COMPACT, seed=3)
    old = tmp_path / "exported.safetensors"
    save_file({k: v.contiguous() for k, v in state.items()}, str(old))
    (tmp_path / "exported.json").write_text(json.dumps({"generator": COMPACT.to_dict()}))
    with pytest.raises(ValueError, match=r"exported\.safetensors: no 'generator_config'.*exported\.json beside it"):
        read_generator(old)
    with pytest.raises(ValueError, match=r"exported\.safetensors: no 'generator_config'"):
        read_generator_info(old)
    (tmp_path / "exported.json").unlink()
    with pytest.raises(ValueError, match=r"exported\.safetensors: .*not a generator file saved by playground_lib"):
        read_generator(old)


def test_unreadable_and_inconsistent_files_name_the_problem(tmp_path):
    junk = tmp_path / "junk.safetensors"
    junk.write_bytes(b"junk")
    with pytest.raises(ValueError, match=r"junk\.safetensors: not a readable safetensors file"):
        read_generator(junk)
    with pytest.raises(FileNotFoundError, match=r"absent\.safetensors: no such weights file"):
        read_generator(tmp_path / "absent.safetensors")
    pickle = tmp_path / "model.pth"
    torch.save({"generator": {"fc.weight": torch.zeros(1)}}, pickle)  # nested: not a plain state dict
    with pytest.raises(ValueError, match=r"model\.pth: expected a plain state dict of tensors"):
        read_generator(pickle)
    state = random_official_state_dict(COMPACT, seed=4)
    with pytest.raises(ValueError, match=r"bad\.safetensors: 5 classes listed for a 4-channel model"):
        save_generator(tmp_path / "bad.safetensors", state, COMPACT, [0, 1, 2, 3, 4])
    with pytest.raises(ValueError, match=r"bad\.safetensors: classes must be distinct ADE20K values"):
        save_generator(tmp_path / "bad.safetensors", state, COMPACT, [0, 9, 9, 200])
