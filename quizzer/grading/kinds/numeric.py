"""Numeric bank items: one number, with an absolute tolerance and an optional unit.

Generated problems are numeric too, but they grade against their ``AnswerSpec``
(``quizzer.grading.grade.grade_problem``); this kind is for numbers written into the bank.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field

from quizzer import messages as M
from quizzer.bank.schema import ItemBase, Text
from quizzer.generators.base import fmt
from quizzer.grading import parse
from quizzer.grading.grade import Feedback, Result, verdict_line
from quizzer.grading.kinds.base import BankKind, NumberAnswer, Reveal
from quizzer.grading.numbers import accepted_range, check_number
from quizzer.grading.parse import ParsedNumber
from quizzer.text import BiText


class NumericItem(ItemBase):
    kind: Literal["numeric"]
    value: float
    tolerance: float = Field(default=0.0, ge=0, description="absolute tolerance")
    unit: str | None = None
    # The concept or formula to use, in words, without the number: the first hint.
    hint: Text | None = None


class NumericKind(BankKind[NumericItem, ParsedNumber]):
    model = NumericItem
    order = 50
    title = BiText("计算", "numeric")
    form = BiText("一个数", "a number")
    short = "num."

    def answer_form(self, item: NumericItem) -> BiText:
        if not item.unit:
            return self.form
        return self.form + M.NUMBER_UNIT.format(unit=item.unit)

    def parse(self, item: NumericItem, raw: str) -> ParsedNumber:
        return parse.parse_number(raw)

    def grade(self, item: NumericItem, parsed: ParsedNumber) -> Result:
        expected = self.expected(item)
        # A whole number with no tolerance must be exact: no significant-figures rounding (1790 for 1792 is wrong).
        integer = item.tolerance == 0 and float(item.value).is_integer()
        check = check_number(parsed, item.value, rel_tol=0.0, abs_tol=item.tolerance, integer=integer)
        if check.correct:
            result = Result("correct", 1.0, expected, parsed.value)
            precisely = M.MORE_PRECISELY.format(answer=expected)
            result.feedback.append(verdict_line("correct", None if check.exact else precisely))
        else:
            result = Result("incorrect", 0.0, expected, parsed.value)
            result.feedback.append(verdict_line("incorrect", M.THE_ANSWER_IS.format(answer=expected)))
            if not integer:
                result.feedback.append(Feedback("info", M.ACCEPTED_RANGE.format(accepted=accepted_range(check))))
        return result

    def expected(self, item: NumericItem) -> BiText:
        text = fmt(item.value) + (f" {item.unit}" if item.unit else "")
        return BiText(text, text)

    def hints(self, item: NumericItem) -> list[BiText]:
        # The explanation's first sentence usually names the approach; it is offered only when it does not
        # print the answer (an explanation that opens with the result would give it away).
        sentence_zh = item.explanation.zh.split("。")[0]
        sentence_en = item.explanation.en.split(". ")[0]
        approach = M.HINT_APPROACH.format(sentence=BiText(sentence_zh, sentence_en))
        value = fmt(item.value)
        pattern = re.compile(rf"(?<![\d.]){re.escape(value)}(?![\d.])")
        shown = any(pattern.search(text) for text in (sentence_zh, sentence_en))
        return ([item.hint] if item.hint else []) + ([] if shown else [approach])

    def missing_hint(self, item: NumericItem) -> bool:
        return item.hint is None

    def reveal(self, item: NumericItem) -> Reveal:
        answer = f"{item.value:g}" + (f" {item.unit}" if item.unit else "")
        if not item.tolerance:
            return Reveal(BiText(answer, answer))
        return Reveal(BiText(answer, answer) + M.CARD_TOLERANCE.format(tolerance=f"{item.tolerance:g}"))

    def shape(self, item: NumericItem) -> NumberAnswer:
        return NumberAnswer(item.value, item.tolerance, item.unit)


KINDS = (NumericKind(),)
