"""Small helpers that keep notebook 06 short: where to save, what the hardware means, fine-tuning.

The pictures of a run are in ``playground_lib.figures.training``.
"""

from __future__ import annotations

from pathlib import Path

from ..workspace import workspace_path


def output_folder(name: str = "my_gaugan") -> Path:
    """A training run's folder in the series' working folder: Google Drive in Colab (so a disconnect
    loses nothing), ``~/generative_playgrounds`` elsewhere (see :mod:`playground_lib.workspace`)."""
    folder = workspace_path(name)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def where_am_i() -> str:
    """One line on the hardware, and what it means for training."""
    import torch

    if torch.cuda.is_available():
        return f"GPU: {torch.cuda.get_device_name(0)}, mixed precision on. A 128×128 model trains in minutes."
    return (
        f"CPU only ({torch.get_num_threads()} threads). Training works, slowly; the trainer times its first "
        "steps and tells you how long the run will take. In Colab: Runtime → Change runtime type → T4 GPU."
    )


def finetune_config(cfg, weights_file: str | Path, size: int, steps: int, name: str = "finetuned"):
    """``cfg`` set up to fine-tune a generator file: its width and layout (read from the file), our classes.

    The official model is ``ngf=64``; reading the width from the file lets the same cell fine-tune
    any generator in the official layout, including the small ones the tests make.
    """
    from ..spade.generator_file import read_generator

    _, config, _ = read_generator(weights_file)
    every = max(steps // 4, 1)
    return cfg.replace(
        finetune_from=str(weights_file),
        ngf=config.ngf,
        num_upsampling_layers=config.num_upsampling_layers,
        crop_size=size,
        load_size=size + size // 8,
        steps=steps,
        sample_every=every,
        checkpoint_every=every,
        out_dir=str(output_folder(name)),
    )


def held_out_pairs(data_dir: str | Path, size: int, scene_count: int, scene_folder: str | Path):
    """Pictures the judge scores on: the participant's validation photos when the set has any, else
    ``scene_count`` synthetic scenes written to ``scene_folder``; returns (images, labels, what they are).

    Scoring on synthetic scenes says little about a model trained on one's own photos, so those come
    first; the description says which was used.
    """
    from ..synthetic import write_scenes
    from .dataset import DatasetError, find_samples
    from .evaluate import load_folder

    try:
        own = len(find_samples(data_dir, "val"))
    except DatasetError:
        own = 0
    if own:
        return *load_folder(data_dir, size, "val"), f"your {own} validation picture{'s' * (own != 1)}"
    write_scenes(scene_folder, n=scene_count, size=size, seed=100_000)  # far from the training scenes' seeds
    return *load_folder(scene_folder, size), f"{scene_count} synthetic scenes (the set has no validation pictures)"
