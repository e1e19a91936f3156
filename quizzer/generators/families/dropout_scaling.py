"""Inverted dropout (torch.nn.Dropout): the kept value in training, its expectation, the eval output."""

from __future__ import annotations

import random
from typing import Literal

from pydantic import Field

from quizzer.generators.base import AnswerSpec, Family, Misconception, Params, fmt, fmt_factor
from quizzer.generators.registry import register
from quizzer.text import BiText


class DropoutScalingParams(Params):
    # p is the probability of ZEROING an element, as in torch.nn.Dropout (not the keep probability).
    p: float = Field(
        default=0.5,
        gt=0,
        lt=1,
        description="probability of zeroing an element, as in nn.Dropout (not the keep probability)",
        json_schema_extra={"zh": "元素被置零的概率，与 nn.Dropout 相同（不是保留概率）"},
    )
    x: float = Field(
        default=1.0, ge=-1e6, le=1e6, description="the input element's value", json_schema_extra={"zh": "输入元素的值"}
    )
    quantity: Literal["train", "expected", "eval"] = Field(
        default="train",
        description="train: a kept element's output; expected: the mean output in training; eval: the output in eval mode",
        json_schema_extra={"zh": "train：训练时被保留元素的输出；expected：训练时输出的期望；eval：评估模式下的输出"},
    )


def _round(v: float) -> float:
    return round(v, 10)


@register
class DropoutScaling(Family[DropoutScalingParams]):
    name = "dropout-scaling"
    topic = "regularization-normalization"
    title = BiText("Dropout 的缩放（inverted dropout）", "Dropout scaling (inverted dropout)")
    answer_spec = AnswerSpec(kind="float", rel_tol=1e-3, abs_tol=1e-6)
    params_model = DropoutScalingParams

    def sample(self, rng: random.Random, difficulty: int) -> DropoutScalingParams:
        if difficulty == 1:
            p = rng.choice([0.5, 0.2, 0.25, 0.75])
            x = float(rng.choice([1, 2, 3, 4, 6, 8]))
            quantity: Literal["train", "expected", "eval"] = rng.choice(["train", "train", "eval"])
        elif difficulty == 2:
            p = rng.choice([0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
            x = round(rng.randint(5, 50) * 0.1, 1)
            quantity = rng.choice(["train", "expected", "eval"])
        else:
            p = rng.choice([0.1, 0.15, 0.3, 0.35, 0.7, 0.8, 0.9])
            x = round(rng.choice([-1, 1]) * rng.randint(1, 300) * 0.01, 2)
            quantity = rng.choice(["train", "expected", "eval"])
        return DropoutScalingParams(p=p, x=x, quantity=quantity)

    def solve(self, p: DropoutScalingParams) -> float:
        if p.quantity == "train":
            return p.x / (1 - p.p)
        # Scaling kept units by 1/(1−p) makes the training-time expectation equal x,
        # so nothing needs rescaling at eval time.
        return p.x

    def verify(self, p: DropoutScalingParams) -> float:
        import torch
        from torch import nn

        layer = nn.Dropout(p.p)
        x = torch.full((256,), p.x, dtype=torch.float64)
        if p.quantity == "eval":
            with torch.no_grad():
                return float(layer.eval()(x)[0])
        layer.train()
        # Dropout draws from the global generator; fork it so verify is deterministic and side-effect free.
        with torch.random.fork_rng(devices=[]), torch.no_grad():
            torch.manual_seed(0)
            y = layer(x)
            while p.x != 0 and not bool((y != 0).any()):  # all 256 dropped: only plausible for p near 1
                y = layer(x)
        kept = float(y[y != 0][0]) if p.x != 0 else 0.0
        if p.quantity == "train":
            return kept
        # E[y] = P(kept)·kept + P(dropped)·0; P(dropped) is exactly the module's p (its documented meaning).
        return (1 - layer.p) * kept

    def prompt(self, p: DropoutScalingParams) -> BiText:
        setup_zh = f"某层使用 nn.Dropout(p={fmt(p.p)})（PyTorch 的 inverted dropout，p 是置零概率）。某个激活值为 x = {fmt(p.x)}。"
        setup_en = (
            f"A layer uses nn.Dropout(p={fmt(p.p)}) (PyTorch's inverted dropout; p is the probability of zeroing). "
            f"One activation is x = {fmt(p.x)}. "
        )
        if p.quantity == "train":
            return BiText(
                setup_zh + "训练模式下，若该值没有被丢弃，输出是多少？",
                setup_en + "In training mode, if this element is kept (not dropped), what is its output?",
            )
        if p.quantity == "expected":
            return BiText(
                setup_zh + "训练模式下，该位置输出的期望值（对随机掩码取期望）是多少？",
                setup_en + "In training mode, what is the expected value of this element's output "
                "(expectation over the random mask)?",
            )
        return BiText(
            setup_zh + "评估模式（model.eval()）下，该位置的输出是多少？",
            setup_en + "In evaluation mode (model.eval()), what is this element's output?",
        )

    def solution(self, p: DropoutScalingParams) -> BiText:
        keep = _round(1 - p.p)
        kept = _round(p.x / (1 - p.p))
        scale_zh = (
            f"训练时保留的元素除以 (1 − p)：{fmt(p.x)} / (1 − {fmt(p.p)}) = {fmt(p.x)} / {fmt(keep)} = {fmt(kept)}"
        )
        scale_en = f"In training a kept element is divided by (1 − p): {fmt(p.x)} / (1 − {fmt(p.p)}) = {fmt(p.x)} / {fmt(keep)} = {fmt(kept)}"
        if p.quantity == "train":
            return BiText(scale_zh + "。", scale_en + ".")
        if p.quantity == "expected":
            e = f"E[y] = (1 − p)·x/(1 − p) + p·0 = {fmt(keep)}·{fmt_factor(kept)} + {fmt(p.p)}·0 = {fmt(p.x)}"
            return BiText(
                f"{scale_zh}；以概率 p 被置零。\n  {e}\n  这正是 inverted dropout 的目的：训练时期望不变。",
                f"{scale_en}; with probability p it is zeroed.\n  {e}\n  "
                "That is the point of inverted dropout: the expectation is unchanged in training.",
            )
        return BiText(
            f"评估模式下 Dropout 是恒等映射：输出 = x = {fmt(p.x)}。缩放已在训练时用 1/(1 − p) 做过，测试时不再乘 (1 − p)。",
            f"In eval mode Dropout is the identity: output = x = {fmt(p.x)}. The scaling was already done in training "
            "(by 1/(1 − p)), so nothing is multiplied by (1 − p) at test time.",
        )

    def misconceptions(self, p: DropoutScalingParams) -> list[Misconception]:
        x, q = p.x, p.p
        times_keep = Misconception(
            "times-keep-prob",
            x * (1 - q),
            BiText(
                "你乘了 (1 − p)：那是原始 dropout 论文（非 inverted）在测试时的缩放；PyTorch 在训练时除以 (1 − p)，测试时不缩放。",
                "You multiplied by (1 − p): that is the original (non-inverted) paper's test-time scaling; PyTorch divides "
                "by (1 − p) in training and does not scale at test time.",
            ),
        )
        if p.quantity == "train":
            return [
                times_keep,
                Misconception(
                    "divided-by-p",
                    x / q,
                    BiText(
                        "你除以了 p；p 是置零概率，保留概率是 1 − p，应除以 1 − p。",
                        "You divided by p; p is the drop probability, the keep probability is 1 − p, so divide by 1 − p.",
                    ),
                ),
                Misconception(
                    "no-scaling",
                    x,
                    BiText(
                        "训练时保留的元素并非原样输出：inverted dropout 会把它放大为 x/(1 − p)。",
                        "A kept element is not passed through unchanged in training: inverted dropout scales it to x/(1 − p).",
                    ),
                ),
            ]
        if p.quantity == "expected":
            return [
                Misconception(
                    "kept-value",
                    x / (1 - q),
                    BiText(
                        "这是被保留时的值，不是期望：还要乘保留概率 (1 − p)，结果回到 x。",
                        "That is the value when kept, not the expectation: multiply by the keep probability (1 − p), giving x back.",
                    ),
                ),
                times_keep,
                Misconception(
                    "divided-by-p",
                    x / q * (1 - q),
                    BiText(
                        "保留后的值是 x/(1 − p)，不是 x/p；p 是置零概率。",
                        "The kept value is x/(1 − p), not x/p; p is the drop probability.",
                    ),
                ),
            ]
        return [
            times_keep,
            Misconception(
                "scaled-at-eval",
                x / (1 - q),
                BiText(
                    "评估模式下 Dropout 什么都不做；除以 (1 − p) 只在训练时发生。",
                    "Dropout does nothing in eval mode; the division by (1 − p) happens only in training.",
                ),
            ),
            Misconception(
                "dropped-at-eval", 0.0, BiText("评估模式下不会丢弃任何元素。", "Nothing is dropped in eval mode.")
            ),
        ]

    def hints(self, p: DropoutScalingParams) -> list[BiText]:
        concept = BiText(
            "PyTorch 的 Dropout 是 inverted dropout：训练时每个元素以概率 p 置零，保留下来的除以 (1 − p)；"
            "评估模式下什么也不做。",
            "PyTorch's Dropout is inverted dropout: in training each element is zeroed with probability p "
            "and the survivors are divided by (1 − p); in eval mode it does nothing.",
        )
        if p.quantity == "train":
            step = f"{fmt(p.x)} / (1 − {fmt(p.p)}) = ?"
            return [concept, BiText(f"保留下来的元素：{step}", f"A kept element: {step}")]
        if p.quantity == "expected":
            kept = fmt(_round(p.x / (1 - p.p)))
            e = f"E[y] = (1 − {fmt(p.p)})·{kept} + {fmt(p.p)}·0 = ?"
            return [
                concept,
                BiText(
                    f"以概率 1 − p 保留（值为 {kept}），以概率 p 为 0：{e}",
                    f"Kept with probability 1 − p (value {kept}), zero with probability p: {e}",
                ),
            ]
        return [
            concept,
            BiText(
                f"model.eval() 之后 Dropout(p={fmt(p.p)}) 是恒等映射：p 只在训练时起作用，测试时不再乘 (1 − p)。",
                f"After model.eval() Dropout(p={fmt(p.p)}) is the identity: p only acts in training, "
                "and nothing is multiplied by (1 − p) at test time.",
            ),
        ]
