"""What painting code needs from a generator: a function from a label map to a picture.

The painter and the event background take this plain callable, not a SPADE class, so they work
with any generator (a stand-in in tests) and never import torch themselves.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

LabelsToImage = Callable[[np.ndarray], np.ndarray]
"""H x W uint8 ADE20K values -> H x W x 3 uint8 RGB, e.g. ``load_generator(None).generate``."""
