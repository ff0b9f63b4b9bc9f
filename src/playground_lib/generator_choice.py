"""Which generator paints: the weights the user pointed at, else the official model, else the bundled one.

The sources, in order: a file or folder the participant or facilitator has (``weights``, else
``$PLAYGROUND_SPADE_WEIGHTS``: a local path, a Drive path in Colab, an uploaded file), the official
weights kept in the cache, a link a facilitator shares (``weights_url``, else
``$PLAYGROUND_SPADE_WEIGHTS_URL``), NVlabs' own archive on Google Drive (``allow_download``), and
last the small bundled model. A source that fails prints one paragraph (what happened, what to
do) and the next is tried; which generator paints is always said.

This policy needs both the download machinery (``weights``) and the loader (``spade.loading``);
living apart from both, it lets ``weights`` use the generator file format without the loader
ever importing ``weights``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from . import weights as official
from .spade.loading import BUNDLED_WEIGHTS, LoadedGenerator, load_generator


def choose_generator(
    weights: str | os.PathLike | None = None,
    allow_download: bool = False,
    weights_url: str | None = None,
    names: official.SettingNames = official.ENV_NAMES,
    fall_back: bool = True,
) -> LoadedGenerator:
    """The best generator at hand, saying which and why (see the module's docstring for the order).

    ``names``: how the reader sets each source (notebook parameters, command-line options or
    environment variables), so that a message says what to do in their words. ``fall_back=False``
    (a command line): a file or link given as an argument that fails raises ``WeightsUnavailable``
    instead of giving way to the next source (the environment's still do).
    """
    weights, weights_url = _setting(weights), _setting(weights_url)  # a notebook's "" is "not set"
    path = weights if weights is not None else _setting(os.environ.get(official.PATH_ENV))
    url = weights_url if weights_url is not None else _setting(os.environ.get(official.URL_ENV))
    sources: list[tuple[bool, Callable[[], Path | None]]] = []  # (named here, not in the environment; source)
    if path is not None:
        sources.append((weights is not None, lambda: official.given_weights(path, names=names)))
    sources.append((False, official.cached_generator))
    if url is not None:
        sources.append((weights_url is not None, lambda: official.official_from_url(str(url), names=names)))
    if allow_download:
        sources.append((False, lambda: official.ensure_official_weights(names=names)))
    for named, source in sources:
        try:
            found = source()
            if found is not None:
                return _announce(load_generator(found))
        except (official.WeightsUnavailable, ValueError, OSError) as exc:  # OSError: FileNotFoundError, a failed read
            if named and not fall_back:
                raise official.WeightsUnavailable(str(exc)) from None
            print(exc)
    if not BUNDLED_WEIGHTS.is_file():
        raise FileNotFoundError(
            f"No generator available: the official weights could not be had and the small bundled model is "
            f"missing ({BUNDLED_WEIGHTS}). {official.advice(names)}"
        )
    nothing_asked = path is None and url is None and not allow_download
    note = f" The official weights are not here; {names.how_to_get}." if nothing_asked else ""
    return _announce(load_generator(None), note)


def _setting(value):
    return None if value is None or (isinstance(value, str) and not value.strip()) else value


def _announce(generator: LoadedGenerator, note: str = "") -> LoadedGenerator:
    print(f"Using {generator.description}.{note}")
    return generator
