"""Output shape (C, H, W) of a short stack of Conv2d / MaxPool2d / AvgPool2d layers."""

from __future__ import annotations

import math
import random
import re
from typing import Any, Literal

from pydantic import Field, ValidationError, field_serializer, field_validator, model_validator

from quizzer.generators.base import AnswerSpec, Family, Misconception, Params, fmt_shape, given
from quizzer.generators.layers import recognisable_stack
from quizzer.generators.registry import register
from quizzer.text import BiText

_KEYS = {"c": "out_channels", "k": "kernel_size", "s": "stride", "p": "padding", "d": "dilation"}


class Layer(Params):
    kind: Literal["conv", "maxpool", "avgpool"]
    out_channels: int | None = Field(default=None, ge=1, le=4096)
    kernel_size: int = Field(ge=1, le=15)
    stride: int = Field(ge=1, le=8)
    padding: int = Field(default=0, ge=0, le=15)
    dilation: int = Field(default=1, ge=1, le=8)

    @model_validator(mode="before")
    @classmethod
    def _default_stride(cls, values: Any) -> Any:
        # torch's defaults (1 for conv, kernel_size for pools), filled in so equal layers compare equal
        if isinstance(values, dict) and values.get("stride") is None:
            values = {**values, "stride": 1 if values.get("kind") == "conv" else values.get("kernel_size")}
        return values

    @model_validator(mode="after")
    def _consistent(self) -> Layer:
        if self.kind == "conv" and self.out_channels is None:
            raise ValueError("a conv layer needs its output channels, e.g. 'conv c=64 k=3'")
        if self.kind != "conv":
            if self.out_channels is not None:
                raise ValueError(f"{self.kind} keeps the channel count; drop c=")
            if self.padding > self.kernel_size // 2:
                raise ValueError(f"{self.kind}: padding must be at most kernel_size // 2 (torch's rule)")
        if self.kind == "avgpool" and self.dilation != 1:
            raise ValueError("avgpool has no dilation in torch")
        return self

    @property
    def default_stride(self) -> bool:
        return self.stride == (1 if self.kind == "conv" else self.kernel_size)

    def text(self) -> str:
        """Canonical 'conv c=64 k=3 s=2 p=1' form (defaults left out), re-parseable."""
        parts = [self.kind] + ([f"c={self.out_channels}"] if self.kind == "conv" else []) + [f"k={self.kernel_size}"]
        if not self.default_stride:
            parts.append(f"s={self.stride}")
        parts += [f"p={self.padding}"] * (self.padding != 0) + [f"d={self.dilation}"] * (self.dilation != 1)
        return " ".join(parts)

    def torch_text(self, c_in: int) -> str:
        """The layer as a person would write it in PyTorch, defaults omitted."""
        args = (
            [f"{c_in}, {self.out_channels}, kernel_size={self.kernel_size}"]
            if self.kind == "conv"
            else [f"kernel_size={self.kernel_size}"]
        )
        if not self.default_stride:
            args.append(f"stride={self.stride}")
        args += [f"padding={self.padding}"] * (self.padding != 0) + [f"dilation={self.dilation}"] * (self.dilation != 1)
        name = {"conv": "Conv2d", "maxpool": "MaxPool2d", "avgpool": "AvgPool2d"}[self.kind]
        return f"nn.{name}({', '.join(args)})"


def parse_layer(text: str) -> dict[str, Any]:
    words = text.split()
    if not words:
        raise ValueError("empty layer between ';'")
    values: dict[str, Any] = {"kind": words[0].lower()}
    if values["kind"] not in ("conv", "maxpool", "avgpool"):
        raise ValueError(f"unknown layer kind {words[0]!r}; use conv, maxpool or avgpool")
    for word in words[1:]:
        m = re.fullmatch(r"([a-z])=(\d+)", word.lower())
        if not m or m.group(1) not in _KEYS:
            raise ValueError(f"cannot read {word!r} in layer {text.strip()!r}; write key=value with keys c, k, s, p, d")
        values[_KEYS[m.group(1)]] = int(m.group(2))
    if "kernel_size" not in values:
        raise ValueError(f"layer {text.strip()!r} needs a kernel size k=")
    return values


def out_size(n: int, k: int, s: int, p: int, d: int, *, rnd=math.floor, sides: int = 2) -> int:
    return rnd((n + sides * p - d * (k - 1) - 1) / s) + 1


def stack_shape(shape: tuple[int, ...], layers: tuple[Layer, ...], **mistake: Any) -> list[int] | None:
    """Shape after every layer; ``mistake`` switches on one wrong rule. None when a size collapses."""
    c, h, w = shape
    for layer in layers:
        s = 1 if mistake.get("pool_stride_1") and layer.kind != "conv" and layer.default_stride else layer.stride
        p = 0 if mistake.get("no_padding") else layer.padding
        d = 1 if mistake.get("no_dilation") else layer.dilation
        rnd, sides = mistake.get("rnd", math.floor), mistake.get("sides", 2)
        h, w = (out_size(n, layer.kernel_size, s, p, d, rnd=rnd, sides=sides) for n in (h, w))
        c = given(layer.out_channels) if layer.kind == "conv" else c
        if h < 1 or w < 1:
            return None
    return [c, h, w]


class ConvStackParams(Params):
    input_shape: tuple[int, int, int] = Field(
        description="the input's C,H,W, e.g. 3,32,32", json_schema_extra={"zh": "输入的 C,H,W，如 3,32,32"}
    )
    layers: tuple[Layer, ...] = Field(
        description="the layers in order, separated by ';': 'conv c=64 k=3 s=1 p=1 d=1', 'maxpool k=2', 'avgpool k=2' (c: out channels; k kernel, s stride, p padding, d dilation)",
        json_schema_extra={
            "zh": "按顺序的各层，以 ';' 分隔：'conv c=64 k=3 s=1 p=1 d=1'、'maxpool k=2'、'avgpool k=2'（c 输出通道，k 核大小，s 步幅，p 补零，d 膨胀）"
        },
    )

    @field_validator("input_shape", mode="before")
    @classmethod
    def _three(cls, v: Any) -> Any:
        if isinstance(v, (list, tuple)) and len(v) != 3:
            raise ValueError(f"input_shape is C,H,W (three numbers, e.g. 3,32,32), got {len(v)}")
        return v

    @field_validator("input_shape")
    @classmethod
    def _positive(cls, v: tuple[int, int, int]) -> tuple[int, int, int]:
        if not all(1 <= x <= 4096 for x in v):
            raise ValueError("input_shape is C,H,W with each between 1 and 4096, e.g. 3,32,32")
        return v

    @field_validator("layers", mode="before")
    @classmethod
    def _parse(cls, v: Any) -> Any:
        if isinstance(v, (list, tuple)) and all(isinstance(x, str) for x in v):
            v = ",".join(v)  # the CLI splits list-typed values on commas; rejoin before parsing
        if isinstance(v, str):
            texts = [part.strip() for part in v.split(";") if part.strip()]
            if not texts:
                raise ValueError("no layers given; write e.g. 'conv c=64 k=3 p=1; maxpool k=2'")
            layers = []
            for i, text in enumerate(texts, 1):
                try:
                    layers.append(Layer(**parse_layer(text)))
                except ValidationError as exc:  # name the layer the user wrote, not a list index
                    msgs = "; ".join(
                        ".".join(map(str, e["loc"])) + ": " * bool(e["loc"]) + e["msg"].removeprefix("Value error, ")
                        for e in exc.errors()
                    )
                    raise ValueError(f"layer {i} ({text!r}): {msgs}") from None
            return layers
        return v

    @field_serializer("layers")
    def _dump(self, layers: tuple[Layer, ...]) -> str:
        return "; ".join(layer.text() for layer in layers)

    @model_validator(mode="after")
    def _well_posed(self) -> ConvStackParams:
        if not 1 <= len(self.layers) <= 6:
            raise ValueError(f"give 1 to 6 layers, not {len(self.layers)}")
        _c, h, w = self.input_shape
        for i, layer in enumerate(self.layers, 1):
            span = layer.dilation * (layer.kernel_size - 1) + 1
            if span > min(h, w) + 2 * layer.padding:
                raise ValueError(
                    f"layer {i} ({layer.text()}): the kernel spans {span} pixels, more than the padded {h}×{w} input"
                )
            h, w = (out_size(n, layer.kernel_size, layer.stride, layer.padding, layer.dilation) for n in (h, w))
        return self


def _sample_layers(rng: random.Random, difficulty: int, n_layers: int) -> list[dict[str, Any]]:
    if difficulty == 1:
        layers = []
        for i in range(n_layers):
            if i and rng.random() < 0.4:
                layers.append(dict(kind="maxpool", kernel_size=2))
            else:
                k = rng.choice([3, 5])
                layers.append(dict(kind="conv", out_channels=rng.choice([16, 32, 64]), kernel_size=k, padding=k // 2))
        return layers
    # Harder stacks come from known architectures (stride ≤ kernel, 'same' or 'valid' padding, bounded total stride);
    # convs widen as they downsample, as real networks do.
    out, channels = [], rng.choice([16, 32, 64])
    for layer in recognisable_stack(rng, difficulty, n_layers):
        values: dict[str, Any] = dict(
            kind=layer.kind,
            kernel_size=layer.kernel_size,
            stride=layer.s,
            padding=layer.padding,
            dilation=layer.dilation,
        )
        if layer.kind == "conv":
            channels = min(channels * 2, 512) if layer.s > 1 or rng.random() < 0.3 else channels
            values["out_channels"] = channels
        out.append(values)
    return out


@register
class ConvStackShape(Family[ConvStackParams]):
    name = "conv-stack-shape"
    topic = "cnn"
    title = BiText("卷积/池化堆叠后的输出形状", "Output shape through a conv/pool stack")
    answer_spec = AnswerSpec(kind="shape")
    params_model = ConvStackParams

    def sample(self, rng: random.Random, difficulty: int) -> ConvStackParams:
        if difficulty == 1:
            shape = (rng.choice([1, 3]), *(2 * (rng.choice([28, 32, 64]),)))
            n_layers = 2
        elif difficulty == 2:
            shape = (3, *(2 * (rng.randrange(24, 129, 2),)))
            n_layers = 3
        else:
            shape = (rng.choice([1, 3, 16]), rng.randint(15, 100), rng.randint(15, 100))
            n_layers = rng.randint(3, 4)
        layers = _sample_layers(rng, difficulty, n_layers)
        # Ill-posed stacks (a layer larger than its input) fail validation and the registry draws again.
        return ConvStackParams.model_validate(dict(input_shape=shape, layers=layers))

    def acceptable(self, p: ConvStackParams) -> bool:
        return min(self.solve(p)[1:]) >= 2  # a 1×1 end result makes many mistakes coincide

    def solve(self, p: ConvStackParams) -> list[int]:
        return given(stack_shape(p.input_shape, p.layers))  # the validator refuses a stack whose size collapses

    def verify(self, p: ConvStackParams) -> list[int]:
        import torch
        from torch import nn

        modules: list[nn.Module] = []
        c = p.input_shape[0]
        for layer in p.layers:
            k, s, pad, d = layer.kernel_size, layer.stride, layer.padding, layer.dilation
            if layer.kind == "conv":
                c_out = given(layer.out_channels)
                modules.append(nn.Conv2d(c, c_out, k, stride=s, padding=pad, dilation=d, device="meta"))
                c = c_out
            elif layer.kind == "maxpool":
                modules.append(nn.MaxPool2d(k, stride=s, padding=pad, dilation=d))
            else:
                modules.append(nn.AvgPool2d(k, stride=s, padding=pad))
        x = torch.empty((1, *p.input_shape), device="meta")
        return [int(n) for n in nn.Sequential(*modules)(x).shape[1:]]

    def _code(self, p: ConvStackParams) -> str:
        lines, c = [], p.input_shape[0]
        for layer in p.layers:
            lines.append("    " + layer.torch_text(c) + ",")
            c = given(layer.out_channels) if layer.kind == "conv" else c
        return "nn.Sequential(\n" + "\n".join(lines) + "\n)"

    def prompt(self, p: ConvStackParams) -> BiText:
        shape = fmt_shape(p.input_shape)
        code = self._code(p)
        return BiText(
            f"形状为 {shape}（C, H, W）的输入依次经过以下层（PyTorch 默认参数未写出）：\n{code}\n输出形状 (C, H, W) 是多少？",
            f"An input of shape {shape} (C, H, W) passes through these layers (PyTorch defaults omitted):\n{code}\n"
            "What is the output shape (C, H, W)?",
        )

    def solution(self, p: ConvStackParams) -> BiText:
        zh = ["每层：out = ⌊(n + 2p − d·(k − 1) − 1) / s⌋ + 1（池化不改变通道数；池化的 stride 默认等于 kernel_size）"]
        en = [
            "Each layer: out = ⌊(n + 2p − d·(k − 1) − 1) / s⌋ + 1 (pooling keeps the channels; a pool's stride defaults to kernel_size)"
        ]
        c, h, w = p.input_shape
        for i, layer in enumerate(p.layers, 1):
            k, s, pad, d = layer.kernel_size, layer.stride, layer.padding, layer.dilation
            sizes = []
            for n in dict.fromkeys((h, w)):  # one line when H == W
                num = n + 2 * pad - d * (k - 1) - 1
                sizes.append(f"⌊({n} + 2·{pad} − {d}·({k} − 1) − 1) / {s}⌋ + 1 = ⌊{num} / {s}⌋ + 1 = {num // s + 1}")
            code = layer.torch_text(c)
            h, w = (out_size(n, k, s, pad, d) for n in (h, w))
            c = given(layer.out_channels) if layer.kind == "conv" else c
            where = "  " + "；".join(sizes)
            zh.append(f"第 {i} 层 {code}：\n{where}\n  → {fmt_shape((c, h, w))}")
            en.append(f"Layer {i} {code}:\n{where.replace('；', '; ')}\n  → {fmt_shape((c, h, w))}")
        zh.append(f"输出形状：{fmt_shape((c, h, w))}")
        en.append(f"Output shape: {fmt_shape((c, h, w))}")
        return BiText("\n".join(zh), "\n".join(en))

    def misconceptions(self, p: ConvStackParams) -> list[Misconception]:
        candidates: list[tuple[str, dict[str, Any], BiText]] = [
            (
                "ceil-instead-of-floor",
                dict(rnd=math.ceil),
                BiText(
                    "除不尽时应向下取整（不完整的窗口被丢弃），你向上取整了。",
                    "Round down when the division is not exact (an incomplete window is dropped); you rounded up.",
                ),
            ),
            (
                "pool-stride-default-1",
                dict(pool_stride_1=True),
                BiText(
                    "池化层未写 stride 时默认等于 kernel_size，不是 1。",
                    "A pooling layer's stride defaults to kernel_size, not 1.",
                ),
            ),
            (
                "padding-one-side",
                dict(sides=1),
                BiText(
                    "padding 要加在两侧，公式里是 2p，你只加了一侧。",
                    "Padding goes on both sides (2p); you added it once.",
                ),
            ),
            (
                "forgot-padding",
                dict(no_padding=True),
                BiText(
                    "忽略了 padding：它会让每边多出 p 个像素。",
                    "You ignored the padding, which adds p pixels on each side.",
                ),
            ),
            (
                "ignored-dilation",
                dict(no_dilation=True),
                BiText(
                    "忽略了 dilation：膨胀后的卷积核跨度是 d·(k−1)+1。",
                    "You ignored the dilation: a dilated kernel spans d·(k−1)+1.",
                ),
            ),
        ]
        out = []
        for tag, mistake, diagnosis in candidates:
            value = stack_shape(p.input_shape, p.layers, **mistake)
            if value is not None:
                out.append(Misconception(tag, value, diagnosis))
        c_in = p.input_shape[0]
        out.append(
            Misconception(
                "kept-input-channels",
                [c_in, *self.solve(p)[1:]],
                BiText(
                    "卷积的输出通道数由 out_channels（卷积核个数）决定，不是输入通道数。",
                    "A conv's output channel count is its out_channels (number of filters), not the input's channels.",
                ),
            )
        )
        return out

    def hints(self, p: ConvStackParams) -> list[BiText]:
        c, h, w = p.input_shape
        steps: list[tuple[str, str]] = []  # (layer's working without its result, shape after it)
        for layer in p.layers:
            k, s, pad, d = layer.kernel_size, layer.stride, layer.padding, layer.dilation
            work = "; ".join(f"⌊({n} + 2·{pad} − {d}·({k} − 1) − 1) / {s}⌋ + 1" for n in dict.fromkeys((h, w)))
            code = layer.torch_text(c)
            h, w = (out_size(n, k, s, pad, d) for n in (h, w))
            c = given(layer.out_channels) if layer.kind == "conv" else c
            steps.append((f"{code}: {work}", fmt_shape((c, h, w))))
        first, shape = steps[0]
        out = [
            BiText(
                "逐层计算：每层 out = ⌊(n + 2p − d·(k − 1) − 1)/s⌋ + 1；卷积把通道数变成它的 out_channels，"
                "池化不改变通道数，池化的 stride 默认等于 kernel_size。",
                "Go layer by layer: out = ⌊(n + 2p − d·(k − 1) − 1)/s⌋ + 1 at each; a conv sets the channels to "
                "its out_channels, a pool keeps them, and a pool's stride defaults to its kernel_size.",
            )
        ]
        if len(steps) == 1:
            out.append(BiText(f"第 1 层 {first}", f"Layer 1 {first}"))
            return out
        out.append(BiText(f"第 1 层 {first} → {shape}", f"Layer 1 {first} → {shape}"))
        done = "\n".join(f"{i}. {work} → {after}" for i, (work, after) in enumerate(steps[:-1], 1))
        last = f"{len(steps)}. {steps[-1][0]} → ?"
        out.append(BiText(f"{done}\n{last}", f"{done}\n{last}"))
        return out
