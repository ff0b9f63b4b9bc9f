"""A generator ready to paint: ``load_generator(path).generate(labels)`` turns ADE20K label maps into pictures.

``load_generator`` takes the official ``latest_net_G.pth``, one of our generator files (see
``generator_file``), or ``None`` for the small model bundled with the library. Which generator to
use when the user has not said is ``playground_lib.generator_choice``'s business, not the loader's.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from ..labels import NUM_ADE20K_CLASSES
from ..paths import PACKAGE_DIR
from ..precision import Precision, autocast, place, precision_for
from .channels import FULL_NC, expand_generator, value_to_channel
from .config import GeneratorConfig
from .fast import FastSPADEGenerator, labels_to_image_array
from .generator_file import read_generator
from .model import SPADEGenerator, one_hot

BUNDLED_WEIGHTS = PACKAGE_DIR / "models" / "bundled_generator.safetensors"


# -- the network ---------------------------------------------------------------------------------
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
class LoadedGenerator:
    """A generator read from a file, ready to paint: ``generate(labels)`` turns ADE20K label maps into RGB pictures."""

    def __init__(
        self,
        plain: SPADEGenerator,
        description: str,
        classes: list[int] | None = None,
        device: str | torch.device | None = None,
        fast: bool | None = None,
        amp: bool = False,
    ):
        """``device``: "cpu", "cuda", ... (default: a GPU when there is one). ``fast``: the folded
        CPU path (default on CPU); elsewhere the plain network, which a GPU runs in milliseconds.
        ``amp``: on a GPU, bf16 autocast (fp16 before Ampere): faster, and pictures that differ
        from fp32's by a few levels. The plain network is taken over: its spectral norms are folded.
        """
        self.config = plain.config
        self.description = description
        self.device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        self.fast = self.device.type == "cpu" if fast is None else fast
        if self.fast and self.device.type != "cpu":
            raise ValueError("the folded fast path runs on the CPU; use fast=False on other devices")
        self.precision = precision_for(self.device, amp)
        if self.fast:
            self.network: torch.nn.Module = FastSPADEGenerator.from_plain(plain)
        else:
            self.network = inference_network(plain, self.device, self.precision)
        self._value_to_channel = _value_lookup(self.config.label_nc, classes, description).to(self.device)

    def __repr__(self) -> str:
        return f"LoadedGenerator({self.description}; {self.config})"

    def generate(self, labels, size: int | tuple[int, int] | None = None, batch_size: int = 4) -> np.ndarray:
        """H x W (or B x H x W) ADE20K values (0 = other) -> H x W x 3 (or B x H x W x 3) uint8 RGB.

        ``size``: an int is the output width (height keeps the aspect ratio), a pair is (height,
        width); both are rounded to the multiple of 32 (64, 128 for "more", "most") the network
        needs. Label maps are resized with nearest neighbour, so no class is invented.

        The labels are resized first, as bytes (ADE20K values fit in uint8); on a GPU they travel
        as bytes, are looked up and one-hot encoded on the device, and only the finished uint8
        pictures come back.
        """
        array = _as_label_array(labels)
        single = array.ndim == 2
        with torch.inference_mode():
            values = torch.from_numpy(array[None] if single else array).to(torch.uint8)  # checked: 0..150
            height, width = self._output_size(values.shape[1:], size)
            if (height, width) != tuple(values.shape[1:]):
                # Resized first, as bytes: a huge map never exists as 64-bit channels, nor travels whole.
                values = F.interpolate(values[:, None], size=(height, width), mode="nearest")[:, 0]
            batch = self._value_to_channel[values.to(self.device, non_blocking=True).long()]
            chunks = list(torch.split(batch, batch_size))
            if len(chunks) > 1:
                from tqdm.auto import tqdm

                chunks = tqdm(chunks, desc="generating", unit="batch")
            images = np.concatenate([labels_to_image_array(self._run(chunk)) for chunk in chunks])
        return images[0] if single else images

    def _run(self, channels: torch.Tensor) -> torch.Tensor:
        if self.fast:
            return self.network(channels)
        # In range by construction (the lookup table), so no check that would wait for the GPU.
        semantics = one_hot(channels, self.config.label_nc, check=False, memory_format=self.precision.memory_format)
        if self.config.instance_edges:
            semantics = torch.cat([semantics, torch.zeros_like(semantics[:, :1])], dim=1)
        with autocast(self.device, self.precision):
            return self.network(semantics)

    def _output_size(self, shape, size) -> tuple[int, int]:
        factor = self.config.upsampling_factor
        height, width = int(shape[0]), int(shape[1])
        if size is None:
            target = (float(height), float(width))
        elif isinstance(size, int):
            target = (size * height / width, float(size))
        else:
            target = (float(size[0]), float(size[1]))
        rounded = [max(factor, int(round(v / factor)) * factor) for v in target]
        return rounded[0], rounded[1]


def inference_network(plain: SPADEGenerator, device: torch.device, precision: Precision) -> SPADEGenerator:
    """``plain`` made ready for repeated inference, in place: spectral norms folded, moved, laid out.

    In eval mode a spectral norm divides the same ``weight_orig`` by the same sigma on every call
    (three small kernels per convolution, about sixty per picture, which on a GPU cost more time
    to launch than to run); ``remove_spectral_norm`` does that division once, with the stored
    (u, v), so the pictures are the same.
    """
    plain.eval()
    for module in plain.modules():
        if hasattr(module, "weight_orig"):
            torch.nn.utils.remove_spectral_norm(module)
    return place(plain, device, precision).requires_grad_(False)


def _value_lookup(label_nc: int, classes: list[int] | None, source: str) -> torch.Tensor:
    """ADE20K value -> input channel, after checking that the class list fits the model."""
    if classes is None and label_nc < FULL_NC:
        raise ValueError(
            f"{source}: a {label_nc}-class model needs its class list ('classes' in its file's metadata) "
            "to read ADE20K values"
        )
    if classes is not None and len(classes) != label_nc:
        raise ValueError(f"{source}: {len(classes)} classes listed for a {label_nc}-channel model")
    return torch.from_numpy(value_to_channel(classes))


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


def load_generator(
    path: str | os.PathLike | None = None, device: str | None = None, amp: bool = False
) -> LoadedGenerator:
    """The generator in ``path`` (official ``.pth``, our ``.safetensors``), or the bundled one for None.

    ``device`` and ``amp`` as for ``LoadedGenerator``: the folded fast path on CPU, the plain
    network on a GPU (in bf16 with ``amp=True``).
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
    state, config, classes = read_generator(path)
    plain = build_plain(state, config, str(path))
    if path.name.startswith("latest_net_G"):
        description = f"the official NVlabs SPADE ADE20K generator ({path.name})"
    return LoadedGenerator(plain, description, classes, device=device, amp=amp)


def load_plain_generator(path: str | os.PathLike) -> SPADEGenerator:
    """The plain torch network of a generator file, for code that feeds it one-hot maps itself (evaluation).

    A compact file (its class list inside, a few input channels: small enough to ship a wider model)
    is expanded here to the equivalent 151-channel network, so that code never needs the class list.
    """
    state, config, classes = read_generator(path)
    if classes is not None:
        state, config = expand_generator(state, config, classes, source=str(path))
    return build_plain(state, config, str(path))


def random_generator(config: GeneratorConfig | None = None, seed: int = 0) -> LoadedGenerator:
    """An untrained generator with random weights: for tests and quick runs, it paints noise-like colour."""
    from .model import random_official_state_dict

    config = config or GeneratorConfig(ngf=4)
    plain = SPADEGenerator(config)
    plain.load_state_dict(random_official_state_dict(config, seed))
    return LoadedGenerator(plain.eval(), f"an untrained random generator (ngf {config.ngf}, for quick runs)")
