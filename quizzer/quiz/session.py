"""A quiz session: plan, answers, commits, resume, summary.

Every graded answer is committed before its feedback is returned, so an
interrupted session (Ctrl-C, closed terminal, end of input) loses nothing, and
``resume`` continues at the first unanswered question of the stored plan.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import func, select

from quizzer.bank.schema import BankItem
from quizzer.errors import AnswerParseError, NotFound
from quizzer.generators.registry import get_family, make_problem
from quizzer.generators.verification import Check
from quizzer.grading.grade import GRADER_VERSION, Feedback, Result, jsonable
from quizzer.quiz.question import (
    BankQuestion,
    GeneratedQuestion,
    Question,
    QuestionRef,
    question_from_item,
    question_from_problem,
)
from quizzer.quiz.selection import QuizOptions, build_plan
from quizzer.store.engine import Store
from quizzer.store.models import AttemptRow, BankItemRow, QuizSessionRow, SelfRatingRow, utcnow
from quizzer.store.profiles import profile_id
from quizzer.text import BiText

_ITEM = TypeAdapter(BankItem)
SELF_RATINGS = ("again", "hard", "good", "easy")


def load_question(store: Store, ref: QuestionRef) -> Question:
    if ref.source == "bank":
        with store.session(read_only=True) as session:
            row = session.get(BankItemRow, ref.item_id)
            if row is None:
                raise NotFound(f"bank item {ref.item_id!r} is no longer in the bank")
            return question_from_item(_ITEM.validate_python(row.payload), row.version)
    family = get_family(ref.family or "")
    return question_from_problem(make_problem(family, ref.seed or 0, ref.difficulty or 1))


class Verifier:
    """Checks generated problems against torch in a background thread.

    torch takes a second or two to import; doing it while the learner reads the
    first question means nobody waits, and no key is used unchecked.
    """

    def __init__(self, questions: list[Question]):
        self._pending = [q for q in questions if isinstance(q, GeneratedQuestion)]
        self._results: dict[str, Check | BaseException] = {}
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None and self._pending:
            self._thread = threading.Thread(target=self._run, name="quizzer-verify", daemon=True)
            self._thread.start()
        elif not self._pending:
            self._done.set()

    def _run(self) -> None:
        from quizzer.generators.verification import check

        try:
            for question in self._pending:
                problem = question.problem
                family = get_family(problem.family)
                try:
                    self._results[question.ref.key] = check(family, family.params_model.model_validate(problem.params))
                except Exception as exc:  # a crash in verify must void the question, not the session
                    self._results[question.ref.key] = exc
        finally:
            self._done.set()

    def result(self, question: Question, timeout: float = 120.0) -> Check | None:
        """The torch check of ``question`` (waiting for it if needed); None if it failed to run."""
        self.start()
        if question.ref.key not in self._results:
            self._done.wait(timeout)
        outcome = self._results.get(question.ref.key)
        return outcome if isinstance(outcome, Check) else None


@dataclass
class Answered:
    """What the UI needs after an answer: the stored attempt and the result to show."""

    attempt_id: int
    position: int  # 0-based index in the session's plan
    question: Question
    result: Result | None  # None for a skip
    raw: str | None
    hints_used: int
    response_ms: int


@dataclass
class Summary:
    session_id: int
    finished: bool
    answered: int
    skipped: int
    score: float  # sum of scores
    graded: int
    seconds: float
    by_topic: dict[str, tuple[int, float]] = field(default_factory=dict)  # topic -> (graded, score sum)
    review: list[tuple[str, str, BiText]] = field(default_factory=list)  # (question key, verdict, prompt)

    @property
    def percent(self) -> float:
        return 100.0 * self.score / self.graded if self.graded else 0.0


class QuizRun:
    """A session being taken. Create with ``start`` or ``resume``."""

    def __init__(
        self,
        store: Store,
        row: QuizSessionRow,
        questions: list[Question],
        position: int,
        profile: int,
        clock: Callable[[], datetime] = utcnow,
    ):
        self.store = store
        self.clock = clock
        self.session_id = row.id
        self.mode = row.mode
        self.lang = row.lang
        self.settings = row.settings
        self.questions = questions
        self.position = position
        self.profile_id = profile
        self.verifier = Verifier(questions[position:])
        self.answered: list[Answered] = []

    # --- lifecycle ---------------------------------------------------------------------------

    @classmethod
    def start(
        cls, store: Store, options: QuizOptions, *, mode: str = "quiz", clock: Callable[[], datetime] = utcnow
    ) -> QuizRun:
        """A new session. ``mode``: quiz (due, weak, then new), review (due only), cram (no schedule change)."""
        from quizzer.progress.ability import ensure_abilities, load_abilities
        from quizzer.progress.scheduling import ensure_cards, load_cards

        pid = profile_id(store, options.profile)
        now = clock()
        cards = None
        if mode != "cram":
            ensure_cards(store)
            cards = load_cards(store, pid, now)
        ensure_abilities(store)
        plan = build_plan(
            store, options, cards=cards, now=now, due_only=mode == "review", abilities=load_abilities(store, pid)
        )
        questions = [load_question(store, ref) for ref in plan]
        with store.session() as session:
            row = QuizSessionRow(
                profile_id=pid,
                mode=mode,
                settings=options.model_dump(mode="json"),
                plan=[r.to_dict() for r in plan],
                lang=options.lang,
                finished=False,
                started_at=now,
            )
            session.add(row)
            session.flush()
        return cls(store, row, questions, 0, pid, clock)

    @classmethod
    def resume(
        cls, store: Store, profile: str, *, lang: str | None = None, clock: Callable[[], datetime] = utcnow
    ) -> QuizRun:
        pid = profile_id(store, profile)
        with store.session() as session:
            while True:
                row = session.scalars(
                    select(QuizSessionRow)
                    .where(QuizSessionRow.profile_id == pid, QuizSessionRow.finished.is_(False))
                    .order_by(QuizSessionRow.id.desc())
                ).first()
                if row is None:
                    raise NotFound(f"profile {profile!r} has no unfinished session to resume")
                done = session.scalars(select(AttemptRow.position).where(AttemptRow.session_id == row.id)).all()
                if not done or max(done) + 1 < len(row.plan):
                    break
                # Every question was answered but the session was never marked finished (a process
                # killed between its last answer and the end): finish it now, then look further back.
                row.finished = True
                row.ended_at = session.scalar(
                    select(func.max(AttemptRow.created_at)).where(AttemptRow.session_id == row.id)
                )
                session.flush()
            if lang:
                row.lang = lang
        refs = [QuestionRef.from_dict(d) for d in row.plan]
        questions = [load_question(store, ref) for ref in refs]
        return cls(store, row, questions, max(done) + 1 if done else 0, pid, clock)

    @property
    def current(self) -> Question | None:
        return self.questions[self.position] if self.position < len(self.questions) else None

    @property
    def total(self) -> int:
        return len(self.questions)

    # --- answering ---------------------------------------------------------------------------

    def grade(self, raw: str) -> tuple[Any, Result]:
        """Parse and grade without storing; raises AnswerParseError for unreadable input."""
        question = self.current
        assert question is not None, "the session has no more questions"
        parsed = question.parse(raw)
        return parsed, question.grade(parsed)

    def submit(self, raw: str, *, hints_used: int = 0, response_ms: int = 0) -> Answered:
        """Grade ``raw`` and commit the attempt. Raises AnswerParseError (nothing stored) if unreadable."""
        _, result = self.grade(raw)
        return self._record(raw, result.with_hints(hints_used), hints_used, response_ms)

    def submit_unreadable(
        self, raw: str, error: AnswerParseError, *, hints_used: int = 0, response_ms: int = 0
    ) -> Answered:
        """Scripted mode: an unreadable line is graded incorrect, with the format hint as feedback."""
        question = self.current
        assert question is not None
        expected = question.expected()
        result = Result("incorrect", 0.0, expected, None)
        result.feedback.append(
            Feedback(
                "verdict",
                BiText("无法识别的答案，按错误计：", "Unreadable answer, graded incorrect: ")
                + BiText(str(error), str(error)),
            )
        )
        if error.hint is not None:
            result.feedback.append(Feedback("info", error.hint))
        result.feedback.append(Feedback("info", BiText(f"答案：{expected.zh}", f"Answer: {expected.en}")))
        return self._record(raw, result, hints_used, response_ms)

    def skip(self, *, response_ms: int = 0) -> Answered:
        return self._record(None, None, 0, response_ms)

    def _record(self, raw: str | None, result: Result | None, hints_used: int, response_ms: int) -> Answered:
        question = self.current
        assert question is not None
        if raw is not None:
            from quizzer.grading.parse import clean_answer

            raw = clean_answer(raw)[0]  # whoever calls, nothing uncapped or with control characters is stored
        instance_id = None
        item_version = question.item_version if isinstance(question, BankQuestion) else None
        if isinstance(question, GeneratedQuestion) and result is not None:
            check = self.verifier.result(question)
            if check is None or not check.agree:
                result = _voided(question, result, check)
            from quizzer.quiz.instances import record_instance

            instance_id = record_instance(self.store, question.problem, verified=check)
        when = self.clock()
        with self.store.session() as session:
            attempt = AttemptRow(
                session_id=self.session_id,
                profile_id=self.profile_id,
                position=self.position,
                question_key=question.ref.key,
                source=question.ref.source,
                item_id=question.ref.item_id,
                item_version=item_version,
                instance_id=instance_id,
                family=question.ref.family,
                topic=question.topic,
                kind=question.kind,
                difficulty=question.difficulty,
                raw_answer=raw,
                parsed_answer=None if result is None else jsonable(result.parsed),
                verdict="skipped" if result is None else result.verdict,
                score=0.0 if result is None else result.score,
                response_ms=response_ms,
                hints_used=hints_used,
                diagnosis=None if result is None else result.diagnosis,
                grader_version=GRADER_VERSION,
                created_at=when,
                day=when.astimezone().date().toordinal(),
            )
            session.add(attempt)
            session.flush()
            attempt_id = attempt.id
            from quizzer.progress.ability import apply_attempt as estimate_ability
            from quizzer.progress.stats import count_attempt

            count_attempt(session, attempt)
            estimate_ability(session, attempt)
            if self.mode != "cram":
                from quizzer.progress.scheduling import apply_attempt

                apply_attempt(session, attempt)
            if self.position + 1 == len(self.questions):
                # The last answer and the end of the session commit together: no window in which
                # the session is fully answered yet still open. (get_one: the row exists from the run's start.)
                row = session.get_one(QuizSessionRow, self.session_id)
                row.finished, row.ended_at = True, when
        # Committed: only now does the caller get the feedback to show.
        answered = Answered(attempt_id, self.position, question, result, raw, hints_used, response_ms)
        self.answered.append(answered)
        self.position += 1
        return answered

    def rate(self, attempt_id: int, rating: str) -> None:
        """Record the learner's own rating; on an open item it overrides the automatic one for scheduling."""
        if rating not in SELF_RATINGS:
            raise ValueError(f"rating must be one of {SELF_RATINGS}")
        with self.store.session() as session:
            session.add(SelfRatingRow(attempt_id=attempt_id, rating=rating, created_at=self.clock()))
            session.flush()
            if self.mode != "cram":
                from quizzer.progress.scheduling import replay_key

                replay_key(session, self.profile_id, session.get_one(AttemptRow, attempt_id))

    def finish(self) -> None:
        with self.store.session() as session:
            row = session.get_one(QuizSessionRow, self.session_id)
            row.finished = self.current is None
            row.ended_at = self.clock()

    def summary(self) -> Summary:
        with self.store.session(read_only=True) as session:
            row = session.get_one(QuizSessionRow, self.session_id)
            attempts = session.scalars(
                select(AttemptRow).where(AttemptRow.session_id == self.session_id).order_by(AttemptRow.position)
            ).all()
            finished = row.finished
        prompts = {q.ref.key: q.prompt for q in self.questions}
        by_topic: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
        summary = Summary(self.session_id, finished, 0, 0, 0.0, 0, 0.0)
        for a in attempts:
            summary.seconds += a.response_ms / 1000
            if a.verdict == "skipped":
                summary.skipped += 1
                summary.review.append((a.question_key, a.verdict, prompts.get(a.question_key, BiText("", ""))))
                continue
            summary.answered += 1
            if a.verdict == "void":
                continue
            summary.graded += 1
            summary.score += a.score
            by_topic[a.topic][0] += 1
            by_topic[a.topic][1] += a.score
            if a.verdict != "correct":
                summary.review.append((a.question_key, a.verdict, prompts.get(a.question_key, BiText("", ""))))
        summary.by_topic = {t: (int(v[0]), v[1]) for t, v in by_topic.items()}
        return summary


def _voided(question: Question, result: Result, check: Check | None) -> Result:
    """A key torch does not confirm is never used to mark anyone wrong (or right)."""
    reason = (
        BiText("torch 验证未能运行", "the torch check could not run")
        if check is None
        else BiText(
            f"torch 算得 {check.torch_answer}，与公式解 {check.answer} 不一致",
            f"torch computed {check.torch_answer}, the closed form {check.answer}",
        )
    )
    voided = Result("void", 0.0, result.expected, result.parsed)
    voided.feedback.append(Feedback("verdict", BiText("本题不计分：", "This question does not count: ") + reason))
    voided.feedback.extend(result.feedback[1:])
    return voided
