"""Multiply-accumulates (MACs) of one Conv2d forward pass."""

from __future__ import annotations

import random

from pydantic import Field, model_validator

from quizzer.generators.base import AnswerSpec, Family, Misconception, Params, fmt
from quizzer.generators.registry import register
from quizzer.text import BiText


class ConvMacsParams(Params):
    in_channels: int = Field(
        ge=1, le=2048, description="input channels C_in", json_schema_extra={"zh": "输入通道数 C_in"}
    )
    out_channels: int = Field(
        ge=1, le=2048, description="output channels C_out", json_schema_extra={"zh": "输出通道数 C_out"}
    )
    kernel_size: int = Field(
        ge=1, le=15, description="square kernel size k", json_schema_extra={"zh": "方形卷积核大小 k"}
    )
    stride: int = Field(default=1, ge=1, le=8, description="stride s", json_schema_extra={"zh": "步幅 s"})
    padding: int = Field(
        default=0, ge=0, le=15, description="zero padding p on every side", json_schema_extra={"zh": "每边补零 p"}
    )
    groups: int = Field(
        default=1,
        ge=1,
        le=2048,
        description="groups; must divide both channel counts (C_in = groups: depthwise)",
        json_schema_extra={"zh": "分组数，须整除输入与输出通道数（等于 C_in 时为逐通道卷积）"},
    )
    input_size: int = Field(
        ge=1, le=1024, description="input height = width in pixels", json_schema_extra={"zh": "输入的高 = 宽（像素）"}
    )

    @model_validator(mode="after")
    def _well_posed(self) -> ConvMacsParams:
        if self.in_channels % self.groups or self.out_channels % self.groups:
            raise ValueError(
                f"in_channels ({self.in_channels}) and out_channels ({self.out_channels}) must both be divisible "
                f"by groups ({self.groups}), as torch requires"
            )
        if self.kernel_size > self.input_size + 2 * self.padding:
            raise ValueError(
                f"kernel_size {self.kernel_size} is larger than the padded input ({self.input_size} + 2·{self.padding})"
            )
        return self


def out_size(p: ConvMacsParams) -> int:
    return (p.input_size + 2 * p.padding - p.kernel_size) // p.stride + 1


def macs(p: ConvMacsParams, *, size: int | None = None, c_in: int | None = None) -> int:
    """C_out·H_out·W_out·(C_in/groups)·k²; ``size``/``c_in`` substitute a wrong value for a misconception."""
    n = out_size(p) if size is None else size
    per = p.in_channels // p.groups if c_in is None else c_in
    return p.out_channels * n * n * per * p.kernel_size**2


@register
class ConvMacs(Family[ConvMacsParams]):
    name = "conv-macs"
    topic = "cnn"
    title = BiText("卷积层的乘加次数（MACs）", "Multiply-accumulates of a Conv2d")
    answer_spec = AnswerSpec(kind="int")
    params_model = ConvMacsParams

    def sample(self, rng: random.Random, difficulty: int) -> ConvMacsParams:
        if difficulty == 1:
            k = rng.choice([3, 5])
            values = dict(
                in_channels=rng.choice([1, 3, 16, 32]),
                out_channels=rng.choice([8, 16, 32, 64]),
                kernel_size=k,
                padding=rng.choice([0, k // 2]),
                input_size=rng.choice([8, 16, 28, 32]),
            )
        elif difficulty == 2:
            k = rng.choice([1, 3, 5, 7])
            values = dict(
                in_channels=rng.choice([3, 32, 64, 96, 128]),
                out_channels=rng.choice([32, 64, 128, 256]),
                kernel_size=k,
                stride=rng.choice([1, 2]),
                padding=rng.choice([0, k // 2]),
                input_size=rng.choice([14, 28, 32, 56, 64, 112]),
            )
        else:
            c_in = rng.choice([16, 32, 48, 64, 96, 128])
            groups = rng.choice([1, 2, 4, c_in])
            k = rng.choice([3, 5, 7])
            values = dict(
                in_channels=c_in,
                out_channels=groups * rng.choice([1, 2, 4]) if groups == c_in else rng.choice([32, 64, 128]),
                kernel_size=k,
                stride=rng.choice([1, 2, 3]),
                padding=rng.randint(0, k // 2),
                groups=groups,
                input_size=rng.randint(9, 75),
            )
        # Ill-posed params (see the validators) fail validation and the registry draws again.
        return ConvMacsParams(**values)

    def solve(self, p: ConvMacsParams) -> int:
        return macs(p)

    def verify(self, p: ConvMacsParams) -> int:
        from torch import nn

        from quizzer.generators.torch_checks import conv_macs

        layer = nn.Conv2d(
            p.in_channels,
            p.out_channels,
            p.kernel_size,
            stride=p.stride,
            padding=p.padding,
            groups=p.groups,
            device="meta",
        )
        return conv_macs(layer, (1, p.in_channels, p.input_size, p.input_size))

    def _code(self, p: ConvMacsParams) -> str:
        extra = (
            f", stride={p.stride}" * (p.stride != 1)
            + f", padding={p.padding}" * (p.padding != 0)
            + f", groups={p.groups}" * (p.groups != 1)
        )
        return f"nn.Conv2d({p.in_channels}, {p.out_channels}, kernel_size={p.kernel_size}{extra})"

    def prompt(self, p: ConvMacsParams) -> BiText:
        n = p.input_size
        return BiText(
            f"卷积层 {self._code(p)} 作用于形状为 ({p.in_channels}, {n}, {n}) 的单张输入（batch 为 1）。"
            "一次前向传播需要多少次乘加运算（MACs）？（每个“权重×输入再累加”算一次，不计偏置。）",
            f"The layer {self._code(p)} is applied to a single input of shape ({p.in_channels}, {n}, {n}) (batch size 1). "
            "How many multiply-accumulate operations (MACs) does one forward pass take? "
            "(Count each weight×input product added into a sum once; ignore the bias.)",
        )

    def solution(self, p: ConvMacsParams) -> BiText:
        n, k, s, pad, g = p.input_size, p.kernel_size, p.stride, p.padding, p.groups
        num = n + 2 * pad - k
        h = out_size(p)
        per = p.in_channels // g
        size = f"H_out = W_out = ⌊(H + 2p − k) / s⌋ + 1 = ⌊({n} + 2·{pad} − {k}) / {s}⌋ + 1 = ⌊{num} / {s}⌋ + 1 = {h}"
        formula = "MACs = C_out · H_out · W_out · (C_in / groups) · k · k"
        subst = f"= {p.out_channels} · {h} · {h} · ({p.in_channels} / {g}) · {k} · {k}"
        step = f"= {fmt(p.out_channels * h * h)} · {fmt(per * k * k)} = {fmt(macs(p))}"
        return BiText(
            f"{size}\n每个输出元素需要 (C_in/groups)·k² = {per * k * k} 次乘加：\n{formula}\n  {subst}\n  {step}",
            f"{size}\nEach output element takes (C_in/groups)·k² = {per * k * k} MACs:\n{formula}\n  {subst}\n  {step}",
        )

    def misconceptions(self, p: ConvMacsParams) -> list[Misconception]:
        out = [
            Misconception(
                "used-input-size",
                macs(p, size=p.input_size),
                BiText(
                    "乘加次数按输出元素个数算：要用输出尺寸 H_out×W_out，不是输入尺寸。",
                    "Count one dot product per output element: use the output size H_out×W_out, not the input size.",
                ),
            ),
            Misconception(
                "flops-not-macs",
                2 * macs(p),
                BiText(
                    "这是 FLOPs：一次乘加 = 一次乘法 + 一次加法 = 2 FLOPs，MACs 不乘 2。",
                    "That is the FLOP count: one MAC is a multiply plus an add (2 FLOPs); MACs are not doubled.",
                ),
            ),
            Misconception(
                "forgot-input-channels",
                macs(p, c_in=1),
                BiText(
                    "每个输出元素要对 (C_in/groups) 个输入通道的 k×k 窗口求和，你漏乘了输入通道数。",
                    "Each output element sums a k×k window over (C_in/groups) input channels; you left out the channel factor.",
                ),
            ),
            Misconception(
                "counted-weights",
                p.out_channels * (p.in_channels // p.groups) * p.kernel_size**2,
                BiText(
                    "这是权重个数；每个权重在每个输出位置都会被重复使用，还要乘 H_out·W_out。",
                    "That is the number of weights; each weight is reused at every output position, so multiply by H_out·W_out.",
                ),
            ),
        ]
        if p.groups != 1:
            out.append(
                Misconception(
                    "ignored-groups",
                    macs(p, c_in=p.in_channels),
                    BiText(
                        f"分组卷积中每个输出通道只连接 C_in/groups = {p.in_channels // p.groups} 个输入通道。",
                        f"In a grouped conv each output channel connects to only C_in/groups = {p.in_channels // p.groups} input channels.",
                    ),
                )
            )
        return out

    def hints(self, p: ConvMacsParams) -> list[BiText]:
        n, k, s, pad, g = p.input_size, p.kernel_size, p.stride, p.padding, p.groups
        h = out_size(p)
        size = f"H_out = W_out = ⌊({n} + 2·{pad} − {k}) / {s}⌋ + 1 = {h}"
        return [
            BiText(
                "每个输出元素要做 (C_in/groups)·k·k 次乘加；输出元素共有 C_out·H_out·W_out 个。"
                "先用 ⌊(H + 2p − k)/s⌋ + 1 求出输出尺寸。",
                "Each output element takes (C_in/groups)·k·k multiply-accumulates, and there are "
                "C_out·H_out·W_out output elements. First get the output size from ⌊(H + 2p − k)/s⌋ + 1.",
            ),
            BiText(size, size),
            BiText(
                f"MACs = {p.out_channels} · {h} · {h} · ({p.in_channels} / {g}) · {k} · {k} = ?",
                f"MACs = {p.out_channels} · {h} · {h} · ({p.in_channels} / {g}) · {k} · {k} = ?",
            ),
        ]
