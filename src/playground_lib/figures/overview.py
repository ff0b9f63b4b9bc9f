"""The picture of notebook 00 (welcome): the series as a pipeline, one box a notebook."""

from __future__ import annotations

from collections.abc import Sequence

STAGES = (
    ("01", "Annotate", "draw polygons on\nplayground photos"),
    ("02", "COCO", "turn labelme files into\na training set"),
    ("03", "Sketch", "paint a segmentation\nmap with a palette"),
    ("04", "Generate", "SPADE turns the sketch\ninto a picture"),
    ("05", "Train", "teach your own GauGAN\non your playgrounds"),
    ("06", "Synthesize", "scenes with perfect\nmasks, no people's photos"),
    ("07", "Event", "a room's sketches become\nthe next background"),
    ("08", "Datasheet", "document who, what\nand how, honestly"),
)


def show_pipeline(stages: Sequence[tuple[str, str, str]] = STAGES):
    """The series as boxes and arrows, one box a notebook. Returns the matplotlib figure."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    per_row = 4
    rows = (len(stages) + per_row - 1) // per_row
    fig, ax = plt.subplots(figsize=(12, 2.6 * rows))
    ax.set_xlim(0, per_row * 3)
    ax.set_ylim(0, rows * 2.6)
    ax.axis("off")
    colours = plt.get_cmap("Set3")
    centres = []
    for i, (number, title, text) in enumerate(stages):
        row, col = divmod(i, per_row)
        col = col if row % 2 == 0 else per_row - 1 - col  # snake, so arrows stay short
        x, y = col * 3 + 0.2, (rows - 1 - row) * 2.6 + 0.4
        ax.add_patch(FancyBboxPatch((x, y), 2.5, 1.7, boxstyle="round,pad=0.05", fc=colours(i % 12), ec="0.3"))
        ax.text(x + 1.25, y + 1.3, f"{number}  {title}", ha="center", va="center", fontsize=12, weight="bold")
        ax.text(x + 1.25, y + 0.6, text, ha="center", va="center", fontsize=9)
        centres.append((x, y))
    for (x0, y0), (x1, y1) in zip(centres, centres[1:]):
        if y0 == y1:
            start, end = (
                ((x0 + 2.55, y0 + 0.85), (x1 - 0.05, y1 + 0.85))
                if x1 > x0
                else ((x0 - 0.05, y0 + 0.85), (x1 + 2.55, y1 + 0.85))
            )
        else:
            start, end = (x0 + 1.25, y0 - 0.05), (x1 + 1.25, y1 + 1.75)
        ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=18, color="0.25"))
    fig.tight_layout()
    return fig
