"""Words + sketch (Stable Diffusion 1.5 + segmentation ControlNet): time and memory, through ``load_engine``.

Reference (issue 17, closing note): figures for the tiny test pipeline on a CPU, and where a GPU is
at hand the time of one 20-step 512² picture and the peak GPU memory, also for a 768x1024
background window. No weights are downloaded: the real architectures are built here with random
weights from SD 1.5's and the ControlNet's published configs (same shapes, so the same time and
memory), saved in diffusers' layout to a temporary folder, and loaded by ``load_engine`` itself, so
the figures are for our code path (UniPC scheduler, ``memory_plan``, ``DiffusionEngine.paint``).

    PYTHONPATH=src python benchmarks/bench_diffusion.py                  # CPU part, then GPU part if CUDA
    PYTHONPATH=src python benchmarks/bench_diffusion.py --tiny           # tiny test pipeline only (seconds)
    PYTHONPATH=src python benchmarks/bench_diffusion.py --cpu-steps 0    # GPU part only

The real models take about 4.3 GB (float32, CPU) or 2.2 GB (float16, GPU) in the temporary folder.
They are built and saved in a child process, so the peak RSS printed is that of loading and painting.
On a CPU a few steps are timed with forward hooks (text encoder, ControlNet + UNet per step, VAE
decoder) and the 20-step total is extrapolated. Without CUDA the GPU part prints "no GPU: not run".
Without diffusers nothing runs: it says so and exits 0.
The base model's safety checker (a CLIP ViT-L/14 image tower, run once per picture) is not built.

Measured on the shared 2-core development machine (2 torch threads, load average 5-6 from other
work, so slower than a quiet laptop), 2026-12-04: 512x512, float32, a step (ControlNet + UNet, batch
2) 55-67 s, text encoder 2.0 s, VAE decode 42 s, peak RSS 6.8 GiB; 20 steps imply 21 min, and the
engine's first-step estimate said 23 min, over MAX_CPU_MINUTES (10), so it stops such a picture.
Tiny test pipeline: load 0.1-0.2 s, a 64 px 20-step picture 0.6 s (11.5 s under that load).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the tiny pipeline of the test suite, and its tokenizer

REFERENCE_GPU = "issue 17: fp16 on a GPU, 20 steps at 512², 'seconds a picture'; Colab T4 has 15 GB"
REFERENCE_TINY = "tests/diffusion_fixtures.py: a 64 px picture in a fraction of a second"
REFERENCE_CPU = "engine: MAX_CPU_MINUTES = 10 (a CPU picture estimated longer is stopped)"

# Stable Diffusion 1.5, unet/config.json (stable-diffusion-v1-5/stable-diffusion-v1-5); the values
# not listed (in/out channels 4, norm_num_groups 32, act silu, flip_sin_to_cos, freq_shift 0,
# downsample_padding 1, norm_eps 1e-5) are diffusers' UNet2DConditionModel defaults and equal SD 1.5's.
SD15_UNET = {
    "sample_size": 64,
    "block_out_channels": (320, 640, 1280, 1280),
    "layers_per_block": 2,
    "cross_attention_dim": 768,
    "attention_head_dim": 8,
    "down_block_types": ("CrossAttnDownBlock2D",) * 3 + ("DownBlock2D",),
    "up_block_types": ("UpBlock2D",) + ("CrossAttnUpBlock2D",) * 3,
}
# vae/config.json of the same repository (norm_num_groups 32, silu, scaling_factor 0.18215: defaults).
SD15_VAE = {
    "block_out_channels": (128, 256, 512, 512),
    "down_block_types": ("DownEncoderBlock2D",) * 4,
    "up_block_types": ("UpDecoderBlock2D",) * 4,
    "layers_per_block": 2,
    "latent_channels": 4,
    "sample_size": 512,
}
# text_encoder/config.json: CLIP ViT-L/14's text tower. Token ids: the tiny tokenizer's (bos 0, eos 1).
SD15_TEXT = {
    "hidden_size": 768,
    "intermediate_size": 3072,
    "num_attention_heads": 12,
    "num_hidden_layers": 12,
    "vocab_size": 49408,
    "max_position_embeddings": 77,
    "hidden_act": "quick_gelu",
    "projection_dim": 768,
    "bos_token_id": 0,
    "eos_token_id": 1,
    "pad_token_id": 1,
}
# scheduler/scheduler_config.json's noise schedule (load_engine swaps in UniPC from this config).
SD15_SCHEDULE = {"beta_start": 0.00085, "beta_end": 0.012, "beta_schedule": "scaled_linear", "steps_offset": 1}
# ControlNetModel.from_unet keeps the UNet's encoder; control_v11p_sd15_seg's conditioning embedding
# channels (16, 32, 96, 256) are from_unet's default.


def build_real(folder: Path, half: bool) -> None:
    """SD 1.5 + a segmentation ControlNet with random weights, in diffusers' layout under ``folder``."""
    import torch
    from diffusers import (
        AutoencoderKL,
        ControlNetModel,
        StableDiffusionPipeline,
        UNet2DConditionModel,
        UniPCMultistepScheduler,
    )
    from diffusion_fixtures import build_tiny_pipeline
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    _, tiny_base = build_tiny_pipeline(folder / "tiny")
    torch.manual_seed(0)
    unet = UNet2DConditionModel(**SD15_UNET)
    base = StableDiffusionPipeline(
        vae=AutoencoderKL(**SD15_VAE),
        text_encoder=CLIPTextModel(CLIPTextConfig(**SD15_TEXT)),
        tokenizer=CLIPTokenizer.from_pretrained(tiny_base / "tokenizer"),
        unet=unet,
        scheduler=UniPCMultistepScheduler(**SD15_SCHEDULE),
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )
    controlnet = ControlNetModel.from_unet(unet)
    if half:
        base.to(torch.float16)
        controlnet.to(torch.float16)
    base.save_pretrained(folder / "base")
    controlnet.save_pretrained(folder / "controlnet")


def build_in_child(folder: Path, half: bool) -> float:
    """Build and save in a process of its own (so this one's peak RSS is loading and painting); seconds."""
    started = time.perf_counter()
    command = [sys.executable, __file__, "--build", str(folder)] + (["--half"] if half else [])
    subprocess.run(command, check=True)
    return time.perf_counter() - started


def peak_rss_gib() -> float:
    """This process's peak resident memory (VmHWM), GiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM"):
            return int(line.split()[1]) / 2**20
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def sketch(height: int, width: int) -> np.ndarray:
    """A playground-like label map (ADE20K values): sky, trees, grass, a path."""
    labels = np.full((height, width), 3, np.uint8)  # sky
    labels[height // 3 :, :] = 5  # tree
    labels[height // 2 :, :] = 10  # grass
    labels[2 * height // 3 :, width // 3 : 2 * width // 3] = 12  # sidewalk
    return labels


class PhaseTimer:
    """Seconds spent in the text encoder, in each denoising step (ControlNet start to UNet end), in the VAE decoder."""

    def __init__(self, pipeline):
        self.seconds: dict[str, list[float]] = {"text encoder": [], "step": [], "VAE decode": []}
        self._started: dict[str, float] = {}
        self._watch(pipeline.text_encoder, pipeline.text_encoder, "text encoder")
        self._watch(pipeline.controlnet, pipeline.unet, "step")
        self._watch(pipeline.vae.decoder, pipeline.vae.decoder, "VAE decode")

    def _watch(self, first, last, phase: str) -> None:
        first.register_forward_pre_hook(lambda *_: self._started.__setitem__(phase, time.perf_counter()))
        last.register_forward_hook(lambda *_: self.seconds[phase].append(time.perf_counter() - self._started[phase]))


def tiny_figures(device: str) -> None:
    from diffusion_fixtures import build_tiny_pipeline

    from playground_lib.diffusion.engine import load_engine

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        controlnet, base = build_tiny_pipeline(Path(tmp))
        built = time.perf_counter() - started
        started = time.perf_counter()
        engine = load_engine(str(controlnet), str(base), device=device)
        loaded = time.perf_counter() - started
        started = time.perf_counter()
        picture = engine.paint(sketch(64, 64), progress=False)
        painted = time.perf_counter() - started
    height, width = picture.shape[:2]
    print(f"\ntiny test pipeline (tests/diffusion_fixtures.py) on {device}   [{REFERENCE_TINY}]")
    print(f"  build + save {built:.2f} s, load_engine {loaded:.2f} s")
    print(f"  one {width}x{height} picture ({engine.settings.steps} steps) {painted:.2f} s")
    print(f"  peak RSS of this process so far {peak_rss_gib():.2f} GiB")


def cpu_figures(folder: Path, steps: int) -> None:
    import torch

    from playground_lib.diffusion.engine import load_engine

    started = time.perf_counter()
    engine = load_engine(str(folder / "controlnet"), str(folder / "base"), device="cpu", max_cpu_minutes=None)
    loaded = time.perf_counter() - started
    timer = PhaseTimer(engine.pipeline)
    settings = engine.settings.but(steps=steps)
    started = time.perf_counter()
    engine.paint(sketch(512, 512), settings=settings, progress=False)
    total = time.perf_counter() - started
    encode, decode = sum(timer.seconds["text encoder"]), sum(timer.seconds["VAE decode"])
    per_step = statistics.median(timer.seconds["step"])
    first = engine.last_seconds_per_step or 0.0
    threads = torch.get_num_threads()
    print(f"\nCPU, float32, 512x512, guidance {settings.guidance} (UNet batch 2), {threads} torch threads")
    print(f"   [{REFERENCE_CPU}]")
    print(f"  load_engine {loaded:.1f} s ({engine.plan})")
    print(f"  text encoder {encode:.2f} s (prompt + negative prompt), VAE decode {decode:.1f} s")
    print(f"  denoising steps: {', '.join(f'{s:.1f}' for s in timer.seconds['step'])} s (median {per_step:.1f} s)")
    print(f"  {steps}-step picture {total:.1f} s; peak RSS {peak_rss_gib():.2f} GiB")
    implied = encode + 20 * per_step + decode
    print(f"  20 steps imply {implied:.0f} s = {implied / 60:.1f} min (encode + 20 x median step + decode)")
    print(f"  the engine's printed estimate: first step {first:.1f} s x 20 = {first * 20 / 60:.1f} min")


def gpu_figures(folder: Path, repeats: int, steps: int) -> None:
    import torch

    from playground_lib.diffusion.engine import load_engine

    started = time.perf_counter()
    engine = load_engine(str(folder / "controlnet"), str(folder / "base"), device="cuda")
    loaded = time.perf_counter() - started
    settings = engine.settings.but(steps=steps)
    print(f"\nGPU {torch.cuda.get_device_name(0)}, float16, {steps} steps   [{REFERENCE_GPU}]")
    print(f"  load_engine {loaded:.1f} s ({engine.plan}); weights {torch.cuda.memory_allocated() / 2**30:.2f} GiB")
    for height, width in ((512, 512), (768, 1024)):
        labels = sketch(height, width)
        engine.paint(labels, settings=settings, progress=False)  # warm-up: kernels chosen, memory pooled
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        seconds = []
        for _ in range(repeats):
            started = time.perf_counter()
            picture = engine.paint(labels, settings=settings, progress=False)
            torch.cuda.synchronize()
            seconds.append(time.perf_counter() - started)
        peak = torch.cuda.max_memory_allocated() / 2**30
        print(
            f"  {picture.shape[0]}x{picture.shape[1]} (HxW, VAE tiling {engine.plan.vae_tiling}): "
            f"best {min(seconds):.2f} s, median {statistics.median(seconds):.2f} s a picture (of {repeats}); "
            f"peak allocated {peak:.2f} GiB"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true", help="only the tiny test pipeline (seconds)")
    parser.add_argument("--cpu-steps", type=int, default=3, help="steps timed on the CPU (0: no CPU part)")
    parser.add_argument("--gpu-steps", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3, help="timed GPU pictures per size, after one warm-up")
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    parser.add_argument("--folder", type=Path, help="keep the built models here (default: a temporary folder)")
    parser.add_argument("--build", type=Path, help=argparse.SUPPRESS)  # the child process
    parser.add_argument("--half", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    from playground_lib.diffusion.engine import diffusion_installed

    if not diffusion_installed():
        print("diffusers/transformers not installed: not run")
        return
    import torch

    if args.build:
        build_real(args.build, args.half)
        return
    torch.set_num_threads(args.threads)
    print(f"load average (1, 5, 15 min) {_load_average()} on {_cpus()} CPUs, shared with other work")
    tiny_figures("cpu")
    if args.tiny:
        return
    with tempfile.TemporaryDirectory(dir=args.folder) as tmp:
        if args.cpu_steps:
            built = build_in_child(Path(tmp) / "fp32", half=False)
            print(f"\nreal architecture, random weights, float32: built and saved in {built:.0f} s")
            cpu_figures(Path(tmp) / "fp32", args.cpu_steps)
        if not torch.cuda.is_available():
            print("\nGPU: no GPU: not run")
            return
        built = build_in_child(Path(tmp) / "fp16", half=True)
        print(f"\nreal architecture, random weights, float16: built and saved in {built:.0f} s")
        gpu_figures(Path(tmp) / "fp16", args.repeats, args.gpu_steps)


def _load_average() -> str:
    import os

    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def _cpus() -> int:
    import os

    return os.cpu_count() or 1


if __name__ == "__main__":
    main()
