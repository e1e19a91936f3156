"""Judging the reader against the scan simulator's ground truth, bubble by bubble.

Shared by the accuracy test (which asserts nothing is silently wrong) and ``bench/scan_accuracy.py`` (which
prints the per-condition table). A bubble is *read* when the reader calls it empty, filled or blackened, and
*review* when it calls it unclear; a read bubble is *wrong* when it disagrees with the truth, and every
ambiguous bubble (tick, erasure, partial, faint) that is read at all counts as wrong: those must be asked.
A page the reader could not place counts all its bubbles as review (the page itself is listed as failed).
Choice questions read are also checked whole: their letters must be exactly the letters really filled.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from quizzer.exam.manifest import AnswerSheets
from quizzer.exam.scan_image import PageImage
from quizzer.exam.scan_page import read_page
from tests.scansim import SimPage

MARKED = {"filled", "blackened"}


@dataclass
class Tally:
    pages: int = 0
    failed_pages: int = 0
    bubbles: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # truth → count
    read: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # truth → read (not review)
    wrong: list[str] = field(default_factory=list)  # "condition page bubble: truth → state"
    seconds: float = 0.0
    questions: int = 0  # questions (and student grids) on pages that were placed
    questions_review: int = 0

    def rate(self, truth: str) -> tuple[float, float]:
        """(read rate, review rate) of bubbles with this truth."""
        n = self.bubbles[truth]
        if not n:
            return (float("nan"), float("nan"))
        return self.read[truth] / n, 1 - self.read[truth] / n


def judge(pages: list[SimPage], sheets: AnswerSheets, multiple: dict[tuple[str, int], bool]) -> dict[str, Tally]:
    """Per condition name (and ``"all"``), what the reader made of every bubble."""
    import time

    tallies: dict[str, Tally] = defaultdict(Tally)
    for index, sim in enumerate(pages):
        start = time.perf_counter()
        image = PageImage(Path(f"sim-{index:03d}.png"), 1, np.asarray(sim.image))
        result = read_page(image, sheets, multiple)
        elapsed = time.perf_counter() - start
        states: dict[str, str] = {}
        if result.status != "failed":
            states = {b.bubble.id: b.state for b in result.bubbles}
        for name in (sim.condition, "all"):
            tally = tallies[name]
            tally.pages += 1
            tally.seconds += elapsed
            tally.failed_pages += result.status == "failed"
            tally.questions += len(result.questions)
            tally.questions_review += sum(1 for q in result.questions if q.status == "review")
            if name == "all":
                tally.wrong += _wrong_choices(sim, result.questions)
            for bubble_id, truth in sim.truth.items():
                tally.bubbles[truth] += 1
                state = states.get(bubble_id)
                if state is None or state == "unclear":
                    continue
                tally.read[truth] += 1
                right = (truth == "filled" and state in MARKED) or (truth == "empty" and state == "empty")
                if not right and name == "all":
                    style = next((m.style for m in sim.marks if m.bubble == bubble_id), "-")
                    tally.wrong.append(f"{sim.condition} page {index} {bubble_id} ({style}): {truth} → {state}")
    return dict(tallies)


def _wrong_choices(sim: SimPage, questions: list) -> list[str]:
    """Choice questions read (not sent to review) whose letters differ from the letters really filled."""
    wrong = []
    for q in questions:
        if q.kind != "choice" or q.status != "read":
            continue
        bubbles = [b for b in sim.layout["bubbles"] if b["question"] == q.question and b["group"] == "choice"]
        truth = "".join(sorted(b["value"] for b in bubbles if sim.truth[b["id"]] == "filled"))
        if q.answer != truth:
            wrong.append(f"{sim.condition} question {q.question}: read {q.answer!r}, filled {truth!r}")
    return wrong
