"""Adam weight_decay, AdamW, amsgrad, RMSprop momentum/centered and long gradient runs, against torch.optim here.

Every expected value comes from the torch optimizer constructed and stepped in this file.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizzer.generators.registry import get_family, parse_params

ADAPTIVE = get_family("adaptive-optimizer")
SGD = get_family("sgd-momentum")


def torch_final(make: str, p0: float, grads: list[float], **kwargs: Any) -> float:
    """p after stepping ``torch.optim.<make>(**kwargs)`` through ``grads`` (float64, the gradient set directly)."""
    import torch

    w = torch.tensor([p0], dtype=torch.float64, requires_grad=True)
    opt = getattr(torch.optim, make)([w], **kwargs)
    for g in grads:
        w.grad = torch.tensor([g], dtype=torch.float64)
        opt.step()
    return float(w.item())


def build(family: Any, **values: Any) -> Any:
    text = {k: ",".join(map(str, v)) if isinstance(v, (list, tuple)) else str(v) for k, v in values.items()}
    p = parse_params(family, text)
    return p, family.build(p, difficulty=0, seed=None)


GRADS = [1.0, -0.5, 0.2, 0.05, -0.01]


@pytest.mark.parametrize(
    "optimizer, torch_name, kwargs",
    [
        ("adam", "Adam", dict(weight_decay=0.1)),
        ("adam", "Adam", dict(weight_decay=0.1, amsgrad=True, betas=(0.5, 0.9))),
        ("adamw", "AdamW", dict()),  # torch's default weight_decay=0.01
        ("adamw", "AdamW", dict(weight_decay=0.5, lr=0.2)),
        ("adamw", "AdamW", dict(amsgrad=True, betas=(0.8, 0.9))),
        ("rmsprop", "RMSprop", dict(momentum=0.9)),
        ("rmsprop", "RMSprop", dict(centered=True)),
        ("rmsprop", "RMSprop", dict(centered=True, momentum=0.5, weight_decay=0.05, alpha=0.9)),
    ],
)
def test_new_options_match_torch(optimizer: str, torch_name: str, kwargs: dict[str, Any]) -> None:
    _, problem = build(ADAPTIVE, optimizer=optimizer, p0=2.0, grads=GRADS, **kwargs)
    expected = torch_final(torch_name, 2.0, GRADS, **kwargs)
    assert problem.answer == pytest.approx(expected, rel=1e-12)


def mistake_values(problem: Any) -> dict[str, float]:
    return {tag: m.value for m in problem.misconceptions for tag in m.tag.split("+")}


def test_l2_versus_decoupled_mistakes_are_the_other_optimizer() -> None:
    # Adam with AdamW's decoupled decay is what torch's AdamW computes, and the reverse.
    _, adam = build(ADAPTIVE, optimizer="adam", lr=0.1, p0=3.0, grads=GRADS, weight_decay=0.5)
    assert mistake_values(adam)["decoupled-in-adam"] == pytest.approx(
        torch_final("AdamW", 3.0, GRADS, lr=0.1, weight_decay=0.5), rel=1e-12
    )
    _, adamw = build(ADAPTIVE, optimizer="adamw", lr=0.1, p0=3.0, grads=GRADS, weight_decay=0.5)
    assert mistake_values(adamw)["l2-in-adamw"] == pytest.approx(
        torch_final("Adam", 3.0, GRADS, lr=0.1, weight_decay=0.5), rel=1e-12
    )


def test_ignored_options_are_torch_without_them() -> None:
    grads = [1.0, 0.05, -0.02, 0.01]
    _, ams = build(ADAPTIVE, optimizer="adam", lr=0.1, p0=0.0, grads=grads, amsgrad=True, betas=(0.5, 0.9))
    assert mistake_values(ams)["ignored-amsgrad"] == pytest.approx(
        torch_final("Adam", 0.0, grads, lr=0.1, betas=(0.5, 0.9)), rel=1e-12
    )
    _, rms = build(ADAPTIVE, optimizer="rmsprop", lr=0.01, p0=0.0, grads=grads, centered=True, momentum=0.9)
    values = mistake_values(rms)
    assert values["not-centered"] == pytest.approx(torch_final("RMSprop", 0.0, grads, lr=0.01, momentum=0.9), rel=1e-12)
    assert values["ignored-momentum"] == pytest.approx(
        torch_final("RMSprop", 0.0, grads, lr=0.01, centered=True), rel=1e-12
    )


def test_arguments_of_another_optimizer_are_refused() -> None:
    from quizzer.errors import BadParameters

    with pytest.raises(BadParameters, match="amsgrad is not an argument of RMSprop"):
        parse_params(ADAPTIVE, {"optimizer": "rmsprop", "p0": "1", "grads": "1", "amsgrad": "true"})
    with pytest.raises(BadParameters, match="centered is not an argument of AdamW"):
        parse_params(ADAPTIVE, {"optimizer": "adamw", "p0": "1", "grads": "1", "centered": "true"})


def long_grads(n: int) -> list[float]:
    return [round(((i * 37) % 101) / 50 - 1, 3) for i in range(n)]


@pytest.mark.parametrize("optimizer, torch_name", [("adamw", "AdamW"), ("rmsprop", "RMSprop")])
def test_ten_thousand_gradients_folded(optimizer: str, torch_name: str) -> None:
    grads = long_grads(10_000)
    _, problem = build(ADAPTIVE, optimizer=optimizer, lr=0.01, p0=1.0, grads=grads)
    assert problem.answer == pytest.approx(torch_final(torch_name, 1.0, grads, lr=0.01), rel=1e-9)
    lines = problem.solution.en.splitlines()
    # The rule, five steps, the fold, the last three: not ten thousand lines.
    assert len(lines) == 10 and "9992 more steps" in lines[6] and lines[-1].startswith("t=10000 ")
    assert "(10000 values)" in problem.prompt.en and "（共 10000 个）" in problem.prompt.zh


def test_sgd_ten_thousand_gradients() -> None:
    grads = long_grads(10_000)
    _, problem = build(SGD, lr=0.01, momentum=0.9, nesterov="true", p0=1.0, grads=grads)
    expected = torch_final("SGD", 1.0, grads, lr=0.01, momentum=0.9, nesterov=True)
    assert problem.answer == pytest.approx(expected, rel=1e-9)
    assert len(problem.solution.en.splitlines()) == 10


@settings(max_examples=40, deadline=None)
@given(
    grads=st.lists(st.floats(-3, 3, allow_nan=False).map(lambda x: round(x, 2)), min_size=1, max_size=40).filter(
        lambda gs: any(gs)
    ),
    optimizer=st.sampled_from(["adam", "adamw"]),
    weight_decay=st.sampled_from([0.0, 0.01, 0.3]),
    amsgrad=st.booleans(),
    p0=st.floats(-5, 5).map(lambda x: round(x, 1)),
)
def test_adam_family_property(grads, optimizer, weight_decay, amsgrad, p0) -> None:
    _, problem = build(
        ADAPTIVE, optimizer=optimizer, lr=0.05, p0=p0, grads=grads, weight_decay=weight_decay, amsgrad=amsgrad
    )
    expected = torch_final(
        "Adam" if optimizer == "adam" else "AdamW", p0, grads, lr=0.05, weight_decay=weight_decay, amsgrad=amsgrad
    )
    assert problem.answer == pytest.approx(expected, rel=1e-9, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    grads=st.lists(st.floats(-3, 3, allow_nan=False).map(lambda x: round(x, 2)), min_size=1, max_size=40).filter(
        lambda gs: any(gs)
    ),
    momentum=st.sampled_from([0.0, 0.5, 0.9]),
    centered=st.booleans(),
    alpha=st.sampled_from([0.9, 0.99]),
)
def test_rmsprop_property(grads, momentum, centered, alpha) -> None:
    _, problem = build(
        ADAPTIVE, optimizer="rmsprop", lr=0.01, p0=1.0, grads=grads, momentum=momentum, centered=centered, alpha=alpha
    )
    expected = torch_final("RMSprop", 1.0, grads, lr=0.01, momentum=momentum, centered=centered, alpha=alpha)
    assert problem.answer == pytest.approx(expected, rel=1e-9, abs=1e-12)
