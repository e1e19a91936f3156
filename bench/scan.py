"""Reading speed of ``quizzer exam scan``: pages per second over 100 simulated scanned pages.

Builds examples/exam.yaml with answer sheets, simulates 100 filled pages (tests/scansim.py, every named
condition in turn, 200 dpi), writes them as one PDF and as PNG files, and times the reader over each
(``read_scans``: render or decode, QR, corner marks, every bubble, crops of what goes to review). Grading
and report writing are not counted: they are ``exam grade``'s and have their own bench.

    .venv/bin/python bench/scan.py [N]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    from bench.scan_accuracy import build
    from quizzer.exam.questions import load_manifest
    from quizzer.exam.scan import read_scans
    from quizzer.exam.scan_layout import answer_sheets_of
    from tests.scansim import simulate_batch, write_batch

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["QUIZZER_HOME"] = str(Path(tmp) / "home")  # never the user's own database
        out = Path(tmp) / "exam"
        build(out, copies=-(-count // 4))  # every simulated page a different sheet page: no duplicates
        manifest = load_manifest(out)
        sheets = answer_sheets_of(manifest, out)
        pages = simulate_batch(out, count, seed=5)
        files = write_batch(pages, Path(tmp) / "scans", pdf=True, images="png")
        pdf, pngs = files[0], files[1:]
        print(f"{count} simulated pages, 200 dpi; scans.pdf {pdf.stat().st_size / 1e6:.1f} MB")
        for label, inputs in (("one PDF (rendered at 200 dpi)", [pdf]), ("PNG files", pngs)):
            start, cpu = time.perf_counter(), time.process_time()
            results = read_scans(sheets, manifest, inputs, 200)
            seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
            failed = sum(1 for r in results if r.status == "failed")
            # CPU seconds too: on a shared machine the wall clock also counts other people's work
            print(
                f"{label:<30} {seconds:6.2f} s  {len(results) / seconds:5.1f} pages/s  "
                f"(CPU {cpu:.2f} s = {len(results) / cpu:.1f} pages/CPU-s; {failed} failed)"
            )


if __name__ == "__main__":
    main()
