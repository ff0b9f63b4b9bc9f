#!/usr/bin/env bash
# A second front end for `make browser-check`: classic Notebook 6.5 with ipywidgets 7.7.1, the
# widget stack Colab ships, in its own venv (default .venv-classic). Only what the widgets need
# is installed (no torch): the browser tests give the painter a stand-in generator there.
set -euo pipefail

VENV="${1:-.venv-classic}"
PYTHON="${PYTHON:-python3}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"

if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/pip" install --disable-pip-version-check --upgrade "pip>=24"
# ipycanvas's front end declares @jupyter-widgets/base ^4 (ipywidgets 7) as well as ^6 (8);
# Colab installs the newest ipycanvas next to its ipywidgets 7.7.1, and so do we.
"$VENV/bin/pip" install --disable-pip-version-check \
    "notebook==6.5.*" "ipywidgets==7.7.1" "ipycanvas>=0.13" "ipykernel>=6.29" \
    "numpy>=1.24" "pillow>=9.5"
"$VENV/bin/pip" install --disable-pip-version-check --no-deps -e "$ROOT"
"$VENV/bin/python" -c "import ipywidgets, ipycanvas, notebook; print('classic venv:', 'notebook', notebook.__version__, 'ipywidgets', ipywidgets.__version__, 'ipycanvas', ipycanvas.__version__)"
