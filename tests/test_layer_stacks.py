"""The layer kinds the stack families newly accept, each compared with torch run here in the test.

ceil_mode pooling, groups, ConvTranspose, dilated max pooling, residual blocks and stacks of 300 layers:
receptive fields come from the gradient support of real torch layers built below (no quizzer code), shapes
from torch's own modules. quizzer's answers come from ``solve`` on the typed-in layer text.
"""

from __future__ import annotations

import math
import time
from fractions import Fraction

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from quizzer.errors import BadParameters
from quizzer.generators.registry import get_family, parse_params
from tests.families_helpers import solve, verify

# ---- torch, independently of quizzer ------------------------------------------------------------------------------


def ones_1d(kind: str, k: int, s: int, p: int, d: int = 1, op: int = 0, ceil: bool = False) -> nn.Module:
    """One-channel 1-D layer with all-ones weights (a k×k window's field is the product of two 1-D fields)."""
    if kind in ("maxpool", "avgpool") and d == 1:
        return nn.AvgPool1d(k, s, p, ceil_mode=ceil)  # the whole window gets gradient (max would pick one)
    if kind == "convtranspose":
        m: nn.Module = nn.ConvTranspose1d(1, 1, k, s, p, op, bias=False, dilation=d, dtype=torch.float64)
    else:
        m = nn.Conv1d(1, 1, k, s, p, d, bias=False, dtype=torch.float64)
    nn.init.ones_(m.weight)
    return m


def supports(net: nn.Module, units: int, n: int = 4000) -> tuple[int, list[tuple[int, int]]]:
    """(first unit, [first, last input pixel] of ``units`` neighbouring output units in the middle)."""
    x = torch.zeros(1, 1, n, dtype=torch.float64, requires_grad=True)
    y = net(x)
    first = y.shape[-1] // 2 // units * units
    out = []
    for u in range(first, first + units + 1):
        (g,) = torch.autograd.grad(y[0, 0, u], x, retain_graph=True)
        nz = torch.nonzero(g[0, 0]).flatten()
        assert nz[0] > 0 and nz[-1] < n - 1, "the field reaches the input's edge: measure on a wider input"
        out.append((int(nz[0]), int(nz[-1])))
    return first, out


def torch_rf(net: nn.Module, units: int = 1, n: int = 4000) -> dict[str, float]:
    """Largest field over ``units`` neighbouring units, their mean centre spacing, unit 0's centre."""
    first, spans = supports(net, units, n)
    centres = [Fraction(a + b, 2) for a, b in spans]
    jump = (centres[-1] - centres[0]) / units
    return {
        "receptive_field": max(b - a + 1 for a, b in spans[:units]),
        "jump": float(jump),
        "start": float(centres[0] - first * jump),
    }


def as_floats(answer: dict) -> dict[str, float]:
    return {key: float(value) for key, value in answer.items()}


def meta_shape(net: nn.Module, shape: tuple[int, int, int]) -> list[int]:
    return list(net(torch.empty(1, *shape, device="meta")).shape[1:])


# ---- ceil_mode -----------------------------------------------------------------------------------------------------


def test_ceil_mode_pool_shapes_match_torch() -> None:
    # 7 → ⌈(7 − 2)/2⌉ + 1 = 4 with ceil_mode (3 without); 5 with k=2 s=2 p=1: ⌈5/2⌉ + 1 = 4, but the last window
    # would start at 6, in the right padding, so torch drops it (3).
    for size, layer, pool in (
        (7, "maxpool k=2 ceil_mode=true", nn.MaxPool2d(2, ceil_mode=True)),
        (5, "maxpool k=2 s=2 p=1 ceil=1", nn.MaxPool2d(2, 2, 1, ceil_mode=True)),
        (9, "avgpool k=3 s=2 ceil_mode=true", nn.AvgPool2d(3, 2, ceil_mode=True)),
    ):
        expected = list(pool(torch.zeros(1, 4, size, size)).shape[1:])
        assert solve("conv-stack-shape", input_shape=f"4,{size},{size}", layers=layer) == expected
        assert verify("conv-stack-shape", input_shape=f"4,{size},{size}", layers=layer) == expected
    assert solve("conv-stack-shape", input_shape="4,5,5", layers="maxpool k=2 s=2 p=1 ceil_mode=true")[1] == 3


def test_ceil_mode_pool_receptive_field_matches_torch() -> None:
    net = nn.Sequential(ones_1d("conv", 3, 1, 0), ones_1d("maxpool", 3, 2, 0, ceil=True), ones_1d("conv", 3, 1, 1))
    got = solve("receptive-field", layers="conv k=3; maxpool k=3 s=2 ceil_mode=true; conv k=3 p=1")
    assert as_floats(got) == torch_rf(net)


# ---- groups ----------------------------------------------------------------------------------------------------


def test_grouped_conv_shape_matches_torch_and_refuses_indivisible_channels() -> None:
    net = nn.Sequential(nn.Conv2d(32, 64, 3, 2, 1, groups=4, device="meta"), nn.Conv2d(64, 64, 3, 1, 1, groups=64))
    expected = meta_shape(net.to("meta"), (32, 57, 57))
    layers = "conv c=64 k=3 s=2 p=1 g=4; conv c=64 k=3 p=1 groups=64"
    assert solve("conv-stack-shape", input_shape="32,57,57", layers=layers) == expected == [64, 29, 29]
    with pytest.raises(BadParameters, match=r"groups=4 must divide the input channels \(30\)"):
        parse_params(get_family("conv-stack-shape"), {"input_shape": "30,8,8", "layers": "conv c=64 k=3 g=4"})


def test_grouped_conv_receptive_field_matches_torch_on_a_2d_grouped_conv() -> None:
    # Groups choose which channels connect, not which pixels: torch's 2-D grouped depthwise stack shows it.
    net = nn.Sequential(
        nn.Conv2d(4, 4, 3, 2, 1, groups=4, bias=False, dtype=torch.float64),
        nn.Conv2d(4, 4, 5, 1, 2, groups=2, bias=False, dtype=torch.float64),
    )
    for m in net:
        nn.init.ones_(m.weight)
    x = torch.zeros(1, 4, 64, 64, dtype=torch.float64, requires_grad=True)
    net(x)[0, 0, 16, 16].backward()
    rows = torch.nonzero(x.grad[0].abs().sum((0, 2))).flatten()
    got = solve("receptive-field", layers="conv k=3 s=2 p=1 g=4; conv k=5 p=2 g=2")
    assert got["receptive_field"] == int(rows[-1] - rows[0] + 1) == 11


# ---- ConvTranspose ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "layers, args",
    [
        ("convtranspose c=8 k=4 s=2 p=1", [(4, 2, 1, 0, 1)]),
        ("convtranspose c=8 k=3 s=2 p=1 op=1", [(3, 2, 1, 1, 1)]),
        ("conv c=8 k=3 s=2 p=1; convtranspose c=4 k=3 s=3 d=2 op=1", None),
    ],
)
def test_convtranspose_shapes_match_torch(layers: str, args: list | None) -> None:
    net = nn.Sequential(nn.Conv2d(3, 8, 3, 2, 1), nn.ConvTranspose2d(8, 4, 3, 3, 0, 1, dilation=2))
    if args:
        net = nn.Sequential(*(nn.ConvTranspose2d(3, 8, k, s, p, op, dilation=d) for k, s, p, op, d in args))
    expected = meta_shape(net.to("meta"), (3, 21, 21))
    assert solve("conv-stack-shape", input_shape="3,21,21", layers=layers) == expected
    assert verify("conv-stack-shape", input_shape="3,21,21", layers=layers) == expected


@pytest.mark.parametrize(
    "layers, modules, units",
    [
        # k=4 s=2 p=1, the usual 2× upsampling: every unit reads 2 input units
        ("conv k=3 s=2 p=1; convtranspose k=4 s=2 p=1", [("conv", 3, 2, 1), ("convtranspose", 4, 2, 1)], 2),
        # k=3 s=2: units alternate between reading one and two input units; the largest field counts
        (
            "conv k=3 s=2; conv k=3 s=2; convtranspose k=3 s=2",
            [("conv", 3, 2, 0)] * 2 + [("convtranspose", 3, 2, 0)],
            2,
        ),
        # an encoder-decoder: down 4×, up 4× in two steps, a 3×3 conv after
        (
            "conv k=3 s=2 p=1; conv k=3 s=2 p=1; convtranspose k=2 s=2; convtranspose k=3 s=2 p=1 op=1; conv k=3 p=1",
            [
                ("conv", 3, 2, 1),
                ("conv", 3, 2, 1),
                ("convtranspose", 2, 2, 0),
                ("convtranspose", 3, 2, 1, 1, 1),
                ("conv", 3, 1, 1),
            ],
            4,
        ),
    ],
)
def test_convtranspose_receptive_field_matches_torch(layers: str, modules: list, units: int) -> None:
    net = nn.Sequential(*(ones_1d(*m) for m in modules))
    assert as_floats(solve("receptive-field", layers=layers)) == torch_rf(net, units)


def test_convtranspose_that_leaves_units_without_input_is_refused() -> None:
    with pytest.raises(BadParameters, match="leaves some output units without any input"):
        parse_params(get_family("receptive-field"), {"layers": "conv k=3; convtranspose k=2 s=3"})


# ---- dilated max pooling -----------------------------------------------------------------------------------------


def test_dilated_maxpool_matches_torch() -> None:
    pool = nn.MaxPool2d(3, 1, 1, dilation=2)
    assert solve("conv-stack-shape", input_shape="2,10,10", layers="maxpool k=3 s=1 p=1 d=2") == list(
        pool(torch.zeros(1, 2, 10, 10)).shape[1:]
    )
    # Which inputs can change output unit 10: light one input pixel at a time and see whether the unit lights up.
    seen = []
    for j in range(30):
        x = torch.zeros(1, 1, 30)
        x[0, 0, j] = 1.0
        if nn.functional.max_pool1d(x, 3, 1, 1, dilation=2)[0, 0, 10] > 0:
            seen.append(j)
    assert seen == [9, 11, 13]  # taps 2 apart: the window spans 2·(3 − 1) + 1 = 5 pixels, holes included
    assert solve("receptive-field", layers="maxpool k=3 s=1 p=1 d=2")["receptive_field"] == seen[-1] - seen[0] + 1


# ---- residual blocks ---------------------------------------------------------------------------------------------


class Residual(nn.Module):
    def __init__(self, main: nn.Module, shortcut: nn.Module) -> None:
        super().__init__()
        self.main, self.shortcut = main, shortcut

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.main(x) + self.shortcut(x)


def test_residual_block_shape_is_the_main_paths_and_matches_torch() -> None:
    block = Residual(
        nn.Sequential(nn.Conv2d(64, 128, 3, 2, 1), nn.Conv2d(128, 128, 3, 1, 1)), nn.Conv2d(64, 128, 1, 2)
    ).to("meta")
    layers = "conv c=64 k=7 s=2 p=3; res(conv c=128 k=3 s=2 p=1; conv c=128 k=3 p=1 | conv c=128 k=1 s=2)"
    expected = meta_shape(nn.Sequential(nn.Conv2d(3, 64, 7, 2, 3), block).to("meta"), (3, 56, 56))
    assert solve("conv-stack-shape", input_shape="3,56,56", layers=layers) == expected == [128, 14, 14]
    assert verify("conv-stack-shape", input_shape="3,56,56", layers=layers) == expected


def test_residual_block_whose_shortcut_does_not_match_is_refused_naming_a_fix() -> None:
    with pytest.raises(BadParameters) as err:
        parse_params(
            get_family("conv-stack-shape"), {"input_shape": "64,56,56", "layers": "res(conv c=128 k=3 s=2 p=1)"}
        )
    assert "main path gives (128, 28, 28) but the shortcut gives (64, 56, 56)" in str(err.value)
    assert "| conv c=128 k=1 s=2" in str(err.value)


def test_residual_receptive_field_follows_the_main_path_as_torch_measures_it() -> None:
    net = nn.Sequential(
        ones_1d("conv", 3, 1, 1),
        Residual(nn.Sequential(ones_1d("conv", 3, 2, 1), ones_1d("conv", 3, 1, 1)), ones_1d("conv", 1, 2, 0)),
        Residual(nn.Sequential(ones_1d("conv", 3, 1, 1), ones_1d("conv", 3, 1, 1)), nn.Identity()),
    )
    got = solve(
        "receptive-field",
        layers="conv k=3 p=1; res(conv k=3 s=2 p=1; conv k=3 p=1 | conv k=1 s=2); res(conv k=3 p=1; conv k=3 p=1)",
    )
    assert as_floats(got) == torch_rf(net)
    solution = get_family("receptive-field").solution(
        parse_params(get_family("receptive-field"), {"layers": "res(conv k=3 p=1; conv k=3 p=1)"})
    )
    assert "main path" in solution.en and "主路径" in solution.zh


def test_residual_block_syntax_errors_are_clear() -> None:
    fam = get_family("receptive-field")
    for text, needle in (
        ("res(conv k=3; res(conv k=1))", "do not nest"),
        ("res(conv k=3", "not closed with"),
        ("conv k=3 | conv k=1", "outside a residual block"),
        ("res( | conv k=1)", "no main-path layer"),
        ("res(conv k=3 p=1 | conv k=5 p=2)", "shortcut must keep the main path's jump and see only pixels"),
    ):
        with pytest.raises(BadParameters, match=needle):
            parse_params(fam, {"layers": text})


# ---- 300 layers ------------------------------------------------------------------------------------------------


def deep_stack(n: int) -> list[tuple[str, int, int, int]]:
    kinds = [("conv", 3, 1, 1), ("conv", 1, 1, 0), ("conv", 5, 1, 2), ("avgpool", 3, 1, 1)]
    stack = [kinds[i % 4] for i in range(n)]
    for i in (0, n // 3, 2 * n // 3):
        stack[i] = ("conv", 3, 2, 1)
    return stack


def test_300_layer_receptive_field_matches_torch_and_stays_fast() -> None:
    stack = deep_stack(300)
    text = "; ".join(f"{kind} k={k} s={s} p={p}" for kind, k, s, p in stack)
    expected = torch_rf(nn.Sequential(*(ones_1d(*m) for m in stack)), n=12000)
    fam = get_family("receptive-field")
    started = time.perf_counter()
    p = parse_params(fam, {"layers": text})
    assert as_floats(fam.solve(p)) == expected
    assert as_floats(fam.verify(p)) == expected
    assert time.perf_counter() - started < 5  # ~0.2 s on an idle machine; generous for a shared one


def test_300_layer_shape_stack_matches_torch() -> None:
    stack = deep_stack(300)
    text = "; ".join(
        f"conv c={16 + i % 3} k={k} s={s} p={p}" if kind == "conv" else f"avgpool k={k} s={s} p={p}"
        for i, (kind, k, s, p) in enumerate(stack)
    )
    modules, c = [], 3
    for i, (kind, k, s, p) in enumerate(stack):
        if kind == "conv":
            modules.append(nn.Conv2d(c, 16 + i % 3, k, s, p, device="meta"))
            c = 16 + i % 3
        else:
            modules.append(nn.AvgPool2d(k, s, p))
    expected = meta_shape(nn.Sequential(*modules), (3, 224, 224))
    assert solve("conv-stack-shape", input_shape="3,224,224", layers=text) == expected == [c, 28, 28]


# ---- the recurrence against torch on random stacks of every kind ---------------------------------------------------

LAYER = st.one_of(
    st.tuples(st.just("conv"), st.integers(1, 5), st.integers(1, 3), st.integers(0, 2), st.integers(1, 2)),
    st.tuples(st.sampled_from(["maxpool", "avgpool"]), st.integers(1, 4), st.integers(1, 3), st.just(0), st.just(1)),
    st.tuples(st.just("convtranspose"), st.integers(2, 4), st.integers(1, 2), st.integers(0, 1), st.just(1)),
)


@settings(max_examples=25, deadline=None)
@given(st.lists(LAYER, min_size=1, max_size=6))
def test_random_stacks_agree_with_torch(stack: list[tuple[str, int, int, int, int]]) -> None:
    stack = [(kind, k, min(s, k) if kind != "conv" else s, p, d) for kind, k, s, p, d in stack]
    text = "; ".join(f"{kind} k={k} s={s} p={p} d={d}" for kind, k, s, p, d in stack)
    try:
        p = parse_params(get_family("receptive-field"), {"layers": text})
    except BadParameters:
        return  # a pool padded past half its window, a transposed conv leaving gaps: torch refuses them too
    units = math.prod(s for kind, _k, s, _p, _d in stack if kind == "convtranspose")
    n, jump = 64, 1
    for kind, k, s, pad, d in stack:  # an input wide enough that the middle units' fields stay inside it
        jump *= s if kind != "convtranspose" else 1
        n += 4 * (d * k + 2 * pad + 1) * jump
    expected = torch_rf(nn.Sequential(*(ones_1d(*m) for m in stack)), units, n=n + 4 * units * jump)
    assert as_floats(get_family("receptive-field").solve(p)) == pytest.approx(expected)


# ---- the quiz side: difficulty 3 samples the new kinds, and their mistakes are what torch gives for them ------------


def test_difficulty_3_samples_ceil_mode_pools_and_residual_blocks_sometimes() -> None:
    from quizzer.generators.layer_syntax import Residual as Block
    from quizzer.generators.layer_syntax import main_path
    from quizzer.generators.registry import generate

    for name in ("receptive-field", "conv-stack-shape"):
        fam = get_family(name)
        nodes = [fam.params_model.model_validate(p.params).layers for p in generate(name, count=120, difficulty=3)]
        blocks = sum(any(isinstance(n, Block) for n in stack) for stack in nodes)
        ceil = sum(any(layer.ceil_mode for layer in main_path(stack)) for stack in nodes)
        assert 10 <= blocks <= 50 and 5 <= ceil <= 50, (name, blocks, ceil)  # present, but not the bulk of ★★★
        for difficulty in (1, 2):
            easy = [
                fam.params_model.model_validate(p.params).layers
                for p in generate(name, count=60, difficulty=difficulty)
            ]
            assert not any(isinstance(n, Block) or (n.ceil_mode) for stack in easy for n in stack)


def test_new_shape_mistakes_are_what_torch_gives_for_the_slip() -> None:
    fam = get_family("conv-stack-shape")
    layers = "conv c=32 k=3 p=1; maxpool k=2 ceil_mode=true; res(conv c=64 k=3 s=2 p=1; conv c=64 k=3 p=1 | conv c=64 k=1 s=2)"
    p = parse_params(fam, {"input_shape": "3,15,15", "layers": layers})
    mistakes = {m.tag: m.value for m in fam.misconceptions(p)}
    stem = nn.Sequential(nn.Conv2d(3, 32, 3, 1, 1), nn.MaxPool2d(2, ceil_mode=False))
    main = nn.Sequential(nn.Conv2d(32, 64, 3, 2, 1), nn.Conv2d(64, 64, 3, 1, 1))
    x = stem(torch.zeros(1, 3, 15, 15))
    assert mistakes["ignored-ceil-mode"] == list(main(x).shape[1:])  # the pool without ceil_mode
    stem[1] = nn.MaxPool2d(2, ceil_mode=True)
    x = stem(torch.zeros(1, 3, 15, 15))
    concatenated = torch.cat([main(x), nn.Conv2d(32, 64, 1, 2)(x)], dim=1)  # the slip: stacking, not adding
    assert mistakes["concatenated-shortcut"] == list(concatenated.shape[1:])
    assert fam.solve(p) == list((main(x) + nn.Conv2d(32, 64, 1, 2)(x)).shape[1:])


def test_transposed_solution_says_which_definition_it_uses() -> None:
    fam = get_family("receptive-field")
    text = fam.solution(parse_params(fam, {"layers": "conv k=3 s=2; convtranspose k=3 s=2"}))
    assert "Dumoulin & Visin 2016" in text.en and "largest over the output units" in text.en
    assert "Dumoulin & Visin 2016" in text.zh
