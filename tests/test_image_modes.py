"""Photos in unusual modes (16-bit grey, 32-bit, CMYK, palette, grey with alpha) train on their own pixels.

A 16-bit grey PNG used to pass every check, be copied into the SPADE folder, and then be read by
training as 100 % white (PIL's ``convert("RGB")`` clips 16-bit values). Each mode is either
converted to the 8-bit RGB picture a viewer shows, or refused at conversion naming the file.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from playground_lib.cli import main
from playground_lib.coco.from_labelme import labelme_to_coco
from playground_lib.fileio import write_json
from playground_lib.labelme.write import save_labelme
from playground_lib.train import TrainConfig
from playground_lib.train.dataset import SpadeDataset

SIZE = 32
RAMP = np.linspace(0, 1, SIZE * SIZE).reshape(SIZE, SIZE)


def _picture(mode: str) -> tuple[Image.Image, np.ndarray]:
    """An image in ``mode`` and the 8-bit RGB pixels it shows."""
    grey8 = np.round(RAMP * 255).astype(np.uint8)
    if mode == "I;16":
        values = np.round(RAMP * 65535).astype(np.uint16)
        return Image.fromarray(values), np.repeat((values >> 8).astype(np.uint8)[..., None], 3, axis=2)
    rgb = np.stack([grey8, 255 - grey8, np.full_like(grey8, 90)], axis=2)
    if mode == "CMYK":
        image = Image.fromarray(rgb).convert("CMYK")
        return image, np.asarray(image.convert("RGB"))
    if mode == "P":
        image = Image.fromarray(rgb).quantize(16)
        return image, np.asarray(image.convert("RGB"))
    if mode == "LA":
        image = Image.fromarray(np.stack([grey8, np.full_like(grey8, 200)], axis=2), mode="LA")
        return image, np.repeat(grey8[..., None], 3, axis=2)
    raise AssertionError(mode)


@pytest.mark.parametrize("mode", ["I;16", "CMYK", "P", "LA"])
def test_trained_on_pixels_match_the_picture(tmp_path, mode):
    folder = tmp_path / "labelme"
    folder.mkdir()
    image, shown = _picture(mode)
    suffix = ".jpg" if mode == "CMYK" else ".png"
    image.save(folder / f"photo{suffix}", quality=100) if suffix == ".jpg" else image.save(folder / f"photo{suffix}")
    if mode == "CMYK":  # JPEG is lossy: what it shows is what it decodes to
        with Image.open(folder / "photo.jpg") as stored:
            shown = np.asarray(stored.convert("RGB"))
    shape = {"label": "grass", "points": [[0, 0], [SIZE, SIZE]], "shape_type": "rectangle"}
    save_labelme(folder / "photo.json", f"photo{suffix}", (SIZE, SIZE), [shape])
    coco = write_json(tmp_path / "coco.json", labelme_to_coco(folder, progress=False))
    assert main(["coco2spade", str(coco), str(folder), str(tmp_path / "spade"), "--val", "0", "--quiet"]) == 0
    cfg = TrainConfig(data_dir=str(tmp_path / "spade"), load_size=SIZE, crop_size=SIZE, flip=False)
    pixels = SpadeDataset(cfg)[0]["image"]
    trained_on = torch.round((pixels + 1) * 127.5).to(torch.uint8).permute(1, 2, 0).numpy()
    assert np.abs(trained_on.astype(int) - shown.astype(int)).max() <= 1, mode


def test_a_mode_with_no_rgb_meaning_is_refused_at_conversion(tmp_path, capsys):
    folder = tmp_path / "labelme"
    folder.mkdir()
    Image.fromarray(RAMP.astype(np.float32), mode="F").save(folder / "photo.tif")
    shape = {"label": "grass", "points": [[0, 0], [SIZE, SIZE]], "shape_type": "rectangle"}
    save_labelme(folder / "photo.json", "photo.tif", (SIZE, SIZE), [shape])
    assert main(["labelme2coco", str(folder), str(tmp_path / "c.json"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "photo" in err and "floating-point" in err, err
    assert not (tmp_path / "c.json").exists()
