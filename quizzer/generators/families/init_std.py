"""Std or bound of torch.nn.init's Xavier/Kaiming initialisers for a Linear or Conv2d weight."""

from __future__ import annotations

import math
import random
from typing import Any, Literal

from pydantic import Field, model_validator

from quizzer.generators.base import AnswerSpec, Family, Misconception, Params, fmt, given
from quizzer.generators.registry import register
from quizzer.text import BiText

Init = Literal["xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_"]
Nonlinearity = Literal["relu", "leaky_relu", "linear", "sigmoid", "tanh"]


class InitStdParams(Params):
    init: Init = Field(
        default="kaiming_normal_",
        description="the torch.nn.init function",
        json_schema_extra={"zh": "torch.nn.init 中的初始化函数"},
    )
    layer: Literal["linear", "conv2d"] = Field(
        default="linear",
        description="the layer whose weight is initialised",
        json_schema_extra={"zh": "被初始化权重的层"},
    )
    in_features: int | None = Field(
        default=None,
        ge=1,
        le=4096,
        description="Linear's in_features; only with layer=linear",
        json_schema_extra={"zh": "Linear 的 in_features；仅用于 layer=linear"},
    )
    out_features: int | None = Field(
        default=None,
        ge=1,
        le=4096,
        description="Linear's out_features; only with layer=linear",
        json_schema_extra={"zh": "Linear 的 out_features；仅用于 layer=linear"},
    )
    in_channels: int | None = Field(
        default=None,
        ge=1,
        le=4096,
        description="Conv2d's in_channels; only with layer=conv2d",
        json_schema_extra={"zh": "Conv2d 的 in_channels；仅用于 layer=conv2d"},
    )
    out_channels: int | None = Field(
        default=None,
        ge=1,
        le=4096,
        description="Conv2d's out_channels; only with layer=conv2d",
        json_schema_extra={"zh": "Conv2d 的 out_channels；仅用于 layer=conv2d"},
    )
    kernel_size: int | None = Field(
        default=None,
        ge=1,
        le=11,
        description="Conv2d's square kernel size; only with layer=conv2d",
        json_schema_extra={"zh": "Conv2d 的方形卷积核大小；仅用于 layer=conv2d"},
    )
    # Kaiming-only and Xavier-only arguments stay None for the other family, so dumps re-validate unchanged.
    mode: Literal["fan_in", "fan_out"] | None = Field(
        default=None,
        description="Kaiming's fan: fan_in or fan_out (default fan_in); kaiming only",
        json_schema_extra={"zh": "Kaiming 使用的 fan：fan_in 或 fan_out（默认 fan_in）；仅 kaiming"},
    )
    nonlinearity: Nonlinearity | None = Field(
        default=None,
        description="the activation the gain is computed for (default leaky_relu); kaiming only",
        json_schema_extra={"zh": "计算增益所依据的激活函数（默认 leaky_relu）；仅 kaiming"},
    )
    a: float | None = Field(
        default=None,
        ge=0,
        le=10,
        description="leaky_relu's negative slope in Kaiming's gain (default 0); kaiming only",
        json_schema_extra={"zh": "Kaiming 增益中 leaky_relu 的负斜率（默认 0）；仅 kaiming"},
    )
    gain: float | None = Field(
        default=None,
        gt=0,
        le=10,
        description="Xavier's scaling factor (default 1); xavier only",
        json_schema_extra={"zh": "Xavier 的缩放因子（默认 1）；仅 xavier"},
    )
    quantity: Literal["std", "bound"] = Field(
        default="std",
        description="std: the standard deviation; bound: the uniform bound b of U(−b, b)",
        json_schema_extra={"zh": "std：标准差；bound：均匀分布 U(−b, b) 的界 b"},
    )

    @model_validator(mode="before")
    @classmethod
    def _torch_defaults(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if str(data.get("init", "kaiming_normal_")).startswith("kaiming"):
            if data.get("mode") is None:
                data["mode"] = "fan_in"
            if data.get("nonlinearity") is None:
                data["nonlinearity"] = "leaky_relu"  # torch's default, with a = 0 (same gain as relu)
            if data["nonlinearity"] == "leaky_relu" and data.get("a") is None:
                data["a"] = 0.0
        elif data.get("gain") is None:
            data["gain"] = 1.0
        return data

    @model_validator(mode="after")
    def _well_posed(self) -> InitStdParams:
        if self.layer == "linear":
            if self.in_features is None or self.out_features is None:
                raise ValueError("layer=linear needs in_features and out_features")
            if (self.in_channels, self.out_channels, self.kernel_size) != (None, None, None):
                raise ValueError("in_channels/out_channels/kernel_size belong to layer=conv2d")
        else:
            if None in (self.in_channels, self.out_channels, self.kernel_size):
                raise ValueError("layer=conv2d needs in_channels, out_channels and kernel_size")
            if (self.in_features, self.out_features) != (None, None):
                raise ValueError("in_features/out_features belong to layer=linear")
        if self.init.startswith("xavier"):
            if (self.mode, self.nonlinearity, self.a) != (None, None, None):
                raise ValueError("mode, nonlinearity and a are kaiming arguments; xavier uses both fans and a gain")
        else:
            if self.gain is not None:
                raise ValueError("gain is a xavier argument; kaiming derives its gain from nonlinearity (and a)")
            if self.nonlinearity != "leaky_relu" and self.a is not None:
                raise ValueError("a (the negative slope) only applies with nonlinearity=leaky_relu")
        if self.quantity == "bound" and self.init.endswith("normal_"):
            raise ValueError("a normal initialiser has no bound; ask for quantity=std")
        return self


def fans(p: InitStdParams) -> tuple[int, int, int]:
    """(fan_in, fan_out, receptive field) as torch counts them for the weight tensor."""
    if p.layer == "linear":
        return given(p.in_features), given(p.out_features), 1
    rf = given(p.kernel_size) * given(p.kernel_size)
    return given(p.in_channels) * rf, given(p.out_channels) * rf, rf


def kaiming_gain(p: InitStdParams) -> float:
    # torch.nn.init.calculate_gain's table.
    if p.nonlinearity == "relu":
        return math.sqrt(2.0)
    if p.nonlinearity == "leaky_relu":
        return math.sqrt(2.0 / (1 + given(p.a) ** 2))
    return 5.0 / 3 if p.nonlinearity == "tanh" else 1.0


def init_std(p: InitStdParams) -> float:
    """The std of the distribution the weights are drawn from (a uniform U(−b, b) has std b/√3)."""
    fan_in, fan_out, _ = fans(p)
    if p.init.startswith("xavier"):
        return given(p.gain) * math.sqrt(2.0 / (fan_in + fan_out))
    return kaiming_gain(p) / math.sqrt(fan_in if p.mode == "fan_in" else fan_out)


def _answer(p: InitStdParams, std: float) -> float:
    return std * math.sqrt(3.0) if p.quantity == "bound" else std


@register
class InitStd(Family[InitStdParams]):
    name = "init-std"
    topic = "gradients"
    title = BiText("Xavier / Kaiming 初始化的标准差与边界", "Std and bound of Xavier / Kaiming initialisation")
    answer_spec = AnswerSpec(kind="float", rel_tol=1e-3, abs_tol=1e-6)
    params_model = InitStdParams

    def sample(self, rng: random.Random, difficulty: int) -> InitStdParams:
        values: dict[str, Any]
        if difficulty == 1:
            init = rng.choice(["kaiming_normal_", "xavier_uniform_", "xavier_normal_"])
            values = dict(
                init=init,
                layer="linear",
                in_features=rng.choice([50, 100, 128, 200, 512, 800]),
                out_features=rng.choice([50, 100, 200, 256, 400]),
            )
            if init.startswith("kaiming"):
                values.update(mode="fan_in", nonlinearity="relu")
        else:
            init = rng.choice(["kaiming_normal_", "kaiming_uniform_", "xavier_normal_", "xavier_uniform_"])
            if rng.random() < 0.5:
                values = dict(
                    layer="linear",
                    in_features=rng.choice([64, 100, 128, 300, 784, 1024]),
                    out_features=rng.choice([10, 64, 128, 256, 500]),
                )
            else:
                values = dict(
                    layer="conv2d",
                    in_channels=rng.choice([1, 3, 16, 32, 64, 128]),
                    out_channels=rng.choice([16, 32, 64, 128, 256]),
                    kernel_size=rng.choice([3, 3, 5, 7] if difficulty == 2 else [1, 3, 5, 7, 11]),
                )
            values["init"] = init
            if init.startswith("kaiming"):
                values["mode"] = rng.choice(["fan_in", "fan_out"])
                if difficulty == 2:
                    values["nonlinearity"] = "relu"
                else:
                    values["nonlinearity"] = rng.choice(["relu", "leaky_relu", "leaky_relu", "linear", "tanh"])
                    if values["nonlinearity"] == "leaky_relu":
                        values["a"] = rng.choice([0.01, 0.1, 0.2, 0.5])
            elif difficulty == 3:
                values["gain"] = rng.choice([1.0, 0.5, 1.5, 2.0])
            uniform = init.endswith("uniform_")
            values["quantity"] = "bound" if uniform and (difficulty == 2 or rng.random() < 0.5) else "std"
        return InitStdParams(**values)

    def solve(self, p: InitStdParams) -> float:
        return _answer(p, init_std(p))

    def verify(self, p: InitStdParams) -> float:
        import torch
        from torch import nn
        from torch.utils._python_dispatch import TorchDispatchMode

        # Run the real initialiser on the real layer's weight and record the distribution it hands to the
        # sampler (aten.uniform_(from, to) / aten.normal_(mean, std)): exact, and meta tensors make it free.
        # A large-sample empirical check that these are the drawn distributions lives in the tests.
        draws_ops = (torch.ops.aten.uniform_.default, torch.ops.aten.normal_.default)

        class Capture(TorchDispatchMode):
            def __init__(self) -> None:
                super().__init__()
                self.calls: list[tuple[Any, tuple, dict]] = []

            def __torch_dispatch__(self, func, types, args=(), kwargs=None):
                self.calls.append((func, args, kwargs or {}))
                if func in draws_ops:
                    return args[0]  # a meta tensor holds no values to draw into
                return func(*args, **(kwargs or {}))

        if p.layer == "linear":
            weight = nn.Linear(given(p.in_features), given(p.out_features), device="meta").weight
        else:
            weight = nn.Conv2d(given(p.in_channels), given(p.out_channels), given(p.kernel_size), device="meta").weight
        fn = getattr(nn.init, p.init)
        kwargs: dict[str, Any] = (
            dict(gain=given(p.gain)) if p.init.startswith("xavier") else dict(mode=p.mode, nonlinearity=p.nonlinearity)
        )
        if p.a is not None:
            kwargs["a"] = p.a
        with Capture() as cap:
            fn(weight, **kwargs)
        draws = [call for call in cap.calls if call[0] in draws_ops]
        if len(draws) != 1:
            raise RuntimeError(f"expected one draw from {p.init}, saw {[str(f) for f, _, _ in cap.calls]}")
        func, args, kwargs = draws[0]

        def argument(index: int, name: str, default: float) -> float:
            # Arguments equal to the op's defaults may be left out (normal_(mean=0, std=1) for a std of 1).
            return float(args[index]) if len(args) > index else float(kwargs.get(name, default))

        if func is torch.ops.aten.normal_.default:
            return argument(2, "std", 1.0)
        low, high = argument(1, "from", 0.0), argument(2, "to", 1.0)
        return high if p.quantity == "bound" else (high - low) / math.sqrt(12.0)  # std of U(low, high)

    def _layer(self, p: InitStdParams) -> str:
        if p.layer == "linear":
            return f"nn.Linear(in_features={p.in_features}, out_features={p.out_features})"
        return f"nn.Conv2d(in_channels={p.in_channels}, out_channels={p.out_channels}, kernel_size={p.kernel_size})"

    def _call(self, p: InitStdParams) -> str:
        if p.init.startswith("xavier"):
            return f"nn.init.{p.init}(w, gain={fmt(given(p.gain))})"
        a = f", a={fmt(p.a)}" if p.a is not None else ""
        return f"nn.init.{p.init}(w{a}, mode='{p.mode}', nonlinearity='{p.nonlinearity}')"

    def prompt(self, p: InitStdParams) -> BiText:
        if p.quantity == "bound":
            q = BiText("权重从 U(−b, b) 中抽取，b 是多少？", "The entries are drawn from U(−b, b); what is b?")
        elif p.init.endswith("uniform_"):
            q = BiText(
                "权重所服从的均匀分布的标准差是多少？",
                "What is the standard deviation of the uniform distribution the entries are drawn from?",
            )
        else:
            q = BiText(
                "权重所服从的正态分布的标准差是多少？",
                "What is the standard deviation of the normal distribution the entries are drawn from?",
            )
        return (
            BiText(
                f"层 {self._layer(p)} 的权重 w 用 {self._call(p)} 初始化。",
                f"The weight w of {self._layer(p)} is initialised with {self._call(p)}. ",
            )
            + q
            + BiText("给出一个数。", " Give a number.")
        )

    def solution(self, p: InitStdParams) -> BiText:
        fan_in, fan_out, _ = fans(p)
        if p.layer == "linear":
            fan_line = f"fan_in = in_features = {fan_in}, fan_out = out_features = {fan_out}"
        else:
            k = p.kernel_size
            fan_line = (
                f"fan_in = in_channels·k·k = {p.in_channels}×{k}×{k} = {fan_in}, "
                f"fan_out = out_channels·k·k = {p.out_channels}×{k}×{k} = {fan_out}"
            )
        std, lines = init_std(p), [fan_line]
        if p.init.startswith("xavier"):
            gain = fmt(given(p.gain))
            lines.append(f"std = gain·√(2 / (fan_in + fan_out)) = {gain} × √(2 / {fan_in + fan_out}) = {fmt(std)}")
        else:
            g, fan = kaiming_gain(p), (fan_in if p.mode == "fan_in" else fan_out)
            gain_rule = (
                f"√(2 / (1 + {fmt(given(p.a))}²))"
                if p.nonlinearity == "leaky_relu"
                else {"relu": "√2", "tanh": "5/3"}.get(p.nonlinearity or "", "1")
            )
            lines.append(f"gain({p.nonlinearity}) = {gain_rule} = {fmt(g)}")
            lines.append(f"std = gain / √{p.mode} = {fmt(g)} / √{fan} = {fmt(std)}")
        body = "\n  ".join(lines)
        tail_zh = tail_en = ""
        if p.init.endswith("uniform_"):
            b = fmt(std * math.sqrt(3.0))
            tail_zh = f"\n  U(−b, b) 的标准差是 b/√3，所以 b = √3·std = {b}"
            tail_en = f"\n  U(−b, b) has std b/√3, so b = √3·std = {b}"
        return BiText(f"{body}{tail_zh}", f"{body}{tail_en}")

    def misconceptions(self, p: InitStdParams) -> list[Misconception]:
        fan_in, fan_out, rf = fans(p)
        std = init_std(p)
        ms: list[Misconception] = []
        if p.init.startswith("kaiming"):
            other = fan_out if p.mode == "fan_in" else fan_in
            ms.append(
                Misconception(
                    "swapped-fan-mode",
                    _answer(p, kaiming_gain(p) / math.sqrt(other)),
                    BiText(
                        f"mode='{p.mode}' 用的是 {p.mode}；你用了另一个 fan。",
                        f"mode='{p.mode}' uses {p.mode}; you used the other fan.",
                    ),
                )
            )
            if p.nonlinearity in ("relu", "leaky_relu"):
                g = fmt(kaiming_gain(p))
                ms.append(
                    Misconception(
                        "forgot-gain",
                        _answer(p, std / kaiming_gain(p)),
                        BiText(
                            f"漏了增益 gain = {g}：ReLU 把一半输入置零、方差减半，要乘 √2（leaky_relu 为 √(2/(1+a²))）补回来。",
                            f"You forgot the gain {g}: ReLU zeroes half its inputs, halving the variance, which √2 "
                            "(√(2/(1+a²)) for leaky_relu) restores.",
                        ),
                    )
                )
                ms.append(
                    Misconception(
                        "variance-gain-as-std",
                        _answer(p, std * kaiming_gain(p)),
                        BiText(
                            "把方差的放大倍数 2 当成了标准差的增益；标准差的增益是 √2。",
                            "You used the variance factor 2 as the std gain; the std gain is √2.",
                        ),
                    )
                )
            ms.append(
                Misconception(
                    "used-xavier",
                    _answer(p, math.sqrt(2.0 / (fan_in + fan_out))),
                    BiText(
                        "这是 Xavier 的公式 √(2/(fan_in+fan_out))；Kaiming 只用一个 fan 并乘 ReLU 增益。",
                        "That is Xavier's √(2/(fan_in+fan_out)); Kaiming uses one fan and the nonlinearity's gain.",
                    ),
                )
            )
        else:
            # He's √(2/fan_in) already holds its own gain (√2, for ReLU): the learner's value is exactly that, not
            # that times the xavier gain, which would apply a gain twice.
            ms.append(
                Misconception(
                    "used-he",
                    _answer(p, math.sqrt(2.0 / fan_in)),
                    BiText(
                        f"这是 He (Kaiming) 针对 ReLU 的 √(2/fan_in) = √(2/{fan_in})；Xavier 用 fan_in 与 fan_out 的平均并乘 gain："
                        "gain·√(2/(fan_in+fan_out))。",
                        f"That is He (Kaiming)'s √(2/fan_in) = √(2/{fan_in}) for ReLU; Xavier averages the fans and multiplies "
                        "by the gain: gain·√(2/(fan_in+fan_out)).",
                    ),
                )
            )
        if rf > 1:
            wrong = InitStdParams(
                **{
                    **p.model_dump(),
                    "layer": "linear",
                    "in_features": p.in_channels,
                    "out_features": p.out_channels,
                    "in_channels": None,
                    "out_channels": None,
                    "kernel_size": None,
                }
            )
            ms.append(
                Misconception(
                    "forgot-receptive-field",
                    self.solve(wrong),
                    BiText(
                        f"卷积的 fan 要乘感受野大小 k·k = {rf}：fan_in = in_channels·k·k。",
                        f"A conv's fans include the receptive field k·k = {rf}: fan_in = in_channels·k·k.",
                    ),
                )
            )
        if p.init.endswith("uniform_"):
            other_q = std if p.quantity == "bound" else std * math.sqrt(3.0)
            ms.append(
                Misconception(
                    "std-vs-bound",
                    other_q,
                    BiText(
                        "混淆了标准差和边界：U(−b, b) 的标准差是 b/√3，所以 b = √3·std。",
                        "You mixed up std and bound: U(−b, b) has std b/√3, so b = √3·std.",
                    ),
                )
            )
        else:
            ms.append(
                Misconception(
                    "gave-uniform-bound",
                    std * math.sqrt(3.0),
                    BiText(
                        "这是对应均匀分布的边界 √3·std；正态分布要的是标准差本身。",
                        "That is the matching uniform bound √3·std; the normal initialiser's std is the answer.",
                    ),
                )
            )
        return ms

    def hints(self, p: InitStdParams) -> list[BiText]:
        from quizzer.generators.base import withhold_last

        if p.init.startswith("xavier"):
            concept = BiText(
                "Xavier：std = gain·√(2/(fan_in + fan_out))，同时照顾前向和反向的方差。",
                "Xavier: std = gain·√(2/(fan_in + fan_out)), balancing the forward and backward variances.",
            )
        else:
            concept = BiText(
                "Kaiming：std = gain/√fan，fan 由 mode 选 fan_in 或 fan_out；gain 由非线性决定"
                "（relu 为 √2，leaky_relu 为 √(2/(1 + a²))，tanh 为 5/3，linear/sigmoid 为 1）。",
                "Kaiming: std = gain/√fan, with fan_in or fan_out chosen by mode and the gain set by the "
                "nonlinearity (√2 for relu, √(2/(1 + a²)) for leaky_relu, 5/3 for tanh, 1 for "
                "linear/sigmoid).",
            )
        if p.layer == "conv2d":
            concept += BiText("卷积层的 fan 要乘上 k·k。", " A conv layer's fans include the k·k window.")
        if p.quantity == "bound":
            concept += BiText("均匀分布 U(−b, b) 的标准差是 b/√3。", " A uniform U(−b, b) has std b/√3.")
        sol = self.solution(p)
        zh, en = sol.zh.splitlines(), sol.en.splitlines()
        if p.quantity == "std":  # a uniform initialiser's solution goes on to its bound: stop at the std
            end = next(i for i, line in enumerate(en) if line.strip().startswith("std ="))
            sol = BiText("\n".join(zh[: end + 1]), "\n".join(en[: end + 1]))
        return [concept, BiText(zh[0], en[0]), withhold_last(sol)]
