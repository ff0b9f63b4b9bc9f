"""Which COCO categories a labelme set has: the playground schema, a ``labels.txt`` or a list of names.

Category ids count from 1 in list order, as labelme's own ``labels.txt`` convention has them;
``__ignore__`` regions get category 0 (:data:`IGNORE_CATEGORY_ID`), which evaluators and
:func:`playground_lib.coco.to_spade.coco_to_spade` treat as "don't care".
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import labels as schema
from ..labelme.format import BACKGROUND_LABEL, IGNORE_LABEL

IGNORE_CATEGORY_ID = 0


@dataclass
class Categories:
    """Which labels exist, their COCO ids (from 1) and, where known, their ADE20K values."""

    entries: list[dict[str, Any]]
    by_label: dict[str, int] = field(default_factory=dict)  # exact label -> category id
    use_schema: bool = False

    def resolve(self, label: str) -> int | str | None:
        """Category id, ``"ignore"``, ``"background"``, or None for an unknown label."""
        if label.strip() == IGNORE_LABEL:
            return "ignore"
        if label.strip() in (BACKGROUND_LABEL,) or (
            self.use_schema and schema.canonical_name(label) in ("background", "other")
        ):
            return "background"
        if self.use_schema:
            return self.by_label.get(schema.canonical_name(label))
        return self.by_label.get(label)

    def complaint(self, label: str) -> str | None:
        """What is wrong with a label (None: fine), as check_labelme wants it."""
        if self.resolve(label) is None:
            return f"unknown label {label!r}: not in {self.describe()}"
        return None

    def describe(self) -> str:
        names = ", ".join(e["name"] for e in self.entries)
        return f"the label list ({names})" if not self.use_schema else f"the playground schema ({names}) or its aliases"


def read_labels_txt(path: str | os.PathLike) -> list[str]:
    """Names from a labelme-style ``labels.txt``: one a line, blank lines skipped."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise ValueError(f"{path}: labels file not found") from None
    names = [line.strip() for line in lines if line.strip()]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValueError(f"{path}: label {name!r} is listed twice")
        seen.add(name)
    if not [n for n in names if n not in (IGNORE_LABEL, BACKGROUND_LABEL)]:
        raise ValueError(f"{path}: no labels in it")
    return names


def make_categories(labels: str | os.PathLike | Sequence[str] | None = None) -> Categories:
    """The schema's classes (``labels=None``), a ``labels.txt`` path, or a list of names."""
    if labels is None:
        entries: list[dict[str, Any]] = [
            {"id": i, "name": c.name, "supercategory": "playground", "ade20k_value": c.ade20k_value}
            for i, c in enumerate(schema.playground_classes(), start=1)
        ]
        return Categories(entries, {e["name"]: e["id"] for e in entries}, use_schema=True)
    names = read_labels_txt(labels) if isinstance(labels, (str, os.PathLike)) else list(labels)
    entries = []
    for name in names:
        if name in (IGNORE_LABEL, BACKGROUND_LABEL):
            continue
        entry: dict[str, Any] = {"id": len(entries) + 1, "name": name, "supercategory": "playground"}
        with contextlib.suppress(KeyError):  # fine for COCO; coco_to_spade asks for a value then
            entry["ade20k_value"] = schema.ade20k_value(name)
        entries.append(entry)
    return Categories(entries, {e["name"]: e["id"] for e in entries})
