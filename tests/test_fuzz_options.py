"""Property-based fuzzing of the commands' options: any number given to any option runs or is one line, exit 2.

Hypothesis gives training's flags (with ``--steps 0``: the settings are checked and the model
built, no step trained) and synth's, background's, labelme2coco's and coco2spade's number
options values from -2**63 to 2**63, zero, NaN and infinity. Each run either succeeds or exits 2
with one line naming the option or setting; any other exception fails the test. Deterministic.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from memory_guard import memory_limit

from playground_lib.cli import main

pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)
FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
WHOLE = st.one_of(st.integers(-3, 40), st.sampled_from([0, -1, 2**31, -(2**31), 2**63, -(2**63), 10**6]))
REAL = st.one_of(WHOLE, st.floats(-10, 10), st.sampled_from([math.nan, math.inf, -math.inf, 1e-300, 1e300, 0.0, -0.0]))
TRAIN_WHOLE = ["--batch-size", "--load-size", "--crop-size", "--ngf", "--ndf", "--num-d", "--seed", "--threads"]
TRAIN_WHOLE += ["--workers", "--sample-every", "--checkpoint-every", "--dontcare"]
TRAIN_REAL = ["--lr-g", "--lr-d", "--lambda-feat", "--ema-decay"]
train_options = st.dictionaries(st.sampled_from(TRAIN_WHOLE + TRAIN_REAL), st.none(), min_size=1, max_size=3).flatmap(
    lambda keys: st.fixed_dictionaries({k: REAL if k in TRAIN_REAL else WHOLE for k in keys})
)


def _one_line_or_success(code: int, err: str) -> None:
    lines = [line for line in err.strip().splitlines() if "%|" not in line]
    assert code in (0, 2), err
    if code == 2:
        assert len(lines) == 1 and lines[0].startswith("playground "), err


@FUZZ
@given(options=train_options)
def test_training_flags(scenes, tmp_path_factory, capsys, options):
    out = tmp_path_factory.mktemp("run")
    argv = ["train", "--data", str(scenes), "--out", str(out), "--steps", "0", "--no-vgg", "--quiet"]
    defaults = {"--load-size": 32, "--crop-size": 32, "--ngf": 4, "--ndf": 4, "--num-d": 1, "--batch-size": 2}
    argv += [f"{flag}={value}" for flag, value in {**defaults, **options}.items()]  # "-1e-5" is a value here
    with memory_limit():
        code = main(argv)
    _one_line_or_success(code, capsys.readouterr().err)


@FUZZ
@given(
    command=st.sampled_from(["synth", "background", "labelme2coco", "coco2spade"]),
    seed=WHOLE,
    size=WHOLE,
    n=WHOLE,
    window=WHOLE,
)
def test_other_commands_number_options(scenes, tmp_path_factory, capsys, command, seed, size, n, window):
    out = tmp_path_factory.mktemp("out")
    label = str(scenes / "scene_0000_label.png")
    argv = {
        "synth": ["synth", "--n", str(min(n, 3)), "--size", str(size), "--seed", str(seed), "--out", str(out / "s")],
        "background": ["background", label, str(out / "bg.png"), "--colours-only", "--tiles", "2x2"]
        + ["--window", str(window)],
        "labelme2coco": ["labelme2coco", str(scenes), str(out / "c.json"), "--quiet", "--split", "0.5"]
        + ["--seed", str(seed)],
        "coco2spade": ["coco2spade", str(out / "missing.json"), str(scenes), str(out / "o"), "--quiet"]
        + ["--seed", str(seed)],
    }[command]
    with memory_limit():
        code = main(argv)
    err = capsys.readouterr().err
    if command == "coco2spade" and code == 2 and "--seed" not in err:  # a valid seed: then the missing file
        assert "missing.json" in err, err
        return
    _one_line_or_success(code, err)
