"""The participant's own photos: checked, copied next to their labelme JSON, shown small, annotated full size."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from playground_lib.annotator import AnnotationSession, photos
from playground_lib.annotator.photos import add_photos, display_pixels
from playground_lib.labelme.check import check_labelme


def photo_bytes(width=120, height=80, fmt="JPEG", orientation=None, seed=0) -> bytes:
    rng = np.random.default_rng(seed)
    pixels = np.zeros((height, width, 3), dtype=np.uint8)
    pixels[: height // 2] = (200, 40, 40)  # red top half: which way is up can be checked
    pixels[height // 2 :] = rng.integers(0, 80, size=(height - height // 2, width, 3), dtype=np.uint8)
    image = Image.fromarray(pixels)
    buffer = io.BytesIO()
    kwargs = {}
    if orientation is not None:
        exif = image.getexif()
        exif[0x0112] = orientation
        kwargs["exif"] = exif
    image.save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


def test_jpeg_and_png_are_copied_byte_for_byte_and_other_formats_become_upright_files(tmp_path):
    turned = photo_bytes(120, 80, "JPEG", orientation=6)  # a phone's portrait photo: shown 80 wide, 120 high
    upload = {
        "IMG 0001.JPG": turned,
        "screenshot.png": photo_bytes(64, 48, "PNG"),
        "lossy.webp": photo_bytes(100, 60, "WEBP", seed=3),
    }
    added, problems = add_photos(upload, tmp_path / "annotations")
    assert problems == []
    assert [p.name for p in added] == ["IMG_0001.jpg", "screenshot.png", "lossy.jpg"]
    assert added[0].read_bytes() == turned and added[1].read_bytes() == upload["screenshot.png"]
    with Image.open(added[2]) as image:
        assert image.format == "JPEG" and image.size == (100, 60)

    session = AnnotationSession(tmp_path / "annotations")
    session.go_to([p.name for p in session.image_paths].index("IMG_0001.jpg"))
    assert (session.state.width, session.state.height) == (80, 120)  # full resolution, upright
    session.add_polygon([(0, 0), (79, 0), (79, 119)], "person")
    saved = session.save()
    item, issues = check_labelme(saved)
    assert issues == [] and (item.height, item.width) == (120, 80)

    small = display_pixels(added[0], (40, 60))  # the canvas gets a smaller picture, still upright
    assert small.shape == (60, 40, 3)
    # After turning 90 degrees clockwise the red half is on the right.
    assert small[:, -8:, 0].mean() > 150 and small[:, :8, 0].mean() < 120


def test_bad_files_come_back_as_one_line_each_and_nothing_is_copied(tmp_path, monkeypatch):
    good = photo_bytes()
    upload = [
        ("notes.txt", b"shopping list"),
        ("cut.jpg", good[: len(good) // 2]),
        ("tiny.png", photo_bytes(8, 8, "PNG")),
        ("ok.jpg", good),
    ]
    added, problems = add_photos(upload, tmp_path / "out")
    assert [p.name for p in added] == ["ok.jpg"]
    assert problems[0].startswith("notes.txt: not a picture Pillow can read")
    assert problems[1].startswith("cut.jpg: the file is cut short")
    assert problems[2] == "tiny.png: 8x8 pixels is too small to annotate"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["ok.jpg"]  # no temp files left

    monkeypatch.setattr(photos, "MAX_PIXELS", 5000)
    added, problems = add_photos({"big.png": photo_bytes(100, 80, "PNG")}, tmp_path / "out")
    assert added == [] and problems == ["big.png: 100x80 is more than 0 megapixels: make the photo smaller"]
    monkeypatch.setattr(photos, "MAX_BYTES", 100)
    added, problems = add_photos({"heavy.jpg": good}, tmp_path / "out")
    assert added == [] and problems[0].startswith("heavy.jpg: 0 MB is more than the 0 MB")


def test_heic_without_its_plugin_is_named_with_the_fix(tmp_path, monkeypatch):
    monkeypatch.setattr(photos, "_heif_available", lambda: False)
    added, problems = add_photos({"IMG_1234.HEIC": b"\x00\x00\x00\x18ftypheic" + bytes(64)}, tmp_path)
    assert added == [] and problems == [
        "IMG_1234.HEIC: HEIC photos need the pillow-heif package (pip install pillow-heif), or export the photo as JPEG"
    ]


def test_names_are_unique_and_the_same_photo_is_not_copied_twice(tmp_path):
    first, second = photo_bytes(seed=1), photo_bytes(seed=2)
    folder = tmp_path / "annotations"
    a, _ = add_photos({"C:\\Users\\me\\park.jpg": first}, folder)
    b, _ = add_photos({"park.jpg": second}, folder)
    c, _ = add_photos({"park.jpg": first}, folder)  # uploaded again: the copy already there
    d, _ = add_photos({"swing_label.png": photo_bytes(fmt="PNG")}, folder)
    assert [p.name for p in a + b + c + d] == ["park.jpg", "park_2.jpg", "park.jpg", "swing_label_photo.png"]
    assert (folder / "park_2.jpg").read_bytes() == second


def test_a_laptop_folder_is_read_without_its_json_and_missing_folders_are_named(tmp_path):
    laptop = tmp_path / "Pictures"
    laptop.mkdir()
    (laptop / "b.png").write_bytes(photo_bytes(fmt="PNG"))
    (laptop / "a.jpg").write_bytes(photo_bytes())
    (laptop / "a.json").write_text("{}")
    (laptop / ".DS_Store").write_bytes(b"\x00")
    (laptop / "readme.md").write_text("hello")
    added, problems = add_photos(laptop, tmp_path / "annotations")
    assert [p.name for p in added] == ["a.jpg", "b.png"]
    assert problems == ["readme.md: not a picture Pillow can read (JPEG, PNG, WebP, TIFF, BMP; HEIC with pillow-heif)"]
    added, problems = add_photos(tmp_path / "nowhere", tmp_path / "annotations")
    assert added == [] and problems == [f"{tmp_path / 'nowhere'}: no such file or folder"]


def test_colab_picker_outside_colab_says_where_it_works():
    with pytest.raises(RuntimeError, match="only works in Google Colab"):
        photos.colab_file_picker()
