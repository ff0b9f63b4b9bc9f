"""What a diffusion picture is made from: which models, and the words and knobs of one picture.

Hosted weights come and go (RunwayML withdrew Stable Diffusion 1.5 from its hub repository in
2024; mirrors carry the same files), so the models are settings, never constants buried in code:
each is a hub id or a local folder in diffusers' layout, chosen by argument, else by environment
variable (a facilitator sets it once for a room), else by the defaults below.

Defaults, and why:

* ControlNet ``lllyasviel/control_v11p_sd15_seg`` (ControlNet 1.1, segmentation): trained on
  segmentation maps coloured in ADE20K's 150-class palette (and COCO's, which it tells apart),
  the palette the painter already paints in; 1.1 is the authors' improved retraining of 1.0's
  ``lllyasviel/sd-controlnet-seg`` (ADE20K only), which remains a drop-in alternative.
* Base ``stable-diffusion-v1-5/stable-diffusion-v1-5``: the Stable Diffusion 1.5 weights both
  ControlNets were trained against, at the repository that carries them since the original was withdrawn.

Licences: Stable Diffusion 1.5 is CreativeML OpenRAIL-M (use-based restrictions, credit); the
ControlNet 1.1 weights are released under an OpenRAIL licence too.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

DEFAULT_CONTROLNET = "lllyasviel/control_v11p_sd15_seg"
DEFAULT_BASE = "stable-diffusion-v1-5/stable-diffusion-v1-5"
CONTROLNET_ENV = "PLAYGROUND_CONTROLNET"
BASE_ENV = "PLAYGROUND_SD_BASE"

DEFAULT_PROMPT = "a photo of a playground in a park, daylight"
DEFAULT_NEGATIVE_PROMPT = "cartoon, drawing, illustration, blurry, low quality, text, watermark"
NATIVE_SIZE = 512  # Stable Diffusion 1.5 learned from 512 x 512 pictures: smaller ones come out mushy


@dataclass(frozen=True)
class ModelChoice:
    """The two models to load: each a hub id or a local folder in diffusers' layout."""

    controlnet: str
    base: str

    @classmethod
    def from_settings(cls, controlnet: str | os.PathLike | None = None, base: str | os.PathLike | None = None):
        """Argument, else ``$PLAYGROUND_CONTROLNET`` / ``$PLAYGROUND_SD_BASE``, else the defaults."""
        return cls(
            controlnet=str(controlnet or os.environ.get(CONTROLNET_ENV) or DEFAULT_CONTROLNET),
            base=str(base or os.environ.get(BASE_ENV) or DEFAULT_BASE),
        )


@dataclass(frozen=True)
class DiffusionSettings:
    """The words and knobs of one picture.

    ``guidance``: how hard the picture follows the words (classifier-free guidance scale);
    ``strength``: how hard it follows the sketch (ControlNet conditioning scale, 0 = ignore it);
    the same seed, words and sketch give the same picture on the same machine.
    """

    prompt: str = DEFAULT_PROMPT
    negative_prompt: str = DEFAULT_NEGATIVE_PROMPT
    seed: int = 0
    steps: int = 20
    guidance: float = 7.5
    strength: float = 1.0

    def __post_init__(self) -> None:
        if not 1 <= self.steps <= 200:
            raise ValueError(f"steps must be between 1 and 200, got {self.steps}")
        if not 0 <= self.seed < 2**63:
            raise ValueError(f"seed must be a whole number from 0 to 2**63 - 1, got {self.seed}")
        if not 0 <= self.guidance <= 30:
            raise ValueError(f"guidance must be between 0 and 30, got {self.guidance}")
        if not 0 <= self.strength <= 2:
            raise ValueError(f"strength must be between 0 and 2 (how hard the sketch steers), got {self.strength}")
        for name in ("prompt", "negative_prompt"):
            if len(getattr(self, name)) > 1000:
                raise ValueError(f"{name} must be at most 1000 characters (the text encoder reads 77 tokens)")

    def but(self, **changes) -> DiffusionSettings:
        """A copy with some knobs changed (``None`` leaves a knob as it is)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def hub_id_or_folder(reference: str, marker: str, what: str, layout: str) -> str:
    """A hub id as it is, or a local folder checked for ``marker`` (ValueError naming it otherwise).

    Anything that looks like a path (or exists) is a folder: a mistyped Drive path must be named as
    missing, not sent to the hub as a repository id. ``layout``: whose save_pretrained wrote it.
    """
    path = Path(reference).expanduser()
    looks_like_path = reference.startswith(("/", "./", "../", "~", ".\\")) or path.exists()
    if not looks_like_path:
        return reference
    if not path.is_dir():
        raise ValueError(f"{path}: no such folder (the {what} was expected there).")
    if not (path / marker).is_file():
        raise ValueError(
            f"{path}: no {marker} inside, so it is not a {what} saved in {layout} layout (save_pretrained writes one)."
        )
    return str(path)
