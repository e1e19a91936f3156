"""How hard the next question should be: an Elo ability estimate per learner and skill.

FSRS (``scheduling.py``) decides *when* an item or numeric skill comes back; this module decides
*how hard* the generated instance is. It follows the Elo variant for adaptive practice described by
Pelánek (2016, "Applications of the Elo rating system in adaptive educational systems", Computers &
Education 98): a learner ability θ per numeric skill (``family:<name>``) and per topic for bank items
(``topic:<slug>``), a fixed difficulty per level, the logistic prediction P = 1 / (1 + e^-(θ - b)),
and the update θ += K(n)·(outcome − P) whose step K(n) = K_START / (1 + K_DECAY·n) shrinks as the
estimate rests on more answers (his "uncertainty function"), so a new learner's estimate moves fast.

The level served is the one whose predicted success is nearest the target rate (75 % by default).
A new learner has θ = 0, which predicts 73 % at ★, 50 % at ★★ and 27 % at ★★★: they start easy.

The estimates live in ``abilities``, a cache like the schedule: updated in the same transaction as
each attempt and rebuilt from the attempts whenever the rules below change (bump ``ABILITY_VERSION``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from quizzer.progress import cache
from quizzer.store.engine import Store
from quizzer.store.models import AbilityRow, AttemptRow

ABILITY_VERSION = "2"
_VERSION_KEY = "ability_cache_version"

TARGET = 0.75
# Fixed priors: one logit between neighbouring levels. There is no calibration data to learn them
# from, and with one ability per family a family that is harder overall only shifts θ, not the levels.
LEVEL_DIFFICULTY = {1: -1.0, 2: 0.0, 3: 1.0}
# Tuned by simulation (tests/test_adaptive_simulation.py): a strong learner must reach ★★★ within
# 15 questions of a skill, yet a settled estimate must not jump a level on one unlucky answer.
K_START = 4.0
K_DECAY = 0.3
# A schedule card due at a level other than the fitted one is reviewed at its own level only while its
# predicted success stays within this margin of the target (0.60–0.90 at the default 0.75). Without
# the limit a weak learner who once failed ★★ had that card come due again at every sitting (a failed
# card is due within minutes) and practised at 40 % success half the time (issue 13 §1).
REVIEW_MARGIN = 0.15


def ability_key(source: str, family: str | None, topic: str) -> str:
    return f"family:{family}" if source == "generated" else f"topic:{topic}"


def predicted(theta: float, level: int) -> float:
    """Predicted chance of answering a question of ``level`` correctly at ability ``theta``."""
    return 1.0 / (1.0 + math.exp(-(theta - LEVEL_DIFFICULTY[level])))


def step_size(answers: int) -> float:
    return K_START / (1.0 + K_DECAY * answers)


def outcome_of(verdict: str, score: float) -> float | None:
    """What an attempt says about ability: the score (hints already cost credit), 0 for a skip, None for a void."""
    if verdict == "void":
        return None
    if verdict == "skipped":
        return 0.0  # a skipped problem was, for this learner, too hard to try
    return max(0.0, min(1.0, score))


def updated(theta: float, answers: int, level: int, outcome: float) -> float:
    return theta + step_size(answers) * (outcome - predicted(theta, level))


def choose_level(theta: float, levels: Iterable[int], target: float = TARGET) -> int:
    """The level whose predicted success is nearest ``target`` (the easier one on a tie)."""
    return min(levels, key=lambda level: (abs(predicted(theta, level) - target), level))


def within_reach(theta: float, level: int, target: float = TARGET) -> bool:
    """Whether a due card at ``level`` is still worth reviewing at that level for this learner."""
    return abs(predicted(theta, level) - target) <= REVIEW_MARGIN


@dataclass(frozen=True)
class Ability:
    key: str
    theta: float = 0.0
    answers: int = 0

    def level(self, levels: Iterable[int], target: float = TARGET) -> int:
        return choose_level(self.theta, levels, target)


def apply_attempt(session: Session, attempt: AttemptRow) -> None:
    """Update the estimate for one new attempt (in the caller's transaction).

    Every mode counts, cram and exams included: what a learner can do does not depend on whether the
    answer was meant to move the schedule.
    """
    outcome = outcome_of(attempt.verdict, attempt.score)
    if outcome is None or attempt.difficulty not in LEVEL_DIFFICULTY:
        return
    key = ability_key(attempt.source, attempt.family, attempt.topic)
    row = session.get(AbilityRow, (attempt.profile_id, key))
    if row is None:
        row = AbilityRow(profile_id=attempt.profile_id, key=key, theta=0.0, answers=0)
        session.add(row)
    row.theta = updated(row.theta, row.answers, attempt.difficulty, outcome)
    row.answers += 1


def _replay(session: Session, profile_id: int) -> int:
    """Recompute a profile's estimates from its attempts in time order, on plain rows; returns attempts used."""
    query = (
        select(
            AttemptRow.source,
            AttemptRow.family,
            AttemptRow.topic,
            AttemptRow.difficulty,
            AttemptRow.verdict,
            AttemptRow.score,
        )
        .where(AttemptRow.profile_id == profile_id, AttemptRow.verdict != "void")
        .order_by(AttemptRow.created_at, AttemptRow.id)
    )
    estimates: dict[str, list] = {}  # key -> [theta, answers]
    count = 0
    for row in session.execute(query).yield_per(5000):
        outcome = outcome_of(row.verdict, row.score)
        if outcome is None or row.difficulty not in LEVEL_DIFFICULTY:
            continue
        entry = estimates.setdefault(ability_key(row.source, row.family, row.topic), [0.0, 0])
        entry[0] = updated(entry[0], entry[1], row.difficulty, outcome)
        entry[1] += 1
        count += 1
    for key, (theta, answers) in estimates.items():
        session.merge(AbilityRow(profile_id=profile_id, key=key, theta=theta, answers=answers))
    return count


def rebuild_abilities(store: Store, profile_id: int | None = None) -> int:
    """Throw the cache away and replay history (one profile, or all). Returns attempts replayed."""
    return cache.rebuild(
        store,
        table=AbilityRow,
        version_key=_VERSION_KEY,
        version=ABILITY_VERSION,
        replay=_replay,
        lock="ability",
        profile_id=profile_id,
    )


def ensure_abilities(store: Store) -> None:
    """Rebuild the cache once after an upgrade (or a change of the rules above)."""
    if not cache.is_current(store, _VERSION_KEY, ABILITY_VERSION):
        rebuild_abilities(store)


def load_abilities(store: Store, profile_id: int) -> dict[str, Ability]:
    with store.session() as session:
        rows = session.execute(
            select(AbilityRow.key, AbilityRow.theta, AbilityRow.answers).where(AbilityRow.profile_id == profile_id)
        ).all()
    return {key: Ability(key, theta, answers) for key, theta, answers in rows}
