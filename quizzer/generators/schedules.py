"""Learning-rate schedulers: one table entry per ``torch.optim.lr_scheduler`` scheduler the families use.

An entry (a ``Schedule`` subclass filed in ``SCHEDULES`` by ``@schedule``; the contract is in
``schedule_base``) holds everything about one scheduler: the name users type (``scheduler=multistep``),
torch's class and how its constructor is called, the arguments under torch's names with torch's
defaults (a pydantic model), the closed form ``lr_at``, a sampler per difficulty, the worked solution
and the typical mistakes, each computed by making that mistake. Adding a scheduler is one entry here:
``with_scheduler_args`` gives every family its arguments and ``SCHEDULES`` its name.

The closed forms are the ones the PyTorch docs give; torch updates most schedulers recursively, which
agrees with them only up to floating-point error. torch is imported by ``torch_run`` only.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_left, bisect_right
from itertools import pairwise
from typing import Any

from pydantic import Field

from quizzer.generators.base import Misconception, fmt, fmt_list
from quizzer.generators.schedule_base import (
    MAX_STEP,
    SCHEDULES,
    Args,
    Schedule,
    ScheduleParams,
    mistake,
    same,
    schedule,
    torch_run,
    with_scheduler_args,
)
from quizzer.text import BiText

__all__ = ["MAX_STEP", "SCHEDULES", "Args", "Schedule", "ScheduleParams", "mistake", "torch_run", "with_scheduler_args"]

# ---------------------------------------------------------------- shared maths


def cosine(lr: float, eta_min: float, t: float, period: int) -> float:
    half = (1 + math.cos(math.pi * t / period)) / 2
    return eta_min + (lr - eta_min) * (half if half > 1e-12 else 0.0)  # cos(π) is −1 only to 1e-16


def restart_position(T_0: int, T_mult: int, t: int) -> tuple[int, int]:
    """(T_cur, T_i): steps since the last warm restart and the length of the current cycle."""
    T_cur, T_i = t, T_0
    while T_cur >= T_i:
        T_cur, T_i = T_cur - T_i, T_i * T_mult
    return T_cur, T_i


def _check_eta_min(eta_min: float, lr: float) -> None:
    if eta_min >= lr:
        raise ValueError(f"eta_min ({eta_min}) must be below lr ({lr}) for the lr to anneal down to it")


def cosine_solution(head: BiText, lr: float, eta_min: float, T_cur: int, period: int, ans: float) -> BiText:
    eta, half = fmt(eta_min), (1 + math.cos(math.pi * T_cur / period)) / 2
    return head + same(
        f"lr = η_min + (lr₀ − η_min)·(1 + cos(π·T_cur/T))/2 = "
        f"{eta} + ({fmt(lr)} − {eta})·(1 + cos(π·{T_cur}/{period}))/2\n"
        f"  = {eta} + {fmt(lr - eta_min)}·{fmt(half)} = {fmt(ans)}"
    )


def cosine_mistakes(lr: float, eta_min: float, T_cur: int, period: int) -> list[Misconception]:
    if T_cur < 0:
        return []
    out = [
        mistake(
            "full-period",
            cosine(lr, eta_min, 2 * T_cur, period),
            "T 是半个余弦周期：lr 在 T 步内从最大降到 η_min，用的是 cos(π·t/T)，不是 cos(2π·t/T)。",
            "T is half a cosine period: the lr falls from its maximum to η_min in T steps, "
            "cos(π·t/T), not cos(2π·t/T).",
        )
    ]
    if eta_min > 0:
        out.append(
            mistake(
                "forgot-eta-min",
                cosine(lr, 0.0, T_cur, period),
                "漏了 η_min：余弦在 η_min 与初始 lr 之间插值。",
                "You left out η_min: the cosine interpolates between η_min and the initial lr.",
            )
        )
    return out


# ---------------------------------------------------------------- the table


class StepArgs(Args):
    step_size: int = Field(
        ge=1,
        description="StepLR: epochs between two decays",
        json_schema_extra={"zh": "StepLR：两次衰减之间的 epoch 数"},
    )
    gamma: float = Field(
        default=0.1,
        gt=0,
        le=1,
        description="multiplicative decay factor of the lr",
        json_schema_extra={"zh": "学习率的乘性衰减因子"},
    )


@schedule
class Step(Schedule[StepArgs]):
    name, torch_class, args_model, difficulties = "step", "StepLR", StepArgs, (1, 2)
    concept = BiText(
        "StepLR 每隔 step_size 个 epoch 把学习率整体乘一次 γ：指数是已走完的完整区间数 ⌊t/step_size⌋。",
        "StepLR multiplies the lr by γ once every step_size epochs: the exponent is the number of "
        "whole periods done, ⌊t/step_size⌋.",
    )

    def lr_at(self, a: StepArgs, lr: float, t: int) -> float:
        return lr * a.gamma ** (t // a.step_size)

    def sample(self, rng: random.Random, difficulty: int, lr: float, eta_min: float) -> dict[str, Any]:
        ss = rng.choice([10, 20, 30, 50] if difficulty == 1 else [3, 5, 7, 10, 25, 30])
        return dict(
            step_size=ss,
            gamma=rng.choice([0.1, 0.5] if difficulty == 1 else [0.1, 0.5, 0.9, 0.8]),
            step=rng.choice([rng.randint(0, 4 * ss), rng.randint(1, 4) * ss]),
        )

    def solution(self, a: StepArgs, lr: float, t: int) -> BiText:
        k, g = t // a.step_size, fmt(a.gamma)
        return same(
            f"lr_t = lr·γ^⌊t/step_size⌋ = {fmt(lr)}·{g}^⌊{t}/{a.step_size}⌋ = {fmt(lr)}·{g}^{k} = "
            f"{fmt(self.lr_at(a, lr, t))}"
        )

    def misconceptions(self, a: StepArgs, lr: float, t: int) -> list[Misconception]:
        return [
            mistake(
                "no-floor",
                lr * a.gamma ** (t / a.step_size),
                "忘了向下取整：StepLR 每 step_size 步才整体乘一次 γ，指数是 ⌊t/step_size⌋。",
                "You forgot the floor: StepLR multiplies by γ once per step_size steps, exponent ⌊t/step_size⌋.",
            ),
            mistake(
                "decay-every-step",
                lr * a.gamma**t,
                "把 StepLR 当成了 ExponentialLR：不是每步都乘 γ。",
                "You treated StepLR as ExponentialLR: γ is not applied at every step.",
            ),
        ]


class MultiStepArgs(Args):
    milestones: list[int] = Field(
        description="MultiStepLR: the epochs at which the lr decays, increasing, comma-separated, e.g. 30,80",
        json_schema_extra={"zh": "MultiStepLR：学习率衰减的 epoch，递增，逗号分隔，如 30,80"},
    )
    gamma: float = Field(
        default=0.1,
        gt=0,
        le=1,
        description="multiplicative decay factor of the lr",
        json_schema_extra={"zh": "学习率的乘性衰减因子"},
    )


@schedule
class MultiStep(Schedule[MultiStepArgs]):
    name, torch_class, args_model, difficulties = "multistep", "MultiStepLR", MultiStepArgs, (1, 2, 3)
    concept = BiText(
        "MultiStepLR 每到一个 milestone 就把学习率乘一次 γ：数一数不超过 t 的 milestone 有几个"
        "（到达 milestone 的当步就已生效）。",
        "MultiStepLR multiplies the lr by γ at every milestone: count the milestones that are ≤ t "
        "(a milestone takes effect on its own step).",
    )

    def check(self, a: MultiStepArgs, lr: float) -> None:
        ms = a.milestones
        if not ms or ms[0] < 1 or any(y <= x for x, y in pairwise(ms)):
            raise ValueError("milestones must be positive and strictly increasing, e.g. milestones=30,80")

    def lr_at(self, a: MultiStepArgs, lr: float, t: int) -> float:
        return lr * a.gamma ** bisect_right(a.milestones, t)

    def sample(self, rng: random.Random, difficulty: int, lr: float, eta_min: float) -> dict[str, Any]:
        ms = rng.choice([[30, 80], [50, 100, 150], [10, 20], [60, 120, 160], [30, 60, 90]])
        edge = rng.choice(ms) + (rng.choice([-1, 0, 1]) if difficulty > 1 else 0)
        return dict(
            milestones=ms, gamma=rng.choice([0.1, 0.5, 0.2]), step=rng.choice([rng.randint(ms[0], ms[-1] + 20), edge])
        )

    def solution(self, a: MultiStepArgs, lr: float, t: int) -> BiText:
        k = bisect_right(a.milestones, t)
        passed = fmt_list([float(m) for m in a.milestones[:k]])
        tail = f"  = {fmt(lr)}·{fmt(a.gamma)}^{k} = {fmt(self.lr_at(a, lr, t))}"
        return BiText(
            f"lr_t = lr·γ^(不超过 t 的 milestone 个数)；≤ {t} 的 milestone：{passed}，共 {k} 个\n" + tail,
            f"lr_t = lr·γ^(number of milestones ≤ t); milestones ≤ {t}: {passed}, that is {k}\n" + tail,
        )

    def misconceptions(self, a: MultiStepArgs, lr: float, t: int) -> list[Misconception]:
        out = [
            mistake(
                "milestone-exclusive",
                lr * a.gamma ** bisect_left(a.milestones, t),
                "milestone 当步就已经衰减：到达 milestone m 时 lr 已乘上 γ（计数的是 ≤ t 的 milestone）。",
                "At a milestone m the lr is already decayed: count the milestones ≤ t, not < t.",
            )
        ]
        if bisect_right(a.milestones, t) >= 2:
            out.append(
                mistake(
                    "not-compounded",
                    lr * a.gamma,
                    "每经过一个 milestone 都要再乘一次 γ（累乘），不是只乘一次。",
                    "Each milestone passed multiplies by γ again (compounding), not just once.",
                )
            )
        return out


class ExponentialArgs(Args):
    gamma: float = Field(
        gt=0,
        le=1,
        description="multiplicative decay factor of the lr",
        json_schema_extra={"zh": "学习率的乘性衰减因子"},
    )


@schedule
class Exponential(Schedule[ExponentialArgs]):
    name, torch_class, args_model, difficulties = "exponential", "ExponentialLR", ExponentialArgs, (1, 2)
    concept = BiText(
        "ExponentialLR 每调用一次 step() 就把学习率乘一次 γ：调用 t 次之后是 lr·γ^t。",
        "ExponentialLR multiplies the lr by γ at every call of step(): after t calls it is lr·γ^t.",
    )

    def lr_at(self, a: ExponentialArgs, lr: float, t: int) -> float:
        return lr * a.gamma**t

    def sample(self, rng: random.Random, difficulty: int, lr: float, eta_min: float) -> dict[str, Any]:
        return dict(
            gamma=rng.choice([0.9, 0.5, 0.95, 0.8] if difficulty == 1 else [0.9, 0.95, 0.98, 0.99, 0.85]),
            step=rng.randint(1, 10 if difficulty == 1 else 60),
        )

    def solution(self, a: ExponentialArgs, lr: float, t: int) -> BiText:
        return same(f"lr_t = lr·γ^t = {fmt(lr)}·{fmt(a.gamma)}^{t} = {fmt(self.lr_at(a, lr, t))}")

    def misconceptions(self, a: ExponentialArgs, lr: float, t: int) -> list[Misconception]:
        return [
            mistake(
                "e-power",
                lr * math.exp(-a.gamma * t),
                "ExponentialLR 的 γ 是每步的乘数：lr·γ^t，不是 lr·e^(−γt)。",
                "ExponentialLR's γ is a per-step factor: lr·γ^t, not lr·e^(−γt).",
            ),
            mistake(
                "one-minus-gamma",
                lr * (1 - a.gamma) ** t,
                "γ 是保留比例而不是衰减率：每步乘 γ，不是乘 (1−γ)。",
                "γ is the fraction kept, not the decay rate: multiply by γ, not (1−γ).",
            ),
        ]


class CosineArgs(Args):
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
class Cosine(Schedule[CosineArgs]):
    name, torch_class, args_model, difficulties = "cosine", "CosineAnnealingLR", CosineArgs, (1, 2, 3)
    concept = BiText(
        "CosineAnnealingLR 沿半个余弦周期从初始 lr 降到 η_min：T_max 步走完这半个周期，所以用 cos(π·t/T_max)。",
        "CosineAnnealingLR follows half a cosine period from the initial lr down to η_min: T_max steps "
        "cover that half period, so it uses cos(π·t/T_max).",
    )

    def check(self, a: CosineArgs, lr: float) -> None:
        _check_eta_min(a.eta_min, lr)

    def lr_at(self, a: CosineArgs, lr: float, t: int) -> float:
        return cosine(lr, a.eta_min, t, a.T_max)

    def sample(self, rng: random.Random, difficulty: int, lr: float, eta_min: float) -> dict[str, Any]:
        T = rng.choice([12, 24, 36, 60, 120] if difficulty == 1 else [10, 30, 50, 90, 100, 200])
        t = int(T * rng.choice([1 / 4, 1 / 3, 1 / 2, 2 / 3, 3 / 4])) if difficulty == 1 else rng.randint(0, T)
        if difficulty == 3 and rng.random() < 0.3:
            t = rng.randint(T + 1, min(2 * T, 300))  # past T_max the schedule climbs back up
        return dict(T_max=T, eta_min=eta_min, step=t)

    def solution(self, a: CosineArgs, lr: float, t: int) -> BiText:
        return cosine_solution(BiText("", ""), lr, a.eta_min, t, a.T_max, self.lr_at(a, lr, t))

    def misconceptions(self, a: CosineArgs, lr: float, t: int) -> list[Misconception]:
        return cosine_mistakes(lr, a.eta_min, t, a.T_max)


class RestartsArgs(Args):
    T_0: int = Field(
        ge=1, description="length of the first cycle, in steps", json_schema_extra={"zh": "第一个周期的长度（步数）"}
    )
    T_mult: int = Field(
        default=1,
        ge=1,
        description="each cycle is T_mult times longer than the one before",
        json_schema_extra={"zh": "每个周期是上一个周期的 T_mult 倍长"},
    )
    eta_min: float = Field(
        default=0.0,
        ge=0,
        description="the lowest lr the cosine reaches",
        json_schema_extra={"zh": "余弦所能达到的最低学习率"},
    )


@schedule
class CosineRestarts(Schedule[RestartsArgs]):
    name, torch_class, args_model, difficulties = "cosine-restarts", "CosineAnnealingWarmRestarts", RestartsArgs, (2, 3)
    concept = BiText(
        "CosineAnnealingWarmRestarts 在每个周期里从初始 lr 做一次余弦退火，然后重启；周期长度依次为 "
        "T_0、T_0·T_mult……先找出 t 落在哪个周期、距上次重启多少步。",
        "CosineAnnealingWarmRestarts anneals from the initial lr along a cosine within each cycle, then "
        "restarts; cycles last T_0, T_0·T_mult, … steps. First find the cycle t falls in and how far "
        "past its restart t is.",
    )

    def check(self, a: RestartsArgs, lr: float) -> None:
        _check_eta_min(a.eta_min, lr)

    def lr_at(self, a: RestartsArgs, lr: float, t: int) -> float:
        return cosine(lr, a.eta_min, *restart_position(a.T_0, a.T_mult, t))

    def sample(self, rng: random.Random, difficulty: int, lr: float, eta_min: float) -> dict[str, Any]:
        T0, Tm = rng.choice([5, 10, 20]), (1 if difficulty == 2 and rng.random() < 0.5 else rng.choice([2, 3]))
        return dict(T_0=T0, T_mult=Tm, eta_min=eta_min, step=rng.randint(T0 // 2, min(300, T0 * (1 + Tm + Tm * Tm))))

    def solution(self, a: RestartsArgs, lr: float, t: int) -> BiText:
        T_cur, period = restart_position(a.T_0, a.T_mult, t)
        head = BiText(
            f"周期长度依次为 T_0, T_0·T_mult, …（T_0={a.T_0}, T_mult={a.T_mult}）；t={t} 落在长度 T_i={period} 的周期里，"
            f"距上次重启 T_cur={T_cur} 步\n",
            f"Cycles last T_0, T_0·T_mult, … steps (T_0={a.T_0}, T_mult={a.T_mult}); "
            f"t={t} lies in a cycle of "
            f"length T_i={period}, T_cur={T_cur} steps after the last restart\n",
        )
        return cosine_solution(head, lr, a.eta_min, T_cur, period, self.lr_at(a, lr, t))

    def misconceptions(self, a: RestartsArgs, lr: float, t: int) -> list[Misconception]:
        out = cosine_mistakes(lr, a.eta_min, *restart_position(a.T_0, a.T_mult, t))
        if a.T_mult > 1:
            out.append(
                mistake(
                    "no-period-growth",
                    cosine(lr, a.eta_min, t % a.T_0, a.T_0),
                    f"每次重启后周期要乘以 T_mult={a.T_mult}：周期依次是 T_0, T_0·T_mult, …，不是固定 T_0。",
                    f"After each restart the period grows by T_mult={a.T_mult}: T_0, T_0·T_mult, …, not a fixed T_0.",
                )
            )
        out.append(
            mistake(
                "no-restart",
                cosine(lr, a.eta_min, t, a.T_0),
                "忘了热重启：到达周期末尾时 T_cur 归零、lr 跳回初始值。",
                "You forgot the warm restart: at the end of a cycle T_cur resets to 0 and the lr jumps back up.",
            )
        )
        return out


class LinearArgs(Args):
    start_factor: float = Field(
        default=1.0 / 3,
        gt=0,
        le=1,
        description="the lr is multiplied by this at step 0",
        json_schema_extra={"zh": "第 0 步时学习率乘以的因子"},
    )
    end_factor: float = Field(
        default=1.0,
        ge=0,
        le=1,
        description="LinearLR: the multiplier of the lr from total_iters on",
        json_schema_extra={"zh": "LinearLR：从第 total_iters 步起学习率乘以的因子"},
    )
    total_iters: int = Field(
        default=5,
        ge=1,
        description="steps over which the factor changes, then stays",
        json_schema_extra={"zh": "因子变化所经历的步数，之后保持不变"},
    )


@schedule
class Linear(Schedule[LinearArgs]):
    name, torch_class, args_model, difficulties = "linear", "LinearLR", LinearArgs, (2, 3)
    concept = BiText(
        "LinearLR 在 total_iters 步内把乘数从 start_factor 线性地变到 end_factor，之后保持不变；"
        "学习率 = 初始 lr × 乘数。",
        "LinearLR moves a factor linearly from start_factor to end_factor over total_iters steps and "
        "then holds it; the lr is the initial lr times that factor.",
    )

    def factor(self, a: LinearArgs, t: int) -> float:
        return a.start_factor + (a.end_factor - a.start_factor) * min(t, a.total_iters) / a.total_iters

    def lr_at(self, a: LinearArgs, lr: float, t: int) -> float:
        return lr * self.factor(a, t)

    def sample(self, rng: random.Random, difficulty: int, lr: float, eta_min: float) -> dict[str, Any]:
        n = rng.choice([4, 5, 10, 20])
        sf, ef = rng.choice([(0.1, 1.0), (0.25, 1.0), (1.0, 0.5), (0.5, 1.0), (1.0, 0.1), (0.2, 0.8)])
        return dict(start_factor=sf, end_factor=ef, total_iters=n, step=rng.randint(0, n + 3))

    def solution(self, a: LinearArgs, lr: float, t: int) -> BiText:
        m, f = min(t, a.total_iters), self.factor(a, t)
        return same(
            f"factor = start_factor + (end_factor − start_factor)·min(t, total_iters)/total_iters\n"
            f"  = {fmt(a.start_factor)} + ({fmt(a.end_factor)} − {fmt(a.start_factor)})·{m}/{a.total_iters}"
            f" = {fmt(f)}\n"
            f"lr_t = lr·factor = {fmt(lr)}·{fmt(f)} = {fmt(self.lr_at(a, lr, t))}"
        )

    def misconceptions(self, a: LinearArgs, lr: float, t: int) -> list[Misconception]:
        return [
            mistake(
                "no-clamp",
                lr * (a.start_factor + (a.end_factor - a.start_factor) * t / a.total_iters),
                "total_iters 步之后因子停在 end_factor，不再继续线性变化。",
                "After total_iters steps the factor stays at end_factor; it stops changing.",
            ),
            mistake(
                "factor-as-lr",
                self.lr_at(a, lr, t) / lr,
                "LinearLR 的因子要乘以初始 lr，它本身不是学习率。",
                "LinearLR's factor multiplies the initial lr; it is not the lr itself.",
            ),
        ]


# The rest of the table lives in its own modules (this one would outgrow a file); importing them files their
# entries after the ones above, in this order.
from quizzer.generators import schedules_warmup, schedules_cyclic, schedules_plateau, schedules_composite  # noqa: E402, F401, I001
