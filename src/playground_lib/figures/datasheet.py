"""Pictures for notebook 09 (the datasheet): the class-balance chart, and the datasheet as a notebook shows it."""

from __future__ import annotations

import os
from pathlib import Path

from .common import UNKNOWN_LABEL_COLOUR, class_colour, save_figure


def write_class_balance(stats, destination: str | os.PathLike) -> Path:
    """Two bar charts side by side into a PNG: share of pixels and number of objects per class.

    ``stats`` is a ``datasheet.DatasetStats``. A bare ``Figure``, not pyplot: the datasheet is
    written by a command as often as by a notebook.
    """
    from matplotlib.figure import Figure

    classes = stats.classes[::-1]  # largest at the top
    names = [c.name for c in classes]
    colours = [tuple(class_colour(c.value) if c.value is not None else UNKNOWN_LABEL_COLOUR) for c in classes]
    figure = Figure(figsize=(10, max(2.5, 0.35 * len(classes) + 1.2)), layout="constrained")
    left, right = figure.subplots(1, 2, sharey=True)
    left.barh(names, [100 * c.share for c in classes], color=colours, edgecolor="black", linewidth=0.5)
    left.set_xlabel("% of all pixels")
    left.set_title("Which classes cover the pictures")
    right.barh(names, [c.instances for c in classes], color=colours, edgecolor="black", linewidth=0.5)
    right.set_xlabel("objects (instances)")
    right.set_title("How many separate things")
    figure.suptitle(f"Class balance of {stats.name} ({stats.images} images)")
    return save_figure(figure, destination)


def show_datasheet(markdown_path: str | os.PathLike):
    """The datasheet for reading in a notebook, its class-balance plot embedded (relative links break there)."""
    import base64

    from IPython.display import Markdown

    path = Path(markdown_path)
    text = path.read_text(encoding="utf-8")
    plot = path.parent / "class_balance.png"
    if plot.is_file():
        data = base64.b64encode(plot.read_bytes()).decode("ascii")
        text = text.replace("(class_balance.png)", f"(data:image/png;base64,{data})")
    return Markdown(text)
