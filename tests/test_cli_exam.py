"""``quizzer exam build``: files written, reproducible output, clear one-line errors."""

from __future__ import annotations

import csv
import json

from quizzer.errors import ExitStatus
from quizzer.exam.manifest import Manifest
from tests.conftest import REPO

EXAMPLE = str(REPO / "examples" / "exam.yaml")


def test_build_writes_every_file_and_is_reproducible(run, tmp_path) -> None:
    out = tmp_path / "exam"
    result = run(
        "exam", "build", EXAMPLE, "--versions", "2", "--seed", "4", "--out", str(out), "--lang", "en", "--no-verify"
    )
    assert "2 versions (A, B), 20 questions, 68 points each, seed 4" in result.output
    names = {
        "manifest.json",
        "answers-template.csv",
        "sheets.pdf",
        "keys.pdf",
        "sheets.html",
        "keys.html",
        "sheets.md",
        "keys.md",
    }
    assert {p.name for p in out.iterdir()} == names
    manifest = Manifest.model_validate_json((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest.lang == "en" and manifest.title == "Deep learning basics · midterm"
    with open(out / "answers-template.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["student", "version", "question", "answer"] and len(rows) == 1 + 2 * 20
    assert (out / "answers-template.csv").read_bytes() == manifest.csv_template.encode()

    again = tmp_path / "again"
    run("exam", "build", EXAMPLE, "--versions", "2", "--seed", "4", "--out", str(again), "--lang", "en", "--no-verify")
    for name in names:
        assert (out / name).read_bytes() == (again / name).read_bytes(), name


def test_format_choice_and_refusing_to_overwrite(run, tmp_path) -> None:
    out = tmp_path / "exam"
    run("exam", "build", EXAMPLE, "--out", str(out), "--format", "md", "--no-verify")
    assert {p.name for p in out.iterdir()} == {"manifest.json", "answers-template.csv", "sheets.md", "keys.md"}
    before = (out / "manifest.json").read_text(encoding="utf-8")
    result = run(
        "exam",
        "build",
        EXAMPLE,
        "--out",
        str(out),
        "--format",
        "md",
        "--seed",
        "9",
        "--no-verify",
        expect=ExitStatus.NOT_FOUND,
    )
    assert "is not empty; choose another directory or pass --force" in result.output
    assert (out / "manifest.json").read_text(encoding="utf-8") == before
    run("exam", "build", EXAMPLE, "--out", str(out), "--format", "md", "--seed", "9", "--no-verify", "--force")
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["seed"] == 9
    result = run(
        "exam", "build", EXAMPLE, "--out", str(tmp_path / "x"), "--format", "pdf,docx", expect=ExitStatus.NOT_FOUND
    )
    assert "unknown format docx; formats are: pdf, html, md" in result.output


def test_bad_spec_is_located_and_nothing_is_written(run, tmp_path) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text("title: T\nsections:\n  - draws:\n      - {source: bank, count: 2, points: -1}\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run("exam", "build", str(spec), "--out", str(out), expect=ExitStatus.ERROR)
    assert "1 problem in the exam spec; nothing was written." in result.output
    assert f"{spec}:4: sections.0.draws.0.points: Input should be greater than 0" in result.output
    assert "Traceback" not in result.output and not out.exists()
    result = run("exam", "build", str(tmp_path / "nope.yaml"), "--out", str(out), expect=ExitStatus.ERROR)
    assert "nope.yaml: -: no such file" in result.output


def test_exam_appears_in_help(run) -> None:
    assert "exam" in run("--help").output
    assert "build" in run("exam", "--help").output


PICTURE_SPEC = """
title: {zh: 图测验, en: Picture quiz}
sections:
  - draws:
      - {source: generated, family: receptive-field, difficulty: 1, count: 1, points: 4}
"""


def test_key_pictures_are_drawn_unless_turned_off(run, tmp_path) -> None:
    spec = tmp_path / "pictures.yaml"
    spec.write_text(PICTURE_SPEC, encoding="utf-8")
    run("exam", "build", str(spec), "--out", str(tmp_path / "on"), "--format", "html,md", "--no-verify")
    assert (tmp_path / "on" / "keys.html").read_text(encoding="utf-8").count("<svg") == 1
    assert "<svg" not in (tmp_path / "on" / "sheets.html").read_text(encoding="utf-8")
    off = tmp_path / "off"
    run("exam", "build", str(spec), "--out", str(off), "--format", "html", "--no-verify", "--no-key-pictures")
    assert "<svg" not in (off / "keys.html").read_text(encoding="utf-8")


def test_a_markdown_build_does_not_import_matplotlib(tmp_path) -> None:
    import subprocess
    import sys

    spec = tmp_path / "pictures.yaml"
    spec.write_text(PICTURE_SPEC, encoding="utf-8")
    args = ["exam", "build", str(spec), "--out", str(tmp_path / "md"), "--format", "md", "--no-verify"]
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "quizzer", *args], capture_output=True, text=True, check=True
    )
    modules = {line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}
    assert "quizzer.exam.render_md" in modules  # the parse sees the build's imports: this check can fail
    assert not any(m.split(".")[0] == "matplotlib" for m in modules)
