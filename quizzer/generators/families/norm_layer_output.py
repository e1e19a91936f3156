"""Output of BatchNorm1d (training mode), LayerNorm or GroupNorm on a small (N, C) batch."""

from __future__ import annotations

import math
import random
from typing import Literal

from pydantic import Field, model_validator

from quizzer.generators.base import AnswerSpec, Family, Misconception, Params, fmt, fmt_list
from quizzer.generators.registry import register
from quizzer.text import BiText

_FLOAT = AnswerSpec(kind="float", rel_tol=1e-3, abs_tol=5e-4)
_VECTOR = AnswerSpec(kind="vector", rel_tol=1e-3, abs_tol=5e-4)
_NAMES = {"batchnorm": "BatchNorm1d", "layernorm": "LayerNorm", "groupnorm": "GroupNorm"}


class NormLayerOutputParams(Params):
    norm: Literal["batchnorm", "layernorm", "groupnorm"] = Field(
        default="batchnorm",
        description="the normalisation layer: BatchNorm1d, LayerNorm or GroupNorm",
        json_schema_extra={"zh": "归一化层：BatchNorm1d、LayerNorm 或 GroupNorm"},
    )
    x: list[float] = Field(
        min_length=2,
        max_length=36,
        description="the (N, C) input, row by row, comma-separated",
        json_schema_extra={"zh": "(N, C) 输入，逐行排列，逗号分隔"},
    )
    num_features: int = Field(
        ge=1,
        le=8,
        description="C: features (channels) per sample",
        json_schema_extra={"zh": "C：每个样本的特征（通道）数"},
    )
    num_groups: int = Field(
        default=1,
        ge=1,
        le=8,
        description="GroupNorm's number of groups; must divide C; only with norm=groupnorm",
        json_schema_extra={"zh": "GroupNorm 的分组数，须整除 C；仅用于 norm=groupnorm"},
    )
    eps: float = Field(
        default=1e-5,
        gt=0,
        le=1,
        description="added to the variance before the square root",
        json_schema_extra={"zh": "开方前加到方差上的小常数"},
    )
    weight: float = Field(
        default=1.0,
        ge=-100,
        le=100,
        description="γ, the same for every feature",
        json_schema_extra={"zh": "γ，每个特征相同"},
    )
    bias: float = Field(
        default=0.0,
        ge=-100,
        le=100,
        description="β, the same for every feature",
        json_schema_extra={"zh": "β，每个特征相同"},
    )
    quantity: Literal["entry", "row", "column"] = Field(
        default="entry",
        description="entry: y[i, j]; row: all of row i; column: all of column j",
        json_schema_extra={"zh": "entry：y[i, j]；row：第 i 行全部；column：第 j 列全部"},
    )
    # torch's own indexing, y[i, j] counted from 0, in the prompt and the solution alike: a learner never has to
    # guess whether "row 1" is the first row or the second.
    i: int = Field(
        default=0,
        ge=0,
        description="sample (row) index i of y[i, j], counted from 0",
        json_schema_extra={"zh": "y[i, j] 的样本（行）下标 i，从 0 开始"},
    )
    j: int = Field(
        default=0,
        ge=0,
        description="feature (column) index j of y[i, j], counted from 0",
        json_schema_extra={"zh": "y[i, j] 的特征（列）下标 j，从 0 开始"},
    )

    @model_validator(mode="after")
    def _well_posed(self) -> NormLayerOutputParams:
        c = self.num_features
        if len(self.x) % c:
            raise ValueError(f"x has {len(self.x)} numbers, not a whole number of rows of num_features={c}")
        n = len(self.x) // c
        if any(abs(v) > 1e4 for v in self.x):
            raise ValueError("inputs must be at most 1e4 in magnitude")
        if self.norm == "batchnorm" and n < 2:
            raise ValueError(
                "BatchNorm1d in training mode needs at least 2 samples (torch: 'Expected more than 1 value per channel')"
            )
        if self.norm == "layernorm" and c < 2:
            raise ValueError("LayerNorm over a single feature always outputs β: give num_features ≥ 2")
        if self.norm == "groupnorm":
            if c % self.num_groups:
                raise ValueError(f"num_features={c} must be divisible by num_groups={self.num_groups} (torch's rule)")
            if c // self.num_groups < 2:
                raise ValueError("each group needs at least 2 channels, otherwise every output is β")
        elif self.num_groups != 1:
            raise ValueError("num_groups only applies to norm=groupnorm")
        if self.i >= n or self.j >= c:
            raise ValueError(f"i must be in 0..{n - 1} and j in 0..{c - 1} for an input of shape ({n}, {c})")
        return self

    @property
    def rows(self) -> list[list[float]]:
        c = self.num_features
        return [self.x[i : i + c] for i in range(0, len(self.x), c)]


def _stats(vals: list[float], ddof: int = 0) -> tuple[float, float]:
    m = sum(vals) / len(vals)
    return m, sum((v - m) ** 2 for v in vals) / (len(vals) - ddof)


def _group(p: NormLayerOutputParams, axis: str, i: int, j: int) -> list[float]:
    """Entry (i, j)'s statistics group: its column (BN), its row (LN), its channel group in the row (GN)."""
    rows = p.rows
    if axis == "batchnorm":
        return [r[j] for r in rows]
    if axis == "layernorm":
        return rows[i]
    size = p.num_features // p.num_groups
    start = (j // size) * size
    return rows[i][start : start + size]


def normalize(
    p: NormLayerOutputParams, *, axis: str | None = None, ddof: int = 0, eps: float | None = None
) -> list[list[float]]:
    """The whole output; ``axis``/``ddof``/``eps`` overrides produce the misconceptions."""
    eps = p.eps if eps is None else eps
    out = []
    for i, r in enumerate(p.rows):
        line = []
        for j, v in enumerate(r):
            m, var = _stats(_group(p, axis or p.norm, i, j), ddof)
            line.append(p.weight * (v - m) / math.sqrt(var + eps) + p.bias)
        out.append(line)
    return out


def _by_variance(p: NormLayerOutputParams) -> list[list[float]]:
    out = []
    for i, r in enumerate(p.rows):
        out.append(
            [
                p.weight * (v - _stats(_group(p, p.norm, i, j))[0]) / (_stats(_group(p, p.norm, i, j))[1] + p.eps)
                + p.bias
                for j, v in enumerate(r)
            ]
        )
    return out


def _pick(p: NormLayerOutputParams, y: list[list[float]]) -> float | list[float]:
    if p.quantity == "entry":
        return y[p.i][p.j]
    if p.quantity == "row":
        return y[p.i]
    return [r[p.j] for r in y]


@register
class NormLayerOutput(Family[NormLayerOutputParams]):
    name = "norm-layer-output"
    topic = "batchnorm-layernorm"
    title = BiText("BatchNorm / LayerNorm / GroupNorm 的输出", "Output of BatchNorm / LayerNorm / GroupNorm")
    answer_spec = _FLOAT
    params_model = NormLayerOutputParams

    def spec(self, p: NormLayerOutputParams) -> AnswerSpec:
        return _FLOAT if p.quantity == "entry" else _VECTOR

    def sample(self, rng: random.Random, difficulty: int) -> NormLayerOutputParams:
        norms: list[Literal["batchnorm", "layernorm", "groupnorm"]] = ["batchnorm", "layernorm", "groupnorm"]
        norm = rng.choice(norms if difficulty > 1 else norms[:2])
        if norm == "groupnorm":
            # (4, 1) is deliberate: GroupNorm with one group is LayerNorm.
            c, g = rng.choice([(4, 2), (6, 2), (6, 3), (4, 1)])
        else:
            c, g = rng.randint(2, 4), 1
        n = rng.randint(2, 4) if norm == "batchnorm" else rng.randint(2, 3)
        if difficulty == 1:
            x = [float(rng.randint(-4, 8)) for _ in range(n * c)]
        else:
            x = [round(rng.randint(-30, 30) * 0.1, 1) for _ in range(n * c)]
        eps, weight, bias = 1e-5, 1.0, 0.0
        if difficulty == 3:
            # A larger eps against small spreads makes "forgot eps" a visibly different answer.
            eps = rng.choice([1e-5, 0.01, 0.1, 1e-3])
            weight, bias = rng.choice([(1.0, 0.0), (2.0, 0.5), (0.5, -1.0), (1.5, 0.0)])
        # Vectors follow the group a learner computes by hand: a column for BN, a row for LN/GN.
        per_group: Literal["row", "column"] = "column" if norm == "batchnorm" else "row"
        quantity: Literal["entry", "row", "column"] = rng.choice(["entry", "entry", per_group])
        return NormLayerOutputParams(
            norm=norm,
            x=x,
            num_features=c,
            num_groups=g,
            eps=eps,
            weight=weight,
            bias=bias,
            quantity=quantity,
            i=rng.randrange(n),
            j=rng.randrange(c),
        )

    def acceptable(self, p: NormLayerOutputParams) -> bool:
        # A constant statistics group outputs β whatever the numbers: resample rather than ask that.
        n, c = len(p.x) // p.num_features, p.num_features
        return all(_stats(_group(p, p.norm, i, j))[1] > 0 for i in range(n) for j in range(c))

    def solve(self, p: NormLayerOutputParams) -> float | list[float]:
        return _pick(p, normalize(p))

    def verify(self, p: NormLayerOutputParams) -> float | list[float]:
        import torch
        from torch import nn

        n, c = len(p.x) // p.num_features, p.num_features
        x = torch.tensor(p.x, dtype=torch.float64).reshape(n, c)
        layer: nn.Module
        if p.norm == "batchnorm":
            layer = nn.BatchNorm1d(c, eps=p.eps, dtype=torch.float64).train()
        elif p.norm == "layernorm":
            layer = nn.LayerNorm(c, eps=p.eps, dtype=torch.float64)
        else:
            layer = nn.GroupNorm(p.num_groups, c, eps=p.eps, dtype=torch.float64)
        with torch.no_grad():
            layer.weight.fill_(p.weight)
            layer.bias.fill_(p.bias)
            y = layer(x)
        return _pick(p, y.tolist())

    def prompt(self, p: NormLayerOutputParams) -> BiText:
        n, c = len(p.x) // p.num_features, p.num_features
        mat = "[" + ", ".join(fmt_list(r) for r in p.rows) + "]"
        mod = {
            "batchnorm": f"nn.BatchNorm1d({c}, eps={fmt(p.eps)})，训练模式（用当前批次的统计量）",
            "layernorm": f"nn.LayerNorm({c}, eps={fmt(p.eps)})",
            "groupnorm": f"nn.GroupNorm(num_groups={p.num_groups}, num_channels={c}, eps={fmt(p.eps)})",
        }[p.norm]
        mod_en = {
            "batchnorm": f"nn.BatchNorm1d({c}, eps={fmt(p.eps)}) in training mode (current batch statistics)",
            "layernorm": f"nn.LayerNorm({c}, eps={fmt(p.eps)})",
            "groupnorm": f"nn.GroupNorm(num_groups={p.num_groups}, num_channels={c}, eps={fmt(p.eps)})",
        }[p.norm]
        ask_zh = {
            "entry": f"输出 y = layer(x) 中 y[{p.i}, {p.j}]（样本 {p.i}、特征 {p.j}）是多少？",
            "row": f"输出 y = layer(x) 的整行 y[{p.i}]（样本 {p.i} 的全部特征）是多少？",
            "column": f"输出 y = layer(x) 的整列 y[:, {p.j}]（特征 {p.j} 在全部样本上）是多少？",
        }[p.quantity]
        ask_en = {
            "entry": f"What is y[{p.i}, {p.j}] of the output y = layer(x) (sample {p.i}, feature {p.j})?",
            "row": f"What is the whole row y[{p.i}] of the output y = layer(x) (every feature of sample {p.i})?",
            "column": f"What is the whole column y[:, {p.j}] of the output y = layer(x) (feature {p.j} across "
            "the batch)?",
        }[p.quantity]
        ask_zh += "（下标按 PyTorch 从 0 开始）"
        ask_en += " (indices count from 0, as in PyTorch.)"
        return BiText(
            f"输入 x 的形状为 ({n}, {c})（{n} 个样本 × {c} 个特征），按行给出：{mat}。对它使用 {mod}，"
            f"方差用有偏估计（除以元素个数），仿射参数 γ={fmt(p.weight)}、β={fmt(p.bias)}（对所有特征相同）。{ask_zh}",
            f"An input x of shape ({n}, {c}) ({n} samples × {c} features), row by row: {mat}. Apply {mod_en}, with the "
            f"biased variance (divide by the element count) and affine γ={fmt(p.weight)}, β={fmt(p.bias)} (same for "
            f"every feature). {ask_en}",
        )

    def solution(self, p: NormLayerOutputParams) -> BiText:
        y = normalize(p)
        rows, c = p.rows, p.num_features
        targets = (
            [(p.i, p.j)]
            if p.quantity == "entry"
            else [(p.i, j) for j in range(c)]
            if p.quantity == "row"
            else [(i, p.j) for i in range(len(rows))]
        )
        where_zh = {
            "batchnorm": "每个特征（列）在批次维上",
            "layernorm": "每个样本（行）在特征维上",
            "groupnorm": f"每个样本内每组 {c // p.num_groups} 个通道上",
        }[p.norm]
        where_en = {
            "batchnorm": "per feature (column) over the batch",
            "layernorm": "per sample (row) over its features",
            "groupnorm": f"per sample, within each group of {c // p.num_groups} channels",
        }[p.norm]
        lines, seen = [], set()
        for i, j in targets:
            vals = _group(p, p.norm, i, j)
            m, var = _stats(vals)
            if tuple(vals) not in seen:
                seen.add(tuple(vals))
                lines.append(f"{fmt_list(vals)}: μ = {fmt(round(m, 10))}, σ² = {fmt(round(var, 10))}")
            aff = f"{fmt(p.weight)}·" if p.weight != 1 else ""
            tail = (f" − {fmt(-p.bias)}" if p.bias < 0 else f" + {fmt(p.bias)}") if p.bias else ""
            minus = f"+ {fmt(round(-m, 10))}" if m < 0 else f"− {fmt(round(m, 10))}"
            lines.append(
                f"y[{i}, {j}] = {aff}({fmt(rows[i][j])} {minus}) / √({fmt(round(var, 10))} + "
                f"{fmt(p.eps)}){tail} = {fmt(y[i][j], 5)}"
            )
        body = "\n  ".join(lines)
        formula = "y = γ·(x − μ)/√(σ² + eps) + β"
        return BiText(
            f"{formula}，统计量{where_zh}计算（有偏方差）：\n  {body}",
            f"{formula}, with statistics computed {where_en} (biased variance):\n  {body}",
        )

    def misconceptions(self, p: NormLayerOutputParams) -> list[Misconception]:
        rows = p.rows
        wrong_axes = {"batchnorm": ["layernorm"], "layernorm": ["batchnorm"], "groupnorm": ["layernorm", "batchnorm"]}
        mistakes = []
        for axis in wrong_axes[p.norm]:
            if axis == "batchnorm" and len(rows) < 2:
                continue
            what_zh = {"batchnorm": "按批次（列）", "layernorm": "按整个样本（行）"}[axis]
            what_en = {"batchnorm": "over the batch (per column)", "layernorm": "over the whole sample (per row)"}[axis]
            mistakes.append(
                Misconception(
                    f"wrong-axis-{axis}",
                    _pick(p, normalize(p, axis=axis)),
                    BiText(
                        f"归一化的轴错了：你{what_zh}求了统计量。BatchNorm 对每个特征在批次上求，LayerNorm 对每个样本在全部特征上求，"
                        "GroupNorm 对每个样本在各自的通道组内求。",
                        f"Wrong axis: you took the statistics {what_en}. BatchNorm uses each feature over the batch, LayerNorm each "
                        "sample over all its features, GroupNorm each sample within its channel group.",
                    ),
                )
            )
        mistakes.append(
            Misconception(
                "divided-by-variance",
                _pick(p, _by_variance(p)),
                BiText(
                    "你除以了 σ² + eps；应除以标准差 √(σ² + eps)。",
                    "You divided by σ² + eps; divide by the standard deviation √(σ² + eps).",
                ),
            )
        )
        group_size = len(rows) if p.norm == "batchnorm" else p.num_features // p.num_groups
        if group_size > 1:
            mistakes.append(
                Misconception(
                    "unbiased-variance",
                    _pick(p, normalize(p, ddof=1)),
                    BiText(
                        "你用了无偏方差（除以 n − 1）；归一化层在前向里用有偏方差（除以 n）。",
                        "You used the unbiased variance (divide by n − 1); normalization layers use the biased variance (divide by n) in the forward pass.",
                    ),
                )
            )
        try:
            no_eps = _pick(p, normalize(p, eps=0.0))
        except ZeroDivisionError:
            no_eps = None
        if no_eps is not None:
            mistakes.append(
                Misconception(
                    "forgot-eps",
                    no_eps,
                    BiText(
                        f"忘了在根号里加 eps={fmt(p.eps)}：方差小时它的影响不可忽略。",
                        f"You left eps={fmt(p.eps)} out of the square root: it matters when the variance is small.",
                    ),
                )
            )
        if (p.weight, p.bias) != (1.0, 0.0):
            mistakes.append(
                Misconception(
                    "forgot-affine",
                    _pick(p, normalize(p.model_copy(update=dict(weight=1.0, bias=0.0)))),
                    BiText(
                        "忘了仿射变换：归一化后还要乘 γ 再加 β。",
                        "You forgot the affine step: multiply by γ and add β after normalizing.",
                    ),
                )
            )
        return mistakes

    def hints(self, p: NormLayerOutputParams) -> list[BiText]:
        from quizzer.generators.base import withhold

        where = {
            "batchnorm": BiText(
                "BatchNorm 对每个特征（列）在批次维上求均值和方差",
                "BatchNorm takes each feature's (column's) mean and variance over the batch",
            ),
            "layernorm": BiText(
                "LayerNorm 对每个样本（行）在它的特征上求均值和方差",
                "LayerNorm takes each sample's (row's) mean and variance over its features",
            ),
            "groupnorm": BiText(
                "GroupNorm 对每个样本、在每组通道内求均值和方差",
                "GroupNorm takes the mean and variance within each group of channels of a sample",
            ),
        }
        concept = where[p.norm] + BiText(
            "（有偏方差，除以个数），再算 y = γ·(x − μ)/√(σ² + eps) + β。",
            " (the biased variance, dividing by the count), then y = γ·(x − μ)/√(σ² + eps) + β.",
        )
        sol = self.solution(p)
        zh, en = [line.strip() for line in sol.zh.splitlines()], [line.strip() for line in sol.en.splitlines()]

        def held(lines: list[str]) -> str:
            return "\n".join(withhold(line) if line.startswith("y[") else line for line in lines[1:])

        return [concept, BiText(zh[1], en[1]), BiText(held(zh), held(en))]
