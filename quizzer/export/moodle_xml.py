"""Moodle XML: multichoice (single and multiple answer), truefalse, shortanswer, numerical with tolerance,
essay, and cloze for generated answers of several numbers (a shape, a list, a record).

Built with ElementTree, so every text is XML-escaped by construction; question texts are HTML (format
"html") and are HTML-escaped first. Explanations and worked solutions go into ``generalfeedback``,
each option's "why" into its answer feedback, and each typical mistake of a generated problem becomes a
0 % answer whose feedback is the diagnosis — Moodle then names the mistake as quizzer does.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import assert_never

from quizzer import messages as M
from quizzer.export.common import (
    Exported,
    check_output,
    component_tolerance,
    components,
    html_text,
    number_text,
    prompt_text,
    question_name,
    tolerance,
)
from quizzer.grading.kinds.base import ChoiceAnswer, EssayAnswer, NumberAnswer, TextAnswer, TrueFalseAnswer
from quizzer.quiz.question import GeneratedQuestion, Question

CATEGORY_ROOT = "$course$/top/quizzer"


def _text(parent: ET.Element, tag: str, value: str, fmt: str | None = "html") -> ET.Element:
    element = ET.SubElement(parent, tag, {"format": fmt} if fmt else {})
    ET.SubElement(element, "text").text = value
    return element


def _answer(parent: ET.Element, fraction: float, text: str, feedback: str = "", fmt: str = "html") -> ET.Element:
    answer = ET.SubElement(parent, "answer", {"fraction": f"{fraction:.7g}", "format": fmt})
    ET.SubElement(answer, "text").text = text
    _text(answer, "feedback", feedback)
    return answer


def _head(quiz: ET.Element, qtype: str, question: Question, lang: str, text: str, feedback: str) -> ET.Element:
    element = ET.SubElement(quiz, "question", {"type": qtype})
    _text(element, "name", question_name(question), None)
    _text(element, "questiontext", text)
    _text(element, "generalfeedback", feedback)
    ET.SubElement(element, "defaultgrade").text = "1"
    ET.SubElement(element, "penalty").text = "0"
    ET.SubElement(element, "hidden").text = "0"
    ET.SubElement(element, "idnumber").text = question_name(question)
    return element


def _general_feedback(question: Question, lang: str) -> str:
    if isinstance(question, GeneratedQuestion):
        return html_text(question.problem.solution.get(lang))
    item = question.item
    parts = [item.explanation.get(lang)]
    if item.notes_correction:
        nc = item.notes_correction
        label = M.EXPORT_CORRECTION.get(lang)
        parts.append(f"{label}{nc.claim.get(lang)} → {nc.truth.get(lang)} ({nc.why.get(lang)})")
    return "<br>\n".join(html_text(p) for p in parts)


def _choice(quiz: ET.Element, question: Question, lang: str, text: str, feedback: str, shape: ChoiceAnswer) -> str:
    element = _head(quiz, "multichoice", question, lang, text, feedback)
    ET.SubElement(element, "single").text = "false" if shape.several else "true"
    ET.SubElement(element, "shuffleanswers").text = "true"
    ET.SubElement(element, "answernumbering").text = "ABCD"
    # The same partial credit as quizzer's grader: each right option earns 1/k, each wrong one costs 1/k.
    right = 100.0 / len(shape.correct)
    wrong = -right if shape.several else 0.0
    for option in shape.options:
        _answer(
            element,
            right if option.correct else wrong,
            html_text(option.text.get(lang)),
            html_text(option.why.get(lang)),
        )
    return "multichoice-multi" if shape.several else "multichoice-single"


def _numerical(quiz: ET.Element, question: Question, lang: str, text: str, feedback: str, value: float) -> str:
    element = _head(quiz, "numerical", question, lang, text, feedback)
    tol = tolerance(question)
    answer = _answer(element, 100, number_text(value), "", "moodle_auto_format")
    ET.SubElement(answer, "tolerance").text = number_text(tol)
    if isinstance(question, GeneratedQuestion):
        seen = {float(value)}
        for mistake in question.problem.misconceptions:
            if float(mistake.value) in seen:
                continue
            seen.add(float(mistake.value))
            wrong = _answer(
                element, 0, number_text(mistake.value), html_text(mistake.diagnosis.get(lang)), "moodle_auto_format"
            )
            ET.SubElement(wrong, "tolerance").text = number_text(tol)
    ET.SubElement(element, "unitgradingtype").text = "0"
    ET.SubElement(element, "showunits").text = "3"  # no unit input: the number alone is the answer
    return "numerical"


def cloze_escape(text: str) -> str:
    """Escape the characters that structure a cloze sub-question (MDL docs: Embedded Answers (Cloze))."""
    for char in ("\\", "}", "#", "~", "/", '"'):
        text = text.replace(char, "\\" + char)
    return text


def _cloze(quiz: ET.Element, question: GeneratedQuestion, lang: str, text: str, feedback: str) -> str:
    lines = [text, ""]
    for part in components(question):
        tol = component_tolerance(question, part.value)
        choices = [f"={number_text(part.value)}:{number_text(tol)}"]
        seen = {part.value}
        for wrong, diagnosis in part.mistakes:
            if float(wrong) not in seen:
                seen.add(float(wrong))
                why = cloze_escape(html_text(diagnosis.get(lang)))
                choices.append(f"%0%{number_text(wrong)}:{number_text(tol)}#{why}")
        lines.append(f"{html_text(part.label)} = {{1:NUMERICAL:{'~'.join(choices)}}}")
    _head(quiz, "cloze", question, lang, "<br>\n".join(lines), feedback)
    return "cloze"


def _essay(quiz: ET.Element, question: Question, lang: str, text: str, feedback: str, shape: EssayAnswer) -> str:
    element = _head(quiz, "essay", question, lang, text, feedback)
    ET.SubElement(element, "responseformat").text = "editor"
    ET.SubElement(element, "responserequired").text = "1"
    ET.SubElement(element, "responsefieldlines").text = "10"
    ET.SubElement(element, "attachments").text = "0"
    points = "".join(f"<li>{html_text(p.point.get(lang))}</li>" for p in shape.points)
    _text(element, "graderinfo", f"{html_text(shape.reference.get(lang))}<ul>{points}</ul>")
    _text(element, "responsetemplate", "")
    return "essay"


def add_question(quiz: ET.Element, question: Question, lang: str) -> str:
    """Append ``question``; returns the Moodle type written (multichoice-single, numerical, …)."""
    text = html_text(prompt_text(question, lang))
    feedback = _general_feedback(question, lang)
    if isinstance(question, GeneratedQuestion):
        if question.problem.spec.kind in ("int", "float"):
            return _numerical(quiz, question, lang, text, feedback, float(question.problem.answer))
        return _cloze(quiz, question, lang, text, feedback)
    shape = question.shape()
    match shape:
        case ChoiceAnswer():
            return _choice(quiz, question, lang, text, feedback, shape)
        case TrueFalseAnswer():
            element = _head(quiz, "truefalse", question, lang, text, feedback)
            explanation = html_text(question.item.explanation.get(lang))
            _answer(element, 100 if shape.value else 0, "true", explanation, "moodle_auto_format")
            _answer(element, 0 if shape.value else 100, "false", explanation, "moodle_auto_format")
            return "truefalse"
        case TextAnswer():
            element = _head(quiz, "shortanswer", question, lang, text, feedback)
            ET.SubElement(element, "usecase").text = "0"
            for accepted in shape.accepted:
                _answer(element, 100, accepted, "", "moodle_auto_format")
            return "shortanswer"
        case NumberAnswer():
            return _numerical(quiz, question, lang, text, feedback, shape.value)
        case EssayAnswer():
            return _essay(quiz, question, lang, text, feedback, shape)
        case _:
            assert_never(shape)


def to_moodle_xml(questions: list[Question], lang: str) -> tuple[bytes, dict[str, int]]:
    quiz = ET.Element("quiz")
    counts: dict[str, int] = {}
    category = None
    for question in questions:
        if question.topic != category:
            category = question.topic
            element = ET.SubElement(quiz, "question", {"type": "category"})
            _text(element, "category", f"{CATEGORY_ROOT}/{category}", None)
        kind = add_question(quiz, question, lang)
        counts[kind] = counts.get(kind, 0) + 1
    ET.indent(quiz)
    return ET.tostring(quiz, encoding="utf-8", xml_declaration=True) + b"\n", counts


def write_moodle_xml(questions: list[Question], path: Path, lang: str, *, force: bool = False) -> Exported:
    check_output(path, force=force)
    data, counts = to_moodle_xml(questions, lang)
    path.write_bytes(data)
    return Exported(path, counts, {})
