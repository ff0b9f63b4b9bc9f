"""What both drawing widgets share: ipycanvas version differences and their buttons.

ipycanvas 0.14 batches drawing with ``hold_canvas()`` (no argument; passing the canvas is
deprecated), while older releases wanted the canvas. Colab installs whatever is newest, a
laptop may have an older one; the widgets call :func:`hold` and work with both.
"""

from __future__ import annotations

import inspect

from ipycanvas import hold_canvas


def hold(canvas):
    """A context manager that sends everything drawn inside it to the browser as one frame."""
    if "canvas" in inspect.signature(hold_canvas).parameters and _needs_canvas():
        return hold_canvas(canvas)
    return hold_canvas()


def _needs_canvas() -> bool:
    try:
        from ipycanvas import __version__
    except ImportError:
        return True
    major, minor = (int(p) for p in __version__.split(".")[:2])
    return (major, minor) < (0, 14)


def tool_button(css_prefix: str, text: str, icon: str, tip: str, on_click):
    """A toolbar button with a stable CSS class (``PREFIX-word``) that the browser checks click."""
    import ipywidgets as widgets

    button = widgets.Button(description=text, icon=icon, tooltip=tip, layout=widgets.Layout(width="auto"))
    button.on_click(lambda _button: on_click())
    button.add_class(f"{css_prefix}-{text.split()[0].lower()}")
    return button
