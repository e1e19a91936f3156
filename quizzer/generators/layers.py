"""Conv/pool layer stacks typed as text ('conv k=3 s=2 p=1; maxpool k=2') and their receptive fields.

Shared by the receptive-field families. The recurrence follows Dang-Ha The Hien, "A guide to
receptive field arithmetic for CNNs" (2017) and Araujo, Norris & Sim, "Computing receptive fields
of convolutional neural networks", Distill 2019.
"""

from __future__ import annotations

import functools
import math
import re
from typing import Any, Literal, NamedTuple

from pydantic import Field, ValidationError, model_validator

from quizzer.generators.base import Params, fmt
from quizzer.text import BiText

KINDS = ("conv", "maxpool", "avgpool")
_KEYS = {"k": "kernel_size", "s": "stride", "p": "padding", "d": "dilation"}
_LONG = {v: k for k, v in _KEYS.items()}
_TORCH = {"conv": "Conv2d", "maxpool": "MaxPool2d", "avgpool": "AvgPool2d"}


class Layer(Params):
    """One layer's geometry; channels play no part in a receptive field, so there are none."""

    kind: Literal["conv", "maxpool", "avgpool"]
    kernel_size: int = Field(ge=1, le=32)
    stride: int | None = Field(default=None, ge=1, le=8)  # None: torch's default (1 for conv, kernel_size for pools)
    padding: int = Field(default=0, ge=0, le=16)
    dilation: int = Field(default=1, ge=1, le=8)

    @model_validator(mode="after")
    def _torch_rules(self) -> Layer:
        if self.kind != "conv" and self.dilation != 1:
            # verify() measures a maxpool through an AvgPool1d of the same window, which has no dilation.
            raise ValueError(f"d (dilation) is only supported on conv layers here, not on {self.kind}")
        if self.kind != "conv" and self.padding > self.kernel_size // 2:
            raise ValueError(
                f"p (padding) of a {self.kind} must be at most k // 2 = {self.kernel_size // 2} (torch's rule)"
            )
        return self

    @property
    def s(self) -> int:
        if self.stride is not None:
            return self.stride
        return 1 if self.kind == "conv" else self.kernel_size

    @property
    def span(self) -> int:
        """Effective kernel size k' = d·(k − 1) + 1."""
        return self.dilation * (self.kernel_size - 1) + 1

    def text(self) -> str:
        """Canonical 'conv k=3 s=2 p=1' form, defaults left out; parse_layers reads it back."""
        parts = [self.kind, f"k={self.kernel_size}"]
        if self.s != (1 if self.kind == "conv" else self.kernel_size):
            parts.append(f"s={self.s}")
        parts += [f"p={self.padding}"] * (self.padding != 0) + [f"d={self.dilation}"] * (self.dilation != 1)
        return " ".join(parts)

    def torch_text(self) -> str:
        """As PyTorch would be called, stride and padding always shown so no default has to be recalled."""
        args = f"kernel_size={self.kernel_size}, stride={self.s}, padding={self.padding}"
        if self.dilation != 1:
            args += f", dilation={self.dilation}"
        return f"{_TORCH[self.kind]}({args})"


def _parse_one(text: str, index: int) -> Layer:
    where = f"layer {index} ({text.strip()!r})"
    words = [w for w in re.split(r"[\s,]+", text.strip()) if w]
    kind = words[0].lower().removesuffix("2d").removesuffix("1d")
    if kind not in KINDS:
        raise ValueError(f"{where}: unknown layer kind {words[0]!r}; use conv, maxpool or avgpool")
    values: dict[str, Any] = {"kind": kind}
    for word in words[1:]:
        key, sep, value = word.partition("=")
        key = key.lower()
        if not sep:
            hint = "; separate layers with ';'" if word.lower() in KINDS else ""
            raise ValueError(f"{where}: cannot read {word!r}, write key=value with keys k, s, p, d{hint}")
        name = _KEYS.get(key) or (key if key in _LONG else None)
        if name is None:
            raise ValueError(
                f"{where}: unknown key {key!r}; keys are k (kernel_size), s (stride), p (padding), d (dilation)"
            )
        if name in values:
            raise ValueError(f"{where}: key {_LONG[name]} given twice")
        if not re.fullmatch(r"\d+", value):
            raise ValueError(f"{where}: {_LONG[name]} must be a non-negative integer, got {value!r}")
        values[name] = int(value)
    if "kernel_size" not in values:
        raise ValueError(f"{where}: needs a kernel size, e.g. '{kind} k=3'")
    try:
        return Layer(**values)
    except ValidationError as exc:  # name the key the user typed, not pydantic's field path
        msgs = []
        for err in exc.errors():
            field = str(err["loc"][0]) if err["loc"] else ""
            label = f"{_LONG[field]} ({field}): " if field in _LONG else ""
            msgs.append(label + err["msg"].removeprefix("Value error, "))
        raise ValueError(f"{where}: " + "; ".join(msgs)) from None


def parse_layers(value: Any) -> tuple[Layer, ...]:
    """Layers from text, a list of texts/dicts/Layers, or a tuple of Layers. Errors name the layer and key."""
    if isinstance(value, Layer):
        return (value,)
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        value = ", ".join(value)  # the CLI splits list-typed values on commas; rejoin before parsing
    if isinstance(value, str):
        texts = value.split(";")
        if not value.strip():
            return ()
        out = []
        for i, text in enumerate(texts, 1):
            if not text.strip():
                if i == len(texts):
                    continue  # a trailing ';' is harmless
                raise ValueError(f"layer {i} is empty (two ';' in a row?)")
            out.append(_parse_one(text, i))
        return tuple(out)
    if isinstance(value, (list, tuple)):
        out = []
        for i, item in enumerate(value, 1):
            if isinstance(item, Layer):
                out.append(item)
            elif isinstance(item, dict):
                try:
                    out.append(Layer(**item))
                except ValidationError as exc:
                    raise ValueError(f"layer {i}: {exc.errors()[0]['msg']}") from None
            else:
                raise ValueError(f"layer {i}: expected text like 'conv k=3', got {item!r}")
        return tuple(out)
    raise ValueError(f"expected layers as text like 'conv k=3; maxpool k=2', got {value!r}")


def layers_text(layers: tuple[Layer, ...]) -> str:
    return "; ".join(layer.text() for layer in layers)


class RF(NamedTuple):
    """Receptive field r, jump j (input pixels between neighbouring units), centre of unit 0's field."""

    r: int
    j: int
    start: float


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
    """RF before the first layer and after each; a keyword switches on one typical wrong rule."""
    out = [start]
    r, j, c = start
    for layer in layers:
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


def probe_size(layers: tuple[Layer, ...]) -> int:
    """A generous input length for measuring (deliberately not the recurrence: the interior check decides)."""
    total, prod = 1, 1
    for layer in layers:
        prod *= layer.s
        total += (layer.span + 2 * layer.padding) * prod
    return 2 * total + 8


@functools.lru_cache(maxsize=256)
def _module(layer: Layer) -> Any:
    import torch
    from torch import nn

    # 1-D layers: a k×k window's field is the product of two identical 1-D fields, so Conv1d/AvgPool1d give
    # the same r, j and start as Conv2d/AvgPool2d at a fraction of the cost.
    if layer.kind == "conv":
        conv = nn.Conv1d(
            1,
            1,
            layer.kernel_size,
            stride=layer.s,
            padding=layer.padding,
            dilation=layer.dilation,
            bias=False,
            dtype=torch.float64,
        )
        with torch.no_grad():
            conv.weight.fill_(1.0)  # positive weights: no gradient can cancel to zero inside the field
        conv.weight.requires_grad_(False)
        return conv
    # Max pooling routes the gradient to one element only; an average pool of the same window
    # touches every element, so its gradient support is the whole window.
    return nn.AvgPool1d(layer.kernel_size, stride=layer.s, padding=layer.padding, count_include_pad=True)


def measure_rf(layers: tuple[Layer, ...], max_size: int = 1 << 16) -> RF:
    """r, j and start measured by torch: the support of d(output unit)/d(input) for two neighbouring units."""
    import torch
    from torch import nn

    net = nn.Sequential(*(_module(layer) for layer in layers))  # modules hold no state, so stacks can share them
    threads = torch.get_num_threads()
    # These tensors are tiny: waking a thread pool costs ~10× the work itself (worse on a busy machine).
    torch.set_num_threads(1)
    try:
        return _measure(net, probe_size(layers), max_size)
    finally:
        torch.set_num_threads(threads)


def _measure(net: Any, n: int, max_size: int) -> RF:
    import torch

    while n <= max_size:
        x = torch.zeros(2, 1, n, dtype=torch.float64, requires_grad=True)
        y = net(x)
        m = y.shape[-1]
        if m >= 2:
            i = (m - 1) // 2
            seed = torch.zeros_like(y)
            seed[0, 0, i] = 1.0  # batch row 0 asks about unit i, row 1 about unit i + 1: one backward for both
            seed[1, 0, i + 1] = 1.0
            (grad,) = torch.autograd.grad(y, x, seed)
            supports = [torch.nonzero(grad[b, 0]).flatten().tolist() for b in (0, 1)]
            # A field touching either end of the input might be cut off by padding; only trust interior ones.
            if all(sup and sup[0] >= 1 and sup[-1] <= n - 2 for sup in supports):
                (a, b), (a2, b2) = ((sup[0], sup[-1]) for sup in supports)
                centre, centre2 = (a + b) / 2, (a2 + b2) / 2
                jump = centre2 - centre
                return RF(b - a + 1, int(jump) if jump.is_integer() else jump, centre - i * jump)
        n *= 2
    raise RuntimeError(f"could not find an output unit whose receptive field fits inside {max_size} input pixels")


def min_layers_needed(target: int, base: RF, span: int) -> int:
    """Stride-1 layers of effective kernel ``span`` to append to a stack with field ``base`` to reach ``target``."""
    return max(0, math.ceil((target - base.r) / ((span - 1) * base.j)))


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
