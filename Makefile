# The two set-up commands of the README are `make demo` and `make test`: each creates .venv,
# installs the project from its own files and runs. Everything works offline on a CPU.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: install blender demo test lint lab data bench browser-check clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints-cpu.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade "pip>=24"
	$(BIN)/pip install -c constraints-cpu.txt -e ".[dev]"
	touch $(STAMP)

## What the demo needs and no more: the library and its core dependencies (no test tools, no labelme/Qt,
## no JupyterLab); `make test` adds the dev extra to the same .venv.
CORE_STAMP := $(VENV)/.installed-core

$(CORE_STAMP): pyproject.toml constraints-cpu.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade "pip>=24"
	$(BIN)/pip install -c constraints-cpu.txt -e .
	touch $(CORE_STAMP)

## Blender as a Python module lives in its own venv: bpy needs Python 3.11 and numpy < 2.
## About 25 s and a 374 MB download; the Blender tests of the suite render with it.
BLENDER_STAMP := .venv-blender/.installed
blender: $(BLENDER_STAMP)

$(BLENDER_STAMP): scripts/setup_blender_venv.sh
	bash scripts/setup_blender_venv.sh .venv-blender
	touch $(BLENDER_STAMP)

## The main job: the whole pipeline end to end on bundled data, CPU, offline; pictures in outputs/.
demo: $(CORE_STAMP)
	$(BIN)/playground demo --out outputs

## The whole test suite, notebooks included (small sizes), after the lint.
test: $(STAMP) $(BLENDER_STAMP) lint
	$(BIN)/python -m pytest -n 2 -q

## Style and types: ruff (lint + format, notebooks included) and mypy on src/ (config in pyproject.toml).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

## Regenerate the bundled samples in data/ (deterministic: same bytes every time).
data: $(STAMP)
	$(BIN)/python -m playground_lib.bundled_samples data

bench: $(STAMP)
	$(BIN)/pip install -c constraints-cpu.txt -e ".[dev,bench]"
	for f in benchmarks/bench_*.py; do $(BIN)/python $$f || exit 1; done

## Real-browser checks of the widgets in Debian's headless Chromium: JupyterLab 4 + ipywidgets 8 (.venv)
## and classic Notebook 6.5 + ipywidgets 7.7.1 (.venv-classic), the widget stack Colab ships.
## Screenshots of each state land in outputs/browser/.
CLASSIC_STAMP := .venv-classic/.installed

$(CLASSIC_STAMP): scripts/setup_classic_venv.sh pyproject.toml
	bash scripts/setup_classic_venv.sh .venv-classic
	touch $(CLASSIC_STAMP)

browser-check: $(STAMP) $(CLASSIC_STAMP)
	bash scripts/install_browser.sh
	$(BIN)/pip install -c constraints-cpu.txt -e ".[dev,browser]"
	$(BIN)/python -m pytest -m browser -q -p no:xdist

clean:
	rm -rf $(VENV) .venv-blender .venv-classic outputs .pytest_cache
