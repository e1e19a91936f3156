"""d out / d x through a scalar chain h_i = act(w_i · h_{i−1}): the chain rule behind vanishing gradients."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Annotated, Literal

from pydantic import Field, model_validator

from quizzer.generators.base import AnswerSpec, Family, Misconception, Params, fmt, fmt_list, given
from quizzer.generators.registry import register
from quizzer.text import BiText

Weight = Annotated[float, Field(ge=-10, le=10)]


class ActivationChainParams(Params):
    activation: Literal["sigmoid", "tanh", "relu"] = Field(
        default="sigmoid",
        description="activation after every layer: h_i = act(w_i·h_{i−1})",
        json_schema_extra={"zh": "每层之后的激活函数：h_i = act(w_i·h_{i−1})"},
    )
    weights: list[Weight] = Field(
        min_length=1,
        max_length=10,
        description="the scalar weights w_1,…,w_L, comma-separated, e.g. 0.5,2,-1",
        json_schema_extra={"zh": "各层的标量权重 w_1,…,w_L，逗号分隔，如 0.5,2,-1"},
    )
    x: float = Field(ge=-10, le=10, description="the input x = h_0", json_schema_extra={"zh": "输入 x = h_0"})

    @model_validator(mode="after")
    def _well_posed(self) -> ActivationChainParams:
        # A zero pre-activation puts relu on its kink; it only arises from x = 0 or a zero weight
        # (a dead earlier unit also gives z = 0, but then the product already holds a factor 0).
        if self.activation == "relu" and (self.x == 0 or 0 in self.weights):
            raise ValueError(
                "with relu, x and every weight must be nonzero, or a pre-activation lands "
                "exactly on relu's kink at 0 where the derivative is undefined"
            )
        return self


def _act(name: str, z: float) -> float:
    if name == "sigmoid":
        return 1.0 / (1.0 + math.exp(-z))
    if name == "tanh":
        return math.tanh(z)
    return max(z, 0.0)


def _dact(name: str, z: float) -> float:
    if name == "sigmoid":
        s = _act("sigmoid", z)
        return s * (1.0 - s)
    if name == "tanh":
        return 1.0 - math.tanh(z) ** 2
    return 1.0 if z > 0 else 0.0


def _par(v: float) -> str:
    return f"({fmt(v)})" if v < 0 else fmt(v)


def forward(p: ActivationChainParams) -> list[tuple[float, float, float]]:
    """(input h_{i−1}, pre-activation z_i, output h_i) for every layer."""
    rows, h = [], p.x
    for w in p.weights:
        z = w * h
        out = _act(p.activation, z)
        rows.append((h, z, out))
        h = out
    return rows


@register
class ActivationChainGradient(Family[ActivationChainParams]):
    name = "activation-chain-gradient"
    topic = "gradients"
    title = BiText("激活函数链的梯度（链式法则）", "Gradient through a chain of activations")
    # Deep sigmoid chains give gradients around 1e-5, so the absolute tolerance must sit far below them.
    answer_spec = AnswerSpec(kind="float", rel_tol=1e-3, abs_tol=1e-12, agree_abs=1e-15)
    params_model = ActivationChainParams

    def sample(self, rng: random.Random, difficulty: int) -> ActivationChainParams:
        act: Literal["sigmoid", "tanh", "relu"] = rng.choice(["sigmoid", "tanh", "relu"])
        if difficulty == 1:
            n = rng.choice([2, 3])
            if act == "relu":
                weights = [float(rng.choice([0.5, 1, 2, 3])) for _ in range(n)]
                x = float(rng.choice([0.5, 1, 2]))
            else:
                weights = [float(rng.choice([0.5, 1, 2, -1])) for _ in range(n)]
                x = float(rng.choice([0, 0.5, 1, -1]))
        elif difficulty == 2:
            n = rng.randint(3, 4)
            weights = [rng.choice([-1, 1]) * rng.randint(1, 20) / 10 for _ in range(n)]
            x = rng.choice([-1, 1]) * rng.randint(1, 20) / 10
            if act == "relu" and rng.random() < 0.7:  # mostly a live path; a dead one now and then
                weights, x = [abs(w) for w in weights], abs(x)
        else:
            n = rng.randint(4, 6)
            weights = [rng.choice([-1, 1]) * rng.randint(1, 300) / 100 for _ in range(n)]
            x = rng.choice([-1, 1]) * rng.randint(1, 300) / 100
            if act == "relu" and rng.random() < 0.6:
                weights, x = [abs(w) for w in weights], abs(x)
        return ActivationChainParams(activation=act, weights=weights, x=x)

    def solve(self, p: ActivationChainParams) -> float:
        grad = 1.0
        for w, (_, z, _) in zip(p.weights, forward(p), strict=False):
            grad *= w * _dact(p.activation, z)
        return grad + 0.0  # + 0.0 turns −0.0 (a dead relu times a negative weight) into 0.0

    def verify(self, p: ActivationChainParams) -> float:
        import torch
        import torch.nn.functional as F

        acts: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
            "sigmoid": torch.sigmoid,
            "tanh": torch.tanh,
            "relu": F.relu,
        }
        act = acts[p.activation]
        x = torch.tensor(p.x, dtype=torch.float64, requires_grad=True)
        h = x
        for w in p.weights:
            h = act(torch.tensor(w, dtype=torch.float64) * h)
        h.backward()
        return float(given(x.grad)) + 0.0

    def _name(self, p: ActivationChainParams) -> str:
        return {"sigmoid": "σ", "tanh": "tanh", "relu": "relu"}[p.activation]

    def prompt(self, p: ActivationChainParams) -> BiText:
        a, n = self._name(p), len(p.weights)
        return BiText(
            f"一个标量网络有 {n} 层：h₀ = x，h_i = {a}(w_i · h_(i−1))（i = 1…{n}，无偏置）。"
            f"权重 w = {fmt_list(p.weights)}，输入 x = {fmt(p.x)}。求输出对输入的梯度 dh_{n}/dx，给出一个数。",
            f"A scalar network has {n} layers: h₀ = x, h_i = {a}(w_i · h_(i−1)) for i = 1…{n} (no bias). "
            f"The weights are w = {fmt_list(p.weights)} and the input is x = {fmt(p.x)}. "
            f"What is the gradient of the output with respect to the input, dh_{n}/dx? Give a number.",
        )

    def solution(self, p: ActivationChainParams) -> BiText:
        a = self._name(p)
        d = {
            "sigmoid": "σ'(z) = σ(z)(1 − σ(z))",
            "tanh": "tanh'(z) = 1 − tanh²(z)",
            "relu": "relu'(z) = 1 (z > 0), 0 (z < 0)",
        }
        rows = forward(p)
        lines = [f"dh_n/dx = ∏ w_i · {a}'(z_i)，z_i = w_i · h_(i−1)；{d[p.activation]}"]
        lines_en = [f"dh_n/dx = ∏ w_i · {a}'(z_i), z_i = w_i · h_(i−1); {d[p.activation]}"]
        factors = []
        for i, (w, (h_in, z, h_out)) in enumerate(zip(p.weights, rows, strict=False), start=1):
            f = w * _dact(p.activation, z)
            factors.append(f)
            row = (
                f"i={i}: z = {_par(w)} × {_par(h_in)} = {fmt(z)}, h = {fmt(h_out)}, "
                f"{a}'(z) = {fmt(_dact(p.activation, z))}, w·{a}'(z) = {fmt(f)}"
            )
            lines.append(row)
            lines_en.append(row)
        prod = f"dh/dx = {' × '.join(f'({fmt(f)})' for f in factors)} = {fmt(self.solve(p))}"
        return BiText("\n  ".join([*lines, prod]), "\n  ".join([*lines_en, prod]))

    def misconceptions(self, p: ActivationChainParams) -> list[Misconception]:
        rows, act = forward(p), p.activation
        ms = [
            Misconception(
                "forgot-weights",
                math.prod(_dact(act, z) for _, z, _ in rows),
                BiText(
                    "只连乘了激活函数的导数，漏了每层的权重：dz_i/dh_(i−1) = w_i 也在链里。",
                    "You multiplied only the activation derivatives and forgot the weights: dz_i/dh_(i−1) = w_i is in the chain too.",
                ),
            ),
            Misconception(
                "derivative-at-layer-input",
                math.prod(w * _dact(act, h) for w, (h, _, _) in zip(p.weights, rows, strict=False)),
                BiText(
                    "导数要在每层的预激活 z_i = w_i·h_(i−1) 处求值，你在该层的输入 h_(i−1) 处求了值。",
                    "Each derivative is evaluated at the layer's pre-activation z_i = w_i·h_(i−1); you used its input h_(i−1).",
                ),
            ),
            Misconception(
                "summed-factors",
                sum(w * _dact(act, z) for w, (_, z, _) in zip(p.weights, rows, strict=False)),
                BiText(
                    "链式法则是把各层的局部导数相乘，不是相加。",
                    "The chain rule multiplies the layers' local derivatives; you added them.",
                ),
            ),
        ]
        if act == "sigmoid":
            ms.append(
                Misconception(
                    "quarter-everywhere",
                    math.prod(0.25 * w for w in p.weights),
                    BiText(
                        "σ' 只在 z = 0 时等于 1/4（最大值），其它地方更小；要在各层实际的 z_i 处计算。",
                        "σ' equals 1/4 only at z = 0 (its maximum); compute it at each layer's actual z_i.",
                    ),
                )
            )
        elif act == "tanh":
            ms.append(
                Misconception(
                    "tanh-slope-one",
                    math.prod(p.weights),
                    BiText(
                        "tanh' 只在 z = 0 时等于 1，其它地方 1 − tanh²(z) < 1。",
                        "tanh' is 1 only at z = 0; elsewhere 1 − tanh²(z) < 1.",
                    ),
                )
            )
        else:
            ms.append(
                Misconception(
                    "ignored-dead-unit",
                    math.prod(p.weights),
                    BiText(
                        "有一层的预激活为负，relu' = 0，梯度整个为 0（死神经元）。",
                        "A layer's pre-activation is negative, so relu' = 0 and the whole gradient is 0 (a dead unit).",
                    ),
                )
            )
        return ms

    def hints(self, p: ActivationChainParams) -> list[BiText]:
        a = self._name(p)
        d = {
            "sigmoid": "σ'(z) = σ(z)(1 − σ(z))",
            "tanh": "tanh'(z) = 1 − tanh²(z)",
            "relu": "relu'(z) = 1 (z > 0), 0 (z < 0)",
        }
        rows = forward(p)
        w, (h_in, z, _) = p.weights[0], rows[0]
        out = [
            BiText(
                f"链式法则：梯度是每层局部导数 w_i·{a}'(z_i) 的连乘，导数在该层的预激活 z_i = w_i·h_(i−1) 处求值；"
                f"{d[p.activation]}。",
                f"Chain rule: the gradient is the product of every layer's local derivative w_i·{a}'(z_i), each "
                f"evaluated at that layer's pre-activation z_i = w_i·h_(i−1); {d[p.activation]}.",
            ),
            BiText(
                f"第 1 层：z₁ = {_par(w)} × {_par(h_in)} = {fmt(z)}，局部导数 w₁·{a}'(z₁) = {_par(w)} "
                f"× {a}'({fmt(z)})。",
                f"Layer 1: z₁ = {_par(w)} × {_par(h_in)} = {fmt(z)}, local derivative w₁·{a}'(z₁) = "
                f"{_par(w)} × {a}'({fmt(z)}).",
            ),
        ]
        factors = [w_i * _dact(p.activation, z_i) for w_i, (_, z_i, _) in zip(p.weights, rows, strict=True)]
        if len(factors) > 1 and all(factors):  # one factor is the answer; a zero factor gives it away
            prod = " × ".join(f"({fmt(f)})" for f in factors)
            out.append(
                BiText(
                    f"各层局部导数依次为 {prod}，把它们乘起来。",
                    f"The layers' local derivatives are {prod}: multiply them.",
                )
            )
        return out
