"""GPU speed side by side, one process: our trainer (fp32, AMP) and NVlabs', our generation and NVlabs' forward.

Reference (issue "Pictures worth showing, fast", part 3), measured on an H200 at 256x256,
batch 4, ngf 64, no VGG: our trainer 0.070-0.075 s/step in fp32 against NVlabs' 0.083-0.090,
and AMP gave nothing (0.077-0.093 s/step); ``generate`` took 11.3 ms at batch 1 against NVlabs'
bare forward at 8.7 ms. The goals: mixed precision faster than fp32, and generation (labels in,
uint8 pictures out) no slower than NVlabs' bare forward (one-hot already on the GPU, output left there).

    PYTHONPATH=src python benchmarks/bench_gpu.py --nvlabs /tmp/nvlabs_spade
    PYTHONPATH=src python benchmarks/bench_gpu.py --device cpu --size 64 --ngf 4 --steps 1 --calls 1 --repeats 1
        # a dry run of the same code on the CPU: checks the script, its figures mean nothing

Without CUDA (and without ``--device cpu``) it prints "no GPU: not run" and exits 0.
Variants are interleaved (A, B, C, A, B, C, ...) and each one's best block is reported; every
block is bracketed by ``torch.cuda.synchronize()``. NVlabs' modules are imported from the
checkout at run time (``nvlabs_reference.py``); its training step is written here from its
Pix2PixModel's procedure (generator pass, then a discriminator pass that runs the generator again
without gradients), on its own networks, in fp32, as NVlabs trains.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

from nvlabs_reference import import_nvlabs_networks, nvlabs_generator, nvlabs_options, nvlabs_path

from playground_lib.spade import GeneratorConfig, one_hot
from playground_lib.spade.fast import labels_to_image_array
from playground_lib.spade.loading import LoadedGenerator, build_plain
from playground_lib.spade.model import random_official_state_dict

REFERENCE_TRAIN = (
    "issue, H200, 256², batch 4, ngf 64, no VGG: ours fp32 0.070-0.075 s/step, NVlabs 0.083-0.090, "
    "ours AMP 0.077-0.093 (goal: AMP faster than fp32)"
)
REFERENCE_GENERATE = (
    "issue, H200, batch 1: generate 11.3 ms, NVlabs bare forward 8.7 ms (goal: generate no slower than NVlabs)"
)


def synchronizer(device: torch.device) -> Callable[[], None]:
    return torch.cuda.synchronize if device.type == "cuda" else (lambda: None)


def interleaved(variants: dict[str, Callable[[], object]], repeats: int, calls: int, sync) -> dict[str, list[float]]:
    """Seconds per call of each variant, one block of ``calls`` per variant per repeat, in turn."""
    seconds: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(repeats):
        for name, run in variants.items():
            sync()
            started = time.perf_counter()
            for _ in range(calls):
                run()
            sync()
            seconds[name].append((time.perf_counter() - started) / calls)
    return seconds


def report(title: str, seconds: dict[str, list[float]], unit: str, scale: float, reference: str) -> None:
    print(f"\n{title}   [{reference}]")
    for name, values in seconds.items():
        print(
            f"  {name:<34} best {min(values) * scale:8.3f} {unit}   median {statistics.median(values) * scale:8.3f} "
            f"{unit}   (of {len(values)} blocks)"
        )


# -- training ------------------------------------------------------------------------------------
def our_trainers(args, device: torch.device, data_dir: Path, out_dir: Path):
    """Our Trainer in fp32 and with the device's mixed precision, and one batch on the device."""
    from playground_lib.train import TrainConfig, Trainer

    trainers = {}
    for amp in (False, True):
        cfg = TrainConfig(
            data_dir=str(data_dir),
            out_dir=str(out_dir / f"amp{int(amp)}"),
            load_size=args.size,
            crop_size=args.size,
            ngf=args.ngf,
            ndf=args.ndf,
            batch_size=args.batch,
            use_vgg=False,
            amp=amp,
            device=str(device),
            progress=False,
        )
        trainer = Trainer(cfg)
        print(f"ours with amp={amp}: {trainer.precision.name}, {trainer.precision.memory_format}")
        trainers["ours, AMP" if amp else "ours, fp32"] = trainer
    batch = next(iter(next(iter(trainers.values())).batches(1)))
    return trainers, batch


class NVlabsTrainingStep:
    """One NVlabs/SPADE training step (no VGG, no VAE) on its own networks, fp32, as its trainer runs it."""

    def __init__(self, checkout: Path, config: GeneratorConfig, ndf: int, device: torch.device, lambda_feat=10.0):
        networks = import_nvlabs_networks(checkout)
        opt = nvlabs_options(config, ndf=ndf)
        self.generator = networks.generator.SPADEGenerator(opt)
        self.discriminator = networks.discriminator.MultiscaleDiscriminator(opt)
        for net in (self.generator, self.discriminator):
            net.init_weights("xavier", 0.02)  # NVlabs' defaults (--init_type xavier --init_variance 0.02)
            net.to(device).train()
        self.opt_g = torch.optim.Adam(self.generator.parameters(), lr=1e-4, betas=(0.0, 0.9))
        self.opt_d = torch.optim.Adam(self.discriminator.parameters(), lr=4e-4, betas=(0.0, 0.9))
        self.lambda_feat = lambda_feat

    def _scores(self, semantics, fake, real):
        scores = self.discriminator(torch.cat([torch.cat([semantics, fake], 1), torch.cat([semantics, real], 1)], 0))
        return [[f[: len(real)] for f in scale] for scale in scores], [
            [f[len(real) :] for f in scale] for scale in scores
        ]

    def __call__(self, semantics: torch.Tensor, real: torch.Tensor) -> None:
        from playground_lib.train.losses import d_hinge_loss, feature_matching_loss, g_hinge_loss

        self.opt_g.zero_grad()
        fake = self.generator(semantics)
        fake_scores, real_scores = self._scores(semantics, fake, real)
        g_loss = g_hinge_loss(fake_scores) + feature_matching_loss(real_scores, fake_scores, self.lambda_feat)
        g_loss.backward()
        self.opt_g.step()
        self.opt_d.zero_grad()
        with torch.no_grad():
            fake = self.generator(semantics).detach()
        fake_scores, real_scores = self._scores(semantics, fake, real)
        d_hinge_loss(real_scores, fake_scores).backward()
        self.opt_d.step()


def bench_training(args, device, checkout, sync) -> None:
    from playground_lib.synthetic import write_scenes
    from playground_lib.train.dataset import semantics as semantics_of

    with tempfile.TemporaryDirectory() as tmp:
        write_scenes(Path(tmp) / "scenes", n=max(4, args.batch), size=args.size, seed=0, progress=False)
        trainers, batch = our_trainers(args, device, Path(tmp) / "scenes", Path(tmp) / "runs")
        variants: dict[str, Callable[[], object]] = {
            name: (lambda t=trainer: t.train_step(batch)) for name, trainer in trainers.items()
        }
        if checkout is not None:
            first = next(iter(trainers.values()))
            on_device = {k: v.to(device) for k, v in batch.items()}
            sem, real = semantics_of(on_device, first.cfg), on_device["image"]
            config = first.generator.config
            step = NVlabsTrainingStep(checkout, config, args.ndf, device)
            variants["NVlabs, fp32"] = lambda: step(sem, real)
        interleaved(variants, 1, args.warmup, sync)
        seconds = interleaved(variants, args.repeats, args.steps, sync)
    report(
        f"training step, {args.size}², batch {args.batch}, ngf {args.ngf}, ndf {args.ndf}, no VGG",
        seconds,
        "s/step",
        1.0,
        REFERENCE_TRAIN,
    )
    best = {name: min(values) for name, values in seconds.items()}
    print(f"  ours AMP vs ours fp32: {best['ours, fp32'] / best['ours, AMP']:.2f}x faster (goal > 1)")
    if "NVlabs, fp32" in best:
        for name in ("ours, fp32", "ours, AMP"):
            print(f"  {name} vs NVlabs fp32: {best['NVlabs, fp32'] / best[name]:.2f}x faster")


# -- generation ----------------------------------------------------------------------------------
def bench_generation(args, device, checkout, sync) -> None:
    config = GeneratorConfig(ngf=args.ngf, crop_size=args.size)
    state = random_official_state_dict(config, seed=0)
    rng = np.random.default_rng(0)
    labels = np.repeat(
        np.repeat(rng.integers(0, 151, (args.gen_batch, args.size // 16, args.size // 16)), 16, 1), 16, 2
    )
    ours = {
        "ours generate, fp32": LoadedGenerator(build_plain(state, config), "fp32", device=device, fast=False),
        "ours generate, AMP": LoadedGenerator(build_plain(state, config), "amp", device=device, fast=False, amp=True),
    }
    variants: dict[str, Callable[[], object]] = {name: (lambda g=g: g.generate(labels)) for name, g in ours.items()}
    reference = None
    if checkout is not None:
        reference = nvlabs_generator(checkout, config, state).to(device)
        semantics = one_hot(torch.from_numpy(labels).to(device), config.label_nc)

        def nvlabs_forward():
            with torch.no_grad():
                return reference(semantics)

        variants["NVlabs bare forward, fp32"] = nvlabs_forward
    interleaved(variants, 1, args.warmup, sync)
    seconds = interleaved(variants, args.repeats, args.calls, sync)
    report(
        f"generation, {args.size}², batch {args.gen_batch}, ngf {args.ngf} (labels in, uint8 out; NVlabs: one-hot in)",
        seconds,
        "ms",
        1000.0,
        REFERENCE_GENERATE,
    )
    if reference is not None:
        expected = labels_to_image_array(nvlabs_forward())
        for name, generator in ours.items():
            diff = int(np.abs(generator.generate(labels).astype(int) - expected).max())
            ratio = min(seconds["NVlabs bare forward, fp32"]) / min(seconds[name])
            print(f"  {name}: {ratio:.2f}x NVlabs' forward speed (goal >= 1); max uint8 difference {diff}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nvlabs", help="NVlabs/SPADE checkout (default: $NVLABS_SPADE); without it only ours run")
    parser.add_argument("--device", default="cuda", help="cuda (default) or cpu for a dry run of the script")
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--batch", type=int, default=4, help="training batch")
    parser.add_argument("--gen-batch", type=int, default=1, help="generation batch")
    parser.add_argument("--ngf", type=int, default=64)
    parser.add_argument("--ndf", type=int, default=64)
    parser.add_argument("--steps", type=int, default=10, help="training steps per timed block")
    parser.add_argument("--calls", type=int, default=50, help="generations per timed block")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=5, help="timed blocks per variant")
    parser.add_argument("--skip", choices=("training", "generation"), action="append", default=[])
    args = parser.parse_args()
    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        print("no GPU: not run (bench_gpu.py times CUDA only; --device cpu checks the script)")
        return 0
    checkout = nvlabs_path(args.nvlabs)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "CPU (dry run: figures mean nothing)"
    print(f"device: {name}; torch {torch.__version__}; NVlabs: {checkout or 'not given (--nvlabs PATH)'}")
    sync = synchronizer(device)
    if "training" not in args.skip:
        bench_training(args, device, checkout, sync)
    if "generation" not in args.skip:
        bench_generation(args, device, checkout, sync)
    return 0


if __name__ == "__main__":
    sys.exit(main())
