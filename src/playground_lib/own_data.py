"""The participant's own data on its way through the series: annotations → SPADE folder → training set.

Notebook 01 saves annotations in ``<workspace>/annotations/`` (photos and labelme files side by
side, as labelme keeps them) and practice on bundled pictures in ``<workspace>/practice/``, apart,
so that practice never enters a training set; notebook 02 converts the annotations folder into
``<workspace>/coco.json`` and ``<workspace>/spade/``; notebook 06 trains on the SPADE folder, alone
or mixed with synthetic scenes. When a step finds nothing of the participant's, it says so plainly
and uses the bundled synthetic annotations, so every notebook also works on its own.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .fileio import atomic_folder, write_json, write_png
from .labelme.check import check_labelme, read_declared
from .labelme.folder import copy_labelme_files, labelme_files
from .labelme.format import LabelmeFile
from .paths import data_dir
from .workspace import workspace_path

ANNOTATIONS = "annotations"
PRACTICE = "practice"
STAND_INS = "bundled_annotations"
COCO_FILE = "coco.json"
SPADE_FOLDER = "spade"
OWN_PREFIX = "own_"  # names of the participant's pictures in a mixed training set


def annotations_dir() -> Path:
    """``<workspace>/annotations``: the photos being annotated and their labelme ``.json`` files."""
    folder = workspace_path(ANNOTATIONS)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def practice_dir() -> Path:
    """``<workspace>/practice``: bundled pictures to try the annotator on, kept out of every training set."""
    return workspace_path(PRACTICE)


def sample_images(count: int = 3) -> list[Path]:
    """The first ``count`` bundled synthetic playground photos (not their label maps)."""
    folder = data_dir() / "synthetic"
    images = sorted(p for p in folder.glob("scene_*.png") if not p.stem.endswith(("_label", "_instance")))
    if len(images) < count:
        raise FileNotFoundError(f"{folder}: expected at least {count} bundled scenes, found {len(images)}")
    return images[:count]


def copy_sample_images(dest: str | os.PathLike, count: int = 3, fresh: bool = False) -> Path:
    """Copy bundled photos into ``dest`` to annotate there (the bundled folder stays untouched).

    Photos already in ``dest`` are kept, and so are their annotations: running the notebook
    again never throws away your work. ``fresh=True`` empties the folder first (for demos).
    """
    dest = Path(dest)
    if fresh and dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True, exist_ok=True)
    for image in sample_images(count):
        if not (dest / image.name).exists():
            shutil.copyfile(image, dest / image.name)
    return dest


def practice_pictures(count: int = 3) -> Path:
    """``practice_dir()`` with ``count`` bundled pictures in it (work already there is kept)."""
    return copy_sample_images(practice_dir(), count)


def coco_path() -> Path:
    return workspace_path(COCO_FILE)


def spade_dir() -> Path:
    return workspace_path(SPADE_FOLDER)


def sketch_path() -> Path:
    """``<workspace>/sketches/my_sketch.png``: the sketch notebook 04 saves and notebooks 05 and 08 paint from."""
    return workspace_path("sketches", "my_sketch.png")


def event_sketches(extra_count: int) -> tuple[list[Path], str]:
    """The sketches an event background is painted from, and a sentence saying whose they are.

    The participant's come first: every PNG in the folder notebook 04 saves to (the room's sketches
    can be put there too). Without any, the three bundled sketches stand in, and the sentence says
    so. ``extra_count`` label maps of synthetic scenes join as the rest of the room.
    """
    from .sketch import bundled_sketches

    own = sorted(sketch_path().parent.glob("*.png"))
    files = own or bundled_sketches()
    extra = sorted((data_dir() / "synthetic").glob("*_label.png"))[:extra_count]
    if own:
        note = f"{len(own)} sketch{'es' * (len(own) != 1)} of yours from {sketch_path().parent}"
    else:
        note = f"no sketch of yours in {sketch_path().parent} (notebook 04 saves one): the {len(files)} bundled ones"
    return files + extra, f"Painting from {note}, and {len(extra)} synthetic label maps as the rest of the room."


@dataclass
class AnnotationFolder:
    """What a folder of labelme files holds: own work, bundled stand-ins, practice, and empty files.

    Whose a file is follows from its picture: a bundled picture is never "yours". Annotated exactly
    as the bundled set has it, it is a stand-in (:func:`ensure_annotations` copies those into a folder
    of their own; an older version put them here), used only while nothing of yours is there;
    annotated otherwise, it is practice (an older notebook 01 put its practice pictures here), left
    out like an empty file so that it never enters a training set.
    """

    folder: Path
    own: list[Path]
    bundled: list[Path]
    empty: list[Path]  # saved without a single shape: nothing to learn from, left out of the conversion
    practice: list[Path] = field(default_factory=list)

    @property
    def files(self) -> list[Path]:
        """The files a conversion takes: yours, or the stand-ins while you have none."""
        return sorted(self.own or self.bundled)

    @property
    def left_out(self) -> list[Path]:
        """The files a conversion must skip (its ``exclude``)."""
        return sorted(self.empty + self.practice + (self.bundled if self.own else []))

    def summary(self) -> str:
        practice = (
            f"; {len(self.practice)} practice picture{'s' * (len(self.practice) != 1)} (bundled ones you "
            "annotated) left out"
            if self.practice
            else ""
        )
        if not self.files:
            return f"{self.folder}: no annotations yet{practice}"
        pictures = f"{len(self.files)} annotated picture{'s' * (len(self.files) != 1)}"
        if not self.own:
            return f"{self.folder}: {pictures} ({len(self.bundled)} bundled synthetic scenes){practice}"
        stand_ins = f"; the {len(self.bundled)} bundled stand-ins are left out" if self.bundled else ""
        return f"{self.folder}: {pictures} ({len(self.own)} of yours){stand_ins}{practice}"


def _read(path: Path) -> LabelmeFile | None:
    """The file as the library reads it, or None when it has problems (notebook 02 names them)."""
    labelme_file, problems = check_labelme(path, allow_outside=True)
    return None if problems else labelme_file


def _outlines(labelme_file: LabelmeFile) -> list[tuple[str, list]]:
    return [(s.label, [[round(float(v), 1) for v in p] for p in s.points]) for s in labelme_file.shapes]


def _bundled_twin(labelme_file: LabelmeFile) -> LabelmeFile | None:
    """The bundled annotation of the file's picture, when that picture is a bundled one, byte for byte."""
    if labelme_file.image_path is None:
        return None
    twin = data_dir() / "synthetic" / labelme_file.image_path.name
    if not twin.is_file() or twin.read_bytes() != labelme_file.image_path.read_bytes():
        return None
    return _read(twin.with_suffix(".json"))


def _whose(path: Path) -> str:
    """Which field of :class:`AnnotationFolder` a file goes to: own, bundled, practice or empty.

    A file with problems counts as own work, so that notebook 02 reports what is wrong with it
    instead of quietly leaving it out (unless it lists no shape: nothing to convert). Saving a
    bundled file again in the annotator changes its bytes, not its shapes: it stays a stand-in.
    """
    declared = read_declared(path)
    if not declared.lists_shapes:
        return "empty"
    if declared.image_name is None or not (data_dir() / "synthetic" / declared.image_name).is_file():
        return "own"  # not a bundled picture: decided without checking the file, which decodes the picture
    labelme_file = _read(path)
    if labelme_file is None:
        return "own"
    twin = _bundled_twin(labelme_file)
    if twin is None:
        return "own"
    return "bundled" if _outlines(labelme_file) == _outlines(twin) else "practice"


def describe_annotations(folder: str | Path) -> AnnotationFolder:
    """The labelme files of a folder: own work, bundled copies, practice, and files without a single shape."""
    folder = Path(folder)
    found: dict[str, list[Path]] = {"own": [], "bundled": [], "practice": [], "empty": []}
    for path in labelme_files(folder) if folder.is_dir() else []:
        found[_whose(path)].append(path)
    return AnnotationFolder(folder, **found)


def ensure_spade_folder(count: int = 24) -> Path:
    """``<workspace>/spade``, the training folder notebook 02 writes; made here (saying so) when missing.

    Made from the annotations folder as notebook 02 would (bundled scenes when it is empty), so
    notebook 06 also runs on its own.
    """
    from .coco.from_labelme import convert_labelme_dir
    from .coco.to_spade import coco_to_spade

    folder = spade_dir()
    if (folder / "dataset.json").is_file():
        print(f"Using the training folder notebook 02 made: {folder}")
        return folder
    print(f"No training folder from notebook 02 in {folder} yet: making it from the annotations now.")
    found = ensure_annotations(count)
    coco = convert_labelme_dir(found.folder, split=0.8, exclude=found.left_out, progress=False).coco
    write_json(coco_path(), coco)
    coco_to_spade(coco, found.folder, folder, progress=False)
    return folder


def stand_ins_dir() -> Path:
    """``<workspace>/bundled_annotations``: bundled annotated scenes standing in while nothing is yours.

    Apart from the annotations folder, so that the annotator of the participant's own photos never
    opens on them, and so that nobody mistakes them for their own.
    """
    return workspace_path(STAND_INS)


def ensure_annotations(count: int = 24, folder: str | Path | None = None) -> AnnotationFolder:
    """The annotations to work with: the folder's own when it has any, else ``count`` bundled stand-ins.

    Says which, in one line: a participant must never wonder whether the training set is theirs.
    The stand-ins are copied into :func:`stand_ins_dir`, never into the participant's folder (one an
    older version filled with them still works: they stand in there until something is yours).
    """
    folder = Path(folder) if folder is not None else annotations_dir()
    found = describe_annotations(folder)
    if found.files:
        print(found.summary())
        return found
    if found.practice or found.empty:
        print(found.summary())
    stand_ins = stand_ins_dir()
    stand_ins.mkdir(parents=True, exist_ok=True)
    copy_labelme_files(data_dir() / "synthetic", stand_ins, count=count, overwrite=False)
    found = describe_annotations(stand_ins)
    print(
        f"No annotations of yours in {folder} yet, so {len(found.bundled)} bundled synthetic scenes stand in for "
        f"them (copied to {stand_ins}). Annotate your own pictures (notebook 01) and run this again."
    )
    return found


def mix_training_set(
    own_spade: str | Path,
    out_dir: str | Path,
    synthetic_count: int,
    size: int = 256,
    seed: int = 50_000,
) -> Path:
    """A SPADE folder with the own set's pictures and ``synthetic_count`` synthetic scenes added for training.

    Validation keeps the own set's validation pictures only: the question is how well the model
    paints *your* playgrounds, not the synthetic ones. Names get ``own_`` and ``synthetic_`` in
    front, so a bundled copy and a synthetic scene never share a name. The folder is written
    whole or not at all. Returns ``out_dir``.
    """
    from .synthetic import generate_scene

    own_spade, out_dir = Path(own_spade), Path(out_dir)
    splits = json.loads((own_spade / "dataset.json").read_text(encoding="utf-8"))["splits"]
    with atomic_folder(out_dir, replace=True) as tmp:
        names: dict[str, list[str]] = {"train": [], "val": []}
        for split in ("train", "val"):
            for name in splits.get(split, []):
                names[split].append(_copy_sample(own_spade, tmp, Path(name).stem, OWN_PREFIX))
        for i in range(synthetic_count):
            scene, stem = generate_scene(seed + i, size), f"synthetic_{i:04d}"
            for kind, picture in (("images", scene.image), ("labels", scene.labels), ("instances", scene.instances)):
                write_png(tmp / kind / f"{stem}.png", picture)
            names["train"].append(f"{stem}.png")
        write_json(tmp / "dataset.json", {"splits": names, "made_from": [str(own_spade), f"{synthetic_count} scenes"]})
    return out_dir


def _copy_sample(source: Path, target: Path, stem: str, prefix: str) -> str:
    """Copy one sample's image, label map and instance map; returns the image's new file name."""
    image_name = ""
    for kind in ("images", "labels", "instances"):
        for path in sorted((source / kind).glob(f"{stem}.*")):
            (target / kind).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target / kind / f"{prefix}{path.name}")
            if kind == "images":
                image_name = f"{prefix}{path.name}"
    return image_name


def coco_for_datasheet(folder: str | Path) -> tuple[Path, str, str]:
    """The COCO file a datasheet counts, its name, and a sentence saying whose it is.

    The participant's ``coco.json`` (notebook 02) when there is one, so the questions about people and
    consent are asked of their own photos; else the bundled synthetic scenes, converted into ``folder``.
    """
    from .coco.from_labelme import labelme_to_coco

    if coco_path().is_file():
        return coco_path(), "Our playgrounds", f"Counting your annotations: {coco_path()} (made by notebook 02)."
    bundled = Path(folder) / "bundled_playgrounds.json"
    write_json(bundled, labelme_to_coco(data_dir() / "synthetic", progress=False))
    note = f"No {COCO_FILE} of yours in {coco_path().parent} (notebook 02 makes it): counting the bundled scenes."
    return bundled, "Bundled synthetic playgrounds", note
