"""Output shape (C, H, W) through a stack of Conv2d / ConvTranspose2d / MaxPool2d / AvgPool2d layers and residual blocks."""

from __future__ import annotations

import math
import random
from typing import Any

from pydantic import Field, field_serializer, field_validator, model_validator

from quizzer.generators.base import AnswerSpec, Family, Misconception, Params, fmt_shape, given
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
    Layer,
    Node,
    Residual,
    count_layers,
    main_path,
    nodes_text,
    parse_nodes,
)
from quizzer.generators.layers import recognisable_stack
from quizzer.generators.registry import register
from quizzer.generators.shapes import check_shapes, layer_shape, node_shapes, out_size, torch_shapes
from quizzer.text import BiText

MAX_LAYERS = 1000  # shapes are integer arithmetic and torch checks them on the meta device: depth costs little
MAX_SIDE = 1 << 16


def stack_shape(shape: tuple[int, ...], layers: tuple[Node, ...], **mistake: Any) -> list[int] | None:
    """Shape after the whole stack; ``mistake`` switches on one wrong rule. None when a size collapses."""
    shapes = node_shapes((shape[0], shape[1], shape[2]), layers, **mistake)
    return list(shapes[-1]) if shapes else None


class ConvStackParams(Params):
    input_shape: tuple[int, int, int] = Field(
        description="the input's C,H,W, e.g. 3,224,224", json_schema_extra={"zh": "输入的 C,H,W，如 3,224,224"}
    )
    layers: tuple[Node, ...] = Field(
        description=(
            "the layers, separated by ';', e.g. 'conv c=64 k=3 p=1; maxpool k=2', each KIND key=value… with KIND "
            f"{KINDS_EN}; {KEYS_EN}, {OP_EN}, c required on conv and convtranspose; {RES_EN}; {FILE_EN}"
        ),
        json_schema_extra={
            "zh": (
                "各层以 ';' 分隔，如 'conv c=64 k=3 p=1; maxpool k=2'，每层写作 类型 键=值…，类型为 "
                f"{KINDS_ZH}；{KEYS_ZH}、{OP_ZH}，conv 与 convtranspose 必须给 c；{RES_ZH}；{FILE_ZH}"
            )
        },
    )

    @field_validator("input_shape", mode="before")
    @classmethod
    def _three(cls, v: Any) -> Any:
        if isinstance(v, (list, tuple)) and len(v) != 3:
            raise ValueError(f"input_shape is C,H,W (three numbers, e.g. 3,32,32), got {len(v)}")
        return v

    @field_validator("input_shape")
    @classmethod
    def _positive(cls, v: tuple[int, int, int]) -> tuple[int, int, int]:
        if not all(1 <= x <= MAX_SIDE for x in v):
            raise ValueError(f"input_shape is C,H,W with each between 1 and {MAX_SIDE}, e.g. 3,32,32")
        return v

    @field_validator("layers", mode="before")
    @classmethod
    def _parse(cls, v: Any) -> Any:
        if isinstance(v, (list, tuple)) and all(isinstance(x, str) for x in v):
            v = ",".join(v)  # the CLI splits list-typed values on commas; rejoin before parsing
        if isinstance(v, str) and not v.replace(";", "").strip():
            raise ValueError("no layers given; write e.g. 'conv c=64 k=3 p=1; maxpool k=2'")
        return parse_nodes(v)

    @field_serializer("layers")
    def _dump(self, layers: tuple[Node, ...]) -> str:
        return nodes_text(layers)

    @model_validator(mode="after")
    def _well_posed(self) -> ConvStackParams:
        n = count_layers(self.layers)
        if not 1 <= n <= MAX_LAYERS:
            raise ValueError(f"give 1 to {MAX_LAYERS} layers, not {n}")
        check_shapes(self.input_shape, self.layers)
        return self


def _sample_layers(rng: random.Random, difficulty: int, n_layers: int) -> list[dict[str, Any]]:
    if difficulty == 1:
        layers = []
        for i in range(n_layers):
            if i and rng.random() < 0.4:
                layers.append(dict(kind="maxpool", kernel_size=2))
            else:
                k = rng.choice([3, 5])
                layers.append(dict(kind="conv", out_channels=rng.choice([16, 32, 64]), kernel_size=k, padding=k // 2))
        return layers
    # Harder stacks come from known architectures (stride ≤ kernel, 'same' or 'valid' padding, bounded total stride);
    # convs widen as they downsample, as real networks do.
    out, channels = [], rng.choice([16, 32, 64])
    for layer in recognisable_stack(rng, difficulty, n_layers):
        values: dict[str, Any] = dict(
            kind=layer.kind,
            kernel_size=layer.kernel_size,
            stride=layer.s,
            padding=layer.padding,
            dilation=layer.dilation,
        )
        if layer.kind == "conv":
            channels = min(channels * 2, 512) if layer.s > 1 or rng.random() < 0.3 else channels
            values["out_channels"] = channels
        out.append(values)
    return out


@register
class ConvStackShape(Family[ConvStackParams]):
    name = "conv-stack-shape"
    topic = "cnn"
    title = BiText("卷积/池化堆叠后的输出形状", "Output shape through a conv/pool stack")
    answer_spec = AnswerSpec(kind="shape")
    params_model = ConvStackParams

    def sample(self, rng: random.Random, difficulty: int) -> ConvStackParams:
        if difficulty == 1:
            shape = (rng.choice([1, 3]), *(2 * (rng.choice([28, 32, 64]),)))
            n_layers = 2
        elif difficulty == 2:
            shape = (3, *(2 * (rng.randrange(24, 129, 2),)))
            n_layers = 3
        else:
            shape = (rng.choice([1, 3, 16]), rng.randint(15, 100), rng.randint(15, 100))
            n_layers = rng.randint(3, 4)
        layers = _sample_layers(rng, difficulty, n_layers)
        # Ill-posed stacks (a layer larger than its input) fail validation and the registry draws again.
        p = ConvStackParams.model_validate(dict(input_shape=shape, layers=layers))
        if difficulty == 3:
            return _harder(rng, p)
        return p

    def acceptable(self, p: ConvStackParams) -> bool:
        return min(self.solve(p)[1:]) >= 2  # a 1×1 end result makes many mistakes coincide

    def solve(self, p: ConvStackParams) -> list[int]:
        return given(stack_shape(p.input_shape, p.layers))  # the validator refuses a stack whose size collapses

    def verify(self, p: ConvStackParams) -> list[int]:
        return list(torch_shapes(p.input_shape, p.layers)[-1])

    def prompt(self, p: ConvStackParams) -> BiText:
        shape = fmt_shape(p.input_shape)
        code = _code(p)
        return BiText(
            f"形状为 {shape}（C, H, W）的输入依次经过以下层（PyTorch 默认参数未写出）：\n{code}\n输出形状 (C, H, W) 是多少？",
            f"An input of shape {shape} (C, H, W) passes through these layers (PyTorch defaults omitted):\n{code}\n"
            "What is the output shape (C, H, W)?",
        )

    def solution(self, p: ConvStackParams) -> BiText:
        from quizzer.generators.families.receptive_field import HIDDEN_STEPS, folded

        zh = ["每层：out = ⌊(n + 2p − d·(k − 1) − 1) / s⌋ + 1（池化不改变通道数；池化的 stride 默认等于 kernel_size）"]
        en = [
            "Each layer: out = ⌊(n + 2p − d·(k − 1) − 1) / s⌋ + 1 (pooling keeps the channels; a pool's stride defaults to kernel_size)"
        ]
        layers = main_path(p.layers)
        if any(layer.ceil_mode for layer in layers):
            zh.append(CEIL_RULE.zh)
            en.append(CEIL_RULE.en)
        if any(layer.kind == "convtranspose" for layer in layers):
            zh.append(TRANSPOSED_RULE.zh)
            en.append(TRANSPOSED_RULE.en)
        if any(isinstance(node, Residual) for node in p.layers):
            zh.append(RESIDUAL_RULE.zh)
            en.append(RESIDUAL_RULE.en)
        steps_zh, steps_en = [], []
        shape = p.input_shape
        for i, layer in enumerate(layers, 1):
            sizes = [_working(n, layer) for n in dict.fromkeys(shape[1:])]  # one line when H == W
            code = layer.torch_code(shape[0])
            shape = layer_shape(shape, layer)
            where = "  " + "；".join(sizes)
            steps_zh.append(f"第 {i} 层 {code}：\n{where}\n  → {fmt_shape(shape)}")
            steps_en.append(f"Layer {i} {code}:\n{where.replace('；', '; ')}\n  → {fmt_shape(shape)}")
        zh += folded(steps_zh, HIDDEN_STEPS, "zh")
        en += folded(steps_en, HIDDEN_STEPS)
        zh.append(f"输出形状：{fmt_shape(shape)}")
        en.append(f"Output shape: {fmt_shape(shape)}")
        return BiText("\n".join(zh), "\n".join(en))

    def misconceptions(self, p: ConvStackParams) -> list[Misconception]:
        candidates: list[tuple[str, dict[str, Any], BiText]] = [
            (
                "ceil-instead-of-floor",
                dict(rnd=math.ceil),
                BiText(
                    "除不尽时应向下取整（不完整的窗口被丢弃），你向上取整了。",
                    "Round down when the division is not exact (an incomplete window is dropped); you rounded up.",
                ),
            ),
            (
                "pool-stride-default-1",
                dict(pool_stride_1=True),
                BiText(
                    "池化层未写 stride 时默认等于 kernel_size，不是 1。",
                    "A pooling layer's stride defaults to kernel_size, not 1.",
                ),
            ),
            (
                "padding-one-side",
                dict(sides=1),
                BiText(
                    "padding 要加在两侧，公式里是 2p，你只加了一侧。",
                    "Padding goes on both sides (2p); you added it once.",
                ),
            ),
            (
                "forgot-padding",
                dict(no_padding=True),
                BiText(
                    "忽略了 padding：它会让每边多出 p 个像素。",
                    "You ignored the padding, which adds p pixels on each side.",
                ),
            ),
            (
                "ignored-dilation",
                dict(no_dilation=True),
                BiText(
                    "忽略了 dilation：膨胀后的卷积核跨度是 d·(k−1)+1。",
                    "You ignored the dilation: a dilated kernel spans d·(k−1)+1.",
                ),
            ),
        ]
        out = []
        for tag, mistake, diagnosis in candidates:
            value = stack_shape(p.input_shape, p.layers, **mistake)
            if value is not None:
                out.append(Misconception(tag, value, diagnosis))
        if any(layer.ceil_mode for layer in main_path(p.layers)) and (
            value := stack_shape(p.input_shape, p.layers, no_ceil=True)
        ):
            out.append(
                Misconception(
                    "ignored-ceil-mode",
                    value,
                    BiText(
                        "ceil_mode=True 的池化向上取整：不完整的最后一个窗口也算一个输出（只要它从输入或左 padding 内开始）。",
                        "A pool with ceil_mode=True rounds up: a last, incomplete window still gives an output (as long "
                        "as it starts inside the input or the left padding).",
                    ),
                )
            )
        last = p.layers[-1]
        if isinstance(last, Residual):
            shapes = given(node_shapes(p.input_shape, p.layers))
            before = shapes[-len(last.main) - 1] if len(shapes) > len(last.main) else p.input_shape
            side = given(last.shortcut[-1].out_channels) if last.shortcut else before[0]
            c, h, w = shapes[-1]
            out.append(
                Misconception(
                    "concatenated-shortcut",
                    [c + side, h, w],
                    BiText(
                        "残差块把两条路径逐元素相加（y = main(x) + shortcut(x)），通道数不变；拼接通道的是 DenseNet / Inception。",
                        "A residual block adds its two paths element-wise (y = main(x) + shortcut(x)), so the channels "
                        "stay; concatenating channels is what DenseNet and Inception do.",
                    ),
                )
            )
        c_in = p.input_shape[0]
        out.append(
            Misconception(
                "kept-input-channels",
                [c_in, *self.solve(p)[1:]],
                BiText(
                    "卷积的输出通道数由 out_channels（卷积核个数）决定，不是输入通道数。",
                    "A conv's output channel count is its out_channels (number of filters), not the input's channels.",
                ),
            )
        )
        return out

    def hints(self, p: ConvStackParams) -> list[BiText]:
        shape = p.input_shape
        steps: list[tuple[str, str]] = []  # (layer's working without its result, shape after it)
        for layer in main_path(p.layers):
            work = "; ".join(_working(n, layer, result=False) for n in dict.fromkeys(shape[1:]))
            code = layer.torch_code(shape[0])
            shape = layer_shape(shape, layer)
            steps.append((f"{code}: {work}", fmt_shape(shape)))
        first, after = steps[0]
        out = [
            BiText(
                "逐层计算：每层 out = ⌊(n + 2p − d·(k − 1) − 1)/s⌋ + 1；卷积把通道数变成它的 out_channels，"
                "池化不改变通道数，池化的 stride 默认等于 kernel_size。",
                "Go layer by layer: out = ⌊(n + 2p − d·(k − 1) − 1)/s⌋ + 1 at each; a conv sets the channels to "
                "its out_channels, a pool keeps them, and a pool's stride defaults to its kernel_size.",
            )
        ]
        if len(steps) == 1:
            out.append(BiText(f"第 1 层 {first}", f"Layer 1 {first}"))
            return out
        out.append(BiText(f"第 1 层 {first} → {after}", f"Layer 1 {first} → {after}"))
        from quizzer.generators.families.receptive_field import folded

        done = "\n".join(folded([f"{i}. {work} → {after}" for i, (work, after) in enumerate(steps[:-1], 1)]))
        last = f"{len(steps)}. {steps[-1][0]} → ?"
        out.append(BiText(f"{done}\n{last}", f"{done}\n{last}"))
        return out


CEIL_RULE = BiText(
    "ceil_mode=True 的池化向上取整：out = ⌈(n + 2p − d·(k − 1) − 1) / s⌉ + 1，但最后一个窗口必须从输入或左侧 padding 内开始，"
    "否则减 1（PyTorch 的规则）。",
    "A pool with ceil_mode=True rounds up: out = ⌈(n + 2p − d·(k − 1) − 1) / s⌉ + 1, but the last window must start "
    "inside the input or the left padding, else one fewer (PyTorch's rule).",
)
TRANSPOSED_RULE = BiText(
    "转置卷积：out = (n − 1)·s − 2p + d·(k − 1) + output_padding + 1（PyTorch ConvTranspose2d 文档）。",
    "A transposed conv: out = (n − 1)·s − 2p + d·(k − 1) + output_padding + 1 (PyTorch's ConvTranspose2d documentation).",
)
RESIDUAL_RULE = BiText(
    "残差块 y = main(x) + shortcut(x)：输出形状是主路径的，捷径必须给出同样的形状才能相加（下面只列主路径）。",
    "A residual block y = main(x) + shortcut(x) has its main path's output shape; the shortcut must give the same "
    "shape for the sum (only the main path is listed below).",
)


def _working(n: int, layer: Layer, *, result: bool = True) -> str:
    """One size's formula with this layer's numbers (and its value unless ``result`` is False)."""
    k, s, pad, d = layer.kernel_size, layer.s, layer.padding, layer.dilation
    out = out_size(n, layer)
    if layer.kind == "convtranspose":
        text = f"({n} − 1)·{s} − 2·{pad} + {d}·({k} − 1) + {layer.output_padding} + 1"
        return text + f" = {out}" * result
    num = n + 2 * pad - d * (k - 1) - 1
    if layer.ceil_mode:
        text = f"⌈({n} + 2·{pad} − {d}·({k} − 1) − 1) / {s}⌉ + 1"
        plain = -(-num // s) + 1
        fix = f" = {plain}" + (
            f" − 1 = {out} (the last window would start in the right padding)" if out != plain else ""
        )
        return text + fix * result
    text = f"⌊({n} + 2·{pad} − {d}·({k} − 1) − 1) / {s}⌋ + 1"
    return text + f" = ⌊{num} / {s}⌋ + 1 = {out}" * result


def _code(p: ConvStackParams) -> str:
    from quizzer.generators.families.receptive_field import folded

    lines, c = [], p.input_shape[0]
    for node in p.layers:
        if isinstance(node, Residual):
            block, c_block = [], c
            for layer in node.main:
                block.append("        " + layer.torch_code(c) + ",")
                c = given(layer.out_channels) if layer.kind in ("conv", "convtranspose") else c
            shortcut = ", ".join(layer.torch_code(c_block) for layer in node.shortcut) or "identity"
            lines += ["    Residual(  # main path, then + shortcut", *block, f"        shortcut: {shortcut}", "    ),"]
            continue
        lines.append("    " + node.torch_code(c) + ",")
        c = given(node.out_channels) if node.kind in ("conv", "convtranspose") else c
    return "nn.Sequential(\n" + "\n".join(folded(lines)) + "\n)"


def _harder(rng: random.Random, p: ConvStackParams) -> ConvStackParams:
    """Difficulty 3 sometimes adds what the notes' pooling and residual sections teach: a ceil_mode pool where
    it changes the size, or a ResNet basic block with its projection shortcut on top."""
    roll = rng.random()
    nodes = list(p.layers)
    if roll < 0.3:
        shape = p.input_shape
        flips = []
        for i, node in enumerate(nodes):
            if isinstance(node, Layer) and node.kind == "maxpool":
                ceil = node.model_copy(update={"ceil_mode": True})
                if layer_shape(shape, ceil) != layer_shape(shape, node):
                    flips.append((i, ceil))
            shape = layer_shape(shape, node) if isinstance(node, Layer) else shape
        if flips:
            i, ceil = rng.choice(flips)
            nodes[i] = ceil
    elif roll < 0.55:
        c, h, _w = given(node_shapes(p.input_shape, p.layers))[-1]
        width = min(2 * c, 512)
        # He et al. 2016, Fig. 2 / §3.3: two 3×3 convs, the first downsampling, and a 1×1 stride-2 projection.
        block = f"res(conv c={width} k=3 s=2 p=1; conv c={width} k=3 p=1 | conv c={width} k=1 s=2)"
        if h < 6:
            block = f"res(conv c={c} k=3 p=1; conv c={c} k=3 p=1)"  # too small to halve again: the identity block
        nodes += parse_nodes(block)
    return ConvStackParams.model_validate(dict(input_shape=p.input_shape, layers=tuple(nodes)))
