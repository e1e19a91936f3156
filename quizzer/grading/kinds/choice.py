"""Single and multiple choice: lettered options, each with why it is right or wrong.

Both kinds share their options, feedback and hints; a multi item may have several correct
options and earns partial credit (right picks minus wrong picks, never below zero).
"""

from __future__ import annotations

from abc import abstractmethod
from typing import ClassVar, Literal, TypeVar

from pydantic import Field, ValidationInfo, field_validator

from quizzer import messages as M
from quizzer.bank.schema import ItemBase, Letter, Option
from quizzer.grading import parse
from quizzer.grading.grade import Feedback, Result, Verdict, verdict_line
from quizzer.grading.kinds.base import BankKind, ChoiceAnswer, Reveal, ShownChoice, answer_note, bi, letters
from quizzer.text import BiText


def _check_letter(letter: str, options: list[Option]) -> None:
    allowed = letters(len(options))
    if letter not in allowed:
        raise ValueError(
            f"option {letter!r} is out of range: there are {len(options)} options ({allowed[0]}–{allowed[-1]})"
        )


class ChoiceItem(ItemBase):
    """What single and multiple choice items share; not a kind by itself."""

    options: list[Option] = Field(min_length=2, max_length=8)


class SingleItem(ChoiceItem):
    kind: Literal["single"]
    answer: Letter

    @field_validator("answer")
    @classmethod
    def _answer_in_range(cls, value: str, info: ValidationInfo) -> str:
        # options is declared first, so it is in info.data whenever it validated.
        if "options" in info.data:
            _check_letter(value, info.data["options"])
        return value


class MultiItem(ChoiceItem):
    kind: Literal["multi"]
    answer: list[Letter]

    @field_validator("answer")
    @classmethod
    def _valid_answers(cls, value: list[str], info: ValidationInfo) -> list[str]:
        if not value:
            raise ValueError("a multi item needs at least one correct option")
        if len(set(value)) != len(value):
            raise ValueError("correct options are listed twice")
        if "options" in info.data:
            for letter in value:
                _check_letter(letter, info.data["options"])
        return sorted(value)


C = TypeVar("C", bound=ChoiceItem)


class _Choice(BankKind[C, list[str]]):
    multi: ClassVar[bool]

    @abstractmethod
    def correct(self, item: C) -> list[str]:
        """The correct letters, sorted."""

    @abstractmethod
    def missed(self, letter: str) -> BiText:
        """How a correct option the learner did not pick is introduced."""

    def options(self, item: C) -> tuple[BiText, ...]:
        return tuple(bi(o.text) for o in item.options)

    def parse(self, item: C, raw: str) -> list[str]:
        return parse.parse_choices(raw, len(item.options), multi=self.multi)

    def grade(self, item: C, parsed: list[str]) -> Result:
        correct = set(self.correct(item))
        right = len(correct & set(parsed))
        wrong = len(set(parsed) - correct)
        score = max(0.0, (right - wrong) / len(correct))
        verdict: Verdict = "correct" if score == 1.0 else ("partial" if score > 0 else "incorrect")
        expected = self.expected(item)
        result = Result(verdict, round(score, 4), expected, parsed)
        result.feedback.append(verdict_line(verdict, answer_note(expected)))
        why = dict(zip(letters(len(item.options)), (o.why for o in item.options), strict=False))
        for letter in parsed:
            if letter not in correct:
                result.feedback.append(Feedback("why", M.OPTION_WRONG.format(letter=letter) + bi(why[letter])))
        for letter in sorted(correct):
            if letter not in parsed:
                result.feedback.append(Feedback("why", self.missed(letter) + bi(why[letter])))
            elif verdict != "correct":  # a fully right answer needs no reasons repeated
                result.feedback.append(Feedback("why", M.OPTION_RIGHT.format(letter=letter) + bi(why[letter])))
        return result

    def expected(self, item: C) -> BiText:
        return BiText("、".join(self.correct(item)), ", ".join(self.correct(item)))

    def hints(self, item: C) -> list[BiText]:
        """Wrong options to rule out, one a hint, each with why; never so many that only the answer is left."""
        correct = self.correct(item)
        wrong = [
            (letter, option)
            for letter, option in zip(letters(len(item.options)), item.options, strict=True)
            if letter not in correct
        ]
        keep = len(wrong) - 1  # one wrong option always stays in play
        out = []
        for i, (letter, option) in enumerate(wrong[:keep]):
            step = M.HINT_RULE_OUT_FIRST if i == 0 else M.HINT_RULE_OUT_TOO
            out.append(step.format(letter=letter) + bi(option.why))
        return out

    def _choices(self, item: C) -> tuple[ShownChoice, ...]:
        correct = self.correct(item)
        return tuple(
            ShownChoice(letter, bi(o.text), bi(o.why), letter in correct)
            for letter, o in zip(letters(len(item.options)), item.options, strict=False)
        )

    def reveal(self, item: C) -> Reveal:
        correct = self.correct(item)
        return Reveal(BiText(", ".join(correct), ", ".join(correct)), choices=self._choices(item))

    def shape(self, item: C) -> ChoiceAnswer:
        return ChoiceAnswer(self._choices(item), several=self.multi)

    def reordered(self, item: C, order: list[int]) -> C:
        if sorted(order) != list(range(len(item.options))):
            raise ValueError(f"{order} is not an order of the item's {len(item.options)} options")
        names = letters(len(order))
        renamed = {names[original]: names[position] for position, original in enumerate(order)}
        answer = sorted(renamed[a] for a in self.correct(item))
        return item.model_copy(
            update={"options": [item.options[i] for i in order], "answer": answer if self.multi else answer[0]}
        )


class SingleKind(_Choice[SingleItem]):
    model = SingleItem
    order = 10
    title = BiText("单选", "single choice")
    form = BiText("一个选项字母", "one option letter")
    multi = False

    def correct(self, item: SingleItem) -> list[str]:
        return [item.answer]

    def missed(self, letter: str) -> BiText:
        return M.OPTION_MISSED_SINGLE.format(letter=letter)

    def expected(self, item: SingleItem) -> BiText:
        # With one answer the option's text is shown too: it reads as a sentence.
        option = item.options[letters(len(item.options)).index(item.answer)].text
        return BiText(f"{item.answer}. {option.zh}", f"{item.answer}. {option.en}")


class MultiKind(_Choice[MultiItem]):
    model = MultiItem
    order = 20
    title = BiText("多选", "multiple choice")
    form = BiText("一个或多个选项字母，如 AC", "one or more option letters, e.g. AC")
    multi = True

    def correct(self, item: MultiItem) -> list[str]:
        return list(item.answer)  # sorted by the model's validator

    def missed(self, letter: str) -> BiText:
        return M.OPTION_MISSED_MULTI.format(letter=letter)

    def hints(self, item: MultiItem) -> list[BiText]:
        return [M.HINT_CORRECT_COUNT.format(len(item.answer)), *super().hints(item)]


KINDS = (SingleKind(), MultiKind())
