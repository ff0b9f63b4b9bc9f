"""The participant's own photos: checked, copied into the annotation folder, shown small, annotated full size.

A workshop brings phone photos: JPEGs turned by an EXIF tag, HEIC from iPhones, the odd PNG
screenshot, and now and then a file that is not a picture at all or was cut short while
copying. :func:`add_photos` takes them from an upload (name -> bytes), a folder on a laptop, or
single files, decodes each one completely with Pillow, and copies the good ones into the
annotation folder, where their labelme JSON will be written next to them. Every bad file comes
back as one line, ``NAME: reason``, for the widget to show; nothing raises for a bad photo.

JPEG and PNG files are copied byte for byte: full resolution and the EXIF orientation tag stay,
and labelme (which turns by the tag too) opens the copy exactly as the annotator shows it.
Other formats Pillow reads (HEIC with pillow-heif installed, WebP, TIFF, BMP...) are turned
upright and saved as JPEG or PNG, so every later tool can open them. Annotation points are
always in the full-resolution upright picture's pixels; only :func:`display_pixels`, the
picture on the canvas, is made smaller.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import os
import re
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from ..fileio import write_bytes
from ..labelme.image import SIDEWAYS, exif_orientation

MAX_BYTES = 80 * 2**20  # a 48-megapixel phone JPEG is about 25 MB
MAX_PIXELS = 60_000_000  # Pillow calls twice its 89-megapixel limit a decompression bomb
MIN_SIDE = 16
COPIED_AS_IS = {"JPEG": ".jpg", "MPO": ".jpg", "PNG": ".png"}  # MPO: the JPEG flavour of many phones
HEIC_SUFFIXES = (".heic", ".heif")
SKIPPED_IN_FOLDERS = (".json",)  # labelme files beside photos are not photos

PhotoSource = str | os.PathLike | Mapping[str, bytes] | Iterable[str | os.PathLike | tuple[str, bytes]]


def add_photos(source: PhotoSource, folder: str | os.PathLike) -> tuple[list[Path], list[str]]:
    """Copy the photos of ``source`` into ``folder``; return (their paths there, one ``NAME: reason`` per bad file).

    ``source``: a folder (its files, not its subfolders), one file, a list of files, a mapping
    ``{name: bytes}`` (an upload; Colab's ``files.upload()`` returns one) or a list of
    ``(name, bytes)``. A photo already in ``folder`` with the same bytes is not copied twice;
    another file with the same name gets ``_2``, ``_3``... Nothing half-written is ever left.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    added: list[Path] = []
    problems: list[str] = []
    try:
        items = list(_items(source))
    except (FileNotFoundError, NotADirectoryError) as exc:
        return [], [str(exc)]
    if not items:
        problems.append(f"{source}: no files found")
    for name, read in items:
        try:
            added.append(_add_one(name, read, folder))
        except ValueError as exc:
            problems.append(f"{name}: {exc}")
    return added, problems


def display_pixels(path: str | os.PathLike, size: tuple[int, int]) -> np.ndarray:
    """The upright photo at (width, height) for the canvas, HxWx3 uint8; JPEGs decode at a reduced size."""
    width, height = size
    with Image.open(path) as image:
        if image.format in ("JPEG", "MPO"):
            turned = exif_orientation(image) in SIDEWAYS
            image.draft("RGB", (height, width) if turned else (width, height))  # at least this big
        upright = ImageOps.exif_transpose(image).convert("RGB")
    if upright.size != (width, height):
        smaller = upright.width > width
        upright = upright.resize((width, height), Image.Resampling.LANCZOS if smaller else Image.Resampling.BILINEAR)
    return np.asarray(upright)


def colab_file_picker() -> dict[str, bytes]:
    """Colab's own "Choose files" button (several files at once); only inside Colab."""
    try:
        from google.colab import files
    except ImportError:
        raise RuntimeError(
            "Colab's file picker only works in Google Colab: use the Upload button or a folder path"
        ) from None
    return dict(files.upload())


# ----------------------------------------------------------------------------- one photo
def _add_one(name: str, read, folder: Path) -> Path:
    data = read()
    if len(data) > MAX_BYTES:
        raise ValueError(f"{len(data) / 2**20:.0f} MB is more than the {MAX_BYTES // 2**20} MB a photo may have")
    image_format, upright = _decode(name, data)
    suffix = COPIED_AS_IS.get(image_format)
    if suffix is None:  # turned upright and stored in a format every later tool reads
        buffer = io.BytesIO()
        if upright.mode in ("RGBA", "LA", "P") or image_format in ("BMP", "TIFF", "GIF"):
            upright.convert("RGBA" if upright.mode in ("RGBA", "LA") else "RGB").save(buffer, format="PNG")
            suffix = ".png"
        else:
            upright.convert("RGB").save(buffer, format="JPEG", quality=95)
            suffix = ".jpg"
        data = buffer.getvalue()
    return _place(_safe_stem(name), suffix, data, folder)


def _decode(name: str, data: bytes) -> tuple[str, Image.Image]:
    """Decode every pixel (a cut-short file fails here, not in notebook 02); returns (format, upright picture)."""
    _register_heif()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ValueError(
                    f"{width}x{height} is more than {MAX_PIXELS // 1_000_000} megapixels: make the photo smaller"
                )
            image.load()
    except ValueError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValueError(f"far more than {MAX_PIXELS // 1_000_000} megapixels: make the photo smaller") from None
    except Exception as exc:  # PIL raises many kinds of errors for files that are not pictures
        raise ValueError(_unreadable_reason(name, exc)) from None
    if min(width, height) < MIN_SIDE:
        raise ValueError(f"{width}x{height} pixels is too small to annotate")
    return str(image.format), ImageOps.exif_transpose(image)


def _unreadable_reason(name: str, exc: Exception) -> str:
    text = str(exc)
    if "truncated" in text or "broken data stream" in text or "Truncated" in text:
        return "the file is cut short (an interrupted copy or download?): copy it again"
    if Path(name).suffix.lower() in HEIC_SUFFIXES and not _heif_available():
        return "HEIC photos need the pillow-heif package (pip install pillow-heif), or export the photo as JPEG"
    return "not a picture Pillow can read (JPEG, PNG, WebP, TIFF, BMP; HEIC with pillow-heif)"


def _place(stem: str, suffix: str, data: bytes, folder: Path) -> Path:
    """Write the bytes under a free name in ``folder`` (atomically); the same bytes already there are reused."""
    digest = hashlib.sha256(data).digest()
    for attempt in range(1, 10_000):
        target = folder / f"{stem}{'' if attempt == 1 else f'_{attempt}'}{suffix}"
        if not target.exists():
            return write_bytes(target, data)
        if hashlib.sha256(target.read_bytes()).digest() == digest:
            return target
    raise ValueError(f"too many photos called {stem}{suffix} in {folder}")


def _safe_stem(name: str) -> str:
    """A file name stem that every tool and OS accepts; ``_label``/``_instance`` endings are taken for label maps."""
    stem = re.sub(r"[^\w.-]+", "_", Path(_base_name(name)).stem).strip("._") or "photo"
    stem = stem[:80]
    if stem.endswith(("_label", "_instance")):
        stem += "_photo"
    return stem


def _base_name(name: str) -> str:
    """The last part of a name that may carry a Windows or POSIX folder (browsers send bare names, Colab too)."""
    return re.split(r"[\\/]", name)[-1]


# ----------------------------------------------------------------------------- where photos come from
def _items(source: PhotoSource):
    """(name, read-bytes callable) for every file of ``source``."""
    if isinstance(source, Mapping):
        for name, data in source.items():
            yield str(name), (lambda data=data: bytes(data))
        return
    if isinstance(source, (str, os.PathLike)):
        path = Path(source).expanduser()
        if path.is_dir():
            for child in sorted(path.iterdir()):
                if (
                    child.is_file()
                    and not child.name.startswith(".")
                    and child.suffix.lower() not in SKIPPED_IN_FOLDERS
                ):
                    yield child.name, child.read_bytes
            return
        if not path.exists():
            raise FileNotFoundError(f"{path}: no such file or folder")
        yield path.name, path.read_bytes
        return
    for item in source:
        if isinstance(item, tuple):
            name, data = item
            yield str(name), (lambda data=data: bytes(data))
        else:
            yield from _items(item)


def _register_heif() -> None:
    if _heif_available():
        from pillow_heif import register_heif_opener  # type: ignore[import-not-found,unused-ignore]

        register_heif_opener()


def _heif_available() -> bool:
    return importlib.util.find_spec("pillow_heif") is not None
