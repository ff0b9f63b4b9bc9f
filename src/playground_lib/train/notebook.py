"""Small helpers that keep notebook 05 short: where to save, what the hardware means, fine-tuning.

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
