"""lr-threshold-step with MultiStepLR and at exact boundaries, against torch's own scheduler run here."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizzer.errors import BadParameters
from quizzer.generators.registry import get_family, parse_params

FAMILY = get_family("lr-threshold-step")


def torch_first_below(lr: float, threshold: float, make: Callable[[Any, Any], Any], limit: int = 2000) -> int:
    """The first step whose lr torch holds is strictly below ``threshold``."""
    import torch
    from torch.optim import lr_scheduler

    w = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([w], lr=lr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sched = make(lr_scheduler, opt)
        for t in range(limit):
            if opt.param_groups[0]["lr"] < threshold:
                return t
            opt.step()
            sched.step()
    raise AssertionError("never below")


def params(**values: Any) -> Any:
    return parse_params(FAMILY, {k: str(v) for k, v in values.items()})


@pytest.mark.parametrize("threshold", [0.05, 0.009, 0.005, 0.0011, 0.001, 0.0005])
def test_multisteplr(threshold: float) -> None:
    p = params(scheduler="multistep", lr=0.1, milestones="30,80,120", gamma=0.1, threshold=threshold)
    expected = torch_first_below(0.1, threshold, lambda L, o: L.MultiStepLR(o, milestones=[30, 80, 120], gamma=0.1))
    assert FAMILY.solve(p) == expected


def test_multisteplr_past_the_last_milestone_is_refused() -> None:
    with pytest.raises(BadParameters, match="stays at lr·γ\\^2"):
        params(scheduler="multistep", lr=0.1, milestones="30,80", gamma=0.1, threshold=0.0001)


@pytest.mark.parametrize(
    "lr, gamma, threshold, ties_at, torch_below",
    [
        (0.1, 0.5, 0.025, 2, False),  # 0.1·0.5² is exact in binary: equal, so not below
        (0.1, 0.1, 0.01, 1, False),  # 0.1·0.1 = 0.010000000000000002 in binary: above
        (0.7, 0.1, 0.07, 1, True),  # 0.7·0.1 = 0.06999999999999999 in binary: already below
    ],
)
def test_exact_boundary_follows_torch_and_says_why(lr, gamma, threshold, ties_at, torch_below) -> None:
    p = params(scheduler="exponential", lr=lr, gamma=gamma, threshold=threshold)
    expected = torch_first_below(lr, threshold, lambda L, o: L.ExponentialLR(o, gamma=gamma))
    assert FAMILY.solve(p) == expected == (ties_at if torch_below else ties_at + 1)
    problem = FAMILY.build(p, difficulty=0, seed=None)
    assert f"at step {ties_at} the lr exactly equals the threshold" in problem.solution.en
    assert "边界" in problem.solution.zh
    tags = {t for m in problem.misconceptions for t in m.tag.split("+")}
    assert ("real-arithmetic-tie" if torch_below else "equal-counts-as-below") in tags
    # A tie that rounding turns over is answered for a learner who asks, but never drawn for a quiz.
    assert FAMILY.acceptable(p) is not torch_below


def test_cosine_tie_up_to_rounding() -> None:
    # cos(π·5/10) = 0: the lr at step 5 is 0.05 in real arithmetic; torch's recursion leaves 0.05000000000000001.
    p = params(scheduler="cosine", lr=0.1, T_max=10, threshold=0.05)
    expected = torch_first_below(0.1, 0.05, lambda L, o: L.CosineAnnealingLR(o, T_max=10))
    assert FAMILY.solve(p) == expected
    assert "up to rounding" in FAMILY.build(p, difficulty=0, seed=None).solution.en


@settings(max_examples=60, deadline=None)
@given(
    lr=st.sampled_from([0.1, 0.2, 0.3, 0.7, 0.05, 1.0, 0.9]),
    gamma=st.sampled_from([0.1, 0.5, 0.2, 0.3, 0.9]),
    k=st.integers(1, 5),
    step_size=st.integers(1, 7),
)
def test_steplr_thresholds_on_a_scheduled_value(lr, gamma, k, step_size) -> None:
    # The threshold typed as the decimal value of lr·γ^k: a tie in real arithmetic, torch's floats decide.
    threshold = float(f"{lr * gamma**k:.12g}")
    p = params(scheduler="step", lr=lr, gamma=gamma, step_size=step_size, threshold=threshold)
    expected = torch_first_below(lr, threshold, lambda L, o: L.StepLR(o, step_size=step_size, gamma=gamma))
    assert FAMILY.solve(p) == expected
