"""Early stopping on validation loss with patience and min_delta: when training stops, which epoch is restored."""

from __future__ import annotations

import random
from typing import Literal

from pydantic import Field, model_validator

from quizzer.generators.base import AnswerSpec, Family, Misconception, Params, fmt, fmt_list, given
from quizzer.generators.registry import register
from quizzer.text import BiText

# Losses and min_delta are fixed-point decimals; comparing them as integers in units of 1e-4 makes
# "improved by exactly min_delta" an exact tie (not an improvement) for the solver and for torch alike.
_SCALE = 10_000


def _fixed(v: float) -> int | None:
    n = round(v * _SCALE)
    return n if abs(v * _SCALE - n) < 1e-6 else None


class EarlyStoppingParams(Params):
    val_loss: list[float] = Field(
        min_length=2,
        max_length=40,
        description="validation loss after each epoch, comma-separated",
        json_schema_extra={"zh": "每个 epoch 之后的验证损失，逗号分隔"},
    )
    patience: int = Field(
        ge=1,
        le=20,
        description="epochs without improvement tolerated before stopping",
        json_schema_extra={"zh": "停止前可容忍的无改进 epoch 数"},
    )
    min_delta: float = Field(
        default=0.0,
        ge=0,
        le=100,
        description="the smallest decrease that counts as an improvement",
        json_schema_extra={"zh": "计为改进所需的最小下降量"},
    )
    quantity: Literal["stop", "best"] = Field(
        default="stop",
        description="stop: the epoch training stops at; best: the epoch whose weights are kept",
        json_schema_extra={"zh": "stop：停止训练的 epoch；best：保留权重的那个 epoch"},
    )

    @model_validator(mode="after")
    def _well_posed(self) -> EarlyStoppingParams:
        for i, v in enumerate(self.val_loss, 1):
            if abs(v) > 1e4 or _fixed(v) is None:
                raise ValueError(f"val_loss of epoch {i} ({v}) must be a decimal with at most 4 places, |loss| ≤ 1e4")
        if _fixed(self.min_delta) is None:
            raise ValueError(f"min_delta ({self.min_delta}) must be a decimal with at most 4 decimal places")
        return self


def run(
    losses: list[float], patience: int, min_delta: float, *, strict_late: bool = False, counts_improving: bool = False
) -> tuple[int, int, list[tuple[int, int, bool]]]:
    """(stop epoch, best epoch, per-epoch (best, wait, improved)) — epochs 1-indexed, values in 1e-4 units.

    Two classic off-by-ones, simulated rather than guessed: ``strict_late`` stops only once wait > patience;
    ``counts_improving`` counts the improving epoch itself as the first of the patience epochs (its counter
    starts at 1, not 0), which stops one epoch early whenever the counter gets that far."""
    d = _fixed(min_delta) or 0
    best: int | None = None
    best_epoch, wait, trace = 0, 0, []
    for e, v in enumerate(losses, 1):
        x = given(_fixed(v))  # the validator refuses losses finer than the grid
        if best is None or x < best - d:
            best, best_epoch, wait, improved = x, e, int(counts_improving), True
        else:
            wait, improved = wait + 1, False
        trace.append((best, wait, improved))
        if wait > patience if strict_late else wait >= patience:
            return e, best_epoch, trace
    return len(losses), best_epoch, trace


@register
class EarlyStopping(Family[EarlyStoppingParams]):
    name = "early-stopping"
    topic = "regularization-normalization"
    title = BiText("早停：何时停止、恢复哪一轮", "Early stopping: when it stops, which epoch is restored")
    answer_spec = AnswerSpec(kind="int")
    params_model = EarlyStoppingParams

    def sample(self, rng: random.Random, difficulty: int) -> EarlyStoppingParams:
        n = rng.randint(8, 10) if difficulty == 1 else rng.randint(10, 15)
        patience = rng.randint(2, 3) if difficulty == 1 else rng.randint(2, 5)
        unit = 0.001 if difficulty == 3 else 0.01
        min_delta = {1: 0.0, 2: rng.choice([0.0, 0.01, 0.02]), 3: rng.choice([0.005, 0.01, 0.002])}[difficulty]
        cur = rng.randint(120, 250) / 100
        losses = []
        descent = rng.randint(3, max(3, n - patience - 2))
        for _ in range(descent):
            losses.append(cur)
            cur = round(cur - rng.randint(4, 25) / 100, 2)
            cur = max(cur, 0.3)
        floor = min(losses)
        while len(losses) < n:
            # Plateau: mostly worse than the best, sometimes a small (possibly < min_delta) improvement.
            step = rng.randint(-3, 6) if difficulty == 3 else rng.randint(-2, 6)
            losses.append(round(floor + step * unit, 3))
            floor = min(floor, losses[-1])
        return EarlyStoppingParams(
            val_loss=losses, patience=patience, min_delta=min_delta, quantity=rng.choice(["stop", "best"])
        )

    def solve(self, p: EarlyStoppingParams) -> int:
        stop, best, _ = run(p.val_loss, p.patience, p.min_delta)
        return stop if p.quantity == "stop" else best

    def verify(self, p: EarlyStoppingParams) -> int:
        import torch

        # ReduceLROnPlateau(threshold_mode='abs') counts an epoch as better exactly when a < best − threshold, and
        # cuts the lr once num_bad_epochs > patience. Early stopping stops once bad epochs ≥ patience, so the
        # scheduler gets patience − 1: its first lr cut is the stop epoch, and its last reset is the best epoch.
        param = torch.nn.Parameter(torch.zeros(1))
        opt = torch.optim.SGD([param], lr=1.0)
        sched = torch.optim.lr_scheduler.ReduceLROnPlateau(
            opt,
            mode="min",
            factor=0.5,
            patience=p.patience - 1,
            threshold=float(given(_fixed(p.min_delta))),
            threshold_mode="abs",
            cooldown=0,
        )
        stop, best = len(p.val_loss), 0
        for epoch, v in enumerate(p.val_loss, 1):
            sched.step(float(given(_fixed(v))))
            if opt.param_groups[0]["lr"] < 1.0:
                stop = epoch
                break
            if sched.num_bad_epochs == 0:
                best = epoch
        return stop if p.quantity == "stop" else best

    def prompt(self, p: EarlyStoppingParams) -> BiText:
        losses = fmt_list(p.val_loss)
        rule_zh = (
            "规则：第一轮总算改进；之后某轮验证损失 < 当前最佳 − min_delta 才算改进（恰好等于不算），"
            "并更新最佳；连续 patience 轮没有改进就在该轮结束后停止训练；停止时恢复最后一次改进那一轮的权重"
            "（若始终未触发，则训练完所有轮）。"
        )
        rule_en = (
            "Rule: the first epoch always counts as an improvement; after that an epoch is an improvement when its "
            "validation loss < best − min_delta (equality does not count), and it becomes the new best. After "
            "patience consecutive epochs without improvement, training stops at the end of that epoch, and the "
            "weights of the last improving epoch are restored (if this never triggers, all epochs run)."
        )
        ask_zh = (
            "训练在第几轮结束后停止？（若未触发早停，答最后一轮）" if p.quantity == "stop" else "恢复的是第几轮的权重？"
        )
        ask_en = (
            "After which epoch does training stop? (if early stopping never triggers, give the last epoch)"
            if p.quantity == "stop"
            else "Which epoch's weights are restored?"
        )
        return BiText(
            f"各轮（从 1 开始编号）的验证损失为 {losses}，patience={p.patience}，min_delta={fmt(p.min_delta)}。\n{rule_zh}\n{ask_zh}",
            f"The validation losses of epochs 1, 2, … are {losses}; patience={p.patience}, min_delta={fmt(p.min_delta)}.\n"
            f"{rule_en}\n{ask_en}",
        )

    def solution(self, p: EarlyStoppingParams) -> BiText:
        stop, best, trace = run(p.val_loss, p.patience, p.min_delta)
        zh, en = [], []
        for e, (v, (b, wait, improved)) in enumerate(zip(p.val_loss, trace, strict=False), 1):
            b_txt = fmt(b / _SCALE)
            if improved:
                zh.append(f"第 {e} 轮：{fmt(v)} → 改进，最佳 = {b_txt}，计数 0")
                en.append(f"epoch {e}: {fmt(v)} → improvement, best = {b_txt}, counter 0")
            else:
                need = fmt(round(b / _SCALE - p.min_delta, 6))
                zh.append(f"第 {e} 轮：{fmt(v)} 不小于 {need} → 计数 {wait}")
                en.append(f"epoch {e}: {fmt(v)} is not < {need} → counter {wait}")
        triggered = trace[-1][1] >= p.patience if len(trace) else False
        end_zh = (
            f"计数达到 patience={p.patience}，在第 {stop} 轮停止" if triggered else f"从未触发，训练完全部 {stop} 轮"
        )
        end_en = (
            f"the counter reaches patience={p.patience}: stop after epoch {stop}"
            if triggered
            else f"never triggered: all {stop} epochs run"
        )
        ans_zh = f"；恢复第 {best} 轮（最后一次改进）的权重。" if p.quantity == "best" else "。"
        ans_en = f"; restore epoch {best} (the last improvement)." if p.quantity == "best" else "."
        return BiText(
            "逐轮跟踪最佳值与无改进计数：\n  " + "\n  ".join(zh) + f"\n  {end_zh}{ans_zh}",
            "Track the best value and the no-improvement counter epoch by epoch:\n  "
            + "\n  ".join(en)
            + f"\n  {end_en}{ans_en}",
        )

    def misconceptions(self, p: EarlyStoppingParams) -> list[Misconception]:
        stop, best, _ = run(p.val_loss, p.patience, p.min_delta)
        late, _, _ = run(p.val_loss, p.patience, p.min_delta, strict_late=True)
        early, _, _ = run(p.val_loss, p.patience, p.min_delta, counts_improving=True)
        no_delta_stop, no_delta_best, _ = run(p.val_loss, p.patience, 0.0)
        ignored = BiText(
            "忽略了 min_delta：只有比最佳值低出超过 min_delta 才算改进。",
            "You ignored min_delta: only a drop of more than min_delta below the best counts as an improvement.",
        )
        if p.quantity == "stop":
            return [
                Misconception(
                    "stopped-late",
                    late,
                    BiText(
                        "晚停了一轮：无改进计数 ≥ patience（而不是 > patience）时就停止。",
                        "One epoch late: stop once the no-improvement counter is ≥ patience, not > patience.",
                    ),
                ),
                Misconception(
                    "stopped-early",
                    early,
                    BiText(
                        "早停了：你把改进的那一轮也算进了 patience；要连续 patience 轮没有改进，改进那轮本身不计入。",
                        "Stopped early: you counted the improving epoch as one of the patience epochs; it takes patience "
                        "epochs without improvement, and the improving epoch itself does not count.",
                    ),
                ),
                Misconception("ignored-min-delta", no_delta_stop, ignored),
            ]
        return [
            Misconception(
                "restored-last",
                stop,
                BiText(
                    "恢复的不是停止时的最后一轮，而是最后一次改进（最佳）那一轮的权重。",
                    "The weights restored are not the last epoch's but those of the last improvement (the best epoch).",
                ),
            ),
            Misconception("ignored-min-delta", no_delta_best, ignored),
            Misconception(
                "global-min",
                min(range(len(p.val_loss)), key=lambda i: p.val_loss[i]) + 1,
                BiText(
                    "你取了整个列表里损失最小的一轮；训练停止后的轮次根本没有运行，而且改进要超过 min_delta 才算。",
                    "You took the lowest loss in the whole list; epochs after the stop never run, and an improvement must "
                    "beat the best by more than min_delta.",
                ),
            ),
            Misconception("zero-indexed", best - 1, BiText("轮次从 1 开始编号。", "Epochs are numbered from 1.")),
        ]

    def hints(self, p: EarlyStoppingParams) -> list[BiText]:
        stop, _, trace = run(p.val_loss, p.patience, p.min_delta)
        first = fmt(p.val_loss[0])
        bar = fmt(round(p.val_loss[0] - p.min_delta, 6))
        counters = ", ".join(str(wait) for _, wait, _ in trace[:stop])
        concept = BiText(
            "逐轮记两样东西：目前的最佳损失，和连续没有改进的轮数（计数器）。损失低于 最佳 − min_delta 才"
            "算改进，"
            "改进时计数器清零；计数器达到 patience 就停止。",
            "Keep two things epoch by epoch: the best loss so far and a counter of epochs without "
            "improvement. A loss below best − min_delta is an improvement and resets the counter; "
            "training stops when the counter reaches patience.",
        )
        if p.quantity == "best":
            concept += BiText(
                "恢复的是最后一次改进那一轮的权重。", " The weights restored are those of the last improving epoch."
            )
        return [
            concept,
            BiText(
                f"第一轮的损失 {first} 成为最佳；之后某轮的损失要小于 {bar} 才算改进。",
                f"The first epoch's loss {first} becomes the best; a later epoch improves only below {bar}.",
            ),
            BiText(
                f"各轮结束时的计数器依次为：{counters}（0 表示这一轮有改进）。",
                f"The counter after each epoch reads {counters} (0 marks an improving epoch).",
            ),
        ]
