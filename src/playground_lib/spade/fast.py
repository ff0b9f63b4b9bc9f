"""Fast CPU inference for a trained SPADE generator: the same numbers as the plain network, less work.

What is folded, once, when the generator is loaded (``FastSPADEGenerator.from_plain``):

* **Spectral norm** -> plain conv weights: ``W = weight_orig / sigma`` with ``sigma = u . (W v)``,
  exactly what ``torch.nn.utils.spectral_norm`` divides by in eval mode.
* **Batch norm -> SPADE's affine terms.** With ``s = 1 / sqrt(running_var + eps)`` and ``mu`` the
  running mean, ``(x - mu) * s * (1 + gamma) + beta`` equals ``x * A + B`` where
  ``A = s * (1 + gamma)`` and ``B = beta - mu * s * (1 + gamma)``. Both are linear in the hidden
  activation, so ``mlp_gamma`` and ``mlp_beta`` fold into one conv that outputs A and B:
  ``W_A = s * W_gamma``, ``b_A = s * (1 + b_gamma)``, ``W_B = W_beta - mu * s * W_gamma``,
  ``b_B = b_beta - mu * s * (1 + b_gamma)``.

What is shared at run time:

* The label map is shrunk to each resolution once (same nearest-neighbour pick as the plain net)
  and every SPADE layer at that resolution reuses it, with everything derived from it (a "plan").

How the one-hot structure pays:

* Inside a region of one class ``c`` (the whole 5x5 neighbourhood of a pixel is ``c`` and inside
  the image), the hidden activation is the constant ``relu(sum_k W_shared[:, c, k] + b)`` and
  A/B are constants too: a table lookup per class, computed once at load time. Most pixels of a
  painted sketch are like that, and ``mlp_gamma``/``mlp_beta`` are most of SPADE's cost.
* Only pixels near a class boundary or the image border are computed exactly. Their A/B depend
  only on their 5x5 neighbourhood of labels, and a painted sketch has far fewer distinct
  neighbourhoods than boundary pixels (about 1.5k for 9-13k pixels at 256x256 on the bundled
  sketches), so each distinct one is computed once and copied. Its 3x3 hidden activations each
  depend on a 3x3 label window, and neighbourhoods share those windows (about 400 distinct ones
  for 1.5k neighbourhoods): each distinct window's hidden activation is an embedding-bag sum of
  weight columns (a 3x3 conv on a one-hot map picks one column per neighbour), multiplied once
  by all nine taps of the gamma/beta conv; a neighbourhood's A/B is then a sum of nine rows.
* Where distinct neighbourhoods are most of a small map, a dense conv is used instead.

Everything runs under ``torch.inference_mode`` in channels-last layout (weights stored that way
too, so oneDNN does not convert them on every call), which keeps SPADE's per-pixel vectors
contiguous for the lookups. Large scratch buffers are reused between layers and calls. What is
left is mostly the residual blocks' own convolutions, which no folding removes. ``torch.compile``
is not used: compiling each folded block (measured on 1 CPU thread, official shape, 256x256) took
about 40 s, hit the recompile limit because widths and plan sizes change, and then ran no faster
(2.5 s vs 2.0-2.2 s eager on a busy machine); oneDNN already runs the convolutions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .config import GeneratorConfig
from .model import LEAKY_SLOPE, SPADE, SPADEGenerator, SPADEResnetBlock, spade_blocks, tensor_attribute

# When a map has more distinct boundary neighbourhoods than this share of its pixels (small maps
# full of edges), a dense conv is cheaper than computing neighbourhoods one by one.
DENSE_SHARE = 0.7
DENSE_PIXELS = 256  # tiny maps: dense is simplest and as fast
# 3x3 offsets in the (ky, kx) order of a conv kernel.
_OFFSETS = [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)]
# In a 5x5 window (centre at 2, 2): for each hidden pixel around the centre, the labels it reads.
_BAG_POSITIONS = torch.tensor([[(2 + dy + ey) * 5 + (2 + dx + ex) for ey, ex in _OFFSETS] for dy, dx in _OFFSETS])
_KERNEL_INDEX = torch.arange(9)  # which kernel tap (row block of the bag table) each label goes through


def _WINDOW_OFFSETS_5x5(row_length: int) -> Tensor:
    """Flat offsets of a 5x5 window in a padded map whose rows are ``row_length`` long."""
    return torch.tensor([dy * row_length + dx for dy in range(5) for dx in range(5)])


def conv_bias(conv: nn.Conv2d) -> Tensor:
    """A conv's bias, detached: every conv of SPADE's has one."""
    if conv.bias is None:
        raise ValueError(f"{conv}: expected a bias, as every SPADE convolution has")
    return conv.bias.detach()


def folded_conv_weight(conv: nn.Conv2d) -> Tensor:
    """The weight a (possibly spectral-normed) conv applies in eval mode, as a plain tensor."""
    if hasattr(conv, "weight_orig"):
        weight = tensor_attribute(conv, "weight_orig").detach()
        u, v = tensor_attribute(conv, "weight_u").detach(), tensor_attribute(conv, "weight_v").detach()
        sigma = torch.dot(u, weight.flatten(1) @ v)
        return weight / sigma
    return conv.weight.detach()


@dataclass
class Plan:
    """A label map at one resolution and everything the SPADE layers there share."""

    labels: Tensor  # (B, h, w) long, channel indices
    flat: Tensor  # (B*h*w,) the same, flat
    dense: bool  # True: use dense convs at this resolution
    onehot: Tensor | None = None  # (B, L, h, w) channels-last, for the dense path
    exact_rows: Tensor | None = None  # (N,) flat pixel rows computed exactly
    config_of_row: Tensor | None = None  # (N,) which distinct 5x5 neighbourhood each exact row has
    bag_index: Tensor | None = None  # (D, 9) per distinct 3x3 window: k * (L + 1) + label (L = outside)
    inside: Tensor | None = None  # (D, 1) 1.0 where that window's centre (a hidden pixel) lies inside the image
    tap_index: Tensor | None = None  # (U, 9) per 5x5 neighbourhood and kernel tap t: window * 9 + t


_WORKSPACE: dict[tuple, Tensor] = {}


def workspace(key: tuple) -> Tensor:
    """A reusable scratch tensor of shape ``(rows, channels) = key[1:]``.

    Large fresh allocations cost page faults on every call (tens of milliseconds for the 32 MB
    scale maps at 256x256, more than the lookup that fills them); SPADE layers use their scratch
    one after the other, so one growing buffer per name and width serves every resolution.
    Not thread-safe: one generation at a time per process.
    """
    name, rows, channels = key
    buffer = _WORKSPACE.get((name, channels))
    if buffer is None or buffer.numel() < rows * channels:
        buffer = _WORKSPACE[(name, channels)] = torch.empty(rows * channels)
    return buffer[: rows * channels].view(rows, channels)


def clear_workspace() -> None:
    """Give the scratch memory back (about 160 MB after a 256x256 image with the official model)."""
    _WORKSPACE.clear()


class FoldedSPADE(nn.Module):
    """One SPADE layer with batch norm folded in: returns ``x * A + B`` from a plan."""

    # Buffers (declared for the type checker; registered in __init__).
    w_shared: Tensor
    b_shared: Tensor
    w_a: Tensor
    w_b: Tensor
    b_ab: Tensor
    bag_table: Tensor
    w_taps: Tensor
    class_a: Tensor
    class_b: Tensor

    def __init__(self, spade: SPADE, label_nc: int):
        super().__init__()
        shared = spade.mlp_shared[0]
        assert isinstance(shared, nn.Conv2d)  # SPADE's shared MLP starts with its conv
        bn = spade.param_free_norm
        s = torch.rsqrt(tensor_attribute(bn, "running_var").detach() + bn.eps)
        mu = tensor_attribute(bn, "running_mean").detach()
        wg, bg = spade.mlp_gamma.weight.detach(), conv_bias(spade.mlp_gamma)
        wb, bb = spade.mlp_beta.weight.detach(), conv_bias(spade.mlp_beta)
        w_a = s[:, None, None, None] * wg
        b_a = s * (1 + bg)
        w_b = wb - (mu * s)[:, None, None, None] * wg
        b_b = bb - mu * s * (1 + bg)
        w_ab = torch.cat([w_a, w_b]).contiguous()  # (2C, hidden, 3, 3)
        b_ab = torch.cat([b_a, b_b]).contiguous()
        w_shared = shared.weight.detach()[:, :label_nc].contiguous()  # the edge channel is zero here
        b_shared = conv_bias(shared).contiguous()
        self.channels = wg.shape[0]
        self.label_nc = label_nc
        hidden = w_shared.shape[0]
        self.register_buffer("w_shared", _nhwc(w_shared))
        self.register_buffer("b_shared", b_shared)
        self.register_buffer("w_a", _nhwc(w_a))
        self.register_buffer("w_b", _nhwc(w_b))
        self.register_buffer("b_ab", b_ab)
        # Embedding table for exact hidden activations: row k*(L+1)+c is W_shared[:, c, ky, kx];
        # row k*(L+1)+L (outside the image) is zero.
        table = torch.zeros(9, label_nc + 1, hidden)
        table[:, :label_nc] = w_shared.permute(2, 3, 1, 0).reshape(9, label_nc, hidden)
        self.register_buffer("bag_table", table.reshape(9 * (label_nc + 1), hidden).contiguous())
        # (hidden, 9*2C): column block t is kernel tap t of the folded gamma/beta conv.
        self.register_buffer("w_taps", w_ab.permute(1, 2, 3, 0).reshape(hidden, 9 * 2 * self.channels).contiguous())
        # Per-class constants inside uniform regions.
        uniform_hidden = torch.relu(w_shared.sum(dim=(2, 3)).t() + b_shared)  # (L, hidden)
        class_ab = uniform_hidden @ w_ab.sum(dim=(2, 3)).t() + b_ab  # (L, 2C)
        self.register_buffer("class_a", class_ab[:, : self.channels].contiguous())
        self.register_buffer("class_b", class_ab[:, self.channels :].contiguous())

    def affine(self, plan: Plan) -> tuple[Tensor, Tensor]:
        """A and B as (B, C, h, w) channels-last tensors."""
        b, h, w = plan.labels.shape
        c = self.channels
        if plan.dense:
            assert plan.onehot is not None  # a dense plan carries its one-hot map
            hidden = torch.relu(F.conv2d(plan.onehot, self.w_shared, self.b_shared, padding=1))
            a = F.conv2d(hidden, self.w_a, self.b_ab[:c], padding=1)
            bias = F.conv2d(hidden, self.w_b, self.b_ab[c:], padding=1)
            return a.contiguous(memory_format=torch.channels_last), bias.contiguous(memory_format=torch.channels_last)
        rows = plan.flat.numel()
        a_rows = torch.index_select(self.class_a, 0, plan.flat, out=workspace(("a", rows, c)))  # (B*h*w, C)
        b_rows = torch.index_select(self.class_b, 0, plan.flat, out=workspace(("b", rows, c)))
        if plan.exact_rows is not None and plan.exact_rows.numel():
            # Hidden activations once per distinct 3x3 label window, pushed through every kernel
            # tap; then A/B once per distinct 5x5 neighbourhood as a sum of nine of those
            # products, copied to every pixel that has that neighbourhood.
            assert plan.bag_index is not None and plan.inside is not None and plan.tap_index is not None
            assert plan.config_of_row is not None
            hidden = F.embedding_bag(plan.bag_index, self.bag_table, mode="sum").add_(self.b_shared).relu_()
            hidden.mul_(plan.inside)  # the gamma/beta conv zero-pads outside the image
            per_tap = (hidden @ self.w_taps).view(-1, 2 * c)  # row window * 9 + t
            exact = F.embedding_bag(plan.tap_index, per_tap, mode="sum").add_(self.b_ab)
            a_rows.index_copy_(0, plan.exact_rows, exact[:, :c].index_select(0, plan.config_of_row))
            b_rows.index_copy_(0, plan.exact_rows, exact[:, c:].index_select(0, plan.config_of_row))
        return a_rows.view(b, h, w, c).permute(0, 3, 1, 2), b_rows.view(b, h, w, c).permute(0, 3, 1, 2)

    def forward(self, x: Tensor, plan: Plan) -> Tensor:
        a, bias = self.affine(plan)
        return bias.addcmul_(x, a)


class FoldedBlock(nn.Module):
    w_0: Tensor
    b_0: Tensor
    w_1: Tensor
    b_1: Tensor
    w_s: Tensor

    def __init__(self, block: SPADEResnetBlock, label_nc: int):
        super().__init__()
        self.learned_shortcut = block.learned_shortcut
        self.norm_0 = FoldedSPADE(block.norm_0, label_nc)
        self.norm_1 = FoldedSPADE(block.norm_1, label_nc)
        self.register_buffer("w_0", _nhwc(folded_conv_weight(block.conv_0)))
        self.register_buffer("b_0", conv_bias(block.conv_0).clone())
        self.register_buffer("w_1", _nhwc(folded_conv_weight(block.conv_1)))
        self.register_buffer("b_1", conv_bias(block.conv_1).clone())
        if self.learned_shortcut:
            self.norm_s = FoldedSPADE(block.norm_s, label_nc)
            # A 1x1 conv on channels-last pixels is a plain matrix product: (pixels, Cin) @ (Cin, Cout).
            self.register_buffer("w_s", folded_conv_weight(block.conv_s)[:, :, 0, 0].t().contiguous())

    def forward(self, x: Tensor, plan: Plan) -> Tensor:
        if self.learned_shortcut:
            normed = self.norm_s(x, plan)
            b, _, h, w = normed.shape
            x_s = (
                (normed.permute(0, 2, 3, 1).reshape(-1, normed.shape[1]) @ self.w_s)
                .view(b, h, w, -1)
                .permute(0, 3, 1, 2)
            )
        else:
            x_s = x
        dx = F.conv2d(F.leaky_relu_(self.norm_0(x, plan), LEAKY_SLOPE), self.w_0, self.b_0, padding=1)
        dx = F.conv2d(F.leaky_relu_(self.norm_1(dx, plan), LEAKY_SLOPE), self.w_1, self.b_1, padding=1)
        return dx.add_(x_s)


class FastSPADEGenerator(nn.Module):
    """Inference-only SPADE generator: integer label maps in, images in [-1, 1] out."""

    w_fc: Tensor
    b_fc: Tensor
    w_img: Tensor
    b_img: Tensor

    def __init__(self, plain: SPADEGenerator):
        super().__init__()
        self.config: GeneratorConfig = plain.config
        label_nc = self.config.label_nc
        self.register_buffer("w_fc", _nhwc(plain.fc.weight.detach()[:, :label_nc]))
        self.register_buffer("b_fc", conv_bias(plain.fc).clone())
        self.block_names = [name for name, _ in spade_blocks(plain)]
        self.blocks = nn.ModuleDict({name: FoldedBlock(block, label_nc) for name, block in spade_blocks(plain)})
        self.register_buffer("w_img", _nhwc(plain.conv_img.weight.detach().clone()))
        self.register_buffer("b_img", conv_bias(plain.conv_img).clone())
        self.eval()

    @classmethod
    def from_plain(cls, plain: SPADEGenerator) -> FastSPADEGenerator:
        return cls(plain.eval())

    # -- plans -----------------------------------------------------------------------------------
    def _plan(self, labels: Tensor, size: tuple[int, int]) -> Plan:
        small = F.interpolate(labels[:, None].float(), size=size, mode="nearest")[:, 0].long()
        b, h, w = small.shape
        flat = small.reshape(-1)
        label_nc = self.config.label_nc
        exact = _needs_exact(small)
        if h * w <= DENSE_PIXELS:
            return self._dense_plan(small, flat)
        exact_rows = exact.reshape(-1).nonzero().squeeze(1)
        # The 5x5 neighbourhood of each exact pixel (label_nc outside the image), deduplicated:
        # a painted sketch has far fewer distinct neighbourhoods than boundary pixels.
        padded = F.pad(small, (2, 2, 2, 2), value=label_nc).reshape(-1)
        y, x = (exact_rows // w) % h, exact_rows % w
        base = (exact_rows // (h * w)) * (h + 4) * (w + 4) + y * (w + 4) + x
        windows = padded[base[:, None] + _WINDOW_OFFSETS_5x5(w + 4)]  # (N, 25)
        configs, config_of_row = _distinct_rows(windows)
        if configs.shape[0] > DENSE_SHARE * flat.numel():
            return self._dense_plan(small, flat)
        distinct = configs.shape[0]
        # For each distinct neighbourhood, the 3x3 hidden pixels around its centre, and for each of
        # those the 3x3 labels the shared conv reads (positions into the 5x5 window). Neighbourhoods
        # share most of those 3x3 windows (about 4x fewer distinct ones at 256x256): deduplicated too.
        windows_3x3, window_of = _distinct_rows(configs[:, _BAG_POSITIONS].reshape(distinct * 9, 9))
        bag_index = windows_3x3 + _KERNEL_INDEX * (label_nc + 1)
        inside = (windows_3x3[:, 4:5] != label_nc).float()
        tap_index = window_of.view(distinct, 9) * 9 + _KERNEL_INDEX
        return Plan(
            small,
            flat,
            False,
            exact_rows=exact_rows,
            config_of_row=config_of_row,
            bag_index=bag_index,
            inside=inside,
            tap_index=tap_index,
        )

    def _dense_plan(self, small: Tensor, flat: Tensor) -> Plan:
        return Plan(small, flat, True, onehot=_one_hot_nhwc(small, self.config.label_nc))

    # -- forward ---------------------------------------------------------------------------------
    def forward(self, labels: Tensor) -> Tensor:
        """(B, H, W) channel indices (ADE20K values for the official model) -> (B, 3, H, W)."""
        with torch.inference_mode():
            return self._forward(labels.long())

    def _forward(self, labels: Tensor) -> Tensor:
        if labels.dim() != 3:
            raise ValueError(f"labels must be (B, H, W), got shape {tuple(labels.shape)}")
        label_nc = self.config.label_nc
        if labels.numel() and (int(labels.min()) < 0 or int(labels.max()) >= label_nc):
            raise ValueError(
                f"label values must lie in 0..{label_nc - 1}, got {int(labels.min())}..{int(labels.max())}"
            )
        factor = self.config.upsampling_factor
        height, width = labels.shape[1:]
        if height % factor or width % factor or height < factor or width < factor:
            raise ValueError(f"image size {height}x{width} must be a positive multiple of {factor}")
        plans: dict[tuple[int, int], Plan] = {}

        def plan_for(x: Tensor) -> Plan:
            size = (int(x.shape[2]), int(x.shape[3]))
            if size not in plans:
                plans[size] = self._plan(labels, size)
            return plans[size]

        latent = (height // factor, width // factor)
        first = plan_for(torch.empty(1, 1, *latent))
        x = F.conv2d(_one_hot_nhwc(first.labels, label_nc), self.w_fc, self.b_fc, padding=1)
        x = x.contiguous(memory_format=torch.channels_last)
        more = self.config.num_upsampling_layers in ("more", "most")
        for name in self.block_names:
            if name in ("G_middle_0", "up_0", "up_1", "up_2", "up_3", "up_4") or (name == "G_middle_1" and more):
                x = F.interpolate(x, scale_factor=2, mode="nearest")
            x = self.blocks[name](x, plan_for(x))
        x = F.conv2d(F.leaky_relu_(x, LEAKY_SLOPE), self.w_img, self.b_img, padding=1)
        return torch.tanh_(x).contiguous()


def _distinct_rows(rows: Tensor) -> tuple[Tensor, Tensor]:
    """``torch.unique(rows, dim=0, return_inverse=True)`` for rows of values below 256, faster.

    ``unique(dim=0)`` compares rows one by one; here every 7 values pack into one int64 key
    (8 bits each) and the keys are merged by 1-D uniques, which sort. Row order may differ.
    """
    n = rows.shape[0]
    group = torch.zeros(n, dtype=torch.long, device=rows.device)
    for start in range(0, rows.shape[1], 7):
        chunk = rows[:, start : start + 7]
        weights = torch.tensor([256**i for i in range(chunk.shape[1])], device=rows.device)
        _, key = torch.unique((chunk * weights).sum(1), return_inverse=True)
        _, group = torch.unique(group * n + key, return_inverse=True)
    count = int(group.max()) + 1 if n else 0
    first = torch.empty(count, dtype=torch.long, device=rows.device).scatter_(
        0, group, torch.arange(n, device=rows.device)
    )
    return rows[first], group


def _one_hot_nhwc(labels: Tensor, label_nc: int) -> Tensor:
    b, h, w = labels.shape
    onehot = torch.zeros(b, label_nc, h, w, device=labels.device).scatter_(1, labels[:, None], 1.0)
    return onehot.contiguous(memory_format=torch.channels_last)


def _nhwc(weight: Tensor) -> Tensor:
    """Conv weights stored channels-last, so channels-last convs do not convert them on every call."""
    return weight.contiguous(memory_format=torch.channels_last)


def _needs_exact(labels: Tensor) -> Tensor:
    """(B, h, w) bool: pixels whose 5x5 neighbourhood leaves the image or holds another class."""
    as_float = labels[:, None].float()
    high = F.max_pool2d(as_float, 5, stride=1, padding=2)
    low = -F.max_pool2d(-as_float, 5, stride=1, padding=2)
    exact = (high != low)[:, 0]
    exact[:, :2] = True
    exact[:, -2:] = True
    exact[:, :, :2] = True
    exact[:, :, -2:] = True
    return exact


def labels_to_image_array(images: Tensor) -> np.ndarray:
    """(B, 3, H, W) in [-1, 1], on any device -> (B, H, W, 3) uint8 on the host.

    The rounding happens where the images are, so a GPU sends back bytes, not floats.
    """
    scaled = ((images.float().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
    return scaled.permute(0, 2, 3, 1).contiguous().cpu().numpy()
