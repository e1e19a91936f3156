"""A parameter after a few steps of Adagrad, RMSprop or Adam (the adaptive-learning-rate methods)."""

from __future__ import annotations

import math
import random
from typing import Any, Literal

from pydantic import Field, model_validator

from quizzer.generators.base import AnswerSpec, Family, Misconception, Params, fmt, fmt_factor, fmt_list, given
from quizzer.generators.registry import register
from quizzer.text import BiText

# Per optimizer: the arguments it takes here, with torch's defaults.
DEFAULTS: dict[str, dict[str, Any]] = {
    "adagrad": {"lr": 0.01, "eps": 1e-10},
    "rmsprop": {"lr": 0.01, "alpha": 0.99, "eps": 1e-8},
    "adam": {"lr": 0.001, "betas": (0.9, 0.999), "eps": 1e-8},
}
TORCH_NAME = {"adagrad": "Adagrad", "rmsprop": "RMSprop", "adam": "Adam"}


class AdaptiveParams(Params):
    optimizer: Literal["adagrad", "rmsprop", "adam"] = Field(
        description="the torch.optim optimizer: Adagrad, RMSprop or Adam",
        json_schema_extra={"zh": "torch.optim 中的优化器：Adagrad、RMSprop 或 Adam"},
    )
    lr: float | None = Field(
        default=None,
        gt=0,
        le=10,
        description="learning rate (unset: the optimizer's torch default)",
        json_schema_extra={"zh": "学习率（不设则用该优化器在 torch 中的默认值）"},
    )
    p0: float = Field(
        ge=-1e6, le=1e6, description="the parameter's starting value", json_schema_extra={"zh": "参数的初始值"}
    )
    grads: list[float] = Field(
        min_length=1,
        max_length=20,
        description="the gradient at each step, comma-separated, one step per value",
        json_schema_extra={"zh": "每一步的梯度，逗号分隔，一个值一步"},
    )
    betas: tuple[float, float] | None = Field(
        default=None,
        description="Adam's (β1, β2) as two numbers, e.g. 0.9,0.999; only with optimizer=adam",
        json_schema_extra={"zh": "Adam 的 (β1, β2)，两个数，如 0.9,0.999；仅用于 optimizer=adam"},
    )
    alpha: float | None = Field(
        default=None,
        ge=0,
        lt=1,
        description="RMSprop's smoothing constant (torch default 0.99); only with optimizer=rmsprop",
        json_schema_extra={"zh": "RMSprop 的平滑常数（torch 默认 0.99）；仅用于 optimizer=rmsprop"},
    )
    eps: float | None = Field(
        default=None,
        gt=0,
        le=10,
        description="term added to the denominator for stability (unset: torch's default)",
        json_schema_extra={"zh": "加到分母上防止除零的小常数（不设则用 torch 默认值）"},
    )

    @model_validator(mode="before")
    @classmethod
    def _optimizer_args(cls, data: Any) -> Any:
        """Reject arguments the chosen optimizer does not take and fill torch's defaults (None counts as not given)."""
        if not isinstance(data, dict) or data.get("optimizer") not in DEFAULTS:
            return data
        kind = data["optimizer"]
        out = dict(data)
        for key in ("betas", "alpha"):
            if out.get(key) is not None and key not in DEFAULTS[kind]:
                raise ValueError(
                    f"{key} is not an argument of {TORCH_NAME[kind]} (optimizer={kind}); "
                    f"it takes: {', '.join(DEFAULTS[kind])}"
                )
        for key, default in DEFAULTS[kind].items():
            if out.get(key) is None:
                out[key] = default
        return out

    @model_validator(mode="after")
    def _well_posed(self) -> AdaptiveParams:
        if self.betas is not None and not all(0 <= b < 1 for b in self.betas):
            raise ValueError("betas must both lie in [0, 1), e.g. betas=0.9,0.999")
        if any(abs(g) > 1e6 for g in self.grads):
            raise ValueError("gradients must be within ±1e6")
        if all(g == 0 for g in self.grads):
            raise ValueError("at least one gradient must be non-zero, or p never moves")
        return self


def run(
    p: AdaptiveParams,
    *,
    bias_correction: bool = True,
    eps_inside: bool = False,
    no_sqrt: bool = False,
    swap_alpha: bool = False,
    no_accumulation: bool = False,
) -> tuple[float, list[dict[str, float]]]:
    """The torch update rules; the switches reproduce the usual mistakes. Returns p and the per-step state."""
    x, m, v, trace = p.p0, 0.0, 0.0, []

    def scale(second: float) -> float:
        if no_sqrt:
            return second + given(p.eps)
        return math.sqrt(second + given(p.eps)) if eps_inside else math.sqrt(second) + given(p.eps)

    for t, g in enumerate(p.grads, start=1):
        if p.optimizer == "adagrad":
            v = g * g if no_accumulation else v + g * g
            step = given(p.lr) * g / scale(v)
            state = dict(G=v)
        elif p.optimizer == "rmsprop":
            a = 1 - given(p.alpha) if swap_alpha else given(p.alpha)
            v = a * v + (1 - a) * g * g
            step = given(p.lr) * g / scale(v)
            state = dict(v=v)
        else:
            b1, b2 = given(p.betas)
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            c1, c2 = (1 - b1**t, 1 - b2**t) if bias_correction else (1.0, 1.0)
            step = given(p.lr) * (m / c1) / scale(v / c2)
            state = dict(m=m, v=v, m_hat=m / c1, v_hat=v / c2)
        x -= step
        trace.append(dict(state, g=g, step=step, p=x))
    return x, trace


@register
class AdaptiveOptimizer(Family[AdaptiveParams]):
    name = "adaptive-optimizer"
    topic = "momentum"
    title = BiText(
        "自适应学习率：Adagrad / RMSprop / Adam 的参数更新", "Adaptive learning rates: Adagrad / RMSprop / Adam updates"
    )
    answer_spec = AnswerSpec(kind="float", rel_tol=1e-3, abs_tol=1e-4)
    params_model = AdaptiveParams

    def sample(self, rng: random.Random, difficulty: int) -> AdaptiveParams:
        kind = rng.choice(["adagrad", "rmsprop", "adam"])
        k = {1: rng.randint(1, 2), 2: rng.randint(2, 3), 3: rng.randint(3, 4)}[difficulty]
        if kind == "adagrad":
            k = max(k, 2)  # one Adagrad step is always lr·sign(g)
        v: dict[str, Any] = dict(
            optimizer=kind,
            lr=rng.choice({"adagrad": [0.1, 0.5, 1.0], "rmsprop": [0.01, 0.05, 0.1], "adam": [0.1, 0.05, 0.2]}[kind]),
        )
        if difficulty == 1:
            grads = [float(rng.choice([-3, -2, -1, 1, 2, 3, 4])) for _ in range(k)]
            v["p0"] = float(rng.randint(-2, 2))
        elif difficulty == 2:
            grads = [round(rng.uniform(-2, 2), 1) or 0.5 for _ in range(k)]
            v["p0"] = round(rng.uniform(-1, 1), 1)
            if kind == "rmsprop":
                v["alpha"] = rng.choice([0.9, 0.99])
        else:
            # Small gradients with a large eps: the regime where the placement of eps actually changes the answer.
            grads = [round(rng.uniform(-0.2, 0.2), 2) or 0.05 for _ in range(k)]
            v.update(p0=round(rng.uniform(-1, 1), 1), eps=rng.choice([0.1, 0.01]))
            if kind == "rmsprop":
                v["alpha"] = rng.choice([0.9, 0.8])
            if kind == "adam":
                v["betas"] = rng.choice([(0.9, 0.999), (0.8, 0.99), (0.5, 0.9)])
        return AdaptiveParams(grads=grads, **v)

    def solve(self, p: AdaptiveParams) -> float:
        return float(run(p)[0])

    def verify(self, p: AdaptiveParams) -> float:
        import torch

        w = torch.tensor([p.p0], dtype=torch.float64, requires_grad=True)
        opt: torch.optim.Optimizer
        if p.optimizer == "adagrad":
            opt = torch.optim.Adagrad([w], lr=given(p.lr), eps=given(p.eps))
        elif p.optimizer == "rmsprop":
            opt = torch.optim.RMSprop([w], lr=given(p.lr), alpha=given(p.alpha), eps=given(p.eps), centered=False)
        else:
            opt = torch.optim.Adam([w], lr=given(p.lr), betas=given(p.betas), eps=given(p.eps))
        for g in p.grads:
            w.grad = torch.tensor([g], dtype=torch.float64)  # the gradient is given, not computed from a loss
            opt.step()
        return float(w.item())

    def _ctor(self, p: AdaptiveParams) -> str:
        extra = ""
        if p.optimizer == "rmsprop":
            extra = f", alpha={fmt(given(p.alpha))}"
        elif p.optimizer == "adam":
            extra = f", betas=({fmt(given(p.betas)[0])}, {fmt(given(p.betas)[1])})"
        return f"torch.optim.{TORCH_NAME[p.optimizer]}(params, lr={fmt(given(p.lr))}{extra}, eps={fmt(given(p.eps))})"

    def prompt(self, p: AdaptiveParams) -> BiText:
        k = len(p.grads)
        return BiText(
            f"标量参数 p 初值 p₀ = {fmt(p.p0)}，用 {self._ctor(p)} 更新 {k} 步（其余参数取默认值：无 weight decay"
            f"{'、centered=False' if p.optimizer == 'rmsprop' else ''}{'、amsgrad=False' if p.optimizer == 'adam' else ''}）。"
            f"每一步的梯度依次为 {fmt_list(p.grads)}。{k} 步之后 p 的值是多少？",
            f"A scalar parameter p starts at p₀ = {fmt(p.p0)} and is updated for {k} step{'s' if k > 1 else ''} by {self._ctor(p)} "
            f"(every other argument at its default: no weight decay{', centered=False' if p.optimizer == 'rmsprop' else ''}"
            f"{', amsgrad=False' if p.optimizer == 'adam' else ''}). The gradients at the successive steps are "
            f"{fmt_list(p.grads)}. What is p after {k} step{'s' if k > 1 else ''}?",
        )

    def solution(self, p: AdaptiveParams) -> BiText:
        _, trace = run(p)
        eps, lr = fmt(given(p.eps)), fmt(given(p.lr))
        if p.optimizer == "adagrad":
            rule = "G ← G + g²;  p ← p − lr·g/(√G + eps)"
        elif p.optimizer == "rmsprop":
            rule = f"v ← α·v + (1 − α)·g²  (α = {fmt(given(p.alpha))});  p ← p − lr·g/(√v + eps)"
        else:
            rule = (
                f"m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;  m̂ = m/(1 − β₁^t);  v̂ = v/(1 − β₂^t);  "
                f"p ← p − lr·m̂/(√v̂ + eps)  (β₁ = {fmt(given(p.betas)[0])}, β₂ = {fmt(given(p.betas)[1])})"
            )
        lines = [BiText(f"从 0 开始的状态，每一步：{rule}", f"State starts at 0; each step: {rule}")]
        x = p.p0
        for t, s in enumerate(trace, start=1):
            g = fmt_factor(s["g"])
            if p.optimizer == "adagrad":
                body = f"G = {fmt(s['G'])}; p = {fmt(x)} − {lr}·{g}/(√{fmt(s['G'])} + {eps}) = {fmt(s['p'])}"
            elif p.optimizer == "rmsprop":
                body = f"v = {fmt(s['v'])}; p = {fmt(x)} − {lr}·{g}/(√{fmt(s['v'])} + {eps}) = {fmt(s['p'])}"
            else:
                body = (
                    f"m = {fmt(s['m'])}, v = {fmt(s['v'])}; m̂ = {fmt(s['m_hat'])}, v̂ = {fmt(s['v_hat'])}; "
                    f"p = {fmt(x)} − {lr}·{fmt_factor(s['m_hat'])}/(√{fmt(s['v_hat'])} + {eps}) = {fmt(s['p'])}"
                )
            lines.append(BiText(f"t={t} (g = {fmt(s['g'])}): {body}", f"t={t} (g = {fmt(s['g'])}): {body}"))
            x = s["p"]
        return BiText.join(lines)

    def misconceptions(self, p: AdaptiveParams) -> list[Misconception]:
        out: list[Misconception] = []

        def add(tag: str, zh: str, en: str, **mistake: bool) -> None:
            out.append(Misconception(tag, float(run(p, **mistake)[0]), BiText(zh, en)))

        if p.optimizer == "adam":
            add(
                "no-bias-correction",
                "漏了偏差修正：前几步 m、v 从 0 起步偏小，要除以 1 − β₁^t、1 − β₂^t。",
                "You skipped bias correction: m and v start at 0 and are too small early on; divide by 1 − β₁^t and 1 − β₂^t.",
                bias_correction=False,
            )
        if p.optimizer == "rmsprop":
            add(
                "alpha-on-gradient",
                "α 是旧均值的权重：v ← α·v + (1 − α)·g²，你把 α 乘在了 g² 上。",
                "α weights the old average: v ← α·v + (1 − α)·g²; you put α on g².",
                swap_alpha=True,
            )
        if p.optimizer == "adagrad":
            add(
                "no-accumulation",
                "Adagrad 累加历史上所有梯度的平方 G = Σg²，你只用了当前梯度的平方。",
                "Adagrad accumulates every past squared gradient, G = Σg²; you used only the current one.",
                no_accumulation=True,
            )
        add(
            "no-sqrt",
            "分母要开平方根：除以 √(二阶量) + eps，而不是二阶量本身。",
            "The denominator takes a square root: divide by √(second moment) + eps, not by the second moment itself.",
            no_sqrt=True,
        )
        add(
            "eps-inside-sqrt",
            "PyTorch 把 eps 加在平方根外面：√v + eps，而不是 √(v + eps)。",
            "PyTorch adds eps outside the square root: √v + eps, not √(v + eps).",
            eps_inside=True,
        )
        return out

    def hints(self, p: AdaptiveParams) -> list[BiText]:
        from quizzer.generators.base import withhold, withhold_last

        concept = {
            "adagrad": BiText(
                "Adagrad 把历次梯度的平方累加到 G 里，每一步除以 √G + eps：G 越大，步子越小。",
                "Adagrad adds every squared gradient into G and divides each step by √G + eps: "
                "the larger G grows, the smaller the steps.",
            ),
            "rmsprop": BiText(
                "RMSprop 用 g² 的指数滑动平均 v（旧值的权重为 α）代替累加，每一步除以 √v + eps。",
                "RMSprop keeps an exponential moving average v of g² (weight α on the old value) instead "
                "of a sum, and divides each step by √v + eps.",
            ),
            "adam": BiText(
                "Adam 同时维护 g 的滑动平均 m 和 g² 的滑动平均 v，各自除以 (1 − β^t) 做偏差修正，"
                "再按 lr·m̂/(√v̂ + eps) 更新。",
                "Adam keeps moving averages m of g and v of g², divides each by (1 − β^t) to correct "
                "their bias, then steps by lr·m̂/(√v̂ + eps).",
            ),
        }[p.optimizer]
        steps = self.solution(p)
        zh, en = steps.zh.splitlines(), steps.en.splitlines()
        out = [concept, BiText(withhold(zh[1]), withhold(en[1]))]
        if len(p.grads) > 1:
            out.append(withhold_last(BiText("\n".join(zh[1:]), "\n".join(en[1:]))))
        return out
