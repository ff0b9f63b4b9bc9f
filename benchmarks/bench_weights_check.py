"""What checking a kept official generator on every use costs: hash, structure, and the load after them.

Reference: before issue 19 a kept file with a matching ``.sha256`` was trusted on the hash alone
(``sha256 only`` below); now its structure is checked on every use too (``weights.verified``),
from the safetensors header or the zip ``.pth``'s index, so the tensors are not read twice. The
figures are printed beside the load that follows in every real use (``load_generator``) and beside
a full ``torch.load`` (what a structure check reading the whole file would cost).

The generator is a random one of the official shape (96.5 M parameters), written three ways: the
fp16 ``.safetensors`` the cache prefers (195 MB), a zip-format ``.pth`` (386 MB) and a ``.pth`` in
PyTorch's old format, as NVlabs saved theirs in 2019 (it cannot be memory-mapped: read whole).

Run: .venv/bin/python benchmarks/bench_weights_check.py   (about 1 GB of temporary disk, a minute)
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import torch

from playground_lib import weights
from playground_lib.spade import load_generator
from playground_lib.spade.config import OFFICIAL_ADE20K
from playground_lib.spade.model import random_official_state_dict

REPEATS = 3


def best_of(function) -> float:
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench_weights_")) / "ade20k_pretrained"
    folder.mkdir()
    state = random_official_state_dict(OFFICIAL_ADE20K, seed=0)
    files = {"fp16 .safetensors": folder / weights.FP16_FILE, "zip .pth": folder / weights.GENERATOR_FILE}
    torch.save(state, files["zip .pth"])
    weights.convert_to_fp16_safetensors(files["zip .pth"])
    files["old-format .pth"] = folder.parent / "old" / weights.GENERATOR_FILE
    files["old-format .pth"].parent.mkdir()
    torch.save(state, files["old-format .pth"], _use_new_zipfile_serialization=False)
    del state
    print(
        f"{'file':<18} {'MB':>5} {'sha256 only':>12} {'+structure':>11} {'structure':>10} {'full load':>10} "
        f"{'load_generator':>15}"
    )
    for name, path in files.items():
        weights.record_hash(path)
        hash_only = best_of(lambda p=path: weights.sha256_file(p))
        checked = best_of(lambda p=path: weights.verified(p))
        structure = best_of(lambda p=path: weights.check_official_structure(p))
        if path.suffix == ".pth":
            full = best_of(lambda p=path: torch.load(p, map_location="cpu", weights_only=True))
        else:
            from safetensors.torch import load_file

            full = best_of(lambda p=path: load_file(str(p)))
        loaded = best_of(lambda p=path: load_generator(p, device="cpu"))
        size = path.stat().st_size / 1e6
        print(
            f"{name:<18} {size:5.0f} {hash_only:11.3f}s {checked:10.3f}s {structure:9.3f}s {full:9.3f}s {loaded:14.3f}s"
        )
    print("(best of 3, warm page cache; '+structure' is weights.verified: hash and structure, as every use now runs)")


if __name__ == "__main__":
    main()
