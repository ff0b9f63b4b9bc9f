"""Every notebook runs headless with small parameters, twice in a row in the same folder, and is
stored clean; each .ipynb agrees with its jupytext .py twin."""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

import pytest
from notebook_harness import (
    MAX_CODE_LINES,
    QUICK_PARAMETERS,
    colab_badge,
    execute_notebook,
    install_cell,
    parameters_cell_index,
)

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SOURCES = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))


def _cells(nb) -> list[tuple[str, str, list[str]]]:
    return [(c.cell_type, c.source, list(c.get("metadata", {}).get("tags", []))) for c in nb.cells]


def test_there_are_notebooks():
    assert NOTEBOOKS and NOTEBOOKS[0].name.startswith("00_")


def test_every_notebook_has_its_jupytext_twin():
    assert [p.stem for p in SOURCES] == [p.stem for p in NOTEBOOKS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_agrees_with_its_py_file(path):
    import jupytext
    import nbformat

    stored = nbformat.read(str(path), as_version=4)
    source = jupytext.read(str(path.with_suffix(".py")))
    assert _cells(stored) == _cells(source), (
        f"notebooks/{path.name} differs from {path.stem}.py: run `jupytext --sync notebooks/{path.stem}.py`"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_twice_in_the_same_folder(path, tmp_path, tiny_models_env):
    workdir = tmp_path / "work"
    workdir.mkdir()
    shutil.copy(path, workdir / path.name)
    for attempt in (1, 2):
        nb = execute_notebook(workdir / path.name, workdir)
        errors = [
            o
            for c in nb.cells
            if c.cell_type == "code"
            for o in c.get("outputs", [])
            if o.get("output_type") == "error"
        ]
        assert not errors, f"{path.name} run {attempt}: {errors[0].get('ename')}: {errors[0].get('evalue')}"
        assert not stray_outputs(nb), f"{path.name}: cells {stray_outputs(nb)} show a stray return value"


def stray_outputs(nb) -> list[int]:
    """Cells whose last line's value is shown by accident: a figure (then shown twice), a bare number
    (the byte count of a write), or a long list (of paths)."""
    stray = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            text = output.get("data", {}).get("text/plain", "") if output.get("output_type") == "execute_result" else ""
            text = "".join(text) if isinstance(text, list) else text
            if text.startswith("<Figure") or text.strip().isdigit() or len(text.splitlines()) > MAX_CODE_LINES:
                stray.append(index)
    return stray


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_passes_nbformat_validation(path):
    """Classic Notebook opens an invalid file behind a modal that takes every click (cell ids in a 4.4 file)."""
    import nbformat

    stored = json.loads(path.read_text(encoding="utf-8"))
    nbformat.validate(stored)  # raises naming the offending field
    if (stored["nbformat"], stored["nbformat_minor"]) >= (4, 5):
        assert all("id" in cell for cell in stored["cells"]), f"{path.name}: nbformat 4.5 wants an id on every cell"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_stored_clean_and_thin(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") and not c.get("execution_count") for c in code), f"{path.name}: outputs left in"
    long = [
        i
        for i, c in enumerate(nb["cells"])
        if c["cell_type"] == "code" and len("".join(c["source"]).splitlines()) > MAX_CODE_LINES
    ]
    assert not long, f"{path.name}: code cells {long} are longer than {MAX_CODE_LINES} lines"
    first = "".join(nb["cells"][0]["source"])
    assert colab_badge(path.name) in first, f"{path.name}: first cell lacks its Colab badge"
    assert "".join(code[0]["source"]).strip() == install_cell(path.stem).strip(), (
        f"{path.name}: first code cell is not the Colab install cell"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_quick_values_name_what_the_parameters_cell_sets(path):
    """The suite may only shrink values a participant sees; a renamed one must not slip through."""
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    quick = QUICK_PARAMETERS.get(path.stem, {})
    index = parameters_cell_index(nb)
    if index is None:
        assert not quick, f"{path.name}: quick values {sorted(quick)} but no cell tagged 'parameters'"
        return
    assigned = set()
    for node in ast.parse(nb.cells[index].source).body:
        assert isinstance(node, ast.Assign), f"{path.name}: the parameters cell should hold plain assignments only"
        for target in node.targets:
            names = target.elts if isinstance(target, ast.Tuple) else [target]
            assigned |= {n.id for n in names if isinstance(n, ast.Name)}
    assert set(quick) <= assigned, f"{path.name}: quick values for {sorted(set(quick) - assigned)} not in its cell"
    assert "pick(" not in "".join(c.source for c in nb.cells), f"{path.name}: test knobs belong to the harness"


def test_notebook_07_shows_the_bundled_renders_where_blender_cannot_run(tmp_path, monkeypatch):
    """Colab has no Blender: notebook 07 shows (and mixes in) the renders bundled in data/blender."""
    from playground_lib.synthetic import blender

    monkeypatch.setenv(blender.VENV_ENV, str(tmp_path / "no-blender" / "python"))
    path = ROOT / "notebooks" / "07_synthetic_playgrounds.ipynb"
    shutil.copy(path, tmp_path / path.name)
    nb = execute_notebook(tmp_path / path.name, tmp_path)
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert not [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert "Showing the renders bundled with the library instead." in text
    assert text.count("labelme paints it back exactly: True") == 3
    assert len(list((tmp_path / "workspace" / "mixed").glob("blender_*.json"))) == 3


def _try_this(nb) -> str:
    cells = [c.source for c in nb.cells if c.cell_type == "markdown" and c.source.lstrip().startswith("## Try this")]
    return "\n".join(cells)


def _parameter_names(nb) -> set[str]:
    index = parameters_cell_index(nb)
    if index is None:
        return set()
    names = set()
    for node in ast.parse(nb.cells[index].source).body:
        for target in getattr(node, "targets", []):
            names |= {n.id for n in (target.elts if isinstance(target, ast.Tuple) else [target])}
    return names


def try_this_problems(nb) -> list[str]:
    """What a "Try this" names that the notebook lacks: a parameter to set (`name = value`), an argument
    (`name=value`), code to change (change `code` to ...), or a numbered section."""
    import re

    text, problems = _try_this(nb), []
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    headings = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    parameters = _parameter_names(nb)
    for names in re.findall(r"`([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*) = [^`=]+`", text):
        problems += [f"parameter {n!r}" for n in re.split(r"\s*,\s*", names) if n not in parameters]
    for name in re.findall(r"`([A-Za-z_]\w*)=[^`=\s]+`", text):
        if not re.search(rf"\b{name}=", code):
            problems.append(f"argument {name}= in a code cell")
    for before in re.findall(r"change (?:[^`]*?)?`([^`]+)` to", text):
        if before not in code:
            problems.append(f"{before} in a code cell")
    for number in re.findall(r"\bsections? (\d+)", text):
        if not re.search(rf"^#+ {number}\.", headings, re.MULTILINE):
            problems.append(f"section {number}")
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_try_this_names_only_what_the_notebook_has(path):
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    assert _try_this(nb), f"{path.name}: no 'Try this' cell"
    assert not try_this_problems(nb), f"{path.name}: 'Try this' names what is not there: {try_this_problems(nb)}"


def test_try_this_check_sees_a_missing_parameter_argument_and_section():
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("steps = 10", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_markdown_cell("## 1. Training"),
        nbformat.v4.new_code_cell("run(steps, mode='a')"),
        nbformat.v4.new_markdown_cell("## Try this\n`steps = 5`, `size = 3`, `colour=1`, change `mode='b'` to `x`."),
        nbformat.v4.new_markdown_cell("## Try this, too\nSee section 6."),
    ]
    assert try_this_problems(nb) == [
        "parameter 'size'",
        "argument colour= in a code cell",
        "mode='b' in a code cell",
        "section 6",
    ]
