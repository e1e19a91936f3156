"""Table entries for ConstantLR and CyclicLR (see ``schedules`` for what an entry is).

Both are written as torch computes them: ConstantLR's factor holds for the first ``total_iters`` steps,
CyclicLR's triangle is evaluated afresh at every step from ``last_epoch`` (no recursion, so the
closed form is torch's own arithmetic).
"""

from __future__ import annotations

import math
import random
from typing import Any, Literal

from pydantic import Field

from quizzer.generators.base import Misconception, fmt
from quizzer.generators.schedule_base import Args, Schedule, mistake, same, schedule
from quizzer.text import BiText


class ConstantArgs(Args):
    factor: float = Field(
        default=1.0 / 3,
        gt=0,
        le=1,
        description="ConstantLR: the lr is multiplied by this until total_iters",
        json_schema_extra={"zh": "ConstantLR：total_iters 步之前学习率乘以的因子"},
    )
    total_iters: int = Field(
        default=5,
        ge=1,
        description="ConstantLR: steps during which the factor holds; from then on the initial lr",
        json_schema_extra={"zh": "ConstantLR：因子生效的步数，此后恢复初始学习率"},
    )


@schedule
class Constant(Schedule[ConstantArgs]):
    name, torch_class, args_model, difficulties = "constant", "ConstantLR", ConstantArgs, (1, 2)
    concept = BiText(
        "ConstantLR 在前 total_iters 步（t = 0 … total_iters − 1）把学习率乘以 factor，从第 total_iters 步起恢复初始 lr。",
        "ConstantLR multiplies the lr by factor for the first total_iters steps (t = 0 … total_iters − 1) and "
        "restores the initial lr from step total_iters on.",
    )

    def lr_at(self, a: ConstantArgs, lr: float, t: int) -> float:
        return lr * a.factor if t < a.total_iters else lr

    def sample(self, rng: random.Random, difficulty: int, lr: float, eta_min: float) -> dict[str, Any]:
        n = rng.choice([3, 4, 5, 10])
        edge = n + rng.choice([-1, 0])  # the last scaled step and the first restored one
        return dict(
            factor=rng.choice([0.1, 0.5, 0.25, 1.0 / 3] if difficulty > 1 else [0.1, 0.5]),
            total_iters=n,
            step=edge if difficulty > 1 or rng.random() < 0.5 else rng.randint(0, n + 5),
        )

    def solution(self, a: ConstantArgs, lr: float, t: int) -> BiText:
        ans = fmt(self.lr_at(a, lr, t))
        if t < a.total_iters:
            return BiText(
                f"t={t} < total_iters={a.total_iters}：仍在缩放阶段\nlr_t = lr·factor = {fmt(lr)}·{fmt(a.factor)} = {ans}",
                f"t={t} < total_iters={a.total_iters}: still scaled\nlr_t = lr·factor = {fmt(lr)}·{fmt(a.factor)} = {ans}",
            )
        return BiText(
            f"t={t} ≥ total_iters={a.total_iters}：第 total_iters 次 step() 已把 factor 撤销\nlr_t = lr = {ans}",
            f"t={t} ≥ total_iters={a.total_iters}: the total_iters-th call of step() undid the factor\nlr_t = lr = {ans}",
        )

    def misconceptions(self, a: ConstantArgs, lr: float, t: int) -> list[Misconception]:
        return [
            mistake(
                "total-iters-inclusive",
                lr * a.factor if t <= a.total_iters else lr,
                f"factor 只作用于 t < total_iters：第 {a.total_iters} 步已经恢复初始 lr。",
                f"The factor applies for t < total_iters only: step {a.total_iters} already has the initial lr back.",
            ),
            mistake(
                "factor-forever",
                lr * a.factor,
                "ConstantLR 的缩放是暂时的：total_iters 步之后 lr 回到初始值。",
                "ConstantLR's scaling is temporary: after total_iters steps the lr returns to its initial value.",
            ),
        ]


class CyclicArgs(Args):
    base_lr: float = Field(
        gt=0,
        le=10,
        description="CyclicLR: lower bound of the cycle (it replaces the optimizer's lr)",
        json_schema_extra={"zh": "CyclicLR：周期的下界（取代优化器的 lr）"},
    )
    max_lr: float = Field(
        gt=0,
        le=10,
        description="CyclicLR: upper bound of the cycle",
        json_schema_extra={"zh": "CyclicLR：周期的上界"},
    )
    step_size_up: int = Field(
        default=2000,
        ge=1,
        description="CyclicLR: iterations from base_lr up to max_lr",
        json_schema_extra={"zh": "CyclicLR：从 base_lr 升到 max_lr 的迭代次数"},
    )
    step_size_down: int | None = Field(
        default=None,
        ge=1,
        description="CyclicLR: iterations from max_lr back down (unset: step_size_up)",
        json_schema_extra={"zh": "CyclicLR：从 max_lr 降回的迭代次数（不设则等于 step_size_up）"},
    )
    mode: Literal["triangular", "triangular2", "exp_range"] = Field(
        default="triangular",
        description="CyclicLR: amplitude policy: triangular, triangular2 (halved each cycle) or exp_range",
        json_schema_extra={"zh": "CyclicLR：振幅策略：triangular、triangular2（每个周期减半）或 exp_range"},
    )
    gamma: float = Field(
        default=1.0,
        gt=0,
        le=1,
        description="CyclicLR exp_range: the amplitude is multiplied by gamma every iteration",
        json_schema_extra={"zh": "CyclicLR 的 exp_range：振幅每次迭代乘以 gamma"},
    )


Cycle = tuple[int, float, float, float]  # (cycle number, x in the cycle, triangle height 0..1, amplitude scale)


@schedule
class Cyclic(Schedule[CyclicArgs]):
    name, torch_class, args_model, difficulties = "cyclic", "CyclicLR", CyclicArgs, (2, 3)
    concept = BiText(
        "CyclicLR 让学习率在 base_lr 与 max_lr 之间做三角波：step_size_up 次迭代上升、step_size_down 次下降。"
        "triangular2 每个周期把振幅减半，exp_range 按迭代次数乘 γ^t。",
        "CyclicLR moves the lr along a triangle between base_lr and max_lr: up for step_size_up iterations, "
        "down for step_size_down. triangular2 halves the amplitude every cycle; exp_range scales it by γ^t.",
    )
    per_batch = True

    def torch_kwargs(self, a: CyclicArgs) -> dict[str, Any]:
        # Only the lr is asked about; cycling momentum needs an optimizer with momentum, which plain SGD lacks.
        return {**a.model_dump(), "cycle_momentum": False}

    def check(self, a: CyclicArgs, lr: float) -> None:
        if a.max_lr <= a.base_lr:
            raise ValueError(f"max_lr ({a.max_lr}) must exceed base_lr ({a.base_lr})")

    def scale(self, a: CyclicArgs, lr: float) -> float:
        return a.max_lr

    def note(self, a: CyclicArgs, lr: float) -> BiText:
        return BiText(
            f"（CyclicLR 在构造时把优化器的 lr 设为 base_lr，所以 lr={fmt(lr)} 不起作用。）",
            f" (CyclicLR sets the optimizer's lr to base_lr when it is built, so lr={fmt(lr)} plays no role.)",
        )

    def position(self, a: CyclicArgs, t: int, mode: str | None = None, up_only: bool = False) -> Cycle:
        """Where torch's ``CyclicLR.get_lr`` puts step ``t``, term by term."""
        up = float(a.step_size_up)
        down = float(a.step_size_down) if a.step_size_down is not None else up
        total = up if up_only else up + down
        ratio = 1.0 if up_only else up / total
        cycle = math.floor(1 + t / total)
        x = 1.0 + t / total - cycle
        height = x / ratio if x <= ratio else (x - 1) / (ratio - 1)
        mode = mode or a.mode
        amp = 1.0 if mode == "triangular" else 1 / (2.0 ** (cycle - 1)) if mode == "triangular2" else a.gamma**t
        return cycle, x, height, amp

    def value(self, a: CyclicArgs, cyc: Cycle) -> float:
        return a.base_lr + (a.max_lr - a.base_lr) * cyc[2] * cyc[3]

    def lr_at(self, a: CyclicArgs, lr: float, t: int) -> float:
        return self.value(a, self.position(a, t))

    def sample(self, rng: random.Random, difficulty: int, lr: float, eta_min: float) -> dict[str, Any]:
        up = rng.choice([4, 5, 10, 20, 2000] if difficulty == 3 else [4, 5, 10, 20])
        down = rng.choice([None, None, up // 2, 2 * up]) if difficulty == 3 else None
        base, top = rng.choice([(0.001, 0.006), (0.01, 0.1), (0.1, 1.0), (0.0001, 0.001)])
        mode = rng.choice(
            ["triangular", "triangular2", "exp_range"] if difficulty == 3 else ["triangular", "triangular2"]
        )
        cycle = up + (down or up)
        return dict(
            base_lr=base,
            max_lr=top,
            step_size_up=up,
            step_size_down=down,
            mode=mode,
            gamma=rng.choice([0.99, 0.999, 0.9]) if mode == "exp_range" else 1.0,
            step=rng.randint(0, min(3 * cycle, 10_000)),
        )

    def solution(self, a: CyclicArgs, lr: float, t: int) -> BiText:
        up = a.step_size_up
        down = a.step_size_down if a.step_size_down is not None else up
        cycle, x, height, amp = self.position(a, t)
        ratio = up / (up + down)
        h = (
            f"x/ratio = {fmt(x)}/{fmt(ratio)}"
            if x <= ratio
            else f"(x − 1)/(ratio − 1) = ({fmt(x)} − 1)/({fmt(ratio)} − 1)"
        )
        scale = {
            "triangular": "scale = 1 (triangular)",
            "triangular2": f"scale = 1/2^(cycle − 1) = 1/2^{cycle - 1} = {fmt(amp)} (triangular2)",
            "exp_range": f"scale = γ^t = {fmt(a.gamma)}^{t} = {fmt(amp)} (exp_range)",
        }[a.mode]
        body = (
            f"cycle length = step_size_up + step_size_down = {up} + {down} = {up + down}; "
            f"ratio = step_size_up/length = {fmt(ratio)}\n"
            f"cycle = ⌊1 + t/length⌋ = ⌊1 + {t}/{up + down}⌋ = {cycle}; x = 1 + t/length − cycle = {fmt(x)}\n"
            f"height = {h} = {fmt(height)}; {scale}\n"
            f"lr = base_lr + (max_lr − base_lr)·height·scale = {fmt(a.base_lr)} + "
            f"({fmt(a.max_lr)} − {fmt(a.base_lr)})·{fmt(height)}·{fmt(amp)} = {fmt(self.lr_at(a, lr, t))}"
        )
        return same(body)

    def misconceptions(self, a: CyclicArgs, lr: float, t: int) -> list[Misconception]:
        out = [
            mistake(
                "up-is-whole-cycle",
                self.value(a, self.position(a, t, up_only=True)),
                "step_size_up 只是上升的半个周期；一个完整周期是 step_size_up + step_size_down 次迭代。",
                "step_size_up is only the rising half; a whole cycle is step_size_up + step_size_down iterations.",
            ),
            mistake(
                "optimizer-lr-as-base",
                lr + (a.max_lr - lr) * self.position(a, t)[2] * self.position(a, t)[3],
                "CyclicLR 的下界是 base_lr，它覆盖了优化器的 lr。",
                "CyclicLR's lower bound is base_lr, which overrides the optimizer's lr.",
            ),
        ]
        if a.mode == "triangular2":
            out.append(
                mistake(
                    "amplitude-not-halved",
                    self.value(a, self.position(a, t, mode="triangular")),
                    "triangular2 每过一个周期振幅减半：乘 1/2^(cycle − 1)。",
                    "triangular2 halves the amplitude every cycle: multiply by 1/2^(cycle − 1).",
                )
            )
        if a.mode == "exp_range":
            cyc = self.position(a, t)
            out.append(
                mistake(
                    "gamma-per-cycle",
                    self.value(a, (*cyc[:3], a.gamma ** cyc[0])),
                    "exp_range 的缩放是 γ^t（按迭代次数），不是 γ^cycle。",
                    "exp_range scales by γ^t (per iteration), not γ^cycle.",
                )
            )
        return out
