"""Learning rate after ``step`` calls of a torch.optim.lr_scheduler scheduler.

Everything particular to one scheduler (arguments, closed form, sampler, worked solution, mistakes)
is its entry in ``quizzer.generators.schedules``; this family asks the question and adds the
off-by-one mistakes every scheduler shares.
"""

from __future__ import annotations

import random
from typing import Any

from pydantic import Field, model_validator

from quizzer.generators.base import AnswerSpec, Family, Misconception, fmt
from quizzer.generators.registry import register
from quizzer.generators.schedules import (
    MAX_STEP,
    SCHEDULES,
    ScheduleParams,
    mistake,
    torch_run,
    with_scheduler_args,
)
from quizzer.text import BiText


class LrScheduleParams(ScheduleParams):
    step: int = Field(
        ge=0,
        le=MAX_STEP,
        description="how many times scheduler.step() has been called; the lr after that is asked",
        json_schema_extra={"zh": "scheduler.step() 已调用的次数；求此后的学习率"},
    )

    @model_validator(mode="after")
    def _step_in_range(self) -> LrScheduleParams:
        last = self.schedule.last_step(self.args)
        if last is not None and self.step > last:
            raise ValueError(f"{self.schedule.torch_class} runs steps 0..{last}; step={self.step} is past the end")
        return self


@register
class LrSchedule(Family[LrScheduleParams]):
    name = "lr-schedule"
    topic = "lr-decay"
    title = BiText("学习率调度器：第 t 步的学习率", "LR scheduler: the learning rate at step t")
    answer_spec = AnswerSpec(kind="float", rel_tol=1e-3, abs_tol=1e-9, agree_rel=1e-9, agree_abs=1e-15)
    params_model = with_scheduler_args(LrScheduleParams)

    def spec(self, p: LrScheduleParams) -> AnswerSpec:
        # Scale-relative absolute tolerances: an lr that has annealed to ~0 is graded against the lr's scale.
        scale = p.schedule.scale(p.args, p.lr)
        # Recursive updates (cosine, polynomial, exponential) drift from the closed form by ~1e-14 relative.
        return AnswerSpec(kind="float", rel_tol=1e-3, abs_tol=1e-6 * scale, agree_rel=1e-9, agree_abs=1e-12 * scale)

    def sample(self, rng: random.Random, difficulty: int) -> LrScheduleParams:
        lr = rng.choice([0.1, 0.01, 0.05] if difficulty == 1 else [0.1, 0.01, 0.05, 0.2, 0.001, 0.5])
        chosen = rng.choice([s for s in SCHEDULES.values() if difficulty in s.difficulties])
        eta = 0.0 if difficulty == 1 else rng.choice([0.0, 0.0, lr / 100, lr / 10])
        values: dict[str, Any] = dict(scheduler=chosen.name, lr=lr, **chosen.sample(rng, difficulty, lr, eta))
        return self.params_model(**values)

    def solve(self, p: LrScheduleParams) -> float:
        return float(p.lr_at(p.step))

    def verify(self, p: LrScheduleParams) -> float:
        return torch_run(p.schedule, p.args, p.lr, lambda t, _lr: t == p.step)[1]

    def prompt(self, p: LrScheduleParams) -> BiText:
        per_batch = p.schedule.per_batch
        each_zh, nth_zh = (
            ("每次迭代（batch）", f"第 {p.step} 次迭代") if per_batch else ("每个 epoch ", f"第 {p.step} 个 epoch")
        )
        unit_en = "iteration (batch)" if per_batch else "epoch"
        call = p.schedule.step_call(p.args)  # ReduceLROnPlateau's step takes the epoch's metric
        return BiText(
            f"优化器 torch.optim.SGD(params, lr={fmt(p.lr)}) 配上调度器 {p.constructor()}。{each_zh}先调用 optimizer.step() "
            f"再调用 {call}。{nth_zh}（从 0 开始计数）使用的学习率是多少？"
            f"即调用 {p.step} 次 scheduler.step() 之后的 optimizer.param_groups[0]['lr']。",
            f"An optimizer torch.optim.SGD(params, lr={fmt(p.lr)}) is wrapped in the scheduler {p.constructor()}. "
            f"Every {unit_en} "
            f"calls optimizer.step() and then {call}. What learning rate is used during {unit_en} {p.step} "
            f"(counting from 0), i.e. optimizer.param_groups[0]['lr'] after {p.step} call{'' if p.step == 1 else 's'} "
            "of scheduler.step()?",
        ) + p.schedule.note(p.args, p.lr)

    def solution(self, p: LrScheduleParams) -> BiText:
        return p.schedule.solution(p.args, p.lr, p.step)

    def misconceptions(self, p: LrScheduleParams) -> list[Misconception]:
        t, last = p.step, p.schedule.last_step(p.args)
        out: list[Misconception] = []
        noun_zh, unit_zh, unit_en = (
            ("迭代", "次迭代", "iteration") if p.schedule.per_batch else ("epoch", "个 epoch", "epoch")
        )
        if t >= 1:
            # Counting epochs from 1 lands here too: "epoch t" is then the t-th epoch, run after only t − 1 calls.
            out.append(
                mistake(
                    "one-step-behind",
                    p.lr_at(t - 1),
                    f"差一步：调用 {t} 次 step() 后调度器位于下标 {t}，你用的是下标 {t - 1} 的值"
                    f"（例如把 {noun_zh} 从 1 开始编号：从 0 数起的第 {t} {unit_zh}之前正好调用过 {t} 次 step()）。",
                    f"Off by one: after {t} calls of step() the scheduler is at index {t}; you used index "
                    f"{t - 1} (for instance by counting {unit_en}s from 1: {unit_en} {t}, counted from 0, "
                    f"comes after {t} calls of step()).",
                )
            )
        if last is None or t + 1 <= last:
            out.append(
                mistake(
                    "one-step-ahead",
                    p.lr_at(t + 1),
                    f"多走了一步：第 {t} {unit_zh}自己的 scheduler.step() 在 optimizer.step() 之后才调用，"
                    f"它改的是第 {t + 1} {unit_zh}的学习率。",
                    f"One step ahead: {unit_en} {t}'s own scheduler.step() comes after its optimizer.step(), "
                    f"so it sets the learning rate of {unit_en} {t + 1}, not {unit_en} {t}.",
                )
            )
        return out + p.schedule.misconceptions(p.args, p.lr, t)

    def hints(self, p: LrScheduleParams) -> list[BiText]:
        # What the scheduler does and its worked formula are the scheduler table's (schedules.py).
        return p.schedule.hints(p.args, p.lr, p.step)
