"""Open questions: a few sentences, graded by the weighted key points they cover."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from quizzer import messages as M
from quizzer.bank.schema import ItemBase, KeyPoint, Text
from quizzer.grading import parse
from quizzer.grading.grade import Feedback, Result, Verdict, verdict_line
from quizzer.grading.keypoints import coverage
from quizzer.grading.kinds.base import BankKind, EssayAnswer, Reveal, ShownPoint, bi
from quizzer.text import BiText

# Share of the key-point weight needed for "correct" and for "partial".
OPEN_CORRECT, OPEN_PARTIAL = 0.75, 0.35
HINTED_POINTS = 2  # hints name at most this many key points


class OpenItem(ItemBase):
    kind: Literal["open"]
    reference: Text
    key_points: list[KeyPoint] = Field(min_length=1)


class OpenKind(BankKind[OpenItem, str]):
    model = OpenItem
    order = 60
    title = BiText("简答", "open")
    form = BiText("用几句话作答（按要点评分）", "a few sentences (graded by key points)")
    self_rated = True

    def parse(self, item: OpenItem, raw: str) -> str:
        return parse.parse_open(raw)

    def grade(self, item: OpenItem, parsed: str) -> Result:
        cov = coverage(parsed, item.key_points)
        verdict: Verdict = (
            "correct" if cov.score >= OPEN_CORRECT else "partial" if cov.score >= OPEN_PARTIAL else "incorrect"
        )
        result = Result(verdict, round(cov.score, 4), self.expected(item), parsed)
        n, got = len(cov.covered), sum(cov.covered)
        result.feedback.append(verdict_line(verdict, M.KEY_POINTS_COVERED.format(n, got=got)))
        for point, ok in zip(item.key_points, cov.covered, strict=False):
            result.feedback.append(Feedback("point-ok" if ok else "point-miss", bi(point.point)))
        result.feedback.append(Feedback("info", M.REFERENCE_ANSWER + bi(item.reference)))
        return result

    def expected(self, item: OpenItem) -> BiText:
        return bi(item.reference)

    def hints(self, item: OpenItem) -> list[BiText]:
        n = len(item.key_points)
        return [M.HINT_KEY_POINT.format(n, point=bi(p.point)) for p in item.key_points[:HINTED_POINTS]]

    def _points(self, item: OpenItem) -> tuple[ShownPoint, ...]:
        return tuple(
            ShownPoint(bi(p.point), BiText(", ".join(p.keywords.zh), ", ".join(p.keywords.en)), p.weight)
            for p in item.key_points
        )

    def reveal(self, item: OpenItem) -> Reveal:
        return Reveal(bi(item.reference), points=self._points(item))

    def shape(self, item: OpenItem) -> EssayAnswer:
        return EssayAnswer(bi(item.reference), self._points(item))


KINDS = (OpenKind(),)
