"""The series as one thread: 01 saves, 02 converts, 06 trains on it; 05 paints 04's sketch and 06 finds 05's weights.

Each notebook of tests/test_notebooks.py runs alone in a workspace of its own; here 01 → 02 → 04 →
05 → 06 share one, as a participant's do. The participant's "own" annotations are synthetic scenes
drawn with seeds the bundled set does not use, so they cannot be mistaken for the fallback.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from notebook_harness import execute_notebook

from playground_lib.spade import GeneratorConfig, save_random_official_checkpoint
from playground_lib.synthetic import generate_scene, write_scene

ROOT = Path(__file__).resolve().parents[1]
# The weights checks expect the official generator's exact structure; the test's small file (ngf 4,
# the official layout otherwise) plays it, so the kernels are told its width.
SMALL_OFFICIAL = """from playground_lib import weights
from playground_lib.spade import GeneratorConfig

weights.OFFICIAL_CONFIG = GeneratorConfig(ngf=4)"""
THREAD = [
    "01_annotate_playgrounds",
    "02_labelme_to_coco",
    "04_sketch_a_playground",
    "05_generate_with_pretrained_ade20k",
    "06_train_your_own_gaugan",
]


def _errors(nb) -> list[str]:
    return [
        f"{o.get('ename')}: {o.get('evalue')}"
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]


def _text(nb) -> str:
    return "".join(
        o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if "text" in o
    )


@pytest.fixture(scope="module")
def thread(tmp_path_factory):
    """Run the thread once: (workspace, {notebook name: executed notebook})."""
    workdir = tmp_path_factory.mktemp("work")
    workspace = tmp_path_factory.mktemp("workspace")
    annotations = workspace / "annotations"
    for i in range(5):  # the participant's own annotated photos, already in the folder
        write_scene(generate_scene(900 + i, 96), annotations, f"my_playground_{i}")
        for suffix in ("_label.png", "_instance.png"):
            (annotations / f"my_playground_{i}{suffix}").unlink()
    official = workspace / "weights" / "ade20k_pretrained" / "latest_net_G.pth"
    save_random_official_checkpoint(official, GeneratorConfig(ngf=4), seed=3)  # as notebook 05 keeps it
    runs = {}
    for name in THREAD:
        shutil.copy(ROOT / "notebooks" / f"{name}.ipynb", workdir / f"{name}.ipynb")
        runs[name] = execute_notebook(workdir / f"{name}.ipynb", workdir, workspace=workspace, setup=SMALL_OFFICIAL)
    return workspace, runs


def test_every_notebook_of_the_thread_runs(thread):
    _, runs = thread
    assert {name: _errors(nb) for name, nb in runs.items()} == {name: [] for name in THREAD}


def test_notebook_01_keeps_the_participants_annotations(thread):
    workspace, runs = thread
    assert "5 annotated pictures (5 of yours)" in _text(runs["01_annotate_playgrounds"])
    assert not (workspace / "annotations" / "scene_0010.json").exists()  # no bundled fallback copied in


def test_notebook_02_converts_exactly_those(thread):
    workspace, runs = thread
    coco = json.loads((workspace / "coco.json").read_text())
    assert sorted(image["labelme_file"] for image in coco["images"]) == [f"my_playground_{i}.json" for i in range(5)]
    splits = json.loads((workspace / "spade" / "dataset.json").read_text())["splits"]
    assert sorted(Path(n).stem for n in splits["train"] + splits["val"]) == [f"my_playground_{i}" for i in range(5)]


def test_notebook_06_trains_on_them_and_finetunes_05s_weights(thread):
    workspace, runs = thread
    out = _text(runs["06_train_your_own_gaugan"])
    assert "Using the training folder notebook 02 made" in out
    splits = json.loads((workspace / "training_set" / "dataset.json").read_text())["splits"]
    own = sorted(n for n in splits["train"] + splits["val"] if n.startswith("own_"))
    assert own == [f"own_my_playground_{i}.png" for i in range(5)]
    assert all(n.startswith("own_") for n in splits["val"])
    assert "Measured" in out and "steps left will take about" in out
    assert "No official weights" not in out
    state = json.loads((workspace / "finetuned" / "config.json").read_text())
    assert "weights/ade20k_pretrained/latest_net_G" in state["finetune_from"] and state["ngf"] == 4
    assert list((workspace / "finetuned" / "checkpoints").iterdir())


def test_notebook_05_paints_the_sketch_notebook_04_saved(thread):
    workspace, runs = thread
    assert (workspace / "sketches" / "my_sketch.png").is_file()
    assert "No sketch from notebook 04 yet" not in _text(runs["05_generate_with_pretrained_ade20k"])
