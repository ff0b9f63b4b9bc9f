"""Which generator the painter's Generate button uses, and the words for the one that reads them.

The painter calls a plain ``labels -> picture`` function and knows nothing of engines; this
widget *is* such a function (it passes the label map to SPADE or to the diffusion engine, as
chosen) and also the controls for it, which the painter shows above its result. Without the
diffusion extra or its models there is nothing to choose: ``engine_choice`` then returns SPADE.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..labels_to_image import LabelsToImage

SPADE, DIFFUSION = "spade", "diffusion"


class EngineChoice(widgets.VBox):
    """SPADE or words + sketch, a prompt box and a seed; called with a label map like any generator."""

    def __init__(self, spade: LabelsToImage, diffusion, start_with: str = SPADE, width: str = "448px"):
        self.spade, self.diffusion = spade, diffusion
        self.engine = widgets.ToggleButtons(
            options=[("SPADE: sketch only", SPADE), ("Words + sketch", DIFFUSION)],
            value=start_with,
            tooltips=[
                "the GauGAN generator: quick, no words",
                "Stable Diffusion steered by the sketch: reads the words",
            ],
        )
        settings = diffusion.settings
        self.prompt = widgets.Textarea(
            value=settings.prompt, placeholder="what should the picture show?", layout=widgets.Layout(width=width)
        )
        self.seed = widgets.BoundedIntText(
            value=settings.seed, min=0, max=2**31 - 1, description="Seed:", layout=widgets.Layout(width="180px")
        )
        self.words = widgets.VBox([self.prompt, self.seed])
        self.engine.observe(lambda _change: self._show_words(), names="value")
        super().__init__([self.engine, self.words])
        self.add_class("playground-painter-engine")
        self._show_words()

    def __call__(self, labels: np.ndarray) -> np.ndarray:
        if self.engine.value == SPADE:
            return self.spade(labels)
        self.diffusion.settings = self.diffusion.settings.but(prompt=self.prompt.value.strip(), seed=self.seed.value)
        return self.diffusion(labels)

    def _show_words(self) -> None:
        self.words.layout.display = "" if self.engine.value == DIFFUSION else "none"


def engine_choice(spade: LabelsToImage, diffusion=None, start_with: str = SPADE) -> LabelsToImage:
    """What to hand the painter as ``generate``: SPADE alone, or the choice when diffusion is loaded."""
    return spade if diffusion is None else EngineChoice(spade, diffusion, start_with)
