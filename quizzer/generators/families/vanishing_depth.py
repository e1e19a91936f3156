"""Smallest depth at which a per-layer gradient factor a makes a^n vanish below (or explode above) a threshold."""

from __future__ import annotations

import math
import random
from typing import Literal

from pydantic import Field, model_validator

from quizzer.generators.base import AnswerSpec, Family, Misconception, Params, fmt
from quizzer.generators.registry import register
from quizzer.text import BiText

MAX_DEPTH = 500


class VanishingDepthParams(Params):
    activation: Literal["sigmoid", "tanh"] = Field(
        default="sigmoid",
        description="the activation, with pre-activations held at 0 (σ'(0) = 1/4, tanh'(0) = 1)",
        json_schema_extra={"zh": "激活函数，预激活保持为 0（σ'(0) = 1/4，tanh'(0) = 1）"},
    )
    weight: float = Field(
        ge=-40,
        le=40,
        description="the weight w of every layer; the per-layer factor is |w·act'(0)|",
        json_schema_extra={"zh": "每层的权重 w；每层的梯度因子为 |w·act'(0)|"},
    )
    threshold: float = Field(
        gt=0,
        le=1e12,
        description="the gradient size to fall below (vanishing, < 1) or rise above (exploding, > 1)",
        json_schema_extra={"zh": "梯度要低于（消失，< 1）或高于（爆炸，> 1）的阈值"},
    )

    @model_validator(mode="after")
    def _well_posed(self) -> VanishingDepthParams:
        a = factor(self)
        if a == 0:
            raise ValueError("weight must be nonzero")
        if a == 1:
            raise ValueError(
                "the per-layer factor |w·act'(0)| is exactly 1: the gradient neither vanishes nor explodes"
            )
        if a < 1 and self.threshold >= 1:
            raise ValueError(
                f"the per-layer factor {fmt(a)} < 1 makes the gradient vanish, so threshold must be below 1"
            )
        if a > 1 and self.threshold <= 1:
            raise ValueError(
                f"the per-layer factor {fmt(a)} > 1 makes the gradient explode, so threshold must exceed 1"
            )
        r = math.log(self.threshold) / math.log(a)
        if abs(r - round(r)) < 1e-9:
            raise ValueError(
                f"threshold equals {fmt(a)}^{round(r)} exactly, so whether depth {round(r)} is past it "
                "hinges on rounding; use a threshold that is not a power of the factor"
            )
        if depth(a, self.threshold) > MAX_DEPTH:
            raise ValueError(f"that would take more than {MAX_DEPTH} layers; use a factor further from 1")
        return self


def factor(p: VanishingDepthParams) -> float:
    # Pre-activations are held at 0, where σ'(0) = 1/4 and tanh'(0) = 1 (each one's maximum).
    return abs(p.weight) * (0.25 if p.activation == "sigmoid" else 1.0)


def depth(a: float, threshold: float) -> int:
    # a^n < t (a < 1) and a^n > t (a > 1) both mean n > ln t / ln a; ties are rejected by the params.
    return math.floor(math.log(threshold) / math.log(a)) + 1


@register
class VanishingDepth(Family[VanishingDepthParams]):
    name = "vanishing-depth"
    topic = "gradients"
    title = BiText("梯度消失/爆炸所需的层数", "Depth at which gradients vanish or explode")
    answer_spec = AnswerSpec(kind="int")
    params_model = VanishingDepthParams

    def sample(self, rng: random.Random, difficulty: int) -> VanishingDepthParams:
        act: Literal["sigmoid", "tanh"] = rng.choice(["sigmoid", "sigmoid", "tanh"])
        explode = rng.random() < (0.2 if difficulty == 1 else 0.35)
        if difficulty == 1:
            if act == "sigmoid":
                w, t = float(rng.choice([1, 2])), rng.choice([0.01, 0.001])
            else:
                w, t = (2.0, float(rng.choice([100, 1000]))) if explode else (0.5, rng.choice([0.01, 0.001]))
        elif difficulty == 2:
            if explode:
                w = float(rng.choice([5, 6, 8])) if act == "sigmoid" else rng.choice([1.5, 2.0, 3.0])
                t = float(rng.choice([100, 1000, 10_000, 1_000_000]))
            else:
                w = rng.choice([1.0, 1.5, 2.0, 2.5, 3.0, 3.5]) if act == "sigmoid" else rng.choice([0.5, 0.8, 0.9])
                t = rng.choice([1e-3, 1e-4, 1e-5, 1e-6])
        else:
            scale = 4 if act == "sigmoid" else 1
            if explode:
                w = rng.randint(105 * scale, 200 * scale) / 100
                t = rng.choice([1, 2, 5]) * 10.0 ** rng.randint(2, 6)
            else:
                w = rng.randint(20 * scale, 97 * scale) / 100
                t = rng.choice([1, 2, 5]) * 10.0 ** -rng.randint(2, 7)
            w *= rng.choice([-1, 1])
        # A factor too close to 1 fails validation and the registry draws again.
        return VanishingDepthParams(activation=act, weight=w, threshold=t)

    def acceptable(self, p: VanishingDepthParams) -> bool:
        return self.solve(p) <= 64  # keeps verify's chain short

    def solve(self, p: VanishingDepthParams) -> int:
        return depth(factor(p), p.threshold)

    def verify(self, p: VanishingDepthParams) -> int:
        import torch
        from torch import nn

        # One real layer applied repeatedly: a chain of identical layers. For sigmoid, x = 1/2 and
        # b = −w/2 keep every pre-activation at exactly 0 (h stays σ(0) = 1/2); for tanh, x = 0 and b = 0.
        linear = nn.Linear(1, 1, dtype=torch.float64)
        layer = nn.Sequential(linear, nn.Sigmoid() if p.activation == "sigmoid" else nn.Tanh())
        x0 = 0.5 if p.activation == "sigmoid" else 0.0
        with torch.no_grad():
            linear.weight.fill_(p.weight)
            linear.bias.fill_(-p.weight * x0)
        vanish = factor(p) < 1
        x = torch.full((1, 1), x0, dtype=torch.float64)

        def depths(n: int):
            def chain(h):
                outs = []
                for _ in range(n):
                    h = layer(h)
                    outs.append(h)
                return torch.cat(outs).flatten()

            return chain

        # dh_k/dx for every depth k ≤ n from one vectorised backward; double n until the threshold is crossed.
        n = 16
        while n <= 2 * MAX_DEPTH:
            grads = torch.autograd.functional.jacobian(depths(n), x, vectorize=True).flatten().abs().tolist()
            for k, g in enumerate(grads, start=1):
                if (g < p.threshold) if vanish else (g > p.threshold):
                    return k
            n *= 2
        raise RuntimeError("the chain never crossed the threshold")

    def _layer(self, p: VanishingDepthParams) -> BiText:
        if p.activation == "sigmoid":
            return BiText(
                f"h_i = σ(w·h_(i−1) + b)，w = {fmt(p.weight)}，偏置 b 选得使每层预激活恰为 0（σ' 取最大值 1/4）",
                f"h_i = σ(w·h_(i−1) + b) with w = {fmt(p.weight)} and the bias b chosen so every pre-activation is exactly 0 "
                "(where σ' is at its maximum, 1/4)",
            )
        return BiText(
            f"h_i = tanh(w·h_(i−1))，w = {fmt(p.weight)}，输入 x = 0（每层预激活恒为 0，tanh'(0) = 1）",
            f"h_i = tanh(w·h_(i−1)) with w = {fmt(p.weight)} and input x = 0 (every pre-activation is 0, where tanh'(0) = 1)",
        )

    def prompt(self, p: VanishingDepthParams) -> BiText:
        layer, t = self._layer(p), fmt(p.threshold)
        if factor(p) < 1:
            q = BiText(
                f"最少要多少层 n，才能使 |dh_n/dx| 小于 {t}（梯度消失）？给出一个整数。",
                f"What is the smallest number of layers n for which |dh_n/dx| falls below {t} (vanishing)? Give an integer.",
            )
        else:
            q = BiText(
                f"最少要多少层 n，才能使 |dh_n/dx| 大于 {t}（梯度爆炸）？给出一个整数。",
                f"What is the smallest number of layers n for which |dh_n/dx| exceeds {t} (exploding)? Give an integer.",
            )
        return (
            BiText("一个由相同层堆叠成的标量网络：", "A scalar network stacks identical layers: ")
            + layer
            + BiText("。", ". ")
            + q
        )

    def solution(self, p: VanishingDepthParams) -> BiText:
        a, t, n = factor(p), p.threshold, self.solve(p)
        d = "1/4" if p.activation == "sigmoid" else "1"
        r = math.log(t) / math.log(a)
        rel, op = ("<", "小于") if a < 1 else (">", "大于")
        lines = [
            f"a = |w|·{'σ' if p.activation == 'sigmoid' else 'tanh'}'(0) = {fmt(abs(p.weight))} × {d} = {fmt(a)}",
            f"|dh_n/dx| = a^n {rel} {fmt(t)}  ⇔  n > ln({fmt(t)}) / ln({fmt(a)}) = {fmt(r)}",
            f"n = ⌊{fmt(r)}⌋ + 1 = {n}",
            f"a^{n - 1} = {fmt(a ** (n - 1))}, a^{n} = {fmt(a**n)}",
        ]
        body = "\n  ".join(lines)
        return BiText(
            f"每层的局部梯度因子为 a，n 层后梯度为 a^n：\n  {body}\n（第 {n} 层是第一个{op} {fmt(t)} 的深度。）",
            f"Each layer contributes a factor a, so after n layers the gradient is a^n:\n  {body}\n"
            f"(Depth {n} is the first one past {fmt(t)}.)",
        )

    def misconceptions(self, p: VanishingDepthParams) -> list[Misconception]:
        a, t, n = factor(p), p.threshold, self.solve(p)
        ms = [
            Misconception(
                "off-by-one",
                n - 1,
                BiText(
                    f"这是仍未越过阈值的最后一层：a^{n - 1} = {fmt(a ** (n - 1))}。要的是第一个越过阈值的 n = ⌊ln t / ln a⌋ + 1。",
                    f"That is the last depth not yet past the threshold (a^{n - 1} = {fmt(a ** (n - 1))}); "
                    "the first depth past it is ⌊ln t / ln a⌋ + 1.",
                ),
            ),
            Misconception(
                "mixed-log-bases",
                math.floor(math.log10(t) / math.log(a)) + 1,
                BiText(
                    "分子用了 log₁₀、分母用了 ln：ln t / ln a 的两个对数必须同底。",
                    "You took log₁₀ of the threshold but ln of the factor: both logarithms in ln t / ln a need the same base.",
                ),
            ),
        ]

        def wrong_factor(tag: str, b: float, diagnosis: BiText) -> None:
            if b > 0 and b != 1 and (b < 1) == (a < 1):
                ms.append(Misconception(tag, depth(b, t), diagnosis))

        if p.activation == "sigmoid":
            wrong_factor(
                "forgot-weight",
                0.25,
                BiText(
                    "只用了 σ'(0) = 1/4，漏了权重：每层因子是 |w|·σ'(0)。",
                    "You used σ'(0) = 1/4 alone and forgot the weight: each layer's factor is |w|·σ'(0).",
                ),
            )
            wrong_factor(
                "forgot-sigmoid-slope",
                abs(p.weight),
                BiText(
                    "只用了权重，漏了 σ'(0) = 1/4：每层因子是 |w|·σ'(0)。",
                    "You used the weight alone and forgot σ'(0) = 1/4: each layer's factor is |w|·σ'(0).",
                ),
            )
        else:
            wrong_factor(
                "tanh-slope-quarter",
                abs(p.weight) / 4,
                BiText(
                    "tanh'(0) = 1，不是 1/4（那是 sigmoid 的最大斜率）。",
                    "tanh'(0) = 1, not 1/4 (that is the sigmoid's maximum slope).",
                ),
            )
        return [m for m in ms if m.value != n]

    def hints(self, p: VanishingDepthParams) -> list[BiText]:
        a, t = factor(p), p.threshold
        slope = "σ'(0) = 1/4" if p.activation == "sigmoid" else "tanh'(0) = 1"
        d = "1/4" if p.activation == "sigmoid" else "1"
        name = "σ" if p.activation == "sigmoid" else "tanh"
        return [
            BiText(
                f"每层把梯度乘以同一个因子 a = |w|·{name}'(0)（{slope}），n 层后是 a^n；"
                "要找 a^n 第一次越过阈值的 n：n > ln(阈值)/ln(a)。",
                f"Each layer multiplies the gradient by the same factor a = |w|·{name}'(0) ({slope}), so after n "
                "layers it is a^n; find the first n at which a^n is past the threshold: n > ln(threshold)/ln(a).",
            ),
            BiText(f"a = {fmt(abs(p.weight))} × {d} = {fmt(a)}", f"a = {fmt(abs(p.weight))} × {d} = {fmt(a)}"),
            BiText(
                f"n > ln({fmt(t)}) / ln({fmt(a)}) = {fmt(math.log(t) / math.log(a))}：取大于它的第一个整数。",
                f"n > ln({fmt(t)}) / ln({fmt(a)}) = {fmt(math.log(t) / math.log(a))}: take the first whole "
                "number above it.",
            ),
        ]
