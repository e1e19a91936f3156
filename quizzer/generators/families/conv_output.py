"""Output size of a convolution or transposed convolution (torch's Conv*d / ConvTranspose*d)."""

from __future__ import annotations

import math
import random
from typing import Any

from pydantic import Field, model_validator

from quizzer.generators.base import AnswerSpec, Family, Misconception, Params
from quizzer.generators.registry import register
from quizzer.text import BiText


class ConvOutputParams(Params):
    input_size: int = Field(
        ge=1,
        le=4096,
        description="input length (height = width) in pixels",
        json_schema_extra={"zh": "输入尺寸（高 = 宽，像素）"},
    )
    kernel_size: int = Field(ge=1, le=64, description="kernel size k", json_schema_extra={"zh": "卷积核大小 k"})
    stride: int = Field(default=1, ge=1, le=16, description="stride s", json_schema_extra={"zh": "步幅 s"})
    padding: int = Field(
        default=0, ge=0, le=64, description="zero padding p on each side", json_schema_extra={"zh": "每边补零 p"}
    )
    dilation: int = Field(
        default=1,
        ge=1,
        le=16,
        description="dilation d: the kernel spans d·(k − 1) + 1 pixels",
        json_schema_extra={"zh": "膨胀率 d：卷积核跨度为 d·(k − 1) + 1 像素"},
    )
    transposed: bool = Field(
        default=False,
        description="true for ConvTranspose (the output grows)",
        json_schema_extra={"zh": "true 表示转置卷积（输出变大）"},
    )
    output_padding: int = Field(
        default=0,
        ge=0,
        le=15,
        description="ConvTranspose's extra size on one side; only with transposed=true",
        json_schema_extra={"zh": "转置卷积在一侧额外增加的尺寸；仅用于 transposed=true"},
    )
    dims: int = Field(
        default=2,
        ge=1,
        le=2,
        description="1 for Conv1d, 2 for Conv2d",
        json_schema_extra={"zh": "1 表示 Conv1d，2 表示 Conv2d"},
    )

    @model_validator(mode="after")
    def _well_posed(self) -> ConvOutputParams:
        span = self.dilation * (self.kernel_size - 1) + 1
        if self.transposed:
            if self.output_padding >= max(self.stride, self.dilation):
                raise ValueError("output_padding must be smaller than stride or dilation (torch's rule)")
            if conv_transpose_size(self) < 1:
                raise ValueError("the transposed convolution would produce an empty output")
        else:
            if self.output_padding:
                raise ValueError("output_padding only applies to a transposed convolution")
            if span > self.input_size + 2 * self.padding:
                raise ValueError(
                    f"the dilated kernel spans {span} pixels, more than the padded input "
                    f"({self.input_size} + 2·{self.padding})"
                )
        return self


def conv_size(p: ConvOutputParams) -> int:
    return (p.input_size + 2 * p.padding - p.dilation * (p.kernel_size - 1) - 1) // p.stride + 1


def conv_transpose_size(p: ConvOutputParams) -> int:
    return (p.input_size - 1) * p.stride - 2 * p.padding + p.dilation * (p.kernel_size - 1) + p.output_padding + 1


@register
class ConvOutput(Family[ConvOutputParams]):
    name = "conv-output"
    topic = "cnn"
    title = BiText("卷积/转置卷积输出尺寸", "Conv / transposed-conv output size")
    answer_spec = AnswerSpec(kind="int")
    params_model = ConvOutputParams

    def sample(self, rng: random.Random, difficulty: int) -> ConvOutputParams:
        if difficulty == 1:
            k = rng.choice([3, 5, 7])
            s = rng.choice([1, 2])
            p = rng.choice([0, k // 2])
            values: dict[str, Any] = dict(input_size=rng.randint(8, 64), kernel_size=k, stride=s, padding=p)
        elif difficulty == 2:
            k = rng.choice([1, 3, 5, 7, 11])
            values = dict(
                input_size=rng.randint(13, 227),
                kernel_size=k,
                stride=rng.randint(1, 4),
                padding=rng.randint(0, k // 2 + 1),
            )
        else:
            k = rng.choice([2, 3, 4, 5])
            s, d = rng.randint(1, 3), rng.randint(1, 3)
            transposed = rng.random() < 0.5
            values = dict(
                input_size=rng.randint(5, 64),
                kernel_size=k,
                stride=s,
                padding=rng.randint(0, k),
                dilation=d,
                transposed=transposed,
                output_padding=rng.randint(0, max(s, d) - 1) if transposed else 0,
                dims=rng.choice([1, 2]),
            )
        # Ill-posed params (see the validators) fail validation and the registry draws again.
        return ConvOutputParams(**values)

    def solve(self, p: ConvOutputParams) -> int:
        return conv_transpose_size(p) if p.transposed else conv_size(p)

    def verify(self, p: ConvOutputParams) -> int:
        import torch
        from torch import nn

        shape = (1, 1) + (p.input_size,) * p.dims
        x = torch.empty(shape, device="meta")
        cls: type[nn.Module]
        layer: nn.Module
        if p.transposed:
            cls = nn.ConvTranspose1d if p.dims == 1 else nn.ConvTranspose2d
            layer = cls(
                1,
                1,
                p.kernel_size,
                stride=p.stride,
                padding=p.padding,
                output_padding=p.output_padding,
                dilation=p.dilation,
                device="meta",
            )
        else:
            cls = nn.Conv1d if p.dims == 1 else nn.Conv2d
            layer = cls(1, 1, p.kernel_size, stride=p.stride, padding=p.padding, dilation=p.dilation, device="meta")
        return int(layer(x).shape[-1])

    def prompt(self, p: ConvOutputParams) -> BiText:
        size_zh = f"长度为 {p.input_size} 的一维输入" if p.dims == 1 else f"{p.input_size}×{p.input_size} 的输入"
        size_en = f"a 1-D input of length {p.input_size}" if p.dims == 1 else f"a {p.input_size}×{p.input_size} input"
        extra_zh = f"，dilation={p.dilation}" if p.dilation != 1 else ""
        extra_en = f", dilation={p.dilation}" if p.dilation != 1 else ""
        if p.transposed:
            return BiText(
                f"对{size_zh}做转置卷积（ConvTranspose{p.dims}d）：kernel_size={p.kernel_size}，stride={p.stride}，"
                f"padding={p.padding}，output_padding={p.output_padding}{extra_zh}。输出的空间尺寸（每边长度）是多少？",
                f"A transposed convolution (ConvTranspose{p.dims}d) is applied to {size_en}: kernel_size={p.kernel_size}, "
                f"stride={p.stride}, padding={p.padding}, output_padding={p.output_padding}{extra_en}. "
                "What is the output's spatial size (length of each side)?",
            )
        return BiText(
            f"对{size_zh}做卷积（Conv{p.dims}d）：kernel_size={p.kernel_size}，stride={p.stride}，padding={p.padding}{extra_zh}。"
            "输出的空间尺寸（每边长度）是多少？",
            f"A convolution (Conv{p.dims}d) is applied to {size_en}: kernel_size={p.kernel_size}, stride={p.stride}, "
            f"padding={p.padding}{extra_en}. What is the output's spatial size (length of each side)?",
        )

    def solution(self, p: ConvOutputParams) -> BiText:
        n, k, s, pad, d = p.input_size, p.kernel_size, p.stride, p.padding, p.dilation
        if p.transposed:
            op = p.output_padding
            out = conv_transpose_size(p)
            formula = "out = (n − 1)·s − 2p + d·(k − 1) + output_padding + 1"
            subst = f"= ({n} − 1)·{s} − 2·{pad} + {d}·({k} − 1) + {op} + 1"
            step = f"= {(n - 1) * s} − {2 * pad} + {d * (k - 1)} + {op} + 1 = {out}"
            return BiText(
                f"转置卷积：{formula}\n  {subst}\n  {step}",
                f"Transposed convolution: {formula}\n  {subst}\n  {step}",
            )
        numerator = n + 2 * pad - d * (k - 1) - 1
        out = conv_size(p)
        formula = "out = ⌊(n + 2p − d·(k − 1) − 1) / s⌋ + 1"
        subst = f"= ⌊({n} + 2·{pad} − {d}·({k} − 1) − 1) / {s}⌋ + 1"
        step = f"= ⌊{numerator} / {s}⌋ + 1 = {numerator // s} + 1 = {out}"
        note_zh = "（除不尽时向下取整：最后不完整的窗口被丢弃）" if numerator % s else ""
        note_en = " (floor: an incomplete last window is dropped)" if numerator % s else ""
        return BiText(
            f"卷积：{formula}\n  {subst}\n  {step}{note_zh}",
            f"Convolution: {formula}\n  {subst}\n  {step}{note_en}",
        )

    def misconceptions(self, p: ConvOutputParams) -> list[Misconception]:
        n, k, s, pad, d = p.input_size, p.kernel_size, p.stride, p.padding, p.dilation
        if p.transposed:
            as_conv = (n + 2 * pad - d * (k - 1) - 1) // s + 1
            return [
                Misconception(
                    "used-conv-formula",
                    as_conv,
                    BiText(
                        "这是普通卷积的公式；转置卷积是它的逆：(n−1)·s − 2p + d(k−1) + output_padding + 1。",
                        "That is the ordinary convolution formula; a transposed conv inverts it: "
                        "(n−1)·s − 2p + d(k−1) + output_padding + 1.",
                    ),
                ),
                Misconception(
                    "forgot-output-padding",
                    conv_transpose_size(p) - p.output_padding,
                    BiText(
                        "漏加了 output_padding（它只加在输出的一侧）。",
                        "You left out output_padding (it is added to one side of the output).",
                    ),
                ),
                Misconception(
                    "ignored-dilation",
                    (n - 1) * s - 2 * pad + (k - 1) + p.output_padding + 1,
                    BiText(
                        "忽略了 dilation：膨胀后的卷积核跨度是 d·(k−1)+1。",
                        "You ignored the dilation: a dilated kernel spans d·(k−1)+1.",
                    ),
                ),
            ]
        out = conv_size(p)
        mistakes = [
            Misconception(
                "padding-one-side",
                (n + pad - d * (k - 1) - 1) // s + 1,
                BiText(
                    "只在一侧加了 padding：padding 要加在两侧，所以是 2p。",
                    "You padded only one side: padding is added on both sides, so it counts 2p.",
                ),
            ),
            Misconception(
                "forgot-padding",
                (n - d * (k - 1) - 1) // s + 1 if n >= d * (k - 1) + 1 else 0,
                BiText(
                    "这是没有 padding 时的尺寸：忘了加 2p。", "That is the size without padding: you forgot the 2p."
                ),
            ),
            Misconception(
                "ceil-instead-of-floor",
                math.ceil((n + 2 * pad - d * (k - 1) - 1) / s) + 1,
                BiText(
                    "除不尽时应向下取整（最后不完整的窗口被丢弃），你向上取整了。",
                    "Round down when the division is not exact (an incomplete last window is dropped); you rounded up.",
                ),
            ),
            Misconception(
                "forgot-plus-one",
                out - 1,
                BiText(
                    "漏了最后的 +1：第一个窗口本身就算一个输出位置。",
                    "You dropped the final +1: the first window position is itself one output.",
                ),
            ),
        ]
        if d > 1:
            mistakes.append(
                Misconception(
                    "ignored-dilation",
                    (n + 2 * pad - (k - 1) - 1) // s + 1,
                    BiText(
                        "忽略了 dilation：膨胀后的卷积核跨度是 d·(k−1)+1。",
                        "You ignored the dilation: a dilated kernel spans d·(k−1)+1.",
                    ),
                )
            )
        return mistakes

    def hints(self, p: ConvOutputParams) -> list[BiText]:
        n, k, s, pad, d = p.input_size, p.kernel_size, p.stride, p.padding, p.dilation
        if p.transposed:
            op = p.output_padding
            subst = f"out = ({n} − 1)·{s} − 2·{pad} + {d}·({k} − 1) + {op} + 1"
            step = f"out = {(n - 1) * s} − {2 * pad} + {d * (k - 1)} + {op} + 1 = ?"
            return [
                BiText(
                    "转置卷积把普通卷积的尺寸公式倒过来：out = (n − 1)·s − 2p + d·(k − 1) + output_padding + 1。",
                    "A transposed convolution inverts the convolution's size formula: "
                    "out = (n − 1)·s − 2p + d·(k − 1) + output_padding + 1.",
                ),
                BiText(subst, subst),
                BiText(step, step),
            ]
        numerator = n + 2 * pad - d * (k - 1) - 1
        subst = f"out = ⌊({n} + 2·{pad} − {d}·({k} − 1) − 1) / {s}⌋ + 1"
        step = f"out = ⌊{numerator} / {s}⌋ + 1 = ?"
        return [
            BiText(
                "数卷积核能放下的位置：两侧各补 p，膨胀后的核跨 d·(k − 1) + 1 个像素，每次移动 s，"
                "out = ⌊(n + 2p − d·(k − 1) − 1)/s⌋ + 1（除不尽向下取整）。",
                "Count the positions the kernel fits in: p is added on both sides, the dilated kernel spans "
                "d·(k − 1) + 1 pixels and moves s at a time, out = ⌊(n + 2p − d·(k − 1) − 1)/s⌋ + 1 "
                "(round down).",
            ),
            BiText(subst, subst),
            BiText(step, step),
        ]
