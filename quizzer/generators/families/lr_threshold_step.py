"""The first step at which a decaying learning rate falls strictly below a threshold."""

from __future__ import annotations

import math
import random
from typing import Any, Literal

from pydantic import Field, model_validator

from quizzer.generators.base import AnswerSpec, Family, Misconception, Params, fmt
from quizzer.generators.families.lr_schedule import MAX_STEP, SCHEDULER_ARGS, cosine, fill_scheduler_args
from quizzer.generators.registry import register
from quizzer.text import BiText

ARGS = {k: SCHEDULER_ARGS[k] for k in ("step", "exponential", "cosine")}


class LrThresholdParams(Params):
    scheduler: Literal["step", "exponential", "cosine"]
    lr: float = Field(default=0.001, gt=0, le=10)
    threshold: float = Field(gt=0)
    step_size: int | None = Field(default=None, ge=1)
    gamma: float | None = Field(default=None, gt=0, lt=1)
    T_max: int | None = Field(default=None, ge=1)
    eta_min: float | None = Field(default=None, ge=0)

    @model_validator(mode="before")
    @classmethod
    def _scheduler_args(cls, data: Any) -> Any:
        return fill_scheduler_args(data, ARGS)

    @model_validator(mode="after")
    def _well_posed(self) -> "LrThresholdParams":
        if self.threshold >= self.lr:
            raise ValueError(f"threshold ({self.threshold}) must be below lr ({self.lr}); otherwise the answer is step 0")
        if self.scheduler == "cosine" and self.threshold <= self.eta_min:
            raise ValueError(f"the cosine never goes below eta_min ({self.eta_min}), so threshold must exceed it")
        t = first_below(self)
        if t > MAX_STEP:
            raise ValueError(f"the lr first drops below the threshold only at step {t}; keep it within {MAX_STEP} steps")
        # "Strictly below" must not hinge on rounding: the threshold may not coincide with a scheduled value.
        for s in (t - 1, t):
            if math.isclose(lr_at(self, s), self.threshold, rel_tol=1e-9):
                raise ValueError(f"threshold {self.threshold} equals the scheduled lr at step {s} up to rounding, so "
                                 "'strictly below' is decided by floating-point error; pick a value between two scheduled lrs")
        return self


def lr_at(p: LrThresholdParams, t: int) -> float:
    if p.scheduler == "step":
        return p.lr * p.gamma ** (t // p.step_size)
    if p.scheduler == "exponential":
        return p.lr * p.gamma**t
    return cosine(p.lr, p.eta_min, t, p.T_max)


def cosine_ratio(p: LrThresholdParams) -> float:
    return (p.threshold - p.eta_min) / (p.lr - p.eta_min)


def decays_needed(p: LrThresholdParams) -> float:
    """x with lr·γ^x = threshold: the lr is below the threshold after more than x decays."""
    return math.log(p.threshold / p.lr) / math.log(p.gamma)


def first_below(p: LrThresholdParams) -> int:
    if p.scheduler == "cosine":
        # η_min + (lr − η_min)(1 + cos(πt/T))/2 < thr  ⟺  t > T·arccos(2r − 1)/π
        return math.floor(p.T_max * math.acos(2 * cosine_ratio(p) - 1) / math.pi) + 1
    k = math.floor(decays_needed(p)) + 1
    return k * p.step_size if p.scheduler == "step" else k


def _nice(x: float) -> float:
    """Rounded to 3 significant figures, so the prompt shows exactly the number the solver uses."""
    return float(f"{x:.3g}")


@register
class LrThresholdStep(Family):
    name = "lr-threshold-step"
    topic = "lr-decay"
    title = BiText("学习率何时降到阈值以下", "When does the lr drop below a threshold")
    answer_spec = AnswerSpec(kind="int")
    params_model = LrThresholdParams

    def sample(self, rng: random.Random, difficulty: int) -> LrThresholdParams:
        pool = {1: ["step", "exponential"], 2: ["step", "exponential", "cosine"], 3: ["exponential", "cosine", "cosine"]}[difficulty]
        while True:
            s = rng.choice(pool)
            lr = rng.choice([0.1, 0.01, 0.05] if difficulty == 1 else [0.1, 0.01, 0.05, 0.2, 0.001])
            frac = rng.choice([0.5, 0.1, 0.25, 0.2, 0.05, 0.01] if difficulty == 1 else [0.3, 0.15, 0.07, 0.03, 0.004, 0.6, 0.45])
            v: dict[str, Any] = dict(scheduler=s, lr=lr, threshold=_nice(lr * frac))
            if s == "step":
                v.update(step_size=rng.choice([10, 20, 30] if difficulty == 1 else [5, 7, 15, 25]),
                         gamma=rng.choice([0.5, 0.1] if difficulty == 1 else [0.5, 0.1, 0.8, 0.9]))
            elif s == "exponential":
                v.update(gamma=rng.choice([0.5, 0.9, 0.8] if difficulty == 1 else [0.9, 0.95, 0.98, 0.85, 0.99]))
            else:
                eta = 0.0 if difficulty == 2 else rng.choice([0.0, lr / 100, lr / 20])
                v.update(T_max=rng.choice([10, 20, 50, 100, 200]), eta_min=_nice(eta))
            try:
                p = LrThresholdParams(**v)
            except ValueError:
                continue  # a tie or an unreachable threshold: draw again
            if first_below(p) <= 300:
                return p

    def solve(self, p: LrThresholdParams) -> int:
        return first_below(p)

    def verify(self, p: LrThresholdParams) -> int:
        import warnings

        import torch
        from torch.optim import lr_scheduler as S

        w = torch.zeros(1, requires_grad=True)
        opt = torch.optim.SGD([w], lr=p.lr)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if p.scheduler == "step":
                sched = S.StepLR(opt, step_size=p.step_size, gamma=p.gamma)
            elif p.scheduler == "exponential":
                sched = S.ExponentialLR(opt, gamma=p.gamma)
            else:
                sched = S.CosineAnnealingLR(opt, T_max=p.T_max, eta_min=p.eta_min)
            t = 0
            while opt.param_groups[0]["lr"] >= p.threshold and t <= MAX_STEP:
                opt.step()
                sched.step()
                t += 1
        return t

    def _ctor(self, p: LrThresholdParams) -> str:
        if p.scheduler == "step":
            return f"StepLR(optimizer, step_size={p.step_size}, gamma={fmt(p.gamma)})"
        if p.scheduler == "exponential":
            return f"ExponentialLR(optimizer, gamma={fmt(p.gamma)})"
        return f"CosineAnnealingLR(optimizer, T_max={p.T_max}, eta_min={fmt(p.eta_min)})"

    def prompt(self, p: LrThresholdParams) -> BiText:
        return BiText(
            f"优化器 torch.optim.SGD(params, lr={fmt(p.lr)}) 配上调度器 {self._ctor(p)}，每个 epoch 先 optimizer.step() 再 "
            f"scheduler.step()（第 t 个 epoch 的学习率是调用 t 次 scheduler.step() 之后的值，t 从 0 开始）。"
            f"学习率第一次严格小于 {fmt(p.threshold)} 的是第几个 epoch t？",
            f"An optimizer torch.optim.SGD(params, lr={fmt(p.lr)}) is wrapped in {self._ctor(p)}; every epoch calls "
            f"optimizer.step() and then scheduler.step() (the lr of epoch t is the value after t calls of scheduler.step(), "
            f"counting t from 0). At which epoch t is the learning rate strictly below {fmt(p.threshold)} for the first time?",
        )

    def solution(self, p: LrThresholdParams) -> BiText:
        t, thr, lr = first_below(p), fmt(p.threshold), fmt(p.lr)
        values = f"lr_{t - 1} = {fmt(lr_at(p, t - 1))} ≥ {thr}, lr_{t} = {fmt(lr_at(p, t))} < {thr}"
        check = BiText(f"\n验证：{values}", f"\ncheck: {values}")
        if p.scheduler == "cosine":
            r = cosine_ratio(p)
            x = p.T_max * math.acos(2 * r - 1) / math.pi
            return BiText(*[f"η_min + (lr − η_min)·(1 + cos(π·t/T_max))/2 < {thr}  ⟺  cos(π·t/T_max) < 2r − 1,\n"
                            f"  r = (thr − η_min)/(lr − η_min) = ({thr} − {fmt(p.eta_min)})/({lr} − {fmt(p.eta_min)}) = {fmt(r)}\n"
                            f"  ⟺ t > T_max·arccos(2r − 1)/π = {p.T_max}·arccos({fmt(2 * r - 1)})/π = {fmt(x)}\n"
                            f"  t = ⌊{fmt(x)}⌋ + 1 = {t}"] * 2) + check
        x, n = decays_needed(p), math.floor(decays_needed(p)) + 1
        body = f"lr·γ^n < thr ⟺ n > ln(thr/lr)/ln(γ) = ln({thr}/{lr})/ln({fmt(p.gamma)}) = {fmt(x)} ⟹ n = ⌊{fmt(x)}⌋ + 1 = {n}"
        text = BiText(body, body)
        if p.scheduler == "step":
            text += BiText(f"\n  StepLR 的第 n 次衰减发生在 t = n·step_size = {n}·{p.step_size} = {t}",
                           f"\n  StepLR applies its n-th decay at t = n·step_size = {n}·{p.step_size} = {t}")
        return text + check

    def misconceptions(self, p: LrThresholdParams) -> list[Misconception]:
        t = first_below(p)
        out = [Misconception("last-step-above", t - 1, BiText(
            f"这是学习率仍 ≥ 阈值的最后一步；题目问的是第一次严格小于阈值的一步（{t}）。",
            f"That is the last step still at or above the threshold; the question asks for the first step strictly below it ({t})."))]

        def add(tag: str, value: int, zh: str, en: str) -> None:
            out.append(Misconception(tag, int(value), BiText(zh, en)))

        if p.scheduler == "step":
            x = decays_needed(p)
            add("no-floor", math.floor(x * p.step_size) + 1, "把 StepLR 当成连续衰减 γ^(t/step_size)；其实 lr 只在 step_size 的整数倍处跳变。",
                "You treated StepLR as a smooth decay γ^(t/step_size); the lr only jumps at multiples of step_size.")
            add("counted-decays", math.floor(x) + 1, "这是需要的衰减次数，还要乘以 step_size 才是步数。",
                "That is the number of decays needed; multiply by step_size to get the step.")
        elif p.scheduler == "exponential":
            r = p.threshold / p.lr
            add("e-power", math.floor(-math.log(r) / p.gamma) + 1, "ExponentialLR 是 lr·γ^t，不是 lr·e^(−γt)。",
                "ExponentialLR is lr·γ^t, not lr·e^(−γt).")
            if p.gamma != 0.5:
                add("one-minus-gamma", math.floor(math.log(r) / math.log(1 - p.gamma)) + 1,
                    "γ 是每步保留的比例：每步乘 γ，而不是乘 (1−γ)。", "γ is the fraction kept each step: multiply by γ, not (1−γ).")
        else:
            r = cosine_ratio(p)
            add("full-period", math.floor(p.T_max * math.acos(2 * r - 1) / (2 * math.pi)) + 1,
                "T_max 是半个余弦周期：用 cos(π·t/T_max)，不是 cos(2π·t/T_max)。", "T_max is half a cosine period: cos(π·t/T_max), not cos(2π·t/T_max).")
            add("linear-decay", math.floor(p.T_max * (1 - r)) + 1, "余弦退火不是线性衰减：开头和结尾下降慢、中间快。",
                "Cosine annealing is not a linear decay: it falls slowly at the start and end, fast in the middle.")
            if p.eta_min > 0:
                r0 = p.threshold / p.lr
                add("forgot-eta-min", math.floor(p.T_max * math.acos(2 * r0 - 1) / math.pi) + 1,
                    "漏了 η_min：余弦在 η_min 与初始 lr 之间插值。", "You left out η_min: the cosine interpolates between η_min and the initial lr.")
        return out
