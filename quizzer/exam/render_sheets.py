"""answer-sheets.pdf: the layout of ``sheet_layout`` drawn by typst (``templates/answer-sheet.typ``).

Same engine, fonts and fixed timestamp as the exam sheets (``render_typst``), so the same spec and seed give a
byte-identical PDF.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from quizzer.errors import QuizzerError
from quizzer.exam.render_typst import CJK_FAMILY, FontMissing, cjk_font_dir, timestamp_of

TEMPLATE = Path(__file__).with_name("templates") / "answer-sheet.typ"


def render_answer_sheets(data: dict[str, Any]) -> bytes:
    """The PDF of ``sheet_layout.drawing_data``'s pages."""
    import typst

    fonts = cjk_font_dir()
    compiler = typst.Compiler(
        str(TEMPLATE), root=str(TEMPLATE.parent), font_paths=[str(fonts)], ignore_system_fonts=True
    )
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True)
    try:
        pdf, warnings = compiler.compile_with_warnings(
            format="pdf", sys_inputs={"data": payload}, timestamp=timestamp_of(data["date"])
        )
    except typst.TypstError as exc:  # a template bug, not the user's
        raise QuizzerError(f"typst could not typeset the answer sheets: {str(exc).splitlines()[0]}") from None
    unknown = [str(w) for w in warnings if "unknown font family" in str(w).lower()]
    if unknown:
        raise FontMissing(f"typst cannot find the font {CJK_FAMILY} in {fonts}: {unknown[0].splitlines()[0]}")
    assert isinstance(pdf, bytes)
    return pdf
