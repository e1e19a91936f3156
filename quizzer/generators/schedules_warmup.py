"""Scheduler table entries, continued: warm-up then cosine, polynomial decay and OneCycleLR.

Split from ``schedules`` only to keep files short; the entries are filed in ``SCHEDULES`` right after that
module's own, in the same order as before (``schedules`` imports this module first).
"""

from __future__ import annotations

import math
import random
from itertools import pairwise
from typing import Any, Literal

from pydantic import Field

from quizzer.generators.base import Misconception, fmt, fmt_list
from quizzer.generators.schedule_base import MAX_STEP, Args, Schedule, call_text, mistake, same, schedule
from quizzer.generators.schedules import _check_eta_min, cosine, cosine_mistakes, cosine_solution
from quizzer.text import BiText


class WarmupCosineArgs(Args):
    warmup_steps: int = Field(
        ge=1,
        description="steps of linear warm-up (LinearLR) before the cosine (SequentialLR milestone)",
        json_schema_extra={"zh": "余弦之前线性预热（LinearLR）的步数（SequentialLR 的 milestone）"},
    )
    start_factor: float = Field(
        default=1.0 / 3,
        gt=0,
        le=1,
        description="the lr is multiplied by this at step 0",
        json_schema_extra={"zh": "第 0 步时学习率乘以的因子"},
    )
    T_max: int = Field(
        ge=1,
        description="steps of the half cosine period from the initial lr down to eta_min",
        json_schema_extra={"zh": "余弦半周期的步数：从初始学习率降到 eta_min"},
    )
    eta_min: float = Field(
        default=0.0,
        ge=0,
        description="the lowest lr the cosine reaches",
        json_schema_extra={"zh": "余弦所能达到的最低学习率"},
    )


@schedule
class WarmupCosine(Schedule[WarmupCosineArgs]):
    """A linear warm-up, then a cosine: two torch schedulers chained by SequentialLR."""

    name, torch_class, args_model, difficulties = "warmup-cosine", "SequentialLR", WarmupCosineArgs, (3,)
    concept = BiText(
        "SequentialLR 先用 LinearLR 预热，到 milestone 后换成 CosineAnnealingLR，"
        "余弦从 milestone 处重新从零计数。先判断 t 处在哪个阶段。",
        "SequentialLR runs the LinearLR warm-up, then switches to CosineAnnealingLR at the milestone, "
        "whose count starts again from zero there. First decide which phase t is in.",
    )

    def constructor(self, a: WarmupCosineArgs) -> str:
        warm = call_text("LinearLR", dict(start_factor=a.start_factor, total_iters=a.warmup_steps))
        cos = call_text("CosineAnnealingLR", dict(T_max=a.T_max, eta_min=a.eta_min))
        return f"SequentialLR(optimizer, schedulers=[{warm}, {cos}], milestones=[{a.warmup_steps}])"

    def make_torch(self, lr_scheduler: Any, optimizer: Any, a: WarmupCosineArgs) -> Any:
        warm = lr_scheduler.LinearLR(optimizer, start_factor=a.start_factor, end_factor=1.0, total_iters=a.warmup_steps)
        cos = lr_scheduler.CosineAnnealingLR(optimizer, T_max=a.T_max, eta_min=a.eta_min)
        return lr_scheduler.SequentialLR(optimizer, schedulers=[warm, cos], milestones=[a.warmup_steps])

    def check(self, a: WarmupCosineArgs, lr: float) -> None:
        _check_eta_min(a.eta_min, lr)

    def lr_at(self, a: WarmupCosineArgs, lr: float, t: int) -> float:
        if t < a.warmup_steps:
            return lr * (a.start_factor + (1.0 - a.start_factor) * t / a.warmup_steps)
        # SequentialLR starts the cosine at its own epoch 0 at the milestone.
        return cosine(lr, a.eta_min, t - a.warmup_steps, a.T_max)

    def sample(self, rng: random.Random, difficulty: int, lr: float, eta_min: float) -> dict[str, Any]:
        w, T = rng.choice([5, 10, 20]), rng.choice([50, 90, 100, 200])
        return dict(
            warmup_steps=w,
            start_factor=rng.choice([0.1, 0.01, 0.2, 0.5]),
            T_max=T,
            eta_min=eta_min,
            step=rng.choice([rng.randint(0, w - 1), w, w + rng.randint(1, T)]),
        )

    def solution(self, a: WarmupCosineArgs, lr: float, t: int) -> BiText:
        w, ans = a.warmup_steps, self.lr_at(a, lr, t)
        if t < w:
            f = a.start_factor + (1 - a.start_factor) * t / w
            where = BiText(
                f"t={t} < milestone {w}：处于 LinearLR 预热阶段\n",
                f"t={t} < milestone {w}: still in the LinearLR warm-up\n",
            )
            return where + same(
                f"lr_t = lr·(start_factor + (1 − start_factor)·t/{w}) = {fmt(lr)}·({fmt(a.start_factor)} + "
                f"{fmt(1 - a.start_factor)}·{t}/{w}) = {fmt(lr)}·{fmt(f)} = {fmt(ans)}"
            )
        head = BiText(
            f"t={t} ≥ milestone {w}：SequentialLR 在 milestone 处以 epoch 0 启动 CosineAnnealingLR，"
            f"所以余弦从 j = t − {w} = {t - w} 计起\n",
            f"t={t} ≥ milestone {w}: at the milestone SequentialLR starts CosineAnnealingLR at epoch 0, "
            f"so the cosine counts j = t − {w} = {t - w}\n",
        )
        return cosine_solution(head, lr, a.eta_min, t - w, a.T_max, ans)

    def misconceptions(self, a: WarmupCosineArgs, lr: float, t: int) -> list[Misconception]:
        T_cur = t - a.warmup_steps
        out = cosine_mistakes(lr, a.eta_min, T_cur, a.T_max)
        if T_cur >= 0:
            out.append(
                mistake(
                    "cosine-from-zero",
                    cosine(lr, a.eta_min, t, a.T_max),
                    "余弦阶段从 milestone 开始重新计数（j = t − warmup_steps），不是从 0。",
                    "The cosine phase counts from the milestone (j = t − warmup_steps), not from step 0.",
                )
            )
        else:
            out.append(
                mistake(
                    "warmup-from-zero",
                    lr * t / a.warmup_steps,
                    "预热从 start_factor·lr 开始，不是从 0 开始。",
                    "The warm-up starts from start_factor·lr, not from 0.",
                )
            )
        return out


class PolynomialArgs(Args):
    total_iters: int = Field(
        default=5,
        ge=1,
        description="steps over which the factor changes, then stays",
        json_schema_extra={"zh": "因子变化所经历的步数，之后保持不变"},
    )
    power: float = Field(
        default=1.0,
        gt=0,
        description="exponent of (1 − t/total_iters) in the polynomial decay (1: linear)",
        json_schema_extra={"zh": "多项式衰减中 (1 − t/total_iters) 的指数（1 为线性）"},
    )


@schedule
class Polynomial(Schedule[PolynomialArgs]):
    name, torch_class, args_model, difficulties = "polynomial", "PolynomialLR", PolynomialArgs, (2, 3)
    concept = BiText(
        "PolynomialLR 用 (1 − t/total_iters)^power 缩放初始 lr；t 超过 total_iters 后按 total_iters 计（学习率为零）。",
        "PolynomialLR scales the initial lr by (1 − t/total_iters)^power; past total_iters, t counts as "
        "total_iters (the lr is zero).",
    )

    def lr_at(self, a: PolynomialArgs, lr: float, t: int) -> float:
        return lr * (1.0 - min(t, a.total_iters) / a.total_iters) ** a.power

    def sample(self, rng: random.Random, difficulty: int, lr: float, eta_min: float) -> dict[str, Any]:
        n = rng.choice([10, 20, 50, 100])
        return dict(
            total_iters=n,
            power=rng.choice([1.0, 2.0, 0.5, 0.9] if difficulty == 3 else [1.0, 2.0]),
            step=rng.randint(0, n + 2),
        )

    def solution(self, a: PolynomialArgs, lr: float, t: int) -> BiText:
        m, n, pw = min(t, a.total_iters), a.total_iters, fmt(a.power)
        return same(
            f"lr_t = lr·(1 − min(t, total_iters)/total_iters)^power = {fmt(lr)}·(1 − {m}/{n})^{pw}"
            f" = {fmt(lr)}·{fmt(1 - m / n)}^{pw} = {fmt(self.lr_at(a, lr, t))}"
        )

    def misconceptions(self, a: PolynomialArgs, lr: float, t: int) -> list[Misconception]:
        m = min(t, a.total_iters) / a.total_iters
        return [
            mistake(
                "ignored-power",
                lr * (1 - m),
                "忘了幂次 power：是 (1 − t/total_iters)^power。",
                "You ignored power: it is (1 − t/total_iters)^power.",
            ),
            mistake(
                "power-on-ratio",
                lr * (1 - m**a.power),
                "幂次作用在 (1 − t/T) 整体上，不是只作用在 t/T 上。",
                "The power applies to (1 − t/T) as a whole, not to t/T alone.",
            ),
        ]


class OneCycleArgs(Args):
    max_lr: float = Field(
        gt=0,
        le=10,
        description="OneCycleLR's peak lr (the optimizer's lr is ignored)",
        json_schema_extra={"zh": "OneCycleLR 的峰值学习率（忽略优化器的 lr）"},
    )
    total_steps: int = Field(
        ge=2,
        le=MAX_STEP + 1,
        description="OneCycleLR: iterations in the whole cycle",
        json_schema_extra={"zh": "OneCycleLR：整个周期的迭代次数"},
    )
    pct_start: float = Field(
        default=0.3,
        gt=0,
        lt=1,
        description="fraction of the cycle spent rising to max_lr",
        json_schema_extra={"zh": "周期中用于升到 max_lr 的比例"},
    )
    div_factor: float = Field(
        default=25.0,
        gt=0,
        description="the starting lr is max_lr / div_factor",
        json_schema_extra={"zh": "初始学习率为 max_lr / div_factor"},
    )
    final_div_factor: float = Field(
        default=1e4,
        gt=0,
        description="the final lr is the starting lr / final_div_factor",
        json_schema_extra={"zh": "最终学习率为初始学习率 / final_div_factor"},
    )
    anneal_strategy: Literal["cos", "linear"] = Field(
        default="cos",
        description="shape of each phase: cos or linear",
        json_schema_extra={"zh": "每个阶段的曲线形状：cos 或 linear"},
    )
    three_phase: bool = Field(
        default=False,
        description="fall back to the starting lr before the final anneal (three phases instead of two)",
        json_schema_extra={"zh": "最后退火前先回落到初始学习率（三个阶段而非两个）"},
    )


Phase = tuple[float, float, float]  # (end step, start lr, end lr)


@schedule
class OneCycle(Schedule[OneCycleArgs]):
    name, torch_class, args_model, difficulties = "onecycle", "OneCycleLR", OneCycleArgs, (3,)
    concept = BiText(
        "OneCycleLR 不用优化器的 lr：先从 max_lr/div_factor 升到 max_lr，再退火到更小的值。"
        "先确定 t 所在的阶段，以及它走过了该阶段的多大比例 pct。",
        "OneCycleLR ignores the optimizer's lr: it rises from max_lr/div_factor to max_lr, then anneals "
        "lower. Find the phase t is in and how far through that phase it is (pct).",
    )
    per_batch = True

    def torch_kwargs(self, a: OneCycleArgs) -> dict[str, Any]:
        # The lr alone is asked about, and SGD here has no momentum to cycle.
        return dict(
            max_lr=a.max_lr,
            total_steps=a.total_steps,
            pct_start=a.pct_start,
            anneal_strategy=a.anneal_strategy,
            div_factor=a.div_factor,
            final_div_factor=a.final_div_factor,
            three_phase=a.three_phase,
            cycle_momentum=False,
        )

    def check(self, a: OneCycleArgs, lr: float) -> None:
        ends = [e for e, _, _ in self.phases(a)]
        if ends[0] <= 0 or any(y <= x for x, y in pairwise(ends)):
            raise ValueError(
                "pct_start·total_steps is too small or too large: every OneCycle phase needs at least "
                "one step (three_phase also needs pct_start < 0.5)"
            )

    def last_step(self, a: OneCycleArgs) -> int:
        return a.total_steps - 1

    def scale(self, a: OneCycleArgs, lr: float) -> float:
        return a.max_lr

    def note(self, a: OneCycleArgs, lr: float) -> BiText:
        return BiText(
            f"（OneCycleLR 会覆盖优化器的 lr：初始学习率是 max_lr/div_factor，所以 lr={fmt(lr)} 不起作用。）",
            f" (OneCycleLR overwrites the optimizer's lr: it starts from max_lr/div_factor, "
            f"so lr={fmt(lr)} plays no role.)",
        )

    def phases(self, a: OneCycleArgs, *, shift: float = 1, low: float | None = None) -> list[Phase]:
        """(end_step, start_lr, end_lr) per phase, written exactly as torch computes them."""
        initial = a.max_lr / a.div_factor
        low = initial / a.final_div_factor if low is None else low
        if a.three_phase:
            return [
                (float(a.pct_start * a.total_steps) - shift, initial, a.max_lr),
                (float(2 * a.pct_start * a.total_steps) - 2 * shift, a.max_lr, initial),
                (a.total_steps - 1, initial, low),
            ]
        return [(float(a.pct_start * a.total_steps) - shift, initial, a.max_lr), (a.total_steps - 1, a.max_lr, low)]

    def position(
        self, a: OneCycleArgs, t: int, phases: list[Phase] | None = None, strategy: str | None = None
    ) -> tuple[float, int, float]:
        """(lr, phase index, pct within the phase)."""
        phases = phases or self.phases(a)
        start = 0.0
        for i, (end, x, y) in enumerate(phases):
            if t <= end or i == len(phases) - 1:
                pct = (t - start) / (end - start)
                if (strategy or a.anneal_strategy) == "cos":
                    return y + (x - y) / 2.0 * (math.cos(math.pi * pct) + 1), i, pct
                return (y - x) * pct + x, i, pct
            start = end
        raise AssertionError("unreachable")

    def lr_at(self, a: OneCycleArgs, lr: float, t: int) -> float:
        return self.position(a, t)[0]

    def sample(self, rng: random.Random, difficulty: int, lr: float, eta_min: float) -> dict[str, Any]:
        T = rng.choice([100, 200, 300])
        return dict(
            max_lr=rng.choice([0.1, 0.01, 1.0, 0.4]),
            total_steps=T,
            pct_start=rng.choice([0.3, 0.25, 0.4]),
            div_factor=rng.choice([25.0, 10.0]),
            final_div_factor=rng.choice([1e4, 100.0]),
            anneal_strategy=rng.choice(["cos", "cos", "linear"]),
            three_phase=rng.random() < 0.3,
            step=rng.randint(0, T - 1),
        )

    def solution(self, a: OneCycleArgs, lr: float, t: int) -> BiText:
        phases = self.phases(a)
        value, i, pct = self.position(a, t, phases)
        start = 0.0 if i == 0 else phases[i - 1][0]
        end, x, y = phases[i]
        if a.anneal_strategy == "cos":
            f = (
                f"lr = end + (start − end)/2·(1 + cos(π·pct)) = "
                f"{fmt(y)} + ({fmt(x)} − {fmt(y)})/2·(1 + cos(π·{fmt(pct)})) = {fmt(value)}"
            )
        else:
            f = f"lr = start + (end − start)·pct = {fmt(x)} + ({fmt(y)} − {fmt(x)})·{fmt(pct)} = {fmt(value)}"
        body = (
            f"initial_lr = max_lr/div_factor = {fmt(a.max_lr)}/{fmt(a.div_factor)} = {fmt(phases[0][1])}; "
            f"min_lr = initial_lr/final_div_factor = {fmt(phases[-1][2])}\n"
            f"phase end steps = {fmt_list([e for e, _, _ in phases])} "
            f"(pct_start·total_steps − 1, …, total_steps − 1)\n"
            f"t={t} → phase {i + 1}: pct = (t − {fmt(start)})/({fmt(end)} − {fmt(start)}) = {fmt(pct)}\n  {f}"
        )
        return BiText("OneCycleLR 分段退火：\n" + body, "OneCycleLR anneals phase by phase:\n" + body)

    def misconceptions(self, a: OneCycleArgs, lr: float, t: int) -> list[Misconception]:
        other = "linear" if a.anneal_strategy == "cos" else "cos"
        return [
            mistake(
                "wrong-anneal",
                self.position(a, t, strategy=other)[0],
                f"anneal_strategy='{a.anneal_strategy}'，你用了 {other} 退火。",
                f"anneal_strategy='{a.anneal_strategy}', but you annealed with {other}.",
            ),
            mistake(
                "phase-end-off-by-one",
                self.position(a, t, self.phases(a, shift=0))[0],
                "阶段终点是 pct_start·total_steps − 1（步数从 0 开始），你少减了 1。",
                "A phase ends at step pct_start·total_steps − 1 (steps count from 0); you dropped the − 1.",
            ),
            mistake(
                "min-lr-from-max",
                self.position(a, t, self.phases(a, low=a.max_lr / a.final_div_factor))[0],
                "最小 lr 是 initial_lr/final_div_factor = max_lr/(div_factor·final_div_factor)，"
                "不是 max_lr/final_div_factor。",
                "The minimum lr is initial_lr/final_div_factor = max_lr/(div_factor·final_div_factor), "
                "not max_lr/final_div_factor.",
            ),
        ]
