"""Where the series keeps what a participant makes: Google Drive in Colab, the local disk elsewhere.

A Colab runtime forgets its disk when it disconnects, so everything worth keeping (weights,
annotations, training runs) goes to one folder of the participant's Google Drive, and the Drive
holds one tidy folder. On a laptop the same things stay on the local disk.
"""

from __future__ import annotations

import sys
from pathlib import Path

COLAB_DRIVE = Path("/content/drive/MyDrive")
DRIVE_FOLDER_NAME = "generative_playgrounds"


def in_colab() -> bool:
    """True inside a Google Colab runtime (its module is imported before any cell runs)."""
    return "google.colab" in sys.modules
