"""Output shapes (C, H, W) through a stack of layer-syntax nodes, by torch's documented formulas, and torch's check.

Formulas from the PyTorch documentation of Conv2d, ConvTranspose2d, MaxPool2d and AvgPool2d:
  conv / pool:  out = ⌊(n + 2p − d·(k − 1) − 1) / s⌋ + 1   (⌈…⌉ with ceil_mode, but the last window must
                start inside the input or the left padding, else one fewer)
  convtranspose: out = (n − 1)·s − 2p + d·(k − 1) + op + 1
A residual block's output is its main path's; the shortcut must produce the same shape (torch adds them).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from quizzer.generators.base import given
from quizzer.generators.layer_syntax import Layer, Node, Residual

Shape = tuple[int, int, int]


def out_size(n: int, layer: Layer, *, rnd: Callable[[float], int] = math.floor, sides: int = 2, **mistake: Any) -> int:
    """One spatial size after ``layer``; the keywords switch on one typical wrong rule."""
    k, p, d = layer.kernel_size, layer.padding, layer.dilation
    s = 1 if mistake.get("pool_stride_1") and layer.kind in ("maxpool", "avgpool") and layer.default_stride else layer.s
    p = 0 if mistake.get("no_padding") else p
    d = 1 if mistake.get("no_dilation") else d
    if layer.kind == "convtranspose":
        return (n - 1) * s - sides * p + d * (k - 1) + layer.output_padding + 1
    if layer.ceil_mode and rnd is math.floor and not mistake.get("no_ceil"):
        out = -(-(n + 2 * p - d * (k - 1) - 1) // s) + 1
        return out - 1 if (out - 1) * s >= n + p else out  # torch: the last window may not start in the right padding
    return rnd((n + sides * p - d * (k - 1) - 1) / s) + 1


def layer_shape(shape: Shape, layer: Layer, **mistake: Any) -> Shape:
    c, h, w = shape
    c = given(layer.out_channels) if layer.kind in ("conv", "convtranspose") else c
    return (c, out_size(h, layer, **mistake), out_size(w, layer, **mistake))


def node_shapes(shape: Shape, nodes: tuple[Node, ...], **mistake: Any) -> list[Shape] | None:
    """Shape after every main-path layer; None when a size collapses below 1."""
    out: list[Shape] = []
    for node in nodes:
        for layer in node.main if isinstance(node, Residual) else (node,):
            shape = layer_shape(shape, layer, **mistake)
            if min(shape[1:]) < 1:
                return None
            out.append(shape)
    return out


def check_shapes(shape: Shape, nodes: tuple[Node, ...]) -> None:
    """torch's rules, layer by layer, with an error naming the layer: channels divisible by groups, a window that
    fits its padded input, no size below 1, shortcuts that match their main path."""
    number = 0

    def run(shape: Shape, layers: tuple[Layer, ...], what: str = "") -> Shape:
        nonlocal number
        for layer in layers:
            number += 1
            where = f"layer {number} ({what}{layer.text()})"
            c, h, w = shape
            if layer.kind in ("conv", "convtranspose"):
                if layer.out_channels is None:
                    raise ValueError(f"{where}: a {layer.kind} layer needs its output channels, e.g. 'conv c=64 k=3'")
                if c % layer.groups or layer.out_channels % layer.groups:
                    raise ValueError(
                        f"{where}: groups={layer.groups} must divide the input channels ({c}) and out_channels "
                        f"({layer.out_channels}) (torch's rule)"
                    )
            if layer.kind != "convtranspose" and layer.span > min(h, w) + 2 * layer.padding:
                raise ValueError(f"{where}: the kernel spans {layer.span} pixels, more than the padded {h}×{w} input")
            shape = layer_shape(shape, layer)
            if min(shape[1:]) < 1:
                raise ValueError(f"{where}: the output would be {shape[1]}×{shape[2]}, smaller than 1×1")
        return shape

    for node in nodes:
        if not isinstance(node, Residual):
            shape = run(shape, (node,))
            continue
        main = run(shape, node.main)
        side = run(shape, node.shortcut, "shortcut: ") if node.shortcut else shape
        if side != main:
            c = main[0]
            hint = f" | conv c={c} k=1" + (f" s={shape[1] // main[1]}" if main[1] < shape[1] else "")
            raise ValueError(
                f"residual block ending at layer {number}: the main path gives {fmt(main)} but the shortcut gives "
                f"{fmt(side)}; torch cannot add them. Give a projection shortcut, e.g. 'res(…{hint})'"
            )
        shape = main


def fmt(shape: Shape) -> str:
    return "(" + ", ".join(map(str, shape)) + ")"


def torch_shapes(shape: Shape, nodes: tuple[Node, ...]) -> list[Shape]:
    """The shape after every main-path layer, as torch computes it on the meta device (no data, no arithmetic).

    Each layer is a real Conv2d / ConvTranspose2d / MaxPool2d / AvgPool2d; a residual block adds its branches
    with torch, which refuses mismatched shapes. Cost: building the modules, linear in depth.
    """
    import torch
    from torch import nn

    def module(layer: Layer, c_in: int) -> Any:
        k, s, p, d = layer.kernel_size, layer.s, layer.padding, layer.dilation
        if layer.kind == "conv":
            return nn.Conv2d(c_in, given(layer.out_channels), k, s, p, d, groups=layer.groups, device="meta")
        if layer.kind == "convtranspose":
            return nn.ConvTranspose2d(
                c_in, given(layer.out_channels), k, s, p, layer.output_padding, layer.groups, dilation=d, device="meta"
            )
        if layer.kind == "maxpool":
            return nn.MaxPool2d(k, s, p, d, ceil_mode=layer.ceil_mode)
        return nn.AvgPool2d(k, s, p, ceil_mode=layer.ceil_mode)

    x = torch.empty((1, *shape), device="meta")
    out: list[Shape] = []

    def run(x: Any, layers: tuple[Layer, ...], record: bool) -> Any:
        for layer in layers:
            x = module(layer, x.shape[1])(x)
            if record:
                out.append(tuple(int(n) for n in x.shape[1:]))  # type: ignore[arg-type]
        return x

    with torch.no_grad():
        for node in nodes:
            if isinstance(node, Residual):
                y, side = run(x, node.main, True), run(x, node.shortcut, False)
                if y.shape != side.shape:  # broadcasting could hide a mismatch (a size of 1); torch's add must not
                    raise RuntimeError(f"torch: shapes {tuple(y.shape)} and {tuple(side.shape)} cannot be added")
                x = y + side
            else:
                x = run(x, (node,), True)
    return out
