"""Adaptive difficulty, measured: the settled success rate of three simulated learners per family.

Runs the simulation of tests/test_adaptive_simulation.py (the quiz driven through the library, 200
questions per learner over four families, each learner answering by a known logistic model) several
times with different luck, and prints per learner × family:

- the levels that put the learner's true success within 0.60–0.90 ("-" when none does: the band is
  unreachable there, and the nearest level is the best the quiz can do);
- the true success rate over the second half of the skill's questions, as the mean over runs, the
  worst run, and how many runs landed within the band;
- when the strong learner first met ★★★.

Run: .venv/bin/python bench/adaptive.py [--runs 5]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the simulation lives with its test

from quizzer.bank.sync import sync_bundled
from quizzer.store.engine import open_store
from tests.test_adaptive_simulation import (
    EASE,
    HARDNESS,
    LEARNERS,
    SETTLED_BAND,
    p_right,
    settled_rate,
    simulate,
)

STARS = {1: "★", 2: "★★", 3: "★★★"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="simulations per learner, each with its own luck")
    args = parser.parse_args()
    low, high = SETTLED_BAND
    folder = Path(tempfile.mkdtemp(dir="/dev/shm" if Path("/dev/shm").is_dir() else None))
    store = open_store(str(folder / "quizzer.db"))
    sync_bundled(store)
    start = time.perf_counter()
    runs: dict[str, list[dict]] = {name: [] for name in LEARNERS}
    try:
        for run in range(args.runs):
            for name, ability in LEARNERS.items():
                runs[name].append(simulate(store, name, ability, run))
    finally:
        store.close()
        shutil.rmtree(folder, ignore_errors=True)
    seconds = time.perf_counter() - start

    print(f"{args.runs} runs × 3 learners × 200 questions in {seconds:.0f} s; band {low:.2f}–{high:.2f}")
    print(
        f"{'learner':9} {'family':16} {'P(★) P(★★) P(★★★)':20} {'in band':10} {'mean':>5} {'worst':>5} {'runs in band':>12}"
    )
    for name, ability in LEARNERS.items():
        for family in EASE:
            p = {level: p_right(ability, family, level) for level in HARDNESS}
            reachable = "".join(STARS[level] + " " for level in HARDNESS if low <= p[level] <= high).strip() or "-"
            rates = [settled_rate(ability, family, outcome[family]) for outcome in runs[name]]
            worst = max(rates, key=lambda r: max(low - r, r - high))
            inside = sum(low <= r <= high for r in rates)
            print(
                f"{name:9} {family:16} {p[1]:.2f}  {p[2]:.2f}  {p[3]:.2f}     {reachable:10} "
                f"{statistics.mean(rates):5.2f} {worst:5.2f} {inside:>7}/{len(rates)}"
            )
    firsts = [
        next((i + 1 for i, (level, _) in enumerate(outcome[family]) if level == 3), None)
        for outcome in runs["strong"]
        for family in EASE
    ]
    reached = sorted(f for f in firsts if f is not None)
    if not reached:
        print("strong learner: never served ★★★")
        return
    print(
        f"strong learner, first ★★★ (question of the skill): median {statistics.median(reached)}, "
        f"worst {max(reached)}, within 15 in {sum(f <= 15 for f in reached)}/{len(firsts)} skill runs"
    )


if __name__ == "__main__":
    main()
