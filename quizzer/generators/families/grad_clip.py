"""Gradients after torch.nn.utils.clip_grad_norm_ (global norm) or clip_grad_value_ (element-wise)."""

from __future__ import annotations

import math
import random
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from quizzer.generators.base import AnswerSpec, Family, Misconception, Params, fmt, fmt_list, given
from quizzer.generators.registry import register
from quizzer.text import BiText

Grad = Annotated[float, Field(ge=-1000, le=1000)]
EPS = 1e-6  # clip_grad_norm_ divides by total_norm + 1e-6


class GradClipParams(Params):
    method: Literal["norm", "value"] = Field(
        default="norm",
        description="norm: clip_grad_norm_ (global norm); value: clip_grad_value_ (element-wise)",
        json_schema_extra={"zh": "norm：clip_grad_norm_（全局范数）；value：clip_grad_value_（逐元素）"},
    )
    weight_grad: list[Grad] = Field(
        min_length=1,
        max_length=8,
        description="the weight's gradient entries, comma-separated",
        json_schema_extra={"zh": "权重梯度的各分量，逗号分隔"},
    )
    bias_grad: list[Grad] = Field(
        default_factory=list,
        max_length=4,
        description="the bias's gradient entries, comma-separated (may be left out)",
        json_schema_extra={"zh": "偏置梯度的各分量，逗号分隔（可省略）"},
    )
    # None where the argument does not belong to the chosen function, so dumps re-validate unchanged.
    max_norm: float | None = Field(
        default=None,
        gt=0,
        le=1000,
        description="clip_grad_norm_'s max_norm; only with method=norm",
        json_schema_extra={"zh": "clip_grad_norm_ 的 max_norm；仅用于 method=norm"},
    )
    norm_type: float | None = Field(
        default=None,
        description="clip_grad_norm_'s norm: 1 or 2 (default 2); only with method=norm",
        json_schema_extra={"zh": "clip_grad_norm_ 的范数类型：1 或 2（默认 2）；仅用于 method=norm"},
    )
    clip_value: float | None = Field(
        default=None,
        gt=0,
        le=1000,
        description="clip_grad_value_'s bound: entries are clamped to [−c, c]; only with method=value",
        json_schema_extra={"zh": "clip_grad_value_ 的界：各分量截断到 [−c, c]；仅用于 method=value"},
    )

    @model_validator(mode="before")
    @classmethod
    def _torch_default_norm_type(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("method", "norm") == "norm" and data.get("norm_type") is None:
            data = {**data, "norm_type": 2.0}  # clip_grad_norm_'s default
        return data

    @model_validator(mode="after")
    def _well_posed(self) -> GradClipParams:
        if self.method == "norm":
            if self.max_norm is None:
                raise ValueError("method=norm (clip_grad_norm_) needs max_norm")
            if self.clip_value is not None:
                raise ValueError("clip_value belongs to method=value (clip_grad_value_), not method=norm")
            if self.norm_type not in (1.0, 2.0):
                raise ValueError("norm_type must be 1 or 2")
        else:
            if self.clip_value is None:
                raise ValueError("method=value (clip_grad_value_) needs clip_value")
            if self.max_norm is not None or self.norm_type is not None:
                raise ValueError("max_norm and norm_type belong to method=norm (clip_grad_norm_), not method=value")
        return self


def _norm(xs: list[float], norm_type: float) -> float:
    return sum(abs(x) for x in xs) if norm_type == 1 else math.sqrt(sum(x * x for x in xs))


def _norm_args(p: GradClipParams) -> tuple[float, float]:
    """(max_norm, norm_type) of a method=norm instance: the validator requires the one and defaults the other."""
    return given(p.max_norm), given(p.norm_type)


def _coef(total: float, max_norm: float) -> float:
    return min(1.0, max_norm / (total + EPS))


def _scaled(xs: list[float], c: float) -> list[float]:
    return [x * c for x in xs]


def _clamp(xs: list[float], c: float) -> list[float]:
    return [min(max(x, -c), c) for x in xs]


@register
class GradClip(Family[GradClipParams]):
    name = "grad-clip"
    topic = "gradients"
    title = BiText("梯度裁剪（按范数 / 按值）", "Gradient clipping (by norm / by value)")
    answer_spec = AnswerSpec(kind="vector", rel_tol=1e-3, abs_tol=5e-4)
    params_model = GradClipParams

    def sample(self, rng: random.Random, difficulty: int) -> GradClipParams:
        method = "norm" if rng.random() < 0.7 else "value"
        norm_type = 2.0
        if difficulty == 1:
            friendly: list[list[float]] = [[3, 4], [6, 8], [1, 2, 2], [2, 4, 4], [5, 12], [-3, 4], [0.5, -2, 3]]
            weight = [float(v) for v in rng.choice(friendly)]
            bias: list[float] = []
            limit = float(rng.choice([1, 2, 5])) if method == "norm" else float(rng.choice([1, 2]))
        elif difficulty == 2:
            weight = [rng.randint(-50, 50) / 10 for _ in range(rng.randint(2, 4))]
            bias = [rng.randint(-50, 50) / 10 for _ in range(rng.randint(1, 2))]
            limit = rng.choice([0.5, 1.0, 2.0, 5.0]) if method == "norm" else rng.choice([0.5, 1.0, 2.0])
        else:
            weight = [rng.randint(-300, 300) / 100 for _ in range(rng.randint(2, 5))]
            bias = [rng.randint(-300, 300) / 100 for _ in range(rng.randint(0, 2))]
            limit = rng.choice([0.25, 0.5, 1.0, 1.5, 3.0, 8.0])  # the large ones sometimes leave the gradient alone
            norm_type = rng.choice([2.0, 2.0, 1.0])
        if method == "norm":
            return GradClipParams(
                method="norm", weight_grad=weight, bias_grad=bias, max_norm=limit, norm_type=norm_type
            )
        return GradClipParams(method="value", weight_grad=weight, bias_grad=bias, clip_value=limit)

    def total_norm(self, p: GradClipParams) -> float:
        return _norm(p.weight_grad + p.bias_grad, p.norm_type or 2.0)

    def solve(self, p: GradClipParams) -> list[float]:
        grads = p.weight_grad + p.bias_grad
        if p.method == "value":
            return _clamp(grads, given(p.clip_value))
        return _scaled(grads, _coef(self.total_norm(p), _norm_args(p)[0]))

    def verify(self, p: GradClipParams) -> list[float]:
        import torch

        params = []
        for g in (p.weight_grad, p.bias_grad):
            if g:
                param = torch.nn.Parameter(torch.zeros(len(g), dtype=torch.float64))
                param.grad = torch.tensor(g, dtype=torch.float64)
                params.append(param)
        if p.method == "norm":
            max_norm, norm_type = _norm_args(p)
            torch.nn.utils.clip_grad_norm_(params, max_norm=max_norm, norm_type=norm_type)
        else:
            torch.nn.utils.clip_grad_value_(params, clip_value=given(p.clip_value))
        return [float(v) for param in params if param.grad is not None for v in param.grad]

    def _grads(self, p: GradClipParams) -> BiText:
        if p.bias_grad:
            return BiText(
                f"weight.grad = {fmt_list(p.weight_grad)}，bias.grad = {fmt_list(p.bias_grad)}",
                f"weight.grad = {fmt_list(p.weight_grad)} and bias.grad = {fmt_list(p.bias_grad)}",
            )
        return BiText(f"weight.grad = {fmt_list(p.weight_grad)}", f"weight.grad = {fmt_list(p.weight_grad)}")

    def prompt(self, p: GradClipParams) -> BiText:
        names = "[weight, bias]" if p.bias_grad else "[weight]"
        if p.method == "norm":
            max_norm, norm_type = _norm_args(p)
            call = f"torch.nn.utils.clip_grad_norm_({names}, max_norm={fmt(max_norm)}, norm_type={fmt(norm_type)})"
        else:
            call = f"torch.nn.utils.clip_grad_value_({names}, clip_value={fmt(given(p.clip_value))})"
        order_zh = "（按 weight、bias 的顺序拼成一个列表）" if p.bias_grad else ""
        order_en = " (weight then bias, as one list)" if p.bias_grad else ""
        return (
            BiText("反向传播后，", "After backward, ")
            + self._grads(p)
            + BiText(
                f"。调用 {call} 之后，梯度变成什么？给出裁剪后的梯度{order_zh}。",
                f". What are the gradients after calling {call}? Give the clipped gradients{order_en}.",
            )
        )

    def solution(self, p: GradClipParams) -> BiText:
        grads, ans = p.weight_grad + p.bias_grad, self.solve(p)
        if p.method == "value":
            limit = fmt(given(p.clip_value))
            line = f"g ← clamp(g, −{limit}, {limit}) = {fmt_list(ans)}"
            return BiText(
                f"clip_grad_value_ 把每个元素独立截断到 [−{limit}, {limit}]，不改变其余元素：\n  {line}",
                f"clip_grad_value_ clamps every element independently to [−{limit}, {limit}], leaving the rest as they are:\n  {line}",
            )
        max_norm, norm_type = _norm_args(p)
        total, c = self.total_norm(p), _coef(self.total_norm(p), max_norm)
        if norm_type == 1:
            norm_line = f"‖g‖₁ = Σ|g_i| = {' + '.join(fmt(abs(g)) for g in grads)} = {fmt(total)}"
        else:
            norm_line = f"‖g‖₂ = √(Σ g_i²) = √({' + '.join(fmt(g * g) for g in grads)}) = {fmt(total)}"
        coef_line = (
            f"clip_coef = min(1, max_norm / (‖g‖ + 1e-6)) = min(1, {fmt(max_norm)} / {fmt(total + EPS, 9)}) = {fmt(c)}"
        )
        lines = [norm_line, coef_line, f"g ← g × {fmt(c)} = {fmt_list(ans)}"]
        body = "\n  ".join(lines)
        scope_zh = "所有参数的梯度拼在一起算一个总范数，" if p.bias_grad else ""
        scope_en = "one total norm over all parameters' gradients together; " if p.bias_grad else ""
        return BiText(
            f"clip_grad_norm_：{scope_zh}超过 max_norm 时整体等比例缩放（方向不变）：\n  {body}",
            f"clip_grad_norm_: {scope_en}if it exceeds max_norm, every gradient is scaled by the same factor "
            f"(direction kept):\n  {body}",
        )

    def misconceptions(self, p: GradClipParams) -> list[Misconception]:
        grads = p.weight_grad + p.bias_grad
        ms: list[Misconception] = []
        if p.method == "norm":
            max_norm, norm_type = _norm_args(p)
            ms.append(
                Misconception(
                    "value-clipped-instead",
                    _clamp(grads, max_norm),
                    BiText(
                        "把每个元素截断到 ±max_norm 是按值裁剪（clip_grad_value_）；按范数裁剪是整体乘同一个系数，方向不变。",
                        "Clamping each element to ±max_norm is value clipping (clip_grad_value_); norm clipping multiplies the "
                        "whole gradient by one factor and keeps its direction.",
                    ),
                )
            )
            other = 1.0 if norm_type == 2 else 2.0
            ms.append(
                Misconception(
                    f"used-l{int(other)}-norm",
                    _scaled(grads, _coef(_norm(grads, other), max_norm)),
                    BiText(
                        f"用了 L{int(other)} 范数；norm_type={fmt(norm_type)} 要求 L{fmt(norm_type)} 范数。",
                        f"You used the L{int(other)} norm; norm_type={fmt(norm_type)} means the L{fmt(norm_type)} norm.",
                    ),
                )
            )
            if p.bias_grad:
                per = [
                    x for g in (p.weight_grad, p.bias_grad) for x in _scaled(g, _coef(_norm(g, norm_type), max_norm))
                ]
                ms.append(
                    Misconception(
                        "per-tensor-norm",
                        per,
                        BiText(
                            "对每个张量分别按自己的范数裁剪了；clip_grad_norm_ 用的是所有参数拼在一起的总范数。",
                            "You clipped each tensor by its own norm; clip_grad_norm_ uses one total norm over all parameters.",
                        ),
                    )
                )
            total = self.total_norm(p)
            if 0 < total < max_norm:
                ms.append(
                    Misconception(
                        "always-rescaled",
                        _scaled(grads, max_norm / total),
                        BiText(
                            f"总范数 {fmt(total)} 未超过 max_norm，梯度不变；裁剪只缩小、不放大。",
                            f"The total norm {fmt(total)} is within max_norm, so nothing changes; clipping only shrinks, never enlarges.",
                        ),
                    )
                )
        else:
            c = given(p.clip_value)
            ms.append(
                Misconception(
                    "norm-clipped-instead",
                    _scaled(grads, _coef(_norm(grads, 2), c)),
                    BiText(
                        "按范数整体缩放是 clip_grad_norm_；clip_grad_value_ 逐元素截断到 [−clip_value, clip_value]。",
                        "Scaling by the norm is clip_grad_norm_; clip_grad_value_ clamps each element to [−clip_value, clip_value].",
                    ),
                )
            )
            ms.append(
                Misconception(
                    "clipped-one-side",
                    [min(x, c) for x in grads],
                    BiText(
                        "只截断了上界；下界 −clip_value 同样生效。",
                        "You clipped only from above; the lower bound −clip_value applies too.",
                    ),
                )
            )
            ms.append(
                Misconception(
                    "set-to-threshold",
                    [math.copysign(c, x) for x in grads],
                    BiText(
                        "不是把所有元素都设为 ±clip_value：只有超出范围的元素被截断，其余不变。",
                        "Not every element becomes ±clip_value: only those outside the range are clamped, the rest stay.",
                    ),
                )
            )
        return ms

    def hints(self, p: GradClipParams) -> list[BiText]:
        grads = p.weight_grad + p.bias_grad
        if p.method == "value":
            limit = fmt(given(p.clip_value))
            return [
                BiText(
                    "clip_grad_value_ 把每个元素各自截断到 [−clip_value, clip_value]，区间内的元素不变。",
                    "clip_grad_value_ clamps every element on its own to [−clip_value, clip_value]; elements "
                    "inside the interval stay as they are.",
                ),
                BiText(
                    f"逐个比较每个元素的绝对值和 {limit}：超出的变成 ±{limit}，其余原样保留。",
                    f"Compare each element's magnitude with {limit}: those beyond it become ±{limit}, the others stay.",
                ),
            ]
        max_norm, norm_type = _norm_args(p)
        total = self.total_norm(p)
        if norm_type == 1:
            norm = f"‖g‖₁ = {' + '.join(f'|{fmt(g)}|' for g in grads)} = {fmt(total)}"
        else:
            norm = f"‖g‖₂ = √({' + '.join(f'{fmt(g)}²' if g >= 0 else f'({fmt(g)})²' for g in grads)}) = {fmt(total)}"
        coef = f"clip_coef = min(1, {fmt(max_norm)} / {fmt(total + EPS, 9)}) = {fmt(_coef(total, max_norm))}"
        return [
            BiText(
                "clip_grad_norm_ 把所有参数的梯度拼在一起算一个总范数；超过 max_norm 时，每个元素都乘以 "
                "max_norm/(范数 + 1e-6)，方向不变；否则不变。",
                "clip_grad_norm_ takes one total norm over all the parameters' gradients together; if it exceeds "
                "max_norm, every element is multiplied by max_norm/(norm + 1e-6), keeping the direction; "
                "otherwise nothing changes.",
            ),
            BiText(norm, norm),
            BiText(f"{coef}；每个梯度都乘以这个系数。", f"{coef}; multiply every gradient by it."),
        ]
