"""Output of BatchNorm1d (training mode), LayerNorm or GroupNorm on a small (N, C) batch."""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Any, Literal

from pydantic import Field, model_validator

from quizzer.generators.base import AnswerSpec, Family, Misconception, Params, fmt, fmt_list, given
from quizzer.generators.registry import register
from quizzer.text import BiText

_FLOAT = AnswerSpec(kind="float", rel_tol=1e-3, abs_tol=5e-4)
_VECTOR = AnswerSpec(kind="vector", rel_tol=1e-3, abs_tol=5e-4)
# RMSNorm's eps=None means torch.finfo(dtype).eps, so its check runs in torch's default dtype, float32: ~1e-7 relative
# rounding per operation, a few operations deep, sits well inside these agreement bounds and far outside a mistake's.
_FLOAT32_AGREE_REL, _FLOAT32_AGREE_ABS = 1e-5, 1e-7
FLOAT32_EPS = 2.0**-23  # torch.finfo(torch.float32).eps = 1.1920929e-07
Norm = Literal["batchnorm", "layernorm", "groupnorm", "instancenorm", "rmsnorm"]


class NormLayerOutputParams(Params):
    norm: Norm = Field(
        default="batchnorm",
        description="the normalisation layer: BatchNorm1d, LayerNorm, GroupNorm, InstanceNorm1d or RMSNorm",
        json_schema_extra={"zh": "归一化层：BatchNorm1d、LayerNorm、GroupNorm、InstanceNorm1d 或 RMSNorm"},
    )
    x: list[float] = Field(
        min_length=2,
        max_length=36,
        description="the input row by row, comma-separated: (N, C), or (N, C, L) for instancenorm",
        json_schema_extra={"zh": "输入，逐行排列，逗号分隔：形状 (N, C)，instancenorm 为 (N, C, L)"},
    )
    num_features: int = Field(
        ge=1,
        le=8,
        description="C: features (channels) per sample",
        json_schema_extra={"zh": "C：每个样本的特征（通道）数"},
    )
    length: int | None = Field(
        default=None,
        ge=2,
        le=8,
        description="L: positions per channel, input (N, C, L); only with norm=instancenorm",
        json_schema_extra={"zh": "L：每个通道的位置数，输入形状 (N, C, L)；仅用于 norm=instancenorm"},
    )
    num_groups: int = Field(
        default=1,
        ge=1,
        le=8,
        description="GroupNorm's number of groups; must divide C; only with norm=groupnorm",
        json_schema_extra={"zh": "GroupNorm 的分组数，须整除 C；仅用于 norm=groupnorm"},
    )
    eps: float | None = Field(
        default=None,
        gt=0,
        le=1,
        description="added under the square root (to the variance; RMSNorm: to mean(x²)); default 1e-5, RMSNorm float32's eps",
        json_schema_extra={
            "zh": "开方前加上的小常数（加到方差上；RMSNorm 加到 mean(x²) 上）；默认 1e-5，RMSNorm 为 float32 的 eps"
        },
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
        description="β, the same for every feature (RMSNorm has none: leave it 0)",
        json_schema_extra={"zh": "β，每个特征相同（RMSNorm 没有 β：保持 0）"},
    )
    quantity: Literal["entry", "row", "column"] = Field(
        default="entry",
        description="entry: y[i, j]; row: all of row i (instancenorm: y[i, j]); column: all of column j",
        json_schema_extra={"zh": "entry：y[i, j]；row：第 i 行全部（instancenorm 为 y[i, j]）；column：第 j 列全部"},
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
    l: int | None = Field(  # noqa: E741
        default=None,
        ge=0,
        description="position index l of y[i, j, l], counted from 0 (default 0); only with norm=instancenorm",
        json_schema_extra={"zh": "y[i, j, l] 的位置下标 l，从 0 开始（默认 0）；仅用于 norm=instancenorm"},
    )

    @model_validator(mode="before")
    @classmethod
    def _torch_defaults(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data = dict(data)
            if data.get("norm") != "rmsnorm" and data.get("eps") is None:
                data["eps"] = 1e-5  # every other layer's default; RMSNorm keeps None (see FLOAT32_EPS)
            if data.get("norm") == "instancenorm" and data.get("l") is None:
                data["l"] = 0
        return data

    @model_validator(mode="after")
    def _well_posed(self) -> NormLayerOutputParams:
        c = self.num_features
        if self.norm == "instancenorm":
            if self.length is None:
                raise ValueError("norm=instancenorm needs length (L): the input has shape (N, C, L)")
            if self.quantity == "column":
                raise ValueError("for instancenorm ask for an entry y[i, j, l] or a row y[i, j] (one channel)")
        elif self.length is not None or self.l is not None:
            raise ValueError("length and l only apply to norm=instancenorm (input of shape (N, C, L))")
        width = c * (self.length or 1)
        if len(self.x) % width:
            raise ValueError(f"x has {len(self.x)} numbers, not a whole number of rows of {width} (one sample each)")
        n = len(self.x) // width
        if any(abs(v) > 1e4 for v in self.x):
            raise ValueError("inputs must be at most 1e4 in magnitude")
        if self.norm == "batchnorm" and n < 2:
            raise ValueError(
                "BatchNorm1d in training mode needs at least 2 samples (torch: 'Expected more than 1 value per channel')"
            )
        if self.norm == "layernorm" and c < 2:
            raise ValueError("LayerNorm over a single feature always outputs β: give num_features ≥ 2")
        if self.norm == "rmsnorm" and self.bias != 0:
            raise ValueError("torch's nn.RMSNorm has a weight (γ) but no bias: leave bias at 0")
        if self.norm == "groupnorm":
            if c % self.num_groups:
                raise ValueError(f"num_features={c} must be divisible by num_groups={self.num_groups} (torch's rule)")
            if c // self.num_groups < 2:
                raise ValueError("each group needs at least 2 channels, otherwise every output is β")
        elif self.num_groups != 1:
            raise ValueError("num_groups only applies to norm=groupnorm")
        if self.i >= n or self.j >= c:
            raise ValueError(f"i must be in 0..{n - 1} and j in 0..{c - 1} for {n} samples of {c} features")
        if self.l is not None and self.l >= given(self.length):
            raise ValueError(f"l must be in 0..{given(self.length) - 1}")
        return self

    @property
    def rows(self) -> list[list[float]]:
        """The input as rows: the (N, C) matrix, or for instancenorm one row of L values per (sample, channel)."""
        width = self.length or self.num_features
        return [self.x[i : i + width] for i in range(0, len(self.x), width)]

    @property
    def eps_value(self) -> float:
        return FLOAT32_EPS if self.eps is None else self.eps

    def row_of(self, i: int, j: int) -> int:
        """The row of ``rows`` holding entry (i, j), or for instancenorm sample i's channel j."""
        return i * self.num_features + j if self.norm == "instancenorm" else i

    def label(self, r: int, col: int) -> str:
        """torch's index of a ``rows`` entry: y[i, j], or y[i, j, l] for instancenorm."""
        if self.norm == "instancenorm":
            return f"y[{r // self.num_features}, {r % self.num_features}, {col}]"
        return f"y[{r}, {col}]"


def _stats(vals: list[float], ddof: int = 0, *, rms: bool = False) -> tuple[float, float]:
    """(centre, spread²): the mean and variance, or for RMSNorm 0 and the mean square."""
    if rms:
        return 0.0, sum(v * v for v in vals) / len(vals)
    m = sum(vals) / len(vals)
    return m, sum((v - m) ** 2 for v in vals) / (len(vals) - ddof)


def _group(p: NormLayerOutputParams, axis: str, r: int, col: int) -> list[float]:
    """The statistics group of rows[r][col] under ``axis`` (the layer's own or a mistaken one)."""
    rows, c = p.rows, p.num_features
    if p.norm == "instancenorm":
        if axis == "instancenorm":  # one channel of one sample, over its L positions
            return rows[r]
        if axis == "batchnorm":  # one channel over every sample and position
            return [v for rr, row in enumerate(rows) if rr % c == r % c for v in row]
        return [v for rr, row in enumerate(rows) if rr // c == r // c for v in row]  # the whole sample
    if axis == "batchnorm":
        return [row[col] for row in rows]
    if axis in ("layernorm", "rmsnorm"):
        return rows[r]
    size = c // p.num_groups
    start = (col // size) * size
    return rows[r][start : start + size]


def normalize(
    p: NormLayerOutputParams,
    *,
    axis: str | None = None,
    ddof: int = 0,
    eps: float | None = None,
    power: float = 0.5,
    rms: bool | None = None,
) -> list[list[float]]:
    """The whole output (as ``rows``); the keyword overrides produce the misconceptions."""
    eps = p.eps_value if eps is None else eps
    rms = p.norm == "rmsnorm" if rms is None else rms
    out = []
    for r, row in enumerate(p.rows):
        line = []
        for col, v in enumerate(row):
            m, var = _stats(_group(p, axis or p.norm, r, col), ddof, rms=rms)
            line.append(p.weight * (v - m) / (var + eps) ** power + p.bias)
        out.append(line)
    return out


def _pick(p: NormLayerOutputParams, y: list[list[float]]) -> float | list[float]:
    r = p.row_of(p.i, p.j)
    if p.quantity == "entry":
        return y[r][given(p.l) if p.norm == "instancenorm" else p.j]
    if p.quantity == "row":
        return y[r]
    return [row[p.j] for row in y]


@register
class NormLayerOutput(Family[NormLayerOutputParams]):
    name = "norm-layer-output"
    topic = "batchnorm-layernorm"
    title = BiText(
        "BatchNorm / LayerNorm / GroupNorm / InstanceNorm / RMSNorm 的输出",
        "Output of BatchNorm / LayerNorm / GroupNorm / InstanceNorm / RMSNorm",
    )
    answer_spec = _FLOAT
    params_model = NormLayerOutputParams

    def spec(self, p: NormLayerOutputParams) -> AnswerSpec:
        spec = _FLOAT if p.quantity == "entry" else _VECTOR
        return (
            replace(spec, agree_rel=_FLOAT32_AGREE_REL, agree_abs=_FLOAT32_AGREE_ABS)
            if p.norm == "rmsnorm" and p.eps is None
            else spec
        )

    def sample(self, rng: random.Random, difficulty: int) -> NormLayerOutputParams:
        norms: list[Norm] = ["batchnorm", "layernorm", "groupnorm"]
        if difficulty == 3:
            # InstanceNorm is GroupNorm with one channel per group; RMSNorm is LayerNorm without the centring.
            norms += ["instancenorm", "rmsnorm"]
        norm = rng.choice(norms if difficulty > 1 else norms[:2])
        length = None
        if norm == "groupnorm":
            # (4, 1) is deliberate: GroupNorm with one group is LayerNorm.
            c, g = rng.choice([(4, 2), (6, 2), (6, 3), (4, 1)])
        elif norm == "instancenorm":
            c, g, length = rng.randint(1, 2), 1, rng.randint(2, 4)
        else:
            c, g = rng.randint(2, 4), 1
        n = rng.randint(2, 4) if norm == "batchnorm" else rng.randint(2, 3)
        size = n * c * (length or 1)
        if difficulty == 1:
            x = [float(rng.randint(-4, 8)) for _ in range(size)]
        else:
            x = [round(rng.randint(-30, 30) * 0.1, 1) for _ in range(size)]
        eps: float | None = None if norm == "rmsnorm" else 1e-5
        weight, bias = 1.0, 0.0
        if difficulty == 3:
            # A larger eps against small spreads makes "forgot eps" a visibly different answer.
            if norm != "rmsnorm" or rng.random() < 0.3:
                eps = rng.choice([1e-5, 0.01, 0.1, 1e-3])
            weight, bias = rng.choice([(1.0, 0.0), (2.0, 0.5), (0.5, -1.0), (1.5, 0.0)])
            if norm == "rmsnorm":
                bias = 0.0
        # Vectors follow the group a learner computes by hand: a column for BN, a row for LN/GN/IN/RMS.
        per_group: Literal["row", "column"] = "column" if norm == "batchnorm" else "row"
        quantity: Literal["entry", "row", "column"] = rng.choice(["entry", "entry", per_group])
        return NormLayerOutputParams(
            norm=norm,
            x=x,
            num_features=c,
            length=length,
            num_groups=g,
            eps=eps,
            weight=weight,
            bias=bias,
            quantity=quantity,
            i=rng.randrange(n),
            j=rng.randrange(c),
            l=rng.randrange(length) if length else None,
        )

    def acceptable(self, p: NormLayerOutputParams) -> bool:
        # A constant statistics group outputs β whatever the numbers: resample rather than ask that.
        rms = p.norm == "rmsnorm"
        return all(
            _stats(_group(p, p.norm, r, col), rms=rms)[1] > 0 for r, row in enumerate(p.rows) for col in range(len(row))
        )

    def solve(self, p: NormLayerOutputParams) -> float | list[float]:
        return _pick(p, normalize(p))

    def verify(self, p: NormLayerOutputParams) -> float | list[float]:
        import torch
        from torch import nn

        c = p.num_features
        dtype = torch.float32 if p.norm == "rmsnorm" and p.eps is None else torch.float64
        x = torch.tensor(p.x, dtype=dtype).reshape(-1, c, p.length) if p.length else torch.tensor(p.x, dtype=dtype)
        x = x if p.length else x.reshape(-1, c)
        layer: nn.Module
        if p.norm == "batchnorm":
            layer = nn.BatchNorm1d(c, eps=given(p.eps), dtype=dtype).train()
        elif p.norm == "layernorm":
            layer = nn.LayerNorm(c, eps=given(p.eps), dtype=dtype)
        elif p.norm == "groupnorm":
            layer = nn.GroupNorm(p.num_groups, c, eps=given(p.eps), dtype=dtype)
        elif p.norm == "instancenorm":
            layer = nn.InstanceNorm1d(c, eps=given(p.eps), affine=True, dtype=dtype)
        else:
            layer = nn.RMSNorm(c, eps=p.eps, dtype=dtype)  # eps=None: torch takes finfo(x.dtype).eps itself
        with torch.no_grad():
            for name, value in (("weight", p.weight), ("bias", p.bias)):
                param = getattr(layer, name, None)  # nn.RMSNorm has no bias
                if param is not None:
                    param.fill_(value)
            y = layer(x)
        return _pick(p, y.reshape(len(p.rows), -1).tolist())

    def _module(self, p: NormLayerOutputParams) -> BiText:
        c, eps = p.num_features, fmt(p.eps_value)
        if p.norm == "batchnorm":
            return BiText(
                f"nn.BatchNorm1d({c}, eps={eps})，训练模式（用当前批次的统计量）",
                f"nn.BatchNorm1d({c}, eps={eps}) in training mode (current batch statistics)",
            )
        if p.norm == "instancenorm":
            return BiText(
                f"nn.InstanceNorm1d({c}, eps={eps}, affine=True)", f"nn.InstanceNorm1d({c}, eps={eps}, affine=True)"
            )
        if p.norm == "rmsnorm":
            text = f"nn.RMSNorm({c})（eps=None，默认）" if p.eps is None else f"nn.RMSNorm({c}, eps={eps})"
            text_en = f"nn.RMSNorm({c}) (eps=None, the default)" if p.eps is None else f"nn.RMSNorm({c}, eps={eps})"
            if p.eps is None:  # the default eps depends on the dtype, so the dtype is part of the question
                return BiText(text + "，float32 输入", text_en + " on a float32 input")
            return BiText(text, text_en)
        call = {
            "layernorm": f"nn.LayerNorm({c}, eps={eps})",
            "groupnorm": f"nn.GroupNorm(num_groups={p.num_groups}, num_channels={c}, eps={eps})",
        }[p.norm]
        return BiText(call, call)

    def prompt(self, p: NormLayerOutputParams) -> BiText:
        n, c = len(p.x) // (p.num_features * (p.length or 1)), p.num_features
        mat = "[" + ", ".join(fmt_list(r) for r in p.rows) + "]"
        mod = self._module(p)
        if p.norm == "instancenorm":
            idx = f"y[{p.i}, {p.j}, {p.l}]"
            ask_zh = {
                "entry": f"输出 y = layer(x) 中 {idx}（样本 {p.i}、通道 {p.j}、位置 {p.l}）是多少？",
                "row": f"输出 y = layer(x) 的 y[{p.i}, {p.j}]（样本 {p.i} 通道 {p.j} 的全部位置）是多少？",
            }[p.quantity]
            ask_en = {
                "entry": f"What is {idx} of the output y = layer(x) (sample {p.i}, channel {p.j}, position {p.l})?",
                "row": f"What is y[{p.i}, {p.j}] of the output y = layer(x) (every position of channel {p.j} of "
                f"sample {p.i})?",
            }[p.quantity]
            shape_zh = f"({n}, {c}, {p.length})（{n} 个样本 × {c} 个通道 × 长度 {p.length}），按 (样本, 通道) 逐行给出"
            shape_en = f"({n}, {c}, {p.length}) ({n} samples × {c} channel{'s' if c > 1 else ''} × length {p.length}), one row per (sample, channel)"
        else:
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
            shape_zh, shape_en = (
                f"({n}, {c})（{n} 个样本 × {c} 个特征），按行给出",
                f"({n}, {c}) ({n} samples × {c} features), row by row",
            )
        ask_zh += "（下标按 PyTorch 从 0 开始）"
        ask_en += " (indices count from 0, as in PyTorch.)"
        if p.norm == "rmsnorm":
            aff_zh, aff_en = (
                f"权重 γ={fmt(p.weight)}（对所有特征相同，RMSNorm 没有偏置）",
                f"weight γ={fmt(p.weight)} (same for every feature; RMSNorm has no bias)",
            )
        else:
            aff_zh = f"方差用有偏估计（除以元素个数），仿射参数 γ={fmt(p.weight)}、β={fmt(p.bias)}（对所有特征相同）"
            aff_en = (
                f"the biased variance (divide by the element count) and affine γ={fmt(p.weight)}, β={fmt(p.bias)} "
                "(same for every feature)"
            )
        return (
            BiText(f"输入 x 的形状为 {shape_zh}：{mat}。对它使用 ", f"An input x of shape {shape_en}: {mat}. Apply ")
            + mod
            + BiText(f"，{aff_zh}。{ask_zh}", f", with {aff_en}. {ask_en}")
        )

    def _targets(self, p: NormLayerOutputParams) -> list[tuple[int, int]]:
        """The (row, column) entries of ``rows`` that the question asks for."""
        r = p.row_of(p.i, p.j)
        if p.quantity == "entry":
            return [(r, given(p.l) if p.norm == "instancenorm" else p.j)]
        if p.quantity == "row":
            return [(r, col) for col in range(len(p.rows[r]))]
        return [(rr, p.j) for rr in range(len(p.rows))]

    def solution(self, p: NormLayerOutputParams) -> BiText:
        y, rows, c = normalize(p), p.rows, p.num_features
        rms = p.norm == "rmsnorm"
        where_zh = {
            "batchnorm": "每个特征（列）在批次维上",
            "layernorm": "每个样本（行）在特征维上",
            "groupnorm": f"每个样本内每组 {c // p.num_groups} 个通道上",
            "instancenorm": "每个样本的每个通道在它的 L 个位置上",
            "rmsnorm": "每个样本（行）在特征维上",
        }[p.norm]
        where_en = {
            "batchnorm": "per feature (column) over the batch",
            "layernorm": "per sample (row) over its features",
            "groupnorm": f"per sample, within each group of {c // p.num_groups} channels",
            "instancenorm": "per sample and channel, over its L positions",
            "rmsnorm": "per sample (row) over its features",
        }[p.norm]
        lines, seen = [], set()
        eps = fmt(p.eps_value)
        for r, col in self._targets(p):
            vals = _group(p, p.norm, r, col)
            m, var = _stats(vals, rms=rms)
            if tuple(vals) not in seen:
                seen.add(tuple(vals))
                stat = (
                    f"mean(x²) = {fmt(round(var, 10))}"
                    if rms
                    else f"μ = {fmt(round(m, 10))}, σ² = {fmt(round(var, 10))}"
                )
                lines.append(f"{fmt_list(vals)}: {stat}")
            aff = f"{fmt(p.weight)}·" if p.weight != 1 else ""
            tail = (f" − {fmt(-p.bias)}" if p.bias < 0 else f" + {fmt(p.bias)}") if p.bias else ""
            minus = "" if rms else (f" + {fmt(round(-m, 10))}" if m < 0 else f" − {fmt(round(m, 10))}")
            lines.append(
                f"{p.label(r, col)} = {aff}({fmt(rows[r][col])}{minus}) / √({fmt(round(var, 10))} + {eps}){tail} "
                f"= {fmt(y[r][col], 5)}"
            )
        body = "\n  ".join(lines)
        if rms:
            head = BiText(
                f"RMSNorm 不减均值、没有 β：y = γ·x/√(mean(x²) + eps)，均方{where_zh}计算",
                f"RMSNorm neither subtracts the mean nor adds a β: y = γ·x/√(mean(x²) + eps), the mean square taken "
                f"{where_en}",
            )
            if p.eps is None:
                head += BiText(
                    f"；eps=None 时 torch 用 torch.finfo(x.dtype).eps，float32 为 2^-23 = {eps}",
                    f"; with eps=None torch uses torch.finfo(x.dtype).eps, 2^-23 = {eps} for float32",
                )
            return head + BiText(f"：\n  {body}", f":\n  {body}")
        formula = "y = γ·(x − μ)/√(σ² + eps) + β"
        return BiText(
            f"{formula}，统计量{where_zh}计算（有偏方差）：\n  {body}",
            f"{formula}, with statistics computed {where_en} (biased variance):\n  {body}",
        )

    def misconceptions(self, p: NormLayerOutputParams) -> list[Misconception]:
        from quizzer.generators.families._norm_mistakes import norm_mistakes

        return norm_mistakes(p)

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
            "instancenorm": BiText(
                "InstanceNorm 对每个样本的每个通道、在它的各个位置上求均值和方差",
                "InstanceNorm takes the mean and variance of each channel of each sample over its positions",
            ),
        }
        if p.norm == "rmsnorm":
            concept = BiText(
                "RMSNorm 对每个样本（行）求均方 mean(x²)，不减均值：y = γ·x/√(mean(x²) + eps)。",
                "RMSNorm takes each sample's (row's) mean square mean(x²), without subtracting the mean: "
                "y = γ·x/√(mean(x²) + eps).",
            )
        else:
            concept = where[p.norm] + BiText(
                "（有偏方差，除以个数），再算 y = γ·(x − μ)/√(σ² + eps) + β。",
                " (the biased variance, dividing by the count), then y = γ·(x − μ)/√(σ² + eps) + β.",
            )
        sol = self.solution(p)
        zh, en = [line.strip() for line in sol.zh.splitlines()], [line.strip() for line in sol.en.splitlines()]

        def held(lines: list[str]) -> str:
            return "\n".join(withhold(line) if line.startswith("y[") else line for line in lines[1:])

        return [concept, BiText(zh[1], en[1]), BiText(held(zh), held(en))]
