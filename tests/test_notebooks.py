"""Every notebook runs headless in quick mode, twice in a row in the same folder, and is stored clean."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from playground_lib import notebook_tools

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


BUILD_SCRIPTS = sorted((ROOT / "scripts" / "build_notebooks").glob("[0-9][0-9]_*.py"))


def test_there_are_notebooks():
    assert NOTEBOOKS and NOTEBOOKS[0].name.startswith("00_")


def test_every_notebook_is_what_its_build_script_writes():
    import nbformat

    assert [s.stem for s in BUILD_SCRIPTS] == [n.stem for n in NOTEBOOKS]
    for script in BUILD_SCRIPTS:
        name, built = notebook_tools.notebook_from_script(script)
        stored = nbformat.read(str(ROOT / "notebooks" / name), as_version=4)
        assert [(c.cell_type, c.source) for c in stored.cells] == [(c.cell_type, c.source) for c in built.cells], (
            f"notebooks/{name} differs from {script.name}: run python scripts/build_notebooks/build.py"
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_twice_in_the_same_folder(path, tmp_path):
    workdir = tmp_path / "work"
    workdir.mkdir()
    shutil.copy(path, workdir / path.name)
    for attempt in (1, 2):
        nb = notebook_tools.execute_notebook(workdir / path.name, workdir)
        errors = [
            o
            for c in nb.cells
            if c.cell_type == "code"
            for o in c.get("outputs", [])
            if o.get("output_type") == "error"
        ]
        assert not errors, f"{path.name} run {attempt}: {errors[0].get('ename')}: {errors[0].get('evalue')}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_stored_clean_and_thin(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") and not c.get("execution_count") for c in code), f"{path.name}: outputs left in"
    long = [
        i
        for i, c in enumerate(nb["cells"])
        if c["cell_type"] == "code" and len("".join(c["source"]).splitlines()) > notebook_tools.MAX_CODE_LINES
    ]
    assert not long, f"{path.name}: code cells {long} are longer than {notebook_tools.MAX_CODE_LINES} lines"
    first = "".join(nb["cells"][0]["source"])
    assert notebook_tools.colab_badge(path.name) in first, f"{path.name}: first cell lacks its Colab badge"
    assert "".join(code[0]["source"]).strip() == notebook_tools.INSTALL_CELL.strip(), (
        f"{path.name}: first code cell is not the Colab install cell"
    )
