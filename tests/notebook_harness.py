"""How the test suite runs the notebooks: headless, small, and in a folder of their own.

A lesson shows a participant plain values in one cell tagged ``parameters`` (papermill's
convention). The suite runs it with the small values below, injected as a cell right after that
one, so the notebook itself holds no test knobs and reads the same in both runs.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_URL = "https://github.com/generative-playgrounds/generative-playgrounds"
COLAB_URL = (
    "https://colab.research.google.com/github/generative-playgrounds/generative-playgrounds/blob/main/notebooks/{name}"
)
BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"

# The first code cell of every notebook. It installs from git *without* -e: Colab cannot see an
# editable install until the runtime restarts, and a restart in front of a room is a failure.
INSTALL_CELL = """# In Google Colab this installs the library (about a minute); elsewhere it does nothing.
import sys

if "google.colab" in sys.modules:
    %pip install -q "generative-playgrounds{extras} @ git+{repo}"
    from google.colab import output

    output.enable_custom_widget_manager()  # lets the drawing widgets (ipycanvas) show"""
# Optional extras a notebook's install cell adds (04 paints with words: diffusers + transformers).
INSTALL_EXTRAS: dict[str, str] = {"05_generate_with_pretrained_ade20k": "[diffusion]"}


def install_cell(notebook_stem: str) -> str:
    """The first code cell of a notebook: the same everywhere but for the extras it installs."""
    return INSTALL_CELL.format(extras=INSTALL_EXTRAS.get(notebook_stem, ""), repo=REPO_URL)


MAX_CODE_LINES = 12
PARAMETERS_TAG = "parameters"

# The small values each notebook runs with under the suite: a few seconds instead of minutes.
QUICK_PARAMETERS: dict[str, dict[str, object]] = {
    "00_welcome": {"size": 64, "scene_count": 2},
    "01_annotate_playgrounds": {"bundled_count": 4},
    "02_labelme_to_coco": {"annotation_count": 4, "sample_count": 2},
    "03_lines_to_picture": {
        "size": 32,
        "scene_count": 6,
        "ngf": 4,
        "ndf": 4,
        "minutes": 0.05,
        "sample_minutes": 0.02,
    },
    "05_generate_with_pretrained_ade20k": {
        "allow_download": False,
        "size": 64,
        "diffusion_steps": 2,
        "words_on_cpu": True,
    },
    "06_train_your_own_gaugan": {
        "size": 32,
        "synthetic_count": 4,
        "ngf": 8,
        "ndf": 8,
        "batch_size": 2,
        "steps": 6,
        "save_every": 3,
        "more_steps": 2,
        "held_out_count": 2,
        "segmenter_steps": 3,
        "judge_size": 32,
        "finetune_size": 32,
        "finetune_steps": 2,
    },
    "07_synthetic_playgrounds": {
        "size": 64,
        "click_every": 4,
        "blender_count": 2,
        "blender_size": (64, 48),
        "blender_samples": 4,
        "mixed_count": 3,
    },
    "08_event_background": {"extra_sketch_count": 3, "tiles": (10, 8), "window": None},
}


def colab_badge(notebook_name: str) -> str:
    return f"[![Open In Colab]({BADGE_IMAGE})]({COLAB_URL.format(name=notebook_name)})"


def parameters_cell_index(nb) -> int | None:
    tagged = [i for i, c in enumerate(nb.cells) if PARAMETERS_TAG in c.get("metadata", {}).get("tags", [])]
    if len(tagged) > 1:
        raise ValueError(f"{len(tagged)} cells are tagged {PARAMETERS_TAG!r}; a notebook has at most one")
    return tagged[0] if tagged else None


def inject_parameters(nb, values: dict[str, object]):
    """Add a cell that sets ``values`` right after the notebook's parameters cell."""
    import nbformat

    if not values:
        return nb
    index = parameters_cell_index(nb)
    if index is None:
        raise ValueError(f"values {sorted(values)} given, but no cell is tagged {PARAMETERS_TAG!r}")
    source = "\n".join(f"{name} = {value!r}" for name, value in values.items())
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": ["injected-parameters"]})
    nb.cells.insert(index + 1, cell)
    return nb


def execute_notebook(
    path: str | os.PathLike,
    workdir: str | os.PathLike,
    timeout: int = 900,
    workspace: str | os.PathLike | None = None,
    setup: str | None = None,
    quick: bool = True,
):
    """Run a notebook headless in ``workdir`` (its cwd) with its quick parameters, as CI does.

    ``workspace``: the series' working folder (``PLAYGROUND_WORKSPACE``); several notebooks given
    the same one share annotations, training sets and weights as a participant's do. Default: a
    folder of the run's own in ``workdir``, so nothing the developer made leaks into the test.
    ``setup``: code run in the kernel before the notebook's first cell, for what a test must arrange
    inside the kernel's process (a monkeypatch cannot reach it).
    ``quick=False`` keeps the notebook's own values: a participant's full run (the benchmark times it).
    Raises ``nbclient.exceptions.CellExecutionError`` naming the failing cell.
    """
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(str(path), as_version=4)
    if quick:
        inject_parameters(nb, QUICK_PARAMETERS.get(Path(path).stem, {}))
    if setup:
        cell = nbformat.v4.new_code_cell(setup, metadata={"tags": ["injected-setup"]})
        nb.cells.insert(0, cell)
    env_before = dict(os.environ)
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    os.environ["PLAYGROUND_WORKSPACE"] = str(workspace if workspace is not None else Path(workdir) / "workspace")
    os.environ.pop("PLAYGROUND_WEIGHTS_DIR", None)  # weights live in the workspace, as in a participant's run
    try:
        client = NotebookClient(
            nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(workdir)}}
        )
        client.execute(cwd=str(workdir))
    finally:
        os.environ.clear()
        os.environ.update(env_before)
    return nb
