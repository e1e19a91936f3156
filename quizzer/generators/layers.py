"""Receptive fields of conv/pool stacks written in the layer syntax of ``quizzer.generators.layer_syntax``.

Shared by the receptive-field families. The recurrence follows Dang-Ha The Hien, "A guide to
receptive field arithmetic for CNNs" (2017) and Araujo, Norris & Sim, "Computing receptive fields
of convolutional neural networks", Distill 2019.

A transposed convolution is the convolution that runs over its input with s − 1 zeros inserted between
neighbouring units (Dumoulin & Visin, "A guide to convolution arithmetic for deep learning", 2016, §4):
output unit o reads input unit i when i·s = o + p − t·d for a tap t. Its units do not all see the same
number of input units, so we keep Araujo et al.'s definition (the input region that can affect a unit)
unit by unit: the receptive field is the largest over the output units, the jump the mean distance between
neighbouring units' centres (j_in / s), and start the centre of unit 0's field. Without a transposed layer
every unit has the same field and these are the textbook r, j and start.
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction
from typing import Any, NamedTuple

from quizzer.generators.base import fmt
from quizzer.generators.layer_syntax import (
    KINDS,
    Layer,
    Node,
    Residual,
    main_path,
    nodes_text,
    parse_nodes,
)
from quizzer.text import BiText

__all__ = ["KINDS", "Layer", "Node", "Residual", "main_path", "parse_layers", "parse_nodes"]

MAX_PROBE = 1 << 24  # values torch's check may hold per pass (float64: 128 MB); the one size limit of an RF stack


def parse_layers(value: Any) -> tuple[Layer, ...]:
    """Plain layers (no residual block): for places where a block has no meaning, such as one extra layer."""
    nodes = parse_nodes(value)
    for i, node in enumerate(nodes, 1):
        if isinstance(node, Residual):
            raise ValueError(f"item {i} is a residual block; only plain layers are allowed here")
    return nodes  # type: ignore[return-value]


def layers_text(layers: tuple[Node, ...]) -> str:
    return nodes_text(layers)


class RF(NamedTuple):
    """Receptive field r, jump j (input pixels between neighbouring units), centre of unit 0's field."""

    r: int
    j: int | float
    start: float


def _number(x: Fraction) -> int | float:
    return int(x) if x.denominator == 1 else float(x)


def unit_bounds(layers: tuple[Layer, ...], o: int) -> tuple[int, int]:
    """First and last input pixel that output unit ``o`` of the last layer can depend on (an unbounded image)."""
    lo = hi = o
    for layer in reversed(layers):
        k, s, p, d = layer.kernel_size, layer.s, layer.padding, layer.dilation
        if layer.kind == "convtranspose":
            # unit o reads input i when i·s = o + p − t·d: the smallest such i for lo, the largest for hi.
            lo = min((lo + p - t * d) // s for t in range(k) if (lo + p - t * d) % s == 0)
            hi = max((hi + p - t * d) // s for t in range(k) if (hi + p - t * d) % s == 0)
        else:
            lo, hi = lo * s - p, hi * s - p + d * (k - 1)
    return lo, hi


def period(layers: tuple[Layer, ...]) -> int:
    """Output units repeat their fields' shape every ``period`` units (1 without a transposed conv)."""
    return math.prod(layer.s for layer in layers if layer.kind == "convtranspose")


def exact_rf(layers: tuple[Layer, ...]) -> RF:
    """r, j and start from the units' own input intervals: exact for every layer kind."""
    n = period(layers)
    bounds = [unit_bounds(layers, o) for o in range(n + 1)]
    centre0, centre_n = Fraction(sum(bounds[0]), 2), Fraction(sum(bounds[n]), 2)
    r = max(hi - lo + 1 for lo, hi in bounds[:n])
    return RF(r, _number((centre_n - centre0) / n), float(centre0))


def rf_trace(
    layers: tuple[Layer, ...],
    *,
    start: RF = RF(1, 1, 0.0),
    pool_doubles: bool = False,
    ignore_stride: bool = False,
    jump_after: bool = False,
    ignore_dilation: bool = False,
    ignore_padding: bool = False,
) -> list[RF]:
    """RF before the first layer and after each; a keyword switches on one typical wrong rule.

    The recurrence holds layer by layer until a transposed conv; from there on each prefix is worked exactly
    (``exact_rf``), mistakes no longer applied.
    """
    out = [start]
    r, c = start.r, start.start
    j = int(start.j)  # the recurrence runs only over layers before any transposed conv, where jumps are whole
    exact = False
    for i, layer in enumerate(layers):
        exact = exact or layer.kind == "convtranspose"
        if exact:
            out.append(exact_rf(layers[: i + 1]))
            continue
        span = layer.kernel_size if ignore_dilation else layer.span
        s = 1 if ignore_stride else layer.s
        step = j * s if jump_after else j
        pad = 0 if ignore_padding else layer.padding
        r = 2 * r if pool_doubles and layer.kind != "conv" else r + (span - 1) * step
        c = c + ((span - 1) / 2 - pad) * step
        j = j * s
        out.append(RF(r, j, float(c)))
    return out


def receptive_field(layers: tuple[Layer, ...], **mistake: bool) -> RF:
    # ``mistake`` holds only rf_trace's bool switches, never ``start``.
    return rf_trace(layers, **mistake)[-1]  # type: ignore[arg-type]


def rf_steps(layers: tuple[Layer, ...], *, first: int = 1, start: RF = RF(1, 1, 0.0)) -> tuple[list[str], list[str]]:
    """The recurrence worked layer by layer (zh lines, en lines), numbering layers from ``first``."""
    zh, en = [], []
    trace = rf_trace(layers, start=start)
    for i, (layer, before, after) in enumerate(zip(layers, trace, trace[1:], strict=False), first):
        k, d, s, pad = layer.kernel_size, layer.dilation, layer.s, layer.padding
        span = f"k' = {d}·({k} − 1) + 1 = {layer.span}" if d != 1 else f"k' = {k}"
        if layer.kind == "convtranspose" or isinstance(before.j, float):
            body = f"r = {after.r}; j = {fmt(after.j)}; start = {fmt(after.start)}"
            if layer.kind == "convtranspose":
                zh.append(
                    f"第 {i} 层 {layer.torch_text()}：输出单元 o 读取满足 i·{s} = o + {pad} − t·{d} 的输入单元 i；"
                    f"{s} 个相邻输出单元中最大的感受野 {body.replace('; ', '；')}"
                )
                en.append(
                    f"Layer {i} {layer.torch_text()}: output unit o reads the input units i with i·{s} = o + {pad} − t·{d}; "
                    f"the largest field among {s} neighbouring units: {body}"
                )
            else:
                zh.append(f"第 {i} 层 {layer.torch_text()}（逐单元求输入区间）：{body.replace('; ', '；')}")
                en.append(f"Layer {i} {layer.torch_text()} (each unit's input interval): {body}")
            continue
        half = fmt((layer.span - 1) / 2)
        body = (
            f"{span}; r = {before.r} + ({layer.span} − 1)·{before.j} = {after.r}; j = {before.j}·{s} = {after.j}; "
            f"start = {fmt(before.start)} + ({half} − {pad})·{before.j} = {fmt(after.start)}"
        )
        zh.append(f"第 {i} 层 {layer.torch_text()}：{body.replace('; ', '；')}")
        en.append(f"Layer {i} {layer.torch_text()}: {body}")
    return zh, en


RF_FORMULA = BiText(
    "k' = d·(k − 1) + 1；r_out = r_in + (k' − 1)·j_in；j_out = j_in·s；start_out = start_in + ((k' − 1)/2 − p)·j_in；"
    "初值 r = 1, j = 1, start = 0（输入像素 0 的中心）",
    "k' = d·(k − 1) + 1; r_out = r_in + (k' − 1)·j_in; j_out = j_in·s; start_out = start_in + ((k' − 1)/2 − p)·j_in; "
    "starting from r = 1, j = 1, start = 0 (the centre of input pixel 0)",
)
TRANSPOSED_RULE = BiText(
    "转置卷积（Dumoulin & Visin 2016）等于在输入相邻单元间插入 s − 1 个零后做步长 1 的卷积：输出单元 o 读取满足 "
    "i·s = o + p − t·d 的输入单元 i。各输出单元看到的输入单元数不同，所以感受野取所有输出单元中最大的，"
    "jump 取相邻中心的平均距离 j_in / s，start 是单元 0 的中心。",
    "A transposed conv (Dumoulin & Visin 2016) is a stride-1 convolution over its input with s − 1 zeros inserted "
    "between neighbouring units: output unit o reads the input units i with i·s = o + p − t·d. Its units see "
    "different numbers of input units, so the receptive field is the largest over the output units, the jump the "
    "mean distance between neighbouring centres (j_in / s), and start the centre of unit 0's field.",
)
MAIN_PATH_NOTE = BiText(
    "残差块沿主路径计算（捷径的感受野包含在主路径之内，Araujo 等 2019 取各路径中最大的感受野，即主路径）。",
    "Residual blocks are followed along their main path (the shortcut's field lies inside the main path's; Araujo "
    "et al. 2019 take the largest field over all paths, which is the main path's).",
)


# --- torch's measurement ------------------------------------------------------------------------------------------
def probe_size(nodes: tuple[Node, ...]) -> int:
    """A generous input length for measuring (deliberately not the recurrence: the interior check decides)."""
    layers = main_path(nodes)
    total, prod = 1, 1
    for layer in layers:
        if layer.kind != "convtranspose":
            prod *= layer.s
        total += (layer.span + 2 * layer.padding + layer.output_padding) * prod
    return 2 * total + 2 * (period(layers) + 1) * prod + 8


def _length(n: int, layer: Layer) -> int:
    k, s, p, d = layer.kernel_size, layer.s, layer.padding, layer.dilation
    if layer.kind == "convtranspose":
        return (n - 1) * s - 2 * p + d * (k - 1) + layer.output_padding + 1
    return (n + 2 * p - d * (k - 1) - 1 + (s - 1) * layer.ceil_mode) // s + 1


def probe_cost(nodes: tuple[Node, ...], n: int | None = None) -> int:
    """How many values torch's check holds for one pass: every layer's output length times the batch."""
    n = probe_size(nodes) if n is None else n
    total = 0
    for node in nodes:
        branches = (node.main, node.shortcut) if isinstance(node, Residual) else ((node,),)
        ends = []
        for branch in branches:
            m = n
            for layer in branch:
                m = max(_length(m, layer), 0)
                total += m
            ends.append(m)
        n = min(ends)
    return total * (period(main_path(nodes)) + 1)


@functools.lru_cache(maxsize=512)
def _module(layer: Layer) -> Any:
    import torch
    from torch import nn

    # 1-D layers: a k×k window's field is the product of two identical 1-D fields, so Conv1d/AvgPool1d give
    # the same r, j and start as their 2-D forms at a fraction of the cost. Channels and groups choose which
    # channels connect, never which pixels, so one channel measures the field.
    module: Any
    if layer.kind == "avgpool" or (layer.kind == "maxpool" and layer.dilation == 1):
        # Max pooling routes the gradient to one element only; an average pool of the same window
        # touches every element, so its gradient support is the whole window.
        return nn.AvgPool1d(
            layer.kernel_size, stride=layer.s, padding=layer.padding, ceil_mode=layer.ceil_mode, count_include_pad=True
        )
    if layer.kind == "convtranspose":
        module = nn.ConvTranspose1d(
            1,
            1,
            layer.kernel_size,
            layer.s,
            layer.padding,
            layer.output_padding,
            1,
            False,
            layer.dilation,
            dtype=torch.float64,
        )
    else:  # a conv, or a dilated max pool's window (AvgPool1d has no dilation): a conv of the same geometry
        module = nn.Conv1d(
            1, 1, layer.kernel_size, layer.s, layer.padding, layer.dilation, bias=False, dtype=torch.float64
        )
    with torch.no_grad():
        module.weight.fill_(1.0)  # positive weights: no gradient can cancel to zero inside the field
    module.weight.requires_grad_(False)
    return module


def _network(nodes: tuple[Node, ...]) -> Any:
    from torch import nn

    class Block(nn.Module):
        """main(x) + shortcut(x), as in a residual network; lengths cropped alike so the units stay aligned."""

        def __init__(self, main: Any, shortcut: Any) -> None:
            super().__init__()
            self.main, self.shortcut = main, shortcut

        def forward(self, x: Any) -> Any:
            a, b = self.main(x), self.shortcut(x)
            m = min(a.shape[-1], b.shape[-1])
            return a[..., :m] + b[..., :m]

    modules: list[Any] = []
    for node in nodes:
        if isinstance(node, Residual):
            main = nn.Sequential(*(_module(layer) for layer in node.main))
            shortcut = nn.Sequential(*(_module(layer) for layer in node.shortcut)) if node.shortcut else nn.Identity()
            modules.append(Block(main, shortcut))
        else:
            modules.append(_module(node))
    return nn.Sequential(*modules)  # modules hold no state, so stacks can share them


def measure_rf(nodes: tuple[Node, ...]) -> RF:
    """r, j and start measured by torch: the support of d(output unit)/d(input) for neighbouring units.

    One backward pass seeds ``period + 1`` neighbouring units at once (one batch row each): the largest support
    is r, the centres' spacing the jump. Cost: one forward and one backward per layer over a 1-D signal a few
    times the field wide, so it grows linearly with depth.
    """
    import torch

    threads = torch.get_num_threads()
    # These tensors are tiny: waking a thread pool costs ~10× the work itself (worse on a busy machine).
    torch.set_num_threads(1)
    try:
        return _measure(_network(nodes), probe_size(nodes), period(main_path(nodes)))
    finally:
        torch.set_num_threads(threads)


def _measure(net: Any, n: int, units: int) -> RF:
    import torch

    for _ in range(4):
        x = torch.zeros(units + 1, 1, n, dtype=torch.float64, requires_grad=True)
        y = net(x)
        m = y.shape[-1]
        i = (m - units - 1) // 2 // units * units  # unit 0 of a period, near the middle
        if i >= 0 and i + units < m:
            rows = torch.arange(units + 1)
            # Row b asks about unit i + b, and batch rows never mix, so one backward of the sum serves them all.
            # A scalar, not a grad_outputs tensor: with one, autograd imports sympy to compare shapes (≈1 s).
            (grad,) = torch.autograd.grad(y[rows, 0, i + rows].sum(), x)
            supports = [torch.nonzero(grad[b, 0]).flatten().tolist() for b in range(units + 1)]
            # A field touching either end of the input might be cut off by padding; only trust interior ones.
            if all(sup and sup[0] >= 1 and sup[-1] <= n - 2 for sup in supports):
                centres = [Fraction(sup[0] + sup[-1], 2) for sup in supports]
                jump = (centres[-1] - centres[0]) / units
                r = max(sup[-1] - sup[0] + 1 for sup in supports[:units])
                return RF(r, _number(jump), float(centres[0] - i * jump))
        n *= 2
    raise RuntimeError(f"could not find output units whose receptive fields fit inside {n // 2} input pixels")


def min_layers_needed(target: int, base: RF, span: int) -> int:
    """Stride-1 layers of effective kernel ``span`` to append to a stack with field ``base`` to reach ``target``."""
    return max(0, math.ceil((target - base.r) / ((span - 1) * base.j)))


def shortcut_inside(block: Residual) -> bool:
    """Whether every unit's shortcut field lies inside its main-path field, at the same jump (block-input pixels)."""
    n = period(block.main)
    if period(block.shortcut) != n or exact_rf(block.main).j != (exact_rf(block.shortcut).j if block.shortcut else 1):
        return False
    for o in range(n):
        lo, hi = unit_bounds(block.main, o)
        slo, shi = unit_bounds(block.shortcut, o) if block.shortcut else (o, o)
        if slo < lo or shi > hi:
            return False
    return True


# --- stacks a practitioner would recognise ------------------------------------------------------------------------
# Stems and blocks of well-known networks, so that sampled stacks look like real ones: stride never above the kernel
# size (so the jump never outgrows the receptive field), 'same' or 'valid' padding, and a bounded total stride.
_STEMS = {
    1: ("conv k=3", "conv k=3 p=1", "conv k=5", "conv k=5 p=2"),
    2: ("conv k=3 p=1", "conv k=5 p=2", "conv k=3 s=2 p=1", "conv k=7 s=2 p=3", "conv k=3 p=1; conv k=3 p=1"),
    3: (
        "conv k=7 s=2 p=3; maxpool k=3 s=2 p=1",  # ResNet (He et al. 2016)
        "conv k=11 s=4 p=2; maxpool k=3 s=2",  # AlexNet (Krizhevsky et al. 2012)
        "conv k=3 p=1; conv k=3 p=1; maxpool k=2",  # a VGG block (Simonyan & Zisserman 2015)
        "conv k=3 s=2 p=1",  # MobileNet (Howard et al. 2017)
        "conv k=3 s=2; conv k=3; conv k=3 p=1; maxpool k=3 s=2",  # Inception-v3 (Szegedy et al. 2016)
        "conv k=5 p=2; maxpool k=2",  # LeNet-like
    ),
}
_BLOCKS = {
    1: ("conv k=3", "conv k=3 p=1", "conv k=5 p=2", "maxpool k=2", "maxpool k=2"),
    2: (
        "conv k=3 p=1",
        "conv k=3",
        "conv k=5 p=2",
        "conv k=3 p=1; conv k=3 p=1",
        "maxpool k=2",
        "maxpool k=3 s=2 p=1",
        "conv k=3 s=2 p=1",
    ),
    3: (
        "conv k=3 p=1",
        "conv k=3",
        "conv k=1",
        "conv k=3 p=1; conv k=3 p=1",
        "conv k=3 s=2 p=1",
        "conv k=5 p=2",
        "conv k=3 p=2 d=2",
        "conv k=3 p=3 d=3",
        "maxpool k=2",
        "maxpool k=3 s=2 p=1",
        "avgpool k=2",
        "avgpool k=3 s=1 p=1",
    ),
}
MAX_TOTAL_STRIDE = {1: 4, 2: 8, 3: 32}
_PLAIN = "conv k=3 p=1"  # what a strided layer becomes once the total stride has reached its bound


@functools.lru_cache(maxsize=128)
def _parsed(text: str) -> tuple[Layer, ...]:
    return parse_layers(text)


def recognisable_stack(rng: Any, difficulty: int, n_layers: int) -> tuple[Layer, ...]:
    """``n_layers`` layers: a known stem, then known blocks, downsampling at least once and within the stride bound.

    Built in one pass, so it never has to redraw: strided layers past the bound become a plain 3×3 conv, and a
    stack with no downsampling gets a 2×2 max pool on top.
    """
    layers = list(_parsed(rng.choice(_STEMS[difficulty])))
    while len(layers) < n_layers:
        layers += _parsed(rng.choice(_BLOCKS[difficulty]))
    layers = layers[:n_layers]
    total = 1
    for i, layer in enumerate(layers):
        if total * layer.s > MAX_TOTAL_STRIDE[difficulty]:
            layers[i] = _parsed(_PLAIN)[0]
        total *= layers[i].s
    if total == 1:
        layers[-1] = Layer(kind="maxpool", kernel_size=2)
    return tuple(layers)
