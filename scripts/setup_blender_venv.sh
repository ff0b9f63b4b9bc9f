#!/usr/bin/env bash
# Create .venv-blender: Blender as a Python module (bpy), for playground_lib.synthetic.blender.
#
# bpy ships only for one Python minor version (3.11 for Blender 4.x/5.0) and pins numpy < 2,
# so it cannot share .venv (numpy 2.x). The main library talks to it through a subprocess.
# Usage: bash scripts/setup_blender_venv.sh [VENV_DIR]   (default .venv-blender)
set -euo pipefail
VENV="${1:-.venv-blender}"
PYTHON="${BLENDER_PYTHON:-python3.11}"
BPY_SPEC="${BPY_SPEC:-bpy==5.0.1}"
export PIP_DISABLE_PIP_VERSION_CHECK=1

if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c "import bpy" 2>/dev/null; then
    echo "$VENV: bpy already installed"
    exit 0
fi
if ! command -v "$PYTHON" >/dev/null 2>&1; then
    echo "setup_blender_venv: $PYTHON not found; bpy ships for Python 3.11 only (set BLENDER_PYTHON)" >&2
    exit 1
fi
"$PYTHON" -m venv "$VENV"
"$VENV/bin/pip" install -q "$BPY_SPEC" "numpy<2"
"$VENV/bin/python" -c "import bpy; print('bpy', bpy.app.version_string, 'in', '$VENV')"
