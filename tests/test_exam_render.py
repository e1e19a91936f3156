"""Sheets and keys as PDF (typst), HTML and Markdown: content, escaping, fonts, reproducibility."""

from __future__ import annotations

import re
import shutil
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from quizzer.bank.sync import import_files, sync_bundled
from quizzer.exam import render_typst
from quizzer.exam.build import build_exam
from quizzer.exam.document import exam_document, runs, text_lines
from quizzer.exam.render_html import render_html, render_html_files
from quizzer.exam.render_md import md_escape, render_markdown
from quizzer.exam.render_typst import FontMissing, render_pdfs
from quizzer.exam.spec import load_spec
from quizzer.generators.serialize import format_answer
from quizzer.quiz.question import GeneratedQuestion
from quizzer.store.engine import open_store
from tests import bankfiles
from tests.conftest import REPO
from tests.htmlfonts import assert_font_covers_the_page


def squash(text: str) -> str:
    """Text as extracted from a PDF compares with: no whitespace, and "^" gone (exponents are set as superscripts)."""
    return re.sub(r"\s+|\^", "", text)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('render-db') / 'q.db'}")
    sync_bundled(store)
    spec, digest = load_spec(REPO / "examples" / "exam.yaml")
    exam = build_exam(store, spec, digest, versions=2, seed=5, lang="zh", verify=False)
    document = exam_document(exam)
    return exam, document, render_pdfs(document)


def pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(BytesIO(pdf)).pages]


def test_sheet_pdf_holds_the_chinese_prompts_and_the_version_code_on_every_page(built) -> None:
    exam, _, pdfs = built
    texts = pages(pdfs["sheets.pdf"])
    whole = squash("".join(texts))
    assert "深度学习基础·期中测验" in whole
    for version in exam.versions:
        for pq in version.questions:
            # The first line of every prompt, in Chinese, is on the sheet.
            assert squash(pq.question.prompt.zh.splitlines()[0])[:20] in whole, pq.number
    codes = []
    for text in texts:
        # Header and footer are drawn in the page background, so they come first in the extracted text.
        footers = [line for line in text.splitlines() if re.fullmatch(r"试卷版本 [AB] 第 \d+ / \d+ 页", line.strip())]
        assert len(footers) == 1, text[:200]
        match = re.fullmatch(r"试卷版本 ([AB]) 第 (\d+) / (\d+) 页", footers[0].strip())
        assert match
        codes.append((match[1], int(match[2]), int(match[3])))
        assert f"试卷版本 {match[1]}" in text.splitlines()[0]  # the header names the same version
    for code in "AB":
        numbers = [(x, y) for c, x, y in codes if c == code]
        assert [x for x, _ in numbers] == list(range(1, len(numbers) + 1))
        assert {y for _, y in numbers} == {len(numbers)}


def test_key_pdf_has_answers_solutions_and_why_each_option(built) -> None:
    exam, _, pdfs = built
    whole = squash("".join(pages(pdfs["keys.pdf"])))
    assert "参考答案与评分" in whole
    version = exam.versions[1]
    for pq in version.questions:
        q = pq.question
        if isinstance(q, GeneratedQuestion):
            assert squash(format_answer(q.problem)) in whole
            last_step = q.problem.solution.zh.strip().splitlines()[-1]
            assert squash(last_step)[:15] in whole  # the worked solution, numbers substituted
        elif q.options:
            for option in q.item.options:
                assert squash(option.why.zh)[:12] in whole


def test_pdfs_are_byte_identical_when_rebuilt(built) -> None:
    _, document, pdfs = built
    again = render_pdfs(document)
    assert again["sheets.pdf"] == pdfs["sheets.pdf"] and again["keys.pdf"] == pdfs["keys.pdf"]
    assert pdfs["sheets.pdf"].startswith(b"%PDF-")
    assert PdfReader(BytesIO(pdfs["sheets.pdf"])).metadata.title.startswith("深度学习基础")


def test_missing_font_is_a_clear_error(monkeypatch, built, tmp_path) -> None:
    _, document, _ = built
    import noto_cjk_sans_otc

    monkeypatch.setattr(noto_cjk_sans_otc, "FONT_PATH", tmp_path / "gone.ttc")
    with pytest.raises(FontMissing, match="Noto Sans CJK SC is missing: install the noto-cjk-sans-otc package"):
        render_pdfs(document)
    monkeypatch.undo()
    # A font folder typst finds nothing in: typst would fall back to empty boxes; we refuse instead.
    monkeypatch.setattr(render_typst, "cjk_font_dir", lambda: tmp_path)
    with pytest.raises(FontMissing, match="typst cannot find the font Noto Sans CJK SC"):
        render_pdfs(document)


def test_html_is_self_contained_with_a_page_break_per_version(built) -> None:
    exam, document, _ = built
    html = render_html(document, key=False)
    assert html.count('<table class="version version-') == 2
    assert "page-break-before: always" in html and "@media print" in html
    assert not re.search(r"(src|href)=", html)  # nothing external to load
    first = exam.versions[0].questions[0].question.prompt.zh.splitlines()[0]
    assert first[:10] in html
    key = render_html(document, key=True)
    assert "✓" in key and "参考答案与评分" in key


def test_html_sheets_and_keys_carry_the_cjk_font_they_use(built) -> None:
    _, document, _ = built
    files = render_html_files(document)
    for page in files.values():
        family, used, _ = assert_font_covers_the_page(page)
        assert f'font-family: "{family}"' in page  # the body (and the printed footer) use the embedded font
        assert "试" in used and "卷" in used


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PDFTOTEXT = shutil.which("pdftotext")
FOOTER = re.compile(r"试卷版本 (\S+) · 第 (\d+) 页（文件第 (\d+)/(\d+) 页）")


def print_with_chromium(html: str, folder: Path) -> list[str]:
    """``html`` printed to PDF by headless Chromium, as the text of each page (pdftotext -layout)."""
    source, pdf = folder / "page.html", folder / "page.pdf"
    source.write_text(html, encoding="utf-8")
    subprocess.run(
        [
            CHROMIUM or "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={folder / 'profile'}",
            "--no-pdf-header-footer",  # the browser's own header (date, URL) and footer (its page numbers)
            f"--print-to-pdf={pdf}",
            source.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    text = subprocess.run([PDFTOTEXT or "pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True).stdout
    return text.decode().split("\f")[:-1]  # pdftotext ends every page with a form feed


@pytest.mark.skipif(
    not (CHROMIUM and PDFTOTEXT),
    reason="needs headless Chromium and pdftotext (apt-get install chromium poppler-utils)",
)
@pytest.mark.parametrize("key", [False, True], ids=["sheets", "keys"])
def test_printed_html_has_the_version_and_its_page_number_on_every_page(built, tmp_path: Path, key: bool) -> None:
    exam, document, _ = built
    pages = print_with_chromium(render_html(document, key=key), tmp_path)
    codes = [v.code for v in exam.versions]
    seen: dict[str, int] = {}
    for number, page in enumerate(pages, start=1):
        footers = FOOTER.findall(page)
        assert len(footers) == 1, (number, page[-300:])
        code, x, n, total = footers[0]
        # The repeated header names the same version as the footer.
        assert f"试卷版本 {code}" in page.strip().splitlines()[0], (number, page[:200])
        # Per version, pages count 1, 2, 3 …; in the file, this is page n of all of them.
        assert int(x) == seen.get(code, 0) + 1 and (int(n), int(total)) == (number, len(pages))
        seen[code] = int(x)
        if int(x) == 1:  # a version starts on a new page, in order
            assert code == codes[len(seen) - 1]
    assert list(seen) == codes and all(k >= 2 for k in seen.values())  # more than one page each: counting was tested


def test_markdown_sheet_and_key(built) -> None:
    exam, document, _ = built
    sheet = render_markdown(document, key=False)
    assert sheet.count("# 深度学习基础 · 期中测验 · 试卷版本 ") == 2
    key = render_markdown(document, key=True)
    generated = next(pq for pq in exam.versions[0].questions if isinstance(pq.question, GeneratedQuestion))
    assert md_escape(format_answer(generated.question.problem)) in key


HOSTILE = '<script>alert(1)</script> & #panic("x") $x^2$ [a](b) *b* _i_ @ref <lbl> \\ `c` {x} ~ | 1. - x'


def test_hostile_bank_text_is_shown_literally_in_every_format(tmp_path) -> None:
    store = open_store()
    item = bankfiles.single_item("hostile-item", prompt=bankfiles.text(HOSTILE, HOSTILE))
    import_files(store, [bankfiles.write_bank(tmp_path / "hostile.yaml", item)])
    spec_path = tmp_path / "spec.yaml"
    spec_path.write_text(
        "title: '<b>T</b> #set'\nsections:\n  - draws:\n      - {source: bank, ids: [hostile-item], points: 1}\n",
        encoding="utf-8",
    )
    spec, digest = load_spec(spec_path)
    document = exam_document(build_exam(store, spec, digest, versions=1, seed=1, lang="en", verify=False))

    html = render_html(document, key=True)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in html
    assert "<b>T</b>" not in html and "&lt;b&gt;T&lt;/b&gt;" in html

    md = render_markdown(document, key=False)
    assert "\\<script\\>alert(1)\\</script\\>" in md and "\\[a\\](b)" in md and "\\*b\\* \\_i\\_" in md

    sheet = "".join(pages(render_pdfs(document)["sheets.pdf"]))
    assert squash('<script>alert(1)</script> & #panic("x") $x^2$ [a](b) *b* _i_ @ref <lbl>') in squash(sheet)
    assert squash("<b>T</b> #set") in squash(sheet)


def test_md_escape_neutralises_markup() -> None:
    assert md_escape("**x** [l](u) ![i](s) <i>") == "\\*\\*x\\*\\* \\[l\\](u) !\\[i\\](s) \\<i\\>"
    assert md_escape("- item") == "\\- item" and md_escape("+ item") == "\\+ item" and md_escape("12. x") == "12\\. x"
    assert md_escape("a - b") == "a - b"


def test_exponents_and_grid_rows() -> None:
    assert runs("1×10^-5 + e^(−x²/2)") == [("t", "1×10"), ("sup", "-5"), ("t", " + e"), ("sup", "−x²/2")]
    assert runs("no exponent") == [("t", "no exponent")]
    lines = text_lines("matrix:\n   -2  -8   4\n  then")
    assert [(ln["indent"], ln["mono"]) for ln in lines] == [(0, False), (3, True), (2, False)]
