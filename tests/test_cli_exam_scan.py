"""`quizzer exam scan` through the CLI: one-line refusals for what cannot be scanned at all."""

from __future__ import annotations

from pathlib import Path

from quizzer.errors import ExitStatus
from tests.exam_manifests import make_manifest, write_manifest
from tests.scanpages import draw_page, layout_page, write_sheets


def one_line_error(result) -> str:
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert "Traceback" not in result.output
    return lines[0]


def test_missing_directory(run, tmp_path: Path) -> None:
    scan = tmp_path / "p.png"
    draw_page(layout_page()).save(scan)
    result = run("exam", "scan", str(tmp_path / "nope"), str(scan), expect=ExitStatus.NOT_FOUND)
    assert "no such exam directory" in one_line_error(result)


def test_exam_built_without_answer_sheets(run, tmp_path: Path) -> None:
    directory = write_manifest(tmp_path / "exam", make_manifest({"A": []}))
    scan = tmp_path / "p.png"
    draw_page(layout_page()).save(scan)
    result = run("exam", "scan", str(directory), str(scan), expect=ExitStatus.ERROR)
    assert "--answer-sheets" in one_line_error(result)


def test_missing_scan_file_and_bad_dpi(run, tmp_path: Path) -> None:
    write_sheets(tmp_path / "exam", [layout_page()])
    result = run("exam", "scan", str(tmp_path / "exam"), str(tmp_path / "gone.pdf"), expect=ExitStatus.NOT_FOUND)
    assert "gone.pdf: no such scan file" in one_line_error(result)
    scan = tmp_path / "p.png"
    draw_page(layout_page()).save(scan)
    result = run("exam", "scan", str(tmp_path / "exam"), str(scan), "--dpi", "5", expect=ExitStatus.NOT_FOUND)
    assert "--dpi 5" in one_line_error(result)
