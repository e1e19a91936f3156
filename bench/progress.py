"""A year of heavy use: 1,000,000 attempts over 365 days, then time the progress report and quiz selection.

Targets on the 2-core machine: `quizzer progress` ≤ 0.5 s (the command, measured in-process after
start-up, and the whole process), selecting the next quiz's questions ≤ 50 ms.

The attempts are written with bulk inserts (the quiz writes them one by one, which is not what is
measured here); the FSRS schedule and ability caches are then rebuilt from them with the real replay code.

Run: .venv/bin/python bench/progress.py [--attempts 1000000] [--db PATH]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from quizzer.bank.sync import sync_bundled
from quizzer.generators.registry import all_families
from quizzer.progress.ability import load_abilities, rebuild_abilities
from quizzer.progress.report import build_report
from quizzer.progress.scheduling import load_cards, rebuild_cards
from quizzer.quiz.selection import QuizOptions, build_plan
from quizzer.store.engine import open_store
from quizzer.store.models import AttemptRow, BankItemRow, QuizSessionRow
from quizzer.store.profiles import profile_id

SESSIONS_PER_DAY = 8


def build(url: str, attempts: int, now: datetime) -> None:
    store = open_store(url)
    sync_bundled(store)
    pid = profile_id(store, "default")
    rng = random.Random(1)
    with store.session() as session:
        items = [
            (i, t, k, d)
            for i, t, k, d in session.query(BankItemRow.id, BankItemRow.topic, BankItemRow.kind, BankItemRow.difficulty)
        ]
    skills = [(f.name, f.topic, d) for f in all_families() for d in f.difficulties]
    per_session = max(1, attempts // (365 * SESSIONS_PER_DAY))
    start = now - timedelta(days=365)
    written = 0
    verdicts = ("correct", "correct", "correct", "partial", "incorrect", "skipped")
    with store.engine.begin() as conn:
        session_id = 0
        for day in range(365):
            for s in range(SESSIONS_PER_DAY):
                if written >= attempts:
                    break
                began = start + timedelta(days=day, hours=7 + 2 * s)
                session_id = conn.execute(
                    insert(QuizSessionRow).values(
                        profile_id=pid,
                        mode="quiz",
                        settings={},
                        plan=[],
                        lang="zh",
                        started_at=began,
                        ended_at=began + timedelta(minutes=30),
                        finished=True,
                    )
                ).inserted_primary_key[0]
                rows = []
                for position in range(min(per_session, attempts - written)):
                    when = began + timedelta(seconds=10 * position)
                    verdict = rng.choice(verdicts)
                    score = {"correct": 1.0, "partial": 0.5}.get(verdict, 0.0)
                    common = dict(
                        session_id=session_id,
                        profile_id=pid,
                        position=position,
                        raw_answer="x",
                        parsed_answer=None,
                        verdict=verdict,
                        score=score,
                        response_ms=rng.randint(2000, 90000),
                        hints_used=0,
                        grader_version="1",
                        created_at=when,
                        day=when.astimezone().date().toordinal(),
                    )
                    if rng.random() < 0.3:
                        family, topic, difficulty = rng.choice(skills)
                        rows.append(
                            dict(
                                common,
                                question_key=f"gen:{family}:{difficulty}:{position}",
                                source="generated",
                                item_id=None,
                                item_version=None,
                                instance_id=None,
                                family=family,
                                topic=topic,
                                kind="numeric",
                                difficulty=difficulty,
                                diagnosis=rng.choice([None, "forgot-padding", "off-by-one"])
                                if verdict == "incorrect"
                                else None,
                            )
                        )
                    else:
                        item_id, topic, kind, difficulty = rng.choice(items)
                        rows.append(
                            dict(
                                common,
                                question_key=f"bank:{item_id}",
                                source="bank",
                                item_id=item_id,
                                item_version=1,
                                instance_id=None,
                                family=None,
                                topic=topic,
                                kind=kind,
                                difficulty=difficulty,
                                diagnosis=None,
                            )
                        )
                conn.execute(insert(AttemptRow), rows)
                written += len(rows)
    started = time.perf_counter()
    replayed = rebuild_cards(store)
    print(f"schedule cache rebuilt from {replayed:,} attempts in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    replayed = rebuild_abilities(store)
    print(f"ability cache rebuilt from {replayed:,} attempts in {time.perf_counter() - started:.1f} s")
    store.close()


def median_ms(fn, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, help="reuse (or create) the benchmark database here")
    args = parser.parse_args()
    now = datetime.now(UTC)
    folder = tempfile.mkdtemp(prefix="quizzer-bench-")
    path = args.db or Path(folder) / "bench.db"
    url = f"sqlite:///{path}"
    if not path.exists():
        started = time.perf_counter()
        build(url, args.attempts, now)
        print(f"built {args.attempts:,} attempts over 365 days in {time.perf_counter() - started:.0f} s ({path})")

    store = open_store(url)
    report = build_report(store, now=now)  # warm the page cache, as a second run would
    total = sum(t.attempts for t in report.topics)
    print(f"report covers {total:,} graded attempts, {report.active_days} active days")
    in_process = median_ms(lambda: build_report(store, now=now), 7)
    print(
        f"progress report (in-process, median of 7): {in_process:.0f} ms — target ≤ 500 ms: {'met' if in_process <= 500 else 'NOT met'}"
    )

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    command = [sys.executable, "-m", "quizzer", "--db", url, "progress", "--json"]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
    whole = median_ms(lambda: subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env), 5)
    print(f"`quizzer progress --json` whole process incl. start-up (median of 5): {whole:.0f} ms")

    pid = profile_id(store, "default")

    def select_next() -> None:
        cards = load_cards(store, pid, now)
        build_plan(store, QuizOptions(seed=1), cards=cards, now=now, abilities=load_abilities(store, pid))

    select_next()
    selection = median_ms(select_next, 15)
    print(
        f"quiz selection of the next questions (median of 15): {selection:.1f} ms — target ≤ 50 ms: {'met' if selection <= 50 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
