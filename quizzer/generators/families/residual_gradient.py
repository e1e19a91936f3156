"""d h_L / d x through a scalar residual stack h_i = h_{i−1} + w_i·act(h_{i−1})."""

from __future__ import annotations

import math
import random
from typing import Annotated, Literal

from pydantic import Field, model_validator

from quizzer.generators.base import AnswerSpec, Family, Misconception, Params, fmt, fmt_list, given
from quizzer.generators.registry import register
from quizzer.text import BiText

Weight = Annotated[float, Field(ge=-10, le=10)]
Act = Literal["linear", "relu", "tanh", "sigmoid"]


class ResidualGradientParams(Params):
    activation: Act = Field(
        default="linear",
        description="the branch's activation: h_i = h_{i−1} + w_i·act(h_{i−1})",
        json_schema_extra={"zh": "残差分支的激活函数：h_i = h_{i−1} + w_i·act(h_{i−1})"},
    )
    weights: list[Weight] = Field(
        min_length=1,
        max_length=10,
        description="the blocks' scalar weights w_1,…,w_L, comma-separated",
        json_schema_extra={"zh": "各残差块的标量权重 w_1,…,w_L，逗号分隔"},
    )
    x: float = Field(
        default=1.0, ge=-10, le=10, description="the input x = h_0", json_schema_extra={"zh": "输入 x = h_0"}
    )

    @model_validator(mode="after")
    def _well_posed(self) -> ResidualGradientParams:
        h = self.x
        for i, w in enumerate(self.weights, start=1):
            # Unlike a plain chain, a kink here is not masked by a zero factor: 1 + w·relu'(0) is ambiguous.
            if self.activation == "relu" and abs(h) < 1e-9:
                raise ValueError(
                    f"block {i}'s input is 0, on relu's kink where the derivative is undefined; change x or the weights"
                )
            h = h + w * _act(self.activation, h)
            if abs(h) > 1e6:
                raise ValueError("the activations blow up past 1e6; use smaller weights")
        return self


def _act(name: str, h: float) -> float:
    if name == "linear":
        return h
    if name == "relu":
        return max(h, 0.0)
    if name == "tanh":
        return math.tanh(h)
    return 1.0 / (1.0 + math.exp(-h))


def _dact(name: str, h: float) -> float:
    if name == "linear":
        return 1.0
    if name == "relu":
        return 1.0 if h > 0 else 0.0
    if name == "tanh":
        return 1.0 - math.tanh(h) ** 2
    s = _act("sigmoid", h)
    return s * (1.0 - s)


def branch_slopes(p: ResidualGradientParams) -> list[tuple[float, float]]:
    """(block input h_{i−1}, branch derivative f_i'(h_{i−1}) = w_i·act'(h_{i−1})) along the residual stack."""
    rows, h = [], p.x
    for w in p.weights:
        rows.append((h, w * _dact(p.activation, h)))
        h = h + w * _act(p.activation, h)
    return rows


def plain_gradient(p: ResidualGradientParams) -> float:
    grad, h = 1.0, p.x
    for w in p.weights:
        grad *= w * _dact(p.activation, h)
        h = w * _act(p.activation, h)
    return grad


def _par(v: float) -> str:
    return f"({fmt(v)})" if v < 0 else fmt(v)


@register
class ResidualGradient(Family[ResidualGradientParams]):
    name = "residual-gradient"
    topic = "residual"
    title = BiText("残差堆叠的梯度", "Gradient through a residual stack")
    answer_spec = AnswerSpec(kind="float", rel_tol=1e-3, abs_tol=1e-9, agree_abs=1e-12)
    params_model = ResidualGradientParams

    def sample(self, rng: random.Random, difficulty: int) -> ResidualGradientParams:
        if difficulty == 1:
            act: Act = "linear"
            weights = [float(rng.choice([0.5, -0.5, 1, 2, 0.1, -0.2, 0.2])) for _ in range(rng.choice([2, 3]))]
            x = float(rng.choice([1, 2]))
        elif difficulty == 2:
            act = rng.choice(["linear", "relu", "tanh", "sigmoid"])
            weights = [rng.choice([-1, 1]) * rng.randint(1, 15) / 10 for _ in range(rng.randint(2, 4))]
            x = rng.choice([-1, 1]) * rng.randint(1, 20) / 10
        else:
            act = rng.choice(["relu", "tanh", "sigmoid"])
            weights = [rng.choice([-1, 1]) * rng.randint(1, 200) / 100 for _ in range(rng.randint(3, 6))]
            x = rng.choice([-1, 1]) * rng.randint(1, 300) / 100
        # Ill-posed params (see the validators) fail validation and the registry draws again.
        return ResidualGradientParams(activation=act, weights=weights, x=x)

    def solve(self, p: ResidualGradientParams) -> float:
        return math.prod(1.0 + s for _, s in branch_slopes(p)) + 0.0

    def verify(self, p: ResidualGradientParams) -> float:
        import torch
        from torch import nn

        act = {"linear": nn.Identity, "relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}[p.activation]

        class Block(nn.Module):
            def __init__(self, w: float):
                super().__init__()
                self.act = act()
                self.branch = nn.Linear(1, 1, bias=False, dtype=torch.float64)
                with torch.no_grad():
                    self.branch.weight.fill_(w)

            def forward(self, h):
                return h + self.branch(self.act(h))

        net = nn.Sequential(*(Block(w) for w in p.weights))
        x = torch.full((1, 1), p.x, dtype=torch.float64, requires_grad=True)
        net(x).sum().backward()
        return float(given(x.grad)) + 0.0

    def prompt(self, p: ResidualGradientParams) -> BiText:
        L = len(p.weights)
        branch = "w_i·h" if p.activation == "linear" else f"w_i·{p.activation}(h)"
        return BiText(
            f"一个标量残差网络有 {L} 个残差块：h₀ = x，h_i = h_(i−1) + f_i(h_(i−1))，其中分支 f_i(h) = {branch}。"
            f"权重 w = {fmt_list(p.weights)}，输入 x = {fmt(p.x)}。求 dh_{L}/dx，给出一个数。",
            f"A scalar residual network has {L} blocks: h₀ = x, h_i = h_(i−1) + f_i(h_(i−1)) with branch f_i(h) = {branch}. "
            f"The weights are w = {fmt_list(p.weights)} and the input is x = {fmt(p.x)}. What is dh_{L}/dx? Give a number.",
        )

    def solution(self, p: ResidualGradientParams) -> BiText:
        rows, ans = branch_slopes(p), self.solve(p)
        head = "dh_L/dx = ∏ (1 + f_i'(h_(i−1)))"
        if p.activation == "linear":
            factors = " × ".join(f"(1 + {_par(w)})" for w in p.weights)
            body_zh = body_en = f"{head} = ∏ (1 + w_i)\n  = {factors} = {fmt(ans)}"
        else:
            lines = [f"f_i'(h) = w_i·{p.activation}'(h)"]
            for i, (w, (h, s)) in enumerate(zip(p.weights, rows, strict=False), start=1):
                lines.append(
                    f"i={i}: h_(i−1) = {fmt(h)}, f' = {_par(w)} × {fmt(_dact(p.activation, h))} = {fmt(s)}, "
                    f"1 + f' = {fmt(1 + s)}"
                )
            lines.append(f"dh_L/dx = {' × '.join(_par(1 + s) for _, s in rows)} = {fmt(ans)}")
            rest = "\n  ".join(lines)
            # Only the punctuation joining the head to the rest differs: a full-width comma has no place in English.
            body_zh, body_en = f"{head}，{rest}", f"{head}, where {rest}"
        return BiText(
            f"每个残差块的局部导数是 1 + f_i'（恒等路径贡献 1），整条链相乘：\n  {body_zh}",
            f"Each block's local derivative is 1 + f_i' (the identity path contributes the 1); the chain "
            f"multiplies them:\n  {body_en}",
        )

    def misconceptions(self, p: ResidualGradientParams) -> list[Misconception]:
        slopes = [s for _, s in branch_slopes(p)]
        ms = [
            Misconception(
                "plain-gradient-plus-one",
                math.prod(slopes) + 1.0,
                BiText(
                    "“残差梯度 = 普通梯度 + 1”只对单个块成立；L 个块要把每块的 (1 + f_i') 相乘。",
                    "“Residual gradient = plain gradient + 1” holds for a single block only; across L blocks multiply each (1 + f_i').",
                ),
            ),
            Misconception(
                "summed-branches",
                1.0 + sum(slopes),
                BiText(
                    "把各分支的导数加起来只保留了一阶路径；∏(1 + f_i') 展开后还有所有分支相乘的路径。",
                    "Adding the branch derivatives keeps only first-order paths; ∏(1 + f_i') also contains the products of branches.",
                ),
            ),
            Misconception(
                "plain-stack",
                plain_gradient(p),
                BiText(
                    "这是没有跳跃连接的普通堆叠 h_i = f_i(h_(i−1)) 的梯度；残差块每层多出恒等路径的 1。",
                    "That is the gradient of the plain stack h_i = f_i(h_(i−1)) without skips; each residual block adds the identity's 1.",
                ),
            ),
        ]
        if p.activation != "linear":
            ms.append(
                Misconception(
                    "forgot-activation-slope",
                    math.prod(1.0 + w for w in p.weights),
                    BiText(
                        f"漏了激活函数的导数：f_i' = w_i·{p.activation}'(h_(i−1))，不只是 w_i。",
                        f"You left out the activation's slope: f_i' = w_i·{p.activation}'(h_(i−1)), not just w_i.",
                    ),
                )
            )
        return ms

    def hints(self, p: ResidualGradientParams) -> list[BiText]:
        rows = branch_slopes(p)
        h, s = rows[0]
        concept = BiText(
            "残差块 h_i = h_(i−1) + f_i(h_(i−1)) 的局部导数是 1 + f_i'(h_(i−1))：恒等路径贡献那个 1；"
            "链式法则把各块的局部导数相乘。",
            "A residual block h_i = h_(i−1) + f_i(h_(i−1)) has local derivative 1 + f_i'(h_(i−1)): the "
            "identity path contributes the 1; the chain rule multiplies the blocks' derivatives.",
        )
        if p.activation == "linear":
            first = f"1 + w₁ = 1 + {_par(p.weights[0])}"
        else:
            first = (
                f"h₀ = {fmt(h)}, f₁' = w₁·{p.activation}'(h₀) = {_par(p.weights[0])} × "
                f"{fmt(_dact(p.activation, h))} = {fmt(s)}, 1 + f₁' = ?"
            )
        out = [concept, BiText(f"第 1 块：{first}", f"Block 1: {first}")]
        if len(rows) > 1:
            factors = " × ".join(_par(1 + slope) for _, slope in rows)
            out.append(BiText(f"dh_L/dx = {factors} = ?", f"dh_L/dx = {factors} = ?"))
        return out
