"""The words of adaptive-optimizer: the update rule, each worked step, the concept hint and the typical mistakes.

Kept apart from the family (``families/adaptive_optimizer.py``, which holds the params and the update
rules themselves) because every option torch offers (weight decay coupled or decoupled, amsgrad,
centered, momentum) adds its own line to the rule and its own mistakes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from quizzer.generators.base import Misconception, fmt, fmt_factor, given
from quizzer.text import BiText

if TYPE_CHECKING:
    from quizzer.generators.families.adaptive_optimizer import AdaptiveParams


def same(text: str) -> BiText:
    return BiText(text, text)


def rule_line(p: AdaptiveParams) -> BiText:
    """The update rule with this problem's constants, as the first line of the solution."""
    wd = given(p.weight_decay) if p.optimizer != "adagrad" else 0.0
    pre = ""
    if wd and p.optimizer == "adamw":
        pre = f"p ← p·(1 − lr·wd) = p·{fmt(1 - given(p.lr) * wd)} (decoupled, first);  "
    elif wd:
        pre = f"g ← g + wd·p (wd = {fmt(wd)}, L2, first);  "
    if p.optimizer == "adagrad":
        rule = "G ← G + g²;  p ← p − lr·g/(√G + eps)"
    elif p.optimizer == "rmsprop":
        second = "v − ḡ², ḡ ← α·ḡ + (1 − α)·g (centered)" if p.centered else "v"
        upd = "buf ← μ·buf + g/(√s + eps), p ← p − lr·buf" if p.momentum else "p ← p − lr·g/(√s + eps)"
        rule = f"v ← α·v + (1 − α)·g² (α = {fmt(given(p.alpha))});  s = {second};  {upd}"
        if p.momentum:
            rule += f" (μ = {fmt(given(p.momentum))})"
    else:
        b1, b2 = given(p.betas)
        v_used = "v_max = max(v_max, v) (amsgrad); v̂ = v_max/(1 − β₂^t)" if p.amsgrad else "v̂ = v/(1 − β₂^t)"
        rule = (
            f"m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;  m̂ = m/(1 − β₁^t);  {v_used};  "
            f"p ← p − lr·m̂/(√v̂ + eps)  (β₁ = {fmt(b1)}, β₂ = {fmt(b2)})"
        )
    return BiText(f"从 0 开始的状态，每一步：{pre}{rule}", f"State starts at 0; each step: {pre}{rule}")


def step_lines(p: AdaptiveParams) -> list[BiText]:
    """One line per step, with the numbers substituted."""
    from quizzer.generators.families.adaptive_optimizer import run

    _, trace = run(p)
    eps, lr, wd = fmt(given(p.eps)), fmt(given(p.lr)), (p.weight_decay or 0.0)
    lines, x, buf = [], p.p0, 0.0
    for t, s in enumerate(trace, start=1):
        parts = []
        if "decayed" in s:
            parts.append(f"p·(1 − {lr}·{fmt(wd)}) = {fmt(x)}·{fmt(1 - given(p.lr) * wd)} = {fmt(s['decayed'])}")
            x = s["decayed"]
        elif wd and p.optimizer != "adagrad":
            parts.append(f"g = {fmt(s['g'])} + {fmt(wd)}·{fmt_factor(x)} = {fmt(s['d'])}")
        g = fmt_factor(s["d"])
        if p.optimizer == "adagrad":
            parts.append(f"G = {fmt(s['G'])}; p = {fmt(x)} − {lr}·{g}/(√{fmt(s['G'])} + {eps}) = {fmt(s['p'])}")
        elif p.optimizer == "rmsprop":
            parts.append(f"v = {fmt(s['v'])}")
            if p.centered:
                parts.append(f"ḡ = {fmt(s['g_avg'])}, s = v − ḡ² = {fmt(s['second'])}")
            if p.momentum:
                parts.append(
                    f"buf = {fmt(given(p.momentum))}·{fmt_factor(buf)} + {g}/(√{fmt(s['second'])} + {eps}) = "
                    f"{fmt(s['buf'])}; p = {fmt(x)} − {lr}·{fmt_factor(s['buf'])} = {fmt(s['p'])}"
                )
                buf = s["buf"]
            else:
                parts.append(f"p = {fmt(x)} − {lr}·{g}/(√{fmt(s['second'])} + {eps}) = {fmt(s['p'])}")
        else:
            ams = f", v_max = {fmt(s['v_max'])}" if p.amsgrad else ""
            parts.append(
                f"m = {fmt(s['m'])}, v = {fmt(s['v'])}{ams}; m̂ = {fmt(s['m_hat'])}, v̂ = {fmt(s['v_hat'])}; "
                f"p = {fmt(x)} − {lr}·{fmt_factor(s['m_hat'])}/(√{fmt(s['v_hat'])} + {eps}) = {fmt(s['p'])}"
            )
        lines.append(same(f"t={t} (g = {fmt(s['g'])}): " + "; ".join(parts)))
        x = s["p"]
    return lines


def concept(p: AdaptiveParams) -> BiText:
    """The first hint: the optimizer in words, no number of this problem."""
    base = {
        "adagrad": BiText(
            "Adagrad 把历次梯度的平方累加到 G 里，每一步除以 √G + eps：G 越大，步子越小。",
            "Adagrad adds every squared gradient into G and divides each step by √G + eps: "
            "the larger G grows, the smaller the steps.",
        ),
        "rmsprop": BiText(
            "RMSprop 用 g² 的指数滑动平均 v（旧值的权重为 α）代替累加，每一步除以 √v + eps。",
            "RMSprop keeps an exponential moving average v of g² (weight α on the old value) instead "
            "of a sum, and divides each step by √v + eps.",
        ),
        "adam": BiText(
            "Adam 同时维护 g 的滑动平均 m 和 g² 的滑动平均 v，各自除以 (1 − β^t) 做偏差修正，"
            "再按 lr·m̂/(√v̂ + eps) 更新。",
            "Adam keeps moving averages m of g and v of g², divides each by (1 − β^t) to correct "
            "their bias, then steps by lr·m̂/(√v̂ + eps).",
        ),
    }[p.optimizer if p.optimizer != "adamw" else "adam"]
    if p.optimizer == "adamw":
        base += BiText(
            "AdamW 的 weight decay 是解耦的：每步先 p ← p·(1 − lr·wd)，不进入 m、v。",
            " AdamW decouples weight decay: each step first sets p ← p·(1 − lr·wd), outside m and v.",
        )
    elif p.optimizer != "adagrad" and p.weight_decay:
        base += BiText(
            "weight_decay 在这里是 L2：先 g ← g + wd·p，它随梯度进入各个滑动平均。",
            " weight_decay here is L2: first g ← g + wd·p, which then enters the moving averages with g.",
        )
    return base


def optimizer_mistakes(p: AdaptiveParams, final: Callable[..., float]) -> list[Misconception]:
    """The usual mistakes; ``final(**switches)`` is p after the run with that mistake made."""
    out: list[Misconception] = []

    def add(tag: str, zh: str, en: str, **switches: Any) -> None:
        out.append(Misconception(tag, final(**switches), BiText(zh, en)))

    adam_like = p.optimizer in ("adam", "adamw")
    if adam_like:
        add(
            "no-bias-correction",
            "漏了偏差修正：前几步 m、v 从 0 起步偏小，要除以 1 − β₁^t、1 − β₂^t。",
            "You skipped bias correction: m and v start at 0 and are too small early on; divide by 1 − β₁^t and 1 − β₂^t.",
            bias_correction=False,
        )
    if p.optimizer == "adam" and p.weight_decay:
        add(
            "decoupled-in-adam",
            "Adam 的 weight_decay 是 L2：g ← g + wd·p 进入 m、v；你用了 AdamW 的解耦衰减 p ← p·(1 − lr·wd)。",
            "Adam's weight_decay is L2, g ← g + wd·p entering m and v; you applied AdamW's decoupled p ← p·(1 − lr·wd).",
            decay="decoupled",
        )
    if p.optimizer == "adamw" and p.weight_decay:
        add(
            "l2-in-adamw",
            "AdamW 的衰减是解耦的：p ← p·(1 − lr·wd)，不加进梯度；你按 Adam 的 L2（g + wd·p）算了。",
            "AdamW decays decoupled, p ← p·(1 − lr·wd), not through the gradient; you used Adam's L2 (g + wd·p).",
            decay="l2",
        )
        add(
            "decay-without-lr",
            "AdamW 的解耦衰减也乘 lr：p ← p·(1 − lr·wd)，不是 p·(1 − wd)。",
            "AdamW's decoupled decay is scaled by lr too: p ← p·(1 − lr·wd), not p·(1 − wd).",
            decay="no-lr",
        )
    if p.optimizer != "adagrad" and p.weight_decay:
        add(
            "forgot-weight-decay",
            "漏了 weight_decay。",
            "You left out weight_decay.",
            decay="none",
        )
    if adam_like and p.amsgrad:
        add(
            "ignored-amsgrad",
            "amsgrad=True 时分母用历史最大的 v（v_max），不是当前的 v。",
            "With amsgrad=True the denominator uses the largest v so far (v_max), not the current v.",
            amsgrad=False,
        )
    if p.optimizer == "rmsprop":
        add(
            "alpha-on-gradient",
            "α 是旧均值的权重：v ← α·v + (1 − α)·g²，你把 α 乘在了 g² 上。",
            "α weights the old average: v ← α·v + (1 − α)·g²; you put α on g².",
            swap_alpha=True,
        )
        if p.centered:
            add(
                "not-centered",
                "centered=True 时分母用 v − ḡ²（减去梯度均值的平方），估计的是方差。",
                "With centered=True the denominator uses v − ḡ² (minus the squared mean gradient): a variance.",
                centered=False,
            )
        if p.momentum:
            add(
                "ignored-momentum",
                "momentum > 0 时 RMSprop 把缩放后的步长累积进 buf，再按 lr·buf 更新。",
                "With momentum > 0 RMSprop accumulates the scaled step in buf and moves by lr·buf.",
                momentum=0.0,
            )
    if p.optimizer == "adagrad":
        add(
            "no-accumulation",
            "Adagrad 累加历史上所有梯度的平方 G = Σg²，你只用了当前梯度的平方。",
            "Adagrad accumulates every past squared gradient, G = Σg²; you used only the current one.",
            no_accumulation=True,
        )
    add(
        "no-sqrt",
        "分母要开平方根：除以 √(二阶量) + eps，而不是二阶量本身。",
        "The denominator takes a square root: divide by √(second moment) + eps, not by the second moment itself.",
        no_sqrt=True,
    )
    add(
        "eps-inside-sqrt",
        "PyTorch 把 eps 加在平方根外面：√v + eps，而不是 √(v + eps)。",
        "PyTorch adds eps outside the square root: √v + eps, not √(v + eps).",
        eps_inside=True,
    )
    return out
