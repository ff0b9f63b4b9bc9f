"""The painter's logic (events -> label map), palette, fill, undo/redo, PNG in/out, and its widget glue."""

from __future__ import annotations

from collections import deque

import numpy as np
import pytest
from PIL import Image

from playground_lib import labels as L
from playground_lib.canvas_compat import uploaded_files
from playground_lib.painter import Sketchpad, flood_region, sketch_palette
from playground_lib.painter.widget import Painter

GRASS, TREE, SKY, SAND = (L.ade20k_value(n) for n in ("grass", "tree", "sky", "sand"))


def fake_generator(calls=None):
    """Stands in for SPADE: colours the map, and counts how often it was asked."""

    def generate(labels):
        assert labels.dtype == np.uint8 and labels.ndim == 2
        if calls is not None:
            calls.append(labels.copy())
        return L.labels_to_colors(labels)[:, :, ::-1].copy()

    return generate


def reference_flood(labels, x, y):
    h, w = labels.shape
    mask = np.zeros_like(labels, dtype=bool)
    queue = deque([(y, x)])
    mask[y, x] = True
    while queue:
        r, c = queue.popleft()
        for nr, nc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
            if 0 <= nr < h and 0 <= nc < w and not mask[nr, nc] and labels[nr, nc] == labels[y, x]:
                mask[nr, nc] = True
                queue.append((nr, nc))
    return mask


def test_palette_has_every_schema_class_in_ade20k_colours_and_other_last():
    entries = sketch_palette()
    assert [e.name for e in entries[:-1]] == [c.name for c in L.playground_classes()]
    assert entries[-1].name == "other" and entries[-1].value == 0
    for e in entries:
        assert tuple(L.palette()[e.value]) == e.color
        assert L.class_name(e.value) == e.name


def test_a_blank_sketch_holds_the_background_and_the_eraser_paints_it_back():
    pad = Sketchpad((40, 60))
    assert pad.labels.shape == (40, 60) and pad.labels.dtype == np.uint8 and pad.is_blank()
    pad.paint_stroke([(5, 20), (55, 20)], "grass", size=8)
    assert (pad.labels[20, 5:55] == GRASS).all()
    pad.set_tool("eraser")
    pad.paint_stroke([(0, 20), (59, 20)], size=10)
    assert pad.is_blank() and (pad.labels == L.OTHER).all()

    on_grass = Sketchpad(32, background="grass")
    assert (on_grass.labels == GRASS).all()
    on_grass.paint_stroke([(4, 4), (20, 4)], "sand", size=4)
    on_grass.set_tool("eraser")
    on_grass.paint_stroke([(0, 4), (31, 4)], size=8)
    assert (on_grass.labels == GRASS).all()


def test_a_stroke_is_a_thick_round_ended_line_of_the_brush_width():
    pad = Sketchpad(100)
    pad.paint_stroke([(20.5, 50.5), (80.5, 50.5)], "tree", size=9)
    column = pad.labels[:, 50]
    painted_rows = np.nonzero(column == TREE)[0]
    assert painted_rows.min() >= 45 and painted_rows.max() <= 55 and 8 <= len(painted_rows) <= 10
    assert pad.labels[50, 16] == TREE  # the round cap reaches past the end point
    assert pad.labels[50, 10] == 0 and pad.labels[30, 50] == 0
    dot = Sketchpad(100)
    dot.paint_stroke([(50, 50)], "tree", size=20)
    area = int((dot.labels == TREE).sum())
    assert abs(area - np.pi * 10**2) < 0.12 * np.pi * 10**2


def test_mouse_events_paint_only_while_the_button_is_down():
    pad = Sketchpad(64)
    pad.set_class("sand")
    assert pad.pointer_move(10, 10) is None and pad.is_blank()  # hovering paints nothing
    assert pad.pointer_down(10, 10) == "stroke" and pad.drawing
    assert pad.pointer_move(30, 10) == ((10.0, 10.0), (30.0, 10.0))
    assert pad.pointer_up(30, 40)
    assert not pad.drawing and not pad.pointer_up()
    assert (pad.labels[10, 10:30] == SAND).all() and (pad.labels[10:40, 30] == SAND).all()
    assert pad.pointer_move(50, 50) is None and pad.labels[50, 50] == 0


def test_fill_takes_the_4_connected_region_of_one_class_like_a_pixel_by_pixel_flood():
    rng = np.random.default_rng(0)
    for trial in range(20):
        blocks = rng.integers(0, 3, size=(12, 15)).astype(np.uint8)
        labels = np.kron(blocks, np.ones((3, 2), dtype=np.uint8))[: 30 + trial, :]
        y, x = int(rng.integers(0, labels.shape[0])), int(rng.integers(0, labels.shape[1]))
        assert np.array_equal(flood_region(labels, x, y), reference_flood(labels, x, y)), trial


def test_fill_does_not_leak_through_a_closed_stroke_and_reports_what_changed():
    pad = Sketchpad(64)
    pad.paint_stroke([(10, 10), (50, 10), (50, 50), (10, 50), (10, 10)], "fence", size=3)
    inside = pad.fill(30, 30, "sand")
    assert pad.labels[30, 30] == SAND and pad.labels[2, 2] == 0 and pad.labels[60, 60] == 0
    assert inside == int((pad.labels == SAND).sum()) > 1000
    assert pad.fill(30, 30, "sand") == 0  # already sand: nothing changes, nothing to undo
    pad.undo()
    assert not (pad.labels == SAND).any()
    with pytest.raises(ValueError, match="outside"):
        pad.fill(70, 3)


def test_undo_and_redo_walk_back_and_forth_through_strokes_fills_and_clear():
    pad = Sketchpad(32)
    states = [pad.labels.copy()]
    pad.paint_stroke([(5, 5), (25, 5)], "grass", size=4)
    states.append(pad.labels.copy())
    pad.fill(16, 20, "sky")
    states.append(pad.labels.copy())
    pad.clear()
    states.append(pad.labels.copy())
    for expected in reversed(states[:-1]):
        assert pad.undo() and np.array_equal(pad.labels, expected)
    assert not pad.undo()
    for expected in states[1:]:
        assert pad.redo() and np.array_equal(pad.labels, expected)
    assert not pad.redo()
    pad.undo()
    pad.paint_stroke([(1, 1)], "tree", size=2)  # a new change drops the redo branch
    assert not pad.redo()


def test_save_png_writes_ade20k_colours_and_load_png_reads_them_back(tmp_path):
    pad = Sketchpad(48)
    pad.fill(0, 0, "sky")
    pad.paint_stroke([(0, 30), (47, 30)], "grass", size=20)
    pad.paint_stroke([(24, 10), (24, 40)], "tree", size=5)
    path = pad.save_png(tmp_path / "sketch.png")
    rgb = np.asarray(Image.open(path).convert("RGB"))
    assert np.array_equal(rgb, L.labels_to_colors(pad.labels))
    other = Sketchpad(48)
    other.load_png(path)
    assert np.array_equal(other.labels, pad.labels)
    bigger = Sketchpad(96)
    bigger.load_png(path)  # a different size is scaled to fit, nearest neighbour: no new classes
    assert set(np.unique(bigger.labels)) == set(np.unique(pad.labels))
    assert not list(tmp_path.glob(".*.tmp"))


def test_loading_a_png_of_unknown_colours_names_the_file_and_keeps_the_sketch(tmp_path):
    pad = Sketchpad(16)
    pad.paint_stroke([(3, 3)], "tree", size=4)
    before = pad.labels.copy()
    bad = tmp_path / "soft_edges.png"
    Image.fromarray(np.full((16, 16, 3), 123, dtype=np.uint8)).save(bad)
    with pytest.raises(ValueError, match="soft_edges.png.*match no class colour"):
        pad.load_png(bad)
    with pytest.raises(FileNotFoundError, match="missing.png"):
        pad.load_png(tmp_path / "missing.png")
    assert np.array_equal(pad.labels, before)


def test_generate_passes_the_label_map_and_checks_what_comes_back():
    calls = []
    pad = Sketchpad(24, generate=fake_generator(calls))
    pad.fill(0, 0, "grass")
    out = pad.generate()
    assert len(calls) == 1 and (calls[0] == GRASS).all() and out.shape == (24, 24, 3)
    assert pad.side_by_side(gap=4).shape == (24, 52, 3)
    with pytest.raises(RuntimeError, match="no generator"):
        Sketchpad(8).generate()
    with pytest.raises(ValueError, match="HxWx3 uint8"):
        Sketchpad(8, generate=lambda labels: labels.astype(np.float32)).generate()


def test_unknown_class_tool_and_size_are_refused_clearly():
    pad = Sketchpad(8)
    with pytest.raises(KeyError, match="spaceship"):
        pad.set_class("spaceship")
    with pytest.raises(ValueError, match="unknown tool"):
        pad.set_tool("spray")
    with pytest.raises(ValueError, match="at least 1"):
        pad.set_brush_size(0)
    pad.set_class(L.ade20k_value("road"))  # any ADE20K value works, not only the schema's
    assert pad.value == L.ade20k_value("road")


def test_the_widget_turns_mouse_events_into_the_label_map_and_regenerates_live():
    calls = []
    painter = Painter(64, generate=fake_generator(calls), display=128)
    assert painter.canvas.width == 64 and painter.canvas.layout.width == "128px"
    painter.class_buttons[TREE].click()
    painter.brush_number.value = 9  # the size typed in the number box beside the slider
    assert painter.brush.value == painter.pad.brush_size == 9
    painter.brush.value = 6
    assert painter.brush_number.value == 6
    painter._on_down(10, 32)
    painter._on_move(30, 32)
    painter._on_move(50, 32)
    painter._on_up(50, 32)
    assert (painter.labels[32, 10:50] == TREE).all()
    painter.tool.value = "fill"
    painter.class_buttons[SKY].click()
    painter._on_down(5, 5)
    assert painter.labels[5, 5] == SKY and painter.labels[60, 60] == SKY and painter.labels[32, 30] == TREE
    assert not calls
    painter.live.value = True
    painter.tool.value = "brush"
    painter._on_down(20, 50)
    painter._on_up(40, 50)
    assert len(calls) == 1 and np.array_equal(calls[0], painter.labels)
    painter.undo_button.click()
    assert painter.labels[50, 30] == SKY and len(calls) == 2
    painter.generate_button.click()
    assert painter.result_view.value[:4] == b"\x89PNG"
    assert "generated" in painter.status.value
    painter.tool.value = "eraser"
    painter.class_buttons[GRASS].click()  # picking a class leaves the eraser
    assert painter.tool.value == "brush" and painter.pad.tool == "brush" and painter.pad.value == GRASS


def test_widget_errors_show_in_the_status_line_instead_of_vanishing(tmp_path):
    painter = Painter(16)
    painter.generate_button.click()
    assert "no generator" in painter.status.value
    painter.path.value = str(tmp_path / "nope.png")
    painter.load_button.click()
    assert "nope.png" in painter.status.value


def test_uploads_are_read_in_ipywidgets_7_and_8_formats():
    v7 = {"a.png": {"metadata": {"name": "a.png"}, "content": b"abc"}}
    v8 = ({"name": "a.png", "type": "image/png", "size": 3, "content": memoryview(b"abc")},)
    assert uploaded_files(v7) == uploaded_files(v8) == [("a.png", b"abc")]
    assert uploaded_files(()) == uploaded_files({}) == []


def test_a_sketch_from_a_paint_program_with_soft_edges_loads_by_nearest_class_colour(tmp_path):
    clean = Sketchpad(64)
    clean.fill(0, 0, "sky")
    clean.paint_stroke([(0, 48), (63, 48)], "grass", size=32)
    soft = clean.colors().astype(np.int16)
    soft[31:34] = (soft[31:34] + soft[29:32]) // 2  # anti-aliased blend along the horizon
    soft = np.clip(soft + np.random.default_rng(0).integers(-6, 7, soft.shape), 0, 255).astype(np.uint8)
    path = tmp_path / "from_krita.png"
    Image.fromarray(soft).save(path)
    pad = Sketchpad(64)
    summary = pad.load_png(path)
    assert "snapped" in summary
    assert set(np.unique(pad.labels)) == {SKY, GRASS}
    assert (pad.labels != clean.labels).sum() <= 64  # at most the blended row differs


def test_uploaded_bytes_load_like_files_and_bad_ones_are_named(tmp_path):
    import io

    source = Sketchpad(32)
    source.fill(0, 0, "sand")
    buffer = io.BytesIO()
    Image.fromarray(source.colors()).save(buffer, format="PNG")
    painter = Painter(32)
    painter._on_upload({"new": ({"name": "mine.png", "content": memoryview(buffer.getvalue())},)})
    assert (painter.labels == SAND).all() and "loaded mine.png" in painter.status.value
    painter._on_upload({"new": {"junk.png": {"metadata": {}, "content": b"not a png"}}})
    assert "junk.png: not a readable image" in painter.status.value and (painter.labels == SAND).all()


def test_the_canvas_gets_lossless_rgba_in_exactly_the_shown_colours(monkeypatch):
    from ipycanvas.utils import binary_image

    painter = Painter(32, distinct=False)  # ADE20K on screen: path and rock 14 RGB units apart, what JPEG would smear
    painter.paint_stroke([(2, 16), (30, 16)], "path", size=6)
    painter.paint_stroke([(16, 2), (16, 30)], "rock", size=6)  # 14 RGB units from path in ADE20K
    sent = []
    monkeypatch.setattr(painter.sketch_layer, "put_image_data", lambda array, x, y: sent.append(array))
    painter.refresh()
    (array,) = sent
    assert array.shape == (32, 32, 4) and (array[..., 3] == 255).all()
    assert np.array_equal(array[..., :3], painter.shown_colors())
    encoded = binary_image(array)  # what ipycanvas sends: PNG for RGBA, never JPEG
    assert encoded[:4] == b"\x89PNG"
    decoded = np.asarray(Image.open(__import__("io").BytesIO(encoded)).convert("RGB"))
    assert np.array_equal(decoded, L.labels_to_colors(painter.labels))


def test_moves_without_a_press_never_paint_and_every_exit_ends_the_stroke():
    painter = Painter(64)
    drawn = []
    painter.sketch_layer.stroke_line = lambda *a: drawn.append(a)
    painter._on_move(10, 10)
    painter._on_move(50, 50)
    assert painter.pad.is_blank() and not drawn  # the outline moved on its own layer only
    painter._on_down(10, 32)
    painter._on_move(30, 32)
    assert painter.pad.drawing and len(drawn) == 1
    painter._on_out(63, 32)  # left the canvas, or a cancelled pointer reported as mouse-out
    assert not painter.pad.drawing
    painted = painter.labels.copy()
    painter._on_move(40, 10)
    painter._on_up(40, 60)
    assert np.array_equal(painter.labels, painted)


def test_ctrl_z_undoes_and_ctrl_shift_z_or_ctrl_y_redo():
    painter = Painter(32)
    painter.paint_stroke([(2, 16), (30, 16)], "grass", size=4)
    painter._on_key("z", False, True)
    assert painter.pad.is_blank()
    painter._on_key("Z", True, True)
    assert not painter.pad.is_blank()
    painter._on_key("z", False, True)
    painter._on_key("y", False, True)
    assert not painter.pad.is_blank()
    painter._on_key("z", False, False)  # a plain z is not a command
    assert not painter.pad.is_blank()


def test_the_result_panel_shows_placeholder_progress_staleness_and_empty_sketch_hint():
    seen_while_running = []

    def generate(labels):
        seen_while_running.append((painter.generate_button.disabled, painter.generate_button.description))
        return L.labels_to_colors(labels)

    painter = Painter(32, generate=generate)
    placeholder = Image.open(__import__("io").BytesIO(painter.result_view.value))
    assert placeholder.size == (32, 32) and "no picture yet" in painter.result_note.value
    assert len(np.unique(np.asarray(placeholder))) == 1, "words belong over the picture as page text, not in it"
    assert "Generate" in painter.placeholder.value and painter.placeholder.layout.display != "none"
    assert painter.generate() is None and not seen_while_running  # blank: a hint, no purple smear
    assert "empty" in painter.result_note.value and "empty" in painter.placeholder.value
    painter.paint_stroke([(2, 16), (30, 16)], "grass", size=4)
    painter.generate()
    assert seen_while_running == [(True, "Generating…")]
    assert not painter.generate_button.disabled and painter.generate_button.description == "Generate"
    assert "up to date" in painter.result_note.value and painter.placeholder.layout.display == "none"
    painter.paint_stroke([(16, 2), (16, 30)], "tree", size=4)
    assert "out of date" in painter.result_note.value
    assert "playground-painter-stale" in painter.result_column._dom_classes
    painter._safely(painter.load_png, "no/such.png")
    assert "not found" in painter.status.value and "generated" not in painter.status.value


def test_a_distinct_display_palette_changes_the_screen_only(tmp_path):
    from playground_lib.painter.display import DISTINCT_COLORS, contrast_ratio, display_palette, text_color_on

    painter = Painter(32)
    painter.paint_stroke([(2, 10), (30, 10)], "path", size=6)
    painter.paint_stroke([(2, 24), (30, 24)], "rock", size=6)
    labels = painter.labels.copy()
    painter.distinct_box.value = True
    assert np.array_equal(painter.labels, labels)
    shown = painter.shown_colors()
    path, rock = shown[10, 16].astype(int), shown[24, 16].astype(int)
    assert np.abs(path - rock).sum() > 100
    saved = np.asarray(Image.open(painter.save_png(tmp_path / "s.png")).convert("RGB"))
    assert np.array_equal(saved, L.labels_to_colors(labels))
    for distinct in (False, True):
        table = display_palette(distinct)
        for entry in sketch_palette():
            assert contrast_ratio(table[entry.value], text_color_on(table[entry.value])) >= 4.5, entry.name
    assert set(DISTINCT_COLORS) == {e.name for e in sketch_palette()}
    assert "in the sketch:" in painter.legend.value and "rock" in painter.legend.value


def test_the_page_side_guard_handles_cancel_drag_and_selection():
    from playground_lib.canvas_guard import guard_html

    html = guard_html("playground-painter")
    assert 'onerror="' in html and "<script" not in html  # scripts in widget HTML never run
    for event in ("pointercancel", "lostpointercapture", "dragstart", "selectstart", "removeAllRanges"):
        assert event in html
    assert "user-select: none" in html


def test_the_screen_tells_classes_apart_by_default_and_the_file_keeps_ade20k(tmp_path):
    """A plaything (255,0,31) on a path (255,31,0) is nearly invisible in ADE20K's colours: not by default."""
    painter = Painter(32)
    painter.paint_stroke([(2, 10), (30, 10)], "path", size=6)
    painter.paint_stroke([(16, 2), (16, 30)], "plaything", size=4)
    shown = painter.shown_colors().astype(int)
    assert np.abs(shown[10, 4] - shown[10, 16]).sum() > 100  # path beside plaything, on screen
    tool_row = next(c for c in painter.children if painter.tool in getattr(c, "children", ()))
    assert painter.distinct_box in tool_row.children  # one click away, above the canvas
    saved = np.asarray(Image.open(painter.save_png(tmp_path / "s.png")).convert("RGB"))
    assert np.array_equal(saved, L.labels_to_colors(painter.labels))
    painter.distinct_box.value = False
    assert np.array_equal(painter.shown_colors(), L.labels_to_colors(painter.labels))
