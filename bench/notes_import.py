"""Import 1,000 questions of interview-style notes into a named bank and time it.

The notes are generated: chapters of numbered ``###`` headings asking questions, answers with inline and
display math, numbered lists, a table every fifth question, bold terms (cloze items) and a figure. The
timed part is `quizzer notes import` itself, in-process on an already-created database: reading and
parsing the markdown, drafting the items, validating them and writing them in one transaction. It is
timed twice, on a fresh bank (everything added) and again (everything unchanged); the whole command as a
process is timed too. Target: under 2 s for the import. Wall-clock and CPU time are both printed, with the
load average: on a shared machine wall-clock is inflated by other work, and the target is judged on the
CPU time the import itself used (they agree on an idle machine; the import is single-threaded).

Run: .venv/bin/python bench/notes_import.py [--questions 1000]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from quizzer.bank.notes import import_notes
from quizzer.store.engine import open_store

TARGET_S = 2.0


def notes(questions: int) -> str:
    lines = ["# 生成的面试笔记", "", "[TOC]", ""]
    per_chapter = 50
    for n in range(questions):
        chapter, number = divmod(n, per_chapter)
        if number == 0:
            lines += [f"## {chapter + 1} 第 {chapter + 1} 部分", ""]
        lines += [f"### {chapter + 1}.{number + 1} 第 {n} 个概念的作用是什么？", ""]
        lines += [f"概念{n} 的核心是 **术语{n}**，满足 $x_{{{n}}} = \\frac{{a}}{{b}} + {n}$。", ""]
        lines += [
            f"1. 第一点：与 ReLU 和 batch {n % 7} 有关",
            f"2. 第二点：取值 0.{n % 9 + 1}",
            "3. 第三点：见下图",
            "",
            f"![图](img/figure-{n}.png)",
            "",
        ]
        if n % 5 == 0:
            lines += ["| 方法 | 特点 |", "| --- | --- |", f"| A{n} | 快 |", f"| B{n} | 稳 |", ""]
        if n % 10 == 0:
            lines += ["$$", f"y = \\sum_{{i=1}}^{{{n}}} w_i x_i", "$$", ""]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["QUIZZER_HOME"] = tmp
        path = Path(tmp) / "notes.md"
        path.write_text(notes(args.questions), encoding="utf-8")
        store = open_store(None)  # created and migrated before timing: the import is what is measured
        timings = []
        for label in ("fresh bank", "re-import, unchanged"):
            start, cpu = time.perf_counter(), time.process_time()
            draft = import_notes(store, path, bank="bench")
            elapsed, used = time.perf_counter() - start, time.process_time() - cpu
            timings.append(used)
            report = draft.report.counts() if draft.report else {}
            print(
                f"{label:>26}: {elapsed:.3f} s wall, {used:.3f} s CPU for {sum(draft.shapes.values())} questions, "
                f"{len(draft.items)} items {dict(draft.kinds)}; {report}"
            )
        store.close()
        path.write_text(notes(args.questions).replace("第二点：取值", "第二点：通常取值", 100), encoding="utf-8")
        start = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "quizzer", "notes", "import", str(path), "--bank", "bench"],
            capture_output=True,
            text=True,
            env={**os.environ, "QUIZZER_HOME": tmp},
        )
        process = time.perf_counter() - start
        print(
            f"{'whole process, 100 edited':>26}: {process:.3f} s wall (start-up and bundled-bank sync included); "
            f"{result.stdout.strip().splitlines()[-2]}"
        )
        if result.returncode:
            print(result.stderr, file=sys.stderr)
            sys.exit(1)
    worst = max(timings)
    load = os.getloadavg()[0]
    print(
        f"target < {TARGET_S:.1f} s for the import: {'met' if worst < TARGET_S else 'MISSED'} ({worst:.3f} s CPU; "
        f"load average {load:.1f} on {os.cpu_count()} cores)"
    )
    sys.exit(0 if worst < TARGET_S else 1)


if __name__ == "__main__":
    main()
