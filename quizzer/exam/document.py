"""A built exam as plain data in one language: what every renderer (Markdown, HTML, typst) lays out.

Keeping the renderers on this one structure means the sheet, the key and the three formats cannot disagree
about a number, a letter or an explanation. Every string here is user or bank text: renderers must escape it
(HTML, Markdown) or hand it over as data (typst reads it with ``json``), never paste it into markup.
"""

from __future__ import annotations

import re
import string
from typing import Any

from quizzer.bank.schema import MultiItem, NumericItem, OpenItem, SingleItem
from quizzer.exam.build import BuiltExam, PrintedQuestion
from quizzer.generators.base import fmt
from quizzer.generators.serialize import format_answer
from quizzer.messages import TOPIC_TITLES
from quizzer.quiz.question import GeneratedQuestion
from quizzer.safety import strip_controls

# Every word the sheets and keys print besides the exam's own text: (zh, en) side by side.
_LABELS: dict[str, tuple[str, str]] = {
    "version": ("试卷版本", "Version"),
    "page": ("第 {x} / {y} 页", "Page {x} of {y}"),
    "name": ("姓名", "Name"),
    "student": ("学号", "Student ID"),
    "time": ("考试时间", "Time allowed"),
    "minutes": ("{n} 分钟", "{n} minutes"),
    "total": ("总分", "Total"),
    "points": ("{n} 分", "{n} pt"),
    "answer": ("答", "Answer"),
    "key": ("参考答案与评分", "Answer key"),
    "sheet": ("试卷", "Exam"),
    "solution": ("解答", "Solution"),
    "why": ("各选项分析", "Why each option is right or wrong"),
    "mistakes": ("常见错误", "Typical mistakes"),
    "explanation": ("讲解", "Explanation"),
    "form": ("作答形式", "Answer form"),
    "key_points": ("评分要点", "Key points"),
    "date": ("日期", "Date"),
    "colon": ("：", ": "),
}
LABELS: dict[str, dict[str, str]] = {
    lang: {key: pair[i] for key, pair in _LABELS.items()} for i, lang in enumerate(("zh", "en"))
}


def points_text(points: float, lang: str) -> str:
    template = LABELS[lang]["points"]
    if lang == "en" and points != 1:
        template = "{n} pts"
    return template.format(n=fmt(points))


def _answer_space(pq: PrintedQuestion) -> str:
    """How much room the sheet leaves: a box for letters, a line for a value, several lines for an essay."""
    kind = pq.question.kind
    if kind in ("single", "multi", "truefalse"):
        return "box"
    if kind == "open":
        return "lines"
    return "line"


def _key_answer(pq: PrintedQuestion, lang: str) -> str:
    q = pq.question
    if isinstance(q, GeneratedQuestion):
        return format_answer(q.problem)
    item = q.item
    if isinstance(item, SingleItem):
        letter = pq.printed_letter(item.answer)
        return f"{letter}. {item.options[string.ascii_uppercase.index(item.answer)].text.get(lang)}"
    if isinstance(item, MultiItem):
        return ("、" if lang == "zh" else ", ").join(sorted(pq.printed_letter(letter) for letter in item.answer))
    if isinstance(item, NumericItem):
        return fmt(item.value) + (f" {item.unit}" if item.unit else "") + (
            f" (± {fmt(item.tolerance)})" if item.tolerance else "")
    if isinstance(item, OpenItem):
        return item.reference.get(lang)
    return q.expected().get(lang)


def _question(pq: PrintedQuestion, lang: str) -> dict[str, Any]:
    q = pq.question
    data: dict[str, Any] = {
        "number": pq.number,
        "points": pq.points,
        "points_text": points_text(pq.points, lang),
        "kind": q.kind,
        "topic": TOPIC_TITLES[q.topic].get(lang) if q.topic in TOPIC_TITLES else q.topic,
        "prompt": q.prompt.get(lang),
        "form": q.form.get(lang),
        "space": _answer_space(pq),
        "options": [],
        "answer": _key_answer(pq, lang),
        "solution": "",
        "mistakes": [],
        "key_points": [],
        "explanation": "",
    }
    if isinstance(q, GeneratedQuestion):
        p = q.problem
        data["source"] = f"{p.family} · ★{p.difficulty} · seed {p.seed}"
        data["solution"] = "\n".join(line for line in p.solution.get(lang).splitlines() if line.strip())
        data["mistakes"] = [{"value": format_answer(p, m.value), "diagnosis": m.diagnosis.get(lang)}
                            for m in p.misconceptions]
        return data
    item = q.item
    assert item is not None
    data["source"] = f"{item.id} · v{q.item_version}"
    data["explanation"] = item.explanation.get(lang)
    if isinstance(item, (SingleItem, MultiItem)):
        correct = {item.answer} if isinstance(item, SingleItem) else set(item.answer)
        for letter, original in zip(pq.letters, pq.permutation or ()):
            option = item.options[original]
            data["options"].append({
                "letter": letter, "text": option.text.get(lang), "why": option.why.get(lang),
                "correct": string.ascii_uppercase[original] in correct,
            })
    if isinstance(item, OpenItem):
        data["key_points"] = [{"point": kp.point.get(lang), "weight": kp.weight} for kp in item.key_points]
    return data


def exam_document(exam: BuiltExam) -> dict[str, Any]:
    """Everything the renderers need, in the exam's language, as JSON-ready data."""
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
            grouped[-1]["questions"].append(_question(pq, lang))
        versions.append({"code": version.code, "sections": grouped})
    total = exam.manifest.total_points
    return _clean({
        "lang": lang,
        "title": spec.title.bi().get(lang),
        "instructions": spec.instructions.bi().get(lang) if spec.instructions else "",
        "time": labels["minutes"].format(n=spec.time_minutes) if spec.time_minutes else "",
        "date": spec.date or "",
        "total_points": total,
        "total_text": points_text(total, lang),
        "labels": labels,
        "versions": versions,
    })


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
            out.append(("t", text[pos:match.start()]))
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
