"""A datasheet for every dataset: what is in it, counted; what only people know, asked.

"Datasheets for Datasets" (Gebru, Morgenstern, Vecchione, Wortman Vaughan, Wallach, Daumé III and
Crawford, Communications of the ACM 64(12), 2021; arXiv:1803.09010) asks the makers of a dataset to
answer questions in seven sections: motivation, composition, collection process, preprocessing /
cleaning / labelling, uses, distribution and maintenance. Some answers can be counted from the
files (how many images, which classes, how many show people, how many are synthetic); the others
only the people who made the dataset can give (who took the photos, did the people in them agree).

``write_datasheet`` does the counting from a COCO json or a SPADE training folder and writes
``DATASHEET.md`` with the counted facts filled in and every other question left as a clear prompt,
plus ``class_balance.png`` and ``datasheet_stats.json``.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .fileio import check_output_folder, read_json, read_png, write_json, write_text
from .labels import OTHER, ade20k_value, class_name

PERSON = "person"
PROMPT = "> ✍️ **To answer:**"
SOURCE_PREFIXES = {"scene_": "synthetic (procedural)", "blender_": "synthetic (Blender)"}
PHOTO = "photographed (assumed: check)"


@dataclass
class ClassStats:
    name: str
    value: int | None  # ADE20K value, None for a class outside ADE20K
    pixels: int = 0
    instances: int = 0
    images: int = 0  # images in which the class appears
    share: float = 0.0  # of all pixels


@dataclass
class DatasetStats:
    name: str
    kind: str  # "COCO" or "SPADE folder"
    source: str
    images: int = 0
    sizes: dict[str, int] = field(default_factory=dict)  # "WxH" -> images
    total_pixels: int = 0
    unlabelled_pixels: int = 0
    ignored_pixels: int = 0
    classes: list[ClassStats] = field(default_factory=list)
    images_with_people: int = 0
    people: int = 0
    sources: dict[str, int] = field(default_factory=dict)
    splits: dict[str, int] = field(default_factory=dict)

    @property
    def synthetic(self) -> int:
        return sum(n for s, n in self.sources.items() if s.startswith("synthetic"))

    def to_json(self) -> dict:
        return {**asdict(self), "synthetic_images": self.synthetic, "photographed_images": self.images - self.synthetic}


def source_of(file_name: str, entry: dict | None = None) -> str:
    """Where an image came from: the entry's own ``source``/``synthetic`` field, else its file name."""
    entry = entry or {}
    if entry.get("source"):
        return str(entry["source"])
    if entry.get("synthetic") is True:
        return "synthetic"
    stem = Path(file_name).name
    for prefix, source in SOURCE_PREFIXES.items():
        if stem.startswith(prefix):
            return source
    return PHOTO


def _ade_value(name: str) -> int | None:
    try:
        return ade20k_value(name)
    except KeyError:
        return None


# --------------------------------------------------------------------------------------------
# Counting
# --------------------------------------------------------------------------------------------


def collect_stats(source: str | os.PathLike, name: str | None = None, progress: bool = True) -> DatasetStats:
    """Count a COCO json file or a SPADE folder (``labels/``, ``instances/``, optional ``dataset.json``)."""
    source = Path(source)
    if source.is_file():
        return _coco_stats(source, name or source.stem, progress)
    if source.is_dir():
        return _spade_stats(source, name or source.name, progress)
    raise FileNotFoundError(f"{source}: no such COCO json file or SPADE folder")


def _coco_stats(path: Path, name: str, progress: bool) -> DatasetStats:
    from tqdm.auto import tqdm

    from .coco.read import CocoError, coco_entries, load_coco

    coco, where = load_coco(path)
    entries, problems = coco_entries(coco, where)
    if problems:
        raise CocoError(problems)
    classes = [ClassStats(c["name"], _ade_value(c["name"])) for c in entries.categories.values()]
    index_of = {category_id: index for index, category_id in enumerate(entries.categories)}
    stats = DatasetStats(name, "COCO", str(path))
    by_image: dict[Any, list[dict]] = {}
    for ann in entries.annotations:
        by_image.setdefault(ann["image_id"], []).append(ann)
    sizes: Counter[str] = Counter()
    sources: Counter[str] = Counter()
    splits: Counter[str] = Counter()
    for image in tqdm(coco["images"], desc="Counting", unit="image", disable=not progress):
        if image["id"] not in entries.images:
            continue
        h, w = image["height"], image["width"]
        sizes[f"{w}x{h}"] += 1
        sources[source_of(image.get("file_name", ""), image)] += 1
        if isinstance(image.get("split"), str) and image["split"]:
            splits[image["split"]] += 1
        painted = np.full((h, w), UNLABELLED, dtype=np.int32)  # class index per pixel, later annotations on top
        for ann in by_image.get(image["id"], []):
            mask = _decode(ann, h, w)
            index = index_of.get(ann["category_id"])
            if ann.get("iscrowd") or index is None:
                painted[mask] = IGNORED  # crowd / ignore regions: "don't care"
                continue
            painted[mask] = index
            classes[index].instances += 1
        ids, counts = np.unique(painted, return_counts=True)
        for index, count in zip(ids.tolist(), counts.tolist()):
            if index == UNLABELLED:
                stats.unlabelled_pixels += count
            elif index == IGNORED:
                stats.ignored_pixels += count
            else:
                classes[index].pixels += count
                classes[index].images += 1
        stats.total_pixels += h * w
    stats.images = len(entries.images)
    stats.sizes, stats.sources, stats.splits = dict(sizes), dict(sources), dict(splits)
    _finish(stats, classes)
    return stats


UNLABELLED, IGNORED = -1, -2  # painted values of pixels no class owns


def _decode(annotation: dict, h: int, w: int) -> np.ndarray:
    """The annotation's mask (checked by :func:`.coco.read.coco_entries`); a box alone is an empty mask."""
    from .coco.masks import annotation_mask

    if not annotation.get("segmentation"):
        return np.zeros((h, w), dtype=bool)
    return annotation_mask(annotation, h, w)


def _spade_stats(folder: Path, name: str, progress: bool) -> DatasetStats:
    from tqdm.auto import tqdm

    label_files = sorted((folder / "labels").glob("*.png"))
    if not label_files:
        raise ValueError(f"{folder}: not a SPADE folder, no labels/*.png")
    meta = {}
    if (folder / "dataset.json").is_file():
        try:
            meta = read_json(folder / "dataset.json")
        except ValueError as exc:
            raise ValueError(f"{folder / 'dataset.json'}: {exc}") from None
        if not isinstance(meta, dict):
            raise ValueError(f"{folder / 'dataset.json'}: not a SPADE dataset.json (an object with classes and splits)")
    splits_meta, source_by_stem = meta.get("splits") or {}, meta.get("sources") or {}
    if not (
        isinstance(splits_meta, dict)
        and all(isinstance(stems, list) and all(isinstance(s, str) for s in stems) for stems in splits_meta.values())
        and isinstance(source_by_stem, dict)
        and all(isinstance(source, str) for source in source_by_stem.values())
    ):
        raise ValueError(
            f'{folder / "dataset.json"}: "splits" must map each split to a list of names '
            'and "sources" each name to text'
        )
    split_of = {stem: split for split, stems in splits_meta.items() for stem in stems}
    stats = DatasetStats(name, "SPADE folder", str(folder))
    pixels = np.zeros(256, dtype=np.int64)
    instances = np.zeros(256, dtype=np.int64)
    images_with = np.zeros(256, dtype=np.int64)
    sizes: Counter[str] = Counter()
    sources: Counter[str] = Counter()
    splits: Counter[str] = Counter()
    for path in tqdm(label_files, desc="Counting", unit="image", disable=not progress):
        labels = read_png(path)
        if labels.ndim != 2 or labels.dtype != np.uint8:
            raise ValueError(
                f"{path}: a label map must be a single-channel 8-bit PNG, got shape {labels.shape} {labels.dtype}"
            )
        h, w = labels.shape
        sizes[f"{w}x{h}"] += 1
        image_names = sorted((folder / "images").glob(f"{path.stem}.*"))
        sources[source_by_stem.get(path.stem) or source_of(image_names[0].name if image_names else path.name)] += 1
        if path.stem in split_of:
            splits[split_of[path.stem]] += 1
        counts = np.bincount(labels.ravel(), minlength=256)
        pixels += counts
        images_with += counts > 0
        instance_path = folder / "instances" / path.name
        if instance_path.is_file():
            instances += _instances_per_class(labels, read_png(instance_path), instance_path)
        stats.total_pixels += h * w
    stats.images = len(label_files)
    stats.unlabelled_pixels = int(pixels[OTHER])
    stats.sizes, stats.sources, stats.splits = dict(sizes), dict(sources), dict(splits)
    classes = []
    for value in np.nonzero(pixels)[0].tolist():
        if value == OTHER:
            continue
        if value > 150:
            raise ValueError(f"{folder}: label maps hold value {value}, outside ADE20K's 0..150")
        classes.append(
            ClassStats(class_name(value), value, int(pixels[value]), int(instances[value]), int(images_with[value]))
        )
    _finish(stats, classes)
    return stats


def _instances_per_class(labels: np.ndarray, instance_map: np.ndarray, path: Path) -> np.ndarray:
    """Objects per class in one image: each instance id counts once, for the class most of it has."""
    if instance_map.shape != labels.shape:
        raise ValueError(f"{path}: instance map is {instance_map.shape}, its label map {labels.shape}")
    keys = instance_map.astype(np.int64) * 256 + labels
    pairs, counts = np.unique(keys[instance_map > 0], return_counts=True)
    best: dict[int, tuple[int, int]] = {}
    for key, count in zip(pairs.tolist(), counts.tolist()):
        instance, value = divmod(key, 256)
        if count > best.get(instance, (0, -1))[0]:
            best[instance] = (count, value)
    return np.bincount([value for _, value in best.values()], minlength=256).astype(np.int64)


def _finish(stats: DatasetStats, classes: list[ClassStats]) -> None:
    total = max(stats.total_pixels, 1)
    for c in classes:
        c.share = c.pixels / total
    stats.classes = sorted((c for c in classes if c.pixels or c.instances), key=lambda c: (-c.pixels, c.name))
    people = [c for c in stats.classes if c.value == ade20k_value(PERSON) or c.name == PERSON]
    stats.people = sum(c.instances for c in people)
    stats.images_with_people = max((c.images for c in people), default=0)


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def render_datasheet(stats: DatasetStats, plot_name: str | None = "class_balance.png") -> str:
    """The DATASHEET.md text: counted facts filled in, the rest as prompts for the dataset's makers."""
    s = stats
    photographed = s.images - s.synthetic
    lines = [
        f"# Datasheet: {s.name}",
        "",
        f"Following *Datasheets for Datasets* (Gebru et al., 2021). Counted from `{s.source}` ({s.kind}); "
        "the facts marked 📊 were computed; each line starting with ✍️ waits for an answer from the people who "
        "made the dataset.",
        "",
    ]
    section = lambda title: lines.extend([f"## {title}", ""])  # noqa: E731
    ask = lambda *questions: lines.extend(line for q in questions for line in (f"{PROMPT} {q}", ""))  # noqa: E731

    section("1. Motivation")
    ask(
        "For what purpose was this dataset created? Which task, which gap did it fill?",
        "Who created it (people, workshop, organisation), and who paid for it?",
    )

    section("2. Composition")
    lines += [
        f"- 📊 **Images:** {s.images}; sizes: "
        + ", ".join(f"{k} px × {v}" for k, v in sorted(s.sizes.items(), key=lambda kv: -kv[1])),
        f"- 📊 **Synthetic vs photographed:** {s.synthetic} synthetic, "
        f"{photographed} photographed or of unknown origin",
        "- 📊 **Sources:** " + ", ".join(f"{k}: {v}" for k, v in sorted(s.sources.items())),
        f"- 📊 **Unlabelled pixels:** {100 * s.unlabelled_pixels / max(s.total_pixels, 1):.1f}%"
        + (f"; marked *ignore*: {100 * s.ignored_pixels / max(s.total_pixels, 1):.1f}%" if s.ignored_pixels else ""),
    ]
    if s.splits:
        lines.append("- 📊 **Splits:** " + ", ".join(f"{k}: {v}" for k, v in sorted(s.splits.items())))
    lines += ["", "| class | ADE20K value | % of pixels | objects | images |", "| --- | ---: | ---: | ---: | ---: |"]
    lines += [
        f"| {c.name} | {c.value if c.value is not None else '–'} | {100 * c.share:.2f} | {c.instances} | {c.images} |"
        for c in s.classes
    ]
    objects = "annotations" if s.kind == "COCO" else "instances visible in the instance maps"
    lines += [
        "",
        f"*Objects* counts {objects}. A source comes from an image's own `source` field, else its file name "
        "(`scene_*`: procedural, `blender_*`: Blender); every other image is assumed photographed, so check it.",
        "",
    ]
    if plot_name:
        lines += [f"![Class balance]({plot_name})", ""]
    rare = [c.name for c in s.classes if c.share < 0.01]
    if rare:
        lines += [f"📊 Classes under 1% of the pixels: {', '.join(rare)}. A model will see them rarely.", ""]
    if s.images_with_people:
        lines += [
            f"⚠️ 📊 **People:** {s.images_with_people} of {s.images} images show people ({s.people} person objects)."
            + (
                " Every image is synthetic: these people were drawn by code, nobody real is shown."
                if s.synthetic == s.images
                else ""
            ),
            "",
        ]
        ask(
            "Did every person shown (or their guardian, for children) agree to be photographed and to be in this "
            "dataset? How was consent recorded?",
            "Can people be identified (faces, clothing, places)? Were faces blurred or removed?",
            "How can someone ask to be removed, and who answers?",
        )
    else:
        lines += ["📊 **People:** no pixel is labelled *person*.", ""]
        ask("Are there people in the pictures who were not labelled (in the background, reflections)?")
    ask(
        "What does one image show (a whole playground, a detail)? Is anything missing on purpose?",
        "Does the dataset contain anything confidential or that someone could find offensive?",
    )

    section("3. Collection process")
    ask(
        "How were the photos taken or the scenes generated (who, where, when, with which device or program)?",
        "Were the places public or private? Was permission to photograph asked for?",
        "If some images are synthetic, what were they made with, and which settings or seeds?",
    )

    section("4. Preprocessing, cleaning and labelling")
    lines += [
        "- 📊 Label maps hold raw ADE20K values (0 = other), the values SPADE/GauGAN's ADE20K model was trained on.",
        f"- 📊 Synthetic images ({s.synthetic}) are labelled by the program that drew them: their masks are exact.",
        "",
    ]
    ask(
        "Who labelled the photos (volunteers, participants, paid annotators)? Under what conditions and pay?",
        "Which tool and instructions did they use? How were disagreements and mistakes handled?",
        "Is the raw, unlabelled data kept? Where?",
    )

    section("5. Uses")
    ask(
        "What has the dataset been used for already (workshops, models)?",
        "What should it *not* be used for (for example: recognising people, surveillance)?",
        "Could the way it was made harm or leave out some group of people or places?",
    )

    section("6. Distribution")
    ask(
        "Will the dataset be shared? With whom, how, and from when?",
        "Under which licence? Do the photos carry their own rights (photographers, people shown)?",
    )

    section("7. Maintenance")
    ask(
        "Who maintains the dataset and how can they be contacted?",
        "Will it be updated (new images, corrected labels)? How will users learn of changes?",
    )
    return "\n".join(lines).rstrip() + "\n"


def write_datasheet(
    source: str | os.PathLike, out_dir: str | os.PathLike, name: str | None = None, progress: bool = True
) -> Path:
    """Count ``source`` and write ``DATASHEET.md``, ``class_balance.png`` and ``datasheet_stats.json`` into
    ``out_dir``."""
    from .figures.datasheet import write_class_balance

    out_dir = check_output_folder(out_dir)  # before the counting, which reads every label map
    stats = collect_stats(source, name, progress)
    write_class_balance(stats, out_dir / "class_balance.png")
    write_json(out_dir / "datasheet_stats.json", stats.to_json())
    return write_text(out_dir / "DATASHEET.md", render_datasheet(stats))
