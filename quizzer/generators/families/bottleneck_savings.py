"""Parameters or MACs saved by a 1×1 bottleneck conv in front of a k×k conv (Inception / ResNet style)."""

from __future__ import annotations

import random
from typing import Literal

from pydantic import Field, model_validator

from quizzer.generators.base import AnswerSpec, Family, Misconception, Params, fmt, given
from quizzer.generators.registry import register
from quizzer.text import BiText


class BottleneckParams(Params):
    in_channels: int = Field(
        ge=2,
        le=4096,
        description="channels into the block (and into the plain k×k conv it replaces)",
        json_schema_extra={"zh": "输入模块的通道数（也是被替换的普通 k×k 卷积的输入通道数）"},
    )
    mid_channels: int = Field(
        ge=1,
        le=4096,
        description="channels inside the bottleneck, after the 1×1 reduction",
        json_schema_extra={"zh": "瓶颈内部通道数（1×1 降维之后）"},
    )
    out_channels: int = Field(
        ge=1, le=4096, description="channels out of the block", json_schema_extra={"zh": "模块输出的通道数"}
    )
    kernel_size: int = Field(
        default=3,
        ge=3,
        le=7,
        description="kernel size of the middle conv (and of the plain conv compared with)",
        json_schema_extra={"zh": "中间卷积的核大小（也是对比的普通卷积的核大小）"},
    )
    bias: bool = Field(
        default=True, description="whether every conv has a bias", json_schema_extra={"zh": "每个卷积是否带偏置"}
    )
    measure: Literal["params", "macs"] = Field(
        default="params",
        description="compare learnable parameters or multiply-accumulates",
        json_schema_extra={"zh": "比较可学习参数量还是乘加次数"},
    )
    input_size: int | None = Field(
        default=None,
        ge=1,
        le=512,
        description="input height = width in pixels, needed for measure=macs",
        json_schema_extra={"zh": "输入的高 = 宽（像素），measure=macs 时需要"},
    )

    @model_validator(mode="after")
    def _well_posed(self) -> BottleneckParams:
        if self.kernel_size % 2 == 0:
            raise ValueError("kernel_size must be odd so that padding=k//2 keeps the spatial size ('same' conv)")
        if self.mid_channels >= self.in_channels:
            raise ValueError(
                f"mid_channels ({self.mid_channels}) must be smaller than in_channels ({self.in_channels}) "
                "for the 1×1 conv to be a bottleneck"
            )
        if self.measure == "macs" and self.input_size is None:
            raise ValueError("measure=macs needs input_size (the height = width of the feature map)")
        if self.measure == "params" and self.input_size is not None:
            raise ValueError("input_size does not affect the parameter count; leave it out or use measure=macs")
        if costs(self)[3] <= 0:
            raise ValueError("with these channel counts the bottleneck saves nothing; use a smaller mid_channels")
        return self


def costs(p: BottleneckParams) -> tuple[int, int, int, int]:
    """(direct, 1×1 part, k×k part after the 1×1, saved)."""
    k2 = p.kernel_size**2
    if p.measure == "params":
        b = 1 if p.bias else 0
        direct = p.out_channels * p.in_channels * k2 + b * p.out_channels
        reduce = p.mid_channels * p.in_channels + b * p.mid_channels
        conv = p.out_channels * p.mid_channels * k2 + b * p.out_channels
    else:
        hw = given(p.input_size) ** 2
        direct = hw * p.out_channels * p.in_channels * k2
        reduce = hw * p.mid_channels * p.in_channels
        conv = hw * p.out_channels * p.mid_channels * k2
    return direct, reduce, conv, direct - reduce - conv


@register
class BottleneckSavings(Family[BottleneckParams]):
    name = "bottleneck-savings"
    topic = "conv1x1"
    title = BiText("1×1 瓶颈卷积节省的计算量", "Savings from a 1×1 bottleneck conv")
    answer_spec = AnswerSpec(kind="int")
    params_model = BottleneckParams

    def sample(self, rng: random.Random, difficulty: int) -> BottleneckParams:
        measure: Literal["params", "macs"] = rng.choice(["params", "macs"])
        if difficulty == 1:
            c_in, mid, c_out = rng.choice([64, 128, 192, 256]), rng.choice([16, 32, 64]), rng.choice([32, 64, 128])
            k, bias, size = 3, False, rng.choice([14, 28])
        elif difficulty == 2:
            c_in, mid, c_out = (
                rng.choice([128, 192, 256, 480, 512]),
                rng.choice([16, 24, 32, 48, 64, 96]),
                rng.choice([32, 48, 64, 128, 192]),
            )
            k, bias, size = rng.choice([3, 5]), rng.random() < 0.5, rng.choice([7, 14, 28, 56])
        else:
            c_in, mid, c_out = rng.randrange(96, 833, 16), rng.randrange(8, 129, 8), rng.randrange(16, 257, 8)
            k, bias, size = rng.choice([3, 5]), rng.random() < 0.7, rng.randint(7, 35)
        # Ill-posed params (see the validators) fail validation and the registry draws again.
        return BottleneckParams(
            in_channels=c_in,
            mid_channels=mid,
            out_channels=c_out,
            kernel_size=k,
            bias=bias,
            measure=measure,
            input_size=size if measure == "macs" else None,
        )

    def solve(self, p: BottleneckParams) -> int:
        return costs(p)[3]

    def verify(self, p: BottleneckParams) -> int:
        from torch import nn

        from quizzer.generators.torch_checks import conv_macs

        k = p.kernel_size
        direct = nn.Conv2d(p.in_channels, p.out_channels, k, padding=k // 2, bias=p.bias, device="meta")
        bottleneck = nn.Sequential(
            nn.Conv2d(p.in_channels, p.mid_channels, 1, bias=p.bias, device="meta"),
            nn.Conv2d(p.mid_channels, p.out_channels, k, padding=k // 2, bias=p.bias, device="meta"),
        )
        if p.measure == "params":
            return int(sum(t.numel() for t in direct.parameters()) - sum(t.numel() for t in bottleneck.parameters()))

        shape = (1, p.in_channels, given(p.input_size), given(p.input_size))
        return conv_macs(direct, shape) - conv_macs(bottleneck, shape)

    def _setup(self, p: BottleneckParams) -> BiText:
        k, c_in, mid, c_out = p.kernel_size, p.in_channels, p.mid_channels, p.out_channels
        bias = f"bias={p.bias}"
        a = f"nn.Conv2d({c_in}, {c_out}, kernel_size={k}, padding={k // 2}, {bias})"
        b = (
            f"nn.Conv2d({c_in}, {mid}, kernel_size=1, {bias}) → "
            f"nn.Conv2d({mid}, {c_out}, kernel_size={k}, padding={k // 2}, {bias})"
        )
        return BiText(
            f"\n  (A) 直接卷积：{a}\n  (B) 先 1×1 降维再卷积：{b}\n",
            f"\n  (A) direct: {a}\n  (B) 1×1 reduction first: {b}\n",
        )

    def prompt(self, p: BottleneckParams) -> BiText:
        if p.measure == "params":
            ask = BiText(
                "(B) 比 (A) 少多少个可学习参数（含偏置，如有）？",
                "How many fewer learnable parameters (biases included, if any) does (B) have than (A)?",
            )
        else:
            n = p.input_size
            ask = BiText(
                f"输入特征图为 ({p.in_channels}, {n}, {n})，batch 为 1。(B) 比 (A) 少多少次乘加运算（MACs，不计偏置）？",
                f"The input feature map is ({p.in_channels}, {n}, {n}), batch size 1. How many fewer "
                "multiply-accumulates (MACs, bias not counted) does (B) take than (A)?",
            )
        return (
            BiText("比较两种得到相同输出的方案：", "Compare two ways of producing the same output:")
            + self._setup(p)
            + ask
        )

    def solution(self, p: BottleneckParams) -> BiText:
        k, c_in, mid, c_out = p.kernel_size, p.in_channels, p.mid_channels, p.out_channels
        direct, reduce, conv, saved = costs(p)
        if p.measure == "params":
            b = p.bias
            fa = f"C_out·C_in·k²{' + C_out' if b else ''} = {c_out}·{c_in}·{k * k}{f' + {c_out}' if b else ''} = {fmt(direct)}"
            f1 = f"C_mid·C_in{' + C_mid' if b else ''} = {mid}·{c_in}{f' + {mid}' if b else ''} = {fmt(reduce)}"
            f2 = f"C_out·C_mid·k²{' + C_out' if b else ''} = {c_out}·{mid}·{k * k}{f' + {c_out}' if b else ''} = {fmt(conv)}"
        else:
            hw = f"{p.input_size}²"
            fa = f"H·W·C_out·C_in·k² = {hw}·{c_out}·{c_in}·{k * k} = {fmt(direct)}"
            f1 = f"H·W·C_mid·C_in = {hw}·{mid}·{c_in} = {fmt(reduce)}"
            f2 = f"H·W·C_out·C_mid·k² = {hw}·{c_out}·{mid}·{k * k} = {fmt(conv)}"
        tail = f"{fmt(direct)} − ({fmt(reduce)} + {fmt(conv)}) = {fmt(direct)} − {fmt(reduce + conv)} = {fmt(saved)}"
        return BiText(
            f"(A)：{fa}\n(B) 1×1 层：{f1}\n(B) {k}×{k} 层：{f2}\n节省 = A − B = {tail}",
            f"(A): {fa}\n(B) 1×1 layer: {f1}\n(B) {k}×{k} layer: {f2}\nSaved = A − B = {tail}",
        )

    def misconceptions(self, p: BottleneckParams) -> list[Misconception]:
        direct, reduce, conv, saved = costs(p)
        out = [
            Misconception(
                "gave-bottleneck-cost",
                reduce + conv,
                BiText(
                    "这是方案 (B) 本身的开销；题目问的是 (B) 比 (A) 少多少，即 A − B。",
                    "That is the cost of (B) itself; the question asks how much (B) saves, i.e. A − B.",
                ),
            ),
            Misconception(
                "ignored-1x1-cost",
                direct - conv,
                BiText(
                    "1×1 卷积本身也有开销（C_mid·C_in 个权重/每像素乘加），不能忽略。",
                    "The 1×1 conv is not free: it costs C_mid·C_in weights (MACs per pixel) too.",
                ),
            ),
        ]
        if p.measure == "params" and p.bias:
            out.append(
                Misconception(
                    "forgot-1x1-bias",
                    saved + p.mid_channels,
                    BiText(
                        "1×1 卷积也有偏置（C_mid 个），B 的参数量要加上它们。",
                        "The 1×1 conv has biases too (C_mid of them); add them to (B)'s count.",
                    ),
                )
            )
        if p.measure == "macs":
            out += [
                Misconception(
                    "flops-not-macs",
                    2 * saved,
                    BiText(
                        "这是 FLOPs 之差：一次乘加算 2 FLOPs，MACs 不乘 2。",
                        "That is the FLOP difference: one MAC is 2 FLOPs; MACs are not doubled.",
                    ),
                ),
                Misconception(
                    "per-position",
                    saved // given(p.input_size) ** 2,
                    BiText(
                        "这只是每个空间位置节省的乘加数，还要乘 H·W。",
                        "That is the saving per spatial position only; multiply by H·W.",
                    ),
                ),
            ]
        return out

    def hints(self, p: BottleneckParams) -> list[BiText]:
        direct, reduce, conv, _ = costs(p)
        if p.measure == "params":
            what = BiText(
                "一个卷积层的参数量是 C_out·C_in·k²（有偏置再加 C_out）",
                "A conv layer has C_out·C_in·k² weights (plus C_out biases when bias=True)",
            )
        else:
            what = BiText(
                "一个保持尺寸的卷积层的乘加次数是 H·W·C_out·C_in·k²",
                "A size-preserving conv layer takes H·W·C_out·C_in·k² multiply-accumulates",
            )
        lines = self.solution(p)
        zh, en = lines.zh.splitlines(), lines.en.splitlines()
        return [
            BiText(
                "比较 (A) 直接用 k×k 卷积，和 (B) 先用 1×1 卷积把通道数降到 C_mid、再做 k×k 卷积；节省 = A − B。",
                "Compare (A) the k×k conv applied directly with (B) a 1×1 conv down to C_mid channels followed "
                "by the k×k conv; the saving is A − B. ",
            )
            + what
            + BiText("。", "."),
            BiText(zh[0], en[0]),
            BiText(
                f"A = {fmt(direct)}，B = {fmt(reduce)} + {fmt(conv)}；节省 = A − B = ?",
                f"A = {fmt(direct)}, B = {fmt(reduce)} + {fmt(conv)}; saved = A − B = ?",
            ),
        ]
