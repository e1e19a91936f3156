"""Answers of several numbers on a scanned sheet: a record (receptive-field) and a shape (conv-stack-shape).

Each component has its own digit grid (bubbles with ``part``). The test writes the manifest's key into the
grids with the scan simulator (written from the layout contract, not the reader), scans the pages and checks
the grade: the key earns every point, the key with one component off by one earns none, and an unclear mark in
one component sends the question to review naming that component. The expected scores come from the manifest's
key and points, not from the reader.
"""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from quizzer.exam.questions import load_manifest
from tests.scansim import Mark, load_sheets, number_marks, sample_conditions, simulate_page, write_batch

SPEC = """\
title: several numbers
sections:
  - draws:
      - {source: generated, family: receptive-field, difficulty: 2, count: 1, points: 5}
      - {source: generated, family: conv-stack-shape, difficulty: 1, count: 1, points: 4}
"""


def components(answer: Any) -> list[Any]:
    return list(answer.values()) if isinstance(answer, dict) else list(answer)


def text(value: Any) -> str:
    return str(value) if isinstance(value, int) else format(value, ".6g")


@pytest.fixture
def built(run, tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    out = tmp_path / "exam"
    run(
        "exam",
        "build",
        str(spec),
        "--out",
        str(out),
        "--format",
        "md",
        "--no-verify",
        "--answer-sheets",
        "--copies",
        "3",
    )
    return out


def test_record_and_shape_grids_read_and_grade(run, built, tmp_path) -> None:
    manifest = load_manifest(built)
    items = {item.number: item for item in manifest.versions[0].items}
    assert {type(item.answer) for item in items.values()} == {dict, list}  # a record and a shape
    layout, pdf = load_sheets(built)
    pages = {p["copy"]: p for p in layout["pages"]}
    assert len(pages) == 3  # one page a copy

    def fill(page: dict[str, Any], number: int, values: list[Any], style: Any = "solid") -> list[Mark]:
        return [m for part, v in enumerate(values) for m in number_marks(page, number, text(v), style, part=part)]

    sims = []
    wrong: dict[int, list[Any]] = {}
    for copy, page in sorted(pages.items()):
        marks: list[Mark] = []
        for number, item in items.items():
            key = components(item.answer)
            if copy == 2:  # one component off by one: a wrong answer, still in the grid
                key = [key[0] + 1, *key[1:]]
                wrong[number] = key
            marks += fill(page, number, key)
        if copy == 3:  # a faint pencil mark added in the shape's second component: review, never a guess
            shape = next(n for n, item in items.items() if isinstance(item.answer, list))
            grid = [b for b in page["bubbles"] if b["question"] == shape and b["part"] == 1 and b["group"] == "digit"]
            spare = max(b["column"] for b in grid)  # the spare column the key leaves empty
            marks.append(Mark(next(b["id"] for b in grid if b["column"] == spare and b["value"] == "7"), "faint"))
        sims.append(simulate_page(pdf, page, sample_conditions("clean", random.Random(copy)), copy, marks))
    scans = write_batch(sims, tmp_path / "scans", pdf=False)
    result = run("exam", "scan", str(built), *map(str, scans), "--json")
    data = json.loads(result.output)
    answers = {(a["copy"], a["question"]): a for a in data["answers"]}
    for number, item in items.items():
        key = components(item.answer)
        read = answers[(1, str(number))]
        assert read["status"] == "read" and read["marks"] == ", ".join(text(v) for v in key)
        assert answers[(2, str(number))]["marks"] == ", ".join(text(v) for v in wrong[number])
    shape = next(n for n, item in items.items() if isinstance(item.answer, list))
    pending = answers[(3, str(shape))]
    assert pending["status"] == "review" and "component 2" in pending["why"]
    earned = {
        (s["version"], s["student"]): {q["number"]: q["earned"] for q in s["questions"]}
        for s in data["grade"]["students"]
    }
    by_copy = {copy: earned[(manifest.versions[0].code, sid)] for (_, copy), sid in _students(data).items()}
    assert by_copy[1] == {n: item.points for n, item in items.items()}
    assert by_copy[2] == {n: 0.0 for n in items}


def _students(data: dict[str, Any]) -> dict[tuple[str, int], str]:
    return {(a["version"], a["copy"]): a["student"] for a in data["answers"]}


def _grid_reads(marked: dict[tuple[int, int], list[str]], parts: int = 2, columns: int = 3) -> list:
    """Bubble reads of a question with ``parts`` integer grids; ``marked[(part, column)]`` are the digits filled."""
    from quizzer.exam.manifest import SheetBubble
    from quizzer.exam.scan_marks import BubbleRead

    reads = []
    for part in range(parts):
        for column in range(columns):
            for digit in "0123456789":
                bubble = SheetBubble(
                    id=f"q5.p{part}.d{column}.{digit}", question=5, group="digit", value=digit,
                    column=column, part=part, x=0, y=0, w=4, h=4,
                )  # fmt: skip
                filled = digit in marked.get((part, column), [])
                reads.append(BubbleRead(bubble, 0.9 if filled else 0.0, "filled" if filled else "empty"))
    return reads


@pytest.mark.parametrize(
    ("marked", "status", "answer", "why"),
    [
        ({(0, 0): ["3"], (1, 0): ["2"], (1, 1): ["4"]}, "read", "3, 24", None),
        ({}, "read", "", None),  # nothing written: a blank answer, graded as one
        ({(1, 0): ["7"]}, "review", "_, 7", "component 1: left blank"),
        ({(0, 0): ["3"], (1, 0): ["2", "5"]}, "review", "3, _", "component 2: two digits marked in column 1"),
    ],
)
def test_components_are_read_alone_and_joined(marked, status, answer, why) -> None:
    from quizzer.exam.scan_answers import read_question

    result = read_question(5, _grid_reads(marked), multiple=False, cancel_by_blackening=False)
    assert (result.status, result.kind) == (status, "numeric")
    if status == "read":
        assert result.answer == answer
    else:
        assert result.why is not None and result.why.en.startswith(why)
