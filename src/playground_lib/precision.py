"""Which number format and memory layout a run computes in, chosen from the device it runs on.

* **CPU**: plain fp32, contiguous layout. CPU runs stay exactly repeatable, and CPU autocast
  would slow most laptops down.
* **CUDA, Ampere and newer** (compute capability 8.0+: A100, L4, RTX 30xx, H100, H200): bf16
  autocast. bf16 has fp32's exponent range, so the losses need no scaling and no GradScaler
  (whose overflow check costs a device-to-host sync every optimizer step).
* **CUDA, older** (T4 and V100 are 7.x): fp16 autocast with a GradScaler. ``torch.cuda.is_bf16_supported``
  is not asked: it answers True on a T4 too, where bf16 is emulated and slower than fp32.
* **CUDA either way**: channels-last memory format, the layout tensor cores read without a
  transpose before every convolution.

``choose_precision`` is the pure rule (tested); ``precision_for`` asks the device.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any, TypeVar

import torch
from torch import nn

ModuleT = TypeVar("ModuleT", bound=nn.Module)

BF16_CAPABILITY = (8, 0)  # Ampere: the first GPUs with native bf16 tensor cores


@dataclass(frozen=True)
class Precision:
    """How a run computes: autocast dtype (None: fp32), whether the loss needs scaling, the memory layout."""

    dtype: torch.dtype | None
    scale_loss: bool
    memory_format: torch.memory_format

    @property
    def name(self) -> str:
        return {None: "fp32", torch.bfloat16: "bf16 autocast", torch.float16: "fp16 autocast + loss scaling"}[
            self.dtype
        ]


def choose_precision(device_type: str, amp: bool, capability: tuple[int, int] | None = None) -> Precision:
    """The rule: ``device_type`` "cuda"/"cpu"/...; ``capability`` the CUDA compute capability (major, minor)."""
    if device_type != "cuda":
        return Precision(None, False, torch.contiguous_format)
    if not amp:
        return Precision(None, False, torch.channels_last)
    if capability is not None and tuple(capability) >= BF16_CAPABILITY:
        return Precision(torch.bfloat16, False, torch.channels_last)
    return Precision(torch.float16, True, torch.channels_last)


def precision_for(device: torch.device, amp: bool = True) -> Precision:
    """``choose_precision`` for a real device (asks CUDA for its compute capability)."""
    capability = torch.cuda.get_device_capability(device) if device.type == "cuda" else None
    return choose_precision(device.type, amp, capability)


def autocast(device: torch.device, precision: Precision) -> AbstractContextManager:
    """``torch.autocast`` in the chosen dtype, or nothing for fp32."""
    if precision.dtype is None:
        return nullcontext()
    return torch.autocast(device.type, dtype=precision.dtype)


def place(module: ModuleT, device: torch.device, precision: Precision) -> ModuleT:
    """``module.to(device, memory_format=...)``: a keyword torch documents but its type stubs lack."""
    move: Any = module.to
    return move(device, memory_format=precision.memory_format)
