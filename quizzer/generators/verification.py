"""Closed form vs torch: the check that keeps every answer key honest."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from quizzer.generators.base import Family, Params, answers_agree, relative_error
from quizzer.generators.registry import all_families, get_family, instance_seed, sample_params


@dataclass
class Disagreement:
    family: str
    difficulty: int
    seed: int
    params: dict[str, Any]
    closed_form: Any
    torch_value: Any


@dataclass
class FamilyReport:
    family: str
    samples: int = 0
    agreements: int = 0
    max_rel_error: float = 0.0
    seconds: float = 0.0
    disagreements: list[Disagreement] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.agreements == self.samples


@dataclass(frozen=True)
class Check:
    """One instance checked: both values and whether they agree."""

    answer: Any
    torch_answer: Any
    agree: bool
    rel_error: float


@contextmanager
def single_threaded_torch() -> Iterator[None]:
    """Run torch on one thread: the checks use tiny tensors, where thread start-up dominates (≈10× slower on 2 cores)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def check(family: Family[Any], params: Params) -> Check:
    answer = family.solve(params)
    with single_threaded_torch():
        torch_answer = family.verify(params)
    spec = family.spec(params)
    return Check(answer, torch_answer, answers_agree(spec, answer, torch_answer), relative_error(answer, torch_answer))


def verify_family(family: Family[Any], *, samples: int, seed: int = 0) -> FamilyReport:
    """``samples`` random acceptable instances at every difficulty the family has."""
    report = FamilyReport(family.name)
    start = time.perf_counter()
    for difficulty in family.difficulties:
        for i in range(samples):
            inst_seed = instance_seed(family.name, seed, difficulty, i)
            params = sample_params(family, inst_seed, difficulty)
            result = check(family, params)
            report.samples += 1
            report.max_rel_error = max(report.max_rel_error, result.rel_error)
            if result.agree:
                report.agreements += 1
            else:
                report.disagreements.append(
                    Disagreement(
                        family.name,
                        difficulty,
                        inst_seed,
                        params.model_dump(mode="json"),
                        result.answer,
                        result.torch_answer,
                    )
                )
    report.seconds = time.perf_counter() - start
    return report


def verify_all(*, family: str | None = None, samples: int = 100, seed: int = 0) -> list[FamilyReport]:
    families = [get_family(family)] if family else all_families()
    return [verify_family(f, samples=samples, seed=seed) for f in families]
