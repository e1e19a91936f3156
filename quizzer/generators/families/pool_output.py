"""Output size of MaxPool / AvgPool (1-D or 2-D), including torch's ceil_mode rule."""

from __future__ import annotations

import functools
import math
import random
from typing import Any, Literal

from pydantic import Field, model_validator

from quizzer.generators.base import AnswerSpec, Family, Misconception, Params
from quizzer.generators.registry import register
from quizzer.text import BiText


class PoolOutputParams(Params):
    input_size: int = Field(
        ge=1,
        le=1024,
        description="input length (height = width) in pixels",
        json_schema_extra={"zh": "输入尺寸（高 = 宽，像素）"},
    )
    kernel_size: int = Field(
        ge=1, le=16, description="pooling window size k", json_schema_extra={"zh": "池化窗口大小 k"}
    )
    stride: int | None = Field(
        default=None,
        ge=1,
        le=16,
        description="stride s (unset: torch's default, kernel_size)",
        json_schema_extra={"zh": "步幅 s（不设则为 torch 默认值 kernel_size）"},
    )  # None = torch's default, kernel_size
    padding: int = Field(
        default=0,
        ge=0,
        le=8,
        description="implicit padding on each side, at most k // 2",
        json_schema_extra={"zh": "每边的隐式填充，至多 k // 2"},
    )
    dilation: int = Field(
        default=1,
        ge=1,
        le=8,
        description="dilation d between window elements (max pooling only)",
        json_schema_extra={"zh": "窗口元素之间的膨胀率 d（仅最大池化）"},
    )
    ceil_mode: bool = Field(
        default=False,
        description="round the output size up instead of down",
        json_schema_extra={"zh": "输出尺寸向上取整而非向下取整"},
    )
    dims: int = Field(
        default=2,
        ge=1,
        le=2,
        description="1 for Pool1d, 2 for Pool2d",
        json_schema_extra={"zh": "1 表示 1d 池化，2 表示 2d 池化"},
    )  # int, not Literal[1, 2]: the CLI passes "1" as a string
    kind: Literal["max", "avg"] = Field(
        default="max", description="max or average pooling", json_schema_extra={"zh": "最大池化或平均池化"}
    )

    @model_validator(mode="after")
    def _well_posed(self) -> PoolOutputParams:
        if self.padding > self.kernel_size // 2:
            raise ValueError(
                f"padding ({self.padding}) must be at most kernel_size // 2 = {self.kernel_size // 2} (torch's rule)"
            )
        if self.kind == "avg" and self.dilation != 1:
            raise ValueError("average pooling has no dilation in torch; use kind=max or dilation=1")
        span = self.dilation * (self.kernel_size - 1) + 1
        if span > self.input_size + 2 * self.padding:
            raise ValueError(
                f"the pooling window spans {span}, more than the padded input ({self.input_size} + 2·{self.padding})"
            )
        return self

    @property
    def s(self) -> int:
        return self.kernel_size if self.stride is None else self.stride


def raw_size(p: PoolOutputParams, *, ceil: bool, stride: int | None = None) -> int:
    """⌊ or ⌈(n + 2p − d(k−1) − 1)/s⌉ + 1, before torch's last-window correction."""
    s = p.s if stride is None else stride
    num = p.input_size + 2 * p.padding - p.dilation * (p.kernel_size - 1) - 1
    return (math.ceil(num / s) if ceil else num // s) + 1


def pool_size(p: PoolOutputParams, *, stride: int | None = None) -> int:
    s = p.s if stride is None else stride
    out = raw_size(p, ceil=p.ceil_mode, stride=s)
    # torch: with ceil_mode the last window must start inside the input or the left padding
    if p.ceil_mode and (out - 1) * s >= p.input_size + p.padding:
        out -= 1
    return out


def last_window_drops(p: PoolOutputParams) -> bool:
    return p.ceil_mode and raw_size(p, ceil=True) != pool_size(p)


@functools.lru_cache(maxsize=8)
def _geometries(target: str, d: int) -> tuple[tuple[int, int, int | None, int], ...]:
    """Difficulty-3 (input_size, kernel_size, stride, padding) with dilation ``d`` and ceil_mode=True that hit ``target``.

    "drop": PyTorch drops the last window; "ceil": rounding up changes the size; "any": no condition. Strides stay
    at most the kernel size (None is torch's default, the kernel size), as pooling layers are built in practice.
    """
    out = []
    for k in (2, 3, 4, 5):
        for stride in (None, 2, 3, 4):
            if stride is not None and stride > k:
                continue
            for pad in range(k // 2 + 1):
                for n in range(3, 41):
                    if d * (k - 1) + 1 > n + 2 * pad:
                        continue
                    p = PoolOutputParams.model_construct(
                        input_size=n, kernel_size=k, stride=stride, padding=pad, dilation=d, ceil_mode=True
                    )
                    hit = {"drop": last_window_drops(p), "ceil": raw_size(p, ceil=False) != pool_size(p), "any": True}[
                        target
                    ]
                    if hit:
                        out.append((n, k, stride, pad))
    return tuple(out)


@register
class PoolOutput(Family[PoolOutputParams]):
    name = "pool-output"
    topic = "pooling"
    title = BiText("池化层输出尺寸", "Pooling output size")
    answer_spec = AnswerSpec(kind="int")
    params_model = PoolOutputParams

    def sample(self, rng: random.Random, difficulty: int) -> PoolOutputParams:
        kind: Literal["max", "avg"] = rng.choice(["max", "avg"])
        values: dict[str, Any]
        if difficulty == 1:
            k = rng.choice([2, 3])
            values = dict(
                input_size=rng.randint(7, 64), kernel_size=k, stride=rng.choice([None, None, 1, 2]), kind=kind
            )
        elif difficulty == 2:
            k = rng.choice([2, 3, 4, 5])
            values = dict(
                input_size=rng.randint(7, 113),
                kernel_size=k,
                stride=rng.choice([None, 1, 2, 3]),
                padding=rng.randint(0, k // 2),
                ceil_mode=rng.random() < 0.4,
                dims=rng.choice([1, 2]),
                kind=kind,
            )
        else:
            # Difficulty 3 is about ceil_mode: aim for the last-window rule, or at least a rounding that matters. The
            # geometry is picked from the list of those that hit the aim, so no draw is wasted and nothing loops.
            target = rng.choice(["drop", "ceil", "any"])
            # A dilated window spans 2k − 1 > stride + padding, so it never drops its last window: dilate the others.
            d = rng.choice([1, 1, 2]) if kind == "max" and target != "drop" else 1
            n, k, stride, pad = rng.choice(_geometries(target, d))
            values = dict(
                input_size=n,
                kernel_size=k,
                stride=stride,
                padding=pad,
                dilation=d,
                dims=rng.choice([1, 2]),
                ceil_mode=target != "any" or rng.random() < 0.5,
                kind=kind,
            )
        # Ill-posed draws (a window wider than the padded input) fail validation and the registry draws again.
        return PoolOutputParams(**values)

    def solve(self, p: PoolOutputParams) -> int:
        return pool_size(p)

    def verify(self, p: PoolOutputParams) -> int:
        import torch
        from torch import nn

        kwargs: dict[str, Any] = dict(stride=p.stride, padding=p.padding, ceil_mode=p.ceil_mode)
        layer: nn.Module
        if p.kind == "max":
            layer = (nn.MaxPool1d if p.dims == 1 else nn.MaxPool2d)(p.kernel_size, dilation=p.dilation, **kwargs)
        else:
            layer = (nn.AvgPool1d if p.dims == 1 else nn.AvgPool2d)(p.kernel_size, **kwargs)
        x = torch.zeros((1, 1) + (p.input_size,) * p.dims)
        with torch.no_grad():
            return int(layer(x).shape[-1])

    def _code(self, p: PoolOutputParams) -> str:
        cls = f"{'MaxPool' if p.kind == 'max' else 'AvgPool'}{p.dims}d"
        args = [f"kernel_size={p.kernel_size}"]
        args += [f"stride={p.stride}"] * (p.stride is not None) + [f"padding={p.padding}"] * (p.padding != 0)
        args += [f"dilation={p.dilation}"] * (p.dilation != 1) + ["ceil_mode=True"] * p.ceil_mode
        return f"nn.{cls}({', '.join(args)})"

    def prompt(self, p: PoolOutputParams) -> BiText:
        n = p.input_size
        size_zh = f"长度为 {n} 的一维输入" if p.dims == 1 else f"{n}×{n} 的输入"
        size_en = f"a 1-D input of length {n}" if p.dims == 1 else f"an input of size {n}×{n}"
        note_zh = "（未写出的参数取 PyTorch 默认值）"
        note_en = " (arguments not shown take PyTorch's defaults)"
        return BiText(
            f"对{size_zh}使用 {self._code(p)}{note_zh}。输出的空间尺寸（每边长度）是多少？",
            f"{self._code(p)} is applied to {size_en}{note_en}. What is the output's spatial size (length of each side)?",
        )

    def solution(self, p: PoolOutputParams) -> BiText:
        n, k, s, pad, d = p.input_size, p.kernel_size, p.s, p.padding, p.dilation
        num = n + 2 * pad - d * (k - 1) - 1
        zh, en = [], []
        if p.stride is None:
            zh.append(f"stride 未给出，默认等于 kernel_size = {k}。")
            en.append(f"stride is not given, so it defaults to kernel_size = {k}.")
        br = ("⌈", "⌉") if p.ceil_mode else ("⌊", "⌋")
        raw = raw_size(p, ceil=p.ceil_mode)
        zh.append(
            f"out = {br[0]}(n + 2p − d·(k − 1) − 1) / s{br[1]} + 1"
            + ("（ceil_mode=True：向上取整）" if p.ceil_mode else "（向下取整）")
        )
        en.append(
            f"out = {br[0]}(n + 2p − d·(k − 1) − 1) / s{br[1]} + 1"
            + (" (ceil_mode=True: round up)" if p.ceil_mode else " (round down)")
        )
        line = (
            f"  = {br[0]}({n} + 2·{pad} − {d}·({k} − 1) − 1) / {s}{br[1]} + 1 = {br[0]}{num} / {s}{br[1]} + 1 = {raw}"
        )
        zh.append(line)
        en.append(line)
        if p.ceil_mode:
            start = (raw - 1) * s
            if last_window_drops(p):
                zh.append(
                    f"检查最后一个窗口的起点：(out − 1)·s = {raw - 1}·{s} = {start} ≥ n + p = {n + pad}，"
                    f"它完全落在右侧 padding 里，PyTorch 丢弃它：out = {raw} − 1 = {raw - 1}"
                )
                en.append(
                    f"Check where the last window starts: (out − 1)·s = {raw - 1}·{s} = {start} ≥ n + p = {n + pad}, "
                    f"so it lies entirely in the right padding and PyTorch drops it: out = {raw} − 1 = {raw - 1}"
                )
            else:
                zh.append(
                    f"检查最后一个窗口的起点：(out − 1)·s = {start} < n + p = {n + pad}，它从输入内部开始，保留。"
                )
                en.append(
                    f"Check where the last window starts: (out − 1)·s = {start} < n + p = {n + pad}, inside the input, so it stays."
                )
        zh.append(f"输出尺寸：{pool_size(p)}")
        en.append(f"Output size: {pool_size(p)}")
        return BiText("\n".join(zh), "\n".join(en))

    def misconceptions(self, p: PoolOutputParams) -> list[Misconception]:
        out = []
        if p.ceil_mode:
            out.append(
                Misconception(
                    "floor-instead-of-ceil",
                    raw_size(p, ceil=False),
                    BiText(
                        "ceil_mode=True 时要向上取整（保留不完整的最后窗口），你向下取整了。",
                        "With ceil_mode=True round up (the partial last window is kept); you rounded down.",
                    ),
                )
            )
            out.append(
                Misconception(
                    "forgot-last-window-rule",
                    raw_size(p, ceil=True),
                    BiText(
                        "向上取整后还要检查：最后一个窗口必须从输入（或左侧 padding）内开始，否则 PyTorch 去掉它。",
                        "After rounding up, check that the last window starts inside the input (or the left padding); "
                        "if it starts in the right padding PyTorch drops it.",
                    ),
                )
            )
        else:
            out.append(
                Misconception(
                    "ceil-instead-of-floor",
                    raw_size(p, ceil=True),
                    BiText(
                        "默认 ceil_mode=False：除不尽时向下取整，不完整的窗口被丢弃。",
                        "The default is ceil_mode=False: round down and drop the incomplete window.",
                    ),
                )
            )
        if p.stride is None:
            out.append(
                Misconception(
                    "stride-defaulted-to-1",
                    pool_size(p, stride=1),
                    BiText(
                        f"池化层的 stride 默认等于 kernel_size（= {p.kernel_size}），不是卷积那样的 1。",
                        f"A pooling layer's stride defaults to kernel_size (= {p.kernel_size}), not 1 as for convolutions.",
                    ),
                )
            )
        if p.padding:
            num = p.input_size + p.padding - p.dilation * (p.kernel_size - 1) - 1
            if num >= 0:
                out.append(
                    Misconception(
                        "padding-one-side",
                        (math.ceil(num / p.s) if p.ceil_mode else num // p.s) + 1,
                        BiText("padding 加在两侧，公式里是 2p。", "Padding goes on both sides, so the formula has 2p."),
                    )
                )
        if p.dilation != 1:
            num = p.input_size + 2 * p.padding - p.kernel_size
            out.append(
                Misconception(
                    "ignored-dilation",
                    (math.ceil(num / p.s) if p.ceil_mode else num // p.s) + 1,
                    BiText(
                        "忽略了 dilation：膨胀后的窗口跨度是 d·(k−1)+1。",
                        "You ignored the dilation: a dilated window spans d·(k−1)+1.",
                    ),
                )
            )
        out.append(
            Misconception(
                "divided-by-stride",
                p.input_size // p.s,
                BiText(
                    "“除以 stride”只是粗略的经验：窗口必须放得下，要用 ⌊(n + 2p − d(k−1) − 1)/s⌋ + 1。",
                    "'Divide by the stride' is only a rule of thumb: the window has to fit, so use ⌊(n + 2p − d(k−1) − 1)/s⌋ + 1.",
                ),
            )
        )
        out.append(
            Misconception(
                "forgot-plus-one",
                raw_size(p, ceil=p.ceil_mode)
                - 1,  # the formula without its +1 (then the last-window check has no role)
                BiText(
                    "漏了最后的 +1：第一个窗口本身就算一个输出位置。",
                    "You dropped the final +1: the first window is itself one output.",
                ),
            )
        )
        return out

    def hints(self, p: PoolOutputParams) -> list[BiText]:
        n, k, s, pad, d = p.input_size, p.kernel_size, p.s, p.padding, p.dilation
        br = ("⌈", "⌉") if p.ceil_mode else ("⌊", "⌋")
        subst = f"out = {br[0]}({n} + 2·{pad} − {d}·({k} − 1) − 1) / {s}{br[1]} + 1"
        default = BiText(
            f"stride 未给出，等于 kernel_size = {k}；", f"stride is not given, so it is kernel_size = {k}; "
        )
        out = [
            BiText(
                "池化和卷积用同一个尺寸公式 ⌊(n + 2p − d·(k − 1) − 1)/s⌋ + 1，但池化的 stride 默认等于 "
                "kernel_size；"
                "ceil_mode=True 时向上取整，而起点落在右侧 padding 里的最后一个窗口会被丢弃。",
                "Pooling uses the convolution's size formula ⌊(n + 2p − d·(k − 1) − 1)/s⌋ + 1, but its stride "
                "defaults to kernel_size; ceil_mode=True rounds up, and a last window that would start inside "
                "the right padding is dropped.",
            ),
            (default if p.stride is None else BiText("", "")) + BiText(subst, subst),
        ]
        if p.ceil_mode:
            num = n + 2 * pad - d * (k - 1) - 1
            out.append(
                BiText(
                    f"out = ⌈{num} / {s}⌉ + 1；再检查最后一个窗口的起点 (out − 1)·{s} 是否 ≥ n + p "
                    f"= {n + pad}"
                    "（是则丢弃这个窗口）。",
                    f"out = ⌈{num} / {s}⌉ + 1; then check whether the last window's start (out − 1)·{s} is "
                    f"≥ n + p = {n + pad} (if so, that window is dropped).",
                )
            )
        return out
