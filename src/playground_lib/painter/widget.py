"""The painter's view: a canvas, a class palette, tools, and the generated picture beside it.

Every mouse event goes to a :class:`~playground_lib.painter.sketchpad.Sketchpad`, which paints
the label map in numpy; the canvas only shows it. While the mouse is down, the stroke is drawn
on the canvas straight away (a quick preview); when it is released the canvas is redrawn from
the label map, losslessly (RGBA goes to the browser as PNG; RGB would go as JPEG and smear the
class colours), so what you see is exactly what the generator gets. Nothing is ever read back
from the browser's pixels (``get_image_data`` hangs VS Code and is unreliable in Colab).

The canvas has two layers: the sketch, and above it the brush outline that follows the pointer,
so the outline never lands in the sketch. A stroke ends on every way a pointer can go: release,
leaving the canvas, and (through :mod:`playground_lib.canvas_guard`) a cancelled pointer or a
move with no button held; a move without a press the kernel saw never paints.

Works with ipywidgets 7.7 (Colab) and 8.x, and ipycanvas 0.13+ (mouse positions arrive in
canvas pixels, which here are label-map pixels, whatever size the page shows the canvas at).
In Colab, call ``google.colab.output.enable_custom_widget_manager()`` first (ipycanvas is a
custom widget there).
"""

from __future__ import annotations

import io
import os
import traceback
from html import escape
from pathlib import Path

import ipywidgets as widgets
import numpy as np
from ipycanvas import MultiCanvas
from PIL import Image

from ..canvas_compat import forget_upload, hold, tool_button, undo_redo_key, uploaded_files
from ..canvas_guard import guard_html
from ..labels import OTHER, class_name
from ..labels_to_image import LabelsToImage
from .display import display_palette, hex_color, text_color_on
from .sketchpad import Sketchpad, sketch_palette

DEFAULT_DISPLAY = 448
ROOT_CLASS = "playground-painter"


def png_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(array)).save(buffer, format="PNG")
    return buffer.getvalue()


def opaque_rgba(rgb: np.ndarray) -> np.ndarray:
    """RGB -> RGBA with full alpha: ipycanvas sends RGBA as PNG (exact) where RGB would go as JPEG."""
    alpha = np.full(rgb.shape[:2] + (1,), 255, dtype=np.uint8)
    return np.concatenate([rgb.astype(np.uint8), alpha], axis=2)


def placeholder_png(height: int, width: int) -> bytes:
    """A light grey picture the size of the sketch: the result panel before the first Generate.

    It holds no text: its words are page text over it (``Painter.placeholder``, placed by
    ``LAYOUT_CSS``), sharp at any size. Drawn into a 256 px picture shown at 448 px they came
    out in PIL's bitmap font, blurred and with squashed spaces ("pressGenerate toseeapicture").
    """
    return png_bytes(np.full((height, width, 3), 236, dtype=np.uint8))


def class_button_css(distinct: bool) -> str:
    """Button colours as CSS on each class button's own CSS class: ipywidgets 7 ignores ``style.text_color``."""
    table = display_palette(distinct)
    rules = []
    for entry in sketch_palette():
        color = table[entry.value]
        selector = f".{ROOT_CLASS} button.playground-class-{entry.name.replace(' ', '-')}"
        rules.append(
            f"{selector}, {selector}:hover {{ background-color: {hex_color(color)} !important;"
            f" color: {hex_color(text_color_on(color))} !important; }}"
        )
    return "<style>" + "\n".join(rules) + "</style>"


LAYOUT_CSS = f"""<style>
.{ROOT_CLASS} canvas {{ image-rendering: pixelated; }}
.{ROOT_CLASS}-stale img {{ opacity: 0.45; filter: grayscale(60%); }}
.{ROOT_CLASS}-stage {{ gap: 8px; }}
.{ROOT_CLASS}-frame {{ position: relative; overflow: hidden; }}
.{ROOT_CLASS}-frame > .{ROOT_CLASS}-placeholder {{
  position: absolute; top: 0; left: 0; right: 0; bottom: 0; margin: 0;
  align-items: center; justify-content: center; pointer-events: none;
}}
.{ROOT_CLASS}-frame .{ROOT_CLASS}-placeholder .widget-html-content {{
  align-self: center; flex: 0 1 auto; line-height: 1.5; white-space: normal; text-align: center; padding: 0 24px;
  font-size: 15px; color: #444;
}}
</style>"""


class Painter(widgets.VBox):
    """Paint a playground sketch with ADE20K classes, then press Generate.

    ``size``: label-map size (int or (height, width)); ``generate``: a callable from an HxW
    uint8 label map to an HxWx3 uint8 picture, such as ``load_generator(None).generate``.
    ``background``: what a blank sketch holds and the eraser paints (default "other").
    ``display``: on-screen width of the canvas in pixels (it shrinks to fit a narrow page).
    """

    def __init__(
        self,
        size: int | tuple[int, int] = 256,
        generate: LabelsToImage | None = None,
        background: str | int = OTHER,
        display: int = DEFAULT_DISPLAY,
        save_path: str = "outputs/my_sketch.png",
        distinct: bool = True,
    ):
        self.pad = Sketchpad(size, generate=generate, background=background)
        h, w = self.pad.shape
        self.display_width = int(display)
        self.distinct = bool(distinct)  # easy-to-tell screen colours; the label map and file keep ADE20K's
        self.result_is_stale = False
        self._hovered: int | None = None
        self._message, self._error = "", False
        self._asked_on_empty = False

        self.canvas = MultiCanvas(2, width=w, height=h, layout=self._picture_layout())
        self.sketch_layer, self.cursor_layer = self.canvas[0], self.canvas[1]
        self._connect_pointer()
        self.result_view = widgets.Image(value=placeholder_png(h, w), format="png", layout=self._picture_layout())
        self.placeholder = widgets.HTML()  # words over the grey picture until there is a result
        self.result_note = widgets.HTML()
        self.hover = widgets.HTML()
        self.legend = widgets.HTML()
        self.class_buttons = self._class_buttons()
        self._make_controls(h, w, save_path)
        for name, widget in (
            ("canvas", self.canvas),
            ("result", self.result_view),
            ("placeholder", self.placeholder),
            ("result-note", self.result_note),
            ("hover", self.hover),
            ("legend", self.legend),
            ("tool", self.tool),
            ("brush", self.brush),
            ("brush-number", self.brush_number),
            ("live", self.live),
            ("distinct", self.distinct_box),
            ("status", self.status),
        ):
            widget.add_class(f"{ROOT_CLASS}-{name}")  # stable handles for the browser checks
        self.button_css = widgets.HTML(class_button_css(self.distinct))
        # A generator that is also a widget (painter.engine_choice: SPADE or words + sketch) shows its controls here.
        engine_controls = [generate] if isinstance(generate, widgets.Widget) else []
        frame = widgets.Box([self.result_view, self.placeholder], layout=self._picture_layout())
        frame.add_class(f"{ROOT_CLASS}-frame")
        self.result_column = widgets.VBox([*engine_controls, frame, self.result_note])
        stage = widgets.HBox(
            # The canvas column is as wide as the canvas: the class legend wraps under it instead of widening
            # the column (as one ~790 px line it pushed the result below the sketch on a 1280 px laptop).
            [widgets.VBox([self.canvas, self.hover, self.legend], layout=self._picture_layout()), self.result_column],
            layout=widgets.Layout(flex_flow="row wrap"),
        )
        stage.add_class(f"{ROOT_CLASS}-stage")
        super().__init__(
            [
                widgets.HTML(LAYOUT_CSS + guard_html(ROOT_CLASS)),
                self.button_css,
                widgets.HBox(list(self.class_buttons.values()), layout=widgets.Layout(flex_flow="row wrap")),
                widgets.HBox(
                    [self.tool, self.brush, self.brush_number, self.distinct_box],
                    layout=widgets.Layout(flex_flow="row wrap"),
                ),
                widgets.HBox(
                    [self.undo_button, self.redo_button, self.clear_button, self.generate_button, self.live],
                    layout=widgets.Layout(flex_flow="row wrap"),
                ),
                stage,
                widgets.HBox(
                    [self.path, self.save_button, self.load_button, self.upload],
                    layout=widgets.Layout(flex_flow="row wrap"),
                ),
                self.status,
            ]
        )
        self.add_class(ROOT_CLASS)
        self.refresh()

    def _picture_layout(self) -> widgets.Layout:
        # A fixed width that gives way on a narrow page; the height follows the picture's aspect ratio.
        return widgets.Layout(width=f"{self.display_width}px", max_width="100%", height="auto")

    def _connect_pointer(self) -> None:
        self.canvas.on_mouse_down(lambda x, y: self._safely(self._on_down, x, y, redraw=False))
        self.canvas.on_mouse_move(lambda x, y: self._safely(self._on_move, x, y, redraw=False))
        self.canvas.on_mouse_up(lambda x, y: self._safely(self._on_up, x, y, redraw=False))
        self.canvas.on_mouse_out(lambda x, y: self._safely(self._on_out, x, y, redraw=False))
        self.canvas.on_key_down(lambda key, shift, ctrl, meta: self._safely(self._on_key, key, shift, ctrl or meta))
        if hasattr(self.canvas, "on_touch_start"):  # tablets
            self.canvas.on_touch_start(lambda touches: self._on_touch(self._on_down, touches))
            self.canvas.on_touch_move(lambda touches: self._on_touch(self._on_move, touches))
            self.canvas.on_touch_end(lambda touches: self._on_out())

    @staticmethod
    def _on_touch(handler, touches) -> None:
        """A touch is the first finger's pointer; a touch list can arrive empty."""
        if touches:
            handler(*touches[0])

    def _class_buttons(self) -> dict[int, widgets.Button]:
        buttons = {}
        for entry in sketch_palette():
            b = widgets.Button(
                description=entry.name,
                tooltip=f"{entry.name} (ADE20K value {entry.value})",
                layout=widgets.Layout(width="auto", min_width="72px"),
            )
            b.on_click(lambda _b, v=entry.value: self._safely(self.choose_class, v, redraw=False))
            b.add_class(f"playground-class-{entry.name.replace(' ', '-')}")
            buttons[entry.value] = b
        return buttons

    def _make_controls(self, h: int, w: int, save_path: str) -> None:
        self.tool = widgets.ToggleButtons(
            options=[("Brush", "brush"), ("Fill", "fill"), ("Eraser", "eraser")],
            value="brush",
            tooltips=["paint with the chosen class", "fill an area of one class", "paint the background back"],
        )
        self.tool.observe(lambda ch: self._safely(self.pad.set_tool, ch["new"], redraw=False), names="value")
        largest = max(8, min(h, w) // 4)
        # The size is typed into a number box, not the slider's readout: that readout is an editable
        # <div>, which a drag from the cell's margin across the painter selected in JupyterLab whatever
        # the widget's CSS said; a box's value is never part of a page selection.
        self.brush = widgets.IntSlider(
            value=self.pad.brush_size, min=1, max=largest, description="Brush size:", readout=False
        )
        self.brush_number = widgets.BoundedIntText(
            value=self.pad.brush_size, min=1, max=largest, layout=widgets.Layout(width="64px")
        )
        widgets.link((self.brush, "value"), (self.brush_number, "value"))
        self.brush.observe(lambda ch: self._safely(self.pad.set_brush_size, ch["new"], redraw=False), names="value")
        self.live = widgets.Checkbox(value=False, description="Regenerate after each stroke", indent=False)
        self.distinct_box = widgets.Checkbox(value=self.distinct, description="Easy-to-tell colours", indent=False)
        tip = "on screen only: untick for ADE20K's own colours; the label map and the saved file always keep ADE20K's"
        setattr(self.distinct_box, "tooltip" if self.distinct_box.has_trait("tooltip") else "description_tooltip", tip)
        self.distinct_box.observe(lambda ch: self._safely(self.show_distinct_colors, ch["new"]), names="value")
        self.path = widgets.Text(value=save_path, description="File:", layout=widgets.Layout(width="340px"))
        self.upload = widgets.FileUpload(accept=".png", multiple=False, description="Upload PNG")
        self.upload.observe(self._on_upload, names="value")
        self.status = widgets.HTML()

        def button(text, icon, tip, action):
            return tool_button(ROOT_CLASS, text, icon, tip, lambda: self._safely(action))

        self.undo_button = button("Undo", "undo", "undo the last stroke (Ctrl+Z on the canvas)", self.undo)
        self.redo_button = button("Redo", "repeat", "redo what was undone (Ctrl+Shift+Z or Ctrl+Y)", self.redo)
        self.clear_button = button("Clear", "eraser", "start again from a blank sketch", self.clear)
        self.generate_button = button("Generate", "magic", "turn the sketch into a picture", self.generate)
        self.generate_button.button_style = "success"
        self.save_button = button("Save PNG", "save", "save the sketch as a colour PNG", self.save_png)
        self.load_button = button("Load PNG", "folder-open", "load a colour PNG sketch", self.load_png)

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

    def generate(self) -> np.ndarray | None:
        """Generate a picture from the sketch; an empty sketch gets a hint instead of a smear."""
        if self.pad.is_blank() and self.pad.generate_fn is not None:
            self._asked_on_empty = True
            self._say("nothing to generate from yet", error=True)
            return None
        self._say("generating…")
        self._set_generating(True)
        try:
            result = self.pad.generate()
        finally:
            self._set_generating(False)
        self.result_view.value = png_bytes(result)
        self.result_is_stale = False
        self._message, self._error = "generated", False
        self.refresh()
        return result

    def side_by_side(self) -> np.ndarray:
        return self.pad.side_by_side()

    def class_counts(self) -> dict[str, int]:
        return self.pad.class_counts()

    def save_png(self, path: str | os.PathLike | None = None) -> Path:
        saved = self.pad.save_png(path or self.path.value)
        self._message, self._error = f"saved {saved}", False
        self.refresh()
        return saved

    def load_png(self, path: str | os.PathLike | None = None) -> str:
        summary = self.pad.load_png(path or self.path.value)
        self._message, self._error = f"loaded {path or self.path.value}: {summary}", False
        self._after_change()
        return summary

    def show_distinct_colors(self, distinct: bool = True) -> None:
        """Draw with the distinct display palette (or ADE20K's again); the label map is untouched."""
        self.distinct = bool(distinct)
        if self.distinct_box.value != self.distinct:
            self.distinct_box.value = self.distinct
        self.button_css.value = class_button_css(self.distinct)
        self._update_buttons()
        self.refresh()

    def shown_colors(self) -> np.ndarray:
        """The sketch as the canvas shows it, HxWx3 uint8: ADE20K colours, or the distinct palette."""
        return display_palette(self.distinct)[self.pad.labels]

    # ----------------------------------------------------------------- pointer and keys
    def _on_down(self, x: float, y: float) -> None:
        what = self.pad.pointer_down(x, y)
        if what == "filled":
            self._after_change()
            return
        with hold(self.canvas):  # one message to the browser per event
            self.sketch_layer.fill_style = hex_color(self.pad_color())
            self.sketch_layer.fill_circle(x, y, self.pad.brush_size / 2)

    def _on_move(self, x: float, y: float) -> None:
        segment = self.pad.pointer_move(x, y)  # None unless the kernel saw the press: no ghost strokes
        with hold(self.canvas):
            if segment is not None:
                (x0, y0), (x1, y1) = segment
                self.sketch_layer.line_cap = "round"
                self.sketch_layer.stroke_style = hex_color(self.pad_color())
                self.sketch_layer.line_width = self.pad.brush_size
                self.sketch_layer.stroke_line(x0, y0, x1, y1)
            self._draw_cursor(x, y)
        if segment is None:
            self._show_hovered(x, y)

    def _on_up(self, x: float | None = None, y: float | None = None) -> None:
        if self.pad.pointer_up(x, y):
            self._after_change()

    def _on_out(self, x: float | None = None, y: float | None = None) -> None:
        self.cursor_layer.clear()
        self._hovered = None
        self.hover.value = ""
        self._on_up(x, y)

    def _on_key(self, key: str, shift: bool, ctrl: bool) -> None:
        action = undo_redo_key(key, shift, ctrl)
        if action == "undo":
            self.undo()
        elif action == "redo":
            self.redo()

    def _draw_cursor(self, x: float, y: float) -> None:
        """The brush's outline under the pointer, on the top layer only."""
        self.cursor_layer.clear()
        if self.pad.tool == "fill":
            return
        radius = max(self.pad.brush_size / 2, 1)
        for color, width in (("white", 3), ("black", 1)):
            self.cursor_layer.stroke_style = color
            self.cursor_layer.line_width = width
            self.cursor_layer.stroke_circle(x, y, radius)

    def _show_hovered(self, x: float, y: float) -> None:
        h, w = self.pad.shape
        col, row = int(x), int(y)
        if not (0 <= col < w and 0 <= row < h):
            return
        value = int(self.pad.labels[row, col])
        if value != self._hovered:  # one message per class change, not per move
            self._hovered = value
            self.hover.value = f"under the cursor: {self._swatch(value)} <b>{escape(self.value_name(value))}</b>"

    def _on_upload(self, change) -> None:
        for name, data in uploaded_files(change["new"]):
            try:
                summary = self.pad.load_image_bytes(data, name)
            except Exception as exc:
                self._say(str(exc), error=True)
                continue
            self._message, self._error = f"loaded {name}: {summary}", False
            self._after_change()
        if change["new"]:
            forget_upload(self.upload)

    def pad_color(self) -> tuple[int, int, int]:
        r, g, b = (int(c) for c in display_palette(self.distinct)[self.pad.paint_value])
        return r, g, b

    # ----------------------------------------------------------------- drawing
    def _after_change(self) -> None:
        if self.pad.result is not None:
            self.result_is_stale = True
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
            self.refresh()
        else:
            self._update_status()

    def refresh(self) -> None:
        with hold(self.canvas):
            self.sketch_layer.put_image_data(opaque_rgba(self.shown_colors()), 0, 0)
        self._update_status()

    def _set_generating(self, running: bool) -> None:
        self.generate_button.disabled = running
        self.generate_button.description = "Generating…" if running else "Generate"
        self.generate_button.icon = "hourglass-half" if running else "magic"
        if running:
            self._note_result("generating…", "#555")

    def _note_result(self, text: str, color: str) -> None:
        self.result_note.value = f"<span style='color:{color}'>{escape(text)}</span>"

    def _show_placeholder(self, html: str | None) -> None:
        """Words over the grey picture, or none once there is a picture."""
        self.placeholder.layout.display = None if html else "none"
        self.placeholder.value = html or ""

    def _update_result_note(self) -> None:
        stale_class = f"{ROOT_CLASS}-stale"
        if self.pad.result is None and self._asked_on_empty and self.pad.is_blank():
            self._show_placeholder("<b>The sketch is empty.</b><br>Paint a few areas, then press Generate.")
            self._note_result("The sketch is empty: paint a few areas first (Fill with sky, then grass...).", "#8a6d00")
        elif self.pad.result is None:
            self._show_placeholder("Press <b>Generate</b> to see a picture here.")
            self._note_result("no picture yet", "#555")
        elif self.result_is_stale:
            self._show_placeholder(None)
            self._note_result("out of date: the sketch changed since this picture (press Generate)", "#b35900")
        else:
            self._show_placeholder(None)
            self._note_result("up to date with the sketch", "#1a7f37")
        if self.pad.result is not None and self.result_is_stale:
            self.result_column.add_class(stale_class)
        else:
            self.result_column.remove_class(stale_class)

    def _update_buttons(self) -> None:
        table = display_palette(self.distinct)
        for value, b in self.class_buttons.items():
            b.icon = "check" if value == self.pad.value else ""
            b.style.button_color = hex_color(table[value])
            if "text_color" in b.style.keys:  # ipywidgets 8; 7 takes the colour from class_button_css
                b.style.text_color = hex_color(text_color_on(table[value]))

    def _swatch(self, value: int) -> str:
        color = hex_color(display_palette(self.distinct)[value])
        return (
            f"<span style='display:inline-block;width:12px;height:12px;background:{color};"
            f"border:1px solid #888;vertical-align:middle'></span>"
        )

    def _update_legend(self) -> None:
        total = self.pad.labels.size
        items = []
        for v, n in self._value_counts():
            name = escape(self.value_name(v))
            items.append(f"<span style='white-space:nowrap'>{self._swatch(v)} {name} {100 * n / total:.0f}%</span>")
        self.legend.value = "<div style='line-height:1.6'>in the sketch: " + " &nbsp; ".join(items) + "</div>"

    def value_name(self, value: int) -> str:
        """What a value of the sketch is called on screen (the class; the lines mode says ink or paper)."""
        return class_name(value)

    def _value_counts(self) -> list[tuple[int, int]]:
        values, counts = np.unique(self.pad.labels, return_counts=True)
        return sorted(zip(values.tolist(), counts.tolist()), key=lambda vc: -vc[1])

    def _update_status(self) -> None:
        self._update_buttons()
        self._update_legend()
        self._update_result_note()
        current = self.value_name(self.pad.value)
        line = f"<b>{self.pad.tool}</b> with <b>{escape(current)}</b> · size {self.pad.brush_size}"
        if self._message:
            color = "#c62828" if self._error else "#1a7f37"
            line += f" · <span style='color:{color}'>{escape(self._message)}</span>"
        self.status.value = line

    def _say(self, text: str, error: bool = False) -> None:
        """Replace the last message (an error never sits beside an old success note)."""
        self._message, self._error = text, error
        self._update_status()
