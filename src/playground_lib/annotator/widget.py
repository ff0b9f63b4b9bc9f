"""The annotator's view: an ipycanvas picture with buttons, for Colab, JupyterLab and VS Code.

labelme's own window is a Qt desktop app and cannot open in Colab, so this widget does the one
thing a first annotation needs: click polygon points onto a photo. It only *draws*: every
click goes to an :class:`~playground_lib.annotator.session.AnnotationSession`, which keeps the
polygons on the Python side and writes the labelme JSON. Nothing is ever read back from the
browser's pixels.

The participant's own photos come in through the Upload button (several at once), a folder path
on a laptop, or Colab's file picker (``annotator.add_photos(colab_file_picker())`` in a cell);
:mod:`.photos` checks and copies them into the annotation folder. Every message (saved, the open
polygon closed, the last photo, a bad file) stays under the canvas until the next action, and a
press that starts beside the canvas cannot select the page or drag it (:mod:`..canvas_guard`).

Works with ipywidgets 7.7 (Colab) and 8.x, and ipycanvas 0.13+ (which reports mouse positions
in canvas pixels whatever size the page shows the canvas at).
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Iterable, Sequence
from html import escape
from pathlib import Path

import ipywidgets as widgets
import numpy as np
from ipycanvas import MultiCanvas

from ..canvas_compat import forget_upload, hold, tool_button, undo_redo_key, uploaded_files
from ..canvas_guard import guard_html
from ..labelme.format import LabelmeShape
from ..labels import ade20k_value, palette
from ..upload_limit import upload_limit_html
from .photos import PhotoSource, add_photos, display_pixels
from .session import AnnotationSession, Caution

DEFAULT_DISPLAY = 512
ROOT_CLASS = "playground-annotator"
PHOTO_TYPES = "image/*,.heic,.heif"
UPLOAD_ADVICE = (
    "Choose fewer photos at a time (each upload adds to the folder), type a folder's path below (on a laptop), "
    "or in Colab run annotator.add_photos(colab_file_picker())."
)
CURRENT_COLOR = "#ffd400"
SELECTED_COLOR = "#ffffff"


def label_color(label: str) -> tuple[int, int, int]:
    """The ADE20K palette colour of a label, grey for labels outside the schema."""
    try:
        value = ade20k_value(label)
    except KeyError:
        return (160, 160, 160)
    if not value:
        return (160, 160, 160)
    r, g, b = (int(c) for c in palette()[value])
    return (r, g, b)


def _css(rgb: Sequence[int], alpha: float = 1.0) -> str:
    r, g, b = rgb
    return f"rgba({r}, {g}, {b}, {alpha})"


class Annotator(widgets.VBox):
    """Click polygons onto photos and save them as labelme JSON next to each photo.

    ``images``: a folder (it may still be empty: the participant's own photos can be added) or a
    list of image files. ``photo_folder``: where added photos are copied, next to their JSON
    (default: ``images`` when it is a folder, else the first image's folder). ``display``: the
    on-screen size of the longer side in pixels: big photos are shown smaller and small ones
    bigger (easier to click precisely); clicks are scaled back to full-resolution image pixels.
    """

    def __init__(
        self,
        images: Iterable[str | os.PathLike] | str | os.PathLike,
        labels: Sequence[str] | None = None,
        display: int = DEFAULT_DISPLAY,
        autosave: bool = True,
        photo_folder: str | os.PathLike | None = None,
    ):
        self.session = AnnotationSession(images, labels=labels, autosave=autosave, allow_empty=True)
        if photo_folder is None:
            is_folder = isinstance(images, (str, os.PathLike)) and Path(images).is_dir()
            photo_folder = Path(str(images)) if is_folder else self.session.image_paths[0].parent
        self.photo_folder = Path(photo_folder)
        self.display = int(display)
        self.scale = 1.0
        self._updating_list = False
        self._message, self._error = "", ""
        self._notes: list[str] = []
        self._in_action = False
        self._shown: Path | None = None

        self.canvas = MultiCanvas(2, width=1, height=1)
        self.canvas.on_mouse_down(self._on_mouse_down)
        self.canvas.on_key_down(lambda key, shift, ctrl, meta: self._on_key(key, shift, ctrl or meta))
        self.label_picker = widgets.Dropdown(
            options=self.session.labels, value=self.session.label, description="Label:"
        )
        self.mode = widgets.ToggleButtons(
            options=["draw", "select"],
            value="draw",
            description="Click to:",
            tooltips=["add polygon points", "pick a polygon to relabel or delete"],
            style={"button_width": "80px", "description_width": "initial"},
        )
        self.shape_list = widgets.Select(options=[], rows=12, layout=widgets.Layout(width="240px"))
        self.status = widgets.HTML()
        self.upload = widgets.FileUpload(accept=PHOTO_TYPES, multiple=True, description="Upload photos")
        self.upload.observe(self._on_upload, names="value")
        self.folder_path = widgets.Text(
            placeholder="a folder of photos on this computer",
            description="Folder:",
            layout=widgets.Layout(width="360px"),
        )
        for name, widget in (
            ("canvas", self.canvas),
            ("label", self.label_picker),
            ("mode", self.mode),
            ("shapes", self.shape_list),
            ("status", self.status),
            ("upload", self.upload),
            ("folder", self.folder_path),
        ):
            widget.add_class(f"{ROOT_CLASS}-{name}")  # stable handles for the browser check

        def button(text, icon, tip, handler):
            return tool_button(ROOT_CLASS, text, icon, tip, lambda: self._safely(handler))

        self.close_button = button(
            "Close polygon", "check", "finish the polygon (or click its first point; Enter)", self.close_polygon
        )
        self.undo_button = button("Undo", "undo", "undo the last change (Ctrl+Z on the picture)", self.undo)
        self.redo_button = button("Redo", "repeat", "redo what was undone (Ctrl+Shift+Z on the picture)", self.redo)
        self.delete_button = button(
            "Delete",
            "trash",
            "delete the selected polygon (or the one being drawn, or the last one)",
            self.delete,
        )
        self.previous_button = button("Previous", "arrow-left", "previous photo (saves this one)", self.previous_image)
        self.next_button = button("Next", "arrow-right", "next photo (saves this one)", self.next_image)
        self.save_button = button("Save", "save", "write the labelme JSON next to the photo", self.save)
        self.add_folder_button = button(
            "Add folder",
            "folder-open",
            "copy the photos of this folder in",
            lambda: self.add_photos(self.folder_path.value),
        )
        self.label_picker.observe(self._on_label_pick, names="value")
        self.shape_list.observe(self._on_list_pick, names="value")

        super().__init__(
            [
                widgets.HTML(
                    guard_html(ROOT_CLASS)
                    + upload_limit_html(
                        ROOT_CLASS, f"{ROOT_CLASS}-upload", f"{ROOT_CLASS}-status", UPLOAD_ADVICE, PHOTO_TYPES
                    )
                ),
                widgets.HBox([self.label_picker, self.mode], layout=widgets.Layout(flex_flow="row wrap")),
                widgets.HBox(
                    [
                        self.canvas,
                        widgets.VBox([widgets.HTML("<b>Polygons</b> (pick one to select it)"), self.shape_list]),
                    ],
                    layout=widgets.Layout(flex_flow="row wrap"),
                ),
                widgets.HBox(
                    [
                        self.close_button,
                        self.undo_button,
                        self.redo_button,
                        self.delete_button,
                        self.save_button,
                        self.previous_button,
                        self.next_button,
                    ],
                    layout=widgets.Layout(flex_flow="row wrap"),
                ),
                self.status,
                widgets.HBox(
                    [self.upload, self.folder_path, self.add_folder_button],
                    layout=widgets.Layout(flex_flow="row wrap"),
                ),
            ]
        )
        self.add_class(ROOT_CLASS)
        self.refresh()

    # ----------------------------------------------------------------- the same calls from code
    def add_polygon(self, points: Sequence[Sequence[float]], label: str | None = None) -> LabelmeShape:
        """Place a polygon in image pixels, as clicking its points would, and show it."""
        shape = self.session.add_polygon(points, label)
        self._tell()
        return shape

    def click(self, x: float, y: float) -> str:
        """A click at *canvas* pixel (x, y), as the mouse sends it."""
        result = self.session.click(x / self.scale, y / self.scale)
        self._tell()
        return result

    def save(self) -> Path:
        """Save the current photo's labelme JSON; an open polygon is closed first (or kept, and said)."""
        path = self.session.save()
        self._tell(f"saved {path.name}")
        return path

    def close_polygon(self) -> LabelmeShape:
        shape = self.session.close_polygon()
        self._tell()
        return shape

    def undo(self) -> bool:
        done = self.session.undo()
        self._tell("" if done else "nothing to undo")
        return done

    def redo(self) -> bool:
        done = self.session.redo()
        self._tell("" if done else "nothing to redo")
        return done

    def delete(self) -> LabelmeShape | None:
        removed = self.session.delete()
        self._tell()
        return removed

    def go_to(self, index: int) -> None:
        self.session.go_to(index)
        self._tell()

    def next_image(self) -> bool:
        moved = self.session.next_image()
        self._tell()
        return moved

    def previous_image(self) -> bool:
        moved = self.session.previous_image()
        self._tell()
        return moved

    def add_photos(self, source: PhotoSource) -> list[Path]:
        """Copy photos (an upload, a folder, files) into :attr:`photo_folder` and show the first new one.

        Bad files are listed under the canvas, one line each; the good ones are added anyway.
        """
        if isinstance(source, str) and not source.strip():
            raise ValueError("type the path of a folder of photos first")
        added, problems = add_photos(source, self.photo_folder)
        new = self.session.add_images(added)
        if added:  # show the first photo of this batch, new or already here
            first = added[0].resolve()
            self.session.go_to(next(i for i, p in enumerate(self.session.image_paths) if p.resolve() == first))
        parts = []
        if new:
            parts.append(f"added {len(new)} photo(s): {_names(new)}")
        if len(new) < len(added):
            parts.append(f"already here: {_names([p for p in added if p not in new])}")
        message = " · ".join(parts)
        self._tell(message, "\n".join(problems))
        return added

    # ----------------------------------------------------------------- events
    def _on_mouse_down(self, x: float, y: float) -> None:
        if not self.session.image_paths:
            return
        if self.mode.value == "select":
            self._safely(self.session.select_at, x / self.scale, y / self.scale)
        else:
            self._safely(self.session.click, x / self.scale, y / self.scale)

    def _on_key(self, key: str, shift: bool, ctrl: bool) -> None:
        """Ctrl+Z / Ctrl+Shift+Z (or Ctrl+Y) on the picture; Enter closes the polygon, Escape drops it."""
        action = undo_redo_key(key, shift, ctrl)
        if action == "undo":
            self._safely(self.undo)
        elif action == "redo":
            self._safely(self.redo)
        elif key == "Enter" and self.session.image_paths and self.session.can_close:
            self._safely(self.close_polygon)
        elif key == "Escape" and self.session.image_paths and self.session.current:
            self._safely(self.session.cancel_polygon)

    def _on_label_pick(self, change) -> None:
        if not self._updating_list:  # a participant's pick, not refresh() showing the selected polygon's label
            self._safely(self.session.set_label, change["new"])

    def _on_list_pick(self, change) -> None:
        if not self._updating_list:
            self._safely(self.session.select, change["new"])

    def _on_upload(self, change) -> None:
        files = uploaded_files(change["new"])
        if not files:
            return
        forget_upload(self.upload)  # the same photo can be chosen again
        self._safely(self.add_photos, files)

    def _safely(self, action, *args) -> None:
        """Run a participant's action; a mistake becomes a red line under the canvas, not a lost traceback.

        Everything the action says (its message, the session's notes) replaces what the last
        action said, and stays on screen until the next one.
        """
        self._message, self._error, self._notes = "", "", []
        self._in_action = True
        try:
            action(*args)
        except Exception as exc:  # shown to the participant instead of vanishing into the log
            self._error = str(exc) or traceback.format_exc(limit=1)
        try:
            self._tell(self._message, self._error)
        finally:
            self._in_action = False

    def _tell(self, message: str = "", error: str = "") -> None:
        """Show what just happened (the session's notes first) until the next action, then redraw."""
        if not self._in_action:  # a call from code, not a button: it starts a new message
            self._message, self._error, self._notes = "", "", []
        self._notes += self.session.take_notes()
        self._message, self._error = message or self._message, error or self._error
        self.refresh()

    # ----------------------------------------------------------------- drawing
    def refresh(self) -> None:
        """Redraw the picture, the polygons, the list and the status line (messages stay)."""
        session = self.session
        if not session.image_paths:
            self._show_nothing()
            return
        if self._shown != session.image_path:
            self._show_image()
        self._draw_shapes()
        self._update_list()
        if self.label_picker.value != session.label and session.label in self.label_picker.options:
            self._updating_list = True
            try:
                self.label_picker.value = session.label
            finally:
                self._updating_list = False
        state = session.state
        parts = [
            f"<b>{session.index + 1}/{len(session.image_paths)}</b> {escape(state.image_path.name)}",
            f"{len(state.shapes)} shape(s)",
        ]
        if session.current:
            parts.append(
                f"drawing: {len(session.current)} point(s)"
                + (" - click the first point to close" if session.can_close else " (not in the file until closed)")
            )
        parts.append("unsaved changes" if state.dirty else "saved" if state.json_path.exists() else "not saved yet")
        self._set_status(" · ".join(parts), self._error or state.load_error or "")

    def _set_status(self, line: str, error: str) -> None:
        for note in [*self._notes, self._message] if self._message else self._notes:
            color = "#b35900" if isinstance(note, Caution) else "#1a7f37"
            line += f" · <span class='{ROOT_CLASS}-message' style='color:{color}'>{escape(note)}</span>"
        if error:
            lines = "<br>".join(escape(e) for e in error.splitlines())
            line += f"<br><span class='{ROOT_CLASS}-error' style='color:#c62828'>{lines}</span>"
        self.status.value = line

    def _show_nothing(self) -> None:
        width, height = self.display, self.display * 3 // 4
        if self._shown is not None or self.canvas.width != width:
            self.canvas.width, self.canvas.height = width, height
            self.canvas.layout.width, self.canvas.layout.height = f"{width}px", f"{height}px"
            with hold(self.canvas):
                self.canvas[1].clear()
                self.canvas[0].fill_style = "#eeeeee"
                self.canvas[0].fill_rect(0, 0, width, height)
            self._shown = None
        self._update_list()
        self._set_status(
            f"no photos yet in {escape(str(self.photo_folder))}: "
            "press <b>Upload photos</b> (a few at a time) or type a folder below",
            self._error,
        )

    def _show_image(self) -> None:
        state = self.session.state
        self.scale = self.display / max(state.width, state.height)
        width, height = max(1, round(state.width * self.scale)), max(1, round(state.height * self.scale))
        pixels = display_pixels(state.image_path, (width, height))
        self.canvas.width, self.canvas.height = width, height
        self.canvas.layout.width, self.canvas.layout.height = f"{width}px", f"{height}px"
        # Tolerance for "click the first point to close": 8 screen pixels whatever the scale.
        self.session.close_tolerance = 8.0 / self.scale
        with hold(self.canvas[0]):
            self.canvas[0].clear()
            self.canvas[0].put_image_data(pixels, 0, 0)
        self._shown = self.session.image_path

    def _draw_shapes(self) -> None:
        layer, s = self.canvas[1], self.scale
        session = self.session
        with hold(layer):
            layer.clear()
            for i, shape in enumerate(session.shapes):
                color = label_color(shape.label)
                selected = i == session.selected
                pts = [(x * s, y * s) for x, y in shape.points]
                layer.line_width = 3 if selected else 2
                layer.stroke_style = SELECTED_COLOR if selected else _css(color)
                layer.fill_style = _css(color, 0.55 if selected else 0.35)
                _draw_shape(layer, shape, pts, s)
            if session.current:
                pts = [(x * s, y * s) for x, y in session.current]
                layer.stroke_style = CURRENT_COLOR
                layer.line_width = 2
                if len(pts) > 1:
                    layer.stroke_lines(pts)
                layer.fill_style = CURRENT_COLOR
                for x, y in pts:
                    layer.fill_circle(x, y, 3)
                if session.can_close:
                    layer.stroke_circle(pts[0][0], pts[0][1], 7)

    def _update_list(self) -> None:
        shapes = self.session.shapes if self.session.image_paths else []
        options = [(f"{i + 1}. {sh.label} ({sh.shape_type}, {len(sh.points)} pts)", i) for i, sh in enumerate(shapes)]
        self._updating_list = True
        try:
            if list(self.shape_list.options) != options:
                self.shape_list.options = options
            self.shape_list.value = self.session.selected if shapes else None
        finally:
            self._updating_list = False


def _names(paths: Sequence[Path], most: int = 5) -> str:
    return ", ".join(p.name for p in paths[:most]) + (" …" if len(paths) > most else "")


def _draw_shape(layer, shape: LabelmeShape, pts: list[tuple[float, float]], scale: float) -> None:
    """Draw any labelme shape type; only polygons are made here, the others come from files."""
    kind = shape.shape_type
    if kind == "polygon" and len(pts) >= 3:
        layer.fill_polygon(pts)
        layer.stroke_polygon(pts)
    elif kind == "rectangle" and len(pts) == 2:
        (x0, y0), (x1, y1) = pts
        layer.fill_rect(min(x0, x1), min(y0, y1), abs(x1 - x0), abs(y1 - y0))
        layer.stroke_rect(min(x0, x1), min(y0, y1), abs(x1 - x0), abs(y1 - y0))
    elif kind == "circle" and len(pts) == 2:
        (cx, cy), (px, py) = pts
        radius = float(np.hypot(px - cx, py - cy))
        layer.fill_circle(cx, cy, radius)
        layer.stroke_circle(cx, cy, radius)
    elif kind in ("line", "linestrip") and len(pts) >= 2:
        layer.stroke_lines(pts)
    else:  # points, masks (their box) and anything unusual: a marker at each point
        for x, y in pts:
            layer.fill_circle(x, y, 4)
