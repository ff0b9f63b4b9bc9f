"""Paint a segmentation sketch in the notebook and turn it into a playground picture.

``Sketchpad`` is the logic (mouse events -> numpy label map of ADE20K values; brush, fill,
eraser, undo/redo, PNG in and out) and needs no browser; ``Painter`` is the widget around it.
The generator is injected (``Painter(generate=load_generator(None).generate)``), so nothing
here imports torch. The widget module is imported on first use.
"""

from __future__ import annotations

from .sketchpad import TOOLS, PaletteEntry, Sketchpad, flood_region, sketch_palette

__all__ = ["Painter", "PaletteEntry", "Sketchpad", "TOOLS", "flood_region", "sketch_palette"]


def __getattr__(name):
    if name == "Painter":
        from .widget import Painter

        return Painter
    raise AttributeError(name)
