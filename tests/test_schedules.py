"""The scheduler table: every entry's closed form against torch's real scheduler, its arguments against torch's."""

from __future__ import annotations

import inspect
import math
import random
from typing import Any

import pytest

from quizzer.errors import BadParameters
from quizzer.generators.registry import get_family, parse_params
from quizzer.generators.schedules import (
    SCHEDULES,
    Args,
    Schedule,
    ScheduleParams,
    with_scheduler_args,
)

ENTRIES = list(SCHEDULES.values())
NAMES = [s.name for s in ENTRIES]


def torch_schedule(name: str, optimizer: Any, args: dict[str, Any]) -> Any:
    """torch's scheduler built here from the arguments' names, not through the table's own constructor."""
    from torch.optim import lr_scheduler

    if name == "warmup-cosine":  # the one composite entry: a LinearLR warm-up chained to a cosine
        warm = lr_scheduler.LinearLR(
            optimizer, start_factor=args["start_factor"], end_factor=1.0, total_iters=args["warmup_steps"]
        )
        cos = lr_scheduler.CosineAnnealingLR(optimizer, T_max=args["T_max"], eta_min=args["eta_min"])
        return lr_scheduler.SequentialLR(optimizer, schedulers=[warm, cos], milestones=[args["warmup_steps"]])
    if name in ("sequential", "chained"):  # the text names the parts; each part is built here by its own names
        from quizzer.generators.schedules_composite import CHAINED_PARTS, SEQUENTIAL_PARTS, parse_parts

        allowed = SEQUENTIAL_PARTS if name == "sequential" else CHAINED_PARTS
        inner = [
            torch_schedule(s.name, optimizer, a.model_dump()) for s, a in parse_parts(args["schedulers"], allowed, name)
        ]
        if name == "chained":
            return lr_scheduler.ChainedScheduler(inner, optimizer=optimizer)
        return lr_scheduler.SequentialLR(optimizer, schedulers=inner, milestones=args["milestones"])
    kwargs = {k: v for k, v in args.items() if k != "metrics"}  # ReduceLROnPlateau takes its metric in step()
    return getattr(lr_scheduler, SCHEDULES[name].torch_class)(optimizer, **kwargs)


def torch_lrs(name: str, args: dict[str, Any], lr: float, steps: int) -> list[float]:
    """The lr torch uses at steps 0..steps−1 (optimizer.step() then scheduler.step() each time)."""
    import warnings

    import torch

    w = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([w], lr=lr, momentum=0.9)  # momentum: OneCycleLR cycles it by default
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sched = torch_schedule(name, opt, args)
        for t in range(steps):
            out.append(opt.param_groups[0]["lr"])
            if t == steps - 1:
                break  # the last lr is read, not stepped past (ReduceLROnPlateau has no metric beyond it)
            opt.step()
            if "metrics" in args:
                sched.step(args["metrics"][t])
            else:
                sched.step()
    return out


@pytest.mark.parametrize("entry", ENTRIES, ids=NAMES)
def test_closed_form_equals_torch_on_every_step(entry: Schedule[Any]) -> None:
    for difficulty in entry.difficulties:
        for seed in range(12):
            rng = random.Random(seed)
            lr = rng.choice([0.1, 0.01, 0.5])
            drawn = entry.sample(rng, difficulty, lr, rng.choice([0.0, lr / 10]))
            step = drawn.pop("step")
            a = entry.args_model(**drawn)
            entry.check(a, lr)
            last = entry.last_step(a)
            steps = step + 25 if last is None else last + 1
            scale = entry.scale(a, lr)
            for t, expected in enumerate(torch_lrs(entry.name, a.model_dump(), lr, steps)):
                assert entry.lr_at(a, lr, t) == pytest.approx(expected, rel=1e-9, abs=1e-12 * scale), (entry.name, a, t)


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e.name != "warmup-cosine"], ids=lambda e: e.name)
def test_arguments_are_torch_s_own_names_and_defaults(entry: Schedule[Any]) -> None:
    from torch.optim import lr_scheduler

    torch_class = getattr(lr_scheduler, entry.torch_class)
    for key, field in entry.args_model.model_fields.items():
        # Arguments of step() (ReduceLROnPlateau's metrics) are checked against step()'s signature.
        signature = inspect.signature(torch_class.step if key in entry.step_args else torch_class)
        assert key in signature.parameters, f"{entry.torch_class} has no argument {key}"
        torch_default = signature.parameters[key].default
        if field.is_required():
            assert torch_default is inspect.Parameter.empty or key == "total_steps", key  # OneCycle also takes epochs
        else:
            assert field.default == torch_default, (key, field.default, torch_default)


def test_table_is_well_formed() -> None:
    assert len(SCHEDULES) >= 9 and len(set(NAMES)) == len(NAMES)
    for d in (1, 2, 3):
        assert len([s for s in ENTRIES if d in s.difficulties]) >= 3, d
    assert all(set(s.difficulties) <= {1, 2, 3} for s in ENTRIES)


@pytest.mark.parametrize("name", NAMES)
def test_every_foreign_argument_is_refused_naming_the_scheduler_s_own(name: str) -> None:
    family, own = get_family("lr-schedule"), SCHEDULES[name].args_model.model_fields
    foreign = sorted({k for s in ENTRIES for k in s.args_model.model_fields} - set(own))
    with pytest.raises(BadParameters) as err:
        parse_params(family, {"scheduler": name, "step": "1", foreign[0]: "1"})
    assert f"{foreign[0]} is not an argument of {SCHEDULES[name].torch_class}" in str(err.value)
    assert f"it takes: {', '.join(own)}" in str(err.value)


def test_defaults_are_filled_and_typed_args_kept() -> None:
    p = parse_params(get_family("lr-schedule"), {"scheduler": "linear", "lr": "0.3", "step": "2"})
    # torch's LinearLR defaults: start_factor=1/3, end_factor=1.0, total_iters=5.
    assert (p.start_factor, p.end_factor, p.total_iters, p.gamma) == (1 / 3, 1.0, 5, None)
    assert p.args == SCHEDULES["linear"].args_model(start_factor=1 / 3, end_factor=1.0, total_iters=5)
    assert p.lr_at(2) == pytest.approx(0.3 * (1 / 3 + (2 / 3) * 2 / 5))
    assert p.constructor() == "LinearLR(optimizer, start_factor=0.333333, end_factor=1, total_iters=5)"


def test_an_argument_declared_two_ways_is_refused(monkeypatch) -> None:
    from pydantic import Field

    class OtherGamma(Args):
        gamma: float = Field(gt=0, le=2)  # StepLR's gamma is < 1

    class Bad(SCHEDULES["exponential"].__class__):  # type: ignore[misc]
        name, args_model = "bad", OtherGamma

    monkeypatch.setitem(SCHEDULES, "bad", Bad())
    with pytest.raises(TypeError, match="gamma"):
        with_scheduler_args(ScheduleParams, ["step", "bad"])


def mistakes(name: str, lr: float, t: int, **args: Any) -> dict[str, float]:
    entry = SCHEDULES[name]
    return {m.tag: m.value for m in entry.misconceptions(entry.args_model(**args), lr, t)}


def test_mistakes_are_the_described_mistake() -> None:
    # StepLR without the floor is γ^(t/step_size); applied every step it is ExponentialLR.
    step = mistakes("step", 0.1, 25, step_size=10, gamma=0.5)
    assert step == pytest.approx({"no-floor": 0.1 * 0.5**2.5, "decay-every-step": 0.1 * 0.5**25})
    # At t = 80 with milestones 30, 80: counting milestones < t passes one (0.1·0.1); not compounding, also one.
    multi = mistakes("multistep", 0.1, 80, milestones=[30, 80], gamma=0.1)
    assert multi == pytest.approx({"milestone-exclusive": 0.01, "not-compounded": 0.01})
    # PolynomialLR, 5 of 10 steps, power 2: without the power 0.1·0.5; power on the ratio 0.1·(1 − 0.25).
    assert mistakes("polynomial", 0.1, 5, total_iters=10, power=2.0) == pytest.approx(
        {"ignored-power": 0.05, "power-on-ratio": 0.075}
    )
    # Cosine with T_max=10 at t=5: a full period puts cos(π) there, so η_min; without η_min 0.05.
    cos = mistakes("cosine", 0.1, 5, T_max=10, eta_min=0.01)
    assert cos == pytest.approx({"full-period": 0.01, "forgot-eta-min": 0.05})
    # ExponentialLR γ=0.9 for 3 steps: e^(−0.9·3) and (1 − 0.9)³.
    exp = mistakes("exponential", 0.1, 3, gamma=0.9)
    assert exp == pytest.approx({"e-power": 0.1 * math.exp(-2.7), "one-minus-gamma": 0.1 * 0.1**3})


def test_threshold_family_offers_only_invertible_schedulers_and_answers_ties() -> None:
    family = get_family("lr-threshold-step")
    with pytest.raises(BadParameters, match="'step', 'multistep', 'exponential' or 'cosine'"):
        parse_params(family, {"scheduler": "linear", "lr": "0.1", "threshold": "0.01"})
    # 0.1·0.5 = 0.05 exactly (in binary too): equal is not strictly below, so the lr first drops below at step 2.
    tie = parse_params(family, {"scheduler": "exponential", "lr": "0.1", "gamma": "0.5", "threshold": "0.05"})
    assert family.solve(tie) == 2 and family.acceptable(tie)
    ok = parse_params(family, {"scheduler": "exponential", "lr": "0.1", "gamma": "0.5", "threshold": "0.04"})
    assert family.acceptable(ok) and family.solve(ok) == 2  # 0.1, 0.05, 0.025
