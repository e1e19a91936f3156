"""Exports parsed back: Moodle XML structure and tolerances per question type, GIFT escaping, the Anki deck."""

from __future__ import annotations

import re
import sqlite3
import string
import xml.etree.ElementTree as ET
import zipfile
from html import unescape
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter

from quizzer.bank.schema import BankItem
from quizzer.bank.sync import sync_bundled
from quizzer.export.common import collect, question_name
from quizzer.export.gift import SPECIAL, gift_escape, gift_unescape, to_gift, write_gift
from quizzer.export.moodle_xml import to_moodle_xml
from quizzer.grading.grade import grade_problem
from quizzer.grading.parse import ParsedNumber
from quizzer.quiz.question import BankQuestion, GeneratedQuestion, Question, question_from_item
from quizzer.store.engine import open_store

TOPICS = ["activations", "cnn", "receptive-field", "pooling"]


@pytest.fixture(scope="module")
def questions(tmp_path_factory) -> list[Question]:
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('export') / 'q.db'}")
    sync_bundled(store)
    return collect(store, topics=TOPICS, count=2, seed=3)


def text_of(element: ET.Element | None) -> str:
    """The HTML text of a Moodle text field, as the reader would see it."""
    assert element is not None
    return unescape(re.sub(r"<br>\n?", "\n", element.findtext("text") or ""))


def expected_type(q: Question) -> str:
    if isinstance(q, GeneratedQuestion):
        return "numerical" if q.problem.spec.kind in ("int", "float") else "cloze"
    return {
        "single": "multichoice",
        "multi": "multichoice",
        "truefalse": "truefalse",
        "fill": "shortanswer",
        "numeric": "numerical",
        "open": "essay",
    }[q.kind]


def test_collect_is_reproducible_and_filtered(questions) -> None:
    assert {q.topic for q in questions} == set(TOPICS)
    kinds = {q.kind for q in questions if isinstance(q, BankQuestion)}
    assert kinds == {"single", "multi", "truefalse", "fill", "numeric", "open"}
    spec_kinds = {q.problem.spec.kind for q in questions if isinstance(q, GeneratedQuestion)}
    assert spec_kinds == {"int", "float", "shape", "vector", "record"}
    assert len({question_name(q) for q in questions}) == len(questions)


def test_moodle_xml_parses_back_with_every_type_and_tolerance(questions) -> None:
    data, counts = to_moodle_xml(questions, "en")
    root = ET.fromstring(data)
    assert root.tag == "quiz"
    categories = [e.findtext("category/text") for e in root.findall("question[@type='category']")]
    assert set(categories) == {f"$course$/top/quizzer/{t}" for t in TOPICS}
    by_name = {e.findtext("name/text"): e for e in root.findall("question") if e.get("type") != "category"}
    assert len(by_name) == len(questions) == sum(counts.values())
    seen = set()
    for q in questions:
        element = by_name[question_name(q)]
        qtype = element.get("type")
        assert qtype == expected_type(q)
        seen.add(qtype)
        assert text_of(element.find("questiontext")).startswith(q.prompt.en.split("\n")[0][:40])
        general = text_of(element.find("generalfeedback"))
        assert general.startswith(
            (q.problem.solution if isinstance(q, GeneratedQuestion) else q.item.explanation).en[:40]
        )
        answers = element.findall("answer")
        if q.kind in ("single", "multi"):
            check_choice(q, element, answers)
        elif q.kind == "truefalse":
            fractions = {a.findtext("text"): float(a.get("fraction")) for a in answers}
            assert fractions == {"true": 100.0 if q.item.answer else 0.0, "false": 0.0 if q.item.answer else 100.0}
        elif q.kind == "fill":
            assert {a.findtext("text") for a in answers} == set(q.item.accepted)
            assert all(float(a.get("fraction")) == 100 for a in answers)
        elif isinstance(q, BankQuestion) and q.kind == "numeric":
            assert float(answers[0].findtext("text")) == q.item.value
            assert float(answers[0].findtext("tolerance")) == q.item.tolerance
        elif q.kind == "open":
            info = text_of(element.find("graderinfo"))
            assert all(p.point.en in info for p in q.item.key_points)
        elif qtype == "numerical":
            check_generated_numerical(q, answers)
        else:
            check_cloze(q, text_of(element.find("questiontext")))
    assert seen == {"multichoice", "truefalse", "shortanswer", "numerical", "essay", "cloze"}


def check_choice(q: Question, element: ET.Element, answers: list[ET.Element]) -> None:
    item = q.item
    correct = {item.answer} if q.kind == "single" else set(item.answer)
    assert element.findtext("single") == ("true" if q.kind == "single" else "false")
    assert len(answers) == len(item.options)
    for letter, option, answer in zip(string.ascii_uppercase, item.options, answers, strict=False):
        assert text_of(answer) == option.text.en
        assert text_of(answer.find("feedback")) == option.why.en
        fraction = float(answer.get("fraction"))
        if letter in correct:
            assert fraction == pytest.approx(100 / len(correct), abs=1e-4)
        else:
            assert fraction == (0 if q.kind == "single" else pytest.approx(-100 / len(correct), abs=1e-4))
    positive = [float(a.get("fraction")) for a in answers if float(a.get("fraction")) > 0]
    assert sum(positive) == pytest.approx(100, abs=1e-3)


def check_generated_numerical(q: Question, answers: list[ET.Element]) -> None:
    problem = q.problem
    value, tol = float(answers[0].findtext("text")), float(answers[0].findtext("tolerance"))
    assert value == pytest.approx(float(problem.answer), rel=1e-11) and answers[0].get("fraction") == "100"
    # Moodle must accept what quizzer accepts: just inside the tolerance is correct for quizzer's own grader,
    # well outside it is not (ParsedNumber without significant figures: an exact value, no rounding rule).
    if problem.spec.kind == "int":
        assert tol == 0
    else:
        assert grade_problem(problem, ParsedNumber(value + 0.98 * tol)).verdict == "correct"
        assert grade_problem(problem, ParsedNumber(value + 1.5 * tol)).verdict == "incorrect"
    diagnosed = {float(a.findtext("text")): text_of(a.find("feedback")) for a in answers[1:]}
    assert all(float(a.get("fraction")) == 0 for a in answers[1:])
    for mistake in problem.misconceptions:
        assert any(v == pytest.approx(float(mistake.value), rel=1e-11) for v in diagnosed)
    first = problem.misconceptions[0]
    shown = next(v for v in diagnosed if v == pytest.approx(float(first.value), rel=1e-11))
    assert diagnosed[shown] == first.diagnosis.en


def check_cloze(q: Question, text: str) -> None:
    problem = q.problem
    blanks = re.findall(r"\{1:NUMERICAL:=([-0-9.e+]+):([0-9.e+-]+)", text)
    values = [problem.answer[f] for f in problem.spec.fields] if problem.spec.kind == "record" else problem.answer
    assert len(blanks) == len(values)
    for (shown, tol), value in zip(blanks, values, strict=False):
        assert float(shown) == pytest.approx(float(value), rel=1e-11)
        if problem.spec.kind == "shape":
            assert float(tol) == 0
        else:
            assert float(tol) == pytest.approx(max(problem.spec.rel_tol * abs(float(value)), problem.spec.abs_tol))


@given(st.text())
def test_gift_escape_round_trips_and_leaves_no_bare_special(text: str) -> None:
    escaped = gift_escape(text)
    assert gift_unescape(escaped) == text
    bare = re.sub(r"\\.", "", escaped)
    assert not any(c in bare for c in SPECIAL)


def nasty_item() -> Question:
    tricky = "a~b=c#d{e}f:g\\h"
    payload = {
        "id": "gift-nasty",
        "topic": "cnn",
        "difficulty": 1,
        "section": 6,
        "kind": "single",
        "prompt": {"zh": f"题目 {tricky}", "en": f"Prompt {tricky}"},
        "explanation": {"zh": f"解析 {tricky}", "en": f"Explanation {tricky}"},
        "options": [
            {
                "text": {"zh": f"选项{i} {tricky}", "en": f"Option{i} {tricky}"},
                "why": {"zh": f"理由{i} {tricky}", "en": f"Why{i} {tricky}"},
            }
            for i in range(4)
        ],
        "answer": "C",
    }
    return question_from_item(TypeAdapter(BankItem).validate_python(payload), 1)


def test_gift_special_characters_are_escaped_everywhere() -> None:
    text, counts, _ = to_gift([nasty_item()], "en")
    block = text.split("\n\n", 1)[1]
    bare = re.sub(r"\\.", "", block)
    # Only the structure is left unescaped: ::name::, one { }, one = (the key), three ~ and 4 + 4 # (feedback, ####).
    assert bare.count("::") == 2 and bare.count("{") == 1 and bare.count("}") == 1
    assert bare.count("=") == 1 and bare.count("~") == 3 and bare.count("#") == 8 and bare.count(":") == 4
    assert "=Option2 a\\~b\\=c\\#d\\{e\\}f\\:g\\\\h#Why2" in block
    assert counts == {"multichoice-single": 1}


def test_gift_of_the_bank_is_well_formed(questions, tmp_path: Path) -> None:
    written = write_gift(questions, tmp_path / "q.gift", "zh")
    blocks = [b for b in written.path.read_text(encoding="utf-8").split("\n\n") if not b.startswith("$CATEGORY")]
    several = sum(
        1 for q in questions if isinstance(q, GeneratedQuestion) and q.problem.spec.kind in ("vector", "record")
    )
    assert len(blocks) == len(questions) - several and sum(written.skipped.values()) == several
    for block in blocks:
        bare = re.sub(r"\\.", "", block)
        assert bare.startswith("::") and bare.count("{") == 1 and bare.rstrip().endswith("}") and "####" in bare
    numeric = next(b for b in blocks if b.startswith("::conv-output"))
    q = next(q for q in questions if q.ref.family == "conv-output")
    assert f"{{\n#={q.problem.answer}:0 " in numeric


def test_anki_deck_holds_every_question(questions, tmp_path: Path) -> None:
    from quizzer.export.anki import write_anki

    written = write_anki(questions, tmp_path / "deck.apkg", "zh")
    with zipfile.ZipFile(written.path) as archive:
        (tmp_path / "c.anki2").write_bytes(archive.read("collection.anki2"))
    with sqlite3.connect(tmp_path / "c.anki2") as db:
        notes = db.execute("select flds, tags from notes").fetchall()
    assert len(notes) == len(questions)
    fields = [n[0].split("\x1f") for n in notes]
    assert all(len(f) == 4 for f in fields)
    first = questions[0]
    front, _answer, explanation, _source = next(f for f in fields if f[3] == question_name(first))
    assert unescape(front).startswith(first.prompt.zh[:20]) and first.item.explanation.zh[:20] in unescape(explanation)
    again = write_anki(questions, tmp_path / "deck2.apkg", "zh")  # same guids: re-import updates, not duplicates
    with zipfile.ZipFile(again.path) as archive:
        (tmp_path / "d.anki2").write_bytes(archive.read("collection.anki2"))
    with sqlite3.connect(tmp_path / "c.anki2") as a, sqlite3.connect(tmp_path / "d.anki2") as b:
        assert sorted(r[0] for r in a.execute("select guid from notes")) == sorted(
            r[0] for r in b.execute("select guid from notes")
        )
