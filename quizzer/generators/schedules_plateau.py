"""The table entry for ReduceLROnPlateau: a scheduler driven by a metric, so its closed form is a simulation.

The rule simulated is the one torch documents and implements (``ReduceLROnPlateau.step``): an epoch is
better when its metric beats the best so far by more than ``threshold`` (relative or absolute); every
other epoch is bad; during ``cooldown`` bad epochs are not counted; when more than ``patience`` bad
epochs pile up the lr is multiplied by ``factor`` (not below ``min_lr``, and not at all if the change
would be ``eps`` or less), the count restarts and the cooldown begins.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field

from quizzer.generators.base import Misconception, fmt
from quizzer.generators.folding import fold_list
from quizzer.generators.schedule_base import MAX_STEP, Args, Schedule, mistake, schedule
from quizzer.text import BiText

FULL_TABLE = 24  # epochs listed one by one in a worked solution; longer runs keep only the eventful ones


class PlateauArgs(Args):
    metrics: list[float] = Field(
        min_length=1,
        max_length=MAX_STEP,
        description="ReduceLROnPlateau: the metric passed to scheduler.step(metrics) each epoch, comma-separated",
        json_schema_extra={"zh": "ReduceLROnPlateau：每个 epoch 传给 scheduler.step(metrics) 的指标，逗号分隔"},
    )
    mode: Literal["min", "max"] = Field(
        default="min",
        description="ReduceLROnPlateau: min (lower metric is better) or max (higher is better)",
        json_schema_extra={"zh": "ReduceLROnPlateau：min（指标越小越好）或 max（越大越好）"},
    )
    factor: float = Field(
        default=0.1,
        gt=0,
        le=1,
        description="ReduceLROnPlateau: the lr is multiplied by this at each reduction",
        json_schema_extra={"zh": "ReduceLROnPlateau：每次降低时学习率乘以的因子"},
    )
    patience: int = Field(
        default=10,
        ge=0,
        description="bad epochs tolerated before the lr is reduced",
        json_schema_extra={"zh": "降低学习率之前容忍的无改善 epoch 数"},
    )
    threshold: float = Field(
        default=1e-4,
        ge=0,
        description="how much better than the best a metric must be to count as an improvement",
        json_schema_extra={"zh": "指标须比最佳值好多少才算改善"},
    )
    threshold_mode: Literal["rel", "abs"] = Field(
        default="rel",
        description="threshold relative to the best (rel) or absolute (abs)",
        json_schema_extra={"zh": "threshold 是相对最佳值的比例（rel）还是绝对量（abs）"},
    )
    cooldown: int = Field(
        default=0,
        ge=0,
        description="epochs after a reduction whose bad epochs are not counted",
        json_schema_extra={"zh": "每次降低后不计入无改善次数的 epoch 数"},
    )
    min_lr: float = Field(
        default=0.0,
        ge=0,
        description="the lr is never reduced below this",
        json_schema_extra={"zh": "学习率不会被降到低于此值"},
    )
    eps: float = Field(
        default=1e-8,
        ge=0,
        description="a reduction smaller than this is skipped",
        json_schema_extra={"zh": "小于此值的降幅会被跳过"},
    )


@dataclass(frozen=True)
class Epoch:
    """One call of ``scheduler.step(metric)`` as torch's rule sees it."""

    index: int  # 1-based: the lr after this call is lr_index
    metric: float
    better: bool
    best: float
    bad: int  # num_bad_epochs after the call (reset to 0 by a reduction or a cooldown)
    counted: int  # num_bad_epochs that was compared with patience (before a reduction reset it)
    cooling: bool  # this call fell in a cooldown, so its bad epoch was not counted
    reduced: bool
    lr: float


def is_better(a: PlateauArgs, value: float, best: float, threshold: float | None = None) -> bool:
    thr = a.threshold if threshold is None else threshold
    if a.mode == "min":
        return value < (best * (1.0 - thr) if a.threshold_mode == "rel" else best - thr)
    return value > (best * (thr + 1.0) if a.threshold_mode == "rel" else best + thr)


def simulate(
    a: PlateauArgs,
    lr: float,
    t: int,
    *,
    patience_shift: int = 0,
    cooldown: int | None = None,
    threshold: float | None = None,
    min_lr: float | None = None,
) -> list[Epoch]:
    """torch's rule for the first ``t`` metrics; the keyword switches reproduce the usual mistakes."""
    best = math.inf if a.mode == "min" else -math.inf
    bad = cooldown_counter = 0
    floor = a.min_lr if min_lr is None else min_lr
    wait = a.cooldown if cooldown is None else cooldown
    out = []
    for i, value in enumerate(a.metrics[:t], start=1):
        better = is_better(a, value, best, threshold)
        if better:
            best, bad = value, 0
        else:
            bad += 1
        cooling = cooldown_counter > 0
        if cooling:
            cooldown_counter -= 1
            bad = 0
        reduced, counted = False, bad
        if bad > a.patience + patience_shift:
            new = max(lr * a.factor, floor)
            if lr - new > a.eps:
                lr, reduced = new, True
            cooldown_counter, bad = wait, 0
        out.append(Epoch(i, value, better, best, bad, counted, cooling, reduced, lr))
    return out


def final_lr(epochs: list[Epoch], lr: float) -> float:
    return epochs[-1].lr if epochs else lr


@schedule
class Plateau(Schedule[PlateauArgs]):
    name, torch_class, args_model, difficulties = "plateau", "ReduceLROnPlateau", PlateauArgs, (2, 3)
    step_args = ("metrics",)
    concept = BiText(
        "ReduceLROnPlateau 看指标（如验证损失）：比迄今最好值好出 threshold 才算变好；否则记一个坏 epoch。"
        "坏 epoch 数超过 patience（即第 patience + 1 个）时 lr 乘 factor，计数清零并进入 cooldown。",
        "ReduceLROnPlateau watches a metric (e.g. the validation loss): an epoch is better only if it beats the "
        "best so far by threshold; otherwise it is a bad epoch. When the bad epochs exceed patience (the "
        "patience + 1-th one) the lr is multiplied by factor, the count restarts and the cooldown begins.",
    )

    def torch_step(self, sched: Any, a: PlateauArgs, t: int) -> None:
        sched.step(a.metrics[t])

    def step_call(self, a: PlateauArgs) -> str:
        return "scheduler.step(metrics[t])"

    def check(self, a: PlateauArgs, lr: float) -> None:
        if a.factor >= 1:
            raise ValueError("factor of ReduceLROnPlateau must be below 1 (torch's rule)")
        if a.threshold_mode == "rel" and a.threshold >= 1:
            raise ValueError("a relative threshold must be below 1 (it is a fraction of the best metric)")

    def last_step(self, a: PlateauArgs) -> int:
        return len(a.metrics)

    def note(self, a: PlateauArgs, lr: float) -> BiText:
        ms = fold_list(a.metrics)
        return BiText(f"各 epoch 的指标 metrics = {ms.zh}。", f" The metric of each epoch: metrics = {ms.en}.")

    def lr_at(self, a: PlateauArgs, lr: float, t: int) -> float:
        return final_lr(simulate(a, lr, t), lr)

    def sample(self, rng: random.Random, difficulty: int, lr: float, eta_min: float) -> dict[str, Any]:
        # A loss that falls, then wobbles on a plateau: the shape the scheduler is meant for.
        n = rng.randint(10, 16) if difficulty == 2 else rng.randint(14, 24)
        fall = rng.randint(3, 6)
        value, metrics = rng.choice([2.0, 1.0, 0.9]), []
        for i in range(n):
            value = value * rng.choice([0.7, 0.8, 0.85]) if i < fall else value * rng.choice([0.995, 1.0, 1.01, 1.02])
            metrics.append(round(value, 3))
        out: dict[str, Any] = dict(patience=rng.choice([2, 3, 5]), factor=rng.choice([0.1, 0.5]), step=n)
        if difficulty == 3:
            out.update(cooldown=rng.choice([0, 1, 2]), threshold_mode=rng.choice(["rel", "abs"]))
            out["threshold"] = rng.choice([0.01, 0.005]) if out["threshold_mode"] == "abs" else rng.choice([1e-4, 0.01])
            out["min_lr"] = rng.choice([0.0, round(lr / 50, 6)])
            if rng.random() < 0.3:  # an accuracy instead of a loss
                metrics, out["mode"] = [round(1 - m / 3, 3) for m in metrics], "max"
        return dict(metrics=metrics, **out)

    def solution(self, a: PlateauArgs, lr: float, t: int) -> BiText:
        epochs = simulate(a, lr, t)
        cmp_ = "<" if a.mode == "min" else ">"
        target = {
            ("min", "rel"): f"best·(1 − {fmt(a.threshold)})",
            ("min", "abs"): f"best − {fmt(a.threshold)}",
            ("max", "rel"): f"best·(1 + {fmt(a.threshold)})",
            ("max", "abs"): f"best + {fmt(a.threshold)}",
        }[(a.mode, a.threshold_mode)]
        cut = f"lr ← max(lr·{fmt(a.factor)}, min_lr = {fmt(a.min_lr)})"
        zh = [
            f"规则：变好 ⟺ metric {cmp_} {target}；num_bad_epochs > patience = {a.patience} 时 {cut}；"
            f"cooldown = {a.cooldown}"
        ]
        en = [
            f"rule: better ⟺ metric {cmp_} {target}; reduce when num_bad_epochs > patience = {a.patience}: "
            f"{cut}; cooldown = {a.cooldown}"
        ]
        shown = epochs if len(epochs) <= FULL_TABLE else [e for e in epochs if e.reduced or e.index in (1, t)]
        last = 0
        for e in shown:
            if e.index > last + 1:
                skipped = e.index - last - 1
                zh.append(f"  …（{skipped} 个 epoch 没有降低 lr）")
                en.append(f"  … ({skipped} epochs without a reduction)")
            last = e.index
            call = f"step(metrics[{e.index - 1}] = {fmt(e.metric)})"
            if e.better:
                zh_what, en_what = f"变好 → best = {fmt(e.best)}", f"better → best = {fmt(e.best)}"
            else:
                zh_what, en_what = f"未变好（best = {fmt(e.best)}）", f"not better (best = {fmt(e.best)})"
            if e.cooling:
                zh_what += "；cooldown 中，坏 epoch 不计"
                en_what += "; in cooldown, the bad epoch is not counted"
            zh_what += f"；num_bad_epochs = {e.counted}"
            en_what += f"; num_bad_epochs = {e.counted}"
            if e.reduced:
                zh_what += f" > patience {a.patience} → lr 降为 {fmt(e.lr)}，计数清零" + (
                    f"，cooldown {a.cooldown}" if a.cooldown else ""
                )
                en_what += f" > patience {a.patience} → lr becomes {fmt(e.lr)}, count reset" + (
                    f", cooldown {a.cooldown}" if a.cooldown else ""
                )
            elif e.counted > a.patience:
                # Past patience but the cut was within eps or at min_lr: torch leaves the lr as it is.
                zh_what += f" > patience {a.patience}，但 lr 已到 min_lr 或降幅不超过 eps：lr 不变"
                en_what += f" > patience {a.patience}, but the lr is at min_lr or the cut is within eps: lr unchanged"
            zh.append(f"  第 {e.index} 次 {call}：{zh_what}")
            en.append(f"  call {e.index}: {call}: {en_what}")
        cuts = sum(e.reduced for e in epochs)
        zh.append(f"{t} 次 step() 内降低 {cuts} 次：lr_{t} = {fmt(final_lr(epochs, lr))}")
        en.append(
            f"{cuts} reduction{'' if cuts == 1 else 's'} in {t} calls of step(): lr_{t} = {fmt(final_lr(epochs, lr))}"
        )
        return BiText("\n".join(zh), "\n".join(en))

    def misconceptions(self, a: PlateauArgs, lr: float, t: int) -> list[Misconception]:
        out = [
            mistake(
                "patience-off-by-one",
                final_lr(simulate(a, lr, t, patience_shift=-1), lr),
                f"要等坏 epoch 数严格超过 patience（第 {a.patience + 1} 个坏 epoch）才降低；你在第 {a.patience} 个就降了。",
                f"The lr drops only when the bad epochs exceed patience (at the {a.patience + 1}th bad epoch); "
                f"you reduced at the {a.patience}th.",
            ),
            mistake(
                "patience-plus-one",
                final_lr(simulate(a, lr, t, patience_shift=1), lr),
                "多等了一个 epoch：第 patience + 1 个坏 epoch 当步就降低 lr。",
                "You waited one epoch too long: the lr drops on the patience + 1-th bad epoch itself.",
            ),
        ]
        if a.threshold > 0:
            out.append(
                mistake(
                    "ignored-threshold",
                    final_lr(simulate(a, lr, t, threshold=0.0), lr),
                    "只有比最好值好出 threshold 才算变好；微小的改进仍算坏 epoch。",
                    "An epoch counts as better only if it beats the best by threshold; a tiny gain is still a bad epoch.",
                )
            )
        if a.cooldown:
            out.append(
                mistake(
                    "ignored-cooldown",
                    final_lr(simulate(a, lr, t, cooldown=0), lr),
                    f"降低之后的 {a.cooldown} 个 epoch 处于 cooldown，坏 epoch 不计数。",
                    f"For {a.cooldown} epochs after a reduction the scheduler cools down and counts no bad epochs.",
                )
            )
        if a.min_lr > 0:
            out.append(
                mistake(
                    "ignored-min-lr",
                    final_lr(simulate(a, lr, t, min_lr=0.0), lr),
                    f"lr 不会降到 min_lr = {fmt(a.min_lr)} 以下。",
                    f"The lr never goes below min_lr = {fmt(a.min_lr)}.",
                )
            )
        return out
