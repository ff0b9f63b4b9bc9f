"""Small helpers that keep notebook 05 short: where to save, and what the hardware means.

The pictures of a run are in ``playground_lib.figures.training``.
"""

from __future__ import annotations

from pathlib import Path

from ..workspace import COLAB_DRIVE, DRIVE_FOLDER_NAME, in_colab


def output_folder(name: str = "my_gaugan") -> Path:
    """Google Drive in Colab (so a disconnect loses nothing), ``outputs/`` anywhere else."""
    if in_colab():
        from google.colab import drive  # type: ignore[import-not-found]

        drive.mount(str(COLAB_DRIVE.parent))
        folder = COLAB_DRIVE / DRIVE_FOLDER_NAME / name
    else:
        folder = Path("outputs") / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def where_am_i() -> str:
    """One line on the hardware, and what it means for training."""
    import torch

    if torch.cuda.is_available():
        return f"GPU: {torch.cuda.get_device_name(0)}, mixed precision on. A 128×128 model trains in minutes."
    return (
        f"CPU only ({torch.get_num_threads()} threads). Training works, slowly: about 1–2 s per step at "
        "128×128 with a small model. In Colab: Runtime → Change runtime type → T4 GPU."
    )
