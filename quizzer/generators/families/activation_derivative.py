"""Derivative of one activation at a point: sigmoid, tanh, relu, leaky_relu, GELU (torch's exact erf form)."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any, Literal

from pydantic import Field, model_validator

from quizzer.generators.base import AnswerSpec, Family, Misconception, Params, fmt, fmt_factor, given
from quizzer.generators.registry import register
from quizzer.text import BiText

Activation = Literal["sigmoid", "tanh", "relu", "leaky_relu", "gelu"]

_MODULE = {"sigmoid": "nn.Sigmoid()", "tanh": "nn.Tanh()", "relu": "nn.ReLU()", "gelu": "nn.GELU()"}


class ActivationDerivativeParams(Params):
    activation: Activation = Field(
        description="the activation whose derivative is asked (gelu: torch's exact erf form)",
        json_schema_extra={"zh": "求导的激活函数（gelu 为 torch 的精确 erf 形式）"},
    )
    x: float = Field(
        ge=-20, le=20, description="the point at which the derivative is taken", json_schema_extra={"zh": "求导数的点"}
    )
    # Only meaningful for leaky_relu; None elsewhere so a dumped instance re-validates unchanged.
    negative_slope: float | None = Field(
        default=None,
        gt=0,
        lt=1,
        description="leaky_relu's slope for x < 0 (torch's default 0.01); only with activation=leaky_relu",
        json_schema_extra={"zh": "leaky_relu 在 x < 0 处的斜率（torch 默认 0.01）；仅用于 activation=leaky_relu"},
    )

    @model_validator(mode="before")
    @classmethod
    def _torch_default_slope(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("activation") == "leaky_relu" and data.get("negative_slope") is None:
            data = {**data, "negative_slope": 0.01}  # nn.LeakyReLU's default
        return data

    @model_validator(mode="after")
    def _well_posed(self) -> ActivationDerivativeParams:
        if self.activation != "leaky_relu" and self.negative_slope is not None:
            raise ValueError("negative_slope only applies to activation=leaky_relu")
        if self.activation in ("relu", "leaky_relu") and self.x == 0:
            raise ValueError(
                f"{self.activation} has a kink at x=0 where the derivative is undefined "
                "(torch merely picks a side); choose x ≠ 0"
            )
        return self


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _phi_cdf(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def _phi_pdf(x: float) -> float:
    return math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)


def derivative(act: str, x: float, slope: float | None = None) -> float:
    if act == "sigmoid":
        s = sigmoid(x)
        return s * (1.0 - s)
    if act == "tanh":
        return 1.0 - math.tanh(x) ** 2
    if act == "relu":
        return 1.0 if x > 0 else 0.0
    if act == "leaky_relu":
        return 1.0 if x > 0 else given(slope)
    return _phi_cdf(x) + x * _phi_pdf(x)  # gelu(x) = x·Φ(x), product rule


@register
class ActivationDerivative(Family[ActivationDerivativeParams]):
    name = "activation-derivative"
    topic = "activations"
    title = BiText("激活函数在某点的导数", "Derivative of an activation at a point")
    answer_spec = AnswerSpec(kind="float", rel_tol=1e-3, abs_tol=1e-6)
    params_model = ActivationDerivativeParams

    def sample(self, rng: random.Random, difficulty: int) -> ActivationDerivativeParams:
        slope = None
        if difficulty == 1:
            act: Activation = rng.choice(["sigmoid", "tanh", "relu"])
            # x = 0 for sigmoid/tanh asks for the derivative's maximum (1/4 and 1).
            x = float(rng.choice([0, 0, 1, -1, 2, -2, 0.5]))
        elif difficulty == 2:
            act = rng.choice(["sigmoid", "tanh", "relu", "leaky_relu", "gelu"])
            x = round(rng.uniform(-4, 4), 1) + 0.0
            slope = rng.choice([0.01, 0.1, 0.2]) if act == "leaky_relu" else None
        else:
            act = rng.choice(["sigmoid", "tanh", "leaky_relu", "gelu", "gelu"])
            x = round(rng.uniform(-5, 5), 2) + 0.0
            slope = rng.choice([0.01, 0.02, 0.05, 0.3]) if act == "leaky_relu" else None
        # Ill-posed params (x on a kink) fail validation and the registry draws again.
        return ActivationDerivativeParams(activation=act, x=x, negative_slope=slope)

    def solve(self, p: ActivationDerivativeParams) -> float:
        return derivative(p.activation, p.x, p.negative_slope) + 0.0  # + 0.0 turns −0.0 into 0.0

    def verify(self, p: ActivationDerivativeParams) -> float:
        import torch
        from torch import nn

        modules: dict[str, Callable[[], nn.Module]] = {
            "sigmoid": nn.Sigmoid,
            "tanh": nn.Tanh,
            "relu": nn.ReLU,
            "gelu": nn.GELU,  # approximate='none': the exact erf form
            "leaky_relu": lambda: nn.LeakyReLU(given(p.negative_slope)),
        }
        module = modules[p.activation]()
        x = torch.tensor(p.x, dtype=torch.float64, requires_grad=True)
        module(x).backward()
        return float(given(x.grad))

    def _call(self, p: ActivationDerivativeParams) -> str:
        if p.activation == "leaky_relu":
            return f"nn.LeakyReLU(negative_slope={fmt(given(p.negative_slope))})"
        return _MODULE[p.activation]

    def prompt(self, p: ActivationDerivativeParams) -> BiText:
        extra_zh = (
            "（精确的 erf 形式 GELU(x) = x·Φ(x)，即 torch 默认 approximate='none'）" if p.activation == "gelu" else ""
        )
        extra_en = (
            " (the exact erf form GELU(x) = x·Φ(x), torch's default approximate='none')"
            if p.activation == "gelu"
            else ""
        )
        return BiText(
            f"激活函数 f = {self._call(p)}{extra_zh}。求它在 x = {fmt(p.x)} 处的导数 f'(x)，给出一个数。",
            f"The activation is f = {self._call(p)}{extra_en}. What is its derivative f'(x) at x = {fmt(p.x)}? "
            "Give a number.",
        )

    def solution(self, p: ActivationDerivativeParams) -> BiText:
        x, ans = p.x, self.solve(p)
        if p.activation == "sigmoid":
            s = sigmoid(x)
            lines = [
                "σ'(x) = σ(x)·(1 − σ(x))",
                f"σ({fmt(x)}) = 1 / (1 + e^(−({fmt(x)}))) = {fmt(s)}",
                f"σ'({fmt(x)}) = {fmt(s)} × (1 − {fmt(s)}) = {fmt(ans)}",
            ]
            tail = (
                BiText("\n（x = 0 时 σ' 取最大值 1/4。）", "\n(At x = 0, σ' reaches its maximum, 1/4.)")
                if x == 0
                else BiText("", "")
            )
            return BiText("\n  ".join(lines), "\n  ".join(lines)) + tail
        if p.activation == "tanh":
            t = math.tanh(x)
            lines = [
                "tanh'(x) = 1 − tanh²(x)",
                f"tanh({fmt(x)}) = {fmt(t)}",
                f"tanh'({fmt(x)}) = 1 − {fmt_factor(t)}² = {fmt(ans)}",
            ]  # (−0.96)², not −0.96²
            return BiText("\n  ".join(lines), "\n  ".join(lines))
        if p.activation in ("relu", "leaky_relu"):
            neg = fmt(given(p.negative_slope)) if p.activation == "leaky_relu" else "0"
            side_zh, side_en = (
                ("x > 0，斜率为 1", "x > 0, slope 1") if x > 0 else (f"x < 0，斜率为 {neg}", f"x < 0, slope {neg}")
            )
            rule = f"f'(x) = 1 (x > 0), {neg} (x < 0)"
            return BiText(
                f"{rule}\n  {fmt(x)}：{side_zh}，所以 f'({fmt(x)}) = {fmt(ans)}",
                f"{rule}\n  {fmt(x)}: {side_en}, so f'({fmt(x)}) = {fmt(ans)}",
            )
        cdf, pdf = _phi_cdf(x), _phi_pdf(x)
        lines = [
            "GELU(x) = x·Φ(x)  ⇒  GELU'(x) = Φ(x) + x·φ(x)",
            f"Φ({fmt(x)}) = ½(1 + erf({fmt(x)}/√2)) = {fmt(cdf)}",
            f"φ({fmt(x)}) = e^(−x²/2)/√(2π) = {fmt(pdf)}",
            f"GELU'({fmt(x)}) = {fmt(cdf)} + ({fmt(x)}) × {fmt(pdf)} = {fmt(ans)}",
        ]
        return BiText("\n  ".join(lines), "\n  ".join(lines))

    def misconceptions(self, p: ActivationDerivativeParams) -> list[Misconception]:
        x, act = p.x, p.activation
        ms: list[Misconception] = []
        if act == "sigmoid":
            ms = [
                Misconception(
                    "forgot-one-minus-sigma",
                    sigmoid(x),
                    BiText(
                        "这是 σ(x) 本身：σ'(x) = σ(x)(1 − σ(x))，漏了 (1 − σ(x)) 这一项。",
                        "That is σ(x) itself: σ'(x) = σ(x)(1 − σ(x)); you dropped the (1 − σ(x)) factor.",
                    ),
                ),
                Misconception(
                    "plugged-x-not-sigma",
                    x * (1 - x),
                    BiText("把 x 直接代进了 s(1 − s)；应代入 s = σ(x)。", "You put x into s(1 − s); s must be σ(x)."),
                ),
                Misconception(
                    "always-quarter",
                    0.25,
                    BiText(
                        "1/4 只是 σ' 在 x = 0 的最大值，其它点更小。",
                        "1/4 is σ' only at x = 0 (its maximum); elsewhere it is smaller.",
                    ),
                ),
            ]
        elif act == "tanh":
            ms = [
                Misconception(
                    "one-minus-x-squared",
                    1 - x * x,
                    BiText(
                        "tanh'(x) = 1 − tanh²(x)，不是 1 − x²：平方的是 tanh(x)。",
                        "tanh'(x) = 1 − tanh²(x), not 1 − x²: it is tanh(x) that is squared.",
                    ),
                ),
                Misconception(
                    "forgot-square",
                    1 - math.tanh(x),
                    BiText("漏了平方：应是 1 − tanh²(x)。", "You forgot the square: it is 1 − tanh²(x)."),
                ),
                Misconception(
                    "used-sigmoid-derivative",
                    derivative("sigmoid", x),
                    BiText(
                        "这是 sigmoid 的导数 σ(1 − σ)；tanh 的导数是 1 − tanh²，最大值为 1 而非 1/4。",
                        "That is the sigmoid's derivative σ(1 − σ); tanh' = 1 − tanh², with maximum 1, not 1/4.",
                    ),
                ),
            ]
        elif act in ("relu", "leaky_relu"):
            slope = p.negative_slope if act == "leaky_relu" else 0.0
            if x < 0:
                ms.append(
                    Misconception(
                        "negative-side-slope-one",
                        1.0,
                        BiText(
                            "x < 0 时斜率不是 1：ReLU 是 0，LeakyReLU 是 negative_slope。",
                            "For x < 0 the slope is not 1: it is 0 for ReLU and negative_slope for LeakyReLU.",
                        ),
                    )
                )
            else:
                ms.append(
                    Misconception(
                        "zero-on-positive-side",
                        0.0,
                        BiText(
                            "x > 0 落在线性段上，斜率为 1；斜率为 0 的是 x < 0 那一段（ReLU）。",
                            "x > 0 lies on the linear piece, slope 1; the flat piece (ReLU) is x < 0.",
                        ),
                    )
                )
                ms.append(
                    Misconception(
                        "returned-f-of-x",
                        x,
                        BiText(
                            "这是函数值 f(x) = x，不是导数；x > 0 时斜率为 1。",
                            "That is the value f(x) = x, not the derivative; for x > 0 the slope is 1.",
                        ),
                    )
                )
            if act == "leaky_relu":
                swapped = slope if x > 0 else 1.0
                ms.append(
                    Misconception(
                        "slope-on-positive-side",
                        swapped,
                        BiText(
                            "把 negative_slope 用在了正半轴：它只作用于 x < 0，x > 0 时斜率为 1。",
                            "You applied negative_slope on the positive side: it acts only for x < 0; for x > 0 the slope is 1.",
                        ),
                    )
                )
                if x < 0:
                    ms.append(
                        Misconception(
                            "treated-as-relu",
                            0.0,
                            BiText(
                                "当成了 ReLU：LeakyReLU 在 x < 0 时斜率是 negative_slope 而不是 0。",
                                "You treated it as ReLU: LeakyReLU's slope for x < 0 is negative_slope, not 0.",
                            ),
                        )
                    )
            else:
                ms.append(
                    Misconception(
                        "relu-as-abs",
                        1.0 if x > 0 else -1.0,
                        BiText(
                            "ReLU 不是 |x|：x < 0 时输出恒为 0，斜率为 0 而非 −1。",
                            "ReLU is not |x|: for x < 0 it is constant 0, so the slope is 0, not −1.",
                        ),
                    )
                )
        else:
            ms = [
                Misconception(
                    "forgot-product-rule",
                    _phi_cdf(x),
                    BiText(
                        "只写了 Φ(x)：GELU(x) = x·Φ(x) 要用乘积法则，还要加 x·φ(x)。",
                        "You wrote only Φ(x): GELU(x) = x·Φ(x) needs the product rule, so add x·φ(x).",
                    ),
                ),
                Misconception(
                    "returned-gelu-value",
                    x * _phi_cdf(x),
                    BiText("这是函数值 GELU(x)，不是导数。", "That is the value GELU(x), not its derivative."),
                ),
                Misconception(
                    "used-relu-derivative",
                    1.0 if x > 0 else 0.0,
                    BiText(
                        "GELU 是平滑的，导数不是 ReLU 那样的 0/1 阶跃：Φ(x) + x·φ(x)。",
                        "GELU is smooth; its derivative is not ReLU's 0/1 step but Φ(x) + x·φ(x).",
                    ),
                ),
            ]
        return ms

    def hints(self, p: ActivationDerivativeParams) -> list[BiText]:
        x = fmt(p.x)
        if p.activation == "sigmoid":
            s = sigmoid(p.x)
            return [
                BiText(
                    "σ'(x) = σ(x)·(1 − σ(x))：先算该点的 σ(x)，再乘以 1 减去它。",
                    "σ'(x) = σ(x)·(1 − σ(x)): first find σ at the point, then multiply it by one minus itself.",
                ),
                BiText(f"σ({x}) = 1 / (1 + e^(−({x}))) = {fmt(s)}", f"σ({x}) = 1 / (1 + e^(−({x}))) = {fmt(s)}"),
                BiText(f"σ'({x}) = {fmt(s)} × (1 − {fmt(s)}) = ?", f"σ'({x}) = {fmt(s)} × (1 − {fmt(s)}) = ?"),
            ]
        if p.activation == "tanh":
            t = math.tanh(p.x)
            return [
                BiText(
                    "tanh'(x) = 1 − tanh²(x)：先算该点的 tanh(x)，再用 1 减去它的平方。",
                    "tanh'(x) = 1 − tanh²(x): first find tanh at the point, then subtract its square from one.",
                ),
                BiText(f"tanh({x}) = {fmt(t)}", f"tanh({x}) = {fmt(t)}"),
                BiText(f"tanh'({x}) = 1 − {fmt(t)}² = ?", f"tanh'({x}) = 1 − {fmt(t)}² = ?"),
            ]
        if p.activation in ("relu", "leaky_relu"):
            neg = BiText("负半轴的斜率是 negative_slope", "the slope for x < 0 is negative_slope")
            if p.activation == "relu":
                neg = BiText("负半轴的斜率是 0", "the slope for x < 0 is 0")
            side = BiText(f"x = {x} 在正半轴：用 x > 0 一侧的斜率。", f"x = {x} is positive: use the slope for x > 0.")
            if p.x < 0:
                side = BiText(
                    f"x = {x} 在负半轴：用 x < 0 一侧的斜率。", f"x = {x} is negative: use the slope for x < 0."
                )
            return [
                BiText(
                    "分段线性函数的导数就是所在那一段的斜率：x > 0 时斜率为 1，",
                    "A piecewise-linear function's derivative is the slope of the piece x is on: the slope "
                    "for x > 0 is 1, ",
                )
                + neg
                + BiText("。", "."),
                side,
            ]
        cdf, pdf = _phi_cdf(p.x), _phi_pdf(p.x)
        return [
            BiText(
                "GELU(x) = x·Φ(x)，Φ 是标准正态分布函数；按乘积法则 GELU'(x) = Φ(x) + x·φ(x)，φ 是标准正态密度。",
                "GELU(x) = x·Φ(x) with Φ the standard normal CDF; by the product rule GELU'(x) = Φ(x) + x·φ(x), "
                "φ being the standard normal density.",
            ),
            BiText(f"Φ({x}) = ½(1 + erf({x}/√2)) = {fmt(cdf)}", f"Φ({x}) = ½(1 + erf({x}/√2)) = {fmt(cdf)}"),
            BiText(
                f"φ({x}) = {fmt(pdf)}；GELU'({x}) = {fmt(cdf)} + ({x}) × {fmt(pdf)} = ?",
                f"φ({x}) = {fmt(pdf)}; GELU'({x}) = {fmt(cdf)} + ({x}) × {fmt(pdf)} = ?",
            ),
        ]
