"""Settings dataclasses read back from JSON/YAML: a typo names itself instead of vanishing.

A misspelt key in a config file (``ngff: 16``) would otherwise be ignored or crash deep inside
a constructor; both the generator and the training configs check their keys here first.
"""

from __future__ import annotations

import dataclasses
from typing import Any


def reject_unknown_keys(cls, data: dict[str, Any], source: str) -> None:
    """Raise ValueError naming ``source`` and every key that is not a field of dataclass ``cls``."""
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValueError(f"{source}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
