"""Annotate photos in the notebook: click polygons, pick labels, save labelme JSON.

``AnnotationSession`` is the logic (events -> polygons -> labelme JSON through
:mod:`playground_lib.labelme`) and needs no browser;
``Annotator`` is the widget around it. ``figures`` holds the sample photos and polygon helpers of notebook 01.
The widget module is imported on first use, so the logic works where ipycanvas is missing.
"""

from __future__ import annotations

from .session import AnnotationSession, ImageAnnotation, find_images

__all__ = ["AnnotationSession", "Annotator", "ImageAnnotation", "find_images"]


def __getattr__(name):
    if name == "Annotator":
        from .widget import Annotator

        return Annotator
    raise AttributeError(name)
