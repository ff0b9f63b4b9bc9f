"""Writing files so that nothing is ever half-written.

Every output of the library goes through a temporary file in the destination folder and an
atomic rename: a crash, a full disk or a Colab disconnect leaves either the old file or the new
one, never a truncated PNG or JSON that breaks the next notebook.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image


@contextlib.contextmanager
def atomic_path(destination: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``destination``; rename it into place on success."""
    destination = Path(destination)
    with output_failures(destination):
        destination.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{destination.name}.", suffix=".tmp", dir=destination.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        with output_failures(destination):
            yield tmp_path
            tmp_path.chmod(_mode_for(destination))
            os.replace(tmp_path, destination)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


# What the system says when an output cannot be written, whoever writes it: these become OutputError.
WRITE_ERRNOS = {errno.EFBIG, errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOTDIR}
_REASONS = {
    errno.EFBIG: "file too large: the disk's or this session's file-size limit (ulimit -f) is reached",
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
}


def write_failure_reason(exc: OSError) -> str:
    """One plain reason for a failed write (``[Errno 27] File too large`` says nothing about a limit)."""
    return _REASONS.get(exc.errno or 0, exc.strerror or str(exc))


@contextlib.contextmanager
def output_failures(destination: str | os.PathLike) -> Iterator[None]:
    """Turn a full disk, a file-size limit or a refused write into ``OutputError`` naming ``destination``.

    A disk fills up or a limit is reached only while writing, after every check has passed: this
    is where the one-line message comes from instead of ``OSError: [Errno 27]``.
    """
    try:
        yield
    except OSError as exc:
        if exc.errno not in WRITE_ERRNOS:
            raise
        reason = write_failure_reason(exc)
        raise OutputError(f"{destination}: cannot be written ({reason}); nothing was written") from None


def _mode_for(destination: Path) -> int:
    """The mode a plain ``open(destination, "w")`` would leave: the old file's, else 0666 less the umask.

    ``mkstemp`` makes owner-only files, and the mode survives the rename: without this a dataset
    copied to a shared folder or served to a room would be unreadable to everyone else.
    """
    try:
        return stat.S_IMODE(destination.stat().st_mode)
    except FileNotFoundError:
        return 0o666 & ~_umask()


def new_folder_mode() -> int:
    """The mode ``mkdir`` would give a folder (0777 less the umask): ``mkdtemp`` gives 0700."""
    return 0o777 & ~_umask()


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


class OutputError(ValueError):
    """An output path that cannot be written, found before any work is done: names the path and why."""


def check_output_file(path: str | os.PathLike) -> Path:
    """Refuse, before a long job, an output file that is a folder or whose folder cannot be written."""
    path = Path(path)
    _refuse_dangling_link(path)
    if path.is_dir():
        raise OutputError(f"{path}: is a folder; give the name of the file to write inside it")
    _check_writable_folder_for(path)
    return path


def check_output_folder(path: str | os.PathLike) -> Path:
    """Refuse an output folder that is a file, or that cannot be made beside its siblings."""
    path = Path(path)
    _refuse_dangling_link(path)
    if path.exists() and not path.is_dir():
        raise OutputError(f"{path}: is a file, not a folder")
    _check_writable_folder_for(path)
    return path


def _refuse_dangling_link(path: Path) -> None:
    """A symbolic link to nothing: writing through it would fail half-way, or land somewhere unexpected."""
    if path.is_symlink() and not path.exists():
        raise OutputError(f"{path}: is a symbolic link to {os.readlink(path)}, which does not exist")


def _check_writable_folder_for(path: Path) -> None:
    """The nearest existing folder above ``path`` must be a folder we can create files in.

    Tried with a real file rather than ``os.access``: root (Colab) passes ``os.access`` on
    read-only folders, and a read-only mount (a shared Drive) refuses writes whatever the mode.
    """
    folder = path.absolute().parent
    while not folder.exists() and folder != folder.parent:
        _refuse_dangling_link(folder)
        folder = folder.parent
    if not folder.is_dir():
        raise OutputError(f"{path}: {folder} is a file, not a folder")
    try:
        fd, probe = tempfile.mkstemp(prefix=".playground-write-test-", dir=folder)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write in {folder} ({exc.strerror or exc})") from None
    os.close(fd)
    os.unlink(probe)


@contextlib.contextmanager
def atomic_folder(destination: str | os.PathLike, replace: bool = False, merge: bool = False) -> Iterator[Path]:
    """Yield an empty folder beside ``destination`` to fill; on success it becomes ``destination``.

    A run that stops half-way (an error, Ctrl-C, a full disk) removes the half-built folder, so
    ``destination`` holds what it held before or the complete new contents, never a mixture.
    An existing ``destination`` is replaced only with ``replace`` (or when it is an empty folder);
    the old one is renamed aside first and deleted once the new one is in place. With ``merge``
    the new files are moved into an existing ``destination`` instead, each replacing one of its
    name, the others kept.
    """
    destination = Path(destination).resolve()
    check_output_folder(destination)
    if _has_contents(destination) and not (replace or merge):
        raise OutputError(f"{destination}: already exists and is not empty")
    remove_stale_builds(destination)
    with output_failures(destination):
        prefix = f".{destination.name}.building-{os.getpid()}-"
        build = Path(tempfile.mkdtemp(prefix=prefix, dir=destination.parent))
    try:
        yield build
        with output_failures(destination):
            build.chmod(new_folder_mode())
            if merge and _has_contents(destination):
                for entry in sorted(build.iterdir()):
                    os.replace(entry, destination / entry.name)
            else:
                _move_into_place(build, destination)
    finally:
        if build.exists():
            shutil.rmtree(build, ignore_errors=True)


def remove_stale_builds(destination: Path) -> None:
    """Delete the build folders beside ``destination`` of runs killed outright (SIGKILL), not of live ones.

    The build folder's name carries its process id; one of a process still running (the same
    command started twice) is left alone. Names from before ids were kept count as stale.
    """
    from .process_lock import process_alive

    for stale in destination.parent.glob(f".{destination.name}.building-*"):
        pid = stale.name.removeprefix(f".{destination.name}.building-").split("-")[0]
        if not (pid.isdigit() and process_alive(int(pid))):
            shutil.rmtree(stale, ignore_errors=True)


def _has_contents(folder: Path) -> bool:
    return folder.is_dir() and any(folder.iterdir())


def _move_into_place(build: Path, destination: Path) -> None:
    if not _has_contents(destination):
        os.replace(build, destination)  # a missing or empty destination: one rename
        return
    old = Path(tempfile.mkdtemp(prefix=f".{destination.name}.old-", dir=destination.parent))
    os.replace(destination, old / destination.name)
    try:
        os.replace(build, destination)
    except BaseException:  # Ctrl-C between the two renames: the old folder goes back
        os.replace(old / destination.name, destination)
        raise
    shutil.rmtree(old, ignore_errors=True)


def write_bytes(destination: str | os.PathLike, data: bytes) -> Path:
    with atomic_path(destination) as tmp:
        tmp.write_bytes(data)
    return Path(destination)


def write_text(destination: str | os.PathLike, text: str) -> Path:
    return write_bytes(destination, text.encode("utf-8"))


def write_json(destination: str | os.PathLike, obj: Any, indent: int | None = 2) -> Path:
    return write_text(destination, json.dumps(obj, indent=indent, ensure_ascii=False) + "\n")


def write_png(destination: str | os.PathLike, array: np.ndarray) -> Path:
    """Save an array as PNG: HxWx3 uint8 as RGB, HxW uint8 as L, HxW uint16 as 16-bit grey."""
    array = np.asarray(array)
    if array.dtype == np.uint16 and array.ndim != 2:
        raise ValueError(f"{destination}: 16-bit PNGs must be single-channel, got shape {array.shape}")
    if array.dtype not in (np.uint8, np.uint16):
        raise ValueError(f"{destination}: expected uint8 or uint16 pixels, got {array.dtype}")
    image = Image.fromarray(np.ascontiguousarray(array))
    with atomic_path(destination) as tmp:
        image.save(tmp, format="PNG", optimize=False)
    return Path(destination)


def read_png(path: str | os.PathLike) -> np.ndarray:
    """Read a label, instance or RGB PNG back to the array ``write_png`` was given."""
    path = Path(path)
    try:
        with Image.open(path) as image:
            if image.mode in ("I;16", "I;16B", "I"):
                return np.asarray(image).astype(np.uint16)
            if image.mode == "P":
                return np.asarray(image)
            if image.mode not in ("L", "RGB"):
                return np.asarray(image.convert("RGB"))
            return np.asarray(image).copy()
    except FileNotFoundError:
        raise
    except Exception as exc:  # PIL raises many kinds of errors for broken files
        raise ValueError(f"{path}: not a readable image ({exc})") from exc


def read_json(path: str | os.PathLike) -> Any:
    """A JSON file's content; ValueError with a one-line reason for anything that is not JSON.

    Files from other tools and other people can be anything: not UTF-8, cut short, nested a
    hundred thousand levels deep (Python's parser then runs out of recursion), a number of
    thousands of digits. Each becomes a message instead of a traceback. FileNotFoundError passes.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")  # a byte-order mark (some Windows editors) is fine
    except FileNotFoundError:
        raise
    except UnicodeDecodeError as exc:
        raise ValueError(f"not a UTF-8 text file ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise ValueError(f"cannot be read ({exc.strerror or exc})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON (line {exc.lineno} column {exc.colno}: {exc.msg})") from None
    except RecursionError:
        raise ValueError("not valid JSON (nested too deeply)") from None
    except ValueError as exc:  # a number of more than 4,300 digits
        raise ValueError(f"not valid JSON ({exc})") from None
