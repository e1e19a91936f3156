"""The progress report: what the learner knows, what is slipping, what to do next.

Everything is computed with a handful of aggregate queries (covering indexes on
attempts), so a year of daily practice — a million attempts — reports in well
under a second.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from quizzer.bank.sync import DEFAULT_BANK
from quizzer.generators.registry import all_families
from quizzer.progress.ability import Ability, ensure_abilities, load_abilities
from quizzer.progress.scheduling import ensure_cards, load_cards, local_day_end
from quizzer.progress.stats import ensure_daily_stats
from quizzer.store.engine import Store
from quizzer.store.models import AttemptRow, BankItemRow, DailyStatRow, QuizSessionRow
from quizzer.store.profiles import profile_id
from quizzer.topics import TOPIC_SLUGS

GRADED = ("correct", "partial", "incorrect")
TREND_SESSIONS = 20


@dataclass
class TopicStats:
    topic: str
    attempts: int = 0
    correct: int = 0
    attempts_7d: int = 0
    correct_7d: int = 0
    attempts_30d: int = 0
    correct_30d: int = 0
    mastery: float = 0.0  # mean FSRS retrievability over the topic's items and skills (never practised = 0)
    due: int = 0
    ability: float = 0.0  # Elo θ on the topic's bank items (progress.ability; 0 = a new learner)

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.attempts if self.attempts else None

    @property
    def accuracy_7d(self) -> float | None:
        return self.correct_7d / self.attempts_7d if self.attempts_7d else None

    @property
    def accuracy_30d(self) -> float | None:
        return self.correct_30d / self.attempts_30d if self.attempts_30d else None


@dataclass
class FamilyStats:
    family: str
    topic: str
    attempts: int = 0
    correct: int = 0
    misconceptions: list[tuple[str, int]] = field(default_factory=list)  # most frequent first
    ability: float = 0.0  # Elo θ on this skill (progress.ability)
    level: int = 1  # the difficulty the next problem of this family is served at

    @property
    def level_label(self) -> str:
        """``★★☆ (+0.84)``: the level served next and the ability estimate behind it."""
        return f"{'★' * self.level}{'☆' * (3 - self.level)} ({self.ability:+.2f})"

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.attempts if self.attempts else None


@dataclass
class SessionPoint:
    session_id: int
    started_at: datetime
    mode: str
    graded: int
    score: float

    @property
    def percent(self) -> float | None:
        return 100.0 * self.score / self.graded if self.graded else None


@dataclass
class Report:
    profile: str
    now: datetime
    since: date | None
    topics: list[TopicStats]
    families: list[FamilyStats]
    streak_days: int
    active_days: int
    daily: list[tuple[date, int, int]]  # (day, graded attempts, correct)
    sessions: list[SessionPoint]
    topic_daily: dict[str, list[tuple[date, int, int]]] = field(default_factory=dict)

    def to_json(self) -> dict:
        def topic(t: TopicStats) -> dict:
            return {**asdict(t), "accuracy": t.accuracy, "accuracy_7d": t.accuracy_7d, "accuracy_30d": t.accuracy_30d}

        return {
            "profile": self.profile,
            "now": self.now.isoformat(),
            "since": self.since.isoformat() if self.since else None,
            "streak_days": self.streak_days,
            "active_days": self.active_days,
            "topics": [topic(t) for t in self.topics],
            "families": [
                {**asdict(f), "accuracy": f.accuracy, "misconceptions": [list(m) for m in f.misconceptions]}
                for f in self.families
            ],
            "daily": [[d.isoformat(), n, c] for d, n, c in self.daily],
            "sessions": [
                {
                    "session": s.session_id,
                    "started_at": s.started_at.isoformat(),
                    "mode": s.mode,
                    "graded": s.graded,
                    "score": s.score,
                    "percent": s.percent,
                }
                for s in self.sessions
            ],
        }


def _streak(days: set[int], today: int) -> int:
    """Consecutive active days ending today — or yesterday, when today has no practice yet."""
    day = today if today in days else today - 1
    streak = 0
    while day in days:
        streak += 1
        day -= 1
    return streak


def build_report(
    store: Store,
    *,
    profile: str = "default",
    since: date | None = None,
    topic: str | None = None,
    now: datetime,
    bank: str = DEFAULT_BANK,
) -> Report:
    """The learner's progress in one bank: the bundled bank (its 13 topics and the problem families) by default,
    or a learner's named bank (its free topics, no families)."""
    pid = profile_id(store, profile)
    ensure_cards(store)
    ensure_daily_stats(store)
    ensure_abilities(store)
    today = now.astimezone().date().toordinal()
    since_day = since.toordinal() if since else None
    with store.session() as session:
        bank_topics = session.execute(
            select(BankItemRow.id, BankItemRow.topic).where(BankItemRow.retired.is_(False), BankItemRow.bank == bank)
        ).all()
    bundled = bank == DEFAULT_BANK
    topics = [topic] if topic else list(TOPIC_SLUGS) if bundled else sorted({t for _, t in bank_topics})

    conditions = [DailyStatRow.profile_id == pid]
    if since_day is not None:
        conditions.append(DailyStatRow.day >= since_day)
    if topic:
        conditions.append(DailyStatRow.topic == topic)

    stats = {t: TopicStats(t) for t in topics}
    daily: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    topic_daily: dict[str, list[tuple[date, int, int]]] = defaultdict(list)
    with store.session() as session:
        rows = session.execute(
            select(
                DailyStatRow.topic, DailyStatRow.day, func.sum(DailyStatRow.attempts), func.sum(DailyStatRow.correct)
            )
            .where(*conditions)
            .group_by(DailyStatRow.topic, DailyStatRow.day)
        ).all()
        family_rows = (
            session.execute(
                select(
                    DailyStatRow.family,
                    DailyStatRow.diagnosis,
                    func.sum(DailyStatRow.attempts),
                    func.sum(DailyStatRow.correct),
                )
                .where(*conditions, DailyStatRow.family != "")
                .group_by(DailyStatRow.family, DailyStatRow.diagnosis)
            ).all()
            if bundled
            else []
        )
        session_ids = session.scalars(
            select(QuizSessionRow.id)
            .where(QuizSessionRow.profile_id == pid)
            .order_by(QuizSessionRow.id.desc())
            .limit(TREND_SESSIONS)
        ).all()
        trend = session.execute(
            select(
                QuizSessionRow.id,
                QuizSessionRow.started_at,
                QuizSessionRow.mode,
                func.count(AttemptRow.id),
                func.coalesce(func.sum(AttemptRow.score), 0.0),
            )
            .join(
                AttemptRow, (AttemptRow.session_id == QuizSessionRow.id) & AttemptRow.verdict.in_(GRADED), isouter=True
            )
            .where(QuizSessionRow.id.in_(session_ids))
            .group_by(QuizSessionRow.id)
            .order_by(QuizSessionRow.id)
        ).all()

    for t, day, n, c in rows:
        if t not in stats:
            continue
        s = stats[t]
        s.attempts += n
        s.correct += c
        if day > today - 7:
            s.attempts_7d += n
            s.correct_7d += c
        if day > today - 30:
            s.attempts_30d += n
            s.correct_30d += c
        daily[day][0] += n
        daily[day][1] += c
        topic_daily[t].append((date.fromordinal(day), n, c))

    # Mastery and due counts come from the schedule: every item and skill of the topic counts.
    cards = load_cards(store, pid, now)
    keys_by_topic: dict[str, list[str]] = defaultdict(list)
    for item_id, t in bank_topics:
        keys_by_topic[t].append(f"bank:{item_id}")
    families = all_families() if bundled else []
    for f in families:
        keys_by_topic[f.topic].extend(f"skill:{f.name}:{d}" for d in f.difficulties)
    for t, s in stats.items():
        keys = keys_by_topic.get(t, [])
        if keys:
            s.mastery = sum(cards[k].retrievability for k in keys if k in cards) / len(keys)
        s.due = sum(1 for k in keys if k in cards and cards[k].due <= now)

    by_family: dict[str, FamilyStats] = {}
    topic_of = {f.name: f.topic for f in families}
    for name, diagnosis, n, c in family_rows:
        if name is None:
            continue
        fs = by_family.setdefault(name, FamilyStats(name, topic_of.get(name, "")))
        fs.attempts += n
        fs.correct += c
        if diagnosis:
            fs.misconceptions.append((diagnosis, n))
    for fs in by_family.values():
        fs.misconceptions.sort(key=lambda m: (-m[1], m[0]))

    abilities = load_abilities(store, pid)
    for t, s in stats.items():
        s.ability = abilities.get(f"topic:{t}", Ability(t)).theta
    difficulties = {f.name: f.difficulties for f in families}
    for name, fs in by_family.items():
        ability = abilities.get(f"family:{name}", Ability(name))
        fs.ability = ability.theta
        fs.level = ability.level(difficulties.get(name, (1, 2, 3)))

    active = set(daily)
    return Report(
        profile=profile,
        now=now,
        since=since,
        topics=[stats[t] for t in topics],
        families=sorted(
            by_family.values(), key=lambda f: (TOPIC_SLUGS.index(f.topic) if f.topic in TOPIC_SLUGS else 99, f.family)
        ),
        streak_days=_streak(active, today),
        active_days=len(active),
        daily=[(date.fromordinal(d), n, c) for d, (n, c) in sorted(daily.items())],
        sessions=[SessionPoint(i, started, mode, n, float(score)) for i, started, mode, n, score in trend],
        topic_daily={t: sorted(v) for t, v in topic_daily.items()},
    )


@dataclass
class DueCounts:
    now: int
    today: int
    days: list[tuple[date, int]]  # the next 7 days, each counted on its own local day


def due_counts(store: Store, *, profile: str = "default", now: datetime) -> DueCounts:
    ensure_cards(store)
    cards = load_cards(store, profile_id(store, profile), now)
    dues = [c.due for c in cards.values()]
    end_today = local_day_end(now)
    days = []
    for ahead in range(1, 8):
        start, end = local_day_end(now, ahead - 1), local_day_end(now, ahead)
        days.append(((now.astimezone() + timedelta(days=ahead)).date(), sum(1 for d in dues if start <= d < end)))
    return DueCounts(now=sum(1 for d in dues if d <= now), today=sum(1 for d in dues if d < end_today), days=days)
