"""The participant's data on its way: the working folder, the annotations folder, the mixed training set."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from playground_lib import own_data, workspace
from playground_lib.labelme.folder import copy_labelme_files
from playground_lib.synthetic import generate_scene, write_scene
from playground_lib.train.dataset import find_samples
from playground_lib.train.timing import StepClock, duration_text, estimate_line


def test_workspace_follows_the_env_then_drive_then_home(tmp_path, monkeypatch):
    monkeypatch.setenv(workspace.WORKSPACE_ENV, str(tmp_path / "ws"))
    assert workspace.workspace_dir() == tmp_path / "ws" and (tmp_path / "ws").is_dir()
    monkeypatch.delenv(workspace.WORKSPACE_ENV)
    drive = tmp_path / "MyDrive"
    drive.mkdir()
    monkeypatch.setattr(workspace, "COLAB_DRIVE", drive)
    assert workspace.workspace_path("spade") == drive / workspace.DRIVE_FOLDER_NAME / "spade"
    monkeypatch.setattr(workspace, "COLAB_DRIVE", tmp_path / "not-mounted")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert workspace.workspace_dir() == tmp_path / "home" / workspace.DRIVE_FOLDER_NAME


def test_an_empty_folder_gets_the_bundled_annotations_and_says_so(capsys):
    found = own_data.ensure_annotations(count=3)
    assert found.folder == own_data.stand_ins_dir()
    assert [p.name for p in found.bundled] == ["scene_0000.json", "scene_0001.json", "scene_0002.json"]
    assert not found.own
    assert "No annotations of yours" in capsys.readouterr().out
    assert all(p.with_suffix(".png").is_file() for p in found.files)  # photos beside their files
    # The annotator of the participant's own photos never opens on them.
    assert not list(own_data.annotations_dir().iterdir())


def test_own_annotations_are_kept_and_empty_files_left_out(capsys):
    folder = own_data.annotations_dir()
    write_scene(generate_scene(901, 64), folder, "mine")
    (folder / "blank.json").write_text(json.dumps({"shapes": [], "imagePath": "blank.png"}))
    found = own_data.ensure_annotations(count=3)
    assert [p.name for p in found.own] == ["mine.json"] and not found.bundled
    assert [p.name for p in found.empty] == ["blank.json"]
    assert "1 annotated picture (1 of yours)" in capsys.readouterr().out
    assert not (folder / "scene_0000.json").exists()


def _stand_ins_of_an_older_version(count: int) -> Path:
    """The annotations folder as an older version left it: bundled stand-ins copied in."""
    folder = own_data.annotations_dir()
    copy_labelme_files(own_data.data_dir() / "synthetic", folder, count=count)
    return folder


def test_a_bundled_file_saved_again_still_counts_as_bundled():
    path = _stand_ins_of_an_older_version(1) / "scene_0000.json"
    doc = json.loads(path.read_text())
    path.write_text(json.dumps(doc, indent=4))  # the annotator rewrites it: other bytes, same shapes
    assert own_data.describe_annotations(path.parent).bundled == [path]


def _practise_on(folder: Path, count: int) -> list[Path]:
    """Annotate bundled pictures in ``folder`` the way a participant practises: a few polygons of their own."""
    from playground_lib.annotator.session import AnnotationSession

    session = AnnotationSession(folder)
    saved = []
    for index in range(count):
        session.go_to(index)
        session.add_polygon([(10, 10), (60, 12), (40, 50)], "tree")
        saved.append(session.save())
    return saved


def test_practice_on_bundled_pictures_never_counts_as_yours(capsys):
    """Issue 20 item 5: an older notebook 01 put its practice pictures in the annotations folder."""
    folder = own_data.annotations_dir()
    own_data.copy_sample_images(folder, count=3)
    practised = _practise_on(folder, 2)
    write_scene(generate_scene(901, 64), folder, "mine")
    found = own_data.ensure_annotations(count=3)
    assert [p.name for p in found.own] == ["mine.json"]
    assert found.practice == practised and found.left_out == practised
    assert found.files == [folder / "mine.json"]
    assert "1 annotated picture (1 of yours); 2 practice pictures (bundled ones you annotated) left out" in (
        capsys.readouterr().out
    )


def test_practice_alone_gets_the_stand_ins_and_survives_them(capsys):
    folder = own_data.annotations_dir()
    own_data.copy_sample_images(folder, count=1)
    (practised,) = _practise_on(folder, 1)
    before = practised.read_bytes()
    found = own_data.ensure_annotations(count=3)
    assert practised.read_bytes() == before  # no stand-in was written over the practice
    assert found.folder == own_data.stand_ins_dir() and len(found.bundled) == 3
    out = capsys.readouterr().out
    assert "no annotations yet; 1 practice picture (bundled ones you annotated) left out" in out
    assert "No annotations of yours" in out


def test_stand_ins_step_aside_once_you_have_annotations_of_your_own(capsys):
    folder = _stand_ins_of_an_older_version(2)
    assert own_data.ensure_annotations(count=2).files == [folder / "scene_0000.json", folder / "scene_0001.json"]
    write_scene(generate_scene(903, 64), folder, "mine")
    found = own_data.ensure_annotations(count=2)
    assert found.files == [folder / "mine.json"]
    assert found.left_out == [folder / "scene_0000.json", folder / "scene_0001.json"]
    assert "1 annotated picture (1 of yours); the 2 bundled stand-ins are left out" in capsys.readouterr().out


def test_notebook_01_practises_apart_from_the_annotations():
    folder = own_data.practice_pictures(count=3)
    assert folder == own_data.practice_dir() and folder != own_data.annotations_dir()
    assert sorted(p.name for p in folder.glob("*.png")) == ["scene_0000.png", "scene_0001.png", "scene_0002.png"]
    _practise_on(folder, 1)
    own_data.practice_pictures(count=3)  # running the cell again keeps the work
    assert (folder / "scene_0000.json").is_file()
    assert not own_data.describe_annotations(own_data.annotations_dir()).files


def test_the_conversion_leaves_practice_out():
    from playground_lib.coco.from_labelme import convert_labelme_dir

    folder = own_data.annotations_dir()
    own_data.copy_sample_images(folder, count=2)
    _practise_on(folder, 2)
    write_scene(generate_scene(902, 64), folder, "mine")
    found = own_data.describe_annotations(folder)
    coco = convert_labelme_dir(folder, exclude=found.left_out, progress=False).coco
    assert [image["labelme_file"] for image in coco["images"]] == ["mine.json"]


def test_spade_folder_is_made_when_missing_and_mixed_set_keeps_validation_own(tmp_path):
    spade = own_data.ensure_spade_folder(count=4)
    splits = json.loads((spade / "dataset.json").read_text())["splits"]
    mixed = own_data.mix_training_set(spade, tmp_path / "mixed", synthetic_count=3, size=32)
    mixed_splits = json.loads((mixed / "dataset.json").read_text())["splits"]
    assert sorted(Path(n).stem for n in mixed_splits["val"]) == sorted(f"own_{Path(n).stem}" for n in splits["val"])
    assert len(mixed_splits["train"]) == len(splits["train"]) + 3
    assert len(find_samples(mixed, "train")) == len(splits["train"]) + 3
    alone = own_data.mix_training_set(spade, tmp_path / "mixed", synthetic_count=0)  # replaces the folder whole
    assert len(find_samples(alone, "train")) == len(splits["train"])
    assert not list((tmp_path / "mixed" / "images").glob("synthetic_*"))


def test_step_clock_estimates_once_after_warmup():
    times = iter([10.0, 16.0])
    clock = StepClock(total=100, warmup=1, measured=3, clock=lambda: next(times))
    assert [clock.tick(s) for s in (1, 2, 3)] == [None, None, None]
    assert clock.tick(4) == estimate_line(2.0, 96)
    assert "about 3 minutes" in estimate_line(2.0, 96)
    assert clock.tick(5) is None


@pytest.mark.parametrize(("seconds", "text"), [(12, "12 s"), (600, "10 minutes"), (6000, "1.7 hours")])
def test_duration_text(seconds, text):
    assert duration_text(seconds) == text


def test_colab_asks_for_drive_once_and_works_locally_after_a_refusal(tmp_path, monkeypatch, capsys):
    import sys
    import types

    asked = []

    def refuse(path):
        asked.append(path)
        raise RuntimeError("mount failed: permission denied")

    colab = types.ModuleType("google.colab")
    colab.drive = types.SimpleNamespace(mount=refuse)
    monkeypatch.setitem(sys.modules, "google", types.ModuleType("google"))
    monkeypatch.setitem(sys.modules, "google.colab", colab)
    monkeypatch.setattr(workspace, "_mount_refused", False)
    monkeypatch.setattr(workspace, "COLAB_DRIVE", tmp_path / "drive" / "MyDrive")
    monkeypatch.setattr(workspace, "COLAB_LOCAL", tmp_path / "content" / "generative_playgrounds")
    monkeypatch.delenv(workspace.WORKSPACE_ENV)
    assert workspace.workspace_dir() == workspace.COLAB_LOCAL
    assert workspace.workspace_dir() == workspace.COLAB_LOCAL
    assert asked == [str(tmp_path / "drive")]
    assert "Google Drive is not connected" in capsys.readouterr().out


def test_the_event_paints_the_participants_sketch_and_says_when_it_falls_back():
    from playground_lib.fileio import write_png
    from playground_lib.sketch import bundled_sketches

    files, note = own_data.event_sketches(extra_count=2)
    assert files[:3] == bundled_sketches() and len(files) == 5
    assert "no sketch of yours" in note and "2 synthetic" in note
    write_png(own_data.sketch_path(), np.zeros((8, 8, 3), np.uint8))
    files, note = own_data.event_sketches(extra_count=2)
    assert files[0] == own_data.sketch_path() and len(files) == 3
    assert "1 sketch of yours" in note


def test_the_datasheet_counts_the_participants_coco_file_and_says_when_it_falls_back(tmp_path):
    from playground_lib.fileio import write_json

    source, name, note = own_data.coco_for_datasheet(tmp_path / "sheet")
    assert source == tmp_path / "sheet" / "bundled_playgrounds.json" and source.is_file()
    assert name == "Bundled synthetic playgrounds" and "No coco.json of yours" in note and "bundled scenes" in note
    write_json(own_data.coco_path(), {"images": [], "annotations": [], "categories": []})
    source, name, note = own_data.coco_for_datasheet(tmp_path / "sheet")
    assert source == own_data.coco_path() and note.startswith("Counting your annotations")
