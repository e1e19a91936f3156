"""Graded hints: every family's contract (count, languages, no answer given away) and the bank items' hints."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

import pytest

from quizzer.generators.base import Family, Problem, fmt
from quizzer.generators.registry import all_families, make_problem
from quizzer.generators.serialize import format_answer

FAMILIES = all_families()
NAMES = [f.name for f in FAMILIES]
SEEDS = range(25)
# A number is digits not glued to a name (w1, T_0, conv2d) or to more digits; 2² still holds the number 2.
NUMBER = re.compile(r"(?<![\dA-Za-z_.])[−-]?\d+(?:\.\d+)?(?:×10\^[−-]?\d+)?(?![\dA-Za-z_.])")
# Constants of formulas every family writes (k − 1, 2p, 1 − β, starts at 0): never this problem's own numbers.
FORMULA_CONSTANTS = {"0", "1", "2"}


def numbers(text: str) -> set[str]:
    """The numbers written in a text, as tokens (a minus sign is dropped: −3 and 3 are the same digits)."""
    return {m.group(0).lstrip("−-") for m in NUMBER.finditer(text)}


def param_numbers(value: Any) -> set[str]:
    """Every number in a problem's parameters, written as the prompt and hints write them."""
    if isinstance(value, bool) or value is None:
        return set()
    if isinstance(value, (int, float)):
        return {fmt(abs(value))}
    if isinstance(value, dict):
        return set().union(*(param_numbers(v) for v in value.values())) if value else set()
    if isinstance(value, (list, tuple)):
        return set().union(*(param_numbers(v) for v in value)) if value else set()
    return numbers(str(value))


def problems() -> dict[str, list[Problem]]:
    out: dict[str, list[Problem]] = defaultdict(list)
    for family in FAMILIES:
        for difficulty in family.difficulties:
            out[family.name] += [make_problem(family, seed, difficulty) for seed in SEEDS]
    return out


PROBLEMS = problems()


def intermediate(solution: str, answer: str) -> bool:
    """Whether the worked solution itself uses the answer's value on the way (not only as a result ``= answer``)."""
    results = re.compile(r"(?:=|→|:|：)\s*[−-]?" + re.escape(answer) + r"(?![\d.])(?!\s*[−+×·/^-])")
    return answer in numbers(results.sub(" ", solution))


def answer_texts(problem: Problem) -> list[str]:
    """How the answer would be printed, where a hint printing it can be told from a coincidence.

    Left out: a single-digit integer (it turns up in any formula: 2p, k − 1, + 1); an answer the prompt itself
    shows (dropout in eval mode returns its input; a clip that clips nothing); and a value the worked solution
    reaches on the way, before the last step (a jump of 64 times k' − 1 = 1).
    """
    if problem.spec.kind in ("int", "float"):
        value = float(problem.answer)
        if value.is_integer() and abs(value) < 10:
            return []
        texts = {fmt(abs(value)), fmt(abs(value), 4)}
        return sorted(
            t for t in texts if t not in numbers(problem.prompt.en) and not intermediate(problem.solution.en, t)
        )
    text = format_answer(problem)
    shown = problem.prompt.en.count(text) or problem.solution.en.count(text) > 2  # after a layer, and at the end
    return [] if shown else [text]


@pytest.mark.parametrize("family", FAMILIES, ids=NAMES)
def test_every_instance_has_two_or_three_hints_in_both_languages(family: Family[Any]) -> None:
    for problem in PROBLEMS[family.name]:
        assert 2 <= len(problem.hints) <= 3, (problem.params, problem.hints)
        for hint in problem.hints:
            assert hint.zh.strip() and hint.en.strip()
            assert len(hint.zh.splitlines()) == len(hint.en.splitlines()), hint
        # Graded: each hint says something new.
        assert len({h.en for h in problem.hints}) == len(problem.hints), problem.hints


@pytest.mark.parametrize("family", FAMILIES, ids=NAMES)
def test_no_hint_prints_the_answer(family: Family[Any]) -> None:
    for problem in PROBLEMS[family.name]:
        for text in answer_texts(problem):
            for hint in problem.hints:
                for lang_text in (hint.zh, hint.en):
                    if problem.spec.kind in ("int", "float"):
                        assert text not in numbers(lang_text), (problem.params, text, lang_text)
                    else:
                        assert text not in lang_text, (problem.params, text, lang_text)


@pytest.mark.parametrize("family", FAMILIES, ids=NAMES)
def test_first_hint_names_the_concept_without_this_problems_numbers(family: Family[Any]) -> None:
    """Hint 1 may hold a number of the params only where a general formula holds it too.

    A number counts as the formula's when it also appears in the first hint of an instance whose params
    do not contain it (the 1 of k − 1, the 2 of 2p, the 1/4 of σ'(0)).
    """
    instances = PROBLEMS[family.name]
    general = set(FORMULA_CONSTANTS)
    for problem in instances:
        general |= numbers(problem.hints[0].en) - param_numbers(problem.params)
    for problem in instances:
        leaked = (numbers(problem.hints[0].en) | numbers(problem.hints[0].zh)) & param_numbers(problem.params)
        assert leaked <= general, (problem.params, leaked - general, problem.hints[0].en)


@pytest.mark.parametrize("family", FAMILIES, ids=NAMES)
def test_second_hint_uses_this_problems_numbers(family: Family[Any]) -> None:
    for problem in PROBLEMS[family.name]:
        assert numbers(problem.hints[1].en) & param_numbers(problem.params), (problem.params, problem.hints[1].en)


def test_a_known_instance_reads_as_graded_hints() -> None:
    # conv-output worked by hand: n = 33, k = 5, s = 2, p = 1 → ⌊(33 + 2 − 4 − 1)/2⌋ + 1 = ⌊30/2⌋ + 1 = 16.
    from quizzer.generators.registry import get_family

    family = get_family("conv-output")
    params = family.params_model(input_size=33, kernel_size=5, stride=2, padding=1)
    problem = family.build(params, difficulty=1, seed=None)
    concept, first, rest = problem.hints
    assert "⌊(n + 2p − d·(k − 1) − 1)/s⌋ + 1" in concept.en and not numbers(concept.en) - {"1", "2"}
    assert first.en == "out = ⌊(33 + 2·1 − 1·(5 − 1) − 1) / 2⌋ + 1"
    assert rest.en == "out = ⌊30 / 2⌋ + 1 = ?"  # the last arithmetic is the learner's
    assert problem.answer == 16


# --- in the quiz: the cost is shown before a hint is taken ----------------------------------------------------


def scripted(run, tmp_path, lines: list[str]) -> tuple[dict, str]:
    import json

    from tests.answers import right_answer
    from tests.test_cli_quiz import planned_questions

    (question,) = planned_questions(3, 1, family="conv-output", difficulty=1)
    answers = tmp_path / "answers.txt"
    answers.write_text("\n".join([*lines, right_answer(question)]) + "\n", encoding="utf-8")
    result = run(
        "quiz",
        "--seed",
        "3",
        "-n",
        "1",
        "--family",
        "conv-output",
        "-d",
        "1",
        "--lang",
        "en",
        "--answers",
        str(answers),
        "--json",
    )
    return json.loads(result.stdout)["results"][0], " ".join(result.stderr.split())  # unwrapped


def test_hint_shows_its_cost_and_a_second_hint_takes_it(run, tmp_path) -> None:
    result, screen = scripted(run, tmp_path, ["hint", "hint", "hint", "y"])
    assert "Hint 1 of 3 costs 25% of this question's credit (a right answer would then earn at most 0.75)" in screen
    assert "Hint 2 of 3 costs 25%" in screen and "at most 0.50" in screen
    assert "Hint 1 of 3: " in screen and "Hint 2 of 3: " in screen and "Hint 3 of 3: " not in screen
    assert result["verdict"] == "correct" and result["hints_used"] == 2 and result["score"] == 0.5


def test_a_hint_whose_cost_was_only_shown_costs_nothing(run, tmp_path) -> None:
    result, screen = scripted(run, tmp_path, ["hint"])  # the answer follows the offer: the hint is not taken
    assert "costs 25%" in screen and "Hint 1 of 3: " not in screen
    assert result["hints_used"] == 0 and result["score"] == 1.0


# --- bank items ------------------------------------------------------------------------------------------------


def bundled_items() -> list:
    from quizzer.bank.loader import load_bank
    from quizzer.resources import bundled_questions_dir

    return [loaded.item for loaded in load_bank([bundled_questions_dir()])]


def test_every_bundled_fill_and_numeric_item_has_a_hint_that_keeps_the_answer() -> None:
    from quizzer.grading.kinds import item_hints, missing_hints

    items = [i for i in bundled_items() if i.kind in ("fill", "numeric")]
    assert len(items) >= 90 and missing_hints(items) == []
    for item in items:
        first = item_hints(item)[0]
        assert first == item.hint  # the author's hint comes first
        text = f"{first.zh} {first.en}".lower()
        if item.kind == "fill":
            for spelling in item.accepted:
                if len(spelling) > 1:  # a one-character answer (γ, 1, C) turns up in any formula
                    assert not re.search(rf"(?<![a-z]){re.escape(spelling.lower())}(?![a-z])", text), (
                        item.id,
                        spelling,
                    )
        elif not (float(item.value).is_integer() and abs(item.value) < 10):
            assert fmt(abs(item.value)) not in numbers(text), (item.id, item.value)


def test_validate_warns_about_fill_and_numeric_items_without_a_hint(run, tmp_path) -> None:
    bank = tmp_path / "bank.yaml"
    bank.write_text(
        """schema: 1
items:
  - id: fill-without-hint
    topic: pooling
    kind: fill
    difficulty: 1
    section: 9
    prompt: {zh: "全局平均池化的缩写是？", en: "What is global average pooling abbreviated to?"}
    accepted: [GAP]
    explanation: {zh: 取首字母。, en: Take the initials.}
  - id: numeric-with-hint
    topic: pooling
    kind: numeric
    difficulty: 1
    section: 9
    prompt: {zh: "2×2 窗口有几个元素？", en: "How many elements does a 2×2 window hold?"}
    hint: {zh: 行数乘以列数。, en: Rows times columns.}
    value: 4
    explanation: {zh: 2·2 = 4。, en: 2·2 = 4.}
  - id: truefalse-needs-none
    topic: pooling
    kind: truefalse
    difficulty: 1
    section: 9
    prompt: {zh: 最大池化有参数。, en: Max pooling has parameters.}
    answer: false
    explanation: {zh: 没有。, en: It has none.}
""",
        encoding="utf-8",
    )
    result = run("bank", "validate", str(bank))  # a warning, not a failure: exit status 0
    assert result.stdout.strip() == "OK: 3 items in 1 file (1 without a hint)."
    assert "bank.yaml:3: fill-without-hint: hint: warning: no hint" in result.stderr
    assert "numeric-with-hint" not in result.stderr and "truefalse-needs-none" not in result.stderr


def test_bank_hints_come_first_and_choice_hints_never_leave_only_the_answer() -> None:
    from quizzer.grading.kinds import item_hints

    for item in bundled_items():
        hints = item_hints(item)
        if item.kind == "single":
            ruled_out = [h.en.split(":")[0].split()[2] for h in hints]  # "Rule out B first: …"
            assert item.answer not in ruled_out and len(ruled_out) <= len(item.options) - 2, item.id
        elif item.kind == "multi":
            ruled_out = [h.en.split(":")[0].split()[2] for h in hints[1:]]
            assert not set(ruled_out) & set(item.answer), item.id
            assert len(item.options) - len(ruled_out) > len(item.answer), item.id  # something wrong stays in play
