"""A built exam as plain data in one language: what every renderer (Markdown, HTML, typst) lays out.

Keeping the renderers on this one structure means the sheet, the key and the three formats cannot disagree
about a number, a letter or an explanation. Every string here is user or bank text: renderers must escape it
(HTML, Markdown) or hand it over as data (typst reads it with ``json``), never paste it into markup.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, assert_never

from quizzer import messages as M
from quizzer.exam.build import BuiltExam, PrintedQuestion
from quizzer.generators.base import Problem, fmt
from quizzer.generators.figures import has_figure
from quizzer.generators.serialize import format_answer
from quizzer.grading.kinds.base import (
    AnswerShape,
    ChoiceAnswer,
    EssayAnswer,
    NumberAnswer,
    TextAnswer,
    TrueFalseAnswer,
)
from quizzer.messages import TOPIC_TITLES
from quizzer.quiz.question import GeneratedQuestion
from quizzer.safety import strip_controls
from quizzer.text import LANGS, BiText

# Every word the sheets and keys print besides the exam's own text, under the names the renderers (and the
# typst template, which reads them from JSON) look them up by.
_LABELS: dict[str, BiText] = {
    "version": M.SHEET_VERSION,
    "page": M.SHEET_PAGE,
    "html_page": M.SHEET_HTML_PAGE,
    "name": M.SHEET_NAME,
    "student": M.SHEET_STUDENT,
    "time": M.SHEET_TIME,
    "total": M.SHEET_TOTAL,
    "answer": M.SHEET_ANSWER,
    "key": M.SHEET_KEY,
    "sheet": M.SHEET_EXAM,
    "solution": M.SOLUTION,
    "why": M.SHEET_WHY,
    "mistakes": M.TYPICAL_MISTAKES,
    "explanation": M.SHEET_EXPLANATION,
    "form": M.SHEET_FORM,
    "key_points": M.SHEET_KEY_POINTS,
    "date": M.SHEET_DATE,
    "colon": M.COLON,
}
LABELS: dict[str, dict[str, str]] = {lang: {key: text.get(lang) for key, text in _LABELS.items()} for lang in LANGS}


@lru_cache(maxsize=256)  # called for every question of every version, with a handful of distinct values
def points_text(points: float, lang: str) -> str:
    return M.SHEET_POINTS.format(points).get(lang)


def _answer_space(shape: AnswerShape | None) -> str:
    """How much room the sheet leaves: a box for letters, a line for a value, several lines for an essay."""
    match shape:
        case None | NumberAnswer() | TextAnswer():  # None: a generated problem, answered by numbers
            return "line"
        case ChoiceAnswer() | TrueFalseAnswer():
            return "box"
        case EssayAnswer():
            return "lines"
        case _:
            assert_never(shape)


def _key_answer(pq: PrintedQuestion, lang: str) -> str:
    q = pq.question
    if isinstance(q, GeneratedQuestion):
        return format_answer(q.problem)
    shape = q.shape()
    match shape:
        case ChoiceAnswer(several=False):
            (right,) = (c for c in shape.options if c.correct)  # with one answer the option reads as a sentence
            return f"{right.letter}. {right.text.get(lang)}"
        case ChoiceAnswer():
            return ("、" if lang == "zh" else ", ").join(shape.correct)
        case NumberAnswer():
            return (
                fmt(shape.value)
                + (f" {shape.unit}" if shape.unit else "")
                + (f" (± {fmt(shape.tolerance)})" if shape.tolerance else "")
            )
        case EssayAnswer():
            return shape.reference.get(lang)
        case TrueFalseAnswer() | TextAnswer():
            return q.expected().get(lang)
        case _:
            assert_never(shape)


def _figure(problem: Problem, lang: str) -> dict[str, Any] | None:
    """The picture of a generated problem's solution (for keys), or None when its family has none.

    The plot itself is an SVG without words; the words are here, for the renderers to set around it.
    """
    from quizzer.generators.figures import figure_for

    figure = figure_for(problem)
    if figure is None:
        return None
    from quizzer.exam.figures_svg import colour, figure_svg  # matplotlib: only when a picture is drawn

    return {
        "title": figure.title.get(lang),
        "x_label": figure.x_label.get(lang),
        "y_label": figure.y_label.get(lang),
        "legend": [
            {"label": s.label.get(lang), "colour": colour(i), "points": s.points} for i, s in enumerate(figure.series)
        ],
        "svg": figure_svg(figure),
    }


def _question(pq: PrintedQuestion, lang: str, pictures: bool) -> dict[str, Any]:
    q = pq.question
    data: dict[str, Any] = {
        "number": pq.number,
        "points": pq.points,
        "points_text": points_text(pq.points, lang),
        "kind": q.kind,
        "topic": TOPIC_TITLES[q.topic].get(lang) if q.topic in TOPIC_TITLES else q.topic,
        "prompt": q.prompt.get(lang),
        "form": q.form.get(lang),
        "space": _answer_space(None if isinstance(q, GeneratedQuestion) else q.shape()),
        "options": [],
        "analysis": False,  # whether the key says why each option is right or wrong
        "answer": _key_answer(pq, lang),
        "solution": "",
        "mistakes": [],
        "key_points": [],
        "explanation": "",
        "figure": None,  # for keys: a picture after the worked solution (see _figure)
    }
    if isinstance(q, GeneratedQuestion):
        p = q.problem
        data["source"] = f"{p.family} · ★{p.difficulty} · seed {p.seed}"
        data["solution"] = "\n".join(line for line in p.solution.get(lang).splitlines() if line.strip())
        data["mistakes"] = [
            {"value": format_answer(p, m.value), "diagnosis": m.diagnosis.get(lang)} for m in p.misconceptions
        ]
        if pictures and has_figure(p.family):
            data["figure"] = _figure(p, lang)
        return data
    item = q.item
    data["source"] = f"{item.id} · v{q.item_version}"
    data["explanation"] = item.explanation.get(lang)
    shape = q.shape()
    # Options are printed for any kind that has them; only choice answers say why each is right or wrong.
    judged = shape.options if isinstance(shape, ChoiceAnswer) else ()
    data["analysis"] = bool(judged)
    for i, (letter, option) in enumerate(zip(q.letters, q.options, strict=False)):  # in printed order already
        why = judged[i].why.get(lang) if judged else ""
        data["options"].append(
            {"letter": letter, "text": option.get(lang), "why": why, "correct": bool(judged) and judged[i].correct}
        )
    if isinstance(shape, EssayAnswer):
        data["key_points"] = [{"point": kp.point.get(lang), "weight": kp.weight} for kp in shape.points]
    return data


def exam_document(exam: BuiltExam, *, pictures: bool = False) -> dict[str, Any]:
    """Everything the renderers need, in the exam's language, as JSON-ready data.

    ``pictures``: generated problems whose family has a picture carry it (``figure``) for the keys; drawing
    them needs matplotlib and costs ~20 ms each, so builds that show no pictures (Markdown only) leave them out.
    """
    lang, spec = exam.lang, exam.spec
    labels = LABELS[lang]
    sections = [
        {
            "title": s.title.bi().get(lang) if s.title else "",
            "instructions": s.instructions.bi().get(lang) if s.instructions else "",
        }
        for s in spec.sections
    ]
    versions = []
    for version in exam.versions:
        grouped: list[dict[str, Any]] = []
        for pq in version.questions:
            if not grouped or grouped[-1]["index"] != pq.section:
                grouped.append({"index": pq.section, **sections[pq.section], "questions": []})
            grouped[-1]["questions"].append(_question(pq, lang, pictures))
        versions.append({"code": version.code, "sections": grouped})
    total = exam.manifest.total_points
    return _clean(
        {
            "lang": lang,
            "title": spec.title.bi().get(lang),
            "instructions": spec.instructions.bi().get(lang) if spec.instructions else "",
            "time": M.SHEET_MINUTES.format(spec.time_minutes).get(lang) if spec.time_minutes else "",
            "date": spec.date or "",
            "total_points": total,
            "total_text": points_text(total, lang),
            "labels": labels,
            "versions": versions,
        }
    )


def _clean(value: Any) -> Any:
    """Every string without control characters: none of the three formats can show them, typst may reject them."""
    if isinstance(value, str):
        return strip_controls(value)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


# "1×10^-5", "a^38", "e^(−x²/2)": the exponent after a caret, with or without parentheses.
_EXPONENT = re.compile(r"\^\(([^()]{1,24})\)|\^([-−]?[0-9A-Za-z.]{1,12})")
# A row of a number grid in a prompt (pool-values): only numbers and spaces, at least two numbers.
_GRID_ROW = re.compile(r"^\s*[-−]?\d[\d.]*(\s+[-−]?\d[\d.]*)+\s*$")


def runs(text: str) -> list[tuple[str, str]]:
    """``text`` split into plain runs and superscript runs (the exponents written with ``^``)."""
    out: list[tuple[str, str]] = []
    pos = 0
    for match in _EXPONENT.finditer(text):
        if match.start() > pos:
            out.append(("t", text[pos : match.start()]))
        out.append(("sup", match.group(1) or match.group(2)))
        pos = match.end()
    if pos < len(text) or not out:
        out.append(("t", text[pos:]))
    return out


def text_lines(text: str) -> list[dict[str, Any]]:
    """Lines with their indentation (in spaces) and whether they are rows of a number grid."""
    out = []
    for line in text.splitlines() or [""]:
        stripped = line.lstrip(" ")
        out.append({"indent": len(line) - len(stripped), "text": stripped, "mono": bool(_GRID_ROW.match(line))})
    return out
