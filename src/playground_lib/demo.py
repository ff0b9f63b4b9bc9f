"""The main job: the whole pipeline of the series, end to end on bundled data, on a CPU, offline.

``make demo`` (``playground demo --out outputs``) runs it. It is also the facilitator's rehearsal:
if this runs on the laptop before the workshop, every notebook's library calls work there too.
Each stage writes its pictures under ``OUT/demo/`` and a line into ``OUT/demo/index.md``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .fileio import write_json, write_png, write_text

PICTURE: dict[str, Any] = {"dpi": 80, "bbox_inches": "tight"}  # small files: the demo's pictures are for a quick look


@dataclass
class DemoSizes:
    """How big each stage runs: the full demo takes a few minutes on a laptop, quick a few seconds."""

    scenes: int = 12
    scene_size: int = 128
    train_steps: int = 30
    train_crop: int = 64
    train_ngf: int = 16
    tiles: tuple[int, int] = (20, 15)
    model_size: int = 256

    @classmethod
    def quick(cls) -> DemoSizes:
        return cls(scenes=4, scene_size=64, train_steps=2, train_crop=64, train_ngf=8, tiles=(8, 6), model_size=64)


@dataclass
class DemoReport:
    out_dir: Path
    lines: list[str] = field(default_factory=list)
    pictures: list[Path] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    def add(self, text: str, picture: Path | None = None) -> None:
        self.lines.append(text)
        if picture is not None:
            self.pictures.append(picture)
            self.lines.append(f"![{picture.stem}]({picture.relative_to(self.out_dir).as_posix()})")

    def write(self) -> Path:
        timing = "\n".join(f"- {stage}: {secs:.1f} s" for stage, secs in self.seconds.items())
        body = (
            "# Generative Playgrounds: the demo run\n\n"
            + "\n\n".join(self.lines)
            + f"\n\n## Time per stage\n\n{timing}\n"
        )
        return write_text(self.out_dir / "index.md", body)


def stage_scenes(report: DemoReport, sizes: DemoSizes) -> Path:
    from .figures.common import save_figure
    from .figures.synthetic import show_scenes
    from .synthetic import write_scenes

    folder = report.out_dir / "scenes"
    shown = []
    write_scenes(
        folder,
        sizes.scenes,
        size=sizes.scene_size,
        seed=0,
        on_scene=lambda i, scene: shown.append(scene) if i < 4 else None,
    )
    picture = save_figure(show_scenes(shown, columns=len(shown)), report.out_dir / "1_synthetic_scenes.png", **PICTURE)
    report.add(f"**1. Synthetic playgrounds**: {sizes.scenes} scenes with labelme annotations in `scenes/`.", picture)
    return folder


def stage_coco(report: DemoReport, scenes: Path) -> Path:
    from .coco.from_labelme import labelme_to_coco
    from .coco.to_spade import coco_to_spade
    from .figures.coco import show_coco_masks
    from .figures.common import save_figure

    coco = labelme_to_coco(scenes, split=0.75, seed=0)
    coco_path = write_json(report.out_dir / "coco.json", coco, indent=None)
    picture = save_figure(show_coco_masks(coco, scenes), report.out_dir / "2_coco_masks.png", **PICTURE)
    report.add(
        f"**2. labelme → COCO**: {len(coco['images'])} images, {len(coco['annotations'])} objects "
        f"in `coco.json`, masks drawn by pycocotools over the pictures.",
        picture,
    )
    dataset_json = coco_to_spade(coco_path, scenes, report.out_dir / "spade")
    report.add(f"**3. COCO → SPADE folder**: `{dataset_json.parent.name}/` (images, labels, instances, dataset.json).")
    return dataset_json.parent


def stage_train(report: DemoReport, spade_dir: Path, sizes: DemoSizes) -> Path:
    from .train.config import TrainConfig
    from .train.trainer import Trainer

    run_dir = report.out_dir / "train"
    cfg = TrainConfig(
        data_dir=str(spade_dir),
        out_dir=str(run_dir),
        load_size=sizes.train_crop,
        crop_size=sizes.train_crop,
        ngf=sizes.train_ngf,
        ndf=sizes.train_ngf,
        steps=sizes.train_steps,
        use_vgg=False,
        device="cpu",
        sample_every=sizes.train_steps,
        checkpoint_every=sizes.train_steps,
        seed=0,
    )
    history = Trainer(cfg).fit()
    samples = sorted(run_dir.rglob("*.png"))
    g_loss = sum(v for k, v in history[-1].items() if k.startswith("G")) if history else float("nan")
    report.add(
        f"**4. Training a GauGAN**: {len(history)} steps at {sizes.train_crop}×{sizes.train_crop} "
        f"(generator loss {g_loss:.2f} at the end); "
        "a real model needs hours, see notebook 06.",
        samples[-1] if samples else None,
    )
    return run_dir


def stage_generate(report: DemoReport, sizes: DemoSizes, weights: str | None, quick: bool):
    """Paint the bundled sketches. A quick run paints with the small bundled model (unless given
    ``weights``): the official one would take longer than the rest of the quick demo together."""
    from .figures.common import save_figure
    from .figures.generation import show_results
    from .generator_choice import choose_generator
    from .sketch import bundled_sketches, read_sketch
    from .spade import load_generator

    generator = load_generator(None) if quick and weights is None else choose_generator(weights)
    sketches = {path.stem: read_sketch(path).labels for path in bundled_sketches()}
    pictures = {name: generator.generate(labels, size=sizes.model_size) for name, labels in sketches.items()}
    for name, picture in pictures.items():
        write_png(report.out_dir / "generated" / f"{name}.png", picture)
    figure = show_results(sketches, pictures)
    saved = save_figure(figure, report.out_dir / "5_sketch_to_playground.png", **PICTURE)
    report.add(f"**5. Sketch → playground** with {generator.description}.", saved)
    return generator


def stage_background(report: DemoReport, sizes: DemoSizes, generator) -> Path:
    """The bundled sketches as an event background, painted by the stage before's generator at the
    map's own resolution (windows of the generator's training size)."""
    from .event import make_background
    from .sketch import bundled_sketches

    sketches = bundled_sketches()
    result = make_background(
        sketches,
        report.out_dir / "6_event_background.png",
        tiles=sizes.tiles,
        generate=generator,
    )
    report.add(
        f"**6. Event background** from {len(sketches)} sketches: {result.size[0]}×{result.size[1]} px "
        f"({result.tiles[0]}×{result.tiles[1]} Gather tiles), {result.bytes / 1024:.0f} KB.",
        result.png,
    )
    return result.png


def stage_datasheet(report: DemoReport, spade_dir: Path) -> Path:
    from .datasheet import write_datasheet

    sheet = write_datasheet(spade_dir, report.out_dir / "datasheet", name="demo synthetic playgrounds")
    report.add(
        f"**7. Datasheet**: `{sheet.relative_to(report.out_dir).as_posix()}` with real counts; "
        "the questions only a person can answer are left as prompts.",
        sheet.parent / "class_balance.png",
    )
    return sheet


def run_demo(out: str | Path = "outputs", quick: bool = False, weights: str | None = None) -> DemoReport:
    """Run every stage; returns the report (its ``index.md`` lists the pictures)."""
    sizes = DemoSizes.quick() if quick else DemoSizes()
    report = DemoReport(Path(out) / "demo")
    report.out_dir.mkdir(parents=True, exist_ok=True)

    def timed(name, fn, *args):
        start = time.perf_counter()
        print(f"== {name}")
        result = fn(*args)
        report.seconds[name] = time.perf_counter() - start
        return result

    scenes = timed("synthetic scenes", stage_scenes, report, sizes)
    spade_dir = timed("labelme -> COCO -> SPADE", stage_coco, report, scenes)
    timed("training", stage_train, report, spade_dir, sizes)
    generator = timed("generation", stage_generate, report, sizes, weights, quick)
    timed("event background", stage_background, report, sizes, generator)
    timed("datasheet", stage_datasheet, report, spade_dir)
    index = report.write()
    print(f"Done: open {index} to see every picture.")
    return report
