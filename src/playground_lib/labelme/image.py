"""Photos as labelme shows them: turned upright by their EXIF orientation.

A phone stores a portrait photo as a landscape picture plus a tag saying "turn me". labelme
shows it turned, so every point in a labelme file, and the ``imageHeight/Width`` it writes,
refer to the upright picture. Everything that measures, draws or converts annotated photos
goes through here, so all of them agree on which way is up.
"""

from __future__ import annotations

import os
from typing import IO

import numpy as np
from PIL import Image, ImageOps

ORIENTATION_TAG = 0x0112
SIDEWAYS = (5, 6, 7, 8)  # orientations that turn the picture by a quarter: width and height swap


def exif_orientation(image: Image.Image) -> int:
    """The EXIF orientation tag (1 = upright) without decoding the pixels where possible.

    PIL's ``getexif()`` decodes a whole PNG to look for an EXIF chunk after the pixel data;
    checking the chunk before it (where cameras and PIL put it) keeps a 1,000-file check fast.
    """
    if image.format == "PNG":
        data = image.info.get("exif")
        if not data:
            return 1
        exif = Image.Exif()
        exif.load(data)
        return int(exif.get(ORIENTATION_TAG, 1) or 1)
    return int(image.getexif().get(ORIENTATION_TAG, 1) or 1)


def upright_size(source: str | os.PathLike | IO[bytes]) -> tuple[int, int]:
    """(height, width) of a photo as labelme shows it, read from the header only.

    Raises FileNotFoundError for a missing file and ValueError for one PIL cannot read.
    """
    try:
        with Image.open(source) as image:
            width, height = image.size
            orientation = exif_orientation(image)
    except FileNotFoundError:
        raise
    except Exception as exc:  # PIL raises many kinds of errors for broken files
        raise ValueError(f"not a readable image ({exc})") from exc
    return (width, height) if orientation in SIDEWAYS else (height, width)


def decoded_upright_size(source: str | os.PathLike | IO[bytes]) -> tuple[int, int]:
    """(height, width) as labelme shows the photo, after decoding all of it.

    The header alone says nothing of the rest: a file cut short by a failed copy passes
    :func:`upright_size` and breaks training hours later ("image file is truncated"). Checks
    decode every picture once, here. A JPEG is decoded at an eighth of its size (libjpeg's
    scaled decoding still reads every byte of the file), which is several times faster.
    Raises FileNotFoundError for a missing file and ValueError for one that cannot be decoded.
    """
    try:
        with Image.open(source) as image:
            width, height = image.size
            orientation = exif_orientation(image)
            if image.format == "JPEG":
                image.draft(None, (max(width // 8, 1), max(height // 8, 1)))
            image.load()
            mode = image.mode
    except FileNotFoundError:
        raise
    except Exception as exc:  # PIL raises many kinds of errors for broken files
        raise ValueError(f"not a readable image ({exc})") from exc
    if mode not in READABLE_MODES:  # refused here, at the check, not by training hours later
        kind = " (floating-point)" if mode == "F" else ""
        raise ValueError(f"an image in PIL mode {mode}{kind}, which has no agreed RGB picture; save it as 8-bit RGB")
    return (width, height) if orientation in SIDEWAYS else (height, width)


WIDE_MODES = ("I;16", "I;16L", "I;16B", "I;16N", "I")  # 16-bit grey PNGs open as one of these
READABLE_MODES = {"1", "L", "LA", "La", "P", "PA", "RGB", "RGBA", "RGBa", "RGBX", "CMYK", "YCbCr", *WIDE_MODES}


def as_rgb8(image: Image.Image, name: str = "image") -> Image.Image:
    """The 8-bit RGB picture a viewer shows, whatever the mode: what converters and training read.

    PIL's ``convert("RGB")`` clips 16-bit grey to 255, turning a whole photo white; here its top
    eight bits are kept instead. A floating-point image has no agreed brightness scale: refused.
    """
    if image.mode in WIDE_MODES:
        values = np.asarray(image).astype(np.int64)
        grey = np.clip(values >> 8, 0, 255).astype(np.uint8)  # 16-bit (0..65535) -> 8-bit
        return Image.fromarray(grey).convert("RGB")
    if image.mode == "F":
        raise ValueError(f"{name}: a floating-point image (PIL mode F) has no agreed brightness; save it as 8-bit")
    try:
        return image.convert("RGB")
    except (ValueError, OSError) as exc:
        raise ValueError(f"{name}: images in PIL mode {image.mode} cannot be read as RGB ({exc})") from None


def read_upright_rgb(source: str | os.PathLike | IO[bytes]) -> np.ndarray:
    """A photo (path or file object) as labelme shows it: EXIF rotation applied, HxWx3 uint8.

    Annotation points refer to the upright picture, so every place that draws or converts
    them reads images through here.
    """
    with Image.open(source) as image:
        return np.asarray(as_rgb8(ImageOps.exif_transpose(image), str(getattr(source, "name", source)))).copy()
