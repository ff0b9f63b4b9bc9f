"""Where bundled files live, whether the library runs from a clone or from a wheel (Colab)."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def data_dir() -> Path:
    """The bundled samples folder.

    A wheel carries ``data/`` inside the package as ``bundled_data`` (Colab installs from git
    without the repository folder); an editable install or a clone reads ``data/`` at the
    repository root directly.
    """
    packaged = PACKAGE_DIR / "bundled_data"
    if packaged.is_dir():
        return packaged
    checkout = PACKAGE_DIR.parent.parent / "data"
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(
        f"bundled samples not found: looked in {packaged} and {checkout}. "
        "Reinstall the library or run from a clone of the repository."
    )


def package_file(name: str) -> Path:
    """A data file shipped inside the package itself (palettes, the small model)."""
    path = PACKAGE_DIR / name
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing from the installed package")
    return path
