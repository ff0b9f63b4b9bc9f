"""Which generator paints when the user has not said: the official model if at hand, else the bundled one.

This policy needs both the download machinery (``weights``) and the loader (``spade.loading``);
living apart from both, it lets ``weights`` use the generator file format without the loader
ever importing ``weights``.
"""

from __future__ import annotations

import os

from . import weights as official
from .spade.loading import BUNDLED_WEIGHTS, LoadedGenerator, load_generator


def choose_generator(weights: str | os.PathLike | None = None, allow_download: bool = False) -> LoadedGenerator:
    """The best generator at hand, saying which: ``weights`` if given (a file or the official archive),
    else the official weights when cached (or downloaded, with ``allow_download``), else the bundled model."""
    if weights is not None:
        return _announce(load_generator(official.ensure_official_weights(weights)))
    try:
        return _announce(load_generator(official.ensure_official_weights(download=allow_download)))
    except official.WeightsUnavailable as exc:
        print(f"Official weights not available: {exc}")
    if BUNDLED_WEIGHTS.is_file():
        return _announce(load_generator(None))
    raise FileNotFoundError(
        "no generator available: the official weights could not be had and the small bundled model is "
        f"missing ({BUNDLED_WEIGHTS}). Pass --weights PATH (latest_net_G.pth or {official.ARCHIVE_NAME})."
    )


def _announce(generator: LoadedGenerator) -> LoadedGenerator:
    print(f"Using {generator.description}.")
    return generator
