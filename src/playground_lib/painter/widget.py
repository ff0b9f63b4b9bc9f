"""The painter's view: a canvas, a class palette, tools, and the generated picture beside it.

Every mouse event goes to a :class:`~playground_lib.painter.sketchpad.Sketchpad`, which paints
the label map in numpy; the canvas only shows it. While the mouse is down, the stroke is drawn
on the canvas straight away (a quick preview); when it is released the canvas is redrawn from
the label map, so what you see is exactly what the generator gets. Nothing is ever read back
from the browser's pixels (``get_image_data`` hangs VS Code and is unreliable in Colab).

Works with ipywidgets 7.7 (Colab) and 8.x, and ipycanvas 0.13+ (mouse positions arrive in
canvas pixels, which here are label-map pixels, whatever size the page shows the canvas at).
"""

from __future__ import annotations

import io
import os
import traceback
from html import escape
from pathlib import Path

import ipywidgets as widgets
import numpy as np
from ipycanvas import Canvas
from PIL import Image

from ..canvas_compat import hold, tool_button
from ..labels import OTHER, class_name, palette
from ..labels_to_image import LabelsToImage
from .sketchpad import Sketchpad, sketch_palette

DEFAULT_DISPLAY = 448


def _hex(rgb) -> str:
    return "#%02x%02x%02x" % tuple(int(c) for c in rgb)


def _text_color(rgb) -> str:
    r, g, b = (int(c) for c in rgb)
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 110 else "white"


def png_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(array)).save(buffer, format="PNG")
    return buffer.getvalue()


def uploaded_files(value) -> list[tuple[str, bytes]]:
    """(name, bytes) of a FileUpload's value, in ipywidgets 7 (a dict) and 8 (a tuple) alike."""
    if not value:
        return []
    if isinstance(value, dict):  # ipywidgets 7: {name: {"metadata": {...}, "content": bytes}}
        return [(name, bytes(item["content"])) for name, item in value.items()]
    return [(item["name"], bytes(item["content"])) for item in value]  # ipywidgets 8


class Painter(widgets.VBox):
    """Paint a playground sketch with ADE20K classes, then press Generate.

    ``size``: label-map size (int or (height, width)); ``generate``: a callable from an HxW
    uint8 label map to an HxWx3 uint8 picture, such as ``load_generator(None).generate``.
    ``background``: what a blank sketch holds and the eraser paints (default "other").
    ``display``: on-screen width of the canvas in pixels.
    """

    def __init__(
        self,
        size: int | tuple[int, int] = 256,
        generate: LabelsToImage | None = None,
        background: str | int = OTHER,
        display: int = DEFAULT_DISPLAY,
        save_path: str = "outputs/my_sketch.png",
    ):
        self.pad = Sketchpad(size, generate=generate, background=background)
        h, w = self.pad.shape
        self.display_width = int(display)
        display_height = round(self.display_width * h / w)

        self.canvas = Canvas(
            width=w, height=h, layout=widgets.Layout(width=f"{self.display_width}px", height=f"{display_height}px")
        )
        self.canvas.line_cap = "round"
        self.canvas.line_join = "round"
        self.canvas.on_mouse_down(self._on_down)
        self.canvas.on_mouse_move(self._on_move)
        self.canvas.on_mouse_up(self._on_up)
        self.canvas.on_mouse_out(self._on_up)
        if hasattr(self.canvas, "on_touch_start"):  # tablets
            self.canvas.on_touch_start(lambda touches: touches and self._on_down(*touches[0]))
            self.canvas.on_touch_move(lambda touches: touches and self._on_move(*touches[0]))
            self.canvas.on_touch_end(lambda touches: self._on_up())
        self.result_view = widgets.Image(
            format="png", layout=widgets.Layout(width=f"{self.display_width}px", height=f"{display_height}px")
        )

        self.class_buttons: dict[int, widgets.Button] = {}
        for entry in sketch_palette():
            b = widgets.Button(
                description=entry.name,
                tooltip=f"{entry.name} (ADE20K value {entry.value})",
                layout=widgets.Layout(width="auto", min_width="72px"),
            )
            b.style.button_color = _hex(entry.color)
            try:  # ipywidgets 8 only; 7.7 keeps its default text colour
                b.style.text_color = _text_color(entry.color)
            except Exception:
                pass
            b.on_click(lambda _b, v=entry.value: self._safely(self.choose_class, v, redraw=False))
            b.add_class(f"playground-class-{entry.name.replace(' ', '-')}")
            self.class_buttons[entry.value] = b
        self.tool = widgets.ToggleButtons(
            options=[("Brush", "brush"), ("Fill", "fill"), ("Eraser", "eraser")],
            value="brush",
            tooltips=["paint with the chosen class", "fill an area of one class", "paint the background back"],
        )
        self.tool.observe(lambda ch: self._safely(self.pad.set_tool, ch["new"], redraw=False), names="value")
        self.brush = widgets.IntSlider(
            value=self.pad.brush_size, min=1, max=max(8, min(h, w) // 4), description="Brush size:"
        )
        self.brush.observe(lambda ch: self._safely(self.pad.set_brush_size, ch["new"], redraw=False), names="value")
        self.live = widgets.Checkbox(value=False, description="Regenerate after each stroke", indent=False)
        self.path = widgets.Text(value=save_path, description="File:", layout=widgets.Layout(width="340px"))
        self.upload = widgets.FileUpload(accept=".png", multiple=False, description="Upload PNG")
        self.upload.observe(self._on_upload, names="value")
        self.status = widgets.HTML()
        for name, widget in (
            ("canvas", self.canvas),
            ("result", self.result_view),
            ("tool", self.tool),
            ("brush", self.brush),
            ("live", self.live),
            ("status", self.status),
        ):
            widget.add_class(f"playground-painter-{name}")  # stable handles for the browser check

        def button(text, icon, tip, action):
            return tool_button("playground-painter", text, icon, tip, lambda: self._safely(action))

        self.undo_button = button("Undo", "undo", "undo the last stroke", self.pad.undo)
        self.redo_button = button("Redo", "repeat", "redo what was undone", self.pad.redo)
        self.clear_button = button("Clear", "eraser", "start again from a blank sketch", self.pad.clear)
        self.generate_button = button("Generate", "magic", "turn the sketch into a picture", self.generate)
        self.generate_button.button_style = "success"
        self.save_button = button("Save PNG", "save", "save the sketch as a colour PNG", self.save_png)
        self.load_button = button("Load PNG", "folder-open", "load a colour PNG sketch", self.load_png)

        # Show label-map pixels as crisp squares when the canvas is scaled up (ignored where unsupported).
        crisp = widgets.HTML(
            "<style>.playground-painter-canvas canvas, canvas.playground-painter-canvas"
            " { image-rendering: pixelated; }</style>"
        )
        palette_box = widgets.HBox(list(self.class_buttons.values()), layout=widgets.Layout(flex_flow="row wrap"))
        super().__init__(
            [
                crisp,
                palette_box,
                widgets.HBox([self.tool, self.brush]),
                widgets.HBox([self.undo_button, self.redo_button, self.clear_button, self.generate_button, self.live]),
                widgets.HBox([self.canvas, self.result_view]),
                widgets.HBox([self.path, self.save_button, self.load_button, self.upload]),
                self.status,
            ]
        )
        self._message = ""
        self.refresh()

    # ----------------------------------------------------------------- the same calls from code
    @property
    def labels(self) -> np.ndarray:
        """The label map (HxW uint8 ADE20K values): what Generate sends to SPADE."""
        return self.pad.labels

    def choose_class(self, label) -> None:
        """Pick the class to paint; coming from the eraser, picking a class means "paint again"."""
        self.pad.set_class(label)
        if self.tool.value == "eraser":
            self.tool.value = "brush"

    def paint_stroke(self, points, label=None, size=None) -> None:
        self.pad.paint_stroke(points, label, size)
        self._after_change()

    def fill(self, x: float, y: float, label=None) -> int:
        changed = self.pad.fill(x, y, label)
        self._after_change()
        return changed

    def undo(self) -> bool:
        done = self.pad.undo()
        self._after_change()
        return done

    def redo(self) -> bool:
        done = self.pad.redo()
        self._after_change()
        return done

    def clear(self) -> None:
        self.pad.clear()
        self._after_change()

    def generate(self) -> np.ndarray:
        self._say("generating...")
        result = self.pad.generate()
        self.result_view.value = png_bytes(result)
        self._message = "generated"
        self.refresh()
        return result

    def side_by_side(self) -> np.ndarray:
        return self.pad.side_by_side()

    def class_counts(self) -> dict[str, int]:
        return self.pad.class_counts()

    def save_png(self, path: str | os.PathLike | None = None) -> Path:
        saved = self.pad.save_png(path or self.path.value)
        self._message = f"saved {saved}"
        self.refresh()
        return saved

    def load_png(self, path: str | os.PathLike | None = None) -> str:
        summary = self.pad.load_png(path or self.path.value)
        self._message = f"loaded {path or self.path.value}: {summary}"
        self._after_change()
        return summary

    # ----------------------------------------------------------------- mouse
    def _on_down(self, x: float, y: float) -> None:
        try:
            what = self.pad.pointer_down(x, y)
        except Exception as exc:
            self._say(str(exc), error=True)
            return
        if what == "filled":
            self._after_change()
        else:
            with hold(self.canvas):  # one message to the browser per event
                self.canvas.fill_style = _hex(self.pad_color())
                self.canvas.fill_circle(x, y, self.pad.brush_size / 2)

    def _on_move(self, x: float, y: float) -> None:
        segment = self.pad.pointer_move(x, y)
        if segment is not None:
            (x0, y0), (x1, y1) = segment
            with hold(self.canvas):
                self.canvas.stroke_style = _hex(self.pad_color())
                self.canvas.line_width = self.pad.brush_size
                self.canvas.stroke_line(x0, y0, x1, y1)

    def _on_up(self, x: float | None = None, y: float | None = None) -> None:
        if self.pad.pointer_up(x, y):
            self._after_change()

    def _on_upload(self, change) -> None:
        for name, data in uploaded_files(change["new"]):
            try:
                summary = self.pad.load_image_bytes(data, name)
            except Exception as exc:
                self._say(str(exc), error=True)
                continue
            self._message = f"loaded {name}: {summary}"
            self._after_change()

    def pad_color(self) -> tuple[int, int, int]:
        return tuple(int(c) for c in palette()[self.pad.paint_value])

    # ----------------------------------------------------------------- drawing
    def _after_change(self) -> None:
        self.refresh()
        if self.live.value and self.pad.generate_fn is not None:
            self._safely(self.generate, redraw=False)

    def _safely(self, action, *args, redraw: bool = True) -> None:
        try:
            action(*args)
        except Exception as exc:  # shown under the canvas instead of vanishing into the log
            self._say(str(exc) or traceback.format_exc(limit=1), error=True)
            return
        if redraw:
            self._after_change() if action in (self.pad.undo, self.pad.redo, self.pad.clear) else self.refresh()
        else:
            self._update_status()

    def refresh(self) -> None:
        with hold(self.canvas):
            self.canvas.put_image_data(self.pad.colors(), 0, 0)
        self._update_status()

    def _update_status(self) -> None:
        for value, b in self.class_buttons.items():
            b.icon = "check" if value == self.pad.value else ""
        counts = self.pad.class_counts()
        top = ", ".join(f"{name} {100 * n / self.pad.labels.size:.0f}%" for name, n in list(counts.items())[:4])
        current = class_name(self.pad.value)
        line = f"<b>{self.pad.tool}</b> with <b>{current}</b> · size {self.pad.brush_size} · sketch: {top}"
        if self._message:
            line += f" · <span style='color:#1a7f37'>{escape(self._message)}</span>"
        self.status.value = line

    def _say(self, text: str, error: bool = False) -> None:
        color = "#c62828" if error else "#555"
        self._update_status()
        self.status.value += f"<br><span style='color:{color}'>{escape(text)}</span>"
