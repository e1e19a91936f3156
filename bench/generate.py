"""Problems per second per family: closed form only, and closed form + torch verification.

Targets on the 2-core machine: closed-form generation ≥ 10,000 problems/s for the size
families; `quizzer verify --samples 1000` over all families in under 60 s (printed at the end).

Run: .venv/bin/python bench/generate.py [--seconds 0.5]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

from quizzer.generators.registry import all_families, instance_seed, sample_params
from quizzer.generators.verification import check

SIZE_FAMILIES = {
    "conv-output",
    "pool-output",
    "conv-params",
    "conv-macs",
    "conv-stack-shape",
    "receptive-field",
    "iterations",
    "updates-per-epoch",
    "bottleneck-savings",
}


def rate(fn, budget: float) -> float:
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < budget:
        fn(count)
        count += 1
    return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=0.5, help="time budget per measurement")
    parser.add_argument("--skip-verify-all", action="store_true", help="do not time `quizzer verify --samples 1000`")
    args = parser.parse_args()

    import torch  # noqa: F401  — load once up front so the first family does not pay for it

    print(f"{'family':26} {'closed form/s':>14} {'torch-verified/s':>17}")
    slow_sizes = []
    for family in all_families():
        levels = family.difficulties

        def params(i: int):
            d = levels[i % len(levels)]
            return sample_params(family, instance_seed(family.name, 0, d, i), d)  # as `quizzer verify` draws

        family.verify(params(0))  # warm-up: some torch paths pay a one-off cost on their first call
        closed = rate(lambda i: family.solve(params(i)), args.seconds)
        verified = rate(lambda i: check(family, params(i)), args.seconds)  # as `quizzer verify` and the quiz do
        mark = ""
        if family.name in SIZE_FAMILIES:
            mark = "  (size family: target ≥ 10,000/s " + ("met)" if closed >= 10_000 else "NOT met)")
            if closed < 10_000:
                slow_sizes.append(family.name)
        print(f"{family.name:26} {closed:14,.0f} {verified:17,.0f}{mark}")

    if not args.skip_verify_all:
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "quizzer", "verify", "--samples", "1000"], capture_output=True, text=True
        )
        seconds = time.perf_counter() - start
        verdict = "met" if seconds < 60 and done.returncode == 0 else "NOT met"
        print(
            f"\nquizzer verify --samples 1000 (all families, incl. start-up): {seconds:.1f} s, exit {done.returncode} — target < 60 s {verdict}"
        )
        print(done.stdout.strip().splitlines()[-2] if done.stdout.strip() else done.stderr[-500:])


if __name__ == "__main__":
    main()
