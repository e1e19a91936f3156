"""How many stacked stride-1 k×k convs (after an optional strided prefix) reach a target receptive field."""

from __future__ import annotations

import math
import random
from typing import Any

from pydantic import Field, field_serializer, field_validator, model_validator

from quizzer.generators.base import AnswerSpec, Family, Misconception, Params
from quizzer.generators.families.receptive_field import MAX_LAYERS, check_stack
from quizzer.generators.layer_syntax import FILE_EN, FILE_ZH, KEYS_EN, KEYS_ZH
from quizzer.generators.layers import (
    RF_FORMULA,
    Layer,
    layers_text,
    measure_rf,
    min_layers_needed,
    parse_layers,
    receptive_field,
    rf_steps,
)
from quizzer.generators.registry import register
from quizzer.text import BiText

MAX_ANSWER = 128  # an answer past this is no exercise; verify bisects, so the bound is not about speed


class RfMinLayersParams(Params):
    target: int = Field(
        ge=2,
        le=1 << 20,
        description="the receptive field to reach, in input pixels",
        json_schema_extra={"zh": "要达到的感受野（输入像素）"},
    )
    kernel_size: int = Field(
        default=3,
        ge=2,
        le=64,
        description="kernel size k of each added stride-1 conv",
        json_schema_extra={"zh": "每个新增步幅 1 卷积的核大小 k"},
    )
    dilation: int = Field(
        default=1,
        ge=1,
        le=64,
        description="dilation d of each added conv",
        json_schema_extra={"zh": "每个新增卷积的膨胀率 d"},
    )
    prefix: tuple[Layer, ...] = Field(
        default=(),
        description=(
            "layers before the added convs, separated by ';', e.g. 'conv k=7 s=2 p=3; maxpool k=3 s=2 p=1' "
            f"(may be left out), each KIND key=value… with KIND conv, maxpool or avgpool; {KEYS_EN}; "
            f"no residual blocks; {FILE_EN}"
        ),
        json_schema_extra={
            "zh": (
                "新增卷积之前的层，以 ';' 分隔，如 'conv k=7 s=2 p=3; maxpool k=3 s=2 p=1'（可省略），"
                f"每层写作 类型 键=值…，类型为 conv、maxpool 或 avgpool；{KEYS_ZH}；不收残差块；{FILE_ZH}"
            )
        },
    )

    @field_validator("prefix", mode="before")
    @classmethod
    def _parse(cls, v: Any) -> Any:
        return parse_layers(v)

    @field_serializer("prefix")
    def _dump(self, layers: tuple[Layer, ...]) -> str:
        return layers_text(layers)

    @model_validator(mode="after")
    def _well_posed(self) -> RfMinLayersParams:
        if any(layer.kind == "convtranspose" for layer in self.prefix):
            raise ValueError("the prefix takes conv and pooling layers; ask receptive-field about a convtranspose")
        if self.prefix:
            check_stack(self.prefix, MAX_LAYERS - MAX_ANSWER)
        base = receptive_field(self.prefix)
        if base.r >= self.target:
            raise ValueError(
                f"the prefix alone already has receptive field {base.r} ≥ target {self.target}; nothing to add"
            )
        n = min_layers_needed(self.target, base, self.span)
        if n > MAX_ANSWER:
            raise ValueError(f"that needs {n} layers; choose a target that needs at most {MAX_ANSWER}")
        check_stack((*self.prefix, *[self.layer] * n))  # what verify measures must fit torch's check
        return self

    @property
    def span(self) -> int:
        return self.dilation * (self.kernel_size - 1) + 1

    @property
    def layer(self) -> Layer:
        # 'same' padding, as such stacks are built in practice; padding never changes the field's size.
        return Layer(kind="conv", kernel_size=self.kernel_size, padding=self.span // 2, dilation=self.dilation)


_STEMS = (
    "conv k=3 s=2 p=1",
    "conv k=7 s=2 p=3; maxpool k=3 s=2 p=1",  # ResNet stem (He et al. 2016)
    "conv k=3 p=1; maxpool k=2",
    "conv k=3 p=1; conv k=3 p=1; maxpool k=2",  # VGG block
    "conv k=5 s=2 p=2; maxpool k=2",
    "conv k=3 s=2; conv k=3 s=2",
)


@register
class RfMinLayers(Family[RfMinLayersParams]):
    name = "rf-min-layers"
    topic = "receptive-field"
    title = BiText("至少叠几层卷积才能达到目标感受野", "Fewest stacked convs to reach a receptive field")
    answer_spec = AnswerSpec(kind="int")
    params_model = RfMinLayersParams

    def sample(self, rng: random.Random, difficulty: int) -> RfMinLayersParams:
        if difficulty == 1:
            values: dict[str, Any] = dict(target=rng.randint(5, 25))
        elif difficulty == 2:
            prefix = rng.choice(("", *_STEMS[:4]))
            base = receptive_field(parse_layers(prefix))
            k = rng.choice([3, 3, 5, 7])
            values = dict(kernel_size=k, prefix=prefix, target=base.r + rng.randint(2, 8 * (k - 1) * int(base.j)))
        else:
            prefix = rng.choice(_STEMS)
            base = receptive_field(parse_layers(prefix))
            k, d = rng.choice([3, 5]), rng.choice([1, 2, 3])
            values = dict(
                kernel_size=k, dilation=d, prefix=prefix, target=base.r + rng.randint(2, 10 * d * (k - 1) * int(base.j))
            )
        # A target needing too many layers fails validation and the registry draws again.
        return RfMinLayersParams(**values)

    def acceptable(self, p: RfMinLayersParams) -> bool:
        return self.solve(p) <= 16  # an answer a learner can reach by hand

    def solve(self, p: RfMinLayersParams) -> int:
        return min_layers_needed(p.target, receptive_field(p.prefix), p.span)

    def verify(self, p: RfMinLayersParams) -> int:
        # The field grows with every appended layer, so the smallest count torch measures at or past the target
        # is found by doubling, then bisecting: about 2·log2(answer) measurements of stacks no deeper than needed.
        def reaches(n: int) -> bool:
            return measure_rf((*p.prefix, *[p.layer] * n)).r >= p.target

        hi = 1
        while not reaches(hi):
            if hi > MAX_ANSWER:
                raise RuntimeError("the receptive field does not reach the target")
            hi *= 2
        lo = hi // 2 + 1 if hi > 1 else 1
        while lo < hi:
            n = (lo + hi) // 2
            if reaches(n):
                hi = n
            else:
                lo = n + 1
        return lo

    def prompt(self, p: RfMinLayersParams) -> BiText:
        conv = p.layer.torch_text()
        if not p.prefix:
            return BiText(
                f"把若干个 {conv} 直接叠在输入图像上。至少要叠几层，最后一层输出单元的感受野边长才能 ≥ {p.target} 像素？",
                f"Copies of {conv} are stacked directly on the input image. What is the smallest number of them "
                f"for a last-layer output unit's receptive field (side length) to be at least {p.target} pixels?",
            )
        prefix = "\n".join(f"  {i}. {layer.torch_text()}" for i, layer in enumerate(p.prefix, 1))
        return BiText(
            f"一张图像先经过以下层：\n{prefix}\n之后再叠若干个 {conv}。至少要叠几个这样的卷积，最后一层输出单元的"
            f"感受野边长才能 ≥ {p.target} 像素？",
            f"An image first passes through these layers:\n{prefix}\nThen copies of {conv} are stacked on top. "
            f"What is the smallest number of these convs for a last-layer output unit's receptive field (side length) "
            f"to be at least {p.target} pixels?",
        )

    def solution(self, p: RfMinLayersParams) -> BiText:
        base = receptive_field(p.prefix)
        n = self.solve(p)
        grow = (p.span - 1) * base.j
        span = f"k' = {p.dilation}·({p.kernel_size} − 1) + 1 = {p.span}" if p.dilation != 1 else f"k' = {p.span}"
        zh, en = [], []
        if p.prefix:
            pz, pe = rf_steps(p.prefix)
            zh += ["先求前缀的 r 和 j：" + RF_FORMULA.zh, *pz]
            en += ["First r and j after the prefix: " + RF_FORMULA.en, *pe]
        frac = f"⌈({p.target} − {base.r}) / {grow}⌉ = ⌈{p.target - base.r} / {grow}⌉ = {n}"
        check = f"{base.r} + {n}·{grow} = {base.r + n * grow} ≥ {p.target}, {base.r} + {n - 1}·{grow} = {base.r + (n - 1) * grow} < {p.target}"
        zh += [
            f"步长 1 的层不改变 j = {base.j}，所以每层让感受野增加 (k' − 1)·j = ({p.span} − 1)·{base.j} = {grow}（{span}）。",
            f"n 层后 r = {base.r} + n·{grow}；要 r ≥ {p.target}：n = ⌈(R − r₀) / ((k' − 1)·j)⌉ = {frac}",
            f"检验：{check}",
        ]
        en += [
            f"Stride-1 layers keep j = {base.j}, so each adds (k' − 1)·j = ({p.span} − 1)·{base.j} = {grow} ({span}).",
            f"After n layers r = {base.r} + n·{grow}; for r ≥ {p.target}: n = ⌈(R − r₀) / ((k' − 1)·j)⌉ = {frac}",
            f"Check: {check}",
        ]
        return BiText("\n".join(zh), "\n".join(en))

    def misconceptions(self, p: RfMinLayersParams) -> list[Misconception]:
        base, R, k1 = receptive_field(p.prefix), p.target, p.span
        grow = (k1 - 1) * base.j
        by_k = math.ceil(R / k1) if not p.prefix else math.ceil((R - base.r) / (k1 * base.j))
        out = [
            Misconception(
                "divided-by-k",
                by_k,
                BiText(
                    "你按“每层增加 k 个像素”算（R / k）；相邻窗口重叠，每层只增加 (k' − 1)·j，且初始感受野是 1 而不是 0。",
                    "You counted k new pixels per layer (R / k); neighbouring windows overlap, so each layer adds only "
                    "(k' − 1)·j, and the field starts at 1, not 0.",
                ),
            ),
            Misconception(
                "no-ceiling",
                (R - base.r) // grow,
                BiText(
                    "(R − r₀) / ((k' − 1)·j) 除不尽时要向上取整：少一层就达不到目标。",
                    "When (R − r₀) / ((k' − 1)·j) is not whole, round up: one layer fewer falls short of the target.",
                ),
            ),
            Misconception(
                "strictly-greater",
                (R - base.r) // grow + 1,
                BiText(
                    "题目要求感受野 ≥ R；你求的是 > R，恰好整除时多算了一层。",
                    "The target is a field of at least R; you solved for more than R, which adds a layer when it divides exactly.",
                ),
            ),
        ]
        if not p.prefix:
            out.append(
                Misconception(
                    "forgot-initial-pixel",
                    math.ceil(R / (k1 - 1)),
                    BiText(
                        "你按 r = n·(k − 1) 算，漏了初始的 1 个像素（n 层 3×3 卷积的感受野是 2n + 1，不是 2n）。",
                        "You used r = n·(k − 1) and forgot the starting pixel (n 3×3 convs see 2n + 1 pixels, not 2n).",
                    ),
                )
            )
        else:
            out.append(
                Misconception(
                    "ignored-prefix",
                    math.ceil((R - 1) / (k1 - 1)),
                    BiText(
                        "你忽略了前缀层，按直接叠在输入上算：前缀已经提供了感受野 r₀ 和跳距 j。",
                        "You ignored the prefix and counted as if the convs sat directly on the input; the prefix already "
                        "provides a field r₀ and a jump j.",
                    ),
                )
            )
        if base.j > 1:
            out.append(
                Misconception(
                    "ignored-prefix-jump",
                    math.ceil((R - base.r) / (k1 - 1)),
                    BiText(
                        f"前缀的步长之积 j = {base.j}：之后每层增加 (k' − 1)·j，而不是 k' − 1。",
                        f"The prefix's strides multiply to j = {base.j}: each later layer adds (k' − 1)·j, not k' − 1.",
                    ),
                )
            )
        if p.dilation != 1:
            out.append(
                Misconception(
                    "ignored-dilation",
                    math.ceil((R - base.r) / ((p.kernel_size - 1) * base.j)),
                    BiText(
                        "忽略了 dilation：有效核长是 k' = d·(k − 1) + 1。",
                        "You ignored the dilation: the effective kernel is k' = d·(k − 1) + 1.",
                    ),
                )
            )
        return out

    def hints(self, p: RfMinLayersParams) -> list[BiText]:
        base = receptive_field(p.prefix)
        grow = (p.span - 1) * base.j
        where = BiText(f"前缀之后 r₀ = {base.r}，j = {base.j}", f"After the prefix r₀ = {base.r} and j = {base.j}")
        if not p.prefix:
            where = BiText("没有前缀：r₀ = 1，j = 1", "No prefix: r₀ = 1 and j = 1")
        span = f"k' = {p.dilation}·({p.kernel_size} − 1) + 1 = {p.span}" if p.dilation != 1 else f"k' = {p.kernel_size}"
        step = f"({p.span} − 1)·{base.j} = {grow}"
        frac = f"n = ⌈({p.target} − {base.r}) / {grow}⌉ = ?"
        return [
            BiText(
                "stride 为 1 的层不改变跳距 j，所以每加一层感受野都增加同样的 (k' − 1)·j（k' = d·(k − 1) + 1）；"
                "求满足 r₀ + n·(k' − 1)·j ≥ 目标 的最小 n。",
                "Stride-1 layers keep the jump j, so each one adds the same (k' − 1)·j (k' = d·(k − 1) + 1); find "
                "the smallest n with r₀ + n·(k' − 1)·j ≥ target.",
            ),
            where + BiText(f"；{span}，每层增加 {step}。", f"; {span}, so each layer adds {step}."),
            BiText(frac, frac),
        ]
