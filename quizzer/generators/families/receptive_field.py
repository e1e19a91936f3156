"""Receptive field, jump and centre of the last layer's units in a conv/pool stack."""

from __future__ import annotations

import random
from typing import Any

from pydantic import Field, field_serializer, field_validator, model_validator

from quizzer.generators.base import AnswerSpec, Family, Misconception, Params, fmt
from quizzer.generators.layer_syntax import (
    FILE_EN,
    FILE_ZH,
    KEYS_EN,
    KEYS_ZH,
    KINDS_EN,
    KINDS_ZH,
    OP_EN,
    OP_ZH,
    RES_EN,
    RES_ZH,
    count_layers,
)
from quizzer.generators.layers import (
    MAIN_PATH_NOTE,
    MAX_PROBE,
    RF_FORMULA,
    TRANSPOSED_RULE,
    Layer,
    Node,
    Residual,
    layers_text,
    main_path,
    measure_rf,
    parse_nodes,
    probe_cost,
    receptive_field,
    recognisable_stack,
    rf_steps,
    shortcut_inside,
)
from quizzer.generators.registry import register
from quizzer.text import BiText

MAX_LAYERS = 1000  # far past ResNet-152; torch's check (probe_cost) is the real bound
LAYERS_HELP = (
    f"the layers, separated by ';', e.g. 'conv k=3 p=1; maxpool k=2', each KIND key=value… with KIND {KINDS_EN}; "
    f"{KEYS_EN}, {OP_EN}; {RES_EN}, the field follows its main path; {FILE_EN}"
)
LAYERS_HELP_ZH = (
    f"各层以 ';' 分隔，如 'conv k=3 p=1; maxpool k=2'，每层写作 类型 键=值…，类型为 {KINDS_ZH}；"
    f"{KEYS_ZH}、{OP_ZH}；{RES_ZH}，感受野沿主路径计算；{FILE_ZH}"
)


def check_stack(nodes: tuple[Node, ...], max_layers: int = MAX_LAYERS) -> None:
    """The rules every receptive-field stack follows: a size torch can check, shortcuts inside their blocks."""
    n = count_layers(nodes)
    if not 1 <= n <= max_layers:
        raise ValueError(f"give 1 to {max_layers} layers separated by ';', e.g. 'conv k=3; maxpool k=2'; got {n}")
    for i, node in enumerate(nodes, 1):
        if isinstance(node, Residual) and not shortcut_inside(node):
            raise ValueError(
                f"residual block {node.text()!r} (item {i}): its shortcut must keep the main path's jump and see "
                "only pixels the main path sees (e.g. 'res(conv k=3 s=2 p=1; conv k=3 p=1 | conv k=1 s=2)')"
            )
    cost = probe_cost(nodes)
    if cost > MAX_PROBE:
        raise ValueError(
            f"torch's check of this stack would hold {cost:,} values, more than {MAX_PROBE:,} (memory): "
            "fewer strided or wide layers, please"
        )


class ReceptiveFieldParams(Params):
    layers: tuple[Node, ...] = Field(
        description=LAYERS_HELP,
        json_schema_extra={"zh": LAYERS_HELP_ZH},
    )
    input_size: int | None = Field(
        default=None,
        ge=1,
        le=1 << 16,
        description="the image side in pixels, only for the output-size column of the per-layer table",
        json_schema_extra={"zh": "输入图像边长（像素），只用于逐层表的输出尺寸一列"},
    )

    @field_validator("layers", mode="before")
    @classmethod
    def _parse(cls, v: Any) -> Any:
        return parse_nodes(v)

    @field_serializer("layers")
    def _dump(self, layers: tuple[Node, ...]) -> str:
        return layers_text(layers)

    @model_validator(mode="after")
    def _well_posed(self) -> ReceptiveFieldParams:
        check_stack(self.layers)
        return self


def record(rf: Any) -> dict[str, Any]:
    return {
        "receptive_field": int(rf.r),
        "jump": int(rf.j) if float(rf.j).is_integer() else float(rf.j),
        "start": float(rf.start),
    }


FOLD = 12  # a prompt or worked solution longer than this many layers shows its ends; the table shows the rest


def folded(
    lines: list[str], hidden: BiText | None = None, lang: str = "en", *, counted: list[bool] | None = None
) -> list[str]:
    """The first and last few of ``lines`` with one line saying how many are left out (all when short).

    ``counted`` marks the lines that are layers (a residual block's shortcut line is not), for the count.
    """
    if len(lines) <= FOLD:
        return lines
    keep = FOLD // 2 - 1
    n = sum(counted[keep:-keep]) if counted else len(lines) - 2 * keep
    gap = hidden.format(n=n).get(lang) if hidden else f"… {n} more …"
    return [*lines[:keep], gap, *lines[-keep:]]


HIDDEN_LAYERS = BiText(
    "  …（另有 {n} 层，见逐层表：quizzer solve … --all）", "  … ({n} more layers: see the per-layer table)"
)
HIDDEN_STEPS = BiText("…（另有 {n} 层，逐层数值见表）", "… ({n} more layers, their values in the table)")


BLOCK_NOTE = BiText(
    "  （│ 标出残差块的主路径，块的输出是 main(x) + shortcut(x)）",
    "  (│ marks a residual block's main path; the block outputs main(x) + shortcut(x))",
)


def layer_list(layers: tuple[Node, ...], lang: str = "en") -> str:
    """The layers as PyTorch calls, numbered along the main path, each block's shortcut on a line of its own."""
    lines, counted, n = [], [], 0
    for node in layers:
        for layer in node.main if isinstance(node, Residual) else (node,):
            n += 1
            lines.append(f"  {n}. " + ("│ " if isinstance(node, Residual) else "") + layer.torch_text())
            counted.append(True)
        if isinstance(node, Residual):
            shortcut = "; ".join(layer.torch_text() for layer in node.shortcut) or "identity"
            lines.append(f"  {' ' * len(str(n))}  └ + shortcut: {shortcut}")
            counted.append(False)
    note = [BLOCK_NOTE.get(lang)] if any(isinstance(node, Residual) for node in layers) else []
    return "\n".join(folded(lines, HIDDEN_LAYERS, lang, counted=counted) + note)


def sample_stack(rng: random.Random, difficulty: int) -> tuple[Layer, ...]:
    """A stack of 2–3, 3–4 or 4–5 layers from known architectures, downsampling at least once so strides matter."""
    n = {1: rng.randint(2, 3), 2: rng.randint(3, 4), 3: rng.randint(4, 5)}[difficulty]
    return recognisable_stack(rng, difficulty, n)


@register
class ReceptiveField(Family[ReceptiveFieldParams]):
    name = "receptive-field"
    topic = "receptive-field"
    title = BiText("感受野、跳距与中心位置", "Receptive field, jump and centre")
    answer_spec = AnswerSpec(kind="record", fields=("receptive_field", "jump", "start"), rel_tol=1e-9, abs_tol=1e-6)
    params_model = ReceptiveFieldParams

    def sample(self, rng: random.Random, difficulty: int) -> ReceptiveFieldParams:
        stack = sample_stack(rng, difficulty)
        return ReceptiveFieldParams(layers=_harder(rng, stack) if difficulty == 3 else stack)

    def solve(self, p: ReceptiveFieldParams) -> dict[str, Any]:
        return record(receptive_field(main_path(p.layers)))

    def verify(self, p: ReceptiveFieldParams) -> dict[str, Any]:
        return record(measure_rf(p.layers))

    def prompt(self, p: ReceptiveFieldParams) -> BiText:
        layers, layers_zh = layer_list(p.layers), layer_list(p.layers, "zh")
        return BiText(
            f"一张图像依次经过以下层（正方形卷积核，两个方向相同）：\n{layers_zh}\n"
            "对最后一层输出的单个单元，求：receptive_field（感受野边长，输入像素数）；jump（相邻两个输出单元的感受野中心"
            "在输入上相距多少像素）；start（输出单元 0 的感受野中心在输入上的坐标，输入像素 0 的中心记为 0，可以是负数或半整数）。",
            f"An image passes through these layers (square kernels, the same along both axes):\n{layers}\n"
            "For one unit of the last layer's output, give: receptive_field (side of its receptive field, in input pixels); "
            "jump (how many input pixels apart the field centres of two neighbouring output units are); "
            "start (the input coordinate of output unit 0's field centre, with input pixel 0 centred at 0; it may be "
            "negative or a half-integer).",
        )

    def solution(self, p: ReceptiveFieldParams) -> BiText:
        return stack_solution(p.layers)

    def misconceptions(self, p: ReceptiveFieldParams) -> list[Misconception]:
        layers = main_path(p.layers)
        right = receptive_field(layers)
        out: list[Misconception] = []
        if any(layer.kind == "convtranspose" for layer in layers):
            return out  # the recurrence's typical slips do not carry over to a transposed conv's unit-by-unit fields
        if any(layer.kind != "conv" for layer in layers):
            doubled = receptive_field(layers, pool_doubles=True)
            out.append(
                Misconception(
                    "pooling-doubles-rf",
                    record(right._replace(r=doubled.r)),
                    BiText(
                        "“每个池化层让感受野翻倍”并不成立：池化层和卷积层一样，只加 (k − 1)·j_in。"
                        "例如两个 3×3 卷积后接 2×2/2 池化，感受野是 6 而不是 10。",
                        "'Each pooling layer doubles the receptive field' is false: a pool adds (k − 1)·j_in like any window. "
                        "Two 3×3 convs then a 2×2/2 pool give 6, not 10.",
                    ),
                )
            )
        out.append(
            Misconception(
                "summed-kernels",
                record(receptive_field(layers, ignore_stride=True)),
                BiText(
                    "你把各层的 (k − 1) 直接相加（r = 1 + Σ(k − 1)），忽略了步长：前面各层的步长之积 j 会把后面每层的增量放大 j 倍。",
                    "You summed (k − 1) over the layers (r = 1 + Σ(k − 1)) and ignored the strides: the product j of the "
                    "earlier strides scales every later layer's contribution.",
                ),
            )
        )
        out.append(
            Misconception(
                "jump-after-stride",
                record(receptive_field(layers, jump_after=True)),
                BiText(
                    "你用了乘上本层步长之后的 j_out 去放大本层的增量；本层的窗口在它的输入上滑动，应乘 j_in（之前各层步长之积）。",
                    "You scaled this layer's growth by j_out (already multiplied by its own stride); the window slides over "
                    "its input, so the factor is j_in, the product of the earlier strides only.",
                ),
            )
        )
        if any(layer.dilation != 1 for layer in layers):
            out.append(
                Misconception(
                    "ignored-dilation",
                    record(receptive_field(layers, ignore_dilation=True)),
                    BiText(
                        "忽略了 dilation：膨胀卷积的有效核长 k' = d·(k − 1) + 1。",
                        "You ignored the dilation: a dilated kernel's effective size is k' = d·(k − 1) + 1.",
                    ),
                )
            )
        if any(layer.padding for layer in layers):
            out.append(
                Misconception(
                    "start-ignores-padding",
                    record(receptive_field(layers, ignore_padding=True)),
                    BiText(
                        "padding 不改变感受野大小，但会把中心左移 p·j_in：start 的递推里要减去 p。",
                        "Padding does not change the field's size but shifts its centre left by p·j_in: subtract p in the start recurrence.",
                    ),
                )
            )
        return out

    def hints(self, p: ReceptiveFieldParams) -> list[BiText]:
        from quizzer.generators.layers import rf_trace

        concept = BiText(
            "逐层递推，从 r = 1、j = 1、start = 0 开始：膨胀后的核跨 k' = d·(k − 1) + 1，"
            "每层感受野增加 (k' − 1)·j，跳距 j 乘以该层的 stride，中心移动 ((k' − 1)/2 − p)·j。",
            "Work layer by layer from r = 1, j = 1, start = 0: the dilated kernel spans k' = d·(k − 1) + "
            "1, "
            "each layer adds (k' − 1)·j to the field, the jump j multiplies by the layer's stride, and "
            "the "
            "centre moves by ((k' − 1)/2 − p)·j.",
        )
        layers = main_path(p.layers)
        zh, en = rf_steps(layers)
        before, last = rf_trace(layers)[-2], layers[-1]
        held = (
            f"r = {before.r} + ({last.span} − 1)·{before.j} = ?; j = {before.j}·{last.s} = ?; "
            f"start = {fmt(before.start)} + ({fmt((last.span - 1) / 2)} − {last.padding})·{before.j} = ?"
        )
        if len(layers) == 1:
            return [concept, BiText(held.replace("; ", "；"), held)]
        n = len(layers)
        return [
            concept,
            BiText(zh[0], en[0]),
            BiText(
                "\n".join(folded(zh[:-1])) + f"\n第 {n} 层：" + held.replace("; ", "；"),
                "\n".join(folded(en[:-1])) + f"\nLayer {n}: {held}",
            ),
        ]


def _harder(rng: random.Random, layers: tuple[Layer, ...]) -> tuple[Node, ...]:
    """Difficulty 3 sometimes asks what the notes' pooling and residual sections teach: a max pool with
    ceil_mode=True (it changes the output size, never the field), or a run of 'same' 3×3 convs inside a residual
    block with the identity shortcut (the field follows the main path)."""
    roll = rng.random()
    if roll < 0.25:
        pools = [i for i, layer in enumerate(layers) if layer.kind == "maxpool"]
        if pools:
            i = rng.choice(pools)
            return (*layers[:i], layers[i].model_copy(update={"ceil_mode": True}), *layers[i + 1 :])
    elif roll < 0.5:
        same = [
            i
            for i, q in enumerate(layers)
            if q.kind == "conv" and q.kernel_size > 1 and q.s == 1 and 2 * q.padding == q.span - 1
        ]
        if same:
            i = rng.choice(same)
            end = i + 2 if i + 1 in same else i + 1
            return (*layers[:i], Residual(main=layers[i:end]), *layers[end:])
    return layers


def stack_solution(nodes: tuple[Node, ...]) -> BiText:
    """The worked recurrence over the main path, folded for long stacks, with the notes a stack needs."""
    layers = main_path(nodes)
    zh, en = rf_steps(layers)
    rf = receptive_field(layers)
    final = f"receptive_field = {rf.r}, jump = {fmt(rf.j)}, start = {fmt(rf.start)}"
    notes_zh, notes_en = [], []
    if any(isinstance(node, Residual) for node in nodes):
        notes_zh.append(MAIN_PATH_NOTE.zh)
        notes_en.append(MAIN_PATH_NOTE.en)
    if any(layer.kind == "convtranspose" for layer in layers):
        notes_zh.append(TRANSPOSED_RULE.zh)
        notes_en.append(TRANSPOSED_RULE.en)
    return BiText(
        "\n".join(["逐层递推：" + RF_FORMULA.zh, *notes_zh, *folded(zh, HIDDEN_STEPS, "zh"), f"答案：{final}"]),
        "\n".join(["Layer by layer: " + RF_FORMULA.en, *notes_en, *folded(en, HIDDEN_STEPS), f"Answer: {final}"]),
    )
