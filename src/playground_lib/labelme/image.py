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
    except FileNotFoundError:
        raise
    except Exception as exc:  # PIL raises many kinds of errors for broken files
        raise ValueError(f"not a readable image ({exc})") from exc
    return (width, height) if orientation in SIDEWAYS else (height, width)


def read_upright_rgb(source: str | os.PathLike | IO[bytes]) -> np.ndarray:
    """A photo (path or file object) as labelme shows it: EXIF rotation applied, HxWx3 uint8.

    Annotation points refer to the upright picture, so every place that draws or converts
    them reads images through here.
    """
    with Image.open(source) as image:
        return np.asarray(ImageOps.exif_transpose(image).convert("RGB")).copy()
