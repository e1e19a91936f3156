"""Answer sheets: the layout in manifest.json against the PDF's pixels, the QR codes, what each question gets,
reproducibility, and ``exam build --answer-sheets`` from the command line.

The pixel checks render answer-sheets.pdf with pypdfium2 (not with anything the layout code uses) and look where
the manifest says things are: a bubble is a thin dark ring around a white centre, a corner mark a black square,
and every QR module is dark exactly where segno's matrix for the printed payload says.
"""

from __future__ import annotations

import json
import math
import string
from io import BytesIO

import numpy as np
import pypdfium2 as pdfium
import pytest
import segno
from pypdf import PdfReader

from quizzer.bank.sync import sync_bundled
from quizzer.errors import BadParameters, ExitStatus
from quizzer.exam.build import build_exam
from quizzer.exam.manifest import SHEETS_PDF_NAME, AnswerSheets, Manifest, SheetPage, manifest_json
from quizzer.exam.render_sheets import render_answer_sheets
from quizzer.exam.sheet_layout import (
    BUBBLE,
    LEFT,
    MAX_PARTS,
    QR_MASK,
    RIGHT,
    drawing_data,
    layout_sheets,
    parts_block,
    score_block,
    sheet_labels,
)
from quizzer.exam.sheet_numbers import GridSize
from quizzer.exam.spec import load_spec
from quizzer.store.engine import open_store
from tests.conftest import REPO

EXAMPLE = REPO / "examples" / "exam.yaml"
DPI = 200


@pytest.fixture(scope="module")
def exam(tmp_path_factory):
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('sheets-db') / 'q.db'}")
    sync_bundled(store)
    spec, digest = load_spec(EXAMPLE)
    return build_exam(store, spec, digest, versions=2, seed=5, lang="zh", verify=False)


@pytest.fixture(scope="module")
def sheets(exam):
    layout, drawings = layout_sheets(exam, copies=2)
    return layout, render_answer_sheets(drawing_data(drawings, exam.lang, exam.spec.date or ""))


def page_pixels(pdf: bytes, index: int, dpi: int = DPI) -> np.ndarray:
    document = pdfium.PdfDocument(pdf)
    image = document[index].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    return np.asarray(image)


def px(mm: float) -> float:
    return mm * DPI / 25.4


def test_the_pdf_has_the_manifests_pages_in_order(exam, sheets) -> None:
    layout, pdf = sheets
    assert len(PdfReader(BytesIO(pdf)).pages) == len(layout.pages)
    assert [p.pdf_page for p in layout.pages] == list(range(1, len(layout.pages) + 1))
    # every version, copies 1 and 2, each copy's pages 1 … pages in a row
    seen = [(p.version, p.copy_, p.page) for p in layout.pages]
    expected = []
    for version in exam.versions:
        pages = next(p.pages for p in layout.pages if p.version == version.code)
        expected += [(version.code, c, k) for c in (1, 2) for k in range(1, pages + 1)]
    assert seen == expected


def test_every_page_prints_its_qr_payload_and_the_payload_names_the_page(exam, sheets) -> None:
    layout, pdf = sheets
    texts = [page.extract_text() for page in PdfReader(BytesIO(pdf)).pages]
    for page, text in zip(layout.pages, texts, strict=True):
        assert page.qr.payload == f"QZ1|{page.exam}|{page.version}|{page.copy_}|{page.page}"
        assert page.qr.payload in text.replace(" ", "")
        assert page.qr.payload.isascii()


def test_every_question_has_its_answer_area_once_per_copy(exam, sheets) -> None:
    layout, _ = sheets
    for version in exam.versions:
        for copy in (1, 2):
            pages = [p for p in layout.pages if p.version == version.code and p.copy_ == copy]
            regions = [r.question for p in pages for r in p.regions]
            assert sorted(regions, key=lambda q: q or 0) == [None] + [pq.number for pq in version.questions]
            bubbled = {b.question for p in pages for b in p.bubbles}
            assert bubbled == {None} | {pq.number for pq in version.questions}
            for p in pages:  # every bubble lies inside its question's region on the same page
                boxes = {r.question: r for r in p.regions}
                for b in p.bubbles:
                    r = boxes[b.question]
                    assert r.x <= b.x - b.w / 2 and b.x + b.w / 2 <= r.x + r.w
                    assert r.y <= b.y - b.h / 2 and b.y + b.h / 2 <= r.y + r.h


def test_choice_bubbles_carry_the_printed_letters(exam, sheets) -> None:
    """A recount from the manifest: an item with a permutation of n options has bubbles A … the n-th letter."""
    layout, _ = sheets
    for mv in exam.manifest.versions:
        page_bubbles = [b for p in layout.pages if p.version == mv.code and p.copy_ == 1 for b in p.bubbles]
        for item in mv.items:
            mine = [b for b in page_bubbles if b.question == item.number]
            groups = {b.group for b in mine}
            if item.permutation:
                assert groups == {"choice"}
                assert [b.value for b in mine] == list(string.ascii_uppercase[: len(item.permutation)])
            elif isinstance(item.answer, bool):
                assert groups == {"choice"} and [b.value for b in mine] == ["T", "F"]
            elif isinstance(item.answer, int | float):
                assert {"sign", "digit"} <= groups <= {"sign", "digit", "decimals", "exp_sign", "exp_digit"}
                columns = {b.column for b in mine if b.group == "digit"}
                digits = sorted(b.value for b in mine if b.group == "digit" and b.column == 0)
                assert digits == [str(d) for d in range(10)] and columns == set(range(len(columns)))
                # the key fits: as many columns as its integer part has digits, at least
                assert len(columns) >= len(str(int(abs(item.answer))))
            elif isinstance(item.answer, list | dict) and 0 < len(item.answer) <= MAX_PARTS:
                # several numbers: one grid per component (bubbles carry ``part``), each able to hold its key
                values = list(item.answer.values()) if isinstance(item.answer, dict) else list(item.answer)
                assert {b.part for b in mine} == set(range(len(values)))
                for part, value in enumerate(values):
                    grid = [b for b in mine if b.part == part]
                    assert {"sign", "digit"} <= {b.group for b in grid}
                    columns = {b.column for b in grid if b.group == "digit"}
                    assert sorted(b.value for b in grid if b.group == "digit" and b.column == 0) == list("0123456789")
                    assert len(columns) >= len(str(int(abs(value))))
                    if not float(value).is_integer():
                        assert any(b.group == "decimals" for b in grid)
            else:  # text, essay, long vectors: the teacher's score bubbles 0 … points
                assert all(b.part is None for b in mine)
                assert groups == {"score"}
                assert [b.value for b in mine][:2] == ["0", "1"] and float(mine[-1].value) == item.points


def test_bubbles_never_overlap_each_other_the_marks_or_the_qr_code(sheets) -> None:
    layout, _ = sheets
    for page in layout.pages:
        ids = [b.id for b in page.bubbles]
        assert len(ids) == len(set(ids))
        centres = np.array([(b.x, b.y) for b in page.bubbles])
        gaps = np.hypot(*(centres[:, None, :] - centres[None, :, :]).transpose(2, 0, 1))
        np.fill_diagonal(gaps, np.inf)
        assert gaps.min() >= 4.5  # 4 mm bubbles: at least half a millimetre of paper between two
        q = page.qr
        for b in page.bubbles:
            assert 12 < b.x < 198 and 14 < b.y < 283
            assert not (q.x - 2 < b.x < q.x + q.size + 2 and q.y - 2 < b.y < q.y + q.size + 5)


def test_the_rendered_page_has_a_ring_at_every_bubble_and_black_corner_marks(sheets) -> None:
    layout, pdf = sheets
    # every page holding a multi-number answer's component grids too (the example has a record and a vector)
    with_parts = {i for i, p in enumerate(layout.pages) if any(b.part is not None for b in p.bubbles)}
    assert with_parts
    for index in sorted({0, 1, len(layout.pages) - 1} | with_parts):
        page: SheetPage = layout.pages[index]
        image = page_pixels(pdf, index)
        assert image.shape == (round(px(297)), round(px(210)))
        for b in page.bubbles:
            cx, cy = px(b.x), px(b.y)
            inner = image[round(cy - px(1.2)) : round(cy + px(1.2)), round(cx - px(1.2)) : round(cx + px(1.2))]
            assert inner.min() > 200, f"{b.id}: the centre of an empty bubble is not white"
            ring_r = px(b.w / 2 - 0.09)  # the outline's middle: 0.5 pt stroke centred on the edge
            for k in range(16):
                a = 2 * math.pi * k / 16
                x, y = round(cx + ring_r * math.cos(a)), round(cy + ring_r * math.sin(a))
                assert image[y - 1 : y + 2, x - 1 : x + 2].min() < 140, f"{b.id}: no outline at angle {k * 22.5}°"
        for m in page.corner_marks:
            half = px(m.size / 2 - 0.3)
            square = image[round(px(m.y) - half) : round(px(m.y) + half), round(px(m.x) - half) : round(px(m.x) + half)]
            assert square.max() < 60, f"corner mark {m.corner} is not black where the manifest says"
            beyond = image[round(px(m.y) - px(m.size / 2 + 1.5)), round(px(m.x))]
            assert beyond > 200, f"corner mark {m.corner} is bigger than the manifest says"


def test_the_qr_modules_are_where_segno_puts_them(sheets) -> None:
    """Every module of the printed payload's QR code (error correction Q, 4-module quiet zone) at its mm position."""
    layout, pdf = sheets
    page = layout.pages[1]
    image = page_pixels(pdf, 1)
    matrix = [
        list(row)
        for row in segno.make_qr(page.qr.payload, error="q", boost_error=False, mask=QR_MASK).matrix_iter(border=4)
    ]
    module = page.qr.size / len(matrix)
    assert px(module) > 4  # at least 4 pixels a module at 200 dpi: readable from a 150 dpi scan too
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            value = image[round(px(page.qr.y + (r + 0.5) * module)), round(px(page.qr.x + (c + 0.5) * module))]
            assert (value < 100) == bool(dark), f"module ({r}, {c})"


def test_same_exam_same_layout_and_byte_identical_pdf(exam, sheets) -> None:
    layout, pdf = sheets
    again, drawings = layout_sheets(exam, copies=2)
    assert again.model_dump_json() == layout.model_dump_json()
    assert render_answer_sheets(drawing_data(drawings, exam.lang, exam.spec.date or "")) == pdf


def test_layout_json_has_the_contracts_keys(sheets) -> None:
    layout, _ = sheets
    data = json.loads(layout.model_dump_json(by_alias=True))
    assert data["units"] == "mm" and data["origin"] == "top-left, y down" and data["layout_version"] == 1
    assert data["paper"] == {"width": 210.0, "height": 297.0} and data["pdf"] == SHEETS_PDF_NAME
    assert {p["exam"] for p in data["pages"]} == {data["exam"]} and len(data["exam"]) == 8
    page = data["pages"][0]
    assert set(page) == {
        "pdf_page",
        "exam",
        "version",
        "copy",
        "page",
        "pages",
        "qr",
        "corner_marks",
        "bubbles",
        "regions",
    }
    assert [m["corner"] for m in page["corner_marks"]] == ["tl", "tr", "bl", "br"]
    student = [b for b in page["bubbles"] if b["group"] == "student"]
    assert len(student) == 10 * data["student_digits"] and {b["question"] for b in student} == {None}
    assert AnswerSheets.model_validate(data) == layout


# --- the command line ----------------------------------------------------------------------------------------


def test_build_with_answer_sheets_writes_the_pdf_and_the_layout(run, tmp_path) -> None:
    out = tmp_path / "exam"
    run("exam", "build", str(EXAMPLE), "-n", "2", "--seed", "3", "--out", str(out), "--format", "md",
        "--no-verify", "--answer-sheets", "--copies", "3", "--lang", "en")  # fmt: skip
    manifest = Manifest.model_validate_json((out / "manifest.json").read_text(encoding="utf-8"))
    sheets = manifest.answer_sheets
    assert sheets is not None and sheets.cancel_by_blackening is False
    assert {(p.version, p.copy_) for p in sheets.pages} == {(v, c) for v in "AB" for c in (1, 2, 3)}
    assert len(PdfReader(out / SHEETS_PDF_NAME).pages) == len(sheets.pages)
    assert '"copy": 1' in (out / "manifest.json").read_text(encoding="utf-8")  # the contract's name, not copy_


def test_build_without_answer_sheets_leaves_the_manifest_as_it_was(run, tmp_path) -> None:
    out = tmp_path / "exam"
    run("exam", "build", str(EXAMPLE), "--out", str(out), "--format", "md", "--no-verify")
    assert "answer_sheets" not in json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert not (out / SHEETS_PDF_NAME).exists()


def test_the_spec_can_make_a_blackened_bubble_mean_cancelled(run, tmp_path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(EXAMPLE.read_text(encoding="utf-8") + "cancel_by_blackening: true\n", encoding="utf-8")
    out = tmp_path / "exam"
    run("exam", "build", str(spec), "--out", str(out), "--format", "md", "--no-verify", "--answer-sheets")
    manifest = Manifest.model_validate_json((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest.answer_sheets is not None and manifest.answer_sheets.cancel_by_blackening is True
    text = "".join(p.extract_text() for p in PdfReader(out / SHEETS_PDF_NAME).pages)
    assert "blacken" in text.replace("\n", " ") or "完全涂黑" in text


@pytest.mark.parametrize("copies", ["0", "1001"])
def test_a_bad_copy_count_is_one_clear_line_and_writes_nothing(run, tmp_path, copies) -> None:
    out = tmp_path / "exam"
    result = run("exam", "build", str(EXAMPLE), "--out", str(out), "--format", "md", "--no-verify",
                 "--answer-sheets", "--copies", copies, expect=ExitStatus.NOT_FOUND)  # fmt: skip
    assert "--copies must be between 1 and 1000" in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_the_manifest_with_sheets_reads_back_as_what_was_written(exam, sheets) -> None:
    layout, _ = sheets
    manifest = exam.manifest.model_copy(update={"answer_sheets": layout})
    text = manifest_json(manifest)
    assert Manifest.model_validate_json(text) == manifest
    assert json.loads(text)["answer_sheets"] == json.loads(layout.model_dump_json(by_alias=True))
    assert manifest_json(Manifest.model_validate_json(text)) == text


def test_fractional_points_get_their_own_last_score_bubble() -> None:
    block = score_block(4, "2.5 pts", 2.5, "")
    assert [b["value"] for b in block.bubbles] == ["0", "1", "2", "2.5"]
    assert {b["group"] for b in block.bubbles} == {"score"} and {b["question"] for b in block.bubbles} == {4}


def test_many_points_wrap_into_rows_and_too_many_are_refused_by_name() -> None:
    block = score_block(9, "45 pts", 45, "")
    ys = sorted({b["y"] for b in block.bubbles})
    assert len(block.bubbles) == 46 and len(ys) == 3 and block.h >= ys[-1] + BUBBLE / 2
    assert block.w < RIGHT - LEFT  # fits the page's width
    with pytest.raises(BadParameters, match="question 9 is worth 61 points"):
        score_block(9, "61 pts", 61, "")


def test_component_grids_wrap_into_rows_and_give_up_when_taller_than_a_page() -> None:
    labels = sheet_labels("en")
    three = parts_block(4, "5 pts", [("receptive_field", GridSize(3, 0, 0)), ("jump", GridSize(2, 0, 0))] * 2, labels)
    assert three is not None
    ids = [b["id"] for b in three.bubbles]
    assert len(ids) == len(set(ids))  # q4.p0.d0.1 and q4.p2.d0.1 are different bubbles
    assert {b["part"] for b in three.bubbles} == {0, 1, 2, 3}
    assert three.w <= RIGHT - LEFT
    assert {lb.text for lb in three.labels} >= {"receptive_field", "jump", "4."}
    # six wide grids (mantissa, decimals, exponent): one per row, far taller than a page's answer region
    assert parts_block(4, "5 pts", [(f"#{i}", GridSize(8, 7, 2)) for i in range(6)], labels) is None


def _problem_with(family: str, difficulty: int, length: int):
    """The first seed's problem of ``family`` whose answer has ``length`` components (drawn, not hand-made)."""
    from quizzer.generators.registry import get_family, make_problem

    for seed in range(200):
        problem = make_problem(get_family(family), seed=seed, difficulty=difficulty)
        if len(problem.answer) == length:
            return problem
    raise AssertionError(f"no {family} problem with {length} components")


@pytest.mark.parametrize(
    ("family", "difficulty", "length", "grids"),
    [("feature-scaling", 3, 6, True), ("pool-values", 2, 9, False), ("pool-values", 2, 25, False)],
)
def test_six_components_get_grids_a_longer_vector_keeps_score_bubbles(family, difficulty, length, grids) -> None:
    from quizzer.exam.build import PrintedQuestion
    from quizzer.exam.sheet_layout import question_block
    from quizzer.quiz.question import GeneratedQuestion

    problem = _problem_with(family, difficulty, length)
    block = question_block(PrintedQuestion(3, 0, 4.0, GeneratedQuestion(problem)), "en", sheet_labels("en"))
    if grids:
        assert {b["part"] for b in block.bubbles} == set(range(length))
        assert block.w <= RIGHT - LEFT
    else:
        assert {b["group"] for b in block.bubbles} == {"score"}
        assert {b["part"] for b in block.bubbles} == {None}
