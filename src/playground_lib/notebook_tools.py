"""What every notebook of the series shares: the Colab badge, the install cell, headless runs.

The install cell installs the library from git *without* ``-e``: Colab cannot see an editable
install until the runtime restarts, and a restart in front of a workshop room is a failure. It
does nothing outside Colab, where ``make lab`` has installed everything already.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_URL = "https://github.com/generative-playgrounds/generative-playgrounds"
COLAB_URL = (
    "https://colab.research.google.com/github/generative-playgrounds/generative-playgrounds/blob/main/notebooks/{name}"
)
BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"

INSTALL_CELL = f"""# In Google Colab this installs the library (about a minute); elsewhere it does nothing.
import sys
if "google.colab" in sys.modules:
    %pip install -q "generative-playgrounds @ git+{REPO_URL}"
    from google.colab import output
    output.enable_custom_widget_manager()  # lets the drawing widgets (ipycanvas) show"""

MAX_CODE_LINES = 12


def colab_badge(notebook_name: str) -> str:
    return f"[![Open In Colab]({BADGE_IMAGE})]({COLAB_URL.format(name=notebook_name)})"


def new_notebook(name: str, title: str, intro: str, cells: list[tuple[str, str]]):
    """Build a notebook: badge + title + intro, the install cell, then ("md"|"code", text) cells."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["colab"] = {"provenance": []}
    nb.cells.append(nbformat.v4.new_markdown_cell(f"{colab_badge(name)}\n\n# {title}\n\n{intro}"))
    nb.cells.append(nbformat.v4.new_code_cell(INSTALL_CELL))
    for kind, text in cells:
        text = text.strip("\n")
        cell = nbformat.v4.new_markdown_cell(text) if kind == "md" else nbformat.v4.new_code_cell(text)
        nb.cells.append(cell)
    for cell in nb.cells:  # stable ids keep git diffs quiet when a notebook is rebuilt
        cell.pop("id", None)
    nb.nbformat_minor = 4
    return nb


def notebook_from_script(script: str | os.PathLike):
    """(file name, notebook) from a build script that defines NAME, TITLE, INTRO and CELLS.

    Notebooks are written from these scripts, never edited by hand, so prose and code stay
    reviewable as plain Python and the stored .ipynb never drifts from its source.
    """
    import runpy

    spec = runpy.run_path(str(script))
    missing = [key for key in ("NAME", "TITLE", "INTRO", "CELLS") if key not in spec]
    if missing:
        raise ValueError(f"{script}: a notebook build script must define {', '.join(missing)}")
    return spec["NAME"], new_notebook(spec["NAME"], spec["TITLE"], spec["INTRO"], spec["CELLS"])


def write_notebook(nb, path: str | os.PathLike) -> Path:
    import nbformat

    from .fileio import write_text

    return write_text(path, nbformat.writes(strip_outputs(nb)))


def strip_outputs(nb):
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return nb


def execute_notebook(path: str | os.PathLike, workdir: str | os.PathLike, timeout: int = 900, quick: bool = True):
    """Run a notebook headless in ``workdir`` (its cwd), as the test suite and CI do.

    Raises ``nbclient.exceptions.CellExecutionError`` naming the failing cell.
    """
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(str(path), as_version=4)
    env_before = dict(os.environ)
    os.environ["PLAYGROUND_QUICK"] = "1" if quick else "0"
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    try:
        client = NotebookClient(
            nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(workdir)}}
        )
        client.execute(cwd=str(workdir))
    finally:
        os.environ.clear()
        os.environ.update(env_before)
    return nb
