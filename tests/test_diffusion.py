"""Words + sketch: the condition image, the settings, and the engine loaded from local folders (no network)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from playground_lib.diffusion.condition import condition_image, working_size
from playground_lib.diffusion.settings import (
    BASE_ENV,
    CONTROLNET_ENV,
    DEFAULT_CONTROLNET,
    DiffusionSettings,
    ModelChoice,
)
from playground_lib.labels import NUM_ADE20K_CLASSES, OTHER, ade20k_value

REFERENCE = Path(__file__).parent / "data" / "controlnet_ade20k_palette.json"
QUICK = DiffusionSettings(steps=3, seed=0)


def controlnet_palette() -> np.ndarray:
    """The 150 colours ControlNet's segmentation condition maps were drawn with (class 0 = wall first)."""
    rows = json.loads(REFERENCE.read_text())["palette"]
    assert len(rows) == NUM_ADE20K_CLASSES
    return np.array(rows, dtype=np.uint8)


# --- the condition image: the painter's colours are the ControlNet's, value by value ---------------------------


def test_every_class_gets_the_colour_controlnet_was_trained_with():
    values = np.arange(1, NUM_ADE20K_CLASSES + 1, dtype=np.uint8).reshape(10, 15)
    condition = condition_image(values, size=values.shape)
    reference = controlnet_palette()
    for value in range(1, NUM_ADE20K_CLASSES + 1):
        y, x = divmod(value - 1, 15)
        assert tuple(condition[y, x]) == tuple(reference[value - 1]), f"ADE20K value {value}"


def test_other_is_black_and_black_is_no_class():
    condition = condition_image(np.full((4, 4), OTHER, dtype=np.uint8), size=(4, 4))
    assert (condition == 0).all()
    assert not (controlnet_palette() == 0).all(axis=1).any()  # so "other" is never read as a class


def test_a_leading_black_entry_would_shift_every_class():
    """The off-by-one to avoid: a palette with black first gives wall black and building wall's grey."""
    shifted = np.concatenate([np.zeros((1, 3), np.uint8), controlnet_palette()])
    wall, building = ade20k_value("wall"), ade20k_value("building")
    condition = condition_image(np.array([[wall, building]], dtype=np.uint8), size=(1, 2))
    assert tuple(condition[0, 1]) != tuple(shifted[building - 1])
    assert tuple(condition[0, 1]) == tuple(controlnet_palette()[building - 1])


def test_playground_classes_reach_the_controlnet_in_their_painter_colours():
    from playground_lib.painter.sketchpad import sketch_palette

    reference = controlnet_palette()
    for entry in sketch_palette():
        if entry.value != OTHER:
            labels = np.full((2, 2), entry.value, dtype=np.uint8)
            assert tuple(condition_image(labels, size=(2, 2))[0, 0]) == tuple(reference[entry.value - 1]), entry.name


def test_condition_is_resized_without_inventing_colours():
    labels = np.zeros((30, 50), dtype=np.uint8)
    labels[:, 25:] = ade20k_value("grass")
    labels[10:20, 5:15] = ade20k_value("plaything")
    condition = condition_image(labels)
    assert condition.shape == (512, 856, 3)
    colours = {tuple(c) for c in condition.reshape(-1, 3)}
    assert colours == {(0, 0, 0), tuple(controlnet_palette()[ade20k_value("grass") - 1]), (255, 0, 31)}


@pytest.mark.parametrize(
    ("shape", "native", "expected"),
    [
        ((256, 256), 512, (512, 512)),
        ((480, 640), 512, (512, 680)),
        ((600, 800), 512, (600, 800)),
        ((50, 3000), 512, (32, 2048)),
    ],
)
def test_working_size(shape, native, expected):
    assert working_size(*shape, native=native) == expected


# --- settings ---------------------------------------------------------------------------------------------------


def test_models_are_settings(monkeypatch):
    monkeypatch.delenv(CONTROLNET_ENV, raising=False)
    monkeypatch.delenv(BASE_ENV, raising=False)
    assert ModelChoice.from_settings().controlnet == DEFAULT_CONTROLNET
    monkeypatch.setenv(CONTROLNET_ENV, "/shared/controlnet")
    monkeypatch.setenv(BASE_ENV, "someone/sd15-mirror")
    assert ModelChoice.from_settings() == ModelChoice("/shared/controlnet", "someone/sd15-mirror")
    assert ModelChoice.from_settings(base="./here").base == "./here"


@pytest.mark.parametrize(
    ("change", "word"),
    [({"steps": 0}, "steps"), ({"seed": -1}, "seed"), ({"guidance": 99}, "guidance"), ({"strength": -1}, "strength")],
)
def test_bad_knobs_are_named(change, word):
    with pytest.raises(ValueError, match=f"^{word} must"):
        DiffusionSettings(**change)


def test_memory_plan():
    from playground_lib.diffusion.engine import memory_plan

    cpu = memory_plan("cpu")
    assert not (cpu.half_precision or cpu.cpu_offload or cpu.vae_tiling)
    t4 = memory_plan("cuda", 15.0)
    assert t4.half_precision and t4.vae_tiling and not t4.cpu_offload and not t4.attention_slicing
    small = memory_plan("cuda", 4.0)
    assert small.cpu_offload and small.attention_slicing


# --- the engine, loaded from folders in diffusers' layout through the code that loads hub models ----------------


@pytest.fixture(scope="module")
def engine(tiny_diffusion):
    from playground_lib.diffusion.engine import load_engine

    controlnet, base = tiny_diffusion
    return load_engine(str(controlnet), str(base), settings=QUICK)


def small_sketch() -> np.ndarray:
    labels = np.full((32, 48), ade20k_value("grass"), dtype=np.uint8)
    labels[:12] = ade20k_value("sky")
    labels[16:28, 8:20] = ade20k_value("plaything")
    return labels


def test_engine_paints_the_map_size_and_is_repeatable(engine):
    labels = small_sketch()
    first, again = engine(labels), engine(labels)
    assert first.shape == (32, 48, 3) and first.dtype == np.uint8
    assert np.array_equal(first, again)
    assert engine.last_condition.shape == (64, 96, 3)  # painted at the model's native size, then brought back


def test_seed_words_and_sketch_each_change_the_picture(engine):
    labels = small_sketch()
    base = engine.paint(labels, QUICK)
    other_seed = engine.paint(labels, QUICK.but(seed=1))
    other_words = engine.paint(labels, QUICK.but(prompt="snow at night"))
    sand = labels.copy()
    sand[sand == ade20k_value("grass")] = ade20k_value("sand")
    other_sketch = engine.paint(sand, QUICK)
    for changed in (other_seed, other_words, other_sketch):
        assert np.abs(changed.astype(int) - base).mean() > 0.01


def test_condition_is_exactly_what_the_controlnet_gets(engine, monkeypatch):
    seen = {}
    original = engine.pipeline.prepare_image

    def spy(image, *args, **kwargs):
        seen["image"] = np.asarray(image)
        return original(image, *args, **kwargs)

    monkeypatch.setattr(engine.pipeline, "prepare_image", spy)
    engine.paint(small_sketch(), QUICK)
    assert np.array_equal(seen["image"], engine.last_condition)
    assert np.array_equal(engine.last_condition, condition_image(small_sketch(), (64, 96)))


def test_stop_ends_a_picture_between_steps(engine, monkeypatch):
    from playground_lib.diffusion.engine import GenerationStopped

    original = engine.pipeline.unet.forward

    def stop_after_first(*args, **kwargs):
        engine.stop()
        return original(*args, **kwargs)

    monkeypatch.setattr(engine.pipeline.unet, "forward", stop_after_first)
    with pytest.raises(GenerationStopped, match="stopped"):
        engine.paint(small_sketch(), QUICK)


def test_cpu_estimate_over_the_limit_stops_with_what_to_do(engine, monkeypatch, capsys):
    from playground_lib.diffusion.engine import GenerationStopped

    monkeypatch.setattr(engine, "max_cpu_minutes", 1e-6)
    monkeypatch.setattr("playground_lib.diffusion.engine.SAY_ESTIMATE_FROM_SECONDS", 0.0)
    with pytest.raises(GenerationStopped, match="T4 GPU"):
        engine.paint(small_sketch(), QUICK)
    assert "On this CPU: about" in capsys.readouterr().out


def test_background_windows_blend_a_big_map(engine):
    from playground_lib.tiled_painting import paint_in_windows

    layout = np.tile(small_sketch(), (3, 3))  # 96 x 144
    windows = engine.windows()
    assert (windows.largest, windows.overlap) == (64, 16)
    picture = paint_in_windows(layout, windows, progress=False)
    assert picture.shape == (96, 144, 3)


# --- what a participant meets when something is missing ----------------------------------------------------------


def test_missing_extra_says_how_to_install(monkeypatch):
    from playground_lib.diffusion import engine as module

    monkeypatch.setattr(module, "diffusion_installed", lambda: False)
    with pytest.raises(module.DiffusionUnavailable, match=r"diffusion\]") as info:
        module.load_engine()
    assert "SPADE" in str(info.value)


def test_folder_that_is_not_a_model_is_named(tmp_path, tiny_diffusion):
    from playground_lib.diffusion.engine import DiffusionUnavailable, load_engine

    controlnet, _ = tiny_diffusion
    with pytest.raises(DiffusionUnavailable, match=f"{tmp_path}: no model_index.json inside"):
        load_engine(str(controlnet), str(tmp_path))
    with pytest.raises(DiffusionUnavailable, match="no such folder"):
        load_engine(str(tmp_path / "missing"), str(tmp_path))


def test_unreachable_hub_model_is_one_paragraph(monkeypatch, tiny_diffusion):
    from playground_lib.diffusion.engine import DiffusionUnavailable, load_engine

    controlnet, _ = tiny_diffusion
    with pytest.raises(DiffusionUnavailable) as info:
        load_engine(str(controlnet), "nobody-here/no-such-model")
    message = str(info.value)
    assert "nobody-here/no-such-model" in message and "`base`" in message and BASE_ENV in message
    assert "\n" not in message and "Traceback" not in message


# --- the command line -------------------------------------------------------------------------------------------


def run_cli(*argv: str) -> int:
    from playground_lib.cli import main

    return main([str(a) for a in argv])


def write_sketch(path: Path) -> Path:
    from playground_lib.fileio import write_png
    from playground_lib.labels import labels_to_colors

    write_png(path, labels_to_colors(small_sketch()))
    return path


def test_generate_with_words_writes_the_picture_and_the_condition(tmp_path, tiny_diffusion):
    from playground_lib.fileio import read_png

    controlnet, base = tiny_diffusion
    sketch = write_sketch(tmp_path / "sketch.png")
    out, condition = tmp_path / "out.png", tmp_path / "cond.png"
    common = ["--engine", "diffusion", "--controlnet", controlnet, "--base", base, "--steps", "2", "--seed", "5"]
    assert run_cli("generate", sketch, out, *common, "--prompt", "a playground", "--condition-out", condition) == 0
    picture = read_png(out)
    assert picture.shape == (64, 96, 3)  # the shorter side brought to the model's native 64 px
    assert np.array_equal(read_png(condition), condition_image(small_sketch(), (64, 96)))
    again = tmp_path / "again.png"
    assert run_cli("generate", sketch, again, *common, "--prompt", "a playground") == 0
    assert np.array_equal(read_png(again), picture)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--steps", "0"], "--steps must be between 1 and 200"),
        (["--strength", "3"], "--strength must be between 0 and 2"),
        (["--base", "/no/such/folder"], "/no/such/folder: no such folder"),
    ],
)
def test_generate_with_words_refuses_bad_options_in_one_line(tmp_path, tiny_diffusion, capsys, extra, message):
    controlnet, _ = tiny_diffusion
    sketch = write_sketch(tmp_path / "sketch.png")
    code = run_cli(
        "generate", sketch, tmp_path / "out.png", "--engine", "diffusion", "--controlnet", controlnet, *extra
    )
    error = capsys.readouterr().err
    assert code == 2 and message in error and len(error.strip().splitlines()) == 1
    assert not (tmp_path / "out.png").exists()


def test_spade_refuses_words_rather_than_ignoring_them(tmp_path, capsys):
    sketch = write_sketch(tmp_path / "sketch.png")
    assert run_cli("generate", sketch, tmp_path / "out.png", "--bundled", "--prompt", "snow") == 2
    assert "need --engine diffusion" in capsys.readouterr().err
    assert run_cli("generate", sketch, tmp_path / "out.png", "--bundled", "--max-cpu-minutes", "5") == 2
    assert "need --engine diffusion" in capsys.readouterr().err
    assert run_cli("generate", sketch, tmp_path / "out.png", "--bundled", "--condition-out", tmp_path / "c.png") == 2


def test_background_with_words_paints_one_prompt_across_windows(tmp_path, tiny_diffusion):
    from playground_lib.fileio import read_png

    controlnet, base = tiny_diffusion
    sketches = [write_sketch(tmp_path / f"s{i}.png") for i in range(2)]
    out = tmp_path / "bg.png"
    code = run_cli(
        "background", *sketches, out, "--tiles", "4x3", "--engine", "diffusion", "--controlnet", controlnet,
        "--base", base, "--steps", "2", "--prompt", "a playground at dusk", "--no-progress",
    )  # fmt: skip
    assert code == 0
    assert read_png(out).shape == (96, 128, 3)
    assert (tmp_path / "bg_tiles.json").is_file()


# --- the painter: an engine choice and a prompt box when diffusion is loaded (no browser) -------------------------


def test_painter_paints_with_the_chosen_engine_and_the_words_typed(engine):
    from playground_lib.painter.engine_choice import EngineChoice, engine_choice
    from playground_lib.painter.widget import Painter

    spade_calls = []

    def spade(labels):
        spade_calls.append(labels)
        return np.zeros(labels.shape + (3,), dtype=np.uint8)

    assert engine_choice(spade, None) is spade  # no diffusion: nothing to choose
    choice = engine_choice(spade, engine)
    assert isinstance(choice, EngineChoice)
    painter = Painter(size=(32, 48), generate=choice)
    assert choice in painter.result_column.children  # the controls sit above the result
    assert choice.words.layout.display == "none"  # SPADE reads no words: the box is hidden
    painter.fill(1, 1, "grass")
    assert not painter.generate().any() and len(spade_calls) == 1

    choice.engine.value = "diffusion"
    assert choice.words.layout.display == ""
    choice.prompt.value = "a snowy playground at night"
    choice.seed.value = 7
    picture = painter.generate()
    assert len(spade_calls) == 1 and picture.shape == (32, 48, 3) and picture.any()
    assert engine.settings.prompt == "a snowy playground at night" and engine.settings.seed == 7
    assert np.array_equal(picture, engine(painter.labels))  # the same words and seed: the same picture
    choice.seed.value = -1
    assert choice.seed.value == 0  # the box itself keeps the seed in range


def test_a_big_map_is_painted_at_most_twice_the_native_size_then_brought_to_its_own(engine):
    labels = np.kron(small_sketch(), np.ones((5, 5), dtype=np.uint8))  # 160 x 240
    picture = engine(labels)
    assert engine.last_condition.shape[:2] == (88, 128)  # the longer side capped at 2 x 64
    assert picture.shape == (160, 240, 3)
