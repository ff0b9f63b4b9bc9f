"""The annotator's view: an ipycanvas picture with buttons, for Colab, JupyterLab and VS Code.

labelme's own window is a Qt desktop app and cannot open in Colab, so this widget does the one
thing a first annotation needs: click polygon points onto a photo. It only *draws*: every
click goes to an :class:`~playground_lib.annotator.session.AnnotationSession`, which keeps the
polygons on the Python side and writes the labelme JSON. Nothing is ever read back from the
browser's pixels.

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
from PIL import Image

from ..canvas_compat import hold, tool_button
from ..labelme.format import LabelmeShape
from ..labelme.image import read_upright_rgb
from ..labels import ade20k_value, palette
from .session import AnnotationSession

DEFAULT_DISPLAY = 512
CURRENT_COLOR = "#ffd400"
SELECTED_COLOR = "#ffffff"


def label_color(label: str) -> tuple[int, int, int]:
    """The ADE20K palette colour of a label, grey for labels outside the schema."""
    try:
        value = ade20k_value(label)
    except KeyError:
        return (160, 160, 160)
    return tuple(int(c) for c in palette()[value]) if value else (160, 160, 160)


def _css(rgb: Sequence[int], alpha: float = 1.0) -> str:
    r, g, b = rgb
    return f"rgba({r}, {g}, {b}, {alpha})"


class Annotator(widgets.VBox):
    """Click polygons onto images and save them as labelme JSON next to each image.

    ``images`` is a folder or a list of image files. ``display`` is the on-screen size of the
    longer side in pixels: big photos are shown smaller and small ones bigger (easier to click
    precisely); clicks are scaled back to image pixels.
    """

    def __init__(
        self,
        images: Iterable[str | os.PathLike] | str | os.PathLike,
        labels: Sequence[str] | None = None,
        display: int = DEFAULT_DISPLAY,
        autosave: bool = True,
    ):
        self.session = AnnotationSession(images, labels=labels, autosave=autosave)
        self.display = int(display)
        self.scale = 1.0
        self._updating_list = False

        self.canvas = MultiCanvas(2, width=1, height=1)
        self.canvas.on_mouse_down(self._on_mouse_down)
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
        for name, widget in (
            ("canvas", self.canvas),
            ("label", self.label_picker),
            ("mode", self.mode),
            ("shapes", self.shape_list),
            ("status", self.status),
        ):
            widget.add_class(f"playground-annotator-{name}")  # stable handles for the browser check

        def button(text, icon, tip, handler):
            return tool_button("playground-annotator", text, icon, tip, lambda: self._safely(handler))

        self.close_button = button(
            "Close polygon", "check", "finish the polygon (or click its first point)", self.session.close_polygon
        )
        self.undo_button = button("Undo", "undo", "undo the last change", self.session.undo)
        self.redo_button = button("Redo", "repeat", "redo what was undone", self.session.redo)
        self.delete_button = button(
            "Delete",
            "trash",
            "delete the selected polygon (or the one being drawn, or the last one)",
            self.session.delete,
        )
        self.previous_button = button(
            "Previous", "arrow-left", "previous image (saves this one)", self.session.previous_image
        )
        self.next_button = button("Next", "arrow-right", "next image (saves this one)", self.session.next_image)
        self.save_button = button("Save", "save", "write the labelme JSON next to the image", self.save)
        self.label_picker.observe(lambda ch: self._safely(self.session.set_label, ch["new"]), names="value")
        self.shape_list.observe(self._on_list_pick, names="value")

        super().__init__(
            [
                widgets.HBox([self.label_picker, self.mode]),
                widgets.HBox(
                    [
                        self.canvas,
                        widgets.VBox([widgets.HTML("<b>Polygons</b> (pick one to select it)"), self.shape_list]),
                    ]
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
                    ]
                ),
                self.status,
            ]
        )
        self._shown_index: int | None = None
        self.refresh()

    # ----------------------------------------------------------------- the same calls from code
    def add_polygon(self, points: Sequence[Sequence[float]], label: str | None = None) -> LabelmeShape:
        """Place a polygon in image pixels, as clicking its points would, and show it."""
        shape = self.session.add_polygon(points, label)
        self.refresh()
        return shape

    def click(self, x: float, y: float) -> str:
        """A click at *canvas* pixel (x, y), as the mouse sends it."""
        result = self.session.click(x / self.scale, y / self.scale)
        self.refresh()
        return result

    def save(self) -> Path:
        path = self.session.save()
        self.refresh(f"saved {path.name}")
        return path

    def go_to(self, index: int) -> None:
        self.session.go_to(index)
        self.refresh()

    # ----------------------------------------------------------------- events
    def _on_mouse_down(self, x: float, y: float) -> None:
        if self.mode.value == "select":
            self._safely(self.session.select_at, x / self.scale, y / self.scale)
        else:
            self._safely(self.session.click, x / self.scale, y / self.scale)

    def _on_list_pick(self, change) -> None:
        if not self._updating_list:
            self._safely(self.session.select, change["new"])

    def _safely(self, action, *args) -> None:
        """Run an action and redraw; a mistake becomes a red line under the canvas, not a lost traceback."""
        try:
            action(*args)
        except Exception as exc:  # shown to the participant instead of vanishing into the log
            self.refresh(error=str(exc) or traceback.format_exc(limit=1))
            return
        self.refresh()

    # ----------------------------------------------------------------- drawing
    def refresh(self, message: str = "", error: str = "") -> None:
        session = self.session
        if self._shown_index != session.index:
            self._show_image()
        self._draw_shapes()
        self._update_list()
        if self.label_picker.value != session.label and session.label in self.label_picker.options:
            self.label_picker.value = session.label
        state = session.state
        parts = [
            f"<b>{session.index + 1}/{len(session.image_paths)}</b> {escape(state.image_path.name)}",
            f"{len(state.shapes)} shape(s)",
        ]
        if session.current:
            parts.append(
                f"drawing: {len(session.current)} point(s)"
                + (" - click the first point to close" if session.can_close else "")
            )
        parts.append("unsaved changes" if state.dirty else "saved" if state.json_path.exists() else "not saved yet")
        line = " · ".join(parts)
        if state.load_error:
            error = error or state.load_error
        if message:
            line += f" · <span style='color:#1a7f37'>{escape(message)}</span>"
        if error:
            line += f"<br><span style='color:#c62828'>{escape(error)}</span>"
        self.status.value = line

    def _show_image(self) -> None:
        state = self.session.state
        self.scale = self.display / max(state.width, state.height)
        width, height = max(1, round(state.width * self.scale)), max(1, round(state.height * self.scale))
        image = Image.fromarray(read_upright_rgb(state.image_path))
        if (width, height) != image.size:
            image = image.resize((width, height), Image.BILINEAR)
        pixels = np.asarray(image)
        self.canvas.width, self.canvas.height = width, height
        self.canvas.layout.width, self.canvas.layout.height = f"{width}px", f"{height}px"
        # Tolerance for "click the first point to close": 8 screen pixels whatever the scale.
        self.session.close_tolerance = 8.0 / self.scale
        with hold(self.canvas[0]):
            self.canvas[0].clear()
            self.canvas[0].put_image_data(pixels, 0, 0)
        self._shown_index = self.session.index

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
        options = [
            (f"{i + 1}. {sh.label} ({sh.shape_type}, {len(sh.points)} pts)", i)
            for i, sh in enumerate(self.session.shapes)
        ]
        self._updating_list = True
        try:
            if list(self.shape_list.options) != options:
                self.shape_list.options = options
            self.shape_list.value = self.session.selected
        finally:
            self._updating_list = False


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
