"""Pictures in answer keys: matplotlib SVG from the figures' data, into the PDF (typst) and HTML keys."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from io import BytesIO

import pytest
from pypdf import PdfReader

from quizzer.bank.sync import sync_bundled
from quizzer.exam.build import build_exam
from quizzer.exam.document import exam_document
from quizzer.exam.figures_svg import figure_svg, inline_svg
from quizzer.exam.render_html import render_html
from quizzer.exam.render_md import render_markdown
from quizzer.exam.render_typst import render_pdfs
from quizzer.exam.spec import load_spec
from quizzer.generators.figures import figure_for
from quizzer.generators.registry import get_family, make_problem
from quizzer.quiz.question import GeneratedQuestion
from quizzer.store.engine import open_store

SVG_NS = "{http://www.w3.org/2000/svg}"

SPEC = """
title: {zh: 图测验, en: Picture quiz}
sections:
  - title: {zh: 计算, en: Calculations}
    draws:
      - {source: generated, family: %s, difficulty: 1, count: 1, points: 4}
"""


def squash(text: str) -> str:
    """Text as a PDF extract compares with: no whitespace, no "^" (exponents are set as superscripts)."""
    return re.sub(r"\s+|\^", "", text)


def built(tmp_path, family: str, versions: int = 1):
    store = open_store(f"sqlite:///{tmp_path / 'q.db'}")
    sync_bundled(store)
    path = tmp_path / f"{family}.yaml"
    path.write_text(SPEC % family, encoding="utf-8")
    spec, digest = load_spec(path)
    return build_exam(store, spec, digest, versions=versions, seed=3, lang="zh", verify=False)


def lr_figure():
    return figure_for(make_problem(get_family("lr-schedule"), 11, 1))


def test_svg_is_deterministic_clean_and_has_no_words() -> None:
    figure = lr_figure()
    svg = figure_svg.__wrapped__(figure)  # drawn afresh, not the cached string
    assert svg == figure_svg.__wrapped__(figure)
    # A fresh process (new matplotlib state, new ids counter) draws the same bytes.
    code = (
        "import sys; from quizzer.exam.figures_svg import figure_svg; "
        "from quizzer.generators.figures import figure_for; "
        "from quizzer.generators.registry import get_family, make_problem; "
        "sys.stdout.write(figure_svg(figure_for(make_problem(get_family('lr-schedule'), 11, 1))))"
    )
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert other == svg
    # Global matplotlib settings made elsewhere in the program (the progress charts set a CJK font) change nothing.
    import matplotlib

    momentum = figure_for(make_problem(get_family("sgd-momentum"), 0, 1))  # negative ticks: a minus sign
    clean = figure_svg.__wrapped__(momentum)
    assert "−" in clean  # this check can fail: the picture has negative numbers, set with a true minus
    changed = {"font.family": ["serif"], "svg.fonttype": "path", "axes.unicode_minus": False, "xtick.major.pad": 9}
    with matplotlib.rc_context(changed):
        assert figure_svg.__wrapped__(momentum) == clean
    assert "<dc:date>" not in svg and "Matplotlib v" not in svg  # nothing from the clock or the version
    root = ET.fromstring(svg.encode())
    assert root.tag == f"{SVG_NS}svg"
    # The only text is tick numbers, in the font typst carries too; the words are set by the key around it.
    texts = list(root.iter(f"{SVG_NS}text"))
    assert texts and all(re.fullmatch(r"[−\-0-9.e]+", t.text or "") for t in texts), [t.text for t in texts]
    assert all("DejaVu Sans Mono" in t.get("style", "") for t in texts)
    assert len(list(root.iter(f"{SVG_NS}path"))) > 5
    assert inline_svg(svg).startswith("<svg") and "<?xml" not in inline_svg(svg)


def test_log_axes_label_decades_as_plain_numbers() -> None:
    figure = figure_for(make_problem(get_family("vanishing-depth"), 3, 2))
    assert figure.log_y
    root = ET.fromstring(figure_svg(figure).encode())
    labels = {t.text for t in root.iter(f"{SVG_NS}text")}
    assert "1" in labels and labels & {"0.01", "0.1", "1e-4", "1e-3"}  # no mathtext 10^k


def test_another_figure_gives_another_svg() -> None:
    other = figure_for(make_problem(get_family("lr-schedule"), 12, 1))
    assert figure_svg(lr_figure()) != figure_svg(other)


def test_key_pdf_has_the_picture_after_the_solution_and_stays_reproducible(tmp_path) -> None:
    exam = built(tmp_path, "lr-schedule")
    (pq,) = exam.versions[0].questions
    assert isinstance(pq.question, GeneratedQuestion)
    figure = figure_for(pq.question.problem)
    with_pictures = render_pdfs(exam_document(exam, pictures=True))
    without = render_pdfs(exam_document(exam))
    text = squash("".join(page.extract_text() for page in PdfReader(BytesIO(with_pictures["keys.pdf"])).pages))
    title, legend = squash(figure.title.zh), squash(figure.series[-1].label.zh)
    solution_end = squash(pq.question.problem.solution.zh.strip().splitlines()[-1])[:12]
    assert title in text and legend in text and squash(figure.x_label.zh) in text
    assert text.index(solution_end) < text.index(title)  # after the worked solution
    plain = squash("".join(page.extract_text() for page in PdfReader(BytesIO(without["keys.pdf"])).pages))
    assert title not in plain
    # The plot is vector graphics in the page: many more path operators than the key without it.
    assert with_pictures["keys.pdf"] != without["keys.pdf"]
    assert len(with_pictures["keys.pdf"]) > len(without["keys.pdf"]) + 2000
    assert with_pictures["sheets.pdf"] == without["sheets.pdf"]  # students' sheets never show it
    assert render_pdfs(exam_document(exam, pictures=True)) == with_pictures  # byte-identical again


def test_an_exam_without_picture_families_has_no_picture(tmp_path) -> None:
    exam = built(tmp_path, "conv-output", versions=2)
    document = exam_document(exam, pictures=True)
    questions = [q for v in document["versions"] for s in v["sections"] for q in s["questions"]]
    assert questions and all(q["figure"] is None for q in questions)
    assert "<svg" not in render_html(document, key=True)
    assert render_pdfs(document) == render_pdfs(exam_document(exam))


def test_html_key_embeds_the_svg_and_escapes_the_words(tmp_path) -> None:
    exam = built(tmp_path, "sgd-momentum")
    document = exam_document(exam, pictures=True)
    (q,) = document["versions"][0]["sections"][0]["questions"]
    q["figure"]["title"] = "<b>not markup</b>"  # words next to the SVG are escaped like every other text
    key = render_html(document, key=True)
    assert key.count("<svg") == 1 and "&lt;b&gt;not markup&lt;/b&gt;" in key
    assert "<svg" not in render_html(document, key=False)
    assert "<svg" not in render_markdown(document, key=True)  # Markdown keys have no pictures


@pytest.mark.parametrize("args", [("--help",), ("exam", "build", "--help")])
def test_help_does_not_import_matplotlib(args) -> None:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "quizzer", *args], capture_output=True, text=True, check=True
    )
    modules = {line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}
    assert "quizzer.cli.main" in modules  # the parse sees imports: this check can fail
    assert not any(m.split(".")[0] == "matplotlib" for m in modules)
