"""Fill in: a short word or phrase, compared with every accepted spelling."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from quizzer import messages as M
from quizzer.bank.schema import ItemBase, NonEmpty, Text
from quizzer.grading import parse
from quizzer.grading.grade import Result, verdict_line
from quizzer.grading.kinds.base import BankKind, Reveal, TextAnswer, answer_note
from quizzer.text import BiText

SHOWN_SPELLINGS = 3  # feedback lists this many accepted spellings, then "…"


class FillItem(ItemBase):
    kind: Literal["fill"]
    # Every accepted spelling; grading ignores case, width and spacing.
    accepted: list[NonEmpty] = Field(min_length=1)
    # What to think of, without the word itself: the first hint, before the answer's length and first character.
    hint: Text | None = None


class FillKind(BankKind[FillItem, str]):
    model = FillItem
    order = 40
    title = BiText("填空", "fill in")
    form = BiText("简短的词或短语", "a short word or phrase")

    def parse(self, item: FillItem, raw: str) -> str:
        return parse.parse_fill(raw)

    def grade(self, item: FillItem, parsed: str) -> Result:
        ok = parsed in {parse.fold_text(a).rstrip("。.") for a in item.accepted}
        result = Result("correct" if ok else "incorrect", 1.0 if ok else 0.0, self.expected(item), parsed)
        shown = " / ".join(item.accepted[:SHOWN_SPELLINGS]) + (" …" if len(item.accepted) > SHOWN_SPELLINGS else "")
        result.feedback.append(verdict_line(result.verdict, answer_note(BiText(shown, shown))))
        return result

    def expected(self, item: FillItem) -> BiText:
        text = " / ".join(item.accepted)
        return BiText(text, text)

    def hints(self, item: FillItem) -> list[BiText]:
        first = item.accepted[0]
        shape = M.HINT_LENGTH.format(len(first), first=first[0])
        return ([item.hint] if item.hint else []) + [shape]

    def missing_hint(self, item: FillItem) -> bool:
        return item.hint is None

    def reveal(self, item: FillItem) -> Reveal:
        return Reveal(self.expected(item))

    def shape(self, item: FillItem) -> TextAnswer:
        return TextAnswer(tuple(dict.fromkeys(item.accepted)))


KINDS = (FillKind(),)
