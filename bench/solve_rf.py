"""Receptive field of a 10-, 100- and 300-layer stack via `python -m quizzer solve receptive-field --layers-file`.

Each run is a fresh process, as a learner runs it: interpreter start-up, quizzer's imports, parsing the file,
the closed form, torch's import and torch's check (a forward and a backward pass per layer over a 1-D signal),
and printing the per-layer table. Printed per depth, median of 5: wall time and CPU time (user + sys) of the
subprocess, then the parts measured inside one process so the scaling with depth can be read off: parsing and
validating, the closed form and worked solution, and torch's check alone (torch already imported).

Target: ≤ 1 s for 300 layers, start-up and torch check included. A line for `python -c "import torch"` alone
shows the floor no torch check in a fresh process can go below.

Run: .venv/bin/python bench/solve_rf.py
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 5
DEPTHS = (10, 100, 300)
TARGET_S = 1.0


def network(n: int) -> str:
    """A ResNet-like stack of n layers: 3×3 and 1×1 convs, a few 3×3/1 pools, stride 2 every n/5 layers."""
    kinds = ("conv c=64 k=3 p=1", "conv c=64 k=1", "conv c=64 k=3 p=1", "maxpool k=3 s=1 p=1")
    lines = [f"# {n} layers"]
    for i in range(n):
        lines.append("conv c=64 k=3 s=2 p=1" if i % max(n // 5, 1) == 0 else kinds[i % len(kinds)])
    return "\n".join(lines) + "\n"


def run_cli(path: Path | None) -> tuple[float, float]:
    """(wall, cpu) of one solve in a fresh process; with no path, of `python -c "import torch"` alone."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    args = [sys.executable, "-m", "quizzer", "solve", "receptive-field", "--layers-file", str(path), "--no-pictures"]
    subprocess.run(
        args if path else [sys.executable, "-c", "import torch"], check=True, stdout=subprocess.DEVNULL, env=env
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def in_process(path: Path) -> tuple[float, float, float]:
    """(parse + validate, closed form + solution, torch check) in seconds, torch already imported."""
    from quizzer.generators.netfile import params_with_layers_file
    from quizzer.generators.registry import get_family
    from quizzer.generators.verification import check

    family = get_family("receptive-field")
    t0 = time.perf_counter()
    params = params_with_layers_file(family, {}, path)
    t1 = time.perf_counter()
    family.build(params, difficulty=0, seed=None)
    t2 = time.perf_counter()
    assert check(family, params).agree
    return t1 - t0, t2 - t1, time.perf_counter() - t2


def main() -> None:
    started = time.perf_counter()
    import torch  # noqa: F401  (the in-process parts are measured with torch loaded)

    torch_import = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        paths = {}
        for n in DEPTHS:
            paths[n] = Path(tmp) / f"net{n}.txt"
            paths[n].write_text(network(n), encoding="utf-8")
        run_cli(paths[DEPTHS[0]])  # warm-up: bytecode cache, page cache
        in_process(paths[DEPTHS[0]])
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; `import torch` {torch_import:.2f} s")
        print(
            f"{'layers':>6} {'wall':>8} {'cpu':>8} | {'parse':>8} {'closed':>8} {'torch check':>11}  (median of {RUNS})"
        )
        floor = [run_cli(None) for _ in range(RUNS)]
        wall, cpu = statistics.median(c[0] for c in floor), statistics.median(c[1] for c in floor)
        print(
            f'{"torch":>6} {wall:>7.2f}s {cpu:>7.2f}s | `python -c "import torch"` alone: the floor of any torch check'
        )
        results = {}
        for n in DEPTHS:
            cli = [run_cli(paths[n]) for _ in range(RUNS)]
            parts = [in_process(paths[n]) for _ in range(RUNS)]
            wall, cpu = statistics.median(c[0] for c in cli), statistics.median(c[1] for c in cli)
            parse, closed, check = (statistics.median(p[i] for p in parts) for i in range(3))
            results[n] = (wall, cpu, check)
            print(
                f"{n:>6} {wall:>7.2f}s {cpu:>7.2f}s | {parse * 1e3:>6.0f}ms {closed * 1e3:>6.0f}ms {check * 1e3:>9.0f}ms"
            )
    lo, hi = DEPTHS[0], DEPTHS[-1]
    per_layer = (results[hi][2] - results[lo][2]) / (hi - lo)
    print(f"torch check: {per_layer * 1e3:.2f} ms per extra layer (linear in depth: one forward + backward per layer)")
    wall = results[hi][0]
    print(f"target {hi} layers ≤ {TARGET_S:.0f} s wall: {'met' if wall <= TARGET_S else 'NOT met'} ({wall:.2f} s)")


if __name__ == "__main__":
    main()
