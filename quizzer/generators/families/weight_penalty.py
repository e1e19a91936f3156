"""L1 / L2 weight penalties and one SGD step with weight_decay (torch.optim.SGD's coupled decay)."""

from __future__ import annotations

import random
from typing import Literal

from pydantic import Field, model_validator

from quizzer.generators.base import AnswerSpec, Family, Misconception, Params, fmt, fmt_list
from quizzer.generators.registry import register
from quizzer.text import BiText

_FLOAT = AnswerSpec(kind="float", rel_tol=1e-3, abs_tol=1e-6)
_VECTOR = AnswerSpec(kind="vector", rel_tol=1e-3, abs_tol=5e-4)


class WeightPenaltyParams(Params):
    quantity: Literal["l1", "l2", "decay-step"] = Field(
        default="l2",
        description="l1: λ·Σ|w|; l2: λ·Σw²; decay-step: the weights after one SGD step with weight_decay",
        json_schema_extra={"zh": "l1：λ·Σ|w|；l2：λ·Σw²；decay-step：带 weight_decay 的一步 SGD 之后的权重"},
    )
    w: list[float] = Field(
        min_length=1,
        max_length=8,
        description="the weights, comma-separated",
        json_schema_extra={"zh": "权重，逗号分隔"},
    )
    lam: float = Field(
        default=0.01,
        gt=0,
        le=10,
        description="the penalty coefficient λ (l1 and l2)",
        json_schema_extra={"zh": "惩罚系数 λ（l1 与 l2）"},
    )
    grad: list[float] = Field(
        default_factory=list,
        max_length=8,
        description="the loss gradient per weight, comma-separated; only with quantity=decay-step",
        json_schema_extra={"zh": "每个权重的损失梯度，逗号分隔；仅用于 quantity=decay-step"},
    )
    lr: float = Field(
        default=0.1,
        gt=0,
        le=10,
        description="learning rate of the SGD step (decay-step)",
        json_schema_extra={"zh": "SGD 一步的学习率（decay-step）"},
    )
    weight_decay: float = Field(
        default=0.01,
        ge=0,
        le=10,
        description="torch.optim.SGD's weight_decay (decay-step)",
        json_schema_extra={"zh": "torch.optim.SGD 的 weight_decay（decay-step）"},
    )

    @model_validator(mode="after")
    def _well_posed(self) -> WeightPenaltyParams:
        if any(abs(v) > 1e6 for v in self.w + self.grad):
            raise ValueError("weights and gradients must be at most 1e6 in magnitude")
        if self.quantity == "decay-step":
            if len(self.grad) != len(self.w):
                raise ValueError(
                    f"decay-step needs one gradient per weight: w has {len(self.w)} entries, grad has {len(self.grad)}"
                )
        elif self.grad:
            raise ValueError("grad only applies to quantity=decay-step (a penalty does not need the loss gradient)")
        return self


def decay_step(w: list[float], g: list[float], lr: float, wd: float) -> list[float]:
    # torch.optim.SGD folds the decay into the gradient before the step: d_p = g + wd·w
    return [wi - lr * (gi + wd * wi) for wi, gi in zip(w, g, strict=False)]


def _penalty(p: WeightPenaltyParams) -> float:
    return p.lam * (sum(abs(v) for v in p.w) if p.quantity == "l1" else sum(v * v for v in p.w))


def _round(x: float) -> float:
    # Display-friendly samples: products of round decimals drift in the last float bits.
    return round(x, 10)


@register
class WeightPenalty(Family[WeightPenaltyParams]):
    name = "weight-penalty"
    topic = "regularization-normalization"
    title = BiText("L1/L2 权重惩罚与 weight_decay", "L1/L2 weight penalty and weight_decay")
    answer_spec = _FLOAT
    params_model = WeightPenaltyParams

    def spec(self, p: WeightPenaltyParams) -> AnswerSpec:
        return _VECTOR if p.quantity == "decay-step" else _FLOAT

    def sample(self, rng: random.Random, difficulty: int) -> WeightPenaltyParams:
        quantity: Literal["l1", "l2", "decay-step"] = rng.choice(["l1", "l2", "decay-step"])
        n = {1: 3, 2: rng.randint(3, 4), 3: rng.randint(4, 5)}[difficulty]
        if difficulty == 1:
            w = [float(rng.choice([-3, -2, -1, 1, 2, 3, 4])) for _ in range(n)]
            g = [float(rng.choice([-1, 1, 2])) for _ in range(n)]
            lam, lr, wd = rng.choice([0.1, 0.01, 0.5]), rng.choice([0.1, 0.5]), rng.choice([0.1, 0.5])
        else:
            step = 0.1 if difficulty == 2 else 0.05
            w = [round(rng.randint(-40, 40) * step, 2) or 0.5 for _ in range(n)]
            g = [round(rng.randint(-20, 20) * 0.1, 2) for _ in range(n)]
            lam = rng.choice([0.01, 0.001, 0.05, 0.005, 0.2])
            lr = rng.choice([0.1, 0.05, 0.01, 0.2])
            wd = rng.choice([0.01, 0.001, 0.05, 5e-4, 0.2])
        if quantity == "decay-step":
            return WeightPenaltyParams(quantity=quantity, w=w, grad=g, lr=lr, weight_decay=wd)
        return WeightPenaltyParams(quantity=quantity, w=w, lam=lam)

    def solve(self, p: WeightPenaltyParams) -> float | list[float]:
        return decay_step(p.w, p.grad, p.lr, p.weight_decay) if p.quantity == "decay-step" else _penalty(p)

    def verify(self, p: WeightPenaltyParams) -> float | list[float]:
        import torch

        w = torch.tensor(p.w, dtype=torch.float64)
        if p.quantity == "l1":
            return float(p.lam * torch.linalg.vector_norm(w, ord=1))
        if p.quantity == "l2":
            return float(p.lam * torch.linalg.vector_norm(w, ord=2) ** 2)
        param = torch.nn.Parameter(w.clone())
        param.grad = torch.tensor(p.grad, dtype=torch.float64)
        opt = torch.optim.SGD([param], lr=p.lr, weight_decay=p.weight_decay)
        opt.step()
        return [float(v) for v in param.detach()]

    def prompt(self, p: WeightPenaltyParams) -> BiText:
        w = fmt_list(p.w)
        if p.quantity == "decay-step":
            return BiText(
                f"权重 w = {w}，本步损失对 w 的梯度 g = {fmt_list(p.grad)}。用 torch.optim.SGD(lr={fmt(p.lr)}, "
                f"weight_decay={fmt(p.weight_decay)})（无动量）做一步更新后，w 变成多少？给出整个向量。",
                f"Weights w = {w}; the loss gradient for this step is g = {fmt_list(p.grad)}. After one step of "
                f"torch.optim.SGD(lr={fmt(p.lr)}, weight_decay={fmt(p.weight_decay)}) (no momentum), what is w? "
                "Give the whole vector.",
            )
        if p.quantity == "l1":
            return BiText(
                f"权重 w = {w}，正则系数 λ = {fmt(p.lam)}。L1 惩罚项 λ·Σ|wᵢ| 的值是多少？",
                f"Weights w = {w}, regularization coefficient λ = {fmt(p.lam)}. What is the L1 penalty λ·Σ|wᵢ|?",
            )
        return BiText(
            f"权重 w = {w}，正则系数 λ = {fmt(p.lam)}。L2 惩罚项（权重平方和，不带 ½）λ·Σwᵢ² 的值是多少？",
            f"Weights w = {w}, regularization coefficient λ = {fmt(p.lam)}. What is the L2 penalty "
            "(the sum of squared weights, no ½) λ·Σwᵢ²?",
        )

    def solution(self, p: WeightPenaltyParams) -> BiText:
        if p.quantity == "l1":
            terms = " + ".join(fmt(abs(v)) for v in p.w)
            s = sum(abs(v) for v in p.w)
            body = f"λ·Σ|wᵢ| = {fmt(p.lam)}·({terms}) = {fmt(p.lam)}·{fmt(_round(s))} = {fmt(_round(_penalty(p)))}"
            return BiText(f"L1 惩罚：{body}", f"L1 penalty: {body}")
        if p.quantity == "l2":
            terms = " + ".join(f"{fmt(v)}²" if v >= 0 else f"({fmt(v)})²" for v in p.w)
            s = sum(v * v for v in p.w)
            body = f"λ·Σwᵢ² = {fmt(p.lam)}·({terms}) = {fmt(p.lam)}·{fmt(_round(s))} = {fmt(_round(_penalty(p)))}"
            return BiText(
                f"L2 惩罚是平方范数 ‖w‖₂²（不开根号）：{body}",
                f"The L2 penalty is the squared norm ‖w‖₂² (no square root): {body}",
            )
        lr, wd = p.lr, p.weight_decay
        d = [_round(g + wd * w) for w, g in zip(p.w, p.grad, strict=False)]
        out = [_round(v) for v in decay_step(p.w, p.grad, p.lr, p.weight_decay)]
        lines = [
            "w ← w − lr·(g + weight_decay·w)",
            f"g + weight_decay·w = {fmt_list(p.grad)} + {fmt(wd)}·{fmt_list(p.w)} = {fmt_list(d)}",
            f"w ← {fmt_list(p.w)} − {fmt(lr)}·{fmt_list(d)} = {fmt_list(out)}",
        ]
        return BiText(
            "SGD 先把衰减项加到梯度上，再按学习率更新：\n  " + "\n  ".join(lines),
            "SGD adds the decay term to the gradient, then steps with the learning rate:\n  " + "\n  ".join(lines),
        )

    def misconceptions(self, p: WeightPenaltyParams) -> list[Misconception]:
        sq = sum(v * v for v in p.w)
        ab = sum(abs(v) for v in p.w)
        if p.quantity == "l2":
            return [
                Misconception(
                    "sqrt-norm",
                    p.lam * sq**0.5,
                    BiText(
                        "你用了 L2 范数 ‖w‖₂ = √Σwᵢ²；L2 正则用的是平方范数 Σwᵢ²，不开根号（笔记里写成了开根号）。",
                        "You used the L2 norm ‖w‖₂ = √Σwᵢ²; L2 regularization uses the squared norm Σwᵢ², no root "
                        "(the notes wrongly write the root).",
                    ),
                ),
                Misconception(
                    "forgot-lambda", sq, BiText("忘了乘正则系数 λ。", "You forgot to multiply by the coefficient λ.")
                ),
                Misconception(
                    "half-factor",
                    0.5 * p.lam * sq,
                    BiText(
                        "多乘了 ½：½λΣwᵢ² 是另一种写法（使梯度为 λw），本题约定是 λΣwᵢ²。",
                        "You added a ½: ½λΣwᵢ² is a different convention (it makes the gradient λw); here it is λΣwᵢ².",
                    ),
                ),
                Misconception(
                    "used-l1",
                    p.lam * ab,
                    BiText(
                        "你算的是 L1 惩罚 λΣ|wᵢ|；L2 要平方。",
                        "You computed the L1 penalty λΣ|wᵢ|; L2 squares the weights.",
                    ),
                ),
            ]
        if p.quantity == "l1":
            return [
                Misconception(
                    "forgot-abs",
                    p.lam * sum(p.w),
                    BiText(
                        "忘了取绝对值：负权重也要计入 |wᵢ|。",
                        "You forgot the absolute value: negative weights count as |wᵢ|.",
                    ),
                ),
                Misconception(
                    "forgot-lambda", ab, BiText("忘了乘正则系数 λ。", "You forgot to multiply by the coefficient λ.")
                ),
                Misconception(
                    "used-l2",
                    p.lam * sq,
                    BiText(
                        "你算的是 L2 惩罚 λΣwᵢ²；L1 用绝对值之和。",
                        "You computed the L2 penalty λΣwᵢ²; L1 sums absolute values.",
                    ),
                ),
            ]
        lr, wd = p.lr, p.weight_decay
        return [
            Misconception(
                "decay-without-lr",
                [w * (1 - wd) - lr * g for w, g in zip(p.w, p.grad, strict=False)],
                BiText(
                    "你把衰减写成 w·(1 − weight_decay) 而没乘学习率；SGD 的实际收缩因子是 (1 − lr·weight_decay)。",
                    "You shrank w by (1 − weight_decay) without the learning rate; SGD's actual shrink factor is "
                    "(1 − lr·weight_decay).",
                ),
            ),
            Misconception(
                "forgot-decay",
                [w - lr * g for w, g in zip(p.w, p.grad, strict=False)],
                BiText(
                    "忽略了 weight_decay：它会把 weight_decay·w 加进梯度。",
                    "You ignored weight_decay: it adds weight_decay·w to the gradient.",
                ),
            ),
            Misconception(
                "decay-sign",
                [w - lr * (g - wd * w) for w, g in zip(p.w, p.grad, strict=False)],
                BiText(
                    "衰减项符号反了：是 g + weight_decay·w（把权重拉向 0），不是减。",
                    "Wrong sign on the decay: it is g + weight_decay·w (pulling weights toward 0), not minus.",
                ),
            ),
        ]

    def hints(self, p: WeightPenaltyParams) -> list[BiText]:
        if p.quantity == "l1":
            s = fmt(_round(sum(abs(v) for v in p.w)))
            total = f"Σ|wᵢ| = {' + '.join(fmt(abs(v)) for v in p.w)} = {s}"
            return [
                BiText(
                    "L1 惩罚 = λ·Σ|wᵢ|：权重绝对值之和乘以 λ。",
                    "The L1 penalty is λ·Σ|wᵢ|: λ times the sum of the weights' absolute values.",
                ),
                BiText(total, total),
                BiText(f"λ·Σ|wᵢ| = {fmt(p.lam)} × {s} = ?", f"λ·Σ|wᵢ| = {fmt(p.lam)} × {s} = ?"),
            ]
        if p.quantity == "l2":
            squares = " + ".join(f"{fmt(v)}²" if v >= 0 else f"({fmt(v)})²" for v in p.w)
            s = fmt(_round(sum(v * v for v in p.w)))
            total = f"Σwᵢ² = {squares} = {s}"
            return [
                BiText(
                    "L2 惩罚 = λ·Σwᵢ²：平方范数 ‖w‖₂²，不开根号。",
                    "The L2 penalty is λ·Σwᵢ²: the squared norm ‖w‖₂², with no square root.",
                ),
                BiText(total, total),
                BiText(f"λ·Σwᵢ² = {fmt(p.lam)} × {s} = ?", f"λ·Σwᵢ² = {fmt(p.lam)} × {s} = ?"),
            ]
        d = [_round(g + p.weight_decay * w) for w, g in zip(p.w, p.grad, strict=True)]
        step1 = f"g + weight_decay·w = {fmt_list(p.grad)} + {fmt(p.weight_decay)}·{fmt_list(p.w)} = {fmt_list(d)}"
        step2 = f"w ← {fmt_list(p.w)} − {fmt(p.lr)}·{fmt_list(d)} = ?"
        return [
            BiText(
                "torch.optim.SGD 的 weight_decay 先把 weight_decay·w 加到梯度上，再按学习率更新："
                "w ← w − lr·(g + weight_decay·w)。",
                "torch.optim.SGD's weight_decay first adds weight_decay·w to the gradient, then steps with the "
                "learning rate: w ← w − lr·(g + weight_decay·w).",
            ),
            BiText(step1, step1),
            BiText(step2, step2),
        ]
