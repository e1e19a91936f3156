"""Open questions: a few sentences, graded by the weighted key points they cover.

An item can also list the wrong claims it expects (the notes' own mistakes and other common ones).
An answer that makes one is shown the correction and cannot pass, however many key points it names:
copying the notes, mistakes included, must not be graded correct.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, SerializerFunctionWrapHandler, field_validator, model_serializer

from quizzer import messages as M
from quizzer.bank.schema import ItemBase, KeyPoint, Keywords, NonEmpty, Strict, Text
from quizzer.grading import parse
from quizzer.grading.grade import Feedback, Result, Verdict, verdict_line
from quizzer.grading.keypoints import coverage, makes_claim, pattern_parts
from quizzer.grading.kinds.base import BankKind, EssayAnswer, Reveal, ShownPoint, bi
from quizzer.text import BiText

# Share of the key-point weight needed for "correct" and for "partial".
OPEN_CORRECT, OPEN_PARTIAL = 0.75, 0.35
# The most an answer making an expected wrong claim can score: below the pass mark, whatever else it covers.
WRONG_CLAIM_CAP = 0.5
HINTED_POINTS = 2  # hints name at most this many key points


def _drop_empty(value: Any, handler: SerializerFunctionWrapHandler, optional: tuple[str, ...]) -> Any:
    # Optional lists left empty are not dumped, so items that do not use them keep their content hash.
    data = handler(value)
    return {k: v for k, v in data.items() if not (k in optional and not v)}


class OpenKeyPoint(KeyPoint):
    # Every group must also be matched: a point that corrects the notes requires the corrected fact,
    # not just the topic word the notes' wrong claim contains too.
    requires: list[Keywords] = Field(default_factory=list)

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> Any:
        return _drop_empty(self, handler, ("requires",))


class ClaimPatterns(Strict):
    """Patterns that find a claim in an answer, in both languages (any one matching is enough).

    A pattern is ``"part & part"``; each part is ``"word|word"``. All parts must occur in one clause.
    """

    zh: list[NonEmpty] = Field(min_length=1)
    en: list[NonEmpty] = Field(min_length=1)

    @field_validator("zh", "en")
    @classmethod
    def _every_pattern_has_a_word(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            if not pattern_parts(pattern):
                raise ValueError(f"pattern {pattern!r} has no word to look for")
        return patterns

    def all(self) -> list[str]:
        return [*self.zh, *self.en]


class WrongClaim(Strict):
    claim: Text  # the wrong claim, as the feedback names it
    correction: Text  # what is true instead
    detect: ClaimPatterns
    # Patterns stating the corrected fact: an answer that states it is not charged with the claim.
    unless: ClaimPatterns | None = None

    def made_in(self, answer: str) -> bool:
        return makes_claim(answer, self.detect.all(), self.unless.all() if self.unless else ())


class OpenItem(ItemBase):
    kind: Literal["open"]
    reference: Text
    key_points: list[OpenKeyPoint] = Field(min_length=1)
    wrong_claims: list[WrongClaim] = Field(default_factory=list)

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> Any:
        return _drop_empty(self, handler, ("wrong_claims",))


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
        claims = [c for c in item.wrong_claims if c.made_in(parsed)]
        score = min(cov.score, WRONG_CLAIM_CAP) if claims else cov.score
        verdict: Verdict = "correct" if score >= OPEN_CORRECT else "partial" if score >= OPEN_PARTIAL else "incorrect"
        result = Result(verdict, round(score, 4), self.expected(item), parsed, "wrong-claim" if claims else None)
        n, got = len(cov.covered), sum(cov.covered)
        result.feedback.append(verdict_line(verdict, M.KEY_POINTS_COVERED.format(n, got=got)))
        for claim in claims:
            said = M.WRONG_CLAIM_SAID.format(claim=bi(claim.claim))
            result.feedback.append(Feedback("diagnosis", said + bi(claim.correction)))
        for point, ok in zip(item.key_points, cov.covered, strict=True):
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
        def words(point: OpenKeyPoint, lang: str) -> str:
            groups = [point.keywords, *point.requires]  # "a, b + (c, d)": one of a, b and also one of c, d
            shown = [", ".join(getattr(g, lang)) for g in groups]
            return shown[0] + "".join(f" + ({more})" for more in shown[1:])

        points = [ShownPoint(bi(p.point), BiText(words(p, "zh"), words(p, "en")), p.weight) for p in item.key_points]
        # A teacher checking the item sees the wrong claims it expects, with the patterns that find them.
        points += [
            ShownPoint(
                M.WRONG_CLAIM_EXPECTED.format(claim=bi(c.claim), correction=bi(c.correction)),
                BiText("; ".join(c.detect.zh), "; ".join(c.detect.en)),
            )
            for c in item.wrong_claims
        ]
        return Reveal(bi(item.reference), points=tuple(points))

    def shape(self, item: OpenItem) -> EssayAnswer:
        return EssayAnswer(bi(item.reference), self._points(item))


KINDS = (OpenKind(),)
