"""The series as one thread, 01 → 09, on a participant's own photos.

Each notebook of tests/test_notebooks.py runs alone in a workspace of its own; here 01 → 02 → 04 →
05 → 06 → 08 → 09 share one, as a participant's do: 01 keeps the annotations, 02 converts them,
06 trains on them, 05 and 08 paint 04's sketch, 06 finds 05's weights and 09's datasheet counts the
participant's photos. The photos are landscape pictures drawn here (not bundled scenes, not
square), annotated through the annotator's own session as a participant's clicks would be; one
shows a person. Notebooks 03 and 07 do not read the working folder and are left out.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from notebook_harness import execute_notebook
from PIL import Image

from playground_lib.annotator.session import AnnotationSession
from playground_lib.spade import GeneratorConfig, save_random_official_checkpoint

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
    "08_event_background",
    "09_dataset_ethics",
]
PHOTO_SIZE = (144, 96)  # width x height: landscape, as most phone photos are held
PHOTO_COUNT = 5


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


def _take_photos(folder: Path) -> None:
    """Five noisy landscape "photos" of a park, annotated as a participant would: sky, grass, a tree; one person."""
    rng = np.random.default_rng(20)
    width, height = PHOTO_SIZE
    folder.mkdir(parents=True)
    for i in range(PHOTO_COUNT):
        horizon = 40 + 4 * i
        picture = np.empty((height, width, 3), np.float32)
        picture[:horizon] = (120, 170, 230)
        picture[horizon:] = (70, 150, 60)
        tree = (30 + 15 * i, horizon - 10)
        yy, xx = np.mgrid[:height, :width]
        picture[(yy - tree[1]) ** 2 + (xx - tree[0]) ** 2 < 15**2] = (30, 90, 30)
        if i == 2:
            picture[horizon - 20 : horizon + 20, 110:120] = (200, 80, 60)
        picture += rng.normal(0, 12, picture.shape)
        Image.fromarray(np.clip(picture, 0, 255).astype(np.uint8)).save(folder / f"IMG_{i:04d}.jpg", quality=90)
    session = AnnotationSession(folder)
    for i in range(PHOTO_COUNT):
        session.go_to(i)
        horizon, (tx, ty) = 40 + 4 * i, (30 + 15 * i, 30 + 4 * i)
        session.add_polygon([(0, 0), (width, 0), (width, horizon), (0, horizon)], "sky")
        session.add_polygon([(0, horizon), (width, horizon), (width, height), (0, height)], "grass")
        session.add_polygon([(tx - 14, ty), (tx, ty - 14), (tx + 14, ty), (tx, ty + 14)], "tree")
        if i == 2:
            session.add_polygon(
                [(110, horizon - 20), (120, horizon - 20), (120, horizon + 20), (110, horizon + 20)], "person"
            )
        session.save()


@pytest.fixture(scope="module")
def thread(tmp_path_factory):
    """Run the thread once: (workspace, {notebook name: executed notebook})."""
    workdir = tmp_path_factory.mktemp("work")
    workspace = tmp_path_factory.mktemp("workspace")
    _take_photos(workspace / "annotations")  # the participant's own annotated photos, already in the folder
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
    assert sorted(p.name for p in (workspace / "practice").glob("*.png")) == [f"scene_000{i}.png" for i in range(3)]
    assert not list((workspace / "annotations").glob("scene_*"))  # practice stays apart


def test_notebook_02_converts_exactly_those(thread):
    workspace, runs = thread
    coco = json.loads((workspace / "coco.json").read_text())
    assert sorted(image["labelme_file"] for image in coco["images"]) == [f"IMG_{i:04d}.json" for i in range(5)]
    splits = json.loads((workspace / "spade" / "dataset.json").read_text())["splits"]
    assert sorted(Path(n).stem for n in splits["train"] + splits["val"]) == [f"IMG_{i:04d}" for i in range(5)]


def test_notebook_06_trains_on_them_and_finetunes_05s_weights(thread):
    workspace, runs = thread
    out = _text(runs["06_train_your_own_gaugan"])
    assert "Using the training folder notebook 02 made" in out
    splits = json.loads((workspace / "training_set" / "dataset.json").read_text())["splits"]
    own = sorted(n for n in splits["train"] + splits["val"] if n.startswith("own_"))
    assert own == [f"own_IMG_{i:04d}.jpg" for i in range(5)]
    assert all(n.startswith("own_") for n in splits["val"])
    assert "Measured" in out and "steps left will take about" in out
    assert f"is {PHOTO_SIZE[0]} x {PHOTO_SIZE[1]}: training takes a square of it" in out  # item 4: said and shown
    assert "No official weights" not in out
    state = json.loads((workspace / "finetuned" / "config.json").read_text())
    assert "weights/ade20k_pretrained/latest_net_G" in state["finetune_from"] and state["ngf"] == 4
    assert list((workspace / "finetuned" / "checkpoints").iterdir())


def test_notebook_05_paints_the_sketch_notebook_04_saved(thread):
    workspace, runs = thread
    assert (workspace / "sketches" / "my_sketch.png").is_file()
    assert "No sketch from notebook 04 yet" not in _text(runs["05_generate_with_pretrained_ade20k"])


def test_notebook_08_paints_the_participants_sketch(thread):
    workspace, runs = thread
    out = _text(runs["08_event_background"])
    assert f"Painting from 1 sketch of yours from {workspace / 'sketches'}" in out
    assert "bundled" not in out.split("Painting from", 1)[1].split("\n", 1)[0]


def test_notebook_09_counts_the_participants_photos_and_the_person_in_one(thread):
    workspace, runs = thread
    out = _text(runs["09_dataset_ethics"])
    assert f"Counting your annotations: {workspace / 'coco.json'}" in out
    stats = json.loads((workspace / "datasheet" / "datasheet_stats.json").read_text())
    assert stats["images"] == PHOTO_COUNT and stats["images_with_people"] == 1
    sheet = (workspace / "datasheet" / "DATASHEET.md").read_text()
    assert "1 of 5 images show people" in sheet and "Every image is synthetic" not in sheet
