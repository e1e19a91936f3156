"""Sixty days of a learner, then every number of the report checked against a recount done here.

The learner practises most mornings at 07:30 in Shanghai (23:30 UTC the day before, so local
and UTC days differ), answers by a fixed policy (right, wrong, hinted, slow, unreadable-free),
sometimes stops early, sometimes crams, and self-rates some open answers. The recount reads the
attempts with plain SQL, derives local days from the timestamps itself, and replays FSRS with
its own copy of the rating rules.
"""

from __future__ import annotations

import hashlib
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest
from fsrs import Card, Rating, Scheduler
from sqlalchemy import text

from quizzer.bank.sync import sync_bundled
from quizzer.generators.registry import all_families
from quizzer.progress.report import build_report, due_counts
from quizzer.quiz.selection import QuizOptions
from quizzer.quiz.session import QuizRun
from quizzer.store.engine import open_store
from tests.answers import mistaken_answer, right_answer, wrong_answer

# The store, progress and quiz tests run against SQLite and against PostgreSQL (tests/conftest.py).
pytestmark = pytest.mark.backends

DAYS = 60


@pytest.fixture
def shanghai(monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def h(*parts) -> int:
    return int.from_bytes(hashlib.sha256("|".join(map(str, parts)).encode()).digest()[:4], "big")


def simulate(store, clock: Clock, start_local: datetime) -> None:
    for day in range(DAYS):
        if day % 9 == 4:
            continue  # a day off
        clock.now = (start_local + timedelta(days=day)).astimezone(UTC)
        mode = "cram" if day % 10 == 7 else "quiz"
        # Every tenth day (from day 2) is an open-answer session, so self-ratings are part of the history
        # whatever the adaptive mix serves on the other days (it favours easy items, and open ones are not).
        kind = "open" if day % 10 == 2 else None
        options = QuizOptions(seed=day, count=2 if mode == "cram" else 6, lang="en", kind=kind)
        run = QuizRun.start(store, options, mode=mode, clock=clock)
        stop_after = 3 if day % 7 == 3 else None
        answered = 0
        while run.current is not None:
            q = run.current
            roll = h(q.ref.key, day) % 10
            clock.advance(20 + roll * 7)
            if roll == 0:
                run.skip(response_ms=4000)
            else:
                raw = mistaken_answer(q) if roll == 1 else wrong_answer(q) if roll in (2, 3) else right_answer(q)
                hints = 1 if roll == 4 else 0
                ms = 400_000 if roll == 5 else 2_000 + roll * 500
                result = run.submit(raw, hints_used=hints, response_ms=ms)
                if q.kind == "open":  # the learner rates every open answer; the recount reads the ratings back
                    run.rate(result.attempt_id, "hard" if roll == 6 else "again" if roll % 2 == 0 else "good")
            answered += 1
            if stop_after is not None and answered == stop_after:
                run.finish()  # the learner closed the terminal
                break


SLOW_MS = {"single": 45_000, "multi": 60_000, "truefalse": 30_000, "fill": 60_000, "numeric": 180_000, "open": 300_000}


def rating(verdict, score, hints, ms, kind, stability, self_rating):
    """The issue's rules, written out again for the recount."""
    if self_rating:
        return {"again": Rating.Again, "hard": Rating.Hard, "good": Rating.Good, "easy": Rating.Easy}[self_rating]
    if verdict == "incorrect" or (verdict == "partial" and score < 0.5):
        return Rating.Again
    if verdict == "partial" or hints > 0 or ms > SLOW_MS[kind]:
        return Rating.Hard
    if (stability or 0) >= 21 and ms <= SLOW_MS[kind] // 4 and score >= 1:
        return Rating.Easy
    return Rating.Good


def test_sixty_days_report_matches_an_independent_recount(shanghai) -> None:
    store = open_store()
    sync_bundled(store)
    start_local = datetime(2026, 3, 1, 7, 30).astimezone()  # 07:30 in Shanghai
    clock = Clock(start_local.astimezone(UTC))
    simulate(store, clock, start_local)

    now = (start_local + timedelta(days=DAYS - 1, hours=3)).astimezone(UTC)  # 10:30 on the last day
    report = build_report(store, now=now)
    counts = due_counts(store, now=now)

    with store.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT a.id, a.topic, a.family, a.source, a.item_id, a.difficulty, a.kind, a.verdict, a.score, a.hints_used, "
                "a.response_ms, a.diagnosis, a.created_at, a.session_id, s.mode "
                "FROM attempts a JOIN quiz_sessions s ON s.id = a.session_id ORDER BY a.created_at, a.id"
            )
        ).fetchall()
        ratings = dict(conn.execute(text("SELECT attempt_id, rating FROM self_ratings ORDER BY id")).fetchall())
        bank_topics = conn.execute(text("SELECT id, topic FROM bank_items WHERE NOT retired")).fetchall()
        session_ids = [r[0] for r in conn.execute(text("SELECT id FROM quiz_sessions ORDER BY id DESC LIMIT 20"))]

    def local_day(stamp):
        moment = datetime.fromisoformat(str(stamp))
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
        return moment.astimezone().date()

    today = now.astimezone().date()
    graded = [r for r in rows if r.verdict in ("correct", "partial", "incorrect")]
    assert len(rows) > 250 and len(graded) > 200  # the simulation really happened
    assert {r.verdict for r in rows} >= {"correct", "incorrect", "skipped"}

    # --- per topic: attempts and accuracy over 7 and 30 days -------------------------------------
    for t in report.topics:
        mine = [r for r in graded if r.topic == t.topic]
        last7 = [r for r in mine if (today - local_day(r.created_at)).days < 7]
        last30 = [r for r in mine if (today - local_day(r.created_at)).days < 30]
        assert t.attempts == len(mine), t.topic
        assert t.correct == sum(r.verdict == "correct" for r in mine)
        assert (t.attempts_7d, t.correct_7d) == (len(last7), sum(r.verdict == "correct" for r in last7)), t.topic
        assert (t.attempts_30d, t.correct_30d) == (len(last30), sum(r.verdict == "correct" for r in last30)), t.topic

    # --- per family: attempts, accuracy, diagnosed mistakes --------------------------------------
    expected_families = defaultdict(lambda: [0, 0, defaultdict(int)])
    for r in graded:
        if r.source == "generated":
            entry = expected_families[r.family]
            entry[0] += 1
            entry[1] += r.verdict == "correct"
            if r.diagnosis:
                entry[2][r.diagnosis] += 1
    assert {f.family for f in report.families} == set(expected_families)
    for f in report.families:
        n, c, diagnoses = expected_families[f.family]
        assert (f.attempts, f.correct) == (n, c)
        assert dict(f.misconceptions) == dict(diagnoses)
    assert any(f.misconceptions for f in report.families)

    # --- streak, active days, daily activity -------------------------------------------------------
    active = sorted({local_day(r.created_at) for r in graded})
    streak, day = 0, today if today in active else today - timedelta(days=1)
    while day in active:
        streak, day = streak + 1, day - timedelta(days=1)
    assert report.active_days == len(active)
    assert report.streak_days == streak and streak > 0
    per_day = defaultdict(lambda: [0, 0])
    for r in graded:
        per_day[local_day(r.created_at)][0] += 1
        per_day[local_day(r.created_at)][1] += r.verdict == "correct"
    assert report.daily == [(d, n, c) for d, (n, c) in sorted(per_day.items())]

    # --- session trend -----------------------------------------------------------------------------
    trend = {s.session_id: (s.graded, round(s.score, 6)) for s in report.sessions}
    assert sorted(trend) == sorted(session_ids)
    for sid in session_ids:
        mine = [r for r in graded if r.session_id == sid]
        assert trend[sid] == (len(mine), round(sum(r.score for r in mine), 6)), sid

    # --- schedule: replay FSRS from scratch --------------------------------------------------------
    scheduler = Scheduler(enable_fuzzing=False)
    cards: dict[str, Card] = {}
    topic_of_key: dict[str, str] = {}
    for r in rows:
        if r.mode == "cram" or r.verdict in ("skipped", "void"):
            continue
        key = f"bank:{r.item_id}" if r.source == "bank" else f"skill:{r.family}:{r.difficulty}"
        when = datetime.fromisoformat(str(r.created_at))
        when = when.replace(tzinfo=UTC) if when.tzinfo is None else when
        card = cards.get(key) or Card(card_id=1, due=when)
        grade = rating(r.verdict, r.score, r.hints_used, r.response_ms, r.kind, card.stability, ratings.get(r.id))
        cards[key], _ = scheduler.review_card(card, grade, when)
        topic_of_key[key] = r.topic
    assert any(g for g in ratings.values())  # self-ratings were part of the history

    assert counts.now == sum(1 for c in cards.values() if c.due <= now)
    end_of_today = datetime.combine(today + timedelta(days=1), datetime.min.time()).astimezone()
    assert counts.today == sum(1 for c in cards.values() if c.due < end_of_today)
    for ahead, (day, n) in enumerate(counts.days, start=1):
        start = datetime.combine(today + timedelta(days=ahead), datetime.min.time()).astimezone()
        assert day == start.date()
        assert n == sum(1 for c in cards.values() if start <= c.due < start + timedelta(days=1)), day

    keys_by_topic = defaultdict(list)
    for item_id, t in bank_topics:
        keys_by_topic[t].append(f"bank:{item_id}")
    for f in all_families():
        keys_by_topic[f.topic].extend(f"skill:{f.name}:{d}" for d in f.difficulties)
    for t in report.topics:
        keys = keys_by_topic[t.topic]
        mastery = sum(scheduler.get_card_retrievability(cards[k], now) for k in keys if k in cards) / len(keys)
        assert t.mastery == pytest.approx(mastery, abs=1e-9), t.topic
        assert t.due == sum(1 for k in keys if k in cards and cards[k].due <= now), t.topic

    # The cache is exactly what a rebuild from history gives.
    from quizzer.progress.scheduling import load_cards, rebuild_cards

    before = {k: (v.due, v.stability) for k, v in load_cards(store, 1, now).items()}
    rebuild_cards(store)
    assert {k: (v.due, v.stability) for k, v in load_cards(store, 1, now).items()} == before
    # So is the daily statistics cache the report reads.
    from quizzer.progress.stats import rebuild_daily_stats

    rebuild_daily_stats(store)
    assert build_report(store, now=now).to_json() == report.to_json()


def test_quiz_puts_due_items_first(shanghai) -> None:
    store = open_store()
    sync_bundled(store)
    start_local = datetime(2026, 3, 1, 7, 30).astimezone()
    clock = Clock(start_local.astimezone(UTC))
    simulate(store, clock, start_local)
    clock.now = (start_local + timedelta(days=DAYS + 3)).astimezone(UTC)
    from quizzer.progress.scheduling import load_cards

    cards = load_cards(store, 1, clock.now)
    due = sorted((c for c in cards.values() if c.due <= clock.now), key=lambda c: (c.retrievability, c.key))
    assert len(due) >= 3
    run = QuizRun.start(store, QuizOptions(seed=1, count=10, lang="en"), clock=clock)
    served = [
        q.ref.key if q.ref.source == "bank" else f"skill:{q.ref.family}:{q.ref.difficulty}" for q in run.questions
    ]
    assert served[: min(10, len(due))] == [c.key for c in due][: min(10, len(due))]
    review = QuizRun.start(store, QuizOptions(seed=1, count=50, lang="en"), mode="review", clock=clock)
    assert len(review.questions) == min(50, len(due))
