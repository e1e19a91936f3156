"""The values max / average pooling produces on a small integer matrix."""

from __future__ import annotations

import random
import re
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from quizzer.generators.base import AnswerSpec, Family, Misconception, Params, fmt, fmt_factor, fmt_list
from quizzer.generators.registry import register
from quizzer.text import BiText


def parse_matrix(v: Any) -> Any:
    """'1 2 3; 4 5 6', '1,2,3;4,5,6' or '[[1,2,3],[4,5,6]]' → rows of ints; lists pass through."""
    if isinstance(v, (list, tuple)) and all(isinstance(x, str) for x in v):
        v = ",".join(v)  # the CLI splits list-typed values on commas; rejoin before parsing
    if not isinstance(v, str):
        return v
    text = re.sub(r"\]\s*,\s*\[", ";", v.strip())
    text = text.replace("[", "").replace("]", "").replace("/", ";")
    rows = [row for row in text.split(";") if row.strip()]
    try:
        return [[int(x) for x in re.split(r"[,\s]+", row.strip()) if x] for row in rows]
    except ValueError:
        raise ValueError(
            "input must be integer rows separated by ';', e.g. '1 2 3 4; 5 6 7 8; 9 0 1 2; 3 4 5 6'"
        ) from None


class PoolValuesParams(Params):
    input: tuple[tuple[int, ...], ...] = Field(
        description="the integer input matrix, rows separated by ';', e.g. '1 2 3 4; 5 6 7 8; 9 0 1 2; 3 4 5 6'",
        json_schema_extra={"zh": "整数输入矩阵，行之间以 ';' 分隔，如 '1 2 3 4; 5 6 7 8; 9 0 1 2; 3 4 5 6'"},
    )
    kernel_size: int = Field(
        ge=1, le=4, description="square pooling window size k", json_schema_extra={"zh": "方形池化窗口大小 k"}
    )
    stride: int | None = Field(
        default=None,
        ge=1,
        le=4,
        description="stride s (unset: torch's default, kernel_size)",
        json_schema_extra={"zh": "步幅 s（不设则为 torch 默认值 kernel_size）"},
    )  # None = torch's default, kernel_size
    kind: Literal["max", "avg"] = Field(
        default="max", description="max or average pooling", json_schema_extra={"zh": "最大池化或平均池化"}
    )

    @field_validator("input", mode="before")
    @classmethod
    def _parse(cls, v: Any) -> Any:
        return parse_matrix(v)

    @model_validator(mode="after")
    def _well_posed(self) -> PoolValuesParams:
        rows = self.input
        if not 2 <= len(rows) <= 8 or any(len(r) != len(rows[0]) for r in rows) or not 2 <= len(rows[0]) <= 8:
            raise ValueError("input must be a rectangular matrix with 2 to 8 rows and columns")
        if any(abs(x) > 999 for r in rows for x in r):
            raise ValueError("input entries must be integers between -999 and 999")
        if self.kernel_size > min(len(rows), len(rows[0])):
            raise ValueError(f"kernel_size {self.kernel_size} does not fit in the {len(rows)}×{len(rows[0])} input")
        return self

    @property
    def s(self) -> int:
        return self.kernel_size if self.stride is None else self.stride


def pool(
    p: PoolValuesParams, *, kind: str | None = None, stride: int | None = None, reduce: str | None = None
) -> list[list[float]]:
    """The pooled matrix; the keyword arguments substitute a wrong choice for a misconception."""
    k, s = p.kernel_size, stride or p.s
    how = reduce or kind or p.kind
    m = p.input
    out = []
    for i in range(0, len(m) - k + 1, s):
        row = []
        for j in range(0, len(m[0]) - k + 1, s):
            window = [m[i + a][j + b] for a in range(k) for b in range(k)]
            row.append(
                float(max(window)) if how == "max" else float(sum(window)) if how == "sum" else sum(window) / (k * k)
            )
        out.append(row)
    return out


def flat(rows: list[list[float]]) -> list[float]:
    return [x for row in rows for x in row]


@register
class PoolValues(Family[PoolValuesParams]):
    name = "pool-values"
    topic = "pooling"
    title = BiText("池化的输出值", "Values of max / average pooling")
    answer_spec = AnswerSpec(kind="vector", rel_tol=1e-3, abs_tol=5e-4)
    params_model = PoolValuesParams

    def sample(self, rng: random.Random, difficulty: int) -> PoolValuesParams:
        kind: Literal["max", "avg"] = rng.choice(["max", "avg"])
        if difficulty == 1:
            n, k, stride, lo, hi = 4, 2, None, 0, 9
        elif difficulty == 2:
            n, k = rng.choice([4, 5, 6]), rng.choice([2, 3])
            stride, lo, hi = rng.choice([None, 1, 2]), 0, 9
        else:
            n, k = rng.choice([5, 6]), rng.choice([2, 3])
            stride, lo, hi = rng.choice([1, 2]), -9, 9
        if stride == k:
            stride = None  # written the way people write it, leaving the learner to know the default
        matrix = [[rng.randint(lo, hi) for _ in range(n)] for _ in range(n)]
        return PoolValuesParams(input=tuple(map(tuple, matrix)), kernel_size=k, stride=stride, kind=kind)

    def solve(self, p: PoolValuesParams) -> list[float]:
        return flat(pool(p))

    def verify(self, p: PoolValuesParams) -> list[float]:
        import torch
        from torch import nn

        layer = (nn.MaxPool2d if p.kind == "max" else nn.AvgPool2d)(p.kernel_size, stride=p.stride)
        x = torch.tensor(p.input, dtype=torch.float64).unsqueeze(0).unsqueeze(0)
        with torch.no_grad():
            return [float(v) for v in layer(x).flatten().tolist()]

    def _code(self, p: PoolValuesParams) -> str:
        cls = "MaxPool2d" if p.kind == "max" else "AvgPool2d"
        stride = f", stride={p.stride}" if p.stride is not None else ""
        return f"nn.{cls}(kernel_size={p.kernel_size}{stride})"

    def prompt(self, p: PoolValuesParams) -> BiText:
        matrix = "\n".join("  " + " ".join(f"{x:>3}" for x in row) for row in p.input)
        h, w = len(p.input), len(p.input[0])
        return BiText(
            f"对下面的 {h}×{w} 输入（单通道）使用 {self._code(p)}（未写出的参数取 PyTorch 默认值）：\n{matrix}\n"
            "按行优先顺序把输出展平成一个数列给出。",
            f"Apply {self._code(p)} (arguments not shown take PyTorch's defaults) to this single-channel {h}×{w} input:\n"
            f"{matrix}\nGive the output flattened in row-major order as a list.",
        )

    def solution(self, p: PoolValuesParams) -> BiText:
        k, s = p.kernel_size, p.s
        out = pool(p)
        rows, cols = len(out), len(out[0])
        zh = [
            f"stride = {s}"
            + ("（默认等于 kernel_size）" if p.stride is None else "")
            + f"，输出尺寸 ⌊({len(p.input)} − {k}) / {s}⌋ + 1 = {rows} 行，⌊({len(p.input[0])} − {k}) / {s}⌋ + 1 = {cols} 列。"
        ]
        en = [
            f"stride = {s}"
            + (" (defaults to kernel_size)" if p.stride is None else "")
            + f"; output size ⌊({len(p.input)} − {k}) / {s}⌋ + 1 = {rows} rows, ⌊({len(p.input[0])} − {k}) / {s}⌋ + 1 = {cols} columns."
        ]
        for a in range(rows):
            for b in range(cols):
                i, j = a * s, b * s
                window = [p.input[i + x][j + y] for x in range(k) for y in range(k)]
                if p.kind == "max":
                    calc = f"max({', '.join(map(str, window))}) = {fmt(out[a][b])}"
                else:
                    calc = f"({' + '.join(map(fmt_factor, window))}) / {k * k} = {sum(window)} / {k * k} = {fmt(out[a][b])}"
                zh.append(f"  输出[{a}][{b}]：窗口行 {i}–{i + k - 1}、列 {j}–{j + k - 1}：{calc}")
                en.append(f"  out[{a}][{b}]: window rows {i}–{i + k - 1}, cols {j}–{j + k - 1}: {calc}")
        zh.append(f"按行展平：{fmt_list(flat(out))}")
        en.append(f"Flattened row by row: {fmt_list(flat(out))}")
        return BiText("\n".join(zh), "\n".join(en))

    def misconceptions(self, p: PoolValuesParams) -> list[Misconception]:
        other = "avg" if p.kind == "max" else "max"
        out = [
            Misconception(
                "other-pooling-type",
                flat(pool(p, kind=other)),
                BiText(
                    "用成了平均池化：最大池化取窗口内的最大值。"
                    if p.kind == "max"
                    else "用成了最大池化：平均池化取窗口内的平均值。",
                    "You averaged: max pooling keeps each window's largest value."
                    if p.kind == "max"
                    else "You took the maximum: average pooling takes each window's mean.",
                ),
            )
        ]
        if p.s != p.kernel_size:
            out.append(
                Misconception(
                    "non-overlapping-windows",
                    flat(pool(p, stride=p.kernel_size)),
                    BiText(
                        f"stride = {p.s} 与 kernel_size 不同，窗口是重叠的；你按不重叠（步长 = {p.kernel_size}）滑动了。",
                        f"stride = {p.s} differs from kernel_size, so the windows overlap; you moved them {p.kernel_size} at a time.",
                    ),
                )
            )
        else:
            out.append(
                Misconception(
                    "stride-defaulted-to-1",
                    flat(pool(p, stride=1)),
                    BiText(
                        f"池化的 stride 默认等于 kernel_size（= {p.kernel_size}），窗口不重叠；你按步长 1 滑动了。",
                        f"A pool's stride defaults to kernel_size (= {p.kernel_size}), so the windows do not overlap; you slid them by 1.",
                    ),
                )
            )
        if p.kind == "avg":
            out.append(
                Misconception(
                    "sum-not-mean",
                    flat(pool(p, reduce="sum")),
                    BiText(
                        f"求和后还要除以窗口元素个数 k² = {p.kernel_size**2}。",
                        f"After summing, divide by the number of window elements, k² = {p.kernel_size**2}.",
                    ),
                )
            )
        rows = pool(p)
        out.append(
            Misconception(
                "column-major",
                [rows[i][j] for j in range(len(rows[0])) for i in range(len(rows))],
                BiText(
                    "要按行优先（先第一行从左到右，再第二行……）展平，你按列展平了。",
                    "Flatten row by row (first row left to right, then the next row); you went column by column.",
                ),
            )
        )
        return out

    def hints(self, p: PoolValuesParams) -> list[BiText]:
        k, s = p.kernel_size, p.s
        rows, cols = (len(p.input) - k) // s + 1, (len(p.input[0]) - k) // s + 1
        how = "max" if p.kind == "max" else "mean"
        windows = []
        for a in range(rows):
            for b in range(cols):
                i, j = a * s, b * s
                values = ", ".join(str(p.input[i + x][j + y]) for x in range(k) for y in range(k))
                windows.append(f"{how}({values}) = ?")
        first = f"{rows}×{cols}; [0][0]: {windows[0]}"
        return [
            BiText(
                "用 k×k 窗口按 stride s 滑动（s 默认等于 k），每个窗口取最大值（或平均值）；放不下的窗口丢弃；按行"
                "读出结果。",
                "Slide a k×k window with stride s (s defaults to k) and take each window's maximum (or mean); "
                "windows that do not fit are dropped; read the results row by row.",
            ),
            BiText(f"输出 {first}", f"Output {first}"),
            BiText("各窗口：\n" + "\n".join(windows), "The windows:\n" + "\n".join(windows)),
        ]
