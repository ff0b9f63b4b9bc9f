"""What both drawing widgets share: ipycanvas and ipywidgets version differences, buttons, keys.

ipycanvas 0.14 batches drawing with ``hold_canvas()`` (no argument; passing the canvas is
deprecated), while older releases wanted the canvas. Colab installs whatever is newest, a
laptop may have an older one; the widgets call :func:`hold` and work with both. A
``FileUpload`` holds its files differently in ipywidgets 7 (Colab) and 8: :func:`uploaded_files`
and :func:`forget_upload` read and empty it in both.
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


def uploaded_files(value) -> list[tuple[str, bytes]]:
    """(name, bytes) of a FileUpload's value, in ipywidgets 7 (a dict) and 8 (a tuple) alike."""
    if not value:
        return []
    if isinstance(value, dict):  # ipywidgets 7: {name: {"metadata": {...}, "content": bytes}}
        return [(name, bytes(item["content"])) for name, item in value.items()]
    return [(item["name"], bytes(item["content"])) for item in value]  # ipywidgets 8


def forget_upload(upload) -> None:
    """Empty a FileUpload so the same file can be chosen again (``value`` is read-only in ipywidgets 7)."""
    try:
        upload.value = ()  # ipywidgets 8
    except Exception:
        with upload.hold_trait_notifications():  # ipywidgets 7 keeps the files in these three traits
            for name, empty in (("metadata", []), ("data", []), ("_counter", 0)):
                if upload.has_trait(name):
                    setattr(upload, name, empty)


def undo_redo_key(key: str, shift: bool, ctrl: bool) -> str | None:
    """``"undo"`` for Ctrl+Z, ``"redo"`` for Ctrl+Shift+Z and Ctrl+Y (Cmd on a Mac counts as Ctrl), else None."""
    if not ctrl:
        return None
    key = key.lower()
    if key == "z":
        return "redo" if shift else "undo"
    return "redo" if key == "y" else None
