"""Item analysis of a graded exam, as a teacher knows it from Moodle's quiz statistics.

Per question (a bank item, or one generated-problem slot across versions — see ``item_key``):

- **facility index**: the mean fraction of the question's points the class earned (0…1);
- **discrimination**: the point-biserial correlation between the question's score and the *rest* of the
  test (total minus this question, so the question does not correlate with itself), and the upper-lower
  27 % index (facility among the top 27 % of totals minus facility among the bottom 27 %, ties broken by
  student id);
- **distractors**: for choice items, how often each of the bank item's options was chosen, counted in the
  bank's own option order whatever order each version printed them in;
- **mistakes**: for generated problems, the typical mistakes the grader diagnosed, most frequent first;
- **flags**: negative discrimination, facility below 10 % or above 95 %.

A question whose row was missing or conflicting in the CSV is a data problem, not an answer: it is left
out of that question's statistics. A blank or unreadable answer is an answer that earned nothing.
"""

from __future__ import annotations

import math
import statistics
import string
from collections import Counter
from dataclasses import dataclass, field

from quizzer import messages as M
from quizzer.exam.grade import ExamGrade, GradedQuestion
from quizzer.grading.kinds.base import ChoiceAnswer
from quizzer.quiz.question import GeneratedQuestion
from quizzer.text import BiText

UPPER_LOWER_FRACTION = 0.27
FACILITY_LOW, FACILITY_HIGH = 0.10, 0.95
EXCLUDED = ("missing", "conflict")
FLAG_TEXT = M.EXAM_FLAGS


@dataclass(frozen=True)
class OptionCount:
    letter: str  # in the bank item's own order
    text: BiText
    correct: bool
    chosen: int


@dataclass
class ItemStats:
    key: str
    label: str  # the bank item id, or the family with its difficulty
    source: str
    kind: str
    topic: str
    points: float
    numbers: dict[str, int]  # version code → question number on that version
    n: int = 0
    facility: float | None = None
    discrimination: float | None = None  # point-biserial, item score vs rest of test
    upper_lower: float | None = None
    options: list[OptionCount] = field(default_factory=list)
    no_answer: int = 0  # blank or unreadable
    mistakes: list[tuple[str, int]] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


@dataclass
class Analysis:
    items: list[ItemStats]
    scores: list[float]  # each student's percentage
    mean: float | None
    median: float | None
    stdev: float | None


def pearson(xs: list[float], ys: list[float]) -> float | None:
    """Pearson's r; None when it is undefined (fewer than two pairs, or either side constant)."""
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=False))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    return sxy / math.sqrt(sxx * syy)


def _label(graded: GradedQuestion) -> str:
    entry = graded.exam.entry
    if entry.source == "bank":
        return entry.item_id or ""
    ordinal = graded.exam.key.partition("#")[2]  # the second problem of the same slot is "… #2"
    return f"{entry.family} ★{entry.difficulty}" + (f" #{ordinal}" if ordinal else "")


def analyse(grade: ExamGrade) -> Analysis:
    totals = {s.student: s.score for s in grade.students}
    per_item: dict[str, list[tuple[str, GradedQuestion]]] = {}
    for report in grade.students:
        for graded in report.questions:
            per_item.setdefault(graded.exam.key, []).append((report.student, graded))
    ranked = sorted(totals, key=lambda s: (-totals[s], s))
    group = max(1, round(UPPER_LOWER_FRACTION * len(ranked))) if ranked else 0
    upper, lower = set(ranked[:group]), set(ranked[-group:]) if group else set()
    order = _manifest_order(grade)
    # Every graded key was made by version_keys from this manifest's versions, so order has each one.
    items = [_item_stats(key, per_item[key], totals, upper, lower) for key in sorted(per_item, key=lambda k: order[k])]
    scores = [s.percent for s in grade.students]
    return Analysis(
        items,
        scores,
        statistics.fmean(scores) if scores else None,
        statistics.median(scores) if scores else None,
        statistics.stdev(scores) if len(scores) > 1 else None,
    )


def _manifest_order(grade: ExamGrade) -> dict[str, tuple[int, int]]:
    """Questions in the order of the first version that printed them (section, then number)."""
    from quizzer.exam.questions import version_keys

    order: dict[str, tuple[int, int]] = {}
    for version in grade.manifest.versions:
        keys = version_keys(version.items)
        for entry in sorted(version.items, key=lambda e: e.number):
            order.setdefault(keys[entry.number], (entry.section, len(order)))
    return order


def _item_stats(
    key: str, given: list[tuple[str, GradedQuestion]], totals: dict[str, float], upper: set[str], lower: set[str]
) -> ItemStats:
    first = given[0][1]
    question = first.exam.question
    stats = ItemStats(
        key,
        _label(first),
        first.exam.entry.source,
        question.kind,
        question.topic,
        first.points,
        {g.exam.version: g.number for _, g in given},
    )
    counted = [(s, g) for s, g in given if g.verdict not in EXCLUDED]
    stats.n = len(counted)
    if not counted:
        return stats
    fractions = [g.score for _, g in counted]
    stats.facility = sum(fractions) / len(fractions)
    rest = [totals[s] - g.earned for s, g in counted]
    stats.discrimination = pearson(fractions, rest)
    top = [g.score for s, g in counted if s in upper]
    bottom = [g.score for s, g in counted if s in lower]
    if top and bottom:
        stats.upper_lower = sum(top) / len(top) - sum(bottom) / len(bottom)
    stats.no_answer = sum(1 for _, g in counted if g.verdict in ("unanswered", "unreadable"))
    shape = None if isinstance(question, GeneratedQuestion) else question.shape()
    if isinstance(shape, ChoiceAnswer):
        chosen = Counter(i for _, g in counted for i in g.chosen)
        # The Question holds the options in one version's printed order; report them in the bank's order.
        by_original = {first.exam.original_option(c.letter): c for c in shape.options}
        stats.options = [
            OptionCount(string.ascii_uppercase[i], c.text, c.correct, chosen[i]) for i, c in sorted(by_original.items())
        ]
    if isinstance(question, GeneratedQuestion):
        stats.mistakes = Counter(g.diagnosis for _, g in counted if g.diagnosis).most_common()
    if (stats.discrimination is not None and stats.discrimination < 0) or (
        stats.discrimination is None and stats.upper_lower is not None and stats.upper_lower < 0
    ):
        stats.flags.append("negative-discrimination")
    if stats.facility < FACILITY_LOW:
        stats.flags.append("too-hard")
    if stats.facility > FACILITY_HIGH:
        stats.flags.append("too-easy")
    return stats
