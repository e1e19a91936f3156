"""True or false: a statement to judge."""

from __future__ import annotations

from typing import Literal

from quizzer.bank.schema import ItemBase
from quizzer.grading import parse
from quizzer.grading.grade import Result, verdict_line
from quizzer.grading.kinds.base import BankKind, Reveal, TrueFalseAnswer, answer_note
from quizzer.text import BiText


class TrueFalseItem(ItemBase):
    kind: Literal["truefalse"]
    answer: bool


class TrueFalseKind(BankKind[TrueFalseItem, bool]):
    model = TrueFalseItem
    order = 30
    title = BiText("判断", "true/false")
    form = BiText("对 / 错", "true / false")
    short = "t/f"

    def parse(self, item: TrueFalseItem, raw: str) -> bool:
        return parse.parse_truefalse(raw)

    def grade(self, item: TrueFalseItem, parsed: bool) -> Result:
        expected = self.expected(item)
        ok = parsed == item.answer
        result = Result("correct" if ok else "incorrect", 1.0 if ok else 0.0, expected, parsed)
        result.feedback.append(verdict_line(result.verdict, answer_note(expected)))
        return result

    def expected(self, item: TrueFalseItem) -> BiText:
        return BiText("对", "true") if item.answer else BiText("错", "false")

    def hints(self, item: TrueFalseItem) -> list[BiText]:
        return []  # any hint about a two-way answer gives it away

    def reveal(self, item: TrueFalseItem) -> Reveal:
        return Reveal(self.expected(item))

    def shape(self, item: TrueFalseItem) -> TrueFalseAnswer:
        return TrueFalseAnswer(item.answer)


KINDS = (TrueFalseKind(),)
