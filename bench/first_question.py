"""Median time from launching `quizzer quiz` to the first question on screen (target ≤ 400 ms).

Each run starts a fresh interpreter in a pseudo-terminal, waits until the first question
and its answer prompt are on screen, then quits. The database already exists (as it does
for a learner on any day but the first); the first-ever run, which also creates the
database and imports the bank, is timed separately.

Run: .venv/bin/python bench/first_question.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

import pexpect


def time_to_first_question(home: str) -> float:
    env = {**os.environ, "QUIZZER_HOME": home, "TERM": "xterm"}
    # A learner's Python caches bytecode; a dev shell with PYTHONDONTWRITEBYTECODE=1 would
    # re-compile every quizzer module on every start and measure that instead.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    start = time.perf_counter()
    child = pexpect.spawn(
        sys.executable,
        ["-m", "quizzer", "quiz", "--lang", "en"],
        env=env,
        encoding="utf-8",
        timeout=30,
        dimensions=(40, 100),
    )
    child.expect(r"1/10 · ")
    child.expect(r"> ")
    elapsed = time.perf_counter() - start
    child.sendline("quit")
    child.expect(pexpect.EOF)
    child.close()
    return elapsed * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        first = time_to_first_question(home)
        samples = [time_to_first_question(home) for _ in range(args.runs)]
    median = statistics.median(samples)
    print(f"first run (creates the database, imports the bank): {first:.0f} ms")
    print(
        f"later runs: median {median:.0f} ms, min {min(samples):.0f} ms, max {max(samples):.0f} ms ({args.runs} runs)"
    )
    print(f"target ≤ 400 ms: {'met' if median <= 400 else 'NOT met'}")


if __name__ == "__main__":
    main()
