"""The Elo ability estimate: its formulas, the cache kept beside the attempts, and the level it serves."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, text

from quizzer.bank.sync import sync_bundled
from quizzer.progress import ability
from quizzer.progress.scheduling import load_cards
from quizzer.quiz.selection import QuizOptions, build_plan
from quizzer.quiz.session import QuizRun
from quizzer.store.engine import open_store
from quizzer.store.meta import set_meta
from quizzer.store.models import AbilityRow
from quizzer.store.profiles import profile_id
from tests.answers import right_answer, wrong_answer

START = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime = START):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def test_prediction_is_the_logistic_of_ability_minus_level_difficulty() -> None:
    # Worked by hand: 1/(1+e^-1) = 0.7310585786, 1/(1+e^0) = 0.5, 1/(1+e^1) = 0.2689414214.
    assert math.isclose(ability.predicted(0.0, 1), 0.7310585786, rel_tol=1e-9)
    assert ability.predicted(0.0, 2) == 0.5
    assert math.isclose(ability.predicted(0.0, 3), 0.2689414214, rel_tol=1e-9)
    assert math.isclose(ability.predicted(2.5, 3), 1 / (1 + math.exp(-1.5)), rel_tol=1e-12)


def test_a_new_learner_is_served_the_easiest_level() -> None:
    assert ability.Ability("family:conv-output").level((1, 2, 3)) == 1
    assert ability.choose_level(0.0, (2, 3)) == 2  # a family without ★ starts at its easiest


def test_the_level_is_the_one_whose_predicted_success_is_nearest_the_target() -> None:
    # θ = 0.7: ★ 0.846, ★★ 0.668, ★★★ 0.426 → ★★ is nearest 0.75;
    # θ = 1.7: ★★ 0.846, ★★★ 0.668 → ★★★.
    assert ability.choose_level(0.7, (1, 2, 3)) == 2
    assert ability.choose_level(1.7, (1, 2, 3)) == 3
    assert ability.choose_level(-3.0, (1, 2, 3)) == 1
    # An easier target makes the same learner's level drop.
    assert ability.choose_level(1.7, (1, 2, 3), target=0.9) == 1
    assert ability.choose_level(0.7, (1, 2, 3), target=0.5) == 3


@given(
    theta=st.floats(-6, 6), answers=st.integers(0, 10_000), level=st.sampled_from([1, 2, 3]), outcome=st.floats(0, 1)
)
def test_an_update_moves_towards_the_outcome_by_at_most_the_step(theta, answers, level, outcome) -> None:
    new = ability.updated(theta, answers, level, outcome)
    expected = ability.predicted(theta, level)
    assert abs(new - theta) <= ability.step_size(answers) + 1e-12
    if outcome > expected:
        assert new >= theta
    elif outcome < expected:
        assert new <= theta


def test_the_step_shrinks_as_answers_accumulate() -> None:
    steps = [ability.step_size(n) for n in range(0, 200, 10)]
    assert steps == sorted(steps, reverse=True) and steps[0] == ability.K_START


def test_what_an_attempt_says() -> None:
    assert ability.outcome_of("void", 0.0) is None
    assert ability.outcome_of("skipped", 0.0) == 0.0
    assert ability.outcome_of("partial", 0.5) == 0.5
    assert ability.outcome_of("correct", 0.75) == 0.75  # a hint's cost counts


def _practise(
    store, clock: Clock, *, family: str, rights: list[bool], profile: str = "default", mode: str = "quiz"
) -> list[int]:
    """Answer ``len(rights)`` problems of one family, one sitting each; returns the levels served."""
    levels = []
    for i, right in enumerate(rights):
        clock.now += timedelta(hours=6)
        run = QuizRun.start(
            store, QuizOptions(family=family, count=1, seed=i, profile=profile, lang="en"), mode=mode, clock=clock
        )
        q = run.current
        levels.append(q.difficulty)
        run.submit(right_answer(q) if right else wrong_answer(q), response_ms=30_000)
    return levels


def _recount(store, pid: int) -> dict[str, tuple[float, int]]:
    """The estimates replayed here from the stored attempts with the formulas written out again."""
    prior = {1: -1.0, 2: 0.0, 3: 1.0}
    estimates: dict[str, list] = {}
    with store.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT source, family, topic, difficulty, verdict, score FROM attempts WHERE profile_id = :p "
                "ORDER BY created_at, id"
            ),
            {"p": pid},
        ).fetchall()
    for source, family, topic, level, verdict, score in rows:
        if verdict == "void":
            continue
        key = f"family:{family}" if source == "generated" else f"topic:{topic}"
        theta, n = estimates.setdefault(key, [0.0, 0])
        outcome = 0.0 if verdict == "skipped" else score
        p = 1 / (1 + math.exp(-(theta - prior[level])))
        estimates[key] = [theta + 4.0 / (1 + 0.3 * n) * (outcome - p), n + 1]
    return {k: (v[0], v[1]) for k, v in estimates.items()}


def _stored(store, pid: int) -> dict[str, tuple[float, int]]:
    with store.session() as session:
        rows = session.scalars(select(AbilityRow).where(AbilityRow.profile_id == pid)).all()
        return {r.key: (r.theta, r.answers) for r in rows}


def test_the_cache_follows_every_attempt_and_equals_a_rebuild_and_a_recount() -> None:
    store = open_store()
    sync_bundled(store)
    clock = Clock()
    _practise(store, clock, family="conv-output", rights=[True, True, False, True, True, True])
    _practise(store, clock, family="iterations", rights=[False, False, True], mode="cram")  # cram counts too
    clock.now += timedelta(hours=6)
    run = QuizRun.start(store, QuizOptions(topics=["pooling"], kind="single", count=3, seed=5, lang="en"), clock=clock)
    run.submit(right_answer(run.current))
    run.submit(wrong_answer(run.current))
    run.skip()
    pid = profile_id(store, "default")

    incremental = _stored(store, pid)
    recount = _recount(store, pid)
    assert set(incremental) == {"family:conv-output", "family:iterations", "topic:pooling"}
    assert incremental["family:conv-output"][1] == 6 and incremental["topic:pooling"][1] == 3
    for key, (theta, n) in recount.items():
        assert math.isclose(incremental[key][0], theta, abs_tol=1e-9) and incremental[key][1] == n

    assert ability.rebuild_abilities(store) == 12
    rebuilt = _stored(store, pid)
    assert rebuilt.keys() == incremental.keys()
    for key in rebuilt:
        assert math.isclose(rebuilt[key][0], incremental[key][0], abs_tol=1e-9)


def test_a_change_of_rules_rebuilds_the_cache_on_next_use() -> None:
    store = open_store()
    sync_bundled(store)
    clock = Clock()
    _practise(store, clock, family="conv-output", rights=[True, True])
    pid = profile_id(store, "default")
    with store.session() as session:
        session.execute(AbilityRow.__table__.delete())
        set_meta(session, "ability_cache_version", "0")
    assert _stored(store, pid) == {}
    ability.ensure_abilities(store)
    assert _stored(store, pid)["family:conv-output"][1] == 2


def test_levels_rise_for_a_learner_who_gets_everything_right_and_stay_for_one_who_does_not() -> None:
    store = open_store()
    sync_bundled(store)
    clock = Clock()
    strong = _practise(store, clock, family="pool-output", rights=[True] * 8, profile="strong")
    weak = _practise(store, clock, family="pool-output", rights=[False, True] * 4, profile="weak")
    assert strong[0] == 1 and strong[-1] == 3 and strong == sorted(strong)
    assert set(weak) == {1}


def test_a_forced_difficulty_is_served_whatever_the_ability() -> None:
    store = open_store()
    sync_bundled(store)
    plan = build_plan(store, QuizOptions(family="conv-output", difficulty=3, count=5, seed=1), abilities={})
    assert {r.difficulty for r in plan} == {3}
    high = {"family:conv-output": ability.Ability("family:conv-output", theta=-5.0, answers=40)}
    plan = build_plan(store, QuizOptions(family="conv-output", difficulty=2, count=5, seed=1), abilities=high)
    assert {r.difficulty for r in plan} == {2}


def test_a_new_learner_meets_no_three_star_problem_and_mostly_easy_bank_items() -> None:
    store = open_store()
    sync_bundled(store)
    with store.engine.connect() as conn:
        level = dict(conn.execute(text("SELECT id, difficulty FROM bank_items")).fetchall())
        available = [d for (d,) in conn.execute(text("SELECT difficulty FROM bank_items WHERE retired = 0"))]
    assert available.count(1) / len(available) < 0.35  # ★ items are about a quarter of the bank …
    for seed in range(5):
        plan = build_plan(store, QuizOptions(count=20, seed=seed), abilities={})
        generated = [r for r in plan if r.source == "generated"]
        assert generated and {r.difficulty for r in generated} == {1}
        served = [level[r.item_id] for r in plan if r.source == "bank"]
        assert served.count(1) / len(served) >= 0.5, served  # … but most of what a new learner meets


def test_a_skill_due_at_another_level_comes_back_at_that_level_while_it_is_within_reach() -> None:
    store = open_store()
    sync_bundled(store)
    clock = Clock()
    _practise(store, clock, family="conv-output", rights=[False])  # ★ card, due again within minutes
    pid = profile_id(store, "default")
    clock.now += timedelta(days=1)
    cards = load_cards(store, pid, clock.now)
    assert cards["skill:conv-output:1"].due <= clock.now

    def plan_for(theta: float) -> list[int]:
        estimate = {"family:conv-output": ability.Ability("family:conv-output", theta=theta, answers=30)}
        options = QuizOptions(family="conv-output", count=4, seed=2)
        return [r.difficulty for r in build_plan(store, options, cards=cards, now=clock.now, abilities=estimate)]

    # θ = 1.0: ★★ predicts σ(1) = 0.731 (nearest 0.75, the fitted level); ★ predicts σ(2) = 0.881, within
    # 0.15 of the target, so the due ★ card is reviewed first, at its own level.
    levels = plan_for(1.0)
    assert levels[0] == 1 and set(levels[1:]) == {2}
    # θ = 3.0: ★ predicts σ(4) = 0.982, far above 0.90: reviewing it there teaches nothing, so the due
    # card waits and the family comes back at the fitted ★★★ (σ(2) = 0.881).
    assert plan_for(3.0) == [3, 3, 3, 3]
    # `review` asks for what is due, as `progress` counts it: there the waiting card comes, at its own level.
    strong = {"family:conv-output": ability.Ability("family:conv-output", theta=3.0, answers=30)}
    options = QuizOptions(family="conv-output", count=4, seed=2)
    review = build_plan(store, options, cards=cards, now=clock.now, due_only=True, abilities=strong)
    assert [r.difficulty for r in review] == [1]
    # θ = -0.6 after a failed ★★ card: ★★ predicts σ(-0.6) = 0.354, far below 0.60; ★ it is.
    clock.now += timedelta(hours=6)
    options = QuizOptions(family="iterations", difficulty=2, count=1, profile="weak", lang="en")
    run = QuizRun.start(store, options, clock=clock)  # a ★★ problem, failed: its card is due within minutes
    run.submit(wrong_answer(run.current), response_ms=30_000)
    weak_cards = load_cards(store, profile_id(store, "weak"), clock.now + timedelta(days=1))
    assert weak_cards["skill:iterations:2"].due <= clock.now + timedelta(days=1)
    estimate = {"family:iterations": ability.Ability("family:iterations", theta=-0.6, answers=30)}
    options = QuizOptions(family="iterations", count=4, seed=2, profile="weak")
    plan = build_plan(store, options, cards=weak_cards, now=clock.now + timedelta(days=1), abilities=estimate)
    assert [r.difficulty for r in plan] == [1, 1, 1, 1]
