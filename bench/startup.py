"""Median wall time of `quizzer --help` over 20 runs (target: ≤ 100 ms on the 2-core dev machine).

Run: .venv/bin/python bench/startup.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

RUNS = 20


def time_command(args: list[str], runs: int = RUNS) -> list[float]:
    # As a learner runs it: with the bytecode cache (a dev shell may set PYTHONDONTWRITEBYTECODE=1).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, env=env)  # warm-up: writes the cache
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL, env=env)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def main() -> None:
    for label, args in (
        ("python -m quizzer --help", [sys.executable, "-m", "quizzer", "--help"]),
        ("python -m quizzer families", [sys.executable, "-m", "quizzer", "families"]),
    ):
        samples = time_command(args)
        print(
            f"{label:32} median {statistics.median(samples):6.1f} ms   min {min(samples):6.1f} ms   max {max(samples):6.1f} ms   ({RUNS} runs)"
        )
    median = statistics.median(time_command([sys.executable, "-m", "quizzer", "--help"]))
    target = 100.0
    print(f"target --help ≤ {target:.0f} ms: {'met' if median <= target else 'NOT met'} ({median:.1f} ms)")


if __name__ == "__main__":
    main()
