"""A parameter after a few steps of Adagrad, RMSprop, Adam or AdamW (the adaptive-learning-rate methods)."""

from __future__ import annotations

import math
import random
from typing import Any, Literal, NamedTuple

from pydantic import Field, model_validator

from quizzer.generators.adaptive_text import concept, optimizer_mistakes, rule_line, step_lines
from quizzer.generators.base import AnswerSpec, Family, Misconception, Params, fmt, given
from quizzer.generators.folding import fold_list, fold_steps
from quizzer.generators.registry import register
from quizzer.text import BiText

# Per optimizer: the arguments it takes here, with torch's defaults.
DEFAULTS: dict[str, dict[str, Any]] = {
    "adagrad": {"lr": 0.01, "eps": 1e-10},
    "rmsprop": {"lr": 0.01, "alpha": 0.99, "eps": 1e-8, "weight_decay": 0.0, "momentum": 0.0, "centered": False},
    "adam": {"lr": 0.001, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0, "amsgrad": False},
    "adamw": {"lr": 0.001, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.01, "amsgrad": False},
}
TORCH_NAME = {"adagrad": "Adagrad", "rmsprop": "RMSprop", "adam": "Adam", "adamw": "AdamW"}
# Gradients per problem: bounded by the time torch takes to check them (about 30 µs a step), not by the maths.
MAX_GRADS = 100_000


class AdaptiveParams(Params):
    optimizer: Literal["adagrad", "rmsprop", "adam", "adamw"] = Field(
        description="the torch.optim optimizer: Adagrad, RMSprop, Adam or AdamW",
        json_schema_extra={"zh": "torch.optim 中的优化器：Adagrad、RMSprop、Adam 或 AdamW"},
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
        max_length=MAX_GRADS,
        description="the gradient at each step, comma-separated, one step per value",
        json_schema_extra={"zh": "每一步的梯度，逗号分隔，一个值一步"},
    )
    betas: tuple[float, float] | None = Field(
        default=None,
        description="(β1, β2), the decay rates of m and v, as two numbers, e.g. 0.9,0.999; only with adam or adamw",
        json_schema_extra={"zh": "(β1, β2)，m 和 v 的衰减率，两个数，如 0.9,0.999；仅用于 adam 或 adamw"},
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
    weight_decay: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="adam/rmsprop: L2 term wd·p added to g; adamw: decoupled p ← p − lr·wd·p (default 0.01); not adagrad",
        json_schema_extra={
            "zh": "adam/rmsprop：把 L2 项 wd·p 加到 g 上；adamw：解耦衰减 p ← p − lr·wd·p（默认 0.01）；adagrad 不可用"
        },
    )
    amsgrad: bool | None = Field(
        default=None,
        description="divide by the running maximum of v instead of v; only with adam or adamw",
        json_schema_extra={"zh": "用 v 的历史最大值代替 v 作分母；仅用于 adam 或 adamw"},
    )
    momentum: float | None = Field(
        default=None,
        ge=0,
        lt=1,
        description="momentum of the scaled step (torch default 0); only with optimizer=rmsprop",
        json_schema_extra={"zh": "缩放后步长的动量（torch 默认 0）；仅用于 optimizer=rmsprop"},
    )
    centered: bool | None = Field(
        default=None,
        description="subtract the squared running mean of g from v; only with optimizer=rmsprop",
        json_schema_extra={"zh": "从 v 中减去 g 的滑动平均的平方；仅用于 optimizer=rmsprop"},
    )

    @model_validator(mode="before")
    @classmethod
    def _optimizer_args(cls, data: Any) -> Any:
        """Reject arguments the chosen optimizer does not take and fill torch's defaults (None counts as not given)."""
        if not isinstance(data, dict) or data.get("optimizer") not in DEFAULTS:
            return data
        kind = data["optimizer"]
        out = dict(data)
        for key in ("betas", "alpha", "weight_decay", "amsgrad", "momentum", "centered"):
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
        if all(g == 0 for g in self.grads) and not self.weight_decay:
            raise ValueError("at least one gradient must be non-zero, or p never moves")
        return self


class Rules(NamedTuple):
    """Which update rules a run follows: torch's, or one of the usual mistakes (each switch is one)."""

    bias_correction: bool = True
    eps_inside: bool = False
    no_sqrt: bool = False
    swap_alpha: bool = False
    no_accumulation: bool = False
    decay: str | None = None  # "l2" / "decoupled" / "none" / "no-lr": how weight decay is applied (None: torch's)
    amsgrad: bool | None = None
    centered: bool | None = None
    momentum: float | None = None


def run(p: AdaptiveParams, **mistakes: Any) -> tuple[float, list[dict[str, float]]]:
    """The torch update rules; ``mistakes`` (fields of ``Rules``) reproduce the usual errors.

    Returns p and the per-step state.
    """
    r = Rules(**mistakes)
    x, m, v, v_max, g_avg, buf, trace = p.p0, 0.0, 0.0, 0.0, 0.0, 0.0, []
    wd = p.weight_decay or 0.0
    decay = r.decay or ("decoupled" if p.optimizer == "adamw" else "l2")
    amsgrad = p.amsgrad if r.amsgrad is None else r.amsgrad
    centered = p.centered if r.centered is None else r.centered
    mu = (p.momentum or 0.0) if r.momentum is None else r.momentum
    lr, eps = given(p.lr), given(p.eps)

    def scale(second: float) -> float:
        if r.no_sqrt:
            return second + eps
        second = max(second, 0.0)  # centered: v − ḡ² is a variance, ≥ 0 but for rounding
        return math.sqrt(second + eps) if r.eps_inside else math.sqrt(second) + eps

    for t, g_raw in enumerate(p.grads, start=1):
        state: dict[str, float] = {}
        g = g_raw
        if wd and decay == "l2":
            g = g_raw + wd * x  # torch: grad.add(param, alpha=weight_decay), before the moments
        elif wd and decay in ("decoupled", "no-lr"):
            x *= 1 - (wd if decay == "no-lr" else lr * wd)  # AdamW: param.mul_(1 − lr·wd), before the moments
            state["decayed"] = x
        if p.optimizer == "adagrad":
            v = g * g if r.no_accumulation else v + g * g
            step = lr * g / scale(v)
            state.update(G=v)
        elif p.optimizer == "rmsprop":
            a = 1 - given(p.alpha) if r.swap_alpha else given(p.alpha)
            v = a * v + (1 - a) * g * g
            second = v
            if centered:
                g_avg = a * g_avg + (1 - a) * g
                second = v - g_avg * g_avg
                state.update(g_avg=g_avg)
            if mu:
                buf = mu * buf + g / scale(second)
                step = lr * buf
                state.update(buf=buf)
            else:
                step = lr * g / scale(second)
            state.update(v=v, second=second)
        else:
            b1, b2 = given(p.betas)
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            v_max = max(v_max, v)
            c1, c2 = (1 - b1**t, 1 - b2**t) if r.bias_correction else (1.0, 1.0)
            second = v_max if amsgrad else v
            step = lr * (m / c1) / scale(second / c2)
            state.update(m=m, v=v, m_hat=m / c1, v_hat=second / c2, v_max=v_max)
        x -= step
        trace.append(dict(state, g=g_raw, d=g, step=step, p=x))
    return x, trace


@register
class AdaptiveOptimizer(Family[AdaptiveParams]):
    name = "adaptive-optimizer"
    topic = "momentum"
    title = BiText(
        "自适应学习率：Adagrad / RMSprop / Adam / AdamW 的参数更新",
        "Adaptive learning rates: Adagrad / RMSprop / Adam / AdamW updates",
    )
    answer_spec = AnswerSpec(kind="float", rel_tol=1e-3, abs_tol=1e-4)
    params_model = AdaptiveParams

    def sample(self, rng: random.Random, difficulty: int) -> AdaptiveParams:
        kinds = ["adagrad", "rmsprop", "adam"] if difficulty == 1 else ["adagrad", "rmsprop", "adam", "adamw"]
        kind = rng.choice(kinds)
        k = {1: rng.randint(1, 2), 2: rng.randint(2, 3), 3: rng.randint(3, 4)}[difficulty]
        if kind == "adagrad":
            k = max(k, 2)  # one Adagrad step is always lr·sign(g)
        lrs = {"adagrad": [0.1, 0.5, 1.0], "rmsprop": [0.01, 0.05, 0.1], "adam": [0.1, 0.05, 0.2], "adamw": [0.1, 0.2]}
        v: dict[str, Any] = dict(optimizer=kind, lr=rng.choice(lrs[kind]))
        if difficulty == 1:
            grads = [float(rng.choice([-3, -2, -1, 1, 2, 3, 4])) for _ in range(k)]
            v["p0"] = float(rng.randint(-2, 2))
        elif difficulty == 2:
            grads = [round(rng.uniform(-2, 2), 1) or 0.5 for _ in range(k)]
            v["p0"] = round(rng.uniform(-1, 1), 1)
            if kind == "rmsprop":
                v["alpha"] = rng.choice([0.9, 0.99])
            if kind == "adamw" or (kind == "adam" and rng.random() < 0.5):
                # Weight decay matters only when p is large next to lr·step: p0 of a few units, a visible wd.
                v.update(
                    p0=round(rng.uniform(1, 5), 1) * rng.choice([-1, 1]), weight_decay=rng.choice([0.1, 0.05, 0.5])
                )
        else:
            # Small gradients with a large eps: the regime where the placement of eps actually changes the answer.
            grads = [round(rng.uniform(-0.2, 0.2), 2) or 0.05 for _ in range(k)]
            v.update(p0=round(rng.uniform(-1, 1), 1), eps=rng.choice([0.1, 0.01]))
            if kind == "rmsprop":
                v["alpha"] = rng.choice([0.9, 0.8])
                v.update(rng.choice([dict(centered=True), dict(momentum=rng.choice([0.9, 0.5])), dict()]))
            if kind in ("adam", "adamw"):
                v["betas"] = rng.choice([(0.9, 0.999), (0.8, 0.99), (0.5, 0.9)])
                if rng.random() < 0.5:
                    # amsgrad shows only once v shrinks: a large gradient, then small ones, and a β₂ that forgets.
                    v.update(amsgrad=True, betas=rng.choice([(0.5, 0.9), (0.8, 0.9)]))
                    grads[0] = rng.choice([1.0, -1.0, 0.8])
        return AdaptiveParams(grads=grads, **v)

    def solve(self, p: AdaptiveParams) -> float:
        return float(run(p)[0])

    def verify(self, p: AdaptiveParams) -> float:
        import torch

        w = torch.tensor([p.p0], dtype=torch.float64, requires_grad=True)
        opt: torch.optim.Optimizer
        lr, eps = given(p.lr), given(p.eps)
        if p.optimizer == "adagrad":
            opt = torch.optim.Adagrad([w], lr=lr, eps=eps, foreach=False)
        elif p.optimizer == "rmsprop":
            opt = torch.optim.RMSprop(
                [w],
                lr=lr,
                alpha=given(p.alpha),
                eps=eps,
                weight_decay=given(p.weight_decay),
                momentum=given(p.momentum),
                centered=given(p.centered),
                foreach=False,
            )
        else:
            make = torch.optim.Adam if p.optimizer == "adam" else torch.optim.AdamW
            opt = make(
                [w],
                lr=lr,
                betas=given(p.betas),
                eps=eps,
                weight_decay=given(p.weight_decay),
                amsgrad=given(p.amsgrad),
                foreach=False,
            )
        # foreach=False: the single-tensor code path, the one the closed form transcribes, and for one scalar
        # parameter over twice as fast as the default (10,000 steps in about a second).
        w.grad = torch.zeros(1, dtype=torch.float64)
        for g in p.grads:
            w.grad.fill_(g)  # the gradient is given, not computed from a loss
            opt.step()
        return float(w.item())

    def _ctor(self, p: AdaptiveParams) -> str:
        parts = [f"lr={fmt(given(p.lr))}"]
        if p.optimizer == "rmsprop":
            parts.append(f"alpha={fmt(given(p.alpha))}")
        if p.optimizer in ("adam", "adamw"):
            parts.append(f"betas=({fmt(given(p.betas)[0])}, {fmt(given(p.betas)[1])})")
        parts.append(f"eps={fmt(given(p.eps))}")
        if p.optimizer != "adagrad":
            parts.append(f"weight_decay={fmt(given(p.weight_decay))}")
        if p.optimizer == "rmsprop":
            parts += [f"momentum={fmt(given(p.momentum))}", f"centered={given(p.centered)}"]
        if p.optimizer in ("adam", "adamw"):
            parts.append(f"amsgrad={given(p.amsgrad)}")
        return f"torch.optim.{TORCH_NAME[p.optimizer]}(params, {', '.join(parts)})"

    def prompt(self, p: AdaptiveParams) -> BiText:
        k, gs = len(p.grads), fold_list(p.grads)
        return BiText(
            f"标量参数 p 初值 p₀ = {fmt(p.p0)}，用 {self._ctor(p)} 更新 {k} 步（其余参数取默认值）。"
            f"每一步的梯度（损失对 p 的梯度{'，不含 weight decay' if p.weight_decay else ''}）依次为 {gs.zh}。"
            f"{k} 步之后 p 的值是多少？",
            f"A scalar parameter p starts at p₀ = {fmt(p.p0)} and is updated for {k} step{'s' if k > 1 else ''} by "
            f"{self._ctor(p)} (every other argument at its default). The gradients of the loss w.r.t. p at the "
            f"successive steps{' (before weight decay)' if p.weight_decay else ''} are {gs.en}. "
            f"What is p after {k} step{'s' if k > 1 else ''}?",
        )

    def solution(self, p: AdaptiveParams) -> BiText:
        return BiText.join([rule_line(p), *fold_steps(step_lines(p))])

    def misconceptions(self, p: AdaptiveParams) -> list[Misconception]:
        return optimizer_mistakes(p, lambda **switches: float(run(p, **switches)[0]))

    def hints(self, p: AdaptiveParams) -> list[BiText]:
        from quizzer.generators.base import withhold, withhold_last

        steps = self.solution(p)
        zh, en = steps.zh.splitlines(), steps.en.splitlines()
        out = [concept(p), BiText(withhold(zh[1]), withhold(en[1]))]
        if len(p.grads) > 1:
            out.append(withhold_last(BiText("\n".join(zh[1:]), "\n".join(en[1:]))))
        return out
