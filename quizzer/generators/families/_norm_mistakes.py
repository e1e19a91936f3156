"""The typical mistakes of norm-layer-output, kept apart so that the family module stays readable.

Every value is the family's own ``normalize`` run with the learner's wrong choice (axis, variance, eps, centring).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from quizzer.generators.base import Misconception, fmt
from quizzer.text import BiText

if TYPE_CHECKING:
    from quizzer.generators.families.norm_layer_output import NormLayerOutputParams

_WRONG_AXES = {
    "batchnorm": ["layernorm"],
    "layernorm": ["batchnorm"],
    "groupnorm": ["layernorm", "batchnorm"],
    "instancenorm": ["layernorm", "batchnorm"],
    "rmsnorm": [],
}


def _axis_text(p: NormLayerOutputParams, axis: str) -> BiText:
    if p.norm == "instancenorm":
        what = {
            "batchnorm": BiText(
                "按通道在整个批次（全部样本和位置）上", "per channel over the whole batch (every sample and position)"
            ),
            "layernorm": BiText("按整个样本（全部通道和位置）", "over the whole sample (every channel and position)"),
        }[axis]
        return (
            BiText("归一化的轴错了：你", "Wrong axis: you took the statistics ")
            + what
            + BiText(
                "求了统计量。InstanceNorm 对每个样本的每个通道单独求，只跨它的 L 个位置。",
                ". InstanceNorm takes them for each channel of each sample on its own, across its L positions only.",
            )
        )
    what_zh = {"batchnorm": "按批次（列）", "layernorm": "按整个样本（行）"}[axis]
    what_en = {"batchnorm": "over the batch (per column)", "layernorm": "over the whole sample (per row)"}[axis]
    return BiText(
        f"归一化的轴错了：你{what_zh}求了统计量。BatchNorm 对每个特征在批次上求，LayerNorm 对每个样本在全部特征上求，"
        "GroupNorm 对每个样本在各自的通道组内求。",
        f"Wrong axis: you took the statistics {what_en}. BatchNorm uses each feature over the batch, LayerNorm each "
        "sample over all its features, GroupNorm each sample within its channel group.",
    )


def norm_mistakes(p: NormLayerOutputParams) -> list[Misconception]:
    from quizzer.generators.families.norm_layer_output import FLOAT32_EPS, _pick, normalize

    rows = p.rows
    mistakes = []
    for axis in _WRONG_AXES[p.norm]:
        if axis == "batchnorm" and p.norm != "instancenorm" and len(rows) < 2:
            continue
        mistakes.append(Misconception(f"wrong-axis-{axis}", _pick(p, normalize(p, axis=axis)), _axis_text(p, axis)))
    if p.norm == "rmsnorm":
        mistakes.append(
            Misconception(
                "subtracted-mean",
                _pick(p, normalize(p, axis="layernorm", rms=False)),
                BiText(
                    "这是 LayerNorm：RMSNorm 不减均值，用均方 mean(x²) 而不是方差。",
                    "That is LayerNorm: RMSNorm does not subtract the mean; it uses the mean square mean(x²), not "
                    "the variance.",
                ),
            )
        )
        if p.eps is None:
            mistakes.append(
                Misconception(
                    "used-layernorm-eps",
                    _pick(p, normalize(p, eps=1e-5)),
                    BiText(
                        f"eps=None 不是 LayerNorm 的 1e-5：torch 用 torch.finfo(float32).eps = {fmt(FLOAT32_EPS)}。",
                        f"eps=None is not LayerNorm's 1e-5: torch uses torch.finfo(float32).eps = {fmt(FLOAT32_EPS)}.",
                    ),
                )
            )
    spread = "mean(x²)" if p.norm == "rmsnorm" else "σ²"
    mistakes.append(
        Misconception(
            "divided-by-variance",
            _pick(p, normalize(p, power=1.0)),
            BiText(
                f"你除以了 {spread} + eps；应除以它的平方根 √({spread} + eps)。",
                f"You divided by {spread} + eps; divide by its square root √({spread} + eps).",
            ),
        )
    )
    group_size = len(_group_of_target(p))
    if group_size > 1 and p.norm != "rmsnorm":
        mistakes.append(
            Misconception(
                "unbiased-variance",
                _pick(p, normalize(p, ddof=1)),
                BiText(
                    "你用了无偏方差（除以 n − 1）；归一化层在前向里用有偏方差（除以 n）。",
                    "You used the unbiased variance (divide by n − 1); normalization layers use the biased variance "
                    "(divide by n) in the forward pass.",
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
                    f"忘了在根号里加 eps={fmt(p.eps_value)}：方差小时它的影响不可忽略。",
                    f"You left eps={fmt(p.eps_value)} out of the square root: it matters when the variance is small.",
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


def _group_of_target(p: NormLayerOutputParams) -> list[float]:
    from quizzer.generators.families.norm_layer_output import _group

    return _group(p, p.norm, p.row_of(p.i, p.j), p.j if p.norm != "instancenorm" else 0)
