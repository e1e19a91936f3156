"""The reader against the scan simulator (tests/scansim.py, written from the layout contract, not the reader).

On 200 simulated pages over every named condition (rotation, 95 % scale, blur, noise, JPEG, 180°, ticks,
erasures, all at once): every clearly filled and every empty bubble is read, and read right; every
ambiguous one (tick, erasure, partial, faint) goes to review. Nothing is silently wrong.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from quizzer.exam.questions import load_manifest
from quizzer.exam.scan_layout import load_answer_sheets
from tests.scan_eval import judge
from tests.scansim import CONDITIONS, simulate_batch

EXAMPLE = str(Path(__file__).resolve().parent.parent / "examples" / "exam.yaml")


@pytest.fixture
def built(run, tmp_path):
    out = tmp_path / "exam"
    run("exam", "build", EXAMPLE, "--out", str(out), "-n", "2", "--format", "md", "--no-verify", "--answer-sheets")
    return out


def test_200_simulated_pages_nothing_silently_wrong(built) -> None:
    manifest = load_manifest(built)
    multiple = {(v.code, i.number): i.kind == "multi" for v in manifest.versions for i in v.items}
    # 150 dpi, the low end of what the issue asks for: the hardest resolution for the reader
    pages = simulate_batch(built, 200, seed=11, dpi=150)
    tallies = judge(pages, load_answer_sheets(built), multiple)
    total = tallies["all"]
    assert total.wrong == []
    assert total.failed_pages == 0
    assert set(tallies) == {*CONDITIONS, "all"}
    # clear marks are read, not merely not wrong: a reader sending everything to review would fail here
    assert total.read["filled"] == total.bubbles["filled"] > 0
    assert total.read["empty"] == total.bubbles["empty"] > 0
    assert total.read["ambiguous"] == 0 and total.bubbles["ambiguous"] > 0
