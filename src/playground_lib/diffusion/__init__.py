"""Words + sketch: a pretrained Stable Diffusion steered by the sketch through a segmentation ControlNet.

An optional engine beside SPADE (``pip install ".[diffusion]"``). The sketch's label map becomes the
ControlNet's condition image (``condition``), the text prompt and the other knobs are
``settings``, and ``engine`` loads the models (hub ids or local folders) and paints. When the
extra or the weights are missing, everything here says so and the series goes on with SPADE.
"""

from __future__ import annotations

from .settings import DiffusionSettings, ModelChoice

__all__ = ["DiffusionSettings", "ModelChoice"]
