"""Number of learnable parameters of a Conv2d layer (weights, biases, groups)."""

from __future__ import annotations

import random

from pydantic import Field, model_validator

from quizzer.generators.base import AnswerSpec, Family, Misconception, Params, fmt
from quizzer.generators.registry import register
from quizzer.text import BiText


class ConvParamsParams(Params):
    in_channels: int = Field(
        ge=1, le=4096, description="input channels C_in", json_schema_extra={"zh": "输入通道数 C_in"}
    )
    out_channels: int = Field(
        ge=1, le=4096, description="output channels C_out", json_schema_extra={"zh": "输出通道数 C_out"}
    )
    kernel_size: int = Field(
        ge=1, le=15, description="square kernel size k", json_schema_extra={"zh": "方形卷积核大小 k"}
    )
    bias: bool = Field(
        default=True,
        description="whether the conv has a bias (torch's default: true)",
        json_schema_extra={"zh": "卷积是否带偏置（torch 默认 true）"},
    )
    groups: int = Field(
        default=1,
        ge=1,
        le=4096,
        description="groups; must divide both channel counts",
        json_schema_extra={"zh": "分组数，须整除输入与输出通道数"},
    )

    @model_validator(mode="after")
    def _divisible(self) -> ConvParamsParams:
        if self.in_channels % self.groups or self.out_channels % self.groups:
            raise ValueError(
                f"in_channels ({self.in_channels}) and out_channels ({self.out_channels}) must both be divisible "
                f"by groups ({self.groups}), as torch requires"
            )
        return self


def weights(p: ConvParamsParams) -> int:
    return p.out_channels * (p.in_channels // p.groups) * p.kernel_size**2


@register
class ConvParams(Family[ConvParamsParams]):
    name = "conv-params"
    topic = "cnn"
    title = BiText("卷积层的参数量", "Learnable parameters of a Conv2d")
    answer_spec = AnswerSpec(kind="int")
    params_model = ConvParamsParams

    def sample(self, rng: random.Random, difficulty: int) -> ConvParamsParams:
        if difficulty == 1:
            return ConvParamsParams(
                in_channels=rng.choice([1, 3, 16, 32, 64]),
                out_channels=rng.choice([8, 16, 32, 64]),
                kernel_size=rng.choice([3, 5]),
            )
        if difficulty == 2:
            return ConvParamsParams(
                in_channels=rng.choice([3, 24, 48, 64, 96, 128, 192, 256]),
                out_channels=rng.choice([32, 64, 96, 128, 256, 384, 512]),
                kernel_size=rng.choice([1, 3, 5, 7, 11]),
                bias=rng.random() < 0.7,
            )
        # difficulty 3: grouped / depthwise convolutions, where the per-filter input depth is C_in / groups
        c_in = rng.choice([32, 48, 64, 96, 128, 256])
        groups = rng.choice([g for g in (2, 4, 8, 16, 32) if c_in % g == 0] + [c_in])
        out = c_in * rng.choice([1, 2]) if groups == c_in else groups * rng.choice([4, 8, 16])
        return ConvParamsParams(
            in_channels=c_in,
            out_channels=out,
            kernel_size=rng.choice([1, 3, 5, 7]),
            bias=rng.random() < 0.6,
            groups=groups,
        )

    def solve(self, p: ConvParamsParams) -> int:
        return weights(p) + (p.out_channels if p.bias else 0)

    def verify(self, p: ConvParamsParams) -> int:
        from torch import nn

        layer = nn.Conv2d(p.in_channels, p.out_channels, p.kernel_size, bias=p.bias, groups=p.groups, device="meta")
        return int(sum(t.numel() for t in layer.parameters() if t.requires_grad))

    def prompt(self, p: ConvParamsParams) -> BiText:
        groups = f", groups={p.groups}" if p.groups != 1 else ""
        code = f"nn.Conv2d({p.in_channels}, {p.out_channels}, kernel_size={p.kernel_size}, bias={p.bias}{groups})"
        bias_zh = "有偏置" if p.bias else "没有偏置"
        bias_en = "with bias" if p.bias else "without bias"
        return BiText(
            f"卷积层 {code}：输入通道 C_in = {p.in_channels}，输出通道 C_out = {p.out_channels}，卷积核 {p.kernel_size}×{p.kernel_size}，"
            f"{bias_zh}" + (f"，分 {p.groups} 组" if p.groups != 1 else "") + "。它一共有多少个可学习参数？",
            f"The layer {code} has C_in = {p.in_channels} input channels, C_out = {p.out_channels} output channels, "
            f"a {p.kernel_size}×{p.kernel_size} kernel, {bias_en}"
            + (f", and {p.groups} groups" if p.groups != 1 else "")
            + ". How many learnable parameters does it have?",
        )

    def solution(self, p: ConvParamsParams) -> BiText:
        c_in, c_out, k, g = p.in_channels, p.out_channels, p.kernel_size, p.groups
        per = c_in // g
        w = weights(p)
        b = c_out if p.bias else 0
        formula = "params = C_out · (C_in / groups) · k · k" + (" + C_out" if p.bias else "")
        subst = f"= {c_out} · ({c_in} / {g}) · {k} · {k}" + (f" + {c_out}" if p.bias else "")
        step = f"= {c_out} · {per * k * k}" + (f" + {c_out}" if p.bias else "") + f" = {fmt(w + b)}"
        scope_zh = "全部输入通道" if g == 1 else f"本组的 C_in/groups = {per} 个输入通道"
        why_zh = f"每个卷积核是 {per}×{k}×{k} 的三维张量（覆盖{scope_zh}），共 {c_out} 个卷积核" + (
            "，每个卷积核一个偏置" if p.bias else "，无偏置"
        )
        scope_en = "all C_in input channels" if g == 1 else f"the C_in/groups = {per} input channels of its group"
        why_en = f"Each filter is a volume of size {per}×{k}×{k} (it spans {scope_en}); there are {c_out} filters" + (
            ", each with one bias" if p.bias else ", no bias"
        )
        return BiText(f"{why_zh}。\n{formula}\n  {subst}\n  {step}", f"{why_en}.\n{formula}\n  {subst}\n  {step}")

    def misconceptions(self, p: ConvParamsParams) -> list[Misconception]:
        c_in, c_out, k, g = p.in_channels, p.out_channels, p.kernel_size, p.groups
        b = c_out if p.bias else 0
        out = [
            Misconception(
                "forgot-input-channels",
                c_out * k * k + b,
                BiText(
                    "把卷积核当成了二维的 k×k 数组：实际上每个卷积核覆盖全部输入通道，大小是 (C_in/groups)×k×k。",
                    "You treated each kernel as a 2-D k×k array: a filter spans every input channel, so it is (C_in/groups)×k×k.",
                ),
            ),
            Misconception(
                "kernel-not-squared",
                c_out * (c_in // g) * k + b,
                BiText(
                    "卷积核有 k×k 个位置，要乘 k²，你只乘了 k。",
                    "A k×k kernel has k² positions; you multiplied by k only.",
                ),
            ),
        ]
        if p.bias:
            out.insert(
                0,
                Misconception(
                    "forgot-bias",
                    weights(p),
                    BiText(
                        "漏了偏置：每个输出通道还有一个偏置，共 C_out 个。",
                        "You left out the biases: one per output channel, C_out in all.",
                    ),
                ),
            )
            out += [
                Misconception(
                    "bias-per-weight",
                    2 * weights(p),
                    BiText(
                        "偏置不是每个权重一个：每个卷积核先把所有乘积加起来，再加一次偏置，所以只有 C_out 个。",
                        "There is not one bias per weight: each filter sums all its products and then adds its bias once, "
                        "so there are only C_out biases.",
                    ),
                ),
                Misconception(
                    "bias-per-channel-slice",
                    c_out * (c_in // g) * (k * k + 1),
                    BiText(
                        "偏置是每个输出通道（每个卷积核）一个，不是每个输入通道切片一个。",
                        "There is one bias per output channel (per filter), not one per input-channel slice of the filter.",
                    ),
                ),
            ]
        else:
            out.insert(
                0,
                Misconception(
                    "counted-bias",
                    weights(p) + c_out,
                    BiText(
                        "这一层 bias=False，没有偏置参数，不要加 C_out。",
                        "This layer has bias=False: there are no bias parameters to add.",
                    ),
                ),
            )
        if g != 1:
            out.append(
                Misconception(
                    "ignored-groups",
                    c_out * c_in * k * k + b,
                    BiText(
                        f"分组卷积中每个卷积核只看本组的 C_in/groups = {c_in // g} 个输入通道，你按全部 {c_in} 个算了。",
                        f"In a grouped conv each filter sees only its group's C_in/groups = {c_in // g} input channels, "
                        f"not all {c_in}.",
                    ),
                )
            )
        return out

    def hints(self, p: ConvParamsParams) -> list[BiText]:
        c_in, c_out, k, g = p.in_channels, p.out_channels, p.kernel_size, p.groups
        bias = f" + {c_out}" if p.bias else ""
        subst = f"params = {c_out} · ({c_in} / {g}) · {k} · {k}{bias}"
        step = f"params = {c_out} · {(c_in // g) * k * k}{bias} = ?"
        return [
            BiText(
                "每个输出通道有一个卷积核，覆盖 C_in/groups 个输入通道的 k×k 窗口；有偏置时每个卷积核再加一个偏置："
                "params = C_out·(C_in/groups)·k·k (+ C_out)。",
                "Each output channel has one filter spanning a k×k window of C_in/groups input channels, plus one "
                "bias per filter when bias=True: params = C_out·(C_in/groups)·k·k (+ C_out).",
            ),
            BiText(subst, subst),
            BiText(step, step),
        ]
