"""``exam build`` end to end: read the spec, build the versions, render every format, then write the files.

Everything is rendered in memory first, so a spec the bank cannot fill, a missing font or a typst failure
leaves the output directory untouched.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quizzer.errors import BadParameters
from quizzer.exam.build import BuiltExam, build_exam, verify_keys
from quizzer.exam.manifest import MANIFEST_NAME, SHEETS_PDF_NAME, manifest_json
from quizzer.exam.spec import ExamSpec, load_spec
from quizzer.store.engine import Store

FORMATS = ("pdf", "html", "md")
TEMPLATE_NAME = "answers-template.csv"


@dataclass
class BuildReport:
    exam: BuiltExam
    out: Path
    files: list[tuple[str, int]] = field(default_factory=list)  # (name, bytes)
    seconds: dict[str, float] = field(default_factory=dict)  # stage -> seconds

    @property
    def questions(self) -> int:
        return len(self.exam.versions[0].questions)


def parse_formats(text: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(part.strip().lower() for part in text.split(",") if part.strip()))
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise BadParameters(f"unknown format {', '.join(unknown) or '(none)'}; formats are: {', '.join(FORMATS)}")
    return chosen


def _check_out(out: Path, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise BadParameters(f"{out} is a file, not a directory")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise BadParameters(f"{out} is not empty; choose another directory or pass --force to overwrite")


def lay_out_answer_sheets(exam: BuiltExam, copies: int) -> tuple[BuiltExam, dict[str, Any]]:
    """The exam with its manifest's ``answer_sheets`` filled in, and what the answer-sheet template draws."""
    from dataclasses import replace

    from quizzer.exam.sheet_layout import drawing_data, layout_sheets

    sheets, drawings = layout_sheets(exam, copies)
    exam = replace(exam, manifest=exam.manifest.model_copy(update={"answer_sheets": sheets}))
    return exam, drawing_data(drawings, exam.lang, exam.spec.date or "")


def render_files(
    exam: BuiltExam,
    formats: tuple[str, ...],
    seconds: dict[str, float],
    answer_sheets: int | None = None,
    *,
    key_pictures: bool = True,
) -> dict[str, bytes]:
    """Every output file of a build, by name, as bytes; ``answer_sheets`` copies per version (None: no sheets).

    The PDFs are typeset in the background (typst releases the GIL) while Markdown and HTML are rendered; the
    answer sheets are laid out first (the manifest holds their layout), then typeset beside the other PDFs.
    ``key_pictures``: the PDF and HTML keys draw the pictures of worked solutions (Markdown keys have none).
    """
    from concurrent.futures import Future, ThreadPoolExecutor

    from quizzer.exam.document import exam_document

    sheets_data = None
    if answer_sheets is not None:
        start = time.perf_counter()
        exam, sheets_data = lay_out_answer_sheets(exam, answer_sheets)
        seconds["sheet-layout"] = time.perf_counter() - start
    files: dict[str, bytes] = {
        MANIFEST_NAME: manifest_json(exam.manifest).encode(),
        TEMPLATE_NAME: exam.manifest.csv_template.encode(),
    }
    start = time.perf_counter()
    document = exam_document(exam, pictures=key_pictures and ("pdf" in formats or "html" in formats))
    seconds["document"] = time.perf_counter() - start
    # A second worker only when there are answer sheets to typeset beside the sheets and keys.
    with ThreadPoolExecutor(max_workers=2 if sheets_data is not None else 1) as pool:
        pdfs: Future | None = None
        sheets_pdf: Future | None = None
        if sheets_data is not None:
            from quizzer.exam.render_sheets import render_answer_sheets

            sheets_start = time.perf_counter()
            sheets_pdf = pool.submit(render_answer_sheets, sheets_data)
        if "pdf" in formats:
            from quizzer.exam.render_typst import render_pdfs

            pdf_start = time.perf_counter()
            pdfs = pool.submit(render_pdfs, document)
        if "md" in formats:
            from quizzer.exam.render_md import render_markdown_files

            start = time.perf_counter()
            files.update({name: text.encode() for name, text in render_markdown_files(document).items()})
            seconds["md"] = time.perf_counter() - start
        if "html" in formats:
            from quizzer.exam.render_html import render_html_files

            start = time.perf_counter()
            files.update({name: text.encode() for name, text in render_html_files(document).items()})
            seconds["html"] = time.perf_counter() - start
        if pdfs is not None:
            files.update(pdfs.result())
            seconds["pdf"] = time.perf_counter() - pdf_start
        if sheets_pdf is not None:
            files[SHEETS_PDF_NAME] = sheets_pdf.result()
            seconds["answer-sheets"] = time.perf_counter() - sheets_start
    return files


def build_to_dir(
    store: Store,
    spec_path: Path,
    out: Path,
    *,
    versions: int,
    seed: int,
    lang: str,
    formats: tuple[str, ...] = FORMATS,
    force: bool = False,
    verify: bool = True,
    answer_sheets: int | None = None,
    key_pictures: bool = True,
) -> BuildReport:
    """Build and write everything; ``answer_sheets``: answer-sheet copies per version (None: no answer sheets)."""
    _check_out(out, force)
    spec, digest = load_spec(spec_path)
    with _no_gc():
        files, seconds, exam = _build_files(
            store, spec, digest, versions, seed, lang, formats, verify, key_pictures, answer_sheets
        )
    out.mkdir(parents=True, exist_ok=True)
    report = BuildReport(exam, out, seconds=seconds)
    for name, data in files.items():
        (out / name).write_bytes(data)
        report.files.append((name, len(data)))
    return report


@contextmanager
def _no_gc() -> Iterator[None]:
    """The cyclic garbage collector paused: a build makes some 100,000 small acyclic objects that it keeps to
    the end, and each collection on the way only rescans them (a sixth of the build's Python time)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _build_files(
    store: Store,
    spec: ExamSpec,
    digest: str,
    versions: int,
    seed: int,
    lang: str,
    formats: tuple[str, ...],
    verify: bool,
    key_pictures: bool,
    answer_sheets: int | None,
) -> tuple[dict[str, bytes], dict[str, float], BuiltExam]:
    seconds: dict[str, float] = {}
    start = time.perf_counter()
    exam = build_exam(store, spec, digest, versions=versions, seed=seed, lang=lang, verify=False)
    seconds["select"] = time.perf_counter() - start
    if verify:
        # torch checks the keys while the files render (typst releases the GIL); a key torch does not
        # confirm raises here, before anything is written.
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=1) as pool:
            start = time.perf_counter()
            checked = pool.submit(verify_keys, exam.versions)
            files = render_files(exam, formats, seconds, answer_sheets, key_pictures=key_pictures)
            checked.result()
            seconds["verify"] = time.perf_counter() - start
    else:
        files = render_files(exam, formats, seconds, answer_sheets, key_pictures=key_pictures)
    return files, seconds, exam
