"""ConstantLR, CyclicLR, ReduceLROnPlateau, SequentialLR and ChainedScheduler through lr-schedule, against torch.

Every expected value is torch's own: the scheduler is constructed here with torch's API and stepped here.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizzer.errors import BadParameters
from quizzer.generators.registry import get_family, parse_params

FAMILY = get_family("lr-schedule")


def torch_lr(lr: float, make: Callable[[Any, Any], Any], steps: int, metrics: list[float] | None = None) -> float:
    """optimizer.param_groups[0]['lr'] after ``steps`` calls of step() on the scheduler ``make(lr_scheduler, opt)``."""
    import torch
    from torch.optim import lr_scheduler

    w = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([w], lr=lr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sched = make(lr_scheduler, opt)
        for t in range(steps):
            opt.step()
            sched.step(metrics[t]) if metrics is not None else sched.step()
    return float(opt.param_groups[0]["lr"])


def solve(**values: Any) -> float:
    return FAMILY.solve(parse_params(FAMILY, {k: str(v) for k, v in values.items()}))


@pytest.mark.parametrize("step", [0, 2, 3, 4, 9])
def test_constantlr(step: int) -> None:
    expected = torch_lr(0.05, lambda L, o: L.ConstantLR(o, factor=0.5, total_iters=3), step)
    assert solve(scheduler="constant", lr=0.05, factor=0.5, total_iters=3, step=step) == pytest.approx(
        expected, rel=1e-12
    )


@pytest.mark.parametrize("mode", ["triangular", "triangular2", "exp_range"])
@pytest.mark.parametrize("down", [None, 3])
def test_cycliclr_every_step(mode: str, down: int | None) -> None:
    args = dict(base_lr=0.001, max_lr=0.006, step_size_up=5, step_size_down=down, mode=mode, gamma=0.9)
    values = dict(scheduler="cyclic", lr=0.1, **{k: v for k, v in args.items() if v is not None})
    for step in range(0, 40):
        # cycle_momentum=False: SGD without momentum has none to cycle (torch refuses otherwise).
        expected = torch_lr(0.1, lambda L, o: L.CyclicLR(o, **args, cycle_momentum=False), step)
        assert solve(**values, step=step) == pytest.approx(expected, rel=1e-12), step


PLATEAU_CASES = [
    # A loss that stalls: patience=2 reduces on the third bad epoch (steps 3, 4, 5 bad → cut after step 5).
    dict(metrics=[1.0, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9], patience=2),
    # An accuracy (mode max) with an absolute threshold: a gain of 0.005 < 0.01 is not better.
    dict(
        metrics=[0.5, 0.6, 0.605, 0.61, 0.612, 0.7, 0.7, 0.7],
        mode="max",
        threshold=0.01,
        threshold_mode="abs",
        patience=1,
    ),
    # Cooldown 2 and a floor: bad epochs in the cooldown do not count, the lr stops at min_lr.
    dict(metrics=[1.0] * 20, patience=0, cooldown=2, factor=0.5, min_lr=0.02),
    # eps larger than the cut: torch skips reductions smaller than eps.
    dict(metrics=[1.0] * 12, patience=1, factor=0.5, eps=0.02),
]


@pytest.mark.parametrize("case", PLATEAU_CASES)
def test_reducelronplateau_every_step(case: dict[str, Any]) -> None:
    ms = case["metrics"]
    kwargs = {k: v for k, v in case.items() if k != "metrics"}
    values = dict(scheduler="plateau", lr=0.1, metrics=",".join(map(str, ms)), **kwargs)
    for step in range(len(ms) + 1):
        expected = torch_lr(0.1, lambda L, o: L.ReduceLROnPlateau(o, **kwargs), step, ms)
        assert solve(**values, step=step) == pytest.approx(expected, rel=1e-12), step


@settings(max_examples=40, deadline=None)
@given(
    metrics=st.lists(st.sampled_from([1.0, 0.99, 0.98, 0.95, 1.01, 0.9]), min_size=1, max_size=30),
    patience=st.integers(0, 4),
    cooldown=st.integers(0, 3),
    mode=st.sampled_from(["min", "max"]),
    threshold_mode=st.sampled_from(["rel", "abs"]),
    threshold=st.sampled_from([0.0, 1e-4, 0.01, 0.02]),
)
def test_reducelronplateau_property(metrics, patience, cooldown, mode, threshold_mode, threshold) -> None:
    kwargs = dict(patience=patience, cooldown=cooldown, mode=mode, threshold_mode=threshold_mode, threshold=threshold)
    expected = torch_lr(0.1, lambda L, o: L.ReduceLROnPlateau(o, factor=0.5, **kwargs), len(metrics), metrics)
    got = solve(
        scheduler="plateau", lr=0.1, factor=0.5, metrics=",".join(map(str, metrics)), step=len(metrics), **kwargs
    )
    assert got == pytest.approx(expected, rel=1e-12)


def test_plateau_solution_explains_each_reduction_and_patience_mistake() -> None:
    p = parse_params(
        FAMILY, {"scheduler": "plateau", "lr": "0.1", "metrics": "1,0.9,0.9,0.9,0.9,0.9", "patience": "2", "step": "6"}
    )
    problem = FAMILY.build(p, difficulty=0, seed=None)
    assert (
        "call 5: step(metrics[4] = 0.9): not better (best = 0.9); num_bad_epochs = 3 > patience 2"
        in problem.solution.en
    )
    assert "lr becomes 0.01" in problem.solution.en
    # Reducing on the patience-th bad epoch instead of the one after it cuts at step 4, then again by step 6.
    off = {m.tag: m.value for m in problem.misconceptions}
    assert "patience-off-by-one" in off


def test_plateau_metrics_must_cover_the_step() -> None:
    with pytest.raises(BadParameters, match="runs steps 0..3"):
        parse_params(FAMILY, {"scheduler": "plateau", "lr": "0.1", "metrics": "1,1,1", "step": "4"})


@pytest.mark.parametrize("step", [0, 4, 5, 6, 30, 99, 120])
def test_sequentiallr_text_syntax(step: int) -> None:
    def make(L: Any, o: Any) -> Any:
        warm = L.LinearLR(o, start_factor=0.1, total_iters=5)
        return L.SequentialLR(o, schedulers=[warm, L.CosineAnnealingLR(o, T_max=95)], milestones=[5])

    got = solve(
        scheduler="sequential",
        lr=0.1,
        schedulers="linear(start_factor=0.1,total_iters=5); cosine(T_max=95)",
        milestones=5,
        step=step,
    )
    assert got == pytest.approx(torch_lr(0.1, make, step), rel=1e-9, abs=1e-15)


@pytest.mark.parametrize("step", [0, 19, 20, 21, 25, 40, 45])
def test_sequentiallr_three_phases_torch_class_names(step: int) -> None:
    # The docs' example (ConstantLR then ExponentialLR at 20), with a MultiStepLR third phase; torch's names accepted.
    def make(L: Any, o: Any) -> Any:
        parts = [L.ConstantLR(o, factor=0.1, total_iters=20), L.ExponentialLR(o, gamma=0.9), L.MultiStepLR(o, [2, 4])]
        return L.SequentialLR(o, schedulers=parts, milestones=[20, 40])

    text = "ConstantLR(factor=0.1, total_iters=20); ExponentialLR(gamma=0.9); MultiStepLR(milestones=[2, 4])"
    got = solve(scheduler="sequential", lr=0.05, schedulers=text, milestones="20,40", step=step)
    assert got == pytest.approx(torch_lr(0.05, make, step), rel=1e-9)


@pytest.mark.parametrize("step", [0, 1, 2, 3, 10])
def test_chainedscheduler(step: int) -> None:
    def make(L: Any, o: Any) -> Any:
        return L.ChainedScheduler(
            [L.ConstantLR(o, factor=0.1, total_iters=2), L.ExponentialLR(o, gamma=0.9)], optimizer=o
        )

    got = solve(
        scheduler="chained", lr=1.0, schedulers="constant(factor=0.1, total_iters=2); exponential(gamma=0.9)", step=step
    )
    assert got == pytest.approx(torch_lr(1.0, make, step), rel=1e-9)


@pytest.mark.parametrize(
    "values, fragment",
    [
        (
            {"scheduler": "sequential", "schedulers": "__import__('os').system('true')", "milestones": "5"},
            "name(key=value",
        ),
        (
            {"scheduler": "sequential", "schedulers": "linear(total_iters=5); plateau()", "milestones": "5"},
            "cannot hold 'plateau'",
        ),
        (
            {"scheduler": "sequential", "schedulers": "linear(total_iters=5); cosine(T_max=9)", "milestones": "5,7"},
            "one milestone fewer",
        ),
        ({"scheduler": "sequential", "schedulers": "cosine(T_max=x)", "milestones": ""}, "T_max"),
        ({"scheduler": "sequential", "schedulers": "cosine(T_max=[3", "milestones": ""}, "unbalanced"),
        ({"scheduler": "chained", "schedulers": "cosine(T_max=10)"}, "cannot hold 'cosine'"),
        ({"scheduler": "cyclic", "base_lr": "0.1", "max_lr": "0.01"}, "must exceed base_lr"),
        ({"scheduler": "cyclic", "base_lr": "0.1", "max_lr": "1", "mode": "min"}, "'triangular'"),
        ({"scheduler": "plateau", "metrics": "1,2", "mode": "triangular"}, "'min', 'max'"),
        ({"scheduler": "plateau", "metrics": "1,2", "factor": "1"}, "below 1"),
    ],
)
def test_bad_scheduler_text_gets_one_clear_error(values: dict[str, str], fragment: str) -> None:
    with pytest.raises(BadParameters) as err:
        parse_params(FAMILY, {"lr": "0.1", "step": "1", **values})
    assert fragment in str(err.value)


# Every scheduler a composite may hold, as typed and as torch builds it here.
PARTS: dict[str, Callable[[Any, Any], Any]] = {
    "linear(start_factor=0.2, end_factor=0.9, total_iters=4)": lambda L, o: L.LinearLR(o, 0.2, 0.9, 4),
    "constant(factor=0.3, total_iters=3)": lambda L, o: L.ConstantLR(o, factor=0.3, total_iters=3),
    "step(step_size=3, gamma=0.5)": lambda L, o: L.StepLR(o, step_size=3, gamma=0.5),
    "multistep(milestones=[2, 5], gamma=0.5)": lambda L, o: L.MultiStepLR(o, milestones=[2, 5], gamma=0.5),
    "exponential(gamma=0.8)": lambda L, o: L.ExponentialLR(o, gamma=0.8),
    "polynomial(total_iters=6, power=2)": lambda L, o: L.PolynomialLR(o, total_iters=6, power=2),
    "cosine(T_max=7, eta_min=0.001)": lambda L, o: L.CosineAnnealingLR(o, T_max=7, eta_min=0.001),
}


@pytest.mark.parametrize("first", list(PARTS))
@pytest.mark.parametrize("second", list(PARTS))
def test_every_pair_in_sequentiallr_and_chainedscheduler(first: str, second: str) -> None:
    def sequential(L: Any, o: Any) -> Any:
        return L.SequentialLR(o, schedulers=[PARTS[first](L, o), PARTS[second](L, o)], milestones=[4])

    def chained(L: Any, o: Any) -> Any:
        return L.ChainedScheduler([PARTS[first](L, o), PARTS[second](L, o)], optimizer=o)

    text = f"{first}; {second}"
    for step in (0, 3, 4, 5, 9, 15):
        got = solve(scheduler="sequential", lr=0.1, schedulers=text, milestones=4, step=step)
        assert got == pytest.approx(torch_lr(0.1, sequential, step), rel=1e-9, abs=1e-13), step
        if "cosine" not in text:  # ChainedScheduler multiplies factors; the cosine's update is not a factor
            got = solve(scheduler="chained", lr=0.1, schedulers=text, step=step)
            assert got == pytest.approx(torch_lr(0.1, chained, step), rel=1e-9, abs=1e-13), step
