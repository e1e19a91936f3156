"""A parameter after a few steps of torch.optim.SGD with momentum, dampening, Nesterov and weight decay."""

from __future__ import annotations

import random
from typing import Any

from pydantic import Field, model_validator

from quizzer.generators.base import AnswerSpec, Family, Misconception, Params, fmt, fmt_factor
from quizzer.generators.folding import fold_list, fold_steps
from quizzer.generators.registry import register
from quizzer.text import BiText

# Gradients per problem: bounded by the time torch takes to check them (about 30 µs a step), not by the maths.
MAX_GRADS = 100_000


class SgdMomentumParams(Params):
    lr: float = Field(default=0.001, gt=0, le=10, description="learning rate", json_schema_extra={"zh": "学习率"})
    momentum: float = Field(
        default=0.0,
        ge=0,
        lt=1,
        description="momentum factor μ of the buffer",
        json_schema_extra={"zh": "动量缓冲的动量因子 μ"},
    )
    dampening: float = Field(
        default=0.0,
        ge=0,
        le=1,
        description="the gradient enters the momentum buffer times 1 − dampening",
        json_schema_extra={"zh": "梯度乘以 1 − dampening 后加入动量缓冲"},
    )
    nesterov: bool = Field(
        default=False,
        description="Nesterov momentum: step by g + μ·buf instead of buf",
        json_schema_extra={"zh": "Nesterov 动量：按 g + μ·buf 而不是 buf 更新"},
    )
    weight_decay: float = Field(
        default=0.0,
        ge=0,
        le=1,
        description="L2 penalty added to the gradient: g + wd·p",
        json_schema_extra={"zh": "加到梯度上的 L2 惩罚：g + wd·p"},
    )
    p0: float = Field(
        ge=-1e6, le=1e6, description="the parameter's starting value", json_schema_extra={"zh": "参数的初始值"}
    )
    grads: list[float] = Field(
        min_length=1,
        max_length=MAX_GRADS,
        description="the gradient at each step, comma-separated, one step per value",
        json_schema_extra={"zh": "每一步的梯度，逗号分隔，一个值一步"},
    )

    @model_validator(mode="after")
    def _well_posed(self) -> SgdMomentumParams:
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError("nesterov=true needs momentum > 0 and dampening = 0 (torch's rule)")
        if any(abs(g) > 1e6 for g in self.grads):
            raise ValueError("gradients must be within ±1e6")
        return self


def run_sgd(
    p: SgdMomentumParams,
    *,
    momentum: float | None = None,
    nesterov: bool | None = None,
    dampening: float | None = None,
    weight_decay: float | None = None,
    damp_first: bool = False,
    ema: bool = False,
    decoupled: bool = False,
) -> tuple[float, list[tuple[float, float, float, float]]]:
    """PyTorch's SGD update; the keyword switches reproduce the usual mistakes.

    Returns the final parameter and, per step, (d, buf, step taken, p after the step).
    """
    mu = p.momentum if momentum is None else momentum
    nest = p.nesterov if nesterov is None else nesterov
    tau = p.dampening if dampening is None else dampening
    wd = p.weight_decay if weight_decay is None else weight_decay
    x, buf, trace = p.p0, None, []
    for g in p.grads:
        d = g if decoupled else g + wd * x
        step = d
        if mu:
            if ema:  # Andrew Ng's convention v ← βv + (1−β)g, starting from v = 0
                buf = mu * (buf or 0.0) + (1 - mu) * d
            elif buf is None:
                buf = (1 - tau) * d if damp_first else d  # torch: the first buffer is the raw gradient, undamped
            else:
                buf = mu * buf + (1 - tau) * d
            step = d + mu * buf if nest else buf
        x = x - p.lr * step - (p.lr * wd * x if decoupled else 0.0)
        trace.append((d, buf if buf is not None else 0.0, step, x))
    return x, trace


@register
class SgdMomentum(Family[SgdMomentumParams]):
    name = "sgd-momentum"
    topic = "momentum"
    title = BiText("带动量的 SGD：k 步后的参数值", "SGD with momentum: the parameter after k steps")
    answer_spec = AnswerSpec(kind="float", rel_tol=1e-3, abs_tol=1e-4)
    params_model = SgdMomentumParams

    def sample(self, rng: random.Random, difficulty: int) -> SgdMomentumParams:
        k = rng.randint(2, 3) if difficulty == 1 else rng.randint(2, 5)
        if difficulty == 1:
            grads = [float(rng.choice([-2, -1, 1, 2, 3, 4])) for _ in range(k)]
            values: dict[str, Any] = dict(
                lr=rng.choice([0.1, 0.5, 0.2]), momentum=rng.choice([0.9, 0.5]), p0=float(rng.randint(-3, 3))
            )
        else:
            grads = [round(rng.uniform(-3, 3), 1) or 0.5 for _ in range(k)]
            values = dict(
                lr=rng.choice([0.1, 0.05, 0.2, 0.01]),
                momentum=rng.choice([0.9, 0.8, 0.5, 0.99]),
                p0=round(rng.uniform(-2, 2), 1),
            )
            if rng.random() < 0.5:
                values["nesterov"] = True
            else:
                values["dampening"] = rng.choice([0.1, 0.5, 0.9]) if rng.random() < 0.7 else 0.0
            if difficulty == 3:
                values["weight_decay"] = rng.choice([0.1, 0.05, 0.5])
                values["p0"] = round(rng.uniform(1, 5), 1) * rng.choice([-1, 1])
        return SgdMomentumParams(grads=grads, **values)

    def solve(self, p: SgdMomentumParams) -> float:
        return float(run_sgd(p)[0])

    def verify(self, p: SgdMomentumParams) -> float:
        import torch

        w = torch.tensor([p.p0], dtype=torch.float64, requires_grad=True)
        opt = torch.optim.SGD(
            [w],
            lr=p.lr,
            momentum=p.momentum,
            dampening=p.dampening,
            nesterov=p.nesterov,
            weight_decay=p.weight_decay,
            foreach=False,  # the single-tensor path: for one scalar over twice as fast over thousands of steps
        )
        w.grad = torch.zeros(1, dtype=torch.float64)
        for g in p.grads:
            w.grad.fill_(g)  # the gradient is given, not computed from a loss
            opt.step()
        return float(w.item())

    def _config(self, p: SgdMomentumParams) -> str:
        return (
            f"lr={fmt(p.lr)}, momentum={fmt(p.momentum)}, dampening={fmt(p.dampening)}, "
            f"nesterov={p.nesterov}, weight_decay={fmt(p.weight_decay)}"
        )

    def prompt(self, p: SgdMomentumParams) -> BiText:
        k = len(p.grads)
        return BiText(
            f"标量参数 p 初值 p₀ = {fmt(p.p0)}，用 torch.optim.SGD({self._config(p)}) 更新 {k} 步。每一步的梯度（损失对 p 的梯度，"
            f"不含 weight decay）依次为 {fold_list(p.grads).zh}。{k} 步之后 p 的值是多少？",
            f"A scalar parameter p starts at p₀ = {fmt(p.p0)} and is updated for {k} steps by torch.optim.SGD({self._config(p)}). "
            f"The gradients of the loss w.r.t. p at the successive steps (before weight decay) are {fold_list(p.grads).en}. "
            f"What is p after the {k} steps?",
        )

    def solution(self, p: SgdMomentumParams) -> BiText:
        _, trace = run_sgd(p)
        mu, wd = fmt(p.momentum), p.weight_decay
        d_rule = "d = g + weight_decay·p" if wd else "d = g"
        if not p.momentum:
            head = BiText(
                f"PyTorch 的 SGD（无动量）每一步：{d_rule}，p ← p − lr·d",
                f"Each step of PyTorch's SGD (no momentum): {d_rule}, p ← p − lr·d",
            )
        else:
            upd = "p ← p − lr·(d + μ·buf)" if p.nesterov else "p ← p − lr·buf"
            head = BiText(
                f"PyTorch 的 SGD 每一步：{d_rule}；第 1 步 buf = d（不乘 1 − dampening），之后 "
                f"buf = μ·buf + (1 − dampening)·d；{upd}" + ("（Nesterov）" if p.nesterov else ""),
                f"Each step of PyTorch's SGD: {d_rule}; at step 1 buf = d (no 1 − dampening), afterwards "
                f"buf = μ·buf + (1 − dampening)·d; {upd}" + (" (Nesterov)" if p.nesterov else ""),
            )
        lines, x = [], p.p0
        for i, (g, (d, buf, step, new)) in enumerate(zip(p.grads, trace, strict=False), start=1):
            parts = [f"d = {fmt(g)} + {fmt(wd)}·{fmt_factor(x)} = {fmt(d)}" if wd else f"d = {fmt(d)}"]
            if p.momentum:
                parts.append(
                    f"buf = {fmt(buf)}"
                    if i == 1
                    else f"buf = {mu}·{fmt_factor(trace[i - 2][1])} + {fmt(1 - p.dampening)}·{fmt_factor(d)} = {fmt(buf)}"
                )
            if p.nesterov:
                parts.append(
                    f"p = {fmt(x)} − {fmt(p.lr)}·({fmt(d)} + {mu}·{fmt_factor(buf)}) = {fmt(x)} − {fmt(p.lr)}·{fmt_factor(step)} = {fmt(new)}"
                )
            else:
                parts.append(f"p = {fmt(x)} − {fmt(p.lr)}·{fmt_factor(step)} = {fmt(new)}")
            text = f"t={i}: " + "; ".join(parts)
            lines.append(BiText(text, text))
            x = new
        return BiText.join([head, *fold_steps(lines)])

    def misconceptions(self, p: SgdMomentumParams) -> list[Misconception]:
        out: list[Misconception] = []

        def add(tag: str, value: float, zh: str, en: str) -> None:
            out.append(Misconception(tag, float(value), BiText(zh, en)))

        if p.momentum:
            add(
                "no-momentum",
                run_sgd(p, momentum=0.0)[0],
                "完全没用动量：这是普通 SGD p ← p − lr·g 的结果。",
                "You ignored the momentum: that is plain SGD, p ← p − lr·g.",
            )
            add(
                "ema-momentum",
                run_sgd(p, ema=True)[0],
                "用了 v ← βv + (1−β)g（吴恩达课程里的指数平均写法）；PyTorch 是 buf ← μ·buf + (1−dampening)·g，梯度前没有 (1−μ)。",
                "You used v ← βv + (1−β)g (the exponential-average form from Andrew Ng's course); PyTorch uses "
                "buf ← μ·buf + (1−dampening)·g, with no (1−μ) on the gradient.",
            )
        if p.dampening:
            add(
                "ignored-dampening",
                run_sgd(p, dampening=0.0)[0],
                "忽略了 dampening：第 2 步起梯度要乘 (1 − dampening)。",
                "You ignored dampening: from step 2 on the gradient is scaled by (1 − dampening).",
            )
            add(
                "damped-first-step",
                run_sgd(p, damp_first=True)[0],
                "第 1 步 PyTorch 直接令 buf = g，不乘 (1 − dampening)；你在第 1 步也打了折扣。",
                "On the first step PyTorch sets buf = g without (1 − dampening); you damped the first step too.",
            )
        if p.nesterov:
            add(
                "nesterov-as-plain",
                run_sgd(p, nesterov=False)[0],
                "nesterov=True 时更新量是 g + μ·buf，你按普通动量只用了 buf。",
                "With nesterov=True the step is g + μ·buf; you used plain momentum (buf alone).",
            )
        if p.weight_decay:
            add(
                "forgot-weight-decay",
                run_sgd(p, weight_decay=0.0)[0],
                "漏了 weight decay：PyTorch 先令 g ← g + weight_decay·p。",
                "You left out weight decay: PyTorch first sets g ← g + weight_decay·p.",
            )
            add(
                "decoupled-weight-decay",
                run_sgd(p, decoupled=True)[0],
                "把 weight decay 当成 AdamW 式的解耦衰减（p ← p − lr·wd·p 单独做）；SGD 把 wd·p 加进梯度，因而也进入动量 buf。",
                "You applied weight decay decoupled, AdamW-style (p ← p − lr·wd·p on its own); SGD adds wd·p to the gradient, "
                "so it also enters the momentum buffer.",
            )
        return out

    def hints(self, p: SgdMomentumParams) -> list[BiText]:
        from quizzer.generators.base import withhold, withhold_last

        if not p.momentum:
            concept = BiText(
                "没有动量的 SGD：p ← p − lr·d，d = g（有 weight_decay 时加上 weight_decay·p）。",
                "SGD without momentum: p ← p − lr·d with d = g (plus weight_decay·p when it is set).",
            )
        else:
            concept = BiText(
                "PyTorch 的动量：第一步 buf 就是 d（不乘 1 − dampening），之后 buf = μ·buf + (1 − "
                "dampening)·d，"
                "p ← p − lr·buf；Nesterov 用 p ← p − lr·(d + μ·buf)。",
                "PyTorch's momentum: on the first step buf is d itself (no 1 − dampening), afterwards "
                "buf = μ·buf + (1 − dampening)·d and p ← p − lr·buf; Nesterov uses "
                "p ← p − lr·(d + μ·buf).",
            )
        sol = self.solution(p)
        zh, en = sol.zh.splitlines(), sol.en.splitlines()
        out = [concept, BiText(withhold(zh[1]), withhold(en[1]))]
        if len(p.grads) > 1:
            out.append(withhold_last(BiText("\n".join(zh[1:]), "\n".join(en[1:]))))
        return out
