"""Feature scaling of a small vector: z-score (population std) or min-max to a feature_range."""

from __future__ import annotations

import itertools
import math
import random
from typing import Literal

from pydantic import Field, model_validator

from quizzer.generators.base import AnswerSpec, Family, Misconception, Params, fmt, fmt_list
from quizzer.generators.registry import register
from quizzer.text import BiText


class FeatureScalingParams(Params):
    x: list[float] = Field(
        min_length=2,
        max_length=10,
        description="one feature's values, comma-separated",
        json_schema_extra={"zh": "同一特征的取值，逗号分隔"},
    )
    method: Literal["zscore", "minmax"] = Field(
        default="zscore",
        description="zscore: (x − mean)/std (population std); minmax: rescale into feature_range",
        json_schema_extra={"zh": "zscore：(x − 均值)/标准差（总体标准差）；minmax：缩放到 feature_range"},
    )
    # sklearn's MinMaxScaler name for the target interval
    feature_range: tuple[float, float] = Field(
        default=(0.0, 1.0),
        description="min-max target interval as two numbers, e.g. 0,1 (sklearn's name)",
        json_schema_extra={"zh": "min-max 的目标区间，两个数，如 0,1（sklearn 的参数名）"},
    )

    @model_validator(mode="after")
    def _well_posed(self) -> FeatureScalingParams:
        if any(abs(v) > 1e6 for v in self.x):
            raise ValueError("values must be at most 1e6 in magnitude")
        if max(self.x) == min(self.x):
            raise ValueError("all values are equal: the std and the range are 0, so scaling divides by zero")
        lo, hi = self.feature_range
        if self.method == "minmax" and not lo < hi:
            raise ValueError(f"feature_range must be (low, high) with low < high, got ({fmt(lo)}, {fmt(hi)})")
        if self.method == "zscore" and self.feature_range != (0.0, 1.0):
            raise ValueError("feature_range only applies to method=minmax")
        return self


def mean_std(x: list[float], ddof: int = 0) -> tuple[float, float]:
    mu = sum(x) / len(x)
    return mu, math.sqrt(sum((v - mu) ** 2 for v in x) / (len(x) - ddof))


def _r(v: float) -> float:
    return round(v, 10)


def _sum_text(xs: list[float]) -> str:
    """'6 − 2 + 0' rather than '6 + -2 + 0'."""
    text = fmt(xs[0])
    for v in xs[1:]:
        text += f" − {fmt(-v)}" if v < 0 else f" + {fmt(v)}"
    return text


def _minus(v: float) -> str:
    return f"+ {fmt(-v)}" if v < 0 else f"− {fmt(v)}"


def _friendly(dev: tuple[int, ...]) -> bool:
    var = sum(d * d for d in dev) / len(dev)
    return var > 0 and abs(dev[-1]) <= 6 and math.isqrt(int(var)) ** 2 == var


# Deviations from the mean of four values with an integer population std: every one of them, so that a
# draw is one choice (the same distribution as redrawing three in −5..5 until the fourth one fits).
_FRIENDLY_DEVIATIONS = [
    dev for dev in ((a, b, c, -(a + b + c)) for a, b, c in itertools.product(range(-5, 6), repeat=3)) if _friendly(dev)
]


@register
class FeatureScaling(Family[FeatureScalingParams]):
    name = "feature-scaling"
    topic = "regularization-normalization"
    title = BiText("特征缩放：z-score 与 min-max", "Feature scaling: z-score and min-max")
    answer_spec = AnswerSpec(kind="vector", rel_tol=1e-3, abs_tol=5e-4)
    params_model = FeatureScalingParams

    def sample(self, rng: random.Random, difficulty: int) -> FeatureScalingParams:
        method: Literal["zscore", "minmax"] = rng.choice(["zscore", "minmax"])
        fr = (0.0, 1.0) if method == "zscore" or difficulty == 1 else rng.choice([(0.0, 1.0), (-1.0, 1.0)])
        if difficulty == 1:
            m = rng.randint(1, 10)
            x = [float(m + d) for d in rng.choice(_FRIENDLY_DEVIATIONS)]
        elif difficulty == 2:
            x = [float(rng.randint(0, 20)) for _ in range(5)]
        else:
            x = [round(rng.randint(-300, 300) * 0.01, 2) for _ in range(6)]
        if max(x) == min(x):
            x[0] += 1.0
        return FeatureScalingParams(x=x, method=method, feature_range=fr)

    def solve(self, p: FeatureScalingParams) -> list[float]:
        if p.method == "zscore":
            mu, sd = mean_std(p.x)
            return [(v - mu) / sd for v in p.x]
        lo, hi = p.feature_range
        mn, mx = min(p.x), max(p.x)
        return [lo + (v - mn) * (hi - lo) / (mx - mn) for v in p.x]

    def verify(self, p: FeatureScalingParams) -> list[float]:
        import torch
        import torch.nn.functional as F

        x = torch.tensor(p.x, dtype=torch.float64)
        if p.method == "zscore":
            # layer_norm normalizes with the biased (population) variance — the z-score with ddof=0.
            return [float(v) for v in F.layer_norm(x, normalized_shape=(len(p.x),), eps=0.0)]
        lo, hi = p.feature_range
        mn, mx = torch.aminmax(x)
        return [float(v) for v in (x - mn) / (mx - mn) * (hi - lo) + lo]

    def prompt(self, p: FeatureScalingParams) -> BiText:
        x = fmt_list(p.x)
        if p.method == "zscore":
            return BiText(
                f"对特征向量 x = {x} 做 z-score 标准化 (x − μ)/σ，其中 σ 用总体标准差（ddof=0，除以 n）。给出整个缩放后的向量。",
                f"Standardize the feature vector x = {x} with the z-score (x − μ)/σ, where σ is the population "
                "standard deviation (ddof=0, divide by n). Give the whole scaled vector.",
            )
        lo, hi = p.feature_range
        return BiText(
            f"对特征向量 x = {x} 做 min-max 缩放，映射到区间 [{fmt(lo)}, {fmt(hi)}]（最小值 → {fmt(lo)}，最大值 → {fmt(hi)}，线性）。"
            "给出整个缩放后的向量。",
            f"Min-max scale the feature vector x = {x} to the interval [{fmt(lo)}, {fmt(hi)}] (min → {fmt(lo)}, "
            f"max → {fmt(hi)}, linearly). Give the whole scaled vector.",
        )

    def solution(self, p: FeatureScalingParams) -> BiText:
        out = fmt_list([_r(v) for v in self.solve(p)], 4)
        n = len(p.x)
        if p.method == "zscore":
            mu, sd = mean_std(p.x)
            var = sd * sd
            lines = [
                f"μ = ({_sum_text(p.x)}) / {n} = {fmt(_r(mu))}",
                f"σ² = Σ(xᵢ − μ)² / {n} = {fmt(_r(var * n))} / {n} = {fmt(_r(var))}, σ = {fmt(_r(sd))}",
                f"zᵢ = (xᵢ {_minus(_r(mu))}) / {fmt(_r(sd))} → {out}",
            ]
            return BiText(
                "z-score（总体标准差）：\n  " + "\n  ".join(lines), "z-score (population std):\n  " + "\n  ".join(lines)
            )
        lo, hi = p.feature_range
        mn, mx = min(p.x), max(p.x)
        lines = [
            f"min = {fmt(mn)}, max = {fmt(mx)}, max − min = {fmt(_r(mx - mn))}",
            f"x'ᵢ = {fmt(lo)} + (xᵢ {_minus(mn)})·({fmt(hi)} {_minus(lo)}) / {fmt(_r(mx - mn))} → {out}",
        ]
        return BiText(
            "min-max：x' = a + (x − min)·(b − a)/(max − min)\n  " + "\n  ".join(lines),
            "min-max: x' = a + (x − min)·(b − a)/(max − min)\n  " + "\n  ".join(lines),
        )

    def misconceptions(self, p: FeatureScalingParams) -> list[Misconception]:
        if p.method == "zscore":
            mu, sd = mean_std(p.x)
            _, sd1 = mean_std(p.x, ddof=1)
            return [
                Misconception(
                    "sample-std",
                    [(v - mu) / sd1 for v in p.x],
                    BiText(
                        "你用了样本标准差（除以 n − 1，ddof=1）；本题要求总体标准差（除以 n）。",
                        "You used the sample std (divide by n − 1, ddof=1); the problem asks for the population std (divide by n).",
                    ),
                ),
                Misconception(
                    "forgot-mean",
                    [v / sd for v in p.x],
                    BiText(
                        "忘了先减去均值 μ：z-score 是 (x − μ)/σ。",
                        "You forgot to subtract the mean μ: the z-score is (x − μ)/σ.",
                    ),
                ),
                Misconception(
                    "divided-by-variance",
                    [(v - mu) / (sd * sd) for v in p.x],
                    BiText(
                        "你除以了方差 σ²；应除以标准差 σ。",
                        "You divided by the variance σ²; divide by the standard deviation σ.",
                    ),
                ),
            ]
        lo, hi = p.feature_range
        mn, mx = min(p.x), max(p.x)
        unit = [(v - mn) / (mx - mn) for v in p.x]
        mistakes = []
        if mx != 0:
            mistakes.append(
                Misconception(
                    "divided-by-max",
                    [lo + (v - mn) * (hi - lo) / mx for v in p.x],
                    BiText(
                        "你除以了最大值；应除以范围 max − min。",
                        "You divided by the maximum; divide by the range max − min.",
                    ),
                )
            )
        mistakes += [
            Misconception(
                "forgot-min",
                [lo + v * (hi - lo) / (mx - mn) for v in p.x],
                BiText(
                    "分子忘了减最小值：应是 x − min，这样最小值才映射到区间下端。",
                    "You forgot to subtract the minimum in the numerator: it is x − min, so the minimum maps to the low end.",
                ),
            ),
        ]
        if (lo, hi) != (0.0, 1.0):
            mistakes.append(
                Misconception(
                    "stopped-at-unit-range",
                    unit,
                    BiText(
                        f"这是 [0, 1] 的结果；还要乘 (b − a) 再加 a 映射到 [{fmt(lo)}, {fmt(hi)}]。",
                        f"That is the [0, 1] result; multiply by (b − a) and add a to map it to [{fmt(lo)}, {fmt(hi)}].",
                    ),
                )
            )
        return mistakes

    def hints(self, p: FeatureScalingParams) -> list[BiText]:
        n = len(p.x)
        if p.method == "zscore":
            mu, sd = mean_std(p.x)
            mean = f"μ = ({_sum_text(p.x)}) / {n} = {fmt(_r(mu))}"
            spread = (
                f"σ² = Σ(xᵢ − μ)² / {n} = {fmt(_r(sd * sd))}, σ = {fmt(_r(sd))}; "
                f"zᵢ = (xᵢ {_minus(_r(mu))}) / {fmt(_r(sd))}"
            )
            return [
                BiText(
                    "z-score：z = (x − μ)/σ，μ 是均值，σ 是总体标准差（方差除以 n，不是 n − 1）。",
                    "z-score: z = (x − μ)/σ with the mean μ and the population standard deviation σ "
                    "(the variance divides by n, not n − 1).",
                ),
                BiText(mean, mean),
                BiText(spread, spread),
            ]
        lo, hi = p.feature_range
        mn, mx = min(p.x), max(p.x)
        rng = f"min = {fmt(mn)}, max = {fmt(mx)}, max − min = {fmt(_r(mx - mn))}"
        each = f"x'ᵢ = {fmt(lo)} + (xᵢ {_minus(mn)})·({fmt(hi)} {_minus(lo)}) / {fmt(_r(mx - mn))}"
        return [
            BiText(
                "min-max：x' = a + (x − min)·(b − a)/(max − min)，"
                "把最小值映到 a、最大值映到 b（feature_range = (a, b)）。",
                "min-max: x' = a + (x − min)·(b − a)/(max − min) maps the minimum to a and the maximum to b "
                "(feature_range = (a, b)).",
            ),
            BiText(rng, rng),
            BiText(each, each),
        ]
