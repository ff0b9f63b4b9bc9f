"""One process at a time in a folder: a lock file naming its holder, taken over once the holder is dead.

Two trainings writing checkpoints into one run folder delete each other's half-written saves; a
second ``train --resume`` started by mistake in another terminal must stop at once and say which
process holds the folder. The lock is a file made with ``O_EXCL`` holding the holder's process id
and host; a holder killed outright (SIGKILL, a restarted runtime) leaves it behind, and a later
process on the same host that finds that process gone takes the lock over.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path


class FolderLocked(ValueError):
    """Another live process holds the folder: names the folder, what holds it and its process id."""


def process_alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine (one of another user counts as alive)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def lock_path(folder: str | os.PathLike, purpose: str) -> Path:
    return Path(folder) / f".{purpose}.lock"


@contextlib.contextmanager
def hold(folder: str | os.PathLike, purpose: str) -> Iterator[Path]:
    """Hold ``folder`` for ``purpose`` (e.g. "training") while the block runs; ``FolderLocked`` if another does.

    Re-entrant within one process: a block inside another for the same folder holds it already.
    """
    path = lock_path(folder, purpose)
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.strftime("%Y-%m-%d %H:%M:%S")}
    if _is_ours(_holder(path)):
        yield path  # this process holds it already
        return
    _take(path, purpose, record)
    try:
        yield path
    finally:
        if (_holder(path) or {}).get("pid") == os.getpid():
            path.unlink(missing_ok=True)


def check_free(folder: str | os.PathLike, purpose: str) -> None:
    """``FolderLocked`` when another live process holds ``folder``: before touching what it may be writing."""
    path = lock_path(folder, purpose)
    holder = _holder(path)
    if holder and not _is_ours(holder) and _alive(holder):
        raise FolderLocked(_held_message(path, purpose, holder))


def _held_message(path: Path, purpose: str, holder: dict) -> str:
    return (
        f"{path.parent}: another {purpose} holds this folder (process {holder.get('pid')} on "
        f"{holder.get('host')}, since {holder.get('started')}); wait for it to finish or stop it, "
        "or use another folder"
    )


def _take(path: Path, purpose: str, record: dict) -> None:
    for _attempt in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            holder = _holder(path) or {}
            if not holder and _age(path) < 5:  # being written by a process that took it this very moment
                break
            if _alive(holder):
                raise FolderLocked(_held_message(path, purpose, holder)) from None
            path.unlink(missing_ok=True)  # its holder is gone: a stale lock
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            json.dump(record, file)
        return
    raise FolderLocked(f"{path.parent}: another {purpose} took this folder at the same moment")


def _age(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return float("inf")


def _is_ours(holder: dict | None) -> bool:
    """Whether a lock's record names this very process."""
    return holder is not None and holder.get("pid") == os.getpid() and holder.get("host") == socket.gethostname()


def _holder(path: Path) -> dict | None:
    try:
        holder = json.loads(path.read_text(encoding="utf-8"))  # not fileio.read_json: fileio imports this module
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {}  # unreadable or half-written: treated as stale
    return holder if isinstance(holder, dict) else {}


def _alive(holder: dict) -> bool:
    """A holder on another host (a shared Drive) cannot be checked from here: it counts as alive."""
    pid = holder.get("pid")
    if not isinstance(pid, int) or isinstance(pid, bool):
        return False
    if holder.get("host") != socket.gethostname():
        return True
    return process_alive(pid)
