"""The contract every problem family fulfils.

A family is one module under ``quizzer.generators.families``: a pydantic params
model, a sampler, a closed-form ``solve`` (plain Python/numpy, never torch), a
``verify`` that makes torch do the real operation, bilingual prompt and worked
solution, and the misconceptions a learner typically falls into.

Module-level imports in a family must stay light: torch is imported inside
``verify`` only, so that listing or generating problems never loads it.
"""

from __future__ import annotations

import math
import random
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict

from quizzer.text import BiText

AnswerKind = Literal["int", "float", "shape", "vector", "record"]
Answer = Any  # int | float | list[int] | list[float] | dict[str, int|float]


class Params(BaseModel):
    """Base for a family's parameters: strict about unknown keys, immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


@dataclass(frozen=True)
class AnswerSpec:
    """How an answer is written and compared.

    ``rel_tol``/``abs_tol`` are what a learner's answer is graded with; the
    closed form and torch must agree far more tightly (``agree_rel``).
    ``fields`` names the parts of a ``record`` answer, in the order a learner types them.
    """

    kind: AnswerKind
    rel_tol: float = 0.0
    abs_tol: float = 0.0
    sig_figs: int = 3
    fields: tuple[str, ...] = ()
    agree_rel: float = 1e-6
    agree_abs: float = 1e-9

    def form(self) -> BiText:
        """The expected answer form, shown under the prompt."""
        if self.kind == "int":
            return BiText("整数", "an integer")
        if self.kind == "float":
            return BiText(
                f"一个数（至少 {self.sig_figs} 位有效数字）", f"a number (at least {self.sig_figs} significant figures)"
            )
        if self.kind == "shape":
            return BiText("形状，如 (C, H, W)", "a shape, e.g. (C, H, W)")
        if self.kind == "vector":
            return BiText(
                f"数列，如 [0.1, 0.2]（每个至少 {self.sig_figs} 位有效数字）",
                f"a list of numbers, e.g. [0.1, 0.2] (at least {self.sig_figs} significant figures each)",
            )
        names = ", ".join(self.fields)
        return BiText(f"按顺序给出 ({names})", f"the tuple ({names})")


@dataclass(frozen=True)
class Misconception:
    """A typical mistake: the value it produces and what went wrong."""

    tag: str
    value: Answer
    diagnosis: BiText


@dataclass(frozen=True)
class Problem:
    """A fully worked instance of a family: what the quiz and the exam builder (quizzer/exam) consume."""

    family: str
    topic: str
    difficulty: int
    seed: int | None
    params: dict[str, Any]
    prompt: BiText
    answer: Answer
    spec: AnswerSpec
    solution: BiText
    misconceptions: tuple[Misconception, ...] = field(default_factory=tuple)
    hints: tuple[BiText, ...] = field(default_factory=tuple)  # graded: concept, first step, all but the arithmetic


P = TypeVar("P", bound=Params)
T = TypeVar("T")


def given(value: T | None) -> T:
    """A value whose type allows None but which is set where it is used.

    Chiefly a parameter that is optional in its model but that the model's validators guarantee for the
    chosen variant (or fill with torch's default); also a gradient ``backward()`` has just written. Read
    through this, the type checker knows it is set, and a broken guarantee fails loudly instead of with None.
    """
    if value is None:
        raise ValueError("a value that should have been set is missing (a validator or backward() did not run)")
    return value


class Family(ABC, Generic[P]):
    """Subclass as ``Family[MyParams]``, set the class attributes, implement the methods, decorate with ``@register``."""

    name: ClassVar[str]
    topic: ClassVar[str]
    title: ClassVar[BiText]
    answer_spec: ClassVar[AnswerSpec]
    params_model: type[P]
    difficulties: ClassVar[tuple[int, ...]] = (1, 2, 3)

    @abstractmethod
    def sample(self, rng: random.Random, difficulty: int) -> P:
        """One random draw, using only ``rng``; harder difficulties use less friendly numbers.

        Never loop here: params that fail their own validation, or that ``acceptable`` rejects, are
        redrawn by ``registry.draws``, the one redraw loop with the one limit.
        """

    @abstractmethod
    def solve(self, p: P) -> Answer:
        """Closed form in plain Python/numpy. Must not import torch."""

    @abstractmethod
    def verify(self, p: P) -> Answer:
        """The same quantity computed by torch doing the real operation."""

    @abstractmethod
    def prompt(self, p: P) -> BiText:
        """The question, with every number the learner needs."""

    @abstractmethod
    def solution(self, p: P) -> BiText:
        """The worked solution: formula, then the numbers substituted step by step."""

    @abstractmethod
    def misconceptions(self, p: P) -> list[Misconception]:
        """The typical mistakes with the value each produces, unfiltered: ``build`` drops the undiagnosable."""

    @abstractmethod
    def hints(self, p: P) -> list[BiText]:
        """Two or three graded hints, each giving away more than the last, none giving the answer.

        1. the concept or formula in words (no number of this problem, only a general formula's constants);
        2. this problem's numbers substituted into the first step;
        3. where it makes sense, everything but the final arithmetic.
        zh and en come in the same number; a contract test (tests/test_hints.py) checks every family.
        """

    def acceptable(self, p: P) -> bool:
        """Whether a sampled instance is a good problem; ``make_problem`` redraws until it is.

        Override instead of looping inside ``sample``: one redraw loop, one limit, for every family.
        Diagnosability (two distinguishable mistakes) is checked by ``make_problem`` itself: do not repeat it here.
        """
        return True

    def spec(self, p: P) -> AnswerSpec:
        """The answer spec for this instance; override when it depends on the params."""
        return self.answer_spec

    def build(self, p: P, *, difficulty: int, seed: int | None) -> Problem:
        """The problem for these params, keeping only the mistakes the grader can tell from the answer.

        This is the one misconception filter: families list every typical mistake and never filter
        their own (a mistake whose value would still be graded correct is not a mistake here). Mistakes
        that give the same value are merged into one diagnosis naming each (see ``merge_alike``).
        """
        spec = self.spec(p)
        answer = self.solve(p)
        wrong = merge_alike(spec, [m for m in self.misconceptions(p) if not graded_alike(spec, m.value, answer)])
        return Problem(
            family=self.name,
            topic=self.topic,
            difficulty=difficulty,
            seed=seed,
            params=p.model_dump(mode="json"),
            prompt=self.prompt(p),
            answer=answer,
            spec=spec,
            solution=self.solution(p),
            misconceptions=wrong,
            hints=tuple(self.hints(p)),
        )


def _close(a: float, b: float, rel: float, abs_: float) -> bool:
    return math.isclose(float(a), float(b), rel_tol=rel, abs_tol=abs_)


def answers_agree(
    spec: AnswerSpec, a: Answer, b: Answer, *, rel: float | None = None, abs_: float | None = None
) -> bool:
    """Whether two answers are the same within the spec's agreement tolerance."""
    rel = spec.agree_rel if rel is None else rel
    abs_ = spec.agree_abs if abs_ is None else abs_
    if spec.kind == "int":
        return int(a) == int(b) and float(a) == float(b)
    if spec.kind == "float":
        return _close(a, b, rel, abs_)
    if spec.kind == "shape":
        return list(map(int, a)) == list(map(int, b))
    if spec.kind == "vector":
        return len(a) == len(b) and all(_close(x, y, rel, abs_) for x, y in zip(a, b, strict=False))
    if spec.kind == "record":
        return set(a) == set(b) and all(_close(a[k], b[k], rel, abs_) for k in a)
    raise ValueError(f"unknown answer kind {spec.kind!r}")


def graded_alike(spec: AnswerSpec, a: Answer, b: Answer) -> bool:
    """Whether the grader would take ``a`` for ``b``: the spec's grading tolerance, never tighter than agreement."""
    return answers_agree(spec, a, b, rel=max(spec.rel_tol, spec.agree_rel), abs_=max(spec.abs_tol, spec.agree_abs))


MAX_TAG = 80  # the attempts.diagnosis column's width


def merge_alike(spec: AnswerSpec, mistakes: list[Misconception]) -> tuple[Misconception, ...]:
    """The mistakes with those the grader cannot tell apart merged: one value, a diagnosis naming every cause.

    An answer equal to two mistakes' value could come from either, so naming only the first would tell half the
    learners the wrong story. The merged tag joins the tags with '+' (kept within the stored column's width).
    """
    groups: list[list[Misconception]] = []
    for m in mistakes:
        group = next((g for g in groups if graded_alike(spec, m.value, g[0].value)), None)
        if group is None:
            groups.append([m])
        else:
            group.append(m)
    return tuple(g[0] if len(g) == 1 else _merged(g) for g in groups)


def _merged(group: list[Misconception]) -> Misconception:
    tags: list[str] = []
    for m in group:
        if len("+".join([*tags, m.tag])) <= MAX_TAG:
            tags.append(m.tag)
    zh = "".join(f"\n  {i}. {m.diagnosis.zh}" for i, m in enumerate(group, 1))
    en = "".join(f"\n  {i}. {m.diagnosis.en}" for i, m in enumerate(group, 1))
    return Misconception(
        "+".join(tags),
        group[0].value,
        BiText(
            f"这个值可能来自 {len(group)} 种错误之一，看看是哪一种：{zh}",
            f"This value comes from one of {len(group)} mistakes; see which was yours:{en}",
        ),
    )


def distinct_mistakes(problem: Problem) -> int:
    """How many different wrong values the problem's misconceptions give, as the grader tells them apart.

    Two mistakes that produce the same value cannot both be diagnosed from an answer, so they count once.
    """
    values: list[Answer] = []
    for m in problem.misconceptions:
        if not any(graded_alike(problem.spec, m.value, v) for v in values):
            values.append(m.value)
    return len(values)


def relative_error(a: Answer, b: Answer) -> float:
    """Largest relative difference between two answers (0 when equal)."""

    def flat(x: Answer) -> list[float]:
        if isinstance(x, dict):
            return [float(x[k]) for k in sorted(x)]
        if isinstance(x, (list, tuple)):
            return [float(v) for v in x]
        return [float(x)]

    fa, fb = flat(a), flat(b)
    if len(fa) != len(fb):
        return math.inf
    worst = 0.0
    for x, y in zip(fa, fb, strict=False):
        scale = max(abs(x), abs(y))
        # Two values both within 1e-12 of zero are rounding noise around zero, not a relative error.
        worst = max(worst, 0.0 if scale < 1e-12 else abs(x - y) / scale)
    return worst


def fmt(x: float | int, digits: int = 6) -> str:
    """A number as a person would write it: integers plainly, others to ``digits`` significant figures."""
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, int) or (isinstance(x, float) and x.is_integer() and abs(x) < 1e15):
        return str(int(x))
    text = f"{x:.{digits}g}"
    if "e" in text:
        mantissa, exp = text.split("e")
        return f"{mantissa}×10^{int(exp)}"
    return text


def withhold(step: str) -> str:
    """A worked step with its final ``= result`` replaced by ``= ?``: the last arithmetic is left to the learner."""
    head, sep, _ = step.rstrip().rpartition(" = ")
    return f"{head} = ?" if sep else step


def withhold_last(text: BiText) -> BiText:
    """A worked solution (or part of one) whose last line keeps its working but not its result."""

    def cut(lines: str) -> str:
        head, _, last = lines.rstrip().rpartition("\n")
        return f"{head}\n{withhold(last)}" if head else withhold(last)

    return BiText(cut(text.zh), cut(text.en))


def fmt_factor(x: float) -> str:
    """A number ready to stand after a multiplication sign: negatives in parentheses."""
    return fmt(x) if x >= 0 else f"({fmt(x)})"


def fmt_list(xs: list[float] | tuple[float, ...], digits: int = 6) -> str:
    return "[" + ", ".join(fmt(x, digits) for x in xs) + "]"


def fmt_shape(xs: list[int] | tuple[int, ...]) -> str:
    return "(" + ", ".join(str(int(x)) for x in xs) + ")"
