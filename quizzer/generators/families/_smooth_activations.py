"""ELU, SiLU, Softplus and tanh-GELU for activation-derivative: closed forms, worked steps, mistakes, hints.

Kept apart from the family module so that each stays readable; the leading underscore keeps the registry from
importing it as a family of its own.
"""

from __future__ import annotations

import math

from quizzer.generators.base import Misconception, fmt, fmt_factor
from quizzer.text import BiText

SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
GELU_CUBIC = 0.044715  # the constant of Hendrycks & Gimpel's tanh approximation, as torch uses it


def sigmoid(x: float) -> float:
    # Written for both signs so that a large |x| never overflows exp().
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def phi_cdf(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def phi_pdf(x: float) -> float:
    return math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)


def elu(x: float, alpha: float) -> float:
    return x if x > 0 else alpha * math.expm1(x)


def elu_derivative(x: float, alpha: float) -> float:
    # torch's elu_backward takes the x ≤ 0 branch at 0: the left slope alpha·e⁰ = alpha.
    return 1.0 if x > 0 else alpha * math.exp(x)


def silu_derivative(x: float) -> float:
    s = sigmoid(x)
    return s * (1.0 + x * (1.0 - s))


def softplus(x: float, beta: float, threshold: float) -> float:
    if beta * x > threshold:
        return x
    return math.log1p(math.exp(beta * x)) / beta


def softplus_derivative(x: float, beta: float, threshold: float) -> float:
    # torch: strictly above the threshold the function *is* x (slope 1); at or below it, σ(βx).
    return 1.0 if beta * x > threshold else sigmoid(beta * x)


def gelu_tanh_inner(x: float) -> float:
    return SQRT_2_OVER_PI * (x + GELU_CUBIC * x**3)


def gelu_tanh_derivative(x: float, *, cubic_term: bool = True) -> float:
    """d/dx ½x(1 + tanh u), u = √(2/π)(x + 0.044715x³); ``cubic_term=False`` is the mistake of du/dx = √(2/π)."""
    t = math.tanh(gelu_tanh_inner(x))
    du = SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_CUBIC * x * x * cubic_term)
    return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * du


def same(text: str) -> BiText:
    return BiText(text, text)


# --- worked solutions -------------------------------------------------------------------------------------------


def elu_solution(x: float, alpha: float, answer: float) -> BiText:
    a = fmt(alpha)
    rule = f"ELU(x) = x (x > 0), {a}·(eˣ − 1) (x ≤ 0)  ⇒  ELU'(x) = 1 (x > 0), {a}·eˣ (x ≤ 0)"
    if x > 0:
        return BiText(
            f"{rule}\n  x = {fmt(x)} > 0：线性段，ELU'({fmt(x)}) = {fmt(answer)}",
            f"{rule}\n  x = {fmt(x)} > 0: the linear piece, ELU'({fmt(x)}) = {fmt(answer)}",
        )
    step = f"ELU'({fmt(x)}) = {a} × e^({fmt(x)}) = {a} × {fmt(math.exp(x))} = {fmt(answer)}"
    if x < 0:
        return BiText(f"{rule}\n  x = {fmt(x)} < 0：{step}", f"{rule}\n  x = {fmt(x)} < 0: {step}")
    if alpha == 1:
        return BiText(
            f"{rule}\n  x = 0：左右斜率都是 1（alpha = 1 时 ELU 在 0 处光滑可导），{step}",
            f"{rule}\n  x = 0: both one-sided slopes are 1 (with alpha = 1 ELU is smooth at 0), {step}",
        )
    return BiText(
        f"{rule}\n  x = 0：左斜率 {a}、右斜率 1 不相等，数学上导数不存在；PyTorch 的 elu 反向在 x ≤ 0 一侧取值，"
        f"即 alpha·e⁰ = {a}：{step}",
        f"{rule}\n  x = 0: the left slope {a} and the right slope 1 differ, so mathematically there is no derivative; "
        f"torch's elu backward uses its x ≤ 0 branch, alpha·e⁰ = {a}: {step}",
    )


def silu_solution(x: float, answer: float) -> BiText:
    s = sigmoid(x)
    lines = [
        "SiLU(x) = x·σ(x)  ⇒  SiLU'(x) = σ(x) + x·σ(x)(1 − σ(x)) = σ(x)·(1 + x·(1 − σ(x)))",
        f"σ({fmt(x)}) = {fmt(s)}",
        f"SiLU'({fmt(x)}) = {fmt(s)} × (1 + {fmt_factor(x)} × (1 − {fmt(s)})) = {fmt(answer)}",
    ]
    return same("\n  ".join(lines))


def softplus_solution(x: float, beta: float, threshold: float, answer: float) -> BiText:
    b, bx = fmt(beta), beta * x
    rule = f"Softplus(x) = (1/β)·ln(1 + e^(βx)), β = {b}  ⇒  d/dx = σ(βx)"
    if bx > threshold:
        return BiText(
            f"{rule}\n  但 PyTorch 在 β·x > threshold 时直接返回 x（线性段，避免 e^(βx) 溢出）：β·x = {fmt(bx)} > "
            f"threshold = {fmt(threshold)}，所以 f'({fmt(x)}) = {fmt(answer)}。"
            f"\n  （平滑公式会给 σ({fmt(bx)}) = {fmt(sigmoid(bx))}，两者相差约 e^(−βx)。）",
            f"{rule}\n  But torch returns x itself once β·x > threshold (the linear piece, which keeps e^(βx) from "
            f"overflowing): β·x = {fmt(bx)} > threshold = {fmt(threshold)}, so f'({fmt(x)}) = {fmt(answer)}."
            f"\n  (The smooth formula would give σ({fmt(bx)}) = {fmt(sigmoid(bx))}; they differ by about e^(−βx).)",
        )
    step = f"σ(βx) = σ({b} × {fmt_factor(x)}) = σ({fmt(bx)}) = 1 / (1 + e^(−({fmt(bx)}))) = {fmt(answer)}"
    return BiText(
        f"{rule}（1/β 与链式法则里的 β 相消）\n  β·x = {fmt(bx)} ≤ threshold = {fmt(threshold)}，仍在平滑段：\n  {step}",
        f"{rule} (the 1/β cancels the chain rule's β)\n  β·x = {fmt(bx)} ≤ threshold = {fmt(threshold)}, "
        f"still the smooth piece:\n  {step}",
    )


def gelu_tanh_solution(x: float, answer: float) -> BiText:
    u = gelu_tanh_inner(x)
    t = math.tanh(u)
    du = SQRT_2_OVER_PI * (1 + 3 * GELU_CUBIC * x * x)
    lines = [
        "GELU_tanh(x) = ½·x·(1 + tanh u), u = √(2/π)·(x + 0.044715·x³)",
        "GELU_tanh'(x) = ½(1 + tanh u) + ½·x·(1 − tanh² u)·du/dx, du/dx = √(2/π)·(1 + 3·0.044715·x²)",
        f"u = {fmt(SQRT_2_OVER_PI)} × ({fmt(x)} + 0.044715 × {fmt_factor(x)}³) = {fmt(u)}, tanh u = {fmt(t)}",
        f"du/dx = {fmt(SQRT_2_OVER_PI)} × (1 + 0.134145 × {fmt_factor(x)}²) = {fmt(du)}",
        f"GELU_tanh'({fmt(x)}) = ½(1 + {fmt_factor(t)}) + ½ × {fmt_factor(x)} × (1 − {fmt_factor(t)}²) × {fmt(du)} "
        f"= {fmt(answer)}",
    ]
    return same("\n  ".join(lines))


# --- typical mistakes -------------------------------------------------------------------------------------------


def elu_mistakes(x: float, alpha: float) -> list[Misconception]:
    value = Misconception(
        "returned-elu-value",
        elu(x, alpha),
        BiText("这是函数值 ELU(x)，不是导数。", "That is the value ELU(x), not its derivative."),
    )
    if x > 0:
        return [
            value,
            Misconception(
                "exp-branch-on-positive-side",
                alpha * math.exp(x),
                BiText(
                    "alpha·eˣ 只用于 x ≤ 0；x > 0 时 ELU 是恒等函数，斜率为 1。",
                    "alpha·eˣ applies only for x ≤ 0; for x > 0 ELU is the identity, slope 1.",
                ),
            ),
        ]
    return [
        value,
        Misconception(
            "forgot-exp-factor",
            alpha,
            BiText(
                "负半轴的导数是 alpha·eˣ，不是常数 alpha（那只是 x = 0 处的值）。",
                "On the negative side the derivative is alpha·eˣ, not the constant alpha (its value at 0 only).",
            ),
        ),
        Misconception(
            "relu-slope",
            0.0,
            BiText(
                "当成了 ReLU：ELU 在负半轴是 alpha·(eˣ − 1)，斜率 alpha·eˣ 不为 0。",
                "You treated it as ReLU: on the negative side ELU is alpha·(eˣ − 1), whose slope alpha·eˣ is not 0.",
            ),
        ),
    ]


def silu_mistakes(x: float) -> list[Misconception]:
    s = sigmoid(x)
    return [
        Misconception(
            "forgot-product-rule",
            s,
            BiText(
                "只写了 σ(x)：SiLU(x) = x·σ(x) 要用乘积法则，还要加 x·σ(x)(1 − σ(x))。",
                "You wrote only σ(x): SiLU(x) = x·σ(x) needs the product rule, adding x·σ(x)(1 − σ(x)).",
            ),
        ),
        Misconception(
            "returned-silu-value",
            x * s,
            BiText(
                "这是函数值 SiLU(x) = x·σ(x)，不是导数。", "That is the value SiLU(x) = x·σ(x), not its derivative."
            ),
        ),
        Misconception(
            "used-sigmoid-derivative",
            s * (1 - s),
            BiText(
                "这是 σ'(x) = σ(1 − σ)；SiLU 是 x·σ(x)，导数为 σ(x)·(1 + x·(1 − σ(x)))。",
                "That is σ'(x) = σ(1 − σ); SiLU is x·σ(x), whose derivative is σ(x)·(1 + x·(1 − σ(x))).",
            ),
        ),
    ]


def softplus_mistakes(x: float, beta: float, threshold: float) -> list[Misconception]:
    bx = beta * x
    ms = [
        Misconception(
            "returned-softplus-value",
            softplus(x, beta, threshold),
            BiText("这是函数值 Softplus(x)，不是导数。", "That is the value Softplus(x), not its derivative."),
        ),
        Misconception(
            "kept-chain-rule-beta",
            beta * softplus_derivative(x, beta, threshold),
            BiText(
                "链式法则带出的 β 和前面的 1/β 相消，导数是 σ(βx)，不是 β·σ(βx)。",
                "The chain rule's β cancels the leading 1/β: the derivative is σ(βx), not β·σ(βx).",
            ),
        ),
    ]
    if bx <= threshold:
        ms.append(
            Misconception(
                "forgot-beta",
                sigmoid(x),
                BiText(
                    f"忘了 β：导数是 σ(βx) = σ({fmt(bx)})，不是 σ(x)。",
                    f"You forgot β: the derivative is σ(βx) = σ({fmt(bx)}), not σ(x).",
                ),
            )
        )
        ms.append(
            Misconception(
                "used-sigmoid-derivative",
                sigmoid(bx) * (1 - sigmoid(bx)),
                BiText(
                    "Softplus 的导数是 σ(βx) 本身；σ(1 − σ) 是 Softplus 的二阶导（sigmoid 的导数）。",
                    "Softplus' derivative is σ(βx) itself; σ(1 − σ) is its second derivative (the sigmoid's slope).",
                ),
            )
        )
    else:
        ms.append(
            Misconception(
                "ignored-threshold",
                sigmoid(bx),
                BiText(
                    f"β·x = {fmt(bx)} 超过了 threshold = {fmt(threshold)}：PyTorch 在这里直接返回 x，导数恰为 1，"
                    "不再是 σ(βx)。",
                    f"β·x = {fmt(bx)} is above threshold = {fmt(threshold)}: torch returns x itself there, so the "
                    "slope is exactly 1, no longer σ(βx).",
                ),
            )
        )
    return ms


def gelu_tanh_mistakes(x: float) -> list[Misconception]:
    t = math.tanh(gelu_tanh_inner(x))
    return [
        Misconception(
            "used-exact-gelu",
            phi_cdf(x) + x * phi_pdf(x),
            BiText(
                "这是精确（erf）GELU 的导数 Φ(x) + x·φ(x)；approximate='tanh' 要对 tanh 近似式求导。",
                "That is the exact (erf) GELU's derivative Φ(x) + x·φ(x); approximate='tanh' differentiates the tanh "
                "formula.",
            ),
        ),
        Misconception(
            "forgot-product-rule",
            0.5 * (1 + t),
            BiText(
                "只写了 ½(1 + tanh u)：还要加 ½·x·(1 − tanh² u)·du/dx（乘积法则）。",
                "You wrote only ½(1 + tanh u): add ½·x·(1 − tanh² u)·du/dx (the product rule).",
            ),
        ),
        Misconception(
            "forgot-cubic-derivative",
            gelu_tanh_derivative(x, cubic_term=False),
            BiText(
                "du/dx = √(2/π)·(1 + 3·0.044715·x²)：你漏了三次项的导数。",
                "du/dx = √(2/π)·(1 + 3·0.044715·x²): you left out the cubic term's derivative.",
            ),
        ),
        Misconception(
            "returned-gelu-value",
            0.5 * x * (1 + t),
            BiText("这是函数值 GELU(x)，不是导数。", "That is the value GELU(x), not its derivative."),
        ),
    ]


# --- hints --------------------------------------------------------------------------------------------------------


def elu_hints(x: float, alpha: float) -> list[BiText]:
    side = (
        BiText(f"x = {fmt(x)} > 0：用 x > 0 一侧。", f"x = {fmt(x)} > 0: use the x > 0 piece.")
        if x > 0
        else BiText(
            f"x = {fmt(x)} ≤ 0：算 alpha·e^x = {fmt(alpha)} × e^({fmt(x)})。",
            f"x = {fmt(x)} ≤ 0: compute alpha·e^x = {fmt(alpha)} × e^({fmt(x)}).",
        )
    )
    return [
        BiText(
            "ELU 在 x > 0 时是 x（斜率 1），x ≤ 0 时是 alpha·(eˣ − 1)（斜率 alpha·eˣ）。",
            "ELU is x for x > 0 (slope 1) and alpha·(eˣ − 1) for x ≤ 0 (slope alpha·eˣ).",
        ),
        side,
    ]


def silu_hints(x: float) -> list[BiText]:
    s = sigmoid(x)
    return [
        BiText(
            "SiLU(x) = x·σ(x)：按乘积法则，导数是 σ(x) + x·σ'(x)，σ' = σ(1 − σ)。",
            "SiLU(x) = x·σ(x): by the product rule its derivative is σ(x) + x·σ'(x), with σ' = σ(1 − σ).",
        ),
        same(f"σ({fmt(x)}) = {fmt(s)}"),
        same(f"SiLU'({fmt(x)}) = {fmt(s)} × (1 + {fmt_factor(x)} × (1 − {fmt(s)})) = ?"),
    ]


def softplus_hints(x: float, beta: float, threshold: float) -> list[BiText]:
    bx = beta * x
    return [
        BiText(
            "Softplus(x) = (1/β)·ln(1 + e^(βx)) 的导数是 σ(βx)；但 PyTorch 在 β·x > threshold 时把它换成 x 本身。",
            "Softplus(x) = (1/β)·ln(1 + e^(βx)) has derivative σ(βx); but torch replaces it by x itself once "
            "β·x > threshold.",
        ),
        same(f"β·x = {fmt(beta)} × {fmt_factor(x)} = {fmt(bx)}, threshold = {fmt(threshold)}"),
    ]


def gelu_tanh_hints(x: float) -> list[BiText]:
    u = gelu_tanh_inner(x)
    return [
        BiText(
            "tanh 近似：GELU(x) = ½·x·(1 + tanh u)，u = √(2/π)(x + 0.044715x³)；用乘积法则和链式法则求导。",
            "tanh approximation: GELU(x) = ½·x·(1 + tanh u), u = √(2/π)(x + 0.044715x³); differentiate with the "
            "product and chain rules.",
        ),
        same(f"u = √(2/π) × ({fmt(x)} + 0.044715 × {fmt_factor(x)}³) = {fmt(u)}, tanh u = {fmt(math.tanh(u))}"),
        same(
            f"du/dx = {fmt(SQRT_2_OVER_PI * (1 + 3 * GELU_CUBIC * x * x))}; "
            f"GELU_tanh'({fmt(x)}) = ½(1 + tanh u) + ½·x·(1 − tanh² u)·du/dx = ?"
        ),
    ]
