"""Where the series keeps what a participant makes: Google Drive in Colab, a local folder elsewhere.

A Colab runtime forgets its disk when it disconnects, so everything worth keeping (annotations,
the training set made from them, training runs, downloaded weights) goes to one folder of the
participant's Google Drive. On a laptop the same things go to one folder in the home directory.
Every notebook asks :func:`workspace_dir` for it, so what notebook 01 saves is what notebook 02
converts, and the weights notebook 05 downloads are the ones notebook 06 fine-tunes::

    <workspace>/annotations/   photos and their labelme .json files, side by side (notebook 01)
    <workspace>/coco.json      the COCO dataset made from them (notebook 02)
    <workspace>/spade/         the SPADE training folder (notebook 02, read by notebook 06)
    <workspace>/weights/       NVIDIA's pretrained generator (notebook 05)
    <workspace>/<run name>/    training runs: checkpoints and samples (notebook 06)

``$PLAYGROUND_WORKSPACE`` overrides the choice (the test suite points it at a temporary folder).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

COLAB_DRIVE = Path("/content/drive/MyDrive")
DRIVE_FOLDER_NAME = "generative_playgrounds"
WORKSPACE_ENV = "PLAYGROUND_WORKSPACE"
COLAB_LOCAL = Path("/content") / DRIVE_FOLDER_NAME  # only when Drive could not be mounted
_mount_refused = False


def in_colab() -> bool:
    """True inside a Google Colab runtime (its module is imported before any cell runs)."""
    return "google.colab" in sys.modules


def mount_drive() -> bool:
    """Mount Google Drive in Colab (it asks for permission once per runtime); True when it is there.

    Outside Colab, True only if a Drive happens to be mounted at the Colab place already. Asked
    once per runtime: after a refusal the series works on the runtime's disk without asking again.
    """
    global _mount_refused
    if in_colab() and not COLAB_DRIVE.is_dir() and not _mount_refused:
        try:
            from google.colab import drive

            drive.mount(str(COLAB_DRIVE.parent))
        except Exception as exc:  # refused permission, no Google account, timeout
            _mount_refused = True
            print(f"Google Drive is not connected ({exc}); your work stays on this runtime until it disconnects.")
    return COLAB_DRIVE.is_dir()


def workspace_dir(mount: bool = True) -> Path:
    """The series' working folder, created if needed (see the module docstring for what it holds).

    ``$PLAYGROUND_WORKSPACE`` if set; else the Drive folder (mounting Drive in Colab when
    ``mount``); else, in a Colab without Drive, a folder on the runtime's disk; else
    ``~/generative_playgrounds``.
    """
    if os.environ.get(WORKSPACE_ENV):
        folder = Path(os.environ[WORKSPACE_ENV]).expanduser()
    elif (mount and mount_drive()) or COLAB_DRIVE.is_dir():
        folder = COLAB_DRIVE / DRIVE_FOLDER_NAME
    elif in_colab():
        folder = COLAB_LOCAL
    else:
        folder = Path.home() / DRIVE_FOLDER_NAME
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def workspace_path(*parts: str, mount: bool = True) -> Path:
    """A path inside the working folder, e.g. ``workspace_path("spade")`` (not created)."""
    return workspace_dir(mount).joinpath(*parts)
