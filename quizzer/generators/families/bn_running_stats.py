"""BatchNorm1d's running_mean / running_var after a few training batches (PyTorch's momentum convention)."""

from __future__ import annotations

import random
from typing import Literal

from pydantic import Field, field_validator, model_validator

from quizzer.generators.base import AnswerSpec, Family, Misconception, Params, fmt, fmt_factor, fmt_list
from quizzer.generators.registry import register
from quizzer.text import BiText


class BnRunningStatsParams(Params):
    x: list[float] = Field(
        min_length=2,
        max_length=40,
        description="one feature's values, batch after batch, comma-separated",
        json_schema_extra={"zh": "同一特征的取值，按批次依次排列，逗号分隔"},
    )
    batch_size: int = Field(
        ge=2,
        le=20,
        description="how many consecutive values of x form one batch",
        json_schema_extra={"zh": "x 中连续多少个值构成一个批次"},
    )
    # None is torch's cumulative moving average (running stat = plain mean of the batch stats so far).
    momentum: float | None = Field(
        default=0.1,
        gt=0,
        le=1,
        description="BatchNorm's momentum: new = (1 − m)·old + m·batch stat; none = cumulative average",
        json_schema_extra={"zh": "BatchNorm 的 momentum：新值 = (1 − m)·旧值 + m·批统计量；none 表示累计平均"},
    )
    quantity: Literal["running_mean", "running_var"] = Field(
        default="running_mean",
        description="which running statistic is asked after the last batch",
        json_schema_extra={"zh": "问最后一个批次之后的哪个滑动统计量"},
    )

    @field_validator("momentum", mode="before")
    @classmethod
    def _none_text(cls, v: object) -> object:
        return None if isinstance(v, str) and v.strip().lower() in ("none", "null") else v

    @model_validator(mode="after")
    def _well_posed(self) -> BnRunningStatsParams:
        if len(self.x) % self.batch_size:
            raise ValueError(
                f"x has {len(self.x)} values, not a whole number of batches of batch_size={self.batch_size}"
            )
        if len(self.x) // self.batch_size > 5:
            raise ValueError("at most 5 batches")
        if any(abs(v) > 1e4 for v in self.x):
            raise ValueError("values must be at most 1e4 in magnitude")
        return self

    @property
    def batches(self) -> list[list[float]]:
        b = self.batch_size
        return [self.x[i : i + b] for i in range(0, len(self.x), b)]


def batch_stat(batch: list[float], quantity: str, ddof: int = 1) -> float:
    m = sum(batch) / len(batch)
    if quantity == "running_mean":
        return m
    return sum((v - m) ** 2 for v in batch) / (len(batch) - ddof)


def running(p: BnRunningStatsParams, *, ddof: int = 1, start: float | None = None, keras: bool = False) -> list[float]:
    """The running statistic after each batch; keyword overrides produce the misconceptions."""
    r = (0.0 if p.quantity == "running_mean" else 1.0) if start is None else start
    out = []
    for t, batch in enumerate(p.batches, 1):
        s = batch_stat(batch, p.quantity, ddof)
        m = 1.0 / t if p.momentum is None else p.momentum
        r = m * r + (1 - m) * s if keras else (1 - m) * r + m * s
        out.append(r)
    return out


def _r(v: float) -> float:
    return round(v, 10)


@register
class BnRunningStats(Family[BnRunningStatsParams]):
    name = "bn-running-stats"
    topic = "batchnorm-layernorm"
    title = BiText("BatchNorm 的 running_mean / running_var", "BatchNorm running_mean / running_var")
    answer_spec = AnswerSpec(kind="float", rel_tol=1e-3, abs_tol=1e-6)
    params_model = BnRunningStatsParams

    def sample(self, rng: random.Random, difficulty: int) -> BnRunningStatsParams:
        quantity: Literal["running_mean", "running_var"] = rng.choice(["running_mean", "running_var"])
        momentum: float | None  # None: torch's cumulative moving average
        if difficulty == 1:
            k, b, momentum = 1, rng.choice([2, 3, 4]), 0.1
            x = [float(rng.randint(-2, 10)) for _ in range(k * b)]
        elif difficulty == 2:
            k, b, momentum = 2, rng.choice([2, 3, 4]), rng.choice([0.1, 0.1, 0.2, 0.3])
            x = [float(rng.randint(-5, 12)) for _ in range(k * b)]
        else:
            k, b = rng.choice([2, 3]), rng.choice([3, 4])
            momentum = rng.choice([0.1, 0.05, 0.3, None])
            x = [round(rng.randint(-40, 60) * 0.1, 1) for _ in range(k * b)]
        if max(x) == min(x):
            x[0] += 1.0
        return BnRunningStatsParams(x=x, batch_size=b, momentum=momentum, quantity=quantity)

    def solve(self, p: BnRunningStatsParams) -> float:
        return running(p)[-1]

    def verify(self, p: BnRunningStatsParams) -> float:
        import torch
        from torch import nn

        bn = nn.BatchNorm1d(1, momentum=p.momentum, dtype=torch.float64).train()
        with torch.no_grad():
            for batch in p.batches:
                bn(torch.tensor(batch, dtype=torch.float64).reshape(-1, 1))
        return float(getattr(bn, p.quantity)[0])

    def prompt(self, p: BnRunningStatsParams) -> BiText:
        k = len(p.batches)
        batches = "；".join(f"{fmt_list(b)}" for b in p.batches)
        batches_en = "; ".join(f"{fmt_list(b)}" for b in p.batches)
        mom = "momentum=None（累积移动平均）" if p.momentum is None else f"momentum={fmt(p.momentum)}"
        mom_en = "momentum=None (cumulative moving average)" if p.momentum is None else f"momentum={fmt(p.momentum)}"
        return BiText(
            f"一个新建的 nn.BatchNorm1d(1, {mom})（单个特征，缓冲区为默认初值）在训练模式下依次前向了 {k} 个批次"
            f"（每批 {p.batch_size} 个样本）：{batches}。之后它的 {p.quantity} 是多少？",
            f"A freshly constructed nn.BatchNorm1d(1, {mom_en}) (one feature, buffers at their default initial values) "
            f"runs forward in training mode on {k} batch{'es' if k > 1 else ''} of {p.batch_size} samples: {batches_en}. "
            f"What is its {p.quantity} afterwards?",
        )

    def solution(self, p: BnRunningStatsParams) -> BiText:
        init = 0 if p.quantity == "running_mean" else 1
        if p.momentum is None:
            rule = "running ← running + (stat − running)/t（t = 已见批次数，即各批统计量的平均）"
            rule_en = "running ← running + (stat − running)/t (t = batches seen: the plain average of the batch stats)"
        else:
            rule = rule_en = f"running ← (1 − {fmt(p.momentum)})·running + {fmt(p.momentum)}·stat"
        what = "batch mean" if p.quantity == "running_mean" else "unbiased batch variance Σ(x − μ)²/(n − 1)"
        what_zh = "批均值" if p.quantity == "running_mean" else "批次无偏方差 Σ(x − μ)²/(n − 1)"
        zh, en = [], []
        r = float(init)
        for t, (batch, after) in enumerate(zip(p.batches, running(p), strict=False), 1):
            s = batch_stat(batch, p.quantity)
            m = 1.0 / t if p.momentum is None else p.momentum
            step = f"(1 − {fmt(_r(m))})·{fmt_factor(_r(r))} + {fmt(_r(m))}·{fmt_factor(_r(s))} = {fmt(_r(after))}"
            zh.append(f"第 {t} 批 {fmt_list(batch)}：stat = {fmt(_r(s))}；running = {step}")
            en.append(f"batch {t} {fmt_list(batch)}: stat = {fmt(_r(s))}; running = {step}")
            r = after
        return BiText(
            f"初值 {p.quantity} = {init}。规则：{rule}，stat 为{what_zh}。\n  " + "\n  ".join(zh),
            f"Initial {p.quantity} = {init}. Rule: {rule_en}, where stat is the {what}.\n  " + "\n  ".join(en),
        )

    def misconceptions(self, p: BnRunningStatsParams) -> list[Misconception]:
        mistakes = []
        if p.momentum is not None:
            mistakes.append(
                Misconception(
                    "keras-momentum",
                    running(p, keras=True)[-1],
                    BiText(
                        "你按 Keras/TensorFlow 的约定让 momentum 加权旧值：running = momentum·running + (1 − momentum)·stat。"
                        "PyTorch 相反：running = (1 − momentum)·running + momentum·stat。",
                        "You used the Keras/TensorFlow convention where momentum weighs the old value: running = momentum·running "
                        "+ (1 − momentum)·stat. PyTorch is the other way round: running = (1 − momentum)·running + momentum·stat.",
                    ),
                )
            )
        else:
            mistakes.append(
                Misconception(
                    "default-momentum",
                    running(p.model_copy(update=dict(momentum=0.1)))[-1],
                    BiText(
                        "momentum=None 不是默认的 0.1：它表示累积移动平均，running 等于各批统计量的简单平均。",
                        "momentum=None is not the default 0.1: it means a cumulative moving average, the plain mean of the batch stats.",
                    ),
                )
            )
        mistakes.append(
            Misconception(
                "last-batch-only",
                batch_stat(p.batches[-1], p.quantity),
                BiText(
                    "running 统计量不是最后一批的统计量，而是从初值开始的指数移动平均。",
                    "The running statistic is not the last batch's statistic; it is a moving average starting from the initial value.",
                ),
            )
        )
        if p.quantity == "running_var":
            mistakes.append(
                Misconception(
                    "biased-variance",
                    running(p, ddof=0)[-1],
                    BiText(
                        "running_var 用的是无偏方差（除以 n − 1）；前向归一化才用有偏方差。",
                        "running_var is updated with the unbiased variance (divide by n − 1); only the forward normalization uses the biased one.",
                    ),
                )
            )
            mistakes.append(
                Misconception(
                    "started-at-zero",
                    running(p, start=0.0)[-1],
                    BiText(
                        "running_var 的初值是 1，不是 0（running_mean 的初值才是 0）。",
                        "running_var starts at 1, not 0 (it is running_mean that starts at 0).",
                    ),
                )
            )
        return mistakes

    def hints(self, p: BnRunningStatsParams) -> list[BiText]:
        from quizzer.generators.base import withhold, withhold_last

        init = BiText("running_mean 从 0 开始", "running_mean starts at 0")
        if p.quantity == "running_var":
            init = BiText(
                "running_var 从 1 开始，且用批次的无偏方差（除以 n − 1）",
                "running_var starts at 1 and takes the batch's unbiased variance (divide by n − 1)",
            )
        if p.momentum is None:
            rule = BiText(
                "momentum=None 时是各批统计量的简单累计平均",
                "With momentum=None it is the plain cumulative average of the batch statistics",
            )
        else:
            rule = BiText(
                "PyTorch 的 momentum 是新批次统计量的权重：running ← (1 − momentum)·running + momentum·stat"
                "（与 Keras 的约定相反）",
                "PyTorch's momentum weighs the new batch statistic: running ← (1 − momentum)·running + "
                "momentum·stat (the opposite of Keras's convention)",
            )
        steps = self.solution(p)
        zh, en = [line.strip() for line in steps.zh.splitlines()], [line.strip() for line in steps.en.splitlines()]
        out = [rule + BiText("；", "; ") + init + BiText("。", "."), BiText(withhold(zh[1]), withhold(en[1]))]
        if len(p.batches) > 1:
            out.append(withhold_last(BiText("\n".join(zh[1:]), "\n".join(en[1:]))))
        return out
