"""100 versions of examples/exam.yaml (10 bank items + 10 generated problems) to md, html and pdf, with keys.

Side by side, when `auto-multiple-choice` is installed: AMC (LaTeX) preparing 100 copies of 20 questions
(`auto-multiple-choice prepare --mode s` on ../shared/bench-anchors/amc-100x20.tex), which makes sheets and a
plain answer sheet but no worked solutions. Both are run the same way, as child processes, alternately,
and the median of --repeat runs is reported: wall-clock seconds and CPU seconds (all threads and children;
CPU is the fairer number on a busy machine). Target: quizzer ≤ half of AMC. The main line builds keys without
pictures (AMC draws none); a second line adds the keys' pictures (matplotlib SVG, on by default). Another line
times what AMC itself makes (the sheets PDF alone, no keys, no md/html).

Run: .venv/bin/python bench/exam.py [--versions 100] [--repeat 3] [--anchor PATH] [--no-verify]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "exam.yaml"
# Beside the main checkout (/work/main -> /work/shared); a worktree sits one level deeper (/work/wt/NAME).
DEFAULT_ANCHOR = next(
    (p for p in (base / "shared" / "bench-anchors" / "amc-100x20.tex" for base in REPO.parents[:2]) if p.is_file()),
    REPO.parent / "shared" / "bench-anchors" / "amc-100x20.tex",
)


def timed(cmd: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds (user + system of the child and its children) and stdout of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        sys.exit(f"failed ({result.returncode}): {' '.join(cmd)}\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, result.stdout


def quizzer_run(
    work: Path, versions: int, verify: bool, env: dict[str, str], pictures: bool = False
) -> tuple[float, float, str]:
    out = work / "exam-out"
    shutil.rmtree(out, ignore_errors=True)
    cmd = [
        sys.executable,
        "-m",
        "quizzer",
        "exam",
        "build",
        str(EXAMPLE),
        "--versions",
        str(versions),
        "--seed",
        "1",
        "--out",
        str(out),
        "--format",
        "md,html,pdf",
        "--lang",
        "zh",
    ]
    cmd += [] if verify else ["--no-verify"]
    return timed(cmd + ([] if pictures else ["--no-key-pictures"]), env=env)


# What AMC's run makes, for an apples-to-apples line: the students' sheets as one PDF, no keys, no md/html.
SHEETS_ONLY = """
import sys
from pathlib import Path
from quizzer.bank.sync import sync_bundled
from quizzer.exam.build import build_exam
from quizzer.exam.document import exam_document
from quizzer.exam.render_typst import PDF_NAMES, _compile, _timestamp, cjk_font_dir, typst_data
from quizzer.exam.spec import load_spec
from quizzer.store.engine import open_store
import json
store = open_store()
sync_bundled(store)
spec, digest = load_spec(Path(sys.argv[1]))
exam = build_exam(store, spec, digest, versions=int(sys.argv[2]), seed=1, lang="zh", verify=False)
document = exam_document(exam)
pdf = _compile(json.dumps(typst_data(document), ensure_ascii=False), "sheet", cjk_font_dir(), _timestamp(document))
Path(sys.argv[3]).write_bytes(pdf)
"""


def sheets_only_run(work: Path, versions: int, env: dict[str, str]) -> tuple[float, float, str]:
    return timed(
        [sys.executable, "-c", SHEETS_ONLY, str(EXAMPLE), str(versions), str(work / "sheets-only.pdf")], env=env
    )


def amc_run(work: Path, anchor: Path) -> tuple[float, float, str]:
    project = work / "amc"
    shutil.rmtree(project, ignore_errors=True)
    (project / "data").mkdir(parents=True)
    source = project / anchor.name
    source.write_bytes(anchor.read_bytes())
    cmd = [
        "auto-multiple-choice",
        "prepare",
        "--mode",
        "s",
        "--prefix",
        str(project),
        "--out-sujet",
        str(project / "sheets.pdf"),
        "--out-corrige",
        str(project / "key.pdf"),
        "--out-calage",
        str(project / "layout.xy"),
        "--data",
        str(project / "data"),
        str(source),
    ]
    result = timed(cmd, cwd=project)
    if not (project / "sheets.pdf").exists():
        sys.exit("auto-multiple-choice wrote no sheets.pdf")
    return result


def stage_line(stdout: str) -> str:
    """The build's own seconds per stage (its last output line, in the exam's language: zh here)."""
    line = next((ln for ln in stdout.splitlines() if ln.startswith(("time:", "用时："))), "")
    return line.removeprefix("time:").removeprefix("用时：").strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--versions", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the median is reported")
    parser.add_argument("--anchor", type=Path, default=DEFAULT_ANCHOR, help="the AMC source to compare with")
    parser.add_argument("--no-verify", action="store_true", help="also skip the torch check of generated keys")
    args = parser.parse_args()

    amc = shutil.which("auto-multiple-choice") is not None and args.anchor.is_file()
    with tempfile.TemporaryDirectory(prefix="quizzer-bench-exam-") as tmp:
        work = Path(tmp)
        env = {**os.environ, "QUIZZER_HOME": str(work / "home")}
        quizzer_run(work, 1, False, env)  # creates the database and imports the bank: not part of the build
        ours, theirs, verified, sheets_only, pictured = [], [], [], [], []
        stages = pictured_stages = ""
        for _ in range(args.repeat):
            wall, cpu, stdout = quizzer_run(work, args.versions, False, env)
            ours.append((wall, cpu))
            stages = stage_line(stdout)
            wall, cpu, stdout = quizzer_run(work, args.versions, False, env, pictures=True)
            pictured.append((wall, cpu))
            pictured_stages = stage_line(stdout)
            if not args.no_verify:
                wall, cpu, _ = quizzer_run(work, args.versions, True, env)
                verified.append((wall, cpu))
            sheets_only.append(sheets_only_run(work, args.versions, env)[:2])
            if amc:
                theirs.append(amc_run(work, args.anchor)[:2])
        sizes = {p.name: p.stat().st_size for p in sorted((work / "exam-out").iterdir())}

    def median(runs: list[tuple[float, float]]) -> tuple[float, float]:
        return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)

    load = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} CPUs, load average {load:.1f} (wall clock is only comparable when idle)")
    wall, cpu = median(ours)
    print(
        f"quizzer exam build, {args.versions} versions × 20 questions, md+html+pdf with keys "
        f"(--no-verify --no-key-pictures): {wall:.2f} s wall, {cpu:.2f} s CPU   [{stages}]"
    )
    p_wall, p_cpu = median(pictured)
    print(
        f"quizzer exam build, same, keys with pictures (--no-verify; pictures are the default): "
        f"{p_wall:.2f} s wall, {p_cpu:.2f} s CPU   [{pictured_stages}]"
    )
    if verified:
        v_wall, v_cpu = median(verified)
        print(
            f"quizzer exam build, no pictures, keys checked by torch (default):  {v_wall:.2f} s wall, {v_cpu:.2f} s CPU"
        )
    print("  files: " + ", ".join(f"{name} {size / 1e6:.2f} MB" for name, size in sizes.items()))
    s_wall, s_cpu = median(sheets_only)
    print(f"quizzer, what AMC makes: the sheets PDF only (no keys, md, html): {s_wall:.2f} s wall, {s_cpu:.2f} s CPU")
    if not amc:
        print(
            f"auto-multiple-choice: not run ({'not installed' if not shutil.which('auto-multiple-choice') else ''}"
            f"{'' if args.anchor.is_file() else f' no anchor at {args.anchor}'})"
        )
        return
    a_wall, a_cpu = median(theirs)
    print(
        f"auto-multiple-choice prepare --mode s, 100 copies × 20 questions, no solutions: "
        f"{a_wall:.2f} s wall, {a_cpu:.2f} s CPU"
    )
    print(
        f"ratio quizzer / AMC (--no-verify --no-key-pictures): wall {wall / a_wall:.2f}, CPU {cpu / a_cpu:.2f}"
        "  (target ≤ 0.5)"
    )
    print(f"ratio quizzer / AMC (--no-verify, keys with pictures): wall {p_wall / a_wall:.2f}, CPU {p_cpu / a_cpu:.2f}")
    if verified:
        print(f"ratio quizzer / AMC (torch-checked keys): wall {v_wall / a_wall:.2f}, CPU {v_cpu / a_cpu:.2f}")
    print(f"ratio quizzer / AMC (sheets PDF only, like AMC): wall {s_wall / a_wall:.2f}, CPU {s_cpu / a_cpu:.2f}")


if __name__ == "__main__":
    main()
