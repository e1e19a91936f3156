"""Grading: verdicts, partial credit, rounding, diagnoses and explanations."""

from __future__ import annotations

from dataclasses import replace

from pydantic import TypeAdapter

from quizzer.bank.schema import BankItem
from quizzer.generators.base import AnswerSpec, Misconception, Problem
from quizzer.generators.registry import get_family, parse_params
from quizzer.grading import parse
from quizzer.grading.grade import grade_problem, problem_hints
from quizzer.grading.keypoints import contains, coverage, fold
from quizzer.grading.kinds import grade_item, item_hints
from quizzer.text import BiText
from tests.bankfiles import multi_item, numeric_item, single_item, text

ITEM = TypeAdapter(BankItem)


def float_problem(answer: float, misconceptions=()) -> Problem:
    return Problem(
        "demo",
        "activations",
        1,
        0,
        {},
        BiText("问", "Q"),
        answer,
        AnswerSpec("float", rel_tol=1e-3, abs_tol=1e-6),
        BiText("解 = 1", "solution = 1"),
        tuple(misconceptions),
    )


def grade_text(problem: Problem, raw: str):
    from quizzer.grading.grade import parse_problem_answer

    return grade_problem(problem, parse_problem_answer(problem, raw))


def test_correctly_rounded_answer_is_correct_and_says_more_precisely() -> None:
    result = grade_text(float_problem(0.0299368), "0.0299")
    assert result.verdict == "correct" and result.score == 1.0
    assert "more precisely 0.0299368" in result.feedback[0].text.en
    assert "更精确地说是 0.0299368" in result.feedback[0].text.zh


def test_wrongly_rounded_or_too_short_answers_are_wrong() -> None:
    assert grade_text(float_problem(0.0299368), "0.0298").verdict == "incorrect"
    # Two significant figures is not enough when the relative error exceeds the tolerance.
    assert grade_text(float_problem(0.0299368), "0.03").verdict == "incorrect"


def test_wrong_answer_shows_the_accepted_range() -> None:
    result = grade_text(float_problem(2.0), "2.5")
    assert result.verdict == "incorrect"
    assert any(line.kind == "info" and "Accepted: [1.998, 2.002]" in line.text.en for line in result.feedback)
    assert result.feedback[-1].kind == "solution"


def test_exact_expression_is_accepted() -> None:
    result = grade_text(float_problem(0.25**10), "0.25^10")
    assert result.verdict == "correct" and "more precisely" not in result.feedback[0].text.en


def test_misconception_is_diagnosed() -> None:
    family = get_family("conv-output")
    params = parse_params(family, {"input_size": "32", "kernel_size": "5", "stride": "1", "padding": "2"})
    problem = family.build(params, difficulty=1, seed=None)
    assert problem.answer == 32
    result = grade_problem(problem, parse.parse_number("28"))
    assert result.verdict == "incorrect" and result.diagnosis == "forgot-padding"
    assert any(line.kind == "diagnosis" and "without padding" in line.text.en for line in result.feedback)
    assert "⌊(32 + 2·2 − 1·(5 − 1) − 1) / 1⌋ + 1" in result.feedback[-1].text.en


def test_integer_answers_are_exact() -> None:
    family = get_family("conv-output")
    problem = family.build(
        parse_params(family, {"input_size": "224", "kernel_size": "7", "stride": "2", "padding": "3"}),
        difficulty=1,
        seed=None,
    )
    assert grade_problem(problem, parse.parse_number("112")).verdict == "correct"
    assert grade_problem(problem, parse.parse_number("112.4")).verdict == "incorrect"
    assert grade_problem(problem, parse.parse_number("(224+6-6-1)/2+1")).verdict == "incorrect"  # 112.5


def test_single_choice_explains_the_wrong_pick() -> None:
    item = ITEM.validate_python(single_item("s-1"))
    wrong = grade_item(item, ["B"])
    assert wrong.verdict == "incorrect" and wrong.score == 0
    assert any(line.text.en == "B is wrong: That is average pooling." for line in wrong.feedback)
    right = grade_item(item, ["A"])
    assert right.verdict == "correct" and right.score == 1


def multi() -> BankItem:
    options = [{"text": text(f"选项{c}", f"option {c}"), "why": text(f"{c}的理由", f"reason {c}")} for c in "ABCD"]
    return ITEM.validate_python(multi_item("m-1", options=options, answer=["A", "C"]))


def test_multi_partial_credit_is_right_minus_wrong() -> None:
    item = multi()
    assert grade_item(item, ["A", "C"]).score == 1.0
    half = grade_item(item, ["A"])
    assert half.verdict == "partial" and half.score == 0.5
    assert any(line.text.en == "Missed C: reason C" for line in half.feedback)
    assert grade_item(item, ["A", "B"]).score == 0.0  # one right, one wrong
    assert grade_item(item, ["A", "C", "D"]).score == 0.5
    assert grade_item(item, ["B", "D"]).score == 0.0  # never below zero
    assert any(line.text.en == "D is wrong: reason D" for line in grade_item(item, ["A", "C", "D"]).feedback)


def test_numeric_bank_item_with_tolerance_and_rounding() -> None:
    item = ITEM.validate_python(numeric_item("n-1", value=0.0854102, tolerance=0.0001))
    assert grade_item(item, parse.parse_number("0.0854")).verdict == "correct"
    assert grade_item(item, parse.parse_number("0.0856")).verdict == "incorrect"
    exact = ITEM.validate_python(numeric_item("n-2", value=1792, tolerance=0))
    assert grade_item(exact, parse.parse_number("1,792")).verdict == "correct"
    assert grade_item(exact, parse.parse_number("1790")).verdict == "incorrect"


def test_notes_correction_is_shown_after_the_answer() -> None:
    correction = {
        "claim": text("笔记说 L2 是开根号。", "The notes say L2 is a square root."),
        "truth": text("惩罚是平方和。", "The penalty is the sum of squares."),
        "why": text("w=[3,4]：25 而非 5。", "w=[3,4]: 25, not 5."),
    }
    item = ITEM.validate_python(numeric_item("n-3", value=25, tolerance=0, notes_correction=correction))
    lines = [line for line in grade_item(item, parse.parse_number("5")).feedback if line.kind == "correction"]
    assert [line.text.en for line in lines] == [
        "The notes say: The notes say L2 is a square root.",
        "What is true: The penalty is the sum of squares.",
        "Why: w=[3,4]: 25, not 5.",
    ]


def open_item() -> BankItem:
    points = [
        {"point": text("梯度消失", "vanishing gradients"), "keywords": {"zh": ["梯度消失"], "en": ["vanishing"]}},
        {
            "point": text("计算便宜", "cheap to compute"),
            "keywords": {"zh": ["计算量小", "计算快"], "en": ["cheap", "faster to compute"]},
            "weight": 2,
        },
        {"point": text("稀疏激活", "sparse activation"), "keywords": {"zh": ["稀疏"], "en": ["sparse", "sparsity"]}},
    ]
    return ITEM.validate_python(
        {
            "id": "o-1",
            "topic": "activations",
            "kind": "open",
            "difficulty": 2,
            "section": 1,
            "prompt": text("ReLU 的优势？", "Advantages of ReLU?"),
            "reference": text("参考", "reference"),
            "key_points": points,
            "explanation": text("解析", "explanation"),
        }
    )


def test_open_answer_is_scored_by_weighted_key_points() -> None:
    item = open_item()
    result = grade_item(item, "It avoids VANISHING gradients and is cheap.")
    assert result.score == 0.75 and result.verdict == "correct"
    marks = [line.kind for line in result.feedback if line.kind.startswith("point")]
    assert marks == ["point-ok", "point-ok", "point-miss"]
    assert grade_item(item, "缓解梯度 消失").verdict == "incorrect"  # 1/4 of the weight
    assert grade_item(item, "缓解梯度消失，计算快").score == 0.75


def test_keywords_tolerate_width_spacing_and_one_typo() -> None:
    answer = fold("ReLU avoids the vanshing gradient; ｓｐａｒｓｅ outputs")
    assert contains(answer, "vanishing")  # one letter missing
    assert contains(answer, "sparse")  # full-width
    assert not contains(fold("tan function"), "tanh")  # short words need an exact match
    assert coverage("梯度消夫", open_item().key_points).covered[0]  # one wrong character in a 4-character word


def test_hints_are_the_familys_graded_hints_or_eliminations() -> None:
    graded = (BiText("概念", "the concept"), BiText("第一步", "the first step"))
    problem = float_problem(1.0)
    assert problem_hints(problem) == []  # a problem built without hints has none (no solution line leaks out)
    assert problem_hints(replace(problem, hints=graded)) == list(graded)
    hints = item_hints(multi())
    # A and C are right: B is ruled out, D stays in play so the hints never leave only the answer.
    assert [h.en for h in hints] == ["2 options are correct.", "Rule out B first: reason B"]


def test_hints_reduce_credit() -> None:
    result = grade_text(float_problem(2.0), "2").with_hints(2)
    assert result.verdict == "correct" and result.score == 0.5


def test_misconception_equal_to_answer_within_grading_tolerance_is_not_listed() -> None:
    family = get_family("conv-output")
    params = parse_params(family, {"input_size": "8", "kernel_size": "3", "padding": "0"})
    problem = family.build(params, difficulty=1, seed=None)
    assert all(m.value != problem.answer for m in problem.misconceptions)
    assert isinstance(problem.misconceptions[0], Misconception)
