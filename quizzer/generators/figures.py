"""The data behind the pictures that make a worked solution clearer: what to draw, never how.

``figure_for(problem)`` gives a ``Figure`` (series of points, axis names, a log scale or not) for the
families a picture helps, and None for the rest. The terminal draws it (``quizzer.ui.pictures``); an
exam answer key can draw the same data as vector graphics. Everything here is plain Python: no
plotting library, no torch, the numbers come from the families' own closed forms.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from quizzer.generators.base import Problem, fmt
from quizzer.text import BiText

LR_POINTS = 400  # the lr curve is sampled at most this many times (a terminal is ~100 columns wide)


@dataclass(frozen=True)
class Series:
    """One curve (``points=False``: joined by lines) or a set of marked points."""

    label: BiText
    x: tuple[float, ...]
    y: tuple[float, ...]
    points: bool = False


@dataclass(frozen=True)
class Figure:
    title: BiText
    x_label: BiText
    y_label: BiText
    series: tuple[Series, ...]
    log_y: bool = False


Builder = Callable[[Any], Figure]
_BUILDERS: dict[str, Builder] = {}


def _builds(*families: str) -> Callable[[Builder], Builder]:
    def register(fn: Builder) -> Builder:
        for name in families:
            _BUILDERS[name] = fn
        return fn

    return register


def has_figure(family: str) -> bool:
    return family in _BUILDERS


def figure_for(problem: Problem) -> Figure | None:
    """The picture of a problem's solution, or None when its family has none."""
    build = _BUILDERS.get(problem.family)
    if build is None:
        return None
    from quizzer.generators.registry import get_family

    params = get_family(problem.family).params_model.model_validate(problem.params)
    return build(params)


def _steps(n: int) -> tuple[float, ...]:
    return tuple(float(i) for i in range(n + 1))


# --- lr-schedule: the lr over the steps, the asked step marked -------------------------------------------------


@_builds("lr-schedule")
def _lr_curve(p: Any) -> Figure:
    t = p.step
    last = p.schedule.last_step(p.args)
    horizon = max(int(t * 1.3) + 2, 20)  # past the asked step, so the learner sees where the curve goes next
    if last is not None:
        horizon = min(horizon, last)
    stride = max(1, math.ceil((horizon + 1) / LR_POINTS))
    xs = sorted(set(range(0, horizon + 1, stride)) | {t, horizon})
    return Figure(
        title=BiText(f"{p.schedule.torch_class}：每一步的学习率", f"{p.schedule.torch_class}: the lr at every step"),
        x_label=BiText("步数（scheduler.step() 的调用次数）", "step (calls of scheduler.step())"),
        y_label=BiText("学习率", "lr"),
        series=(
            Series(BiText("学习率", "lr"), tuple(float(x) for x in xs), tuple(p.lr_at(x) for x in xs)),
            Series(
                BiText(f"所问的第 {t} 步：{fmt(p.lr_at(t))}", f"the asked step {t}: {fmt(p.lr_at(t))}"),
                (float(t),),
                (p.lr_at(t),),
                points=True,
            ),
        ),
    )


# --- receptive field: r and j after every layer ----------------------------------------------------------------


def _rf_figure(layers: tuple[Any, ...], extra_from: int | None = None) -> Figure:
    from quizzer.generators.layers import rf_trace

    trace = rf_trace(layers)
    xs = _steps(len(layers))
    series = [
        Series(BiText("感受野 r", "receptive field r"), xs, tuple(float(rf.r) for rf in trace)),
        Series(
            BiText("跳距 j（相邻单元在输入上的间距）", "jump j (input pixels between neighbouring units)"),
            xs,
            tuple(float(rf.j) for rf in trace),
        ),
    ]
    if extra_from is not None:
        before, after = trace[extra_from], trace[-1]
        series.append(
            Series(
                BiText(f"新加的一层：r {before.r} → {after.r}", f"the extra layer: r {before.r} → {after.r}"),
                (float(extra_from), float(len(layers))),
                (float(before.r), float(after.r)),
                points=True,
            )
        )
    return Figure(
        title=BiText("每层之后的感受野 r 与跳距 j", "Receptive field r and jump j after each layer"),
        x_label=BiText("层（0 = 输入）", "layer (0 = the input)"),
        y_label=BiText("输入像素", "input pixels"),
        series=tuple(series),
    )


@_builds("receptive-field")
def _receptive_field(p: Any) -> Figure:
    from quizzer.generators.layers import main_path

    return _rf_figure(main_path(p.layers))  # a residual block's field follows its main path


@_builds("rf-extra-layer")
def _rf_extra_layer(p: Any) -> Figure:
    from quizzer.generators.layers import main_path

    stack = main_path(p.layers)
    return _rf_figure((*stack, p.extra), extra_from=len(stack))


# --- gradient magnitude against depth, with and without the residual path --------------------------------------


def _depth_figure(
    depths: tuple[float, ...], plain: list[float], residual: list[float], extra: tuple[Series, ...] = ()
) -> Figure:
    def positive(values: list[float]) -> tuple[tuple[float, ...], tuple[float, ...]]:
        # A log scale cannot show a gradient of exactly 0 (a dead relu): those depths are left out.
        kept = [(d, abs(v)) for d, v in zip(depths, values, strict=True) if v != 0]
        return tuple(d for d, _ in kept), tuple(v for _, v in kept)

    def label(text: BiText, values: list[float]) -> BiText:
        zero = next((d for d, v in zip(depths, values, strict=True) if v == 0), None)
        if zero is None:
            return text
        return text + BiText(
            f"（从深度 {fmt(zero)} 起为 0，对数坐标上画不出）", f" (0 from depth {fmt(zero)} on: off a log scale)"
        )

    return Figure(
        title=BiText("梯度大小随深度的变化（对数坐标）", "Gradient magnitude against depth (log scale)"),
        x_label=BiText("深度（层数）", "depth (layers)"),
        y_label=BiText("|dh/dx|", "|dh/dx|"),
        series=(
            Series(
                label(BiText("无残差：各层因子直接相乘", "plain: the layers' factors multiply"), plain),
                *positive(plain),
            ),
            Series(
                label(
                    BiText("有残差路径：每层乘 (1 + f')", "with the residual path: each layer multiplies 1 + f'"),
                    residual,
                ),
                *positive(residual),
            ),
            *extra,
        ),
        log_y=True,
    )


@_builds("vanishing-depth")
def _vanishing_depth(p: Any) -> Figure:
    from quizzer.generators.families.vanishing_depth import depth, factor

    a = factor(p)
    slope = 0.25 if p.activation == "sigmoid" else 1.0
    b = 1 + p.weight * slope  # the same layer with a shortcut: h + f(h) has derivative 1 + w·act'(0)
    n = depth(a, p.threshold)
    depths = _steps(n + max(3, n // 4))
    line = Series(
        BiText(f"阈值 {fmt(p.threshold)}", f"threshold {fmt(p.threshold)}"),
        (depths[0], depths[-1]),
        (p.threshold, p.threshold),
    )
    hit = Series(
        BiText(f"第一个越过阈值的深度：{n}", f"first depth past the threshold: {n}"), (float(n),), (a**n,), points=True
    )
    return _depth_figure(depths, [a**k for k in range(len(depths))], [b**k for k in range(len(depths))], (line, hit))


@_builds("residual-gradient")
def _residual_gradient(p: Any) -> Figure:
    from quizzer.generators.families.residual_gradient import branch_slopes, plain_gradient

    residual, product = [1.0], 1.0
    for _, slope in branch_slopes(p):
        product *= 1 + slope
        residual.append(product)
    plain = [1.0] + [
        plain_gradient(p.model_copy(update={"weights": p.weights[:k]})) for k in range(1, len(p.weights) + 1)
    ]
    return _depth_figure(_steps(len(p.weights)), plain, residual)


# --- sgd-momentum: the trajectory, plain SGD beside momentum ---------------------------------------------------


@_builds("sgd-momentum")
def _sgd_momentum(p: Any) -> Figure:
    from quizzer.generators.families.sgd_momentum import run_sgd

    steps = _steps(len(p.grads))
    _, plain = run_sgd(p, momentum=0.0, nesterov=False)
    mu = p.momentum or 0.9  # a problem without momentum is compared with the usual μ = 0.9
    _, moving = run_sgd(p, momentum=mu, nesterov=p.nesterov and bool(p.momentum))
    label = BiText(f"动量 μ = {fmt(mu)}", f"momentum μ = {fmt(mu)}")
    if not p.momentum:
        label = BiText(f"动量 μ = {fmt(mu)}（对照）", f"momentum μ = {fmt(mu)} (for comparison)")
    return Figure(
        title=BiText(
            "参数的轨迹：普通 SGD 与动量（梯度序列相同）",
            "The parameter's path: plain SGD beside momentum (same gradients)",
        ),
        x_label=BiText("步数", "step"),
        y_label=BiText("p", "p"),
        series=(
            Series(BiText("普通 SGD", "plain SGD"), steps, (p.p0, *(x for *_, x in plain))),
            Series(label, steps, (p.p0, *(x for *_, x in moving))),
        ),
    )
