"""Write notebooks/NN_*.ipynb from the build scripts beside this file (all, or those named).

Run: python scripts/build_notebooks/build.py [03 04 ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

from playground_lib.notebook_tools import notebook_from_script, write_notebook

HERE = Path(__file__).resolve().parent
NOTEBOOKS = HERE.parents[1] / "notebooks"


def main(prefixes: list[str]) -> None:
    scripts = sorted(p for p in HERE.glob("[0-9][0-9]_*.py") if not prefixes or p.name[:2] in prefixes)
    for script in scripts:
        name, nb = notebook_from_script(script)
        print("wrote", write_notebook(nb, NOTEBOOKS / name))


if __name__ == "__main__":
    main(sys.argv[1:])
