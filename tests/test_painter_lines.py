"""The painter's lines mode: black ink on white paper, the same strokes, and the drawing handed to the model."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from playground_lib.painter.lines import INK_VALUE, LinePad, line_painter
from playground_lib.pix2pix.edges import DrawingError, read_drawing


def test_a_stroke_is_black_ink_on_white_and_the_eraser_takes_it_away():
    pad = LinePad(32)
    assert pad.is_blank() and (pad.line_drawing() == 255).all()
    pad.paint_stroke([(4, 16), (28, 16)])
    drawing = pad.line_drawing()
    assert set(np.unique(drawing)) == {0, 255} and (drawing[16, 4:28] == 0).all()
    assert (pad.colors()[16, 10] == 0).all() and (pad.colors()[2, 2] == 255).all()
    pad.set_class("tree")  # any class means the one ink
    assert pad.value == INK_VALUE
    pad.set_tool("eraser")
    pad.paint_stroke([(0, 16), (31, 16)], size=8)
    assert pad.is_blank()
    assert pad.undo() and not pad.is_blank()


def test_generate_hands_the_model_the_drawing(tmp_path):
    seen = []

    def model(drawing):
        seen.append(drawing.copy())
        return np.zeros(drawing.shape + (3,), dtype=np.uint8)

    pad = LinePad(24, paint=model)
    pad.paint_stroke([(12, 2), (12, 20)])
    assert pad.generate().shape == (24, 24, 3)
    assert np.array_equal(seen[0], pad.line_drawing())


def test_save_and_load_round_trip_any_picture_as_ink(tmp_path):
    pad = LinePad(32)
    pad.paint_stroke([(3, 3), (28, 28)])
    saved = pad.save_png(tmp_path / "lines.png")
    assert np.array_equal(read_drawing(saved), pad.line_drawing())
    other = LinePad(16)  # another size: scaled to fit
    assert other.load_png(saved).endswith("ink") and not other.is_blank()
    grey = np.full((8, 8), 255, dtype=np.uint8)
    grey[4] = 30  # dark grey from another paint program counts as ink
    Image.fromarray(grey).save(tmp_path / "grey.png")
    other = LinePad(8)
    other.load_png(tmp_path / "grey.png")
    assert (other.line_drawing()[4] == 0).all() and (other.line_drawing()[:4] == 255).all()
    with pytest.raises(DrawingError, match="upload.png: not a readable picture"):
        other.load_image_bytes(b"not a picture", "upload.png")


def test_the_widget_shows_black_on_white_with_one_pen_button():
    painter = line_painter(32, paint=lambda d: np.repeat(d[..., None], 3, axis=2))
    assert list(painter.class_buttons) == [INK_VALUE] and painter.class_buttons[INK_VALUE].description == "pen"
    painter.paint_stroke([(2, 10), (30, 10)])
    shown = painter.shown_colors()
    assert (shown[10, 15] == 0).all() and (shown[0, 0] == 255).all()
    assert painter.pad_color() == (0, 0, 0)
    assert "black ink" in painter.status.value and "ink on" in painter.legend.value
    painter._show_hovered(15, 10)  # over the stroke: the ink, not the class its value has in the colour painter
    assert "<b>black ink</b>" in painter.hover.value
    painter._show_hovered(15, 25)
    assert "<b>paper</b>" in painter.hover.value
    assert painter.generate().shape == (32, 32, 3)
    painter.tool.value = "eraser"
    assert painter.pad_color() == (255, 255, 255)


def test_an_uploaded_transparent_drawing_reads_as_the_same_file_does(tmp_path):
    """Transparent counts as paper for an upload too (it used to load as all ink), and a bad upload is named."""

    rgba = np.zeros((32, 32, 4), dtype=np.uint8)  # transparent everywhere...
    rgba[16, :, 3] = 255  # ...but one opaque black line
    path = tmp_path / "line.png"
    Image.fromarray(rgba).save(path)
    from_file, from_upload = LinePad(32), LinePad(32)
    from_file.load_png(path)
    from_upload.load_image_bytes(path.read_bytes(), name="line.png")
    assert np.array_equal(from_upload.labels, from_file.labels)
    assert (from_upload.labels == INK_VALUE).sum() == 32
    with pytest.raises(DrawingError, match=r"^notes\.txt: not a readable picture"):
        LinePad(32).load_image_bytes(b"not a picture", name="notes.txt")
