"""`quizzer exam scan` through the CLI: one-line refusals for what cannot be scanned at all."""

from __future__ import annotations

from pathlib import Path

import pytest

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


# --- the whole round trip on a real built exam: print, fill by hand, scan, review, resolve, record ----------------

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "exam.yaml"
DPI = 200


def key_bubbles(page: dict, items: dict[int, dict]) -> tuple[list[str], float]:
    """Bubble ids that answer every question on ``page`` right (per the manifest's key), and the points that earns.

    Open items get their top score bubble, so they earn their points too; numeric keys are written to the grid's
    finest decimal place (the grid is sized so that this rounding is graded right).
    """
    ids: list[str] = []
    earned = 0.0
    by_question: dict[int, list[dict]] = {}
    for b in page["bubbles"]:
        if b["question"] is not None:
            by_question.setdefault(b["question"], []).append(b)
    for number, bubbles in by_question.items():
        item = items[number]
        groups = {b["group"] for b in bubbles}
        chosen: list[dict] = []
        if "score" in groups:
            top = max(bubbles, key=lambda b: float(b["value"]))
            chosen = [top]
            points = float(top["value"])
        elif "choice" in groups:
            key = item["answer"]
            letters = ("T" if key else "F") if isinstance(key, bool) else key
            chosen = [b for b in bubbles if b["value"] in letters]
            points = item["points"]
        else:
            if "exp_digit" in groups or not isinstance(item["answer"], (int, float)):
                continue
            value = float(item["answer"])
            places = max((int(b["value"]) for b in bubbles if b["group"] == "decimals"), default=0)
            digits = str(round(abs(value) * 10**places))
            columns = sorted({b["column"] for b in bubbles if b["group"] == "digit"})
            if len(digits) > len(columns):
                continue
            start = len(columns) - len(digits)  # right-aligned
            chosen = [
                b
                for b in bubbles
                if b["group"] == "digit" and b["column"] >= start and b["value"] == digits[b["column"] - start]
            ]
            chosen += [b for b in bubbles if b["group"] == "decimals" and int(b["value"]) == places and places]
            chosen += [b for b in bubbles if b["group"] == "sign" and b["value"] == ("-" if value < 0 else "+")]
            points = item["points"]
        ids += [b["id"] for b in chosen]
        earned += points
    return ids, earned


def test_paper_round_trip(run, tmp_path: Path) -> None:
    import csv
    import json
    import random

    from PIL import Image

    from tests.scanhand import render_page, scribble, tick

    out = tmp_path / "exam"
    run("exam", "build", str(EXAMPLE), "--out", str(out), "--format", "md", "--no-verify", "--answer-sheets")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    pages = [p for p in manifest["answer_sheets"]["pages"] if p["version"] == "A" and p["copy"] == 1]
    items = {i["number"]: i for i in manifest["versions"][0]["items"]}
    rng = random.Random(7)
    student = "20240173"
    total = 0.0
    scans = []
    ticked, ticked_value = None, ""
    for page in pages:
        image = render_page(str(out / "answer-sheets.pdf"), page["pdf_page"] - 1, DPI)
        ids, earned = key_bubbles(page, items)
        total += earned
        by_id = {b["id"]: b for b in page["bubbles"]}
        for bid in ids:
            scribble(image, by_id[bid], DPI, rng)
        for b in page["bubbles"]:
            if b["group"] == "student" and b["value"] == student[b["column"]]:
                scribble(image, b, DPI, rng)
        if page["page"] == 1:  # a light tick beside a filled option: the reader must ask, not guess
            target = next(b for b in page["bubbles"] if b["group"] == "choice" and b["id"] not in ids)
            tick(image, target, DPI)
            ticked, ticked_value = target["question"], target["value"]
            total -= items[ticked]["points"]
            path = tmp_path / "page1.png"
            image.save(path)
        else:  # fed upside down, saved as JPEG
            path = tmp_path / f"page{page['page']}.jpg"
            image.rotate(180).save(path, quality=60)
        scans.append(str(path))
    blank = tmp_path / "blank.png"
    Image.new("L", (1654, 2339), 255).save(blank)

    data = json.loads(run("exam", "scan", str(out), *scans, str(blank), "--json").output)
    statuses = [(p["file"].rsplit("/", 1)[-1], p["status"], p["failure"]) for p in data["pages"]]
    assert statuses[-1] == ("blank.png", "failed", "no-qr")
    assert all(status != "failed" for _, status, _ in statuses[:-1])
    assert any(p["turned"] for p in data["pages"])
    graded = data["grade"]["students"]
    assert [s["student"] for s in graded] == [student], [
        (a["question"], a["marks"], a["status"], a["why"])
        for a in data["answers"]
        if a["status"] != "read" or a["marks"]
    ]
    assert graded[0]["score"] == pytest.approx(total)
    queue = list(csv.DictReader((out / "scanned" / "review.csv").open(encoding="utf-8")))
    assert [(r["version"], r["copy"], r["question"]) for r in queue] == [("A", "1", str(ticked))]
    html = (out / "scanned" / "review.html").read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") == 1

    # the teacher decides the ticked question was meant: the filled option alone stands
    filled = next(a["marks"] for a in data["answers"] if a["question"] == str(ticked))
    answer = filled.replace(ticked_value, "")
    queue[0]["answer"] = answer or "-"
    with (tmp_path / "review.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(queue[0]))
        writer.writeheader()
        writer.writerows(queue)
    data = json.loads(
        run("exam", "scan", str(out), *scans, "--resolve", str(tmp_path / "review.csv"), "--record", "--json").output
    )
    assert data["review"] == 0
    assert data["grade"]["recorded"] == [student]
    assert data["grade"]["students"][0]["score"] == pytest.approx(total + items[ticked]["points"])
    progress = run("progress", "--profile", student).output
    assert "exam" in progress.lower() or student in progress


def test_formats_and_unreadable_pages_never_abort_the_batch(run, tmp_path: Path) -> None:
    import json

    from tests.scanhand import render_page

    out = tmp_path / "exam"
    run("exam", "build", str(EXAMPLE), "--out", str(out), "--format", "md", "--no-verify", "--answer-sheets")
    pdf = str(out / "answer-sheets.pdf")
    first, second = render_page(pdf, 0, DPI), render_page(pdf, 1, DPI)
    tiff = tmp_path / "copy.tiff"
    first.save(tiff, save_all=True, append_images=[second], compression="tiff_deflate")
    as_pdf = tmp_path / "scanner.pdf"
    second.save(as_pdf, resolution=DPI)  # a scanner's PDF: the same sheet page again → a duplicate
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    stranger = tmp_path / "<other>.png"
    draw_page(layout_page(exam="DEADBEEF")).save(stranger)
    result = run("exam", "scan", str(out), str(tiff), str(as_pdf), str(broken), str(stranger), "--json")
    pages = [(Path(p["file"]).name, p["page"], p["status"], p["failure"]) for p in json.loads(result.output)["pages"]]
    assert pages == [
        ("copy.tiff", 1, "review", None),  # its open item carries no teacher's score yet
        ("copy.tiff", 2, "read", None),
        ("scanner.pdf", 1, "failed", "duplicate"),
        ("broken.png", 1, "failed", "unreadable"),
        ("<other>.png", 1, "failed", "unknown-exam"),
    ]
    html = (out / "scanned" / "review.html").read_text(encoding="utf-8")
    assert "<other>" not in html
    data = json.loads(result.output)
    reasons = [p["reason"] for p in data["pages"]]
    assert "unknown exam 'DEADBEEF'" in reasons[-1] and "cannot be read" in reasons[-2]
    assert any("student-number grid empty" in issue for issue in data["issues"])
    table = run("exam", "scan", str(out), str(tiff), str(broken), str(stranger), "--force", "--lang", "en").output
    assert "<other>" in table and "Traceback" not in table  # the file name shown as text, not markup
