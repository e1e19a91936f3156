"""How much one more layer on top of a stack grows the receptive field: (k' − 1)·j of the stack."""

from __future__ import annotations

import random
from typing import Any, Literal

from pydantic import Field, field_serializer, field_validator, model_validator

from quizzer.generators.base import AnswerSpec, Family, Misconception, Params
from quizzer.generators.families.receptive_field import (
    HIDDEN_STEPS,
    MAX_LAYERS,
    check_stack,
    folded,
    layer_list,
    sample_stack,
)
from quizzer.generators.layer_syntax import FILE_EN, FILE_ZH, KEYS_EN, KEYS_ZH, RES_EN, RES_ZH
from quizzer.generators.layers import (
    RF_FORMULA,
    Layer,
    Node,
    layers_text,
    main_path,
    measure_rf,
    parse_layers,
    parse_nodes,
    receptive_field,
    rf_steps,
)
from quizzer.generators.registry import register
from quizzer.text import BiText


class RfExtraLayerParams(Params):
    layers: tuple[Node, ...] = Field(
        description=(
            "the existing stack, layers separated by ';', e.g. 'conv k=3; maxpool k=2', each KIND key=value… "
            f"with KIND conv, maxpool or avgpool (no convtranspose here); {KEYS_EN}; {RES_EN}; {FILE_EN}"
        ),
        json_schema_extra={
            "zh": (
                "已有的层栈，各层以 ';' 分隔，如 'conv k=3; maxpool k=2'，每层写作 类型 键=值…，"
                f"类型为 conv、maxpool 或 avgpool（此处不收 convtranspose）；{KEYS_ZH}；{RES_ZH}；{FILE_ZH}"
            )
        },
    )
    extra: Layer = Field(
        description="the one layer added on top, written like a layer of the stack, e.g. 'conv k=3 p=1' (no convtranspose)",
        json_schema_extra={"zh": "加在顶部的那一层，写法同层栈中的一层，如 'conv k=3 p=1'（不收 convtranspose）"},
    )

    @field_validator("layers", mode="before")
    @classmethod
    def _parse(cls, v: Any) -> Any:
        return parse_nodes(v)

    @field_validator("extra", mode="before")
    @classmethod
    def _parse_one(cls, v: Any) -> Any:
        if isinstance(v, (dict, Layer)):
            return v
        layers = parse_layers(v)
        if len(layers) != 1:
            raise ValueError(f"extra is exactly one layer, e.g. 'conv k=3'; got {len(layers)}")
        return layers[0]

    @field_serializer("layers")
    def _dump(self, layers: tuple[Node, ...]) -> str:
        return layers_text(layers)

    @field_serializer("extra")
    def _dump_extra(self, extra: Layer) -> str:
        return extra.text()

    @model_validator(mode="after")
    def _well_posed(self) -> RfExtraLayerParams:
        if self.extra.kind == "convtranspose" or any(q.kind == "convtranspose" for q in main_path(self.layers)):
            # the growth (k' − 1)·j assumes every unit sees the same field, which a transposed conv breaks
            raise ValueError("rf-extra-layer takes conv and pooling layers; ask receptive-field about a convtranspose")
        check_stack(self.layers, MAX_LAYERS - 1)
        check_stack((*self.layers, self.extra))
        return self

    @property
    def stack(self) -> tuple[Layer, ...]:
        return main_path(self.layers)


def _sample_extra(rng: random.Random, difficulty: int) -> Layer:
    if rng.random() < 0.4:
        # Pools as networks use them: 2×2/2, the overlapping 3×3/2 (AlexNet, ResNet), 3×3/1 (Inception's pool
        # branch); never a stride above the window.
        k, stride = rng.choice([(2, 2), (3, 2)]) if difficulty < 3 else rng.choice([(2, 2), (3, 2), (3, 1), (4, 4)])
        kind: Literal["maxpool", "avgpool"] = "maxpool" if difficulty < 3 else rng.choice(["maxpool", "avgpool"])
        return Layer(kind=kind, kernel_size=k, stride=stride, padding=1 if (k, stride) == (3, 1) else 0)
    k = rng.choice([3, 5]) if difficulty == 1 else rng.choice([3, 5, 7])
    s = 1 if difficulty == 1 else rng.choice([1, 2])
    d = 1
    if difficulty == 3 and rng.random() < 0.5:
        k, s, d = 3, 1, rng.choice([2, 3])  # dilated convs are 3×3 and stride 1 in practice (DeepLab, WaveNet)
    return Layer(kind="conv", kernel_size=k, stride=s, padding=d * (k - 1) // 2, dilation=d)


@register
class RfExtraLayer(Family[RfExtraLayerParams]):
    name = "rf-extra-layer"
    topic = "receptive-field"
    title = BiText("多加一层后感受野增加多少", "Receptive-field growth from one more layer")
    answer_spec = AnswerSpec(kind="int")
    params_model = RfExtraLayerParams

    def sample(self, rng: random.Random, difficulty: int) -> RfExtraLayerParams:
        # A stack whose field would exceed the limit fails validation and the registry draws again.
        return RfExtraLayerParams(layers=sample_stack(rng, difficulty), extra=_sample_extra(rng, difficulty))

    def acceptable(self, p: RfExtraLayerParams) -> bool:
        return receptive_field(p.stack).j >= 2  # with jump 1, ignoring the accumulated jump is no mistake

    def solve(self, p: RfExtraLayerParams) -> int:
        return int(receptive_field((*p.stack, p.extra)).r - receptive_field(p.stack).r)

    def verify(self, p: RfExtraLayerParams) -> int:
        return int(measure_rf((*p.layers, p.extra)).r - measure_rf(p.layers).r)

    def prompt(self, p: RfExtraLayerParams) -> BiText:
        layers, layers_zh = layer_list(p.layers), layer_list(p.layers, "zh")
        extra = p.extra.torch_text()
        return BiText(
            f"一张图像依次经过以下层（正方形卷积核）：\n{layers_zh}\n现在在最后再加一层 {extra}。"
            "最后一层输出单元的感受野边长（输入像素数）增加了多少？",
            f"An image passes through these layers (square kernels):\n{layers}\nOne more layer, {extra}, is appended on top. "
            "By how many input pixels does the receptive field (side length) of a last-layer output unit grow?",
        )

    def solution(self, p: RfExtraLayerParams) -> BiText:
        zh, en = rf_steps(p.stack)
        zh, en = folded(zh, HIDDEN_STEPS, "zh"), folded(en, HIDDEN_STEPS)
        before = receptive_field(p.stack)
        e = p.extra
        span = f"k' = {e.dilation}·({e.kernel_size} − 1) + 1 = {e.span}" if e.dilation != 1 else f"k' = {e.span}"
        delta = (e.span - 1) * before.j
        tail_zh = (
            f"新加的层在第 {len(p.stack)} 层的输出上滑动，相邻输入单元在原图上相距 j = {before.j}：\n"
            f"  增量 = (k' − 1)·j = ({e.span} − 1)·{before.j} = {delta}（{span}；新层自己的步长 {e.s} 只影响之后的层）\n"
            f"  感受野 {before.r} → {before.r + delta}"
        )
        tail_en = (
            f"The new layer slides over layer {len(p.stack)}'s output, whose neighbouring units are j = {before.j} "
            f"input pixels apart:\n  growth = (k' − 1)·j = ({e.span} − 1)·{before.j} = {delta} ({span}; the new "
            f"layer's own stride {e.s} only matters for layers after it)\n  receptive field {before.r} → {before.r + delta}"
        )
        return BiText(
            "先求原堆叠的 r 和 j：" + RF_FORMULA.zh + "\n" + "\n".join(zh) + "\n" + tail_zh,
            "First r and j of the stack: " + RF_FORMULA.en + "\n" + "\n".join(en) + "\n" + tail_en,
        )

    def misconceptions(self, p: RfExtraLayerParams) -> list[Misconception]:
        e, before = p.extra, receptive_field(p.stack)
        out = [
            Misconception(
                "ignored-accumulated-jump",
                e.span - 1,
                BiText(
                    f"你只加了 k' − 1 = {e.span - 1}：这是在输入图上直接加一层时的增量；下面各层步长之积 j = {before.j} "
                    "会把它放大。",
                    f"You added k' − 1 = {e.span - 1}, which is only right directly on the input; the product of the "
                    f"strides below, j = {before.j}, scales it.",
                ),
            ),
            Misconception(
                "used-own-stride",
                (e.span - 1) * e.s,
                BiText(
                    "你用新层自己的步长去乘 (k' − 1)；该乘的是它下面各层步长之积 j，新层的步长只影响之后的层。",
                    "You multiplied (k' − 1) by the new layer's own stride; the factor is j, the product of the strides "
                    "below it. Its own stride only affects layers after it.",
                ),
            ),
            Misconception(
                "used-jump-after",
                (e.span - 1) * before.j * e.s,
                BiText(
                    "你把新层的步长也乘进了 j（用了 j_out）；窗口在它的输入上滑动，应乘 j_in。",
                    "You also multiplied in the new layer's stride (j_out); the window slides over its input, so use j_in.",
                ),
            ),
        ]
        if e.kind != "conv":
            out.append(
                Misconception(
                    "pooling-doubles-rf",
                    before.r,
                    BiText(
                        f"“池化让感受野翻倍”不成立：{before.r} 不会变成 {2 * before.r}，池化层也只加 (k − 1)·j。",
                        f"'Pooling doubles the receptive field' is false: {before.r} does not become {2 * before.r}; "
                        "a pool adds (k − 1)·j like any window.",
                    ),
                )
            )
        if e.dilation != 1:
            out.append(
                Misconception(
                    "ignored-dilation",
                    (e.kernel_size - 1) * before.j,
                    BiText(
                        "忽略了 dilation：有效核长是 k' = d·(k − 1) + 1。",
                        "You ignored the dilation: the effective kernel is k' = d·(k − 1) + 1.",
                    ),
                )
            )
        return out

    def hints(self, p: RfExtraLayerParams) -> list[BiText]:
        from quizzer.generators.base import fmt

        before, e = receptive_field(p.stack), p.extra
        shown = p.stack if len(p.stack) <= 12 else [layer for layer in p.stack if layer.s != 1]
        strides = " · ".join(str(layer.s) for layer in shown) or "1"
        span = f"k' = {e.dilation}·({e.kernel_size} − 1) + 1 = {e.span}" if e.dilation != 1 else f"k' = {e.span}"
        return [
            BiText(
                "新加的一层让感受野增加 (k' − 1)·j：j 是下面整个堆叠的跳距（此前所有 stride 的乘积），"
                "k' = d·(k − 1) + 1；新层自己的 stride 只影响它之后的层。",
                "One more layer on top adds (k' − 1)·j to the receptive field, where j is the jump of the stack "
                "below (the product of all earlier strides) and k' = d·(k − 1) + 1; the new layer's own stride "
                "only matters for layers after it.",
            ),
            BiText(
                f"下面堆叠的跳距 j = {strides} = {fmt(before.j)}", f"The stack's jump j = {strides} = {fmt(before.j)}"
            ),
            BiText(
                f"{span}；增量 = ({e.span} − 1)·{fmt(before.j)} = ?",
                f"{span}; growth = ({e.span} − 1)·{fmt(before.j)} = ?",
            ),
        ]
