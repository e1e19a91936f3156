"""Gradient-flow families: activation derivatives, chains, vanishing depth, clipping, residual stacks, init."""

from __future__ import annotations

import math
import random

import pytest

from quizzer.errors import BadParameters
from quizzer.generators.registry import get_family, parse_params
from tests.families_helpers import solve

# --- (a) known values -------------------------------------------------------------------------


def test_activation_derivative_known_values():
    # Goodfellow, Bengio & Courville, Deep Learning §6.3.2 / CS231n "Neural Networks Part 1": σ' = σ(1−σ) peaks at 1/4 at 0.
    assert solve("activation-derivative", activation="sigmoid", x=0.0) == pytest.approx(0.25)
    # σ(2) = 0.880797 → σ'(2) = 0.880797 × 0.119203 = 0.104994 (hand computed).
    assert solve("activation-derivative", activation="sigmoid", x=2.0) == pytest.approx(0.104994, rel=1e-5)
    # tanh' = 1 − tanh²: 1 at the origin, 1 − 0.761594² = 0.419974 at x = 1.
    assert solve("activation-derivative", activation="tanh", x=0.0) == pytest.approx(1.0)
    assert solve("activation-derivative", activation="tanh", x=1.0) == pytest.approx(0.419974, rel=1e-5)
    # Hendrycks & Gimpel 2016: GELU(x) = xΦ(x), so GELU'(0) = Φ(0) = 1/2.
    assert solve("activation-derivative", activation="gelu", x=0.0) == pytest.approx(0.5)
    # PyTorch docs, LeakyReLU: slope negative_slope for x < 0.
    assert solve("activation-derivative", activation="leaky_relu", x=-3.0, negative_slope=0.2) == pytest.approx(0.2)
    assert solve("activation-derivative", activation="relu", x=-1.0) == 0.0


def test_activation_chain_known_values():
    # CS231n "Backpropagation, Intuitions": multiply local gradients. z1 = 0 → σ' = 0.25, h1 = 0.5;
    # z2 = 0.5 → σ'(0.5) = 0.235004; dh/dx = 1·0.25 · 1·0.235004 = 0.0587510.
    assert solve("activation-chain-gradient", activation="sigmoid", weights=[1.0, 1.0], x=0.0) == pytest.approx(
        0.058751, rel=1e-5
    )
    # A live relu path passes ∏w; a negative pre-activation kills the gradient.
    assert solve("activation-chain-gradient", activation="relu", weights=[2.0, 0.5, 3.0], x=0.5) == pytest.approx(3.0)
    assert solve("activation-chain-gradient", activation="relu", weights=[1.0, -1.0, 2.0], x=1.0) == 0.0


def test_vanishing_depth_known_values():
    # Nielsen, Neural Networks and Deep Learning ch. 5: each sigmoid layer contributes |w σ'(z)| ≤ 1/4.
    # 0.25^4 = 3.9e-3, 0.25^5 = 9.8e-4 → the gradient first drops below 1e-3 at depth 5.
    assert solve("vanishing-depth", activation="sigmoid", weight=1.0, threshold=1e-3) == 5
    # Exploding: 2^9 = 512, 2^10 = 1024 > 1000.
    assert solve("vanishing-depth", activation="tanh", weight=2.0, threshold=1000.0) == 10


def test_grad_clip_known_values():
    # Pascanu, Mikolov & Bengio 2013, Alg. 1: g ← max_norm · g / ‖g‖ when ‖g‖ > max_norm (torch adds 1e-6).
    assert solve("grad-clip", weight_grad=[3.0, 4.0], max_norm=1.0) == pytest.approx([0.6, 0.8], rel=1e-5)
    # One global norm across tensors: [3] and [4] together have norm 5.
    assert solve("grad-clip", weight_grad=[3.0], bias_grad=[4.0], max_norm=1.0) == pytest.approx([0.6, 0.8], rel=1e-5)
    # Below max_norm nothing changes.
    assert solve("grad-clip", weight_grad=[0.3, 0.4], max_norm=1.0) == [0.3, 0.4]
    # PyTorch docs, clip_grad_value_: clamp to [−clip_value, clip_value].
    assert solve("grad-clip", method="value", weight_grad=[0.5, -2.0, 3.0], clip_value=1.0) == [0.5, -1.0, 1.0]


def test_residual_gradient_known_values():
    # He et al. 2016, "Identity Mappings in Deep Residual Networks", eq. 5: each block passes 1 + ∂F/∂x.
    # Linear branches w = [1, 1]: (1 + 1)(1 + 1) = 4, not the "plain + 1" value 1·1 + 1 = 2.
    assert solve("residual-gradient", activation="linear", weights=[1.0, 1.0], x=1.0) == pytest.approx(4.0)
    # One tanh block at x = 0: 1 + 0.5·tanh'(0) = 1.5.
    assert solve("residual-gradient", activation="tanh", weights=[0.5], x=0.0) == pytest.approx(1.5)


def test_init_std_known_values():
    # He et al. 2015, "Delving Deep into Rectifiers", eq. 10: std = √(2 / n_l); n_l = 50 → 0.2.
    assert solve(
        "init-std", init="kaiming_normal_", in_features=50, out_features=10, nonlinearity="relu"
    ) == pytest.approx(0.2)
    # Glorot & Bengio 2010, eq. 16: U(−√6/√(n_in + n_out), +…); 100 + 200 → √(6/300) = 0.141421.
    assert solve(
        "init-std", init="xavier_uniform_", in_features=100, out_features=200, quantity="bound"
    ) == pytest.approx(math.sqrt(0.02))
    # PyTorch nn.Linear docs: default weights ~ U(−√k, √k), k = 1/in_features, from kaiming_uniform_(a=√5).
    assert solve(
        "init-std", init="kaiming_uniform_", in_features=64, out_features=3, a=math.sqrt(5), quantity="bound"
    ) == pytest.approx(0.125)
    # Conv fans include k·k: Conv2d(3, 64, 3) with mode='fan_out' → fan = 64·9 = 576, std = √2/24.
    assert solve(
        "init-std",
        init="kaiming_normal_",
        layer="conv2d",
        in_channels=3,
        out_channels=64,
        kernel_size=3,
        mode="fan_out",
        nonlinearity="relu",
    ) == pytest.approx(math.sqrt(2) / 24)


# --- (b) closed form == torch ---------------------------------------------------------------


@pytest.mark.parametrize("seed", range(6))
def test_init_std_distribution_is_what_torch_draws(seed):
    # verify() reads the distribution torch hands its sampler; check it against real draws.
    import torch
    from torch import nn

    family = get_family("init-std")
    p = family.sample(random.Random(seed), 3)
    if p.layer == "linear":
        layer = nn.Linear(p.in_features or 64, p.out_features or 64, dtype=torch.float64)
    else:
        conv = nn.Conv1d if p.layer == "conv1d" else nn.Conv2d
        layer = conv(p.in_channels, p.out_channels, p.kernel_size, dtype=torch.float64)
    fn = getattr(nn.init, p.init)
    if p.init == "trunc_normal_":
        kwargs = dict(mean=p.mean, std=p.std, a=p.a, b=p.b)
    elif p.init.startswith("xavier"):
        kwargs = dict(gain=p.gain)
    else:
        kwargs = dict(mode=p.mode, nonlinearity=p.nonlinearity)
    if p.a is not None:
        kwargs["a"] = p.a
    gen, draws, count = torch.Generator().manual_seed(seed), [], 0
    while count < 400_000:
        fn(layer.weight, generator=gen, **kwargs)
        draws.append(layer.weight.detach().flatten().clone())
        count += layer.weight.numel()
    w = torch.cat(draws)
    answer = family.solve(p)
    if p.quantity == "bound":
        assert float(w.abs().max()) <= answer * (1 + 1e-12)
        assert float(w.abs().max()) > 0.99 * answer
    else:
        assert float(w.std()) == pytest.approx(answer, rel=1e-2)


# --- (c) ill-posed parameters are rejected ---------------------------------------------------

BAD = [
    ("activation-derivative", {"activation": "elu", "x": "0", "negative_slope": "0.1"}, "only applies"),
    ("activation-derivative", {"activation": "gelu", "x": "1", "approximate": "sigmoid"}, "approximate"),
    ("activation-derivative", {"activation": "softplus", "x": "1", "beta": "0"}, "beta"),
    ("activation-derivative", {"activation": "sigmoid", "x": "1", "negative_slope": "0.1"}, "only applies"),
    ("activation-derivative", {"activation": "swish", "x": "1"}, "activation"),
    ("activation-chain-gradient", {"weights": "", "x": "1"}, "weights"),
    ("vanishing-depth", {"weight": "4", "threshold": "0.01"}, "exactly 1"),
    ("vanishing-depth", {"weight": "2", "threshold": "10"}, "below 1"),
    ("vanishing-depth", {"activation": "tanh", "weight": "0.1", "threshold": "0.001"}, "exactly"),
    ("vanishing-depth", {"activation": "tanh", "weight": "0.999", "threshold": "1e-9"}, "layers"),
    ("grad-clip", {"weight_grad": "3,4"}, "max_norm"),
    ("grad-clip", {"method": "value", "weight_grad": "1", "clip_value": "1", "max_norm": "2"}, "belong"),
    ("grad-clip", {"weight_grad": "3,4", "max_norm": "1", "norm_type": "0.5"}, "no norm"),
    ("grad-clip", {"weight_grad": "3,4", "max_norm": "-1"}, "max_norm"),
    ("residual-gradient", {"activation": "relu", "weights": "-1,1", "x": "1"}, "kink"),
    ("init-std", {"init": "xavier_normal_", "in_features": "10", "out_features": "10", "mode": "fan_out"}, "kaiming"),
    ("init-std", {"layer": "conv2d", "in_channels": "3", "out_channels": "8"}, "kernel_size"),
    (
        "init-std",
        {"init": "kaiming_normal_", "in_features": "10", "out_features": "10", "quantity": "bound"},
        "no bound",
    ),
    ("init-std", {"in_features": "10", "out_features": "10", "nonlinearity": "relu", "a": "0.1"}, "leaky_relu"),
]


@pytest.mark.parametrize("name,values,needle", BAD)
def test_bad_params_rejected(name, values, needle):
    with pytest.raises(BadParameters) as exc:
        parse_params(get_family(name), values)
    assert needle in str(exc.value)


def test_cli_style_params_parse():
    p = parse_params(get_family("grad-clip"), {"weight_grad": "3,4", "bias_grad": "12", "max_norm": "1"})
    assert get_family("grad-clip").solve(p) == pytest.approx([3 / 13, 4 / 13, 12 / 13], rel=1e-5)
    p = parse_params(get_family("activation-chain-gradient"), {"activation": "tanh", "weights": "0.5,-1", "x": "0.3"})
    assert p.weights == [0.5, -1.0]
