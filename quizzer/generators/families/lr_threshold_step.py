"""The first step at which a decaying learning rate falls strictly below a threshold.

The schedulers themselves (arguments, closed form ``lr_at``, torch) come from
``quizzer.generators.schedules``; what lives here is how each one is inverted, one ``Inverse`` per
scheduler that has a closed-form inverse.
"""

from __future__ import annotations

import math
import random
from abc import ABC, abstractmethod
from typing import Any

from pydantic import Field, ValidationInfo, model_validator

from quizzer.generators.base import AnswerSpec, Family, Misconception, fmt
from quizzer.generators.registry import register
from quizzer.generators.schedules import (
    MAX_STEP,
    ScheduleParams,
    torch_run,
    with_scheduler_args,
)
from quizzer.text import BiText

SAMPLED = "sampled"  # validation context of a draw: acceptable() judges it instead of the validator
MAX_ANSWER = 300  # drawn problems stay within a few hundred epochs


class LrThresholdParams(ScheduleParams):
    threshold: float = Field(
        gt=0,
        description="the lr to fall strictly below; the first step at which it does is asked",
        json_schema_extra={"zh": "学习率要严格低于的阈值；求首次低于它的步数"},
    )

    def ill_posed(self) -> str | None:
        """Why these params make no question (None: they do)."""
        if self.threshold >= self.lr:
            return f"threshold ({self.threshold}) must be below lr ({self.lr}); otherwise the answer is step 0"
        why = inverse(self).unreachable(self)
        if why:
            return why
        t = first_below(self)
        if t > MAX_STEP:
            return f"the lr first drops below the threshold only at step {t}; keep it within {MAX_STEP} steps"
        # "Strictly below" must not hinge on rounding: the threshold may not coincide with a scheduled value.
        for s in (t - 1, t):
            if math.isclose(self.lr_at(s), self.threshold, rel_tol=1e-9):
                return (
                    f"threshold {self.threshold} equals the scheduled lr at step {s} up to rounding, so "
                    "'strictly below' is decided by floating-point error; pick a value between two scheduled lrs"
                )
        return None

    @model_validator(mode="after")
    def _well_posed(self, info: ValidationInfo) -> LrThresholdParams:
        why = None if (info.context or {}).get(SAMPLED) else self.ill_posed()
        if why:
            raise ValueError(why)
        return self


def _nice(x: float) -> float:
    """Rounded to 3 significant figures, so the prompt shows exactly the number the solver uses."""
    return float(f"{x:.3g}")


def decays_needed(p: LrThresholdParams) -> float:
    """x with lr·γ^x = threshold: the lr is below the threshold after more than x decays."""
    return math.log(p.threshold / p.lr) / math.log(p.args.gamma)


def cosine_ratio(p: LrThresholdParams) -> float:
    return (p.threshold - p.args.eta_min) / (p.lr - p.args.eta_min)


def _mistake(tag: str, value: int, zh: str, en: str) -> Misconception:
    return Misconception(tag, int(value), BiText(zh, en))


class Inverse(ABC):
    """How one scheduler's closed form is solved for the first step below a threshold."""

    def unreachable(self, p: LrThresholdParams) -> str | None:
        """Why the lr never gets below the threshold, if it never does."""
        return None

    @abstractmethod
    def sample(self, rng: random.Random, difficulty: int, lr: float) -> dict[str, Any]:
        """The scheduler's arguments for a drawn problem."""

    @abstractmethod
    def first_below(self, p: LrThresholdParams) -> int: ...

    @abstractmethod
    def solution(self, p: LrThresholdParams, t: int) -> BiText: ...

    @abstractmethod
    def misconceptions(self, p: LrThresholdParams, t: int) -> list[Misconception]: ...


class ExponentialInverse(Inverse):
    def sample(self, rng: random.Random, difficulty: int, lr: float) -> dict[str, Any]:
        return dict(gamma=rng.choice([0.5, 0.9, 0.8] if difficulty == 1 else [0.9, 0.95, 0.98, 0.85, 0.99]))

    def first_below(self, p: LrThresholdParams) -> int:
        return math.floor(decays_needed(p)) + 1

    def solution(self, p: LrThresholdParams, t: int) -> BiText:
        x, thr = decays_needed(p), fmt(p.threshold)
        body = (
            f"lr·γ^n < thr ⟺ n > ln(thr/lr)/ln(γ) = ln({thr}/{fmt(p.lr)})/ln({fmt(p.args.gamma)}) = {fmt(x)} "
            f"⟹ n = ⌊{fmt(x)}⌋ + 1 = {math.floor(x) + 1}"
        )
        return BiText(body, body)

    def misconceptions(self, p: LrThresholdParams, t: int) -> list[Misconception]:
        r, gamma = p.threshold / p.lr, p.args.gamma
        out = [
            _mistake(
                "e-power",
                math.floor(-math.log(r) / gamma) + 1,
                "ExponentialLR 是 lr·γ^t，不是 lr·e^(−γt)。",
                "ExponentialLR is lr·γ^t, not lr·e^(−γt).",
            )
        ]
        if gamma != 0.5:  # at γ = 0.5 the mistake gives the right answer
            out.append(
                _mistake(
                    "one-minus-gamma",
                    math.floor(math.log(r) / math.log(1 - gamma)) + 1,
                    "γ 是每步保留的比例：每步乘 γ，而不是乘 (1−γ)。",
                    "γ is the fraction kept each step: multiply by γ, not (1−γ).",
                )
            )
        return out


class StepInverse(ExponentialInverse):
    """StepLR is ExponentialLR that decays only every step_size epochs."""

    def sample(self, rng: random.Random, difficulty: int, lr: float) -> dict[str, Any]:
        return dict(
            step_size=rng.choice([10, 20, 30] if difficulty == 1 else [5, 7, 15, 25]),
            gamma=rng.choice([0.5, 0.1] if difficulty == 1 else [0.5, 0.1, 0.8, 0.9]),
        )

    def first_below(self, p: LrThresholdParams) -> int:
        return super().first_below(p) * p.args.step_size

    def solution(self, p: LrThresholdParams, t: int) -> BiText:
        n = super().first_below(p)
        k = p.args.step_size
        return super().solution(p, t) + BiText(
            f"\n  StepLR 的第 n 次衰减发生在 t = n·step_size = {n}·{k} = {t}",
            f"\n  StepLR applies its n-th decay at t = n·step_size = {n}·{k} = {t}",
        )

    def misconceptions(self, p: LrThresholdParams, t: int) -> list[Misconception]:
        x = decays_needed(p)
        return [
            _mistake(
                "no-floor",
                math.floor(x * p.args.step_size) + 1,
                "把 StepLR 当成连续衰减 γ^(t/step_size)；其实 lr 只在 step_size 的整数倍处跳变。",
                "You treated StepLR as a smooth decay γ^(t/step_size); the lr only jumps at multiples of step_size.",
            ),
            _mistake(
                "counted-decays",
                math.floor(x) + 1,
                "这是需要的衰减次数，还要乘以 step_size 才是步数。",
                "That is the number of decays needed; multiply by step_size to get the step.",
            ),
        ]


class CosineInverse(Inverse):
    def unreachable(self, p: LrThresholdParams) -> str | None:
        if p.threshold <= p.args.eta_min:
            return f"the cosine never goes below eta_min ({p.args.eta_min}), so threshold must exceed it"
        return None

    def sample(self, rng: random.Random, difficulty: int, lr: float) -> dict[str, Any]:
        eta = 0.0 if difficulty == 2 else rng.choice([0.0, lr / 100, lr / 20])
        return dict(T_max=rng.choice([10, 20, 50, 100, 200]), eta_min=_nice(eta))

    def crossing(self, p: LrThresholdParams, r: float, period: float = math.pi) -> int:
        # η_min + (lr − η_min)(1 + cos(πt/T))/2 < thr  ⟺  t > T·arccos(2r − 1)/π
        return math.floor(p.args.T_max * math.acos(2 * r - 1) / period) + 1

    def first_below(self, p: LrThresholdParams) -> int:
        return self.crossing(p, cosine_ratio(p))

    def solution(self, p: LrThresholdParams, t: int) -> BiText:
        r, thr, lr, T, eta = cosine_ratio(p), fmt(p.threshold), fmt(p.lr), p.args.T_max, fmt(p.args.eta_min)
        x = T * math.acos(2 * r - 1) / math.pi
        body = (
            f"η_min + (lr − η_min)·(1 + cos(π·t/T_max))/2 < {thr}  ⟺  cos(π·t/T_max) < 2r − 1,\n"
            f"  r = (thr − η_min)/(lr − η_min) = ({thr} − {eta})/({lr} − {eta}) = {fmt(r)}\n"
            f"  ⟺ t > T_max·arccos(2r − 1)/π = {T}·arccos({fmt(2 * r - 1)})/π = {fmt(x)}\n"
            f"  t = ⌊{fmt(x)}⌋ + 1 = {t}"
        )
        return BiText(body, body)

    def misconceptions(self, p: LrThresholdParams, t: int) -> list[Misconception]:
        r = cosine_ratio(p)
        out = [
            _mistake(
                "full-period",
                self.crossing(p, r, 2 * math.pi),
                "T_max 是半个余弦周期：用 cos(π·t/T_max)，不是 cos(2π·t/T_max)。",
                "T_max is half a cosine period: cos(π·t/T_max), not cos(2π·t/T_max).",
            ),
            _mistake(
                "linear-decay",
                math.floor(p.args.T_max * (1 - r)) + 1,
                "余弦退火不是线性衰减：开头和结尾下降慢、中间快。",
                "Cosine annealing is not a linear decay: it falls slowly at the start and end, fast in the middle.",
            ),
        ]
        if p.args.eta_min > 0:
            out.append(
                _mistake(
                    "forgot-eta-min",
                    self.crossing(p, p.threshold / p.lr),
                    "漏了 η_min：余弦在 η_min 与初始 lr 之间插值。",
                    "You left out η_min: the cosine interpolates between η_min and the initial lr.",
                )
            )
        return out


# The schedulers whose closed form inverts in closed form; each must be in the schedules table.
INVERSES: dict[str, Inverse] = {"step": StepInverse(), "exponential": ExponentialInverse(), "cosine": CosineInverse()}
POOLS = {1: ("step", "exponential"), 2: ("step", "exponential", "cosine"), 3: ("exponential", "cosine", "cosine")}


def inverse(p: LrThresholdParams) -> Inverse:
    return INVERSES[p.scheduler]


def first_below(p: LrThresholdParams) -> int:
    """The first step whose lr is strictly below the threshold; a threshold never reached (only in a draw that
    ``acceptable`` rejects) gives MAX_STEP + 1, where the torch loop gives up too."""
    if p.threshold >= p.lr:
        return 0
    if inverse(p).unreachable(p):
        return MAX_STEP + 1
    return inverse(p).first_below(p)


@register
class LrThresholdStep(Family[LrThresholdParams]):
    name = "lr-threshold-step"
    topic = "lr-decay"
    title = BiText("学习率何时降到阈值以下", "When does the lr drop below a threshold")
    answer_spec = AnswerSpec(kind="int")
    params_model = with_scheduler_args(LrThresholdParams, list(INVERSES))

    def sample(self, rng: random.Random, difficulty: int) -> LrThresholdParams:
        s = rng.choice(POOLS[difficulty])
        lr = rng.choice([0.1, 0.01, 0.05] if difficulty == 1 else [0.1, 0.01, 0.05, 0.2, 0.001])
        frac = rng.choice(
            [0.5, 0.1, 0.25, 0.2, 0.05, 0.01] if difficulty == 1 else [0.3, 0.15, 0.07, 0.03, 0.004, 0.6, 0.45]
        )
        values = dict(scheduler=s, lr=lr, threshold=_nice(lr * frac), **INVERSES[s].sample(rng, difficulty, lr))
        return self.params_model.model_validate(values, context={SAMPLED: True})

    def acceptable(self, p: LrThresholdParams) -> bool:
        # A tie or an unreachable threshold is no question; nor is one answered only after hundreds of epochs.
        return p.ill_posed() is None and first_below(p) <= MAX_ANSWER

    def solve(self, p: LrThresholdParams) -> int:
        return first_below(p)

    def verify(self, p: LrThresholdParams) -> int:
        return torch_run(p.schedule, p.args, p.lr, lambda t, lr: lr < p.threshold or t > MAX_STEP)[0]

    def prompt(self, p: LrThresholdParams) -> BiText:
        ctor = p.constructor()
        return BiText(
            f"优化器 torch.optim.SGD(params, lr={fmt(p.lr)}) 配上调度器 {ctor}，每个 epoch 先 optimizer.step() 再 "
            f"scheduler.step()（第 t 个 epoch 的学习率是调用 t 次 scheduler.step() 之后的值，t 从 0 开始）。"
            f"学习率第一次严格小于 {fmt(p.threshold)} 的是第几个 epoch t？",
            f"An optimizer torch.optim.SGD(params, lr={fmt(p.lr)}) is wrapped in {ctor}; every epoch calls "
            f"optimizer.step() and then scheduler.step() (the lr of epoch t is the value after t calls of "
            f"scheduler.step(), counting t from 0). At which epoch t is the learning rate strictly below "
            f"{fmt(p.threshold)} for the first time?",
        )

    def solution(self, p: LrThresholdParams) -> BiText:
        t, thr = first_below(p), fmt(p.threshold)
        values = f"lr_{t - 1} = {fmt(p.lr_at(t - 1))} ≥ {thr}, lr_{t} = {fmt(p.lr_at(t))} < {thr}"
        return inverse(p).solution(p, t) + BiText(f"\n验证：{values}", f"\ncheck: {values}")

    def misconceptions(self, p: LrThresholdParams) -> list[Misconception]:
        t = first_below(p)
        return [
            _mistake(
                "last-step-above",
                t - 1,
                f"这是学习率仍 ≥ 阈值的最后一步；题目问的是第一次严格小于阈值的一步（{t}）。",
                f"That is the last step still at or above the threshold; the question asks for the first step "
                f"strictly below it ({t}).",
            ),
            *inverse(p).misconceptions(p, t),
        ]

    def hints(self, p: LrThresholdParams) -> list[BiText]:
        thr, lr = fmt(p.threshold), fmt(p.lr)
        if p.scheduler == "cosine":
            r, T, eta = cosine_ratio(p), p.args.T_max, fmt(p.args.eta_min)
            x = T * math.acos(2 * r - 1) / math.pi
            return [
                BiText(
                    "把余弦退火公式 η_min + (lr − η_min)·(1 + cos(π·t/T_max))/2 < 阈值 对 t 解出来，"
                    "再取越过这个根的第一个整数 t。",
                    "Solve the cosine formula η_min + (lr − η_min)·(1 + cos(π·t/T_max))/2 < threshold for t, "
                    "then take the first whole t past that root.",
                ),
                BiText(
                    f"r = (thr − η_min)/(lr − η_min) = ({thr} − {eta})/({lr} − {eta}) = {fmt(r)}；需要 "
                    "cos(π·t/T_max) < 2r − 1",
                    f"r = (thr − η_min)/(lr − η_min) = ({thr} − {eta})/({lr} − {eta}) = {fmt(r)}; "
                    "you need cos(π·t/T_max) < 2r − 1",
                ),
                BiText(
                    f"t > {T}·arccos({fmt(2 * r - 1)})/π = {fmt(x)}：取大于它的第一个整数。",
                    f"t > {T}·arccos({fmt(2 * r - 1)})/π = {fmt(x)}: take the first whole number above it.",
                ),
            ]
        x = decays_needed(p)
        concept = BiText(
            "每衰减一次学习率乘 γ：lr·γ^n < 阈值 ⟺ n > ln(阈值/lr)/ln γ（ln γ < 0，不等号反向），"
            "第一个满足的整数是 ⌊·⌋ + 1。",
            "Each decay multiplies the lr by γ: lr·γ^n < threshold ⟺ n > ln(threshold/lr)/ln γ "
            "(ln γ < 0 flips the inequality); the first whole n is ⌊·⌋ + 1.",
        )
        count = BiText(f"n > {fmt(x)}：取大于它的第一个整数。", f"n > {fmt(x)}: take the first whole number above it.")
        if p.scheduler == "step":
            concept += BiText(
                "StepLR 每 step_size 个 epoch 才衰减一次，第 n 次衰减发生在 t = n·step_size。",
                " StepLR decays once every step_size epochs, so the n-th decay happens at t = n·step_size.",
            )
            count += BiText(
                f"再乘以 step_size = {p.args.step_size}。", f" Then multiply by step_size = {p.args.step_size}."
            )
        step = f"n > ln({thr}/{lr})/ln({fmt(p.args.gamma)})"
        return [concept, BiText(step, step), count]
