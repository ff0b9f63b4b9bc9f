"""Load Stable Diffusion 1.5 with a segmentation ControlNet (diffusers) and paint label maps with it.

diffusers does the sampling; this module decides what a room needs around it:

* **Where the models come from.** ``ModelChoice``: hub ids or local folders in diffusers' layout
  (a facilitator's copy on a shared Drive). Anything that stops a load (no ``diffusers``, no
  network, a withdrawn repository, a folder that is not a model) becomes one paragraph in a
  ``DiffusionUnavailable``, which callers print before going on with SPADE.
* **What the device needs** (``memory_plan``): on a GPU, half precision and VAE tiling (the
  decoder's memory grows with the picture's area; a 1024 px window would not fit a T4 without it),
  with model offloading to the CPU and attention slicing only on small GPUs. On a CPU, float32.
* **Time.** A GPU shows a progress bar over the steps. On a CPU the first step is timed and an
  estimate printed; when it is longer than ``max_cpu_minutes`` the picture is stopped at once
  with what to do instead (a GPU runtime). ``stop()`` (or Ctrl-C, the notebook's stop button)
  ends a picture between two steps.
"""

from __future__ import annotations

import importlib.util
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..error_line import first_line
from .condition import LATENT_FACTOR, condition_image, working_size
from .settings import BASE_ENV, CONTROLNET_ENV, DiffusionSettings, ModelChoice, hub_id_or_folder

INSTALL_HINT = 'pip install "generative-playgrounds[diffusion]" (in a clone: pip install ".[diffusion]")'
GPU_HINT = (
    "A picture takes seconds on a GPU: in Colab choose Runtime > Change runtime type > T4 GPU, "
    "then run the notebook again from the top."
)
MAX_CPU_MINUTES = 10.0
SAY_ESTIMATE_FROM_SECONDS = 20.0  # a quicker picture needs no warning
OFFLOAD_BELOW_GIB = 8.0  # SD 1.5 + ControlNet in fp16 need about 3.5 GB of weights, plus the activations
SLICE_ATTENTION_BELOW_GIB = 6.0


class DiffusionUnavailable(RuntimeError):
    """The extra, a model or the time it needs is missing; the message says what to do. SPADE still works."""


class GenerationStopped(RuntimeError):
    """A picture was stopped between two steps (``stop()``, or a CPU estimate over the limit)."""


def diffusion_installed() -> bool:
    """Whether the optional extra is here (checked without importing it: that takes seconds)."""
    return all(importlib.util.find_spec(name) is not None for name in ("diffusers", "transformers"))


@dataclass(frozen=True)
class MemoryPlan:
    """How the pipeline is laid on a device."""

    half_precision: bool
    vae_tiling: bool
    cpu_offload: bool
    attention_slicing: bool


def memory_plan(device_type: str, gpu_gib: float | None = None) -> MemoryPlan:
    """The rule (tested without a GPU): ``gpu_gib`` is the GPU's total memory in GiB."""
    if device_type != "cuda":
        return MemoryPlan(half_precision=False, vae_tiling=False, cpu_offload=False, attention_slicing=False)
    small = gpu_gib is not None and gpu_gib < OFFLOAD_BELOW_GIB
    tiny = gpu_gib is not None and gpu_gib < SLICE_ATTENTION_BELOW_GIB
    return MemoryPlan(half_precision=True, vae_tiling=True, cpu_offload=small, attention_slicing=tiny)


def model_source(reference: str, what: str) -> str:
    """A hub id as it is, or a local folder checked for diffusers' layout (a clear error naming it)."""
    marker = "model_index.json" if what == "base" else "config.json"
    try:
        return hub_id_or_folder(reference, marker, _NAMES[what], "diffusers'")
    except ValueError as exc:
        raise DiffusionUnavailable(str(exc)) from None


_NAMES = {"controlnet": "segmentation ControlNet", "base": "Stable Diffusion 1.5 base model"}
_SETTING = {"controlnet": ("controlnet", CONTROLNET_ENV), "base": ("base", BASE_ENV)}


def _load_failed(what: str, reference: str, exc: BaseException) -> DiffusionUnavailable:
    parameter, env = _SETTING[what]
    return DiffusionUnavailable(
        f"Could not load the {_NAMES[what]} '{reference}' ({first_line(exc, 160)}). "
        "Is this computer offline, or has that repository moved or been withdrawn? Hosted weights come and go: "
        f"ask your facilitator for a copy in a folder (diffusers' layout) and give its path as `{parameter}` "
        f"(or set ${env} once for the room). Until then the series goes on with SPADE."
    )


def load_engine(
    controlnet: str | None = None,
    base: str | None = None,
    device: str | None = None,
    settings: DiffusionSettings | None = None,
    max_cpu_minutes: float | None = MAX_CPU_MINUTES,
) -> DiffusionEngine:
    """Load both models (hub ids or local folders; see ``ModelChoice.from_settings`` for the defaults).

    Raises ``DiffusionUnavailable`` with one paragraph for anything a participant can meet.
    """
    if not diffusion_installed():
        raise DiffusionUnavailable(
            f"Words + sketch needs the optional diffusion extra, which is not installed: {INSTALL_HINT}. "
            "Until then the series goes on with SPADE."
        )
    import torch
    from diffusers import ControlNetModel, StableDiffusionControlNetPipeline, UniPCMultistepScheduler

    models = ModelChoice.from_settings(controlnet, base)
    target = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
    gpu_gib = torch.cuda.get_device_properties(target).total_memory / 2**30 if target.type == "cuda" else None
    plan = memory_plan(target.type, gpu_gib)
    dtype = torch.float16 if plan.half_precision else torch.float32
    sources = {what: model_source(getattr(models, what), what) for what in ("controlnet", "base")}
    try:
        net = _from_pretrained(ControlNetModel, sources["controlnet"], dtype)
    except Exception as exc:  # any failure of a load is the participant's to read, not a traceback
        raise _load_failed("controlnet", models.controlnet, exc) from exc
    try:
        pipeline = _from_pretrained(StableDiffusionControlNetPipeline, sources["base"], dtype, controlnet=net)
    except Exception as exc:
        raise _load_failed("base", models.base, exc) from exc
    pipeline.scheduler = UniPCMultistepScheduler.from_config(pipeline.scheduler.config)  # good at 20 steps
    _lay_out(pipeline, target, plan)
    return DiffusionEngine(pipeline, models, target, plan, settings or DiffusionSettings(), max_cpu_minutes)


def _from_pretrained(cls, source: str, dtype, **kwargs):
    """Half-precision files where a repository has them (half the download), else the full ones."""
    import torch

    if dtype == torch.float16 and not Path(source).exists():
        try:
            return cls.from_pretrained(source, dtype=dtype, variant="fp16", **kwargs)
        except Exception:  # no fp16 variant in this repository: take the full-precision files
            pass
    return cls.from_pretrained(source, dtype=dtype, **kwargs)


def _lay_out(pipeline, device, plan: MemoryPlan) -> None:
    if plan.cpu_offload:
        pipeline.enable_model_cpu_offload(device=device)
    else:
        pipeline.to(device)
    if plan.attention_slicing:
        pipeline.enable_attention_slicing()
    if plan.vae_tiling:
        pipeline.vae.enable_tiling()


class DiffusionEngine:
    """A loaded pipeline that paints label maps; its ``settings`` (words, seed, knobs) can change between pictures.

    Called like any generator of the series (``engine(labels)`` -> a picture of the map's size), so
    the painter, the event background and the CLI take it where they take SPADE.
    """

    def __init__(
        self,
        pipeline,
        models: ModelChoice,
        device,
        plan: MemoryPlan,
        settings: DiffusionSettings,
        max_cpu_minutes: float | None = MAX_CPU_MINUTES,
    ):
        self.pipeline = pipeline
        self.models = models
        self.device = device
        self.plan = plan
        self.settings = settings
        self.max_cpu_minutes = max_cpu_minutes
        self.last_condition: np.ndarray | None = None
        self.last_seconds_per_step: float | None = None
        self._stop_requested = False
        # The size the model learned at (SD 1.5: a 64 x 64 latent = 512 px); smaller pictures come out mushy.
        self.native_size = int(pipeline.unet.config.sample_size) * int(pipeline.vae_scale_factor)

    @property
    def description(self) -> str:
        models = f"{self.models.controlnet}; {self.models.base}"
        return f"Stable Diffusion 1.5 + segmentation ControlNet ({models}) on {self.device}"

    def __repr__(self) -> str:
        return f"DiffusionEngine({self.description})"

    def __call__(self, labels: np.ndarray) -> np.ndarray:
        """H x W ADE20K values -> H x W x 3 uint8: painted at ``working_size``, then brought to the map's size."""
        labels = np.asarray(labels)
        picture = self.paint(labels)
        if picture.shape[:2] == labels.shape:
            return picture
        from PIL import Image

        resized = Image.fromarray(picture).resize((labels.shape[1], labels.shape[0]), Image.Resampling.LANCZOS)
        return np.asarray(resized)

    def stop(self) -> None:
        """Stop the picture being painted after its current step (from a button or another thread)."""
        self._stop_requested = True

    def paint(
        self,
        labels: np.ndarray,
        settings: DiffusionSettings | None = None,
        size: int | tuple[int, int] | None = None,
        progress: bool = True,
    ) -> np.ndarray:
        """A picture of ``labels`` at ``size`` (an int is the width; default ``working_size``, at most
        twice the native size: a bigger map is painted in windows, ``windows``).

        The exact condition image the ControlNet was shown is kept in ``last_condition``.
        """
        import torch
        from PIL import Image

        settings = settings or self.settings
        labels = np.asarray(labels)
        height, width = self._size(labels.shape, size)
        condition = condition_image(labels, (height, width))
        self.last_condition = condition
        self._stop_requested = False
        self.pipeline.set_progress_bar_config(disable=not progress, desc="painting", leave=False)
        timer = _StepTimer(self, settings.steps)
        output = self.pipeline(
            prompt=settings.prompt,
            negative_prompt=settings.negative_prompt or None,
            image=Image.fromarray(condition),
            height=height,
            width=width,
            num_inference_steps=settings.steps,
            guidance_scale=settings.guidance,
            controlnet_conditioning_scale=settings.strength,
            generator=torch.Generator(device="cpu").manual_seed(settings.seed),
            output_type="np",
            callback_on_step_end=timer,
        )
        if any(getattr(output, "nsfw_content_detected", None) or []):
            print("The base model's safety checker blanked this picture out; try other words or another seed.")
        return np.clip(np.rint(output.images[0] * 255), 0, 255).astype(np.uint8)

    def variations(self, labels: np.ndarray, seeds=(), prompts=()) -> dict[str, np.ndarray]:
        """The same sketch with other seeds, then with other words (all else as in ``settings``), by title."""
        pictures = {f"seed {seed}": self.paint(labels, self.settings.but(seed=seed)) for seed in seeds}
        pictures.update({f'"{prompt}"': self.paint(labels, self.settings.but(prompt=prompt)) for prompt in prompts})
        return pictures

    def windows(self, window: int | None = None):
        """How the event background paints a big map with this engine: windows of the native size
        (or ``window``), a quarter overlapping, one prompt for the whole room."""
        from ..tiled_painting import plain_windows

        largest = window or self.native_size
        if largest < 64 or largest % LATENT_FACTOR:
            raise ValueError(f"window {largest}: the diffusion engine paints windows of 64 px or more, multiples of 8")
        return plain_windows(self, largest)

    def _size(self, shape: tuple[int, ...], size: int | tuple[int, int] | None) -> tuple[int, int]:
        if size is None:  # at most twice the native size: beyond it SD 1.5 repeats things (two slides, two suns)
            return working_size(int(shape[0]), int(shape[1]), native=self.native_size, largest=2 * self.native_size)
        if isinstance(size, int):
            height, width = size * shape[0] / shape[1], float(size)
        else:
            height, width = float(size[0]), float(size[1])
        return working_size(int(round(height)), int(round(width)), native=0)


class _StepTimer:
    """diffusers' step callback: times the first step, says how long the rest will take, stops on request."""

    def __init__(self, engine: DiffusionEngine, steps: int):
        self.engine, self.steps = engine, steps
        self.started = time.perf_counter()

    def __call__(self, pipeline, step: int, timestep, tensors: dict[str, Any]) -> dict[str, Any]:
        engine = self.engine
        if engine._stop_requested:
            raise GenerationStopped("stopped: the picture was not finished.")
        if step == 0:
            per_step = time.perf_counter() - self.started
            engine.last_seconds_per_step = per_step
            if engine.device.type == "cpu":
                self._estimate(per_step)
        return tensors

    def _estimate(self, per_step: float) -> None:
        total = per_step * self.steps
        if total >= SAY_ESTIMATE_FROM_SECONDS:
            print(
                f"On this CPU: about {per_step:.1f} s a step, so {self.steps} steps take about {_duration(total)} "
                "(stop with the notebook's stop button or Ctrl-C)."
            )
        limit = self.engine.max_cpu_minutes
        if limit is not None and total > limit * 60:
            raise GenerationStopped(
                f"stopped: {_duration(total)} is more than the {limit:g} minutes allowed on a CPU. {GPU_HINT}"
            )


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"


def engine_or_none(
    controlnet: str | None = None,
    base: str | None = None,
    settings: DiffusionSettings | None = None,
    allow_cpu: bool = False,
    max_cpu_minutes: float | None = MAX_CPU_MINUTES,
) -> DiffusionEngine | None:
    """For a notebook: the engine, or ``None`` after saying in plain words why and that SPADE goes on.

    Without a GPU nothing is loaded unless ``allow_cpu``: the models are gigabytes, and on a CPU a
    picture takes minutes.
    """
    import torch

    if not torch.cuda.is_available() and not allow_cpu:
        print(
            "Words + sketch needs a GPU: on this CPU one picture takes minutes, and the models are several GB. "
            f"{GPU_HINT} (Or set words_on_cpu = True to try anyway.) Until then SPADE paints your sketches."
        )
        return None
    try:
        engine = load_engine(controlnet, base, settings=settings, max_cpu_minutes=max_cpu_minutes)
    except DiffusionUnavailable as exc:
        print(exc)
        return None
    print(f"Using {engine.description}.")
    return engine
