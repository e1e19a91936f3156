"""Regularization / normalization families: known values, closed form vs torch, validation, misconceptions.

The contract every family shares (closed form == torch, determinism, JSON round trips, diagnosable
mistakes) is tested once, for all families, in tests/test_generators.py.
"""

from __future__ import annotations

import math
import statistics

import pytest

from quizzer.errors import BadParameters
from quizzer.generators.registry import generate, get_family, parse_params
from tests.families_helpers import solve_both

# --- (a) known values -------------------------------------------------------------------------------


def test_weight_penalty_known_values():
    # Goodfellow et al., Deep Learning §7.1: L2 penalty is the squared norm ‖w‖², L1 is Σ|wᵢ|.
    # w = [1, −2, 3]: Σ|w| = 6, Σw² = 14.
    assert solve_both("weight-penalty", quantity="l1", w="1,-2,3", lam="0.1")[0] == pytest.approx(0.6)
    assert solve_both("weight-penalty", quantity="l2", w="1,-2,3", lam="0.1")[0] == pytest.approx(1.4)
    # PyTorch docs for torch.optim.SGD: g ← g + λθ, then θ ← θ − γ·g. θ=1, g=0.5, γ=0.1, λ=0.1 → 1 − 0.1·0.6.
    closed, torch_value = solve_both(
        "weight-penalty", quantity="decay-step", w="1,-2", grad="0.5,0", lr="0.1", weight_decay="0.1"
    )
    assert closed == pytest.approx([0.94, -1.98])
    assert torch_value == pytest.approx(closed)


def test_dropout_known_values():
    # PyTorch docs for nn.Dropout: "outputs are scaled by a factor of 1/(1−p) during training"; identity in eval.
    assert solve_both("dropout-scaling", p="0.5", x="1", quantity="train") == (pytest.approx(2.0), pytest.approx(2.0))
    # CS231n (inverted dropout): the expected training output equals the eval output, x.
    assert solve_both("dropout-scaling", p="0.2", x="3", quantity="expected")[0] == pytest.approx(3.0)
    assert solve_both("dropout-scaling", p="0.2", x="3", quantity="eval") == (pytest.approx(3.0), pytest.approx(3.0))


def test_feature_scaling_known_values():
    # Wikipedia "Standard deviation": [2, 4, 4, 4, 5, 5, 7, 9] has mean 5 and population std 2.
    z, z_torch = solve_both("feature-scaling", x="2,4,4,4,5,5,7,9", method="zscore")
    assert z == pytest.approx([-1.5, -0.5, -0.5, -0.5, 0, 0, 1, 2])
    assert z_torch == pytest.approx(z)
    # Min-max scaling (sklearn MinMaxScaler docs): min → low end, max → high end, linear in between.
    assert solve_both("feature-scaling", x="1,2,3,5", method="minmax")[0] == pytest.approx([0, 0.25, 0.5, 1])
    minmax = solve_both("feature-scaling", x="1,2,3,5", method="minmax", feature_range="-1,1")[0]
    assert minmax == pytest.approx([-1, -0.5, 0, 1])


def test_feature_scaling_easy_draws_have_integer_mean_and_std():
    # Difficulty 1 promises hand arithmetic: recount mean and population std of what is served.
    for problem in generate("feature-scaling", count=60, seed=3, difficulty=1):
        x = problem.params["x"]
        mean = statistics.fmean(x)
        std = statistics.pstdev(x)
        assert len(x) == 4 and mean == int(mean) and std == int(std) and std > 0, x


def test_early_stopping_known_values():
    # Keras EarlyStopping docs example: patience=3 and a loss that never improves after epoch 1 → "only 4 epochs are run".
    assert solve_both("early-stopping", val_loss="1,2,3,4,5,6,7,8,9,10", patience="3") == (4, 4)
    assert solve_both("early-stopping", val_loss="1,2,3,4,5,6,7,8,9,10", patience="3", quantity="best") == (1, 1)
    # An improvement of exactly min_delta does not count (loss < best − min_delta): epoch 2 is bad, epoch 3 improves.
    assert solve_both("early-stopping", val_loss="1.0,0.99,0.98,0.985,0.99", patience="2", min_delta="0.01") == (5, 5)
    assert solve_both(
        "early-stopping", val_loss="1.0,0.99,0.98,0.985,0.99", patience="2", min_delta="0.01", quantity="best"
    ) == (3, 3)


def test_norm_layer_known_values():
    # PyTorch docs for BatchNorm1d: y = (x − E[x]) / √(Var[x] + eps)·γ + β, biased variance, per feature.
    # Column [1, 3]: mean 2, variance 1 → y = −1/√(1 + 1e-5).
    closed, torch_value = solve_both(
        "norm-layer-output", norm="batchnorm", x="1,10,3,20", num_features="2", i="0", j="0"
    )
    assert closed == pytest.approx(-1 / math.sqrt(1 + 1e-5), rel=1e-12)
    assert torch_value == pytest.approx(closed, rel=1e-12)
    # LayerNorm (Ba et al. 2016) over the row [1, 2, 3]: mean 2, variance 2/3 → last entry 1/√(2/3 + 1e-5) ≈ 1.22473.
    assert solve_both("norm-layer-output", norm="layernorm", x="1,2,3,4,4,5", num_features="3", i="0", j="2")[
        0
    ] == pytest.approx(1 / math.sqrt(2 / 3 + 1e-5), rel=1e-12)
    # GroupNorm (Wu & He 2018) with 2 groups of 2: each pair normalizes to ∓1 (up to eps).
    row = solve_both(
        "norm-layer-output",
        norm="groupnorm",
        x="0,2,5,9,1,1,1,3",
        num_features="4",
        num_groups="2",
        quantity="row",
        i="0",
    )[0]
    assert row == pytest.approx([-1, 1, -1, 1], rel=1e-4)


def test_bn_running_stats_known_values():
    # PyTorch docs for BatchNorm1d: running = (1 − momentum)·running + momentum·observed, momentum 0.1, running_var from
    # the unbiased estimator, initial running_mean 0 and running_var 1. Batch [1, 3]: mean 2, unbiased variance 2.
    assert solve_both("bn-running-stats", x="1,3", batch_size="2") == (pytest.approx(0.2), pytest.approx(0.2))
    assert solve_both("bn-running-stats", x="1,3", batch_size="2", quantity="running_var")[0] == pytest.approx(1.1)
    # Two batches: 0.9·0.2 + 0.1·4 = 0.58.
    assert solve_both("bn-running-stats", x="1,3,3,5", batch_size="2")[0] == pytest.approx(0.58)
    # momentum=None: cumulative average of the batch statistics, (2 + 4)/2.
    assert solve_both("bn-running-stats", x="1,3,3,5", batch_size="2", momentum="None") == (
        pytest.approx(3.0),
        pytest.approx(3.0),
    )


# --- (b) invalid params -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, values, message",
    [
        ("weight-penalty", {"quantity": "decay-step", "w": "1,2", "grad": "1"}, "one gradient per weight"),
        ("weight-penalty", {"quantity": "l2", "w": "1,2", "grad": "1,1"}, "only applies to quantity=decay-step"),
        ("weight-penalty", {"w": "1", "lam": "-1"}, "lam"),
        ("dropout-scaling", {"p": "1"}, "p"),
        ("dropout-scaling", {"p": "0.5", "quantity": "test"}, "quantity"),
        ("feature-scaling", {"x": "3,3,3"}, "all values are equal"),
        ("feature-scaling", {"x": "1,2", "method": "minmax", "feature_range": "1,0"}, "low < high"),
        ("feature-scaling", {"x": "1,2", "feature_range": "-1,1"}, "only applies to method=minmax"),
        ("early-stopping", {"val_loss": "1,2,3", "patience": "0"}, "patience"),
        ("early-stopping", {"val_loss": "1,0.123456", "patience": "1"}, "at most 4 places"),
        ("early-stopping", {"val_loss": "1,2", "patience": "1", "bogus": "1"}, "unknown parameter"),
        ("norm-layer-output", {"x": "1,2,3", "num_features": "2"}, "not a whole number of rows"),
        ("norm-layer-output", {"norm": "batchnorm", "x": "1,2", "num_features": "2"}, "at least 2 samples"),
        (
            "norm-layer-output",
            {"norm": "groupnorm", "x": "1,2,3,4,5,6", "num_features": "3", "num_groups": "2"},
            "divisible",
        ),
        (
            "norm-layer-output",
            {"norm": "layernorm", "x": "1,2,3,4", "num_features": "2", "i": "2"},
            "i must be in 0..1",
        ),
        ("bn-running-stats", {"x": "1,2,3", "batch_size": "2"}, "whole number of batches"),
        ("bn-running-stats", {"x": "1,2", "batch_size": "1"}, "batch_size"),
        ("bn-running-stats", {"x": "1,2", "batch_size": "2", "momentum": "0"}, "momentum"),
    ],
)
def test_invalid_params_rejected(name, values, message):
    with pytest.raises(BadParameters) as err:
        parse_params(get_family(name), values)
    assert message in str(err.value)


# --- (c) misconceptions -----------------------------------------------------------------------------


def test_l2_sqrt_misconception_names_the_notes_error():
    family = get_family("weight-penalty")
    p = parse_params(family, {"quantity": "l2", "w": "3,4", "lam": "1"})
    tags = {m.tag: m.value for m in family.misconceptions(p)}
    assert family.solve(p) == 25 and tags["sqrt-norm"] == 5
