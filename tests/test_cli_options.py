"""Every option of every command: a value it cannot use is one line naming the option (or file), exit 2.

Each case failed before as a traceback (ZeroDivisionError, an allocation of 112 GiB, PyTorch's
"num_workers option should be non-negative"), as a message naming neither option nor file, or
was silently accepted (``--classes ""`` trained on all classes).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from playground_lib.cli import main

pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)
TINY = ["--steps", "1", "--load-size", "32", "--crop-size", "32", "--ngf", "4", "--ndf", "4", "--num-d", "1"]
TINY += ["--batch-size", "2", "--no-vgg", "--quiet"]


@pytest.fixture(scope="module")
def coco(scenes, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("coco") / "coco.json"
    assert main(["labelme2coco", str(scenes), str(out), "--quiet"]) == 0
    return out


def _config(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


CASES = {
    "train --checkpoint-every 0": (["--checkpoint-every", "0"], "checkpoint_every must be"),
    "train --sample-every 0": (["--sample-every", "0"], "sample_every must be"),
    "train --workers -2": (["--workers", "-2"], "num_workers must be"),
    "train --threads 0": (["--threads", "0"], "threads must be"),
    "train --seed -1": (["--seed", "-1"], "seed must be"),
    "train --lr-g 0": (["--lr-g", "0"], "lr_g must be"),
    "train --lr-g nan": (["--lr-g", "nan"], "lr_g must be"),
    "train --ngf 0": (["--ngf", "0"], "ngf must be"),
    "train --classes ''": (["--classes", ""], "--classes: expected 'all', 'auto' or numbers"),
    "train --classes ,": (["--classes", ","], "--classes: expected 'all', 'auto' or numbers"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_train_option_it_cannot_use(scenes, tmp_path, capsys, case):
    extra, expected = CASES[case]
    argv = ["train", "--data", str(scenes), "--out", str(tmp_path / "run"), *TINY, *extra]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and expected in err, err
    assert not (tmp_path / "run" / "checkpoints").exists()


CONFIG_FILES = {
    "string batch size": ("c.yaml", 'batch_size: "two"\n', "batch_size must be a whole number, got 'two'"),
    "broken yaml": ("c.yaml", "batch_size: [\n", "c.yaml: not valid YAML"),
    "boolean steps": ("c.json", '{"steps": true}', "steps must be a whole number, got True"),
    "list lr": ("c.json", '{"lr_g": [1]}', "lr_g must be a number, got [1]"),
    "not utf-8": ("c.yaml", "\udcff", "c.yaml: not a UTF-8 text file"),
}


@pytest.mark.parametrize("case", list(CONFIG_FILES))
def test_train_config_file_it_cannot_use(scenes, tmp_path, capsys, case):
    name, text, expected = CONFIG_FILES[case]
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    argv = ["train", str(path), "--data", str(scenes), "--out", str(tmp_path / "run"), *TINY]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and expected in err, err


def _other_cases(scenes: Path, coco: Path, tmp_path: Path) -> dict[str, tuple[list[str], str]]:
    label = str(scenes / "scene_0000_label.png")
    return {
        "synth --size 100000": (["synth", "--size", "100000", "--out", str(tmp_path / "s")], "--size must be"),
        "synth --n 10**9": (["synth", "--n", str(10**9), "--out", str(tmp_path / "s")], "--n must be"),
        "synth --seed -1": (["synth", "--seed", "-1", "--out", str(tmp_path / "s")], "--seed must be"),
        "labelme2coco --seed -1": (
            ["labelme2coco", str(scenes), str(tmp_path / "c.json"), "--split", "0.5", "--seed", "-1"],
            "--seed must be",
        ),
        "coco2spade --seed -5": (["coco2spade", str(coco), str(scenes), str(tmp_path / "o"), "--seed", "-5"], "--seed"),
        "background --window 0": (
            ["background", label, str(tmp_path / "bg.png"), "--colours-only", "--tiles", "2x2", "--window", "0"],
            "--window must be",
        ),
        "background --window -3": (
            ["background", label, str(tmp_path / "bg.png"), "--colours-only", "--tiles", "2x2", "--window", "-3"],
            "--window must be",
        ),
    }


OTHER = [
    "synth --size 100000",
    "synth --n 10**9",
    "synth --seed -1",
    "labelme2coco --seed -1",
    "coco2spade --seed -5",
    "background --window 0",
    "background --window -3",
]


@pytest.mark.parametrize("case", OTHER)
def test_other_commands_options_they_cannot_use(scenes, coco, tmp_path, capsys, case):
    argv, expected = _other_cases(scenes, coco, tmp_path)[case]
    assert main([*argv, "--quiet"] if argv[0] in ("labelme2coco", "coco2spade") else argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and expected in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", ["coco2spade", "coco2labelme", "datasheet"])
@pytest.mark.parametrize("kind", ["NUL byte", "symlink loop"])
def test_an_unusable_file_name_in_coco_is_one_line_naming_it(scenes, coco, tmp_path, capsys, command, kind):
    data = json.loads(coco.read_text())
    if kind == "NUL byte":
        data["images"][0]["file_name"] = "scene_0000\0.png"
        expected = "holds a NUL byte"
    else:
        os.symlink("loop.png", tmp_path / "loop.png")
        data["images"][0]["file_name"] = "loop.png"
        expected = "is a symbolic link that loops"
        for name in os.listdir(scenes):
            shutil.copy(scenes / name, tmp_path / name)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    images = tmp_path if kind == "symlink loop" else scenes
    argv = {
        "coco2spade": ["coco2spade", str(bad), str(images), str(tmp_path / "out"), "--quiet"],
        "coco2labelme": ["coco2labelme", str(bad), str(images), str(tmp_path / "out"), "--quiet"],
        "datasheet": ["datasheet", str(bad), "--out", str(tmp_path / "out")],
    }[command]
    code = main(argv)
    err = capsys.readouterr().err.strip()
    if command == "datasheet" and code == 0:  # a datasheet counts annotations; it reads no image
        return
    assert code == 2, err
    assert "Traceback" not in err and expected in err and "image 1" in err, err
    assert not (tmp_path / "out").exists()


def test_a_labelme_image_path_in_a_symlink_loop_is_one_line(scenes, tmp_path, capsys):
    folder = tmp_path / "lm"
    folder.mkdir()
    data = json.loads((scenes / "scene_0000.json").read_text())
    data["imagePath"] = "loop.png"
    data["imageData"] = None
    (folder / "scene_0000.json").write_text(json.dumps(data))
    os.symlink("loop.png", folder / "loop.png")
    assert main(["labelme2coco", str(folder), str(tmp_path / "c.json"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "scene_0000.json" in err, err
