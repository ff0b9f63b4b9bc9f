"""Where bundled files live, whether the library runs from a clone or from a wheel (Colab)."""

from __future__ import annotations

from pathlib import Path, PurePosixPath, PureWindowsPath

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


class UnusablePath(ValueError):
    """A path from a file that cannot name a file: says why."""


def resolve_inside(base: Path, relative: str, root: Path | None = None) -> Path | None:
    """``base/relative`` resolved, or None when it is absolute or leaves ``root`` (default ``base``).

    Paths read from annotation files (labelme's ``imagePath``, COCO's ``file_name``) must never
    reach outside their folder. Backslashes count as separators: labelme on Windows writes them.
    ``UnusablePath`` for a name no file can have (a NUL byte) or one caught in a symlink loop.
    """
    if "\0" in relative:
        raise UnusablePath(f"{relative!r} holds a NUL byte, which no file name can")
    name = PureWindowsPath(relative).as_posix()
    if PurePosixPath(name).is_absolute() or PureWindowsPath(relative).drive:
        return None
    try:
        candidate = (Path(base) / name).resolve()
    except (RuntimeError, OSError) as exc:  # Python < 3.13: RuntimeError; later: OSError (ELOOP)
        raise UnusablePath(f"{relative!r} is a symbolic link that loops ({exc})") from None
    if not candidate.is_relative_to(Path(root if root is not None else base).resolve()):
        return None
    return candidate
