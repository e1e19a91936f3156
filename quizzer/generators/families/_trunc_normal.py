"""nn.init.trunc_normal_ for init-std: the truncated normal's std in closed form, its worked steps, mistakes and check.

torch draws N(mean, std²) restricted to [a, b] (a and b are absolute cut-offs, not multiples of std). The entries'
std is therefore smaller than the ``std`` argument: the classic closed form with α = (a − μ)/σ, β = (b − μ)/σ,
Z = Φ(β) − Φ(α):  Var = σ²·[1 + (α·φ(α) − β·φ(β))/Z − ((φ(α) − φ(β))/Z)²].
"""

from __future__ import annotations

import math

from quizzer.generators.base import Misconception, fmt, fmt_factor
from quizzer.text import BiText

SAMPLES, CHUNKS = 1 << 21, 2  # torch draws in the check: 2.1M values, 1M (8 MB) at a time
AGREE_REL = 3e-3  # closed form vs that sample (see ``torch_std``)


def _cdf(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def _pdf(x: float) -> float:
    return math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)


def terms(mean: float, std: float, a: float, b: float) -> dict[str, float]:
    alpha, beta = (a - mean) / std, (b - mean) / std
    z = _cdf(beta) - _cdf(alpha)
    shift = (alpha * _pdf(alpha) - beta * _pdf(beta)) / z
    centre = (_pdf(alpha) - _pdf(beta)) / z
    return {"alpha": alpha, "beta": beta, "z": z, "shift": shift, "centre": centre}


def trunc_std(mean: float, std: float, a: float, b: float, *, drop_centre: bool = False) -> float:
    """The truncated normal's std; ``drop_centre`` leaves out the −((φ(α) − φ(β))/Z)² term (a mistake)."""
    t = terms(mean, std, a, b)
    factor = 1.0 + t["shift"] - (0.0 if drop_centre else t["centre"] ** 2)
    return std * math.sqrt(factor)


def well_posed(mean: float, std: float, a: float, b: float) -> None:
    if not a < b:
        raise ValueError(f"trunc_normal_ needs a < b (got a={fmt(a)}, b={fmt(b)})")
    if mean < a - 2 * std or mean > b + 2 * std:
        # torch only warns here ("the distribution of values may be incorrect"): its inverse-CDF sampler loses
        # precision when [a, b] lies far in a tail, so there is no trustworthy torch answer to check against.
        raise ValueError(
            "mean is more than 2 std outside [a, b]: torch warns that the drawn values may be incorrect there"
        )


def solution(mean: float, std: float, a: float, b: float, answer: float) -> BiText:
    t = terms(mean, std, a, b)
    al, be, z = t["alpha"], t["beta"], t["z"]
    lines = [
        f"α = (a − mean)/std = ({fmt(a)} − {fmt_factor(mean)})/{fmt(std)} = {fmt(al)}, "
        f"β = (b − mean)/std = ({fmt(b)} − {fmt_factor(mean)})/{fmt(std)} = {fmt(be)}",
        f"Z = Φ(β) − Φ(α) = {fmt(_cdf(be))} − {fmt(_cdf(al))} = {fmt(z)}",
        f"φ(α) = {fmt(_pdf(al))}, φ(β) = {fmt(_pdf(be))}",
        f"(α·φ(α) − β·φ(β))/Z = {fmt(t['shift'])}, ((φ(α) − φ(β))/Z)² = {fmt(t['centre'] ** 2)}",
        f"std_w = {fmt(std)} × √(1 + {fmt_factor(t['shift'])} − {fmt(t['centre'] ** 2)}) = {fmt(answer)}",
    ]
    body = "\n  ".join(lines)
    return BiText(
        "trunc_normal_ 从 N(mean, std²) 中只保留 [a, b] 内的值（a、b 是绝对截断点），截掉尾部后标准差变小：\n"
        "  Var = std²·[1 + (α·φ(α) − β·φ(β))/Z − ((φ(α) − φ(β))/Z)²]\n  " + body,
        "trunc_normal_ keeps only the values of N(mean, std²) inside [a, b] (absolute cut-offs), and cutting the "
        "tails shrinks the std:\n  Var = std²·[1 + (α·φ(α) − β·φ(β))/Z − ((φ(α) − φ(β))/Z)²]\n  " + body,
    )


def mistakes(mean: float, std: float, a: float, b: float) -> list[Misconception]:
    return [
        Misconception(
            "gave-std-argument",
            std,
            BiText(
                f"std={fmt(std)} 是截断前正态分布的参数；截掉 [a, b] 以外的尾部后，实际标准差更小。",
                f"std={fmt(std)} is the parameter of the normal before truncation; cutting the tails outside "
                "[a, b] makes the actual std smaller.",
            ),
        ),
        Misconception(
            "uniform-on-a-b",
            (b - a) / math.sqrt(12.0),
            BiText(
                "这是 [a, b] 上均匀分布的标准差 (b − a)/√12；截断正态仍是钟形，只是去掉了尾部。",
                "That is the std of a uniform on [a, b], (b − a)/√12; a truncated normal stays bell-shaped, only "
                "its tails are gone.",
            ),
        ),
        Misconception(
            "dropped-mean-shift-term",
            trunc_std(mean, std, a, b, drop_centre=True),
            BiText(
                "漏了 −((φ(α) − φ(β))/Z)² 这一项（截断后均值的移动）；对称截断时它为 0，不对称时不能省。",
                "You left out −((φ(α) − φ(β))/Z)², the shift of the mean; it vanishes only for a symmetric cut.",
            ),
        ),
    ]


def hints(mean: float, std: float, a: float, b: float) -> list[BiText]:
    t = terms(mean, std, a, b)
    return [
        BiText(
            "截断正态的方差：Var = std²·[1 + (α·φ(α) − β·φ(β))/Z − ((φ(α) − φ(β))/Z)²]，"
            "α、β 是标准化后的截断点，Z = Φ(β) − Φ(α)。",
            "A truncated normal's variance: Var = std²·[1 + (α·φ(α) − β·φ(β))/Z − ((φ(α) − φ(β))/Z)²], with α, β "
            "the standardised cut-offs and Z = Φ(β) − Φ(α).",
        ),
        BiText(
            f"α = ({fmt(a)} − {fmt_factor(mean)})/{fmt(std)} = {fmt(t['alpha'])}，β = {fmt(t['beta'])}，Z = {fmt(t['z'])}",
            f"α = ({fmt(a)} − {fmt_factor(mean)})/{fmt(std)} = {fmt(t['alpha'])}, β = {fmt(t['beta'])}, "
            f"Z = {fmt(t['z'])}",
        ),
    ]


def torch_std(mean: float, std: float, a: float, b: float) -> float:
    """The std of what torch's own trunc_normal_ draws: SAMPLES values from a seeded generator, in chunks.

    torch (2.13) samples by rejection (redrawing values outside [a, b]), so no draw can be swapped for a quantile
    grid: the check is statistical. A truncated normal has kurtosis κ ≤ 3, so the sample std's relative standard
    error is at most √((κ − 1)/(4n)) = √(2/(4·2²¹)) ≈ 4.9e-4; ``AGREE_REL`` = 3e-3 is about 6 standard errors, and
    the fixed seed makes each instance's check reproducible. (2²⁴ draws would allow 1e-3 but take ~10 s on a busy
    machine; rejection sampling redraws the whole tensor several times.)
    """
    import torch

    generator = torch.Generator().manual_seed(0)
    count, total, squares = 0, 0.0, 0.0
    chunk = torch.empty(SAMPLES // CHUNKS, dtype=torch.float64)
    for _ in range(CHUNKS):
        torch.nn.init.trunc_normal_(chunk, mean=mean, std=std, a=a, b=b, generator=generator)
        centred = chunk - mean  # centring on a known value keeps the sums well conditioned
        count += chunk.numel()
        total += float(centred.sum())
        squares += float((centred * centred).sum())
    spread = squares / count - (total / count) ** 2
    return math.sqrt(max(spread, 0.0))
