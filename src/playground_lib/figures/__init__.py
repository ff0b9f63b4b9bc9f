"""Every picture of the series, one module per stage: what the notebooks show and the demo saves.

``show_*`` draws a matplotlib figure and returns it (a notebook displays it); ``write_*`` draws
one into a PNG file. Shared building blocks (the axes grid, a row of titled panels, class colours,
saving) are in ``common``. matplotlib is imported only inside these functions, when a picture is
drawn, so the rest of the library (converters, the trainer's loop) starts without it.
"""
