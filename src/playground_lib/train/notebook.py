"""Small helpers that keep notebook 05 short: where to save, and pictures of a run."""

from __future__ import annotations

from pathlib import Path

import numpy as np

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


def _show(images: list[np.ndarray], titles: list[str], width: float = 5.0):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(images), figsize=(width * len(images), width * 1.1), squeeze=False)
    for ax, image, title in zip(axes[0], images, titles):
        ax.imshow(image)
        ax.set_title(title)
        ax.axis("off")
    fig.tight_layout()
    return fig


def show_progress(out_dir: str | Path):
    """The latest sample grid (label | real | generated) beside the loss curves."""
    from ..fileio import read_png

    out = Path(out_dir)
    images, titles = [], []
    if (out / "samples" / "latest.png").exists():
        images.append(read_png(out / "samples" / "latest.png"))
        titles.append("label map | real | generated")
    if (out / "loss_curves.png").exists():
        images.append(read_png(out / "loss_curves.png"))
        titles.append("losses")
    if not images:
        raise FileNotFoundError(f"{out}: no samples yet: train for at least sample_every steps")
    return _show(images, titles)


def show_sample_history(out_dir: str | Path, count: int = 3):
    """A few saved grids from first to last: watch the generated column sharpen."""
    from ..fileio import read_png

    grids = sorted((Path(out_dir) / "samples").glob("step_*.png"))
    if not grids:
        raise FileNotFoundError(f"{out_dir}/samples: no sample grids yet")
    picks = [grids[int(i)] for i in np.unique(np.linspace(0, len(grids) - 1, count).round())]
    return _show([read_png(p) for p in picks], [f"after {int(p.stem.split('_')[1])} steps" for p in picks], width=3.5)
