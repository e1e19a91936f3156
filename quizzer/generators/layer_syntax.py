"""The one layer syntax of the stack families: 'conv c=64 k=3 s=2 p=1; maxpool k=3 s=2 ceil_mode=true'.

Shared by receptive-field, rf-extra-layer, rf-min-layers and conv-stack-shape, typed inline (layers are
separated by ';') or read from a networks file, one layer per line (``quizzer.generators.netfile``).

A residual block is ``res( main layers | shortcut layers )``; without ``|`` the shortcut is the identity.
The parser turns text into ``Layer`` and ``Residual`` nodes and names the layer (or the file and line)
in every error.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any, Literal

from pydantic import Field, ValidationError, model_validator

from quizzer.generators.base import Params

LayerKind = Literal["conv", "convtranspose", "maxpool", "avgpool"]
KINDS: tuple[LayerKind, ...] = ("conv", "convtranspose", "maxpool", "avgpool")
# What people type for each kind, torch's class names included.
_ALIASES: dict[str, LayerKind] = {
    "conv": "conv",
    "conv2d": "conv",
    "convtranspose": "convtranspose",
    "convtranspose2d": "convtranspose",
    "conv_transpose": "convtranspose",
    "deconv": "convtranspose",
    "maxpool": "maxpool",
    "maxpool2d": "maxpool",
    "avgpool": "avgpool",
    "avgpool2d": "avgpool",
}
_KEYS = {
    "c": "out_channels",
    "k": "kernel_size",
    "s": "stride",
    "p": "padding",
    "d": "dilation",
    "g": "groups",
    "op": "output_padding",
    "ceil": "ceil_mode",
}
_LONG = {v: k for k, v in _KEYS.items()}
_TORCH = {"conv": "Conv2d", "convtranspose": "ConvTranspose2d", "maxpool": "MaxPool2d", "avgpool": "AvgPool2d"}
_BOOLS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
KEYS_HELP = (
    "keys are k (kernel_size), s (stride), p (padding), d (dilation), c (out_channels), g (groups), "
    "op (output_padding) and ceil (ceil_mode)"
)
# A layer-string parameter's one-line meaning (``Field(description=…, json_schema_extra={"zh": …})``), pieced
# together per family: which kinds it takes, the keys, residual blocks, and whether --layers-file fills it.
KINDS_EN = "conv, convtranspose, maxpool or avgpool"
KINDS_ZH = "conv、convtranspose、maxpool 或 avgpool"
KEYS_EN = "keys c (out channels), k (kernel), s (stride), p (padding), d (dilation), g (groups), ceil_mode=true (pools)"
KEYS_ZH = "键 c（输出通道）、k（核大小）、s（步幅）、p（补零）、d（膨胀）、g（分组）、ceil_mode=true（池化）"
OP_EN = "op (output_padding of a convtranspose)"
OP_ZH = "op（convtranspose 的 output_padding）"
RES_EN = "'res( main | shortcut )' is a residual block (no '|': identity shortcut)"
RES_ZH = "'res( 主路径 | 捷径 )' 是残差块（无 '|' 则捷径为恒等）"
FILE_EN = "or give them with --layers-file FILE, one layer per line"
FILE_ZH = "也可用 --layers-file 文件 给出，每行一层"
BIG = 1 << 16  # a bound on every size, far above any network's, so arithmetic stays small


class Layer(Params):
    """One layer's geometry (and, for the shape family, its output channels)."""

    kind: LayerKind = Field(description="conv, convtranspose, maxpool or avgpool")
    out_channels: int | None = Field(default=None, ge=1, le=BIG, description="output channels of a conv (c=)")
    kernel_size: int = Field(ge=1, le=BIG, description="window side k")
    stride: int | None = Field(default=None, ge=1, le=BIG, description="stride s (torch's default when left out)")
    padding: int = Field(default=0, ge=0, le=BIG, description="zero padding p on each side")
    dilation: int = Field(default=1, ge=1, le=BIG, description="dilation d (conv, convtranspose, maxpool)")
    groups: int = Field(default=1, ge=1, le=BIG, description="groups g of a conv or convtranspose")
    output_padding: int = Field(default=0, ge=0, le=BIG, description="output_padding op of a convtranspose")
    ceil_mode: bool = Field(default=False, description="ceil_mode of a pool: round the output size up")

    @model_validator(mode="before")
    @classmethod
    def _default_stride(cls, values: Any) -> Any:
        # torch's defaults (1 for convs, kernel_size for pools), filled in so equal layers compare equal
        if isinstance(values, dict) and values.get("stride") is None and "kernel_size" in values:
            pool = values.get("kind") in ("maxpool", "avgpool")
            values = {**values, "stride": values["kernel_size"] if pool else 1}
        return values

    @model_validator(mode="after")
    def _torch_rules(self) -> Layer:
        pool = self.kind in ("maxpool", "avgpool")
        if self.kind == "avgpool" and self.dilation != 1:
            raise ValueError("avgpool has no dilation in torch; drop d=")
        if pool and self.out_channels is not None:
            raise ValueError(f"{self.kind} keeps the channel count; drop c=")
        if pool and self.groups != 1:
            raise ValueError(f"g (groups) belongs to conv layers, not to {self.kind}")
        if self.kind != "convtranspose" and self.output_padding:
            raise ValueError("op (output_padding) belongs to convtranspose layers only")
        if not pool and self.ceil_mode:
            raise ValueError("ceil_mode belongs to pooling layers (maxpool, avgpool) only")
        if pool and self.padding > self.kernel_size // 2:  # torch checks k, not the dilated span
            raise ValueError(
                f"p (padding) of a {self.kind} must be at most k // 2 = {self.kernel_size // 2} (torch's rule)"
            )
        if self.kind == "convtranspose":
            if self.output_padding >= max(self.s, self.dilation):
                raise ValueError("op (output_padding) must be smaller than the stride or the dilation (torch's rule)")
            if len({t * self.dilation % self.s for t in range(self.kernel_size)}) < self.s:
                # The kernel's taps, dilation apart, miss some output positions between two input pixels: those
                # units see no input at all (torch gives them the bias only), so they have no receptive field.
                raise ValueError(
                    f"with stride {self.s} the kernel (k={self.kernel_size}, d={self.dilation}) leaves some output "
                    "units without any input; use k ≥ s"
                )
        return self

    @property
    def s(self) -> int:
        """The stride in effect: torch's default is 1 for convs and kernel_size for pools."""
        if self.stride is not None:
            return self.stride
        return self.kernel_size if self.kind in ("maxpool", "avgpool") else 1

    @property
    def span(self) -> int:
        """Effective kernel size k' = d·(k − 1) + 1."""
        return self.dilation * (self.kernel_size - 1) + 1

    @property
    def default_stride(self) -> bool:
        return self.s == (self.kernel_size if self.kind in ("maxpool", "avgpool") else 1)

    def text(self) -> str:
        """Canonical 'conv c=64 k=3 s=2 p=1' form, defaults left out; the parser reads it back."""
        parts = [self.kind] + [f"c={self.out_channels}"] * (self.out_channels is not None) + [f"k={self.kernel_size}"]
        parts += [f"s={self.s}"] * (not self.default_stride)
        parts += [f"p={self.padding}"] * (self.padding != 0) + [f"d={self.dilation}"] * (self.dilation != 1)
        parts += [f"g={self.groups}"] * (self.groups != 1) + [f"op={self.output_padding}"] * (self.output_padding != 0)
        return " ".join(parts + ["ceil_mode=true"] * self.ceil_mode)

    def _extra_args(self) -> list[str]:
        out = [f"dilation={self.dilation}"] * (self.dilation != 1) + [f"groups={self.groups}"] * (self.groups != 1)
        out += [f"output_padding={self.output_padding}"] * (self.output_padding != 0)
        return out + ["ceil_mode=True"] * self.ceil_mode

    def torch_text(self) -> str:
        """As PyTorch would be called, stride and padding always shown so no default has to be recalled."""
        args = [f"kernel_size={self.kernel_size}", f"stride={self.s}", f"padding={self.padding}", *self._extra_args()]
        return f"{_TORCH[self.kind]}({', '.join(args)})"

    def torch_code(self, c_in: int) -> str:
        """The layer as written in a PyTorch model with channels, defaults omitted."""
        args = [f"kernel_size={self.kernel_size}"]
        if self.kind in ("conv", "convtranspose"):
            args = [f"{c_in}, {self.out_channels}, kernel_size={self.kernel_size}"]
        args += [f"stride={self.s}"] * (not self.default_stride) + [f"padding={self.padding}"] * (self.padding != 0)
        return f"nn.{_TORCH[self.kind]}({', '.join(args + self._extra_args())})"


class Residual(Params):
    """y = main(x) + shortcut(x); an empty shortcut is the identity."""

    kind: Literal["res"] = "res"
    main: tuple[Layer, ...] = Field(min_length=1, description="the block's main path")
    shortcut: tuple[Layer, ...] = Field(default=(), description="the projection shortcut; empty for the identity")

    def text(self) -> str:
        body = "; ".join(layer.text() for layer in self.main)
        if self.shortcut:
            body += " | " + "; ".join(layer.text() for layer in self.shortcut)
        return f"res({body})"


Node = Layer | Residual


def main_path(nodes: Iterable[Node]) -> tuple[Layer, ...]:
    """The layers along the main path: a residual block contributes its main branch."""
    out: list[Layer] = []
    for node in nodes:
        out.extend(node.main if isinstance(node, Residual) else (node,))
    return tuple(out)


def nodes_text(nodes: Iterable[Node]) -> str:
    return "; ".join(node.text() for node in nodes)


def count_layers(nodes: Iterable[Node]) -> int:
    return sum(len(n.main) + len(n.shortcut) if isinstance(n, Residual) else 1 for n in nodes)


# --- parsing ------------------------------------------------------------------------------------------------------
Piece = tuple[str, str]  # (text, where): a layer or a 'res(' / '|' / ')' marker, and how to name it in an error
_MARKERS = re.compile(r"((?:res|residual)\s*\(|\||\))", re.IGNORECASE)


def pieces(text: str, where: str | None = None) -> Iterator[Piece]:
    """Split text into layers and block markers. ``where`` names every piece (a file's 'net.txt:12'); without it
    each layer is named by its number and text, as typed inline."""
    for part in _MARKERS.split(text):
        if _MARKERS.fullmatch(part.strip() or "-"):
            yield part.strip().lower().replace(" ", ""), where or ""
            continue
        for layer in part.split(";"):
            if layer.strip():
                yield layer.strip(), where or ""


def parse_pieces(items: Iterable[Piece]) -> tuple[Node, ...]:
    """Nodes from pieces; residual blocks do not nest (no network the notes discuss needs that)."""
    out: list[Node] = []
    block: list[list[Layer]] | None = None  # main, then shortcut, while inside 'res( … )'
    opened = ""
    number = 0
    for text, where in items:
        inline = not where and text in ("res(", "residual(", "|", ")")
        if inline:  # typed inline: say where among the layers
            where = f"after layer {number}" if number else "at the start"
        if text in ("res(", "residual("):
            if block is not None:
                raise ValueError(f"{where}: residual blocks do not nest; close the one opened {opened} first")
            block, opened = [[]], where if inline else f"at {where}"
            continue
        if text in ("|", ")"):
            if block is None:
                raise ValueError(f"{where}: {text!r} outside a residual block; open one with 'res('")
            if text == "|":
                if len(block) == 2:
                    raise ValueError(f"{where}: a residual block has one '|' (main path | shortcut)")
                block.append([])
                continue
            if not block[0]:
                raise ValueError(f"{where}: the residual block opened {opened} has no main-path layer")
            out.append(Residual(main=tuple(block[0]), shortcut=tuple(block[1]) if len(block) == 2 else ()))
            block = None
            continue
        number += 1
        layer = parse_layer(text, where or f"layer {number} ({text!r})")
        (block[-1] if block is not None else out).append(layer)
    if block is not None:
        raise ValueError(f"the residual block opened {opened} is not closed with ')'")
    return tuple(out)


def parse_layer(text: str, where: str) -> Layer:
    """One layer from 'conv k=3 s=2 p=1' (torch's argument names work too); errors start with ``where``."""
    words = [w for w in re.split(r"[\s,]+", text.strip()) if w]
    kind = _ALIASES.get(words[0].lower().removesuffix("1d"))
    if kind is None:
        raise ValueError(f"{where}: unknown layer kind {words[0]!r}; use conv, convtranspose, maxpool or avgpool")
    values: dict[str, Any] = {"kind": kind}
    for word in words[1:]:
        key, sep, value = word.partition("=")
        key = key.lower()
        if not sep:
            hint = "; separate layers with ';'" if key in _ALIASES else ""
            raise ValueError(f"{where}: cannot read {word!r}, write key=value ({KEYS_HELP}){hint}")
        name = _KEYS.get(key) or (key if key in _LONG else None)
        if name is None:
            raise ValueError(f"{where}: unknown key {key!r}; {KEYS_HELP}")
        if name in values:
            raise ValueError(f"{where}: key {_LONG[name]} given twice")
        if name == "ceil_mode":
            if value.lower() not in _BOOLS:
                raise ValueError(f"{where}: ceil_mode is true or false, got {value!r}")
            values[name] = _BOOLS[value.lower()]
            continue
        if not re.fullmatch(r"\d{1,9}", value):
            raise ValueError(f"{where}: {_LONG[name]} must be a non-negative integer, got {value!r}")
        values[name] = int(value)
    if "kernel_size" not in values:
        raise ValueError(f"{where}: needs a kernel size, e.g. '{kind} k=3'")
    try:
        return Layer(**values)
    except ValidationError as exc:  # name the key the user typed, not pydantic's field path
        msgs = []
        for err in exc.errors():
            field = str(err["loc"][0]) if err["loc"] else ""
            label = f"{_LONG[field]} ({field}): " if field in _LONG else ""
            msgs.append(label + err["msg"].removeprefix("Value error, "))
        raise ValueError(f"{where}: " + "; ".join(msgs)) from None


def parse_nodes(value: Any) -> tuple[Node, ...]:
    """Nodes from text, a list of texts/dicts/nodes, or a tuple of nodes. Errors name the layer and key."""
    if isinstance(value, (Layer, Residual)):
        return (value,)
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, str) for v in value):
        value = ", ".join(value)  # the CLI splits list-typed values on commas; rejoin before parsing
    if isinstance(value, str):
        texts = value.split(";")
        for i, text in enumerate(texts[:-1], 1):
            if not text.strip() and not _MARKERS.search(value):
                raise ValueError(f"layer {i} is empty (two ';' in a row?)")
        return parse_pieces(pieces(value))
    if isinstance(value, (list, tuple)):
        out: list[Node] = []
        for i, item in enumerate(value, 1):
            if isinstance(item, (Layer, Residual)):
                out.append(item)
            elif isinstance(item, dict):
                try:
                    out.append(Residual(**item) if item.get("kind") == "res" else Layer(**item))
                except ValidationError as exc:
                    raise ValueError(f"layer {i}: {exc.errors()[0]['msg'].removeprefix('Value error, ')}") from None
            else:
                raise ValueError(f"layer {i}: expected text like 'conv k=3', got {item!r}")
        return tuple(out)
    raise ValueError(f"expected layers as text like 'conv k=3; maxpool k=2', got {value!r}")
