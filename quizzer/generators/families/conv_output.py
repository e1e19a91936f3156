"""Output size of a convolution or transposed convolution (torch's Conv*d / ConvTranspose*d)."""

from __future__ import annotations

import math
import random
import warnings
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from quizzer.generators.base import AnswerSpec, Family, Misconception, Params
from quizzer.generators.registry import register
from quizzer.text import BiText

# An integer per side, or torch's string paddings; the int's bounds sit in the type so that pydantic enforces (and
# `quizzer families` shows) them.
Padding = Annotated[int, Field(ge=0, le=64)] | Literal["same", "valid"]


class ConvOutputParams(Params):
    input_size: int = Field(
        ge=1,
        le=4096,
        description="input size along every spatial side (length, or height = width, or depth = height = width)",
        json_schema_extra={"zh": "输入每个空间维度的尺寸（长度，或高 = 宽，或深 = 高 = 宽）"},
    )
    kernel_size: int = Field(ge=1, le=64, description="kernel size k", json_schema_extra={"zh": "卷积核大小 k"})
    stride: int = Field(default=1, ge=1, le=16, description="stride s", json_schema_extra={"zh": "步幅 s"})
    padding: Padding = Field(
        default=0,
        description="zero padding p on each side, or torch's 'same' (output = input; stride 1, not transposed) / 'valid' (p = 0)",
        json_schema_extra={"zh": "每边补零 p，或 torch 的 'same'（输出 = 输入；仅步幅 1、非转置）/ 'valid'（p = 0）"},
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
        le=3,
        description="1, 2 or 3 for Conv1d, Conv2d or Conv3d",
        json_schema_extra={"zh": "1、2、3 分别表示 Conv1d、Conv2d、Conv3d"},
    )

    @model_validator(mode="after")
    def _well_posed(self) -> ConvOutputParams:
        if isinstance(self.padding, str):
            if self.transposed:
                raise ValueError(
                    f"padding='{self.padding}' is for Conv{self.dims}d only: torch's ConvTranspose{self.dims}d takes "
                    "integer padding"
                )
            if self.padding == "same" and self.stride != 1:
                raise ValueError(
                    "padding='same' requires stride=1: torch refuses it for strided convolutions "
                    "('padding='same' is not supported for strided convolutions'); give an integer padding instead"
                )
        span = self.dilation * (self.kernel_size - 1) + 1
        if self.transposed:
            if self.output_padding >= max(self.stride, self.dilation):
                raise ValueError("output_padding must be smaller than stride or dilation (torch's rule)")
            if conv_transpose_size(self) < 1:
                raise ValueError("the transposed convolution would produce an empty output")
        else:
            if self.output_padding:
                raise ValueError("output_padding only applies to a transposed convolution")
            if self.padding != "same" and span > self.input_size + 2 * pad_per_side(self):
                raise ValueError(
                    f"the dilated kernel spans {span} pixels, more than the padded input "
                    f"({self.input_size} + 2·{pad_per_side(self)})"
                )
        return self


def pad_per_side(p: ConvOutputParams) -> int:
    """The integer padding; 'valid' is 0. Not meant for 'same', whose two sides may differ (see ``same_pads``)."""
    return 0 if isinstance(p.padding, str) else p.padding


def same_pads(p: ConvOutputParams) -> tuple[int, int]:
    """torch's 'same' padding: d·(k − 1) zeros in all, the smaller half on the left (torch's _conv_forward)."""
    total = p.dilation * (p.kernel_size - 1)
    return total // 2, total - total // 2


def conv_size(p: ConvOutputParams) -> int:
    if p.padding == "same":
        return p.input_size  # stride 1 and d·(k − 1) zeros in all: n + d(k − 1) − d(k − 1) − 1 + 1
    pad = pad_per_side(p)
    return (p.input_size + 2 * pad - p.dilation * (p.kernel_size - 1) - 1) // p.stride + 1


def conv_transpose_size(p: ConvOutputParams) -> int:
    pad = pad_per_side(p)
    return (p.input_size - 1) * p.stride - 2 * pad + p.dilation * (p.kernel_size - 1) + p.output_padding + 1


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
            if rng.random() < 0.25:  # torch's string paddings: 'same' needs stride 1
                values.update(padding=rng.choice(["same", "valid"]), kernel_size=rng.choice([2, 3, 4, 5, 7]))
                if values["padding"] == "same":
                    values.update(stride=1, dilation=rng.choice([1, 1, 2, 3]))
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
                dims=rng.choice([1, 2, 3]),
            )
        # Ill-posed params (see the validators) fail validation and the registry draws again.
        return ConvOutputParams(**values)

    def solve(self, p: ConvOutputParams) -> int:
        return conv_transpose_size(p) if p.transposed else conv_size(p)

    def verify(self, p: ConvOutputParams) -> int:
        import torch
        from torch import nn

        convs: dict[int, type[nn.Module]] = {1: nn.Conv1d, 2: nn.Conv2d, 3: nn.Conv3d}
        transposes: dict[int, type[nn.Module]] = {1: nn.ConvTranspose1d, 2: nn.ConvTranspose2d, 3: nn.ConvTranspose3d}
        # Meta tensors carry shapes only, so a 4096³ Conv3d input costs nothing.
        x = torch.empty((1, 1) + (p.input_size,) * p.dims, device="meta")
        layer: nn.Module
        if p.transposed:
            layer = transposes[p.dims](
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
            layer = convs[p.dims](
                1, 1, p.kernel_size, stride=p.stride, padding=p.padding, dilation=p.dilation, device="meta"
            )
        with warnings.catch_warnings():
            # 'same' with an even span makes torch warn that it may copy a padded input: true, and harmless here.
            warnings.simplefilter("ignore", UserWarning)
            out = layer(x).shape[2:]
        if len(set(out)) != 1:
            raise RuntimeError(f"torch gave unequal sides {tuple(out)} for a cubic input")
        return int(out[0])

    def _padding(self, p: ConvOutputParams) -> str:
        return f"'{p.padding}'" if isinstance(p.padding, str) else str(p.padding)

    def prompt(self, p: ConvOutputParams) -> BiText:
        n, d = p.input_size, p.dims
        size_zh = {1: f"长度为 {n} 的一维输入", 2: f"{n}×{n} 的输入", 3: f"{n}×{n}×{n} 的三维输入"}[d]
        size_en = {1: f"a 1-D input of length {n}", 2: f"a {n}×{n} input", 3: f"a {n}×{n}×{n} 3-D input"}[d]
        extra_zh = f"，dilation={p.dilation}" if p.dilation != 1 else ""
        extra_en = f", dilation={p.dilation}" if p.dilation != 1 else ""
        pad = self._padding(p)
        if p.transposed:
            return BiText(
                f"对{size_zh}做转置卷积（ConvTranspose{d}d）：kernel_size={p.kernel_size}，stride={p.stride}，"
                f"padding={pad}，output_padding={p.output_padding}{extra_zh}。输出的空间尺寸（每边长度）是多少？",
                f"A transposed convolution (ConvTranspose{d}d) is applied to {size_en}: kernel_size={p.kernel_size}, "
                f"stride={p.stride}, padding={pad}, output_padding={p.output_padding}{extra_en}. "
                "What is the output's spatial size (length of each side)?",
            )
        return BiText(
            f"对{size_zh}做卷积（Conv{d}d）：kernel_size={p.kernel_size}，stride={p.stride}，padding={pad}{extra_zh}。"
            "输出的空间尺寸（每边长度）是多少？",
            f"A convolution (Conv{d}d) is applied to {size_en}: kernel_size={p.kernel_size}, stride={p.stride}, "
            f"padding={pad}{extra_en}. What is the output's spatial size (length of each side)?",
        )

    def solution(self, p: ConvOutputParams) -> BiText:
        n, k, s, pad, d = p.input_size, p.kernel_size, p.stride, pad_per_side(p), p.dilation
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
        if p.padding == "same":
            left, right = same_pads(p)
            total = left + right
            odd_zh = "（总数为奇数，右侧多补一个）" if total % 2 else ""
            odd_en = " (an odd total: the right side gets the extra one)" if total % 2 else ""
            step = f"out = ({n} + {left} + {right} − {d}·({k} − 1) − 1) / 1 + 1 = {n}"
            return BiText(
                f"padding='same'（torch 只在 stride=1 时允许）：两侧共补 d·(k − 1) = {d}·({k} − 1) = {total} 个零，"
                f"左 {left}、右 {right}{odd_zh}，使输出与输入等长：\n  {step}",
                f"padding='same' (torch allows it only with stride=1): d·(k − 1) = {d}·({k} − 1) = {total} zeros in "
                f"all, {left} on the left and {right} on the right{odd_en}, so the output is as long as the input:"
                f"\n  {step}",
            )
        numerator = n + 2 * pad - d * (k - 1) - 1
        out = conv_size(p)
        formula = "out = ⌊(n + 2p − d·(k − 1) − 1) / s⌋ + 1"
        subst = f"= ⌊({n} + 2·{pad} − {d}·({k} − 1) − 1) / {s}⌋ + 1"
        step = f"= ⌊{numerator} / {s}⌋ + 1 = {numerator // s} + 1 = {out}"
        note_zh = "（除不尽时向下取整：最后不完整的窗口被丢弃）" if numerator % s else ""
        note_en = " (floor: an incomplete last window is dropped)" if numerator % s else ""
        valid_zh = "padding='valid' 即不补零，p = 0。\n" if p.padding == "valid" else ""
        valid_en = "padding='valid' means no padding, p = 0.\n" if p.padding == "valid" else ""
        return BiText(
            f"{valid_zh}卷积：{formula}\n  {subst}\n  {step}{note_zh}",
            f"{valid_en}Convolution: {formula}\n  {subst}\n  {step}{note_en}",
        )

    def misconceptions(self, p: ConvOutputParams) -> list[Misconception]:
        n, k, s, pad, d = p.input_size, p.kernel_size, p.stride, pad_per_side(p), p.dilation
        if p.padding == "same":
            half = d * (k - 1) // 2
            return [
                Misconception(
                    "same-as-valid",
                    n - d * (k - 1),
                    BiText(
                        "这是 padding='valid'（不补零）的结果；'same' 会补零使输出与输入等长。",
                        "That is padding='valid' (no zeros); 'same' pads so that the output is as long as the input.",
                    ),
                ),
                Misconception(
                    "symmetric-half-padding",
                    n + 2 * half - d * (k - 1),
                    BiText(
                        f"你在两侧各补了 ⌊d(k − 1)/2⌋ = {half}；总数 d(k − 1) 为奇数时 torch 在右侧多补一个，输出仍等于输入。",
                        f"You padded ⌊d(k − 1)/2⌋ = {half} on each side; when the total d(k − 1) is odd torch adds the "
                        "extra zero on the right, and the output still equals the input.",
                    ),
                ),
                Misconception(
                    "same-ignored-dilation",
                    max(n + 2 * ((k - 1) // 2) - d * (k - 1), 0),  # 0: no window fits the input so padded
                    BiText(
                        "'same' 补的零数随 dilation 变化：共 d·(k − 1) 个，不是 k − 1。",
                        "'same' pads d·(k − 1) zeros in all, growing with the dilation, not k − 1.",
                    ),
                ),
            ]
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
            *(
                [
                    Misconception(
                        "valid-as-same",
                        n,
                        BiText(
                            "padding='valid' 是不补零（p = 0），不是保持尺寸；保持尺寸的是 'same'。",
                            "padding='valid' means no padding (p = 0), not size-preserving; that is 'same'.",
                        ),
                    )
                ]
                if p.padding == "valid"
                else []
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
        n, k, s, pad, d = p.input_size, p.kernel_size, p.stride, pad_per_side(p), p.dilation
        if p.padding == "same":
            return [
                BiText(
                    "padding='same' 让 torch 自己选补零数，使 stride=1 时输出与输入等长：共补 d·(k − 1) 个，"
                    "奇数时右侧多一个。",
                    "padding='same' has torch choose the zeros so that, with stride=1, the output is as long as the "
                    "input: d·(k − 1) in all, the extra one on the right when odd.",
                ),
                BiText(
                    f"共补 {d}·({k} − 1) = {d * (k - 1)} 个零；代入 out = n + 补零总数 − d·(k − 1)。",
                    f"{d}·({k} − 1) = {d * (k - 1)} zeros in all; substitute into out = n + zeros − d·(k − 1).",
                ),
            ]
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
