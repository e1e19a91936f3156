"""The single-layer input kinds of issue 12: each closed form against torch run here, never through quizzer's verify.

Every expected value below comes from torch called directly in the test (the module or function a learner would
call), so a wrong closed form and a wrong ``verify`` cannot agree with each other by accident.
"""

from __future__ import annotations

import math
import warnings

import pytest
import torch
from torch import nn

from quizzer.errors import BadParameters
from quizzer.generators.registry import get_family, parse_params
from tests.families_helpers import solve


def autograd_slope(module: nn.Module, x: float) -> float:
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    module(t).backward()
    assert t.grad is not None
    return float(t.grad)


# --- activation-derivative ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("x", [-3.5, -0.7, 0.0, 0.4, 2.25])
@pytest.mark.parametrize("alpha", [1.0, 0.5, 2.0])
def test_elu(x: float, alpha: float) -> None:
    assert solve("activation-derivative", activation="elu", x=x, alpha=alpha) == pytest.approx(
        autograd_slope(nn.ELU(alpha=alpha), x), rel=1e-12
    )


@pytest.mark.parametrize("x", [-6.0, -1.3, 0.0, 0.8, 4.7])
def test_silu(x: float) -> None:
    assert solve("activation-derivative", activation="silu", x=x) == pytest.approx(
        autograd_slope(nn.SiLU(), x), rel=1e-12
    )


@pytest.mark.parametrize(
    "x,beta,threshold",
    [
        (0.5, 1.0, 20.0),
        (-2.0, 2.0, 20.0),
        (3.0, 1.0, 2.0),  # β·x above the threshold: torch's linear piece, slope exactly 1
        (2.5, 2.0, 5.0),  # β·x exactly at the threshold: still the smooth piece (torch tests β·x > threshold)
        (2.5001, 2.0, 5.0),
        (19.0, 0.5, 10.0),
    ],
)
def test_softplus(x: float, beta: float, threshold: float) -> None:
    expected = autograd_slope(nn.Softplus(beta=beta, threshold=threshold), x)
    got = solve("activation-derivative", activation="softplus", x=x, beta=beta, threshold=threshold)
    assert got == pytest.approx(expected, rel=1e-12)


def test_softplus_threshold_switch_is_visible() -> None:
    # Above the threshold torch's slope is exactly 1, not σ(βx) = σ(3) ≈ 0.9526.
    assert autograd_slope(nn.Softplus(threshold=2.0), 3.0) == 1.0
    assert solve("activation-derivative", activation="softplus", x=3.0, threshold=2.0) == 1.0


@pytest.mark.parametrize("x", [-4.2, -1.0, 0.0, 0.3, 1.97, 5.0])
def test_gelu_tanh(x: float) -> None:
    got = solve("activation-derivative", activation="gelu", approximate="tanh", x=x)
    assert got == pytest.approx(autograd_slope(nn.GELU(approximate="tanh"), x), rel=1e-12, abs=1e-15)
    # and it is a different function from the exact GELU away from 0
    if x not in (0.0,):
        assert got != pytest.approx(autograd_slope(nn.GELU(), x), rel=1e-9)


@pytest.mark.parametrize(
    "values,module",
    [
        ({"activation": "relu"}, nn.ReLU()),
        ({"activation": "leaky_relu"}, nn.LeakyReLU()),
        ({"activation": "leaky_relu", "negative_slope": 0.2}, nn.LeakyReLU(0.2)),
        ({"activation": "elu", "alpha": 0.5}, nn.ELU(alpha=0.5)),
    ],
)
def test_kinks_at_zero_answer_torchs_subgradient(values: dict, module: nn.Module) -> None:
    problem = get_family("activation-derivative").build(
        parse_params(get_family("activation-derivative"), {**values, "x": 0.0}), difficulty=2, seed=None
    )
    assert problem.answer == autograd_slope(module, 0.0)
    # The solution says the derivative does not exist there and that torch picks a side.
    assert "undefined" in problem.solution.en or "no derivative" in problem.solution.en


def test_relu_at_zero_is_zero_in_torch() -> None:
    assert solve("activation-derivative", activation="relu", x=0.0) == autograd_slope(nn.ReLU(), 0.0) == 0.0


# --- conv-output ---------------------------------------------------------------------------------------------------


def torch_conv_size(dims: int, n: int, **kwargs: object) -> tuple[int, ...]:
    conv = {1: nn.Conv1d, 2: nn.Conv2d, 3: nn.Conv3d}[dims](1, 1, device="meta", **kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return tuple(conv(torch.empty((1, 1) + (n,) * dims, device="meta")).shape[2:])


@pytest.mark.parametrize("dims", [1, 2, 3])
@pytest.mark.parametrize("kernel_size,dilation", [(1, 1), (2, 1), (3, 1), (4, 3), (5, 2), (6, 1)])
def test_conv_padding_same(dims: int, kernel_size: int, dilation: int) -> None:
    expected = torch_conv_size(dims, 17, kernel_size=kernel_size, padding="same", dilation=dilation)
    got = solve("conv-output", input_size=17, kernel_size=kernel_size, padding="same", dilation=dilation, dims=dims)
    assert (got,) * dims == expected


@pytest.mark.parametrize("dims", [1, 2, 3])
@pytest.mark.parametrize("kernel_size,stride,dilation", [(3, 1, 1), (4, 2, 1), (3, 3, 2), (7, 2, 1)])
def test_conv_padding_valid(dims: int, kernel_size: int, stride: int, dilation: int) -> None:
    expected = torch_conv_size(dims, 29, kernel_size=kernel_size, stride=stride, padding="valid", dilation=dilation)
    got = solve(
        "conv-output",
        input_size=29,
        kernel_size=kernel_size,
        stride=stride,
        padding="valid",
        dilation=dilation,
        dims=dims,
    )
    assert (got,) * dims == expected


def test_conv_same_with_stride_is_refused_as_torch_refuses_it() -> None:
    with pytest.raises(ValueError, match="not supported for strided"):
        nn.Conv2d(1, 1, 3, stride=2, padding="same")
    with pytest.raises(BadParameters, match="requires stride=1"):
        parse_params(
            get_family("conv-output"), {"input_size": "9", "kernel_size": "3", "padding": "same", "stride": "2"}
        )


@pytest.mark.parametrize(
    "n,k,s,p,d,op", [(5, 3, 2, 1, 1, 1), (8, 4, 3, 0, 2, 2), (3, 2, 1, 0, 1, 0), (10, 5, 2, 2, 1, 0)]
)
def test_conv3d_and_transposed3d(n: int, k: int, s: int, p: int, d: int, op: int) -> None:
    x = torch.empty(1, 1, n, n, n, device="meta")
    conv = nn.Conv3d(1, 1, k, stride=s, padding=p, dilation=d, device="meta")(x).shape[-1]
    assert solve("conv-output", input_size=n, kernel_size=k, stride=s, padding=p, dilation=d, dims=3) == conv
    layer = nn.ConvTranspose3d(1, 1, k, stride=s, padding=p, output_padding=op, dilation=d, device="meta")
    got = solve(
        "conv-output",
        input_size=n,
        kernel_size=k,
        stride=s,
        padding=p,
        dilation=d,
        output_padding=op,
        transposed=True,
        dims=3,
    )
    assert got == layer(x).shape[-1]


def test_conv_output_bad_string_padding() -> None:
    with pytest.raises(BadParameters, match="padding"):
        parse_params(get_family("conv-output"), {"input_size": "9", "kernel_size": "3", "padding": "full"})
    with pytest.raises(BadParameters, match="ConvTranspose"):
        parse_params(
            get_family("conv-output"),
            {"input_size": "9", "kernel_size": "3", "padding": "same", "transposed": "true"},
        )


# --- conv-macs -------------------------------------------------------------------------------------------------------


def torch_macs(conv: nn.Module, shape: tuple[int, ...]) -> int:
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter:
        conv(torch.empty(shape, device="meta"))
    return counter.get_total_flops() // 2  # FlopCounterMode counts a multiply-add as 2 FLOPs


@pytest.mark.parametrize(
    "c_in,c_out,k,s,p,d,g,n",
    [(16, 32, 3, 1, 1, 2, 1, 20), (8, 8, 3, 2, 0, 3, 8, 31), (6, 12, 5, 1, 4, 2, 3, 17), (3, 4, 2, 1, 0, 5, 1, 9)],
)
def test_conv_macs_dilation(c_in: int, c_out: int, k: int, s: int, p: int, d: int, g: int, n: int) -> None:
    conv = nn.Conv2d(c_in, c_out, k, stride=s, padding=p, dilation=d, groups=g, device="meta")
    expected = torch_macs(conv, (1, c_in, n, n))
    values = dict(
        in_channels=c_in, out_channels=c_out, kernel_size=k, stride=s, padding=p, dilation=d, groups=g, input_size=n
    )
    assert solve("conv-macs", **values) == expected
    # The learner who ignored the dilation works out the undilated layer's MACs.
    family = get_family("conv-macs")
    listed = {m.tag: m.value for m in family.misconceptions(parse_params(family, values))}
    undilated = nn.Conv2d(c_in, c_out, k, stride=s, padding=p, groups=g, device="meta")
    assert listed["ignored-dilation"] == torch_macs(undilated, (1, c_in, n, n))


# --- norm-layer-output ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "x,c,length,eps,weight,bias",
    [
        ([1, 2, 3, 4, -1, 0.5, 2, 2.5], 2, 2, 1e-5, 1.0, 0.0),
        ([0.3, -1.2, 2.0, 0.7, 1.1, -0.4], 1, 3, 0.1, 2.0, 0.5),
        ([1, 5, 2, 8, 0, 3, -2, 4, 1, 1, 7, 2], 3, 2, 1e-3, 0.5, -1.0),
    ],
)
def test_instancenorm(x: list[float], c: int, length: int, eps: float, weight: float, bias: float) -> None:
    layer = nn.InstanceNorm1d(c, eps=eps, affine=True, dtype=torch.float64)
    with torch.no_grad():
        layer.weight.fill_(weight)
        layer.bias.fill_(bias)
        y = layer(torch.tensor(x, dtype=torch.float64).reshape(-1, c, length))
    n = len(x) // (c * length)
    values = dict(norm="instancenorm", x=x, num_features=c, length=length, eps=eps, weight=weight, bias=bias)
    for i in range(n):
        for j in range(c):
            row = solve("norm-layer-output", **values, i=i, j=j, quantity="row")
            assert row == pytest.approx(y[i, j].tolist(), rel=1e-10, abs=1e-12)
            for pos in range(length):
                got = solve("norm-layer-output", **values, i=i, j=j, l=pos)
                assert got == pytest.approx(float(y[i, j, pos]), rel=1e-10, abs=1e-12)


@pytest.mark.parametrize("eps", [None, 1e-6, 0.5])
@pytest.mark.parametrize("x,c,weight", [([1, 2, 3, 4, -1, 0.5], 3, 1.0), ([0.001, -0.002, 0.0005, 0.003], 2, 1.5)])
def test_rmsnorm(eps: float | None, x: list[float], c: int, weight: float) -> None:
    # eps=None must be torch's own default, so this runs in float32 as a learner's model would; float32 rounding
    # (~1e-7 relative) bounds the tolerance.
    dtype = torch.float32 if eps is None else torch.float64
    layer = nn.RMSNorm(c, eps=eps, dtype=dtype)
    with torch.no_grad():
        layer.weight.fill_(weight)
        y = layer(torch.tensor(x, dtype=dtype).reshape(-1, c))
    rel = 1e-5 if eps is None else 1e-10
    for i in range(len(x) // c):
        got = solve(
            "norm-layer-output", norm="rmsnorm", x=x, num_features=c, weight=weight, eps=eps, i=i, quantity="row"
        )
        assert got == pytest.approx(y[i].tolist(), rel=rel)


def test_rmsnorm_default_eps_is_float32_machine_epsilon() -> None:
    # Tiny inputs, where eps dominates the mean square: 1e-5 (LayerNorm's default) would give a very different answer.
    x = [1e-4, -2e-4, 3e-4]
    y = nn.RMSNorm(3)(torch.tensor([x]))  # float32, eps=None
    got = solve("norm-layer-output", norm="rmsnorm", x=x, num_features=3, quantity="row")
    assert got == pytest.approx(y[0].tolist(), rel=1e-5)
    assert got != pytest.approx(nn.RMSNorm(3, eps=1e-5)(torch.tensor([x]))[0].tolist(), rel=1e-2)


def test_norm_new_kinds_refusals() -> None:
    family = get_family("norm-layer-output")
    with pytest.raises(BadParameters, match="no bias"):
        parse_params(family, {"norm": "rmsnorm", "x": "1,2,3,4", "num_features": "2", "bias": "1"})
    with pytest.raises(BadParameters, match="needs length"):
        parse_params(family, {"norm": "instancenorm", "x": "1,2,3,4", "num_features": "2"})
    with pytest.raises(BadParameters, match="only apply to norm=instancenorm"):
        parse_params(family, {"norm": "layernorm", "x": "1,2,3,4", "num_features": "2", "length": "2"})


# --- bn-running-stats ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("quantity", ["running_mean", "running_var"])
@pytest.mark.parametrize("momentum", [0.1, 0.01, None])
@pytest.mark.parametrize("batch_size,batches", [(21, 3), (64, 50), (20_000, 2), (2, 300)])
def test_bn_running_stats_large(quantity: str, momentum: float | None, batch_size: int, batches: int) -> None:
    generator = torch.Generator().manual_seed(batch_size * batches)
    x = (torch.randn(batches, batch_size, 1, generator=generator, dtype=torch.float64) * 3 + 1).round(decimals=3)
    bn = nn.BatchNorm1d(1, momentum=momentum, dtype=torch.float64).train()
    with torch.no_grad():
        for batch in x:
            bn(batch)
    expected = float(getattr(bn, quantity)[0])
    got = solve("bn-running-stats", x=x.flatten().tolist(), batch_size=batch_size, momentum=momentum, quantity=quantity)
    assert got == pytest.approx(expected, rel=1e-9)


def test_bn_running_stats_folds_long_input() -> None:
    family = get_family("bn-running-stats")
    p = parse_params(family, {"x": list(range(64 * 30)), "batch_size": 64})
    problem = family.build(p, difficulty=3, seed=None)
    for text in (problem.prompt.en, problem.solution.en):
        assert "56 more" in text and len(text) < 2500
    assert "25 batches left out" in problem.prompt.en
    assert "batch 30 " in problem.solution.en and "batch 4 " not in problem.solution.en


# --- init-std ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "mean,std,a,b", [(0.0, 1.0, -2.0, 2.0), (0.0, 0.02, -0.04, 0.04), (0.1, 1.0, -1.0, 3.0), (1.0, 0.5, 0.0, 5.0)]
)
def test_trunc_normal_std(mean: float, std: float, a: float, b: float) -> None:
    # torch's own trunc_normal_ on 2²² seeded draws; the sample std's relative standard error is at most
    # √((κ − 1)/(4n)) ≈ 3.5e-4 (κ ≤ 3 for a truncated normal), so 2e-3 is over 5 standard errors.
    w = torch.empty(1 << 22, dtype=torch.float64)
    nn.init.trunc_normal_(w, mean=mean, std=std, a=a, b=b, generator=torch.Generator().manual_seed(7))
    got = solve("init-std", init="trunc_normal_", mean=mean, std=std, a=a, b=b)
    assert got == pytest.approx(float(w.std()), rel=2e-3)
    assert float(w.min()) >= a and float(w.max()) <= b


def test_trunc_normal_refuses_what_torch_warns_about() -> None:
    with pytest.warns(UserWarning, match="more than 2 std"):
        nn.init.trunc_normal_(torch.empty(10), mean=5.0, std=1.0, a=-1.0, b=1.0)
    with pytest.raises(BadParameters, match="more than 2 std"):
        parse_params(get_family("init-std"), {"init": "trunc_normal_", "mean": "5", "a": "-1", "b": "1"})


@pytest.mark.parametrize("init", ["kaiming_normal_", "kaiming_uniform_", "xavier_normal_", "xavier_uniform_"])
@pytest.mark.parametrize("c_in,c_out,k", [(16, 32, 5), (3, 64, 7), (128, 8, 1)])
def test_conv1d_fans(init: str, c_in: int, c_out: int, k: int) -> None:
    weight = nn.Conv1d(c_in, c_out, k, device="meta").weight
    fan_in, fan_out = nn.init._calculate_fan_in_and_fan_out(weight)
    assert (fan_in, fan_out) == (c_in * k, c_out * k)
    values = dict(init=init, layer="conv1d", in_channels=c_in, out_channels=c_out, kernel_size=k)
    if init.startswith("kaiming"):
        expected = nn.init.calculate_gain("leaky_relu", 0) / math.sqrt(fan_in)
    else:
        expected = math.sqrt(2.0 / (fan_in + fan_out))
    assert solve("init-std", **values) == pytest.approx(expected, rel=1e-12)


# --- grad-clip -----------------------------------------------------------------------------------------------------


def torch_clipped(weight: list[float], bias: list[float], max_norm: float, norm_type: float | str) -> list[float]:
    params = []
    for grad in (weight, bias):
        if grad:
            param = nn.Parameter(torch.zeros(len(grad), dtype=torch.float64))
            param.grad = torch.tensor(grad, dtype=torch.float64)
            params.append(param)
    torch.nn.utils.clip_grad_norm_(params, max_norm=max_norm, norm_type=norm_type)
    return [float(v) for param in params for v in param.grad]


@pytest.mark.parametrize("norm_type", ["inf", 1.5, 3.0, 7.0])
@pytest.mark.parametrize(
    "weight,bias,max_norm",
    [([3.0, -4.0], [1.0], 2.0), ([0.5, 0.2, -0.1], [], 1.0), ([12.0, -7.5, 3.3], [9.1, -0.4], 5.0)],
)
def test_grad_clip_p_norms(norm_type: float | str, weight: list[float], bias: list[float], max_norm: float) -> None:
    expected = torch_clipped(weight, bias, max_norm, norm_type)
    got = solve("grad-clip", weight_grad=weight, bias_grad=bias, max_norm=max_norm, norm_type=str(norm_type))
    assert got == pytest.approx(expected, rel=1e-12)


def test_grad_clip_inf_mistakes_are_the_other_norms() -> None:
    family = get_family("grad-clip")
    p = parse_params(family, {"weight_grad": "3,-4", "bias_grad": "1", "max_norm": "2", "norm_type": "inf"})
    assert p.norm_type == "inf" and p.model_dump(mode="json")["norm_type"] == "inf"  # valid JSON, re-validates
    listed = {m.tag: m.value for m in family.misconceptions(p)}
    assert listed["used-l2-norm"] == pytest.approx(torch_clipped([3, -4], [1], 2.0, 2.0), rel=1e-12)
    assert listed["used-l1-norm"] == pytest.approx(torch_clipped([3, -4], [1], 2.0, 1.0), rel=1e-12)


# --- activation-chain-gradient: relu's kink inside a chain --------------------------------------------------------


@pytest.mark.parametrize(
    "weights,x", [([2.0, 0.0, 3.0], 1.0), ([2.0, 3.0], 0.0), ([0.0], -1.5), ([1.5, -2.0, 0.5], 0.0)]
)
def test_chain_through_relu_kink(weights: list[float], x: float) -> None:
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    h = t
    for w in weights:
        h = torch.relu(w * h)
    h.backward()
    assert t.grad is not None
    assert solve("activation-chain-gradient", activation="relu", weights=weights, x=x) == float(t.grad)
