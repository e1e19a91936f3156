"""The quiz engine: plans, commits before feedback, resume, torch-voided keys, summaries."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from quizzer.bank.sync import sync_bundled
from quizzer.errors import AnswerParseError, BadParameters, NotFound
from quizzer.grading.kinds import item_expected
from quizzer.quiz.selection import QuizOptions, build_plan
from quizzer.quiz.session import QuizRun
from quizzer.store.engine import open_store
from quizzer.store.models import AttemptRow, GeneratedInstanceRow, QuizSessionRow, SelfRatingRow
from tests import answers

# The store, progress and quiz tests run against SQLite and against PostgreSQL (tests/conftest.py).
pytestmark = pytest.mark.backends


@pytest.fixture
def store():
    store = open_store()
    sync_bundled(store)
    return store


def right_answer(run: QuizRun) -> str:
    return answers.right_answer(run.current)


def test_default_plan_mixes_bank_and_generated(store) -> None:
    plan = build_plan(store, QuizOptions(seed=1))
    assert len(plan) == 10
    sources = [r.source for r in plan]
    assert sources.count("generated") == 3 and sources.count("bank") == 7
    assert build_plan(store, QuizOptions(seed=1)) == plan
    assert build_plan(store, QuizOptions(seed=2)) != plan


def test_filters(store) -> None:
    only_topic = build_plan(store, QuizOptions(seed=1, topics=["pooling"], count=8))
    from quizzer.quiz.session import load_question

    assert {load_question(store, r).topic for r in only_topic} == {"pooling"}
    family = build_plan(store, QuizOptions(seed=1, family="conv-output", difficulty=3, count=4))
    assert {(r.family, r.difficulty) for r in family} == {("conv-output", 3)}
    kind = build_plan(store, QuizOptions(seed=1, kind="truefalse", count=5))
    assert all(r.source == "bank" for r in kind)
    empty = open_store("sqlite://")  # no bank imported, and fill-in questions are never generated
    with pytest.raises(BadParameters, match="no questions match"):
        build_plan(empty, QuizOptions(seed=1, kind="fill"))


def test_every_answer_is_committed_before_feedback_and_the_session_resumes(store) -> None:
    run = QuizRun.start(store, QuizOptions(seed=5, count=4, lang="en"))
    first = run.submit(right_answer(run), response_ms=1200)
    assert first.result.verdict in ("correct", "partial")
    # A second connection sees the attempt at once: it was committed before the result came back.
    other = open_store(store.engine.url.render_as_string(hide_password=False))  # store.url hides the password
    with other.session() as s:
        assert s.scalar(select(func.count()).select_from(AttemptRow)) == 1
    run.skip()
    run.finish()  # Ctrl-C here
    with other.session() as s:
        row = s.get(QuizSessionRow, run.session_id)
        assert not row.finished and row.ended_at is not None

    resumed = QuizRun.resume(store, "default")
    assert resumed.session_id == run.session_id and resumed.position == 2
    assert resumed.current.ref == run.questions[2].ref
    resumed.submit(right_answer(resumed))
    resumed.submit(right_answer(resumed))
    summary = resumed.summary()
    assert summary.finished and summary.answered == 3 and summary.skipped == 1
    with pytest.raises(NotFound):
        QuizRun.resume(store, "default")


def test_the_last_answer_finishes_the_session_in_the_same_commit(store, monkeypatch) -> None:
    run = QuizRun.start(store, QuizOptions(seed=9, count=2, kind="truefalse", lang="en"))
    run.submit(right_answer(run))
    # If finishing were a separate transaction it could fail after the answer was stored; it is not one.
    monkeypatch.setattr(QuizRun, "finish", lambda self: pytest.fail("finish() is not needed after the last answer"))
    run.submit(right_answer(run))
    with store.session() as s:
        row = s.get(QuizSessionRow, run.session_id)
        last = s.scalar(select(func.max(AttemptRow.created_at)).where(AttemptRow.session_id == run.session_id))
        assert row.finished and row.ended_at == last


def test_resume_finishes_a_fully_answered_session_left_open(store) -> None:
    older = QuizRun.start(store, QuizOptions(seed=3, count=3, kind="single", lang="en"))
    older.submit(right_answer(older))  # interrupted after one answer
    crashed = QuizRun.start(store, QuizOptions(seed=4, count=2, kind="single", lang="en"))
    crashed.submit(right_answer(crashed))
    crashed.submit(right_answer(crashed))
    with store.session() as s:  # as an older quizzer left it when its finish() died on "database is locked"
        row = s.get(QuizSessionRow, crashed.session_id)
        row.finished, row.ended_at = False, None
    resumed = QuizRun.resume(store, "default")
    # Not the empty, fully answered session again: it is finished, and the interrupted one continues.
    assert resumed.session_id == older.session_id and resumed.position == 1
    with store.session() as s:
        row = s.get(QuizSessionRow, crashed.session_id)
        last = s.scalar(select(func.max(AttemptRow.created_at)).where(AttemptRow.session_id == crashed.session_id))
        assert row.finished and row.ended_at == last
    resumed.submit(right_answer(resumed))
    resumed.submit(right_answer(resumed))
    with pytest.raises(NotFound, match="no unfinished session"):
        QuizRun.resume(store, "default")


def test_unreadable_answer_stores_nothing_interactively_but_counts_when_scripted(store) -> None:
    run = QuizRun.start(store, QuizOptions(seed=5, count=2, kind="numeric", lang="en"))
    with pytest.raises(AnswerParseError):
        run.submit("forty-two?")
    assert run.position == 0
    answered = run.submit_unreadable("forty-two?", AnswerParseError("nope", None))
    assert answered.result.verdict == "incorrect" and run.position == 1
    with store.session() as s:
        attempt = s.scalars(select(AttemptRow)).one()
        assert attempt.raw_answer == "forty-two?" and attempt.verdict == "incorrect" and attempt.parsed_answer is None


def test_generated_question_is_stored_with_its_torch_check(store) -> None:
    run = QuizRun.start(store, QuizOptions(seed=3, family="conv-output", count=1, lang="en"))
    answered = run.submit(right_answer(run))
    assert answered.result.verdict == "correct"
    with store.session() as s:
        instance = s.scalars(select(GeneratedInstanceRow)).one()
        attempt = s.scalars(select(AttemptRow)).one()
        assert attempt.instance_id == instance.id and attempt.family == "conv-output"
        assert instance.agree is True and instance.torch_answer == instance.answer and instance.torch_version


def test_a_key_torch_does_not_confirm_is_voided(store, monkeypatch) -> None:
    from quizzer.generators.families.conv_output import ConvOutput

    run = QuizRun.start(store, QuizOptions(seed=3, family="conv-output", count=1, lang="en"))
    monkeypatch.setattr(ConvOutput, "verify", lambda self, p: -1)  # torch "disagrees"
    answered = run.submit(right_answer(run))
    assert answered.result.verdict == "void" and answered.result.score == 0
    assert "does not count" in answered.result.feedback[0].text.en
    with store.session() as s:
        assert s.scalars(select(GeneratedInstanceRow)).one().agree is False
        assert s.scalars(select(AttemptRow)).one().verdict == "void"
    assert run.summary().graded == 0


def test_self_rating_is_kept_beside_the_attempt(store) -> None:
    run = QuizRun.start(store, QuizOptions(seed=1, kind="open", count=1, lang="en"))
    answered = run.submit(right_answer(run))
    run.rate(answered.attempt_id, "hard")
    with store.session() as s:
        rating = s.scalars(select(SelfRatingRow)).one()
        assert rating.attempt_id == answered.attempt_id and rating.rating == "hard"
        assert s.get(AttemptRow, answered.attempt_id).score == answered.result.score


def test_summary_breaks_down_by_topic_and_lists_what_to_review(store) -> None:
    run = QuizRun.start(store, QuizOptions(seed=9, count=3, kind="single", lang="en"))
    wrong = next(c for c in "ABCD" if c != run.current.item.answer)
    run.submit(wrong)
    run.submit(right_answer(run), hints_used=1)
    run.submit(right_answer(run))
    summary = run.summary()
    assert summary.graded == 3 and summary.score == pytest.approx(1.75)
    assert sum(n for n, _ in summary.by_topic.values()) == 3
    assert [verdict for _, verdict, _ in summary.review] == ["incorrect"]
    assert item_expected(run.questions[0].item).en.startswith(run.questions[0].item.answer)
