"""Training pix2pix on (line drawing, picture) pairs, on a laptop CPU, within a time budget.

Pairs come from a SPADE folder or a synthetic-scene folder (``train.dataset.find_samples``), or,
with no data given, from synthetic scenes drawn into the run's own ``scenes/`` folder. Each
picture is cut to a centre square and shrunk to ``size``; its drawing is the outline of its label
and instance maps at that size (``edges``). All pairs sit in memory: 1,000 of them at 64 px are
about 15 MB.

A step trains the generator (L1 to the real picture, times ``lambda_l1``, plus the hinge loss of
the PatchGAN critic) then the critic, as in Isola et al. (2017), with their Adam settings (2e-4,
betas 0.5/0.999). An average of the generator's weights (EMA) paints samples and the saved model.

The batch of step ``n`` is drawn from a generator seeded with ``seed + n``, so a resumed run takes
the very steps an uninterrupted one would. Training stops at ``steps`` or when ``minutes`` of
training have passed, whichever comes first; samples and a checkpoint every ``sample_minutes``.
"""

from __future__ import annotations

import copy
import json
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from ..error_line import first_line
from ..fileio import atomic_folder, read_png, write_json, write_png
from ..labelme.image import as_rgb8
from ..safetensors_file import read_safetensors, write_safetensors
from ..train import checkpoint as ckpt
from ..train.dataset import find_samples
from ..train.discriminator import judge_pairs
from ..train.losses import d_hinge_loss, g_hinge_loss
from ..train.timing import duration_text
from ..train.visuals import tile_grid, to_uint8
from .edges import edges_from_labels, ink, to_drawing
from .model import UNet, UNetShape, build_critic, depth_for, init_weights

MODEL_FILE = "model.safetensors"
METADATA_KEY = "pix2pix"
SCENES = "scenes"
# What a resumed run may change; the rest shapes the model or its data and must stay.
RUN_SETTINGS = ("minutes", "steps", "sample_minutes", "threads", "progress")


@dataclass
class Pix2PixConfig:
    """Settings of one run. Defaults chosen by measurement on two CPU cores (``benchmarks/bench_pix2pix.py``)."""

    out_dir: str
    data: str | None = None  # SPADE folder or scene folder; None: synthetic scenes drawn into out_dir/scenes
    scene_count: int = 600
    size: int = 128
    ngf: int = 32
    ndf: int = 32
    batch_size: int = 4
    minutes: float = 8.0
    steps: int | None = None  # stop at this step even if time is left (tests, exact repeats)
    sample_minutes: float = 2.0
    lr: float = 2e-4
    lambda_l1: float = 100.0
    seed: int = 0
    threads: int | None = None
    progress: bool = True

    def validate(self) -> Pix2PixConfig:
        if self.size < 16 or self.size > 512 or self.size % 16:
            raise ValueError(f"size must be a multiple of 16 between 16 and 512, got {self.size}")
        for name in ("ngf", "ndf", "batch_size", "scene_count"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if not self.minutes > 0 or not self.sample_minutes > 0:
            raise ValueError(
                f"minutes and sample_minutes must be positive, got {self.minutes} and {self.sample_minutes}"
            )
        if self.steps is not None and self.steps < 1:
            raise ValueError(f"steps must be at least 1, got {self.steps}")
        return self

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> Pix2PixConfig:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in known})


# ----------------------------------------------------------------------------- pairs
@dataclass
class Pairs:
    """Training pairs in memory: ``drawings`` (N,1,S,S) ink 0..1 and ``pictures`` (N,3,S,S) in -1..1."""

    drawings: torch.Tensor
    pictures: torch.Tensor

    def __len__(self) -> int:
        return len(self.pictures)

    def mean_colour(self) -> torch.Tensor:
        """(3,) in -1..1: the best flat picture under L1 would be the median; the mean is the usual baseline."""
        return self.pictures.mean(dim=(0, 2, 3))


def _square(picture: Image.Image) -> Image.Image:
    side = min(picture.size)
    left, top = (picture.width - side) // 2, (picture.height - side) // 2
    return picture.crop((left, top, left + side, top + side))


def pair_from_files(image: Path, label: Path, instance: Path | None, size: int) -> tuple[np.ndarray, np.ndarray]:
    """(drawing HxW uint8, picture HxWx3 uint8) at ``size``: the picture shrunk, its outlines drawn at that size."""
    with Image.open(image) as opened:
        picture = _square(as_rgb8(opened, str(image))).resize((size, size), Image.Resampling.BOX)
    labels = _square(Image.fromarray(read_png(label))).resize((size, size), Image.Resampling.NEAREST)
    instances = None
    if instance is not None:
        instances = np.asarray(
            _square(Image.fromarray(read_png(instance))).resize((size, size), Image.Resampling.NEAREST)
        )
    return edges_from_labels(np.asarray(labels), instances), np.asarray(picture)


def load_pairs(folder: str | Path, size: int, progress: bool = False) -> Pairs:
    """All (drawing, picture) pairs of a SPADE or scene folder at ``size``."""
    from tqdm.auto import tqdm

    drawings, pictures = [], []
    for sample in tqdm(find_samples(folder), desc="reading pairs", unit="pair", disable=not progress):
        drawing, picture = pair_from_files(sample.image, sample.label, sample.instance, size)
        drawings.append(ink(drawing))
        pictures.append(picture)
    return Pairs(
        torch.from_numpy(np.stack(drawings))[:, None],
        torch.from_numpy(np.stack(pictures)).permute(0, 3, 1, 2).float() / 127.5 - 1.0,
    )


def draw_scenes(folder: str | Path, count: int, size: int, seed: int, progress: bool = True) -> Path:
    """Synthetic scenes for training, drawn once into ``folder`` (whole or not at all) and reused on resume."""
    from ..synthetic.procedural import write_scenes

    folder = Path(folder)
    if len(list(folder.glob("*_label.png"))) >= count:
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    with atomic_folder(folder, replace=True) as build:
        write_scenes(build, count, size=size, seed=seed, progress=progress)
    return folder


# ----------------------------------------------------------------------------- the model file
def save_model(path: str | Path, generator: UNet, size: int, info: dict | None = None) -> Path:
    """The trained generator as safetensors, its shape and training size in the metadata (atomic)."""
    meta = {"shape": generator.shape.to_dict(), "size": size, **(info or {})}
    state = {k: v.detach().float().cpu() for k, v in generator.state_dict().items()}
    return write_safetensors(path, state, {METADATA_KEY: json.dumps(meta)})


def load_model(path: str | Path) -> tuple[UNet, dict]:
    """A generator saved by ``save_model`` (a run folder or the file) and its metadata; ValueError names the file."""
    path = Path(path)
    if path.is_dir():
        path = path / MODEL_FILE
    if not path.is_file():
        raise ValueError(f"{path}: no trained model here (train one with `playground edges train --out RUN`)")
    try:
        state, metadata = read_safetensors(path)
        meta = json.loads(metadata[METADATA_KEY])
        generator = UNet(UNetShape(**meta["shape"]))
        generator.load_state_dict(state)
    except Exception as exc:  # safetensors, json and torch each raise their own kinds for a foreign file
        raise ValueError(f"{path}: not a pix2pix model file ({first_line(exc, 200)})") from None
    return generator.eval(), meta


@torch.no_grad()
def paint(generator: UNet, drawing: np.ndarray, size: int) -> np.ndarray:
    """A drawing (HxW uint8, any size) -> picture HxWx3 uint8, painted at the model's training scale.

    The drawing is shrunk so its longer side is ``size`` (sides rounded to what the U-Net can halve)
    and its ink made solid, since the model learned from solid one-pixel lines.
    """
    h, w = drawing.shape[:2]
    m = generator.shape.multiple
    scale = size / max(h, w)
    th, tw = (max(m, round(side * scale / m) * m) for side in (h, w))
    small = np.asarray(Image.fromarray(drawing).resize((tw, th), Image.Resampling.BOX))
    lines = torch.from_numpy((ink(small) > 0.2).astype(np.float32))[None, None]
    return to_uint8(generator(lines))[0]


# ----------------------------------------------------------------------------- training
class Pix2PixTrainer:
    """``fit()`` trains within the config's time budget; ``Pix2PixTrainer.resume(out_dir)`` continues a run."""

    def __init__(self, cfg: Pix2PixConfig, pairs: Pairs | None = None):
        self.cfg = cfg.validate()
        if cfg.threads:
            torch.set_num_threads(cfg.threads)
        torch.manual_seed(cfg.seed)
        self.pairs = pairs if pairs is not None else self._pairs()
        self.generator = UNet(UNetShape(cfg.ngf, depth_for(cfg.size)))
        self.critic = build_critic(cfg.ndf)
        init_weights(self.generator)
        init_weights(self.critic)
        self.generator_ema = copy.deepcopy(self.generator).eval().requires_grad_(False)
        self.opt_g = torch.optim.Adam(self.generator.parameters(), lr=cfg.lr, betas=(0.5, 0.999))
        self.opt_d = torch.optim.Adam(self.critic.parameters(), lr=cfg.lr, betas=(0.5, 0.999))
        self.step = 0
        self.seconds = 0.0
        self.history: list[dict[str, float]] = []

    def _pairs(self) -> Pairs:
        cfg = self.cfg
        folder = cfg.data
        if folder is None:
            # Drawn at twice the size and shrunk: smoother pictures than drawing small.
            folder = str(draw_scenes(Path(cfg.out_dir) / SCENES, cfg.scene_count, cfg.size * 2, cfg.seed, cfg.progress))
        return load_pairs(folder, cfg.size, progress=cfg.progress)

    def batch(self, step: int) -> tuple[torch.Tensor, torch.Tensor]:
        """The pairs of step ``step`` (random picks, half of them mirrored), the same on every run."""
        rng = np.random.default_rng(self.cfg.seed * 1_000_003 + step)
        picks = torch.from_numpy(rng.integers(0, len(self.pairs), self.cfg.batch_size))
        flips = torch.from_numpy(rng.random(self.cfg.batch_size) < 0.5)
        drawings, pictures = self.pairs.drawings[picks], self.pairs.pictures[picks]
        drawings = torch.where(flips[:, None, None, None], drawings.flip(3), drawings)
        pictures = torch.where(flips[:, None, None, None], pictures.flip(3), pictures)
        return drawings, pictures

    def train_step(self) -> dict[str, float]:
        drawings, real = self.batch(self.step)
        self.critic.requires_grad_(False)
        fake = self.generator(drawings)
        # Only the generated pairs matter here (no feature matching), and instance norm makes a pair's
        # score independent of the rest of the batch: the real half judge_pairs would add is not needed.
        g_gan = g_hinge_loss(self.critic(torch.cat([drawings, fake], 1)))
        g_l1 = (fake - real).abs().mean() * self.cfg.lambda_l1
        self.opt_g.zero_grad(set_to_none=True)
        (g_gan + g_l1).backward()
        self.opt_g.step()

        self.critic.requires_grad_(True)
        d_fake, d_real = judge_pairs(self.critic, drawings, fake.detach(), real)
        d_loss = d_hinge_loss(d_real, d_fake)
        self.opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        self.opt_d.step()
        self._update_ema()
        self.step += 1
        record = {"step": self.step, "G_gan": g_gan.item(), "G_L1": g_l1.item(), "D": d_loss.item()}
        self.history.append(record)
        return record

    @torch.no_grad()
    def _update_ema(self, decay: float = 0.999) -> None:
        decay = min(decay, (1.0 + self.step) / (10.0 + self.step))  # short runs follow the live weights
        # (instance norm keeps no running statistics: there are no buffers to copy)
        torch._foreach_lerp_(list(self.generator_ema.parameters()), list(self.generator.parameters()), 1.0 - decay)

    def fit(self, on_sample=None) -> list[dict[str, float]]:
        """Train until ``cfg.steps`` or ``cfg.minutes`` from now; prints the measured estimate after 4 steps.

        ``on_sample(trainer, path)``: called with each sample grid written (a notebook shows it).
        """
        from tqdm.auto import tqdm

        cfg = self.cfg
        budget = cfg.minutes * 60
        goal = cfg.steps
        bar = tqdm(
            desc="training pix2pix",
            unit="step",
            total=goal,
            initial=self.step,
            disable=not cfg.progress,
            dynamic_ncols=True,
        )
        begin = last_save = time.perf_counter()  # samples are written with each save
        start_step = self.step
        try:
            while goal is None or self.step < goal:
                record = self.train_step()
                bar.update(1)
                bar.set_postfix({k: f"{v:.3f}" for k, v in record.items() if k != "step"}, refresh=False)
                now = time.perf_counter()
                if self.step - start_step == 4:
                    bar.write(self.estimate(now - begin, 4, budget, goal))
                if now - begin >= budget:
                    break
                if now - last_save >= cfg.sample_minutes * 60:
                    self.seconds += now - last_save
                    last_save = now
                    self._save_and_sample(on_sample)
        finally:
            bar.close()
        self.seconds += time.perf_counter() - last_save
        self._save_and_sample(on_sample)
        return self.history

    def estimate(self, seconds: float, steps: int, budget: float, goal: int | None) -> str:
        """The honest line: time per step measured here, and how many steps the budget buys."""
        per_step = seconds / steps
        by_time = self.step + int((budget - seconds) / per_step)
        final = by_time if goal is None else min(goal, by_time)
        return (
            f"Measured {per_step:.2f} s per step on this machine: training stops at step {final} "
            f"(after about {duration_text(min(budget, (final - self.step) * per_step + seconds))}), "
            f"with samples every {duration_text(self.cfg.sample_minutes * 60)}."
        )

    def _save_and_sample(self, on_sample) -> None:
        self.save()
        path = self.write_samples()
        if on_sample is not None:
            on_sample(self, path)

    # ------------------------------------------------------------------ pictures and files
    @torch.no_grad()
    def generate(self, drawings: torch.Tensor) -> torch.Tensor:
        return self.generator_ema(drawings)

    def write_samples(self, count: int = 4) -> Path:
        """drawing | real | generated for the same few training pairs every time, and the loss curves."""
        from ..figures.training import write_loss_curves

        picks = torch.from_numpy(np.linspace(0, len(self.pairs) - 1, min(count, len(self.pairs))).round().astype(int))
        drawings, real = self.pairs.drawings[picks], self.pairs.pictures[picks]
        grid = sample_grid(drawings, real, self.generate(drawings))
        out = Path(self.cfg.out_dir) / "samples"
        write_png(out / f"step_{self.step:06d}.png", grid)
        write_png(out / "latest.png", grid)
        write_loss_curves(Path(self.cfg.out_dir) / "loss_curves.png", self.history)
        return out / "latest.png"

    def save(self) -> Path:
        state = {
            "step": self.step,
            "opt_g": self.opt_g.state_dict(),
            "opt_d": self.opt_d.state_dict(),
            "scaler_g": {},
            "scaler_d": {},
            "rng": ckpt.rng_state(),
            "config": self.cfg.to_dict(),
            "history": ckpt.history_to_state(self.history),
            "seconds": self.seconds,
        }
        weights = {
            "generator": self.generator.state_dict(),
            "generator_ema": self.generator_ema.state_dict(),
            "discriminator": self.critic.state_dict(),
        }
        folder = ckpt.save_checkpoint(self.cfg.out_dir, self.step, weights, state)
        info = {"steps": self.step, "training_seconds": round(self.seconds, 1), "pairs": len(self.pairs)}
        save_model(Path(self.cfg.out_dir) / MODEL_FILE, self.generator_ema, self.cfg.size, info)
        write_json(Path(self.cfg.out_dir) / "config.json", self.cfg.to_dict())
        return folder

    @classmethod
    def resume(cls, out_dir: str | Path, pairs: Pairs | None = None, **asked) -> Pix2PixTrainer:
        """Continue the run in ``out_dir`` from its newest intact checkpoint.

        ``asked``: settings given now. Those in ``RUN_SETTINGS`` apply; any other that differs
        from the saved one is refused with a ValueError naming it (the model already has that shape).
        """
        folder, weights, state = ckpt.load_newest_intact(out_dir)
        saved = state["config"]
        conflicts = [
            f"{k} {saved.get(k)!r} (saved) vs {v!r}"
            for k, v in asked.items()
            if k not in RUN_SETTINGS and k != "out_dir" and saved.get(k) != v
        ]
        if conflicts:
            raise ValueError(
                f"{out_dir}: a resumed run keeps the settings it was started with: {'; '.join(conflicts)}. "
                "Drop them to resume, or train a new model in another folder"
            )
        config = Pix2PixConfig.from_dict({**saved, **{k: v for k, v in asked.items() if k in RUN_SETTINGS}})
        config.out_dir = str(out_dir)
        trainer = cls(config, pairs)
        modules = {"generator": trainer.generator, "generator_ema": trainer.generator_ema}
        ckpt.load_modules(folder, weights, {**modules, "discriminator": trainer.critic})
        trainer.opt_g.load_state_dict(state["opt_g"])
        trainer.opt_d.load_state_dict(state["opt_d"])
        ckpt.set_rng_state(state["rng"])
        trainer.step = int(state["step"])
        trainer.seconds = float(state.get("seconds", 0.0))
        trainer.history = ckpt.history_from_state(state)
        return trainer

    @classmethod
    def start_or_resume(cls, cfg: Pix2PixConfig) -> Pix2PixTrainer:
        """Resume ``cfg.out_dir`` when it holds a checkpoint (a notebook cell run again), else start."""
        if ckpt.has_checkpoint(cfg.out_dir):
            asked = {k: v for k, v in cfg.to_dict().items() if k != "out_dir"}
            return cls.resume(cfg.out_dir, **asked)
        return cls(cfg)


def sample_grid(drawings: torch.Tensor, real: torch.Tensor, fake: torch.Tensor, gap: int = 2) -> np.ndarray:
    """One row per pair: drawing | real picture | generated picture, on white."""
    lines = to_drawing(drawings[:, 0].numpy() > 0.5)
    return tile_grid(np.repeat(lines[..., None], 3, axis=3), real, fake, gap)


def mean_l1(generated: torch.Tensor, real: torch.Tensor) -> float:
    """Mean absolute difference in 0..255 pixel units (what the benchmark reports)."""
    return float((generated.detach().float() - real.detach().float()).abs().mean() * 127.5)


def scene_pair(seed: int, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(drawing, picture, label map) of synthetic scene ``seed`` at ``size``, made as the training pairs are."""
    from ..synthetic.procedural import generate_scene

    scene = generate_scene(seed, size * 2)
    picture = np.asarray(Image.fromarray(scene.image).resize((size, size), Image.Resampling.BOX))
    labels = np.asarray(Image.fromarray(scene.labels).resize((size, size), Image.Resampling.NEAREST))
    instances = np.asarray(Image.fromarray(scene.instances).resize((size, size), Image.Resampling.NEAREST))
    return edges_from_labels(labels, instances), picture, labels


def unseen_pairs(count: int, size: int, seed: int = 100_000) -> Pairs:
    """Synthetic pairs from seeds no training run draws (training uses ``seed .. seed + scene_count``)."""
    drawings, pictures = [], []
    for i in range(count):
        drawing, picture, _ = scene_pair(seed + i, size)
        drawings.append(ink(drawing))
        pictures.append(picture)
    return Pairs(
        torch.from_numpy(np.stack(drawings))[:, None],
        torch.from_numpy(np.stack(pictures)).permute(0, 3, 1, 2).float() / 127.5 - 1.0,
    )
