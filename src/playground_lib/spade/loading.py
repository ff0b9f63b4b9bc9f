"""Loading a SPADE generator from whatever the user has, and generating pictures from label maps.

``load_generator(path)`` accepts the official ``latest_net_G.pth`` (a plain state dict, read with
``weights_only=True``), our half-precision ``.safetensors`` (``playground_lib.weights``), a
checkpoint made by the training notebooks, or ``None`` for the small model bundled with the
library. The network's shape comes from, in order: a JSON file beside the weights (same name,
``.json``), the safetensors metadata, or the tensor shapes themselves.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from ..labels import NUM_ADE20K_CLASSES
from ..paths import PACKAGE_DIR
from .config import GeneratorConfig
from .fast import FastSPADEGenerator, labels_to_image_array
from .model import SPADEGenerator

BUNDLED_WEIGHTS = PACKAGE_DIR / "models" / "bundled_generator.safetensors"
FULL_NC = NUM_ADE20K_CLASSES + 1


# -- reading weights ------------------------------------------------------------------------------
def read_state_dict(path: str | os.PathLike) -> tuple[dict[str, torch.Tensor], GeneratorConfig]:
    """Tensors (float32) and the generator config of a weights file, with errors naming the file."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such weights file")
    metadata: dict[str, str] = {}
    if path.suffix == ".safetensors":
        from safetensors import safe_open

        try:
            with safe_open(str(path), framework="pt") as f:
                metadata = f.metadata() or {}
                state = {key: f.get_tensor(key) for key in f.keys()}
        except Exception as exc:
            raise ValueError(f"{path}: not a readable safetensors file ({exc})") from exc
    else:
        try:
            state = torch.load(path, map_location="cpu", weights_only=True)
        except Exception as exc:
            raise ValueError(f"{path}: not a readable PyTorch weights file ({type(exc).__name__}: {exc})") from exc
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise ValueError(f"{path}: expected a plain state dict of tensors (like NVlabs' latest_net_G.pth)")
    state = {_strip_prefix(k): (v.float() if v.is_floating_point() else v) for k, v in state.items()}
    return state, _config_for(path, state, metadata)


def _strip_prefix(key: str) -> str:
    return key[len("module.") :] if key.startswith("module.") else key


def _sidecar(path: Path) -> Path:
    return path.with_suffix(".json")


def _config_for(path: Path, state: dict[str, torch.Tensor], metadata: dict[str, str]) -> GeneratorConfig:
    sidecar = _sidecar(path)
    if sidecar.is_file():
        try:
            data = json.loads(sidecar.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{sidecar}: not valid JSON ({exc})") from exc
        return config_from_json(data, str(sidecar))
    if "generator_config" in metadata:
        return config_from_json(json.loads(metadata["generator_config"]), f"{path} metadata")
    return infer_config(state, str(path))


def config_from_json(data: Any, source: str) -> GeneratorConfig:
    """A config from our JSON: the fields themselves, or nested under "generator_config"/"config"."""
    if isinstance(data, dict):
        for key in ("generator_config", "generator", "config"):
            if isinstance(data.get(key), dict):
                data = data[key]
                break
    if not isinstance(data, dict):
        raise ValueError(f"{source}: expected a JSON object with the generator config")
    fields = {f.name for f in dataclasses.fields(GeneratorConfig)}
    return GeneratorConfig.from_dict({k: v for k, v in data.items() if k in fields}, source)


def infer_config(state: dict[str, torch.Tensor], source: str = "state dict") -> GeneratorConfig:
    """Read ngf, the input channels and "most" off the tensor shapes (crop 256, square otherwise).

    "normal" and "more" have the same tensors, so "more" needs a JSON config beside the file.
    """
    if "fc.weight" not in state or state["fc.weight"].dim() != 4:
        raise ValueError(f"{source}: no fc.weight conv: not a SPADE generator without VAE (official layout)")
    out_channels, semantic_nc = state["fc.weight"].shape[:2]
    edges = semantic_nc == FULL_NC + 1
    return GeneratorConfig(
        label_nc=semantic_nc - int(edges),
        instance_edges=edges,
        ngf=out_channels // 16,
        num_upsampling_layers="most" if any(k.startswith("up_4.") for k in state) else "normal",
    )


def build_plain(state: dict[str, torch.Tensor], config: GeneratorConfig, source: str = "state dict") -> SPADEGenerator:
    """The plain network with these weights, loaded strictly (every key present, none extra)."""
    generator = SPADEGenerator(config)
    missing, unexpected = _key_mismatch(generator, state)
    if missing or unexpected:
        raise ValueError(
            f"{source}: does not fit a SPADE generator with {config}: "
            f"missing keys {missing[:5]}{' ...' if len(missing) > 5 else ''}, "
            f"unexpected keys {unexpected[:5]}{' ...' if len(unexpected) > 5 else ''}"
        )
    try:
        generator.load_state_dict(state, strict=True)
    except RuntimeError as exc:  # same keys, other shapes
        raise ValueError(f"{source}: tensor shapes do not fit {config}: {exc}") from exc
    return generator.eval()


def _key_mismatch(generator: SPADEGenerator, state: dict[str, torch.Tensor]) -> tuple[list[str], list[str]]:
    expected = set(generator.state_dict())
    optional = {k for k in expected if k.endswith("num_batches_tracked")}  # absent in pre-0.4.1 files
    return sorted(expected - set(state) - optional), sorted(set(state) - expected)


# -- the generator users hold --------------------------------------------------------------------
class Generator:
    """A loaded generator: ``generate(labels)`` turns ADE20K label maps into RGB pictures."""

    def __init__(
        self,
        plain: SPADEGenerator,
        description: str,
        classes: list[int] | None = None,
        device: str | torch.device | None = None,
        fast: bool | None = None,
    ):
        """``device``: "cpu", "cuda", ... (default: a GPU when there is one). ``fast``: the folded
        CPU path (default on CPU); elsewhere the plain network, which a GPU runs in milliseconds."""
        self.config = plain.config
        self.description = description
        self.device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        self.fast = self.device.type == "cpu" if fast is None else fast
        if self.fast and self.device.type != "cpu":
            raise ValueError("the folded fast path runs on the CPU; use fast=False on other devices")
        self.network = FastSPADEGenerator.from_plain(plain) if self.fast else plain.eval().to(self.device)
        self._value_to_channel = _value_lookup(self.config.label_nc, classes, description)

    def __repr__(self) -> str:
        return f"Generator({self.description}; {self.config})"

    def generate(self, labels, size: int | tuple[int, int] | None = None, batch_size: int = 4) -> np.ndarray:
        """H x W (or B x H x W) ADE20K values (0 = other) -> H x W x 3 (or B x H x W x 3) uint8 RGB.

        ``size``: an int is the output width (height keeps the aspect ratio), a pair is (height,
        width); both are rounded to the multiple of 32 (64, 128 for "more", "most") the network
        needs. Label maps are resized with nearest neighbour, so no class is invented.
        """
        array = _as_label_array(labels)
        single = array.ndim == 2
        batch = torch.from_numpy(array[None] if single else array).long()
        batch = self._value_to_channel[batch]
        height, width = self._output_size(batch.shape[1:], size)
        if (height, width) != tuple(batch.shape[1:]):
            batch = F.interpolate(batch[:, None].float(), size=(height, width), mode="nearest")[:, 0].long()
        chunks = list(torch.split(batch, batch_size))
        if len(chunks) > 1:
            from tqdm.auto import tqdm

            chunks = tqdm(chunks, desc="generating", unit="batch")
        images = np.concatenate([labels_to_image_array(self._run(chunk).cpu()) for chunk in chunks])
        return images[0] if single else images

    def _run(self, channels: torch.Tensor) -> torch.Tensor:
        if self.fast:
            return self.network(channels)
        from .model import one_hot

        with torch.inference_mode():
            semantics = one_hot(channels.to(self.device), self.config.label_nc)
            if self.config.instance_edges:
                semantics = torch.cat([semantics, torch.zeros_like(semantics[:, :1])], dim=1)
            return self.network(semantics)

    def _output_size(self, shape, size) -> tuple[int, int]:
        factor = self.config.upsampling_factor
        height, width = int(shape[0]), int(shape[1])
        if size is None:
            target = (height, width)
        elif isinstance(size, int):
            target = (size * height / width, size)
        else:
            target = tuple(size)
        return tuple(max(factor, int(round(v / factor)) * factor) for v in target)


def _value_lookup(label_nc: int, classes: list[int] | None, source: str) -> torch.Tensor:
    """ADE20K value -> input channel: the identity for 151-channel models, ``classes`` for compact ones."""
    lookup = torch.zeros(FULL_NC, dtype=torch.long)  # values a compact model lacks become "other"
    if classes is None:
        if label_nc < FULL_NC:
            raise ValueError(
                f"{source}: a {label_nc}-class model needs its class list ('classes' in its JSON config) "
                "to read ADE20K values"
            )
        return torch.arange(FULL_NC)
    if len(classes) != label_nc:
        raise ValueError(f"{source}: {len(classes)} classes listed for a {label_nc}-channel model")
    for channel, value in enumerate(classes):
        lookup[int(value)] = channel
    return lookup


def _as_label_array(labels) -> np.ndarray:
    if isinstance(labels, torch.Tensor):
        labels = labels.cpu().numpy()
    array = np.asarray(labels)
    if array.ndim not in (2, 3):
        raise ValueError(f"labels must be H x W or B x H x W, got shape {array.shape}")
    if not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"labels must be integers (ADE20K values), got {array.dtype}")
    if array.size and (array.min() < 0 or array.max() > NUM_ADE20K_CLASSES):
        bad = np.unique(array[(array < 0) | (array > NUM_ADE20K_CLASSES)])[:10].tolist()
        raise ValueError(f"label values must be ADE20K values 0..{NUM_ADE20K_CLASSES}; found {bad}")
    return np.ascontiguousarray(array)  # flipped or sliced views too (torch.from_numpy needs this)


def _classes_beside(path: Path) -> list[int] | None:
    sidecar = _sidecar(path)
    if sidecar.is_file():
        data = json.loads(sidecar.read_text(encoding="utf-8"))
        if isinstance(data, dict) and data.get("classes") is not None:
            return [int(v) for v in data["classes"]]
    return None


def load_generator(path: str | os.PathLike | None = None, device: str | None = None) -> Generator:
    """The generator in ``path`` (official ``.pth``, our ``.safetensors``), or the bundled one for None.

    ``device`` as for ``Generator``: the folded fast path on CPU, the plain network on a GPU.
    """
    if path is None:
        if not BUNDLED_WEIGHTS.is_file():
            raise FileNotFoundError(
                f"the small bundled model is not part of this installation yet ({BUNDLED_WEIGHTS} is missing). "
                "Use the official weights instead: load_generator(playground_lib.weights.ensure_official_weights())"
            )
        path, description = BUNDLED_WEIGHTS, "the small bundled model (trained on our synthetic playgrounds)"
    else:
        path = Path(path)
        description = f"weights from {path.name}"
    path = Path(path)
    state, config = read_state_dict(path)
    plain = build_plain(state, config, str(path))
    if path.name.startswith("latest_net_G"):
        description = f"the official NVlabs SPADE ADE20K generator ({path.name})"
    classes = _classes_beside(path) if config.label_nc < FULL_NC else None  # 151 channels: values are channels
    return Generator(plain, description, classes, device=device)


def random_generator(config: GeneratorConfig | None = None, seed: int = 0) -> Generator:
    """An untrained generator with random weights: for tests and quick runs, it paints noise-like colour."""
    from .model import random_official_state_dict

    config = config or GeneratorConfig(ngf=4)
    plain = SPADEGenerator(config)
    plain.load_state_dict(random_official_state_dict(config, seed))
    return Generator(plain.eval(), f"an untrained random generator (ngf {config.ngf}, for quick runs)")


def choose_generator(
    weights: str | os.PathLike | None = None, allow_download: bool = False, quick: bool | None = None
) -> Generator:
    """The best generator at hand, saying which: given weights, cached or downloaded official
    weights, the bundled model, and (quick mode only) an untrained tiny one."""
    from .. import weights as official
    from ..quick import is_quick

    quick = is_quick() if quick is None else quick
    if weights is not None:
        return _announce(load_generator(official.ensure_official_weights(weights)))
    if not quick:
        try:
            path = official.ensure_official_weights(download=allow_download)
            return _announce(load_generator(path))
        except official.WeightsUnavailable as exc:
            print(f"Official weights not available: {exc}")
    if BUNDLED_WEIGHTS.is_file():
        return _announce(load_generator(None))
    if quick:
        return _announce(random_generator())
    raise FileNotFoundError(
        "no generator available: the official weights could not be had and the small bundled model is "
        f"missing ({BUNDLED_WEIGHTS}). Pass --weights PATH (latest_net_G.pth or {official.ARCHIVE_NAME})."
    )


def _announce(generator: Generator) -> Generator:
    print(f"Using {generator.description}.")
    return generator
