"""Learning rate after ``step`` calls of a torch.optim.lr_scheduler scheduler.

The closed forms are the ones the PyTorch docs give for each scheduler; torch itself
updates most of them recursively, which agrees only up to floating-point error.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_left, bisect_right
from typing import Any, Literal

from pydantic import Field, model_validator

from quizzer.generators.base import AnswerSpec, Family, Misconception, Params, fmt, fmt_list
from quizzer.generators.registry import register
from quizzer.text import BiText

MAX_STEP = 10_000  # verify steps the real scheduler this many times at most
REQUIRED = object()

# The arguments each scheduler accepts, with torch's defaults (REQUIRED: torch has none).
SCHEDULER_ARGS: dict[str, dict[str, Any]] = {
    "step": {"step_size": REQUIRED, "gamma": 0.1},
    "multistep": {"milestones": REQUIRED, "gamma": 0.1},
    "exponential": {"gamma": REQUIRED},
    "cosine": {"T_max": REQUIRED, "eta_min": 0.0},
    "cosine-restarts": {"T_0": REQUIRED, "T_mult": 1, "eta_min": 0.0},
    "linear": {"start_factor": 1.0 / 3, "end_factor": 1.0, "total_iters": 5},
    "warmup-cosine": {"warmup_steps": REQUIRED, "start_factor": 1.0 / 3, "T_max": REQUIRED, "eta_min": 0.0},
    "polynomial": {"total_iters": 5, "power": 1.0},
    "onecycle": {"max_lr": REQUIRED, "total_steps": REQUIRED, "pct_start": 0.3, "div_factor": 25.0,
                 "final_div_factor": 1e4, "anneal_strategy": "cos", "three_phase": False},
}
TORCH_NAME = {
    "step": "StepLR", "multistep": "MultiStepLR", "exponential": "ExponentialLR", "cosine": "CosineAnnealingLR",
    "cosine-restarts": "CosineAnnealingWarmRestarts", "linear": "LinearLR",
    "warmup-cosine": "SequentialLR(LinearLR → CosineAnnealingLR)", "polynomial": "PolynomialLR", "onecycle": "OneCycleLR",
}


def fill_scheduler_args(data: Any, table: dict[str, dict[str, Any]]) -> Any:
    """Reject arguments the chosen scheduler does not take, require the ones torch requires, fill torch's defaults.

    ``None`` counts as not given, so a model dump (which holds every field) validates again.
    """
    if not isinstance(data, dict) or data.get("scheduler") not in table:
        return data  # the Literal on ``scheduler`` reports a bad or missing name
    kind = data["scheduler"]
    allowed = table[kind]
    out = dict(data)
    for key in sorted({k for args in table.values() for k in args}):
        given = out.get(key)
        if key not in allowed:
            if given is not None:
                raise ValueError(f"{key} is not an argument of {TORCH_NAME[kind]} (scheduler={kind}); "
                                 f"it takes: {', '.join(allowed)}")
        elif given is None:
            if allowed[key] is REQUIRED:
                raise ValueError(f"{TORCH_NAME[kind]} (scheduler={kind}) needs {key}")
            out[key] = allowed[key]
    return out


class LrScheduleParams(Params):
    scheduler: Literal["step", "multistep", "exponential", "cosine", "cosine-restarts", "linear",
                       "warmup-cosine", "polynomial", "onecycle"]
    lr: float = Field(default=0.001, gt=0, le=10)
    step: int = Field(ge=0, le=MAX_STEP)
    step_size: int | None = Field(default=None, ge=1)
    gamma: float | None = Field(default=None, gt=0, lt=1)
    milestones: list[int] | None = None
    T_max: int | None = Field(default=None, ge=1)
    eta_min: float | None = Field(default=None, ge=0)
    T_0: int | None = Field(default=None, ge=1)
    T_mult: int | None = Field(default=None, ge=1)
    start_factor: float | None = Field(default=None, gt=0, le=1)
    end_factor: float | None = Field(default=None, ge=0, le=1)
    total_iters: int | None = Field(default=None, ge=1)
    power: float | None = Field(default=None, gt=0)
    warmup_steps: int | None = Field(default=None, ge=1)
    max_lr: float | None = Field(default=None, gt=0, le=10)
    total_steps: int | None = Field(default=None, ge=2, le=MAX_STEP + 1)
    pct_start: float | None = Field(default=None, gt=0, lt=1)
    div_factor: float | None = Field(default=None, gt=0)
    final_div_factor: float | None = Field(default=None, gt=0)
    anneal_strategy: Literal["cos", "linear"] | None = None
    three_phase: bool | None = None

    @model_validator(mode="before")
    @classmethod
    def _scheduler_args(cls, data: Any) -> Any:
        return fill_scheduler_args(data, SCHEDULER_ARGS)

    @model_validator(mode="after")
    def _well_posed(self) -> "LrScheduleParams":
        if self.eta_min is not None and self.eta_min >= self.lr:
            raise ValueError(f"eta_min ({self.eta_min}) must be below lr ({self.lr}) for the lr to anneal down to it")
        if self.milestones is not None:
            ms = self.milestones
            if not ms or ms[0] < 1 or any(b <= a for a, b in zip(ms, ms[1:])):
                raise ValueError("milestones must be positive and strictly increasing, e.g. milestones=30,80")
        if self.scheduler == "onecycle":
            ends = [e for e, _, _ in onecycle_phases(self)]
            if ends[0] <= 0 or any(b <= a for a, b in zip(ends, ends[1:])):
                raise ValueError("pct_start·total_steps is too small or too large: every OneCycle phase needs at least "
                                 "one step (three_phase also needs pct_start < 0.5)")
            if self.step > self.total_steps - 1:
                raise ValueError(f"OneCycleLR runs iterations 0..total_steps−1 = {self.total_steps - 1}; "
                                 f"step={self.step} is past the end")
        return self


def cosine(lr: float, eta_min: float, t: float, period: int) -> float:
    half = (1 + math.cos(math.pi * t / period)) / 2
    return eta_min + (lr - eta_min) * (half if half > 1e-12 else 0.0)  # cos(π) is −1 only to 1e-16


def restart_position(T_0: int, T_mult: int, t: int) -> tuple[int, int]:
    """(T_cur, T_i): steps since the last warm restart and the length of the current cycle."""
    T_cur, T_i = t, T_0
    while T_cur >= T_i:
        T_cur, T_i = T_cur - T_i, T_i * T_mult
    return T_cur, T_i


def onecycle_phases(p: LrScheduleParams, *, shift: float = 1, low: float | None = None) -> list[tuple[float, float, float]]:
    """(end_step, start_lr, end_lr) per phase, written exactly as torch computes them."""
    initial = p.max_lr / p.div_factor
    low = initial / p.final_div_factor if low is None else low
    if p.three_phase:
        return [(float(p.pct_start * p.total_steps) - shift, initial, p.max_lr),
                (float(2 * p.pct_start * p.total_steps) - 2 * shift, p.max_lr, initial),
                (p.total_steps - 1, initial, low)]
    return [(float(p.pct_start * p.total_steps) - shift, initial, p.max_lr), (p.total_steps - 1, p.max_lr, low)]


def onecycle_lr(p: LrScheduleParams, t: int, phases: list | None = None, strategy: str | None = None) -> tuple[float, int, float]:
    """(lr, phase index, pct within the phase)."""
    phases = phases or onecycle_phases(p)
    start = 0.0
    for i, (end, a, b) in enumerate(phases):
        if t <= end or i == len(phases) - 1:
            pct = (t - start) / (end - start)
            if (strategy or p.anneal_strategy) == "cos":
                return b + (a - b) / 2.0 * (math.cos(math.pi * pct) + 1), i, pct
            return (b - a) * pct + a, i, pct
        start = end
    raise AssertionError("unreachable")


def lr_at(p: LrScheduleParams, t: int) -> float:
    s, lr = p.scheduler, p.lr
    if s == "step":
        return lr * p.gamma ** (t // p.step_size)
    if s == "multistep":
        return lr * p.gamma ** bisect_right(p.milestones, t)
    if s == "exponential":
        return lr * p.gamma**t
    if s == "cosine":
        return cosine(lr, p.eta_min, t, p.T_max)
    if s == "cosine-restarts":
        return cosine(lr, p.eta_min, *restart_position(p.T_0, p.T_mult, t))
    if s == "linear":
        return lr * (p.start_factor + (p.end_factor - p.start_factor) * min(t, p.total_iters) / p.total_iters)
    if s == "warmup-cosine":
        if t < p.warmup_steps:
            return lr * (p.start_factor + (1.0 - p.start_factor) * t / p.warmup_steps)
        return cosine(lr, p.eta_min, t - p.warmup_steps, p.T_max)
    if s == "polynomial":
        return lr * (1.0 - min(t, p.total_iters) / p.total_iters) ** p.power
    return onecycle_lr(p, t)[0]


def constructor(p: LrScheduleParams) -> str:
    s = p.scheduler
    if s == "step":
        return f"StepLR(optimizer, step_size={p.step_size}, gamma={fmt(p.gamma)})"
    if s == "multistep":
        return f"MultiStepLR(optimizer, milestones={fmt_list(p.milestones)}, gamma={fmt(p.gamma)})"
    if s == "exponential":
        return f"ExponentialLR(optimizer, gamma={fmt(p.gamma)})"
    if s == "cosine":
        return f"CosineAnnealingLR(optimizer, T_max={p.T_max}, eta_min={fmt(p.eta_min)})"
    if s == "cosine-restarts":
        return f"CosineAnnealingWarmRestarts(optimizer, T_0={p.T_0}, T_mult={p.T_mult}, eta_min={fmt(p.eta_min)})"
    if s == "linear":
        return (f"LinearLR(optimizer, start_factor={fmt(p.start_factor)}, end_factor={fmt(p.end_factor)}, "
                f"total_iters={p.total_iters})")
    if s == "warmup-cosine":
        return (f"SequentialLR(optimizer, schedulers=[LinearLR(optimizer, start_factor={fmt(p.start_factor)}, "
                f"total_iters={p.warmup_steps}), CosineAnnealingLR(optimizer, T_max={p.T_max}, eta_min={fmt(p.eta_min)})], "
                f"milestones=[{p.warmup_steps}])")
    if s == "polynomial":
        return f"PolynomialLR(optimizer, total_iters={p.total_iters}, power={fmt(p.power)})"
    return (f"OneCycleLR(optimizer, max_lr={fmt(p.max_lr)}, total_steps={p.total_steps}, pct_start={fmt(p.pct_start)}, "
            f"anneal_strategy='{p.anneal_strategy}', div_factor={fmt(p.div_factor)}, "
            f"final_div_factor={fmt(p.final_div_factor)}, three_phase={p.three_phase}, cycle_momentum=False)")


def _same(text: str) -> BiText:
    return BiText(text, text)


@register
class LrSchedule(Family):
    name = "lr-schedule"
    topic = "lr-decay"
    title = BiText("学习率调度器：第 t 步的学习率", "LR scheduler: the learning rate at step t")
    answer_spec = AnswerSpec(kind="float", rel_tol=1e-3, abs_tol=1e-9, agree_rel=1e-9, agree_abs=1e-15)
    params_model = LrScheduleParams

    def spec(self, p: LrScheduleParams) -> AnswerSpec:
        # Scale-relative absolute tolerances: an lr that has annealed to ~0 is graded against the lr's scale.
        scale = p.max_lr if p.scheduler == "onecycle" else p.lr
        # Recursive updates (cosine, polynomial, exponential) drift from the closed form by ~1e-14 relative.
        return AnswerSpec(kind="float", rel_tol=1e-3, abs_tol=1e-6 * scale, agree_rel=1e-9, agree_abs=1e-12 * scale)

    def sample(self, rng: random.Random, difficulty: int) -> LrScheduleParams:
        lr = rng.choice([0.1, 0.01, 0.05] if difficulty == 1 else [0.1, 0.01, 0.05, 0.2, 0.001, 0.5])
        pool = {1: ["step", "multistep", "exponential", "cosine"],
                2: ["step", "multistep", "exponential", "cosine", "cosine-restarts", "linear", "polynomial"],
                3: ["multistep", "cosine", "cosine-restarts", "linear", "warmup-cosine", "polynomial", "onecycle"]}[difficulty]
        s = rng.choice(pool)
        eta = 0.0 if difficulty == 1 else rng.choice([0.0, 0.0, lr / 100, lr / 10])
        v: dict[str, Any] = dict(scheduler=s, lr=lr)
        if s == "step":
            ss = rng.choice([10, 20, 30, 50] if difficulty == 1 else [3, 5, 7, 10, 25, 30])
            v.update(step_size=ss, gamma=rng.choice([0.1, 0.5] if difficulty == 1 else [0.1, 0.5, 0.9, 0.8]),
                     step=rng.choice([rng.randint(0, 4 * ss), rng.randint(1, 4) * ss]))
        elif s == "multistep":
            ms = rng.choice([[30, 80], [50, 100, 150], [10, 20], [60, 120, 160], [30, 60, 90]])
            edge = rng.choice(ms) + (rng.choice([-1, 0, 1]) if difficulty > 1 else 0)
            v.update(milestones=ms, gamma=rng.choice([0.1, 0.5, 0.2]),
                     step=rng.choice([rng.randint(ms[0], ms[-1] + 20), edge]))
        elif s == "exponential":
            v.update(gamma=rng.choice([0.9, 0.5, 0.95, 0.8] if difficulty == 1 else [0.9, 0.95, 0.98, 0.99, 0.85]),
                     step=rng.randint(1, 10 if difficulty == 1 else 60))
        elif s == "cosine":
            T = rng.choice([12, 24, 36, 60, 120] if difficulty == 1 else [10, 30, 50, 90, 100, 200])
            t = int(T * rng.choice([1 / 4, 1 / 3, 1 / 2, 2 / 3, 3 / 4])) if difficulty == 1 else rng.randint(0, T)
            if difficulty == 3 and rng.random() < 0.3:
                t = rng.randint(T + 1, min(2 * T, 300))  # past T_max the schedule climbs back up
            v.update(T_max=T, eta_min=eta, step=t)
        elif s == "cosine-restarts":
            T0, Tm = rng.choice([5, 10, 20]), (1 if difficulty == 2 and rng.random() < 0.5 else rng.choice([2, 3]))
            v.update(T_0=T0, T_mult=Tm, eta_min=eta, step=rng.randint(T0 // 2, min(300, T0 * (1 + Tm + Tm * Tm))))
        elif s == "linear":
            n = rng.choice([4, 5, 10, 20])
            sf, ef = rng.choice([(0.1, 1.0), (0.25, 1.0), (1.0, 0.5), (0.5, 1.0), (1.0, 0.1), (0.2, 0.8)])
            v.update(start_factor=sf, end_factor=ef, total_iters=n, step=rng.randint(0, n + 3))
        elif s == "warmup-cosine":
            w, T = rng.choice([5, 10, 20]), rng.choice([50, 90, 100, 200])
            v.update(warmup_steps=w, start_factor=rng.choice([0.1, 0.01, 0.2, 0.5]), T_max=T, eta_min=eta,
                     step=rng.choice([rng.randint(0, w - 1), w, w + rng.randint(1, T)]))
        elif s == "polynomial":
            n = rng.choice([10, 20, 50, 100])
            v.update(total_iters=n, power=rng.choice([1.0, 2.0, 0.5, 0.9] if difficulty == 3 else [1.0, 2.0]),
                     step=rng.randint(0, n + 2))
        else:
            T = rng.choice([100, 200, 300])
            v.update(max_lr=rng.choice([0.1, 0.01, 1.0, 0.4]), total_steps=T, pct_start=rng.choice([0.3, 0.25, 0.4]),
                     div_factor=rng.choice([25.0, 10.0]), final_div_factor=rng.choice([1e4, 100.0]),
                     anneal_strategy=rng.choice(["cos", "cos", "linear"]), three_phase=rng.random() < 0.3,
                     step=rng.randint(0, T - 1))
        return LrScheduleParams(**v)

    def solve(self, p: LrScheduleParams) -> float:
        return float(lr_at(p, p.step))

    def verify(self, p: LrScheduleParams) -> float:
        import warnings

        import torch
        from torch.optim import lr_scheduler as S

        w = torch.zeros(1, requires_grad=True)
        opt = torch.optim.SGD([w], lr=p.lr)
        s = p.scheduler
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if s == "step":
                sched = S.StepLR(opt, step_size=p.step_size, gamma=p.gamma)
            elif s == "multistep":
                sched = S.MultiStepLR(opt, milestones=p.milestones, gamma=p.gamma)
            elif s == "exponential":
                sched = S.ExponentialLR(opt, gamma=p.gamma)
            elif s == "cosine":
                sched = S.CosineAnnealingLR(opt, T_max=p.T_max, eta_min=p.eta_min)
            elif s == "cosine-restarts":
                sched = S.CosineAnnealingWarmRestarts(opt, T_0=p.T_0, T_mult=p.T_mult, eta_min=p.eta_min)
            elif s == "linear":
                sched = S.LinearLR(opt, start_factor=p.start_factor, end_factor=p.end_factor, total_iters=p.total_iters)
            elif s == "warmup-cosine":
                warm = S.LinearLR(opt, start_factor=p.start_factor, end_factor=1.0, total_iters=p.warmup_steps)
                cos = S.CosineAnnealingLR(opt, T_max=p.T_max, eta_min=p.eta_min)
                sched = S.SequentialLR(opt, schedulers=[warm, cos], milestones=[p.warmup_steps])
            elif s == "polynomial":
                sched = S.PolynomialLR(opt, total_iters=p.total_iters, power=p.power)
            else:
                sched = S.OneCycleLR(opt, max_lr=p.max_lr, total_steps=p.total_steps, pct_start=p.pct_start,
                                     anneal_strategy=p.anneal_strategy, div_factor=p.div_factor,
                                     final_div_factor=p.final_div_factor, three_phase=p.three_phase, cycle_momentum=False)
            for _ in range(p.step):
                opt.step()
                sched.step()
        return float(opt.param_groups[0]["lr"])

    def prompt(self, p: LrScheduleParams) -> BiText:
        per_batch = p.scheduler == "onecycle"
        each_zh, nth_zh = ("每次迭代（batch）", f"第 {p.step} 次迭代") if per_batch else ("每个 epoch ", f"第 {p.step} 个 epoch")
        unit_en = "iteration (batch)" if per_batch else "epoch"
        note = BiText("", "")
        if p.scheduler == "onecycle":
            note = BiText(f"（OneCycleLR 会覆盖优化器的 lr：初始学习率是 max_lr/div_factor，所以 lr={fmt(p.lr)} 不起作用。）",
                          f" (OneCycleLR overwrites the optimizer's lr: it starts from max_lr/div_factor, so lr={fmt(p.lr)} plays no role.)")
        return BiText(
            f"优化器 torch.optim.SGD(params, lr={fmt(p.lr)}) 配上调度器 {constructor(p)}。{each_zh}先调用 optimizer.step() "
            f"再调用 scheduler.step()。{nth_zh}（从 0 开始计数）使用的学习率是多少？"
            f"即调用 {p.step} 次 scheduler.step() 之后的 optimizer.param_groups[0]['lr']。",
            f"An optimizer torch.optim.SGD(params, lr={fmt(p.lr)}) is wrapped in the scheduler {constructor(p)}. Every {unit_en} "
            f"calls optimizer.step() and then scheduler.step(). What learning rate is used during {unit_en} {p.step} "
            f"(counting from 0), i.e. optimizer.param_groups[0]['lr'] after {p.step} call{'' if p.step == 1 else 's'} of scheduler.step()?",
        ) + note

    def solution(self, p: LrScheduleParams) -> BiText:
        s, t, lr, ans = p.scheduler, p.step, fmt(p.lr), fmt(self.solve(p))
        if s == "step":
            k = t // p.step_size
            return _same(f"lr_t = lr·γ^⌊t/step_size⌋ = {lr}·{fmt(p.gamma)}^⌊{t}/{p.step_size}⌋ = {lr}·{fmt(p.gamma)}^{k} = {ans}")
        if s == "multistep":
            k = bisect_right(p.milestones, t)
            passed = fmt_list(p.milestones[:k])
            return BiText(f"lr_t = lr·γ^(不超过 t 的 milestone 个数)；≤ {t} 的 milestone：{passed}，共 {k} 个\n"
                          f"  = {lr}·{fmt(p.gamma)}^{k} = {ans}",
                          f"lr_t = lr·γ^(number of milestones ≤ t); milestones ≤ {t}: {passed}, that is {k}\n"
                          f"  = {lr}·{fmt(p.gamma)}^{k} = {ans}")
        if s == "exponential":
            return _same(f"lr_t = lr·γ^t = {lr}·{fmt(p.gamma)}^{t} = {ans}")
        if s == "linear":
            m = min(t, p.total_iters)
            f = p.start_factor + (p.end_factor - p.start_factor) * m / p.total_iters
            return _same(f"factor = start_factor + (end_factor − start_factor)·min(t, total_iters)/total_iters\n"
                         f"  = {fmt(p.start_factor)} + ({fmt(p.end_factor)} − {fmt(p.start_factor)})·{m}/{p.total_iters} = {fmt(f)}\n"
                         f"lr_t = lr·factor = {lr}·{fmt(f)} = {ans}")
        if s == "polynomial":
            m = min(t, p.total_iters)
            return _same(f"lr_t = lr·(1 − min(t, total_iters)/total_iters)^power = {lr}·(1 − {m}/{p.total_iters})^{fmt(p.power)}"
                         f" = {lr}·{fmt(1 - m / p.total_iters)}^{fmt(p.power)} = {ans}")
        if s == "onecycle":
            return self._onecycle_solution(p)
        head = BiText("", "")
        T_cur, period = t, p.T_max
        if s == "cosine-restarts":
            T_cur, period = restart_position(p.T_0, p.T_mult, t)
            head = BiText(f"周期长度依次为 T_0, T_0·T_mult, …（T_0={p.T_0}, T_mult={p.T_mult}）；t={t} 落在长度 T_i={period} 的周期里，"
                          f"距上次重启 T_cur={T_cur} 步\n",
                          f"Cycles last T_0, T_0·T_mult, … steps (T_0={p.T_0}, T_mult={p.T_mult}); t={t} lies in a cycle of "
                          f"length T_i={period}, T_cur={T_cur} steps after the last restart\n")
        if s == "warmup-cosine":
            w = p.warmup_steps
            if t < w:
                f = p.start_factor + (1 - p.start_factor) * t / w
                return BiText(f"t={t} < milestone {w}：处于 LinearLR 预热阶段\n", f"t={t} < milestone {w}: still in the LinearLR warm-up\n") + _same(
                    f"lr_t = lr·(start_factor + (1 − start_factor)·t/{w}) = {lr}·({fmt(p.start_factor)} + "
                    f"{fmt(1 - p.start_factor)}·{t}/{w}) = {lr}·{fmt(f)} = {ans}")
            T_cur = t - w
            head = BiText(f"t={t} ≥ milestone {w}：SequentialLR 在 milestone 处以 epoch 0 启动 CosineAnnealingLR，所以余弦从 j = t − {w} = {T_cur} 计起\n",
                          f"t={t} ≥ milestone {w}: at the milestone SequentialLR starts CosineAnnealingLR at epoch 0, "
                          f"so the cosine counts j = t − {w} = {T_cur}\n")
        eta = fmt(p.eta_min)
        half = (1 + math.cos(math.pi * T_cur / period)) / 2
        return head + _same(
            f"lr = η_min + (lr₀ − η_min)·(1 + cos(π·T_cur/T))/2 = {eta} + ({lr} − {eta})·(1 + cos(π·{T_cur}/{period}))/2\n"
            f"  = {eta} + {fmt(p.lr - p.eta_min)}·{fmt(half)} = {ans}")

    def _onecycle_solution(self, p: LrScheduleParams) -> BiText:
        phases = onecycle_phases(p)
        lr, i, pct = onecycle_lr(p, p.step, phases)
        start = 0.0 if i == 0 else phases[i - 1][0]
        end, a, b = phases[i]
        ends = fmt_list([e for e, _, _ in phases])
        if p.anneal_strategy == "cos":
            f = f"lr = end + (start − end)/2·(1 + cos(π·pct)) = {fmt(b)} + ({fmt(a)} − {fmt(b)})/2·(1 + cos(π·{fmt(pct)})) = {fmt(lr)}"
        else:
            f = f"lr = start + (end − start)·pct = {fmt(a)} + ({fmt(b)} − {fmt(a)})·{fmt(pct)} = {fmt(lr)}"
        body = (f"initial_lr = max_lr/div_factor = {fmt(p.max_lr)}/{fmt(p.div_factor)} = {fmt(phases[0][1])}; "
                f"min_lr = initial_lr/final_div_factor = {fmt(phases[-1][2])}\n"
                f"phase end steps = {ends} (pct_start·total_steps − 1, …, total_steps − 1)\n"
                f"t={p.step} → phase {i + 1}: pct = (t − {fmt(start)})/({fmt(end)} − {fmt(start)}) = {fmt(pct)}\n  {f}")
        return BiText("OneCycleLR 分段退火：\n" + body, "OneCycleLR anneals phase by phase:\n" + body)

    def misconceptions(self, p: LrScheduleParams) -> list[Misconception]:
        s, t, lr = p.scheduler, p.step, p.lr
        out: list[Misconception] = []

        def add(tag: str, value: float, zh: str, en: str) -> None:
            out.append(Misconception(tag, float(value), BiText(zh, en)))

        if t >= 1:
            add("one-step-behind", lr_at(p, t - 1), f"差一步：调用 {t} 次 step() 后调度器位于下标 {t}，你用的是下标 {t - 1} 的值。",
                f"Off by one: after {t} calls of step() the scheduler is at index {t}; you used index {t - 1}.")
        if s != "onecycle" or t + 1 < p.total_steps:
            add("one-indexed", lr_at(p, t + 1), "把 epoch 从 1 开始数了：第 0 个 epoch 用的是初始学习率，第 t 个是 t 次 step() 之后的值。",
                "You counted epochs from 1: epoch 0 uses the initial lr, epoch t the value after t calls of step().")
        if s == "step":
            add("no-floor", lr * p.gamma ** (t / p.step_size), "忘了向下取整：StepLR 每 step_size 步才整体乘一次 γ，指数是 ⌊t/step_size⌋。",
                "You forgot the floor: StepLR multiplies by γ once per step_size steps, exponent ⌊t/step_size⌋.")
            add("decay-every-step", lr * p.gamma**t, "把 StepLR 当成了 ExponentialLR：不是每步都乘 γ。",
                "You treated StepLR as ExponentialLR: γ is not applied at every step.")
        elif s == "multistep":
            add("milestone-exclusive", lr * p.gamma ** bisect_left(p.milestones, t),
                "milestone 当步就已经衰减：到达 milestone m 时 lr 已乘上 γ（计数的是 ≤ t 的 milestone）。",
                "At a milestone m the lr is already decayed: count the milestones ≤ t, not < t.")
            if bisect_right(p.milestones, t) >= 2:
                add("not-compounded", lr * p.gamma, "每经过一个 milestone 都要再乘一次 γ（累乘），不是只乘一次。",
                    "Each milestone passed multiplies by γ again (compounding), not just once.")
        elif s == "exponential":
            add("e-power", lr * math.exp(-p.gamma * t), "ExponentialLR 的 γ 是每步的乘数：lr·γ^t，不是 lr·e^(−γt)。",
                "ExponentialLR's γ is a per-step factor: lr·γ^t, not lr·e^(−γt).")
            add("one-minus-gamma", lr * (1 - p.gamma) ** t, "γ 是保留比例而不是衰减率：每步乘 γ，不是乘 (1−γ)。",
                "γ is the fraction kept, not the decay rate: multiply by γ, not (1−γ).")
        elif s in ("cosine", "cosine-restarts", "warmup-cosine"):
            T_cur, period = (t - p.warmup_steps, p.T_max) if s == "warmup-cosine" else (t, p.T_max or p.T_0)
            if s == "cosine-restarts":
                T_cur, period = restart_position(p.T_0, p.T_mult, t)
            if T_cur >= 0:
                add("full-period", cosine(lr, p.eta_min, 2 * T_cur, period),
                    "T 是半个余弦周期：lr 在 T 步内从最大降到 η_min，用的是 cos(π·t/T)，不是 cos(2π·t/T)。",
                    "T is half a cosine period: the lr falls from its maximum to η_min in T steps, cos(π·t/T), not cos(2π·t/T).")
                if p.eta_min > 0:
                    add("forgot-eta-min", cosine(lr, 0.0, T_cur, period), "漏了 η_min：余弦在 η_min 与初始 lr 之间插值。",
                        "You left out η_min: the cosine interpolates between η_min and the initial lr.")
            if s == "cosine-restarts":
                if p.T_mult > 1:
                    add("no-period-growth", cosine(lr, p.eta_min, t % p.T_0, p.T_0),
                        f"每次重启后周期要乘以 T_mult={p.T_mult}：周期依次是 T_0, T_0·T_mult, …，不是固定 T_0。",
                        f"After each restart the period grows by T_mult={p.T_mult}: T_0, T_0·T_mult, …, not a fixed T_0.")
                add("no-restart", cosine(lr, p.eta_min, t, p.T_0), "忘了热重启：到达周期末尾时 T_cur 归零、lr 跳回初始值。",
                    "You forgot the warm restart: at the end of a cycle T_cur resets to 0 and the lr jumps back up.")
            if s == "warmup-cosine":
                if T_cur >= 0:
                    add("cosine-from-zero", cosine(lr, p.eta_min, t, p.T_max), "余弦阶段从 milestone 开始重新计数（j = t − warmup_steps），不是从 0。",
                        "The cosine phase counts from the milestone (j = t − warmup_steps), not from step 0.")
                else:
                    add("warmup-from-zero", lr * t / p.warmup_steps, "预热从 start_factor·lr 开始，不是从 0 开始。",
                        "The warm-up starts from start_factor·lr, not from 0.")
        elif s == "linear":
            add("no-clamp", lr * (p.start_factor + (p.end_factor - p.start_factor) * t / p.total_iters),
                "total_iters 步之后因子停在 end_factor，不再继续线性变化。", "After total_iters steps the factor stays at end_factor; it stops changing.")
            add("factor-as-lr", lr_at(p, t) / lr, "LinearLR 的因子要乘以初始 lr，它本身不是学习率。", "LinearLR's factor multiplies the initial lr; it is not the lr itself.")
        elif s == "polynomial":
            m = min(t, p.total_iters) / p.total_iters
            add("ignored-power", lr * (1 - m), "忘了幂次 power：是 (1 − t/total_iters)^power。", "You ignored power: it is (1 − t/total_iters)^power.")
            add("power-on-ratio", lr * (1 - m**p.power), "幂次作用在 (1 − t/T) 整体上，不是只作用在 t/T 上。",
                "The power applies to (1 − t/T) as a whole, not to t/T alone.")
        else:
            other = "linear" if p.anneal_strategy == "cos" else "cos"
            add("wrong-anneal", onecycle_lr(p, t, strategy=other)[0], f"anneal_strategy='{p.anneal_strategy}'，你用了 {other} 退火。",
                f"anneal_strategy='{p.anneal_strategy}', but you annealed with {other}.")
            add("phase-end-off-by-one", onecycle_lr(p, t, onecycle_phases(p, shift=0))[0],
                "阶段终点是 pct_start·total_steps − 1（步数从 0 开始），你少减了 1。",
                "A phase ends at step pct_start·total_steps − 1 (steps count from 0); you dropped the − 1.")
            add("min-lr-from-max", onecycle_lr(p, t, onecycle_phases(p, low=p.max_lr / p.final_div_factor))[0],
                "最小 lr 是 initial_lr/final_div_factor = max_lr/(div_factor·final_div_factor)，不是 max_lr/final_div_factor。",
                "The minimum lr is initial_lr/final_div_factor = max_lr/(div_factor·final_div_factor), not max_lr/final_div_factor.")
        return out
