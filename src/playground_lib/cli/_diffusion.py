"""The options every picture-making command shares for the words + sketch engine (``--engine diffusion``)."""

from __future__ import annotations

import argparse

from ..diffusion.settings import BASE_ENV, CONTROLNET_ENV, DEFAULT_PROMPT, DiffusionSettings

# The words + sketch options, by their argparse names: a SPADE command refuses every one of them.
KNOBS = ("prompt", "negative_prompt", "seed", "steps", "guidance", "strength", "controlnet", "base", "max_cpu_minutes")


def add_engine_options(parser: argparse.ArgumentParser) -> None:
    """``--engine`` and the diffusion knobs, with the defaults a playground picture wants."""
    from ..diffusion.engine import MAX_CPU_MINUTES

    defaults = DiffusionSettings()
    parser.add_argument(
        "--engine",
        choices=("spade", "diffusion"),
        default="spade",
        help="spade (default): the GauGAN generator; diffusion: Stable Diffusion 1.5 steered by the sketch through "
        "a segmentation ControlNet, with words (needs the diffusion extra; a GPU for seconds a picture)",
    )
    group = parser.add_argument_group("words + sketch (--engine diffusion)")
    group.add_argument("--prompt", default=None, help=f'what the picture shows (default: "{DEFAULT_PROMPT}")')
    group.add_argument("--negative-prompt", default=None, help="what it should not look like")
    group.add_argument("--seed", type=int, default=None, help="the same seed, words and sketch give the same picture")
    group.add_argument("--steps", type=int, default=None, help=f"denoising steps (default {defaults.steps})")
    words_help, sketch_help = f"(default {defaults.guidance})", f"(default {defaults.strength})"
    group.add_argument("--guidance", type=float, default=None, help=f"how hard the words steer {words_help}")
    group.add_argument("--strength", type=float, default=None, help=f"how hard the sketch steers {sketch_help}")
    group.add_argument(
        "--controlnet",
        default=None,
        help=f"hub id or local folder (diffusers' layout); default ${CONTROLNET_ENV} or ours",
    )
    group.add_argument(
        "--base", default=None, help=f"Stable Diffusion 1.5: hub id or local folder; default ${BASE_ENV}"
    )
    group.add_argument(
        "--max-cpu-minutes",
        type=float,
        default=None,
        help=f"on a CPU, stop when the first step says the picture would take longer (default {MAX_CPU_MINUTES})",
    )


def diffusion_asked(args) -> bool:
    """Whether a diffusion option was given; SPADE commands refuse them rather than ignore them."""
    return any(getattr(args, name) is not None for name in KNOBS)


def settings_from(args) -> DiffusionSettings:
    from ._errors import UserError

    try:
        return DiffusionSettings().but(
            prompt=args.prompt,
            negative_prompt=args.negative_prompt,
            seed=args.seed,
            steps=args.steps,
            guidance=args.guidance,
            strength=args.strength,
        )
    except ValueError as exc:
        raise UserError(f"--{str(exc).replace('negative_prompt', 'negative-prompt')}") from None


def engine_from(args):
    """The loaded engine, or one clear line (exit 2) saying what is missing and what to do."""
    from ..diffusion.engine import MAX_CPU_MINUTES, DiffusionUnavailable, load_engine
    from ._errors import UserError

    if args.engine != "diffusion":
        if diffusion_asked(args):
            raise UserError("--prompt, --seed and the other words + sketch options need --engine diffusion")
        return None
    settings = settings_from(args)
    if args.max_cpu_minutes is not None and args.max_cpu_minutes <= 0:
        raise UserError(f"--max-cpu-minutes must be above 0, got {args.max_cpu_minutes}")
    try:
        return load_engine(
            args.controlnet, args.base, settings=settings, max_cpu_minutes=args.max_cpu_minutes or MAX_CPU_MINUTES
        )
    except DiffusionUnavailable as exc:
        raise UserError(str(exc)) from None
