"""The registry's redraw loop, driven by a fake family whose every draw the test can replay by hand."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from pydantic import field_validator

from quizzer.errors import BadParameters
from quizzer.generators import registry
from quizzer.generators.base import AnswerSpec, Family, Misconception, Params
from quizzer.generators.registry import (
    MAX_RESAMPLES,
    DuplicateFamily,
    NoAcceptableInstance,
    all_families,
    make_problem,
    register,
    sample_params,
)
from quizzer.text import BiText


class FakeParams(Params):
    n: int

    @field_validator("n")
    @classmethod
    def _not_three(cls, n: int) -> int:
        if n == 3:
            raise ValueError("three is ill-posed")
        return n


class Fake(Family[FakeParams]):
    """Draws n in 0..9 (one ``randint`` per draw); 3 fails validation, odd n fails ``acceptable``.

    Its mistakes give n + 1 twice for n < 6 (one distinguishable value), n + 1 and n + 2 from 6 on.
    """

    name = "fake-family"
    topic = "cnn"
    title = BiText("假", "fake")
    answer_spec = AnswerSpec(kind="int")
    params_model = FakeParams
    sample_calls = 0

    def sample(self, rng: random.Random, difficulty: int) -> FakeParams:
        type(self).sample_calls += 1
        return FakeParams(n=rng.randint(0, 9))

    def acceptable(self, p: FakeParams) -> bool:
        return p.n % 2 == 0

    def solve(self, p: FakeParams) -> int:
        return p.n

    def verify(self, p: FakeParams) -> int:
        return p.n

    def prompt(self, p: FakeParams) -> BiText:
        return BiText(f"n = {p.n}?", f"n = {p.n}?")

    def solution(self, p: FakeParams) -> BiText:
        return BiText(f"n = {p.n}", f"n = {p.n}")

    def hints(self, p: FakeParams) -> list[BiText]:
        return [BiText("答案就是 n。", "The answer is n."), BiText("看题目里的 n。", "Read n off the prompt.")]

    def misconceptions(self, p: FakeParams) -> list[Misconception]:
        second = p.n + 1 if p.n < 6 else p.n + 2
        return [
            Misconception("plus-one", p.n + 1, BiText("多一", "one more")),
            Misconception("plus-more", second, BiText("更多", "more")),
            Misconception("no-mistake", p.n, BiText("对的", "right")),
        ]  # build() must drop this one


@pytest.fixture
def fake() -> Iterator[Fake]:
    """The fake family, registered for one test only so that it never shows in other tests' all_families()."""
    all_families()  # load the real families first, so that loading cannot happen while the fake is in
    Fake.sample_calls = 0
    register(Fake)
    try:
        yield registry._REGISTRY[Fake.name]
    finally:
        del registry._REGISTRY[Fake.name]


def replay(seed: int) -> list[int]:
    """The n of every draw the fake makes from this seed, computed without the registry."""
    rng = random.Random(seed)
    return [rng.randint(0, 9) for _ in range(MAX_RESAMPLES)]


def test_the_fixture_registers_the_fake(fake: Fake) -> None:
    assert fake.name in {f.name for f in all_families()}


def test_the_fake_is_gone_afterwards() -> None:
    assert "fake-family" not in {f.name for f in all_families()}


@pytest.mark.parametrize("seed", range(30))
def test_invalid_and_unacceptable_draws_are_redrawn(fake: Fake, seed: int) -> None:
    expected = next(n for n in replay(seed) if n != 3 and n % 2 == 0)
    assert sample_params(fake, seed, 1).n == expected


@pytest.mark.parametrize("seed", range(30))
def test_the_problem_served_prefers_two_distinguishable_mistakes(fake: Fake, seed: int) -> None:
    # n + 1 twice does not count as two mistakes: the first acceptable draw with n ≥ 6 wins.
    expected = next(n for n in replay(seed) if n % 2 == 0 and n >= 6)
    problem = make_problem(fake, seed, 1)
    assert problem.params == {"n": expected}
    assert [m.tag for m in problem.misconceptions] == ["plus-one", "plus-more"]


@pytest.mark.parametrize("seed", range(10))
def test_without_two_distinguishable_mistakes_the_first_acceptable_draw_is_served(fake: Fake, seed: int) -> None:
    expected = next(n for n in replay(seed) if n % 2 == 0 and n < 6)
    problem = make_problem(fake, seed, 1, acceptable=lambda p: p.n < 6)
    assert problem.params == {"n": expected}
    assert {m.value for m in problem.misconceptions} == {expected + 1}


@pytest.mark.parametrize("seed", range(10))
def test_the_extra_acceptable_check_makes_it_redraw_too(fake: Fake, seed: int) -> None:
    expected = next(n for n in replay(seed) if n in (0, 4))
    assert make_problem(fake, seed, 1, acceptable=lambda p: p.n in (0, 1, 3, 4)).params == {"n": expected}


def test_no_acceptable_draw_is_a_clear_error_after_one_limit(fake: Fake) -> None:
    with pytest.raises(NoAcceptableInstance, match=rf"'fake-family': no acceptable instance in {MAX_RESAMPLES} draws"):
        make_problem(fake, 1, 2, acceptable=lambda p: False)
    assert Fake.sample_calls == MAX_RESAMPLES


def test_a_family_whose_draws_are_all_invalid_names_the_validation_error(fake: Fake, monkeypatch) -> None:
    monkeypatch.setattr(Fake, "sample", lambda self, rng, difficulty: FakeParams(n=3))
    with pytest.raises(NoAcceptableInstance, match="three is ill-posed"):
        sample_params(fake, 0, 1)


def test_an_unknown_difficulty_is_bad_parameters(fake: Fake) -> None:
    with pytest.raises(BadParameters, match=r"difficulties \[1, 2, 3\], not 4"):
        make_problem(fake, 0, 4)


def test_registering_a_second_family_of_the_same_name_fails(fake: Fake) -> None:
    with pytest.raises(DuplicateFamily, match="'fake-family' is registered twice"):
        register(type("Again", (Fake,), {}))
    assert type(registry._REGISTRY["fake-family"]) is Fake


def test_the_same_seed_serves_the_same_problem(fake: Fake) -> None:
    assert make_problem(fake, 5, 3) == make_problem(fake, 5, 3)
