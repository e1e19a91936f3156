"""Optimisation families: lr-schedule, lr-threshold-step, sgd-momentum, adaptive-optimizer, iterations, updates-per-epoch."""

from __future__ import annotations

import math

import pytest

from quizzer.errors import BadParameters
from quizzer.generators.registry import get_family, parse_params
from tests.families_helpers import solve

# ---------------------------------------------------------------- (a) known values


@pytest.mark.parametrize("step, lr", [(0, 0.05), (29, 0.05), (30, 0.005), (59, 0.005), (60, 0.0005), (89, 0.0005)])
def test_steplr_docs_example(step, lr):
    # PyTorch docs for StepLR: lr=0.05, step_size=30, gamma=0.1 gives 0.05 for epoch < 30,
    # 0.005 for 30 <= epoch < 60, 0.0005 for 60 <= epoch < 90.
    assert solve("lr-schedule", scheduler="step", lr=0.05, step_size=30, gamma=0.1, step=step) == pytest.approx(lr)


@pytest.mark.parametrize("step, lr", [(29, 0.05), (30, 0.005), (79, 0.005), (80, 0.0005), (120, 0.0005)])
def test_multisteplr_docs_example(step, lr):
    # PyTorch docs for MultiStepLR: milestones=[30, 80], gamma=0.1 from lr=0.05.
    got = solve("lr-schedule", scheduler="multistep", lr=0.05, milestones="30,80", gamma=0.1, step=step)
    assert got == pytest.approx(lr)


def test_linear_and_polynomial_docs_examples():
    # PyTorch docs for LinearLR (start_factor=0.05, total_iters=40, lr=0.05) list 0.003687, 0.004875, …
    # and 0.05 from epoch 40 on; PolynomialLR (total_iters=50, power=0.9) lists 0.0490, 0.0481, … and 0 from 50 on.
    # Both comments label the value after the first scheduler.step() as "epoch 0"; here that is step=1.
    lin = dict(scheduler="linear", lr=0.05, start_factor=0.05, total_iters=40)
    assert solve("lr-schedule", **lin, step=1) == pytest.approx(0.0036875)
    assert solve("lr-schedule", **lin, step=2) == pytest.approx(0.004875)
    assert solve("lr-schedule", **lin, step=0) == pytest.approx(0.0025)
    assert solve("lr-schedule", **lin, step=45) == pytest.approx(0.05)
    poly = dict(scheduler="polynomial", lr=0.05, total_iters=50, power=0.9)
    assert 0.0490 <= solve("lr-schedule", **poly, step=1) < 0.0491  # the docs truncate to 4 decimals
    assert 0.0481 <= solve("lr-schedule", **poly, step=2) < 0.0482
    assert solve("lr-schedule", **poly, step=50) == 0.0


def test_cosine_closed_forms():
    # SGDR (Loshchilov & Hutter 2017), eq. 5: η = η_min + ½(η_max − η_min)(1 + cos(π·T_cur/T_i)).
    assert solve("lr-schedule", scheduler="cosine", lr=0.1, T_max=100, step=50) == pytest.approx(0.05)
    assert solve("lr-schedule", scheduler="cosine", lr=0.1, T_max=10, eta_min=0.001, step=5) == pytest.approx(0.0505)
    assert solve("lr-schedule", scheduler="cosine", lr=0.1, T_max=10, step=10) == 0.0
    # Past T_max torch's cosine climbs back up (period 2·T_max).
    assert solve("lr-schedule", scheduler="cosine", lr=0.1, T_max=10, step=20) == pytest.approx(0.1)
    # Warm restarts with T_0=10, T_mult=2: cycles of 10, 20, 40 steps restart at t = 10, 30, 70.
    wr = dict(scheduler="cosine-restarts", lr=0.1, T_0=10, T_mult=2, eta_min=0.0)
    assert solve("lr-schedule", **wr, step=10) == pytest.approx(0.1)
    assert solve("lr-schedule", **wr, step=20) == pytest.approx(0.05)  # T_cur=10 of T_i=20
    assert solve("lr-schedule", **wr, step=30) == pytest.approx(0.1)
    assert solve("lr-schedule", **wr, step=50) == pytest.approx(0.05)  # T_cur=20 of T_i=40


def test_exponential_onecycle_and_warmup():
    assert solve("lr-schedule", scheduler="exponential", lr=0.1, gamma=0.5, step=3) == pytest.approx(0.0125)
    # OneCycleLR docs: initial_lr = max_lr/div_factor, min_lr = initial_lr/final_div_factor; the warm-up phase
    # ends at step pct_start·total_steps − 1 (Smith & Topin 2017, "super-convergence").
    oc = dict(scheduler="onecycle", max_lr=0.1, total_steps=100)
    assert solve("lr-schedule", **oc, step=0) == pytest.approx(0.004)
    assert solve("lr-schedule", **oc, step=29) == pytest.approx(0.1)
    assert solve("lr-schedule", **oc, step=99) == pytest.approx(4e-7)
    assert solve("lr-schedule", **oc, step=10, lr=5) == solve("lr-schedule", **oc, step=10)  # lr is ignored
    # Linear warm-up (Goyal et al. 2017) from 0.1·lr over 5 steps, then cosine over T_max=20 (SequentialLR).
    wc = dict(scheduler="warmup-cosine", lr=0.1, warmup_steps=5, start_factor=0.1, T_max=20)
    expected = {0: 0.01, 1: 0.028, 4: 0.082, 5: 0.1, 15: 0.05, 25: 0.0}
    for step, lr in expected.items():
        assert solve("lr-schedule", **wc, step=step) == pytest.approx(lr, abs=1e-12)


def test_lr_threshold_known_values():
    # StepLR (docs example settings): first below 0.05 at the first decay, epoch 30.
    assert solve("lr-threshold-step", scheduler="step", lr=0.1, step_size=30, gamma=0.1, threshold=0.05) == 30
    # 0.1·0.5² = 0.025 ≥ 0.02 > 0.1·0.5³ = 0.0125.
    assert solve("lr-threshold-step", scheduler="exponential", lr=0.1, gamma=0.5, threshold=0.02) == 3
    # (1 + cos(πt/100))/2 < 0.6 ⟺ t > 100·arccos(0.2)/π = 43.59.
    assert solve("lr-threshold-step", scheduler="cosine", lr=0.1, T_max=100, threshold=0.06) == 44


def test_sgd_momentum_known_values():
    # PyTorch docs for SGD: b_1 = g_1, b_t = μ·b_{t−1} + (1 − τ)·g_t, θ ← θ − lr·b_t (Nesterov: g_t + μ·b_t).
    assert solve("sgd-momentum", lr=0.5, momentum=0.9, p0=0, grads="3,-2") == pytest.approx(-1.85)
    assert solve("sgd-momentum", lr=0.2, momentum=0.9, nesterov="true", p0=0, grads="-0.9,2.1") == pytest.approx(
        -0.3102
    )
    # Dampening skips the first step: b_1 = 1, b_2 = 0.9 + 0.5·1 = 1.4.
    assert solve("sgd-momentum", lr=0.1, momentum=0.9, dampening=0.5, p0=1, grads="1,1") == pytest.approx(0.76)
    # L2 weight decay enters the gradient: g = 0 + 0.1·1.
    assert solve("sgd-momentum", lr=0.1, weight_decay=0.1, p0=1, grads="0") == pytest.approx(0.99)


def test_adaptive_known_values():
    # Adam (Kingma & Ba 2015, §2.1): with bias correction the first step has magnitude lr.
    assert solve("adaptive-optimizer", optimizer="adam", lr=0.1, p0=1, grads="0.5") == pytest.approx(0.9)
    # Adagrad (Duchi et al. 2011): G = 16 then 17.
    assert solve("adaptive-optimizer", optimizer="adagrad", lr=0.5, p0=1, grads="4,1") == pytest.approx(
        0.5 - 0.5 / math.sqrt(17)
    )
    # RMSprop (Hinton, lecture 6e): v = 0.1, then 0.19.
    got = solve("adaptive-optimizer", optimizer="rmsprop", lr=0.01, alpha=0.9, p0=0, grads="1,1")
    assert got == pytest.approx(-0.01 / math.sqrt(0.1) - 0.01 / math.sqrt(0.19))


def test_iteration_counts_known_values():
    # CIFAR-10 (50,000 images) at batch 128: 391 batches per epoch; ImageNet-1k (1,281,167) at batch 256:
    # 5005 per epoch as the PyTorch ImageNet example prints, 5004 with drop_last; MNIST 60,000 at 64: 938.
    assert solve("iterations", num_samples=50000, batch_size=128, quantity="per_epoch") == 391
    assert solve("iterations", num_samples=1281167, batch_size=256, quantity="per_epoch") == 5005
    assert solve("iterations", num_samples=1281167, batch_size=256, drop_last="true", quantity="per_epoch") == 5004
    assert solve("iterations", num_samples=60000, batch_size=64, epochs=10) == 9380
    assert solve("iterations", num_samples=50000, batch_size=128, epochs=200) == 78200


def test_updates_per_epoch_known_values():
    # Goodfellow et al., Deep Learning §8.1.3: batch GD makes one update per pass, SGD one per example,
    # mini-batch GD one per mini-batch.
    assert solve("updates-per-epoch", method="batch", num_samples=1000) == 1
    assert solve("updates-per-epoch", method="sgd", num_samples=1000) == 1000
    assert solve("updates-per-epoch", method="minibatch", num_samples=1000, batch_size=64) == 16
    assert solve("updates-per-epoch", method="minibatch", num_samples=1000, batch_size=64, drop_last="true") == 15


# ---------------------------------------------------------------- (b) closed form == torch


def test_onecycle_and_warmup_match_torch_on_every_step():
    # The phase boundaries (OneCycle) and the SequentialLR milestone are where an off-by-one would hide.
    family = get_family("lr-schedule")
    for extra in (
        dict(scheduler="onecycle", max_lr=0.1, total_steps=40, pct_start=0.25, three_phase=True),
        dict(scheduler="onecycle", max_lr=1.0, total_steps=30, anneal_strategy="linear"),
        dict(scheduler="warmup-cosine", lr=0.1, warmup_steps=4, start_factor=0.25, T_max=10, eta_min=0.01),
    ):
        for step in range(0, 30):
            p = family.params_model(**extra, step=step)
            assert family.solve(p) == pytest.approx(family.verify(p), rel=1e-9, abs=1e-15), (extra, step)


# ---------------------------------------------------------------- (c) invalid parameters


@pytest.mark.parametrize(
    "name, values, fragment",
    [
        (
            "lr-schedule",
            {"scheduler": "step", "step_size": "10", "T_max": "5", "step": "3"},
            "T_max is not an argument of StepLR",
        ),
        ("lr-schedule", {"scheduler": "step", "step": "3"}, "needs step_size"),
        ("lr-schedule", {"scheduler": "multistep", "milestones": "80,30", "step": "3"}, "strictly increasing"),
        ("lr-schedule", {"scheduler": "cosine", "lr": "0.1", "T_max": "10", "eta_min": "0.5", "step": "1"}, "eta_min"),
        (
            "lr-schedule",
            {"scheduler": "onecycle", "max_lr": "0.1", "total_steps": "100", "step": "100"},
            "past the end",
        ),
        (
            "lr-schedule",
            {
                "scheduler": "onecycle",
                "max_lr": "0.1",
                "total_steps": "100",
                "step": "1",
                "pct_start": "0.6",
                "three_phase": "true",
            },
            "pct_start",
        ),
        ("lr-schedule", {"scheduler": "exponential", "gamma": "1.5", "step": "3"}, "gamma"),
        ("lr-schedule", {"scheduler": "cosine-restarts", "T_0": "10", "T_mult": "1.5", "step": "3"}, "T_mult"),
        ("lr-schedule", {"scheduler": "sgdr", "step": "3"}, "scheduler"),
        ("lr-threshold-step", {"scheduler": "cosine", "lr": "0.1", "T_max": "10", "threshold": "0.2"}, "below lr"),
        (
            "lr-threshold-step",
            {"scheduler": "cosine", "lr": "0.1", "T_max": "10", "eta_min": "0.01", "threshold": "0.005"},
            "eta_min",
        ),
        (
            "lr-threshold-step",
            {"scheduler": "exponential", "lr": "0.1", "gamma": "0.5", "step_size": "3", "threshold": "0.01"},
            "step_size is not an argument",
        ),
        (
            "sgd-momentum",
            {"lr": "0.1", "momentum": "0.9", "nesterov": "true", "dampening": "0.1", "p0": "1", "grads": "1"},
            "nesterov",
        ),
        ("sgd-momentum", {"lr": "0.1", "p0": "1", "grads": ""}, "grads"),
        (
            "adaptive-optimizer",
            {"optimizer": "adagrad", "p0": "1", "grads": "1", "alpha": "0.9"},
            "alpha is not an argument",
        ),
        (
            "adaptive-optimizer",
            {"optimizer": "rmsprop", "p0": "1", "grads": "1", "betas": "0.9,0.99"},
            "betas is not an argument",
        ),
        ("adaptive-optimizer", {"optimizer": "adam", "p0": "1", "grads": "1", "betas": "0.9,1.5"}, "betas"),
        ("iterations", {"num_samples": "0", "batch_size": "64"}, "num_samples"),
        ("iterations", {"num_samples": "100", "batch_size": "64", "quantity": "all"}, "quantity"),
        ("updates-per-epoch", {"method": "sgd", "num_samples": "100", "drop_last": "true"}, "drop_last only applies"),
        ("updates-per-epoch", {"method": "minibatch", "num_samples": "100"}, "needs batch_size"),
        (
            "updates-per-epoch",
            {"method": "minibatch", "num_samples": "100", "batch_size": "100"},
            "batch gradient descent",
        ),
        ("updates-per-epoch", {"method": "batch", "num_samples": "100", "epochs": "3"}, "unknown parameter"),
    ],
)
def test_invalid_params_rejected(name, values, fragment):
    with pytest.raises(BadParameters) as err:
        parse_params(get_family(name), values)
    assert fragment in str(err.value)
