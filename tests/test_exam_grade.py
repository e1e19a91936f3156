"""Grading filled exam answers: known answers, known scores, and every odd row reported, never a crash."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from quizzer.bank.catalog import get_item
from quizzer.errors import NotFound, QuizzerError
from quizzer.exam.grade import grade_exam
from quizzer.exam.questions import ManifestError, exam_questions, load_manifest
from quizzer.generators.registry import all_families, get_family, make_problem
from quizzer.quiz.question import Question, question_from_problem
from quizzer.store.models import AttemptRow, QuizSessionRow
from tests.answers import mistaken_answer, right_answer, wrong_answer
from tests.exam_manifests import (  # noqa: F401  (fixtures)
    bank_entry,
    gen_entry,
    make_manifest,
    printed_letter,
    store_fixture,
    synced_template_fixture,
    write_answers,
    write_manifest,
)

SINGLE, MULTI, NUMERIC = "act-large-input-derivative", "act-exp-cost", "act-leaky-relu-default"
PERM_A, PERM_B = [2, 0, 3, 1], [1, 2, 3, 0]
MULTI_A, MULTI_B = [0, 1, 2, 3], [3, 2, 1, 0]
POINTS = {"single": 2.0, "multi": 2.0, "numeric": 1.0, "gen": 3.0}


def gen_question(seed: int) -> Question:
    return question_from_problem(make_problem(get_family("conv-output"), seed, 1))


@pytest.fixture
def exam(store, tmp_path: Path) -> Path:
    """Two versions of the same four questions in different orders, options permuted differently."""
    manifest = make_manifest(
        {
            "A": [
                bank_entry(store, SINGLE, 1, 2, PERM_A),
                gen_entry("conv-output", 11, 1, 2, 3),
                bank_entry(store, MULTI, 3, 2, MULTI_A),
                bank_entry(store, NUMERIC, 4, 1),
            ],
            "B": [
                bank_entry(store, NUMERIC, 1, 1),
                bank_entry(store, MULTI, 2, 2, MULTI_B),
                bank_entry(store, SINGLE, 3, 2, PERM_B),
                gen_entry("conv-output", 12, 1, 4, 3),
            ],
        }
    )
    return write_manifest(tmp_path / "exam", manifest)


def keys(store) -> dict[str, str]:
    """The printed keys, worked out from the bank items and permutations (not by the grader)."""
    single, multi = get_item(store, SINGLE).item, get_item(store, MULTI).item
    return {
        "A1": printed_letter(PERM_A, single.answer),
        "B3": printed_letter(PERM_B, single.answer),
        "A3": "".join(printed_letter(MULTI_A, a) for a in multi.answer),
        "B2": "".join(printed_letter(MULTI_B, a) for a in multi.answer),
        "A3-one": printed_letter(MULTI_A, multi.answer[0]),
        "B2-one": printed_letter(MULTI_B, multi.answer[0]),
        "A1-wrong": next(c for c in "ABCD" if c != printed_letter(PERM_A, single.answer)),
        "B3-wrong": next(c for c in "ABCD" if c != printed_letter(PERM_B, single.answer)),
        "A3-wrong": "".join(c for c in "ABCD" if c not in "".join(printed_letter(MULTI_A, a) for a in multi.answer)),
        "numeric": repr(get_item(store, NUMERIC).item.value),
    }


def class_rows(store) -> list[tuple[str, str, str, str]]:
    k = keys(store)
    gen_a, gen_b = gen_question(11), gen_question(12)
    return [
        # alice, version A: everything right → 2 + 3 + 2 + 1 = 8
        ("alice", "A", "1", k["A1"]),
        ("alice", "A", "2", right_answer(gen_a)),
        ("alice", "A", "3", k["A3"]),
        ("alice", "A", "4", k["numeric"]),
        # bob, version B: wrong option (0), one of the two right options (half of 2 = 1), unreadable number (0),
        # the typical mistake on the generated problem (0, diagnosed) → 1
        ("bob", "B", "3", k["B3-wrong"]),
        ("bob", "B", "2", k["B2-one"]),
        ("bob", "B", "1", "abc"),
        ("bob", "B", "4", mistaken_answer(gen_b)),
        # carol, version A: right (2), the row for 3 missing, blank numeric (0), question 2 right but twice (3) → 5
        ("carol", "A", "1", k["A1"]),
        ("carol", "A", "4", ""),
        ("carol", "A", "2", right_answer(gen_a)),
        ("carol", "A", "2", right_answer(gen_a)),
        # dave, version B: two different answers to question 3 (0 until fixed), the rest right → 1 + 2 + 3 = 6
        ("dave", "B", "3", k["B3"]),
        ("dave", "B", "3", k["B3-wrong"]),
        ("dave", "B", "1", k["numeric"]),
        ("dave", "B", "1", ""),  # a template row left in beside the filled one: not a conflict
        ("dave", "B", "2", k["B2"]),
        ("dave", "B", "4", right_answer(gen_b)),
        # eve: a version that does not exist → reported, not graded
        ("eve", "Z", "1", "A"),
        # frank, version A: question 9 does not exist; right 2 + wrong 0 + right 1 + wrong 0 → 3
        ("frank", "A", "9", "A"),
        ("frank", "A", "1", k["A1"]),
        ("frank", "A", "2", wrong_answer(gen_a)),
        ("frank", "A", "3", k["A3-wrong"]),
        ("frank", "A", "4", k["numeric"]),
        ("frank", "B", "1", "1"),
        # an answer without a student
        ("", "A", "1", "B"),
    ]


def test_known_answers_give_known_scores(store, exam: Path, tmp_path: Path) -> None:
    answers = write_answers(tmp_path / "filled.csv", class_rows(store))
    graded = grade_exam(store, exam, answers)
    scores = {s.student: (s.version, s.score, s.total) for s in graded.students}
    assert scores == {
        "alice": ("A", 8.0, 8.0),
        "bob": ("B", 1.0, 8.0),
        "carol": ("A", 5.0, 8.0),
        "dave": ("B", 6.0, 8.0),
        "frank": ("A", 3.0, 8.0),
    }
    verdicts = {(s.student, q.number): q.verdict for s in graded.students for q in s.questions}
    assert [verdicts[("bob", n)] for n in (1, 2, 3, 4)] == ["unreadable", "partial", "incorrect", "incorrect"]
    assert [verdicts[("carol", n)] for n in (1, 2, 3, 4)] == ["correct", "correct", "missing", "unanswered"]
    assert verdicts[("dave", 3)] == "conflict"
    bob = next(s for s in graded.students if s.student == "bob")
    assert bob.questions[3].diagnosis == gen_question(12).problem.misconceptions[0].tag
    # Each verdict carries the expected answer and an explanation, also for questions never graded.
    assert bob.questions[0].expected.en.startswith("-0.03") and bob.questions[0].feedback
    assert any(f.kind == "why" for f in bob.questions[2].feedback)


def test_every_odd_row_gets_one_clear_line(store, exam: Path, tmp_path: Path) -> None:
    answers = write_answers(tmp_path / "filled.csv", class_rows(store))
    issues = [str(i) for i in grade_exam(store, exam, answers).issues]
    text = "\n".join(issues)
    assert "could not read 'abc'" in text and "student bob question 1" in text
    assert "student carol version A: no row for this question: question 3" in text
    assert "student carol question 2: duplicate of line" in text
    assert "student dave question 3: rows" in text and "different answers" in text
    assert "student dave question 1: duplicate of line" in text and "(blank); ignored" in text
    assert "unknown version 'Z'" in text and "student eve" in text
    assert "has no question '9'" in text
    assert "student frank answered version A on earlier rows, this row says B" in text
    assert "has no student id" in text
    assert len(issues) == 9  # exactly one line per problem: nothing reported twice, nothing left out


def test_roster_names_unknown_and_absent_students(store, exam: Path, tmp_path: Path) -> None:
    answers = write_answers(tmp_path / "filled.csv", class_rows(store))
    graded = grade_exam(store, exam, answers, roster=["alice", "bob", "zoe"])
    assert [s.student for s in graded.students] == ["alice", "bob"]
    text = "\n".join(map(str, graded.issues))
    assert "unknown student 'carol'" in text and "'zoe' is on the roster but has no answers" in text


def test_bad_csv_files_are_one_line_errors(store, exam: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("name,answer\nx,1\n", encoding="utf-8")
    with pytest.raises(QuizzerError, match="lacks column"):
        grade_exam(store, exam, bad)
    bad.write_bytes(b"student,version,question,answer\n\xff\xfe,A,1,B\n")
    with pytest.raises(QuizzerError, match="not UTF-8"):
        grade_exam(store, exam, bad)
    with pytest.raises(NotFound, match="no such answers file"):
        grade_exam(store, exam, tmp_path / "none.csv")
    short = tmp_path / "short.csv"
    short.write_text("\ufeffstudent,version,question,answer\nann,A,1\n", encoding="utf-8")  # Excel's BOM
    graded = grade_exam(store, exam, short)
    assert graded.students == [] and "3 cells where the header has 4" in str(graded.issues[0])


def test_manifest_problems_are_clear(store, exam: Path, tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="no such exam directory"):
        load_manifest(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(NotFound, match="no manifest"):
        load_manifest(tmp_path / "empty")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "manifest.json").write_text('{"format": 1, "title": "x", "surprise": 1}', encoding="utf-8")
    with pytest.raises(ManifestError, match="manifest.json: "):
        load_manifest(broken)
    manifest = load_manifest(exam)
    tampered = manifest.model_copy(
        update={
            "versions": [
                manifest.versions[0].model_copy(
                    update={"items": [manifest.versions[0].items[0].model_copy(update={"permutation": [0, 1, 2, 3]})]}
                )
            ]
        }
    )
    with pytest.raises(ManifestError, match="disagrees with the bank item"):
        exam_questions(store, tampered)
    gen = manifest.versions[0].items[1]
    changed = manifest.model_copy(
        update={
            "versions": [
                manifest.versions[0].model_copy(
                    update={"items": [gen.model_copy(update={"params": {**gen.params, "stride": 99}})]}
                )
            ]
        }
    )
    with pytest.raises(ManifestError, match="no longer accepts the recorded params"):
        exam_questions(store, changed)


def _with_params(manifest, number: int, params: dict):
    version = manifest.versions[0]
    items = [e.model_copy(update={"params": params}) if e.number == number else e for e in version.items]
    return manifest.model_copy(update={"versions": [version.model_copy(update={"items": items})]})


def test_generated_questions_are_rebuilt_from_the_printed_params_not_a_new_draw(store, exam: Path) -> None:
    """An exam built by an older quizzer still grades after a family gains a parameter with a default, or its
    sampler changes: the printed problem comes from the manifest's params; only a changed key is refused."""
    manifest = load_manifest(exam)
    code = manifest.versions[0].code
    gen = next(e for e in manifest.versions[0].items if e.source == "generated")
    assert gen.family == "conv-output" and gen.params is not None  # the fixture's; the numbers below rely on it
    fields = get_family(gen.family).params_model.model_fields
    at_default = [n for n, v in gen.params.items() if not fields[n].is_required() and v == fields[n].default]
    assert at_default  # e.g. dims=2, transposed=False
    # as an older manifest would hold them: without the parameters that have their default
    older = {k: v for k, v in gen.params.items() if k not in at_default}
    rebuilt = exam_questions(store, _with_params(manifest, gen.number, older))[code][gen.number].question
    assert rebuilt.problem.params == gen.params and rebuilt.problem.answer == gen.answer
    # another seed would draw another problem: the printed params decide
    reseeded = [e.model_copy(update={"seed": e.seed + 1}) if e is gen else e for e in manifest.versions[0].items]
    moved = manifest.model_copy(update={"versions": [manifest.versions[0].model_copy(update={"items": reseeded})]})
    assert exam_questions(store, moved)[code][gen.number].question.problem.params == gen.params
    # valid params whose answer is not the printed key: refused, never graded against a different answer
    wider = {**gen.params, "input_size": gen.params["input_size"] + gen.params["stride"]}  # one more output pixel
    with pytest.raises(ManifestError, match="differs from the family's"):
        exam_questions(store, _with_params(manifest, gen.number, wider))


def test_rebuilt_questions_speak_in_printed_letters(store, exam: Path) -> None:
    questions = exam_questions(store, load_manifest(exam))
    single = get_item(store, SINGLE).item
    a1 = questions["A"][1]
    printed = printed_letter(PERM_A, single.answer)
    assert a1.question.item.answer == printed
    assert a1.question.options[PERM_A.index(2)].en == single.options[2].text.en
    assert a1.original_option(printed) == "ABCD".index(single.answer)


def test_record_stores_the_exam_in_each_profile(store, exam: Path, tmp_path: Path) -> None:
    from quizzer.progress.report import build_report
    from quizzer.store.models import utcnow

    answers = write_answers(tmp_path / "filled.csv", class_rows(store))
    graded = grade_exam(store, exam, answers, record=True)
    assert graded.recorded == ["alice", "bob", "carol", "dave", "frank"]
    report = build_report(store, profile="bob", since=None, topic=None, now=utcnow())
    assert [s.mode for s in report.sessions] == ["exam"]
    with store.session() as session:
        rows = session.scalars(select(AttemptRow).join(QuizSessionRow).where(QuizSessionRow.mode == "exam")).all()
        by_verdict = sorted(a.verdict for a in rows)
    assert len(rows) == 5 * 4
    # missing, blank and conflicting answers say nothing about memory: stored as skips; unreadable as wrong
    assert by_verdict.count("skipped") == 3 and by_verdict.count("partial") == 1
    again = grade_exam(store, exam, answers, record=True)
    assert again.recorded == [] and again.already_recorded == graded.recorded
    with store.session() as session:
        assert len(session.scalars(select(AttemptRow)).all()) == 20


def test_any_csv_rows_are_graded_or_reported_never_lost(store, exam: Path) -> None:
    """Property: whatever the rows, nothing crashes and every row is either graded or named in a report line."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from quizzer.exam.grade import AnswerRow, grade_rows

    manifest = load_manifest(exam)
    questions = exam_questions(store, manifest)
    row = st.tuples(
        st.sampled_from(["ann", "ben", "cy"]),
        st.sampled_from(["A", "B", "Z", ""]),
        st.sampled_from(["1", "2", "3", "4", "5", "0", "x", "Q2", ""]),
        st.one_of(st.sampled_from(["A", "b", "AC", "true", "-0.03", "19", "1/4", ""]), st.text(max_size=12)),
    )

    @settings(max_examples=60, deadline=None)
    @given(st.lists(row, max_size=14))
    def check(raw_rows) -> None:
        rows = [AnswerRow(i + 2, *r) for i, r in enumerate(raw_rows)]
        students, issues = grade_rows(manifest, questions, rows)
        graded_lines = {q.line for s in students for q in s.questions if q.verdict not in ("missing", "conflict")}
        reported = {i.line for i in issues}
        for r in rows:
            assert (
                r.line in graded_lines
                or r.line in reported
                or any(
                    q.verdict == "conflict" and q.note and str(r.line) in q.note.en
                    for s in students
                    for q in s.questions
                )
            )
        for s in students:
            assert [q.number for q in s.questions] == list(questions[s.version])
            for q in s.questions:
                if q.verdict in ("missing", "conflict", "unreadable"):
                    assert any(i.student == s.student and str(q.number) in i.message for i in issues)
            assert 0 <= s.score <= s.total

    check()


@pytest.mark.parametrize("name", sorted(f.name for f in all_families()))
def test_every_familys_printed_params_rebuild_the_same_problem(name: str) -> None:
    """What grading relies on: a problem's params, as the manifest stores them (JSON), give the same problem back."""
    import json

    family = get_family(name)
    for difficulty in family.difficulties:
        for seed in (1, 2, 3):
            problem = make_problem(family, seed, difficulty)
            stored = json.loads(json.dumps(problem.params))
            again = family.build(family.params_model.model_validate(stored), difficulty=difficulty, seed=seed)
            assert again.params == problem.params and again.answer == problem.answer
