"""The first step at which a decaying learning rate falls strictly below a threshold.

The schedulers themselves (arguments, closed form ``lr_at``, torch) come from
``quizzer.generators.schedules``; what lives here is how each one is inverted, one ``Inverse`` per
scheduler that has a closed-form inverse.
"""

from __future__ import annotations

import math
import random
from abc import ABC, abstractmethod
from bisect import bisect_right
from dataclasses import dataclass
from fractions import Fraction
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
        description="the lr to fall strictly below; the first step at which it does is asked (equal is not below)",
        json_schema_extra={"zh": "学习率要严格低于的阈值；求首次低于它的步数（相等不算低于）"},
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
        # A threshold equal to a scheduled lr is a fair question (strictly below excludes equality); the answer
        # then follows torch's floating-point lr, and the solution says so (see ``boundary``).
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


def decayed(p: LrThresholdParams, n: int) -> float:
    """lr after n decays, multiplied out as torch does (``group['lr'] * gamma`` once per decay, in Python floats)."""
    x = p.lr
    for _ in range(n):
        x *= p.args.gamma
    return x


def decays_below(p: LrThresholdParams) -> int:
    """The fewest decays that leave torch's float lr strictly below the threshold.

    The logarithm gives it in real arithmetic; at a tie (lr·γ^n equal to the threshold) rounding in the
    logarithm may land on either side, and torch's floating-point product is what the answer follows.
    """
    n = max(0, math.floor(decays_needed(p)) + 1)
    while n > 0 and decayed(p, n - 1) < p.threshold:
        n -= 1
    while decayed(p, n) >= p.threshold and n <= MAX_STEP:
        n += 1
    return n


def first_whole(x: float, answer: int, var: str) -> BiText:
    """``⟹ n = ⌊x⌋ + 1``, unless x is a whole number: then the lr equals the threshold there and floats decide."""
    k = round(x)
    if math.isclose(x, k, rel_tol=0, abs_tol=1e-9):
        if answer == k:
            return BiText(
                f"⟹ {var} = {k} 时 lr 在实数上等于阈值，但 torch 舍入后的 lr 已低于阈值（见下方“边界”），{var} = {k}",
                f"⟹ at {var} = {k} the lr equals the threshold in real arithmetic, but torch's rounded lr is already "
                f"below it (see the boundary note below), {var} = {k}",
            )
        return BiText(
            f"⟹ {var} = {k} 时 lr 等于阈值，相等不算低于（见下方“边界”），{var} = {answer}",
            f"⟹ at {var} = {k} the lr equals the threshold, and equal is not below (see the boundary note below), "
            f"{var} = {answer}",
        )
    text = f"⟹ {var} = ⌊{fmt(x)}⌋ + 1 = {answer}"
    return BiText(text, text)


def torch_cosine_lrs(p: LrThresholdParams, upto: int) -> list[float]:
    """CosineAnnealingLR's lr at steps 0..upto, by torch's own recursion (``CosineAnnealingLR.get_lr``)."""
    lr, eta, T = p.lr, p.args.eta_min, p.args.T_max
    out = [lr]
    for t in range(1, upto + 1):
        if (t - 1 - T) % (2 * T) == 0:
            lr = lr + (p.lr - eta) * (1 - math.cos(math.pi / T)) / 2
        else:
            lr = (1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T)) * (lr - eta) + eta
        out.append(lr)
    return out


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
    def unreachable(self, p: LrThresholdParams) -> str | None:
        if p.args.gamma >= 1:
            return "gamma=1 never decays the lr, so it never drops below the threshold"
        return None

    def sample(self, rng: random.Random, difficulty: int, lr: float) -> dict[str, Any]:
        return dict(gamma=rng.choice([0.5, 0.9, 0.8] if difficulty == 1 else [0.9, 0.95, 0.98, 0.85, 0.99]))

    def first_below(self, p: LrThresholdParams) -> int:
        return decays_below(p)

    def solution(self, p: LrThresholdParams, t: int) -> BiText:
        x, thr = decays_needed(p), fmt(p.threshold)
        body = f"lr·γ^n < thr ⟺ n > ln(thr/lr)/ln(γ) = ln({thr}/{fmt(p.lr)})/ln({fmt(p.args.gamma)}) = {fmt(x)} "
        return BiText(body, body) + first_whole(x, decays_below(p), "n")

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


class MultiStepInverse(Inverse):
    """MultiStepLR: the n-th decay happens at the n-th milestone, so the answer is a milestone."""

    def decays(self, p: LrThresholdParams) -> int:
        return decays_below(p) if p.args.gamma < 1 else MAX_STEP + 1

    def unreachable(self, p: LrThresholdParams) -> str | None:
        ms, n = p.args.milestones, self.decays(p)
        if n > len(ms):
            floor = p.lr * p.args.gamma ** len(ms)
            return (
                f"after its {len(ms)} milestone{'s' if len(ms) > 1 else ''} the lr stays at lr·γ^{len(ms)} = "
                f"{fmt(floor)}, not below the threshold {fmt(p.threshold)}"
            )
        return None

    def sample(self, rng: random.Random, difficulty: int, lr: float) -> dict[str, Any]:
        ms = rng.choice([[30, 80], [50, 100, 150], [10, 20, 40], [60, 120, 160], [30, 60, 90], [5, 15, 25, 35]])
        return dict(milestones=ms, gamma=rng.choice([0.1, 0.5] if difficulty == 1 else [0.1, 0.5, 0.2, 0.3]))

    def first_below(self, p: LrThresholdParams) -> int:
        return p.args.milestones[self.decays(p) - 1]

    def solution(self, p: LrThresholdParams, t: int) -> BiText:
        x, n, thr = decays_needed(p), self.decays(p), fmt(p.threshold)
        body = f"lr·γ^n < thr ⟺ n > ln(thr/lr)/ln(γ) = ln({thr}/{fmt(p.lr)})/ln({fmt(p.args.gamma)}) = {fmt(x)} "
        return (
            BiText(body, body)
            + first_whole(x, n, "n")
            + BiText(
                f"\n  MultiStepLR 的第 n 次衰减发生在第 n 个 milestone：milestones[{n - 1}] = {t}",
                f"\n  MultiStepLR applies its n-th decay at the n-th milestone: milestones[{n - 1}] = {t}",
            )
        )

    def misconceptions(self, p: LrThresholdParams, t: int) -> list[Misconception]:
        ms, n = p.args.milestones, self.decays(p)
        out = [
            _mistake(
                "counted-decays",
                n,
                "这是需要的衰减次数；答案是第 n 次衰减所在的 milestone。",
                "That is the number of decays needed; the answer is the milestone where the n-th decay happens.",
            )
        ]
        if n >= 2:
            out.append(
                _mistake(
                    "one-milestone-early",
                    ms[n - 2],
                    f"在 milestone {ms[n - 2]} 处只衰减了 {n - 1} 次，lr 还不低于阈值。",
                    f"At milestone {ms[n - 2]} only {n - 1} decays have happened; the lr is not yet below the threshold.",
                )
            )
        return out


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
        # The root in real arithmetic, then torch's own floats decide a step whose lr ties with the threshold.
        t = self.crossing(p, cosine_ratio(p))
        lrs = torch_cosine_lrs(p, t + 1)
        while t > 0 and lrs[t - 1] < p.threshold:
            t -= 1
        while t + 1 < len(lrs) and lrs[t] >= p.threshold:
            t += 1
        return t

    def solution(self, p: LrThresholdParams, t: int) -> BiText:
        r, thr, lr, T, eta = cosine_ratio(p), fmt(p.threshold), fmt(p.lr), p.args.T_max, fmt(p.args.eta_min)
        x = T * math.acos(2 * r - 1) / math.pi
        body = (
            f"η_min + (lr − η_min)·(1 + cos(π·t/T_max))/2 < {thr}  ⟺  cos(π·t/T_max) < 2r − 1,\n"
            f"  r = (thr − η_min)/(lr − η_min) = ({thr} − {eta})/({lr} − {eta}) = {fmt(r)}\n"
            f"  ⟺ t > T_max·arccos(2r − 1)/π = {T}·arccos({fmt(2 * r - 1)})/π = {fmt(x)}\n  "
        )
        return BiText(body, body) + first_whole(x, t, "t")

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
INVERSES: dict[str, Inverse] = {
    "step": StepInverse(),
    "multistep": MultiStepInverse(),
    "exponential": ExponentialInverse(),
    "cosine": CosineInverse(),
}
POOLS = {
    1: ("step", "exponential", "multistep"),
    2: ("step", "exponential", "cosine", "multistep"),
    3: ("exponential", "cosine", "cosine", "multistep"),
}


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


def torch_float_lr(p: LrThresholdParams, t: int) -> float:
    """The lr torch holds at step t, bit for bit: the decays multiplied out, or the cosine's own recursion."""
    a = p.args
    if p.scheduler == "cosine":
        return torch_cosine_lrs(p, t)[t]
    n = {"step": lambda: t // a.step_size, "multistep": lambda: bisect_right(a.milestones, t)}.get(
        p.scheduler, lambda: t
    )()
    return decayed(p, n)


@dataclass(frozen=True)
class Tie:
    """A step whose lr equals the threshold in real arithmetic, where only "strictly" and rounding decide."""

    step: int
    exact: bool  # equal exactly (the decimal numbers as typed); False: the cosine, equal up to rounding
    value: float  # torch's float lr at that step
    below: bool  # whether that float is strictly below the threshold's float


def tie(p: LrThresholdParams) -> Tie | None:
    t = first_below(p)
    for s in (t - 1, t):
        if s < 0 or not math.isclose(p.lr_at(s), p.threshold, rel_tol=1e-9):
            continue
        exact = False
        if p.scheduler != "cosine":
            decays = round(decays_needed(p))
            exact = Fraction(repr(p.lr)) * Fraction(repr(p.args.gamma)) ** decays == Fraction(repr(p.threshold))
        value = torch_float_lr(p, s)
        return Tie(s, exact, value, value < p.threshold)
    return None


def tie_text(p: LrThresholdParams, k: Tie) -> BiText:
    """Why the tie step is, or is not, the answer: ≤ against <, then the binary floats torch compares."""
    thr, v, s = p.threshold, k.value, k.step
    equal_zh = "恰好等于" if k.exact else "在舍入误差内等于"
    equal_en = "exactly equals" if k.exact else "equals, up to rounding,"
    floats = f"{v!r} {'<' if k.below else '=' if v == thr else '>'} {thr!r}"
    if not k.below:
        why_zh = "乘 0.5 只改变二进制指数，所以没有舍入" if v == thr else "二进制舍入使它略大于阈值"
        why_en = (
            "multiplying by 0.5 only changes the binary exponent, so nothing is rounded"
            if v == thr
            else ("binary rounding leaves it just above the threshold")
        )
        if v == thr and p.scheduler != "cosine" and p.args.gamma != 0.5:
            why_zh, why_en = "两者舍入到同一个二进制数", "both round to the same binary number"
        return BiText(
            f"\n边界：第 {s} 步的 lr {equal_zh}阈值 {fmt(thr)}。题目要的是严格小于（<），相等不算（若用 ≤ 会答 {s}），"
            f"所以答案是下一次真正低于阈值的一步。torch 的 lr 是二进制浮点数：第 {s} 步为 {floats}（{why_zh}），同样不算低于。",
            f"\nboundary: at step {s} the lr {equal_en} the threshold {fmt(thr)}. The question asks for strictly below (<), "
            f"and equal is not below (with ≤ the answer would be {s}), so the answer is the next step that is truly below. "
            f"torch's lr is a binary float: at step {s} it is {floats} ({why_en}), so torch does not count it either.",
        )
    return BiText(
        f"\n边界：第 {s} 步的 lr 在实数运算中{equal_zh}阈值 {fmt(thr)}，按严格小于本不算低于；但 torch 的 lr 是二进制浮点数，"
        f"逐次相乘后为 {floats}，舍入使它已经低于阈值。答案以 torch 为准：{s}。",
        f"\nboundary: at step {s} the lr {equal_en} the threshold {fmt(thr)} in real arithmetic, which is not strictly below; "
        f"but torch's lr is a binary float, and multiplied out it is {floats}: rounding has put it below already. "
        f"The answer follows torch: {s}.",
    )


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
        # An unreachable threshold is no question; nor is one answered only after hundreds of epochs. An exact tie
        # teaches "strictly below"; a tie that rounding turns over (0.7·0.1 < 0.07) or a cosine near-tie is a trick.
        k = tie(p) if p.ill_posed() is None else None
        return p.ill_posed() is None and first_below(p) <= MAX_ANSWER and (k is None or (k.exact and not k.below))

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
        t, thr, k = first_below(p), fmt(p.threshold), tie(p)
        # At a tie six digits would print "0.07 < 0.07": show torch's floats in full there.
        show = (lambda x: repr(x)) if k else fmt
        before, at = torch_float_lr(p, t - 1) if t > 0 else p.lr, torch_float_lr(p, t)
        values = f"lr_{t - 1} = {show(before)} ≥ {thr}, lr_{t} = {show(at)} < {thr}"
        out = inverse(p).solution(p, t) + BiText(f"\n验证：{values}", f"\ncheck: {values}")
        return out + tie_text(p, k) if k else out

    def misconceptions(self, p: LrThresholdParams) -> list[Misconception]:
        t, k = first_below(p), tie(p)
        out = []
        if k and not k.below:
            out.append(
                _mistake(
                    "equal-counts-as-below",
                    k.step,
                    f"第 {k.step} 步的 lr 等于阈值；“严格小于”不含相等，你用了 ≤。",
                    f"At step {k.step} the lr equals the threshold; strictly below excludes equality: you used ≤.",
                )
            )
        if k and k.below:
            later = next((u for u in range(k.step + 1, MAX_STEP + 2) if p.lr_at(u) < p.threshold * (1 - 1e-9)), t)
            out.append(
                _mistake(
                    "real-arithmetic-tie",
                    later,
                    f"实数运算中第 {k.step} 步 lr 等于阈值，但 torch 的浮点 lr 是 {k.value!r}，已经低于 {p.threshold!r}。",
                    f"In real arithmetic step {k.step} ties with the threshold, but torch's float lr there is {k.value!r}, "
                    f"already below {p.threshold!r}.",
                )
            )
        return [
            *out,
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
        if p.scheduler == "multistep":
            concept += BiText(
                "MultiStepLR 在每个 milestone 衰减一次，第 n 次衰减发生在第 n 个 milestone。",
                " MultiStepLR decays once at each milestone, so the n-th decay happens at the n-th milestone.",
            )
            count += BiText(
                f"再取第 n 个 milestone（milestones = {p.args.milestones}）。",
                f" Then take the n-th milestone (milestones = {p.args.milestones}).",
            )
        step = f"n > ln({thr}/{lr})/ln({fmt(p.args.gamma)})"
        return [concept, BiText(step, step), count]
