"""The SPADE training loop: one ``Trainer`` for a laptop CPU, a Colab GPU or several GPUs.

Each step trains the generator (hinge + feature matching + optional VGG loss, through the
critics) and then the critics (hinge loss on real pairs and on the generator's output), with
SPADE's two learning rates (TTUR: G 1e-4, D 4e-4, Adam betas 0 / 0.9). An exponential moving
average of the generator's weights paints the samples: it is steadier than the live generator.

One deliberate difference from NVlabs: the critics' step reuses the image the generator made
in its own step (detached) instead of running the generator a second time, which saves a third
of a CPU step and trains the same way in practice.

Seeded and repeatable on CPU: weights, data order and augmentations all follow ``cfg.seed``, and
a run resumed from a checkpoint takes exactly the steps an uninterrupted run would.
"""

from __future__ import annotations

import contextlib
import copy
import random
import time
import warnings
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ..error_line import first_line
from ..figures.training import write_loss_curves
from ..fileio import write_json
from ..precision import autocast, place, precision_for
from ..process_lock import check_free, hold
from ..spade import SPADEGenerator, init_spade_weights
from ..spade.channels import FULL_NC, compact_state_dict, expand_generator, expand_state_dict, is_label_input
from ..spade.generator_file import read_generator, save_generator
from . import checkpoint as ckpt
from .config import RUN_SETTINGS, TrainConfig, generator_config, resume_conflicts
from .dataset import SpadeDataset, StepBatches, collate, semantics
from .discriminator import build_discriminator, judge_pairs
from .losses import VGGLoss, d_hinge_loss, feature_matching_loss, g_hinge_loss, vgg_unavailable_reason
from .timing import StepClock
from .visuals import write_sample_grid

TRAINING_DEVICES = ("cpu", "cuda", "mps")


def resolve_device(name: str, local_rank: int = 0) -> torch.device:
    """The torch device for ``cfg.device``; a ValueError in one line for names that cannot train here."""
    if name == "auto":
        return torch.device(f"cuda:{local_rank}") if torch.cuda.is_available() else torch.device("cpu")
    try:
        device = torch.device(name)
    except RuntimeError:
        device = None
    if device is None or device.type not in TRAINING_DEVICES:
        raise ValueError(f"device {name!r}: training runs on auto, cpu, cuda, cuda:N or mps")
    available = {
        "cpu": True,
        "cuda": torch.cuda.is_available() and (device.index or 0) < torch.cuda.device_count(),
        "mps": torch.backends.mps.is_available(),
    }[device.type]
    if not available:
        raise ValueError(f"device {name!r}: not available on this machine; use --device auto or cpu")
    return device


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


class Trainer:
    """Build with a ``TrainConfig``; ``fit()`` trains to ``cfg.steps``; ``Trainer.resume(out_dir)`` continues."""

    def __init__(self, cfg: TrainConfig, rank: int = 0, world_size: int = 1, local_rank: int = 0):
        self.cfg = cfg.validate()
        self.rank, self.world_size = rank, world_size
        self.is_main = rank == 0
        if cfg.threads:
            torch.set_num_threads(cfg.threads)
        self.device = resolve_device(cfg.device, local_rank)
        self.precision = precision_for(self.device, cfg.amp)
        self.use_amp = self.precision.dtype is not None
        seed_everything(cfg.seed)

        self.dataset = SpadeDataset(cfg)
        self.generator = SPADEGenerator(generator_config(cfg))
        init_spade_weights(self.generator)
        if cfg.finetune_from:
            self.load_pretrained_generator(cfg.finetune_from)
        self.discriminator = build_discriminator(cfg)
        init_spade_weights(self.discriminator)
        place(self.generator, self.device, self.precision)
        place(self.discriminator, self.device, self.precision)
        self.generator_ema = copy.deepcopy(self.generator).eval().requires_grad_(False)

        self.vgg = None
        self.vgg_note = None
        if cfg.use_vgg and cfg.lambda_vgg > 0:
            self.vgg_note = vgg_unavailable_reason()
            if self.vgg_note is None:
                self.vgg = VGGLoss().to(self.device)

        g_model: nn.Module = self.generator
        d_model: nn.Module = self.discriminator
        if world_size > 1:
            from torch.nn.parallel import DistributedDataParallel as DDP

            if self.device.type == "cuda":
                self.generator = nn.SyncBatchNorm.convert_sync_batchnorm(self.generator)
                g_model = self.generator
            ids = [self.device.index] if self.device.type == "cuda" else None
            g_model = DDP(g_model, device_ids=ids)
            d_model = DDP(d_model, device_ids=ids)
        self.g_train, self.d_train = g_model, d_model

        fused = self.device.type == "cuda"  # one kernel per step for all parameters, not several per tensor
        self.opt_g = torch.optim.Adam(
            self.generator.parameters(), lr=cfg.lr_g, betas=(cfg.beta1, cfg.beta2), fused=fused
        )
        self.opt_d = torch.optim.Adam(
            self.discriminator.parameters(), lr=cfg.lr_d, betas=(cfg.beta1, cfg.beta2), fused=fused
        )
        # Only fp16 needs loss scaling; bf16 has fp32's range (see playground_lib.precision).
        self.scaler_g = torch.amp.GradScaler("cuda", enabled=self.precision.scale_loss)
        self.scaler_d = torch.amp.GradScaler("cuda", enabled=self.precision.scale_loss)
        self.step = 0
        self.history: list[dict[str, float]] = []
        self.seconds = 0.0
        self._fixed: dict | None = None

    # ------------------------------------------------------------------ pretrained weights
    def load_pretrained_generator(self, path: str | Path) -> None:
        """Start from a generator file (the official one, or one of ours), mapped onto our classes."""
        state, _, classes = read_generator(path)
        if classes is not None:  # a compact file: to the official layout first, then onto ours
            state = expand_state_dict(state, classes, source=str(path))
        cfg = self.cfg
        fc = state.get("fc.weight")
        if fc is None:
            raise ValueError(f"{path}: no fc.weight: not a SPADE generator in the official layout")
        extra = cfg.semantic_nc - cfg.label_nc
        if cfg.classes is not None and fc.shape[1] >= FULL_NC:
            state = compact_state_dict(state, cfg.classes, source=str(path))
        if state["fc.weight"].shape[1] == cfg.label_nc and extra:
            # The official model has no don't-care/edge input: those channels start at zero.
            state = {
                k: (torch.cat([v, v.new_zeros(v.shape[0], extra, *v.shape[2:])], 1) if is_label_input(k) else v)
                for k, v in state.items()
            }
        own = self.generator.state_dict()
        wrong = [
            f"{k} {tuple(state[k].shape)} vs {tuple(v.shape)}"
            for k, v in own.items()
            if k in state and state[k].shape != v.shape
        ]
        missing = [k for k in own if k not in state]
        if wrong or missing:
            raise ValueError(
                f"{path}: does not fit this model (ngf {cfg.ngf}, {cfg.semantic_nc} input channels): "
                + "; ".join((wrong + [f"missing {k}" for k in missing])[:6])
            )
        self.generator.load_state_dict(state, strict=False)

    # ------------------------------------------------------------------ one step
    def _autocast(self):
        return autocast(self.device, self.precision)

    def train_step(self, batch: dict) -> dict[str, float]:
        cfg = self.cfg
        batch = {k: v.to(self.device, non_blocking=True) for k, v in batch.items()}
        sem, real = semantics(batch, cfg), batch["image"]
        sem = sem.contiguous(memory_format=self.precision.memory_format)
        real = real.contiguous(memory_format=self.precision.memory_format)

        # Generator: fool the critics, match their inner features, (look like the photo to VGG).
        self.discriminator.requires_grad_(False)
        with self._autocast():
            fake = self.g_train(sem)
            fake_scores, real_scores = judge_pairs(self.discriminator, sem, fake, real)
            losses = {
                "G_gan": g_hinge_loss(fake_scores),
                "G_feat": feature_matching_loss(real_scores, fake_scores, cfg.lambda_feat),
            }
            if self.vgg is not None:
                losses["G_vgg"] = self.vgg(fake.float(), real.float()) * cfg.lambda_vgg
            g_total = torch.stack([loss.float() for loss in losses.values()]).sum()  # autocast may mix dtypes
        self.opt_g.zero_grad(set_to_none=True)
        self.scaler_g.scale(g_total).backward()
        self.scaler_g.step(self.opt_g)
        self.scaler_g.update()

        # Critics: real pairs above +1, generated pairs below -1.
        self.discriminator.requires_grad_(True)
        with self._autocast():
            d_fake, d_real = judge_pairs(self.d_train, sem, fake.detach(), real)
            d_loss = d_hinge_loss(d_real, d_fake)
        self.opt_d.zero_grad(set_to_none=True)
        self.scaler_d.scale(d_loss).backward()
        self.scaler_d.step(self.opt_d)
        self.scaler_d.update()

        self._update_ema()
        self.step += 1
        # One device-to-host copy for all the losses: each float() would wait for the GPU on its own.
        values = torch.stack([v.detach().float() for v in (*losses.values(), d_loss)]).tolist()
        record = {"step": self.step, **dict(zip([*losses, "D"], values))}
        self.history.append(record)
        return record

    @torch.no_grad()
    def _update_ema(self) -> None:
        # Warm-up: early on the average follows the live weights closely, so that short runs
        # (a workshop's 20 minutes) are not dominated by the random weights they started from.
        decay = min(self.cfg.ema_decay, (1.0 + self.step) / (10.0 + self.step))
        # Multi-tensor ops: one launch for all ~200 tensors instead of one each (on a GPU the
        # per-tensor launches cost more than the arithmetic).
        torch._foreach_lerp_(list(self.generator_ema.parameters()), list(self.generator.parameters()), 1.0 - decay)
        # batch-norm statistics and spectral-norm vectors follow the live model
        torch._foreach_copy_(list(self.generator_ema.buffers()), list(self.generator.buffers()))

    # ------------------------------------------------------------------ the loop
    def batches(self, steps: int | None = None):
        sampler = StepBatches(
            len(self.dataset),
            self.cfg.batch_size,
            self.cfg.seed,
            start_step=self.step,
            num_replicas=self.world_size,
            rank=self.rank,
            total_steps=steps or self.cfg.steps,
        )
        return torch.utils.data.DataLoader(
            self.dataset,
            batch_sampler=sampler,
            collate_fn=collate,
            num_workers=self.cfg.num_workers,
            pin_memory=self.device.type == "cuda",
        )

    def fit(self, steps: int | None = None, on_step=None) -> list[dict[str, float]]:
        """Train until step ``steps`` (default ``cfg.steps``); samples and checkpoints on the way.

        After its first few steps it prints how long the rest will take, measured here.
        """
        from tqdm.auto import tqdm

        total = steps if steps is not None else self.cfg.steps
        if self.is_main and self.vgg_note and self.step == 0:
            warnings.warn(self.vgg_note, stacklevel=2)
        if self.step >= total:
            return self.history
        bar = tqdm(
            total=total,
            initial=self.step,
            desc="training",
            unit="step",
            disable=not (self.cfg.progress and self.is_main),
            dynamic_ncols=True,
        )
        self.generator.train()
        self.discriminator.train()
        start = time.perf_counter()
        clock = StepClock(total)
        held = hold(self.cfg.out_dir, "training") if self.is_main else contextlib.nullcontext()
        try:
            with held:  # a second training in this folder would delete its saves
                for batch in self.batches(total):
                    record = self.train_step(batch)
                    bar.update(1)
                    estimate = clock.tick(self.step)
                    if estimate and self.is_main and self.cfg.progress and self.step < total:
                        bar.write(estimate)
                    bar.set_postfix({k: f"{v:.3f}" for k, v in record.items() if k != "step"}, refresh=False)
                    if on_step is not None:
                        on_step(self, record)
                    if self.step % self.cfg.sample_every == 0 or self.step == total:
                        self.write_samples()
                    if self.step % self.cfg.checkpoint_every == 0 or self.step == total:
                        self.seconds += time.perf_counter() - start
                        start = time.perf_counter()
                        self.save()
        finally:
            self.seconds += time.perf_counter() - start
            bar.close()
        return self.history

    # ------------------------------------------------------------------ pictures
    def fixed_batch(self) -> dict:
        """The same few training images every time (centre crops), so grids show progress, not luck."""
        if self._fixed is None:
            n = min(self.cfg.num_samples, len(self.dataset))
            picks = np.linspace(0, len(self.dataset) - 1, n).round().astype(int)
            self._fixed = collate([self.dataset[int(i)] for i in picks])
        return self._fixed

    def channel_values(self) -> np.ndarray:
        """Channel index -> raw ADE20K value (for colouring label maps)."""
        values = np.arange(FULL_NC) if self.cfg.classes is None else np.array(self.cfg.classes)
        return np.concatenate([values, [0]])  # the don't-care channel, if any, shows as "other"

    @torch.no_grad()
    def generate(self, batch: dict, use_ema: bool = True) -> torch.Tensor:
        model = self.generator_ema if use_ema else self.generator
        was_training = model.training
        model.eval()
        try:
            sem = semantics({k: v.to(self.device) for k, v in batch.items()}, self.cfg)
            return model(sem).float().cpu()
        finally:
            model.train(was_training)

    def write_samples(self) -> Path | None:
        if not self.is_main:
            return None
        batch = self.fixed_batch()
        fake = self.generate(batch)
        out = Path(self.cfg.out_dir)
        labels = self.channel_values()[batch["label"].numpy()]
        path = write_sample_grid(out / "samples" / f"step_{self.step:06d}.png", labels, batch["image"], fake)
        write_sample_grid(out / "samples" / "latest.png", labels, batch["image"], fake)
        write_loss_curves(out / "loss_curves.png", self.history)
        return path

    # ------------------------------------------------------------------ checkpoints
    def save(self) -> Path | None:
        if not self.is_main:
            return None
        state = {
            "step": self.step,
            "opt_g": self.opt_g.state_dict(),
            "opt_d": self.opt_d.state_dict(),
            "scaler_g": self.scaler_g.state_dict(),
            "scaler_d": self.scaler_d.state_dict(),
            "rng": ckpt.rng_state(),
            "config": _plain(self.cfg.to_dict()),
            "history": ckpt.history_to_state(self.history),
            "seconds": self.seconds,
        }
        weights = {
            "generator": self.generator.state_dict(),
            "generator_ema": self.generator_ema.state_dict(),
            "discriminator": self.discriminator.state_dict(),
        }
        folder = ckpt.save_checkpoint(self.cfg.out_dir, self.step, weights, state, keep=self.cfg.keep_checkpoints)
        write_json(Path(self.cfg.out_dir) / "config.json", self.cfg.to_dict())
        return folder

    def load_state(self, folder: str | Path) -> None:
        """Continue from one checkpoint folder (weights, optimisers, random states, history)."""
        weights, state = ckpt.load_checkpoint(folder)
        self._apply_state(folder, weights, state)

    def _apply_state(self, folder: str | Path, weights: dict, state: dict) -> None:
        modules = {"generator": self.generator, "generator_ema": self.generator_ema}
        ckpt.load_modules(folder, weights, {**modules, "discriminator": self.discriminator})
        try:
            self.opt_g.load_state_dict(state["opt_g"])
            self.opt_d.load_state_dict(state["opt_d"])
        except (ValueError, KeyError, TypeError, RuntimeError) as exc:
            raise ckpt.CheckpointError(
                f"{folder}/state.pt: its optimiser state does not fit this model ({first_line(exc)})"
            ) from None
        # A run saved in fp32 or bf16 has no loss scale to give (an empty state); resumed on a GPU
        # that needs fp16 (a T4), its scaler starts fresh instead of refusing the checkpoint.
        for scaler, key in ((self.scaler_g, "scaler_g"), (self.scaler_d, "scaler_d")):
            if state.get(key):
                scaler.load_state_dict(state[key])
        ckpt.set_rng_state(state["rng"])
        self.step = int(state["step"])
        self.history = ckpt.history_from_state(state)
        self.seconds = float(state.get("seconds", 0.0))

    @classmethod
    def resume(
        cls,
        out_dir: str | Path,
        rank: int = 0,
        world_size: int = 1,
        local_rank: int = 0,
        on_conflict: str = "error",
        **overrides,
    ) -> Trainer:
        """Continue the run saved in ``out_dir`` from its newest intact checkpoint, with its own config.

        ``overrides``: settings asked for now. ``RUN_SETTINGS`` (more ``steps``, another ``device``)
        apply; any other that differs from the saved config cannot (the model is already that
        shape): ``on_conflict="error"`` refuses with a ValueError naming them, ``"warn"`` warns
        that the saved config wins and goes on.
        """
        if rank == 0:
            check_free(out_dir, "training")  # its half-written save is not an unfinished one to remove
            ckpt.remove_unfinished_saves(Path(out_dir) / "checkpoints")
        problems: list[str] = []
        for folder, weights, state in ckpt.intact_checkpoints(out_dir, problems):
            conflicts = resume_conflicts(state["config"], overrides)
            if conflicts:
                message = (
                    f"{out_dir}: a resumed run keeps the settings it was started with, so these cannot apply: "
                    f"{'; '.join(conflicts)}"
                )
                if on_conflict == "error":
                    raise ValueError(f"{message}. Drop them to resume, or train a new model in another output folder")
                warnings.warn(f"{message}. The saved settings win.", stacklevel=2)
            run = {k: v for k, v in overrides.items() if k in RUN_SETTINGS}
            config = dict(state["config"], finetune_from=None, **{**run, "out_dir": str(out_dir)})
            trainer = cls(TrainConfig.from_dict(config, source=str(folder / "state.pt")), rank, world_size, local_rank)
            try:
                trainer._apply_state(folder, weights, state)
            except ckpt.CheckpointError as exc:  # reads back whole, yet does not fit its own model: damaged too
                problems.append(str(exc))
                continue
            ckpt.warn_skipped(problems, folder)
            return trainer
        raise ckpt.none_intact(out_dir, problems)

    @classmethod
    def start_or_resume(cls, cfg: TrainConfig, **kwargs) -> Trainer:
        """Resume ``cfg.out_dir`` if it holds a checkpoint (with ``cfg.steps`` as the new goal), else start fresh.

        This is what a notebook cell wants: run it again after a disconnect and training goes on.
        Settings of ``cfg`` that a resumed run cannot change are named in a warning (the saved ones win).
        """
        if ckpt.has_checkpoint(cfg.out_dir):
            asked = {k: v for k, v in cfg.to_dict().items() if k not in ("finetune_from", "out_dir")}
            return cls.resume(cfg.out_dir, on_conflict="warn", **kwargs, **asked)
        return cls(cfg, **kwargs)

    # ------------------------------------------------------------------ export
    def export_generator(
        self, path: str | Path, half: bool = True, expand: bool = True, info: dict | None = None
    ) -> Path:
        """Save the EMA generator as a generator file (``spade.generator_file``), with how it was trained.

        ``expand``: a compact model is saved as the equivalent full 151-channel model, so it reads
        any ADE20K label map without knowing the class list. ``info``: more to keep in the file
        (a description, scores), added to the steps, time and training config recorded here.
        """
        state = {k: v.detach().cpu() for k, v in self.generator_ema.state_dict().items()}
        config, classes = generator_config(self.cfg), self.cfg.classes
        if expand and classes is not None:
            state, config = expand_generator(state, config, classes)
            classes = None
        record = {
            "steps": self.step,
            "training_seconds": round(self.seconds, 1),
            "training_config": self.cfg.to_dict(),
            "dtype": "float16" if half else "float32",
            **(info or {}),
        }
        return save_generator(path, state, config, classes, half=half, info=record)


def _plain(values: dict) -> dict:
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in values.items()}
