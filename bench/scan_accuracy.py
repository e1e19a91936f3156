"""How often the scan reader is right, and how often it asks, on simulated scans (tests/scansim.py).

Builds examples/exam.yaml with answer sheets (2 versions × 2 copies), simulates N filled pages (default 200)
cycling through the simulator's named conditions, reads each page, and prints per condition: pages, pages
that failed, and for the bubbles whose truth is filled / empty / ambiguous the share read and the share sent
to review, plus every silently wrong bubble (there should be none).

    .venv/bin/python bench/scan_accuracy.py [N] [--dpi 200] [--seed 1]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build(out: Path, copies: int = 2) -> None:
    """examples/exam.yaml, 2 versions × ``copies`` answer-sheet copies (2 pages each), into ``out``."""
    from click.testing import CliRunner

    from quizzer.cli.main import cli

    args = ["exam", "build", str(ROOT / "examples" / "exam.yaml"), "--out", str(out), "-n", "2", "--format", "md"]
    result = CliRunner().invoke(cli, [*args, "--no-verify", "--answer-sheets", "--copies", str(copies)])
    if result.exit_code:
        raise SystemExit(result.output)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("pages", nargs="?", type=int, default=200)
    parser.add_argument("--dpi", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    from quizzer.exam.questions import load_manifest
    from quizzer.exam.scan_layout import load_answer_sheets
    from tests.scan_eval import judge
    from tests.scansim import simulate_batch

    with tempfile.TemporaryDirectory() as tmp:
        import os

        os.environ["QUIZZER_HOME"] = str(Path(tmp) / "home")  # the bench never touches your own database
        out = Path(tmp) / "exam"
        build(out)
        manifest = load_manifest(out)
        multiple = {(v.code, i.number): i.kind == "multi" for v in manifest.versions for i in v.items}
        start = time.perf_counter()
        pages = simulate_batch(out, args.pages, args.seed, dpi=args.dpi)
        simulated = time.perf_counter() - start
        tallies = judge(pages, load_answer_sheets(out), multiple)
    header = f"{'condition':<10} {'pages':>5} {'failed':>6} │ {'filled read':>11} {'review':>6} │ "
    header += (
        f"{'empty read':>10} {'review':>6} │ {'ambig. read':>11} {'review':>6} │ {'wrong':>5} │ questions to review"
    )
    print(f"{args.pages} simulated pages at {args.dpi} dpi (seed {args.seed}); simulating took {simulated:.1f} s")
    print(header)
    print("─" * len(header))
    wrong_all = tallies["all"].wrong
    for name, tally in sorted(tallies.items(), key=lambda kv: (kv[0] == "all", kv[0])):
        cells = []
        for truth in ("filled", "empty", "ambiguous"):
            read, review = tally.rate(truth)
            cells.append(f"{read:>10.2%} {review:>6.1%}" if tally.bubbles[truth] else f"{'–':>10} {'–':>6}")
        wrong = sum(1 for w in wrong_all if name == "all" or w.startswith(name + " "))
        print(
            f"{name:<10} {tally.pages:>5} {tally.failed_pages:>6} │ {cells[0]} │ {cells[1]} │ "
            f"{cells[2]} │ {wrong:>5} │ {tally.questions_review / max(tally.questions, 1):>6.1%}"
        )
    total = tallies["all"]
    print(f"\nreading: {total.pages / total.seconds:.1f} pages/s; bubbles judged: {dict(total.bubbles)}")
    for line in wrong_all[:30]:
        print("WRONG", line)


if __name__ == "__main__":
    main()
