"""A class at once: 50 learners × 100 answers on one shared database, on SQLite and on PostgreSQL.

Each learner is its own process with its own connections, taking a real quiz session (plan, grading,
torch check of generated problems, attempt + schedule + statistics written per answer). All learners
start answering together. Printed per backend: answers per second, p50/p99 latency of storing one answer
(`QuizRun.submit`: grade, wait for the write lock, write, commit), and lost attempts — answers a learner
was told were stored that are not in the database afterwards (must be 0), plus learners that failed.

Run: .venv/bin/python bench/class_load.py [--learners 50] [--answers 100] [--pg URL] [--sqlite-only]
  --pg: a PostgreSQL server URL whose role may create databases (default: $QUIZZER_TEST_PG_URL;
        `.ci/postgres` starts one); the bench creates and drops its own database there.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ANSWERS = ["1", "a", "true", "0.5", "64x56x56", "c", "false", "2", "(32, 16, 16)", "0.1"]


def learner(url: str, index: int, count: int, barrier, results) -> None:
    """One learner's session; puts (index, committed attempt ids, latencies, error or None) on ``results``."""
    ids: list[int] = []
    latencies: list[float] = []
    try:
        import torch

        torch.set_num_threads(1)  # 50 learners on a few cores: no intra-op thread pools
        from quizzer.errors import AnswerParseError
        from quizzer.quiz.selection import QuizOptions
        from quizzer.quiz.session import QuizRun
        from quizzer.store.engine import open_store

        store = open_store(url)
        run = QuizRun.start(store, QuizOptions(count=count, seed=index, lang="en", profile=f"learner{index:02d}"))
        for question in run.questions:  # the torch checks finish before the clock starts: the store is measured
            if question.problem is not None:
                run.verifier.result(question)
        barrier.wait(timeout=600)
        for n in range(count):
            raw = ANSWERS[(index + n) % len(ANSWERS)]
            start = time.perf_counter()
            try:
                answered = run.submit(raw)
            except AnswerParseError as exc:
                answered = run.submit_unreadable(raw, exc)
            latencies.append(time.perf_counter() - start)
            ids.append(answered.attempt_id)
        finished = run.summary().finished
        store.close()
        results.put((index, ids, latencies, None if finished else "session not finished"))
    except BaseException as exc:  # a failed learner is a result to report, not a crash of the bench
        results.put((index, ids, latencies, f"{type(exc).__name__}: {exc}"))


def prepare(url: str) -> None:
    """What a teacher does once: create the schema and import the bundled bank."""
    from quizzer.bank.sync import sync_bundled
    from quizzer.store.engine import open_store

    store = open_store(url)
    sync_bundled(store)
    store.close()


def stored_attempts(url: str) -> set[int]:
    from sqlalchemy import select

    from quizzer.store.engine import open_store
    from quizzer.store.models import AttemptRow

    store = open_store(url)
    with store.session(read_only=True) as session:
        found = set(session.scalars(select(AttemptRow.id)))
    store.close()
    return found


def measure(name: str, url: str, learners: int, count: int) -> dict:
    prepare(url)
    ctx = mp.get_context("fork")  # torch is imported once in the parent and shared copy-on-write
    barrier = ctx.Barrier(learners + 1)
    results = ctx.Queue()
    processes = [ctx.Process(target=learner, args=(url, i, count, barrier, results)) for i in range(learners)]
    for p in processes:
        p.start()
    barrier.wait(timeout=600)  # every learner has its session: go
    start = time.perf_counter()
    outcomes = [results.get(timeout=1800) for _ in processes]
    elapsed = time.perf_counter() - start
    for p in processes:
        p.join()
    committed = {i for _, ids, _, _ in outcomes for i in ids}
    latencies = sorted(x for _, _, lat, _ in outcomes for x in lat)
    lost = len(committed - stored_attempts(url))
    failures = [f"learner {i}: {err}" for i, _, _, err in outcomes if err]
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [float("nan")] * 99
    return {
        "backend": name,
        "answers": len(committed),
        "seconds": elapsed,
        "per_second": len(committed) / elapsed,
        "p50_ms": q[49] * 1000,
        "p99_ms": q[98] * 1000,
        "lost": lost,
        "failures": failures,
    }


def pg_database(server: str, name: str) -> str:
    from sqlalchemy import create_engine, make_url, text
    from sqlalchemy.pool import NullPool

    admin = create_engine(make_url(server).set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=50)
    parser.add_argument("--answers", type=int, default=100)
    parser.add_argument("--pg", default=os.environ.get("QUIZZER_TEST_PG_URL"), help="PostgreSQL server URL")
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    import torch  # noqa: F401  (loaded once here; the forked learners share it)

    print(f"{args.learners} learners × {args.answers} answers, {os.cpu_count()} cores")
    print(
        f"{'backend':12} {'answers':>8} {'seconds':>8} {'answers/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'lost':>5}",
        flush=True,
    )
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["QUIZZER_HOME"] = tmp  # rolling backups and anything else stay in the scratch dir
        targets = [("sqlite", lambda: f"sqlite:///{Path(tmp) / 'class.db'}")]
        if args.pg and not args.sqlite_only:
            targets.append(("postgresql", lambda: pg_database(args.pg, "quizzer_class_load")))
        elif not args.sqlite_only:
            print("PostgreSQL skipped: give --pg URL or set QUIZZER_TEST_PG_URL (.ci/postgres starts a server)")
        for name, url in targets:
            r = measure(name, url(), args.learners, args.answers)
            rows.append(r)
            print(
                f"{r['backend']:12} {r['answers']:>8} {r['seconds']:>8.1f} {r['per_second']:>10.1f} "
                f"{r['p50_ms']:>8.1f} {r['p99_ms']:>8.1f} {r['lost']:>5}",
                flush=True,
            )
            for failure in r["failures"]:
                print(f"  FAILED {failure.splitlines()[0]}", flush=True)
    bad = any(r["lost"] or r["failures"] or r["answers"] != args.learners * args.answers for r in rows)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
