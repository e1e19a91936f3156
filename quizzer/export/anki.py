"""An Anki deck (``.apkg``) through genanki: one note per question, answer and explanation on the back.

genanki writes Anki's real package format (a zipped SQLite collection with its schema, models and
GUIDs); doing that by hand would mean tracking Anki's internal schema. Deck, model and note ids are
derived from names, so re-importing an updated deck updates the notes instead of duplicating them.
"""

from __future__ import annotations

import hashlib
import string
from pathlib import Path

from quizzer import messages as M
from quizzer.export.common import Exported, check_output, html_text, question_name
from quizzer.grading.kinds.base import ChoiceAnswer
from quizzer.quiz.question import GeneratedQuestion, Question

CSS = ".card{font-family:'Noto Sans CJK SC',sans-serif;font-size:18px;text-align:left}.meta{color:#777;font-size:14px}"


def stable_id(text: str) -> int:
    """An id Anki accepts (a positive 31-bit number), the same for the same text on every machine."""
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big") >> 1 | 1 << 29


def _front(question: Question, lang: str) -> str:
    parts = [html_text(question.prompt.get(lang))]
    if question.options:
        parts.append(
            "<br>".join(
                f"{letter}. {html_text(o.get(lang))}"
                for letter, o in zip(string.ascii_uppercase, question.options, strict=False)
            )
        )
    form = M.label(M.ANSWER_FORM, lang) + question.form.get(lang)
    parts.append(f"<span class=meta>{html_text(form)}</span>")
    return "<br><br>".join(parts)


def _back(question: Question, lang: str) -> tuple[str, str]:
    from quizzer.generators.serialize import format_answer

    if isinstance(question, GeneratedQuestion):
        problem = question.problem
        answer = html_text(format_answer(problem))
        explanation = html_text(problem.solution.get(lang))
        if problem.misconceptions:
            mistakes = "<br>".join(
                f"{html_text(format_answer(problem, m.value))} ← {html_text(m.diagnosis.get(lang))}"
                for m in problem.misconceptions
            )
            explanation += f"<br><br>{html_text(M.label(M.TYPICAL_MISTAKES, lang).rstrip())}<br>{mistakes}"
        return answer, explanation
    item = question.item
    answer = html_text(question.expected().get(lang))
    lines = [item.explanation.get(lang)]
    shape = question.shape()
    if isinstance(shape, ChoiceAnswer):
        lines += [f"{c.letter}: {c.why.get(lang)}" for c in shape.options]
    if item.notes_correction:
        lines.append(M.EXPORT_CORRECTION.get(lang) + item.notes_correction.truth.get(lang))
    return answer, "<br>".join(html_text(line) for line in lines)


def write_anki(
    questions: list[Question], path: Path, lang: str, *, force: bool = False, deck_name: str | None = None
) -> Exported:
    import genanki

    check_output(path, force=force)
    name = deck_name or f"quizzer · {M.EXPORT_DECK.get(lang)}"
    model = genanki.Model(
        stable_id(f"quizzer-model-{lang}"),
        f"quizzer ({lang})",
        fields=[{"name": "Question"}, {"name": "Answer"}, {"name": "Explanation"}, {"name": "Source"}],
        templates=[
            {
                "name": "Card 1",
                "qfmt": "{{Question}}",
                "afmt": "{{FrontSide}}<hr id=answer><b>{{Answer}}</b><br><br>{{Explanation}}"
                "<br><br><span class=meta>{{Source}}</span>",
            }
        ],
        css=CSS,
    )
    deck = genanki.Deck(stable_id(f"quizzer-deck-{name}"), name)
    counts: dict[str, int] = {}
    for question in questions:
        answer, explanation = _back(question, lang)
        source = html_text(question_name(question))
        deck.add_note(
            genanki.Note(
                model=model,
                fields=[_front(question, lang), answer, explanation, source],
                guid=genanki.guid_for("quizzer", lang, question_name(question)),
                tags=[question.topic, question.kind],
            )
        )
        counts[question.kind] = counts.get(question.kind, 0) + 1
    genanki.Package(deck).write_to_file(str(path))
    return Exported(path, counts, {})
