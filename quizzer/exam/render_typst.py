"""PDF sheets and keys, typeset by typst in-process (the ``typst`` package; imported only here).

The template (``templates/exam.typ``) is fixed; the exam arrives as JSON through ``sys.inputs`` and is read
with typst's ``json``, so no bank or spec text is ever parsed as typst markup (nothing to escape, nothing to
inject). Fonts: only the bundled Noto Sans CJK and typst's own embedded fonts are used (system fonts are
ignored), and the creation timestamp is fixed, so the same exam gives byte-identical PDFs on every machine.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from quizzer.errors import QuizzerError
from quizzer.exam.document import runs, text_lines

TEMPLATE = Path(__file__).with_name("templates") / "exam.typ"
CJK_FAMILY = "Noto Sans CJK SC"
CJK_PACKAGE = "noto-cjk-sans-otc"
# Used as the PDF's creation time when the spec has no date: a build must not depend on the clock.
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
PDF_NAMES = {"sheet": "sheets.pdf", "key": "keys.pdf"}


class FontMissing(QuizzerError):
    """The CJK font the sheets need is not installed; typst would draw empty boxes for every Chinese character."""


def cjk_font_dir() -> Path:
    """The folder holding Noto Sans CJK; raises FontMissing (naming the font and its package) when absent."""
    try:
        import noto_cjk_sans_otc

        path = Path(noto_cjk_sans_otc.FONT_PATH)
    except (ImportError, AttributeError):
        path = None
    if path is None or not path.is_file():
        raise FontMissing(
            f"the font {CJK_FAMILY} is missing: install the {CJK_PACKAGE} package "
            f"(`pip install {CJK_PACKAGE}`) to make PDF sheets; md and html need no font"
        )
    return path.parent


# A bank item's texts repeat in every version (and the same grid rows in many solutions): each distinct text is
# split once. The cached values are shared by every place that uses them and must never be changed.
@lru_cache(maxsize=8192)
def _runs(text: str) -> tuple[tuple[str, str], ...]:
    return tuple(runs(text))


@lru_cache(maxsize=8192)
def _lines(text: str) -> tuple[dict[str, Any], ...]:
    return tuple({"indent": ln["indent"], "mono": ln["mono"], "runs": _runs(ln["text"])} for ln in text_lines(text))


def _typst_question(q: dict[str, Any]) -> dict[str, Any]:
    return {
        **q,
        "prompt": _lines(q["prompt"]),
        "answer": _lines(q["answer"]),
        "solution": _lines(q["solution"]) if q["solution"] else (),
        "explanation": _runs(q["explanation"]) if q["explanation"] else "",
        "options": [{**o, "text": _runs(o["text"]), "why": _runs(o["why"])} for o in q["options"]],
        "mistakes": [{**m, "value": _runs(m["value"]), "diagnosis": _runs(m["diagnosis"])} for m in q["mistakes"]],
    }


def typst_data(document: dict[str, Any]) -> dict[str, Any]:
    """The renderers' document with multi-line texts split into lines of runs (superscripts marked).

    A new structure (the document is left as it is) that shares what did not change: no deep copy.
    """
    versions = [
        {
            **version,
            "sections": [
                {**section, "questions": [_typst_question(q) for q in section["questions"]]}
                for section in version["sections"]
            ],
        }
        for version in document["versions"]
    ]
    return {**document, "versions": versions}


def timestamp_of(date: str | None) -> datetime:
    """The PDF's creation time: the spec's date, else a fixed epoch (never the clock: builds are reproducible)."""
    if date:
        return datetime.fromisoformat(date).replace(tzinfo=UTC)
    return EPOCH


def _timestamp(document: dict[str, Any]) -> datetime:
    return timestamp_of(document.get("date"))


def _compile(payload: str, mode: str, fonts: Path, timestamp: datetime) -> bytes:
    import typst

    compiler = typst.Compiler(
        str(TEMPLATE), root=str(TEMPLATE.parent), font_paths=[str(fonts)], ignore_system_fonts=True
    )
    name = PDF_NAMES[mode]
    try:
        # Students' sheets are tagged PDF (screen readers); the teacher's key is not: tags triple its size
        # and cost a sixth of its typesetting time.
        pdf, warnings = compiler.compile_with_warnings(
            format="pdf", sys_inputs={"data": payload, "mode": mode}, timestamp=timestamp, pdf_tags=mode == "sheet"
        )
    except typst.TypstError as exc:  # a template bug, not the user's: say which document failed
        raise QuizzerError(f"typst could not typeset {name}: {str(exc).splitlines()[0]}") from None
    unknown = [str(w) for w in warnings if "unknown font family" in str(w).lower()]
    if unknown:
        raise FontMissing(f"typst cannot find the font {CJK_FAMILY} in {fonts}: {unknown[0].splitlines()[0]}")
    assert isinstance(pdf, bytes)  # format="pdf" gives one document; a list comes only from per-page png/svg
    return pdf


def render_pdfs(document: dict[str, Any]) -> dict[str, bytes]:
    """``{"sheets.pdf": …, "keys.pdf": …}``: every version in one file each, each version on its own pages.

    The two documents are typeset in parallel threads (typst releases the GIL), so two cores halve the wait.
    """
    from concurrent.futures import ThreadPoolExecutor

    fonts = cjk_font_dir()
    payload = json.dumps(typst_data(document), ensure_ascii=False, sort_keys=True)
    timestamp = _timestamp(document)
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {name: pool.submit(_compile, payload, mode, fonts, timestamp) for mode, name in PDF_NAMES.items()}
        return {name: future.result() for name, future in futures.items()}
