"""The annotator's logic: clicks in, polygons out, labelme JSON on disk.

This module knows nothing about canvases or buttons. The widget (``annotator.widget``) turns
mouse events into calls on an :class:`AnnotationSession`, and everything a participant makes
lives here, on the Python side. That is why saving never depends on reading pixels back from
the browser (which hangs VS Code and is unreliable in Colab), and why the whole thing can be
tested without a browser.

Coordinates are always *image pixel coordinates* of the image as labelme shows it (after EXIF
rotation): the widget divides by its display scale before calling in.
"""

from __future__ import annotations

import copy
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..labelme.check import check_labelme
from ..labelme.format import LabelmeShape
from ..labelme.image import upright_size
from ..labelme.write import save_labelme
from ..labels import playground_classes

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp")
MAX_UNDO = 200
POINT_DECIMALS = 2  # a hundredth of a pixel: finer than any click, and files stay readable


@dataclass
class ImageAnnotation:
    """Everything drawn on one image, plus the parts of its labelme file we must not lose."""

    image_path: Path
    width: int
    height: int
    shapes: list[LabelmeShape] = field(default_factory=list)
    flags: dict[str, bool] = field(default_factory=dict)
    other_keys: dict[str, Any] = field(default_factory=dict)
    load_error: str | None = None
    dirty: bool = False
    unfinished: list[tuple[float, float]] = field(default_factory=list)  # points of a polygon left open here

    @property
    def json_path(self) -> Path:
        return self.image_path.with_suffix(".json")


def find_images(folder: str | os.PathLike) -> list[Path]:
    """The photos in a folder, sorted; label and instance PNGs (``*_label.png``) are skipped."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: not a folder")
    return sorted(
        p
        for p in folder.iterdir()
        if p.suffix.lower() in IMAGE_SUFFIXES
        and not p.stem.endswith(("_label", "_instance"))
        and not p.name.startswith(".")
    )


def default_labels() -> list[str]:
    return [c.name for c in playground_classes()]


def _load_annotation(image_path: Path) -> ImageAnnotation:
    """The image's state, with the shapes of its labelme file when there is one.

    The file is read by the one labelme reader, so the annotator shows exactly what the
    conversion will see; a file with problems is listed, never saved over.
    """
    try:
        height, width = upright_size(image_path)
    except FileNotFoundError:
        raise FileNotFoundError(f"{image_path}: image not found") from None
    except ValueError as exc:
        raise ValueError(f"{image_path}: {exc}") from exc
    state = ImageAnnotation(image_path, width, height)
    if not state.json_path.exists():
        return state
    item, problems = check_labelme(state.json_path)
    if problems:
        # Keep the file untouched: this image can be looked at but not saved over.
        state.load_error = (
            f"{state.json_path}: cannot read the existing annotation ({'; '.join(problems)}); "
            "fix or move it before saving"
        )
        return state
    assert item is not None  # check_labelme returns an item whenever it finds no problem
    state.shapes = [replace(shape, points=[tuple(p) for p in shape.points]) for shape in item.shapes]
    state.flags = dict(item.flags)
    state.other_keys = dict(item.other)
    return state


class Caution(str):
    """A note about something that was *not* done (points not saved, no next photo): the widget shows it in amber."""


@dataclass
class _Snapshot:
    shapes: list[LabelmeShape]
    current: list[tuple[float, float]]
    selected: int | None


class AnnotationSession:
    """Polygons for a list of images, built from clicks, saved as labelme JSON next to each image.

    One click = one point. Clicking near the first point (``close_tolerance`` image pixels) or
    calling :meth:`close_polygon` closes the polygon with the current label. Undo and redo
    cover every change. Moving to another image saves the current one first when
    ``autosave`` is on, so a forgotten Save button never loses work.

    A polygon left open is never dropped in silence: saving (or moving on) closes it when it has
    three points or more, and otherwise keeps its points with the image (they are back when the
    participant returns) and says they are not saved. What the participant should be told
    (that, or "this is the last photo") waits in :meth:`take_notes` for the widget to show.

    A folder with no photos yet is allowed: :meth:`add_images` adds the participant's own.
    """

    def __init__(
        self,
        images: Iterable[str | os.PathLike] | str | os.PathLike,
        labels: Sequence[str] | None = None,
        close_tolerance: float = 6.0,
        autosave: bool = True,
        allow_empty: bool = False,
    ):
        empty_folder_ok = False
        if isinstance(images, (str, os.PathLike)):
            is_folder = Path(images).is_dir()
            paths = find_images(images) if is_folder else [Path(images)]
            empty_folder_ok = is_folder and allow_empty
        else:
            paths = [Path(p) for p in images]
        if not paths and not empty_folder_ok:
            raise ValueError(f"no images to annotate in {images}")
        for p in paths:
            if not p.is_file():
                raise FileNotFoundError(f"{p}: image not found")
        self.image_paths = paths
        self.labels = list(labels) if labels is not None else default_labels()
        if not self.labels:
            raise ValueError("the label list is empty")
        self.label = self.labels[0]
        self.close_tolerance = float(close_tolerance)
        self.autosave = autosave
        self.index = 0
        self._states: dict[int, ImageAnnotation] = {}
        self.current: list[tuple[float, float]] = []
        self.selected: int | None = None
        self._undo: list[_Snapshot] = []
        self._redo: list[_Snapshot] = []
        self._notes: list[str] = []

    # ----------------------------------------------------------------- what is there
    @property
    def state(self) -> ImageAnnotation:
        if not self.image_paths:
            raise ValueError("no photos yet: add some first")
        if self.index not in self._states:
            self._states[self.index] = _load_annotation(self.image_paths[self.index])
        return self._states[self.index]

    @property
    def image_path(self) -> Path:
        return self.image_paths[self.index]

    @property
    def shapes(self) -> list[LabelmeShape]:
        return self.state.shapes

    @property
    def can_close(self) -> bool:
        return len(self.current) >= 3

    def take_notes(self) -> list[str]:
        """What happened that the participant should be told (each note once), oldest first."""
        notes, self._notes = self._notes, []
        return notes

    def add_images(self, paths: Iterable[str | os.PathLike]) -> list[Path]:
        """Add photos to the list (those already in it are skipped); returns the ones added."""
        known = {p.resolve() for p in self.image_paths}
        added = []
        for path in (Path(p) for p in paths):
            if not path.is_file():
                raise FileNotFoundError(f"{path}: image not found")
            if path.resolve() not in known:
                known.add(path.resolve())
                self.image_paths.append(path)
                added.append(path)
        return added

    # ----------------------------------------------------------------- events
    def set_label(self, label: str) -> None:
        """Pick the label for the next polygon; relabels the selected polygon too."""
        if label not in self.labels:
            raise ValueError(f"unknown label {label!r}: choose one of {', '.join(self.labels)}")
        self.label = label
        if self.selected is not None and self.shapes[self.selected].label != label:
            self._remember()
            self.shapes[self.selected].label = label
            self._changed()

    def click(self, x: float, y: float) -> str:
        """A click at image pixel (x, y): add a point, or close the polygon near its first point.

        Returns what happened: ``"point"``, ``"closed"`` or ``"ignored"`` (a repeated click).
        Points outside the image are pulled onto its border.
        """
        x, y = self._clamp(x, y)
        if self.can_close and math.dist((x, y), self.current[0]) <= self.close_tolerance:
            self.close_polygon()
            return "closed"
        if self.current and math.dist((x, y), self.current[-1]) < 0.5:
            return "ignored"  # a double click: one point is enough
        self._remember()
        self.current.append((x, y))
        self.selected = None
        return "point"

    def close_polygon(self) -> LabelmeShape:
        if not self.can_close:
            raise ValueError(f"a polygon needs at least 3 points; this one has {len(self.current)}")
        self._remember()
        shape = LabelmeShape(self.label, list(self.current))
        self.shapes.append(shape)
        self.current = []
        self.selected = None
        self._changed()
        return shape

    def add_polygon(self, points: Sequence[Sequence[float]], label: str | None = None) -> LabelmeShape:
        """Place a whole polygon from code, exactly as clicking its points and closing would."""
        if label is not None:
            self.set_label(label)
        for x, y in points:
            self.click(float(x), float(y))
        if self.current:
            return self.close_polygon()
        return self.shapes[-1]

    def cancel_polygon(self) -> None:
        if self.current:
            self._remember()
            self.current = []

    def select(self, index: int | None) -> None:
        """Select a shape (or nothing); the label picker then shows its label."""
        if index is not None and not 0 <= index < len(self.shapes):
            raise IndexError(f"no polygon {index}: this image has {len(self.shapes)}")
        self.selected = index
        if index is not None and self.shapes[index].label in self.labels:
            self.label = self.shapes[index].label

    def select_at(self, x: float, y: float) -> int | None:
        """Select the topmost shape under (x, y), or nothing; returns its index."""
        hit = None
        for i, shape in enumerate(self.shapes):
            if _contains(shape, (x, y)):
                hit = i
        self.select(hit)
        return hit

    def delete(self) -> LabelmeShape | None:
        """Delete the selected polygon; with nothing selected, drop the polygon being drawn, or else the last one."""
        if self.selected is None and self.current:
            self.cancel_polygon()
            return None
        if not self.shapes:
            return None
        index = self.selected if self.selected is not None else len(self.shapes) - 1
        self._remember()
        removed = self.shapes.pop(index)
        self.selected = None
        self._changed()
        return removed

    def undo(self) -> bool:
        if not self._undo:
            return False
        self._redo.append(self._snapshot())
        self._restore(self._undo.pop())
        return True

    def redo(self) -> bool:
        if not self._redo:
            return False
        self._undo.append(self._snapshot())
        self._restore(self._redo.pop())
        return True

    # ----------------------------------------------------------------- images
    def go_to(self, index: int) -> None:
        """Show another image; the current one is saved first (autosave), its open polygon closed or kept."""
        if not 0 <= index < len(self.image_paths):
            raise IndexError(f"no image {index}: there are {len(self.image_paths)}")
        if index == self.index:
            return
        state = self.state
        if self.autosave and state.load_error is None and (state.dirty or self.can_close):
            self._notes.append(f"saved {self.save().name}")
        elif self.current:
            self._note_unfinished()
        state.unfinished = list(self.current)
        self.index = index
        self.current, self.selected = list(self.state.unfinished), None
        self._undo.clear()
        self._redo.clear()

    def next_image(self) -> bool:
        """Go to the next image; on the last one, save it and say so. Returns whether it moved."""
        return self._step(+1)

    def previous_image(self) -> bool:
        """Go to the previous image; on the first one, say so. Returns whether it moved."""
        return self._step(-1)

    def _step(self, step: int) -> bool:
        target = self.index + step
        if 0 <= target < len(self.image_paths):
            self.go_to(target)
            return True
        total = len(self.image_paths)
        if step > 0:
            if self.autosave and self.state.load_error is None and (self.state.dirty or self.can_close):
                self._notes.append(f"saved {self.save().name}")
            self._notes.append(Caution(f"this is the last photo ({total} of {total}): there is no next one"))
        else:
            self._notes.append(Caution(f"this is the first photo (1 of {total}): there is no previous one"))
        return False

    # ----------------------------------------------------------------- saving
    def save(self) -> Path:
        """Write the current image's labelme JSON next to it (checked, atomically) and return its path.

        Points are rounded to :data:`POINT_DECIMALS`; keys another tool stored in the file are kept.
        A polygon still open is closed first when it can be (three points or more), else kept
        unsaved with a note: either way the participant is told.
        """
        state = self.state
        if state.load_error:
            raise ValueError(state.load_error)
        if self.can_close:
            count = len(self.current)
            shape = self.close_polygon()
            self._notes.append(f"closed the open polygon ({count} points, {shape.label}) before saving")
        elif self.current:
            self._note_unfinished()
        shapes = [
            replace(
                shape,
                points=[(round(float(x), POINT_DECIMALS), round(float(y), POINT_DECIMALS)) for x, y in shape.points],
            )
            for shape in state.shapes
        ]
        save_labelme(
            state.json_path,
            image_path=state.image_path.name,
            image_size=(state.height, state.width),
            shapes=shapes,
            flags=state.flags,
            other=copy.deepcopy(state.other_keys),
        )
        state.dirty = False
        return state.json_path

    # ----------------------------------------------------------------- internals
    def _note_unfinished(self) -> None:
        count = len(self.current)
        self._notes.append(
            Caution(
                f"{count} point{'s' if count > 1 else ''} of an unfinished polygon {'are' if count > 1 else 'is'} "
                "not saved: add points and close it, or press Delete"
            )
        )

    def _clamp(self, x: float, y: float) -> tuple[float, float]:
        if not (math.isfinite(x) and math.isfinite(y)):
            raise ValueError(f"click at ({x}, {y}) is not a position")
        return min(max(float(x), 0.0), float(self.state.width)), min(max(float(y), 0.0), float(self.state.height))

    def _snapshot(self) -> _Snapshot:
        return _Snapshot(copy.deepcopy(self.shapes), list(self.current), self.selected)

    def _remember(self) -> None:
        self._undo.append(self._snapshot())
        del self._undo[:-MAX_UNDO]
        self._redo.clear()

    def _restore(self, snap: _Snapshot) -> None:
        self.state.shapes = snap.shapes
        self.current = snap.current
        self.selected = snap.selected
        self._changed()

    def _changed(self) -> None:
        self.state.dirty = True


def _contains(shape: LabelmeShape, point: tuple[float, float]) -> bool:
    """Is the point inside the shape? Even-odd rule for polygons, bounding box for the rest."""
    x, y = point
    pts = list(shape.points)
    if shape.shape_type == "circle" and len(pts) == 2:
        return math.dist(pts[0], point) <= math.dist(pts[0], pts[1])
    if shape.shape_type != "polygon" or len(pts) < 3:
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        return min(xs) - 3 <= x <= max(xs) + 3 and min(ys) - 3 <= y <= max(ys) + 3
    inside = False
    for (x0, y0), (x1, y1) in zip(pts, pts[1:] + pts[:1]):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside
